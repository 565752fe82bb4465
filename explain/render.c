/* render.c -- an explanation (explain.c's JSON document) as text.
 *
 * For reviewers: every decision with the condition tree, the values each
 * condition compared, the lets and the members their aggregates counted,
 * the facts with sources and dates, the parameters with the dated value
 * that applied.  For citizens: the decision and the drafters' messages
 * only, with no code and no internal names. */
#include "explain.h"
#include "i18n.h"
#include "package.h"
#include "people.h"
#include "mask.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

/* a document's members: its text ("" when absent), whether it is given (package.h) */
#define S doc_text
#define has doc_has

static void indent(FILE *out, int n)
{
    for (int i = 0; i < n; i++)
        fputc(' ', out);
}

static const char *status_text(const char *s)
{
    return !strcmp(s, "eligible") ? hm_tr("ELIGIBLE") : !strcmp(s, "not_eligible") ? hm_tr("NOT ELIGIBLE")
         : !strcmp(s, "not_applicable") ? hm_tr("NOT APPLICABLE") : hm_tr("UNDETERMINED");
}

static const char *mark(const char *result)
{
    return !strcmp(result, "met") ? "✓" : !strcmp(result, "not_met") ? "✗" : "?";
}

static void where(FILE *out, const json_t *o)
{
    if (has(o, "file"))
        fprintf(out, "  [%s:%lld]", S(o, "file"), (long long)json_integer_value(json_object_get(o, "line")));
}

static void print_value(FILE *out, const json_t *o)
{
    json_t *v = json_object_get(o, "value");
    if (json_is_string(v))
        people_print_value(out, o, EX_REVIEWER);
    else if (has(o, "unknown"))
        fprintf(out, "%s", hm_tr(S(o, "unknown")));
    else
        fputs(hm_tr("unknown"), out);
}

static void print_values(FILE *out, const json_t *vals, int ind)
{
    if (!json_array_size(vals))
        return;
    indent(out, ind);
    size_t i;
    json_t *v;
    json_array_foreach(vals, i, v) {
        fprintf(out, "%s%s = ", i ? hm_tr(", ") : "", has(v, "label") ? S(v, "label") : S(v, "expr"));
        print_value(out, v);
    }
    fputc('\n', out);
}

/* a record of a list of records: "record 2 {kind 小型汽车, value ?}" */
static void print_record(FILE *out, const json_t *o)
{
    fprintf(out, hm_tr("record %lld {"), (long long)json_integer_value(json_object_get(o, "record")));
    const char *k;
    json_t *v;
    int first = 1;
    json_object_foreach((json_t *)json_object_get(o, "fields"), k, v) {
        fprintf(out, "%s%s %s", first ? "" : ", ", k, json_is_string(v) ? json_string_value(v) : "?");
        first = 0;
    }
    fputc('}', out);
}

static void print_member(FILE *out, const json_t *o)
{
    if (json_object_get(o, "record")) {
        print_record(out, o);
        return;
    }
    people_print_member(out, o);
    if (has(o, "claim"))
        fprintf(out, hm_tr(", claim %lld"), (long long)json_integer_value(json_object_get(o, "claim")));
}

static void print_derivation(FILE *out, const json_t *d, int ind);

/* Policy P's decision ("eligible" …) for a member, in the chosen language. */
static const char *decision_format(const char *st)
{
    return hm_tr(!strcmp(st, "eligible")         ? N_("%s: eligible")
                 : !strcmp(st, "not_eligible")   ? N_("%s: not eligible")
                 : !strcmp(st, "not_applicable") ? N_("%s: not applicable")
                                                 : N_("%s: undetermined"));
}

