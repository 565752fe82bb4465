/* facts.c -- see facts.h. */
#include "facts.h"
#include "calendar.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int column_init(hm_column *c, int32_t n)
{
    size_t m = n > 0 ? (size_t)n : 1;
    c->v = mem_calloc(m, sizeof *c->v);
    c->state = mem_alloc(m);
    c->asof = mem_alloc(m * sizeof *c->asof);
    if (!c->v || !c->state || !c->asof)
        return -1;
    memset(c->state, FACT_MISSING, m);
    for (size_t i = 0; i < m; i++)
        c->asof[i] = FACT_NO_DATE;
    return 0;
}

int facts_init_households(hm_facts *f, int32_t nhouse, int32_t nperson)
{
    memset(f, 0, sizeof *f);
    f->nhouse = nhouse;
    f->nperson = nperson;
    size_t nh1 = nhouse > 0 ? (size_t)nhouse : 1;
    f->hh_first = mem_calloc(nh1, sizeof *f->hh_first);
    f->hh_count = mem_calloc(nh1, sizeof *f->hh_count);
    if (!f->hh_first || !f->hh_count) {
        facts_free(f);
        return -1;
    }
    return 0;
}

int facts_init_columns(hm_facts *f, const hm_program *p)
{
    int32_t nhouse = f->nhouse, nperson = f->nperson;
    f->nh = p->nhcols;
    f->np = p->npcols;
    f->nr = p->nrcols;
    f->hcol = mem_calloc((size_t)f->nh + 1, sizeof *f->hcol);
    f->pcol = mem_calloc((size_t)f->np + 1, sizeof *f->pcol);
    f->rcol = mem_calloc((size_t)f->nr + 1, sizeof *f->rcol);
    if (!f->hcol || !f->pcol || !f->rcol)
        return -1;
    for (int i = 0; i < f->nh; i++)
        if (column_init(&f->hcol[i], nhouse) < 0)
            return -1;
    for (int i = 0; i < f->np; i++)
        if (column_init(&f->pcol[i], nperson) < 0)
            return -1;
    for (int i = 0; i < f->nr; i++)
        f->rcol[i].owners = nperson;
    for (int32_t i = 0; i < p->nfields; i++)
        if (p->fields[i].records && p->fields[i].column < f->nr) {
            if (p->fields[i].entity == ENT_HOUSEHOLD)
                f->rcol[p->fields[i].column].owners = nhouse;
            f->rcol[p->fields[i].column].rows = p->fields[i].records >= FIELD_ROWS;
        }
    for (int i = 0; i < f->nr; i++) {
        size_t n1 = f->rcol[i].owners > 0 ? (size_t)f->rcol[i].owners : 1;
        f->rcol[i].first = mem_calloc(n1, sizeof(int32_t));
        f->rcol[i].count = mem_calloc(n1, sizeof(int32_t));
        f->rcol[i].state = mem_alloc(n1);
        if (!f->rcol[i].first || !f->rcol[i].count || !f->rcol[i].state)
            return -1;
        memset(f->rcol[i].state, FACT_MISSING, n1);
    }
    return 0;
}

int facts_init(hm_facts *f, const hm_program *p, int32_t nhouse, int32_t nperson)
{
    if (facts_init_households(f, nhouse, nperson) < 0)
        return -1;
    if (facts_init_columns(f, p) < 0) {
        facts_free(f);
        return -1;
    }
    return 0;
}

void facts_drop_provenance(hm_facts *f)
{
    for (int pass = 0; pass < 2; pass++) {
        hm_column *cols = pass ? f->pcol : f->hcol;
        for (int i = 0; cols && i < (pass ? f->np : f->nh); i++) {
            mem_free(cols[i].asof);
            mem_free(cols[i].src);
            mem_free(cols[i].assumed);
            cols[i].asof = NULL;
            cols[i].src = NULL;
            cols[i].assumed = NULL;
            cols[i].asof_all = FACT_NO_DATE;
        }
    }
}

void facts_drop_values(hm_facts *f)
{
    for (int pass = 0; pass < 2; pass++) {
        hm_column *cols = pass ? f->pcol : f->hcol;
        for (int i = 0; cols && i < (pass ? f->np : f->nh); i++) {
            mem_free(cols[i].v);
            cols[i].v = NULL;
        }
    }
    for (int i = 0; f->rcol && i < f->nr; i++) {
        mem_free(f->rcol[i].date);
        mem_free(f->rcol[i].v);
        f->rcol[i].date = NULL;
        f->rcol[i].v = NULL;
        f->rcol[i].n = f->rcol[i].cap = 0;
    }
}

