/* arena.c -- see arena.h. */
#include "arena.h"
#include "mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define CHUNK_MIN (64 * 1024)
/* Chunks double up to CHUNK_MAX, so that a small arena stays small and a
 * large compilation takes a few big blocks.  Blocks from HUGE_PAGE on are
 * laid on 2 MiB pages where the system offers them: the first touch of
 * each 4 KiB page costs a fault, which on a virtual machine made up half of
 * the time a 50,000-line pack takes to check. */
#define CHUNK_MAX (8u << 20)
#define HUGE_PAGE (2u << 20)

struct arena_chunk {
    arena_chunk *next;
    void *block;            /* what to free: the chunk may sit inside it */
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

void arena_init(hm_arena *a) { memset(a, 0, sizeof *a); }

void arena_free(hm_arena *a)
{
    arena_chunk *c = a->head;
    while (c) {
        arena_chunk *next = c->next;
        mem_free(c->block);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

static void arena_oom(hm_arena *a)
{
    if (a->oom)
        longjmp(*a->oom, 1);
    fputs("huimin: out of memory\n", stderr);
    abort();    /* only reachable if a caller forgot arena_set_oom */
}

/* A chunk of at least size bytes, or NULL when memory runs out. */
static arena_chunk *new_chunk(size_t size)
{
    void *block;
    arena_chunk *c;
    if (size < HUGE_PAGE - sizeof *c) {
        block = c = mem_alloc(sizeof *c + size);
        if (!c)
            return NULL;
    } else {
        /* whole 2 MiB pages, aligned inside a block one page longer */
        size_t whole = (sizeof *c + size + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
        if (whole < size || whole + HUGE_PAGE < whole || !(block = mem_alloc(whole + HUGE_PAGE)))
            return NULL;
        c = (arena_chunk *)(((uintptr_t)block + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
#ifdef MADV_HUGEPAGE
        madvise(c, whole, MADV_HUGEPAGE);
#endif
        size = whole - sizeof *c;
    }
    c->block = block;
    c->size = size;
    return c;
}

/* n zeroed bytes, or NULL when memory runs out */
static void *try_alloc(hm_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t block = !c ? CHUNK_MIN : c->size + sizeof *c < CHUNK_MAX / 2 ? 2 * (c->size + sizeof *c) : CHUNK_MAX;
        size_t size = block - sizeof *c;
        if (size < n)
            size = n;
        c = new_chunk(size);
        if (!c)
            return NULL;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

void *arena_alloc(hm_arena *a, size_t n)
{
    void *p = try_alloc(a, n);
    if (!p)
        arena_oom(a);
    return p;
}

char *arena_strndup(hm_arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_try_strndup(hm_arena *a, const char *s, size_t len)
{
    char *p = try_alloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *arena_strdup(hm_arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(hm_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
