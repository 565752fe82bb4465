/* cmd_test.c -- `huimin test FILE|DIR...`: run the drafters' test blocks. */
#include "cli.h"
#include "huimin.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
            "  --run PATTERN     run only the tests whose name matches PATTERN: `*` any\n"
            "                    text, `?` one character; a pattern without them matches\n"
            "                    the names containing it.  May be repeated (any matches)\n"
            "  --junit FILE      also write a JUnit XML report to FILE (mode 0600)\n"
            "  -h, --help        show this help\n"
            "\n"
            "Exit status: 0 all passed, 1 a test failed or the policies have errors,\n"
            "2 usage error, unreadable file, or --run matching no test.\n");
}

int cmd_test(int argc, char **argv)
{
    static const struct option opts[] = {
        { "verbose", no_argument, NULL, 'v' },
        { "coverage", no_argument, NULL, 'C' },
        { "format", required_argument, NULL, 'f' },
        { "run", required_argument, NULL, 'r' },
        { "junit", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int flags = 0, c;
    const char **run = NULL;
    int nrun = 0;
    const char *junit = NULL;
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
        case 'r': {
            if (!*optarg) {
                cli_error("test: --run needs a pattern");
                free(run);
                return EXIT_USAGE;
            }
            const char **nr = realloc(run, sizeof *run * (size_t)(nrun + 1));
            if (!nr) {
                cli_error("out of memory");
                free(run);
                return EXIT_USAGE;
            }
            run = nr;
            run[nrun++] = optarg;
            break;
        }
        case 'j': junit = optarg; break;
        case 'h': free(run); test_usage(stdout); return EXIT_CLEAN;
        default: free(run); test_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("test: no files given");
        test_usage(stderr);
        free(run);
        return EXIT_USAGE;
    }
    hm_compiler *comp = cli_compiler(argv + optind, argc - optind);
    if (!comp) {
        free(run);
        return EXIT_USAGE;
    }
    /* the report holds rule text and test names: readable by its owner only */
    FILE *jf = NULL;
    if (junit) {
        int fd = open(junit, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || fchmod(fd, 0600) || !(jf = fdopen(fd, "w"))) {
            cli_error("test: cannot write %s: %s", junit, strerror(errno));
            if (fd >= 0)
                close(fd);
            hm_compiler_free(comp);
            free(run);
            return EXIT_USAGE;
        }
    }
    hm_test_summary sum;
    hm_test_options o = { .flags = flags, .run = run, .nrun = nrun, .junit = jf };
    int rc = hm_compiler_run_tests_opts(comp, stdout, &o, &sum);
    if (jf && fclose(jf) && rc != HM_ENOMEM)
        rc = HM_EIO;
    int json = flags & HM_TEST_JSON;
    if (!json)
        hm_compiler_print_diagnostics(comp, stderr);
    int status;
    if (rc == HM_ENOMEM) {
        cli_error("out of memory");
        status = EXIT_USAGE;
    } else if (rc == HM_EIO) {
        cli_error("test: cannot write the results to %s", junit ? "standard output or the JUnit report" : "standard output");
        status = EXIT_USAGE;
    } else if (nrun && !hm_compiler_error_count(comp) && sum.total == 0) {
        if (!json)
            cli_error("test: no test name matches %s`%s`", nrun > 1 ? "any of " : "", o.run[0]);
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
    free(run);
    return status;
}
