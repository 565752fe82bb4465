/* floor -- the example pack (examples/policies) evaluated by
 * hand-written C over the example city's department databases: the
 * performance floor of bench/compare.sh.  No engine: the rules of the pack,
 * the code maps of sources.pol and the layout of examples/city/generate
 * are written into this file.
 *
 *   cc -O2 -Wall -Wextra -Werror -o floor bench/floor/floor.c -lsqlite3
 *   floor CITY_DIR AS_OF OUT_DB
 *
 * Reads CITY_DIR/{registry,civil_affairs,social_security,housing,
 * medical_insurance,disability_federation,tax}.db (the files and tables
 * sources.conf names; it is not read), each table once, in rowid order,
 * into a column per fact (ids hashed once; each table keyed by its id, as
 * generate makes it); decides, in one thread, every policy of the pack for
 * every household and person as of AS_OF (YYYY-MM-DD) with the semantics
 * bench/sql/pack.sql spells out and `huimin run --kleene` has (Kleene's
 * three-valued logic, freshness, code maps, the two sources of marital
 * status, rounding half away from zero, dated parameters, tekun excludes
 * dibao), and the one-stop settlement of each hospital bill (yizhanshi:
 * one pass per person over the bills in the order of settlement, the
 * year's running totals as it goes); writes the eligible and undetermined
 * decisions to OUT_DB (replaced) in one transaction as
 *   decisions(entity_kind, entity_id, policy, status, amount_fen, claim)
 * (claim: a bill's number in its person's list from 1, NULL for the rest)
 * and prints one line:
 *   floor: load L s, evaluate E s, write W s, total T s, peak memory M MiB
 * Exit status: 0 done; 1 an error (a database or table missing, ...),
 * with a message on stderr; 2 usage.
 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---- values ----------------------------------------------------------------
 * Three-valued: a yes/no is 0, 1 or U (unknown); a number is UNK when
 * unknown; a code is its label's number, or U. */
#define U ((int8_t)-1)
#define UNK INT64_MIN
#define NO_DATE INT32_MIN

typedef int8_t tri;

static tri and3(tri a, tri b) { return a == 0 || b == 0 ? 0 : a == U || b == U ? U : 1; }
static tri or3(tri a, tri b) { return a == 1 || b == 1 ? 1 : a == U || b == U ? U : 0; }
static tri not3(tri a) { return a == U ? U : !a; }
static tri lt3(int64_t a, int64_t b) { return a == UNK || b == UNK ? U : a < b; }
static tri le3(int64_t a, int64_t b) { return a == UNK || b == UNK ? U : a <= b; }
static tri known3(int64_t a) { return a != UNK; }

static int64_t add3(int64_t a, int64_t b) { return a == UNK || b == UNK ? UNK : a + b; }
static int64_t sub3(int64_t a, int64_t b) { return a == UNK || b == UNK ? UNK : a - b; }
static int64_t mul3(int64_t a, int64_t b) { return a == UNK || b == UNK ? UNK : a * b; }
static int64_t min3(int64_t a, int64_t b) { return a == UNK || b == UNK ? UNK : a < b ? a : b; }
static int64_t max3(int64_t a, int64_t b) { return a == UNK || b == UNK ? UNK : a > b ? a : b; }
static tri ge3(int64_t a, int64_t b) { return a == UNK || b == UNK ? U : a >= b; }
static tri gt3(int64_t a, int64_t b) { return a == UNK || b == UNK ? U : a > b; }

/* a ÷ b (b > 0), rounded half away from zero */
static int64_t rha(int64_t a, int64_t b)
{
    if (a == UNK)
        return UNK;
    return a >= 0 ? (2 * a + b) / (2 * b) : -((2 * -a + b) / (2 * b));
}

/* a tri-state decision that needs an amount: eligible only with it */
static tri with_amount(tri own, int64_t amount)
{
    return own == 0 ? 0 : own == 1 && amount != UNK ? 1 : U;
}

/* ---- errors, time, memory ------------------------------------------------ */

static char db_path[4096];      /* the database being read, for messages */
static char out_tmp[4096];      /* the results being written, removed on an error */