void facts_free(hm_facts *f)
{
    if (!f)
        return;
    mem_free(f->hh_first);
    mem_free(f->hh_count);
    for (int i = 0; f->hcol && i < f->nh; i++) {
        mem_free(f->hcol[i].v);
        mem_free(f->hcol[i].state);
        mem_free(f->hcol[i].asof);
        mem_free(f->hcol[i].src);
        mem_free(f->hcol[i].assumed);
    }
    for (int i = 0; f->pcol && i < f->np; i++) {
        mem_free(f->pcol[i].v);
        mem_free(f->pcol[i].state);
        mem_free(f->pcol[i].asof);
        mem_free(f->pcol[i].src);
        mem_free(f->pcol[i].assumed);
    }
    for (int i = 0; f->rcol && i < f->nr; i++) {
        mem_free(f->rcol[i].first);
        mem_free(f->rcol[i].count);
        mem_free(f->rcol[i].state);
        mem_free(f->rcol[i].date);
        mem_free(f->rcol[i].v);
    }
    mem_free(f->hcol);
    mem_free(f->pcol);
    mem_free(f->rcol);
    for (int i = 0; f->refs && i < f->nrefs; i++) {
        mem_free(f->refs[i].key);
        mem_free(f->refs[i].from);
        mem_free(f->refs[i].v);
        mem_free(f->refs[i].known);
        mem_free(f->refs[i].line);
    }
    mem_free(f->refs);
    for (int i = 0; i < f->ntexts; i++)
        mem_free(f->texts[i]);
    mem_free(f->texts);
    mem_free(f->textslots);
    memset(f, 0, sizeof *f);
}

uint32_t facts_text_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of text s in the hash table: the one holding it, or the empty
 * one where it would go (the table is at most half full). */
static uint32_t text_slot(const hm_facts *f, const char *s)
{
    uint32_t mask = (uint32_t)f->ntextslots - 1, k = facts_text_hash(s) & mask;
    while (f->textslots[k] && strcmp(f->texts[f->textslots[k] - 1], s) != 0)
        k = (k + 1) & mask;
    return k;
}

/* Room in the hash table for one more text; texts lent by another store
 * (runtime/) are filed first.  0, or -1 when out of memory. */
static int text_room(hm_facts *f)
{
    if (f->textslots && f->nhashed == f->ntexts && ((int64_t)f->ntexts + 1) * 2 <= f->ntextslots)
        return 0;
    int64_t n = 64;
    while (n < ((int64_t)f->ntexts + 1) * 2)
        n *= 2;
    if (n > INT32_MAX)
        return -1;
    int32_t *slots = mem_calloc((size_t)n, sizeof *slots);
    if (!slots)
        return -1;
    mem_free(f->textslots);
    f->textslots = slots;
    f->ntextslots = (int32_t)n;
    for (int32_t i = 0; i < f->ntexts; i++)
        slots[text_slot(f, f->texts[i])] = i + 1;
    f->nhashed = f->ntexts;
    return 0;
}

int64_t facts_text(hm_facts *f, const char *s)
{
    if (text_room(f) < 0)
        return INT64_MIN;
    uint32_t k = text_slot(f, s);
    if (f->textslots[k])
        return -(int64_t)f->textslots[k];
    if (f->ntexts == f->captexts) {
        int cap = f->captexts ? f->captexts * 2 : 64;
        char **v = mem_realloc(f->texts, sizeof *v * (size_t)cap);
        if (!v)
            return INT64_MIN;
        f->texts = v;
        f->captexts = cap;
    }
    char *c = mem_strdup(s);
    if (!c)
        return INT64_MIN;
    f->texts[f->ntexts++] = c;
    f->textslots[k] = f->ntexts;
    f->nhashed = f->ntexts;
    return -(int64_t)f->ntexts;
}

int64_t facts_text_find(const hm_facts *f, const char *s)
{
    if (f->textslots && f->nhashed == f->ntexts) {
        uint32_t k = text_slot(f, s);
        return f->textslots[k] ? -(int64_t)f->textslots[k] : 0;
    }
    /* texts lent by another store, without its table: few */
    for (int32_t i = 0; i < f->ntexts; i++)
        if (strcmp(f->texts[i], s) == 0)
            return -(int64_t)i - 1;
    return 0;
}

