/* vm.c -- the interpreter.  See vm.h and opcodes.def.
 *
 * Values are 64-bit integers with a known/unknown flag.  Money is in fen,
 * decimals in millionths; every multiplication or division that leaves that
 * scale rounds half away from zero, and every overflow turns the value into
 * an error (the decision becomes undetermined), never a wrong number.
 * Programs reaching the VM have passed the verifier: operands are in range,
 * loops are bounded and nothing recurses. */
#include "vm.h"
#include "calendar.h"
#include "mem.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

typedef struct vm_list {
    int32_t *items;
    int32_t n, cap;
    int32_t column;         /* -1: persons (member indices); else a records column */
} vm_list;

typedef struct memo_let {
    uint32_t gen;
    uint8_t busy;
    hm_val v;
} memo_let;

typedef struct memo_pol {
    uint32_t gen;
    uint8_t busy;
    hm_decision d;
} memo_pol;

struct hm_vm {
    const hm_program *p;
    const hm_facts *facts;
    int32_t as_of;
    int32_t hh, first, nmem;    /* current household, its first person, its size */
    int32_t self;               /* member being decided (person policies), or -1 */
    uint32_t gen;
    int32_t slots;              /* memo slots per let/policy: 1 + largest household */
    memo_let *lets;
    memo_pol *pols;
    hm_val *regs;
    size_t nregs, top;
    vm_list *lists;
    int32_t nlists, caplists;
    int32_t *pool;
    size_t npool, cappool;
    int oom;
    uint8_t *cover;
    const vm_extern *externs;   /* [p->nexterns], or NULL: every extern is unknown */
    char err[256];
};

/* ---- setup ----------------------------------------------------------------- */

hm_vm *vm_new(const hm_program *p)
{
    hm_vm *vm = mem_calloc(1, sizeof *vm);
    if (!vm)
        return NULL;
    vm->p = p;
    /* no function appears twice on a call chain (no recursion), so the sum
     * of all register files bounds the stack */
    size_t total = 0;
    for (int i = 0; i < p->nfns; i++)
        total += p->fns[i].nregs;
    vm->nregs = total + 1;
    vm->regs = mem_calloc(vm->nregs, sizeof *vm->regs);
    vm->slots = 0;
    vm->self = -1;
    if (!vm->regs) {
        vm_free(vm);
        return NULL;
    }
    return vm;
}

void vm_free(hm_vm *vm)
{
    if (!vm)
        return;
    mem_free(vm->regs);
    mem_free(vm->lets);
    mem_free(vm->pols);
    mem_free(vm->lists);
    mem_free(vm->pool);
    mem_free(vm);
}

void vm_bind(hm_vm *vm, const hm_facts *facts, int32_t as_of)
{
    vm->facts = facts;
    vm->as_of = as_of;
}

static int ensure_slots(hm_vm *vm, int32_t need)
{
    if (need <= vm->slots)
        return 0;
    int32_t slots = need < 8 ? 8 : need;
    const hm_program *p = vm->p;
    memo_let *l = mem_calloc((size_t)p->nlets * (size_t)slots + 1, sizeof *l);
    memo_pol *q = mem_calloc((size_t)p->npolicies * (size_t)slots + 1, sizeof *q);
    if (!l || !q) {
        mem_free(l);
        mem_free(q);
        return -1;
    }
    mem_free(vm->lets);
    mem_free(vm->pols);
    vm->lets = l;
    vm->pols = q;
    vm->slots = slots;
    vm->gen = 0;
    return 0;
}

int vm_begin_household(hm_vm *vm, int32_t hh)
{
    const hm_facts *f = vm->facts;
    vm->hh = hh;
    vm->first = f->hh_first[hh];
    vm->nmem = f->hh_count[hh];
    if (ensure_slots(vm, vm->nmem + 1) < 0)
        return -1;
    if (++vm->gen == 0) {
        /* the generation counter wrapped: forget everything explicitly */
        memset(vm->lets, 0, sizeof *vm->lets * (size_t)vm->p->nlets * (size_t)vm->slots);
        memset(vm->pols, 0, sizeof *vm->pols * (size_t)vm->p->npolicies * (size_t)vm->slots);
        vm->gen = 1;
    }
    vm->nlists = 0;
    vm->npool = 0;
    vm->self = -1;
    vm->err[0] = '\0';
    return 0;
}

const char *vm_error(const hm_vm *vm) { return vm->err; }

void vm_set_coverage(hm_vm *vm, uint8_t *cover) { vm->cover = cover; }

static void set_error(hm_vm *vm, int32_t fn, const char *what)
{
    if (vm->err[0])
        return;
    snprintf(vm->err, sizeof vm->err, "%s in %s", what, prog_str(vm->p, vm->p->fns[fn].name));
}

