/* html_page.c -- an explanation as one self-contained HTML page (see
 * html_page.h).
 *
 * Every piece of the document is written escaped (html_escape); the
 * markup is the page's own.  Frame words go through hm_tr, so the page is
 * in the language chosen when it is written. */
#include "html_page.h"

#include "explain.h"
#include "html.h"
#include "i18n.h"
#include "package.h"
#include "people.h"

#include <stdlib.h>
#include <string.h>

/* The reviewer page's style, after html.h's: statuses told by a colour
 * and a word, the condition tree, tables of facts. */
static const char REVIEW_CSS[] =
    ".badge{display:inline-block;padding:.05em .5em;border:1px solid;border-radius:.3em;font-weight:bold;"
    "white-space:nowrap}\n"
    ".st-eligible .badge,.badge.st-eligible{color:#0b5d1e;background:#e3f4e6;border-color:#6fb77e}\n"
    ".st-not_eligible .badge,.badge.st-not_eligible{color:#8a1c1c;background:#fbe7e7;border-color:#d98c8c}\n"
    ".st-undetermined .badge,.badge.st-undetermined{color:#6b4300;background:#fff1cc;border-color:#d9a93f}\n"
    ".st-not_applicable .badge,.badge.st-not_applicable{color:#444;background:#eee;border-color:#aaa}\n"
    "section.decision{border:1px solid #ccc;border-left:.45em solid #999;padding:.1em 1em .8em;margin:1.6em 0}\n"
    "section.decision.st-eligible{border-left-color:#2e8b47}\n"
    "section.decision.st-not_eligible{border-left-color:#c0392b}\n"
    "section.decision.st-undetermined{border-left-color:#d9a93f}\n"
    "section.decision h2{border:0;margin-top:.6em}\n"
    "p.verdict{font-size:1.1em;margin:.2em 0 .6em}\n"
    "h4{font-size:1em;margin:1em 0 .3em;color:#333}\n"
    "code{font-family:\"Noto Sans Mono CJK SC\",\"DejaVu Sans Mono\",monospace;font-size:.92em;"
    "background:#f3f4f6;padding:0 .2em;overflow-wrap:anywhere}\n"
    ".where{color:#666;font-size:.88em;white-space:nowrap}\n"
    ".ref{color:#333;font-style:italic}\n"
    ".msg{color:#222}\n"
    ".flip{background:#eef4fb;border-left:3px solid #4e79a7;padding:.15em .5em;margin:.3em 0}\n"
    ".warn{color:#6b4300;font-weight:bold}\n"
    ".bad{color:#8a1c1c;font-weight:bold}\n"
    ".dim{color:#666}\n"
    "ul.tree{list-style:none;padding-left:1.1em;margin:.2em 0;border-left:1px dotted #bbb}\n"
    "ul.tree.root{border-left:0;padding-left:0}\n"
    "ul.tree>li{margin:.2em 0}\n"
    "summary{cursor:pointer}\n"
    ".mark{display:inline-block;width:1.2em;text-align:center;font-weight:bold}\n"
    ".r-met>.mark,.r-met>details>summary>.mark{color:#0b5d1e}\n"
    ".r-not_met>.mark,.r-not_met>details>summary>.mark{color:#8a1c1c}\n"
    ".r-unknown>.mark,.r-unknown>details>summary>.mark{color:#6b4300}\n"
    ".res{font-size:.85em;color:#555}\n"
    "div.body{margin:.2em 0 .4em 1.6em}\n"
    "div.body p{margin:.15em 0}\n"
    "table.vals{margin:.2em 0 .4em;font-size:.9em}\n"
    "table.vals th{font-weight:normal;background:#f6f7f8}\n"
    ".let{margin:.5em 0}\n"
    "p.top{text-align:right;font-size:.85em;margin:.5em 0 0}\n"
    "a{color:#1f5a96}\n"
    "td.nw{white-space:nowrap}\n"
    "div.sign{margin-top:3em;break-inside:avoid;page-break-inside:avoid}\n"
    "div.sign p{margin:2.2em 0 0;border-top:1px solid #444;width:22em;padding-top:.2em;color:#444}\n"
    "@media print{\n"
    "a{color:inherit;text-decoration:none}\n"
    "p.top{display:none}\n"
    "section.decision{break-inside:auto}\n"
    "details::details-content{content-visibility:visible;display:block;height:auto}\n"
    "}\n";

/* The citizen page: large readable type, one card per decision, a phone's
 * width. */
static const char CITIZEN_CSS[] =
    "body{max-width:40em;font-size:1.15em;line-height:1.6}\n"
    "h1{font-size:1.5em}\n"
    "p.asof{color:#444}\n"
    "section.card{border:1px solid #ccc;border-left:.45em solid #999;border-radius:.3em;padding:.3em 1em .7em;"
    "margin:1.2em 0}\n"
    "section.card h2{border:0;margin:.4em 0 .2em;font-size:1.2em}\n"
    "section.card.st-eligible{border-left-color:#2e8b47}\n"
    "section.card.st-not_eligible{border-left-color:#c0392b}\n"
    "section.card.st-undetermined{border-left-color:#d9a93f}\n"
    ".badge{display:inline-block;padding:.05em .55em;border:1px solid;border-radius:.3em;font-weight:bold}\n"
    ".st-eligible .badge{color:#0b5d1e;background:#e3f4e6;border-color:#6fb77e}\n"
    ".st-not_eligible .badge{color:#8a1c1c;background:#fbe7e7;border-color:#d98c8c}\n"
    ".st-undetermined .badge{color:#6b4300;background:#fff1cc;border-color:#d9a93f}\n"
    ".st-not_applicable .badge{color:#444;background:#eee;border-color:#aaa}\n"
    "p.whom{margin:0;color:#444}\n"
    "p.amount{font-size:1.15em;font-weight:bold;margin:.3em 0}\n"
    "section.card ul{padding-left:1.2em;margin:.3em 0}\n"
    "section.card li{margin:.25em 0}\n"
    "@media (max-width:30em){body{font-size:1.05em;padding:0 .6em;margin:1em auto}}\n"
    "@media print{body{font-size:12pt}section.card{break-inside:avoid;page-break-inside:avoid}}\n";

