/* check_run_with.c -- a run inside another program (hm_run_with): the
 * configuration given as text, the sqlite plugin registered under another
 * name (hm_plugin_register) instead of loaded as a file, and the run
 * handed to a sink that collects it.  It must give exactly the rows
 * `huimin run` wrote to a results database for the same data (the file
 * EXPECTED, made by run-run-with.sh), call the sink and the plugin on the
 * calling thread only, in the documented order; a failing sink call stops
 * the run (HM_EIO, abort, no commit); a registered plugin cannot be
 * isolated; every thread the library starts has every signal blocked.
 *
 * Env: HM_DIR (the small city, the current folder of the runs), HM_PACK
 * (its pack), HM_SQLITE_SO (the sqlite plugin), EXPECTED, HM_EXAMPLES
 * (examples/policies: hm_household_add_given_tables). */
#include "huimin.h"
#include "huimin_plugin.h"

#include <check.h>
#include <dlfcn.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- every thread started: was every signal blocked when it began? ----
 * This program's pthread_create is the one libhuimin calls; a new thread
 * starts with the mask of the thread that created it. */

static int threads_started, threads_unmasked;

int pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
    static int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    if (!real) {
        void *sym = dlsym(RTLD_NEXT, "pthread_create");
        memcpy(&real, &sym, sizeof real);
    }
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    static const int sigs[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGPIPE };
    __atomic_add_fetch(&threads_started, 1, __ATOMIC_SEQ_CST);
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        if (!sigismember(&now, sigs[i])) {
            __atomic_add_fetch(&threads_unmasked, 1, __ATOMIC_SEQ_CST);
            break;
        }
    return real(t, a, fn, arg);
}

/* ---- the sqlite plugin, registered: each call checked for its thread ---- */

static pthread_t caller;
static int plugin_off_thread, plugin_calls;
static const hm_source_desc *real_desc;
static hm_source_desc wrapped;

static void plugin_call(void)
{
    plugin_calls++;
    if (!pthread_equal(pthread_self(), caller))
        __atomic_add_fetch(&plugin_off_thread, 1, __ATOMIC_SEQ_CST);
}

static int w_open(const hm_host_api *h, const hm_open_args *a, void **st, hm_plugin_err *e)
{
    plugin_call();
    return real_desc->open(h, a, st, e);
}
static int w_fields(void *st, const hm_field_desc **f, uint32_t *n, hm_plugin_err *e)
{
    plugin_call();
    return real_desc->fields(st, f, n, e);
}
static int w_fetch(void *st, hm_fetch_req *r, hm_plugin_err *e)
{
    plugin_call();
    return real_desc->fetch(st, r, e);
}
static int w_population(void *st, hm_population_ctx *c, hm_plugin_err *e)
{
    plugin_call();
    return real_desc->population(st, c, e);
}
static int w_population_fetch(void *st, hm_population_ctx *c, hm_fetch_req *h, hm_fetch_req *p, hm_plugin_err *e)
{
    plugin_call();
    return real_desc->population_fetch(st, c, h, p, e);
}
static int w_reftable(void *st, const hm_reftable_req *r, hm_plugin_err *e)
{
    plugin_call();
    return real_desc->reftable(st, r, e);
}
static int w_identity(void *st, const char **t, hm_plugin_err *e)
{
    plugin_call();
    return real_desc->identity(st, t, e);
}
static void w_close(void *st)
{
    plugin_call();
    real_desc->close(st);
}

static const hm_source_desc *sqlite_entry(const hm_host_api *host)
{
    static hm_source_entry_fn real;
    if (!real) {
        void *dl = dlopen(getenv("HM_SQLITE_SO"), RTLD_NOW | RTLD_LOCAL);
        void *sym = dl ? dlsym(dl, HM_SOURCE_ENTRY) : NULL;
        if (!sym)
            return NULL;
        memcpy(&real, &sym, sizeof real);
    }
    real_desc = real(host);
    if (!real_desc)
        return NULL;
    wrapped = *real_desc;
    wrapped.size = sizeof wrapped;
    wrapped.open = w_open;
    wrapped.fields = w_fields;
    wrapped.fetch = w_fetch;
    wrapped.close = w_close;
    wrapped.population = real_desc->population ? w_population : NULL;
    wrapped.identity = real_desc->identity ? w_identity : NULL;
    wrapped.population_fetch = real_desc->population_fetch ? w_population_fetch : NULL;
    wrapped.reftable = real_desc->reftable ? w_reftable : NULL;
    return &wrapped;
}

