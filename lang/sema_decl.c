/* sema_decl.c -- checking declarations: sources and facts, code sets,
 * parameters, scales, functions, externs, policies and tests; and the
 * whole-pack checks at the end (cycles, unused definitions). */
#include "sema.h"
#include "builtins.h"
#include "calendar.h"
#include "i18n.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ERR(n, ...) diag_error(s->diags, FILE_OF(s, n), (n)->loc, __VA_ARGS__)
#define WARN(n, ...) diag_warning(s->diags, FILE_OF(s, n), (n)->loc, __VA_ARGS__)
#define NOTE(d, y, msg) diag_note(s->diags, d, (y)->mod->file, (y)->decl->loc, msg)

static const char *kind_word(sym_kind k)
{
    switch (k) {
    case SYM_SOURCE: return "source";
    case SYM_CODESET: return "code set";
    case SYM_PARAM: return "parameter";
    case SYM_SCALE: return "scale";
    case SYM_FUNCTION: return "function";
    case SYM_EXTERN: return "extern function";
    case SYM_POLICY: return "policy";
    case SYM_LET: return "let";
    case SYM_LABEL: return "label";
    case SYM_FACT: return "fact";
    case SYM_RECTYPE: return "record type";
    case SYM_REFTAB: return "reference table";
    default: return "name";
    }
}

/* Declare a top-level name in module m, reporting duplicates. */
static sym *declare(sema *s, symtab *t, sym_kind k, ast *n)
{
    sym *old = symtab_get(t, n->str);
    int clash = 0;
    if (old) {
        int d = ERR(n, "`%s` is already defined in this %s", n->str,
                    old->owner || k == SYM_LET ? "policy" : "module");
        diag_note(s->diags, d, old->mod->file, old->decl->loc, "the first definition is here");
        clash = 1;
    } else if (builtin_find(n->str) && (k == SYM_FUNCTION || k == SYM_EXTERN || k == SYM_PARAM ||
                                      k == SYM_LET || k == SYM_SCALE)) {
        int d = ERR(n, "`%s` is the name of a built-in function", n->str);
        diag_hint(s->diags, d, "choose another name");
        clash = 1;
    }
    sym *y = sym_new(s, k, n->str, n);
    n->sym = y;
    if (clash) {
        /* not reachable by its name, but its body is still checked, so its
         * own mistakes are reported and the facts it reads count as used */
        y->used = 1;
        return k == SYM_CODESET ? NULL : y;
    }
    symtab_put(s->arena, t, y);
    return y;
}

/* ---- pass 1: declarations --------------------------------------------- */

static void declare_source(sema *s, ast *n)
{
    sym *src = symtab_get(&s->sources, n->str);
    if (!src) {
        src = sym_new(s, SYM_SOURCE, n->str, n);
        symtab_put(s->arena, &s->sources, src);
    }
    n->sym = src;
    /* fields declared twice in this block */
    for (ast *f = n->a; f; f = f->next) {
        for (ast *g = n->a; g != f; g = g->next)
            if (g->ival == f->ival && strcmp(g->str, f->str) == 0) {
                int d = ERR(f, "field `%s.%s` is declared twice in source `%s`",
                            f->ival == ENT_PERSON ? "person" : "household", f->str, n->str);
                diag_note(s->diags, d, FILE_OF(s, g), g->loc, "the first declaration is here");
                f->flag = -1;
                break;
            }
    }
    /* its reference tables are names of the module, as code sets are */
    for (ast *t = n->b; t; t = t->next) {
        sym *y = declare(s, &s->mod->names, SYM_REFTAB, t);
        if (y)
            y->source = src;
    }
}

static void declare_codes(sema *s, hm_module *m, ast *n)
{
    sym *cs = declare(s, &m->names, SYM_CODESET, n);
    if (!cs)
        return;
    cs->labels = arena_alloc(s->arena, sizeof *cs->labels);
    symtab_init(s->arena, cs->labels, 16);
    int idx = 0;
    for (ast *l = n->a; l; l = l->next) {
        sym *old = symtab_get(cs->labels, l->str);
        if (old) {
            int d = ERR(l, "label `%s` appears twice in code set `%s`", l->str, n->str);
            diag_note(s->diags, d, FILE_OF(s, old->decl), old->decl->loc, "the first is here");
            continue;
        }
        sym *y = sym_new(s, SYM_LABEL, l->str, l);
        y->index = idx++;
        y->owner = cs;
        symtab_put(s->arena, cs->labels, y);
        l->sym = y;
    }
}

void sema_declare_module(sema *s, hm_module *m)
{
    s->mod = m;
    symtab_init(s->arena, &m->names, 32);
    for (ast *d = m->root; d; d = d->next) {
        switch (d->kind) {
        case N_SOURCE: declare_source(s, d); break;
        case N_CODES: declare_codes(s, m, d); break;
        case N_PARAM: declare(s, &m->names, SYM_PARAM, d); break;
        case N_SCALE: declare(s, &m->names, SYM_SCALE, d); break;
        case N_FUNCTION: declare(s, &m->names, SYM_FUNCTION, d); break;
        case N_EXTERN: declare(s, &m->names, SYM_EXTERN, d); break;
        case N_RECTYPE: declare(s, &m->names, SYM_RECTYPE, d); break;
        case N_POLICY: {
            sym *p = declare(s, &m->names, SYM_POLICY, d);
            if (p) {
                p->entity = (int)d->ival;
                for (ast *it = d->a; it; it = it->next) {
                    p->has_eligible += it->kind == N_ELIGIBLE;
                    p->has_amount += it->kind == N_AMOUNT;
                }
            }
            break;
        }
        default: break;
        }
    }
    s->mod = NULL;
}

int sema_literal_value(sema *s, ast *v, const hm_type *t, int64_t *out, const char **text)
{
    int neg = 0;
    if (v->kind == N_UNOP && v->ival == AOP_NEG) {
        neg = 1;
        v = v->a;
    }
    int64_t x = 0;
    *text = NULL;
    switch (v->kind) {
    case N_INT:
        if (t->kind == T_MONEY ? sema_literal_fen(s, v, &x)
            : t->kind == T_DECIMAL ? sema_literal_ppm(s, v, &x) : sema_literal_int(s, v, &x))
            return -1;
        break;
    case N_DEC:
        if (t->kind == T_MONEY ? sema_literal_fen(s, v, &x) : sema_literal_ppm(s, v, &x))
            return -1;
        break;
    case N_PERCENT:
        if (sema_literal_ppm(s, v, &x) != 0)
            return -1;
        break;
    case N_BOOL: x = v->ival; break;
    case N_DATE: if (sema_parse_date(v->str, &x) != 0) return -1; break;
    case N_DUR: if (sema_literal_int(s, v->a, &x) != 0) return -1; break;
    case N_STR: *text = v->str; break;
    case N_NAME: {
        sym *l = t->kind == T_CODE ? symtab_get(t->codeset->labels, v->str) : NULL;
        if (!l)
            return -1;
        x = l->index;
        break;
    }
    default:
        return -1;
    }
    *out = neg ? -x : x;
    return 0;
}

/* A bare label written as the value of a code fact (a default, a given
 * value): checked against the fact's code set.  1 if v was one. */
static int label_value(sema *s, ast *v, const hm_type *t)
{
    if (t->kind != T_CODE || v->kind != N_NAME)
        return 0;
    if (!symtab_get(t->codeset->labels, v->str)) {
        int d = ERR(v, "code set `%s` has no label `%s`", t->codeset->name, v->str);
        sema_suggest_label(s, d, t->codeset, v->str);
    }
    v->ty = (struct hm_type *)t;
    return 1;
}

/* `default VALUE` of a fact: a plain value of the fact's type */
static void check_default(sema *s, ast *f, const hm_type *t, const char *ent)
{
    ast *v = f->c;
    char what[160];
    snprintf(what, sizeof what, hm_tr(N_("the default of `%s.%s`")), ent, f->str);
    if (t->kind == T_RECORDS) {
        int d = ERR(v, "`%s.%s` is a list of dated records: it cannot have a default", ent, f->str);
        diag_hint(s->diags, d, "a source that gives no record gives an empty list only when it says so; remove `default`");
        return;
    }
    if (t->kind == T_PERSON) {
        int d = ERR(v, "`%s.%s` links to another member: it cannot have a default", ent, f->str);
        diag_hint(s->diags, d, "a link no source gives is missing, never a member chosen for it; remove `default`");
        return;
    }
    if (label_value(s, v, t))
        return;
    ast *lit = v->kind == N_UNOP && v->ival == AOP_NEG ? v->a : v;
    if (lit->kind != N_INT && lit->kind != N_DEC && lit->kind != N_PERCENT && lit->kind != N_STR &&
        lit->kind != N_DATE && lit->kind != N_BOOL && lit->kind != N_DUR) {
        int d = ERR(v, "a default is a plain value (a number, text, date, true/false or a label)");
        if (t->kind == T_CODE)
            diag_hint(s->diags, d, "write a label of code set `%s`", t->codeset->name);
        else
            diag_hint(s->diags, d, "write the value itself, e.g. `default 0`");
        return;
    }
    if (lit->kind == N_DUR && t->kind != T_DURATION) {
        char b[64];
        ERR(v, "%s must be %s, but this is a duration", what, ty_name(t, b, sizeof b));
        return;
    }
    if (lit->kind == N_STR && t->kind != T_TEXT) {
        char b[64];
        int d = ERR(v, "%s must be %s, but this is text", what, ty_name(t, b, sizeof b));
        diag_hint(s->diags, d, "write the value without quotes: `default %s`", lit->str);
        return;
    }
    sema_expect(s, v, t, what);
}

/* Do two declarations of a fact give the same default? */
static int same_default(sema *s, ast *f, ast *g, const hm_type *t)
{
    int64_t a = 0, b = 0;
    const char *ta, *tb;
    if (sema_literal_value(s, f->c, t, &a, &ta) != 0 || sema_literal_value(s, g->c, t, &b, &tb) != 0)
        return 1;   /* reported as a bad value */
    return ta || tb ? ta && tb && strcmp(ta, tb) == 0 : a == b;
}

/* The fields of a record type, resolved once, in the record type's module
 * (a field's code set is looked up there). */
static void resolve_rectype(sema *s, sym *rt)
{
    if (rt->state)
        return;
    rt->state = 1;
    hm_module *saved = s->mod;
    s->mod = rt->mod;
    ast *n = rt->decl;
    if (!n->a)
        ERR(n, "record type `%s` has no fields", n->str);
    for (ast *f = n->a; f; f = f->next) {
        for (ast *g = n->a; g != f; g = g->next)
            if (strcmp(g->str, f->str) == 0) {
                int d = ERR(f, "field `%s` is declared twice in record type `%s`", f->str, n->str);
                diag_note(s->diags, d, FILE_OF(s, g), g->loc, "the first declaration is here");
                f->flag = -1;
                break;
            }
        const hm_type *t = sema_resolve_type(s, f->a);
        if (t->kind != T_ERROR && t->kind != T_PERSON && !ty_vtype(t)) {
            char b[64];
            int d = ERR(f->a, "a field of a record cannot be %s", ty_name(t, b, sizeof b));
            diag_hint(s->diags, d, "a field holds one value: bool, int, decimal, money, date, text, a duration, "
                      "a code or a person");
            t = &ty_error;
        }
        f->ty = (struct hm_type *)t;
    }
    s->mod = saved;
    rt->state = 2;
}

/* The key type and attributes of a reference table, resolved once, in its
 * module.  An attribute holds one plain value: what a department's table
 * holds in one column. */
