/* frontend.h -- what the rest of libhuimin needs of a compilation. */
#ifndef HM_FRONTEND_H
#define HM_FRONTEND_H

#include "huimin.h"
#include "bytecode.h"
#include "sema.h"

/* The compiled program of a checked compilation (borrowed; lives as long
 * as the compiler) and its checker state.  HM_OK, HM_ERR, HM_ENOMEM. */
int compiler_program(hm_compiler *c, hm_program **out, sema **s);
/* The checked sema of c's files, when they give program p exactly (for
 * hm_household_add_given_tables): HM_OK; HM_EUSAGE (errors, or another
 * program: err); HM_ENOMEM. */
int compiler_given_program(hm_compiler *c, const hm_program *p, sema **s, char *err, size_t errlen);
/* The .hmc bytes of the compiled program (owned, mem_free): what
 * `compile -o` writes.  HM_OK, HM_ERR, HM_ENOMEM. */
int compiler_module(hm_compiler *c, unsigned char **buf, size_t *len);
/* Add policy text that amends the policies (what-ifs, a reform) to a
 * compiler, even one made from a pack: the program is then no longer the
 * pack's.  HM_OK, HM_ENOMEM. */
int compiler_add_amendment(hm_compiler *c, const char *name, const char *text, size_t len);
/* 1 when an error was reported in the file named name, else 0. */
int compiler_errors_in(hm_compiler *c, const char *name);
/* After compiler_program: where each expression's value is (codegen.h). */
const struct cg_map *compiler_map(hm_compiler *c);
/* hm_compiler_set_explain_deep's flag */
int compiler_explain_deep(const hm_compiler *c);

/* {"diagnostics": [...], "errors", "warnings"}: what
 * hm_compiler_print_diagnostics_json() prints.  Owned; NULL out of memory. */
struct json_t;
struct json_t *compiler_diagnostics_json(hm_compiler *c);

/* The top-level `given` block of the file added with
 * hm_compiler_add_facts_file(), or NULL. */
ast *compiler_given(hm_compiler *c);
/* The declarations of the facts file, `given table` rows among them, or NULL. */
ast *compiler_facts_root(hm_compiler *c);

#include "facts.h"
/* Build the fact store of one household from a `given` block (testrun.c).
 * 0, or -1 out of memory. */
int testrun_build_facts(sema *s, const hm_program *p, ast *given, hm_facts *f, int *nmembers);
/* Add the rows of `given table` blocks (TROW nodes among `rows`) to f,
 * but those of tables skip[t] marks (skip may be NULL).  0 or -1. */
int testrun_load_table_rows(sema *s, const hm_program *p, hm_facts *f, ast *rows, const uint8_t *skip);
/* The rows the pack's modules give outside tests (but module
 * except_module's, -1 none), for each table f has no rows of yet.  0 or -1. */
int testrun_load_pack_rows(sema *s, const hm_program *p, hm_facts *f, int except_module);

#endif
