/* idindex.c -- see idindex.h. */
#include "idindex.h"
#include "mem.h"

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <stdio.h>
#include <string.h>

static uint64_t hash_text(const char *s, size_t len) { return XXH3_64bits(s, len); }
static uint64_t hash_int(int64_t v) { return XXH3_64bits(&v, sizeof v); }

/* the first slot to try: the low half of the hash scaled to the table */
static uint32_t home(const id_index *x, uint64_t h)
{
    return (uint32_t)(((h & 0xffffffffu) * x->cap) >> 32);
}

/* Does the stored id r equal s[0..len)?  Without strlen: r ends where s
 * does, and a NUL inside s matches nothing. */
static int text_eq(const char *r, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (r[i] != s[i] || !r[i])
            return 0;
    return r[len] == '\0';
}

static int same_text(const void *ids, int32_t row, const void *key, size_t len)
{
    return text_eq(((char *const *)ids)[row], key, len);
}

static int same_int(const void *ids, int32_t row, const void *key, size_t len)
{
    (void)len;
    return ((const int64_t *)ids)[row] == *(const int64_t *)key;
}

/* The slot holding the id `key` (hash h), or the empty slot where it
 * would go. */
static inline idx_slot *probe(const id_index *x, uint64_t h,
                              int (*same)(const void *, int32_t, const void *, size_t),
                              const void *ids, const void *key, size_t len)
{
    uint32_t tag = (uint32_t)(h >> 32), i = home(x, h);
    for (;;) {
        idx_slot *s = &x->slot[i];
        if (s->row < 0 || (s->tag == tag && same(ids, s->row, key, len)))
            return s;
        if (++i == x->cap)
            i = 0;
    }
}

int idx_init(id_index *x, uint32_t n)
{
    /* at most two thirds full: short probes */
    uint64_t cap = (uint64_t)n + n / 2 + 16;
    if (cap > INT32_MAX)
        cap = INT32_MAX;
    x->slot = mem_alloc(sizeof *x->slot * cap);
    if (!x->slot)
        return -1;
    x->cap = (uint32_t)cap;
    x->n = 0;
    for (uint32_t i = 0; i < x->cap; i++)
        x->slot[i] = (idx_slot){ -1, 0 };
    return 0;
}

void idx_free(id_index *x)
{
    mem_free(x->slot);
    memset(x, 0, sizeof *x);
}

/* Place (row, h) in an empty slot; the id is known to be absent. */
static void place(id_index *x, int32_t row, uint64_t h)
{
    uint32_t i = home(x, h);
    while (x->slot[i].row >= 0)
        if (++i == x->cap)
            i = 0;
    x->slot[i] = (idx_slot){ row, (uint32_t)(h >> 32) };
    x->n++;
}

/* Room for one more: a table two thirds full is rebuilt twice as large. */
static int make_room(id_index *x, const void *ids, int text)
{
    if (x->slot && (uint64_t)(x->n + 1) * 3 <= (uint64_t)x->cap * 2)
        return 0;
    id_index bigger;
    if (x->cap >= INT32_MAX / 2 || idx_init(&bigger, x->n * 2 + 1024))
        return -1;
    for (uint32_t i = 0; i < x->cap; i++) {
        int32_t r = x->slot[i].row;
        if (r >= 0)
            place(&bigger, r, text ? hash_text(((char *const *)ids)[r], strlen(((char *const *)ids)[r]))
                                   : hash_int(((const int64_t *)ids)[r]));
    }
    mem_free(x->slot);
    *x = bigger;
    return 0;
}

int32_t idx_find_text(const id_index *x, char *const *ids, const char *s, size_t len)
{
    return x->cap ? probe(x, hash_text(s, len), same_text, ids, s, len)->row : -1;
}

int32_t idx_find_int(const id_index *x, const int64_t *ids, int64_t v)
{
    return x->cap ? probe(x, hash_int(v), same_int, ids, &v, 0)->row : -1;
}

static int32_t add(id_index *x, const void *ids, int32_t row, int text)
{
    if (make_room(x, ids, text))
        return -2;
    const char *s = text ? ((char *const *)ids)[row] : NULL;
    size_t len = text ? strlen(s) : 0;
    int64_t v = text ? 0 : ((const int64_t *)ids)[row];
    uint64_t h = text ? hash_text(s, len) : hash_int(v);
    idx_slot *at = text ? probe(x, h, same_text, ids, s, len) : probe(x, h, same_int, ids, &v, 0);
    if (at->row >= 0)
        return at->row;
    *at = (idx_slot){ row, (uint32_t)(h >> 32) };
    x->n++;
    return -1;
}

int32_t idx_add_text(id_index *x, char *const *ids, int32_t row)
{
    return add(x, ids, row, 1);
}

int32_t idx_add_int(id_index *x, const int64_t *ids, int32_t row)
{
    return add(x, ids, row, 0);
}

char *idx_format_int(int64_t v, char *buf)
{
    snprintf(buf, IDX_INT_BUF, "%lld", (long long)v);
    return buf;
}

int idx_parse_int(const char *s, size_t len, int64_t *v)
{
    size_t i = len && s[0] == '-';
    if (i == len || len - i > 19 || (s[i] == '0' && len - i > 1) || (i && s[i] == '0'))
        return 0;
    uint64_t u = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        u = u * 10 + (uint64_t)(s[i] - '0');     /* 19 digits cannot wrap */
    }
    if (s[0] == '-' ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
        return 0;
    *v = s[0] == '-' ? (int64_t)(0 - u) : (int64_t)u;
    return 1;
}

int32_t idx_find_either(const id_index *x, char *const *text, const int64_t *num, const char *s, size_t len)
{
    int64_t v;
    if (!num)
        return idx_find_text(x, text, s, len);
    return idx_parse_int(s, len, &v) ? idx_find_int(x, num, v) : -1;
}

int32_t idx_find_either_int(const id_index *x, char *const *text, const int64_t *num, int64_t v)
{
    char buf[IDX_INT_BUF];
    if (num)
        return idx_find_int(x, num, v);
    idx_format_int(v, buf);
    return idx_find_text(x, text, buf, strlen(buf));
}

/* Position p of n as a row (order NULL: the same). */
static int32_t row_of(const int32_t *order, int32_t p)
{
    return order ? order[p] : p;
}

int32_t idx_find_near_int(const id_index *x, char *const *text, const int64_t *num, const int32_t *order,
                          int32_t n, int32_t *last, int64_t v)
{
    for (int32_t p = *last; num && p >= 0 && p <= *last + 1 && p < n; p++)
        if (num[p] == v)
            return row_of(order, *last = p);
    int32_t p = idx_find_either_int(x, text, num, v);
    if (p < 0)
        return -1;
    return row_of(order, *last = p);
}

int32_t idx_find_near(const id_index *x, char *const *text, const int64_t *num, const int32_t *order,
                      int32_t n, int32_t *last, const char *s, size_t len)
{
    int64_t v;
    if (num)
        return idx_parse_int(s, len, &v) ? idx_find_near_int(x, text, num, order, n, last, v) : -1;
    for (int32_t p = *last; p >= 0 && p <= *last + 1 && p < n; p++)
        if (text_eq(text[p], s, len))
            return row_of(order, *last = p);
    int32_t p = idx_find_text(x, text, s, len);
    if (p < 0)
        return -1;
    return row_of(order, *last = p);
}
