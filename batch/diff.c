/* diff.c -- `huimin diff BASE REFORM --config FILE`: see diff.h.
 *
 * The facts are loaded once, by the pack that declares every fact of the
 * other (a reform adds facts, never removes them), with the needs of both.
 * The other pack's VM reads the same columns through a view: an hm_facts
 * whose column arrays are that pack's numbering of the loader's columns
 * (the values are shared, nothing copied).  The two packs must agree on
 * every fact they share (type, period, sources, freshness, default, code
 * set): else the diff is refused, since one load could not serve both.
 *
 * Each thread keeps its own counts; nothing is allocated per household. */
#include "diff.h"
#include "calendar.h"
#include "configfile.h"
#include "load.h"
#include "mem.h"
#include "thread.h"
#include "one.h"
#include "pack.h"
#include "plugin.h"
#include "regions.h"
#include "results.h"
#include "vm.h"

#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 512

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the two packs' facts ------------------------------------------------ */

static int32_t field_named(const hm_program *p, const char *name)
{
    for (int32_t i = 0; i < p->nfields; i++)
        if (!strcmp(prog_str(p, p->fields[i].name), name))
            return i;
    return -1;
}

static int32_t reftab_named(const hm_program *p, const char *name)
{
    for (int32_t i = 0; i < p->nreftabs; i++)
        if (!strcmp(prog_str(p, p->reftabs[i].name), name))
            return i;
    return -1;
}

static const char *type_word(const hm_field *f)
{
    static const char *const w[] = { "?", "bool", "int", "money", "decimal", "date", "text", "code", "duration" };
    return f->vtype < sizeof w / sizeof w[0] ? w[f->vtype] : "?";
}

/* The sources of field f: "民政 0 0," per source (name, freshness), in buf. */
static void field_sources(const hm_program *p, int32_t f, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int32_t i = 0; i < p->nfsources && len < n; i++)
        if (p->fsources[i].field == f)
            len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", prog_str(p, p->fsources[i].source));
    for (int32_t i = 0; i < p->nfsources && len < n; i++)
        if (p->fsources[i].field == f)
            len += (size_t)snprintf(buf + len, n - len, "|%d/%d", p->fsources[i].fresh, p->fsources[i].fresh_unit);
}

static int same_default(const hm_program *a, int32_t fa, const hm_program *b, int32_t fb)
{
    const hm_fdefault *da = NULL, *db = NULL;
    for (int32_t i = 0; i < a->nfdefaults; i++)
        if (a->fdefaults[i].field == fa)
            da = &a->fdefaults[i];
    for (int32_t i = 0; i < b->nfdefaults; i++)
        if (b->fdefaults[i].field == fb)
            db = &b->fdefaults[i];
    if (!da || !db)
        return !da && !db;
    if (da->text >= 0 || db->text >= 0)
        return da->text >= 0 && db->text >= 0 && !strcmp(prog_str(a, da->text), prog_str(b, db->text));
    return da->value == db->value;
}

static int same_codeset(const hm_program *a, int32_t ca, const hm_program *b, int32_t cb)
{
    if (ca < 0 || cb < 0)
        return ca == cb;
    const hm_codeset *x = &a->codesets[ca], *y = &b->codesets[cb];
    if (x->nlabels != y->nlabels || x->nmaps != y->nmaps)
        return 0;
    for (int32_t i = 0; i < 2 * x->nlabels; i++)
        if (strcmp(prog_str(a, a->labels[x->first_label + i]), prog_str(b, b->labels[y->first_label + i])))
            return 0;
    for (int32_t i = 0; i < x->nmaps; i++) {
        const hm_codemap *m = &a->codemaps[x->first_map + i], *n = &b->codemaps[y->first_map + i];
        if (m->label != n->label || strcmp(prog_str(a, m->source), prog_str(b, n->source)) ||
            strcmp(prog_str(a, m->raw), prog_str(b, n->raw)))
            return 0;
    }
    return 1;
}

/* map[f]: the field of a (the loader) that is field f of b.  -1 with err
 * when b declares a fact a does not, or declares it otherwise. */
static int map_fields(const hm_program *a, const hm_program *b, const char *aname, const char *bname,
                      int32_t *map, char *err, size_t errlen)
{
    char sa[1024], sb[1024];
    for (int32_t f = 0; f < b->nfields; f++) {
        const hm_field *y = &b->fields[f];
        const char *name = prog_str(b, y->name);
        int32_t g = map[f] = field_named(a, name);
        if (g < 0) {
            snprintf(err, errlen, "%s declares the fact %s, which %s does not: the two packs cannot share one "
                     "load of the facts (give as BASE the pack that declares fewer)", bname, name, aname);
            return -1;
        }
        const hm_field *x = &a->fields[g];
        if (x->entity != y->entity || x->vtype != y->vtype || x->period != y->period || x->records != y->records) {
            snprintf(err, errlen, "the fact %s is %s%s%s in %s but %s%s%s in %s: the two packs must declare "
                     "the facts they share alike", name, x->records ? "a list of " : "", type_word(x),
                     x->period == 1 ? " per month" : x->period == 2 ? " per year" : "", aname,
                     y->records ? "a list of " : "", type_word(y),
                     y->period == 1 ? " per month" : y->period == 2 ? " per year" : "", bname);
            return -1;
        }
        field_sources(a, g, sa, sizeof sa);
        field_sources(b, f, sb, sizeof sb);
        if (strcmp(sa, sb) || x->fresh != y->fresh || x->fresh_unit != y->fresh_unit) {
            snprintf(err, errlen, "the fact %s has other sources or freshness limits in %s than in %s: the two "
                     "packs must declare the facts they share alike", name, aname, bname);
            return -1;
        }
        if (!same_default(a, g, b, f) || !same_codeset(a, x->codeset, b, y->codeset)) {
            snprintf(err, errlen, "the fact %s has another %s in %s than in %s: the two packs must declare the "
                     "facts they share alike", name, same_default(a, g, b, f) ? "code set" : "default", aname, bname);
            return -1;
        }
    }
    /* values read through reference tables are filled in by the loader's */
    for (int32_t i = 0; i < b->nrefreads; i++) {
        const hm_refread *r = &b->refreads[i];
        int ok = 0;
        for (int32_t j = 0; j < a->nrefreads && !ok; j++) {
            const hm_refread *s = &a->refreads[j];
            ok = s->field == map[r->field] && s->key == map[r->key] && s->attr == r->attr &&
                 !strcmp(prog_str(a, a->reftabs[s->table].name), prog_str(b, b->reftabs[r->table].name));
        }
        if (!ok) {
            snprintf(err, errlen, "the fact %s is read from a reference table otherwise in %s than in %s",
                     prog_str(b, b->fields[r->field].name), bname, aname);
            return -1;
        }
    }
    for (int32_t t = 0; t < b->nreftabs; t++) {
        int32_t u = reftab_named(a, prog_str(b, b->reftabs[t].name));
        int ok = u >= 0 && a->reftabs[u].n == b->reftabs[t].n && a->reftabs[u].dated == b->reftabs[t].dated;
        for (int32_t k = 0; ok && k < b->reftabs[t].n; k++) {
            const hm_refattr *x = &a->refattrs[a->reftabs[u].first + k], *y = &b->refattrs[b->reftabs[t].first + k];
            ok = x->vtype == y->vtype && x->period == y->period && !strcmp(prog_str(a, x->name), prog_str(b, y->name));
        }
        if (!ok) {
            snprintf(err, errlen, "the reference table %s is declared otherwise in %s than in %s",
                     prog_str(b, b->reftabs[t].name), bname, aname);
            return -1;
        }
    }
    return 0;
}

