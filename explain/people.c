/* people.c -- see people.h. */
#include "people.h"

#include "package.h"
#include "facts.h"
#include "i18n.h"
#include "mask.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

struct people {
    sema *s;
    const hm_program *p;
    const hm_facts *facts;
    char *const *member_ids;
    int32_t n;                  /* members */
    const char **rel, **rel_label;  /* per member, NULL where not known */
    int has_relation;           /* the pack has a relation fact */
};

/* The code of a value of a code set, shown by its label ("已婚" is
 * married), or NULL when it is no label of the set or is the code itself. */
static const char *code_of(const hm_type *t, const char *shown)
{
    if (!t || t->kind != T_CODE || !t->codeset || !t->codeset->decl || !shown)
        return NULL;
    for (const ast *l = t->codeset->decl->a; l; l = l->next)
        if (l->str2 && !strcmp(l->str2, shown))
            return strcmp(l->str, shown) ? l->str : NULL;
    return NULL;
}

static int is_relation(const hm_program *p, sema *s, const hm_field *fd)
{
    if (fd->entity != ENT_PERSON || fd->vtype != VT_CODE || fd->records || fd->codeset < 0 ||
        fd->codeset >= p->ncodesets)
        return 0;
    const char *name = prog_str(p, fd->name);
    const hm_codeset *cs = &p->codesets[fd->codeset];
    sym *f = s ? symtab_get(&s->facts, name) : NULL;
    const char *flabel = f && f->decl ? f->decl->str2 : NULL;
    return !strcmp(name, "person.relation") || !strcmp(prog_str(p, cs->name), "relation") ||
           (flabel && !strcmp(flabel, "与户主关系")) || !strcmp(prog_str(p, cs->label), "与户主关系");
}

people *people_new(const ex_input *in)
{
    const hm_program *p = in->p;
    const hm_facts *f = in->facts;
    people *pp = mem_alloc(sizeof *pp);
    if (!pp)
        return NULL;
    memset(pp, 0, sizeof *pp);
    pp->s = in->s;
    pp->p = p;
    pp->facts = f;
    pp->member_ids = in->member_ids;
    pp->n = f->hh_count[0];
    int32_t field = -1;
    for (int32_t k = 0; k < p->nfields && field < 0; k++)
        if (is_relation(p, in->s, &p->fields[k]))
            field = k;
    if (field < 0 || pp->n <= 0)
        return pp;
    pp->has_relation = 1;
    pp->rel = mem_alloc((size_t)pp->n * sizeof *pp->rel);
    pp->rel_label = mem_alloc((size_t)pp->n * sizeof *pp->rel_label);
    if (!pp->rel || !pp->rel_label) {
        people_free(pp);
        return NULL;
    }
    const hm_field *fd = &p->fields[field];
    const hm_codeset *cs = &p->codesets[fd->codeset];
    const hm_column *c = &f->pcol[fd->column];
    for (int32_t m = 0; m < pp->n; m++) {
        int32_t row = f->hh_first[0] + m;
        int64_t v = c->v[row];
        int ok = c->state[row] == FACT_KNOWN && v >= 0 && v < cs->nlabels;
        pp->rel[m] = ok ? prog_str(p, p->labels[cs->first_label + 2 * v]) : NULL;
        pp->rel_label[m] = ok ? prog_str(p, p->labels[cs->first_label + 2 * v + 1]) : NULL;
    }
    return pp;
}

