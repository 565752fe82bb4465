/* program.c -- freeing a compiled program. */
#include "bytecode.h"
#include "mem.h"

#include <string.h>

void prog_free(hm_program *p)
{
    if (!p)
        return;
#define HM_TABLE(SEC, id, type, arr, count, ctype, kind, what) mem_free(p->arr);
#define HM_ALONG(SEC, id, type, arr, count, what, of) mem_free(p->arr);
#include "program_tables.def"
#undef HM_TABLE
#undef HM_ALONG
    memset(p, 0, sizeof *p);
}