/* the same plugin, ending the process as soon as it is asked for rows (a
 * host such as PostgreSQL may exit() from inside its own plugin) */
static int x_fetch(void *st, hm_fetch_req *r, hm_plugin_err *e)
{
    (void)st, (void)r, (void)e;
    exit(7);
}
static int x_population_fetch(void *st, hm_population_ctx *c, hm_fetch_req *h, hm_fetch_req *p, hm_plugin_err *e)
{
    (void)st, (void)c, (void)h, (void)p, (void)e;
    exit(7);
}
static int x_population(void *st, hm_population_ctx *c, hm_plugin_err *e)
{
    (void)st, (void)c, (void)e;
    exit(7);
}

static const hm_source_desc *exiting_entry(const hm_host_api *host)
{
    const hm_source_desc *d = sqlite_entry(host);
    if (!d)
        return NULL;
    wrapped.fetch = x_fetch;
    wrapped.population = d->population ? x_population : NULL;
    wrapped.population_fetch = d->population_fetch ? x_population_fetch : NULL;
    return &wrapped;
}

/* ---- a sink that collects the run as the results database's rows ---- */

enum { ST_NONE, ST_BEGIN, ST_SOURCE, ST_POLICY, ST_REASON, ST_ROWS, ST_ISSUE, ST_NE, ST_NA, ST_COMMIT };

typedef struct ent {
    long long n, household;
    int kind;
    char *id;
} ent;

typedef struct collector {
    int stage, out_of_order, off_thread, aborted, committed, begun;
    char *names[64], *periods[64];
    int period[64];
    char *reasons[4096];
    ent *ents;
    int nents;
    char **lines;
    int nlines, cap;
    char config[256], *config_text;
    long long fail_at;          /* the decision call that fails, 0: none */
    long long decisions, sources;
} collector;

static collector C;

static void add_line(const char *fmt, ...)
{
    if (C.nlines == C.cap) {
        C.cap = C.cap ? C.cap * 2 : 256;
        C.lines = realloc(C.lines, sizeof *C.lines * (size_t)C.cap);
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&C.lines[C.nlines], fmt, ap) < 0)
        abort();
    va_end(ap);
    C.nlines++;
}

/* each call: on the calling thread, in the documented order */
static void at(int stage)
{
    if (!pthread_equal(pthread_self(), caller))
        C.off_thread++;
    if (stage < C.stage)
        C.out_of_order++;
    C.stage = stage;
}

static const char *ent_id(long long n)
{
    for (int i = 0; i < C.nents; i++)
        if (C.ents[i].n == n)
            return C.ents[i].id;
    return NULL;
}

static const ent *ent_of(long long n)
{
    for (int i = 0; i < C.nents; i++)
        if (C.ents[i].n == n)
            return &C.ents[i];
    return NULL;
}

static const char *kind_name(int k)
{
    return k == HM_ENTITY_HOUSEHOLD ? "household" : k == HM_ENTITY_PERSON ? "person" : "claim";
}

static int s_begin(void *ctx, const hm_sink_run *run, long long *run_id, char *err, size_t errlen)
{
    (void)ctx, (void)err, (void)errlen;
    at(ST_BEGIN);
    C.begun++;
    snprintf(C.config, sizeof C.config, "%s", run->config);
    C.config_text = strdup(run->config_text);
    add_line("run|%s|%s|%lld|%lld|%d|%d|%s", run->as_of, run->pack_hash, run->households, run->persons,
             run->reasons, run->settled, run->store_all ? "all" : "answers");
    *run_id = 42;
    return 0;
}

static int s_source(void *ctx, const char *source, const char *plugin, int isolated, const char *identity,
                    char *err, size_t errlen)
{
    (void)ctx, (void)source, (void)plugin, (void)isolated, (void)identity, (void)err, (void)errlen;
    at(ST_SOURCE);
    C.sources++;
    return 0;
}

