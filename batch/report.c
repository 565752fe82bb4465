/* report.c -- `huimin report RESULTS.db`: the statistics of one run of a
 * results database (see results.h).  Per policy: how many were eligible and
 * the total amount; how many were not, by the condition that failed; how
 * many were undetermined, by each fact they could not use; and how many by
 * a runtime error.  The breakdowns need a run made with --reasons; for any
 * other run only the counts are printed.
 *
 * The database is opened read-only (after rolling back the hot journal a
 * killed run left, see recover()), and the run's decisions are read in
 * one pass whatever the number of policies.  A run that recorded what it
 * stored (runs.store) counted its not eligible decisions in
 * run_not_eligible, whether it stored their rows or not: they are read
 * from there, so that the report is the same either way; likewise the not
 * applicable ones in run_not_applicable, counted apart from the others.
 *
 * Every amount is printed with its period (per month, per year, once),
 * and a monthly one also per year (× 12).  The amounts of different
 * policies are never added: one may be a benefit, another a deduction or
 * a tax. */
#include "fen.h"
#include "html.h"
#include "huimin.h"
#include "mask.h"
#include "mem.h"

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct tally {          /* a reason or a missing fact, and how often */
    char *text;
    int64_t count;
} tally;

typedef struct tallies {
    tally *v;
    size_t n, cap;
} tallies;

typedef struct policy_stats {
    int32_t policy;             /* its number in run_policies */
    char *name, *label, *entity;
    int64_t eligible, not_eligible, undetermined, errors;
    int64_t not_applicable;     /* `for … where` left it out */
    int64_t no_missing;         /* undetermined, no error, none of its own facts missing */
    int64_t amount;
    int has_amount;             /* some eligible decision has an amount */
    int period;                 /* of its amounts: HM_PERIOD_*, or -1 when the run did not record it */
    tallies failed, missing;
} policy_stats;

typedef struct report {
    const char *path;
    sqlite3 *db;
    int64_t run;
    char as_of[32];
    int64_t households, persons;
    int reasons;
    int kleene;                 /* the run was made with --kleene (runs.settled = 0) */
    int counted;                /* its not eligible decisions are counted in run_not_eligible */
    int counted_na;             /* its not applicable ones in run_not_applicable */
    char *store, *started, *finished, *pack_hash, *version;   /* for the page: NULL when not recorded */
    policy_stats *pol;
    int32_t npol;
    char *err;
    size_t errlen;
} report;

static int failf(report *R, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int failf(report *R, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(R->err, R->errlen, fmt, ap);
    va_end(ap);
    return status;
}

static int sql_fail(report *R, const char *what)
{
    int code = sqlite3_errcode(R->db);
    if (code == SQLITE_NOMEM)
        return failf(R, HM_ENOMEM, "out of memory");
    /* a file that is not an SQLite database at all */
    if (code == SQLITE_NOTADB)
        return failf(R, HM_EIO, "%s: not a huimin results database (%s)", R->path, sqlite3_errmsg(R->db));
    return failf(R, HM_EIO, "%s: %s: %s", R->path, what, sqlite3_errmsg(R->db));
}

static char *dup_column(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return mem_strdup(t ? (const char *)t : "");
}

/* ---- tallies -------------------------------------------------------------- */

static int tally_add(tallies *t, const char *text, size_t len, int64_t count)
{
    for (size_t i = 0; i < t->n; i++)
        if (strlen(t->v[i].text) == len && memcmp(t->v[i].text, text, len) == 0) {
            t->v[i].count += count;
            return 0;
        }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        tally *v = mem_realloc(t->v, cap * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->cap = cap;
    }
    char *copy = mem_alloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, text, len);
    copy[len] = '\0';
    t->v[t->n++] = (tally){ copy, count };
    return 0;
}

/* most frequent first; ties in byte order of the text, for stable output */
static int tally_cmp(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->text, y->text);
}

static void tallies_sort(tallies *t)
{
    /* an empty list has no array, and qsort wants one */
    if (t->n > 1)
        qsort(t->v, t->n, sizeof *t->v, tally_cmp);
}

static void tallies_free(tallies *t)
{
    for (size_t i = 0; i < t->n; i++)
        mem_free(t->v[i].text);
    mem_free(t->v);
}

/* `missing` is "person.deceased (stale), household.assets": each fact, with
 * its state, counted on its own */
static int tally_missing(tallies *t, const char *missing, int64_t count)
{
    const char *at = missing;
    while (*at) {
        const char *end = strstr(at, ", ");
        size_t len = end ? (size_t)(end - at) : strlen(at);
        if (len && tally_add(t, at, len, count))
            return -1;
        at += len;
        if (end)
            at += 2;
    }
    return 0;
}

/* ---- reading the run -------------------------------------------------------- */

/* A run killed while writing (or stopped by a full disk) leaves a hot
 * rollback journal, which a read-only connection cannot roll back: SQLite
 * says "attempt to write a readonly database".  The database is opened
 * read-write once, which rolls it back, when the file and its folder may
 * be written; otherwise the message says how. */
