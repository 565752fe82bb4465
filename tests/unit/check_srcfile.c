/* check_srcfile.c -- source texts and their line maps: loading, lines,
 * columns in code points, display widths and the UTF-8 decoder. */
#include "suites.h"

#include "srcfile.h"
#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static hm_srcfile F;
static char tmpdir[64];

static void sf_setup(void)
{
    memset(&F, 0, sizeof F);
    unsetenv("HM_MEM_FAIL_AT");
    unsetenv("HM_MEM_FAIL_AFTER");
    mem_fault_reset();
}

static void sf_teardown(void)
{
    srcfile_free(&F);
    unsetenv("HM_MEM_FAIL_AT");
    unsetenv("HM_MEM_FAIL_AFTER");
    mem_fault_reset();
    if (tmpdir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
        tmpdir[0] = '\0';
    }
}

static void from(const char *s)
{
    srcfile_free(&F);
    ck_assert_int_eq(srcfile_from_string(&F, "t.pol", s, strlen(s)), 0);
}

/* Write `len` bytes to a fresh temporary file; returns its path (static). */
static const char *tmpfile_with(const char *text, size_t len)
{
    static char path[128];
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/hm-srcfile-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    }
    snprintf(path, sizeof path, "%s/f.pol", tmpdir);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
    fclose(fp);
    return path;
}

#define LOC(off, wl, wc)                                                      \
    do {                                                                      \
        int l_, c_;                                                           \
        srcfile_locate(&F, (off), &l_, &c_);                                  \
        ck_assert_msg(l_ == (wl) && c_ == (wc), "offset %u: got %d:%d, want %d:%d", \
                      (unsigned)(off), l_, c_, (wl), (wc));                    \
    } while (0)

/* ---- line maps --------------------------------------------------------- */

START_TEST(test_line_count)
{
    from("");
    ck_assert_uint_eq(F.nlines, 1);
    ck_assert_uint_eq(F.len, 0);
    from("a");
    ck_assert_uint_eq(F.nlines, 1);
    from("a\n");
    ck_assert_uint_eq(F.nlines, 2);
    from("a\nb\nc");
    ck_assert_uint_eq(F.nlines, 3);
    ck_assert_uint_eq(F.lines[0], 0);
    ck_assert_uint_eq(F.lines[1], 2);
    ck_assert_uint_eq(F.lines[2], 4);
    from("\n\n\n");
    ck_assert_uint_eq(F.nlines, 4);
}
END_TEST

START_TEST(test_from_string_copies)
{
    char buf[] = "policy p";
    ck_assert_int_eq(srcfile_from_string(&F, "x/y.pol", buf, strlen(buf)), 0);
    buf[0] = 'X';
    ck_assert_str_eq(F.text, "policy p");
    ck_assert_str_eq(F.path, "x/y.pol");
    ck_assert_uint_eq(F.len, 8);
    ck_assert_int_eq(F.text[F.len], '\0');
}
END_TEST

START_TEST(test_from_string_keeps_nul_bytes)
{
    ck_assert_int_eq(srcfile_from_string(&F, "n.pol", "a\0b\nc", 5), 0);
    ck_assert_uint_eq(F.len, 5);
    ck_assert_int_eq(memcmp(F.text, "a\0b\nc", 5), 0);
    ck_assert_uint_eq(F.nlines, 2);
}
END_TEST

START_TEST(test_locate_ascii)
{
    from("ab\ncd\n\nef");
    LOC(0, 1, 1);
    LOC(1, 1, 2);
    LOC(2, 1, 3);   /* the newline itself */
    LOC(3, 2, 1);
    LOC(4, 2, 2);
    LOC(6, 3, 1);
    LOC(7, 4, 1);
    LOC(8, 4, 2);
    LOC(9, 4, 3);   /* end of file */
}
END_TEST

START_TEST(test_locate_chinese_columns)
{
    /* columns count characters: 人均收入 is 4 columns, 12 bytes */
    from("policy p {\n  let 人均收入 = 收入 / 人数\n}");
    uint32_t l2 = 11;
    LOC(l2 + 2, 2, 3);            /* let */
    LOC(l2 + 6, 2, 7);            /* 人 */
    LOC(l2 + 9, 2, 8);            /* 均 */
    LOC(l2 + 19, 2, 12);          /* = */
    LOC(l2 + 21, 2, 14);          /* 收入 */
    LOC(l2 + 28, 2, 17);          /* / */
    LOC(l2 + 30, 2, 19);          /* 人数 */
}
END_TEST