static int s_policy(void *ctx, int policy, const char *name, const char *label, int entity, int period,
                    char *err, size_t errlen)
{
    (void)ctx, (void)label, (void)entity, (void)err, (void)errlen;
    at(ST_POLICY);
    ck_assert_int_lt(policy, 64);
    C.names[policy] = strdup(name);
    C.period[policy] = period;
    return 0;
}

static int s_reason(void *ctx, int reason, const char *text, char *err, size_t errlen)
{
    (void)ctx, (void)err, (void)errlen;
    at(ST_REASON);
    ck_assert_int_lt(reason, 4096);
    C.reasons[reason] = strdup(text);
    return 0;
}

static int s_entity(void *ctx, long long entity, int kind, const char *id, long long household, char *err,
                    size_t errlen)
{
    (void)ctx, (void)err, (void)errlen;
    at(ST_ROWS);
    C.ents = realloc(C.ents, sizeof *C.ents * (size_t)(C.nents + 1));
    C.ents[C.nents++] = (ent){ entity, household, kind, strdup(id) };
    /* a household before its persons */
    if (household >= 0 && !ent_id(household))
        C.out_of_order++;
    return 0;
}

static int s_decision(void *ctx, long long entity, int policy, int status, int has_amount, long long amount,
                      int reason, const char *missing, const char *message, int claim, char *err, size_t errlen)
{
    (void)ctx;
    at(ST_ROWS);
    if (++C.decisions == C.fail_at) {
        snprintf(err, errlen, "the test's sink is full");
        return -1;
    }
    const ent *e = ent_of(entity);
    if (!e) {       /* an entity before its decisions */
        C.out_of_order++;
        return 0;
    }
    static const char *status_name[] = { "", "eligible", "not_eligible", "undetermined", "not_applicable" };
    static const char *period_name[] = { "once", "month", "year" };
    char amt[32] = "";
    if (has_amount)
        snprintf(amt, sizeof amt, "%lld", amount);
    char cl[16] = "";
    if (claim)
        snprintf(cl, sizeof cl, "%d", claim);
    const char *hh = e->household >= 0 ? ent_id(e->household) : NULL;
    add_line("decision|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", kind_name(e->kind), e->id, hh ? hh : "",
             C.names[policy], status_name[status], amt, has_amount ? period_name[C.period[policy]] : "",
             reason ? C.reasons[reason] : "", message ? message : "", missing ? missing : "", cl);
    return 0;
}

static int s_issue(void *ctx, const char *source, int kind, const char *id, const char *field, const char *issue,
                   const char *detail, char *err, size_t errlen)
{
    (void)ctx, (void)err, (void)errlen;
    at(ST_ISSUE);
    add_line("issue|%s|%s|%s|%s|%s|%s", source ? source : "", kind_name(kind), id, field, issue,
             detail ? detail : "");
    return 0;
}

static int s_not_eligible(void *ctx, int policy, int reason, long long count, char *err, size_t errlen)
{
    (void)ctx, (void)err, (void)errlen;
    at(ST_NE);
    add_line("ne|%s|%s|%lld", C.names[policy], reason ? C.reasons[reason] : "", count);
    return 0;
}

static int s_not_applicable(void *ctx, int policy, long long count, char *err, size_t errlen)
{
    (void)ctx, (void)err, (void)errlen;
    at(ST_NA);
    add_line("na|%s|%lld", C.names[policy], count);
    return 0;
}

static int s_commit(void *ctx, char *err, size_t errlen)
{
    (void)ctx, (void)err, (void)errlen;
    at(ST_COMMIT);
    C.committed++;
    return 0;
}

static void s_abort(void *ctx)
{
    (void)ctx;
    if (!pthread_equal(pthread_self(), caller))
        C.off_thread++;
    C.aborted++;
}

static const hm_run_sink sink = { sizeof sink, NULL, s_begin, s_source, s_policy, s_reason, s_entity, s_decision,
                                  s_issue, s_not_eligible, s_not_applicable, s_commit, s_abort };

/* ---- helpers ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *t = malloc((size_t)n + 1);
    ck_assert(fread(t, 1, (size_t)n, f) == (size_t)n);
    t[n] = '\0';
    fclose(f);
    return t;
}

/* small.conf with its sources served by the registered plugin, and `more`
 * after the line `plugin = regsqlite` of [source civil] */
