/* cmd_explain.c -- `huimin explain POLICIES (--given FILE | --config FILE
 * --household ID | --config FILE --person ID) [--policy NAME] [--as-of
 * DATE] [--format text|json|html] [--audience reviewer|citizen] [--show-ids]`;
 * with --package the household's whole package; with --diff BASE REFORM
 * the household under both packs, side by side. */
#include "cli.h"
#include <stdlib.h>
#include "frontend.h"
#include "huimin.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void explain_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin explain FILE|DIR... --given FACTS [OPTIONS]\n"
            "       huimin explain FILE|DIR... --config FILE (--household ID | --person ID) [OPTIONS]\n"
            "       huimin explain --package FILE|DIR... (--given FACTS | --config FILE --household ID)\n"
            "       huimin explain --diff BASE [REFORM] (--given FACTS | --config FILE --household ID)\n"
            "                      [--set parameter.NAME=VALUE]...\n"
            "\n"
            "Explain why one household (or one person) qualified or not for each policy:\n"
            "the decision and amount, every condition with the values it compared, its\n"
            "message, file:line and legal reference; the lets and the members their\n"
            "aggregates counted or left out; each fact with its value, source and as-of\n"
            "date; each parameter with the dated value that applied.  For a refusal, the\n"
            "conditions that failed (the decisive one first) and what would change them;\n"
            "for an undetermined decision, the facts that are missing or stale, where\n"
            "they come from, and the decision under each value they could take.\n"
            "\n"
            "FACTS is a facts file as for `huimin run --given` (a `given household { … }`\n"
            "block, or JSON).  With --config, the household's facts are fetched from the\n"
            "configured sources exactly as a population run reads them.\n"
            "\n"
            "With --package: the household's whole package instead, every programme it\n"
            "and its members get with each amount's period and the total per period, the\n"
            "near misses (refused on one condition only, and how far it was), and the\n"
            "programmes undetermined with the facts they lack.\n"
            "\n"
            "With --diff: the household under BASE (a directory, a policy file or a .hmc) and\n"
            "under REFORM (a reformed .hmc or directory, or a reform .pol compiled with\n"
            "BASE's files), REFORM's parameters changed by --set parameter.NAME=VALUE (no\n"
            "REFORM: BASE with those values); per policy the decision and amount before\n"
            "and after, the parameters, conditions, lets and amount that changed, and why\n"
            "the decision moved.\n"
            "\n"
            "Options:\n"
            "  --given FILE           the household's facts\n"
            "  --config FILE          the source configuration (see docs/plugins.md)\n"
            "  --household ID         the household to explain (with --config)\n"
            "  --person ID            a person: their person policies (with --config)\n"
            "  --set S.KEY=VALUE      override a configuration setting\n"
            "  --set parameter.NAME=VALUE[ as of DATE]\n"
            "                         what if: the parameter takes VALUE (from DATE on,\n"
            "                         or for every date), checked against its type\n"
            "  --package              the household's whole package (see above)\n"
            "  --diff                 BASE and REFORM side by side (see above)\n"
            "  --policy NAME          only this policy\n"
            "  --as-of DATE           evaluate as of this date (YYYY-MM-DD; default: the\n"
            "                         configuration's, else today, UTC)\n"
            "  --format text|json|html\n"
            "                         output format (default text; JSON: docs/explain.md;\n"
            "                         html: one self-contained page, the condition tree\n"
            "                         collapsible)\n"
            "  --audience reviewer|citizen\n"
            "                         text or page for reviewers (default), or only the\n"
            "                         decisions and the drafters' messages, for the person\n"
            "                         concerned (ids always masked)\n"
            "  --deep                 show how the standard library's functions computed\n"
            "                         their result, not only the result and what they give\n"
            "  --timings              print the time each step took (to stderr)\n"
            "  --show-ids             print household and person ids whole; text masks them\n"
            "                         (330102********0013), as does JSON on a terminal\n"
            "  -h, --help             show this help\n"
            "\n"
            "Exit status: 0 explained, 1 the policies or the facts have errors, 2 usage\n"
            "error, unreadable file, configuration or plugin error, unknown id.\n");
}

/* The facts file read into compiler c (a `given` file becomes part of the
 * compilation); EXIT_CLEAN or EXIT_USAGE. */
static int given_into(hm_compiler *c, hm_explain_options *o, const char *given)
{
    int failed = 0;
    if (given)
        o->given = cli_given(c, given, &failed);
    return failed ? EXIT_USAGE : EXIT_CLEAN;
}

static int exit_of(int rc, hm_compiler *c)
{
    if (rc == HM_ERR)
        hm_compiler_print_diagnostics(c, stderr);
    return rc == HM_OK ? EXIT_CLEAN : rc == HM_ERR && !cli_whatif_failed(c) ? EXIT_FINDINGS : EXIT_USAGE;
}

