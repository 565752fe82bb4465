/* check_source.c -- the source configuration (config.c, with [cluster]
 * and from text), the threads the library starts, the settings
 * and cell conversions every table plugin shares (plugins/common), and
 * the facts of one household loaded alone (load_restrict, batch/one.c). */
#include "suites.h"

#include "configfile.h"
#include "frontend.h"
#include "idindex.h"
#include "mem.h"
#include "one.h"
#include "tablemap.h"
#include "thread.h"

#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
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

/* [cluster]: the nodes by number, whatever their order in the file */
START_TEST(config_reads_cluster)
{
    write_conf("[run]\npopulation = registry\n\n[cluster]\nnode.1 = host=/run/pg1 dbname=city\n"
               "node.0 = host=/run/pg0 dbname=city ; the first\npack = examples\ntimeout = 3600\n[source registry]\n"
               "plugin = postgres\n");
    hm_config c;
    ck_assert_int_eq(config_read(&c, path), 0);
    ck_assert_int_eq(c.nnodes, 2);
    ck_assert_str_eq(c.nodes[0], "host=/run/pg0 dbname=city");
    ck_assert_str_eq(c.nodes[1], "host=/run/pg1 dbname=city");
    ck_assert_str_eq(c.cluster_pack, "examples");
    ck_assert_int_eq(c.cluster_timeout, 3600);
    ck_assert_int_eq(c.cluster_line, 4);
    ck_assert_int_eq(c.nsources, 1);
    config_free(&c);
    unlink(path);
    /* none: no nodes */
    write_conf("[run]\npopulation = registry\n");
    ck_assert_int_eq(config_read(&c, path), 0);
    ck_assert_int_eq(c.nnodes, 0);
    ck_assert_ptr_null(c.nodes);
    ck_assert_ptr_null(c.cluster_pack);
    ck_assert_int_eq(c.cluster_timeout, 0);
    config_free(&c);
    unlink(path);
}
END_TEST

