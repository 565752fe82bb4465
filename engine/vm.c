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

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Small functions called for every let and condition read: the call
 * would cost more than their work. */
#if defined(__GNUC__)
#define VM_INLINE inline __attribute__((always_inline))
#else
#define VM_INLINE inline
#endif

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

/* A remembered call of a function: calls with the same arguments for the
 * same person of one household give the same value (functions are pure). */
#define CALLMEMO_ARGS 4
#define CALLMEMO_SIZE 256   /* entries, a power of two */
typedef struct memo_call {
    uint32_t gen;
    int32_t fn, self;
    uint8_t busy;           /* the call is running: not a value yet */
    hm_val args[CALLMEMO_ARGS];
    hm_val v;
} memo_call;

/* The plain loop runs LET and CALL without a C call of its own: it keeps
 * where the caller was in a frame and goes on with the callee's code, and
 * RET goes back (as Lua's loop does).  Most lets and functions are a few
 * instructions; a C function's entry and exit cost more than they do. */
enum { FRAME_LET, FRAME_CALL };
typedef struct vm_frame {
    const hm_instr *code;   /* the caller's code, */
    hm_val *base;           /* registers, */
    size_t top;             /* and vm->top before its registers */
    uint32_t pc;            /* its next instruction */
    int32_t fn;
    int32_t memo;           /* LET: the index of its memo_let; CALL: of its memo_call, or -1 */
    uint8_t ret;            /* the caller's register that gets the value */
    uint8_t kind;           /* FRAME_* */
} vm_frame;

/* A let as LET runs it (vm_new, ensure_slots): the let with its value
 * (let_same), where its memo entries start, and its function, or fn -1
 * when it has exceptions (those go through eval_let). */
typedef struct vm_letrun {
    const hm_instr *code;
    int32_t memo;           /* let × slots: the entry of member m is memo + m + 1 */
    int32_t fn, nregs;
} vm_letrun;

/* A value assumed for an unknown fact (decide_assuming): given by the
 * caller, or tried while settling (see settle). */
#define SETTLE_FACTS 8      /* unknown facts split over at most */
#define SETTLE_TRIES 64     /* combinations of their values tried at most */
#define ASSUME_MAX (VM_ASSUME_MAX + SETTLE_FACTS)
typedef struct vm_assume {
    const hm_column *col;   /* where the VM reads it */
    int64_t row;
    int64_t v;
    vm_fact_value as;       /* as given */
} vm_assume;

/* A keyed parameter's last lookup: keys repeat (the household's region,
 * read by every policy), the entries do not change during a run.  Only
 * for tables looked up by scanning (PIX_SCAN). */
typedef struct vm_pkey {
    int64_t key;
    hm_val v;
    uint8_t valid;
} vm_pkey;

/* How a keyed parameter finds the entry of a key (set_pindex): never by
 * comparing texts while evaluating.
 *   PIX_TEXT   text keys: the key's text id in a hash table (vm_tkeys) of
 *              program strings (made by vm_new) and of the facts' texts
 *              (made by vm_bind, which finds each key among them);
 *   PIX_TABLE  numbers and codes: an array over the keys from the lowest
 *              to the highest end of a range, `below` and `above` it;
 *   PIX_SCAN   anything else (ranges far apart): the entries in order. */
enum { PIX_SCAN, PIX_TEXT, PIX_TABLE };
#define PIX_TABLE_MAX 4096      /* keys in a PIX_TABLE at most */
typedef struct vm_pindex {
    int32_t kind;
    int32_t dflt;           /* PIX_TEXT: the entry when no key matches (program.pentries), or -1 */
    int64_t lo;             /* PIX_TABLE: keys lo … lo + n - 1 have entries ptable[first …] */
    int32_t n, first;
    int32_t below, above;   /* PIX_TABLE: the entry of keys below lo, above lo + n - 1 (or -1) */
} vm_pindex;

/* A text key of a PIX_TEXT parameter: (param, id) gives entry.  The table
 * is at most half full; param -1 marks an empty slot. */
typedef struct vm_tkey {
    int64_t id;
    int32_t param, entry;
} vm_tkey;
typedef struct vm_tkeys {
    vm_tkey *slot;
    uint32_t mask;          /* slots - 1, a power of two less one */
} vm_tkeys;

typedef struct memo_pol {
    uint32_t gen;
    uint8_t busy;
    hm_decision d;
} memo_pol;

/* A VM bound to the first day of one month, deciding the policies that
 * sum(P.amount over …) adds (PSUM): made the first time the month is
 * needed, bound again after vm_bind, and started on the household of the
 * VM that uses it (hh and gen: the one it was last started for). */
typedef struct vm_month {
    int32_t day;
    int32_t hh;
    uint32_t gen;
    int bound;
    hm_vm *vm;
} vm_month;

struct hm_vm {
    const hm_program *p;
    const hm_facts *facts;
    int32_t as_of;
    int32_t as_of_month;        /* the first day of the as-of date's month */
    int32_t win_hi;             /* WINLAST: the day before it, the last day of a window */
    int64_t win_months;         /* WINLAST: the last window's months, and its first day */
    int32_t win_lo;
    cal_ages ages;              /* AGEAT: ages on the as-of date */
    int32_t hh, first, nmem;    /* current household, its first person, its size */
    int32_t self;               /* member being decided (person policies), or -1 */
    int32_t slot;               /* the memo slot of lets and conditions: self + 1, or a claim's */
    int32_t claim_row, claim_pol;   /* the claim being decided (its row, its policy), or -1 */
    int32_t claim_depth;        /* claims being decided at once (one reading earlier ones) */
    int32_t msg_member, msg_row, msg_slot, msg_pol; /* the claim vm_decide_claim decided last, for messages */
    int32_t *claim_cols;        /* the records columns of the lists claim policies decide */
    int32_t nclaim_cols;
    size_t nregs_one;           /* registers for one claim (or none): every function once */
    int32_t claims_hh, nclaims; /* the household whose claims were counted last (-1: none), how many */
    uint32_t *mclaims;          /* per member: the generation its claims were all decided in */
    uint32_t gen;
    int32_t slots;              /* memo slots per let/policy: 1 + largest household */
    memo_let *lets;
    memo_pol *pols;
    memo_call *calls;           /* [CALLMEMO_SIZE] */
    vm_frame *frames;           /* calls made inside the loop: at most one a register */
    int32_t nframes;
    vm_letrun *letrun;          /* per let: what LET needs to run it in the loop */
    int32_t *let_same;          /* per let: the first let computed by the same code */
    int32_t *cond_same;         /* per condition: see find_same_conds */
    memo_let *conds;            /* [conds × slots]: values of conditions written more than once */
    hm_val *pval;               /* per parameter: its value as of the as-of date (not keyed) */
    hm_val *peval;              /* per keyed parameter entry: its value as of the as-of date */
    vm_pkey *pkeys;             /* per parameter: its last lookup by key (PIX_SCAN) */
    vm_pindex *pix;             /* per parameter: how it finds the entry of a key */
    int32_t *ptable;            /* the entries of every PIX_TABLE's keys */
    vm_tkeys skeys, fkeys;      /* PIX_TEXT keys: program strings, fact texts (vm_bind) */
    int32_t *scanon;            /* program string → the first string written the same, when
                                   a key's text is written twice (a hand-made pack); else NULL */
    int32_t bound_texts;        /* the facts' texts at vm_bind; ids past them are looked up by scanning */
    hm_val *regs;
    size_t nregs, top;
    vm_list *lists;
    int32_t nlists, caplists;
    int32_t members;            /* the household's members as a list (MEMBERS), or -1 */
    int32_t *pool;
    size_t npool, cappool;
    int oom;
    uint8_t *cover;
    const vm_extern *externs;   /* [p->nexterns], or NULL: every extern is unknown */
    vm_trace *trace;            /* explain: where executed instructions go, or NULL */
    int trace_depth;            /* explain: calls of run_traced under way */
    hm_vm *probe;               /* settle: a second VM deciding under assumed values, or NULL */
    int nassume;                /* facts read with assumed values, this household */
    int trying;                 /* deciding one of settle's combinations: no settling again */
    int no_settle;              /* 1: Kleene's rules only (vm_set_settle) */
    vm_assume assume[ASSUME_MAX];
    int32_t frame;              /* explain: the function invocation running now */
    vm_month *months;           /* PSUM: a VM for each month it reads */
    int32_t nmonths, capmonths;
    char err[256];
    int32_t err_extern;         /* 2 + i when err is extern function i's error, else 0 */
};

/* ---- setup ----------------------------------------------------------------- */

/* Do functions f and g compute the same thing?  Their code is the same,
 * word for word, except that it may read lets already known to be the
 * same. */
static int same_code(const hm_program *p, const int32_t *same, int32_t f, int32_t g)
{
    const hm_function *fa = &p->fns[f], *fb = &p->fns[g];
    if (fa->nparams != fb->nparams || fa->nregs != fb->nregs || fa->ncode != fb->ncode)
        return 0;
    const hm_instr *ca = p->code + fa->start, *cb = p->code + fb->start;
    for (uint32_t k = 0; k < fa->ncode;) {
        hm_decoded x, y;
        if (hm_decode(ca, fa->ncode, k, &x) < 0 || hm_decode(cb, fb->ncode, k, &y) < 0 || x.len != y.len)
            return 0;
        if (memcmp(ca + k, cb + k, sizeof *ca * (size_t)x.len) != 0 &&
            (x.op != OP_LET || y.op != OP_LET || x.a != y.a || same[x.b] != same[y.b]))
            return 0;
        k += (uint32_t)x.len;
    }
    return 1;
}