static void resolve_reftab(sema *s, sym *rt)
{
    if (rt->state)
        return;
    rt->state = 1;
    hm_module *saved = s->mod;
    s->mod = rt->mod;
    ast *n = rt->decl;
    const hm_type *kt = sema_resolve_type(s, n->b);
    if (kt->kind != T_TEXT && kt->kind != T_ERROR) {
        char b[64];
        int d = ERR(n->b, "a reference table is looked up by text, not %s", ty_name(kt, b, sizeof b));
        diag_hint(s->diags, d, "write `table %s by text { … }`: its key is a code such as \"330102\"", n->str);
    }
    if (!n->a)
        ERR(n, "reference table `%s` has no attributes", n->str);
    int idx = 0;
    for (ast *f = n->a; f; f = f->next) {
        f->ival = idx++;
        for (ast *g = n->a; g != f; g = g->next)
            if (strcmp(g->str, f->str) == 0) {
                int d = ERR(f, "attribute `%s` is declared twice in table `%s`", f->str, n->str);
                diag_note(s->diags, d, FILE_OF(s, g), g->loc, "the first declaration is here");
                f->flag = -1;
                break;
            }
        if (!strcmp(f->str, "members") || !strcmp(f->str, "household") || !strcmp(f->str, "eligible") ||
            !strcmp(f->str, "amount")) {
            ERR(f, "`%s` is reserved by the language: choose another attribute name", f->str);
            f->flag = -1;
        }
        const hm_type *t = sema_resolve_type(s, f->a);
        if (t->kind != T_ERROR && t->kind != T_BOOL && t->kind != T_INT && t->kind != T_DECIMAL &&
            t->kind != T_MONEY && t->kind != T_DATE && t->kind != T_TEXT) {
            char b[64];
            int d = ERR(f->a, "an attribute of a reference table cannot be %s", ty_name(t, b, sizeof b));
            diag_hint(s->diags, d, "an attribute holds one value: bool, int, decimal, money, date or text");
            t = &ty_error;
        }
        if (t->kind == T_TEXT && t->reftab)
            t = &ty_text;
        f->ty = (struct hm_type *)t;
    }
    s->mod = saved;
    rt->state = 2;
}

/* A fact whose value is a key of a reference table gives one fact per
 * attribute, read through it: `household.region.dibao_line`, filled in
 * from the table when the facts are loaded.  Declared used: the key fact
 * is what a pack reads. */
static void declare_ref_fields(sema *s, sym *fact)
{
    sym *rt = fact->type->reftab;
    for (ast *f = rt->decl->a; f; f = f->next) {
        if (f->flag == -1)
            continue;
        char *key = arena_printf(s->arena, "%s.%s", fact->name, f->str);
        if (symtab_get(&s->facts, key))
            continue;
        sym *col = sym_new(s, SYM_FACT, key, f);
        col->type = f->ty ? (const hm_type *)f->ty : &ty_error;
        col->entity = fact->entity;
        col->source = rt->source;
        col->owner = fact;
        col->used = 1;
        col->refattr = f;
        col->index = (int)f->ival;
        symtab_put(s->arena, &s->facts, col);
    }
}

/* A list fact's record fields are facts of their own, one column each:
 * `household.vehicles.kind`.  Declared used: the list is what a pack reads. */
static void declare_row_fields(sema *s, sym *fact, sym *src)
{
    fact->type = ty_rows(s->arena, fact->type->rtype, fact);
    for (ast *f = fact->type->rtype->decl->a; f; f = f->next) {
        if (f->flag == -1)
            continue;
        char *key = arena_printf(s->arena, "%s.%s", fact->name, f->str);
        sym *col = sym_new(s, SYM_FACT, key, f);
        col->type = f->ty ? (const hm_type *)f->ty : &ty_error;
        col->entity = fact->entity;
        col->source = src;
        col->owner = fact;
        col->used = 1;
        symtab_put(s->arena, &s->facts, col);
    }
}

/* Facts need the code sets of every module, so they are declared when the
 * module is checked, before anything reads them: checking runs module by
 * module, so facts are declared for all modules first (see declare_facts). */
void sema_declare_facts(sema *s, hm_module *m)
{
    s->mod = m;
    for (ast *n = m->root; n; n = n->next) {
        if (n->kind != N_SOURCE)
            continue;
        sym *src = n->sym;
        for (ast *rt = n->b; rt; rt = rt->next)
            if (rt->sym)
                resolve_reftab(s, rt->sym);
        for (ast *f = n->a; f; f = f->next) {
            if (f->flag == -1)
                continue;
            const hm_type *t = sema_resolve_type(s, f->a);
            if (t->kind == T_LIST || t->kind == T_HOUSEHOLD) {
                ERR(f->a, "a fact cannot be a household or a list of persons");
                t = &ty_error;
            }
            if (t->kind == T_RECORDS && t->elem->kind == T_RECORDS) {
                ERR(f->a, "records of records are not supported");
                t = &ty_error;
            }
            if (t->kind == T_ROWS && f->b) {
                int d = ERR(f->b, "a list of records is not subject to freshness");
                diag_hint(s->diags, d, "remove `fresh within …`: a source gives the whole list as it stands");
            }
            if (f->b) {
                int64_t v;
                if (sema_literal_int(s, f->b->a, &v) == 0 && v <= 0)
                    ERR(f->b, "a freshness limit must be at least 1");
            }
            const char *ent = f->ival == ENT_PERSON ? "person" : "household";
            if (f->c && t->kind != T_ERROR)
                check_default(s, f, t, ent);
            if (strcmp(f->str, "members") == 0 || strcmp(f->str, "household") == 0 ||
                strcmp(f->str, "eligible") == 0 || strcmp(f->str, "amount") == 0) {
                ERR(f, "`%s.%s` is reserved by the language", ent, f->str);
                continue;
            }
            char *key = arena_printf(s->arena, "%s.%s", ent, f->str);
            sym *fact = symtab_get(&s->facts, key);
            if (fact) {
                if (t->kind != T_ERROR && fact->type->kind != T_ERROR && !ty_equal(t, fact->type)) {
                    char a[96], b[96];
                    int d = ERR(f->a, "`%s` is declared as %s here but as %s by source `%s`",
                                key, ty_name(t, a, sizeof a), ty_name(fact->type, b, sizeof b),
                                fact->source->name);
                    diag_note(s->diags, d, FILE_OF(s, fact->decl), fact->decl->loc,
                              "the other declaration is here");
                } else if (f->c && fact->dflt && !same_default(s, f, fact->dflt, t)) {
                    int d = ERR(f->c, "`%s` has another default in source `%s`", key, fact->source->name);
                    diag_note(s->diags, d, FILE_OF(s, fact->dflt), fact->dflt->c->loc, "the other default is here");
                    diag_hint(s->diags, d, "a fact has one default, whichever source leaves it out: give the same value");
                } else if (f->c && !fact->dflt) {
                    fact->dflt = f;
                }
                if (t->kind == T_TEXT && t->reftab && !fact->type->reftab) {
                    /* one source gives the code as text, another says whose key it is */
                    fact->type = t;
                    declare_ref_fields(s, fact);
                } else if (t->reftab && fact->type->reftab && t->reftab != fact->type->reftab) {
                    int d = ERR(f->a, "`%s` is a key of table `%s` here but of table `%s` in source `%s`",
                                key, t->reftab->name, fact->type->reftab->name, fact->source->name);
                    diag_note(s->diags, d, FILE_OF(s, fact->decl), fact->decl->loc, "the other declaration is here");
                }
                f->sym = fact;
                continue;
            }
            fact = sym_new(s, SYM_FACT, key, f);
            fact->type = t;
            fact->dflt = f->c ? f : NULL;
            fact->entity = (int)f->ival;
            fact->source = src;
            symtab_put(s->arena, &s->facts, fact);
            f->sym = fact;
            if (t->kind == T_ROWS)
                declare_row_fields(s, fact, src);
            if (t->kind == T_TEXT && t->reftab)
                declare_ref_fields(s, fact);
        }
    }
    s->mod = NULL;
}

/* ---- types -------------------------------------------------------------- */

const hm_type *sema_resolve_type(sema *s, ast *t)
{
    switch (t->ival) {
    case TY_BOOL: return &ty_bool;
    case TY_INT: return &ty_int;
    case TY_DECIMAL: return &ty_decimal;
    case TY_MONEY: return ty_money(t->flag);
    case TY_DATE: return &ty_date;
    case TY_DURATION: return ty_duration(t->flag ? t->flag : DUR_DAYS);
    case TY_TEXT: return &ty_text;
    case TY_LIST: return &ty_list;
    case TY_ROWS: {
        if (t->flag) {
            /* list of text, list of money …: a value has no fields */
            int d = ERR(t, "a list holds persons or records with fields, not `%s`", t->str);
            diag_hint(s->diags, d, "declare the record: record NAME \"LABEL\" { FIELD : %s \"LABEL\" … } and write "
                      "`list of NAME`; dated values are `records of %s`", t->str, t->str);
            return &ty_error;
        }
        sym *rt = sema_lookup(s, t->str, t);
        if (rt && rt->kind == SYM_RECTYPE) {
            rt->used = 1;
            resolve_rectype(s, rt);
            return ty_rows(s->arena, rt, NULL);
        }
        int d = rt ? ERR(t, "`%s` is a %s, not a record type", t->str, kind_word(rt->kind))
                   : ERR(t, "unknown record type `%s`", t->str);
        diag_hint(s->diags, d, "declare it: record %s \"LABEL\" { FIELD : TYPE \"LABEL\" … }", t->str);
        return &ty_error;
    }
    case TY_PERSON: return &ty_person;
    case TY_HOUSEHOLD: return &ty_household;
    case TY_RECORDS: {
        const hm_type *e = sema_resolve_type(s, t->a);
        if (e->kind == T_ERROR)
            return &ty_error;
        if (e->kind != T_MONEY && e->kind != T_INT && e->kind != T_DECIMAL && e->kind != T_BOOL &&
            e->kind != T_CODE && e->kind != T_TEXT) {
            char b[64];
            ERR(t->a, "records cannot hold %s", ty_name(e, b, sizeof b));
            return &ty_error;
        }
        return ty_records(s->arena, e);
    }
    case TY_CODE: {
        if (t->flag) {
            /* `NAME per month`: only money has a period */
            sym *cs0 = sema_lookup(s, t->str, NULL);
            if (cs0 && cs0->kind == SYM_CODESET) {
                ERR(t, "only money has a period (`per month`, `per year`); `%s` is a code set", t->str);
                return &ty_error;
            }
        }
        sym *cs = sema_lookup(s, t->str, t);
        if (cs && cs->kind == SYM_CODESET) {
            cs->used = 1;
            return ty_code(s->arena, cs);
        }
        if (cs && cs->kind == SYM_REFTAB) {
            /* a key of a reference table: text, through which its attributes are read */
            cs->used = 1;
            resolve_reftab(s, cs);
            return ty_reftext(s->arena, cs);
        }
        int d = cs ? ERR(t, "`%s` is a %s, not a code set", t->str, kind_word(cs->kind))
                   : ERR(t, "unknown type or code set `%s`", t->str);
        if (!cs) {
            static const char *const tn[] = { "bool", "int", "decimal", "money", "date", "text",
                                              "duration", "records", "list", "person", "household" };
            const char *best = sema_closest(t->str, tn, 11);
            if (best)
                diag_hint(s->diags, d, "did you mean `%s`?", best);
            else
                sema_suggest(s, d, t->str, SUGGEST_CODESET);
        }
        return &ty_error;
    }
    }
    return &ty_error;
}

/* ---- code sets ---------------------------------------------------------- */

