/* needs.c -- `huimin needs`: the facts each policy can read (directly or
 * through lets, functions and other policies) and the sources that
 * provide them; and for one household, what is still missing before each
 * undecided policy can be decided, and which department gives it. */
#include "huimin.h"
#include "calendar.h"
#include "explain.h"
#include "frontend.h"
#include "given.h"
#include "mask.h"
#include "mem.h"
#include "one.h"
#include "people.h"
#include "plugin.h"
#include "utf8.h"
#include "vm.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct needs_ctx {
    const hm_program *p;
    FILE *out;
    json_t *list;           /* JSON: the array being filled; NULL for text */
    int32_t only;           /* the one policy asked for, or -1 */
    /* one household; f NULL for the list of what each policy reads */
    const hm_facts *f;
    const hm_one *one;      /* --config: ids, configured sources, data issues */
    int32_t member;         /* --person: the one member decided, else -1 */
    /* text column widths */
    int wname, wlabel, wwho, wfact, wtype, wstate, wsrc;
    int oom;                /* a JSON value or a masked id could not be made */
    int replaced;           /* bytes of text not UTF-8, shown as U+FFFD */
    int mask;               /* ids and ID numbers masked (mask.h) */
    sema *s;
    people *people;         /* what an undetermined decision waits on */
} needs_ctx;

/* Append v (taken) to the JSON array a, noting when either is missing. */
static void add(needs_ctx *x, json_t *a, json_t *v)
{
    if (!a || !v || json_array_append_new(a, v))
        x->oom = 1;
    if (!a)
        json_decref(v);
}

/* Text from the sources (ids, data issues) for JSON: bytes that are not
 * UTF-8 become U+FFFD and are counted, never a value left out. */
static json_t *jtext(needs_ctx *x, const char *s)
{
    return utf8_json_text(s, strlen(s), &x->replaced);
}

/* A text cut at a buffer's end ends with the last whole character. */
static void whole_chars(char *buf)
{
    size_t len = strlen(buf), k = len;
    while (k > 0 && ((unsigned char)buf[k - 1] & 0xc0) == 0x80)
        k--;
    if (k == 0 || !((unsigned char)buf[k - 1] & 0x80))
        return;
    unsigned c = (unsigned char)buf[k - 1];
    size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (len - (k - 1) < want)
        buf[k - 1] = '\0';
}

static int width(const char *s)
{
    return utf8_display_width(s, strlen(s));
}

/* s, then spaces up to `w` columns */
static void pad(FILE *out, const char *s, int w)
{
    fputs(s, out);
    for (int n = width(s); n < w; n++)
        fputc(' ', out);
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

static int selected(const needs_ctx *x, int32_t i)
{
    return x->only < 0 || x->only == i;
}

static const hm_field *field_k(const hm_program *p, const hm_policy *P, int32_t k)
{
    return &p->fields[p->ints[P->first_fact + k]];
}

/* "31 days", "6 months", "1 year" */
static void fresh_text(const hm_fsource *fs, char *buf, size_t n)
{
    static const char *unit[] = { "", "day", "month", "year" };
    int u = fs->fresh_unit >= 1 && fs->fresh_unit <= 3 ? fs->fresh_unit : 1;
    snprintf(buf, n, "%d %s%s", fs->fresh, unit[u], fs->fresh == 1 ? "" : "s");
}

/* Does this source take part here?  With a configuration, only the
 * configured sources provide anything. */
static int source_used(const needs_ctx *x, const hm_fsource *fs)
{
    return !x->one || load_find_source(&x->one->L, prog_str(x->p, fs->source)) >= 0;
}

/* "registry (fresh within 31 days), civil" */
static void sources_text(const needs_ctx *x, int32_t field, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int32_t j = 0; j < x->p->nfsources && at < n; j++) {
        const hm_fsource *fs = &x->p->fsources[j];
        if (fs->field != field || !source_used(x, fs))
            continue;
        char fr[48] = "";
        if (fs->fresh) {
            char t[24];
            fresh_text(fs, t, sizeof t);
            snprintf(fr, sizeof fr, " (fresh within %s)", t);
        }
        at += (size_t)snprintf(buf + at, n - at, "%s%s%s", at ? ", " : "", prog_str(x->p, fs->source), fr);
    }
    whole_chars(buf);
}

