/* evaluate.c -- deciding one household (hm_evaluator, hm_evaluate): its
 * facts are placed into the evaluator's own fact store, freshness applied
 * as of the evaluation's date, every policy decided by the VM, and the
 * decisions copied into one block the caller owns.  The store, the VM and
 * the scratch buffers are kept from one household to the next. */
#include "result.h"
#include "calendar.h"
#include "mem.h"
#include "pack.h"
#include "vm.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(HM_ELIGIBLE, DEC_ELIGIBLE) && SAME(HM_NOT_ELIGIBLE, DEC_NOT_ELIGIBLE) &&
                   SAME(HM_UNDETERMINED, DEC_UNDETERMINED) && SAME(HM_NOT_APPLICABLE, DEC_NOT_APPLICABLE),
               "decision statuses");
_Static_assert(SAME(HM_FACT_MISSING, FACT_MISSING) && SAME(HM_FACT_STALE, FACT_STALE) &&
                   SAME(HM_FACT_INVALID, FACT_INVALID) && SAME(HM_FACT_CONFLICT, FACT_CONFLICT), "fact states");
_Static_assert(SAME(HM_PERIOD_ONCE, PERIOD_ONCE) && SAME(HM_PERIOD_MONTH, PERIOD_PER_MONTH) &&
                   SAME(HM_PERIOD_YEAR, PERIOD_PER_YEAR), "periods");

struct hm_evaluator {
    const hm_program *p;
    const hm_pack *k;       /* NULL for an evaluator made on a bare program */
    hm_compiler *sources;   /* the pack's policy files, compiled: for explain */
    hm_vm *vm;
    hm_facts f;             /* one household, room for cap persons */
    int32_t cap;
    res_decision *d;
    int32_t nd, capd;
    res_missing *miss;
    int32_t nmiss, capmiss;
    char *text;             /* reasons and member ids */
    size_t tlen, tcap;
    char *msg;              /* a filled message */
    size_t msgcap;
    int oom;
    int explain_deep;       /* hm_evaluator_set_explain_deep */
};

hm_evaluator *evaluator_new(const hm_program *p)
{
    hm_evaluator *e = mem_calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->p = p;
    if (!(e->vm = vm_new(p))) {
        mem_free(e);
        return NULL;
    }
    return e;
}

hm_evaluator *hm_evaluator_new(const hm_pack *k)
{
    hm_evaluator *e = k ? evaluator_new(pack_program(k)) : NULL;
    if (e)
        e->k = k;
    return e;
}

const hm_pack *evaluator_pack(const hm_evaluator *e) { return e->k; }
hm_compiler **evaluator_sources(hm_evaluator *e) { return &e->sources; }
void hm_evaluator_set_explain_deep(hm_evaluator *e, int deep) { e->explain_deep = deep != 0; }
int evaluator_explain_deep(const hm_evaluator *e) { return e->explain_deep; }

int rt_as_of(const char *as_of, int32_t *day)
{
    if (as_of)
        return rt_parse_date(as_of, day);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    *day = cal_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return 0;
}

static void drop_store(hm_evaluator *e)
{
    /* the texts are the household's, borrowed for one evaluation */
    e->f.texts = NULL;
    e->f.ntexts = e->f.captexts = 0;
    if (e->cap)
        facts_free(&e->f);
    e->cap = 0;
}

void hm_evaluator_free(hm_evaluator *e)
{
    if (!e)
        return;
    drop_store(e);
    hm_compiler_free(e->sources);
    vm_free(e->vm);
    mem_free(e->d);
    mem_free(e->miss);
    mem_free(e->text);
    mem_free(e->msg);
    mem_free(e);
}

/* ---- the texts of a result ---- */

static int reserve(hm_evaluator *e, size_t more)
{
    if (e->tlen + more + 1 <= e->tcap)
        return 0;
    size_t cap = e->tcap ? e->tcap : 1024;
    while (cap < e->tlen + more + 1)
        cap *= 2;
    char *t = mem_realloc(e->text, cap);
    if (!t) {
        e->oom = 1;
        return -1;
    }
    e->text = t;
    e->tcap = cap;
    return 0;
}

static void put(hm_evaluator *e, const char *s)
{
    size_t n = strlen(s);
    if (reserve(e, n) < 0)
        return;
    memcpy(e->text + e->tlen, s, n + 1);
    e->tlen += n;
}

