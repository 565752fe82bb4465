/* package.c -- a household's whole package (explain --package): what the
 * household and its members get, with each amount's period and the total
 * per period, the near misses (refused on one condition, and how far it
 * was), what is undetermined and which facts it lacks.  Made from an
 * explanation (explain.c's document), so the package never disagrees
 * with what explain says of each decision. */
#include "package.h"
#include "bytecode.h"
#include "i18n.h"
#include "people.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *doc_text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

int doc_has(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v && !json_is_null(v);
}

json_t *doc_copy(const json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return v ? json_deep_copy(v) : json_null();
}

const char *package_period_word(int period)
{
    return period == PERIOD_PER_MONTH ? "month" : period == PERIOD_PER_YEAR ? "year" : "once";
}

int package_policy_period(const hm_program *p, const char *name)
{
    for (int32_t i = 0; i < p->npolicies; i++)
        if (!strcmp(prog_str(p, p->policies[i].name), name))
            return p->policies[i].period;
    return PERIOD_ONCE;
}

/* A decimal as explain writes it ("-1245.50", "6", "0.125000"): its digits
 * as an integer and the number of digits after the point.  0, or -1 when it
 * is not one (a date, a code) or too large. */
static int parse_decimal(const char *s, int64_t *v, int *scale)
{
    int neg = *s == '-';
    s += neg;
    if (*s < '0' || *s > '9')
        return -1;
    int64_t x = 0;
    int sc = -1;
    for (; *s; s++) {
        if (*s == '.' && sc < 0) {
            sc = 0;
            continue;
        }
        if (*s < '0' || *s > '9' || __builtin_mul_overflow(x, 10, &x) || __builtin_add_overflow(x, *s - '0', &x))
            return -1;
        if (sc >= 0)
            sc++;
    }
    *v = neg ? -x : x;
    *scale = sc < 0 ? 0 : sc;
    return 0;
}

int package_parse_fen(const char *s, int64_t *fen)
{
    int scale;
    return parse_decimal(s, fen, &scale) == 0 && scale == 2 ? 0 : -1;
}

