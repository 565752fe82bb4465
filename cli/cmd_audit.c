/* cmd_audit.c -- `huimin audit PACK --config FILE [--as-of D] [--out
 * RESULTS.db] [--format text|json|csv] [--bom] [--list FILE]`: a population
 * run reconciled with the payment roll (docs/audit.md). */
#include "cli.h"
#include "huimin.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void audit_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin audit FILE|DIR... --config FILE [--as-of DATE] [--out RESULTS.db]\n"
            "                    [--format text|json|csv|html] [--bom] [--list FILE|-]\n"
            "                    [--set SECTION.KEY=VALUE]... [--threads N] [--[no-]progress]\n"
            "\n"
            "Decide every household and person of the population (as `huimin run\n"
            "--config` does) and reconcile the decisions with the payment roll, the\n"
            "source of the policies whose facts are lists of payments (policy, amount,\n"
            "since; see docs/audit.md).  Counts, and the amounts at stake per month and\n"
            "per year, of: the eligible not paid (漏保) of the policies the roll pays;\n"
            "the paid not eligible (错保), by the reason of the decision; the paid while\n"
            "undetermined, by the fact missing and the source that should give it; the\n"
            "paid another amount (compared in the roll's period: a yearly amount as its\n"
            "twelfth of a monthly roll, lump sums not compared); the paid recorded\n"
            "deceased (person.deceased; also counted by their decision); the roll's rows\n"
            "naming no policy of the pack, or a policy of another kind of entity.\n"
            "\n"
            "The run and the findings go to RESULTS.db (tables audit_runs and\n"
            "audit_findings; a new file is created with mode 0600), or without --out to a\n"
            "temporary database removed afterwards.  The summary printed holds no ID\n"
            "numbers; --list FILE writes every finding with its ids whole to a new file\n"
            "(mode 0600), --list - prints them after the summary with ids masked.\n"
            "\n"
            "Options:\n"
            "  --config FILE          the source configuration (with the roll's source)\n"
            "  --as-of DATE           the date decided on (default: the configuration's)\n"
            "  --out FILE             the results database (default: a temporary one)\n"
            "  --format text|json|csv|html  the summary's (and the list's) format (default\n"
            "                         text); html: a page with tables and charts that\n"
            "                         opens offline (its list, if any, is CSV)\n"
            "  --bom                  CSV: begin with the UTF-8 byte-order mark, so that\n"
            "                         spreadsheet programs read Chinese right\n"
            "  --list FILE|-          every finding, one a line\n"
            "  --set S.KEY=VALUE      override a setting of the configuration\n"
            "  --threads N            evaluation threads (default: one per core)\n"
            "  --progress, --no-progress  show a progress bar (default: on a terminal)\n"
            "  -h, --help             show this help\n"
            "\n"
            "Exit status: 0 done (findings are the output, not a failure), 1 errors in\n"
            "the policies, 2 usage or input error (no roll in the policies, a source\n"
            "that cannot be read, a list file that exists).\n");
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "as-of", required_argument, NULL, 'a' },
        { "out", required_argument, NULL, 'o' },
        { "format", required_argument, NULL, 'f' },
        { "bom", no_argument, NULL, 'B' },
        { "list", required_argument, NULL, 'l' },
        { "set", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 't' },
        { "progress", no_argument, NULL, 'P' },
        { "no-progress", no_argument, NULL, 'N' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    hm_audit_options o;
    memset(&o, 0, sizeof o);
    o.run.progress = -1;
    o.format = HM_FORMAT_TABLE;
    const char *sets[64];
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.run.config = optarg; break;
        case 'a': o.run.as_of = optarg; break;
        case 'o': o.run.out = optarg; break;
        case 'f':
            if (!strcmp(optarg, "json"))
                o.format = HM_FORMAT_JSON;
            else if (!strcmp(optarg, "csv"))
                o.format = HM_FORMAT_CSV;
            else if (!strcmp(optarg, "html"))
                o.format = HM_FORMAT_HTML;
            else if (!strcmp(optarg, "text"))
                o.format = HM_FORMAT_TABLE;
            else {
                cli_error("audit: unknown format `%s` (text, json, csv or html)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'B': o.bom = 1; break;
        case 'l': o.list = optarg; break;
        case 's':
            if (o.run.nsets == 64) {
                cli_error("audit: at most 64 --set options");
                return EXIT_USAGE;
            }
            sets[o.run.nsets++] = optarg;
            break;
        case 't': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || end == optarg || n < 1 || n > 256) {
                cli_error("audit: --threads %s: expected a number from 1 to 256", optarg);
                return EXIT_USAGE;
            }
            o.run.threads = (int)n;
            break;
        }
        case 'P': o.run.progress = 1; break;
        case 'N': o.run.progress = 0; break;
        case 'h': audit_usage(stdout); return EXIT_CLEAN;
        default: audit_usage(stderr); return EXIT_USAGE;
        }
    }
    o.run.sets = sets;
    if (optind >= argc || !o.run.config) {
        cli_error(optind >= argc ? "audit: no policy files given"
                                 : "audit: say where the population and the roll are with --config FILE");
        audit_usage(stderr);
        return EXIT_USAGE;
    }
    if (o.bom && o.format != HM_FORMAT_CSV && !(o.format == HM_FORMAT_HTML && o.list && strcmp(o.list, "-"))) {
        cli_error("audit: --bom goes with --format csv (or the CSV list of --format html)");
        return EXIT_USAGE;
    }
    if (o.format == HM_FORMAT_HTML && o.list && !strcmp(o.list, "-")) {
        cli_error("audit: --list - prints after the summary, not into an HTML page: give --list FILE (CSV)");
        return EXIT_USAGE;
    }
    char *whatif;
    if (cli_whatifs("audit", sets, o.run.nsets, &whatif) != EXIT_CLEAN)
        return EXIT_USAGE;
    char err[8192];
    int rc;
    if (argc - optind == 1 && !whatif && cli_is_pack(argv[optind])) {
        hm_pack *k;
        rc = hm_pack_load(argv[optind], &k, err, sizeof err);
        if (rc == HM_OK) {
            rc = hm_audit(k, &o, stdout, err, sizeof err);
            hm_pack_free(k);
        }
        cli_error_lines(err);
        return rc == HM_OK ? EXIT_CLEAN : EXIT_USAGE;
    }
    hm_compiler *comp = cli_compiler_whatif(argv + optind, argc - optind, whatif);
    free(whatif);
    if (!comp)
        return EXIT_USAGE;
    rc = hm_compiler_audit(comp, &o, stdout, err, sizeof err);
    if (rc == HM_ERR)
        hm_compiler_print_diagnostics(comp, stderr);
    cli_error_lines(err);
    int bad_set = rc == HM_ERR && cli_whatif_failed(comp);
    hm_compiler_free(comp);
    return rc == HM_OK ? EXIT_CLEAN : rc == HM_ERR && !bad_set ? EXIT_FINDINGS : EXIT_USAGE;
}
