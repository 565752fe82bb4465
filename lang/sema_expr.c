/* sema_expr.c -- types of expressions: names, facts, policy references,
 * calls, operators with money periods and units, aggregates over members
 * and dated records, message templates, and the disjointness test used for
 * exception priorities. */
#include "sema.h"
#include "builtins.h"
#include "calendar.h"
#include "i18n.h"

#include <inttypes.h>
#include <string.h>

#define ERR(n, ...) diag_error(s->diags, FILE_OF(s, n), (n)->loc, __VA_ARGS__)
static const hm_type *set_ty(ast *n, const hm_type *t)
{
    n->ty = (struct hm_type *)t;
    return t;
}
#define TY(n, t) set_ty(n, t)

static const hm_type *expr(sema *s, ast *e);
static const hm_type *if_expr(sema *s, ast *e, const hm_type *want);

/* ---- literals ----------------------------------------------------------- */

int sema_literal_int(sema *s, ast *e, int64_t *v)
{
    if (e->kind == N_UNOP && e->ival == AOP_NEG) {
        if (sema_literal_int(s, e->a, v) != 0)
            return -1;
        *v = -*v;
        return 0;
    }
    if (e->kind != N_INT)
        return -1;
    int64_t x = 0;
    for (const char *p = e->str; *p; p++) {
        int digit = *p - '0';
        if (x > (INT64_MAX - digit) / 10) {
            ERR(e, "the number %s is too large", e->str);
            return -1;
        }
        x = x * 10 + digit;
    }
    *v = x;
    return 0;
}

/* digits "123.45" scaled by 10^scale; -1 if more fraction digits than scale
 * or too large. */
static int scaled(const char *text, int scale, int64_t *out)
{
    int64_t x = 0;
    int frac = -1;
    for (const char *p = text; *p; p++) {
        if (*p == '.') {
            frac = 0;
            continue;
        }
        if (frac >= 0 && ++frac > scale)
            return -1;
        if (x > (INT64_MAX / 10 - 9) / 10)
            return -2;
        x = x * 10 + (*p - '0');
    }
    for (int i = frac < 0 ? 0 : frac; i < scale; i++) {
        if (x > INT64_MAX / 10)
            return -2;
        x *= 10;
    }
    *out = x;
    return 0;
}

int sema_literal_fen(sema *s, ast *e, int64_t *fen)
{
    (void)s;
    if (e->kind == N_UNOP && e->ival == AOP_NEG) {
        if (sema_literal_fen(s, e->a, fen) != 0)
            return -1;
        *fen = -*fen;
        return 0;
    }
    if (e->kind != N_INT && e->kind != N_DEC)
        return -1;
    return scaled(e->str, 2, fen) == 0 ? 0 : -1;
}

