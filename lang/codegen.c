/* codegen.c -- compile checked modules into a program of bytecode.
 *
 * Every let, condition, amount, exception and user function becomes one
 * function of register code.  Registers are allocated like a stack: an
 * expression is compiled into a destination register, and temporaries
 * above it are released when it is done.  Values are converted to the
 * scale their context expects here (int to money is ×100 fen, to decimal
 * ×10^6), as the checker decided in its types. */
#include "codegen.h"
#include "builtins.h"
#include "mem.h"

#include <limits.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable arrays ------------------------------------------------------ */

typedef struct builder {
    sema *s;
    hm_program *p;
    jmp_buf *oom;
    struct {                /* records allocated for each table of the program */
#define HM_TABLE(SEC, id, type, arr, count, ctype, kind, what) int32_t arr;
#define HM_ALONG(SEC, id, type, arr, count, what, of) int32_t arr;
#include "program_tables.def"
#undef HM_TABLE
#undef HM_ALONG
    } cap;
    /* string and constant interning: open addressing, -1 empty */
    int32_t *strhash;
    uint32_t strhash_n;
    int64_t *khash_v;
    int32_t *khash_i;
    uint32_t khash_n;
    cg_map *map;            /* explain's probes, or NULL */
    /* freed when out of memory: the function being compiled, scratch */
    hm_instr *cur_code;
    uint32_t *cur_lines;
    uint8_t *seen;
    ast **stack;            /* collect_facts: nodes still to visit */
    int32_t cap_stack;
} builder;

static void *grow(builder *b, void *arr, int32_t *cap, size_t elem, int32_t need)
{
    if (need <= *cap)
        return arr;
    int32_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *na = mem_realloc(arr, elem * (size_t)nc);
    if (!na)
        longjmp(*b->oom, 1);
    *cap = nc;
    return na;
}

/* room for `need` records in table arr of the program */
#define RESERVE(b, arr, need) \
    ((b)->p->arr = grow((b), (b)->p->arr, &(b)->cap.arr, sizeof *(b)->p->arr, (need)))

/* push_ARR(b, record): append to a table of the program; its index */
#define HM_TABLE(SEC, id, type, arr, count, ctype, kind, what)          \
    __attribute__((unused)) static int32_t push_##arr(builder *b, type v) \
    {                                                                   \
        RESERVE(b, arr, (int32_t)(b->p->count + 1));                    \
        b->p->arr[b->p->count] = v;                                     \
        return (int32_t)b->p->count++;                                  \
    }
#define HM_ALONG(SEC, id, type, arr, count, what, of)
#include "program_tables.def"
#undef HM_TABLE
#undef HM_ALONG