int facts_add_record(hm_facts *f, int c, int32_t owner, int32_t date, int64_t v)
{
    hm_rcolumn *r = &f->rcol[c];
    if (r->n == r->cap) {
        int32_t cap = r->cap ? r->cap * 2 : 64;
        int32_t *d = mem_realloc(r->date, sizeof *d * (size_t)cap);
        if (!d)
            return -1;
        r->date = d;
        int64_t *vv = mem_realloc(r->v, sizeof *vv * (size_t)cap);
        if (!vv)
            return -1;
        r->v = vv;
        r->cap = cap;
    }
    if (r->count[owner] == 0)
        r->first[owner] = r->n;
    r->state[owner] = FACT_KNOWN;
    r->date[r->n] = date;
    r->v[r->n] = v;
    r->n++;
    r->count[owner]++;
    return 0;
}

void facts_records_known(hm_facts *f, int c, int32_t owner)
{
    f->rcol[c].state[owner] = FACT_KNOWN;
}

int facts_align_rows(hm_facts *f, const hm_program *p)
{
    for (int32_t li = 0; li < p->nfields; li++) {
        if (p->fields[li].records != FIELD_ROWS)
            continue;
        hm_rcolumn *L = &f->rcol[p->fields[li].column];
        for (int32_t fi = li + 1; fi < p->nfields && p->fields[fi].records == FIELD_ROWFIELD; fi++) {
            hm_rcolumn *F = &f->rcol[p->fields[fi].column];
            int32_t *date = mem_alloc(sizeof *date * ((size_t)L->n + 1));
            int64_t *v = mem_alloc(sizeof *v * ((size_t)L->n + 1));
            if (!date || !v) {
                mem_free(date);
                mem_free(v);
                return -1;
            }
            for (int32_t o = 0; o < L->owners; o++) {
                /* both in the order the source gave them: one walk */
                int32_t j = F->first[o], jend = F->first[o] + F->count[o];
                for (int32_t k = L->first[o]; k < L->first[o] + L->count[o]; k++) {
                    while (j < jend && F->date[j] < L->date[k])
                        j++;
                    if (F->state[o] == FACT_KNOWN && j < jend && F->date[j] == L->date[k]) {
                        date[k] = 0;
                        v[k] = F->v[j++];
                    } else {
                        date[k] = FACT_NO_DATE;
                        v[k] = 0;
                    }
                }
                F->first[o] = L->first[o];
                F->count[o] = L->count[o];
                /* a field the source could not read for this owner is
                 * missing in each record (the list stays known) */
                if (F->state[o] != FACT_KNOWN && L->state[o] == FACT_KNOWN && F->state[o] != FACT_INVALID)
                    F->state[o] = FACT_KNOWN;
            }
            mem_free(F->date);
            mem_free(F->v);
            F->date = date;
            F->v = v;
            F->n = F->cap = L->n;
        }
        for (int32_t k = 0; k < L->n; k++)
            L->date[k] = 0;
    }
    return 0;
}

void facts_sort_records(hm_facts *f)
{
    for (int c = 0; c < f->nr; c++) {
        hm_rcolumn *r = &f->rcol[c];
        for (int32_t p = 0; p < r->owners && !r->rows; p++) {
            int32_t a = r->first[p], n = r->count[p];
            /* insertion sort: lists are short and usually already in order */
            for (int32_t i = a + 1; i < a + n; i++) {
                int32_t d = r->date[i];
                int64_t v = r->v[i];
                int32_t j = i - 1;
                while (j >= a && r->date[j] > d) {
                    r->date[j + 1] = r->date[j];
                    r->v[j + 1] = r->v[j];
                    j--;
                }
                r->date[j + 1] = d;
                r->v[j + 1] = v;
            }
        }
    }
}

int32_t facts_fresh_until(int32_t asof, int32_t fresh, int32_t unit)
{
    return unit == 1 ? cal_add_days(asof, fresh) : cal_add_months(asof, unit == 3 ? fresh * 12 : fresh);
}

/* The source of src[0..n) (a field's, in program.fsources) whose limit
 * applies to a value as of d: source nth, or with nth < 0 the one whose
 * limit ends first; NULL when none has a limit. */
