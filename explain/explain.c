/* explain.c -- build the explanation of a household's decisions from a
 * trace of its evaluation.  See explain.h and docs/explain.md.
 *
 * A trace is a flat list of events: a function starts (a frame), an
 * instruction ran and left a value in its register A.  Replaying a frame's
 * instructions over a shadow register file recovers the value of every
 * expression the compiler left a probe for, as many times as it was
 * computed (once per element inside an aggregate).  Everything shown is
 * what the VM computed; nothing is evaluated a second way. */
#include "explain.h"
#include "package.h"
#include "people.h"
#include "calendar.h"
#include "mask.h"
#include "mem.h"
#include "utf8.h"
#include "srcfile.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef struct frame {
    int32_t fn, parent, self, owner;    /* owner: the policy it works for, or -1 */
    int32_t claim;                      /* the claim it worked for (a records row), or -1 */
    size_t first, last;                 /* its ENTER event and its last event */
    hm_val ret;
    int returned;
} frame;

typedef struct firing {
    int32_t probe;
    hm_val v;
} firing;

typedef struct factread {
    int32_t field, member;  /* member -1: a household fact */
    hm_val v;
} factread;

typedef struct factframe {
    int32_t field, member, frame;   /* member -1: a household fact */
} factframe;

typedef struct paramread {
    int32_t param;
    hm_val key;
    int32_t on;         /* the date it was read on: the as-of date, or another (`P as of D`) */
    int32_t keys;           /* a table of several keys: its keys from ex.keyv[keys], else -1 */
} paramread;

/* a scale applied (or its band looked up) to an amount */
typedef struct scaleuse {
    int32_t scale;
    hm_val x;
} scaleuse;

typedef struct ex {
    const ex_input *in;
    const hm_program *p;
    const cg_map *map;
    hm_vm *vm;
    int32_t claim;          /* the claim whose decision is explained (its records row), or -1 */
    int32_t claim_k;        /* and its position in the member's list, or -1 */
    vm_trace tr;
    frame *frames;
    int32_t nframes;
    /* frames in order of (function, member) and of (policy, member), each
     * then in order of execution; the calls each frame made */
    int32_t *byfn, *byowner, *kid, *sib;
    /* (field, member, frame) for every fact read, in that order; built
     * when first needed */
    struct factframe *rdx;
    int32_t nrdx;
    int rdx_built;
    int32_t *hfield, *pfield, *rfield;  /* fact store column → program field */
    int32_t *pfirst, *pcount, *pidx;    /* probes of each function */
    /* the frame last replayed, and what it computed */
    int32_t scanned;
    firing *fire;
    int32_t nfire, capfire;
    factread *reads;
    int32_t nreads, capreads;
    paramread *params;
    int32_t nparams, capparams;
    hm_val *keyv;           /* the keys of the tables of several keys read */
    int32_t nkeyv, capkeyv;
    scaleuse *scaleuses;
    int32_t nscaleuses, capscaleuses;
    hm_val *shadow;
    uint8_t *armed;
    /* the calls the decision being explained has shown: a call of the
     * same function with the same arguments refers to the first */
    int32_t *shown;         /* frames */
    int32_t nshown, capshown;
    struct people *people;  /* the readers' words (people.h) */
    int oom;
} ex;

/* ---- small helpers ------------------------------------------------------------- */

static void *grow(ex *x, void *arr, int32_t *cap, size_t elem, int32_t need)
{
    if (need <= *cap)
        return arr;
    int32_t c = *cap ? *cap * 2 : 64;
    while (c < need)
        c *= 2;
    void *na = mem_realloc(arr, elem * (size_t)c);
    if (!na) {
        x->oom = 1;
        return NULL;
    }
    *cap = c;
    return na;
}


/* The JSON values of an explanation: a household of 10,000 members has
 * millions, all freed together, so they are carved from large blocks and
 * freed with them rather than one by one (a value of ARENA_LARGE bytes or
 * more is allocated and freed on its own). */
typedef struct ablock {
    struct ablock *next;
    size_t used, cap, pad;      /* 32 bytes: what follows stays 16-aligned */
} ablock;

typedef struct ahdr {
    size_t size, pad;
} ahdr;

/* a block is a huge page where the system has them (one page fault for
 * 2 MiB, not 512); blocks released are kept for the next decision */
#define ARENA_BLOCK ((size_t)2 << 20)
#define ARENA_LARGE ((size_t)4096)

static struct {
    ablock *head, *spare;
    json_malloc_t saved_malloc;
    json_free_t saved_free;
    int on;
} jarena;

static ablock *new_block(void)
{
    ablock *b = jarena.spare;
    if (b) {
        jarena.spare = b->next;
        return b;
    }
    void *mem = NULL;
    if (posix_memalign(&mem, ARENA_BLOCK, ARENA_BLOCK) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(mem, ARENA_BLOCK, MADV_HUGEPAGE);   /* a hint: no matter if refused */
#endif
    b = mem;
    b->cap = ARENA_BLOCK - sizeof *b;
    return b;
}

static void *jarena_malloc(size_t n)
{
    if (n >= ARENA_LARGE) {
        ahdr *h = n < SIZE_MAX - sizeof *h ? mem_alloc(sizeof *h + n) : NULL;
        if (!h)
            return NULL;
        h->size = n;
        return h + 1;
    }
    size_t need = sizeof(ahdr) + ((n + 15) & ~(size_t)15);
    ablock *b = jarena.head;
    if (!b || b->used + need > b->cap) {
        if (!(b = new_block()))
            return NULL;
        b->next = jarena.head;
        b->used = 0;
        jarena.head = b;
    }
    ahdr *h = (ahdr *)((char *)(b + 1) + b->used);
    b->used += need;
    h->size = n;
    return h + 1;
}

static void jarena_free(void *p)
{
    if (p && ((ahdr *)p - 1)->size >= ARENA_LARGE)
        mem_free((ahdr *)p - 1);
}

/* The place the arena has reached, to go back to once what was made
 * after it is freed. */
typedef struct amark {
    ablock *head;
    size_t used;
} amark;

static amark arena_mark(void) { return (amark){ jarena.head, jarena.head ? jarena.head->used : 0 }; }

static void arena_release(amark m)
{
    if (!jarena.on)
        return;
    while (jarena.head && jarena.head != m.head) {
        ablock *b = jarena.head;
        jarena.head = b->next;
        b->next = jarena.spare;
        jarena.spare = b;
    }
    if (jarena.head)
        jarena.head->used = m.used;
}

void explain_arena_begin(void)
{
    if (jarena.on)
        return;
    json_get_alloc_funcs(&jarena.saved_malloc, &jarena.saved_free);
    json_set_alloc_funcs(jarena_malloc, jarena_free);
    jarena.on = 1;
}

void explain_arena_end(void)
{
    if (!jarena.on)
        return;
    json_set_alloc_funcs(jarena.saved_malloc, jarena.saved_free);
    jarena.on = 0;
    for (int k = 0; k < 2; k++)
        for (ablock **l = k ? &jarena.spare : &jarena.head; *l;) {
            ablock *b = *l;
            *l = b->next;
            free(b);    /* from posix_memalign */
        }
}

/* The explanation being built counts the bytes it replaced. */
static _Thread_local int *replaced_count;

static json_t *jtext(const char *s) { return utf8_json_text(s, strlen(s), replaced_count); }

static json_t *jstrf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *jstrf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    if ((size_t)n < sizeof buf)
        return jtext(buf);
    /* longer: the whole text, never cut */
    char *t = mem_alloc((size_t)n + 1);
    if (!t)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(t, (size_t)n + 1, fmt, ap);
    va_end(ap);
    json_t *j = jtext(t);
    mem_free(t);
    return j;
}

static json_t *jstr_or_null(const char *s) { return s && *s ? jtext(s) : json_null(); }

static const char *date_text(int32_t d, char buf[16])
{
    cal_format(d, buf);
    return buf;
}

/* The extent of a node's source: a node's own span covers its operator or
 * name only, so take in its children, then the brackets that enclose
 * them.  Recursion as deep as the expression, which the parser bounds. */
static void subtree_span(const ast *n, uint32_t *a, uint32_t *b)
{
    if (!n)
        return;
    if (n->loc.end > n->loc.start) {
        if (n->loc.start < *a)
            *a = n->loc.start;
        if (n->loc.end > *b)
            *b = n->loc.end;
    }
    subtree_span(n->a, a, b);
    subtree_span(n->b, a, b);
    subtree_span(n->c, a, b);
    if (n->kind == N_CALL || n->kind == N_LISTLIT)
        for (const ast *k = n->a ? n->a->next : NULL; k; k = k->next)
            subtree_span(k, a, b);
}

/* Take in the brackets the span [a, b) leaves unclosed at either end:
 * the closing ones it starts with (their openers lie before a) and the
 * opening ones it ends with.  Counting the lowest depth the span reaches,
 * not a sum, keeps `x > 0) and (y` from passing for balanced.  Brackets
 * inside a text do not count. */
static int is_open(char c) { return c == '(' || c == '['; }
static int is_close(char c) { return c == ')' || c == ']'; }

static void balance(const char *t, size_t len, uint32_t *a, uint32_t *b)
{
    int depth = 0, low = 0, quote = 0;
    for (uint32_t k = *a; k < *b; k++) {
        char ch = t[k];
        if (quote) {
            if (ch == '\\' && k + 1 < *b)
                k++;
            else if (ch == '"')
                quote = 0;
        } else if (ch == '"') {
            quote = 1;
        } else if (is_open(ch)) {
            depth++;
        } else if (is_close(ch) && --depth < low) {
            low = depth;
        }
    }
    for (int need = -low; need > 0 && *a > 0; (*a)--) {
        char ch = t[*a - 1];
        need += is_close(ch) ? 1 : is_open(ch) ? -1 : 0;
    }
    quote = 0;
    for (int need = depth - low; need > 0 && *b < len; (*b)++) {
        char ch = t[*b];
        if (quote) {
            if (ch == '\\' && *b + 1 < len)
                (*b)++;
            else if (ch == '"')
                quote = 0;
        } else if (ch == '"') {
            quote = 1;
        } else {
            need += is_open(ch) ? 1 : is_close(ch) ? -1 : 0;
        }
    }
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* A name's character (a byte of UTF-8 text counts) or the end of an
 * operand: a `(` after one opens a call or an index, not a grouping. */
static int ends_operand(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (unsigned char)c >= 0x80 || c == ')' || c == ']';
}

/* Take in the parentheses written around the whole span: `(a * 2 + 1)` as
 * a function's body keeps them, though the tree has no node for them. */
static void outer_parens(const char *t, size_t len, uint32_t *a, uint32_t *b)
{
    for (;;) {
        uint32_t p = *a, q = *b;
        while (p > 0 && is_space(t[p - 1]))
            p--;
        while (q < len && is_space(t[q]))
            q++;
        if (p == 0 || q >= len || t[p - 1] != '(' || t[q] != ')')
            return;
        uint32_t r = p - 1;
        while (r > 0 && is_space(t[r - 1]))
            r--;
        if (r > 0 && ends_operand(t[r - 1]))
            return;
        *a = p - 1;
        *b = q + 1;
    }
}

/* The source text of a node, its runs of white space made single spaces. */
static json_t *node_text(ex *x, const ast *n)
{
    sema *s = x->in->s;
    if (!n || n->file < 0 || n->file >= s->nmods)
        return jtext("");
    const hm_srcfile *f = s->mods[n->file]->file;
    uint32_t a = UINT32_MAX, b = 0;
    subtree_span(n, &a, &b);
    if (a == UINT32_MAX)
        a = b = n->loc.start;
    if (b > f->len)
        b = (uint32_t)f->len;
    if (a > b)
        a = b;
    balance(f->text, f->len, &a, &b);
    outer_parens(f->text, f->len, &a, &b);
    /* whole, however long: never more than the source it comes from */
    char *buf = mem_alloc((size_t)(b - a) + 1);
    if (!buf)
        return NULL;
    size_t len = 0;
    int space = 0;
    for (uint32_t k = a; k < b; k++) {
        char ch = f->text[k];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            space = 1;
            continue;
        }
        if (ch == '#') {
            /* a comment inside a multi-line expression */
            while (k < b && f->text[k] != '\n')
                k++;
            space = 1;
            continue;
        }
        if (space && len)
            buf[len++] = ' ';
        space = 0;
        buf[len++] = ch;
    }
    json_t *j = utf8_json_text(buf, len, replaced_count);
    mem_free(buf);
    return j;
}

static void node_where(ex *x, const ast *n, json_t *o)
{
    sema *s = x->in->s;
    if (!n || n->file < 0 || n->file >= s->nmods)
        return;
    const hm_srcfile *f = s->mods[n->file]->file;
    int line, col;
    srcfile_locate(f, n->loc.start, &line, &col);
    const char *base = strrchr(f->path, '/');
    json_object_set_new(o, "file", jtext(base ? base + 1 : f->path));
    json_object_set_new(o, "line", json_integer(line));
}

/* the runtime type of a node's value: VT_*, 0 for lists and persons */
static int node_vtype(const ast *n, int32_t *cs)
{
    const hm_type *t = n ? (const hm_type *)n->ty : NULL;
    *cs = -1;
    if (!t)
        return 0;
    if (t->kind == T_CODE)
        *cs = t->codeset ? t->codeset->id : -1;
    return ty_vtype(t);
}

static const char *unk_word(hm_val v) { return v.unk == UNK_ERROR ? "error" : "unknown"; }

static int32_t nmembers(ex *x) { return x->in->facts->hh_count[0]; }

static json_t *member_json(ex *x, int32_t m)
{
    if (m < 0)
        return json_null();
    return json_integer(m + 1);
}

static const char *member_id(ex *x, int32_t m)
{
    return x->in->member_ids && m >= 0 && m < nmembers(x) ? x->in->member_ids[m] : NULL;
}