/* ... and lets a and b: their code is the same and neither has exceptions */
static int same_let(const hm_program *p, const int32_t *same, int32_t a, int32_t b)
{
    const hm_let *la = &p->lets[a], *lb = &p->lets[b];
    /* a claim policy's let reads its claim: the same code over another
     * list of claims is another value */
    if (p->policies[la->policy].entity == ENT_CLAIM || p->policies[lb->policy].entity == ENT_CLAIM)
        return 0;
    return !la->nexc && !lb->nexc && same_code(p, same, la->fn, lb->fn);
}

/* Policies often define the same let (the living members, the household
 * size): such lets are computed once per household.  let_same[i] is the
 * first let written as let i is; merging until nothing changes also finds
 * lets that read such lets. */
static void find_same_lets(hm_vm *vm)
{
    const hm_program *p = vm->p;
    int32_t *same = vm->let_same;
    for (int32_t i = 0; i < p->nlets; i++)
        same[i] = i;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int32_t i = 0; i < p->nlets; i++) {
            if (same[i] != i)
                continue;
            for (int32_t j = 0; j < i; j++)
                if (same[j] == j && same_let(p, same, i, j)) {
                    same[i] = j;
                    changed = 1;
                    break;
                }
        }
    }
    /* lets that merged with a let that merged later: point at the first */
    for (int32_t i = 0; i < p->nlets; i++)
        while (same[same[i]] != same[i])
            same[i] = same[same[i]];
}

static int claim_fn(const hm_program *p, int32_t fn)
{
    int32_t pol = p->fns[fn].policy;
    return pol >= 0 && p->policies[pol].entity == ENT_CLAIM;
}

/* Policies often state the same condition (the person is alive, has a
 * disability certificate): a condition written as an earlier one is
 * evaluated once per person and household.  cond_same[i] is the first
 * condition leaf written as leaf i, or -1 for a leaf written only once. */
static void find_same_conds(hm_vm *vm)
{
    const hm_program *p = vm->p;
    int32_t *same = vm->cond_same;
    for (int32_t i = 0; i < p->nconds; i++) {
        same[i] = -1;
        if (p->conds[i].kind != CN_COND)
            continue;
        for (int32_t j = 0; j < i; j++)
            if (p->conds[j].kind == CN_COND && (same[j] < 0 || same[j] == j) && !claim_fn(p, p->conds[i].fn) &&
                !claim_fn(p, p->conds[j].fn) &&
                same_code(p, vm->let_same, p->conds[i].fn, p->conds[j].fn)) {
                same[i] = same[j] = j;
                break;
            }
    }
}

static void set_letrun(hm_vm *vm)
{
    const hm_program *p = vm->p;
    for (int32_t i = 0; i < p->nlets; i++) {
        int32_t let = vm->let_same[i];
        const hm_let *l = &p->lets[let];
        const hm_function *F = &p->fns[l->fn];
        vm->letrun[i] = (vm_letrun){ p->code + F->start, let * vm->slots, l->nexc ? -1 : l->fn, F->nregs };
    }
}

/* The entry of keyed parameter pi that `key` selects, the entries read in
 * order: the first that matches, else the default; -1 for none.  `text`
 * is the key's text for a table looked up by text, else NULL. */
static int32_t scan_entry(const hm_program *p, int32_t pi, int64_t key, const char *text)
{
    const hm_param *pa = &p->params[pi];
    int32_t dflt = -1;
    for (int32_t i = pa->first; i < pa->first + pa->n; i++) {
        const hm_pentry *e = &p->pentries[i];
        if (e->kind == KEY_DEFAULT)
            dflt = i;
        else if (e->kind == KEY_TEXT) {
            if (text && strcmp(text, prog_str(p, e->text)) == 0)
                return i;
        } else if (key >= e->lo && key <= e->hi)
            return i;
    }
    return dflt;
}

static VM_INLINE vm_tkey *tkey_slot(const vm_tkeys *t, int32_t param, int64_t id)
{
    uint64_t h = ((uint64_t)id + ((uint64_t)(uint32_t)param << 32)) * 0x9e3779b97f4a7c15u;
    uint32_t k = (uint32_t)(h >> 32) & t->mask;
    while (t->slot[k].param >= 0 && (t->slot[k].param != param || t->slot[k].id != id))
        k = (k + 1) & t->mask;
    return &t->slot[k];
}

/* the first entry of a key stays, as when scanning */
static void tkey_add(vm_tkeys *t, int32_t param, int64_t id, int32_t entry)
{
    vm_tkey *k = tkey_slot(t, param, id);
    if (k->param < 0)
        *k = (vm_tkey){ id, param, entry };
}

static void tkeys_clear(vm_tkeys *t)
{
    for (uint32_t k = 0; t->slot && k <= t->mask; k++)
        t->slot[k].param = -1;
}

/* Room for n keys.  0, or -1 when out of memory. */
static int tkeys_init(vm_tkeys *t, int32_t n)
{
    uint32_t cap = 8;
    while (cap < 2 * (uint32_t)n + 2)
        cap *= 2;
    if (!(t->slot = mem_alloc(sizeof *t->slot * cap)))
        return -1;
    t->mask = cap - 1;
    tkeys_clear(t);
    return 0;
}

/* PIX_TABLE for parameter pi when its ranges' ends are close enough: keys
 * below the lowest end (or above the highest) all fall in the same entries,
 * so one entry stands for them.  Returns the keys in the table, or -1. */
static int64_t table_keys(const hm_program *p, int32_t pi, vm_pindex *x)
{
    const hm_param *pa = &p->params[pi];
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int32_t i = pa->first; i < pa->first + pa->n; i++) {
        const hm_pentry *e = &p->pentries[i];
        if (e->kind != KEY_RANGE)
            continue;
        if (e->lo != INT64_MIN) {
            lo = e->lo < lo ? e->lo : lo;
            hi = e->lo > hi ? e->lo : hi;
        }
        if (e->hi != INT64_MAX) {
            lo = e->hi < lo ? e->hi : lo;
            hi = e->hi > hi ? e->hi : hi;
        }
    }
    if (lo > hi) {      /* no end but infinite ones: every key alike */
        lo = 0;
        hi = -1;
    }
    uint64_t n = (uint64_t)hi - (uint64_t)lo + 1;
    if (n > PIX_TABLE_MAX)
        return -1;
    x->kind = PIX_TABLE;
    x->lo = lo;
    x->n = (int32_t)n;
    x->below = lo > INT64_MIN ? scan_entry(p, pi, lo - 1, NULL) : -1;
    x->above = hi < INT64_MAX ? scan_entry(p, pi, hi + 1, NULL) : -1;
    return (int64_t)n;
}

/* How each keyed parameter finds its entries (vm_pindex), and the
 * program strings among the text keys.  0, or -1 when out of memory. */
static int set_pindex(hm_vm *vm)
{
    const hm_program *p = vm->p;
    int32_t ntext = 0;
    int64_t ncells = 0;
    for (int32_t pi = 0; pi < p->nparams; pi++) {
        const hm_param *pa = &p->params[pi];
        vm_pindex *x = &vm->pix[pi];
        *x = (vm_pindex){ .kind = PIX_SCAN, .dflt = -1, .below = -1, .above = -1 };
        if (!pa->keyed)
            continue;
        if (pa->keytype != VT_TEXT) {
            int64_t n = table_keys(p, pi, x);
            if (n >= 0) {
                x->first = (int32_t)ncells;
                ncells += n;
            }
            continue;
        }
        int32_t texts = 0, ranges = 0;
        for (int32_t i = pa->first; i < pa->first + pa->n; i++) {
            texts += p->pentries[i].kind == KEY_TEXT;
            ranges += p->pentries[i].kind == KEY_RANGE;
        }
        if (ranges || !texts)
            continue;   /* a number among text keys (a hand-made pack), or a default alone */
        x->kind = PIX_TEXT;
        x->dflt = scan_entry(p, pi, 0, NULL);
        ntext += texts;
    }
    if (!(vm->ptable = mem_alloc(sizeof *vm->ptable * ((size_t)ncells + 1))))
        return -1;
    for (int32_t pi = 0; pi < p->nparams; pi++) {
        const vm_pindex *x = &vm->pix[pi];
        for (int32_t k = 0; x->kind == PIX_TABLE && k < x->n; k++)
            vm->ptable[x->first + k] = scan_entry(p, pi, (int64_t)((uint64_t)x->lo + (uint64_t)k), NULL);
    }
    if (!ntext)
        return 0;
    if (tkeys_init(&vm->skeys, ntext) < 0 || tkeys_init(&vm->fkeys, ntext) < 0)
        return -1;
    /* the keys' texts, each under the first string id written so */
    uint32_t mask = vm->skeys.mask;
    int32_t *seen = mem_alloc(sizeof *seen * (mask + 1));
    if (!seen)
        return -1;
    for (uint32_t k = 0; k <= mask; k++)
        seen[k] = -1;
    for (int32_t pi = 0; pi < p->nparams; pi++) {
        const hm_param *pa = &p->params[pi];
        for (int32_t i = pa->first; vm->pix[pi].kind == PIX_TEXT && i < pa->first + pa->n; i++) {
            if (p->pentries[i].kind != KEY_TEXT)
                continue;
            const char *t = prog_str(p, p->pentries[i].text);
            uint32_t k = facts_text_hash(t) & mask;
            while (seen[k] >= 0 && strcmp(prog_str(p, seen[k]), t) != 0)
                k = (k + 1) & mask;
            if (seen[k] < 0)
                seen[k] = p->pentries[i].text;
            tkey_add(&vm->skeys, pi, seen[k], i);
        }
    }
    /* a compiled pack has each string once; a hand-made one may not */
    int rc = 0;
    for (int32_t i = 0; i < p->nstrs && rc == 0; i++) {
        const char *t = prog_str(p, i);
        uint32_t k = facts_text_hash(t) & mask;
        while (seen[k] >= 0 && strcmp(prog_str(p, seen[k]), t) != 0)
            k = (k + 1) & mask;
        if (seen[k] < 0 || seen[k] == i)
            continue;
        if (!vm->scanon && (vm->scanon = mem_alloc(sizeof *vm->scanon * (size_t)p->nstrs)))
            for (int32_t j = 0; j < p->nstrs; j++)
                vm->scanon[j] = j;
        if (vm->scanon)
            vm->scanon[i] = seen[k];
        else
            rc = -1;
    }
    mem_free(seen);
    return rc;
}

