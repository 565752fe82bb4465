/* cluster.c -- `huimin run POLICIES --config FILE --out RESULTS.db` when
 * FILE has a [cluster] section: the households are spread over PostgreSQL
 * nodes (huimin.shard_of), and each node evaluates its own shard inside
 * the database with the extension's huimin.run.  Every node, at once:
 *
 *   BEGIN; SELECT huimin.load_pack(…); SELECT huimin.run(…);
 *   read that run's rows back, in the same transaction; ROLLBACK
 *
 * and the rows of all nodes are recorded here as ONE run of the SQLite
 * results database: entity numbers renumbered per node, counts summed,
 * each node's sources named SOURCE@nodeK.  Nothing is ever committed on a
 * node.  Any node failing (refused, an error, stopped) fails the whole run:
 * the others are cancelled and rolled back, nothing is recorded. */
#include "cluster.h"
#include "calendar.h"
#include "configfile.h"
#include "given.h"
#include "mem.h"
#include "module.h"
#include "pack.h"
#include "results.h"
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* what a node is doing, in this order */
enum { N_CONNECT, N_BEGIN, N_LOAD, N_RUN, N_RAN, N_FAILED };

typedef struct node {
    int index;
    char *where;                /* its connection string without a password, for messages */
    PGconn *c;
    int step;
    int flushing;               /* a query's bytes not all sent yet */
    PGresult *answer;           /* the current query's result, until its NULL */
    int64_t run_id;             /* the node's own run */
    int64_t households, persons;
    int64_t base;               /* its entities' first number in the recorded run */
} node;

/* a count of run_not_eligible or run_not_applicable, summed over nodes */
typedef struct tally {
    int32_t policy, reason;     /* reason -1: none (NULL) */
    int64_t count;
} tally;

typedef struct gather {
    results *R;
    const hm_program *p;
    node *n;
    hm_run_summary *s;
    int *pol_at;                /* program policy → its index in the summary */
    int nerrpol;
    int reasons;
    tally *ne, *na;
    size_t nne, nna, capne, capna;
    char *err;
    size_t errlen;
} gather;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- connection strings: a node is named by them, never with a password ---- */

/* "host=… port=… dbname=… user=…" of conninfo (owned), or NULL with the
 * parser's message in err. */
static char *conn_where(const char *conninfo, char *err, size_t errlen)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (!opts) {
        /* libpq's message, cut at its end of line; it never quotes a value */
        snprintf(err, errlen, "%s", perr ? perr : "out of memory");
        err[strcspn(err, "\n")] = '\0';
        PQfreemem(perr);
        return NULL;
    }
    static const char *const shown[] = { "host", "hostaddr", "port", "dbname", "user", NULL };
    size_t len = 1;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val)
            len += strlen(o->keyword) + strlen(o->val) + 2;
    char *w = mem_alloc(len);
    if (w) {
        w[0] = '\0';
        for (int i = 0; shown[i]; i++)
            for (PQconninfoOption *o = opts; o->keyword; o++)
                if (o->val && *o->val && !strcmp(o->keyword, shown[i])) {
                    if (*w)
                        strcat(w, " ");
                    strcat(w, o->keyword);
                    strcat(w, "=");
                    strcat(w, o->val);
                }
    } else {
        snprintf(err, errlen, "out of memory");
    }
    PQconninfoFree(opts);
    return w;
}

/* "node K (host=…)" and what went wrong, into err; the node has failed. */
static void node_fail(node *n, const char *what, char *err, size_t errlen)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", what && *what ? what : "the connection was lost");
    /* libpq's messages end in a newline and may go on on indented lines:
     * one line, spaces collapsed, without its last full stop */
    char *w = msg;
    for (const char *c = msg; *c; c++) {
        int space = *c == '\n' || *c == '\t' || *c == ' ';
        if (!space)
            *w++ = *c;
        else if (w > msg && w[-1] != ' ')
            *w++ = ' ';
    }
    while (w > msg && (w[-1] == ' ' || w[-1] == '.'))
        w--;
    *w = '\0';
    static const char *const steps[] = { "connecting", "beginning", "loading the pack", "running",
                                         "reading the run back", "" };
    snprintf(err, errlen, "cluster node %d (%s), %s: %s; no run recorded", n->index, n->where,
             steps[n->step < N_FAILED ? n->step : N_FAILED], msg);
    n->step = N_FAILED;
}

static void node_fail_pq(node *n, const PGresult *res, char *err, size_t errlen)
{
    const char *m = res ? PQresultErrorMessage(res) : NULL;
    node_fail(n, m && *m ? m : PQerrorMessage(n->c), err, errlen);
}

