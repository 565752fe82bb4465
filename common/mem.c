/* mem.c -- see mem.h. */
#include "mem.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

/* Large arrays (fact columns, decisions) are filled page by page and read
 * a few dozen at a time: on 2 MiB pages a run at a million households
 * takes a few hundred page faults instead of hundreds of thousands, and
 * far fewer TLB misses.  Only the 2 MiB-aligned inside of a block can use
 * them; where the system does not offer them this changes nothing. */
static void *huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t H = 2u << 20;
    if (p && n >= 4 * H) {
        uintptr_t a = ((uintptr_t)p + H - 1) & ~(H - 1), b = ((uintptr_t)p + n) & ~(H - 1);
        if (b > a)
            madvise((void *)a, b - a, MADV_HUGEPAGE);
    }
#endif
    return p;
}

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

void *mem_alloc(size_t n) { return should_fail() ? NULL : huge(malloc(n ? n : 1), n); }

void *mem_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : huge(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *mem_realloc(void *p, size_t n) { return should_fail() ? NULL : huge(realloc(p, n ? n : 1), n); }

void mem_free(void *p) { free(p); }

char *mem_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mem_alloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