static uint32_t hash_bytes(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int32_t str_id(builder *b, const char *s)
{
    if (!s)
        return -1;
    hm_program *p = b->p;
    if ((uint32_t)p->nstrs * 2 + 2 > b->strhash_n) {
        uint32_t n = b->strhash_n ? b->strhash_n * 2 : 1024;
        int32_t *h = mem_alloc(sizeof *h * n);
        if (!h)
            longjmp(*b->oom, 1);
        for (uint32_t i = 0; i < n; i++)
            h[i] = -1;
        for (int32_t i = 0; i < p->nstrs; i++) {
            uint32_t k = hash_bytes(p->strpool + p->strs[i]) & (n - 1);
            while (h[k] >= 0)
                k = (k + 1) & (n - 1);
            h[k] = i;
        }
        mem_free(b->strhash);
        b->strhash = h;
        b->strhash_n = n;
    }
    uint32_t k = hash_bytes(s) & (b->strhash_n - 1);
    while (b->strhash[k] >= 0) {
        if (strcmp(p->strpool + p->strs[b->strhash[k]], s) == 0)
            return b->strhash[k];
        k = (k + 1) & (b->strhash_n - 1);
    }
    size_t len = strlen(s) + 1;
    if (p->strpool_len + len > (uint32_t)INT32_MAX)
        longjmp(*b->oom, 1);
    RESERVE(b, strpool, (int32_t)(p->strpool_len + len));
    memcpy(p->strpool + p->strpool_len, s, len);
    push_strs(b, p->strpool_len);
    p->strpool_len += (uint32_t)len;
    b->strhash[k] = p->nstrs - 1;
    return p->nstrs - 1;
}

static int32_t const_id(builder *b, int64_t v)
{
    hm_program *p = b->p;
    if ((uint32_t)p->nconsts * 2 + 2 > b->khash_n) {
        uint32_t n = b->khash_n ? b->khash_n * 2 : 256;
        int64_t *hv = mem_alloc(sizeof *hv * n);
        int32_t *hi = mem_alloc(sizeof *hi * n);
        if (!hv || !hi) {
            mem_free(hv);
            mem_free(hi);
            longjmp(*b->oom, 1);
        }
        for (uint32_t i = 0; i < n; i++)
            hi[i] = -1;
        for (int32_t i = 0; i < p->nconsts; i++) {
            uint32_t k = (uint32_t)((uint64_t)p->consts[i] * 0x9e3779b97f4a7c15ull >> 40) & (n - 1);
            while (hi[k] >= 0)
                k = (k + 1) & (n - 1);
            hi[k] = i;
            hv[k] = p->consts[i];
        }
        mem_free(b->khash_v);
        mem_free(b->khash_i);
        b->khash_v = hv;
        b->khash_i = hi;
        b->khash_n = n;
    }
    uint32_t k = (uint32_t)((uint64_t)v * 0x9e3779b97f4a7c15ull >> 40) & (b->khash_n - 1);
    while (b->khash_i[k] >= 0) {
        if (b->khash_v[k] == v)
            return b->khash_i[k];
        k = (k + 1) & (b->khash_n - 1);
    }
    push_consts(b, v);
    b->khash_i[k] = p->nconsts - 1;
    b->khash_v[k] = v;
    return p->nconsts - 1;
}

/* ---- one function ------------------------------------------------------------- */

enum { B_VALUE = 1, B_PERSON, B_RECORD };

typedef struct binding {
    const char *name;
    int kind, reg, list, idx;
} binding;

typedef struct fstate {
    builder *b;
    hm_instr *code;
    uint32_t *lines;
    int32_t n, cap, capl;
    int top, nregs;
    binding *binds;     /* in the arena: as many as there are names in scope */
    int nbinds, capbinds;
    /* the element of the `where` being compiled: bare fields and `it` */
    int elem_kind, elem_reg, elem_list, elem_idx;
    const hm_srcfile *file;
    uint32_t line_cache_off;
    uint32_t line_cache;
    int too_many;
    ast *at;            /* node being compiled, for the source map */
} fstate;

static void cg(fstate *f, ast *e, int dst);
static void cg_as(fstate *f, ast *e, const hm_type *want, int dst);
static cg_probe *add_probe(fstate *f, ast *e, int32_t start, int reg, int kind);

static int newreg(fstate *f)
{
    if (f->top > MAXARG_A) {     /* registers 0 … MAXARG_A, as the verifier allows */
        if (!f->too_many++) {
            sema *s = f->b->s;
            diag_error(s->diags, f->file, f->at ? f->at->loc : (hm_span){ 0, 0 },
                       "this rule is too large to compile (it needs more than %d registers)", MAXARG_A + 1);
        }
        return MAXARG_A - 1;
    }
    int r = f->top++;
    if (f->top > f->nregs)
        f->nregs = f->top;
    return r;
}

static uint32_t line_of(fstate *f, const ast *at)
{
    if (!at || !f->file)
        return 0;
    if (at->loc.start == f->line_cache_off && f->line_cache)
        return f->line_cache;
    int line, col;
    srcfile_locate(f->file, at->loc.start, &line, &col);
    if (col > 4095)
        col = 4095;
    f->line_cache_off = at->loc.start;
    f->line_cache = ((uint32_t)line << 12) | (uint32_t)col;
    return f->line_cache;
}

static int32_t emit(fstate *f, hm_instr i)
{
    if (f->n == f->cap) {
        f->code = f->b->cur_code = grow(f->b, f->code, &f->cap, sizeof *f->code, f->n + 1);
        f->lines = f->b->cur_lines = grow(f->b, f->lines, &f->capl, sizeof *f->lines, f->cap);
    }
    f->code[f->n] = i;
    f->lines[f->n] = line_of(f, f->at);
    return f->n++;
}

#define ABC(o, a, b, c) emit(f, MK_ABC(OP_##o, a, b, c))
#define ABx(o, a, bx) emit(f, MK_ABx(OP_##o, a, bx))

static int32_t emit_jump(fstate *f, int op, int a)
{
    return emit(f, MK_AsBx(op, a, 0));
}

static void patch_here(fstate *f, int32_t at)
{
    int off = f->n - (at + 1);
    if (off > MAXARG_SBX) {
        if (!f->too_many++)
            diag_error(f->b->s->diags, f->file, f->at ? f->at->loc : (hm_span){ 0, 0 },
                       "this rule is too large to compile (a jump of more than %d instructions)", MAXARG_SBX);
        off = 0;
    }
    hm_instr i = f->code[at];
    f->code[at] = MK_AsBx(GET_OP(i), GETARG_A(i), off);
}

/* An operand naming a constant, string, fact field, policy, let,
 * parameter, scale or function has 8 bits (C) or 16 (Bx); past them, the
 * field holds its maximum and an EXTRAARG after the instruction the index
 * (24 bits, bytecode.h).  Past those too, the pack is refused. */
static int32_t index_ok(fstate *f, int32_t v, const char *what)
{
    if (v >= 0 && v <= MAXARG_Ax)
        return v;
    if (!f->too_many++)
        diag_error(f->b->s->diags, f->file, f->at ? f->at->loc : (hm_span){ 0, 0 },
                   "the pack has more than %d %s: this rule names one past them, which the bytecode "
                   "cannot encode", MAXARG_Ax + 1, what);
    return 0;
}

/* op with index v in its C (ABC) or Bx (ABx) field, as the opcode table
 * says, or that field's maximum and an EXTRAARG holding v */
static int32_t emit_index(fstate *f, int op, int a, int b, int32_t v, const char *what)
{
    v = index_ok(f, v, what);
    int wide = hm_op_info[op].fmt == FMT_ABx, max = wide ? MAXARG_BX : MAXARG_C;
    int32_t field = v < max ? v : max;
    int32_t at = emit(f, wide ? MK_ABx(op, a, field) : MK_ABC(op, a, b, field));
    if (field == max)
        emit(f, MK_Ax(OP_EXTRAARG, v));
    return at;
}
#define ABC_IDX(o, a, b, v, what) emit_index(f, OP_##o, a, b, v, what)
#define ABx_IDX(o, a, v, what) emit_index(f, OP_##o, a, 0, v, what)

static void loadk(fstate *f, int dst, int64_t v)
{
    ABx_IDX(LOADK, dst, const_id(f->b, v), "distinct constants");
}

/* Convert the value in r from type `from` to `want` in place. */
static void convert(fstate *f, int r, const hm_type *from, const hm_type *want)
{
    if (!from || !want)
        return;
    if (from->kind == T_INT && want->kind == T_MONEY)
        ABC(SCALEUP, r, r, 2);
    else if (from->kind == T_INT && want->kind == T_DECIMAL)
        ABC(SCALEUP, r, r, 6);
}

static int is_dec_lit(const ast *e)
{
    return e->kind == N_DEC || (e->kind == N_UNOP && e->ival == AOP_NEG && e->a->kind == N_DEC);
}

static const binding *find_binding(fstate *f, const char *name);
static void cg_as(fstate *f, ast *e, const hm_type *want, int dst)
{
    if (want && want->kind == T_MONEY && is_dec_lit(e)) {
        int64_t fen = 0;
        sema_literal_fen(f->b->s, e, &fen);
        f->at = e;
        loadk(f, dst, fen);
        return;
    }
    if (want && want->kind == T_CODE && e->kind == N_NAME && !e->sym && want->codeset &&
        want->codeset->labels && !find_binding(f, e->str)) {
        /* a bare label where a code is expected: f(married) */
        sym *l = symtab_get(want->codeset->labels, e->str);
        if (l) {
            f->at = e;
            loadk(f, dst, l->index);
            return;
        }
    }
    const hm_type *from = (const hm_type *)e->ty;
    if (want && from && from->kind == T_INT && e->kind == N_INT &&
        (want->kind == T_MONEY || want->kind == T_DECIMAL)) {
        /* a whole number where money is wanted: load it in fen, rather
         * than load it and convert; explain still sees it as written */
        int64_t v = 0, scale = want->kind == T_MONEY ? 100 : 1000000, scaled;
        sema_literal_int(f->b->s, e, &v);
        if (!__builtin_mul_overflow(v, scale, &scaled)) {
            int32_t start = f->n;
            f->at = e;
            loadk(f, dst, scaled);
            cg_probe *pr = add_probe(f, e, start, dst, PROBE_VALUE);
            if (pr)
                pr->scale = (int32_t)scale;
            return;
        }
    }
    cg(f, e, dst);
    convert(f, dst, from, want);
}

static const binding *find_binding(fstate *f, const char *name)
{
    for (int i = f->nbinds - 1; i >= 0; i--)
        if (strcmp(f->binds[i].name, name) == 0)
            return &f->binds[i];
    return NULL;
}

static void push_binding(fstate *f, binding bd)
{
    if (f->nbinds == f->capbinds) {
        int nc = f->capbinds ? f->capbinds * 2 : 16;
        binding *nb = arena_alloc(f->b->s->arena, sizeof *nb * (size_t)nc);
        if (f->nbinds)
            memcpy(nb, f->binds, sizeof *nb * (size_t)f->nbinds);
        f->binds = nb;
        f->capbinds = nc;
    }
    f->binds[f->nbinds++] = bd;
}

/* ---- expressions --------------------------------------------------------------- */

static int64_t literal_value(fstate *f, ast *e, const hm_type *t)
{
    sema *s = f->b->s;
    int64_t v = 0;
    switch (e->kind) {
    case N_INT:
        sema_literal_int(s, e, &v);
        if (t && t->kind == T_MONEY) v *= 100;
        else if (t && t->kind == T_DECIMAL) v *= 1000000;
        return v;
    case N_DEC:
        if (t && t->kind == T_MONEY) sema_literal_fen(s, e, &v);
        else sema_literal_ppm(s, e, &v);
        return v;
    case N_PERCENT:
        sema_literal_ppm(s, e, &v);
        return v;
    default:
        return 0;
    }
}

static void cg_fact_of_person(fstate *f, ast *e, int person_reg, int dst)
{
    sym *fact = e->sym;
    hm_field *fd = &f->b->p->fields[fact->id];
    if (fd->records == FIELD_ROWFIELD)
        ABC_IDX(RFIELD, dst, person_reg, fd->column, "record fields");    /* person_reg: the record's row */
    else if (fd->records)
        ABC_IDX(PRECS, dst, person_reg, fd->column, "record fields");
    else
        ABC_IDX(PFACT, dst, person_reg, fd->column, "person fact fields");
}

static void cg_policy_ref(fstate *f, ast *e, sym *q, int person_reg, int dst)
{
    int amount = strcmp(e->str, "amount") == 0;
    if (person_reg >= 0) {
        if (amount)
            ABC_IDX(PAMOUNT, dst, person_reg, q->id, "policies");
        else
            ABC_IDX(PELIG, dst, person_reg, q->id, "policies");
    } else {
        if (amount)
            ABx_IDX(AMOUNT, dst, q->id, "policies");
        else
            ABx_IDX(ELIG, dst, q->id, "policies");
    }
}

/* A parameter's key, at the use `at` of the parameter.  In a function,
 * the key's `person` is the argument the checker chose (at->str2). */
static void cg_key(fstate *f, ast *at, ast *key, int dst)
{
    const binding *arg = at && at->kind == N_NAME && at->str2 ? find_binding(f, at->str2) : NULL;
    int saved = f->nbinds;
    if (arg)
        push_binding(f, (binding){ "person", B_PERSON, arg->reg, -1, -1 });
    cg(f, key, dst);
    f->nbinds = saved;
}

static void cg_name(fstate *f, ast *e, int dst)
{
    const binding *bd = find_binding(f, e->str);
    if (bd && bd->kind != B_RECORD) {
        ABC(MOVE, dst, bd->reg, 0);
        return;
    }
    sym *y = e->sym;
    if (y && y->kind == SYM_FACT && e->flag == 1) {
        /* a bare field of the element of `where` */
        cg_fact_of_person(f, e, f->elem_reg, dst);
        return;
    }
    if (!y && f->elem_kind == B_RECORD && (!strcmp(e->str, "value") || !strcmp(e->str, "date"))) {
        if (e->str[0] == 'v')
            ABC(RECVAL, dst, f->elem_list, f->elem_idx);
        else
            ABC(RECDATE, dst, f->elem_list, f->elem_idx);
        return;
    }
    if (e->flag == 2) {     /* the claim being decided */
        ABC(CLAIM, dst, 0, 0);
        return;
    }
    if (!strcmp(e->str, "person")) {
        ABC(SELF, dst, 0, 0);
        return;
    }
    if (!strcmp(e->str, "household")) {
        loadk(f, dst, 0);
        return;
    }
    if (!y) {
        ABC(LOADUNK, dst, 0, 0);
        return;
    }
    switch (y->kind) {
    case SYM_LET:
        ABx_IDX(LET, dst, y->id, "lets");
        return;
    case SYM_PARAM: {
        ast *d = y->decl;
        if (d->ival == PARAM_TABLE && d->b && d->b->next) {
            /* several keys: computed into registers one after another */
            int t = f->top;
            int k = f->top;
            for (ast *ke = d->b; ke; ke = ke->next)
                newreg(f);
            int r = k;
            for (ast *ke = d->b; ke; ke = ke->next)
                cg_key(f, e, ke, r++);
            ABC_IDX(PARAMKEYS, dst, k, y->id, "parameters");
            f->top = t;
        } else if (d->ival == PARAM_TABLE && d->b) {
            int t = f->top;
            int k = newreg(f);
            cg_key(f, e, d->b, k);
            ABC_IDX(PARAMKEY, dst, k, y->id, "parameters");
            f->top = t;
        } else {
            ABx_IDX(PARAM, dst, y->id, "parameters");
        }
        return;
    }
    default:
        ABC(LOADUNK, dst, 0, 0);
    }
}

static void cg_get(fstate *f, ast *e, int dst)
{
    ast *o = e->a;
    if (o->kind == N_NAME && o->sym && ((sym *)o->sym)->kind == SYM_POLICY && !find_binding(f, o->str)) {
        cg_policy_ref(f, e, o->sym, -1, dst);
        return;
    }
    const hm_type *ot = (const hm_type *)o->ty;
    if (!ot) {
        ABC(LOADUNK, dst, 0, 0);
        return;
    }
    if (e->flag == 3 && e->sym) {
        /* bill.earlier: by the policy's order field, or by position (C is
         * then any field of the record, unread) */
        ast *c = ((sym *)e->sym)->decl->c;
        sym *of = c->b ? c->b->sym : NULL;
        if (!of) {
            sym *rows = c->sym;
            ast *f1 = ot->rtype->decl->a;
            of = symtab_get(&f->b->s->facts, arena_printf(f->b->s->arena, "%s.%s", rows->name, f1->str));
        }
        ABC_IDX(EARLIER, dst, c->b ? 1 : 0, f->b->p->fields[of->id].column, "record fields");
        return;
    }
    if (ot->kind == T_RECORD) {
        const binding *bd = o->kind == N_NAME ? find_binding(f, o->str) : NULL;
        int list = bd ? bd->list : f->elem_list, idx = bd ? bd->idx : f->elem_idx;
        if (!strcmp(e->str, "value"))
            ABC(RECVAL, dst, list, idx);
        else
            ABC(RECDATE, dst, list, idx);
        return;
    }
    if (ot->kind == T_HOUSEHOLD) {
        if (!strcmp(e->str, "members")) {
            ABC(MEMBERS, dst, 0, 0);
            return;
        }
        sym *fact = e->sym;
        hm_field *fd = &f->b->p->fields[fact->id];
        if (fd->records)
            ABx_IDX(HRECS, dst, fd->column, "record fields");
        else
            ABx_IDX(HFACT, dst, fd->column, "household fact fields");
        return;
    }
    /* person.x, a fact of the person being decided (as cg_name reads `person`) */
    sym *fact = e->sym;
    const hm_field *fd = fact && fact->kind == SYM_FACT ? &f->b->p->fields[fact->id] : NULL;
    if (ot->kind == T_PERSON && fd && !fd->records && strcmp(e->str, "household") && o->kind == N_NAME &&
        !strcmp(o->str, "person") &&
        !find_binding(f, o->str) && !(o->sym && ((sym *)o->sym)->kind == SYM_FACT && o->flag == 1)) {
        ABC_IDX(SFACT, dst, 0, fd->column, "person fact fields");
        return;
    }
    int t = f->top;
    int r;
    const binding *held = o->kind == N_NAME ? find_binding(f, o->str) : NULL;
    if (held && held->kind != B_RECORD && (ot->kind == T_PERSON || ot->kind == T_ROW)) {
        r = held->reg;      /* m.x, p.x: read the person where it is, no copy */
    } else {
        r = newreg(f);
        cg(f, o, r);
    }
    if (ot->kind == T_ROW && e->sym && ((sym *)e->sym)->kind == SYM_POLICY) {
        ABC(MOVE, dst, r, 0);   /* c.基本医保: the claim's row; .eligible follows */
    } else if (ot->kind == T_POLICY && ot->rtype) {
        if (!strcmp(e->str, "amount"))
            ABC_IDX(CAMOUNT, dst, r, ot->policy->id, "policies");
        else
            ABC_IDX(CELIG, dst, r, ot->policy->id, "policies");
    } else if (ot->kind == T_ROW && fd) {
        ABC_IDX(RFIELD, dst, r, fd->column, "record fields");
    } else if (ot->kind == T_PERSON) {
        if (!strcmp(e->str, "household"))
            loadk(f, dst, 0);
        else if (e->sym && ((sym *)e->sym)->kind == SYM_POLICY)
            ABC(MOVE, dst, r, 0);   /* m.canji: the person; .eligible follows */
        else
            cg_fact_of_person(f, e, r, dst);
    } else if (ot->kind == T_POLICY) {
        /* o is `m.canji`, which compiled to the person; a household
         * policy is the household's decision */
        cg_policy_ref(f, e, ot->policy, ot->policy->entity == ENT_HOUSEHOLD ? -1 : r, dst);
    } else {
        ABC(LOADUNK, dst, 0, 0);
    }
    f->top = t;
}

/* The element's contribution r becomes unknown when its filter fv is
 * unknown (a false filter has jumped past it already). */
static void unknown_unless_true(fstate *f, int fv, int r)
{
    int32_t known = emit_jump(f, OP_JMPTRUE, fv);
    ABC(LOADUNK, r, 0, 0);
    patch_here(f, known);
}

/* Compile `fn` applied to list `src` with optional filter and body.
 * agg: AGG_*, or 0 to build a filtered list. */
static void cg_loop(fstate *f, int agg, const char *var, ast *list_expr, ast *filter, ast *body,
                    const hm_type *result, int dst)
{
    int t = f->top;
    int src = newreg(f);
    int32_t list_start = f->n;
    cg(f, list_expr, src);
    /* the household's members: a list always known */
    int members = f->n == list_start + 1 && GET_OP(f->code[list_start]) == OP_MEMBERS;
    const hm_type *lt = (const hm_type *)list_expr->ty;
    int is_records = lt && lt->kind == T_RECORDS;
    /* the body never reads dst: it is the accumulator */
    int acc = dst, have = newreg(f), i = newreg(f), n = newreg(f);
    (void)n;    /* n must follow i: FORLOOP reads r[A+1] */
    int elem = newreg(f), fv = newreg(f), bv = newreg(f);
    switch (agg) {
    case 0: ABC(LISTNEW, acc, src, 0); loadk(f, have, 0); break;
    case AGG_SUM: loadk(f, acc, 0); break;
    case AGG_COUNT: loadk(f, acc, 0); loadk(f, bv, 1); break;
    case AGG_MIN: case AGG_MAX: loadk(f, have, 0); ABC(LOADUNK, acc, 0, 0); break;
    case AGG_ANY: loadk(f, acc, 0); break;
    case AGG_ALL: loadk(f, acc, 1); break;
    }
    ABC(LISTLEN, i + 1, src, 0);
    int32_t prep = emit_jump(f, OP_FORPREP, i);
    int32_t top = f->n, elem_probe = -1;
    /* the element */
    int saved_kind = f->elem_kind, saved_reg = f->elem_reg, saved_list = f->elem_list, saved_idx = f->elem_idx;
    int saved_binds = f->nbinds;
    if (is_records) {
        f->elem_kind = B_RECORD;
        f->elem_list = src;
        f->elem_idx = i;
        if (var)
            push_binding(f, (binding){ var, B_RECORD, -1, src, i });
    } else {
        /* the household's members: element k is member k, the counter
         * itself.  Its probe must come before the body's (explain reads
         * them in order); where it ends is known once the body is there. */
        if (members) {
            elem = i;
            elem_probe = f->b->map ? f->b->map->nprobes : -1;
            add_probe(f, f->at, top, i, PROBE_ELEMENT);
        } else {
            add_probe(f, f->at, ABC(LISTGET, elem, src, i), elem, PROBE_ELEMENT);
        }
        f->elem_kind = B_PERSON;
        f->elem_reg = elem;
        if (var)
            push_binding(f, (binding){ var, B_PERSON, elem, -1, -1 });
    }
    int32_t skip = -1, skip2 = -1, decided = -1;
    if (filter) {
        cg(f, filter, fv);
        skip = emit_jump(f, OP_JMPFALSE, fv);
    }
    switch (agg) {
    case 0: {
        /* an unknown filter makes the whole list unknown */
        if (filter) {
            int32_t known = emit_jump(f, OP_JMPTRUE, fv);
            loadk(f, have, 1);
            patch_here(f, known);
        }
        ABC(LISTPUSH, acc, src, i);
        break;
    }
    case AGG_COUNT:
        /* past the filter's jump, fv is true (1) or unknown: adding it
         * counts the element, or makes the count unknown */
        ABC(ADD, acc, acc, filter ? fv : bv);
        break;
    case AGG_SUM:
        cg_as(f, body, result, bv);
        if (filter)
            unknown_unless_true(f, fv, bv);
        ABC(ADD, acc, acc, bv);
        break;
    case AGG_MIN: case AGG_MAX: {
        cg_as(f, body, result, bv);
        if (filter)
            unknown_unless_true(f, fv, bv);
        int32_t seen = emit_jump(f, OP_JMPTRUE, have);
        ABC(MOVE, acc, bv, 0);
        loadk(f, have, 1);
        skip2 = emit_jump(f, OP_JMP, 0);
        patch_here(f, seen);
        if (agg == AGG_MIN)
            ABC(MIN, acc, acc, bv);
        else
            ABC(MAX, acc, acc, bv);
        break;
    }
    case AGG_ANY:
        cg(f, body, bv);
        if (filter)
            ABC(AND, bv, fv, bv);
        ABC(OR, acc, acc, bv);
        decided = emit_jump(f, OP_SKIPTRUE, acc);
        break;
    case AGG_ALL:
        cg(f, body, bv);
        if (filter) {
            ABC(NOT, fv, fv, 0);
            ABC(OR, bv, fv, bv);
        }
        ABC(AND, acc, acc, bv);
        decided = emit_jump(f, OP_SKIPFALSE, acc);
        break;
    }
    if (skip >= 0 && agg != AGG_ANY && agg != AGG_ALL)
        patch_here(f, skip);
    else if (skip >= 0) {
        /* any/all: a false filter skips the element (already folded in) */
        patch_here(f, skip);
    }
    if (skip2 >= 0)
        patch_here(f, skip2);
    if (elem_probe >= 0) {
        /* read as the body's second instruction starts: the first (never
         * a jump) has run, and the counter is the element */
        int first_len = top + 1 < f->n && GET_OP(f->code[top + 1]) == OP_EXTRAARG ? 2 : 1;
        f->b->map->probes[elem_probe].end = (uint32_t)(top + first_len);
    }
    int32_t back = emit(f, MK_AsBx(OP_FORLOOP, i, top - (f->n + 1)));
    (void)back;
    patch_here(f, prep);
    if (decided >= 0)
        patch_here(f, decided);     /* leaves the loop */
    f->elem_kind = saved_kind;
    f->elem_reg = saved_reg;
    f->elem_list = saved_list;
    f->elem_idx = saved_idx;
    f->nbinds = saved_binds;
    if (agg == 0) {
        int32_t ok = emit_jump(f, OP_JMPFALSE, have);
        ABC(LOADUNK, acc, 0, 0);
        patch_here(f, ok);
    }
    /* an unknown list makes the result unknown */
    if (!members) {
        ABC(KNOWN, fv, i + 1, 0);
        int32_t listok = emit_jump(f, OP_JMPTRUE, fv);
        ABC(LOADUNK, acc, 0, 0);
        patch_here(f, listok);
    }
    f->top = t;
}

static void cg_agg(fstate *f, ast *e, int dst)
{
    int agg = (int)e->ival;
    const hm_type *rt = (const hm_type *)e->ty;
    ast *src = e->b, *filter = NULL;
    if (src->kind == N_WHERE) {
        filter = src->b;
        src = src->a;
    }
    if (!e->str) {
        /* plain form over a list or records */
        if (agg == AGG_COUNT && !filter) {
            int t = f->top;
            int r = newreg(f);
            cg(f, src, r);
            ABC(LISTLEN, dst, r, 0);
            f->top = t;
            return;
        }
        /* sum/min/max/any/all of records' values; count with a filter */
        ast *body = NULL;
        if (agg != AGG_COUNT) {
            body = ast_new(f->b->s->arena, N_NAME, e->loc);
            body->str = "value";
            const hm_type *lt = (const hm_type *)src->ty;
            body->ty = (struct hm_type *)(lt && lt->elem ? lt->elem : rt);
        }
        cg_loop(f, agg, NULL, src, filter, body, rt, dst);
        return;
    }
    cg_loop(f, agg, e->str, src, filter, e->a, rt, dst);
}

/* Compare the keys of element x (registers xk…) with those of the best so
 * far (bk…), key after key: jump to `before` when x comes first, to
 * `after` when it comes later, to `unknown` when a key needed is unknown;
 * falls through when every key ties.  The jumps are appended to the lists
 * given (patched by the caller). */
typedef struct jumps { int32_t *at; int n; } jumps;
static void cg_keycmp(fstate *f, ast *keys, int last, int xk, int bk, int c, jumps *before,
                      jumps *after, jumps *unknown)
{
    int j = 0;
    for (ast *k = keys; k; k = k->next, j++) {
        int text = k->ty && ((const hm_type *)k->ty)->kind == T_TEXT;
        int down = (k->flag != 0) != (last != 0);
        int x = xk + j, b = bk + j;
        if (down) { int t = x; x = b; b = t; }
        if (text) ABC(LTTEXT, c, x, b); else ABC(LT, c, x, b);
        unknown->at[unknown->n++] = emit_jump(f, OP_JMPUNK, c);
        before->at[before->n++] = emit_jump(f, OP_JMPTRUE, c);
        if (text) ABC(LTTEXT, c, b, x); else ABC(LT, c, b, x);
        after->at[after->n++] = emit_jump(f, OP_JMPTRUE, c);
    }
}

/* first(LIST order by KEYS), last(…): two passes over LIST.  The first
 * finds the element that comes before every other as far as the known keys
 * tell (an unknown comparison leaves the best as it is); the second checks
 * that it does come before every other: a key needed and unknown makes the
 * result unknown, two elements equal on every key make it an error (the
 * rule must state a key that breaks the tie).  An empty list gives
 * unknown: there is no such element. */
static void cg_pick(fstate *f, ast *e, int dst)
{
    int t = f->top;
    int nk = ast_count(e->b);
    int src = newreg(f);
    cg(f, e->a, src);
    int have = newreg(f), i = newreg(f), n = newreg(f);
    (void)n;    /* n must follow i: FORLOOP reads r[A+1] */
    int elem = newreg(f), c = newreg(f), unk = newreg(f), tie = newreg(f);
    int xk = f->top;
    for (int j = 0; j < nk; j++) newreg(f);
    int bk = f->top;
    for (int j = 0; j < nk; j++) newreg(f);
    int32_t *slots = arena_alloc(f->b->s->arena, sizeof *slots * (size_t)(3 * nk + 2));
    jumps before = { slots, 0 }, after = { slots + nk, 0 }, unknown = { slots + 2 * nk, 0 };
    int saved_kind = f->elem_kind, saved_reg = f->elem_reg;
    f->elem_kind = B_PERSON;
    f->elem_reg = elem;
    ABC(LOADUNK, dst, 0, 0);
    loadk(f, have, 0);
    loadk(f, unk, 0);
    loadk(f, tie, 0);
    for (int j = 0; j < nk; j++)
        ABC(LOADUNK, bk + j, 0, 0);     /* written before read, as the verifier sees it */
    for (int pass = 1; pass <= 2; pass++) {
        before.n = after.n = unknown.n = 0;
        ABC(LISTLEN, i + 1, src, 0);
        int32_t prep = emit_jump(f, OP_FORPREP, i);
        int32_t top = f->n;
        add_probe(f, f->at, ABC(LISTGET, elem, src, i), elem, PROBE_ELEMENT);
        int32_t self = -1;
        if (pass == 2) {
            ABC(EQ, c, elem, dst);
            self = emit_jump(f, OP_JMPTRUE, c);
        }
        int j = 0;
        for (ast *k = e->b; k; k = k->next)
            cg(f, k->a, xk + j++);
        int32_t first = -1;
        if (pass == 1)
            first = emit_jump(f, OP_JMPFALSE, have);
        cg_keycmp(f, e->b, e->ival == 2, xk, bk, c, &before, &after, &unknown);
        if (pass == 1) {
            /* a tie or an unknown comparison: the best stays (checked later) */
            int32_t keep = emit_jump(f, OP_JMP, 0);
            for (int q = 0; q < before.n; q++) patch_here(f, before.at[q]);
            patch_here(f, first);
            ABC(MOVE, dst, elem, 0);
            for (int q = 0; q < nk; q++) ABC(MOVE, bk + q, xk + q, 0);
            loadk(f, have, 1);
            patch_here(f, keep);
            for (int q = 0; q < after.n; q++) patch_here(f, after.at[q]);
            for (int q = 0; q < unknown.n; q++) patch_here(f, unknown.at[q]);
        } else {
            /* every key ties: */
            loadk(f, tie, 1);
            int32_t next = emit_jump(f, OP_JMP, 0);
            /* an element that comes first, or a key unknown: */
            for (int q = 0; q < before.n; q++) patch_here(f, before.at[q]);
            for (int q = 0; q < unknown.n; q++) patch_here(f, unknown.at[q]);
            loadk(f, unk, 1);
            patch_here(f, next);
            for (int q = 0; q < after.n; q++) patch_here(f, after.at[q]);
            patch_here(f, self);
        }
        emit(f, MK_AsBx(OP_FORLOOP, i, top - (f->n + 1)));
        patch_here(f, prep);
    }
    f->elem_kind = saved_kind;
    f->elem_reg = saved_reg;
    /* a key unknown: more facts may break a tie too */
    int32_t known = emit_jump(f, OP_JMPFALSE, unk);
    ABC(LOADUNK, dst, 0, 0);
    int32_t done = emit_jump(f, OP_JMP, 0);
    patch_here(f, known);
    int32_t apart = emit_jump(f, OP_JMPFALSE, tie);
    ABx_IDX(RAISE, dst, str_id(f->b, "two elements tie on every key of `order by`: state a key that breaks the tie (`, then KEY`)"), "strings");
    patch_here(f, apart);
    patch_here(f, done);
    /* an unknown list (a `where` unknown for some element) */
    ABC(KNOWN, c, i + 1, 0);
    int32_t listok = emit_jump(f, OP_JMPTRUE, c);
    ABC(LOADUNK, dst, 0, 0);
    patch_here(f, listok);
    f->top = t;
}

/* sum(P.amount over …): PSUM reads the first month's day in r[b] and the
 * number of months in r[b+1] */
static void cg_psum(fstate *f, ast *e, int dst)
{
    sym *q = e->a->a->sym;
    int t = f->top;
    int b = newreg(f), n = newreg(f), x = newreg(f);
    if (e->ival == WIN_LAST) {
        int64_t months = 0;
        sema_literal_int(f->b->s, e->b, &months);
        ABC(ASOF, b, 0, 0);
        ABC(SOM, b, b, 0);
        loadk(f, x, -months);
        ABC(ADDMONTHS, b, b, x);
        loadk(f, n, months);
    } else {
        cg(f, e->b, b);
        ABC(SOM, b, b, 0);
        cg(f, e->c, x);
        ABC(SOM, x, x, 0);
        ABC(MONTHSBTW, n, b, x);
        loadk(f, x, 1);
        ABC(ADD, n, n, x);
    }
    ABC_IDX(PSUM, dst, b, q->id, "policies");
    f->top = t;
}

/* SCALE.rate(x), .quick(x), .band(x) */
static void cg_scaleq(fstate *f, ast *e, int dst)
{
    sym *y = e->sym;
    int t = f->top;
    int r = newreg(f);
    cg_as(f, e->b, ty_money(PERIOD_NONE), r);
    if (e->ival == 1)
        ABC_IDX(SCALERATE, dst, r, y->id, "scales");
    else if (e->ival == 2)
        ABC_IDX(SCALEQUICK, dst, r, y->id, "scales");
    else
        ABC_IDX(SCALEBAND, dst, r, y->id, "scales");
    f->top = t;
}

static void cg_call(fstate *f, ast *e, int dst)
{
    const char *fn = e->str;
    ast *a = e->a, *b2 = a ? a->next : NULL;
    int t = f->top;
    sym *y = e->sym;
    if (y && (y->kind == SYM_FUNCTION || y->kind == SYM_EXTERN)) {
        /* arguments in dst+1 … : allocate a fresh block above the temporaries */
        int base = newreg(f);
        ast *p = y->decl->a;
        for (ast *x = a; x; x = x->next, p = p ? p->next : NULL) {
            int r = newreg(f);
            cg_as(f, x, p ? (const hm_type *)p->ty : NULL, r);
        }
        if (y->kind == SYM_EXTERN)
            ABx_IDX(CALLX, base, y->id, "extern functions");
        else
            ABx_IDX(CALL, base, y->id, "functions");
        ABC(MOVE, dst, base, 0);
        f->top = t;
        return;
    }
    if (y && y->kind == SYM_SCALE) {
        int r = newreg(f);
        cg_as(f, a, ty_money(PERIOD_NONE), r);
        ABC_IDX(SCALE, dst, r, y->id, "scales");
        f->top = t;
        return;
    }
    const hm_builtin *bi = builtin_find(fn);
    int r1 = newreg(f), r2 = newreg(f);
    switch (bi ? bi->rule : 0) {
    case BI_AGE:
        cg(f, a, r1);
        ABC(ASOF, r2, 0, 0);
        emit(f, MK_ABC(bi->op, dst, r1, r2));
        break;
    case BI_DATES_INT:
        cg(f, a, r1);
        cg(f, b2, r2);
        emit(f, MK_ABC(bi->op, dst, r1, r2));
        break;
    case BI_PER_MONTH:
    case BI_PER_YEAR:
        cg(f, a, r1);
        convert(f, r1, (const hm_type *)a->ty, ty_money(PERIOD_NONE));
        emit(f, MK_ABC(bi->op, dst, r1, 0));
        break;
    case BI_ROUND: {
        const hm_type *rt = (const hm_type *)e->ty;
        cg_as(f, a, rt, r1);
        cg_as(f, b2, rt && rt->kind == T_MONEY ? ty_money(PERIOD_NONE) : rt, r2);
        emit(f, MK_ABC(bi->op, dst, r1, r2));
        break;
    }
    case BI_DATE_DATE:
    case BI_SAME_NUMBER:
    case BI_KNOWN:
    case BI_MONTHS:
        cg(f, a, r1);
        emit(f, MK_ABC(bi->op, dst, r1, 0));
        break;
    case BI_MAKE_DATE: {
        int r3 = newreg(f);     /* r2 + 1: the day follows the month */
        cg(f, a, r1);
        cg(f, b2, r2);
        cg(f, b2->next, r3);
        emit(f, MK_ABC(bi->op, dst, r1, r2));
        break;
    }
    case BI_EXTREME: {
        const hm_type *rt = (const hm_type *)e->ty;
        /* no argument reads dst: it is the running minimum or maximum */
        cg_as(f, a, rt, dst);
        for (ast *x = a->next; x; x = x->next) {
            cg_as(f, x, rt, r2);
            emit(f, MK_ABC(bi->op, dst, dst, r2));
        }
        break;
    }
    default:
        ABC(LOADUNK, dst, 0, 0);
        break;
    }
    f->top = t;
}

static void cg_compare(fstate *f, ast *e, int dst)
{
    int op = (int)e->ival;
    const hm_type *ta = (const hm_type *)e->a->ty, *tb = (const hm_type *)e->b->ty;
    int t = f->top;
    int ra = newreg(f), rb = newreg(f);
    /* code == label */
    if (ta && ta->kind == T_CODE && e->b->kind == N_NAME && tb == ta && !e->b->sym &&
        ta->codeset->labels && symtab_get(ta->codeset->labels, e->b->str) && !find_binding(f, e->b->str)) {
        cg(f, e->a, ra);
        loadk(f, rb, symtab_get(ta->codeset->labels, e->b->str)->index);
    } else if (tb && tb->kind == T_CODE && e->a->kind == N_NAME && ta == tb && !e->a->sym &&
               tb->codeset->labels && symtab_get(tb->codeset->labels, e->a->str) && !find_binding(f, e->a->str)) {
        loadk(f, ra, symtab_get(tb->codeset->labels, e->a->str)->index);
        cg(f, e->b, rb);
    } else {
        const hm_type *u = ta && tb ? sema_unify(e->a, ta, e->b, tb) : NULL;
        cg_as(f, e->a, u, ra);
        cg_as(f, e->b, u, rb);
    }
    int text = ta && ta->kind == T_TEXT;
    switch (op) {
    case '<': ABC(LT, dst, ra, rb); break;
    case '>': ABC(LT, dst, rb, ra); break;
    case AOP_LE: ABC(LE, dst, ra, rb); break;
    case AOP_GE: ABC(LE, dst, rb, ra); break;
    case AOP_EQ: if (text) ABC(EQTEXT, dst, ra, rb); else ABC(EQ, dst, ra, rb); break;
    case AOP_NE: if (text) ABC(NETEXT, dst, ra, rb); else ABC(NE, dst, ra, rb); break;
    }
    f->top = t;
}

/* `p / q` of two whole numbers: a fraction, kept exact by MULDIV when it
 * multiplies money or a decimal */
static int is_fraction(const ast *e)
{
    const hm_type *a = e->kind == N_BINOP && e->ival == '/' ? (const hm_type *)e->a->ty : NULL;
    const hm_type *b = a ? (const hm_type *)e->b->ty : NULL;
    return a && b && a->kind == T_INT && b->kind == T_INT;
}

/* x * p / q, with x money or a decimal and p, q whole numbers: one
 * rounding, of the exact quotient (128-bit product) */
static int cg_muldiv(fstate *f, ast *x, ast *p, ast *q, int dst)
{
    const hm_type *xt = (const hm_type *)x->ty;
    if (!xt || (xt->kind != T_MONEY && xt->kind != T_DECIMAL))
        return 0;
    cg(f, x, dst);
    int rp = newreg(f), rq = newreg(f);
    cg(f, p, rp);
    cg(f, q, rq);
    ABC(MULDIV, dst, dst, rp);
    return 1;
}

static void cg_arith(fstate *f, ast *e, int dst)
{
    int op = (int)e->ival;
    const hm_type *rt = (const hm_type *)e->ty;
    const hm_type *ta = (const hm_type *)e->a->ty, *tb = (const hm_type *)e->b->ty;
    int t = f->top;
    if (!rt || !ta || !tb) {
        ABC(LOADUNK, dst, 0, 0);
        return;
    }
    /* The left operand goes straight into dst (as `and` does), and the
     * right one's register is taken after it: a chain a + b + c + … needs
     * two registers, not two per term. */
    int ra = dst, rb;
    if (rt->kind == T_DATE) {
        /* date ± duration */
        ast *d = ta->kind == T_DATE ? e->a : e->b, *n = ta->kind == T_DATE ? e->b : e->a;
        const hm_type *nt = (const hm_type *)n->ty;
        cg(f, d, ra);
        rb = newreg(f);
        cg(f, n, rb);
        if (op == '-')
            ABC(NEG, rb, rb, 0);
        if (nt->unit == DUR_YEARS) {
            int rk = newreg(f);
            loadk(f, rk, 12);
            ABC(MUL, rb, rb, rk);
        }
        if (nt->unit == DUR_DAYS)
            ABC(ADDDAYS, dst, ra, rb);
        else
            ABC(ADDMONTHS, dst, ra, rb);
        f->top = t;
        return;
    }
    switch (op) {
    case '+': case '-':
        cg_as(f, e->a, rt, ra);
        rb = newreg(f);
        cg_as(f, e->b, rt, rb);
        if (op == '+')
            ABC(ADD, dst, ra, rb);
        else
            ABC(SUB, dst, ra, rb);
        break;
    case '*':
        if ((is_fraction(e->b) && cg_muldiv(f, e->a, e->b->a, e->b->b, dst)) ||
            (is_fraction(e->a) && cg_muldiv(f, e->b, e->a->a, e->a->b, dst)))
            break;
        /* money*int, int*int, int*decimal: plain; with a decimal factor: rescale */
        cg(f, e->a, ra);
        rb = newreg(f);
        cg(f, e->b, rb);
        if ((ta->kind == T_DECIMAL && tb->kind != T_INT) || (tb->kind == T_DECIMAL && ta->kind != T_INT))
            ABC(MULDEC, dst, ra, rb);
        else
            ABC(MUL, dst, ra, rb);
        break;
    case '/':
        if (tb->kind == T_INT && e->a->kind == N_BINOP && e->a->ival == '*') {
            /* (x * p) / q: the product is not rounded nor bounded on the way */
            ast *m = e->a;
            const hm_type *ma = (const hm_type *)m->a->ty, *mb = (const hm_type *)m->b->ty;
            if (mb && mb->kind == T_INT && !is_fraction(m->b) && cg_muldiv(f, m->a, m->b, e->b, dst))
                break;
            if (ma && ma->kind == T_INT && !is_fraction(m->a) && cg_muldiv(f, m->b, m->a, e->b, dst))
                break;
        }
        if (rt->kind == T_DECIMAL && ta->kind == T_INT) {
            cg(f, e->a, ra);
            ABC(SCALEUP, ra, ra, 6);
            ta = &ty_decimal;
        } else {
            cg(f, e->a, ra);
        }
        rb = newreg(f);
        cg(f, e->b, rb);
        if (tb->kind == T_INT)
            ABC(DIVINT, dst, ra, rb);
        else
            ABC(DIVDEC, dst, ra, rb);
        break;
    }
    f->top = t;
}

static void cg_node(fstate *f, ast *e, int dst);

/* Compile e into dst and remember where its value is, for explain. */
static void cg(fstate *f, ast *e, int dst)
{
    int32_t start = f->n;
    cg_node(f, e, dst);
    if (f->n > start)
        add_probe(f, e, start, dst, PROBE_VALUE);
}

/* The probe added, or NULL when no map is kept (valid until the next). */
static cg_probe *add_probe(fstate *f, ast *e, int32_t start, int reg, int kind)
{
    cg_map *m = f->b->map;
    if (!m)
        return NULL;
    if (m->nprobes == m->cap) {
        int32_t c = m->cap ? m->cap * 2 : 1024;
        cg_probe *np = mem_realloc(m->probes, sizeof *np * (size_t)c);
        if (!np)
            longjmp(*f->b->oom, 1);
        m->probes = np;
        m->cap = c;
    }
    /* fn and the absolute positions are filled in when the function is done */
    m->probes[m->nprobes] = (cg_probe){ e, -1, (uint32_t)start, (uint32_t)f->n, reg, kind, 0 };
    return &m->probes[m->nprobes++];
}

static void cg_node(fstate *f, ast *e, int dst)
{
    ast *saved_at = f->at;
    f->at = e;
    const hm_type *ty = (const hm_type *)e->ty;
    switch (e->kind) {
    case N_INT: case N_DEC: case N_PERCENT:
        loadk(f, dst, literal_value(f, e, e->kind == N_INT ? &ty_int : &ty_decimal));
        break;
    case N_STR: {
        ABx_IDX(LOADS, dst, str_id(f->b, e->str), "strings");
        break;
    }
    case N_DATE: loadk(f, dst, e->ival); break;
    case N_DUR: {
        if (e->a->kind != N_INT) {
            /* `n years`: the number is computed; the unit is the type's */
            cg(f, e->a, dst);
            break;
        }
        int64_t v = 0;
        sema_literal_int(f->b->s, e->a, &v);
        loadk(f, dst, v);
        break;
    }
    case N_ATDATE: {
        /* `P as of D`: the parameter's value on another date */
        sym *y = e->a->sym;
        int t = f->top;
        int k = newreg(f);
        if (y && y->kind == SYM_PARAM && y->decl->ival == PARAM_TABLE && y->decl->b) {
            int on = newreg(f);
            cg_key(f, e->a, y->decl->b, k);
            cg(f, e->b, on);
            ABC_IDX(PARAMKEYAT, dst, k, y->id, "parameters");
        } else if (y && y->kind == SYM_PARAM) {
            cg(f, e->b, k);
            ABC_IDX(PARAMAT, dst, k, y->id, "parameters");
        } else {
            ABC(LOADUNK, dst, 0, 0);
        }
        f->top = t;
        break;
    }
    case N_BOOL: loadk(f, dst, e->ival ? 1 : 0); break;
    case N_ASOF: ABC(ASOF, dst, 0, 0); break;
    case N_IT:
        if (f->elem_kind == B_PERSON)
            ABC(MOVE, dst, f->elem_reg, 0);
        else
            ABC(LOADUNK, dst, 0, 0);
        break;
    case N_NAME: cg_name(f, e, dst); break;
    case N_GET: cg_get(f, e, dst); break;
    case N_CALL: cg_call(f, e, dst); break;
    case N_SCALEQ: cg_scaleq(f, e, dst); break;
    case N_BINOP:
        switch (e->ival) {
        case AOP_AND: case AOP_OR: {
            /* the left operand goes straight into dst: when it decides
             * (false for and, true for or) it is the answer */
            int t = f->top;
            cg(f, e->a, dst);
            int32_t done = emit_jump(f, e->ival == AOP_AND ? OP_SKIPFALSE : OP_SKIPTRUE, dst);
            int rb = newreg(f);     /* after the left: a long chain needs two, not two per term */
            cg(f, e->b, rb);
            if (e->ival == AOP_AND)
                ABC(AND, dst, dst, rb);
            else
                ABC(OR, dst, dst, rb);
            patch_here(f, done);
            f->top = t;
            break;
        }
        case '+': case '-': case '*': case '/':
            cg_arith(f, e, dst);
            break;
        default:
            cg_compare(f, e, dst);
        }
        break;
    case N_UNOP: {
        int t = f->top;
        int r = newreg(f);
        cg(f, e->a, r);
        if (e->ival == AOP_NOT)
            ABC(NOT, dst, r, 0);
        else
            ABC(NEG, dst, r, 0);
        f->top = t;
        break;
    }
    case N_IS: {
        const hm_type *at = (const hm_type *)e->a->ty;
        int t = f->top;
        int r = newreg(f), k = newreg(f);
        cg(f, e->a, r);
        sym *l = at && at->kind == T_CODE ? symtab_get(at->codeset->labels, e->str) : NULL;
        loadk(f, k, l ? l->index : -1);
        if (e->flag)
            ABC(NE, dst, r, k);
        else
            ABC(EQ, dst, r, k);
        f->top = t;
        break;
    }
    case N_IN: {
        const hm_type *at = (const hm_type *)e->a->ty;
        int t = f->top;
        int r = newreg(f), k = newreg(f), c = newreg(f);
        cg(f, e->a, r);
        loadk(f, dst, 0);
        for (ast *i = e->b->a; i; i = i->next) {
            if (at && at->kind == T_CODE && i->kind == N_NAME && !find_binding(f, i->str)) {
                sym *l = symtab_get(at->codeset->labels, i->str);
                loadk(f, k, l ? l->index : -1);
            } else {
                cg_as(f, i, at, k);
            }
            if (at && at->kind == T_TEXT)
                ABC(EQTEXT, c, r, k);
            else
                ABC(EQ, c, r, k);
            ABC(OR, dst, dst, c);
        }
        f->top = t;
        break;
    }
    case N_IF: {
        int t = f->top;
        int c = newreg(f);
        cg(f, e->a, c);
        int32_t unk = emit_jump(f, OP_JMPUNK, c);
        int32_t els = emit_jump(f, OP_JMPFALSE, c);
        cg_as(f, e->b, ty, dst);
        int32_t end1 = emit_jump(f, OP_JMP, 0);
        patch_here(f, els);
        cg_as(f, e->c, ty, dst);
        int32_t end2 = emit_jump(f, OP_JMP, 0);
        patch_here(f, unk);
        ABC(LOADUNK, dst, 0, 0);
        patch_here(f, end1);
        patch_here(f, end2);
        f->top = t;
        break;
    }
    case N_AGG: cg_agg(f, e, dst); break;
    case N_PICK: cg_pick(f, e, dst); break;
    case N_PSUM: cg_psum(f, e, dst); break;
    case N_WHERE: cg_loop(f, 0, NULL, e->a, e->b, NULL, ty, dst); break;
    case N_DURING: {
        int t = f->top;
        int r = newreg(f);
        cg(f, e->a, r);
        if (e->ival == WIN_LAST && e->b->kind == N_NAME) {
            /* the length is a parameter's (checked: 1 to 1200) */
            int n = newreg(f);
            cg(f, e->b, n);
            if (e->flag == DUR_YEARS) {
                int k = newreg(f);
                loadk(f, k, 12);
                ABC(MUL, n, n, k);
            }
            if (e->flag == DUR_DAYS) {
                int lo = newreg(f), hi = newreg(f), k = newreg(f);
                (void)hi;
                ABC(ASOF, lo + 1, 0, 0);
                ABC(NEG, n, n, 0);
                ABC(ADDDAYS, lo, lo + 1, n);
                loadk(f, k, -1);
                ABC(ADDDAYS, lo + 1, lo + 1, k);
                ABC(WINRANGE, dst, r, lo);
            } else {
                ABC(WINLAST, dst, r, n);
            }
        } else if (e->ival == WIN_LAST) {
            int n = newreg(f);
            int64_t v = 0;
            sema_literal_int(f->b->s, e->b, &v);
            if (e->flag == DUR_YEARS)
                v *= 12;
            if (e->flag == DUR_DAYS) {
                /* the N days before the as-of date */
                int lo = newreg(f), hi = newreg(f);
                (void)hi;
                ABC(ASOF, lo + 1, 0, 0);
                loadk(f, n, -v);
                ABC(ADDDAYS, lo, lo + 1, n);
                loadk(f, n, -1);
                ABC(ADDDAYS, lo + 1, lo + 1, n);
                ABC(WINRANGE, dst, r, lo);
            } else {
                loadk(f, n, v);
                ABC(WINLAST, dst, r, n);
            }
        } else {
            int lo = newreg(f), hi = newreg(f);
            cg(f, e->b, lo);
            if (e->ival == WIN_RANGE)
                cg(f, e->c, hi);
            else
                loadk(f, hi, INT32_MAX);
            ABC(WINRANGE, dst, r, lo);
        }
        f->top = t;
        break;
    }
    default:
        ABC(LOADUNK, dst, 0, 0);
    }
    f->at = saved_at;
}

/* ---- functions ------------------------------------------------------------------ */

/* Compile one expression as a function; returns its index. */
static int32_t cg_function(builder *b, const char *name, int kind, int policy, ast *params, ast *body,
                           const hm_type *want, const hm_srcfile *file)
{
    fstate fs;
    memset(&fs, 0, sizeof fs);
    fstate *f = &fs;
    f->b = b;
    f->file = file;
    f->at = body;
    int32_t first_probe = b->map ? b->map->nprobes : 0;
    int np = 0;
    for (ast *p = params; p; p = p->next) {
        int r = newreg(f);
        push_binding(f, (binding){ p->str, B_VALUE, r, -1, -1 });
        np++;
    }
    int dst = newreg(f);
    if (body)
        cg_as(f, body, want, dst);
    else
        ABC(LOADUNK, dst, 0, 0);
    f->at = NULL;
    ABC(RET, dst, 0, 0);
    hm_program *p = b->p;
    hm_function fn = { .name = str_id(b, name), .kind = (uint8_t)kind, .nparams = (uint8_t)np,
                       .nregs = (uint16_t)f->nregs, .start = p->ncode, .ncode = (uint32_t)f->n,
                       .policy = policy, .file = str_id(b, file ? file->path : "") };
    RESERVE(b, code, (int32_t)(p->ncode + (uint32_t)f->n));
    RESERVE(b, lines, (int32_t)(p->ncode + (uint32_t)f->n));
    memcpy(p->code + p->ncode, f->code, sizeof *f->code * (size_t)f->n);
    memcpy(p->lines + p->ncode, f->lines, sizeof *f->lines * (size_t)f->n);
    p->ncode += (uint32_t)f->n;
    if ((uint32_t)f->nregs > p->max_regs)
        p->max_regs = (uint32_t)f->nregs;
    mem_free(f->code);
    mem_free(f->lines);
    b->cur_code = NULL;
    b->cur_lines = NULL;
    push_fns(b, fn);
    if (b->map) {
        cg_map *m = b->map;
        for (int32_t k = first_probe; k < m->nprobes; k++) {
            m->probes[k].fn = p->nfns - 1;
            m->probes[k].start += fn.start;
            m->probes[k].end += fn.start;
        }
        if (p->nfns > m->nfn) {
            int32_t c = m->nfn ? m->nfn : 64;
            while (c < p->nfns)
                c *= 2;
            ast **na = mem_realloc(m->fn_ast, sizeof *na * (size_t)c);
            if (!na)
                longjmp(*b->oom, 1);
            memset(na + m->nfn, 0, sizeof *na * (size_t)(c - m->nfn));
            m->fn_ast = na;
            m->nfn = c;
        }
        m->fn_ast[p->nfns - 1] = body;
    }
    return p->nfns - 1;
}

void cg_map_free(cg_map *m)
{
    mem_free(m->probes);
    mem_free(m->fn_ast);
    memset(m, 0, sizeof *m);
}

/* ---- declarations ------------------------------------------------------------------ */

static int64_t const_of(builder *b, ast *e, const hm_type *t)
{
    sema *s = b->s;
    int64_t v = 0;
    int neg = 0;
    if (e->kind == N_UNOP && e->ival == AOP_NEG) {
        neg = 1;
        e = e->a;
    }
    switch (e->kind) {
    case N_INT:
        sema_literal_int(s, e, &v);
        if (t->kind == T_MONEY) v *= 100;
        else if (t->kind == T_DECIMAL) v *= 1000000;
        break;
    case N_DEC:
        if (t->kind == T_MONEY) sema_literal_fen(s, e, &v);
        else sema_literal_ppm(s, e, &v);
        break;
    case N_PERCENT: sema_literal_ppm(s, e, &v); break;
    case N_DUR: sema_literal_int(s, e->a, &v); break;   /* in the unit of its type, as checked */
    case N_BOOL: v = e->ival; break;
    case N_DATE: sema_parse_date(e->str, &v); break;
    case N_STR: v = str_id(b, e->str); break;
    case N_NAME:
        if (t->kind == T_CODE) {
            sym *l = symtab_get(t->codeset->labels, e->str);
            v = l ? l->index : -1;
        }
        break;
    default: break;
    }
    return neg ? -v : v;
}

static void cg_dated(builder *b, ast *values, const hm_type *t, int32_t *first, int32_t *n)
{
    *first = b->p->ndated;
    *n = 0;
    for (ast *v = values; v; v = v->next) {
        hm_dated d = { .from = INT32_MIN, .none = v->flag, .value = v->b ? const_of(b, v->b, t) : 0 };
        if (v->a) {
            int64_t day = 0;
            sema_parse_date(v->a->str, &day);
            d.from = (int32_t)day;
        }
        push_dated(b, d);
        (*n)++;
    }
}

/* A table with several keys is a tree of one-key tables: the table of the
 * first key, whose entries' values are the tables of the second key (the
 * number of a parameter), and so on; the last key's entries hold the
 * dated values.  Rows lo … hi-1 (in sema_tkeys_cmp's order) agree on the
 * keys before pos; `self` is the parameter to fill, or -1 for a new one
 * like the declared one.  Returns the parameter. */
static int32_t cg_tlevel(builder *b, sym *y, ast **rows, int lo, int hi, int pos, int nkeys,
                         const int32_t *kfns, const uint8_t *ktypes, int32_t self)
{
    /* the tables of the next key first, so that each table's entries are
     * together; a row's entry below holds its child's number */
    int32_t *child = arena_alloc(b->s->arena, sizeof *child * (size_t)(hi - lo + 1));
    if (!child)
        longjmp(*b->oom, 1);
    int ngroups = 0;
    for (int i = lo; i < hi;) {
        const sema_tkey *k = &((const sema_tkey *)rows[i]->sym)[pos];
        int j = i + 1;
        while (j < hi && sema_tkey_same(&((const sema_tkey *)rows[j]->sym)[pos], k))
            j++;
        child[ngroups] = pos + 1 < nkeys ? cg_tlevel(b, y, rows, i, j, pos + 1, nkeys, kfns, ktypes, -1) : i;
        ngroups++;
        i = j;
    }
    if (self < 0) {
        hm_param pp = b->p->params[y->id];
        self = b->p->nparams;
        push_params(b, pp);
    }
    hm_param *pp = &b->p->params[self];
    pp->keyed = (uint8_t)(nkeys - pos);
    pp->keytype = ktypes[pos];
    pp->key_fn = kfns[pos];
    pp->first = b->p->npentries;
    pp->n = ngroups;
    int g = 0;
    for (int i = lo; i < hi; g++) {
        const sema_tkey *k = &((const sema_tkey *)rows[i]->sym)[pos];
        int j = i + 1;
        while (j < hi && sema_tkey_same(&((const sema_tkey *)rows[j]->sym)[pos], k))
            j++;
        hm_pentry pe = { .kind = k->kind, .text = -1, .lo = k->lo, .hi = k->hi };
        if (k->kind == KEY_TEXT)
            pe.text = str_id(b, k->text);
        if (pos + 1 < nkeys) {
            pe.first = b->p->ndated;
            pe.n = 1;
            push_dated(b, (hm_dated){ .from = INT32_MIN, .value = child[g] });
        } else {
            cg_dated(b, rows[i]->b, y->type, &pe.first, &pe.n);
        }
        push_pentries(b, pe);
        i = j;
    }
    return self;
}

static void cg_mtable(builder *b, sym *y)
{
    ast *d = y->decl;
    int nkeys = ast_count(d->b), nrows = 0;
    int32_t *kfns = arena_alloc(b->s->arena, sizeof *kfns * (size_t)nkeys);
    uint8_t *ktypes = arena_alloc(b->s->arena, (size_t)nkeys);
    ast **rows = arena_alloc(b->s->arena, sizeof *rows * (size_t)(ast_count(d->c) + 1));
    if (!kfns || !ktypes || !rows)
        longjmp(*b->oom, 1);
    int i = 0;
    for (ast *k = d->b; k; k = k->next, i++) {
        /* each key on its own, so that a message can show the value in force */
        char name[256];
        snprintf(name, sizeof name, "%s: key %d", d->str, i + 1);
        const hm_type *kt = k->ty;
        kfns[i] = cg_function(b, name, FN_KEY, -1, NULL, k, kt, b->s->mods[d->file]->file);
        ktypes[i] = (uint8_t)ty_vtype(kt);
    }
    for (ast *e = d->c; e; e = e->next)
        if (e->sym)
            rows[nrows++] = e;
    sema_sort_trows(rows, nrows);
    cg_tlevel(b, y, rows, 0, nrows, 0, nkeys, kfns, ktypes, y->id);
}

static void cg_param(builder *b, sym *y)
{
    ast *d = y->decl;
    hm_param *pp = &b->p->params[y->id];
    const hm_type *t = y->type;
    if (d->ival != PARAM_TABLE) {
        cg_dated(b, d->c, t, &pp->first, &pp->n);
        return;
    }
    if (d->b && d->b->next) {
        cg_mtable(b, y);
        return;
    }
    pp->keyed = 1;
    const hm_type *kt = d->b ? (const hm_type *)d->b->ty : NULL;
    if (d->b && kt) {
        /* the key on its own, so that a message can show the value in force */
        char name[256];
        snprintf(name, sizeof name, "%s: key", d->str);
        int32_t kf = cg_function(b, name, FN_KEY, -1, NULL, d->b, kt, b->s->mods[d->file]->file);
        b->p->params[y->id].key_fn = kf;
        pp = &b->p->params[y->id];
    }
    pp->keytype = (uint8_t)(kt ? ty_vtype(kt) : VT_INT);
    pp->first = b->p->npentries;
    pp->n = 0;
    for (ast *e = d->c; e; e = e->next) {
        hm_pentry pe = { .kind = KEY_DEFAULT, .text = -1, .lo = INT64_MIN, .hi = INT64_MAX };
        ast *k = e->a;
        if (k) {
            if (k->kind == N_STR) {
                pe.kind = KEY_TEXT;
                pe.text = str_id(b, k->str);
            } else {
                pe.kind = KEY_RANGE;
                if (k->kind == N_INT) {
                    sema_literal_int(b->s, k, &pe.lo);
                    pe.hi = pe.lo;
                } else if (k->kind == N_NAME && kt && kt->kind == T_CODE) {
                    sym *l = symtab_get(kt->codeset->labels, k->str);
                    pe.lo = pe.hi = l ? l->index : -1;
                } else if (k->kind == N_RANGE) {
                    if (k->a) sema_literal_int(b->s, k->a, &pe.lo);
                    if (k->b) sema_literal_int(b->s, k->b, &pe.hi);
                }
            }
        }
        cg_dated(b, e->b, t, &pe.first, &pe.n);
        push_pentries(b, pe);
        pp->n++;
    }
}

/* one version of a scale: its rows, from a date (INT32_MIN: always) */
static void cg_scalever(builder *b, ast *rows, int32_t from)
{
    hm_scalever v = { .from = from, .first = b->p->nrows };
    for (ast *r = rows; r; r = r->next) {
        hm_scalerow row = { .upper = INT64_MAX, .rate = r->b->ival };
        if (r->flag)    /* a parameter's rate */
            row.rate = -(int64_t)((sym *)r->b->sym)->id - 1;
        if (r->a)
            sema_literal_fen(b->s, r->a, &row.upper);
        push_rows(b, row);
        v.n++;
    }
    push_scalevers(b, v);
}

static void cg_scale(builder *b, sym *y)
{
    int32_t first = b->p->nscalevers;
    if (y->decl->b)
        for (ast *v = y->decl->b; v; v = v->next)
            cg_scalever(b, v->b, (int32_t)v->a->ival);
    else
        cg_scalever(b, y->decl->a, INT32_MIN);
    hm_scale *sc = &b->p->scales[y->id];
    sc->first = first;
    sc->n = b->p->nscalevers - first;
}

static const hm_srcfile *file_of(builder *b, ast *n) { return b->s->mods[n->file]->file; }

static void cg_exceptions(builder *b, ast *excs, const hm_type *t, int policy, int eligible,
                          int32_t *first, int32_t *n, const char *what)
{
    /* highest priority first, so the VM takes the first that applies */
    int count = ast_count(excs);
    ast **v = arena_alloc(b->s->arena, sizeof *v * (size_t)(count + 1));
    int k = 0;
    for (ast *e = excs; e; e = e->next)
        v[k++] = e;
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && v[j]->ival > v[j - 1]->ival; j--) {
            ast *tmp = v[j]; v[j] = v[j - 1]; v[j - 1] = tmp;
        }
    *first = b->p->nexcs;
    *n = count;
    for (int i = 0; i < count; i++) {
        ast *e = v[i];
        int line, col;
        srcfile_locate(file_of(b, e), e->loc.start, &line, &col);
        hm_exception x = { .when_fn = -1, .value_fn = -1, .msg = str_id(b, e->str), .priority = e->ival,
                           .line = line, .col = col, .msg_else = str_id(b, e->str2) };
        push_excs(b, x);
    }
    for (int i = 0; i < count; i++) {
        ast *e = v[i];
        char name[256];
        snprintf(name, sizeof name, "%s: exception %d", what, i + 1);
        int32_t w = cg_function(b, name, FN_WHEN, policy, NULL, e->a, &ty_bool, file_of(b, e));
        b->p->excs[*first + i].when_fn = w;
        if (eligible) {
            b->p->excs[*first + i].eligible = (int32_t)e->b->ival;
        } else {
            int32_t val = cg_function(b, name, FN_VALUE, policy, NULL, e->b, t, file_of(b, e));
            b->p->excs[*first + i].value_fn = val;
        }
    }
}

