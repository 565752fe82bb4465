/* verify.c -- the load-time verifier.  A program read from a file runs
 * only after every index in it has been checked against the tables it
 * points into, every instruction against the opcode table (operand kinds,
 * register numbers, jump targets), every loop against the one shape that
 * is known to terminate, and the calls between functions and policies for
 * cycles.  What the VM still checks at run time are values: list handles,
 * member numbers and arithmetic. */
#include "module.h"
#include "mem.h"

#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct vctx {
    const hm_program *p;
    const char *name;
    char *err;
    size_t errlen;
    int oom;
    uint8_t *rentity;       /* per records column: the entity of its field (0: none), | 4 for
                               a field of a list of records */
    int64_t bound[K__COUNT];        /* per operand kind: records of the table it numbers, or -1 */
    const char *what[K__COUNT];     /* and what one is called */
} vctx;

/* The operand kinds that number a table of the program, from
 * program_tables.def, with the size of each table. */
static void table_bounds(vctx *v)
{
    const hm_program *p = v->p;
    for (int k = 0; k < K__COUNT; k++)
        v->bound[k] = -1;
#define HM_TABLE(SEC, id, type, arr, count, ctype, kind, name) \
    if ((kind) != K_NO) {                                       \
        v->bound[kind] = (int64_t)p->count;                     \
        v->what[kind] = name;                                   \
    }
#define HM_ALONG(SEC, id, type, arr, count, what, of)
#include "program_tables.def"
#undef HM_TABLE
#undef HM_ALONG
}