int sema_literal_ppm(sema *s, ast *e, int64_t *ppm)
{
    (void)s;
    if (e->kind == N_UNOP && e->ival == AOP_NEG) {
        if (sema_literal_ppm(s, e->a, ppm) != 0)
            return -1;
        *ppm = -*ppm;
        return 0;
    }
    if (e->kind == N_PERCENT)
        return scaled(e->str, 4, ppm) == 0 ? 0 : -1;
    if (e->kind == N_INT || e->kind == N_DEC)
        return scaled(e->str, 6, ppm) == 0 ? 0 : -1;
    return -1;
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int sema_parse_date(const char *t, int64_t *days)
{
    if (strlen(t) != 10 || t[4] != '-' || t[7] != '-')
        return -1;
    int64_t y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
    int m = (t[5] - '0') * 10 + (t[6] - '0');
    int d = (t[8] - '0') * 10 + (t[9] - '0');
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    /* days since 1970-01-01 (proleptic Gregorian, civil-from-days) */
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = yy / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = era * 146097 + doe - 719468;
    return 0;
}

/* ---- conversions -------------------------------------------------------- */

static int is_dec_literal(const ast *e)
{
    if (e->kind == N_UNOP && e->ival == AOP_NEG)
        return is_dec_literal(e->a);
    return e->kind == N_DEC;
}

static const char *period_word(int p)
{
    return p == PERIOD_MONTH ? "per month" : p == PERIOD_YEAR ? "per year" : "";
}

/* Can a value of type t stand where `want` is expected?  1 yes, 0 no. */
static int convertible(const ast *e, const hm_type *t, const hm_type *want)
{
    if (t->kind == T_ERROR || want->kind == T_ERROR)
        return 1;
    if (ty_equal(t, want))
        return 1;
    switch (want->kind) {
    case T_MONEY:
        if (t->kind == T_INT)
            return 1;
        if (t->kind == T_DECIMAL && is_dec_literal(e))
            return 1;
        if (t->kind == T_MONEY)
            return t->period == PERIOD_NONE || want->period == PERIOD_NONE;
        return 0;
    case T_DECIMAL:
        return t->kind == T_INT;
    case T_LIST:
        return 0;
    default:
        return 0;
    }
}

static sym *implicit_field(sema *s, const char *name);

const hm_type *sema_expect(sema *s, ast *e, const hm_type *want, const char *what)
{
    /* a bare name where a code is wanted is a label, unless it names a
     * value: inside `where`, a fact of `it` is one */
    if (want->kind == T_CODE && e->kind == N_NAME && !sema_lookup(s, e->str, NULL) &&
        !implicit_field(s, e->str) &&
        !(s->elem && s->elem->kind == T_RECORD && (!strcmp(e->str, "value") || !strcmp(e->str, "date")))) {
        int found = 0;
        for (scope_var *v = s->vars; v; v = v->up)
            if (strcmp(v->name, e->str) == 0)
                found = 1;
        if (!found) {
            if (!symtab_get(want->codeset->labels, e->str)) {
                int d = ERR(e, "code set `%s` has no label `%s`", want->codeset->name, e->str);
                sema_suggest_label(s, d, want->codeset, e->str);
            }
            return TY(e, want);
        }
    }
    const hm_type *t = want->kind == T_CODE && e->kind == N_IF ? TY(e, if_expr(s, e, want)) : expr(s, e);
    if (convertible(e, t, want)) {
        if (want->kind == T_MONEY && is_dec_literal(e)) {
            int64_t fen;
            if (sema_literal_fen(s, e, &fen) != 0)
                ERR(e, "money has at most two decimal places (fen): %s", e->kind == N_DEC ? e->str : "");
        }
        return t->kind == T_ERROR ? t : want;
    }
    char a[96], b[96];
    int d = ERR(e, "%s must be %s, but this is %s", hm_tr(what), ty_name(want, a, sizeof a), ty_name(t, b, sizeof b));
    if (t->kind == T_MONEY && want->kind == T_MONEY)
        diag_hint(s->diags, d, "convert with %s(…)", want->period == PERIOD_MONTH ? "monthly" : "yearly");
    else if (want->kind == T_BOOL && (t->kind == T_INT || t->kind == T_MONEY))
        diag_hint(s->diags, d, "compare it with something, e.g. `x > 0`");
    else if (want->kind == T_MONEY && t->kind == T_DECIMAL)
        diag_hint(s->diags, d, "multiply a ratio by an amount of money to get money");
    return &ty_error;
}

/* The common type of two operands of + - or of the two branches of `if`;
 * NULL when they do not mix (the caller reports). */
const hm_type *sema_unify(const ast *ea, const hm_type *a, const ast *eb, const hm_type *b)
{
    if (a->kind == T_ERROR) return b;
    if (b->kind == T_ERROR) return a;
    if (a->kind == T_MONEY && b->kind == T_MONEY) {
        if (a->period && b->period && a->period != b->period)
            return NULL;
        return ty_money(a->period ? a->period : b->period);
    }
    if (a->kind == T_MONEY && convertible(eb, b, a)) return a;
    if (b->kind == T_MONEY && convertible(ea, a, b)) return b;
    if (a->kind == T_DECIMAL && b->kind == T_INT) return a;
    if (a->kind == T_INT && b->kind == T_DECIMAL) return b;
    if (ty_equal(a, b)) return a;
    return NULL;
}

static int mismatch(sema *s, ast *at, const char *fmt, const hm_type *a, const hm_type *b)
{
    char x[96], y[96];
    int d = diag_error(s->diags, FILE_OF(s, at), at->loc, fmt, ty_name(a, x, sizeof x), ty_name(b, y, sizeof y));
    if (a->kind == T_MONEY && b->kind == T_MONEY && a->period && b->period)
        diag_hint(s->diags, d, "money %s and money %s do not mix; convert one with monthly(…) or yearly(…)",
                  period_word(a->period), period_word(b->period));
    else if (a->kind == T_DATE && b->kind == T_DATE)
        diag_hint(s->diags, d, "use days_between(a, b), months_between(a, b) or years_between(a, b)");
    return d;
}

/* ---- names ---------------------------------------------------------------- */

static sym *implicit_field(sema *s, const char *name)
{
    if (s->elem && s->elem->kind == T_ROW && s->elem->fact)
        return symtab_get(&s->facts, arena_printf(s->arena, "%s.%s", s->elem->fact->name, name));
    if (!s->elem || s->elem->kind != T_PERSON)
        return NULL;
    char *key = arena_printf(s->arena, "person.%s", name);
    return symtab_get(&s->facts, key);
}

/* "did you mean `value`?" among the fields of a record type, else the
 * list of its fields; 1 when a hint was given. */
static int row_field_hint(sema *s, int d, const hm_type *t, const char *name)
{
    const char *cands[64];
    int n = 0;
    size_t at = 0;
    char all[256] = "";
    for (ast *f = t->rtype->decl->a; f && n < 64; f = f->next) {
        cands[n++] = f->str;
        int w = snprintf(all + at, sizeof all - at, "%s`%s`", at ? ", " : "", f->str);
        if (w > 0 && (size_t)w < sizeof all - at)
            at += (size_t)w;
    }
    const char *best = sema_closest(name, cands, n);
    if (best)
        diag_hint(s->diags, d, "did you mean `%s`?", best);
    else
        diag_hint(s->diags, d, "the fields of `%s` are %s", t->rtype->name, all);
    return 1;
}

/* Inside a function, a parameter looked up by a fact of the person reads
 * it from the function's one `person` parameter (the key's `person` is
 * that argument: e->str2 names it for the compiler); one looked up by a
 * fact of the household needs a `person` or `household` parameter, the
 * household being the one the function is called for.  Returns 0 after
 * reporting why not. */
static int key_from_param(sema *s, ast *e, sym *p)
{
    const char *fn = s->function->name;
    scope_var *persons[2] = { NULL, NULL }, *any = NULL;
    int np = 0;
    for (scope_var *v = s->vars; v; v = v->up) {
        if (!v->decl || v->decl->kind != N_PARAMDECL || !v->type)
            continue;
        if (v->type->kind == T_PERSON) {
            if (np < 2) persons[np] = v;
            np++;
            any = v;
        } else if (v->type->kind == T_HOUSEHOLD && !any) {
            any = v;
        }
    }
    if (p->entity & ENT_PERSON) {
        if (np == 1) {
            e->str2 = persons[0]->name;
            persons[0]->used = 1;
            return 1;
        }
        if (np == 0) {
            int d = ERR(e, "parameter `%s` is looked up by a fact of the person, and function `%s` has no `person` "
                           "argument to read it from", p->name, fn);
            diag_hint(s->diags, d, "give `%s` a parameter `p: person` and call it with the member, or look `%s` up "
                                   "in the policy and pass its value", fn, p->name);
        } else {
            /* the list is innermost first: name them in the order written */
            int d = np == 2
                ? ERR(e, "parameter `%s` is looked up by a fact of the person, and function `%s` has two `person` "
                         "arguments, `%s` and `%s`: which one's is not said", p->name, fn,
                      persons[1]->name, persons[0]->name)
                : ERR(e, "parameter `%s` is looked up by a fact of the person, and function `%s` has %d `person` "
                         "arguments: which one's is not said", p->name, fn, np);
            diag_hint(s->diags, d, "look `%s` up in the policy, or in a function of one person, and pass its value",
                      p->name);
        }
        return 0;
    }
    if (any) {
        any->used = 1;
        return 1;
    }
    int d = ERR(e, "parameter `%s` is looked up by a fact of the household, and function `%s` has no `person` or "
                   "`household` argument to read it from", p->name, fn);
    diag_hint(s->diags, d, "give `%s` a parameter `h: household` (or `p: person`), or look `%s` up in the policy "
                           "and pass its value", fn, p->name);
    return 0;
}

static const hm_type *use_param(sema *s, ast *e, sym *p)
{
    if (p->state == 1) {
        ERR(e, "parameter `%s` is looked up by its own value", p->name);
        return &ty_error;
    }
    sema_check_param(s, p);
    p->used = 1;
    if (p->entity && s->subject == 0 && s->function)
        return key_from_param(s, e, p) ? p->type : &ty_error;
    if (p->entity) {
        if (s->subject == 0) {
            int d = ERR(e, "parameter `%s` is looked up by a fact of the %s, so it cannot be used inside a function",
                        p->name, (p->entity & ENT_PERSON) ? "person" : "household");
            diag_hint(s->diags, d, "a function has no %s of its own: look `%s` up in the policy and pass its "
                                   "value as an argument", (p->entity & ENT_PERSON) ? "person" : "household", p->name);
            return &ty_error;
        }
        if (s->subject == ENT_HOUSEHOLD && (p->entity & ENT_PERSON)) {
            int d = ERR(e, "parameter `%s` is looked up by a fact of a person, but this is a household policy", p->name);
            diag_hint(s->diags, d, "use it in a policy `for person`");
            return &ty_error;
        }
        if (s->subject == -1)
            s->key_entity |= p->entity;
    }
    return p->type;
}

static int sets_with_labels(sema *s, ast **labels, int n, sym **cs);

static const hm_type *name_expr(sema *s, ast *e)
{
    const char *name = e->str;
    if (strcmp(name, "_") == 0)
        return &ty_error;   /* a malformed name, already reported */
    for (scope_var *v = s->vars; v; v = v->up)
        if (strcmp(v->name, name) == 0) {
            v->used = 1;
            return v->type;
        }
    /* the claim a claim policy is deciding */
    if (s->policy && s->policy->decl->c && strcmp(s->policy->decl->c->str, name) == 0 &&
        (!s->param || s->param->owner == s->policy)) {  /* a key of the policy's own table only */
        e->flag = 2;
        return s->policy->type ? s->policy->type : &ty_error;
    }
    if (strcmp(name, "person") == 0 || strcmp(name, "household") == 0) {
        int want = name[0] == 'p' ? ENT_PERSON : ENT_HOUSEHOLD;
        if (s->subject == -1) {
            s->key_entity |= want;
            return want == ENT_PERSON ? &ty_person : &ty_household;
        }
        if (s->subject == 0) {
            int d = ERR(e, "`%s` is not defined inside a function", name);
            diag_hint(s->diags, d, "pass it as a parameter: function f(p: %s) : …", name);
            return &ty_error;
        }
        if (want == ENT_PERSON && s->subject == ENT_HOUSEHOLD) {
            int d = ERR(e, "`person` is not defined in a household policy");
            diag_hint(s->diags, d, "go through the members, e.g. sum(m.monthly_income for m in household.members)");
            return &ty_error;
        }
        return want == ENT_PERSON ? &ty_person : &ty_household;
    }
    sym *field = implicit_field(s, name);
    if (!field && s->elem && s->elem->kind == T_RECORD && (strcmp(name, "value") == 0 || strcmp(name, "date") == 0))
        return strcmp(name, "value") == 0 ? s->elem->elem : &ty_date;
    sym *y = sema_lookup(s, name, e);
    if (field && y && (y->kind == SYM_LET || y->kind == SYM_PARAM)) {
        int d = ERR(e, "`%s` is ambiguous here: a fact of each member and a %s", name,
                    y->kind == SYM_LET ? "let" : "parameter");
        diag_hint(s->diags, d, "write `it.%s` for the member's fact, or rename the %s", name,
                  y->kind == SYM_LET ? "let" : "parameter");
        return &ty_error;
    }
    if (field) {
        field->used = 1;
        e->sym = field;
        e->flag = 1;    /* implicit field of the element */
        return field->type;
    }
    if (y) {
        e->sym = y;
        y->used = 1;    /* found: a misuse is reported, not also "never used" */
        switch (y->kind) {
        case SYM_LET:
            sema_check_let(s, y);
            y->used = 1;
            return y->type;
        case SYM_PARAM:
            return use_param(s, e, y);
        case SYM_POLICY: {
            int d = ERR(e, "`%s` is a policy, not a value", name);
            diag_hint(s->diags, d, "write `%s.eligible` or `%s.amount`", name, name);
            return &ty_error;
        }
        case SYM_FUNCTION: case SYM_EXTERN: case SYM_SCALE: {
            int d = ERR(e, "`%s` is a %s; call it with arguments", name,
                        y->kind == SYM_SCALE ? "scale" : "function");
            diag_hint(s->diags, d, "write %s(…)", name);
            return &ty_error;
        }
        case SYM_CODESET: {
            int d = ERR(e, "`%s` is a code set, not a value", name);
            diag_hint(s->diags, d, "compare a fact with one of its labels: x is LABEL");
            return &ty_error;
        }
        default:
            break;
        }
    }
    /* a code label used as a value? */
    sym *cs = NULL;
    if (sets_with_labels(s, &e, 1, &cs)) {
        int d = ERR(e, "`%s` is a label of code set `%s`, not a value", name, cs->name);
        diag_hint(s->diags, d, "compare a fact with it: x is %s", name);
        return &ty_error;
    }
    int d = ERR(e, "unknown name `%s`", name);
    if (s->elem && s->elem->kind == T_ROW && row_field_hint(s, d, s->elem, name))
        return &ty_error;
    int what = SUGGEST_VALUE;
    if (s->elem && s->elem->kind == T_PERSON)
        what |= SUGGEST_FACT_PERSON;
    sema_suggest(s, d, name, what);
    return &ty_error;
}

/* ---- fields and policy references ---------------------------------------- */

static void add_dep(sema *s, sym *q, ast *at)
{
    if (!s->policy)
        return;
    for (dep *e = s->policy->deps; e; e = e->next)
        if (e->to == q)
            return;
    dep *e = arena_alloc(s->arena, sizeof *e);
    e->to = q;
    e->at = at;
    e->next = s->policy->deps;
    s->policy->deps = e;
}

/* The type of policy q's amount (money with no period until q is checked). */
static const hm_type *amount_type(const sym *q)
{
    for (ast *it = q->decl->a; it; it = it->next)
        if (it->kind == N_AMOUNT && it->ty)
            return (const hm_type *)it->ty;
    return ty_money(PERIOD_NONE);
}

static const hm_type *no_amount_rule(sema *s, ast *e, const sym *q)
{
    int d = ERR(e, "policy `%s` has no `amount` rule", q->name);
    diag_note(s->diags, d, q->mod->file, q->decl->loc, "it is defined here");
    return &ty_error;
}

static const hm_type *no_policy_field(sema *s, ast *e)
{
    int d = ERR(e, "a policy has no `%s`", e->str);
    diag_hint(s->diags, d, "a policy gives `.eligible` (true or false) and `.amount` (money)");
    return &ty_error;
}

/* q.eligible, q.amount; `through` a person value (`p.dibao.eligible`),
 * which a function may use: its parameters give the person */
static const hm_type *policy_field(sema *s, ast *e, sym *q, int through)
{
    q->used = 1;
    if (!s->policy && !(s->function && through)) {
        int d = ERR(e, "only a policy can refer to another policy's decision");
        if (s->function)
            diag_hint(s->diags, d, "a function has no person of its own: give it one, "
                                   "`(p: person)`, and write `p.%s.%s`", q->name, e->str);
        return &ty_error;
    }
    if (q == s->policy) {
        int d = ERR(e, "policy `%s` refers to its own decision", q->name);
        if (q->decl->c)
            diag_hint(s->diags, d, "a claim may read the claims before it: c.%s.%s for c in %s.earlier", q->name,
                      e->str, q->decl->c->str);
        return &ty_error;
    }
    if (s->policy) {
        add_dep(s, q, e);
    } else {
        /* the policies calling this function depend on q (sema_finish) */
        dep *ed = arena_alloc(s->arena, sizeof *ed);
        ed->to = q;
        ed->at = e;
        ed->next = s->function->deps;
        s->function->deps = ed;
    }
    if (strcmp(e->str, "eligible") == 0)
        return &ty_bool;
    if (strcmp(e->str, "amount") == 0) {
        if (!q->has_amount) {
            return no_amount_rule(s, e, q);
        }
        if (q->state == 0) {
            if (s->policy_nest >= SEMA_MAX_CHAIN) {
                if (!s->chain_reported++)
                    ERR(e, "policies depend on each other more than %d levels deep", SEMA_MAX_CHAIN);
                return &ty_error;
            }
            int outer = s->outer_depth;
            s->outer_depth = s->depth;
            s->policy_nest++;
            sema_check_policy(s, q);
            s->policy_nest--;
            s->outer_depth = outer;
        }
        return amount_type(q);
    }
    return no_policy_field(s, e);
}

/* KEY.ATTR, KEY a fact whose value is a key of reference table rt
 * (household.region.dibao_line): the fact declared for that attribute,
 * read from the key fact's owner, as the compiler reads any fact. */
static const hm_type *ref_attr(sema *s, ast *e, sym *rt)
{
    ast *o = e->a;
    sym *key = o->sym;
    if (o->kind != N_GET || !key || key->kind != SYM_FACT) {
        int d = ERR(e, "the attributes of table `%s` are read through a fact whose value is its key", rt->name);
        diag_hint(s->diags, d, o->kind == N_NAME && key && key->kind == SYM_FACT
                  ? "write it.%s.%s" : "write e.g. household.FACT.%s, FACT being declared `: %s`",
                  o->kind == N_NAME ? o->str : e->str, o->kind == N_NAME ? e->str : rt->name);
        return &ty_error;
    }
    sym *f = symtab_get(&s->facts, arena_printf(s->arena, "%s.%s", key->name, e->str));
    if (!f || !f->refattr) {
        int d = ERR(e, "table `%s` has no attribute `%s`", rt->name, e->str);
        const char *names[64];
        int n = 0;
        for (ast *a = rt->decl->a; a && n < 64; a = a->next)
            names[n++] = a->str;
        const char *best = sema_closest(e->str, names, n);
        if (best)
            diag_hint(s->diags, d, "did you mean `%s`?", best);
        return &ty_error;
    }
    /* read it as a fact of what holds the key: household.region.x is a
     * fact of the household, it.region.x of the member */
    e->a = o->a;
    e->sym = f;
    return f->type;
}

/* the list a claim policy decides the records of: "person.hospital_bills" */
static const char *claims_list(const sym *q)
{
    const ast *l = q->decl->c ? q->decl->c->a : NULL;
    return l && l->kind == N_GET ? l->str : "a list";
}

/* Are p and q decided for the claims of the same list? */
static int same_claims(const sym *p, const sym *q)
{
    const ast *a = p && p->decl->c ? p->decl->c->a : NULL, *b = q->decl->c ? q->decl->c->a : NULL;
    return a && b && a->kind == N_GET && b->kind == N_GET && strcmp(a->str, b->str) == 0;
}

/* c.q.eligible, c.q.amount: claim policy q for claim c.  For an earlier
 * claim (c in bill.earlier) q may be this very policy, or one that reads
 * it: the claims before are decided first, so no cycle arises. */
static const hm_type *claim_policy_field(sema *s, ast *e, const hm_type *t)
{
    sym *q = t->policy;
    if (!t->unit)
        return policy_field(s, e, q, 1);
    q->used = 1;
    if (!s->policy) {
        ERR(e, "only a policy can refer to another policy's decision");
        return &ty_error;
    }
    if (strcmp(e->str, "eligible") == 0)
        return &ty_bool;
    if (strcmp(e->str, "amount") == 0) {
        if (!q->has_amount) {
            return no_amount_rule(s, e, q);
        }
        return amount_type(q);
    }
    return no_policy_field(s, e);
}

static const hm_type *get_expr(sema *s, ast *e)
{
    ast *o = e->a;
    /* policy.eligible / policy.amount */
    if (o->kind == N_NAME) {
        int is_var = 0;
        for (scope_var *v = s->vars; v; v = v->up)
            if (strcmp(v->name, o->str) == 0)
                is_var = 1;
        sym *q = is_var ? NULL : sema_lookup(s, o->str, NULL);
        if (q && q->kind == SYM_POLICY) {
            o->sym = q;
            if (q->decl->c && !same_claims(s->policy, q)) {
                int d = ERR(o, "`%s` is decided for each claim (each record of person.%s): name the claim", q->name,
                            claims_list(q));
                diag_hint(s->diags, d, "sum(c.%s.amount for c in person.%s)", q->name, claims_list(q));
                return &ty_error;
            }
            if (q->entity == ENT_PERSON && s->subject != ENT_PERSON && s->policy) {
                int d = ERR(o, "`%s` is decided for each person, and this is a household policy", q->name);
                diag_hint(s->diags, d, "name the member: any(m.%s.eligible for m in household.members)", q->name);
                return &ty_error;
            }
            return policy_field(s, e, q, 0);
        }
    }
    const hm_type *t = expr(s, o);
    if (t->kind == T_TEXT && t->reftab)
        return ref_attr(s, e, t->reftab);
    switch (t->kind) {
    case T_ERROR:
        return &ty_error;
    case T_HOUSEHOLD:
    case T_PERSON: {
        const char *ent = t->kind == T_PERSON ? "person" : "household";
        if (t->kind == T_HOUSEHOLD && strcmp(e->str, "members") == 0)
            return &ty_list;
        if (t->kind == T_PERSON && strcmp(e->str, "household") == 0)
            return &ty_household;
        char *key = arena_printf(s->arena, "%s.%s", ent, e->str);
        sym *f = symtab_get(&s->facts, key);
        if (f) {
            f->used = 1;
            e->sym = f;
            return f->type;
        }
        if (t->kind == T_PERSON) {
            sym *q = sema_lookup(s, e->str, NULL);
            if (q && q->kind == SYM_POLICY && q->decl->c) {
                int d = ERR(e, "`%s` is decided for each claim (each record of person.%s): name the claim", q->name,
                            claims_list(q));
                diag_hint(s->diags, d, "sum(c.%s.amount for c in person.%s)", q->name, claims_list(q));
                return &ty_error;
            }
            if (q && q->kind == SYM_POLICY) {
                /* a person policy for that person; a household policy for
                 * the person's household */
                hm_type *pt = arena_alloc(s->arena, sizeof *pt);
                pt->kind = T_POLICY;
                pt->policy = q;
                e->sym = q;
                return pt;
            }
        }
        int d = ERR(e, "%s has no fact `%s`", ent, e->str);
        sema_suggest(s, d, e->str, t->kind == T_PERSON ? SUGGEST_FACT_PERSON : SUGGEST_FACT_HOUSEHOLD);
        if (d >= 0 && !s->diags->v[d].hint)
            diag_hint(s->diags, d, "declare it in a source block: source NAME { %s.%s : TYPE }", ent, e->str);
        return &ty_error;
    }
    case T_POLICY:
        if (t->rtype)
            return claim_policy_field(s, e, t);
        return policy_field(s, e, t->policy, 1);
    case T_ROW: {
        sym *f = t->fact ? symtab_get(&s->facts, arena_printf(s->arena, "%s.%s", t->fact->name, e->str)) : NULL;
        if (f) {
            e->sym = f;
            return f->type;
        }
        /* bill.earlier: the claims of the list before the one decided */
        if (strcmp(e->str, "earlier") == 0 && o->kind == N_NAME && o->flag == 2) {
            hm_type *r = arena_alloc(s->arena, sizeof *r);
            *r = *t;
            r->kind = T_ROWS;
            r->unit = 1;    /* earlier claims */
            e->sym = s->policy;
            e->flag = 3;
            return r;
        }
        /* c.基本医保: a claim policy for claim c */
        sym *q = t->fact ? sema_lookup(s, e->str, NULL) : NULL;
        if (q && q->kind == SYM_POLICY && q->decl->c && q->decl->c->a->kind == N_GET &&
            strcmp(arena_printf(s->arena, "person.%s", q->decl->c->a->str), t->fact->name) == 0) {
            hm_type *pt = arena_alloc(s->arena, sizeof *pt);
            pt->kind = T_POLICY;
            pt->policy = q;
            pt->rtype = t->rtype;
            pt->unit = t->unit;
            e->sym = q;
            return pt;
        }
        int d = ERR(e, "record type `%s` has no field `%s`", t->rtype->name, e->str);
        row_field_hint(s, d, t, e->str);
        return &ty_error;
    }
    case T_RECORD:
        if (strcmp(e->str, "date") == 0)
            return &ty_date;
        if (strcmp(e->str, "value") == 0)
            return t->elem;
        ERR(e, "a record has `.date` and `.value`, not `.%s`", e->str);
        return &ty_error;
    default: {
        char b[64];
        int d = ERR(e, "%s has no fields (only persons, households, records and policies do)", ty_name(t, b, sizeof b));
        if (t->kind == T_TEXT && o->sym && ((sym *)o->sym)->kind == SYM_FACT)
            diag_hint(s->diags, d, "to read a reference table's attribute through `%s`, declare it with the "
                      "table as its type: `%s : TABLE`", ((sym *)o->sym)->name, ((sym *)o->sym)->name);
        return &ty_error;
    }
    }
}

/* ---- calls ------------------------------------------------------------------ */

static int arity(sema *s, ast *e, int want_min, int want_max)
{
    int n = ast_count(e->a);
    if (n >= want_min && n <= want_max)
        return 1;
    if (want_min == want_max)
        ERR(e, "`%s` takes %d argument%s, but %d %s given", e->str, want_min, want_min == 1 ? "" : "s",
            n, n == 1 ? "was" : "were");
    else
        ERR(e, "`%s` takes at least %d arguments, but %d %s given", e->str, want_min, n, n == 1 ? "was" : "were");
    for (ast *a = e->a; a; a = a->next)
        expr(s, a);
    return 0;
}

static const hm_type *builtin_call(sema *s, ast *e, int *found)
{
    const hm_builtin *bi = builtin_find(e->str);
    *found = bi != NULL;
    if (!bi)
        return NULL;
    const char *f = e->str;
    ast *a = e->a, *b = a ? a->next : NULL;
    char what[96];
    snprintf(what, sizeof what, hm_tr(N_("the argument of %s()")), f);
    if (bi->arity >= 0 && !arity(s, e, bi->arity, bi->arity))
        return &ty_error;
    switch (bi->rule) {
    case BI_AGE:
    case BI_DATE_DATE:
        sema_expect(s, a, &ty_date, what);
        return bi->rule == BI_AGE ? &ty_int : &ty_date;
    case BI_DATES_INT:
        sema_expect(s, a, &ty_date, what);
        sema_expect(s, b, &ty_date, what);
        return &ty_int;
    case BI_PER_MONTH:
    case BI_PER_YEAR: {
        const hm_type *t = expr(s, a);
        int to = bi->rule == BI_PER_MONTH ? PERIOD_MONTH : PERIOD_YEAR;
        if (t->kind == T_ERROR) return ty_money(to);
        if (t->kind != T_MONEY) {
            char x[64];
            ERR(a, "%s() converts money, not %s", f, ty_name(t, x, sizeof x));
            return &ty_error;
        }
        if (t->period == to) {
            int d = ERR(a, "this is already money %s", period_word(to));
            diag_hint(s->diags, d, "remove the %s(…)", f);
        }
        return ty_money(to);
    }
    case BI_ROUND: {
        const hm_type *t = expr(s, a);
        if (t->kind == T_INT) t = &ty_decimal;
        if (t->kind != T_MONEY && t->kind != T_DECIMAL && t->kind != T_ERROR) {
            char x[64];
            ERR(a, "%s() rounds money or decimals, not %s", f, ty_name(t, x, sizeof x));
            return &ty_error;
        }
        snprintf(what, sizeof what, hm_tr(N_("the step of %s()")), f);
        sema_expect(s, b, t->kind == T_MONEY ? ty_money(PERIOD_NONE) : t, what);
        return t;
    }
    case BI_SAME_NUMBER: {
        const hm_type *t = expr(s, a);
        if (!ty_is_numeric(t) && t->kind != T_ERROR) {
            char x[64];
            ERR(a, "%s() takes a number or money, not %s", f, ty_name(t, x, sizeof x));
            return &ty_error;
        }
        return t;
    }
    case BI_KNOWN: {
        expr(s, a);
        /* a fact with a default is known unless stale, unusable or disputed */
        sym *fs = (a->kind == N_GET || a->kind == N_NAME) ? a->sym : NULL;
        if (fs && fs->kind == SYM_FACT && fs->dflt) {
            int d = diag_warning(s->diags, FILE_OF(s, e), e->loc,
                                 "`%s` has a default: known(…) is true unless its value is stale, "
                                 "unusable or disputed", fs->name);
            diag_hint(s->diags, d, "the guard can go: a value no source gives is the default");
            diag_note(s->diags, d, FILE_OF(s, fs->dflt), fs->dflt->c->loc, "the default is declared here");
        }
        return &ty_bool;
    }
    case BI_MONTHS: {
        const hm_type *t = expr(s, a);
        if (t->kind != T_RECORDS && t->kind != T_ERROR) {
            char x[64];
            ERR(a, "%s() counts the months of dated records, not %s", f, ty_name(t, x, sizeof x));
        }
        return &ty_int;
    }
    case BI_MAKE_DATE: {
        sema_expect(s, a, &ty_int, N_("the year of date()"));
        sema_expect(s, b, &ty_int, N_("the month of date()"));
        sema_expect(s, b->next, &ty_int, N_("the day of date()"));
        /* all three written out: an impossible date is an error now */
        int64_t y, m, d;
        if (a->kind == N_INT && b->kind == N_INT && b->next->kind == N_INT &&
            sema_literal_int(s, a, &y) == 0 && sema_literal_int(s, b, &m) == 0 &&
            sema_literal_int(s, b->next, &d) == 0) {
            if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > cal_days_in_month((int32_t)y, (int32_t)m)) {
                int x = ERR(e, "date(%" PRId64 ", %" PRId64 ", %" PRId64 ") is not a date", y, m, d);
                if (m >= 1 && m <= 12 && y >= 1 && y <= 9999)
                    diag_hint(s->diags, x, "%04" PRId64 "-%02" PRId64 " has %d days", y, m,
                              (int)cal_days_in_month((int32_t)y, (int32_t)m));
                else
                    diag_hint(s->diags, x, "the year is 1 to 9999, the month 1 to 12");
                return &ty_error;
            }
        }
        return &ty_date;
    }
    case BI_EXTREME: {
        /* min(a, b, …): the aggregate form is an AGG node */
        const hm_type *t = NULL;
        ast *first = a;
        for (ast *x = a; x; x = x->next) {
            const hm_type *tx = expr(s, x);
            if (!t) {
                t = tx;
                continue;
            }
            const hm_type *u = sema_unify(first, t, x, tx);
            if (!u) {
                mismatch(s, x, "cannot compare %s with %s", t, tx);
                return &ty_error;
            }
            t = u;
        }
        if (t && !ty_is_numeric(t) && t->kind != T_DATE && t->kind != T_ERROR) {
            char x[64];
            ERR(e, "%s() compares numbers, money or dates, not %s", f, ty_name(t, x, sizeof x));
            return &ty_error;
        }
        return t ? t : &ty_error;
    }
    }
    return &ty_error;
}

