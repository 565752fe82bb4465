/* huimin.h -- the public API of libhuimin, the huimin rules engine.
 *
 * Handles are opaque.  Functions return an hm_status (0 is success) and
 * deliver results through out-parameters; none of them exits or aborts on
 * bad input.  Ownership: every function *borrows* its pointer arguments
 * unless it says it *takes* them; results documented as *owned* are freed
 * by the caller with the matching _free function. */
#ifndef HUIMIN_H
#define HUIMIN_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HM_VERSION_MAJOR 0
#define HM_VERSION_MINOR 1
#define HM_VERSION_PATCH 0

typedef enum hm_status {
    HM_OK = 0,
    HM_ERR = 1,         /* the input has errors (diagnostics say which) */
    HM_ENOMEM = 2,      /* out of memory; nothing was changed */
    HM_EIO = 3,         /* a file could not be read or written */
    HM_ECORRUPT = 4,    /* a bytecode module failed verification */
    HM_EABI = 5,        /* a plugin was built for another ABI */
    HM_EPLUGIN = 6,     /* a plugin reported an error */
    HM_EUSAGE = 7       /* the caller passed an invalid argument */
} hm_status;

/* "0.1.0" */
const char *hm_version(void);
/* A short English description of a status ("out of memory"). */
const char *hm_status_string(int status);

/* ---- compiling policies ------------------------------------------------ */

typedef struct hm_compiler hm_compiler;

/* Returns owned, or NULL when out of memory. */
hm_compiler *hm_compiler_new(void);
void hm_compiler_free(hm_compiler *c);

/* Add a .pol file, or every .pol file under a directory (recursively, in
 * name order).  HM_EIO if the path cannot be read; the message is kept for
 * hm_compiler_print_diagnostics(). */
int hm_compiler_add_path(hm_compiler *c, const char *path);
/* Add a module from memory; `name` is used in diagnostics. */
int hm_compiler_add_source(hm_compiler *c, const char *name, const char *text, size_t len);
/* Parse and check everything added.  HM_OK when there are no errors
 * (warnings allowed), HM_ERR when there are, HM_ENOMEM. */
int hm_compiler_check(hm_compiler *c);
int hm_compiler_error_count(const hm_compiler *c);
int hm_compiler_warning_count(const hm_compiler *c);
/* Print every diagnostic, sorted by file and position. */
void hm_compiler_print_diagnostics(hm_compiler *c, FILE *out);
/* The same as one JSON document, for tools: {"diagnostics": [{"file",
 * "line", "column", "severity", "message", "hints", "notes"}], "errors",
 * "warnings"} (docs/commands.md).  HM_OK, HM_ENOMEM, HM_EIO. */
int hm_compiler_print_diagnostics_json(hm_compiler *c, FILE *out);
/* Print the syntax trees of the added files as an outline (for tests and
 * for drafters curious how a rule was read).  Call after check. */
void hm_compiler_dump_ast(hm_compiler *c, FILE *out);

/* Compile and print the bytecode readably (one instruction per line, with
 * names and source lines).  HM_OK, HM_ERR, HM_ENOMEM. */
int hm_compiler_disasm(hm_compiler *c, FILE *out);

/* Compile and write the bytecode module (.hmc) to `path`, atomically.
 * HM_OK, HM_ERR (errors in the policies), HM_EIO, HM_ENOMEM. */
int hm_compiler_write(hm_compiler *c, const char *path);

/* ---- compiled packs (.hmc files) -------------------------------------------- */

typedef struct hm_pack hm_pack;

/* Compile everything added into a pack (owned; independent of the
 * compiler, which may be freed first).  HM_OK, HM_ERR (errors in the
 * policies: diagnostics), HM_ENOMEM. */
int hm_compiler_pack(hm_compiler *c, hm_pack **out);
/* Add the policy files a pack was compiled from (it carries their text),
 * to check, test or explain it; compiling must then give exactly the
 * pack's program, else an error says the pack came from another version.
 * k is borrowed (it may be freed after).  Only on an empty compiler (more
 * files, such as a facts file, may follow).  HM_OK, HM_ERR (the pack
 * holds no sources), HM_EUSAGE, HM_ENOMEM. */
int hm_compiler_add_pack(hm_compiler *c, const hm_pack *k);

/* Load and verify a bytecode module.  HM_OK; HM_EIO (unreadable);
 * HM_ECORRUPT (a bad, corrupt or hostile file: never run); HM_ENOMEM.  On
 * failure `err` holds "PATH: bad bytecode (WHY)" or the I/O error. */
