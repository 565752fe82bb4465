/* compare.c -- one household under a base pack and under a reformed one
 * (explain --diff): per policy the decision and amount before and after,
 * and what moved it: a parameter whose value the reform changed, a rule,
 * let or amount it replaced, a condition now met or no longer, an
 * exclusion.  Made from the two explanations, so it says what explain says
 * of each side. */
#include "package.h"
#include "i18n.h"
#include "people.h"
#include "bytecode.h"

#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

static int same(const json_t *a, const json_t *b)
{
    if (!a || json_is_null(a))
        return !b || json_is_null(b);
    return b && json_equal((json_t *)a, (json_t *)b);
}

/* the same decision of the other pack: same policy, member and claim */
static int same_decision(const json_t *a, const json_t *b)
{
    return !strcmp(doc_text(a, "policy"), doc_text(b, "policy")) && same(json_object_get(a, "member"), json_object_get(b, "member")) &&
           same(json_object_get(a, "claim"), json_object_get(b, "claim"));
}

/* Both explanations list the decisions in the same order (policies, then
 * members): the one after the last found is tried first, so a large
 * household is paired in linear time. */
static const json_t *find_decision(const json_t *doc, const json_t *d, size_t *hint)
{
    const json_t *arr = json_object_get(doc, "decisions");
    size_t n = json_array_size(arr);
    for (size_t k = 0; k < n; k++) {
        size_t i = (*hint + k) % n;
        const json_t *e = json_array_get(arr, i);
        if (same_decision(e, d)) {
            *hint = i + 1;
            return e;
        }
    }
    return NULL;
}

static json_t *side_of(const json_t *d, const hm_program *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", d ? doc_copy(d, "status") : json_string("absent"));
    json_object_set_new(o, "amount", doc_copy(d, "amount"));
    json_object_set_new(o, "period", d && doc_has(d, "amount")
                                         ? json_string(package_period_word(package_policy_period(p, doc_text(d, "policy"))))
                                         : json_null());
    return o;
}

static const char *change_of(const json_t *a, const json_t *b, const hm_program *pa, const hm_program *pb)
{
    if (!a)
        return "added";
    if (!b)
        return "removed";
    const char *sa = doc_text(a, "status"), *sb = doc_text(b, "status");
    if (strcmp(sa, sb) != 0) {
        if (!strcmp(sb, "eligible"))
            return !strcmp(sa, "undetermined") ? "from_undetermined" : "newly_eligible";
        if (!strcmp(sb, "undetermined"))
            return "to_undetermined";
        if (!strcmp(sa, "eligible"))
            return "no_longer_eligible";
        return !strcmp(sa, "undetermined") ? "from_undetermined" : "status_changed";
    }
    if (strcmp(sa, "eligible") != 0)
        return "unchanged";
    int64_t x = 0, y = 0;
    int ha = doc_has(a, "amount") && package_parse_fen(doc_text(a, "amount"), &x) == 0;
    int hb = doc_has(b, "amount") && package_parse_fen(doc_text(b, "amount"), &y) == 0;
    if (ha && hb && package_policy_period(pa, doc_text(a, "policy")) != package_policy_period(pb, doc_text(b, "policy")))
        return "period_changed";
    if (ha != hb)
        return "amount_changed";
    return x < y ? "paid_more" : x > y ? "paid_less" : "unchanged";
}

/* ---- parameters ---- */

static int same_param(const json_t *a, const json_t *b)
{
    return !strcmp(doc_text(a, "name"), doc_text(b, "name")) && same(json_object_get(a, "key"), json_object_get(b, "key")) &&
           same(json_object_get(a, "as_of"), json_object_get(b, "as_of"));
}

static const json_t *find_in(const json_t *arr, const json_t *x, int (*eq)(const json_t *, const json_t *))
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
        if (eq(e, x))
            return e;
    return NULL;
}