void people_free(people *pp)
{
    if (!pp)
        return;
    mem_free(pp->rel);
    mem_free(pp->rel_label);
    mem_free(pp);
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

int people_household(const people *pp, json_t *hh)
{
    if (!pp->has_relation)
        return 0;
    json_t *codes = json_array(), *labels = json_array();
    int rc = codes && labels ? 0 : -1;
    for (int32_t m = 0; m < pp->n && !rc; m++)
        rc = json_array_append_new(codes, str_or_null(pp->rel[m])) ||
             json_array_append_new(labels, str_or_null(pp->rel_label[m]));
    rc = rc || json_object_set_new(hh, "member_relations", codes);
    rc = rc || json_object_set_new(hh, "member_relation_labels", labels);
    return rc ? -1 : 0;
}

/* The fact an expression of the source names, as a value read in a
 * condition shows it: "household.assets", "m.monthly_income" (a member's),
 * "deceased" (in `where`), unless LETS names it. */
static sym *fact_named(const people *pp, const char *expr, const json_t *lets)
{
    sym *f = symtab_get(&pp->s->facts, expr);     /* pp->s: see annotate */
    if (f)
        return f;
    size_t n = strlen(expr);
    const char *field = strrchr(expr, '.');
    field = field ? field + 1 : expr;
    if (n > 120 || !*field)
        return NULL;
    for (const char *c = expr; *c; c++)     /* a name or `x.name`, nothing else */
        if (*c == ' ' || *c == '(' || *c == '[' || *c == '"')
            return NULL;
    if (field == expr) {
        size_t i;
        json_t *l;
        json_array_foreach(lets, i, l)
            if (!strcmp(json_string_value(json_object_get(l, "name")) ?: "", expr))
                return NULL;
    } else if (strchr(expr, '.') != strrchr(expr, '.')) {
        return NULL;
    }
    char name[140];
    snprintf(name, sizeof name, "person.%s", field);
    return symtab_get(&pp->s->facts, name);
}

/* a value read by a condition or a derivation: {expr, value[, unknown]} */
static int named_value(json_t *v)
{
    const char *key;
    json_t *x;
    json_object_foreach(v, key, x)
        if (strcmp(key, "expr") && strcmp(key, "value") && strcmp(key, "unknown"))
            return 0;
    return 1;
}

static int annotate(const people *pp, json_t *v, const json_t *lets)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
            if (annotate(pp, x, lets))
                return -1;
        return 0;
    }
    if (!json_is_object(v))
        return 0;
    int rc = 0;
    json_t *m = json_object_get(v, "member");
    if (pp->has_relation && json_is_integer(m) && json_object_get(v, "member_id")) {
        json_int_t k = json_integer_value(m) - 1;
        if (k >= 0 && k < pp->n) {
            rc = json_object_set_new(v, "relation", str_or_null(pp->rel[k])) ||
                 json_object_set_new(v, "relation_label", str_or_null(pp->rel_label[k]));
        }
    }
    const char *fact = json_string_value(json_object_get(v, "fact"));
    const char *expr = json_string_value(json_object_get(v, "expr"));
    json_t *val = json_object_get(v, "value");
    sym *f = NULL;
    if (!pp->s)     /* a program without its checked source: no labels */
        ;
    else if (fact)
        f = symtab_get(&pp->s->facts, fact);
    else if (expr && val && named_value(v))
        f = fact_named(pp, expr, lets);
    if (f && !fact && f->decl && f->decl->str2)
        rc = rc || json_object_set_new(v, "label", json_string(f->decl->str2));
    if (f && json_is_string(val)) {
        const char *code = code_of(f->type, json_string_value(val));
        if (code)
            rc = rc || json_object_set_new(v, "value_code", json_string(code));
    }
    const char *key;
    json_t *x;
    json_object_foreach(v, key, x)
        if ((json_is_array(x) || json_is_object(x)) && annotate(pp, x, lets))
            return -1;
    return rc ? -1 : 0;
}

int people_decision(const people *pp, json_t *d)
{
    return annotate(pp, d, json_object_get(d, "lets"));
}

/* ---- in the text --------------------------------------------------------------------- */

/* a document's members: its text ("" when absent), whether it is given (package.h) */
#define S doc_text
#define has doc_has

void people_print_fact_name(FILE *out, const json_t *f, int again)
{
    if (!has(f, "label"))
        fputs(S(f, "fact"), out);
    else if (again)
        fputs(S(f, "label"), out);
    else
        fprintf(out, hm_tr("%s (%s)"), S(f, "label"), S(f, "fact"));
}

void people_print_value(FILE *out, const json_t *o, int audience)
{
    const char *v = S(o, "value");
    if (has(o, "value_code") && audience != EX_CITIZEN) {
        fprintf(out, hm_tr("%s (%s)"), v, S(o, "value_code"));
    } else {
        fputs(people_word(v), out);
    }
}

