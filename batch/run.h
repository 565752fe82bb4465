/* run.h -- a population run with something done alongside it (audit.c):
 * hm_run's pass, with two calls into the caller while the facts are there. */
#ifndef HM_RUN_H
#define HM_RUN_H

#include "huimin.h"
#include "load.h"

typedef struct run_hooks {
    void *ctx;
    unsigned load;              /* LOAD_ROLL, LOAD_REGIONS: read those too (load_open_for) */
    /* the plugins are open and the population listed, the facts not yet
     * read: mark in L->needed the fields to read besides the policies' */
    int (*before_facts)(void *ctx, hm_load *L, char *err, size_t errlen);
    /* every decision is made and the facts' values still held (before
     * the run is committed): read what is wanted of them */
    int (*decided)(void *ctx, const hm_load *L, char *err, size_t errlen);
} run_hooks;

/* hm_run, calling h's functions (h may be NULL); a hook's failure is the
 * run's (nothing recorded), with the status it returned. */
int batch_run(const hm_pack *k, const hm_run_options *o, const run_hooks *h, hm_run_summary **out, char *err,
              size_t errlen);

#endif
