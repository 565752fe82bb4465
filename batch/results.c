/* results.c -- see results.h. */
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* the columns of decision_rows a run with reasons fills; one without
 * fills the first COLS_PLAIN, so that SQLite trims the trailing NULLs */
#define COLS 8
#define COLS_PLAIN 5

/* The schema version, in PRAGMA user_version: 0 for the databases made
 * before it was kept (versions 0 to 2 are migrated by adding columns and
 * tables; version 3 also gave run_entities.id no type, see migrate();
 * version 4 has decisions not applicable, status 4, counted in
 * run_not_applicable, and the view names them; version 5 has the decisions
 * of claim policies, one for each claim, decision_rows.claim its number
 * among the person's, NULL for the others; version 6 has the audits
 * against the payment roll (audit_runs, audit_findings, audit_regions);
 * version 7 has the tables of
 * `huimin diff`, DIFF_SCHEMA); a database of a later version is refused. */
#define SCHEMA_VERSION 7

/* `huimin diff`: one row per diff, its policies, their change by region,
 * the distribution of the households' changes, the largest changes */
static const char DIFF_SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS diff_runs(\n"
    "  diff_id INTEGER PRIMARY KEY, as_of TEXT NOT NULL, base_hash TEXT NOT NULL, reform_hash TEXT NOT NULL,\n"
    "  started TEXT, finished TEXT, config TEXT, config_sets TEXT, households INTEGER, persons INTEGER,\n"
    "  huimin_version TEXT);\n"
    "CREATE TABLE IF NOT EXISTS diff_policies(\n"
    "  diff_id INTEGER NOT NULL, policy TEXT NOT NULL, label TEXT, entity TEXT, presence TEXT, period TEXT,\n"
    "  newly_eligible INTEGER, no_longer_eligible INTEGER, paid_more INTEGER, paid_less INTEGER,\n"
    "  unchanged INTEGER, to_undetermined INTEGER, from_undetermined INTEGER, base_eligible INTEGER,\n"
    "  reform_eligible INTEGER, base_total_fen INTEGER, reform_total_fen INTEGER, change_fen INTEGER,\n"
    "  change_per_year_fen INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS diff_regions(\n"
    "  diff_id INTEGER NOT NULL, level TEXT NOT NULL, region TEXT, name TEXT, households INTEGER,\n"
    "  policy TEXT NOT NULL, newly_eligible INTEGER, no_longer_eligible INTEGER, change_fen INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS diff_distribution(\n"
    "  diff_id INTEGER NOT NULL, period TEXT NOT NULL, gainers INTEGER, losers INTEGER, unchanged INTEGER,\n"
    "  decile INTEGER, change_fen INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS diff_households(\n"
    "  diff_id INTEGER NOT NULL, rank INTEGER, household TEXT, change_month_fen INTEGER,\n"
    "  change_year_fen INTEGER, change_once_fen INTEGER, change_per_year_fen INTEGER);\n";

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS runs(\n"
    "  run_id INTEGER PRIMARY KEY, as_of TEXT NOT NULL, pack_hash TEXT NOT NULL,\n"
    "  started TEXT NOT NULL, finished TEXT, config TEXT, households INTEGER, persons INTEGER,\n"
    "  reasons INTEGER, settled INTEGER, config_text TEXT, config_sets TEXT, huimin_version TEXT,\n"
    "  store TEXT);\n"
    "CREATE TABLE IF NOT EXISTS run_policies(\n"
    "  run_id INTEGER NOT NULL, policy INTEGER NOT NULL, name TEXT NOT NULL, label TEXT,\n"
    "  entity_kind TEXT NOT NULL, period INTEGER, PRIMARY KEY(run_id, policy)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS run_reasons(\n"
    "  run_id INTEGER NOT NULL, reason INTEGER NOT NULL, text TEXT NOT NULL,\n"
    "  PRIMARY KEY(run_id, reason)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS run_entities(\n"
    "  entity INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, kind TEXT NOT NULL, id NOT NULL,\n"
    "  household INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS decision_rows(\n"
    "  run_id INTEGER NOT NULL, entity INTEGER NOT NULL, policy INTEGER NOT NULL,\n"
    "  status INTEGER NOT NULL, amount_fen INTEGER, reason INTEGER, missing TEXT, message TEXT,\n"
    "  claim INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS data_issues(\n"
    "  run_id INTEGER NOT NULL, source TEXT, entity_kind TEXT, entity_id TEXT, field TEXT,\n"
    "  issue TEXT NOT NULL, detail TEXT);\n"
    "CREATE TABLE IF NOT EXISTS run_sources(\n"
    "  run_id INTEGER NOT NULL, source TEXT NOT NULL, plugin TEXT NOT NULL, isolate TEXT NOT NULL,\n"
    "  identity TEXT, PRIMARY KEY(run_id, source)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS run_not_eligible(\n"
    "  run_id INTEGER NOT NULL, policy INTEGER NOT NULL, reason INTEGER, count INTEGER NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS run_not_applicable(\n"
    "  run_id INTEGER NOT NULL, policy INTEGER NOT NULL, count INTEGER NOT NULL,\n"
    "  PRIMARY KEY(run_id, policy)) WITHOUT ROWID;\n";

/* the audits of runs against the payment roll (audit.c, docs/audit.md):
 * one row per audit, one per finding; amounts in fen, month_fen and
 * year_fen the amount at stake per month and per year (NULL for a lump
 * sum) */
static const char AUDIT_V6[] =
    "CREATE TABLE IF NOT EXISTS audit_runs(\n"
    "  audit_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, as_of TEXT NOT NULL, roll_source TEXT NOT NULL,\n"
    "  roll_facts TEXT, roll_period TEXT, started TEXT NOT NULL, payments INTEGER, paid_as_decided INTEGER,\n"
    "  not_compared INTEGER, entities_without_roll INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS audit_findings(\n"
    "  audit_id INTEGER NOT NULL, category TEXT NOT NULL, policy TEXT, entity_kind TEXT, entity_id TEXT,\n"
    "  household_id TEXT, reason TEXT, detail TEXT, paid_fen INTEGER, paid_period TEXT, decided_fen INTEGER,\n"
    "  decided_period TEXT, month_fen INTEGER, year_fen INTEGER, since TEXT,\n"
    "  township TEXT, county TEXT, city TEXT);\n"
    "CREATE INDEX IF NOT EXISTS audit_findings_by ON audit_findings(audit_id, category, policy);\n"
    "CREATE TABLE IF NOT EXISTS audit_regions(\n"
    "  audit_id INTEGER NOT NULL, level TEXT NOT NULL, code TEXT NOT NULL, name TEXT,\n"
    "  PRIMARY KEY(audit_id, level, code)) WITHOUT ROWID;\n";

/* run_entities as SCHEMA_VERSION 3 has it: an id keeps the type the source
 * gave it (an integer id is stored as one) */
static const char ENTITIES_V3[] =
    "CREATE TABLE run_entities_v3(\n"
    "  entity INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, kind TEXT NOT NULL, id NOT NULL,\n"
    "  household INTEGER);\n"
    "INSERT INTO run_entities_v3 SELECT entity, run_id, kind, id, household FROM run_entities;\n"
    "DROP TABLE run_entities;\n"
    "ALTER TABLE run_entities_v3 RENAME TO run_entities;\n";

/* the view, made again when a database is migrated.  A run stored with
 * store = 'answers' (runs.store) has no rows here for its not eligible
 * decisions but those of the entities it kept: run_not_eligible counts
 * them all. */
static const char VIEW[] =
    "CREATE VIEW decisions AS\n"
    "  -- a run with runs.store = 'answers' has no not eligible or not applicable rows but those\n"
    "  -- of the ids it kept: run_not_eligible and run_not_applicable count them all\n"
    "  SELECT d.run_id, e.kind AS entity_kind, e.id AS entity_id, h.id AS household_id,\n"
    "         p.name AS policy,\n"
    "         CASE d.status WHEN 1 THEN 'eligible' WHEN 2 THEN 'not_eligible'\n"
    "                       WHEN 4 THEN 'not_applicable' ELSE 'undetermined' END AS status,\n"
    "         d.amount_fen,\n"
    "         CASE WHEN d.amount_fen IS NULL THEN NULL WHEN p.period = 1 THEN 'month'\n"
    "              WHEN p.period = 2 THEN 'year' WHEN p.period = 0 THEN 'once' END AS amount_period,\n"
    "         r.text AS reason, d.message, d.missing, d.claim\n"
    "  FROM decision_rows d\n"
    "  JOIN run_entities e ON e.entity = d.entity\n"
    "  LEFT JOIN run_entities h ON h.entity = e.household\n"
    "  JOIN run_policies p ON p.run_id = d.run_id AND p.policy = d.policy\n"
    "  LEFT JOIN run_reasons r ON r.run_id = d.run_id AND r.reason = d.reason;\n";

/* ---- a caller's sink (hm_run_with) ---- */

void results_open_sink(results *r, const hm_run_sink *sink, const char *name)
{
    memset(r, 0, sizeof *r);
    r->sink = sink;
    r->path = name;
}

/* After a sink call: 0, or -1 with its message (or a word for none) in r->err. */
static int sunk(results *r, int rc, const char *what)
{
    if (rc == 0)
        return 0;
    r->err[sizeof r->err - 1] = '\0';
    if (!r->err[0])
        snprintf(r->err, sizeof r->err, "%s: refused (no reason given)", what);
    return -1;
}

static int fail(results *r, const char *what)
{
    snprintf(r->err, sizeof r->err, "%s: %s", what, r->db ? sqlite3_errmsg(r->db) : "out of memory");
    return -1;
}

void results_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int exec1(results *r, const char *sql, const char *what)
{
    return sqlite3_exec(r->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(r, what);
}

/* Add column `name` to `table` of a database made by an older huimin,
 * unless it has it (its earlier runs keep NULL there). */
static int add_column(results *r, const char *table, const char *name, const char *type, const char *path)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
                           NULL) != SQLITE_OK)
        return fail(r, path);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int has = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return fail(r, path);
    char sql[160];
    snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", table, name, type);
    return has ? 0 : exec1(r, sql, path);
}

