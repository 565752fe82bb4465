/* tablemap.c -- settings, cell conversion and the fetch and population
 * loops shared by the table-based plugins. */
#include "tablemap.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR(...) (m->host->set_error(err, __VA_ARGS__), HM_PLUGIN_ERROR)

static char *dup_n(const hm_host_api *h, const char *s, size_t n)
{
    char *d = h->alloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

const char *tm_setting(const hm_open_args *a, const char *key)
{
    const char *v = NULL;
    for (uint32_t i = 0; i < a->nsettings; i++)   /* the last one wins */
        if (strcmp(a->settings[i].key, key) == 0)
            v = a->settings[i].value;
    return v;
}

char *tm_path(const hm_host_api *host, const hm_open_args *a, const char *path)
{
    if (path[0] == '/' || !a->base_dir || !a->base_dir[0])
        return dup_n(host, path, strlen(path));
    size_t n = strlen(a->base_dir) + strlen(path) + 2;
    char *p = host->alloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a->base_dir, path);
    return p;
}

/* ---- dates and numbers --------------------------------------------------- */

static int32_t days_from_civil(int32_t y, int32_t mo, int32_t d)
{
    y -= mo <= 2;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    int32_t yoe = y - era * 400;
    int32_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, size_t n, int32_t *out)
{
    int32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int tm_parse_date(const char *s, size_t len, int32_t *days)
{
    int32_t y, mo, d = 1;
    if (len != 10 && len != 7)
        return -1;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo))
        return -1;
    if (len == 10 && (s[7] != '-' || digits(s + 8, 2, &d)))
        return -1;
    static const int dm[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > dm[mo - 1])
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return -1;
    *days = days_from_civil(y, mo, d);
    return 0;
}

/* A decimal "-1500.50" with at most `scale` fraction digits → value ×
 * 10^scale.  -1 when malformed or out of range. */
static int parse_scaled(const char *s, size_t n, int scale, int64_t *out)
{
    size_t i = 0;
    int neg = 0, frac = -1, any = 0;
    int64_t v = 0;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    for (; i < n; i++) {
        if (s[i] == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (frac >= 0 && ++frac > scale)
            return -1;
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (s[i] - '0');
        any = 1;
    }
    if (!any)
        return -1;
    for (int k = frac < 0 ? 0 : frac; k < scale; k++) {
        if (v > INT64_MAX / 10)
            return -1;
        v *= 10;
    }
    *out = neg ? -v : v;
    return 0;
}

static int real_scaled(double r, int scale, int64_t *out)
{
    double x = r * pow(10, scale), q = round(x);
    if (!isfinite(x) || fabs(x - q) > 1e-6 * (fabs(x) > 1 ? fabs(x) : 1) || fabs(q) > 9e18)
        return -1;
    *out = (int64_t)q;
    return 0;
}

static int text_is(const tm_cell *c, const char *w)
{
    return c->len == strlen(w) && memcmp(c->s, w, c->len) == 0;
}

/* The cell as a value of field f; NULL on success, else why not. */
static const char *convert(const hm_field_desc *d, const tm_field *f, const tm_cell *c, int64_t *v)
{
    switch (d->type) {
    case HM_T_BOOL:
        if (c->kind == TM_INT && (c->i == 0 || c->i == 1)) {
            *v = c->i;
            return NULL;
        }
        if (c->kind == TM_TEXT) {
            static const char *yes[] = { "1", "true", "t", "yes", "y", "是", NULL };
            static const char *no[] = { "0", "false", "f", "no", "n", "否", NULL };
            for (int k = 0; yes[k]; k++) {
                if (text_is(c, yes[k])) { *v = 1; return NULL; }
                if (text_is(c, no[k])) { *v = 0; return NULL; }
            }
        }
        return "not a yes/no value";
    case HM_T_INT:
        if (c->kind == TM_INT) { *v = c->i; return NULL; }
        if (c->kind == TM_TEXT && parse_scaled(c->s, c->len, 0, v) == 0) return NULL;
        if (c->kind == TM_REAL && real_scaled(c->r, 0, v) == 0) return NULL;
        return "not a whole number";
    case HM_T_MONEY:
        if (!f->yuan) {
            if (c->kind == TM_INT) { *v = c->i; return NULL; }
            if (c->kind == TM_TEXT && parse_scaled(c->s, c->len, 0, v) == 0) return NULL;
            return "not a whole number of fen";
        }
        if (c->kind == TM_INT && c->i < INT64_MAX / 100 && c->i > INT64_MIN / 100) {
            *v = c->i * 100;
            return NULL;
        }
        if (c->kind == TM_REAL && real_scaled(c->r, 2, v) == 0) return NULL;
        if (c->kind == TM_TEXT && parse_scaled(c->s, c->len, 2, v) == 0) return NULL;
        return "not an amount in yuan with at most two decimals";
    case HM_T_DECIMAL:
        if (c->kind == TM_INT && c->i < INT64_MAX / 1000000 && c->i > INT64_MIN / 1000000) {
            *v = c->i * 1000000;
            return NULL;
        }
        if (c->kind == TM_REAL && real_scaled(c->r, 6, v) == 0) return NULL;
        if (c->kind == TM_TEXT && parse_scaled(c->s, c->len, 6, v) == 0) return NULL;
        return "not a decimal with at most six decimals";
    case HM_T_DATE: {
        int32_t day;
        if (c->kind == TM_TEXT && tm_parse_date(c->s, c->len, &day) == 0) {
            *v = day;
            return NULL;
        }
        return "not a date (YYYY-MM-DD)";
    }
    default:
        return "not text";
    }
}

static void show_cell(const tm_cell *c, char *buf, size_t n)
{
    switch (c->kind) {
    case TM_INT: snprintf(buf, n, "%" PRId64, c->i); break;
    case TM_REAL: snprintf(buf, n, "%.17g", c->r); break;
    case TM_TEXT: {
        size_t k = c->len > 40 ? 40 : c->len;
        while (k < c->len && k && ((unsigned char)c->s[k] & 0xc0) == 0x80)
            k--;    /* not in the middle of a character */
        snprintf(buf, n, "\"%.*s\"", (int)k, c->s ? c->s : "");
        break;
    }
    default: snprintf(buf, n, "NULL"); break;
    }
}

/* ---- settings ------------------------------------------------------------ */

/* Where a setting was given, for messages: "line 12" or "--set". */
typedef struct at_text {
    char s[24];
} at_text;

static at_text at_of(const hm_setting *st)
{
    at_text t;
    if (st->line)
        snprintf(t.s, sizeof t.s, "line %d", st->line);
    else
        snprintf(t.s, sizeof t.s, "--set");
    return t;
}

static tm_table *table_named(tm_map *m, const char *name, size_t n)
{
    for (int i = 0; i < m->ntables; i++)
        if (strlen(m->tables[i].name) == n && memcmp(m->tables[i].name, name, n) == 0)
            return &m->tables[i];
    tm_table *t = m->host->alloc((size_t)(m->ntables + 1) * sizeof *t);
    if (!t)
        return NULL;
    if (m->ntables)
        memcpy(t, m->tables, (size_t)m->ntables * sizeof *t);
    m->host->free(m->tables);
    m->tables = t;
    t = &m->tables[m->ntables];
    memset(t, 0, sizeof *t);
    if (!(t->name = dup_n(m->host, name, n)))
        return NULL;
    m->ntables++;
    return t;
}

static const char *next_word(const char **p, size_t *n)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    const char *w = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    *n = (size_t)(s - w);
    *p = s;
    return *n ? w : NULL;
}

