/* given.c -- see given.h.  The JSON reader checks every value against the
 * type the policies declare, so a misspelt fact or an inexact amount is an
 * error with the file's name, never a silently missing fact. */
#include "given.h"
#include "calendar.h"
#include "mem.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

/* "1500.50" or "50%" → scaled integer; -1 when not a plain number */
static int parse_scaled(const char *s, int scale, int64_t *out)
{
    int neg = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    int64_t v = 0;
    int frac = -1, digits = 0, pct = 0;
    for (; *s; s++) {
        if (*s == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*s == '%' && s[1] == '\0') {
            pct = 1;
            continue;
        }
        if (*s < '0' || *s > '9')
            return -1;
        if (frac >= 0 && ++frac > scale + (pct ? 2 : 0))
            return -1;
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*s - '0');
        digits++;
    }
    if (!digits)
        return -1;
    int shift = scale - (frac < 0 ? 0 : frac) - (pct ? 2 : 0);
    for (; shift > 0; shift--) {
        if (v > INT64_MAX / 10)
            return -1;
        v *= 10;
    }
    *out = neg ? -v : v;
    return 0;
}

typedef struct jctx {
    sema *s;
    const hm_program *p;
    hm_facts *f;
    const char *path;
    char *err;
    size_t errlen;
    int oom;            /* out of memory: not the file's fault */
} jctx;

