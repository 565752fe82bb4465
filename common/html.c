/* html.c -- a self-contained HTML page with tables and SVG charts (see
 * html.h).
 *
 * Charts are laid out in pixels of a 12px font, a column of text (as
 * utf8_display_width() counts them: a Chinese character is two) taken as
 * 7px; the SVG has a viewBox, so a browser scales it down to the page's
 * width and a printer to the paper's.  Positions are integers computed
 * from the integer values with 128-bit intermediates: exact, and never
 * NaN. */
#include "html.h"

#include "mem.h"
#include "utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct html {
    FILE *out;
    int failed;                 /* an allocation failed: errno ENOMEM at the end */
    int in_facts, in_section, in_table;
    int in_group;               /* a heading and what follows it, kept on one printed page */
    int ncols, col;             /* the open table's columns; the next cell's column */
    char *align;                /* the open table's, one letter per column */
};

/* The page's style: screen and paper.  Chart colours are told apart by
 * people who do not see red from green (blue and orange, red for the
 * negative side). */
static const char STYLE[] =
    "*{box-sizing:border-box}\n"
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\",\"Microsoft YaHei\","
    "\"Helvetica Neue\",Arial,sans-serif;color:#222;background:#fff;margin:2em auto;max-width:72em;"
    "padding:0 1em;line-height:1.45}\n"
    "h1{font-size:1.6em;margin:0 0 .4em}\n"
    "h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:1px solid #ccc;padding-bottom:.2em}\n"
    "h3{font-size:1.05em;margin:1.2em 0 .4em}\n"
    "dl.facts{margin:0 0 1em;padding:.6em .9em;background:#f4f6f8;border:1px solid #dde2e6;overflow:hidden}\n"
    "dl.facts dt{float:left;clear:left;width:11em;color:#555}\n"
    "dl.facts dd{margin:0 0 .1em 11.5em;overflow-wrap:anywhere}\n"
    "table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.95em}\n"
    "caption{text-align:left;font-weight:bold;padding:.2em 0}\n"
    "th,td{border:1px solid #ccc;padding:.25em .6em;vertical-align:top}\n"
    "th{background:#eef1f4;text-align:left}\n"
    ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "tbody tr:nth-child(even){background:#fafbfc}\n"
    "figure{margin:.6em 0 1.4em}\n"
    "figcaption{margin-bottom:.3em;color:#333}\n"
    "svg{max-width:100%;height:auto;display:block}\n"
    "svg text{font-size:12px;fill:#222}\n"
    "svg .s0{fill:#4e79a7}\n"
    "svg .s1{fill:#f28e2b}\n"
    "svg .neg{fill:#e15759}\n"
    "svg .grid{stroke:#e2e2e2;stroke-width:1}\n"
    "svg .zero{stroke:#444;stroke-width:1}\n"
    "svg .tick{fill:#666}\n"
    "p.none{color:#666;font-style:italic}\n"
    "@media print{\n"
    "@page{size:A4;margin:15mm}\n"
    "body{margin:0;max-width:none;padding:0;font-size:10pt}\n"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "table,figure,dl.facts,div.group{break-inside:avoid;page-break-inside:avoid}\n"
    "thead{display:table-header-group}\n"
    "h2,h3{break-after:avoid;page-break-after:avoid}\n"
    "}\n";

/* ---- text ---------------------------------------------------------------- */

void html_escape(FILE *out, const char *text)
{
    html_escape_n(out, text, text ? strlen(text) : 0);
}

void html_escape_n(FILE *out, const char *text, size_t n)
{
    static const char fffd[] = "\xEF\xBF\xBD";
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t plain = 0;
    if (!text)
        n = 0;
    for (size_t i = 0; i < n;) {
        const char *rep = NULL;
        size_t len = 1;
        unsigned char c = s[i];
        if (c == '&')
            rep = "&amp;";
        else if (c == '<')
            rep = "&lt;";
        else if (c == '>')
            rep = "&gt;";
        else if (c == '"')
            rep = "&quot;";
        else if (c == '\'')
            rep = "&#39;";
        else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
            rep = fffd;   /* a control character is not allowed in a page */
        else if (c >= 0x80) {
            uint32_t cp;
            int k = utf8_decode(s + i, n - i, &cp);
            if (k > 0)
                len = (size_t)k;
            if (k == 0 || (cp >= 0x80 && cp <= 0x9F))
                rep = fffd;
        }
        if (rep) {
            fwrite(s + plain, 1, i - plain, out);
            fputs(rep, out);
            i += len;
            plain = i;
        } else {
            i += len;
        }
    }
    fwrite(s + plain, 1, n - plain, out);
}