int hm_pack_load(const char *path, hm_pack **out, char *err, size_t errlen);
int hm_pack_load_mem(const void *data, size_t len, hm_pack **out, char *err, size_t errlen);
void hm_pack_free(hm_pack *k);
/* "sha256:" and the 64 hex digits of the pack's bytes: what a run records
 * to prove which pack decided. */
const char *hm_pack_hash(const hm_pack *k);
void hm_pack_disasm(const hm_pack *k, FILE *out);

/* ---- the runtime: packs, facts, decisions --------------------------------
 *
 * The runtime needs only a pack.  Threads: a loaded hm_pack is immutable
 * and may be shared by any number of threads; every other handle below
 * (households, evaluators, results, documents) belongs to one thread at a
 * time: give each thread its own evaluator.  No function here prints. */

enum { HM_ENTITY_HOUSEHOLD = 1, HM_ENTITY_PERSON = 2 };
/* a claim policy's decisions: one for each record of a person's list
 * (hm_run_summary_policy_entity) */
enum { HM_ENTITY_CLAIM = 3 };
enum { HM_ELIGIBLE = 1, HM_NOT_ELIGIBLE = 2, HM_UNDETERMINED = 3 };
/* the policy is not for this person or household (`for person where …`) */
enum { HM_NOT_APPLICABLE = 4 };
/* the period of an amount: a lump sum paid once, per month or per year */
enum { HM_PERIOD_ONCE = 0, HM_PERIOD_MONTH = 1, HM_PERIOD_YEAR = 2 };
/* why a fact is not usable */
enum { HM_FACT_MISSING = 1, HM_FACT_STALE = 2, HM_FACT_INVALID = 3, HM_FACT_CONFLICT = 4 };

/* What a pack holds: its policies and the facts they read. */
int hm_pack_policy_count(const hm_pack *k);
const char *hm_pack_policy_name(const hm_pack *k, int i);
const char *hm_pack_policy_label(const hm_pack *k, int i);
int hm_pack_policy_entity(const hm_pack *k, int i);        /* HM_ENTITY_* */
int hm_pack_policy_period(const hm_pack *k, int i);        /* HM_PERIOD_* of its amount */
int hm_pack_policy_has_amount(const hm_pack *k, int i);
int hm_pack_fact_count(const hm_pack *k);
const char *hm_pack_fact_name(const hm_pack *k, int i);    /* "person.monthly_income" */
/* The index of a fact ("household.region", "person.age"), or -1. */
int hm_pack_fact(const hm_pack *k, const char *name);
/* The label (its name, for hm_household_set) that department code `raw`
 * of `source` means for code fact `fact`, by the pack's `map` blocks (the
 * label names themselves when the source has no map); NULL when none. */
const char *hm_pack_code_label(const hm_pack *k, int fact, const char *source, const char *raw);

/* ---- facts of one household, built in memory or read from JSON ---- */

typedef struct hm_household hm_household;

/* An empty household for pack k (borrowed: it must outlive the household).
 * `id` may be NULL.  Returns owned, NULL when out of memory. */
hm_household *hm_household_new(const hm_pack *k, const char *id);
void hm_household_free(hm_household *h);
/* Add a member; its index (0, 1, …) in *index.  HM_OK, HM_ENOMEM. */
int hm_household_add_member(hm_household *h, const char *id, int *index);
/* Set fact `fact` (hm_pack_fact) of the household (member -1) or of a
 * member, from text as in a JSON facts file: "1500.50" for money, "12.5%"
 * or "0.125" for decimals, "YYYY-MM-DD" for dates, "true"/"false", a code
 * label's name, a whole number, another member's id (hm_household_add_member,
 * before) for a link; `as_of` (the day the value was true, or
 * NULL) and `source` (which declared source gave it, or NULL) feed the
 * freshness limits.  A fact never set is missing.  HM_OK; HM_EUSAGE with a
 * message in err (no such fact or member, a value the fact's type cannot
 * take, an unknown source); HM_ENOMEM. */
int hm_household_set(hm_household *h, int member, int fact, const char *value, const char *as_of,
                     const char *source, char *err, size_t errlen);
/* Say that `source` gave fact `fact` of the household or a member, as of
 * `as_of` (or NULL), a value that cannot be used (a code no map knows, a
 * malformed number): the fact is unusable unless another source gives a
 * usable value.  Values of one fact from several sources are compared when
 * the household is evaluated, as a population run compares them: where the
 * fresh ones disagree the fact is in conflict.  Errors as hm_household_set. */
int hm_household_set_invalid(hm_household *h, int member, int fact, const char *as_of, const char *source,
                             char *err, size_t errlen);
/* Append a dated record to a records fact (`value` as above); an empty
 * list is known once hm_household_set_records_known() is called. */
int hm_household_add_record(hm_household *h, int member, int fact, const char *date, const char *value,
                            char *err, size_t errlen);