static void print_aggregates(FILE *out, const json_t *aggs, const char *whole, int ind)
{
    size_t i, j;
    json_t *a, *el;
    json_array_foreach(aggs, i, a) {
        /* an aggregate that is the whole expression has its value shown already */
        if (strcmp(S(a, "expr"), whole) != 0) {
            indent(out, ind);
            fprintf(out, "%s = ", S(a, "expr"));
            print_value(out, a);
            fputc('\n', out);
        }
        json_array_foreach(json_object_get(a, "elements"), j, el) {
            indent(out, ind + 2);
            print_member(out, el);
            json_t *kept = json_object_get(el, "kept");
            if (json_is_false(kept))
                fputs(hm_tr(": left out"), out);
            else if (json_is_true(kept))
                fputs(json_object_get(el, "value") ? hm_tr(": ") : hm_tr(": counted"), out);
            else if (kept && json_is_null(kept))
                fputs(hm_tr(": unknown whether it counts"), out);
            else
                fputs(hm_tr(": "), out);
            if (json_object_get(el, "value") && !json_is_false(kept))
                fputs(has(el, "value") ? people_word(S(el, "value")) : hm_tr("unknown"), out);
            json_t *because = json_object_get(el, "because");
            json_t *decisions = json_object_get(el, "decisions");
            if (json_array_size(because) || json_array_size(decisions)) {
                fputs(hm_tr(" ("), out);
                size_t k;
                json_t *b;
                json_array_foreach(decisions, k, b) {
                    fputs(k ? hm_tr(", ") : "", out);
                    fprintf(out, decision_format(S(b, "status")), S(b, "policy"));
                }
                json_array_foreach(because, k, b) {
                    fprintf(out, "%s%s = ", k || json_array_size(decisions) ? hm_tr(", ") : "",
                            has(b, "label") ? S(b, "label") : S(b, "expr"));
                    print_value(out, b);
                }
                fputs(hm_tr(")"), out);
            }
            fputc('\n', out);
        }
    }
}

/* scale 税率表: 120000.00 in band 2 (36000.00 to 144000.00), rate 10%,
 * quick deduction 2520.00: 120000.00 × 10% − 2520.00 = 9480.00 */
static void print_scales(FILE *out, const json_t *scales, int ind)
{
    size_t i;
    json_t *s;
    json_array_foreach(scales, i, s) {
        indent(out, ind);
        fprintf(out, hm_tr("scale %s"), S(s, "scale"));
        if (has(s, "unknown")) {
            fprintf(out, ": %s (%s)\n", S(s, "unknown"), S(s, "why"));
            continue;
        }
        long long band = (long long)json_integer_value(json_object_get(s, "band"));
        fprintf(out, hm_tr(": %s in band %lld ("), S(s, "amount"), band);
        if (band > 1)
            fprintf(out, hm_tr("over %s%s"), S(s, "lower"), has(s, "upper") ? " " : "");
        if (has(s, "upper"))
            fprintf(out, hm_tr("up to %s"), S(s, "upper"));
        if (has(s, "from"))
            fprintf(out, hm_tr("; rows from %s"), S(s, "from"));
        fprintf(out, hm_tr("), rate %s"), S(s, "rate"));
        if (has(s, "rate_parameter"))
            fprintf(out, " (%s)", S(s, "rate_parameter"));
        fprintf(out, hm_tr(", quick deduction %s: %s\n"), S(s, "quick"), S(s, "computation"));
    }
}

/* sum(P.amount over …): the months, grouped by equal outcome */
static void print_months(FILE *out, const json_t *sums, int ind)
{
    size_t i, j;
    json_t *o, *m;
    json_array_foreach(sums, i, o) {
        indent(out, ind);
        fprintf(out, hm_tr("%s, month by month:\n"), S(o, "expr"));
        json_array_foreach(json_object_get(o, "months"), j, m) {
            indent(out, ind + 2);
            if (strcmp(S(m, "from"), S(m, "to")))
                fprintf(out, hm_tr("%s to %s (%lld months): "), S(m, "from"), S(m, "to"),
                        (long long)json_integer_value(json_object_get(m, "months")));
            else
                fprintf(out, "%s: ", S(m, "from"));
            const char *st = S(m, "status");
            if (!strcmp(st, "eligible"))
                fprintf(out, "%s %s\n", S(o, "policy"), has(m, "amount") ? S(m, "amount") : "?");
            else if (!strcmp(st, "undetermined"))
                fprintf(out, hm_tr("%s undetermined\n"), S(o, "policy"));
            else
                fprintf(out, hm_tr("0 (%s %s)\n"), S(o, "policy"),
                        !strcmp(st, "not_applicable") ? hm_tr("not applicable") : hm_tr("not eligible"));
        }
    }
}

