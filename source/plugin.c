/* plugin.c -- finding, loading and checking source plugins. */
#include "plugin.h"
#include "mem.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HM_PLUGIN_DIR
#define HM_PLUGIN_DIR "/usr/local/lib/huimin/plugins"
#endif

static int is_file(const char *p)
{
    return access(p, R_OK) == 0;
}

/* NAME.so in the folders searched, in order; 0 and path in buf, or -1. */
static int find_plugin(const char *name, char *buf, size_t n, char *tried, size_t tn)
{
    char dirs[4096];
    size_t at = 0;
    const char *env = getenv("HUIMIN_PLUGIN_PATH");
    if (env && *env)
        at += (size_t)snprintf(dirs + at, sizeof dirs - at, "%s:", env);
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            /* the build tree: libtool leaves the objects in plugins/.libs */
            if (at < sizeof dirs)
                at += (size_t)snprintf(dirs + at, sizeof dirs - at, "%s/plugins/.libs:%s/plugins:", exe, exe);
        }
    }
    if (at < sizeof dirs)
        snprintf(dirs + at, sizeof dirs - at, "%s", HM_PLUGIN_DIR);
    tried[0] = '\0';
    size_t tl = 0;
    for (char *d = dirs, *end; d; d = end ? end + 1 : NULL) {
        end = strchr(d, ':');
        if (end)
            *end = '\0';
        if (!*d)
            continue;
        if ((size_t)snprintf(buf, n, "%s/%s.so", d, name) < n && is_file(buf))
            return 0;
        if (tl < tn)
            tl += (size_t)snprintf(tried + tl, tn - tl, "%s%s", tl ? ", " : "", d);
    }
    return -1;
}

int plugin_load(hm_plugin *pl, const char *name, char *err, size_t n)
{
    memset(pl, 0, sizeof *pl);
    char path[PATH_MAX], tried[2048];
    if (strchr(name, '/') || (strlen(name) > 3 && strcmp(name + strlen(name) - 3, ".so") == 0)) {
        snprintf(path, sizeof path, "%s", name);
        if (!is_file(path)) {
            snprintf(err, n, "plugin %s: no such file", path);
            return -1;
        }
    } else if (find_plugin(name, path, sizeof path, tried, sizeof tried)) {
        snprintf(err, n, "plugin `%s` not found (looked for %s.so in %s; set HUIMIN_PLUGIN_PATH "
                 "or give a path)", name, name, tried);
        return -1;
    }
    if (!(pl->path = mem_strdup(path))) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    dlerror();
    pl->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!pl->dl) {
        const char *e = dlerror();
        snprintf(err, n, "plugin %s: cannot load: %s", path, e ? e : "unknown error");
        return -1;
    }
    hm_source_entry_fn entry;
    void *sym = dlsym(pl->dl, HM_SOURCE_ENTRY);
    memcpy(&entry, &sym, sizeof entry);    /* object → function pointer, as POSIX allows */
    if (!sym) {
        snprintf(err, n, "plugin %s: not a huimin source plugin: it does not export %s()",
                 path, HM_SOURCE_ENTRY);
        return -1;
    }
    const hm_source_desc *d = entry(&hm_host);
    if (!d) {
        snprintf(err, n, "plugin %s: %s() returned no descriptor", path, HM_SOURCE_ENTRY);
        return -1;
    }
    if (d->abi_major != HM_PLUGIN_ABI_MAJOR) {
        snprintf(err, n, "plugin %s: built for plugin ABI %u.%u, this huimin speaks %d.%d; "
                 "rebuild the plugin against this huimin's huimin_plugin.h",
                 path, d->abi_major, d->abi_minor, HM_PLUGIN_ABI_MAJOR, HM_PLUGIN_ABI_MINOR);
        return -1;
    }
    if (d->size < sizeof(hm_source_desc)) {
        snprintf(err, n, "plugin %s: descriptor of %u bytes is smaller than ABI %d.0's %zu",
                 path, d->size, HM_PLUGIN_ABI_MAJOR, sizeof(hm_source_desc));
        return -1;
    }
    const char *missing = !d->name ? "name" : !d->open ? "open" : !d->fields ? "fields"
                        : !d->fetch ? "fetch" : !d->close ? "close" : NULL;
    if (missing) {
        snprintf(err, n, "plugin %s: its descriptor has no %s", path, missing);
        return -1;
    }
    if (d->nexterns && !d->externs) {
        snprintf(err, n, "plugin %s: declares %u extern functions but gives no list", path, d->nexterns);
        return -1;
    }
    for (uint32_t i = 0; i < d->nexterns; i++) {
        const hm_extern_desc *x = &d->externs[i];
        int ok = x->name && x->symbol && x->nparams <= HM_EXTERN_MAX_PARAMS &&
                 x->result >= HM_T_BOOL && x->result <= HM_T_DATE;
        for (int k = 0; ok && k < x->nparams; k++)
            ok = x->params[k] >= HM_T_BOOL && x->params[k] <= HM_T_TEXT;
        if (!ok) {
            snprintf(err, n, "plugin %s: extern function %u (%s) is badly described", path, i,
                     x->name ? x->name : "no name");
            return -1;
        }
    }
    pl->desc = d;
    return 0;
}

