/* postgres.c -- the postgres source plugin: reads the tables and columns
 * the source's settings name from a PostgreSQL database through libpq.
 * Rows are streamed in single-row mode, so memory stays bounded whatever
 * the table's size.
 *
 *   [source social_security]
 *   plugin     = postgres
 *   connection = host=/run/postgresql dbname=city   ; a libpq connection string
 *   schema     = rsj                                 ; optional
 *   key.income = person_id
 *   person.monthly_income = income.amount_fen money per month
 *
 * Cells are read as text: NULL is a missing value. */
#include "tablemap.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pg_state {
    PGconn *conn;
    char *schema;
    char *identity;         /* the last identity() answer */
    tm_map map;
} pg_state;

typedef struct pg_cursor {
    pg_state *st;
    PGresult *row;          /* the row handed out last */
    int ncols;
    int done;
} pg_cursor;

static const hm_host_api *host;

/* the server's message without its trailing newline */
static void pg_error(hm_plugin_err *err, const char *what, const char *msg)
{
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    host->set_error(err, "%s: %.*s", what, (int)n, msg);
}

static int append_ident(PGconn *conn, char *sql, size_t cap, size_t *at, const char *name)
{
    char *q = PQescapeIdentifier(conn, name, strlen(name));
    if (!q)
        return -1;
    size_t n = strlen(q);
    int ok = *at + n + 1 < cap;
    if (ok) {
        memcpy(sql + *at, q, n + 1);
        *at += n;
    }
    PQfreemem(q);
    return ok ? 0 : -1;
}

static void *pg_open_rows(void *state, const char *table, const char *const *cols, int ncols,
                          hm_plugin_err *err)
{
    pg_state *st = state;
    char sql[8192];
    size_t at = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    int bad = 0;
    for (int i = 0; i < ncols && !bad; i++) {
        if (i)
            sql[at++] = ',';
        bad |= append_ident(st->conn, sql, sizeof sql, &at, cols[i]);
    }
    if (!bad) {
        at += (size_t)snprintf(sql + at, sizeof sql - at, " FROM ");
        if (st->schema) {
            bad |= append_ident(st->conn, sql, sizeof sql, &at, st->schema);
            if (!bad && at + 2 < sizeof sql)
                sql[at++] = '.';
        }
        bad |= append_ident(st->conn, sql, sizeof sql, &at, table);
    }
    if (bad) {
        host->set_error(err, "table %s: the query is too long", table);
        return NULL;
    }
    if (!PQsendQuery(st->conn, sql) || !PQsetSingleRowMode(st->conn)) {
        pg_error(err, table, PQerrorMessage(st->conn));
        return NULL;
    }
    pg_cursor *c = host->alloc(sizeof *c);
    if (!c) {
        host->set_error(err, "out of memory");
        while (PQgetResult(st->conn))
            ;
        return NULL;
    }
    memset(c, 0, sizeof *c);
    c->st = st;
    c->ncols = ncols;
    return c;
}

static int pg_next_row(void *cursor, tm_cell *cells, hm_plugin_err *err)
{
    pg_cursor *c = cursor;
    PQclear(c->row);
    c->row = NULL;
    if (c->done)
        return 0;
    PGresult *r = PQgetResult(c->st->conn);
    if (!r) {
        c->done = 1;
        return 0;
    }
    switch (PQresultStatus(r)) {
    case PGRES_SINGLE_TUPLE:
        c->row = r;
        for (int i = 0; i < c->ncols; i++) {
            if (PQgetisnull(r, 0, i)) {
                cells[i].kind = TM_NULL;
            } else {
                cells[i].kind = TM_TEXT;
                cells[i].s = PQgetvalue(r, 0, i);
                cells[i].len = (size_t)PQgetlength(r, 0, i);
                /* an integer column's value as the integer (a key stays
                 * an integer id end to end) */
                Oid t = PQftype(r, i);
                if (t == 20 || t == 21 || t == 23) {    /* int8, int2, int4 */
                    cells[i].kind = TM_INT;
                    cells[i].i = strtoll(cells[i].s, NULL, 10);
                }
            }
        }
        return 1;
    case PGRES_TUPLES_OK:       /* the end of the rows */
        PQclear(r);
        c->done = 1;
        while ((r = PQgetResult(c->st->conn)))
            PQclear(r);
        return 0;
    default:
        pg_error(err, "query failed", PQresultErrorMessage(r));
        PQclear(r);
        c->done = 1;
        while ((r = PQgetResult(c->st->conn)))
            PQclear(r);
        return -1;
    }
}

