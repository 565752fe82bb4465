/* cmd_disasm.c -- `huimin disasm FILE|DIR...`: print the bytecode. */
#include "cli.h"
#include "huimin.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void disasm_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin disasm [OPTIONS] PACK.hmc | FILE|DIR...\n"
            "\n"
            "Print a bytecode module (verified first), or compile policy files and\n"
            "print their bytecode: the facts, parameters and\n"
            "scales of the pack, each policy's condition tree, and every function\n"
            "one instruction per line with its operands and source line.  `-` reads\n"
            "a module or policy text from standard input.\n"
            "\n"
            "Options:\n"
            "  -h, --help        show this help\n"
            "\n"
            "Exit status: 0 success, 1 the policies have errors, 2 usage error or\n"
            "unreadable file.\n");
}

/* `disasm -`: a module (told by its magic number) or policy text */
static int disasm_stdin(void)
{
    char *text;
    size_t len;
    /* the limit of a module file (module_slurp) */
    if (cli_read_stdin(&text, &len, (size_t)1 << 30, "1 GiB, the limit of a module") != EXIT_CLEAN)
        return EXIT_USAGE;
    int rc;
    if (len >= 4 && !memcmp(text, "\x7fHMC", 4)) {
        char err[512];
        hm_pack *k;
        rc = hm_pack_load_mem(text, len, &k, err, sizeof err);
        free(text);
        if (rc != HM_OK) {
            cli_error("%s", err);
            return EXIT_USAGE;
        }
        hm_pack_disasm(k, stdout);
        hm_pack_free(k);
        return EXIT_CLEAN;
    }
    hm_compiler *comp = hm_compiler_new();
    rc = comp ? hm_compiler_add_source(comp, CLI_STDIN_NAME, text, len) : HM_ENOMEM;
    free(text);
    if (rc == HM_OK)
        rc = hm_compiler_disasm(comp, stdout);
    if (comp)
        hm_compiler_print_diagnostics(comp, stderr);
    hm_compiler_free(comp);
    if (rc == HM_ENOMEM) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    return rc == HM_OK ? EXIT_CLEAN : EXIT_FINDINGS;
}

int cmd_disasm(int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': disasm_usage(stdout); return EXIT_CLEAN;
        default: disasm_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("disasm: no files given");
        disasm_usage(stderr);
        return EXIT_USAGE;
    }
    const char *first = argv[optind];
    size_t len = strlen(first);
    if (optind + 1 == argc && len > 4 && strcmp(first + len - 4, ".hmc") == 0) {
        char err[512];
        hm_pack *k;
        int rc = hm_pack_load(first, &k, err, sizeof err);
        if (rc != HM_OK) {
            cli_error("%s", err);
            return EXIT_USAGE;
        }
        hm_pack_disasm(k, stdout);
        hm_pack_free(k);
        return EXIT_CLEAN;
    }
    if (optind + 1 == argc && !strcmp(first, "-"))
        return disasm_stdin();
    hm_compiler *comp = cli_compiler(argv + optind, argc - optind);
    if (!comp)
        return EXIT_USAGE;
    int rc = hm_compiler_disasm(comp, stdout);
    hm_compiler_print_diagnostics(comp, stderr);
    hm_compiler_free(comp);
    if (rc == HM_ENOMEM) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    return rc == HM_OK ? EXIT_CLEAN : EXIT_FINDINGS;
}
