/* cli.h -- the `huimin` command's subcommands.  Each returns the process
 * exit status: 0 success, 1 findings (errors in the input, failed tests),
 * 2 usage errors or unreadable input. */
#ifndef HM_CLI_H
#define HM_CLI_H

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

int cmd_check(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_plugin_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_needs(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* A compiler with every path added (files or directories), or the
 * sources a compiled pack carries when the one path is a pack; NULL after
 * printing why not (the caller exits with EXIT_USAGE). */
struct hm_compiler;
struct hm_compiler *cli_compiler(char **paths, int n);
/* The same; with packs 0, a pack is refused as not being policy text
 * (check, compile). */
struct hm_compiler *cli_compiler_for(char **paths, int n, int packs);

/* What-ifs: `--set parameter.NAME=VALUE [as of DATE]` (run, explain).
 * Writes those options of sets (the others are settings of the
 * configuration, which skips these) as a reform without `amends` in *text
 * (owned, free(); NULL when there is none); they stay in sets, so that a
 * run records them with its settings.  EXIT_CLEAN, or EXIT_USAGE
 * after printing why an option is not one (cmd names the command). */
int cli_whatifs(const char *cmd, const char *const *sets, int nsets, char **text);
/* The same as cli_compiler, with the what-ifs of text (may be NULL)
 * added: the program is then the policies amended by them. */
struct hm_compiler *cli_compiler_whatif(char **paths, int n, const char *text);
/* The name diagnostics give the what-ifs; an error there is a usage error. */
#define CLI_WHATIF_NAME "--set"
int cli_whatif_failed(struct hm_compiler *c);

/* Does the file start as a compiled pack (.hmc) does? */
int cli_is_pack(const char *path);

/* The name diagnostics give policy text read from standard input. */
#define CLI_STDIN_NAME "<stdin>"
/* Add policies to a compiler: a file or directory, or `-` for policy text
 * on standard input (read once: a second `-` is refused).  An hm_status;
 * HM_EUSAGE after printing why stdin could not be read. */
int cli_add_policies(struct hm_compiler *c, const char *path);
/* Read all of standard input (owned, free()), refused when larger than
 * max bytes (`what` says how large in words).  EXIT_CLEAN, or EXIT_USAGE
 * after printing why not. */
#include <stddef.h>
int cli_read_stdin(char **text, size_t *len, size_t max, const char *what);

/* Add a facts file given with --given to the compilation when it is in the
 * `given` notation.  Returns the JSON file's path to pass on, NULL for a
 * `given` file (its block is now the compilation's), or sets *failed after
 * printing the diagnostics. */
const char *cli_given(struct hm_compiler *c, const char *given, int *failed);
/* Print a library error message, one "huimin: " line per line of it. */
void cli_error_lines(char *err);
struct hm_run_summary;
/* Print the summary of a population run whose results went to outpath
 * (cmd_run.c): the table per policy to stdout, the data issues (ID
 * numbers masked), the run and its timings to stderr; format
 * HM_FORMAT_TABLE or HM_FORMAT_JSON. */
void cli_print_run(const struct hm_run_summary *s, const char *outpath, int format);

/* Print "huimin: message" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
