/* sink.c -- a run's decisions written into the huimin tables, in the
 * caller's transaction: the same rows a results database gets
 * (batch/results.c).  Entities, decisions and data issues are gathered in
 * memory as the tables' own values (numbers as numbers, texts as text
 * datums) and inserted 65,536 rows at a time as tuples formed directly,
 * the way COPY inserts them (table_multi_insert 1,000 at a time through
 * one buffer ring a table for the whole run, then their index entries,
 * decision_rows' BRIN index one row a block range), with COPY's
 * checks: INSERT privilege, no row-level security, NOT NULL and CHECK
 * constraints.  Those three tables take no triggers (a run refuses to
 * write into one that has some).  The rest is written row by row through
 * SPI.  Every write runs in hmpg_guard: no callback raises, and
 * allocations here never raise either (MCXT_ALLOC_NO_OOM). */
#include "hmpg.h"

#include "access/brin.h"
#include "access/genam.h"
#include "access/heapam.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

/* rows gathered before they are inserted, and the most text held */
#define BATCH_ROWS 65536
#define BATCH_BYTES (16 * 1024 * 1024)
/* tuples handed to table_multi_insert at a time (as COPY does) */
#define MULTI_INSERT 1000
#define ENTITY_KEY(run, n) ((int64)(run) * ((int64)1 << 32) + (int64)(n))

/* The rows of one table not yet inserted: ncols values and nulls a row,
 * in the table's column order; texts in cx. */
typedef struct row_buf {
    const char *table;
    int ncols;
    const Oid *types;           /* the columns' types, as huimin.sql makes them */
    int run_col;                /* the run_id's column (the same in every row) */
    Datum *v;
    bool *null;
    int rows;
    size_t bytes;
    MemoryContext cx;
    MemoryContext run_cx;
    /* The insert's ring of buffers, kept from one batch to the next: a
     * new ring for each batch would take every page from the free list,
     * never reusing one, and a run would fill shared_buffers with its own
     * pages (on a new server, each a first touch of memory).  Between
     * batches it holds no pin. */
    BulkInsertState bistate;
} row_buf;

static const Oid entity_types[5] = { INT8OID, INT8OID, TEXTOID, TEXTOID, INT8OID };
static const Oid decision_types[9] = { INT8OID, INT8OID, INT4OID, INT4OID, INT8OID, INT4OID, TEXTOID, TEXTOID,
                                       INT4OID };
static const Oid issue_types[7] = { INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID };

typedef struct sink_state {
    MemoryContext run_cx;       /* the run's */
    MemoryContext batch_cx;     /* one statement's values */
    int64 run_id;
    int reasons;
    row_buf ent, dec, iss;      /* run_entities', decision_rows' and data_issues' rows */
    Datum kind_text[2];         /* "household", "person" */
} sink_state;

/* a text datum in cx, or 0 when out of memory */
static Datum text_in(MemoryContext cx, const char *str, size_t *bytes)
{
    size_t n = strlen(str);
    text *t = MemoryContextAllocExtended(cx, VARHDRSZ + n, MCXT_ALLOC_NO_OOM);
    if (!t)
        return (Datum)0;
    SET_VARSIZE(t, VARHDRSZ + n);
    memcpy(VARDATA(t), str, n);
    if (bytes)
        *bytes += VARHDRSZ + n;
    return PointerGetDatum(t);
}