/* ---- the nodes, all at once ---------------------------------------------------- */

typedef struct run_args {
    const char *pack_name;
    const unsigned char *pack;
    size_t pack_len;
    const char *config_text, *as_of, *store;
    int reasons;
} run_args;

/* Send the query of the node's next step.  0, or -1 (node failed). */
static int node_send(node *n, const run_args *a, char *err, size_t errlen)
{
    int ok;
    if (n->step == N_BEGIN) {
        ok = PQsendQuery(n->c, "BEGIN");
    } else if (n->step == N_LOAD) {
        const char *v[2] = { a->pack_name, (const char *)a->pack };
        int len[2] = { 0, (int)a->pack_len }, fmt[2] = { 0, 1 };
        ok = PQsendQueryParams(n->c, "SELECT huimin.load_pack($1, $2)", 2, NULL, v, len, fmt, 0);
    } else {
        const char *v[5] = { a->pack_name, a->config_text, a->as_of, a->reasons ? "true" : "false", a->store };
        ok = PQsendQueryParams(n->c, "SELECT huimin.run($1, $2, $3::date, $4::boolean, $5)", 5, NULL, v, NULL,
                               NULL, 0);
    }
    if (!ok) {
        node_fail(n, PQerrorMessage(n->c), err, errlen);
        return -1;
    }
    n->flushing = 1;
    return 0;
}

/* The node's answer to its step is complete: check it, go on.  0, or -1. */
static int node_answered(node *n, const run_args *a, const char *hash, char *err, size_t errlen)
{
    PGresult *r = n->answer;
    n->answer = NULL;
    int want = n->step == N_BEGIN ? PGRES_COMMAND_OK : PGRES_TUPLES_OK;
    if (!r || PQresultStatus(r) != (ExecStatusType)want) {
        node_fail_pq(n, r, err, errlen);
        PQclear(r);
        return -1;
    }
    if (n->step != N_BEGIN && (PQntuples(r) != 1 || PQnfields(r) != 1 || PQgetisnull(r, 0, 0))) {
        node_fail(n, "an answer of an unexpected shape (is the huimin extension of this version?)", err, errlen);
        PQclear(r);
        return -1;
    }
    if (n->step == N_LOAD && strcmp(PQgetvalue(r, 0, 0), hash) != 0) {
        char m[256];
        snprintf(m, sizeof m, "it loaded the pack as %.80s, not %s", PQgetvalue(r, 0, 0), hash);
        node_fail(n, m, err, errlen);
        PQclear(r);
        return -1;
    }
    if (n->step == N_RUN) {
        char *end;
        errno = 0;
        long long id = strtoll(PQgetvalue(r, 0, 0), &end, 10);
        if (errno || *end || id <= 0 || id >= (1LL << 31)) {
            node_fail(n, "huimin.run returned no run number", err, errlen);
            PQclear(r);
            return -1;
        }
        n->run_id = id;
    }
    PQclear(r);
    n->step++;
    return n->step == N_RAN ? 0 : node_send(n, a, err, errlen);
}

/* Take what the node has sent; 0, or -1 (node failed). */
static int node_read(node *n, const run_args *a, const char *hash, char *err, size_t errlen)
{
    if (!PQconsumeInput(n->c)) {
        node_fail(n, PQerrorMessage(n->c), err, errlen);
        return -1;
    }
    while (n->step < N_RAN && !PQisBusy(n->c)) {
        PGresult *r = PQgetResult(n->c);
        if (r) {
            /* the first result is the answer; any later one an error */
            if (!n->answer)
                n->answer = r;
            else if (PQresultStatus(r) == PGRES_FATAL_ERROR) {
                PQclear(n->answer);
                n->answer = r;
            } else
                PQclear(r);
            continue;
        }
        if (node_answered(n, a, hash, err, errlen))
            return -1;
    }
    return 0;
}

/* Stop every node still working: cancel its query (the server rolls its
 * transaction back), and close.  A node that already ran is rolled back
 * by closing its connection within the transaction. */
