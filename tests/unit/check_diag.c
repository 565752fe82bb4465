/* check_diag.c -- collecting, sorting and rendering diagnostics: the
 * caret under the right character on Chinese lines, `~` underlines as wide
 * as the text, hints, notes after their parent, the error cap. */
#include "suites.h"

#include "diag.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hm_diags D;
static hm_srcfile F0, F1;
static char *out;       /* captured output, freed by the fixture */

static void dg_setup(void)
{
    unsetenv("HM_MEM_FAIL_AT");
    unsetenv("HM_MEM_FAIL_AFTER");
    mem_fault_reset();
    diag_init(&D);
    memset(&F0, 0, sizeof F0);
    memset(&F1, 0, sizeof F1);
    out = NULL;
}

static void dg_teardown(void)
{
    unsetenv("HM_MEM_FAIL_AT");
    unsetenv("HM_MEM_FAIL_AFTER");
    mem_fault_reset();
    diag_free(&D);
    srcfile_free(&F0);
    srcfile_free(&F1);
    free(out);
    out = NULL;
}

static void file0(const char *text)
{
    srcfile_free(&F0);
    ck_assert_int_eq(srcfile_from_string(&F0, "t.pol", text, strlen(text)), 0);
    F0.index = 0;
}

static void file1(const char *text)
{
    srcfile_free(&F1);
    ck_assert_int_eq(srcfile_from_string(&F1, "u.pol", text, strlen(text)), 0);
    F1.index = 1;
}

static hm_span sp(uint32_t a, uint32_t b) { return (hm_span){ a, b }; }

/* Render diagnostic i alone; the text is in `out`. */
static const char *render(int i)
{
    free(out);
    out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_ge(i, 0);
    diag_render(&D.v[i], fp);
    fclose(fp);
    return out;
}