/* `SCALE.rate(x)`, `.quick(x)`, `.band(x)`: the band an amount falls in,
 * its rate (a decimal) and quick deduction (money of the amount's period),
 * its number (counted from 1). */
static const hm_type *scaleq_expr(sema *s, ast *e)
{
    sym *y = e->a->kind == N_NAME ? sema_lookup(s, e->a->str, e->a) : NULL;
    int nargs = ast_count(e->b);
    int what = !strcmp(e->str, "rate") ? 1 : !strcmp(e->str, "quick") ? 2 : !strcmp(e->str, "band") ? 3 : 0;
    /* the arguments are checked (and what they use counted) whatever is wrong */
    for (ast *a = e->b; a && (!y || y->kind != SYM_SCALE || nargs != 1 || !what); a = a->next)
        expr(s, a);
    if (y)
        y->used = 1;
    if (e->a->kind != N_NAME)
        expr(s, e->a);
    if (!y || y->kind != SYM_SCALE) {
        if (e->a->kind == N_NAME && !y) {
            int d = ERR(e->a, "`%s` is not defined", e->a->str);
            sema_suggest(s, d, e->a->str, SUGGEST_FUNCTION);
        } else {
            int d = e->a->kind == N_NAME ? ERR(e, "`%s` is not a scale; only a scale has `.%s(…)`", e->a->str, e->str)
                                         : ERR(e, "only a scale has `.%s(…)`", e->str);
            diag_hint(s->diags, d, "`.rate(AMOUNT)`, `.quick(AMOUNT)` and `.band(AMOUNT)` give the band "
                                   "of a scale that an amount falls in");
        }
        return &ty_error;
    }
    e->sym = y;
    e->a->sym = y;
    sema_check_scale(s, y);
    if (!what) {
        int d = ERR(e, "a scale has no `.%s`", e->str);
        diag_hint(s->diags, d, "a scale has `.rate(AMOUNT)`, `.quick(AMOUNT)` and `.band(AMOUNT)`");
        return &ty_error;
    }
    e->ival = what;
    if (nargs != 1) {
        ERR(e, "`%s.%s` takes 1 argument, the amount, but %d %s given", e->a->str, e->str, nargs,
            nargs == 1 ? "was" : "were");
        return &ty_error;
    }
    const hm_type *ta = expr(s, e->b);
    if (ta->kind != T_MONEY && ta->kind != T_INT && ta->kind != T_ERROR) {
        char x[64];
        ERR(e->b, "a scale applies to money, not %s", ty_name(ta, x, sizeof x));
        return &ty_error;
    }
    if (what == 1)
        return &ty_decimal;
    if (what == 3)
        return &ty_int;
    return ta->kind == T_MONEY ? ta : ty_money(PERIOD_NONE);
}

