/* vm.h -- the virtual machine that evaluates a program over a fact store.
 *
 * One hm_vm per thread.  For each household: vm_begin_household(), then
 * vm_decide() for any policy (and member, for person policies) in any
 * order; decisions, lets and cross-policy references are computed once per
 * entity and remembered until the next household.  After vm_new() the VM
 * allocates only when a household is larger than any seen before. */
#ifndef HM_VM_H
#define HM_VM_H

#include <stdint.h>

#include "bytecode.h"
#include "facts.h"

typedef struct hm_val {
    int64_t v;
    int32_t unk;            /* 0 known, UNK_MISSING, UNK_ERROR */
    int32_t pad;
} hm_val;

enum { UNK_MISSING = 1, UNK_ERROR = 2 };

/* The band of a scale an amount falls in, as of the VM's date. */
typedef struct hm_scaleband {
    int32_t band;           /* from 1 */
    int32_t from;           /* the date its version took effect (INT32_MIN: always) */
    int32_t row;            /* its row in program.rows */
    int32_t pad;
    int64_t lower, upper;   /* its limits in fen (upper INT64_MAX for `above`) */
    int64_t rate;           /* millionths */
    int64_t quick;          /* fen, rounded half away from zero */
    int64_t tax;            /* the scale applied to the amount, fen */
} hm_scaleband;
enum { SCALE_OK = 0, SCALE_UNKNOWN, SCALE_BADRATE, SCALE_OVERFLOW };
enum { DEC_ELIGIBLE = 1, DEC_NOT_ELIGIBLE = 2, DEC_UNDETERMINED = 3 };
/* the member is not one the policy is for (`for person where …` false) */
enum { DEC_NOT_APPLICABLE = 4 };

typedef struct hm_decision {
    int32_t status;         /* DEC_* */
    int32_t error;          /* a runtime error made it undetermined: 1 division by zero or
                               overflow, 2 + i extern function i's error; 0 none */
    int64_t amount;         /* fen; when eligible and the policy has an amount */
    int32_t has_amount;
    int32_t failed_cond;    /* not eligible: the first condition that failed (program.conds), or -1 */
    int32_t excluded_by;    /* not eligible because this policy applied, or -1 */
    int32_t exception;      /* the exception that decided, or -1 */
    int32_t settled;        /* decided whatever the values of this many unknown facts (settle);
                               failed_cond, excluded_by and exception are then -1 unless the
                               same under every value */
} hm_decision;

typedef struct hm_vm hm_vm;

hm_vm *vm_new(const hm_program *p);     /* returns owned, NULL on out of memory */
void   vm_free(hm_vm *vm);
/* Evaluate over `facts` as of a date (days since 1970-01-01). */
void   vm_bind(hm_vm *vm, const hm_facts *facts, int32_t as_of);
/* Start a household; 0, or -1 when out of memory. */
int    vm_begin_household(hm_vm *vm, int32_t household);
/* The decision of `policy` for the current household (member -1) or for
 * member `member` (0-based) for a person policy. */
const hm_decision *vm_decide(hm_vm *vm, int32_t policy, int32_t member);
/* The same as of another date (`day`, the first day of a month: what
 * sum(P.amount over …) adds), for the current household: the same facts,
 * decided by a second VM bound to that day.  NULL when out of memory.
 * vm_error_on gives that VM's error message. */
const hm_decision *vm_decide_on(hm_vm *vm, int32_t policy, int32_t member, int32_t day);
const char *vm_error_on(hm_vm *vm, int32_t day);
/* A claim policy (ENT_CLAIM) decides each record of a person's list:
 * vm_claims gives how many member `member` has (-1 when the list is not
 * known or the policy is no claim policy), vm_decide_claim the decision for
 * claim `claim` (0-based, in the list's order as given), after deciding the
 * person's claims before it.  The values of a claim policy's lets, for
 * messages, are those of the claim decided last. */
int32_t vm_claims(const hm_vm *vm, int32_t policy, int32_t member);
const hm_decision *vm_decide_claim(hm_vm *vm, int32_t policy, int32_t member, int32_t claim);
/* Record in cover[n] for each condition node n: 1 seen true, 2 seen false,
 * 4 seen unknown (borrowed; NULL to stop). */
void   vm_set_coverage(hm_vm *vm, uint8_t *cover);
/* Settle undetermined decisions by trying every value of their unknown
 * yes/no and code facts (1, the default), or decide by Kleene's rules
 * only (0). */
void   vm_set_settle(hm_vm *vm, int on);
/* How many values a fact can take, where they can be listed: 2 for yes/no,
 * a code set's labels; 0 for numbers, dates, texts and records. */
int32_t vm_fact_values(const hm_program *p, const hm_field *fd);
/* A value standing in for a fact the store does not know: fact `field`
 * of member `member` (0-based; -1 for a household fact). */
typedef struct vm_fact_value {
    int32_t field, member;
    int64_t v;
} vm_fact_value;
#define VM_ASSUME_MAX 8
/* Decide `policy` for `member` of `household` as if the n (at most
 * VM_ASSUME_MAX) unknown facts of `given` had those values, every other
 * fact as bound: "what would the decision be if …".  A decision still
 * undetermined is settled as vm_decide's are.  The values hold until the
 * VM's next household (their messages are filled with them).  NULL when
 * out of memory. */
const hm_decision *vm_decide_assuming(hm_vm *vm, int32_t household, int32_t policy, int32_t member,
                                      const vm_fact_value *given, int n);