/* The facts' ids of the PIX_TEXT keys (vm_bind): a text the facts do not
 * have is no fact's value. */
static void bind_text_keys(hm_vm *vm)
{
    const hm_program *p = vm->p;
    const hm_facts *f = vm->facts;
    vm->bound_texts = f ? f->ntexts : 0;
    tkeys_clear(&vm->fkeys);
    for (int32_t pi = 0; f && vm->fkeys.slot && pi < p->nparams; pi++) {
        const hm_param *pa = &p->params[pi];
        for (int32_t i = pa->first; vm->pix[pi].kind == PIX_TEXT && i < pa->first + pa->n; i++) {
            int64_t id = p->pentries[i].kind == KEY_TEXT ? facts_text_find(f, prog_str(p, p->pentries[i].text)) : 0;
            if (id)
                tkey_add(&vm->fkeys, pi, id, i);
        }
    }
}

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
    vm->nregs_one = vm->nregs;
    vm->regs = mem_calloc(vm->nregs, sizeof *vm->regs);
    vm->calls = mem_calloc(CALLMEMO_SIZE, sizeof *vm->calls);
    /* ... and the frames, as every function has a register */
    vm->frames = mem_alloc(sizeof *vm->frames * vm->nregs);
    vm->letrun = mem_calloc((size_t)p->nlets + 1, sizeof *vm->letrun);
    vm->let_same = mem_alloc(sizeof *vm->let_same * ((size_t)p->nlets + 1));
    vm->cond_same = mem_alloc(sizeof *vm->cond_same * ((size_t)p->nconds + 1));
    vm->pval = mem_calloc((size_t)p->nparams + 1, sizeof *vm->pval);
    vm->peval = mem_calloc((size_t)p->npentries + 1, sizeof *vm->peval);
    vm->pkeys = mem_calloc((size_t)p->nparams + 1, sizeof *vm->pkeys);
    vm->pix = mem_calloc((size_t)p->nparams + 1, sizeof *vm->pix);
    vm->slots = 0;
    vm->self = -1;
    vm->members = -1;
    vm->claims_hh = -1;
    /* the lists whose records claim policies decide */
    vm->claim_cols = mem_alloc(sizeof *vm->claim_cols * ((size_t)p->npolicies + 1));
    for (int32_t i = 0; vm->claim_cols && i < p->npolicies; i++) {
        if (p->policies[i].entity != ENT_CLAIM)
            continue;
        int32_t col = p->fields[p->policies[i].claims].column, k = 0;
        while (k < vm->nclaim_cols && vm->claim_cols[k] != col)
            k++;
        if (k == vm->nclaim_cols)
            vm->claim_cols[vm->nclaim_cols++] = col;
    }
    if (!vm->regs || !vm->calls || !vm->frames || !vm->letrun || !vm->let_same || !vm->cond_same ||
        !vm->pval || !vm->peval || !vm->pkeys || !vm->pix || !vm->claim_cols || set_pindex(vm) < 0) {
        vm_free(vm);
        return NULL;
    }
    find_same_lets(vm);
    find_same_conds(vm);
    set_letrun(vm);
    return vm;
}

void vm_free(hm_vm *vm)
{
    if (!vm)
        return;
    mem_free(vm->regs);
    mem_free(vm->calls);
    mem_free(vm->frames);
    mem_free(vm->letrun);
    mem_free(vm->let_same);
    mem_free(vm->cond_same);
    mem_free(vm->claim_cols);
    mem_free(vm->mclaims);
    mem_free(vm->conds);
    mem_free(vm->pval);
    mem_free(vm->peval);
    mem_free(vm->pkeys);
    mem_free(vm->pix);
    mem_free(vm->ptable);
    mem_free(vm->skeys.slot);
    mem_free(vm->fkeys.slot);
    mem_free(vm->scanon);
    mem_free(vm->lets);
    mem_free(vm->pols);
    mem_free(vm->lists);
    mem_free(vm->pool);
    vm_free(vm->probe);
    for (int32_t i = 0; i < vm->nmonths; i++)
        vm_free(vm->months[i].vm);
    mem_free(vm->months);
    mem_free(vm);
}

/* The value of the dated values first … first+n-1 as of a date: the last
 * one in force (they are in date order), unknown when none is or when it
 * says that the parameter has none from its date on. */
static hm_val dated_value(const hm_program *p, int32_t first, int32_t n, int32_t as_of)
{
    hm_val r = { 0, UNK_MISSING, 0 };
    for (int32_t i = 0; i < n; i++) {
        const hm_dated *d = &p->dated[first + i];
        if (d->from <= as_of) {
            r.v = d->none ? 0 : d->value;
            r.unk = d->none ? UNK_MISSING : 0;
        }
    }
    return r;
}

void vm_bind(hm_vm *vm, const hm_facts *facts, int32_t as_of)
{
    const hm_program *p = vm->p;
    vm->facts = facts;
    vm->claims_hh = -1;
    vm->as_of = as_of;
    vm->as_of_month = cal_start_of_month(as_of);
    vm->win_hi = cal_add_days(vm->as_of_month, -1);
    vm->win_months = INT64_MIN;
    cal_ages_init(&vm->ages, as_of);
    /* text keys are ids into these facts' texts: lookups start over, and
     * the probe's too (it is bound again when it next settles) */
    memset(vm->pkeys, 0, sizeof *vm->pkeys * ((size_t)p->nparams + 1));
    bind_text_keys(vm);
    if (vm->probe)
        vm->probe->facts = NULL;
    for (int32_t i = 0; i < vm->nmonths; i++)
        vm->months[i].bound = 0;
    /* the as-of date is fixed for a run: look every dated value up once
     * (PARAM of a keyed parameter, which the compiler never emits, is unknown) */
    for (int32_t i = 0; i < p->nparams; i++)
        vm->pval[i] = p->params[i].keyed ? (hm_val){ 0, UNK_MISSING, 0 }
                                         : dated_value(p, p->params[i].first, p->params[i].n, as_of);
    for (int32_t i = 0; i < p->npentries; i++)
        vm->peval[i] = dated_value(p, p->pentries[i].first, p->pentries[i].n, as_of);
}

static int ensure_slots(hm_vm *vm, int32_t need)
{
    if (need <= vm->slots)
        return 0;
    int32_t slots = need < 8 ? 8 : need;
    const hm_program *p = vm->p;
    memo_let *l = mem_calloc((size_t)p->nlets * (size_t)slots + 1, sizeof *l);
    memo_pol *q = mem_calloc((size_t)p->npolicies * (size_t)slots + 1, sizeof *q);
    memo_let *c = mem_calloc((size_t)p->nconds * (size_t)slots + 1, sizeof *c);
    if (!l || !q || !c) {
        mem_free(l);
        mem_free(q);
        mem_free(c);
        return -1;
    }
    uint32_t *mc = mem_calloc((size_t)slots + 1, sizeof *mc);
    if (!mc) {
        mem_free(l);
        mem_free(q);
        mem_free(c);
        return -1;
    }
    mem_free(vm->mclaims);
    vm->mclaims = mc;
    mem_free(vm->lets);
    mem_free(vm->pols);
    mem_free(vm->conds);
    vm->lets = l;
    vm->pols = q;
    vm->conds = c;
    vm->slots = slots;
    set_letrun(vm);
    vm->gen = 0;
    memset(vm->calls, 0, sizeof *vm->calls * CALLMEMO_SIZE);
    return 0;
}

