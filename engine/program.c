/* program.c -- freeing a compiled program. */
#include "bytecode.h"
#include "mem.h"

#include <string.h>

void prog_free(hm_program *p)
{
    if (!p)
        return;
    mem_free(p->strpool);
    mem_free(p->strs);
    mem_free(p->consts);
    mem_free(p->fields);
    mem_free(p->codesets);
    mem_free(p->labels);
    mem_free(p->codemaps);
    mem_free(p->fsources);
    mem_free(p->externs);
    mem_free(p->dated);
    mem_free(p->pentries);
    mem_free(p->params);
    mem_free(p->rows);
    mem_free(p->scales);
    mem_free(p->fns);
    mem_free(p->code);
    mem_free(p->lines);
    mem_free(p->conds);
    mem_free(p->excs);
    mem_free(p->lets);
    mem_free(p->policies);
    mem_free(p->ints);
    mem_free(p->srcfiles);
    mem_free(p->srctext);
    memset(p, 0, sizeof *p);
}
