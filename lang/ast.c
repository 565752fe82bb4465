/* ast.c -- node construction and the outline dump used by golden tests. */
#include "ast.h"

#include <inttypes.h>

const char *const ast_kind_name[] = {
#define X(k, doc) #k,
    AST_KINDS(X)
#undef X
};

ast *ast_new(hm_arena *ar, ast_kind k, hm_span loc)
{
    ast *n = arena_alloc(ar, sizeof *n);
    n->kind = k;
    n->loc = loc;
    return n;
}

ast *ast_append(ast *a, ast *b)
{
    if (!b)
        return a;
    if (!a) {
        b->last = b;
        while (b->last->next)
            b->last = b->last->next;
        return b;
    }
    ast *tail = a->last ? a->last : a;
    while (tail->next)
        tail = tail->next;
    tail->next = b;
    a->last = b->last && b->last != b ? b->last : b;
    while (a->last->next)
        a->last = a->last->next;
    return a;
}

int ast_count(const ast *l)
{
    int n = 0;
    for (; l; l = l->next)
        n++;
    return n;
}

const char *ast_agg_name(int agg)
{
    switch (agg) {
    case AGG_SUM: return "sum";
    case AGG_COUNT: return "count";
    case AGG_MIN: return "min";
    case AGG_MAX: return "max";
    case AGG_ANY: return "any";
    case AGG_ALL: return "all";
    }
    return "?";
}

const char *ast_op_name(int op)
{
    static const char single[][2] = { "+", "-", "*", "/", "<", ">" };
    switch (op) {
    case '+': return single[0];
    case '-': return single[1];
    case '*': return single[2];
    case '/': return single[3];
    case '<': return single[4];
    case '>': return single[5];
    case AOP_EQ: return "==";
    case AOP_NE: return "!=";
    case AOP_LE: return "<=";
    case AOP_GE: return ">=";
    case AOP_AND: return "and";
    case AOP_OR: return "or";
    case AOP_NOT: return "not";
    case AOP_NEG: return "-";
    }
    return "?";
}

static void dump_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static void dump(const ast *n, FILE *out, int depth);

static void dump_list(const char *label, const ast *l, FILE *out, int depth)
{
    if (!l)
        return;
    fprintf(out, "%*s%s:\n", depth * 2, "", label);
    for (; l; l = l->next)
        dump(l, out, depth + 1);
}

/* Recursive: the parser refuses text nested more than 2000 levels, so the
 * tree it gives is never deeper than a few thousand nodes. */
static void dump(const ast *n, FILE *out, int depth)
{
    fprintf(out, "%*s%s", depth * 2, "", ast_kind_name[n->kind]);
    switch (n->kind) {
    case N_BINOP: case N_UNOP:
        fprintf(out, " %s", ast_op_name((int)n->ival));
        break;
    case N_AGG:
        fprintf(out, " %s", ast_agg_name((int)n->ival));
        break;
    case N_FIELD: case N_GIVEN: case N_POLICY:
        fprintf(out, " %s", n->ival == ENT_PERSON ? "person" : "household");
        break;
    case N_GROUP:
        fprintf(out, " %s", n->ival == GROUP_ANY ? "any" : "all");
        break;
    case N_TYPE: {
        static const char *const names[] = { "?", "bool", "int", "decimal", "money", "date",
                                             "duration", "text", "code", "records", "list of person",
                                             "person", "household", "list of" };
        fprintf(out, " %s", n->ival >= 1 && n->ival <= TY_ROWS ? names[n->ival] : "?");
        if (n->ival == TY_DURATION)
            fputs(n->flag == DUR_MONTHS ? " in months" : n->flag == DUR_YEARS ? " in years" : "", out);
        else if (n->flag == PERIOD_MONTH) fputs(" per month", out);
        else if (n->flag == PERIOD_YEAR) fputs(" per year", out);
        break;
    }
    case N_DUR:
        fprintf(out, " %s", n->flag == DUR_DAYS ? "days" : n->flag == DUR_MONTHS ? "months" : "years");
        break;
    case N_DURING:
        fprintf(out, " %s", n->ival == WIN_LAST ? (n->flag == DUR_DAYS ? "last-days" : n->flag == DUR_YEARS ? "last-years"
                                                   : n->flag == DUR_MONTHS ? "last-months" : "last")
                            : n->ival == WIN_RANGE ? "range" : "since");
        break;
    case N_DATED:
        if (n->flag) fputs(" none", out);
        break;
    case N_PARAM:
        fprintf(out, " %s", n->ival == PARAM_SIMPLE ? "simple" : n->ival == PARAM_DATED ? "dated" : "table");
        break;
    case N_EXPECT:
        fprintf(out, " %s", n->ival == EXPECT_ELIGIBLE ? "eligible"
                            : n->ival == EXPECT_NOT_ELIGIBLE ? "not-eligible"
                            : n->ival == EXPECT_NOT_APPLICABLE ? "not-applicable" : "undetermined");
        break;
    case N_BOOL:
        fprintf(out, " %s", n->ival ? "true" : "false");
        break;
    case N_IS:
        if (n->flag) fputs(" not", out);
        break;
    case N_EXCEPT:
        if (n->flag) fputs(" prioritised", out);
        break;
    case N_RANGE:
        /* written out in full: `A to B`, `A or more`, `up to B` */
        if (n->a && n->b) fprintf(out, " %s to %s\n", n->a->str, n->b->str);
        else if (n->a) fprintf(out, " %s or more\n", n->a->str);
        else fprintf(out, " up to %s\n", n->b ? n->b->str : "?");
        return;
    case N_ROW:
        fputs(n->a ? " up to" : " above", out);
        break;
    case N_SOURCE:
        if (n->flag) fputs(" roll", out);
        break;
    default:
        break;
    }
    if (n->str) {
        fputc(' ', out);
        dump_str(out, n->str);
    }
    if (n->str2) {
        fputc(' ', out);
        dump_str(out, n->str2);
    }
    fputc('\n', out);
    /* children: lists are dumped whole, single nodes as one entry; where a
     * child is optional its role is named, so the outline is unambiguous */
    const ast *kids[4] = { n->a, n->b, n->c, n->d };
    static const char *const names[4] = { "a", "b", "c", "d" };
    const char *const *roles = NULL;
    static const char *const row_roles[4] = { "limit", "rate", "quick", NULL };
    static const char *const expect_roles[4] = { "amount", "member", "within", "claim" };
    static const char *const expectval_roles[4] = { "value", "member", "within", NULL };
    static const char *const policy_roles[4] = { NULL, "where", "claims", NULL };
    if (n->kind == N_POLICY)
        roles = policy_roles;
    else if (n->kind == N_ROW)
        roles = row_roles;
    else if (n->kind == N_EXPECT)
        roles = expect_roles;
    else if (n->kind == N_EXPECTVAL)
        roles = expectval_roles;
    for (int i = 0; i < 4; i++) {
        if (!kids[i])
            continue;
        if (roles && roles[i]) {
            fprintf(out, "%*s%s:\n", (depth + 1) * 2, "", roles[i]);
            dump(kids[i], out, depth + 2);
            continue;
        }
        if (i == 3 && (n->kind == N_COND || n->kind == N_EXCEPT || n->kind == N_GROUP))
            continue;   /* the message's position only; its text is shown as str */
        if (kids[i]->next)
            dump_list(names[i], kids[i], out, depth + 1);
        else
            dump(kids[i], out, depth + 1);
    }
}

void ast_dump(const ast *n, FILE *out)
{
    for (; n; n = n->next)
        dump(n, out, 0);
}
