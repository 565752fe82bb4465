/* sema.c -- the checker's driver, symbol tables, name lookup and
 * "did you mean" suggestions.  See sema.h for the passes. */
#include "sema.h"
#include "srcfile.h"

#include <stdlib.h>
#include <string.h>

static unsigned hash_str(const char *s)
{
    /* FNV-1a */
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void symtab_init(hm_arena *a, symtab *t, unsigned nbuckets)
{
    t->nbuckets = nbuckets;
    t->count = 0;
    t->buckets = arena_alloc(a, sizeof *t->buckets * nbuckets);
}

sym *symtab_get(const symtab *t, const char *name)
{
    if (!t->buckets)
        return NULL;
    for (sym *s = t->buckets[hash_str(name) % t->nbuckets]; s; s = s->chain)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

void symtab_put(hm_arena *a, symtab *t, sym *s)
{
    if (!t->buckets)
        symtab_init(a, t, 16);
    if (t->count >= t->nbuckets) {
        /* grow: rehash into twice as many buckets */
        symtab nt;
        symtab_init(a, &nt, t->nbuckets * 2);
        for (unsigned i = 0; i < t->nbuckets; i++) {
            sym *c = t->buckets[i];
            while (c) {
                sym *next = c->chain;
                unsigned h = hash_str(c->name) % nt.nbuckets;
                c->chain = nt.buckets[h];
                nt.buckets[h] = c;
                c = next;
            }
        }
        nt.count = t->count;
        *t = nt;
    }
    unsigned h = hash_str(s->name) % t->nbuckets;
    s->chain = t->buckets[h];
    t->buckets[h] = s;
    t->count++;
}

sym *sym_new(sema *s, sym_kind k, const char *name, ast *decl)
{
    sym *y = arena_alloc(s->arena, sizeof *y);
    y->kind = k;
    y->name = name;
    y->decl = decl;
    y->mod = s->mod;
    y->type = &ty_error;
    return y;
}

sym *sema_lookup(sema *s, const char *name, ast *at)
{
    if (s->policy && s->policy->locals) {
        sym *y = symtab_get(s->policy->locals, name);
        if (y)
            return y;
    }
    hm_module *m = s->mod;
    if (!m)
        return NULL;
    sym *y = symtab_get(&m->names, name);
    if (y)
        return y;
    sym *found = NULL;
    for (int i = 0; i < m->nuses; i++) {
        sym *z = symtab_get(&m->uses[i]->names, name);
        if (!z)
            continue;
        if (found && found != z && at) {
            int d = diag_error(s->diags, FILE_OF(s, at), at->loc,
                               "`%s` is ambiguous: modules `%s` and `%s` both define it",
                               name, found->mod->name, z->mod->name);
            diag_note(s->diags, d, found->mod->file, found->decl->loc, "one is defined here");
            diag_note(s->diags, d, z->mod->file, z->decl->loc, "the other is defined here");
            return found;
        }
        found = z;
    }
    return found;
}

/* ---- suggestions ------------------------------------------------------ */

/* Edit distance between two UTF-8 strings, counted in code points. */
static int distance(const char *a, const char *b)
{
    uint32_t ca[64], cb[64];
    int na = 0, nb = 0;
    for (const unsigned char *p = (const unsigned char *)a; *p && na < 64;) {
        int k = utf8_decode(p, strlen((const char *)p), &ca[na]);
        if (k <= 0) { ca[na] = *p; k = 1; }
        /* compare names case-insensitively */
        if (ca[na] >= 'A' && ca[na] <= 'Z') ca[na] += 32;
        na++;
        p += k;
    }
    for (const unsigned char *p = (const unsigned char *)b; *p && nb < 64;) {
        int k = utf8_decode(p, strlen((const char *)p), &cb[nb]);
        if (k <= 0) { cb[nb] = *p; k = 1; }
        if (cb[nb] >= 'A' && cb[nb] <= 'Z') cb[nb] += 32;
        nb++;
        p += k;
    }
    int row[65];
    for (int j = 0; j <= nb; j++)
        row[j] = j;
    for (int i = 1; i <= na; i++) {
        int prev = row[0];
        row[0] = i;
        for (int j = 1; j <= nb; j++) {
            int cur = row[j];
            int cost = ca[i - 1] == cb[j - 1] ? 0 : 1;
            int best = prev + cost;
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[nb];
}

static int cp_len(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

const char *sema_closest(const char *name, const char *const *cands, int n)
{
    const char *best = NULL;
    int bestd = 1000;
    int len = cp_len(name);
    int limit = len <= 1 ? 0 : len <= 3 ? 1 : len <= 6 ? 2 : len / 3 + 1;
    for (int i = 0; i < n; i++) {
        if (!cands[i] || strcmp(cands[i], name) == 0)
            continue;
        int d = distance(name, cands[i]);
        if (d < bestd || (d == bestd && best && strcmp(cands[i], best) < 0)) {
            bestd = d;
            best = cands[i];
        }
    }
    return bestd <= limit ? best : NULL;
}

void sema_suggest_label(sema *s, int diag, const sym *cs, const char *name)
{
    const char *cands[256];
    int nc = 0;
    for (ast *l = cs->decl->a; l && nc < 256; l = l->next)
        cands[nc++] = l->str;
    const char *best = sema_closest(name, cands, nc);
    if (best)
        diag_hint(s->diags, diag, "did you mean `%s`?", best);
}

typedef struct cand_list {
    const char **v;
    int n, cap;
} cand_list;

static void cand_add(sema *s, cand_list *c, const char *name)
{
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 64;
        const char **v = arena_alloc(s->arena, sizeof *v * (size_t)cap);
        if (c->n)
            memcpy(v, c->v, sizeof *v * (size_t)c->n);
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = name;
}

static int kind_matches(const sym *y, int what)
{
    switch (y->kind) {
    case SYM_PARAM: case SYM_LET: return (what & SUGGEST_VALUE) != 0;
    case SYM_POLICY: return (what & (SUGGEST_POLICY | SUGGEST_VALUE)) != 0;
    case SYM_CODESET: return (what & SUGGEST_CODESET) != 0;
    case SYM_FUNCTION: case SYM_EXTERN: case SYM_SCALE: return (what & SUGGEST_FUNCTION) != 0;
    case SYM_SOURCE: return (what & SUGGEST_SOURCE) != 0;
    default: return 0;
    }
}

static void cand_table(sema *s, cand_list *c, const symtab *t, int what)
{
    if (!t->buckets)
        return;
    for (unsigned i = 0; i < t->nbuckets; i++)
        for (sym *y = t->buckets[i]; y; y = y->chain)
            if (kind_matches(y, what))
                cand_add(s, c, y->name);
}

void sema_suggest(sema *s, int diag, const char *name, int what)
{
    if (diag < 0)
        return;
    cand_list c = { 0 };
    if (what & SUGGEST_VALUE) {
        for (scope_var *v = s->vars; v; v = v->up)
            cand_add(s, &c, v->name);
    }
    if (s->policy && s->policy->locals)
        cand_table(s, &c, s->policy->locals, what);
    if (s->mod) {
        cand_table(s, &c, &s->mod->names, what);
        for (int i = 0; i < s->mod->nuses; i++)
            cand_table(s, &c, &s->mod->uses[i]->names, what);
    }
    if (what & SUGGEST_SOURCE)
        cand_table(s, &c, &s->sources, what);
    if (what & (SUGGEST_FACT_HOUSEHOLD | SUGGEST_FACT_PERSON)) {
        const char *prefix = (what & SUGGEST_FACT_PERSON) ? "person." : "household.";
        size_t pl = strlen(prefix);
        if (s->facts.buckets)
            for (unsigned i = 0; i < s->facts.nbuckets; i++)
                for (sym *y = s->facts.buckets[i]; y; y = y->chain)
                    if (strncmp(y->name, prefix, pl) == 0)
                        cand_add(s, &c, y->name + pl);
        if (what & SUGGEST_FACT_HOUSEHOLD)
            cand_add(s, &c, "members");
    }
    if (what & SUGGEST_VALUE) {
        static const char *const builtins[] = { "household", "person", "as_of" };
        for (size_t i = 0; i < 3; i++)
            cand_add(s, &c, builtins[i]);
    }
    const char *best = sema_closest(name, c.v, c.n);
    if (best)
        diag_hint(s->diags, diag, "did you mean `%s`?", best);
}

sema_where sema_enter(sema *s, hm_module *mod, sym *policy)
{
    sema_where saved = { s->mod, s->policy, s->function, s->param, s->subject, s->key_entity, s->vars, s->elem };
    s->mod = mod;
    s->policy = policy;
    s->function = NULL;
    s->param = NULL;
    s->subject = policy ? policy->entity : 0;
    s->key_entity = 0;
    s->vars = NULL;
    s->elem = NULL;
    return saved;
}

void sema_leave(sema *s, sema_where w)
{
    s->mod = w.mod;
    s->policy = w.policy;
    s->function = w.function;
    s->param = w.param;
    s->subject = w.subject;
    s->key_entity = w.key_entity;
    s->vars = w.vars;
    s->elem = w.elem;
}

/* ---- the driver ------------------------------------------------------- */

int sema_check(sema *s)
{
    int before = s->diags->errors;
    symtab_init(s->arena, &s->sources, 64);
    symtab_init(s->arena, &s->facts, 256);
    for (int i = 0; i < s->nmods; i++)
        sema_declare_module(s, s->mods[i]);
    for (int i = 0; i < s->nmods; i++)
        sema_declare_facts(s, s->mods[i]);
    for (int i = 0; i < s->nmods; i++)
        sema_check_signatures(s, s->mods[i]);
    for (int i = 0; i < s->nmods; i++)
        sema_check_module(s, s->mods[i]);
    sema_check_audit(s);
    sema_finish(s);
    return s->diags->errors - before;
}
