/* results.h -- the results database of population runs (SQLite).
 *
 * Everything one run writes is one transaction: a run killed at any point
 * leaves the database as it was before it started.  Decisions are stored
 * dictionary-encoded (entities, policies and reasons numbered per run) and
 * read through the view `decisions`:
 *
 *   runs(run_id, as_of, pack_hash, started, finished, config, households, persons, reasons,
 *        settled, config_text, config_sets, huimin_version, store)
 *   decisions(run_id, entity_kind, entity_id, household_id, policy, status, amount_fen,
 *             amount_period, reason, message, missing)
 *   data_issues(run_id, source, entity_kind, entity_id, field, issue, detail)
 *   run_not_eligible(run_id, policy, reason, count)
 *   run_not_applicable(run_id, policy, count)
 *
 * with the tables under the view: run_entities, run_policies, run_reasons,
 * decision_rows (see docs/commands.md).  A run stores the reason and the
 * missing facts of its decisions only when asked (runs.reasons = 1); they
 * are NULL otherwise, which makes the rows smaller and the write faster.
 *
 * A run stores every decision (runs.store = 'all') or, by default
 * ('answers'), the eligible and undetermined ones and the not eligible
 * ones of the entities it was asked to keep; run_not_eligible counts every
 * not eligible decision by policy and reason either way.  Not applicable
 * decisions (status 4: `for person where …`) are stored as not eligible
 * ones are, and run_not_applicable counts them by policy.  The entities
 * stored are those of the decisions stored, their households, and those
 * a data issue names. */
#ifndef HM_RESULTS_H
#define HM_RESULTS_H

#include "huimin.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* An entity's number in the database: unique across runs, so that
 * run_entities appends by rowid (entity numbers of a run are below 2^32). */
#define RESULTS_ENTITY(run, e) ((int64_t)(run) * 4294967296LL + (int64_t)(e))

/* rows written by one statement */
#define RESULTS_BATCH 4096

/* rows held until written together (results.c) */
typedef struct results_batch {
    sqlite3_stmt *st;
    int cols, n;                /* columns per row; rows held */
    int64_t *val;               /* RESULTS_BATCH × cols: an integer, a text's offset in text, or its address */
    unsigned char *kind;        /* per value: 0 NULL, 1 integer, 2 text (in text), 3 static text */
    size_t *len;                /* per value: a text's length */
    char *text;
    size_t tlen, tcap;
} results_batch;

typedef struct results {
    sqlite3 *db;
    results_batch dec, ent;     /* into decision_rows, run_entities */
    results_batch *writing;     /* the batch hm_rows reads */
    const char *path;
    int created;                /* the file did not exist before this run */
    int locked;                 /* this run holds its write lock */
    int committed;
    int64_t run_id;
    int cols;                   /* columns per decision: 8 with reasons, 5 without */
    sqlite3_stmt *claim_st;     /* results_claim_decision's */
    const hm_run_sink *sink;    /* results_open_sink's: every call goes there, no database */
    int begun;                  /* the sink's begin succeeded: abort unless committed */
    char err[512];
} results;

/* Open (creating it 0600 if needed, adding the columns a database made by
 * an older huimin lacks) and begin the run's transaction, which holds the
 * database's write lock until the commit.  An existing file must be a
 * results database or an empty one: anything else is refused, untouched. */
int  results_open(results *r, const char *path);
/* Hand the run to a caller's sink instead (hm_run_with): each function
 * below is one call of it, in the order they are called; a failed call's
 * message is r->err.  `name` is for messages. */
void results_open_sink(results *r, const hm_run_sink *sink, const char *name);
/* What identifies a run. */
typedef struct results_run {
    const char *as_of, *pack_hash;
    const char *config;         /* the configuration file's path */
    const char *config_text;    /* the file as read (secrets blanked) */
    const char *config_sets;    /* the --set overrides, one a line, or NULL */
    const char *version;        /* huimin's */
    const char *started;        /* when it started, as results_now gives it */
    int64_t households, persons;
    int reasons;                /* 0: the reason, missing and message of every decision NULL */
    int settled;                /* decisions were settled (0 for --kleene) */
    int store_all;              /* 1: every decision (runs.store 'all'), else 'answers' */
} results_run;

/* Record the run. */
int  results_begin(results *r, const results_run *run);
/* The time now, "2024-08-01T09:30:00Z". */
void results_now(char *buf, size_t n);
/* period: of the policy's amount (hm_policy.period); person: 0 a household
 * policy, 1 a person policy, 2 a claim policy */
int  results_policy(results *r, int32_t policy, const char *name, const char *label, int person, int period);
/* The decision of a claim policy for claim `claim` (from 1) of a person. */
int  results_claim_decision(results *r, int64_t entity, int32_t policy, int32_t claim, int status, int has_amount,
                            int64_t amount, int32_t reason, const char *missing, const char *message);
int  results_reason(results *r, int32_t reason, const char *text);
/* id: the entity's id as text, or NULL when it is the integer idnum;
 * household: a person's household (its entity number), -1 for a household */
int  results_entity(results *r, int64_t entity, int person, const char *id, int64_t idnum, int64_t household);
/* status 1 eligible, 2 not eligible, 3 undetermined, 4 not applicable; has_amount 0: NULL;
 * reason 0: NULL; missing and message may be NULL (all three ignored
 * without reasons). */
int  results_decision(results *r, int64_t entity, int32_t policy, int status, int has_amount,
                      int64_t amount, int32_t reason, const char *missing, const char *message);
/* How many of the policy's decisions were not eligible for the reason
 * (0: none recorded). */
int  results_not_eligible(results *r, int32_t policy, int32_t reason, int64_t count);
/* How many of the policy's decisions were not applicable. */
int  results_not_applicable(results *r, int32_t policy, int64_t count);
/* The plugin file that served a source, whether it ran isolated, and what
 * the plugin said the source was when read. */
int  results_source(results *r, const char *source, const char *plugin, int isolated, const char *identity);
int  results_issue(results *r, const char *source, int person, const char *entity_id,
                   const char *field, const char *issue, const char *detail);
/* Finish the run and commit. */
int  results_commit(results *r);
/* Roll back (if not committed) and close; a file results_open created is
 * removed unless the run was committed.  A sink begun and not committed
 * is told to abort. */
void results_close(results *r);

#endif