int hm_household_set_records_known(hm_household *h, int member, int fact, char *err, size_t errlen);
/* Append a record to a list of records with fields (`fact` the list,
 * "person.edu_claims"; an empty list is known by
 * hm_household_set_records_known): fields[i] is the name of a field
 * ("share"), values[i] its value as for hm_household_set (NULL: missing in
 * this record, as is a field not named).  A link to another member
 * (a fact or a field of type person) is given as that member's id, of a
 * member added before.  Errors as hm_household_set; on an error nothing
 * is added. */
int hm_household_add_row(hm_household *h, int member, int fact, const char *const *fields,
                         const char *const *values, int n, char *err, size_t errlen);
/* Give a row of reference table `table` (a source's `table`, e.g. "region")
 * for evaluating this household: its key ("330100"), for a dated table the
 * date it is in force from ("2024-07-01"; NULL for a table not dated), and
 * attrs[i] its attributes' values as for hm_household_set (values[i] NULL,
 * or an attribute not named: missing).  Give every row of the table the
 * policies may read, as a population run reads them from the source: a key
 * with no row, or no row in force at the as-of date, leaves what is read
 * through it unknown.  HM_OK; HM_EUSAGE with a message in err (no such
 * table or attribute, a value the attribute cannot take, a date missing or
 * given where the table has none, two rows of one key and date); HM_ENOMEM. */
int hm_household_add_ref_row(hm_household *h, const char *table, const char *key, const char *from,
                             const char *const *attrs, const char *const *values, int n, char *err,
                             size_t errlen);
/* Read a household from JSON text, in the format `huimin run --given`
 * reads ({"household": {…, "members": [{…}]}} or {"person": {…}}).
 * `name` is used in messages.  HM_OK; HM_ERR with "NAME: …" in err (bad
 * JSON or facts); HM_ENOMEM. */
int hm_household_from_json(const hm_pack *k, const char *json, size_t len, const char *name,
                           hm_household **out, char *err, size_t errlen);
int hm_household_member_count(const hm_household *h);
/* Give household h the rows of the reference tables that the policy files
 * added to compiler c give in `given table` blocks, as `huimin run --given`
 * applies them.  c must be checked (hm_compiler_check) and hold the files of
 * h's pack (hm_compiler_add_pack): the caller keeps one such compiler per
 * pack and may reuse it for any number of households (one thread at a time).
 * HM_OK (also when there are no such rows), HM_EUSAGE (c not checked, or of
 * another program: err), HM_ENOMEM. */
int hm_household_add_given_tables(hm_household *h, hm_compiler *c, char *err, size_t errlen);

/* ---- evaluating ---- */

typedef struct hm_evaluator hm_evaluator;
typedef struct hm_result hm_result;

/* One per thread.  Returns owned, NULL when out of memory. */
hm_evaluator *hm_evaluator_new(const hm_pack *k);
void hm_evaluator_free(hm_evaluator *e);
/* Decide every policy for household h (not changed: the same household may
 * be evaluated as of several dates) as of `as_of` ("YYYY-MM-DD"; NULL for
 * today, UTC).  *out is owned by the caller.  HM_OK; HM_EUSAGE (a bad
 * date: err); HM_ENOMEM. */
int hm_evaluate(hm_evaluator *e, const hm_household *h, const char *as_of, hm_result **out, char *err,
                size_t errlen);
void hm_result_free(hm_result *r);
const char *hm_result_as_of(const hm_result *r);          /* "YYYY-MM-DD" */
int hm_result_member_count(const hm_result *r);
/* Decisions: every household policy once, every person policy per member,
 * in the pack's policy order; then each claim policy's decision of each
 * record of a member's list (HM_ENTITY_CLAIM), member by member, and within
 * a member by policy and in the list's order, as a population run stores
 * them. */
int hm_result_count(const hm_result *r);
int hm_result_policy(const hm_result *r, int i);          /* index into the pack's policies */
const char *hm_result_policy_name(const hm_result *r, int i);
int hm_result_entity(const hm_result *r, int i);          /* HM_ENTITY_* */
int hm_result_member(const hm_result *r, int i);          /* 0-based, -1 for the household */
const char *hm_result_member_id(const hm_result *r, int i); /* NULL when none was given */
/* A claim's position in its member's list (0-based, in the order the
 * records were given), -1 for a decision that is no claim's. */