static int word_is(const char *w, size_t n, const char *s)
{
    return w && n == strlen(s) && memcmp(w, s, n) == 0;
}

/* "TABLE.COLUMN TYPE ..." for field `name` of `entity`. */
static int parse_field(tm_map *m, const hm_setting *st, int entity, const char *name,
                       hm_plugin_err *err)
{
    const char *p = st->value;
    size_t n;
    const char *w = next_word(&p, &n);
    const char *dot = w ? memchr(w, '.', n) : NULL;
    if (!dot || dot == w || dot == w + n - 1)
        return ERR("setting %s (%s): expected TABLE.COLUMN TYPE, found \"%s\"",
                   st->key, at_of(st).s, st->value);
    int i = m->nfields;
    hm_field_desc *d = &m->descs[i];
    tm_field *f = &m->fields[i];
    memset(d, 0, sizeof *d);
    memset(f, 0, sizeof *f);
    m->nfields++;       /* counted at once, so that tm_free frees its strings */
    tm_table *t = table_named(m, w, (size_t)(dot - w));
    if (!t || !(f->column = dup_n(m->host, dot + 1, (size_t)(w + n - dot - 1))) ||
        !(d->name = dup_n(m->host, name, strlen(name))))
        return ERR("out of memory");
    f->table = (int)(t - m->tables);
    d->entity = (uint8_t)entity;
    w = next_word(&p, &n);
    if (word_is(w, n, "records")) {
        d->records = 1;
        w = next_word(&p, &n);
        if (!word_is(w, n, "of"))
            return ERR("setting %s (%s): expected `records of TYPE`", st->key, at_of(st).s);
        w = next_word(&p, &n);
    }
    static const struct { const char *w; int t; } types[] = {
        { "bool", HM_T_BOOL }, { "int", HM_T_INT }, { "money", HM_T_MONEY },
        { "decimal", HM_T_DECIMAL }, { "date", HM_T_DATE }, { "text", HM_T_TEXT },
        { "code", HM_T_CODE }, { "person", HM_T_PERSON }, { NULL, 0 }
    };
    for (int k = 0; types[k].w; k++)
        if (word_is(w, n, types[k].w))
            d->type = (uint8_t)types[k].t;
    if (!d->type)
        return ERR("setting %s (%s): expected a type (bool, int, money, decimal, date, "
                   "text, code SET, person or records of TYPE) after the column, found \"%.*s\"",
                   st->key, at_of(st).s, (int)n, w ? w : "");
    if (d->type == HM_T_PERSON && d->records)
        return ERR("setting %s (%s): a link is one person's id: `person`, not `records of person`",
                   st->key, at_of(st).s);
    if (d->type == HM_T_CODE) {
        w = next_word(&p, &n);
        if (!w)
            return ERR("setting %s (%s): `code` needs the code set's name", st->key, at_of(st).s);
        if (!(d->code_set = dup_n(m->host, w, n)))
            return ERR("out of memory");
    }
    while ((w = next_word(&p, &n))) {
        if (d->type == HM_T_MONEY && word_is(w, n, "per")) {
            w = next_word(&p, &n);
            if (word_is(w, n, "month")) d->period = HM_PER_MONTH;
            else if (word_is(w, n, "year")) d->period = HM_PER_YEAR;
            else return ERR("setting %s (%s): expected `per month` or `per year`", st->key, at_of(st).s);
        } else if (d->type == HM_T_MONEY && word_is(w, n, "in")) {
            w = next_word(&p, &n);
            if (word_is(w, n, "yuan")) f->yuan = 1;
            else if (!word_is(w, n, "fen"))
                return ERR("setting %s (%s): expected `in yuan` or `in fen`", st->key, at_of(st).s);
        } else {
            return ERR("setting %s (%s): unexpected \"%.*s\" after the type", st->key,
                       at_of(st).s, (int)n, w);
        }
    }
    return 0;
}

/* The field just parsed is a field of a list of records (vehicles.kind):
 * it gives one value of each record, and the list itself (vehicles: which
 * records each owner has) is declared with it, in the same table, whose
 * rows are the records. */
static int row_list(tm_map *m, const hm_setting *st, hm_plugin_err *err)
{
    hm_field_desc *d = &m->descs[m->nfields - 1];
    const tm_field *f = &m->fields[m->nfields - 1];
    if (d->records)
        return ERR("setting %s (%s): a field of a list of records holds one value, not records", st->key,
                   at_of(st).s);
    d->records = 3;
    size_t len = (size_t)(strchr(d->name, '.') - d->name);
    for (int j = 0; j < m->nfields - 1; j++)
        if (m->descs[j].records == 2 && m->descs[j].entity == d->entity && strlen(m->descs[j].name) == len &&
            memcmp(m->descs[j].name, d->name, len) == 0) {
            if (m->fields[j].table != f->table)
                return ERR("setting %s (%s): the fields of a list of records come from one table, `%s`",
                           st->key, at_of(st).s, m->tables[m->fields[j].table].name);
            return 0;
        }
    int i = m->nfields++;
    memset(&m->descs[i], 0, sizeof m->descs[i]);
    memset(&m->fields[i], 0, sizeof m->fields[i]);
    m->descs[i].entity = d->entity;
    m->descs[i].type = HM_T_INT;
    m->descs[i].records = 2;
    m->fields[i].table = f->table;
    if (!(m->descs[i].name = dup_n(m->host, d->name, len)))
        return ERR("out of memory");
    return 0;
}

/* table.NAME.ATTRIBUTE = TABLE.COLUMN [in yuan]: an attribute of a
 * reference table; its type is the policies' (tm_reftable). */