static void check_codes(sema *s, ast *n)
{
    sym *cs = n->sym;
    if (!cs || !cs->labels)     /* a second code set of that name: only the clash is said */
        return;
    for (ast *m = n->b; m; m = m->next) {
        sym *src = symtab_get(&s->sources, m->str);
        if (!src) {
            int d = ERR(m, "unknown source `%s` in a code map", m->str);
            sema_suggest(s, d, m->str, SUGGEST_SOURCE);
        }
        for (ast *e = m->a; e; e = e->next) {
            for (ast *f = m->a; f != e; f = f->next)
                if (strcmp(f->str, e->str) == 0) {
                    int d = ERR(e, "code \"%s\" of source `%s` is mapped twice", e->str, m->str);
                    diag_note(s->diags, d, FILE_OF(s, f), f->loc, "the first mapping is here");
                    break;
                }
            if (!symtab_get(cs->labels, e->str2)) {
                int d = diag_error(s->diags, FILE_OF(s, e), e->b->loc,
                                   "code set `%s` has no label `%s`", cs->name, e->str2);
                sema_suggest_label(s, d, cs, e->str2);
            }
        }
    }
}

/* ---- parameters --------------------------------------------------------- */

static void check_dated(sema *s, ast *values, const hm_type *t, const char *what)
{
    int64_t prev = INT64_MIN;
    ast *prevn = NULL;
    for (ast *v = values; v; v = v->next) {
        if (v->a) {
            int64_t day;
            if (sema_parse_date(v->a->str, &day) != 0) {
                ERR(v->a, "`%s` is not a valid date", v->a->str);
            } else {
                v->a->ival = day;
                if (prevn && day == prev) {
                    int d = ERR(v->a, "two values take effect on the same day %s", v->a->str);
                    diag_note(s->diags, d, FILE_OF(s, prevn), prevn->loc, "the other one is here");
                } else if (prevn && day < prev) {
                    int d = ERR(v->a, "dated values must be in increasing order: %s comes after %s",
                                v->a->str, prevn->str);
                    diag_note(s->diags, d, FILE_OF(s, prevn), prevn->loc, "the later date is here");
                }
                prev = day;
                prevn = v->a;
            }
            if (v->c && v->c->kind == N_REF && !v->c->str[strspn(v->c->str, " \t")]) {
                int d = ERR(v->c, "the reference of the value from %s is empty", v->a->str);
                diag_hint(s->diags, d, "name the document that set it: `reference \"国发〔2023〕13号\"`, "
                                       "or leave `reference` out");
            }
        } else if (v->ival != 1 && (v != values || v->next)) {
            /* ival 1: a base value kept before a reform's first date */
            if (v->next || v != values)
                ERR(v, "write `from DATE` before each of several values");
        }
        if (v->b) {
            ast *lit = v->b->kind == N_UNOP && v->b->ival == AOP_NEG ? v->b->a : v->b;
            if (lit->kind != N_INT && lit->kind != N_DEC && lit->kind != N_PERCENT && lit->kind != N_STR &&
                lit->kind != N_DATE && lit->kind != N_BOOL && lit->kind != N_NAME &&
                (lit->kind != N_DUR || lit->a->kind != N_INT)) {
                int d = ERR(v->b, "a parameter's value must be written out");
                if (lit->kind == N_BINOP && lit->ival == '/' && lit->a->kind == N_INT && lit->b->kind == N_INT)
                    diag_hint(s->diags, d, "a parameter holds a decimal of six digits; write the fraction where "
                                           "it is used (`x * %s / %s`), which is exact", lit->a->str, lit->b->str);
                else
                    diag_hint(s->diags, d, "write a number, text, a date, a code label, true or false; "
                                           "compute with it in a let");
                continue;
            }
            if (lit->kind == N_NAME && t->kind != T_CODE) {
                int d = ERR(v->b, "a parameter's value must be written out, not named");
                diag_hint(s->diags, d, "write the value itself; compute with other values in a let");
                continue;
            }
            sema_expect(s, v->b, t, what);
        }
    }
}

typedef struct krange { int64_t lo, hi; ast *n; } krange;

static int cmp_krange(const void *a, const void *b)
{
    const krange *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void check_param_in_place(sema *s, sym *p);
static void check_mtable(sema *s, sym *p, const hm_type *t, const char *what);

void sema_check_param(sema *s, sym *p)
{
    if (p->state != 0)
        return;
    sema_where w = sema_enter(s, p->mod, p->owner);
    check_param_in_place(s, p);
    sema_leave(s, w);
}

static void check_param_in_place(sema *s, sym *p)
{
    ast *n = p->decl;
    p->state = 1;
    const hm_type *t = sema_resolve_type(s, n->a);
    p->type = t;
    if (t->kind == T_LIST || t->kind == T_PERSON || t->kind == T_HOUSEHOLD || t->kind == T_RECORDS ||
        t->kind == T_ROWS) {
        char b[64];
        ERR(n->a, "a parameter cannot be %s", ty_name(t, b, sizeof b));
        p->type = &ty_error;
        p->state = 2;
        return;
    }
    char what[160];
    snprintf(what, sizeof what, hm_tr(N_("the value of parameter `%s`")), n->str);
    if (n->ival != PARAM_TABLE) {
        check_dated(s, n->c, t, what);
        p->state = 2;
        return;
    }
    if (n->b && n->b->next) {
        check_mtable(s, p, t, what);
        p->state = 2;
        return;
    }
    /* table: the key expression (where both household and person may be
     * named; which ones is recorded), then the entries */
    s->param = p;
    s->subject = -1;
    s->key_entity = 0;
    const hm_type *kt = n->b ? sema_expr(s, n->b) : &ty_error;
    p->entity = s->key_entity;
    if (kt->kind != T_ERROR && kt->kind != T_TEXT && kt->kind != T_INT && kt->kind != T_CODE) {
        char b[64];
        ERR(n->b, "a parameter table is looked up by text, a whole number or a code, not by %s",
            ty_name(kt, b, sizeof b));
        kt = &ty_error;
    }
    int ndefault = 0, nr = 0;
    krange *ranges = NULL;
    int cap = 0;
    for (ast *e = n->c; e; e = e->next) {
        ast *k = e->a;
        if (!k) {
            if (ndefault++)
                ERR(e, "a table has at most one `default`");
        } else if (k->next) {
            int nk = ast_count(k);
            int d = ERR(k, "this entry has %d keys but the table is looked up by 1", nk);
            diag_hint(s->diags, d, "name each key the table is looked up by after `by`, separated by commas");
        } else if (kt->kind != T_ERROR) {
            int64_t lo = INT64_MIN, hi = INT64_MAX;
            int is_int = 0;
            if (k->kind == N_STR && kt->kind != T_TEXT) {
                char b[64];
                ERR(k, "this key is text but the table is looked up by %s", ty_name(kt, b, sizeof b));
            } else if ((k->kind == N_INT || k->kind == N_RANGE) && kt->kind != T_INT) {
                char b[64];
                ERR(k, "this key is a number but the table is looked up by %s", ty_name(kt, b, sizeof b));
            } else if (k->kind == N_NAME && kt->kind != T_CODE) {
                char b[64];
                ERR(k, "`%s` is a code label but the table is looked up by %s", k->str,
                    ty_name(kt, b, sizeof b));
            } else if (k->kind == N_NAME) {
                sym *l = symtab_get(kt->codeset->labels, k->str);
                if (!l) {
                    int d = ERR(k, "code set `%s` has no label `%s`", kt->codeset->name, k->str);
                    sema_suggest_label(s, d, kt->codeset, k->str);
                } else {
                    lo = hi = l->index;
                    is_int = 1;
                }
            } else if (k->kind == N_INT) {
                if (sema_literal_int(s, k, &lo) == 0) {
                    hi = lo;
                    is_int = 1;
                }
            } else if (k->kind == N_RANGE) {
                int ok = 1;
                if (k->a && sema_literal_int(s, k->a, &lo) != 0) ok = 0;
                if (k->b && sema_literal_int(s, k->b, &hi) != 0) ok = 0;
                if (ok && lo > hi) {
                    ERR(k, "empty range: %" PRId64 " is greater than %" PRId64, lo, hi);
                    ok = 0;
                }
                is_int = ok;
            }
            if (k->kind == N_STR) {
                for (ast *f = n->c; f != e; f = f->next)
                    if (f->a && f->a->kind == N_STR && strcmp(f->a->str, k->str) == 0) {
                        int d = ERR(k, "key \"%s\" appears twice in this table", k->str);
                        diag_note(s->diags, d, FILE_OF(s, f->a), f->a->loc, "the first is here");
                        break;
                    }
            }
            if (is_int) {
                if (nr == cap) {
                    cap = cap ? cap * 2 : 16;
                    krange *nrg = arena_alloc(s->arena, sizeof *nrg * (size_t)cap);
                    if (nr)
                        memcpy(nrg, ranges, sizeof *nrg * (size_t)nr);
                    ranges = nrg;
                }
                ranges[nr++] = (krange){ lo, hi, k };
            }
        }
        check_dated(s, e->b, t, what);
    }
    if (nr > 1) {
        qsort(ranges, (size_t)nr, sizeof *ranges, cmp_krange);
        for (int i = 1; i < nr; i++)
            if (ranges[i].lo <= ranges[i - 1].hi) {
                ast *a = ranges[i].n, *b = ranges[i - 1].n;
                if (a->loc.start < b->loc.start) {
                    ast *tmp = a; a = b; b = tmp;
                }
                int d = ERR(a, "this key overlaps another key of the table");
                diag_note(s->diags, d, FILE_OF(s, b), b->loc, "the other key is here");
            }
    }
    p->state = 2;
}

/* ---- tables with several keys ------------------------------------------ */

int sema_tkey_same(const sema_tkey *a, const sema_tkey *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind == KEY_TEXT)
        return strcmp(a->text, b->text) == 0;
    return a->kind == KEY_DEFAULT || (a->lo == b->lo && a->hi == b->hi);
}

static int tkey_cmp(const sema_tkey *a, const sema_tkey *b)
{
    if (a->kind != b->kind)     /* KEY_DEFAULT last */
        return a->kind == KEY_DEFAULT ? 1 : b->kind == KEY_DEFAULT ? -1 : a->kind - b->kind;
    if (a->kind == KEY_TEXT)
        return strcmp(a->text, b->text);
    if (a->kind == KEY_RANGE && (a->lo != b->lo || a->hi != b->hi))
        return a->lo != b->lo ? (a->lo < b->lo ? -1 : 1) : (a->hi < b->hi ? -1 : 1);
    return 0;
}

int sema_tkeys_cmp(const sema_tkey *a, const sema_tkey *b, int nkeys)
{
    for (int i = 0; i < nkeys; i++) {
        int c = tkey_cmp(&a[i], &b[i]);
        if (c)
            return c;
    }
    return 0;
}

/* a row's keys end with one of kind -1, so that qsort's comparison needs
 * no count */
static int cmp_trow(const void *x, const void *y)
{
    const ast *a = *(ast *const *)x, *b = *(ast *const *)y;
    const sema_tkey *ka = a->sym, *kb = b->sym;
    int n = 0;
    while (ka[n].kind >= 0)
        n++;
    int c = sema_tkeys_cmp(ka, kb, n);
    return c ? c : (a->loc.start > b->loc.start) - (a->loc.start < b->loc.start);
}

void sema_sort_trows(ast **rows, int nrows)
{
    qsort(rows, (size_t)nrows, sizeof *rows, cmp_trow);
}

/* The later (in the text) of two nodes first, for a diagnostic on it. */
static void later_first(ast **a, ast **b)
{
    if ((*a)->loc.start < (*b)->loc.start) {
        ast *t = *a;
        *a = *b;
        *b = t;
    }
}

/* Rows lo … hi-1 (sorted) agree on the positions before pos: at pos, keys
 * either are the same or do not overlap; rows whose keys are all the same
 * are one row written twice. */