static Datum text_datum(sink_state *s, const char *str)
{
    return text_in(s->batch_cx, str, NULL);
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

/* ---- batches of rows ---- */

/* (before the run, where an error may still be raised) */
static void buf_init(sink_state *s, row_buf *b, const char *table, int ncols, const Oid *types, int run_col)
{
    b->table = table;
    b->run_col = run_col;
    b->ncols = ncols;
    b->types = types;
    b->v = MemoryContextAlloc(s->run_cx, sizeof(Datum) * BATCH_ROWS * ncols);
    b->null = MemoryContextAlloc(s->run_cx, sizeof(bool) * BATCH_ROWS * ncols);
    b->cx = AllocSetContextCreate(s->run_cx, "huimin run rows", ALLOCSET_DEFAULT_SIZES);
    b->run_cx = s->run_cx;
}

/* the next row's values and nulls (the caller fills every column) */
static Datum *buf_row(row_buf *b, bool **null)
{
    *null = &b->null[b->rows * b->ncols];
    return &b->v[b->rows * b->ncols];
}

static int buf_full(const row_buf *b)
{
    return b->rows >= BATCH_ROWS || b->bytes >= BATCH_BYTES;
}

/* column i of a row: a text, NULL when str is NULL; 0, or -1 out of memory */
static int put_text(row_buf *b, Datum *v, bool *null, int i, const char *str)
{
    null[i] = !str;
    v[i] = (Datum)0;
    return str && !(v[i] = text_in(b->cx, str, &b->bytes)) ? -1 : 0;
}

typedef struct insert_op {
    row_buf *b;
} insert_op;

/* A BRIN index on the run_id column alone (decision_rows' own).  Every
 * row a run writes has the same run_id, so once one row of a block range
 * has been inserted into it, the range's summary holds that value, or
 * the range has none (a range summarized later is summarized from the
 * heap, the run's rows included); the index then gains nothing from the
 * range's other rows, and brininsert's work for each of them (reading
 * the range map and the summary) is skipped. */
typedef struct run_brin {
    int at;                     /* the index among rri's, moved last; -1 none */
    Relation ix;
    IndexInfo *ii;
    AttrNumber column;
    BlockNumber per_range;
    BlockNumber range;          /* the range of the row inserted last */
} run_brin;

static run_brin run_brin_of(ResultRelInfo *rri, AttrNumber first)
{
    run_brin b = { -1, NULL, NULL, first, 0, InvalidBlockNumber };
    int n = rri->ri_NumIndices;
    for (int i = 0; i < n; i++) {
        Relation ix = rri->ri_IndexRelationDescs[i];
        IndexInfo *ii = rri->ri_IndexRelationInfo[i];
        if (ix->rd_rel->relam != BRIN_AM_OID || ii->ii_NumIndexAttrs != 1 || ii->ii_IndexAttrNumbers[0] != first ||
            ii->ii_Expressions != NIL || ii->ii_Predicate != NIL)
            continue;
        /* last, where ExecInsertIndexTuples, given one index fewer, leaves it */
        rri->ri_IndexRelationDescs[i] = rri->ri_IndexRelationDescs[n - 1];
        rri->ri_IndexRelationInfo[i] = rri->ri_IndexRelationInfo[n - 1];
        rri->ri_IndexRelationDescs[n - 1] = ix;
        rri->ri_IndexRelationInfo[n - 1] = ii;
        b.at = n - 1;
        b.ix = ix;
        b.ii = ii;
        b.per_range = BrinGetPagesPerRange(ix);
        break;
    }
    return b;
}

static void brin_insert(run_brin *b, Relation rel, TupleTableSlot *slot)
{
    BlockNumber range = ItemPointerGetBlockNumber(&slot->tts_tid) / b->per_range;
    if (range == b->range)
        return;
    b->range = range;
    Datum v[1];
    bool null[1];
    v[0] = slot_getattr(slot, b->column, &null[0]);
    index_insert(b->ix, v, null, &slot->tts_tid, rel, UNIQUE_CHECK_NO, false, b->ii);
}

/* INSERT the buffer's rows into huimin.TABLE, as COPY FROM would: the
 * statement's checks (INSERT on every column, no row-level security), the
 * table's constraints and indexes; tuples formed from the values, inserted
 * MULTI_INSERT at a time */
static void do_insert(void *arg)
{
    row_buf *b = ((insert_op *)arg)->b;
    CHECK_FOR_INTERRUPTS();
    Relation rel = table_openrv(makeRangeVar("huimin", (char *)b->table, -1), RowExclusiveLock);
    TupleDesc desc = RelationGetDescr(rel);
    /* the columns huimin.sql made, in its order (dropped ones aside): a
     * table altered since is refused rather than written wrongly */
    int at_col[16], natts = 0;  /* (a table of ours has at most 9 columns) */
    for (int i = 0; i < desc->natts; i++) {
        Form_pg_attribute a = TupleDescAttr(desc, i);
        if (a->attisdropped)
            continue;
        if (natts >= b->ncols || a->atttypid != b->types[natts] || a->attgenerated)
            ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                            errmsg("huimin: huimin.%s does not have the columns of the extension's version", b->table),
                            errhint("Recreate the extension, or take the added columns away.")));
        at_col[natts++] = i;
    }
    if (natts != b->ncols)
        ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                        errmsg("huimin: huimin.%s does not have the columns of the extension's version", b->table)));
    if (rel->trigdesc)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("huimin: huimin.%s has triggers: a run writes its rows into it directly", b->table),
                        errhint("Put the trigger on huimin.runs, whose row is written when a run is recorded.")));
    if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("huimin: %s has row-level security: a run cannot be written into it", b->table)));
    ParseState *pstate = make_parsestate(NULL);
    ParseNamespaceItem *nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
    RangeTblEntry *rte = nsitem->p_rte;
    rte->requiredPerms = ACL_INSERT;
    for (int j = 0; j < b->ncols; j++)
        rte->insertedCols = bms_add_member(rte->insertedCols, at_col[j] + 1 - FirstLowInvalidHeapAttributeNumber);
    ExecCheckRTPerms(pstate->p_rtable, true);

    EState *estate = CreateExecutorState();
    ExecInitRangeTable(estate, pstate->p_rtable);
    ResultRelInfo *rri = makeNode(ResultRelInfo);
    ExecInitResultRelation(estate, rri, 1);
    ExecOpenIndices(rri, false);
    int nidx = rri->ri_NumIndices;
    run_brin brin = run_brin_of(rri, at_col[b->run_col] + 1);
    if (brin.at >= 0)
        rri->ri_NumIndices = nidx - 1;  /* the others; it, here below */
    CommandId cid = GetCurrentCommandId(true);
    if (!b->bistate) {
        MemoryContext old = MemoryContextSwitchTo(b->run_cx);
        b->bistate = GetBulkInsertState();
        MemoryContextSwitchTo(old);
    }
    BulkInsertState bistate = b->bistate;
    TupleTableSlot *slots[MULTI_INSERT];
    for (int i = 0; i < MULTI_INSERT; i++)
        slots[i] = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
    MemoryContext tuple_cx = GetPerTupleMemoryContext(estate);
    for (int at = 0; at < b->rows;) {
        int n = b->rows - at < MULTI_INSERT ? b->rows - at : MULTI_INSERT;
        for (int i = 0; i < n; i++) {
            TupleTableSlot *slot = slots[i];
            ExecClearTuple(slot);
            const Datum *v = &b->v[(at + i) * b->ncols];
            const bool *null = &b->null[(at + i) * b->ncols];
            if (natts == desc->natts) {
                memcpy(slot->tts_values, v, sizeof(Datum) * natts);
                memcpy(slot->tts_isnull, null, sizeof(bool) * natts);
            } else {
                memset(slot->tts_isnull, true, sizeof(bool) * desc->natts);
                for (int j = 0; j < natts; j++) {
                    slot->tts_values[at_col[j]] = v[j];
                    slot->tts_isnull[at_col[j]] = null[j];
                }
            }
            ExecStoreVirtualTuple(slot);
            if (desc->constr)
                ExecConstraints(rri, slot, estate);
        }
        MemoryContext old = MemoryContextSwitchTo(tuple_cx);
        table_multi_insert(rel, slots, n, cid, 0, bistate);
        for (int i = 0; i < n; i++) {
            if (rri->ri_NumIndices > 0)
                list_free(ExecInsertIndexTuples(rri, slots[i], estate, false, false, NULL, NIL));
            if (brin.at >= 0)
                brin_insert(&brin, rel, slots[i]);
        }
        MemoryContextSwitchTo(old);
        ResetPerTupleExprContext(estate);
        at += n;
        CHECK_FOR_INTERRUPTS();
    }
    for (int i = 0; i < MULTI_INSERT; i++)
        ExecDropSingleTupleTableSlot(slots[i]);
    ReleaseBulkInsertStatePin(bistate);
    rri->ri_NumIndices = nidx;
    table_finish_bulk_insert(rel, 0);
    ExecCloseResultRelations(estate);     /* and its indexes */
    ExecCloseRangeTableRelations(estate);
    FreeExecutorState(estate);
    free_parsestate(pstate);
    table_close(rel, NoLock);
    CommandCounterIncrement();
}

