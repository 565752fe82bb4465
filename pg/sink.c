/* sink.c -- a run's decisions written into the huimin tables, in the
 * caller's transaction: the same rows a results database gets
 * (batch/results.c).  Entities and decisions are gathered in memory as
 * COPY text and written 65,536 rows at a time through COPY's own machinery
 * (BeginCopyFrom/CopyFrom: indexes, constraints and triggers as a COPY
 * does, far cheaper per row than an INSERT); data issues 4,096 at a time
 * (INSERT … SELECT FROM unnest of arrays); the rest row by row through SPI.
 * Every write runs in hmpg_guard: no callback raises, and allocations here
 * never raise either (MCXT_ALLOC_NO_OOM). */
#include "hmpg.h"

#include "access/sysattr.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "utils/acl.h"
#include "utils/rls.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#define SINK_BATCH 4096
/* rows of entities or decisions per COPY, and the most text gathered */
#define COPY_BATCH 65536
#define COPY_BYTES (16 * 1024 * 1024)
#define ENTITY_KEY(run, n) ((int64)(run) * ((int64)1 << 32) + (int64)(n))

/* rows in COPY's text format, in memory that never raises */
typedef struct copy_buf {
    char *data;
    size_t len, cap;
    int rows;
} copy_buf;

typedef struct sink_state {
    MemoryContext run_cx;       /* the run's */
    MemoryContext batch_cx;     /* the texts of the rows not yet written */
    int64 run_id;
    int reasons;
    copy_buf ent, dec;          /* run_entities' and decision_rows' rows not yet written */
    /* data issues: a run over a province has tens of thousands */
    int niss;
    Datum i_col[6][SINK_BATCH];
    bool i_null[6][SINK_BATCH];
} sink_state;

/* a text datum in the batch's memory, or 0 when out of memory */
static Datum text_datum(sink_state *s, const char *str)
{
    size_t n = strlen(str);
    text *t = MemoryContextAllocExtended(s->batch_cx, VARHDRSZ + n, MCXT_ALLOC_NO_OOM);
    if (!t)
        return (Datum)0;
    SET_VARSIZE(t, VARHDRSZ + n);
    memcpy(VARDATA(t), str, n);
    return PointerGetDatum(t);
}