static void die(const char *fmt, ...)
{
    va_list ap;
    if (out_tmp[0])
        unlink(out_tmp);
    va_start(ap, fmt);
    fputs("floor: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory (%zu bytes)", n);
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory (%zu bytes)", n);
    return p;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- dates ------------------------------------------------------------------ */

static int32_t days_from_civil(int32_t y, int32_t mo, int32_t d)
{
    y -= mo <= 2;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    int32_t yoe = y - era * 400;
    int32_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int leap(int32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int32_t days_in_month(int32_t y, int32_t m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

static int num(const char *s, int n, int32_t *out)
{
    int32_t v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "YYYY-MM-DD" or "YYYY-MM" (the 1st) → year, month, day; -1 when not a date */
static int parse_ymd(const char *s, int len, int32_t *y, int32_t *m, int32_t *d)
{
    *d = 1;
    if (!s || (len != 10 && len != 7))
        return -1;
    if (num(s, 4, y) || s[4] != '-' || num(s + 5, 2, m))
        return -1;
    if (len == 10 && (s[7] != '-' || num(s + 8, 2, d)))
        return -1;
    if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -1;
    return 0;
}

/* ---- cells ------------------------------------------------------------------
 * A cell as a value of each type, as the sqlite source plugin reads it
 * (plugins/common/tablemap.c): anything else is unusable, i.e. unknown. */

static int text_is(const unsigned char *s, int n, const char *w)
{
    return (size_t)n == strlen(w) && memcmp(s, w, (size_t)n) == 0;
}

static tri cell_bool(sqlite3_stmt *st, int c)
{
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_INTEGER: {
        int64_t v = sqlite3_column_int64(st, c);
        return v == 0 || v == 1 ? (tri)v : U;
    }
    case SQLITE_TEXT: {
        const unsigned char *s = sqlite3_column_text(st, c);
        int n = sqlite3_column_bytes(st, c);
        static const char *yes[] = { "1", "true", "t", "yes", "y", "是" };
        static const char *no[] = { "0", "false", "f", "no", "n", "否" };
        for (int k = 0; k < 6; k++) {
            if (text_is(s, n, yes[k]))
                return 1;
            if (text_is(s, n, no[k]))
                return 0;
        }
        return U;
    }
    default:
        return U;
    }
}

/* a whole number written in decimal, spaces around allowed */
static int64_t parse_whole(const unsigned char *s, int n)
{
    int i = 0, neg = 0, any = 0, dot = 0;
    int64_t v = 0;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    for (; i < n; i++) {
        if (s[i] == '.' && !dot) {
            dot = 1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9' || dot)
            return UNK;
        if (v > (INT64_MAX - 9) / 10)
            return UNK;
        v = v * 10 + (s[i] - '0');
        any = 1;
    }
    return any ? (neg ? -v : v) : UNK;
}

/* money in fen: a whole number, or text of one */
static int64_t cell_fen(sqlite3_stmt *st, int c)
{
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_INTEGER: return sqlite3_column_int64(st, c);
    case SQLITE_TEXT: return parse_whole(sqlite3_column_text(st, c), sqlite3_column_bytes(st, c));
    default: return UNK;
    }
}

/* int: as money, or a real with no fraction */
static int64_t cell_int(sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_FLOAT) {
        double x = sqlite3_column_double(st, c);
        if (!(x > -9e18 && x < 9e18))
            return UNK;
        double q = (double)(int64_t)(x >= 0 ? x + 0.5 : x - 0.5), e = x - q, ax = x < 0 ? -x : x;
        if ((e < 0 ? -e : e) > 1e-6 * (ax > 1 ? ax : 1))
            return UNK;
        return (int64_t)q;
    }
    return cell_fen(st, c);
}

/* an int kept only for comparisons with small numbers: saturated to int32 */
static int32_t small(int64_t v)
{
    return v == UNK ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v <= INT32_MIN ? INT32_MIN + 1 : (int32_t)v;
}
#define UNK32 INT32_MIN

/* text or code: text as is, a whole number in decimal; NULL when unusable */
static const char *cell_text(sqlite3_stmt *st, int c, int *len)
{
    int t = sqlite3_column_type(st, c);
    if (t != SQLITE_TEXT && t != SQLITE_INTEGER)
        return NULL;
    const char *s = (const char *)sqlite3_column_text(st, c);
    *len = sqlite3_column_bytes(st, c);
    return s;
}

/* a date as yyyymmdd, or NO_DATE */
static int32_t cell_ymd(sqlite3_stmt *st, int c)
{
    int32_t y, m, d;
    if (sqlite3_column_type(st, c) != SQLITE_TEXT ||
        parse_ymd((const char *)sqlite3_column_text(st, c), sqlite3_column_bytes(st, c), &y, &m, &d))
        return NO_DATE;
    return y * 10000 + m * 100 + d;
}

/* ---- code sets (sources.pol) -------------------------------------------------- */

enum { MAR_SINGLE, MAR_MARRIED, MAR_WIDOWED, MAR_DIVORCED, MAR_OTHER };
enum { REL_HEAD, REL_SPOUSE, REL_CHILD, REL_GRANDCHILD, REL_PARENT, REL_GRANDPARENT, REL_SIBLING, REL_OTHER };
enum { SCH_OUT, SCH_PRESCHOOL, SCH_PRIMARY, SCH_JUNIOR, SCH_SENIOR, SCH_VOCATIONAL, SCH_COLLEGE };
enum { DIS_VISUAL, DIS_HEARING, DIS_SPEECH, DIS_PHYSICAL, DIS_INTELLECTUAL, DIS_MENTAL, DIS_MULTIPLE };

/* a one- or two-character raw code of the tables below, else -1 */
static int raw2(const char *s, int n)
{
    if (!s || n < 1 || n > 2 || s[0] < '0' || s[0] > '9' || (n == 2 && (s[1] < '0' || s[1] > '9')))
        return -1;
    return n == 1 ? 100 + (s[0] - '0') : (s[0] - '0') * 10 + (s[1] - '0');
}

static tri map_code(sqlite3_stmt *st, int c, const int8_t *two, const int8_t *one)
{
    int n = 0;
    const char *s = cell_text(st, c, &n);
    int r = raw2(s, n);
    if (r < 0)
        return U;
    return r >= 100 ? (one ? one[r - 100] : U) : (two ? two[r] : U);
}

static int8_t marital_registry[100], relation_registry[100], school_civil[100];
static int8_t marital_civil[10], kind_federation[10], tier_tax[10];

static void codes_init(void)
{
    memset(marital_registry, U, sizeof marital_registry);
    memset(relation_registry, U, sizeof relation_registry);
    memset(school_civil, U, sizeof school_civil);
    memset(marital_civil, U, sizeof marital_civil);
    memset(kind_federation, U, sizeof kind_federation);
    memset(tier_tax, U, sizeof tier_tax);
    marital_registry[10] = MAR_SINGLE;
    marital_registry[20] = MAR_MARRIED;
    marital_registry[30] = MAR_WIDOWED;
    marital_registry[40] = MAR_DIVORCED;
    marital_civil[1] = MAR_MARRIED;
    marital_civil[2] = MAR_SINGLE;
    marital_civil[3] = MAR_DIVORCED;
    marital_civil[4] = MAR_WIDOWED;
    marital_civil[9] = MAR_OTHER;
    static const struct { int code; int8_t rel; } rel[] = {
        { 1, REL_HEAD }, { 2, REL_HEAD }, { 10, REL_SPOUSE }, { 11, REL_SPOUSE }, { 12, REL_SPOUSE },
        { 20, REL_CHILD }, { 21, REL_CHILD }, { 22, REL_CHILD }, { 23, REL_CHILD },
        { 30, REL_CHILD }, { 31, REL_CHILD }, { 32, REL_CHILD }, { 33, REL_CHILD },
        { 40, REL_GRANDCHILD }, { 41, REL_GRANDCHILD }, { 42, REL_GRANDCHILD }, { 43, REL_GRANDCHILD },
        { 44, REL_GRANDCHILD }, { 50, REL_PARENT }, { 51, REL_PARENT }, { 52, REL_PARENT },
        { 60, REL_GRANDPARENT }, { 61, REL_GRANDPARENT }, { 62, REL_GRANDPARENT }, { 63, REL_GRANDPARENT },
        { 64, REL_GRANDPARENT }, { 70, REL_SIBLING }, { 71, REL_SIBLING }, { 73, REL_SIBLING },
        { 75, REL_SIBLING }, { 77, REL_SIBLING }, { 80, REL_OTHER }, { 99, REL_OTHER },
    };
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++)
        relation_registry[rel[i].code] = rel[i].rel;
    school_civil[0] = SCH_OUT;
    school_civil[10] = SCH_PRESCHOOL;
    school_civil[21] = SCH_PRIMARY;
    school_civil[22] = SCH_JUNIOR;
    school_civil[31] = SCH_SENIOR;
    school_civil[32] = SCH_VOCATIONAL;
    school_civil[41] = SCH_COLLEGE;
    for (int k = 1; k <= 7; k++)
        kind_federation[k] = (int8_t)(k - 1);
    for (int k = 1; k <= 3; k++)
        tier_tax[k] = (int8_t)(k - 1);
}

/* ---- ids: an arena of strings and an open-addressing hash ---------------------- */

typedef struct ids {
    char *buf;              /* the ids, each NUL-terminated */
    size_t len, cap;
    size_t *off;            /* id i starts at buf + off[i] */
    int32_t n, capn;
    int32_t *slot;          /* index + 1, 0 empty */
    uint32_t mask;
} ids;

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 32);
}

static const char *id_at(const ids *t, int32_t i) { return t->buf + t->off[i]; }

static int32_t ids_append(ids *t, const char *s, size_t n)
{
    if (t->n == INT32_MAX - 1)
        die("more than %d ids", INT32_MAX - 1);
    if (t->n == t->capn) {
        t->capn = t->capn ? t->capn * 2 : 1024;
        if (t->capn < 0 || t->capn > INT32_MAX - 1)
            t->capn = INT32_MAX - 1;
        t->off = xrealloc(t->off, sizeof *t->off * (size_t)t->capn);
    }
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->buf = xrealloc(t->buf, t->cap);
    }
    t->off[t->n] = t->len;
    memcpy(t->buf + t->len, s, n);
    t->buf[t->len + n] = '\0';
    t->len += n + 1;
    return t->n++;
}

static int32_t ids_find(const ids *t, const char *s, size_t n)
{
    for (uint32_t k = (uint32_t)hash(s, n) & t->mask;; k = (k + 1) & t->mask) {
        int32_t i = t->slot[k] - 1;
        if (i < 0)
            return -1;
        const char *x = id_at(t, i);
        if (memcmp(x, s, n) == 0 && x[n] == '\0')
            return i;
    }
}

/* Index the ids, read in the arena's order (the i-th string is id
 * index[i], or i without index); an id listed twice in *dup, else -1. */
static void ids_index(ids *t, const int32_t *index, int32_t *dup)
{
    uint32_t cap = 1024;
    while (cap < 2u * (uint32_t)t->n)
        cap *= 2;
    free(t->slot);
    t->slot = xcalloc(cap, sizeof *t->slot);
    t->mask = cap - 1;
    *dup = -1;
    const char *s = t->buf;
    for (int32_t r = 0; r < t->n; r++) {
        size_t n = strlen(s);
        int32_t i = index ? index[r] : r;
        uint32_t k = (uint32_t)hash(s, n) & t->mask;
        for (; t->slot[k]; k = (k + 1) & t->mask)
            if (strcmp(id_at(t, t->slot[k] - 1), s) == 0 && *dup < 0)
                *dup = i;
        t->slot[k] = i + 1;
        s += n + 1;
    }
}