static const hm_type *call_expr(sema *s, ast *e)
{
    int found;
    const hm_type *t = builtin_call(s, e, &found);
    if (found)
        return t;
    sym *y = sema_lookup(s, e->str, e);
    if (!y) {
        int d = ERR(e, "unknown function `%s`", e->str);
        static const char *const b[] = {
#define HM_BUILTIN(name, arity, rule, op) #name,
#include "builtins.def"
#undef HM_BUILTIN
        };
        const char *best = sema_closest(e->str, b, (int)(sizeof b / sizeof b[0]));
        if (best)
            diag_hint(s->diags, d, "did you mean `%s`?", best);
        else
            sema_suggest(s, d, e->str, SUGGEST_FUNCTION);
        for (ast *a = e->a; a; a = a->next)
            expr(s, a);
        return &ty_error;
    }
    e->sym = y;
    y->used = 1;
    if (y->kind == SYM_SCALE) {
        y->used = 1;
        sema_check_scale(s, y);
        if (!arity(s, e, 1, 1))
            return &ty_error;
        const hm_type *ta = expr(s, e->a);
        if (ta->kind == T_INT)
            return ty_money(PERIOD_NONE);
        if (ta->kind != T_MONEY && ta->kind != T_ERROR) {
            char x[64];
            ERR(e->a, "a scale applies to money, not %s", ty_name(ta, x, sizeof x));
            return &ty_error;
        }
        return ta->kind == T_ERROR ? ty_money(PERIOD_NONE) : ta;
    }
    if (y->kind != SYM_FUNCTION && y->kind != SYM_EXTERN) {
        ERR(e, "`%s` is not a function", e->str);
        for (ast *a = e->a; a; a = a->next)
            expr(s, a);
        return &ty_error;
    }
    y->used = 1;
    ast *d = y->decl;
    int nparams = ast_count(d->a);
    if (!arity(s, e, nparams, nparams))
        return d->ty ? (const hm_type *)d->ty : &ty_error;
    ast *p = d->a;
    for (ast *a = e->a; a && p; a = a->next, p = p->next) {
        char what[160];
        snprintf(what, sizeof what, hm_tr(N_("argument `%s` of `%s`")), p->str, e->str);
        sema_expect(s, a, p->ty ? (const hm_type *)p->ty : &ty_error, what);
    }
    if (s->policy && !s->function && y->kind == SYM_FUNCTION)
        add_dep(s, y, e);   /* the policies it reads become the policy's own (sema_finish) */
    if (s->function && y->kind == SYM_FUNCTION) {
        dep *ed = arena_alloc(s->arena, sizeof *ed);
        ed->to = y;
        ed->at = e;
        ed->next = s->function->deps;
        s->function->deps = ed;
    }
    return d->ty ? (const hm_type *)d->ty : &ty_error;
}

/* ---- operators ---------------------------------------------------------------- */

static int is_label_of(const hm_type *t, const ast *e, sema *s)
{
    if (t->kind != T_CODE || e->kind != N_NAME)
        return 0;
    for (scope_var *v = s->vars; v; v = v->up)
        if (strcmp(v->name, e->str) == 0)
            return 0;
    return symtab_get(t->codeset->labels, e->str) != NULL && !sema_lookup(s, e->str, NULL);
}

/* In `code OP name`, a bare name that is not a value is meant as a label. */
static int label_operand(sema *s, const hm_type *code, ast *n, int eq, ast *at)
{
    if (code->kind != T_CODE || n->kind != N_NAME)
        return 0;
    for (scope_var *v = s->vars; v; v = v->up)
        if (strcmp(v->name, n->str) == 0)
            return 0;
    if (sema_lookup(s, n->str, NULL) || implicit_field(s, n->str) ||
        !strcmp(n->str, "person") || !strcmp(n->str, "household"))
        return 0;
    if (!eq) {
        char x[64];
        ERR(at, "%s values can only be compared with == and !=", ty_name(code, x, sizeof x));
    } else if (!symtab_get(code->codeset->labels, n->str)) {
        int d = ERR(n, "code set `%s` has no label `%s`", code->codeset->name, n->str);
        sema_suggest_label(s, d, code->codeset, n->str);
    }
    TY(n, code);
    return 1;
}