START_TEST(test_locate_mixed_widths)
{
    /* 1-, 2-, 3- and 4-byte characters before the target */
    from("aé人\xf0\x9f\x98\x80x");
    LOC(0, 1, 1);
    LOC(1, 1, 2);
    LOC(3, 1, 3);
    LOC(6, 1, 4);
    LOC(10, 1, 5);
}
END_TEST

START_TEST(test_locate_invalid_bytes_count_one_each)
{
    from("\xff\xfe" "a\xe4\xba" "b");
    LOC(2, 1, 3);
    LOC(5, 1, 6);
}
END_TEST

START_TEST(test_locate_past_end_is_clamped)
{
    from("ab\ncd");
    LOC(5, 2, 3);
    LOC(100, 2, 3);
    LOC(UINT32_MAX, 2, 3);
}
END_TEST

START_TEST(test_locate_many_lines)
{
    /* line i is "line NNNN 第N行\n": check the binary search everywhere */
    char *buf = malloc(2000 * 32);
    ck_assert_ptr_nonnull(buf);
    uint32_t starts[2000];
    size_t n = 0;
    for (int i = 0; i < 2000; i++) {
        starts[i] = (uint32_t)n;
        n += (size_t)sprintf(buf + n, "%.*s人x\n", i % 7, "       ");
    }
    ck_assert_int_eq(srcfile_from_string(&F, "m.pol", buf, n), 0);
    free(buf);
    ck_assert_uint_eq(F.nlines, 2001);
    for (int i = 0; i < 2000; i++) {
        LOC(starts[i], i + 1, 1);
        LOC(starts[i] + (uint32_t)(i % 7) + 3, i + 1, i % 7 + 2);  /* the x */
    }
}
END_TEST