void package_fen_text(int64_t fen, char buf[32])
{
    uint64_t a = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;
    snprintf(buf, 32, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", a / 100, a % 100);
}

/* |a - b| of two decimals, written with the finer of their scales; -1
 * when they are not decimals */
static int gap_text(const char *a, const char *b, char buf[48])
{
    int64_t x, y, d;
    int sa, sb;
    if (parse_decimal(a, &x, &sa) || parse_decimal(b, &y, &sb))
        return -1;
    for (; sa < sb; sa++)
        if (__builtin_mul_overflow(x, 10, &x))
            return -1;
    for (; sb < sa; sb++)
        if (__builtin_mul_overflow(y, 10, &y))
            return -1;
    if (__builtin_sub_overflow(x, y, &d) || d == INT64_MIN)
        return -1;
    uint64_t u = d < 0 ? (uint64_t)-d : (uint64_t)d, pow = 1;
    for (int i = 0; i < sa; i++)
        pow *= 10;
    if (sa)
        snprintf(buf, 48, "%" PRIu64 ".%0*" PRIu64, u / pow, sa, u % pow);
    else
        snprintf(buf, 48, "%" PRIu64, u);
    return 0;
}

/* How far a failed comparison was, in words: "1300.00 against 1245.00:
 * 55.00 over (55.01 lower to be below it)", "5 against 6: 1 short"; in the
 * reader's words when tr.  A string (free()), NULL when out of memory. */
static char *distance_text(const json_t *flip, int tr)
{
    const char *now = doc_text(flip, "now"), *thr = doc_text(flip, "threshold"), *need = doc_text(flip, "needed");
    const char *dir = doc_text(flip, "direction"), *change = doc_text(flip, "change");
    char *r = NULL;
    if (!doc_has(flip, "change")) {      /* other than */
        if (asprintf(&r, hm_tr_if(tr, "%s, needed other than %s"), now, thr) < 0)
            return NULL;
        return r;
    }
    int date = !strcmp(dir, "earlier") || !strcmp(dir, "later");
    const char *word = !strcmp(dir, "lower") ? hm_tr_if(tr, "over") : !strcmp(dir, "higher") ? hm_tr_if(tr, "short")
                     : !strcmp(dir, "earlier") ? hm_tr_if(tr, "too late") : hm_tr_if(tr, "too early");
    char gap[48];
    int n;
    if (date || gap_text(now, thr, gap) != 0)
        n = asprintf(&r, hm_tr_if(tr, "%s against %s: %s %s"), now, thr, change, word);
    else if (!strcmp(gap, change))
        n = asprintf(&r, hm_tr_if(tr, "%s against %s: %s %s"), now, thr, gap, word);
    else    /* below / above: the line itself does not meet it */
        n = asprintf(&r, hm_tr_if(tr, "%s against %s: %s %s (%s %s to be %s it)"), now, thr, gap, word, change,
                     hm_tr_if(tr, dir), hm_tr_if(tr, need));
    return n < 0 ? NULL : r;
}

static json_t *distance_of(const json_t *flip)
{
    char *t = distance_text(flip, 0);
    json_t *j = t ? json_string(t) : NULL;
    free(t);
    return j;
}

/* a refusal's reason from its refused_by: in the reader's words when tr */
static void refusal_text(FILE *out, const json_t *o, int tr)
{
    const json_t *r = json_object_get(o, "refused_by");
    const char *kind = doc_text(r, "kind");
    if (!strcmp(kind, "excluded")) {
        fprintf(out, hm_tr_if(tr, "excluded by %s"), doc_text(r, "policy"));
    } else if (!strcmp(kind, "exception")) {
        fprintf(out, hm_tr_if(tr, "an exception applied (line %lld)"),
                (long long)json_integer_value(json_object_get(r, "line")));
    } else {
        long long n = (long long)json_integer_value(json_object_get(r, "count"));
        fprintf(out, n == 1 ? hm_tr_if(tr, "%lld condition not met") : hm_tr_if(tr, "%lld conditions not met"), n);
    }
}

static json_t *refusal_of(const json_t *o)
{
    char *t = people_sprint(refusal_text, o, 0);
    json_t *j = t ? json_string(t) : NULL;
    free(t);
    return j;
}

/* policy, label, entity, member, member_id, claim of a decision */
static json_t *who(const json_t *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "policy", doc_copy(d, "policy"));
    json_object_set_new(o, "label", doc_copy(d, "label"));
    json_object_set_new(o, "entity", doc_copy(d, "entity"));
    json_object_set_new(o, "member", doc_copy(d, "member"));
    json_object_set_new(o, "member_id", doc_copy(d, "member_id"));
    if (doc_has(d, "claim"))
        json_object_set_new(o, "claim", doc_copy(d, "claim"));
    return o;
}

static int decided_in(const json_t *arr)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
        if (json_is_true(json_object_get(e, "decided")))
            return 1;
    return 0;
}

/* why a refusal that is no near miss was made, in a few words */
/* Why a refusal, as fields: {"kind": "excluded", "policy"}, {"kind":
 * "exception", "line"} or {"kind": "conditions", "count"}; `reason`, in
 * English, is made from them (refusal_text) */
static json_t *refused_by(const json_t *d)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(d, "excluded_by"), i, e)
        if (json_is_true(json_object_get(e, "decided")))
            return json_pack("{s:s, s:s}", "kind", "excluded", "policy", doc_text(e, "policy"));
    json_array_foreach(json_object_get(d, "exceptions"), i, e)
        if (json_is_true(json_object_get(e, "decided")))
            return json_pack("{s:s, s:O}", "kind", "exception", "line", json_object_get(e, "line"));
    return json_pack("{s:s, s:I}", "kind", "conditions", "count", (json_int_t)json_array_size(json_object_get(d, "why_not")));
}

