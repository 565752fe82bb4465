/* builtins.h -- the built-in functions (builtins.def). */
#ifndef HM_BUILTINS_H
#define HM_BUILTINS_H

/* How a built-in's arguments are checked and its result typed. */
typedef enum builtin_rule {
    BI_AGE = 1,         /* (date) -> int, full years to the as-of date */
    BI_DATES_INT,       /* (date, date) -> int */
    BI_DATE_DATE,       /* (date) -> date */
    BI_PER_MONTH,       /* (money) -> money per month */
    BI_PER_YEAR,        /* (money) -> money per year */
    BI_ROUND,           /* (money or decimal, step) -> the same; an int is a decimal */
    BI_SAME_NUMBER,     /* (int, decimal or money) -> the same */
    BI_KNOWN,           /* (anything) -> bool */
    BI_MONTHS,          /* (dated records) -> int */
    BI_EXTREME,         /* (a, b, ...) of numbers, money or dates -> their common type */
} builtin_rule;

typedef struct hm_builtin {
    const char *name;
    int arity;          /* -1: two or more */
    builtin_rule rule;
    int op;             /* OP_* */
} hm_builtin;

extern const hm_builtin hm_builtins[];
extern const int hm_nbuiltins;

/* The built-in function of this name, or NULL. */
const hm_builtin *builtin_find(const char *name);

#endif
