/* household.c -- see household.h: facts of one household built in memory
 * (hm_household_*, huimin.h) and placed into a fact store to be decided. */
#include "household.h"
#include "calendar.h"
#include "mask.h"
#include "mem.h"
#include "pack.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rt_parse_date(const char *t, int32_t *days)
{
    if (strlen(t) != 10 || t[4] != '-' || t[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9'))
            return -1;
    int32_t y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
    int32_t m = (t[5] - '0') * 10 + (t[6] - '0');
    int32_t d = (t[8] - '0') * 10 + (t[9] - '0');
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > cal_days_in_month(y, m))
        return -1;
    *days = cal_from_ymd(y, m, d);
    return 0;
}

int rt_parse_scaled(const char *s, int scale, int64_t *out)
{
    int neg = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    int64_t v = 0;
    int frac = -1, digits = 0, pct = 0;
    for (; *s; s++) {
        if (*s == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*s == '%' && s[1] == '\0') {
            pct = 1;
            continue;
        }
        if (*s < '0' || *s > '9')
            return -1;
        if (frac >= 0 && ++frac > scale + (pct ? 2 : 0))
            return -1;
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*s - '0');
        digits++;
    }
    if (!digits)
        return -1;
    int shift = scale - (frac < 0 ? 0 : frac) - (pct ? 2 : 0);
    for (; shift > 0; shift--) {
        if (v > INT64_MAX / 10)
            return -1;
        v *= 10;
    }
    *out = neg ? -v : v;
    return 0;
}

int32_t rt_code_label(const hm_program *p, int32_t cs, const char *name)
{
    const hm_codeset *c = &p->codesets[cs];
    for (int32_t i = 0; i < c->nlabels; i++)
        if (strcmp(prog_str(p, p->labels[c->first_label + 2 * i]), name) == 0)
            return i;
    return -1;
}

int32_t rt_field(const hm_program *p, const char *name)
{
    for (int32_t i = 0; i < p->nfields; i++)
        if (strcmp(prog_str(p, p->fields[i].name), name) == 0)
            return i;
    return -1;
}

/* ---- building ---- */

hm_household *household_new(const hm_program *p, const char *id)
{
    hm_household *h = mem_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->p = p;
    if (id && !(h->id = mem_strdup(id))) {
        mem_free(h);
        return NULL;
    }
    /* the texts of declared defaults, so that filling a store from the
     * household finds them among the texts it lends */
    for (int32_t i = 0; i < p->nfdefaults; i++)
        if (p->fields[p->fdefaults[i].field].vtype == VT_TEXT &&
            facts_text(&h->tx, prog_str(p, p->fdefaults[i].text)) == INT64_MIN) {
            hm_household_free(h);
            return NULL;
        }
    return h;
}

static int grow(void **a, int32_t *cap, int32_t n, size_t size)
{
    if (n < *cap)
        return 0;
    int32_t c = *cap ? *cap * 2 : 16;
    void *v = mem_realloc(*a, size * (size_t)c);
    if (!v)
        return -1;
    *a = v;
    *cap = c;
    return 0;
}

int household_put(hm_household *h, int32_t member, int32_t field, int64_t v, int32_t asof, int nth)
{
    if (grow((void **)&h->vals, &h->capvals, h->nvals, sizeof *h->vals) < 0)
        return -1;
    h->vals[h->nvals++] = (hh_value){ member, field, asof, (int16_t)nth, 0, v };
    return 0;
}

int household_put_record(hm_household *h, int32_t member, int32_t field, int32_t date, int64_t v, int only_known)
{
    if (grow((void **)&h->recs, &h->caprecs, h->nrecs, sizeof *h->recs) < 0)
        return -1;
    h->recs[h->nrecs++] = (hh_record){ member, field, date, only_known, v };
    return 0;
}