static int parse_ref(tm_map *m, const hm_setting *st, hm_plugin_err *err)
{
    const char *name = st->key + 6, *dot = strchr(name, '.');
    if (!dot || dot == name || !dot[1])
        return ERR("setting %s (%s): expected table.NAME.ATTRIBUTE = TABLE.COLUMN", st->key, at_of(st).s);
    const char *p = st->value;
    size_t n;
    const char *w = next_word(&p, &n);
    const char *cd = w ? memchr(w, '.', n) : NULL;
    if (!cd || cd == w || cd == w + n - 1)
        return ERR("setting %s (%s): expected TABLE.COLUMN, found \"%s\"", st->key, at_of(st).s, st->value);
    for (int i = 0; i < m->nrefs; i++)
        if (strlen(m->refs[i].name) == (size_t)(dot - name) && !memcmp(m->refs[i].name, name, (size_t)(dot - name)) &&
            !strcmp(m->refs[i].attr, dot + 1))
            return ERR("setting %s (%s): the attribute is mapped twice", st->key, at_of(st).s);
    tm_ref *r = m->host->alloc((size_t)(m->nrefs + 1) * sizeof *r);
    if (!r)
        return ERR("out of memory");
    if (m->nrefs)
        memcpy(r, m->refs, (size_t)m->nrefs * sizeof *r);
    m->host->free(m->refs);
    m->refs = r;
    r = &m->refs[m->nrefs++];
    memset(r, 0, sizeof *r);
    tm_table *t = table_named(m, w, (size_t)(cd - w));
    if (!t || !(r->name = dup_n(m->host, name, (size_t)(dot - name))) ||
        !(r->attr = dup_n(m->host, dot + 1, strlen(dot + 1))) ||
        !(r->column = dup_n(m->host, cd + 1, (size_t)(w + n - cd - 1))))
        return ERR("out of memory");
    r->table = (int)(t - m->tables);
    w = next_word(&p, &n);
    if (word_is(w, n, "in")) {
        w = next_word(&p, &n);
        if (word_is(w, n, "yuan")) r->yuan = 1;
        else if (!word_is(w, n, "fen"))
            return ERR("setting %s (%s): expected `in yuan` or `in fen`", st->key, at_of(st).s);
        w = next_word(&p, &n);
    }
    if (w)
        return ERR("setting %s (%s): unexpected \"%.*s\" after the column (the type is the policies')",
                   st->key, at_of(st).s, (int)n, w);
    return 0;
}

int tm_parse(tm_map *m, const hm_host_api *host, const hm_open_args *a,
             const char *const *own_keys, hm_plugin_err *err)
{
    memset(m, 0, sizeof *m);
    m->host = host;
    m->source = a->source;
    m->as_of = HM_NO_DATE;
    /* room for a list of records with fields beside each of its fields */
    m->descs = host->alloc((2 * a->nsettings + 1) * sizeof *m->descs);
    m->fields = host->alloc((2 * a->nsettings + 1) * sizeof *m->fields);
    if (!m->descs || !m->fields)
        return ERR("out of memory");
    for (uint32_t i = 0; i < a->nsettings; i++) {
        const hm_setting *st = &a->settings[i];
        const char *k = st->key, *v = st->value;
        int own = 0;
        for (int j = 0; own_keys && own_keys[j]; j++)
            own |= strcmp(k, own_keys[j]) == 0;
        if (own)
            continue;
        char **col = NULL;
        const char *tname = NULL;
        if (strncmp(k, "key.", 4) == 0) tname = k + 4;
        else if (strncmp(k, "as_of.", 6) == 0) tname = k + 6;
        else if (strncmp(k, "date.", 5) == 0) tname = k + 5;
        if (tname) {
            tm_table *t = table_named(m, tname, strlen(tname));
            if (!t)
                return ERR("out of memory");
            col = k[0] == 'k' ? &t->key : k[0] == 'a' ? &t->as_of : &t->date;
        } else if (strcmp(k, "households") == 0) {
            col = &m->households;
        } else if (strcmp(k, "persons") == 0) {
            col = &m->persons;
        } else if (strcmp(k, "persons.household") == 0) {
            col = &m->persons_household;
        } else if (strcmp(k, "as_of") == 0) {
            if (tm_parse_date(v, strlen(v), &m->as_of))
                return ERR("setting as_of (%s): \"%s\" is not a date (YYYY-MM-DD)", at_of(st).s, v);
            continue;
        } else if (strncmp(k, "table.", 6) == 0) {
            if (parse_ref(m, st, err))
                return HM_PLUGIN_ERROR;
            continue;
        } else if (strncmp(k, "household.", 10) == 0 || strncmp(k, "person.", 7) == 0) {
            int entity = k[0] == 'h' ? HM_HOUSEHOLD : HM_PERSON;
            const char *name = strchr(k, '.') + 1;
            for (int j = 0; j < m->nfields; j++)
                if (m->descs[j].entity == entity && strcmp(m->descs[j].name, name) == 0)
                    return ERR("setting %s (%s): the field is mapped twice", k, at_of(st).s);
            if (parse_field(m, st, entity, name, err))
                return HM_PLUGIN_ERROR;
            if (strchr(name, '.') && row_list(m, st, err))
                return HM_PLUGIN_ERROR;
            continue;
        } else {
            return ERR("unknown setting `%s` (%s)", k, at_of(st).s);
        }
        host->free(*col);
        if (!(*col = dup_n(host, v, strlen(v))))
            return ERR("out of memory");
    }
    for (int i = 0; i < m->nfields; i++) {
        tm_table *t = &m->tables[m->fields[i].table];
        const hm_field_desc *d = &m->descs[i];
        if (!t->key)
            return ERR("table `%s` (field %s.%s) has no key column: add key.%s = COLUMN",
                       t->name, d->entity == HM_PERSON ? "person" : "household", d->name, t->name);
        if (d->records == 1 && !t->date)
            return ERR("table `%s` holds records (%s) but has no date column: add date.%s = COLUMN",
                       t->name, d->name, t->name);
    }
    const char *pop[] = { m->households, m->persons };
    for (int i = 0; i < 2; i++) {
        if (!pop[i])
            continue;
        const tm_table *t = NULL;
        for (int j = 0; j < m->ntables; j++)
            if (strcmp(m->tables[j].name, pop[i]) == 0)
                t = &m->tables[j];
        if (!t || !t->key)
            return ERR("population table `%s` has no key column: add key.%s = COLUMN", pop[i], pop[i]);
    }
    if (m->persons && !m->persons_household)
        return ERR("persons = %s needs persons.household = COLUMN (the column naming each "
                   "person's household)", m->persons);
    return 0;
}