#define T(s) hm_tr(s)

/* a document's members: its text ("" when absent), whether it is given (package.h) */
#define S doc_text
#define has doc_has

static long long I(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static void esc(FILE *out, const char *text)
{
    html_escape(out, text);
}

/* what print(o) prints (people.h), escaped */
static void esc_printed(FILE *out, void (*print)(FILE *, const json_t *, int), const json_t *o)
{
    char *text = people_sprint(print, o, 1);
    esc(out, text ? text : "");
    free(text);
}

/* ---- words ------------------------------------------------------------------ */

static const char *status_key(const char *st)
{
    return !strcmp(st, "eligible") || !strcmp(st, "not_eligible") || !strcmp(st, "not_applicable") ? st
                                                                                                   : "undetermined";
}

static const char *status_word(const char *st)
{
    return !strcmp(st, "eligible") ? T(N_("Eligible")) : !strcmp(st, "not_eligible") ? T(N_("Not eligible"))
         : !strcmp(st, "not_applicable") ? T(N_("Not applicable")) : T(N_("Undetermined"));
}

static const char *status_mark(const char *st)
{
    return !strcmp(st, "eligible") ? "✓" : !strcmp(st, "not_eligible") ? "✗"
         : !strcmp(st, "not_applicable") ? "–" : "?";
}

static const char *result_key(const char *r)
{
    return !strcmp(r, "met") ? "met" : !strcmp(r, "not_met") ? "not_met" : "unknown";
}

static const char *result_mark(const char *r)
{
    return !strcmp(r, "met") ? "✓" : !strcmp(r, "not_met") ? "✗" : "?";
}

static const char *result_word(const char *r)
{
    return !strcmp(r, "met") ? T(N_("met")) : !strcmp(r, "not_met") ? T(N_("not met")) : T(N_("unknown"));
}

static const char *period_word(const char *p)
{
    return !strcmp(p, "month") ? T(N_("per month")) : !strcmp(p, "year") ? T(N_("per year"))
         : !strcmp(p, "once") ? T(N_("once")) : p;
}

/* the colour and the word of a decision */
static void badge(FILE *out, const char *st)
{
    fprintf(out, "<span class=\"badge st-%s\">%s ", status_key(st), status_mark(st));
    esc(out, status_word(st));
    fputs("</span>", out);
}

static void where(FILE *out, const json_t *o)
{
    if (!has(o, "file"))
        return;
    fputs(" <span class=\"where\">", out);
    esc(out, S(o, "file"));
    fprintf(out, ":%lld</span>", I(o, "line"));
}

/* a value, or why it is not known */
static void value(FILE *out, const json_t *o)
{
    json_t *v = json_object_get(o, "value");
    if (json_is_string(v))
        esc(out, people_word(json_string_value(v)));
    else {
        fputs("<span class=\"warn\">", out);
        esc(out, has(o, "unknown") ? S(o, "unknown") : T(N_("unknown")));
        fputs("</span>", out);
    }
}

/* "member 2 (户主, 330102********0013), claim 1", or a record of a list */
static void member(FILE *out, const json_t *o)
{
    if (json_object_get(o, "record")) {
        fprintf(out, "%s %lld {", T(N_("record")), I(o, "record"));
        const char *k;
        json_t *v;
        int first = 1;
        json_object_foreach((json_t *)json_object_get(o, "fields"), k, v) {
            fputs(first ? "" : ", ", out);
            esc(out, k);
            fputc(' ', out);
            esc(out, json_is_string(v) ? json_string_value(v) : "?");
            first = 0;
        }
        fputc('}', out);
        return;
    }
    fprintf(out, "%s %lld", T(N_("member")), I(o, "member"));
    int rel = has(o, "relation_label"), id = has(o, "member_id");
    if (rel || id) {
        fputs(T(N_(" (")), out);
        esc(out, S(o, "relation_label"));
        fputs(rel && id ? T(N_(", ")) : "", out);
        esc(out, S(o, "member_id"));
        fputs(T(N_(")")), out);
    }
    if (has(o, "claim"))
        fprintf(out, ", %s %lld", T(N_("claim")), I(o, "claim"));
}

/* a fact's name: its label with the name after it, or the name */
static void fact_name(FILE *out, const json_t *f)
{
    if (has(f, "label")) {
        esc(out, S(f, "label"));
        fputs(" <code>", out);
        esc(out, S(f, "fact"));
        fputs("</code>", out);
    } else {
        fputs("<code>", out);
        esc(out, S(f, "fact"));
        fputs("</code>", out);
    }
}

/* ---- derivations --------------------------------------------------------------- */

static void values_table(FILE *out, const json_t *vals)
{
    if (!json_array_size(vals))
        return;
    fputs("<table class=\"vals\"><tbody>\n", out);
    size_t i;
    json_t *v;
    json_array_foreach(vals, i, v) {
        fputs("<tr><th><code>", out);
        esc(out, S(v, "expr"));
        fputs("</code></th><td class=\"num\">", out);
        value(out, v);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

/* each member or record an aggregate went through: counted or not, its
 * value, and the values that decided */
static void aggregates(FILE *out, const json_t *aggs, const char *whole)
{
    size_t i, j, k;
    json_t *a, *el, *b;
    json_array_foreach(aggs, i, a) {
        fputs("<table class=\"vals\">\n<caption><code>", out);
        esc(out, S(a, "expr"));
        fputs("</code>", out);
        if (strcmp(S(a, "expr"), whole) != 0) {
            fputs(" = ", out);
            value(out, a);
        }
        fprintf(out, "</caption>\n<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
                T(N_("member")), T(N_("counted")), T(N_("value")), T(N_("because")));
        json_array_foreach(json_object_get(a, "elements"), j, el) {
            fputs("<tr><td>", out);
            member(out, el);
            fputs("</td><td>", out);
            json_t *kept = json_object_get(el, "kept");
            if (json_is_false(kept))
                fprintf(out, "<span class=\"dim\">✗ %s</span>", T(N_("not counted")));
            else if (json_is_true(kept))
                fprintf(out, "✓ %s", T(N_("counted")));
            else if (kept && json_is_null(kept))
                fprintf(out, "<span class=\"warn\">? %s</span>", T(N_("unknown whether it counts")));
            fputs("</td><td class=\"num\">", out);
            if (json_object_get(el, "value") && !json_is_false(kept))
                value(out, el);
            fputs("</td><td>", out);
            json_array_foreach(json_object_get(el, "because"), k, b) {
                fputs(k ? ", <code>" : "<code>", out);
                esc(out, S(b, "expr"));
                fputs("</code> = ", out);
                value(out, b);
            }
            fputs("</td></tr>\n", out);
        }
        fputs("</tbody>\n</table>\n", out);
    }
}

/* a scale's band, rate and quick deduction */
static void scales(FILE *out, const json_t *sc)
{
    size_t i;
    json_t *s;
    json_array_foreach(sc, i, s) {
        fprintf(out, "<p>%s <code>", T(N_("scale")));
        esc(out, S(s, "scale"));
        fputs("</code>: ", out);
        if (has(s, "unknown")) {
            fputs("<span class=\"warn\">", out);
            esc(out, S(s, "unknown"));
            fputs("</span> (", out);
            esc(out, S(s, "why"));
            fputs(")</p>\n", out);
            continue;
        }
        esc(out, S(s, "amount"));
        fprintf(out, ", %s %lld", T(N_("band")), I(s, "band"));
        if (I(s, "band") > 1) {
            fprintf(out, ", %s ", T(N_("over")));
            esc(out, S(s, "lower"));
        }
        if (has(s, "upper")) {
            fprintf(out, ", %s ", T(N_("up to")));
            esc(out, S(s, "upper"));
        }
        fprintf(out, ", %s ", T(N_("rate")));
        esc(out, S(s, "rate"));
        if (has(s, "rate_parameter")) {
            fputs(" (", out);
            esc(out, S(s, "rate_parameter"));
            fputc(')', out);
        }
        fprintf(out, ", %s ", T(N_("quick deduction")));
        esc(out, S(s, "quick"));
        fputs(": <code>", out);
        esc(out, S(s, "computation"));
        fputs("</code></p>\n", out);
    }
}

/* sum(P.amount over …): the months, grouped by equal outcome */
static void months(FILE *out, const json_t *sums)
{
    size_t i, j;
    json_t *o, *m;
    json_array_foreach(sums, i, o) {
        fputs("<table class=\"vals\">\n<caption><code>", out);
        esc(out, S(o, "expr"));
        fprintf(out, "</code></caption>\n<thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
                T(N_("months")), T(N_("decision")), T(N_("amount")));
        json_array_foreach(json_object_get(o, "months"), j, m) {
            fputs("<tr><td>", out);
            esc(out, S(m, "from"));
            if (strcmp(S(m, "from"), S(m, "to"))) {
                fputs(" – ", out);
                esc(out, S(m, "to"));
                fprintf(out, " (%lld)", I(m, "months"));
            }
            fputs("</td><td>", out);
            badge(out, S(m, "status"));
            fputs("</td><td class=\"num\">", out);
            if (!strcmp(S(m, "status"), "eligible"))
                esc(out, has(m, "amount") ? S(m, "amount") : "?");
            fputs("</td></tr>\n", out);
        }
        fputs("</tbody>\n</table>\n", out);
    }
}

static void derivation(FILE *out, const json_t *d)
{
    values_table(out, json_object_get(d, "values"));
    scales(out, json_object_get(d, "scales"));
    aggregates(out, json_object_get(d, "aggregates"), S(d, "expr"));
    months(out, json_object_get(d, "months"));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(d, "calls"), i, c) {
        /* a function's working, folded: its result is in the summary */
        fputs("<details class=\"call\"><summary><code>", out);
        esc(out, S(c, "function"));
        fputs("</code> = ", out);
        value(out, c);
        where(out, c);
        if (has(c, "same_as")) {
            fprintf(out, " <span class=\"dim\">(%s)</span></summary></details>\n", T(N_("derived above")));
            continue;
        }
        fputs("</summary>\n<div class=\"body\"><p><code>", out);
        esc(out, S(c, "expr"));
        fputs("</code></p>\n", out);
        derivation(out, c);
        fputs("</div></details>\n", out);
    }
}

/* ---- the condition tree ------------------------------------------------------------ */

static void flip(FILE *out, const json_t *c)
{
    json_t *f = json_object_get(c, "flip");
    if (!f || json_is_null(f))
        return;
    fputs("<p class=\"flip\">", out);
    esc(out, S(f, "text"));
    fputs("</p>\n", out);
}

/* One node: open when not met or unknown (what the reviewer looks for),
 * closed when met; the root open, so that its branches show. */
static void condition(FILE *out, const json_t *c, int root)
{
    const char *r = result_key(S(c, "result"));
    int leaf = !strcmp(S(c, "kind"), "condition");
    fprintf(out, "<li class=\"r-%s\"><details%s><summary><span class=\"mark\">%s</span> ", r,
            root || strcmp(r, "met") ? " open" : "", result_mark(r));
    if (leaf) {
        fputs("<code>", out);
        esc(out, S(c, "expr"));
        fputs("</code>", out);
    } else {
        fputs("<b>", out);
        esc(out, !strcmp(S(c, "kind"), "all") ? T(N_("all of")) : T(N_("any of")));
        fputs("</b>", out);
    }
    fprintf(out, " <span class=\"res\">(%s)</span>", result_word(r));
    if (has(c, "message")) {
        fputs(" — <span class=\"msg\">", out);
        esc(out, S(c, "message"));
        fputs("</span>", out);
    }
    fputs("</summary>\n", out);
    if (!leaf) {
        fputs("<ul class=\"tree\">\n", out);
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(c, "children"), i, k)
            condition(out, k, 0);
        fputs("</ul>\n</details></li>\n", out);
        return;
    }
    fputs("<div class=\"body\">\n<p>", out);
    esc(out, T(N_("where written")));
    fputs(":", out);
    where(out, c);
    fputs("</p>\n", out);
    if (has(c, "reference")) {
        fprintf(out, "<p>%s: <span class=\"ref\">", T(N_("reference")));
        esc(out, S(c, "reference"));
        fputs("</span></p>\n", out);
    }
    derivation(out, c);
    flip(out, c);
    fputs("</div>\n</details></li>\n", out);
}

static void tree(FILE *out, const json_t *root)
{
    fputs("<ul class=\"tree root\">\n", out);
    condition(out, root, 1);
    fputs("</ul>\n", out);
}

/* ---- facts, parameters, what would decide ----------------------------------------------- */

static void state(FILE *out, const json_t *f)
{
    const char *st = S(f, "state");
    if (!strcmp(st, "known"))
        fprintf(out, "%s", T(N_("known")));
    else if (!strcmp(st, "stale"))
        fprintf(out, "<span class=\"warn\">⚠ %s</span>", T(N_("stale")));
    else if (!strcmp(st, "missing"))
        fprintf(out, "<span class=\"bad\">✗ %s</span>", T(N_("missing")));
    else {
        fputs("<span class=\"bad\">✗ ", out);
        esc(out, st);
        fputs("</span>", out);
    }
    if (json_is_true(json_object_get(f, "assumed")))
        fprintf(out, "; %s", T(N_("assumed by the source's rule")));
    if (has(f, "fresh_for")) {
        char dur[64];
        fprintf(out, "; %s ", T(N_("older than")));
        esc(out, people_duration(S(f, "fresh_for"), dur, sizeof dur));
    }
    if (json_is_true(json_object_get(f, "after_as_of")))
        fprintf(out, "; %s", T(N_("dated after the as-of date")));
}

static void facts_table(FILE *out, const json_t *facts, int outcomes)
{
    fprintf(out, "<table>\n<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
            "</thead>\n<tbody>\n", T(N_("fact")), T(N_("member")), T(N_("value")), T(N_("state")),
            T(N_("source")), T(N_("as of")));
    size_t i, k;
    json_t *f, *x;
    json_array_foreach(facts, i, f) {
        fputs("<tr><td>", out);
        fact_name(out, f);
        fputs("</td><td class=\"nw\">", out);
        if (has(f, "member"))
            member(out, f);
        fputs("</td><td class=\"num\">", out);
        if (has(f, "value"))
            esc(out, S(f, "value"));
        fputs("</td><td class=\"nw\">", out);
        state(out, f);
        fputs("</td><td>", out);
        esc(out, S(f, "source_label"));
        if (has(f, "source") && strcmp(S(f, "source"), S(f, "source_label")) != 0) {
            fputs(has(f, "source_label") ? " <code>" : "<code>", out);
            esc(out, S(f, "source"));
            fputs("</code>", out);
        }
        fputs("</td><td class=\"nw\">", out);
        esc(out, S(f, "as_of"));
        fputs("</td></tr>\n", out);
        const json_t *th = json_object_get(f, "through");
        if (th || json_array_size(json_object_get(f, "records")) ||
            (outcomes && (has(f, "decides") || json_array_size(json_object_get(f, "outcomes"))))) {
            fputs("<tr><td></td><td colspan=\"5\">", out);
            if (th) {
                /* household.region = 330102 (西湖区) → dibao_line from … (source …, table …) */
                fputs("<code>", out);
                esc(out, S(th, "key_fact"));
                fputs("</code> = ", out);
                esc(out, has(th, "key") ? S(th, "key") : T(N_("unknown")));
                if (has(th, "key_label")) {
                    fputs(" (", out);
                    esc(out, S(th, "key_label"));
                    fputc(')', out);
                }
                fputs(" → <code>", out);
                esc(out, S(th, "attribute"));
                fputs("</code>", out);
                if (has(th, "from")) {
                    fprintf(out, " %s ", T(N_("from")));
                    esc(out, S(th, "from"));
                }
                if (strcmp(S(th, "row"), "found") != 0) {
                    fputs(": <span class=\"warn\">", out);
                    esc(out, S(th, "row"));
                    fputs("</span>", out);
                }
                fprintf(out, " (%s ", T(N_("source")));
                esc(out, S(th, "table_source"));
                fprintf(out, ", %s ", T(N_("table")));
                esc(out, S(th, "table"));
                fputs(")<br>\n", out);
            }
            json_array_foreach(json_object_get(f, "records"), k, x) {
                member(out, x);
                fputs("<br>\n", out);
            }
            if (outcomes && has(f, "decides")) {
                esc_printed(out, people_print_decides, f);
                fputs("<br>\n", out);
            }
            json_array_foreach(outcomes ? json_object_get(f, "outcomes") : NULL, k, x) {
                fprintf(out, "%s ", T(N_("if")));
                esc_printed(out, people_print_outcome_value, x);
                fputs(": ", out);
                badge(out, S(x, "status"));
                if (has(x, "reason")) {
                    fputs(" — ", out);
                    esc_printed(out, people_print_outcome_why, x);
                }
                fputs("<br>\n", out);
            }
            fputs("</td></tr>\n", out);
        }
    }
    fputs("</tbody>\n</table>\n", out);
}

static void parameters_table(FILE *out, const json_t *params)
{
    fprintf(out, "<table>\n<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
            "</thead>\n<tbody>\n", T(N_("parameter")), T(N_("value")), T(N_("for")), T(N_("in force from")),
            T(N_("reference")), T(N_("where written")));
    size_t i;
    json_t *x;
    json_array_foreach(params, i, x) {
        fputs("<tr><td>", out);
        if (has(x, "label")) {
            esc(out, S(x, "label"));
            fputs(" ", out);
        }
        fputs("<code>", out);
        esc(out, S(x, "name"));
        fputs("</code></td><td class=\"num\">", out);
        value(out, x);
        fputs("</td><td>", out);
        esc(out, has(x, "keys") ? S(x, "key") : S(x, "key"));
        if (has(x, "entry") && strcmp(S(x, "entry"), S(x, "key")) != 0) {
            fprintf(out, " (%s ", T(N_("entry")));
            esc(out, S(x, "entry"));
            fputc(')', out);
        }
        fputs("</td><td>", out);
        esc(out, S(x, "from"));
        if (has(x, "as_of")) {
            fprintf(out, " (%s ", T(N_("as of")));
            esc(out, S(x, "as_of"));
            fputc(')', out);
        }
        fputs("</td><td class=\"ref\">", out);
        esc(out, S(x, "reference"));
        const json_t *rf = json_object_get(x, "reform");
        if (rf && !strcmp(S(rf, "file"), "--set"))
            fprintf(out, " <span class=\"warn\">%s</span>", T(N_("value from --set")));
        else if (rf) {
            fprintf(out, " <span class=\"warn\">%s ", T(N_("value from reform")));
            esc(out, S(rf, "name"));
            fputs("</span>", out);
        }
        fputs("</td><td>", out);
        where(out, x);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

/* the exceptions of a let or of the amount */
static void value_exceptions(FILE *out, const json_t *excs)
{
    size_t i;
    json_t *x;
    json_array_foreach(excs, i, x) {
        const char *r = result_key(S(x, "result"));
        fprintf(out, "<div class=\"r-%s\"><span class=\"mark\">%s</span> %s <code>", r, result_mark(r),
                T(N_("except when")));
        esc(out, S(x, "expr"));
        fprintf(out, "</code> %s <code>", T(N_("then")));
        esc(out, S(x, "then"));
        fputs("</code>", out);
        if (json_is_true(json_object_get(x, "applied"))) {
            fputs(" = ", out);
            value(out, x);
            fprintf(out, ", <b>%s</b>", T(N_("applied")));
        }
        where(out, x);
        fputs("<div class=\"body\">", out);
        if (has(x, "message")) {
            fputs("<p class=\"msg\">", out);
            esc(out, S(x, "message"));
            fputs("</p>\n", out);
        }
        derivation(out, x);
        fputs("</div></div>\n", out);
    }
}

/* ---- the reviewer page --------------------------------------------------------------- */

static void whom(FILE *out, const json_t *d)
{
    if (has(d, "member"))
        member(out, d);
    else
        esc(out, T(N_("household")));
}

static void amount(FILE *out, const json_t *d)
{
    if (!has(d, "amount"))
        return;
    esc(out, S(d, "amount"));
    if (has(d, "period")) {
        fputc(' ', out);
        esc(out, period_word(S(d, "period")));
    }
}

static void heading(FILE *out, const char *text)
{
    fputs("<h4>", out);
    esc(out, text);
    fputs("</h4>\n", out);
}

static void summary_table(FILE *out, const json_t *decisions)
{
    fprintf(out, "<section id=\"summary\">\n<h2>%s</h2>\n", T(N_("Summary")));
    fprintf(out, "<table>\n<thead><tr><th class=\"num\">#</th><th>%s</th><th>%s</th><th>%s</th>"
            "<th class=\"num\">%s</th></tr></thead>\n<tbody>\n",
            T(N_("policy")), T(N_("for whom")), T(N_("decision")), T(N_("amount")));
    size_t i;
    json_t *d;
    json_array_foreach(decisions, i, d) {
        fprintf(out, "<tr class=\"st-%s\"><td class=\"num\">%zu</td><td><a href=\"#d%zu\">", status_key(S(d, "status")),
                i + 1, i + 1);
        esc(out, has(d, "label") ? S(d, "label") : S(d, "policy"));
        fputs("</a> <code>", out);
        esc(out, S(d, "policy"));
        fputs("</code></td><td>", out);
        whom(out, d);
        fputs("</td><td>", out);
        badge(out, S(d, "status"));
        fputs("</td><td class=\"num\">", out);
        amount(out, d);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

static void decision(FILE *out, const json_t *d, size_t n)
{
    const char *st = S(d, "status");
    size_t i;
    json_t *x;
    fprintf(out, "<section class=\"decision st-%s\" id=\"d%zu\">\n<h2>%zu. ", status_key(st), n, n);
    esc(out, has(d, "label") ? S(d, "label") : S(d, "policy"));
    fputs("</h2>\n<p class=\"verdict\">", out);
    badge(out, st);
    if (has(d, "amount")) {
        fprintf(out, " %s <b>", T(N_("amount")));
        amount(out, d);
        fputs("</b>", out);
    }
    fputs("</p>\n<dl class=\"facts\">\n", out);
    fprintf(out, "<dt>%s</dt><dd><code>", T(N_("policy")));
    esc(out, S(d, "policy"));
    fputs("</code>", out);
    where(out, d);
    fprintf(out, "</dd>\n<dt>%s</dt><dd>", T(N_("for whom")));
    whom(out, d);
    fputs("</dd>\n", out);
    if (has(d, "reference")) {
        fprintf(out, "<dt>%s</dt><dd class=\"ref\">", T(N_("reference")));
        esc(out, S(d, "reference"));
        fputs("</dd>\n", out);
    }
    const json_t *wr = json_object_get(d, "would_receive");
    if (wr && json_is_object(wr) && has(wr, "amount")) {
        fprintf(out, "<dt>%s</dt><dd>", T(N_("would receive if met")));
        amount(out, wr);
        if (has(wr, "assuming")) {
            fputs(" (", out);
            esc(out, S(wr, "assuming"));
            fputc(')', out);
        }
        fputs("</dd>\n", out);
    }
    fputs("</dl>\n", out);

    json_t *why = json_object_get(d, "why_not");
    if (json_array_size(why)) {
        heading(out, T(N_("Why not")));
        fputs("<ul class=\"tree root\">\n", out);
        json_array_foreach(why, i, x) {
            fputs("<li class=\"r-not_met\"><span class=\"mark\">✗</span> <code>", out);
            esc(out, S(x, "expr"));
            fputs("</code>", out);
            where(out, x);
            fputs("<div class=\"body\">", out);
            if (has(x, "message")) {
                fputs("<p class=\"msg\">", out);
                esc(out, S(x, "message"));
                fputs("</p>\n", out);
            }
            if (has(x, "reference")) {
                fputs("<p class=\"ref\">", out);
                esc(out, S(x, "reference"));
                fputs("</p>\n", out);
            }
            flip(out, x);
            fputs("</div></li>\n", out);
        }
        fputs("</ul>\n", out);
    }
    json_array_foreach(json_object_get(d, "excluded_by"), i, x)
        if (json_is_true(json_object_get(x, "decided"))) {
            fprintf(out, "<p class=\"bad\">%s ", T(N_("Excluded by")));
            esc(out, S(x, "label"));
            fputs(" <code>", out);
            esc(out, S(x, "policy"));
            fprintf(out, "</code>, %s.</p>\n", T(N_("which applies")));
        }
    json_array_foreach(json_object_get(d, "exceptions"), i, x)
        if (json_is_true(json_object_get(x, "decided"))) {
            fprintf(out, "<p><b>%s</b>: <code>", T(N_("Decided by an exception")));
            esc(out, S(x, "expr"));
            fputs("</code> → ", out);
            badge(out, S(x, "gives"));
            where(out, x);
            if (has(x, "message")) {
                fputs("<br><span class=\"msg\">", out);
                esc(out, S(x, "message"));
                fputs("</span>", out);
            }
            fputs("</p>\n", out);
        }
    json_t *u = json_object_get(d, "undetermined");
    if (u && !json_is_null(u)) {
        heading(out, T(N_("What would decide it")));
        if (has(u, "error")) {
            fprintf(out, "<p class=\"bad\">%s: ", T(N_("error")));
            esc(out, S(u, "error"));
            fputs("</p>\n", out);
        }
        if (json_array_size(json_object_get(u, "unknown_facts")))
            facts_table(out, json_object_get(u, "unknown_facts"), 1);
        json_array_foreach(json_object_get(u, "undetermined_exclusions"), i, x) {
            fputs("<p class=\"warn\"><code>", out);
            esc(out, json_string_value(x));
            fprintf(out, "</code>: %s</p>\n", T(N_("would exclude it, and is undetermined")));
        }
    }
    json_t *settled = json_object_get(d, "settled");
    if (settled && !json_is_null(settled)) {
        heading(out, T(N_("Decided whatever the value of the facts not known")));
        facts_table(out, json_object_get(settled, "unknown_facts"), 1);
    }
    json_t *app = json_object_get(d, "applies_when");
    if (app && !json_is_null(app)) {
        heading(out, !strcmp(st, "not_applicable") ? T(N_("Not applicable: the policy is only for"))
                                                     : T(N_("Applies to")));
        tree(out, app);
    }
    json_t *cond = json_object_get(d, "conditions");
    if (cond && !json_is_null(cond)) {
        heading(out, T(N_("Conditions")));
        tree(out, cond);
    }
    if (json_array_size(json_object_get(d, "exceptions"))) {
        heading(out, T(N_("Exceptions")));
        fputs("<ul class=\"tree root\">\n", out);
        json_array_foreach(json_object_get(d, "exceptions"), i, x) {
            const char *r = result_key(S(x, "result"));
            fprintf(out, "<li class=\"r-%s\"><span class=\"mark\">%s</span> %s <code>", r, result_mark(r),
                    T(N_("when")));
            esc(out, S(x, "expr"));
            fprintf(out, "</code> %s ", T(N_("then")));
            badge(out, S(x, "gives"));
            where(out, x);
            if (has(x, "message")) {
                fputs("<div class=\"body\"><p class=\"msg\">", out);
                esc(out, S(x, "message"));
                fputs("</p></div>", out);
            }
            fputs("</li>\n", out);
        }
        fputs("</ul>\n", out);
    }
    if (json_array_size(json_object_get(d, "excluded_by"))) {
        heading(out, T(N_("Excluded when these apply")));
        fprintf(out, "<table>\n<thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
                T(N_("policy")), T(N_("decision")), T(N_("excludes this one")));
        json_array_foreach(json_object_get(d, "excluded_by"), i, x) {
            fputs("<tr><td>", out);
            esc(out, S(x, "label"));
            fputs(" <code>", out);
            esc(out, S(x, "policy"));
            fputs("</code></td><td>", out);
            badge(out, S(x, "status"));
            fprintf(out, "</td><td>%s</td></tr>\n",
                    json_is_true(json_object_get(x, "decided")) ? T(N_("yes")) : T(N_("no")));
        }
        fputs("</tbody>\n</table>\n", out);
    }
    if (json_array_size(json_object_get(d, "lets"))) {
        heading(out, T(N_("Values computed")));
        json_array_foreach(json_object_get(d, "lets"), i, x) {
            fputs("<div class=\"let\"><b>", out);
            esc(out, S(x, "name"));
            fputs("</b> = ", out);
            value(out, x);
            fputs(" <span class=\"dim\">←</span> <code>", out);
            esc(out, S(x, "expr"));
            fputs("</code>", out);
            where(out, x);
            fputs("<div class=\"body\">", out);
            derivation(out, x);
            value_exceptions(out, json_object_get(x, "exceptions"));
            fputs("</div></div>\n", out);
        }
    }
    json_t *am = json_object_get(d, "amount_derivation");
    if (am && !json_is_null(am)) {
        heading(out, T(N_("Amount")));
        fputs("<div class=\"let\"><code>", out);
        esc(out, S(am, "expr"));
        fputs("</code> = ", out);
        value(out, am);
        where(out, am);
        fputs("<div class=\"body\">", out);
        derivation(out, am);
        value_exceptions(out, json_object_get(d, "amount_exceptions"));
        fputs("</div></div>\n", out);
    }
    if (json_array_size(json_object_get(d, "facts"))) {
        heading(out, T(N_("Facts")));
        facts_table(out, json_object_get(d, "facts"), 0);
    }
    if (json_array_size(json_object_get(d, "parameters"))) {
        heading(out, T(N_("Parameters")));
        parameters_table(out, json_object_get(d, "parameters"));
    }
    fprintf(out, "<p class=\"top\"><a href=\"#summary\">↑ %s</a></p>\n</section>\n", T(N_("Summary")));
}

static void reviewer(html *h, const json_t *doc)
{
    const json_t *hh = json_object_get(doc, "household");
    html_fact(h, T(N_("as of")), S(doc, "as_of"));
    html_fact(h, T(N_("household")), has(hh, "id") ? S(hh, "id") : T(N_("(given in a file)")));
    char n[32];
    html_fact(h, T(N_("members")), html_fmt_count(I(hh, "members"), n, sizeof n));
    const json_t *rf = json_object_get(doc, "reform");
    if (rf && json_is_object(rf)) {
        const char *name = has(rf, "label") ? S(rf, "label") : S(rf, "name");
        html_fact(h, T(N_("reform")), name);
    }
    FILE *out = html_raw(h);
    const json_t *ds = json_object_get(doc, "decisions");
    summary_table(out, ds);
    size_t i;
    json_t *d;
    json_array_foreach(ds, i, d)
        decision(out, d, i + 1);
    /* what a reviewer signs */
    fprintf(out, "<div class=\"sign\">\n<p>%s</p>\n<p>%s</p>\n</div>\n", T(N_("Reviewed by (name, signature)")),
            T(N_("Date")));
}

/* ---- the page for the person concerned ------------------------------------------------ */

/* a drafter's message; a value not known yet ("?") written out */
static void message(FILE *out, const char *prefix, const char *msg)
{
    fputs("<li>", out);
    esc(out, prefix);
    const char *s = msg, *q;
    while ((q = strchr(s, '?'))) {
        html_escape_n(out, s, (size_t)(q - s));
        esc(out, T(N_("(to be verified)")));
        s = q + 1;
    }
    esc(out, s);
    fputs("</li>\n", out);
}

static void messages_of(FILE *out, const json_t *c, const char *want, const char *prefix)
{
    if (!c || json_is_null(c))
        return;
    if (strcmp(S(c, "kind"), "condition") != 0) {
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(c, "children"), i, k)
            messages_of(out, k, want, prefix);
        return;
    }
    if (!strcmp(S(c, "result"), want) && has(c, "message"))
        message(out, prefix, S(c, "message"));
}

/* "（家庭成员 2）" after a fact or a decision */
static void citizen_member(FILE *out, const json_t *o)
{
    if (!has(o, "member"))
        return;
    fprintf(out, " (%s %lld", T(N_("household member")), I(o, "member"));
    if (has(o, "relation_label")) {
        fputs(", ", out);
        esc(out, S(o, "relation_label"));
    }
    if (has(o, "member_id")) {
        fputs(", ", out);
        esc(out, S(o, "member_id"));
    }
    if (has(o, "claim"))
        fprintf(out, ", %s %lld", T(N_("claim")), I(o, "claim"));
    fputc(')', out);
}

static void citizen_decision(FILE *out, const json_t *d)
{
    const char *st = S(d, "status");
    size_t i;
    json_t *x;
    fprintf(out, "<section class=\"card st-%s\">\n<h2>", status_key(st));
    esc(out, S(d, "label"));
    fputs("</h2>\n", out);
    /* whom, under the heading: a heading carries no id */
    if (has(d, "member")) {
        fputs("<p class=\"whom\">", out);
        citizen_member(out, d);
        fputs("</p>\n", out);
    }
    fputs("<p>", out);
    badge(out, st);
    fputs("</p>\n", out);
    if (!strcmp(st, "eligible") && has(d, "amount")) {
        fprintf(out, "<p class=\"amount\">%s: ", T(N_("Amount")));
        esc(out, S(d, "amount"));
        fprintf(out, " %s", T(N_("yuan")));
        if (has(d, "period")) {
            fputc(' ', out);
            esc(out, period_word(S(d, "period")));
        }
        fputs("</p>\n", out);
    }
    if (!strcmp(st, "undetermined"))
        fprintf(out, "<p>%s</p>\n", T(N_("This cannot be decided yet: some information must be given or brought "
                                          "up to date first.")));
    fputs("<ul>\n", out);
    if (!strcmp(st, "eligible")) {
        messages_of(out, json_object_get(d, "conditions"), "met", "");
    } else if (!strcmp(st, "not_applicable")) {
        json_t *app = json_object_get(d, "applies_when");
        if (app && has(app, "message"))
            message(out, T(N_("This programme is only for: ")), S(app, "message"));
    } else if (!strcmp(st, "not_eligible")) {
        json_array_foreach(json_object_get(d, "why_not"), i, x)
            if (has(x, "message"))  /* a message for "not met" says so itself */
                message(out, strcmp(S(x, "message_for"), "not_met") ? T(N_("Not met: ")) : "", S(x, "message"));
        json_array_foreach(json_object_get(d, "excluded_by"), i, x)
            if (json_is_true(json_object_get(x, "decided"))) {
                fprintf(out, "<li>%s", T(N_("Already receives: ")));
                esc(out, S(x, "label"));
                fprintf(out, "%s</li>\n", T(N_("; both cannot be received.")));
            }
        json_array_foreach(json_object_get(d, "exceptions"), i, x)
            if (json_is_true(json_object_get(x, "decided")) && has(x, "message"))
                message(out, "", S(x, "message"));
    } else {
        messages_of(out, json_object_get(d, "conditions"), "unknown", T(N_("Still to be checked: ")));
        json_array_foreach(json_object_get(json_object_get(d, "undetermined"), "unknown_facts"), i, x) {
            if (!has(x, "label"))
                continue;
            fprintf(out, "<li>%s", !strcmp(S(x, "state"), "stale") ? T(N_("Information to bring up to date: "))
                                                                 : T(N_("Information to give: ")));
            esc(out, S(x, "label"));
            citizen_member(out, x);
            if (has(x, "source_label")) {
                fprintf(out, ", %s ", T(N_("given by")));
                esc(out, S(x, "source_label"));
            }
            fputs("</li>\n", out);
        }
    }
    /* values no department gave, taken as the rule of their source says */
    json_array_foreach(json_object_get(d, "facts"), i, x) {
        if (!json_is_true(json_object_get(x, "assumed")) || !has(x, "label"))
            continue;
        fprintf(out, "<li>%s", T(N_("Taken as the source's rule says: ")));
        esc(out, S(x, "label"));
        fputs(" = ", out);
        esc(out, S(x, "value"));
        citizen_member(out, x);
        if (has(x, "source_label")) {
            fputs(" (", out);
            esc(out, S(x, "source_label"));
            fprintf(out, " %s)", T(N_("did not give it")));
        }
        fputs("</li>\n", out);
    }
    json_t *settled = json_object_get(d, "settled");
    json_array_foreach(settled ? json_object_get(settled, "unknown_facts") : NULL, i, x) {
        if (!has(x, "label"))
            continue;
        fprintf(out, "<li>%s", T(N_("Information still to be checked does not change the result: ")));
        esc(out, S(x, "label"));
        citizen_member(out, x);
        fputs("</li>\n", out);
    }
    fputs("</ul>\n</section>\n", out);
}

static void citizen(html *h, const json_t *doc)
{
    FILE *out = html_raw(h);
    fprintf(out, "<p class=\"asof\">%s ", T(N_("As of")));
    esc(out, S(doc, "as_of"));
    fputs("</p>\n", out);
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(doc, "decisions"), i, d)
        citizen_decision(out, d);
}

int explain_print_html(const json_t *doc, int audience, FILE *out)
{
    /* the person concerned never sees an id whole: a copy masked */
    json_t *masked = NULL;
    if (audience == EX_CITIZEN) {
        masked = json_deep_copy(doc);
        if (!masked || explain_mask_ids(masked)) {
            json_decref(masked);
            return -1;
        }
        doc = masked;
    }
    const char *lang = hm_i18n_zh() ? "zh-CN" : "en";
    html *h = audience == EX_CITIZEN
                  ? html_begin_css(out, T(N_("Your results")), lang, CITIZEN_CSS)
                  : html_begin_css(out, T(N_("Explanation of the decisions")), lang, REVIEW_CSS);
    if (!h) {
        json_decref(masked);
        return -1;
    }
    if (audience == EX_CITIZEN)
        citizen(h, doc);
    else
        reviewer(h, doc);
    json_decref(masked);
    return html_end(h);
}

int explain_html_periods(json_t *doc, const hm_program *p)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(doc, "decisions"), i, d) {
        int64_t fen;
        if (has(d, "amount") && package_parse_fen(S(d, "amount"), &fen) == 0 &&
            json_object_set_new(d, "period",
                                json_string(package_period_word(package_policy_period(p, S(d, "policy"))))))
            return -1;
    }
    return 0;
}