int hm_result_claim(const hm_result *r, int i);
int hm_result_status(const hm_result *r, int i);          /* HM_ELIGIBLE … HM_NOT_APPLICABLE */
int hm_result_has_amount(const hm_result *r, int i);      /* eligible, with an amount */
long long hm_result_amount(const hm_result *r, int i);    /* fen */
int hm_result_period(const hm_result *r, int i);          /* HM_PERIOD_* */
/* Why, as `huimin run` prints it: the failed condition's message with its
 * {placeholders} filled, "excluded by POLICY", the runtime error,
 * "missing: FACTS" for an undetermined decision, and "whatever the value
 * of FACTS" for one decided although facts are missing; NULL when there is
 * nothing to say (eligible with every fact known). */
const char *hm_result_reason(const hm_result *r, int i);
/* The facts an undetermined decision lacks (or a settled one did not
 * need): names ("person.deceased") and HM_FACT_* states. */
int hm_result_missing_count(const hm_result *r, int i);
const char *hm_result_missing_fact(const hm_result *r, int i, int j);
int hm_result_missing_state(const hm_result *r, int i, int j);
/* The result as JSON, exactly as `huimin run --given F --format json`
 * prints it (and "member_id" for members given an id).  Owned: free with
 * hm_free().  NULL when out of memory.  A result borrows its pack: free it
 * first. */
char *hm_result_json(const hm_result *r);
void hm_free(void *p);

/* ---- explanations: documents the caller walks ---- */

typedef struct hm_doc hm_doc;
typedef struct hm_node hm_node;
enum { HM_NODE_NULL = 0, HM_NODE_BOOL, HM_NODE_INT, HM_NODE_REAL, HM_NODE_STRING, HM_NODE_ARRAY, HM_NODE_OBJECT };
enum { HM_AUDIENCE_REVIEWER = 0, HM_AUDIENCE_CITIZEN = 1 };

/* Explain the decisions of household h as of `as_of` (NULL: today, UTC):
 * every policy, or only `policy` (NULL for all); for person policies every
 * member, or only `member` (-1 for all).  The document is the one
 * `huimin explain --format json` prints (docs/explain.md,
 * explain.schema.json), ids whole.  The first call on an evaluator reads
 * the pack's policy files (explain shows their text): HM_ERR when the
 * pack has none or they do not give its program (err says which).  HM_OK;
 * HM_EUSAGE (a bad date, an unknown policy, a member out of range);
 * HM_ENOMEM. */
int hm_explain(hm_evaluator *e, const hm_household *h, const char *as_of, const char *policy, int member,
               hm_doc **out, char *err, size_t errlen);
/* Explanations made with e from now on show how the standard library's
 * functions computed their result (deep non-zero), as `huimin explain
 * --deep` does, or only the result and the line that documents the
 * function (0, the default). */
void hm_evaluator_set_explain_deep(hm_evaluator *e, int deep);
/* What household h still lacks: per policy (or only `policy`), its
 * decision and, when undetermined, each fact missing, stale, unusable or
 * in conflict with the sources that provide it: the document `huimin needs
 * --given F --format json` prints, ids whole.  HM_OK; HM_EUSAGE (a bad
 * date, an unknown policy); HM_ENOMEM. */
int hm_needs(hm_evaluator *e, const hm_household *h, const char *as_of, const char *policy, hm_doc **out,
             char *err, size_t errlen);
void hm_doc_free(hm_doc *d);
/* The root of the document, and its nodes.  Nodes belong to the document:
 * valid until hm_doc_free.  Accessors given a node of another type return
 * NULL, 0 or 0.0. */
const hm_node *hm_doc_root(const hm_doc *d);
int hm_node_type(const hm_node *n);                         /* HM_NODE_* (NULL: HM_NODE_NULL) */
size_t hm_node_size(const hm_node *n);                      /* items of an array or object */
const hm_node *hm_node_at(const hm_node *n, size_t i);      /* i-th item, in order */
const char *hm_node_key(const hm_node *n, size_t i);        /* an object's i-th key */
const hm_node *hm_node_get(const hm_node *n, const char *key);
const char *hm_node_string(const hm_node *n);
long long hm_node_int(const hm_node *n);
double hm_node_real(const hm_node *n);
int hm_node_bool(const hm_node *n);
/* The document as JSON (as the command prints it) or as the text the
 * command prints for HM_AUDIENCE_*.  Owned: hm_free.  NULL when out of
 * memory. */
char *hm_doc_json(const hm_doc *d);
char *hm_doc_text(const hm_doc *d, int audience);

/* ---- evaluating one household ----------------------------------------------- */

/* Add a facts file holding one top-level `given household { … }` (or
 * `given person { … }`) block, in the notation of tests, for
 * hm_compiler_evaluate().  HM_OK or HM_EIO. */
int hm_compiler_add_facts_file(hm_compiler *c, const char *path);

#define HM_FORMAT_TABLE 0
#define HM_FORMAT_JSON  1
#define HM_FORMAT_HTML  2       /* a self-contained page with SVG charts (hm_report) */

