/* calendar.h -- dates as days since 1970-01-01 (proleptic Gregorian), with
 * the arithmetic the policy language defines.  No locale, no time zones,
 * no floating point. */
#ifndef HM_CALENDAR_H
#define HM_CALENDAR_H

#include <stdint.h>

int32_t cal_from_ymd(int32_t y, int32_t m, int32_t d);
void    cal_to_ymd(int32_t days, int32_t *y, int32_t *m, int32_t *d);
int32_t cal_days_in_month(int32_t y, int32_t m);
/* The calendar: 0001-01-01 to 9999-12-31, the dates a source or a policy
 * can write. */
#define CAL_FIRST (-719162)     /* 0001-01-01 */
#define CAL_LAST 2932896        /* 9999-12-31 */
/* Saturating, for limits computed from the as-of date. */
int32_t cal_add_days(int32_t date, int64_t n);
/* date + n days, or n months, into *out; -1 (out unchanged) when the date
 * or the result is outside the calendar: the policy language's date
 * arithmetic, where leaving the calendar is an error, not a date. */
int     cal_add_days_in(int32_t date, int64_t n, int32_t *out);
int     cal_add_months_in(int32_t date, int64_t n, int32_t *out);
/* Add months; a day past the end of the target month becomes its last day
 * (2024-01-31 + 1 month = 2024-02-29). */
int32_t cal_add_months(int32_t date, int64_t n);
/* Full years from a to b: complete on a + n years (a birthday on
 * 29 February is reached on 28 February in other years); negative when b
 * is before a. */
int32_t cal_years_between(int32_t a, int32_t b);
/* Ages on one date, over and over (every person's age on the as-of date):
 * the last birth date of each age is looked up rather than the years
 * counted. */
#define CAL_AGES 160
typedef struct cal_ages {
    int32_t on;                 /* the date the ages are on */
    int32_t last[CAL_AGES];     /* last[k]: the last birth date of one k full years old */
} cal_ages;
void    cal_ages_init(cal_ages *t, int32_t on);
/* cal_years_between(birth, t->on) */
int32_t cal_age_on(const cal_ages *t, int32_t birth);
/* Full months from a to b: complete on a + n months (31 January to
 * 29 February is one); negative when b is before a. */
int32_t cal_months_between(int32_t a, int32_t b);
int32_t cal_start_of_month(int32_t date);
int32_t cal_end_of_month(int32_t date);
/* y*12 + m - 1: consecutive months are consecutive numbers */
int32_t cal_month_index(int32_t date);
/* "2024-07-01" */
void    cal_format(int32_t date, char buf[16]);

#endif