static int recover(report *R)
{
    size_t n = strlen(R->path);
    char *journal = mem_alloc(n + 9);
    if (!journal)
        return failf(R, HM_ENOMEM, "out of memory");
    memcpy(journal, R->path, n);
    memcpy(journal + n, "-journal", 9);
    struct stat sb;
    int hot = stat(journal, &sb) == 0 && sb.st_size > 0;
    mem_free(journal);
    if (!hot)
        return HM_OK;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(R->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        /* any read rolls a hot journal back (a journal of a run still
         * writing is not hot: that run holds its lock, and is waited for
         * or left alone) */
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    }
    int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
    sqlite3_close(db);
    if (rc == SQLITE_OK || code == SQLITE_BUSY)
        return HM_OK;
    if (code == SQLITE_NOMEM)
        return failf(R, HM_ENOMEM, "out of memory");
    if (code == SQLITE_NOTADB)
        return HM_OK;   /* said when it is opened */
    return failf(R, HM_EIO, "%s: a run was interrupted while writing it, and its journal %s-journal must "
                 "be rolled back before it can be read, which needs write access to the file and its "
                 "folder: run `huimin report` (or `sqlite3 %s 'PRAGMA quick_check'`) once as a user who "
                 "may write them", R->path, R->path, R->path);
}

