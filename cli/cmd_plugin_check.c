/* cmd_plugin_check.c -- `huimin plugin-check PLUGIN [--config FILE
 * [--source NAME]] [--sample N]`. */
#include "cli.h"
#include "huimin.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: huimin plugin-check PLUGIN [--config FILE [--source NAME]] [--sample N]\n"
            "\n"
            "Load a source plugin (sqlite, csv or postgres: the built-ins; another name:\n"
            "NAME.so on HUIMIN_PLUGIN_PATH, beside huimin or in the install folder; or a\n"
            "path to a .so, from the working directory), check its descriptor (ABI\n"
            "version, functions, extern functions) and print it with the file loaded.\n"
            "A file others can write is refused.  With --config, open the source NAME\n"
            "(or the configuration's only source) with its settings (isolate = process:\n"
            "in a process of its own), list the fields it provides and fetch them for\n"
            "the first N households and persons (default 3), printing the values and\n"
            "any data issues.\n"
            "\n"
            "Options:\n"
            "  --config FILE   the source configuration (see docs/plugins.md)\n"
            "  --source NAME   which [source NAME] section to open\n"
            "  --sample N      how many households and persons to fetch (0: none)\n"
            "  -h, --help      show this help\n"
            "\n"
            "Exit status: 0 the plugin is valid, 2 it is not or cannot be loaded.\n");
}

int cmd_plugin_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "source", required_argument, NULL, 's' },
        { "sample", required_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = NULL, *source = NULL;
    int sample = 3, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 's': source = optarg; break;
        case 'n': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || end == optarg || n < 0 || n > 1000000) {
                cli_error("plugin-check: --sample %s: expected a number", optarg);
                return EXIT_USAGE;
            }
            sample = (int)n;
            break;
        }
        case 'h': usage(stdout); return EXIT_CLEAN;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_error("plugin-check: give exactly one plugin");
        usage(stderr);
        return EXIT_USAGE;
    }
    char err[4096];
    int rc = hm_plugin_check(argv[optind], config, source, sample, stdout, err, sizeof err);
    fflush(stdout);
    if (rc != HM_OK)
        cli_error("plugin-check: %s", err);
    return rc == HM_OK ? EXIT_CLEAN : EXIT_USAGE;
}