/* conditions in preorder; returns the node's index */
static int32_t cg_conds(builder *b, ast *c, int policy, const char *pname, int *ncond)
{
    int32_t me = b->p->nconds;
    int line, col;
    srcfile_locate(file_of(b, c), c->loc.start, &line, &col);
    hm_condnode node = { .kind = c->kind == N_COND ? CN_COND : c->ival == GROUP_ANY ? CN_ANY : CN_ALL,
                         .fn = -1, .msg = str_id(b, c->str), .ref = -1, .line = line, .col = col,
                         .msg_else = str_id(b, c->str2) };
    if (c->kind == N_COND && c->c)
        node.ref = str_id(b, c->c->str);
    push_conds(b, node);
    if (c->kind == N_COND) {
        char name[256];
        snprintf(name, sizeof name, "%s: condition %d", pname, ++*ncond);
        int32_t fn = cg_function(b, name, FN_COND, policy, NULL, c->a, &ty_bool, file_of(b, c));
        b->p->conds[me].fn = fn;
    } else {
        int kids = 0;
        for (ast *k = c->a; k; k = k->next) {
            cg_conds(b, k, policy, pname, ncond);
            kids++;
        }
        b->p->conds[me].nkids = kids;
    }
    b->p->conds[me].size = b->p->nconds - me;
    return me;
}

