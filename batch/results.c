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
#define COLS 7
#define COLS_PLAIN 5

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS runs(\n"
    "  run_id INTEGER PRIMARY KEY, as_of TEXT NOT NULL, pack_hash TEXT NOT NULL,\n"
    "  started TEXT NOT NULL, finished TEXT, config TEXT, households INTEGER, persons INTEGER,\n"
    "  reasons INTEGER, settled INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS run_policies(\n"
    "  run_id INTEGER NOT NULL, policy INTEGER NOT NULL, name TEXT NOT NULL, label TEXT,\n"
    "  entity_kind TEXT NOT NULL, PRIMARY KEY(run_id, policy)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS run_reasons(\n"
    "  run_id INTEGER NOT NULL, reason INTEGER NOT NULL, text TEXT NOT NULL,\n"
    "  PRIMARY KEY(run_id, reason)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS run_entities(\n"
    "  entity INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS decision_rows(\n"
    "  run_id INTEGER NOT NULL, entity INTEGER NOT NULL, policy INTEGER NOT NULL,\n"
    "  status INTEGER NOT NULL, amount_fen INTEGER, reason INTEGER, missing TEXT);\n"
    "CREATE TABLE IF NOT EXISTS data_issues(\n"
    "  run_id INTEGER NOT NULL, source TEXT, entity_kind TEXT, entity_id TEXT, field TEXT,\n"
    "  issue TEXT NOT NULL, detail TEXT);\n"
    "CREATE TABLE IF NOT EXISTS run_sources(\n"
    "  run_id INTEGER NOT NULL, source TEXT NOT NULL, plugin TEXT NOT NULL, isolate TEXT NOT NULL,\n"
    "  PRIMARY KEY(run_id, source)) WITHOUT ROWID;\n"
    "CREATE VIEW IF NOT EXISTS decisions AS\n"
    "  SELECT d.run_id, e.kind AS entity_kind, e.id AS entity_id, p.name AS policy,\n"
    "         CASE d.status WHEN 1 THEN 'eligible' WHEN 2 THEN 'not_eligible'\n"
    "                       ELSE 'undetermined' END AS status,\n"
    "         d.amount_fen, r.text AS reason, d.missing\n"
    "  FROM decision_rows d\n"
    "  JOIN run_entities e ON e.entity = d.entity\n"
    "  JOIN run_policies p ON p.run_id = d.run_id AND p.policy = d.policy\n"
    "  LEFT JOIN run_reasons r ON r.run_id = d.run_id AND r.reason = d.reason;\n";

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

/* runs.reasons and runs.settled came after the first results databases:
 * add them to theirs (their runs keep NULL there; they all stored reasons,
 * and none settled) */
static int add_runs_column(results *r, const char *name, const char *path)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return fail(r, path);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int has = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return fail(r, path);
    char sql[96];
    snprintf(sql, sizeof sql, "ALTER TABLE runs ADD COLUMN %s INTEGER", name);
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
    if (exec1(r, "PRAGMA synchronous = NORMAL", path) || exec1(r, "PRAGMA cache_size = -131072", path))
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
    if (check_results_db(r, path) || exec1(r, SCHEMA, path) ||
        add_runs_column(r, "reasons", path) || add_runs_column(r, "settled", path))
        return -1;
    return 0;
}

