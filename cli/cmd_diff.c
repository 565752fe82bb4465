/* cmd_diff.c -- `huimin diff BASE… [REFORM] --config FILE`: who gains,
 * who loses and what a reform costs, both packs over one population in
 * one pass (batch/diff.c). */
#include "cli.h"
#include "diff.h"
#include "fen.h"
#include "frontend.h"
#include "html.h"
#include "huimin.h"
#include "mask.h"
#include "utf8.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void diff_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin diff BASE... REFORM --config FILE [--as-of DATE] [--out RESULTS.db]\n"
            "                   [--set parameter.NAME=VALUE[ as of DATE]]... [--set S.KEY=VALUE]...\n"
            "                   [--top N] [--threads N] [--[no-]progress] [--format text|json|html]\n"
            "       huimin diff BASE... --set parameter.NAME=VALUE... --config FILE …\n"
            "\n"
            "Decide every household and person of the configured population by two packs\n"
            "in one pass (the facts are loaded once) and say what changes, per policy:\n"
            "newly eligible, no longer eligible, paid more, paid less, unchanged, and\n"
            "decisions that become undetermined or stop being so; the change of cost in\n"
            "each policy's period and per year (a monthly amount × 12; amounts of other\n"
            "periods are never added); the change by region (township, county, city);\n"
            "how many households gain or lose, with the deciles of their changes; and\n"
            "the households with the largest changes.\n"
            "\n"
            "BASE is a compiled pack (.hmc), or policy files and directories.  REFORM, the\n"
            "last argument, is a compiled pack (a reformed one: `huimin compile BASE\n"
            "--reform R.pol -o R.hmc`) or a reform file (`reform … amends …`), compiled\n"
            "with BASE's files.  The `--set parameter.…` options amend REFORM; without\n"
            "REFORM they make it: the base with those parameters changed.  The two packs\n"
            "must declare the facts they share alike (a fact of another type is refused);\n"
            "REFORM may declare more.  Policies are matched by name; a policy only one\n"
            "pack has is shown as added or removed.\n"
            "\n"
            "ID numbers printed are masked (330102********0013); with --out the diff is\n"
            "stored in RESULTS.db (created 0600; tables diff_runs, diff_policies,\n"
            "diff_regions, diff_distribution, diff_households), ids in full.\n"
            "\n"
            "Options:\n"
            "  --config FILE         the source configuration\n"
            "  --as-of DATE          evaluate as of this date (YYYY-MM-DD; default the\n"
            "                        configuration's, else today, UTC)\n"
            "  --out FILE            store the diff in this results database\n"
            "  --set parameter.NAME=VALUE[ as of DATE]\n"
            "                        what if: the reform's parameter takes VALUE\n"
            "  --set S.KEY=VALUE     override a setting of the configuration\n"
            "  --top N               list the N households of the largest changes (default\n"
            "                        10; 0 for none)\n"
            "  --threads N           evaluation threads (default: one per core)\n"
            "  --progress, --no-progress  say when the facts are loaded (default: on a terminal)\n"
            "  --format text|json|html  output format (default text); html: a page that\n"
            "                        needs no network, with the gains and losses as a\n"
            "                        histogram and the cost change by region as bars\n"
            "  -h, --help            show this help\n"
            "\n"
            "Exit status: 0 done, 1 the policies have errors, 2 usage error, unreadable\n"
            "input, packs that cannot share the facts, or a configuration or plugin error.\n");
}

/* a change: "+12.00", "-3.50", "0.00" */
static void fmt_change(long long fen, char *buf, size_t n)
{
    buf[0] = '+';
    fen_format(fen, buf + (fen > 0), n - 1);
}

static void pad(const char *s, int width)
{
    fputs(s, stdout);
    for (int w = utf8_display_width(s, strlen(s)); w < width; w++)
        putchar(' ');
}