/* the digits of a, with a comma every three, after `sign` */
static char *group_digits(const char *sign, uint64_t a, const char *tail, char *buf, size_t size)
{
    char digits[32], grouped[48];
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)a), k = 0;
    for (int i = 0; i < nd; i++) {
        if (i && (nd - i) % 3 == 0)
            grouped[k++] = ',';
        grouped[k++] = digits[i];
    }
    grouped[k] = '\0';
    snprintf(buf, size, "%s%s%s", sign, grouped, tail);
    return buf;
}

char *html_fmt_count(int64_t n, char *buf, size_t size)
{
    uint64_t a = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    return group_digits(n < 0 ? "-" : "", a, "", buf, size);
}

char *html_fmt_fen(int64_t fen, char *buf, size_t size)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    char cents[4];
    snprintf(cents, sizeof cents, ".%02u", (unsigned)(a % 100));
    return group_digits(fen < 0 ? "-" : "", a / 100, cents, buf, size);
}

static char *fmt_value(int unit, int64_t v, char *buf, size_t size)
{
    return unit == HTML_FEN ? html_fmt_fen(v, buf, size) : html_fmt_count(v, buf, size);
}

/* the width of text in a chart, in pixels */
static int text_px(const char *text)
{
    return 7 * utf8_display_width(text, strlen(text));
}

/* ---- scales ---------------------------------------------------------------- */

void html_scale_of(int64_t min, int64_t max, html_scale *s)
{
    if (min > max) {
        int64_t t = min;
        min = max;
        max = t;
    }
    int64_t lo = min < 0 ? min : 0, hi = max > 0 ? max : 0;
    uint64_t range = (uint64_t)hi - (uint64_t)lo;      /* hi >= 0 >= lo: no overflow */
    if (range == 0) {
        /* all zero: an axis from 0 to 1 with the bars of no length */
        *s = (html_scale){ 0, 1, 1 };
        return;
    }
    /* about five intervals: the smallest 1, 2 or 5 × 10^k at least range / 5
     * (at most 5 × 10^18, within int64) */
    uint64_t want = range / 5 + (range % 5 != 0), step = 1;
    for (uint64_t p = 1;; p *= 10) {
        if (p >= want) {
            step = p;
            break;
        }
        if (2 * p >= want) {
            step = 2 * p;
            break;
        }
        if (5 * p >= want) {
            step = 5 * p;
            break;
        }
    }
    int64_t st = (int64_t)step, q, r;
    /* lo down and hi up to multiples of step, where int64 allows */
    q = lo / st - (lo % st != 0);
    if (!__builtin_mul_overflow(q, st, &r))
        lo = r;
    q = hi / st + (hi % st != 0);
    if (!__builtin_mul_overflow(q, st, &r))
        hi = r;
    *s = (html_scale){ lo, hi, st };
}

int html_scale_px(const html_scale *s, int64_t v, int len)
{
    if (v <= s->lo || len <= 0)
        return 0;
    if (v >= s->hi)
        return len;
    unsigned __int128 num = (unsigned __int128)((uint64_t)v - (uint64_t)s->lo) * (unsigned)len;
    unsigned __int128 den = (uint64_t)s->hi - (uint64_t)s->lo;
    return (int)((2 * num + den) / (2 * den));
}

/* Ticks: the multiples of step in lo … hi.  *t is the first; next_tick
 * moves to the next, 0 past hi. */
static int64_t first_tick(const html_scale *s)
{
    int64_t q = s->lo / s->step + (s->lo % s->step > 0), t;
    return __builtin_mul_overflow(q, s->step, &t) ? s->lo : t;
}

