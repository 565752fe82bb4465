/* calendar.c -- see calendar.h.  The day-number conversions are the
 * well-known civil-from-days algorithms on 400-year eras. */
#include "calendar.h"

#include <stdio.h>

int32_t cal_from_ymd(int32_t y, int32_t m, int32_t d)
{
    int64_t yy = m <= 2 ? (int64_t)y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void cal_to_ymd(int32_t days, int32_t *y, int32_t *m, int32_t *d)
{
    if (days >= -719468) {
        /* from year 0 on (every date a policy meets): the same steps in
         * unsigned 32 bits, which the compiler turns into fewer and
         * cheaper multiplications */
        uint32_t z = (uint32_t)((int64_t)days + 719468);
        uint32_t era = z / 146097, doe = z - era * 146097;
        uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint32_t mp = (5 * doy + 2) / 153;
        uint32_t mm = mp < 10 ? mp + 3 : mp - 9;
        *y = (int32_t)(yoe + era * 400) + (mm <= 2);
        *m = (int32_t)mm;
        *d = (int32_t)(doy - (153 * mp + 2) / 5 + 1);
        return;
    }
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int32_t)(mm <= 2 ? yy + 1 : yy);
    *m = (int32_t)mm;
    *d = (int32_t)dd;
}

int32_t cal_days_in_month(int32_t y, int32_t m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[(m - 1) % 12];
}

int32_t cal_add_days(int32_t date, int64_t n)
{
    int64_t r = (int64_t)date + n;
    if (r > INT32_MAX) return INT32_MAX;
    if (r < INT32_MIN + 1) return INT32_MIN + 1;
    return (int32_t)r;
}

int cal_add_days_in(int32_t date, int64_t n, int32_t *out)
{
    if (date < CAL_FIRST || date > CAL_LAST || n < CAL_FIRST - CAL_LAST || n > CAL_LAST - CAL_FIRST)
        return -1;
    int64_t r = (int64_t)date + n;
    if (r < CAL_FIRST || r > CAL_LAST)
        return -1;
    *out = (int32_t)r;
    return 0;
}

int cal_add_months_in(int32_t date, int64_t n, int32_t *out)
{
    /* 9999 years are fewer than 120000 months: cal_add_months does not cut */
    if (date < CAL_FIRST || date > CAL_LAST || n < -120000 || n > 120000)
        return -1;
    int32_t r = cal_add_months(date, n);
    if (r < CAL_FIRST || r > CAL_LAST)
        return -1;
    *out = r;
    return 0;
}

int32_t cal_add_months(int32_t date, int64_t n)
{
    int32_t y, m, d;
    cal_to_ymd(date, &y, &m, &d);
    if (n > 120000) n = 120000;
    if (n < -120000) n = -120000;
    int64_t idx = (int64_t)y * 12 + (m - 1) + n;
    int32_t ny = (int32_t)(idx >= 0 ? idx / 12 : (idx - 11) / 12);
    int32_t nm = (int32_t)(idx - (int64_t)ny * 12) + 1;
    int32_t dim = cal_days_in_month(ny, nm);
    return cal_from_ymd(ny, nm, d > dim ? dim : d);
}

/* A span of full years or months from a to b (b on or after a) is
 * complete on the day a + n years (months) lands on: the same day of the
 * month, or the month's last day when it has no such day (29 February is
 * reached on 28 February in other years, as date + duration gives and as
 * the Civil Code counts periods, art. 202).  Backwards, the span is the
 * negative of the forward one. */
static int before_anniversary(int32_t y2, int32_t m2, int32_t d2, int32_t m1, int32_t d1)
{
    if (m2 != m1)
        return m2 < m1;
    int32_t dim = cal_days_in_month(y2, m2);
    return d2 < (d1 > dim ? dim : d1);
}

int32_t cal_years_between(int32_t a, int32_t b)
{
    if (b < a)
        return -cal_years_between(b, a);
    int32_t y1, m1, d1, y2, m2, d2;
    cal_to_ymd(a, &y1, &m1, &d1);
    cal_to_ymd(b, &y2, &m2, &d2);
    return y2 - y1 - before_anniversary(y2, m2, d2, m1, d1);
}

/* One is k full years old on date `on` when born on or before the same
 * day k years earlier (28 February, when `on` is the 29th and that year
 * has none), or, when `on` is the last day of February, on or before the
 * last day of February k years earlier: a birthday on 29 February is
 * reached on 28 February in other years (cal_years_between). */
void cal_ages_init(cal_ages *t, int32_t on)
{
    int32_t y, m, d;
    cal_to_ymd(on, &y, &m, &d);
    t->on = on;
    for (int32_t k = 0; k < CAL_AGES; k++) {
        int32_t dim = cal_days_in_month(y - k, m);
        int month_end = d == cal_days_in_month(y, m);
        t->last[k] = cal_from_ymd(y - k, m, d > dim || month_end ? dim : d);
    }
}

int32_t cal_age_on(const cal_ages *t, int32_t birth)
{
    if (birth > t->on || birth <= t->last[CAL_AGES - 1])
        return cal_years_between(birth, t->on);
    /* the age is near the days over 365.2425; from there, step to the
     * largest k with birth <= last[k] (last[0] is `on` itself, and
     * last[CAL_AGES - 1] is before birth: both loops stop in the table) */
    int32_t k = (int32_t)(((int64_t)t->on - birth) * 400 / 146097);
    if (k > CAL_AGES - 2)
        k = CAL_AGES - 2;
    while (k > 0 && birth > t->last[k])
        k--;
    while (birth <= t->last[k + 1])
        k++;
    return k;
}

int32_t cal_months_between(int32_t a, int32_t b)
{
    if (b < a)
        return -cal_months_between(b, a);
    int32_t y1, m1, d1, y2, m2, d2;
    cal_to_ymd(a, &y1, &m1, &d1);
    cal_to_ymd(b, &y2, &m2, &d2);
    /* a month is full on the same day of the month, or on the last day
     * of a month that has no such day (31 January to 29 February is one) */
    int32_t dim = cal_days_in_month(y2, m2);
    return (y2 - y1) * 12 + (m2 - m1) - (d2 < (d1 > dim ? dim : d1));
}

int32_t cal_start_of_month(int32_t date)
{
    int32_t y, m, d;
    cal_to_ymd(date, &y, &m, &d);
    return cal_from_ymd(y, m, 1);
}

int32_t cal_end_of_month(int32_t date)
{
    int32_t y, m, d;
    cal_to_ymd(date, &y, &m, &d);
    return cal_from_ymd(y, m, cal_days_in_month(y, m));
}

int32_t cal_month_index(int32_t date)
{
    int32_t y, m, d;
    cal_to_ymd(date, &y, &m, &d);
    return y * 12 + m - 1;
}

void cal_format(int32_t date, char buf[16])
{
    int32_t y, m, d;
    cal_to_ymd(date, &y, &m, &d);
    snprintf(buf, 16, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}
