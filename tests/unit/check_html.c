/* check_html.c -- the HTML page writer (common/html.c): escaping, numbers
 * to the fen, exact chart scales, and charts of awkward data (all zero, one
 * bar, only negative values, none); explain's page (explain/html_page.c)
 * escaped, its citizen page masked, and written by several threads at once. */
#include "suites.h"

#include "explain.h"
#include "html.h"
#include "html_page.h"

#include <pthread.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* what f wrote to a memory stream, and the stream closed */
static char *page_of(FILE *f, char **buf)
{
    fclose(f);
    return *buf;
}

static char *escaped(const char *text)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    html_escape(f, text);
    return page_of(f, &buf);
}

/* occurrences of needle in hay */
static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *at = hay; (at = strstr(at, needle)) != NULL; at += strlen(needle))
        n++;
    return n;
}

START_TEST(test_escape)
{
    char *s = escaped("<a href=\"x\">Tom & 'Jerry'</a>");
    ck_assert_str_eq(s, "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
    free(s);
    s = escaped("最低生活保障 (低保) 2024");
    ck_assert_str_eq(s, "最低生活保障 (低保) 2024");
    free(s);
    /* not UTF-8, a cut sequence, control characters (not tab or newline) */
    s = escaped("a\xff" "b\xe4\xbd" "c\x01\td\n\x7f");
    ck_assert_str_eq(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD" "c\xEF\xBF\xBD\td\n\xEF\xBF\xBD");
    free(s);
    /* a C1 control character, well encoded, is not allowed either */
    s = escaped("x\xc2\x85y");
    ck_assert_str_eq(s, "x\xEF\xBF\xBDy");
    free(s);
    s = escaped(NULL);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

START_TEST(test_numbers)
{
    char b[48];
    ck_assert_str_eq(html_fmt_count(0, b, sizeof b), "0");
    ck_assert_str_eq(html_fmt_count(999, b, sizeof b), "999");
    ck_assert_str_eq(html_fmt_count(1000, b, sizeof b), "1,000");
    ck_assert_str_eq(html_fmt_count(-1234567, b, sizeof b), "-1,234,567");
    ck_assert_str_eq(html_fmt_count(INT64_MIN, b, sizeof b), "-9,223,372,036,854,775,808");
    ck_assert_str_eq(html_fmt_count(INT64_MAX, b, sizeof b), "9,223,372,036,854,775,807");
    ck_assert_str_eq(html_fmt_fen(0, b, sizeof b), "0.00");
    ck_assert_str_eq(html_fmt_fen(5, b, sizeof b), "0.05");
    ck_assert_str_eq(html_fmt_fen(-5, b, sizeof b), "-0.05");
    ck_assert_str_eq(html_fmt_fen(100000, b, sizeof b), "1,000.00");
    ck_assert_str_eq(html_fmt_fen(187691001, b, sizeof b), "1,876,910.01");
    ck_assert_str_eq(html_fmt_fen(INT64_MIN, b, sizeof b), "-92,233,720,368,547,758.08");
    ck_assert_str_eq(html_fmt_fen(INT64_MAX, b, sizeof b), "92,233,720,368,547,758.07");
}
END_TEST

static void scale_is(int64_t min, int64_t max, int64_t lo, int64_t hi, int64_t step)
{
    html_scale s;
    html_scale_of(min, max, &s);
    ck_assert_msg(s.lo == lo && s.hi == hi && s.step == step, "%lld..%lld: got %lld..%lld step %lld",
                  (long long)min, (long long)max, (long long)s.lo, (long long)s.hi, (long long)s.step);
}

START_TEST(test_scales)
{
    scale_is(0, 0, 0, 1, 1);                /* all zero: no division by zero */
    scale_is(1, 1, 0, 1, 1);
    scale_is(0, 7, 0, 8, 2);
    scale_is(0, 100, 0, 100, 20);
    scale_is(3, 543, 0, 600, 200);
    scale_is(-37, 0, -40, 0, 10);           /* only negative values */
    scale_is(-37, -2, -40, 0, 10);
    scale_is(-5, 12, -5, 15, 5);
    scale_is(12, -5, -5, 15, 5);            /* either order */
    scale_is(0, 187691001, 0, 200000000, 50000000);
    /* the whole range of int64: the ends stay where rounding would overflow */
    scale_is(INT64_MIN, INT64_MAX, INT64_MIN, INT64_MAX, 5000000000000000000LL);
    scale_is(0, INT64_MAX, 0, INT64_MAX, 2000000000000000000LL);

    html_scale s = { 0, 8, 2 };
    ck_assert_int_eq(html_scale_px(&s, 0, 420), 0);
    ck_assert_int_eq(html_scale_px(&s, 4, 420), 210);
    ck_assert_int_eq(html_scale_px(&s, 1, 420), 53);    /* 52.5 rounds up */
    ck_assert_int_eq(html_scale_px(&s, 8, 420), 420);
    ck_assert_int_eq(html_scale_px(&s, 9, 420), 420);   /* clamped */
    ck_assert_int_eq(html_scale_px(&s, -1, 420), 0);
    s = (html_scale){ -40, 0, 10 };
    ck_assert_int_eq(html_scale_px(&s, -37, 420), 32);  /* 31.5 */
    ck_assert_int_eq(html_scale_px(&s, 0, 420), 420);
    s = (html_scale){ INT64_MIN, INT64_MAX, 5000000000000000000LL };
    ck_assert_int_eq(html_scale_px(&s, 0, 420), 210);
    ck_assert_int_eq(html_scale_px(&s, INT64_MAX - 1, 420), 420);
}
END_TEST

/* a page made by fn, as text */
static char *page(void (*fn)(html *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    html *h = html_begin(f, "测试 <page>", NULL);
    ck_assert_ptr_nonnull(h);
    fn(h);
    ck_assert_int_eq(html_end(h), 0);
    return page_of(f, &buf);
}

static void facts_and_table(html *h)
{
    html_fact(h, "as of", "2024-08-01");
    html_fact(h, "run", "3");
    html_section(h, "Policies & periods");
    html_table_begin(h, "每项政策", 3, (const char *[]){ "policy", "eligible", "amount" }, "lrr");
    html_cell(h, "低保");
    html_cell_count(h, 1543);
    html_cell_fen(h, 187691001);
    html_cell(h, "<b>");      /* a row left unfinished */
    html_table_end(h);
    html_para(h, "a & b");
}

START_TEST(test_page)
{
    char *s = page(facts_and_table);
    ck_assert_ptr_nonnull(strstr(s, "<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    ck_assert_ptr_nonnull(strstr(s, "<title>测试 &lt;page&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(s, "<dl class=\"facts\">\n<dt>as of</dt><dd>2024-08-01</dd>\n"
                                    "<dt>run</dt><dd>3</dd>\n</dl>\n"));
    ck_assert_ptr_nonnull(strstr(s, "<h2>Policies &amp; periods</h2>"));
    ck_assert_ptr_nonnull(strstr(s, "<th>policy</th><th class=\"num\">eligible</th>"));
    ck_assert_ptr_nonnull(strstr(s, "<tr><td>低保</td><td class=\"num\">1,543</td>"
                                    "<td class=\"num\">1,876,910.01</td></tr>"));
    ck_assert_ptr_nonnull(strstr(s, "<tr><td>&lt;b&gt;</td><td></td><td></td></tr>"));
    ck_assert_ptr_nonnull(strstr(s, "<p>a &amp; b</p>\n</section>\n</body>\n</html>\n"));
    ck_assert_int_eq(count(s, "<script"), 0);
    ck_assert_int_eq(count(s, "http"), 0);       /* nothing from the network */
    free(s);
}
END_TEST

static void zero_bars(html *h)
{
    html_bar bar[] = { { "a", 0 }, { "b", 0 } };
    html_bars(h, "zeros", HTML_COUNT, bar, 2);
}

static void one_bar(html *h)
{
    html_bar bar[] = { { "低保", 5 } };
    html_bars(h, "one", HTML_COUNT, bar, 1);
}

static void negative_bars(html *h)
{
    html_bar bar[] = { { "x", -3 }, { "y", -1 } };
    html_bars(h, "negative", HTML_FEN, bar, 2);
}

static void no_bars(html *h)
{
    html_bars(h, "none", HTML_COUNT, NULL, 0);
    html_histogram(h, "none either", HTML_COUNT, NULL, 0);
}

START_TEST(test_bar_edges)
{
    char *s = page(zero_bars);
    ck_assert_int_eq(count(s, "<svg"), 1);
    ck_assert_int_eq(count(s, "</svg>"), 1);
    ck_assert_int_eq(count(s, "width=\"0\" height=\"14\""), 2);   /* bars of no length */
    ck_assert_int_eq(count(s, "class=\"zero\""), 1);
    ck_assert_int_eq(count(s, "nan"), 0);
    free(s);

    /* one bar fills the axis: 0 … 5 */
    s = page(one_bar);
    ck_assert_int_eq(count(s, "width=\"420\" height=\"14\""), 1);
    ck_assert_ptr_nonnull(strstr(s, "<title>低保: 5</title>"));
    free(s);

    /* only negative: the bars go left from zero, at the right end */
    s = page(negative_bars);
    ck_assert_int_eq(count(s, "class=\"neg\""), 2);
    ck_assert_ptr_nonnull(strstr(s, ">-0.03</text>"));
    ck_assert_ptr_nonnull(strstr(s, ">-0.01</text>"));
    ck_assert_int_eq(count(s, "width=\"420\" height=\"14\""), 1);
    ck_assert_int_eq(count(s, "width=\"140\" height=\"14\""), 1);
    free(s);

    s = page(no_bars);
    ck_assert_int_eq(count(s, "<svg"), 0);
    ck_assert_int_eq(count(s, "(nothing to show)"), 2);
    free(s);
}
END_TEST

static void pairs_and_histogram(html *h)
{
    html_pair pair[] = { { "西湖区", 120000, 130000 }, { "上城区", 0, 5 } };
    html_bars2(h, "before & after", HTML_FEN, "base", "reform", pair, 2);
    html_bar bin[] = { { "< -100", -4 }, { "0", 0 }, { "> 100", 10 } };
    html_histogram(h, "gains and losses", HTML_COUNT, bin, 3);
}

START_TEST(test_pairs_and_histogram)
{
    char *s = page(pairs_and_histogram);
    ck_assert_int_eq(count(s, "<svg"), 2);
    ck_assert_int_eq(count(s, "</svg>"), 2);
    ck_assert_int_eq(count(s, "<rect class=\"s0\""), 3 + 2);   /* two bars, a legend; two bins */
    ck_assert_int_eq(count(s, "<rect class=\"s1\""), 3);
    ck_assert_ptr_nonnull(strstr(s, "<title>西湖区 (reform): 1,300.00</title>"));
    ck_assert_ptr_nonnull(strstr(s, "<figcaption>before &amp; after</figcaption>"));
    /* 0.05 of 1,500.00 is less than a pixel: still shown */
    ck_assert_ptr_nonnull(strstr(s, "width=\"1\" height=\"12\""));
    /* the loss below zero, in the other colour */
    ck_assert_int_eq(count(s, "<rect class=\"neg\""), 1);
    ck_assert_ptr_nonnull(strstr(s, "&lt; -100"));
    free(s);
}
END_TEST

static void open_things(html *h)
{
    html_section(h, "one");
    html_heading(h, "政策 <a>");
    html_cell(h, "outside a table: dropped");
    html_table_begin(h, NULL, 2, (const char *[]){ "a", "b" }, NULL);
    html_cell(h, "x");
    /* a chart ends the table */
    html_bar bar[] = { { "a reason much longer than the room left of a bar, written above it instead: "
                         "家庭人均月收入低于当地低保标准", 75441 },
                       { "short", 146 } };
    html_bars(h, "reasons", HTML_COUNT, bar, 2);
    html_fact(h, "late", "fact");
    html_section(h, "two");
}

START_TEST(test_structure)
{
    char *s = page(open_things);
    ck_assert_ptr_nonnull(strstr(s, "<h3>政策 &lt;a&gt;</h3>"));
    ck_assert_ptr_null(strstr(s, "dropped"));
    /* no align: left; the row filled, the table closed before the figure */
    ck_assert_ptr_nonnull(strstr(s, "<th>a</th><th>b</th>"));
    ck_assert_ptr_nonnull(strstr(s, "<tr><td>x</td><td></td></tr>\n</tbody>\n</table>\n<figure>"));
    /* the long label above its bar (left-aligned), the short one too */
    ck_assert_ptr_nonnull(strstr(s, "text-anchor=\"start\">a reason much longer"));
    ck_assert_ptr_nonnull(strstr(s, "text-anchor=\"start\">short</text>"));
    /* the heading's group closes before its section */
    ck_assert_ptr_nonnull(strstr(s, "<div class=\"group\">\n<h3>"));
    ck_assert_ptr_nonnull(strstr(s, "<dl class=\"facts\">\n<dt>late</dt><dd>fact</dd>\n</dl>\n</div>\n</section>\n"
                                    "<section>"));
    ck_assert_int_eq(count(s, "<section>"), 2);
    ck_assert_int_eq(count(s, "</section>"), 2);
    free(s);
}
END_TEST

static void wide_ticks(html *h)
{
    html_bar bar[] = { { "a", 4920170987554LL }, { "b", 1 } };
    html_bars(h, "amounts", HTML_FEN, bar, 2);
}

START_TEST(test_tick_labels_do_not_overlap)
{
    /* 0 … 50,000,000,000 元 in steps of 10,000,000,000 (whole 元 on the
     * axis): labels of 14 characters on ticks 84px apart, every other one */
    char *s = page(wide_ticks);
    ck_assert_int_eq(count(s, "<line class=\"grid\""), 5);
    ck_assert_ptr_nonnull(strstr(s, "class=\"tick\">0</text>"));
    ck_assert_ptr_nonnull(strstr(s, "class=\"tick\">20,000,000,000</text>"));
    ck_assert_ptr_nonnull(strstr(s, "class=\"tick\">40,000,000,000</text>"));
    ck_assert_ptr_null(strstr(s, "class=\"tick\">10,000,000,000</text>"));
    ck_assert_ptr_nonnull(strstr(s, "<title>a: 49,201,709,875.54</title>"));
    free(s);
}
END_TEST

/* an explanation with text that must be escaped and an id to mask */
static const char EXPLAIN_DOC[] =
    "{\"schema\":\"huimin-explain/2\",\"as_of\":\"2024-08-01\","
    "\"household\":{\"id\":\"330102H000000042\",\"members\":1,\"member_ids\":[\"330102197805120013\"]},"
    "\"decisions\":[{\"policy\":\"p\",\"label\":\"<b>补贴</b>\",\"entity\":\"person\",\"member\":1,"
    "\"member_id\":\"330102197805120013\",\"file\":\"p.pol\",\"line\":3,\"reference\":null,"
    "\"status\":\"not_eligible\",\"amount\":null,\"applies_when\":null,"
    "\"conditions\":{\"kind\":\"all\",\"message\":null,\"line\":4,\"result\":\"not_met\",\"children\":["
    "{\"kind\":\"condition\",\"result\":\"not_met\",\"expr\":\"a < b & c\",\"file\":\"p.pol\",\"line\":5,"
    "\"values\":[{\"expr\":\"a\",\"value\":\"3\"}],\"message\":\"身份证 330102197805120013 的 \\\"x\\\"\","
    "\"message_for\":\"not_met\"},"
    "{\"kind\":\"condition\",\"result\":\"met\",\"expr\":\"d\",\"file\":\"p.pol\",\"line\":6,\"values\":[]}]},"
    "\"exceptions\":[],\"excluded_by\":[],\"lets\":[],\"amount_derivation\":null,\"facts\":[],"
    "\"parameters\":[],\"why_not\":[{\"kind\":\"condition\",\"result\":\"not_met\",\"expr\":\"a < b & c\","
    "\"file\":\"p.pol\",\"line\":5,\"message\":\"身份证 330102197805120013 的 \\\"x\\\"\",\"message_for\":\"not_met\"}],\"settled\":null,\"undetermined\":null}]}";

static char *explain_page(const json_t *doc, int audience)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(explain_print_html(doc, audience, f), 0);
    return page_of(f, &buf);
}

START_TEST(test_explain_page)
{
    json_error_t e;
    json_t *doc = json_loads(EXPLAIN_DOC, 0, &e);
    ck_assert_msg(doc != NULL, "%s", e.text);
    char *r = explain_page(doc, EX_REVIEWER), *c = explain_page(doc, EX_CITIZEN);
    /* the document's text escaped; the tree open where not met, folded where met */
    ck_assert_ptr_nonnull(strstr(r, "&lt;b&gt;补贴&lt;/b&gt;"));
    ck_assert_ptr_null(strstr(r, "<b>补贴"));
    ck_assert_ptr_nonnull(strstr(r, "<code>a &lt; b &amp; c</code>"));
    ck_assert_ptr_nonnull(strstr(r, "<li class=\"r-not_met\"><details open>"));
    ck_assert_ptr_nonnull(strstr(r, "<li class=\"r-met\"><details><summary>"));
    ck_assert_ptr_nonnull(strstr(r, "href=\"#d1\""));
    ck_assert_ptr_nonnull(strstr(r, "id=\"d1\""));
    /* the reviewer's page shows the ids as the document has them; the
     * citizen's never, and the document is left as it was */
    ck_assert_ptr_nonnull(strstr(r, "330102197805120013"));
    ck_assert_ptr_null(strstr(c, "330102197805120013"));
    ck_assert_ptr_null(strstr(c, "330102H000000042"));
    ck_assert_ptr_nonnull(strstr(c, "330102********0013"));
    ck_assert_ptr_nonnull(strstr(c, "身份证 330102********0013 的 &quot;x&quot;"));
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(doc, "decisions"), 0),
                                                       "member_id")), "330102197805120013");
    /* no id, whole or masked, in the title or a heading */
    for (const char *p = c; (p = strstr(p, "<h")) != NULL; p++) {
        const char *end = strstr(p, "</h");
        ck_assert_ptr_nonnull(end);
        ck_assert_msg(!memmem(p, (size_t)(end - p), "0013", 4), "an id in %.*s", (int)(end - p), p);
    }
    const char *title = strstr(c, "<title>"), *end = strstr(c, "</title>");
    ck_assert_ptr_nonnull(title);
    ck_assert_ptr_null(memmem(title, (size_t)(end - title), "0013", 4));
    free(r);
    free(c);
    json_decref(doc);
}
END_TEST