static int check_field(const hm_field_desc *f)
{
    return f->name && (f->entity == HM_HOUSEHOLD || f->entity == HM_PERSON) &&
           f->type >= HM_T_BOOL && f->type <= HM_T_CODE && f->period <= HM_PER_YEAR &&
           f->records <= 1 &&
           (f->type != HM_T_CODE || f->code_set);
}

int plugin_open(hm_plugin *pl, const char *source, const char *base_dir,
                const cfg_setting *settings, int nsettings, char *err, size_t n)
{
    hm_setting *st = mem_calloc((size_t)nsettings + 1, sizeof *st);
    if (!st) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    for (int i = 0; i < nsettings; i++)
        st[i] = (hm_setting){ settings[i].key, settings[i].value, settings[i].line };
    hm_open_args a = { sizeof a, source, base_dir, st, (uint32_t)nsettings };
    struct hm_plugin_err e = { .set = 0 };
    int rc = pl->desc->open(&hm_host, &a, &pl->state, &e);
    mem_free(st);
    pl->opened = 1;     /* close() even after a failed open: it may have state */
    if (rc != HM_PLUGIN_OK) {
        snprintf(err, n, "%s", e.set ? e.msg : "open failed (the plugin gave no reason)");
        return -1;
    }
    e.set = 0;
    if (pl->desc->fields(pl->state, &pl->fields, &pl->nfields, &e) != HM_PLUGIN_OK) {
        snprintf(err, n, "%s", e.set ? e.msg : "listing its fields failed (the plugin gave no reason)");
        return -1;
    }
    if (pl->nfields && !pl->fields) {
        snprintf(err, n, "declares %u fields but gives no list", pl->nfields);
        return -1;
    }
    for (uint32_t i = 0; i < pl->nfields; i++)
        if (!check_field(&pl->fields[i])) {
            snprintf(err, n, "field %u (%s) is badly described", i,
                     pl->fields[i].name ? pl->fields[i].name : "no name");
            return -1;
        }
    return 0;
}

void plugin_close(hm_plugin *pl)
{
    if (pl->opened && pl->desc)
        pl->desc->close(pl->state);
    /* the object stays mapped: extern functions and strings may still be
     * referenced until the process ends, and unloading buys nothing */
    mem_free(pl->path);
    memset(pl, 0, sizeof *pl);
}

const hm_field_desc *plugin_field(const hm_plugin *pl, int entity, const char *name)
{
    for (uint32_t i = 0; i < pl->nfields; i++)
        if (pl->fields[i].entity == entity && strcmp(pl->fields[i].name, name) == 0)
            return &pl->fields[i];
    return NULL;
}

void plugin_type_name(int type, int period, int records, const char *codeset, char *buf, size_t n)
{
    static const char *names[] = { "?", "bool", "int", "money", "decimal", "date", "text", "code" };
    const char *t = type >= 1 && type <= 7 ? names[type] : "?";
    snprintf(buf, n, "%s%s%s%s%s", records ? "records of " : "", t,
             type == HM_T_MONEY && period == 1 ? " per month" : type == HM_T_MONEY && period == 2 ? " per year" : "",
             type == HM_T_CODE ? " " : "", type == HM_T_CODE && codeset ? codeset : "");
}