/* Evaluate every policy for one household: from `json_path` (JSON:
 * {"household": {…, "members": [{…}]}} or {"person": {…}}) or, when it is
 * NULL, from the facts file; as of `as_of` ("YYYY-MM-DD", NULL for today,
 * UTC).  Prints a table or JSON to `out`.  HM_OK; HM_ERR with a message in
 * `err` (bad facts) or diagnostics (bad policies); HM_EUSAGE; HM_ENOMEM. */
int hm_compiler_evaluate(hm_compiler *c, const char *json_path, const char *as_of, int format,
                         FILE *out, char *err, size_t errlen);

/* ---- explaining decisions ----------------------------------------------------- */

typedef struct hm_explain_options {
    const char *given;          /* a facts file (JSON, or a `given` block added with
                                   hm_compiler_add_facts_file(): pass NULL) ... */
    const char *config;         /* ... or the source configuration, with: */
    const char *const *sets;    /* "source.NAME.KEY=VALUE" overrides */
    int nsets;
    const char *household;      /* the household's id, or */
    const char *person;         /* a person's id: their person policies */
    const char *policy;         /* only this policy, or NULL for all */
    const char *as_of;          /* YYYY-MM-DD, or NULL */
    int format;                 /* HM_FORMAT_TABLE (text), HM_FORMAT_JSON or HM_FORMAT_HTML (a page; not with package) */
    int citizen;                /* text for the person concerned: messages only */
    int timings;                /* print the time each step took to stderr */
    int show_ids;               /* print ids whole; 0: masked (see mask.h) */
    int package;                /* the household's whole package instead: what it and its
                                   members get, near misses, what is undetermined */
} hm_explain_options;

/* Explain every decision (or one policy's) for one household: the
 * condition tree with its values, lets, facts with sources and dates,
 * parameters, why not, what is undetermined (docs/explain.md).  HM_OK;
 * HM_ERR (errors in the policies or facts); HM_EUSAGE (a bad option, a
 * configuration, plugin or id problem: err says which); HM_EIO; HM_ENOMEM. */
int hm_compiler_explain(hm_compiler *c, const hm_explain_options *o, FILE *out, char *err, size_t errlen);
/* The same for hm_compiler_explain and hm_compiler_explain_diff on c:
 * the standard library's functions expanded (`--deep`) or not (0). */
void hm_compiler_set_explain_deep(hm_compiler *c, int deep);
/* One household under a base pack and a reformed one, side by side per
 * policy: the decision and amount before and after, and the parameters,
 * conditions, lets and amount that changed and why the decision moved
 * (docs/explain.md, "What a reform changes").  base_name and reform_name
 * say what each pack is, as printed.  Returns as hm_compiler_explain. */
int hm_compiler_explain_diff(hm_compiler *base, hm_compiler *reformed, const char *base_name, const char *reform_name,
                             const hm_explain_options *o, FILE *out, char *err, size_t errlen);

/* ---- population runs ---------------------------------------------------- */

typedef struct hm_run_options {
    const char *config;         /* the source configuration file */
    const char *const *sets;    /* "source.NAME.KEY=VALUE" / "run.KEY=VALUE" overrides */
    int nsets;
    const char *as_of;          /* YYYY-MM-DD; NULL: the configuration's, else today (UTC) */
    const char *out;            /* the results database */
    int threads;                /* 0: the configuration's, else one per core */
    int progress;               /* 1 on, 0 off, -1 when stderr is a terminal */
    int reasons;                /* 1: store each decision's reason and missing facts; 0: NULL */
    int kleene;                 /* 1: decide by Kleene's rules only, without settling (see
                                   docs/language.md, "Decided although facts are missing") */
    int store;                  /* HM_STORE_*; 0: the configuration's, else HM_STORE_ANSWERS */
    const char *keep;           /* a file of entity ids whose every decision is stored, or NULL:
                                   the configuration's (docs/commands.md, "The results database") */
} hm_run_options;

/* What a population run stores: every eligible and undetermined decision
 * and the count of not eligible ones (by policy and reason), or every
 * decision. */
enum { HM_STORE_ANSWERS = 1, HM_STORE_ALL = 2 };

typedef struct hm_run_summary hm_run_summary;

/* Compile what was added into a pack and run it (hm_run).  HM_ERR when
 * the policies have errors (diagnostics); otherwise as hm_run. */
int hm_compiler_run_population(hm_compiler *c, const hm_run_options *o, hm_run_summary **out, char *err,
                               size_t errlen);

/* ---- runs of a pack ------------------------------------------------------------ */