/* ---- labels as values: `if … then avant else apres` ------------------------ */

/* A bare name that names nothing else: a label, once the code set is known. */
static int bare_label(sema *s, const ast *n)
{
    if (n->kind != N_NAME)
        return 0;
    for (scope_var *v = s->vars; v; v = v->up)
        if (strcmp(v->name, n->str) == 0)
            return 0;
    return !sema_lookup(s, n->str, NULL) && !implicit_field(s, n->str) && strcmp(n->str, "person") != 0 &&
           strcmp(n->str, "household") != 0;
}

/* The code sets (of this module and those it uses) that have every label of
 * the chain's bare-label branches: how many, and the first in *cs. */
static int sets_with_labels(sema *s, ast **labels, int n, sym **cs)
{
    int found = 0;
    hm_module *m = s->mod;
    for (int i = -1; m && i < m->nuses; i++) {
        hm_module *mm = i < 0 ? m : m->uses[i];
        if (!mm->names.buckets)
            continue;
        for (unsigned b = 0; b < mm->names.nbuckets; b++)
            for (sym *c = mm->names.buckets[b]; c; c = c->chain) {
                if (c->kind != SYM_CODESET || !c->labels || c == *cs)
                    continue;
                int all = 1;
                for (int k = 0; k < n && all; k++)
                    all = symtab_get(c->labels, labels[k]->str) != NULL;
                if (all && found++ == 0)
                    *cs = c;
            }
    }
    return found;
}

typedef struct if_chain {
    ast **labels;           /* the branches that are bare labels */
    int nlabels, cap;
    const hm_type *u;       /* the common type of the other branches, NULL for none yet */
    int failed;
} if_chain;

/* Check the conditions of a chain `if … then … else if … else …` and the
 * branches that are not bare labels, collecting those that are. */
static void if_walk(sema *s, ast *e, if_chain *c)
{
    sema_expect(s, e->a, &ty_bool, N_("the condition of `if`"));
    for (ast *br = e->b; br; br = br == e->b ? e->c : NULL) {
        if (br->kind == N_IF) {
            if_walk(s, br, c);
            continue;
        }
        if (bare_label(s, br)) {
            if (c->nlabels == c->cap) {
                int cap = c->cap ? c->cap * 2 : 8;
                ast **v = arena_alloc(s->arena, sizeof *v * (size_t)cap);
                if (c->nlabels)
                    memcpy(v, c->labels, sizeof *v * (size_t)c->nlabels);
                c->labels = v;
                c->cap = cap;
            }
            c->labels[c->nlabels++] = br;
            continue;
        }
        const hm_type *t = expr(s, br);
        if (!c->u || c->failed) {
            c->u = c->u ? c->u : t;
            continue;
        }
        const hm_type *u = sema_unify(e->b, c->u, br, t);
        if (!u) {
            mismatch(s, e, "the two branches of `if` have different types: %s and %s", c->u, t);
            c->failed = 1;
        } else {
            c->u = u;
        }
    }
}

static void if_type(ast *e, const hm_type *t)
{
    TY(e, t);
    for (ast *br = e->b; br; br = br == e->b ? e->c : NULL)
        if (br->kind == N_IF)
            if_type(br, t);
}

/* `if`: its branches have one type; a branch that is a bare label takes
 * its code set from the other branches, from `want` (what the value is
 * for), or from the one code set having every such label. */
static const hm_type *if_expr(sema *s, ast *e, const hm_type *want)
{
    if_chain c = { NULL, 0, 0, NULL, 0 };
    if_walk(s, e, &c);
    if (c.failed)
        return &ty_error;
    if (!c.nlabels) {
        if (c.u)
            if_type(e, c.u);
        return c.u ? c.u : &ty_error;
    }
    const hm_type *t = c.u;
    if (!t && want && want->kind == T_CODE)
        t = want;
    if (!t) {
        sym *cs = NULL, *other = NULL;
        int n = sets_with_labels(s, c.labels, c.nlabels, &cs);
        if (n == 1) {
            t = cs->codetype ? cs->codetype : ty_code(s->arena, cs);
        } else if (n > 1) {
            other = cs;
            sets_with_labels(s, c.labels, c.nlabels, &other);
            int d = ERR(c.labels[0], "`%s` is a label of code sets `%s` and `%s`: which one is meant here "
                        "cannot be told", c.labels[0]->str, cs->name, other->name);
            diag_hint(s->diags, d, "compare the value with a fact of the set (`x is %s`), or return it "
                                   "from a function declared `: %s`", c.labels[0]->str, cs->name);
            return &ty_error;
        } else {
            /* no set has them all: a name that is no label, or labels of two sets */
            for (int k = 0; k < c.nlabels; k++) {
                sym *one = NULL;
                if (!sets_with_labels(s, &c.labels[k], 1, &one)) {
                    expr(s, c.labels[k]);
                    return &ty_error;
                }
            }
            int d = ERR(e, "the branches of `if` are labels of different code sets");
            diag_hint(s->diags, d, "every branch must be a label of one code set");
            return &ty_error;
        }
    }
    if (t->kind == T_ERROR)
        return t;
    if (t->kind != T_CODE) {
        /* a label where the other branches are numbers, texts …: the
         * usual message */
        for (int k = 0; k < c.nlabels; k++)
            expr(s, c.labels[k]);
        return &ty_error;
    }
    for (int k = 0; k < c.nlabels; k++) {
        ast *l = c.labels[k];
        if (!symtab_get(t->codeset->labels, l->str)) {
            int d = ERR(l, "code set `%s` has no label `%s`", t->codeset->name, l->str);
            sema_suggest_label(s, d, t->codeset, l->str);
        }
        TY(l, t);
    }
    if_type(e, t);
    return t;
}

static const hm_type *compare(sema *s, ast *e)
{
    int op = (int)e->ival;
    int eq = op == AOP_EQ || op == AOP_NE;
    const hm_type *ta, *tb;
    if (e->a->kind == N_NAME && e->b->kind != N_NAME) {
        tb = expr(s, e->b);
        if (eq && is_label_of(tb, e->a, s)) {
            TY(e->a, tb);
            return &ty_bool;
        }
        if (label_operand(s, tb, e->a, eq, e))
            return &ty_bool;
        ta = expr(s, e->a);
    } else {
        ta = expr(s, e->a);
        if (eq && is_label_of(ta, e->b, s)) {
            TY(e->b, ta);
            return &ty_bool;
        }
        if (label_operand(s, ta, e->b, eq, e))
            return &ty_bool;
        tb = expr(s, e->b);
    }
    if (ta->kind == T_ERROR || tb->kind == T_ERROR)
        return &ty_bool;
    const hm_type *u = sema_unify(e->a, ta, e->b, tb);
    if (!u || (ta->kind == T_MONEY && tb->kind == T_DECIMAL && !is_dec_literal(e->b)) ||
        (tb->kind == T_MONEY && ta->kind == T_DECIMAL && !is_dec_literal(e->a))) {
        mismatch(s, e, "cannot compare %s with %s", ta, tb);
        return &ty_bool;
    }
    if (u->kind == T_MONEY) {
        int64_t fen;
        for (ast *x = e->a; x; x = x == e->a ? e->b : NULL)
            if (is_dec_literal(x) && sema_literal_fen(s, x, &fen) != 0)
                ERR(x, "money has at most two decimal places (fen)");
    }
    switch (u->kind) {
    case T_INT: case T_DECIMAL: case T_MONEY: case T_DATE: case T_DURATION:
        return &ty_bool;
    case T_TEXT: case T_BOOL: case T_CODE: case T_PERSON:
        if (!eq) {
            char x[64];
            ERR(e, "%s values can only be compared with == and !=", ty_name(u, x, sizeof x));
        }
        return &ty_bool;
    default: {
        char x[64];
        int d = ERR(e, "%s values cannot be compared", ty_name(u, x, sizeof x));
        if (u->kind == T_LIST || u->kind == T_RECORDS || u->kind == T_ROWS)
            diag_hint(s->diags, d, "compare count(…) or sum(…) of it instead");
        else if (u->kind == T_ROW)
            diag_hint(s->diags, d, "compare a field of each, e.g. `a.value == b.value`");
        return &ty_bool;
    }
    }
}

static const hm_type *arith(sema *s, ast *e)
{
    int op = (int)e->ival;
    const hm_type *ta = expr(s, e->a), *tb = expr(s, e->b);
    if (ta->kind == T_ERROR || tb->kind == T_ERROR)
        return &ty_error;
    type_kind ka = ta->kind, kb = tb->kind;
    const char *verb = op == '+' ? "add" : op == '-' ? "subtract" : op == '*' ? "multiply" : "divide";
    if (op == '+' || op == '-') {
        if (ka == T_DATE && kb == T_DURATION)
            return &ty_date;
        if (op == '+' && ka == T_DURATION && kb == T_DATE)
            return &ty_date;
        if (ka == T_DURATION && kb == T_DURATION && ta->unit == tb->unit)
            return ta;
        if (ka == T_MONEY || kb == T_MONEY) {
            const hm_type *u = sema_unify(e->a, ta, e->b, tb);
            if (u && u->kind == T_MONEY)
                return u;
        } else if (ty_is_numeric(ta) && ty_is_numeric(tb)) {
            return ka == T_INT && kb == T_INT ? &ty_int : &ty_decimal;
        }
        char fmt[96];
        snprintf(fmt, sizeof fmt, "cannot %s %%s %s %%s", verb, op == '+' ? "and" : "from");
        if (op == '-')
            mismatch(s, e, "cannot subtract %s and %s", ta, tb);
        else
            mismatch(s, e, fmt, ta, tb);
        return &ty_error;
    }
    if (op == '*') {
        if (ka == T_MONEY && (kb == T_INT || kb == T_DECIMAL))
            return ta;
        if (kb == T_MONEY && (ka == T_INT || ka == T_DECIMAL))
            return tb;
        if (ka == T_INT && kb == T_INT)
            return &ty_int;
        if ((ka == T_INT || ka == T_DECIMAL) && (kb == T_INT || kb == T_DECIMAL))
            return &ty_decimal;
        int d = mismatch(s, e, "cannot multiply %s by %s", ta, tb);
        if (ka == T_MONEY && kb == T_MONEY)
            diag_hint(s->diags, d, "money times money has no meaning; one side should be a number or a ratio");
        return &ty_error;
    }
    /* division */
    if (ka == T_MONEY && (kb == T_INT || kb == T_DECIMAL))
        return ta;
    if (ka == T_MONEY && kb == T_MONEY) {
        if (ta->period && tb->period && ta->period != tb->period) {
            mismatch(s, e, "cannot divide %s by %s", ta, tb);
            return &ty_error;
        }
        return &ty_decimal;
    }
    if ((ka == T_INT || ka == T_DECIMAL) && (kb == T_INT || kb == T_DECIMAL))
        return &ty_decimal;
    mismatch(s, e, "cannot divide %s by %s", ta, tb);
    return &ty_error;
}

