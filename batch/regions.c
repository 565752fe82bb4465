/* regions.c -- the payment roll and the regions of a loaded household
 * (regions.h). */
#include "regions.h"

#include <string.h>

int roll_find(const hm_program *p, roll_info *out)
{
    memset(out, 0, sizeof *out);
    for (int32_t i = 0; i < p->nrolls; i++) {
        const hm_roll *r = &p->rolls[i];
        out->source = prog_str(p, r->source);
        out->label = r->label >= 0 ? prog_str(p, r->label) : "";
        if (p->fields[r->field].entity == ENT_HOUSEHOLD)
            out->household = r;
        else
            out->person = r;
    }
    return out->source != NULL;
}

static const char *text_of(const hm_facts *f, int64_t v)
{
    int64_t i = -(v + 1);
    return i >= 0 && i < f->ntexts ? f->texts[i] : NULL;
}

int32_t roll_count(const hm_program *p, const hm_facts *f, const hm_roll *r, int32_t owner, int *state)
{
    const hm_rcolumn *L = &f->rcol[p->fields[r->field].column];
    int st = owner >= 0 && owner < L->owners ? L->state[owner] : FACT_MISSING;
    if (state)
        *state = st;
    return st == FACT_KNOWN ? L->count[owner] : -1;
}

void roll_payment_at(const hm_program *p, const hm_facts *f, const hm_roll *r, int32_t owner, int32_t k,
                     roll_payment *out)
{
    const hm_rcolumn *pc = &f->rcol[p->fields[r->policy].column];
    const hm_rcolumn *ac = &f->rcol[p->fields[r->amount].column];
    const hm_rcolumn *sc = &f->rcol[p->fields[r->since].column];
    /* the fields' records line up with the list's (facts_align_rows);
     * a field a record leaves out is dated FACT_NO_DATE */
    int32_t j = f->rcol[p->fields[r->field].column].first[owner] + k;
    memset(out, 0, sizeof *out);
    out->period = p->fields[r->amount].period;
    if (pc->state[owner] == FACT_KNOWN && pc->date[j] != FACT_NO_DATE)
        out->policy = text_of(f, pc->v[j]);
    if (ac->state[owner] == FACT_KNOWN && ac->date[j] != FACT_NO_DATE) {
        out->has_amount = 1;
        out->amount = ac->v[j];
    }
    if (sc->state[owner] == FACT_KNOWN && sc->date[j] != FACT_NO_DATE) {
        out->has_since = 1;
        out->since = (int32_t)sc->v[j];
    }
}

int32_t regions_field(const hm_program *p)
{
    return p->nregions > 0 ? p->regions[0].field : -1;
}

static const char *LEVEL_NAMES[REGION_LEVELS] = { "township", "county", "city" };
static const char *LEVEL_LABELS[REGION_LEVELS] = { "乡镇（街道）", "区县", "地市" };

const char *region_level_name(int level)
{
    return level >= 0 && level < REGION_LEVELS ? LEVEL_NAMES[level] : "?";
}

const char *region_level_label(int level)
{
    return level >= 0 && level < REGION_LEVELS ? LEVEL_LABELS[level] : "?";
}

/* The name of the region `code`: its row's `name` in force at as_of, or
 * NULL. */
static const char *name_of(const hm_facts *f, const hm_regions *rg, const char *code, int32_t as_of)
{
    if (rg->table < 0 || rg->name < 0 || !f->refs || rg->table >= f->nrefs || !f->refs[rg->table].given)
        return NULL;
    int64_t key = facts_text_find(f, code);
    if (!key)
        return NULL;    /* no row can have a key the store never saw */
    int32_t row = facts_ref_find(f, rg->table, key, as_of);
    const hm_refrows *r = &f->refs[rg->table];
    if (row < 0 || rg->name >= r->nattrs)
        return NULL;
    size_t at = (size_t)row * (size_t)r->nattrs + (size_t)rg->name;
    return r->known[at] ? text_of(f, r->v[at]) : NULL;
}

int region_of(const hm_program *p, const hm_facts *f, int32_t hh, int32_t as_of, hm_region *out)
{
    memset(out, 0, sizeof *out);
    if (p->nregions == 0) {
        out->fact_state = FACT_MISSING;
        return out->state = REGION_NONE;
    }
    const hm_regions *rg = &p->regions[0];
    const hm_column *c = &f->hcol[p->fields[rg->field].column];
    out->fact_state = c->state[hh];
    if (c->state[hh] != FACT_KNOWN)
        return out->state = REGION_UNKNOWN;
    const char *t = text_of(f, c->v[hh]);
    for (int i = 0; i < REGION_CODE_MAX; i++)
        if (!t || t[i] < '0' || t[i] > '9')
            return out->state = REGION_BAD;
    memcpy(out->code[REGION_TOWNSHIP], t, 9);
    memcpy(out->code[REGION_COUNTY], t, 6);
    memcpy(out->code[REGION_CITY], t, 4);
    memcpy(out->code[REGION_CITY] + 4, "00", 2);
    for (int l = 0; l < REGION_LEVELS; l++)
        out->name[l] = name_of(f, rg, out->code[l], as_of);
    return out->state = REGION_KNOWN;
}