static json_t *sources_json(needs_ctx *x, int32_t field)
{
    json_t *a = json_array();
    for (int32_t j = 0; j < x->p->nfsources; j++) {
        const hm_fsource *fs = &x->p->fsources[j];
        if (fs->field != field || !source_used(x, fs))
            continue;
        char fr[24];
        if (fs->fresh)
            fresh_text(fs, fr, sizeof fr);
        add(x, a, json_pack("{s:s, s:o}", "source", prog_str(x->p, fs->source), "fresh_within",
                            fs->fresh ? json_string(fr) : json_null()));
    }
    return a;
}

static void type_text(const hm_program *p, const hm_field *fd, char *buf, size_t n)
{
    plugin_type_name(fd->vtype, fd->period, fd->records,
                     fd->codeset >= 0 ? prog_str(p, p->codesets[fd->codeset].name) : NULL, buf, n);
}

static const char *entity_name(const hm_policy *P)
{
    return P->entity == ENT_PERSON ? "person" : "household";
}

/* ---- what each policy reads ------------------------------------------------ */

static void list_reads(needs_ctx *x)
{
    const hm_program *p = x->p;
    char type[128], src[1024];
    for (int32_t i = 0; i < p->npolicies; i++)
        for (int32_t k = 0; selected(x, i) && k < p->policies[i].nfacts; k++) {
            const hm_field *fd = field_k(p, &p->policies[i], k);
            type_text(p, fd, type, sizeof type);
            x->wfact = max_int(x->wfact, width(prog_str(p, fd->name)));
            x->wtype = max_int(x->wtype, width(type));
        }
    int first = 1;
    for (int32_t i = 0; i < p->npolicies; i++) {
        if (!selected(x, i))
            continue;
        const hm_policy *P = &p->policies[i];
        json_t *facts = x->list ? json_array() : NULL;
        if (!x->list)
            fprintf(x->out, "%s%s \"%s\", for each %s: reads %d fact%s\n", first ? "" : "\n",
                    prog_str(p, P->name), prog_str(p, P->label), entity_name(P), P->nfacts,
                    P->nfacts == 1 ? "" : "s");
        first = 0;
        for (int32_t k = 0; k < P->nfacts; k++) {
            int32_t field = p->ints[P->first_fact + k];
            const hm_field *fd = &p->fields[field];
            type_text(p, fd, type, sizeof type);
            if (x->list) {
                add(x, facts, json_pack("{s:s, s:s, s:o}", "fact", prog_str(p, fd->name),
                                                       "type", type, "sources", sources_json(x, field)));
                continue;
            }
            sources_text(x, field, src, sizeof src);
            fputs("    ", x->out);
            pad(x->out, prog_str(p, fd->name), x->wfact + 2);
            pad(x->out, type, x->wtype + 2);
            fprintf(x->out, "%s\n", src);
        }
        if (x->list)
            add(x, x->list, json_pack("{s:s, s:s, s:s, s:o}", "policy", prog_str(p, P->name),
                                                     "label", prog_str(p, P->label), "entity",
                                                     entity_name(P), "facts", facts));
    }
}

/* ---- one household ------------------------------------------------------------- */

static const char *state_word(int st, int json)
{
    switch (st) {
    case FACT_MISSING: return "missing";
    case FACT_STALE: return "stale";
    case FACT_INVALID: return json ? "invalid" : "unusable";
    case FACT_CONFLICT: return "conflict";
    }
    return "known";
}

static const char *status_word(int s, int json)
{
    return s == DEC_ELIGIBLE ? "eligible" : s == DEC_NOT_ELIGIBLE ? (json ? "not_eligible" : "not eligible")
         : s == DEC_NOT_APPLICABLE ? (json ? "not_applicable" : "not applicable") : "undetermined";
}

/* An entity id as printed: masked (into *buf, freed by the caller) unless
 * ids are shown. */
