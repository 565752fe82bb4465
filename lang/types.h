/* types.h -- the types of the policy language, as the checker sees them.
 *
 * Simple types are shared singletons; money carries its period (none, per
 * month, per year), durations their unit, code types their code set, and
 * records and lists their element type. */
#ifndef HM_TYPES_H
#define HM_TYPES_H

#include <stddef.h>

#include "arena.h"
#include "bytecode.h"

struct sym;

typedef enum {
    T_ERROR = 0,    /* an earlier error: accept silently, report nothing more */
    /* the value types: the engine's numbers (VT_*, bytecode.h) */
    T_BOOL = VT_BOOL, T_INT = VT_INT, T_MONEY = VT_MONEY, T_DECIMAL = VT_DECIMAL, T_DATE = VT_DATE,
    T_TEXT = VT_TEXT, T_CODE = VT_CODE, T_DURATION = VT_DURATION,
    /* the other types, numbered after every value type */
    T_RECORDS,      /* elem: the value type */
    T_RECORD,       /* one dated record; elem: the value type */
    T_LIST,         /* list of person */
    T_PERSON, T_HOUSEHOLD,
    T_POLICY,       /* a person policy reached through a member: m.canji */
    T_ROWS,         /* list of a record type: rtype, and fact, the list fact read */
    T_ROW           /* one record of such a list: the same */
} type_kind;

typedef struct hm_type {
    type_kind kind;
    int period;             /* money: PERIOD_* */
    int unit;               /* duration: DUR_* */
    struct sym *codeset;    /* code */
    struct sym *policy;     /* T_POLICY */
    struct sym *rtype;      /* T_ROWS, T_ROW: the record type */
    struct sym *fact;       /* T_ROWS, T_ROW: the fact holding the list (NULL: not known yet) */
    const struct hm_type *elem;
    struct sym *reftab;     /* T_TEXT: the reference table whose key it is, or NULL */
} hm_type;

extern const hm_type ty_error, ty_bool, ty_int, ty_decimal, ty_date, ty_text,
    ty_person, ty_household, ty_list;
const hm_type *ty_money(int period);
const hm_type *ty_duration(int unit);
const hm_type *ty_records(hm_arena *a, const hm_type *elem);
const hm_type *ty_record(hm_arena *a, const hm_type *elem);
const hm_type *ty_code(hm_arena *a, struct sym *codeset);
/* text that is a key of reference table tab (a source's `table`) */
const hm_type *ty_reftext(hm_arena *a, struct sym *tab);
/* list of record type rt held by fact (NULL while a declaration is resolved) */
const hm_type *ty_rows(hm_arena *a, struct sym *rt, struct sym *fact);
const hm_type *ty_row(hm_arena *a, const hm_type *rows);

/* Same type (periods, units and code sets included). */
int ty_equal(const hm_type *a, const hm_type *b);
int ty_is_numeric(const hm_type *t);    /* int, decimal, money */
/* "money per month", "code marital", "records of money" */
const char *ty_name(const hm_type *t, char *buf, size_t n);
/* The engine's type (VT_*) of a value of type t, or 0 when t is not a
 * value type (records, lists, persons, errors). */
int ty_vtype(const hm_type *t);

#endif