/* ---- the facts ------------------------------------------------------------------ */

/* A column of numbers per person, 32 bits each: the rare number that does
 * not fit is kept aside, sorted by person once loaded. */
#define N_UNK INT32_MIN
#define N_BIG (INT32_MIN + 1)
#define N_KEPT (INT32_MIN + 2)  /* only while nums_done runs */

typedef struct big {
    int32_t p;
    int64_t v;
} big;

typedef struct nums {
    int32_t *v;
    big *big;
    size_t nbig, capbig;
} nums;

static void nums_init(nums *c, int32_t n, int32_t v)
{
    c->v = xmalloc(sizeof *c->v * ((size_t)n + 1));
    for (int32_t i = 0; i < n; i++)
        c->v[i] = v;
}

static void nums_put(nums *c, int32_t p, int64_t v)
{
    if (v == UNK) {
        c->v[p] = N_UNK;
    } else if (v > N_KEPT && v <= INT32_MAX) {
        c->v[p] = (int32_t)v;
    } else {
        if (c->nbig == c->capbig) {
            c->capbig = c->capbig ? c->capbig * 2 : 64;
            c->big = xrealloc(c->big, sizeof *c->big * c->capbig);
        }
        c->big[c->nbig++] = (big){ p, v };
        c->v[p] = N_BIG;
    }
}

/* while loading: the last one put aside for p */
static int64_t nums_loading(const nums *c, int32_t p)
{
    int32_t x = c->v[p];
    if (x != N_BIG)
        return x == N_UNK ? UNK : x;
    size_t i = c->nbig;
    while (c->big[--i].p != p)
        ;
    return c->big[i].v;
}

static int big_cmp(const void *a, const void *b)
{
    const big *x = a, *y = b;
    return (x->p > y->p) - (x->p < y->p);
}

/* once loaded: of the numbers put aside, the last one of each person who
 * still has one, sorted */
static void nums_done(nums *c)
{
    if (!c->nbig)
        return;
    size_t k = c->nbig;
    for (size_t i = c->nbig; i-- > 0;)
        if (c->v[c->big[i].p] == N_BIG) {
            c->v[c->big[i].p] = N_KEPT;
            c->big[--k] = c->big[i];
        }
    memmove(c->big, c->big + k, (c->nbig - k) * sizeof *c->big);
    c->nbig -= k;
    for (size_t i = 0; i < c->nbig; i++)
        c->v[c->big[i].p] = N_BIG;
    qsort(c->big, c->nbig, sizeof *c->big, big_cmp);
}

static int64_t nums_get(const nums *c, int32_t p)
{
    int32_t x = c->v[p];
    if (x > N_KEPT)
        return x;
    if (x == N_UNK)
        return UNK;
    size_t lo = 0, hi = c->nbig;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (c->big[mid].p <= p)
            lo = mid;
        else
            hi = mid;
    }
    return c->big[lo].v;
}

/* records of money per person, over the 12 months before the as-of month */
typedef struct recs {
    nums sum;               /* unknown: a record unusable, the list unknown */
    uint16_t *months;       /* bit k: a record in month k of the window */
} recs;

/* a hospital bill (medical_insurance.hbill), settled in one stop */
typedef struct hbill {
    int32_t person;         /* its row, then (group_members) its place */
    int32_t claim;          /* its number in the person's list, from 1 */
    int32_t date;           /* yyyymmdd, NO_DATE */
    int8_t level;           /* hospital level 0..2, U */
    int64_t amount;         /* in-scope cost, fen, UNK */
} hbill;

typedef struct city {
    int32_t nh, np;
    ids hid, pid;
    /* households */
    int32_t *region;        /* interned region, or -1 */
    int64_t *assets;        /* fen, UNK */
    int32_t *assets_until;  /* checked_on + 6 months (yyyymmdd), NO_DATE */
    tri *other_housing;
    int32_t *first, *count; /* members: persons first .. first + count */
    /* persons, grouped by household */
    int32_t *hh;
    int32_t *birth;         /* yyyymmdd, NO_DATE */
    tri *deceased;
    int32_t *updated;       /* days, NO_DATE */
    tri *mar_reg, *mar_civ, *relation, *hukou, *supporter, *school, *kind, *hard, *flex;
    int32_t *res_years, *grade;     /* UNK32 */
    nums income, selfpay;
    recs contrib, bills;
    nums wage_less_si, children_edu, infants, share;    /* wage − social insurance paid */
    nums wage;              /* zhuanxiang and geshui are for those with wages */
    tri *loan, *renting, *tier, *supports, *only_child;
    hbill *hb;              /* (group_members) by person, date, number */
    int32_t nhb;
    ids regions;
    int64_t *line;          /* 低保标准 by region: civil affairs' region table, UNK */
} city;

/* the run's dates */
static int32_t as_of_ymd, as_of_days, w12_lo_ym, w12_hi_ym;   /* window: months y*12+m-1 */