/* "members 1, 3" for a list of persons, every one of them */
static json_t *list_json(ex *x, hm_val v)
{
    const int32_t *items;
    int32_t k;
    int col = vm_list_items(x->vm, v.v, &items, &k);
    if (col == -2)
        return jtext("?");
    if (col >= 0)
        return jstrf("%d record%s", k, k == 1 ? "" : "s");
    if (k == 0)
        return jtext("no member");
    size_t n = 16 + 13 * (size_t)k, len;
    char *buf = mem_alloc(n);
    if (!buf)
        return NULL;
    len = (size_t)snprintf(buf, n, "member%s ", k == 1 ? "" : "s");
    for (int32_t i = 0; i < k; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%d", i ? ", " : "", items[i] + 1);
    json_t *j = jtext(buf);
    mem_free(buf);
    return j;
}

/* A value of type vtype as JSON text; a text whole, never cut. */
static const char *member_id(ex *x, int32_t m);

static json_t *format_json(ex *x, hm_val v, int vtype, int32_t cs)
{
    if (!v.unk && vtype == VT_TEXT)
        return jtext(vm_text(x->vm, v.v));
    if (!v.unk && vtype == VT_PERSON) {
        /* a link names the member by its id too, masked: the value is
         * text, not an id key, wherever the document goes */
        const char *id = member_id(x, (int32_t)v.v);
        char m[256];
        if (id && strlen(id) < sizeof m)
            return jstrf("member %" PRId64 " (%s)", v.v + 1, mask_id(id, m));
    }
    char buf[256];
    return jtext(vm_format_value(x->vm, v, vtype, cs, buf, sizeof buf));
}

/* The fields of the record in row `row` of list field `list` (FIELD_ROWS):
 * {"kind": "小型汽车", "value": null, …}, null for a field it leaves out. */
static json_t *row_fields_json(ex *x, int32_t list, int32_t row)
{
    const hm_program *p = x->p;
    const hm_facts *f = x->in->facts;
    size_t skip = strlen(prog_str(p, p->fields[list].name)) + 1;
    json_t *o = json_object();
    for (int32_t k = list + 1; k < p->nfields && p->fields[k].records == FIELD_ROWFIELD; k++) {
        const hm_field *fd = &p->fields[k];
        const hm_rcolumn *rc = &f->rcol[fd->column];
        const char *name = prog_str(p, fd->name);
        name += strlen(name) >= skip ? skip : 0;
        hm_val v = { 0, UNK_MISSING, 0 };
        if (row >= 0 && row < rc->n && rc->date[row] != FACT_NO_DATE) {
            v.v = rc->v[row];
            v.unk = 0;
        }
        json_object_set_new(o, name, v.unk ? json_null() : format_json(x, v, fd->vtype, fd->codeset));
    }
    return o;
}

/* The record in row `row` of list field `list`: its place in its owner's
 * list (from 1) and its fields, into el. */
static void row_json(ex *x, json_t *el, int32_t list, int32_t row)
{
    const hm_rcolumn *rc = &x->in->facts->rcol[x->p->fields[list].column];
    int32_t pos = -1;
    for (int32_t o = 0; o < rc->owners && pos < 0; o++)
        if (rc->count[o] && row >= rc->first[o] && row < rc->first[o] + rc->count[o])
            pos = row - rc->first[o];
    json_object_set_new(el, "record", pos < 0 ? json_null() : json_integer(pos + 1));
    json_object_set_new(el, "fields", row_fields_json(x, list, row));
}

/* The list field a list of records comes from, or -1 for any other type. */
static int32_t rows_field(const ast *n)
{
    const hm_type *t = n ? (const hm_type *)n->ty : NULL;
    if (!t || (t->kind != T_ROWS && t->kind != T_ROW) || !t->fact)
        return -1;
    return t->fact->id;
}

/* Does the subtree hold a percentage written as such (`10%`)? */
static int has_percent(const ast *n, int depth)
{
    for (; n && depth < 64; n = n->next) {
        if (n->kind == N_PERCENT)
            return 1;
        if (has_percent(n->a, depth + 1) || has_percent(n->b, depth + 1) || has_percent(n->c, depth + 1))
            return 1;
    }
    return 0;
}

/* Is expression n a rate, shown as a percentage ("10%", not 0.1): a
 * scale's `.rate`, a percentage written so, a decimal parameter whose
 * values are written with `%`, or a let, an `if`, `min` or `max` whose
 * value is one of those unchanged (docs/language.md 9.4). */
static int is_rate(const ast *n, int depth)
{
    if (!n || depth > 16)
        return 0;
    const hm_type *t = n->ty;
    if (t && t->kind != T_DECIMAL)
        return 0;
    const sym *y = n->sym;
    switch (n->kind) {
    case N_PERCENT:
        return 1;
    case N_SCALEQ:
        return n->str && !strcmp(n->str, "rate");
    case N_NAME:
        if (y && y->kind == SYM_PARAM && y->decl)
            return has_percent(y->decl->c, 0);
        return y && y->kind == SYM_LET && y->decl && is_rate(y->decl->a, depth + 1);
    case N_IF:
        return is_rate(n->b, depth + 1) && is_rate(n->c, depth + 1);
    case N_CALL:
        if (!y && n->str && (!strcmp(n->str, "min") || !strcmp(n->str, "max"))) {
            for (const ast *a = n->a; a; a = a->next)
                if (!is_rate(a, depth + 1))
                    return 0;
            return n->a != NULL;
        }
        return 0;
    default:
        return 0;
    }
}

static const char *percent_text(int64_t ppm, char buf[32]);

/* A value as the JSON string of its display text, or null when unknown. */
static json_t *value_json(ex *x, hm_val v, const ast *n)
{
    if (v.unk)
        return json_null();
    const hm_type *t = n ? (const hm_type *)n->ty : NULL;
    if (t && (t->kind == T_LIST || t->kind == T_RECORDS || t->kind == T_ROWS))
        return list_json(x, v);
    if (t && t->kind == T_PERSON)
        return format_json(x, v, VT_PERSON, -1);
    if (t && t->kind == T_ROW) {
        json_t *el = json_object();
        row_json(x, el, rows_field(n), (int32_t)v.v);
        json_t *r = jstrf("record %lld", (long long)json_integer_value(json_object_get(el, "record")));
        json_decref(el);
        return r;
    }
    if (t && t->kind == T_HOUSEHOLD)
        return jtext("the household");
    int32_t cs;
    int vt = node_vtype(n, &cs);
    if (vt == VT_DECIMAL && v.v >= 0 && is_rate(n, 0)) {
        char buf[32];
        return jtext(percent_text(v.v, buf));
    }
    return format_json(x, v, vt ? vt : VT_INT, cs);
}

/* ---- frames -------------------------------------------------------------------- */

static int build_frames(ex *x)
{
    const vm_trace *t = &x->tr;
    x->nframes = t->nframes;
    x->frames = mem_calloc((size_t)x->nframes + 1, sizeof *x->frames);
    if (!x->frames)
        return -1;
    for (size_t k = 0; k < t->n; k++) {
        const vm_event *e = &t->ev[k];
        if (e->frame < 0 || e->frame >= x->nframes)
            continue;
        frame *F = &x->frames[e->frame];
        if (e->kind == EV_ENTER) {
            F->fn = e->a;
            F->parent = e->b;
            F->self = e->self;
            F->claim = e->claim;
            F->first = k;
            F->last = k;
            const hm_function *fn = &x->p->fns[e->a];
            int own = fn->kind == FN_LET || fn->kind == FN_COND || fn->kind == FN_AMOUNT ||
                      fn->kind == FN_WHEN || fn->kind == FN_VALUE;
            F->owner = own ? fn->policy : e->b >= 0 ? x->frames[e->b].owner : -1;
        } else if (e->kind == EV_INSTR) {
            F->last = k;
            if (GET_OP(x->p->code[e->a]) == OP_RET) {
                F->ret = e->v;
                F->returned = 1;
            }
        }
    }
    return 0;
}

static int cmp_byfn(const void *a, const void *b, void *ctx)
{
    const frame *f = ctx, *p = &f[*(const int32_t *)a], *q = &f[*(const int32_t *)b];
    if (p->fn != q->fn)
        return p->fn < q->fn ? -1 : 1;
    if (p->self != q->self)
        return p->self < q->self ? -1 : 1;
    if (p->claim != q->claim)
        return p->claim < q->claim ? -1 : 1;
    return *(const int32_t *)a < *(const int32_t *)b ? -1 : *(const int32_t *)a > *(const int32_t *)b;
}

static int cmp_byowner(const void *a, const void *b, void *ctx)
{
    const frame *f = ctx, *p = &f[*(const int32_t *)a], *q = &f[*(const int32_t *)b];
    if (p->owner != q->owner)
        return p->owner < q->owner ? -1 : 1;
    if (p->self != q->self)
        return p->self < q->self ? -1 : 1;
    if (p->claim != q->claim)
        return p->claim < q->claim ? -1 : 1;
    return *(const int32_t *)a < *(const int32_t *)b ? -1 : *(const int32_t *)a > *(const int32_t *)b;
}

/* The indexes of the frames: a decision explains hundreds of frames out of
 * a household's millions, and finds each without a look at the others. */
static int index_frames(ex *x)
{
    int32_t n = x->nframes;
    x->byfn = mem_calloc((size_t)n + 1, sizeof *x->byfn);
    x->byowner = mem_calloc((size_t)n + 1, sizeof *x->byowner);
    x->kid = mem_calloc((size_t)n + 1, sizeof *x->kid);
    x->sib = mem_calloc((size_t)n + 1, sizeof *x->sib);
    int32_t *last = mem_calloc((size_t)n + 1, sizeof *last);
    if (!x->byfn || !x->byowner || !x->kid || !x->sib || !last) {
        mem_free(last);
        return -1;
    }
    for (int32_t i = 0; i < n; i++) {
        x->byfn[i] = x->byowner[i] = i;
        x->kid[i] = x->sib[i] = last[i] = -1;
    }
    for (int32_t i = 0; i < n; i++) {
        int32_t up = x->frames[i].parent;
        if (up < 0 || up >= n || up == i)
            continue;
        if (last[up] < 0)
            x->kid[up] = i;
        else
            x->sib[last[up]] = i;
        last[up] = i;
    }
    mem_free(last);
    qsort_r(x->byfn, (size_t)n, sizeof *x->byfn, cmp_byfn, x->frames);
    qsort_r(x->byowner, (size_t)n, sizeof *x->byowner, cmp_byowner, x->frames);
    return 0;
}

/* The first place in idx (sorted by key(frame)) whose frame has key
 * (a, b) or more; key is fn or owner, then self. */
static int32_t lower_bound(const ex *x, const int32_t *idx, int owner, int32_t a, int32_t b)
{
    int32_t lo = 0, hi = x->nframes;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        const frame *f = &x->frames[idx[mid]];
        int32_t fa = owner ? f->owner : f->fn;
        if (fa < a || (fa == a && (f->self < b || (f->self == b && f->claim < x->claim))))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The frame in which function fn ran for `self`, or -1. */
static int32_t find_frame(ex *x, int32_t fn, int32_t self)
{
    for (int32_t k = lower_bound(x, x->byfn, 0, fn, self); k < x->nframes; k++) {
        const frame *f = &x->frames[x->byfn[k]];
        if (f->fn != fn || f->self != self || f->claim != x->claim)
            break;
        if (f->returned)
            return x->byfn[k];
    }
    return -1;
}

static int index_probes(ex *x)
{
    const hm_program *p = x->p;
    const cg_map *m = x->map;
    x->pfirst = mem_calloc((size_t)p->nfns + 1, sizeof *x->pfirst);
    x->pcount = mem_calloc((size_t)p->nfns + 1, sizeof *x->pcount);
    x->pidx = mem_calloc((size_t)m->nprobes + 1, sizeof *x->pidx);
    x->armed = mem_calloc((size_t)m->nprobes + 1, 1);
    x->shadow = mem_calloc((size_t)p->max_regs + 1, sizeof *x->shadow);
    if (!x->pfirst || !x->pcount || !x->pidx || !x->armed || !x->shadow)
        return -1;
    for (int32_t k = 0; k < m->nprobes; k++)
        if (m->probes[k].fn >= 0 && m->probes[k].fn < p->nfns)
            x->pcount[m->probes[k].fn]++;
    int32_t at = 0;
    for (int32_t f = 0; f < p->nfns; f++) {
        x->pfirst[f] = at;
        at += x->pcount[f];
        x->pcount[f] = 0;
    }
    for (int32_t k = 0; k < m->nprobes; k++) {
        int32_t f = m->probes[k].fn;
        if (f >= 0 && f < p->nfns)
            x->pidx[x->pfirst[f] + x->pcount[f]++] = k;
    }
    x->hfield = mem_calloc((size_t)p->nhcols + 1, sizeof *x->hfield);
    x->pfield = mem_calloc((size_t)p->npcols + 1, sizeof *x->pfield);
    x->rfield = mem_calloc((size_t)p->nrcols + 1, sizeof *x->rfield);
    if (!x->hfield || !x->pfield || !x->rfield)
        return -1;
    for (int32_t i = 0; i < p->nfields; i++) {
        const hm_field *fd = &p->fields[i];
        if (fd->records)
            x->rfield[fd->column] = i;
        else if (fd->entity == ENT_HOUSEHOLD)
            x->hfield[fd->column] = i;
        else
            x->pfield[fd->column] = i;
    }
    return 0;
}

/* Replay frame F: the values its probes saw, the facts and parameters it
 * read. */
static void scan_frame(ex *x, int32_t F)
{
    if (x->scanned == F)
        return;
    x->scanned = F;
    x->nfire = x->nreads = x->nparams = x->nkeyv = x->nscaleuses = 0;
    const frame *fr = &x->frames[F];
    const hm_program *p = x->p;
    const cg_map *m = x->map;
    int32_t nregs = p->fns[fr->fn].nregs;
    for (int32_t r = 0; r < nregs; r++)
        x->shadow[r] = (hm_val){ 0, UNK_MISSING, 0 };
    int32_t pf = x->pfirst[fr->fn], pn = x->pcount[fr->fn];
    for (int32_t q = 0; q < pn; q++)
        x->armed[x->pidx[pf + q]] = 0;
    for (size_t k = fr->first + 1; k <= fr->last && k < x->tr.n; k++) {
        const vm_event *e = &x->tr.ev[k];
        if (e->frame == F && e->kind == EV_ARG && e->a >= 0 && e->a < nregs)
            x->shadow[e->a] = e->v;
        if (e->frame != F || e->kind != EV_INSTR)
            continue;
        uint32_t g = (uint32_t)e->a;
        for (int32_t q = 0; q < pn; q++) {
            int32_t pi = x->pidx[pf + q];
            const cg_probe *pr = &m->probes[pi];
            if (pr->end == g && x->armed[pi]) {
                x->armed[pi] = 0;
                firing *fa = grow(x, x->fire, &x->capfire, sizeof *fa, x->nfire + 1);
                if (fa) {
                    x->fire = fa;
                    hm_val v = pr->reg < nregs ? x->shadow[pr->reg] : (hm_val){ 0, UNK_ERROR, 0 };
                    if (pr->scale > 0 && !v.unk)
                        v.v /= pr->scale;   /* back to the number as written */
                    x->fire[x->nfire++] = (firing){ pi, v };
                }
            }
        }
        for (int32_t q = 0; q < pn; q++) {
            int32_t pi = x->pidx[pf + q];
            if (m->probes[pi].start == g)
                x->armed[pi] = 1;
        }
        hm_decoded i;
        hm_decode(p->code, p->ncode, g, &i);   /* verified: it ran */
        int op = i.op;
        factread fr2 = { -1, -1, e->v };
        if (op == OP_HFACT) {
            fr2.field = x->hfield[i.b];
        } else if (op == OP_HRECS) {
            fr2.field = x->rfield[i.b];
        } else if (op == OP_SFACT) {
            fr2.field = x->pfield[i.c];
            fr2.member = e->self;
        } else if (op == OP_PFACT || op == OP_PRECS) {
            hm_val who = x->shadow[i.b];
            fr2.field = op == OP_PFACT ? x->pfield[i.c] : x->rfield[i.c];
            fr2.member = who.unk ? -1 : (int32_t)who.v;
            if (who.unk)
                fr2.field = -1;
        }
        if (fr2.field >= 0) {
            factread *ra = grow(x, x->reads, &x->capreads, sizeof *ra, x->nreads + 1);
            if (ra) {
                x->reads = ra;
                x->reads[x->nreads++] = fr2;
            }
        }
        if (op == OP_PARAM || op == OP_PARAMKEY || op == OP_PARAMAT || op == OP_PARAMKEYAT || op == OP_PARAMKEYS) {
            paramread pr = { op == OP_PARAM ? i.b : i.c, (hm_val){ 0, 0, 0 }, vm_as_of(x->vm), -1 };
            if (op == OP_PARAMKEY || op == OP_PARAMKEYAT || op == OP_PARAMKEYS)
                pr.key = x->shadow[i.b];
            if (op == OP_PARAMAT || op == OP_PARAMKEYAT) {
                hm_val on = x->shadow[op == OP_PARAMAT ? i.b : i.b + 1];
                /* an unknown date reads nothing: shown as read on as_of, unknown */
                if (!on.unk && on.v >= CAL_FIRST && on.v <= CAL_LAST)
                    pr.on = (int32_t)on.v;
            }
            if (op == OP_PARAMKEYS) {
                int32_t nk = p->params[i.c].keyed;
                hm_val *kv = grow(x, x->keyv, &x->capkeyv, sizeof *kv, x->nkeyv + nk);
                if (kv) {
                    x->keyv = kv;
                    pr.keys = x->nkeyv;
                    for (int32_t j = 0; j < nk; j++)
                        x->keyv[x->nkeyv++] = x->shadow[i.b + j];
                }
            }
            paramread *pa = op == OP_PARAMKEYS && pr.keys < 0 ? NULL
                            : grow(x, x->params, &x->capparams, sizeof *pa, x->nparams + 1);
            if (pa) {
                x->params = pa;
                x->params[x->nparams++] = pr;
            }
        }
        if (op == OP_SCALE || op == OP_SCALERATE || op == OP_SCALEQUICK || op == OP_SCALEBAND) {
            scaleuse su = { i.c, x->shadow[i.b] };
            int dup = 0;    /* the rate, quick deduction and band of one amount: once */
            for (int32_t j = 0; j < x->nscaleuses && !dup; j++)
                dup = x->scaleuses[j].scale == su.scale && x->scaleuses[j].x.unk == su.x.unk &&
                      x->scaleuses[j].x.v == su.x.v;
            scaleuse *sa = dup ? NULL : grow(x, x->scaleuses, &x->capscaleuses, sizeof *sa, x->nscaleuses + 1);
            if (sa) {
                x->scaleuses = sa;
                x->scaleuses[x->nscaleuses++] = su;
            }
        }
        x->shadow[i.a] = e->v;
    }
}

/* A rate in millionths as a percentage: 100000 is "10%", 35000 "3.5%". */
static const char *percent_text(int64_t ppm, char buf[32])
{
    int64_t whole = ppm / 10000, frac = ppm % 10000;
    int n = snprintf(buf, 32, "%" PRId64, whole);
    if (frac) {
        n += snprintf(buf + n, (size_t)(32 - n), ".%04" PRId64, frac);
        while (buf[n - 1] == '0')
            buf[--n] = 0;
    }
    snprintf(buf + n, (size_t)(32 - n), "%%");
    return buf;
}

/* The scales frame F applied (after scan_frame): the band each amount fell
 * in, its rate and quick deduction, and amount × rate − quick. */
static json_t *scales_of(ex *x)
{
    const hm_program *p = x->p;
    json_t *arr = json_array();
    for (int32_t k = 0; k < x->nscaleuses; k++) {
        const scaleuse *su = &x->scaleuses[k];
        const hm_scale *sc = &p->scales[su->scale];
        json_t *o = json_object();
        char a[64], q[64], t[64], r[32], day[16];
        json_object_set_new(o, "scale", jtext(prog_str(p, sc->name)));
        json_object_set_new(o, "label", jstr_or_null(prog_str(p, sc->label)));
        json_object_set_new(o, "amount", su->x.unk ? json_null()
                                                    : jtext(vm_format_value(x->vm, su->x, VT_MONEY, -1, a, sizeof a)));
        hm_scaleband b;
        int st = su->x.unk ? SCALE_UNKNOWN : vm_scale_band(x->vm, su->scale, su->x.v, &b);
        if (st != SCALE_OK) {
            json_object_set_new(o, "unknown", jtext(su->x.unk == UNK_ERROR || st == SCALE_BADRATE ||
                                                    st == SCALE_OVERFLOW ? "error" : "unknown"));
            int32_t first = p->scalevers[sc->first].from;
            if (su->x.unk)
                json_object_set_new(o, "why", jtext("the amount is not known"));
            else if (st == SCALE_UNKNOWN && first > x->in->as_of)
                json_object_set_new(o, "why", jstrf("its first rows take effect on %s", date_text(first, day)));
            else if (st == SCALE_UNKNOWN)
                json_object_set_new(o, "why", jtext("a rate parameter has no value"));
            else if (st == SCALE_BADRATE)
                json_object_set_new(o, "why", jtext("a rate parameter is outside 0%-100%"));
            else
                json_object_set_new(o, "why", jtext("arithmetic overflow"));
            json_array_append_new(arr, o);
            continue;
        }
        json_object_set_new(o, "from", b.from == INT32_MIN ? json_null() : jtext(date_text(b.from, day)));
        json_object_set_new(o, "band", json_integer(b.band));
        json_object_set_new(o, "lower", jtext(vm_format_value(x->vm, (hm_val){ b.lower, 0, 0 }, VT_MONEY, -1,
                                                              q, sizeof q)));
        json_object_set_new(o, "upper", b.upper == INT64_MAX ? json_null()
                                        : jtext(vm_format_value(x->vm, (hm_val){ b.upper, 0, 0 }, VT_MONEY, -1,
                                                                q, sizeof q)));
        json_object_set_new(o, "rate", jtext(percent_text(b.rate, r)));
        int64_t pr = p->rows[b.row].rate;
        if (pr < 0)
            json_object_set_new(o, "rate_parameter", jtext(prog_str(p, p->params[-(pr + 1)].name)));
        json_object_set_new(o, "quick", jtext(vm_format_value(x->vm, (hm_val){ b.quick, 0, 0 }, VT_MONEY, -1,
                                                              q, sizeof q)));
        json_object_set_new(o, "result", jtext(vm_format_value(x->vm, (hm_val){ b.tax, 0, 0 }, VT_MONEY, -1,
                                                               t, sizeof t)));
        if (su->x.v <= 0)
            json_object_set_new(o, "computation", jstrf("%s ≤ 0: 0.00", a));
        else
            json_object_set_new(o, "computation", jstrf("%s × %s − %s = %s", a, r, q, t));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* The first value node n had in frame F (after scan_frame); 0 when found. */
static int node_value(ex *x, const ast *n, hm_val *v)
{
    for (int32_t k = 0; k < x->nfire; k++) {
        const cg_probe *pr = &x->map->probes[x->fire[k].probe];
        if (pr->node == n && pr->kind == PROBE_VALUE) {
            *v = x->fire[k].v;
            return 0;
        }
    }
    return -1;
}

/* ---- expressions --------------------------------------------------------------- */

static int is_loop(const ast *n) { return n->kind == N_AGG || n->kind == N_WHERE; }

static int contains_loop(const ast *n)
{
    for (; n; n = n->next) {
        if (is_loop(n) || contains_loop(n->a) || contains_loop(n->b) || contains_loop(n->c))
            return 1;
    }
    return 0;
}

/* The names an expression shows a value for: lets, parameters, facts,
 * calls, aggregates and other policies' decisions; not inside aggregates
 * (their elements are shown one by one). */
/* The names (lets, parameters, facts, policies, calls, aggregates) of an
 * expression whose values explain shows, each once, in order. */
typedef struct namelist {
    const ast **v;
    int32_t n, cap;
} namelist;

static void collect_names(ex *x, const ast *n, namelist *out, int in_loop)
{
    for (; n; n = NULL) {
        sym *y = n->sym;
        int take = 0, descend = 1;
        switch (n->kind) {
        case N_NAME:
            take = y && (y->kind == SYM_LET || y->kind == SYM_PARAM || (y->kind == SYM_FACT && in_loop));
            break;
        case N_GET: {
            /* `p.canji` is a person on its way to `.eligible`: the decision shows */
            const hm_type *t = n->ty, *ta = n->a ? (const hm_type *)n->a->ty : NULL;
            if (t && t->kind == T_POLICY) {
                descend = 0;
                break;
            }
            take = y && (y->kind == SYM_FACT || y->kind == SYM_POLICY);
            if (!take && n->a && n->a->kind == N_NAME && n->a->sym && ((sym *)n->a->sym)->kind == SYM_POLICY)
                take = 1;
            if (!take && ta && ta->kind == T_POLICY)
                take = 1;
            descend = !take;
            break;
        }
        case N_CALL:
            /* built-ins over aggregates show through their elements */
            take = (y && (y->kind == SYM_FUNCTION || y->kind == SYM_EXTERN)) || !contains_loop(n->a);
            break;
        case N_SCALEQ:
            take = 1;
            break;
        case N_AGG: case N_WHERE:
            take = !in_loop;
            descend = 0;
            break;
        default:
            break;
        }
        if (take) {
            int dup = 0;
            for (int32_t k = 0; k < out->n && !dup; k++)
                dup = out->v[k] == n;
            const ast **g = dup ? NULL : grow(x, out->v, &out->cap, sizeof *g, out->n + 1);
            if (g) {
                out->v = g;
                out->v[out->n++] = n;
            }
        }
        if (!descend)
            continue;
        if (n->kind == N_CALL || n->kind == N_LISTLIT) {
            for (const ast *a = n->a; a; a = a->next)
                collect_names(x, a, out, in_loop);
        } else if (n->kind != N_GET || !take) {
            collect_names(x, n->a, out, in_loop);
            if (n->kind != N_DUR)
                collect_names(x, n->b, out, in_loop);
            collect_names(x, n->c, out, in_loop);
        }
    }
}

static json_t *values_of(ex *x, const ast *e, int in_loop)
{
    namelist nl = { NULL, 0, 0 };
    collect_names(x, e, &nl, in_loop);
    const ast **names = nl.v;
    json_t *arr = json_array();
    /* the text of each name once: `人数` read twice shows once */
    for (int32_t k = 0; k < nl.n; k++) {
        if (names[k] == e || is_loop(names[k]))
            continue;   /* aggregates are shown element by element */
        json_t *txt = node_text(x, names[k]);
        int dup = 0;
        for (size_t j = 0; j < json_array_size(arr) && !dup; j++)
            dup = json_equal(json_object_get(json_array_get(arr, j), "expr"), txt);
        hm_val v;
        if (dup || node_value(x, names[k], &v) != 0) {
            json_decref(txt);
            continue;
        }
        json_t *o = json_object();
        json_object_set_new(o, "expr", txt);
        json_object_set_new(o, "value", value_json(x, v, names[k]));
        if (v.unk)
            json_object_set_new(o, "unknown", jtext(unk_word(v)));
        json_array_append_new(arr, o);
    }
    mem_free(nl.v);
    return arr;
}

static const ast *loop_filter(const ast *l)
{
    if (l->kind == N_WHERE)
        return l->b;
    return l->b && l->b->kind == N_WHERE ? l->b->b : NULL;
}

/* For each aggregate of e: the members it went over, which its filter left
 * out and why, and what each contributed. */
static const char *status_word(int s);

/* The decision of another policy a filter reads through its element
 * (`it.P.eligible`): the policy, or -1 when n is not such a reference. */
static int32_t policy_ref(const ast *n)
{
    const hm_type *ta = n && n->kind == N_GET && n->a ? (const hm_type *)n->a->ty : NULL;
    return ta && ta->kind == T_POLICY && ta->policy ? ta->policy->id : -1;
}

/* Each decision of another policy that the element (member m) was kept or
 * left out by, by its status: {"policy", "status"}. */
static json_t *element_decisions(ex *x, const ast **why, int32_t nwhy, int32_t m)
{
    json_t *arr = json_array();
    for (int32_t w = 0; w < nwhy; w++) {
        int32_t q = policy_ref(why[w]);
        if (q < 0)
            continue;
        int dup = 0;
        for (int32_t k = 0; k < w; k++)
            dup |= policy_ref(why[k]) == q;
        if (dup)
            continue;
        const hm_decision *d = vm_decide(x->vm, q, x->p->policies[q].entity == ENT_PERSON ? m : -1);
        json_t *o = json_object();
        json_object_set_new(o, "policy", jtext(prog_str(x->p, x->p->policies[q].name)));
        json_object_set_new(o, "status", d ? jtext(status_word(d->status)) : json_null());
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *loops_of(ex *x, const ast *e)
{
    namelist nl = { NULL, 0, 0 }, wl = { NULL, 0, 0 };
    collect_names(x, e, &nl, 0);
    json_t *arr = json_array();
    for (int32_t k = 0; k < nl.n; k++) {
        const ast *L = nl.v[k];
        if (!is_loop(L))
            continue;
        const ast *filter = loop_filter(L);
        const ast *body = L->kind == N_AGG && L->str ? L->a : NULL;
        /* the names that say why an element was left out or gave what it did */
        wl.n = 0;
        if (filter)
            collect_names(x, filter, &wl, 1);
        if (body && ((body->kind != N_GET && body->kind != N_NAME) || policy_ref(body) >= 0))
            collect_names(x, body, &wl, 1);
        const ast **why = wl.v;
        int32_t nwhy = wl.n;
        json_t *elems = json_array();
        int32_t cur = -1;
        json_t *el = NULL;
        const ast *src = L->kind == N_WHERE ? L->a : L->b && L->b->kind == N_WHERE ? L->b->a : L->b;
        int32_t rows = rows_field(src);
        for (int32_t f = 0; f < x->nfire; f++) {
            const cg_probe *pr = &x->map->probes[x->fire[f].probe];
            hm_val v = x->fire[f].v;
            if (pr->node == L && pr->kind == PROBE_ELEMENT) {
                cur = v.unk ? -1 : (int32_t)v.v;
                el = json_object();
                if (rows >= 0) {
                    row_json(x, el, rows, cur);
                } else {
                    json_object_set_new(el, "member", member_json(x, cur));
                    json_object_set_new(el, "member_id", jstr_or_null(member_id(x, cur)));
                    json_t *ds = cur >= 0 ? element_decisions(x, why, nwhy, cur) : NULL;
                    if (json_array_size(ds))
                        json_object_set_new(el, "decisions", ds);
                    else
                        json_decref(ds);
                }
                json_array_append_new(elems, el);
                continue;
            }
            if (!el || pr->kind != PROBE_VALUE)
                continue;
            if (filter && pr->node == filter && !json_object_get(el, "kept")) {
                json_object_set_new(el, "kept", v.unk ? json_null() : json_boolean(v.v != 0));
            } else if (body && pr->node == body && !json_object_get(el, "value")) {
                json_object_set_new(el, "value", value_json(x, v, body));
            } else {
                for (int32_t w = 0; w < nwhy; w++)
                    if (pr->node == why[w] && (rows >= 0 || policy_ref(why[w]) < 0 || !why[w]->str ||
                                               strcmp(why[w]->str, "eligible") != 0)) {
                        json_t *because = json_object_get(el, "because");
                        if (!because) {
                            because = json_array();
                            json_object_set_new(el, "because", because);
                        }
                        json_t *o = json_object();
                        json_object_set_new(o, "expr", node_text(x, why[w]));
                        json_object_set_new(o, "value", value_json(x, v, why[w]));
                        json_array_append_new(because, o);
                        break;
                    }
            }
        }
        if (!json_array_size(elems)) {
            json_decref(elems);
            continue;
        }
        json_t *txt = node_text(x, L);
        int dup = 0;
        for (size_t j = 0; j < json_array_size(arr) && !dup; j++)
            dup = json_equal(json_object_get(json_array_get(arr, j), "expr"), txt);
        if (dup) {
            json_decref(txt);
            json_decref(elems);
            continue;
        }
        json_t *o = json_object();
        json_object_set_new(o, "expr", txt);
        hm_val lv;
        if (node_value(x, L, &lv) == 0)
            json_object_set_new(o, "value", value_json(x, lv, L));
        json_object_set_new(o, "elements", elems);
        json_array_append_new(arr, o);
    }
    mem_free(nl.v);
    mem_free(wl.v);
    return arr;
}

static json_t *derive(ex *x, int32_t F, const ast *e, int depth);

/* Did frames a and b call the same function for the same member with the
 * same arguments?  Functions have no side effects: they computed the same. */
static int same_call(const ex *x, int32_t a, int32_t b)
{
    const frame *fa = &x->frames[a], *fb = &x->frames[b];
    if (fa->fn != fb->fn || fa->self != fb->self || fa->claim != fb->claim)
        return 0;
    int32_t nparams = x->p->fns[fa->fn].nparams;
    for (int32_t k = 1; k <= nparams; k++) {
        const vm_event *ea = fa->first + k < x->tr.n ? &x->tr.ev[fa->first + k] : NULL;
        const vm_event *eb = fb->first + k < x->tr.n ? &x->tr.ev[fb->first + k] : NULL;
        if (!ea || !eb || ea->kind != EV_ARG || eb->kind != EV_ARG || ea->v.v != eb->v.v || ea->v.unk != eb->v.unk)
            return 0;
    }
    return 1;
}

/* The module of the standard library body (a function's) comes from, or
 * NULL for the pack's own. */
static const char *library_of(ex *x, const ast *body)
{
    sema *s = x->in->s;
    if (!body || body->file < 0 || body->file >= s->nmods)
        return NULL;
    const char *m = s->mods[body->file]->name;
    return m && !strncmp(m, "std.", 4) ? m : NULL;
}

/* The first call in e of the function whose body is `body`, or NULL. */
static const ast *call_in(const ast *e, const ast *body)
{
    if (!e)
        return NULL;
    if (e->kind == N_CALL && e->sym && ((const sym *)e->sym)->kind == SYM_FUNCTION &&
        ((const sym *)e->sym)->decl && ((const sym *)e->sym)->decl->c == body)
        return e;
    const ast *kids[] = { e->a, e->b, e->c, e->d };
    for (int k = 0; k < 4; k++)
        for (const ast *n = kids[k]; n; n = n->next) {
            const ast *r = call_in(n, body);
            if (r)
                return r;
        }
    return NULL;
}

/* The one line a library function is documented by: the first sentence
 * of the `#` comment lines right above its `function` line (docs/explain.md). */
static json_t *library_doc(ex *x, const ast *body)
{
    const hm_srcfile *f = x->in->s->mods[body->file]->file;
    const char *t = f->text;
    /* back to the start of the line that opens the definition */
    size_t k = body->loc.start < f->len ? body->loc.start : f->len;
    for (;;) {
        while (k > 0 && t[k - 1] != '\n')
            k--;
        if (!strncmp(t + k, "function ", 9) || k == 0)
            break;
        k--;
    }
    /* the comment block above it */
    size_t top = k;
    while (top > 0) {
        size_t ls = top - 1;
        while (ls > 0 && t[ls - 1] != '\n')
            ls--;
        if (t[ls] != '#')
            break;
        top = ls;
    }
    char *buf = mem_alloc(k - top + 1);
    if (!buf)
        return NULL;
    size_t len = 0;
    for (size_t i = top; i < k; i++) {
        if (t[i] == '#' && (i == top || t[i - 1] == '\n')) {
            while (i + 1 < k && t[i + 1] == ' ')
                i++;
            continue;
        }
        char ch = t[i] == '\n' ? ' ' : t[i];
        if (ch == ' ' && (len == 0 || buf[len - 1] == ' '))
            continue;
        buf[len++] = ch;
        /* the first sentence */
        if ((ch == '.' || ch == '?') && (i + 1 >= k || t[i + 1] == ' ' || t[i + 1] == '\n'))
            break;
        if (len >= 3 && !memcmp(buf + len - 3, "\xe3\x80\x82", 3))  /* 。 */
            break;
    }
    while (len && buf[len - 1] == ' ')
        len--;
    json_t *j = utf8_json_text(buf, len, replaced_count);
    mem_free(buf);
    return j;
}

/* A call of a function of the standard library: its result and the line
 * that says what it gives, not how (`--deep` shows how). */
static json_t *library_call(ex *x, const frame *fr, const ast *body, const ast *site, const char *module)
{
    json_t *o = json_object();
    json_object_set_new(o, "expr", site ? node_text(x, site) : node_text(x, body));
    json_object_set_new(o, "value", value_json(x, fr->ret, body));
    if (fr->ret.unk)
        json_object_set_new(o, "unknown", jtext(unk_word(fr->ret)));
    json_object_set_new(o, "library", jtext(module));
    json_t *doc = library_doc(x, body);
    if (doc && json_string_length(doc))
        json_object_set_new(o, "doc", doc);
    else
        json_decref(doc);
    return o;
}

/* the user functions frame F called, each explained once, three calls
 * deep at most (docs/explain.md); a call the decision has shown already
 * is referred to by its call_id (same_as) */
static json_t *calls_of(ex *x, int32_t F, const ast *e, int depth)
{
    json_t *arr = json_array();
    if (depth >= 3)
        return arr;
    int32_t *seen = NULL, nseen = 0, capseen = 0;
    for (int32_t c = x->kid[F]; c >= 0; c = x->sib[c]) {
        const frame *fr = &x->frames[c];
        if (x->p->fns[fr->fn].kind != FN_USER)
            continue;
        int dup = 0;
        for (int32_t k = 0; k < nseen; k++)
            dup |= seen[k] == fr->fn;
        int32_t *g = dup ? NULL : grow(x, seen, &capseen, sizeof *g, nseen + 1);
        if (!g)
            continue;
        seen = g;
        seen[nseen++] = fr->fn;
        const ast *body = fr->fn < x->map->nfn ? x->map->fn_ast[fr->fn] : NULL;
        if (!body)
            continue;
        const char *module = x->in->deep ? NULL : library_of(x, body);
        if (module) {
            json_t *o = library_call(x, fr, body, call_in(e, body), module);
            json_object_set_new(o, "function", jtext(prog_str(x->p, x->p->fns[fr->fn].name)));
            json_array_append_new(arr, o);
            continue;
        }
        int32_t same = -1;
        for (int32_t k = 0; k < x->nshown && same < 0; k++)
            if (same_call(x, x->shown[k], c))
                same = k;
        json_t *o;
        if (same >= 0) {
            o = json_object();
            json_object_set_new(o, "expr", node_text(x, body));
            node_where(x, body, o);
            json_object_set_new(o, "value", value_json(x, fr->ret, body));
            if (fr->ret.unk)
                json_object_set_new(o, "unknown", jtext(unk_word(fr->ret)));
            json_object_set_new(o, "same_as", json_integer(same + 1));
        } else {
            int32_t *sh = grow(x, x->shown, &x->capshown, sizeof *sh, x->nshown + 1);
            if (!sh)
                continue;
            x->shown = sh;
            x->shown[x->nshown++] = c;
            int32_t id = x->nshown;
            o = derive(x, c, body, depth + 1);
            json_object_set_new(o, "call_id", json_integer(id));
        }
        json_object_set_new(o, "function", jtext(prog_str(x->p, x->p->fns[fr->fn].name)));
        json_array_append_new(arr, o);
    }
    mem_free(seen);
    return arr;
}

/* How frame F computed expression e: its value, the values of the names
 * in it, the elements of its aggregates and the functions it called. */
static const char *status_word(int s);

/* sum(P.amount over …) in e: each month's decision of P, consecutive months
 * with the same outcome grouped ({"from": "2023-08", "to": "2024-06",
 * "months": 11, "status": "eligible", "amount": "100.00"}). */
static void months_of(ex *x, int32_t member, const ast *e, json_t *out)
{
    if (!e)
        return;
    if (e->kind == N_PSUM && e->a->a->sym) {
        const sym *q = e->a->a->sym;
        int32_t pol = q->id;
        int32_t who = x->p->policies[pol].entity == ENT_PERSON ? member : -1;
        int32_t first, n;
        hm_val a = { 0, UNK_MISSING, 0 }, b = { 0, UNK_MISSING, 0 };
        if (e->ival == WIN_LAST) {
            first = cal_add_months(cal_start_of_month(vm_as_of(x->vm)), -atoi(e->b->str));
            n = atoi(e->b->str);
        } else if ((e->b->kind == N_DATE || node_value(x, e->b, &a) == 0) &&
                   (e->c->kind == N_DATE || node_value(x, e->c, &b) == 0)) {
            if (e->b->kind == N_DATE) a = (hm_val){ e->b->ival, 0, 0 };
            if (e->c->kind == N_DATE) b = (hm_val){ e->c->ival, 0, 0 };
            if (a.unk || b.unk)
                return;
            first = cal_start_of_month((int32_t)a.v);
            n = cal_months_between(first, cal_start_of_month((int32_t)b.v)) + 1;
        } else {
            return;
        }
        if (n < 1 || n > 1200 || (x->p->policies[pol].entity == ENT_PERSON && who < 0))
            return;
        json_t *o = json_object(), *ms = json_array();
        json_object_set_new(o, "expr", node_text(x, e));
        json_object_set_new(o, "policy", jtext(q->name));
        json_t *cur = NULL;
        int32_t cur_status = 0;
        int64_t cur_amount = 0;
        for (int32_t k = 0; k < n; k++) {
            int32_t day = cal_add_months(first, k);
            const hm_decision *d = vm_decide_on(x->vm, pol, who, day);
            if (!d) {
                x->oom = 1;
                break;
            }
            int32_t st = d->status;
            int64_t amt = st == DEC_ELIGIBLE && d->has_amount ? d->amount : 0;
            char ym[16];
            int32_t y, m, dd;
            cal_to_ymd(day, &y, &m, &dd);
            snprintf(ym, sizeof ym, "%04d-%02d", (int)y, (int)m);
            if (cur && st == cur_status && amt == cur_amount) {
                json_object_set_new(cur, "to", jtext(ym));
                json_object_set_new(cur, "months", json_integer(json_integer_value(json_object_get(cur, "months")) + 1));
                continue;
            }
            cur = json_object();
            cur_status = st;
            cur_amount = amt;
            json_object_set_new(cur, "from", jtext(ym));
            json_object_set_new(cur, "to", jtext(ym));
            json_object_set_new(cur, "months", json_integer(1));
            json_object_set_new(cur, "status", jtext(status_word(st)));
            json_object_set_new(cur, "amount", st == DEC_UNDETERMINED ? json_null()
                                               : format_json(x, (hm_val){ amt, 0, 0 }, VT_MONEY, -1));
            json_array_append_new(ms, cur);
        }
        json_object_set_new(o, "months", ms);
        json_array_append_new(out, o);
        return;
    }
    months_of(x, member, e->a, out);
    months_of(x, member, e->b, out);
    months_of(x, member, e->c, out);
    if (e->kind == N_CALL)
        for (const ast *arg = e->a ? e->a->next : NULL; arg; arg = arg->next)
            months_of(x, member, arg, out);
}

static json_t *derive(ex *x, int32_t F, const ast *e, int depth)
{
    json_t *o = json_object();
    json_object_set_new(o, "expr", node_text(x, e));
    node_where(x, e, o);
    if (F < 0) {
        json_object_set_new(o, "value", json_null());
        json_object_set_new(o, "evaluated", json_false());
        return o;
    }
    scan_frame(x, F);
    hm_val ret = x->frames[F].ret;
    json_object_set_new(o, "value", value_json(x, ret, e));
    if (ret.unk)
        json_object_set_new(o, "unknown", jtext(unk_word(ret)));
    json_object_set_new(o, "values", values_of(x, e, 0));
    json_t *scales = scales_of(x);
    if (json_array_size(scales))
        json_object_set_new(o, "scales", scales);
    else
        json_decref(scales);
    json_t *loops = loops_of(x, e);
    if (json_array_size(loops))
        json_object_set_new(o, "aggregates", loops);
    else
        json_decref(loops);
    json_t *months = json_array();
    months_of(x, x->frames[F].self, e, months);
    if (json_array_size(months))
        json_object_set_new(o, "months", months);
    else
        json_decref(months);
    json_t *calls = calls_of(x, F, e, depth);
    if (json_array_size(calls))
        json_object_set_new(o, "calls", calls);
    else
        json_decref(calls);
    return o;
}

/* ---- what would flip a comparison ---------------------------------------------- */

/* Does e hold only constants, parameters and the as-of date: a threshold? */
static int is_threshold(const ast *e)
{
    if (!e)
        return 1;
    sym *y = e->sym;
    switch (e->kind) {
    case N_INT: case N_DEC: case N_PERCENT: case N_STR: case N_DATE: case N_BOOL: case N_ASOF:
        return 1;
    case N_DUR:
        return is_threshold(e->a);
    case N_NAME:
        return y && y->kind == SYM_PARAM;
    case N_BINOP:
        return is_threshold(e->a) && is_threshold(e->b);
    case N_UNOP:
        return is_threshold(e->a);
    default:
        return 0;
    }
}

/* Bring a value of type a to type b's scale (int to money or decimal). */
static int to_scale(int from, int to, int64_t *v)
{
    if (from == to)
        return 0;
    if (from == VT_INT && to == VT_MONEY)
        return __builtin_mul_overflow(*v, 100, v) ? -1 : 0;
    if (from == VT_INT && to == VT_DECIMAL)
        return __builtin_mul_overflow(*v, 1000000, v) ? -1 : 0;
    return -1;
}

static json_t *flip_of(ex *x, const ast *e)
{
    if (!e || e->kind != N_BINOP)
        return NULL;
    int op = (int)e->ival;
    if (op != '<' && op != '>' && op != AOP_LE && op != AOP_GE && op != AOP_EQ && op != AOP_NE)
        return NULL;
    const ast *subj = e->a, *thr = e->b;
    if (!is_threshold(e->b) || is_threshold(e->a)) {
        if (is_threshold(e->a) && !is_threshold(e->b)) {
            subj = e->b;
            thr = e->a;
            /* mirror: T < S is S > T */
            op = op == '<' ? '>' : op == '>' ? '<' : op == AOP_LE ? AOP_GE : op == AOP_GE ? AOP_LE : op;
        }
    }
    hm_val sv, tv;
    if (node_value(x, subj, &sv) != 0 || node_value(x, thr, &tv) != 0 || sv.unk || tv.unk)
        return NULL;
    int32_t cs1, cs2;
    int st = node_vtype(subj, &cs1), tt = node_vtype(thr, &cs2);
    if (!st || !tt || st == VT_TEXT || st == VT_BOOL || tt == VT_TEXT || tt == VT_BOOL)
        return NULL;
    /* compare on one scale: the finer of the two */
    int common = st == tt ? st : (st == VT_INT ? tt : st);
    int64_t s = sv.v, t = tv.v;
    if (to_scale(st, common, &s) || to_scale(tt, common, &t))
        return NULL;
    /* every type's smallest step is 1 in its scaled units (fen, millionths, days) */
    /* the change may not be representable: INT64_MAX fen against -1.00
     * (checked arithmetic, never a wrapped number) */
    int64_t step = 1, target = t, delta = 0;
    int wide = 0;
    const char *need;
    switch (op) {
    case '<':
        need = "below";
        wide = __builtin_sub_overflow(t, step, &target) || __builtin_sub_overflow(s, target, &delta);
        break;
    case AOP_LE: need = "at most"; wide = __builtin_sub_overflow(s, t, &delta); break;
    case '>':
        need = "above";
        wide = __builtin_add_overflow(t, step, &target) || __builtin_sub_overflow(target, s, &delta);
        break;
    case AOP_GE: need = "at least"; wide = __builtin_sub_overflow(t, s, &delta); break;
    case AOP_EQ: need = "equal to"; wide = s > t ? __builtin_sub_overflow(s, t, &delta) : __builtin_sub_overflow(t, s, &delta); break;
    default: need = "other than"; target = t; delta = 0; break;
    }
    if (delta == INT64_MIN)
        wide = 1;
    char now[64], thr_txt[64], ch[64];
    hm_val a = { s, 0, 0 }, b = { t, 0, 0 }, d = { delta < 0 && !wide ? -delta : delta, 0, 0 };
    vm_format_value(x->vm, a, common, cs1, now, sizeof now);
    vm_format_value(x->vm, b, common, cs2, thr_txt, sizeof thr_txt);
    const char *dir;
    if (wide) {
        snprintf(ch, sizeof ch, "beyond what can be represented");
        dir = (op == '<' || op == AOP_LE || (op == AOP_EQ && s > t)) ? (common == VT_DATE ? "earlier" : "lower")
                                                                     : (common == VT_DATE ? "later" : "higher");
    } else if (common == VT_DATE) {
        snprintf(ch, sizeof ch, "%" PRId64 " day%s", d.v, d.v == 1 ? "" : "s");
        dir = (op == '<' || op == AOP_LE || (op == AOP_EQ && s > t)) ? "earlier" : "later";
    } else {
        vm_format_value(x->vm, d, common == VT_DURATION ? VT_INT : common, -1, ch, sizeof ch);
        dir = (op == '<' || op == AOP_LE || (op == AOP_EQ && s > t)) ? "lower" : "higher";
    }
    (void)target;
    json_t *o = json_object();
    json_t *st_txt = node_text(x, subj);
    json_object_set_new(o, "subject", json_incref(st_txt));
    json_object_set_new(o, "now", jtext(now));
    json_object_set_new(o, "needed", jtext(need));
    json_object_set_new(o, "threshold", jtext(thr_txt));
    const char *fact = NULL;
    if (subj->kind == N_GET && subj->sym && ((sym *)subj->sym)->kind == SYM_FACT)
        fact = ((sym *)subj->sym)->name;
    json_object_set_new(o, "fact", jstr_or_null(fact));
    if (op == AOP_NE) {
        json_object_set_new(o, "change", json_null());
        json_object_set_new(o, "text", jstrf("would be met if %s were other than %s", json_string_value(st_txt), thr_txt));
    } else {
        json_object_set_new(o, "change", jtext(ch));
        json_object_set_new(o, "direction", jtext(dir));
        if (wide)
            json_object_set_new(o, "text", jstrf("would be met if %s were %s %s (now %s; the change is %s)",
                                                 json_string_value(st_txt), need, thr_txt, now, ch));
        else
            json_object_set_new(o, "text", jstrf("would be met if %s were %s %s (now %s, %s %s)", json_string_value(st_txt),
                                                 need, thr_txt, now, ch, dir));
    }
    json_decref(st_txt);
    return o;
}

/* ---- margins per person ----------------------------------------------------------- */

/* Is n a count of persons: `count(…)`, or a let that is one? */
static int is_count(const ast *n, int depth)
{
    if (!n || depth > 8)
        return 0;
    if (n->kind == N_AGG && n->ival == AGG_COUNT)
        return 1;
    const sym *y = n->kind == N_NAME ? n->sym : NULL;
    return y && y->kind == SYM_LET && y->decl && is_count(y->decl->a, depth + 1);
}

/* The count a per-person figure n is divided by: n is `TOTAL / COUNT`
 * (COUNT a count of persons), or a let, a call of a function or either
 * branch of an `if` that is; the division's node, or NULL. */
static const ast *per_person_division(const ast *n, int depth)
{
    if (!n || depth > 8)
        return NULL;
    const sym *y = n->sym;
    switch (n->kind) {
    case N_BINOP:
        return n->ival == '/' && is_count(n->b, 0) ? n : NULL;
    case N_NAME:
        return y && y->kind == SYM_LET && y->decl ? per_person_division(y->decl->a, depth + 1) : NULL;
    case N_CALL:
        return y && y->kind == SYM_FUNCTION && y->decl ? per_person_division(y->decl->c, depth + 1) : NULL;
    case N_IF: {
        const ast *d = per_person_division(n->c, depth + 1);
        return d ? d : per_person_division(n->b, depth + 1);
    }
    default:
        return NULL;
    }
}

/* The value node n had where it was computed for member (or the
 * household): 0, or -1 when it was not. */
static int value_anywhere(ex *x, const ast *n, int32_t member, hm_val *v)
{
    for (int32_t k = 0; k < x->map->nprobes; k++) {
        const cg_probe *pr = &x->map->probes[k];
        if (pr->node != n || pr->kind != PROBE_VALUE)
            continue;
        int32_t F = find_frame(x, pr->fn, member);
        if (F < 0 && member >= 0)
            F = find_frame(x, pr->fn, -1);
        if (F < 0)
            continue;
        scan_frame(x, F);
        if (node_value(x, n, v) == 0)
            return 0;
    }
    return -1;
}

/* A comparison of a per-person figure (a total divided by a count of
 * persons) with a limit: the margin per person and what it comes to for
 * them all, {"count", "margin", "direction", "total", "total_expr"}; NULL
 * for any other comparison.  Frame F, the condition's, is scanned again
 * after. */
static json_t *per_person_of(ex *x, const ast *e, int32_t F, int32_t member)
{
    if (!e || e->kind != N_BINOP)
        return NULL;
    int op = (int)e->ival;
    if (op != '<' && op != '>' && op != AOP_LE && op != AOP_GE)
        return NULL;
    const ast *subj = e->a, *thr = e->b;
    const ast *div = per_person_division(subj, 0);
    if (!div) {
        subj = e->b;
        thr = e->a;
        div = per_person_division(subj, 0);
    }
    if (!div)
        return NULL;
    int32_t cs;
    int st = node_vtype(subj, &cs);
    if (st != VT_MONEY && st != VT_DECIMAL)
        return NULL;
    hm_val sv, tv, nv;
    if (node_value(x, subj, &sv) != 0 || node_value(x, thr, &tv) != 0 || sv.unk || tv.unk)
        return NULL;
    int64_t t = tv.v, margin, total;
    int32_t cs2;
    if (to_scale(node_vtype(thr, &cs2), st, &t))
        return NULL;
    int found = value_anywhere(x, div->b, member, &nv) == 0;
    scan_frame(x, F);
    if (!found || nv.unk || nv.v <= 0 || __builtin_sub_overflow(sv.v, t, &margin) || margin == INT64_MIN)
        return NULL;
    int over = margin > 0;
    if (margin < 0)
        margin = -margin;
    if (__builtin_mul_overflow(margin, nv.v, &total))
        return NULL;
    char m[64], tt[64];
    vm_format_value(x->vm, (hm_val){ margin, 0, 0 }, st, cs, m, sizeof m);
    vm_format_value(x->vm, (hm_val){ total, 0, 0 }, st, cs, tt, sizeof tt);
    json_t *o = json_object();
    json_object_set_new(o, "count", json_integer(nv.v));
    json_object_set_new(o, "margin", jtext(m));
    json_object_set_new(o, "direction", jtext(over ? "over" : "under"));
    json_object_set_new(o, "total", jtext(tt));
    json_object_set_new(o, "total_expr", node_text(x, div->a));
    return o;
}

/* ---- facts and parameters ---------------------------------------------------------- */

static const char *state_word(int st)
{
    switch (st) {
    case FACT_KNOWN: return "known";
    case FACT_MISSING: return "missing";
    case FACT_STALE: return "stale";
    case FACT_INVALID: return "invalid";
    case FACT_CONFLICT: return "conflict";
    default: return "unknown";
    }
}

/* state, as-of date and source of a fact of the household (member -1) or
 * a member */
static int fact_state(ex *x, int32_t field, int32_t member, int32_t *asof, const char **source)
{
    const hm_program *p = x->p;
    const hm_field *fd = &p->fields[field];
    const hm_facts *f = x->in->facts;
    int32_t row = member < 0 ? 0 : f->hh_first[0] + member;
    *asof = FACT_NO_DATE;
    *source = prog_str(p, fd->source);
    int st;
    if (fd->records) {
        st = f->rcol[fd->column].state[row];
    } else {
        const hm_column *c = fd->entity == ENT_HOUSEHOLD ? &f->hcol[fd->column] : &f->pcol[fd->column];
        st = c->state[row];
        *asof = facts_asof(c, row);
        if (c->src) {
            /* the source of this value among those declaring the field */
            int n = 0;
            for (int32_t k = 0; k < p->nfsources; k++)
                if (p->fsources[k].field == field && n++ == c->src[row])
                    *source = prog_str(p, p->fsources[k].source);
        }
        if (x->in->source_of) {
            const char *s = x->in->source_of(x->in->source_ctx, field, row);
            if (s)
                *source = s;
        }
    }
    return st;
}

/* A fact read through a key fact from a reference table: the key, the
 * row's first text attribute (its name, as a rule), the table and the date
 * the row is in force from, under "through". */
static void ref_json(ex *x, json_t *o, int32_t field, int32_t member)
{
    const hm_program *p = x->p;
    const hm_facts *f = x->in->facts;
    int32_t i = 0;
    while (i < p->nrefreads && p->refreads[i].field != field)
        i++;
    if (i == p->nrefreads)
        return;
    const hm_refread *rr = &p->refreads[i];
    const hm_reftab *t = &p->reftabs[rr->table];
    const hm_field *kd = &p->fields[rr->key];
    const hm_column *kc = kd->entity == ENT_HOUSEHOLD ? &f->hcol[kd->column] : &f->pcol[kd->column];
    int32_t row = member < 0 ? 0 : f->hh_first[0] + member;
    json_t *th = json_object();
    json_object_set_new(th, "key_fact", jtext(prog_str(p, kd->name)));
    json_object_set_new(th, "table", jtext(prog_str(p, t->name)));
    json_object_set_new(th, "table_source", jtext(prog_str(p, t->source)));
    json_object_set_new(th, "attribute", jtext(prog_str(p, p->refattrs[t->first + rr->attr].name)));
    const char *key = kc->state[row] == FACT_KNOWN ? f->texts[-(kc->v[row] + 1)] : NULL;
    json_object_set_new(th, "key", jstr_or_null(key));
    int32_t r = key && f->refs && rr->table < f->nrefs && f->refs[rr->table].given
                    ? facts_ref_find(f, rr->table, kc->v[row], x->in->as_of) : -3;
    const char *name = NULL;
    char d[16];
    if (r >= 0) {
        const hm_refrows *rows = &f->refs[rr->table];
        for (int32_t a = 0; a < t->n && !name; a++)
            if (p->refattrs[t->first + a].vtype == VT_TEXT && rows->known[(size_t)r * (size_t)rows->nattrs + (size_t)a])
                name = f->texts[-(rows->v[(size_t)r * (size_t)rows->nattrs + (size_t)a] + 1)];
        json_object_set_new(th, "from", rows->from[r] == INT32_MIN ? json_null() : jtext(date_text(rows->from[r], d)));
    } else {
        json_object_set_new(th, "from", json_null());
    }
    json_object_set_new(th, "key_label", jstr_or_null(name));
    json_object_set_new(th, "row", jtext(r >= 0 ? "found" : r == -1 ? "no row for the key"
                                          : r == -2 ? "no row in force" : "not read"));
    json_object_set_new(o, "through", th);
}

static json_t *fact_json(ex *x, int32_t field, int32_t member, hm_val v)
{
    const hm_field *fd = &x->p->fields[field];
    int32_t asof;
    const char *source;
    int st = fact_state(x, field, member, &asof, &source);
    json_t *o = json_object();
    json_object_set_new(o, "fact", jtext(prog_str(x->p, fd->name)));
    /* the drafters' words for the fact and its department, for citizens */
    sym *fs = symtab_get(&x->in->s->facts, prog_str(x->p, fd->name));
    json_object_set_new(o, "label", jstr_or_null(fs && fs->decl ? fs->decl->str2 : NULL));
    sym *ss = source ? symtab_get(&x->in->s->sources, source) : NULL;
    json_object_set_new(o, "source_label", jstr_or_null(ss && ss->decl ? ss->decl->str2 : NULL));
    json_object_set_new(o, "member", member_json(x, member));
    json_object_set_new(o, "member_id", jstr_or_null(member_id(x, member)));
    if (st != FACT_KNOWN)
        json_object_set_new(o, "value", json_null());
    else if (fd->records) {
        const hm_rcolumn *rc = &x->in->facts->rcol[fd->column];
        int32_t owner = member < 0 ? 0 : x->in->facts->hh_first[0] + member;
        int32_t n = rc->count[owner];
        json_object_set_new(o, "value", jstrf("%d record%s", n, n == 1 ? "" : "s"));
        if (fd->records == FIELD_ROWS) {
            /* a list of records: each with its fields */
            json_t *recs = json_array();
            for (int32_t k = 0; k < n; k++) {
                json_t *el = json_object();
                row_json(x, el, field, rc->first[owner] + k);
                json_array_append_new(recs, el);
            }
            json_object_set_new(o, "records", recs);
        }
    } else
        json_object_set_new(o, "value", format_json(x, v, fd->vtype, fd->codeset));
    json_object_set_new(o, "state", jtext(state_word(st)));
    json_object_set_new(o, "source", jstr_or_null(source));
    char d[16];
    json_object_set_new(o, "as_of", asof == FACT_NO_DATE ? json_null() : jtext(date_text(asof, d)));
    /* the limit that made it stale: its source's, or the strictest */
    const hm_fsource *lim = NULL;
    if (st == FACT_STALE && !fd->records) {
        const hm_facts *f = x->in->facts;
        const hm_column *c = fd->entity == ENT_HOUSEHOLD ? &f->hcol[fd->column] : &f->pcol[fd->column];
        int32_t row = member < 0 ? 0 : f->hh_first[0] + member;
        int nth = c->src && c->src[row] != FACT_SRC_UNKNOWN ? c->src[row] : -1;
        lim = facts_fresh_source(x->p, field, nth, asof);
        if (lim && nth < 0)     /* not said which gave it: the one it is stale for */
            json_object_set_new(o, "source", jtext(prog_str(x->p, lim->source)));
    }
    /* no source gave it: the default its source declares */
    if (st == FACT_KNOWN && !fd->records) {
        const hm_facts *f = x->in->facts;
        const hm_column *c = fd->entity == ENT_HOUSEHOLD ? &f->hcol[fd->column] : &f->pcol[fd->column];
        if (facts_assumed(c, member < 0 ? 0 : f->hh_first[0] + member))
            json_object_set_new(o, "assumed", json_true());
    }
    ref_json(x, o, field, member);
    if (lim && asof > x->in->as_of) {
        json_object_set_new(o, "after_as_of", json_true());
    } else if (lim) {
        static const char *unit[] = { "", "day", "month", "year" };
        json_object_set_new(o, "fresh_for", jstrf("%d %s%s", lim->fresh, unit[lim->fresh_unit & 3], lim->fresh == 1 ? "" : "s"));
    }
    return o;
}

/* The amendment of the reform the pack was compiled with (a reform module
 * or --set) that gave parameter `name` its value dated `from`, or NULL. */
static const ast *reform_value(ex *x, const char *name, int32_t from)
{
    const ast *r = x->in->s ? x->in->s->reform : NULL;
    char d[16];
    date_text(from, d);
    for (const ast *am = r ? r->c : NULL; am; am = am->next) {
        if (am->kind != N_AMEND || am->ival == 2 || strcmp(am->str, name) != 0)
            continue;
        if (am->ival == 3)      /* one value for every date */
            return am;
        for (const ast *v = am->a; v; v = v->next)
            if (v->a && v->a->str && from != INT32_MIN && !strcmp(v->a->str, d))
                return am;
    }
    return NULL;
}

/* "reform": where a value the reform gave was written */
static void mark_reform(ex *x, json_t *o, const char *name, int32_t dated)
{
    const ast *am = dated >= 0 ? reform_value(x, name, x->p->dated[dated].from) : NULL;
    if (!am)
        return;
    json_t *r = json_object();
    json_object_set_new(r, "name", jtext(x->in->s->reform->str));
    node_where(x, am, r);
    json_object_set_new(o, "reform", r);
}

static const ast *param_decl(ex *x, const char *name, size_t len);
static int rate_param(const ast *d);

/* "value_reference": the document that set the dated value in force
 * (`from DATE VALUE reference "…"`), read from the parameter's declaration:
 * of its values, or of the values of its entry `entry` (a table). */
static void value_reference(ex *x, json_t *o, const hm_param *pa, int32_t entry, int32_t dated)
{
    const char *name = prog_str(x->p, pa->name);
    const ast *d = dated >= 0 && !json_object_get(o, "reform") ? param_decl(x, name, strlen(name)) : NULL;
    if (!d)
        return;
    const ast *vals = d->c;
    if (pa->keyed) {
        vals = NULL;
        int32_t k = entry - pa->first;
        for (const ast *e = d->c; e && k >= 0; e = e->next, k--)
            if (k == 0 && e->kind == N_ENTRY)
                vals = e->b;
    }
    int32_t from = x->p->dated[dated].from;
    for (const ast *v = vals; v; v = v->next)
        if (v->kind == N_DATED && v->a && v->a->ival == from && v->c && v->c->kind == N_REF) {
            json_object_set_new(o, "value_reference", jtext(v->c->str));
            return;
        }
}

/* A parameter's value: a rate as a percentage (language.md 9.5). */
static json_t *param_value_json(ex *x, const hm_param *pa, hm_val v)
{
    const char *name = prog_str(x->p, pa->name);
    char buf[32];
    if (pa->vtype == VT_DECIMAL && v.v >= 0 && rate_param(param_decl(x, name, strlen(name))))
        return jtext(percent_text(v.v, buf));
    return format_json(x, v, pa->vtype, -1);
}

static json_t *param_json(ex *x, int32_t pi, hm_val key, const ast *key_node, int32_t on)
{
    const hm_program *p = x->p;
    const hm_param *pa = &p->params[pi];
    int32_t entry, dated;
    hm_val v = vm_param_lookup_at(x->vm, pi, key, on, &entry, &dated);
    json_t *o = json_object();
    json_object_set_new(o, "name", jtext(prog_str(p, pa->name)));
    json_object_set_new(o, "label", jstr_or_null(prog_str(p, pa->label)));
    json_object_set_new(o, "value", v.unk ? json_null() : param_value_json(x, pa, v));
    if (pa->keyed) {
        json_t *k = key.unk ? json_null() : NULL;
        if (!k) {
            int vt = pa->keytype;
            int32_t cs = -1;
            if (vt == VT_CODE && key_node)
                node_vtype(key_node, &cs);
            k = format_json(x, key, vt, cs);
        }
        json_object_set_new(o, "key", k);
        const hm_pentry *e = entry >= 0 ? &p->pentries[entry] : NULL;
        json_object_set_new(o, "entry", !e ? json_null() : e->kind == KEY_DEFAULT ? jtext("default")
                                            : e->kind == KEY_TEXT ? jtext(prog_str(p, e->text))
                                                                  : jstrf("%" PRId64 "–%" PRId64, e->lo, e->hi));
    }
    char d[16];
    if (dated >= 0 && p->dated[dated].from != INT32_MIN)
        json_object_set_new(o, "from", jtext(date_text(p->dated[dated].from, d)));
    else
        json_object_set_new(o, "from", json_null());
    if (on != vm_as_of(x->vm))
        json_object_set_new(o, "as_of", jtext(date_text(on, d)));
    const char *path = prog_str(p, pa->file);
    const char *base = strrchr(path, '/');
    json_object_set_new(o, "file", jstr_or_null(base ? base + 1 : path));
    json_object_set_new(o, "line", json_integer(pa->line));
    json_object_set_new(o, "reference", jstr_or_null(prog_str(p, pa->ref)));
    if (!pa->keyed)
        mark_reform(x, o, prog_str(p, pa->name), dated);
    value_reference(x, o, pa, entry, dated);
    return o;
}

/* A table of several keys: its keys and the entry of each ("key" and
 * "entry" their texts joined, as for one key), the value and where it is. */
static json_t *mparam_json(ex *x, int32_t pi, const hm_val *keys)
{
    const hm_program *p = x->p;
    const hm_param *pa = &p->params[pi];
    int32_t nk = pa->keyed, dated, last;
    int32_t *entries = mem_alloc(sizeof *entries * (size_t)nk);
    if (!entries) {
        x->oom = 1;
        return json_null();
    }
    hm_val v = vm_param_lookup_keys(x->vm, pi, keys, entries, &dated, &last);
    if (v.unk)      /* an unknown key that does not matter */
        v = vm_param_value_keys(x->vm, pi, keys);
    json_t *o = param_json(x, pi, (hm_val){ 0, UNK_MISSING, 0 }, NULL, vm_as_of(x->vm));
    json_object_set_new(o, "value", v.unk ? json_null() : format_json(x, v, pa->vtype, -1));
    json_t *ka = json_array(), *ea = json_array(), *kt = NULL, *et = NULL;
    /* each key in the type of its position: the tables along the path
     * give it, the first's for the first key */
    int32_t t = pi;
    for (int32_t k = 0; k < nk; k++) {
        json_t *kj = keys[k].unk ? json_null() : format_json(x, keys[k], p->params[t].keytype, -1);
        json_array_append_new(ka, kj);
        const hm_pentry *e = entries[k] >= 0 ? &p->pentries[entries[k]] : NULL;
        json_t *ej = !e ? (v.unk ? json_null() : jtext("any")) : e->kind == KEY_DEFAULT ? jtext("default")
                     : e->kind == KEY_TEXT ? jtext(prog_str(p, e->text))
                     : e->lo == e->hi ? jstrf("%" PRId64, e->lo) : jstrf("%" PRId64 "–%" PRId64, e->lo, e->hi);
        json_array_append_new(ea, ej);
        const char *ks = json_is_string(kj) ? json_string_value(kj) : "unknown";
        const char *es = json_is_string(ej) ? json_string_value(ej) : "none";
        json_t *nkt = kt ? jstrf("%s, %s", json_string_value(kt), ks) : jtext(ks);
        json_t *net = et ? jstrf("%s, %s", json_string_value(et), es) : jtext(es);
        json_decref(kt);
        json_decref(et);
        kt = nkt;
        et = net;
        if (e && k + 1 < nk && p->params[t].keyed > 1)
            t = (int32_t)p->dated[e->first].value;
    }
    json_object_set_new(o, "key", kt ? kt : json_null());
    json_object_set_new(o, "keys", ka);
    json_object_set_new(o, "entry", et ? et : json_null());
    json_object_set_new(o, "entries", ea);
    char d[16];
    if (dated >= 0 && p->dated[dated].from != INT32_MIN)
        json_object_set_new(o, "from", jtext(date_text(p->dated[dated].from, d)));
    else
        json_object_set_new(o, "from", json_null());
    mem_free(entries);
    return o;
}

/* ---- one decision ------------------------------------------------------------------- */

static const char *status_word(int s)
{
    return s == DEC_ELIGIBLE ? "eligible" : s == DEC_NOT_ELIGIBLE ? "not_eligible"
         : s == DEC_NOT_APPLICABLE ? "not_applicable" : "undetermined";
}

static const char *truth_word(hm_val v) { return v.unk ? "unknown" : v.v ? "met" : "not_met"; }

typedef struct decision_ctx {
    int32_t pol, member;
    json_t *failed;         /* the leaves that failed, in order */
    int32_t *failed_node;   /* the condition of each (mem_free) */
    int32_t capfailed;
} decision_ctx;

/* A message template filled for (pol, member), whole: each `{name}` gives
 * at most 255 bytes and takes 3 at least. */
/* The explanation being built, for the rates of its messages. */
static _Thread_local ex *msg_ex;

/* The declaration of parameter NAME (len bytes) in the pack's files, or
 * NULL. */
static const ast *param_decl(ex *x, const char *name, size_t len)
{
    sema *s = x->in->s;
    for (int m = 0; m < s->nmods; m++)
        for (const ast *d = s->mods[m]->root; d; d = d->next)
            if (d->kind == N_PARAM && d->str && strlen(d->str) == len && !memcmp(d->str, name, len) && d->sym &&
                ((const sym *)d->sym)->kind == SYM_PARAM)
                return d;
    return NULL;
}

/* Is parameter declaration d a rate: a decimal written with `%`? */
static int rate_param(const ast *d)
{
    const sym *y = d ? d->sym : NULL;
    return y && y->type && y->type->kind == T_DECIMAL && has_percent(d->c, 0);
}

/* The value of placeholder NAME (len bytes) of policy pol's message as a
 * percentage, in buf, when it names a let or a parameter that is a rate;
 * NULL otherwise. */
static const char *rate_placeholder(ex *x, hm_vm *vm, int32_t pol, int32_t member, const char *name, size_t len,
                                    char buf[32])
{
    const hm_program *p = x->p;
    hm_val v = { 0, UNK_MISSING, 0 };
    int rate = 0;
    for (int32_t l = 0; l < p->nlets && !rate; l++) {
        const char *ln = prog_str(p, p->lets[l].name);
        if (p->lets[l].policy != pol || strlen(ln) != len || memcmp(ln, name, len) != 0)
            continue;
        const ast *e = p->lets[l].fn < x->map->nfn ? x->map->fn_ast[p->lets[l].fn] : NULL;
        if (!is_rate(e, 0))
            return NULL;
        rate = 1;
        v = vm_value_of_let(vm, l, member);
    }
    const ast *d = rate ? NULL : param_decl(x, name, len);
    if (d) {
        const sym *y = d->sym;
        if (!rate_param(d))
            return NULL;
        rate = 1;
        v = vm_value_of_param(vm, y->id, member);
    }
    if (!rate || v.unk || v.v < 0)
        return NULL;
    return percent_text(v.v, buf);
}

/* tmpl with each placeholder that names a rate replaced by its value as a
 * percentage (mem_free), or NULL when it names none. */
static char *rate_template(ex *x, hm_vm *vm, int32_t pol, int32_t member, const char *tmpl)
{
    if (!strchr(tmpl, '{'))
        return NULL;
    size_t len = strlen(tmpl), cap = len + 1, n = 0;
    char *out = NULL;
    for (const char *t = tmpl; *t;) {
        const char *close = *t == '{' ? strchr(t, '}') : NULL;
        char buf[32];
        const char *pct = close ? rate_placeholder(x, vm, pol, member, t + 1, (size_t)(close - t - 1), buf) : NULL;
        if (pct && !out) {
            cap += 32 * (len / 2 + 1);
            if (!(out = mem_alloc(cap)))
                return NULL;
            memcpy(out, tmpl, (size_t)(t - tmpl));
            n = (size_t)(t - tmpl);
        }
        if (pct) {
            size_t k = strlen(pct);
            memcpy(out + n, pct, k);
            n += k;
            t = close + 1;
        } else {
            if (out)
                out[n++] = *t;
            t++;
        }
    }
    if (out)
        out[n] = '\0';
    return out;
}

static json_t *message_json(hm_vm *vm, int32_t pol, int32_t member, const char *tmpl, const char *prefix)
{
    if (!tmpl || !*tmpl)
        return json_null();
    char *rated = msg_ex ? rate_template(msg_ex, vm, pol, member, tmpl) : NULL;
    if (rated)
        tmpl = rated;
    size_t n = strlen(tmpl) * 86 + 1;
    char *msg = mem_alloc(n);
    if (!msg) {
        mem_free(rated);
        return NULL;
    }
    vm_fill_message(vm, pol, member, tmpl, msg, n);
    json_t *j = jstrf("%s%s", prefix, msg);
    mem_free(msg);
    mem_free(rated);
    return j;
}

/* The message for an outcome: the one for when it is not met if there is
 * one and it is not met; otherwise the message, which says what is
 * required (also when it is not known).  `message_for` says which, where
 * there are two. */
static void outcome_message(ex *x, json_t *o, int32_t pol, int32_t member, int32_t msg, int32_t msg_else,
                            hm_val t, int with_template)
{
    int not_met = msg_else >= 0 && !t.unk && !t.v;
    const char *tmpl = prog_str(x->p, not_met ? msg_else : msg);
    json_object_set_new(o, "message", message_json(x->vm, pol, member, tmpl, ""));
    if (with_template)
        json_object_set_new(o, "message_template", jstr_or_null(tmpl));
    if (msg_else >= 0)
        json_object_set_new(o, "message_for", jtext(not_met ? "not_met" : "requirement"));
}

/* The exceptions of a let or of the amount (n of them from first): each
 * with its condition, the value it gives, its message for the outcome and
 * whether it applied.  The one written first of those that apply gives
 * the value (as the machine applies them), unless one before it is not
 * known.  Values are shown as the rule's own value, like. */
static json_t *value_exceptions_json(ex *x, int32_t pol, int32_t member, int32_t first, int32_t n, const ast *like)
{
    const hm_program *p = x->p;
    json_t *arr = json_array();
    int32_t applied = -1;
    for (int32_t k = 0; k < n; k++) {
        const hm_exception *e = &p->excs[first + k];
        int32_t F = find_frame(x, e->when_fn, member);
        const ast *w = e->when_fn < x->map->nfn ? x->map->fn_ast[e->when_fn] : NULL;
        json_t *j = derive(x, F, w, 0);
        hm_val t = F >= 0 ? x->frames[F].ret : (hm_val){ 0, UNK_MISSING, 0 };
        json_object_set_new(j, "result", jtext(truth_word(t)));
        if (applied == -1 && (t.unk || t.v))
            applied = t.unk ? -2 : k;
        /* the value it gives: its expression, and its value where it was computed */
        int32_t G = e->value_fn >= 0 ? find_frame(x, e->value_fn, member) : -1;
        const ast *va = e->value_fn >= 0 && e->value_fn < x->map->nfn ? x->map->fn_ast[e->value_fn] : NULL;
        json_t *g = derive(x, G, va, 0);
        json_t *then = json_object_get(g, "expr");
        json_object_set(j, "then", then ? then : json_null());
        json_object_set_new(j, "value", G >= 0 ? value_json(x, x->frames[G].ret, like) : json_null());
        json_decref(g);
        outcome_message(x, j, pol, member, e->msg, e->msg_else, t, 0);
        json_object_set_new(j, "line", json_integer(e->line));
        json_array_append_new(arr, j);
    }
    size_t k;
    json_t *j;
    json_array_foreach(arr, k, j)
        json_object_set_new(j, "applied", json_boolean((int32_t)k == applied));
    return arr;
}

static json_t *cond_json(ex *x, decision_ctx *dc, int32_t node, hm_val *truth)
{
    const hm_program *p = x->p;
    const hm_condnode *c = &p->conds[node];
    json_t *o = json_object();
    if (c->kind == CN_COND) {
        int32_t F = find_frame(x, c->fn, dc->member);
        const ast *e = c->fn < x->map->nfn ? x->map->fn_ast[c->fn] : NULL;
        json_object_set_new(o, "kind", jtext("condition"));
        json_t *d = derive(x, F, e, 0);
        hm_val t = F >= 0 ? x->frames[F].ret : (hm_val){ 0, UNK_MISSING, 0 };
        *truth = t;
        json_object_set_new(o, "result", jtext(truth_word(t)));
        json_object_update(o, d);
        json_decref(d);
        json_object_del(o, "value");
        outcome_message(x, o, dc->pol, dc->member, c->msg, c->msg_else, t, 1);
        json_object_set_new(o, "line", json_integer(c->line));
        json_object_set_new(o, "column", json_integer(c->col));
        json_object_set_new(o, "reference", jstr_or_null(prog_str(p, c->ref)));
        if (F >= 0 && !t.unk && !t.v) {
            scan_frame(x, F);
            json_t *fl = flip_of(x, e);
            json_t *pp = fl ? per_person_of(x, e, F, dc->member) : NULL;
            if (pp)
                json_object_set_new(fl, "per_person", pp);
            json_object_set_new(o, "flip", fl ? fl : json_null());
            int32_t nf = (int32_t)json_array_size(dc->failed);
            int32_t *g = grow(x, dc->failed_node, &dc->capfailed, sizeof *g, nf + 1);
            if (g) {
                dc->failed_node = g;
                g[nf] = node;
                json_array_append(dc->failed, o);
            }
        }
        return o;
    }
    json_object_set_new(o, "kind", jtext(c->kind == CN_ALL ? "all" : "any"));
    json_object_set_new(o, "message", json_null());    /* its place; filled below */
    json_object_set_new(o, "line", json_integer(c->line));
    json_t *kids = json_array();
    size_t nfailed = json_array_size(dc->failed);
    int all = c->kind == CN_ALL, acc = all ? 1 : 0;
    int32_t kid = node + 1;
    for (int32_t k = 0; k < c->nkids; k++) {
        hm_val t;
        json_array_append_new(kids, cond_json(x, dc, kid, &t));
        int tv = t.unk ? -1 : t.v != 0;
        if (all)
            acc = tv == 0 ? 0 : (tv < 0 && acc != 0) ? -1 : acc;
        else
            acc = tv == 1 ? 1 : (tv < 0 && acc != 1) ? -1 : acc;
        kid += p->conds[kid].size;
    }
    *truth = acc < 0 ? (hm_val){ 0, UNK_MISSING, 0 } : (hm_val){ acc, 0, 0 };
    /* a group that is met (or not known) did not fail for what failed in
     * it: a failed alternative of a met `any` is no reason */
    while (acc != 0 && json_array_size(dc->failed) > nfailed)
        json_array_remove(dc->failed, json_array_size(dc->failed) - 1);
    json_object_set_new(o, "result", jtext(truth_word(*truth)));
    outcome_message(x, o, dc->pol, dc->member, c->msg, c->msg_else, *truth, 0);
    json_object_set_new(o, "children", kids);
    return o;
}

/* Is frame i part of decision (pol, member)? */
static int in_decision(ex *x, int32_t i, int32_t pol, int32_t member)
{
    return x->frames[i].owner == pol && x->frames[i].self == member && x->frames[i].claim == x->claim;
}

/* (field, member) or (parameter, key): what a decision read, listed once */
typedef struct readkey { int32_t a, b; } readkey;

/* A set of keys, hashed: a decision over a large household reads tens of
 * thousands of facts. */
typedef struct keyset {
    uint64_t *slot;         /* KEY_EMPTY or a key */
    size_t n, cap;          /* cap a power of two, at most half full */
} keyset;

#define KEY_EMPTY UINT64_MAX

static uint64_t key_of(readkey k) { return (uint64_t)(uint32_t)k.a << 32 | (uint32_t)k.b; }

static size_t key_hash(uint64_t k, size_t cap) { return (size_t)((k * 0x9E3779B97F4A7C15ULL) >> 17) & (cap - 1); }

/* Is k in *set?  If not, add it (0 when out of memory). */
static int read_once(ex *x, keyset *set, readkey k, int *added)
{
    *added = 0;
    if (2 * (set->n + 1) > set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 64;
        uint64_t *ns = mem_alloc(cap * sizeof *ns);
        if (!ns) {
            x->oom = 1;
            return 0;
        }
        memset(ns, 0xff, cap * sizeof *ns);
        for (size_t i = 0; i < set->cap; i++)
            if (set->slot[i] != KEY_EMPTY) {
                size_t h = key_hash(set->slot[i], cap);
                while (ns[h] != KEY_EMPTY)
                    h = (h + 1) & (cap - 1);
                ns[h] = set->slot[i];
            }
        mem_free(set->slot);
        set->slot = ns;
        set->cap = cap;
    }
    uint64_t key = key_of(k);
    size_t h = key_hash(key, set->cap);
    while (set->slot[h] != KEY_EMPTY) {
        if (set->slot[h] == key)
            return 1;
        h = (h + 1) & (set->cap - 1);
    }
    set->slot[h] = key;
    set->n++;
    *added = 1;
    return 1;
}

/* The facts and parameters the decision read, each once; the facts not
 * known also into unknown, and their (field, member) into *unk (mem_free). */
/* The fields left out of the records of list fact fj (a fact_json), each
 * as a fact not known of its own, `household.vehicles[3].value`, into out. */
static void missing_fields(json_t *fj, json_t *out)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(fj, "records"), i, r) {
        const char *name;
        json_t *v;
        json_object_foreach(json_object_get(r, "fields"), name, v) {
            if (!json_is_null(v))
                continue;
            json_t *u = json_deep_copy(fj);
            json_object_del(u, "records");
            json_object_set_new(u, "fact", jstrf("%s[%zu].%s", json_string_value(json_object_get(fj, "fact")), i + 1, name));
            json_object_set_new(u, "value", json_null());
            json_object_set_new(u, "state", jtext(state_word(FACT_MISSING)));
            json_object_set_new(u, "outcomes", json_null());
            json_object_set_new(u, "decides", json_null());
            json_array_append_new(out, u);
        }
    }
}

static void reads_of(ex *x, int32_t pol, int32_t member, json_t *facts, json_t *params, json_t *unknown,
                     readkey **unk, int32_t *nunk)
{
    keyset seen = { NULL, 0, 0 }, pseen = { NULL, 0, 0 };
    int32_t capunk = 0;
    /* after the facts tried value by value, whose places in unknown match unk */
    json_t *fields_unknown = json_array();
    *unk = NULL;
    *nunk = 0;
    for (int32_t i = lower_bound(x, x->byowner, 1, pol, member); i < x->nframes; i++) {
        int32_t F = x->byowner[i];
        if (!in_decision(x, F, pol, member))
            break;
        scan_frame(x, F);
        for (int32_t k = 0; k < x->nreads; k++) {
            const factread *r = &x->reads[k];
            int32_t m = x->p->fields[r->field].entity == ENT_HOUSEHOLD ? -1 : r->member;
            int added;
            if (!read_once(x, &seen, (readkey){ r->field, m }, &added) || !added)
                continue;
            json_t *fj = fact_json(x, r->field, m, r->v);
            if (strcmp(json_string_value(json_object_get(fj, "state")), "known") != 0) {
                readkey *g = grow(x, *unk, &capunk, sizeof **unk, *nunk + 1);
                if (g) {
                    *unk = g;
                    (*unk)[(*nunk)++] = (readkey){ r->field, m };
                    json_array_append_new(unknown, json_deep_copy(fj));
                }
            } else {
                missing_fields(fj, fields_unknown);
            }
            json_array_append_new(facts, fj);
        }
        for (int32_t k = 0; k < x->nparams; k++) {
            const paramread *r = &x->params[k];
            int32_t kv = r->key.unk ? INT32_MIN : (int32_t)r->key.v;
            int added;
            if (r->keys >= 0) {
                /* once for the table of the last key reached and that key */
                const hm_val *keys = &x->keyv[r->keys];
                int32_t last = r->param, e, dated, at = 0;
                while (x->p->params[last].keyed > 1 && !keys[at].unk) {
                    hm_val t = vm_param_lookup(x->vm, last, keys[at], &e, &dated);
                    if (t.unk)
                        break;
                    last = (int32_t)t.v;
                    at++;
                }
                kv = keys[at].unk ? INT32_MIN : (int32_t)keys[at].v;
                if (read_once(x, &pseen, (readkey){ last, kv }, &added) && added)
                    json_array_append_new(params, mparam_json(x, r->param, keys));
                continue;
            }
            if (r->on != vm_as_of(x->vm)) {
                /* read on another date (`P as of D`, rare): a row of its own */
                int32_t k2 = 0;
                while (k2 < k && !(x->params[k2].param == r->param && x->params[k2].on == r->on &&
                                   x->params[k2].key.unk == r->key.unk && x->params[k2].key.v == r->key.v))
                    k2++;
                if (k2 < k)
                    continue;
            } else if (!read_once(x, &pseen, (readkey){ r->param, kv }, &added) || !added) {
                continue;
            }
            json_array_append_new(params, param_json(x, r->param, r->key, NULL, r->on));
        }
    }
    json_array_extend(unknown, fields_unknown);
    json_decref(fields_unknown);
    mem_free(seen.slot);
    mem_free(pseen.slot);
}

/* Does expression e read fact `field` anywhere? */
static int reads_fact(const ast *e, int32_t field)
{
    if (!e)
        return 0;
    const sym *y = e->sym;
    if ((e->kind == N_GET || e->kind == N_NAME) && y && y->kind == SYM_FACT && y->id == field)
        return 1;
    if (e->kind == N_CALL || e->kind == N_LISTLIT) {
        for (const ast *a = e->a; a; a = a->next)
            if (reads_fact(a, field))
                return 1;
        return 0;
    }
    return reads_fact(e->a, field) || reads_fact(e->b, field) || reads_fact(e->c, field);
}

static int is_fact(const ast *e, int32_t field)
{
    return e && e->kind == N_GET && e->sym && ((sym *)e->sym)->kind == SYM_FACT && ((sym *)e->sym)->id == field;
}

/* Where the decision can change with fact (field, member fm): when the
 * household's evaluation reads it only as one side of comparisons that
 * are whole conditions (of this policy or of those it depends on), the
 * values either side of each threshold, into out; their number, or -1
 * when it is read otherwise (in arithmetic, a let, an amount ...) or a
 * threshold is not known. */
static int cmp_factframe(const void *a, const void *b)
{
    const factframe *p = a, *q = b;
    if (p->field != q->field)
        return p->field < q->field ? -1 : 1;
    if (p->member != q->member)
        return p->member < q->member ? -1 : 1;
    return p->frame < q->frame ? -1 : p->frame > q->frame;
}

/* Which frames read which facts, from one replay of every frame (a
 * household fact under member -1); 0, or -1 when out of memory. */
static int index_reads(ex *x)
{
    if (x->rdx_built)
        return x->rdx ? 0 : -1;
    x->rdx_built = 1;
    int32_t cap = 0;
    for (int32_t F = 0; F < x->nframes; F++) {
        scan_frame(x, F);
        for (int32_t k = 0; k < x->nreads; k++) {
            const factread *r = &x->reads[k];
            factframe *g = grow(x, x->rdx, &cap, sizeof *g, x->nrdx + 1);
            if (!g)
                return -1;
            x->rdx = g;
            x->rdx[x->nrdx++] = (factframe){ r->field, x->p->fields[r->field].entity == ENT_HOUSEHOLD ? -1 : r->member, F };
        }
    }
    if (!x->rdx && !(x->rdx = mem_calloc(1, sizeof *x->rdx)))
        return -1;
    qsort(x->rdx, (size_t)x->nrdx, sizeof *x->rdx, cmp_factframe);
    return 0;
}

/* The limits the fact (field, member fm) is compared with, where a frame
 * that reads it is a condition comparing it directly with a value that does
 * not read it: each limit and the values either side of it, into out (at
 * most max).  *all: every frame that reads the fact is such a comparison
 * (the decision can change only at those limits).  The number of values,
 * or -1 when out of memory. */
static int direct_thresholds(ex *x, int32_t field, int32_t fm, int64_t *out, int max, int *all)
{
    const hm_program *p = x->p;
    int n = 0;
    *all = 0;
    if (index_reads(x) < 0)
        return -1;
    factframe key = { field, p->fields[field].entity == ENT_HOUSEHOLD ? -1 : fm, -1 };
    int32_t lo = 0, hi = x->nrdx;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (cmp_factframe(&x->rdx[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *all = 1;
    for (int32_t i = lo; i < x->nrdx && x->rdx[i].field == key.field && x->rdx[i].member == key.member; i++) {
        int32_t F = x->rdx[i].frame;
        if (i > lo && x->rdx[i - 1].frame == F)
            continue;   /* read twice in one frame */
        scan_frame(x, F);
        const hm_function *fn = &p->fns[x->frames[F].fn];
        const ast *e = x->frames[F].fn < x->map->nfn ? x->map->fn_ast[x->frames[F].fn] : NULL;
        int op = e && e->kind == N_BINOP ? (int)e->ival : 0;
        const ast *other = NULL;
        if (fn->kind == FN_COND && (op == '<' || op == '>' || op == AOP_LE || op == AOP_GE || op == AOP_EQ ||
                                    op == AOP_NE) && is_fact(e->a, field) != is_fact(e->b, field)) {
            other = is_fact(e->a, field) ? e->b : e->a;
            if (reads_fact(other, field))
                other = NULL;
        }
        hm_val v;
        int32_t cs;
        if (!other || n + 3 > max || node_value(x, other, &v) != 0 || v.unk ||
            to_scale(node_vtype(other, &cs), p->fields[field].vtype, &v.v) != 0) {
            *all = 0;   /* read some other way: its limits are not all known */
            continue;
        }
        /* either side, where there is a side: INT64_MAX fen has none above */
        if (v.v > INT64_MIN)
            out[n++] = v.v - 1;
        out[n++] = v.v;
        if (v.v < INT64_MAX)
            out[n++] = v.v + 1;
    }
    return n;
}

typedef struct trial {
    int64_t v;
    int status;
} trial;

static int cmp_trial(const void *a, const void *b)
{
    int64_t x = ((const trial *)a)->v, y = ((const trial *)b)->v;
    return x < y ? -1 : x > y;
}

/* The probe VM's decision, of the claim explained if any, with the fact
 * `at` assumed (NULL when out of memory). */
static const hm_decision *probe_decide(const ex *x, hm_vm *probe_vm, int32_t pol, int32_t member,
                                       const vm_fact_value *at)
{
    return x->claim_k >= 0 ? vm_decide_claim_assuming(probe_vm, 0, pol, member, x->claim_k, at, 1)
                           : vm_decide_assuming(probe_vm, 0, pol, member, at, 1);
}

/* The probe VM's decision with the fact (field, of member fm or -1) at v
 * (-1 when out of memory). */
static int decide_at(const ex *x, hm_vm *probe_vm, int32_t field, int32_t fm, int64_t v, int32_t pol,
                     int32_t member)
{
    vm_fact_value at = { field, fm, v };
    const hm_decision *d = probe_decide(x, probe_vm, pol, member, &at);
    return d ? d->status : -1;
}

#define MAX_TRIALS 512

/* Values to try for a numeric fact not compared directly: 0 and 1, 2, 5
 * times each power of ten up to a bound (money to 10,000,000,000.00), or
 * for a date, every year from 120 years before the as-of date to 10 after. */
static int search_grid(const ex *x, int vtype, trial *t, int n)
{
    if (vtype == VT_DATE) {
        for (int k = -120 * 365; k <= 10 * 365 && n < MAX_TRIALS; k += 365)
            t[n++].v = x->in->as_of + k;
        return n;
    }
    int top = vtype == VT_MONEY || vtype == VT_DECIMAL ? 12 : 9;
    t[n++].v = 0;
    int64_t pow = 1;
    for (int e = 0; e <= top && n + 3 <= MAX_TRIALS; e++, pow *= 10) {
        t[n++].v = pow;
        t[n++].v = 2 * pow;
        t[n++].v = 5 * pow;
    }
    return n;
}

/* The decision for a numeric fact as ranges of its value: "at most
 * 29880.00: eligible", "at least 29880.01: not_eligible".  Where the fact
 * is only compared directly with thresholds, trying either side of each
 * gives every range exactly (*proven).  Otherwise values are tried across
 * its span and, wherever two neighbouring tries decide differently, the
 * boundary is found to the unit by bisection; a range may then hide a
 * value deciding otherwise (*proven = 0). */
static json_t *numeric_outcomes(ex *x, hm_vm *probe_vm, int32_t pol, int32_t member, int32_t field, int32_t fm,
                                int *first, int *same, int *proven)
{
    const hm_field *fd = &x->p->fields[field];
    trial t[MAX_TRIALS];
    int64_t thr[96];
    int all, nt = direct_thresholds(x, field, fm, thr, 96, &all), n = 0;
    /* the limits it is compared with directly, also when it is read other
     * ways too: a value the grid would pass over (== 3) is tried */
    for (int k = 0; k < nt; k++)
        t[n++].v = thr[k];
    *proven = all && nt > 0;
    if (!*proven)
        n = search_grid(x, fd->vtype, t, n);
    qsort(t, (size_t)n, sizeof *t, cmp_trial);
    int m = 0;
    for (int k = 0; k < n; k++)
        if (!m || t[k].v != t[m - 1].v)
            t[m++] = t[k];
    for (int k = 0; k < m; k++)
        if ((t[k].status = decide_at(x, probe_vm, field, fm, t[k].v, pol, member)) < 0)
            return NULL;
    if (!*proven) {
        /* each change between neighbours, to the unit: a and a + 1 */
        int m0 = m;
        for (int k = 0; k + 1 < m0 && m + 2 <= MAX_TRIALS; k++) {
            trial a = t[k], b = t[k + 1];
            /* the gap in unsigned arithmetic: it may exceed INT64_MAX */
            if (a.status == b.status || (uint64_t)b.v - (uint64_t)a.v <= 1)
                continue;
            while ((uint64_t)b.v - (uint64_t)a.v > 1) {
                trial mid = { (int64_t)((uint64_t)a.v + ((uint64_t)b.v - (uint64_t)a.v) / 2), 0 };
                if ((mid.status = decide_at(x, probe_vm, field, fm, mid.v, pol, member)) < 0)
                    return NULL;
                if (mid.status == a.status)
                    a = mid;
                else
                    b = mid;
            }
            t[m++] = a;
            t[m++] = b;
        }
        qsort(t, (size_t)m, sizeof *t, cmp_trial);
        int u = 0;
        for (int k = 0; k < m; k++)
            if (!u || t[k].v != t[u - 1].v)
                t[u++] = t[k];
        m = u;
    }
    if (!m)
        return NULL;
    json_t *arr = json_array();
    for (int k = 0; k < m;) {
        int j = k;
        while (j + 1 < m && t[j + 1].status == t[k].status)
            j++;
        char lo[64], hi[64];
        vm_format_value(x->vm, (hm_val){ t[k].v, 0, 0 }, fd->vtype, -1, lo, sizeof lo);
        vm_format_value(x->vm, (hm_val){ t[j].v, 0, 0 }, fd->vtype, -1, hi, sizeof hi);
        json_t *o = json_object();
        /* `range`, `lo` and `hi`; `value`, the same in English words, is
         * made from them (people_outcomes_english) */
        const char *range = k == 0 && j == m - 1 ? (*proven ? "any" : "tried") : k == 0 ? "at_most"
                          : j == m - 1 ? "at_least" : j == k ? "one" : "between";
        json_object_set_new(o, "value", json_null());
        json_object_set_new(o, "range", jtext(range));
        json_object_set_new(o, "lo", strcmp(range, "any") && strcmp(range, "at_most") ? jtext(lo) : json_null());
        json_object_set_new(o, "hi", strcmp(range, "any") && strcmp(range, "at_least") ? jtext(hi) : json_null());
        json_object_set_new(o, "status", jtext(status_word(t[k].status)));
        json_array_append_new(arr, o);
        if (*first < 0)
            *first = t[k].status;
        else if (*first != t[k].status)
            *same = 0;
        k = j + 1;
    }
    return arr;
}

/* Why a decision of the probe VM is "not eligible", as fields: `kind`
 * (`not_met`, `excluded`, `exception` or `message`, the drafters' message
 * for when it is not met), and `message`, `line`, `policy` and `label` as
 * they apply; null for other decisions or when no one reason holds.  The
 * English `reason` is made from it (people_outcomes_english). */
static json_t *outcome_why(ex *x, hm_vm *probe_vm, int32_t pol, int32_t member, const hm_decision *d)
{
    const hm_program *p = x->p;
    if (d->status != DEC_NOT_ELIGIBLE)
        return json_null();
    json_t *o = json_object();
    int32_t msg = -1;
    if (d->excluded_by >= 0) {
        json_object_set_new(o, "kind", jtext("excluded"));
        json_object_set_new(o, "policy", jtext(prog_str(p, p->policies[d->excluded_by].name)));
        json_object_set_new(o, "label", jtext(prog_str(p, p->policies[d->excluded_by].label)));
        return o;
    } else if (d->exception >= 0) {
        json_object_set_new(o, "kind", jtext("exception"));
        json_object_set_new(o, "line", json_integer(p->excs[d->exception].line));
        msg = p->excs[d->exception].msg;
    } else if (d->failed_cond >= 0) {
        const hm_condnode *c = &p->conds[d->failed_cond];
        json_object_set_new(o, "kind", jtext(c->msg_else >= 0 ? "message" : "not_met"));
        if (c->msg_else < 0)
            json_object_set_new(o, "line", json_integer(c->line));
        msg = c->msg_else >= 0 ? c->msg_else : c->msg;
    } else {
        json_decref(o);
        return json_null();
    }
    json_object_set_new(o, "message", msg >= 0 ? message_json(probe_vm, pol, member, prog_str(p, msg), "")
                                               : json_null());
    return o;
}

/* What the decision would be for each possible value of an unknown fact
 * (booleans and codes), the other facts staying as they are. */
static json_t *outcomes_of(ex *x, hm_vm *probe_vm, int32_t pol, int32_t member, int32_t field, int32_t fm,
                           json_t *fact)
{
    const hm_program *p = x->p;
    const hm_field *fd = &p->fields[field];
    if (fd->records)
        return NULL;
    int numeric = fd->vtype != VT_BOOL && fd->vtype != VT_CODE && fd->vtype != VT_TEXT && fd->vtype != VT_PERSON;
    /* a link may be each member in turn: members have no order */
    int32_t nvals = fd->vtype == VT_PERSON ? nmembers(x) : vm_fact_values(p, fd);
    if (!numeric && (nvals <= 0 || nvals > 16))
        return NULL;
    json_t *arr = NULL;
    int first = -1, same = 1, proven = 1;
    if (numeric) {
        arr = numeric_outcomes(x, probe_vm, pol, member, field, fm, &first, &same, &proven);
        nvals = 0;
    } else {
        arr = json_array();
    }
    for (int32_t k = 0; k < nvals; k++) {
        int64_t val = fd->vtype == VT_BOOL ? (k == 0) : k;
        vm_fact_value at = { field, fm, val };
        const hm_decision *d = probe_decide(x, probe_vm, pol, member, &at);
        if (!d)
            break;
        hm_val hv = { val, 0, 0 };
        json_t *o = json_object();
        json_object_set_new(o, "value", format_json(x, hv, fd->vtype, fd->codeset));
        json_object_set_new(o, "status", jtext(status_word(d->status)));
        json_object_set_new(o, "reason", json_null());     /* from why, below */
        json_object_set_new(o, "why", outcome_why(x, probe_vm, pol, member, d));
        json_array_append_new(arr, o);
        if (first < 0)
            first = d->status;
        else if (first != d->status)
            same = 0;
    }
    if (!arr)
        return NULL;
    json_object_set_new(fact, "outcomes_by", jtext(proven ? "every value" : "values tried"));
    /* what `decides` says, as a status: the one every value gives, else null */
    json_object_set_new(fact, "decided_as", same && first >= 0 ? jtext(status_word(first)) : json_null());
    if (people_outcomes_english(fact, arr) != 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* The records row of member's claim k (0-based) of claim policy pol. */
static int32_t claim_row(const ex *x, int32_t pol, int32_t member, int32_t k)
{
    const hm_program *p = x->p;
    const hm_rcolumn *rc = &x->in->facts->rcol[p->fields[p->policies[pol].claims].column];
    return rc->first[x->in->facts->hh_first[0] + member] + k;
}

/* The decision of pol for member (and, for a claim policy, claim k of the
 * member's, 0-based; else -1). */
/* The value fact (field, member fm) would need for comparison e (a fact
 * against a threshold) to be met: the threshold itself, or one step past
 * it for `<` and `>`.  Frame F was scanned.  0, or -1 when e is not such a
 * comparison. */
static int met_value(ex *x, const ast *e, int32_t member, const ast **fact, int32_t *fm, int64_t *v)
{
    if (!e || e->kind != N_BINOP)
        return -1;
    int op = (int)e->ival;
    /* the fact on either side; the other, a limit, as it was */
    const ast *subj = e->a, *thr = e->b;
    if (!(subj->kind == N_GET && subj->sym && ((sym *)subj->sym)->kind == SYM_FACT)) {
        subj = e->b;
        thr = e->a;
        op = op == '<' ? '>' : op == '>' ? '<' : op == AOP_LE ? AOP_GE : op == AOP_GE ? AOP_LE : op;
    }
    if (subj->kind != N_GET || !subj->sym || ((sym *)subj->sym)->kind != SYM_FACT ||
        reads_fact(thr, ((sym *)subj->sym)->id))
        return -1;
    int32_t f = ((sym *)subj->sym)->id;
    int household = x->p->fields[f].entity == ENT_HOUSEHOLD;
    if (!household && (x->p->fields[f].entity != ENT_PERSON || member < 0))
        return -1;
    hm_val tv;
    int32_t cs1, cs2;
    if (node_value(x, thr, &tv) != 0 || tv.unk)
        return -1;
    int st = node_vtype(subj, &cs1), tt = node_vtype(thr, &cs2);
    if (st != VT_INT && st != VT_MONEY && st != VT_DECIMAL && st != VT_DATE)
        return -1;
    int64_t t = tv.v;
    if (!tt || to_scale(tt, st, &t))
        return -1;
    switch (op) {
    case '<': if (__builtin_sub_overflow(t, 1, &t)) return -1; break;
    case '>': if (__builtin_add_overflow(t, 1, &t)) return -1; break;
    case AOP_LE: case AOP_GE: case AOP_EQ: break;
    default: return -1;
    }
    *fact = subj;
    *fm = household ? -1 : member;
    *v = t;
    return 0;
}

/* For a refusal on a condition (not an exclusion) of a policy with an
 * amount: the amount the household would receive were the decisive
 * condition met.  The fact it compares is given the value that meets it
 * (as "what would decide" tries values) and the policy decided again; the
 * amount is null, with the reason, where that cannot be done or does not
 * make the household eligible. */
static json_t *would_receive_json(ex *x, hm_vm *probe_vm, int32_t pol, int32_t member, const hm_decision *d)
{
    const hm_program *p = x->p;
    const hm_policy *P = &p->policies[pol];
    if (d->status != DEC_NOT_ELIGIBLE || d->excluded_by >= 0 || d->failed_cond < 0 || P->amount_fn < 0 ||
        x->claim_k >= 0 || p->conds[d->failed_cond].kind != CN_COND)
        return NULL;
    const hm_condnode *c = &p->conds[d->failed_cond];
    const ast *e = c->fn < x->map->nfn ? x->map->fn_ast[c->fn] : NULL;
    int32_t F = find_frame(x, c->fn, member);
    json_t *o = json_object();
    json_object_set_new(o, "assuming", node_text(x, e));
    json_object_set_new(o, "period", jtext(P->period == PERIOD_PER_MONTH ? "month"
                                           : P->period == PERIOD_PER_YEAR ? "year" : "once"));
    const ast *fact;
    int32_t fm;
    int64_t v;
    if (F < 0 || !e || (scan_frame(x, F), met_value(x, e, member, &fact, &fm, &v)) != 0) {
        json_object_set_new(o, "amount", json_null());
        json_object_set_new(o, "undetermined", jtext("the condition does not compare a fact with a limit"));
        return o;
    }
    hm_facts *f = x->in->facts;
    const sym *fs = fact->sym;
    const hm_field *fd = &p->fields[fs->id];
    hm_column *col = fm < 0 ? &f->hcol[fd->column] : &f->pcol[fd->column];
    int64_t row = fm < 0 ? 0 : (int64_t)f->hh_first[0] + fm;
    int64_t old_v = col->v[row];
    uint8_t old_state = col->state[row];
    col->v[row] = v;
    col->state[row] = FACT_KNOWN;
    const hm_decision *w = vm_begin_household(probe_vm, 0) < 0 ? NULL : vm_decide(probe_vm, pol, member);
    int32_t st = w ? w->status : -1;
    int64_t amount = w ? w->amount : 0;
    int has = w && w->has_amount;
    col->v[row] = old_v;
    col->state[row] = old_state;
    if (vm_begin_household(probe_vm, 0) < 0)
        x->oom = 1;
    char buf[64];
    hm_val at = { v, 0, 0 };
    int32_t cs = -1;
    vm_format_value(x->vm, at, node_vtype(fact, &cs), cs, buf, sizeof buf);
    json_object_set_new(o, "fact", jtext(fs->name));
    json_object_set_new(o, "value", jtext(buf));
    if (st == DEC_ELIGIBLE && has) {
        json_object_set_new(o, "amount", format_json(x, (hm_val){ amount, 0, 0 }, VT_MONEY, -1));
    } else {
        json_object_set_new(o, "amount", json_null());
        json_object_set_new(o, "undetermined", jtext(st == DEC_NOT_ELIGIBLE ? "another condition would still not be met"
                                                     : "the decision would be undetermined"));
    }
    return o;
}

static json_t *decision_json(ex *x, hm_vm *probe_vm, int32_t pol, int32_t member, int32_t claim)
{
    const hm_program *p = x->p;
    const hm_policy *P = &p->policies[pol];
    x->claim = claim >= 0 ? claim_row(x, pol, member, claim) : -1;
    x->claim_k = claim;
    /* a claim's decision also sets the claim whose values messages show */
    const hm_decision *d = claim >= 0 ? vm_decide_claim(x->vm, pol, member, claim) : vm_decide(x->vm, pol, member);
    x->nshown = 0;
    json_t *o = json_object();
    json_object_set_new(o, "policy", jtext(prog_str(p, P->name)));
    json_object_set_new(o, "label", jstr_or_null(prog_str(p, P->label)));
    json_object_set_new(o, "entity", jtext(P->entity == ENT_CLAIM ? "claim" : P->entity == ENT_PERSON ? "person" : "household"));
    json_object_set_new(o, "member", member_json(x, member));
    if (claim >= 0)
        json_object_set_new(o, "claim", json_integer(claim + 1));
    json_object_set_new(o, "member_id", jstr_or_null(member_id(x, member)));
    const char *path = prog_str(p, P->file);
    const char *base = strrchr(path, '/');
    json_object_set_new(o, "file", jstr_or_null(base ? base + 1 : path));
    json_object_set_new(o, "line", json_integer(P->line));
    json_object_set_new(o, "reference", jstr_or_null(prog_str(p, P->ref)));
    json_object_set_new(o, "status", jtext(status_word(d->status)));
    char buf[64];
    hm_val av = { d->amount, 0, 0 };
    json_object_set_new(o, "amount", d->status == DEC_ELIGIBLE && d->has_amount
                                         ? jtext(vm_format_value(x->vm, av, VT_MONEY, -1, buf, sizeof buf))
                                         : json_null());
    decision_ctx dc = { pol, P->entity != ENT_HOUSEHOLD ? member : -1, json_array(), NULL, 0 };
    /* conditions */
    hm_val truth = { 0, UNK_MISSING, 0 };
    /* `for … where`: whom the policy is for; for the others nothing else
     * was evaluated */
    json_object_set_new(o, "applies_when", P->applies >= 0 ? cond_json(x, &dc, P->applies, &truth) : json_null());
    json_object_set_new(o, "conditions", P->cond >= 0 && d->status != DEC_NOT_APPLICABLE
                                             ? cond_json(x, &dc, P->cond, &truth) : json_null());
    /* exceptions of `eligible when` */
    json_t *exc = json_array();
    for (int32_t k = 0; k < P->neexc; k++) {
        const hm_exception *e = &p->excs[P->first_eexc + k];
        int32_t F = find_frame(x, e->when_fn, dc.member);
        const ast *w = e->when_fn < x->map->nfn ? x->map->fn_ast[e->when_fn] : NULL;
        json_t *j = derive(x, F, w, 0);
        hm_val t = F >= 0 ? x->frames[F].ret : (hm_val){ 0, UNK_MISSING, 0 };
        json_object_set_new(j, "result", jtext(truth_word(t)));
        json_object_del(j, "value");
        json_object_set_new(j, "gives", jtext(e->eligible ? "eligible" : "not_eligible"));
        outcome_message(x, j, pol, dc.member, e->msg, e->msg_else, t, 0);
        json_object_set_new(j, "line", json_integer(e->line));
        json_object_set_new(j, "decided", json_boolean(d->exception == P->first_eexc + k));
        json_array_append_new(exc, j);
    }
    json_object_set_new(o, "exceptions", exc);
    /* policies that exclude this one */
    json_t *excl = json_array();
    for (int32_t k = 0; k < P->nexcl; k++) {
        int32_t q = p->ints[P->first_excl + k];
        const hm_decision *dq = vm_decide(x->vm, q, p->policies[q].entity == P->entity ? member : -1);
        json_t *j = json_object();
        json_object_set_new(j, "policy", jtext(prog_str(p, p->policies[q].name)));
        json_object_set_new(j, "label", jstr_or_null(prog_str(p, p->policies[q].label)));
        json_object_set_new(j, "status", jtext(status_word(dq->status)));
        json_object_set_new(j, "decided", json_boolean(d->excluded_by == q));
        json_array_append_new(excl, j);
    }
    json_object_set_new(o, "excluded_by", excl);
    /* lets this decision computed */
    json_t *lets = json_array();
    /* not applicable: no let was the decision's */
    for (int32_t l = 0; l < p->nlets && d->status != DEC_NOT_APPLICABLE; l++) {
        if (p->lets[l].policy != pol)
            continue;
        int32_t F = find_frame(x, p->lets[l].fn, dc.member);
        if (F < 0)
            continue;
        const ast *e = p->lets[l].fn < x->map->nfn ? x->map->fn_ast[p->lets[l].fn] : NULL;
        json_t *j = json_object();
        json_object_set_new(j, "name", jtext(prog_str(p, p->lets[l].name)));
        json_t *dj = derive(x, F, e, 0);
        /* a let's value is after its exceptions */
        hm_val lv = vm_value_of_let(x->vm, l, dc.member);
        json_object_set_new(dj, "value", value_json(x, lv, e));
        json_object_update(j, dj);
        json_decref(dj);
        if (p->lets[l].nexc > 0)
            json_object_set_new(j, "exceptions", value_exceptions_json(x, pol, dc.member, p->lets[l].first_exc,
                                                                       p->lets[l].nexc, e));
        json_array_append_new(lets, j);
    }
    json_object_set_new(o, "lets", lets);
    /* the amount */
    if (d->status == DEC_ELIGIBLE && P->amount_fn >= 0) {
        int32_t F = find_frame(x, P->amount_fn, dc.member);
        const ast *e = P->amount_fn < x->map->nfn ? x->map->fn_ast[P->amount_fn] : NULL;
        json_object_set_new(o, "amount_derivation", derive(x, F, e, 0));
        if (P->naexc > 0)
            json_object_set_new(o, "amount_exceptions", value_exceptions_json(x, pol, dc.member, P->first_aexc,
                                                                              P->naexc, e));
    } else {
        json_object_set_new(o, "amount_derivation", json_null());
    }
    /* facts, parameters */
    json_t *facts = json_array(), *params = json_array(), *unknown = json_array();
    readkey *unk;
    int32_t nunk;
    reads_of(x, pol, dc.member, facts, params, unknown, &unk, &nunk);
    json_object_set_new(o, "facts", facts);
    json_object_set_new(o, "parameters", params);
    /* why not: the conditions that failed, the decisive one first */
    json_t *why = json_array();
    if (d->status == DEC_NOT_ELIGIBLE) {
        size_t first = 0;
        for (size_t k = 0; k < json_array_size(dc.failed); k++)
            if (dc.failed_node[k] == d->failed_cond)
                first = k;
        if (json_array_size(dc.failed))
            json_array_append(why, json_array_get(dc.failed, first));
        for (size_t k = 0; k < json_array_size(dc.failed); k++)
            if (k != first)
                json_array_append(why, json_array_get(dc.failed, k));
    }
    json_decref(dc.failed);
    mem_free(dc.failed_node);
    json_object_set_new(o, "why_not", d->status == DEC_NOT_ELIGIBLE ? why : (json_decref(why), json_null()));
    json_t *would = would_receive_json(x, probe_vm, pol, member, d);
    if (would)
        json_object_set_new(o, "would_receive", would);
    /* undetermined, or decided whatever the value of facts not known:
     * which facts, from where, and what each value would decide */
    if (d->status == DEC_UNDETERMINED || d->settled)
        for (int32_t k = 0; k < nunk; k++) {
            json_t *fj = json_array_get(unknown, (size_t)k);
            json_t *oc = outcomes_of(x, probe_vm, pol, member, unk[k].a, unk[k].b, fj);
            json_object_set_new(fj, "outcomes", oc ? oc : json_null());
            if (!oc)
                json_object_set_new(fj, "decides", json_null());
        }
    mem_free(unk);
    if (d->settled) {
        json_t *st = json_object();
        json_object_set_new(st, "unknown_facts", unknown);
        json_object_set_new(o, "settled", st);
    } else {
        json_object_set_new(o, "settled", json_null());
    }
    if (d->status == DEC_UNDETERMINED) {
        json_t *u = json_object();
        json_object_set_new(u, "error", d->error ? jstr_or_null(vm_error(x->vm)) : json_null());
        json_object_set_new(u, "unknown_facts", unknown);
        /* an excluding policy that is itself undetermined leaves this one open */
        json_t *pend = json_array();
        for (int32_t k = 0; k < P->nexcl; k++) {
            int32_t q = p->ints[P->first_excl + k];
            const hm_decision *dq = vm_decide(x->vm, q, p->policies[q].entity == P->entity ? member : -1);
            if (dq->status == DEC_UNDETERMINED)
                json_array_append_new(pend, jtext(prog_str(p, p->policies[q].name)));
        }
        json_object_set_new(u, "undetermined_exclusions", pend);
        if (x->people)
            json_object_set_new(u, "waits_on", people_waits_on(x->people, x->vm, pol, member));
        json_object_set_new(o, "undetermined", u);
    } else {
        if (!d->settled)
            json_decref(unknown);
        json_object_set_new(o, "undetermined", json_null());
    }
    return o;
}

/* ---- the whole household ------------------------------------------------------------ */

static void ex_free(ex *x)
{
    mem_free(x->tr.ev);
    mem_free(x->frames);
    mem_free(x->byfn);
    mem_free(x->byowner);
    mem_free(x->kid);
    mem_free(x->sib);
    mem_free(x->rdx);
    mem_free(x->hfield);
    mem_free(x->pfield);
    mem_free(x->rfield);
    mem_free(x->pfirst);
    mem_free(x->pcount);
    mem_free(x->pidx);
    mem_free(x->fire);
    mem_free(x->reads);
    mem_free(x->params);
    mem_free(x->keyv);
    mem_free(x->scaleuses);
    mem_free(x->shadow);
    mem_free(x->armed);
    mem_free(x->shown);
    vm_free(x->vm);
}

/* Fill the messages of a decision while recording: a let that only a
 * message shows is computed then, and its derivation and the facts it
 * read are in the trace with the rest. */
static void trace_messages(ex *x, int32_t pol, int32_t member)
{
    const hm_program *p = x->p;
    const hm_policy *P = &p->policies[pol];
    for (int32_t k = 0; P->cond >= 0 && k < p->conds[P->cond].size; k++) {
        json_decref(message_json(x->vm, pol, member, prog_str(p, p->conds[P->cond + k].msg), ""));
        json_decref(message_json(x->vm, pol, member, prog_str(p, p->conds[P->cond + k].msg_else), ""));
    }
    for (int32_t k = 0; k < P->neexc; k++) {
        json_decref(message_json(x->vm, pol, member, prog_str(p, p->excs[P->first_eexc + k].msg), ""));
        json_decref(message_json(x->vm, pol, member, prog_str(p, p->excs[P->first_eexc + k].msg_else), ""));
    }
}

json_t *explain_build(const ex_input *in)
{
    ex xx;
    memset(&xx, 0, sizeof xx);
    ex *x = &xx;
    x->in = in;
    x->p = in->p;
    x->map = in->map;
    x->scanned = -1;
    x->claim = x->claim_k = -1;
    int replaced = 0;
    replaced_count = &replaced;
    msg_ex = x;
    const hm_program *p = in->p;
    hm_vm *probe_vm = NULL;
    json_t *doc = NULL;
    x->vm = vm_new(p);
    probe_vm = vm_new(p);
    if (!x->vm || !probe_vm)
        goto done;
    vm_bind(x->vm, in->facts, in->as_of);
    vm_bind(probe_vm, in->facts, in->as_of);
    vm_bind_externs(x->vm, in->externs);
    vm_bind_externs(probe_vm, in->externs);
    if (vm_begin_household(x->vm, 0) < 0)
        goto done;
    /* room for a large household's trace from the start: memory the
     * system maps when first written, and a block that large grows in
     * place, never copied (a small household touches a few pages of it) */
    x->tr.cap = (size_t)1 << 20;
    if (!(x->tr.ev = mem_alloc(x->tr.cap * sizeof *x->tr.ev)))
        x->tr.cap = 0;
    vm_set_trace(x->vm, &x->tr);
    int32_t n = in->facts->hh_count[0];
    /* decide everything asked for while recording; what they depend on is
     * decided (and recorded) on the way */
    for (int32_t i = 0; i < p->npolicies; i++) {
        if (in->policy >= 0 && i != in->policy)
            continue;
        if (p->policies[i].entity == ENT_CLAIM) {
            /* each claim of each member, in the list's order as given */
            for (int32_t m = 0; m < n; m++)
                for (int32_t k = 0; (in->member < 0 || m == in->member) && k < vm_claims(x->vm, i, m); k++) {
                    vm_decide_claim(x->vm, i, m, k);
                    trace_messages(x, i, m);
                }
        } else if (p->policies[i].entity == ENT_HOUSEHOLD) {
            vm_decide(x->vm, i, -1);
            trace_messages(x, i, -1);
        } else {
            for (int32_t m = 0; m < n; m++)
                if (in->member < 0 || m == in->member) {
                    vm_decide(x->vm, i, m);
                    trace_messages(x, i, m);
                }
        }
    }
    vm_set_trace(x->vm, NULL);
    if (x->tr.oom || build_frames(x) < 0 || index_frames(x) < 0 || index_probes(x) < 0)
        goto done;
    doc = json_object();
    char d[16];
    json_object_set_new(doc, "schema", jtext(EXPLAIN_SCHEMA));
    json_object_set_new(doc, "as_of", jtext(date_text(in->as_of, d)));
    json_t *hh = json_object();
    json_object_set_new(hh, "id", jstr_or_null(in->household_id));
    json_object_set_new(hh, "members", json_integer(n));
    json_t *ids = json_array();
    for (int32_t m = 0; m < n; m++)
        json_array_append_new(ids, jstr_or_null(member_id(x, m)));
    json_object_set_new(hh, "member_ids", ids);
    json_object_set_new(doc, "household", hh);
    people *pp = people_new(in);
    if (!pp || people_household(pp, hh))
        x->oom = 1;
    x->people = pp;
    /* a reformed pack (or --set): which reform */
    if (p->nreforms)
        json_object_set_new(doc, "reform", package_reform_json(p));
    if (in->each)
        in->each(in->each_ctx, doc, NULL);
    json_t *pols = json_array();
    for (int32_t i = 0; i < p->npolicies; i++) {
        if ((in->policy >= 0 && i != in->policy) || (in->member >= 0 && p->policies[i].entity == ENT_HOUSEHOLD))
            continue;
        int claims = p->policies[i].entity == ENT_CLAIM;
        for (int32_t m = p->policies[i].entity == ENT_HOUSEHOLD ? -1 : 0; m < (p->policies[i].entity == ENT_HOUSEHOLD ? 0 : n); m++) {
            if (m >= 0 && in->member >= 0 && m != in->member)
                continue;
            /* a claim policy: one decision for each of the member's claims */
            int32_t nk = claims ? vm_claims(x->vm, i, m) : 1;
            for (int32_t k = 0; k < nk; k++) {
                if (!in->each) {
                    json_t *dj = decision_json(x, probe_vm, i, m, claims ? k : -1);
                    if (dj && pp && people_decision(pp, dj))
                        x->oom = 1;
                    json_array_append_new(pols, dj);
                    continue;
                }
                /* made, shown and freed: the arena goes back to where it was */
                amark mark = arena_mark();
                json_t *dj = decision_json(x, probe_vm, i, m, claims ? k : -1);
                if (dj && pp && people_decision(pp, dj))
                    x->oom = 1;
                if (!x->oom)
                    in->each(in->each_ctx, doc, dj);
                json_decref(dj);
                arena_release(mark);
            }
        }
        x->claim = x->claim_k = -1;
    }
    json_object_set_new(doc, "decisions", pols);
    x->people = NULL;
    people_free(pp);
    if (replaced)
        json_object_set_new(doc, "replaced_bytes", json_integer(replaced));
    if (x->oom) {
        json_decref(doc);
        doc = NULL;
    }
done:
    replaced_count = NULL;
    msg_ex = NULL;
    vm_free(probe_vm);
    ex_free(x);
    return doc;
}