static int next_tick(const html_scale *s, int64_t *t)
{
    return !__builtin_add_overflow(*t, s->step, t) && *t <= s->hi;
}

/* A tick's label: amounts in whole 元 when the step is. */
static char *tick_label(const html_scale *s, int unit, int64_t t, char *buf, size_t size)
{
    if (unit == HTML_FEN && s->step % 100 == 0)
        return html_fmt_count(t / 100, buf, size);
    return fmt_value(unit, t, buf, size);
}

/* Label every k-th tick (counted from zero, so zero always is) so that
 * labels `room` pixels apart for each step have space. */
static int64_t tick_every(const html_scale *s, int unit, int len, int vertical)
{
    char buf[48];
    int widest = 0, nticks = 0;
    int64_t t = first_tick(s);
    do {
        int w = vertical ? 14 : text_px(tick_label(s, unit, t, buf, sizeof buf)) + 10;
        if (w > widest)
            widest = w;
        nticks++;
    } while (next_tick(s, &t));
    int room = html_scale_px(s, s->lo + s->step, len);    /* pixels per step */
    if (room <= 0)
        return nticks;
    int64_t k = (widest + room - 1) / room;
    return k < 1 ? 1 : k;
}

static int labelled(const html_scale *s, int64_t t, int64_t every)
{
    return every <= 1 || (t / s->step) % every == 0;
}

/* ---- the page ---------------------------------------------------------------- */

static void close_facts(html *h)
{
    if (h->in_facts)
        fputs("</dl>\n", h->out);
    h->in_facts = 0;
}

static void close_group(html *h)
{
    if (h->in_group)
        fputs("</div>\n", h->out);
    h->in_group = 0;
}

/* what is open before anything else is written */
static void settle(html *h)
{
    close_facts(h);
    if (h->in_table)
        html_table_end(h);
}

html *html_begin(FILE *out, const char *title, const char *lang)
{
    return html_begin_css(out, title, lang, NULL);
}

html *html_begin_css(FILE *out, const char *title, const char *lang, const char *css)
{
    html *h = mem_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->out = out;
    fputs("<!DOCTYPE html>\n<html lang=\"", out);
    html_escape(out, lang ? lang : "zh-CN");
    fputs("\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", out);
    html_escape(out, title);
    fprintf(out, "</title>\n<style>\n%s%s</style>\n</head>\n<body>\n<h1>", STYLE, css ? css : "");
    html_escape(out, title);
    fputs("</h1>\n", out);
    return h;
}

int html_end(html *h)
{
    settle(h);
    close_group(h);
    if (h->in_section)
        fputs("</section>\n", h->out);
    fputs("</body>\n</html>\n", h->out);
    int failed = fflush(h->out) != 0 || ferror(h->out);
    int nomem = h->failed;
    mem_free(h->align);
    mem_free(h);
    if (nomem && !failed)
        errno = ENOMEM;
    else if (failed && !errno)
        errno = EIO;
    return failed || nomem ? -1 : 0;
}

void html_fact(html *h, const char *name, const char *value)
{
    if (h->in_table)
        html_table_end(h);
    if (!h->in_facts)
        fputs("<dl class=\"facts\">\n", h->out);
    h->in_facts = 1;
    fputs("<dt>", h->out);
    html_escape(h->out, name);
    fputs("</dt><dd>", h->out);
    html_escape(h->out, value);
    fputs("</dd>\n", h->out);
}

void html_section(html *h, const char *title)
{
    settle(h);
    close_group(h);
    if (h->in_section)
        fputs("</section>\n", h->out);
    h->in_section = 1;
    fputs("<section>\n<h2>", h->out);
    html_escape(h->out, title);
    fputs("</h2>\n", h->out);
}

void html_heading(html *h, const char *title)
{
    settle(h);
    close_group(h);
    h->in_group = 1;
    fputs("<div class=\"group\">\n<h3>", h->out);
    html_escape(h->out, title);
    fputs("</h3>\n", h->out);
}

void html_para(html *h, const char *text)
{
    settle(h);
    fputs("<p>", h->out);
    html_escape(h->out, text);
    fputs("</p>\n", h->out);
}

FILE *html_raw(html *h)
{
    settle(h);
    return h->out;
}