int results_begin(results *r, const char *as_of, const char *pack_hash, const char *config,
                  const char *started, int64_t households, int64_t persons, int reasons, int settled)
{
    const char *path = "recording the run";
    r->cols = reasons ? COLS : COLS_PLAIN;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db,
                           "INSERT INTO runs(as_of, pack_hash, started, config, households, persons, reasons, "
                           "settled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        return fail(r, path);
    sqlite3_bind_text(st, 1, as_of, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pack_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, started, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, config, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, households);
    sqlite3_bind_int64(st, 6, persons);
    sqlite3_bind_int(st, 7, reasons ? 1 : 0);
    sqlite3_bind_int(st, 8, settled ? 1 : 0);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(r, path);
    r->run_id = sqlite3_last_insert_rowid(r->db);
    const char *head = reasons ? "INSERT INTO decision_rows VALUES "
                               : "INSERT INTO decision_rows(run_id, entity, policy, status, amount_fen) VALUES ";
    const char *tuple = reasons ? "(?,?,?,?,?,?,?)" : "(?,?,?,?,?)";
    char sql[128 + RESULTS_BATCH * 24];
    size_t at = (size_t)snprintf(sql, sizeof sql, "%s%s", head, tuple);
    if (sqlite3_prepare_v2(r->db, sql, -1, &r->one, NULL) != SQLITE_OK)
        return fail(r, path);
    for (int i = 1; i < RESULTS_BATCH; i++)
        at += (size_t)snprintf(sql + at, sizeof sql - at, ",%s", tuple);
    if (sqlite3_prepare_v2(r->db, sql, -1, &r->rows, NULL) != SQLITE_OK)
        return fail(r, path);
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

int results_policy(results *r, int32_t policy, const char *name, const char *label, int person)
{
    const char *t[4] = { NULL, name, label, person ? "person" : "household" };
    int64_t i[4] = { policy, 0, 0, 0 };
    return step_once(r, "INSERT INTO run_policies VALUES (?, ?, ?, ?, ?)", 4, t, i, "saving the policies");
}

int results_reason(results *r, int32_t reason, const char *text)
{
    const char *t[2] = { NULL, text };
    int64_t i[2] = { reason, 0 };
    return step_once(r, "INSERT INTO run_reasons VALUES (?, ?, ?)", 2, t, i, "saving the reasons");
}

int results_entity(results *r, int64_t entity, int person, const char *id)
{
    if (!r->entity_st && sqlite3_prepare_v2(r->db, "INSERT INTO run_entities VALUES (?, ?, ?, ?)", -1,
                                            &r->entity_st, NULL) != SQLITE_OK)
        return fail(r, "saving the entities");
    sqlite3_bind_int64(r->entity_st, 1, RESULTS_ENTITY(r->run_id, entity));
    sqlite3_bind_int64(r->entity_st, 2, r->run_id);
    sqlite3_bind_text(r->entity_st, 3, person ? "person" : "household", -1, SQLITE_STATIC);
    sqlite3_bind_text(r->entity_st, 4, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(r->entity_st);
    sqlite3_reset(r->entity_st);
    return rc == SQLITE_DONE ? 0 : fail(r, "saving the entities");
}

static void bind_row(sqlite3_stmt *st, int base, int cols, int64_t run, const result_row *w)
{
    sqlite3_bind_int64(st, base + 1, run);
    sqlite3_bind_int64(st, base + 2, RESULTS_ENTITY(run, w->entity));
    sqlite3_bind_int(st, base + 3, w->policy);
    sqlite3_bind_int(st, base + 4, w->status);
    if (w->has_amount)
        sqlite3_bind_int64(st, base + 5, w->amount);
    else
        sqlite3_bind_null(st, base + 5);
    if (cols < COLS)
        return;
    if (w->reason)
        sqlite3_bind_int(st, base + 6, w->reason);
    else
        sqlite3_bind_null(st, base + 6);
    if (w->missing[0])
        sqlite3_bind_text(st, base + 7, w->missing, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, base + 7);
}

int results_decision(results *r, int64_t entity, int32_t policy, int status, int has_amount,
                     int64_t amount, int32_t reason, const char *missing)
{
    result_row *w = &r->buf[r->pending++];
    *w = (result_row){ entity, amount, policy, reason, status, has_amount, { 0 } };
    if (missing && r->cols == COLS)
        snprintf(w->missing, sizeof w->missing, "%s", missing);
    if (r->pending < RESULTS_BATCH)
        return 0;
    for (int i = 0; i < RESULTS_BATCH; i++)
        bind_row(r->rows, i * r->cols, r->cols, r->run_id, &r->buf[i]);
    r->pending = 0;
    int rc = sqlite3_step(r->rows);
    sqlite3_reset(r->rows);
    return rc == SQLITE_DONE ? 0 : fail(r, "saving the decisions");
}

/* the rows of an unfilled batch, one by one */
static int flush(results *r)
{
    for (int i = 0; i < r->pending; i++) {
        bind_row(r->one, 0, r->cols, r->run_id, &r->buf[i]);
        int rc = sqlite3_step(r->one);
        sqlite3_reset(r->one);
        if (rc != SQLITE_DONE)
            return fail(r, "saving the decisions");
    }
    r->pending = 0;
    return 0;
}

int results_source(results *r, const char *source, const char *plugin, int isolated)
{
    const char *t[3] = { source, plugin, isolated ? "process" : "none" };
    return step_once(r, "INSERT INTO run_sources VALUES (?, ?, ?, ?)", 3, t, NULL, "saving the sources");
}

int results_issue(results *r, const char *source, int person, const char *entity_id,
                  const char *field, const char *issue, const char *detail)
{
    const char *t[6] = { source, person ? "person" : "household", entity_id, field, issue, detail };
    return step_once(r, "INSERT INTO data_issues VALUES (?, ?, ?, ?, ?, ?, ?)", 6, t, NULL,
                     "saving the data issues");
}

int results_commit(results *r)
{
    if (flush(r))
        return -1;
    char fin[32], sql[128];
    results_now(fin, sizeof fin);
    snprintf(sql, sizeof sql, "UPDATE runs SET finished = '%s' WHERE run_id = %lld", fin, (long long)r->run_id);
    if (exec1(r, sql, "finishing the run") || exec1(r, "COMMIT", "committing the run"))
        return -1;
    r->committed = 1;
    return 0;
}

void results_close(results *r)
{
    sqlite3_finalize(r->entity_st);
    sqlite3_finalize(r->rows);
    sqlite3_finalize(r->one);
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
