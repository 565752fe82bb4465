/* arena.h -- region allocator for everything a compilation builds.
 *
 * Tokens' strings, AST nodes, symbols and types all live in one arena and
 * are released together by arena_free(), after success or after errors, so
 * the front end never has to free piecemeal and cannot leak on error paths.
 * When memory runs out, arena_alloc() jumps to the handler installed with
 * arena_set_oom() (the compile driver); it never returns NULL. */
#ifndef HM_ARENA_H
#define HM_ARENA_H

#include <setjmp.h>
#include <stddef.h>

typedef struct arena_chunk arena_chunk;
typedef struct hm_arena {
    arena_chunk *head;
    jmp_buf *oom;       /* where to jump when allocation fails; borrowed */
    size_t total;       /* bytes handed out, for statistics */
} hm_arena;

void  arena_init(hm_arena *a);
void  arena_free(hm_arena *a);
/* Zeroed, 16-byte aligned memory that lives until arena_free(). */
void *arena_alloc(hm_arena *a, size_t n);
/* Copy of s[0..len) with a terminating NUL. */
char *arena_strndup(hm_arena *a, const char *s, size_t len);
char *arena_strdup(hm_arena *a, const char *s);
/* The same, but NULL when memory runs out, for arenas with no handler
 * (the ids of a population, filled from plugin callbacks). */
char *arena_try_strndup(hm_arena *a, const char *s, size_t len);
/* printf into the arena. */
char *arena_printf(hm_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
