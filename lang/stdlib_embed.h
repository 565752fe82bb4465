/* stdlib_embed.h -- access to the embedded standard library. */
#ifndef HM_STDLIB_EMBED_H
#define HM_STDLIB_EMBED_H

#include <stddef.h>

typedef struct hm_stdlib_file {
    const char *module;     /* "std.money" */
    const char *path;       /* "<stdlib>/std/money.pol", shown in diagnostics */
    const unsigned char *text;
    size_t len;
} hm_stdlib_file;

/* The embedded module, or NULL. */
const hm_stdlib_file *stdlib_find(const char *module);

#endif