static void check_trows(sema *s, ast **rows, int lo, int hi, int pos, int nkeys)
{
    int64_t reach = INT64_MIN;  /* the highest end of the ranges so far */
    ast *reacher = NULL;
    for (int i = lo; i < hi;) {
        const sema_tkey *k = &((const sema_tkey *)rows[i]->sym)[pos];
        int j = i + 1;
        while (j < hi && sema_tkey_same(&((const sema_tkey *)rows[j]->sym)[pos], k))
            j++;
        if (k->kind == KEY_RANGE) {
            if (reacher && k->lo <= reach) {
                ast *a = k->n, *b = reacher;
                later_first(&a, &b);
                int d = ERR(a, "this key overlaps a key of another entry");
                diag_note(s->diags, d, FILE_OF(s, b), b->loc, "the other entry's key is here");
                diag_hint(s->diags, d, "entries that agree on the keys before may not have keys in common here");
            }
            if (!reacher || k->hi > reach) {
                reach = k->hi;
                reacher = k->n;
            }
        }
        if (pos + 1 < nkeys) {
            check_trows(s, rows, i, j, pos + 1, nkeys);
        } else if (j > i + 1) {
            ast *a = rows[i], *b = rows[i + 1];
            later_first(&a, &b);
            int d = ERR(a, "this entry has the same keys as another entry");
            diag_note(s->diags, d, FILE_OF(s, b), b->loc, "the other entry is here");
            diag_hint(s->diags, d, "write each combination of keys once; dated values go in one entry, "
                                   "separated by commas");
        }
        i = j;
    }
}

/* One key of an entry at position pos, of key type kt: 0, or -1 when wrong
 * (reported). */
static int read_tkey(sema *s, ast *k, const hm_type *kt, sema_tkey *out)
{
    char b[64];
    *out = (sema_tkey){ KEY_RANGE, NULL, INT64_MIN, INT64_MAX, k };
    if (k->kind == N_ANYKEY) {
        out->kind = KEY_DEFAULT;
        return 0;
    }
    if (kt->kind == T_ERROR)
        return -1;
    if (k->kind == N_STR && kt->kind != T_TEXT) {
        ERR(k, "this key is text but the table is looked up here by %s", ty_name(kt, b, sizeof b));
        return -1;
    }
    if ((k->kind == N_INT || k->kind == N_RANGE) && kt->kind != T_INT) {
        ERR(k, "this key is a number but the table is looked up here by %s", ty_name(kt, b, sizeof b));
        return -1;
    }
    if (k->kind == N_NAME && kt->kind != T_CODE) {
        ERR(k, "`%s` is a code label but the table is looked up here by %s", k->str, ty_name(kt, b, sizeof b));
        return -1;
    }
    if (k->kind == N_STR) {
        out->kind = KEY_TEXT;
        out->text = k->str;
        return 0;
    }
    if (k->kind == N_NAME) {
        sym *l = symtab_get(kt->codeset->labels, k->str);
        if (!l) {
            int d = ERR(k, "code set `%s` has no label `%s`", kt->codeset->name, k->str);
            sema_suggest_label(s, d, kt->codeset, k->str);
            return -1;
        }
        out->lo = out->hi = l->index;
        return 0;
    }
    if (k->kind == N_INT) {
        if (sema_literal_int(s, k, &out->lo) != 0)
            return -1;
        out->hi = out->lo;
        return 0;
    }
    if (k->kind == N_RANGE) {
        if ((k->a && sema_literal_int(s, k->a, &out->lo) != 0) || (k->b && sema_literal_int(s, k->b, &out->hi) != 0))
            return -1;
        if (out->lo > out->hi) {
            ERR(k, "empty range: %" PRId64 " is greater than %" PRId64, out->lo, out->hi);
            return -1;
        }
        return 0;
    }
    return -1;
}

/* A table looked up by several keys (`by household.region,
 * person.disability_grade`): each entry names one key a position, or
 * `default` there.  Looked up position by position, a key named before
 * `default`, so entries that agree on the keys before a position must have
 * the same or disjoint keys there. */
static void check_mtable(sema *s, sym *p, const hm_type *t, const char *what)
{
    ast *n = p->decl;
    int nkeys = ast_count(n->b);
    if (nkeys > 255) {
        ERR(n->b, "a table is looked up by at most 255 keys, not %d", nkeys);
        return;
    }
    const hm_type **kts = arena_alloc(s->arena, sizeof *kts * (size_t)nkeys);
    s->param = p;
    s->subject = -1;
    s->key_entity = 0;
    int i = 0;
    for (ast *k = n->b; k; k = k->next, i++) {
        const hm_type *kt = sema_expr(s, k);
        if (kt->kind != T_ERROR && kt->kind != T_TEXT && kt->kind != T_INT && kt->kind != T_CODE) {
            char b[64];
            ERR(k, "a parameter table is looked up by text, a whole number or a code, not by %s",
                ty_name(kt, b, sizeof b));
            kt = &ty_error;
        }
        kts[i] = kt;
    }
    p->entity = s->key_entity;
    int nrows = 0, ndefault = 0;
    ast **rows = arena_alloc(s->arena, sizeof *rows * (size_t)(ast_count(n->c) + 1));
    for (ast *e = n->c; e; e = e->next) {
        check_dated(s, e->b, t, what);
        e->sym = NULL;
        sema_tkey *keys = arena_alloc(s->arena, sizeof *keys * (size_t)(nkeys + 1));
        keys[nkeys] = (sema_tkey){ -1, NULL, 0, 0, NULL };
        int ok = 1;
        if (!e->a) {
            if (ndefault++)
                ERR(e, "a table has at most one `default`");
            for (i = 0; i < nkeys; i++)
                keys[i] = (sema_tkey){ KEY_DEFAULT, NULL, INT64_MIN, INT64_MAX, e };
            ok = ndefault == 1;
        } else if (ast_count(e->a) != nkeys) {
            int nk = ast_count(e->a);
            int d = ERR(e->a, "this entry has %d key%s but the table is looked up by %d", nk, nk == 1 ? "" : "s",
                        nkeys);
            diag_hint(s->diags, d, "write one key for each, in the order of `by`, separated by commas; "
                                   "`default` in a position matches any key there");
            ok = 0;
        } else {
            i = 0;
            for (ast *k = e->a; k; k = k->next, i++)
                ok &= read_tkey(s, k, kts[i], &keys[i]) == 0;
        }
        if (ok) {
            e->sym = keys;
            rows[nrows++] = e;
        }
    }
    sema_sort_trows(rows, nrows);
    check_trows(s, rows, 0, nrows, 0, nkeys);
}

/* ---- scales ------------------------------------------------------------- */

/* A rate given by a parameter: a decimal one, not looked up in a table,
 * whose every value is a rate; the parameter, or NULL after an error. */
static sym *rate_param(sema *s, ast *e)
{
    sym *y = e->kind == N_NAME ? sema_lookup(s, e->str, e) : NULL;
    if (!y || y->kind != SYM_PARAM) {
        int d = ERR(e, "a scale rate must be a percentage, a decimal number or the name of a decimal parameter");
        if (e->kind == N_NAME && !y)
            diag_hint(s->diags, d, "`%s` is not defined", e->str);
        return NULL;
    }
    y->used = 1;
    sema_check_param(s, y);
    e->sym = y;
    ast *d = y->decl;
    if (!y->type || y->type->kind != T_DECIMAL) {
        char t[64];
        ERR(e, "parameter `%s` is %s; a scale rate must be a decimal", e->str,
            y->type ? ty_name(y->type, t, sizeof t) : "not checked");
        return NULL;
    }
    if (d->ival == PARAM_TABLE) {
        int dd = ERR(e, "parameter `%s` is a table; a scale rate must be one value (possibly dated)", e->str);
        diag_hint(s->diags, dd, "declare the rate as `parameter %s : decimal { from DATE RATE … }`", e->str);
        return NULL;
    }
    for (ast *v = d->c; v; v = v->next) {
        int64_t rate;
        if (v->b && sema_literal_ppm(s, v->b, &rate) == 0 && (rate < 0 || rate > 1000000)) {
            int dd = ERR(v->b, "parameter `%s` is a scale rate: its values must be between 0%% and 100%%", e->str);
            diag_note(s->diags, dd, FILE_OF(s, e), e->loc, "it is a rate of scale here");
            return NULL;
        }
    }
    return y;
}

/* The rows of one scale, or of one dated version of it (at). */
static void check_rows(sema *s, ast *at, ast *rows, const char *name)
{
    int64_t prev_limit = 0, prev_rate = 0, quick = 0;
    int ok = 1, nrows = 0;
    const ast *by_param = NULL;     /* the first row whose rate is a parameter */
    for (ast *r = rows; r; r = r->next, nrows++) {
        int64_t limit = 0, rate = 0;
        if (r->a) {
            if (r->next == NULL) {
                int d = ERR(r, "the last row of a scale must be `above: RATE`");
                diag_hint(s->diags, d, "add a final row such as `above: 45%%` for amounts over the last limit");
            }
            if (sema_literal_fen(s, r->a, &limit) != 0) {
                ERR(r->a, "a scale limit must be an amount of money written as a number");
                ok = 0;
            } else if (limit <= prev_limit) {
                ERR(r->a, "scale limits must increase from row to row");
                ok = 0;
            }
        } else if (r->next) {
            ERR(r, "`above` must be the last row of a scale");
            ok = 0;
        }
        if (sema_literal_ppm(s, r->b, &rate) != 0) {
            if (!rate_param(s, r->b))
                ok = 0;
            else if (!by_param)
                by_param = r->b;
            r->flag = 1;    /* the rate is a parameter's */
        } else if (rate < 0 || rate > 1000000) {
            ERR(r->b, "a scale rate must be between 0%% and 100%%");
            ok = 0;
        }
        r->b->ival = rate;
        if (by_param) {
            /* the rates are known on the as-of date only: the quick
             * deduction is computed then, it cannot be stated here */
            if (r->c) {
                int d = ERR(r->c, "the quick deduction of this row cannot be checked: it depends on the "
                                  "rate `%s`, a parameter", by_param->str);
                diag_hint(s->diags, d, "leave out `quick`: it is computed from the rates in force "
                                       "(`%s.quick(AMOUNT)` gives it)", name);
            }
        } else if (ok) {
            /* the quick deduction of this row: what the marginal method
             * gives minus what the flat rate gives, at the row's lower limit */
            __int128 q = (__int128)quick * 1000000 + (__int128)prev_limit * (rate - prev_rate);
            if (q % 1000000 != 0)
                ok = 0;
            else
                quick = (int64_t)(q / 1000000);
            if (r->c) {
                int64_t stated;
                if (sema_literal_fen(s, r->c, &stated) != 0) {
                    ERR(r->c, "a quick deduction must be an amount of money written as a number");
                } else if (ok && stated != quick) {
                    int d = ERR(r->c, "the quick deduction does not match the rates and limits above it");
                    diag_hint(s->diags, d, "it should be %" PRId64 ".%02" PRId64, quick / 100, quick % 100);
                }
            }
        }
        if (r->a)
            prev_limit = limit;
        prev_rate = rate;
    }
    if (nrows == 0) {
        if (at->kind == N_SCALEVER)
            ERR(at, "this version of scale `%s` has no rows", name);
        else
            ERR(at, "scale `%s` has no rows", name);
    }
}

void sema_check_scale(sema *s, sym *sc)
{
    ast *n = sc->decl;
    if (sc->state == 2)
        return;
    sc->state = 2;
    sc->type = ty_money(PERIOD_NONE);
    /* rates that are parameters are looked up where the scale is declared */
    sema_where w = sema_enter(s, sc->mod, sc->owner);
    if (n->b) {
        int64_t prev = INT64_MIN;
        for (ast *v = n->b; v; v = v->next) {
            int64_t day;
            if (sema_parse_date(v->a->str, &day) != 0) {
                ERR(v->a, "`%s` is not a valid date", v->a->str);
            } else {
                v->a->ival = day;
                if (day <= prev) {
                    int d = ERR(v->a, "the versions of a scale must take effect on increasing dates");
                    diag_hint(s->diags, d, "list them from the earliest to the latest, one per date");
                }
                prev = day;
            }
            check_rows(s, v, v->b, n->str);
        }
    } else {
        check_rows(s, n, n->a, n->str);
    }
    sema_leave(s, w);
}

