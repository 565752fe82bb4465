/* result.h -- the decisions of one household (hm_result, huimin.h) and the
 * evaluator that makes them (evaluate.c), as the runtime sees them. */
#ifndef HM_RESULT_H
#define HM_RESULT_H

#include <stdint.h>

#include "huimin.h"
#include "bytecode.h"
#include "household.h"

typedef struct res_decision {
    int32_t policy, member;     /* member: -1 for a household policy */
    int32_t claim;              /* a claim policy's: the record's index in the list, else -1 */
    int32_t status;             /* HM_ELIGIBLE … */
    int32_t has_amount;
    int64_t amount;
    int32_t reason;             /* offset into text, -1 for none */
    int32_t first_miss, nmiss;  /* into miss */
} res_decision;

typedef struct res_missing {
    int32_t field, state;
} res_missing;

/* One allocation: the struct, then its arrays and texts. */
struct hm_result {
    const hm_program *p;
    char as_of[16];
    int32_t nmembers;
    int32_t n;
    res_decision *d;
    res_missing *miss;
    int32_t *member_id;         /* per member: offset into text, -1 none */
    const char *text;
};

/* An evaluator over program p (borrowed).  NULL out of memory. */
hm_evaluator *evaluator_new(const hm_program *p);
/* The pack of an evaluator (NULL when made on a bare program), and where
 * it keeps the pack's policy files once compiled (explain/api.c). */
const hm_pack *evaluator_pack(const hm_evaluator *e);
hm_compiler **evaluator_sources(hm_evaluator *e);
int evaluator_explain_deep(const hm_evaluator *e);
/* `as_of` ("YYYY-MM-DD", NULL for today, UTC) as a day; 0 or -1. */
int rt_as_of(const char *as_of, int32_t *day);
/* hm_evaluate with the date already read. */
int evaluate_on(hm_evaluator *e, const hm_household *h, int32_t as_of, hm_result **out);

#endif
