/* codegen.h -- from checked modules to a program of bytecode. */
#ifndef HM_CODEGEN_H
#define HM_CODEGEN_H

#include "bytecode.h"
#include "sema.h"

/* Where explain finds the value of an expression.  In function `fn`, after
 * instruction `start` (an index into program.code) has run, register `reg`
 * holds the value of `node` when instruction `end` is reached.  One probe
 * for every expression compiled to at least one instruction; inside an
 * aggregate it is reached once per element. */
enum { PROBE_VALUE = 0, PROBE_ELEMENT = 1 };
typedef struct cg_probe {
    ast *node;
    int32_t fn;
    uint32_t start, end;
    int32_t reg;
    int32_t kind;           /* PROBE_ELEMENT: `node` is an aggregate or `where`
                               over persons and reg holds the element's member
                               index, once per element */
    int32_t scale;          /* > 0: reg holds the value times this (100,
                               1000000): a whole number written where money
                               or a decimal is wanted, loaded converted */
} cg_probe;

typedef struct cg_map {
    cg_probe *probes;       /* in code order within each function */
    int32_t nprobes, cap;
    ast **fn_ast;           /* per program function: the expression it computes, or NULL */
    int32_t nfn;
} cg_map;

void cg_map_free(cg_map *m);

/* Compile every policy, function, parameter and scale of the checked
 * modules into `out` (owned by the caller, freed with prog_free).  Limits
 * the bytecode cannot express (more than 255 registers in one rule, …) are
 * reported as diagnostics.  Out of memory jumps to the arena's handler.
 * Returns the number of errors added. */
int cg_program(sema *s, hm_program *out, cg_map *map);

/* The program's index of a policy, or -1 (after cg_program). */
int cg_policy_id(const sema *s, const char *name);

#endif
