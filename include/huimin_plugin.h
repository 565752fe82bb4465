/* huimin_plugin.h -- the ABI between huimin and department data-source
 * plugins.
 *
 * A plugin is a shared object that exports one function, hm_source_v1(),
 * returning a constant descriptor.  The descriptor starts with its size and
 * ABI version; the host refuses a different major version and reads members
 * added in later minor versions only when `size` covers them.  Members are
 * only ever appended.
 *
 * Lifetimes.  The host calls open() once per configured source, then
 * fields(), then population() or population_fetch() (ABI 1.3; only on the
 * source that lists the population), then fetch() any number of times, then identity() (when the
 * plugin has it, ABI 1.2), then close().  Strings the
 * host passes live until the call returns unless said otherwise; strings a
 * plugin returns from fields() live until close().  Text values are copied
 * by put_text() before it returns.
 *
 * Threads.  open, fields, population, fetch and close of one state are
 * called from one thread at a time.  Extern functions may be called from
 * several threads at once and must be safe for that.
 *
 * Errors.  A function that fails returns HM_PLUGIN_ERROR after describing
 * the failure with host->set_error(err, ...); the host adds the source and
 * plugin names.  A single bad value is not a failure: report it with
 * host->bad_value() and go on; the host counts it as a data error and the
 * fact stays unknown. */
#ifndef HUIMIN_PLUGIN_H
#define HUIMIN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HM_PLUGIN_ABI_MAJOR 1   /* incompatible change: the host refuses */
#define HM_PLUGIN_ABI_MINOR 6   /* members appended: the host reads by size */

#if defined(__GNUC__)
#define HM_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define HM_PLUGIN_EXPORT
#endif

enum { HM_PLUGIN_OK = 0, HM_PLUGIN_ERROR = -1 };

/* Value types (the policy language's scalar types) and how a value is held
 * in an int64_t: */
typedef enum hm_value_type {
    HM_T_BOOL = 1,      /* 0 or 1 */
    HM_T_INT = 2,       /* the number */
    HM_T_MONEY = 3,     /* fen (0.01 yuan) */
    HM_T_DECIMAL = 4,   /* millionths */
    HM_T_DATE = 5,      /* days since 1970-01-01 */
    HM_T_TEXT = 6,      /* UTF-8; given with put_text() */
    HM_T_CODE = 7,      /* the department's own code, as text; given with put_text() */
    /* ABI 1.5.  Another person: that person's id (an integer id as its
     * decimal text), given with put_text().  The host makes it a link to
     * the member of the same household with that id; an id of no member of
     * the household is a data issue and the link is missing.  (8 is the
     * language's durations, which no plugin gives.) */
    HM_T_PERSON = 9
} hm_value_type;

typedef enum hm_entity { HM_HOUSEHOLD = 1, HM_PERSON = 2 } hm_entity;

typedef enum hm_period { HM_PERIOD_NONE = 0, HM_PER_MONTH = 1, HM_PER_YEAR = 2 } hm_period;

/* The row of the entity just added, in population_fetch (ABI 1.3). */
#define HM_LISTED_ROW UINT32_MAX

/* "no as-of date known" */
#define HM_NO_DATE INT32_MIN

/* One field a plugin provides. */
typedef struct hm_field_desc {
    uint8_t     entity;     /* hm_entity */
    uint8_t     type;       /* hm_value_type (of each record, for records) */
    uint8_t     period;     /* hm_period, for money */
    uint8_t     records;    /* 1: a list of dated records (per person or household);
                             * ABI 1.4: 2 a list of records with fields ("vehicles",
                             * type HM_T_INT), 3 one field of it ("vehicles.kind").
                             * Each record of the list is put_record(col, row, n, 0)
                             * with n its number in the owner's list (0, 1, …), and
                             * each field of it put_record(col, row, n, value), or
                             * put_text(col, row, s, len, n) for text and codes: the
                             * host lines them up by n; a field not given is missing
                             * in that record. */
    const char *name;       /* without the entity: "monthly_income" */
    const char *code_set;   /* HM_T_CODE: the policies' code set, else NULL */
} hm_field_desc;

