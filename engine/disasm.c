/* disasm.c -- see disasm.h.  Deterministic output (no addresses, no
 * timings), so it is tested with golden files. */
#include "disasm.h"
#include "calendar.h"

#include <inttypes.h>
#include <string.h>

/* the unit of a duration parameter's values, after them */
static const char *unit_name(int unit)
{
    return unit == 1 ? " days" : unit == 2 ? " months" : unit == 3 ? " years" : "";
}

static const char *fn_kind(int k)
{
    switch (k) {
    case FN_USER: return "function";
    case FN_LET: return "let";
    case FN_COND: return "condition";
    case FN_AMOUNT: return "amount";
    case FN_WHEN: return "exception-when";
    case FN_VALUE: return "exception-value";
    case FN_KEY: return "key";
    }
    return "?";
}

static void field_name(const hm_program *p, int entity, int records, int column, char *buf, size_t n)
{
    for (int i = 0; i < p->nfields; i++) {
        const hm_field *f = &p->fields[i];
        int kind = f->records == FIELD_ROWS ? FIELD_RECORDS : f->records;   /* a list is read as records are */
        if ((f->entity == entity || !entity) && kind == records && f->column == column) {
            snprintf(buf, n, "%s", prog_str(p, f->name));
            return;
        }
    }
    snprintf(buf, n, "?%d", column);
}

static void operand(const hm_program *p, int kind, int v, char *buf, size_t n)
{
    switch (kind) {
    case K_R: snprintf(buf, n, "r%d", v); break;
    case K_K:
        if (v < p->nconsts) snprintf(buf, n, "%" PRId64, p->consts[v]);
        else snprintf(buf, n, "K?%d", v);
        break;
    case K_S: snprintf(buf, n, "\"%s\"", prog_str(p, v)); break;
    case K_FH: field_name(p, ENT_HOUSEHOLD, 0, v, buf, n); break;
    case K_FP: field_name(p, ENT_PERSON, 0, v, buf, n); break;
    case K_FR: field_name(p, ENT_PERSON, 1, v, buf, n); break;
    case K_FHR: field_name(p, ENT_HOUSEHOLD, 1, v, buf, n); break;
    case K_FX: field_name(p, 0, FIELD_ROWFIELD, v, buf, n); break;
    case K_PA: snprintf(buf, n, "%s", v < p->nparams ? prog_str(p, p->params[v].name) : "?"); break;
    case K_SC: snprintf(buf, n, "%s", v < p->nscales ? prog_str(p, p->scales[v].name) : "?"); break;
    case K_FN: snprintf(buf, n, "%s", v < p->nfns ? prog_str(p, p->fns[v].name) : "?"); break;
    case K_LT: snprintf(buf, n, "%s", v < p->nlets ? prog_str(p, p->lets[v].name) : "?"); break;
    case K_PO: snprintf(buf, n, "%s", v < p->npolicies ? prog_str(p, p->policies[v].name) : "?"); break;
    case K_EX: snprintf(buf, n, "%s", v < p->nexterns ? prog_str(p, p->externs[v].name) : "?"); break;
    case K_J: snprintf(buf, n, "%+d", v); break;
    case K_N: snprintf(buf, n, "%d", v); break;
    default: buf[0] = '\0';
    }
}

static void disasm_function(const hm_program *p, int fi, FILE *out)
{
    const hm_function *f = &p->fns[fi];
    fprintf(out, "\nfunction %d %s (%s, %d param%s, %d register%s)\n", fi, prog_str(p, f->name),
            fn_kind(f->kind), f->nparams, f->nparams == 1 ? "" : "s", f->nregs, f->nregs == 1 ? "" : "s");
    fprintf(out, "  addr  opcode      A       B                       C\n");
    const hm_instr *code = p->code + f->start;
    for (uint32_t pc = 0; pc < f->ncode; pc++) {
        hm_instr i = code[pc];
        int op = GET_OP(i);
        hm_decoded d;
        if (op == OP_EXTRAARG) {
            /* the index shown with the instruction before: its own line
             * keeps the addresses true */
            fprintf(out, "  %04u  %-10s  %-6d  %-22s  %-14s ; %s\n", pc, "EXTRAARG", GETARG_Ax(i), "", "",
                    hm_op_info[op].synopsis);
            continue;
        }
        if (hm_decode(code, f->ncode, pc, &d) < 0) {
            fprintf(out, "  %04u  ?%d\n", pc, op);
            continue;
        }
        const hm_opinfo *in = &hm_op_info[op];
        char a[64] = "", b[96] = "", c[96] = "";
        operand(p, in->ka, d.a, a, sizeof a);
        if (in->fmt == FMT_ABC) {
            operand(p, in->kb, d.b, b, sizeof b);
            operand(p, in->kc, d.c, c, sizeof c);
        } else if (in->fmt == FMT_ABx) {
            operand(p, in->kb, d.b, b, sizeof b);
        } else {
            int target = (int)pc + 1 + d.b;
            snprintf(b, sizeof b, "%+d (to %04d)", d.b, target);
        }
        uint32_t line = p->lines ? p->lines[f->start + pc] : 0;
        fprintf(out, "  %04u  %-10s  %-6s  %-22s  %-14s ; %s", pc, in->name, a, b, c, in->synopsis);
        if (line)
            fprintf(out, "  (line %u)", line >> 12);
        fputc('\n', out);
    }
}

