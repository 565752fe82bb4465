/* check_results.c -- the results database's writer (batch/results.c): an
 * entity's id keeps its type, an integer stays an integer. */
#include "suites.h"

#include "results.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the one-line answer of sql over the database at path */
static void query(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t at = strlen(out);
        snprintf(out + at, n - at, "%s%s", at ? " " : "", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

START_TEST(test_entity_ids_keep_their_type)
{
    char path[] = "/tmp/hm-results-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(path);
    results r;
    ck_assert_msg(results_open(&r, path) == 0, "%s", r.err);
    results_run run = { .as_of = "2024-08-01", .pack_hash = "sha256:0", .config = "c", .config_text = "",
                        .version = "0", .started = "2024-08-01T00:00:00Z", .households = 2, .persons = 1 };
    ck_assert_msg(results_begin(&r, &run) == 0, "%s", r.err);
    ck_assert_int_eq(results_entity(&r, 0, 0, NULL, 330102, -1), 0);
    ck_assert_int_eq(results_entity(&r, 1, 0, "H2", 0, -1), 0);
    ck_assert_int_eq(results_entity(&r, 2, 1, NULL, 330102199211100016LL, 0), 0);
    ck_assert_int_eq(results_entity(&r, 3, 1, "", 0, 1), 0);
    ck_assert_msg(results_commit(&r) == 0, "%s", r.err);
    results_close(&r);
    char got[256];
    query(path, "SELECT typeof(id) || ':' || id || ':' || ifnull(household, '-') FROM run_entities ORDER BY entity",
          got, sizeof got);
    ck_assert_str_eq(got, "integer:330102:- text:H2:- integer:330102199211100016:4294967296 text::4294967297");
    unlink(path);
}
END_TEST

Suite *hm_results_suite(void)
{
    Suite *s = suite_create("results");
    TCase *t = tcase_create("entities");
    tcase_add_test(t, test_entity_ids_keep_their_type);
    suite_add_tcase(s, t);
    return s;
}
