/* sink.c -- a run's decisions written into the huimin tables through SPI,
 * in the caller's transaction: the same rows a results database gets
 * (batch/results.c).  Entities and decisions are gathered in memory and
 * written 4,096 rows at a time (INSERT … SELECT FROM unnest of arrays);
 * the rest row by row.  Every SPI call runs in hmpg_guard: no callback
 * raises, and allocations here never raise either (MCXT_ALLOC_NO_OOM). */
#include "hmpg.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#define SINK_BATCH 4096
#define ENTITY_KEY(run, n) ((int64)(run) * ((int64)1 << 32) + (int64)(n))

typedef struct sink_state {
    MemoryContext run_cx;       /* the run's */
    MemoryContext batch_cx;     /* the texts of the rows not yet written */
    int64 run_id;
    int reasons;
    /* entities */
    int nent;
    Datum e_entity[SINK_BATCH], e_kind[SINK_BATCH], e_id[SINK_BATCH], e_household[SINK_BATCH];
    bool e_household_null[SINK_BATCH];
    /* decisions */
    int ndec;
    Datum d_entity[SINK_BATCH], d_policy[SINK_BATCH], d_status[SINK_BATCH], d_amount[SINK_BATCH],
        d_reason[SINK_BATCH], d_missing[SINK_BATCH], d_message[SINK_BATCH], d_claim[SINK_BATCH];
    bool d_amount_null[SINK_BATCH], d_reason_null[SINK_BATCH], d_missing_null[SINK_BATCH],
        d_message_null[SINK_BATCH], d_claim_null[SINK_BATCH];
    Datum kind_household, kind_person;
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

typedef struct flush_op {
    sink_state *s;
    int which;                  /* 0 entities, 1 decisions */
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
    int rc;
    if (f->which == 0) {
        Oid types[5] = { INT8OID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID };
        Datum v[5] = { Int64GetDatum(s->run_id), array_of(s->e_entity, NULL, s->nent, INT8OID),
                       array_of(s->e_kind, NULL, s->nent, TEXTOID), array_of(s->e_id, NULL, s->nent, TEXTOID),
                       array_of(s->e_household, s->e_household_null, s->nent, INT8OID) };
        rc = SPI_execute_with_args("INSERT INTO huimin.run_entities(entity, run_id, kind, id, household) "
                                   "SELECT e, $1, k, i, h FROM unnest($2, $3, $4, $5) AS u(e, k, i, h)",
                                   5, types, v, NULL, false, 0);
        s->nent = 0;
    } else {
        Oid types[9] = { INT8OID, INT8ARRAYOID, INT4ARRAYOID, INT4ARRAYOID, INT8ARRAYOID, INT4ARRAYOID,
                         TEXTARRAYOID, TEXTARRAYOID, INT4ARRAYOID };
        Datum v[9] = { Int64GetDatum(s->run_id), array_of(s->d_entity, NULL, s->ndec, INT8OID),
                       array_of(s->d_policy, NULL, s->ndec, INT4OID), array_of(s->d_status, NULL, s->ndec, INT4OID),
                       array_of(s->d_amount, s->d_amount_null, s->ndec, INT8OID),
                       array_of(s->d_reason, s->d_reason_null, s->ndec, INT4OID),
                       array_of(s->d_missing, s->d_missing_null, s->ndec, TEXTOID),
                       array_of(s->d_message, s->d_message_null, s->ndec, TEXTOID),
                       array_of(s->d_claim, s->d_claim_null, s->ndec, INT4OID) };
        rc = SPI_execute_with_args("INSERT INTO huimin.decision_rows(run_id, entity, policy, status, amount_fen, "
                                   "reason, missing, message, claim) "
                                   "SELECT $1, e, p, s, a, r, m, g, c FROM unnest($2, $3, $4, $5, $6, $7, $8, $9) "
                                   "AS u(e, p, s, a, r, m, g, c)",
                                   9, types, v, NULL, false, 0);
        s->ndec = 0;
    }
    if (rc != SPI_OK_INSERT)
        elog(ERROR, "huimin: saving the run's rows: %s", SPI_result_code_string(rc));
    MemoryContextSwitchTo(old);
    /* the texts of both batches live here: reset once both are written */
    if (s->nent == 0 && s->ndec == 0)
        MemoryContextReset(s->batch_cx);
}

static int flush(sink_state *s, int which, char *err, size_t errlen)
{
    if ((which == 0 ? s->nent : s->ndec) == 0)
        return 0;
    flush_op f = { s, which };
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
    if (s->nent == 0 && s->ndec == 0)
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
    if (s->nent == SINK_BATCH && flush(s, 0, err, errlen))
        return -1;
    int n = s->nent;
    s->e_entity[n] = Int64GetDatum(ENTITY_KEY(s->run_id, entity));
    s->e_kind[n] = kind == HM_ENTITY_PERSON ? s->kind_person : s->kind_household;
    if (!(s->e_id[n] = text_datum(s, id ? id : "")))
        return oom(err, errlen);
    s->e_household_null[n] = household < 0;
    s->e_household[n] = Int64GetDatum(household < 0 ? 0 : ENTITY_KEY(s->run_id, household));
    s->nent++;
    return 0;
}

static int sink_decision(void *ctx, long long entity, int policy, int status, int has_amount, long long amount_fen,
                         int reason, const char *missing, const char *message, int claim, char *err,
                         size_t errlen)
{
    sink_state *s = ctx;
    if (s->ndec == SINK_BATCH) {
        /* the entities first: a decision row never names one not yet written */
        if (flush(s, 0, err, errlen) || flush(s, 1, err, errlen))
            return -1;
    }
    int n = s->ndec;
    s->d_entity[n] = Int64GetDatum(ENTITY_KEY(s->run_id, entity));
    s->d_policy[n] = Int32GetDatum(policy);
    s->d_status[n] = Int32GetDatum(status);
    s->d_amount_null[n] = !has_amount;
    s->d_amount[n] = Int64GetDatum(has_amount ? amount_fen : 0);
    /* a run without reasons stores none of them */
    int why = s->reasons;
    s->d_reason_null[n] = !why || !reason;
    s->d_reason[n] = Int32GetDatum(why ? reason : 0);
    s->d_missing_null[n] = !why || !missing;
    s->d_missing[n] = (Datum)0;
    if (why && missing && !(s->d_missing[n] = text_datum(s, missing)))
        return oom(err, errlen);
    s->d_message_null[n] = !why || !message;
    s->d_message[n] = (Datum)0;
    if (why && message && !(s->d_message[n] = text_datum(s, message)))
        return oom(err, errlen);
    s->d_claim_null[n] = claim == 0;
    s->d_claim[n] = Int32GetDatum(claim);
    s->ndec++;
    return 0;
}

static int sink_issue(void *ctx, const char *source, int entity_kind, const char *entity_id, const char *field,
                      const char *issue, const char *detail, char *err, size_t errlen)
{
    const char *t[6] = { source, entity_kind == HM_ENTITY_PERSON ? "person" : "household", entity_id, field, issue,
                         detail };
    Oid ty[6] = { TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID };
    return row(ctx, "INSERT INTO huimin.data_issues VALUES ($1, $2, $3, $4, $5, $6, $7)", 6, t, NULL, NULL, ty, err,
               errlen);
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
    if (flush(s, 0, err, errlen) || flush(s, 1, err, errlen))
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
    MemoryContext old = MemoryContextSwitchTo(ctx);
    s->kind_household = CStringGetTextDatum("household");
    s->kind_person = CStringGetTextDatum("person");
    MemoryContextSwitchTo(old);
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