static const char *id_text(needs_ctx *x, const char *id, char **buf)
{
    if (!x->mask)
        return id;
    mem_free(*buf);
    if (!(*buf = mem_alloc(strlen(id) + 1))) {
        x->oom = 1;
        return "";
    }
    return mask_id(id, *buf);
}

/* Free text from the sources, with the ID numbers in it masked unless ids
 * are shown. */
static void text_out(const needs_ctx *x, const char *s)
{
    if (x->mask)
        mask_fputs_text(s, x->out);
    else
        fputs(s, x->out);
}

/* "member 2 (3301…)", or "member 2" when the household has no ids */
static void member_text(needs_ctx *x, int32_t m, char *buf, size_t n)
{
    if (x->one) {
        char *id = NULL;
        snprintf(buf, n, "member %d (%s)", m + 1, id_text(x, x->one->L.pid[m], &id));
        mem_free(id);
    } else
        snprintf(buf, n, "member %d", m + 1);
    whole_chars(buf);
}

/* The as-of date a value that is not used had, when it is known. */
static int32_t value_date(const hm_facts *f, const hm_field *fd, int32_t m)
{
    if (fd->records)
        return FACT_NO_DATE;
    return fd->entity == ENT_HOUSEHOLD ? facts_asof(&f->hcol[fd->column], 0)
                           : facts_asof(&f->pcol[fd->column], f->hh_first[0] + m);
}

/* "stale (as of 2024-01-01)" */
static void state_text(const needs_ctx *x, const hm_field *fd, int st, int32_t m, char *buf, size_t n)
{
    int32_t d = st == FACT_STALE ? value_date(x->f, fd, m) : FACT_NO_DATE;
    char day[16];
    if (d == FACT_NO_DATE) {
        snprintf(buf, n, "%s", state_word(st, 0));
        return;
    }
    cal_format(d, day);
    snprintf(buf, n, "%s (as of %s)", state_word(st, 0), day);
}

/* One fact not known for policy P (for member m; any m for a household
 * fact): a line of text, or an object of the decision's "needs"; then the
 * data issues behind it. */
static void print_need(needs_ctx *x, const hm_policy *P, int32_t field, int st, int32_t m, json_t *needs)
{
    const hm_program *p = x->p;
    const hm_field *fd = &p->fields[field];
    /* which member is meant, when the decision does not say it already */
    int32_t shown = fd->entity == ENT_PERSON && P->entity == ENT_HOUSEHOLD ? m : -1;
    int32_t row = fd->entity == ENT_PERSON ? x->f->hh_first[0] + m : 0;
    json_t *o = NULL, *issues = NULL;
    if (needs) {
        int32_t d = st == FACT_STALE ? value_date(x->f, fd, m) : FACT_NO_DATE;
        char day[16];
        if (d != FACT_NO_DATE)
            cal_format(d, day);
        o = json_pack("{s:s, s:s, s:o, s:o, s:o}", "fact", prog_str(p, fd->name), "state", state_word(st, 1),
                      "as_of", d != FACT_NO_DATE ? json_string(day) : json_null(), "member",
                      shown >= 0 ? json_integer(shown + 1) : json_null(), "sources", sources_json(x, field));
        issues = json_array();
    } else {
        char state[64], src[1024], who[300] = "";
        state_text(x, fd, st, m, state, sizeof state);
        sources_text(x, field, src, sizeof src);
        if (shown >= 0)
            member_text(x, shown, who, sizeof who);
        fputs("    ", x->out);
        pad(x->out, prog_str(p, fd->name), x->wfact + 2);
        pad(x->out, state, x->wstate + 2);
        if (who[0]) {
            pad(x->out, src, x->wsrc + 2);
            fputs(who, x->out);
        } else {
            fputs(src, x->out);
        }
        fputc('\n', x->out);
    }
    /* what the department's data said, for a value that could not be used */
    for (int32_t i = 0; x->one && i < x->one->L.nissues; i++) {
        const ld_issue *is = &x->one->L.issues[i];
        if (is->field != field || is->index != row)
            continue;
        const char *src = is->source >= 0 ? x->one->L.sources[is->source] : "?";
        if (needs)
            add(x, issues, json_pack("{s:o, s:s, s:o}", "source", jtext(x, src), "issue", load_issue_kind(is->kind),
                                     "detail", jtext(x, is->detail)));
        else {
            if (is->kind == ISSUE_CONFLICT)
                fputs("        ", x->out);     /* the detail names both sources */
            else
                fprintf(x->out, "        %s: ", src);
            text_out(x, is->detail);
            fputc('\n', x->out);
        }
    }
    if (needs) {
        if (json_object_set_new(o, "issues", issues))
            x->oom = 1;
        add(x, needs, o);
    }
}

