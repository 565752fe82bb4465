/* stdlib.c -- the standard library (the .pol files of stdlib/std), embedded in the
 * binary at build time so that `use std.money` works wherever huimin runs.
 * Setting HUIMIN_STDLIB=DIR reads DIR/std/NAME.pol instead (for working on
 * the library itself). */
#include "stdlib_embed.h"

#include <string.h>

#include "stdlib_files.inc"

const hm_stdlib_file *stdlib_find(const char *module)
{
    for (size_t i = 0; i < sizeof stdlib_files / sizeof stdlib_files[0]; i++)
        if (strcmp(stdlib_files[i].module, module) == 0)
            return &stdlib_files[i];
    return NULL;
}