/* What b reads, added to what the load reads (as load_open marks it). */
static void need_also(hm_load *L, const hm_program *b, const int32_t *map)
{
    for (int32_t i = 0; i < b->npolicies; i++)
        for (int32_t k = 0; k < b->policies[i].nfacts; k++)
            L->needed[map[b->ints[b->policies[i].first_fact + k]]] = 1;
    for (int32_t i = 0; i < b->nregions; i++)
        L->needed[map[b->regions[i].field]] = 1;
    const hm_program *a = L->p;
    for (int32_t f = 0; f < a->nfields; f++)
        if (a->fields[f].records == FIELD_ROWS && L->needed[f] == 1)
            for (int32_t k = f + 1; k < a->nfields && a->fields[k].records == FIELD_ROWFIELD; k++)
                if (!L->needed[k])
                    L->needed[k] = 2;
    for (int32_t i = 0; i < a->nrefreads; i++)
        if (L->needed[a->refreads[i].field])
            L->needed[a->refreads[i].key] = 1;
}

/* V: the loader's facts f as program b numbers its columns. */
static int make_view(hm_facts *V, const hm_facts *f, const hm_program *a, const hm_program *b, const int32_t *map)
{
    *V = *f;
    V->nh = b->nhcols;
    V->np = b->npcols;
    V->nr = b->nrcols;
    V->hcol = mem_calloc((size_t)b->nhcols + 1, sizeof *V->hcol);
    V->pcol = mem_calloc((size_t)b->npcols + 1, sizeof *V->pcol);
    V->rcol = mem_calloc((size_t)b->nrcols + 1, sizeof *V->rcol);
    V->refs = f->refs ? mem_calloc((size_t)b->nreftabs + 1, sizeof *V->refs) : NULL;
    V->nrefs = b->nreftabs;
    if (!V->hcol || !V->pcol || !V->rcol || (f->refs && !V->refs))
        return -1;
    for (int32_t i = 0; i < b->nfields; i++) {
        const hm_field *y = &b->fields[i], *x = &a->fields[map[i]];
        if (y->records)
            V->rcol[y->column] = f->rcol[x->column];
        else if (y->entity == ENT_HOUSEHOLD)
            V->hcol[y->column] = f->hcol[x->column];
        else
            V->pcol[y->column] = f->pcol[x->column];
    }
    for (int32_t t = 0; f->refs && t < b->nreftabs; t++)
        V->refs[t] = f->refs[reftab_named(a, prog_str(b, b->reftabs[t].name))];
    return 0;
}

static void view_free(hm_facts *V)
{
    mem_free(V->hcol);
    mem_free(V->pcol);
    mem_free(V->rcol);
    mem_free(V->refs);
}

/* ---- evaluation ---------------------------------------------------------- */

/* a policy of either pack: its index in each (-1 when absent) */
typedef struct pair {
    int32_t pol[2];
    int entity, period;
} pair;

typedef struct dctx {
    const hm_program *p[2];
    const hm_facts *f[2];
    const vm_extern *x[2];
    int32_t as_of;
    pair *pairs;
    int npairs;
    int32_t *hp, *pp, *cp;      /* the pairs of households, persons, claims */
    int nhp, npp, ncp;
    int32_t nhouse;
    int64_t (*hchg)[DIFF_NPERIODS];     /* per household */
    int32_t *reg[DIFF_NLEVELS];         /* per household: its region at each level, or NULL */
    int nreg[DIFF_NLEVELS];
    int kleene;
    _Atomic int32_t next;
    _Atomic int64_t done;
    _Atomic int stop;
} dctx;

typedef struct dworker {
    pthread_t th;
    dctx *X;
    int oom, overflow;          /* overflow: the pair whose sum overflowed, + 1 */
    int64_t *cat;               /* npairs × DIFF_NCAT */
    int64_t *elig, *tot;        /* npairs × 2 */
    int64_t *rs[DIFF_NLEVELS];  /* nreg × npairs × 3: newly, lost, change */
    int64_t *rh[DIFF_NLEVELS];  /* nreg: households */
} dworker;

static const hm_decision absent = { .status = DEC_NOT_APPLICABLE };

static inline const hm_decision *decide(hm_vm *vm, int32_t pol, int32_t member)
{
    return pol < 0 ? &absent : vm_decide(vm, pol, member);
}

#define ADD(w, k, dst, v) \
    do { \
        if (__builtin_add_overflow((dst), (v), &(dst))) \
            (w)->overflow = (k) + 1; \
    } while (0)