static int failf(results *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int failf(results *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    return -1;
}

static int not_sqlite(results *r, const char *path)
{
    return failf(r, "%s: not a huimin results database (not an SQLite database); give --out a new file or a "
                 "results database of an earlier run", path);
}

/* An existing database must be empty or one of huimin's results: huimin
 * does not add its tables to somebody else's database. */
static int check_results_db(results *r, const char *path)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT name, name IN ('runs', 'run_policies', 'run_reasons', 'decision_rows') "
                           "FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name", -1, &st,
                           NULL) != SQLITE_OK)
        return sqlite3_errcode(r->db) == SQLITE_NOTADB ? not_sqlite(r, path) : fail(r, path);
    int ours = 0, theirs = 0, rc;
    char names[160] = "";
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_int(st, 1)) {
            ours++;
            continue;
        }
        const char *name = (const char *)sqlite3_column_text(st, 0);
        size_t at = strlen(names);
        /* the first few names say enough */
        if (theirs < 3 && name)
            snprintf(names + at, sizeof names - at, "%s%s", theirs ? ", " : "", name);
        else if (theirs == 3)
            snprintf(names + at, sizeof names - at, ", …");
        theirs++;
    }
    int code = sqlite3_errcode(r->db);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return code == SQLITE_NOTADB ? not_sqlite(r, path) : fail(r, path);
    if (ours == 4 || (ours == 0 && theirs == 0))
        return 0;
    if (ours == 0)
        return failf(r, "%s: not a huimin results database (it has other tables: %s); give --out a new file "
                     "or a results database of an earlier run", path, names);
    return failf(r, "%s: not a huimin results database (it has %d of the 4 tables of one); give --out a new "
                 "file or a results database of an earlier run", path, ours);
}

