/* spi_source.c -- the postgres source plugin of huimin.run: the tables and
 * columns a source's settings name (plugins/common/tablemap.c), read from
 * the current database through SPI cursors in the statement's snapshot,
 * with no socket in between.  `schema` is used, `connection` is not.
 *
 * Every SPI call runs in hmpg_guard (a subtransaction of its own): an
 * error becomes the plugin's error, never a jump across libhuimin. */
#include "hmpg.h"

#include "tablemap.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

/* rows fetched at a time */
#define SPI_BATCH 10000

static const hm_host_api *host;

typedef struct spi_state {
    char *schema;
    char *identity;
    tm_map map;
} spi_state;

enum { COL_INT, COL_REAL, COL_TEXT, COL_DATE, COL_OTHER };

typedef struct spi_cursor {
    spi_state *st;
    Portal portal;
    int ncols;
    MemoryContext batch;        /* the cells of the rows fetched last */
    SPITupleTable *rows;
    tm_cell *cells;             /* nrows × ncols */
    uint64 nrows, at;
    int done;
    int *kind;                  /* COL_* per column, from the first batch */
    FmgrInfo *out;
} spi_cursor;

/* ---- the guarded steps ---- */

typedef struct open_op {
    spi_state *st;
    const char *table;
    const char *const *cols;
    int ncols;
    spi_cursor *c;
} open_op;

static void do_open(void *arg)
{
    open_op *o = arg;
    StringInfoData sql;
    initStringInfo(&sql);
    appendStringInfoString(&sql, "SELECT ");
    for (int i = 0; i < o->ncols; i++)
        appendStringInfo(&sql, "%s%s", i ? ", " : "", quote_identifier(o->cols[i]));
    appendStringInfoString(&sql, " FROM ");
    if (o->st->schema)
        appendStringInfo(&sql, "%s.", quote_identifier(o->st->schema));
    appendStringInfoString(&sql, quote_identifier(o->table));
    /* read_only: the statement's snapshot, the same for every table */
    Portal p = SPI_cursor_open_with_args(NULL, sql.data, 0, NULL, NULL, NULL, true, CURSOR_OPT_NO_SCROLL);
    if (!p)
        elog(ERROR, "cannot open a cursor over %s", o->table);
    o->c->portal = p;
    o->c->batch = AllocSetContextCreate(TopTransactionContext, "huimin source rows", ALLOCSET_DEFAULT_SIZES);
    pfree(sql.data);
}

static int column_kind(Oid type)
{
    switch (getBaseType(type)) {
    case INT2OID:
    case INT4OID:
    case INT8OID:
        return COL_INT;
    case FLOAT4OID:
    case FLOAT8OID:
        return COL_REAL;
    case TEXTOID:
    case VARCHAROID:
    case BPCHAROID:
        return COL_TEXT;
    case DATEOID:
        return COL_DATE;
    default:
        return COL_OTHER;
    }
}

