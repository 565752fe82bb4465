/* cmd_compile.c -- `huimin compile FILE|DIR... -o PACK.hmc`. */
#include "cli.h"
#include "huimin.h"
#include "frontend.h"
#include "mem.h"
#include "module.h"

#include <errno.h>
#include <stdlib.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void compile_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin compile [OPTIONS] FILE|DIR... [--reform R.pol] -o PACK.hmc\n"
            "\n"
            "Check policy files and write their bytecode module.  The module is\n"
            "written to a new temporary file in its folder, synced and renamed into\n"
            "place, so a failure never leaves a half-written module.  `-` reads\n"
            "policy text from standard input.\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE   the module to write (required); `-` writes it to\n"
            "                      standard output, which must not be a terminal\n"
            "  --reform FILE       amend the policies with the reform in FILE (a file\n"
            "                      whose `reform … amends …` changes them without\n"
            "                      editing them); the module records the reform and the\n"
            "                      SHA-256 of the module the files alone would give\n"
            "  -h, --help          show this help\n"
            "\n"
            "Exit status: 0 written, 1 the policies have errors, 2 usage error,\n"
            "unreadable input or unwritable output.\n");
}

/* The module to stdout, the bytes `-o FILE` would write (verified by
 * compiler_program), all of them or an error: HM_OK, HM_ERR (diagnostics),
 * HM_EIO (said why), HM_ENOMEM. */
static int write_stdout(hm_compiler *comp)
{
    unsigned char *buf;
    size_t len;
    int rc = compiler_module(comp, &buf, &len);
    if (rc != HM_OK)
        return rc;
    rc = fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0 ? HM_OK : HM_EIO;
    if (rc == HM_EIO)
        cli_error("compile: cannot write the module to standard output: %s", strerror(errno));
    mem_free(buf);
    return rc;
}

int cmd_compile(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "reform", required_argument, NULL, 'R' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *output = NULL, *reform = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'R':
            if (reform) {
                cli_error("compile: one --reform at a time");
                return EXIT_USAGE;
            }
            reform = optarg;
            break;
        case 'h': compile_usage(stdout); return EXIT_CLEAN;
        default: compile_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc || !output) {
        cli_error(output ? "compile: no files given" : "compile: say where to write the module with -o FILE");
        compile_usage(stderr);
        return EXIT_USAGE;
    }
    int to_stdout = !strcmp(output, "-");
    if (to_stdout && isatty(STDOUT_FILENO)) {
        cli_error("compile: -o -: standard output is a terminal, and a module is binary; "
                  "redirect it to a file or a pipe, or give -o FILE");
        return EXIT_USAGE;
    }
    /* the reform is one more file: its `reform` declaration says what it amends */
    int nfiles = argc - optind;
    char **files = argv + optind;
    if (reform) {
        files = calloc((size_t)nfiles + 1, sizeof *files);
        if (!files) {
            cli_error("out of memory");
            return EXIT_USAGE;
        }
        memcpy(files, argv + optind, sizeof *files * (size_t)nfiles);
        files[nfiles++] = (char *)reform;
    }
    hm_compiler *comp = cli_compiler_for(files, nfiles, 0);
    if (files != argv + optind)
        free(files);
    if (!comp)
        return EXIT_USAGE;
    int rc = to_stdout ? write_stdout(comp) : hm_compiler_write(comp, output);
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