static char *config_text(const char *more)
{
    char *t = slurp("small.conf");
    size_t n = strlen(t) + 1024;
    char *out = malloc(n), *o = out;
    int in_civil = 0;
    for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "[source ", 8) == 0)
            in_civil = strcmp(line, "[source civil]") == 0;
        if (strcmp(line, "plugin = sqlite") == 0) {
            o += sprintf(o, "plugin = regsqlite\n");
            if (in_civil && more)
                o += sprintf(o, "%s\n", more);
        } else {
            o += sprintf(o, "%s\n", line);
        }
    }
    free(t);
    return out;
}

static hm_pack *pack(void)
{
    hm_pack *k;
    char err[512];
    ck_assert_msg(hm_pack_load(getenv("HM_PACK"), &k, err, sizeof err) == HM_OK, "%s", err);
    return k;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* everything the collector kept, freed (the sanitizer build counts leaks) */
static void teardown(void)
{
    for (int i = 0; i < 64; i++) {
        free(C.names[i]);
        free(C.periods[i]);
    }
    for (int i = 0; i < 4096; i++)
        free(C.reasons[i]);
    for (int i = 0; i < C.nents; i++)
        free(C.ents[i].id);
    free(C.ents);
    for (int i = 0; i < C.nlines; i++)
        free(C.lines[i]);
    free(C.lines);
    free(C.config_text);
    memset(&C, 0, sizeof C);
}

static void setup(void)
{
    memset(&C, 0, sizeof C);
    plugin_off_thread = plugin_calls = 0;
    caller = pthread_self();
    ck_assert_int_eq(hm_plugin_register("regsqlite", sqlite_entry), HM_OK);
}

/* the rows the sink got, as the results database of `huimin run` has them */
static void assert_rows_as_expected(void)
{
    qsort(C.lines, (size_t)C.nlines, sizeof *C.lines, by_text);
    size_t n = 0;
    for (int i = 0; i < C.nlines; i++)
        n += strlen(C.lines[i]) + 1;
    char *got = malloc(n + 1), *g = got;
    for (int i = 0; i < C.nlines; i++)
        g += sprintf(g, "%s\n", C.lines[i]);
    *g = '\0';
    char *want = slurp(getenv("EXPECTED"));
    if (strcmp(got, want) != 0) {
        FILE *f = fopen("run-with.actual", "w");
        fputs(got, f);
        fclose(f);
    }
    ck_assert_msg(strcmp(got, want) == 0, "the sink's rows differ from the results database's (%s/run-with.actual)",
                  getenv("HM_DIR"));
    ck_assert_int_gt(C.decisions, 10);
    free(want);
    free(got);
}

/* ---- a host serving its plugins' calls on the calling thread ---- */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int served, serves, serveds, off_caller;
} io = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0 };

static void host_serve(void *ctx)
{
    ck_assert_ptr_eq(ctx, &io);
    pthread_mutex_lock(&io.mu);
    io.serves++;
    if (!pthread_equal(pthread_self(), caller))
        io.off_caller++;
    while (!io.served)
        pthread_cond_wait(&io.cv, &io.mu);
    io.served = 0;
    pthread_mutex_unlock(&io.mu);
}

static void host_served(void *ctx)
{
    ck_assert_ptr_eq(ctx, &io);
    pthread_mutex_lock(&io.mu);
    io.serveds++;
    if (pthread_equal(pthread_self(), caller))
        io.off_caller++;
    io.served = 1;
    pthread_cond_signal(&io.cv);
    pthread_mutex_unlock(&io.mu);
}

/* ---- the tests ---- */

START_TEST(same_rows_as_the_results_database)
{
    hm_pack *k = pack();
    char *text = config_text(NULL);
    hm_run_options o = { .config = "city.conf", .as_of = "2024-08-01", .threads = 2, .progress = 0, .reasons = 1,
                         .store = HM_STORE_ALL };
    hm_run_env env = { sizeof env, text, &sink, 1, NULL, NULL, NULL };
    hm_run_summary *s;
    char err[1024];
    int rc = hm_run_with(k, &o, &env, &s, err, sizeof err);
    ck_assert_msg(rc == HM_OK, "hm_run_with: %d: %s", rc, err);
    ck_assert_int_eq(C.committed, 1);
    ck_assert_int_eq(C.aborted, 0);
    ck_assert_int_eq(C.off_thread, 0);
    ck_assert_int_eq(C.out_of_order, 0);
    ck_assert_int_gt(plugin_calls, 0);
    ck_assert_int_eq(plugin_off_thread, 0);
    ck_assert_int_eq(C.sources, 2);
    ck_assert_int_eq(hm_run_summary_run_id(s), 42);
    /* runs.config is the name given; config_text the text given */
    ck_assert_str_eq(C.config, "city.conf");
    ck_assert_str_eq(C.config_text, text);
    assert_rows_as_expected();
    hm_run_summary_free(s);
    free(text);
    hm_pack_free(k);
}
END_TEST

