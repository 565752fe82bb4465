/* facts.h -- the fact store: every fact of a population, column by column.
 *
 * Households and persons are numbered from 0; the members of household h
 * are persons hh_first[h] … hh_first[h] + hh_count[h] - 1 (an offset range,
 * so a batch run streams memory linearly).  Each column holds one field of
 * the program (hm_field.column): the values, a state byte per value
 * (known, missing, stale) and the as-of date each value was true on.
 * Records (dated lists) of a person, or of a household, are a range of a
 * records column, sorted by date. */
#ifndef HM_FACTS_H
#define HM_FACTS_H

#include <stdint.h>

#include "bytecode.h"

/* the state of a value: only FACT_KNOWN values are used; every other
 * state makes the value unknown, for the reason it names */
enum { FACT_KNOWN = 0, FACT_MISSING = 1, FACT_STALE = 2, FACT_INVALID = 3, FACT_CONFLICT = 4 };
#define FACT_NO_DATE INT32_MIN

typedef struct hm_column {
    int64_t *v;
    uint8_t *state;
    int32_t *asof;          /* FACT_NO_DATE when not known; NULL when every
                               value has the same date, asof_all */
    int32_t asof_all;
    uint8_t *src;           /* which of the field's sources gave each value (its
                               index among them, FACT_SRC_UNKNOWN when not
                               known), NULL when it has one source */
    uint8_t *assumed;       /* 1 where the value is the field's declared default
                               (no source gave one); NULL when none is */
} hm_column;

#define FACT_SRC_UNKNOWN 0xff

typedef struct hm_rcolumn {
    int32_t owners;         /* persons, or households for a household field */
    int32_t *first, *count; /* per owner */
    uint8_t *state;         /* per owner: known (even if empty) or missing */
    int32_t *date;          /* per record */
    int64_t *v;
    int32_t n, cap;
    uint8_t rows;           /* a list of records with fields, or one of its fields
                               (hm_field.records): kept in the order given, never sorted */
} hm_rcolumn;

/* The rows of one reference table (program.reftabs), as a source or a test
 * gives them: sorted by key, then date, by facts_apply_refs. */
typedef struct hm_refrows {
    int32_t n, cap, nattrs;
    int given;              /* the table was given, even with no rows */
    int64_t *key;           /* per row: the key, an interned text */
    int32_t *from;          /* per row: in force from (INT32_MIN: always) */
    int64_t *v;             /* n * nattrs values */
    uint8_t *known;         /* n * nattrs: 1 where the row gives the attribute */
    uint32_t *line;         /* per row: where it came from (a source's row number, a test's line), 0 unknown */
} hm_refrows;

typedef struct hm_facts {
    int32_t nhouse, nperson, max_members;
    int32_t *hh_first, *hh_count;
    int32_t nh, np, nr;     /* columns of each kind */
    hm_column *hcol, *pcol;
    hm_rcolumn *rcol;
    /* text values of facts, addressed by -(id + 1), each text once */
    char **texts;
    int32_t ntexts, captexts;
    /* facts_text's hash table of texts[0 .. nhashed): text index + 1 in
     * each slot, 0 for empty; ntextslots is a power of two, or 0 */
    int32_t *textslots;
    int32_t ntextslots, nhashed;
    /* reference tables, one per program.reftabs (NULL when none is given) */
    hm_refrows *refs;
    int32_t nrefs;
} hm_facts;

/* The as-of date of value k of a column. */
static inline int32_t facts_asof(const hm_column *c, int32_t k)
{
    return c->asof ? c->asof[k] : c->asof_all;
}

/* An empty store shaped for program p with room for the given counts.
 * Every value starts missing.  Returns 0, or -1 when out of memory. */
int  facts_init(hm_facts *f, const hm_program *p, int32_t nhouse, int32_t nperson);
/* The same in two steps: the households' member ranges (every count 0),
 * then the columns, once the population is settled.  0, or -1 when out of
 * memory (free with facts_free either way). */
int  facts_init_households(hm_facts *f, int32_t nhouse, int32_t nperson);
int  facts_init_columns(hm_facts *f, const hm_program *p);
void facts_free(hm_facts *f);
/* Forget where each value came from and its date (the batch run needs only
 * values and states once freshness is applied): memory for the results. */
void facts_drop_provenance(hm_facts *f);
/* Free every value, keeping the states (known, missing, stale …): what a
 * population run still needs once it has decided, to name missing facts. */
void facts_drop_values(hm_facts *f);
/* Intern a text value: the same text always gets the same value (a
 * negative id).  Returns it, or INT64_MIN on out of memory. */
int64_t facts_text(hm_facts *f, const char *s);
/* The value of text s if the store has it, else 0.  Reads only: several
 * threads may look up at once. */
int64_t facts_text_find(const hm_facts *f, const char *s);
/* The hash facts_text files a text under (FNV-1a). */
uint32_t facts_text_hash(const char *s);
/* Append a record to the list of `owner` (a person, or a household for a
 * household field) in records column c.  Records of one owner must be
 * added together (consecutively).  0 or -1. */