/* A function of the standard library: its result and what it gives. */
static void print_library_call(FILE *out, const json_t *c)
{
    fprintf(out, "%s = ", S(c, "expr"));
    print_value(out, c);
    fprintf(out, "   (%s", S(c, "library"));
    if (has(c, "doc"))
        fprintf(out, ": %s", S(c, "doc"));
    fputs(")\n", out);
}

/* the reasons would_receive gives, for the catalog */
static const char *const would_reasons[] __attribute__((unused)) = {
    N_("the condition does not compare a fact with a limit"),
    N_("another condition would still not be met"),
    N_("the decision would be undetermined"),
};

/* A refusal: what the household would receive were the decisive
 * condition met (would_receive), for a reviewer. */
static void print_would_receive(FILE *out, const json_t *w)
{
    if (!w || json_is_null(w))
        return;
    const char *per = S(w, "period");
    if (has(w, "amount"))
        fprintf(out, hm_tr(!strcmp(per, "month")  ? N_("  if it were met: %s per month (%s at %s)\n")
                           : !strcmp(per, "year") ? N_("  if it were met: %s per year (%s at %s)\n")
                                                  : N_("  if it were met: %s once (%s at %s)\n")),
                S(w, "amount"), S(w, "fact"), S(w, "value"));
    else
        fprintf(out, hm_tr(N_("  if it were met: the amount is undetermined (%s)\n")), hm_tr(S(w, "undetermined")));
}

/* The same for the person concerned, in the words of the rest of that text. */
static void print_would_receive_citizen(FILE *out, const json_t *w)
{
    if (!w || json_is_null(w) || !has(w, "amount"))
        return;
    const char *per = S(w, "period");
    fprintf(out, hm_tr(!strcmp(per, "month")  ? N_("    · Were it met: %s a month.\n")
                       : !strcmp(per, "year") ? N_("    · Were it met: %s a year.\n")
                                              : N_("    · Were it met: %s once.\n")),
            S(w, "amount"));
}

static void print_derivation(FILE *out, const json_t *d, int ind)
{
    print_values(out, json_object_get(d, "values"), ind);
    print_scales(out, json_object_get(d, "scales"), ind);
    print_aggregates(out, json_object_get(d, "aggregates"), S(d, "expr"), ind);
    print_months(out, json_object_get(d, "months"), ind);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(d, "calls"), i, c) {
        indent(out, ind);
        if (has(c, "library")) {
            print_library_call(out, c);
            continue;
        }
        fprintf(out, "%s: %s = ", S(c, "function"), S(c, "expr"));
        print_value(out, c);
        where(out, c);
        if (has(c, "same_as")) {
            /* the same call shown before: not again */
            fputs(hm_tr("  (derived above)\n"), out);
            continue;
        }
        fputc('\n', out);
        print_derivation(out, c, ind + 2);
    }
}

/* A per-person figure against its limit: the margin per person and for
 * them all (flip.per_person). */
static void print_per_person(FILE *out, const json_t *flip, int ind)
{
    json_t *pp = json_object_get(flip, "per_person");
    if (!pp || json_is_null(pp))
        return;
    indent(out, ind);
    int over = !strcmp(S(pp, "direction"), "over");
    fprintf(out, hm_tr(over ? N_("%s %s against %s: %s over per person; %s too high in all (%lld counted)\n")
                            : N_("%s %s against %s: %s under per person; %s too low in all (%lld counted)\n")),
            S(flip, "subject"), S(flip, "now"), S(flip, "threshold"), S(pp, "margin"), S(pp, "total"),
            (long long)json_integer_value(json_object_get(pp, "count")));
}

