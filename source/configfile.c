/* config.c -- reading the source configuration with inih (see configfile.h).
 *
 * inih as Debian builds it does not pass line numbers to the handler, so
 * lines are read through our own reader, which counts them: the handler
 * runs for the line just read.
 *
 * Nor does it take lines longer than its buffer (200 bytes): the rest of
 * such a line would be read as a line of its own.  The reader reads whole
 * lines of any length and hands inih a long one with its value replaced by
 * a marker; the handler puts the value back, split and trimmed as inih
 * would have. */
#include "configfile.h"
#include "mem.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAIR_MARK "\x01"     /* a long line's value, as KEY = VALUE */
#define LINE_MARK "\x02"     /* a long line with no `=`: a continuation's value */

typedef struct reader {
    FILE *f;
    int line;
    hm_config *c;
    cfg_source *cur;        /* the [source NAME] being read, or NULL */
    int section_line;       /* of the last [section] header read */
    int failed;
    char *buf;              /* the line read, whole */
    size_t cap;
    /* the long line handed over as a marker: its value as KEY = VALUE,
     * its value as a continuation of the previous key, and the marker line
     * as inih sees a continuation's value */
    char *pair_value, *line_value, *marker;
} reader;

static int fail(hm_config *c, int line, const char *fmt, const char *a, const char *b);

/* inih's rules: an inline comment is `;` after a space; values and keys
 * are trimmed of spaces */