/* ---- lists, aggregates, records ----------------------------------------------- */

static const hm_type *element_of(sema *s, const hm_type *t)
{
    if (t->kind == T_LIST)
        return &ty_person;
    if (t->kind == T_RECORDS)
        return ty_record(s->arena, t->elem);
    if (t->kind == T_ROWS)
        return ty_row(s->arena, t);
    return NULL;
}

static void check_shadow(sema *s, ast *at, const char *name)
{
    for (scope_var *v = s->vars; v; v = v->up)
        if (strcmp(v->name, name) == 0) {
            int d = ERR(at, "`%s` is already in use here", name);
            diag_note(s->diags, d, FILE_OF(s, v->decl), v->decl->loc, "it was bound here");
            return;
        }
    sym *y = sema_lookup(s, name, NULL);
    if (y && (y->kind == SYM_LET || y->kind == SYM_PARAM)) {
        int d = ERR(at, "`%s` shadows the %s of the same name", name, y->kind == SYM_LET ? "let" : "parameter");
        diag_note(s->diags, d, y->mod->file, y->decl->loc, "it is defined here");
    }
    if (!strcmp(name, "person") || !strcmp(name, "household"))
        ERR(at, "`%s` cannot be used as a variable name", name);
}

static const hm_type *where_expr(sema *s, ast *e)
{
    const hm_type *t = expr(s, e->a);
    if (t->kind == T_ERROR) {
        const hm_type *saved = s->elem;
        s->elem = NULL;
        expr(s, e->b);
        s->elem = saved;
        return &ty_error;
    }
    const hm_type *el = element_of(s, t);
    if (!el) {
        char x[64];
        ERR(e, "`where` filters a list of persons or dated records, not %s", ty_name(t, x, sizeof x));
        return &ty_error;
    }
    const hm_type *saved = s->elem;
    s->elem = el;
    sema_expect(s, e->b, &ty_bool, N_("the condition of `where`"));
    s->elem = saved;
    return t;
}

static const hm_type *agg_expr(sema *s, ast *e)
{
    int agg = (int)e->ival;
    const char *name = ast_agg_name(agg);
    if (!e->str) {
        /* plain form: agg(list or records) */
        const hm_type *t = expr(s, e->b);
        if (t->kind == T_ERROR)
            return agg == AGG_COUNT ? &ty_int : agg >= AGG_ANY ? &ty_bool : &ty_error;
        if (t->kind == T_LIST) {
            if (agg == AGG_COUNT)
                return &ty_int;
            int d = ERR(e, "%s of what? `%s(…)` of a list of persons needs a value for each", name, name);
            diag_hint(s->diags, d, "write %s(m.FIELD for m in LIST)", name);
            return &ty_error;
        }
        if (t->kind == T_ROWS) {
            if (agg == AGG_COUNT)
                return &ty_int;
            int d = ERR(e, "%s of what? `%s(…)` of a list of records needs a value for each", name, name);
            diag_hint(s->diags, d, "write %s(r.%s for r in LIST)", name,
                      t->rtype->decl->a ? t->rtype->decl->a->str : "FIELD");
            return &ty_error;
        }
        if (t->kind == T_RECORDS) {
            const hm_type *el = t->elem;
            switch (agg) {
            case AGG_COUNT: return &ty_int;
            case AGG_SUM:
                if (!ty_is_numeric(el)) break;
                return el;
            case AGG_MIN: case AGG_MAX:
                if (!ty_is_numeric(el)) break;
                return el;
            default:
                if (el->kind != T_BOOL) break;
                return &ty_bool;
            }
            char x[64];
            ERR(e, "cannot take %s of %s", name, ty_name(t, x, sizeof x));
            return &ty_error;
        }
        char x[64];
        int d = ERR(e, "%s() needs a list of persons or dated records, not %s", name, ty_name(t, x, sizeof x));
        if (agg == AGG_MIN || agg == AGG_MAX)
            diag_hint(s->diags, d, "to compare values write %s(a, b)", name);
        return &ty_error;
    }
    /* comprehension: agg(body for var in source) */
    check_shadow(s, e, e->str);
    scope_var v = { .name = e->str, .type = &ty_error, .decl = e, .up = s->vars };
    /* the variable is visible in the source's `where` too */
    const hm_type *src;
    if (e->b->kind == N_WHERE) {
        const hm_type *lt = expr(s, e->b->a);
        const hm_type *el = lt->kind == T_ERROR ? &ty_error : element_of(s, lt);
        if (!el) {
            char x[64];
            ERR(e->b->a, "`for %s in …` needs a list of persons or dated records, not %s", e->str,
                ty_name(lt, x, sizeof x));
            el = &ty_error;
        }
        v.type = el;
        s->vars = &v;
        const hm_type *saved = s->elem;
        s->elem = el->kind == T_ERROR ? NULL : el;
        sema_expect(s, e->b->b, &ty_bool, N_("the condition of `where`"));
        s->elem = saved;
        src = lt;
        TY(e->b, lt);
    } else {
        src = expr(s, e->b);
        const hm_type *el = src->kind == T_ERROR ? &ty_error : element_of(s, src);
        if (!el) {
            char x[64];
            ERR(e->b, "`for %s in …` needs a list of persons or dated records, not %s", e->str,
                ty_name(src, x, sizeof x));
            el = &ty_error;
        }
        v.type = el;
        s->vars = &v;
    }
    const hm_type *bt = expr(s, e->a);
    s->vars = v.up;
    if (!v.used && agg != AGG_COUNT)
        diag_warning(s->diags, FILE_OF(s, e), e->loc, "`%s` is bound but never used in this %s(…)", e->str, name);
    if (bt->kind == T_ERROR)
        return agg == AGG_COUNT ? &ty_int : agg >= AGG_ANY ? &ty_bool : &ty_error;
    char x[64];
    switch (agg) {
    case AGG_COUNT:
        return &ty_int;
    case AGG_SUM:
        if (ty_is_numeric(bt))
            return bt;
        ERR(e->a, "sum() adds numbers or money, not %s", ty_name(bt, x, sizeof x));
        return &ty_error;
    case AGG_MIN: case AGG_MAX:
        if (ty_is_numeric(bt) || bt->kind == T_DATE)
            return bt;
        ERR(e->a, "%s() compares numbers, money or dates, not %s", name, ty_name(bt, x, sizeof x));
        return &ty_error;
    default:
        if (bt->kind == T_BOOL)
            return &ty_bool;
        ERR(e->a, "%s() needs a condition (true or false) for each element, not %s", name, ty_name(bt, x, sizeof x));
        return &ty_bool;
    }
}

/* first(LIST order by KEY [descending], then KEY …), last(…): one person
 * or record of LIST.  The keys are read for each element as a `where`
 * condition is, fields bare and `it` the element. */
static const hm_type *pick_expr(sema *s, ast *e)
{
    const hm_type *t = expr(s, e->a);
    const hm_type *el = t->kind == T_ERROR ? NULL : element_of(s, t);
    if (t->kind != T_ERROR && (!el || t->kind == T_RECORDS)) {
        char x[64];
        int d = ERR(e->a, "%s(… order by …) picks from a list of persons or of records with fields, not from %s",
                    e->str, ty_name(t, x, sizeof x));
        if (t->kind == T_RECORDS)
            diag_hint(s->diags, d, "dated records have no order but their date: use min(r.date for r in …)");
    }
    if (!el || t->kind == T_RECORDS)
        return &ty_error;   /* the keys would only repeat the list's error */
    const hm_type *saved = s->elem;
    s->elem = el;
    for (ast *k = e->b; k; k = k->next) {
        const hm_type *kt = expr(s, k->a);
        TY(k, kt);
        switch (kt->kind) {
        case T_ERROR: case T_INT: case T_DECIMAL: case T_MONEY: case T_DATE: case T_DURATION: case T_TEXT:
            break;
        default: {
            char x[64];
            int d = ERR(k->a, "cannot order by %s: a key is a number, money, a date, a duration or text",
                        ty_name(kt, x, sizeof x));
            if (kt->kind == T_CODE || kt->kind == T_BOOL)
                diag_hint(s->diags, d, "keep only some elements with `where` instead");
            else if (kt->kind == T_PERSON || kt->kind == T_ROW)
                diag_hint(s->diags, d, "order by one of its fields");
        }
        }
    }
    s->elem = saved;
    return el;
}

/* Each value a parameter may take (its dated values, in every entry of a
 * table): f(s, value node, arg); stops at the first that returns non-zero. */
static int each_param_value(sema *s, const ast *decl, int (*f)(sema *, ast *, void *), void *arg)
{
    if (decl->ival != PARAM_TABLE) {
        for (ast *v = decl->c; v; v = v->next)
            if (v->b && f(s, v->b, arg))
                return 1;
        return 0;
    }
    for (ast *c = decl->c; c; c = c->next)
        for (ast *v = c->b; v; v = v->next)
            if (v->b && f(s, v->b, arg))
                return 1;
    return 0;
}

static int window_out_of_range(sema *s, ast *v, void *arg)
{
    int64_t n = 0;
    if (sema_literal_int(s, v->kind == N_DUR ? v->a : v, &n) == 0 && (n < 1 || n > 1200)) {
        *(int64_t *)arg = n;
        return 1;
    }
    return 0;
}

/* `during last P` (P a duration parameter) and `during last P months` (P a
 * whole-number parameter): every value of P must be a window's length. */
