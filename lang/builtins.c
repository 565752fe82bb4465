/* builtins.c -- the table of built-in functions, from builtins.def. */
#include "builtins.h"
#include "bytecode.h"

#include <string.h>

const hm_builtin hm_builtins[] = {
#define HM_BUILTIN(name, arity, rule, op) { #name, arity, rule, OP_##op },
#include "builtins.def"
#undef HM_BUILTIN
};

const int hm_nbuiltins = (int)(sizeof hm_builtins / sizeof hm_builtins[0]);

const hm_builtin *builtin_find(const char *name)
{
    for (int i = 0; i < hm_nbuiltins; i++)
        if (strcmp(hm_builtins[i].name, name) == 0)
            return &hm_builtins[i];
    return NULL;
}