static char *inline_comment(char *s, const char *stop)
{
    int was_space = 0;
    while (*s && !(stop && strchr(stop, *s)) && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    return s;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* A line too long for inih's buffer of num bytes: into str as
 * "  KEY =" PAIR_MARK (or LINE_MARK when it has no `=`), its values kept
 * for the handler.  NULL after a failure. */
static char *hand_over_long(reader *r, char *str, int num)
{
    char *s = r->buf;
    if (r->line == 1 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    size_t ws = strspn(s, " \t\r\n\f\v");
    if (!s[ws] || s[ws] == ';' || s[ws] == '#') {
        snprintf(str, (size_t)num, ";\n");      /* a comment */
        return str;
    }
    char limit[32];
    snprintf(limit, sizeof limit, "%d", num - 4);
    if (s[ws] == '[') {
        r->failed = 1;
        return fail(r->c, r->line, "a [section] header of more than %s bytes: use a shorter name%s", limit, ""),
               NULL;
    }
    char *copy = mem_strdup(s + ws);
    if (!copy) {
        r->failed = 1;
        fail(r->c, r->line, "out of memory%s%s", "", "");
        return NULL;
    }
    *inline_comment(copy, NULL) = '\0';
    r->line_value = mem_strdup(trim(copy));
    char *eq = inline_comment(s + ws, "=:");
    size_t keylen = (size_t)(eq - (s + ws));
    if (*eq == '=' || *eq == ':') {
        char *v = s + ws + keylen + 1;
        *inline_comment(v, NULL) = '\0';
        r->pair_value = mem_strdup(trim(v));
    }
    int pair = *eq == '=' || *eq == ':';
    if (ws + (pair ? keylen : 0) + 4 >= (size_t)num) {
        mem_free(copy);
        r->failed = 1;
        return fail(r->c, r->line, "a key of more than %s bytes: use a shorter key%s", limit, ""), NULL;
    }
    /* inih sees "  KEY =\x01" (or "  TEXT\x02"): the marker line as a
     * continuation's value is KEY=\x01 as inih trims it */
    if (pair)
        snprintf(str, (size_t)num, "%.*s=" PAIR_MARK "\n", (int)(ws + keylen), s);
    else
        snprintf(str, (size_t)num, "%.*s" LINE_MARK "\n", (int)ws, s);
    mem_free(copy);
    if ((r->marker = mem_strdup(str + ws)))
        r->marker[strcspn(r->marker, "\n")] = '\0';
    if (!r->line_value || !r->marker || (pair && !r->pair_value)) {
        r->failed = 1;
        fail(r->c, r->line, "out of memory%s%s", "", "");
        return NULL;
    }
    return str;
}

/* the file's text, kept for the record of a run */
static int keep_text(hm_config *c, const char *line, size_t n)
{
    if (c->textlen + n + 1 > c->textcap) {
        size_t cap = c->textcap ? c->textcap : 1024;
        while (cap < c->textlen + n + 1)
            cap *= 2;
        char *t = mem_realloc(c->text, cap);
        if (!t)
            return -1;
        c->text = t;
        c->textcap = cap;
    }
    memcpy(c->text + c->textlen, line, n);
    c->textlen += n;
    c->text[c->textlen] = '\0';
    return 0;
}

static char *read_line(char *str, int num, void *stream)
{
    reader *r = stream;
    ssize_t n = getline(&r->buf, &r->cap, r->f);
    if (n < 0 || r->failed)
        return NULL;
    r->line++;
    if (keep_text(r->c, r->buf, (size_t)n)) {
        r->failed = 1;
        fail(r->c, r->line, "out of memory%s%s", "", "");
        return NULL;
    }
    const char *t = r->buf + strspn(r->buf, " \t");
    if (*t == '[')
        r->section_line = r->line;
    mem_free(r->pair_value);
    mem_free(r->line_value);
    mem_free(r->marker);
    r->pair_value = r->line_value = r->marker = NULL;
    if (n < num)
        return memcpy(str, r->buf, (size_t)n + 1);
    return hand_over_long(r, str, num);
}

/* The value inih gives for the line just read, with a long line's put back. */
static const char *real_value(const reader *r, const char *value)
{
    if (!r->marker)
        return value;
    if (strcmp(value, PAIR_MARK) == 0 && r->pair_value)
        return r->pair_value;
    if (strcmp(value, r->marker) == 0)
        return r->line_value;
    return value;
}

static int fail(hm_config *c, int line, const char *fmt, const char *a, const char *b)
{
    int n = line ? snprintf(c->err, sizeof c->err, "%s:%d: ", c->path, line)
                 : snprintf(c->err, sizeof c->err, "%s: ", c->path);
    snprintf(c->err + n, sizeof c->err - (size_t)n, fmt, a, b);
    return -1;
}

cfg_source *config_source(hm_config *c, const char *name)
{
    for (int i = 0; i < c->nsources; i++)
        if (strcmp(c->sources[i].name, name) == 0)
            return &c->sources[i];
    return NULL;
}

static cfg_source *add_source(hm_config *c, const char *name, int line)
{
    if (c->nsources == c->capsources) {
        int cap = c->capsources ? c->capsources * 2 : 8;
        cfg_source *s = mem_realloc(c->sources, sizeof *s * (size_t)cap);
        if (!s)
            return NULL;
        c->sources = s;
        c->capsources = cap;
    }
    cfg_source *s = &c->sources[c->nsources];
    memset(s, 0, sizeof *s);
    if (!(s->name = mem_strdup(name)))
        return NULL;
    s->line = line;
    c->nsources++;
    return s;
}

static int add_setting(cfg_source *s, const char *key, const char *value, int line)
{
    for (int i = 0; i < s->n; i++)     /* the command line overrides the file */
        if (strcmp(s->settings[i].key, key) == 0) {
            char *v = mem_strdup(value);
            if (!v)
                return -1;
            mem_free(s->settings[i].value);
            s->settings[i].value = v;
            s->settings[i].line = line;
            return 0;
        }
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        cfg_setting *n = mem_realloc(s->settings, sizeof *n * (size_t)cap);
        if (!n)
            return -1;
        s->settings = n;
        s->cap = cap;
    }
    cfg_setting *st = &s->settings[s->n];
    st->key = mem_strdup(key);
    st->value = mem_strdup(value);
    st->line = line;
    if (!st->key || !st->value) {
        mem_free(st->key);
        mem_free(st->value);
        return -1;
    }
    s->n++;
    return 0;
}

static int set_string(char **dst, const char *v)
{
    char *d = mem_strdup(v);
    if (!d)
        return -1;
    mem_free(*dst);
    *dst = d;
    return 0;
}

/* One setting of section `section` (NULL: the command line's section was
 * already resolved into in_run / src). */
static int apply(hm_config *c, int in_run, cfg_source *src, const char *key, const char *value, int line)
{
    if (in_run) {
        if (strcmp(key, "population") == 0)
            return set_string(&c->population, value) ? fail(c, line, "out of memory%s%s", "", "") : 0;
        if (strcmp(key, "as_of") == 0)
            return set_string(&c->as_of, value) ? fail(c, line, "out of memory%s%s", "", "") : 0;
        if (strcmp(key, "threads") == 0) {
            char *end;
            errno = 0;
            long n = strtol(value, &end, 10);
            if (errno || *end || end == value || n < 0 || n > 256)
                return fail(c, line, "threads = %s: expected a number from 0 (one per core) to 256%s", value, "");
            c->threads = (int)n;
            return 0;
        }
        if (strcmp(key, "store") == 0) {
            if (strcmp(value, "all") && strcmp(value, "answers"))
                return fail(c, line, "store = %s: expected `answers` (the default) or `all`%s", value, "");
            c->store_all = strcmp(value, "all") == 0;
            return 0;
        }
        if (strcmp(key, "keep") == 0) {
            c->keep_line = line;    /* relative to the file's folder, or to the working one */
            if (!*value)
                return fail(c, line, "`keep` has no value: the file of entity ids whose every decision is kept%s%s",
                            "", "");
            return set_string(&c->keep, value) ? fail(c, line, "out of memory%s%s", "", "") : 0;
        }
        return fail(c, line, "unknown setting `%s` in [run] (known: population, as_of, threads, store, keep)%s",
                    key, "");
    }
    if (strcmp(key, "plugin") == 0) {
        src->plugin_line = line;    /* a path is relative to the file's folder, or to the working one */
        return set_string(&src->plugin, value) ? fail(c, line, "out of memory%s%s", "", "") : 0;
    }
    if (!*value)
        return fail(c, line, "`%s` has no value%s", key, "");
    return add_setting(src, key, value, line) ? fail(c, line, "out of memory%s%s", "", "") : 0;
}

/* node.N = CONNINFO (N = 0, 1, … each once), pack = NAME or
 * timeout = SECONDS in [cluster] */
static int apply_cluster(hm_config *c, const char *key, const char *value, int line)
{
    if (strcmp(key, "timeout") == 0) {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (!*value || *end || errno || v < 1 || v > CFG_MAX_TIMEOUT)
            return fail(c, line, "`timeout = %s` in [cluster]: a whole number of seconds, 1 to %s (a week)", value,
                        CFG_MAX_TIMEOUT_TEXT);
        c->cluster_timeout = (int)v;
        return 0;
    }
    if (strcmp(key, "pack") == 0) {
        if (!*value)
            return fail(c, line, "`pack` has no value: the name under which the nodes load the pack%s%s", "", "");
        return set_string(&c->cluster_pack, value) ? fail(c, line, "out of memory%s%s", "", "") : 0;
    }
    const char *digits = strncmp(key, "node.", 5) == 0 ? key + 5 : NULL;
    size_t nd = digits ? strspn(digits, "0123456789") : 0;
    if (!digits || nd == 0 || digits[nd] || (nd > 1 && digits[0] == '0') || nd > 4)
        return fail(c, line, "unknown setting `%s` in [cluster] (known: node.0, node.1, …, pack and timeout)%s", key, "");
    int n = atoi(digits);
    if (n >= CFG_MAX_NODES)
        return fail(c, line, "%s: at most " CFG_MAX_NODES_TEXT " nodes, node.0 to node." CFG_LAST_NODE_TEXT "%s", key, "");
    if (!*value)
        return fail(c, line, "`%s` has no value: a connection string such as host=/run/pg0 dbname=city%s", key, "");
    if (n >= c->nnodes) {
        char **nodes = mem_realloc(c->nodes, sizeof *nodes * (size_t)(n + 1));
        if (!nodes)
            return fail(c, line, "out of memory%s%s", "", "");
        for (int i = c->nnodes; i <= n; i++)
            nodes[i] = NULL;
        c->nodes = nodes;
        c->nnodes = n + 1;
    }
    if (c->nodes[n])
        return fail(c, line, "%s is given twice in [cluster]%s", key, "");
    return set_string(&c->nodes[n], value) ? fail(c, line, "out of memory%s%s", "", "") : 0;
}

/* After the file: the nodes numbered from 0 with none left out. */
static int check_cluster(hm_config *c)
{
    if (!c->cluster_line)
        return 0;
    char first[16];
    for (int i = 0; i < c->nnodes; i++)
        if (!c->nodes[i]) {
            snprintf(first, sizeof first, "%d", i);
            return fail(c, c->cluster_line, "[cluster] has no node.%s: number the nodes 0, 1, … with none left out%s",
                        first, "");
        }
    if (!c->nnodes)
        return fail(c, c->cluster_line, "[cluster] names no node: give node.0 = CONNINFO, node.1 = …%s%s", "", "");
    return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    reader *r = user;
    hm_config *c = r->c;
    if (r->failed)
        return 0;
    int in_run = strcmp(section, "run") == 0;
    cfg_source *src = NULL;
    if (strcmp(section, "cluster") == 0) {
        if (!c->cluster_line)
            c->cluster_line = r->section_line;
        if (apply_cluster(c, name, real_value(r, value), r->line)) {
            r->failed = 1;
            return 0;
        }
        return 1;
    }
    if (!in_run) {
        if (strncmp(section, "source ", 7) != 0 || !section[7]) {
            r->failed = 1;
            fail(c, r->line, "unknown section [%s]: expected [run], [cluster] or [source NAME]%s", section, "");
            return 0;
        }
        const char *sname = section + 7;
        while (*sname == ' ')
            sname++;
        src = config_source(c, sname);
        if (!src && !(src = add_source(c, sname, r->section_line))) {
            r->failed = 1;
            fail(c, r->line, "out of memory%s%s", "", "");
            return 0;
        }
    }
    if (apply(c, in_run, src, name, real_value(r, value), r->line)) {
        r->failed = 1;
        return 0;
    }
    return 1;
}

/* Read the lines of f, named c->path in messages. */
static int read_stream(hm_config *c, FILE *f)
{
    reader r = { .f = f, .c = c };
    int rc = ini_parse_stream(read_line, &r, handler, &r);
    free(r.buf);        /* getline's */
    mem_free(r.pair_value);
    mem_free(r.line_value);
    mem_free(r.marker);
    if (r.failed)
        return -1;
    if (rc > 0)
        return fail(c, rc, "cannot read this line: expected [SECTION], KEY = VALUE or a comment%s%s", "", "");
    if (rc != 0) {
        snprintf(c->err, sizeof c->err, "%s: cannot read the file", c->path);
        return -1;
    }
    return check_cluster(c);
}

int config_read(hm_config *c, const char *path)
{
    memset(c, 0, sizeof *c);
    c->path = mem_strdup(path);
    const char *slash = strrchr(path, '/');
    c->dir = slash ? mem_alloc((size_t)(slash - path) + 2) : mem_strdup(".");
    if (!c->path || !c->dir) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return -1;
    }
    if (slash) {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        memcpy(c->dir, path, n);
        c->dir[n] = '\0';
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(c->err, sizeof c->err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    int rc = read_stream(c, f);
    fclose(f);
    return rc;
}

int config_read_text(hm_config *c, const char *name, const char *text)
{
    memset(c, 0, sizeof *c);
    c->path = mem_strdup(name ? name : "-");
    c->dir = mem_strdup(".");
    if (!c->path || !c->dir) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return -1;
    }
    if (!*text)         /* fmemopen wants at least a byte; no lines, nothing set */
        return keep_text(c, "", 0) ? (snprintf(c->err, sizeof c->err, "out of memory"), -1) : 0;
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    if (!f) {
        snprintf(c->err, sizeof c->err, "%s: cannot read the text: %s", c->path, strerror(errno));
        return -1;
    }
    int rc = read_stream(c, f);
    fclose(f);
    return rc;
}

int config_set(hm_config *c, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    const char *dot = strrchr(assignment, '.');
    char section[256], key[256];
    if (!c->path && !(c->path = mem_strdup("--set")))
        return -1;
    if (!c->dir && !(c->dir = mem_strdup(".")))
        return -1;
    /* run.KEY=V or source.NAME.KEY=V; keys may contain dots, names may not */
    if (eq && strncmp(assignment, "run.", 4) == 0 && (size_t)(eq - assignment) - 4 < sizeof key) {
        snprintf(key, sizeof key, "%.*s", (int)(eq - assignment - 4), assignment + 4);
        return apply(c, 1, NULL, key, eq + 1, 0);
    }
    dot = eq && strncmp(assignment, "source.", 7) == 0 ? memchr(assignment + 7, '.', (size_t)(eq - assignment - 7)) : NULL;
    if (!dot || dot == assignment + 7 || (size_t)(dot - assignment) >= sizeof section ||
        (size_t)(eq - dot) >= sizeof key || eq == dot + 1) {
        snprintf(c->err, sizeof c->err,
                 "--set %s: expected run.KEY=VALUE or source.NAME.KEY=VALUE", assignment);
        return -1;
    }
    snprintf(section, sizeof section, "%.*s", (int)(dot - assignment - 7), assignment + 7);
    snprintf(key, sizeof key, "%.*s", (int)(eq - dot - 1), dot + 1);
    cfg_source *src = config_source(c, section);
    if (!src && !(src = add_source(c, section, 0))) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return -1;
    }
    if (apply(c, 0, src, key, eq + 1, 0)) {
        /* say which option it was */
        char m[sizeof c->err];
        memcpy(m, c->err, sizeof m);
        snprintf(c->err, sizeof c->err, "--set %.200s: %.800s", assignment, m);
        return -1;
    }
    return 0;
}

void config_free(hm_config *c)
{
    for (int i = 0; i < c->nsources; i++) {
        cfg_source *s = &c->sources[i];
        for (int k = 0; k < s->n; k++) {
            mem_free(s->settings[k].key);
            mem_free(s->settings[k].value);
        }
        mem_free(s->settings);
        mem_free(s->name);
        mem_free(s->plugin);
    }
    mem_free(c->sources);
    for (int i = 0; i < c->nnodes; i++)
        mem_free(c->nodes[i]);
    mem_free(c->nodes);
    mem_free(c->cluster_pack);
    mem_free(c->text);
    mem_free(c->path);
    mem_free(c->dir);
    mem_free(c->keep);
    mem_free(c->population);
    mem_free(c->as_of);
    memset(c, 0, sizeof *c);
}
