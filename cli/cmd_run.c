/* cmd_run.c -- `huimin run POLICIES --given FILE [--as-of DATE]
 * [--format table|json]`: evaluate every policy for one household. */
#include "cli.h"
#include "huimin.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin run FILE|DIR... --given FACTS [--as-of DATE] [--format table|json]\n"
            "\n"
            "Evaluate every policy for one household and print each decision and\n"
            "amount (person policies once per member).  FACTS is either a file with a\n"
            "`given household { … }` block in the notation of tests (any name), or a\n"
            "JSON file (name ending in .json):\n"
            "  {\"household\": {\"region\": \"330100\", \"assets\": \"20000.00\",\n"
            "                 \"members\": [{\"monthly_income\": 1500}, {}]}}\n"
            "A fact left out (or null) is missing; {\"value\": …, \"as_of\": \"YYYY-MM-DD\"}\n"
            "gives the date it was true on, for freshness limits.\n"
            "\n"
            "Options:\n"
            "  --given FILE          the household's facts (required)\n"
            "  --as-of DATE          evaluate as of this date (YYYY-MM-DD; default today, UTC)\n"
            "  --format table|json   output format (default table)\n"
            "  -h, --help            show this help\n"
            "\n"
            "Exit status: 0 evaluated, 1 the policies or the facts have errors, 2 usage\n"
            "error or unreadable file.\n");
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "given", required_argument, NULL, 'g' },
        { "as-of", required_argument, NULL, 'a' },
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *given = NULL, *as_of = NULL;
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
        case 'h': run_usage(stdout); return EXIT_CLEAN;
        default: run_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc || !given) {
        cli_error(given ? "run: no policy files given" : "run: say which household with --given FILE");
        run_usage(stderr);
        return EXIT_USAGE;
    }
    hm_compiler *comp = cli_compiler(argv + optind, argc - optind);
    if (!comp)
        return EXIT_USAGE;
    size_t len = strlen(given);
    int is_json = len > 5 && strcmp(given + len - 5, ".json") == 0;
    if (!is_json && hm_compiler_add_facts_file(comp, given) != HM_OK) {
        hm_compiler_print_diagnostics(comp, stderr);
        hm_compiler_free(comp);
        return EXIT_USAGE;
    }
    char err[1024];
    int rc = hm_compiler_evaluate(comp, is_json ? given : NULL, as_of, format, stdout, err, sizeof err);
    hm_compiler_print_diagnostics(comp, stderr);
    if (err[0])
        cli_error("%s", err);
    hm_compiler_free(comp);
    if (rc == HM_OK)
        return EXIT_CLEAN;
    if (rc == HM_ENOMEM)
        cli_error("out of memory");
    return rc == HM_ERR ? EXIT_FINDINGS : EXIT_USAGE;
}