static json_t *param_change(const json_t *a, const json_t *b)
{
    const json_t *x = a ? a : b;
    json_t *o = json_object();
    json_object_set_new(o, "name", doc_copy(x, "name"));
    json_object_set_new(o, "label", doc_copy(x, "label"));
    if (json_object_get(x, "key"))
        json_object_set_new(o, "key", doc_copy(x, "key"));
    json_object_set_new(o, "before", doc_copy(a, "value"));
    json_object_set_new(o, "after", doc_copy(b, "value"));
    json_object_set_new(o, "from_before", doc_copy(a, "from"));
    json_object_set_new(o, "from_after", doc_copy(b, "from"));
    json_object_set_new(o, "file", doc_copy(b ? b : a, "file"));
    json_object_set_new(o, "line", doc_copy(b ? b : a, "line"));
    json_object_set_new(o, "change", json_string(!a ? "added" : !b ? "removed" : "value"));
    return o;
}

static json_t *params_diff(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    const json_t *pa = json_object_get(a, "parameters"), *pb = json_object_get(b, "parameters");
    size_t i;
    json_t *e;
    json_array_foreach(pa, i, e) {
        const json_t *f = find_in(pb, e, same_param);
        if (!f || !same(json_object_get(e, "value"), json_object_get(f, "value")) ||
            !same(json_object_get(e, "from"), json_object_get(f, "from")))
            json_array_append_new(out, param_change(e, f));
    }
    json_array_foreach(pb, i, e)
        if (!find_in(pa, e, same_param))
            json_array_append_new(out, param_change(NULL, e));
    return out;
}

/* ---- conditions: the leaves of both trees, paired by their text ---- */

static void leaves(const json_t *n, json_t *out)
{
    if (!n || json_is_null(n))
        return;
    if (!strcmp(doc_text(n, "kind"), "condition")) {
        json_array_append(out, (json_t *)n);
        return;
    }
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(n, "children"), i, c)
        leaves(c, out);
}

static json_t *cond_change(const json_t *a, const json_t *b, const char *change)
{
    const json_t *x = b ? b : a;
    json_t *o = json_object();
    json_object_set_new(o, "expr", doc_copy(x, "expr"));
    json_object_set_new(o, "file", doc_copy(x, "file"));
    json_object_set_new(o, "line", doc_copy(x, "line"));
    json_object_set_new(o, "change", json_string(change));
    json_object_set_new(o, "before", doc_copy(a, "result"));
    json_object_set_new(o, "after", doc_copy(b, "result"));
    json_object_set_new(o, "values_before", a ? doc_copy(a, "values") : json_array());
    json_object_set_new(o, "values_after", b ? doc_copy(b, "values") : json_array());
    json_object_set_new(o, "message", doc_copy(x, "message"));
    return o;
}

static json_t *conds_diff(const json_t *a, const json_t *b)
{
    json_t *la = json_array(), *lb = json_array(), *out = json_array();
    leaves(json_object_get(a, "applies_when"), la);
    leaves(json_object_get(a, "conditions"), la);
    leaves(json_object_get(b, "applies_when"), lb);
    leaves(json_object_get(b, "conditions"), lb);
    size_t nb = json_array_size(lb), i;
    char *used = nb ? calloc(nb, 1) : NULL;
    json_t *e;
    json_array_foreach(la, i, e) {
        const json_t *f = NULL;
        for (size_t k = 0; k < nb && !f; k++)
            if (used && !used[k] && !strcmp(doc_text(e, "expr"), doc_text(json_array_get(lb, k), "expr"))) {
                used[k] = 1;
                f = json_array_get(lb, k);
            }
        if (!f)
            json_array_append_new(out, cond_change(e, NULL, "removed"));
        else if (!same(json_object_get(e, "result"), json_object_get(f, "result")))
            json_array_append_new(out, cond_change(e, f, "result"));
        else if (!same(json_object_get(e, "values"), json_object_get(f, "values")))
            json_array_append_new(out, cond_change(e, f, "values"));
    }
    for (size_t k = 0; k < nb; k++)
        if (!used || !used[k])
            json_array_append_new(out, cond_change(NULL, json_array_get(lb, k), "added"));
    free(used);
    json_decref(la);
    json_decref(lb);
    return out;
}

/* ---- lets and the amount ---- */

/* a and b derive the same let or amount before and after (either may be
 * null: not computed); home is the file of the policy after: a
 * derivation written elsewhere was replaced by the reform */
