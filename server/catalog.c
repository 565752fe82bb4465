/* catalog.c -- the pack described for forms: policies, facts with their
 * labels, types, periods, code labels and sources, parameters.  The
 * labels of facts are in the source declarations, which the bytecode does
 * not keep: they are read, as explain reads rule text, from the policy
 * files the pack carries, once, when the pack is loaded. */
#include "catalog.h"
#include "bytecode.h"
#include "frontend.h"
#include "pack.h"
#include "sema.h"

#include <stdlib.h>
#include <string.h>

static const char *type_name(const hm_field *fd)
{
    if (fd->records == FIELD_RECORDS)
        return "records";
    if (fd->records == FIELD_ROWS)
        return "list";
    /* a link to another member is given as that member's id: text */
    return fd->vtype == VT_PERSON ? "text" : vt_name(fd->vtype);
}

static json_t *period_json(const hm_field *fd)
{
    if (fd->vtype != VT_MONEY || fd->period == PERIOD_ONCE)
        return json_null();
    return json_string(fd->period == PERIOD_PER_MONTH ? "month" : "year");
}

static json_t *codes_json(const hm_program *p, int32_t cs)
{
    json_t *a = json_array();
    const hm_codeset *c = &p->codesets[cs];
    for (int32_t i = 0; a && i < c->nlabels; i++) {
        int32_t at = c->first_label + 2 * i;
        json_array_append_new(a, json_pack("{s:s, s:s}", "code", prog_str(p, p->labels[at]), "label",
                                           prog_str(p, p->labels[at + 1])));
    }
    return a;
}

/* Filled at load from a reference table through a key fact: nobody gives it. */
static int is_refread(const hm_program *p, int32_t field)
{
    for (int32_t i = 0; i < p->nrefreads; i++)
        if (p->refreads[i].field == field)
            return 1;
    return 0;
}

/* The label of the first source declaration of fact `name`, else NULL. */
static const char *fact_label(sema *s, const char *name)
{
    sym *y = s ? symtab_get(&s->facts, name) : NULL;
    return y && y->decl && y->decl->str2 && y->decl->str2[0] ? y->decl->str2 : NULL;
}

static json_t *fact_json(const hm_program *p, sema *s, int32_t i)
{
    const hm_field *fd = &p->fields[i];
    const char *name = prog_str(p, fd->name), *dot = strchr(name, '.');
    const char *field = dot ? dot + 1 : name, *label = fact_label(s, name);
    json_t *sources = json_array();
    for (int32_t j = 0; sources && j < p->nfsources; j++)
        if (p->fsources[j].field == i)
            json_array_append_new(sources, json_string(prog_str(p, p->fsources[j].source)));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "name", name, "entity",
                          fd->entity == ENT_PERSON ? "person" : "household", "field", field, "label",
                          label ? label : field, "type", type_name(fd), "period", period_json(fd), "sources",
                          sources ? sources : json_null());
    if (o && fd->vtype == VT_CODE && fd->codeset >= 0 && fd->records != FIELD_ROWS)
        json_object_set_new(o, "codes", codes_json(p, fd->codeset));
    return o;
}

static const char *policy_entity(const hm_policy *P)
{
    return P->entity == ENT_HOUSEHOLD ? "household" : "person";
}

static json_t *policy_period(const hm_policy *P)
{
    if (P->amount_fn < 0)
        return json_null();
    return json_string(P->period == PERIOD_PER_MONTH ? "month" : P->period == PERIOD_PER_YEAR ? "year" : "once");
}

static json_t *policies_doc(const hm_pack *k, const hm_program *p, const catalog *c)
{
    json_t *pols = json_array(), *facts = json_array(), *params = json_array();
    for (int32_t i = 0; pols && i < p->npolicies; i++) {
        const hm_policy *P = &p->policies[i];
        json_t *reads = json_array();
        for (int32_t j = 0; reads && j < P->nfacts; j++) {
            int32_t f = p->ints[P->first_fact + j];
            if (f >= 0 && f < c->nfacts && c->facts[f].askable)
                json_array_append_new(reads, json_string(c->facts[f].name));
        }
        json_array_append_new(pols, json_pack("{s:s, s:s, s:s, s:o, s:b, s:o}", "name", prog_str(p, P->name),
                                              "label", prog_str(p, P->label), "entity", policy_entity(P),
                                              "period", policy_period(P), "has_amount", P->amount_fn >= 0,
                                              "facts", reads ? reads : json_null()));
    }
    for (int i = 0; facts && i < c->nfacts; i++)
        if (c->facts[i].askable)
            json_array_append(facts, c->facts[i].desc);
    for (int32_t i = 0; params && i < p->nparams; i++) {
        const hm_param *pa = &p->params[i];
        json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:o}", "name", prog_str(p, pa->name), "label",
                                                prog_str(p, pa->label), "type", vt_name(pa->vtype), "reference",
                                                pa->ref >= 0 ? json_string(prog_str(p, pa->ref)) : json_null()));
    }
    if (!pols || !facts || !params) {
        json_decref(pols);
        json_decref(facts);
        json_decref(params);
        return NULL;
    }
    return json_pack("{s:s, s:o, s:o, s:o}", "pack", hm_pack_hash(k), "policies", pols, "facts", facts,
                     "parameters", params);
}