static const char *print_all(void)
{
    free(out);
    out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    ck_assert_ptr_nonnull(fp);
    diag_print(&D, fp);
    fclose(fp);
    return out;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* position of needle in out (must be there) */
static long pos(const char *needle)
{
    const char *p = strstr(out, needle);
    ck_assert_msg(p != NULL, "`%s` not in output:\n%s", needle, out);
    return p - out;
}

/* ---- collecting --------------------------------------------------------- */

START_TEST(test_counts_and_indices)
{
    file0("abc\n");
    ck_assert_int_eq(diag_error(&D, &F0, sp(0, 1), "e%d", 1), 0);
    ck_assert_int_eq(diag_warning(&D, &F0, sp(1, 2), "w%d", 1), 1);
    ck_assert_int_eq(diag_error(&D, &F0, sp(2, 3), "e%d", 2), 2);
    diag_note(&D, 0, &F0, sp(0, 1), "n");
    ck_assert_int_eq(D.errors, 2);
    ck_assert_int_eq(D.warnings, 1);
    ck_assert_int_eq(D.n, 4);
    ck_assert_int_eq(D.v[3].sev, DIAG_NOTE);
    ck_assert_int_eq(D.v[3].parent, 0);
    ck_assert_str_eq(D.v[0].msg, "e1");
    ck_assert_str_eq(D.v[2].msg, "e2");
}
END_TEST

START_TEST(test_message_formatting)
{
    file0("x\n");
    int i = diag_error(&D, &F0, sp(0, 1), "unknown name `%s` (%d candidates, %.1f%%)", "人均", 3, 12.5);
    ck_assert_str_eq(D.v[i].msg, "unknown name `人均` (3 candidates, 12.5%)");
    /* a long message is kept whole */
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    i = diag_error(&D, &F0, sp(0, 1), "%s", big);
    ck_assert_uint_eq(strlen(D.v[i].msg), sizeof big - 1);
}
END_TEST

START_TEST(test_hint_attach_and_replace)
{
    file0("x\n");
    int i = diag_error(&D, &F0, sp(0, 1), "e");
    diag_hint(&D, i, "first %d", 1);
    ck_assert_str_eq(D.v[i].hint, "first 1");
    diag_hint(&D, i, "second");
    ck_assert_str_eq(D.v[i].hint, "second");
    /* out-of-range indices are ignored */
    diag_hint(&D, -1, "nothing");
    diag_hint(&D, 99, "nothing");
    ck_assert_int_eq(D.n, 1);
}
END_TEST

START_TEST(test_note_without_parent_dropped)
{
    file0("x\n");
    diag_note(&D, -1, &F0, sp(0, 1), "orphan");
    ck_assert_int_eq(D.n, 0);
    ck_assert_int_eq(D.errors, 0);
}
END_TEST

START_TEST(test_recording_cap)
{
    file0("abcdef\n");
    D.max_errors = 5;
    int last = 0;
    for (int i = 0; i < 300; i++)
        last = diag_error(&D, &F0, sp(0, 1), "e%d", i);
    ck_assert_int_eq(D.errors, 300);        /* all counted */
    ck_assert_int_le(D.n, 5 + 200);         /* not all kept */
    ck_assert_int_eq(last, -1);
    /* hints and notes on a dropped diagnostic are harmless */
    diag_hint(&D, last, "h");
    diag_note(&D, last, &F0, sp(0, 1), "n");
    ck_assert_int_le(D.n, 205);
}
END_TEST

START_TEST(test_default_cap)
{
    ck_assert_int_eq(D.max_errors, 1000);
    ck_assert_int_eq(D.n, 0);
    ck_assert_int_eq(D.errors, 0);
}
END_TEST

/* ---- rendering ------------------------------------------------------------ */

START_TEST(test_render_ascii)
{
    file0("policy p for person {\n  eligible when x > 1 \"m\"\n}\n");
    int i = diag_error(&D, &F0, sp(22 + 16, 22 + 17), "unknown name `%s`", "x");
    ck_assert_str_eq(render(i),
                     "t.pol:2:17: error: unknown name `x`\n"
                     "   2 |   eligible when x > 1 \"m\"\n"
                     "     |                 ^\n");
}
END_TEST

START_TEST(test_caret_after_chinese)
{
    /* line 2: "  let 人均收入 = 1 + x"; x is byte 25 of the line, column 18,
     * display column 22 (each Chinese character is two columns wide) */
    file0("policy p {\n  let 人均收入 = 1 + x\n}\n");
    int i = diag_error(&D, &F0, sp(11 + 25, 11 + 26), "unknown name `x`");
    ck_assert_str_eq(render(i),
                     "t.pol:2:18: error: unknown name `x`\n"
                     "   2 |   let 人均收入 = 1 + x\n"
                     "     |                      ^\n");
}
END_TEST

START_TEST(test_underline_width_of_chinese_name)
{
    file0("policy p {\n  let 人均收入 = 1\n}\n");
    int i = diag_warning(&D, &F0, sp(11 + 6, 11 + 18), "let `人均收入` is never used");
    ck_assert_str_eq(render(i),
                     "t.pol:2:7: warning: let `人均收入` is never used\n"
                     "   2 |   let 人均收入 = 1\n"
                     "     |       ^~~~~~~~\n");
}
END_TEST

START_TEST(test_underline_fullwidth_punctuation)
{
    file0("let 人均收入，x = 1");
    int i = diag_error(&D, &F0, sp(16, 19), "full-width `，` is not allowed here");
    diag_hint(&D, i, "use the ASCII character `,`");
    ck_assert_str_eq(render(i),
                     "t.pol:1:9: error: full-width `，` is not allowed here\n"
                     "   1 | let 人均收入，x = 1\n"
                     "     |             ^~\n"
                     "     = hint: use the ASCII character `,`\n");
}
END_TEST

START_TEST(test_underline_mixed_span)
{
    /* a span of "a人b" is 4 columns */
    file0("x = a人b + 1");
    int i = diag_error(&D, &F0, sp(4, 9), "m");
    const char *r = render(i);
    ck_assert_ptr_nonnull(strstr(r, "\n     |     ^~~~\n"));
}
END_TEST

START_TEST(test_empty_span_single_caret)
{
    file0("abc def");
    int i = diag_error(&D, &F0, sp(3, 3), "this condition has no message");
    ck_assert_str_eq(render(i),
                     "t.pol:1:4: error: this condition has no message\n"
                     "   1 | abc def\n"
                     "     |    ^\n");
}
END_TEST

START_TEST(test_span_across_lines_is_cut)
{
    file0("abc\ndef\n");
    int i = diag_error(&D, &F0, sp(1, 6), "m");
    const char *r = render(i);
    ck_assert_ptr_nonnull(strstr(r, "   1 | abc\n     |  ^~\n"));
    ck_assert_ptr_null(strstr(r, "def"));
}
END_TEST

START_TEST(test_render_at_end_of_file)
{
    file0("abc");
    int i = diag_error(&D, &F0, sp(3, 3), "the file ends where a value was expected");
    ck_assert_str_eq(render(i),
                     "t.pol:1:4: error: the file ends where a value was expected\n"
                     "   1 | abc\n"
                     "     |    ^\n");
    file0("abc\n");
    i = diag_error(&D, &F0, sp(4, 4), "eof");
    ck_assert_str_eq(render(i),
                     "t.pol:2:1: error: eof\n"
                     "   2 | \n"
                     "     | ^\n");
}
END_TEST

START_TEST(test_render_tab_kept)
{
    file0("\tlet 人 = x");
    int i = diag_error(&D, &F0, sp(11, 12), "m");
    ck_assert_str_eq(render(i),
                     "t.pol:1:10: error: m\n"
                     "   1 | \tlet 人 = x\n"
                     "     | \t         ^\n");
}
END_TEST

START_TEST(test_render_control_bytes_as_spaces)
{
    file0("a\x01\x1b" "b");
    int i = diag_error(&D, &F0, sp(3, 4), "m");
    ck_assert_str_eq(render(i),
                     "t.pol:1:4: error: m\n"
                     "   1 | a  b\n"
                     "     |    ^\n");
}
END_TEST

START_TEST(test_render_after_invalid_bytes)
{
    file0("\xff\xfex");
    int i = diag_error(&D, &F0, sp(2, 3), "m");
    const char *r = render(i);
    ck_assert_ptr_nonnull(strstr(r, "t.pol:1:3: error: m\n"));
    ck_assert_ptr_nonnull(strstr(r, "\n     |   ^\n"));
}
END_TEST

START_TEST(test_render_crlf)
{
    file0("a = 1\r\nb = 人\r\n");
    int i = diag_error(&D, &F0, sp(11, 14), "m");
    ck_assert_str_eq(render(i),
                     "t.pol:2:5: error: m\n"
                     "   2 | b = 人\n"
                     "     |     ^~\n");
    i = diag_error(&D, &F0, sp(4, 5), "n");
    ck_assert_str_eq(render(i),
                     "t.pol:1:5: error: n\n"
                     "   1 | a = 1\n"
                     "     |     ^\n");
}
END_TEST

START_TEST(test_render_wide_line_numbers)
{
    char text[400] = "";
    for (int i = 0; i < 11; i++)
        strcat(text, "x\n");
    strcat(text, "  人 y\n");
    file0(text);
    int i = diag_error(&D, &F0, sp(22 + 6, 22 + 7), "m");
    ck_assert_str_eq(render(i),
                     "t.pol:12:5: error: m\n"
                     "   12 |   人 y\n"
                     "      |      ^\n");
}
END_TEST

START_TEST(test_render_hint_line)
{
    file0("x\n");
    int i = diag_error(&D, &F0, sp(0, 1), "unknown name `x`");
    diag_hint(&D, i, "did you mean `%s`?", "人均收入");
    const char *r = render(i);
    ck_assert_str_eq(r,
                     "t.pol:1:1: error: unknown name `x`\n"
                     "   1 | x\n"
                     "     | ^\n"
                     "     = hint: did you mean `人均收入`?\n");
}
END_TEST

START_TEST(test_render_without_file)
{
    int i = diag_error(&D, NULL, sp(0, 0), "cannot read `%s`", "a.pol");
    diag_hint(&D, i, "check the path");
    ck_assert_str_eq(render(i), "error: cannot read `a.pol`\n  hint: check the path\n");
}
END_TEST

START_TEST(test_render_severity_words)
{
    file0("x\n");
    int e = diag_error(&D, &F0, sp(0, 1), "E");
    int w = diag_warning(&D, &F0, sp(0, 1), "W");
    diag_note(&D, e, &F0, sp(0, 1), "N");
    ck_assert_ptr_nonnull(strstr(render(e), "t.pol:1:1: error: E\n"));
    ck_assert_ptr_nonnull(strstr(render(w), "t.pol:1:1: warning: W\n"));
    ck_assert_ptr_nonnull(strstr(render(2), "t.pol:1:1: note: N\n"));
}
END_TEST

START_TEST(test_render_column_in_code_points)
{
    file0("甲乙丙丁戊 z");
    int i = diag_error(&D, &F0, sp(16, 17), "m");
    ck_assert_ptr_nonnull(strstr(render(i), "t.pol:1:7: error: m\n"));
    ck_assert_ptr_nonnull(strstr(out, "\n     |            ^\n"));
}
END_TEST

/* ---- long lines: a window around the caret ---------------------------------- */

/* Split the rendered diagnostic in `out` into its source row and caret row. */
static void rows(const char **src, size_t *srclen, const char **car, size_t *carlen)
{
    const char *l2 = strchr(out, '\n');
    ck_assert_ptr_nonnull(l2);
    l2++;
    const char *l3 = strchr(l2, '\n');
    ck_assert_ptr_nonnull(l3);
    l3++;
    const char *e3 = strchr(l3, '\n');
    ck_assert_ptr_nonnull(e3);
    *src = l2;
    *srclen = (size_t)(l3 - 1 - l2);
    *car = l3;
    *carlen = (size_t)(e3 - l3);
}

/* The caret stands in the display column of `target` (first occurrence in the source row). */
static void assert_caret_under(const char *target)
{
    const char *src, *car;
    size_t sl, cl;
    rows(&src, &sl, &car, &cl);
    const char *t = strstr(src, target);
    ck_assert_msg(t && t < src + sl, "`%s` not shown in the source row:\n%s", target, out);
    const char *c = memchr(car, '^', cl);
    ck_assert_ptr_nonnull(c);
    int wt = utf8_display_width(src, (size_t)(t - src));
    int wc = utf8_display_width(car, (size_t)(c - car));
    ck_assert_msg(wt == wc, "caret at display column %d, `%s` at %d:\n%s", wc, target, wt, out);
}

static int valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k <= 0)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