static sqlite3 *open_db(const char *dir, const char *name)
{
    char *path = db_path;
    if ((size_t)snprintf(path, sizeof db_path, "%s/%s.db", dir, name) >= sizeof db_path)
        die("%s: path too long", dir);
    if (access(path, R_OK) != 0)
        die("%s: cannot read it", path);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die("%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
    return db;
}

static sqlite3_stmt *query(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("%s: %s (%s)", db_path, sqlite3_errmsg(db), sql);
    return st;
}

static int step(sqlite3 *db, sqlite3_stmt *st)
{
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        return 1;
    if (r != SQLITE_DONE)
        die("%s: %s", db_path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return 0;
}

/* The person (row of the person table) of a row from its id in column 0:
 * -1 when not one of the population (or no id).  The tables are in id
 * order like the person table: a merge with it, a few steps at most,
 * before the hash. */
static int32_t person_of(const city *C, sqlite3_stmt *st, int32_t *next)
{
    int n;
    const char *s = cell_text(st, 0, &n);
    if (!s)
        return -1;
    for (int32_t r = *next, stop = r + 32; r < C->np && r < stop; r++) {
        const char *x = id_at(&C->pid, r);
        int c = memcmp(x, s, (size_t)n);
        if (c == 0 && x[n] == '\0') {
            *next = r + 1;
            return r;
        }
        if (c > 0)
            break;
    }
    int32_t p = ids_find(&C->pid, s, (size_t)n);
    if (p >= 0)
        *next = p + 1;
    return p;
}

static int32_t household_of(const city *C, sqlite3_stmt *st)
{
    int n;
    const char *s = cell_text(st, 0, &n);
    return s ? ids_find(&C->hid, s, (size_t)n) : -1;
}

#define NEW(a, n) ((a) = xmalloc(sizeof *(a) * (size_t)((n) ? (n) : 1)))
#define FILL(a, n, v) do { NEW(a, n); for (int32_t i_ = 0; i_ < (n); i_++) (a)[i_] = (v); } while (0)

static void load_registry(city *C, const char *dir)
{
    sqlite3 *db = open_db(dir, "registry");
    sqlite3_stmt *st = query(db, "SELECT hh_id, region_code FROM household");
    int32_t cap = 0;
    while (step(db, st)) {
        int n;
        const char *id = cell_text(st, 0, &n);
        if (!id)
            die("%s: table household: a row has no hh_id", db_path);
        int32_t h = ids_append(&C->hid, id, (size_t)n);
        if (h == cap) {
            cap = cap ? cap * 2 : 1024;
            C->region = xrealloc(C->region, sizeof *C->region * (size_t)cap);
        }
        const char *r = cell_text(st, 1, &n);
        int32_t k = -1;
        if (r) {
            /* few regions: a linear look before adding one */
            for (k = C->regions.n - 1; k >= 0; k--)
                if (strlen(id_at(&C->regions, k)) == (size_t)n && memcmp(id_at(&C->regions, k), r, (size_t)n) == 0)
                    break;
            if (k < 0)
                k = ids_append(&C->regions, r, (size_t)n);
        }
        C->region[h] = k;
    }
    C->nh = C->hid.n;
    int32_t dup;
    ids_index(&C->hid, NULL, &dup);
    if (dup >= 0)
        die("%s: household id %s is listed twice", db_path, id_at(&C->hid, dup));

    /* persons, in the table's order first */
    st = query(db,
               "SELECT person_id, hh_id, birth_date, deceased, marital_code, relation_code, "
               "local_hukou, residence_years, updated_on FROM person");
    int32_t n = 0;
    cap = 0;
    while (step(db, st)) {
        int l = 0, hl = 0;
        const char *id = cell_text(st, 0, &l), *hid = cell_text(st, 1, &hl);
        if (!id || !hid)
            die("%s: table person: a row has no %s", db_path, id ? "hh_id" : "person_id");
        int32_t h = ids_find(&C->hid, hid, (size_t)hl);
        if (h < 0)
            continue;       /* a person of no listed household is not evaluated */
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            C->hh = xrealloc(C->hh, sizeof *C->hh * (size_t)cap);
            C->birth = xrealloc(C->birth, sizeof *C->birth * (size_t)cap);
            C->updated = xrealloc(C->updated, sizeof *C->updated * (size_t)cap);
            C->res_years = xrealloc(C->res_years, sizeof *C->res_years * (size_t)cap);
            C->deceased = xrealloc(C->deceased, (size_t)cap);
            C->mar_reg = xrealloc(C->mar_reg, (size_t)cap);
            C->relation = xrealloc(C->relation, (size_t)cap);
            C->hukou = xrealloc(C->hukou, (size_t)cap);
        }
        ids_append(&C->pid, id, (size_t)l);
        C->hh[n] = h;
        C->birth[n] = cell_ymd(st, 2);
        C->deceased[n] = cell_bool(st, 3);
        C->mar_reg[n] = map_code(st, 4, marital_registry, NULL);
        C->relation[n] = map_code(st, 5, relation_registry, NULL);
        C->hukou[n] = cell_bool(st, 6);
        C->res_years[n] = small(cell_int(st, 7));
        int32_t u = cell_ymd(st, 8);
        C->updated[n] = u == NO_DATE ? NO_DATE : days_from_civil(u / 10000, u / 100 % 100, u % 100);
        n++;
    }
    sqlite3_close(db);
    C->np = n;
    ids_index(&C->pid, NULL, &dup);
    if (dup >= 0)
        die("%s: person id %s is listed twice", db_path, id_at(&C->pid, dup));
}

static int32_t ymd_add_months(int32_t ymd, int32_t k)
{
    int32_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    int32_t idx = y * 12 + (m - 1) + k;
    y = idx / 12;
    m = idx % 12 + 1;
    int32_t dim = days_in_month(y, m);
    return y * 10000 + m * 100 + (d > dim ? dim : d);
}

static void load_households(city *C, const char *dir)
{
    sqlite3 *db = open_db(dir, "civil_affairs");
    FILL(C->assets, C->nh, UNK);
    FILL(C->assets_until, C->nh, NO_DATE);
    sqlite3_stmt *st = query(db, "SELECT hh_id, assets_fen, checked_on FROM household_check");
    while (step(db, st)) {
        int32_t h = household_of(C, st);
        if (h < 0)
            continue;
        C->assets[h] = cell_fen(st, 1);
        /* fresh within 6 months of the check; a check after the as-of
         * date does not say what held on it */
        int32_t d = cell_ymd(st, 2);
        C->assets_until[h] = d == NO_DATE || d > as_of_ymd ? NO_DATE : ymd_add_months(d, 6);
    }
    /* 低保标准: each region's row in force on the as-of date (the latest
     * from date not after it); a region with no such row has none */
    FILL(C->line, C->regions.n, UNK);
    int32_t *line_from;
    FILL(line_from, C->regions.n, NO_DATE);
    st = query(db, "SELECT region_code, from_date, dibao_line_fen FROM region");
    while (step(db, st)) {
        int n;
        const char *r = cell_text(st, 0, &n);
        int32_t from = cell_ymd(st, 1), k;
        if (!r || from == NO_DATE || from > as_of_ymd)
            continue;
        for (k = C->regions.n - 1; k >= 0; k--)
            if (strlen(id_at(&C->regions, k)) == (size_t)n && memcmp(id_at(&C->regions, k), r, (size_t)n) == 0)
                break;
        if (k >= 0 && from > line_from[k]) {
            line_from[k] = from;
            C->line[k] = cell_fen(st, 2);
        }
    }
    free(line_from);
    sqlite3_close(db);
    db = open_db(dir, "housing");
    FILL(C->other_housing, C->nh, U);
    st = query(db, "SELECT hh_id, other_housing FROM property");
    while (step(db, st)) {
        int32_t h = household_of(C, st);
        if (h >= 0)
            C->other_housing[h] = cell_bool(st, 1);
    }
    sqlite3_close(db);
}

/* person tables: each row's person, or skip the row */
#define EACH_PERSON(db, sql, p)                                   \
    for (sqlite3_stmt *st_ = query(db, sql); st_; st_ = NULL)     \
        for (int32_t next_ = 0, p; step(db, st_);)                \
            if ((p = person_of(C, st_, &next_)) >= 0)

static void records_init(recs *r, int32_t np)
{
    nums_init(&r->sum, np, 0);      /* no record: a known empty list */
    r->months = xcalloc((size_t)np + 1, sizeof *r->months);
}

/* one record (date in column 1, amount in column 2) of person p */
static void record(recs *r, sqlite3_stmt *st, int32_t p)
{
    int32_t y, m, d;
    int64_t v = cell_fen(st, 2);
    if (sqlite3_column_type(st, 1) != SQLITE_TEXT ||
        parse_ymd((const char *)sqlite3_column_text(st, 1), sqlite3_column_bytes(st, 1), &y, &m, &d) ||
        v == UNK) {
        nums_put(&r->sum, p, UNK);  /* an unusable record: the list is unknown */
        return;
    }
    int32_t k = y * 12 + m - 1 - w12_lo_ym;
    if (k < 0 || y * 12 + m - 1 > w12_hi_ym || r->sum.v[p] == N_UNK)
        return;
    nums_put(&r->sum, p, nums_loading(&r->sum, p) + v);
    r->months[p] |= (uint16_t)(1u << k);
}

static void load_persons(city *C, const char *dir)
{
    int32_t np = C->np;
    sqlite3 *db = open_db(dir, "civil_affairs");
    FILL(C->mar_civ, np, U);
    FILL(C->supporter, np, U);
    FILL(C->school, np, U);
    EACH_PERSON(db, "SELECT person_id, marital_code FROM marriage", p)
        C->mar_civ[p] = map_code(st_, 1, NULL, marital_civil);
    EACH_PERSON(db, "SELECT person_id, supporter_able FROM assistance", p)
        C->supporter[p] = cell_bool(st_, 1);
    EACH_PERSON(db, "SELECT person_id, stage_code FROM schooling", p)
        C->school[p] = map_code(st_, 1, school_civil, NULL);
    sqlite3_close(db);

    db = open_db(dir, "social_security");
    nums_init(&C->income, np, N_UNK);
    FILL(C->hard, np, U);
    FILL(C->flex, np, U);
    EACH_PERSON(db, "SELECT person_id, amount_fen FROM income", p)
        nums_put(&C->income, p, cell_fen(st_, 1));
    nums_done(&C->income);
    EACH_PERSON(db, "SELECT person_id, hard_to_employ, flexible_employed FROM employment", p) {
        C->hard[p] = cell_bool(st_, 1);
        C->flex[p] = cell_bool(st_, 2);
    }
    records_init(&C->contrib, np);
    EACH_PERSON(db, "SELECT person_id, month, amount_fen FROM contribution", p)
        record(&C->contrib, st_, p);
    nums_done(&C->contrib.sum);
    sqlite3_close(db);

    db = open_db(dir, "medical_insurance");
    nums_init(&C->selfpay, np, N_UNK);
    EACH_PERSON(db, "SELECT person_id, amount_fen FROM selfpay", p)
        nums_put(&C->selfpay, p, cell_fen(st_, 1));
    nums_done(&C->selfpay);
    records_init(&C->bills, np);
    EACH_PERSON(db, "SELECT person_id, settled_on, amount_fen FROM bill", p)
        record(&C->bills, st_, p);
    nums_done(&C->bills.sum);
    /* a NULL cell is that bill's value missing; a value that cannot be
     * used (or a code the map does not list) makes that field unknown in
     * every bill of the person */
    int32_t cap = 0, *listed = xcalloc((size_t)np + 1, sizeof *listed);
    uint8_t *spoilt = xcalloc((size_t)np + 1, 1);
    EACH_PERSON(db, "SELECT person_id, settled_on, in_scope_fen, level_code FROM hbill", p) {
        if (C->nhb == cap) {
            cap = cap ? 2 * cap : 4096;
            C->hb = xrealloc(C->hb, sizeof *C->hb * (size_t)cap);
        }
        int n = 0;
        const char *lv = cell_text(st_, 3, &n);
        int8_t level = lv && n == 1 && lv[0] >= '1' && lv[0] <= '3' ? (int8_t)(lv[0] - '1') : U;
        hbill b = { p, ++listed[p], cell_ymd(st_, 1), level, cell_fen(st_, 2) };
        spoilt[p] |= (b.amount == UNK && sqlite3_column_type(st_, 2) != SQLITE_NULL) |
                     (b.level == U && sqlite3_column_type(st_, 3) != SQLITE_NULL) << 1;
        C->hb[C->nhb++] = b;
    }
    for (int32_t i = 0; i < C->nhb; i++) {
        if (spoilt[C->hb[i].person] & 1)
            C->hb[i].amount = UNK;
        if (spoilt[C->hb[i].person] & 2)
            C->hb[i].level = U;
    }
    free(spoilt);
    free(listed);
    sqlite3_close(db);

    db = open_db(dir, "disability_federation");
    FILL(C->grade, np, UNK32);
    FILL(C->kind, np, U);
    EACH_PERSON(db, "SELECT person_id, grade, kind_code FROM certificate", p) {
        C->grade[p] = small(cell_int(st_, 1));
        C->kind[p] = map_code(st_, 2, NULL, kind_federation);
    }
    sqlite3_close(db);

    db = open_db(dir, "tax");
    nums_init(&C->wage_less_si, np, N_UNK);
    nums_init(&C->wage, np, N_UNK);
    EACH_PERSON(db, "SELECT person_id, wage_fen, social_insurance_fen FROM annual_return", p) {
        nums_put(&C->wage_less_si, p, sub3(cell_fen(st_, 1), cell_fen(st_, 2)));
        nums_put(&C->wage, p, cell_fen(st_, 1));
    }
    nums_done(&C->wage_less_si);
    nums_done(&C->wage);
    nums_init(&C->children_edu, np, N_UNK);
    nums_init(&C->infants, np, N_UNK);
    nums_init(&C->share, np, N_UNK);
    FILL(C->loan, np, U);
    FILL(C->renting, np, U);
    FILL(C->tier, np, U);
    FILL(C->supports, np, U);
    FILL(C->only_child, np, U);
    EACH_PERSON(db, "SELECT person_id, children_edu, infants, housing_loan, renting, city_tier, "
                           "supports_elderly, only_child, elderly_share_fen FROM deduction", p) {
        nums_put(&C->children_edu, p, cell_int(st_, 1));
        nums_put(&C->infants, p, cell_int(st_, 2));
        C->loan[p] = cell_bool(st_, 3);
        C->renting[p] = cell_bool(st_, 4);
        C->tier[p] = map_code(st_, 5, NULL, tier_tax);
        C->supports[p] = cell_bool(st_, 6);
        C->only_child[p] = cell_bool(st_, 7);
        nums_put(&C->share, p, cell_fen(st_, 8));
    }
    nums_done(&C->children_edu);
    nums_done(&C->infants);
    nums_done(&C->share);
    sqlite3_close(db);
}

/* The persons grouped by household, each household's members next to
 * each other in the table's order: every person column moved once. */
#define PERMUTE(a) do {                                                 \
        __typeof__(a) t_ = xmalloc(sizeof *t_ * ((size_t)n + 1));      \
        for (int32_t i_ = 0; i_ < n; i_++)                              \
            t_[pos[i_]] = (a)[i_];                                      \
        free(a);                                                        \
        (a) = t_;                                                       \
    } while (0)

