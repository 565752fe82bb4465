/* types.c -- see types.h. */
#include "types.h"
#include "i18n.h"
#include "ast.h"
#include "sema.h"

#include <stdio.h>
#include <string.h>

const hm_type ty_error = { .kind = T_ERROR }, ty_bool = { .kind = T_BOOL },
              ty_int = { .kind = T_INT }, ty_decimal = { .kind = T_DECIMAL },
              ty_date = { .kind = T_DATE }, ty_text = { .kind = T_TEXT },
              ty_person = { .kind = T_PERSON }, ty_household = { .kind = T_HOUSEHOLD },
              ty_list = { .kind = T_LIST, .elem = &ty_person };

static const hm_type money_types[3] = {
    { .kind = T_MONEY, .period = PERIOD_NONE },
    { .kind = T_MONEY, .period = PERIOD_MONTH },
    { .kind = T_MONEY, .period = PERIOD_YEAR },
};
static const hm_type duration_types[4] = {
    { .kind = T_DURATION, .unit = 0 },
    { .kind = T_DURATION, .unit = DUR_DAYS },
    { .kind = T_DURATION, .unit = DUR_MONTHS },
    { .kind = T_DURATION, .unit = DUR_YEARS },
};

const hm_type *ty_money(int period) { return &money_types[period >= 0 && period <= 2 ? period : 0]; }
const hm_type *ty_duration(int unit) { return &duration_types[unit >= 0 && unit <= 3 ? unit : 0]; }

const hm_type *ty_records(hm_arena *a, const hm_type *elem)
{
    hm_type *t = arena_alloc(a, sizeof *t);
    t->kind = T_RECORDS;
    t->elem = elem;
    return t;
}

const hm_type *ty_record(hm_arena *a, const hm_type *elem)
{
    hm_type *t = arena_alloc(a, sizeof *t);
    t->kind = T_RECORD;
    t->elem = elem;
    return t;
}

const hm_type *ty_code(hm_arena *a, struct sym *cs)
{
    if (cs->codetype)
        return cs->codetype;
    hm_type *t = arena_alloc(a, sizeof *t);
    t->kind = T_CODE;
    t->codeset = cs;
    cs->codetype = t;
    return t;
}

const hm_type *ty_rows(hm_arena *a, struct sym *rt, struct sym *fact)
{
    hm_type *t = arena_alloc(a, sizeof *t);
    t->kind = T_ROWS;
    t->rtype = rt;
    t->fact = fact;
    return t;
}

const hm_type *ty_row(hm_arena *a, const hm_type *rows)
{
    hm_type *t = arena_alloc(a, sizeof *t);
    *t = *rows;
    t->kind = T_ROW;
    return t;
}

const hm_type *ty_reftext(hm_arena *a, struct sym *tab)
{
    hm_type *t = arena_alloc(a, sizeof *t);
    *t = ty_text;
    t->reftab = tab;
    return t;
}

int ty_equal(const hm_type *a, const hm_type *b)
{
    if (a == b)
        return 1;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case T_MONEY: return a->period == b->period;
    case T_DURATION: return a->unit == b->unit;
    case T_CODE: return a->codeset == b->codeset;
    case T_POLICY: return a->policy == b->policy;
    case T_RECORDS: case T_RECORD: return ty_equal(a->elem, b->elem);
    case T_ROWS: case T_ROW: return a->rtype == b->rtype;
    default: return 1;
    }
}

_Static_assert(VT_BOOL == 1 && VT_DURATION == 8 && T_RECORDS == VT_DURATION + 1,
               "the value types are T_BOOL to T_DURATION, numbered 1 to 8 as VT_*");

int ty_vtype(const hm_type *t)
{
    return t->kind >= T_BOOL && t->kind <= T_DURATION ? (int)t->kind : 0;
}

int ty_is_numeric(const hm_type *t)
{
    return t->kind == T_INT || t->kind == T_DECIMAL || t->kind == T_MONEY;
}

static const char *ty_name_raw(const hm_type *t, char *buf, size_t n);

/* The name as written, cut (when the buffer is short) on a character
 * boundary so that messages stay valid UTF-8. */
const char *ty_name(const hm_type *t, char *buf, size_t n)
{
    ty_name_raw(t, buf, n);
    size_t len = strlen(buf);
    if (len + 1 >= n) {
        size_t k = len;
        while (k > 0 && ((unsigned char)buf[k - 1] & 0xc0) == 0x80)
            k--;
        if (k > 0 && ((unsigned char)buf[k - 1] & 0x80))
            buf[k - 1] = '\0';     /* drop the lead byte of the cut character */
    }
    return buf;
}

static const char *ty_name_raw(const hm_type *t, char *buf, size_t n)
{
    char inner[96];
    const char *s = NULL;
    switch (t->kind) {
    case T_ERROR: s = N_("(error)"); break;
    case T_BOOL: s = N_("bool"); break;
    case T_INT: s = N_("int"); break;
    case T_DECIMAL: s = N_("decimal"); break;
    case T_MONEY:
        s = t->period == PERIOD_MONTH ? N_("money per month") : t->period == PERIOD_YEAR ? N_("money per year") : N_("money");
        break;
    case T_DATE: s = N_("date"); break;
    case T_DURATION:
        s = t->unit == DUR_DAYS ? N_("duration in days") : t->unit == DUR_MONTHS ? N_("duration in months")
                                                                                   : N_("duration in years");
        break;
    case T_TEXT: s = N_("text"); break;
    case T_CODE: snprintf(buf, n, hm_tr(N_("code %s")), t->codeset->name); break;
    case T_RECORDS: snprintf(buf, n, hm_tr(N_("records of %s")), ty_name(t->elem, inner, sizeof inner)); break;
    case T_RECORD: snprintf(buf, n, hm_tr(N_("a record of %s")), ty_name(t->elem, inner, sizeof inner)); break;
    case T_LIST: s = N_("list of person"); break;
    case T_PERSON: s = N_("person"); break;
    case T_HOUSEHOLD: s = N_("household"); break;
    case T_POLICY: snprintf(buf, n, hm_tr(N_("policy %s")), t->policy->name); break;
    case T_ROWS: snprintf(buf, n, hm_tr(N_("list of %s")), t->rtype->name); break;
    case T_ROW: snprintf(buf, n, hm_tr(N_("record %s")), t->rtype->name); break;
    }
    /* in the drafter's language, like the message around it */
    if (s)
        snprintf(buf, n, "%s", hm_tr(s));
    return buf;
}
