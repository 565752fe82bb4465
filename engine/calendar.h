/* calendar.h -- dates as days since 1970-01-01 (proleptic Gregorian), with
 * the arithmetic the policy language defines.  No locale, no time zones,
 * no floating point. */
#ifndef HM_CALENDAR_H
#define HM_CALENDAR_H

#include <stdint.h>

int32_t cal_from_ymd(int32_t y, int32_t m, int32_t d);
void    cal_to_ymd(int32_t days, int32_t *y, int32_t *m, int32_t *d);
int32_t cal_days_in_month(int32_t y, int32_t m);
int32_t cal_add_days(int32_t date, int64_t n);
/* Add months; a day past the end of the target month becomes its last day
 * (2024-01-31 + 1 month = 2024-02-29). */
int32_t cal_add_months(int32_t date, int64_t n);
/* Full years from a to b (a birthday on 29 February is reached on 1 March
 * in other years); negative when b is before a. */
int32_t cal_years_between(int32_t a, int32_t b);
/* The same, b given also as its year, month and day: for measuring many
 * dates against one (ages on the as-of date). */
int32_t cal_years_between_ymd(int32_t a, int32_t b, int32_t y2, int32_t m2, int32_t d2);
/* Full months from a to b. */
int32_t cal_months_between(int32_t a, int32_t b);
int32_t cal_start_of_month(int32_t date);
int32_t cal_end_of_month(int32_t date);
/* y*12 + m - 1: consecutive months are consecutive numbers */
int32_t cal_month_index(int32_t date);
/* "2024-07-01" */
void    cal_format(int32_t date, char buf[16]);

#endif