/* One decision and, when it is undetermined, what is missing. */
static void print_decision(needs_ctx *x, hm_vm *vm, int32_t i, int32_t m)
{
    const hm_program *p = x->p;
    const hm_policy *P = &p->policies[i];
    const hm_decision *d = vm_decide(vm, i, m);
    int undetermined = d->status == DEC_UNDETERMINED;
    const char *error = undetermined && d->error ? vm_error(vm) : NULL;
    json_t *needs = x->list ? json_array() : NULL;
    char who[300] = "household";
    if (m >= 0)
        member_text(x, m, who, sizeof who);
    if (!x->list) {
        pad(x->out, prog_str(p, P->name), x->wname + 2);
        pad(x->out, prog_str(p, P->label), x->wlabel + 2);
        pad(x->out, who, x->wwho + 2);
        fprintf(x->out, "%s\n", status_word(d->status, 0));
        if (error) {
            fputs("    a runtime error: ", x->out);
            text_out(x, error);
            fputc('\n', x->out);
        }
    }
    int listed = 0;
    for (int32_t k = 0; undetermined && !error && k < P->nfacts; k++) {
        int32_t field = p->ints[P->first_fact + k];
        const hm_field *fd = &p->fields[field];
        if (facts_read_state(x->f, P, fd, 0, m) == FACT_KNOWN)
            continue;
        if (fd->entity == ENT_HOUSEHOLD || P->entity == ENT_PERSON) {
            print_need(x, P, field, facts_read_state(x->f, P, fd, 0, m), m < 0 ? 0 : m, needs);
            listed++;
            continue;
        }
        /* a household policy reading a person fact: each member it is missing for */
        for (int32_t mm = 0; mm < x->f->hh_count[0]; mm++) {
            int st = facts_value_state(x->f, fd, 0, mm);
            if (st != FACT_KNOWN) {
                print_need(x, P, field, st, mm, needs);
                listed++;
            }
        }
    }
    /* the policies it reads that are undetermined, with the facts each lacks */
    json_t *waits = undetermined && !error && x->people ? people_waits_on(x->people, vm, i, m) : NULL;
    if (waits && x->mask && explain_mask_ids(waits))
        x->oom = 1;
    if (!x->list && json_array_size(waits)) {
        json_t *u = json_pack("{s:O}", "waits_on", waits);
        if (u)
            people_print_waits_on(x->out, u);
        json_decref(u);
    } else if (!x->list && undetermined && !error && !listed)
        fprintf(x->out, "    (every fact it reads is known; a value computed from them is not)\n");
    if (x->list) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:o}", "policy",
                                                 prog_str(p, P->name), "label", prog_str(p, P->label),
                                                 "entity", entity_name(P), "member",
                                                 m >= 0 ? json_integer(m + 1) : json_null(), "status",
                                                 status_word(d->status, 1), "error",
                                                 error ? jtext(x, error) : json_null(), "needs", needs);
        if (o && waits && json_object_set(o, "waits_on", waits))
            x->oom = 1;
        add(x, x->list, o);
    }
    json_decref(waits);
}