static void nodes_close(node *nodes, int nn)
{
    for (int i = 0; i < nn; i++) {
        node *n = &nodes[i];
        if (!n->c)
            continue;
        if (PQtransactionStatus(n->c) == PQTRANS_ACTIVE) {
            PGcancel *cancel = PQgetCancel(n->c);
            char e[256];
            if (cancel) {
                PQcancel(cancel, e, sizeof e);
                PQfreeCancel(cancel);
            }
        }
    }
    for (int i = 0; i < nn; i++) {
        node *n = &nodes[i];
        if (!n->c)
            continue;
        /* the cancelled query's end, then an explicit rollback, each at
         * most a few seconds: a node that does not answer is closed anyway */
        PQsetnonblocking(n->c, 1);
        double until = now_s() + 5;
        int rolled = PQstatus(n->c) != CONNECTION_OK;
        while (!rolled && now_s() < until) {
            if (PQflush(n->c) < 0 || !PQconsumeInput(n->c))
                break;
            if (PQisBusy(n->c)) {
                struct pollfd pf = { PQsocket(n->c), POLLIN, 0 };
                poll(&pf, 1, 100);
                continue;
            }
            PGresult *r = PQgetResult(n->c);
            if (r) {
                PQclear(r);
                continue;
            }
            PGTransactionStatusType ts = PQtransactionStatus(n->c);
            if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
                if (!PQsendQuery(n->c, "ROLLBACK"))
                    break;
                continue;
            }
            rolled = 1;
        }
        PQclear(n->answer);
        n->answer = NULL;
        PQfinish(n->c);
        n->c = NULL;
    }
}

/* A node's notices and warnings (a server shutting down says so before it
 * closes the connection) are not the run's output: what fails is said once,
 * by the error. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Connect to every node and run huimin.run on each, all at once.  HM_OK
 * when every node ran; else HM_EPLUGIN (the first node that failed named in
 * err) and every node closed.  timeout: seconds for all of it (0: none);
 * past it, the first node not done is named and every node cancelled. */
static int nodes_run(node *nodes, int nn, char *const *conninfo, const run_args *a, const char *hash, int timeout,
                     FILE *tty, double *t_loaded, char *err, size_t errlen)
{
    double t0 = now_s();
    *t_loaded = 0;
    for (int i = 0; i < nn; i++) {
        node *n = &nodes[i];
        if (!(n->c = PQconnectStart(conninfo[i])) || PQstatus(n->c) == CONNECTION_BAD ||
            PQsetnonblocking(n->c, 1)) {
            node_fail(n, n->c ? PQerrorMessage(n->c) : "out of memory", err, errlen);
            goto fail;
        }
        PQsetNoticeProcessor(n->c, quiet, NULL);
    }
    struct pollfd *pf = mem_calloc((size_t)nn, sizeof *pf);
    int *poll_want = mem_calloc((size_t)nn, sizeof *poll_want);
    if (!pf || !poll_want) {
        mem_free(pf);
        mem_free(poll_want);
        snprintf(err, errlen, "out of memory");
        nodes_close(nodes, nn);
        return HM_ENOMEM;
    }
    for (int i = 0; i < nn; i++)
        poll_want[i] = POLLOUT;     /* PQconnectStart: as PGRES_POLLING_WRITING */
    int ran = 0, failed = 0;
    while (ran < nn && !failed) {
        int loaded = 0;
        for (int i = 0; i < nn; i++) {
            node *n = &nodes[i];
            loaded += n->step > N_LOAD;
            pf[i] = (struct pollfd){ n->step < N_RAN ? PQsocket(n->c) : -1, (short)poll_want[i], 0 };
        }
        if (loaded == nn && !*t_loaded)
            *t_loaded = now_s();
        int wait_ms = 1000;
        if (timeout) {
            double left = t0 + timeout - now_s();
            if (left <= 0) {
                for (int i = 0; i < nn; i++)
                    if (nodes[i].step < N_RAN) {
                        char m[128];
                        snprintf(m, sizeof m, "not done within the [cluster] timeout of %d s", timeout);
                        node_fail(&nodes[i], m, err, errlen);
                        break;
                    }
                failed = 1;
                break;
            }
            if (left * 1000 < wait_ms)
                wait_ms = (int)(left * 1000) + 1;
        }
        if (poll(pf, (nfds_t)nn, wait_ms) < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "cluster: poll: %s; no run recorded", strerror(errno));
            failed = 1;
            break;
        }
        for (int i = 0; i < nn && !failed; i++) {
            node *n = &nodes[i];
            if (n->step >= N_RAN || !pf[i].revents)
                continue;
            if (n->step == N_CONNECT) {
                PostgresPollingStatusType ps = PQconnectPoll(n->c);
                if (ps == PGRES_POLLING_FAILED) {
                    node_fail(n, PQerrorMessage(n->c), err, errlen);
                    failed = 1;
                } else if (ps == PGRES_POLLING_OK) {
                    n->step = N_BEGIN;
                    failed = node_send(n, a, err, errlen) != 0;
                    poll_want[i] = POLLIN | POLLOUT;
                } else {
                    poll_want[i] = ps == PGRES_POLLING_READING ? POLLIN : POLLOUT;
                }
                continue;
            }
            if (n->flushing) {
                int f = PQflush(n->c);
                if (f < 0) {
                    node_fail(n, PQerrorMessage(n->c), err, errlen);
                    failed = 1;
                    continue;
                }
                n->flushing = f == 1;
            }
            /* sending may have read the answer already: read whatever woke the node */
            if (node_read(n, a, hash, err, errlen))
                failed = 1;
            else if (n->step == N_RAN) {
                ran++;
                if (tty)
                    fprintf(tty, "cluster: node %d ran its shard, %d of %d nodes done, %.1f s\n", n->index, ran, nn,
                            now_s() - t0);
            }
            poll_want[i] = n->flushing ? POLLIN | POLLOUT : POLLIN;
        }
    }
    mem_free(pf);
    mem_free(poll_want);
    if (!failed) {
        if (!*t_loaded)
            *t_loaded = now_s();
        return HM_OK;
    }