START_TEST(test_srcfile_line)
{
    from("first\nsecond 第二\n\nlast");
    size_t len;
    const char *s = srcfile_line(&F, 1, &len);
    ck_assert_uint_eq(len, 5);
    ck_assert_int_eq(memcmp(s, "first", 5), 0);
    s = srcfile_line(&F, 2, &len);
    ck_assert_uint_eq(len, 13);
    ck_assert_int_eq(memcmp(s, "second 第二", 13), 0);
    s = srcfile_line(&F, 3, &len);
    ck_assert_uint_eq(len, 0);
    s = srcfile_line(&F, 4, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert_int_eq(memcmp(s, "last", 4), 0);
    s = srcfile_line(&F, 0, &len);
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_nonnull(s);
    s = srcfile_line(&F, 5, &len);
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_nonnull(s);
    s = srcfile_line(&F, -3, &len);
    ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(test_crlf_lines)
{
    from("ab\r\n人c\r\n\r\nend\r\n");
    ck_assert_uint_eq(F.nlines, 5);
    size_t len;
    const char *s = srcfile_line(&F, 1, &len);
    ck_assert_uint_eq(len, 2);
    ck_assert_int_eq(memcmp(s, "ab", 2), 0);
    s = srcfile_line(&F, 2, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert_int_eq(memcmp(s, "人c", 4), 0);
    srcfile_line(&F, 3, &len);
    ck_assert_uint_eq(len, 0);
    s = srcfile_line(&F, 4, &len);
    ck_assert_uint_eq(len, 3);
    LOC(4, 2, 1);
    LOC(7, 2, 2);   /* c after 人 */
    LOC(12, 4, 1);
}
END_TEST

START_TEST(test_lone_cr_in_last_line)
{
    /* a \r that ends the file is not part of the line shown */
    from("x = 1\r");
    size_t len;
    srcfile_line(&F, 1, &len);
    ck_assert_uint_eq(len, 5);
}
END_TEST

/* ---- loading files ------------------------------------------------------ */

START_TEST(test_load_file)
{
    const char *text = "module m\n# 中文注释\npolicy p for person {}\n";
    const char *path = tmpfile_with(text, strlen(text));
    ck_assert_int_eq(srcfile_load(&F, path), 0);
    ck_assert_uint_eq(F.len, strlen(text));
    ck_assert_str_eq(F.text, text);
    ck_assert_str_eq(F.path, path);
    ck_assert_uint_eq(F.nlines, 4);
}
END_TEST

START_TEST(test_load_empty_file)
{
    const char *path = tmpfile_with("", 0);
    ck_assert_int_eq(srcfile_load(&F, path), 0);
    ck_assert_uint_eq(F.len, 0);
    ck_assert_uint_eq(F.nlines, 1);
    ck_assert_str_eq(F.text, "");
}
END_TEST

START_TEST(test_load_binary_file)
{
    char buf[4096];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 7 + 3);
    const char *path = tmpfile_with(buf, sizeof buf);
    ck_assert_int_eq(srcfile_load(&F, path), 0);
    ck_assert_uint_eq(F.len, sizeof buf);
    ck_assert_int_eq(memcmp(F.text, buf, sizeof buf), 0);
}
END_TEST

START_TEST(test_load_large_file)
{
    size_t n = 3 * 1024 * 1024 + 17;
    char *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = i % 61 == 60 ? '\n' : (char)('a' + i % 26);
    const char *path = tmpfile_with(buf, n);
    ck_assert_int_eq(srcfile_load(&F, path), 0);
    ck_assert_uint_eq(F.len, n);
    ck_assert_int_eq(memcmp(F.text, buf, n), 0);
    ck_assert_uint_eq(F.nlines, n / 61 + 1);
    free(buf);
}
END_TEST

START_TEST(test_load_missing_file)
{
    errno = 0;
    ck_assert_int_eq(srcfile_load(&F, "/nonexistent/dir/x.pol"), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_ptr_null(F.text);
}
END_TEST

START_TEST(test_load_directory)
{
    errno = 0;
    ck_assert_int_eq(srcfile_load(&F, "/tmp"), -1);
    ck_assert_int_eq(errno, EISDIR);
    ck_assert_ptr_null(F.text);
    ck_assert_ptr_null(F.path);
}
END_TEST

START_TEST(test_free_twice_is_safe)
{
    from("abc");
    srcfile_free(&F);
    ck_assert_ptr_null(F.text);
    srcfile_free(&F);
}
END_TEST

START_TEST(test_from_string_out_of_memory)
{
    /* each of the three allocations fails in turn; nothing leaks (ASan) */
    for (int n = 1; n <= 3; n++) {
        char v[8];
        snprintf(v, sizeof v, "%d", n);
        setenv("HM_MEM_FAIL_AT", v, 1);
        mem_fault_reset();
        errno = 0;
        int rc = srcfile_from_string(&F, "o.pol", "a\nb", 3);
        ck_assert_msg(rc == -1, "allocation %d failed but from_string returned %d", n, rc);
        ck_assert_int_eq(errno, ENOMEM);
        ck_assert_ptr_null(F.text);
        ck_assert_ptr_null(F.path);
        ck_assert_ptr_null(F.lines);
    }
    setenv("HM_MEM_FAIL_AT", "4", 1);
    mem_fault_reset();
    ck_assert_int_eq(srcfile_from_string(&F, "o.pol", "a\nb", 3), 0);
    ck_assert_uint_eq(F.nlines, 2);
}
END_TEST

START_TEST(test_load_out_of_memory)
{
    const char *path = tmpfile_with("x\ny\n", 4);
    int failed = 0;
    for (int n = 1; n <= 20; n++) {
        char v[8];
        snprintf(v, sizeof v, "%d", n);
        setenv("HM_MEM_FAIL_AT", v, 1);
        mem_fault_reset();
        errno = 0;
        int rc = srcfile_load(&F, path);
        if (rc == 0) {
            ck_assert_str_eq(F.text, "x\ny\n");
            srcfile_free(&F);
            break;
        }
        failed++;
        ck_assert_int_eq(rc, -1);
        ck_assert_int_eq(errno, ENOMEM);
        ck_assert_ptr_null(F.text);
    }
    ck_assert_int_ge(failed, 3);
}
END_TEST

/* ---- UTF-8 --------------------------------------------------------------- */

static int dec(const char *s, size_t n, uint32_t *cp)
{
    *cp = 0xdeadbeef;
    return utf8_decode((const unsigned char *)s, n, cp);
}

START_TEST(test_decode_valid)
{
    uint32_t cp;
    ck_assert_int_eq(dec("A", 1, &cp), 1);
    ck_assert_uint_eq(cp, 'A');
    ck_assert_int_eq(dec("\x7f", 1, &cp), 1);
    ck_assert_int_eq(dec("\xc2\x80", 2, &cp), 2);
    ck_assert_uint_eq(cp, 0x80);
    ck_assert_int_eq(dec("é", 2, &cp), 2);
    ck_assert_uint_eq(cp, 0xe9);
    ck_assert_int_eq(dec("人", 3, &cp), 3);
    ck_assert_uint_eq(cp, 0x4eba);
    ck_assert_int_eq(dec("，", 3, &cp), 3);
    ck_assert_uint_eq(cp, 0xff0c);
    ck_assert_int_eq(dec("\xef\xbf\xbf", 3, &cp), 3);
    ck_assert_uint_eq(cp, 0xffff);
    ck_assert_int_eq(dec("\xf0\x9f\x98\x80", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x1f600);
    ck_assert_int_eq(dec("\xf4\x8f\xbf\xbf", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x10ffff);
    /* only the first sequence is decoded */
    ck_assert_int_eq(dec("人民", 6, &cp), 3);
    ck_assert_uint_eq(cp, 0x4eba);
}
END_TEST

START_TEST(test_decode_nul)
{
    uint32_t cp;
    ck_assert_int_eq(dec("\0x", 2, &cp), 1);
    ck_assert_uint_eq(cp, 0);
}
END_TEST

START_TEST(test_decode_rejects_overlongs)
{
    static const char *const bad[] = {
        "\xc0\x80", "\xc0\xaf", "\xc1\xbf",             /* 2-byte overlongs */
        "\xe0\x80\x80", "\xe0\x80\xaf", "\xe0\x9f\xbf", /* 3-byte */
        "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",         /* 4-byte */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t cp;
        ck_assert_msg(dec(bad[i], strlen(bad[i]), &cp) == 0, "overlong %zu accepted", i);
    }
    uint32_t cp;
    ck_assert_int_eq(dec("\xe0\xa0\x80", 3, &cp), 3); /* smallest 3-byte */
    ck_assert_uint_eq(cp, 0x800);
    ck_assert_int_eq(dec("\xf0\x90\x80\x80", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x10000);
}
END_TEST

START_TEST(test_decode_rejects_surrogates)
{
    uint32_t cp;
    ck_assert_int_eq(dec("\xed\xa0\x80", 3, &cp), 0);   /* U+D800 */
    ck_assert_int_eq(dec("\xed\xaf\xbf", 3, &cp), 0);   /* U+DBFF */
    ck_assert_int_eq(dec("\xed\xb0\x80", 3, &cp), 0);   /* U+DC00 */
    ck_assert_int_eq(dec("\xed\xbf\xbf", 3, &cp), 0);   /* U+DFFF */
    ck_assert_int_eq(dec("\xed\x9f\xbf", 3, &cp), 3);   /* U+D7FF */
    ck_assert_uint_eq(cp, 0xd7ff);
    ck_assert_int_eq(dec("\xee\x80\x80", 3, &cp), 3);   /* U+E000 */
    ck_assert_uint_eq(cp, 0xe000);
}
END_TEST

START_TEST(test_decode_rejects_out_of_range_and_bad_leads)
{
    uint32_t cp;
    ck_assert_int_eq(dec("\xf4\x90\x80\x80", 4, &cp), 0);   /* U+110000 */
    ck_assert_int_eq(dec("\xf5\x80\x80\x80", 4, &cp), 0);
    ck_assert_int_eq(dec("\xf7\xbf\xbf\xbf", 4, &cp), 0);
    ck_assert_int_eq(dec("\xf8\x88\x80\x80\x80", 5, &cp), 0);
    ck_assert_int_eq(dec("\xfc\x84\x80\x80\x80\x80", 6, &cp), 0);
    ck_assert_int_eq(dec("\xfe", 1, &cp), 0);
    ck_assert_int_eq(dec("\xff", 1, &cp), 0);
    ck_assert_int_eq(dec("\x80", 1, &cp), 0);   /* lone continuation */
    ck_assert_int_eq(dec("\xbf", 1, &cp), 0);
}
END_TEST

START_TEST(test_decode_rejects_truncation)
{
    uint32_t cp;
    ck_assert_int_eq(dec("", 0, &cp), 0);
    ck_assert_int_eq(dec("\xc3", 1, &cp), 0);
    ck_assert_int_eq(dec("\xe4\xba", 2, &cp), 0);
    ck_assert_int_eq(dec("\xf0\x9f\x98", 3, &cp), 0);
    /* the bytes are there, but n says they are not available */
    ck_assert_int_eq(dec("人", 2, &cp), 0);
    ck_assert_int_eq(dec("\xf0\x9f\x98\x80", 3, &cp), 0);
    ck_assert_int_eq(dec("\xf0\x9f\x98\x80", 1, &cp), 0);
}
END_TEST

START_TEST(test_decode_rejects_bad_continuation)
{
    uint32_t cp;
    ck_assert_int_eq(dec("\xc3(", 2, &cp), 0);
    ck_assert_int_eq(dec("\xe4" "A\xba", 3, &cp), 0);
    ck_assert_int_eq(dec("\xe4\xba" "A", 3, &cp), 0);
    ck_assert_int_eq(dec("\xf0\x9f\x98" "A", 4, &cp), 0);
    ck_assert_int_eq(dec("\xe4\xc0\xba", 3, &cp), 0);
}
END_TEST

START_TEST(test_display_width)
{
    ck_assert_int_eq(utf8_display_width("", 0), 0);
    ck_assert_int_eq(utf8_display_width("abc", 3), 3);
    ck_assert_int_eq(utf8_display_width("人均收入", 12), 8);
    ck_assert_int_eq(utf8_display_width("a人b", 5), 4);
    ck_assert_int_eq(utf8_display_width("，", 3), 2);       /* FF0C */
    ck_assert_int_eq(utf8_display_width("（）：", 9), 6);
    ck_assert_int_eq(utf8_display_width("《》", 6), 4);     /* 300A/300B */
    ck_assert_int_eq(utf8_display_width("\xe3\x80\x80", 3), 2);   /* ideographic space */
    ck_assert_int_eq(utf8_display_width("ＡＢ", 6), 4);     /* full-width Latin */
    ck_assert_int_eq(utf8_display_width("한국", 6), 4);     /* Hangul */
    ck_assert_int_eq(utf8_display_width("ひらがな", 12), 8);
    ck_assert_int_eq(utf8_display_width("\xf0\xa0\x80\x80", 4), 2);   /* U+20000 */
    ck_assert_int_eq(utf8_display_width("\xf0\x9f\x98\x80", 4), 2);   /* emoji */
    ck_assert_int_eq(utf8_display_width("é", 2), 1);
    ck_assert_int_eq(utf8_display_width("αβ", 4), 2);
    ck_assert_int_eq(utf8_display_width("ｱ", 3), 1);      /* half-width katakana FF71 */
}
END_TEST

START_TEST(test_display_width_invalid_and_partial)
{
    ck_assert_int_eq(utf8_display_width("\xff\xfe", 2), 2);
    /* a cut multi-byte character: one column per byte */
    ck_assert_int_eq(utf8_display_width("人", 2), 2);
    ck_assert_int_eq(utf8_display_width("a\xe4\xba", 3), 3);
    /* width counts only n bytes */
    ck_assert_int_eq(utf8_display_width("人均收入", 6), 4);
}
END_TEST

Suite *hm_srcfile_suite(void)
{
    Suite *s = suite_create("srcfile");

    TCase *lines = tcase_create("lines");
    tcase_add_checked_fixture(lines, sf_setup, sf_teardown);
    tcase_set_timeout(lines, 30);
    tcase_add_test(lines, test_line_count);
    tcase_add_test(lines, test_from_string_copies);
    tcase_add_test(lines, test_from_string_keeps_nul_bytes);
    tcase_add_test(lines, test_locate_ascii);
    tcase_add_test(lines, test_locate_chinese_columns);
    tcase_add_test(lines, test_locate_mixed_widths);
    tcase_add_test(lines, test_locate_invalid_bytes_count_one_each);
    tcase_add_test(lines, test_locate_past_end_is_clamped);
    tcase_add_test(lines, test_locate_many_lines);
    tcase_add_test(lines, test_srcfile_line);
    tcase_add_test(lines, test_crlf_lines);
    tcase_add_test(lines, test_lone_cr_in_last_line);
    suite_add_tcase(s, lines);

    TCase *load = tcase_create("load");
    tcase_add_checked_fixture(load, sf_setup, sf_teardown);
    tcase_set_timeout(load, 30);
    tcase_add_test(load, test_load_file);
    tcase_add_test(load, test_load_empty_file);
    tcase_add_test(load, test_load_binary_file);
    tcase_add_test(load, test_load_large_file);
    tcase_add_test(load, test_load_missing_file);
    tcase_add_test(load, test_load_directory);
    tcase_add_test(load, test_free_twice_is_safe);
    tcase_add_test(load, test_from_string_out_of_memory);
    tcase_add_test(load, test_load_out_of_memory);
    suite_add_tcase(s, load);

    TCase *u8 = tcase_create("utf8");
    tcase_add_checked_fixture(u8, sf_setup, sf_teardown);
    tcase_set_timeout(u8, 30);
    tcase_add_test(u8, test_decode_valid);
    tcase_add_test(u8, test_decode_nul);
    tcase_add_test(u8, test_decode_rejects_overlongs);
    tcase_add_test(u8, test_decode_rejects_surrogates);
    tcase_add_test(u8, test_decode_rejects_out_of_range_and_bad_leads);
    tcase_add_test(u8, test_decode_rejects_truncation);
    tcase_add_test(u8, test_decode_rejects_bad_continuation);
    tcase_add_test(u8, test_display_width);
    tcase_add_test(u8, test_display_width_invalid_and_partial);
    suite_add_tcase(s, u8);

    return s;
}