/* ---- tables -------------------------------------------------------------------- */

static const char *align_class(const html *h, int col)
{
    return h->align && h->align[col] == 'r' ? " class=\"num\"" : "";
}

void html_table_begin(html *h, const char *caption, int ncols, const char *const *head, const char *align)
{
    settle(h);
    if (ncols < 1)
        ncols = 1;
    h->in_table = 1;
    h->ncols = ncols;
    h->col = 0;
    mem_free(h->align);
    h->align = mem_calloc((size_t)ncols + 1, 1);
    if (!h->align)
        h->failed = 1;   /* the columns are then all left-aligned */
    for (int i = 0; h->align && i < ncols; i++) {
        h->align[i] = align && *align ? *align : 'l';
        if (align && *align)
            align++;
    }
    fputs("<table>\n", h->out);
    if (caption) {
        fputs("<caption>", h->out);
        html_escape(h->out, caption);
        fputs("</caption>\n", h->out);
    }
    fputs("<thead><tr>", h->out);
    for (int i = 0; i < ncols; i++) {
        fprintf(h->out, "<th%s>", align_class(h, i));
        html_escape(h->out, head ? head[i] : "");
        fputs("</th>", h->out);
    }
    fputs("</tr></thead>\n<tbody>\n", h->out);
}

/* a cell's text, already escaped, in a column of class `cls` */
static void cell(html *h, const char *cls, const char *text, int escape)
{
    if (!h->in_table)
        return;
    if (h->col == 0)
        fputs("<tr>", h->out);
    fprintf(h->out, "<td%s>", cls);
    if (escape)
        html_escape(h->out, text);
    else
        fputs(text, h->out);
    fputs("</td>", h->out);
    if (++h->col == h->ncols) {
        fputs("</tr>\n", h->out);
        h->col = 0;
    }
}

void html_cell(html *h, const char *text)
{
    if (h->in_table)
        cell(h, align_class(h, h->col), text, 1);
}

void html_cell_count(html *h, int64_t n)
{
    char buf[32];
    cell(h, " class=\"num\"", html_fmt_count(n, buf, sizeof buf), 0);
}

void html_cell_fen(html *h, int64_t fen)
{
    char buf[40];
    cell(h, " class=\"num\"", html_fmt_fen(fen, buf, sizeof buf), 0);
}

void html_table_end(html *h)
{
    if (!h->in_table)
        return;
    while (h->col != 0)
        cell(h, "", "", 0);
    fputs("</tbody>\n</table>\n", h->out);
    h->in_table = 0;
}

/* ---- charts ------------------------------------------------------------------- */

#define PLOT_W 420              /* the value axis of horizontal bars */
#define PLOT_H 220              /* of a histogram */
#define LABEL_W 320             /* labels wider go above their bars */

static void svg_begin(html *h, const char *title, int width, int height)
{
    settle(h);
    fputs("<figure>\n<figcaption>", h->out);
    html_escape(h->out, title);
    fprintf(h->out, "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", width, height, width, height);
    html_escape(h->out, title);
    fputs("\">\n", h->out);
}

static void svg_end(html *h)
{
    fputs("</svg>\n</figure>\n", h->out);
}

/* a chart with nothing to draw */
static int no_data(html *h, const char *title, size_t n)
{
    if (n)
        return 0;
    settle(h);
    fputs("<figure>\n<figcaption>", h->out);
    html_escape(h->out, title);
    fputs("</figcaption>\n<p class=\"none\">(nothing to show)</p>\n</figure>\n", h->out);
    return 1;
}

/* <text> at x, y */
static void svg_text(html *h, int x, int y, const char *anchor, const char *cls, const char *text)
{
    fprintf(h->out, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\"%s%s%s>", x, y, anchor, cls ? " class=\"" : "",
            cls ? cls : "", cls ? "\"" : "");
    html_escape(h->out, text);
    fputs("</text>\n", h->out);
}

/* the tooltip of a bar: "label: value", or "label (series): value" */
static void svg_title(html *h, const char *label, const char *series, const char *value)
{
    fputs("<title>", h->out);
    html_escape(h->out, label);
    if (series) {
        fputs(" (", h->out);
        html_escape(h->out, series);
        fputs(")", h->out);
    }
    fputs(": ", h->out);
    html_escape(h->out, value);
    fputs("</title>", h->out);
}