/* One decision of pair k by both packs, counted; its change of amount
 * added to the household's, hd. */
static void compare(dworker *w, int k, const hm_decision *b, const hm_decision *r, int32_t h, int64_t *hd)
{
    dctx *X = w->X;
    int ub = b->status == DEC_UNDETERMINED, ur = r->status == DEC_UNDETERMINED;
    int eb = b->status == DEC_ELIGIBLE, er = r->status == DEC_ELIGIBLE;
    int64_t ab = eb && b->has_amount ? b->amount : 0, ar = er && r->has_amount ? r->amount : 0;
    int c;
    if (ub != ur)
        c = ub ? DIFF_FROM_UNDET : DIFF_TO_UNDET;
    else if (ub || b->status == r->status)
        c = eb && ar != ab ? (ar > ab ? DIFF_MORE : DIFF_LESS) : DIFF_SAME;
    else if (er)
        c = DIFF_NEW;
    else
        c = eb ? DIFF_LOST : DIFF_SAME;   /* not eligible, not applicable: neither paid */
    w->cat[k * DIFF_NCAT + c]++;
    w->elig[2 * k] += eb;
    w->elig[2 * k + 1] += er;
    if (ub || ur)
        return;
    ADD(w, k, w->tot[2 * k], ab);
    ADD(w, k, w->tot[2 * k + 1], ar);
    int64_t d;
    if (__builtin_sub_overflow(ar, ab, &d)) {
        w->overflow = k + 1;
        return;
    }
    ADD(w, k, hd[X->pairs[k].period], d);
    for (int l = 0; l < DIFF_NLEVELS; l++) {
        if (!X->reg[l])
            continue;
        int64_t *s = w->rs[l] + ((size_t)X->reg[l][h] * (size_t)X->npairs + (size_t)k) * 3;
        s[0] += c == DIFF_NEW;
        s[1] += c == DIFF_LOST;
        ADD(w, k, s[2], d);
    }
}

static void *dwork(void *arg)
{
    dworker *w = arg;
    dctx *X = w->X;
    hm_vm *vm[2] = { vm_new(X->p[0]), vm_new(X->p[1]) };
    if (!vm[0] || !vm[1]) {
        w->oom = 1;
        goto out;
    }
    for (int s = 0; s < 2; s++) {
        vm_bind(vm[s], X->f[s], X->as_of);
        vm_bind_externs(vm[s], X->x[s]);
        vm_set_settle(vm[s], !X->kleene);
    }
    const hm_facts *f = X->f[0];
    for (;;) {
        int32_t start = atomic_fetch_add(&X->next, CHUNK);
        if (start >= X->nhouse || atomic_load(&X->stop))
            break;
        int32_t end = start + CHUNK < X->nhouse ? start + CHUNK : X->nhouse;
        for (int32_t h = start; h < end; h++) {
            if (vm_begin_household(vm[0], h) < 0 || vm_begin_household(vm[1], h) < 0) {
                w->oom = 1;
                goto out;
            }
            int64_t *hd = X->hchg[h];
            for (int l = 0; l < DIFF_NLEVELS; l++)
                if (X->reg[l])
                    w->rh[l][X->reg[l][h]]++;
            for (int i = 0; i < X->nhp; i++) {
                const pair *P = &X->pairs[X->hp[i]];
                const hm_decision *b = decide(vm[0], P->pol[0], -1);
                compare(w, X->hp[i], b, decide(vm[1], P->pol[1], -1), h, hd);
            }
            for (int32_t m = 0; m < f->hh_count[h]; m++)
                for (int i = 0; i < X->npp; i++) {
                    const pair *P = &X->pairs[X->pp[i]];
                    const hm_decision *b = decide(vm[0], P->pol[0], m);
                    compare(w, X->pp[i], b, decide(vm[1], P->pol[1], m), h, hd);
                }
            for (int32_t m = 0; m < f->hh_count[h]; m++)
                for (int i = 0; i < X->ncp; i++) {
                    const pair *P = &X->pairs[X->cp[i]];
                    int32_t nb = P->pol[0] >= 0 ? vm_claims(vm[0], P->pol[0], m) : 0;
                    int32_t nr = P->pol[1] >= 0 ? vm_claims(vm[1], P->pol[1], m) : 0;
                    for (int32_t c = 0; c < nb || c < nr; c++) {
                        const hm_decision *b = c < nb ? vm_decide_claim(vm[0], P->pol[0], m, c) : &absent;
                        compare(w, X->cp[i], b, c < nr ? vm_decide_claim(vm[1], P->pol[1], m, c) : &absent, h,
                                hd);
                    }
                }
        }
        atomic_fetch_add(&X->done, end - start);
        if (w->overflow) {
            atomic_store(&X->stop, 1);
            break;
        }
    }
out:
    vm_free(vm[0]);
    vm_free(vm[1]);
    if (w->oom)
        atomic_store(&X->stop, 1);
    return NULL;
}

/* ---- after the evaluation ------------------------------------------------ */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* the order of the largest changes: per year, then once, by size; then
 * the household's order */
static int larger(const dctx *X, int32_t g, int32_t h)
{
    const int64_t *a = X->hchg[g], *b = X->hchg[h];
    unsigned long long ya = a[DIFF_MONTH] * 12ULL + (unsigned long long)a[DIFF_YEAR];
    unsigned long long yb = b[DIFF_MONTH] * 12ULL + (unsigned long long)b[DIFF_YEAR];
    int64_t sa = (int64_t)ya, sb = (int64_t)yb;
    unsigned long long ma = sa < 0 ? 0ULL - ya : ya, mb = sb < 0 ? 0ULL - yb : yb;
    if (ma != mb)
        return ma > mb;
    unsigned long long oa = a[DIFF_ONCE] < 0 ? 0ULL - (unsigned long long)a[DIFF_ONCE] : (unsigned long long)a[DIFF_ONCE];
    unsigned long long ob = b[DIFF_ONCE] < 0 ? 0ULL - (unsigned long long)b[DIFF_ONCE] : (unsigned long long)b[DIFF_ONCE];
    if (oa != ob)
        return oa > ob;
    return g < h;
}