static const hm_fsource *limiting(const hm_fsource *src, int32_t n, int nth, int32_t d)
{
    const hm_fsource *best = NULL;
    int32_t until = INT32_MAX;
    for (int32_t k = nth < 0 ? 0 : nth; k < (nth < 0 ? n : nth + 1) && k < n; k++) {
        if (!src[k].fresh)
            continue;
        int32_t u = facts_fresh_until(d, src[k].fresh, src[k].fresh_unit);
        if (!best || u < until) {
            best = &src[k];
            until = u;
        }
    }
    return best;
}

int facts_source_index(const hm_program *p, int32_t field, const char *name)
{
    int nth = 0;
    for (int32_t k = 0; k < p->nfsources; k++) {
        if (p->fsources[k].field != field)
            continue;
        if (strcmp(prog_str(p, p->fsources[k].source), name) == 0)
            return nth;
        nth++;
    }
    return -1;
}

void facts_no_such_source(const hm_program *p, int32_t field, const char *name, char *buf, size_t n)
{
    char have[256] = "";
    size_t at = 0;
    int count = 0;
    for (int32_t k = 0; k < p->nfsources; k++) {
        if (p->fsources[k].field != field)
            continue;
        int w = snprintf(have + at, sizeof have - at, "%s%s", count++ ? ", " : "", prog_str(p, p->fsources[k].source));
        if (w > 0 && (size_t)w < sizeof have - at)
            at += (size_t)w;
    }
    snprintf(buf, n, "no source `%s` declares %s (%s %s)", name, prog_str(p, p->fields[field].name),
             count == 1 ? "its source is" : "its sources are", have);
}

int facts_set_source(hm_column *c, int32_t rows, int32_t row, int nth)
{
    if (nth < 0 && !c->src)
        return 0;
    if (!c->src) {
        if (!(c->src = mem_alloc((size_t)rows + 1)))
            return -1;
        memset(c->src, FACT_SRC_UNKNOWN, (size_t)rows + 1);
    }
    c->src[row] = nth >= 0 ? (uint8_t)nth : FACT_SRC_UNKNOWN;
    return 0;
}

const hm_fsource *facts_fresh_source(const hm_program *p, int32_t field, int nth, int32_t d)
{
    int32_t j = 0, n = 0;
    while (j < p->nfsources && p->fsources[j].field != field)
        j++;
    while (j + n < p->nfsources && p->fsources[j + n].field == field)
        n++;
    return limiting(p->fsources + j, n, nth, d);
}

void facts_apply_freshness(hm_facts *f, const hm_program *p, int32_t as_of)
{
    int32_t j = 0;      /* program.fsources is grouped by field, in field order */
    for (int i = 0; i < p->nfields; i++) {
        const hm_field *fd = &p->fields[i];
        while (j < p->nfsources && p->fsources[j].field < i)
            j++;
        int32_t nsrc = 0, limited = 0;
        for (; j + nsrc < p->nfsources && p->fsources[j + nsrc].field == i; nsrc++)
            limited |= p->fsources[j + nsrc].fresh;
        if (fd->records || !limited)
            continue;
        hm_column *c = fd->entity == ENT_HOUSEHOLD ? &f->hcol[fd->column] : &f->pcol[fd->column];
        int32_t n = fd->entity == ENT_HOUSEHOLD ? f->nhouse : f->nperson;
        if (fd->entity == ENT_HOUSEHOLD ? fd->column >= f->nh : fd->column >= f->np)
            continue;
        for (int32_t k = 0; k < n; k++) {
            if (c->state[k] == FACT_STALE)
                c->state[k] = FACT_KNOWN;
            int32_t d = facts_asof(c, k);
            if (c->state[k] != FACT_KNOWN || d == FACT_NO_DATE)
                continue;
            int nth = c->src && c->src[k] != FACT_SRC_UNKNOWN ? c->src[k] : -1;
            const hm_fsource *lim = limiting(p->fsources + j, nsrc, nth, d);
            /* a value dated after the as-of date did not hold yet: no
             * fresher than one dated too long before (the loader says the
             * same of a source's value, as a data issue) */
            if (lim && (d > as_of || facts_fresh_until(d, lim->fresh, lim->fresh_unit) < as_of))
                c->state[k] = FACT_STALE;
        }
    }
}

/* A field of a list of records: missing when a record leaves it out.  When
 * the list itself is not known, the list is what is missing (its own state
 * says so), not each field. */
