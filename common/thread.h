/* thread.h -- starting the threads libhuimin uses. */
#ifndef HM_THREAD_H
#define HM_THREAD_H

#include <pthread.h>

/* pthread_create with every signal blocked in the new thread: a program
 * that embeds libhuimin (a database server, say) has its signal handlers
 * run on its own threads, never on one of ours.  0, or pthread_create's
 * error. */
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