START_TEST(test_window_long_ascii_line)
{
    char *text = malloc(2100);
    ck_assert_ptr_nonnull(text);
    memset(text, 'a', 2000);
    memcpy(text + 1500, " xyz ", 5);
    text[2000] = '\0';
    file0(text);
    free(text);
    int i = diag_error(&D, &F0, sp(1501, 1504), "unknown name `xyz`");
    render(i);
    ck_assert_ptr_nonnull(strstr(out, "t.pol:1:1502: error: unknown name `xyz`\n"));
    const char *src, *car;
    size_t sl, cl;
    rows(&src, &sl, &car, &cl);
    ck_assert_msg(utf8_display_width(src, sl) <= 200, "source row not cut:\n%.300s", out);
    ck_assert_ptr_nonnull(strstr(out, "…"));
    assert_caret_under("xyz");
    ck_assert_ptr_nonnull(strstr(car, "^~~\n"));
}
END_TEST

START_TEST(test_window_at_line_start_and_end)
{
    char *text = malloc(1100);
    ck_assert_ptr_nonnull(text);
    memset(text, 'b', 1000);
    text[0] = 'Q';
    text[999] = 'Z';
    text[1000] = '\0';
    file0(text);
    free(text);
    render(diag_error(&D, &F0, sp(0, 1), "first"));
    assert_caret_under("Q");
    render(diag_error(&D, &F0, sp(999, 1000), "last"));
    assert_caret_under("Z");
    render(diag_error(&D, &F0, sp(1000, 1000), "eof"));
    const char *src, *car;
    size_t sl, cl;
    rows(&src, &sl, &car, &cl);
    ck_assert_int_eq(utf8_display_width(src, sl), utf8_display_width(car, (size_t)((const char *)memchr(car, '^', cl) - car)));
}
END_TEST

