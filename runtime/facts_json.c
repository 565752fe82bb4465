/* facts_json.c -- a household's facts from JSON ({"household": {…,
 * "members": [{…}]}} or {"person": {…}}), read against the pack alone:
 * fields by name, their types, code labels and sources.  Every value is
 * checked against its field's type, so a misspelt fact or an inexact
 * amount is an error naming the file, never a silently missing fact. */
#include "household.h"
#include "mem.h"
#include "pack.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct jctx {
    const hm_program *p;
    hm_household *h;
    const char *path;
    char *err;
    size_t errlen;
    int oom;            /* out of memory: not the file's fault */
} jctx;

static int jerr(jctx *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int jerr(jctx *j, const char *fmt, ...)
{
    int n = j->path ? snprintf(j->err, j->errlen, "%s: ", j->path) : 0;
    if (n < 0 || (size_t)n >= j->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err + n, j->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int joom(jctx *j)
{
    j->oom = 1;
    return jerr(j, "out of memory");
}

/* A JSON value of type vtype (code set cs) for field `name`. */
static int json_scalar(jctx *j, const char *name, json_t *v, int vtype, int32_t cs, int64_t *out)
{
    const hm_program *p = j->p;
    switch (vtype) {
    case VT_BOOL:
        if (!json_is_boolean(v)) return jerr(j, "`%s` must be true or false", name);
        *out = json_is_true(v);
        return 0;
    case VT_PERSON: {
        /* another member: {"member": N}, N counting from 1 as listed */
        json_t *m = json_is_object(v) && json_object_size(v) == 1 ? json_object_get(v, "member") : NULL;
        if (!json_is_integer(m))
            return jerr(j, "`%s` is another member of the household: {\"member\": N}", name);
        json_int_t k = json_integer_value(m);
        if (k < 1 || k > j->h->nmembers)
            return jerr(j, "`%s`: the household has %d member%s; there is no member %lld", name,
                        (int)j->h->nmembers, j->h->nmembers == 1 ? "" : "s", (long long)k);
        *out = k - 1;
        return 0;
    }
    case VT_INT: case VT_DURATION:
        if (!json_is_integer(v)) return jerr(j, "`%s` must be a whole number", name);
        *out = json_integer_value(v);
        return 0;
    case VT_MONEY: case VT_DECIMAL: {
        int scale = vtype == VT_MONEY ? 2 : 6;
        if (json_is_integer(v)) {
            int64_t x = json_integer_value(v), m = vtype == VT_MONEY ? 100 : 1000000;
            if (__builtin_mul_overflow(x, m, out)) return jerr(j, "`%s` is too large", name);
            return 0;
        }
        if (json_is_string(v)) {
            if (rt_parse_scaled(json_string_value(v), scale, out) != 0)
                return jerr(j, "`%s`: \"%s\" is not a number with at most %d decimal places", name,
                            json_string_value(v), scale);
            return 0;
        }
        if (json_is_real(v)) {
            /* accepted only when the decimal value is exact at this scale */
            double d = json_real_value(v) * (vtype == VT_MONEY ? 100.0 : 1000000.0);
            double r = round(d);
            if (fabs(d - r) > 1e-6 || fabs(r) > 9e15)
                return jerr(j, "`%s`: write amounts with decimals as strings, e.g. \"1500.50\"", name);
            *out = (int64_t)r;
            return 0;
        }
        return jerr(j, "`%s` must be a number", name);
    }
    case VT_DATE: {
        int32_t d;
        if (!json_is_string(v) || rt_parse_date(json_string_value(v), &d) != 0)
            return jerr(j, "`%s` must be a date written \"YYYY-MM-DD\"", name);
        *out = d;
        return 0;
    }
    case VT_TEXT:
        if (!json_is_string(v)) return jerr(j, "`%s` must be text", name);
        *out = facts_text(&j->h->tx, json_string_value(v));
        if (*out == INT64_MIN) return joom(j);
        return 0;
    case VT_CODE: {
        const char *set = cs >= 0 ? prog_str(p, p->codesets[cs].name) : "?";
        if (!json_is_string(v)) return jerr(j, "`%s` must be a label of code set `%s`", name, set);
        int32_t l = cs >= 0 ? rt_code_label(p, cs, json_string_value(v)) : -1;
        if (l < 0) return jerr(j, "`%s`: code set `%s` has no label `%s`", name, set, json_string_value(v));
        *out = l;
        return 0;
    }
    default:
        return jerr(j, "`%s` cannot be given", name);
    }
}

/* The index of the source named by src among those declaring field, or
 * -1 with the reason in why. */
static int source_index(jctx *j, int32_t field, json_t *src, char *why, size_t n)
{
    if (!json_is_string(src)) {
        snprintf(why, n, "\"source\" must be the name of a source");
        return -1;
    }
    int nth = facts_source_index(j->p, field, json_string_value(src));
    if (nth < 0)
        facts_no_such_source(j->p, field, json_string_value(src), why, n);
    return nth;
}

/* A list of records with fields: [{"kind": "car", "value": 80000}, …]; a
 * field left out or null is missing (facts.h: its date says so). */
static int json_rows(jctx *j, json_t *v, const char *key, int32_t list, int32_t member)
{
    const hm_program *p = j->p;
    if (!json_is_array(v))
        return jerr(j, "`%s` is a list of records: [{\"FIELD\": VALUE, …}, …]", key);
    int32_t end = list + 1;
    while (end < p->nfields && p->fields[end].records == FIELD_ROWFIELD)
        end++;
    size_t skip = strlen(prog_str(p, p->fields[list].name)) + 1;
    for (int32_t k = list; k < end; k++)
        if (household_put_record(j->h, member, k, 0, 0, 1) < 0)
            return joom(j);
    size_t i;
    json_t *r;
    json_array_foreach(v, i, r) {
        if (!json_is_object(r))
            return jerr(j, "`%s`[%zu] must be an object of fields", key, i);
        const char *k2;
        json_t *v2;
        json_object_foreach(r, k2, v2) {
            int32_t k = list + 1;
            while (k < end && strcmp(prog_str(p, p->fields[k].name) + skip, k2) != 0)
                k++;
            if (k == end)
                return jerr(j, "`%s`[%zu]: a record has no field `%s`", key, i, k2);
        }
        if (household_put_record(j->h, member, list, 0, 0, 0) < 0)
            return joom(j);
        for (int32_t k = list + 1; k < end; k++) {
            const hm_field *fd = &p->fields[k];
            json_t *jv = json_object_get(r, prog_str(p, fd->name) + skip);
            int64_t val = 0;
            int32_t day = FACT_NO_DATE;
            if (jv && !json_is_null(jv)) {
                if (json_scalar(j, key, jv, fd->vtype, fd->codeset, &val))
                    return -1;
                day = 0;
            }
            if (household_put_record(j->h, member, k, day, val, 0) < 0)
                return joom(j);
        }
    }
    return 0;
}

/* The facts of the household (member -1) or of a member. */
static int json_obj(jctx *j, json_t *obj, int entity, int32_t member)
{
    const char *key;
    json_t *v;
    const char *ent = entity == ENT_PERSON ? "person" : "household";
    json_object_foreach(obj, key, v) {
        if (entity == ENT_HOUSEHOLD && strcmp(key, "members") == 0)
            continue;
        char full[300];
        snprintf(full, sizeof full, "%s.%s", ent, key);
        int32_t field = strlen(key) < 250 ? rt_field(j->p, full) : -1;
        if (field < 0 && strcmp(key, "id") == 0)
            continue;   /* the household's or the member's id (json_root) */
        if (field < 0 || j->p->fields[field].entity != entity || j->p->fields[field].records == FIELD_ROWFIELD)
            return jerr(j, "%s has no fact `%s`", ent, key);
        if (json_is_null(v))
            continue;   /* missing */
        const hm_field *fd = &j->p->fields[field];
        if (fd->records == FIELD_ROWS) {
            if (json_rows(j, v, key, field, member) < 0)
                return -1;
            continue;
        }
        if (fd->records) {
            if (!json_is_array(v))
                return jerr(j, "`%s` is a list of records: [{\"date\": \"2024-01-01\", \"value\": …}, …]", key);
            if (household_put_record(j->h, member, field, 0, 0, 1) < 0)
                return joom(j);
            size_t i;
            json_t *r;
            json_array_foreach(v, i, r) {
                json_t *jd = json_object_get(r, "date"), *jv = json_object_get(r, "value");
                int64_t day = 0, val = 0;
                if (!jd || !jv)
                    return jerr(j, "`%s`[%zu] needs \"date\" and \"value\"", key, i);
                if (json_scalar(j, key, jd, VT_DATE, -1, &day) || json_scalar(j, key, jv, fd->vtype, fd->codeset, &val))
                    return -1;
                if (household_put_record(j->h, member, field, (int32_t)day, val, 0) < 0)
                    return joom(j);
            }
            continue;
        }
        json_t *val = v;
        int32_t asof = FACT_NO_DATE;
        int nth = -1;
        if (json_is_object(v) && !(fd->vtype == VT_PERSON && json_object_get(v, "member"))) {
            /* {"value": …, "as_of": "YYYY-MM-DD", "source": NAME}: provenance,
             * for freshness limits (those of the source named) */
            val = json_object_get(v, "value");
            json_t *a = json_object_get(v, "as_of"), *src = json_object_get(v, "source");
            if (!val)
                return jerr(j, "`%s` needs a \"value\"", key);
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2)
                if (strcmp(k2, "value") && strcmp(k2, "as_of") && strcmp(k2, "source"))
                    return jerr(j, "`%s`: unknown key \"%s\" (a value's keys are \"value\", \"as_of\" and "
                                "\"source\")", key, k2);
            if (a) {
                int64_t d = 0;
                if (json_scalar(j, key, a, VT_DATE, -1, &d))
                    return -1;
                asof = (int32_t)d;
            }
            char why[512];
            if (src && (nth = source_index(j, field, src, why, sizeof why)) < 0)
                return jerr(j, "`%s`: %s", key, why);
            if (json_is_null(val))
                continue;
        }
        int64_t x;
        if (json_scalar(j, key, val, fd->vtype, fd->codeset, &x))
            return -1;
        if (household_put(j->h, member, field, x, asof, nth) < 0)
            return joom(j);
    }
    return 0;
}

/* The "id" of a household or member object o (NULL when none), unless
 * the pack has a fact of that name.  0, or -1 when it is not a text. */
static int json_id(jctx *j, json_t *o, const char *what, const char **id)
{
    json_t *v = json_is_object(o) ? json_object_get(o, "id") : NULL;
    char full[32];
    snprintf(full, sizeof full, "%s.id", strcmp(what, "household") ? "person" : "household");
    *id = NULL;
    if (!v || json_is_null(v) || rt_field(j->p, full) >= 0)
        return 0;
    if (!json_is_string(v) || !*json_string_value(v))
        return jerr(j, "the %s's \"id\" must be a text", what);
    *id = json_string_value(v);
    return 0;
}

/* Read root into a new household.  0, -1 bad (err), -3 out of memory. */
static int json_root(jctx *j, json_t *root, hm_household **out)
{
    int rc = -1;
    json_t *hh = json_object_get(root, "household"), *person = json_object_get(root, "person");
    json_t *members = hh ? json_object_get(hh, "members") : NULL;
    if (!json_is_object(hh) && !json_is_object(person))
        return jerr(j, "expected {\"household\": {…}} or {\"person\": {…}}");
    if (members && !json_is_array(members))
        return jerr(j, "\"members\" must be a list");
    int n = person ? 1 : (int)(members ? json_array_size(members) : 0);
    /* "id": the household's and each member's, given before any fact (a
     * link to another member names its id) */
    const char *hid;
    if (json_id(j, person ? NULL : hh, "household", &hid) < 0)
        return -1;
    if (!(j->h = household_new(j->p, hid)))
        return joom(j), -3;
    for (int k = 0; k < n; k++) {
        const char *id;
        if (json_id(j, person ? person : json_array_get(members, (size_t)k), person ? "person" : "member", &id) < 0)
            goto done;
        if (hm_household_add_member(j->h, id, NULL) != HM_OK) {
            joom(j);
            goto done;
        }
    }
    if (person)
        rc = json_obj(j, person, 2, 0);
    else {
        rc = json_obj(j, hh, 1, -1);
        for (int k = 0; k < n && rc == 0; k++) {
            json_t *m = json_array_get(members, (size_t)k);
            if (!json_is_object(m))
                rc = jerr(j, "member %d must be an object", k + 1);
            else
                rc = json_obj(j, m, 2, k);
        }
    }
done:
    if (rc != 0 || j->oom) {
        hm_household_free(j->h);
        j->h = NULL;
        return j->oom ? -3 : -1;
    }
    *out = j->h;
    return 0;
}

/* A parse error of jansson as a message; -3 out of memory, -1. */
static int load_error(jctx *j, const json_error_t *je)
{
    if (json_error_code(je) == json_error_out_of_memory)
        return joom(j), -3;
    return jerr(j, "line %d, column %d: %s", je->line, je->column, je->text);
}

int household_from_json_text(const hm_program *p, const char *json, size_t len, const char *name,
                             hm_household **out, char *err, size_t errlen)
{
    *out = NULL;
    jctx j = { p, NULL, name ? name : "(facts)", err, errlen, 0 };
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return load_error(&j, &je);
    int rc = json_root(&j, root, out);
    json_decref(root);
    return rc;
}

int household_from_json_root(const hm_program *p, json_t *root, hm_household **out, char *err, size_t errlen)
{
    *out = NULL;
    jctx j = { p, NULL, NULL, err, errlen, 0 };
    return json_root(&j, root, out);
}

int household_from_json_file(const hm_program *p, const char *path, hm_household **out, char *err,
                             size_t errlen)
{
    *out = NULL;
    int in = strcmp(path, "-") == 0;
    jctx j = { p, NULL, in ? "<stdin>" : path, err, errlen, 0 };
    json_error_t je;
    json_t *root = in ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &je)
                      : json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (json_error_code(&je) != json_error_out_of_memory && je.line < 0) {
            jerr(&j, "%s", je.text);
            return -2;  /* unreadable, not malformed */
        }
        return load_error(&j, &je);
    }
    int rc = json_root(&j, root, out);
    json_decref(root);
    return rc;
}

int hm_household_from_json(const hm_pack *k, const char *json, size_t len, const char *name, hm_household **out,
                           char *err, size_t errlen)
{
    if (!k || !json || !out) {
        if (out)
            *out = NULL;
        snprintf(err, errlen, "%s: no pack or no JSON", name ? name : "(facts)");
        return HM_EUSAGE;
    }
    int rc = household_from_json_text(pack_program(k), json, len, name, out, err, errlen);
    return rc == 0 ? HM_OK : rc == -3 ? HM_ENOMEM : HM_ERR;
}