fail:
    nodes_close(nodes, nn);
    return HM_EPLUGIN;
}

/* ---- reading a node's run back ---------------------------------------------- */

typedef int (*row_fn)(gather *g, const PGresult *r);

/* Run sql on node n row by row (single-row mode: a large run is never held
 * whole), each row to fn.  0, or -1 with err set. */
static int node_rows(gather *g, const char *sql, row_fn fn)
{
    node *n = g->n;
    if (!PQsendQuery(n->c, sql) || !PQsetSingleRowMode(n->c)) {
        node_fail(n, PQerrorMessage(n->c), g->err, g->errlen);
        return -1;
    }
    int rc = 0;
    for (PGresult *r; (r = PQgetResult(n->c)) != NULL; PQclear(r)) {
        ExecStatusType st = PQresultStatus(r);
        if (rc)
            continue;
        if (st == PGRES_SINGLE_TUPLE)
            rc = fn(g, r);
        else if (st != PGRES_TUPLES_OK) {
            node_fail_pq(n, r, g->err, g->errlen);
            rc = -1;
        }
    }
    if (!rc && PQstatus(n->c) != CONNECTION_OK) {
        node_fail(n, PQerrorMessage(n->c), g->err, g->errlen);
        rc = -1;
    }
    return rc;
}

static const char *val(const PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? NULL : PQgetvalue(r, 0, col);
}

static int64_t ival(const PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? 0 : strtoll(PQgetvalue(r, 0, col), NULL, 10);
}

static int results_failed(gather *g)
{
    snprintf(g->err, g->errlen, "%s", g->R->err);
    return -1;
}

static int bad_row(gather *g, const char *what)
{
    char m[256];
    snprintf(m, sizeof m, "its run has %s", what);
    node_fail(g->n, m, g->err, g->errlen);
    return -1;
}

static int row_reason(gather *g, const PGresult *r)
{
    return results_reason(g->R, (int32_t)ival(r, 0), val(r, 1) ? val(r, 1) : "") ? results_failed(g) : 0;
}

static int row_source(gather *g, const PGresult *r)
{
    char name[512];
    snprintf(name, sizeof name, "%s@node%d", val(r, 0) ? val(r, 0) : "", g->n->index);
    const char *iso = val(r, 2);
    return results_source(g->R, name, val(r, 1) ? val(r, 1) : "", iso && strcmp(iso, "none") != 0, val(r, 3))
               ? results_failed(g) : 0;
}

/* entity numbers of the node's run are below households + persons */
static int entity_of(gather *g, const PGresult *r, int col, int64_t *e)
{
    int64_t v = ival(r, col);
    if (v < 0 || v >= g->n->households + g->n->persons)
        return bad_row(g, "an entity number beyond its households and persons");
    *e = g->n->base + v;
    return 0;
}

static int row_entity(gather *g, const PGresult *r)
{
    int64_t e, h = -1;
    const char *kind = val(r, 1), *id = val(r, 2);
    if (!kind || !id)
        return bad_row(g, "an entity without kind or id");
    if (entity_of(g, r, 0, &e) || (!PQgetisnull(r, 0, 3) && entity_of(g, r, 3, &h)))
        return -1;
    return results_entity(g->R, e, !strcmp(kind, "person"), id, 0, h) ? results_failed(g) : 0;
}