/* Evaluate every household and person of the population the configured
 * plugins provide with pack k and append the run to the results database
 * o->out, in one transaction, recording the pack's hash, the
 * configuration's text and --set overrides, what each source was when read
 * and huimin's version (docs/commands.md, "The results database").  Prints
 * nothing but, when o->progress says so, a progress bar on stderr; the
 * summary of the recorded run is *out (owned: hm_run_summary_free).
 * HM_OK; HM_EUSAGE (the configuration cannot be read); HM_EPLUGIN (a
 * plugin, the schema check, a fetch or a source's identity failed); HM_EIO
 * (results not written); HM_ENOMEM.  On failure err holds the message
 * (one or more lines) and nothing is recorded. */
int hm_run(const hm_pack *k, const hm_run_options *o, hm_run_summary **out, char *err, size_t errlen);
void hm_run_summary_free(hm_run_summary *s);

/* ---- runs inside another program: a run's decisions handed to the caller ---- */

/* What identifies a run, as the results database's runs table holds it. */
typedef struct hm_sink_run {
    const char *as_of, *pack_hash, *config /* name or path */, *config_text, *config_sets /* or NULL */,
               *version, *started;   /* "2024-08-01T09:30:00Z" */
    long long households, persons;
    int reasons, settled, store_all;
} hm_sink_run;

typedef struct hm_run_sink {
    size_t size;                    /* sizeof (hm_run_sink) */
    void *ctx;
    /* every call returns 0, or -1 after writing why into err (the run then
     * stops, calls abort and records nothing); all are called on the thread
     * that called hm_run_with, in this order: begin, source*, policy*,
     * reason*, then entity/decision/claim_decision interleaved (an entity
     * before its decisions, a household before its persons), issue*,
     * not_eligible*, not_applicable*, commit (or abort after begin). */
    int (*begin)(void *ctx, const hm_sink_run *run, long long *run_id, char *err, size_t errlen);
    int (*source)(void *ctx, const char *source, const char *plugin, int isolated, const char *identity,
                  char *err, size_t errlen);
    /* entity: HM_ENTITY_HOUSEHOLD, _PERSON or _CLAIM; period HM_PERIOD_* */
    int (*policy)(void *ctx, int policy, const char *name, const char *label, int entity, int period,
                  char *err, size_t errlen);
    int (*reason)(void *ctx, int reason, const char *text, char *err, size_t errlen);
    /* entity: the run's number of it (0, 1, ... unique in the run); kind HM_ENTITY_HOUSEHOLD or _PERSON;
     * id as text; household: a person's household's entity number, -1 for a household */
    int (*entity)(void *ctx, long long entity, int kind, const char *id, long long household,
                  char *err, size_t errlen);
    /* status HM_ELIGIBLE ... HM_NOT_APPLICABLE; has_amount 0: amount NULL; reason 0: NULL;
     * missing, message: NULL or text; claim: 0 for a decision that is no claim's, else the
     * claim's number in its person's list, from 1 */
    int (*decision)(void *ctx, long long entity, int policy, int status, int has_amount, long long amount_fen,
                    int reason, const char *missing, const char *message, int claim, char *err, size_t errlen);
    int (*issue)(void *ctx, const char *source, int entity_kind, const char *entity_id, const char *field,
                 const char *issue, const char *detail, char *err, size_t errlen);
    int (*not_eligible)(void *ctx, int policy, int reason, long long count, char *err, size_t errlen);
    int (*not_applicable)(void *ctx, int policy, long long count, char *err, size_t errlen);
    int (*commit)(void *ctx, char *err, size_t errlen);
    void (*abort)(void *ctx);
} hm_run_sink;

typedef struct hm_run_env {
    size_t size;                    /* sizeof (hm_run_env) */
    const char *config_text;        /* the configuration's text; o->config then only names it
                                       (messages, runs.config); NULL: read the file o->config */
    const hm_run_sink *sink;        /* the run goes here instead of the results database o->out */
    int calling_thread_io;          /* 1: every plugin call and every sink call on the calling thread
                                       (sources read one after another); evaluation may still use
                                       o->threads threads, which never take the process's signals */
    /* With calling_thread_io, a host whose plugins relay their work to the
     * calling thread may have up to o->threads sources read at once: the
     * plugins' fetch calls are then made on threads libhuimin starts, while
     * the calling thread runs io_serve(io_ctx); io_serve must return once
     * libhuimin has called io_served(io_ctx), from another thread, possibly
     * before io_serve began.  NULL: one source after another.
     * (Members added later: a caller's smaller `size` leaves them unset.) */
    void (*io_serve)(void *io_ctx);
    void (*io_served)(void *io_ctx);
    void *io_ctx;
} hm_run_env;

