/* html_page.h -- an explanation as one self-contained HTML page.
 *
 * The page is made from the same document as the text and the JSON
 * (explain_build), so the three never disagree.  For reviewers: a summary
 * table with one row per decision linking to it, then each decision with
 * its status (a colour and a word), the condition tree collapsible (the
 * branches not met or unknown open, the met ones closed), the lets with the
 * members their aggregates counted and left out, the facts with their
 * sources and dates, the parameters with the dated value and reference,
 * the exclusions and what would decide an undetermined decision; a place
 * to sign at the end.  For the person concerned: the decisions and the
 * drafters' messages only, in large type, ids always masked.
 *
 * The page is written through common/html.h: inline CSS, no script (the
 * tree folds with <details>), nothing fetched, rules for print.  Its frame
 * words are in the language hm_i18n chose (hm_tr), read at the call. */
#ifndef HM_HTML_PAGE_H
#define HM_HTML_PAGE_H

#include <jansson.h>
#include <stdio.h>

#include "vm.h"

/* Write explanation DOC (explain_build's document) as one self-contained
 * HTML page for AUDIENCE (EX_REVIEWER / EX_CITIZEN), in the language
 * hm_i18n chose.  The reviewer page shows the ids as DOC has them (mask
 * them first with explain_mask_ids unless they are to be shown); the
 * citizen page masks them always.  No static state: several threads may
 * write pages at once.  0, or -1 on a write error (or out of memory). */
int explain_print_html(const json_t *doc, int audience, FILE *out);

/* Give each decision of DOC that has an amount the period of its policy
 * in program P ("period": "month", "year" or "once", as a package's
 * `gets`), which the pages show after the amount: the explanation
 * document does not carry it.  0, or -1 when out of memory. */
int explain_html_periods(json_t *doc, const hm_program *p);

#endif