/* Bring the schema to SCHEMA_VERSION, in the run's transaction: a run
 * that fails leaves an older database as it was.  The columns are checked
 * whatever the version says (cheap, and a database some tool altered
 * gets them back). */
static int migrate(results *r, const char *path)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return fail(r, path);
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (version < 0)
        return fail(r, path);
    if (version > SCHEMA_VERSION)
        return failf(r, "%s: a results database of schema version %d, newer than this huimin's (%d): give "
                     "--out a new file, or use the huimin that wrote it", path, version, SCHEMA_VERSION);
    static const char *const cols[][3] = {
        { "runs", "reasons", "INTEGER" },       { "runs", "settled", "INTEGER" },
        { "runs", "config_text", "TEXT" },      { "runs", "config_sets", "TEXT" },
        { "runs", "huimin_version", "TEXT" },   { "run_policies", "period", "INTEGER" },
        { "run_entities", "household", "INTEGER" }, { "decision_rows", "message", "TEXT" },
        { "run_sources", "identity", "TEXT" },   { "runs", "store", "TEXT" },
        { "decision_rows", "claim", "INTEGER" },
    };
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
    if (exec1(r, SCHEMA, path))
        return -1;
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (add_column(r, cols[i][0], cols[i][1], cols[i][2], path))
            return -1;
    if (version < 6 && exec1(r, AUDIT_V6, path))
        return -1;
    if (version < 7 && exec1(r, DIFF_SCHEMA, path))
        return -1;
    if (version == SCHEMA_VERSION)
        return 0;
    /* the view goes first: a table under it cannot be renamed */
    if (exec1(r, "DROP VIEW IF EXISTS decisions", path) || (version < 3 && exec1(r, ENTITIES_V3, path)))
        return -1;
    return exec1(r, VIEW, path) || exec1(r, sql, path) ? -1 : 0;
}