int catalog_build(const hm_pack *k, sema *s, catalog *c)
{
    memset(c, 0, sizeof *c);
    const hm_program *p = pack_program(k);
    int rc = -1;
    if (!(c->facts = calloc(p->nfields ? (size_t)p->nfields : 1, sizeof *c->facts)))
        goto out;
    c->nfacts = p->nfields;
    for (int32_t i = 0; i < p->nfields; i++) {
        const hm_field *fd = &p->fields[i];
        c->facts[i].name = prog_str(p, fd->name);
        c->facts[i].entity = fd->entity == ENT_PERSON ? HM_ENTITY_PERSON : HM_ENTITY_HOUSEHOLD;
        c->facts[i].askable = fd->records != FIELD_ROWFIELD && !is_refread(p, i);
        if (!(c->facts[i].desc = fact_json(p, s, i)))
            goto out;
    }
    json_t *doc = policies_doc(k, p, c);
    if (!doc)
        goto out;
    c->policies = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (c->policies) {
        c->policies_len = strlen(c->policies);
        rc = 0;
    }
out:
    if (rc != 0)
        catalog_free(c);
    return rc;
}

void catalog_free(catalog *c)
{
    for (int i = 0; c->facts && i < c->nfacts; i++)
        json_decref(c->facts[i].desc);
    free(c->facts);
    free(c->policies);
    memset(c, 0, sizeof *c);
}

const cat_fact *catalog_fact(const catalog *c, const char *name, int *index)
{
    for (int i = 0; i < c->nfacts; i++)
        if (strcmp(c->facts[i].name, name) == 0) {
            if (index)
                *index = i;
            return &c->facts[i];
        }
    return NULL;
}

/* One question per (fact, member): member 0 for household facts, else
 * the member's number (1, 2, …). */
typedef struct question {
    int fact, member;
    json_t *policies;
} question;

static int by_order(const void *a, const void *b)
{
    const question *x = a, *y = b;
    if (x->member != y->member)
        return x->member < y->member ? -1 : 1;
    return x->fact < y->fact ? -1 : x->fact > y->fact;
}

static void add_policy(json_t *list, const char *policy)
{
    size_t i;
    json_t *v;
    json_array_foreach (list, i, v)
        if (strcmp(json_string_value(v), policy) == 0)
            return;
    json_array_append_new(list, json_string(policy));
}

json_t *catalog_questions(const catalog *c, const json_t *needs)
{
    json_t *out = json_array();
    const json_t *pols = json_object_get(needs, "decisions");
    size_t n = 0, cap = 16, i, j;
    question *q = malloc(cap * sizeof *q);
    json_t *d, *need;
    int oom = !out || !q;
    json_array_foreach (pols, i, d) {
        if (oom || strcmp(json_string_value(json_object_get(d, "status")), "undetermined") != 0)
            continue;
        const char *policy = json_string_value(json_object_get(d, "policy"));
        json_t *dm = json_object_get(d, "member");
        json_array_foreach (json_object_get(d, "needs"), j, need) {
            int f;
            const cat_fact *cf = catalog_fact(c, json_string_value(json_object_get(need, "fact")), &f);
            if (!cf || !cf->askable)
                continue;
            json_t *nm = json_object_get(need, "member");
            int member = cf->entity == HM_ENTITY_HOUSEHOLD ? 0
                       : json_is_integer(nm) ? (int)json_integer_value(nm)
                       : json_is_integer(dm) ? (int)json_integer_value(dm) : 0;
            size_t k = 0;
            while (k < n && !(q[k].fact == f && q[k].member == member))
                k++;
            if (k == n) {
                if (n == cap) {
                    question *more = realloc(q, 2 * cap * sizeof *q);
                    if (!more) {
                        oom = 1;
                        break;
                    }
                    q = more;
                    cap *= 2;
                }
                q[n++] = (question){ f, member, json_array() };
            }
            if (q[k].policies && policy)
                add_policy(q[k].policies, policy);
        }
    }
    if (!oom)
        qsort(q, n, sizeof *q, by_order);
    for (size_t k = 0; k < n; k++) {
        const json_t *desc = c->facts[q[k].fact].desc;
        json_t *pl = q[k].policies, *o = NULL;
        if (!oom && pl)
            o = json_pack("{s:s, s:o, s:O, s:O, s:O, s:O}", "fact", c->facts[q[k].fact].name, "member",
                          q[k].member ? json_integer(q[k].member) : json_null(), "label",
                          json_object_get(desc, "label"), "type", json_object_get(desc, "type"), "period",
                          json_object_get(desc, "period"), "policies", pl);
        json_decref(pl);
        if (o && json_object_get(desc, "codes"))
            json_object_set(o, "codes", json_object_get(desc, "codes"));
        if (!o || json_array_append_new(out, o))
            oom = 1;
    }
    free(q);
    if (oom) {
        json_decref(out);
        return NULL;
    }
    return out;
}
