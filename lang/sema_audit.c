/* sema_audit.c -- the declarations `huimin audit` and `huimin diff` read
 * besides the policies: the payment roll (`source NAME "…" roll { … }`)
 * and `regions by household.F`.  No policy needs to read either, so their
 * facts count as used. */
#include "sema.h"
#include "types.h"

#include <string.h>

#define ERR(n, ...) diag_error(s->diags, FILE_OF(s, n), (n)->loc, __VA_ARGS__)

/* The record of a roll's list: one text, one money and one date field
 * (the messages are whole sentences, for their translations). */
static void check_roll_record(sema *s, ast *use, sym *rt)
{
    ast *seen[3] = { NULL, NULL, NULL };
    int bad = 0;
    for (ast *rf = rt->decl->a; rf; rf = rf->next) {
        const hm_type *t = rf->ty;
        if (!t || t->kind == T_ERROR || rf->flag == -1) {
            bad = 1;
            continue;
        }
        int k = t->kind == T_TEXT ? 0 : t->kind == T_MONEY ? 1 : t->kind == T_DATE ? 2 : -1;
        if (k < 0) {
            char b[64];
            int d = ERR(rf->a, "field `%s` of record `%s` is %s, but a record of the payment roll has only a text, "
                        "a money and a date field", rf->str, rt->name, ty_name(t, b, sizeof b));
            diag_hint(s->diags, d, "remove the field from the record: the roll says which policy pays how much "
                      "since when");
            bad = 1;
            continue;
        }
        if (!seen[k]) {
            seen[k] = rf;
            continue;
        }
        int d = k == 0 ? ERR(rf, "record `%s` of the payment roll has two text fields: `%s` and `%s`", rt->name,
                             seen[k]->str, rf->str)
              : k == 1 ? ERR(rf, "record `%s` of the payment roll has two money fields: `%s` and `%s`", rt->name,
                             seen[k]->str, rf->str)
                       : ERR(rf, "record `%s` of the payment roll has two date fields: `%s` and `%s`", rt->name,
                             seen[k]->str, rf->str);
        diag_note(s->diags, d, FILE_OF(s, seen[k]), seen[k]->loc, "the first is here");
        diag_hint(s->diags, d, "a record of the roll has one text field (the policy paid), one money field (the "
                  "amount) and one date field (paid since)");
        bad = 1;
    }
    for (int k = 0; k < 3 && !bad; k++) {
        if (seen[k])
            continue;
        int d = k == 0 ? ERR(use, "record `%s` of the payment roll has no text field (the policy paid)", rt->name)
              : k == 1 ? ERR(use, "record `%s` of the payment roll has no money field (the amount paid)", rt->name)
                       : ERR(use, "record `%s` of the payment roll has no date field (paid since)", rt->name);
        diag_note(s->diags, d, FILE_OF(s, rt->decl), rt->decl->loc, "the record is declared here");
        if (k == 0)
            diag_hint(s->diags, d, "add one to the record, e.g. `项目 : text \"救助项目\"`");
        else if (k == 1)
            diag_hint(s->diags, d, "add one to the record, e.g. `金额 : money per month \"每月发放金额\"`");
        else
            diag_hint(s->diags, d, "add one to the record, e.g. `起始 : date \"首次发放日期\"`");
    }
}

typedef struct checked {
    sym *rt;
    struct checked *next;
} checked;