/* ---- functions and externs ---------------------------------------------- */

static void check_signature(sema *s, ast *n)
{
    for (ast *p = n->a; p; p = p->next) {
        p->ty = (struct hm_type *)sema_resolve_type(s, p->a);
        for (ast *q = n->a; q != p; q = q->next)
            if (strcmp(q->str, p->str) == 0) {
                ERR(p, "parameter `%s` is named twice", p->str);
                break;
            }
    }
    n->ty = (struct hm_type *)sema_resolve_type(s, n->b);
    for (ast *p = n->a; p; p = p->next)
        if (p->ty && ((const hm_type *)p->ty)->kind == T_ROWS) {
            int d = ERR(p->a, "a function cannot take a list of records");
            diag_hint(s->diags, d, "pass the values it needs, e.g. sum(v.value for v in household.vehicles)");
            p->ty = (struct hm_type *)&ty_error;
        }
    if (n->ty && ((const hm_type *)n->ty)->kind == T_ROWS) {
        ERR(n->b, "a function cannot give a list of records");
        n->ty = (struct hm_type *)&ty_error;
    }
}

static void check_function(sema *s, sym *f)
{
    ast *n = f->decl;
    f->type = (const hm_type *)n->ty;
    int saved = s->subject;
    sym *saved_fn = s->function;
    s->subject = 0;
    s->function = f;
    scope_var *vars = NULL;
    for (ast *p = n->a; p; p = p->next) {
        scope_var *v = arena_alloc(s->arena, sizeof *v);
        v->name = p->str;
        v->type = (const hm_type *)p->ty;
        v->decl = p;
        v->up = vars;
        vars = v;
        sym *clash = sema_lookup(s, p->str, NULL);
        if (clash && clash->kind != SYM_POLICY) {
            int d = ERR(p, "parameter `%s` shadows the %s of the same name", p->str, kind_word(clash->kind));
            NOTE(d, clash, "it is defined here");
        }
    }
    s->vars = vars;
    char what[128];
    snprintf(what, sizeof what, hm_tr(N_("the result of function `%s`")), n->str);
    sema_expect(s, n->c, f->type, what);
    for (scope_var *v = vars; v; v = v->up)
        if (!v->used)
            diag_warning(s->diags, FILE_OF(s, v->decl), v->decl->loc,
                         "parameter `%s` of function `%s` is never used", v->name, n->str);
    s->vars = NULL;
    s->subject = saved;
    s->function = saved_fn;
}

/* the types that cross to C (huimin_plugin.h): no lists, codes or durations,
 * and no text results */
static int extern_type_ok(const hm_type *t, int param)
{
    switch (t->kind) {
    case T_BOOL: case T_INT: case T_MONEY: case T_DECIMAL: case T_DATE: case T_ERROR: return 1;
    case T_TEXT: return param;
    default: return 0;
    }
}

static void check_extern(sema *s, sym *f, ast *n)
{
    f->type = (const hm_type *)n->ty;
    int np = 0;
    for (ast *p = n->a; p; p = p->next, np++) {
        const hm_type *t = (const hm_type *)p->ty;
        if (!extern_type_ok(t, 1)) {
            char b[64];
            ERR(p->a, "an extern function cannot take %s; it takes bool, int, money, decimal, date "
                "or text", ty_name(t, b, sizeof b));
        }
        if (np == 8)
            ERR(p, "an extern function takes at most 8 parameters");
    }
    const hm_type *r = f->type;
    if (!extern_type_ok(r, 0)) {
        char b[64];
        ERR(n->b, "an extern function cannot return %s; it returns bool, int, money, decimal or date",
            ty_name(r, b, sizeof b));
    }
    if (n->str2 && !symtab_get(&s->sources, n->str2)) {
        int d = ERR(n->c ? n->c : n, "unknown source `%s` for extern function `%s`", n->str2, n->str);
        sema_suggest(s, d, n->str2, SUGGEST_SOURCE);
    }
}

/* ---- policies ------------------------------------------------------------ */

static void check_exceptions(sema *s, ast *excepts, const hm_type *t, int is_eligible)
{
    for (ast *e = excepts; e; e = e->next) {
        sema_expect(s, e->a, &ty_bool, N_("an exception's condition"));
        if (is_eligible) {
            if (e->b->kind != N_BOOL || e->b->flag != 2)
                ERR(e->b, "an exception to `eligible when` must say `then eligible` or `then not eligible`");
        } else if (e->b->kind == N_BOOL && e->b->flag == 2) {
            ERR(e->b, "`then eligible` / `then not eligible` belong to exceptions of `eligible when`");
        } else {
            sema_expect(s, e->b, t, N_("the exception's value"));
        }
        if (e->c) {
            int64_t pr;
            if (sema_literal_int(s, e->c, &pr) == 0)
                e->ival = pr;
        }
        sema_check_template(s, e);
    }
    /* two exceptions that can both apply need distinct priorities */
    for (ast *e = excepts; e; e = e->next)
        for (ast *f = excepts; f != e; f = f->next) {
            if (e->ival != f->ival)     /* no priority counts as 0 */
                continue;
            if (sema_disjoint(e->a, f->a))
                continue;
            int d;
            if (e->flag && f->flag)
                d = ERR(e, "two exceptions of this rule have the same priority %" PRId64, e->ival);
            else
                d = ERR(e, "this exception and an earlier one can both apply, and nothing says which wins");
            diag_note(s->diags, d, FILE_OF(s, f), f->loc, "the earlier exception is here");
            diag_hint(s->diags, d, "give each exception a different `priority N` (the higher wins)");
        }
}

static void check_conds(sema *s, ast *c)
{
    for (; c; c = c->next) {
        if (c->kind == N_GROUP) {
            if (!c->a && !s->syntax_errors)
                ERR(c, "this `%s` group has no conditions", c->ival == GROUP_ANY ? "any" : "all");
            check_conds(s, c->a);
            if (c->d)
                sema_check_template(s, c);
        } else if (c->kind == N_COND) {
            sema_expect(s, c->a, &ty_bool, N_("a condition"));
            sema_check_template(s, c);
        }
    }
}

static void check_let(sema *s, sym *l);

void sema_check_let(sema *s, sym *l) { check_let(s, l); }

/* l depends on itself: show the cycle from the first occurrence of l on
 * the stack.  Its own function, so that the recursion through check_let
 * keeps small frames. */