START_TEST(threads_never_take_signals)
{
    /* sources read on threads of the library (no calling_thread_io), and
     * evaluated on two: each began with every signal blocked */
    hm_pack *k = pack();
    char *text = config_text(NULL);
    hm_run_options o = { .config = "city.conf", .threads = 2, .reasons = 1 };
    hm_run_env env = { sizeof env, text, &sink, 0, NULL, NULL, NULL };
    hm_run_summary *s;
    char err[1024];
    threads_started = threads_unmasked = 0;
    int rc = hm_run_with(k, &o, &env, &s, err, sizeof err);
    ck_assert_msg(rc == HM_OK, "hm_run_with: %d: %s", rc, err);
    ck_assert_int_ge(threads_started, 2);
    ck_assert_int_eq(threads_unmasked, 0);
    /* and the caller's own mask is as it was */
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    ck_assert(!sigismember(&now, SIGTERM) && !sigismember(&now, SIGINT));
    hm_run_summary_free(s);
    free(text);
    hm_pack_free(k);
}
END_TEST

START_TEST(a_failing_sink_stops_the_run)
{
    hm_pack *k = pack();
    char *text = config_text(NULL);
    hm_run_options o = { .config = "city.conf", .threads = 2, .reasons = 1, .store = HM_STORE_ALL };
    hm_run_env env = { sizeof env, text, &sink, 1, NULL, NULL, NULL };
    hm_run_summary *s = (hm_run_summary *)&o;
    char err[1024];
    C.fail_at = 3;
    int rc = hm_run_with(k, &o, &env, &s, err, sizeof err);
    ck_assert_int_eq(rc, HM_EIO);
    ck_assert_str_eq(err, "the test's sink is full");
    ck_assert_ptr_null(s);
    ck_assert_int_eq(C.begun, 1);
    ck_assert_int_eq(C.aborted, 1);
    ck_assert_int_eq(C.committed, 0);
    ck_assert_int_eq(C.decisions, 3);       /* nothing after the failed call */
    free(text);
    hm_pack_free(k);
}
END_TEST

START_TEST(a_registered_plugin_is_never_isolated)
{
    hm_pack *k = pack();
    char *text = config_text("isolate = process");
    hm_run_options o = { .config = "city.conf", .threads = 1 };
    hm_run_env env = { sizeof env, text, &sink, 1, NULL, NULL, NULL };
    hm_run_summary *s;
    char err[1024];
    int rc = hm_run_with(k, &o, &env, &s, err, sizeof err);
    ck_assert_int_eq(rc, HM_EPLUGIN);
    ck_assert_msg(strstr(err, "source civil") && strstr(err, "regsqlite") && strstr(err, "cannot run isolated"),
                  "%s", err);
    ck_assert_int_eq(C.begun, 0);
    ck_assert_int_eq(C.aborted, 0);
    free(text);
    hm_pack_free(k);
}
END_TEST

