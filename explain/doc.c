/* doc.c -- hm_doc and hm_node: the JSON tree of an explanation, walked
 * by the caller.  A node is the jansson value itself, so walking costs
 * nothing and the tree is exactly what `--format json` prints. */
#include "doc.h"
#include "explain.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hm_doc *doc_new(json_t *root, int kind)
{
    hm_doc *d = root ? mem_calloc(1, sizeof *d) : NULL;
    if (!d) {
        json_decref(root);
        return NULL;
    }
    d->root = root;
    d->kind = kind;
    return d;
}

void hm_doc_free(hm_doc *d)
{
    if (!d)
        return;
    json_decref(d->root);
    mem_free(d);
}

#define J(n) ((json_t *)(n))
#define N(j) ((const hm_node *)(j))

const hm_node *hm_doc_root(const hm_doc *d) { return d ? N(d->root) : NULL; }

int hm_node_type(const hm_node *n)
{
    switch (n ? json_typeof(J(n)) : JSON_NULL) {
    case JSON_OBJECT: return HM_NODE_OBJECT;
    case JSON_ARRAY: return HM_NODE_ARRAY;
    case JSON_STRING: return HM_NODE_STRING;
    case JSON_INTEGER: return HM_NODE_INT;
    case JSON_REAL: return HM_NODE_REAL;
    case JSON_TRUE: case JSON_FALSE: return HM_NODE_BOOL;
    default: return HM_NODE_NULL;
    }
}

size_t hm_node_size(const hm_node *n)
{
    if (json_is_array(J(n)))
        return json_array_size(J(n));
    if (json_is_object(J(n)))
        return json_object_size(J(n));
    return 0;
}

/* the i-th member of an object, in the document's order */
static void *object_iter_at(const hm_node *n, size_t i)
{
    if (!json_is_object(J(n)))
        return NULL;
    void *it = json_object_iter(J(n));
    for (; it && i; i--)
        it = json_object_iter_next(J(n), it);
    return it;
}

const hm_node *hm_node_at(const hm_node *n, size_t i)
{
    if (json_is_array(J(n)))
        return N(json_array_get(J(n), i));
    void *it = object_iter_at(n, i);
    return it ? N(json_object_iter_value(it)) : NULL;
}

const char *hm_node_key(const hm_node *n, size_t i)
{
    void *it = object_iter_at(n, i);
    return it ? json_object_iter_key(it) : NULL;
}

const hm_node *hm_node_get(const hm_node *n, const char *key)
{
    return json_is_object(J(n)) && key ? N(json_object_get(J(n), key)) : NULL;
}

const char *hm_node_string(const hm_node *n) { return json_is_string(J(n)) ? json_string_value(J(n)) : NULL; }
long long hm_node_int(const hm_node *n) { return json_is_integer(J(n)) ? (long long)json_integer_value(J(n)) : 0; }
double hm_node_real(const hm_node *n) { return json_is_number(J(n)) ? json_number_value(J(n)) : 0.0; }
int hm_node_bool(const hm_node *n) { return json_is_true(J(n)); }

/* jansson's strings come from its allocator: copied into ours for hm_free */
static char *own(char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *r = mem_alloc(n);
    if (r)
        memcpy(r, s, n);
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    f(s);
    return r;
}

char *hm_doc_json(const hm_doc *d)
{
    if (!d)
        return NULL;
    char *s = own(json_dumps(d->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER));
    if (!s)
        return NULL;
    /* with the newline that `huimin explain --format json` ends with */
    size_t n = strlen(s);
    char *r = mem_realloc(s, n + 2);
    if (!r) {
        mem_free(s);
        return NULL;
    }
    memcpy(r + n, "\n", 2);
    return r;
}

char *hm_doc_text(const hm_doc *d, int audience)
{
    if (!d || d->kind != DOC_EXPLAIN)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    explain_print_text(d->root, audience == HM_AUDIENCE_CITIZEN ? EX_CITIZEN : EX_REVIEWER, f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    /* open_memstream's buffer is the C library's: copied into ours */
    char *r = mem_alloc(len + 1);
    if (r)
        memcpy(r, buf, len + 1);
    free(buf);
    return r;
}