/* The facts a policy can read, following lets, functions and parameter
 * keys.  An explicit stack, not recursion: nothing is too deep to follow.
 * Each let, function or parameter is gone through once per walk (the
 * symbol keeps the walk's number), so a chain of lets each used twice
 * costs its length, not two to the power of it. */
static void collect_facts(builder *b, ast *root, uint8_t *seen_fact)
{
    unsigned walk = ++b->s->walks;
    int32_t n = 0;
    if (!root)
        return;
    b->stack = grow(b, b->stack, &b->cap_stack, sizeof *b->stack, 1);
    b->stack[n++] = root;
    while (n > 0) {
        ast *x = b->stack[--n];
        sym *y = x->sym;
        if (y && y->kind == SYM_FACT && y->id >= 0 && y->id < b->p->nfields) {
            seen_fact[y->id] = 1;
            if (y->owner && y->owner->id >= 0 && y->owner->id < b->p->nfields)
                seen_fact[y->owner->id] = 1;    /* a record's field: its list too */
        }
        ast *kids[6] = { x->next, x->a, x->b, x->c, NULL, NULL };
        if (x->kind != N_COND && x->kind != N_EXCEPT && x->kind != N_GROUP)
            kids[4] = x->d;
        if (y && (y->kind == SYM_LET || y->kind == SYM_FUNCTION || y->kind == SYM_PARAM) &&
            y->walked != walk) {
            y->walked = walk;
            kids[5] = y->kind == SYM_LET ? y->decl->a : y->kind == SYM_FUNCTION ? y->decl->c : y->decl->b;
        }
        b->stack = grow(b, b->stack, &b->cap_stack, sizeof *b->stack, n + 6);
        for (int k = 0; k < 6; k++)
            if (kids[k])
                b->stack[n++] = kids[k];
    }
}

