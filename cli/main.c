/* main.c -- the `huimin` command: dispatch to subcommands. */
#include "cli.h"
#include "frontend.h"
#include "i18n.h"
#include "huimin.h"
#include "mask.h"
#include "module.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "check", cmd_check, "check policy files for errors" },
    { "compile", cmd_compile, "compile policy files into a bytecode module (.hmc)" },
    { "test", cmd_test, "run the test blocks of policy files" },
    { "run", cmd_run, "evaluate one household (--given) or a whole population (--config)" },
    { "needs", cmd_needs, "the facts each policy reads, or what one household still lacks" },
    { "report", cmd_report, "the statistics of a population run: counts, reasons, missing facts" },
    { "audit", cmd_audit, "reconcile a population run with the payment roll: who is missed, who is wrongly paid" },
    { "explain", cmd_explain, "explain why one household or person qualified or not" },
    { "plugin-check", cmd_plugin_check, "load a source plugin, check it and fetch a sample" },
    { "disasm", cmd_disasm, "print the bytecode of a module or of policy files" },
    { "diff", cmd_diff, "what a reform changes: who gains, who loses, what it costs" },
    { "export", cmd_export, "one household of the configured population as a JSON household" },
    { "serve", cmd_serve, "answer the JSON API and the calculator page over HTTP" },
};

void cli_error(const char *fmt, ...)
{
    /* stderr goes to logs: an ID number in a message (a household listed
     * twice, one not found) is masked (mask.h) */
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg)
        vsnprintf(msg, (size_t)n + 1, fmt, again);
    va_end(again);
    va_end(ap);
    fputs("huimin: ", stderr);
    mask_fputs_text(msg ? msg : "out of memory", stderr);
    fputc('\n', stderr);
    free(msg);
}

const char *cli_given(hm_compiler *c, const char *given, int *failed)
{
    size_t len = strlen(given);
    *failed = 0;
    if ((len > 5 && strcmp(given + len - 5, ".json") == 0) || strcmp(given, "-") == 0)
        return given;   /* JSON; "-" is JSON from standard input */
    if (hm_compiler_add_facts_file(c, given) != HM_OK) {
        hm_compiler_print_diagnostics(c, stderr);
        *failed = 1;
    }
    return NULL;
}

void cli_error_lines(char *err)
{
    for (char *line = err, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        cli_error("%s", line);
    }
}

int cli_is_pack(const char *path) { return module_is_pack_file(path); }

/* A compiler holding the sources a pack carries: what explain, test and
 * the `given` notation need besides the program, which must come out the
 * same. */
static hm_compiler *pack_compiler(hm_compiler *comp, const char *path)
{
    char err[1024];
    hm_pack *k;
    int rc = hm_pack_load(path, &k, err, sizeof err);
    if (rc != HM_OK) {
        cli_error_lines(err);
        hm_compiler_free(comp);
        return NULL;
    }
    rc = hm_compiler_add_pack(comp, k);
    hm_pack_free(k);
    if (rc != HM_OK) {
        hm_compiler_print_diagnostics(comp, stderr);
        if (rc == HM_ENOMEM)
            cli_error("out of memory");
        hm_compiler_free(comp);
        return NULL;
    }
    return comp;
}

int cli_read_stdin(char **text, size_t *len, size_t max, const char *what)
{
    /* `-` may be given once: a second read would see an empty input */
    static int read_once;
    if (read_once++) {
        cli_error("`-` (standard input) given more than once");
        return EXIT_USAGE;
    }
    size_t n = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, stdin);
        if (n > max) {
            cli_error("standard input: larger than %s", what);
            free(buf);
            return EXIT_USAGE;
        }
        if (n < cap)
            break;
        char *more = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!more) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = more;
        cap *= 2;
    }
    if (!buf) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    if (ferror(stdin)) {
        cli_error("cannot read standard input: %s", strerror(errno));
        free(buf);
        return EXIT_USAGE;
    }
    *text = buf;
    *len = n;
    return EXIT_CLEAN;
}