static void check_roll(sema *s)
{
    ast *roll = NULL;               /* the first block marked `roll` */
    ast *lists[3] = { NULL, NULL, NULL };  /* by entity: its list */
    checked *done = NULL;
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            if (n->kind != N_SOURCE || !n->flag)
                continue;
            for (ast *f = n->a; f; f = f->next)
                if (f->sym)
                    ((sym *)f->sym)->used = 1;
            if (roll && strcmp(roll->str, n->str) != 0) {
                int d = ERR(n, "source `%s` is marked `roll`, but source `%s` is the payment roll already", n->str,
                            roll->str);
                diag_note(s->diags, d, FILE_OF(s, roll), roll->loc, "the payment roll is declared here");
                diag_hint(s->diags, d, "a pack has one payment roll: declare every list of payments in source `%s`",
                          roll->str);
                continue;
            }
            if (!roll)
                roll = n;
            for (ast *t = n->b; t; t = t->next) {
                int d = ERR(t, "the payment roll `%s` declares a table: a roll declares lists of payments only",
                            n->str);
                diag_hint(s->diags, d, "declare table `%s` in another source block", t->str);
            }
            if (!n->a && !n->b) {
                int d = ERR(n, "the payment roll `%s` declares no facts", n->str);
                diag_hint(s->diags, d, "declare the lists of payments: `household.payments : list of RECORD \"…\"` "
                          "and/or `person.payments : list of RECORD \"…\"`");
            }
            for (ast *f = n->a; f; f = f->next) {
                sym *fact = f->sym;
                if (!fact || f->flag == -1)
                    continue;
                const hm_type *t = fact->type;
                if (t->kind == T_ERROR)
                    continue;
                if (t->kind != T_ROWS) {
                    char b[64];
                    int d = ERR(f->a, "fact `%s` of the payment roll is %s: the roll's facts are lists of payments",
                                fact->name, ty_name(t, b, sizeof b));
                    diag_hint(s->diags, d, "declare `%s : list of RECORD`, whose record has one text field (the "
                              "policy), one money field (the amount) and one date field (since)", fact->name);
                    continue;
                }
                int e = fact->entity == ENT_PERSON ? 2 : 1;
                if (lists[e] && lists[e]->sym != fact) {
                    const char *first = ((sym *)lists[e]->sym)->name;
                    int d = e == 2 ? ERR(f, "the payment roll has two lists of persons, `%s` and `%s`", first, fact->name)
                                   : ERR(f, "the payment roll has two lists of households, `%s` and `%s`", first,
                                         fact->name);
                    diag_note(s->diags, d, FILE_OF(s, lists[e]), lists[e]->loc, "the first is here");
                    diag_hint(s->diags, d, "a roll has one list of the payments to each household and one of those "
                              "to each person: put every payment in it");
                    continue;
                }
                lists[e] = f;
                int seen = 0;
                for (checked *c = done; c && !seen; c = c->next)
                    seen = c->rt == t->rtype;
                if (!seen) {
                    checked *c = arena_alloc(s->arena, sizeof *c);
                    c->rt = t->rtype;
                    c->next = done;
                    done = c;
                    check_roll_record(s, f->a, t->rtype);
                }
            }
        }
    if (!roll)
        return;
    /* the roll's facts are the roll's alone */
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            if (n->kind != N_SOURCE || n->flag)
                continue;
            for (ast *f = n->a; f; f = f->next) {
                sym *fact = f->sym;
                int mine = 0;
                for (int e = 1; e < 3 && fact; e++)
                    mine |= lists[e] && lists[e]->sym == fact;
                int same = strcmp(n->str, roll->str) == 0;
                if (!mine && !same)
                    continue;
                if (fact)
                    fact->used = 1;     /* reported here: not unused too */
                int d = same ? ERR(f, "source `%s` is the payment roll: this block of it must be marked `roll` too",
                                   n->str)
                             : ERR(f, "`%s` is a list of the payment roll (source `%s`): source `%s` cannot declare it "
                                   "too", fact->name, roll->str, n->str);
                diag_note(s->diags, d, FILE_OF(s, roll), roll->loc, "the payment roll is declared here");
                if (same)
                    diag_hint(s->diags, d, "write `source %s \"…\" roll { … }`, or declare the fact in another "
                              "source", n->str);
            }
        }
}

static void check_regions(sema *s)
{
    ast *first = NULL;
    for (int i = 0; i < s->nmods; i++)
        for (ast *n = s->mods[i]->root; n; n = n->next) {
            if (n->kind != N_REGIONS)
                continue;
            if (first) {
                int d = ERR(n, "`regions by` is given twice");
                diag_note(s->diags, d, FILE_OF(s, first), first->loc, "the first is here");
                diag_hint(s->diags, d, "a pack finds its regions from one fact: keep one `regions by`");
                continue;
            }
            first = n;
            if (strncmp(n->str, "person.", 7) == 0) {
                int d = ERR(n, "regions are those of households: `%s` is a fact of a person", n->str);
                diag_hint(s->diags, d, "write `regions by household.NAME`, a household fact holding the township "
                          "code (乡镇/街道, 9 digits)");
                continue;
            }
            sym *fact = symtab_get(&s->facts, n->str);
            if (!fact || fact->owner) {
                const char *name = n->str + strlen("household.");
                int d = ERR(n, "%s has no fact `%s`", "household", name);
                sema_suggest(s, d, name, SUGGEST_FACT_HOUSEHOLD);
                if (d >= 0 && !s->diags->v[d].hint)
                    diag_hint(s->diags, d, "declare it in a source: `%s : text \"户籍地乡镇（街道）代码\"`", n->str);
                continue;
            }
            fact->used = 1;
            n->sym = fact;
            if (fact->type->kind != T_TEXT && fact->type->kind != T_ERROR) {
                char b[64];
                int d = ERR(n, "`%s` is %s: regions are found from a text fact holding the township code", n->str,
                            ty_name(fact->type, b, sizeof b));
                diag_hint(s->diags, d, "declare it `text`, or a key of a reference table of regions (`%s : region`)",
                          n->str);
                n->sym = NULL;
            }
        }
}

void sema_check_audit(sema *s)
{
    check_roll(s);
    check_regions(s);
}