/* Widths of the text columns, from every row that could be printed. */
static void household_widths(needs_ctx *x)
{
    const hm_program *p = x->p;
    char buf[1024];
    x->wwho = width("household");
    for (int32_t m = 0; m < x->f->hh_count[0]; m++) {
        member_text(x, m, buf, sizeof buf);
        x->wwho = max_int(x->wwho, width(buf));
    }
    x->wstate = width("stale (as of 2024-01-01)");
    for (int32_t i = 0; i < p->npolicies; i++) {
        if (!selected(x, i))
            continue;
        const hm_policy *P = &p->policies[i];
        x->wname = max_int(x->wname, width(prog_str(p, P->name)));
        x->wlabel = max_int(x->wlabel, width(prog_str(p, P->label)));
        for (int32_t k = 0; k < P->nfacts; k++) {
            int32_t field = p->ints[P->first_fact + k];
            x->wfact = max_int(x->wfact, width(prog_str(p, p->fields[field].name)));
            sources_text(x, field, buf, sizeof buf);
            x->wsrc = max_int(x->wsrc, width(buf));
        }
    }
}

static int decide_household(needs_ctx *x, int32_t as_of, const vm_extern *externs)
{
    const hm_program *p = x->p;
    hm_vm *vm = vm_new(p);
    if (!vm)
        return HM_ENOMEM;
    vm_bind(vm, x->f, as_of);
    if (externs)
        vm_bind_externs(vm, externs);
    ex_input in = { .p = p, .s = x->s, .facts = (hm_facts *)x->f, .member_ids = x->one ? x->one->L.pid : NULL };
    if (vm_begin_household(vm, 0) < 0 || !(x->people = people_new(&in))) {
        vm_free(vm);
        return HM_ENOMEM;
    }
    char day[16];
    cal_format(as_of, day);
    int32_t n = x->f->hh_count[0];
    if (!x->list) {
        household_widths(x);
        char *pid = NULL, *hid = NULL;
        if (x->one && x->member >= 0)
            fprintf(x->out, "person %s (member %d of household %s) as of %s\n",
                    id_text(x, x->one->L.pid[x->member], &pid), x->member + 1, id_text(x, x->one->L.hid[0], &hid),
                    day);
        else if (x->one)
            fprintf(x->out, "household %s as of %s: %d member%s\n", id_text(x, x->one->L.hid[0], &hid), day, n,
                    n == 1 ? "" : "s");
        else
            fprintf(x->out, "as of %s: %d member%s\n", day, n, n == 1 ? "" : "s");
        mem_free(pid);
        mem_free(hid);
        fputc('\n', x->out);
    }
    for (int32_t i = 0; i < p->npolicies; i++) {
        if (!selected(x, i))
            continue;
        if (p->policies[i].entity != ENT_PERSON) {
            print_decision(x, vm, i, -1);
            continue;
        }
        for (int32_t m = 0; m < n; m++)
            if (x->member < 0 || m == x->member)
                print_decision(x, vm, i, m);
    }
    people_free(x->people);
    x->people = NULL;
    vm_free(vm);
    return HM_OK;
}

/* ---- the entry point ------------------------------------------------------------- */

int batch_find_policy(const hm_program *p, const char *name, int32_t *out, char *err, size_t errlen)
{
    *out = -1;
    if (!name)
        return HM_OK;
    for (int32_t i = 0; i < p->npolicies; i++)
        if (strcmp(prog_str(p, p->policies[i].name), name) == 0) {
            *out = i;
            return HM_OK;
        }
    size_t at = (size_t)snprintf(err, errlen, "--policy: no policy `%s` in these files (they have:", name);
    for (int32_t i = 0; i < p->npolicies && at < errlen; i++)
        at += (size_t)snprintf(err + at, errlen - at, "%s %s", i ? "," : "", prog_str(p, p->policies[i].name));
    if (at < errlen)
        snprintf(err + at, errlen - at, ")");
    return HM_EUSAGE;
}

/* The JSON document: {"policies": [...]} for the list, else {"as_of",
 * "household", "members", "decisions"}. */
static json_t *json_household(needs_ctx *x, int32_t as_of, json_t *decisions)
{
    char day[16];
    cal_format(as_of, day);
    json_t *members = json_array();
    for (int32_t m = 0; m < x->f->hh_count[0]; m++)
        add(x, members, json_pack("{s:i, s:o}", "member", (int)m + 1, "id",
                                  x->one ? jtext(x, x->one->L.pid[m]) : json_null()));
    return json_pack("{s:s, s:o, s:o, s:o}", "as_of", day, "household",
                     x->one ? jtext(x, x->one->L.hid[0]) : json_null(), "members", members, "decisions",
                     decisions);
}

