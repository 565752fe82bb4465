/* sqlite.c -- the sqlite source plugin: reads the tables and columns the
 * source's settings name from one SQLite database, opened read-only.
 *
 *   [source registry]
 *   plugin   = sqlite
 *   database = registry.db
 *   key.person = person_id
 *   person.birth_date = person.birth_date date
 */
#include "identity.h"
#include "tablemap.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

typedef struct sq_state {
    const hm_host_api *host;
    sqlite3 *db;
    char *path;
    char *identity;         /* the file and its schema when opened */
    tm_map map;
} sq_state;

typedef struct sq_cursor {
    sq_state *st;
    sqlite3_stmt *stmt;
    int ncols;
    hm_plugin_err *err;
} sq_cursor;

static const hm_host_api *host;

/* "name" with embedded quotes doubled */
static int quote_ident(char *out, size_t n, size_t *at, const char *name)
{
    if (*at + 1 >= n)
        return -1;
    out[(*at)++] = '"';
    for (const char *s = name; *s; s++) {
        if (*at + 3 >= n)
            return -1;
        if (*s == '"')
            out[(*at)++] = '"';
        out[(*at)++] = *s;
    }
    out[(*at)++] = '"';
    out[*at] = '\0';
    return 0;
}

/* An id that is also a whole number as SQLite writes one ("123", not
 * "0123"): a key column with no type may hold it as an integer. */
static int whole_number(const char *s, sqlite3_int64 *v)
{
    const char *d = s + (*s == '-');
    size_t n = strlen(d);
    if (n == 0 || n > 18 || (d[0] == '0' && n > 1))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] < '0' || d[i] > '9')
            return 0;
    *v = 0;
    for (size_t i = 0; i < n; i++)
        *v = *v * 10 + (d[i] - '0');
    if (*s == '-')
        *v = -*v;
    return 1;
}

/* SELECT "c0",… FROM "table", and with ids, WHERE "c0" IN (…) so that
 * only their rows are read (through the key's index when it has one). */
static void *sq_query(sq_state *st, const char *table, const char *const *cols, int ncols,
                      const char *const *ids, uint32_t nids, hm_plugin_err *err)
{
    size_t cap = 64 + 2 * strlen(table), at = 0;
    for (int i = 0; i < ncols; i++)
        cap += 2 * strlen(cols[i]) + 4;
    if (ids)
        cap += 2 * strlen(cols[0]) + 4 * (size_t)nids + 32;
    char *sql = host->alloc(cap);
    sq_cursor *c = host->alloc(sizeof *c);
    if (!sql || !c) {
        host->free(sql);
        host->free(c);
        host->set_error(err, "out of memory");
        return NULL;
    }
    at += (size_t)snprintf(sql, cap, "SELECT ");
    for (int i = 0; i < ncols; i++) {
        if (i)
            sql[at++] = ',';
        quote_ident(sql, cap, &at, cols[i]);
    }
    at += (size_t)snprintf(sql + at, cap - at, " FROM ");
    quote_ident(sql, cap, &at, table);
    sqlite3_int64 v;
    if (ids) {
        at += (size_t)snprintf(sql + at, cap - at, " WHERE ");
        quote_ident(sql, cap, &at, cols[0]);
        at += (size_t)snprintf(sql + at, cap - at, " IN (");
        for (uint32_t i = 0; i < nids; i++)
            at += (size_t)snprintf(sql + at, cap - at, "%s?%s", i ? "," : "", whole_number(ids[i], &v) ? ",?" : "");
        snprintf(sql + at, cap - at, ")");
    }
    /* in storage order: a table written in key order (or WITHOUT ROWID)
     * comes in key order, which the host matches without searching; any
     * other order works too, and costs no sort here */
    c->st = st;
    c->ncols = ncols;
    c->err = err;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &c->stmt, NULL);
    host->free(sql);
    /* each id as text, and as a number too when it is one: the key
     * column's affinity decides which one its rows compare equal to */
    for (uint32_t i = 0, k = 1; rc == SQLITE_OK && ids && i < nids; i++) {
        rc = sqlite3_bind_text(c->stmt, (int)k++, ids[i], -1, SQLITE_STATIC);
        if (rc == SQLITE_OK && whole_number(ids[i], &v))
            rc = sqlite3_bind_int64(c->stmt, (int)k++, v);
    }
    if (rc != SQLITE_OK) {
        host->set_error(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
        sqlite3_finalize(c->stmt);
        host->free(c);
        return NULL;
    }
    return c;
}

