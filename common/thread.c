/* thread.c -- see thread.h. */
#include "thread.h"

#include <signal.h>

int thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    /* a new thread inherits the mask of the thread creating it */
    int rc = pthread_sigmask(SIG_SETMASK, &all, &old);
    if (rc)
        return rc;
    rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