/* a reform module: a policy file (not a pack, not a directory) that
 * declares `reform` before anything but comments */
static int is_reform_file(const char *path)
{
    size_t n = strlen(path);
    if (n < 4 || strcmp(path + n - 4, ".pol") != 0)
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1024];
    int yes = 0;
    while (fgets(line, sizeof line, f)) {
        const char *p = line + strspn(line, " \t\r\n");
        if (!*p || *p == '#')
            continue;
        yes = !strncmp(p, "reform", 6) && (p[6] == ' ' || p[6] == '\t');
        break;
    }
    fclose(f);
    return yes;
}

/* A compiled pack amended by the reform file at path (the pack carries its
 * sources, which the reform amends), or NULL after saying why. */
static hm_compiler *pack_with_reform(char *pack, const char *path)
{
    hm_compiler *c = cli_compiler(&pack, 1);
    FILE *f = c ? fopen(path, "rb") : NULL;
    if (c && !f)
        cli_error("explain: cannot read `%s`", path);
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    int rc = f ? HM_OK : HM_EIO;
    while (f && rc == HM_OK) {
        if (len == cap) {
            char *t = realloc(text, cap = cap ? cap * 2 : 1 << 16);
            if (!t) {
                rc = HM_ENOMEM;
                break;
            }
            text = t;
        }
        if ((n = fread(text + len, 1, cap - len, f)) == 0)
            break;
        len += n;
    }
    if (f && ferror(f)) {
        cli_error("explain: cannot read `%s`", path);
        rc = HM_EIO;
    }
    if (f)
        fclose(f);
    if (rc == HM_OK && (rc = compiler_add_amendment(c, path, text ? text : "", len)) == HM_ENOMEM)
        cli_error("out of memory");
    free(text);
    if (rc != HM_OK) {
        hm_compiler_free(c);
        return NULL;
    }
    return c;
}

/* --diff BASE [REFORM]: BASE compiled alone; REFORM a pack of its own, or
 * a reform file compiled with BASE's files; the what-ifs go to REFORM */
static int explain_diff_cmd(char **paths, int n, char *whatif, hm_explain_options *o, int deep)
{
    if (n == 1 && !whatif) {
        free(whatif);
        cli_error("explain: --diff needs REFORM, or --set parameter.NAME=VALUE to change BASE with");
        return EXIT_USAGE;
    }
    if (o->given && !strcmp(o->given, "-")) {
        free(whatif);
        cli_error("explain: --diff reads the facts twice: give them in a file, not on standard input");
        return EXIT_USAGE;
    }
    int reform_file = n == 2 && is_reform_file(paths[1]);
    hm_compiler *base = cli_compiler(paths, 1), *ref = NULL;
    if (base && reform_file && cli_is_pack(paths[0])) {
        ref = pack_with_reform(paths[0], paths[1]);
        if (ref && whatif && compiler_add_amendment(ref, CLI_WHATIF_NAME, whatif, strlen(whatif)) != HM_OK) {
            cli_error("out of memory");
            hm_compiler_free(ref);
            ref = NULL;
        }
    } else if (base && reform_file) {
        char *both[2] = { paths[0], paths[1] };
        ref = cli_compiler_whatif(both, 2, whatif);
    } else if (base) {
        ref = cli_compiler_whatif(paths + (n == 2), 1, whatif);
    }
    free(whatif);
    int rc = EXIT_USAGE;
    /* each compiler reads the facts file (a `given` file is part of its
     * compilation; JSON is read by path) */
    const char *g = o->given;
    if (base && ref && given_into(base, o, g) == EXIT_CLEAN && given_into(ref, o, g) == EXIT_CLEAN) {
        char name[4096];
        if (reform_file)
            snprintf(name, sizeof name, "%s + %s", paths[0], paths[1]);
        else
            snprintf(name, sizeof name, "%s", paths[n - 1]);
        hm_compiler_set_explain_deep(base, deep);
        hm_compiler_set_explain_deep(ref, deep);
        char err[8192];
        int r = hm_compiler_explain_diff(base, ref, paths[0], name, o, stdout, err, sizeof err);
        if (r == HM_ERR)
            hm_compiler_print_diagnostics(base, stderr);
        rc = exit_of(r, ref);
        cli_error_lines(err);
        if (r == HM_ENOMEM && !err[0])
            cli_error("out of memory");
    }
    hm_compiler_free(base);
    hm_compiler_free(ref);
    return rc;
}