START_TEST(config_cluster_errors_have_lines)
{
    static const struct { const char *text, *want; } cases[] = {
        { "[run]\n[cluster]\nnode.0 = a\nnode.2 = c\n", ":2: [cluster] has no node.1: number the nodes 0, 1," },
        { "[cluster]\nnode.1 = b\n", ":1: [cluster] has no node.0" },
        { "[cluster]\npack = x\n", ":1: [cluster] names no node" },
        { "[cluster]\nnode.0 = a\nnode.0 = b\n", ":3: node.0 is given twice in [cluster]" },
        { "[cluster]\nnode.01 = a\n", ":2: unknown setting `node.01` in [cluster] (known: node.0, node.1, …, pack and timeout)" },
        { "[cluster]\nnode.0 = a\ntimeout = 0\n", ":3: `timeout = 0` in [cluster]: a whole number of seconds, 1 to 604800" },
        { "[cluster]\nnode.0 = a\ntimeout = 1.5\n", ":3: `timeout = 1.5` in [cluster]: a whole number of seconds" },
        { "[cluster]\nnode.0 = a\ntimeout = 604801\n", ":3: `timeout = 604801` in [cluster]" },
        { "[cluster]\nnode.0 = a\ntimeout = 99999999999999999999\n", ":3: `timeout = 99999999999999999999`" },
        { "[cluster]\nnode.x = a\n", ":2: unknown setting `node.x` in [cluster]" },
        { "[cluster]\nnode. = a\n", ":2: unknown setting `node.` in [cluster]" },
        { "[cluster]\nnode.-1 = a\n", ":2: unknown setting `node.-1` in [cluster]" },
        { "[cluster]\nhosts = a\n", ":2: unknown setting `hosts` in [cluster]" },
        { "[cluster]\nnode.0 =\n", ":2: `node.0` has no value" },
        { "[cluster]\nnode.0 = a\npack =\n", ":3: `pack` has no value" },
        { "[cluster]\nnode.1024 = a\n", ":2: node.1024: at most 1024 nodes" },
        { "[clusters]\nnode.0 = a\n", ":2: unknown section [clusters]: expected [run], [cluster] or [source NAME]" },
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
}
END_TEST

/* the configuration as text: named as given, paths from the working folder */
START_TEST(config_reads_text)
{
    hm_config c;
    const char *text = "[run]\npopulation = registry\n[source registry]\nplugin = sqlite\ndatabase = r.db\n";
    ck_assert_int_eq(config_read_text(&c, "city.conf", text), 0);
    ck_assert_str_eq(c.path, "city.conf");
    ck_assert_str_eq(c.dir, ".");
    ck_assert_str_eq(c.text, text);
    ck_assert_str_eq(config_source(&c, "registry")->settings[0].value, "r.db");
    config_free(&c);
    ck_assert_int_eq(config_read_text(&c, "-", ""), 0);
    ck_assert_int_eq(c.nsources, 0);
    config_free(&c);
    ck_assert_int_eq(config_read_text(&c, "node.conf", "[run]\nthreads = x\n"), -1);
    ck_assert_str_eq(c.err, "node.conf:2: threads = x: expected a number from 0 (one per core) to 256");
    config_free(&c);
}
END_TEST

/* ---- threads the library starts: every signal blocked ------------------- */

static void *mask_of(void *arg)
{
    pthread_sigmask(SIG_BLOCK, NULL, arg);
    return NULL;
}

START_TEST(threads_start_with_signals_blocked)
{
    sigset_t got, before, after;
    sigemptyset(&got);
    pthread_sigmask(SIG_BLOCK, NULL, &before);
    pthread_t t;
    ck_assert_int_eq(thread_start(&t, mask_of, &got), 0);
    pthread_join(t, NULL);
    pthread_sigmask(SIG_BLOCK, NULL, &after);
    static const int sigs[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGPIPE };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        ck_assert_msg(sigismember(&got, sigs[i]), "signal %d not blocked in the thread", sigs[i]);
        /* and the caller's mask is as it was */
        ck_assert_int_eq(sigismember(&after, sigs[i]), sigismember(&before, sigs[i]));
    }
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

/* ---- one household --------------------------------------------------------
 * The small test city (tests/batch), loaded whole and then one household
 * at a time: each household's facts, states, dates, records and data
 * issues must be exactly those of the whole load. */

static char city[64];
static hm_compiler *pack;
static hm_program *pack_prog;

static void run_sql(const char *db, const char *sqlfile)
{
    char file[512];
    snprintf(file, sizeof file, "%s/tests/batch/%s", getenv("SRCDIR"), sqlfile);
    FILE *f = fopen(file, "rb");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    snprintf(file, sizeof file, "%s/%s", city, db);
    sqlite3 *d;
    ck_assert_int_eq(sqlite3_open(file, &d), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(d, text, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(d);
}

/* needs the build's sqlite plugin and the source tree: `make check` sets
 * HUIMIN and SRCDIR; without them the test fails rather than pass unrun */
static void city_setup(void)
{
    const char *huimin = getenv("HUIMIN"), *src = getenv("SRCDIR");
    if (!huimin || !*huimin || !src || !*src)
        ck_abort_msg("HUIMIN and SRCDIR must be set (make check sets them): HUIMIN=%s SRCDIR=%s",
                     huimin ? huimin : "(unset)", src ? src : "(unset)");
    char dir[512], plugins[600], file[600];
    snprintf(dir, sizeof dir, "%s", huimin);
    snprintf(plugins, sizeof plugins, "%s/plugins/.libs", dirname(dir));
    plugin_builtin_dir(plugins);    /* never taken from HUIMIN_PLUGIN_PATH */
    snprintf(city, sizeof city, "/tmp/hm-city-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(city));
    run_sql("registry.db", "city.sql");
    run_sql("civil.db", "civil.sql");
    snprintf(file, sizeof file, "%s/tests/batch/small.conf", src);
    FILE *in = fopen(file, "rb");
    ck_assert_ptr_nonnull(in);
    snprintf(file, sizeof file, "%s/small.conf", city);
    FILE *out = fopen(file, "wb");
    ck_assert_ptr_nonnull(out);
    int ch;
    while ((ch = fgetc(in)) != EOF)
        fputc(ch, out);
    fclose(in);
    fclose(out);
    pack = hm_compiler_new();
    ck_assert_ptr_nonnull(pack);
    snprintf(file, sizeof file, "%s/tests/batch/small.pol", src);
    ck_assert_int_eq(hm_compiler_add_path(pack, file), HM_OK);
    sema *s;
    ck_assert_int_eq(compiler_program(pack, &pack_prog, &s), HM_OK);
}

static void city_teardown(void)
{
    const char *files[] = { "registry.db", "civil.db", "small.conf" };
    char file[128];
    for (int i = 0; i < 3; i++) {
        snprintf(file, sizeof file, "%s/%s", city, files[i]);
        unlink(file);
    }
    rmdir(city);
    hm_compiler_free(pack);
}

/* value k of column c, with text compared as text */
static void same_value(const hm_facts *a, const hm_column *ca, int32_t ka, const hm_facts *b,
                       const hm_column *cb, int32_t kb, const hm_field *fd)
{
    ck_assert_int_eq(ca->state[ka], cb->state[kb]);
    /* the date of a value that is not there means nothing */
    if (ca->state[ka] == FACT_KNOWN || ca->state[ka] == FACT_STALE)
        ck_assert_int_eq(facts_asof(ca, ka), facts_asof(cb, kb));
    if (ca->state[ka] != FACT_KNOWN)
        return;
    if (fd->vtype == VT_TEXT)
        ck_assert_str_eq(a->texts[-ca->v[ka] - 1], b->texts[-cb->v[kb] - 1]);
    else
        ck_assert_int_eq(ca->v[ka], cb->v[kb]);
}

/* the issues of one row of the whole load, in order, against the one household's */
static void same_issues(const hm_load *all, int entity, int32_t row, const hm_load *one, int32_t orow)
{
    int32_t j = 0;
    for (int32_t i = 0; i < all->nissues; i++) {
        const ld_issue *a = &all->issues[i];
        if (all->p->fields[a->field].entity != entity || a->index != row)
            continue;
        while (j < one->nissues && (one->p->fields[one->issues[j].field].entity != entity ||
                                    one->issues[j].index != orow))
            j++;
        ck_assert_int_lt(j, one->nissues);
        const ld_issue *b = &one->issues[j++];
        ck_assert_int_eq(a->source, b->source);
        ck_assert_int_eq(a->field, b->field);
        ck_assert_int_eq(a->kind, b->kind);
        ck_assert_str_eq(a->detail, b->detail);
    }
}

START_TEST(one_household_is_its_part_of_the_population)
{
    city_setup();
    char conf[128], err[8192];
    snprintf(conf, sizeof conf, "%s/small.conf", city);
    hm_config cfg;
    hm_load all;
    int32_t as_of;
    ck_assert_int_eq(batch_config(&cfg, conf, NULL, 0, NULL, &as_of, err, sizeof err), HM_OK);
    ck_assert_int_eq(load_open(&all, pack_prog, &cfg, as_of), 0);
    ck_assert_int_eq(load_population(&all), 0);
    ck_assert_int_eq(load_facts(&all), 0);
    ck_assert_int_eq(all.nh, 4);
    ck_assert_int_gt(all.nissues, 0);
    const hm_program *p = pack_prog;
    const hm_facts *fa = &all.facts;
    for (int32_t h = 0; h < all.nh; h++) {
        hm_one o;
        ck_assert_int_eq(one_open(&o, p, conf, NULL, 0, NULL, all.hid[h], NULL, err, sizeof err), 0);
        const hm_facts *fo = &o.L.facts;
        ck_assert_int_eq(o.member, -1);
        ck_assert_int_eq(o.as_of, as_of);
        ck_assert_int_eq(o.L.nh, 1);
        ck_assert_str_eq(o.L.hid[0], all.hid[h]);
        int32_t first = fa->hh_first[h], n = fa->hh_count[h];
        ck_assert_int_eq(o.L.np, n);
        ck_assert_int_eq(fo->hh_first[0], 0);
        ck_assert_int_eq(fo->hh_count[0], n);
        for (int32_t i = 0; i < p->nfields; i++) {
            const hm_field *fd = &p->fields[i];
            if (fd->entity == ENT_HOUSEHOLD) {
                same_value(fa, &fa->hcol[fd->column], h, fo, &fo->hcol[fd->column], 0, fd);
                continue;
            }
            for (int32_t m = 0; m < n; m++) {
                if (!fd->records) {
                    same_value(fa, &fa->pcol[fd->column], first + m, fo, &fo->pcol[fd->column], m, fd);
                    continue;
                }
                const hm_rcolumn *ra = &fa->rcol[fd->column], *ro = &fo->rcol[fd->column];
                ck_assert_int_eq(ra->state[first + m], ro->state[m]);
                ck_assert_int_eq(ra->count[first + m], ro->count[m]);
                for (int32_t r = 0; r < ra->count[first + m]; r++) {
                    ck_assert_int_eq(ra->date[ra->first[first + m] + r], ro->date[ro->first[m] + r]);
                    ck_assert_int_eq(ra->v[ra->first[first + m] + r], ro->v[ro->first[m] + r]);
                }
            }
        }
        same_issues(&all, 1, h, &o.L, 0);
        for (int32_t m = 0; m < n; m++) {
            ck_assert_str_eq(o.L.pid[m], all.pid[first + m]);
            same_issues(&all, 2, first + m, &o.L, m);
        }
        one_close(&o);
        /* and through one of its members */
        for (int32_t m = 0; m < n; m++) {
            ck_assert_int_eq(one_open(&o, p, conf, NULL, 0, NULL, NULL, all.pid[first + m], err, sizeof err), 0);
            ck_assert_str_eq(o.L.hid[0], all.hid[h]);
            ck_assert_int_eq(o.member, m);
            one_close(&o);
        }
    }
    load_close(&all);
    config_free(&cfg);
    city_teardown();
}
END_TEST

START_TEST(one_household_refusals_and_sources)
{
    city_setup();
    char conf[128], err[8192];
    snprintf(conf, sizeof conf, "%s/small.conf", city);
    hm_one o;
    ck_assert_int_eq(one_open(&o, pack_prog, conf, NULL, 0, NULL, "H9", NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "no household `H9` in the population (source registry)");
    one_close(&o);
    ck_assert_int_eq(one_open(&o, pack_prog, conf, NULL, 0, NULL, NULL, "P0", err, sizeof err), -1);
    ck_assert_str_eq(err, "no person `P0` in the population (source registry)");
    one_close(&o);
    ck_assert_int_eq(one_open(&o, pack_prog, conf, NULL, 0, "2024-02-30", "H1", NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "as-of date `2024-02-30` is not a date (write YYYY-MM-DD)");
    one_close(&o);
    const char *bad[] = { "source.civil.database=nosuch.db" };
    ck_assert_int_eq(one_open(&o, pack_prog, conf, bad, 1, NULL, "H1", NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "source civil (plugin sqlite)"));
    one_close(&o);
    /* H3: P5's marital status is an unknown code at the registry, so
     * civil affairs gave it; P4's both agree, civil's is the latest */
    ck_assert_int_eq(one_open(&o, pack_prog, conf, NULL, 0, NULL, "H3", NULL, err, sizeof err), 0);
    const hm_program *p = pack_prog;
    int32_t marital = -1, birth = -1, assets = -1;
    for (int32_t i = 0; i < p->nfields; i++) {
        const char *name = prog_str(p, p->fields[i].name);
        marital = strcmp(name, "person.marital") ? marital : i;
        birth = strcmp(name, "person.birth_date") ? birth : i;
        assets = strcmp(name, "household.assets") ? assets : i;
    }
    ck_assert_str_eq(o.L.pid[1], "P5");
    ck_assert_str_eq(one_source_of(&o, marital, 1), "civil");
    ck_assert_str_eq(one_source_of(&o, marital, 0), "civil");
    ck_assert_str_eq(one_source_of(&o, birth, 0), "registry");
    ck_assert_str_eq(one_source_of(&o, assets, 0), "civil");
    ck_assert_ptr_null(one_source_of(&o, -1, 0));
    one_close(&o);
    city_teardown();
}
END_TEST

/* Rows found by id, whatever order they were added in: text ids that are
 * prefixes of one another, a NUL inside an asked id, integer ids, a
 * repeated id, and the index growing from empty. */
START_TEST(id_index_finds_rows)
{
    enum { N = 50000 };
    char **ids = mem_alloc(sizeof *ids * N);
    int64_t *nums = mem_alloc(sizeof *nums * N);
    ck_assert_ptr_nonnull(ids);
    id_index t = { 0 }, x;
    ck_assert_int_eq(idx_init(&x, 10), 0);
    for (int32_t i = 0; i < N; i++) {
        int32_t k = (int32_t)(((int64_t)i * 7919) % N);    /* not in id order */
        ids[i] = mem_alloc(16);
        snprintf(ids[i], 16, "P%d", k);
        nums[i] = (int64_t)k * 1000003 - 5;
        ck_assert_int_eq(idx_add_text(&t, ids, i), -1);
        ck_assert_int_eq(idx_add_int(&x, nums, i), -1);
    }
    for (int32_t i = 0; i < N; i++) {
        ck_assert_int_eq(idx_find_text(&t, ids, ids[i], strlen(ids[i])), i);
        ck_assert_int_eq(idx_find_int(&x, nums, nums[i]), i);
    }
    /* "P1" is a prefix of "P10" and more: each finds only itself */
    ck_assert_str_eq(ids[idx_find_text(&t, ids, "P1", 2)], "P1");
    ck_assert_str_eq(ids[idx_find_text(&t, ids, "P10", 3)], "P10");
    ck_assert_int_eq(idx_find_text(&t, ids, "P", 1), -1);
    ck_assert_int_eq(idx_find_text(&t, ids, "P100000", 7), -1);
    ck_assert_int_eq(idx_find_text(&t, ids, "P1\0", 3), -1);
    ck_assert_int_eq(idx_find_text(&t, ids, "", 0), -1);
    ck_assert_int_eq(idx_find_int(&x, nums, -4), -1);
    /* a repeated id is refused, naming the row that has it */
    char *again = mem_strdup(ids[123]);
    char *old = ids[N - 1];
    ids[N - 1] = again;
    ck_assert_int_eq(idx_add_text(&t, ids, N - 1), 123);
    ids[N - 1] = old;
    mem_free(again);
    nums[N - 1] = nums[77];
    ck_assert_int_eq(idx_add_int(&x, nums, N - 1), 77);
    for (int32_t i = 0; i < N; i++)
        mem_free(ids[i]);
    mem_free(ids);
    mem_free(nums);
    idx_free(&t);
    idx_free(&x);
    /* an index never built finds nothing */
    ck_assert_int_eq(idx_find_text(&t, NULL, "P1", 2), -1);
}
END_TEST

/* Integer keys stay integers from the source to the fact store:
 * load_id_int gives them, load_id their decimal text; the facts and data
 * issues are those of the same city with text keys; one household is
 * found by its id written as text, and explain and needs get its ids as
 * text (L.hid, L.pid). */
START_TEST(integer_ids_end_to_end)
{
    city_setup();
    char conf[128], err[8192], buf[LOAD_ID_BUF];
    snprintf(conf, sizeof conf, "%s/small.conf", city);
    hm_config cfg[2];
    hm_load L[2];
    int32_t as_of;
    int64_t v;
    /* beside the text city's files, through --set */
    run_sql("int-registry.db", "city.sql");
    run_sql("int-registry.db", "../sources/int-registry.sql");
    run_sql("int-civil.db", "civil.sql");
    run_sql("int-civil.db", "../sources/int-civil.sql");
    const char *sets[] = { "source.registry.database=int-registry.db", "source.civil.database=int-civil.db" };
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(batch_config(&cfg[k], conf, k ? sets : NULL, k ? 2 : 0, NULL, &as_of, err, sizeof err),
                         HM_OK);
        ck_assert_int_eq(load_open(&L[k], pack_prog, &cfg[k], as_of), 0);
        ck_assert_int_eq(load_population(&L[k]), 0);
        ck_assert_int_eq(load_facts(&L[k]), 0);
    }
    ck_assert_int_eq(load_id_int(&L[0], 0, 0, &v), 0);     /* text keys stay text */
    ck_assert_int_eq(L[1].nh, L[0].nh);
    ck_assert_int_eq(L[1].np, L[0].np);
    ck_assert_ptr_null(L[1].hid);       /* no text made for the sqlite plugin */
    for (int person = 0; person < 2; person++)
        for (int32_t i = 0; i < (person ? L[0].np : L[0].nh); i++) {
            ck_assert_int_eq(load_id_int(&L[1], person, i, &v), 1);
            ck_assert_int_eq(v, atoi(load_id(&L[0], person, i, buf) + 1) + 100 * person);
            char want[LOAD_ID_BUF];
            snprintf(want, sizeof want, "%lld", (long long)v);
            ck_assert_str_eq(load_id(&L[1], person, i, buf), want);
        }
    ck_assert_int_eq(L[1].nissues, L[0].nissues);
    for (int32_t i = 0; i < L[0].nissues; i++) {
        ck_assert_int_eq(L[1].issues[i].index, L[0].issues[i].index);
        ck_assert_int_eq(L[1].issues[i].kind, L[0].issues[i].kind);
    }
    ck_assert_int_gt(L[0].facts.np, 0);
    for (int32_t c = 0; c < L[0].facts.np; c++)
        for (int32_t i = 0; i < L[0].np; i++) {
            ck_assert_int_eq(L[1].facts.pcol[c].state[i], L[0].facts.pcol[c].state[i]);
            if (L[0].facts.pcol[c].state[i] == FACT_KNOWN)
                ck_assert_int_eq(L[1].facts.pcol[c].v[i], L[0].facts.pcol[c].v[i]);
        }
    for (int k = 0; k < 2; k++) {
        load_close(&L[k]);
        config_free(&cfg[k]);
    }
    hm_one o;
    ck_assert_int_eq(one_open(&o, pack_prog, conf, sets, 2, NULL, "3", NULL, err, sizeof err), 0);
    ck_assert_int_eq(o.L.nh, 1);
    ck_assert_int_eq(load_id_int(&o.L, 0, 0, &v), 1);
    ck_assert_int_eq(v, 3);
    ck_assert_str_eq(o.L.hid[0], "3");
    ck_assert_int_eq(o.L.np, 2);
    ck_assert_str_eq(o.L.pid[1], "105");
    one_close(&o);
    ck_assert_int_eq(one_open(&o, pack_prog, conf, sets, 2, NULL, NULL, "105", err, sizeof err), 0);
    ck_assert_int_eq(o.member, 1);
    one_close(&o);
    ck_assert_int_eq(one_open(&o, pack_prog, conf, sets, 2, NULL, "03", NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "no household `03` in the population (source registry)");
    one_close(&o);
    for (int k = 0; k < 2; k++) {
        snprintf(err, sizeof err, "%s/%s", city, k ? "int-civil.db" : "int-registry.db");
        unlink(err);
    }
    city_teardown();
}
END_TEST

Suite *hm_source_suite(void)
{
    Suite *s = suite_create("source");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, config_reads_sections);
    tcase_add_test(tc, config_errors_have_lines);
    tcase_add_test(tc, config_reads_cluster);
    tcase_add_test(tc, config_cluster_errors_have_lines);
    tcase_add_test(tc, config_reads_text);
    suite_add_tcase(s, tc);
    tc = tcase_create("threads");
    tcase_add_test(tc, threads_start_with_signals_blocked);
    suite_add_tcase(s, tc);
    tc = tcase_create("tablemap");
    tcase_add_test(tc, tablemap_fields_and_types);
    tcase_add_test(tc, tablemap_refusals);
    tcase_add_test(tc, tablemap_dates);
    suite_add_tcase(s, tc);
    tc = tcase_create("id index");
    tcase_add_test(tc, id_index_finds_rows);
    suite_add_tcase(s, tc);
    tc = tcase_create("one household");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, one_household_is_its_part_of_the_population);
    tcase_add_test(tc, one_household_refusals_and_sources);
    tcase_add_test(tc, integer_ids_end_to_end);
    suite_add_tcase(s, tc);
    return s;
}
