/* html.h -- a self-contained HTML page with tables and SVG charts, for the
 * reports people would rather look at than read (`report`, `audit` and
 * `diff` with --format html).
 *
 * The page is one HTML5 file in UTF-8: its CSS is inline, it has no script
 * and names nothing on the network, so it opens offline in any browser and
 * prints on A4 (tables and charts are not split across pages, table heads
 * repeat).  Charts are inline SVG drawn from integers: their scales are
 * computed exactly (no floating point), and all-zero data, one bar or only
 * negative values draw as well as any other.
 *
 * Every text given is escaped (& < > " '); bytes that are not UTF-8 and
 * control characters become U+FFFD, so the page stays valid whatever the
 * database holds.  Callers mask ID numbers themselves (mask.h) before they
 * pass them: this module does not know what is an ID.
 *
 * Usage:
 *
 *     html *h = html_begin(out, "Run 3", "zh-CN");
 *     html_fact(h, "as of", "2024-08-01");          // the run facts block
 *     html_section(h, "Policies");
 *     html_table_begin(h, NULL, 3, (const char *[]){ "policy", "eligible", "amount" }, "lrr");
 *     html_cell(h, "低保"); html_cell_count(h, 543); html_cell_fen(h, 187691001);
 *     html_table_end(h);
 *     html_bars(h, "Eligible by policy", HTML_COUNT, bars, nbars);
 *     if (html_end(h) != 0) … errno says why (a write failed, or ENOMEM)
 *
 * Calls after a failure do nothing; html_end() reports the first one.
 * Sections, tables and fact blocks left open are closed by what comes next
 * (a table must be ended before a chart is drawn, or it is ended then). */
#ifndef HM_HTML_H
#define HM_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct html html;

/* What the values of a chart are: whole numbers (a count of households),
 * or amounts in fen, shown in 元 to the fen ("1,234.56"). */
#define HTML_COUNT 0
#define HTML_FEN   1

/* One bar: its label and value.  Values may be negative: the bar then
 * goes the other way from zero. */
typedef struct html_bar {
    const char *label;
    int64_t value;
} html_bar;

/* Two bars side by side under one label (e.g. before and after a reform). */
typedef struct html_pair {
    const char *label;
    int64_t a, b;
} html_pair;

/* Start a page on `out`: the head (title, CSS) and an <h1> with `title`.
 * `lang` is the page's language ("zh-CN", "en"; NULL: "zh-CN"), which
 * picks the fonts of Chinese text.  NULL only when out of memory. */
html *html_begin(FILE *out, const char *title, const char *lang);
/* The same with `css` (or NULL) after the page's own style, for a page
 * with markup of its own (explain's). */
html *html_begin_css(FILE *out, const char *title, const char *lang, const char *css);
/* Close what is open and the page, flush, and free h.  0, or -1 with errno
 * set when a write (or an allocation) failed. */
int   html_end(html *h);

/* A fact of the run (name and value) in the facts block under the title;
 * consecutive facts make one block. */
void  html_fact(html *h, const char *name, const char *value);
/* A new section with heading `title` (closing the previous one). */
void  html_section(html *h, const char *title);
/* A heading within the section (<h3>), e.g. one policy's; it and what
 * follows, up to the next heading or section, print on one page where they
 * fit. */
void  html_heading(html *h, const char *title);
/* A paragraph of text. */
void  html_para(html *h, const char *text);
/* The page's stream, for markup of the caller's own (its text written
 * with html_escape), after the facts block or table that is open is
 * closed. */
FILE *html_raw(html *h);

/* A table of `ncols` columns with headings `head` (ncols texts) and an
 * optional caption (NULL: none).  `align` has one letter per column, 'l'
 * or 'r' (numbers): the alignment of the heading and of html_cell() texts;
 * NULL aligns every column left.  Cells fill the rows left to right; a new
 * row starts after every ncols cells. */
void  html_table_begin(html *h, const char *caption, int ncols, const char *const *head, const char *align);
void  html_cell(html *h, const char *text);
/* A whole number, right-aligned, with thousands separators: "12,345". */
void  html_cell_count(html *h, int64_t n);
/* An amount in fen, right-aligned, in 元 to the fen: "-1,234.05". */
void  html_cell_fen(html *h, int64_t fen);
/* End the table (an unfinished last row is filled with empty cells). */
void  html_table_end(html *h);

/* A horizontal bar chart: one bar per label, in the order given, with the
 * value written at its end.  `unit` HTML_COUNT or HTML_FEN.  No bars: a
 * line saying so. */
void  html_bars(html *h, const char *title, int unit, const html_bar *bar, size_t n);
/* Grouped horizontal bars: two per label, series `a` and `b` named in
 * the legend. */
void  html_bars2(html *h, const char *title, int unit, const char *a, const char *b, const html_pair *bar,
                 size_t n);
/* A histogram of signed values: one vertical bar per bin, in the order
 * given (e.g. from the largest loss to the largest gain), positive values
 * above the zero line, negative ones below it in another colour. */
void  html_histogram(html *h, const char *title, int unit, const html_bar *bin, size_t n);

/* ---- the pieces, for tests and for callers that format the same way ---- */

/* "-12,345" into buf; returns buf. */
char *html_fmt_count(int64_t n, char *buf, size_t size);
/* fen as 元: "1,234.56", "-0.05"; returns buf.  32 bytes are enough. */
char *html_fmt_fen(int64_t fen, char *buf, size_t size);
/* Write text escaped for HTML text and attribute values. */
void  html_escape(FILE *out, const char *text);
/* The same for the first n bytes of text. */
void  html_escape_n(FILE *out, const char *text, size_t n);

/* The scale of a chart's value axis: lo <= min(0, min), hi >= max(0, max),
 * lo < hi, ticks every `step` (1, 2 or 5 × 10^k) from the first multiple of
 * step at or after lo.  lo and hi are multiples of step unless that would
 * leave the range of int64. */
typedef struct html_scale {
    int64_t lo, hi, step;
} html_scale;

void  html_scale_of(int64_t min, int64_t max, html_scale *s);
/* v's position on an axis of `len` pixels: round((v - lo) × len / (hi - lo)),
 * exactly, clamped to 0 … len. */
int   html_scale_px(const html_scale *s, int64_t v, int len);

#endif