int vm_begin_household(hm_vm *vm, int32_t hh)
{
    const hm_facts *f = vm->facts;
    vm->hh = hh;
    vm->first = f->hh_first[hh];
    vm->nmem = f->hh_count[hh];
    /* a slot for each claim of the household, after the members' (counted
     * once: settling begins the same household again and again) */
    if (vm->nclaim_cols && hh != vm->claims_hh) {
        vm->nclaims = 0;
        for (int32_t c = 0; c < vm->nclaim_cols; c++) {
            const hm_rcolumn *rc = &f->rcol[vm->claim_cols[c]];
            int32_t n = 0;
            for (int32_t m = 0; m < vm->nmem; m++)
                n += rc->count[vm->first + m];
            if (n > vm->nclaims)
                vm->nclaims = n;
        }
        vm->claims_hh = hh;
    }
    int32_t nclaims = vm->nclaims;
    if (ensure_slots(vm, vm->nmem + 1 + nclaims) < 0)
        return -1;
    /* a claim's decision may read earlier claims' while it runs: every
     * function at most once more for each claim */
    size_t need = vm->nregs_one * ((size_t)nclaims + 1);
    if (need > vm->nregs) {
        hm_val *r = mem_calloc(need, sizeof *r);
        vm_frame *fr = r ? mem_alloc(sizeof *fr * need) : NULL;
        if (!fr) {
            mem_free(r);
            return -1;
        }
        mem_free(vm->regs);
        mem_free(vm->frames);
        vm->regs = r;
        vm->frames = fr;
        vm->nregs = need;
    }
    if (++vm->gen == 0) {
        /* the generation counter wrapped: forget everything explicitly */
        memset(vm->lets, 0, sizeof *vm->lets * (size_t)vm->p->nlets * (size_t)vm->slots);
        memset(vm->pols, 0, sizeof *vm->pols * (size_t)vm->p->npolicies * (size_t)vm->slots);
        memset(vm->conds, 0, sizeof *vm->conds * (size_t)vm->p->nconds * (size_t)vm->slots);
        memset(vm->calls, 0, sizeof *vm->calls * CALLMEMO_SIZE);
        memset(vm->mclaims, 0, sizeof *vm->mclaims * (size_t)vm->slots);
        vm->gen = 1;
    }
    vm->nlists = 0;
    vm->npool = 0;
    vm->members = -1;
    vm->self = -1;
    vm->slot = 0;
    vm->claim_row = vm->claim_pol = -1;
    vm->claim_depth = 0;
    vm->msg_member = vm->msg_row = vm->msg_pol = -1;
    vm->msg_slot = 0;
    vm->frame = -1;
    vm->err[0] = '\0';
    vm->err_extern = 0;
    vm->nassume = 0;
    vm->trying = 0;
    return 0;
}

const char *vm_error(const hm_vm *vm) { return vm->err; }

void vm_set_coverage(hm_vm *vm, uint8_t *cover) { vm->cover = cover; }

void vm_set_settle(hm_vm *vm, int on) { vm->no_settle = !on; }

static void set_error(hm_vm *vm, int32_t fn, const char *what)
{
    if (vm->err[0])
        return;
    snprintf(vm->err, sizeof vm->err, "%s in %s", what, prog_str(vm->p, vm->p->fns[fn].name));
}

/* A month's decision was undetermined by an error: its message, and the
 * month (error path only). */
static void month_error(hm_vm *vm, int32_t fn, int32_t day)
{
    if (vm->err[0])
        return;
    int32_t y, m, d;
    cal_to_ymd(day, &y, &m, &d);
    char what[sizeof vm->err];
    snprintf(what, sizeof what, "%.200s, for the month of %04d-%02d", vm_error_on(vm, day), (int)y, (int)m);
    set_error(vm, fn, what);
}

/* date(y, m, d) of numbers that are not a date: which numbers (error
 * path only: the formatting costs nothing when dates are fine). */
static void set_date_error(hm_vm *vm, int32_t fn, int64_t y, int64_t m, int64_t d)
{
    char what[128];
    snprintf(what, sizeof what, "date(%" PRId64 ", %" PRId64 ", %" PRId64 ") is not a date", y, m, d);
    set_error(vm, fn, what);
}

/* Extern function xi returned HM_EXTERN_ERROR: said as such, not as an
 * arithmetic error. */
