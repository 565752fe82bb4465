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
enum { DEC_ELIGIBLE = 1, DEC_NOT_ELIGIBLE = 2, DEC_UNDETERMINED = 3 };

typedef struct hm_decision {
    int32_t status;         /* DEC_* */
    int32_t error;          /* a runtime error (division by zero, overflow) made it undetermined */
    int64_t amount;         /* fen; when eligible and the policy has an amount */
    int32_t has_amount;
    int32_t failed_cond;    /* not eligible: the first condition that failed (program.conds), or -1 */
    int32_t excluded_by;    /* not eligible because this policy applied, or -1 */
    int32_t exception;      /* the exception that decided, or -1 */
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
/* Record in cover[n] for each condition node n: 1 seen true, 2 seen false,
 * 4 seen unknown (borrowed; NULL to stop). */
void   vm_set_coverage(hm_vm *vm, uint8_t *cover);
/* Values by name, for filling message templates: a let (of the policy
 * decided for `member`), a parameter as of the as-of date (looked up by its
 * key for that member), a fact of the household or of a member. */
hm_val vm_value_of_let(hm_vm *vm, int32_t let, int32_t member);
hm_val vm_value_of_param(hm_vm *vm, int32_t param, int32_t member);
hm_val vm_value_of_fact(hm_vm *vm, int32_t field, int32_t member);
const char *vm_text(const hm_vm *vm, int64_t id);

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

/* The last runtime error's description ("division by zero in dibao.per_cap"). */
const char *vm_error(const hm_vm *vm);

#endif