static const char *const period_word[] = { "month", "year", "once" };
static const char *const period_key[] = { "per_month", "per_year", "once" };   /* JSON */
static const char *const level_word[] = { "township", "county", "city" };

static const char *entity_word(int e)
{
    return e == HM_ENTITY_CLAIM ? "claim" : e == HM_ENTITY_PERSON ? "person" : "household";
}

/* A policy's change per year: per month × 12, per year as it is; 0 when
 * it has none (a lump sum, no amount). */
static int per_year(const diff_policy *P, long long *fen)
{
    *fen = P->change;
    if (!P->has_amount || P->period == DIFF_ONCE)
        return 0;
    return P->period == DIFF_MONTH ? (__builtin_mul_overflow(*fen, 12LL, fen) ? -1 : 1) : 1;
}

/* A region's change in period p (Σ over the policies of that period), and
 * per year; 0, or -1 on overflow. */
static int region_change(const diff_result *D, const diff_region *G, long long c[DIFF_NPERIODS], long long *year)
{
    memset(c, 0, sizeof(long long) * DIFF_NPERIODS);
    for (int i = 0; i < D->npolicies; i++)
        if (D->policies[i].has_amount && __builtin_add_overflow(c[D->policies[i].period], G->change[i],
                                                                &c[D->policies[i].period]))
            return -1;
    return __builtin_mul_overflow(c[DIFF_MONTH], 12LL, year) || __builtin_add_overflow(*year, c[DIFF_YEAR], year)
               ? -1 : 0;
}

