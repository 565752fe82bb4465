/* diag.h -- the diagnostics a compilation collects.
 *
 * Phases never stop at the first problem: each one reports through
 * diag_error()/diag_warning() and goes on, and the driver prints the whole
 * list, sorted by position, at the end:
 *
 *   dibao.pol:12:3: error: unknown name `per_capita`
 *      12 |   per_capita < line   "…"
 *         |   ^~~~~~~~~~
 *      hint: did you mean `per_cap`?
 */
#ifndef HM_DIAG_H
#define HM_DIAG_H

#include <stdint.h>
#include <stdio.h>

#include "srcfile.h"

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_severity;

typedef struct hm_span {
    uint32_t start, end;    /* byte offsets in the file, end exclusive */
} hm_span;

typedef struct hm_diag {
    diag_severity sev;
    const hm_srcfile *file; /* borrowed; NULL for diagnostics without a place */
    hm_span span;
    char *msg;              /* owned */
    char *hint;             /* owned, may be NULL */
    int   seq;              /* order of reporting, for a stable sort */
    int   parent;           /* for notes: index of the diagnostic they belong to */
} hm_diag;

typedef struct hm_diags {
    hm_diag *v;
    int n, cap;
    int errors, warnings;
    int max_errors;         /* stop recording (not counting) after this many */
} hm_diags;

void diag_init(hm_diags *d);
void diag_free(hm_diags *d);
/* Each returns the index of the new diagnostic (or -1 if it was dropped). */
int  diag_error(hm_diags *d, const hm_srcfile *f, hm_span sp, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int  diag_warning(hm_diags *d, const hm_srcfile *f, hm_span sp, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A note at another place, printed right after diagnostic `parent`. */
void diag_note(hm_diags *d, int parent, const hm_srcfile *f, hm_span sp, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Attach a hint ("did you mean …") to diagnostic `i`. */
void diag_hint(hm_diags *d, int i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Print all diagnostics sorted by file and position. */
void diag_print(hm_diags *d, FILE *out);
/* The diagnostics as JSON, in the order diag_print prints them:
 * [{"file", "line", "column", "severity", "message", "hints": [...],
 *   "notes": [{"file", "line", "column", "message"}]}] (file, line and
 * column null for one without a place).  Owned; NULL when out of memory. */
struct json_t;
struct json_t *diag_json(hm_diags *d);
/* Text for JSON: a message quoting policy text, or a file's name, may hold
 * bytes that are not UTF-8, each shown as U+FFFD.  NULL out of memory. */
struct json_t *diag_json_text(const char *s);
/* Print one diagnostic's header, source line and caret. */
void diag_render(const hm_diag *g, FILE *out);

#endif