/* hm_run, as env says (env NULL: exactly hm_run; docs/embedding.md,
 * "Running inside another program").  With a sink, o->out may be NULL.
 * Same statuses; HM_EIO with the sink's message when a sink call fails
 * (abort called, nothing committed); HM_EUSAGE when env->size or the
 * sink's size is not its struct's, or a member of the sink is NULL. */
int hm_run_with(const hm_pack *k, const hm_run_options *o, const hm_run_env *env, hm_run_summary **out,
                char *err, size_t errlen);

long long hm_run_summary_run_id(const hm_run_summary *s);          /* runs.run_id */
const char *hm_run_summary_as_of(const hm_run_summary *s);         /* "YYYY-MM-DD" */
const char *hm_run_summary_pack_hash(const hm_run_summary *s);     /* as hm_pack_hash */
long long hm_run_summary_households(const hm_run_summary *s);
long long hm_run_summary_persons(const hm_run_summary *s);
int hm_run_summary_threads(const hm_run_summary *s);               /* evaluation threads */
int hm_run_summary_sources(const hm_run_summary *s);               /* sources configured */
/* The time each phase took, in seconds. */
enum { HM_PHASE_LOAD = 0, HM_PHASE_EVALUATE = 1, HM_PHASE_WRITE = 2, HM_PHASE_TOTAL = 3 };
double hm_run_summary_seconds(const hm_run_summary *s, int phase);
long hm_run_summary_peak_memory_kib(const hm_run_summary *s);     /* of the process so far */
/* Per policy, household policies first, each in the pack's order. */
int hm_run_summary_policy_count(const hm_run_summary *s);
int hm_run_summary_policy(const hm_run_summary *s, int i);        /* index into the pack's policies */
const char *hm_run_summary_policy_name(const hm_run_summary *s, int i);
int hm_run_summary_policy_entity(const hm_run_summary *s, int i); /* HM_ENTITY_* */
int hm_run_summary_policy_has_amount(const hm_run_summary *s, int i);
int hm_run_summary_policy_period(const hm_run_summary *s, int i); /* HM_PERIOD_* of its amounts */
/* Decisions with that status (HM_ELIGIBLE, HM_NOT_ELIGIBLE, HM_UNDETERMINED,
 * HM_NOT_APPLICABLE). */
long long hm_run_summary_count(const hm_run_summary *s, int i, int status);
/* The sum of the eligible decisions' amounts, in fen per the policy's period. */
long long hm_run_summary_total(const hm_run_summary *s, int i);
/* Undetermined by a runtime error (division by zero, overflow, an extern's error). */
long long hm_run_summary_errors(const hm_run_summary *s, int i);
/* Data issues: how many of each kind, and the first ones (at most ten).
 * Entity ids are whole: mask them before printing them to a terminal or a
 * log. */
enum { HM_ISSUE_BAD_VALUE = 1, HM_ISSUE_UNKNOWN_CODE = 2, HM_ISSUE_CONFLICT = 3 };
long long hm_run_summary_issue_total(const hm_run_summary *s, int kind);
int hm_run_summary_issue_count(const hm_run_summary *s);
/* Issue i's source, entity (HM_ENTITY_*), entity id, fact and detail
 * (borrowed from s).  HM_OK, or HM_EUSAGE when there is no issue i. */
int hm_run_summary_issue(const hm_run_summary *s, int i, const char **source, int *entity,
                         const char **entity_id, const char **field, const char **detail);

/* Print the statistics of one run of the results database `db` (opened
 * read-only): per policy the eligible count and total amount, the not
 * eligible count by failed condition, the undetermined count by missing
 * fact, and the runtime errors (the breakdowns only when the run stored
 * reasons).  `run` 0 means the latest run; `policy` NULL means every
 * policy; `format` HM_FORMAT_TABLE (text), HM_FORMAT_JSON or HM_FORMAT_HTML
 * (a self-contained page with the run's facts, tables and bar charts).  HM_OK;
 * HM_EIO (cannot be read, or not a results database); HM_EUSAGE (no such
 * run or policy); HM_ENOMEM.  On failure `err` holds a one-line message. */
int hm_report(const char *db, int run, const char *policy, int format, FILE *out, char *err,
              size_t errlen);

/* ---- audits against the payment roll ------------------------------------------ */

#ifndef HM_FORMAT_CSV
#define HM_FORMAT_CSV   3
#endif

typedef struct hm_audit_options {
    hm_run_options run;         /* the population run; run.out NULL: a temporary database,
                                   removed afterwards (reasons and store are set by the audit) */
    int format;                 /* HM_FORMAT_TABLE (text), HM_FORMAT_JSON or HM_FORMAT_CSV */
    int bom;                    /* CSV: begin with the UTF-8 byte-order mark */
    const char *list;           /* the findings one by one: a new file (mode 0600, ids whole),
                                   "-" (after the summary, ids masked), or NULL */
} hm_audit_options;