static void print_text(const diff_result *D)
{
    printf("diff as of %s: %lld households, %lld persons\n", D->as_of, (long long)D->households,
           (long long)D->persons);
    printf("base   %s\nreform %s\n\n", D->base_hash, D->reform_hash);
    printf("%-20s %-9s %8s %9s %9s %9s %9s %8s %8s %14s %-5s %14s\n", "policy", "for", "newly", "no longer",
           "paid more", "paid less", "unchanged", "to undet", "from und", "change", "per", "per year");
    for (int i = 0; i < D->npolicies; i++) {
        const diff_policy *P = &D->policies[i];
        char name[256], chg[32] = "-", year[32] = "-";
        snprintf(name, sizeof name, "%s%s", P->name, !P->in_base ? " (added)" : !P->in_reform ? " (removed)" : "");
        pad(name, 20);
        printf(" %-9s %8lld %9lld %9lld %9lld %9lld %8lld %8lld ", entity_word(P->entity), (long long)P->cat[DIFF_NEW],
               (long long)P->cat[DIFF_LOST], (long long)P->cat[DIFF_MORE], (long long)P->cat[DIFF_LESS],
               (long long)P->cat[DIFF_SAME], (long long)P->cat[DIFF_TO_UNDET], (long long)P->cat[DIFF_FROM_UNDET]);
        if (P->has_amount) {
            long long y;
            int r = per_year(P, &y);
            fmt_change(P->change, chg, sizeof chg);
            if (r > 0)
                fmt_change(y, year, sizeof year);
            else if (r < 0)
                snprintf(year, sizeof year, "(overflow)");
        }
        printf("%14s %-5s %14s\n", chg, P->has_amount ? period_word[P->period] : "-", year);
    }
    char m[32];
    printf("\ncost change:");
    for (int p = 0; p < DIFF_NPERIODS; p++)
        if (D->has_period[p]) {
            fmt_change(D->total_change[p], m, sizeof m);
            printf(" %s %s%s,", m, p == DIFF_ONCE ? "" : "per ", period_word[p]);
        }
    fmt_change(D->total_per_year, m, sizeof m);
    printf(" %s per year in all (per month × 12 + per year)\n", m);
    for (int l = DIFF_CITY; l >= 0 && D->has_regions; l--) {
        if (!D->nregions[l])
            continue;
        if (l == DIFF_TOWNSHIP && D->nregions[l] > 40) {
            printf("\nby township: %d townships, in the JSON output and the results database\n", D->nregions[l]);
            continue;
        }
        printf("\nby %s:\n%-12s %-16s %10s %8s %9s %14s %14s %14s %14s\n", level_word[l], "region", "name",
               "households", "newly", "no longer", "per month", "per year", "once", "in a year");
        for (int g = 0; g < D->nregions[l]; g++) {
            const diff_region *G = &D->regions[l][g];
            long long c[DIFF_NPERIODS], y, nw = 0, lost = 0;
            for (int i = 0; i < D->npolicies; i++) {
                nw += G->newly[i];
                lost += G->lost[i];
            }
            char cp[DIFF_NPERIODS][32], cy[32] = "(overflow)";
            if (!region_change(D, G, c, &y))
                fmt_change(y, cy, sizeof cy);
            for (int p = 0; p < DIFF_NPERIODS; p++)
                fmt_change(c[p], cp[p], sizeof cp[p]);
            pad(*G->code ? G->code : "(unknown)", 12);
            putchar(' ');
            pad(G->name && strcmp(G->name, G->code) ? G->name : "-", 16);
            printf(" %10lld %8lld %9lld %14s %14s %14s %14s\n", (long long)G->households, nw, lost, cp[0], cp[1], cp[2],
                   cy);
        }
    }
    for (int p = 0; p < DIFF_NPERIODS; p++) {
        if (!D->has_period[p])
            continue;
        printf("\nhouseholds, change %s%s: %lld gain, %lld lose, %lld unchanged\n", p == DIFF_ONCE ? "" : "per ",
               period_word[p],
               (long long)D->gainers[p], (long long)D->losers[p], (long long)D->unchanged[p]);
        if (!(D->gainers[p] + D->losers[p]))
            continue;
        printf("  deciles of the changes:");
        for (int d = 0; d <= 10; d++) {
            fmt_change(D->deciles[p][d], m, sizeof m);
            printf(" %d%% %s%s", d * 10, m, d < 10 ? "," : "\n");
        }
    }
    if (D->ntop) {
        printf("\nthe %d largest changes:\n%4s  %-20s %14s %14s %14s %14s\n", D->ntop, "rank", "household",
               "per month", "per year", "once", "in a year");
        for (int i = 0; i < D->ntop; i++) {
            const diff_household *H = &D->top[i];
            char masked[256], c[DIFF_NPERIODS][32], y[32];
            for (int p = 0; p < DIFF_NPERIODS; p++)
                fmt_change(H->change[p], c[p], sizeof c[p]);
            fmt_change(H->per_year, y, sizeof y);
            printf("%4d  ", i + 1);
            pad(strlen(H->id) < sizeof masked ? mask_id(H->id, masked) : "(long id)", 20);
            printf(" %14s %14s %14s %14s\n", c[0], c[1], c[2], y);
        }
    }
}

