/* cmd_test.c -- `huimin test FILE|DIR...`: run the drafters' test blocks. */
#include "cli.h"
#include "huimin.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void test_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin test [OPTIONS] FILE|DIR...\n"
            "\n"
            "Run the `test` blocks of policy files: each test's household is\n"
            "evaluated as of its date and every `expect` is compared exactly.\n"
            "Failures are printed with the expected and the actual decision.  `-` reads\n"
            "policy text from standard input.\n"
            "\n"
            "Options:\n"
            "  -v, --verbose     also list the tests that pass\n"
            "  --coverage        list conditions the tests never saw true or never saw false\n"
            "  --format text|json  text (default), or one JSON document with each test,\n"
            "                    the counts and the diagnostics (see docs/commands.md)\n"
            "  -h, --help        show this help\n"
            "\n"
            "Exit status: 0 all passed, 1 a test failed or the policies have errors,\n"
            "2 usage error or unreadable file.\n");
}

int cmd_test(int argc, char **argv)
{
    static const struct option opts[] = {
        { "verbose", no_argument, NULL, 'v' },
        { "coverage", no_argument, NULL, 'C' },
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int flags = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 'v': flags |= HM_TEST_VERBOSE; break;
        case 'C': flags |= HM_TEST_COVERAGE; break;
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
                cli_error("test: unknown format `%s` (text or json)", optarg);
                return EXIT_USAGE;
            }
            flags = !strcmp(optarg, "json") ? flags | HM_TEST_JSON : flags & ~HM_TEST_JSON;
            break;
        case 'h': test_usage(stdout); return EXIT_CLEAN;
        default: test_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("test: no files given");
        test_usage(stderr);
        return EXIT_USAGE;
    }
    hm_compiler *comp = cli_compiler(argv + optind, argc - optind);
    if (!comp)
        return EXIT_USAGE;
    hm_test_summary sum;
    int rc = hm_compiler_run_tests(comp, stdout, flags, &sum);
    int json = flags & HM_TEST_JSON;
    if (!json)
        hm_compiler_print_diagnostics(comp, stderr);
    int status;
    if (rc == HM_ENOMEM) {
        cli_error("out of memory");
        status = EXIT_USAGE;
    } else if (rc == HM_EIO) {
        cli_error("test: cannot write the results to standard output");
        status = EXIT_USAGE;
    } else if (json) {
        /* the document has the counts and the diagnostics */
        status = rc == HM_OK ? EXIT_CLEAN : EXIT_FINDINGS;
    } else if (hm_compiler_error_count(comp)) {
        cli_error("test: the policies have errors; no test was run");
        status = EXIT_FINDINGS;
    } else {
        printf("%d passed, %d failed\n", sum.passed, sum.failed);
        fprintf(stderr, "huimin: %d tests in %.3f ms\n", sum.total, (double)sum.elapsed_us / 1000.0);
        status = rc == HM_OK ? EXIT_CLEAN : EXIT_FINDINGS;
    }
    hm_compiler_free(comp);
    return status;
}