void tm_free(tm_map *m)
{
    const hm_host_api *h = m->host;
    if (!h)
        return;
    for (int i = 0; i < m->ntables; i++) {
        h->free(m->tables[i].name);
        h->free(m->tables[i].key);
        h->free(m->tables[i].as_of);
        h->free(m->tables[i].date);
    }
    for (int i = 0; i < m->nfields; i++) {
        h->free(m->fields[i].column);
        h->free((char *)m->descs[i].name);
        h->free((char *)m->descs[i].code_set);
    }
    h->free(m->tables);
    h->free(m->fields);
    h->free(m->descs);
    h->free(m->households);
    h->free(m->persons);
    h->free(m->persons_household);
    for (int i = 0; i < m->nrefs; i++) {
        h->free(m->refs[i].name);
        h->free(m->refs[i].attr);
        h->free(m->refs[i].column);
    }
    h->free(m->refs);
    memset(m, 0, sizeof *m);
}

/* ---- checking the settings against the tables ---------------------------- */

int tm_names_add(const hm_host_api *h, tm_names *l, const char *s, size_t len)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        char **v = h->alloc((size_t)cap * sizeof *v);
        if (!v)
            return -1;
        if (l->n)
            memcpy(v, l->v, (size_t)l->n * sizeof *v);
        h->free(l->v);
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = dup_n(h, s, len)))
        return -1;
    l->n++;
    return 0;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int name_eq(const char *a, size_t an, const char *b, int nocase)
{
    size_t bn = strlen(b);
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++)
        if (nocase ? lower((unsigned char)a[i]) != lower((unsigned char)b[i]) : a[i] != b[i])
            return 0;
    return 1;
}

/* Edit distance of a[0..an) and b (insert, delete, replace, swap of
 * neighbours), or -1 when out of memory. */
static int distance(const hm_host_api *h, const char *a, size_t an, const char *b, int nocase)
{
    size_t bn = strlen(b);
    int *d = h->alloc((an + 1) * (bn + 1) * sizeof *d);
    if (!d)
        return -1;
#define D(i, j) d[(i) * (bn + 1) + (j)]
    for (size_t i = 0; i <= an; i++)
        D(i, 0) = (int)i;
    for (size_t j = 0; j <= bn; j++)
        D(0, j) = (int)j;
    for (size_t i = 1; i <= an; i++)
        for (size_t j = 1; j <= bn; j++) {
            int ca = nocase ? lower((unsigned char)a[i - 1]) : a[i - 1];
            int cb = nocase ? lower((unsigned char)b[j - 1]) : b[j - 1];
            int v = D(i - 1, j - 1) + (ca != cb);
            if (D(i - 1, j) + 1 < v)
                v = D(i - 1, j) + 1;
            if (D(i, j - 1) + 1 < v)
                v = D(i, j - 1) + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < v)
                v = D(i - 2, j - 2) + 1;
            D(i, j) = v;
        }
    int r = D(an, bn);
#undef D
    h->free(d);
    return r;
}

/* Refuse column `col` of table t: the closest name when one is close,
 * else the columns it has. */
static int no_column(const tm_map *m, const tm_backend *b, const hm_setting *st, const char *table,
                     const char *col, size_t cn, const tm_names *have, hm_plugin_err *err)
{
    const char *best = NULL;
    int bd = 0;
    for (int i = 0; i < have->n; i++) {
        int d = distance(m->host, col, cn, have->v[i], b->nocase);
        size_t longer = cn > strlen(have->v[i]) ? cn : strlen(have->v[i]);
        if (d >= 0 && (size_t)d <= longer / 3 + 1 && (!best || d < bd)) {
            best = have->v[i];
            bd = d;
        }
    }
    char list[512];
    if (best)
        return ERR("setting %s (%s): table %s has no column `%.*s` (did you mean `%s`?)", st->key, at_of(st).s,
                   table, (int)cn, col, best);
    size_t at = 0;
    list[0] = '\0';
    for (int i = 0; i < have->n && at < sizeof list; i++)
        at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", have->v[i]);
    if (at >= sizeof list)
        strcpy(list + sizeof list - 5, " ...");
    return ERR("setting %s (%s): table %s has no column `%.*s` (it has: %s)", st->key, at_of(st).s, table,
               (int)cn, col, list);
}

int tm_check(const tm_map *m, const tm_backend *b, void *state, const hm_open_args *a,
             hm_plugin_err *err)
{
    const hm_host_api *h = m->host;
    tm_names *cols = h->alloc(((size_t)m->ntables + 1) * sizeof *cols);
    int *exists = h->alloc(((size_t)m->ntables + 1) * sizeof *exists);
    int rc = 0;
    if (!cols || !exists) {
        h->free(cols);
        h->free(exists);
        return ERR("out of memory");
    }
    memset(cols, 0, ((size_t)m->ntables + 1) * sizeof *cols);
    for (int t = 0; t < m->ntables && !rc; t++) {
        int r = b->columns(state, m->tables[t].name, &cols[t], err);
        if (r < 0)
            rc = HM_PLUGIN_ERROR;
        exists[t] = r == 0;
    }
    for (uint32_t i = 0; i < a->nsettings && !rc; i++) {
        const hm_setting *st = &a->settings[i];
        const char *k = st->key, *v = st->value, *table = NULL, *col = NULL;
        size_t tn = 0, cn = 0;
        if (strncmp(k, "key.", 4) == 0 || strncmp(k, "as_of.", 6) == 0 || strncmp(k, "date.", 5) == 0) {
            table = strchr(k, '.') + 1;
            tn = strlen(table);
            col = v;
            cn = strlen(v);
        } else if (strcmp(k, "households") == 0 || strcmp(k, "persons") == 0) {
            table = v;
            tn = strlen(v);
        } else if (strcmp(k, "persons.household") == 0 && m->persons) {
            table = m->persons;
            tn = strlen(table);
            col = v;
            cn = strlen(v);
        } else if (strncmp(k, "household.", 10) == 0 || strncmp(k, "person.", 7) == 0) {
            const char *p = v;
            size_t n;
            const char *w = next_word(&p, &n);
            const char *dot = w ? memchr(w, '.', n) : NULL;
            if (!dot)
                continue;
            table = w;
            tn = (size_t)(dot - w);
            col = dot + 1;
            cn = n - tn - 1;
        } else {
            continue;
        }
        int t = 0;
        while (t < m->ntables && !(strlen(m->tables[t].name) == tn && memcmp(m->tables[t].name, table, tn) == 0))
            t++;
        if (t == m->ntables)
            continue;
        if (!exists[t]) {
            rc = ERR("setting %s (%s): there is no table `%.*s`", k, at_of(st).s, (int)tn, table);
            break;
        }
        int found = !col;
        for (int c = 0; c < cols[t].n && !found; c++)
            found = name_eq(col, cn, cols[t].v[c], b->nocase);
        if (!found)
            rc = no_column(m, b, st, m->tables[t].name, col, cn, &cols[t], err);
    }
    for (int t = 0; t < m->ntables; t++) {
        for (int c = 0; c < cols[t].n; c++)
            h->free(cols[t].v[c]);
        h->free(cols[t].v);
    }
    h->free(cols);
    h->free(exists);
    return rc;
}