static int oom(char *err, size_t errlen)
{
    hmpg_save_error(ERRCODE_OUT_OF_MEMORY, "out of memory");
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* ---- one statement, guarded ---- */

typedef struct stmt_op {
    const char *sql;
    int n;
    Oid *types;
    Datum *values;
    const char *nulls;          /* ' ' or 'n' per value, or NULL */
    int expect;
    int64 result;               /* the first column of a returned row */
} stmt_op;

static void do_stmt(void *arg)
{
    stmt_op *o = arg;
    CHECK_FOR_INTERRUPTS();
    int rc = SPI_execute_with_args(o->sql, o->n, o->types, o->values, o->nulls, false, 0);
    if (rc != o->expect)
        elog(ERROR, "huimin: %s: %s", o->sql, SPI_result_code_string(rc));
    if (rc == SPI_OK_SELECT && SPI_processed == 1) {
        bool isnull;
        o->result = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    }
    if (SPI_tuptable)
        SPI_freetuptable(SPI_tuptable);
}

static int stmt(const char *sql, int n, Oid *types, Datum *values, const char *nulls, int expect, int64 *result,
                char *err, size_t errlen)
{
    stmt_op o = { sql, n, types, values, nulls, expect, 0 };
    if (hmpg_guard(do_stmt, &o, err, errlen))
        return -1;
    if (result)
        *result = o.result;
    return 0;
}

/* ---- batches ---- */

/* append n bytes; 0, or -1 when out of memory */
static int buf_put(sink_state *s, copy_buf *b, const char *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 20;
        while (cap < b->len + n)
            cap *= 2;
        char *d = MemoryContextAllocExtended(s->run_cx, cap, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE);
        if (!d)
            return -1;
        if (b->len)
            memcpy(d, b->data, b->len);
        if (b->data)
            pfree(b->data);
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

/* a field of COPY's text format: \N for NULL, else the text with the
 * characters COPY gives a meaning escaped; then the tab or newline after it */
static int put_text(sink_state *s, copy_buf *b, const char *str, char end)
{
    if (!str)
        return buf_put(s, b, "\\N", 2) || buf_put(s, b, &end, 1);
    const char *run = str;
    for (const char *p = str;; p++) {
        char c = *p, esc = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;
        if (c && !esc)
            continue;
        if (p > run && buf_put(s, b, run, p - run))
            return -1;
        if (!c)
            break;
        char pair[2] = { '\\', esc };
        if (buf_put(s, b, pair, 2))
            return -1;
        run = p + 1;
    }
    return buf_put(s, b, &end, 1);
}

static int put_int(sink_state *s, copy_buf *b, int isnull, long long v, char end)
{
    if (isnull)
        return put_text(s, b, NULL, end);
    /* the digits from the right (no snprintf: millions of values a run) */
    char num[24];
    char *p = num + sizeof num;
    *--p = end;
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    return buf_put(s, b, p, (size_t)(num + sizeof num - p));
}

/* the text COPY reads: the buffer being written (one backend, one thread) */
static const char *copy_src;
static size_t copy_left;

static int copy_read(void *out, int minread, int maxread)
{
    size_t n = copy_left < (size_t)maxread ? copy_left : (size_t)maxread;
    (void)minread;
    memcpy(out, copy_src, n);
    copy_src += n;
    copy_left -= n;
    return (int)n;
}

typedef struct copy_op {
    const char *table;
    copy_buf *buf;
} copy_op;

/* COPY huimin.TABLE FROM the buffer, with the checks COPY's statement makes:
 * INSERT on every column, no row-level security */
static void do_copy(void *arg)
{
    copy_op *c = arg;
    CHECK_FOR_INTERRUPTS();
    Relation rel = table_openrv(makeRangeVar("huimin", (char *)c->table, -1), RowExclusiveLock);
    ParseState *pstate = make_parsestate(NULL);
    ParseNamespaceItem *nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
    RangeTblEntry *rte = nsitem->p_rte;
    rte->requiredPerms = ACL_INSERT;
    TupleDesc desc = RelationGetDescr(rel);
    for (int i = 0; i < desc->natts; i++)
        if (!TupleDescAttr(desc, i)->attisdropped)
            rte->insertedCols = bms_add_member(rte->insertedCols, i + 1 - FirstLowInvalidHeapAttributeNumber);
    ExecCheckRTPerms(pstate->p_rtable, true);
    if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("huimin: %s has row-level security: a run cannot be written into it", c->table)));
    /* the text is in the database's encoding, whatever the client's */
    List *options = list_make1(makeDefElem("encoding", (Node *)makeString((char *)GetDatabaseEncodingName()), -1));
    copy_src = c->buf->data;
    copy_left = c->buf->len;
    CopyFromState cstate = BeginCopyFrom(pstate, rel, NULL, NULL, false, copy_read, NIL, options);
    CopyFrom(cstate);
    EndCopyFrom(cstate);
    free_parsestate(pstate);
    table_close(rel, NoLock);
    CommandCounterIncrement();
}

static int flush_copy(sink_state *s, const char *table, copy_buf *b, char *err, size_t errlen)
{
    if (b->rows == 0)
        return 0;
    copy_op c = { table, b };
    int rc = hmpg_guard(do_copy, &c, err, errlen);
    b->len = 0;
    b->rows = 0;
    return rc;
}

typedef struct flush_op {
    sink_state *s;
} flush_op;

static Datum array_of(Datum *v, bool *nulls, int n, Oid type)
{
    int dims[1] = { n }, lbs[1] = { 1 };
    int16 len;
    bool byval;
    char align;
    get_typlenbyvalalign(type, &len, &byval, &align);
    return PointerGetDatum(construct_md_array(v, nulls, 1, dims, lbs, type, len, byval, align));
}