static void print_condition(FILE *out, const json_t *c, int ind, int details)
{
    const char *kind = S(c, "kind");
    indent(out, ind);
    if (strcmp(kind, "condition") != 0) {
        fprintf(out, "%s %s", mark(S(c, "result")), !strcmp(kind, "all") ? hm_tr("all of:") : hm_tr("any of:"));
        if (has(c, "message"))
            fprintf(out, " %s", S(c, "message"));
        fputc('\n', out);
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(c, "children"), i, k)
            print_condition(out, k, ind + 2, details);
        return;
    }
    fprintf(out, "%s %s", mark(S(c, "result")), S(c, "expr"));
    where(out, c);
    fputc('\n', out);
    if (has(c, "message")) {
        indent(out, ind + 4);
        fprintf(out, "%s\n", S(c, "message"));
    }
    if (has(c, "reference")) {
        indent(out, ind + 4);
        fprintf(out, "%s\n", S(c, "reference"));
    }
    if (details)
        print_derivation(out, c, ind + 4);
    json_t *flip = json_object_get(c, "flip");
    if (flip && !json_is_null(flip)) {
        indent(out, ind + 4);
        people_print_flip(out, flip);
        if (has(flip, "fact"))
            fprintf(out, hm_tr(" [fact %s]"), S(flip, "fact"));
        fputc('\n', out);
        print_per_person(out, flip, ind + 4);
    }
}

/* SHOWN: the facts whose names were shown (with the label) in this list */
static void print_fact(FILE *out, const json_t *f, json_t *shown)
{
    people_print_fact_name(out, f, shown && json_object_get(shown, S(f, "fact")));
    if (shown)
        json_object_set_new(shown, S(f, "fact"), json_true());
    if (has(f, "member")) {
        fputs(hm_tr(" of "), out);
        print_member(out, f);
    }
    fputs(" = ", out);
    if (has(f, "value"))
        people_print_value(out, f, EX_REVIEWER);
    else
        fputs(people_state(S(f, "state")), out);
    fputs("   ", out);
    if (has(f, "source"))
        fprintf(out, hm_tr("from %s"), S(f, "source"));
    if (has(f, "as_of"))
        fprintf(out, hm_tr(", as of %s"), S(f, "as_of"));
    if (strcmp(S(f, "state"), "known") != 0 && has(f, "value"))
        fprintf(out, hm_tr(" (%s)"), people_state(S(f, "state")));
    if (json_is_true(json_object_get(f, "assumed")))
        fputs(hm_tr(" (assumed by the source's rule)"), out);
    char dur[64];
    if (has(f, "fresh_for"))
        fprintf(out, hm_tr(", older than %s"), people_duration(S(f, "fresh_for"), dur, sizeof dur));
    if (json_is_true(json_object_get(f, "after_as_of")))
        fputs(hm_tr(", dated after the as-of date"), out);
    const json_t *th = json_object_get(f, "through");
    if (th) {
        /* household.region = 330102 (西湖区) → dibao_line from 2024-07-01 (source …, table region) */
        fprintf(out, "\n        %s = %s", S(th, "key_fact"), has(th, "key") ? S(th, "key") : hm_tr("unknown"));
        if (has(th, "key_label"))
            fprintf(out, " (%s)", S(th, "key_label"));
        fprintf(out, " → %s", S(th, "attribute"));
        if (has(th, "from"))
            fprintf(out, hm_tr(" from %s"), S(th, "from"));
        if (strcmp(S(th, "row"), "found") != 0)
            fprintf(out, ": %s", hm_tr(S(th, "row")));
        fprintf(out, hm_tr(" (source %s, table %s)"), S(th, "table_source"), S(th, "table"));
    }
    fputc('\n', out);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(f, "records"), i, r) {
        fputs("        ", out);
        print_record(out, r);
        fputc('\n', out);
    }
}