int needs_json(const hm_program *p, sema *s, const hm_facts *f, int32_t as_of, int32_t policy, json_t **out)
{
    *out = NULL;
    needs_ctx x = { .p = p, .f = f, .member = -1, .only = policy, .s = s };
    if (!(x.list = json_array()))
        return HM_ENOMEM;
    int rc = decide_household(&x, as_of, NULL);
    json_t *doc = rc == HM_OK ? json_household(&x, as_of, x.list) : NULL;
    if (rc != HM_OK)
        json_decref(x.list);
    if (rc == HM_OK && (!doc || x.oom)) {
        json_decref(doc);
        return HM_ENOMEM;
    }
    *out = doc;
    return rc;
}

int hm_compiler_needs(hm_compiler *c, const hm_needs_options *o, FILE *out, char *err, size_t errlen)
{
    err[0] = '\0';
    if (o->config && o->given) {
        snprintf(err, errlen, "a household comes from --given or from --config, not both");
        return HM_EUSAGE;
    }
    if ((o->household || o->person) && !o->config) {
        snprintf(err, errlen, "--household and --person need --config FILE");
        return HM_EUSAGE;
    }
    if (o->config && !o->household == !o->person) {
        snprintf(err, errlen, o->household ? "--household and --person do not go together"
                                           : "say which household with --household ID or --person ID");
        return HM_EUSAGE;
    }
    hm_program *p;
    sema *s;
    int rc = compiler_program(c, &p, &s);
    if (rc != HM_OK)
        return rc;
    needs_ctx x = { .p = p, .out = out, .member = -1, .mask = !o->show_ids, .s = s };
    if ((rc = batch_find_policy(p, o->policy, &x.only, err, errlen)) != HM_OK)
        return rc;
    int json = o->format == HM_FORMAT_JSON;
    if (json && !(x.list = json_array()))
        return HM_ENOMEM;
    json_t *doc = NULL;
    hm_facts given;
    hm_one one;
    memset(&given, 0, sizeof given);
    memset(&one, 0, sizeof one);
    int32_t as_of = 0;
    if (o->config) {
        if (one_open(&one, p, o->config, o->sets, o->nsets, o->as_of, o->household, o->person, err, errlen)) {
            rc = HM_EUSAGE;
            goto done;
        }
        x.f = &one.L.facts;
        x.one = &one;
        x.member = one.member;
        as_of = one.as_of;
        rc = decide_household(&x, as_of, one.L.externs);
    } else if (o->given) {
        if (given_as_of(o->as_of, &as_of)) {
            snprintf(err, errlen, "--as-of: `%s` is not a date (write YYYY-MM-DD)", o->as_of);
            rc = HM_EUSAGE;
            goto done;
        }
        int nmembers;
        if ((rc = given_facts(c, s, p, o->given_json, as_of, &given, &nmembers, err, errlen)) != HM_OK)
            goto done;
        x.f = &given;
        rc = decide_household(&x, as_of, NULL);
    } else {
        list_reads(&x);
    }
    if (rc == HM_OK && !json && x.oom)
        rc = HM_ENOMEM;     /* an id could not be masked */
    if (rc == HM_OK && json) {
        doc = x.f ? json_household(&x, as_of, x.list) : json_pack("{s:o}", "policies", x.list);
        x.list = NULL;      /* taken by doc */
        if (doc && x.mask && explain_mask_ids(doc))
            x.oom = 1;
        char *text = doc && !x.oom ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (!text) {
            rc = HM_ENOMEM;
            goto done;
        }
        fprintf(out, "%s\n", text);
        free(text);
        if (x.replaced)
            fprintf(stderr, "huimin: needs: warning: text from the sources is not UTF-8: each byte that is not is shown as U+FFFD\n");
    }
done:
    json_decref(x.list);
    json_decref(doc);
    facts_free(&given);
    one_close(&one);
    return rc;
}