/* ---- fetch --------------------------------------------------------------- */

/* The cell as an id: text as is, a whole number in decimal. */
static const char *cell_id(const tm_cell *c, char *buf, size_t bn, size_t *len)
{
    if (c->kind == TM_TEXT) {
        *len = c->len;
        return c->s;
    }
    if (c->kind == TM_INT) {
        *len = (size_t)snprintf(buf, bn, "%" PRId64, c->i);
        return buf;
    }
    return NULL;
}

/* The host offers member m (a later ABI's) */
#define HOST_HAS(h, m) ((h)->size >= offsetof(hm_host_api, m) + sizeof (h)->m && (h)->m)

/* A key cell as an integer id: an integer cell, or with b->text_ints a
 * text cell holding one in plain decimal ("42"; "042", "+42" and "-0"
 * stay text).  1 with *v set, else 0. */
static int cell_int(const tm_backend *b, const tm_cell *c, int64_t *v)
{
    if (c->kind == TM_INT) {
        *v = c->i;
        return 1;
    }
    if (c->kind != TM_TEXT || !b->text_ints || !c->len)
        return 0;
    const char *s = c->s;
    size_t i = s[0] == '-', n = c->len;
    if (i == n || n - i > 19 || (s[i] == '0' && (n - i > 1 || i)))
        return 0;
    uint64_t u = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        u = u * 10 + (uint64_t)(s[i] - '0');
    }
    if (s[0] == '-' ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
        return 0;
    *v = s[0] == '-' ? (int64_t)(0 - u) : (int64_t)u;
    return 1;
}

/* The row of the entity whose key is in cell c, or -1. */
static int64_t find_row(const tm_backend *b, const hm_host_api *h, hm_fetch_req *req, const tm_cell *c,
                        const char **id, size_t *len, char *buf, size_t bn)
{
    int64_t v;
    *id = cell_id(c, buf, bn, len);
    if (HOST_HAS(h, find_int) && cell_int(b, c, &v))
        return h->find_int(req->ctx, v);
    return *id ? h->find(req->ctx, *id, *len) : -1;
}

/* The as-of date of a row: the table's as-of cell (NULL: none), else the
 * source's as_of setting; a bad one is a data issue of column `col`. */
static int32_t row_as_of(const tm_map *m, hm_fetch_req *req, const tm_table *tb, const tm_cell *cell,
                         uint32_t col, uint32_t row)
{
    int32_t as_of = m->as_of;
    char shown[64];
    if (!cell)
        return as_of;
    if (cell->kind == TM_NULL)
        return HM_NO_DATE;
    if (cell->kind != TM_TEXT || tm_parse_date(cell->s, cell->len, &as_of)) {
        show_cell(cell, shown, sizeof shown);
        m->host->bad_value(req->ctx, col, row, "%s.%s: as-of date %s is not a date (YYYY-MM-DD)", tb->name,
                           tb->as_of, shown);
        return HM_NO_DATE;
    }
    return as_of;
}

/* The values of cells[first..nc) (columns which[]) for row `row`
 * (HM_LISTED_ROW: the entity just listed). */
static int put_values(const tm_map *m, hm_fetch_req *req, const tm_table *tb, const tm_cell *cells, int first,
                      int nc, const uint32_t *which, uint32_t row, int32_t as_of, int32_t rdate,
                      hm_plugin_err *err)
{
    const hm_host_api *h = m->host;
    char shown[64];
    for (int k = first; k < nc; k++) {
        hm_out_column *oc = &req->cols[which[k]];
        const hm_field_desc *d = oc->field;
        const tm_field *f = &m->fields[d - m->descs];
        const tm_cell *c = &cells[k];
        if (d->records == 2) {
            /* the list: one more record for this owner */
            if (h->put_record(req->ctx, which[k], row, rdate, 0))
                return ERR("out of memory");
            continue;
        }
        if (c->kind == TM_NULL) {
            /* a record with no value leaves the list incomplete; a record
             * with fields only misses that field */
            if (d->records == 1)
                h->bad_value(req->ctx, which[k], row, "%s.%s: a record with no value",
                             tb->name, f->column);
            continue;
        }
        if (d->type == HM_T_TEXT || d->type == HM_T_CODE || d->type == HM_T_PERSON) {
            if (d->records == 1) {
                h->bad_value(req->ctx, which[k], row, "records of text are not supported");
                continue;
            }
            char nb[32];
            size_t tl;
            const char *s = c->kind == TM_REAL ? NULL : cell_id(c, nb, sizeof nb, &tl);
            if (!s) {
                show_cell(c, shown, sizeof shown);
                h->bad_value(req->ctx, which[k], row, "%s.%s: %s is not text",
                             tb->name, f->column, shown);
                continue;
            }
            /* a field of a record: as_of carries the record's number (ABI 1.4) */
            h->put_text(req->ctx, which[k], row, s, tl, d->records == 3 ? rdate : as_of);
            continue;
        }
        int64_t v;
        const char *why = convert(d, f, c, &v);
        if (why) {
            show_cell(c, shown, sizeof shown);
            h->bad_value(req->ctx, which[k], row, "%s.%s: %s is %s", tb->name,
                         f->column, shown, why);
            continue;
        }
        if (d->records) {
            if (h->put_record(req->ctx, which[k], row, rdate, v))
                return ERR("out of memory");
        } else if (row == HM_LISTED_ROW) {
            h->put_value(req->ctx, which[k], row, v, as_of);
        } else {
            oc->value[row] = v;
            oc->known[row] = 1;
            oc->as_of[row] = as_of;
        }
    }
    return 0;
}

