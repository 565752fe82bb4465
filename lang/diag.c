/* diag.c -- see diag.h. */
#include "diag.h"
#include "i18n.h"
#include "mem.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_init(hm_diags *d)
{
    memset(d, 0, sizeof *d);
    d->max_errors = 1000;
}

void diag_free(hm_diags *d)
{
    for (int i = 0; i < d->n; i++) {
        mem_free(d->v[i].msg);
        mem_free(d->v[i].hint);
    }
    mem_free(d->v);
    memset(d, 0, sizeof *d);
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *p = mem_alloc((size_t)n + 1);
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

static int add(hm_diags *d, diag_severity sev, const hm_srcfile *f, hm_span sp,
               int parent, const char *fmt, va_list ap)
{
    if (sev == DIAG_ERROR)
        d->errors++;
    else if (sev == DIAG_WARNING)
        d->warnings++;
    if (d->n >= d->max_errors + 200)
        return -1;
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 16;
        hm_diag *v = mem_realloc(d->v, sizeof *v * (size_t)cap);
        if (!v)
            return -1;
        d->v = v;
        d->cap = cap;
    }
    char *msg = vformat(hm_tr(fmt), ap);
    if (!msg)
        return -1;
    hm_diag *g = &d->v[d->n];
    memset(g, 0, sizeof *g);
    g->sev = sev;
    g->file = f;
    g->span = sp;
    g->msg = msg;
    g->seq = d->n;
    g->parent = parent;
    return d->n++;
}

int diag_error(hm_diags *d, const hm_srcfile *f, hm_span sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int i = add(d, DIAG_ERROR, f, sp, -1, fmt, ap);
    va_end(ap);
    return i;
}

int diag_warning(hm_diags *d, const hm_srcfile *f, hm_span sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int i = add(d, DIAG_WARNING, f, sp, -1, fmt, ap);
    va_end(ap);
    return i;
}

void diag_note(hm_diags *d, int parent, const hm_srcfile *f, hm_span sp, const char *fmt, ...)
{
    if (parent < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    add(d, DIAG_NOTE, f, sp, parent, fmt, ap);
    va_end(ap);
}

void diag_hint(hm_diags *d, int i, const char *fmt, ...)
{
    if (i < 0 || i >= d->n)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *h = vformat(hm_tr(fmt), ap);
    va_end(ap);
    mem_free(d->v[i].hint);
    d->v[i].hint = h;
}

static const char *sev_name(diag_severity s)
{
    switch (s) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    default: return "note";
    }
}

/* the severity as printed for people (JSON keeps sev_name's) */
static const char *sev_label(diag_severity s)
{
    switch (s) {
    case DIAG_ERROR: return hm_tr(N_("error"));
    case DIAG_WARNING: return hm_tr(N_("warning"));
    default: return hm_tr(N_("note"));
    }
}

void diag_render(const hm_diag *g, FILE *out)
{
    if (!g->file) {
        fprintf(out, "%s: %s\n", sev_label(g->sev), g->msg);
        if (g->hint)
            fprintf(out, "  %s: %s\n", hm_tr(N_("hint")), g->hint);
        return;
    }
    int line, col;
    srcfile_locate(g->file, g->span.start, &line, &col);
    fprintf(out, "%s:%d:%d: %s: %s\n", g->file->path, line, col, sev_label(g->sev), g->msg);

    size_t len;
    const char *text = srcfile_line(g->file, line, &len);
    size_t off_in_line = g->span.start - (uint32_t)(text - g->file->text);
    if (off_in_line > len)
        off_in_line = len;
    size_t end_in_line = g->span.end > g->span.start ? g->span.end - (uint32_t)(text - g->file->text) : off_in_line + 1;
    if (end_in_line > len)
        end_in_line = len;
    /* Very long lines are shown as a window around the caret. */
    const char *pre = "", *post = "";
    if (len > 160) {
        size_t from = off_in_line > 60 ? off_in_line - 60 : 0;
        /* start and end on character boundaries (at most 3 bytes away in
         * valid UTF-8; invalid text is cut where it is) */
        for (int k = 0; k < 3 && from > 0 && ((unsigned char)text[from] & 0xc0) == 0x80; k++)
            from--;
        size_t to = from + 140 < len ? from + 140 : len;
        for (int k = 0; k < 3 && to < len && ((unsigned char)text[to] & 0xc0) == 0x80; k++)
            to++;
        if (from > 0)
            pre = "…";
        if (to < len)
            post = "…";
        text += from;
        len = to - from;
        off_in_line -= from;
        end_in_line = end_in_line > from ? end_in_line - from : off_in_line;
        if (end_in_line > len)
            end_in_line = len;
    }
    const char *lstart = text;

    char num[16];
    int w = snprintf(num, sizeof num, "%d", line);
    fprintf(out, "%*s%s | %s", 3, "", num, pre);
    /* print the line with tabs kept and control bytes shown as spaces */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        fputc(c < 0x20 && c != '\t' ? ' ' : c, out);
    }
    fprintf(out, "%s\n", post);
    fprintf(out, "%*s%*s | %s", 3, "", w, "", *pre ? " " : "");
    /* pad with the same characters' widths so the caret lines up */
    for (size_t i = 0; i < off_in_line;) {
        if (lstart[i] == '\t') {
            fputc('\t', out);
            i++;
            continue;
        }
        uint32_t cp;
        int k = utf8_decode((const unsigned char *)lstart + i, off_in_line - i, &cp);
        if (k <= 0)
            k = 1;
        int cw = utf8_display_width(lstart + i, (size_t)k);
        for (int j = 0; j < cw; j++)
            fputc(' ', out);
        i += (size_t)k;
    }
    int width = end_in_line > off_in_line
                    ? utf8_display_width(lstart + off_in_line, end_in_line - off_in_line)
                    : 1;
    if (width < 1)
        width = 1;
    fputc('^', out);
    for (int j = 1; j < width; j++)
        fputc('~', out);
    fputc('\n', out);
    if (g->hint)
        fprintf(out, "%*s%*s = %s: %s\n", 3, "", w, "", hm_tr(N_("hint")), g->hint);
}

