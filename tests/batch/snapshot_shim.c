/* snapshot_shim.c -- LD_PRELOADed into huimin by run-sources.sh: when
 * SQLite is asked to prepare the first query that reads table "person"
 * (the population's second table, after "household"), it runs the shell
 * command $HM_TEST_WRITER first, which writes to the database in between.
 * A load that reads every table in one snapshot must not see that write.
 * With $HM_TEST_SQL_LOG, every query prepared is appended to that file, a
 * line each (tests/sources/run-onepass.sh counts the reads of a table). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*prepare_fn)(void *db, const char *sql, int n, void **stmt, const char **tail);

static char *writer, *sql_log;

__attribute__((constructor)) static void init(void)
{
    const char *w = getenv("HM_TEST_WRITER");
    writer = w ? strdup(w) : NULL;
    const char *l = getenv("HM_TEST_SQL_LOG");
    sql_log = l ? strdup(l) : NULL;
    unsetenv("LD_PRELOAD");     /* not in the writer's process */
}

__attribute__((visibility("default")))
int sqlite3_prepare_v2(void *db, const char *sql, int n, void **stmt, const char **tail);
__attribute__((visibility("default")))
int sqlite3_prepare_v2(void *db, const char *sql, int n, void **stmt, const char **tail)
{
    static prepare_fn real;
    if (!real)
        real = (prepare_fn)dlsym(RTLD_NEXT, "sqlite3_prepare_v2");
    if (writer && strstr(sql, "FROM \"person\"")) {
        char *w = writer;
        writer = NULL;
        if (system(w) != 0)
            abort();
        free(w);
    }
    FILE *f = sql_log ? fopen(sql_log, "a") : NULL;
    if (f) {
        fprintf(f, "%s\n", sql);
        fclose(f);
    }
    return real(db, sql, n, stmt, tail);
}
