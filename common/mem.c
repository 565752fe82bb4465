/* mem.c -- see mem.h. */
#include "mem.h"

#include <string.h>

static long fail_at = -1, fail_after = -1, counter = 0;
static int  configured = 0;

void mem_fault_reset(void)
{
    const char *s = getenv("HM_MEM_FAIL_AT");
    fail_at = s ? atol(s) : -1;
    s = getenv("HM_MEM_FAIL_AFTER");
    fail_after = s ? atol(s) : -1;
    counter = 0;
    configured = 1;
}

static int should_fail(void)
{
    if (!configured)
        mem_fault_reset();
    if (fail_at < 0 && fail_after < 0)
        return 0;
    counter++;
    return counter == fail_at || (fail_after >= 0 && counter >= fail_after);
}

void *mem_alloc(size_t n) { return should_fail() ? NULL : malloc(n ? n : 1); }

void *mem_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *mem_realloc(void *p, size_t n) { return should_fail() ? NULL : realloc(p, n ? n : 1); }

void mem_free(void *p) { free(p); }

char *mem_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mem_alloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