static void report_let_cycle(sema *s, sym *l)
{
    size_t cap = 1024, len = 0;
    char *buf = arena_alloc(s->arena, cap);
    int start = 0;
    for (int i = 0; i < s->nlet_stack; i++)
        if (s->let_stack[i] == l)
            start = i;
    for (int i = start; i < s->nlet_stack && len < cap - 64; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s → ", s->let_stack[i]->name);
    snprintf(buf + len, cap - len, "%s", l->name);
    int d = ERR(l->decl, "`%s` depends on itself: %s", l->name, buf);
    diag_hint(s->diags, d, "a let cannot be computed from its own value");
    l->type = &ty_error;
    l->state = 3;   /* reported */
}

static void check_let(sema *s, sym *l)
{
    if (l->state == 2)
        return;
    if (l->state == 1) {
        report_let_cycle(s, l);
        return;
    }
    if (l->state == 3)
        return;
    if (s->nlet_stack >= SEMA_MAX_CHAIN) {
        ERR(l->decl, "lets depend on each other more than %d levels deep", SEMA_MAX_CHAIN);
        l->type = &ty_error;
        return;
    }
    l->state = 1;
    s->let_stack[s->nlet_stack++] = l;
    /* a let is checked in its policy's scope only, whatever called it */
    scope_var *saved_vars = s->vars;
    const hm_type *saved_elem = s->elem;
    int outer = s->outer_depth;
    s->vars = NULL;
    s->elem = NULL;
    s->outer_depth = s->depth;
    const hm_type *t = sema_expr(s, l->decl->a);
    /* the exceptions are part of the let: a cycle through them is a cycle */
    if (l->state != 3) {
        l->type = t;
        check_exceptions(s, l->decl->b, t, 0);
    }
    s->vars = saved_vars;
    s->elem = saved_elem;
    s->outer_depth = outer;
    s->nlet_stack--;
    if (l->state == 3)
        return;
    l->state = 2;
}

/* `for NAME in person.LIST [ordered by FIELD]`: the policy is decided for
 * each record of the person's list; NAME is the record (p->type). */
static void check_claims(sema *s, sym *p)
{
    ast *c = ((ast *)p->decl)->c;
    p->type = &ty_error;
    const hm_type *t = sema_expr(s, c->a);
    if (t->kind == T_ERROR)
        return;
    if (t->kind != T_ROWS || !t->fact || t->fact->entity != ENT_PERSON || c->a->kind != N_GET ||
        c->a->a->kind != N_NAME || strcmp(c->a->a->str, "person")) {
        int d = ERR(c->a, "a policy is decided for each record of a list of records of the person");
        diag_hint(s->diags, d, "write `for %s in person.LIST`, LIST a fact of type `list of RECORD`", c->str);
        return;
    }
    if (sema_lookup(s, c->str, NULL) || !strcmp(c->str, "person") || !strcmp(c->str, "household")) {
        int d = ERR(c, "`%s` already names something: the claim needs a name of its own", c->str);
        diag_hint(s->diags, d, "choose another name for the claim, e.g. `bill`");
        return;
    }
    c->sym = t->fact;
    p->type = ty_row(s->arena, t);
    if (c->str2) {
        sym *f = symtab_get(&s->facts, arena_printf(s->arena, "%s.%s", t->fact->name, c->str2));
        if (!f) {
            int d = ERR(c, "record type `%s` has no field `%s` to order the claims by", t->rtype->name, c->str2);
            diag_hint(s->diags, d, "order them by a date, a number or money of the record");
            return;
        }
        if (f->type->kind != T_DATE && f->type->kind != T_INT && f->type->kind != T_MONEY &&
            f->type->kind != T_DECIMAL) {
            char b[64];
            int d = ERR(c, "claims are ordered by a date or a number, and `%s` is %s", c->str2,
                        ty_name(f->type, b, sizeof b));
            diag_hint(s->diags, d, "order them by a date field, such as the day the bill was settled");
            return;
        }
        f->used = 1;
        c->b = ast_new(s->arena, N_NAME, c->loc);
        c->b->str = c->str2;
        c->b->sym = f;
    }
}

void sema_check_policy(sema *s, sym *p)
{
    ast *n = p->decl;
    if (p->state)
        return;
    p->state = 1;
    sema_where w = sema_enter(s, p->mod, p);
    /* local declarations first, so any item may use any of them */
    p->locals = arena_alloc(s->arena, sizeof *p->locals);
    symtab_init(s->arena, p->locals, 16);
    for (ast *it = n->a; it; it = it->next) {
        sym_kind k;
        if (it->kind == N_LET) k = SYM_LET;
        else if (it->kind == N_PARAM) k = SYM_PARAM;
        else if (it->kind == N_SCALE) k = SYM_SCALE;
        else continue;
        sym *clash = symtab_get(&s->mod->names, it->str);
        if (!clash)
            for (int i = 0; i < s->mod->nuses && !clash; i++)
                clash = symtab_get(&s->mod->uses[i]->names, it->str);
        if (clash) {
            int d = ERR(it, "`%s` shadows the %s of the same name", it->str, kind_word(clash->kind));
            NOTE(d, clash, "it is defined here");
            diag_hint(s->diags, d, "choose another name, so that every name means one thing");
            continue;
        }
        sym *y = declare(s, p->locals, k, it);
        if (y)
            y->owner = p;
    }
    if (n->c)
        check_claims(s, p);
    /* `for … where`: whom the policy is for */
    if (n->b && n->b->a && n->b->a->kind != N_ERROR) {
        sema_expect(s, n->b->a, &ty_bool, N_("the condition of `for … where`"));
        if (n->b->str)
            sema_check_template(s, n->b);
    }
    int neligible = 0, namount = 0;
    for (ast *it = n->a; it; it = it->next) {
        switch (it->kind) {
        case N_EXCLUDES: {
            sym *q = sema_lookup(s, it->str, it);
            if (!q || q->kind != SYM_POLICY) {
                int d = q ? ERR(it, "`%s` is a %s, not a policy", it->str, kind_word(q->kind))
                          : ERR(it, "unknown policy `%s`", it->str);
                if (!q)
                    sema_suggest(s, d, it->str, SUGGEST_POLICY);
            } else if (q == p) {
                ERR(it, "a policy cannot exclude itself");
            } else if (n->c || ((ast *)q->decl)->c) {
                int d = ERR(it, "a policy decided for each claim cannot exclude or be excluded");
                diag_hint(s->diags, d, "read the other policy's decision in a condition: not %s.eligible", q->name);
            } else if (q->entity != p->entity) {
                int d = ERR(it, "`%s` is decided for each %s, `%s` for each %s: one cannot exclude the other",
                            n->str, p->entity == ENT_PERSON ? "person" : "household", q->name,
                            q->entity == ENT_PERSON ? "person" : "household");
                NOTE(d, q, "it is defined here");
            } else {
                it->sym = q;
                /* q's decision depends on ours */
                dep *e = arena_alloc(s->arena, sizeof *e);
                e->to = p;
                e->at = it;
                e->next = q->deps;
                q->deps = e;
                q->used = 1;
            }
            break;
        }
        case N_PARAM: if (it->sym) sema_check_param(s, it->sym); break;
        case N_SCALE: if (it->sym) sema_check_scale(s, it->sym); break;
        case N_LET: if (it->sym) check_let(s, it->sym); break;
        case N_ELIGIBLE:
            /* one lost to a syntax error (no condition) does not count */
            if (it->a && ++neligible > 1) {
                int d = ERR(it, "policy `%s` has two `eligible when` rules", n->str);
                diag_hint(s->diags, d, "combine their conditions in one `all { … }`");
            }
            check_conds(s, it->a);
            check_exceptions(s, it->b, &ty_bool, 1);
            break;
        case N_AMOUNT: {
            if (it->a->kind != N_ERROR && ++namount > 1)
                ERR(it, "policy `%s` has two `amount` rules", n->str);
            const hm_type *t = sema_expr(s, it->a);
            if (t->kind == T_DECIMAL && (it->a->kind == N_DEC ||
                                        (it->a->kind == N_UNOP && it->a->a->kind == N_DEC))) {
                int64_t fen;
                if (sema_literal_fen(s, it->a->kind == N_DEC ? it->a : it->a->a, &fen) != 0)
                    ERR(it->a, "money has at most two decimal places (fen)");
                t = ty_money(PERIOD_NONE);
                it->a->ty = (struct hm_type *)t;
            }
            if (t->kind != T_MONEY && t->kind != T_ERROR) {
                char b[64];
                if (t->kind == T_INT) {
                    /* a whole number of yuan is money */
                    t = ty_money(PERIOD_NONE);
                } else {
                    ERR(it->a, "an amount must be money, not %s", ty_name(t, b, sizeof b));
                    t = &ty_error;
                }
            }
            it->ty = (struct hm_type *)t;
            check_exceptions(s, it->b, t->kind == T_ERROR ? &ty_error : t, 0);
            break;
        }
        default: break;
        }
    }
    if (!p->has_eligible) {
        int d = ERR(n, "policy `%s` has no `eligible when` rule", n->str);
        diag_hint(s->diags, d, "say who qualifies: eligible when all { CONDITION \"message\" … }");
    }
    p->state = 2;
    sema_leave(s, w);
}

/* ---- tests ---------------------------------------------------------------- */

/* A given value dated after the test's as-of date did not hold yet on that
 * date: as a source's would, it counts as missing, and the drafter is
 * told. */
static void future_value(sema *s, ast *date)
{
    char d[16];
    cal_format((int32_t)s->test_day, d);
    int w = diag_warning(s->diags, FILE_OF(s, date), date->loc, "this value is dated %s, after the test's date %s: "
                         "it did not hold yet, so the test takes the fact as missing", date->str, d);
    diag_hint(s->diags, w, "date it on or before %s, or leave it out to test a missing value", d);
}

static void check_init_value(sema *s, ast *init, const hm_type *t);

/* [ { kind car, value 80000 }, … ]: each record gives some of its fields
 * (one left out is missing) */
static void check_rows_value(sema *s, ast *init, const hm_type *t)
{
    ast *v = init->a;
    if (v->kind == N_RECLIT && !v->a)
        return;     /* [] : no records */
    if (v->kind != N_LISTLIT || (v->a && v->a->kind != N_OBJ)) {
        ast *f1 = t->rtype->decl->a;
        int d = ERR(v, "`%s` is a list of records (%s)", init->str, t->rtype->name);
        diag_hint(s->diags, d, "write it as [ { %s …, … }, { … } ], or [] for none", f1 ? f1->str : "FIELD");
        return;
    }
    for (ast *o = v->a; o; o = o->next)
        for (ast *i = o->a; i; i = i->next) {
            for (ast *j = o->a; j != i; j = j->next)
                if (strcmp(i->str, j->str) == 0) {
                    ERR(i, "`%s` is given twice", i->str);
                    break;
                }
            sym *f = symtab_get(&s->facts, arena_printf(s->arena, "%s.%s", t->fact->name, i->str));
            if (!f) {
                int d = ERR(i, "record type `%s` has no field `%s`", t->rtype->name, i->str);
                const char *cands[64];
                int n = 0;
                for (ast *g = t->rtype->decl->a; g && n < 64; g = g->next)
                    cands[n++] = g->str;
                const char *best = sema_closest(i->str, cands, n);
                if (best)
                    diag_hint(s->diags, d, "did you mean `%s`?", best);
                continue;
            }
            i->sym = f;
            if (i->b || i->c) {
                ERR(i->b ? i->b : i->c, "a field of a record takes a plain value (no `as of`, no `from`)");
                continue;
            }
            if (i->a->kind == N_RECLIT || i->a->kind == N_LISTLIT) {
                char b[64];
                ERR(i->a, "field `%s` is %s, not a list", i->str, ty_name(f->type, b, sizeof b));
                continue;
            }
            check_init_value(s, i, f->type);
        }
}

static void check_init_value(sema *s, ast *init, const hm_type *t)
{
    ast *v = init->a;
    char what[128];
    snprintf(what, sizeof what, hm_tr(N_("fact `%s`")), init->str);
    if (t->kind == T_ROWS) {
        check_rows_value(s, init, t);
        return;
    }
    int is_member = v->kind == N_INT && v->flag == 1;
    if (t->kind == T_PERSON || is_member) {
        char b[64];
        int64_t m;
        if (t->kind != T_PERSON)
            ERR(v, "`member N` names a member of the household, but `%s` is %s", init->str, ty_name(t, b, sizeof b));
        else if (!is_member) {
            int d = ERR(v, "`%s` is another member of the household", init->str);
            diag_hint(s->diags, d, "write `%s member N`, N counting the members from 1 in the order given", init->str);
        } else if (sema_literal_int(s, v, &m) == 0 && (m < 1 || m > s->given_members))
            ERR(v, "the household in this test has %d member%s; there is no member %" PRId64, s->given_members,
                s->given_members == 1 ? "" : "s", m);
        v->ty = (struct hm_type *)t;
        return;
    }
    if (t->kind == T_RECORDS) {
        if (v->kind == N_LISTLIT && !v->a)
            return;     /* [] : no records */
        if (v->kind != N_RECLIT) {
            int d = ERR(v, "`%s` is a list of dated records", init->str);
            diag_hint(s->diags, d, "write it as [ 2024-01-01: 300, 2024-02-01: 300 ]");
            return;
        }
        for (ast *r = v->a; r; r = r->next) {
            int64_t day;
            if (sema_parse_date(r->a->str, &day) != 0)
                ERR(r->a, "`%s` is not a valid date", r->a->str);
            sema_expect(s, r->b, t->elem, what);
        }
        return;
    }
    if (v->kind == N_RECLIT || v->kind == N_LISTLIT) {
        char b[64];
        ERR(v, "`%s` is %s, not a list of records", init->str, ty_name(t, b, sizeof b));
        return;
    }
    if (label_value(s, v, t))
        return;
    /* values in tests are literals */
    ast *lit = v->kind == N_UNOP && v->ival == AOP_NEG ? v->a : v;
    if (lit->kind != N_INT && lit->kind != N_DEC && lit->kind != N_PERCENT && lit->kind != N_STR &&
        lit->kind != N_DATE && lit->kind != N_BOOL && (lit->kind != N_DUR || lit->a->kind != N_INT)) {
        ERR(v, "a test gives facts as plain values (numbers, text, dates, true/false, labels)");
        return;
    }
    sema_expect(s, v, t, what);
}

/* Does a source block named `name` declare fact f?  The names of those
 * that do, in have. */
static int source_declares(sema *s, const char *name, const sym *f, char *have, size_t n)
{
    int found = 0;
    size_t at = 0;
    have[0] = '\0';
    for (int i = 0; i < s->nmods; i++)
        for (ast *b = s->mods[i]->root; b; b = b->next) {
            if (b->kind != N_SOURCE)
                continue;
            for (ast *fd = b->a; fd; fd = fd->next) {
                if (fd->sym != f)
                    continue;
                found |= strcmp(b->str, name) == 0;
                int w = snprintf(have + at, n - at, "%s%s", at ? ", " : "", b->str);
                if (w > 0 && (size_t)w < n - at)
                    at += (size_t)w;
            }
        }
    return found;
}

/* The members of a `given` block, for `member N` anywhere in it: a person
 * alone is a household of one. */
static int given_count(const ast *g)
{
    if (g->ival == ENT_PERSON)
        return 1;
    for (ast *i = g->a->a; i; i = i->next)
        if (strcmp(i->str, "members") == 0 && i->a)
            return ast_count(i->a->a);
    return 0;
}

static void check_obj(sema *s, ast *obj, int entity, int *nmembers)
{
    const char *ent = entity == ENT_PERSON ? "person" : "household";
    for (ast *i = obj->a; i; i = i->next) {
        for (ast *j = obj->a; j != i; j = j->next)
            if (strcmp(i->str, j->str) == 0) {
                ERR(i, "`%s` is given twice", i->str);
                break;
            }
        if (strcmp(i->str, "members") == 0) {
            if (entity != ENT_HOUSEHOLD) {
                ERR(i, "only a household has members");
                continue;
            }
            int n = 0;
            for (ast *m = i->a->a; m; m = m->next, n++)
                check_obj(s, m, ENT_PERSON, NULL);
            if (nmembers)
                *nmembers = n;
            continue;
        }
        char *key = arena_printf(s->arena, "%s.%s", ent, i->str);
        sym *f = symtab_get(&s->facts, key);
        if (!f) {
            int d = ERR(i, "%s has no fact `%s`", ent, i->str);
            sema_suggest(s, d, i->str, entity == ENT_PERSON ? SUGGEST_FACT_PERSON : SUGGEST_FACT_HOUSEHOLD);
            continue;
        }
        i->sym = f;
        if (i->b) {
            int64_t day;
            if (sema_parse_date(i->b->str, &day) != 0)
                ERR(i->b, "`%s` is not a valid date", i->b->str);
            else if (s->in_test && day > s->test_day)
                future_value(s, i->b);
        }
        char have[256];
        if (i->c && !source_declares(s, i->c->str, f, have, sizeof have))
            ERR(i->c, "no source `%s` declares %s (its source%s %s)", i->c->str, key,
                strchr(have, ',') ? "s are" : " is", have);
        check_init_value(s, i, f->type);
    }
}

/* A number literal (or its negation): its kind, and the literal itself. */
static ast *number_literal(ast *v)
{
    ast *lit = v->kind == N_UNOP && v->ival == AOP_NEG ? v->a : v;
    return lit->kind == N_INT || lit->kind == N_DEC || lit->kind == N_PERCENT ? lit : NULL;
}

/* `within X` after an expected value of type t */
static void check_within(sema *s, ast *w, const hm_type *t)
{
    if (!w)
        return;
    ast *lit = w->kind == N_INT || w->kind == N_DEC || w->kind == N_PERCENT ? w : NULL;
    int64_t x;
    if (t->kind != T_MONEY && t->kind != T_DECIMAL && t->kind != T_INT) {
        char b[64];
        int d = ERR(w, "`within` is for numbers; %s is compared exactly", ty_name(t, b, sizeof b));
        diag_hint(s->diags, d, "remove `within %s`", lit ? lit->str : "…");
    } else if (!lit) {
        int d = ERR(w, "the tolerance after `within` must be a number that is not negative, such as 0.01");
        diag_hint(s->diags, d, "compute it in a let, or write the number");
    } else if (t->kind == T_MONEY ? lit->kind == N_PERCENT || sema_literal_fen(s, lit, &x) != 0
               : t->kind == T_INT ? lit->kind != N_INT : sema_literal_ppm(s, lit, &x) != 0) {
        ERR(w, "`%s%s` is not a tolerance for %s", lit->str, lit->kind == N_PERCENT ? "%" : "",
            hm_tr(t->kind == T_MONEY ? N_("money (at most two decimal places)")
                  : t->kind == T_INT ? N_("a whole number") : N_("a decimal")));
    }
}

/* `expect P.LET [of member N] = VALUE [within X]`: the let exists and the
 * value is a literal of its type. */
static void check_expect_value(sema *s, ast *e, sym *p)
{
    sema_check_policy(s, p);
    sym *l = p->locals ? symtab_get(p->locals, e->str2) : NULL;
    if (!l || l->kind != SYM_LET) {
        int d = l ? ERR(e, "`%s` is a %s of policy `%s`, not a let", e->str2, kind_word(l->kind), p->name)
                  : ERR(e, "policy `%s` has no let `%s`", p->name, e->str2);
        diag_hint(s->diags, d, "a test can expect the value of a `let` of the policy: expect %s.NAME = VALUE",
                  p->name);
        return;
    }
    l->used = 1;
    const hm_type *t = l->type;
    if (!t || t->kind == T_ERROR)
        return;
    ast *v = e->a, *num = number_literal(v);
    char b[64];
    int ok;
    switch (t->kind) {
    case T_MONEY: {
        int64_t fen;
        ok = num && num->kind != N_PERCENT && sema_literal_fen(s, num, &fen) == 0;
        break;
    }
    case T_DECIMAL: {
        int64_t ppm;
        ok = num && (num->kind == N_INT || sema_literal_ppm(s, num, &ppm) == 0);
        break;
    }
    case T_INT: ok = num && num->kind == N_INT; break;
    case T_BOOL: ok = v->kind == N_BOOL; break;
    case T_DATE: {
        int64_t day;
        ok = v->kind == N_DATE && sema_parse_date(v->str, &day) == 0;
        break;
    }
    case T_CODE:
        ok = v->kind == N_NAME && symtab_get(t->codeset->labels, v->str);
        if (!ok) {
            int d = ERR(v, "let `%s` is %s: the expected value must be one of its labels", e->str2,
                        ty_name(t, b, sizeof b));
            sema_suggest_label(s, d, t->codeset, v->kind == N_NAME ? v->str : "");
            return;
        }
        break;
    default: {
        int d = ERR(e, "a test cannot expect let `%s`: it is %s", e->str2, ty_name(t, b, sizeof b));
        diag_hint(s->diags, d, "expect a let that is a number, a yes/no, a date or a code");
        return;
    }
    }
    if (!ok) {
        static const char *const example[] = { [T_MONEY] = "600.00", [T_DECIMAL] = N_("0.8 or 80%"), [T_INT] = "3",
                                               [T_BOOL] = N_("true or false"), [T_DATE] = "2024-12-31" };
        int d = ERR(v, "let `%s` is %s: the expected value must be a plain value such as %s", e->str2,
                    ty_name(t, b, sizeof b), hm_tr(example[t->kind]));
        if (t->kind == T_MONEY && num && num->kind == N_DEC)
            diag_hint(s->diags, d, "money has at most two decimal places (fen); use `within` for a tolerance");
    }
    check_within(s, e->c, t);
}

/* `given table NAME { "KEY" [from DATE] { ATTRIBUTE VALUE, … } … }`: each
 * row's table, key, date and plain values of its attributes */
static void check_table_rows(sema *s, ast *rows)
{
    for (ast *r = rows; r; r = r->next) {
        if (r->kind != N_TROW)
            continue;   /* a facts file's other declarations */
        sym *rt = NULL;
        /* a source's table, as its facts, is the pack's, whichever module declares it */
        for (int i = 0; i < s->nmods && !rt; i++) {
            sym *y = symtab_get(&s->mods[i]->names, r->str2);
            if (y && y->kind == SYM_REFTAB)
                rt = y;
        }
        if (!rt)
            rt = sema_lookup(s, r->str2, r);
        if (!rt || rt->kind != SYM_REFTAB) {
            int d = rt ? ERR(r, "`%s` is a %s, not a reference table", r->str2, kind_word(rt->kind))
                       : ERR(r, "unknown reference table `%s`", r->str2);
            diag_hint(s->diags, d, "declare it in a source block: table %s \"LABEL\" by text { ATTRIBUTE : TYPE … }",
                      r->str2);
            continue;
        }
        resolve_reftab(s, rt);
        r->sym = rt;
        if (r->flag == 1)
            continue;   /* a table given with no rows */
        if (rt->decl->flag && !r->b) {
            int d = ERR(r, "table `%s` is dated: say from when row \"%s\" is in force", rt->name, r->str);
            diag_hint(s->diags, d, "write \"%s\" from DATE { … }", r->str);
        } else if (!rt->decl->flag && r->b) {
            int d = ERR(r->b, "table `%s` is not dated: its rows have no `from` date", rt->name);
            diag_hint(s->diags, d, "remove `from %s`, or declare the table `by text, dated`", r->b->str);
        }
        int64_t day;
        if (r->b && sema_parse_date(r->b->str, &day) != 0)
            ERR(r->b, "`%s` is not a valid date", r->b->str);
        for (ast *q = rows; q != r; q = q->next)
            if (q->sym == rt && q->flag != 1 && strcmp(q->str, r->str) == 0 &&
                (!q->b || !r->b || strcmp(q->b->str, r->b->str) == 0)) {
                int d = ERR(r, "table `%s` has two rows for \"%s\"%s%s", rt->name, r->str, r->b ? " from " : "",
                            r->b ? r->b->str : "");
                diag_note(s->diags, d, FILE_OF(s, q), q->loc, "the other row is here");
                break;
            }
        for (ast *i = r->a->a; i; i = i->next) {
            ast *attr = NULL;
            for (ast *a = rt->decl->a; a; a = a->next)
                if (strcmp(a->str, i->str) == 0)
                    attr = a;
            if (!attr) {
                int d = ERR(i, "table `%s` has no attribute `%s`", rt->name, i->str);
                const char *names[64];
                int n = 0;
                for (ast *a = rt->decl->a; a && n < 64; a = a->next)
                    names[n++] = a->str;
                const char *best = sema_closest(i->str, names, n);
                if (best)
                    diag_hint(s->diags, d, "did you mean `%s`?", best);
                continue;
            }
            for (ast *j = r->a->a; j != i; j = j->next)
                if (strcmp(j->str, i->str) == 0) {
                    ERR(i, "attribute `%s` is given twice in this row", i->str);
                    break;
                }
            i->sym = attr;
            const hm_type *at = attr->ty ? (const hm_type *)attr->ty : &ty_error;
            if (at->kind == T_ERROR)
                continue;
            if (i->b || i->c || i->a->kind == N_RECLIT || i->a->kind == N_LISTLIT) {
                ERR(i, "an attribute of a table's row is one plain value (no `as of`, `from` or list)");
                continue;
            }
            int64_t v;
            const char *text;
            char what[160];
            snprintf(what, sizeof what, hm_tr(N_("attribute `%s` of table `%s`")), i->str, rt->name);
            if (sema_literal_value(s, i->a, at, &v, &text) != 0 ||
                (at->kind == T_TEXT) != (text != NULL)) {
                const hm_type *got = sema_expect(s, i->a, at, what);
                if (got && got->kind != T_ERROR && sema_literal_value(s, i->a, at, &v, &text) != 0)
                    ERR(i->a, "%s must be a plain value", what);
            }
        }
    }
}

static void check_test(sema *s, ast *t)
{
    int64_t day;
    if (sema_parse_date(t->a->str, &day) != 0)
        ERR(t->a, "`%s` is not a valid date", t->a->str);
    t->a->ival = day;
    s->in_test = 1;
    s->test_day = day;
    int nmembers = 0;
    check_table_rows(s, t->d);
    ast *g = t->b;
    if (g) {
        s->given_members = given_count(g);
        if (g->ival == ENT_PERSON) {
            check_obj(s, g->a, ENT_PERSON, NULL);
            nmembers = 1;
        } else {
            check_obj(s, g->a, ENT_HOUSEHOLD, &nmembers);
        }
    }
    for (ast *e = t->c; e; e = e->next) {
        sym *p = sema_lookup(s, e->str, e);
        if (!p || p->kind != SYM_POLICY) {
            int d = p ? ERR(e, "`%s` is a %s, not a policy", e->str, kind_word(p->kind))
                      : ERR(e, "unknown policy `%s`", e->str);
            if (!p)
                sema_suggest(s, d, e->str, SUGGEST_POLICY);
            continue;
        }
        e->sym = p;
        /* a claim policy's decision is one claim's: `for claim N` */
        int claims = ((ast *)p->decl)->c != NULL;
        if (e->kind == N_EXPECT && e->d && !claims) {
            int d = ERR(e->d, "`%s` is not decided for each claim", e->str);
            diag_hint(s->diags, d, "remove `for claim %s`", e->d->str);
        } else if (e->kind == N_EXPECT && !e->d && claims) {
            int d = ERR(e, "`%s` is decided for each claim: say which one", e->str);
            diag_hint(s->diags, d, "write `expect %s for claim 1 …` (claims are numbered from 1 in the order given)",
                      e->str);
        } else if (e->kind == N_EXPECTVAL && claims) {
            ERR(e, "the lets of `%s` are one claim's: expect its decision with `for claim N`", e->str);
        } else if (e->d) {
            int64_t k;
            if (sema_literal_int(s, e->d, &k) == 0 && k < 1)
                ERR(e->d, "claims are numbered from 1");
        }
        if (e->kind == N_EXPECTVAL)
            check_expect_value(s, e, p);
        else if (e->ival == EXPECT_NOT_APPLICABLE && !((ast *)p->decl)->b) {
            int d = ERR(e, "`%s` is for every %s: it is never not applicable", e->str,
                        p->entity == ENT_PERSON ? "person" : "household");
            NOTE(d, p, "it is defined here");
            diag_hint(s->diags, d, "say whom it is for with `for %s where CONDITION`, or expect `not eligible`",
                      p->entity == ENT_PERSON ? "person" : "household");
        }
        if (p->entity == ENT_PERSON) {
            if (e->b) {
                int64_t m;
                if (sema_literal_int(s, e->b, &m) == 0 && (m < 1 || m > nmembers))
                    ERR(e->b, "the household in this test has %d member%s; there is no member %" PRId64,
                        nmembers, nmembers == 1 ? "" : "s", m);
            } else if (g && g->ival == ENT_HOUSEHOLD) {
                int d = ERR(e, "`%s` is decided for each person: say which member", e->str);
                diag_hint(s->diags, d, "write `expect %s of member 1 …`", e->str);
            }
        } else if (e->b) {
            ERR(e->b, "`%s` is decided for the household, not for one member", e->str);
        }
        if (e->a && e->kind == N_EXPECT) {
            if (e->ival != EXPECT_ELIGIBLE)
                ERR(e->a, "only an eligible decision has an amount");
            int64_t fen;
            ast *lit = e->a->kind == N_UNOP && e->a->ival == AOP_NEG ? e->a->a : e->a;
            if (lit->kind != N_INT && lit->kind != N_DEC)
                ERR(e->a, "the expected amount must be a number such as 3350.00");
            else if (sema_literal_fen(s, lit, &fen) != 0)
                ERR(e->a, "the expected amount has more than two decimal places");
            if (e->kind == N_EXPECT)
                check_within(s, e->c, ty_money(PERIOD_NONE));
        }
    }
    s->in_test = 0;
}

/* ---- pass 2: one module ----------------------------------------------------- */

/* Function and extern signatures of every module, before any body is
 * checked: a call may reach a module that comes later. */
void sema_check_signatures(sema *s, hm_module *m)
{
    s->mod = m;
    for (ast *n = m->root; n; n = n->next)
        if (n->kind == N_FUNCTION || n->kind == N_EXTERN)
            check_signature(s, n);
    s->mod = NULL;
}

void sema_check_module(sema *s, hm_module *m)
{
    s->mod = m;
    int seen_module = 0;
    for (ast *n = m->root; n; n = n->next) {
        if (n->kind == N_MODULE) {
            if (seen_module++ || n != m->root)
                ERR(n, "`module` must be the first declaration of a file, and appear once");
        }
    }
    for (ast *n = m->root; n; n = n->next) {
        s->mod = m;
        switch (n->kind) {
        case N_CODES: check_codes(s, n); break;
        case N_PARAM: if (n->sym) sema_check_param(s, n->sym); break;
        case N_SCALE: if (n->sym) sema_check_scale(s, n->sym); break;
        default: break;
        }
    }
    for (ast *n = m->root; n; n = n->next) {
        s->mod = m;
        switch (n->kind) {
        case N_FUNCTION: if (n->sym) check_function(s, n->sym); break;
        case N_EXTERN: if (n->sym) check_extern(s, n->sym, n); break;
        case N_POLICY: if (n->sym) sema_check_policy(s, n->sym); break;
        default: break;
        }
    }
    int rows_checked = 0;
    for (ast *n = m->root; n; n = n->next) {
        s->mod = m;
        /* rows given outside a test: the facts file's, or the rows every
         * test of the pack sees unless it gives the table itself */
        if (n->kind == N_TROW && !rows_checked++)
            check_table_rows(s, m->root);
        if (n->kind == N_TEST)
            check_test(s, n);
        else if (n->kind == N_GIVEN) {
            if (m->index != s->facts_file) {
                int d = ERR(n, "a `given` block belongs inside a `test`");
                diag_hint(s->diags, d, "write test \"NAME\" as of DATE { given … expect … }, "
                                       "or pass the file to `huimin run --given`");
            } else {
                s->given_members = given_count(n);
                check_obj(s, n->a, n->ival == ENT_PERSON ? ENT_PERSON : ENT_HOUSEHOLD, NULL);
            }
        }
    }
    /* amounts expected of policies without an amount rule */
    for (ast *n = m->root; n; n = n->next)
        if (n->kind == N_TEST)
            for (ast *e = n->c; e; e = e->next)
                if (e->kind == N_EXPECT && e->a && e->sym && !((sym *)e->sym)->has_amount)
                    ERR(e->a, "policy `%s` has no `amount` rule", e->str);
    s->mod = NULL;
}

/* ---- pass 3: the whole pack ------------------------------------------------- */

/* Depth-first search for a cycle through `deps` from `root`; reports it
 * once.  The path is kept in `stack` (room for every function and policy)
 * with, for each symbol on it, the edge to follow next in `next`: no
 * recursion, so a chain of any length is searched. */
static int find_cycle(sema *s, sym *root, sym **stack, dep **next, const char *what)
{
    if (root->state == 11)
        return 0;
    int depth = 0;
    root->state = 10;
    stack[depth] = root;
    next[depth++] = root->deps;
    while (depth > 0) {
        dep *e = next[depth - 1];
        if (!e) {
            stack[--depth]->state = 11;
            continue;
        }
        next[depth - 1] = e->next;
        sym *y = e->to;
        if (y->state == 11)
            continue;
        if (y->state != 10) {
            y->state = 10;
            stack[depth] = y;
            next[depth++] = y->deps;
            continue;
        }
        char buf[1024];
        size_t len = 0;
        int start = 0;
        for (int i = 0; i < depth; i++)
            if (stack[i] == y)
                start = i;
        for (int i = start; i < depth && len < sizeof buf - 64; i++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s → ", stack[i]->name);
        snprintf(buf + len, sizeof buf - len, "%s", y->name);
        /* a cycle through a policy is one of policies, even if found from a
         * function that reads it */
        if (y->kind == SYM_POLICY)
            what = "policies";
        int d = diag_error(s->diags, y->mod->file, y->decl->loc, "%s depend on each other in a cycle: %s",
                           what, buf);
        if (strcmp(what, "functions") == 0)
            diag_hint(s->diags, d, "recursion is not allowed: every evaluation must finish");
        else
            diag_hint(s->diags, d, "a policy cannot depend, through references, functions or `excludes`, on itself");
        /* the symbols on the path are done: the cycle is reported once */
        while (depth > 0)
            stack[--depth]->state = 11;
        return 1;
    }
    return 0;
}

/* The longest chain of policies from `root` (when there is no cycle), in
 * each policy's `chain`; refuses one longer than SEMA_MAX_CHAIN where it
 * goes past it.  The same explicit stack as find_cycle. */
static int chain_length(sema *s, sym *root, sym **stack, dep **next)
{
    if (root->longest)
        return 0;
    int depth = 0;
    stack[depth] = root;
    next[depth++] = root->deps;
    while (depth > 0) {
        sym *y = stack[depth - 1];
        dep *e = next[depth - 1];
        if (e && !e->to->longest && e->to->kind == SYM_POLICY) {
            stack[depth] = e->to;     /* no cycle: never on the path already */
            next[depth++] = e->to->deps;
            continue;
        }
        if (e) {
            next[depth - 1] = e->next;
            continue;
        }
        int most = 0;
        for (dep *d = y->deps; d; d = d->next)
            if (d->to->kind == SYM_POLICY && d->to->longest > most)
                most = d->to->longest;
        y->longest = most + 1;
        depth--;
        if (y->longest == SEMA_MAX_CHAIN + 1) {
            for (dep *d = y->deps; d; d = d->next)
                if (d->to->kind == SYM_POLICY && d->to->longest == SEMA_MAX_CHAIN) {
                    diag_error(s->diags, y->mod->file, d->at->loc,
                               "policies depend on each other more than %d levels deep", SEMA_MAX_CHAIN);
                    return 1;
                }
        }
    }
    return 0;
}

static void unused_warnings(sema *s, hm_module *m)
{
    for (ast *n = m->root; n; n = n->next) {
        sym *y = n->sym;
        if (!y)
            continue;
        if (n->kind == N_PARAM && !y->used)
            WARN(n, "parameter `%s` is never used", n->str);
        else if (n->kind == N_SCALE && !y->used)
            WARN(n, "scale `%s` is never used", n->str);
        else if (n->kind == N_RECTYPE && !y->used)
            WARN(n, "record type `%s` is never used", n->str);
        else if (n->kind == N_POLICY)
            for (ast *it = n->a; it; it = it->next)
                if ((it->kind == N_PARAM || it->kind == N_SCALE) && it->sym && !((sym *)it->sym)->used)
                    WARN(it, "%s `%s` is never used", it->kind == N_PARAM ? "parameter" : "scale", it->str);
    }
}

/* A policy that calls functions depends on the policies they read
 * (`p.dibao.eligible` in a function), through any chain of calls: add
 * those to its own dependencies, so that cycles and chains count them. */
static void policies_through_functions(sema *s, sym *pol, sym **stack)
{
    unsigned walk = ++s->walks;
    int n = 0;
    for (dep *d = pol->deps; d; d = d->next)
        if (d->to->kind == SYM_FUNCTION && d->to->walked != walk) {
            d->to->walked = walk;
            stack[n++] = d->to;
        }
    while (n > 0) {
        sym *f = stack[--n];
        for (dep *d = f->deps; d; d = d->next) {
            sym *y = d->to;
            if (y->walked == walk)
                continue;
            y->walked = walk;
            if (y->kind == SYM_FUNCTION) {
                stack[n++] = y;
                continue;
            }
            dep *e = arena_alloc(s->arena, sizeof *e);
            e->to = y;
            e->at = d->at;
            e->next = pol->deps;
            pol->deps = e;
        }
    }
}

void sema_finish(sema *s)
{
    int nnodes = 1;
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next)
            nnodes += n->kind == N_FUNCTION || n->kind == N_POLICY;
    sym **stack = arena_alloc(s->arena, sizeof *stack * (size_t)(nnodes + 1));
    dep **next = arena_alloc(s->arena, sizeof *next * (size_t)(nnodes + 1));
    for (int i = 0; i < s->nmods; i++) {
        hm_module *m = s->mods[i];
        if (!m->names.buckets)
            continue;
        for (ast *n = m->root; n; n = n->next) {
            sym *y = n->sym;
            if (!y)
                continue;
            if (n->kind == N_FUNCTION || n->kind == N_POLICY) {
                /* reset the DFS marks: policies used state 2 for "checked" */
                if (y->state < 10)
                    y->state = 0;
            }
        }
    }
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next)
            if (n->kind == N_POLICY && n->sym)
                policies_through_functions(s, n->sym, stack);
    int cycles = 0;
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next)
            if ((n->kind == N_FUNCTION || n->kind == N_POLICY) && n->sym)
                cycles += find_cycle(s, n->sym, stack, next, n->kind == N_FUNCTION ? "functions" : "policies");
    int too_long = s->chain_reported;
    for (int i = 0; i < s->nmods && !cycles && !too_long; i++)
        for (ast *n = s->mods[i]->root; n && !too_long; n = n->next)
            if (n->kind == N_POLICY && n->sym)
                too_long = chain_length(s, n->sym, stack, next);
    if (s->syntax_errors)
        return;     /* uses may have been lost with the text that did not parse */
    for (int i = 0; i < s->nmods; i++)
        unused_warnings(s, s->mods[i]);
    /* unused lets: after the tests, which may expect a let's value */
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next)
            for (ast *it = n->kind == N_POLICY ? n->a : NULL; it; it = it->next)
                if (it->kind == N_LET && it->sym && !((sym *)it->sym)->used)
                    diag_warning(s->diags, s->mods[i]->file, it->loc, "let `%s` is never used", it->str);
    /* facts no policy or function reads */
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            if (n->kind != N_SOURCE)
                continue;
            for (ast *f = n->a; f; f = f->next) {
                sym *fact = f->sym;
                if (fact && !fact->used && fact->decl == f)
                    diag_warning(s->diags, s->mods[i]->file, f->loc,
                                 "fact `%s` is declared but no policy uses it", fact->name);
            }
        }
}
