/* check_tables.c -- the vocabularies kept in one table each: the tables of
 * a program (engine/program_tables.def) and the sections of the file; the
 * built-in functions (lang/builtins.def) and their documentation; the
 * value types of the checker, the engine and the plugin ABI. */
#include "suites.h"

#include "builtins.h"
#include "frontend.h"
#include "mem.h"
#include "module.h"
#include "types.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The sections of format 6 as docs/bytecode.md lists them: id and record
 * size.  A new table adds its line here, in the docs and at the end of
 * program_tables.def. */
static const struct { uint32_t id, size; } format_sections[] = {
    { 1, 16 }, { 2, 1 }, { 3, 4 }, { 4, 8 }, { 5, 28 }, { 6, 24 }, { 7, 4 }, { 8, 12 },
    { 9, 16 }, { 10, 32 }, { 11, 36 }, { 12, 16 }, { 13, 16 }, { 14, 24 }, { 15, 4 },
    { 16, 4 }, { 17, 36 }, { 18, 40 }, { 19, 24 }, { 20, 80 }, { 21, 4 }, { 22, 16 }, { 23, 24 },
    { 24, 48 }, { 25, 1 }, { 26, 16 }, { 27, 16 }, { 28, 24 }, { 29, 12 }, { 30, 16 }, { 31, 48 },
    { 32, 24 }, { 33, 12 },
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

/* ---- built-in functions ------------------------------------------------------ */

/* Does this rule give its instruction two operands (B and C)? */
static int two_operands(builtin_rule r)
{
    return r == BI_AGE || r == BI_DATES_INT || r == BI_ROUND || r == BI_EXTREME || r == BI_MAKE_DATE;
}

START_TEST(test_builtin_opcodes_exist)
{
    for (int i = 0; i < hm_nbuiltins; i++) {
        const hm_builtin *b = &hm_builtins[i];
        ck_assert_ptr_eq(builtin_find(b->name), b);
        ck_assert_msg(b->op > 0 && b->op < HM_NUM_OPCODES && b->op != OP_EXTRAARG, "%s: opcode %d", b->name, b->op);
        const hm_opinfo *in = &hm_op_info[b->op];
        ck_assert_msg(in->fmt == FMT_ABC && in->writes_a == WA_WR && in->ka == K_R && in->kb == K_R,
                      "%s: %s does not compute r[A] from r[B]", b->name, in->name);
        ck_assert_msg(in->kc == (two_operands(b->rule) ? K_R : K_NO), "%s: %s takes %s operands", b->name,
                      in->name, in->kc == K_R ? "two" : "one");
        /* date(y, m, d): the day in r[C+1] */
        ck_assert_msg(b->arity == -1 ? b->rule == BI_EXTREME : b->arity == 1 + (b->rule != BI_AGE &&
                      two_operands(b->rule)) + (b->rule == BI_MAKE_DATE), "%s: arity %d", b->name, b->arity);
    }
    ck_assert_ptr_null(builtin_find("sum"));
    ck_assert_ptr_null(builtin_find(""));
}
END_TEST

/* A condition calling built-in b with arguments of the types it takes. */
static const char *call_of(const hm_builtin *b, char *buf, size_t n)
{
    const char *fmt = NULL;
    switch (b->rule) {
    case BI_AGE: fmt = "%s(household.d) > 1"; break;
    case BI_DATES_INT: fmt = "%s(household.d, household.e) > 1"; break;
    case BI_DATE_DATE: fmt = "%s(household.d) > household.e"; break;
    case BI_PER_MONTH: fmt = "%s(household.y) > 1"; break;
    case BI_PER_YEAR: fmt = "%s(household.m) > 1"; break;
    case BI_ROUND: fmt = "%s(household.x, 0.5) > 1"; break;
    case BI_SAME_NUMBER: fmt = "%s(household.x) > 1"; break;
    case BI_KNOWN: fmt = "%s(household.d)"; break;
    case BI_MONTHS: fmt = "%s(household.r) > 1"; break;
    case BI_EXTREME: fmt = "%s(household.x, 2, 3) > 1"; break;
    case BI_MAKE_DATE: fmt = "%s(2024, 12, 31) > household.d"; break;
    }
    ck_assert_ptr_nonnull(fmt);
    snprintf(buf, n, fmt, b->name);
    return buf;
}

START_TEST(test_builtin_compiles_to_its_opcode)
{
    const hm_builtin *b = &hm_builtins[_i];
    char call[128], text[1024];
    snprintf(text, sizeof text,
             "source s {\n"
             "  household.d : date\n  household.e : date\n  household.x : decimal\n"
             "  household.m : money per month\n  household.y : money per year\n"
             "  household.r : records of money\n"
             "}\n"
             "policy p for household {\n  eligible when %s \"x\"\n}\n",
             call_of(b, call, sizeof call));
    hm_compiler *c = hm_compiler_new();
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(hm_compiler_add_source(c, "b.pol", text, strlen(text)), HM_OK);
    hm_program *q;
    sema *s;
    int rc = compiler_program(c, &q, &s);
    if (rc != HM_OK)
        hm_compiler_print_diagnostics(c, stderr);
    ck_assert_msg(rc == HM_OK, "%s does not compile", call);
    int found = 0;
    for (uint32_t pc = 0; pc < q->ncode; pc++)
        found |= GET_OP(q->code[pc]) == b->op;
    ck_assert_msg(found, "%s: no %s in the code", call, hm_op_info[b->op].name);
    hm_compiler_free(c);
}
END_TEST

/* docs/language.md: the file's text, NUL-terminated (free) */
static char *language_md(void)
{
    char path[4096];
    const char *src = getenv("SRCDIR");
    snprintf(path, sizeof path, "%s/docs/language.md", src && *src ? src : ".");
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, fp), (size_t)n);
    text[n] = '\0';
    fclose(fp);
    return text;
}