static int row_decision(gather *g, const PGresult *r)
{
    int64_t e;
    if (entity_of(g, r, 0, &e))
        return -1;
    int32_t pol = (int32_t)ival(r, 1);
    int status = (int)ival(r, 2), has_amount = !PQgetisnull(r, 0, 3);
    int64_t amount = ival(r, 3);
    int32_t reason = (int32_t)ival(r, 4);
    if (pol < 0 || pol >= g->p->npolicies || status < HM_ELIGIBLE || status > HM_NOT_APPLICABLE)
        return bad_row(g, "a decision of no policy of the pack, or of no status");
    sum_policy *sp = &g->s->policies[g->pol_at[pol]];
    /* the stored answers are all of them: the not eligible and not
     * applicable ones are counted from run_not_eligible and run_not_applicable */
    if (status == HM_ELIGIBLE || status == HM_UNDETERMINED)
        sp->count[status]++;
    if (status == HM_ELIGIBLE && has_amount && __builtin_add_overflow(sp->total, amount, &sp->total)) {
        snprintf(g->err, g->errlen, "policy %s: the total amount of its eligible decisions is beyond the range of "
                 "money (integer overflow); no run recorded", sp->name);
        return -1;
    }
    /* a runtime error's reason (with reasons only): arithmetic, or an extern's */
    if (status == HM_UNDETERMINED && reason && reason >= g->nerrpol - 1 && reason != g->nerrpol)
        sp->errors++;
    int rc = PQgetisnull(r, 0, 7)
                 ? results_decision(g->R, e, pol, status, has_amount, amount, reason, val(r, 5), val(r, 6))
                 : results_claim_decision(g->R, e, pol, (int32_t)ival(r, 7), status, has_amount, amount, reason,
                                          val(r, 5), val(r, 6));
    return rc ? results_failed(g) : 0;
}

static int issue_kind(const char *issue)
{
    return !strcmp(issue, "bad_value") ? HM_ISSUE_BAD_VALUE : !strcmp(issue, "unknown_code") ? HM_ISSUE_UNKNOWN_CODE
                                                                                          : HM_ISSUE_CONFLICT;
}

static int row_issue(gather *g, const PGresult *r)
{
    const char *issue = val(r, 4) ? val(r, 4) : "conflict", *kind = val(r, 1);
    int person = kind && !strcmp(kind, "person");
    hm_run_summary *s = g->s;
    s->issue_counts[issue_kind(issue)]++;
    if (s->nissues < 10) {
        sum_issue *o = &s->issues[s->nissues++];
        o->entity = person ? HM_ENTITY_PERSON : HM_ENTITY_HOUSEHOLD;
        o->source = mem_strdup(val(r, 0) ? val(r, 0) : "?");
        o->entity_id = mem_strdup(val(r, 2) ? val(r, 2) : "");
        o->field = mem_strdup(val(r, 3) ? val(r, 3) : "");
        o->detail = mem_strdup(val(r, 5) ? val(r, 5) : "");
        if (!o->source || !o->entity_id || !o->field || !o->detail) {
            snprintf(g->err, g->errlen, "out of memory");
            return -1;
        }
    }
    return results_issue(g->R, val(r, 0), person, val(r, 2), val(r, 3), issue, val(r, 5)) ? results_failed(g) : 0;
}

static int tally_add(tally **v, size_t *n, size_t *cap, int32_t policy, int32_t reason, int64_t count)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 256;
        tally *t = mem_realloc(*v, c * sizeof *t);
        if (!t)
            return -1;
        *v = t;
        *cap = c;
    }
    (*v)[(*n)++] = (tally){ policy, reason, count };
    return 0;
}

