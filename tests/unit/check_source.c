/* check_source.c -- the source configuration (config.c) and the settings
 * and cell conversions every table plugin shares (plugins/common). */
#include "suites.h"

#include "configfile.h"
#include "mem.h"
#include "tablemap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static void write_conf(const char *text)
{
    snprintf(path, sizeof path, "/tmp/hm-conf-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

START_TEST(config_reads_sections)
{
    write_conf("# a comment\n[run]\npopulation = registry ; inline comment\nthreads = 3\n"
               "\n[source registry]\nplugin = sqlite\ndatabase = r.db\nkey.person = pid\n"
               "[source tax]\nplugin = csv\n");
    hm_config c;
    ck_assert_int_eq(config_read(&c, path), 0);
    ck_assert_str_eq(c.population, "registry");
    ck_assert_int_eq(c.threads, 3);
    ck_assert_int_eq(c.nsources, 2);
    cfg_source *s = config_source(&c, "registry");
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->plugin, "sqlite");
    ck_assert_int_eq(s->n, 2);
    ck_assert_str_eq(s->settings[1].key, "key.person");
    ck_assert_str_eq(s->settings[1].value, "pid");
    ck_assert_int_eq(s->settings[1].line, 9);
    ck_assert_int_eq(s->line, 6);
    ck_assert_str_eq(c.dir, "/tmp");
    /* the command line overrides and adds */
    ck_assert_int_eq(config_set(&c, "source.registry.database=other.db"), 0);
    ck_assert_str_eq(s->settings[0].value, "other.db");
    ck_assert_int_eq(s->settings[0].line, 0);
    ck_assert_int_eq(config_set(&c, "source.new.person.x=t.c int"), 0);
    ck_assert_str_eq(config_source(&c, "new")->settings[0].key, "person.x");
    ck_assert_int_eq(config_set(&c, "run.threads=1"), 0);
    ck_assert_int_eq(c.threads, 1);
    ck_assert_int_eq(config_set(&c, "nonsense"), -1);
    ck_assert_ptr_nonnull(strstr(c.err, "expected run.KEY=VALUE"));
    ck_assert_int_eq(config_set(&c, "run.colour=red"), -1);
    ck_assert_ptr_nonnull(strstr(c.err, "unknown setting `colour` in [run]"));
    config_free(&c);
    unlink(path);
}
END_TEST

/* each broken file gives its line and what is wrong */
START_TEST(config_errors_have_lines)
{
    static const struct { const char *text, *want; } cases[] = {
        { "[run]\npopulation = a\nwhat\n", ":3: cannot read this line" },
        { "[run]\n[sources x]\nplugin = y\n", ":3: unknown section [sources x]" },
        { "[run]\nthreads = many\n", ":2: threads = many: expected a number" },
        { "[run]\nspeed = 3\n", ":2: unknown setting `speed` in [run]" },
        { "[source a]\nplugin = s\ndatabase =\n", ":3: `database` has no value" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_conf(cases[i].text);
        hm_config c;
        ck_assert_int_eq(config_read(&c, path), -1);
        ck_assert_msg(strstr(c.err, cases[i].want) != NULL, "case %zu: %s", i, c.err);
        ck_assert_msg(strncmp(c.err, path, strlen(path)) == 0, "case %zu: no file name in %s", i, c.err);
        config_free(&c);
        unlink(path);
    }
    hm_config c;
    ck_assert_int_eq(config_read(&c, "/nonexistent/dir/x.conf"), -1);
    ck_assert_ptr_nonnull(strstr(c.err, "cannot open"));
    config_free(&c);
}
END_TEST

/* ---- plugins/common/tablemap ---------------------------------------------- */

static char last_err[512];
static void set_error(hm_plugin_err *e, const char *fmt, ...)
{
    (void)e;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_err, sizeof last_err, fmt, ap);
    va_end(ap);
}

static const hm_host_api host = { .size = sizeof host, .alloc = mem_alloc, .free = mem_free,
                                  .set_error = set_error };

static int parse(tm_map *m, int n, const hm_setting *s)
{
    hm_open_args a = { sizeof a, "src", "/base", s, (uint32_t)n };
    last_err[0] = '\0';
    return tm_parse(m, &host, &a, NULL, NULL);
}

START_TEST(tablemap_fields_and_types)
{
    hm_setting s[] = {
        { "key.t", "id", 1 }, { "as_of.t", "upd", 2 }, { "key.r", "pid", 3 }, { "date.r", "month", 4 },
        { "person.income", "t.inc money per month in yuan", 5 },
        { "person.marital", "t.m code marital", 6 },
        { "person.contributions", "r.amount records of money", 7 },
        { "household.flag", "t.f bool", 8 },
        { "as_of", "2024-07-31", 9 },
    };
    tm_map m;
    ck_assert_int_eq(parse(&m, 9, s), 0);
    ck_assert_int_eq(m.nfields, 4);
    ck_assert_str_eq(m.descs[0].name, "income");
    ck_assert_int_eq(m.descs[0].type, HM_T_MONEY);
    ck_assert_int_eq(m.descs[0].period, HM_PER_MONTH);
    ck_assert_int_eq(m.fields[0].yuan, 1);
    ck_assert_str_eq(m.descs[1].code_set, "marital");
    ck_assert_int_eq(m.descs[2].records, 1);
    ck_assert_int_eq(m.descs[3].entity, HM_HOUSEHOLD);
    ck_assert_int_eq(m.as_of, 19935);   /* 2024-07-31 */
    tm_free(&m);
}
END_TEST

START_TEST(tablemap_refusals)
{
    static const struct { hm_setting s[2]; int n; const char *want; } cases[] = {
        { { { "person.x", "t.c", 4 } }, 1, "expected a type" },
        { { { "person.x", "nodot int", 4 } }, 1, "expected TABLE.COLUMN TYPE" },
        { { { "person.x", "t.c int", 1 } }, 1, "table `t` (field person.x) has no key column" },
        { { { "key.r", "id", 1 }, { "person.x", "r.c records of int", 1 } }, 2, "has no date column" },
        { { { "colour", "red", 3 } }, 1, "unknown setting `colour` (line 3)" },
        { { { "as_of", "2024-13-01", 2 } }, 1, "is not a date" },
        { { { "key.t", "id", 1 }, { "person.x", "t.c money per week", 1 } }, 2, "expected `per month` or `per year`" },
        { { { "key.t", "id", 1 }, { "person.x", "t.c code", 1 } }, 2, "needs the code set's name" },
        { { { "persons", "p", 1 }, { "key.p", "id", 1 } }, 2, "persons.household" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tm_map m;
        ck_assert_int_eq(parse(&m, cases[i].n, cases[i].s), HM_PLUGIN_ERROR);
        ck_assert_msg(strstr(last_err, cases[i].want) != NULL, "case %zu: %s", i, last_err);
        tm_free(&m);
    }
}
END_TEST

START_TEST(tablemap_dates)
{
    int32_t d;
    ck_assert_int_eq(tm_parse_date("1970-01-01", 10, &d), 0);
    ck_assert_int_eq(d, 0);
    ck_assert_int_eq(tm_parse_date("2024-02-29", 10, &d), 0);
    ck_assert_int_eq(tm_parse_date("2024-03", 7, &d), 0);
    ck_assert_int_eq(d, 19783);
    ck_assert_int_eq(tm_parse_date("2023-02-29", 10, &d), -1);
    ck_assert_int_eq(tm_parse_date("2024-04-31", 10, &d), -1);
    ck_assert_int_eq(tm_parse_date("2024/01/01", 10, &d), -1);
    ck_assert_int_eq(tm_parse_date("24-01-01", 8, &d), -1);
}
END_TEST

Suite *hm_source_suite(void)
{
    Suite *s = suite_create("source");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, config_reads_sections);
    tcase_add_test(tc, config_errors_have_lines);
    suite_add_tcase(s, tc);
    tc = tcase_create("tablemap");
    tcase_add_test(tc, tablemap_fields_and_types);
    tcase_add_test(tc, tablemap_refusals);
    tcase_add_test(tc, tablemap_dates);
    suite_add_tcase(s, tc);
    return s;
}