static json_t *deriv_change(const json_t *a, const json_t *b, const char *name, const char *home)
{
    if (a && json_is_null(a))
        a = NULL;
    if (b && json_is_null(b))
        b = NULL;
    if (!a && !b)
        return NULL;
    int replaced = !same(json_object_get(a, "expr"), json_object_get(b, "expr")) ||
                   !same(json_object_get(a, "file"), json_object_get(b, "file"));
    if (!replaced && same(json_object_get(a, "value"), json_object_get(b, "value")))
        return NULL;
    const char *ch = a && b ? (replaced ? "replaced" : "value")
                   : b && strcmp(doc_text(b, "file"), home) != 0 ? "replaced" : !a ? "added" : "removed";
    json_t *o = json_object();
    if (name)
        json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "change", json_string(ch));
    json_object_set_new(o, "expr_before", doc_copy(a, "expr"));
    json_object_set_new(o, "expr_after", doc_copy(b, "expr"));
    json_object_set_new(o, "before", doc_copy(a, "value"));
    json_object_set_new(o, "after", doc_copy(b, "value"));
    json_object_set_new(o, "file", doc_copy(b ? b : a, "file"));
    json_object_set_new(o, "line", doc_copy(b ? b : a, "line"));
    return o;
}

static int same_name(const json_t *a, const json_t *b) { return !strcmp(doc_text(a, "name"), doc_text(b, "name")); }

static json_t *lets_diff(const json_t *a, const json_t *b)
{
    const char *home = doc_text(b, "file");
    json_t *out = json_array();
    const json_t *la = json_object_get(a, "lets"), *lb = json_object_get(b, "lets");
    size_t i;
    json_t *e, *c;
    json_array_foreach(la, i, e)
        if ((c = deriv_change(e, find_in(lb, e, same_name), doc_text(e, "name"), home)))
            json_array_append_new(out, c);
    json_array_foreach(lb, i, e)
        if (!find_in(la, e, same_name) && (c = deriv_change(NULL, e, doc_text(e, "name"), home)))
            json_array_append_new(out, c);
    return out;
}

static json_t *exclusions_diff(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(b, "excluded_by"), i, e) {
        const json_t *f = find_in(json_object_get(a, "excluded_by"), e, same_name);
        int was = f && json_is_true(json_object_get(f, "decided")), now = json_is_true(json_object_get(e, "decided"));
        if (was == now)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "policy", doc_copy(e, "policy"));
        json_object_set_new(o, "before", json_boolean(was));
        json_object_set_new(o, "after", json_boolean(now));
        json_array_append_new(out, o);
    }
    return out;
}

/* the facts the reformed decision lacks, when it became undetermined */
static json_t *missing_after(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    if (!a || !b || strcmp(doc_text(b, "status"), "undetermined") != 0 || !strcmp(doc_text(a, "status"), "undetermined"))
        return out;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(json_object_get(b, "undetermined"), "unknown_facts"), i, f) {
        json_t *o = json_object();
        json_object_set_new(o, "fact", doc_copy(f, "fact"));
        json_object_set_new(o, "member", doc_copy(f, "member"));
        json_object_set_new(o, "member_id", doc_copy(f, "member_id"));
        json_object_set_new(o, "state", doc_copy(f, "state"));
        json_object_set_new(o, "source", doc_copy(f, "source"));
        json_array_append_new(out, o);
    }
    return out;
}

/* ---- why, in sentences ---- */

static int rule_replaced(const json_t *conds)
{
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c)
        if (!strcmp(doc_text(c, "change"), "added") || !strcmp(doc_text(c, "change"), "removed"))
            return 1;
    return 0;
}

/* why_of builds its sentences for the document (tr 0: English, as the
 * schema says) and again for the text (tr 1: the reader's words) */
static const char *result_word(const json_t *o, const char *key, int tr)
{
    const char *r = doc_text(o, key);
    return !strcmp(r, "met") ? hm_tr_if(tr, "met") : !strcmp(r, "not_met") ? hm_tr_if(tr, "not met")
                                                   : hm_tr_if(tr, "unknown");
}

static const char *val(const json_t *o, const char *key, int tr)
{
    if (!doc_has(o, key))
        return hm_tr_if(tr, "unknown");
    return tr ? people_word(doc_text(o, key)) : doc_text(o, key);
}