static void pg_close_rows(void *cursor)
{
    pg_cursor *c = cursor;
    PQclear(c->row);
    if (!c->done) {     /* stopped early: drop the rest of the result */
        PGcancel *cn = PQgetCancel(c->st->conn);
        char buf[256];
        if (cn) {
            PQcancel(cn, buf, sizeof buf);
            PQfreeCancel(cn);
        }
        PGresult *r;
        while ((r = PQgetResult(c->st->conn)))
            PQclear(r);
    }
    host->free(c);
}

static int pg_columns(void *state, const char *table, tm_names *names, hm_plugin_err *err)
{
    pg_state *st = state;
    char sql[8192];
    size_t at = (size_t)snprintf(sql, sizeof sql, "SELECT * FROM ");
    int bad = 0;
    if (st->schema) {
        bad |= append_ident(st->conn, sql, sizeof sql, &at, st->schema);
        if (!bad && at + 2 < sizeof sql)
            sql[at++] = '.';
    }
    bad |= append_ident(st->conn, sql, sizeof sql, &at, table);
    if (bad || at + 10 >= sizeof sql) {
        host->set_error(err, "table %s: the query is too long", table);
        return -1;
    }
    strcpy(sql + at, " LIMIT 0");
    PGresult *r = PQexec(st->conn, sql);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (code && strcmp(code, "42P01") == 0)      /* undefined_table */
            rc = 1;
        else {
            pg_error(err, table, PQresultErrorMessage(r));
            rc = -1;
        }
    }
    for (int i = 0; rc == 0 && i < PQnfields(r); i++)
        if (tm_names_add(host, names, PQfname(r, i), strlen(PQfname(r, i)))) {
            host->set_error(err, "out of memory");
            rc = -1;
        }
    PQclear(r);
    return rc;
}

static const tm_backend backend = {
    .open_rows = pg_open_rows, .next_row = pg_next_row, .close_rows = pg_close_rows,
    .columns = pg_columns,
};

static void pg_close(void *state)
{
    pg_state *st = state;
    if (!st)
        return;
    if (st->conn) {
        if (PQtransactionStatus(st->conn) != PQTRANS_IDLE)
            PQclear(PQexec(st->conn, "COMMIT"));
        PQfinish(st->conn);
    }
    tm_free(&st->map);
    host->free(st->schema);
    host->free(st->identity);
    host->free(st);
}