static int bad(vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(vctx *v, const char *fmt, ...)
{
    int n = snprintf(v->err, v->errlen, "%s: bad bytecode (", v->name);
    if (n < 0 || (size_t)n >= v->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->err + n, v->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    size_t l = strlen(v->err);
    snprintf(v->err + l, v->errlen - l, ")");
    return -1;
}

/* not the program's fault: verify_program says so with -3 */
static int out_of_memory(vctx *v)
{
    snprintf(v->err, v->errlen, "%s: out of memory", v->name);
    v->oom = 1;
    return -1;
}

#define CHECK(cond, ...) do { if (!(cond)) return bad(v, __VA_ARGS__); } while (0)
#define STR_OK(i) ((i) >= -1 && (i) < p->nstrs)
#define RANGE_OK(first, n, total) ((first) >= 0 && (n) >= 0 && (int64_t)(first) + (n) <= (int64_t)(total))

static int verify_tables(vctx *v)
{
    const hm_program *p = v->p;
    CHECK(p->strpool_len > 0 && p->strpool[p->strpool_len - 1] == '\0', "string pool not terminated");
    for (int32_t i = 0; i < p->nstrs; i++)
        CHECK(p->strs[i] < p->strpool_len, "string %d outside the pool", i);
    CHECK(p->nhcols >= 0 && p->npcols >= 0 && p->nrcols >= 0 && p->nhcols <= MAXARG_Ax + 1 &&
          p->npcols <= MAXARG_Ax + 1 && p->nrcols <= MAXARG_Ax + 1, "bad column counts");
    for (int32_t i = 0; i < p->nfields; i++) {
        const hm_field *f = &p->fields[i];
        CHECK(f->entity == ENT_HOUSEHOLD || f->entity == ENT_PERSON, "field %d: bad entity", i);
        CHECK(f->vtype >= VT_BOOL && f->vtype <= VT_PERSON, "field %d: bad type", i);
        CHECK(f->records <= FIELD_ROWFIELD && f->period <= 2, "field %d: bad kind", i);
        /* the fields of a list of records follow it, of the same entity */
        if (f->records == FIELD_ROWFIELD)
            CHECK(i > 0 && p->fields[i - 1].entity == f->entity &&
                  (p->fields[i - 1].records == FIELD_ROWS || p->fields[i - 1].records == FIELD_ROWFIELD),
                  "field %d: a record's field that follows no list of records", i);
        CHECK(STR_OK(f->name) && STR_OK(f->source), "field %d: bad name", i);
        CHECK(f->fresh >= 0 && f->fresh_unit >= 0 && f->fresh_unit <= 3, "field %d: bad freshness", i);
        CHECK(f->codeset >= -1 && f->codeset < p->ncodesets, "field %d: bad code set", i);
        int32_t cols = f->records ? p->nrcols : f->entity == ENT_HOUSEHOLD ? p->nhcols : p->npcols;
        CHECK(f->column >= 0 && f->column < cols, "field %d: column %d out of range", i, f->column);
        if (f->records) {
            CHECK(!v->rentity[f->column], "field %d: records column %d has another field", i, f->column);
            v->rentity[f->column] = (uint8_t)(f->entity | (f->records == FIELD_ROWFIELD ? 4 : 0));
        }
    }
    /* a column holds one field: more columns would only take memory (a
     * small file could ask for millions of them) */
    int32_t nh = 0, np = 0, nr = 0;
    for (int32_t i = 0; i < p->nfields; i++)
        *(p->fields[i].records ? &nr : p->fields[i].entity == ENT_HOUSEHOLD ? &nh : &np) += 1;
    CHECK(p->nhcols <= nh && p->npcols <= np && p->nrcols <= nr, "more columns than fields");
    for (int32_t i = 0; i < p->ncodesets; i++) {
        const hm_codeset *c = &p->codesets[i];
        CHECK(STR_OK(c->name) && STR_OK(c->label), "code set %d: bad name", i);
        CHECK(RANGE_OK(c->first_label, (int64_t)c->nlabels * 2, p->nlabels), "code set %d: bad labels", i);
        CHECK(RANGE_OK(c->first_map, c->nmaps, p->ncodemaps), "code set %d: bad maps", i);
    }
    for (int32_t i = 0; i < p->nlabels; i++)
        CHECK(STR_OK(p->labels[i]), "label %d: bad string", i);
    for (int32_t i = 0; i < p->nfsources; i++) {
        const hm_fsource *s = &p->fsources[i];
        CHECK(s->field >= 0 && s->field < p->nfields && STR_OK(s->source), "field source %d is bad", i);
        CHECK(i == 0 || s->field >= p->fsources[i - 1].field, "field sources out of order");
        CHECK(s->fresh >= 0 && s->fresh_unit >= 0 && s->fresh_unit <= 3, "field source %d: bad freshness", i);
    }
    for (int32_t i = 0; i < p->nexterns; i++) {
        const hm_extern *x = &p->externs[i];
        CHECK(STR_OK(x->name) && (x->source == -1 || STR_OK(x->source)), "extern %d: bad name", i);
        CHECK(x->nparams <= HM_EXTERN_PARAMS && x->result >= VT_BOOL && x->result <= VT_DURATION,
              "extern %d: bad signature", i);
        for (int k = 0; k < x->nparams; k++)
            CHECK(x->params[k] >= VT_BOOL && x->params[k] <= VT_DURATION, "extern %d: bad parameter type", i);
    }
    for (int32_t i = 0; i < p->nfdefaults; i++) {
        const hm_fdefault *d = &p->fdefaults[i];
        CHECK(d->field >= 0 && d->field < p->nfields && !p->fields[d->field].records &&
              (i == 0 || d->field > p->fdefaults[i - 1].field), "fact default %d: bad field", i);
        const hm_field *f = &p->fields[d->field];
        CHECK(f->vtype == VT_TEXT ? d->text >= 0 && STR_OK(d->text) : d->text == -1, "fact default %d: bad text", i);
        CHECK(f->vtype != VT_BOOL || d->value == 0 || d->value == 1, "fact default %d: bad value", i);
        CHECK(f->vtype != VT_CODE || (d->value >= 0 && f->codeset >= 0 && f->codeset < p->ncodesets &&
                                      d->value < p->codesets[f->codeset].nlabels),
              "fact default %d: bad label", i);
    }
    for (int32_t i = 0; i < p->nreftabs; i++) {
        const hm_reftab *t = &p->reftabs[i];
        CHECK(STR_OK(t->name) && STR_OK(t->source) && (t->label == -1 || STR_OK(t->label)) &&
              (t->dated == 0 || t->dated == 1) && t->n >= 1 && RANGE_OK(t->first, t->n, p->nrefattrs),
              "reference table %d is bad", i);
    }
    for (int32_t i = 0; i < p->nrefattrs; i++) {
        const hm_refattr *a = &p->refattrs[i];
        CHECK(STR_OK(a->name) && (a->label == -1 || STR_OK(a->label)) && a->vtype >= VT_BOOL &&
              a->vtype <= VT_TEXT && a->period <= PERIOD_PER_YEAR, "reference attribute %d is bad", i);
    }
    for (int32_t i = 0; i < p->nrefreads; i++) {
        const hm_refread *r = &p->refreads[i];
        CHECK(r->field >= 0 && r->field < p->nfields && r->key >= 0 && r->key < p->nfields &&
              r->table >= 0 && r->table < p->nreftabs && r->attr >= 0 && r->attr < p->reftabs[r->table].n,
              "reference read %d is bad", i);
        const hm_field *f = &p->fields[r->field], *k = &p->fields[r->key];
        const hm_refattr *a = &p->refattrs[p->reftabs[r->table].first + r->attr];
        CHECK(!f->records && !k->records && k->vtype == VT_TEXT && f->entity == k->entity &&
              f->vtype == a->vtype && (i == 0 || r->field > p->refreads[i - 1].field),
              "reference read %d does not match its fields", i);
    }
    for (int32_t i = 0; i < p->nsrcfiles; i++) {
        const hm_srcrec *f = &p->srcfiles[i];
        CHECK(f->path >= 0 && STR_OK(f->path), "source file %d: bad name", i);
        CHECK(f->off <= p->srctext_len && f->len <= p->srctext_len - f->off, "source file %d: text outside", i);
        /* the hash that proves which text was approved must be that text's */
        uint8_t h[SHA256_DIGEST_SIZE];
        struct sha256_ctx ctx;
        sha256_init(&ctx);
        sha256_update(&ctx, f->len, (const uint8_t *)p->srctext + f->off);
        sha256_digest(&ctx, sizeof h, h);
        CHECK(memcmp(h, f->sha256, sizeof h) == 0, "source file %d: its text does not have its SHA-256", i);
    }
    CHECK(p->nreforms <= 1, "%d reforms (a program has at most one)", p->nreforms);
    for (int32_t i = 0; i < p->nreforms; i++) {
        const hm_reform *r = &p->reforms[i];
        CHECK(STR_OK(r->name) && (r->label == -1 || STR_OK(r->label)) && STR_OK(r->amends) &&
              r->file >= 0 && r->file < p->nsrcfiles, "reform %d: bad name, label or file", i);
    }
    /* the payment roll: one source, a list of households and one of
     * persons at most, each with its text, money and date fields */
    for (int32_t i = 0; i < p->nrolls; i++) {
        const hm_roll *r = &p->rolls[i];
        CHECK(r->field >= 0 && r->field < p->nfields && p->fields[r->field].records == FIELD_ROWS &&
              r->source >= 0 && STR_OK(r->source) && STR_OK(r->label) &&
              (i == 0 || (r->source == p->rolls[0].source && p->fields[r->field].entity !=
                          p->fields[p->rolls[0].field].entity)), "roll fact %d is bad", i);
        const int32_t f3[3] = { r->policy, r->amount, r->since };
        const int vt3[3] = { VT_TEXT, VT_MONEY, VT_DATE };
        for (int k = 0; k < 3; k++) {
            CHECK(f3[k] > r->field && f3[k] < p->nfields && p->fields[f3[k]].vtype == vt3[k],
                  "roll fact %d: bad field %d", i, k);
            for (int32_t f = r->field + 1; f <= f3[k]; f++)
                CHECK(p->fields[f].records == FIELD_ROWFIELD, "roll fact %d: field %d is not of its records", i, k);
        }
    }
    CHECK(p->nrolls <= 2, "%d roll facts (a roll has a list of households and one of persons)", p->nrolls);
    CHECK(p->nregions <= 1, "%d regions declarations (a program has at most one)", p->nregions);
    for (int32_t i = 0; i < p->nregions; i++) {
        const hm_regions *g = &p->regions[i];
        CHECK(g->field >= 0 && g->field < p->nfields && p->fields[g->field].records == FIELD_VALUE &&
              p->fields[g->field].entity == ENT_HOUSEHOLD && p->fields[g->field].vtype == VT_TEXT,
              "regions: bad field");
        CHECK(g->table >= -1 && g->table < p->nreftabs && g->name >= -1 &&
              (g->name == -1 || (g->table >= 0 && g->name < p->reftabs[g->table].n &&
                                 p->refattrs[p->reftabs[g->table].first + g->name].vtype == VT_TEXT)),
              "regions: bad table or name");
    }
    for (int32_t i = 0; i < p->ncodemaps; i++)
        CHECK(STR_OK(p->codemaps[i].source) && STR_OK(p->codemaps[i].raw) && p->codemaps[i].label >= -1,
              "code map %d is bad", i);
    for (int32_t i = 0; i < p->ndated; i++)
        CHECK(p->dated[i].none == 0 || p->dated[i].none == 1, "dated value %d: bad flag", i);
    for (int32_t i = 0; i < p->npentries; i++) {
        const hm_pentry *e = &p->pentries[i];
        CHECK(e->kind >= KEY_DEFAULT && e->kind <= KEY_RANGE, "table entry %d: bad kind", i);
        CHECK(e->kind != KEY_TEXT || (e->text >= 0 && e->text < p->nstrs), "table entry %d: bad key", i);
        CHECK(RANGE_OK(e->first, e->n, p->ndated), "table entry %d: bad values", i);
    }
    for (int32_t i = 0; i < p->nparams; i++) {
        const hm_param *a = &p->params[i];
        CHECK(STR_OK(a->name) && STR_OK(a->label) && STR_OK(a->ref) && STR_OK(a->file), "parameter %d: bad name", i);
        CHECK(a->vtype >= VT_BOOL && a->vtype <= VT_DURATION, "parameter %d: bad type", i);
        CHECK(a->vtype == VT_DURATION ? a->unit >= 1 && a->unit <= 3 : a->unit == 0, "parameter %d: bad unit", i);
        CHECK(RANGE_OK(a->first, a->n, a->keyed ? p->npentries : p->ndated), "parameter %d: bad values", i);
        CHECK(a->key_fn >= -1 && a->key_fn < p->nfns && (a->key_fn < 0 || (p->fns[a->key_fn].kind == FN_KEY &&
              p->fns[a->key_fn].nparams == 0)), "parameter %d: bad key function", i);
        /* a table with several keys: each entry's one value, always in
         * force, is the table of the next key (with one key fewer), so
         * the VM follows a chain that ends */
        for (int32_t k = 0; a->keyed > 1 && k < a->n; k++) {
            const hm_pentry *e = &p->pentries[a->first + k];
            CHECK(e->n == 1 && p->dated[e->first].from == INT32_MIN, "parameter %d: bad table of a key", i);
            int64_t c = p->dated[e->first].value;
            CHECK(c >= 0 && c < p->nparams && p->params[c].keyed == a->keyed - 1 &&
                  p->params[c].vtype == a->vtype, "parameter %d: bad table of a key", i);
        }
    }
    for (int32_t i = 0; i < p->nscales; i++) {
        const hm_scale *s = &p->scales[i];
        CHECK(STR_OK(s->name) && STR_OK(s->label) && s->n >= 1 && RANGE_OK(s->first, s->n, p->nscalevers),
              "scale %d is bad", i);
        for (int32_t k = 0; k < s->n; k++) {
            const hm_scalever *sv = &p->scalevers[s->first + k];
            CHECK(sv->n >= 1 && RANGE_OK(sv->first, sv->n, p->nrows) && sv->pad == 0 &&
                  (k == 0 || sv->from > p->scalevers[s->first + k - 1].from), "scale %d: bad version %d", i, k);
            int64_t prev = 0;
            for (int32_t j = 0; j < sv->n; j++) {
                const hm_scalerow *r = &p->rows[sv->first + j];
                /* a rate, or a decimal parameter of one value (possibly dated) */
                int64_t pa = r->rate < 0 ? -(r->rate + 1) : -1;
                CHECK(r->upper > prev && r->rate <= 1000000 &&
                      (pa < 0 || (pa < p->nparams && p->params[pa].vtype == VT_DECIMAL && !p->params[pa].keyed)),
                      "scale %d: bad row %d", i, j);
                prev = r->upper;
            }
        }
    }
    return 0;
}

/* ---- registers are written before they are read -------------------------------- */

typedef struct regset { uint64_t w[4]; } regset;    /* 256 registers */
#define RS_HAS(s, r) (((s).w[(r) >> 6] >> ((r) & 63)) & 1)
#define RS_ADD(s, r) ((s).w[(r) >> 6] |= (uint64_t)1 << ((r) & 63))

/* The registers instruction d of a function reads, into out (up to
 * HM_MAX_READS: a table's keys are at most that many less one). */
#define HM_MAX_READS 264
static int reads_of(const hm_program *p, const hm_decoded *d, int *out)
{
    int op = d->op, n = 0, a = d->a;
    const hm_opinfo *in = &hm_op_info[op];
    if (in->ka == K_R && !in->writes_a && op != OP_FORPREP)
        out[n++] = a;
    if (in->fmt == FMT_ABC && in->kb == K_R)
        out[n++] = d->b;
    if (in->fmt == FMT_ABC && in->kc == K_R)
        out[n++] = d->c;
    switch (op) {
    case OP_FORPREP: case OP_FORLOOP: out[n++] = a + 1; break;
    case OP_WINRANGE: case OP_MKDATE: case OP_MULDIV: out[n++] = d->c + 1; break;
    case OP_PARAMKEYAT: case OP_PSUM: out[n++] = d->b + 1; break;
    case OP_CALL: case OP_CALLX: {
        int np = op == OP_CALL ? p->fns[d->b].nparams : p->externs[d->b].nparams;
        for (int k = 1; k <= np && n < 10; k++)
            out[n++] = a + k;
        break;
    }
    case OP_PARAMKEYS:
        for (int k = 1; k < p->params[d->c].keyed && n < HM_MAX_READS; k++)
            out[n++] = d->b + k;
        break;
    default: break;
    }
    return n;
}

/* The VM does not clear a function's registers when it is called: on
 * every path, each register must be written (or be a parameter) before it
 * is read.  One pass in code order suffices, as every jump goes forward
 * but FORLOOP's, and a loop's body must not need more than its entry gave. */
static int verify_writes(vctx *v, int32_t fi)
{
    const hm_program *p = v->p;
    const hm_function *f = &p->fns[fi];
    const hm_instr *code = p->code + f->start;
    regset *in = mem_calloc(f->ncode, sizeof *in);
    uint8_t *reached = mem_calloc(f->ncode, 1);
    int rc = 0;
    if (!in || !reached) {
        rc = out_of_memory(v);
        goto done;
    }
    for (int r = 0; r < f->nparams; r++)
        RS_ADD(in[0], r);
    reached[0] = 1;
    for (uint32_t pc = 0; pc < f->ncode && !rc; pc++) {
        if (!reached[pc])
            continue;   /* no path leads here (nor to an EXTRAARG): it never runs */
        hm_decoded d;
        hm_decode(code, f->ncode, pc, &d);     /* verified already */
        int op = d.op, reg[HM_MAX_READS];
        regset cur = in[pc];
        int nr = reads_of(p, &d, reg);
        for (int k = 0; k < nr; k++)
            if (!RS_HAS(cur, reg[k])) {
                rc = bad(v, "function %d, %u: r%d is read before it is written", fi, pc, reg[k]);
                goto done;
            }
        if (hm_op_info[op].writes_a || op == OP_FORPREP)
            RS_ADD(cur, d.a);
        /* where control goes next, with the registers written so far */
        uint32_t next[2];
        int nn = 0;
        if (op != OP_JMP && op != OP_RET && pc + (uint32_t)d.len < f->ncode)
            next[nn++] = pc + (uint32_t)d.len;
        if (hm_op_info[op].fmt == FMT_AsBx) {
            uint32_t t = (uint32_t)((int64_t)pc + 1 + d.b);
            if (op == OP_FORLOOP) {
                for (int w = 0; w < 4; w++)
                    if (in[t].w[w] & ~cur.w[w]) {
                        rc = bad(v, "function %d, %u: the loop's body reads registers its entry did not write",
                                 fi, pc);
                        goto done;
                    }
            } else {
                next[nn++] = t;
            }
        }
        for (int k = 0; k < nn; k++) {
            regset *s = &in[next[k]];
            if (!reached[next[k]]) {
                *s = cur;
                reached[next[k]] = 1;
            } else {
                for (int w = 0; w < 4; w++)
                    s->w[w] &= cur.w[w];
            }
        }
    }
done:
    mem_free(in);
    mem_free(reached);
    return rc;
}

static int verify_function(vctx *v, int32_t fi)
{
    const hm_program *p = v->p;
    const hm_function *f = &p->fns[fi];
    CHECK(STR_OK(f->name) && STR_OK(f->file), "function %d: bad name", fi);
    CHECK(f->kind >= FN_USER && f->kind <= FN_KEY, "function %d: bad kind", fi);
    CHECK(f->nregs >= 1 && f->nregs <= MAXARG_A + 1 && f->nparams < f->nregs, "function %d: bad register count", fi);
    CHECK(f->policy >= -1 && f->policy < p->npolicies, "function %d: bad policy", fi);
    CHECK(f->ncode >= 1 && (uint64_t)f->start + f->ncode <= p->ncode, "function %d: code out of range", fi);
    const hm_instr *code = p->code + f->start;
    int nr = f->nregs;
    CHECK(GET_OP(code[f->ncode - 1]) == OP_RET, "function %d does not end with RET", fi);
    hm_decoded d;
    for (uint32_t pc = 0; pc < f->ncode; pc += (uint32_t)d.len) {
        int op = GET_OP(code[pc]);
        CHECK(op < HM_NUM_OPCODES, "function %d, %u: unknown opcode %d", fi, pc, op);
        CHECK(op != OP_EXTRAARG, "function %d, %u: EXTRAARG after an instruction that has no use for it", fi, pc);
        CHECK(hm_decode(code, f->ncode, pc, &d) == 0, "function %d, %u: %s without the EXTRAARG holding its index",
              fi, pc, hm_op_info[op].name);
        const hm_opinfo *in = &hm_op_info[op];
        int a = d.a, b = d.b, c = d.c;
        int kinds[3] = { in->ka, in->kb, in->fmt == FMT_ABC ? in->kc : K_NO };
        int vals[3] = { a, b, c };
        for (int k = 0; k < 3; k++) {
            int x = vals[k];
            if (v->bound[kinds[k]] >= 0)
                CHECK(x < v->bound[kinds[k]], "function %d, %u: %s %d", fi, pc, v->what[kinds[k]], x);
            switch (kinds[k]) {
            case K_R: CHECK(x < nr, "function %d, %u: register r%d of %d", fi, pc, x, nr); break;
            case K_FH: CHECK(x < p->nhcols, "function %d, %u: household column %d", fi, pc, x); break;
            case K_FP: CHECK(x < p->npcols, "function %d, %u: person column %d", fi, pc, x); break;
            case K_FR:
                CHECK(x < p->nrcols && v->rentity[x] == ENT_PERSON, "function %d, %u: person records column %d", fi, pc, x);
                break;
            case K_FHR:
                CHECK(x < p->nrcols && v->rentity[x] == ENT_HOUSEHOLD, "function %d, %u: household records column %d", fi, pc, x);
                break;
            case K_FX:
                CHECK(x < p->nrcols && (v->rentity[x] & 4), "function %d, %u: column %d holds no record's field", fi, pc, x);
                break;
            case K_FN: CHECK(p->fns[x].kind == FN_USER, "function %d, %u: callee %d", fi, pc, x); break;
            case K_N: CHECK(x <= 18, "function %d, %u: exponent %d", fi, pc, x); break;
            default: break;
            }
        }
        switch (op) {
        case OP_FORPREP: case OP_FORLOOP:
            CHECK(a + 1 < nr, "function %d, %u: loop registers out of range", fi, pc);
            break;
        case OP_WINRANGE:
            CHECK(c + 1 < nr, "function %d, %u: window registers out of range", fi, pc);
            break;
        case OP_MKDATE:
            CHECK(c + 1 < nr, "function %d, %u: date registers out of range", fi, pc);
            break;
        case OP_PARAMKEYAT:
            CHECK(b + 1 < nr, "function %d, %u: parameter registers out of range", fi, pc);
            break;
        case OP_PSUM:
            CHECK(b + 1 < nr, "function %d, %u: period registers out of range", fi, pc);
            CHECK(p->policies[c].period == PERIOD_PER_MONTH && p->policies[c].amount_fn >= 0,
                  "function %d, %u: policy %d has no amount per month", fi, pc, c);
            break;
        case OP_MULDIV:
            CHECK(c + 1 < nr, "function %d, %u: divisor register out of range", fi, pc);
            break;
        case OP_CALL:
            CHECK(a + p->fns[b].nparams < nr, "function %d, %u: call arguments out of range", fi, pc);
            break;
        case OP_CALLX:
            CHECK(a + p->externs[b].nparams < nr, "function %d, %u: call arguments out of range", fi, pc);
            break;
        case OP_PARAMKEY:
            CHECK(p->params[c].keyed == 1, "function %d, %u: parameter %d is not a table of one key", fi, pc, c);
            break;
        case OP_PARAMKEYS:
            CHECK(p->params[c].keyed >= 1 && b + p->params[c].keyed <= nr,
                  "function %d, %u: the keys of parameter %d are out of range", fi, pc, c);
            break;
        default:
            break;
        }
        if (in->fmt == FMT_AsBx) {
            int64_t target = (int64_t)pc + 1 + b;
            CHECK(target >= 0 && target < (int64_t)f->ncode, "function %d, %u: jump out of the function", fi, pc);
            /* an EXTRAARG is never run: every other one was found above
             * in its place after the instruction it belongs to */
            CHECK(GET_OP(code[target]) != OP_EXTRAARG, "function %d, %u: jump into the middle of an instruction",
                  fi, pc);
            if (op == OP_FORLOOP) {
                /* the only backward jump: to the instruction after its
                 * FORPREP, whose bound comes from LISTLEN, with a body that
                 * leaves the counter and the bound alone */
                CHECK(target <= (int64_t)pc && target >= 2, "function %d, %u: malformed loop", fi, pc);
                hm_instr prep = code[target - 1], len = code[target - 2];
                CHECK(GET_OP(prep) == OP_FORPREP && GETARG_A(prep) == a &&
                      (int64_t)target - 1 + 1 + GETARG_sBx(prep) == (int64_t)pc + 1,
                      "function %d, %u: loop without its FORPREP", fi, pc);
                CHECK(GET_OP(len) == OP_LISTLEN && GETARG_A(len) == a + 1,
                      "function %d, %u: loop bound not taken from a list length", fi, pc);
                hm_decoded bd;
                for (uint32_t k = (uint32_t)target; k < pc; k += (uint32_t)bd.len) {
                    hm_decode(code, f->ncode, k, &bd);    /* checked above */
                    if (hm_op_info[bd.op].writes_a && (bd.a == a || bd.a == a + 1))
                        return bad(v, "function %d, %u: loop body writes its counter", fi, (unsigned)k);
                    if (bd.op == OP_FORPREP && (bd.a == a || bd.a == a + 1))
                        return bad(v, "function %d, %u: loop body resets its counter", fi, (unsigned)k);
                }
            } else {
                CHECK(target > (int64_t)pc, "function %d, %u: backward jump", fi, pc);
            }
        }
    }
    return verify_writes(v, fi);
}

/* Calls between functions and policies must not form a cycle.  Nodes are
 * the functions (0 … nfns-1), then the policies; the search keeps its own
 * stack, so a chain of any length is followed. */
typedef struct graph {
    const hm_program *p;
    int32_t n;              /* nodes */
    uint8_t *state;         /* 0 new, 1 on the stack, 2 done */
    int32_t *stack;         /* the path */
    int32_t *next, *end;    /* for each node on it, its edges not yet followed */
    int32_t *edges;         /* the edges of the nodes on the path, in order */
    size_t cap;
} graph;

static void add_edge(int32_t *out, int32_t *n, int32_t to)
{
    if (to < 0)
        return;
    if (out)
        out[*n] = to;
    (*n)++;
}

/* The nodes `node` calls or needs, into out (when not NULL); their number. */
int32_t prog_node_edges(const hm_program *p, int32_t node, int32_t *out)
{
    int32_t n = 0;
    if (node < p->nfns) {
        const hm_function *f = &p->fns[node];
        hm_decoded d;
        for (uint32_t pc = 0; pc < f->ncode; pc += (uint32_t)d.len) {
            hm_decode(p->code + f->start, f->ncode, pc, &d);     /* verified already */
            if (d.op == OP_CALL)
                add_edge(out, &n, d.b);
            else if (d.op == OP_LET) {
                const hm_let *l = &p->lets[d.b];
                add_edge(out, &n, l->fn);
                for (int32_t k = 0; k < l->nexc; k++) {
                    add_edge(out, &n, p->excs[l->first_exc + k].when_fn);
                    add_edge(out, &n, p->excs[l->first_exc + k].value_fn);
                }
            } else if (d.op == OP_ELIG || d.op == OP_AMOUNT)
                add_edge(out, &n, p->nfns + d.b);
            else if (d.op == OP_PELIG || d.op == OP_PAMOUNT || d.op == OP_PSUM)
                add_edge(out, &n, p->nfns + d.c);
        }
        return n;
    }
    const hm_policy *P = &p->policies[node - p->nfns];
    if (P->applies >= 0)
        add_edge(out, &n, p->conds[P->applies].fn);
    if (P->cond >= 0)
        for (int32_t k = P->cond; k < P->cond + p->conds[P->cond].size; k++)
            if (p->conds[k].kind == CN_COND)
                add_edge(out, &n, p->conds[k].fn);
    add_edge(out, &n, P->amount_fn);
    for (int32_t k = 0; k < P->neexc; k++)
        add_edge(out, &n, p->excs[P->first_eexc + k].when_fn);
    for (int32_t k = 0; k < P->naexc; k++) {
        add_edge(out, &n, p->excs[P->first_aexc + k].when_fn);
        add_edge(out, &n, p->excs[P->first_aexc + k].value_fn);
    }
    for (int32_t k = 0; k < P->nexcl; k++)
        add_edge(out, &n, p->nfns + p->ints[P->first_excl + k]);
    return n;
}

/* Push `node` on the path with its edges on top of the edge stack. */
static int push_node(graph *g, int32_t *depth, int32_t node)
{
    int32_t base = *depth ? g->end[*depth - 1] : 0, n = prog_node_edges(g->p, node, NULL);
    if ((size_t)base + (size_t)n > g->cap) {
        size_t c = g->cap ? g->cap : 256;
        while (c < (size_t)base + (size_t)n)
            c *= 2;
        int32_t *e = mem_realloc(g->edges, sizeof *e * c);
        if (!e)
            return -3;
        g->edges = e;
        g->cap = c;
    }
    if (n > 0)      /* no edges: no array yet, perhaps */
        prog_node_edges(g->p, node, g->edges + base);
    g->state[node] = 1;
    g->stack[*depth] = node;
    g->next[*depth] = base;
    g->end[*depth] = base + n;
    (*depth)++;
    return 0;
}

/* Depth-first from `root`: -1 when a cycle is found, -3 out of memory. */
static int visit(graph *g, int32_t root)
{
    int32_t depth = 0;
    if (g->state[root])
        return 0;
    if (push_node(g, &depth, root) < 0)
        return -3;
    while (depth > 0) {
        int32_t top = depth - 1;
        if (g->next[top] == g->end[top]) {
            g->state[g->stack[top]] = 2;
            depth--;
            continue;
        }
        int32_t to = g->edges[g->next[top]++];
        if (g->state[to] == 1)
            return -1;
        if (g->state[to] == 0 && push_node(g, &depth, to) < 0)
            return -3;
    }
    return 0;
}

static int verify_fn_ref(vctx *v, int32_t fn, int kind, int allow_none, const char *what, int32_t i)
{
    const hm_program *p = v->p;
    if (fn == -1 && allow_none)
        return 0;
    CHECK(fn >= 0 && fn < p->nfns && p->fns[fn].kind == kind && p->fns[fn].nparams == 0,
          "%s %d: bad function %d", what, i, fn);
    return 0;
}

static int verify_policies(vctx *v)
{
    const hm_program *p = v->p;
    for (int32_t i = 0; i < p->nexcs; i++) {
        const hm_exception *e = &p->excs[i];
        if (verify_fn_ref(v, e->when_fn, FN_WHEN, 0, "exception", i) ||
            verify_fn_ref(v, e->value_fn, FN_VALUE, 1, "exception", i))
            return -1;
        CHECK(STR_OK(e->msg) && STR_OK(e->msg_else) && e->pad == 0, "exception %d: bad message", i);
    }
    for (int32_t i = 0; i < p->nlets; i++) {
        const hm_let *l = &p->lets[i];
        CHECK(STR_OK(l->name) && l->policy >= -1 && l->policy < p->npolicies &&
              l->vtype >= 0 && l->vtype <= VT_DURATION, "let %d is bad", i);
        if (verify_fn_ref(v, l->fn, FN_LET, 0, "let", i))
            return -1;
        CHECK(RANGE_OK(l->first_exc, l->nexc, p->nexcs), "let %d: bad exceptions", i);
    }
    for (int32_t i = 0; i < p->nconds; i++) {
        const hm_condnode *c = &p->conds[i];
        CHECK(c->kind >= CN_COND && c->kind <= CN_ANY && STR_OK(c->msg) && STR_OK(c->ref) && STR_OK(c->msg_else), "condition %d is bad", i);
        CHECK(c->size >= 1 && RANGE_OK(i, c->size, p->nconds), "condition %d: bad size", i);
        if (c->kind == CN_COND) {
            CHECK(c->size == 1 && c->nkids == 0, "condition %d: bad shape", i);
            if (verify_fn_ref(v, c->fn, FN_COND, 0, "condition", i))
                return -1;
        } else {
            /* the children must exactly fill the subtree */
            int32_t k = i + 1, kids = 0;
            while (k < i + c->size) {
                /* a child inside its parent (and no overflow stepping over it) */
                CHECK(p->conds[k].size >= 1 && p->conds[k].size <= i + c->size - k, "condition %d: bad child", i);
                k += p->conds[k].size;
                kids++;
            }
            CHECK(k == i + c->size && kids == c->nkids, "condition %d: children do not fit", i);
        }
    }
    for (int32_t i = 0; i < p->nints; i++)
        CHECK(p->ints[i] >= 0, "list entry %d is bad", i);
    for (int32_t i = 0; i < p->npolicies; i++) {
        const hm_policy *P = &p->policies[i];
        CHECK(STR_OK(P->name) && STR_OK(P->label) && STR_OK(P->ref) && STR_OK(P->file), "policy %d: bad name", i);
        CHECK(P->entity == ENT_HOUSEHOLD || P->entity == ENT_PERSON || P->entity == ENT_CLAIM, "policy %d: bad entity", i);
        /* a claim policy decides the records of a person's list of records */
        CHECK(P->entity == ENT_CLAIM
                  ? P->claims >= 0 && P->claims < p->nfields && p->fields[P->claims].records == FIELD_ROWS &&
                        p->fields[P->claims].entity == ENT_PERSON && p->fields[P->claims].column >= 0 &&
                        p->fields[P->claims].column < p->nrcols &&
                        (P->order == -1 || (P->order >= 0 && P->order < p->nrcols && (v->rentity[P->order] & 4)))
                  : P->claims == -1 && P->order == -1,
              "policy %d: bad claims", i);
        CHECK(P->cond >= -1 && P->cond < p->nconds, "policy %d: bad condition", i);
        CHECK(P->applies == -1 || (P->applies >= 0 && P->applies < p->nconds && p->conds[P->applies].kind == CN_COND),
              "policy %d: bad applicability condition", i);
        CHECK(P->period >= PERIOD_ONCE && P->period <= PERIOD_PER_YEAR, "policy %d: bad amount period", i);
        if (verify_fn_ref(v, P->amount_fn, FN_AMOUNT, 1, "policy", i))
            return -1;
        CHECK(RANGE_OK(P->first_eexc, P->neexc, p->nexcs) && RANGE_OK(P->first_aexc, P->naexc, p->nexcs),
              "policy %d: bad exceptions", i);
        for (int32_t k = 0; k < P->neexc; k++)
            CHECK(p->excs[P->first_eexc + k].value_fn == -1, "policy %d: bad eligibility exception", i);
        for (int32_t k = 0; k < P->naexc; k++)
            CHECK(p->excs[P->first_aexc + k].value_fn >= 0, "policy %d: bad amount exception", i);
        CHECK(RANGE_OK(P->first_excl, P->nexcl, p->nints) && RANGE_OK(P->first_fact, P->nfacts, p->nints),
              "policy %d: bad lists", i);
        for (int32_t k = 0; k < P->nexcl; k++)
            CHECK(p->ints[P->first_excl + k] < p->npolicies, "policy %d: bad exclusion", i);
        for (int32_t k = 0; k < P->nfacts; k++)
            CHECK(p->ints[P->first_fact + k] < p->nfields, "policy %d: bad fact", i);
    }
    return 0;
}

static int verify_all(vctx *v)
{
    const hm_program *p = v->p;
    if (verify_tables(v) < 0)
        return -1;
    for (int32_t i = 0; i < p->nfns; i++)
        if (verify_function(v, i) < 0)
            return v->oom ? -3 : -1;
    if (verify_policies(v) < 0)
        return -1;
    int32_t n = p->nfns + p->npolicies;
    size_t sz = sizeof(int32_t) * ((size_t)n + 1);
    graph g = { p, n, mem_calloc((size_t)n + 1, 1), mem_alloc(sz), mem_alloc(sz), mem_alloc(sz), NULL, 0 };
    int rc = 0;
    if (!g.state || !g.stack || !g.next || !g.end)
        rc = -3;
    /* policies first: a cycle is then reported from where it is seen */
    for (int32_t i = 0; i < p->npolicies && !rc; i++)
        rc = visit(&g, p->nfns + i);
    for (int32_t i = 0; i < p->nfns && !rc; i++)
        rc = visit(&g, i);
    mem_free(g.state);
    mem_free(g.stack);
    mem_free(g.next);
    mem_free(g.end);
    mem_free(g.edges);
    if (rc == -3) {
        out_of_memory(v);
        return -3;
    }
    if (rc)
        return bad(v, "functions or policies call each other in a cycle");
    return 0;
}

int verify_program(const hm_program *p, const char *name, char *err, size_t errlen)
{
    vctx vc = { .p = p, .name = name, .err = err, .errlen = errlen };
    table_bounds(&vc);
    if (p->nrcols < 0 || p->nrcols > MAXARG_Ax + 1)
        return bad(&vc, "bad column counts");
    vc.rentity = mem_calloc((size_t)p->nrcols + 1, 1);
    if (!vc.rentity) {
        out_of_memory(&vc);
        return -3;
    }
    int rc = verify_all(&vc);
    mem_free(vc.rentity);
    return rc;
}
