/* check.c -- `huimin plugin-check`: load a plugin, check its descriptor,
 * and with a configuration, open one source, check its fields and print a
 * sample fetch. */
#include "huimin.h"
#include "load.h"
#include "mask.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

static void print_desc(FILE *out, const hm_plugin *pl)
{
    const hm_source_desc *d = pl->desc;
    fprintf(out, "plugin %s\n  file: %s\n  version: %s\n  ABI: %u.%u (this huimin: %d.%d)\n",
            d->name, pl->path, d->version ? d->version : "(none)", d->abi_major, d->abi_minor,
            HM_PLUGIN_ABI_MAJOR, HM_PLUGIN_ABI_MINOR);
    if (d->description)
        fprintf(out, "  description: %s\n", d->description);
    fprintf(out, "  lists the population: %s\n", d->population ? "yes" : "no");
    fprintf(out, "  says what the source is (identity): %s\n", d->identity ? "yes" : "no");
    fprintf(out, "  reads reference tables (reftable): %s\n", d->reftable ? "yes" : "no");
    if (pl->isolated)
        fprintf(out, "  runs: in a process of its own (isolate = process)\n");
    for (uint32_t i = 0; i < d->nexterns; i++) {
        const hm_extern_desc *x = &d->externs[i];
        char t[64];
        fprintf(out, "  extern %s(", x->name);
        for (int k = 0; k < x->nparams; k++) {
            plugin_type_name(x->params[k], 0, 0, NULL, t, sizeof t);
            fprintf(out, "%s%s", k ? ", " : "", t);
        }
        plugin_type_name(x->result, 0, 0, NULL, t, sizeof t);
        fprintf(out, ") : %s  [C function %s]\n", t, x->symbol);
    }
}

int hm_plugin_check(const char *plugin, const char *config, const char *source, int sample, FILE *out,
                    char *err, size_t errlen)
{
    err[0] = '\0';
    static const hm_program empty;
    hm_load L;
    memset(&L, 0, sizeof L);
    hm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int rc = HM_EPLUGIN;
    L.p = &empty;
    pthread_mutex_init(&L.lock, NULL);
    arena_init(&L.ids);
    L.plugins = mem_calloc(2, sizeof *L.plugins);
    L.sources = mem_calloc(2, sizeof *L.sources);
    if (!L.plugins || !L.sources) {
        rc = HM_ENOMEM;
        goto done;
    }
    L.nplugins = 1;     /* closed (and its path freed) even when loading fails */
    cfg_source *s = NULL;
    if (config) {
        if (config_read(&cfg, config)) {
            snprintf(err, errlen, "%s", cfg.err);
            rc = HM_EUSAGE;
            goto done;
        }
        L.cfg = &cfg;
        s = source ? config_source(&cfg, source) : cfg.nsources == 1 ? &cfg.sources[0] : NULL;
        if (!s) {
            snprintf(err, errlen, source ? "%s: no [source %s]" : "%s: say which source with --source NAME",
                     config, source);
            rc = HM_EUSAGE;
            goto done;
        }
    }
    char e[1024];
    if (s) {
        /* the plugin named on the command line, run as the source says
         * (isolate, timeout) */
        cfg_source as_given = *s;
        as_given.plugin = (char *)plugin;
        as_given.plugin_line = 0;
        if (plugin_load_source(&L.plugins[0], &cfg, &as_given, e, sizeof e)) {
            snprintf(err, errlen, "%s:%d: source %s: %s", cfg.path, s->line, s->name, e);
            goto done;
        }
    } else if (plugin_load(&L.plugins[0], plugin, NULL, err, errlen)) {
        goto done;
    }
    print_desc(out, &L.plugins[0]);
    if (!config)
        goto ok;
    L.sources[0] = s->name;
    if (plugin_open(&L.plugins[0], s->name, cfg.dir, s->settings, s->n, e, sizeof e)) {
        snprintf(err, errlen, "%s:%d: source %s: %s", cfg.path, s->line, s->name, e);
        goto done;
    }
    fprintf(out, "source %s (%s:%d): %u fields\n", s->name, cfg.path, s->line, L.plugins[0].nfields);
    for (uint32_t i = 0; i < L.plugins[0].nfields; i++) {
        const hm_field_desc *f = &L.plugins[0].fields[i];
        char t[96];
        plugin_type_name(f->type, f->period, f->records, f->code_set, t, sizeof t);
        fprintf(out, "  %s.%s : %s\n", f->entity == HM_PERSON ? "person" : "household", f->name, t);
    }
    if (sample <= 0)
        goto ok;
    /* the population: from this source if it lists it, else from the
     * configured population source */
    const char *pop = cfg.population ? cfg.population : L.plugins[0].desc->population ? s->name : NULL;
    if (!pop) {
        fprintf(out, "no sample: the plugin does not list the population and the configuration names "
                "no population source\n");
        goto ok;
    }
    if (strcmp(pop, s->name) != 0) {
        cfg_source *ps = config_source(&cfg, pop);
        if (!ps || !ps->plugin) {
            snprintf(err, errlen, "%s: population = %s, but there is no [source %s] with a plugin", cfg.path,
                     pop, pop);
            goto done;
        }
        if (plugin_load_source(&L.plugins[1], &cfg, ps, e, sizeof e) ||
            plugin_open(&L.plugins[1], ps->name, cfg.dir, ps->settings, ps->n, e, sizeof e)) {
            snprintf(err, errlen, "%s:%d: source %s: %s", cfg.path, ps->line, ps->name, e);
            L.nplugins = 2;
            goto done;
        }
        L.sources[1] = ps->name;
        L.nplugins = 2;
    }
    char *saved = cfg.population;
    cfg.population = (char *)pop;
    int prc = load_population(&L);
    cfg.population = saved;
    if (prc || load_sample(&L, 0, sample, out)) {
        snprintf(err, errlen, "%s", L.err);
        size_t n = strlen(err);
        if (n && err[n - 1] == '\n')
            err[n - 1] = '\0';
        goto done;
    }
    for (int32_t i = 0; i < L.nissues; i++) {
        fprintf(out, "data issue: %s %s: ", L.sources[0], load_issue_kind(L.issues[i].kind));
        mask_fputs_text(L.issues[i].detail, out);
        fputc('\n', out);
    }
ok:
    if (load_close_plugins(&L)) {
        snprintf(err, errlen, "%s", L.err);
        size_t n = strlen(err);
        if (n && err[n - 1] == '\n')
            err[n - 1] = '\0';
        goto done;
    }
    fprintf(out, "ok\n");
    rc = HM_OK;
done:
    load_close(&L);
    config_free(&cfg);
    return rc;
}
