/* package.h -- made from explanations (explain.h's documents): a
 * household's whole package (explain --package), and what changed between
 * a base pack and a reformed one for one household (explain --diff).
 * Their formats are in docs/explain.md. */
#ifndef HM_PACKAGE_H
#define HM_PACKAGE_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "vm.h"

#define PACKAGE_SCHEMA "huimin-package/1"
#define EXPLAIN_DIFF_SCHEMA "huimin-explain-diff/1"

/* The package of the household of doc (an explanation of every policy of
 * p).  Owned; NULL when out of memory. */
/* A document member: its text ("" when absent), whether it is given and
 * not null, a copy of it (null when absent). */
const char *doc_text(const json_t *o, const char *key);
int doc_has(const json_t *o, const char *key);
json_t *doc_copy(const json_t *o, const char *key);

json_t *explain_package(const json_t *doc, const hm_program *p);
void explain_print_package(const json_t *pkg, FILE *out);

/* Side by side, per policy, the decisions of base (explained with program
 * pa) and of the reformed pack (doc b, program pb): the decision and amount
 * before and after, the parameters, conditions, lets and amount that
 * changed and why the decision moved.  base_name and reform_name say what
 * each pack is; sets are the what-ifs applied to the reformed one.  Owned;
 * NULL when out of memory. */
json_t *explain_diff(const json_t *a, const hm_program *pa, const char *base_name, const json_t *b,
                     const hm_program *pb, const char *reform_name, const char *const *sets, int nsets);
void explain_print_diff(const json_t *diff, FILE *out);

/* ---- shared with explain.c's text ---- */
/* The reform program p was compiled with ({name, label, amends, file}), or
 * JSON null. */
json_t *package_reform_json(const hm_program *p);
/* "the pack is reformed by NAME "LABEL" amends M (FILE)\n" (which
 * REFORM_OF_PACK), "  base reformed by …" (REFORM_OF_BASE), "  reformed
 * by …" (REFORM_OF_REFORMED), in the reader's words; nothing for null */
enum { REFORM_OF_PACK, REFORM_OF_BASE, REFORM_OF_REFORMED };
void package_print_reform(FILE *out, int which, const json_t *reform);
/* "per month", "per year", "once" of a period word, in the reader's words */
const char *package_per_text(const char *period);
void package_print_head(FILE *out, const json_t *doc);
void package_print_who(FILE *out, const json_t *o);
/* "month", "year", "once" of a PERIOD_*; the period of the policy named */
const char *package_period_word(int period);
int package_policy_period(const hm_program *p, const char *name);
/* "1245.00" in fen (0, or -1 when it is not money); fen as "1245.00" */
int package_parse_fen(const char *s, int64_t *fen);
void package_fen_text(int64_t fen, char buf[32]);

#endif
