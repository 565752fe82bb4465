/* catalog.h -- what a form needs to know about a pack's facts and
 * policies (GET /v1/policies, the questions of POST /v1/needs), built once
 * when the pack is loaded: labels from the pack's own policy files (their
 * source declarations), types, periods and code labels from its program. */
#ifndef HM_SERVER_CATALOG_H
#define HM_SERVER_CATALOG_H

#include "huimin.h"

#include <jansson.h>

/* One fact of the pack, as a form asks for it. */
typedef struct cat_fact {
    const char *name;           /* "person.monthly_income" (the pack's string) */
    int entity;                 /* HM_ENTITY_HOUSEHOLD or HM_ENTITY_PERSON */
    int askable;                /* a person can give it (not filled at load, not a record's field) */
    json_t *desc;               /* {"name", "entity", "field", "label", "type", "period", "codes"?,
                                    "sources"} */
} cat_fact;

typedef struct catalog {
    int nfacts;                 /* the pack's fields, by index */
    cat_fact *facts;
    char *policies;             /* the body of GET /v1/policies */
    size_t policies_len;
} catalog;

/* Build the catalog of pack k; s is the checker's state of the pack's
 * policy files (the labels), or NULL: names for labels.  0, or -1 out of
 * memory. */
struct sema;
int catalog_build(const hm_pack *k, struct sema *s, catalog *c);
void catalog_free(catalog *c);
/* The fact named `name`, or NULL. */
const cat_fact *catalog_fact(const catalog *c, const char *name, int *index);

/* The "questions" of /v1/needs for needs document `needs` (hm_needs's):
 * the facts the undetermined decisions wait on, household facts first,
 * then each member's in member order, each in the pack's declaration
 * order, each (fact, member) once, only those a person can give.  A new
 * array, or NULL out of memory. */
json_t *catalog_questions(const catalog *c, const json_t *needs);

#endif
