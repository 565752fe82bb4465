/* spi_source.c -- the postgres source plugin of huimin.run: the tables and
 * columns a source's settings name (plugins/common/tablemap.c), read from
 * the current database through SPI cursors in the statement's snapshot,
 * with no socket in between.  `schema` is used, `connection` is not.
 *
 * Every SPI call runs in hmpg_guard (a subtransaction of its own): an
 * error becomes the plugin's error, never a jump across libhuimin.
 *
 * Reading overlaps filing.  The rows' filing (tablemap.c's loops and
 * libhuimin's callbacks, no PostgreSQL call among them) runs on threads
 * other than the backend's, the filers: the population source's on a
 * thread started here, the other sources' on the load's own threads, up
 * to huimin.threads at once (hm_run_env's io_serve).  The backend's thread
 * makes the SPI calls the filers ask for, one at a time (the hub), and
 * between them fetches each open cursor's next batch ahead.  Only the
 * backend's thread ever calls PostgreSQL; a filer reads the cells of its
 * batch, which the backend leaves alone until the filer asks for the
 * next. */
#include "hmpg.h"

#include "tablemap.h"

#include <pthread.h>
#include <signal.h>

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "tcop/pquery.h"
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
    struct relay *relay;        /* while the filer runs */
} spi_state;

enum { COL_TEXT, COL_DATE, COL_OTHER, COL_INT2, COL_INT4, COL_INT8, COL_FLOAT4, COL_FLOAT8 };

/* one batch of rows: its tuples, and their cells (nrows × ncols) */
typedef struct spi_batch {
    MemoryContext cx;           /* the cells and their texts */
    tm_cell *cells;
    uint64 nrows;
    char *next;                 /* free bytes of the cells' memory */
    size_t room;
    int failed;                 /* the fetch raised: msg */
    char msg[512];
} spi_batch;

typedef struct spi_cursor {
    spi_state *st;
    Portal portal;
    int ncols;
    spi_batch b[2];             /* b[cur] the filer's; b[!cur] the next, when ahead */
    int cur, ahead;
    int ended;                  /* a fetch gave no rows or failed: no more fetching */
    uint64 at;                  /* the filer's next row in b[cur] */
    int done;                   /* the filer has seen the end */
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
    for (int i = 0; i < 2; i++)
        o->c->b[i].cx = AllocSetContextCreate(TopTransactionContext, "huimin source rows", ALLOCSET_DEFAULT_SIZES);
    pfree(sql.data);
}

