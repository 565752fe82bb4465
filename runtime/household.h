/* household.h -- the facts of one household kept as a list of what was
 * set (hm_household, huimin.h), and their placing into a fact store
 * (facts.h) for deciding, explaining and needs.  The household itself is
 * never changed by deciding: each evaluation fills a store of its own. */
#ifndef HM_HOUSEHOLD_H
#define HM_HOUSEHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "huimin.h"
#include "bytecode.h"
#include "facts.h"

typedef struct hh_value {
    int32_t member;         /* -1: the household's */
    int32_t field;
    int32_t asof;           /* FACT_NO_DATE when not given */
    int16_t nth;            /* which of the field's sources gave it, -1 not said */
    int16_t invalid;        /* 1: the source gave a value that cannot be used */
    int64_t v;
} hh_value;

typedef struct hh_record {
    int32_t member, field;
    int32_t date;
    int32_t only_known;     /* 1: no record, the list is known (maybe empty) */
    int64_t v;
} hh_record;

struct hm_household {
    const hm_program *p;
    char *id;
    int32_t nmembers, capmembers;
    char **member_ids;      /* NULL entries when none was given */
    hh_value *vals;
    int32_t nvals, capvals;
    hh_record *recs;
    int32_t nrecs, caprecs;
    hm_facts tx;            /* only its texts: the household's text values */
};

/* An empty household for program p (borrowed).  NULL out of memory. */
hm_household *household_new(const hm_program *p, const char *id);
/* Set a value already converted to the field's type (texts: facts_text
 * on h->tx).  0, or -1 out of memory. */
int household_put(hm_household *h, int32_t member, int32_t field, int64_t v, int32_t asof, int nth);
/* Values of one fact from several sources are compared when the household
 * is decided, as a population run compares them (a fresh value each
 * source gives, in declaration order: where they agree the value is
 * known, else in conflict; none fresh: stale; only unusable ones:
 * unusable).  A second value from the same source replaces the first. */
int household_put_record(hm_household *h, int32_t member, int32_t field, int32_t date, int64_t v,
                         int only_known);
/* Place the household's facts into f, a store of one household with
 * columns for `cap` >= h->nmembers persons (facts_init(f, p, 1, cap)),
 * emptied first: values, records sorted, freshness applied as of `as_of`.
 * f borrows h's texts (f->texts): clear them before facts_free(f), or take
 * them with household_take_texts.  0, or -1 out of memory. */
int household_fill(const hm_household *h, hm_facts *f, int32_t cap, int32_t as_of);
/* Give h's texts to f (filled from h), leaving h without them. */
void household_take_texts(hm_household *h, hm_facts *f);
/* A household from row 0 of a store of one household (its texts copied).
 * NULL out of memory. */
hm_household *household_from_facts(const hm_program *p, const hm_facts *f);

/* "YYYY-MM-DD" (years 1800 on) into days since 1970-01-01; 0 or -1. */
int rt_parse_date(const char *t, int32_t *days);
/* "1500.50" or "50%" into an integer scaled by 10^scale; 0, or -1 when
 * not a plain number with at most `scale` decimals. */
int rt_parse_scaled(const char *s, int scale, int64_t *out);
/* The label `name` of code set cs (its index), or -1. */
int32_t rt_code_label(const hm_program *p, int32_t cs, const char *name);
/* The field named "household.region", or -1. */
int32_t rt_field(const hm_program *p, const char *name);

/* Read a household from JSON text (facts_json.c), naming it `name` in
 * messages.  0; -1 bad facts or JSON (err); -3 out of memory. */
int household_from_json_text(const hm_program *p, const char *json, size_t len, const char *name,
                             hm_household **out, char *err, size_t errlen);
/* The same from a file, "-" for standard input (named "<stdin>").  0; -1
 * bad; -2 unreadable (err); -3 out of memory. */
int household_from_json_file(const hm_program *p, const char *path, hm_household **out, char *err,
                             size_t errlen);
/* From a parsed document (borrowed); messages without a name
 * before them. */
struct json_t;
int household_from_json_root(const hm_program *p, struct json_t *root, hm_household **out, char *err,
                             size_t errlen);

#endif