static int flush_buf(row_buf *b, char *err, size_t errlen)
{
    if (b->rows == 0)
        return 0;
    insert_op o = { b };
    int rc = hmpg_guard(do_insert, &o, err, errlen);
    if (rc)
        b->bistate = NULL;      /* its pin went with the error: not to be used again */
    b->rows = 0;
    b->bytes = 0;
    MemoryContextReset(b->cx);
    return rc;
}

/* which: 0 entities, 1 decisions (the entities first: a decision row never
 * names one not yet written), 2 data issues */
static int flush(sink_state *s, int which, char *err, size_t errlen)
{
    if (which == 0)
        return flush_buf(&s->ent, err, errlen);
    if (which == 1)
        return flush_buf(&s->ent, err, errlen) || flush_buf(&s->dec, err, errlen);
    return flush_buf(&s->iss, err, errlen);
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
    row_buf *b = &s->ent;
    if (buf_full(b) && flush(s, 0, err, errlen))
        return -1;
    bool *null;
    Datum *v = buf_row(b, &null);
    /* entity, run_id, kind, id, household */
    memset(null, 0, sizeof(bool) * b->ncols);
    v[0] = Int64GetDatum(ENTITY_KEY(s->run_id, entity));
    v[1] = Int64GetDatum(s->run_id);
    v[2] = s->kind_text[kind == HM_ENTITY_PERSON];
    if (put_text(b, v, null, 3, id ? id : ""))
        return oom(err, errlen);
    null[4] = household < 0;
    v[4] = household < 0 ? (Datum)0 : Int64GetDatum(ENTITY_KEY(s->run_id, household));
    b->rows++;
    return 0;
}