static void *sq_open_rows(void *state, const char *table, const char *const *cols, int ncols,
                          hm_plugin_err *err)
{
    return sq_query(state, table, cols, ncols, NULL, 0, err);
}

static void *sq_open_ids(void *state, const char *table, const char *const *cols, int ncols,
                         const char *const *ids, uint32_t nids, hm_plugin_err *err)
{
    return sq_query(state, table, cols, ncols, ids, nids, err);
}

static int sq_next_row(void *cursor, tm_cell *cells, hm_plugin_err *err)
{
    sq_cursor *c = cursor;
    int rc = sqlite3_step(c->stmt);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW) {
        host->set_error(err, "%s: %s", c->st->path, sqlite3_errmsg(c->st->db));
        return -1;
    }
    for (int i = 0; i < c->ncols; i++) {
        tm_cell *x = &cells[i];
        switch (sqlite3_column_type(c->stmt, i)) {
        case SQLITE_INTEGER:
            x->kind = TM_INT;
            x->i = sqlite3_column_int64(c->stmt, i);
            break;
        case SQLITE_FLOAT:
            x->kind = TM_REAL;
            x->r = sqlite3_column_double(c->stmt, i);
            break;
        case SQLITE_NULL:
            x->kind = TM_NULL;
            break;
        default:    /* text, or a blob read as text */
            x->kind = TM_TEXT;
            x->s = (const char *)sqlite3_column_text(c->stmt, i);
            x->len = (size_t)sqlite3_column_bytes(c->stmt, i);
            if (!x->s)
                x->kind = TM_NULL;
            break;
        }
    }
    return 1;
}

static void sq_close_rows(void *cursor)
{
    sq_cursor *c = cursor;
    sqlite3_finalize(c->stmt);
    host->free(c);
}

static int sq_columns(void *state, const char *table, tm_names *names, hm_plugin_err *err)
{
    sq_state *st = state;
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(st->db, "SELECT name FROM pragma_table_xinfo(?1)", -1, &q, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (tm_names_add(host, names, (const char *)sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0))) {
            sqlite3_finalize(q);
            host->set_error(err, "out of memory");
            return -1;
        }
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE) {
        host->set_error(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
        sqlite3_finalize(q);
        return -1;
    }
    sqlite3_finalize(q);
    return names->n ? 0 : 1;    /* a table has at least one column */
}

static const tm_backend backend = {
    .open_rows = sq_open_rows, .next_row = sq_next_row, .close_rows = sq_close_rows,
    .open_ids = sq_open_ids, .columns = sq_columns, .nocase = 1,
};