/* Sort key: the position of the diagnostic itself, or of its parent for notes. */
static int cmp_diag(const void *pa, const void *pb, void *ctx)
{
    const hm_diags *sort_ctx = ctx;
    int a = *(const int *)pa, b = *(const int *)pb;
    const hm_diag *da = &sort_ctx->v[a], *db = &sort_ctx->v[b];
    const hm_diag *ra = da->sev == DIAG_NOTE ? &sort_ctx->v[da->parent] : da;
    const hm_diag *rb = db->sev == DIAG_NOTE ? &sort_ctx->v[db->parent] : db;
    if (ra != rb) {
        int fa = ra->file ? ra->file->index : -1, fb = rb->file ? rb->file->index : -1;
        if (fa != fb)
            return fa < fb ? -1 : 1;
        if (ra->span.start != rb->span.start)
            return ra->span.start < rb->span.start ? -1 : 1;
        return ra->seq < rb->seq ? -1 : 1;
    }
    /* same group: the parent first, then notes in the order given */
    if (da->sev != DIAG_NOTE)
        return -1;
    if (db->sev != DIAG_NOTE)
        return 1;
    return da->seq < db->seq ? -1 : (da->seq > db->seq);
}

/* The diagnostics' indices sorted by file and position (owned), or NULL
 * when out of memory or there are none. */
static int *sorted(hm_diags *d)
{
    int *order = d->n ? mem_alloc(sizeof *order * (size_t)d->n) : NULL;
    if (!order)
        return NULL;
    for (int i = 0; i < d->n; i++)
        order[i] = i;
    qsort_r(order, (size_t)d->n, sizeof *order, cmp_diag, d);
    return order;
}

/* bytes that are not UTF-8 become U+FFFD (diag.h) */
json_t *diag_json_text(const char *s)
{
    return utf8_json_text(s, strlen(s), NULL);
}

/* A diagnostic's place and message as a new object; NULL out of memory. */
static json_t *json_diag(const hm_diag *g)
{
    int line = 0, col = 0;
    if (g->file)
        srcfile_locate(g->file, g->span.start, &line, &col);
    json_t *o = json_object();
    if (!o || json_object_set_new(o, "file", g->file ? diag_json_text(g->file->path) : json_null()) ||
        json_object_set_new(o, "line", g->file ? json_integer(line) : json_null()) ||
        json_object_set_new(o, "column", g->file ? json_integer(col) : json_null()) ||
        (g->sev != DIAG_NOTE && json_object_set_new(o, "severity", json_string(sev_name(g->sev)))) ||
        json_object_set_new(o, "message", diag_json_text(g->msg))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *diag_json(hm_diags *d)
{
    json_t *all = json_array();
    int *order = sorted(d);
    if (!all || (d->n && !order)) {
        json_decref(all);
        mem_free(order);
        return NULL;
    }
    int shown = 0, bad = 0;
    json_t *notes = NULL;   /* of the last diagnostic, which holds it */
    for (int i = 0; i < d->n && !bad; i++) {
        const hm_diag *g = &d->v[order[i]];
        if (g->sev == DIAG_ERROR && ++shown > d->max_errors)
            break;
        json_t *o = json_diag(g);
        if (g->sev == DIAG_NOTE) {
            /* notes come right after the diagnostic they belong to */
            bad = !o || !notes || json_array_append_new(notes, o);
            continue;
        }
        json_t *hints = json_array();
        notes = json_array();
        if (!o || !hints || !notes || (g->hint && json_array_append_new(hints, diag_json_text(g->hint)))) {
            json_decref(o);
            json_decref(hints);
            json_decref(notes);
            bad = 1;
            break;
        }
        /* each _new call takes its value, even when it fails */
        int failed = json_object_set_new(o, "hints", hints);
        failed |= json_object_set_new(o, "notes", notes);
        if (failed) {
            json_decref(o);
            bad = 1;
            break;
        }
        bad = json_array_append_new(all, o) != 0;
    }
    mem_free(order);
    if (bad) {
        json_decref(all);
        return NULL;
    }
    return all;
}

void diag_print(hm_diags *d, FILE *out)
{
    if (d->n == 0)
        return;
    int *order = sorted(d);
    if (!order) {
        for (int i = 0; i < d->n; i++)
            diag_render(&d->v[i], out);
        return;
    }
    int shown = 0;
    for (int i = 0; i < d->n; i++) {
        const hm_diag *g = &d->v[order[i]];
        if (g->sev == DIAG_ERROR && ++shown > d->max_errors)
            break;
        diag_render(g, out);
    }
    if (d->errors > d->max_errors)
        fprintf(out, "huimin: too many errors (%d); showing the first %d\n", d->errors, d->max_errors);
    mem_free(order);
}