int cmd_explain(int argc, char **argv)
{
    static const struct option opts[] = {
        { "given", required_argument, NULL, 'g' },
        { "config", required_argument, NULL, 'c' },
        { "household", required_argument, NULL, 'H' },
        { "person", required_argument, NULL, 'p' },
        { "set", required_argument, NULL, 's' },
        { "policy", required_argument, NULL, 'P' },
        { "as-of", required_argument, NULL, 'a' },
        { "format", required_argument, NULL, 'f' },
        { "audience", required_argument, NULL, 'A' },
        { "timings", no_argument, NULL, 'T' },
        { "show-ids", no_argument, NULL, 'I' },
        { "package", no_argument, NULL, 'K' },
        { "diff", no_argument, NULL, 'D' },
        { "deep", no_argument, NULL, 'E' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    hm_explain_options o;
    memset(&o, 0, sizeof o);
    const char *sets[64];
    int c, show_ids = 0, diff = 0, deep = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'g': o.given = optarg; break;
        case 'c': o.config = optarg; break;
        case 'H': o.household = optarg; break;
        case 'p': o.person = optarg; break;
        case 's':
            if (o.nsets == 64) {
                cli_error("explain: at most 64 --set options");
                return EXIT_USAGE;
            }
            sets[o.nsets++] = optarg;
            break;
        case 'P': o.policy = optarg; break;
        case 'a': o.as_of = optarg; break;
        case 'f':
            if (!strcmp(optarg, "json"))
                o.format = HM_FORMAT_JSON;
            else if (!strcmp(optarg, "text"))
                o.format = HM_FORMAT_TABLE;
            else if (!strcmp(optarg, "html"))
                o.format = HM_FORMAT_HTML;
            else {
                cli_error("explain: unknown format `%s` (text, json or html)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'A':
            if (!strcmp(optarg, "citizen"))
                o.citizen = 1;
            else if (strcmp(optarg, "reviewer") != 0) {
                cli_error("explain: unknown audience `%s` (reviewer or citizen)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'T': o.timings = 1; break;
        case 'I': show_ids = 1; break;
        case 'K': o.package = 1; break;
        case 'D': diff = 1; break;
        case 'E': deep = 1; break;
        case 'h': explain_usage(stdout); return EXIT_CLEAN;
        default: explain_usage(stderr); return EXIT_USAGE;
        }
    }
    o.sets = sets;
    /* text is read by people; JSON whole for the tools it is piped to */
    o.show_ids = show_ids || (o.format == HM_FORMAT_JSON && !isatty(STDOUT_FILENO));
    const char *problem = NULL;
    if (optind >= argc)
        problem = "no policy files given";
    else if (!o.given && !o.config)
        problem = "say which household with --given FILE, or --config FILE --household ID";
    else if (o.given && o.config)
        problem = "--given and --config do not go together";
    else if (o.config && !o.household == !o.person)
        problem = "with --config, name one --household ID or one --person ID";
    else if (o.given && (o.household || o.person))
        problem = "--household and --person go with --config";
    else if (o.citizen && o.format == HM_FORMAT_JSON)
        problem = "--audience citizen is a text format";
    else if ((o.package || diff) && o.person)
        problem = o.package ? "--package is a household's: name it with --household ID"
                            : "--diff explains a household: name it with --household ID";
    else if ((o.package || diff) && o.citizen)
        problem = "--package and --diff are for reviewers: leave out --audience citizen";
    else if (o.package && diff)
        problem = "--package and --diff do not go together";
    else if ((o.package || diff) && o.format == HM_FORMAT_HTML)
        problem = o.package ? "--package is text or json: leave out --format html"
                            : "--diff is text or json: leave out --format html";
    else if (diff && argc - optind > 2)
        problem = "--diff takes BASE and REFORM: two packs, or BASE alone with --set parameter.NAME=VALUE";
    if (problem) {
        cli_error("explain: %s", problem);
        explain_usage(stderr);
        return EXIT_USAGE;
    }
    char *whatif;
    if (cli_whatifs("explain", sets, o.nsets, &whatif) != EXIT_CLEAN)
        return EXIT_USAGE;
    if (diff)
        return explain_diff_cmd(argv + optind, argc - optind, whatif, &o, deep);
    hm_compiler *comp = cli_compiler_whatif(argv + optind, argc - optind, whatif);
    free(whatif);
    if (!comp)
        return EXIT_USAGE;
    hm_compiler_set_explain_deep(comp, deep);
    if (o.given) {
        int failed;
        o.given = cli_given(comp, o.given, &failed);
        if (failed) {
            hm_compiler_free(comp);
            return EXIT_USAGE;
        }
    }
    char err[8192];
    int rc = hm_compiler_explain(comp, &o, stdout, err, sizeof err);
    if (rc == HM_ERR)
        hm_compiler_print_diagnostics(comp, stderr);
    cli_error_lines(err);
    if (rc == HM_ENOMEM && !err[0])
        cli_error("out of memory");
    int bad_set = rc == HM_ERR && cli_whatif_failed(comp);
    hm_compiler_free(comp);
    return rc == HM_OK ? EXIT_CLEAN : rc == HM_ERR && !bad_set ? EXIT_FINDINGS : EXIT_USAGE;
}