static void cg_policy(builder *b, sym *y)
{
    ast *d = y->decl;
    hm_program *p = b->p;
    int32_t id = y->id;
    const hm_srcfile *file = file_of(b, d);
    /* lets first: each its own function */
    for (ast *it = d->a; it; it = it->next) {
        if (it->kind != N_LET || !it->sym)
            continue;
        sym *l = it->sym;
        char name[256];
        snprintf(name, sizeof name, "%s.%s", d->str, it->str);
        int32_t fn = cg_function(b, name, FN_LET, id, NULL, it->a, l->type, file_of(b, it));
        p->lets[l->id].fn = fn;
        p->lets[l->id].vtype = ty_vtype(l->type);
        if (it->b)
            cg_exceptions(b, it->b, l->type, id, 0, &p->lets[l->id].first_exc, &p->lets[l->id].nexc, name);
    }
    int ncond = 0;
    for (ast *it = d->a; it; it = it->next) {
        if (it->kind == N_ELIGIBLE && p->policies[id].cond < 0) {
            p->policies[id].cond = cg_conds(b, it->a, id, d->str, &ncond);
            if (it->b)
                cg_exceptions(b, it->b, &ty_bool, id, 1, &p->policies[id].first_eexc,
                              &p->policies[id].neexc, d->str);
        } else if (it->kind == N_AMOUNT && p->policies[id].amount_fn < 0) {
            char name[256];
            snprintf(name, sizeof name, "%s: amount", d->str);
            const hm_type *t = (const hm_type *)it->ty;
            if (!t || t->kind != T_MONEY)
                t = ty_money(PERIOD_NONE);
            p->policies[id].amount_fn = cg_function(b, name, FN_AMOUNT, id, NULL, it->a, t, file_of(b, it));
            p->policies[id].period = t->period;
            if (it->b)
                cg_exceptions(b, it->b, t, id, 0, &p->policies[id].first_aexc, &p->policies[id].naexc, name);
        }
    }
    /* a claim policy: the list whose records it decides, and their order */
    if (d->c && d->c->sym) {
        p->policies[id].entity = ENT_CLAIM;
        p->policies[id].claims = ((sym *)d->c->sym)->id;
        if (d->c->b && d->c->b->sym)
            p->policies[id].order = p->fields[((sym *)d->c->b->sym)->id].column;
    }
    /* `for … where`: one condition outside the tree; without a message of
     * its own, its text is its message */
    ast *w = d->b;
    if (w && w->a && w->a->kind != N_ERROR) {
        int32_t me = p->nconds;
        int line, col;
        srcfile_locate(file, w->loc.start, &line, &col);
        const char *msg = w->str;
        if (!msg && w->a->loc.end > w->a->loc.start && w->a->loc.end <= file->len)
            msg = arena_strndup(b->s->arena, file->text + w->a->loc.start, w->a->loc.end - w->a->loc.start);
        hm_condnode node = { .kind = CN_COND, .fn = -1, .size = 1, .msg = str_id(b, msg ? msg : ""), .ref = -1, .msg_else = -1,
                             .line = line, .col = col };
        push_conds(b, node);
        char name[256];
        snprintf(name, sizeof name, "%s: applies", d->str);
        int32_t fn = cg_function(b, name, FN_COND, id, NULL, w->a, &ty_bool, file);
        p->conds[me].fn = fn;
        p->policies[id].applies = me;
    }
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The names that two policies of different modules share, sorted: such a
 * policy is named with its module in the program (and so in runs, results
 * and explain).  NULL when there are none. */
static const char **shared_policy_names(builder *b, int32_t *n)
{
    sema *s = b->s;
    int32_t count = 0;
    for (int i = 0; i < s->nmods; i++)
        for (ast *x = s->mods[i]->root; x; x = x->next)
            count += x->kind == N_POLICY && x->sym;
    *n = 0;
    if (count < 2)
        return NULL;
    const char **v = arena_alloc(s->arena, sizeof *v * (size_t)count);
    int32_t k = 0;
    for (int i = 0; i < s->nmods; i++)
        for (ast *x = s->mods[i]->root; x; x = x->next)
            if (x->kind == N_POLICY && x->sym)
                v[k++] = x->str;
    qsort(v, (size_t)count, sizeof *v, by_name);
    int32_t m = 0;
    for (int32_t i = 1; i < count; i++)
        if (!strcmp(v[i], v[i - 1]) && (m == 0 || strcmp(v[m - 1], v[i])))
            v[m++] = v[i];
    *n = m;
    return m ? v : NULL;
}

/* The fields of list fact `list` (FIELD_ROWS), right after it: one records
 * column each, read by RFIELD. */
static void declare_row_fields(builder *b, sym *list)
{
    hm_program *p = b->p;
    for (ast *rf = list->type->rtype->decl->a; rf; rf = rf->next) {
        sym *col = symtab_get(&b->s->facts, arena_printf(b->s->arena, "%s.%s", list->name, rf->str));
        if (!col || col->decl != rf)
            continue;
        const hm_type *vt = col->type;
        hm_field f = { .entity = (uint8_t)col->entity,
                       .vtype = (uint8_t)(vt->kind == T_PERSON ? VT_PERSON : ty_vtype(vt)),
                       .period = (uint8_t)(vt->kind == T_MONEY ? vt->period : 0),
                       .records = FIELD_ROWFIELD, .name = str_id(b, col->name),
                       .source = str_id(b, list->source->name), .codeset = -1, .column = p->nrcols++ };
        if (!f.vtype)
            f.vtype = VT_INT;   /* a field in error: never compiled, as the pack has errors */
        col->id = p->nfields;
        push_fields(b, f);
    }
}

/* The reference tables of the sources, with their attributes. */
static void declare_reftabs(builder *b)
{
    sema *s = b->s;
    hm_program *p = b->p;
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            if (n->kind != N_SOURCE)
                continue;
            for (ast *t = n->b; t; t = t->next) {
                sym *y = t->sym;
                if (!y || y->decl != t)
                    continue;
                hm_reftab rt = { .name = str_id(b, t->str), .label = t->str2 ? str_id(b, t->str2) : -1,
                                 .source = str_id(b, n->str), .dated = t->flag, .first = p->nrefattrs };
                for (ast *a = t->a; a; a = a->next) {
                    const hm_type *at = a->ty ? (const hm_type *)a->ty : &ty_error;
                    hm_refattr ra = { .name = str_id(b, a->str), .label = a->str2 ? str_id(b, a->str2) : -1,
                                      .vtype = (uint8_t)ty_vtype(at),
                                      .period = (uint8_t)(at->kind == T_MONEY ? at->period : 0) };
                    if (!ra.vtype)
                        ra.vtype = VT_INT;  /* in error: never run, as the pack has errors */
                    push_refattrs(b, ra);
                    rt.n++;
                }
                y->id = p->nreftabs;
                push_reftabs(b, rt);
            }
        }
}