/* Facts not known, with what each of their values would decide and why. */
static void print_unknown_facts(FILE *out, const json_t *facts)
{
    size_t i, k;
    json_t *x, *oc, *shown = json_object();
    json_array_foreach(facts, i, x) {
        fputs("    ", out);
        print_fact(out, x, shown);
        if (has(x, "decides")) {
            fputs("      ", out);
            people_print_decides(out, x, 1);
            fputc('\n', out);
        }
        json_array_foreach(json_object_get(x, "outcomes"), k, oc) {
            char *value = people_sprint(people_print_outcome_value, oc, 1);
            fprintf(out, hm_tr("      if %s: %s"), value ? value : S(oc, "value"), people_status(S(oc, "status")));
            free(value);
            if (has(oc, "reason")) {
                fputs(" — ", out);
                people_print_outcome_why(out, oc, 1);
            }
            fputc('\n', out);
        }
    }
    json_decref(shown);
}

/* The exceptions of a let or of the amount: whether each applies, what it
 * gives, its message for the outcome, and the values its condition read. */
static void print_value_exceptions(FILE *out, const json_t *excs, int ind)
{
    size_t i;
    json_t *x;
    json_array_foreach(excs, i, x) {
        indent(out, ind);
        fprintf(out, hm_tr("%s except when %s then %s"), mark(S(x, "result")), S(x, "expr"), S(x, "then"));
        if (json_is_true(json_object_get(x, "applied")))
            fprintf(out, hm_tr(" = %s, applied"), has(x, "value") ? S(x, "value") : hm_tr("unknown"));
        where(out, x);
        fputc('\n', out);
        if (has(x, "message")) {
            indent(out, ind + 4);
            fprintf(out, "%s\n", S(x, "message"));
        }
        print_derivation(out, x, ind + 4);
    }
}