static int open_db(report *R)
{
    struct stat sb;
    if (stat(R->path, &sb) != 0)
        return failf(R, HM_EIO, "%s: %s", R->path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return failf(R, HM_EIO, "%s: is a directory, not a results database", R->path);
    int rc = recover(R);
    if (rc != HM_OK)
        return rc;
    if (sqlite3_open_v2(R->path, &R->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        if (!R->db)
            return failf(R, HM_ENOMEM, "out of memory");
        return sql_fail(R, "cannot open");
    }
    sqlite3_busy_timeout(R->db, 5000);
    /* the tables every results database has, whatever huimin made it */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(R->db,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                           "('runs', 'run_policies', 'run_reasons', 'decision_rows')", -1, &st,
                           NULL) != SQLITE_OK)
        return sql_fail(R, "reading the schema");
    rc = sqlite3_step(st);
    int ntables = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return sql_fail(R, "reading the schema");
    if (ntables != 4)
        return failf(R, HM_EIO, "%s: not a huimin results database (it has no runs and decisions tables)",
                     R->path);
    return HM_OK;
}

/* Has table `table` column `name`?  1, 0, or -1 on an error. */
static int table_has(report *R, const char *table, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(R->db, "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int has = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? has : -1;
}

static int read_run(report *R, int run)
{
    sqlite3_stmt *st;
    /* runs.reasons came with --reasons: the runs of an older database (and
     * of a run where it is NULL) all stored their reasons; runs.settled
     * came with --kleene: only 0 there says a run did not settle */
    int has_reasons = table_has(R, "runs", "reasons"), has_settled = table_has(R, "runs", "settled"),
        has_store = table_has(R, "runs", "store");
    if (has_reasons < 0 || has_settled < 0 || has_store < 0)
        return sql_fail(R, "reading the runs");
    int rc;
    if (sqlite3_prepare_v2(R->db, "SELECT max(run_id) FROM runs", -1, &st, NULL) != SQLITE_OK)
        return sql_fail(R, "reading the runs");
    rc = sqlite3_step(st);
    int have_runs = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    int64_t latest = have_runs ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return sql_fail(R, "reading the runs");
    if (!have_runs)
        return failf(R, HM_EUSAGE, "%s: no runs yet", R->path);
    R->run = run > 0 ? run : latest;
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT as_of, households, persons, %s, %s, %s FROM runs WHERE run_id = ?",
             has_reasons ? "reasons" : "NULL", has_settled ? "settled" : "NULL", has_store ? "store" : "NULL");
    if (sqlite3_prepare_v2(R->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(R, "reading the runs");
    sqlite3_bind_int64(st, 1, R->run);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *as_of = sqlite3_column_text(st, 0);
        snprintf(R->as_of, sizeof R->as_of, "%s", as_of ? (const char *)as_of : "?");
        R->households = sqlite3_column_int64(st, 1);
        R->persons = sqlite3_column_int64(st, 2);
        R->reasons = sqlite3_column_type(st, 3) == SQLITE_NULL || sqlite3_column_int(st, 3) != 0;
        R->kleene = sqlite3_column_type(st, 4) != SQLITE_NULL && sqlite3_column_int(st, 4) == 0;
        R->counted = sqlite3_column_type(st, 5) != SQLITE_NULL;
    }
    sqlite3_finalize(st);
    /* a database of schema version 4 or later counts the not applicable */
    sqlite3_stmt *na;
    if (R->counted && sqlite3_prepare_v2(R->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                                "name = 'run_not_applicable'", -1, &na, NULL) == SQLITE_OK) {
        R->counted_na = sqlite3_step(na) == SQLITE_ROW && sqlite3_column_int(na, 0) > 0;
        sqlite3_finalize(na);
    }
    if (rc == SQLITE_DONE)
        return failf(R, HM_EUSAGE, "%s: no run %lld (the latest is run %lld)", R->path, (long long)R->run,
                     (long long)latest);
    return rc == SQLITE_ROW ? HM_OK : sql_fail(R, "reading the runs");
}

/* What else the page shows of the run, from the columns its database has. */
static int read_facts(report *R)
{
    static const char *const col[] = { "store", "started", "finished", "pack_hash", "huimin_version" };
    char **to[] = { &R->store, &R->started, &R->finished, &R->pack_hash, &R->version };
    char sql[200] = "SELECT ";
    for (size_t i = 0; i < sizeof col / sizeof *col; i++) {
        int has = table_has(R, "runs", col[i]);
        if (has < 0)
            return sql_fail(R, "reading the runs");
        size_t at = strlen(sql);
        snprintf(sql + at, sizeof sql - at, "%s%s", i ? ", " : "", has ? col[i] : "NULL");
    }
    size_t at = strlen(sql);
    snprintf(sql + at, sizeof sql - at, " FROM runs WHERE run_id = ?");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(R->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(R, "reading the runs");
    sqlite3_bind_int64(st, 1, R->run);
    int rc = sqlite3_step(st), nomem = 0;
    for (size_t i = 0; rc == SQLITE_ROW && i < sizeof col / sizeof *col; i++)
        if (sqlite3_column_type(st, (int)i) != SQLITE_NULL && !(*to[i] = dup_column(st, (int)i)))
            nomem = 1;
    sqlite3_finalize(st);
    if (nomem)
        return failf(R, HM_ENOMEM, "out of memory");
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HM_OK : sql_fail(R, "reading the runs");
}

static int read_policies(report *R, const char *policy)
{
    sqlite3_stmt *st;
    /* run_policies.period came with the periods of amounts: NULL, or no
     * such column, in the runs of an older huimin */
    int has_period = table_has(R, "run_policies", "period");
    if (has_period < 0)
        return sql_fail(R, "reading the policies");
    if (sqlite3_prepare_v2(R->db,
                           has_period ? "SELECT policy, name, label, entity_kind, period FROM run_policies "
                                        "WHERE run_id = ?1 AND (?2 IS NULL OR name = ?2) "
                                        "ORDER BY entity_kind <> 'household', policy"
                                      : "SELECT policy, name, label, entity_kind, NULL FROM run_policies "
                                        "WHERE run_id = ?1 AND (?2 IS NULL OR name = ?2) "
                                        "ORDER BY entity_kind <> 'household', policy",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(R, "reading the policies");
    sqlite3_bind_int64(st, 1, R->run);
    if (policy)
        sqlite3_bind_text(st, 2, policy, -1, SQLITE_STATIC);
    int rc, cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (R->npol == cap) {
            int ncap = cap ? 2 * cap : 16;
            policy_stats *v = mem_realloc(R->pol, (size_t)ncap * sizeof *v);
            if (!v)
                break;
            R->pol = v;
            cap = ncap;
        }
        policy_stats *P = &R->pol[R->npol++];
        memset(P, 0, sizeof *P);
        P->policy = sqlite3_column_int(st, 0);
        P->name = dup_column(st, 1);
        P->label = dup_column(st, 2);
        P->entity = dup_column(st, 3);
        int period = sqlite3_column_int(st, 4);
        P->period = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1
                  : period == HM_PERIOD_MONTH || period == HM_PERIOD_YEAR ? period : HM_PERIOD_ONCE;
        if (!P->name || !P->label || !P->entity)
            break;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return failf(R, HM_ENOMEM, "out of memory");
    if (rc != SQLITE_DONE)
        return sql_fail(R, "reading the policies");
    if (policy && R->npol == 0)
        return failf(R, HM_EUSAGE, "%s: run %lld has no policy `%s`", R->path, (long long)R->run, policy);
    return HM_OK;
}

static policy_stats *find_policy(report *R, int32_t policy)
{
    for (int32_t i = 0; i < R->npol; i++)
        if (R->pol[i].policy == policy)
            return &R->pol[i];
    return NULL;
}

/* ---- the run's decisions, grouped ------------------------------------------ */

/* Decisions with the same policy, status, reason and missing facts.  They
 * are counted in a hash table during one pass over the run's rows: GROUP BY
 * in SQL would sort every row first, several times slower. */
typedef struct group {
    uint64_t hash;
    int32_t policy;
    int status;
    int64_t reason;             /* -1: NULL */
    char *missing;              /* NULL: NULL */
    int64_t count, amount;      /* count 0: a free slot */
    int has_amount;
} group;

typedef struct groups {
    group *slot;
    size_t cap, n;              /* cap a power of two; n below cap / 2 */
} groups;

static uint64_t group_hash(int32_t policy, int status, int64_t reason, const char *missing)
{
    /* FNV-1a */
    uint64_t h = 14695981039346656037ULL;
    h = (h ^ (uint64_t)(uint32_t)policy) * 1099511628211ULL;
    h = (h ^ (uint64_t)status) * 1099511628211ULL;
    h = (h ^ (uint64_t)reason) * 1099511628211ULL;
    for (const unsigned char *c = (const unsigned char *)missing; c && *c; c++)
        h = (h ^ *c) * 1099511628211ULL;
    return h;
}

static int groups_grow(groups *G)
{
    size_t cap = G->cap ? 2 * G->cap : 256;
    group *slot = mem_calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < G->cap; i++) {
        if (!G->slot[i].count)
            continue;
        size_t k = G->slot[i].hash & (cap - 1);
        while (slot[k].count)
            k = (k + 1) & (cap - 1);
        slot[k] = G->slot[i];
    }
    mem_free(G->slot);
    G->slot = slot;
    G->cap = cap;
    return 0;
}

/* count n decisions into their group; -1 when out of memory, 1 when its
 * group's total amount overflows */
static int groups_add(groups *G, int32_t policy, int status, int64_t reason, const char *missing,
                      int has_amount, int64_t amount, int64_t n)
{
    if (2 * (G->n + 1) > G->cap && groups_grow(G))
        return -1;
    uint64_t h = group_hash(policy, status, reason, missing);
    size_t k = h & (G->cap - 1);
    group *g;
    for (;; k = (k + 1) & (G->cap - 1)) {
        g = &G->slot[k];
        if (!g->count) {
            char *copy = missing ? mem_strdup(missing) : NULL;
            if (missing && !copy)
                return -1;
            *g = (group){ h, policy, status, reason, copy, 0, 0, 0 };
            G->n++;
            break;
        }
        if (g->hash == h && g->policy == policy && g->status == status && g->reason == reason &&
            (g->missing ? missing && !strcmp(g->missing, missing) : !missing))
            break;
    }
    g->count += n;
    if (has_amount) {
        if (__builtin_add_overflow(g->amount, amount, &g->amount))
            return 1;
        g->has_amount = 1;
    }
    return 0;
}

static void groups_free(groups *G)
{
    for (size_t i = 0; i < G->cap; i++)
        mem_free(G->slot[i].missing);
    mem_free(G->slot);
}

/* A total beyond the range of money: refused, as SQLite's SUM() says
 * "integer overflow", never printed wrapped. */
static int overflow(report *R, int32_t policy)
{
    const policy_stats *P = find_policy(R, policy);
    return failf(R, HM_EIO, "%s: run %lld, policy %s: the total amount of its eligible decisions is beyond "
                 "92233720368547758.07 (integer overflow)", R->path, (long long)R->run, P ? P->name : "?");
}

static int scan_decisions(report *R, const char *policy, groups *G)
{
    sqlite3_stmt *st;
    /* the not eligible ones from their counts when the run kept them */
    if (sqlite3_prepare_v2(R->db,
                           R->counted_na ? "SELECT policy, status, reason, missing, amount_fen, 1 FROM decision_rows "
                                        "WHERE run_id = ?1 AND (?2 IS NULL OR policy = ?2) AND status NOT IN (2, 4) "
                                        "UNION ALL SELECT policy, 2, reason, NULL, NULL, count FROM run_not_eligible "
                                        "WHERE run_id = ?1 AND (?2 IS NULL OR policy = ?2) "
                                        "UNION ALL SELECT policy, 4, NULL, NULL, NULL, count FROM run_not_applicable "
                                        "WHERE run_id = ?1 AND (?2 IS NULL OR policy = ?2)"
                           : R->counted ? "SELECT policy, status, reason, missing, amount_fen, 1 FROM decision_rows "
                                        "WHERE run_id = ?1 AND (?2 IS NULL OR policy = ?2) AND status <> 2 "
                                        "UNION ALL SELECT policy, 2, reason, NULL, NULL, count FROM run_not_eligible "
                                        "WHERE run_id = ?1 AND (?2 IS NULL OR policy = ?2)"
                                      : "SELECT policy, status, reason, missing, amount_fen, 1 FROM decision_rows "
                                        "WHERE run_id = ?1 AND (?2 IS NULL OR policy = ?2)", -1, &st, NULL) != SQLITE_OK)
        return sql_fail(R, "reading the decisions");
    sqlite3_bind_int64(st, 1, R->run);
    if (policy)
        sqlite3_bind_int(st, 2, R->pol[0].policy);
    int rc, bad = 0;
    int32_t pol = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t reason = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
        pol = sqlite3_column_int(st, 0);
        if ((bad = groups_add(G, pol, sqlite3_column_int(st, 1), reason,
                              (const char *)sqlite3_column_text(st, 3), sqlite3_column_type(st, 4) != SQLITE_NULL,
                              sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5))) != 0)
            break;
    }
    sqlite3_finalize(st);
    if (bad > 0)
        return overflow(R, pol);
    if (bad)
        return failf(R, HM_ENOMEM, "out of memory");
    return rc == SQLITE_DONE ? HM_OK : sql_fail(R, "reading the decisions");
}

/* The text of a not eligible decision's reason, into buf. */
static int reason_text(report *R, sqlite3_stmt *st, int64_t reason, char *buf, size_t n)
{
    if (reason < 0) {
        snprintf(buf, n, "(no reason recorded)");
        return HM_OK;
    }
    sqlite3_bind_int64(st, 2, reason);
    int rc = sqlite3_step(st);
    const unsigned char *text = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    if (text)
        snprintf(buf, n, "%s", (const char *)text);
    else
        snprintf(buf, n, "(reason %lld, not in run_reasons)", (long long)reason);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HM_OK : sql_fail(R, "reading the reasons");
}

static int read_decisions(report *R, const char *policy)
{
    groups G = { NULL, 0, 0 };
    sqlite3_stmt *st = NULL;
    int rc = scan_decisions(R, policy, &G);
    if (rc == HM_OK && sqlite3_prepare_v2(R->db, "SELECT text FROM run_reasons WHERE run_id = ?1 AND reason = ?2",
                                          -1, &st, NULL) != SQLITE_OK)
        rc = sql_fail(R, "reading the reasons");
    if (st)
        sqlite3_bind_int64(st, 1, R->run);
    for (size_t i = 0; i < G.cap && rc == HM_OK; i++) {
        const group *g = &G.slot[i];
        policy_stats *P = g->count ? find_policy(R, g->policy) : NULL;
        if (!P)
            continue;
        if (g->status == 1) {
            P->eligible += g->count;
            if (__builtin_add_overflow(P->amount, g->amount, &P->amount)) {
                rc = overflow(R, P->policy);
                break;
            }
            P->has_amount |= g->has_amount;
        } else if (g->status == 4) {
            P->not_applicable += g->count;
        } else if (g->status == 2) {
            P->not_eligible += g->count;
            char text[1024];
            if (R->reasons && (rc = reason_text(R, st, g->reason, text, sizeof text)) == HM_OK &&
                tally_add(&P->failed, text, strlen(text), g->count))
                rc = failf(R, HM_ENOMEM, "out of memory");
        } else {
            P->undetermined += g->count;
            if (!R->reasons)
                continue;
            /* the reason of an undetermined decision is its runtime error */
            if (g->reason >= 0)
                P->errors += g->count;
            else if (!g->missing)
                P->no_missing += g->count;
            else if (tally_missing(&P->missing, g->missing, g->count))
                rc = failf(R, HM_ENOMEM, "out of memory");
        }
    }
    sqlite3_finalize(st);
    groups_free(&G);
    if (rc != HM_OK)
        return rc;
    for (int32_t i = 0; i < R->npol; i++) {
        tallies_sort(&R->pol[i].failed);
        tallies_sort(&R->pol[i].missing);
    }
    return HM_OK;
}

/* ---- printing ------------------------------------------------------------------- */

/* "per month", "per year", "once" */
static const char *period_text(int period)
{
    return period == HM_PERIOD_MONTH ? "per month" : period == HM_PERIOD_YEAR ? "per year"
         : period == HM_PERIOD_ONCE ? "once" : "(period not recorded)";
}

static const char *period_key(int period)
{
    return period == HM_PERIOD_MONTH ? "month" : period == HM_PERIOD_YEAR ? "year"
         : period == HM_PERIOD_ONCE ? "once" : NULL;
}

/* A policy's amount for a year: per month × 12, per year as it is; 0 for
 * a lump sum or an unknown period, -1 when beyond the range of money. */
static int per_year(const policy_stats *P, int64_t *fen)
{
    if (P->period == HM_PERIOD_MONTH)
        return __builtin_mul_overflow(P->amount, (int64_t)12, fen) ? -1 : 1;
    *fen = P->amount;
    return P->period == HM_PERIOD_YEAR;
}

static void print_text(const report *R, FILE *out)
{
    fprintf(out, "run %lld as of %s: %lld households, %lld persons; reasons %s%s\n", (long long)R->run, R->as_of,
            (long long)R->households, (long long)R->persons, R->reasons ? "stored" : "not stored",
            R->kleene ? "; decided by Kleene's rules only (--kleene)" : "");
    if (!R->reasons)
        fprintf(out, "note: run %lld stored no reasons; rerun with --reasons for the breakdown by failed "
                "condition and missing fact\n", (long long)R->run);
    for (int32_t i = 0; i < R->npol; i++) {
        const policy_stats *P = &R->pol[i];
        fprintf(out, "\npolicy %s", P->name);
        if (P->label[0])
            fprintf(out, " \"%s\"", P->label);
        fprintf(out, " for %s\n", P->entity);
        fprintf(out, "  %-14s %10lld", "eligible", (long long)P->eligible);
        if (P->has_amount) {
            char money[32], year[32];
            int64_t fen;
            fen_format(P->amount, money, sizeof money);
            fprintf(out, "   amount %s %s", money, period_text(P->period));
            int y = P->period == HM_PERIOD_MONTH ? per_year(P, &fen) : 0;
            if (y > 0) {
                fen_format(fen, year, sizeof year);
                fprintf(out, " (× 12 = %s per year)", year);
            } else if (y < 0) {
                fprintf(out, " (per year beyond 92233720368547758.07)");
            }
        }
        fputc('\n', out);
        fprintf(out, "  %-14s %10lld\n", "not eligible", (long long)P->not_eligible);
        for (size_t k = 0; k < P->failed.n; k++)
            fprintf(out, "  %-14s %10lld   %s\n", "", (long long)P->failed.v[k].count, P->failed.v[k].text);
        /* only for the policies that say whom they are for */
        if (P->not_applicable)
            fprintf(out, "  %-14s %10lld\n", "not applicable", (long long)P->not_applicable);
        fprintf(out, "  %-14s %10lld\n", "undetermined", (long long)P->undetermined);
        for (size_t k = 0; k < P->missing.n; k++)
            fprintf(out, "  %-14s %10lld   missing %s\n", "", (long long)P->missing.v[k].count,
                    P->missing.v[k].text);
        /* e.g. a person policy that used a household decision another
         * member's missing fact left undetermined */
        if (R->reasons && P->no_missing)
            fprintf(out, "  %-14s %10lld   no fact of its own missing\n", "", (long long)P->no_missing);
        if (R->reasons)
            fprintf(out, "  %-14s %10lld\n", "runtime errors", (long long)P->errors);
    }
}

/* ---- the page (--format html) ------------------------------------------------------ */

/* a policy in charts: its label, or its name when it has none */
static const char *policy_title(const policy_stats *P)
{
    return P->label[0] ? P->label : P->name;
}

/* A tally as bars, then the extra ones (counts of 0 left out), each
 * text with its ID numbers masked. */
static int tally_bars(report *R, html *h, const char *title, const tallies *t, const html_bar *extra,
                      size_t nextra)
{
    html_bar *bar = mem_calloc(t->n + nextra + 1, sizeof *bar);
    size_t n = 0;
    int rc = bar ? HM_OK : HM_ENOMEM;
    for (size_t k = 0; rc == HM_OK && k < t->n; k++) {
        char *masked = mem_alloc(strlen(t->v[k].text) + 1);
        if (!masked) {
            rc = HM_ENOMEM;
            break;
        }
        bar[n++] = (html_bar){ mask_text(t->v[k].text, masked), t->v[k].count };
    }
    for (size_t k = 0; rc == HM_OK && k < nextra; k++)
        if (extra[k].value)
            bar[n++] = extra[k];
    if (rc == HM_OK)
        html_bars(h, title, HTML_COUNT, bar, n);
    for (size_t k = 0; bar && k < t->n && k < n; k++)
        mem_free((char *)bar[k].label);
    mem_free(bar);
    return rc == HM_OK ? HM_OK : failf(R, HM_ENOMEM, "out of memory");
}

static void html_facts(const report *R, html *h)
{
    char buf[64];
    html_fact(h, "results database", R->path);
    snprintf(buf, sizeof buf, "%lld", (long long)R->run);
    html_fact(h, "run", buf);
    html_fact(h, "as of", R->as_of);
    html_fact(h, "households", html_fmt_count(R->households, buf, sizeof buf));
    html_fact(h, "persons", html_fmt_count(R->persons, buf, sizeof buf));
    html_fact(h, "reasons", R->reasons ? "stored"
              : "not stored: rerun with --reasons for the breakdown by failed condition and missing fact");
    if (R->store)
        html_fact(h, "decisions stored", !strcmp(R->store, "all") ? "all"
                  : "the answers (eligible and undetermined; the not eligible ones counted)");
    if (R->kleene)
        html_fact(h, "decided", "by Kleene's rules only (--kleene)");
    if (R->started)
        html_fact(h, "started", R->started);
    if (R->finished)
        html_fact(h, "finished", R->finished);
    if (R->pack_hash)
        html_fact(h, "policy pack", R->pack_hash);
    if (R->version)
        html_fact(h, "huimin version", R->version);
}

/* the policies: a table with every count and amount, and bars */
static int html_policies(report *R, html *h)
{
    html_section(h, "Policies");
    /* not applicable only when some policy says whom it is for, as in text */
    int na = 0;
    for (int32_t i = 0; i < R->npol; i++)
        na |= R->pol[i].not_applicable > 0;
    static const char *const head[] = { "policy", "for", "eligible", "not eligible", "undetermined",
                                        "amount (元)", "per", "for a year (元)" };
    static const char *const head_na[] = { "policy", "for", "eligible", "not eligible", "not applicable",
                                           "undetermined", "amount (元)", "per", "for a year (元)" };
    if (na)
        html_table_begin(h, NULL, 9, head_na, "llrrrrrlr");
    else
        html_table_begin(h, NULL, 8, head, "llrrrrlr");
    int years = 0, undetermined = 0;
    for (int32_t i = 0; i < R->npol; i++) {
        const policy_stats *P = &R->pol[i];
        int64_t fen = 0;
        int y = P->has_amount ? per_year(P, &fen) : 0;
        /* its name and label in one cell, as the text report heads a policy */
        char *name = mem_alloc(strlen(P->name) + strlen(P->label) + 8);
        if (!name)
            return failf(R, HM_ENOMEM, "out of memory");
        if (P->label[0])
            sprintf(name, "%s “%s”", P->name, P->label);
        else
            strcpy(name, P->name);
        html_cell(h, name);
        mem_free(name);
        html_cell(h, P->entity);
        html_cell_count(h, P->eligible);
        html_cell_count(h, P->not_eligible);
        if (na)
            html_cell_count(h, P->not_applicable);
        html_cell_count(h, P->undetermined);
        if (P->has_amount)
            html_cell_fen(h, P->amount);
        else
            html_cell(h, "-");
        html_cell(h, P->has_amount ? period_key(P->period) ? period_key(P->period) : "(not recorded)" : "-");
        if (y > 0)
            html_cell_fen(h, fen);
        else
            html_cell(h, y < 0 ? "beyond 92,233,720,368,547,758.07" : "-");
        years += y > 0;
        undetermined += P->undetermined > 0;
    }
    html_table_end(h);
    html_para(h, "Each amount is the total of the policy's eligible decisions, with its period; a monthly "
                 "amount is also given for a year (× 12). The amounts of different policies are never "
                 "added: one may be a benefit, another a deduction.");
    html_bar *bar = mem_calloc((size_t)R->npol + 1, sizeof *bar);
    if (!bar)
        return failf(R, HM_ENOMEM, "out of memory");
    /* counts of households, of persons and of claims in charts of their own */
    for (int32_t i = 0; i < R->npol; i++) {
        const char *entity = R->pol[i].entity;
        int seen = 0;
        for (int32_t k = 0; k < i && !seen; k++)
            seen = !strcmp(R->pol[k].entity, entity);
        if (seen)
            continue;
        for (int pass = 0; pass < 1 + (undetermined > 0); pass++) {
            size_t n = 0;
            int some = 0;
            for (int32_t k = i; k < R->npol; k++)
                if (!strcmp(R->pol[k].entity, entity)) {
                    bar[n++] = (html_bar){ policy_title(&R->pol[k]),
                                           pass ? R->pol[k].undetermined : R->pol[k].eligible };
                    some |= bar[n - 1].value != 0;
                }
            if (pass && !some)
                continue;
            char title[160];
            snprintf(title, sizeof title, "%s, by policy (%ss)", pass ? "Undetermined" : "Eligible", entity);
            html_bars(h, title, HTML_COUNT, bar, n);
        }
    }
    if (years) {
        /* amounts for a year are comparable (never added): lump sums are not */
        size_t n = 0;
        for (int32_t i = 0; i < R->npol; i++) {
            int64_t fen;
            if (R->pol[i].has_amount && per_year(&R->pol[i], &fen) > 0)
                bar[n++] = (html_bar){ policy_title(&R->pol[i]), fen };
        }
        html_bars(h, "Amount for a year, by policy (元; a monthly amount × 12; lump sums left out)", HTML_FEN,
                  bar, n);
    }
    mem_free(bar);
    return HM_OK;
}

/* each policy's not eligible and undetermined decisions, by reason */
static int html_reasons(report *R, html *h)
{
    html_section(h, "Why not, and what was missing");
    if (!R->reasons) {
        html_para(h, "This run stored no reasons: rerun it with --reasons for the breakdown by failed "
                     "condition and missing fact.");
        return HM_OK;
    }
    int rc = HM_OK;
    for (int32_t i = 0; i < R->npol && rc == HM_OK; i++) {
        const policy_stats *P = &R->pol[i];
        char title[256];
        if (P->label[0])
            snprintf(title, sizeof title, "%s “%s” for %s", P->name, P->label, P->entity);
        else
            snprintf(title, sizeof title, "%s for %s", P->name, P->entity);
        html_heading(h, title);
        if (!P->not_eligible && !P->undetermined) {
            html_para(h, "Every decision was eligible or not applicable.");
            continue;
        }
        if (P->not_eligible) {
            char count[32];
            snprintf(title, sizeof title, "Not eligible (%s), by the condition that failed",
                     html_fmt_count(P->not_eligible, count, sizeof count));
            rc = tally_bars(R, h, title, &P->failed, NULL, 0);
        }
        if (P->undetermined && rc == HM_OK) {
            char count[32];
            snprintf(title, sizeof title, "Undetermined (%s), by the fact missing (a decision that missed two "
                     "facts counts under both)", html_fmt_count(P->undetermined, count, sizeof count));
            html_bar extra[] = { { "no fact of its own missing", P->no_missing },
                                 { "a runtime error", P->errors } };
            rc = tally_bars(R, h, title, &P->missing, extra, 2);
        }
    }
    return rc;
}

/* the data issues of the run, counted by source, fact and kind (never
 * listed by entity: the page shows no ids) */
static int html_issues(report *R, html *h)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(R->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'data_issues'",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(R, "reading the data issues");
    int has = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (!has)
        return HM_OK;
    if (sqlite3_prepare_v2(R->db, "SELECT source, entity_kind, field, issue, count(*) FROM data_issues "
                                  "WHERE run_id = ? GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 1, 2, 3, 4",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(R, "reading the data issues");
    sqlite3_bind_int64(st, 1, R->run);
    html_section(h, "Data issues");
    static const char *const head[] = { "source", "for", "fact", "issue", "count" };
    int rc, rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!rows++) {
            html_para(h, "Values the sources gave that could not be used: the facts concerned are unknown, "
                         "and the decisions that needed them undetermined.");
            html_table_begin(h, NULL, 5, head, "llllr");
        }
        for (int c = 0; c < 4; c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            html_cell(h, t ? (const char *)t : "");
        }
        html_cell_count(h, sqlite3_column_int64(st, 4));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sql_fail(R, "reading the data issues");
    if (rows)
        html_table_end(h);
    else
        html_para(h, "None: every value the sources gave could be used.");
    return HM_OK;
}

static int print_html(report *R, FILE *out)
{
    char title[96];
    snprintf(title, sizeof title, "huimin report: run %lld as of %s", (long long)R->run, R->as_of);
    html *h = html_begin(out, title, "en");
    if (!h)
        return failf(R, HM_ENOMEM, "out of memory");
    html_facts(R, h);
    int rc = html_policies(R, h);
    if (rc == HM_OK)
        rc = html_reasons(R, h);
    if (rc == HM_OK)
        rc = html_issues(R, h);
    if (html_end(h) != 0 && rc == HM_OK)
        rc = errno == ENOMEM ? failf(R, HM_ENOMEM, "out of memory")
           : failf(R, HM_EIO, "writing the report: %s", strerror(errno));
    return rc;
}

/* json_object_set_new() takes the value even when it fails, and fails on a
 * NULL value: the report is built without checking each value first, and a
 * failure anywhere shows in the returned sum. */
static int put(json_t *o, const char *key, json_t *value)
{
    return json_object_set_new(o, key, value) ? 1 : 0;
}

/* [{KEY: text, "count": n}, …], or null when the run stored no reasons */
static json_t *json_tallies(const report *R, const tallies *t, const char *key)
{
    if (!R->reasons)
        return json_null();
    json_t *a = json_array();
    for (size_t k = 0; a && k < t->n; k++) {
        json_t *o = json_object();
        int bad = put(o, key, json_string(t->v[k].text));
        bad += put(o, "count", json_integer(t->v[k].count));
        if (bad || json_array_append_new(a, o)) {
            if (bad)
                json_decref(o);
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *json_policy(const report *R, const policy_stats *P)
{
    char money[32], year[32];
    int64_t fen = 0;
    fen_format(P->amount, money, sizeof money);
    int y = P->has_amount ? per_year(P, &fen) : 0;
    fen_format(fen, year, sizeof year);
    const char *period = P->has_amount ? period_key(P->period) : NULL;
    json_t *o = json_object();
    int bad = put(o, "policy", json_string(P->name));
    bad += put(o, "label", json_string(P->label));
    bad += put(o, "entity", json_string(P->entity));
    bad += put(o, "eligible", json_integer(P->eligible));
    bad += put(o, "amount", P->has_amount ? json_string(money) : json_null());
    bad += put(o, "period", period ? json_string(period) : json_null());
    /* null for a lump sum, an unknown period, or beyond the range of money */
    bad += put(o, "amount_per_year", y > 0 ? json_string(year) : json_null());
    bad += put(o, "not_eligible", json_integer(P->not_eligible));
    bad += put(o, "undetermined", json_integer(P->undetermined));
    bad += put(o, "not_applicable", json_integer(P->not_applicable));
    bad += put(o, "failed_on", json_tallies(R, &P->failed, "reason"));
    bad += put(o, "missing", json_tallies(R, &P->missing, "fact"));
    bad += put(o, "no_missing_fact", R->reasons ? json_integer(P->no_missing) : json_null());
    bad += put(o, "runtime_errors", R->reasons ? json_integer(P->errors) : json_null());
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* the whole report, or NULL when out of memory */
static json_t *json_report(const report *R)
{
    json_t *run = json_object(), *pols = json_array(), *root = json_object();
    int bad = put(run, "run_id", json_integer(R->run));
    bad += put(run, "as_of", json_string(R->as_of));
    bad += put(run, "households", json_integer(R->households));
    bad += put(run, "persons", json_integer(R->persons));
    bad += put(run, "reasons", json_boolean(R->reasons));
    bad += put(run, "kleene", json_boolean(R->kleene));
    for (int32_t i = 0; i < R->npol && !bad; i++)
        bad += json_array_append_new(pols, json_policy(R, &R->pol[i])) ? 1 : 0;
    bad += put(root, "run", run);
    bad += put(root, "policies", pols);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

/* ---- the entry point ---------------------------------------------------------------- */

int hm_report(const char *db, int run, const char *policy, int format, FILE *out, char *err, size_t errlen)
{
    err[0] = '\0';
    report R;
    memset(&R, 0, sizeof R);
    R.path = db;
    R.err = err;
    R.errlen = errlen;
    int rc;
    if (format != HM_FORMAT_TABLE && format != HM_FORMAT_JSON && format != HM_FORMAT_HTML)
        rc = failf(&R, HM_EUSAGE, "unknown report format %d", format);
    else if ((rc = open_db(&R)) == HM_OK && (rc = read_run(&R, run)) == HM_OK &&
             (rc = read_policies(&R, policy)) == HM_OK && (rc = read_decisions(&R, policy)) == HM_OK &&
             (format != HM_FORMAT_HTML || (rc = read_facts(&R)) == HM_OK)) {
        if (format == HM_FORMAT_HTML) {
            rc = print_html(&R, out);
        } else if (format == HM_FORMAT_JSON) {
            json_t *root = json_report(&R);
            if (!root)
                rc = failf(&R, HM_ENOMEM, "out of memory");
            else if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', out) == EOF)
                rc = failf(&R, HM_EIO, "writing the report: %s", ferror(out) ? strerror(errno) : "out of memory");
            json_decref(root);
        } else {
            print_text(&R, out);
        }
        if (rc == HM_OK && (fflush(out) != 0 || ferror(out)))
            rc = failf(&R, HM_EIO, "writing the report: %s", strerror(errno));
    }
    for (int32_t i = 0; i < R.npol; i++) {
        mem_free(R.pol[i].name);
        mem_free(R.pol[i].label);
        mem_free(R.pol[i].entity);
        tallies_free(&R.pol[i].failed);
        tallies_free(&R.pol[i].missing);
    }
    mem_free(R.pol);
    mem_free(R.store);
    mem_free(R.started);
    mem_free(R.finished);
    mem_free(R.pack_hash);
    mem_free(R.version);
    sqlite3_close(R.db);
    return rc;
}