/* Read one table for the requested columns that live in it. */
static int fetch_table(const tm_map *m, const tm_backend *b, void *state, hm_fetch_req *req,
                       int t, hm_plugin_err *err)
{
    const hm_host_api *h = m->host;
    const tm_table *tb = &m->tables[t];
    const char *cols[64];
    uint32_t which[64];
    int nc = 0, has_asof = tb->as_of != NULL, records = 0, rows = 0;
    cols[nc++] = tb->key;
    if (has_asof)
        cols[nc++] = tb->as_of;
    for (uint32_t c = 0; c < req->ncols; c++) {
        int fi = (int)(req->cols[c].field - m->descs);
        if (m->fields[fi].table != t)
            continue;
        if (nc == 64 - 1)
            return ERR("table `%s`: more than 60 fields requested at once", tb->name);
        records |= m->descs[fi].records == 1;
        rows |= m->descs[fi].records >= 2;
        which[nc] = c;
        /* a list of records: its rows are the records, the key is never null */
        cols[nc++] = m->fields[fi].column ? m->fields[fi].column : tb->key;
    }
    if (records && rows)
        return ERR("table `%s` holds both dated records and a list of records with fields", tb->name);
    int first = 1 + has_asof;
    if (records) {              /* date column after as_of */
        for (int k = nc; k > first; k--) {
            cols[k] = cols[k - 1];
            which[k] = which[k - 1];
        }
        cols[first++] = tb->date;
        nc++;
    }
    uint8_t *seen = records || rows ? NULL : h->alloc(req->n ? req->n : 1);
    if (!records && !rows && !seen)
        return ERR("out of memory");
    if (seen)
        memset(seen, 0, req->n);
    /* a list of records: each record's number in its owner's list, which
     * the host lines the fields of one record up by */
    int32_t *seq = rows ? h->alloc(sizeof *seq * (req->n ? req->n : 1)) : NULL;
    if (rows && !seq)
        return ERR("out of memory");
    if (seq)
        memset(seq, 0, sizeof *seq * req->n);
    /* a few ids (one household): only their rows, not the whole table;
     * integer ids are written as text for the query */
    const int64_t *nums = req->size >= offsetof(hm_fetch_req, ids_int) + sizeof req->ids_int ? req->ids_int : NULL;
    int few = b->open_ids && req->n <= TM_FEW_IDS;
    char numtext[TM_FEW_IDS][24];
    const char *few_ids[TM_FEW_IDS];
    for (uint32_t i = 0; few && i < req->n; i++) {
        if (nums && !req->ids)
            snprintf(numtext[i], sizeof numtext[i], "%" PRId64, nums[i]);
        few_ids[i] = nums && !req->ids ? numtext[i] : req->ids[i];
    }
    void *cur = few ? b->open_ids(state, tb->name, cols, nc, few_ids, req->n, err)
                    : b->open_rows(state, tb->name, cols, nc, err);
    if (!cur) {
        h->free(seen);
        return HM_PLUGIN_ERROR;
    }
    tm_cell cells[64];
    char idbuf[32], shown[64];
    int r, rc = 0;
    while ((r = b->next_row(cur, cells, err)) == 1) {
        size_t len = 0;
        const char *id;
        int64_t row = find_row(b, h, req, &cells[0], &id, &len, idbuf, sizeof idbuf);
        const char *bad = b->row_problem ? b->row_problem(cur) : NULL;
        if (bad && !id) {
            rc = ERR("%s (and with no %s it cannot be kept as a data issue)", bad, tb->key);
            break;
        }
        if (row < 0)
            continue;
        if (bad) {      /* none of its values is used */
            for (int k = first; k < nc; k++)
                h->bad_value(req->ctx, which[k], (uint32_t)row, "%s", bad);
            continue;
        }
        int32_t as_of = row_as_of(m, req, tb, has_asof ? &cells[1] : NULL, which[first], (uint32_t)row);
        if (seen) {
            if (seen[row]) {
                h->bad_value(req->ctx, which[first], (uint32_t)row,
                             "table %s has more than one row for id %.*s", tb->name, (int)len, id);
                continue;
            }
            seen[row] = 1;
        }
        int32_t rdate = 0;
        if (rows)
            rdate = seq[row]++;
        if (records) {
            const tm_cell *dc = &cells[first - 1];
            if (dc->kind != TM_TEXT || tm_parse_date(dc->s, dc->len, &rdate)) {
                show_cell(dc, shown, sizeof shown);
                for (int k = first; k < nc; k++)
                    h->bad_value(req->ctx, which[k], (uint32_t)row, "%s.%s: record date %s is not a date",
                                 tb->name, tb->date, shown);
                continue;
            }
        }
        if ((rc = put_values(m, req, tb, cells, first, nc, which, (uint32_t)row, as_of, rdate, err)))
            break;
    }
    if (r < 0)
        rc = HM_PLUGIN_ERROR;
    b->close_rows(cur);
    h->free(seen);
    h->free(seq);
    /* a records table is the whole list: no row means no record */
    if ((records || rows) && !rc)
        for (int k = first; k < nc; k++)
            for (uint32_t row = 0; row < req->n; row++)
                h->records_known(req->ctx, which[k], row);
    return rc;
}

int tm_fetch(const tm_map *m, const tm_backend *b, void *state, hm_fetch_req *req,
             hm_plugin_err *err)
{
    for (uint32_t c = 0; c < req->ncols; c++) {
        const hm_field_desc *d = req->cols[c].field;
        if (d < m->descs || d >= m->descs + m->nfields)
            return ERR("column %u asks for a field this source did not declare", c);
    }
    for (int t = 0; t < m->ntables; t++) {
        int used = 0;
        for (uint32_t c = 0; c < req->ncols; c++)
            used |= m->fields[req->cols[c].field - m->descs].table == t;
        if (used && fetch_table(m, b, state, req, t, err))
            return HM_PLUGIN_ERROR;
    }
    return 0;
}

/* ---- population ---------------------------------------------------------- */

static const tm_table *find_table(const tm_map *m, const char *name)
{
    for (int i = 0; i < m->ntables; i++)
        if (strcmp(m->tables[i].name, name) == 0)
            return &m->tables[i];
    return NULL;
}

/* Add the household with key cell id, or (hh not NULL) the person of
 * household hh: as integers when both keys are (and the host takes them,
 * ABI 1.3), else as text.  The cells hold ids (cell_id is not NULL). */