static void print_decision(FILE *out, const json_t *d)
{
    fprintf(out, "%s %s", S(d, "policy"), S(d, "label"));
    if (has(d, "member")) {
        fputs(" — ", out);
        print_member(out, d);
    }
    fprintf(out, hm_tr(": %s"), status_text(S(d, "status")));
    if (has(d, "amount"))
        fprintf(out, hm_tr(", amount %s"), S(d, "amount"));
    fputc('\n', out);
    fprintf(out, "  %s:%lld", S(d, "file"), (long long)json_integer_value(json_object_get(d, "line")));
    if (has(d, "reference"))
        fprintf(out, "  %s", S(d, "reference"));
    fputc('\n', out);

    size_t i;
    json_t *x;
    json_t *app = json_object_get(d, "applies_when");
    if (app && !json_is_null(app)) {
        fputs(!strcmp(S(d, "status"), "not_applicable") ? hm_tr("  not applicable (不适用): the policy is only for\n")
                                                         : hm_tr("  applies to:\n"), out);
        print_condition(out, app, 4, 1);
    }
    json_t *why = json_object_get(d, "why_not");
    if (json_array_size(why)) {
        fprintf(out, json_array_size(why) == 1 ? hm_tr("  why not: %zu condition not met\n")
                                                : hm_tr("  why not: %zu conditions not met\n"), json_array_size(why));
        json_array_foreach(why, i, x)
            print_condition(out, x, 4, 0);
    }
    print_would_receive(out, json_object_get(d, "would_receive"));
    json_array_foreach(json_object_get(d, "excluded_by"), i, x)
        if (json_is_true(json_object_get(x, "decided")))
            fprintf(out, hm_tr("  why not: excluded by %s %s, which applies\n"), S(x, "policy"), S(x, "label"));
    json_array_foreach(json_object_get(d, "exceptions"), i, x)
        if (json_is_true(json_object_get(x, "decided")))
            fprintf(out, hm_tr("  decided by an exception: when %s then %s  [%s:%lld]%s%s\n"), S(x, "expr"),
                    !strcmp(S(x, "gives"), "eligible") ? hm_tr("eligible") : hm_tr("not eligible"), S(x, "file"),
                    (long long)json_integer_value(json_object_get(x, "line")), has(x, "message") ? "\n    " : "",
                    S(x, "message"));
    json_t *st = json_object_get(d, "settled");
    if (st && !json_is_null(st)) {
        json_t *facts = json_object_get(st, "unknown_facts");
        fprintf(out, json_array_size(facts) == 1 ? hm_tr("  decided whatever the value of %zu fact not known\n")
                                                  : hm_tr("  decided whatever the value of %zu facts not known\n"),
                json_array_size(facts));
        print_unknown_facts(out, facts);
    }
    json_t *u = json_object_get(d, "undetermined");
    if (u && !json_is_null(u)) {
        if (has(u, "error"))
            fprintf(out, hm_tr("  undetermined: %s\n"), S(u, "error"));
        json_t *facts = json_object_get(u, "unknown_facts");
        if (json_array_size(facts))
            fprintf(out, json_array_size(facts) == 1 ? hm_tr("  undetermined: %zu fact not known\n")
                                                      : hm_tr("  undetermined: %zu facts not known\n"),
                    json_array_size(facts));
        print_unknown_facts(out, facts);
        json_array_foreach(json_object_get(u, "undetermined_exclusions"), i, x)
            fprintf(out, hm_tr("  undetermined: %s, which would exclude it, is undetermined\n"), json_string_value(x));
        people_print_waits_on(out, u);
    }
    json_t *cond = json_object_get(d, "conditions");
    if (cond && !json_is_null(cond)) {
        fputs(hm_tr("  conditions:\n"), out);
        print_condition(out, cond, 4, 1);
    }
    json_array_foreach(json_object_get(d, "exceptions"), i, x) {
        if (!i)
            fputs(hm_tr("  exceptions:\n"), out);
        fprintf(out, hm_tr("    %s when %s then %s"), mark(S(x, "result")), S(x, "expr"),
                !strcmp(S(x, "gives"), "eligible") ? hm_tr("eligible") : hm_tr("not eligible"));
        where(out, x);
        fputc('\n', out);
        if (has(x, "message_for") && has(x, "message"))   /* a message for each outcome */
            fprintf(out, "        %s\n", S(x, "message"));
    }
    json_array_foreach(json_object_get(d, "excluded_by"), i, x) {
        if (!i)
            fputs(hm_tr("  excluded when these apply:\n"), out);
        fprintf(out, "    %s %s: %s\n", S(x, "policy"), S(x, "label"), people_status(S(x, "status")));
    }
    json_array_foreach(json_object_get(d, "lets"), i, x) {
        if (!i)
            fputs(hm_tr("  lets:\n"), out);
        fprintf(out, "    %s = ", S(x, "name"));
        print_value(out, x);
        fprintf(out, "   <- %s", S(x, "expr"));
        where(out, x);
        fputc('\n', out);
        print_derivation(out, x, 8);
        print_value_exceptions(out, json_object_get(x, "exceptions"), 6);
    }
    json_t *am = json_object_get(d, "amount_derivation");
    if (am && !json_is_null(am)) {
        fprintf(out, hm_tr("  amount = %s"), S(am, "expr"));
        where(out, am);
        fputc('\n', out);
        print_derivation(out, am, 4);
        print_value_exceptions(out, json_object_get(d, "amount_exceptions"), 4);
    }
    json_t *shown = json_object();
    json_array_foreach(json_object_get(d, "facts"), i, x) {
        if (!i)
            fputs(hm_tr("  facts:\n"), out);
        fputs("    ", out);
        print_fact(out, x, shown);
    }
    json_decref(shown);
    json_array_foreach(json_object_get(d, "parameters"), i, x) {
        if (!i)
            fputs(hm_tr("  parameters:\n"), out);
        fprintf(out, "    %s = %s", S(x, "name"), has(x, "value") ? S(x, "value") : hm_tr("unknown"));
        if (has(x, "keys"))
            fprintf(out, hm_tr("   for (%s)"), S(x, "key"));
        else if (has(x, "key"))
            fprintf(out, hm_tr("   for %s"), S(x, "key"));
        if (has(x, "entry") && strcmp(S(x, "entry"), S(x, "key")) != 0)
            fprintf(out, hm_tr(" (entry %s)"), S(x, "entry"));
        fprintf(out, "%s%s", has(x, "from") ? hm_tr(", from ") : "", S(x, "from"));
        if (has(x, "value_reference"))
            fprintf(out, " (%s)", S(x, "value_reference"));
        if (has(x, "as_of"))
            fprintf(out, hm_tr(" (as of %s)"), S(x, "as_of"));
        where(out, x);
        const json_t *rf = json_object_get(x, "reform");
        if (rf && !strcmp(S(rf, "file"), "--set"))
            fputs(hm_tr("  value from --set"), out);
        else if (rf)
            fprintf(out, hm_tr("  value from reform %s [%s:%lld]"), S(rf, "name"), S(rf, "file"),
                    (long long)json_integer_value(json_object_get(rf, "line")));
        fputc('\n', out);
    }
}

