/* diff.h -- `huimin diff BASE REFORM --config FILE`: two packs over one
 * population in one pass.  The facts are loaded once, by the pack that
 * declares every fact the other does; the other reads the same columns
 * through a view of them (its own column numbers).  Every household is
 * decided by both, one after the other, and only what the diff reports is
 * kept: counts and sums per policy and region, and each household's change
 * per period (for the deciles and the largest changes). */
#ifndef HM_DIFF_H
#define HM_DIFF_H

#include "huimin.h"

#include <stdint.h>

/* what a decision became, per policy */
enum {
    DIFF_NEW,           /* newly eligible */
    DIFF_LOST,          /* no longer eligible */
    DIFF_MORE,          /* eligible in both, paid more */
    DIFF_LESS,          /* eligible in both, paid less */
    DIFF_SAME,          /* the same decision and amount */
    DIFF_TO_UNDET,      /* decided before, undetermined now */
    DIFF_FROM_UNDET,    /* undetermined before, decided now */
    DIFF_NCAT
};

/* periods of amounts, as policies give them */
enum { DIFF_MONTH, DIFF_YEAR, DIFF_ONCE, DIFF_NPERIODS };

#define DIFF_BINS 10

/* region levels */
enum { DIFF_TOWNSHIP, DIFF_COUNTY, DIFF_CITY, DIFF_NLEVELS };

typedef struct diff_options {
    const char *config;
    const char *const *sets;    /* --set SECTION.KEY=VALUE (parameter.* are the reform's) */
    int nsets;
    const char *as_of;          /* NULL: today */
    const char *out;            /* results database, or NULL */
    int threads;                /* 0: one per core */
    int progress;               /* -1 on a terminal */
    int top;                    /* households with the largest changes to keep */
} diff_options;

typedef struct diff_policy {
    char *name, *label;
    int entity;                 /* HM_ENTITY_* */
    int period;                 /* DIFF_MONTH, DIFF_YEAR, DIFF_ONCE */
    int has_amount;
    int in_base, in_reform;     /* 0 and 1: added; 1 and 0: removed */
    int64_t cat[DIFF_NCAT];
    int64_t eligible[2];        /* base, reform */
    int64_t total[2];           /* amounts of the eligible, where neither side is undetermined */
    int64_t change;             /* total[1] - total[0], in the policy's period */
} diff_policy;

/* one region of one level: the change of every policy there */
typedef struct diff_region {
    char *code, *name;          /* name may equal code */
    int64_t households;
    int64_t *newly, *lost;      /* per policy */
    int64_t *change;            /* per policy, in its period */
} diff_region;

typedef struct diff_household {
    char *id;                   /* full: mask before printing */
    int64_t change[DIFF_NPERIODS];
    int64_t per_year;           /* month × 12 + year */
} diff_household;

typedef struct diff_result {
    char as_of[16];
    char *base_hash, *reform_hash;
    int64_t households, persons;
    int threads;
    double seconds[3];          /* load, evaluate, total */
    int loaded_by;              /* 0 base, 1 reform: the pack whose facts were loaded */
    diff_policy *policies;
    int npolicies;
    /* per period: households whose change is > 0, < 0, = 0, and the
     * deciles of the non-zero changes (0 %, 10 % … 100 %) */
    int64_t gainers[DIFF_NPERIODS], losers[DIFF_NPERIODS], unchanged[DIFF_NPERIODS];
    int64_t deciles[DIFF_NPERIODS][11];
    int has_period[DIFF_NPERIODS];
    /* per period: the non-zero changes in DIFF_BINS bins of equal width
     * from the smallest to the largest, bin b from edge[b] to edge[b + 1] */
    int64_t hist[DIFF_NPERIODS][DIFF_BINS], edge[DIFF_NPERIODS][DIFF_BINS + 1];
    int64_t total_change[DIFF_NPERIODS];    /* Σ over the policies of that period */
    int64_t total_per_year;                 /* month × 12 + year */
    diff_region *regions[DIFF_NLEVELS];
    int nregions[DIFF_NLEVELS];
    int has_regions;
    diff_household *top;
    int ntop;
    long long diff_id;          /* in the results database, 0 when none */
} diff_result;

/* Both packs over the population of o->config.  HM_OK with *out
 * (diff_free), or an hm_status with err: HM_EUSAGE for an input the two
 * packs cannot share (a fact of another type …), a configuration error. */
int  diff_run(const hm_pack *base, const hm_pack *reform, const diff_options *o, diff_result **out, char *err,
              size_t errlen);
void diff_free(diff_result *r);

#endif