static void nums_move(nums *c, const int32_t *pos, int32_t n)
{
    PERMUTE(c->v);
    for (size_t i = 0; i < c->nbig; i++)
        c->big[i].p = pos[c->big[i].p];
    if (c->nbig)
        qsort(c->big, c->nbig, sizeof *c->big, big_cmp);
}

/* bills by person, then in the order of settlement: date, then number */
static int hbill_cmp(const void *a, const void *b)
{
    const hbill *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (x->claim > y->claim) - (x->claim < y->claim);
}

static void group_members(city *C)
{
    int32_t n = C->np;
    C->count = xcalloc((size_t)C->nh + 1, sizeof *C->count);
    NEW(C->first, C->nh + 1);
    for (int32_t i = 0; i < n; i++)
        C->count[C->hh[i]]++;
    int32_t at = 0;
    for (int32_t h = 0; h < C->nh; h++) {
        C->first[h] = at;
        at += C->count[h];
    }
    int32_t *pos, *fill = xmalloc(sizeof *fill * ((size_t)C->nh + 1));
    NEW(pos, n);
    memcpy(fill, C->first, sizeof *fill * (size_t)C->nh);
    for (int32_t i = 0; i < n; i++)
        pos[i] = fill[C->hh[i]]++;
    free(fill);
    PERMUTE(C->hh);
    PERMUTE(C->birth);
    PERMUTE(C->updated);
    PERMUTE(C->res_years);
    PERMUTE(C->grade);
    PERMUTE(C->deceased);
    PERMUTE(C->mar_reg);
    PERMUTE(C->mar_civ);
    PERMUTE(C->relation);
    PERMUTE(C->hukou);
    PERMUTE(C->supporter);
    PERMUTE(C->school);
    PERMUTE(C->kind);
    PERMUTE(C->hard);
    PERMUTE(C->flex);
    PERMUTE(C->loan);
    PERMUTE(C->renting);
    PERMUTE(C->tier);
    PERMUTE(C->supports);
    PERMUTE(C->only_child);
    PERMUTE(C->contrib.months);
    PERMUTE(C->bills.months);
    PERMUTE(C->pid.off);
    nums_move(&C->income, pos, n);
    nums_move(&C->selfpay, pos, n);
    nums_move(&C->wage_less_si, pos, n);
    nums_move(&C->wage, pos, n);
    nums_move(&C->children_edu, pos, n);
    nums_move(&C->infants, pos, n);
    nums_move(&C->share, pos, n);
    nums_move(&C->contrib.sum, pos, n);
    nums_move(&C->bills.sum, pos, n);
    for (int32_t i = 0; i < C->nhb; i++)
        C->hb[i].person = pos[C->hb[i].person];
    free(pos);
    qsort(C->hb, (size_t)C->nhb, sizeof *C->hb, hbill_cmp);
}

/* ---- parameters as of the run's date (examples/policies) ------------------ */