static json_t *missing_of(const json_t *d)
{
    json_t *out = json_array();
    const json_t *u = json_object_get(d, "undetermined");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(u, "unknown_facts"), i, f) {
        json_t *o = json_object();
        static const char *const keys[] = { "fact", "label", "member", "member_id", "state", "source",
                                            "source_label", "as_of", "fresh_for" };
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
            if (json_object_get(f, keys[k]))
                json_object_set_new(o, keys[k], doc_copy(f, keys[k]));
        json_array_append_new(out, o);
    }
    return out;
}

json_t *explain_package(const json_t *doc, const hm_program *p)
{
    json_t *pkg = json_object();
    json_object_set_new(pkg, "schema", json_string(PACKAGE_SCHEMA));
    json_object_set_new(pkg, "as_of", doc_copy(doc, "as_of"));
    json_object_set_new(pkg, "household", doc_copy(doc, "household"));
    json_object_set_new(pkg, "reform", package_reform_json(p));
    json_t *gets = json_array(), *near = json_array(), *und = json_array(), *no = json_array();
    int64_t total[3] = { 0, 0, 0 };
    int count[3] = { 0, 0, 0 }, wide[3] = { 0, 0, 0 };
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(doc, "decisions"), i, d) {
        const char *st = doc_text(d, "status");
        if (!strcmp(st, "eligible")) {
            json_t *o = who(d);
            json_object_set_new(o, "amount", doc_copy(d, "amount"));
            int per = package_policy_period(p, doc_text(d, "policy"));
            int64_t fen;
            if (doc_has(d, "amount") && package_parse_fen(doc_text(d, "amount"), &fen) == 0) {
                json_object_set_new(o, "period", json_string(package_period_word(per)));
                count[per]++;
                wide[per] |= __builtin_add_overflow(total[per], fen, &total[per]);
            } else {
                json_object_set_new(o, "period", json_null());
            }
            json_array_append_new(gets, o);
        } else if (!strcmp(st, "not_eligible")) {
            const json_t *why = json_object_get(d, "why_not");
            json_t *o = who(d);
            if (json_array_size(why) == 1 && !decided_in(json_object_get(d, "excluded_by")) &&
                !decided_in(json_object_get(d, "exceptions"))) {
                const json_t *c = json_array_get(why, 0), *flip = json_object_get(c, "flip");
                if (!json_is_object(flip))
                    flip = NULL;
                json_t *cj = json_object();
                static const char *const keys[] = { "expr", "file", "line", "message", "reference" };
                for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
                    json_object_set_new(cj, keys[k], doc_copy(c, keys[k]));
                json_object_set_new(o, "condition", cj);
                json_object_set_new(o, "flip", flip ? json_deep_copy(flip) : json_null());
                json_object_set_new(o, "distance", flip ? distance_of(flip) : json_null());
                json_array_append_new(near, o);
            } else {
                json_object_set_new(o, "reason", json_null());
                json_object_set_new(o, "refused_by", refused_by(d));
                json_object_set_new(o, "reason", refusal_of(o));
                json_array_append_new(no, o);
            }
        } else if (!strcmp(st, "undetermined")) {
            json_t *o = who(d);
            const json_t *u = json_object_get(d, "undetermined");
            json_object_set_new(o, "error", doc_copy(u, "error"));
            json_object_set_new(o, "missing", missing_of(d));
            json_object_set_new(o, "undetermined_exclusions", doc_copy(u, "undetermined_exclusions"));
            json_array_append_new(und, o);
        }
    }
    json_object_set_new(pkg, "gets", gets);
    /* one total per period: a monthly amount is never added to a yearly one */
    json_t *tot = json_array();
    static const int order[3] = { PERIOD_PER_MONTH, PERIOD_PER_YEAR, PERIOD_ONCE };
    for (int k = 0; k < 3; k++) {
        int per = order[k];
        if (!count[per])
            continue;
        char b[32];
        json_t *o = json_object();
        json_object_set_new(o, "period", json_string(package_period_word(per)));
        package_fen_text(total[per], b);
        json_object_set_new(o, "amount", wide[per] ? json_null() : json_string(b));
        if (wide[per])
            json_object_set_new(o, "unknown", json_string(N_("beyond what can be represented")));
        json_object_set_new(o, "programmes", json_integer(count[per]));
        json_array_append_new(tot, o);
    }
    json_object_set_new(pkg, "totals", tot);
    json_object_set_new(pkg, "near_misses", near);
    json_object_set_new(pkg, "undetermined", und);
    json_object_set_new(pkg, "not_eligible", no);
    return pkg;
}