static int by_size(const void *a, const void *b, void *x)
{
    int32_t g = *(const int32_t *)a, h = *(const int32_t *)b;
    return larger(x, g, h) ? -1 : larger(x, h, g);
}

/* The n households of the largest changes, largest first, into top
 * (a heap whose root is the smallest kept); returns how many. */
static int largest(const dctx *X, int32_t *top, int n)
{
    int k = 0;
    for (int32_t h = 0; h < X->nhouse && n > 0; h++) {
        const int64_t *c = X->hchg[h];
        if (!c[0] && !c[1] && !c[2])
            continue;
        if (k == n && !larger(X, h, top[0]))
            continue;
        int i;
        if (k < n) {
            i = k++;
            /* up */
            while (i > 0 && larger(X, top[(i - 1) / 2], h)) {
                top[i] = top[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            top[i] = h;
            continue;
        }
        /* replace the root (the smallest kept), down */
        i = 0;
        for (;;) {
            int l = 2 * i + 1, r = l + 1, s = -1;
            int32_t least = h;
            if (l < k && larger(X, least, top[l]))
                s = l, least = top[l];
            if (r < k && larger(X, least, top[r]))
                s = r;
            if (s < 0)
                break;
            top[i] = top[s];
            i = s;
        }
        top[i] = h;
    }
    /* largest first */
    qsort_r(top, (size_t)k, sizeof *top, by_size, (void *)X);
    return k;
}

void diff_free(diff_result *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->npolicies; i++) {
        mem_free(r->policies[i].name);
        mem_free(r->policies[i].label);
    }
    mem_free(r->policies);
    for (int l = 0; l < DIFF_NLEVELS; l++) {
        for (int i = 0; i < r->nregions[l]; i++) {
            mem_free(r->regions[l][i].code);
            mem_free(r->regions[l][i].name);
            mem_free(r->regions[l][i].newly);
        }
        mem_free(r->regions[l]);
    }
    for (int i = 0; i < r->ntop; i++)
        mem_free(r->top[i].id);
    mem_free(r->top);
    mem_free(r->base_hash);
    mem_free(r->reform_hash);
    mem_free(r);
}

static int diff_period(int period)
{
    return period == PERIOD_PER_MONTH ? DIFF_MONTH : period == PERIOD_PER_YEAR ? DIFF_YEAR : DIFF_ONCE;
}

/* The pairs: the base's policies in its order, then those only the
 * reform has.  -1 with err when a policy of both is of another entity
 * or period in the reform. */
static int make_pairs(dctx *X, char *err, size_t errlen)
{
    const hm_program *b = X->p[0], *r = X->p[1];
    X->pairs = mem_calloc((size_t)b->npolicies + (size_t)r->npolicies + 1, sizeof *X->pairs);
    X->hp = mem_calloc((size_t)b->npolicies + (size_t)r->npolicies + 1, sizeof *X->hp);
    X->pp = mem_calloc((size_t)b->npolicies + (size_t)r->npolicies + 1, sizeof *X->pp);
    X->cp = mem_calloc((size_t)b->npolicies + (size_t)r->npolicies + 1, sizeof *X->cp);
    if (!X->pairs || !X->hp || !X->pp || !X->cp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int32_t i = 0; i < b->npolicies; i++) {
        pair *P = &X->pairs[X->npairs++];
        P->pol[0] = i;
        P->pol[1] = -1;
        P->entity = b->policies[i].entity;
        P->period = diff_period(b->policies[i].period);
        for (int32_t j = 0; j < r->npolicies; j++)
            if (!strcmp(prog_str(b, b->policies[i].name), prog_str(r, r->policies[j].name)))
                P->pol[1] = j;
        if (P->pol[1] < 0)
            continue;
        const hm_policy *y = &r->policies[P->pol[1]];
        if (y->entity != P->entity || (diff_period(y->period) != P->period &&
                                       b->policies[i].amount_fn >= 0 && y->amount_fn >= 0)) {
            snprintf(err, errlen, "policy %s decides %s in the base but %s in the reform: a reform keeps what a "
                     "policy decides and the period of its amount", prog_str(b, b->policies[i].name),
                     y->entity != P->entity ? "another entity" : "an amount of one period",
                     y->entity != P->entity ? "another" : "of another");
            return -1;
        }
        if (b->policies[i].amount_fn < 0)
            P->period = diff_period(y->period);
    }
    for (int32_t j = 0; j < r->npolicies; j++) {
        int found = 0;
        for (int k = 0; k < X->npairs && !found; k++)
            found = X->pairs[k].pol[1] == j;
        if (found)
            continue;
        pair *P = &X->pairs[X->npairs++];
        P->pol[0] = -1;
        P->pol[1] = j;
        P->entity = r->policies[j].entity;
        P->period = diff_period(r->policies[j].period);
    }
    for (int k = 0; k < X->npairs; k++) {
        if (X->pairs[k].entity == ENT_PERSON)
            X->pp[X->npp++] = k;
        else if (X->pairs[k].entity == ENT_CLAIM)
            X->cp[X->ncp++] = k;
        else
            X->hp[X->nhp++] = k;
    }
    return 0;
}

/* ---- the results database (schema version 7: docs/commands.md) --------- */

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

static int step(results *R, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        snprintf(R->err, sizeof R->err, "%s", sqlite3_errmsg(R->db));
        return -1;
    }
    return 0;
}

static const char *const period_words[] = { "month", "year", "once" };
static const char *const level_words[] = { "township", "county", "city" };

