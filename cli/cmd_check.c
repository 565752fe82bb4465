/* cmd_check.c -- `huimin check FILE|DIR...`: parse, check and compile
 * policies (writing nothing), print every diagnostic, exit 0 when clean
 * (warnings allowed), 1 when there are errors, 2 for usage errors or
 * unreadable files. */
#include "cli.h"
#include "huimin.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void check_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin check [OPTIONS] FILE|DIR...\n"
            "\n"
            "Check policy files (.pol) for errors.  A directory means every .pol file\n"
            "under it; `-` reads policy text from standard input.  Modules named by `use` are found among the files given, beside\n"
            "the file that uses them, or in the standard library.\n"
            "\n"
            "Options:\n"
            "  --dump-ast        print the syntax tree of each file (on stdout)\n"
            "  -W, --werror      treat warnings as errors\n"
            "  -q, --quiet       print nothing; only set the exit status\n"
            "  --format text|json  diagnostics as text on stderr (default), or as JSON\n"
            "                    on stdout (see docs/commands.md)\n"
            "  -h, --help        show this help\n"
            "\n"
            "Exit status: 0 no errors, 1 errors found, 2 usage error or unreadable file.\n");
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "dump-ast", no_argument, NULL, 'A' },
        { "werror", no_argument, NULL, 'W' },
        { "quiet", no_argument, NULL, 'q' },
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int dump = 0, werror = 0, quiet = 0, json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "Wqh", opts, NULL)) != -1) {
        switch (c) {
        case 'A': dump = 1; break;
        case 'W': werror = 1; break;
        case 'q': quiet = 1; break;
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
                cli_error("check: unknown format `%s` (text or json)", optarg);
                return EXIT_USAGE;
            }
            json = !strcmp(optarg, "json");
            break;
        case 'h': check_usage(stdout); return EXIT_CLEAN;
        default: check_usage(stderr); return EXIT_USAGE;
        }
    }
    if (dump && json) {
        cli_error("check: --dump-ast and --format json both write to stdout; give one");
        return EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_error("check: no files given");
        check_usage(stderr);
        return EXIT_USAGE;
    }
    hm_compiler *comp = hm_compiler_new();
    if (!comp) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    int unreadable = 0;
    for (int i = optind; i < argc; i++) {
        int rc = cli_add_policies(comp, argv[i]);
        if (rc == HM_ENOMEM) {
            cli_error("out of memory");
            hm_compiler_free(comp);
            return EXIT_USAGE;
        }
        if (rc != HM_OK)
            unreadable = 1;
    }
    int status;
    if (unreadable) {
        if (!quiet)
            hm_compiler_print_diagnostics(comp, stderr);
        status = EXIT_USAGE;
    } else {
        int rc = hm_compiler_check(comp);
        /* compiled too, nothing written: the bytecode's own limits (registers,
         * jumps, operands) are found by code generation, and a pack that
         * checks clean must also compile */
        if (rc == HM_OK) {
            hm_pack *k = NULL;
            rc = hm_compiler_pack(comp, &k);
            hm_pack_free(k);
        }
        if (rc == HM_ENOMEM) {
            cli_error("out of memory");
            hm_compiler_free(comp);
            return EXIT_USAGE;
        }
        int printed = HM_OK;
        if (quiet)
            ;
        else if (json)
            printed = hm_compiler_print_diagnostics_json(comp, stdout);
        else
            hm_compiler_print_diagnostics(comp, stderr);
        if (dump)
            hm_compiler_dump_ast(comp, stdout);
        status = rc == HM_OK && !(werror && hm_compiler_warning_count(comp)) ? EXIT_CLEAN : EXIT_FINDINGS;
        if (printed != HM_OK) {
            cli_error(printed == HM_ENOMEM ? "out of memory" : "check: cannot write to standard output");
            status = EXIT_USAGE;
        }
    }
    hm_compiler_free(comp);
    return status;
}
