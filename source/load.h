/* load.h -- the facts of a whole population from the configured plugins.
 *
 *   load_open        plugins loaded and opened; every `source` block of the
 *                    policies checked against what its plugin declares
 *                    (missing field, wrong type, unknown code set), every
 *                    extern bound; all mismatches reported before anything
 *                    is read
 *   load_population  households and persons from the population source
 *   load_restrict    (optional) only one household and its members
 *   load_facts       each source's fields fetched column by column into
 *                    the fact store: department codes mapped to the
 *                    policies' code sets, freshness limits applied per
 *                    source, a field given by several sources compared
 *
 * Values that cannot be used are data issues: the fact stays unknown and
 * the issue is kept (source, entity, field, what). */
#ifndef HM_LOAD_H
#define HM_LOAD_H

#include "arena.h"
#include <pthread.h>
#include <stdio.h>
#include "configfile.h"
#include "facts.h"
#include "idindex.h"
#include "plugin.h"

enum { ISSUE_BAD_VALUE = 1, ISSUE_UNKNOWN_CODE, ISSUE_CONFLICT };

typedef struct ld_issue {
    int32_t source;         /* index into hm_load.plugins */
    int32_t field;          /* program field */
    int32_t index;          /* household or person row */
    int32_t kind;           /* ISSUE_* */
    char *detail;
} ld_issue;

typedef struct hm_load {
    const hm_program *p;
    hm_config *cfg;
    int32_t as_of;
    int nplugins;
    hm_plugin *plugins;     /* one per configured source, in configuration order */
    char **sources;         /* their source names */
    uint8_t *needed;        /* per program field: some policy reads it */
    hm_ffi_bindings *ffi;
    const vm_extern *externs;
    /* the population: ids by row, and rows by id.  Integer ids (the
     * population source gave every id as an integer) are in hnum and pnum;
     * hid and pid are then NULL, or their text for an older plugin.  Read
     * them through load_id and load_id_int. */
    int32_t nh, np;
    char **hid, **pid;
    int64_t *hnum, *pnum;
    id_index hindex, pindex;
    /* the persons in the order listed: their ids (plist, or plnum when
     * integers) and rows (plrow), which pindex indexes by position; NULL
     * when the rows are in that order (one household) */
    char **plist;
    int64_t *plnum;
    int32_t *plrow;
    /* the population source's fields read with the population, waiting
     * for load_facts (population_fetch) */
    struct ld_listing *listing;
    hm_arena ids;
    hm_facts facts;
    ld_issue *issues;
    int32_t nissues, capissues;
    int64_t issue_counts[4];
    int threads;            /* sources fetched at once (default 1) */
    /* set: the host relays its plugins' calls to the loading thread, which
     * runs io_serve(io_ctx) while threads of the load fetch (hm_run_env) */
    void (*io_serve)(void *io_ctx);
    void (*io_served)(void *io_ctx);
    void *io_ctx;
    /* 1 (load_open's default): every value keeps its as-of date, for
     * explain.  0 (a population run, which needs them only to find stale
     * values): a field's dates are dropped as soon as its source is read,
     * so they never all take memory at once; then facts_drop_provenance. */
    int provenance;
    /* set before load_population when only one household is wanted (by
     * its id, or one person's): the population's plugin may then list only
     * that household; load_restrict keeps it either way */
    const char *only_household, *only_person;
    unsigned want;          /* LOAD_ROLL, LOAD_REGIONS (load_open_for) */
    pthread_mutex_t lock;
    char err[8192];         /* one line per problem after a failure */
} hm_load;

int  load_open(hm_load *L, const hm_program *p, hm_config *cfg, int32_t as_of);
/* load_open, also reading what no policy reads but a command wants
 * (regions.h): LOAD_ROLL the facts of the pack's payment roll (their
 * source must then be configured), LOAD_REGIONS the township fact of
 * `regions by` and the reference table naming its regions. */
enum { LOAD_ROLL = 1, LOAD_REGIONS = 2 };
int  load_open_for(hm_load *L, const hm_program *p, hm_config *cfg, int32_t as_of, unsigned want);
int  load_population(hm_load *L);
/* Keep only one household as the population: the one with id
 * `household_id`, or (when that is NULL) the one person `person_id` belongs
 * to.  Row 0 is that household; its members are person rows 0 … n-1 in the
 * population's member order, so load_facts fetches only their ids.  Call
 * between load_population and load_facts.  0, or -1 with the message in
 * L->err ("no household `H9` in the population (source registry)"). */
int  load_restrict(hm_load *L, const char *household_id, const char *person_id);
int  load_facts(hm_load *L);
/* Close every plugin (their close()), before anything is recorded: 0, or
 * -1 with L->err set when an isolated plugin's process failed closing. */
int  load_close_plugins(hm_load *L);
void load_close(hm_load *L);
/* Fetch every field plugin k declares for the first nmax households and
 * persons (in id order) and print them: `huimin plugin-check`. */
int  load_sample(hm_load *L, int k, int nmax, FILE *out);

/* Ids of the population.  Households and persons are rows; their ids are
 * the source's text, or integers when the population source gives integer
 * keys.  load_id: the id of household row i (person 0) or person row i
 * (person 1) as text (an integer id written into buf, of LOAD_ID_BUF
 * bytes).  load_id_int: 1 with the id in *v when the ids are integers,
 * else 0. */
#define LOAD_ID_BUF 24
const char *load_id(const hm_load *L, int person, int32_t i, char *buf);
int  load_id_int(const hm_load *L, int person, int32_t i, int64_t *v);

/* Integer ids also as text in L->hid and L->pid, for code that reads them
 * so (explain and needs, of one household): 0, or -1 when out of memory. */
int  load_text_ids(hm_load *L);

/* The index in L->plugins of the configured source named `source`, or -1. */
int  load_find_source(const hm_load *L, const char *source);

/* "registry" etc.; the source's name for issue i */
const char *load_issue_kind(int kind);

#endif