const char *people_word(const char *v)
{
    return !strcmp(v, "true") || !strcmp(v, "false") ? hm_tr(v) : v;
}

const char *people_duration(const char *d, char *buf, size_t size)
{
    static const struct { const char *unit, *words; } units[] = {
        { "day", N_("%ld day") },     { "days", N_("%ld days") },   { "month", N_("%ld month") },
        { "months", N_("%ld months") }, { "year", N_("%ld year") }, { "years", N_("%ld years") },
    };
    long n;
    char unit[16];
    if (sscanf(d, "%ld %15s", &n, unit) == 2)
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (!strcmp(unit, units[i].unit)) {
                snprintf(buf, size, hm_tr(units[i].words), n);
                return buf;
            }
    return d;
}

static void member_words(FILE *out, const json_t *o, const char *id)
{
    long long n = (long long)json_integer_value(json_object_get(o, "member"));
    int rel = has(o, "relation");
    if (!hm_i18n_zh()) {
        fprintf(out, "member %lld", n);
        if (rel && id)
            fprintf(out, " (%s, %s)", S(o, "relation"), id);
        else if (rel || id)
            fprintf(out, " (%s)", rel ? S(o, "relation") : id);
    } else if (rel && id) {
        fprintf(out, "%s %s", S(o, "relation_label"), id);
    } else if (rel || id) {
        fprintf(out, "成员 %lld（%s）", n, rel ? S(o, "relation_label") : id);
    } else {
        fprintf(out, "成员 %lld", n);
    }
}

void people_print_member(FILE *out, const json_t *o)
{
    member_words(out, o, has(o, "member_id") ? S(o, "member_id") : NULL);
}

void people_print_citizen_member(FILE *out, const json_t *o)
{
    const char *id = has(o, "member_id") ? S(o, "member_id") : NULL;
    if (!id) {
        member_words(out, o, NULL);
        return;
    }
    /* masked here too: the text may be printed from a document kept unmasked */
    size_t n = strlen(id) + 1;
    char small[64], *m = n <= sizeof small ? small : mem_alloc(n);
    if (!m)
        return;
    member_words(out, o, mask_id(id, m));
    if (m != small)
        mem_free(m);
}

void people_print_citizen_of(FILE *out, const json_t *o)
{
    if (!has(o, "member"))
        return;
    /* "已死亡（户主 3301…）", "deceased of member 1 (head, 3301…)" */
    fputs(hm_i18n_zh() ? "（" : " of ", out);
    people_print_citizen_member(out, o);
    if (hm_i18n_zh())
        fputs("）", out);
}

static const char *need_word(const char *need)
{
    static const char *const words[] = { N_("below"), N_("at most"), N_("above"), N_("at least"),
                                         N_("equal to"), N_("other than") };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(need, words[i]))
            return hm_tr(words[i]);
    return need;
}

void people_print_flip(FILE *out, const json_t *flip)
{
    if (!hm_i18n_zh()) {
        fputs(S(flip, "text"), out);
        return;
    }
    /* the same parts as the English text of explain.c */
    const char *subject = S(flip, "subject");
    if (!has(flip, "change")) {
        fprintf(out, hm_tr("would be met if %s were other than %s"), subject, S(flip, "threshold"));
        return;
    }
    const char *dir = S(flip, "direction");
    fprintf(out, hm_tr("would be met if %s were %s %s (now %s, %s %s)"), subject, need_word(S(flip, "needed")),
            S(flip, "threshold"), S(flip, "now"), S(flip, "change"), hm_tr(dir));
}