START_TEST(test_window_chinese_line)
{
    /* 600 Chinese characters, then the target: the window must not cut a
     * character in two, and the caret must line up in display columns */
    size_t n = 600 * 3;
    char *text = malloc(n + 16);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < n; i += 3)
        memcpy(text + i, "人", 3);
    strcpy(text + n, " 目标 ");
    file0(text);
    free(text);
    render(diag_error(&D, &F0, sp((uint32_t)n + 1, (uint32_t)n + 7), "m"));
    ck_assert_ptr_nonnull(strstr(out, "t.pol:1:602: error: m\n"));
    const char *src, *car;
    size_t sl, cl;
    rows(&src, &sl, &car, &cl);
    ck_assert_msg(valid_utf8(src, sl), "window cut a character:\n%s", out);
    ck_assert_msg(utf8_display_width(src, sl) <= 300, "source row not cut");
    assert_caret_under("目标");
    ck_assert_ptr_nonnull(strstr(car, "^~~~\n"));
    /* and a target in the middle of the Chinese text */
    render(diag_error(&D, &F0, sp(300 * 3, 301 * 3), "mid"));
    rows(&src, &sl, &car, &cl);
    ck_assert_msg(valid_utf8(src, sl), "window cut a character:\n%s", out);
    ck_assert_ptr_nonnull(strstr(out, "t.pol:1:301: error: mid\n"));
}
END_TEST