int results_open(results *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    /* created here, so that it is 0600 from the start (SQLite would make
     * it 0644): it holds ID numbers and the values read; the umask can
     * only make it stricter */
    struct stat sb, now;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        r->created = 1;
        int bad = fstat(fd, &sb);
        close(fd);
        if (bad)
            return failf(r, "%s: %s", path, strerror(errno));
    } else if (errno != EEXIST) {
        return failf(r, "%s: cannot create: %s", path, strerror(errno));
    } else {
        if (stat(path, &sb) != 0)
            return failf(r, "%s: %s", path, strerror(errno));
        if (!S_ISREG(sb.st_mode))
            return failf(r, "%s: %s, not a results database", path,
                         S_ISDIR(sb.st_mode) ? "is a directory" : "is not a regular file");
    }
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return fail(r, path);
    /* the write lock is taken now, before the load: a second run to the
     * same database is refused at once, not after its whole load */
    sqlite3_busy_timeout(r->db, 1000);
    /* a small cache: the rows are appended, and the cache is memory taken
     * while the evaluation still holds the facts (a larger one was slower) */
    if (exec1(r, "PRAGMA synchronous = NORMAL", path) || exec1(r, "PRAGMA cache_size = -16384", path))
        return sqlite3_errcode(r->db) == SQLITE_NOTADB ? not_sqlite(r, path) : -1;
    if (sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        int code = sqlite3_errcode(r->db);
        if (code == SQLITE_BUSY)
            return failf(r, "%s: another run is writing to this results database (%s)", path,
                         sqlite3_errmsg(r->db));
        if (code == SQLITE_NOTADB)
            return not_sqlite(r, path);
        return fail(r, path);
    }
    r->locked = 1;
    /* a run that created the file and failed removes it: one that got the
     * lock after that would be writing to a removed file */
    if (stat(path, &now) != 0 || now.st_ino != sb.st_ino || now.st_dev != sb.st_dev)
        return failf(r, "%s: removed or replaced while this run opened it (by a run that failed?): run again",
                     path);
    sqlite3_busy_timeout(r->db, 5000);
    /* SQLite's default rollback journal (huimin never changes it): what a
     * killed run wrote is undone on the next open; new pages appended at
     * the end cost no journal writes */
    if (check_results_db(r, path))
        return -1;
    return migrate(r, path);
}

/* ---- batches: rows held in C, written by INSERT … SELECT from hm_rows ----
 *
 * hm_rows is an eponymous virtual table (registered on the connection
 * only, nothing in the file) whose rows are those of the batch being
 * written: one statement step writes the whole batch, with none of the
 * per-value binding calls of a multi-row INSERT … VALUES (10 to 20% faster
 * a row on 2 M rows of five integers). */

typedef struct rows_vtab {
    sqlite3_vtab base;
    results *r;                 /* r->writing: the batch being written */
} rows_vtab;

typedef struct rows_cursor {
    sqlite3_vtab_cursor base;
    int i;
} rows_cursor;

static int rows_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **vt,
                        char **err)
{
    (void)argc, (void)argv, (void)err;
    int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(c0, c1, c2, c3, c4, c5, c6, c7)");
    if (rc != SQLITE_OK)
        return rc;
    rows_vtab *v = sqlite3_malloc(sizeof *v);
    if (!v)
        return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    v->r = aux;
    *vt = &v->base;
    return SQLITE_OK;
}