/* one sentence of why, msgid in the reader's words when tr */
static void why_add(json_t *why, int tr, const char *msgid, ...)
{
    va_list ap;
    va_start(ap, msgid);
    json_array_append_new(why, json_vsprintf(hm_tr_if(tr, msgid), ap));
    va_end(ap);
}

static json_t *why_of(const json_t *e, int tr)
{
    json_t *why = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(e, "parameters"), i, c) {
        const char *pc = doc_text(c, "change");
        if (!strcmp(pc, "added"))
            why_add(why, tr, "parameter %s = %s, added by the reform", doc_text(c, "name"), val(c, "after", tr));
        else if (!strcmp(pc, "removed"))
            why_add(why, tr, "parameter %s = %s no longer read", doc_text(c, "name"), val(c, "before", tr));
        else if (doc_has(c, "from_after") && !same(json_object_get(c, "from_before"), json_object_get(c, "from_after")))
            why_add(why, tr, "parameter %s changed by the reform: %s → %s (from %s)", doc_text(c, "name"),
                    val(c, "before", tr), val(c, "after", tr), doc_text(c, "from_after"));
        else
            why_add(why, tr, "parameter %s changed by the reform: %s → %s", doc_text(c, "name"), val(c, "before", tr),
                    val(c, "after", tr));
    }
    const json_t *conds = json_object_get(e, "conditions");
    const char *ch = doc_text(e, "change");
    if (!strcmp(ch, "added") || !strcmp(ch, "removed")) {
        if (!strcmp(ch, "added"))
            why_add(why, tr, "a policy the reform adds");
        else
            why_add(why, tr, "a policy the reform removes");
        return why;
    }
    if (rule_replaced(conds)) {
        const char *file = "";
        long long line = 0;
        json_array_foreach(conds, i, c)
            if (!strcmp(doc_text(c, "change"), "added")) {
                file = doc_text(c, "file");
                line = json_integer_value(json_object_get(c, "line"));
                break;
            }
        if (*file)
            why_add(why, tr, "the eligibility rule was replaced [%s:%lld]", file, line);
        else
            why_add(why, tr, "the eligibility rule was replaced");
    }
    json_array_foreach(json_object_get(e, "lets"), i, c) {
        const char *lc = doc_text(c, "change");
        long long line = (long long)json_integer_value(json_object_get(c, "line"));
        if (!strcmp(lc, "replaced") && doc_has(c, "expr_before"))
            why_add(why, tr, "let %s replaced: %s = %s [%s:%lld], was %s = %s", doc_text(c, "name"), doc_text(c, "expr_after"),
                    val(c, "after", tr), doc_text(c, "file"), line, doc_text(c, "expr_before"), val(c, "before", tr));
        else if (!strcmp(lc, "replaced"))
            why_add(why, tr, "let %s replaced by the reform: %s = %s [%s:%lld]", doc_text(c, "name"),
                    doc_text(c, "expr_after"), val(c, "after", tr), doc_text(c, "file"), line);
        else if (!strcmp(lc, "value"))
            why_add(why, tr, "let %s: %s → %s", doc_text(c, "name"), val(c, "before", tr), val(c, "after", tr));
    }
    const json_t *am = json_object_get(e, "amount");
    if (am && !json_is_null(am)) {
        long long line = (long long)json_integer_value(json_object_get(am, "line"));
        if (!strcmp(doc_text(am, "change"), "replaced") && doc_has(am, "expr_before"))
            why_add(why, tr, "amount replaced: %s = %s [%s:%lld], was %s = %s", doc_text(am, "expr_after"),
                    val(am, "after", tr), doc_text(am, "file"), line, doc_text(am, "expr_before"), val(am, "before", tr));
        else if (!strcmp(doc_text(am, "change"), "replaced"))
            why_add(why, tr, "amount replaced by the reform: %s = %s [%s:%lld]", doc_text(am, "expr_after"),
                    val(am, "after", tr), doc_text(am, "file"), line);
        else if (doc_has(am, "expr_before") && doc_has(am, "expr_after"))
            why_add(why, tr, "amount %s: %s → %s", doc_text(am, "expr_after"), val(am, "before", tr), val(am, "after", tr));
    }
    json_array_foreach(conds, i, c)
        if (!strcmp(doc_text(c, "change"), "result"))
            why_add(why, tr, "condition %s: %s → %s", doc_text(c, "expr"), result_word(c, "before", tr),
                    result_word(c, "after", tr));
    json_array_foreach(json_object_get(e, "missing"), i, c) {
        const char *state = tr ? people_state(doc_text(c, "state")) : doc_text(c, "state");
        if (doc_has(c, "member"))
            why_add(why, tr, "undetermined: %s of member %lld is %s", doc_text(c, "fact"),
                    (long long)json_integer_value(json_object_get(c, "member")), state);
        else
            why_add(why, tr, "undetermined: %s is %s", doc_text(c, "fact"), state);
    }
    json_array_foreach(json_object_get(e, "exclusions"), i, c) {
        if (json_is_true(json_object_get(c, "after")))
            why_add(why, tr, "now excluded by %s", doc_text(c, "policy"));
        else
            why_add(why, tr, "no longer excluded by %s", doc_text(c, "policy"));
    }
    return why;
}