int cli_add_policies(hm_compiler *c, const char *path)
{
    if (strcmp(path, "-") != 0)
        return hm_compiler_add_path(c, path);
    char *text;
    size_t len;
    /* the limit of a policy file (srcfile.c) */
    if (cli_read_stdin(&text, &len, (size_t)256 << 20, "256 MiB, the limit of a policy text") != EXIT_CLEAN)
        return HM_EUSAGE;
    int rc = hm_compiler_add_source(c, CLI_STDIN_NAME, text, len);
    free(text);
    return rc;
}

hm_compiler *cli_compiler(char **paths, int n)
{
    return cli_compiler_for(paths, n, 1);
}

hm_compiler *cli_compiler_for(char **paths, int n, int packs)
{
    hm_compiler *comp = hm_compiler_new();
    if (!comp) {
        cli_error("out of memory");
        return NULL;
    }
    if (packs && n == 1 && cli_is_pack(paths[0]))
        return pack_compiler(comp, paths[0]);
    for (int i = 0; i < n; i++) {
        int rc = cli_add_policies(comp, paths[i]);
        if (rc != HM_OK) {
            hm_compiler_print_diagnostics(comp, stderr);
            if (rc == HM_ENOMEM)
                cli_error("out of memory");
            hm_compiler_free(comp);
            return NULL;
        }
    }
    return comp;
}

/* A value as a parameter's is written (language.md 8.1), alone: a
 * number, a percentage, a date, a duration, true/false, "text" or a label.
 * The checker then checks it against the parameter's type. */
static int whatif_value(const char *v)
{
    const char *p = v;
    if (*p == '"') {
        for (p++; *p && *p != '"' && *p != '\\' && *p != '\n'; p++)
            ;
        return *p == '"' && p[1] == '\0';
    }
    if (*p == '-')
        p++;
    if (isdigit((unsigned char)*p)) {
        while (isdigit((unsigned char)*p))
            p++;
        if (p - v == 4 && *p == '-')        /* a date: YYYY-MM-DD */
            return isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) && p[3] == '-' &&
                   isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5]) && p[6] == '\0';
        if (*p == '.' && isdigit((unsigned char)p[1]))
            for (p++; isdigit((unsigned char)*p); p++)
                ;
        if (*p == '%')
            p++;
        if (*p == ' ')                      /* a duration */
            return !strcmp(p + 1, "days") || !strcmp(p + 1, "months") || !strcmp(p + 1, "years");
        return *p == '\0';
    }
    if (p != v)
        return 0;
    /* a name: true, false, a label */
    for (; *p; p++)
        if (!((unsigned char)*p >= 0x80 || isalnum((unsigned char)*p) || *p == '_'))
            return 0;
    return p != v && !isdigit((unsigned char)*v);
}