static void set_extern_error(hm_vm *vm, int32_t fn, int32_t xi)
{
    if (vm->err[0])
        return;
    const hm_extern *x = &vm->p->externs[xi];
    char what[160];
    snprintf(what, sizeof what, "extern function %s%s%s%s returned an error", prog_str(vm->p, x->name),
             x->source >= 0 ? " (source " : "", x->source >= 0 ? prog_str(vm->p, x->source) : "",
             x->source >= 0 ? ")" : "");
    set_error(vm, fn, what);
    vm->err_extern = 2 + xi;
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
    l->items = vm->pool ? vm->pool + vm->npool : NULL;  /* no pool yet: an empty list */
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

/* v / 12 rounded half away from zero (MONTHLY): div_round's answer,
 * without its 128-bit division */
static int64_t div12_round(int64_t v)
{
    int64_t q = v / 12, r = v % 12;
    return q + (r >= 6) - (r <= -6);
}

static int64_t pow10_i(int n)
{
    int64_t v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

/* ---- tracing ---------------------------------------------------------------------- */

void vm_set_trace(hm_vm *vm, vm_trace *t)
{
    vm->trace = t;
    vm->frame = -1;
}

static void trace_push(hm_vm *vm, vm_event e)
{
    vm_trace *t = vm->trace;
    if (t->oom)
        return;
    if (t->n == t->cap) {
        size_t c = t->cap ? t->cap * 2 : 1024;
        vm_event *ev = mem_realloc(t->ev, c * sizeof *ev);
        if (!ev) {
            t->oom = 1;     /* the trace is incomplete; the decision is not affected */
            return;
        }
        t->ev = ev;
        t->cap = c;
    }
    t->ev[t->n++] = e;
}

/* A function starts: a new frame.  Returns the caller's frame. */
static int32_t trace_enter(hm_vm *vm, int32_t fn, const hm_val *args)
{
    int32_t caller = vm->frame;
    vm->frame = vm->trace->nframes++;
    trace_push(vm, (vm_event){ .kind = EV_ENTER, .frame = vm->frame, .a = fn, .b = caller, .self = vm->self, .claim = vm->claim_row });
    /* the arguments: instructions may read a parameter where it is */
    for (int k = 0; k < vm->p->fns[fn].nparams; k++)
        trace_push(vm, (vm_event){ .kind = EV_ARG, .frame = vm->frame, .a = k, .b = -1, .self = vm->self, .claim = vm->claim_row, .v = args[k] });
    return caller;
}

static void trace_instr(hm_vm *vm, uint32_t pc, hm_val v)
{
    trace_push(vm, (vm_event){ .kind = EV_INSTR, .frame = vm->frame, .a = (int32_t)pc, .b = -1, .self = vm->self, .claim = vm->claim_row, .v = v });
}

/* ---- decisions (defined below) --------------------------------------------------- */

static const hm_decision *decide(hm_vm *vm, int32_t pol, int32_t member);
static const hm_decision *month_decide(hm_vm *vm, int32_t pol, int32_t member, int32_t day);
static const hm_decision *decide_claim(hm_vm *vm, int32_t pol, int64_t row);
static int claim_of_row(const hm_vm *vm, int32_t pol, int64_t row, int32_t *member, int32_t *slot);
static void decide_member_claims(hm_vm *vm, int32_t member);
static const hm_decision no_claim = { .status = DEC_UNDETERMINED, .error = 1, .failed_cond = -1,
                                      .excluded_by = -1, .exception = -1 };

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

static VM_INLINE hm_val eval_let(hm_vm *vm, int32_t let)
{
    const hm_program *p = vm->p;
    int32_t slot = vm->slot;
    /* a let written the same way as an earlier one has its value; explain
     * keeps them apart, to show each where it was written */
    if (!vm->trace)
        let = vm->let_same[let];
    memo_let *m = &vm->lets[(size_t)let * (size_t)vm->slots + (size_t)slot];
    if (m->gen == vm->gen && !m->busy)
        return m->v;
    hm_val unk = { 0, UNK_ERROR, 0 };
    if (m->gen == vm->gen && m->busy)
        return unk;     /* cannot happen in a verified program */
    m->gen = vm->gen;
    m->busy = 1;
    const hm_let *l = &p->lets[let];
    hm_val v = run(vm, l->fn, NULL);
    if (l->nexc)
        v = apply_exceptions(vm, v, l->first_exc, l->nexc, NULL);
    m = &vm->lets[(size_t)let * (size_t)vm->slots + (size_t)slot];
    m->v = v;
    m->busy = 0;
    return v;
}

static const char *text_of(const hm_vm *vm, int64_t id)
{
    if (id >= 0)
        return prog_str(vm->p, (int32_t)id);
    int64_t i = -id - 1;
    return i < vm->facts->ntexts ? vm->facts->texts[i] : "";
}

/* The entry of keyed parameter pi that `key` selects (the default when no
 * key matches), or -1: scan_entry's answer, by the parameter's index. */
static VM_INLINE int32_t entry_of(const hm_vm *vm, int32_t pi, int64_t key)
{
    const hm_program *p = vm->p;
    const vm_pindex *x = &vm->pix[pi];
    if (x->kind == PIX_TABLE) {
        if (key < x->lo)
            return x->below;
        uint64_t k = (uint64_t)key - (uint64_t)x->lo;
        return k < (uint64_t)x->n ? vm->ptable[x->first + (int32_t)k] : x->above;
    }
    if (x->kind == PIX_TEXT && (key < 0 ? -(key + 1) < vm->bound_texts : key < p->nstrs)) {
        const vm_tkey *k = key < 0 ? tkey_slot(&vm->fkeys, pi, key)
                                   : tkey_slot(&vm->skeys, pi, vm->scanon ? vm->scanon[key] : key);
        return k->param >= 0 ? k->entry : x->dflt;
    }
    /* ranges far apart, or a text the facts gained after vm_bind */
    return scan_entry(p, pi, key, p->params[pi].keytype == VT_TEXT ? text_of(vm, key) : NULL);
}

static hm_val param_key(hm_vm *vm, int32_t pi, hm_val key)
{
    hm_val r = { 0, UNK_MISSING, 0 };
    if (key.unk) {
        r.unk = key.unk;
        return r;
    }
    if (vm->pix[pi].kind != PIX_SCAN) {
        int32_t e = entry_of(vm, pi, key.v);
        return e >= 0 ? vm->peval[e] : r;
    }
    vm_pkey *c = &vm->pkeys[pi];
    if (c->valid && c->key == key.v)
        return c->v;
    int32_t e = entry_of(vm, pi, key.v);
    if (e >= 0)
        r = vm->peval[e];
    c->key = key.v;
    c->v = r;
    c->valid = 1;
    return r;
}

/* Parameter pi as of the date `on` (`P as of D`), looked up by `key` when
 * it is a table.  Not cached: the as-of date's values are (vm_bind). */
static hm_val param_at(hm_vm *vm, int32_t pi, hm_val key, hm_val on)
{
    const hm_program *p = vm->p;
    const hm_param *pa = &p->params[pi];
    hm_val r = { 0, UNK_MISSING, 0 };
    if (on.unk || key.unk) {
        r.unk = on.unk > key.unk ? on.unk : key.unk;
        return r;
    }
    int32_t day = (int32_t)(on.v < INT32_MIN ? INT32_MIN : on.v > INT32_MAX ? INT32_MAX : on.v);
    if (!pa->keyed)
        return dated_value(p, pa->first, pa->n, day);
    int32_t e = entry_of(vm, pi, key.v);
    return e >= 0 ? dated_value(p, p->pentries[e].first, p->pentries[e].n, day) : r;
}

static hm_val table_value(const hm_vm *vm, int32_t pi, const hm_val *keys);

/* Table pi whatever keys[0] is (it is unknown): every key selects an entry
 * (the table has a `default`) and every entry gives the same value with
 * the keys after, or it is unknown as the key is.  Only while a key is
 * unknown: a walk over the entries below, bounded by the table. */
static hm_val table_any(const hm_vm *vm, int32_t pi, const hm_val *keys)
{
    const hm_program *p = vm->p;
    const hm_param *pa = &p->params[pi];
    hm_val r = *keys, first = *keys;
    int dflt = 0;
    for (int32_t i = 0; i < pa->n; i++)
        dflt |= p->pentries[pa->first + i].kind == KEY_DEFAULT;
    if (!dflt)
        return r;
    for (int32_t i = 0; i < pa->n; i++) {
        hm_val v = vm->peval[pa->first + i];
        if (!v.unk && pa->keyed > 1)
            v = table_value(vm, (int32_t)v.v, keys + 1);
        if (v.unk || (i > 0 && v.v != first.v))
            return r;
        first = v;
    }
    return first;
}

/* Table pi looked up by keys, without the lookup cache (for explain and
 * the unknown keys). */
static hm_val table_value(const hm_vm *vm, int32_t pi, const hm_val *keys)
{
    for (;;) {
        if (keys->unk)
            return table_any(vm, pi, keys);
        int32_t e = entry_of(vm, pi, keys->v);
        if (e < 0)
            return (hm_val){ 0, UNK_MISSING, 0 };
        hm_val v = vm->peval[e];
        if (v.unk || vm->p->params[pi].keyed <= 1)
            return v;
        pi = (int32_t)v.v;
        keys++;
    }
}

/* A table with several keys: each key's table gives the next key's (its
 * entries' values are parameter numbers, which the verifier checked), the
 * last the value.  A key that is unknown leaves the value unknown unless
 * it does not matter (table_any). */
static hm_val param_keys(hm_vm *vm, int32_t pi, const hm_val *keys)
{
    for (;;) {
        if (keys->unk)
            return table_any(vm, pi, keys);
        hm_val v = param_key(vm, pi, *keys++);
        if (v.unk || vm->p->params[pi].keyed <= 1)
            return v;
        pi = (int32_t)v.v;
    }
}

int vm_scale_band(const hm_vm *vm, int32_t si, int64_t x, hm_scaleband *out)
{
    const hm_program *p = vm->p;
    const hm_scale *sc = &p->scales[si];
    const hm_scalever *v = NULL;
    for (int32_t k = 0; k < sc->n && p->scalevers[sc->first + k].from <= vm->as_of; k++)
        v = &p->scalevers[sc->first + k];
    if (!v)
        return SCALE_UNKNOWN;
    /* the tax and the quick deduction exactly, in fen times millionths:
     * the part of x in each band at its rate; the quick deduction of a
     * band is the one before plus its lower limit times the rate's rise */
    __int128 total = 0, quick = 0;
    int64_t lower = 0, prev_rate = 0;
    for (int32_t i = 0; i < v->n; i++) {
        const hm_scalerow *r = &p->rows[v->first + i];
        int64_t rate = r->rate;
        if (rate < 0) {
            hm_val pv = vm->pval[-(rate + 1)];
            if (pv.unk)
                return SCALE_UNKNOWN;
            rate = pv.v;
            if (rate < 0 || rate > 1000000)
                return SCALE_BADRATE;
        }
        if (i > 0)
            quick += (__int128)lower * (rate - prev_rate);
        prev_rate = rate;
        if (x > lower)
            total += (__int128)((x < r->upper ? x : r->upper) - lower) * rate;
        if (x <= r->upper || i == v->n - 1) {
            *out = (hm_scaleband){ .band = i + 1, .from = v->from, .row = v->first + i, .lower = lower,
                                   .upper = r->upper, .rate = rate };
            if (div_round(quick, 1000000, &out->quick) < 0 || div_round(total, 1000000, &out->tax) < 0)
                return SCALE_OVERFLOW;
            return SCALE_OK;
        }
        lower = r->upper;
    }
    return SCALE_UNKNOWN;   /* no rows: the verifier refuses it */
}

/* ---- the interpreter loop -------------------------------------------------------- */

#define RA (base[GETARG_A(i)])
#define RB (base[GETARG_B(i)])
#define RC (base[GETARG_C(i)])
/* an index operand (a constant, field, parameter, ... of the pack): at its
 * field's maximum, the index is the EXTRAARG's after it, which this takes */
#define IDX_BX() (GETARG_Bx(i) != MAXARG_BX ? GETARG_Bx(i) : GETARG_Ax(code[pc++]))
#define IDX_C() (GETARG_C(i) != MAXARG_C ? GETARG_C(i) : GETARG_Ax(code[pc++]))
#define UNK2(x, y) ((x).unk > (y).unk ? (x).unk : (y).unk)
#define SET(r, val) do { (r).v = (val); (r).unk = 0; } while (0)
/* an unknown operand makes the result unknown: leaves the opcode's case */
#define BINARY_UNK() if (RB.unk || RC.unk) { int u_ = UNK2(RB, RC); RA.v = 0; RA.unk = u_; VM_NEXT; }
/* list handles are values: a verified program only makes valid ones, but
 * they are checked anyway before they index anything */
#define LIST_OK(r) (!(r).unk && (r).v >= 0 && (r).v < vm->nlists)
#define FAIL(what) do { set_error(vm, fn, what); RA.unk = UNK_ERROR; RA.v = 0; } while (0)

/* An unknown fact: unknown, unless settle assumed a value for it. */
static hm_val unknown_fact(const hm_vm *vm, const hm_column *c, int64_t row)
{
    hm_val r = { 0, UNK_MISSING, 0 };
    for (int k = 0; k < vm->nassume; k++)
        if (vm->assume[k].col == c && vm->assume[k].row == row) {
            r.v = vm->assume[k].v;
            r.unk = 0;
            break;
        }
    return r;
}

/* Fact `column` of person row `who` (PFACT, SFACT). */
static inline hm_val person_fact(const hm_vm *vm, const hm_facts *facts, int column, int64_t who)
{
    const hm_column *c = &facts->pcol[column];
    hm_val r = { 0, UNK_MISSING, 0 };
    if (c->state[who] == FACT_KNOWN) {
        r.v = c->v[who];
        r.unk = 0;
    } else if (vm->nassume) {
        r = unknown_fact(vm, c, who);
    }
    return r;
}

/* The memo entry for a call of function F (number fn) with args, when F
 * is long enough to be worth remembering, else -1; *hit is 1 when the
 * entry holds the value.  A call still running holds its entry: a call
 * meeting it is not remembered. */
static VM_INLINE int32_t call_slot(hm_vm *vm, const hm_function *F, int32_t fn, const hm_val *args, int *hit)
{
    *hit = 0;
    if (F->nparams > CALLMEMO_ARGS || F->ncode < 8)
        return -1;
    uint64_t h = (uint64_t)fn * 0x9e3779b97f4a7c15u ^ (uint64_t)(uint32_t)vm->self;
    for (int a = 0; a < F->nparams; a++)
        h = (h ^ (uint64_t)args[a].v ^ ((uint64_t)args[a].unk << 60)) * 0x100000001b3u;
    int32_t k = (int32_t)((h ^ h >> 29) & (CALLMEMO_SIZE - 1));
    const memo_call *m = &vm->calls[k];
    if (m->gen != vm->gen)
        return k;
    if (m->busy)
        return -1;
    if (m->fn == fn && m->self == vm->self) {
        int a = 0;
        while (a < F->nparams && m->args[a].v == args[a].v && m->args[a].unk == args[a].unk)
            a++;
        *hit = a == F->nparams;
    }
    return k;
}

#define VM_TRACED 0
#define VM_RUN run_plain
#include "vm_run.h"
#undef VM_TRACED
#undef VM_RUN

#define VM_TRACED 1
#define VM_RUN run_traced
#include "vm_run.h"
#undef VM_TRACED
#undef VM_RUN

#define VM_TRACE_DEPTH 2000    /* the message below says it */

/* Tracing costs one test per function call, none per instruction.  Traced,
 * each call is a call of run_traced: past VM_TRACE_DEPTH of them nested, the
 * value is an error rather than the end of the C stack (a plain run keeps
 * its calls in frames and has no such limit). */
static hm_val run(hm_vm *vm, int32_t fn, const hm_val *args)
{
    if (!vm->trace)
        return run_plain(vm, fn, args);
    if (vm->trace_depth >= VM_TRACE_DEPTH) {
        set_error(vm, fn, "calls nested more than 2000 deep (too deep to explain)");
        return (hm_val){ 0, UNK_ERROR, 0 };
    }
    vm->trace_depth++;
    hm_val r = run_traced(vm, fn, args);
    vm->trace_depth--;
    return r;
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
        /* decided: the other conditions cannot change it.  Explain and
         * coverage still want every condition evaluated. */
        if (acc == (all ? 0 : 1) && !vm->trace && !vm->cover)
            break;
    }
    if (acc == 0 && *failed < 0)
        *failed = all ? first_failed : node;
    return acc;
}

/* The value of condition leaf `node`, remembered when it is written more
 * than once (find_same_conds). */
static VM_INLINE hm_val leaf_plain(hm_vm *vm, int32_t node)
{
    int32_t c = vm->cond_same[node];
    if (c < 0)
        return run_plain(vm, vm->p->conds[node].fn, NULL);
    memo_let *m = &vm->conds[(size_t)c * (size_t)vm->slots + (size_t)vm->slot];
    if (m->gen == vm->gen)
        return m->v;
    hm_val v = run_plain(vm, vm->p->conds[c].fn, NULL);
    m->gen = vm->gen;
    m->v = v;
    return v;
}

/* eval_cond without explain or coverage, the batch run's path: a leaf is
 * run from the loop of its group rather than through a call of its own,
 * and every group stops at the condition that decides it. */
static int eval_cond_plain(hm_vm *vm, int32_t node, int32_t *failed, int *error)
{
    const hm_condnode *conds = vm->p->conds, *c = &conds[node];
    if (c->kind == CN_COND) {
        hm_val v = leaf_plain(vm, node);
        *error |= v.unk == UNK_ERROR;
        if (!v.unk && !v.v && *failed < 0)
            *failed = node;
        return v.unk ? -1 : v.v != 0;
    }
    int all = c->kind == CN_ALL;
    int acc = all;
    int32_t kid = node + 1;
    for (int32_t k = 0; k < c->nkids; k++, kid += conds[kid].size) {
        int32_t f = kid;
        int t;
        if (conds[kid].kind == CN_COND) {
            hm_val v = leaf_plain(vm, kid);
            *error |= v.unk == UNK_ERROR;
            t = v.unk ? -1 : v.v != 0;
        } else {
            f = -1;
            t = eval_cond_plain(vm, kid, &f, error);
        }
        if (t == !all) {
            /* all: this one failed; any: this one holds */
            if (all && *failed < 0)
                *failed = f >= 0 ? f : kid;
            return !all;
        }
        if (t < 0)
            acc = -1;
    }
    if (acc == 0 && *failed < 0)
        *failed = node;     /* any: none held */
    return acc;
}

/* The memo's decision, written field by field: a decision assembled on
 * the stack and copied whole makes the processor wait for the copy to
 * read back stores of other sizes (store forwarding fails). */
static void put_decision(hm_decision *d, int status, int error, int64_t amount, int has_amount,
                         int32_t failed_cond, int32_t excluded_by, int32_t exception)
{
    d->status = status;
    d->error = error;
    d->amount = amount;
    d->has_amount = has_amount;
    d->failed_cond = failed_cond;
    d->excluded_by = excluded_by;
    d->exception = exception;
    d->settled = 0;
}

static const hm_decision *decide(hm_vm *vm, int32_t pol, int32_t member);

/* ---- settling ------------------------------------------------------------------ */

int32_t vm_fact_values(const hm_program *p, const hm_field *fd)
{
    if (fd->records)
        return 0;
    if (fd->vtype == VT_BOOL)
        return 2;
    if (fd->vtype == VT_CODE && fd->codeset >= 0 && fd->codeset < p->ncodesets)
        return p->codesets[fd->codeset].nlabels;
    return 0;
}

/* Is the fact at (c, row) one of the values assumed? */
static int assumed(const hm_vm *vm, const hm_column *c, int64_t row)
{
    for (int k = 0; k < vm->nassume; k++)
        if (vm->assume[k].col == c && vm->assume[k].row == row)
            return 1;
    return 0;
}

/* Decide pol for member of household hh (and, for a claim policy, the
 * member's claim `claim`, 0-based; else -1) as if the n facts of `given` had
 * those values: each stands in for its fact where the store does not know
 * it (unknown_fact), until the next household.  `trying`: one of settle's
 * combinations, which is not settled again. */
static const hm_decision *decide_assuming(hm_vm *vm, int32_t hh, int32_t pol, int32_t member, int32_t claim,
                                          const vm_fact_value *given, int n, int trying)
{
    if (vm_begin_household(vm, hh) < 0)
        return NULL;
    const hm_program *p = vm->p;
    const hm_facts *f = vm->facts;
    for (int k = 0; k < n; k++) {
        const hm_field *fd = &p->fields[given[k].field];
        int household = fd->entity == ENT_HOUSEHOLD;
        vm->assume[k] = (vm_assume){ household ? &f->hcol[fd->column] : &f->pcol[fd->column],
                                     household ? hh : (int64_t)vm->first + given[k].member, given[k].v, given[k] };
    }
    vm->nassume = n;
    vm->trying = trying;
    if (claim < 0)
        return decide(vm, pol, member);
    /* the person's claims in their order, as vm_decide_claim decides them */
    return vm_decide_claim(vm, pol, member, claim);
}

const hm_decision *vm_decide_assuming(hm_vm *vm, int32_t household, int32_t policy, int32_t member,
                                      const vm_fact_value *given, int n)
{
    if (n < 0 || n > VM_ASSUME_MAX)
        return NULL;
    return decide_assuming(vm, household, policy, member, -1, given, n, 0);
}

const hm_decision *vm_decide_claim_assuming(hm_vm *vm, int32_t household, int32_t policy, int32_t member,
                                            int32_t claim, const vm_fact_value *given, int n)
{
    if (n < 0 || n > VM_ASSUME_MAX || claim < 0)
        return NULL;
    return decide_assuming(vm, household, policy, member, claim, given, n, 0);
}

/* A decision left undetermined by unknown yes/no or code facts may come out
 * the same whatever their values: "eligible whatever the value of
 * person.deceased" is not undetermined at all.  Decide the policy again
 * under every combination of their values, in the probe VM (this VM's
 * memos and trace stay as they are), with the values this VM assumes
 * already (a claim policy: the same claim, `claim_row` its records row,
 * else -1); when every one gives the same status, and the same amount, that
 * is the decision.  Numbers and dates are not tried (they stay unknown in
 * every combination), nor more than SETTLE_FACTS facts or SETTLE_TRIES
 * combinations.  Only undetermined decisions come here: the cost is
 * theirs. */
static void settle(hm_vm *vm, int32_t pol, int32_t member, int32_t claim_row, hm_decision *d)
{
    const hm_program *p = vm->p;
    const hm_policy *P = &p->policies[pol];
    const hm_facts *f = vm->facts;
    if (!vm->probe && !(vm->probe = vm_new(p)))
        return;     /* out of memory: it stays undetermined */
    hm_vm *probe = vm->probe;
    if (probe->facts != f || probe->as_of != vm->as_of)
        vm_bind(probe, f, vm->as_of);
    probe->externs = vm->externs;
    /* the values assumed already, then the facts to try */
    vm_fact_value tried[ASSUME_MAX];
    int32_t nvals[ASSUME_MAX];
    int nfixed = vm->nassume, n = nfixed;
    for (int k = 0; k < nfixed; k++)
        tried[k] = vm->assume[k].as;
    int64_t tries = 1;
    for (int32_t k = 0; k < P->nfacts; k++) {
        int32_t field = p->ints[P->first_fact + k];
        const hm_field *fd = &p->fields[field];
        int32_t nv = vm_fact_values(p, fd);
        if (nv <= 0)
            continue;
        int household = fd->entity == ENT_HOUSEHOLD;
        const hm_column *c = household ? &f->hcol[fd->column] : &f->pcol[fd->column];
        for (int32_t m = household ? -1 : 0; m < (household ? 0 : vm->nmem); m++) {
            int64_t row = household ? vm->hh : (int64_t)vm->first + m;
            if (c->state[row] == FACT_KNOWN || assumed(vm, c, row))
                continue;
            if (n - nfixed == SETTLE_FACTS || tries * nv > SETTLE_TRIES)
                return;
            nvals[n] = nv;
            tried[n++] = (vm_fact_value){ field, m, 0 };
            tries *= nv;
        }
    }
    /* a claim: its position in the member's list */
    int32_t claim = claim_row < 0 ? -1 : claim_row - f->rcol[p->fields[P->claims].column].first[vm->first + member];
    int nv = n - nfixed;
    hm_decision first;
    memset(&first, 0, sizeof first);
    for (int64_t t = 0; t < tries && nv; t++) {
        int64_t rest = t;
        for (int k = nfixed; k < n; k++) {
            tried[k].v = rest % nvals[k];
            rest /= nvals[k];
        }
        const hm_decision *e = decide_assuming(probe, vm->hh, pol, member, claim, tried, n, 1);
        if (!e || e->status == DEC_UNDETERMINED ||
            (t > 0 && (e->status != first.status || e->has_amount != first.has_amount ||
                       (e->has_amount && e->amount != first.amount))))
            nv = 0;
        else if (t == 0)
            first = *e;
        else if (e->failed_cond != first.failed_cond || e->excluded_by != first.excluded_by ||
                 e->exception != first.exception)
            first.failed_cond = first.excluded_by = first.exception = -1;   /* no one reason */
    }
    if (!nv)
        return;
    *d = first;
    d->settled = nv;
}

static const hm_decision *decide_in(hm_vm *vm, int32_t pol, int32_t member, int32_t slot, int32_t row);

static const hm_decision *decide(hm_vm *vm, int32_t pol, int32_t member)
{
    const hm_policy *P = &vm->p->policies[pol];
    if (P->entity == ENT_HOUSEHOLD)
        member = -1;
    if (P->entity == ENT_CLAIM)
        return &no_claim;   /* a claim policy is decided for a claim (decide_claim) */
    return decide_in(vm, pol, member, member + 1, -1);
}

/* The member whose list of claims of policy pol holds row, and the claim's
 * memo slot: after the members', the household's claims one after another. */
static int claim_of_row(const hm_vm *vm, int32_t pol, int64_t row, int32_t *member, int32_t *slot)
{
    const hm_program *p = vm->p;
    const hm_rcolumn *rc = &vm->facts->rcol[p->fields[p->policies[pol].claims].column];
    int32_t before = 0;
    for (int32_t m = 0; m < vm->nmem; m++) {
        int32_t who = vm->first + m, first = rc->first[who], n = rc->count[who];
        if (row >= first && row < (int64_t)first + n) {
            *member = m;
            *slot = 1 + vm->nmem + before + (int32_t)(row - first);
            return 0;
        }
        before += n;
    }
    return -1;
}

/* Claim policy pol for the claim in records row `row`. */
/* Claims that read claims that read claims …: each a level of the C
 * stack.  Deciding a person's claims in their order (decide_member_claims)
 * keeps it to a few; past this, the decision is an error, never a crash. */
#define CLAIM_DEPTH_MAX 1000

static const hm_decision *decide_claim(hm_vm *vm, int32_t pol, int64_t row)
{
    static const hm_decision too_deep = { .status = DEC_UNDETERMINED, .error = 1, .failed_cond = -1,
                                          .excluded_by = -1, .exception = -1 };
    int32_t member, slot;
    if (vm->p->policies[pol].entity != ENT_CLAIM || claim_of_row(vm, pol, row, &member, &slot) < 0 ||
        slot >= vm->slots)
        return &no_claim;
    if (vm->claim_depth >= CLAIM_DEPTH_MAX) {
        snprintf(vm->err, sizeof vm->err, "claims read each other more than %d deep", CLAIM_DEPTH_MAX);
        return &too_deep;
    }
    vm->claim_depth++;
    const hm_decision *d = decide_in(vm, pol, member, slot, (int32_t)row);
    vm->claim_depth--;
    return d;
}

/* Decide every claim of member's, in the order of each list (that of its
 * first claim policy, ties by position), every claim policy of the list
 * for each claim in turn: a claim reading the claims before it, or its
 * earlier layers, then finds them decided.  Once per member and
 * household; the smallest remaining claim is looked for each time, with
 * no allocation (a person has few claims). */
static void decide_member_claims(hm_vm *vm, int32_t member)
{
    const hm_program *p = vm->p;
    if (member < 0 || member >= vm->nmem || vm->mclaims[member] == vm->gen)
        return;
    vm->mclaims[member] = vm->gen;
    int32_t who = vm->first + member;
    for (int32_t c = 0; c < vm->nclaim_cols; c++) {
        const hm_rcolumn *rc = &vm->facts->rcol[vm->claim_cols[c]];
        if (rc->state[who] != FACT_KNOWN)
            continue;
        int32_t first = rc->first[who], n = rc->count[who], first_pol = -1;
        for (int32_t q = 0; q < p->npolicies && first_pol < 0; q++)
            if (p->policies[q].entity == ENT_CLAIM && p->fields[p->policies[q].claims].column == vm->claim_cols[c])
                first_pol = q;
        const hm_rcolumn *oc = p->policies[first_pol].order >= 0 ? &vm->facts->rcol[p->policies[first_pol].order]
                                                                 : NULL;
        for (int32_t r = first; oc && r < first + n; r++)
            if (oc->date[r] == FACT_NO_DATE)
                oc = NULL;      /* an order not known: by position */
        int64_t last_v = INT64_MIN;
        int32_t last_r = -1;
        for (int32_t k = 0; k < n; k++) {
            /* the next claim in the order */
            int32_t best = -1;
            for (int32_t r = first; r < first + n; r++) {
                int64_t v = oc ? oc->v[r] : 0;
                if ((v > last_v || (v == last_v && r > last_r)) &&
                    (best < 0 || v < (oc ? oc->v[best] : 0) || (v == (oc ? oc->v[best] : 0) && r < best)))
                    best = r;
            }
            if (best < 0)
                break;
            last_v = oc ? oc->v[best] : 0;
            last_r = best;
            for (int32_t q = 0; q < p->npolicies; q++)
                if (p->policies[q].entity == ENT_CLAIM &&
                    p->fields[p->policies[q].claims].column == vm->claim_cols[c])
                    decide_claim(vm, q, best);
        }
    }
}

static const hm_decision *decide_in(hm_vm *vm, int32_t pol, int32_t member, int32_t slot, int32_t row)
{
    const hm_program *p = vm->p;
    const hm_policy *P = &p->policies[pol];
    memo_pol *m = &vm->pols[(size_t)pol * (size_t)vm->slots + (size_t)slot];
    if (m->gen == vm->gen) {
        /* done, or (impossible when verified) in progress */
        static const hm_decision in_progress = { .status = DEC_UNDETERMINED, .error = 1, .failed_cond = -1,
                                                 .excluded_by = -1, .exception = -1 };
        return m->busy ? &in_progress : &m->d;
    }
    m->gen = vm->gen;
    m->busy = 1;
    int32_t saved_self = vm->self, saved_slot = vm->slot, saved_row = vm->claim_row, saved_pol = vm->claim_pol;
    vm->self = member;
    vm->slot = slot;
    vm->claim_row = row;
    vm->claim_pol = row >= 0 ? pol : -1;
    int error = 0;
    int32_t failed = -1, excluded_by = -1, exception = -1;
    int64_t amount = 0;
    int has_amount = 0;
    /* whom the policy is for: the rest are not applicable, and nothing
     * else of the policy is evaluated for them */
    int applies = 1;
    if (P->applies >= 0) {
        int32_t f = -1;
        applies = vm->trace || vm->cover ? eval_cond(vm, P->applies, &f, &error)
                                         : eval_cond_plain(vm, P->applies, &f, &error);
    }
    if (applies == 0) {
        vm->self = saved_self;
        vm->slot = saved_slot;
        vm->claim_row = saved_row;
        vm->claim_pol = saved_pol;
        put_decision(&m->d, DEC_NOT_APPLICABLE, 0, 0, 0, -1, -1, -1);
        m->busy = 0;
        return &m->d;
    }
    /* unknown whether it applies: undetermined, whatever the rules say
     * (the conditions are still evaluated, for explain to show) */
    int t = P->cond < 0 ? -1
            : vm->trace || vm->cover ? eval_cond(vm, P->cond, &failed, &error)
                                     : eval_cond_plain(vm, P->cond, &failed, &error);
    if (applies < 0)
        t = -1;
    if (applies > 0) {
        if (P->neexc) {
            hm_val base = { t == 1, t < 0 ? UNK_MISSING : 0, 0 };
            hm_val r = apply_exceptions(vm, base, P->first_eexc, P->neexc, &exception);
            if (r.unk == UNK_ERROR)
                error = 1;
            t = r.unk ? -1 : r.v ? 1 : 0;
            if (exception >= 0)
                failed = -1;
        }
        /* a policy that excludes this one and applies takes precedence */
        for (int32_t k = 0; k < P->nexcl && t != 0; k++) {
            int32_t q = p->ints[P->first_excl + k];
            const hm_decision *dq = decide(vm, q, p->policies[q].entity == P->entity ? member : -1);
            if (dq->status == DEC_ELIGIBLE) {
                t = 0;
                excluded_by = q;
                failed = -1;
            } else if (dq->status == DEC_UNDETERMINED) {
                t = -1;
            }
        }
        if (t == 1 && P->amount_fn >= 0) {
            hm_val a = run(vm, P->amount_fn, NULL);
            if (P->naexc)
                a = apply_exceptions(vm, a, P->first_aexc, P->naexc, NULL);
            if (a.unk) {
                t = -1;
                if (a.unk == UNK_ERROR)
                    error = 1;
            } else {
                amount = a.v;
                has_amount = 1;
            }
        }
    }
    int status = t == 1 ? DEC_ELIGIBLE : t == 0 ? DEC_NOT_ELIGIBLE : DEC_UNDETERMINED;
    vm->self = saved_self;
    vm->slot = saved_slot;
    vm->claim_row = saved_row;
    vm->claim_pol = saved_pol;
    put_decision(&m->d, status, status == DEC_UNDETERMINED && error ? (vm->err_extern ? vm->err_extern : 1) : 0,
                 amount, has_amount,
                 status == DEC_NOT_ELIGIBLE ? failed : -1, excluded_by, exception);
    /* one of settle's combinations is not settled again */
    if (status == DEC_UNDETERMINED && !error && !vm->trying && !vm->no_settle)
        settle(vm, pol, member, row, &m->d);
    m->busy = 0;
    return &m->d;
}

const hm_decision *vm_decide(hm_vm *vm, int32_t policy, int32_t member)
{
    return decide(vm, policy, member);
}

/* The VM of the month starting on `day`, started on vm's household; NULL
 * when out of memory.  Allocates only for a month not seen before (the
 * months of a run are the same for every household). */
static hm_vm *month_vm(hm_vm *vm, int32_t day)
{
    vm_month *m = NULL;
    for (int32_t i = 0; i < vm->nmonths; i++)
        if (vm->months[i].day == day)
            m = &vm->months[i];
    if (!m) {
        if (vm->nmonths == vm->capmonths) {
            int32_t cap = vm->capmonths ? 2 * vm->capmonths : 16;
            vm_month *a = mem_realloc(vm->months, sizeof *a * (size_t)cap);
            if (!a)
                return NULL;
            vm->months = a;
            vm->capmonths = cap;
        }
        hm_vm *sub = vm_new(vm->p);
        if (!sub)
            return NULL;
        m = &vm->months[vm->nmonths++];
        *m = (vm_month){ day, -1, 0, 0, sub };
    }
    hm_vm *sub = m->vm;
    if (!m->bound) {
        vm_bind(sub, vm->facts, day);
        m->bound = 1;
        m->hh = -1;
    }
    sub->externs = vm->externs;
    sub->no_settle = vm->no_settle;
    if (m->hh != vm->hh || m->gen != vm->gen) {
        if (vm_begin_household(sub, vm->hh) < 0)
            return NULL;
        m->hh = vm->hh;
        m->gen = vm->gen;
    }
    return sub;
}

static const hm_decision *month_decide(hm_vm *vm, int32_t pol, int32_t member, int32_t day)
{
    hm_vm *sub = month_vm(vm, day);
    return sub ? decide(sub, pol, member) : NULL;
}

const hm_decision *vm_decide_on(hm_vm *vm, int32_t policy, int32_t member, int32_t day)
{
    return month_decide(vm, policy, member, day);
}

const char *vm_error_on(hm_vm *vm, int32_t day)
{
    hm_vm *sub = month_vm(vm, day);
    return sub ? sub->err : "";
}

int32_t vm_claims(const hm_vm *vm, int32_t policy, int32_t member)
{
    const hm_program *p = vm->p;
    if (p->policies[policy].entity != ENT_CLAIM || member < 0 || member >= vm->nmem)
        return -1;
    const hm_rcolumn *rc = &vm->facts->rcol[p->fields[p->policies[policy].claims].column];
    int32_t who = vm->first + member;
    return rc->state[who] == FACT_KNOWN ? rc->count[who] : -1;
}

const hm_decision *vm_decide_claim(hm_vm *vm, int32_t policy, int32_t member, int32_t claim)
{
    int32_t n = vm_claims(vm, policy, member);
    if (claim < 0 || claim >= n)
        return &no_claim;
    const hm_rcolumn *rc = &vm->facts->rcol[vm->p->fields[vm->p->policies[policy].claims].column];
    int32_t first = rc->first[vm->first + member];
    decide_member_claims(vm, member);
    const hm_decision *d = decide_claim(vm, policy, first + claim);
    int32_t slot;
    if (claim_of_row(vm, policy, first + claim, &member, &slot) == 0) {
        vm->msg_member = member;
        vm->msg_row = first + claim;
        vm->msg_slot = slot;
        vm->msg_pol = policy;
    }
    return d;
}

/* ---- values for messages ----------------------------------------------------- */

hm_val vm_value_of_let(hm_vm *vm, int32_t let, int32_t member)
{
    int32_t saved = vm->self, saved_slot = vm->slot, saved_row = vm->claim_row, saved_pol = vm->claim_pol;
    int32_t pol = vm->p->lets[let].policy;
    int claim = vm->p->policies[pol].entity == ENT_CLAIM;
    if (claim && (vm->msg_row < 0 || vm->msg_member != member))
        return (hm_val){ 0, UNK_MISSING, 0 };  /* the claim decided last only */
    vm->self = member;
    vm->slot = member + 1;
    if (claim) {
        vm->slot = vm->msg_slot;
        vm->claim_row = vm->msg_row;
        vm->claim_pol = pol;
    }
    hm_val v = eval_let(vm, let);
    vm->self = saved;
    vm->slot = saved_slot;
    vm->claim_row = saved_row;
    vm->claim_pol = saved_pol;
    return v;
}

/* A parameter's key for a message is the member's, and, where a claim
 * policy's table is keyed by the claim, that of the claim decided last. */
static void claim_for_message(hm_vm *vm, int32_t member)
{
    vm->self = member;
    vm->slot = member + 1;
    int mine = vm->msg_row >= 0 && vm->msg_member == member;
    vm->claim_row = mine ? vm->msg_row : -1;
    vm->claim_pol = mine ? vm->msg_pol : -1;
}

hm_val vm_value_of_param(hm_vm *vm, int32_t param, int32_t member)
{
    const hm_program *p = vm->p;
    const hm_param *pa = &p->params[param];
    hm_val r = { 0, UNK_MISSING, 0 };
    if (!pa->keyed)
        return vm->pval[param];
    if (pa->keyed > 1) {
        /* each key by the key function of its position, which every
         * table of that position has: follow the first entries */
        hm_val keys[255];
        int32_t t = param;
        for (int32_t k = 0; k < pa->keyed; k++) {
            const hm_param *tp = &p->params[t];
            if (tp->key_fn < 0 || (k + 1 < pa->keyed && tp->n == 0))
                return r;
            int32_t saved = vm->self, saved_slot = vm->slot, saved_row = vm->claim_row, saved_pol = vm->claim_pol;
            claim_for_message(vm, member);
            keys[k] = run(vm, tp->key_fn, NULL);
            vm->self = saved;
            vm->slot = saved_slot;
            vm->claim_row = saved_row;
            vm->claim_pol = saved_pol;
            if (k + 1 < pa->keyed)
                t = (int32_t)p->dated[p->pentries[tp->first].first].value;
        }
        return param_keys(vm, param, keys);
    }
    if (pa->key_fn < 0)
        return r;
    int32_t saved = vm->self, saved_slot = vm->slot, saved_row = vm->claim_row, saved_pol = vm->claim_pol;
    claim_for_message(vm, member);
    hm_val key = run(vm, pa->key_fn, NULL);
    vm->self = saved;
    vm->slot = saved_slot;
    vm->claim_row = saved_row;
    vm->claim_pol = saved_pol;
    return param_key(vm, param, key);
}

hm_val vm_value_of_fact(hm_vm *vm, int32_t field, int32_t member)
{
    const hm_field *fd = &vm->p->fields[field];
    const hm_facts *f = vm->facts;
    hm_val r = { 0, UNK_MISSING, 0 };
    if (fd->records)
        return r;
    if (fd->entity == ENT_HOUSEHOLD) {
        const hm_column *c = &f->hcol[fd->column];
        if (c->state[vm->hh] == FACT_KNOWN)
            SET(r, c->v[vm->hh]);
        else if (vm->nassume)
            r = unknown_fact(vm, c, vm->hh);
    } else if (member >= 0 && member < vm->nmem) {
        int64_t who = vm->first + member;
        const hm_column *c = &f->pcol[fd->column];
        if (c->state[who] == FACT_KNOWN)
            SET(r, c->v[who]);
        else if (vm->nassume)
            r = unknown_fact(vm, c, who);
    }
    return r;
}

const char *vm_text(const hm_vm *vm, int64_t id) { return text_of(vm, id); }

hm_val vm_param_lookup(const hm_vm *vm, int32_t param, hm_val key, int32_t *entry, int32_t *dated)
{
    return vm_param_lookup_at(vm, param, key, vm->as_of, entry, dated);
}

hm_val vm_param_lookup_at(const hm_vm *vm, int32_t param, hm_val key, int32_t on, int32_t *entry, int32_t *dated)
{
    const hm_program *p = vm->p;
    const hm_param *pa = &p->params[param];
    hm_val r = { 0, UNK_MISSING, 0 };
    int32_t first = pa->first, n = pa->n;
    *entry = -1;
    *dated = -1;
    if (pa->keyed) {
        if (key.unk) {
            r.unk = key.unk;
            return r;
        }
        if ((*entry = entry_of(vm, param, key.v)) < 0)
            return r;
        first = p->pentries[*entry].first;
        n = p->pentries[*entry].n;
    }
    for (int32_t i = 0; i < n; i++)
        if (p->dated[first + i].from <= on)
            *dated = first + i;
    if (*dated >= 0 && !p->dated[*dated].none) {
        r.v = p->dated[*dated].value;
        r.unk = 0;
    }
    return r;
}

hm_val vm_param_value_keys(const hm_vm *vm, int32_t param, const hm_val *keys)
{
    return table_value(vm, param, keys);
}

hm_val vm_param_lookup_keys(const hm_vm *vm, int32_t param, const hm_val *keys, int32_t *entries,
                            int32_t *dated, int32_t *last)
{
    const hm_program *p = vm->p;
    hm_val r = { 0, UNK_MISSING, 0 };
    int32_t nk = p->params[param].keyed;
    for (int32_t k = 0; k < nk; k++)
        entries[k] = -1;
    *dated = -1;
    *last = param;
    for (int32_t k = 0; k < nk; k++) {
        *last = param;
        r = vm_param_lookup(vm, param, keys[k], &entries[k], dated);
        if (r.unk || p->params[param].keyed <= 1)
            break;
        param = (int32_t)r.v;
        *dated = -1;
    }
    return r;
}

int vm_list_items(const hm_vm *vm, int64_t handle, const int32_t **items, int32_t *n)
{
    if (handle < 0 || handle >= vm->nlists)
        return -1;
    *items = vm->lists[handle].items;
    *n = vm->lists[handle].n;
    return vm->lists[handle].column;
}

int32_t vm_household_first(const hm_vm *vm) { return vm->first; }

void vm_bind_externs(hm_vm *vm, const vm_extern *externs) { vm->externs = externs; }

const hm_program *vm_program(const hm_vm *vm) { return vm->p; }

int32_t vm_as_of(const hm_vm *vm) { return vm->as_of; }