static json_t *pair(const json_t *a, const hm_program *pa, const json_t *b, const hm_program *pb)
{
    const json_t *x = a ? a : b;
    json_t *o = json_object();
    json_object_set_new(o, "policy", doc_copy(x, "policy"));
    json_object_set_new(o, "label", doc_copy(x, "label"));
    json_object_set_new(o, "entity", doc_copy(x, "entity"));
    json_object_set_new(o, "member", doc_copy(x, "member"));
    json_object_set_new(o, "member_id", doc_copy(x, "member_id"));
    if (doc_has(x, "claim"))
        json_object_set_new(o, "claim", doc_copy(x, "claim"));
    json_object_set_new(o, "change", json_string(change_of(a, b, pa, pb)));
    json_object_set_new(o, "before", side_of(a, pa));
    json_object_set_new(o, "after", side_of(b, pb));
    json_t *empty = json_object();
    const json_t *ea = a ? a : empty, *eb = b ? b : empty;
    json_object_set_new(o, "parameters", params_diff(ea, eb));
    json_object_set_new(o, "conditions", conds_diff(ea, eb));
    json_object_set_new(o, "lets", lets_diff(ea, eb));
    json_t *am = deriv_change(json_object_get(ea, "amount_derivation"), json_object_get(eb, "amount_derivation"), NULL,
                              doc_text(eb, "file"));
    json_object_set_new(o, "amount", am ? am : json_null());
    json_object_set_new(o, "exclusions", exclusions_diff(ea, eb));
    json_object_set_new(o, "missing", missing_after(a, b));
    json_decref(empty);
    json_object_set_new(o, "why", why_of(o, 0));
    return o;
}

/* the totals of the eligible amounts of doc, per period (fen; wide: beyond
 * what can be represented) */
static void totals(const json_t *doc, const hm_program *p, int64_t sum[3], int wide[3], int count[3])
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(doc, "decisions"), i, d) {
        int64_t fen;
        if (strcmp(doc_text(d, "status"), "eligible") != 0 || !doc_has(d, "amount") || package_parse_fen(doc_text(d, "amount"), &fen))
            continue;
        int per = package_policy_period(p, doc_text(d, "policy"));
        count[per]++;
        wide[per] |= __builtin_add_overflow(sum[per], fen, &sum[per]);
    }
}

static json_t *money_or_null(int64_t fen, int wide)
{
    char b[32];
    package_fen_text(fen, b);
    return wide ? json_null() : json_string(b);
}