static int rowfield_state(const hm_rcolumn *r, int32_t owner)
{
    if (r->state[owner] != FACT_KNOWN)
        return r->state[owner] == FACT_MISSING ? FACT_KNOWN : r->state[owner];
    for (int32_t k = r->first[owner]; k < r->first[owner] + r->count[owner]; k++)
        if (r->date[k] == FACT_NO_DATE)
            return FACT_MISSING;
    return FACT_KNOWN;
}

int facts_value_state(const hm_facts *f, const hm_field *fd, int32_t hh, int32_t m)
{
    if (fd->records == FIELD_ROWFIELD)
        return rowfield_state(&f->rcol[fd->column], fd->entity == ENT_HOUSEHOLD ? hh : f->hh_first[hh] + m);
    if (fd->entity == ENT_HOUSEHOLD)
        return fd->records ? f->rcol[fd->column].state[hh] : f->hcol[fd->column].state[hh];
    int32_t who = f->hh_first[hh] + m;
    return fd->records ? f->rcol[fd->column].state[who] : f->pcol[fd->column].state[who];
}

int facts_read_state(const hm_facts *f, const hm_policy *P, const hm_field *fd, int32_t hh, int32_t member)
{
    if (fd->entity == ENT_HOUSEHOLD)
        return facts_value_state(f, fd, hh, 0);
    int worst = FACT_KNOWN;
    for (int32_t m = 0; m < f->hh_count[hh]; m++) {
        if (member >= 0 && m != member && P->entity != ENT_HOUSEHOLD)
            continue;
        int st = facts_value_state(f, fd, hh, m);
        /* a reason (stale, unusable, conflict) says more than "missing" */
        if (st != FACT_KNOWN && (worst == FACT_KNOWN || worst == FACT_MISSING))
            worst = st;
    }
    return worst;
}

void facts_missing(const hm_program *p, const hm_facts *f, const hm_policy *P, int32_t hh,
                   int32_t member, char *buf, size_t n)
{
    static const char *why[] = { "", "", " (stale)", " (unusable value)", " (sources disagree)" };
    size_t len = 0;
    buf[0] = '\0';
    for (int32_t k = 0; k < P->nfacts && len < n; k++) {
        const hm_field *fd = &p->fields[p->ints[P->first_fact + k]];
        int worst = facts_read_state(f, P, fd, hh, member);
        if (worst != FACT_KNOWN)
            len += (size_t)snprintf(buf + len, n - len, "%s%s%s", len ? ", " : "", prog_str(p, fd->name),
                                    worst >= 0 && worst <= 4 ? why[worst] : "");
    }
}

int facts_apply_defaults(hm_facts *f, const hm_program *p, const int *offered)
{
    for (int32_t i = 0; i < p->nfdefaults; i++) {
        const hm_fdefault *d = &p->fdefaults[i];
        const hm_field *fd = &p->fields[d->field];
        if (offered && !offered[d->field])
            continue;   /* no source that would give it was read: not known, not assumed */
        if (fd->entity == ENT_HOUSEHOLD ? fd->column >= f->nh : fd->column >= f->np)
            continue;
        hm_column *c = fd->entity == ENT_HOUSEHOLD ? &f->hcol[fd->column] : &f->pcol[fd->column];
        int32_t n = fd->entity == ENT_HOUSEHOLD ? f->nhouse : f->nperson;
        int64_t v = d->value;
        int interned = 0;
        for (int32_t k = 0; k < n; k++) {
            if (c->state[k] != FACT_MISSING)
                continue;
            if (!c->assumed && !(c->assumed = mem_calloc((size_t)n + 1, 1)))
                return -1;
            /* a text is interned once, when some value needs it */
            if (fd->vtype == VT_TEXT && !interned++) {
                /* a store lent texts (a household's) has it already */
                const char *t = prog_str(p, d->text);
                if (!(v = facts_text_find(f, t)) && (v = facts_text(f, t)) == INT64_MIN)
                    return -1;
            }
            c->v[k] = v;
            c->state[k] = FACT_KNOWN;
            if (c->asof)
                c->asof[k] = FACT_NO_DATE;
            c->assumed[k] = 1;
        }
    }
    return 0;
}

/* ---- reference tables --------------------------------------------------- */

int facts_ref_given(hm_facts *f, const hm_program *p, int32_t t)
{
    if (!f->refs) {
        if (!(f->refs = mem_calloc((size_t)p->nreftabs + 1, sizeof *f->refs)))
            return -1;
        f->nrefs = p->nreftabs;
        for (int32_t i = 0; i < p->nreftabs; i++)
            f->refs[i].nattrs = p->reftabs[i].n;
    }
    f->refs[t].given = 1;
    return 0;
}

