/* program.c -- freeing a compiled program; the names of value types. */
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

const char *vt_name(int vt)
{
    static const char *const names[] = { "?", "bool", "int", "money", "decimal", "date", "text", "code", "duration",
                                         "person" };
    _Static_assert(sizeof names / sizeof names[0] == VT_PERSON + 1, "a name for each value type");
    return vt >= VT_BOOL && vt <= VT_PERSON ? names[vt] : "?";
}