/* The fields read through key fact `key` from its reference table, right
 * after it, each filled in at load (program.refreads). */
static void declare_ref_fields(builder *b, sym *key)
{
    hm_program *p = b->p;
    sym *rt = key->type->reftab;
    for (ast *a = rt->decl->a; a; a = a->next) {
        sym *col = symtab_get(&b->s->facts, arena_printf(b->s->arena, "%s.%s", key->name, a->str));
        if (!col || col->refattr != a || col->owner != key)
            continue;
        const hm_type *vt = col->type;
        hm_field f = { .entity = (uint8_t)col->entity, .vtype = (uint8_t)ty_vtype(vt),
                       .period = (uint8_t)(vt->kind == T_MONEY ? vt->period : 0),
                       .records = FIELD_VALUE, .name = str_id(b, col->name),
                       .source = str_id(b, col->source->name), .codeset = -1,
                       .column = col->entity == ENT_HOUSEHOLD ? p->nhcols++ : p->npcols++ };
        if (!f.vtype)
            f.vtype = VT_INT;
        col->id = p->nfields;
        push_fields(b, f);
        hm_refread r = { .field = col->id, .key = key->id, .table = rt->id, .attr = col->index };
        push_refreads(b, r);
    }
}

static void declare_ids(builder *b)
{
    sema *s = b->s;
    hm_program *p = b->p;
    declare_reftabs(b);
    /* facts, in declaration order */
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            if (n->kind != N_SOURCE)
                continue;
            for (ast *fd = n->a; fd; fd = fd->next) {
                sym *fact = fd->sym;
                if (!fact || fact->decl != fd)
                    continue;
                const hm_type *t = fact->type;
                int records = t->kind == T_RECORDS ? FIELD_RECORDS : t->kind == T_ROWS ? FIELD_ROWS : FIELD_VALUE;
                const hm_type *vt = records == FIELD_RECORDS ? t->elem : records == FIELD_ROWS ? &ty_int : t;
                hm_field f = { .entity = (uint8_t)fact->entity,
                               .vtype = (uint8_t)(vt->kind == T_PERSON ? VT_PERSON : ty_vtype(vt)),
                               .period = (uint8_t)(vt->kind == T_MONEY ? vt->period : 0),
                               .records = (uint8_t)records, .name = str_id(b, fact->name),
                               .source = str_id(b, fact->source->name), .codeset = -1 };
                if (fd->b) {
                    int64_t v = 0;
                    sema_literal_int(s, fd->b->a, &v);
                    f.fresh = (int32_t)v;
                    f.fresh_unit = fd->b->flag;
                }
                if (records != FIELD_VALUE)
                    f.column = p->nrcols++;     /* a person's or the household's */
                else if (fact->entity == ENT_HOUSEHOLD)
                    f.column = p->nhcols++;
                else
                    f.column = p->npcols++;
                fact->id = p->nfields;
                push_fields(b, f);
                const char *text = NULL;
                hm_fdefault dv = { .field = fact->id, .text = -1 };
                if (fact->dflt && sema_literal_value(s, fact->dflt->c, t, &dv.value, &text) == 0) {
                    if (text)
                        dv.text = str_id(b, text);
                    push_fdefaults(b, dv);
                }
                if (records == FIELD_ROWS)
                    declare_row_fields(b, fact);
                if (t->kind == T_TEXT && t->reftab)
                    declare_ref_fields(b, fact);
            }
        }
    /* every source of every field, grouped by field (a field declared by
     * two sources is read from both and compared) */
    for (int32_t fi = 0; fi < p->nfields; fi++) {
        /* a record's field comes from the sources of its list */
        int32_t decl = fi;
        while (decl > 0 && p->fields[decl].records == FIELD_ROWFIELD)
            decl--;
        for (int i = 0; i < s->nmods; i++)
            for (ast *n = s->mods[i]->root; n; n = n->next) {
                if (n->kind != N_SOURCE)
                    continue;
                for (ast *fd = n->a; fd; fd = fd->next) {
                    if (!fd->sym || ((sym *)fd->sym)->id != decl)
                        continue;
                    hm_fsource fs = { .field = fi, .source = str_id(b, n->str) };
                    if (fd->b) {
                        int64_t v = 0;
                        sema_literal_int(s, fd->b->a, &v);
                        fs.fresh = (int32_t)v;
                        fs.fresh_unit = fd->b->flag;
                    }
                    push_fsources(b, fs);
                }
            }
    }
    for (int i = 0; i < s->nmods; i++) {
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            sym *y = n->sym;
            if (!y)
                continue;
            switch (n->kind) {
            case N_EXTERN: {
                hm_extern x = { .name = str_id(b, n->str), .source = n->str2 ? str_id(b, n->str2) : -1,
                                .result = (uint8_t)ty_vtype((const hm_type *)n->ty) };
                for (ast *q = n->a; q && x.nparams < HM_EXTERN_PARAMS; q = q->next)
                    x.params[x.nparams++] = (uint8_t)ty_vtype((const hm_type *)q->ty);
                y->id = p->nexterns;
                push_externs(b, x);
                break;
            }
            case N_CODES: {
                hm_codeset cs = { .name = str_id(b, n->str), .label = str_id(b, n->str2),
                                  .first_label = p->nlabels, .first_map = p->ncodemaps };
                for (ast *l = n->a; l; l = l->next) {
                    if (!l->sym)
                        continue;
                    push_labels(b, str_id(b, l->str));
                    push_labels(b, str_id(b, l->str2 ? l->str2 : l->str));
                    cs.nlabels++;
                }
                for (ast *m = n->b; m; m = m->next)
                    for (ast *e = m->a; e; e = e->next) {
                        sym *l = symtab_get(y->labels, e->str2);
                        hm_codemap cm = { str_id(b, m->str), str_id(b, e->str), l ? l->index : -1 };
                        push_codemaps(b, cm);
                        cs.nmaps++;
                    }
                y->id = p->ncodesets;
                push_codesets(b, cs);
                break;
            }
            default: break;
            }
        }
    }
    /* code fields point at their code set */
    for (int i = 0; i < p->nfields; i++) {
        (void)i;
    }
    if (s->facts.buckets)
        for (unsigned k = 0; k < s->facts.nbuckets; k++)
            for (sym *fact = s->facts.buckets[k]; fact; fact = fact->chain) {
                const hm_type *t = fact->type->kind == T_RECORDS ? fact->type->elem : fact->type;
                if (t->kind == T_CODE && fact->id >= 0 && fact->id < p->nfields)
                    p->fields[fact->id].codeset = t->codeset->id;
            }
    int32_t nshared;
    const char **shared = shared_policy_names(b, &nshared);
    /* parameters, scales, functions, policies (module level, then local) */
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            sym *y = n->sym;
            if (!y)
                continue;
            if (n->kind == N_PARAM || n->kind == N_SCALE || n->kind == N_POLICY) {
                ast *items = n->kind == N_POLICY ? n->a : NULL;
                for (ast *it = n->kind == N_POLICY ? items : n; it; it = n->kind == N_POLICY ? it->next : NULL) {
                    sym *z = it->sym;
                    if (!z)
                        continue;
                    int line, col;
                    srcfile_locate(s->mods[i]->file, it->loc.start, &line, &col);
                    if (it->kind == N_PARAM) {
                        hm_param pp = { .key_fn = -1, .name = str_id(b, it->str), .label = str_id(b, it->str2),
                                        .ref = it->d ? str_id(b, it->d->str) : -1,
                                        .vtype = (uint8_t)ty_vtype(z->type),
                                        .unit = (uint8_t)(z->type->kind == T_DURATION ? z->type->unit : 0),
                                        .line = line,
                                        .file = str_id(b, s->mods[i]->file->path) };
                        z->id = p->nparams;
                        push_params(b, pp);
                    } else if (it->kind == N_SCALE) {
                        hm_scale sc = { .name = str_id(b, it->str), .label = str_id(b, it->str2) };
                        z->id = p->nscales;
                        push_scales(b, sc);
                    } else if (it->kind == N_LET) {
                        hm_let l = { .name = str_id(b, it->str), .policy = -1, .fn = -1, .vtype = 0 };
                        z->id = p->nlets;
                        push_lets(b, l);
                    }
                }
                if (n->kind == N_POLICY) {
                    int line, col;
                    srcfile_locate(s->mods[i]->file, n->loc.start, &line, &col);
                    const char *ref = NULL;
                    for (ast *it = n->a; it; it = it->next)
                        if (it->kind == N_REF && !ref)
                            ref = it->str;
                    const char *name = n->str;
                    if (shared && bsearch(&name, shared, (size_t)nshared, sizeof *shared, by_name)) {
                        const hm_module *md = s->mods[i];
                        name = md->name ? arena_printf(s->arena, "%s.%s", md->name, n->str)
                                        : arena_printf(s->arena, "%s:%s", md->file->path, n->str);
                    }
                    hm_policy pol = { .name = str_id(b, name), .label = str_id(b, n->str2),
                                      .ref = str_id(b, ref), .entity = (int32_t)n->ival, .cond = -1,
                                      .amount_fn = -1, .applies = -1, .claims = -1, .order = -1, .line = line,
                                      .file = str_id(b, s->mods[i]->file->path) };
                    y->id = p->npolicies;
                    push_policies(b, pol);
                    for (ast *it = n->a; it; it = it->next)
                        if (it->kind == N_LET && it->sym)
                            p->lets[((sym *)it->sym)->id].policy = y->id;
                }
            }
        }
}

