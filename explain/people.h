/* people.h -- an explanation in the words of the people who read it.
 *
 * explain.c names facts, members and codes as the program does
 * ("household.assets", member 1, "married"); the functions here add, to
 * the same document, what a reader knows them by: the label of the
 * fact's source declaration, each member's relation to the head of the
 * household (a person fact of code type named `relation`, or whose code
 * set is named `relation`, or labelled "与户主关系"), the label of a
 * code.  They only add keys: every key explain.c writes stays. */
#ifndef HM_EXPLAIN_PEOPLE_H
#define HM_EXPLAIN_PEOPLE_H

#include "explain.h"

typedef struct people people;

/* What the document of IN needs (its program, checker, facts and member
 * ids: they must outlive it; without the checker, IN->s NULL, no labels
 * and nothing to wait on); NULL when out of memory. */
people *people_new(const ex_input *in);
void people_free(people *pp);

/* The household of the document's head: "member_relations" and
 * "member_relation_labels", per member (null where not known), when the
 * pack has a relation fact.  0, or -1 when out of memory. */
int people_household(const people *pp, json_t *hh);

/* Every object of decision D naming a member gets "relation" and
 * "relation_label"; every value whose expression names a fact gets its
 * "label"; every value of a code, shown by its label, its "value_code".
 * 0, or -1. */
int people_decision(const people *pp, json_t *d);

/* The policies that decision POL (of MEMBER, -1 the household) depends on
 * and that are undetermined, each with the facts it lacks: the
 * "waits_on" of an undetermined decision (docs/explain.md).  A new array. */
json_t *people_waits_on(const people *pp, hm_vm *vm, int32_t pol, int32_t member);

/* ---- in the text (render.c): the chosen language, the readers' words ---- */
#include <stdio.h>

/* A fact's name as first listed: "家庭财产（household.assets）", or its
 * label alone when AGAIN (listed just before); its name without a label. */
void people_print_fact_name(FILE *out, const json_t *f, int again);
/* The "value" of O; a code by its label, with the code for the reviewer
 * ("已婚（married）"; citizen: "已婚"); true and false in the reader's words. */
void people_print_value(FILE *out, const json_t *o, int audience);
/* a value as the document gives it, true and false in the reader's words */
const char *people_word(const char *v);
/* a duration of the document ("31 days") in the reader's words ("31 天"),
 * in buf (or d itself when it is not one) */
const char *people_duration(const char *d, char *buf, size_t size);
/* "member 1 (head, 330102********0013)", "户主 330102********0013",
 * "成员 1（户主）" */
void people_print_member(FILE *out, const json_t *o);
/* the same for the person concerned (the id masked, whatever was asked) */
void people_print_citizen_member(FILE *out, const json_t *o);
/* " (户主 330102********0013)" after a fact of a member, nothing else */
void people_print_citizen_of(FILE *out, const json_t *o);
/* what would meet a comparison ("would be met if …") */
void people_print_flip(FILE *out, const json_t *flip);
/* the policies an undetermined decision waits on, with the facts each lacks */
void people_print_waits_on(FILE *out, const json_t *undetermined);
/* the same for the person concerned: the labels only */
void people_print_citizen_waits_on(FILE *out, const json_t *undetermined);
/* Of a fact not known, with the decision under each of its values
 * ("outcomes"): what its values decide, from "decided_as" and
 * "outcomes_by" ("the decision depends on person.x of member 1", "判定结果
 * 取决于成员 1 的 person.x"); an outcome's value, a yes/no, a code or a
 * range of numbers ("at most 1245.00", "不超过 1245.00"); and why it is not
 * eligible, from its "why" ("not met: …", "未满足：…").  In the reader's
 * words when tr, in the document's English when not. */
void people_print_decides(FILE *out, const json_t *fact, int tr);
void people_print_outcome_value(FILE *out, const json_t *outcome, int tr);
void people_print_outcome_why(FILE *out, const json_t *outcome, int tr);
/* The English ones into the document: the fact's "decides", each of its
 * outcomes' "value" (of a range) and "reason" (of its "why").  0, or -1 when
 * out of memory. */
int people_outcomes_english(json_t *fact, json_t *outcomes);
/* What print(o, tr) prints, as a string (free()); NULL when out of memory. */
char *people_sprint(void (*print)(FILE *, const json_t *, int), const json_t *o, int tr);
/* a fact's state, a decision's status, in the reader's words */
const char *people_state(const char *state);
const char *people_status(const char *status);

#endif