static int add_entity(const tm_backend *b, const hm_host_api *h, hm_population_ctx *ctx, const tm_cell *id,
                      const tm_cell *hh)
{
    int64_t v, hv = 0;
    char b1[32], b2[32];
    size_t l1 = 0, l2 = 0;
    if (HOST_HAS(h, add_person_int) && cell_int(b, id, &v) && (!hh || cell_int(b, hh, &hv)))
        return hh ? h->add_person_int(ctx, v, hv) : h->add_household_int(ctx, v);
    const char *s = cell_id(id, b1, sizeof b1, &l1), *hs = hh ? cell_id(hh, b2, sizeof b2, &l2) : NULL;
    return hh ? h->add_person(ctx, s, l1, hs, l2) : h->add_household(ctx, s, l1);
}

/* Only the household the host wants (by its id, or one person's) and its
 * persons, each table read through its key (or household column) rather
 * than whole. */
static int population_of(const tm_map *m, const tm_backend *b, void *state, hm_population_ctx *ctx,
                         const char *household, const char *person, hm_plugin_err *err)
{
    const hm_host_api *h = m->host;
    const tm_table *ht = find_table(m, m->households), *pt = find_table(m, m->persons);
    tm_cell cells[2];
    char b1[32], b2[32], hh[512];
    size_t l1 = 0, l2 = 0;
    int r, rc = 0;
    if (!household) {
        /* the person's household */
        const char *cols[2] = { pt->key, m->persons_household };
        void *cur = b->open_ids(state, pt->name, cols, 2, &person, 1, err);
        if (!cur)
            return HM_PLUGIN_ERROR;
        hh[0] = '\0';
        while ((r = b->next_row(cur, cells, err)) == 1) {
            const char *id = cell_id(&cells[0], b1, sizeof b1, &l1);
            const char *hid = cell_id(&cells[1], b2, sizeof b2, &l2);
            if (id && hid && l1 == strlen(person) && memcmp(id, person, l1) == 0 && l2 < sizeof hh) {
                memcpy(hh, hid, l2);
                hh[l2] = '\0';
            }
        }
        b->close_rows(cur);
        if (r < 0)
            return HM_PLUGIN_ERROR;
        if (!hh[0])
            return 0;       /* no such person: the host says so */
        household = hh;
    }
    const char *hcol = ht->key;
    void *cur = b->open_ids(state, ht->name, &hcol, 1, &household, 1, err);
    if (!cur)
        return HM_PLUGIN_ERROR;
    while ((r = b->next_row(cur, cells, err)) == 1) {
        const char *id = cell_id(&cells[0], b1, sizeof b1, &l1);
        if (id && add_entity(b, h, ctx, &cells[0], NULL)) {
            rc = HM_PLUGIN_ERROR;
            break;
        }
    }
    b->close_rows(cur);
    if (rc || r < 0)
        return HM_PLUGIN_ERROR;
    /* the persons by their household column: it comes first, as the
     * column open_ids matches */
    const char *cols[2] = { m->persons_household, pt->key };
    if (!(cur = b->open_ids(state, pt->name, cols, 2, &household, 1, err)))
        return HM_PLUGIN_ERROR;
    while ((r = b->next_row(cur, cells, err)) == 1) {
        const char *hid = cell_id(&cells[0], b1, sizeof b1, &l1);
        const char *id = cell_id(&cells[1], b2, sizeof b2, &l2);
        if (!id) {
            rc = ERR("table %s: a row has no %s", pt->name, pt->key);
            break;
        }
        if (hid && add_entity(b, h, ctx, &cells[1], &cells[0])) {
            rc = HM_PLUGIN_ERROR;
            break;
        }
    }
    b->close_rows(cur);
    return rc || r < 0 ? HM_PLUGIN_ERROR : 0;
}

/* Every household, then every person; with reqs, also the values of the
 * columns of reqs[0] (households) and reqs[1] (persons) that live in
 * those tables, read in the same rows (population_fetch). */
static int list_all(const tm_map *m, const tm_backend *b, void *state, hm_population_ctx *ctx,
                    hm_fetch_req *const *reqs, hm_plugin_err *err)
{
    const hm_host_api *h = m->host;
    for (int pass = 0; pass < 2; pass++) {
        const tm_table *t = find_table(m, pass ? m->persons : m->households);
        hm_fetch_req *req = reqs ? reqs[pass] : NULL;
        const char *cols[64];
        uint32_t which[64];
        int nc = 0, has_asof = 0;
        cols[nc++] = t->key;
        if (pass)
            cols[nc++] = m->persons_household;
        if (req && t->as_of) {
            has_asof = nc;
            cols[nc++] = t->as_of;
        }
        int first = nc;
        for (uint32_t c = 0; req && c < req->ncols && nc < 64; c++) {
            int fi = (int)(req->cols[c].field - m->descs);
            if (m->fields[fi].table != (int)(t - m->tables) || m->descs[fi].records)
                continue;
            which[nc] = c;
            cols[nc++] = m->fields[fi].column;
            h->listed_column(req->ctx, c);
        }
        void *cur = b->open_rows(state, t->name, cols, nc, err);
        if (!cur)
            return HM_PLUGIN_ERROR;
        tm_cell cells[64];
        int r, rc = 0;
        char b1[32], b2[32];
        while ((r = b->next_row(cur, cells, err)) == 1) {
            size_t l1 = 0, l2 = 0;
            const char *id = cell_id(&cells[0], b1, sizeof b1, &l1);
            const char *hh = pass ? cell_id(&cells[1], b2, sizeof b2, &l2) : NULL;
            const char *bad = b->row_problem ? b->row_problem(cur) : NULL;
            if (bad) {  /* a household or person cannot be left out as a data issue */
                rc = ERR("%s", bad);
                break;
            }
            if (!id || (pass && !hh)) {
                rc = ERR("table %s: a row has no %s", t->name, !id ? t->key : m->persons_household);
                break;
            }
            if (add_entity(b, h, ctx, &cells[0], pass ? &cells[1] : NULL)) {
                rc = HM_PLUGIN_ERROR;
                break;
            }
            if (first < nc) {
                int32_t as_of = row_as_of(m, req, t, has_asof ? &cells[has_asof] : NULL, which[first],
                                          HM_LISTED_ROW);
                if ((rc = put_values(m, req, t, cells, first, nc, which, HM_LISTED_ROW, as_of, 0, err)))
                    break;
            }
        }
        if (r < 0)
            rc = HM_PLUGIN_ERROR;
        b->close_rows(cur);
        if (rc)
            return rc;
    }
    return 0;
}

int tm_population(const tm_map *m, const tm_backend *b, void *state,
                  hm_population_ctx *ctx, hm_plugin_err *err)
{
    const hm_host_api *h = m->host;
    if (!m->households || !m->persons)
        return ERR("this source does not list the population: set households = TABLE, "
                   "persons = TABLE and persons.household = COLUMN");
    const char *household = NULL, *person = NULL;
    if (b->open_ids && h->size >= offsetof(hm_host_api, population_wanted) + sizeof h->population_wanted &&
        h->population_wanted)
        h->population_wanted(ctx, &household, &person);
    if (household || person)
        return population_of(m, b, state, ctx, household, person, err);
    return list_all(m, b, state, ctx, NULL, err);
}