static int write_diff(results *R, const diff_result *D, const diff_options *o, const char *started,
                      const char *sets)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;
    char fin[32];
    results_now(fin, sizeof fin);
    if (sqlite3_prepare_v2(R->db, "INSERT INTO diff_runs(as_of, base_hash, reform_hash, started, finished, "
                           "config, config_sets, households, persons, huimin_version) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    bind_text(st, 1, D->as_of);
    bind_text(st, 2, D->base_hash);
    bind_text(st, 3, D->reform_hash);
    bind_text(st, 4, started);
    bind_text(st, 5, fin);
    bind_text(st, 6, o->config);
    bind_text(st, 7, sets);
    sqlite3_bind_int64(st, 8, D->households);
    sqlite3_bind_int64(st, 9, D->persons);
    bind_text(st, 10, hm_version());
    if (step(R, st))
        goto done;
    sqlite3_finalize(st);
    int64_t id = sqlite3_last_insert_rowid(R->db);
    ((diff_result *)D)->diff_id = id;
    if (sqlite3_prepare_v2(R->db, "INSERT INTO diff_policies(diff_id, policy, label, entity, presence, period, "
                           "newly_eligible, no_longer_eligible, paid_more, paid_less, unchanged, to_undetermined, "
                           "from_undetermined, base_eligible, reform_eligible, base_total_fen, reform_total_fen, "
                           "change_fen, change_per_year_fen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (int i = 0; i < D->npolicies; i++) {
        const diff_policy *P = &D->policies[i];
        sqlite3_bind_int64(st, 1, id);
        bind_text(st, 2, P->name);
        bind_text(st, 3, P->label);
        bind_text(st, 4, P->entity == ENT_CLAIM ? "claim" : P->entity == ENT_PERSON ? "person" : "household");
        bind_text(st, 5, P->in_base && P->in_reform ? "both" : P->in_base ? "removed" : "added");
        bind_text(st, 6, P->has_amount ? period_words[P->period] : NULL);
        for (int c = 0; c < DIFF_NCAT; c++)
            sqlite3_bind_int64(st, 7 + c, P->cat[c]);
        sqlite3_bind_int64(st, 14, P->eligible[0]);
        sqlite3_bind_int64(st, 15, P->eligible[1]);
        sqlite3_bind_int64(st, 16, P->total[0]);
        sqlite3_bind_int64(st, 17, P->total[1]);
        sqlite3_bind_int64(st, 18, P->change);
        if (P->period == DIFF_MONTH)
            sqlite3_bind_int64(st, 19, P->change * 12);
        else if (P->period == DIFF_YEAR)
            sqlite3_bind_int64(st, 19, P->change);
        if (step(R, st))
            goto done;
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(R->db, "INSERT INTO diff_regions(diff_id, level, region, name, households, policy, "
                           "newly_eligible, no_longer_eligible, change_fen) VALUES (?,?,?,?,?,?,?,?,?)", -1, &st,
                           NULL) != SQLITE_OK)
        goto fail;
    for (int l = 0; l < DIFF_NLEVELS; l++)
        for (int g = 0; g < D->nregions[l]; g++) {
            const diff_region *G = &D->regions[l][g];
            for (int i = 0; i < D->npolicies; i++) {
                sqlite3_bind_int64(st, 1, id);
                bind_text(st, 2, level_words[l]);
                bind_text(st, 3, G->code);
                bind_text(st, 4, G->name);
                sqlite3_bind_int64(st, 5, G->households);
                bind_text(st, 6, D->policies[i].name);
                sqlite3_bind_int64(st, 7, G->newly[i]);
                sqlite3_bind_int64(st, 8, G->lost[i]);
                sqlite3_bind_int64(st, 9, G->change[i]);
                if (step(R, st))
                    goto done;
            }
        }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(R->db, "INSERT INTO diff_distribution(diff_id, period, gainers, losers, unchanged, "
                           "decile, change_fen) VALUES (?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (int p = 0; p < DIFF_NPERIODS; p++)
        for (int d = 0; D->has_period[p] && d <= 10; d++) {
            sqlite3_bind_int64(st, 1, id);
            bind_text(st, 2, period_words[p]);
            sqlite3_bind_int64(st, 3, D->gainers[p]);
            sqlite3_bind_int64(st, 4, D->losers[p]);
            sqlite3_bind_int64(st, 5, D->unchanged[p]);
            sqlite3_bind_int(st, 6, d);
            if (D->gainers[p] + D->losers[p])
                sqlite3_bind_int64(st, 7, D->deciles[p][d]);
            if (step(R, st))
                goto done;
        }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(R->db, "INSERT INTO diff_households(diff_id, rank, household, change_month_fen, "
                           "change_year_fen, change_once_fen, change_per_year_fen) VALUES (?,?,?,?,?,?,?)", -1, &st,
                           NULL) != SQLITE_OK)
        goto fail;
    for (int i = 0; i < D->ntop; i++) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, i + 1);
        bind_text(st, 3, D->top[i].id);
        for (int p = 0; p < DIFF_NPERIODS; p++)
            sqlite3_bind_int64(st, 4 + p, D->top[i].change[p]);
        sqlite3_bind_int64(st, 7, D->top[i].per_year);
        if (step(R, st))
            goto done;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_exec(R->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    R->committed = 1;
    return 0;
fail:
    snprintf(R->err, sizeof R->err, "%s", sqlite3_errmsg(R->db));
done:
    sqlite3_finalize(st);
    return rc;
}

/* ---- regions ------------------------------------------------------------- */

/* region codes (digits) to their index at one level: open addressing */
typedef struct rmap {
    uint64_t *key;
    int32_t *idx;
    size_t cap, n;
} rmap;

#define NO_REGION UINT64_MAX

/* The index of key, or -1 when it is new (then *slot is where it goes). */
static int32_t rmap_find(const rmap *M, uint64_t key, size_t *slot)
{
    size_t k = (size_t)(key * 0x9E3779B97F4A7C15ULL >> 20) & (M->cap - 1);
    while (M->idx[k] >= 0 && M->key[k] != key)
        k = (k + 1) & (M->cap - 1);
    *slot = k;
    return M->idx[k];
}

static int rmap_grow(rmap *M)
{
    size_t cap = M->cap ? 2 * M->cap : 256;
    rmap N = { mem_alloc(cap * sizeof *N.key), mem_alloc(cap * sizeof *N.idx), cap, M->n };
    if (!N.key || !N.idx) {
        mem_free(N.key);
        mem_free(N.idx);
        return -1;
    }
    memset(N.idx, 0xff, cap * sizeof *N.idx);
    for (size_t i = 0, k; i < M->cap; i++)
        if (M->idx[i] >= 0) {
            rmap_find(&N, M->key[i], &k);
            N.key[k] = M->key[i];
            N.idx[k] = M->idx[i];
        }
    mem_free(M->key);
    mem_free(M->idx);
    *M = N;
    return 0;
}

/* A new region of level l in D, with room for each policy's change. */
static int add_region(diff_result *D, int l, const char *code, const char *name, int npairs)
{
    /* room for 16, then doubled each time it is full */
    if (!D->regions[l] || (D->nregions[l] >= 16 && !(D->nregions[l] & (D->nregions[l] - 1)))) {
        size_t cap = D->nregions[l] ? 2 * (size_t)D->nregions[l] : 16;
        diff_region *v = mem_realloc(D->regions[l], cap * sizeof *v);
        if (!v)
            return -1;
        D->regions[l] = v;
    }
    diff_region *G = &D->regions[l][D->nregions[l]];
    memset(G, 0, sizeof *G);
    G->code = mem_strdup(code);
    G->name = mem_strdup(name ? name : code);
    G->newly = mem_calloc(3 * (size_t)npairs + 1, sizeof *G->newly);
    D->nregions[l]++;
    if (!G->code || !G->name || !G->newly)
        return -1;
    G->lost = G->newly + npairs;
    G->change = G->newly + 2 * (size_t)npairs;
    return 0;
}

/* X->reg: each household's region at each level, by `regions by` of
 * program p (reading facts f), and the regions in D; nothing when p
 * declares none.  -1 when out of memory. */
static int find_regions(dctx *X, diff_result *D, const hm_program *p, const hm_facts *f)
{
    if (regions_field(p) < 0)
        return 0;
    rmap M[DIFF_NLEVELS];
    memset(M, 0, sizeof M);
    int rc = -1;
    for (int l = 0; l < DIFF_NLEVELS; l++)
        if (!(X->reg[l] = mem_alloc(((size_t)X->nhouse + 1) * sizeof *X->reg[l])) || rmap_grow(&M[l]))
            goto done;
    hm_region r;
    for (int32_t h = 0; h < X->nhouse; h++) {
        region_of(p, f, h, X->as_of, &r);
        for (int l = 0; l < DIFF_NLEVELS; l++) {
            uint64_t key = r.state == REGION_KNOWN ? strtoull(r.code[l], NULL, 10) : NO_REGION;
            size_t k;
            int32_t i = rmap_find(&M[l], key, &k);
            if (i < 0) {
                if (add_region(D, l, key == NO_REGION ? "" : r.code[l], key == NO_REGION ? NULL : r.name[l],
                               X->npairs))
                    goto done;
                M[l].key[k] = key;
                M[l].idx[k] = i = D->nregions[l] - 1;
                if (2 * ++M[l].n > M[l].cap && rmap_grow(&M[l]))
                    goto done;
            }
            X->reg[l][h] = i;
        }
    }
    for (int l = 0; l < DIFF_NLEVELS; l++)
        X->nreg[l] = D->nregions[l];
    D->has_regions = 1;
    rc = 0;
done:
    for (int l = 0; l < DIFF_NLEVELS; l++) {
        mem_free(M[l].key);
        mem_free(M[l].idx);
    }
    return rc;
}

static int by_code(const void *a, const void *b)
{
    const diff_region *x = a, *y = b;
    /* the households of no known region last */
    if (!*x->code || !*y->code)
        return !*x->code - !*y->code;
    return strcmp(x->code, y->code);
}

/* ---- the diff ------------------------------------------------------------ */

static int merge(dctx *X, dworker *w, int nw, diff_result *D, char *err, size_t errlen)
{
    const hm_program *pb = X->p[0], *pr = X->p[1];
    if (!(D->policies = mem_calloc((size_t)X->npairs + 1, sizeof *D->policies)))
        return -1;
    D->npolicies = X->npairs;
    for (int k = 0; k < X->npairs; k++) {
        const pair *P = &X->pairs[k];
        diff_policy *Q = &D->policies[k];
        int s = P->pol[0] >= 0 ? 0 : 1;
        const hm_program *p = s ? pr : pb;
        const hm_policy *y = &p->policies[P->pol[s]];
        Q->name = mem_strdup(prog_str(p, y->name));
        Q->label = mem_strdup(prog_str(p, y->label));
        if (!Q->name || !Q->label)
            return -1;
        Q->entity = P->entity;
        Q->period = P->period;
        Q->in_base = P->pol[0] >= 0;
        Q->in_reform = P->pol[1] >= 0;
        Q->has_amount = (Q->in_base && pb->policies[P->pol[0]].amount_fn >= 0) ||
                        (Q->in_reform && pr->policies[P->pol[1]].amount_fn >= 0);
        int bad = 0;
        for (int t = 0; t < nw; t++) {
            for (int c = 0; c < DIFF_NCAT; c++)
                Q->cat[c] += w[t].cat[k * DIFF_NCAT + c];
            for (int s2 = 0; s2 < 2; s2++) {
                Q->eligible[s2] += w[t].elig[2 * k + s2];
                bad |= __builtin_add_overflow(Q->total[s2], w[t].tot[2 * k + s2], &Q->total[s2]);
            }
        }
        bad |= __builtin_sub_overflow(Q->total[1], Q->total[0], &Q->change);
        if (Q->has_amount) {
            D->has_period[Q->period] = 1;
            bad |= __builtin_add_overflow(D->total_change[Q->period], Q->change, &D->total_change[Q->period]);
        }
        if (bad) {
            snprintf(err, errlen, "policy %s: its total amount is beyond the range of money (integer overflow); "
                     "no diff recorded", Q->name);
            return -2;
        }
    }
    int64_t m12;
    if (__builtin_mul_overflow(D->total_change[DIFF_MONTH], 12, &m12) ||
        __builtin_add_overflow(m12, D->total_change[DIFF_YEAR], &D->total_per_year)) {
        snprintf(err, errlen, "the change per year is beyond the range of money (integer overflow); no diff recorded");
        return -2;
    }
    for (int l = 0; l < DIFF_NLEVELS; l++)
        for (int g = 0; X->reg[l] && g < D->nregions[l]; g++) {
            diff_region *G = &D->regions[l][g];
            for (int t = 0; t < nw; t++) {
                G->households += w[t].rh[l][g];
                for (int k = 0; k < X->npairs; k++) {
                    const int64_t *s = w[t].rs[l] + ((size_t)g * (size_t)X->npairs + (size_t)k) * 3;
                    G->newly[k] += s[0];
                    G->lost[k] += s[1];
                    if (__builtin_add_overflow(G->change[k], s[2], &G->change[k])) {
                        snprintf(err, errlen, "region %s: the change is beyond the range of money (integer "
                                 "overflow); no diff recorded", G->code);
                        return -2;
                    }
                }
            }
        }
    return 0;
}

static int distribution(dctx *X, diff_result *D)
{
    int64_t *v = mem_alloc(((size_t)X->nhouse + 1) * sizeof *v);
    if (!v)
        return -1;
    for (int p = 0; p < DIFF_NPERIODS; p++) {
        size_t n = 0;
        for (int32_t h = 0; h < X->nhouse; h++) {
            int64_t c = X->hchg[h][p];
            D->gainers[p] += c > 0;
            D->losers[p] += c < 0;
            if (c)
                v[n++] = c;
        }
        D->unchanged[p] = X->nhouse - D->gainers[p] - D->losers[p];
        if (!n)
            continue;
        qsort(v, n, sizeof *v, cmp_i64);
        for (int d = 0; d <= 10; d++)
            D->deciles[p][d] = v[(n - 1) * (size_t)d / 10];
        /* the histogram: widths in whole fen, rounded up, so that the last
         * edge is at or past the largest change (in 128 bits: no overflow) */
        __int128 lo = v[0], span = (__int128)v[n - 1] - lo, w = span / DIFF_BINS + (span % DIFF_BINS != 0);
        if (w == 0)
            w = 1;
        for (int b = 0; b <= DIFF_BINS; b++) {
            __int128 e = lo + w * b;
            D->edge[p][b] = e > INT64_MAX ? INT64_MAX : (int64_t)e;
        }
        for (size_t i = 0; i < n; i++) {
            __int128 b = ((__int128)v[i] - lo) / w;
            D->hist[p][b >= DIFF_BINS ? DIFF_BINS - 1 : (int)b]++;
        }
    }
    mem_free(v);
    return 0;
}

static void free_workers(dworker *w, int n)
{
    for (int i = 0; w && i < n; i++) {
        mem_free(w[i].cat);
        mem_free(w[i].elig);
        mem_free(w[i].tot);
        for (int l = 0; l < DIFF_NLEVELS; l++) {
            mem_free(w[i].rs[l]);
            mem_free(w[i].rh[l]);
        }
    }
    mem_free(w);
}

int diff_run(const hm_pack *kb, const hm_pack *kr, const diff_options *o, diff_result **out, char *err,
             size_t errlen)
{
    err[0] = '\0';
    *out = NULL;
    double t0 = now_s();
    char started[32];
    results_now(started, sizeof started);
    dctx X;
    memset(&X, 0, sizeof X);
    X.p[0] = pack_program(kb);
    X.p[1] = pack_program(kr);
    /* the loader: the pack that declares every fact the other does */
    int a = 1;
    int32_t *map = mem_calloc((size_t)X.p[0]->nfields + (size_t)X.p[1]->nfields + 1, sizeof *map);
    if (!map) {
        snprintf(err, errlen, "out of memory");
        return HM_ENOMEM;
    }
    char e2[1024];
    if (map_fields(X.p[1], X.p[0], "the reform", "the base", map, err, errlen)) {
        if (map_fields(X.p[0], X.p[1], "the base", "the reform", map, e2, sizeof e2)) {
            mem_free(map);
            return HM_EUSAGE;
        }
        a = 0;
        err[0] = '\0';
    }
    hm_config cfg;
    int32_t as_of;
    /* the `parameter.` settings are the reform's (the configuration skips them) */
    if (batch_config(&cfg, o->config, o->sets, o->nsets, o->as_of, &as_of, err, errlen) != HM_OK) {
        config_free(&cfg);
        mem_free(map);
        return HM_EUSAGE;
    }
    X.as_of = as_of;
    FILE *tty = o->progress > 0 || (o->progress < 0 && isatty(2)) ? stderr : NULL;
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    hm_load L;
    memset(&L, 0, sizeof L);
    results R;
    memset(&R, 0, sizeof R);
    hm_facts V;
    memset(&V, 0, sizeof V);
    hm_ffi_bindings *xb = NULL;
    dworker *w = NULL;
    int threads = 0, rc = HM_EIO;
    diff_result *D = mem_calloc(1, sizeof *D);
    int32_t *top = NULL;
    if (!D) {
        rc = HM_ENOMEM;
        goto done;
    }
    if (o->out && results_open(&R, o->out)) {
        snprintf(err, errlen, "%s", R.err);
        goto done;
    }
    threads = o->threads > 0 ? o->threads : cfg.threads > 0 ? cfg.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    rc = HM_EPLUGIN;
    const hm_program *pa = X.p[a], *pb = X.p[!a];
    int lrc = load_open_for(&L, pa, &cfg, as_of, LOAD_REGIONS);
    if (!lrc)
        need_also(&L, pb, map);
    L.threads = threads;
    L.provenance = 0;
    if (lrc || load_population(&L) || load_facts(&L)) {
        batch_load_error(&L, err, errlen);
        goto done;
    }
    facts_drop_provenance(&L.facts);
    const vm_extern *xv = NULL;
    if (pb->nexterns && !(xb = externs_bind(pb, L.plugins, L.sources, L.nplugins, &xv, err, errlen)))
        goto done;
    rc = HM_ENOMEM;
    if (make_view(&V, &L.facts, pa, pb, map))
        goto done;
    X.f[a] = &L.facts;
    X.f[!a] = &V;
    X.x[a] = L.externs;
    X.x[!a] = xv;
    X.nhouse = L.nh;
    double t_loaded = now_s();
    if (tty)
        fprintf(tty, "loaded %d households and %d persons from %d sources in %.1f s\n", L.nh, L.np, L.nplugins,
                t_loaded - t0);
    rc = HM_EUSAGE;
    if (make_pairs(&X, err, errlen))
        goto done;
    rc = HM_ENOMEM;
    /* the regions of the base's `regions by`, else the reform's */
    int rs = regions_field(X.p[0]) >= 0 ? 0 : 1;
    if (find_regions(&X, D, X.p[rs], X.f[rs]))
        goto done;
    X.hchg = mem_calloc((size_t)L.nh + 1, sizeof *X.hchg);
    w = mem_calloc((size_t)threads, sizeof *w);
    if (!X.hchg || !w)
        goto done;
    for (int i = 0; i < threads; i++) {
        w[i].X = &X;
        w[i].cat = mem_calloc((size_t)X.npairs * DIFF_NCAT + 1, sizeof *w[i].cat);
        w[i].elig = mem_calloc((size_t)X.npairs * 2 + 1, sizeof *w[i].elig);
        w[i].tot = mem_calloc((size_t)X.npairs * 2 + 1, sizeof *w[i].tot);
        if (!w[i].cat || !w[i].elig || !w[i].tot)
            goto done;
        for (int l = 0; l < DIFF_NLEVELS; l++)
            if (X.reg[l] && (!(w[i].rs[l] = mem_calloc((size_t)X.nreg[l] * (size_t)X.npairs * 3 + 1, sizeof(int64_t))) ||
                             !(w[i].rh[l] = mem_calloc((size_t)X.nreg[l] + 1, sizeof(int64_t)))))
                goto done;
    }
    int started_threads = 0;
    for (int i = 1; i < threads; i++) {
        if (thread_start(&w[i].th, dwork, &w[i]) != 0)
            break;
        started_threads++;
    }
    dwork(&w[0]);
    int oom = w[0].oom, overflow = w[0].overflow;
    for (int i = 1; i <= started_threads; i++) {
        pthread_join(w[i].th, NULL);
        oom |= w[i].oom;
        if (w[i].overflow)
            overflow = w[i].overflow;
    }
    double t_eval = now_s();
    if (oom)
        goto done;
    if (overflow) {
        const pair *P = &X.pairs[overflow - 1];
        const hm_program *p = P->pol[0] >= 0 ? X.p[0] : X.p[1];
        snprintf(err, errlen, "policy %s: a total amount is beyond the range of money (integer overflow); no diff "
                 "recorded", prog_str(p, p->policies[P->pol[P->pol[0] >= 0 ? 0 : 1]].name));
        rc = HM_EUSAGE;
        goto done;
    }
    if (load_close_plugins(&L)) {
        batch_load_error(&L, err, errlen);
        rc = HM_EPLUGIN;
        goto done;
    }
    int m = merge(&X, w, started_threads + 1, D, err, errlen);
    if (m) {
        rc = m == -2 ? HM_EUSAGE : HM_ENOMEM;
        goto done;
    }
    if (distribution(&X, D))
        goto done;
    for (int l = 0; l < DIFF_NLEVELS; l++)
        if (D->nregions[l])
            qsort(D->regions[l], (size_t)D->nregions[l], sizeof *D->regions[l], by_code);
    if (o->top > 0) {
        if (!(top = mem_alloc((size_t)o->top * sizeof *top)) ||
            !(D->top = mem_calloc((size_t)o->top, sizeof *D->top)))
            goto done;
        D->ntop = largest(&X, top, o->top);
        char idb[LOAD_ID_BUF];
        for (int i = 0; i < D->ntop; i++) {
            diff_household *H = &D->top[i];
            memcpy(H->change, X.hchg[top[i]], sizeof H->change);
            H->per_year = (int64_t)((unsigned long long)H->change[DIFF_MONTH] * 12ULL +
                                    (unsigned long long)H->change[DIFF_YEAR]);
            if (!(H->id = mem_strdup(load_id(&L, 0, top[i], idb))))
                goto done;
        }
    }
    snprintf(D->as_of, sizeof D->as_of, "%s", "");
    cal_format(as_of, D->as_of);
    D->households = L.nh;
    D->persons = L.np;
    D->threads = threads;
    D->loaded_by = a;
    if (!(D->base_hash = mem_strdup(hm_pack_hash(kb))) || !(D->reform_hash = mem_strdup(hm_pack_hash(kr))))
        goto done;
    if (o->out) {
        /* the what-ifs (--set parameter.…), one a line: the other
         * settings may hold passwords */
        size_t len = 1;
        for (int i = 0; i < o->nsets; i++)
            len += strlen(o->sets[i]) + 1;
        char *sets = mem_alloc(len);
        if (!sets)
            goto done;
        sets[0] = '\0';
        for (int i = 0, at = 0; i < o->nsets; i++)
            if (!strncmp(o->sets[i], "parameter.", 10))
                at += sprintf(sets + at, "%s\n", o->sets[i]);
        if (!sets[0]) {
            mem_free(sets);
            sets = NULL;
        }
        int bad = write_diff(&R, D, o, started, sets);
        mem_free(sets);
        if (bad) {
            snprintf(err, errlen, "%s: %s", o->out, R.err);
            rc = HM_EIO;
            goto done;
        }
    }
    D->seconds[0] = t_loaded - t0;
    D->seconds[1] = t_eval - t_loaded;
    D->seconds[2] = now_s() - t0;
    *out = D;
    D = NULL;
    rc = HM_OK;
done:
    if (rc == HM_ENOMEM && !err[0])
        snprintf(err, errlen, "out of memory");
    mem_free(top);
    free_workers(w, threads);
    for (int l = 0; l < DIFF_NLEVELS; l++)
        mem_free(X.reg[l]);
    mem_free(X.hchg);
    mem_free(X.pairs);
    mem_free(X.hp);
    mem_free(X.pp);
    mem_free(X.cp);
    view_free(&V);
    externs_free(xb);
    results_close(&R);
    load_close(&L);
    config_free(&cfg);
    mem_free(map);
    diff_free(D);
    return rc;
}