START_TEST(test_window_on_invalid_bytes)
{
    /* a long line of UTF-8 continuation bytes (each one invalid): the
     * rendering stays short */
    size_t n = 100000;
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < n; i++)
        text[i] = (char)(0x80 + i % 64);
    text[n] = '\0';
    file0(text);
    free(text);
    render(diag_error(&D, &F0, sp(50000, 50001), "invalid UTF-8 byte"));
    ck_assert_msg(strlen(out) < 2000, "%zu bytes of output for one diagnostic", strlen(out));
    render(diag_error(&D, &F0, sp(3, 4), "near the start"));
    ck_assert_msg(strlen(out) < 2000, "%zu bytes of output for one diagnostic", strlen(out));
}
END_TEST

START_TEST(test_window_print_many_on_long_line)
{
    /* 1,000 errors on one 1 MB line: the whole report stays small */
    size_t n = 1 << 20;
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, 'z', n);
    text[n] = '\0';
    file0(text);
    free(text);
    for (uint32_t i = 0; i < 1000; i++)
        diag_error(&D, &F0, sp(i * 1000, i * 1000 + 1), "e%u", i);
    print_all();
    ck_assert_msg(strlen(out) < 1000 * 600, "%zu bytes of output", strlen(out));
}
END_TEST

/* ---- printing: order, notes, cap -------------------------------------------- */

START_TEST(test_print_nothing)
{
    ck_assert_str_eq(print_all(), "");
}
END_TEST

START_TEST(test_print_sorted_by_offset)
{
    file0("l1\nl2\nl3\n");
    diag_error(&D, &F0, sp(6, 8), "third");
    diag_warning(&D, &F0, sp(0, 2), "first");
    diag_error(&D, &F0, sp(3, 5), "second");
    print_all();
    ck_assert_int_lt(pos("first"), pos("second"));
    ck_assert_int_lt(pos("second"), pos("third"));
}
END_TEST

START_TEST(test_print_sorted_by_file_then_offset)
{
    file0("aaaa\nbbbb\n");
    file1("cccc\n");
    diag_error(&D, &F1, sp(0, 1), "in-u");
    diag_error(&D, &F0, sp(5, 6), "in-t-late");
    diag_error(&D, &F0, sp(0, 1), "in-t-early");
    diag_error(&D, NULL, sp(0, 0), "no-file");
    print_all();
    ck_assert_int_lt(pos("no-file"), pos("in-t-early"));
    ck_assert_int_lt(pos("in-t-early"), pos("in-t-late"));
    ck_assert_int_lt(pos("in-t-late"), pos("in-u"));
    ck_assert_int_lt(pos("t.pol:2:1"), pos("u.pol:1:1"));
}
END_TEST