static void do_flush(void *arg)
{
    flush_op *f = arg;
    sink_state *s = f->s;
    CHECK_FOR_INTERRUPTS();
    MemoryContext old = MemoryContextSwitchTo(s->batch_cx);
    Oid types[7] = { INT8OID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
                     TEXTARRAYOID };
    Datum v[7];
    v[0] = Int64GetDatum(s->run_id);
    for (int j = 0; j < 6; j++)
        v[j + 1] = array_of(s->i_col[j], s->i_null[j], s->niss, TEXTOID);
    int rc = SPI_execute_with_args("INSERT INTO huimin.data_issues(run_id, source, entity_kind, entity_id, field, "
                                   "issue, detail) SELECT $1, a, b, c, d, e, f "
                                   "FROM unnest($2, $3, $4, $5, $6, $7) AS u(a, b, c, d, e, f)",
                                   7, types, v, NULL, false, 0);
    s->niss = 0;
    if (rc != SPI_OK_INSERT)
        elog(ERROR, "huimin: saving the run's rows: %s", SPI_result_code_string(rc));
    MemoryContextSwitchTo(old);
    MemoryContextReset(s->batch_cx);
}

/* which: 0 entities, 1 decisions, 2 data issues */
static int flush(sink_state *s, int which, char *err, size_t errlen)
{
    if (which == 0)
        return flush_copy(s, "run_entities", &s->ent, err, errlen);
    if (which == 1)
        return flush_copy(s, "decision_rows", &s->dec, err, errlen);
    if (s->niss == 0)
        return 0;
    flush_op f = { s };
    return hmpg_guard(do_flush, &f, err, errlen);
}

/* ---- the callbacks ---- */

static int sink_begin(void *ctx, const hm_sink_run *run, long long *run_id, char *err, size_t errlen)
{
    sink_state *s = ctx;
    s->reasons = run->reasons;
    int64 id;
    if (stmt("SELECT nextval('huimin.run_ids')", 0, NULL, NULL, NULL, SPI_OK_SELECT, &id, err, errlen))
        return -1;
    s->run_id = id;
    Oid types[13] = { INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, INT8OID, INT4OID, INT4OID,
                      TEXTOID, TEXTOID, TEXTOID, TEXTOID };
    const char *t[13] = { NULL, run->as_of, run->pack_hash, run->started, run->config, NULL, NULL, NULL, NULL,
                          run->config_text, run->config_sets, run->version, run->store_all ? "all" : "answers" };
    Datum v[13];
    char nulls[14] = "             ";
    for (int i = 0; i < 13; i++) {
        if (t[i]) {
            if (!(v[i] = text_datum(s, t[i])))
                return oom(err, errlen);
        } else {
            v[i] = (Datum)0;
            if (types[i] == TEXTOID)
                nulls[i] = 'n';
        }
    }
    v[0] = Int64GetDatum(id);
    v[5] = Int64GetDatum(run->households);
    v[6] = Int64GetDatum(run->persons);
    v[7] = Int32GetDatum(run->reasons ? 1 : 0);
    v[8] = Int32GetDatum(run->settled ? 1 : 0);
    if (stmt("INSERT INTO huimin.runs(run_id, as_of, pack_hash, started, config, households, persons, reasons, "
             "settled, config_text, config_sets, huimin_version, store) "
             "VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
             13, types, v, nulls, SPI_OK_INSERT, NULL, err, errlen))
        return -1;
    MemoryContextReset(s->batch_cx);
    *run_id = id;
    return 0;
}

/* one row of text and integer values (ints[i] used where text[i] is NULL
 * and isnull[i] is 0) */