static void sq_close(void *state)
{
    sq_state *st = state;
    if (!st)
        return;
    if (st->db && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(st->db);
    tm_free(&st->map);
    host->free(st->path);
    host->free(st->identity);
    host->free(st);
}

/* The file and the SHA-256 of its schema (every CREATE statement, by
 * name), in the snapshot every table is then read in. */
static int schema_identity(sq_state *st, hm_plugin_err *err)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(st->db, "SELECT group_concat(sql, char(10)) FROM (SELECT sql FROM sqlite_schema "
                                "WHERE sql IS NOT NULL ORDER BY type, name)", -1, &q, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const void *sql = sqlite3_column_text(q, 0);
        st->identity = id_file(host, st->path, -1, "schema", sql ? sql : "", (size_t)sqlite3_column_bytes(q, 0));
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        host->set_error(err, "cannot read the schema of %s: %s", st->path, sqlite3_errmsg(st->db));
    else if (!st->identity)
        host->set_error(err, "%s: out of memory or cannot examine the file", st->path);
    sqlite3_finalize(q);
    return rc != SQLITE_OK || !st->identity ? -1 : 0;
}

static int sq_identity(void *state, const char **text, hm_plugin_err *err)
{
    (void)err;
    *text = ((sq_state *)state)->identity;
    return HM_PLUGIN_OK;
}

static int sq_open(const hm_host_api *h, const hm_open_args *a, void **state, hm_plugin_err *err)
{
    static const char *const own[] = { "database", NULL };
    const char *db = tm_setting(a, "database");
    if (!db) {
        h->set_error(err, "no database: set database = FILE");
        return HM_PLUGIN_ERROR;
    }
    sq_state *st = h->alloc(sizeof *st);
    if (!st) {
        h->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    memset(st, 0, sizeof *st);
    st->host = h;
    *state = st;
    if (tm_parse(&st->map, h, a, own, err))
        return HM_PLUGIN_ERROR;
    if (!(st->path = tm_path(h, a, db))) {
        h->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        h->set_error(err, "cannot open %s: %s", st->path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
        return HM_PLUGIN_ERROR;
    }
    /* a name SQLite does not know, in double quotes, is an error, not a
     * string: a misspelt column must not read as its own name */
    sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
    sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
    /* every table read in one snapshot, from here to close: a household
     * and its persons written together are seen together or not at all.
     * Opening is lazy in SQLite: the schema is read now, to fail early on
     * a file that is not a database. */
    if (sqlite3_exec(st->db, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
        h->set_error(err, "cannot read %s: %s", st->path, sqlite3_errmsg(st->db));
        return HM_PLUGIN_ERROR;
    }
    if (schema_identity(st, err) || tm_check(&st->map, &backend, st, a, err))
        return HM_PLUGIN_ERROR;
    /* a fetch reads each table once, front to back: a page cache larger
     * than SQLite's default saves nothing, and every source's stays in
     * memory while the population loads (2 MiB, not 64: a million
     * households load faster, and in 400 MiB less) */
    sqlite3_exec(st->db, "PRAGMA cache_size = -2048", NULL, NULL, NULL);
    return HM_PLUGIN_OK;
}

static int sq_fields(void *state, const hm_field_desc **fields, uint32_t *n, hm_plugin_err *err)
{
    sq_state *st = state;
    *fields = st->map.descs;
    *n = (uint32_t)st->map.nfields;
    return HM_PLUGIN_OK;
}

static int sq_fetch(void *state, hm_fetch_req *req, hm_plugin_err *err)
{
    sq_state *st = state;
    return tm_fetch(&st->map, &backend, st, req, err);
}

static int sq_population(void *state, hm_population_ctx *ctx, hm_plugin_err *err)
{
    sq_state *st = state;
    return tm_population(&st->map, &backend, st, ctx, err);
}

static int sq_population_fetch(void *state, hm_population_ctx *ctx, hm_fetch_req *households,
                               hm_fetch_req *persons, hm_plugin_err *err)
{
    sq_state *st = state;
    return tm_population_fetch(&st->map, &backend, st, ctx, households, persons, err);
}

static int sq_reftable(void *state, const hm_reftable_req *req, hm_plugin_err *err)
{
    sq_state *st = state;
    return tm_reftable(&st->map, &backend, st, req, err);
}

static const hm_source_desc desc = {
    .size = sizeof(hm_source_desc),
    .abi_major = HM_PLUGIN_ABI_MAJOR,
    .abi_minor = HM_PLUGIN_ABI_MINOR,
    .name = "sqlite",
    .version = "1.0",
    .description = "tables and columns of one SQLite database",
    .open = sq_open,
    .fields = sq_fields,
    .fetch = sq_fetch,
    .population = sq_population,
    .population_fetch = sq_population_fetch,
    .reftable = sq_reftable,
    .close = sq_close,
    .identity = sq_identity,
};

HM_PLUGIN_EXPORT const hm_source_desc *hm_source_v1(const hm_host_api *h)
{
    host = h;
    return &desc;
}