START_TEST(test_print_same_place_in_report_order)
{
    file0("abc\n");
    diag_error(&D, &F0, sp(1, 2), "alpha");
    diag_error(&D, &F0, sp(1, 2), "beta");
    diag_warning(&D, &F0, sp(1, 2), "gamma");
    diag_error(&D, &F0, sp(1, 2), "delta");
    print_all();
    ck_assert_int_lt(pos("alpha"), pos("beta"));
    ck_assert_int_lt(pos("beta"), pos("gamma"));
    ck_assert_int_lt(pos("gamma"), pos("delta"));
}
END_TEST

START_TEST(test_notes_follow_their_parent)
{
    file0("line1\nline2\nline3\n");
    int a = diag_error(&D, &F0, sp(12, 13), "A-at-3");
    diag_note(&D, a, &F0, sp(0, 1), "noteA1-at-1");
    int b = diag_error(&D, &F0, sp(6, 7), "B-at-2");
    diag_note(&D, a, &F0, sp(6, 7), "noteA2-at-2");
    diag_note(&D, b, &F0, sp(12, 13), "noteB-at-3");
    print_all();
    /* B's group (line 2) before A's (line 3); each parent before its notes,
     * notes in the order given, whatever their own position */
    long pb = pos("B-at-2"), pnb = pos("noteB-at-3"), pa = pos("A-at-3");
    long pn1 = pos("noteA1-at-1"), pn2 = pos("noteA2-at-2");
    ck_assert_int_lt(pb, pnb);
    ck_assert_int_lt(pnb, pa);
    ck_assert_int_lt(pa, pn1);
    ck_assert_int_lt(pn1, pn2);
    ck_assert_ptr_nonnull(strstr(out, "t.pol:1:1: note: noteA1-at-1\n"));
}
END_TEST

START_TEST(test_note_in_other_file)
{
    file0("module a\n");
    file1("module a\n");
    int e = diag_error(&D, &F1, sp(7, 8), "module `a` is also declared by t.pol");
    diag_note(&D, e, &F0, sp(7, 8), "first declared here");
    diag_error(&D, &F0, sp(0, 1), "early");
    print_all();
    ck_assert_int_lt(pos("early"), pos("also declared"));
    ck_assert_int_lt(pos("also declared"), pos("first declared here"));
    ck_assert_ptr_nonnull(strstr(out, "t.pol:1:8: note: first declared here\n"));
}
END_TEST

START_TEST(test_max_errors_cap)
{
    file0("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n");
    D.max_errors = 3;
    for (uint32_t i = 0; i < 10; i++)
        diag_error(&D, &F0, sp(2 * i, 2 * i + 1), "E%u", i);
    print_all();
    ck_assert_int_eq(count_of(out, ": error: "), 3);
    ck_assert_ptr_nonnull(strstr(out, "E0"));
    ck_assert_ptr_nonnull(strstr(out, "E2"));
    ck_assert_ptr_null(strstr(out, "E3"));
    ck_assert_ptr_nonnull(strstr(out, "too many errors (10); showing the first 3"));
}
END_TEST

START_TEST(test_max_errors_cap_keeps_first_by_position)
{
    /* the cap applies after sorting: the first errors in the file are shown */
    file0("a\nb\nc\nd\ne\n");
    D.max_errors = 2;
    for (int i = 4; i >= 0; i--)
        diag_error(&D, &F0, sp((uint32_t)(2 * i), (uint32_t)(2 * i + 1)), "E%d", i);
    print_all();
    ck_assert_int_eq(count_of(out, ": error: "), 2);
    ck_assert_ptr_nonnull(strstr(out, "E0"));
    ck_assert_ptr_nonnull(strstr(out, "E1"));
    ck_assert_ptr_null(strstr(out, "E4"));
}
END_TEST