static void do_fetch(void *arg)
{
    spi_cursor *c = arg;
    CHECK_FOR_INTERRUPTS();
    if (c->rows)
        SPI_freetuptable(c->rows);
    c->rows = NULL;
    MemoryContextReset(c->batch);
    SPI_cursor_fetch(c->portal, true, SPI_BATCH);
    c->rows = SPI_tuptable;
    c->nrows = SPI_processed;
    c->at = 0;
    if (c->nrows == 0)
        return;
    TupleDesc td = c->rows->tupdesc;
    MemoryContext old = MemoryContextSwitchTo(c->batch);
    if (!c->kind) {
        c->kind = MemoryContextAlloc(TopTransactionContext, sizeof(int) * c->ncols);
        c->out = MemoryContextAllocZero(TopTransactionContext, sizeof(FmgrInfo) * c->ncols);
        for (int j = 0; j < c->ncols; j++) {
            Oid type = TupleDescAttr(td, j)->atttypid;
            c->kind[j] = column_kind(type);
            if (c->kind[j] == COL_OTHER) {
                Oid fn;
                bool varlena;
                getTypeOutputInfo(type, &fn, &varlena);
                fmgr_info_cxt(fn, &c->out[j], TopTransactionContext);
            }
        }
    }
    c->cells = palloc(sizeof(tm_cell) * c->nrows * c->ncols);
    for (uint64 i = 0; i < c->nrows; i++) {
        HeapTuple t = c->rows->vals[i];
        for (int j = 0; j < c->ncols; j++) {
            tm_cell *cell = &c->cells[i * c->ncols + j];
            bool isnull;
            Datum d = SPI_getbinval(t, td, j + 1, &isnull);
            memset(cell, 0, sizeof *cell);
            if (isnull) {
                cell->kind = TM_NULL;
                continue;
            }
            switch (c->kind[j]) {
            case COL_INT: {
                Oid type = getBaseType(TupleDescAttr(td, j)->atttypid);
                cell->kind = TM_INT;
                cell->i = type == INT2OID ? DatumGetInt16(d) : type == INT4OID ? DatumGetInt32(d) : DatumGetInt64(d);
                break;
            }
            case COL_REAL:
                cell->kind = TM_REAL;
                cell->r = TupleDescAttr(td, j)->atttypid == FLOAT4OID ? DatumGetFloat4(d) : DatumGetFloat8(d);
                break;
            case COL_TEXT: {
                text *x = (text *)pg_detoast_datum_packed((struct varlena *)DatumGetPointer(d));
                cell->kind = TM_TEXT;
                cell->s = VARDATA_ANY(x);
                cell->len = VARSIZE_ANY_EXHDR(x);
                break;
            }
            case COL_DATE: {
                DateADT day = DatumGetDateADT(d);
                if (DATE_NOT_FINITE(day)) {
                    cell->s = day < 0 ? "-infinity" : "infinity";
                } else {
                    int y, m, dd;
                    char *buf = palloc(16);
                    j2date(day + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
                    snprintf(buf, 16, "%04d-%02d-%02d", y, m, dd);
                    cell->s = buf;
                }
                cell->kind = TM_TEXT;
                cell->len = strlen(cell->s);
                break;
            }
            default:
                cell->kind = TM_TEXT;
                cell->s = OutputFunctionCall(&c->out[j], d);
                cell->len = strlen(cell->s);
            }
        }
    }
    MemoryContextSwitchTo(old);
}

static void do_close(void *arg)
{
    spi_cursor *c = arg;
    if (c->rows)
        SPI_freetuptable(c->rows);
    c->rows = NULL;
    if (c->portal)
        SPI_cursor_close(c->portal);
    c->portal = NULL;
    if (c->batch)
        MemoryContextDelete(c->batch);
    c->batch = NULL;
}

typedef struct columns_op {
    spi_state *st;
    const char *table;
    tm_names *names;
    int rc;
} columns_op;

static void do_columns(void *arg)
{
    columns_op *o = arg;
    Oid rel;
    if (o->st->schema) {
        Oid ns = get_namespace_oid(o->st->schema, true);
        rel = OidIsValid(ns) ? get_relname_relid(o->table, ns) : InvalidOid;
    } else {
        rel = RelnameGetRelid(o->table);
    }
    if (!OidIsValid(rel)) {
        o->rc = 1;
        return;
    }
    Relation r = relation_open(rel, AccessShareLock);
    TupleDesc td = RelationGetDescr(r);
    for (int i = 0; i < td->natts && o->rc == 0; i++) {
        Form_pg_attribute a = TupleDescAttr(td, i);
        if (a->attisdropped)
            continue;
        const char *name = NameStr(a->attname);
        if (tm_names_add(host, o->names, name, strlen(name)))
            o->rc = -2;
    }
    relation_close(r, AccessShareLock);
}

typedef struct identity_op {
    spi_state *st;
    char *text;
} identity_op;

static void do_identity(void *arg)
{
    identity_op *o = arg;
    if (SPI_execute("SELECT 'server_version=' || current_setting('server_version') || "
                    "' system_identifier=' || system_identifier || ' snapshot=' || pg_current_snapshot() "
                    "FROM pg_control_system()", true, 1) != SPI_OK_SELECT || SPI_processed != 1)
        elog(ERROR, "cannot read the server's identity");
    char *t = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
    if (t && (o->text = host->alloc(strlen(t) + 1)))
        strcpy(o->text, t);
    SPI_freetuptable(SPI_tuptable);
}

/* ---- the backend tablemap reads through ---- */

static void *spi_open_rows(void *state, const char *table, const char *const *cols, int ncols, hm_plugin_err *err)
{
    spi_cursor *c = host->alloc(sizeof *c);
    if (!c) {
        host->set_error(err, "out of memory");
        return NULL;
    }
    memset(c, 0, sizeof *c);
    c->st = state;
    c->ncols = ncols;
    open_op o = { state, table, cols, ncols, c };
    char msg[1024];
    if (hmpg_guard(do_open, &o, msg, sizeof msg)) {
        host->set_error(err, "table %s: %s", table, msg);
        hmpg_guard(do_close, c, NULL, 0);
        host->free(c);
        return NULL;
    }
    return c;
}

static int spi_next_row(void *cursor, tm_cell *cells, hm_plugin_err *err)
{
    spi_cursor *c = cursor;
    if (c->at >= c->nrows) {
        if (c->done)
            return 0;
        char msg[1024];
        if (hmpg_guard(do_fetch, c, msg, sizeof msg)) {
            host->set_error(err, "%s", msg);
            c->done = 1;
            return -1;
        }
        if (c->nrows == 0) {
            c->done = 1;
            return 0;
        }
    }
    memcpy(cells, &c->cells[c->at * c->ncols], sizeof(tm_cell) * c->ncols);
    c->at++;
    return 1;
}

static void spi_close_rows(void *cursor)
{
    spi_cursor *c = cursor;
    hmpg_guard(do_close, c, NULL, 0);
    host->free(c);
}

static int spi_columns(void *state, const char *table, tm_names *names, hm_plugin_err *err)
{
    columns_op o = { state, table, names, 0 };
    char msg[1024];
    if (hmpg_guard(do_columns, &o, msg, sizeof msg)) {
        host->set_error(err, "%s: %s", table, msg);
        return -1;
    }
    if (o.rc == -2) {
        host->set_error(err, "out of memory");
        return -1;
    }
    return o.rc;
}

static const tm_backend backend = {
    .open_rows = spi_open_rows, .next_row = spi_next_row, .close_rows = spi_close_rows,
    .columns = spi_columns,
};

/* ---- the plugin ---- */

static void spi_close(void *state)
{
    spi_state *st = state;
    if (!st)
        return;
    tm_free(&st->map);
    host->free(st->schema);
    host->free(st->identity);
    host->free(st);
}

static int spi_open(const hm_host_api *h, const hm_open_args *a, void **state, hm_plugin_err *err)
{
    static const char *const own[] = { "connection", "schema", NULL };
    spi_state *st = h->alloc(sizeof *st);
    if (!st) {
        h->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    memset(st, 0, sizeof *st);
    *state = st;
    if (tm_parse(&st->map, h, a, own, err))
        return HM_PLUGIN_ERROR;
    const char *schema = tm_setting(a, "schema");
    if (schema) {
        if (!(st->schema = h->alloc(strlen(schema) + 1))) {
            h->set_error(err, "out of memory");
            return HM_PLUGIN_ERROR;
        }
        strcpy(st->schema, schema);
    }
    return tm_check(&st->map, &backend, st, a, err) ? HM_PLUGIN_ERROR : HM_PLUGIN_OK;
}

static int spi_fields(void *state, const hm_field_desc **fields, uint32_t *n, hm_plugin_err *err)
{
    spi_state *st = state;
    *fields = st->map.descs;
    *n = (uint32_t)st->map.nfields;
    return HM_PLUGIN_OK;
}

static int spi_fetch(void *state, hm_fetch_req *req, hm_plugin_err *err)
{
    spi_state *st = state;
    return tm_fetch(&st->map, &backend, st, req, err);
}

static int spi_population(void *state, hm_population_ctx *ctx, hm_plugin_err *err)
{
    spi_state *st = state;
    return tm_population(&st->map, &backend, st, ctx, err);
}

static int spi_population_fetch(void *state, hm_population_ctx *ctx, hm_fetch_req *households,
                                hm_fetch_req *persons, hm_plugin_err *err)
{
    spi_state *st = state;
    return tm_population_fetch(&st->map, &backend, st, ctx, households, persons, err);
}

static int spi_reftable(void *state, const hm_reftable_req *req, hm_plugin_err *err)
{
    spi_state *st = state;
    return tm_reftable(&st->map, &backend, st, req, err);
}

/* The server's version and system identifier and the snapshot every
 * table was read in, as the postgres plugin records them. */
static int spi_identity(void *state, const char **text, hm_plugin_err *err)
{
    spi_state *st = state;
    identity_op o = { st, NULL };
    char msg[1024];
    if (hmpg_guard(do_identity, &o, msg, sizeof msg)) {
        host->set_error(err, "cannot read the transaction's snapshot: %s", msg);
        return HM_PLUGIN_ERROR;
    }
    if (!o.text) {
        host->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    host->free(st->identity);
    st->identity = o.text;
    *text = st->identity;
    return HM_PLUGIN_OK;
}

static const hm_source_desc desc = {
    .size = sizeof(hm_source_desc),
    .abi_major = HM_PLUGIN_ABI_MAJOR,
    .abi_minor = HM_PLUGIN_ABI_MINOR,
    .name = "postgres",
    .version = "1.0",
    .description = "tables and columns of the database huimin.run runs in (SPI)",
    .open = spi_open,
    .fields = spi_fields,
    .fetch = spi_fetch,
    .population = spi_population,
    .population_fetch = spi_population_fetch,
    .reftable = spi_reftable,
    .close = spi_close,
    .identity = spi_identity,
};

const hm_source_desc *hmpg_spi_source(const hm_host_api *h)
{
    host = h;
    return &desc;
}