static int rows_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
    (void)vt;
    info->estimatedCost = RESULTS_BATCH;
    info->estimatedRows = RESULTS_BATCH;
    return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

static int rows_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **cur)
{
    (void)vt;
    rows_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *cur = &c->base;
    return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *cur)
{
    sqlite3_free(cur);
    return SQLITE_OK;
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc, sqlite3_value **argv)
{
    (void)idx, (void)idxs, (void)argc, (void)argv;
    ((rows_cursor *)cur)->i = 0;
    return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur)
{
    ((rows_cursor *)cur)->i++;
    return SQLITE_OK;
}

static results_batch *rows_batch(sqlite3_vtab_cursor *cur)
{
    return ((rows_vtab *)cur->pVtab)->r->writing;
}

static int rows_eof(sqlite3_vtab_cursor *cur)
{
    const results_batch *b = rows_batch(cur);
    return !b || ((rows_cursor *)cur)->i >= b->n;
}

static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    const results_batch *b = rows_batch(cur);
    size_t at = (size_t)((rows_cursor *)cur)->i * (size_t)b->cols + (size_t)col;
    if (col >= b->cols || b->kind[at] == 0)
        sqlite3_result_null(ctx);
    else if (b->kind[at] == 1)
        sqlite3_result_int64(ctx, b->val[at]);
    else
        sqlite3_result_text64(ctx, b->kind[at] == 2 ? b->text + b->val[at] : (const char *)(intptr_t)b->val[at],
                              b->len[at], SQLITE_STATIC, SQLITE_UTF8);
    return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = ((rows_cursor *)cur)->i;
    return SQLITE_OK;
}

static const sqlite3_module rows_module = {
    .iVersion = 1, .xConnect = rows_connect, .xBestIndex = rows_best_index, .xDisconnect = rows_disconnect,
    .xOpen = rows_open, .xClose = rows_close, .xFilter = rows_filter, .xNext = rows_next, .xEof = rows_eof,
    .xColumn = rows_column, .xRowid = rows_rowid,
};

/* Prepare batch b: INSERT into `table` (its columns `cols`, n of them) from
 * hm_rows. */
static int batch_prepare(results *r, results_batch *b, const char *table, const char *cols, int n)
{
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO %s(%s) SELECT %s FROM hm_rows", table, cols,
             n == 8 ? "c0, c1, c2, c3, c4, c5, c6, c7" : "c0, c1, c2, c3, c4");
    b->cols = n;
    b->n = 0;
    b->val = sqlite3_malloc64(sizeof *b->val * RESULTS_BATCH * (size_t)n);
    b->kind = sqlite3_malloc64((size_t)RESULTS_BATCH * (size_t)n);
    b->len = sqlite3_malloc64(sizeof *b->len * RESULTS_BATCH * (size_t)n);
    if (!b->val || !b->kind || !b->len)
        return failf(r, "preparing the results: out of memory");
    return sqlite3_prepare_v2(r->db, sql, -1, &b->st, NULL) == SQLITE_OK ? 0 : fail(r, "preparing the results");
}

static void batch_free(results_batch *b)
{
    sqlite3_finalize(b->st);
    sqlite3_free(b->val);
    sqlite3_free(b->kind);
    sqlite3_free(b->len);
    sqlite3_free(b->text);
}

/* value col of the row being filled */
static void batch_int(results_batch *b, int col, int64_t v)
{
    size_t at = (size_t)b->n * (size_t)b->cols + (size_t)col;
    b->val[at] = v;
    b->kind[at] = 1;
}

static void batch_null(results_batch *b, int col)
{
    b->kind[(size_t)b->n * (size_t)b->cols + (size_t)col] = 0;
}

/* a text that lives as long as the batch */
static void batch_static(results_batch *b, int col, const char *text)
{
    size_t at = (size_t)b->n * (size_t)b->cols + (size_t)col;
    b->val[at] = (int64_t)(intptr_t)text;
    b->len[at] = strlen(text);
    b->kind[at] = 3;
}