/* ---- for the person concerned ---------------------------------------------------- */

/* A filled message; a value not known yet (shown "?" to reviewers) is
 * written out for the reader. */
static void print_message(FILE *out, const char *prefix, const char *msg)
{
    fprintf(out, "    · %s", prefix);
    for (const char *s = msg; *s; s++)
        if (*s == '?')
            fputs(hm_tr("(to be verified)"), out);
        else
            fputc(*s, out);
    fputc('\n', out);
}

static void collect_messages(const json_t *c, const char *want, FILE *out)
{
    if (!c || json_is_null(c))
        return;
    if (strcmp(S(c, "kind"), "condition") != 0) {
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(c, "children"), i, k)
            collect_messages(k, want, out);
        return;
    }
    if (!strcmp(S(c, "result"), want) && has(c, "message"))
        print_message(out, "", S(c, "message"));
}

static void print_citizen(FILE *out, const json_t *d)
{
    const char *st = S(d, "status");
    fprintf(out, "%s", has(d, "label") ? S(d, "label") : "");
    if (has(d, "member")) {
        fputs(hm_i18n_zh() ? "（" : ", ", out);
        people_print_citizen_member(out, d);
        if (has(d, "claim"))
            fprintf(out, hm_tr(", settlement %lld"), (long long)json_integer_value(json_object_get(d, "claim")));
        if (hm_i18n_zh())
            fputs("）", out);
    }
    if (!strcmp(st, "eligible")) {
        fputs(hm_tr(": eligible"), out);
        if (has(d, "amount"))
            fprintf(out, hm_tr(", amount %s yuan"), S(d, "amount"));
        fputs(hm_tr(".\n"), out);
        collect_messages(json_object_get(d, "conditions"), "met", out);
    } else if (!strcmp(st, "not_applicable")) {
        /* the policy is not for this person: say whom it is for */
        fputs(hm_tr(": not applicable.\n"), out);
        json_t *app = json_object_get(d, "applies_when");
        if (app && has(app, "message"))
            print_message(out, hm_tr("This applies only to: "), S(app, "message"));
    } else if (!strcmp(st, "not_eligible")) {
        fputs(hm_tr(": not eligible.\n"), out);
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(d, "why_not"), i, x)
            if (has(x, "message"))  /* a message for "not met" says so itself */
                print_message(out, strcmp(S(x, "message_for"), "not_met") ? hm_tr("Not met: ") : "", S(x, "message"));
        print_would_receive_citizen(out, json_object_get(d, "would_receive"));
        json_array_foreach(json_object_get(d, "excluded_by"), i, x)
            if (json_is_true(json_object_get(x, "decided")))
                fprintf(out, hm_tr("    · %s is already received; the two are not given together.\n"), S(x, "label"));
        json_array_foreach(json_object_get(d, "exceptions"), i, x)
            if (json_is_true(json_object_get(x, "decided")) && has(x, "message"))
                print_message(out, "", S(x, "message"));
    }
    /* values no department gave, taken as the rule of their source says */
    size_t ai;
    json_t *ax;
    json_array_foreach(json_object_get(d, "facts"), ai, ax) {
        if (!json_is_true(json_object_get(ax, "assumed")) || !has(ax, "label"))
            continue;
        fprintf(out, hm_tr("    · Taken as its source's rule says: %s is "), S(ax, "label"));
        people_print_value(out, ax, EX_CITIZEN);
        people_print_citizen_of(out, ax);
        if (has(ax, "source_label"))
            fprintf(out, hm_tr(" (not given by %s)"), S(ax, "source_label"));
        fputs("\n", out);
    }
    json_t *settled = json_object_get(d, "settled");
    if (settled && !json_is_null(settled)) {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(settled, "unknown_facts"), i, x) {
            if (!has(x, "label"))
                continue;
            fprintf(out, hm_tr("    · Information still to be verified does not change the result (the same whatever it is): %s"),
                    S(x, "label"));
            people_print_citizen_of(out, x);
            fputs("\n", out);
        }
    }
    if (strcmp(st, "eligible") && strcmp(st, "not_eligible") && strcmp(st, "not_applicable")) {
        fputs(hm_tr(": cannot be decided yet; a decision needs the information below, given or updated.\n"), out);
        collect_messages(json_object_get(d, "conditions"), "unknown", out);
        json_t *u = json_object_get(d, "undetermined");
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(u, "unknown_facts"), i, x) {
            if (!has(x, "label"))
                continue;
            fprintf(out, !strcmp(S(x, "state"), "stale") ? hm_tr("    · Information to update: %s")
                                                          : hm_tr("    · Information to give: %s"), S(x, "label"));
            people_print_citizen_of(out, x);
            if (has(x, "source_label"))
                fprintf(out, hm_tr(", given by %s"), S(x, "source_label"));
            fputs("\n", out);
        }
        people_print_citizen_waits_on(out, u);
    }
}