static void json_str(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void json_fen(long long fen)
{
    char m[32];
    fen_format(fen, m, sizeof m);
    printf("\"%s\"", m);
}

static void print_json(const diff_result *D)
{
    printf("{\"diff\": {\"as_of\": \"%s\", \"households\": %lld, \"persons\": %lld, \"base\": \"%s\", "
           "\"reform\": \"%s\", \"diff_id\": ", D->as_of, (long long)D->households, (long long)D->persons,
           D->base_hash, D->reform_hash);
    if (D->diff_id)
        printf("%lld", D->diff_id);
    else
        printf("null");
    printf("},\n \"policies\": [");
    for (int i = 0; i < D->npolicies; i++) {
        const diff_policy *P = &D->policies[i];
        printf("%s\n  {\"policy\": ", i ? "," : "");
        json_str(P->name);
        printf(", \"label\": ");
        json_str(P->label);
        printf(", \"entity\": \"%s\", \"presence\": \"%s\", \"newly_eligible\": %lld, \"no_longer_eligible\": %lld, "
               "\"paid_more\": %lld, \"paid_less\": %lld, \"unchanged\": %lld, \"to_undetermined\": %lld, "
               "\"from_undetermined\": %lld, \"eligible\": [%lld, %lld], ", entity_word(P->entity),
               P->in_base && P->in_reform ? "both" : P->in_base ? "removed" : "added", (long long)P->cat[DIFF_NEW],
               (long long)P->cat[DIFF_LOST], (long long)P->cat[DIFF_MORE], (long long)P->cat[DIFF_LESS],
               (long long)P->cat[DIFF_SAME], (long long)P->cat[DIFF_TO_UNDET], (long long)P->cat[DIFF_FROM_UNDET],
               (long long)P->eligible[0], (long long)P->eligible[1]);
        if (!P->has_amount) {
            printf("\"period\": null, \"change\": null, \"change_per_year\": null}");
            continue;
        }
        long long y;
        int r = per_year(P, &y);
        printf("\"period\": \"%s\", \"total\": [", period_word[P->period]);
        json_fen(P->total[0]);
        printf(", ");
        json_fen(P->total[1]);
        printf("], \"change\": ");
        json_fen(P->change);
        printf(", \"change_per_year\": ");
        if (r > 0)
            json_fen(y);
        else
            printf("null");
        printf("}");
    }
    printf("],\n \"cost_change\": {");
    for (int p = 0; p < DIFF_NPERIODS; p++) {
        printf("\"%s\": ", period_key[p]);
        if (D->has_period[p])
            json_fen(D->total_change[p]);
        else
            printf("null");
        printf(", ");
    }
    printf("\"in_a_year\": ");
    json_fen(D->total_per_year);
    printf("},\n \"regions\": {");
    for (int l = 0, first = 1; l < DIFF_NLEVELS; l++) {
        if (!D->has_regions)
            break;
        printf("%s\"%s\": [", first ? "" : ", ", level_word[l]);
        first = 0;
        for (int g = 0; g < D->nregions[l]; g++) {
            const diff_region *G = &D->regions[l][g];
            long long c[DIFF_NPERIODS], y;
            int bad = region_change(D, G, c, &y);
            printf("%s\n   {\"region\": ", g ? "," : "");
            json_str(G->code);
            printf(", \"name\": ");
            json_str(G->name ? G->name : G->code);
            printf(", \"households\": %lld, \"policies\": {", (long long)G->households);
            for (int i = 0; i < D->npolicies; i++) {
                printf("%s", i ? ", " : "");
                json_str(D->policies[i].name);
                printf(": {\"newly_eligible\": %lld, \"no_longer_eligible\": %lld, \"change\": ",
                       (long long)G->newly[i], (long long)G->lost[i]);
                if (D->policies[i].has_amount)
                    json_fen(G->change[i]);
                else
                    printf("null");
                printf("}");
            }
            for (int p = 0; p < DIFF_NPERIODS; p++) {
                printf("%s\"%s\": ", p ? ", " : "}, ", period_key[p]);
                json_fen(c[p]);
            }
            printf(", \"in_a_year\": ");
            if (bad)
                printf("null");
            else
                json_fen(y);
            printf("}");
        }
        printf("]");
    }
    printf("},\n \"distribution\": {");
    for (int p = 0, first = 1; p < DIFF_NPERIODS; p++) {
        if (!D->has_period[p])
            continue;
        printf("%s\"%s\": {\"gain\": %lld, \"lose\": %lld, \"unchanged\": %lld, \"deciles\": ", first ? "" : ", ",
               period_key[p], (long long)D->gainers[p], (long long)D->losers[p], (long long)D->unchanged[p]);
        first = 0;
        if (!(D->gainers[p] + D->losers[p])) {
            printf("null}");
            continue;
        }
        for (int d = 0; d <= 10; d++) {
            printf("%s", d ? ", " : "[");
            json_fen(D->deciles[p][d]);
        }
        printf("], \"histogram\": [");
        for (int k = 0; k < DIFF_BINS; k++) {
            printf("%s{\"from\": ", k ? ", " : "");
            json_fen(D->edge[p][k]);
            printf(", \"to\": ");
            json_fen(D->edge[p][k + 1]);
            printf(", \"households\": %lld}", (long long)D->hist[p][k]);
        }
        printf("]}");
    }
    printf("},\n \"largest\": [");
    for (int i = 0; i < D->ntop; i++) {
        const diff_household *H = &D->top[i];
        char masked[256];
        printf("%s\n  {\"rank\": %d, \"household\": ", i ? "," : "", i + 1);
        json_str(strlen(H->id) < sizeof masked ? mask_id(H->id, masked) : "(long id)");
        for (int p = 0; p < DIFF_NPERIODS; p++) {
            printf(", \"%s\": ", period_key[p]);
            json_fen(H->change[p]);
        }
        printf(", \"in_a_year\": ");
        json_fen(H->per_year);
        printf("}");
    }
    printf("]}\n");
}

/* The page (--format html): tables, the cost change by policy and by
 * region as bars, the gains and losses as a histogram per period.  0, or
 * -1 after saying why not. */
static int print_html(const diff_result *D)
{
    html *h = html_begin(stdout, "huimin diff", "zh-CN");
    if (!h) {
        cli_error("out of memory");
        return -1;
    }
    char b[64];
    html_fact(h, "as of", D->as_of);
    snprintf(b, sizeof b, "%lld", (long long)D->households);
    html_fact(h, "households", b);
    snprintf(b, sizeof b, "%lld", (long long)D->persons);
    html_fact(h, "persons", b);
    html_fact(h, "base", D->base_hash);
    html_fact(h, "reform", D->reform_hash);
    html_section(h, "Policies");
    static const char *const head[] = { "policy", "label", "for", "newly eligible", "no longer", "paid more",
                                        "paid less", "unchanged", "to undetermined", "from undetermined",
                                        "change", "per", "per year" };
    html_table_begin(h, NULL, 13, head, "lllrrrrrrrrlr");
    html_bar *bars = calloc((size_t)D->npolicies + 1, sizeof *bars);
    html_pair *pairs = calloc((size_t)D->npolicies + 1, sizeof *pairs);
    char (*names)[300] = calloc((size_t)D->npolicies + 1, sizeof *names);
    size_t nbars = 0, npairs = 0;
    if (!bars || !pairs || !names) {
        free(bars);
        free(pairs);
        free(names);
        html_end(h);
        cli_error("out of memory");
        return -1;
    }
    for (int i = 0; i < D->npolicies; i++) {
        const diff_policy *P = &D->policies[i];
        snprintf(names[i], sizeof names[i], "%s%s", P->name, !P->in_base ? " (added)" : !P->in_reform ? " (removed)" : "");
        html_cell(h, names[i]);
        html_cell(h, P->label);
        html_cell(h, entity_word(P->entity));
        for (int c = 0; c < DIFF_NCAT; c++)
            html_cell_count(h, P->cat[c]);
        long long y = 0;
        int r = per_year(P, &y);
        if (P->has_amount)
            html_cell_fen(h, P->change);
        else
            html_cell(h, "-");
        html_cell(h, P->has_amount ? period_word[P->period] : "-");
        if (r > 0)
            html_cell_fen(h, y);
        else
            html_cell(h, r < 0 ? "(overflow)" : "-");
        pairs[npairs++] = (html_pair){ names[i], P->eligible[0], P->eligible[1] };
        if (r > 0)
            bars[nbars++] = (html_bar){ names[i], y };
    }
    html_table_end(h);
    html_bars2(h, "Eligible, before and after", HTML_COUNT, "base", "reform", pairs, npairs);
    html_section(h, "Cost change");
    for (int p = 0; p < DIFF_NPERIODS; p++)
        if (D->has_period[p]) {
            snprintf(b, sizeof b, "%s%s: ", p == DIFF_ONCE ? "" : "per ", period_word[p]);
            size_t len = strlen(b);
            html_fmt_fen(D->total_change[p], b + len, sizeof b - len);
            html_para(h, b);
        }
    snprintf(b, sizeof b, "in a year (per month × 12 + per year): ");
    html_fmt_fen(D->total_per_year, b + strlen(b), sizeof b - strlen(b));
    html_para(h, b);
    html_bars(h, "Change in a year, by policy (yuan)", HTML_FEN, bars, nbars);
    free(bars);
    free(pairs);
    free(names);
    for (int l = DIFF_CITY; l >= 0 && D->has_regions; l--) {
        snprintf(b, sizeof b, "By %s", level_word[l]);
        html_section(h, b);
        html_bar *rb = calloc((size_t)D->nregions[l] + 1, sizeof *rb);
        char (*label)[80] = calloc((size_t)D->nregions[l] + 1, sizeof *label);
        if (!rb || !label) {
            free(rb);
            free(label);
            html_end(h);
            cli_error("out of memory");
            return -1;
        }
        static const char *const rhead[] = { "region", "name", "households", "newly eligible", "no longer",
                                             "per month", "per year", "once", "in a year" };
        int show = l != DIFF_TOWNSHIP || D->nregions[l] <= 200;
        if (show)
            html_table_begin(h, NULL, 9, rhead, "llrrrrrrr");
        for (int g = 0; g < D->nregions[l]; g++) {
            const diff_region *G = &D->regions[l][g];
            long long c[DIFF_NPERIODS], y = 0, nw = 0, lost = 0;
            int bad = region_change(D, G, c, &y);
            for (int i = 0; i < D->npolicies; i++) {
                nw += G->newly[i];
                lost += G->lost[i];
            }
            snprintf(label[g], sizeof label[g], "%s%s%s", *G->code ? G->code : "(unknown)",
                     G->name && strcmp(G->name, G->code) ? " " : "", G->name && strcmp(G->name, G->code) ? G->name : "");
            rb[g] = (html_bar){ label[g], bad ? 0 : y };
            if (!show)
                continue;
            html_cell(h, *G->code ? G->code : "(unknown)");
            html_cell(h, G->name && strcmp(G->name, G->code) ? G->name : "-");
            html_cell_count(h, G->households);
            html_cell_count(h, nw);
            html_cell_count(h, lost);
            for (int p = 0; p < DIFF_NPERIODS; p++)
                html_cell_fen(h, c[p]);
            if (bad)
                html_cell(h, "(overflow)");
            else
                html_cell_fen(h, y);
        }
        if (show)
            html_table_end(h);
        if (l != DIFF_TOWNSHIP)
            html_bars(h, "Change in a year (yuan)", HTML_FEN, rb, (size_t)D->nregions[l]);
        free(rb);
        free(label);
    }
    html_section(h, "Gains and losses");
    for (int p = 0; p < DIFF_NPERIODS; p++) {
        if (!D->has_period[p])
            continue;
        snprintf(b, sizeof b, "Change %s%s", p == DIFF_ONCE ? "" : "per ", period_word[p]);
        html_heading(h, b);
        char line[160];
        snprintf(line, sizeof line, "%lld households gain, %lld lose, %lld unchanged.", (long long)D->gainers[p],
                 (long long)D->losers[p], (long long)D->unchanged[p]);
        html_para(h, line);
        if (!(D->gainers[p] + D->losers[p]))
            continue;
        static const char *const dhead[] = { "decile", "change" };
        html_table_begin(h, "Deciles of the non-zero changes", 2, dhead, "rr");
        for (int d = 0; d <= 10; d++) {
            snprintf(line, sizeof line, "%d %%", d * 10);
            html_cell(h, line);
            html_cell_fen(h, D->deciles[p][d]);
        }
        html_table_end(h);
        html_bar bins[DIFF_BINS];
        char blabel[DIFF_BINS][80];
        for (int k = 0; k < DIFF_BINS; k++) {
            char x[32], y[32];
            html_fmt_fen(D->edge[p][k], x, sizeof x);
            html_fmt_fen(D->edge[p][k + 1], y, sizeof y);
            snprintf(blabel[k], sizeof blabel[k], "%s … %s", x, y);
            bins[k] = (html_bar){ blabel[k], D->hist[p][k] };
        }
        html_histogram(h, "Households by their change (yuan)", HTML_COUNT, bins, DIFF_BINS);
    }
    if (D->ntop) {
        html_section(h, "The largest changes");
        static const char *const thead[] = { "rank", "household", "per month", "per year", "once", "in a year" };
        html_table_begin(h, NULL, 6, thead, "rlrrrr");
        for (int i = 0; i < D->ntop; i++) {
            const diff_household *H = &D->top[i];
            char masked[256];
            snprintf(b, sizeof b, "%d", i + 1);
            html_cell(h, b);
            html_cell(h, strlen(H->id) < sizeof masked ? mask_id(H->id, masked) : "(long id)");
            for (int p = 0; p < DIFF_NPERIODS; p++)
                html_cell_fen(h, H->change[p]);
            html_cell_fen(h, H->per_year);
        }
        html_table_end(h);
    }
    if (html_end(h)) {
        cli_error("cannot write the page: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* The pack of paths (a .hmc alone is loaded as it is), amended by the
 * policy file `reform` and the what-ifs of `whatif` when given.  EXIT_CLEAN
 * with *out, or the exit status after printing why not. */
static int make_pack(char **paths, int n, const char *reform, const char *whatif, int quiet, hm_pack **out)
{
    *out = NULL;
    char err[1024];
    if (n == 1 && !reform && !whatif && cli_is_pack(paths[0])) {
        if (hm_pack_load(paths[0], out, err, sizeof err) != HM_OK) {
            cli_error_lines(err);
            return EXIT_USAGE;
        }
        return EXIT_CLEAN;
    }
    char **files = calloc((size_t)n + 2, sizeof *files);
    if (!files) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    memcpy(files, paths, sizeof *files * (size_t)n);
    if (reform)
        files[n++] = (char *)reform;
    hm_compiler *comp = cli_compiler_whatif(files, n, whatif);
    free(files);
    if (!comp)
        return EXIT_USAGE;
    int rc = hm_compiler_pack(comp, out);
    /* the reform compiles the base's files again: their warnings once */
    if (rc != HM_OK || !quiet)
        hm_compiler_print_diagnostics(comp, stderr);
    int bad_set = rc == HM_ERR && cli_whatif_failed(comp);
    hm_compiler_free(comp);
    if (rc == HM_OK)
        return EXIT_CLEAN;
    if (rc == HM_ENOMEM)
        cli_error("out of memory");
    return rc == HM_ERR && !bad_set ? EXIT_FINDINGS : EXIT_USAGE;
}

int cmd_diff(int argc, char **argv)
{
    static const struct option opts[] = {
        { "as-of", required_argument, NULL, 'a' },
        { "format", required_argument, NULL, 'f' },
        { "config", required_argument, NULL, 'c' },
        { "out", required_argument, NULL, 'o' },
        { "set", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 't' },
        { "top", required_argument, NULL, 'T' },
        { "progress", no_argument, NULL, 'P' },
        { "no-progress", no_argument, NULL, 'N' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    diff_options o = { .progress = -1, .top = 10 };
    const char *sets[64];
    int nsets = 0, json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': o.as_of = optarg; break;
        case 'f':
            if (!strcmp(optarg, "json") || !strcmp(optarg, "text") || !strcmp(optarg, "html"))
                json = optarg[0] == 'j' ? 1 : optarg[0] == 'h' ? 2 : 0;
            else {
                cli_error("diff: unknown format `%s` (text, json or html)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'c': o.config = optarg; break;
        case 'o': o.out = optarg; break;
        case 's':
            if (nsets == 64) {
                cli_error("diff: at most 64 --set options");
                return EXIT_USAGE;
            }
            sets[nsets++] = optarg;
            break;
        case 't':
        case 'T': {
            char *end;
            long n = strtol(optarg, &end, 10);
            long lo = c == 't' ? 1 : 0, hi = c == 't' ? 256 : 100000;
            if (*end || end == optarg || n < lo || n > hi) {
                cli_error("diff: --%s %s: expected a number from %ld to %ld", c == 't' ? "threads" : "top", optarg,
                          lo, hi);
                return EXIT_USAGE;
            }
            if (c == 't')
                o.threads = (int)n;
            else
                o.top = (int)n;
            break;
        }
        case 'P': o.progress = 1; break;
        case 'N': o.progress = 0; break;
        case 'h': diff_usage(stdout); return EXIT_CLEAN;
        default: diff_usage(stderr); return EXIT_USAGE;
        }
    }
    char *whatif;
    if (cli_whatifs("diff", sets, nsets, &whatif) != EXIT_CLEAN)
        return EXIT_USAGE;
    int npaths = argc - optind;
    if (npaths < 1 || (npaths < 2 && !whatif) || !o.config) {
        cli_error(npaths < 1 ? "diff: no packs given"
                  : npaths < 2 && !whatif ? "diff: give the base and the reform (BASE… REFORM), or the base and "
                                            "--set parameter.NAME=VALUE"
                  : "diff: say which population with --config FILE");
        diff_usage(stderr);
        free(whatif);
        return EXIT_USAGE;
    }
    o.sets = sets;
    o.nsets = nsets;
    /* REFORM is the last argument; without it, the base amended by --set */
    char **base = argv + optind;
    int nbase = whatif && npaths == 1 ? 1 : npaths - 1;
    const char *reform = nbase < npaths ? argv[argc - 1] : NULL;
    hm_pack *kb = NULL, *kr = NULL;
    int st = make_pack(base, nbase, NULL, NULL, 0, &kb);
    if (st == EXIT_CLEAN) {
        if (!reform)
            st = make_pack(base, nbase, NULL, whatif, 1, &kr);
        else if (cli_is_pack(reform))
            st = make_pack((char **)&reform, 1, NULL, whatif, 0, &kr);
        else if (nbase == 1 && cli_is_pack(base[0])) {
            cli_error("diff: %s: a reform file is compiled with the base's policy files; give them (or compile "
                      "the reform first: huimin compile … --reform %s -o R.hmc)", reform, reform);
            st = EXIT_USAGE;
        } else
            st = make_pack(base, nbase, reform, whatif, 1, &kr);
    }
    free(whatif);
    if (st != EXIT_CLEAN) {
        hm_pack_free(kb);
        return st;
    }
    diff_result *D;
    char err[8192];
    int rc = diff_run(kb, kr, &o, &D, err, sizeof err);
    hm_pack_free(kb);
    hm_pack_free(kr);
    if (rc != HM_OK) {
        cli_error_lines(err);
        return EXIT_USAGE;
    }
    int failed = 0;
    if (json == 2)
        failed = print_html(D);
    else if (json)
        print_json(D);
    else
        print_text(D);
    fflush(stdout);
    if (o.progress > 0 || (o.progress < 0 && isatty(2)))
        fprintf(stderr, "timings: load %.3f s, evaluate %.3f s, total %.3f s (%d threads)\n", D->seconds[0],
                D->seconds[1], D->seconds[2], D->threads);
    if (o.out)
        fprintf(stderr, "huimin: diff %lld stored in %s\n", D->diff_id, o.out);
    diff_free(D);
    return failed ? EXIT_USAGE : EXIT_CLEAN;
}
