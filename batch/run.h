/* run.h -- a population run with something done alongside it (audit.c):
 * hm_run's pass, reading more than the policies read, with a call into
 * the caller while the facts are there. */
#ifndef HM_RUN_H
#define HM_RUN_H

#include "huimin.h"
#include "load.h"

/* ---- the run's summary (hm_run_summary): built here, and by a cluster
 * run's coordinator (cluster.c) from what its nodes recorded ---- */

typedef struct sum_policy {
    const char *name;           /* in hm_run_summary.strs */
    int policy, entity, period, has_amount;
    long long count[5];         /* by HM_ELIGIBLE … HM_NOT_APPLICABLE */
    long long total, errors;
} sum_policy;

typedef struct sum_issue {
    char *source, *entity_id, *field, *detail;
    int entity;
} sum_issue;

/* Every pointer below is mem_alloc'ed, freed by hm_run_summary_free. */
struct hm_run_summary {
    long long run_id, households, persons;
    char as_of[16];
    char *pack_hash;
    int threads, nsources;
    double seconds[4];          /* HM_PHASE_* */
    long peak_kib;
    sum_policy *policies;
    int npolicies;
    long long issue_counts[4];  /* by HM_ISSUE_* */
    sum_issue *issues;
    int nissues;
    char *strs;                 /* the policies' names, one after another */
};

typedef struct run_hooks {
    void *ctx;
    unsigned load;              /* LOAD_ROLL, LOAD_REGIONS: read those too (load_open_for) */
    /* the facts are read, nothing decided yet: set keep[i] (households
     * 0 … nh-1, then persons) for the entities whose every decision is
     * to be stored, as `--keep` would */
    int (*keep)(void *ctx, const hm_load *L, uint8_t *keep, char *err, size_t errlen);
    /* every decision is made and the facts' values still held (before
     * the run is committed): read what is wanted of them */
    int (*decided)(void *ctx, const hm_load *L, char *err, size_t errlen);
} run_hooks;

/* Blank what looks like a password in a configuration's text, in place,
 * before it is recorded (runs.config_text, runs.config_sets). */
void run_blank_secrets(char *t);
/* The --set overrides, one a line (blanked), or NULL when there are none.  Owned. */
char *run_join_sets(const hm_run_options *o);

/* hm_run, reading and calling what h says (h may be NULL); a failure of h->decided is the
 * run's (nothing recorded), with the status it returned. */
int batch_run(const hm_pack *k, const hm_run_options *o, const run_hooks *h, hm_run_summary **out, char *err,
              size_t errlen);

#endif
