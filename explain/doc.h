/* doc.h -- documents the runtime returns (hm_doc, huimin.h): a JSON tree
 * (jansson) the caller walks with hm_node_* or serialises. */
#ifndef HM_DOC_H
#define HM_DOC_H

#include <jansson.h>

#include "huimin.h"

enum { DOC_EXPLAIN = 1, DOC_NEEDS = 2 };

struct hm_doc {
    json_t *root;       /* owned */
    int kind;           /* DOC_*: how hm_doc_text renders it */
};

/* A document owning `root` (taken, also on failure).  NULL when out of
 * memory. */
hm_doc *doc_new(json_t *root, int kind);

#endif