/* Run pack k over the population and reconcile its decisions with the
 * payment roll (the source marked `roll`): who is eligible and not paid,
 * paid and not eligible (by reason), paid while undetermined (by missing
 * fact and its source), paid another amount, paid after death, and the
 * roll's rows that name no policy of the pack (docs/audit.md).  Stores
 * the findings in the results database (audit_runs, audit_findings) and
 * prints the summary to `out`.  HM_OK (findings are output, not a
 * failure); as hm_run otherwise, HM_EUSAGE when the pack has no roll. */
int hm_audit(const hm_pack *k, const hm_audit_options *o, FILE *out, char *err, size_t errlen);
/* The same for what was added to a compiler: HM_ERR when the policies
 * have errors (diagnostics). */
int hm_compiler_audit(hm_compiler *c, const hm_audit_options *o, FILE *out, char *err, size_t errlen);

/* Load a source plugin (a name or a path), check its descriptor and print
 * it; with a configuration, open `source` (or the only one), list its
 * fields and print a sample fetch of `sample` households and persons.
 * HM_OK, HM_EPLUGIN (invalid: message in err), HM_EUSAGE, HM_ENOMEM. */
int hm_plugin_check(const char *plugin, const char *config, const char *source, int sample, FILE *out,
                    char *err, size_t errlen);

/* ---- running the drafters' tests ----------------------------------------- */

typedef struct hm_test_summary {
    int passed, failed, total;
    int coverage_gaps;          /* with HM_TEST_COVERAGE */
    long long elapsed_us;
} hm_test_summary;

#define HM_TEST_VERBOSE  1      /* also print the tests that pass */
#define HM_TEST_COVERAGE 2      /* report conditions never seen true or false */
#define HM_TEST_JSON     4      /* print one JSON document (docs/commands.md), with the
                                   summary and the diagnostics, instead of text */

/* Check, compile and run every `test` block of the added files, printing
 * each failure (and the coverage report) to `out`.  HM_OK when all pass,
 * HM_ERR when a test failed or the policies have errors (see
 * hm_compiler_error_count), HM_ENOMEM. */
int hm_compiler_run_tests(hm_compiler *c, FILE *out, int flags, hm_test_summary *sum);

typedef struct hm_test_options {
    int flags;                  /* HM_TEST_* */
    /* NULL, or nrun patterns: only the tests whose name matches one of them
     * run.  `*` matches any text, `?` one character; a pattern without
     * either matches the names that contain it. */
    const char *const *run;
    int nrun;
    FILE *junit;                /* NULL, or where to write a JUnit XML report as well */
} hm_test_options;

/* hm_compiler_run_tests with a choice of tests and a JUnit report.  When
 * patterns select no test, sum->total is 0. */
int hm_compiler_run_tests_opts(hm_compiler *c, FILE *out, const hm_test_options *o, hm_test_summary *sum);

/* ---- what the policies need --------------------------------------------- */

typedef struct hm_needs_options {
    const char *policy;         /* only this policy; NULL for every one */
    int format;                 /* HM_FORMAT_TABLE (text for people) or HM_FORMAT_JSON */
    const char *as_of;          /* YYYY-MM-DD; NULL: the configuration's, else today (UTC) */
    /* with neither of the two below, the facts each policy can read */
    int given;                  /* one household from a facts file: */
    const char *given_json;     /*   this JSON file, or NULL for the file added with
                                     hm_compiler_add_facts_file() */
    const char *config;         /* one household of the configured population: */
    const char *const *sets;    /*   "source.NAME.KEY=VALUE" / "run.KEY=VALUE" overrides */
    int nsets;
    const char *household;      /*   by its id, */
    const char *person;         /*   or the household of this person (and only their
                                     person decisions) */
    int show_ids;               /* print ids whole; 0: masked (see mask.h) */
} hm_needs_options;

/* Print, per policy, the facts it can read with their types, sources and
 * freshness limits; or, for one household (`given` or `config`), each
 * policy's decision, and for an undetermined one the facts still missing
 * (missing, stale, unusable, in conflict) with the sources that provide
 * them.  HM_OK; HM_ERR (errors in the policies: diagnostics; or bad facts:
 * message in err); HM_EUSAGE (a bad option or date, an unknown policy; or
 * the household could not be loaded: the configuration, a plugin, the
 * schema check, a fetch, no such household or person); HM_EIO (unreadable
 * facts file); HM_ENOMEM.  Messages in err are one problem per line. */
int hm_compiler_needs(hm_compiler *c, const hm_needs_options *o, FILE *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
