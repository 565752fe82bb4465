/* cmd_run.c -- `huimin run POLICIES --given FILE [--as-of DATE]
 * [--format table|json]`: evaluate every policy for one household. */
#include "cli.h"
#include "fen.h"
#include "huimin.h"
#include "mask.h"
#include "utf8.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin run FILE|DIR... --given FACTS [--as-of DATE] [--format table|json]\n"
            "       huimin run FILE|DIR... --config FILE --out RESULTS.db [--as-of DATE]\n"
            "                  [--set SECTION.KEY=VALUE]... [--threads N] [--[no-]progress]\n"
            "                  [--reasons] [--kleene] [--store answers|all] [--keep FILE]\n"
            "                  [--format table|json]\n"
            "\n"
            "With --config: evaluate every household and person of the population the\n"
            "configured source plugins provide (see docs/plugins.md), append the run to\n"
            "the SQLite database RESULTS.db in one transaction, and print a summary per\n"
            "policy (a table or JSON: counts, the total amount with its period, and for a\n"
            "year, a monthly one × 12; amounts of different policies are never added).\n"
            "Tables: runs, decisions (a view), data_issues, run_not_eligible,\n"
            "run_not_applicable.  By default the run stores every eligible and\n"
            "undetermined decision and, per policy, the count of not eligible ones by\n"
            "reason and of not applicable ones; --store all keeps every\n"
            "decision, --keep every decision of the ids listed in FILE.  With --reasons,\n"
            "each decision also records the condition that failed, or the facts it\n"
            "missed (see `huimin report`).  RESULTS.db is checked and locked before\n"
            "the load: a new one is created with mode 0600 (it holds ID numbers), an\n"
            "existing file must be a results database.  ID numbers printed to stderr\n"
            "are masked (330102********0013).\n"
            "\n"
            "With --given: evaluate every policy for one household and print each decision and\n"
            "amount (person policies once per member).  FACTS is either a file with a\n"
            "`given household { … }` block in the notation of tests (any name), or a\n"
            "JSON file (name ending in .json):\n"
            "  {\"household\": {\"region\": \"330100\", \"assets\": \"20000.00\",\n"
            "                 \"members\": [{\"monthly_income\": 1500}, {}]}}\n"
            "A fact left out (or null) is missing; {\"value\": …, \"as_of\": \"YYYY-MM-DD\"}\n"
            "gives the date it was true on, for freshness limits, and with \"source\": NAME\n"
            "the source that gave it (whose limit then applies).\n"
            "\n"
            "Options:\n"
            "  --given FILE          the household's facts\n"
            "  --config FILE         the source configuration (population runs)\n"
            "  --out FILE            the results database (population runs)\n"
            "  --set S.KEY=VALUE     override a setting: run.threads=4, source.tax.database=t.db\n"
            "  --set parameter.NAME=VALUE[ as of DATE]\n"
            "                        what if: the parameter takes VALUE (from DATE on, or\n"
            "                        for every date), checked against its type; the run\n"
            "                        is of the policies so amended\n"
            "  --threads N           evaluation threads (default: one per core)\n"
            "  --progress, --no-progress  show a progress bar (default: on a terminal)\n"
            "  --reasons             store each decision's reason and missing facts\n"
            "  --store answers|all   store the eligible and undetermined decisions and count\n"
            "                        the not eligible ones (answers, the default), or store\n"
            "                        every decision (all)\n"
            "  --keep FILE           also store every decision of the households and persons\n"
            "                        whose ids FILE lists, one a line\n"
            "  --kleene              decide by Kleene's rules only: a decision that would be\n"
            "                        the same whatever the value of a fact not known stays\n"
            "                        undetermined (faster; what plain SQL does)\n"
            "  --as-of DATE          evaluate as of this date (YYYY-MM-DD; default today, UTC)\n"
            "  --format table|json   output format (default table)\n"
            "  -h, --help            show this help\n"
            "\n"
            "Exit status: 0 evaluated, 1 the policies or the facts have errors, 2 usage\n"
            "error, unreadable file, or a configuration, plugin or schema error.\n");
}

/* s, then spaces to `width` columns of a terminal: a Chinese character
 * takes two */
static void pad(const char *s, int width)
{
    fputs(s, stdout);
    for (int w = utf8_display_width(s, strlen(s)); w < width; w++)
        putchar(' ');
}

