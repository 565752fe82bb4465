/* export.c -- `huimin export`: one household of the configured population
 * as the JSON household `huimin run --given` reads (and `huimin serve`
 * answers for): each value the sources gave with its date and source, so
 * that freshness limits apply to it as they do in a population run. */
#include "export.h"
#include "calendar.h"
#include "fen.h"
#include "one.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *text_of(const hm_facts *f, int64_t v)
{
    int64_t i = -(v + 1);
    return i >= 0 && i < f->ntexts ? f->texts[i] : "";
}

/* One value of type vtype as the JSON facts reader takes it. */
static json_t *value_json(const hm_program *p, const hm_facts *f, const hm_field *fd, int64_t v)
{
    char buf[64];
    switch (fd->vtype) {
    case VT_BOOL: return json_boolean(v != 0);
    case VT_INT: case VT_DURATION: return json_integer(v);
    case VT_MONEY:
        fen_format(v, buf, sizeof buf);
        return json_string(buf);
    case VT_DECIMAL: {
        uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        int n = snprintf(buf, sizeof buf, "%s%" PRIu64 ".%06" PRIu64, v < 0 ? "-" : "", a / 1000000, a % 1000000);
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = '\0';
        return json_string(buf);
    }
    case VT_DATE:
        cal_format((int32_t)v, buf);
        return json_string(buf);
    case VT_TEXT: return json_string(text_of(f, v));
    case VT_CODE: {
        const hm_codeset *cs = fd->codeset >= 0 ? &p->codesets[fd->codeset] : NULL;
        if (!cs || v < 0 || v >= cs->nlabels)
            return json_null();
        return json_string(prog_str(p, p->labels[cs->first_label + 2 * v]));
    }
    case VT_PERSON: return json_pack("{s:I}", "member", (json_int_t)v + 1);
    default: return json_null();
    }
}

/* The source name of value row of field i (nth of its sources), or NULL. */
static const char *source_name(const hm_program *p, int32_t field, int nth)
{
    for (int32_t j = 0, k = 0; j < p->nfsources; j++)
        if (p->fsources[j].field == field && k++ == nth)
            return prog_str(p, p->fsources[j].source);
    return NULL;
}

/* The facts of the household (member -1) or of a member into o. */
static int fill(const hm_program *p, const hm_facts *f, int32_t member, json_t *o)
{
    int ent = member < 0 ? ENT_HOUSEHOLD : ENT_PERSON;
    int32_t row = member < 0 ? 0 : f->hh_first[0] + member;
    for (int32_t i = 0; i < p->nfields; i++) {
        const hm_field *fd = &p->fields[i];
        const char *dot = strchr(prog_str(p, fd->name), '.');
        const char *key = dot ? dot + 1 : prog_str(p, fd->name);
        if (fd->entity != ent || fd->records == FIELD_ROWFIELD)
            continue;
        int refread = 0;
        for (int32_t r = 0; r < p->nrefreads; r++)
            refread |= p->refreads[r].field == i;
        if (refread)
            continue;
        json_t *v = NULL;
        if (fd->records == FIELD_RECORDS) {
            const hm_rcolumn *rc = &f->rcol[fd->column];
            if (rc->state[row] != FACT_KNOWN)
                continue;
            v = json_array();
            for (int32_t k = rc->first[row]; v && k < rc->first[row] + rc->count[row]; k++) {
                char day[16];
                cal_format(rc->date[k], day);
                json_array_append_new(v, json_pack("{s:s, s:o}", "date", day, "value", value_json(p, f, fd, rc->v[k])));
            }
        } else if (fd->records == FIELD_ROWS) {
            const hm_rcolumn *rc = &f->rcol[fd->column];
            if (rc->state[row] != FACT_KNOWN)
                continue;
            int32_t end = i + 1;
            while (end < p->nfields && p->fields[end].records == FIELD_ROWFIELD)
                end++;
            size_t skip = strlen(prog_str(p, fd->name)) + 1;
            v = json_array();
            for (int32_t k = 0; v && k < rc->count[row]; k++) {
                json_t *rec = json_object();
                for (int32_t c = i + 1; rec && c < end; c++) {
                    const hm_field *cf = &p->fields[c];
                    const hm_rcolumn *cc = &f->rcol[cf->column];
                    /* a field missing in a record is left out */
                    if (k < cc->count[row] && cc->date[cc->first[row] + k] != FACT_NO_DATE)
                        json_object_set_new(rec, prog_str(p, cf->name) + skip,
                                            value_json(p, f, cf, cc->v[cc->first[row] + k]));
                }
                json_array_append_new(v, rec);
            }
        } else {
            const hm_column *c = member < 0 ? &f->hcol[fd->column] : &f->pcol[fd->column];
            /* stale values too: the reader applies the freshness limit again */
            if ((c->state[row] != FACT_KNOWN && c->state[row] != FACT_STALE) || facts_assumed(c, row))
                continue;
            json_t *val = value_json(p, f, fd, c->v[row]);
            int32_t d = facts_asof(c, row);
            const char *src = source_name(p, i, c->src ? (c->src[row] == FACT_SRC_UNKNOWN ? -1 : c->src[row]) : 0);
            if (d == FACT_NO_DATE && !src)
                v = val;
            else {
                v = json_pack("{s:o}", "value", val);
                char day[16];
                if (v && d != FACT_NO_DATE) {
                    cal_format(d, day);
                    json_object_set_new(v, "as_of", json_string(day));
                }
                if (v && src)
                    json_object_set_new(v, "source", json_string(src));
            }
        }
        if (!v || json_object_set_new(o, key, v))
            return -1;
    }
    return 0;
}

int export_household(const hm_program *p, const char *config, const char *const *sets, int nsets,
                     const char *as_of, const char *household, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    hm_one one;
    memset(&one, 0, sizeof one);
    if (one_open(&one, p, config, sets, nsets, as_of, household, NULL, err, errlen) != 0) {
        one_close(&one);
        return HM_EUSAGE;
    }
    const hm_facts *f = &one.L.facts;
    json_t *hh = json_object(), *members = json_array();
    int rc = hh && members ? 0 : -1;
    if (!rc && one.L.hid && one.L.hid[0])
        rc = json_object_set_new(hh, "id", json_string(one.L.hid[0]));
    if (!rc)
        rc = fill(p, f, -1, hh);
    for (int32_t m = 0; !rc && m < f->hh_count[0]; m++) {
        json_t *o = json_object();
        const char *id = one.L.pid ? one.L.pid[f->hh_first[0] + m] : NULL;
        rc = !o || (id && json_object_set_new(o, "id", json_string(id))) || fill(p, f, m, o) ||
             json_array_append_new(members, o) ? -1 : 0;
    }
    if (!rc && !json_object_set_new(hh, "members", members)) {
        members = NULL;
        *out = json_pack("{s:o}", "household", hh);
        hh = NULL;
    }
    json_decref(members);
    json_decref(hh);
    one_close(&one);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return HM_ENOMEM;
    }
    return HM_OK;
}