typedef struct page_job {
    const json_t *doc;
    int audience;
    char *page;
} page_job;

static void *write_page(void *arg)
{
    page_job *j = arg;
    for (int i = 0; i < 20; i++) {
        free(j->page);
        j->page = explain_page(j->doc, j->audience);
    }
    return NULL;
}

/* several threads write pages of one document at once: each page whole,
 * the same as one written alone */
START_TEST(test_explain_page_threads)
{
    json_t *doc = json_loads(EXPLAIN_DOC, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    char *alone[2] = { explain_page(doc, EX_REVIEWER), explain_page(doc, EX_CITIZEN) };
    enum { N = 6 };
    pthread_t t[N];
    page_job job[N];
    for (int i = 0; i < N; i++) {
        job[i] = (page_job){ doc, i % 2, NULL };
        ck_assert_int_eq(pthread_create(&t[i], NULL, write_page, &job[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        ck_assert_str_eq(job[i].page, alone[i % 2]);
        free(job[i].page);
    }
    free(alone[0]);
    free(alone[1]);
    json_decref(doc);
}
END_TEST

Suite *hm_html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *t = tcase_create("page");
    tcase_add_test(t, test_escape);
    tcase_add_test(t, test_numbers);
    tcase_add_test(t, test_scales);
    tcase_add_test(t, test_page);
    tcase_add_test(t, test_bar_edges);
    tcase_add_test(t, test_pairs_and_histogram);
    tcase_add_test(t, test_structure);
    tcase_add_test(t, test_tick_labels_do_not_overlap);
    suite_add_tcase(s, t);
    TCase *x = tcase_create("explain page");
    tcase_add_test(x, test_explain_page);
    tcase_add_test(x, test_explain_page_threads);
    suite_add_tcase(s, x);
    return s;
}