static const char *period_word(int period)
{
    return period == HM_PERIOD_MONTH ? "month" : period == HM_PERIOD_YEAR ? "year" : "once";
}

/* A policy's total for a year: per month × 12, per year as it is; 0 for
 * a lump sum, -1 when beyond the range of money. */
static int per_year(const hm_run_summary *s, int i, long long *fen)
{
    *fen = hm_run_summary_total(s, i);
    int p = hm_run_summary_policy_period(s, i);
    if (p == HM_PERIOD_MONTH)
        return __builtin_mul_overflow(*fen, 12LL, fen) ? -1 : 1;
    return p == HM_PERIOD_YEAR;
}

static void print_run_json(const hm_run_summary *s)
{
    printf("{\"run\": {\"run_id\": %lld, \"as_of\": \"%s\", \"households\": %lld, \"persons\": %lld},\n"
           " \"policies\": [", hm_run_summary_run_id(s), hm_run_summary_as_of(s), hm_run_summary_households(s),
           hm_run_summary_persons(s));
    for (int i = 0; i < hm_run_summary_policy_count(s); i++) {
        /* policy names are identifiers: nothing to escape */
        printf("%s\n  {\"policy\": \"%s\", \"entity\": \"%s\", \"eligible\": %lld, \"not_eligible\": %lld, "
               "\"not_applicable\": %lld, \"undetermined\": %lld, ", i ? "," : "", hm_run_summary_policy_name(s, i),
               hm_run_summary_policy_entity(s, i) == HM_ENTITY_CLAIM    ? "claim"
               : hm_run_summary_policy_entity(s, i) == HM_ENTITY_PERSON ? "person"
                                                                         : "household",
               hm_run_summary_count(s, i, HM_ELIGIBLE), hm_run_summary_count(s, i, HM_NOT_ELIGIBLE),
               hm_run_summary_count(s, i, HM_NOT_APPLICABLE), hm_run_summary_count(s, i, HM_UNDETERMINED));
        if (hm_run_summary_policy_has_amount(s, i)) {
            char money[32];
            fen_format(hm_run_summary_total(s, i), money, sizeof money);
            long long fen;
            int y = per_year(s, i, &fen);
            printf("\"amount\": \"%s\", \"period\": \"%s\", ", money,
                   period_word(hm_run_summary_policy_period(s, i)));
            fen_format(fen, money, sizeof money);
            if (y > 0)
                printf("\"amount_per_year\": \"%s\"}", money);
            else
                printf("\"amount_per_year\": null}");
        } else {
            printf("\"amount\": null, \"period\": null, \"amount_per_year\": null}");
        }
    }
    printf("]}\n");
}

/* The summary of a population run: per policy to stdout (a table, or
 * JSON); the data issues (ID numbers masked), the run and its timings to
 * stderr. */
