/* explain.h -- why one household or person qualified or not.
 *
 * The household is evaluated once more with the VM recording every
 * instruction it executes (vm_set_trace); the compiler's probes
 * (codegen.h) say which register held which expression of the source at
 * which instruction.  From the two, explain_build() makes the explanation
 * of each policy as a JSON document (the format of docs/explain.md, schema
 * "huimin-explain/2"): the decision, the condition tree with the values
 * each condition compared, the lets with the members their aggregates
 * counted, the facts with their sources and dates, the parameters with the
 * dated value that applied, why not, what is undetermined and what would
 * decide it.  The text renderers print that same document, so the text
 * and the JSON never disagree. */
#ifndef HM_EXPLAIN_H
#define HM_EXPLAIN_H

#include <jansson.h>
#include <stdio.h>

#include "codegen.h"
#include "facts.h"
#include "sema.h"
#include "vm.h"

#define EXPLAIN_SCHEMA "huimin-explain/2"

typedef struct ex_input {
    const hm_program *p;
    sema *s;
    const cg_map *map;
    hm_facts *facts;            /* household row 0 and its members; values are
                                   changed and restored to test what would decide */
    int32_t as_of;
    const vm_extern *externs;   /* or NULL */
    const char *household_id;   /* or NULL (a facts file) */
    char *const *member_ids;    /* per member, or NULL */
    int32_t policy;             /* only this policy, or -1 */
    int32_t member;             /* person policies: only this member, or -1 */
    /* the source that gave value k of program field `field`, or NULL */
    const char *(*source_of)(void *ctx, int32_t field, int32_t k);
    void *source_ctx;
    /* or NULL; else called with decision NULL once the document's head
     * (schema, as_of, household) is made, then with each decision as soon
     * as it is made, which is freed after and not put in the document:
     * a large household's explanation is never all in memory at once */
    void (*each)(void *ctx, const json_t *doc, json_t *decision);
    void *each_ctx;
    int deep;                   /* show how the standard library's functions
                                   computed, not only their result */
} ex_input;

/* The explanation (owned; json_decref), or NULL when out of memory. */
/* Between explain_arena_begin() and explain_arena_end(), every JSON value
 * (of the process: jansson's allocator is global) comes from blocks that
 * explain_arena_end() frees at once, each value that was made in between
 * with them: far faster for the millions of values of a large household.
 * No value made in between may be used after, none made before may be
 * freed in between. */
void explain_arena_begin(void);
void explain_arena_end(void);

json_t *explain_build(const ex_input *in);

/* Print an explanation for a terminal: everything (EX_REVIEWER) or only
 * the decisions and the drafters' messages, for the person concerned
 * (EX_CITIZEN). */
enum { EX_REVIEWER = 0, EX_CITIZEN = 1 };
void explain_print_text(const json_t *doc, int audience, FILE *out);
/* The same in parts: the head of the document, then each decision. */
void explain_print_head(const json_t *doc, int audience, FILE *out);
void explain_print_decision(const json_t *decision, int audience, FILE *out);


/* Mask, in place, every entity id of an explanation or of another JSON
 * document (the strings under "id", "member_id", "member_ids",
 * "household") and every ID number in its other strings, as mask.h does
 * for what is printed.  0, or -1 when out of memory. */
int explain_mask_ids(json_t *doc);

#endif