json_t *package_reform_json(const hm_program *p)
{
    if (!p->nreforms)
        return json_null();
    const hm_reform *r = &p->reforms[0];
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(prog_str(p, r->name)));
    json_object_set_new(o, "label", r->label >= 0 ? json_string(prog_str(p, r->label)) : json_null());
    json_object_set_new(o, "amends", json_string(prog_str(p, r->amends)));
    const char *path = prog_str(p, p->srcfiles[r->file].path), *base = strrchr(path, '/');
    json_object_set_new(o, "file", json_string(base ? base + 1 : path));
    return o;
}

/* ---- text ---------------------------------------------------------------------------- */

/* "dibao 城乡居民最低生活保障", ", member 2", ", claim 1" */
void package_print_who(FILE *out, const json_t *o)
{
    fprintf(out, "%s", doc_text(o, "policy"));
    if (doc_has(o, "label"))
        fprintf(out, " %s", doc_text(o, "label"));
    if (doc_has(o, "member"))
        fprintf(out, hm_tr(", member %lld"), (long long)json_integer_value(json_object_get(o, "member")));
    if (doc_has(o, "claim"))
        fprintf(out, hm_tr(", claim %lld"), (long long)json_integer_value(json_object_get(o, "claim")));
}

void package_print_head(FILE *out, const json_t *doc)
{
    const json_t *hh = json_object_get(doc, "household");
    long long n = json_integer_value(json_object_get(hh, "members"));
    fprintf(out, n == 1 ? hm_tr("household %s, %lld member, as of %s\n") : hm_tr("household %s, %lld members, as of %s\n"),
            doc_has(hh, "id") ? doc_text(hh, "id") : hm_tr("(given)"), n, doc_text(doc, "as_of"));
}

void package_print_reform(FILE *out, int which, const json_t *r)
{
    if (!r || json_is_null(r))
        return;
    if (!strcmp(doc_text(r, "file"), "--set")) {
        fprintf(out, "%s%s", which == REFORM_OF_PACK ? "" : "  ",
                hm_tr("what if: parameter values from --set parameter.NAME=VALUE\n"));
        return;
    }
    fprintf(out, which == REFORM_OF_PACK ? hm_tr("the pack is reformed by %s") : which == REFORM_OF_BASE
                 ? hm_tr("  base reformed by %s") : hm_tr("  reformed by %s"), doc_text(r, "name"));
    if (doc_has(r, "label"))
        fprintf(out, " \"%s\"", doc_text(r, "label"));
    if (*doc_text(r, "amends"))
        fprintf(out, hm_tr(" amends %s"), doc_text(r, "amends"));
    fprintf(out, " (%s)\n", doc_text(r, "file"));
}

const char *package_per_text(const char *period)
{
    return !strcmp(period, "month") ? hm_tr("per month") : !strcmp(period, "year") ? hm_tr("per year") : hm_tr("once");
}

