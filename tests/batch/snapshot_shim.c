/* snapshot_shim.c -- LD_PRELOADed into huimin by run-sources.sh: when
 * SQLite is asked to prepare the first query that reads table "person"
 * (the population's second table, after "household"), it runs the shell
 * command $HM_TEST_WRITER first, which writes to the database in between.
 * A load that reads every table in one snapshot must not see that write. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

typedef int (*prepare_fn)(void *db, const char *sql, int n, void **stmt, const char **tail);

static char *writer;

__attribute__((constructor)) static void init(void)
{
    const char *w = getenv("HM_TEST_WRITER");
    writer = w ? strdup(w) : NULL;
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
    return real(db, sql, n, stmt, tail);
}