/* ---- lists ------------------------------------------------------------------- */

static int32_t list_new(hm_vm *vm, int32_t cap, int32_t column)
{
    if (vm->nlists == vm->caplists) {
        int32_t c = vm->caplists ? vm->caplists * 2 : 64;
        vm_list *l = mem_realloc(vm->lists, sizeof *l * (size_t)c);
        if (!l) {
            vm->oom = 1;
            return -1;
        }
        vm->lists = l;
        vm->caplists = c;
    }
    if (vm->npool + (size_t)cap > vm->cappool) {
        /* lists point into the pool by offset, so it may move */
        size_t c = vm->cappool ? vm->cappool * 2 : 4096;
        while (c < vm->npool + (size_t)cap)
            c *= 2;
        int32_t *np = mem_realloc(vm->pool, sizeof *np * c);
        if (!np) {
            vm->oom = 1;
            return -1;
        }
        for (int32_t i = 0; i < vm->nlists; i++)
            vm->lists[i].items = np + (vm->lists[i].items - vm->pool);
        vm->pool = np;
        vm->cappool = c;
    }
    vm_list *l = &vm->lists[vm->nlists];
    l->items = vm->pool + vm->npool;
    l->n = 0;
    l->cap = cap;
    l->column = column;
    vm->npool += (size_t)cap;
    return vm->nlists++;
}

/* ---- arithmetic ----------------------------------------------------------------- */

/* a / b rounded half away from zero; b != 0 */
static int div_round(__int128 a, __int128 b, int64_t *out)
{
    __int128 q = a / b, r = a % b;
    __int128 ar = r < 0 ? -r : r, ab = b < 0 ? -b : b;
    if (2 * ar >= ab)
        q += ((a < 0) != (b < 0)) ? -1 : 1;
    if (q > INT64_MAX || q < INT64_MIN)
        return -1;
    *out = (int64_t)q;
    return 0;
}