void explain_print_head(const json_t *doc, int audience, FILE *out)
{
    if (audience == EX_CITIZEN) {
        fprintf(out, hm_tr("Decisions as of %s:\n\n"), S(doc, "as_of"));
        return;
    }
    const json_t *hh = json_object_get(doc, "household");
    long long n = json_integer_value(json_object_get(hh, "members"));
    fprintf(out, n == 1 ? hm_tr("household %s, %lld member, as of %s\n") : hm_tr("household %s, %lld members, as of %s\n"),
            has(hh, "id") ? S(hh, "id") : hm_tr("(given)"), n, S(doc, "as_of"));
    package_print_reform(out, REFORM_OF_PACK, json_object_get(doc, "reform"));
}

void explain_print_decision(const json_t *d, int audience, FILE *out)
{
    if (audience == EX_CITIZEN) {
        print_citizen(out, d);
        fputc('\n', out);
        return;
    }
    fputc('\n', out);
    print_decision(out, d);
}

void explain_print_text(const json_t *doc, int audience, FILE *out)
{
    size_t i;
    json_t *d;
    explain_print_head(doc, audience, out);
    json_array_foreach(json_object_get(doc, "decisions"), i, d)
        explain_print_decision(d, audience, out);
}

/* ---- ids masked -------------------------------------------------------------------- */

/* the keys whose strings are entity ids */
static int id_key(const char *key)
{
    return !strcmp(key, "id") || !strcmp(key, "member_id") || !strcmp(key, "member_ids") ||
           !strcmp(key, "household");
}

static int mask_value(json_t *v, int is_id)
{
    if (json_is_object(v)) {
        const char *key;
        json_t *x;
        json_object_foreach(v, key, x)
            if (mask_value(x, id_key(key)))
                return -1;
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
            if (mask_value(x, is_id))
                return -1;
    } else if (json_is_string(v)) {
        /* masking keeps the length or shortens, and keeps valid UTF-8 */
        const char *s = json_string_value(v);
        size_t n = json_string_length(v) + 1;
        char small[256], *m = n <= sizeof small ? small : mem_alloc(n);
        if (!m)
            return -1;
        if (is_id)
            mask_id(s, m);
        else
            mask_text(s, m);
        int rc = strcmp(m, s) ? json_string_set(v, m) : 0;     /* most text has no ID */
        if (m != small)
            mem_free(m);
        return rc;
    }
    return 0;
}

int explain_mask_ids(json_t *doc)
{
    return mask_value(doc, 0);
}
