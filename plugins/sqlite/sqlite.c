/* sqlite.c -- the sqlite source plugin: reads the tables and columns the
 * source's settings name from one SQLite database, opened read-only.
 *
 *   [source registry]
 *   plugin   = sqlite
 *   database = registry.db
 *   key.person = person_id
 *   person.birth_date = person.birth_date date
 */
#include "tablemap.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

typedef struct sq_state {
    const hm_host_api *host;
    sqlite3 *db;
    char *path;
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

static void *sq_open_rows(void *state, const char *table, const char *const *cols, int ncols,
                          hm_plugin_err *err)
{
    sq_state *st = state;
    char sql[4096];
    size_t at = 0;
    int bad = 0;
    at += (size_t)snprintf(sql, sizeof sql, "SELECT ");
    for (int i = 0; i < ncols && !bad; i++) {
        if (i)
            sql[at++] = ',';
        bad |= quote_ident(sql, sizeof sql, &at, cols[i]);
    }
    bad |= at + 6 >= sizeof sql;
    if (!bad) {
        at += (size_t)snprintf(sql + at, sizeof sql - at, " FROM ");
        bad |= quote_ident(sql, sizeof sql, &at, table);
    }
    /* in storage order: a table written in key order (or WITHOUT ROWID)
     * comes in key order, which the host matches without searching; any
     * other order works too, and costs no sort here */
    if (bad) {
        host->set_error(err, "table %s: the query is too long", table);
        return NULL;
    }
    sq_cursor *c = host->alloc(sizeof *c);
    if (!c) {
        host->set_error(err, "out of memory");
        return NULL;
    }
    c->st = st;
    c->ncols = ncols;
    c->err = err;
    if (sqlite3_prepare_v2(st->db, sql, -1, &c->stmt, NULL) != SQLITE_OK) {
        host->set_error(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
        host->free(c);
        return NULL;
    }
    return c;
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

static const tm_backend backend = { sq_open_rows, sq_next_row, sq_close_rows };

static void sq_close(void *state)
{
    sq_state *st = state;
    if (!st)
        return;
    sqlite3_close(st->db);
    tm_free(&st->map);
    host->free(st->path);
    host->free(st);
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
    /* opening is lazy in SQLite: read the schema now to fail early on a
     * file that is not a database */
    if (sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
        h->set_error(err, "cannot read %s: %s", st->path, sqlite3_errmsg(st->db));
        return HM_PLUGIN_ERROR;
    }
    sqlite3_exec(st->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
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
    .close = sq_close,
};

HM_PLUGIN_EXPORT const hm_source_desc *hm_source_v1(const hm_host_api *h)
{
    host = h;
    return &desc;
}
