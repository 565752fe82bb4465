/* run.c -- huimin.run(pack, config, as_of, reasons, store): a population
 * run over the current database's tables (spi_source.c), written into the
 * huimin tables in the caller's transaction (sink.c).  libhuimin's working
 * memory is its own (malloc) and always freed: no error jumps over it; the
 * error a callback caught is raised here, after libhuimin has returned. */
#include "hmpg.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(huimin_run);

/* the value of a `key = value` line, comments and blanks cut; NULL when the
 * line sets another key */
static char *setting_value(const char *line, const char *key)
{
    while (*line == ' ' || *line == '\t')
        line++;
    size_t k = strlen(key);
    if (strncmp(line, key, k) != 0)
        return NULL;
    line += k;
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line != '=')
        return NULL;
    line++;
    while (*line == ' ' || *line == '\t')
        line++;
    char *v = pstrdup(line);
    /* `;` after a space starts a comment */
    for (char *c = v; *c; c++)
        if (*c == ';' && c > v && (c[-1] == ' ' || c[-1] == '\t')) {
            *c = '\0';
            break;
        }
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
        v[--n] = '\0';
    return v;
}

void hmpg_check_config(const char *config)
{
    char *copy = pstrdup(config);
    char *source = NULL;
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == ';' || *p == '#')
            continue;
        if (*p == '[') {
            char *end = strchr(p, ']');
            source = NULL;
            if (end && strncmp(p, "[source ", 8) == 0)
                source = pnstrdup(p + 8, end - (p + 8));
            continue;
        }
        char *plugin = source ? setting_value(p, "plugin") : NULL;
        if (plugin && strcmp(plugin, "postgres") != 0)
            ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                            errmsg("source %s (plugin %s): huimin.run reads only sources with plugin = postgres, "
                                   "from this database", source, plugin)));
    }
    pfree(copy);
}

Datum huimin_run(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("pack and config must not be NULL")));
    char *pack = text_to_cstring(PG_GETARG_TEXT_PP(0));
    char *config = text_to_cstring(PG_GETARG_TEXT_PP(1));
    char as_of[16] = "";
    if (!PG_ARGISNULL(2)) {
        DateADT d = PG_GETARG_DATEADT(2);
        int y, m, dd;
        if (DATE_NOT_FINITE(d))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("as_of must be a finite date")));
        j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
        if (y < 1 || y > 9999)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("as_of is out of range: year %d", y)));
        snprintf(as_of, sizeof as_of, "%04d-%02d-%02d", y, m, dd);
    }
    int reasons = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
    int store = 0;
    if (!PG_ARGISNULL(4)) {
        char *s = text_to_cstring(PG_GETARG_TEXT_PP(4));
        if (strcmp(s, "answers") == 0)
            store = HM_STORE_ANSWERS;
        else if (strcmp(s, "all") == 0)
            store = HM_STORE_ALL;
        else
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("store must be 'answers' or 'all', not '%s'", s)));
    }
    /* before anything is read */
    hmpg_check_config(config);
    const hm_pack *k = hmpg_pack(pack, NULL);
    if (hmpg_registered != HM_OK)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("huimin: the in-database postgres source could not be registered: %s",
                               hm_status_string(hmpg_registered))));

    MemoryContext run_cx = AllocSetContextCreate(CurrentMemoryContext, "huimin run", ALLOCSET_DEFAULT_SIZES);
    hm_run_sink sink;
    hmpg_sink_init(&sink, run_cx);
    hm_run_options o;
    memset(&o, 0, sizeof o);
    o.config = "config";
    o.as_of = as_of[0] ? as_of : NULL;
    o.threads = hmpg_threads;
    o.progress = 0;
    o.reasons = reasons;
    o.store = store;
    /* every PostgreSQL call on this thread; the rows of up to o.threads
     * sources filed at once on libhuimin's threads (spi_source.c) */
    hm_run_env env = { sizeof env, config, &sink, 1, hmpg_io_serve, hmpg_io_served, NULL };

    if (SPI_connect() != SPI_OK_CONNECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("huimin: SPI_connect failed")));
    memset(&hmpg_saved_error, 0, sizeof hmpg_saved_error);
    char err[2048] = "";
    hm_run_summary *summary = NULL;
    int rc = hm_run_with(k, &o, &env, &summary, err, sizeof err);
    long long run_id = hmpg_sink_run_id(&sink);
    double secs[4] = { 0 };
    if (summary) {
        for (int i = 0; i < 4; i++)
            secs[i] = hm_run_summary_seconds(summary, i);
        hm_run_summary_free(summary);
    }
    SPI_finish();
    MemoryContextDelete(run_cx);
    if (rc != HM_OK) {
        int code = hmpg_saved_error.sqlstate ? hmpg_saved_error.sqlstate : hmpg_sqlstate(rc);
        /* a cancel or a timeout keeps its own code, whatever libhuimin made of it */
        ereport(ERROR, (errcode(code), errmsg("%s", err[0] ? err : hmpg_saved_error.message)));
    }
    if (hmpg_timings)
        ereport(NOTICE, (errmsg("timings: load %.3f s, evaluate %.3f s, write %.3f s, total %.3f s",
                                secs[HM_PHASE_LOAD], secs[HM_PHASE_EVALUATE], secs[HM_PHASE_WRITE],
                                secs[HM_PHASE_TOTAL])));
    PG_RETURN_INT64(run_id);
}