/* a copy of text (NULL: NULL) in the batch; -1 when out of memory */
static int batch_text(results_batch *b, int col, const char *text)
{
    if (!text) {
        batch_null(b, col);
        return 0;
    }
    size_t len = strlen(text);
    if (b->tlen + len >= b->tcap) {     /* never full: an empty text has an address */
        size_t cap = b->tcap ? 2 * b->tcap : 65536;
        while (cap < b->tlen + len)
            cap *= 2;
        char *t = sqlite3_realloc64(b->text, cap);
        if (!t)
            return -1;
        b->text = t;
        b->tcap = cap;
    }
    memcpy(b->text + b->tlen, text, len);
    size_t at = (size_t)b->n * (size_t)b->cols + (size_t)col;
    b->val[at] = (int64_t)b->tlen;
    b->len[at] = len;
    b->kind[at] = 2;
    b->tlen += len;
    return 0;
}

/* the rows held written; 0, or -1 with SQLite's error */
static int batch_flush(results *r, results_batch *b)
{
    if (!b->n)
        return 0;
    r->writing = b;
    int rc = sqlite3_step(b->st);
    sqlite3_reset(b->st);
    r->writing = NULL;
    b->n = 0;
    b->tlen = 0;
    return rc == SQLITE_DONE ? 0 : -1;
}

/* a row was filled: the batch written when full */
static int batch_next(results *r, results_batch *b, const char *what)
{
    if (++b->n < RESULTS_BATCH)
        return 0;
    return batch_flush(r, b) ? fail(r, what) : 0;
}

int results_begin(results *r, const results_run *run)
{
    if (r->sink) {
        hm_sink_run sr = { run->as_of, run->pack_hash, run->config, run->config_text, run->config_sets,
                           run->version, run->started, run->households, run->persons, run->reasons ? 1 : 0,
                           run->settled ? 1 : 0, run->store_all ? 1 : 0 };
        long long id = 0;
        r->cols = run->reasons ? COLS : COLS_PLAIN;
        if (sunk(r, r->sink->begin(r->sink->ctx, &sr, &id, r->err, sizeof r->err), "beginning the run"))
            return -1;
        r->begun = 1;
        r->run_id = id;
        return 0;
    }
    int reasons = run->reasons;
    const char *path = "recording the run";
    r->cols = reasons ? COLS : COLS_PLAIN;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db,
                           "INSERT INTO runs(as_of, pack_hash, started, config, households, persons, reasons, "
                           "settled, config_text, config_sets, huimin_version, store) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        return fail(r, path);
    sqlite3_bind_text(st, 1, run->as_of, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, run->pack_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, run->started, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, run->config, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, run->households);
    sqlite3_bind_int64(st, 6, run->persons);
    sqlite3_bind_int(st, 7, reasons ? 1 : 0);
    sqlite3_bind_int(st, 8, run->settled ? 1 : 0);
    sqlite3_bind_text(st, 9, run->config_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, run->config_sets, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, run->version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, run->store_all ? "all" : "answers", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(r, path);
    r->run_id = sqlite3_last_insert_rowid(r->db);
    if (sqlite3_create_module(r->db, "hm_rows", &rows_module, r) != SQLITE_OK)
        return fail(r, path);
    if (batch_prepare(r, &r->dec, "decision_rows",
                      reasons ? "run_id, entity, policy, status, amount_fen, reason, missing, message"
                              : "run_id, entity, policy, status, amount_fen", r->cols) ||
        batch_prepare(r, &r->ent, "run_entities", "entity, run_id, kind, id, household", 5))
        return -1;
    return 0;
}

static int step_once(results *r, const char *sql, int n, const char *const *text, const int64_t *ints,
                     const char *what)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(r, what);
    sqlite3_bind_int64(st, 1, r->run_id);
    for (int i = 0; i < n; i++) {
        if (text[i])
            sqlite3_bind_text(st, i + 2, text[i], -1, SQLITE_TRANSIENT);
        else if (ints)
            sqlite3_bind_int64(st, i + 2, ints[i]);
    }
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(r, what);
}

int results_policy(results *r, int32_t policy, const char *name, const char *label, int person, int period)
{
    if (r->sink)
        return sunk(r, r->sink->policy(r->sink->ctx, policy, name, label,
                                       person > 1 ? HM_ENTITY_CLAIM : person ? HM_ENTITY_PERSON : HM_ENTITY_HOUSEHOLD,
                                       period, r->err, sizeof r->err), "saving the policies");
    const char *t[5] = { NULL, name, label, person > 1 ? "claim" : person ? "person" : "household", NULL };
    int64_t i[5] = { policy, 0, 0, 0, period };
    return step_once(r, "INSERT INTO run_policies VALUES (?, ?, ?, ?, ?, ?)", 5, t, i, "saving the policies");
}