START_TEST(test_warnings_not_capped)
{
    file0("a\nb\nc\nd\ne\nf\n");
    D.max_errors = 2;
    diag_error(&D, &F0, sp(0, 1), "E1");
    for (uint32_t i = 1; i < 5; i++)
        diag_warning(&D, &F0, sp(2 * i, 2 * i + 1), "W%u", i);
    diag_error(&D, &F0, sp(10, 11), "E2");
    print_all();
    ck_assert_int_eq(count_of(out, ": warning: "), 4);
    ck_assert_int_eq(count_of(out, ": error: "), 2);
    ck_assert_ptr_null(strstr(out, "too many errors"));
}
END_TEST

START_TEST(test_exactly_max_errors_no_banner)
{
    file0("abc\n");
    D.max_errors = 4;
    for (int i = 0; i < 4; i++)
        diag_error(&D, &F0, sp(0, 1), "E%d", i);
    print_all();
    ck_assert_int_eq(count_of(out, ": error: "), 4);
    ck_assert_ptr_null(strstr(out, "too many errors"));
}
END_TEST

START_TEST(test_many_errors_default_cap)
{
    file0("x\n");
    for (int i = 0; i < 2500; i++)
        diag_error(&D, &F0, sp(0, 1), "E%d", i);
    ck_assert_int_eq(D.errors, 2500);
    print_all();
    ck_assert_int_eq(count_of(out, ": error: "), 1000);
    ck_assert_ptr_nonnull(strstr(out, "too many errors (2500); showing the first 1000"));
}
END_TEST

/* ---- out of memory ------------------------------------------------------------ */

START_TEST(test_oom_while_reporting)
{
    file0("abc\n");
    /* the first allocation (the diagnostics array) fails */
    setenv("HM_MEM_FAIL_AT", "1", 1);
    mem_fault_reset();
    ck_assert_int_eq(diag_error(&D, &F0, sp(0, 1), "lost"), -1);
    ck_assert_int_eq(D.errors, 1);      /* still counted */
    int i = diag_error(&D, &F0, sp(1, 2), "kept");
    ck_assert_int_ge(i, 0);
    ck_assert_str_eq(D.v[i].msg, "kept");
    /* the message allocation fails */
    setenv("HM_MEM_FAIL_AT", "1", 1);
    mem_fault_reset();
    ck_assert_int_eq(diag_warning(&D, &F0, sp(0, 1), "lost too"), -1);
    ck_assert_int_eq(D.warnings, 1);
    /* the hint allocation fails: no hint, nothing else changes */
    setenv("HM_MEM_FAIL_AT", "1", 1);
    mem_fault_reset();
    diag_hint(&D, i, "h");
    ck_assert_ptr_null(D.v[i].hint);
    unsetenv("HM_MEM_FAIL_AT");
    mem_fault_reset();
    print_all();
    ck_assert_ptr_nonnull(strstr(out, "kept"));
    ck_assert_ptr_null(strstr(out, "lost"));
}
END_TEST

START_TEST(test_oom_while_printing)
{
    file0("l1\nl2\n");
    diag_error(&D, &F0, sp(3, 4), "second");
    diag_error(&D, &F0, sp(0, 1), "first");
    setenv("HM_MEM_FAIL_AT", "1", 1);     /* the sort order array */
    mem_fault_reset();
    print_all();
    ck_assert_ptr_nonnull(strstr(out, "first"));
    ck_assert_ptr_nonnull(strstr(out, "second"));
}
END_TEST

START_TEST(test_oom_every_step)
{
    /* every allocation of a small report fails in turn: no crash, no leak */
    file0("abc\ndef\n");
    for (int n = 1; n <= 40; n++) {
        char v[8];
        snprintf(v, sizeof v, "%d", n);
        setenv("HM_MEM_FAIL_AT", v, 1);
        mem_fault_reset();
        hm_diags d;
        diag_init(&d);
        for (int k = 0; k < 20; k++) {
            int i = diag_error(&d, &F0, sp((uint32_t)k % 8, (uint32_t)k % 8 + 1), "e%d", k);
            diag_hint(&d, i, "h%d", k);
            diag_note(&d, i, &F0, sp(0, 1), "n%d", k);
        }
        ck_assert_int_eq(d.errors, 20);
        FILE *fp = fopen("/dev/null", "w");
        ck_assert_ptr_nonnull(fp);
        diag_print(&d, fp);
        fclose(fp);
        diag_free(&d);
    }
}
END_TEST

