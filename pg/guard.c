/* guard.c -- no PostgreSQL error may jump across libhuimin's frames: what a
 * plugin or sink callback does through SPI runs here, in a subtransaction
 * of its own; an error is caught, saved (message and SQLSTATE), rolled
 * back, and the callback returns -1 with the message.  huimin.run raises
 * the saved error once libhuimin has returned. */
#include "hmpg.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

hmpg_error hmpg_saved_error;

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
/* Under AddressSanitizer, loaded late (module.c), the server's own
 * siglongjmp is not the runtime's: the instrumented frames an error jumps
 * over keep their red zones poisoned, and the next call that reuses that
 * stack (the next run's insert, say) would be reported as overflowing
 * its own locals.  The frames below the guard's are all gone: unpoison
 * as much stack as PostgreSQL lets a backend use (max_stack_depth is at
 * most a few MB; the shadow of the rest is harmless to clear). */
#define SKIPPED_STACK (8 << 20)
static void frames_skipped(const volatile char *guard_frame)
{
    uintptr_t at = (uintptr_t)guard_frame;
    __asan_unpoison_memory_region((const void *)(at - SKIPPED_STACK), SKIPPED_STACK);
}
#else
static void frames_skipped(const volatile char *guard_frame)
{
    (void)guard_frame;
}
#endif

int hmpg_guard(void (*fn)(void *), void *arg, char *err, size_t errlen)
{
    MemoryContext cx = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    volatile int rc = 0;
    volatile char frame = 0;
    BeginInternalSubTransaction(NULL);
    MemoryContextSwitchTo(cx);
    PG_TRY();
    {
        fn(arg);
        ReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(cx);
        CurrentResourceOwner = owner;
    }
    PG_CATCH();
    {
        frames_skipped(&frame);
        MemoryContextSwitchTo(cx);
        ErrorData *ed = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(cx);
        CurrentResourceOwner = owner;
        /* the first error is the one that counts */
        if (!hmpg_saved_error.sqlstate) {
            hmpg_saved_error.sqlstate = ed->sqlerrcode;
            strlcpy(hmpg_saved_error.message, ed->message ? ed->message : "error", sizeof hmpg_saved_error.message);
        }
        if (err && errlen)
            strlcpy(err, ed->message ? ed->message : "error", errlen);
        FreeErrorData(ed);
        rc = -1;
    }
    PG_END_TRY();
    return rc;
}

void hmpg_save_error(int sqlstate, const char *msg)
{
    if (!hmpg_saved_error.sqlstate) {
        hmpg_saved_error.sqlstate = sqlstate;
        strlcpy(hmpg_saved_error.message, msg, sizeof hmpg_saved_error.message);
    }
}