json_t *explain_diff(const json_t *a, const hm_program *pa, const char *base_name, const json_t *b,
                     const hm_program *pb, const char *reform_name, const char *const *sets, int nsets)
{
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string(EXPLAIN_DIFF_SCHEMA));
    json_object_set_new(o, "as_of", doc_copy(a, "as_of"));
    json_object_set_new(o, "household", doc_copy(a, "household"));
    json_t *base = json_object(), *ref = json_object(), *sj = json_array();
    json_object_set_new(base, "pack", json_string(base_name));
    json_object_set_new(base, "reform", package_reform_json(pa));
    json_object_set_new(ref, "pack", json_string(reform_name));
    json_object_set_new(ref, "reform", package_reform_json(pb));
    for (int i = 0; i < nsets; i++)
        if (!strncmp(sets[i], "parameter.", 10))
            json_array_append_new(sj, json_string(sets[i]));
    json_object_set_new(ref, "sets", sj);
    json_object_set_new(o, "base", base);
    json_object_set_new(o, "reformed", ref);
    json_t *pols = json_array();
    size_t i;
    json_t *d;
    size_t ha = 0, hb = 0;
    json_array_foreach(json_object_get(a, "decisions"), i, d)
        json_array_append_new(pols, pair(d, pa, find_decision(b, d, &hb), pb));
    json_array_foreach(json_object_get(b, "decisions"), i, d)
        if (!find_decision(a, d, &ha))
            json_array_append_new(pols, pair(NULL, pa, d, pb));
    json_object_set_new(o, "policies", pols);
    /* per period, never a monthly amount added to a yearly one */
    int64_t sa[3] = { 0 }, sb[3] = { 0 };
    int wa[3] = { 0 }, wb[3] = { 0 }, ca[3] = { 0 }, cb[3] = { 0 };
    totals(a, pa, sa, wa, ca);
    totals(b, pb, sb, wb, cb);
    json_t *tot = json_array();
    static const int order[3] = { PERIOD_PER_MONTH, PERIOD_PER_YEAR, PERIOD_ONCE };
    for (int k = 0; k < 3; k++) {
        int per = order[k];
        if (!ca[per] && !cb[per])
            continue;
        int64_t ch;
        int wc = wa[per] || wb[per] || __builtin_sub_overflow(sb[per], sa[per], &ch);
        json_t *t = json_object();
        json_object_set_new(t, "period", json_string(package_period_word(per)));
        json_object_set_new(t, "before", money_or_null(sa[per], wa[per]));
        json_object_set_new(t, "after", money_or_null(sb[per], wb[per]));
        json_object_set_new(t, "change", money_or_null(wc ? 0 : ch, wc));
        json_array_append_new(tot, t);
    }
    json_object_set_new(o, "totals", tot);
    return o;
}

/* ---- text ---- */

static const char *status_text(const char *s)
{
    return !strcmp(s, "eligible") ? hm_tr("ELIGIBLE") : !strcmp(s, "not_eligible") ? hm_tr("NOT ELIGIBLE")
         : !strcmp(s, "not_applicable") ? hm_tr("NOT APPLICABLE") : !strcmp(s, "absent") ? hm_tr("(no such policy)")
         : hm_tr("UNDETERMINED");
}

/* a decision's change, "paid_more", in words: "paid more" */
static const char *change_text(const char *ch)
{
    static const char *const words[][2] = {
        { "added", N_("added") }, { "removed", N_("removed") }, { "from_undetermined", N_("from undetermined") },
        { "newly_eligible", N_("newly eligible") }, { "to_undetermined", N_("to undetermined") },
        { "no_longer_eligible", N_("no longer eligible") }, { "status_changed", N_("status changed") },
        { "period_changed", N_("period changed") }, { "amount_changed", N_("amount changed") },
        { "paid_more", N_("paid more") }, { "paid_less", N_("paid less") }, { "unchanged", N_("unchanged") },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(ch, words[i][0]))
            return hm_tr(words[i][1]);
    return ch;
}

static void print_side(FILE *out, const json_t *s)
{
    fputs(status_text(doc_text(s, "status")), out);
    if (doc_has(s, "amount"))
        fprintf(out, " %s%s%s", doc_text(s, "amount"), doc_has(s, "period") ? " " : "",
                doc_has(s, "period") ? package_per_text(doc_text(s, "period")) : "");
}

static void print_values(FILE *out, const json_t *vals)
{
    size_t i;
    json_t *v;
    json_array_foreach(vals, i, v)
        fprintf(out, "%s%s = %s", i ? hm_tr(", ") : "", doc_text(v, "expr"),
                doc_has(v, "value") ? people_word(doc_text(v, "value")) : hm_tr("unknown"));
}

static const char *mark(const char *r)
{
    return !strcmp(r, "met") ? "✓" : !strcmp(r, "not_met") ? "✗" : "?";
}

