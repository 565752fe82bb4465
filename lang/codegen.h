/* codegen.h -- from checked modules to a program of bytecode. */
#ifndef HM_CODEGEN_H
#define HM_CODEGEN_H

#include "bytecode.h"
#include "sema.h"

/* Compile every policy, function, parameter and scale of the checked
 * modules into `out` (owned by the caller, freed with prog_free).  Limits
 * the bytecode cannot express (more than 255 registers in one rule, …) are
 * reported as diagnostics.  Out of memory jumps to the arena's handler.
 * Returns the number of errors added. */
int cg_program(sema *s, hm_program *out);

/* The program's index of a policy, or -1 (after cg_program). */
int cg_policy_id(const sema *s, const char *name);

#endif