void cli_print_run(const hm_run_summary *s, const char *outpath, int format)
{
    /* the column of the not applicable only when a policy left someone out */
    int na = 0;
    for (int i = 0; i < hm_run_summary_policy_count(s); i++)
        na |= hm_run_summary_count(s, i, HM_NOT_APPLICABLE) > 0;
    if (format == HM_FORMAT_JSON)
        print_run_json(s);
    else {
        printf("%-24s %-9s %10s %12s ", "policy", "for", "eligible", "not eligible");
        if (na)
            printf("%14s ", "not applicable");
        printf("%12s %16s %-9s %16s\n", "undetermined", "total amount", "per", "per year");
    }
    for (int i = 0; i < hm_run_summary_policy_count(s) && format != HM_FORMAT_JSON; i++) {
        char money[32] = "-";
        if (hm_run_summary_policy_has_amount(s, i))
            fen_format(hm_run_summary_total(s, i), money, sizeof money);
        pad(hm_run_summary_policy_name(s, i), 24);
        printf(" %-9s %10lld %12lld ", hm_run_summary_policy_entity(s, i) == HM_ENTITY_CLAIM ? "claim" : hm_run_summary_policy_entity(s, i) == HM_ENTITY_PERSON ? "person" : "household",
               hm_run_summary_count(s, i, HM_ELIGIBLE), hm_run_summary_count(s, i, HM_NOT_ELIGIBLE));
        if (na)
            printf("%14lld ", hm_run_summary_count(s, i, HM_NOT_APPLICABLE));
        /* the period of the amount, and the amount for a year (a
         * monthly one × 12), never a sum over policies of other periods */
        char year[32] = "-";
        const char *per = "-";
        if (hm_run_summary_policy_has_amount(s, i)) {
            long long fen;
            int y = per_year(s, i, &fen);
            per = period_word(hm_run_summary_policy_period(s, i));
            if (y > 0)
                fen_format(fen, year, sizeof year);
            else if (y < 0)
                snprintf(year, sizeof year, "(overflow)");
        }
        printf("%12lld %16s %-9s %16s\n", hm_run_summary_count(s, i, HM_UNDETERMINED), money, per, year);
    }
    fflush(stdout);
    long long bad = hm_run_summary_issue_total(s, HM_ISSUE_BAD_VALUE),
              codes = hm_run_summary_issue_total(s, HM_ISSUE_UNKNOWN_CODE),
              conflicts = hm_run_summary_issue_total(s, HM_ISSUE_CONFLICT);
    if (bad + codes + conflicts) {
        fprintf(stderr, "huimin: %lld data issues (%lld unusable values, %lld unknown codes, %lld conflicts); "
                "the facts concerned are unknown.  The first ones:\n", bad + codes + conflicts, bad, codes,
                conflicts);
        for (int i = 0; i < hm_run_summary_issue_count(s); i++) {
            const char *source, *id, *field, *detail;
            int entity;
            hm_run_summary_issue(s, i, &source, &entity, &id, &field, &detail);
            /* stderr goes to logs: ID numbers masked (mask.h) */
            fprintf(stderr, "  %s %s ", source, entity == HM_ENTITY_PERSON ? "person" : "household");
            mask_fputs(id, stderr);
            fputs(": ", stderr);
            mask_fputs_text(detail, stderr);
            fputc('\n', stderr);
        }
    }
    fprintf(stderr, "huimin: run %lld as of %s: %lld households, %lld persons, %d threads; results in %s\n",
            hm_run_summary_run_id(s), hm_run_summary_as_of(s), hm_run_summary_households(s),
            hm_run_summary_persons(s), hm_run_summary_threads(s), outpath);
    fprintf(stderr, "timings: load %.3f s, evaluate %.3f s, write %.3f s, total %.3f s\n",
            hm_run_summary_seconds(s, HM_PHASE_LOAD), hm_run_summary_seconds(s, HM_PHASE_EVALUATE),
            hm_run_summary_seconds(s, HM_PHASE_WRITE), hm_run_summary_seconds(s, HM_PHASE_TOTAL));
    fprintf(stderr, "peak memory: %ld MiB\n", hm_run_summary_peak_memory_kib(s) / 1024);
}