int  facts_add_record(hm_facts *f, int c, int32_t owner, int32_t date, int64_t v);
/* Mark owner's records in column c as known (an empty list is known). */
void facts_records_known(hm_facts *f, int c, int32_t owner);
/* Line the fields of each list of records with fields up with its records,
 * as a source gives them: every record and every field value dated with the
 * record's number in its owner's list.  A field that has no value of that
 * number is missing in that record.  0, or -1 when out of memory. */
int  facts_align_rows(hm_facts *f, const hm_program *p);
/* Sort each person's records by date (after loading). */
void facts_sort_records(hm_facts *f);
/* The last day a value as of `asof` is fresh under a limit of `fresh`
 * units (1 days, 2 months, 3 years). */
int32_t facts_fresh_until(int32_t asof, int32_t fresh, int32_t unit);
/* The state of value m of field fd in household hh: the household's own
 * for a household field, else that of member m.  A field of a list of
 * records is missing when one of the records leaves it out (and known when
 * the list itself is not: the list is what is missing). */
int  facts_value_state(const hm_facts *f, const hm_field *fd, int32_t hh, int32_t m);
/* The state of field fd as policy P reads it in household hh: for a person
 * field, the worst among member `member` (a person policy) or every member
 * (-1, or a household policy), a reason (stale, …) before plain missing. */
int  facts_read_state(const hm_facts *f, const hm_policy *P, const hm_field *fd, int32_t hh,
                      int32_t member);
/* The facts policy P can read that are not known for household hh (and
 * member `member` of it for a person policy, -1 for all): "person.deceased
 * (stale), household.assets", in buf. */
void facts_missing(const hm_program *p, const hm_facts *f, const hm_policy *P, int32_t hh,
                   int32_t member, char *buf, size_t n);
/* Mark values older than their freshness limit at `as_of` stale: the
 * limit of the source that gave the value (the column's src), or, for a
 * field several sources declare and a value whose source is not known,
 * the strictest of theirs. */
void facts_apply_freshness(hm_facts *f, const hm_program *p, int32_t as_of);
/* Give every value still missing of a field with a declared default
 * (program.fdefaults) that default, marked assumed: stale, unusable and
 * disputed values stay unknown.  Run once the values are read, freshness
 * applied and sources compared.  offered[field], when offered is not
 * NULL, counts the sources read that give the field: a field none of them
 * gives (its source is not configured) stays missing.  0, or -1 when out
 * of memory. */
int  facts_apply_defaults(hm_facts *f, const hm_program *p, const int *offered);
/* Add a row to reference table t: its key (a text), the date it is in
 * force from (INT32_MIN: always), its attributes' values v[a] (texts
 * interned in f) and known[a].  Marks the table given.  0, or -1 when out
 * of memory. */
int  facts_ref_row(hm_facts *f, const hm_program *p, int32_t t, const char *key, int32_t from,
                   const int64_t *v, const uint8_t *known, uint32_t line);
/* Mark reference table t given (with no rows yet).  0 or -1. */
int  facts_ref_given(hm_facts *f, const hm_program *p, int32_t t);
/* Fill in the fields read through key facts from reference tables
 * (program.refreads): the row of the key in force at as_of.  A key with
 * no row at all is invalid, one with no row in force yet missing; an
 * unknown key leaves the value in the key's state.  Sorts the tables
 * first.  0; -1 out of memory; -2 when a table has two rows of one key and
 * date (err says which).  Run after facts_apply_defaults. */
int  facts_apply_refs(hm_facts *f, const hm_program *p, int32_t as_of, char *err, size_t n);
/* The row of reference table t in force at as_of for key (an interned
 * text): its index, -1 when the key has no row, -2 when none is in force. */
int32_t facts_ref_find(const hm_facts *f, int32_t t, int64_t key, int32_t as_of);
/* A hash of the rows of table t (FNV-1a over keys, dates and values), to
 * tell a rerun that the table changed. */
uint64_t facts_ref_hash(const hm_facts *f, const hm_program *p, int32_t t);

/* Is value `row` of column c its field's declared default? */
static inline int facts_assumed(const hm_column *c, int32_t row)
{
    return c->assumed && c->assumed[row];
}
/* The source whose freshness limit applies to a value of field as of d
 * given by its nth source (-1: not known which, the strictest applies);
 * NULL when none has a limit. */
const hm_fsource *facts_fresh_source(const hm_program *p, int32_t field, int nth, int32_t d);
/* The index of source `name` among those declaring field, or -1. */
int  facts_source_index(const hm_program *p, int32_t field, const char *name);
/* "no source `NAME` declares person.deceased (its sources are 民政, 公安)" */
void facts_no_such_source(const hm_program *p, int32_t field, const char *name, char *buf, size_t n);
/* Say that value `row` of column c (of `rows` values) came from the
 * field's source nth (-1: not known which).  0, or -1 out of memory. */
int  facts_set_source(hm_column *c, int32_t rows, int32_t row, int nth);

#endif
