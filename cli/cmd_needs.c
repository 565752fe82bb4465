/* cmd_needs.c -- `huimin needs POLICIES`: the facts each policy reads and
 * their sources; with a household (--given, or --config with --household
 * or --person), what each undecided policy still needs. */
#include "cli.h"
#include "huimin.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void needs_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin needs FILE|DIR... [--policy NAME] [--format text|json]\n"
            "       huimin needs FILE|DIR... --given FACTS [--as-of DATE] [...]\n"
            "       huimin needs FILE|DIR... --config FILE (--household ID | --person ID)\n"
            "                    [--as-of DATE] [--set SECTION.KEY=VALUE]... [...]\n"
            "\n"
            "Without a household: list, per policy, every fact it can read (directly or\n"
            "through lets, functions and other policies) with its type, the sources that\n"
            "provide it and their freshness limits.\n"
            "\n"
            "With a household: evaluate it and print each policy's decision (person\n"
            "policies once per member); for an undetermined one, list the facts still\n"
            "missing (missing, stale, unusable, sources in conflict) and the sources that\n"
            "should provide them.  The household is a facts file as for `huimin run\n"
            "--given`, or one household of a configured population: the one with id\n"
            "--household, or the one --person belongs to (then only that person's\n"
            "person decisions are shown).  Only that household's rows are fetched.\n"
            "\n"
            "Options:\n"
            "  --policy NAME         only this policy\n"
            "  --given FILE          the household's facts (`given` notation, or .json)\n"
            "  --config FILE         the source configuration (see docs/plugins.md)\n"
            "  --household ID        with --config: the household\n"
            "  --person ID           with --config: the person (and their household)\n"
            "  --set S.KEY=VALUE     override a setting: source.tax.database=t.db\n"
            "  --as-of DATE          evaluate as of this date (YYYY-MM-DD; default: the\n"
            "                        configuration's, else today, UTC)\n"
            "  --format text|json    output format (default text)\n"
            "  --show-ids            print household and person ids whole; text masks them\n"
            "                        (330102********0013), as does JSON on a terminal\n"
            "  -h, --help            show this help\n"
            "\n"
            "Exit status: 0 listed, 1 the policies or the facts have errors, 2 usage\n"
            "error, unreadable file, a configuration, plugin or schema error, or no such\n"
            "household or person.\n");
}

int cmd_needs(int argc, char **argv)
{
    static const struct option opts[] = {
        { "policy", required_argument, NULL, 'p' },
        { "format", required_argument, NULL, 'f' },
        { "given", required_argument, NULL, 'g' },
        { "config", required_argument, NULL, 'c' },
        { "household", required_argument, NULL, 'H' },
        { "person", required_argument, NULL, 'P' },
        { "set", required_argument, NULL, 's' },
        { "as-of", required_argument, NULL, 'a' },
        { "show-ids", no_argument, NULL, 'I' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    hm_needs_options o;
    memset(&o, 0, sizeof o);
    o.format = HM_FORMAT_TABLE;
    const char *given = NULL;
    const char *sets[64];
    int c, show_ids = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': o.policy = optarg; break;
        case 'f':
            if (!strcmp(optarg, "json"))
                o.format = HM_FORMAT_JSON;
            else if (!strcmp(optarg, "text"))
                o.format = HM_FORMAT_TABLE;
            else {
                cli_error("needs: unknown format `%s` (text or json)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'g': given = optarg; break;
        case 'c': o.config = optarg; break;
        case 'H': o.household = optarg; break;
        case 'P': o.person = optarg; break;
        case 's':
            if (o.nsets == 64) {
                cli_error("needs: at most 64 --set options");
                return EXIT_USAGE;
            }
            sets[o.nsets++] = optarg;
            break;
        case 'a': o.as_of = optarg; break;
        case 'I': show_ids = 1; break;
        case 'h': needs_usage(stdout); return EXIT_CLEAN;
        default: needs_usage(stderr); return EXIT_USAGE;
        }
    }
    o.sets = sets;
    /* text is read by people; JSON whole for the tools it is piped to */
    o.show_ids = show_ids || (o.format == HM_FORMAT_JSON && !isatty(STDOUT_FILENO));
    const char *bad = optind >= argc ? "no policy files given"
                    : given && o.config ? "--given and --config do not go together"
                    : (o.household || o.person) && !o.config ? "--household and --person need --config FILE"
                    : o.household && o.person ? "--household and --person do not go together"
                    : o.config && !o.household && !o.person ? "say which household: --household ID or --person ID"
                    : (o.nsets || o.as_of) && !o.config && !given ? "--set and --as-of need a household"
                    : NULL;
    if (bad) {
        cli_error("needs: %s", bad);
        needs_usage(stderr);
        return EXIT_USAGE;
    }
    hm_compiler *comp = cli_compiler(argv + optind, argc - optind);
    if (!comp)
        return EXIT_USAGE;
    if (given) {
        int failed;
        o.given = 1;
        o.given_json = cli_given(comp, given, &failed);
        if (failed) {
            hm_compiler_free(comp);
            return EXIT_USAGE;
        }
    }
    char err[8192];
    int rc = hm_compiler_needs(comp, &o, stdout, err, sizeof err);
    hm_compiler_print_diagnostics(comp, stderr);
    cli_error_lines(err);
    if (rc == HM_ENOMEM && !err[0])
        cli_error("out of memory");
    hm_compiler_free(comp);
    return rc == HM_OK ? EXIT_CLEAN : rc == HM_ERR ? EXIT_FINDINGS : EXIT_USAGE;
}