/* One setting of the source's section of the configuration. */
typedef struct hm_setting {
    const char *key, *value;
    int line;               /* in the configuration file, 0 when from the command line */
} hm_setting;

typedef struct hm_open_args {
    uint32_t size;
    const char *source;     /* the source's name in the policies: "registry" */
    const char *base_dir;   /* the configuration file's folder, for relative paths */
    const hm_setting *settings;
    uint32_t nsettings;
} hm_open_args;

typedef struct hm_plugin_err hm_plugin_err;  /* owned by the host */
typedef struct hm_fetch_ctx hm_fetch_ctx;    /* owned by the host */
typedef struct hm_population_ctx hm_population_ctx;

/* One column of a fetch: the plugin fills row r of each array (rows are
 * numbered as req->ids).  The host sets every `known` to 0 before the
 * call.  Text and code values go through host->put_text(), records
 * through host->put_record(); both set `known` themselves. */
typedef struct hm_out_column {
    const hm_field_desc *field; /* one of the fields the plugin declared */
    int64_t *value;
    uint8_t *known;         /* 1 when row r has a value */
    int32_t *as_of;         /* the date the value was true on, or HM_NO_DATE */
} hm_out_column;

/* A batched, columnar fetch: these fields for these entities. */
typedef struct hm_fetch_req {
    uint32_t size;
    uint8_t  entity;        /* hm_entity */
    uint32_t n;             /* number of entities */
    const char *const *ids; /* [n] their ids (NULL when ids_int is given to
                             * a plugin of ABI 1.3 or later) */
    uint32_t ncols;
    hm_out_column *cols;
    hm_fetch_ctx *ctx;      /* pass to the host calls below */
    /* ABI 1.3 (read only when `size` covers it).  When the population's
     * ids are integers: [n] the ids, and `ids` is NULL for a plugin of
     * ABI 1.3 or later (an older plugin gets them as decimal text in
     * `ids`).  NULL when the ids are text. */
    const int64_t *ids_int;
} hm_fetch_req;

/* Services the host offers to plugins.  Append-only. */
/* ABI 1.6.  A reference table the policies declare in a source block
 * (`table region "行政区划" by text, dated { … }`), read once per run by
 * the plugin's reftable() below: every row, given to the host with
 * host->ref_row and the attributes with ref_value / ref_text. */
typedef struct hm_reftable_ctx hm_reftable_ctx;    /* owned by the host */
typedef struct hm_reftable_req {
    uint32_t size;
    const char *name;               /* the table's name in the policies: "region" */
    uint8_t dated;                  /* 1: each row has the date it is in force from */
    uint32_t nattrs;
    const hm_field_desc *attrs;     /* [nattrs] each attribute's name, type and money period
                                       (entity 0, records 0) */
    hm_reftable_ctx *ctx;           /* pass to the host calls */
} hm_reftable_req;

