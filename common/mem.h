/* mem.h -- the one allocator everything in libhuimin goes through.
 *
 * Test builds can make allocation fail on purpose: HM_MEM_FAIL_AT=N makes
 * the Nth allocation fail once, HM_MEM_FAIL_AFTER=N makes every allocation
 * from the Nth on fail.  That is how out-of-memory paths are tested. */
#ifndef HM_MEM_H
#define HM_MEM_H

#include <stddef.h>
#include <stdlib.h>

void *mem_alloc(size_t n);             /* returns owned, or NULL */
void *mem_calloc(size_t n, size_t size);
void *mem_realloc(void *p, size_t n);  /* takes p, returns owned, or NULL (p kept) */
void  mem_free(void *p);               /* takes p */
char *mem_strdup(const char *s);
/* Re-read HM_MEM_FAIL_AT / HM_MEM_FAIL_AFTER and reset the counter. */
void  mem_fault_reset(void);

#endif