static int row(sink_state *s, const char *sql, int n, const char *const *text, const int64 *ints,
               const char *isnull, const Oid *types, char *err, size_t errlen)
{
    Datum v[8];
    Oid ty[8];
    char nulls[9];
    v[0] = Int64GetDatum(s->run_id);
    ty[0] = INT8OID;
    nulls[0] = ' ';
    for (int i = 0; i < n; i++) {
        ty[i + 1] = types[i];
        nulls[i + 1] = ' ';
        if (isnull && isnull[i]) {
            nulls[i + 1] = 'n';
            v[i + 1] = (Datum)0;
        } else if (types[i] == TEXTOID) {
            if (!text[i]) {
                nulls[i + 1] = 'n';
                v[i + 1] = (Datum)0;
            } else if (!(v[i + 1] = text_datum(s, text[i])))
                return oom(err, errlen);
        } else {
            v[i + 1] = types[i] == INT4OID ? Int32GetDatum((int32)ints[i]) : Int64GetDatum(ints[i]);
        }
    }
    nulls[n + 1] = '\0';
    int rc = stmt(sql, n + 1, ty, v, nulls, SPI_OK_INSERT, NULL, err, errlen);
    if (s->niss == 0)
        MemoryContextReset(s->batch_cx);
    return rc;
}

static const char *kind_name(int kind)
{
    return kind == HM_ENTITY_CLAIM ? "claim" : kind == HM_ENTITY_PERSON ? "person" : "household";
}

static int sink_source(void *ctx, const char *source, const char *plugin, int isolated, const char *identity,
                       char *err, size_t errlen)
{
    const char *t[4] = { source, plugin, isolated ? "process" : "none", identity };
    Oid ty[4] = { TEXTOID, TEXTOID, TEXTOID, TEXTOID };
    return row(ctx, "INSERT INTO huimin.run_sources VALUES ($1, $2, $3, $4, $5)", 4, t, NULL, NULL, ty, err, errlen);
}

static int sink_policy(void *ctx, int policy, const char *name, const char *label, int entity, int period,
                       char *err, size_t errlen)
{
    const char *t[5] = { NULL, name, label, kind_name(entity), NULL };
    int64 i[5] = { policy, 0, 0, 0, period };
    Oid ty[5] = { INT4OID, TEXTOID, TEXTOID, TEXTOID, INT4OID };
    return row(ctx, "INSERT INTO huimin.run_policies VALUES ($1, $2, $3, $4, $5, $6)", 5, t, i, NULL, ty, err,
               errlen);
}

static int sink_reason(void *ctx, int reason, const char *text, char *err, size_t errlen)
{
    const char *t[2] = { NULL, text };
    int64 i[2] = { reason, 0 };
    Oid ty[2] = { INT4OID, TEXTOID };
    return row(ctx, "INSERT INTO huimin.run_reasons VALUES ($1, $2, $3)", 2, t, i, NULL, ty, err, errlen);
}

static int sink_entity(void *ctx, long long entity, int kind, const char *id, long long household, char *err,
                       size_t errlen)
{
    sink_state *s = ctx;
    copy_buf *b = &s->ent;
    if ((b->rows >= COPY_BATCH || b->len >= COPY_BYTES) && flush(s, 0, err, errlen))
        return -1;
    /* entity, run_id, kind, id, household */
    if (put_int(s, b, 0, ENTITY_KEY(s->run_id, entity), '\t') || put_int(s, b, 0, s->run_id, '\t') ||
        put_text(s, b, kind == HM_ENTITY_PERSON ? "person" : "household", '\t') ||
        put_text(s, b, id ? id : "", '\t') ||
        put_int(s, b, household < 0, household < 0 ? 0 : ENTITY_KEY(s->run_id, household), '\n'))
        return oom(err, errlen);
    b->rows++;
    return 0;
}

