/* check_tables.c -- the vocabularies kept in one table each: the tables of
 * a program (engine/program_tables.def) and the sections of the file. */
#include "suites.h"

#include "mem.h"
#include "module.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

/* ---- the program's tables and the file's sections ------------------------- */

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t le64(const unsigned char *b)
{
    return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

/* The sections of format 5 as docs/bytecode.md lists them: id and record
 * size.  A new table adds its line here, in the docs and at the end of
 * program_tables.def. */
static const struct { uint32_t id, size; } format_sections[] = {
    { 1, 16 }, { 2, 1 }, { 3, 4 }, { 4, 8 }, { 5, 28 }, { 6, 24 }, { 7, 4 }, { 8, 12 },
    { 9, 16 }, { 10, 32 }, { 11, 36 }, { 12, 16 }, { 13, 16 }, { 14, 24 }, { 15, 4 },
    { 16, 4 }, { 17, 32 }, { 18, 32 }, { 19, 24 }, { 20, 68 }, { 21, 4 }, { 22, 16 }, { 23, 24 },
};
#define NFORMAT ((int)(sizeof format_sections / sizeof format_sections[0]))

/* Fill every table with its own number of records of its own bytes. */
static void fill(hm_program *p)
{
    memset(p, 0, sizeof *p);
    int t = 0;
#define HM_TABLE(SEC, id, type, arr, count, ctype, kind, what)   \
    t++;                                                          \
    p->count = (ctype)(t + 2);                                    \
    p->arr = mem_alloc(sizeof(type) * (size_t)p->count);          \
    ck_assert_ptr_nonnull(p->arr);                                \
    memset(p->arr, 0x10 + t, sizeof(type) * (size_t)p->count);
#define HM_ALONG(SEC, id, type, arr, count, what, of)            \
    t++;                                                          \
    p->arr = mem_alloc(sizeof(type) * (size_t)p->count);          \
    ck_assert_ptr_nonnull(p->arr);                                \
    memset(p->arr, 0x10 + t, sizeof(type) * (size_t)p->count);
#include "program_tables.def"
#undef HM_TABLE
#undef HM_ALONG
    p->nhcols = 1;
    p->npcols = 2;
    p->nrcols = 3;
    p->max_regs = 4;
}

START_TEST(test_every_table_is_a_section)
{
    hm_program p, q;
    fill(&p);
    unsigned char *buf;
    size_t len;
    ck_assert_int_eq(module_encode(&p, &buf, &len), 0);
    /* the section table: the ids and record sizes of the format, in order */
    ck_assert_uint_eq(le32(buf + 40), NFORMAT);
    for (int i = 0; i < NFORMAT; i++) {
        const unsigned char *s = buf + 64 + (size_t)i * 24;
        ck_assert_uint_eq(le32(s), format_sections[i].id);
        ck_assert_uint_eq(le64(s + 16), (uint64_t)le32(s + 4) * format_sections[i].size);
    }
    /* every table comes back whole */
    char err[256];
    ck_assert_int_eq(module_read_mem(buf, len, "m", &q, err, sizeof err), 0);
#define HM_TABLE(SEC, id, type, arr, count, ctype, kind, what)   \
    ck_assert_msg(q.count == p.count, "count of " #arr);          \
    ck_assert_msg(memcmp(q.arr, p.arr, sizeof(type) * (size_t)p.count) == 0, "records of " #arr);
#define HM_ALONG(SEC, id, type, arr, count, what, of)            \
    ck_assert_msg(memcmp(q.arr, p.arr, sizeof(type) * (size_t)p.count) == 0, "records of " #arr);
#include "program_tables.def"
#undef HM_TABLE
#undef HM_ALONG
    ck_assert_int_eq(q.nhcols, 1);
    ck_assert_int_eq(q.npcols, 2);
    ck_assert_int_eq(q.nrcols, 3);
    ck_assert_uint_eq(q.max_regs, 4);
    prog_free(&q);
    /* a table along another must have as many records: one line entry
     * fewer than instructions (checksum made again) is refused */
    unsigned char *lines = buf + 64 + 15 * 24;
    ck_assert_uint_eq(le32(lines), 16);
    uint32_t n = le32(lines + 4) - 1;
    for (int i = 0; i < 4; i++) {
        lines[4 + i] = (unsigned char)(n >> (8 * i));
        lines[16 + i] = (unsigned char)((n * 4) >> (8 * i));
    }
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf + 64, (uInt)(len - 64));
    for (int i = 0; i < 4; i++)
        buf[44 + i] = (unsigned char)(crc >> (8 * i));
    ck_assert_int_eq(module_read_mem(buf, len, "m", &q, err, sizeof err), -1);
    ck_assert_str_eq(err, "m: bad bytecode (15 line entries for 16 instructions)");
    mem_free(buf);
    prog_free(&p);
}
END_TEST

Suite *hm_tables_suite(void)
{
    Suite *s = suite_create("tables");
    TCase *tc = tcase_create("program tables");
    tcase_add_test(tc, test_every_table_is_a_section);
    suite_add_tcase(s, tc);
    return s;
}
