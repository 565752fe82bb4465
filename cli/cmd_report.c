/* cmd_report.c -- `huimin report RESULTS.db [--run N] [--policy NAME]
 * [--format text|json|html] [--out FILE]`: the statistics of a population
 * run. */
#include "cli.h"
#include "huimin.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void report_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin report RESULTS.db [--run N] [--policy NAME] [--format text|json|html]\n"
            "                     [--out FILE]\n"
            "\n"
            "Print the statistics of a run of `huimin run --config` (the latest, or run\n"
            "N): for each policy, how many were eligible and the total amount with its\n"
            "period (per month, per year, once), how many were not eligible, by the\n"
            "condition that failed, how many were undetermined, by each fact they could\n"
            "not use, and how many by a runtime error.  A monthly amount is also given\n"
            "for a year (× 12); amounts of different policies are never added.  The\n"
            "breakdowns need a run made with --reasons; for other runs only the counts\n"
            "are printed.  The database is only read, except that the journal a run\n"
            "killed while writing left behind is rolled back first.  The html format is a\n"
            "page that opens in any browser, offline, with the tables and bar charts of\n"
            "the counts per policy and of the reasons.\n"
            "\n"
            "Options:\n"
            "  --run N              which run (default: the latest)\n"
            "  --policy NAME        only this policy\n"
            "  --format FORMAT      text (the default), json or html\n"
            "  --out FILE           write to FILE (created with mode 0600), not standard\n"
            "                       output; nothing is written when the report fails\n"
            "  -h, --help           show this help\n"
            "\n"
            "Exit status: 0 printed, 2 usage error, unreadable file, not a results\n"
            "database, no such run or policy, a total amount that overflows.\n");
}

/* Write text to path, created (or truncated) with mode 0600: a report
 * may be about people.  0, or -1 after saying why not. */
static int write_out(const char *cmd, const char *path, const char *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = NULL;
    if (fd < 0 || fchmod(fd, 0600) || !(f = fdopen(fd, "w"))) {
        cli_error("%s: cannot write %s: %s", cmd, path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t wrote = fwrite(text, 1, len, f);
    int bad = wrote != len || fflush(f) != 0;
    int saved = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (bad) {
        cli_error("%s: cannot write %s: %s", cmd, path, strerror(saved));
        return -1;
    }
    return 0;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        { "run", required_argument, NULL, 'r' },
        { "policy", required_argument, NULL, 'p' },
        { "format", required_argument, NULL, 'f' },
        { "out", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *policy = NULL, *outpath = NULL;
    int run = 0, format = HM_FORMAT_TABLE, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || end == optarg || n < 1 || n > 2147483647L) {
                cli_error("report: --run %s: expected a run number (1 or more)", optarg);
                return EXIT_USAGE;
            }
            run = (int)n;
            break;
        }
        case 'p': policy = optarg; break;
        case 'f':
            if (!strcmp(optarg, "json"))
                format = HM_FORMAT_JSON;
            else if (!strcmp(optarg, "text"))
                format = HM_FORMAT_TABLE;
            else if (!strcmp(optarg, "html"))
                format = HM_FORMAT_HTML;
            else {
                cli_error("report: unknown format `%s` (text, json or html)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'o': outpath = optarg; break;
        case 'h': report_usage(stdout); return EXIT_CLEAN;
        default: report_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_error(optind >= argc ? "report: which results database? (huimin report RESULTS.db)"
                                 : "report: give exactly one results database");
        report_usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[optind], "-")) {
        cli_error("report: the results database cannot be `-`: SQLite reads a file, not standard input; "
                  "give the database's path");
        return EXIT_USAGE;
    }
    if (outpath && !*outpath) {
        cli_error("report: --out needs a file name");
        return EXIT_USAGE;
    }
    char err[1024];
    if (!outpath) {
        int rc = hm_report(argv[optind], run, policy, format, stdout, err, sizeof err);
        if (rc != HM_OK)
            cli_error("%s", err);
        return rc == HM_OK ? EXIT_CLEAN : EXIT_USAGE;
    }
    /* made in memory first, so that a report that fails leaves no file */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    int rc = hm_report(argv[optind], run, policy, format, mem, err, sizeof err);
    if (fclose(mem) != 0 && rc == HM_OK) {
        rc = HM_ENOMEM;
        snprintf(err, sizeof err, "out of memory");
    }
    if (rc != HM_OK) {
        cli_error("%s", err);
        free(text);
        return EXIT_USAGE;
    }
    int wrote = write_out("report", outpath, text, len);
    free(text);
    return wrote == 0 ? EXIT_CLEAN : EXIT_USAGE;
}
