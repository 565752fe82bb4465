/* one.c -- see one.h.  The same load as a population run (load.c), with
 * the population cut down to one household before anything is fetched. */
#include "one.h"
#include "given.h"
#include "huimin.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

int batch_config(hm_config *cfg, const char *path, const char *const *sets, int nsets,
                 const char *as_of, int32_t *day, char *err, size_t errlen)
{
    return batch_config_text(cfg, path, NULL, sets, nsets, as_of, day, err, errlen);
}

int batch_config_text(hm_config *cfg, const char *path, const char *text, const char *const *sets, int nsets,
                      const char *as_of, int32_t *day, char *err, size_t errlen)
{
    if (text ? config_read_text(cfg, path, text) : config_read(cfg, path)) {
        snprintf(err, errlen, "%s", cfg->err);
        return HM_EUSAGE;
    }
    for (int i = 0; i < nsets; i++)
        /* parameter.NAME=VALUE is a what-if, made a reform of the policies
         * by the caller: not a setting, but recorded with them */
        if (strncmp(sets[i], "parameter.", 10) != 0 && config_set(cfg, sets[i])) {
            snprintf(err, errlen, "%s", cfg->err);
            return HM_EUSAGE;
        }
    const char *date = as_of ? as_of : cfg->as_of;
    if (given_as_of(date, day)) {
        snprintf(err, errlen, "as-of date `%s` is not a date (write YYYY-MM-DD)", date);
        return HM_EUSAGE;
    }
    return HM_OK;
}

void batch_load_error(const hm_load *L, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", L->err);
    size_t n = strlen(err);
    if (n && err[n - 1] == '\n')
        err[n - 1] = '\0';
}

int one_open(hm_one *o, const hm_program *p, const char *config, const char *const *sets, int nsets,
             const char *as_of, const char *household, const char *person, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->member = -1;
    err[0] = '\0';
    if (!household == !person) {
        snprintf(err, errlen, "say which household (by its id) or which person (by theirs)");
        return -1;
    }
    if (!(o->cfg = mem_calloc(1, sizeof *o->cfg))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (batch_config(o->cfg, config, sets, nsets, as_of, &o->as_of, err, errlen) != HM_OK)
        return -1;
    hm_load *L = &o->L;
    int rc = load_open(L, p, o->cfg, o->as_of);
    L->only_household = household;
    L->only_person = person;
    if (rc || load_population(L) || load_restrict(L, household, person) || load_text_ids(L) ||
        load_facts(L)) {
        batch_load_error(L, err, errlen);
        return -1;
    }
    char idb[LOAD_ID_BUF];
    for (int32_t m = 0; person && m < L->np; m++)
        if (strcmp(load_id(L, 1, m, idb), person) == 0)
            o->member = m;
    return 0;
}

void one_close(hm_one *o)
{
    load_close(&o->L);
    if (o->cfg) {
        config_free(o->cfg);
        mem_free(o->cfg);
    }
    memset(o, 0, sizeof *o);
    o->member = -1;
}

const char *one_source_of(const hm_one *o, int32_t field, int32_t k)
{
    const hm_program *p = o->L.p;
    if (!p || field < 0 || field >= p->nfields)
        return NULL;
    const hm_field *f = &p->fields[field];
    const hm_facts *facts = &o->L.facts;
    const hm_column *c = f->records ? NULL : f->entity == ENT_HOUSEHOLD ? &facts->hcol[f->column] : &facts->pcol[f->column];
    int32_t n = f->entity == ENT_HOUSEHOLD ? facts->nhouse : facts->nperson;
    /* src says which source a known value came from; a value that is not
     * known came from none of them */
    int nth = c && c->src && k >= 0 && k < n && c->state[k] == FACT_KNOWN ? c->src[k] : -1;
    const char *first = NULL;
    for (int32_t j = 0, i = 0; j < p->nfsources; j++) {
        if (p->fsources[j].field != field)
            continue;
        const char *s = prog_str(p, p->fsources[j].source);
        if (i++ == nth)
            return s;
        if (!first && load_find_source(&o->L, s) >= 0)
            first = s;
    }
    return first ? first : prog_str(p, f->source);
}