static int64_t pow10_i(int n)
{
    int64_t v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

/* ---- decisions (defined below) --------------------------------------------------- */

static const hm_decision *decide(hm_vm *vm, int32_t pol, int32_t member);
static hm_val run(hm_vm *vm, int32_t fn, const hm_val *args);

/* The value of a rule after its exceptions.  They are stored highest
 * priority first, and the highest that applies wins, so the result is
 * `if w1 then v1 else if w2 then v2 … else base`.  It is folded from the
 * lowest priority up, with three-valued logic: when an exception's
 * condition is unknown, the result is known only if that exception would
 * give the same value as the rules below it.  *decided gets the index of
 * the exception that decided, or -1. */
static hm_val apply_exceptions(hm_vm *vm, hm_val base, int32_t first, int32_t n, int32_t *decided)
{
    const hm_program *p = vm->p;
    hm_val v = base;
    if (decided)
        *decided = -1;
    for (int32_t i = n - 1; i >= 0; i--) {
        const hm_exception *e = &p->excs[first + i];
        hm_val w = run(vm, e->when_fn, NULL);
        if (!w.unk && !w.v)
            continue;
        hm_val x;
        if (e->value_fn >= 0)
            x = run(vm, e->value_fn, NULL);
        else {
            x.v = e->eligible;
            x.unk = 0;
            x.pad = 0;
        }
        if (!w.unk) {
            v = x;
            if (decided)
                *decided = first + i;
        } else if (v.unk || x.unk || v.v != x.v) {
            v.v = 0;
            v.unk = w.unk > x.unk ? w.unk : x.unk;
            if (decided)
                *decided = -1;
        }
    }
    return v;
}

static hm_val eval_let(hm_vm *vm, int32_t let)
{
    const hm_program *p = vm->p;
    int32_t slot = vm->self + 1;
    memo_let *m = &vm->lets[(size_t)let * (size_t)vm->slots + (size_t)slot];
    if (m->gen == vm->gen && !m->busy)
        return m->v;
    hm_val unk = { 0, UNK_ERROR, 0 };
    if (m->gen == vm->gen && m->busy)
        return unk;     /* cannot happen in a verified program */
    m->gen = vm->gen;
    m->busy = 1;
    const hm_let *l = &p->lets[let];
    hm_val v = apply_exceptions(vm, run(vm, l->fn, NULL), l->first_exc, l->nexc, NULL);
    m = &vm->lets[(size_t)let * (size_t)vm->slots + (size_t)slot];
    m->v = v;
    m->busy = 0;
    return v;
}

static int64_t param_dated(const hm_program *p, int32_t first, int32_t n, int32_t as_of, int *found)
{
    int64_t v = 0;
    *found = 0;
    for (int32_t i = 0; i < n; i++) {
        const hm_dated *d = &p->dated[first + i];
        if (d->from <= as_of) {
            v = d->value;
            *found = 1;
        }
    }
    return v;
}

static const char *text_of(const hm_vm *vm, int64_t id)
{
    if (id >= 0)
        return prog_str(vm->p, (int32_t)id);
    int64_t i = -id - 1;
    return i < vm->facts->ntexts ? vm->facts->texts[i] : "";
}

static hm_val param_key(hm_vm *vm, int32_t pi, hm_val key)
{
    const hm_program *p = vm->p;
    const hm_param *pa = &p->params[pi];
    hm_val r = { 0, UNK_MISSING, 0 };
    if (key.unk) {
        r.unk = key.unk;
        return r;
    }
    const hm_pentry *dflt = NULL, *hit = NULL;
    for (int32_t i = 0; i < pa->n && !hit; i++) {
        const hm_pentry *e = &p->pentries[pa->first + i];
        if (e->kind == KEY_DEFAULT)
            dflt = e;
        else if (e->kind == KEY_TEXT) {
            if (pa->keytype == VT_TEXT && strcmp(text_of(vm, key.v), prog_str(p, e->text)) == 0)
                hit = e;
        } else if (key.v >= e->lo && key.v <= e->hi)
            hit = e;
    }
    if (!hit)
        hit = dflt;
    if (!hit)
        return r;
    int found;
    r.v = param_dated(p, hit->first, hit->n, vm->as_of, &found);
    r.unk = found ? 0 : UNK_MISSING;
    return r;
}

static int64_t scale_apply(const hm_program *p, int32_t si, int64_t x, int *overflow)
{
    const hm_scale *sc = &p->scales[si];
    __int128 total = 0;
    int64_t lower = 0;
    *overflow = 0;
    for (int32_t i = 0; i < sc->n && x > lower; i++) {
        const hm_scalerow *r = &p->rows[sc->first + i];
        int64_t upper = r->upper;
        int64_t part = (x < upper ? x : upper) - lower;
        total += (__int128)part * r->rate;
        lower = upper;
    }
    int64_t out = 0;
    if (div_round(total, 1000000, &out) < 0)
        *overflow = 1;
    return out;
}

/* ---- the interpreter loop -------------------------------------------------------- */

#define RA (base[GETARG_A(i)])
#define RB (base[GETARG_B(i)])
#define RC (base[GETARG_C(i)])
#define UNK2(x, y) ((x).unk > (y).unk ? (x).unk : (y).unk)
#define SET(r, val) do { (r).v = (val); (r).unk = 0; } while (0)
/* an unknown operand makes the result unknown: leaves the opcode's case */
#define BINARY_UNK() if (RB.unk || RC.unk) { int u_ = UNK2(RB, RC); RA.v = 0; RA.unk = u_; break; }
/* list handles are values: a verified program only makes valid ones, but
 * they are checked anyway before they index anything */
#define LIST_OK(r) (!(r).unk && (r).v >= 0 && (r).v < vm->nlists)
#define FAIL(what) do { set_error(vm, fn, what); RA.unk = UNK_ERROR; RA.v = 0; } while (0)

static hm_val run(hm_vm *vm, int32_t fn, const hm_val *args)
{
    const hm_program *p = vm->p;
    const hm_function *F = &p->fns[fn];
    hm_val result = { 0, UNK_ERROR, 0 };
    if (vm->top + F->nregs > vm->nregs)
        return result;  /* cannot happen: the stack is sized for the worst chain */
    hm_val *base = vm->regs + vm->top;
    size_t saved_top = vm->top;
    vm->top += F->nregs;
    memset(base, 0, sizeof *base * F->nregs);
    for (int a = 0; a < F->nparams; a++)
        base[a] = args[a];
    const hm_instr *code = p->code + F->start;
    const hm_facts *facts = vm->facts;
    uint32_t pc = 0;
    for (;;) {
        hm_instr i = code[pc++];
        switch ((hm_opcode)GET_OP(i)) {
        case OP_LOADK: SET(RA, p->consts[GETARG_Bx(i)]); break;
        case OP_LOADS: SET(RA, GETARG_Bx(i)); break;
        case OP_LOADUNK: RA.v = 0; RA.unk = UNK_MISSING; break;
        case OP_MOVE: RA = RB; break;
        case OP_ASOF: SET(RA, vm->as_of); break;
        case OP_ADD: {
            BINARY_UNK();
            int64_t r;
            if (__builtin_add_overflow(RB.v, RC.v, &r)) FAIL("arithmetic overflow");
            else SET(RA, r);
            break;
        }
        case OP_SUB: {
            BINARY_UNK();
            int64_t r;
            if (__builtin_sub_overflow(RB.v, RC.v, &r)) FAIL("arithmetic overflow");
            else SET(RA, r);
            break;
        }
        case OP_MUL: {
            BINARY_UNK();
            int64_t r;
            if (__builtin_mul_overflow(RB.v, RC.v, &r)) FAIL("arithmetic overflow");
            else SET(RA, r);
            break;
        }
        case OP_MULDEC: {
            BINARY_UNK();
            int64_t r;
            if (div_round((__int128)RB.v * RC.v, 1000000, &r) < 0) FAIL("arithmetic overflow");
            else SET(RA, r);
            break;
        }
        case OP_DIVINT: case OP_DIVDEC: {
            BINARY_UNK();
            int64_t r;
            if (RC.v == 0) {
                FAIL("division by zero");
                break;
            }
            __int128 num = GET_OP(i) == OP_DIVDEC ? (__int128)RB.v * 1000000 : (__int128)RB.v;
            if (div_round(num, RC.v, &r) < 0) FAIL("arithmetic overflow");
            else SET(RA, r);
            break;
        }
        case OP_NEG:
            if (RB.unk) { RA = RB; break; }
            if (RB.v == INT64_MIN) FAIL("arithmetic overflow");
            else SET(RA, -RB.v);
            break;
        case OP_SCALEUP: {
            if (RB.unk) { RA = RB; break; }
            int64_t r;
            if (__builtin_mul_overflow(RB.v, pow10_i(GETARG_C(i) > 18 ? 18 : GETARG_C(i)), &r))
                FAIL("arithmetic overflow");
            else SET(RA, r);
            break;
        }
        case OP_ABS:
            if (RB.unk) { RA = RB; break; }
            if (RB.v == INT64_MIN) FAIL("arithmetic overflow");
            else SET(RA, RB.v < 0 ? -RB.v : RB.v);
            break;
        case OP_MIN: BINARY_UNK(); SET(RA, RB.v < RC.v ? RB.v : RC.v); break;
        case OP_MAX: BINARY_UNK(); SET(RA, RB.v > RC.v ? RB.v : RC.v); break;
        case OP_ROUND: case OP_FLOOR: case OP_CEIL: {
            BINARY_UNK();
            int64_t x = RB.v, step = RC.v, q;
            if (step <= 0) {
                FAIL("rounding to a step that is not positive");
                break;
            }
            if (GET_OP(i) == OP_ROUND) {
                if (div_round(x, step, &q) < 0) { FAIL("arithmetic overflow"); break; }
            } else {
                q = x / step;
                int64_t r = x % step;
                if (GET_OP(i) == OP_FLOOR && r < 0) q--;
                if (GET_OP(i) == OP_CEIL && r > 0) q++;
            }
            int64_t out;
            if (__builtin_mul_overflow(q, step, &out)) FAIL("arithmetic overflow");
            else SET(RA, out);
            break;
        }
        case OP_MONTHLY: {
            if (RB.unk) { RA = RB; break; }
            int64_t r;
            div_round(RB.v, 12, &r);
            SET(RA, r);
            break;
        }
        case OP_YEARLY: {
            if (RB.unk) { RA = RB; break; }
            int64_t r;
            if (__builtin_mul_overflow(RB.v, 12, &r)) FAIL("arithmetic overflow");
            else SET(RA, r);
            break;
        }
        case OP_LT: BINARY_UNK(); SET(RA, RB.v < RC.v); break;
        case OP_LE: BINARY_UNK(); SET(RA, RB.v <= RC.v); break;
        case OP_EQ: BINARY_UNK(); SET(RA, RB.v == RC.v); break;
        case OP_NE: BINARY_UNK(); SET(RA, RB.v != RC.v); break;
        case OP_EQTEXT: case OP_NETEXT: {
            BINARY_UNK();
            int eq = RB.v == RC.v || strcmp(text_of(vm, RB.v), text_of(vm, RC.v)) == 0;
            SET(RA, GET_OP(i) == OP_EQTEXT ? eq : !eq);
            break;
        }
        case OP_AND: {
            hm_val b = RB, c = RC;
            if ((!b.unk && !b.v) || (!c.unk && !c.v)) SET(RA, 0);
            else if (b.unk || c.unk) { RA.v = 0; RA.unk = UNK2(b, c); }
            else SET(RA, 1);
            break;
        }
        case OP_OR: {
            hm_val b = RB, c = RC;
            if ((!b.unk && b.v) || (!c.unk && c.v)) SET(RA, 1);
            else if (b.unk || c.unk) { RA.v = 0; RA.unk = UNK2(b, c); }
            else SET(RA, 0);
            break;
        }
        case OP_NOT:
            if (RB.unk) RA = RB;
            else SET(RA, !RB.v);
            break;
        case OP_KNOWN: SET(RA, RB.unk == 0); break;
        case OP_JMP: pc += (uint32_t)GETARG_sBx(i); break;
        case OP_JMPFALSE: if (!RA.unk && !RA.v) pc += (uint32_t)GETARG_sBx(i); break;
        case OP_JMPTRUE: if (!RA.unk && RA.v) pc += (uint32_t)GETARG_sBx(i); break;
        case OP_JMPUNK: if (RA.unk) pc += (uint32_t)GETARG_sBx(i); break;
        case OP_FORPREP: {
            hm_val *c = &RA;
            SET(c[0], 0);
            if (c[1].unk || c[1].v <= 0) pc += (uint32_t)GETARG_sBx(i);
            break;
        }
        case OP_FORLOOP: {
            hm_val *c = &RA;
            c[0].v++;
            if (c[0].v < c[1].v) pc += (uint32_t)GETARG_sBx(i);
            break;
        }
        case OP_RET:
            result = RA;
            vm->top = saved_top;
            return result;
        case OP_ADDDAYS: BINARY_UNK(); SET(RA, cal_add_days((int32_t)RB.v, RC.v)); break;
        case OP_ADDMONTHS: BINARY_UNK(); SET(RA, cal_add_months((int32_t)RB.v, RC.v)); break;
        case OP_AGEAT: BINARY_UNK(); SET(RA, cal_years_between((int32_t)RB.v, (int32_t)RC.v)); break;
        case OP_MONTHSBTW: BINARY_UNK(); SET(RA, cal_months_between((int32_t)RB.v, (int32_t)RC.v)); break;
        case OP_DAYSBTW: BINARY_UNK(); SET(RA, RC.v - RB.v); break;
        case OP_SOM: if (RB.unk) RA = RB; else SET(RA, cal_start_of_month((int32_t)RB.v)); break;
        case OP_EOM: if (RB.unk) RA = RB; else SET(RA, cal_end_of_month((int32_t)RB.v)); break;
        case OP_HFACT: {
            const hm_column *c = &facts->hcol[GETARG_Bx(i)];
            if (c->state[vm->hh] != FACT_KNOWN) { RA.v = 0; RA.unk = UNK_MISSING; }
            else SET(RA, c->v[vm->hh]);
            break;
        }
        case OP_PFACT: {
            if (RB.unk || RB.v < 0 || RB.v >= vm->nmem) { RA.v = 0; RA.unk = RB.unk ? RB.unk : UNK_ERROR; break; }
            const hm_column *c = &facts->pcol[GETARG_C(i)];
            int64_t who = vm->first + RB.v;
            if (c->state[who] != FACT_KNOWN) { RA.v = 0; RA.unk = UNK_MISSING; }
            else SET(RA, c->v[who]);
            break;
        }
        case OP_SELF:
            if (vm->self < 0) { RA.v = 0; RA.unk = UNK_ERROR; }
            else SET(RA, vm->self);
            break;
        case OP_MEMBERS: {
            int32_t l = list_new(vm, vm->nmem, -1);
            if (l < 0) { FAIL("out of memory"); break; }
            for (int32_t k = 0; k < vm->nmem; k++)
                vm->lists[l].items[k] = k;
            vm->lists[l].n = vm->nmem;
            SET(RA, l);
            break;
        }
        case OP_LISTNEW: {
            if (RB.unk) { RA = RB; break; }
            if (!LIST_OK(RB)) { FAIL("invalid list"); break; }
            vm_list *src = &vm->lists[RB.v];
            int32_t l = list_new(vm, src->n, src->column);
            if (l < 0) { FAIL("out of memory"); break; }
            SET(RA, l);
            break;
        }
        case OP_LISTPUSH: {
            if (RA.unk || RB.unk || RC.unk) break;
            if (!LIST_OK(RA) || !LIST_OK(RB)) { FAIL("invalid list"); break; }
            vm_list *dst = &vm->lists[RA.v], *src = &vm->lists[RB.v];
            if (RC.v >= 0 && RC.v < src->n && dst->n < dst->cap)
                dst->items[dst->n++] = src->items[RC.v];
            break;
        }
        case OP_LISTLEN:
            if (RB.unk) RA = RB;
            else if (!LIST_OK(RB)) FAIL("invalid list");
            else SET(RA, vm->lists[RB.v].n);
            break;
        case OP_LISTGET:
            if (RB.unk || RC.unk) { RA.v = 0; RA.unk = UNK2(RB, RC); break; }
            if (!LIST_OK(RB) || RC.v < 0 || RC.v >= vm->lists[RB.v].n) { FAIL("invalid list"); break; }
            SET(RA, vm->lists[RB.v].items[RC.v]);
            break;
        case OP_PRECS: {
            if (RB.unk || RB.v < 0 || RB.v >= vm->nmem) { RA.v = 0; RA.unk = RB.unk ? RB.unk : UNK_ERROR; break; }
            const hm_rcolumn *rc = &facts->rcol[GETARG_C(i)];
            int64_t who = vm->first + RB.v;
            if (rc->state[who] != FACT_KNOWN) { RA.v = 0; RA.unk = UNK_MISSING; break; }
            int32_t n = rc->count[who], first = rc->first[who];
            int32_t l = list_new(vm, n, GETARG_C(i));
            if (l < 0) { FAIL("out of memory"); break; }
            for (int32_t k = 0; k < n; k++)
                vm->lists[l].items[k] = first + k;
            vm->lists[l].n = n;
            SET(RA, l);
            break;
        }
        case OP_RECDATE: case OP_RECVAL: {
            if (RB.unk || RC.unk) { RA.v = 0; RA.unk = UNK2(RB, RC); break; }
            if (!LIST_OK(RB)) { FAIL("invalid list"); break; }
            const vm_list *l = &vm->lists[RB.v];
            if (l->column < 0 || l->column >= facts->nr || RC.v < 0 || RC.v >= l->n) { FAIL("invalid record"); break; }
            const hm_rcolumn *rc = &facts->rcol[l->column];
            int32_t k = l->items[RC.v];
            if (k < 0 || k >= rc->n) { FAIL("invalid record"); break; }
            SET(RA, GET_OP(i) == OP_RECDATE ? rc->date[k] : rc->v[k]);
            break;
        }
        case OP_WINLAST: case OP_WINRANGE: {
            if (RB.unk) { RA = RB; break; }
            int32_t lo, hi;
            if (GET_OP(i) == OP_WINLAST) {
                if (RC.unk) { RA = RC; break; }
                int32_t som = cal_start_of_month(vm->as_of);
                lo = cal_add_months(som, -RC.v);
                hi = cal_add_days(som, -1);
            } else {
                hm_val a = base[GETARG_C(i)], b = base[GETARG_C(i) + 1];
                if (a.unk || b.unk) { RA.v = 0; RA.unk = UNK2(a, b); break; }
                lo = (int32_t)(a.v < INT32_MIN ? INT32_MIN : a.v > INT32_MAX ? INT32_MAX : a.v);
                hi = (int32_t)(b.v < INT32_MIN ? INT32_MIN : b.v > INT32_MAX ? INT32_MAX : b.v);
            }
            if (!LIST_OK(RB)) { FAIL("invalid list"); break; }
            int32_t srcl = (int32_t)RB.v;
            int32_t l = list_new(vm, vm->lists[srcl].n, vm->lists[srcl].column);
            if (l < 0) { FAIL("out of memory"); break; }
            const vm_list *src = &vm->lists[srcl];
            vm_list *dst = &vm->lists[l];
            if (src->column >= 0 && src->column < facts->nr) {
                const hm_rcolumn *rc = &facts->rcol[src->column];
                for (int32_t k = 0; k < src->n; k++) {
                    if (src->items[k] < 0 || src->items[k] >= rc->n)
                        continue;
                    int32_t d = rc->date[src->items[k]];
                    if (d >= lo && d <= hi)
                        dst->items[dst->n++] = src->items[k];
                }
            }
            SET(RA, l);
            break;
        }
        case OP_LONGRUN: case OP_NMONTHS: {
            if (RB.unk) { RA = RB; break; }
            if (!LIST_OK(RB)) { FAIL("invalid list"); break; }
            const vm_list *l = &vm->lists[RB.v];
            int64_t best = 0, run_len = 0, distinct = 0;
            int32_t prev = INT32_MIN;
            if (l->column >= 0 && l->column < facts->nr) {
                const hm_rcolumn *rc = &facts->rcol[l->column];
                for (int32_t k = 0; k < l->n; k++) {
                    if (l->items[k] < 0 || l->items[k] >= rc->n)
                        continue;
                    int32_t mi = cal_month_index(rc->date[l->items[k]]);
                    if (mi == prev)
                        continue;   /* records are sorted by date */
                    distinct++;
                    run_len = prev != INT32_MIN && mi == prev + 1 ? run_len + 1 : 1;
                    if (run_len > best)
                        best = run_len;
                    prev = mi;
                }
            }
            SET(RA, GET_OP(i) == OP_LONGRUN ? best : distinct);
            break;
        }
        case OP_PARAM: {
            const hm_param *pa = &p->params[GETARG_Bx(i)];
            int found;
            int64_t v = param_dated(p, pa->first, pa->n, vm->as_of, &found);
            if (found) SET(RA, v);
            else { RA.v = 0; RA.unk = UNK_MISSING; }
            break;
        }
        case OP_PARAMKEY: RA = param_key(vm, GETARG_C(i), RB); break;
        case OP_SCALE: {
            if (RB.unk) { RA = RB; break; }
            int overflow;
            int64_t v = scale_apply(p, GETARG_C(i), RB.v, &overflow);
            if (overflow) FAIL("arithmetic overflow");
            else SET(RA, v);
            break;
        }
        case OP_CALL: {
            hm_val r = run(vm, GETARG_Bx(i), &base[GETARG_A(i) + 1]);
            base = vm->regs + saved_top;    /* the register file may not move, but be safe */
            RA = r;
            break;
        }
        case OP_CALLX: {
            const hm_extern *x = &p->externs[GETARG_Bx(i)];
            const vm_extern *b = vm->externs ? &vm->externs[GETARG_Bx(i)] : NULL;
            const hm_val *xargs = &base[GETARG_A(i) + 1];
            int64_t av[HM_EXTERN_PARAMS];
            const char *at[HM_EXTERN_PARAMS];
            int unk = 0;
            for (int k = 0; k < x->nparams; k++) {
                unk |= xargs[k].unk;
                av[k] = xargs[k].v;
                at[k] = x->params[k] == VT_TEXT ? text_of(vm, xargs[k].v) : NULL;
            }
            if (unk) { RA.v = 0; RA.unk = UNK_MISSING; break; }
            if (!b || !b->call) { RA.v = 0; RA.unk = UNK_MISSING; break; }
            int64_t r = 0;
            int rc = b->call(b->ctx, av, at, &r);
            if (rc == 0) SET(RA, r);
            else if (rc > 0) { RA.v = 0; RA.unk = UNK_MISSING; }
            else FAIL("an extern function failed");
            break;
        }
        case OP_LET: {
            hm_val r = eval_let(vm, GETARG_Bx(i));
            base = vm->regs + saved_top;
            RA = r;
            break;
        }
        case OP_ELIG: case OP_AMOUNT: case OP_PELIG: case OP_PAMOUNT: {
            int person = GET_OP(i) == OP_PELIG || GET_OP(i) == OP_PAMOUNT;
            int32_t pol = person ? GETARG_C(i) : GETARG_Bx(i);
            int32_t member = -1;
            if (person) {
                if (RB.unk) { RA = RB; break; }
                member = (int32_t)RB.v;
            } else if (p->policies[pol].entity == 2) {
                member = vm->self;
            }
            const hm_decision *d = decide(vm, pol, member);
            base = vm->regs + saved_top;
            if (GET_OP(i) == OP_ELIG || GET_OP(i) == OP_PELIG) {
                if (d->status == DEC_UNDETERMINED) { RA.v = 0; RA.unk = d->error ? UNK_ERROR : UNK_MISSING; }
                else SET(RA, d->status == DEC_ELIGIBLE);
            } else {
                if (d->status == DEC_UNDETERMINED) { RA.v = 0; RA.unk = d->error ? UNK_ERROR : UNK_MISSING; }
                else SET(RA, d->status == DEC_ELIGIBLE ? d->amount : 0);
            }
            break;
        }
        case HM_NUM_OPCODES:
        default:
            /* unreachable in a verified program */
            vm->top = saved_top;
            return result;
        }
    }
}

/* ---- decisions --------------------------------------------------------------------- */

/* Three-valued truth: 1 true, 0 false, -1 unknown. */
static int truth(hm_val v) { return v.unk ? -1 : v.v != 0; }

static int eval_cond(hm_vm *vm, int32_t node, int32_t *failed, int *error)
{
    const hm_program *p = vm->p;
    const hm_condnode *c = &p->conds[node];
    if (c->kind == CN_COND) {
        hm_val v = run(vm, c->fn, NULL);
        if (v.unk == UNK_ERROR)
            *error = 1;
        int t = truth(v);
        if (vm->cover)
            vm->cover[node] |= t == 1 ? 1 : t == 0 ? 2 : 4;
        if (t == 0 && *failed < 0)
            *failed = node;
        return t;
    }
    int all = c->kind == CN_ALL;
    int acc = all ? 1 : 0;
    int32_t kid = node + 1;
    int32_t first_failed = -1;
    for (int32_t k = 0; k < c->nkids; k++) {
        int32_t f = -1;
        int t = eval_cond(vm, kid, &f, error);
        if (all) {
            if (t == 0) {
                acc = 0;
                if (first_failed < 0)
                    first_failed = f >= 0 ? f : kid;
            } else if (t < 0 && acc != 0)
                acc = -1;
        } else {
            if (t == 1)
                acc = 1;
            else if (t < 0 && acc != 1)
                acc = -1;
        }
        kid += p->conds[kid].size;
    }
    if (acc == 0 && *failed < 0)
        *failed = all ? first_failed : node;
    return acc;
}

static const hm_decision *decide(hm_vm *vm, int32_t pol, int32_t member)
{
    const hm_program *p = vm->p;
    const hm_policy *P = &p->policies[pol];
    if (P->entity == 1)
        member = -1;
    int32_t slot = member + 1;
    memo_pol *m = &vm->pols[(size_t)pol * (size_t)vm->slots + (size_t)slot];
    if (m->gen == vm->gen)
        return &m->d;   /* done, or (impossible when verified) in progress */
    m->gen = vm->gen;
    m->busy = 1;
    hm_decision d = { .status = DEC_UNDETERMINED, .failed_cond = -1, .excluded_by = -1, .exception = -1 };
    m->d = d;
    int32_t saved_self = vm->self;
    vm->self = member;
    int error = 0;
    int t = P->cond >= 0 ? eval_cond(vm, P->cond, &d.failed_cond, &error) : -1;
    if (P->neexc) {
        hm_val base = { t == 1, t < 0 ? UNK_MISSING : 0, 0 };
        hm_val r = apply_exceptions(vm, base, P->first_eexc, P->neexc, &d.exception);
        if (r.unk == UNK_ERROR)
            error = 1;
        t = r.unk ? -1 : r.v ? 1 : 0;
        if (d.exception >= 0)
            d.failed_cond = -1;
    }
    /* a policy that excludes this one and applies takes precedence */
    for (int32_t k = 0; k < P->nexcl && t != 0; k++) {
        int32_t q = p->ints[P->first_excl + k];
        const hm_decision *dq = decide(vm, q, p->policies[q].entity == P->entity ? member : -1);
        if (dq->status == DEC_ELIGIBLE) {
            t = 0;
            d.excluded_by = q;
            d.failed_cond = -1;
        } else if (dq->status == DEC_UNDETERMINED) {
            t = -1;
        }
    }
    if (t == 1 && P->amount_fn >= 0) {
        hm_val a = apply_exceptions(vm, run(vm, P->amount_fn, NULL), P->first_aexc, P->naexc, NULL);
        if (a.unk) {
            t = -1;
            if (a.unk == UNK_ERROR)
                error = 1;
        } else {
            d.amount = a.v;
            d.has_amount = 1;
        }
    }
    d.status = t == 1 ? DEC_ELIGIBLE : t == 0 ? DEC_NOT_ELIGIBLE : DEC_UNDETERMINED;
    d.error = d.status == DEC_UNDETERMINED && error;
    if (d.status != DEC_NOT_ELIGIBLE)
        d.failed_cond = -1;
    vm->self = saved_self;
    m = &vm->pols[(size_t)pol * (size_t)vm->slots + (size_t)slot];
    m->d = d;
    m->busy = 0;
    return &m->d;
}

const hm_decision *vm_decide(hm_vm *vm, int32_t policy, int32_t member)
{
    return decide(vm, policy, member);
}

/* ---- values for messages ----------------------------------------------------- */

hm_val vm_value_of_let(hm_vm *vm, int32_t let, int32_t member)
{
    int32_t saved = vm->self;
    vm->self = member;
    hm_val v = eval_let(vm, let);
    vm->self = saved;
    return v;
}

hm_val vm_value_of_param(hm_vm *vm, int32_t param, int32_t member)
{
    const hm_program *p = vm->p;
    const hm_param *pa = &p->params[param];
    hm_val r = { 0, UNK_MISSING, 0 };
    if (!pa->keyed) {
        int found;
        r.v = param_dated(p, pa->first, pa->n, vm->as_of, &found);
        r.unk = found ? 0 : UNK_MISSING;
        return r;
    }
    if (pa->key_fn < 0)
        return r;
    int32_t saved = vm->self;
    vm->self = member;
    hm_val key = run(vm, pa->key_fn, NULL);
    vm->self = saved;
    return param_key(vm, param, key);
}

hm_val vm_value_of_fact(hm_vm *vm, int32_t field, int32_t member)
{
    const hm_field *fd = &vm->p->fields[field];
    const hm_facts *f = vm->facts;
    hm_val r = { 0, UNK_MISSING, 0 };
    if (fd->records)
        return r;
    if (fd->entity == 1) {
        if (f->hcol[fd->column].state[vm->hh] == FACT_KNOWN)
            SET(r, f->hcol[fd->column].v[vm->hh]);
    } else if (member >= 0 && member < vm->nmem) {
        int64_t who = vm->first + member;
        if (f->pcol[fd->column].state[who] == FACT_KNOWN)
            SET(r, f->pcol[fd->column].v[who]);
    }
    return r;
}

const char *vm_text(const hm_vm *vm, int64_t id) { return text_of(vm, id); }

void vm_bind_externs(hm_vm *vm, const vm_extern *externs) { vm->externs = externs; }

const hm_program *vm_program(const hm_vm *vm) { return vm->p; }