static int jerr(jctx *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int jerr(jctx *j, const char *fmt, ...)
{
    int n = snprintf(j->err, j->errlen, "%s: ", j->path);
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

static int json_scalar(jctx *j, const char *name, json_t *v, const hm_type *t, int64_t *out)
{
    switch (t->kind) {
    case T_BOOL:
        if (!json_is_boolean(v)) return jerr(j, "`%s` must be true or false", name);
        *out = json_is_true(v);
        return 0;
    case T_INT:
        if (!json_is_integer(v)) return jerr(j, "`%s` must be a whole number", name);
        *out = json_integer_value(v);
        return 0;
    case T_MONEY: case T_DECIMAL: {
        int scale = t->kind == T_MONEY ? 2 : 6;
        if (json_is_integer(v)) {
            int64_t x = json_integer_value(v), m = t->kind == T_MONEY ? 100 : 1000000;
            if (__builtin_mul_overflow(x, m, out)) return jerr(j, "`%s` is too large", name);
            return 0;
        }
        if (json_is_string(v)) {
            if (parse_scaled(json_string_value(v), scale, out) != 0)
                return jerr(j, "`%s`: \"%s\" is not a number with at most %d decimal places", name,
                            json_string_value(v), scale);
            return 0;
        }
        if (json_is_real(v)) {
            /* accepted only when the decimal value is exact at this scale */
            double d = json_real_value(v) * (t->kind == T_MONEY ? 100.0 : 1000000.0);
            double r = round(d);
            if (fabs(d - r) > 1e-6 || fabs(r) > 9e15)
                return jerr(j, "`%s`: write amounts with decimals as strings, e.g. \"1500.50\"", name);
            *out = (int64_t)r;
            return 0;
        }
        return jerr(j, "`%s` must be a number", name);
    }
    case T_DATE: {
        int64_t d;
        if (!json_is_string(v) || sema_parse_date(json_string_value(v), &d) != 0)
            return jerr(j, "`%s` must be a date written \"YYYY-MM-DD\"", name);
        *out = d;
        return 0;
    }
    case T_TEXT:
        if (!json_is_string(v)) return jerr(j, "`%s` must be text", name);
        *out = facts_text(j->f, json_string_value(v));
        if (*out == INT64_MIN) return joom(j);
        return 0;
    case T_CODE: {
        if (!json_is_string(v)) return jerr(j, "`%s` must be a label of code set `%s`", name, t->codeset->name);
        sym *l = symtab_get(t->codeset->labels, json_string_value(v));
        if (!l) return jerr(j, "`%s`: code set `%s` has no label `%s`", name, t->codeset->name, json_string_value(v));
        *out = l->index;
        return 0;
    }
    case T_DURATION:
        if (!json_is_integer(v)) return jerr(j, "`%s` must be a whole number", name);
        *out = json_integer_value(v);
        return 0;
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

static int json_obj(jctx *j, json_t *obj, int entity, int32_t index)
{
    const char *key;
    json_t *v;
    const char *ent = entity == ENT_PERSON ? "person" : "household";
    json_object_foreach(obj, key, v) {
        if (entity == ENT_HOUSEHOLD && strcmp(key, "members") == 0)
            continue;
        char full[300];
        snprintf(full, sizeof full, "%s.%s", ent, key);
        sym *fact = symtab_get(&j->s->facts, full);
        if (!fact)
            return jerr(j, "%s has no fact `%s`", ent, key);
        if (json_is_null(v))
            continue;   /* missing */
        const hm_field *fd = &j->p->fields[fact->id];
        if (fd->records) {
            if (!json_is_array(v))
                return jerr(j, "`%s` is a list of records: [{\"date\": \"2024-01-01\", \"value\": …}, …]", key);
            facts_records_known(j->f, fd->column, index);
            size_t i;
            json_t *r;
            json_array_foreach(v, i, r) {
                json_t *jd = json_object_get(r, "date"), *jv = json_object_get(r, "value");
                int64_t day, val;
                if (!jd || !jv)
                    return jerr(j, "`%s`[%zu] needs \"date\" and \"value\"", key, i);
                if (json_scalar(j, key, jd, &ty_date, &day) || json_scalar(j, key, jv, fact->type->elem, &val))
                    return -1;
                if (facts_add_record(j->f, fd->column, index, (int32_t)day, val) < 0)
                    return joom(j);
            }
            continue;
        }
        json_t *val = v;
        int32_t asof = FACT_NO_DATE;
        int nth = -1;
        if (json_is_object(v)) {
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
                int64_t d;
                if (json_scalar(j, key, a, &ty_date, &d))
                    return -1;
                asof = (int32_t)d;
            }
            char why[512];
            if (src && (nth = source_index(j, fact->id, src, why, sizeof why)) < 0)
                return jerr(j, "`%s`: %s", key, why);
            if (json_is_null(val))
                continue;
        }
        int64_t x;
        if (json_scalar(j, key, val, fact->type, &x))
            return -1;
        hm_column *c = entity == ENT_HOUSEHOLD ? &j->f->hcol[fd->column] : &j->f->pcol[fd->column];
        if (facts_set_source(c, entity == ENT_HOUSEHOLD ? j->f->nhouse : j->f->nperson, index, nth) < 0)
            return joom(j);
        c->v[index] = x;
        c->state[index] = FACT_KNOWN;
        c->asof[index] = asof;
    }
    return 0;
}

static int json_facts(jctx *j, const char *path, int *nmembers)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (json_error_code(&je) == json_error_out_of_memory)
            return joom(j), -3;
        if (je.line < 0) {
            jerr(j, "%s", je.text);
            return -2;  /* unreadable, not malformed */
        }
        return jerr(j, "line %d, column %d: %s", je.line, je.column, je.text);
    }
    int rc = -1;
    json_t *hh = json_object_get(root, "household"), *person = json_object_get(root, "person");
    json_t *members = hh ? json_object_get(hh, "members") : NULL;
    if (!json_is_object(hh) && !json_is_object(person)) {
        jerr(j, "expected {\"household\": {…}} or {\"person\": {…}}");
        goto done;
    }
    if (members && !json_is_array(members)) {
        jerr(j, "\"members\" must be a list");
        goto done;
    }
    int n = person ? 1 : (int)(members ? json_array_size(members) : 0);
    if (facts_init(j->f, j->p, 1, n) < 0) {
        joom(j);
        goto done;
    }
    j->f->hh_first[0] = 0;
    j->f->hh_count[0] = n;
    *nmembers = n;
    if (person)
        rc = json_obj(j, person, ENT_PERSON, 0);
    else {
        rc = json_obj(j, hh, ENT_HOUSEHOLD, 0);
        for (int k = 0; k < n && rc == 0; k++) {
            json_t *m = json_array_get(members, (size_t)k);
            if (!json_is_object(m))
                rc = jerr(j, "member %d must be an object", k + 1);
            else
                rc = json_obj(j, m, ENT_PERSON, k);
        }
    }
done:
    json_decref(root);
    return rc < 0 && j->oom ? -3 : rc;
}

int given_as_of(const char *text, int32_t *day)
{
    if (!text) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        *day = cal_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        return 0;
    }
    int64_t d;
    if (sema_parse_date(text, &d) != 0)
        return -1;
    *day = (int32_t)d;
    return 0;
}

int given_facts(hm_compiler *c, sema *s, const hm_program *p, const char *json_path, int32_t as_of,
                hm_facts *f, int *nmembers, char *err, size_t errlen)
{
    err[0] = '\0';
    memset(f, 0, sizeof *f);
    *nmembers = 0;
    if (json_path) {
        jctx j = { s, p, f, json_path, err, errlen, 0 };
        int jr = json_facts(&j, json_path, nmembers);
        if (jr != 0) {
            facts_free(f);
            return jr == -2 ? HM_EIO : jr == -3 ? HM_ENOMEM : HM_ERR;
        }
    } else {
        ast *given = compiler_given(c);
        if (!given) {
            snprintf(err, errlen, "the facts file has no `given household { … }` or `given person { … }`");
            return HM_ERR;
        }
        if (testrun_build_facts(s, p, given, f, nmembers) < 0) {
            facts_free(f);
            return HM_ENOMEM;
        }
    }
    facts_sort_records(f);
    facts_apply_freshness(f, p, as_of);
    return HM_OK;
}