void explain_print_diff(const json_t *diff, FILE *out)
{
    package_print_head(out, diff);
    const json_t *base = json_object_get(diff, "base"), *ref = json_object_get(diff, "reformed");
    fprintf(out, hm_tr("base: %s\n"), doc_text(base, "pack"));
    package_print_reform(out, REFORM_OF_BASE, json_object_get(base, "reform"));
    fprintf(out, hm_tr("reformed: %s\n"), doc_text(ref, "pack"));
    package_print_reform(out, REFORM_OF_REFORMED, json_object_get(ref, "reform"));
    size_t i, k;
    json_t *o, *c;
    json_array_foreach(json_object_get(ref, "sets"), i, o)
        fprintf(out, "  --set %s\n", json_string_value(o));
    json_t *same_list = json_array();
    json_array_foreach(json_object_get(diff, "policies"), i, o) {
        const char *ch = doc_text(o, "change");
        int quiet = !strcmp(ch, "unchanged") && !json_array_size(json_object_get(o, "why"));
        if (quiet) {
            json_array_append(same_list, o);
            continue;
        }
        fputc('\n', out);
        package_print_who(out, o);
        fputs(hm_tr(": "), out);
        print_side(out, json_object_get(o, "before"));
        fputs(" → ", out);
        print_side(out, json_object_get(o, "after"));
        fprintf(out, hm_tr("  (%s)\n"), change_text(ch));
        json_t *why = why_of(o, 1);
        if (json_array_size(why)) {
            fputs(hm_tr("  why:\n"), out);
            json_array_foreach(why, k, c)
                fprintf(out, "    %s\n", json_string_value(c));
        }
        json_decref(why);
        const json_t *conds = json_object_get(o, "conditions");
        if (json_array_size(conds)) {
            fputs(hm_tr("  conditions:\n"), out);
            json_array_foreach(conds, k, c) {
                const char *cc = doc_text(c, "change");
                if (!strcmp(cc, "added"))
                    fprintf(out, "    + %s %s", mark(doc_text(c, "after")), doc_text(c, "expr"));
                else if (!strcmp(cc, "removed"))
                    fprintf(out, "    - %s %s", mark(doc_text(c, "before")), doc_text(c, "expr"));
                else
                    fprintf(out, "    %s → %s %s", mark(doc_text(c, "before")), mark(doc_text(c, "after")), doc_text(c, "expr"));
                fprintf(out, "  [%s:%lld]\n", doc_text(c, "file"), (long long)json_integer_value(json_object_get(c, "line")));
                const json_t *vb = json_object_get(c, "values_before"), *va = json_object_get(c, "values_after");
                if (json_array_size(vb) && strcmp(cc, "added") != 0) {
                    fputs(strcmp(cc, "removed") ? hm_tr("        before: ") : "        ", out);
                    print_values(out, vb);
                    fputc('\n', out);
                }
                if (json_array_size(va) && strcmp(cc, "removed") != 0) {
                    fputs(strcmp(cc, "added") ? hm_tr("        after:  ") : "        ", out);
                    print_values(out, va);
                    fputc('\n', out);
                }
            }
        }
    }
    if (json_array_size(same_list)) {
        fputs(hm_tr("\nunchanged:"), out);
        json_array_foreach(same_list, i, o) {
            fputs(i ? hm_tr(";\n  ") : "\n  ", out);
            package_print_who(out, o);
            fputs(hm_tr(": "), out);
            print_side(out, json_object_get(o, "after"));
        }
        fputc('\n', out);
    }
    json_decref(same_list);
    const json_t *tot = json_object_get(diff, "totals");
    if (json_array_size(tot)) {
        fputs(hm_tr("\ntotals:\n"), out);
        json_array_foreach(tot, i, o) {
            const char *ch = doc_has(o, "change") ? doc_text(o, "change") : hm_tr("beyond what can be represented");
            fprintf(out, hm_tr("  %s: %s → %s (%s%s)\n"), package_per_text(doc_text(o, "period")),
                    val(o, "before", 1), val(o, "after", 1),
                    *ch != '-' && doc_has(o, "change") ? "+" : "", ch);
        }
    }
}
