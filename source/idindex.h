/* idindex.h -- the rows of a population by id: a hash table (open
 * addressing, linear probing) over ids kept elsewhere, text or integer.
 * A lookup hashes the id once (XXH3) and compares it with the one or two
 * rows whose hash matches, never searching sorted text.
 *
 * The index holds rows, not ids: each call passes the array the ids are in
 * (ids[row]), which may move between calls (a growing array). */
#ifndef HM_IDINDEX_H
#define HM_IDINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct idx_slot {
    int32_t row;            /* -1: empty */
    uint32_t tag;           /* the hash's high half, to skip other ids cheaply */
} idx_slot;

typedef struct id_index {
    idx_slot *slot;
    uint32_t cap, n;
} id_index;

/* An empty index with room for about n ids (it grows as rows are added).
 * 0, or -1 when out of memory. */
int  idx_init(id_index *x, uint32_t n);
void idx_free(id_index *x);

/* Add `row` under text id ids[row] (NUL-terminated).  -1 when added; the
 * row that already has that id (nothing added); -2 when out of memory. */
int32_t idx_add_text(id_index *x, char *const *ids, int32_t row);
/* The row with id s[0..len), or -1. */
int32_t idx_find_text(const id_index *x, char *const *ids, const char *s, size_t len);

/* The same for integer ids: ids[row]. */
int32_t idx_add_int(id_index *x, const int64_t *ids, int32_t row);
int32_t idx_find_int(const id_index *x, const int64_t *ids, int64_t v);

/* Integer ids as text and back: 42 is "42"; text that is not an
 * integer's own decimal form ("042", "+42", "-0", " 42") is no integer. */
#define IDX_INT_BUF 24
char *idx_format_int(int64_t v, char *buf);
int  idx_parse_int(const char *s, size_t len, int64_t *v);

/* The row of an id given as text (s, len) or as an integer (v), among
 * text ids (num NULL) or integer ids num[row]: an integer matches its
 * decimal text and the other way round. */
int32_t idx_find_either(const id_index *x, char *const *text, const int64_t *num, const char *s, size_t len);
int32_t idx_find_either_int(const id_index *x, char *const *text, const int64_t *num, int64_t v);

/* The same over ids kept in the order they were listed (text[p] or
 * num[p], position p of n, indexed so), returning their row order[p]
 * (order NULL: p itself): the position found last (*last, -1 at first)
 * and the one after it are tried first, so that a table stored in the
 * order the population was listed in, or with several rows an id
 * (records), finds its rows without hashing, reading the ids in
 * sequence.  *last is set to the position found. */
int32_t idx_find_near(const id_index *x, char *const *text, const int64_t *num, const int32_t *order,
                      int32_t n, int32_t *last, const char *s, size_t len);
int32_t idx_find_near_int(const id_index *x, char *const *text, const int64_t *num, const int32_t *order,
                          int32_t n, int32_t *last, int64_t v);

#endif