/* Mark each built-in named `NAME` (with `(` after the name when calls) in
 * text[from, to); a name that is not a built-in fails. */
static void names_in(const char *from, const char *to, int calls, int *seen)
{
    for (const char *p = from; p && p < to && (p = strchr(p, '`')) && p < to; ) {
        const char *end = strchr(p + 1, '`');
        ck_assert_ptr_nonnull(end);
        size_t len = strcspn(p + 1, "(`");
        if (!calls || p[1 + len] == '(') {
            char name[64];
            ck_assert_uint_lt(len, sizeof name);
            memcpy(name, p + 1, len);
            name[len] = '\0';
            const hm_builtin *b = builtin_find(name);
            ck_assert_msg(b != NULL, "docs/language.md lists `%s`, which is not a built-in function", name);
            seen[b - hm_builtins]++;
        }
        p = end + 1;
    }
}

START_TEST(test_builtins_documented)
{
    char *text = language_md();
    int seen[64] = { 0 };
    ck_assert_int_le(hm_nbuiltins, 64);
    /* 10.2: the table of built-in functions, one call of each */
    const char *from = strstr(text, "### 10.2 Built-in functions");
    ck_assert_ptr_nonnull(from);
    const char *to = strstr(from, "\n### ");
    ck_assert_ptr_nonnull(to);
    const char *table = strstr(from, "| function |");
    ck_assert_ptr_nonnull(table);
    for (const char *line = strchr(table, '\n'); line && line < to; line = strchr(line + 1, '\n')) {
        if (line[1] != '|')
            break;
        const char *cell = strchr(line + 2, '|');      /* the first cell only */
        names_in(line + 1, cell, 1, seen);
    }
    for (int i = 0; i < hm_nbuiltins; i++) {
        ck_assert_msg(seen[i] == 1, "`%s` is in docs/language.md 10.2 %d times", hm_builtins[i].name, seen[i]);
        seen[i] = 0;
    }
    /* 2.2: the names that cannot be given (min, max and date are keywords) */
    from = strstr(text, "The names of the built-in functions (");
    ck_assert_ptr_nonnull(from);
    to = strstr(from, ") cannot be given");
    ck_assert_ptr_nonnull(to);
    names_in(from, to, 0, seen);
    for (int i = 0; i < hm_nbuiltins; i++) {
        int keyword = hm_builtins[i].rule == BI_EXTREME || hm_builtins[i].rule == BI_MAKE_DATE;
        ck_assert_msg(seen[i] == !keyword, "`%s` is in docs/language.md 2.2 %d times", hm_builtins[i].name,
                      seen[i]);
    }
    free(text);
}
END_TEST

/* ---- value types ----------------------------------------------------------------- */

START_TEST(test_value_types_are_one_set)
{
    /* each checker type of a value is the engine's type of the same name */
    const hm_type *types[] = { &ty_bool, &ty_int, ty_money(PERIOD_NONE), &ty_decimal, &ty_date, &ty_text,
                               ty_duration(DUR_DAYS) };
    const int want[] = { VT_BOOL, VT_INT, VT_MONEY, VT_DECIMAL, VT_DATE, VT_TEXT, VT_DURATION };
    for (int i = 0; i < (int)(sizeof want / sizeof want[0]); i++) {
        char name[64];
        ty_name(types[i], name, sizeof name);
        ck_assert_int_eq(ty_vtype(types[i]), want[i]);
        ck_assert_msg(strncmp(name, vt_name(want[i]), strlen(vt_name(want[i]))) == 0, "%s is %s", name,
                      vt_name(want[i]));
    }
    hm_type code = { .kind = T_CODE };
    ck_assert_int_eq(ty_vtype(&code), VT_CODE);
    ck_assert_str_eq(vt_name(VT_CODE), "code");
    /* what is not a value has no value type */
    ck_assert_int_eq(ty_vtype(&ty_error), 0);
    ck_assert_int_eq(ty_vtype(&ty_person), 0);
    ck_assert_int_eq(ty_vtype(&ty_household), 0);
    ck_assert_int_eq(ty_vtype(&ty_list), 0);
    ck_assert_str_eq(vt_name(0), "?");
    /* a link to another member is a field's type (facts), not a value type */
    ck_assert_str_eq(vt_name(VT_PERSON), "person");
    ck_assert_str_eq(vt_name(VT_PERSON + 1), "?");
}
END_TEST

Suite *hm_tables_suite(void)
{
    Suite *s = suite_create("tables");
    TCase *tc = tcase_create("program tables");
    tcase_add_test(tc, test_every_table_is_a_section);
    suite_add_tcase(s, tc);
    tc = tcase_create("built-in functions");
    tcase_add_test(tc, test_builtin_opcodes_exist);
    tcase_add_loop_test(tc, test_builtin_compiles_to_its_opcode, 0, hm_nbuiltins);
    tcase_add_test(tc, test_builtins_documented);
    suite_add_tcase(s, tc);
    tc = tcase_create("value types");
    tcase_add_test(tc, test_value_types_are_one_set);
    suite_add_tcase(s, tc);
    return s;
}