typedef struct dated {
    int32_t from;           /* yyyymmdd; 0 undated */
    int64_t fen;
} dated;

/* the value in force on the as-of date: UNK before the first */
static int64_t in_force(const dated *d, int n)
{
    int64_t v = UNK;
    for (int i = 0; i < n; i++)
        if (d[i].from <= as_of_ymd)
            v = d[i].fen;
    return v;
}
#define IN_FORCE(...) in_force((const dated[]){ __VA_ARGS__ }, \
                               (int)(sizeof((const dated[]){ __VA_ARGS__ }) / sizeof(dated)))

typedef struct params {
    int64_t *line, *gz_line;        /* 低保标准, 公租房收入线 by region */
    int64_t huli[4];                /* 护理补贴标准 by grade 1-3 */
    int64_t gaoling[3];             /* 高龄津贴标准: 80-89, 90-99, 100 or more */
    int64_t jiaoyu[7];              /* 教育资助标准 by school stage */
    int64_t edu, infant, elderly;   /* 子女教育, 婴幼儿照护, 赡养老人扣除 */
    int64_t rent[3];                /* 住房租金扣除 by city tier */
} params;

static void params_init(params *P, const city *C)
{
    int32_t nr = C->regions.n;
    NEW(P->line, nr);
    NEW(P->gz_line, nr);
    for (int32_t r = 0; r < nr; r++) {
        const char *k = id_at(&C->regions, r);
        if (strcmp(k, "330100") == 0) {
            P->gz_line[r] = IN_FORCE({ 20240101, 574000 }, { 20250101, 605000 });
        } else {
            P->gz_line[r] = IN_FORCE({ 20240101, 450000 }, { 20250101, 480000 });
        }
        P->line[r] = C->line[r];
    }
    P->huli[0] = UNK;
    P->huli[1] = IN_FORCE({ 20200101, 20000 }, { 20250101, 24000 });
    P->huli[2] = IN_FORCE({ 20200101, 15000 }, { 20250101, 18000 });
    P->huli[3] = IN_FORCE({ 20200101, 10000 }, { 20250101, 12000 });
    P->gaoling[0] = 5000;
    P->gaoling[1] = IN_FORCE({ 20200101, 10000 }, { 20250101, 15000 });
    P->gaoling[2] = 30000;
    P->jiaoyu[SCH_OUT] = UNK;
    P->jiaoyu[SCH_PRESCHOOL] = 100000;
    P->jiaoyu[SCH_PRIMARY] = 100000;
    P->jiaoyu[SCH_JUNIOR] = 125000;
    P->jiaoyu[SCH_SENIOR] = P->jiaoyu[SCH_VOCATIONAL] = IN_FORCE({ 20190901, 200000 }, { 20240901, 230000 });
    P->jiaoyu[SCH_COLLEGE] = IN_FORCE({ 20190901, 330000 }, { 20240901, 370000 });
    P->edu = IN_FORCE({ 20190101, 100000 }, { 20230101, 200000 });
    P->infant = IN_FORCE({ 20190101, 0 }, { 20220101, 100000 }, { 20230101, 200000 });
    P->elderly = IN_FORCE({ 20190101, 200000 }, { 20230101, 300000 });
    P->rent[0] = 150000;
    P->rent[1] = 110000;
    P->rent[2] = 80000;
}

/* ---- evaluation --------------------------------------------------------------------- */

enum { DIBAO, GONGZUFANG, LINSHI, TEKUN,                           /* households */
       CANJI_SHENGHUO, CANJI_HULI, GAOLING, ZHUANXIANG, GESHUI, JIAOYU, LINGHUO,
       YZ_BASIC, YZ_CRITICAL, YZ_ASSIST, YZ_SELF,                    /* each hospital bill */
       NPOLICIES };
static const char *const policy_name[NPOLICIES] = {
    "dibao", "gongzufang", "linshi", "tekun",
    "canji_shenghuo", "canji_huli", "gaoling", "zhuanxiang", "geshui", "jiaoyu", "linghuo",
    "基本医保", "大病保险", "医疗救助", "个人自付",
};

/* an eligible or undetermined decision, to be written */
typedef struct out {
    int32_t entity;         /* household or person */
    int32_t claim;          /* a hospital bill's number, 0 for none */
    uint8_t policy;
    uint8_t eligible;       /* else undetermined */
    int64_t amount;         /* UNK: none */
} out;

typedef struct outs {
    out *v;
    size_t n, cap;
} outs;

static void emit_claim(outs *o, int32_t e, int32_t claim, int policy, tri status, int64_t amount)
{
    if (status == 0)
        return;
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 65536;
        o->v = xrealloc(o->v, sizeof *o->v * o->cap);
    }
    o->v[o->n++] = (out){ e, claim, (uint8_t)policy, status == 1, status == 1 ? amount : UNK };
}

static void emit(outs *o, int32_t e, int policy, tri status, int64_t amount)
{
    emit_claim(o, e, 0, policy, status, amount);
}

/* 一站式结算 of person p's bills (b[0..n), in the order of settlement) in
 * one pass, the year's totals carried from bill to bill: basic insurance
 * by region and hospital level with the year's deductible and ceiling,
 * critical illness above its threshold, assistance for a household on
 * dibao or tekun (poor), the rest paid by the person.  An amount of a
 * layer not eligible is 0, unknown when undetermined. */
static void settle_bills(outs *o, int32_t p, const hbill *b, int32_t n, int32_t region, const city *C, tri poor)
{
    static const int64_t ded[2][3] = { { 30000, 60000, 80000 }, { 40000, 70000, 100000 } };
    static const int64_t rate[2][3] = { { 90, 85, 80 }, { 85, 80, 75 } };
    int other = region < 0 ? 0 : strcmp(id_at(&C->regions, region), "330100") != 0;
    int64_t ceiling = region < 0 ? UNK : other ? 30000000 : 40000000;
    int32_t year = -1;
    int64_t in_before = 0, uncapped_sum = 0, borne = 0;
    for (int32_t i = 0; i < n; i++) {
        int64_t amt = b[i].amount;
        int32_t y = b[i].date == NO_DATE ? NO_DATE : b[i].date / 10000;
        if (y != year) {
            year = y;
            in_before = uncapped_sum = borne = 0;
        }
        int known = region >= 0 && b[i].level != U;
        int64_t d_left = max3(sub3(known ? ded[other][b[i].level] : UNK, in_before), 0);
        tri above = gt3(amt, d_left);
        int64_t uncapped = above == 1 ? rha(mul3(sub3(amt, d_left), rate[other][b[i].level]), 100)
                           : above == 0 ? 0 : UNK;
        int64_t paid_before = min3(uncapped_sum, ceiling);
        uncapped_sum = add3(uncapped_sum, uncapped);
        tri basic_e = and3(above, gt3(sub3(ceiling, paid_before), 0));
        int64_t basic = basic_e == 1 ? sub3(min3(uncapped_sum, ceiling), paid_before) : basic_e == 0 ? 0 : UNK;
        emit_claim(o, p, b[i].claim, YZ_BASIC, with_amount(basic_e, basic), basic);

        int64_t cur = sub3(amt, basic);
        int64_t over = sub3(max3(sub3(add3(borne, cur), 2000000), 0), max3(sub3(borne, 2000000), 0));
        borne = add3(borne, cur);
        tri crit_e = gt3(over, 0);
        int64_t critical = crit_e == 1 ? rha(mul3(over, 60), 100) : crit_e == 0 ? 0 : UNK;
        emit_claim(o, p, b[i].claim, YZ_CRITICAL, with_amount(crit_e, critical), critical);

        int64_t assist = poor == 1 ? rha(mul3(sub3(cur, critical), 70), 100) : poor == 0 ? 0 : UNK;
        emit_claim(o, p, b[i].claim, YZ_ASSIST, with_amount(poor, assist), assist);

        int64_t own = sub3(sub3(cur, critical), assist);
        emit_claim(o, p, b[i].claim, YZ_SELF, with_amount(ge3(amt, 0), own), own);
        in_before = add3(in_before, amt);
    }
}