static void window_param(sema *s, ast *e)
{
    ast *n = e->b;
    const hm_type *t = expr(s, n);
    if (t->kind == T_ERROR)
        return;
    sym *y = n->sym;
    char x[64];
    if (!y || y->kind != SYM_PARAM || n->flag == 1) {
        int d = ERR(n, "the length of a window is a number or a parameter; `%s` is not a parameter", n->str);
        diag_hint(s->diags, d, "write a number, or declare the length as a parameter: "
                  "parameter %s : duration in months = 12 months", n->str);
        return;
    }
    if (e->flag == 0) {
        if (t->kind != T_DURATION) {
            int d = ERR(n, "`during last %s` needs a duration parameter, but `%s` is %s", n->str, n->str,
                        ty_name(t, x, sizeof x));
            if (t->kind == T_INT)
                diag_hint(s->diags, d, "say what it counts: during last %s months", n->str);
            return;
        }
        e->flag = t->unit;
    } else if (t->kind != T_INT) {
        int d = ERR(n, "`%s` counts the %s of the window: it must be a whole number, not %s", n->str,
                    e->flag == DUR_DAYS ? "days" : e->flag == DUR_MONTHS ? "months" : "years",
                    ty_name(t, x, sizeof x));
        if (t->kind == T_DURATION)
            diag_hint(s->diags, d, "a duration carries its unit: write during last %s", n->str);
        return;
    }
    int64_t bad = 0;
    if (each_param_value(s, y->decl, window_out_of_range, &bad))
        ERR(n, "a window of %" PRId64 " is out of range (1 to 1200): `%s` has this value", bad, n->str);
}

/* `P as of D`: a parameter's value on another date. */
static const hm_type *atdate_expr(sema *s, ast *e)
{
    sema_expect(s, e->b, &ty_date, N_("the date after `as of`"));
    const hm_type *t = expr(s, e->a);
    if (t->kind == T_ERROR)
        return t;
    sym *y = e->a->kind == N_NAME && e->a->flag != 1 ? e->a->sym : NULL;
    if (!y || y->kind != SYM_PARAM) {
        int d = ERR(e->a, "only a parameter has a value on another date: `as of` takes a parameter's name");
        if (y && y->kind == SYM_LET)
            diag_hint(s->diags, d, "`%s` is a let: write `as of` on each parameter it uses", y->name);
        else
            diag_hint(s->diags, d, "facts and lets are taken on the decision's date (as_of)");
        return &ty_error;
    }
    if (y->decl && y->decl->ival == PARAM_TABLE && y->decl->b && y->decl->b->next) {
        int d = ERR(e->a, "a table of several keys has no value on another date: `%s` is looked up by %d keys",
                    y->name, ast_count(y->decl->b));
        diag_hint(s->diags, d, "read it on the decision's date, or split it into tables of one key");
        return &ty_error;
    }
    return t;
}

static const hm_type *during_expr(sema *s, ast *e)
{
    const hm_type *t = expr(s, e->a);
    if (t->kind != T_RECORDS && t->kind != T_ERROR) {
        char x[64];
        ERR(e, "`%s` selects dated records, not %s", e->ival == WIN_SINCE ? "since" : "during",
            ty_name(t, x, sizeof x));
        t = &ty_error;
    }
    if (e->ival == WIN_LAST && e->b->kind == N_NAME) {
        window_param(s, e);
    } else if (e->ival == WIN_LAST) {
        int64_t n;
        if (sema_literal_int(s, e->b, &n) == 0 && (n < 1 || n > 1200))
            ERR(e->b, "a window of %" PRId64 " is out of range (1 to 1200)", n);
    } else {
        sema_expect(s, e->b, &ty_date, N_("the start of the window"));
        if (e->c)
            sema_expect(s, e->c, &ty_date, N_("the end of the window"));
    }
    return t;
}

/* sum(P.amount over last N months), sum(P.amount over D1 to D2): policy P
 * decided as of the first day of each month, its monthly amounts added. */
static const hm_type *psum_expr(sema *s, ast *e)
{
    if (e->ival == WIN_LAST) {
        int64_t n;
        if (sema_literal_int(s, e->b, &n) == 0 && (n < 1 || n > 1200))
            ERR(e->b, "a period of %" PRId64 " months is out of range (1 to 1200)", n);
    } else {
        sema_expect(s, e->b, &ty_date, N_("the first month of the period"));
        sema_expect(s, e->c, &ty_date, N_("the last month of the period"));
        if (e->b->kind == N_DATE && e->c->kind == N_DATE && e->c->ival < e->b->ival)
            ERR(e->c, "the period ends before it starts");
    }
    ast *g = e->a;
    sym *q = g->kind == N_GET && g->a->kind == N_NAME && g->a->flag != 1 ? sema_lookup(s, g->a->str, NULL) : NULL;
    int is_var = 0;
    for (scope_var *v = s->vars; q && v; v = v->up)
        if (strcmp(v->name, g->a->str) == 0)
            is_var = 1;
    if (!q || q->kind != SYM_POLICY || is_var || strcmp(g->str, "amount")) {
        expr(s, g);
        int d = ERR(g, "sum(… over …) adds a policy's amount month by month: write `POLICY.amount` here");
        diag_hint(s->diags, d, "sum(低保.amount over last 12 months); to add dated records write "
                               "sum(r.value for r in … during last 12 months)");
        return &ty_error;
    }
    if (!s->policy) {
        int d = ERR(e, "only a policy can add another policy's amounts over months");
        diag_hint(s->diags, d, "compute the sum in a let of the policy and pass it to the function");
        return &ty_error;
    }
    const hm_type *t = expr(s, g);
    if (t->kind == T_ERROR)
        return t;
    if (t->kind != T_MONEY || t->period != PERIOD_MONTH) {
        char x[64];
        int d = ERR(g, "sum(… over …) adds an amount per month, and `%s`'s amount is %s", q->name,
                    ty_name(t, x, sizeof x));
        diag_hint(s->diags, d, "declare `%s`'s amount per month: amount monthly(…)", q->name);
        return &ty_error;
    }
    /* a total over the months: no period of its own */
    return ty_money(PERIOD_NONE);
}

/* ---- the dispatcher -------------------------------------------------------------- */

static const hm_type *expr_kind(sema *s, ast *e)
{
    switch (e->kind) {
    case N_INT: {
        int64_t v;
        sema_literal_int(s, e, &v);
        return &ty_int;
    }
    case N_DEC: {
        int64_t v;
        if (scaled(e->str, 6, &v) != 0)
            ERR(e, "a decimal number has at most six decimal places");
        return &ty_decimal;
    }
    case N_PERCENT: {
        int64_t v;
        if (scaled(e->str, 4, &v) != 0)
            ERR(e, "a percentage has at most four decimal places");
        return &ty_decimal;
    }
    case N_STR: return &ty_text;
    case N_DATE: {
        int64_t d;
        if (sema_parse_date(e->str, &d) != 0) {
            ERR(e, "`%s` is not a valid date", e->str);
            return &ty_error;
        }
        e->ival = d;
        return &ty_date;
    }
    case N_DUR: {
        int64_t v;
        if (e->a->kind == N_INT)
            sema_literal_int(s, e->a, &v);
        else
            sema_expect(s, e->a, &ty_int, N_("the number of a duration"));
        return ty_duration(e->flag);
    }
    case N_BOOL: return e->flag == -1 ? &ty_error : &ty_bool;
    case N_ASOF: return &ty_date;
    case N_IT:
        if (!s->elem) {
            ERR(e, "`it` can only be used inside `where`");
            return &ty_error;
        }
        return s->elem;
    case N_NAME: return name_expr(s, e);
    case N_GET: return get_expr(s, e);
    case N_CALL: return call_expr(s, e);
    case N_SCALEQ: return scaleq_expr(s, e);
    case N_BINOP:
        switch (e->ival) {
        case AOP_AND: case AOP_OR:
            sema_expect(s, e->a, &ty_bool, e->ival == AOP_AND ? N_("each side of `and`") : N_("each side of `or`"));
            sema_expect(s, e->b, &ty_bool, e->ival == AOP_AND ? N_("each side of `and`") : N_("each side of `or`"));
            return &ty_bool;
        case '+': case '-': case '*': case '/':
            return arith(s, e);
        default:
            return compare(s, e);
        }
    case N_UNOP:
        if (e->ival == AOP_NOT) {
            sema_expect(s, e->a, &ty_bool, N_("the operand of `not`"));
            return &ty_bool;
        } else {
            const hm_type *t = expr(s, e->a);
            if (!ty_is_numeric(t) && t->kind != T_DURATION && t->kind != T_ERROR) {
                char x[64];
                ERR(e, "cannot negate %s", ty_name(t, x, sizeof x));
                return &ty_error;
            }
            return t;
        }
    case N_IS: {
        const hm_type *t = expr(s, e->a);
        if (t->kind == T_ERROR)
            return &ty_bool;
        if (t->kind != T_CODE) {
            char x[64];
            int d = ERR(e->a, "`is` compares a code with a label, but this is %s", ty_name(t, x, sizeof x));
            if (t->kind == T_TEXT)
                diag_hint(s->diags, d, "compare text with == \"…\"");
            return &ty_bool;
        }
        if (!symtab_get(t->codeset->labels, e->str)) {
            int d = ERR(e, "code set `%s` has no label `%s`", t->codeset->name, e->str);
            sema_suggest_label(s, d, t->codeset, e->str);
        }
        return &ty_bool;
    }
    case N_IN: {
        const hm_type *t = expr(s, e->a);
        for (ast *i = e->b->a; i; i = i->next) {
            if (t->kind == T_CODE && i->kind == N_NAME) {
                sema_expect(s, i, t, N_("an element of the list"));
                continue;
            }
            if (t->kind == T_ERROR) {
                expr(s, i);
                continue;
            }
            if (t->kind != T_TEXT && t->kind != T_INT && t->kind != T_CODE && t->kind != T_MONEY &&
                t->kind != T_DATE) {
                char x[64];
                ERR(e, "`in` checks text, numbers, codes, money or dates, not %s", ty_name(t, x, sizeof x));
                break;
            }
            sema_expect(s, i, t, N_("each element of the list"));
        }
        return &ty_bool;
    }
    case N_LISTLIT:
        ERR(e, "a list in brackets can only follow `in`");
        return &ty_error;
    case N_IF: return if_expr(s, e, NULL);
    case N_AGG: return agg_expr(s, e);
    case N_WHERE: return where_expr(s, e);
    case N_DURING: return during_expr(s, e);
    case N_ERROR: return &ty_error;    /* reported by the parser */
    case N_ATDATE: return atdate_expr(s, e);
    case N_PICK: return pick_expr(s, e);
    case N_PSUM: return psum_expr(s, e);
    default:
        ERR(e, "this is not an expression");
        return &ty_error;
    }
}

/* Expressions deeper than this are refused: the checker and the compiler
 * walk them recursively, and a generated file must not overflow the stack. */
#define MAX_EXPR_DEPTH 500