/* Keep the text of every policy file in the program (not the facts file
 * of --given), in the order they were read, so a pack alone shows rule
 * text and proves which sources it was compiled from. */
static void keep_sources(builder *b)
{
    sema *s = b->s;
    hm_program *p = b->p;
    size_t total = 0;
    for (int i = 0; i < s->nmods; i++)
        if (s->mods[i]->file->index != s->facts_file)
            total += s->mods[i]->file->len;
    if (total > UINT32_MAX) {
        diag_error(s->diags, NULL, (hm_span){ 0, 0 }, "the policy files are larger than 4 GiB together");
        return;
    }
    p->srcfiles = mem_calloc((size_t)s->nmods + 1, sizeof *p->srcfiles);
    p->srctext = mem_alloc(total + 1);
    if (!p->srcfiles || !p->srctext)
        longjmp(*b->oom, 1);
    size_t off = 0;
    for (int i = 0; i < s->nmods; i++) {
        const hm_srcfile *f = s->mods[i]->file;
        if (f->index == s->facts_file)
            continue;
        hm_srcrec *r = &p->srcfiles[p->nsrcfiles++];
        r->path = str_id(b, f->path);
        r->off = off;
        r->len = (uint32_t)f->len;
        memcpy(p->srctext + off, f->text, f->len);
        off += f->len;
        struct sha256_ctx ctx;
        sha256_init(&ctx);
        sha256_update(&ctx, f->len, (const uint8_t *)f->text);
        sha256_digest(&ctx, sizeof r->sha256, r->sha256);
    }
    p->srctext_len = (uint32_t)off;
}