int tm_population_fetch(const tm_map *m, const tm_backend *b, void *state, hm_population_ctx *ctx,
                        hm_fetch_req *households, hm_fetch_req *persons, hm_plugin_err *err)
{
    if (!m->households || !m->persons)
        return ERR("this source does not list the population: set households = TABLE, "
                   "persons = TABLE and persons.household = COLUMN");
    hm_fetch_req *reqs[2] = { households, persons };
    for (int i = 0; i < 2; i++)
        for (uint32_t c = 0; c < reqs[i]->ncols; c++) {
            const hm_field_desc *d = reqs[i]->cols[c].field;
            if (d < m->descs || d >= m->descs + m->nfields)
                return ERR("column %u asks for a field this source did not declare", c);
        }
    return list_all(m, b, state, ctx, reqs, err);
}


/* ---- reference tables ---------------------------------------------------- */

int tm_reftable(const tm_map *m, const tm_backend *b, void *state, const hm_reftable_req *req,
                hm_plugin_err *err)
{
    const hm_host_api *h = m->host;
    if (!HOST_HAS(h, ref_bad))
        return ERR("the host cannot take reference tables");
    /* the column of each attribute, all in one table */
    int table = -1;
    const tm_ref **col = h->alloc((req->nattrs + 1) * sizeof *col);
    if (!col)
        return ERR("out of memory");
    memset(col, 0, (req->nattrs + 1) * sizeof *col);
    int rc = 0;
    for (int i = 0; i < m->nrefs && !rc; i++) {
        const tm_ref *r = &m->refs[i];
        if (strcmp(r->name, req->name) != 0)
            continue;
        uint32_t a = 0;
        while (a < req->nattrs && strcmp(req->attrs[a].name, r->attr) != 0)
            a++;
        if (a == req->nattrs)
            rc = ERR("setting table.%s.%s: table `%s` has no attribute `%s`", r->name, r->attr, req->name, r->attr);
        else if (table >= 0 && r->table != table)
            rc = ERR("table `%s`: every attribute must come from one table (%s and %s)", req->name,
                     m->tables[table].name, m->tables[r->table].name);
        else {
            col[a] = r;
            table = r->table;
        }
    }
    for (uint32_t a = 0; a < req->nattrs && !rc; a++)
        if (!col[a])
            rc = ERR("attribute `%s` of table `%s` is not mapped: add table.%s.%s = TABLE.COLUMN", req->attrs[a].name,
                     req->name, req->name, req->attrs[a].name);
    const tm_table *t = table >= 0 ? &m->tables[table] : NULL;
    if (!rc && !t->key)
        rc = ERR("table `%s` (reference table %s) has no key column: add key.%s = COLUMN", t->name, req->name, t->name);
    if (!rc && req->dated && !t->date)
        rc = ERR("reference table %s is dated, but table `%s` has no date column: add date.%s = COLUMN (the date "
                 "each row is in force from)", req->name, t->name, t->name);
    if (rc) {
        h->free(col);
        return rc;
    }
    int first = req->dated ? 2 : 1, ncols = first + (int)req->nattrs;
    const char **names = h->alloc((size_t)ncols * sizeof *names);
    tm_cell *cells = h->alloc((size_t)ncols * sizeof *cells);
    void *cur = names && cells ? NULL : (void *)1;
    if (!names || !cells) {
        rc = ERR("out of memory");
    } else {
        names[0] = t->key;
        if (req->dated)
            names[1] = t->date;
        for (uint32_t a = 0; a < req->nattrs; a++)
            names[first + (int)a] = col[a]->column;
        cur = b->open_rows(state, t->name, names, ncols, err);
        if (!cur)
            rc = HM_PLUGIN_ERROR;
    }
    uint64_t rowno = 0;
    hm_reftable_ctx *x = req->ctx;
    while (!rc) {
        int k = b->next_row(cur, cells, err);
        if (k < 0)
            rc = HM_PLUGIN_ERROR;
        if (k <= 0)
            break;
        rowno++;
        const char *problem = b->row_problem ? b->row_problem(cur) : NULL;
        if (problem) {
            h->ref_bad(x, rowno, "%s", problem);
            continue;
        }
        char kb[32], shown[64];
        size_t klen;
        const char *key = cell_id(&cells[0], kb, sizeof kb, &klen);
        if (!key || !klen) {
            h->ref_bad(x, rowno, "no key in column %s", t->key);
            continue;
        }
        int32_t from = HM_NO_DATE;
        if (req->dated) {
            const tm_cell *c = &cells[1];
            if (c->kind != TM_TEXT || tm_parse_date(c->s, c->len, &from) != 0) {
                show_cell(c, shown, sizeof shown);
                h->ref_bad(x, rowno, "the date it is in force from, %s in column %s, cannot be read (YYYY-MM-DD)",
                           shown, t->date);
                continue;
            }
        }
        if (h->ref_row(x, key, klen, from, rowno) < 0) {
            rc = ERR("out of memory");
            break;
        }
        for (uint32_t a = 0; a < req->nattrs; a++) {
            const tm_cell *c = &cells[first + (int)a];
            const hm_field_desc *d = &req->attrs[a];
            if (c->kind == TM_NULL)
                continue;   /* missing */
            if (d->type == HM_T_TEXT) {
                char tb[32];
                size_t tl;
                const char *s = c->kind == TM_REAL ? NULL : cell_id(c, tb, sizeof tb, &tl);
                if (!s) {
                    show_cell(c, shown, sizeof shown);
                    h->ref_bad(x, rowno, "%s %s in column %s is not text", d->name, shown, col[a]->column);
                } else {
                    h->ref_text(x, a, s, tl);
                }
                continue;
            }
            tm_field f = { .table = table, .column = col[a]->column, .yuan = col[a]->yuan };
            int64_t v;
            const char *why = convert(d, &f, c, &v);
            if (why) {
                show_cell(c, shown, sizeof shown);
                h->ref_bad(x, rowno, "%s %s in column %s is %s", d->name, shown, col[a]->column, why);
                continue;
            }
            h->ref_value(x, a, v);
        }
    }
    if (cur && cur != (void *)1)
        b->close_rows(cur);
    h->free(names);
    h->free(cells);
    h->free(col);
    return rc;
}
