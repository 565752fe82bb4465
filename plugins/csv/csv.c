/* csv.c -- the csv source plugin: each table is a file DIR/TABLE.csv with a
 * header row naming its columns, parsed with libcsv and read a line at a
 * time, so a file of any size takes little memory.
 *
 *   [source civil_affairs]
 *   plugin    = csv
 *   directory = data           ; relative to the configuration's folder
 *   key.income = person_id
 *   person.monthly_income = income.amount_fen money per month
 *
 * Every cell is text, except an empty unquoted field, which is NULL. */
#include "identity.h"
#include "tablemap.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_COLS 64

typedef struct cv_state {
    char *dir;
    int bad_row_issue;      /* on_bad_row = issue: a malformed row is a data issue */
    char *identity;         /* each file read, as opened */
    int oom;                /* no room for identity */
    tm_map map;
} cv_state;

typedef struct cv_cursor {
    cv_state *st;
    FILE *f;
    char *path;
    struct csv_parser parser;
    char *line;
    size_t linecap;
    long lineno;            /* the last line read */
    long rowline;           /* the first line of the row read last */
    tm_names header;
    char *problem;          /* what is wrong with the row read last, or NULL */
    char problem_buf[512];
    /* the row being parsed: its fields in one buffer */
    char *buf;
    size_t len, cap;
    size_t off[256];
    size_t flen[256];
    unsigned char isnull[256];
    int nfields, too_many, row_done, oom;
    /* which field of a row each wanted column is */
    int ncols, index[MAX_COLS];
} cv_cursor;

static const hm_host_api *host;

static void on_field(void *s, size_t n, void *data)
{
    cv_cursor *c = data;
    if (c->nfields >= 256) {
        c->too_many = 1;
        return;
    }
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        while (cap < c->len + n + 1)
            cap *= 2;
        char *b = realloc(c->buf, cap);
        if (!b) {
            c->oom = 1;
            return;
        }
        c->buf = b;
        c->cap = cap;
    }
    c->off[c->nfields] = c->len;
    c->flen[c->nfields] = s ? n : 0;
    c->isnull[c->nfields] = s == NULL;
    if (s)
        memcpy(c->buf + c->len, s, n);
    c->len += (s ? n : 0) + 1;
    c->buf[c->len - 1] = '\0';
    c->nfields++;
}

static void on_row(int term, void *data)
{
    cv_cursor *c = data;
    c->row_done = 1;
}

