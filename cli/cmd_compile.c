/* cmd_compile.c -- `huimin compile FILE|DIR... -o PACK.hmc`. */
#include "cli.h"
#include "huimin.h"

#include <getopt.h>
#include <stdio.h>

static void compile_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin compile [OPTIONS] FILE|DIR... -o PACK.hmc\n"
            "\n"
            "Check policy files and write their bytecode module.  The module is\n"
            "written to a new temporary file in its folder, synced and renamed into\n"
            "place, so a failure never leaves a half-written module.\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE   the module to write (required)\n"
            "  -h, --help          show this help\n"
            "\n"
            "Exit status: 0 written, 1 the policies have errors, 2 usage error,\n"
            "unreadable input or unwritable output.\n");
}

int cmd_compile(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *output = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'h': compile_usage(stdout); return EXIT_CLEAN;
        default: compile_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc || !output) {
        cli_error(output ? "compile: no files given" : "compile: say where to write the module with -o FILE");
        compile_usage(stderr);
        return EXIT_USAGE;
    }
    hm_compiler *comp = cli_compiler_for(argv + optind, argc - optind, 0);
    if (!comp)
        return EXIT_USAGE;
    int rc = hm_compiler_write(comp, output);
    hm_compiler_print_diagnostics(comp, stderr);
    hm_compiler_free(comp);
    if (rc == HM_OK)
        return EXIT_CLEAN;
    if (rc == HM_ERR)
        return EXIT_FINDINGS;
    if (rc == HM_ENOMEM)
        cli_error("out of memory");
    return EXIT_USAGE;
}