static int pg_open(const hm_host_api *h, const hm_open_args *a, void **state, hm_plugin_err *err)
{
    static const char *const own[] = { "connection", "schema", NULL };
    const char *conninfo = tm_setting(a, "connection");
    if (!conninfo) {
        h->set_error(err, "no connection: set connection = CONNINFO (e.g. host=/run/postgresql dbname=city)");
        return HM_PLUGIN_ERROR;
    }
    pg_state *st = h->alloc(sizeof *st);
    if (!st) {
        h->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    memset(st, 0, sizeof *st);
    *state = st;
    if (tm_parse(&st->map, h, a, own, err))
        return HM_PLUGIN_ERROR;
    const char *schema = tm_setting(a, "schema");
    if (schema && !(st->schema = h->alloc(strlen(schema) + 1))) {
        h->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    if (schema)
        strcpy(st->schema, schema);
    st->conn = PQconnectdb(conninfo);
    if (!st->conn || PQstatus(st->conn) != CONNECTION_OK) {
        pg_error(err, "cannot connect", st->conn ? PQerrorMessage(st->conn) : "out of memory");
        return HM_PLUGIN_ERROR;
    }
    /* values as text in a fixed format, whatever the server's defaults;
     * and every table read in one snapshot, until close: a household and
     * its persons written together are seen together or not at all */
    PGresult *r = PQexec(st->conn, "SET datestyle = 'ISO, YMD'; SET client_encoding = 'UTF8'; "
                                   "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        pg_error(err, "cannot set the session", PQresultErrorMessage(r));
    PQclear(r);
    if (ok && tm_check(&st->map, &backend, st, a, err))
        ok = 0;
    return ok ? HM_PLUGIN_OK : HM_PLUGIN_ERROR;
}

static int pg_fields(void *state, const hm_field_desc **fields, uint32_t *n, hm_plugin_err *err)
{
    pg_state *st = state;
    *fields = st->map.descs;
    *n = (uint32_t)st->map.nfields;
    return HM_PLUGIN_OK;
}

static int pg_fetch(void *state, hm_fetch_req *req, hm_plugin_err *err)
{
    pg_state *st = state;
    return tm_fetch(&st->map, &backend, st, req, err);
}

static int pg_population(void *state, hm_population_ctx *ctx, hm_plugin_err *err)
{
    pg_state *st = state;
    return tm_population(&st->map, &backend, st, ctx, err);
}

static int pg_population_fetch(void *state, hm_population_ctx *ctx, hm_fetch_req *households,
                               hm_fetch_req *persons, hm_plugin_err *err)
{
    pg_state *st = state;
    return tm_population_fetch(&st->map, &backend, st, ctx, households, persons, err);
}

static int pg_reftable(void *state, const hm_reftable_req *req, hm_plugin_err *err)
{
    pg_state *st = state;
    return tm_reftable(&st->map, &backend, st, req, err);
}

/* One text value of a query in the reading transaction; NULL (and the
 * transaction as it was) when the query fails. */
static char *query_text(pg_state *st, const char *sql)
{
    PGresult *r = PQexec(st->conn, "SAVEPOINT huimin_identity");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok)
        return NULL;
    r = PQexec(st->conn, sql);
    char *t = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) &&
        (t = host->alloc(strlen(PQgetvalue(r, 0, 0)) + 1)))
        strcpy(t, PQgetvalue(r, 0, 0));
    PQclear(r);
    /* a refused query (pg_control_system needs a privileged role) aborts
     * only what followed the savepoint: the snapshot read stays */
    PQclear(PQexec(st->conn, t ? "RELEASE SAVEPOINT huimin_identity" : "ROLLBACK TO SAVEPOINT huimin_identity"));
    return t;
}

/* The server's version, its system identifier (which cluster) and the
 * snapshot of the transaction every table was read in. */
static int pg_identity(void *state, const char **text, hm_plugin_err *err)
{
    pg_state *st = state;
    const char *version = PQparameterStatus(st->conn, "server_version");
    char *sysid = query_text(st, "SELECT system_identifier::text FROM pg_control_system()");
    char *snap = query_text(st, PQserverVersion(st->conn) >= 130000 ? "SELECT pg_current_snapshot()::text"
                                                                    : "SELECT txid_current_snapshot()::text");
    if (!snap) {
        pg_error(err, "cannot read the transaction's snapshot", PQerrorMessage(st->conn));
        host->free(sysid);
        return HM_PLUGIN_ERROR;
    }
    const char *fmt = "server_version=%s system_identifier=%s snapshot=%s";
    int n = snprintf(NULL, 0, fmt, version ? version : "?", sysid ? sysid : "(not permitted)", snap);
    host->free(st->identity);
    if ((st->identity = host->alloc((size_t)n + 1)))
        snprintf(st->identity, (size_t)n + 1, fmt, version ? version : "?", sysid ? sysid : "(not permitted)", snap);
    host->free(sysid);
    host->free(snap);
    if (!st->identity) {
        host->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    *text = st->identity;
    return HM_PLUGIN_OK;
}

static const hm_source_desc desc = {
    .size = sizeof(hm_source_desc),
    .abi_major = HM_PLUGIN_ABI_MAJOR,
    .abi_minor = HM_PLUGIN_ABI_MINOR,
    .name = "postgres",
    .version = "1.0",
    .description = "tables and columns of a PostgreSQL database (libpq)",
    .open = pg_open,
    .fields = pg_fields,
    .fetch = pg_fetch,
    .population = pg_population,
    .population_fetch = pg_population_fetch,
    .reftable = pg_reftable,
    .close = pg_close,
    .identity = pg_identity,
};

HM_PLUGIN_EXPORT const hm_source_desc *hm_source_v1(const hm_host_api *h)
{
    host = h;
    return &desc;
}