START_TEST(register_wants_a_plain_name)
{
    ck_assert_int_eq(hm_plugin_register(NULL, sqlite_entry), HM_EUSAGE);
    ck_assert_int_eq(hm_plugin_register("", sqlite_entry), HM_EUSAGE);
    ck_assert_int_eq(hm_plugin_register("a/b", sqlite_entry), HM_EUSAGE);
    ck_assert_int_eq(hm_plugin_register("sqlite.so", sqlite_entry), HM_EUSAGE);
    ck_assert_int_eq(hm_plugin_register("has space", sqlite_entry), HM_EUSAGE);
    ck_assert_int_eq(hm_plugin_register("pg_source-2", sqlite_entry), HM_OK);
    ck_assert_int_eq(hm_plugin_register("pg_source-2", NULL), HM_OK);
    /* removed: the name is looked for as a file again */
    ck_assert_int_eq(hm_plugin_register("regsqlite", NULL), HM_OK);
    hm_pack *k = pack();
    char *text = config_text(NULL);
    hm_run_options o = { .config = "city.conf", .threads = 1 };
    hm_run_env env = { sizeof env, text, &sink, 1, NULL, NULL, NULL };
    hm_run_summary *s;
    char err[1024];
    ck_assert_int_eq(hm_run_with(k, &o, &env, &s, err, sizeof err), HM_EPLUGIN);
    ck_assert_msg(strstr(err, "regsqlite") != NULL, "%s", err);
    free(text);
    hm_pack_free(k);
}
END_TEST

START_TEST(an_incomplete_sink_or_env_is_refused)
{
    hm_pack *k = pack();
    hm_run_options o = { .config = "small.conf" };
    hm_run_sink half = sink;
    half.commit = NULL;
    hm_run_env env = { sizeof env, NULL, &half, 1, NULL, NULL, NULL };
    hm_run_summary *s;
    char err[1024];
    ck_assert_int_eq(hm_run_with(k, &o, &env, &s, err, sizeof err), HM_EUSAGE);
    env.sink = &sink;
    env.size = 8;
    ck_assert_int_eq(hm_run_with(k, &o, &env, &s, err, sizeof err), HM_EUSAGE);
    /* io_serve without io_served, and the other way */
    env.size = sizeof env;
    env.io_serve = host_serve;
    ck_assert_int_eq(hm_run_with(k, &o, &env, &s, err, sizeof err), HM_EUSAGE);
    ck_assert_str_eq(err, "hm_run_with: env->io_serve and env->io_served are both set or both NULL");
    env.io_serve = NULL;
    env.io_served = host_served;
    ck_assert_int_eq(hm_run_with(k, &o, &env, &s, err, sizeof err), HM_EUSAGE);
    ck_assert_int_eq(C.begun, 0);
    hm_pack_free(k);
}
END_TEST

START_TEST(sources_read_at_once_while_the_caller_serves)
{
    /* with io_serve, the sources are fetched on two threads of the library
     * while the calling thread serves, once; the rows are the same */
    hm_pack *k = pack();
    char *text = config_text(NULL);
    hm_run_options o = { .config = "city.conf", .as_of = "2024-08-01", .threads = 2, .progress = 0, .reasons = 1,
                         .store = HM_STORE_ALL };
    hm_run_env env = { sizeof env, text, &sink, 1, host_serve, host_served, &io };
    hm_run_summary *s;
    char err[1024];
    io.served = io.serves = io.serveds = io.off_caller = 0;
    int rc = hm_run_with(k, &o, &env, &s, err, sizeof err);
    ck_assert_msg(rc == HM_OK, "hm_run_with: %d: %s", rc, err);
    ck_assert_int_eq(io.serves, 1);
    ck_assert_int_eq(io.serveds, 1);
    ck_assert_int_eq(io.off_caller, 0);
    /* fetched off the calling thread; the sink on it */
    ck_assert_int_gt(plugin_off_thread, 0);
    ck_assert_int_eq(C.off_thread, 0);
    ck_assert_int_eq(C.committed, 1);
    assert_rows_as_expected();
    hm_run_summary_free(s);
    free(text);
    hm_pack_free(k);
}
END_TEST

START_TEST(an_env_of_the_earlier_size_is_taken)
{
    /* a caller built before io_serve: its size ends at calling_thread_io, and
     * the members after it are never read */
    hm_pack *k = pack();
    char *text = config_text(NULL);
    hm_run_options o = { .config = "city.conf", .as_of = "2024-08-01", .threads = 2, .reasons = 1,
                         .store = HM_STORE_ALL };
    hm_run_env env = { offsetof(hm_run_env, io_serve), text, &sink, 1, host_serve, NULL, NULL };
    hm_run_summary *s;
    char err[1024];
    int rc = hm_run_with(k, &o, &env, &s, err, sizeof err);
    ck_assert_msg(rc == HM_OK, "hm_run_with: %d: %s", rc, err);
    ck_assert_int_eq(plugin_off_thread, 0);
    assert_rows_as_expected();
    hm_run_summary_free(s);
    free(text);
    hm_pack_free(k);
}
END_TEST