/* The facts policy P read that are not known, as decision d's missing. */
static void missing(hm_evaluator *e, res_decision *d, const hm_policy *P)
{
    const hm_program *p = e->p;
    d->first_miss = e->nmiss;
    for (int32_t k = 0; k < P->nfacts; k++) {
        int32_t field = p->ints[P->first_fact + k];
        int st = facts_read_state(&e->f, P, &p->fields[field], 0, d->member);
        if (st == FACT_KNOWN)
            continue;
        if (e->nmiss == e->capmiss) {
            int32_t cap = e->capmiss ? e->capmiss * 2 : 64;
            res_missing *m = mem_realloc(e->miss, sizeof *m * (size_t)cap);
            if (!m) {
                e->oom = 1;
                return;
            }
            e->miss = m;
            e->capmiss = cap;
        }
        e->miss[e->nmiss++] = (res_missing){ field, st };
        d->nmiss++;
    }
}

/* "person.deceased (stale), household.assets", as facts_missing says it */
static void put_missing(hm_evaluator *e, const res_decision *d)
{
    static const char *why[] = { "", "", " (stale)", " (unusable value)", " (sources disagree)" };
    for (int32_t k = 0; k < d->nmiss; k++) {
        const res_missing *m = &e->miss[d->first_miss + k];
        if (k)
            put(e, ", ");
        put(e, prog_str(e->p, e->p->fields[m->field].name));
        put(e, m->state >= 0 && m->state <= 4 ? why[m->state] : "");
    }
}

/* A condition's message with its placeholders filled, whatever its length. */
static const char *fill(hm_evaluator *e, int32_t policy, int32_t member, const char *tmpl)
{
    size_t need = strlen(tmpl) + 256;
    for (;;) {
        if (e->msgcap < need) {
            char *m = mem_realloc(e->msg, need);
            if (!m) {
                e->oom = 1;
                return "";
            }
            e->msg = m;
            e->msgcap = need;
        }
        vm_fill_message(e->vm, policy, member, tmpl, e->msg, e->msgcap);
        if (strlen(e->msg) + 1 < e->msgcap)
            return e->msg;
        need = e->msgcap * 2;
    }
}

/* The reason of decision d (hd by the VM): what `huimin run` prints. */
static void reason(hm_evaluator *e, res_decision *d, const hm_decision *hd)
{
    const hm_program *p = e->p;
    const hm_policy *P = &p->policies[d->policy];
    size_t start = e->tlen;
    if (hd->status == DEC_NOT_ELIGIBLE && hd->failed_cond >= 0) {
        /* its message for "not met" when it has one */
        const hm_condnode *c = &p->conds[hd->failed_cond];
        put(e, fill(e, d->policy, d->member, prog_str(p, c->msg_else >= 0 ? c->msg_else : c->msg)));
    }
    else if (hd->status == DEC_NOT_ELIGIBLE && hd->excluded_by >= 0) {
        put(e, "excluded by ");
        put(e, prog_str(p, p->policies[hd->excluded_by].name));
    } else if (hd->status == DEC_UNDETERMINED && hd->error)
        put(e, vm_error(e->vm));
    else if (hd->status == DEC_UNDETERMINED) {
        missing(e, d, P);
        put(e, "missing: ");
        if (d->nmiss)
            put_missing(e, d);
        else
            put(e, "(a value the policy needs)");
    }
    if (hd->settled) {
        /* decided although facts are missing: say which did not matter */
        if (d->nmiss == 0)
            missing(e, d, P);
        if (e->tlen > start)
            put(e, "; ");
        put(e, "whatever the value of ");
        put_missing(e, d);
    }
    if (e->tlen > start) {
        d->reason = (int32_t)start;
        put(e, "");
        e->tlen++;      /* keep the NUL: the next text starts after it */
    }
}

static int ensure_store(hm_evaluator *e, int32_t n)
{
    if (n <= e->cap && e->cap)
        return 0;
    drop_store(e);
    int32_t cap = n < 8 ? 8 : n;
    if (facts_init(&e->f, e->p, 1, cap) < 0) {
        facts_free(&e->f);
        return -1;
    }
    e->cap = cap;
    return 0;
}

/* Append decision hd of policy i for member (-1: the household) and
 * claim (-1: none).  0, -1 out of memory. */
static int add(hm_evaluator *e, int32_t i, int32_t member, int32_t claim, const hm_decision *hd)
{
    if (e->nd == e->capd) {
        int32_t cap = e->capd ? e->capd * 2 : 64;
        res_decision *d = mem_realloc(e->d, sizeof *d * (size_t)cap);
        if (!d)
            return -1;
        e->d = d;
        e->capd = cap;
    }
    res_decision *d = &e->d[e->nd++];
    *d = (res_decision){ .policy = i, .member = member, .claim = claim, .status = hd->status,
                         .has_amount = hd->status == DEC_ELIGIBLE && hd->has_amount,
                         .amount = hd->has_amount ? hd->amount : 0, .reason = -1,
                         .first_miss = 0, .nmiss = 0 };
    if (!d->has_amount)
        d->amount = 0;
    reason(e, d, hd);
    return e->oom ? -1 : 0;
}