typedef struct hm_host_api {
    uint32_t size;
    uint16_t abi_major, abi_minor;
    void *(*alloc)(size_t n);
    void  (*free)(void *p);
    /* Describe why a call failed (printf-style). */
    void  (*set_error)(hm_plugin_err *err, const char *fmt, ...);
    /* The row of entity `id` in this fetch, or -1 when it is not asked for.
     * Any order is as fast (a hash lookup).  For integer keys, find_int
     * (ABI 1.3). */
    int64_t (*find)(hm_fetch_ctx *ctx, const char *id, size_t len);
    /* Set a text or code value (copied). */
    void  (*put_text)(hm_fetch_ctx *ctx, uint32_t col, uint32_t row,
                      const char *s, size_t len, int32_t as_of);
    /* Add one dated record to row `row` of a records column (any order). */
    int   (*put_record)(hm_fetch_ctx *ctx, uint32_t col, uint32_t row,
                        int32_t date, int64_t value);
    /* Mark row `row` of a records column known even if it has no record. */
    void  (*records_known)(hm_fetch_ctx *ctx, uint32_t col, uint32_t row);
    /* Report a value that cannot be used (printf-style); the fact stays
     * unknown and the host records a data error. */
    void  (*bad_value)(hm_fetch_ctx *ctx, uint32_t col, uint32_t row, const char *fmt, ...);
    /* Population: add a household, then persons with their household's id.
     * Each returns 0, or -1 after recording why (duplicate id, unknown
     * household, out of memory); the plugin should then stop.  (Integer
     * ids: add_household_int and add_person_int, ABI 1.3.) */
    int   (*add_household)(hm_population_ctx *ctx, const char *id, size_t len);
    int   (*add_person)(hm_population_ctx *ctx, const char *id, size_t len,
                        const char *household, size_t hlen);
    /* ABI 1.1.  Population: when the host wants one household only (to
     * explain it, say), its id in *household, or the id of one of its
     * persons in *person (the other NULL); both NULL when it wants every
     * household.  A plugin may then list just that household and all its
     * persons, or everything as before: the host keeps what it wants.
     * Check `size` before calling (hosts before 1.1 do not have it). */
    void  (*population_wanted)(hm_population_ctx *ctx, const char **household, const char **person);
    /* ABI 1.3.  Integer ids: the population listed with integer keys,
     * and rows found by them.  A population whose every id is given as an
     * integer keeps integer ids from end to end (fetches then carry
     * req->ids_int); one text id among them makes them all text (an
     * integer id is then its decimal text: 42 is "42").  Either call may
     * be used whatever the ids are: find_int of 42 finds the text id "42",
     * find of "42" the integer 42.  Check `size` before calling. */
    int   (*add_household_int)(hm_population_ctx *ctx, int64_t id);
    int   (*add_person_int)(hm_population_ctx *ctx, int64_t id, int64_t household);
    int64_t (*find_int)(hm_fetch_ctx *ctx, int64_t id);
    /* ABI 1.3.  For population_fetch (below): set value `value` of row
     * `row` (HM_LISTED_ROW: the entity just added) of column `col`, as
     * writing the column's arrays does in a fetch; and say that column
     * `col` is read with the population (call it before its first value),
     * so that the host does not fetch it again.  put_text, put_record and
     * bad_value take HM_LISTED_ROW too. */
    void  (*put_value)(hm_fetch_ctx *ctx, uint32_t col, uint32_t row, int64_t value, int32_t as_of);
    void  (*listed_column)(hm_fetch_ctx *ctx, uint32_t col);
    /* ABI 1.6.  Reference tables (reftable below).  ref_row starts a row:
     * its key, the date it is in force from (HM_NO_DATE for a table not
     * dated) and its number in the source (for messages); ref_value and
     * ref_text give attribute `attr` (an index into req->attrs) of that
     * row, text as text; an attribute not given is missing.  ref_bad says
     * that row `rowno` cannot be used (a value of the wrong type, a date
     * that cannot be read): the host refuses the table and the run.
     * ref_row returns 0, or -1 (out of memory: stop).  Check `size`
     * before calling. */
    int   (*ref_row)(hm_reftable_ctx *ctx, const char *key, size_t len, int32_t from, uint64_t rowno);
    void  (*ref_value)(hm_reftable_ctx *ctx, uint32_t attr, int64_t value);
    void  (*ref_text)(hm_reftable_ctx *ctx, uint32_t attr, const char *s, size_t len);
    void  (*ref_bad)(hm_reftable_ctx *ctx, uint64_t rowno, const char *fmt, ...);
    /* ABI 1.6 and later: new members go below this line. */
} hm_host_api;

/* An extern function the plugin provides.  The C function takes the
 * arguments in order and a pointer to the result, and returns
 * HM_EXTERN_KNOWN, HM_EXTERN_UNKNOWN (no answer: the value is unknown) or
 * HM_EXTERN_ERROR.  C types: bool int, int/money/decimal int64_t, date
 * int32_t, text const char * (NUL-terminated UTF-8).  Results cannot be
 * text.  Example, for `extern 户籍年限(证件号码: text, 截至: date) : int`:
 *     int registry_years(const char *id, int32_t at, int64_t *result); */
enum { HM_EXTERN_KNOWN = 0, HM_EXTERN_UNKNOWN = 1, HM_EXTERN_ERROR = -1 };
#define HM_EXTERN_MAX_PARAMS 8