void explain_print_package(const json_t *pkg, FILE *out)
{
    package_print_head(out, pkg);
    package_print_reform(out, REFORM_OF_PACK, json_object_get(pkg, "reform"));
    size_t i;
    json_t *o;
    const json_t *gets = json_object_get(pkg, "gets");
    size_t n = json_array_size(gets);
    fprintf(out, !n ? hm_tr("\ngets %zu programmes\n") : n == 1 ? hm_tr("\ngets %zu programme:\n")
                    : hm_tr("\ngets %zu programmes:\n"), n);
    json_array_foreach(gets, i, o) {
        fputs("  ", out);
        package_print_who(out, o);
        if (doc_has(o, "period"))
            fprintf(out, hm_tr(": %s %s\n"), doc_text(o, "amount"), package_per_text(doc_text(o, "period")));
        else if (doc_has(o, "amount"))
            fprintf(out, hm_tr(": %s\n"), doc_text(o, "amount"));
        else
            fputs(hm_tr(": eligible (no amount)\n"), out);
    }
    const json_t *tot = json_object_get(pkg, "totals");
    if (json_array_size(tot)) {
        fputs(hm_tr("  total:"), out);
        json_array_foreach(tot, i, o)
            fprintf(out, "%s %s %s", i ? hm_tr(";") : "",
                    doc_has(o, "amount") ? doc_text(o, "amount") : hm_tr(doc_text(o, "unknown")),
                    package_per_text(doc_text(o, "period")));
        fputc('\n', out);
    }
    const json_t *near = json_object_get(pkg, "near_misses");
    if (json_array_size(near)) {
        fputs(hm_tr("\nnear misses (not eligible on one condition):\n"), out);
        json_array_foreach(near, i, o) {
            const json_t *c = json_object_get(o, "condition");
            fputs("  ", out);
            package_print_who(out, o);
            fprintf(out, "\n    ✗ %s  [%s:%lld]\n", doc_text(c, "expr"), doc_text(c, "file"),
                    (long long)json_integer_value(json_object_get(c, "line")));
            if (doc_has(c, "message"))
                fprintf(out, "        %s\n", doc_text(c, "message"));
            if (doc_has(o, "distance")) {
                char *d = distance_text(json_object_get(o, "flip"), 1);
                fprintf(out, "        %s %s\n", doc_text(json_object_get(o, "flip"), "subject"), d ? d : doc_text(o, "distance"));
                free(d);
            }
        }
    }
    const json_t *und = json_object_get(pkg, "undetermined");
    if (json_array_size(und)) {
        fputs(hm_tr("\nundetermined:\n"), out);
        json_array_foreach(und, i, o) {
            fputs("  ", out);
            package_print_who(out, o);
            fputc('\n', out);
            if (doc_has(o, "error"))
                fprintf(out, hm_tr("    error: %s\n"), doc_text(o, "error"));
            size_t k;
            json_t *f;
            json_array_foreach(json_object_get(o, "missing"), k, f) {
                fprintf(out, "    %s", doc_text(f, "fact"));
                if (doc_has(f, "member"))
                    fprintf(out, hm_tr(" of member %lld"), (long long)json_integer_value(json_object_get(f, "member")));
                fprintf(out, " = %s", people_state(doc_text(f, "state")));
                if (doc_has(f, "source")) {
                    fputs("   ", out);
                    fprintf(out, hm_tr("from %s"), doc_text(f, "source"));
                }
                if (doc_has(f, "as_of"))
                    fprintf(out, hm_tr(", as of %s"), doc_text(f, "as_of"));
                fputc('\n', out);
            }
            json_array_foreach(json_object_get(o, "undetermined_exclusions"), k, f)
                fprintf(out, hm_tr("    excluded by %s, itself undetermined\n"), json_string_value(f));
        }
    }
    const json_t *no = json_object_get(pkg, "not_eligible");
    if (json_array_size(no)) {
        fputs(hm_tr("\nnot eligible:\n"), out);
        json_array_foreach(no, i, o) {
            fputs("  ", out);
            package_print_who(out, o);
            fputs(hm_tr(": "), out);
            refusal_text(out, o, 1);
            fputc('\n', out);
        }
    }
}