Suite *hm_diag_suite(void)
{
    Suite *s = suite_create("diag");

    TCase *col = tcase_create("collect");
    tcase_add_checked_fixture(col, dg_setup, dg_teardown);
    tcase_set_timeout(col, 30);
    tcase_add_test(col, test_counts_and_indices);
    tcase_add_test(col, test_message_formatting);
    tcase_add_test(col, test_hint_attach_and_replace);
    tcase_add_test(col, test_note_without_parent_dropped);
    tcase_add_test(col, test_recording_cap);
    tcase_add_test(col, test_default_cap);
    suite_add_tcase(s, col);

    TCase *ren = tcase_create("render");
    tcase_add_checked_fixture(ren, dg_setup, dg_teardown);
    tcase_set_timeout(ren, 30);
    tcase_add_test(ren, test_render_ascii);
    tcase_add_test(ren, test_caret_after_chinese);
    tcase_add_test(ren, test_underline_width_of_chinese_name);
    tcase_add_test(ren, test_underline_fullwidth_punctuation);
    tcase_add_test(ren, test_underline_mixed_span);
    tcase_add_test(ren, test_empty_span_single_caret);
    tcase_add_test(ren, test_span_across_lines_is_cut);
    tcase_add_test(ren, test_render_at_end_of_file);
    tcase_add_test(ren, test_render_tab_kept);
    tcase_add_test(ren, test_render_control_bytes_as_spaces);
    tcase_add_test(ren, test_render_after_invalid_bytes);
    tcase_add_test(ren, test_render_crlf);
    tcase_add_test(ren, test_render_wide_line_numbers);
    tcase_add_test(ren, test_render_hint_line);
    tcase_add_test(ren, test_render_without_file);
    tcase_add_test(ren, test_render_severity_words);
    tcase_add_test(ren, test_render_column_in_code_points);
    suite_add_tcase(s, ren);

    TCase *win = tcase_create("window");
    tcase_add_checked_fixture(win, dg_setup, dg_teardown);
    tcase_set_timeout(win, 30);
    tcase_add_test(win, test_window_long_ascii_line);
    tcase_add_test(win, test_window_at_line_start_and_end);
    tcase_add_test(win, test_window_chinese_line);
    tcase_add_test(win, test_window_on_invalid_bytes);
    tcase_add_test(win, test_window_print_many_on_long_line);
    suite_add_tcase(s, win);

    TCase *pr = tcase_create("print");
    tcase_add_checked_fixture(pr, dg_setup, dg_teardown);
    tcase_set_timeout(pr, 30);
    tcase_add_test(pr, test_print_nothing);
    tcase_add_test(pr, test_print_sorted_by_offset);
    tcase_add_test(pr, test_print_sorted_by_file_then_offset);
    tcase_add_test(pr, test_print_same_place_in_report_order);
    tcase_add_test(pr, test_notes_follow_their_parent);
    tcase_add_test(pr, test_note_in_other_file);
    tcase_add_test(pr, test_max_errors_cap);
    tcase_add_test(pr, test_max_errors_cap_keeps_first_by_position);
    tcase_add_test(pr, test_warnings_not_capped);
    tcase_add_test(pr, test_exactly_max_errors_no_banner);
    tcase_add_test(pr, test_many_errors_default_cap);
    suite_add_tcase(s, pr);

    TCase *oom = tcase_create("oom");
    tcase_add_checked_fixture(oom, dg_setup, dg_teardown);
    tcase_set_timeout(oom, 30);
    tcase_add_test(oom, test_oom_while_reporting);
    tcase_add_test(oom, test_oom_while_printing);
    tcase_add_test(oom, test_oom_every_step);
    suite_add_tcase(s, oom);

    return s;
}