void people_print_waits_on(FILE *out, const json_t *u)
{
    size_t i, k;
    json_t *w, *f;
    json_array_foreach(json_object_get(u, "waits_on"), i, w) {
        fprintf(out, hm_tr("  undetermined because %s %s"), S(w, "policy"), S(w, "label"));
        if (has(w, "member")) {
            fputs(hm_tr(" ("), out);
            people_print_member(out, w);
            fputs(hm_tr(")"), out);
        }
        json_t *facts = json_object_get(w, "facts");
        if (!json_array_size(facts)) {
            fputs(hm_tr(" is undetermined\n"), out);
            continue;
        }
        fputs(hm_tr(" lacks "), out);
        json_array_foreach(facts, k, f) {
            if (k)
                fputs(hm_tr(", "), out);
            people_print_fact_name(out, f, 0);
            /* the member the policy is decided for is named once, before */
            if (has(f, "member") && json_integer_value(json_object_get(f, "member")) !=
                                        json_integer_value(json_object_get(w, "member"))) {
                fputs(hm_tr(" of "), out);
                people_print_member(out, f);
            }
        }
        fputc('\n', out);
    }
}

/* words explain.c writes in the document that the text shows as they are
 * (hm_tr of the word): here for the catalog */
static const char *const document_words[] __attribute__((unused)) = {
    N_("true"), N_("false"), N_("lower"), N_("higher"), N_("earlier"), N_("later"),
    N_("no row for the key"), N_("no row in force"), N_("not read"), N_("error"),
};

const char *people_state(const char *state)
{
    static const char *const words[] = { N_("known"), N_("missing"), N_("stale"), N_("invalid"),
                                         N_("conflict"), N_("unknown") };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(state, words[i]))
            return hm_tr(words[i]);
    return state;
}

const char *people_status(const char *status)
{
    if (!hm_i18n_zh())     /* the document's word, as it always was */
        return status;
    return !strcmp(status, "eligible") ? hm_tr("eligible") : !strcmp(status, "not_eligible") ? hm_tr("not eligible")
         : !strcmp(status, "not_applicable") ? hm_tr("not applicable")
         : !strcmp(status, "undetermined") ? hm_tr("undetermined") : status;
}

/* ---- what an unknown fact's values would decide ---------------------------------------- */

/* Each sentence below is built twice from the same fields: in English for
 * the document (tr 0, people_outcomes_english) and in the reader's words
 * for the text and the page (tr 1). */

/* a status as the sentences about outcomes say it: "not eligible", "不符合" */
static const char *status_words(const char *status, int tr)
{
    return !strcmp(status, "eligible") ? hm_tr_if(tr, "eligible")
         : !strcmp(status, "not_eligible") ? hm_tr_if(tr, "not eligible")
         : !strcmp(status, "not_applicable") ? hm_tr_if(tr, "not applicable") : hm_tr_if(tr, "undetermined");
}

static void decides_text(FILE *out, const json_t *f, int tr)
{
    char subject[512];
    if (has(f, "member"))
        snprintf(subject, sizeof subject, hm_tr_if(tr, "%s of member %lld"), S(f, "fact"),
                 (long long)json_integer_value(json_object_get(f, "member")));
    else
        snprintf(subject, sizeof subject, "%s", S(f, "fact"));
    int tried = !strcmp(S(f, "outcomes_by"), "values tried");
    const char *as = S(f, "decided_as");
    if (!*as)
        fprintf(out, tried ? hm_tr_if(tr, "the decision depends on %s (ranges found by trying values)")
                           : hm_tr_if(tr, "the decision depends on %s"), subject);
    else if (!strcmp(as, "undetermined"))
        fprintf(out, hm_tr_if(tr, "%s alone does not decide: other facts are unknown too"), subject);
    else if (tried)
        fprintf(out, hm_tr_if(tr, "%s for every value of %s tried"), status_words(as, tr), subject);
    else
        fprintf(out, hm_tr_if(tr, "%s whatever the value of %s"), status_words(as, tr), subject);
}

/* a range of numbers; nothing when the outcome has none (its value is one
 * value of a yes/no or a code) */
static void range_text(FILE *out, const json_t *oc, int tr)
{
    const char *range = S(oc, "range");
    if (!strcmp(range, "one"))
        fputs(S(oc, "lo"), out);
    else if (!strcmp(range, "any"))
        fputs(hm_tr_if(tr, "any value"), out);
    else if (!strcmp(range, "tried"))
        fprintf(out, hm_tr_if(tr, "every value tried, %s to %s"), S(oc, "lo"), S(oc, "hi"));
    else if (!strcmp(range, "at_most"))
        fprintf(out, hm_tr_if(tr, "at most %s"), S(oc, "hi"));
    else if (!strcmp(range, "at_least"))
        fprintf(out, hm_tr_if(tr, "at least %s"), S(oc, "lo"));
    else if (!strcmp(range, "between"))
        fprintf(out, hm_tr_if(tr, "from %s to %s"), S(oc, "lo"), S(oc, "hi"));
}

