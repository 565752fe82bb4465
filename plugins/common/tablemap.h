/* tablemap.h -- what the table-based plugins (sqlite, csv, postgres) share:
 * reading the source's settings (which table and column holds each field,
 * each table's key, as-of and date columns, the population tables),
 * turning cells into values of the field's type, and the fetch and
 * population loops.  A plugin supplies only a way to read the rows of a
 * table (tm_backend).
 *
 * Settings (see docs/plugins.md):
 *   key.TABLE = COLUMN        the entity id column of TABLE
 *   as_of.TABLE = COLUMN      each row's as-of date (optional)
 *   date.TABLE = COLUMN       a records table's date column
 *   as_of = YYYY-MM-DD        as-of date of values with no as-of column
 *   ENTITY.FIELD = TABLE.COLUMN TYPE
 *   households = TABLE, persons = TABLE, persons.household = COLUMN
 *   table.NAME.ATTRIBUTE = TABLE.COLUMN [in yuan]   a reference table's attribute
 * Any other key must be one the plugin names in `own_keys`. */
#ifndef HM_TABLEMAP_H
#define HM_TABLEMAP_H

#include "huimin_plugin.h"

typedef struct tm_table {
    char *name;
    char *key, *as_of, *date;   /* columns; as_of and date may be NULL */
} tm_table;

typedef struct tm_field {
    int table;                  /* into tm_map.tables */
    char *column;
    int yuan;                   /* money column in yuan rather than fen */
} tm_field;

/* one attribute of a reference table: table.NAME.ATTRIBUTE = TABLE.COLUMN [in yuan] */
typedef struct tm_ref {
    char *name, *attr;          /* the policies' table and attribute */
    int table;                  /* into tm_map.tables: the table holding the rows */
    char *column;
    int yuan;
} tm_ref;

typedef struct tm_map {
    const hm_host_api *host;
    const char *source;
    tm_table *tables; int ntables;
    tm_field *fields;           /* parallel to descs */
    hm_field_desc *descs; int nfields;
    int32_t as_of;              /* HM_NO_DATE when not set */
    char *households, *persons, *persons_household;
    tm_ref *refs; int nrefs;
} tm_map;

/* One cell as read from a table. */
enum { TM_NULL = 0, TM_INT, TM_REAL, TM_TEXT };
typedef struct tm_cell {
    int kind;
    int64_t i;
    double r;
    const char *s;              /* TM_TEXT: not necessarily NUL-terminated */
    size_t len;
} tm_cell;

/* How a plugin reads rows: open a cursor over `ncols` columns of `table`
 * (column 0 is the key; ordering by it makes matching faster), step it,
 * close it.  next returns 1 with cells filled, 0 at the end, -1 on error
 * (after host->set_error).  open_ids, when the plugin has it, opens a
 * cursor over only the rows whose key is one of ids[0 … nids) (it may
 * return others: they are skipped); it is used when few entities are asked
 * for (at most TM_FEW_IDS), such as one household. */
#define TM_FEW_IDS 256

/* A table's column names, as a backend lists them (tm_names_add). */
typedef struct tm_names {
    char **v;
    int n, cap;
} tm_names;
int  tm_names_add(const hm_host_api *h, tm_names *l, const char *s, size_t len);

typedef struct tm_backend {
    void *(*open_rows)(void *state, const char *table, const char *const *cols, int ncols,
                       hm_plugin_err *err);
    int   (*next_row)(void *cursor, tm_cell *cells, hm_plugin_err *err);
    void  (*close_rows)(void *cursor);
    void *(*open_ids)(void *state, const char *table, const char *const *cols, int ncols,
                      const char *const *ids, uint32_t nids, hm_plugin_err *err);
    /* The columns of `table` into *names: 0, 1 when there is no such
     * table, -1 on error (after host->set_error). */
    int   (*columns)(void *state, const char *table, tm_names *names, hm_plugin_err *err);
    /* NULL, or why the row next_row gave last is malformed (a CSV row
     * with too few or too many fields); may be NULL itself. */
    const char *(*row_problem)(void *cursor);
    int nocase;                 /* column names match without ASCII case (SQLite) */
    /* every cell comes as text (CSV): a key written as a whole number in
     * its plain decimal form ("42", not "042") is an integer key */
    int text_ints;
} tm_backend;

/* The value of setting `key`, or NULL. */
const char *tm_setting(const hm_open_args *a, const char *key);
/* Read the settings; `own_keys` (NULL-terminated) are the plugin's own
 * keys, which are skipped.  0, or HM_PLUGIN_ERROR with err set. */
int  tm_parse(tm_map *m, const hm_host_api *host, const hm_open_args *a,
              const char *const *own_keys, hm_plugin_err *err);
void tm_free(tm_map *m);
/* Before anything is read: every table and column the settings name must
 * exist, or the source is refused (a name the database does not know must
 * never read as missing values or, in SQLite, as a string). */
int  tm_check(const tm_map *m, const tm_backend *b, void *state, const hm_open_args *a,
              hm_plugin_err *err);
/* `path` relative to the configuration's folder; caller frees with host->free. */
char *tm_path(const hm_host_api *host, const hm_open_args *a, const char *path);

int  tm_fetch(const tm_map *m, const tm_backend *b, void *state, hm_fetch_req *req,
              hm_plugin_err *err);
int  tm_population(const tm_map *m, const tm_backend *b, void *state,
                   hm_population_ctx *ctx, hm_plugin_err *err);
/* The population and, in the same reading of its two tables, the columns
 * of households and persons that live in them (ABI 1.3 population_fetch). */
int  tm_population_fetch(const tm_map *m, const tm_backend *b, void *state, hm_population_ctx *ctx,
                         hm_fetch_req *households, hm_fetch_req *persons, hm_plugin_err *err);

/* Every row of reference table req->name as the settings map it
 * (table.NAME.ATTRIBUTE = TABLE.COLUMN; TABLE's key.TABLE column holds the
 * key and, for a dated table, its date.TABLE column the date each row is
 * in force from), given through the host's ref_* calls (ABI 1.6). */
int  tm_reftable(const tm_map *m, const tm_backend *b, void *state, const hm_reftable_req *req,
                 hm_plugin_err *err);

/* "2024-07-31" (or "2024-07" for the first of the month) → days; -1 when
 * malformed. */
int  tm_parse_date(const char *s, size_t len, int32_t *days);

#endif