int evaluate_on(hm_evaluator *e, const hm_household *h, int32_t as_of, hm_result **out)
{
    const hm_program *p = e->p;
    *out = NULL;
    e->nd = e->nmiss = 0;
    e->tlen = 0;
    e->oom = 0;
    if (ensure_store(e, h->nmembers) < 0 || household_fill(h, &e->f, e->cap, as_of) < 0)
        return HM_ENOMEM;
    vm_bind(e->vm, &e->f, as_of);
    if (vm_begin_household(e->vm, 0) < 0)
        return HM_ENOMEM;
    for (int32_t i = 0; i < p->npolicies; i++) {
        const hm_policy *P = &p->policies[i];
        if (P->entity == ENT_CLAIM)
            continue;   /* after the others, as a population run stores them */
        int32_t n = P->entity == ENT_PERSON ? h->nmembers : 1;
        for (int32_t m = 0; m < n; m++) {
            int32_t member = P->entity == ENT_PERSON ? m : -1;
            if (add(e, i, member, -1, vm_decide(e->vm, i, member)) < 0)
                return HM_ENOMEM;
        }
    }
    /* each claim of each member, in the list's order: a claim's running
     * totals are those of the claims before it */
    for (int32_t m = 0; m < h->nmembers; m++)
        for (int32_t i = 0; i < p->npolicies; i++)
            if (p->policies[i].entity == ENT_CLAIM)
                for (int32_t c = 0; c < vm_claims(e->vm, i, m); c++)
                    if (add(e, i, m, c, vm_decide_claim(e->vm, i, m, c)) < 0)
                        return HM_ENOMEM;
    /* the member ids after the reasons */
    int32_t ids = h->nmembers;
    size_t idstart = e->tlen;
    for (int32_t m = 0; m < h->nmembers; m++)
        if (h->member_ids[m]) {
            put(e, h->member_ids[m]);
            e->tlen++;
        }
    if (e->oom || reserve(e, 0) < 0)
        return HM_ENOMEM;
    size_t size = sizeof(hm_result) + sizeof(res_decision) * (size_t)e->nd +
                  sizeof(res_missing) * (size_t)e->nmiss + sizeof(int32_t) * (size_t)ids + e->tlen + 1;
    hm_result *r = mem_alloc(size);
    if (!r)
        return HM_ENOMEM;
    r->p = p;
    cal_format(as_of, r->as_of);
    r->nmembers = h->nmembers;
    r->n = e->nd;
    r->d = (res_decision *)(r + 1);
    r->miss = (res_missing *)(r->d + e->nd);
    r->member_id = (int32_t *)(r->miss + e->nmiss);
    char *text = (char *)(r->member_id + ids);
    if (e->nd)
        memcpy(r->d, e->d, sizeof *r->d * (size_t)e->nd);
    if (e->nmiss)
        memcpy(r->miss, e->miss, sizeof *r->miss * (size_t)e->nmiss);
    size_t at = idstart;
    for (int32_t m = 0; m < h->nmembers; m++) {
        r->member_id[m] = h->member_ids[m] ? (int32_t)at : -1;
        if (h->member_ids[m])
            at += strlen(h->member_ids[m]) + 1;
    }
    if (e->tlen)
        memcpy(text, e->text, e->tlen);
    text[e->tlen] = '\0';
    r->text = text;
    *out = r;
    return HM_OK;
}

int hm_evaluate(hm_evaluator *e, const hm_household *h, const char *as_of, hm_result **out, char *err,
                size_t errlen)
{
    if (out)
        *out = NULL;
    if (!e || !h || !out) {
        snprintf(err, errlen, "no evaluator, household or result");
        return HM_EUSAGE;
    }
    if (h->p != e->p) {
        snprintf(err, errlen, "the household was made for another pack than the evaluator's");
        return HM_EUSAGE;
    }
    int32_t day;
    if (rt_as_of(as_of, &day) != 0) {
        snprintf(err, errlen, "as of \"%s\" is not a date written YYYY-MM-DD", as_of);
        return HM_EUSAGE;
    }
    int rc = evaluate_on(e, h, day, out);
    if (rc == HM_ENOMEM)
        snprintf(err, errlen, "out of memory");
    return rc;
}