START_TEST(a_bad_configuration_text_names_its_line)
{
    hm_pack *k = pack();
    hm_run_options o = { .config = "node.conf" };
    hm_run_env env = { sizeof env, "[run]\npopulation = registry\n[cluster]\nnode.0 = host=/x\nnode.0 = host=/y\n",
                       &sink, 1, NULL, NULL, NULL };
    hm_run_summary *s;
    char err[1024];
    ck_assert_int_eq(hm_run_with(k, &o, &env, &s, err, sizeof err), HM_EUSAGE);
    ck_assert_str_eq(err, "node.conf:5: node.0 is given twice in [cluster]");
    ck_assert_int_eq(C.begun, 0);
    hm_pack_free(k);
}
END_TEST

START_TEST(a_node_ignores_the_cluster_section)
{
    /* inside another program, a [cluster] configuration runs the node's own shard */
    hm_pack *k = pack();
    char *base = config_text(NULL);
    char *text = malloc(strlen(base) + 128);
    sprintf(text, "%s\n[cluster]\nnode.0 = host=/nowhere dbname=x\npack = small\n", base);
    hm_run_options o = { .config = "city.conf", .threads = 1 };
    hm_run_env env = { sizeof env, text, &sink, 1, NULL, NULL, NULL };
    hm_run_summary *s;
    char err[1024];
    int rc = hm_run_with(k, &o, &env, &s, err, sizeof err);
    ck_assert_msg(rc == HM_OK, "%d: %s", rc, err);
    ck_assert_int_eq(C.committed, 1);
    hm_run_summary_free(s);
    free(text);
    free(base);
    hm_pack_free(k);
}
END_TEST

START_TEST(a_registered_plugin_may_end_the_process)
{
    /* a plugin loaded from its file first, so that the exit guard stands */
    FILE *devnull = fopen("/dev/null", "w");
    char err[1024];
    ck_assert_msg(hm_plugin_check(getenv("HM_SQLITE_SO"), NULL, NULL, 0, devnull, err, sizeof err) == HM_OK, "%s",
                  err);
    fclose(devnull);
    ck_assert_int_eq(hm_plugin_register("regsqlite", exiting_entry), HM_OK);
    hm_pack *k = pack();
    char *text = config_text(NULL);
    hm_run_options o = { .config = "city.conf", .threads = 1 };
    hm_run_env env = { sizeof env, text, &sink, 1, NULL, NULL, NULL };
    hm_run_summary *s;
    /* the process ends with the program's status, never the guard's 2 */
    hm_run_with(k, &o, &env, &s, err, sizeof err);
    ck_abort_msg("the run went on after the plugin's exit(7)");
}
END_TEST