static int sink_decision(void *ctx, long long entity, int policy, int status, int has_amount, long long amount_fen,
                         int reason, const char *missing, const char *message, int claim, char *err,
                         size_t errlen)
{
    sink_state *s = ctx;
    copy_buf *b = &s->dec;
    if (b->rows >= COPY_BATCH || b->len >= COPY_BYTES) {
        /* the entities first: a decision row never names one not yet written */
        if (flush(s, 0, err, errlen) || flush(s, 1, err, errlen))
            return -1;
    }
    /* a run without reasons stores none of them */
    int why = s->reasons;
    /* run_id, entity, policy, status, amount_fen, reason, missing, message, claim */
    if (put_int(s, b, 0, s->run_id, '\t') || put_int(s, b, 0, ENTITY_KEY(s->run_id, entity), '\t') ||
        put_int(s, b, 0, policy, '\t') || put_int(s, b, 0, status, '\t') ||
        put_int(s, b, !has_amount, amount_fen, '\t') || put_int(s, b, !why || !reason, reason, '\t') ||
        put_text(s, b, why ? missing : NULL, '\t') || put_text(s, b, why ? message : NULL, '\t') ||
        put_int(s, b, claim == 0, claim, '\n'))
        return oom(err, errlen);
    b->rows++;
    return 0;
}

static int sink_issue(void *ctx, const char *source, int entity_kind, const char *entity_id, const char *field,
                      const char *issue, const char *detail, char *err, size_t errlen)
{
    sink_state *s = ctx;
    if (s->niss == SINK_BATCH && flush(s, 2, err, errlen))
        return -1;
    const char *t[6] = { source, entity_kind == HM_ENTITY_PERSON ? "person" : "household", entity_id, field, issue,
                         detail };
    int n = s->niss;
    for (int j = 0; j < 6; j++) {
        s->i_null[j][n] = !t[j];
        s->i_col[j][n] = (Datum)0;
        if (t[j] && !(s->i_col[j][n] = text_datum(s, t[j])))
            return oom(err, errlen);
    }
    s->niss++;
    return 0;
}

static int sink_not_eligible(void *ctx, int policy, int reason, long long count, char *err, size_t errlen)
{
    int64 i[3] = { policy, reason, count };
    char isnull[3] = { 0, reason == 0, 0 };
    Oid ty[3] = { INT4OID, INT4OID, INT8OID };
    return row(ctx, "INSERT INTO huimin.run_not_eligible VALUES ($1, $2, $3, $4)", 3, NULL, i, isnull, ty, err,
               errlen);
}

static int sink_not_applicable(void *ctx, int policy, long long count, char *err, size_t errlen)
{
    int64 i[2] = { policy, count };
    Oid ty[2] = { INT4OID, INT8OID };
    return row(ctx, "INSERT INTO huimin.run_not_applicable VALUES ($1, $2, $3)", 2, NULL, i, NULL, ty, err, errlen);
}

static int sink_commit(void *ctx, char *err, size_t errlen)
{
    sink_state *s = ctx;
    if (flush(s, 0, err, errlen) || flush(s, 1, err, errlen) || flush(s, 2, err, errlen))
        return -1;
    Oid ty[1] = { INT8OID };
    Datum v[1] = { Int64GetDatum(s->run_id) };
    return stmt("UPDATE huimin.runs SET finished = to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') WHERE run_id = $1",
                1, ty, v, NULL, SPI_OK_UPDATE, NULL, err, errlen);
}

/* nothing to undo here: huimin.run raises, and the transaction takes back
 * every row written */
static void sink_abort(void *ctx)
{
}

void hmpg_sink_init(hm_run_sink *sink, MemoryContext ctx)
{
    sink_state *s = MemoryContextAllocZero(ctx, sizeof *s);
    s->run_cx = ctx;
    s->batch_cx = AllocSetContextCreate(ctx, "huimin run rows", ALLOCSET_DEFAULT_SIZES);
    memset(sink, 0, sizeof *sink);
    sink->size = sizeof *sink;
    sink->ctx = s;
    sink->begin = sink_begin;
    sink->source = sink_source;
    sink->policy = sink_policy;
    sink->reason = sink_reason;
    sink->entity = sink_entity;
    sink->decision = sink_decision;
    sink->issue = sink_issue;
    sink->not_eligible = sink_not_eligible;
    sink->not_applicable = sink_not_applicable;
    sink->commit = sink_commit;
    sink->abort = sink_abort;
}

long long hmpg_sink_run_id(const hm_run_sink *sink)
{
    return ((const sink_state *)sink->ctx)->run_id;
}