/* The same for claim `claim` (0-based) of member's, as vm_decide_claim. */
const hm_decision *vm_decide_claim_assuming(hm_vm *vm, int32_t household, int32_t policy, int32_t member,
                                            int32_t claim, const vm_fact_value *given, int n);
/* Values by name, for filling message templates: a let (of the policy
 * decided for `member`), a parameter as of the as-of date (looked up by its
 * key for that member), a fact of the household or of a member. */
hm_val vm_value_of_let(hm_vm *vm, int32_t let, int32_t member);
hm_val vm_value_of_param(hm_vm *vm, int32_t param, int32_t member);
hm_val vm_value_of_fact(hm_vm *vm, int32_t field, int32_t member);
const char *vm_text(const hm_vm *vm, int64_t id);
/* Parameter `param` as of the as-of date (keyed ones looked up by `key`),
 * with where it came from: the table entry (into program.pentries, -1 when
 * not keyed or none matched) and the dated value that applied (into
 * program.dated, -1 for none). */
hm_val vm_param_lookup(const hm_vm *vm, int32_t param, hm_val key, int32_t *entry, int32_t *dated);
/* The as-of date the VM is bound to (vm_bind). */
int32_t vm_as_of(const hm_vm *vm);
/* The same on the date `on` (`P as of D`). */
hm_val vm_param_lookup_at(const hm_vm *vm, int32_t param, hm_val key, int32_t on, int32_t *entry, int32_t *dated);
/* The same for a table with several keys (params[param].keyed of them):
 * keys[k] is looked up in the table of key k, and entries[k] is its entry
 * (-1 past the first that is unknown or matched nothing); *last is the
 * table of the last key reached. */
hm_val vm_param_lookup_keys(const hm_vm *vm, int32_t param, const hm_val *keys, int32_t *entries,
                            int32_t *dated, int32_t *last);
/* Its value as the VM computes it: known, too, when a key is unknown but
 * every entry it could select gives the same value. */
hm_val vm_param_value_keys(const hm_vm *vm, int32_t param, const hm_val *keys);
/* The elements of list `handle` of the current household (member indices,
 * or record indices of a records column).  Returns the records column, -1
 * for a list of persons, -2 for an invalid handle. */
int vm_list_items(const hm_vm *vm, int64_t handle, const int32_t **items, int32_t *n);
/* The fact store row of the current household's first member. */
int32_t vm_household_first(const hm_vm *vm);
/* A value as text: money "1245.00", decimals without trailing zeros,
 * dates YYYY-MM-DD, codes by their label's display text (code set cs),
 * unknown as "?".  Returns buf. (message.c) */
char *vm_format_value(const hm_vm *vm, hm_val v, int vtype, int32_t cs, char *buf, size_t n);
/* The band of scale si that amount x (fen) falls in, its rate and quick
 * deduction, and the scale applied to x, as of the VM's date; SCALE_OK,
 * SCALE_UNKNOWN (no version in force yet, or a rate parameter without a
 * value), SCALE_BADRATE (a rate parameter outside 0%-100%) or
 * SCALE_OVERFLOW.  Allocates nothing. */
int vm_scale_band(const hm_vm *vm, int32_t si, int64_t x, hm_scaleband *out);

/* An extern function's binding: call(ctx, values, texts, &result) with
 * the argument values (texts[k] set for text arguments) returns 0 with a
 * result, 1 when the answer is unknown, -1 on failure. */
typedef struct vm_extern {
    int (*call)(void *ctx, const int64_t *args, const char *const *texts, int64_t *result);
    void *ctx;
} vm_extern;
/* Bind the program's externs (array of p->nexterns, borrowed; NULL: all
 * unknown). */
void vm_bind_externs(hm_vm *vm, const vm_extern *externs);
const hm_program *vm_program(const hm_vm *vm);
/* Fill the `{name}` placeholders of a condition's message for policy
 * `policy` and `member` (-1 for the household); unknown values show as
 * "?".  Returns out. (message.c) */
char *vm_fill_message(hm_vm *vm, int32_t policy, int32_t member, const char *tmpl, char *out, size_t n);

/* ---- tracing, for explain ------------------------------------------------------
 *
 * With a trace set, every function invocation (a frame) and every
 * instruction executed is recorded in order: enough to recover the value of
 * any expression of the source, element by element inside aggregates.
 * Without one, the interpreter runs a copy of its loop with no recording. */
enum { EV_ENTER = 1, EV_INSTR = 2, EV_ARG = 3 };
typedef struct vm_event {
    int32_t kind;           /* EV_* */
    int32_t frame;          /* ENTER: the new frame; INSTR, ARG: the frame running it */
    int32_t a;              /* ENTER: the function; INSTR: the instruction (into program.code);
                               ARG: the parameter (its register) */
    int32_t b;              /* ENTER: the calling frame, -1 at the top */
    int32_t self;           /* the member being decided, -1 for the household */
    int32_t claim;          /* the claim being decided (its records row), or -1 */
    hm_val v;               /* INSTR: register A after the instruction; ARG: the argument */
} vm_event;
typedef struct vm_trace {
    vm_event *ev;           /* owned by the caller: free with mem_free */
    size_t n, cap;
    int32_t nframes;
    int oom;                /* an event could not be recorded */
} vm_trace;
/* Record into t from now on (NULL: stop).  Memoized decisions and lets are
 * not recomputed: set the trace right after vm_begin_household(). */
void vm_set_trace(hm_vm *vm, vm_trace *t);

/* The last runtime error's description ("division by zero in dibao.per_cap"). */
const char *vm_error(const hm_vm *vm);

#endif