static const hm_type *expr(sema *s, ast *e)
{
    if (s->depth >= MAX_EXPR_DEPTH) {
        /* what lies deeper is not checked: its uses are lost, as with text
         * that did not parse (no warnings of unused definitions) */
        s->syntax_errors++;
        if (!s->depth_reported++) {
            int d = ERR(e, "this expression is too long or nested too deeply (more than %d levels)",
                        MAX_EXPR_DEPTH);
            if (s->outer_depth)
                diag_hint(s->diags, d, "the levels of the lets and policies it is used by count too; "
                                       "make the chain of lets or policies shorter");
            else
                diag_hint(s->diags, d, "split it into several lets");
        }
        return TY(e, &ty_error);
    }
    s->depth++;
    const hm_type *t = expr_kind(s, e);
    s->depth--;
    return TY(e, t);
}

const hm_type *sema_expr(sema *s, ast *e) { return expr(s, e); }

/* ---- message templates ------------------------------------------------------------ */

static void check_template(sema *s, ast *msg);

/* the message of n and, after it, its message for when it is not met */
void sema_check_template(sema *s, ast *n)
{
    for (ast *msg = n->d; msg; msg = msg->next)
        check_template(s, msg);
    if (n->d && n->d->next && n->d->str && n->d->next->str && !strcmp(n->d->str, n->d->next->str)) {
        int d = diag_warning(s->diags, FILE_OF(s, n->d->next), n->d->next->loc,
                             "the message for when it is not met is the same as the other");
        diag_hint(s->diags, d, "say what is the case when it is not met, or leave out `else \"…\"`");
    }
}

static void check_template(sema *s, ast *msg)
{
    if (!msg || !msg->str)
        return;
    const char *t = msg->str;
    const hm_srcfile *f = FILE_OF(s, msg);
    for (const char *p = t; *p; p++) {
        if (*p == '\\' && p[1] == '{') {
            p++;
            continue;
        }
        if (*p == '}') {
            continue;
        }
        if (*p != '{')
            continue;
        const char *end = strchr(p, '}');
        /* place the caret on the `{` in the source when it can be found */
        hm_span sp = msg->loc;
        const char *src = f->text + msg->loc.start;
        size_t srclen = msg->loc.end - msg->loc.start;
        size_t want = end ? (size_t)(end - p + 1) : strlen(p);
        for (size_t i = 0; i + want <= srclen; i++)
            if (memcmp(src + i, p, want) == 0) {
                sp.start = msg->loc.start + (uint32_t)i;
                sp.end = sp.start + (uint32_t)want;
                break;
            }
        if (!end) {
            int d = diag_error(s->diags, f, sp, "`{` in a message is not closed by `}`");
            diag_hint(s->diags, d, "write \\{ for a literal brace");
            return;
        }
        size_t len = (size_t)(end - p - 1);
        char path[256];
        if (len == 0 || len >= sizeof path) {
            diag_error(s->diags, f, sp, "a message names a value between braces, such as {per_cap}");
            p = end;
            continue;
        }
        memcpy(path, p + 1, len);
        path[len] = '\0';
        if (strcmp(path, "as_of") == 0) {
            p = end;    /* the date the decision is made for */
            continue;
        }
        /* build NAME(.GET)* nodes at the span of the braces and type them */
        ast *node = NULL;
        int bad = 0;
        char *save = NULL;
        for (char *seg = strtok_r(path, ".", &save); seg; seg = strtok_r(NULL, ".", &save)) {
            for (char *c = seg; *c; c++)
                if (*c == ' ' || *c == '(' || *c == '+' || *c == '-' || *c == '*' || *c == '/')
                    bad = 1;
            ast *x = ast_new(s->arena, node ? N_GET : N_NAME, sp);
            x->file = msg->file;
            x->str = arena_strdup(s->arena, seg);
            x->a = node;
            node = x;
        }
        if (bad || !node) {
            diag_error(s->diags, f, sp, "a message can only name a value, such as {per_cap} or {household.assets}");
            p = end;
            continue;
        }
        ast *head = node;
        while (head->a)
            head = head->a;
        if (head->kind == N_NAME && strcmp(head->str, "person") && strcmp(head->str, "household") &&
            !sema_lookup(s, head->str, NULL) && !implicit_field(s, head->str)) {
            int d = diag_error(s->diags, f, sp, "the message names `%s`, but there is no let, parameter or fact of that name",
                               head->str);
            sema_suggest(s, d, head->str, SUGGEST_VALUE);
            p = end;
            continue;
        }
        const hm_type *ty = expr(s, node);
        const sym *through = node->kind == N_GET && node->a->kind == N_GET ? node->a->sym : NULL;
        if (through && through->kind == SYM_FACT && through->type->kind == T_PERSON) {
            /* the filler reads facts of the household or of the person only */
            int d = diag_error(s->diags, f, sp, "a message cannot read through `%s` to another member", through->name);
            diag_hint(s->diags, d, "name it in a let, e.g. let 配偶收入 = %s.%s, and write {配偶收入}",
                      through->name, node->str);
        } else if (ty->kind == T_LIST || ty->kind == T_PERSON || ty->kind == T_HOUSEHOLD || ty->kind == T_RECORDS ||
            ty->kind == T_POLICY || ty->kind == T_ROWS || ty->kind == T_ROW) {
            char x[64];
            diag_error(s->diags, f, sp, "a message can show a single value, not %s", ty_name(ty, x, sizeof x));
        }
        p = end;
    }
}

/* ---- disjointness of exception conditions ---------------------------------------- */

static int same_expr(const ast *a, const ast *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->ival != b->ival || a->flag != b->flag)
        return 0;
    if ((a->str == NULL) != (b->str == NULL) || (a->str && strcmp(a->str, b->str)))
        return 0;
    return same_expr(a->a, b->a) && same_expr(a->b, b->b) && same_expr(a->c, b->c);
}

/* The interval of whole numbers that `x OP k` allows, if it has that form. */
static int interval(const ast *c, const ast **x, int64_t *lo, int64_t *hi)
{
    if (c->kind != N_BINOP || c->b->kind != N_INT)
        return 0;
    int64_t k = 0;
    for (const char *p = c->b->str; *p; p++) {
        if (k > INT64_MAX / 10 - 10)
            return 0;
        k = k * 10 + (*p - '0');
    }
    *x = c->a;
    switch (c->ival) {
    case '<': *lo = INT64_MIN; *hi = k - 1; return 1;
    case AOP_LE: *lo = INT64_MIN; *hi = k; return 1;
    case '>': *lo = k + 1; *hi = INT64_MAX; return 1;
    case AOP_GE: *lo = k; *hi = INT64_MAX; return 1;
    case AOP_EQ: *lo = *hi = k; return 1;
    }
    return 0;
}

/* The values a test of one expression allows, when they are labels or
 * texts written out: `x is a`, `x in [a, b]`, `x == "330100"`; negated
 * (`x is not a`, `x != a`, `not (x in [a, b])`), the values it excludes. */
typedef struct vset {
    const ast *x;
    const char *one;        /* a single value, or */
    const ast *list;        /* the items of `in [ … ]` */
    int neg;
} vset;

static int is_label_node(const ast *n)
{
    return n->kind == N_STR ||
           (n->kind == N_NAME && !n->sym && n->ty && ((const hm_type *)n->ty)->kind == T_CODE);
}

static int value_set(const ast *c, vset *v)
{
    memset(v, 0, sizeof *v);
    if (c->kind == N_UNOP && c->ival == AOP_NOT) {
        if (!value_set(c->a, v))
            return 0;
        v->neg = !v->neg;
        return 1;
    }
    if (c->kind == N_IS) {
        v->x = c->a;
        v->one = c->str;
        v->neg = c->flag;
        return 1;
    }
    if (c->kind == N_IN && c->b && c->b->kind == N_LISTLIT) {
        for (const ast *i = c->b->a; i; i = i->next)
            if (!is_label_node(i))
                return 0;
        v->x = c->a;
        v->list = c->b->a;
        return 1;
    }
    if (c->kind == N_BINOP && (c->ival == AOP_EQ || c->ival == AOP_NE) && is_label_node(c->b)) {
        v->x = c->a;
        v->one = c->b->str;
        v->neg = c->ival == AOP_NE;
        return 1;
    }
    return 0;
}

static int vset_has(const vset *v, const char *val)
{
    if (v->one)
        return strcmp(v->one, val) == 0;
    for (const ast *i = v->list; i; i = i->next)
        if (strcmp(i->str, val) == 0)
            return 1;
    return 0;
}

/* Does no value that a allows (a not negated) pass b: b allows none of
 * them, or b excludes them all? */
static int vset_apart(const vset *a, const vset *b)
{
    const ast one = { .str = a->one };
    for (const ast *i = a->one ? &one : a->list; i; i = i->next)
        if (vset_has(b, i->str) == !b->neg)
            return 0;
    return 1;
}

int sema_disjoint(const ast *a, const ast *b)
{
    /* a conjunction is disjoint from b if any of its parts is */
    if (a->kind == N_BINOP && a->ival == AOP_AND)
        return sema_disjoint(a->a, b) || sema_disjoint(a->b, b);
    if (b->kind == N_BINOP && b->ival == AOP_AND)
        return sema_disjoint(a, b->a) || sema_disjoint(a, b->b);
    if (a->kind == N_UNOP && a->ival == AOP_NOT && same_expr(a->a, b))
        return 1;
    if (b->kind == N_UNOP && b->ival == AOP_NOT && same_expr(b->a, a))
        return 1;
    if (a->kind == N_IS && b->kind == N_IS && same_expr(a->a, b->a)) {
        int same_label = strcmp(a->str, b->str) == 0;
        if (!a->flag && !b->flag)
            return !same_label;
        if (a->flag != b->flag)
            return same_label;
        return 0;
    }
    if (a->kind == N_BINOP && b->kind == N_BINOP && a->ival == AOP_EQ && b->ival == AOP_EQ &&
        same_expr(a->a, b->a) && a->b->kind == N_STR && b->b->kind == N_STR)
        return strcmp(a->b->str, b->b->str) != 0;
    vset va, vb;
    if (value_set(a, &va) && value_set(b, &vb) && same_expr(va.x, vb.x) && !(va.neg && vb.neg))
        return va.neg ? vset_apart(&vb, &va) : vset_apart(&va, &vb);
    const ast *xa, *xb;
    int64_t la, ha, lb, hb;
    if (interval(a, &xa, &la, &ha) && interval(b, &xb, &lb, &hb) && same_expr(xa, xb))
        return ha < lb || hb < la;
    return 0;
}