/* why an outcome is not eligible, from its "why"; nothing without one */
static void why_text(FILE *out, const json_t *oc, int tr)
{
    const json_t *why = json_object_get(oc, "why");
    const char *kind = S(why, "kind");
    long long line = (long long)json_integer_value(json_object_get(why, "line"));
    if (!strcmp(kind, "excluded"))
        fprintf(out, hm_tr_if(tr, "excluded by %s %s"), S(why, "policy"), S(why, "label"));
    else if (!strcmp(kind, "exception") && has(why, "message"))
        fprintf(out, hm_tr_if(tr, "exception at line %lld: %s"), line, S(why, "message"));
    else if (!strcmp(kind, "exception"))
        fprintf(out, hm_tr_if(tr, "exception at line %lld"), line);
    else if (!strcmp(kind, "not_met") && has(why, "message"))
        fprintf(out, hm_tr_if(tr, "not met: %s"), S(why, "message"));
    else if (!strcmp(kind, "not_met"))
        fprintf(out, hm_tr_if(tr, "not met: the condition at line %lld"), line);
    else
        fputs(S(why, "message"), out);
}

void people_print_decides(FILE *out, const json_t *f, int tr) { decides_text(out, f, tr); }

void people_print_outcome_value(FILE *out, const json_t *oc, int tr)
{
    if (has(oc, "range"))
        range_text(out, oc, tr);
    else
        people_print_value(out, oc, EX_REVIEWER);
}

void people_print_outcome_why(FILE *out, const json_t *oc, int tr) { why_text(out, oc, tr); }

/* k of o: the English sentence print makes of o2, or null when it makes none */
static int set_english(json_t *o, const char *k, void (*print)(FILE *, const json_t *, int), const json_t *o2)
{
    char *t = people_sprint(print, o2, 0);
    if (!t)
        return -1;
    int r = json_object_set_new(o, k, *t ? json_string(t) : json_null());
    free(t);
    return r;
}

int people_outcomes_english(json_t *fact, json_t *outcomes)
{
    size_t i;
    json_t *oc;
    json_array_foreach(outcomes, i, oc) {
        if (has(oc, "range") && set_english(oc, "value", range_text, oc) != 0)
            return -1;
        if (json_object_get(oc, "why") && set_english(oc, "reason", why_text, oc) != 0)
            return -1;
    }
    return set_english(fact, "decides", decides_text, fact);
}

char *people_sprint(void (*print)(FILE *, const json_t *, int), const json_t *o, int tr)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    print(f, o, tr);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- what an undetermined decision waits on ---------------------------------------- */

static sym *policy_sym(sema *s, const char *name)
{
    for (int i = 0; i < s->nmods; i++) {
        sym *y = symtab_get(&s->mods[i]->names, name);
        if (y && y->kind == SYM_POLICY)
            return y;
    }
    return NULL;
}

static int32_t policy_index(const hm_program *p, const char *name)
{
    for (int32_t i = 0; i < p->npolicies; i++)
        if (!strcmp(prog_str(p, p->policies[i].name), name))
            return i;
    return -1;
}

static const char *fact_state_word(int st)
{
    return st == FACT_MISSING ? "missing" : st == FACT_STALE ? "stale" : st == FACT_INVALID ? "invalid"
         : st == FACT_CONFLICT ? "conflict" : "unknown";
}

static json_t *member_obj(const people *pp, json_t *o, int32_t m)
{
    json_object_set_new(o, "member", m >= 0 ? json_integer(m + 1) : json_null());
    const char *id = pp->member_ids && m >= 0 && m < pp->n ? pp->member_ids[m] : NULL;
    json_object_set_new(o, "member_id", str_or_null(id));
    if (pp->has_relation && m >= 0 && m < pp->n) {
        json_object_set_new(o, "relation", str_or_null(pp->rel[m]));
        json_object_set_new(o, "relation_label", str_or_null(pp->rel_label[m]));
    }
    return o;
}

