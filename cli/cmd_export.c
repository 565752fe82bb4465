/* cmd_export.c -- `huimin export POLICIES --config FILE --household ID`:
 * one household of the configured population as the JSON household that
 * `huimin run --given` and `huimin serve` read. */
#include "cli.h"
#include "export.h"
#include "frontend.h"
#include "huimin.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void export_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin export FILE|DIR... --config FILE --household ID [--as-of DATE]\n"
            "                     [--set SECTION.KEY=VALUE]...\n"
            "\n"
            "Print one household of the configured population as a JSON household, the\n"
            "facts file `huimin run --given F.json` reads and `huimin serve` answers\n"
            "for: its id and its members' ids, and each fact a source gave with the date\n"
            "it was true on and the source (so freshness limits apply as in a population\n"
            "run).  Declared defaults and values read from reference tables are left\n"
            "out: they are filled in again when the household is evaluated.  The output\n"
            "holds ID numbers whole: it is personal data.\n"
            "\n"
            "Exit status: 0 printed, 1 the policies have errors, 2 usage error, a\n"
            "configuration, plugin or schema error, or no such household.\n");
}

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "household", required_argument, NULL, 'H' },
        { "as-of", required_argument, NULL, 'a' },
        { "set", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = NULL, *household = NULL, *as_of = NULL, *sets[64];
    int nsets = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'H': household = optarg; break;
        case 'a': as_of = optarg; break;
        case 's':
            if (nsets == 64) {
                cli_error("export: at most 64 --set options");
                return EXIT_USAGE;
            }
            sets[nsets++] = optarg;
            break;
        case 'h': export_usage(stdout); return EXIT_CLEAN;
        default: export_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc || !config || !household) {
        cli_error("export: %s", optind >= argc ? "no policy files given" : "say which: --config FILE --household ID");
        export_usage(stderr);
        return EXIT_USAGE;
    }
    hm_compiler *comp = cli_compiler(argv + optind, argc - optind);
    if (!comp)
        return EXIT_USAGE;
    hm_program *p;
    sema *s;
    int rc = compiler_program(comp, &p, &s);
    if (rc != HM_OK) {
        hm_compiler_print_diagnostics(comp, stderr);
        hm_compiler_free(comp);
        return rc == HM_ERR ? EXIT_FINDINGS : EXIT_USAGE;
    }
    char err[4096] = "";
    json_t *doc = NULL;
    rc = export_household(p, config, sets, nsets, as_of, household, &doc, err, sizeof err);
    hm_compiler_free(comp);
    if (rc != HM_OK) {
        cli_error_lines(err);
        return EXIT_USAGE;
    }
    int failed = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', stdout) == EOF;
    json_decref(doc);
    return failed ? EXIT_USAGE : EXIT_CLEAN;
}