static int sink_decision(void *ctx, long long entity, int policy, int status, int has_amount, long long amount_fen,
                         int reason, const char *missing, const char *message, int claim, char *err,
                         size_t errlen)
{
    sink_state *s = ctx;
    row_buf *b = &s->dec;
    if (buf_full(b) && flush(s, 1, err, errlen))
        return -1;
    /* a run without reasons stores none of them */
    int why = s->reasons;
    bool *null;
    Datum *v = buf_row(b, &null);
    /* run_id, entity, policy, status, amount_fen, reason, missing, message, claim */
    memset(null, 0, sizeof(bool) * b->ncols);
    v[0] = Int64GetDatum(s->run_id);
    v[1] = Int64GetDatum(ENTITY_KEY(s->run_id, entity));
    v[2] = Int32GetDatum(policy);
    v[3] = Int32GetDatum(status);
    null[4] = !has_amount;
    v[4] = has_amount ? Int64GetDatum(amount_fen) : (Datum)0;
    null[5] = !why || !reason;
    v[5] = null[5] ? (Datum)0 : Int32GetDatum(reason);
    if (put_text(b, v, null, 6, why ? missing : NULL) || put_text(b, v, null, 7, why ? message : NULL))
        return oom(err, errlen);
    null[8] = claim == 0;
    v[8] = claim == 0 ? (Datum)0 : Int32GetDatum(claim);
    b->rows++;
    return 0;
}

static int sink_issue(void *ctx, const char *source, int entity_kind, const char *entity_id, const char *field,
                      const char *issue, const char *detail, char *err, size_t errlen)
{
    sink_state *s = ctx;
    row_buf *b = &s->iss;
    if (buf_full(b) && flush(s, 2, err, errlen))
        return -1;
    const char *t[6] = { source, entity_kind == HM_ENTITY_PERSON ? "person" : "household", entity_id, field, issue,
                         detail };
    bool *null;
    Datum *v = buf_row(b, &null);
    /* run_id, source, entity_kind, entity_id, field, issue, detail */
    null[0] = false;
    v[0] = Int64GetDatum(s->run_id);
    for (int j = 0; j < 6; j++)
        if (put_text(b, v, null, j + 1, t[j]))
            return oom(err, errlen);
    b->rows++;
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
    s->batch_cx = AllocSetContextCreate(ctx, "huimin run statement", ALLOCSET_DEFAULT_SIZES);
    buf_init(s, &s->ent, "run_entities", lengthof(entity_types), entity_types, 1);
    buf_init(s, &s->dec, "decision_rows", lengthof(decision_types), decision_types, 0);
    buf_init(s, &s->iss, "data_issues", lengthof(issue_types), issue_types, 0);
    MemoryContext old = MemoryContextSwitchTo(ctx);
    s->kind_text[0] = PointerGetDatum(cstring_to_text("household"));
    s->kind_text[1] = PointerGetDatum(cstring_to_text("person"));
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