/* A bar from zero to v, along the axis at `at` (px of zero known): its
 * start and length in pixels; a value not zero is at least 1px. */
static void bar_span(const html_scale *s, int64_t v, int len, int *from, int *size)
{
    int a = html_scale_px(s, v < 0 ? v : 0, len), b = html_scale_px(s, v > 0 ? v : 0, len);
    if (a == b && v != 0) {
        if (v > 0)
            b++;
        else
            a--;
    }
    *from = a;
    *size = b - a;
}

/* Horizontal bars of one series (two == NULL) or two. */
static void hbars(html *h, const char *title, int unit, const char *name_a, const char *name_b,
                  const html_bar *one, const html_pair *two, size_t n)
{
    if (no_data(h, title, n))
        return;
    int nser = two ? 2 : 1;
    int64_t min = 0, max = 0;
    int labelw = 0, valw = 0;
    char buf[48];
    for (size_t i = 0; i < n; i++) {
        const char *label = two ? two[i].label : one[i].label;
        int w = text_px(label ? label : "");
        if (w > labelw)
            labelw = w;
        for (int k = 0; k < nser; k++) {
            int64_t v = two ? (k ? two[i].b : two[i].a) : one[i].value;
            if (v < min)
                min = v;
            if (v > max)
                max = v;
            w = text_px(fmt_value(unit, v, buf, sizeof buf));
            if (w > valw)
                valw = w;
        }
    }
    html_scale s;
    html_scale_of(min, max, &s);
    valw += 8;
    /* labels left of their bars, or, when one is long (a reason), each on
     * a line of its own above them, so that the bars keep the width */
    int above = labelw > LABEL_W, labelx = above ? 18 : labelw + 8;
    labelw = above ? 14 : labelw + 16;      /* room for half the first tick's label */
    int rowh = (nser == 2 ? 34 : 24) + (above ? 16 : 0), legend = nser == 2 ? 24 : 0;
    int x0 = labelw + (min < 0 ? valw : 0), top = 8 + legend;
    int bottom = top + (int)n * rowh;
    int width = x0 + PLOT_W + (max > 0 || min == 0 ? valw : 0) + 8, height = bottom + 22;
    for (size_t i = 0; above && i < n; i++) {
        const char *label = two ? two[i].label : one[i].label;
        int need = labelx + text_px(label ? label : "") + 8;
        if (need > width)
            width = need;
    }
    /* a legend line as wide as the names need */
    if (nser == 2) {
        int need = x0 + 16 + text_px(name_a ? name_a : "") + 24 + 16 + text_px(name_b ? name_b : "") + 8;
        if (need > width)
            width = need;
    }
    svg_begin(h, title, width, height);
    if (nser == 2) {
        int x = x0;
        fprintf(h->out, "<rect class=\"s0\" x=\"%d\" y=\"8\" width=\"12\" height=\"12\"/>\n", x);
        svg_text(h, x + 16, 18, "start", NULL, name_a ? name_a : "");
        x += 16 + text_px(name_a ? name_a : "") + 24;
        fprintf(h->out, "<rect class=\"s1\" x=\"%d\" y=\"8\" width=\"12\" height=\"12\"/>\n", x);
        svg_text(h, x + 16, 18, "start", NULL, name_b ? name_b : "");
    }
    int64_t every = tick_every(&s, unit, PLOT_W, 0), t = first_tick(&s);
    do {
        int x = x0 + html_scale_px(&s, t, PLOT_W);
        fprintf(h->out, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", t ? "grid" : "zero", x,
                top - 4, x, bottom);
        if (labelled(&s, t, every))
            svg_text(h, x, bottom + 16, "middle", "tick", tick_label(&s, unit, t, buf, sizeof buf));
    } while (next_tick(&s, &t));
    for (size_t i = 0; i < n; i++) {
        const char *label = two ? two[i].label : one[i].label;
        int y = top + (int)i * rowh;
        if (above) {
            svg_text(h, labelx, y + 13, "start", NULL, label ? label : "");
            y += 16;
        } else {
            svg_text(h, labelx, y + rowh / 2 + 4, "end", NULL, label ? label : "");
        }
        for (int k = 0; k < nser; k++) {
            int64_t v = two ? (k ? two[i].b : two[i].a) : one[i].value;
            int from, size, by = nser == 2 ? y + 4 + 13 * k : y + 5, bh = nser == 2 ? 12 : 14;
            bar_span(&s, v, PLOT_W, &from, &size);
            fmt_value(unit, v, buf, sizeof buf);
            fputs("<g>", h->out);
            svg_title(h, label, nser == 2 ? (k ? name_b : name_a) : NULL, buf);
            fprintf(h->out, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
                    nser == 2 ? (k ? "s1" : "s0") : v < 0 ? "neg" : "s0", x0 + from, by, size, bh);
            if (v < 0)
                svg_text(h, x0 + from - 4, by + bh - 3, "end", NULL, buf);
            else
                svg_text(h, x0 + from + size + 4, by + bh - 3, "start", NULL, buf);
            fputs("</g>\n", h->out);
        }
    }
    svg_end(h);
}