typedef struct hm_extern_desc {
    const char *name;       /* as declared in the policies */
    const char *symbol;     /* the exported C function, found with dlsym */
    uint8_t result;         /* hm_value_type */
    uint8_t nparams;
    uint8_t params[HM_EXTERN_MAX_PARAMS];  /* hm_value_type of each */
} hm_extern_desc;

typedef struct hm_source_desc {
    uint32_t size;              /* sizeof(hm_source_desc) as the plugin was built */
    uint16_t abi_major, abi_minor;
    const char *name;           /* "sqlite" */
    const char *version;        /* the plugin's own version */
    const char *description;
    /* Connect; `*state` is the plugin's own. */
    int  (*open)(const hm_host_api *host, const hm_open_args *args, void **state,
                 hm_plugin_err *err);
    /* The fields this opened source provides (they may depend on the
     * settings); the array lives until close(). */
    int  (*fields)(void *state, const hm_field_desc **fields, uint32_t *nfields,
                   hm_plugin_err *err);
    /* Fill req->cols for req->ids. */
    int  (*fetch)(void *state, hm_fetch_req *req, hm_plugin_err *err);
    /* List every household and person (NULL if the plugin cannot). */
    int  (*population)(void *state, hm_population_ctx *ctx, hm_plugin_err *err);
    void (*close)(void *state);
    const hm_extern_desc *externs;
    uint32_t nexterns;
    /* ABI 1.2 (optional, may be NULL; a host reads it only when `size`
     * covers it).  What the source is as the plugin read it, in one short
     * line the host records with each run, to show later which data
     * decided: a file's size, mtime and a hash of its schema, a database
     * server's snapshot.  Called after the last fetch, before close();
     * *text lives until close().  A plugin without it is recorded as
     * "(not reported)". */
    int  (*identity)(void *state, const char **text, hm_plugin_err *err);
    /* ABI 1.3 (optional, may be NULL).  population() and the fetch of the
     * population source's own fields in one reading of its tables:
     * households->cols and persons->cols are the fields the host needs
     * (n 0, ids NULL, the columns' arrays NULL).  List the population as
     * population() does and, after adding an entity, give the values of
     * the columns read with it through host->put_value, put_text and
     * bad_value with row HM_LISTED_ROW, each column announced once with
     * host->listed_column.  The host fetches the columns not announced
     * with fetch() afterwards.  Called instead of population() when the
     * host wants every household; without it, or for one household, the
     * host calls population() and then fetch(). */
    int  (*population_fetch)(void *state, hm_population_ctx *ctx, hm_fetch_req *households,
                             hm_fetch_req *persons, hm_plugin_err *err);
    /* ABI 1.6 (optional, may be NULL).  Read every row of reference table
     * req->name, as the source's settings map it, through the host calls
     * ref_row, ref_value, ref_text and ref_bad.  HM_PLUGIN_ERROR with err
     * set when the settings do not map the table or it cannot be read. */
    int  (*reftable)(void *state, const hm_reftable_req *req, hm_plugin_err *err);
    /* ABI 1.6 and later: new members go below this line. */
} hm_source_desc;

/* The size of an ABI 1.0 descriptor, the smallest a host accepts. */
#define HM_SOURCE_DESC_SIZE_1_0 offsetof(hm_source_desc, identity)

/* The one symbol a plugin exports. */
typedef const hm_source_desc *(*hm_source_entry_fn)(const hm_host_api *host);

#define HM_SOURCE_ENTRY "hm_source_v1"
HM_PLUGIN_EXPORT const hm_source_desc *hm_source_v1(const hm_host_api *host);

/* Provide source plugin NAME from this program: a source with `plugin = NAME`
 * gets entry's descriptor instead of NAME.so.  It runs in the calling
 * process, never isolated, and is never treated as a file (no permission
 * check, no exit guard).  entry NULL removes it.  Process-wide; call before
 * runs start.  HM_OK, HM_EUSAGE (not a plain name), HM_ENOMEM. */
int hm_plugin_register(const char *name, hm_source_entry_fn entry);

#ifdef __cplusplus
}
#endif

#endif
