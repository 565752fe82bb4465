/* result.c -- reading a household's decisions (hm_result_*, huimin.h) and
 * writing them as the JSON `huimin run --given F --format json` prints. */
#include "result.h"
#include "mem.h"
#include "pack.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the pack ---- */

static const hm_policy *policy_of(const hm_pack *k, int i)
{
    return k && i >= 0 && i < k->prog.npolicies ? &k->prog.policies[i] : NULL;
}

int hm_pack_policy_count(const hm_pack *k) { return k ? k->prog.npolicies : 0; }

const char *hm_pack_policy_name(const hm_pack *k, int i)
{
    const hm_policy *P = policy_of(k, i);
    return P ? prog_str(&k->prog, P->name) : NULL;
}

const char *hm_pack_policy_label(const hm_pack *k, int i)
{
    const hm_policy *P = policy_of(k, i);
    return P ? prog_str(&k->prog, P->label) : NULL;
}

int hm_pack_policy_entity(const hm_pack *k, int i)
{
    const hm_policy *P = policy_of(k, i);
    return P ? P->entity : 0;
}

int hm_pack_policy_period(const hm_pack *k, int i)
{
    const hm_policy *P = policy_of(k, i);
    return P ? P->period : -1;
}

int hm_pack_policy_has_amount(const hm_pack *k, int i)
{
    const hm_policy *P = policy_of(k, i);
    return P ? P->amount_fn >= 0 : 0;
}

int hm_pack_fact_count(const hm_pack *k) { return k ? k->prog.nfields : 0; }

const char *hm_pack_fact_name(const hm_pack *k, int i)
{
    return k && i >= 0 && i < k->prog.nfields ? prog_str(&k->prog, k->prog.fields[i].name) : NULL;
}

int hm_pack_fact(const hm_pack *k, const char *name) { return k && name ? rt_field(&k->prog, name) : -1; }

const char *hm_pack_code_label(const hm_pack *k, int fact, const char *source, const char *raw)
{
    if (!k || fact < 0 || fact >= k->prog.nfields || !source || !raw)
        return NULL;
    const hm_program *p = &k->prog;
    int32_t cs = p->fields[fact].codeset;
    if (p->fields[fact].vtype != VT_CODE || cs < 0)
        return NULL;
    const hm_codeset *set = &p->codesets[cs];
    int maps = 0;
    for (int32_t i = 0; i < set->nmaps; i++) {
        const hm_codemap *m = &p->codemaps[set->first_map + i];
        if (strcmp(prog_str(p, m->source), source) != 0)
            continue;
        maps = 1;
        if (m->label >= 0 && strcmp(prog_str(p, m->raw), raw) == 0)
            return prog_str(p, p->labels[set->first_label + 2 * m->label]);
    }
    int32_t l = maps ? -1 : rt_code_label(p, cs, raw);
    return l >= 0 ? prog_str(p, p->labels[set->first_label + 2 * l]) : NULL;
}

/* ---- the result ---- */

void hm_result_free(hm_result *r) { mem_free(r); }
void hm_free(void *p) { free(p); }

static const res_decision *dec(const hm_result *r, int i)
{
    return r && i >= 0 && i < r->n ? &r->d[i] : NULL;
}

const char *hm_result_as_of(const hm_result *r) { return r ? r->as_of : NULL; }
int hm_result_member_count(const hm_result *r) { return r ? r->nmembers : 0; }
int hm_result_count(const hm_result *r) { return r ? r->n : 0; }

int hm_result_policy(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d ? d->policy : -1;
}

const char *hm_result_policy_name(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d ? prog_str(r->p, r->p->policies[d->policy].name) : NULL;
}

int hm_result_entity(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d ? r->p->policies[d->policy].entity : 0;
}

int hm_result_member(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d ? d->member : -1;
}

const char *hm_result_member_id(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d && d->member >= 0 && r->member_id[d->member] >= 0 ? r->text + r->member_id[d->member] : NULL;
}

int hm_result_claim(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d ? d->claim : -1;
}

int hm_result_status(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d ? d->status : 0;
}

int hm_result_has_amount(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d ? d->has_amount : 0;
}

long long hm_result_amount(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d ? d->amount : 0;
}

int hm_result_period(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d ? r->p->policies[d->policy].period : -1;
}

const char *hm_result_reason(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d && d->reason >= 0 ? r->text + d->reason : NULL;
}

int hm_result_missing_count(const hm_result *r, int i)
{
    const res_decision *d = dec(r, i);
    return d ? d->nmiss : 0;
}

const char *hm_result_missing_fact(const hm_result *r, int i, int j)
{
    const res_decision *d = dec(r, i);
    if (!d || j < 0 || j >= d->nmiss)
        return NULL;
    return prog_str(r->p, r->p->fields[r->miss[d->first_miss + j].field].name);
}

int hm_result_missing_state(const hm_result *r, int i, int j)
{
    const res_decision *d = dec(r, i);
    return d && j >= 0 && j < d->nmiss ? r->miss[d->first_miss + j].state : 0;
}

/* ---- as JSON ---- */

static void fmt_money(int64_t fen, char *buf, size_t n)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(buf, n, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", a / 100, a % 100);
}

static const char *period_word(int period)
{
    return period == PERIOD_PER_MONTH ? "month" : period == PERIOD_PER_YEAR ? "year" : "once";
}

/* Adds to o, or fails (out of memory). */
static int set(json_t *o, const char *key, json_t *v)
{
    return v && json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

char *hm_result_json(const hm_result *r)
{
    if (!r)
        return NULL;
    const hm_program *p = r->p;
    json_t *top = json_object(), *decs = json_array();
    int bad = !top || !decs;
    if (!bad)
        bad = set(top, "as_of", json_string(r->as_of)) || set(top, "members", json_integer(r->nmembers));
    for (int32_t i = 0; i < r->n && !bad; i++) {
        const res_decision *d = &r->d[i];
        const hm_policy *P = &p->policies[d->policy];
        char amount[32];
        fmt_money(d->amount, amount, sizeof amount);
        const char *id = hm_result_member_id(r, i), *why = hm_result_reason(r, i);
        json_t *o = json_object();
        bad = !o || json_array_append_new(decs, o) != 0;
        bad = bad || set(o, "policy", json_string(prog_str(p, P->name))) ||
              set(o, "label", json_string(prog_str(p, P->label))) ||
              set(o, "entity", json_string(P->entity == ENT_CLAIM    ? "claim"
                                           : P->entity == ENT_PERSON ? "person"
                                                                     : "household")) ||
              set(o, "member", d->member >= 0 ? json_integer(d->member + 1) : json_null()) ||
              (d->claim >= 0 && set(o, "claim", json_integer(d->claim + 1))) ||
              (id && set(o, "member_id", json_string(id))) ||
              set(o, "status", json_string(d->status == HM_ELIGIBLE       ? "eligible"
                                           : d->status == HM_NOT_ELIGIBLE ? "not_eligible"
                                           : d->status == HM_NOT_APPLICABLE ? "not_applicable"
                                                                           : "undetermined")) ||
              set(o, "amount", d->has_amount ? json_string(amount) : json_null()) ||
              set(o, "period", d->has_amount ? json_string(period_word(P->period)) : json_null()) ||
              set(o, "reason", why ? json_string(why) : json_null());
    }
    char *text = NULL;
    if (!bad) {
        int failed = set(top, "decisions", decs);
        decs = NULL;    /* taken by top, or freed */
        if (!failed)
            text = json_dumps(top, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    }
    json_decref(decs);
    json_decref(top);
    return text;
}