static int row_not_eligible(gather *g, const PGresult *r)
{
    int32_t pol = (int32_t)ival(r, 0);
    if (pol < 0 || pol >= g->p->npolicies)
        return bad_row(g, "a count of no policy of the pack");
    g->s->policies[g->pol_at[pol]].count[HM_NOT_ELIGIBLE] += ival(r, 2);
    if (tally_add(&g->ne, &g->nne, &g->capne, pol, PQgetisnull(r, 0, 1) ? -1 : (int32_t)ival(r, 1), ival(r, 2))) {
        snprintf(g->err, g->errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int row_not_applicable(gather *g, const PGresult *r)
{
    int32_t pol = (int32_t)ival(r, 0);
    if (pol < 0 || pol >= g->p->npolicies)
        return bad_row(g, "a count of no policy of the pack");
    g->s->policies[g->pol_at[pol]].count[HM_NOT_APPLICABLE] += ival(r, 1);
    if (tally_add(&g->na, &g->nna, &g->capna, pol, 0, ival(r, 1))) {
        snprintf(g->err, g->errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int by_policy_reason(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    return x->policy != y->policy ? (x->policy > y->policy) - (x->policy < y->policy)
                                  : (x->reason > y->reason) - (x->reason < y->reason);
}

/* The counts of all nodes, one row per policy (and reason). */
static int write_tallies(gather *g)
{
    /* a run may have no counts of one kind (no list at all, then) */
    if (g->nne)
        qsort(g->ne, g->nne, sizeof *g->ne, by_policy_reason);
    if (g->nna)
        qsort(g->na, g->nna, sizeof *g->na, by_policy_reason);
    for (size_t i = 0; i < g->nna;) {
        size_t j = i;
        int64_t sum = 0;
        for (; j < g->nna && g->na[j].policy == g->na[i].policy; j++)
            sum += g->na[j].count;
        if (sum && results_not_applicable(g->R, g->na[i].policy, sum))
            return results_failed(g);
        i = j;
    }
    for (size_t i = 0; i < g->nne;) {
        size_t j = i;
        int64_t sum = 0;
        for (; j < g->nne && g->ne[j].policy == g->ne[i].policy && g->ne[j].reason == g->ne[i].reason; j++)
            sum += g->ne[j].count;
        if (sum && results_not_eligible(g->R, g->ne[i].policy, g->ne[i].reason < 0 ? 0 : g->ne[i].reason, sum))
            return results_failed(g);
        i = j;
    }
    return 0;
}

/* The node's run: what identifies it, checked against what was asked. */
static int node_head(node *n, const char *hash, const char *as_of, char *err, size_t errlen)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT to_char(as_of, 'YYYY-MM-DD'), pack_hash, households, persons "
             "FROM huimin.runs WHERE run_id = %" PRId64, n->run_id);
    PGresult *r = PQexec(n->c, sql);
    int rc = -1;
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        node_fail_pq(n, r, err, errlen);
    else if (PQntuples(r) != 1 || PQnfields(r) != 4 || PQgetisnull(r, 0, 0) || PQgetisnull(r, 0, 1))
        node_fail(n, "its run is not in huimin.runs", err, errlen);
    else if (strcmp(PQgetvalue(r, 0, 1), hash) != 0 || strcmp(PQgetvalue(r, 0, 0), as_of) != 0) {
        char m[512];
        snprintf(m, sizeof m, "it ran pack %.80s as of %.16s, not %s as of %s", PQgetvalue(r, 0, 1),
                 PQgetvalue(r, 0, 0), hash, as_of);
        node_fail(n, m, err, errlen);
    } else {
        n->households = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        n->persons = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
        rc = n->households < 0 || n->persons < 0 ? -1 : 0;
        if (rc)
            node_fail(n, "its run counts no households", err, errlen);
    }
    PQclear(r);
    return rc;
}

/* Everything of node n's run but its head, into the results database. */
static int gather_node(gather *g, int first)
{
    node *n = g->n;
    char sql[512];
    PQsetnonblocking(n->c, 0);
#define ROWS(fn, ...) (snprintf(sql, sizeof sql, __VA_ARGS__), node_rows(g, sql, fn))
    /* the reasons are the pack's: the same on every node */
    if (first && g->reasons &&
        ROWS(row_reason, "SELECT reason, text FROM huimin.run_reasons WHERE run_id = %" PRId64 " ORDER BY reason",
             n->run_id))
        return -1;
    int64_t off = n->run_id * 4294967296LL;
    if (ROWS(row_source, "SELECT source, plugin, isolate, identity FROM huimin.run_sources WHERE run_id = %" PRId64
             " ORDER BY source", n->run_id) ||
        ROWS(row_entity, "SELECT entity - %" PRId64 ", kind, id, household - %" PRId64
             " FROM huimin.run_entities WHERE run_id = %" PRId64 " ORDER BY entity", off, off, n->run_id) ||
        ROWS(row_decision, "SELECT entity - %" PRId64 ", policy, status, amount_fen, reason, missing, message, claim"
             " FROM huimin.decision_rows WHERE run_id = %" PRId64, off, n->run_id) ||
        ROWS(row_issue, "SELECT source, entity_kind, entity_id, field, issue, detail FROM huimin.data_issues"
             " WHERE run_id = %" PRId64, n->run_id) ||
        ROWS(row_not_eligible, "SELECT policy, reason, count FROM huimin.run_not_eligible WHERE run_id = %" PRId64,
             n->run_id) ||
        ROWS(row_not_applicable, "SELECT policy, count FROM huimin.run_not_applicable WHERE run_id = %" PRId64,
             n->run_id))
        return -1;
#undef ROWS
    return 0;
}

/* ---- the run ------------------------------------------------------------------ */

/* The summary's policies, households' first, as hm_run has them. */
static hm_run_summary *summary_new(const hm_program *p, int *pol_at)
{
    hm_run_summary *s = mem_calloc(1, sizeof *s);
    size_t len = 1;
    for (int32_t i = 0; i < p->npolicies; i++)
        len += strlen(prog_str(p, p->policies[i].name)) + 1;
    if (!s || !(s->policies = mem_calloc((size_t)p->npolicies + 1, sizeof *s->policies)) ||
        !(s->strs = mem_alloc(len)) || !(s->issues = mem_calloc(10, sizeof *s->issues))) {
        hm_run_summary_free(s);
        return NULL;
    }
    char *at = s->strs;
    for (int pass = 0; pass < 3; pass++)
        for (int32_t i = 0; i < p->npolicies; i++) {
            const hm_policy *P = &p->policies[i];
            int e = P->entity == ENT_PERSON ? 1 : P->entity == ENT_CLAIM ? 2 : 0;
            if (e != pass)
                continue;
            sum_policy *sp = &s->policies[s->npolicies];
            pol_at[i] = s->npolicies++;
            sp->name = strcpy(at, prog_str(p, P->name));
            at += strlen(at) + 1;
            sp->policy = i;
            sp->entity = pass == 2 ? HM_ENTITY_CLAIM : pass ? HM_ENTITY_PERSON : HM_ENTITY_HOUSEHOLD;
            sp->period = P->period;
            sp->has_amount = P->amount_fn >= 0;
        }
    return s;
}

/* What a cluster run cannot do as a run on one machine does: said at once. */
static int refused(const hm_run_options *o, const hm_config *cfg, char *err, size_t errlen)
{
    for (int i = 0; i < o->nsets; i++)
        if (strncmp(o->sets[i], "parameter.", 10) != 0) {
            snprintf(err, errlen, "%s: --set %s: a run across a [cluster] reads the configuration file as it is on "
                     "every node; change the file instead", cfg->path, o->sets[i]);
            return HM_EUSAGE;
        }
    if (o->kleene || o->keep || cfg->keep) {
        snprintf(err, errlen, "%s: a run across a [cluster] cannot %s", cfg->path,
                 o->kleene ? "decide by Kleene's rules only (--kleene)" : "keep every decision of listed ids (keep)");
        return HM_EUSAGE;
    }
    return HM_OK;
}

int cluster_run(const hm_pack *k, const hm_run_options *o, const hm_config *cfg, hm_run_summary **out, char *err,
                size_t errlen)
{
    *out = NULL;
    err[0] = '\0';
    const hm_program *p = pack_program(k);
    double t_start = now_s();
    char started[32], as_of[16];
    results_now(started, sizeof started);
    int32_t day;
    const char *as_of_text = o->as_of ? o->as_of : cfg->as_of;
    if (given_as_of(as_of_text, &day)) {
        snprintf(err, errlen, "as-of date `%s` is not a date (write YYYY-MM-DD)", as_of_text);
        return HM_EUSAGE;
    }
    cal_format(day, as_of);
    int rc = refused(o, cfg, err, errlen);
    if (rc != HM_OK)
        return rc;
    int nn = cfg->nnodes;
    int store_all = o->store ? o->store == HM_STORE_ALL : cfg->store_all;
    FILE *tty = o->progress > 0 || (o->progress < 0 && isatty(2)) ? stderr : NULL;
    node *nodes = mem_calloc((size_t)nn + 1, sizeof *nodes);
    int *pol_at = mem_calloc((size_t)p->npolicies + 1, sizeof *pol_at);
    unsigned char *pack = NULL;
    size_t pack_len = 0;
    char *text = cfg->text ? mem_strdup(cfg->text) : mem_strdup(""), *sets = NULL, pack_name[80];
    hm_run_summary *s = NULL;
    results R;
    memset(&R, 0, sizeof R);
    int opened = 0;
    rc = HM_ENOMEM;
    if (!nodes || !pol_at || !text || (o->nsets && !(sets = run_join_sets(o))) || module_encode(p, &pack, &pack_len) ||
        !(s = summary_new(p, pol_at))) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    /* every node reads the configuration as recorded: no node needs a
     * password of it (a node reads its own tables) */
    run_blank_secrets(text);
    rc = HM_EUSAGE;
    for (int i = 0; i < nn; i++) {
        char e[512];
        nodes[i].index = i;
        if (!(nodes[i].where = conn_where(cfg->nodes[i], e, sizeof e))) {
            snprintf(err, errlen, "%s: [cluster] node.%d: %s", cfg->path, i, e);
            goto done;
        }
    }
    /* the results database is checked and locked before any node starts */
    rc = HM_EIO;
    if (results_open(&R, o->out)) {
        snprintf(err, errlen, "%s", R.err);
        goto done;
    }
    opened = 1;
    snprintf(pack_name, sizeof pack_name, "%s", cfg->cluster_pack ? cfg->cluster_pack : hm_pack_hash(k));
    run_args a = { pack_name, pack, pack_len, text, as_of, store_all ? "all" : "answers", o->reasons };
    double t_loaded;
    rc = nodes_run(nodes, nn, cfg->nodes, &a, hm_pack_hash(k), cfg->cluster_timeout, tty, &t_loaded, err, errlen);
    if (rc != HM_OK)
        goto done;
    double t_ran = now_s();
    /* one run, of every node's rows */
    rc = HM_EPLUGIN;
    int64_t households = 0, persons = 0;
    for (int i = 0; i < nn; i++) {
        if (node_head(&nodes[i], hm_pack_hash(k), as_of, err, errlen))
            goto done;
        nodes[i].base = households + persons;
        households += nodes[i].households;
        persons += nodes[i].persons;
    }
    if (households + persons >= 4294967296LL) {
        snprintf(err, errlen, "cluster: %" PRId64 " households and persons are more than one run can number; "
                 "no run recorded", households + persons);
        goto done;
    }
    results_run run = { .as_of = as_of, .pack_hash = hm_pack_hash(k), .config = cfg->path, .config_text = text,
                        .config_sets = sets, .version = hm_version(), .started = started,
                        .households = households, .persons = persons, .reasons = o->reasons, .settled = 1,
                        .store_all = store_all };
    rc = HM_EIO;
    if (results_begin(&R, &run)) {
        snprintf(err, errlen, "%s: %s", o->out, R.err);
        goto done;
    }
    for (int pass = 0; pass < s->npolicies; pass++) {
        const sum_policy *sp = &s->policies[pass];
        const hm_policy *P = &p->policies[sp->policy];
        if (results_policy(&R, sp->policy, prog_str(p, P->name), prog_str(p, P->label),
                           sp->entity == HM_ENTITY_CLAIM ? 2 : sp->entity == HM_ENTITY_PERSON, P->period)) {
            snprintf(err, errlen, "%s: %s", o->out, R.err);
            goto done;
        }
    }
    gather g = { .R = &R, .p = p, .s = s, .pol_at = pol_at, .reasons = o->reasons, .err = err, .errlen = errlen,
                 /* run.c's reason numbers: the arithmetic error's, then a settled one's, then the externs' */
                 .nerrpol = 2 + p->nconds + p->npolicies + p->nexcs };
    for (int i = 0; i < nn; i++) {
        g.n = &nodes[i];
        if (gather_node(&g, i == 0)) {
            /* a message of results.c names the database */
            if (!strstr(err, "cluster node"))
                rc = HM_EIO;
            else
                rc = HM_EPLUGIN;
            mem_free(g.ne);
            mem_free(g.na);
            goto done;
        }
        if (tty)
            fprintf(tty, "cluster: node %d read back, %" PRId64 " households\n", i, nodes[i].households);
    }
    int wrc = write_tallies(&g);
    mem_free(g.ne);
    mem_free(g.na);
    if (wrc)
        goto done;
    /* nothing stays on a node: its transaction is rolled back before the
     * run is committed here */
    nodes_close(nodes, nn);
    if (results_commit(&R)) {
        snprintf(err, errlen, "%s: %s", o->out, R.err);
        goto done;
    }
    double t_written = now_s();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    rc = HM_ENOMEM;
    if (!(s->pack_hash = mem_strdup(hm_pack_hash(k)))) {
        snprintf(err, errlen, "run %lld recorded in %s, but out of memory for its summary", (long long)R.run_id,
                 o->out);
        goto done;
    }
    s->run_id = R.run_id;
    snprintf(s->as_of, sizeof s->as_of, "%s", as_of);
    s->households = households;
    s->persons = persons;
    s->threads = nn;
    s->nsources = cfg->nsources;
    s->seconds[HM_PHASE_LOAD] = t_loaded - t_start;
    s->seconds[HM_PHASE_EVALUATE] = t_ran - t_loaded;
    s->seconds[HM_PHASE_WRITE] = t_written - t_ran;
    s->seconds[HM_PHASE_TOTAL] = t_written - t_start;
    s->peak_kib = ru.ru_maxrss;
    *out = s;
    s = NULL;
    rc = HM_OK;
done:
    if (nodes)
        nodes_close(nodes, nn);
    if (opened)
        results_close(&R);
    for (int i = 0; nodes && i < nn; i++)
        mem_free(nodes[i].where);
    mem_free(nodes);
    mem_free(pol_at);
    mem_free(pack);
    mem_free(text);
    mem_free(sets);
    hm_run_summary_free(s);
    return rc;
}