int facts_ref_row(hm_facts *f, const hm_program *p, int32_t t, const char *key, int32_t from,
                  const int64_t *v, const uint8_t *known, uint32_t line)
{
    if (facts_ref_given(f, p, t) < 0)
        return -1;
    hm_refrows *r = &f->refs[t];
    int64_t k = facts_text(f, key);
    if (k == INT64_MIN)
        return -1;
    if (r->n == r->cap) {
        int32_t cap = r->cap ? r->cap * 2 : 16;
        size_t na = (size_t)(r->nattrs ? r->nattrs : 1);
        int64_t *nk = mem_realloc(r->key, sizeof *nk * (size_t)cap);
        if (nk) r->key = nk;
        int32_t *nf = mem_realloc(r->from, sizeof *nf * (size_t)cap);
        if (nf) r->from = nf;
        int64_t *nv = mem_realloc(r->v, sizeof *nv * (size_t)cap * na);
        if (nv) r->v = nv;
        uint8_t *nn = mem_realloc(r->known, (size_t)cap * na);
        if (nn) r->known = nn;
        uint32_t *nl = mem_realloc(r->line, sizeof *nl * (size_t)cap);
        if (nl) r->line = nl;
        if (!nk || !nf || !nv || !nn || !nl)
            return -1;
        r->cap = cap;
    }
    r->key[r->n] = k;
    r->from[r->n] = from;
    r->line[r->n] = line;
    memcpy(r->v + (size_t)r->n * (size_t)r->nattrs, v, sizeof *v * (size_t)r->nattrs);
    memcpy(r->known + (size_t)r->n * (size_t)r->nattrs, known, (size_t)r->nattrs);
    r->n++;
    return 0;
}