static int64_t age_of(int32_t birth)
{
    /* whole years from yyyymmdd to yyyymmdd: 29 February reached on 1 March */
    return birth == NO_DATE ? UNK : (as_of_ymd - birth) / 10000;
}

static int64_t i32(int32_t v) { return v == UNK32 ? UNK : v; }

/* 综合所得税率: the tax on a taxable income > 0, half away from zero */
static int64_t income_tax(int64_t t)
{
    static const struct { int64_t upto, pct, quick; } scale[] = {
        { 3600000, 3, 0 }, { 14400000, 10, 252000 }, { 30000000, 20, 1692000 },
        { 42000000, 25, 3192000 }, { 66000000, 30, 5292000 }, { 96000000, 35, 8592000 },
        { INT64_MAX, 45, 18192000 },
    };
    int k = 0;
    while (t > scale[k].upto)
        k++;
    return rha(t * scale[k].pct - scale[k].quick * 100, 100);
}

static void evaluate(const city *C, const params *P, outs *o)
{
    int before_2025 = as_of_ymd < 20250101;
    int32_t bill = 0;       /* the bills, sorted by person as the persons are */
    for (int32_t h = 0; h < C->nh; h++) {
        int32_t first = C->first[h], last = first + C->count[h];
        /* the living members: unknown when one member's deceased is */
        int known_list = 1;
        int64_t n = 0, s_income = 0, s_selfpay = 0, s_bills = 0;
        tri all_unable = 1, no_supporter = 1, any_hukou = 0, any_stable = 0, all_single30 = 1;
        for (int32_t p = first; p < last; p++) {
            int32_t upd = C->updated[p];
            tri dec = upd != NO_DATE && upd <= as_of_days && upd + 31 >= as_of_days ? C->deceased[p] : U;
            if (dec == U) {
                known_list = 0;
                break;
            }
            if (dec)
                continue;
            n++;
            s_income = add3(s_income, nums_get(&C->income, p));
            s_selfpay = add3(s_selfpay, rha(nums_get(&C->selfpay, p), 12));
            s_bills = add3(s_bills, nums_get(&C->bills.sum, p));
            int64_t age = age_of(C->birth[p]);
            int64_t grade = i32(C->grade[p]);
            tri kind = C->kind[p];
            tri severe = and3(known3(grade),
                              or3(or3(and3(kind == U ? U : kind == DIS_INTELLECTUAL || kind == DIS_MENTAL, le3(grade, 3)),
                                      and3(kind == U ? U : kind == DIS_PHYSICAL, le3(grade, 2))),
                                  and3(kind == U ? U : kind == DIS_VISUAL, grade == UNK ? U : grade == 1)));
            all_unable = and3(all_unable, or3(or3(ge3(age, 60), lt3(age, 16)), severe));
            no_supporter = and3(no_supporter, not3(C->supporter[p]));
            any_hukou = or3(any_hukou, C->hukou[p]);
            int64_t months = nums_get(&C->contrib.sum, p) == UNK ? UNK : __builtin_popcount(C->contrib.months[p]);
            any_stable = or3(any_stable, ge3(months, 12));
            tri mar = C->mar_reg[p] == U ? C->mar_civ[p]
                      : C->mar_civ[p] == U || C->mar_civ[p] == C->mar_reg[p] ? C->mar_reg[p] : U;
            all_single30 = and3(all_single30, and3(mar == U ? U : mar != MAR_MARRIED, ge3(age, 30)));
        }
        if (!known_list) {
            n = s_income = s_selfpay = s_bills = UNK;
            all_unable = no_supporter = any_hukou = any_stable = all_single30 = U;
        }
        int32_t region = C->region[h];
        int64_t line = region < 0 ? UNK : P->line[region];
        int64_t gz_line = region < 0 ? UNK : P->gz_line[region];
        int64_t assets = C->assets_until[h] != NO_DATE && C->assets_until[h] >= as_of_ymd ? C->assets[h] : UNK;
        tri other_housing = C->other_housing[h];
        /* 人均月收入: income less monthly self-pay, not below 0, per living member */
        int64_t per_cap = n == UNK ? UNK : n == 0 ? 0 : rha(max3(sub3(s_income, s_selfpay), 0), n);
        int64_t per_cap_gz = n == UNK ? UNK : n == 0 ? 0 : rha(s_income, n);
        int64_t cap = mul3(mul3(24, line), n);
        tri living = gt3(n, 0);

        tri dibao_own = and3(and3(living, lt3(per_cap, line)), and3(le3(assets, cap), not3(other_housing)));
        int64_t dibao_amt = mul3(sub3(line, per_cap), n);
        tri tekun_own = and3(and3(and3(living, all_unable), lt3(per_cap, line)), and3(le3(assets, cap), no_supporter));
        int64_t tekun_amt = mul3(rha(mul3(line, 13), 10), n);
        tri tekun = with_amount(tekun_own, tekun_amt);
        /* tekun excludes dibao */
        tri dibao = dibao_own == 0 ? 0 : tekun == 1 ? 0 : tekun == U ? U : with_amount(dibao_own, dibao_amt);
        tri gz = and3(and3(and3(living, lt3(per_cap_gz, gz_line)), not3(other_housing)),
                      and3(or3(any_hukou, any_stable), or3(ge3(n, 2), all_single30)));
        int64_t thr = rha(mul3(s_income, 12 * 4), 10);
        tri linshi_own = and3(gt3(s_bills, thr), le3(assets, cap));
        int64_t linshi_amt = min3(rha(mul3(sub3(s_bills, thr), 5), 10), rha(mul3(line, 72), 12));
        emit(o, h, DIBAO, dibao, dibao_amt);
        emit(o, h, GONGZUFANG, gz, UNK);
        emit(o, h, LINSHI, with_amount(linshi_own, linshi_amt), linshi_amt);
        emit(o, h, TEKUN, tekun, tekun_amt);

        int64_t shenghuo_amt = rha(mul3(line, 3), 10);
        tri poor = or3(dibao, tekun);
        for (int32_t p = first; p < last; p++) {
            int32_t upd = C->updated[p];
            tri alive = not3(upd != NO_DATE && upd <= as_of_days && upd + 31 >= as_of_days ? C->deceased[p] : U);
            int64_t grade = i32(C->grade[p]);
            tri kind = C->kind[p];
            tri has_grade = known3(grade);
            int64_t age = age_of(C->birth[p]);

            tri sh = and3(and3(alive, has_grade), and3(le3(grade, 2), dibao));
            emit(o, p, CANJI_SHENGHUO, with_amount(sh, shenghuo_amt), shenghuo_amt);

            tri hl = and3(and3(alive, has_grade),
                          or3(le3(grade, 2), and3(grade == UNK ? U : grade == 3,
                                                  kind == U ? U : kind == DIS_INTELLECTUAL || kind == DIS_MENTAL)));
            int64_t hl_amt = grade >= 1 && grade <= 3 ? P->huli[grade] : UNK;
            emit(o, p, CANJI_HULI, with_amount(hl, hl_amt), hl_amt);

            /* gaoling, and its exception for non-local centenarians */
            tri hukou = C->hukou[p];
            tri rule = and3(and3(alive, ge3(age, 80)), hukou);
            tri exc = and3(and3(ge3(age, 100), not3(hukou)), and3(ge3(i32(C->res_years[p]), 5), alive));
            tri gl = exc == 1 ? 1 : exc == 0 ? rule : rule == 1 ? 1 : U;
            int64_t gl_amt = age == UNK || age < 80 ? UNK : P->gaoling[age < 90 ? 0 : age < 100 ? 1 : 2];
            emit(o, p, GAOLING, with_amount(gl, gl_amt), gl_amt);

            /* zhuanxiang: yearly(子女教育 + 婴幼儿照护 + 住房 + 赡养老人) + 大病医疗 */
            tri loan = C->loan[p], renting = C->renting[p], supports = C->supports[p], only = C->only_child[p];
            int64_t housing = loan == U ? UNK : loan ? 100000
                              : renting == U ? UNK : renting ? (C->tier[p] == U ? UNK : P->rent[C->tier[p]]) : 0;
            int64_t elderly = supports == U ? UNK : !supports ? 0
                              : only == U ? UNK : only ? P->elderly : min3(nums_get(&C->share, p), rha(P->elderly, 2));
            int64_t monthly = add3(add3(mul3(P->edu, nums_get(&C->children_edu, p)),
                                        mul3(P->infant, nums_get(&C->infants, p))),
                                   add3(housing, elderly));
            int64_t zx_amt = add3(mul3(monthly, 12), min3(max3(sub3(nums_get(&C->selfpay, p), 1500000), 0), 8000000));
            tri zx = gt3(zx_amt, 0);
            /* for taxpayers only (known(annual_wage) and annual_wage > 0): the
             * others are not applicable, stored as the not eligible are not */
            int64_t wage = nums_get(&C->wage, p);
            int taxpayer = wage != UNK && wage > 0;
            emit(o, p, ZHUANXIANG, taxpayer ? zx : 0, zx_amt);

            int64_t taxable = sub3(sub3(nums_get(&C->wage_less_si, p), 6000000), zx == 1 ? zx_amt : zx == 0 ? 0 : UNK);
            tri gs = gt3(taxable, 0);
            emit(o, p, GESHUI, taxpayer ? gs : 0, gs == 1 ? income_tax(taxable) : UNK);

            tri school = C->school[p], rel = C->relation[p];
            tri jy = and3(and3(alive, school == U ? U : school != SCH_OUT),
                          and3(rel == U ? U : rel == REL_CHILD || rel == REL_GRANDCHILD, poor));
            int64_t jy_amt = school == U ? UNK : P->jiaoyu[school];
            emit(o, p, JIAOYU, with_amount(jy, jy_amt), jy_amt);

            /* linghuo: before 2025 the longest run of months, then their count */
            int64_t c_sum = nums_get(&C->contrib.sum, p), metric = UNK;
            if (c_sum != UNK) {
                unsigned m = C->contrib.months[p];
                if (before_2025) {
                    int run = 0;
                    for (metric = 0; m; m >>= 1) {
                        run = m & 1 ? run + 1 : 0;
                        if (run > metric)
                            metric = run;
                    }
                } else {
                    metric = __builtin_popcount(m);
                }
            }
            tri lh = and3(and3(alive, C->hard[p]), and3(C->flex[p], ge3(metric, 6)));
            int64_t lh_amt = rha(mul3(c_sum, 2), 3);
            emit(o, p, LINGHUO, with_amount(lh, lh_amt), lh_amt);

            int32_t nb = 0;
            while (bill + nb < C->nhb && C->hb[bill + nb].person == p)
                nb++;
            settle_bills(o, p, C->hb + bill, nb, region, C, poor);
            bill += nb;
        }
    }
}