/* what a column's values become: COL_* by the column's base type */
static int column_kind(Oid type)
{
    switch (getBaseType(type)) {
    case INT2OID:
        return COL_INT2;
    case INT4OID:
        return COL_INT4;
    case INT8OID:
        return COL_INT8;
    case FLOAT4OID:
        return COL_FLOAT4;
    case FLOAT8OID:
        return COL_FLOAT8;
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

typedef struct fetch_op {
    spi_cursor *c;
    spi_batch *b;
} fetch_op;

/* the rows of a batch the filer is done with, given back */
static void do_release(void *arg)
{
    spi_batch *b = arg;
    b->cells = NULL;
    b->nrows = 0;
    b->room = 0;
    if (b->cx)
        MemoryContextReset(b->cx);
}

/* n bytes of the batch's memory, carved from blocks of 64 kB */
static char *batch_bytes(spi_batch *b, size_t n)
{
    if (n > b->room) {
        size_t block = n > 65536 ? n : 65536;
        b->next = MemoryContextAlloc(b->cx, block);
        b->room = block;
    }
    char *p = b->next;
    b->next += n;
    b->room -= n;
    return p;
}

/* The executor hands each row of a fetch here, its values already taken
 * apart (no copy of the tuple, as SPI's tuple table would make): they
 * become the batch's cells, texts copied into the batch's memory. */
typedef struct cell_receiver {
    DestReceiver pub;
    spi_cursor *c;
    spi_batch *b;
} cell_receiver;

static void cells_startup(DestReceiver *self, int operation, TupleDesc td)
{
    spi_cursor *c = ((cell_receiver *)self)->c;
    if (c->kind)
        return;
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

static void text_cell(spi_batch *b, tm_cell *cell, const char *s, size_t n)
{
    char *p = batch_bytes(b, n);
    memcpy(p, s, n);
    cell->kind = TM_TEXT;
    cell->s = p;
    cell->len = n;
}

static bool cells_receive(TupleTableSlot *slot, DestReceiver *self)
{
    cell_receiver *r = (cell_receiver *)self;
    spi_cursor *c = r->c;
    spi_batch *b = r->b;
    slot_getallattrs(slot);
    tm_cell *row = &b->cells[b->nrows * c->ncols];
    for (int j = 0; j < c->ncols; j++) {
        tm_cell *cell = &row[j];
        Datum d = slot->tts_values[j];
        memset(cell, 0, sizeof *cell);
        if (slot->tts_isnull[j]) {
            cell->kind = TM_NULL;
            continue;
        }
        switch (c->kind[j]) {
        case COL_INT2:
            cell->kind = TM_INT;
            cell->i = DatumGetInt16(d);
            break;
        case COL_INT4:
            cell->kind = TM_INT;
            cell->i = DatumGetInt32(d);
            break;
        case COL_INT8:
            cell->kind = TM_INT;
            cell->i = DatumGetInt64(d);
            break;
        case COL_FLOAT4:
            cell->kind = TM_REAL;
            cell->r = DatumGetFloat4(d);
            break;
        case COL_FLOAT8:
            cell->kind = TM_REAL;
            cell->r = DatumGetFloat8(d);
            break;
        case COL_TEXT: {
            /* a value in the scan's buffer page is gone once the scan moves on */
            struct varlena *v = (struct varlena *)DatumGetPointer(d);
            struct varlena *x = pg_detoast_datum_packed(v);
            text_cell(b, cell, VARDATA_ANY(x), VARSIZE_ANY_EXHDR(x));
            if (x != v)
                pfree(x);
            break;
        }
        case COL_DATE: {
            DateADT day = DatumGetDateADT(d);
            if (DATE_NOT_FINITE(day)) {
                const char *w = day < 0 ? "-infinity" : "infinity";
                text_cell(b, cell, w, strlen(w));
            } else {
                int y, m, dd;
                char buf[16];
                j2date(day + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
                int n = (y >= 0 && y <= 9999) ? 10 : snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, dd);
                if (n == 10) {
                    buf[0] = '0' + y / 1000, buf[1] = '0' + y / 100 % 10, buf[2] = '0' + y / 10 % 10;
                    buf[3] = '0' + y % 10, buf[4] = '-', buf[5] = '0' + m / 10, buf[6] = '0' + m % 10;
                    buf[7] = '-', buf[8] = '0' + dd / 10, buf[9] = '0' + dd % 10;
                }
                text_cell(b, cell, buf, (size_t)n);
            }
            break;
        }
        default: {
            char *t = OutputFunctionCall(&c->out[j], d);
            text_cell(b, cell, t, strlen(t));
            pfree(t);
        }
        }
    }
    b->nrows++;
    return true;
}

static void cells_shutdown(DestReceiver *self)
{
}

static void cells_destroy(DestReceiver *self)
{
}

static void do_fetch(void *arg)
{
    fetch_op *f = arg;
    spi_cursor *c = f->c;
    spi_batch *bt = f->b;
    CHECK_FOR_INTERRUPTS();
    do_release(bt);
    bt->cells = MemoryContextAlloc(bt->cx, sizeof(tm_cell) * SPI_BATCH * c->ncols);
    cell_receiver r = {
        { cells_receive, cells_startup, cells_shutdown, cells_destroy, DestNone }, c, bt,
    };
    MemoryContext old = MemoryContextSwitchTo(bt->cx);
    PortalRunFetch(c->portal, FETCH_FORWARD, SPI_BATCH, &r.pub);
    MemoryContextSwitchTo(old);
}

static void do_close(void *arg)
{
    spi_cursor *c = arg;
    for (int i = 0; i < 2; i++) {
        spi_batch *b = &c->b[i];
        if (b->cx)
            MemoryContextDelete(b->cx);
        b->cx = NULL;
    }
    if (c->portal)
        SPI_cursor_close(c->portal);
    c->portal = NULL;
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

/* ---- the backend's side: the SPI calls, on the backend's thread ---- */

struct relay;

static spi_cursor *cursor_open(spi_state *st, const char *table, const char *const *cols, int ncols, char *msg,
                               size_t msglen)
{
    spi_cursor *c = host->alloc(sizeof *c);
    if (!c) {
        snprintf(msg, msglen, "out of memory");
        return NULL;
    }
    memset(c, 0, sizeof *c);
    c->st = st;
    c->ncols = ncols;
    open_op o = { st, table, cols, ncols, c };
    char why[1024];
    if (hmpg_guard(do_open, &o, why, sizeof why)) {
        snprintf(msg, msglen, "table %s: %s", table, why);
        hmpg_guard(do_close, c, NULL, 0);
        host->free(c);
        return NULL;
    }
    return c;
}

/* the cursor's next batch into b[i]; a failure is kept in the batch, for
 * the filer to see when it gets there */
static void cursor_fetch(spi_cursor *c, int i)
{
    spi_batch *b = &c->b[i];
    fetch_op f = { c, b };
    b->failed = hmpg_guard(do_fetch, &f, b->msg, sizeof b->msg) != 0;
    if (b->failed || b->nrows == 0)
        c->ended = 1;
}

/* The filer is done with b[cur]: give it the next batch, the one fetched
 * ahead or one fetched now.  1 rows, 0 the end, -1 an error (msg). */
static int cursor_advance(spi_cursor *c, char *msg, size_t msglen)
{
    spi_batch *old = &c->b[c->cur];
    do_release(old);            /* memory only: nothing here raises */
    old->failed = 0;
    if (c->ahead) {
        c->cur = !c->cur;
        c->ahead = 0;
    } else if (!c->ended) {
        cursor_fetch(c, c->cur);
    }
    spi_batch *b = &c->b[c->cur];
    c->at = 0;
    if (b->failed) {
        snprintf(msg, msglen, "%s", b->msg);
        return -1;
    }
    return b->nrows > 0;
}

static void cursor_close(spi_cursor *c)
{
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

/* tm_check reads only the tables' columns, on the backend's thread */
static const tm_backend direct = { .columns = spi_columns };

/* ---- the relay between the filers and the backend ---- */

enum { ASK_NOTHING, ASK_OPEN, ASK_NEXT, ASK_CLOSE, ASK_DONE };

/* One filer's questions to the backend, one at a time. */
typedef struct relay {
    pthread_cond_t answered;
    int ask;                    /* ASK_*: the filer's question; ASK_NOTHING once answered */
    spi_state *st;
    /* ASK_OPEN's question */
    const char *table;
    const char *const *cols;
    int ncols;
    spi_cursor *c;              /* ASK_OPEN's answer; ASK_NEXT's and ASK_CLOSE's question */
    int rc;                     /* ASK_NEXT's answer */
    char msg[1024];             /* the error of ASK_OPEN or ASK_NEXT */
    spi_cursor *ahead;          /* the cursor to fetch ahead in, while nothing is asked */
    /* the filer's work: tablemap's loop over the relayed backend */
    int (*job)(struct relay *r, void *arg);
    void *arg;
    int job_rc;
    struct relay *next;         /* in the hub's list */
} relay;

/* The filers at work, the backend serving them (one run at a time in a
 * backend: the one hub). */
typedef struct hub {
    pthread_mutex_t mu;
    pthread_cond_t asked;       /* a question, a filer gone, or the load done */
    relay *relays;
    int load_done;              /* hmpg_io_served: the load's threads are all done */
    int failed;                 /* a read failed (a cancel, say): the others' reads fail too */
    char why[1024];             /* its message */
} hub;

static hub the_hub = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0, "" };

/* the thread that may call PostgreSQL */
static pthread_t backend_thread;

/* the filer asks and waits for the answer */
static void ask(relay *r, int what)
{
    hub *h = &the_hub;
    pthread_mutex_lock(&h->mu);
    r->ask = what;
    pthread_cond_signal(&h->asked);
    while (r->ask != ASK_NOTHING)
        pthread_cond_wait(&r->answered, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

static void *relayed_open(void *state, const char *table, const char *const *cols, int ncols, hm_plugin_err *err)
{
    relay *r = state;
    r->table = table;
    r->cols = cols;
    r->ncols = ncols;
    ask(r, ASK_OPEN);
    if (!r->c)
        host->set_error(err, "%s", r->msg);
    return r->c;
}

/* the filer's rows: the cells of its batch, a question only at its end */
static int relayed_next(void *cursor, tm_cell *cells, hm_plugin_err *err)
{
    spi_cursor *c = cursor;
    if (c->at >= c->b[c->cur].nrows) {
        if (c->done)
            return 0;
        relay *r = c->st->relay;
        r->c = c;
        ask(r, ASK_NEXT);
        if (r->rc <= 0) {
            c->done = 1;
            if (r->rc < 0)
                host->set_error(err, "%s", r->msg);
            return r->rc;
        }
    }
    memcpy(cells, &c->b[c->cur].cells[c->at * c->ncols], sizeof(tm_cell) * c->ncols);
    c->at++;
    return 1;
}

static void relayed_close(void *cursor)
{
    spi_cursor *c = cursor;
    relay *r = c->st->relay;
    r->c = c;
    ask(r, ASK_CLOSE);
}

static const tm_backend relayed = {
    .open_rows = relayed_open, .next_row = relayed_next, .close_rows = relayed_close,
};

/* a filer's job, then its leave (answered: its relay may go) */
static void run_job(relay *r)
{
    r->job_rc = r->job(r, r->arg);
    ask(r, ASK_DONE);
}

static void *filer_main(void *arg)
{
    run_job(arg);
    return NULL;
}

/* the backend answers one question */
static void serve(relay *r, int what)
{
    switch (what) {
    case ASK_OPEN:
        r->c = cursor_open(r->st, r->table, r->cols, r->ncols, r->msg, sizeof r->msg);
        r->ahead = r->c;        /* its first batch */
        break;
    case ASK_NEXT:
        r->rc = cursor_advance(r->c, r->msg, sizeof r->msg);
        r->ahead = r->rc > 0 ? r->c : NULL;
        break;
    case ASK_CLOSE:
        if (r->ahead == r->c)
            r->ahead = NULL;
        cursor_close(r->c);
        break;
    }
}

/* The backend's loop: the filers' questions answered as they come, and
 * between them their cursors' next batches fetched ahead.  Returns when
 * `until` has left, or, with until NULL, once hmpg_io_served was called. */
static void hub_serve(hub *h, relay *until)
{
    pthread_mutex_lock(&h->mu);
    for (;;) {
        relay *q = NULL, *a = NULL, **at;
        for (at = &h->relays; *at; at = &(*at)->next) {
            if ((*at)->ask != ASK_NOTHING) {
                q = *at;
                break;
            }
            if (!a && (*at)->ahead)
                a = *at;
        }
        if (q && q->ask == ASK_DONE) {
            *at = q->next;
            q->ask = ASK_NOTHING;
            pthread_cond_signal(&q->answered);
            if (q == until)
                break;
            continue;
        }
        if (q && h->failed && (q->ask == ASK_OPEN || q->ask == ASK_NEXT)) {
            /* the run is failing: no more reading, whichever source asks */
            q->c = q->ask == ASK_OPEN ? NULL : q->c;
            q->rc = -1;
            snprintf(q->msg, sizeof q->msg, "%s", h->why);
            q->ahead = NULL;
            q->ask = ASK_NOTHING;
            pthread_cond_signal(&q->answered);
            continue;
        }
        if (q) {
            int what = q->ask;
            pthread_mutex_unlock(&h->mu);
            serve(q, what);
            pthread_mutex_lock(&h->mu);
            if ((what == ASK_OPEN && !q->c) || (what == ASK_NEXT && q->rc < 0)) {
                h->failed = 1;
                snprintf(h->why, sizeof h->why, "%s", q->msg);
            }
            q->ask = ASK_NOTHING;
            pthread_cond_signal(&q->answered);
            continue;
        }
        if (a) {
            spi_cursor *c = a->ahead;
            a->ahead = NULL;
            pthread_mutex_unlock(&h->mu);
            if (!c->ahead && !c->ended) {
                cursor_fetch(c, !c->cur);
                c->ahead = 1;
            }
            pthread_mutex_lock(&h->mu);
            continue;
        }
        if (!until && h->load_done) {
            h->load_done = 0;
            break;
        }
        pthread_cond_wait(&h->asked, &h->mu);
    }
    h->failed = 0;
    pthread_mutex_unlock(&h->mu);
}

static void hub_join(hub *h, relay *r)
{
    pthread_mutex_lock(&h->mu);
    r->next = h->relays;
    h->relays = r;
    pthread_mutex_unlock(&h->mu);
}

/* job(r, arg) on a filer thread while the backend answers its questions
 * and fetches ahead: on a thread of its own when called on the backend's,
 * else on the calling thread (one of the load's, hmpg_io_serve running
 * on the backend's); job's status */
static int relay_run(spi_state *st, int (*job)(relay *, void *), void *arg, hm_plugin_err *err)
{
    relay r;
    memset(&r, 0, sizeof r);
    r.st = st;
    r.job = job;
    r.arg = arg;
    pthread_cond_init(&r.answered, NULL);
    st->relay = &r;
    hub_join(&the_hub, &r);
    if (!pthread_equal(pthread_self(), backend_thread)) {
        run_job(&r);
    } else {
        /* the backend's signals stay the backend's: the filer blocks them all */
        sigset_t all, old;
        sigfillset(&all);
        pthread_t filer;
        pthread_sigmask(SIG_SETMASK, &all, &old);
        int e = pthread_create(&filer, NULL, filer_main, &r);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (e) {
            r.ask = ASK_DONE;
            hub_serve(&the_hub, &r);
            pthread_cond_destroy(&r.answered);
            st->relay = NULL;
            host->set_error(err, "cannot start a thread to file the rows: %s", strerror(e));
            return HM_PLUGIN_ERROR;
        }
        hub_serve(&the_hub, &r);
        pthread_join(filer, NULL);
    }
    pthread_cond_destroy(&r.answered);
    st->relay = NULL;
    return r.job_rc;
}

void hmpg_io_serve(void *ctx)
{
    (void)ctx;
    hub_serve(&the_hub, NULL);
}

void hmpg_io_served(void *ctx)
{
    (void)ctx;
    hub *h = &the_hub;
    pthread_mutex_lock(&h->mu);
    h->load_done = 1;
    pthread_cond_signal(&h->asked);
    pthread_mutex_unlock(&h->mu);
}

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
    return tm_check(&st->map, &direct, st, a, err) ? HM_PLUGIN_ERROR : HM_PLUGIN_OK;
}

static int spi_fields(void *state, const hm_field_desc **fields, uint32_t *n, hm_plugin_err *err)
{
    spi_state *st = state;
    *fields = st->map.descs;
    *n = (uint32_t)st->map.nfields;
    return HM_PLUGIN_OK;
}

/* the filer's jobs: tablemap's loops over the relayed backend */
typedef struct spi_job {
    spi_state *st;
    hm_fetch_req *req, *persons;
    hm_population_ctx *ctx;
    const hm_reftable_req *ref;
    hm_plugin_err *err;
} spi_job;

static int job_fetch(relay *r, void *arg)
{
    spi_job *j = arg;
    return tm_fetch(&j->st->map, &relayed, r, j->req, j->err);
}

static int job_population(relay *r, void *arg)
{
    spi_job *j = arg;
    return tm_population(&j->st->map, &relayed, r, j->ctx, j->err);
}

static int job_population_fetch(relay *r, void *arg)
{
    spi_job *j = arg;
    return tm_population_fetch(&j->st->map, &relayed, r, j->ctx, j->req, j->persons, j->err);
}

static int job_reftable(relay *r, void *arg)
{
    spi_job *j = arg;
    return tm_reftable(&j->st->map, &relayed, r, j->ref, j->err);
}

static int spi_fetch(void *state, hm_fetch_req *req, hm_plugin_err *err)
{
    spi_job j = { .st = state, .req = req, .err = err };
    return relay_run(state, job_fetch, &j, err);
}

static int spi_population(void *state, hm_population_ctx *ctx, hm_plugin_err *err)
{
    spi_job j = { .st = state, .ctx = ctx, .err = err };
    return relay_run(state, job_population, &j, err);
}

static int spi_population_fetch(void *state, hm_population_ctx *ctx, hm_fetch_req *households,
                                hm_fetch_req *persons, hm_plugin_err *err)
{
    spi_job j = { .st = state, .ctx = ctx, .req = households, .persons = persons, .err = err };
    return relay_run(state, job_population_fetch, &j, err);
}

static int spi_reftable(void *state, const hm_reftable_req *req, hm_plugin_err *err)
{
    spi_job j = { .st = state, .ref = req, .err = err };
    return relay_run(state, job_reftable, &j, err);
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

void hmpg_spi_init(void)
{
    backend_thread = pthread_self();
}

const hm_source_desc *hmpg_spi_source(const hm_host_api *h)
{
    host = h;
    return &desc;
}