static int run_population(char **paths, int n, const hm_run_options *opt, int format, const char *whatif)
{
    hm_run_options o = *opt;
    const char *outpath = o.out;
    char err[8192];
    hm_run_summary *sum = NULL;
    if (n == 1 && !whatif && cli_is_pack(paths[0])) {
        /* the approved pack runs as it is: no compiler involved */
        hm_pack *k;
        int rc = hm_pack_load(paths[0], &k, err, sizeof err);
        if (rc == HM_OK) {
            rc = hm_run(k, &o, &sum, err, sizeof err);
            if (rc == HM_OK)
                cli_print_run(sum, outpath, format);
            hm_run_summary_free(sum);
            hm_pack_free(k);
        }
        cli_error_lines(err);
        return rc == HM_OK ? EXIT_CLEAN : EXIT_USAGE;
    }
    hm_compiler *comp = cli_compiler_whatif(paths, n, whatif);
    if (!comp)
        return EXIT_USAGE;
    int rc = hm_compiler_run_population(comp, &o, &sum, err, sizeof err);
    if (rc == HM_ERR)
        hm_compiler_print_diagnostics(comp, stderr);
    if (rc == HM_OK)
        cli_print_run(sum, outpath, format);
    cli_error_lines(err);
    hm_run_summary_free(sum);
    int bad_set = rc == HM_ERR && cli_whatif_failed(comp);
    hm_compiler_free(comp);
    return rc == HM_OK ? EXIT_CLEAN : rc == HM_ERR && !bad_set ? EXIT_FINDINGS : EXIT_USAGE;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "given", required_argument, NULL, 'g' },
        { "as-of", required_argument, NULL, 'a' },
        { "format", required_argument, NULL, 'f' },
        { "config", required_argument, NULL, 'c' },
        { "out", required_argument, NULL, 'o' },
        { "set", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 't' },
        { "progress", no_argument, NULL, 'P' },
        { "no-progress", no_argument, NULL, 'N' },
        { "reasons", no_argument, NULL, 'R' },
        { "kleene", no_argument, NULL, 'K' },
        { "store", required_argument, NULL, 'S' },
        { "keep", required_argument, NULL, 'k' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *given = NULL, *as_of = NULL, *config = NULL, *outpath = NULL, *keep = NULL;
    const char *sets[64];
    int nsets = 0, threads = 0, progress = -1, reasons = 0, kleene = 0, store = 0;
    int format = HM_FORMAT_TABLE, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'g': given = optarg; break;
        case 'a': as_of = optarg; break;
        case 'f':
            if (!strcmp(optarg, "json"))
                format = HM_FORMAT_JSON;
            else if (!strcmp(optarg, "table"))
                format = HM_FORMAT_TABLE;
            else {
                cli_error("run: unknown format `%s` (table or json)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'c': config = optarg; break;
        case 'o': outpath = optarg; break;
        case 's':
            if (nsets == 64) {
                cli_error("run: at most 64 --set options");
                return EXIT_USAGE;
            }
            sets[nsets++] = optarg;
            break;
        case 't': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || end == optarg || n < 1 || n > 256) {
                cli_error("run: --threads %s: expected a number from 1 to 256", optarg);
                return EXIT_USAGE;
            }
            threads = (int)n;
            break;
        }
        case 'P': progress = 1; break;
        case 'N': progress = 0; break;
        case 'R': reasons = 1; break;
        case 'K': kleene = 1; break;
        case 'S':
            if (!strcmp(optarg, "all"))
                store = HM_STORE_ALL;
            else if (!strcmp(optarg, "answers"))
                store = HM_STORE_ANSWERS;
            else {
                cli_error("run: --store %s: expected `answers` (the default) or `all`", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'k': keep = optarg; break;
        case 'h': run_usage(stdout); return EXIT_CLEAN;
        default: run_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc || (!given && !config) || (given && config) || (config && !outpath)) {
        cli_error(optind >= argc ? "run: no policy files given"
                  : given && config ? "run: --given and --config do not go together"
                  : config ? "run: say where the results go with --out RESULTS.db"
                  : "run: say which household with --given FILE, or the population with --config FILE");
        run_usage(stderr);
        return EXIT_USAGE;
    }
    if (reasons && !config) {
        cli_error("run: --reasons goes with --config (with --given, every decision shows its reason)");
        return EXIT_USAGE;
    }
    if ((kleene || store || keep) && !config) {
        cli_error("run: %s goes with --config (population runs)", kleene ? "--kleene" : store ? "--store" : "--keep");
        return EXIT_USAGE;
    }
    char *whatif;
    if (cli_whatifs("run", sets, nsets, &whatif) != EXIT_CLEAN)
        return EXIT_USAGE;
    if (config) {
        hm_run_options o = { config, sets, nsets, as_of, outpath, threads, progress, reasons, kleene, store, keep };
        int st = run_population(argv + optind, argc - optind, &o, format, whatif);
        free(whatif);
        return st;
    }
    hm_compiler *comp = cli_compiler_whatif(argv + optind, argc - optind, whatif);
    free(whatif);
    if (!comp)
        return EXIT_USAGE;
    int failed;
    const char *json = cli_given(comp, given, &failed);
    if (failed) {
        hm_compiler_free(comp);
        return EXIT_USAGE;
    }
    char err[1024];
    int rc = hm_compiler_evaluate(comp, json, as_of, format, stdout, err, sizeof err);
    hm_compiler_print_diagnostics(comp, stderr);
    if (err[0])
        cli_error("%s", err);
    int bad_set = rc == HM_ERR && cli_whatif_failed(comp);
    hm_compiler_free(comp);
    if (rc == HM_OK)
        return EXIT_CLEAN;
    if (rc == HM_ENOMEM && !err[0])
        cli_error("out of memory");
    return rc == HM_ERR && !bad_set ? EXIT_FINDINGS : EXIT_USAGE;
}