START_TEST(configuration_text_into_a_results_database)
{
    /* the text without a sink: the run goes to o.out as hm_run's would */
    hm_pack *k = pack();
    char *text = config_text(NULL);
    unlink("text.db");
    hm_run_options o = { .config = "city.conf", .out = "text.db", .threads = 2 };
    hm_run_env env = { sizeof env, text, NULL, 1, NULL, NULL, NULL };
    hm_run_summary *s;
    char err[1024];
    int rc = hm_run_with(k, &o, &env, &s, err, sizeof err);
    ck_assert_msg(rc == HM_OK, "%d: %s", rc, err);
    ck_assert_int_eq(hm_run_summary_households(s), 4);
    ck_assert_int_eq(plugin_off_thread, 0);
    struct stat st;
    ck_assert_int_eq(stat("text.db", &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    hm_run_summary_free(s);
    free(text);
    hm_pack_free(k);
}
END_TEST

/* the status of policy `name` in r, or 0 */
static int status_of(const hm_result *r, const char *name)
{
    for (int i = 0; i < hm_result_count(r); i++)
        if (strcmp(hm_result_policy_name(r, i), name) == 0)
            return hm_result_status(r, i);
    return 0;
}

START_TEST(given_tables_of_the_pack_apply)
{
    /* dibao reads the region table the examples' files give (`given table region`) */
    hm_compiler *c = hm_compiler_new();
    ck_assert_int_eq(hm_compiler_add_path(c, getenv("HM_EXAMPLES")), HM_OK);
    hm_pack *k;
    ck_assert_int_eq(hm_compiler_pack(c, &k), HM_OK);
    hm_compiler *src = hm_compiler_new();
    ck_assert_int_eq(hm_compiler_add_pack(src, k), HM_OK);
    ck_assert_int_eq(hm_compiler_check(src), HM_OK);
    const char *json = "{\"household\": {\"region\": \"330100\", \"assets\": 10000, \"other_housing\": false,"
                       " \"members\": [{\"birth_date\": \"1980-01-01\", \"deceased\": false,"
                       " \"monthly_income\": 1000, \"medical_selfpay\": 0}]}}";
    char err[512];
    hm_household *h;
    ck_assert_msg(hm_household_from_json(k, json, strlen(json), "h.json", &h, err, sizeof err) == HM_OK, "%s", err);
    hm_evaluator *e = hm_evaluator_new(k);
    hm_result *r;
    ck_assert_int_eq(hm_evaluate(e, h, "2024-08-01", &r, err, sizeof err), HM_OK);
    ck_assert_int_eq(status_of(r, "dibao"), HM_UNDETERMINED);
    hm_result_free(r);
    /* twice: the second finds the program already compared */
    for (int i = 0; i < 2; i++) {
        hm_household *h2;
        ck_assert_int_eq(hm_household_from_json(k, json, strlen(json), "h.json", &h2, err, sizeof err), HM_OK);
        ck_assert_msg(hm_household_add_given_tables(h2, src, err, sizeof err) == HM_OK, "%s", err);
        ck_assert_int_eq(hm_evaluate(e, h2, "2024-08-01", &r, err, sizeof err), HM_OK);
        ck_assert_int_eq(status_of(r, "dibao"), HM_ELIGIBLE);
        hm_result_free(r);
        hm_household_free(h2);
    }
    /* a compiler of another program is refused */
    hm_compiler *other = hm_compiler_new();
    const char *pol = "policy x \"x\" for household {\n  eligible when true \"t\"\n}\n";
    ck_assert_int_eq(hm_compiler_add_source(other, "x.pol", pol, strlen(pol)), HM_OK);
    ck_assert_int_eq(hm_household_add_given_tables(h, other, err, sizeof err), HM_EUSAGE);
    ck_assert_msg(strstr(err, "not those of the household's pack") != NULL, "%s", err);
    hm_compiler_free(other);
    hm_evaluator_free(e);
    hm_household_free(h);
    hm_compiler_free(src);
    hm_compiler_free(c);
    hm_pack_free(k);
}
END_TEST

int main(void)
{
    const char *dir = getenv("HM_DIR");
    if (!dir || chdir(dir) != 0 || !getenv("HM_PACK") || !getenv("HM_SQLITE_SO") || !getenv("EXPECTED") ||
        !getenv("HM_EXAMPLES")) {
        fprintf(stderr, "check_run_with: set HM_DIR, HM_PACK, HM_SQLITE_SO, EXPECTED and HM_EXAMPLES\n");
        return 2;
    }
    Suite *su = suite_create("run_with");
    TCase *tc = tcase_create("run_with");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, same_rows_as_the_results_database);
    tcase_add_test(tc, threads_never_take_signals);
    tcase_add_test(tc, a_failing_sink_stops_the_run);
    tcase_add_test(tc, a_registered_plugin_is_never_isolated);
    tcase_add_test(tc, register_wants_a_plain_name);
    tcase_add_test(tc, an_incomplete_sink_or_env_is_refused);
    tcase_add_test(tc, sources_read_at_once_while_the_caller_serves);
    tcase_add_test(tc, an_env_of_the_earlier_size_is_taken);
    tcase_add_test(tc, a_bad_configuration_text_names_its_line);
    tcase_add_test(tc, a_node_ignores_the_cluster_section);
    tcase_add_test(tc, given_tables_of_the_pack_apply);
    tcase_add_test(tc, configuration_text_into_a_results_database);
    /* a test that ends the process can run only in a process of its own */
    const char *fork = getenv("CK_FORK");
    if (!fork || strcmp(fork, "no") != 0)
        tcase_add_exit_test(tc, a_registered_plugin_may_end_the_process, 7);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