static int add_member(hm_household *h, const char *id)
{
    if (grow((void **)&h->member_ids, &h->capmembers, h->nmembers, sizeof *h->member_ids) < 0)
        return -1;
    char *c = NULL;
    if (id && !(c = mem_strdup(id)))
        return -1;
    h->member_ids[h->nmembers++] = c;
    return 0;
}

/* ---- placing into a fact store ---- */

static void clear_column(hm_column *c, int32_t rows)
{
    memset(c->v, 0, sizeof *c->v * (size_t)rows);
    memset(c->state, FACT_MISSING, (size_t)rows);
    for (int32_t k = 0; k < rows; k++)
        c->asof[k] = FACT_NO_DATE;
    if (c->src)
        memset(c->src, FACT_SRC_UNKNOWN, (size_t)rows);
    if (c->assumed)
        memset(c->assumed, 0, (size_t)rows);
}

/* a record's place when they must be sorted: column, owner, then the
 * order they were added */
typedef struct rec_key {
    int32_t col, owner, seq;
} rec_key;

static int rec_cmp(const void *a, const void *b)
{
    const rec_key *x = a, *y = b;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    if (x->owner != y->owner)
        return x->owner < y->owner ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int fill_records(const hm_household *h, hm_facts *f)
{
    for (int32_t k = 0; k < h->nrecs; k++) {
        const hh_record *r = &h->recs[k];
        int32_t col = h->p->fields[r->field].column, owner = r->member < 0 ? 0 : r->member;
        /* records of one owner must be added together (facts_add_record):
         * most households add them so; the rest are placed in order */
        if (k > 0) {
            const hh_record *q = &h->recs[k - 1];
            int32_t qcol = h->p->fields[q->field].column, qowner = q->member < 0 ? 0 : q->member;
            if ((qcol != col || qowner != owner) && f->rcol[col].count[owner] > 0)
                return 1;
        }
        if (r->only_known)
            facts_records_known(f, col, owner);
        else if (facts_add_record(f, col, owner, r->date, r->v) < 0)
            return -1;
    }
    return 0;
}

/* a value given by several sources, compared once freshness is known */
#define FACT_MERGE 0xfe

static int same_value(const hm_household *h, const hm_field *fd, int64_t a, int64_t b)
{
    if (fd->vtype != VT_TEXT || a >= 0 || b >= 0 || a == b)
        return a == b;
    return strcmp(h->tx.texts[-(a + 1)], h->tx.texts[-(b + 1)]) == 0;
}

/* Is a value as of d from the field's source nth fresh as of as_of?  As
 * facts_apply_freshness says. */
static int fresh_at(const hm_program *p, int32_t field, int nth, int32_t d, int32_t as_of)
{
    if (d == FACT_NO_DATE)
        return 1;
    const hm_fsource *lim = facts_fresh_source(p, field, nth, d);
    return !lim || (d <= as_of && facts_fresh_until(d, lim->fresh, lim->fresh_unit) >= as_of);
}

/* Compare the values of (field, member) its sources gave (household.h). */
static void merge(const hm_household *h, hm_column *c, int32_t row, int32_t field, int32_t member, int32_t as_of)
{
    const hm_program *p = h->p;
    int nsrc = 0;
    for (int32_t j = 0; j < p->nfsources; j++)
        nsrc += p->fsources[j].field == field;
    int have = 0, conflict = 0, stale = 0, invalid = 0;
    for (int nth = 0; nth <= nsrc; nth++) {
        int want = nth < nsrc ? nth : -1;
        const hh_value *x = NULL;
        for (int32_t k = 0; k < h->nvals; k++)
            if (h->vals[k].field == field && h->vals[k].member == member && h->vals[k].nth == want)
                x = &h->vals[k];
        if (!x)
            continue;
        if (x->invalid) {
            invalid = 1;
            continue;
        }
        if (!fresh_at(p, field, want, x->asof, as_of)) {
            stale = 1;
            continue;
        }
        if (!have) {
            have = 1;
            c->v[row] = x->v;
            c->asof[row] = x->asof;
            if (c->src)
                c->src[row] = want >= 0 ? (uint8_t)want : FACT_SRC_UNKNOWN;
        } else if (!same_value(h, &p->fields[field], x->v, c->v[row])) {
            conflict = 1;
        } else if (x->asof > c->asof[row]) {
            c->asof[row] = x->asof;
            if (c->src)
                c->src[row] = want >= 0 ? (uint8_t)want : FACT_SRC_UNKNOWN;
        }
    }
    c->state[row] = conflict ? FACT_CONFLICT : have ? FACT_KNOWN : invalid ? FACT_INVALID
                  : stale ? FACT_STALE : FACT_MISSING;
}

int household_fill(const hm_household *h, hm_facts *f, int32_t cap, int32_t as_of)
{
    const hm_program *p = h->p;
    int32_t n = h->nmembers;
    f->nhouse = 1;
    f->nperson = n;
    f->max_members = n;
    f->hh_first[0] = 0;
    f->hh_count[0] = n;
    for (int i = 0; i < f->nh; i++)
        clear_column(&f->hcol[i], 1);
    for (int i = 0; i < f->np; i++)
        clear_column(&f->pcol[i], n);
    for (int i = 0; i < f->nr; i++) {
        hm_rcolumn *r = &f->rcol[i];
        r->n = 0;
        r->owners = n;
    }
    for (int32_t i = 0; i < p->nfields; i++)
        if (p->fields[i].records && p->fields[i].entity == ENT_HOUSEHOLD)
            f->rcol[p->fields[i].column].owners = 1;
    int32_t merges = 0;
    for (int i = 0; i < f->nr; i++) {
        hm_rcolumn *r = &f->rcol[i];
        memset(r->first, 0, sizeof *r->first * (size_t)r->owners);
        memset(r->count, 0, sizeof *r->count * (size_t)r->owners);
        memset(r->state, FACT_MISSING, (size_t)r->owners);
    }
    for (int32_t k = 0; k < h->nvals; k++) {
        const hh_value *x = &h->vals[k];
        const hm_field *fd = &p->fields[x->field];
        int32_t row = x->member < 0 ? 0 : x->member;
        hm_column *c = fd->entity == ENT_HOUSEHOLD ? &f->hcol[fd->column] : &f->pcol[fd->column];
        if (c->state[row] == FACT_MERGE)
            continue;
        int had = c->src && c->src[row] != FACT_SRC_UNKNOWN ? c->src[row] : -1;
        if (c->state[row] != FACT_MISSING && had != x->nth) {
            c->state[row] = FACT_MERGE;     /* another source's: compared below */
            merges++;
            continue;
        }
        if (facts_set_source(c, fd->entity == ENT_HOUSEHOLD ? 1 : cap, row, x->nth) < 0)
            return -1;
        c->v[row] = x->v;
        c->state[row] = x->invalid ? FACT_INVALID : FACT_KNOWN;
        c->asof[row] = x->asof;
    }
    int rc = fill_records(h, f);
    if (rc > 0) {
        /* records added out of order: place them sorted by owner */
        rec_key *ix = mem_alloc(sizeof *ix * (size_t)h->nrecs);
        if (!ix)
            return -1;
        for (int32_t k = 0; k < h->nrecs; k++)
            ix[k] = (rec_key){ p->fields[h->recs[k].field].column, h->recs[k].member, k };
        qsort(ix, (size_t)h->nrecs, sizeof *ix, rec_cmp);
        for (int i = 0; i < f->nr; i++) {
            hm_rcolumn *r = &f->rcol[i];
            r->n = 0;
            memset(r->count, 0, sizeof *r->count * (size_t)r->owners);
        }
        rc = 0;
        for (int32_t k = 0; k < h->nrecs && rc == 0; k++) {
            const hh_record *r = &h->recs[ix[k].seq];
            int32_t col = p->fields[r->field].column, owner = r->member < 0 ? 0 : r->member;
            if (r->only_known)
                facts_records_known(f, col, owner);
            else
                rc = facts_add_record(f, col, owner, r->date, r->v);
        }
        mem_free(ix);
    }
    if (rc < 0)
        return -1;
    f->texts = h->tx.texts;
    f->ntexts = h->tx.ntexts;
    f->captexts = h->tx.captexts;
    facts_sort_records(f);
    facts_apply_freshness(f, p, as_of);
    for (int32_t k = 0; k < h->nvals && merges; k++) {
        const hh_value *x = &h->vals[k];
        const hm_field *fd = &p->fields[x->field];
        hm_column *c = fd->entity == ENT_HOUSEHOLD ? &f->hcol[fd->column] : &f->pcol[fd->column];
        int32_t row = x->member < 0 ? 0 : x->member;
        if (c->state[row] == FACT_MERGE) {
            merge(h, c, row, x->field, x->member, as_of);
            merges--;
        }
    }
    if (facts_apply_defaults(f, p, NULL) < 0)
        return -1;
    if (!p->nrefreads)
        return 0;
    /* the reference rows given with the household, texts interned with its
     * own (hm_household_add_ref_row): lent to the store for the lookup */
    hm_refrows *own = f->refs;
    int32_t nown = f->nrefs;
    f->refs = h->tx.refs;
    f->nrefs = h->tx.nrefs;
    int rr = facts_apply_refs(f, p, as_of, NULL, 0);
    f->refs = own;
    f->nrefs = nown;
    return rr == -1 ? -1 : 0;
}

void household_take_texts(hm_household *h, hm_facts *f)
{
    f->texts = h->tx.texts;
    f->ntexts = h->tx.ntexts;
    f->captexts = h->tx.captexts;
    h->tx.texts = NULL;
    h->tx.ntexts = h->tx.captexts = 0;
}

hm_household *household_from_facts(const hm_program *p, const hm_facts *f)
{
    hm_household *h = household_new(p, NULL);
    if (!h)
        return NULL;
    int32_t n = f->hh_count[0], first = f->hh_first[0];
    for (int32_t m = 0; m < n; m++)
        if (add_member(h, NULL) < 0)
            goto oom;
    for (int32_t i = 0; i < p->nfields; i++) {
        const hm_field *fd = &p->fields[i];
        for (int32_t m = fd->entity == ENT_HOUSEHOLD ? -1 : 0; m < (fd->entity == ENT_HOUSEHOLD ? 0 : n); m++) {
            int32_t row = m < 0 ? 0 : first + m;
            if (fd->records) {
                const hm_rcolumn *r = &f->rcol[fd->column];
                if (r->state[row] != FACT_KNOWN)
                    continue;
                if (household_put_record(h, m, i, 0, 0, 1) < 0)
                    goto oom;
                for (int32_t k = r->first[row]; k < r->first[row] + r->count[row]; k++) {
                    int64_t v = r->v[k];
                    /* texts are the household's own, as for single values below */
                    if (fd->vtype == VT_TEXT && v < 0 && -(v + 1) < f->ntexts &&
                        (v = facts_text(&h->tx, f->texts[-(v + 1)])) == INT64_MIN)
                        goto oom;
                    if (household_put_record(h, m, i, r->date[k], v, 0) < 0)
                        goto oom;
                }
                continue;
            }
            const hm_column *c = fd->entity == ENT_HOUSEHOLD ? &f->hcol[fd->column] : &f->pcol[fd->column];
            if (c->state[row] != FACT_KNOWN && c->state[row] != FACT_STALE)
                continue;
            int64_t v = c->v[row];
            if (fd->vtype == VT_TEXT && v < 0 && -(v + 1) < f->ntexts &&
                (v = facts_text(&h->tx, f->texts[-(v + 1)])) == INT64_MIN)
                goto oom;
            int nth = c->src && c->src[row] != FACT_SRC_UNKNOWN ? c->src[row] : -1;
            if (household_put(h, m, i, v, facts_asof(c, row), nth) < 0)
                goto oom;
        }
    }
    return h;
oom:
    hm_household_free(h);
    return NULL;
}

/* ---- the API ---- */

hm_household *hm_household_new(const hm_pack *k, const char *id)
{
    return k ? household_new(pack_program(k), id) : NULL;
}

void hm_household_free(hm_household *h)
{
    if (!h)
        return;
    mem_free(h->id);
    for (int32_t m = 0; m < h->nmembers; m++)
        mem_free(h->member_ids[m]);
    mem_free(h->member_ids);
    mem_free(h->vals);
    mem_free(h->recs);
    facts_free(&h->tx);
    mem_free(h);
}

int hm_household_member_count(const hm_household *h) { return h ? h->nmembers : 0; }

int hm_household_add_member(hm_household *h, const char *id, int *index)
{
    if (!h)
        return HM_EUSAGE;
    if (add_member(h, id) < 0)
        return HM_ENOMEM;
    if (index)
        *index = h->nmembers - 1;
    return HM_OK;
}

static int usage(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int usage(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return HM_EUSAGE;
}

/* Is (member, fact) a place a value can go?  HM_OK or HM_EUSAGE. */
static int check_place(const hm_household *h, int member, int fact, int records, char *err, size_t errlen)
{
    const hm_program *p = h->p;
    if (fact < 0 || fact >= p->nfields)
        return usage(err, errlen, "no fact %d (the pack has %d)", fact, (int)p->nfields);
    const hm_field *fd = &p->fields[fact];
    const char *name = prog_str(p, fd->name);
    if (member < -1 || member >= h->nmembers)
        return usage(err, errlen, "%s: no member %d (the household has %d)", name, member, (int)h->nmembers);
    if (fd->entity == ENT_HOUSEHOLD && member != -1)
        return usage(err, errlen, "%s is a fact of the household: give member -1", name);
    if (fd->entity == ENT_PERSON && member == -1)
        return usage(err, errlen, "%s is a fact of each member: give a member", name);
    if (fd->records >= FIELD_ROWS && records != 2)
        return usage(err, errlen, "%s is a list of records with fields: add them with hm_household_add_row",
                     name);
    if (records == 2)
        return fd->records == FIELD_ROWS ? HM_OK
             : usage(err, errlen, "%s is not a list of records with fields", name);
    if (records && !fd->records)
        return usage(err, errlen, "%s is not a list of records: set it with hm_household_set", name);
    if (!records && fd->records)
        return usage(err, errlen, "%s is a list of records: add them with hm_household_add_record", name);
    return HM_OK;
}

/* A value written as text converted to field fd's type. */
static int parse_value(hm_household *h, const hm_field *fd, const char *value, int64_t *out, char *err,
                       size_t errlen)
{
    const hm_program *p = h->p;
    const char *name = prog_str(p, fd->name);
    if (!value)
        return usage(err, errlen, "%s: no value", name);
    switch (fd->vtype) {
    case VT_BOOL:
        if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
            *out = value[0] == 't';
            return HM_OK;
        }
        return usage(err, errlen, "%s: \"%s\" is not true or false", name, value);
    case VT_INT: case VT_DURATION: {
        char *end;
        long long x = strtoll(value, &end, 10);
        if (!*value || *end || (value[0] != '-' && (value[0] < '0' || value[0] > '9')) || x == LLONG_MAX ||
            x == LLONG_MIN)
            return usage(err, errlen, "%s: \"%s\" is not a whole number", name, value);
        *out = x;
        return HM_OK;
    }
    case VT_MONEY: case VT_DECIMAL: {
        int scale = fd->vtype == VT_MONEY ? 2 : 6;
        if (rt_parse_scaled(value, scale, out) != 0)
            return usage(err, errlen, "%s: \"%s\" is not a number with at most %d decimal places", name, value,
                         scale);
        return HM_OK;
    }
    case VT_DATE: {
        int32_t d;
        if (rt_parse_date(value, &d) != 0)
            return usage(err, errlen, "%s: \"%s\" is not a date written YYYY-MM-DD", name, value);
        *out = d;
        return HM_OK;
    }
    case VT_TEXT:
        *out = facts_text(&h->tx, value);
        return *out == INT64_MIN ? HM_ENOMEM : HM_OK;
    case VT_PERSON:
        /* a link: the id of a member added before */
        for (int32_t m = 0; m < h->nmembers; m++)
            if (h->member_ids[m] && strcmp(h->member_ids[m], value) == 0) {
                *out = m;
                return HM_OK;
            }
        if (strlen(value) < 256) {
            char masked[256];
            return usage(err, errlen, "%s: no member of the household has the id %s (add members before "
                         "linking to them)", name, mask_id(value, masked));
        }
        return usage(err, errlen, "%s: no member of the household has this id", name);
    case VT_CODE: {
        int32_t l = fd->codeset >= 0 ? rt_code_label(p, fd->codeset, value) : -1;
        if (l < 0)
            return usage(err, errlen, "%s: code set `%s` has no label `%s`", name,
                         fd->codeset >= 0 ? prog_str(p, p->codesets[fd->codeset].name) : "?", value);
        *out = l;
        return HM_OK;
    }
    default:
        return usage(err, errlen, "%s cannot be given", name);
    }
}

/* The place, date and source of a value, checked. */
static int check_value(hm_household *h, int member, int fact, const char *as_of, const char *source, int32_t *day,
                       int *nth, char *err, size_t errlen)
{
    if (!h)
        return usage(err, errlen, "no household");
    int rc = check_place(h, member, fact, 0, err, errlen);
    if (rc != HM_OK)
        return rc;
    *day = FACT_NO_DATE;
    if (as_of && rt_parse_date(as_of, day) != 0)
        return usage(err, errlen, "%s: as of \"%s\" is not a date written YYYY-MM-DD",
                     prog_str(h->p, h->p->fields[fact].name), as_of);
    *nth = -1;
    if (source && (*nth = facts_source_index(h->p, fact, source)) < 0) {
        char why[512];
        facts_no_such_source(h->p, fact, source, why, sizeof why);
        return usage(err, errlen, "%s", why);
    }
    return HM_OK;
}

int hm_household_set(hm_household *h, int member, int fact, const char *value, const char *as_of,
                     const char *source, char *err, size_t errlen)
{
    int32_t day;
    int nth;
    int rc = check_value(h, member, fact, as_of, source, &day, &nth, err, errlen);
    int64_t v;
    if (rc == HM_OK)
        rc = parse_value(h, &h->p->fields[fact], value, &v, err, errlen);
    if (rc != HM_OK)
        return rc;
    return household_put(h, member, fact, v, day, nth) < 0 ? HM_ENOMEM : HM_OK;
}

int hm_household_set_invalid(hm_household *h, int member, int fact, const char *as_of, const char *source,
                             char *err, size_t errlen)
{
    int32_t day;
    int nth;
    int rc = check_value(h, member, fact, as_of, source, &day, &nth, err, errlen);
    if (rc != HM_OK)
        return rc;
    if (household_put(h, member, fact, 0, day, nth) < 0)
        return HM_ENOMEM;
    h->vals[h->nvals - 1].invalid = 1;
    return HM_OK;
}

int hm_household_add_record(hm_household *h, int member, int fact, const char *date, const char *value,
                            char *err, size_t errlen)
{
    if (!h)
        return usage(err, errlen, "no household");
    int rc = check_place(h, member, fact, 1, err, errlen);
    if (rc != HM_OK)
        return rc;
    const hm_field *fd = &h->p->fields[fact];
    int32_t day;
    if (!date || rt_parse_date(date, &day) != 0)
        return usage(err, errlen, "%s: a record's date \"%s\" is not a date written YYYY-MM-DD",
                     prog_str(h->p, fd->name), date ? date : "");
    int64_t v;
    if ((rc = parse_value(h, fd, value, &v, err, errlen)) != HM_OK)
        return rc;
    return household_put_record(h, member, fact, day, v, 0) < 0 ? HM_ENOMEM : HM_OK;
}

int hm_household_add_row(hm_household *h, int member, int fact, const char *const *fields,
                         const char *const *values, int n, char *err, size_t errlen)
{
    if (!h)
        return usage(err, errlen, "no household");
    int rc = check_place(h, member, fact, 2, err, errlen);
    if (rc != HM_OK)
        return rc;
    const hm_program *p = h->p;
    const char *list = prog_str(p, p->fields[fact].name);
    size_t skip = strlen(list) + 1;
    int32_t end = fact + 1;
    while (end < p->nfields && p->fields[end].records == FIELD_ROWFIELD)
        end++;
    /* every value converted before anything is added: a bad one adds nothing */
    int64_t *v = mem_calloc((size_t)(end - fact) + 1, sizeof *v);
    uint8_t *given = mem_calloc((size_t)(end - fact) + 1, 1);
    if (!v || !given) {
        mem_free(v);
        mem_free(given);
        return HM_ENOMEM;
    }
    for (int i = 0; i < n && rc == HM_OK; i++) {
        int32_t k = fact + 1;
        while (k < end && strcmp(prog_str(p, p->fields[k].name) + skip, fields[i] ? fields[i] : "") != 0)
            k++;
        if (k == end)
            rc = usage(err, errlen, "%s: a record has no field `%s`", list, fields[i] ? fields[i] : "");
        else if (values[i] && (rc = parse_value(h, &p->fields[k], values[i], &v[k - fact], err, errlen)) == HM_OK)
            given[k - fact] = 1;
    }
    /* the list and its fields are known once a record is given, as a
     * source's list is; each record has a value of each field, or none */
    int seen = 0;
    for (int32_t k = 0; k < h->nrecs && !seen; k++)
        seen = h->recs[k].member == member && h->recs[k].field == fact;
    for (int32_t k = fact; k < end && rc == HM_OK && !seen; k++)
        if (household_put_record(h, member, k, 0, 0, 1) < 0)
            rc = HM_ENOMEM;
    for (int32_t k = fact; k < end && rc == HM_OK; k++)
        if (household_put_record(h, member, k, k == fact || given[k - fact] ? 0 : FACT_NO_DATE, v[k - fact], 0) < 0)
            rc = HM_ENOMEM;
    mem_free(v);
    mem_free(given);
    return rc;
}

int hm_household_set_records_known(hm_household *h, int member, int fact, char *err, size_t errlen)
{
    if (!h)
        return usage(err, errlen, "no household");
    if (fact >= 0 && fact < h->p->nfields && h->p->fields[fact].records == FIELD_ROWS) {
        int rc = check_place(h, member, fact, 2, err, errlen);
        for (int32_t k = fact; rc == HM_OK && k < h->p->nfields && (k == fact || h->p->fields[k].records ==
                                                                     FIELD_ROWFIELD); k++)
            if (household_put_record(h, member, k, 0, 0, 1) < 0)
                rc = HM_ENOMEM;
        return rc;
    }
    int rc = check_place(h, member, fact, 1, err, errlen);
    if (rc != HM_OK)
        return rc;
    return household_put_record(h, member, fact, 0, 0, 1) < 0 ? HM_ENOMEM : HM_OK;
}

int hm_household_add_ref_row(hm_household *h, const char *table, const char *key, const char *from,
                             const char *const *attrs, const char *const *values, int n, char *err, size_t errlen)
{
    if (!h || !table || !key || n < 0 || (n && (!attrs || !values)))
        return usage(err, errlen, "no household, table, key or attributes");
    const hm_program *p = h->p;
    int32_t t = 0;
    while (t < p->nreftabs && strcmp(prog_str(p, p->reftabs[t].name), table) != 0)
        t++;
    if (t == p->nreftabs)
        return usage(err, errlen, "the pack has no reference table `%s`", table);
    const hm_reftab *rt = &p->reftabs[t];
    int32_t day = INT32_MIN;
    if (rt->dated && (!from || rt_parse_date(from, &day) != 0))
        return usage(err, errlen, "table `%s` is dated: row \"%s\" needs the date it is in force from, "
                     "written YYYY-MM-DD, not \"%s\"", table, key, from ? from : "");
    if (!rt->dated && from)
        return usage(err, errlen, "table `%s` is not dated: row \"%s\" has no date", table, key);
    int64_t *v = mem_calloc((size_t)rt->n + 1, sizeof *v);
    uint8_t *known = mem_calloc((size_t)rt->n + 1, 1);
    int rc = v && known ? HM_OK : HM_ENOMEM;
    for (int i = 0; i < n && rc == HM_OK; i++) {
        int32_t a = 0;
        while (a < rt->n && (!attrs[i] || strcmp(prog_str(p, p->refattrs[rt->first + a].name), attrs[i]) != 0))
            a++;
        if (a == rt->n) {
            rc = usage(err, errlen, "table `%s` has no attribute `%s`", table, attrs[i] ? attrs[i] : "");
            break;
        }
        if (!values[i])
            continue;   /* not given: missing */
        const hm_refattr *ra = &p->refattrs[rt->first + a];
        hm_field fd = { 0 };
        fd.name = ra->name;
        fd.vtype = ra->vtype;
        rc = parse_value(h, &fd, values[i], &v[a], err, errlen);
        known[a] = rc == HM_OK;
    }
    if (rc == HM_OK) {
        /* two rows of one key and date would make the lookup ambiguous */
        int64_t k = facts_text_find(&h->tx, key);
        const hm_refrows *r = h->tx.refs ? &h->tx.refs[t] : NULL;
        for (int32_t i = 0; r && k && i < r->n; i++)
            if (r->key[i] == k && r->from[i] == day) {
                rc = usage(err, errlen, "table `%s` has two rows for \"%s\"%s%s", table, key,
                           rt->dated ? " from " : "", rt->dated ? from : "");
                break;
            }
    }
    if (rc == HM_OK && facts_ref_row(&h->tx, p, t, key, day, v, known, 0) < 0)
        rc = HM_ENOMEM;
    if (rc == HM_OK) {
        /* kept sorted by key and date, so that evaluating the household,
         * on any thread, only reads them */
        hm_refrows *r = &h->tx.refs[t];
        size_t na = (size_t)r->nattrs;
        for (int32_t i = r->n - 1; i > 0 && (r->key[i - 1] > r->key[i] ||
                                             (r->key[i - 1] == r->key[i] && r->from[i - 1] > r->from[i])); i--) {
            int64_t tk = r->key[i]; r->key[i] = r->key[i - 1]; r->key[i - 1] = tk;
            int32_t tf = r->from[i]; r->from[i] = r->from[i - 1]; r->from[i - 1] = tf;
            uint32_t tl = r->line[i]; r->line[i] = r->line[i - 1]; r->line[i - 1] = tl;
            for (size_t a = 0; a < na; a++) {
                int64_t tv = r->v[i * na + a]; r->v[i * na + a] = r->v[(i - 1) * na + a]; r->v[(i - 1) * na + a] = tv;
                uint8_t tn = r->known[i * na + a];
                r->known[i * na + a] = r->known[(i - 1) * na + a];
                r->known[(i - 1) * na + a] = tn;
            }
        }
    }
    if (rc == HM_ENOMEM)
        snprintf(err, errlen, "out of memory");
    mem_free(v);
    mem_free(known);
    return rc;
}
