/* example.c -- a minimal huimin source plugin, meant to be copied.
 *
 * It serves one field, household.other_housing (bool), from a text file of
 * lines "HOUSEHOLD_ID 0|1" (# starts a comment), and provides one extern
 * function.  Configuration:
 *
 *   [source housing]
 *   plugin = example          ; or a path: /opt/huimin/plugins/mydept.so
 *   file = housing.txt        ; relative to the configuration file
 *   as_of = 2024-07-31        ; optional: the date the file was extracted
 *
 * Build it on its own:
 *   cc -shared -fPIC -O2 $(pkg-config --cflags huimin) -o example.so example.c
 *
 * Everything the host offers comes through `host`; the plugin never prints,
 * exits or aborts: it returns HM_PLUGIN_ERROR after host->set_error(). */
#include "huimin_plugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hm_host_api *host;

/* The fields this plugin provides.  The name is without "household.";
 * the type must be the one the policies' `source` block declares. */
static const hm_field_desc fields[] = {
    { .entity = HM_HOUSEHOLD, .type = HM_T_BOOL, .name = "other_housing" },
};

/* What one opened source keeps. */
typedef struct state {
    char *path;
    int32_t as_of;          /* HM_NO_DATE when not configured */
} state;

/* "2024-07-31" → days since 1970-01-01; -1 if malformed */
static int parse_date(const char *s, int32_t *days)
{
    int y, m, d;
    char end;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    *days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return 0;
}

static int ex_open(const hm_host_api *h, const hm_open_args *a, void **out, hm_plugin_err *err)
{
    const char *file = NULL, *as_of = NULL;
    for (uint32_t i = 0; i < a->nsettings; i++) {
        const hm_setting *s = &a->settings[i];
        if (strcmp(s->key, "file") == 0)
            file = s->value;
        else if (strcmp(s->key, "as_of") == 0)
            as_of = s->value;
        else {
            /* refuse what we do not understand: a typo must not pass */
            h->set_error(err, "unknown setting `%s` (line %d): this plugin takes file and as_of",
                         s->key, s->line);
            return HM_PLUGIN_ERROR;
        }
    }
    if (!file) {
        h->set_error(err, "no file: set file = PATH");
        return HM_PLUGIN_ERROR;
    }
    state *st = h->alloc(sizeof *st);
    if (!st) {
        h->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    *out = st;              /* close() is called even if open fails */
    st->as_of = HM_NO_DATE;
    size_t n = strlen(a->base_dir) + strlen(file) + 2;
    if (!(st->path = h->alloc(n))) {
        h->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    if (file[0] == '/')
        snprintf(st->path, n, "%s", file);
    else
        snprintf(st->path, n, "%s/%s", a->base_dir, file);
    if (as_of && parse_date(as_of, &st->as_of)) {
        h->set_error(err, "as_of = %s is not a date (YYYY-MM-DD)", as_of);
        return HM_PLUGIN_ERROR;
    }
    return HM_PLUGIN_OK;
}

static void ex_close(void *p)
{
    state *st = p;
    if (!st)
        return;
    host->free(st->path);
    host->free(st);
}

static int ex_fields(void *p, const hm_field_desc **out, uint32_t *n, hm_plugin_err *err)
{
    *out = fields;
    *n = 1;
    return HM_PLUGIN_OK;
}

/* Fill the requested column for the requested households.  There is one
 * field, so req->cols[0] is other_housing; a real plugin would look at
 * req->cols[c].field for each c. */
static int ex_fetch(void *p, hm_fetch_req *req, hm_plugin_err *err)
{
    state *st = p;
    if (req->entity != HM_HOUSEHOLD || req->ncols == 0)
        return HM_PLUGIN_OK;
    hm_out_column *col = &req->cols[0];
    FILE *f = fopen(st->path, "r");
    if (!f) {
        host->set_error(err, "cannot open %s: %s", st->path, strerror(errno));
        return HM_PLUGIN_ERROR;
    }
    char line[512];
    long lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char id[256];
        int flag;
        char extra;
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
            continue;
        int n = sscanf(line, "%255s %d %c", id, &flag, &extra);
        int64_t row = n >= 1 ? host->find(req->ctx, id, strlen(id)) : -1;
        if (row < 0)
            continue;       /* a household not asked for */
        if (n != 2 || (flag != 0 && flag != 1)) {
            /* one bad line is a data issue, not a failure */
            host->bad_value(req->ctx, 0, (uint32_t)row, "%s:%ld: expected `ID 0` or `ID 1`", st->path, lineno);
            continue;
        }
        col->value[row] = flag;
        col->known[row] = 1;
        col->as_of[row] = st->as_of;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        host->set_error(err, "cannot read %s", st->path);
        return HM_PLUGIN_ERROR;
    }
    return HM_PLUGIN_OK;
}

/* An extern function, callable from the policies as
 *     extern 整月数(天数: int) : int from housing
 * Arguments in order, the result through the last pointer; it may be
 * called from several threads at once, so it keeps no state. */
HM_PLUGIN_EXPORT int example_whole_months(int64_t days, int64_t *result);
HM_PLUGIN_EXPORT int example_whole_months(int64_t days, int64_t *result)
{
    if (days < 0)
        return HM_EXTERN_UNKNOWN;
    *result = days / 30;
    return HM_EXTERN_KNOWN;
}

static const hm_extern_desc externs[] = {
    { "整月数", "example_whole_months", HM_T_INT, 1, { HM_T_INT } },
};

static const hm_source_desc desc = {
    .size = sizeof(hm_source_desc),
    .abi_major = HM_PLUGIN_ABI_MAJOR,
    .abi_minor = HM_PLUGIN_ABI_MINOR,
    .name = "example",
    .version = "1.0",
    .description = "household.other_housing from a text file (a plugin to copy)",
    .open = ex_open,
    .fields = ex_fields,
    .fetch = ex_fetch,
    .population = NULL,     /* it cannot list households and persons */
    .close = ex_close,
    .externs = externs,
    .nexterns = 1,
};

/* The one symbol huimin looks for. */
HM_PLUGIN_EXPORT const hm_source_desc *hm_source_v1(const hm_host_api *h)
{
    host = h;
    return &desc;
}