/* policy q (for member m, -1 the household) as one entry of waits_on */
static void waits_on_one(const people *pp, json_t *arr, int32_t q, int32_t m)
{
    const hm_program *p = pp->p;
    const hm_policy *Q = &p->policies[q];
    json_t *w = json_object();
    json_object_set_new(w, "policy", json_string(prog_str(p, Q->name)));
    json_object_set_new(w, "label", str_or_null(Q->label >= 0 ? prog_str(p, Q->label) : NULL));
    member_obj(pp, w, m);
    json_t *facts = json_array();
    for (int32_t k = 0; k < Q->nfacts; k++) {
        const hm_field *fd = &p->fields[p->ints[Q->first_fact + k]];
        const char *name = prog_str(p, fd->name);
        sym *f = pp->s ? symtab_get(&pp->s->facts, name) : NULL;
        /* a household fact once; a person fact for the member, or for
         * each member it lacks */
        int32_t from = fd->entity == ENT_HOUSEHOLD ? -1 : m >= 0 ? m : 0;
        int32_t to = fd->entity == ENT_HOUSEHOLD ? 0 : m >= 0 ? m + 1 : pp->n;
        for (int32_t mm = from; mm < to; mm++) {
            int st = facts_value_state(pp->facts, fd, 0, mm < 0 ? 0 : mm);
            if (st == FACT_KNOWN)
                continue;
            json_t *o = json_object();
            json_object_set_new(o, "fact", json_string(name));
            json_object_set_new(o, "label", str_or_null(f && f->decl ? f->decl->str2 : NULL));
            json_object_set_new(o, "state", json_string(fact_state_word(st)));
            member_obj(pp, o, mm);
            json_array_append_new(facts, o);
        }
    }
    json_object_set_new(w, "facts", facts);
    json_array_append_new(arr, w);
}

json_t *people_waits_on(const people *pp, hm_vm *vm, int32_t pol, int32_t member)
{
    const hm_program *p = pp->p;
    json_t *arr = json_array();
    sym *P = pp->s ? policy_sym(pp->s, prog_str(p, p->policies[pol].name)) : NULL;
    for (dep *d = P ? P->deps : NULL; d; d = d->next) {
        if (!d->to || d->to->kind != SYM_POLICY)
            continue;
        int32_t q = policy_index(p, d->to->name);
        if (q < 0 || q == pol || p->policies[q].entity == ENT_CLAIM)
            continue;
        /* a dependency named twice is listed once */
        int seen = 0;
        for (dep *e = P->deps; e != d && !seen; e = e->next)
            seen = e->to == d->to;
        if (seen)
            continue;
        if (p->policies[q].entity == ENT_HOUSEHOLD) {
            if (vm_decide(vm, q, -1)->status == DEC_UNDETERMINED)
                waits_on_one(pp, arr, q, -1);
        } else {
            for (int32_t m = 0; m < pp->n; m++)
                if ((member < 0 || m == member) && vm_decide(vm, q, m)->status == DEC_UNDETERMINED)
                    waits_on_one(pp, arr, q, m);
        }
    }
    return arr;
}

void people_print_citizen_waits_on(FILE *out, const json_t *u)
{
    size_t i, k;
    json_t *w, *f;
    json_array_foreach(json_object_get(u, "waits_on"), i, w) {
        fprintf(out, hm_tr("    · Decided once %s is: "), S(w, "label"));
        json_t *facts = json_object_get(w, "facts");
        if (!json_array_size(facts))
            fputs(hm_tr("it is undetermined too"), out);
        json_array_foreach(facts, k, f) {
            if (k)
                fputs(hm_tr(", "), out);
            fprintf(out, k ? "%s" : hm_tr("information to give: %s"), has(f, "label") ? S(f, "label") : S(f, "fact"));
            if (json_integer_value(json_object_get(f, "member")) != json_integer_value(json_object_get(w, "member")))
                people_print_citizen_of(out, f);
        }
        fputc('\n', out);
    }
}