/* A reformed program records its base and its reform (bytecode.md). */
static void keep_reform(builder *b)
{
    sema *s = b->s;
    ast *r = s->reform;
    if (!r || !s->reform_base)
        return;
    hm_program *p = b->p;
    hm_reform rec = { .name = str_id(b, r->str), .label = str_id(b, r->str2), .file = -1 };
    const char *path = s->mods[r->file]->file->path;
    for (int32_t i = 0; i < p->nsrcfiles; i++)
        if (strcmp(prog_str(p, p->srcfiles[i].path), path) == 0)
            rec.file = i;
    const char *amends = "";
    for (ast *u = r->a; u; u = u->next)
        amends = *amends ? arena_printf(s->arena, "%s, %s", amends, u->str) : u->str;
    rec.amends = str_id(b, amends);
    memcpy(rec.base_sha256, s->reform_base, sizeof rec.base_sha256);
    push_reforms(b, rec);
}

/* The payment roll's lists and `regions by` (program.rolls, .regions),
 * for audit and diff: which fields they are. */
static void keep_audit(builder *b)
{
    sema *s = b->s;
    hm_program *p = b->p;
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            if (n->kind == N_REGIONS && n->sym && p->nregions == 0) {
                sym *fact = n->sym;
                hm_regions rg = { .field = fact->id, .table = -1, .name = -1 };
                sym *rt = fact->type->reftab;
                if (rt) {
                    rg.table = rt->id;
                    int32_t k = 0;
                    for (ast *a = rt->decl->a; a; a = a->next, k++)
                        if (strcmp(a->str, "name") == 0 && a->ty && ((const hm_type *)a->ty)->kind == T_TEXT)
                            rg.name = k;
                }
                push_regions(b, rg);
            }
            if (n->kind != N_SOURCE || !n->flag)
                continue;
            for (ast *fd = n->a; fd; fd = fd->next) {
                sym *fact = fd->sym;
                if (!fact || fact->decl != fd || fact->type->kind != T_ROWS)
                    continue;
                hm_roll r = { .field = fact->id, .source = str_id(b, n->str),
                              .label = n->str2 ? str_id(b, n->str2) : -1, .policy = -1, .amount = -1, .since = -1 };
                for (int32_t f = fact->id + 1; f < p->nfields && p->fields[f].records == FIELD_ROWFIELD; f++) {
                    int vt = p->fields[f].vtype;
                    int32_t *slot = vt == VT_TEXT ? &r.policy : vt == VT_MONEY ? &r.amount : vt == VT_DATE ? &r.since
                                  : NULL;
                    if (slot && *slot < 0)
                        *slot = f;
                }
                if (r.policy >= 0 && r.amount >= 0 && r.since >= 0)
                    push_rolls(b, r);
            }
        }
}

int cg_program(sema *s, hm_program *out, cg_map *map)
{
    builder bb;
    memset(&bb, 0, sizeof bb);
    builder *b = &bb;
    b->s = s;
    b->map = map;
    b->p = out;
    /* out of memory: free the interning tables, then go on to the caller's handler */
    jmp_buf *outer = s->arena->oom, local;
    if (setjmp(local)) {
        mem_free(bb.strhash);
        mem_free(bb.khash_v);
        mem_free(bb.khash_i);
        mem_free(bb.cur_code);
        mem_free(bb.cur_lines);
        mem_free(bb.seen);
        mem_free(bb.stack);
        s->arena->oom = outer;
        longjmp(*outer, 1);
    }
    b->oom = &local;
    s->arena->oom = &local;
    memset(out, 0, sizeof *out);
    int before = s->diags->errors;
    str_id(b, "");      /* string 0 is the empty string */
    declare_ids(b);
    hm_program *p = out;
    /* user functions before anything calls them: ids first */
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next)
            if (n->kind == N_FUNCTION && n->sym) {
                hm_function fn = { .name = str_id(b, n->str), .kind = FN_USER, .policy = -1 };
                ((sym *)n->sym)->id = p->nfns;
                push_fns(b, fn);
            }
    int nuser = p->nfns;
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            if (n->kind == N_FUNCTION && n->sym) {
                sym *y = n->sym;
                int32_t real = cg_function(b, n->str, FN_USER, -1, n->a, n->c, y->type, s->mods[i]->file);
                /* move the compiled body into the reserved slot */
                p->fns[y->id] = p->fns[real];
                p->nfns--;
                if (map) {
                    for (int32_t k = 0; k < map->nprobes; k++)
                        if (map->probes[k].fn == real)
                            map->probes[k].fn = y->id;
                    map->fn_ast[y->id] = map->fn_ast[real];
                    map->fn_ast[real] = NULL;
                }
            }
        }
    (void)nuser;
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            if (n->kind == N_PARAM && n->sym)
                cg_param(b, n->sym);
            else if (n->kind == N_SCALE && n->sym)
                cg_scale(b, n->sym);
            else if (n->kind == N_POLICY && n->sym)
                for (ast *it = n->a; it; it = it->next) {
                    if (it->kind == N_PARAM && it->sym)
                        cg_param(b, it->sym);
                    else if (it->kind == N_SCALE && it->sym)
                        cg_scale(b, it->sym);
                }
        }
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next)
            if (n->kind == N_POLICY && n->sym)
                cg_policy(b, n->sym);
    /* excludes: for each policy, the policies that exclude it; and facts */
    uint8_t *seen = b->seen = mem_calloc((size_t)p->nfields + 1, 1);
    if (!seen)
        longjmp(*b->oom, 1);
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            if (n->kind != N_POLICY || !n->sym)
                continue;
            sym *y = n->sym;
            hm_policy *pol = &p->policies[y->id];
            pol->first_excl = p->nints;
            for (int j = 0; j < s->nmods; j++)
                for (ast *m = s->mods[j]->root; m; m = m->next) {
                    if (m->kind != N_POLICY || !m->sym)
                        continue;
                    for (ast *it = m->a; it; it = it->next)
                        if (it->kind == N_EXCLUDES && it->sym == y) {
                            push_ints(b, ((sym *)m->sym)->id);
                            p->policies[y->id].nexcl++;
                        }
                }
            memset(seen, 0, (size_t)p->nfields + 1);
            collect_facts(b, n->a, seen);
            collect_facts(b, n->b, seen);
            pol = &p->policies[y->id];
            pol->first_fact = p->nints;
            for (int k = 0; k < p->nfields; k++)
                if (seen[k]) {
                    push_ints(b, k);
                    p->policies[y->id].nfacts++;
                }
        }
    mem_free(seen);
    b->seen = NULL;
    keep_sources(b);
    keep_reform(b);
    keep_audit(b);
    mem_free(b->stack);
    b->stack = NULL;
    mem_free(b->strhash);
    mem_free(b->khash_v);
    mem_free(b->khash_i);
    s->arena->oom = outer;
    return s->diags->errors - before;
}