int cli_whatifs(const char *cmd, const char *const *sets, int nsets, char **text)
{
    static const char prefix[] = "parameter.";
    size_t cap = 64, len = 0;
    char *t = NULL;
    for (int i = 0; i < nsets; i++) {
        const char *s = sets[i];
        if (strncmp(s, prefix, sizeof prefix - 1) != 0)
            continue;
        const char *name = s + sizeof prefix - 1, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : 0;
        int ok = nlen > 0;
        for (size_t k = 0; k < nlen; k++)
            ok &= (unsigned char)name[k] >= 0x80 || isalnum((unsigned char)name[k]) || name[k] == '_';
        if (!ok) {
            cli_error("%s: --set %s: write --set parameter.NAME=VALUE [as of DATE]", cmd, s);
            free(t);
            return EXIT_USAGE;
        }
        /* VALUE, or VALUE as of DATE: the value from that date on */
        char value[512], date[16] = "";
        const char *v = eq + 1, *asof = strstr(v, " as of ");
        size_t vlen = asof ? (size_t)(asof - v) : strlen(v);
        if (asof) {
            const char *d = asof + 7;
            if (strlen(d) != 10 || !whatif_value(d) || d[4] != '-') {
                cli_error("%s: --set %s: `as of` needs a date, YYYY-MM-DD", cmd, s);
                free(t);
                return EXIT_USAGE;
            }
            memcpy(date, d, 11);
        }
        if (vlen >= sizeof value || (memcpy(value, v, vlen), value[vlen] = '\0', !whatif_value(value))) {
            cli_error("%s: --set %s: `%.*s` is not a value: write a number, a percentage, a date, "
                      "a duration, true or false, \"text\" or a label", cmd, s, (int)(vlen > 200 ? 200 : vlen), v);
            free(t);
            return EXIT_USAGE;
        }
        size_t need = len + nlen + vlen + 64;
        if (!t || need > cap) {
            while (cap < need)
                cap *= 2;
            char *nt = realloc(t, cap);
            if (!nt) {
                free(t);
                cli_error("out of memory");
                return EXIT_USAGE;
            }
            if (!t)
                len = (size_t)snprintf(nt, cap, "reform 试算 \"--set\" {\n");
            t = nt;
        }
        len += (size_t)snprintf(t + len, cap - len, *date ? "  parameter %.*s from %s %s\n" : "  parameter %.*s%s = %s\n",
                                (int)nlen, name, date, value);
    }
    if (t) {
        size_t need = len + 3;
        if (need > cap) {
            char *nt = realloc(t, need);
            if (!nt) {
                free(t);
                cli_error("out of memory");
                return EXIT_USAGE;
            }
            t = nt;
        }
        strcpy(t + len, "}\n");
    }
    *text = t;
    return EXIT_CLEAN;
}

hm_compiler *cli_compiler_whatif(char **paths, int n, const char *text)
{
    hm_compiler *comp = cli_compiler(paths, n);
    if (!comp || !text)
        return comp;
    int rc = compiler_add_amendment(comp, CLI_WHATIF_NAME, text, strlen(text));
    if (rc != HM_OK) {
        cli_error("out of memory");
        hm_compiler_free(comp);
        return NULL;
    }
    return comp;
}

int cli_whatif_failed(hm_compiler *c)
{
    return compiler_errors_in(c, CLI_WHATIF_NAME);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: huimin COMMAND [OPTIONS] [ARGS]\n"
            "\n"
            "huimin evaluates government benefit policies written in the huimin\n"
            "policy language.\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "Run `huimin COMMAND --help` for a command's options; `huimin -V` (or\n"
            "--version) prints the version.  A FILE argument `-` is standard input\n"
            "(for policy text) or standard output (for `compile -o -`).\n"
            "`huimin --lang zh|en COMMAND …` (or HUIMIN_LANG, or a Chinese locale)\n"
            "chooses the language of the checker's messages.\n"
            "Exit status: 0 success, 1 errors found in the input, 2 usage error or\n"
            "unreadable input.\n");
}

int main(int argc, char **argv)
{
    /* diagnostics can be many: write them in blocks, not byte by byte */
    static char errbuf[1 << 16];
    setvbuf(stderr, errbuf, _IOFBF, sizeof errbuf);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    /* `--lang zh|en` before the command; else HUIMIN_LANG or the locale */
    const char *lang = NULL;
    if (!strcmp(argv[1], "--lang") || !strncmp(argv[1], "--lang=", 7)) {
        int eq = argv[1][6] == '=';
        if (!eq && argc < 3) {
            cli_error("`--lang` needs a language: zh or en");
            return EXIT_USAGE;
        }
        lang = eq ? argv[1] + 7 : argv[2];
        argc -= eq ? 1 : 2;
        argv += eq ? 1 : 2;
        if (argc < 2) {
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (hm_i18n_init(lang) != 0) {
        cli_error("unknown language `%s`: huimin speaks zh and en", lang ? lang : getenv("HUIMIN_LANG"));
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return EXIT_CLEAN;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
        printf("huimin %s\n", hm_version());
        return EXIT_CLEAN;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command `%s`", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