int results_reason(results *r, int32_t reason, const char *text)
{
    if (r->sink)
        return sunk(r, r->sink->reason(r->sink->ctx, reason, text, r->err, sizeof r->err), "saving the reasons");
    const char *t[2] = { NULL, text };
    int64_t i[2] = { reason, 0 };
    return step_once(r, "INSERT INTO run_reasons VALUES (?, ?, ?)", 2, t, i, "saving the reasons");
}

int results_not_eligible(results *r, int32_t policy, int32_t reason, int64_t count)
{
    if (r->sink)
        return sunk(r, r->sink->not_eligible(r->sink->ctx, policy, reason, count, r->err, sizeof r->err),
                    "saving the counts of not eligible decisions");
    const char *t[3] = { NULL, NULL, NULL };
    int64_t i[3] = { policy, reason, count };
    /* reason 0: none recorded (a run without --reasons) */
    return step_once(r, reason ? "INSERT INTO run_not_eligible VALUES (?, ?, ?, ?)"
                               : "INSERT INTO run_not_eligible VALUES (?1, ?2, NULL, ?4)",
                     3, t, i, "saving the counts of not eligible decisions");
}

int results_not_applicable(results *r, int32_t policy, int64_t count)
{
    if (r->sink)
        return sunk(r, r->sink->not_applicable(r->sink->ctx, policy, count, r->err, sizeof r->err),
                    "saving the counts of not applicable decisions");
    const char *t[2] = { NULL, NULL };
    int64_t i[2] = { policy, count };
    return step_once(r, "INSERT INTO run_not_applicable VALUES (?, ?, ?)", 2, t, i,
                     "saving the counts of not applicable decisions");
}

int results_entity(results *r, int64_t entity, int person, const char *id, int64_t idnum, int64_t household)
{
    if (r->sink) {
        char num[24];
        if (!id) {
            snprintf(num, sizeof num, "%lld", (long long)idnum);
            id = num;
        }
        return sunk(r, r->sink->entity(r->sink->ctx, entity, person ? HM_ENTITY_PERSON : HM_ENTITY_HOUSEHOLD, id,
                                       household, r->err, sizeof r->err), "saving the entities");
    }
    results_batch *b = &r->ent;
    batch_int(b, 0, RESULTS_ENTITY(r->run_id, entity));
    batch_int(b, 1, r->run_id);
    batch_static(b, 2, person ? "person" : "household");
    if (id ? batch_text(b, 3, id) : (batch_int(b, 3, idnum), 0))
        return failf(r, "saving the entities: out of memory");
    if (household >= 0)
        batch_int(b, 4, RESULTS_ENTITY(r->run_id, household));
    else
        batch_null(b, 4);
    return batch_next(r, b, "saving the entities");
}

/* A decision to the sink: as the database stores it, so without reasons
 * the reason, missing facts and message are NULL. */
static int sink_decision(results *r, int64_t entity, int32_t policy, int32_t claim, int status, int has_amount,
                         int64_t amount, int32_t reason, const char *missing, const char *message)
{
    int with = r->cols == COLS;
    return sunk(r, r->sink->decision(r->sink->ctx, entity, policy, status, has_amount ? 1 : 0,
                                     has_amount ? amount : 0, with ? reason : 0, with ? missing : NULL,
                                     with ? message : NULL, claim, r->err, sizeof r->err),
                claim ? "saving the claims' decisions" : "saving the decisions");
}

int results_decision(results *r, int64_t entity, int32_t policy, int status, int has_amount,
                     int64_t amount, int32_t reason, const char *missing, const char *message)
{
    if (r->sink)
        return sink_decision(r, entity, policy, 0, status, has_amount, amount, reason, missing, message);
    results_batch *b = &r->dec;
    batch_int(b, 0, r->run_id);
    batch_int(b, 1, RESULTS_ENTITY(r->run_id, entity));
    batch_int(b, 2, policy);
    batch_int(b, 3, status);
    if (has_amount)
        batch_int(b, 4, amount);
    else
        batch_null(b, 4);
    if (r->cols == COLS) {
        if (reason)
            batch_int(b, 5, reason);
        else
            batch_null(b, 5);
        if (batch_text(b, 6, missing) || batch_text(b, 7, message))
            return failf(r, "saving the decisions: out of memory");
    }
    /* the entities first: a decision row never names one not yet written */
    if (b->n + 1 == RESULTS_BATCH && batch_flush(r, &r->ent))
        return fail(r, "saving the entities");
    return batch_next(r, b, "saving the decisions");
}