/* sorting rows by (key, from): an index permutation, then applied */
static int by_key_date(const void *x, const void *y, void *rows)
{
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    const hm_refrows *r = rows;
    if (r->key[a] != r->key[b])
        return r->key[a] < r->key[b] ? -1 : 1;
    if (r->from[a] != r->from[b])
        return r->from[a] < r->from[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int sort_table(hm_refrows *r)
{
    size_t n = (size_t)r->n, na = (size_t)r->nattrs;
    int32_t *ix = mem_alloc(sizeof *ix * (n + 1));
    int64_t *k = mem_alloc(sizeof *k * (n + 1)), *v = mem_alloc(sizeof *v * (n * na + 1));
    int32_t *fr = mem_alloc(sizeof *fr * (n + 1));
    uint8_t *kn = mem_alloc(n * na + 1);
    uint32_t *ln = mem_alloc(sizeof *ln * (n + 1));
    if (!ix || !k || !v || !fr || !kn || !ln) {
        mem_free(ix); mem_free(k); mem_free(v); mem_free(fr); mem_free(kn); mem_free(ln);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        ix[i] = (int32_t)i;
    qsort_r(ix, n, sizeof *ix, by_key_date, r);
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)ix[i];
        k[i] = r->key[j];
        fr[i] = r->from[j];
        ln[i] = r->line[j];
        memcpy(v + i * na, r->v + j * na, sizeof *v * na);
        memcpy(kn + i * na, r->known + j * na, na);
    }
    mem_free(ix);
    mem_free(r->key); mem_free(r->from); mem_free(r->v); mem_free(r->known); mem_free(r->line);
    r->key = k; r->from = fr; r->v = v; r->known = kn; r->line = ln;
    r->cap = r->n;
    return 0;
}

int32_t facts_ref_find(const hm_facts *f, int32_t t, int64_t key, int32_t as_of)
{
    const hm_refrows *r = &f->refs[t];
    /* the first row of the key, by binary search on the sorted keys */
    int32_t lo = 0, hi = r->n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (r->key[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= r->n || r->key[lo] != key)
        return -1;
    int32_t best = -2;
    for (int32_t i = lo; i < r->n && r->key[i] == key && r->from[i] <= as_of; i++)
        best = i;
    return best;
}

int facts_apply_refs(hm_facts *f, const hm_program *p, int32_t as_of, char *err, size_t n)
{
    if (n)
        err[0] = '\0';
    for (int32_t t = 0; f->refs && t < f->nrefs; t++) {
        hm_refrows *r = &f->refs[t];
        int sorted = 1;     /* rows lent already sorted are left as they are */
        for (int32_t i = 1; i < r->n && sorted; i++)
            sorted = r->key[i - 1] < r->key[i] || (r->key[i - 1] == r->key[i] && r->from[i - 1] <= r->from[i]);
        if (!sorted && sort_table(r) < 0)
            return -1;
        for (int32_t i = 1; i < r->n; i++)
            if (r->key[i] == r->key[i - 1] && r->from[i] == r->from[i - 1]) {
                char d[16] = "";
                if (r->from[i] != INT32_MIN)
                    cal_format(r->from[i], d);
                char rows[48] = "";
                if (r->line[i - 1] && r->line[i])
                    snprintf(rows, sizeof rows, " (rows %u and %u)", r->line[i - 1] < r->line[i] ? r->line[i - 1] : r->line[i],
                             r->line[i - 1] < r->line[i] ? r->line[i] : r->line[i - 1]);
                snprintf(err, n, "table `%s` of source `%s` has two rows for key \"%s\"%s%s%s",
                         prog_str(p, p->reftabs[t].name), prog_str(p, p->reftabs[t].source),
                         f->texts[-(r->key[i] + 1)], d[0] ? " from " : "", d, rows);
                return -2;
            }
    }
    for (int32_t i = 0; i < p->nrefreads; i++) {
        const hm_refread *rr = &p->refreads[i];
        const hm_field *fd = &p->fields[rr->field], *kd = &p->fields[rr->key];
        int house = fd->entity == ENT_HOUSEHOLD;
        if (house ? fd->column >= f->nh || kd->column >= f->nh : fd->column >= f->np || kd->column >= f->np)
            continue;
        hm_column *c = house ? &f->hcol[fd->column] : &f->pcol[fd->column];
        const hm_column *kc = house ? &f->hcol[kd->column] : &f->pcol[kd->column];
        int32_t owners = house ? f->nhouse : f->nperson;
        const hm_refrows *r = f->refs && rr->table < f->nrefs && f->refs[rr->table].given ? &f->refs[rr->table] : NULL;
        for (int32_t k = 0; k < owners; k++) {
            c->state[k] = kc->state[k];
            if (kc->state[k] != FACT_KNOWN)
                continue;
            int32_t row = r ? facts_ref_find(f, rr->table, kc->v[k], as_of) : -2;
            if (row < 0) {
                /* a key the department's table does not have is bad data,
                 * a row not in force yet (or a table not given) missing */
                c->state[k] = row == -1 ? FACT_INVALID : FACT_MISSING;
                continue;
            }
            size_t at = (size_t)row * (size_t)r->nattrs + (size_t)rr->attr;
            if (!r->known[at]) {
                c->state[k] = FACT_MISSING;
                continue;
            }
            c->v[k] = r->v[at];
            if (c->asof)
                c->asof[k] = r->from[row] == INT32_MIN ? FACT_NO_DATE : r->from[row];
        }
    }
    return 0;
}

uint64_t facts_ref_hash(const hm_facts *f, const hm_program *p, int32_t t)
{
    uint64_t h = 1469598103934665603ULL;
#define MIX(x) do { uint64_t x_ = (uint64_t)(x); for (int b_ = 0; b_ < 8; b_++) { \
        h ^= (x_ >> (b_ * 8)) & 0xff; h *= 1099511628211ULL; } } while (0)
    if (!f->refs || t >= f->nrefs)
        return h;
    const hm_refrows *r = &f->refs[t];
    for (int32_t i = 0; i < r->n; i++) {
        for (const char *s = f->texts[-(r->key[i] + 1)]; *s; s++) {
            h ^= (unsigned char)*s;
            h *= 1099511628211ULL;
        }
        MIX(r->from[i]);
        for (int32_t a = 0; a < r->nattrs; a++) {
            size_t at = (size_t)i * (size_t)r->nattrs + (size_t)a;
            MIX(r->known[at]);
            if (r->known[at] && p->refattrs[p->reftabs[t].first + a].vtype == VT_TEXT) {
                /* a text by its characters: its number differs from run to run */
                for (const char *s = f->texts[-(r->v[at] + 1)]; *s; s++) {
                    h ^= (unsigned char)*s;
                    h *= 1099511628211ULL;
                }
            } else {
                MIX(r->known[at] ? r->v[at] : 0);
            }
        }
    }
#undef MIX
    return h;
}