/* Parse lines until one row is complete: 1, 0 at the end, -1 on error. */
static int read_row(cv_cursor *c, hm_plugin_err *err)
{
    c->nfields = 0;
    c->len = 0;
    c->row_done = 0;
    long first = c->lineno + 1;
    c->rowline = first;
    for (;;) {
        ssize_t n = getline(&c->line, &c->linecap, c->f);
        if (n < 0) {
            if (ferror(c->f)) {
                host->set_error(err, "%s: cannot read: %s", c->path, strerror(errno));
                return -1;
            }
            if (csv_fini(&c->parser, on_field, on_row, c) != 0) {
                host->set_error(err, "%s:%ld: %s (an unterminated quoted field?)", c->path, first,
                                csv_strerror(csv_error(&c->parser)));
                return -1;
            }
            return c->row_done ? 1 : 0;
        }
        c->lineno++;
        char *s = c->line;
        if (c->lineno == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {  /* a BOM */
            s += 3;
            n -= 3;
        }
        if ((size_t)n != csv_parse(&c->parser, s, (size_t)n, on_field, on_row, c)) {
            host->set_error(err, "%s:%ld: %s", c->path, c->lineno, csv_strerror(csv_error(&c->parser)));
            return -1;
        }
        if (c->oom) {
            host->set_error(err, "out of memory");
            return -1;
        }
        if (c->too_many) {
            host->set_error(err, "%s:%ld: more than 256 fields", c->path, first);
            return -1;
        }
        if (c->row_done)
            return 1;
    }
}

static void cv_close_rows(void *cursor)
{
    cv_cursor *c = cursor;
    if (c->f)
        fclose(c->f);
    csv_free(&c->parser);
    free(c->line);
    free(c->buf);
    for (int i = 0; i < c->header.n; i++)
        host->free(c->header.v[i]);
    host->free(c->header.v);
    host->free(c->path);
    host->free(c);
}

/* The file of cursor c, as opened, in the source's identity: its size,
 * mtime and the SHA-256 of its first line (the header), read apart from
 * the stream. */
static void note_file(cv_state *st, cv_cursor *c)
{
    int fd = fileno(c->f);
    size_t cap = 4096, len = 0;
    char *line = host->alloc(cap);
    while (line) {
        ssize_t k = pread(fd, line + len, cap - len, (off_t)len);
        if (k <= 0)
            break;
        char *nl = memchr(line + len, '\n', (size_t)k);
        len += (size_t)k;
        if (nl) {
            len = (size_t)(nl - line);
            break;
        }
        if (len == cap) {
            char *more = host->alloc(cap * 2);
            if (more)
                memcpy(more, line, len);
            host->free(line);
            line = more;
            cap *= 2;
        }
    }
    char *item = line ? id_file(host, c->path, fd, "header", line, len) : NULL;
    if (!item || id_append(host, &st->identity, item))
        st->oom = 1;
    host->free(item);
    host->free(line);
}

static int cv_identity(void *state, const char **text, hm_plugin_err *err)
{
    cv_state *st = state;
    if (st->oom) {
        host->set_error(err, "out of memory, or a file could not be examined");
        return HM_PLUGIN_ERROR;
    }
    *text = st->identity ? st->identity : "(no file read)";
    return HM_PLUGIN_OK;
}

/* TABLE.csv opened and its header read (a name twice is refused: which
 * column would be meant?).  NULL with *missing set when there is no file. */
static cv_cursor *open_table(cv_state *st, const char *table, int *missing, hm_plugin_err *err)
{
    cv_cursor *c = host->alloc(sizeof *c);
    *missing = 0;
    if (!c) {
        host->set_error(err, "out of memory");
        return NULL;
    }
    memset(c, 0, sizeof *c);
    c->st = st;
    size_t n = strlen(st->dir) + strlen(table) + 6;
    c->path = host->alloc(n);
    if (!c->path || csv_init(&c->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL)) {
        host->set_error(err, "out of memory");
        cv_close_rows(c);
        return NULL;
    }
    snprintf(c->path, n, "%s/%s.csv", st->dir, table);
    if (!(c->f = fopen(c->path, "r"))) {
        *missing = errno == ENOENT;
        host->set_error(err, "cannot open %s: %s", c->path, strerror(errno));
        cv_close_rows(c);
        return NULL;
    }
    int r = read_row(c, err);
    if (r <= 0) {
        if (r == 0)
            host->set_error(err, "%s: empty file, expected a header row", c->path);
        cv_close_rows(c);
        return NULL;
    }
    note_file(st, c);
    for (int k = 0; k < c->nfields; k++) {
        const char *name = c->isnull[k] ? "" : c->buf + c->off[k];
        for (int j = 0; j < k; j++)
            if (strcmp(c->header.v[j], name) == 0) {
                host->set_error(err, "%s:%ld: column `%s` is named twice in the header (columns %d and %d)",
                                c->path, c->rowline, name, j + 1, k + 1);
                cv_close_rows(c);
                return NULL;
            }
        if (tm_names_add(host, &c->header, name, strlen(name))) {
            host->set_error(err, "out of memory");
            cv_close_rows(c);
            return NULL;
        }
    }
    return c;
}

static int cv_columns(void *state, const char *table, tm_names *names, hm_plugin_err *err)
{
    int missing;
    cv_cursor *c = open_table(state, table, &missing, err);
    if (!c)
        return missing ? 1 : -1;
    for (int k = 0; k < c->header.n; k++)
        if (tm_names_add(host, names, c->header.v[k], strlen(c->header.v[k]))) {
            host->set_error(err, "out of memory");
            cv_close_rows(c);
            return -1;
        }
    cv_close_rows(c);
    return 0;
}

static void *cv_open_rows(void *state, const char *table, const char *const *cols, int ncols,
                          hm_plugin_err *err)
{
    int missing;
    cv_cursor *c = open_table(state, table, &missing, err);
    if (!c)
        return NULL;
    c->ncols = ncols;
    for (int i = 0; i < ncols; i++) {
        c->index[i] = -1;
        for (int k = 0; k < c->nfields; k++)
            if (!c->isnull[k] && strcmp(c->buf + c->off[k], cols[i]) == 0)
                c->index[i] = k;
        if (c->index[i] < 0) {
            char have[512];
            size_t at = 0;
            have[0] = '\0';
            for (int k = 0; k < c->nfields && at < sizeof have; k++)
                at += (size_t)snprintf(have + at, sizeof have - at, "%s%s", k ? ", " : "",
                                       c->isnull[k] ? "(empty)" : c->buf + c->off[k]);
            host->set_error(err, "%s:1: no column `%s` in the header (it has: %s)", c->path, cols[i], have);
            cv_close_rows(c);
            return NULL;
        }
    }
    return c;
}

static int cv_next_row(void *cursor, tm_cell *cells, hm_plugin_err *err)
{
    cv_cursor *c = cursor;
    int r;
    do {
        r = read_row(c, err);
    } while (r == 1 && c->nfields == 1 && c->isnull[0]);   /* blank lines */
    if (r <= 0)
        return r;
    /* a row of another length than the header's, as PostgreSQL's COPY
     * refuses it: refused, or with on_bad_row = issue, none of its values
     * used (a data issue for each) */
    c->problem = NULL;
    int nh = c->header.n;
    if (c->nfields != nh) {
        if (c->nfields < nh)
            snprintf(c->problem_buf, sizeof c->problem_buf,
                     "%s:%ld: missing data for column `%s` (the row has %d field%s, the header %d)",
                     c->path, c->rowline, c->header.v[c->nfields], c->nfields, c->nfields == 1 ? "" : "s", nh);
        else
            snprintf(c->problem_buf, sizeof c->problem_buf,
                     "%s:%ld: extra data after the last column (field %d; the header has %d column%s)",
                     c->path, c->rowline, nh + 1, nh, nh == 1 ? "" : "s");
        if (!c->st->bad_row_issue) {
            host->set_error(err, "%s (on_bad_row = issue keeps such rows as data issues)", c->problem_buf);
            return -1;
        }
        c->problem = c->problem_buf;
    }
    for (int i = 0; i < c->ncols; i++) {
        int k = c->index[i];
        tm_cell *x = &cells[i];
        if (k >= c->nfields || c->isnull[k]) {
            x->kind = TM_NULL;
        } else {
            x->kind = TM_TEXT;
            x->s = c->buf + c->off[k];
            x->len = c->flen[k];
        }
    }
    return 1;
}

static const char *cv_row_problem(void *cursor)
{
    return ((cv_cursor *)cursor)->problem;
}

static const tm_backend backend = {
    .open_rows = cv_open_rows, .next_row = cv_next_row, .close_rows = cv_close_rows,
    .columns = cv_columns, .row_problem = cv_row_problem, .text_ints = 1,
};

static int cv_open(const hm_host_api *h, const hm_open_args *a, void **state, hm_plugin_err *err)
{
    static const char *const own[] = { "directory", "on_bad_row", NULL };
    const char *dir = tm_setting(a, "directory");
    if (!dir) {
        h->set_error(err, "no directory: set directory = DIR (the folder of the TABLE.csv files)");
        return HM_PLUGIN_ERROR;
    }
    cv_state *st = h->alloc(sizeof *st);
    if (!st) {
        h->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    memset(st, 0, sizeof *st);
    *state = st;
    if (tm_parse(&st->map, h, a, own, err))
        return HM_PLUGIN_ERROR;
    if (!(st->dir = tm_path(h, a, dir))) {
        h->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    const char *bad = tm_setting(a, "on_bad_row");
    if (bad && strcmp(bad, "issue") != 0 && strcmp(bad, "refuse") != 0) {
        h->set_error(err, "on_bad_row = %s: expected `refuse` (the default) or `issue`", bad);
        return HM_PLUGIN_ERROR;
    }
    st->bad_row_issue = bad && strcmp(bad, "issue") == 0;
    if (tm_check(&st->map, &backend, st, a, err))
        return HM_PLUGIN_ERROR;
    return HM_PLUGIN_OK;
}

static void cv_close(void *state)
{
    cv_state *st = state;
    if (!st)
        return;
    tm_free(&st->map);
    host->free(st->dir);
    host->free(st->identity);
    host->free(st);
}

static int cv_fields(void *state, const hm_field_desc **fields, uint32_t *n, hm_plugin_err *err)
{
    cv_state *st = state;
    *fields = st->map.descs;
    *n = (uint32_t)st->map.nfields;
    return HM_PLUGIN_OK;
}

static int cv_fetch(void *state, hm_fetch_req *req, hm_plugin_err *err)
{
    cv_state *st = state;
    return tm_fetch(&st->map, &backend, st, req, err);
}

static int cv_population(void *state, hm_population_ctx *ctx, hm_plugin_err *err)
{
    cv_state *st = state;
    return tm_population(&st->map, &backend, st, ctx, err);
}

static int cv_population_fetch(void *state, hm_population_ctx *ctx, hm_fetch_req *households,
                               hm_fetch_req *persons, hm_plugin_err *err)
{
    cv_state *st = state;
    return tm_population_fetch(&st->map, &backend, st, ctx, households, persons, err);
}

static int cv_reftable(void *state, const hm_reftable_req *req, hm_plugin_err *err)
{
    cv_state *st = state;
    return tm_reftable(&st->map, &backend, st, req, err);
}

static const hm_source_desc desc = {
    .size = sizeof(hm_source_desc),
    .abi_major = HM_PLUGIN_ABI_MAJOR,
    .abi_minor = HM_PLUGIN_ABI_MINOR,
    .name = "csv",
    .version = "1.0",
    .description = "one CSV file per table (TABLE.csv with a header row) in a folder",
    .open = cv_open,
    .fields = cv_fields,
    .fetch = cv_fetch,
    .population = cv_population,
    .population_fetch = cv_population_fetch,
    .reftable = cv_reftable,
    .close = cv_close,
    .identity = cv_identity,
};

HM_PLUGIN_EXPORT const hm_source_desc *hm_source_v1(const hm_host_api *h)
{
    host = h;
    return &desc;
}