void html_bars(html *h, const char *title, int unit, const html_bar *bar, size_t n)
{
    hbars(h, title, unit, NULL, NULL, bar, NULL, n);
}

void html_bars2(html *h, const char *title, int unit, const char *a, const char *b, const html_pair *bar,
                size_t n)
{
    hbars(h, title, unit, a, b, NULL, bar, n);
}

void html_histogram(html *h, const char *title, int unit, const html_bar *bin, size_t n)
{
    if (no_data(h, title, n))
        return;
    int64_t min = 0, max = 0;
    int binw = 36;
    char buf[48];
    for (size_t i = 0; i < n; i++) {
        if (bin[i].value < min)
            min = bin[i].value;
        if (bin[i].value > max)
            max = bin[i].value;
        int w = text_px(bin[i].label ? bin[i].label : "") + 10;
        if (w > binw)
            binw = w;
        w = text_px(fmt_value(unit, bin[i].value, buf, sizeof buf)) + 6;
        if (w > binw)
            binw = w;
    }
    html_scale s;
    html_scale_of(min, max, &s);
    int ylw = 0;
    int64_t t = first_tick(&s);
    do {
        int w = text_px(tick_label(&s, unit, t, buf, sizeof buf));
        if (w > ylw)
            ylw = w;
    } while (next_tick(&s, &t));
    int x0 = ylw + 12, top = 8 + 16, below = top + PLOT_H + (min < 0 ? 16 : 0);
    int width = x0 + (int)n * binw + 8, height = below + 22;
    svg_begin(h, title, width, height);
    int64_t every = tick_every(&s, unit, PLOT_H, 1);
    t = first_tick(&s);
    do {
        int y = top + PLOT_H - html_scale_px(&s, t, PLOT_H);
        fprintf(h->out, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", t ? "grid" : "zero",
                x0 - 4, y, width - 8, y);
        if (labelled(&s, t, every))
            svg_text(h, x0 - 6, y + 4, "end", "tick", tick_label(&s, unit, t, buf, sizeof buf));
    } while (next_tick(&s, &t));
    for (size_t i = 0; i < n; i++) {
        int64_t v = bin[i].value;
        const char *label = bin[i].label ? bin[i].label : "";
        int from, size, x = x0 + (int)i * binw;
        bar_span(&s, v, PLOT_H, &from, &size);
        int y = top + PLOT_H - from - size;
        fmt_value(unit, v, buf, sizeof buf);
        fputs("<g>", h->out);
        svg_title(h, label, NULL, buf);
        fprintf(h->out, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", v < 0 ? "neg" : "s0",
                x + 3, y, binw - 6, size);
        if (v < 0)
            svg_text(h, x + binw / 2, y + size + 13, "middle", NULL, buf);
        else
            svg_text(h, x + binw / 2, y - 4, "middle", NULL, buf);
        fputs("</g>\n", h->out);
        svg_text(h, x + binw / 2, below + 16, "middle", "tick", label);
    }
    svg_end(h);
}