/* ---- writing --------------------------------------------------------------------- */

static void sql(sqlite3 *db, const char *path, const char *s)
{
    char *e = NULL;
    if (sqlite3_exec(db, s, NULL, NULL, &e) != SQLITE_OK)
        die("%s: %s", path, e ? e : sqlite3_errmsg(db));
}

static void write_out(const city *C, const outs *o, const char *path)
{
    char *tmp = out_tmp;
    if ((size_t)snprintf(tmp, sizeof out_tmp, "%s.tmp", path) >= sizeof out_tmp) {
        out_tmp[0] = '\0';
        die("%s: path too long", path);
    }
    unlink(tmp);
    sqlite3 *db;
    if (sqlite3_open(tmp, &db) != SQLITE_OK)
        die("%s: %s", tmp, sqlite3_errmsg(db));
    sql(db, tmp, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN; "
                 "CREATE TABLE decisions (entity_kind TEXT, entity_id TEXT, policy TEXT, "
                 "status TEXT, amount_fen INTEGER, claim INTEGER)");
    /* rows in batches of ROWS per statement: one statement step per batch */
    enum { ROWS = 64 };
    char text[ROWS * 21 + 64];
    size_t at = (size_t)snprintf(text, sizeof text, "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?)");
    for (int k = 1; k < ROWS; k++)
        at += (size_t)snprintf(text + at, sizeof text - at, ", (?, ?, ?, ?, ?, ?)");
    sqlite3_stmt *batch, *one;
    if (sqlite3_prepare_v2(db, text, -1, &batch, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?)", -1, &one, NULL) != SQLITE_OK)
        die("%s: %s", tmp, sqlite3_errmsg(db));
    for (size_t i = 0; i < o->n;) {
        sqlite3_stmt *st = o->n - i >= ROWS ? batch : one;
        int rows = st == batch ? ROWS : 1;
        for (int k = 0; k < rows; k++, i++) {
            const out *d = &o->v[i];
            int person = d->policy >= CANJI_SHENGHUO, c = 6 * k;
            sqlite3_bind_text(st, c + 1, person ? "person" : "household", person ? 6 : 9, SQLITE_STATIC);
            sqlite3_bind_text(st, c + 2, id_at(person ? &C->pid : &C->hid, d->entity), -1, SQLITE_STATIC);
            sqlite3_bind_text(st, c + 3, policy_name[d->policy], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, c + 4, d->eligible ? "eligible" : "undetermined", d->eligible ? 8 : 12,
                              SQLITE_STATIC);
            if (d->amount == UNK)
                sqlite3_bind_null(st, c + 5);
            else
                sqlite3_bind_int64(st, c + 5, d->amount);
            if (d->claim)
                sqlite3_bind_int(st, c + 6, d->claim);
            else
                sqlite3_bind_null(st, c + 6);
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            die("%s: %s", tmp, sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    sqlite3_finalize(batch);
    sqlite3_finalize(one);
    sql(db, tmp, "COMMIT");
    if (sqlite3_close(db) != SQLITE_OK)
        die("%s: cannot close it", tmp);
    if (rename(tmp, path) != 0)
        die("%s: cannot rename %s to it", path, tmp);
    out_tmp[0] = '\0';
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: floor CITY_DIR AS_OF OUT_DB\n");
        return 2;
    }
    int32_t y, m, d;
    if (parse_ymd(argv[2], (int)strlen(argv[2]), &y, &m, &d) || strlen(argv[2]) != 10) {
        fprintf(stderr, "floor: the as-of date \"%s\" is not a date (YYYY-MM-DD)\n", argv[2]);
        return 2;
    }
    as_of_ymd = y * 10000 + m * 100 + d;
    as_of_days = days_from_civil(y, m, d);
    w12_hi_ym = y * 12 + m - 2;     /* the 12 months before the as-of month */
    w12_lo_ym = w12_hi_ym - 11;
    codes_init();
    sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);     /* no locking: one thread */

    double t0 = now();
    static city C;
    load_registry(&C, argv[1]);
    load_households(&C, argv[1]);
    load_persons(&C, argv[1]);
    /* the ids' hashes only served the load */
    free(C.pid.slot);
    free(C.hid.slot);
    group_members(&C);
    double t1 = now();
    static params P;
    params_init(&P, &C);
    static outs o;
    evaluate(&C, &P, &o);
    double t2 = now();
    write_out(&C, &o, argv[3]);
    double t3 = now();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("floor: load %.3f s, evaluate %.3f s, write %.3f s, total %.3f s, peak memory %ld MiB\n",
           t1 - t0, t2 - t1, t3 - t2, t3 - t0, ru.ru_maxrss / 1024);
    return 0;
}