int results_source(results *r, const char *source, const char *plugin, int isolated, const char *identity)
{
    if (r->sink)
        return sunk(r, r->sink->source(r->sink->ctx, source, plugin, isolated, identity, r->err, sizeof r->err),
                    "saving the sources");
    const char *t[4] = { source, plugin, isolated ? "process" : "none", identity };
    return step_once(r, "INSERT INTO run_sources VALUES (?, ?, ?, ?, ?)", 4, t, NULL, "saving the sources");
}

int results_issue(results *r, const char *source, int person, const char *entity_id,
                  const char *field, const char *issue, const char *detail)
{
    if (r->sink)
        return sunk(r, r->sink->issue(r->sink->ctx, source, person ? HM_ENTITY_PERSON : HM_ENTITY_HOUSEHOLD,
                                      entity_id, field, issue, detail, r->err, sizeof r->err),
                    "saving the data issues");
    const char *t[6] = { source, person ? "person" : "household", entity_id, field, issue, detail };
    return step_once(r, "INSERT INTO data_issues VALUES (?, ?, ?, ?, ?, ?, ?)", 6, t, NULL,
                     "saving the data issues");
}

int results_commit(results *r)
{
    if (r->sink) {
        if (sunk(r, r->sink->commit(r->sink->ctx, r->err, sizeof r->err), "committing the run"))
            return -1;
        r->committed = 1;
        return 0;
    }
    if (batch_flush(r, &r->ent))
        return fail(r, "saving the entities");
    if (batch_flush(r, &r->dec))
        return fail(r, "saving the decisions");
    char fin[32], sql[128];
    results_now(fin, sizeof fin);
    snprintf(sql, sizeof sql, "UPDATE runs SET finished = '%s' WHERE run_id = %lld", fin, (long long)r->run_id);
    if (exec1(r, sql, "finishing the run") || exec1(r, "COMMIT", "committing the run"))
        return -1;
    r->committed = 1;
    return 0;
}

/* A claim's decision: few, so one row at a time (the batches have no
 * column for it). */
int results_claim_decision(results *r, int64_t entity, int32_t policy, int32_t claim, int status, int has_amount,
                           int64_t amount, int32_t reason, const char *missing, const char *message)
{
    if (r->sink)
        return sink_decision(r, entity, policy, claim, status, has_amount, amount, reason, missing, message);
    sqlite3_stmt *st = r->claim_st;
    if (!st && sqlite3_prepare_v2(r->db, "INSERT INTO decision_rows(run_id, entity, policy, status, amount_fen, "
                                         "reason, missing, message, claim) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  -1, &r->claim_st, NULL) != SQLITE_OK)
        return fail(r, "saving the claims' decisions");
    st = r->claim_st;
    sqlite3_bind_int64(st, 1, r->run_id);
    sqlite3_bind_int64(st, 2, RESULTS_ENTITY(r->run_id, entity));
    sqlite3_bind_int(st, 3, policy);
    sqlite3_bind_int(st, 4, status);
    if (has_amount)
        sqlite3_bind_int64(st, 5, amount);
    else
        sqlite3_bind_null(st, 5);
    if (r->cols == COLS && reason)
        sqlite3_bind_int(st, 6, reason);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_text(st, 7, r->cols == COLS ? missing : NULL, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, r->cols == COLS ? message : NULL, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 9, claim);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : fail(r, "saving the claims' decisions");
}

void results_close(results *r)
{
    if (r->sink) {
        /* a sink begun is ended either way: by its commit or here */
        if (r->begun && !r->committed)
            r->sink->abort(r->sink->ctx);
        memset(r, 0, sizeof *r);
        return;
    }
    sqlite3_finalize(r->claim_st);
    batch_free(&r->ent);
    batch_free(&r->dec);
    if (r->db) {
        if (!sqlite3_get_autocommit(r->db))
            sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(r->db);
    }
    /* a file this run created and did not fill is not left behind */
    if (r->created && r->locked && !r->committed)
        unlink(r->path);
    memset(r, 0, sizeof *r);
}