void disasm_program(const hm_program *p, FILE *out)
{
    fprintf(out, "program: %d policies, %d functions, %u instructions, %d constants, %d strings\n",
            p->npolicies, p->nfns, p->ncode, p->nconsts, p->nstrs);
    /* what the pack was compiled from: each file's SHA-256, as sha256sum prints it */
    fprintf(out, "\nsource files:\n");
    for (int32_t i = 0; i < p->nsrcfiles; i++) {
        const hm_srcrec *r = &p->srcfiles[i];
        fprintf(out, "  ");
        for (int k = 0; k < 32; k++)
            fprintf(out, "%02x", r->sha256[k]);
        fprintf(out, "  %s (%u bytes)\n", prog_str(p, r->path), r->len);
    }
    /* a reformed pack: which base, amended by which reform */
    for (int32_t i = 0; i < p->nreforms; i++) {
        const hm_reform *r = &p->reforms[i];
        fprintf(out, "\nreform %s", prog_str(p, r->name));
        if (r->label >= 0)
            fprintf(out, " \"%s\"", prog_str(p, r->label));
        if (*prog_str(p, r->amends))
            fprintf(out, " amends %s", prog_str(p, r->amends));
        fprintf(out, " (%s)\n  base module sha256:", prog_str(p, p->srcfiles[r->file].path));
        for (int k = 0; k < 32; k++)
            fprintf(out, "%02x", r->base_sha256[k]);
        fputc('\n', out);
    }
    /* what audit and diff read besides the policies */
    for (int32_t i = 0; i < p->nrolls; i++) {
        const hm_roll *r = &p->rolls[i];
        const hm_field *a = &p->fields[r->amount];
        fprintf(out, "%sroll %s: %s (policy %s, amount %s%s, since %s)\n", i ? "" : "\n", prog_str(p, r->source),
                prog_str(p, p->fields[r->field].name), prog_str(p, p->fields[r->policy].name),
                prog_str(p, a->name), a->period == PERIOD_PER_MONTH ? " per month"
                : a->period == PERIOD_PER_YEAR ? " per year" : " once", prog_str(p, p->fields[r->since].name));
    }
    for (int32_t i = 0; i < p->nregions; i++) {
        const hm_regions *g = &p->regions[i];
        fprintf(out, "\nregions by %s", prog_str(p, p->fields[g->field].name));
        if (g->table >= 0)
            fprintf(out, " (table %s%s)", prog_str(p, p->reftabs[g->table].name), g->name >= 0 ? ", names" : "");
        fputc('\n', out);
    }
    fprintf(out, "\nfacts:\n");
    for (int i = 0; i < p->nfields; i++) {
        const hm_field *f = &p->fields[i];
        fprintf(out, "  %-32s %s%s%s from ", prog_str(p, f->name), f->records ? "records of " : "",
                vt_name(f->vtype), f->period == PERIOD_PER_MONTH ? " per month" : f->period == PERIOD_PER_YEAR ? " per year" : "");
        int any = 0;
        for (int j = 0; j < p->nfsources; j++) {
            const hm_fsource *fs = &p->fsources[j];
            if (fs->field != i)
                continue;
            fprintf(out, "%s%s", any++ ? " and " : "", prog_str(p, fs->source));
            if (fs->fresh)
                fprintf(out, " (fresh within %d %s)", fs->fresh,
                        fs->fresh_unit == 1 ? "days" : fs->fresh_unit == 2 ? "months" : "years");
        }
        if (!any)
            fprintf(out, "%s", prog_str(p, f->source));
        fputc('\n', out);
    }
    if (p->nexterns)
        fprintf(out, "\nextern functions:\n");
    for (int i = 0; i < p->nexterns; i++) {
        const hm_extern *x = &p->externs[i];
        fprintf(out, "  %s(", prog_str(p, x->name));
        for (int k = 0; k < x->nparams; k++)
            fprintf(out, "%s%s", k ? ", " : "", vt_name(x->params[k]));
        fprintf(out, ") : %s", vt_name(x->result));
        if (x->source >= 0)
            fprintf(out, " from %s", prog_str(p, x->source));
        fputc('\n', out);
    }
    if (p->nparams)
        fprintf(out, "\nparameters:\n");
    for (int i = 0; i < p->nparams; i++) {
        const hm_param *pa = &p->params[i];
        /* the tables of a table with several keys share its name: numbered */
        int nested = pa->keyed > 1;
        for (int j = 0; j < p->nparams && !nested && pa->keyed; j++)
            for (int e = 0; p->params[j].keyed > 1 && e < p->params[j].n && !nested; e++) {
                const hm_pentry *pe = &p->pentries[p->params[j].first + e];
                nested = pe->n > 0 && p->dated[pe->first].value == i;
            }
        fprintf(out, "  %s : %s%s%s", prog_str(p, pa->name), vt_name(pa->vtype),
                pa->unit ? (pa->unit == 1 ? " in days" : pa->unit == 2 ? " in months" : " in years") : "",
                pa->keyed > 1 ? " (table of several keys)" : pa->keyed ? " (table)" : "");
        if (nested)
            fprintf(out, " #%d, %d key%s", i, pa->keyed, pa->keyed == 1 ? "" : "s");
        fputc('\n', out);
        if (!pa->keyed) {
            for (int k = 0; k < pa->n; k++) {
                const hm_dated *d = &p->dated[pa->first + k];
                char day[16] = "always";
                if (d->from != INT32_MIN)
                    cal_format(d->from, day);
                if (d->none)
                    fprintf(out, "    from %s: none\n", day);
                else
                    fprintf(out, "    from %s: %" PRId64 "%s\n", day, d->value, unit_name(pa->unit));
            }
            continue;
        }
        for (int e = 0; e < pa->n; e++) {
            const hm_pentry *pe = &p->pentries[pa->first + e];
            if (pe->kind == KEY_DEFAULT)
                fprintf(out, "    default:");
            else if (pe->kind == KEY_TEXT)
                fprintf(out, "    \"%s\":", prog_str(p, pe->text));
            else
                fprintf(out, "    %" PRId64 " to %" PRId64 ":", pe->lo, pe->hi);
            if (pa->keyed > 1) {
                fprintf(out, " the next key's table #%" PRId64 "\n", pe->n ? p->dated[pe->first].value : -1);
                continue;
            }
            for (int k = 0; k < pe->n; k++) {
                const hm_dated *d = &p->dated[pe->first + k];
                char day[16] = "always";
                if (d->from != INT32_MIN)
                    cal_format(d->from, day);
                if (d->none)
                    fprintf(out, " from %s none%s", day, k + 1 < pe->n ? "," : "");
                else
                    fprintf(out, " from %s %" PRId64 "%s%s", day, d->value, unit_name(pa->unit), k + 1 < pe->n ? "," : "");
            }
            fputc('\n', out);
        }
    }
    for (int i = 0; i < p->nscales; i++) {
        const hm_scale *s = &p->scales[i];
        fprintf(out, "\nscale %s:\n", prog_str(p, s->name));
        for (int v = 0; v < s->n; v++) {
            const hm_scalever *sv = &p->scalevers[s->first + v];
            const char *ind = sv->from == INT32_MIN ? "" : "  ";
            if (sv->from != INT32_MIN) {
                char day[16];
                cal_format(sv->from, day);
                fprintf(out, "  from %s:\n", day);
            }
            for (int k = 0; k < sv->n; k++) {
                const hm_scalerow *r = &p->rows[sv->first + k];
                char rate[96];
                if (r->rate < 0)
                    snprintf(rate, sizeof rate, "parameter %s", prog_str(p, p->params[-(r->rate + 1)].name));
                else
                    snprintf(rate, sizeof rate, "%" PRId64 " ppm", r->rate);
                if (r->upper == INT64_MAX)
                    fprintf(out, "  %sabove: %s\n", ind, rate);
                else
                    fprintf(out, "  %sup to %" PRId64 " fen: %s\n", ind, r->upper, rate);
            }
        }
    }
    for (int i = 0; i < p->npolicies; i++) {
        const hm_policy *P = &p->policies[i];
        fprintf(out, "\npolicy %d %s \"%s\" for %s (%s:%d)\n", i, prog_str(p, P->name), prog_str(p, P->label),
                P->entity == ENT_PERSON ? "person" : "household", prog_str(p, P->file), P->line);
        if (P->applies >= 0)
            fprintf(out, "  applies: cond %d fn %d \"%s\" (line %d)\n", P->applies, p->conds[P->applies].fn,
                    prog_str(p, p->conds[P->applies].msg), p->conds[P->applies].line);
        for (int k = P->cond; k >= 0 && k < P->cond + p->conds[P->cond].size; k++) {
            const hm_condnode *c = &p->conds[k];
            fprintf(out, "  cond %d: %s", k, c->kind == CN_COND ? "condition" : c->kind == CN_ALL ? "all" : "any");
            if (c->kind == CN_COND)
                fprintf(out, " fn %d", c->fn);
            else
                fprintf(out, " of %d", c->nkids);
            fprintf(out, " \"%s\" (line %d)\n", prog_str(p, c->msg), c->line);
        }
        if (P->amount_fn >= 0)
            fprintf(out, "  amount: fn %d\n", P->amount_fn);
        for (int k = 0; k < P->nexcl; k++)
            fprintf(out, "  excluded by: %s\n", prog_str(p, p->policies[p->ints[P->first_excl + k]].name));
        if (P->nfacts) {
            fprintf(out, "  reads:");
            for (int k = 0; k < P->nfacts; k++)
                fprintf(out, " %s", prog_str(p, p->fields[p->ints[P->first_fact + k]].name));
            fputc('\n', out);
        }
    }
    for (int i = 0; i < p->nfns; i++)
        disasm_function(p, i, out);
}
