/* command.c -- `huimin explain`: the facts of one household (a facts file,
 * or the configured sources), the explanation, printed as text or JSON. */
#include "explain.h"
#include "frontend.h"
#include "given.h"
#include "html_page.h"
#include "mem.h"
#include "one.h"
#include "package.h"

#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The document printed as it is made (ex_input.each): the text
 * decision by decision; the JSON as json_dumpf would print the whole
 * document, each decision indented to its place in "decisions". */
typedef struct printer {
    const hm_explain_options *o;
    FILE *out;
    size_t n;       /* decisions printed */
    int failed;     /* out of memory while masking ids: nothing more printed */
} printer;

/* jansson's pieces of output are a few bytes each: gathered here, with
 * four more spaces after each newline, and written in large blocks */
typedef struct outbuf {
    FILE *out;
    size_t len;
    char b[1 << 16];
} outbuf;

static int flush_out(outbuf *w)
{
    int rc = fwrite(w->b, 1, w->len, w->out) == w->len ? 0 : -1;
    w->len = 0;
    return rc;
}

static int indented(const char *buf, size_t size, void *data)
{
    outbuf *w = data;
    while (size) {
        const char *nl = memchr(buf, '\n', size);
        size_t len = nl ? (size_t)(nl - buf) + 1 : size;
        if (w->len + len + 4 > sizeof w->b && flush_out(w) < 0)
            return -1;
        if (len + 4 > sizeof w->b) {   /* a long text: straight out */
            if (fwrite(buf, 1, len, w->out) != len)
                return -1;
        } else {
            memcpy(w->b + w->len, buf, len);
            w->len += len;
        }
        if (nl) {
            memcpy(w->b + w->len, "    ", 4);
            w->len += 4;
        }
        buf += len;
        size -= len;
    }
    return 0;
}

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

static void print_each(void *ctx, const json_t *doc, json_t *d)
{
    printer *pr = ctx;
    /* ids masked as each piece is printed: the head (its own ids) before
     * any decision, then each decision */
    /* the person concerned sees ids masked, whatever was asked */
    int mask = !pr->o->show_ids || pr->o->citizen;
    if (pr->failed || (mask && explain_mask_ids(d ? d : (json_t *)doc))) {
        pr->failed = 1;
        return;
    }
    int audience = pr->o->citizen ? EX_CITIZEN : EX_REVIEWER;
    if (pr->o->format != HM_FORMAT_JSON) {
        if (!d)
            explain_print_head(doc, audience, pr->out);
        else
            explain_print_decision(d, audience, pr->out);
        return;
    }
    if (!d) {
        /* the head: the document so far, without its closing brace */
        char *head = json_dumps(doc, DUMP_FLAGS);
        size_t len = head ? strlen(head) : 0;
        if (len >= 2)
            fprintf(pr->out, "%.*s,\n  \"decisions\": [", (int)(len - 2), head);
        json_malloc_t m;
        json_free_t f;
        json_get_alloc_funcs(&m, &f);
        f(head);
        return;
    }
    fputs(pr->n++ ? ",\n    " : "\n    ", pr->out);
    static outbuf w;
    w.out = pr->out;
    w.len = 0;
    if (json_dump_callback(d, indented, &w, DUMP_FLAGS) == 0)
        flush_out(&w);
}

static void print_tail(const printer *pr, json_int_t replaced)
{
    if (pr->o->format != HM_FORMAT_JSON)
        return;
    fputs(pr->n ? "\n  ]" : "]", pr->out);
    if (replaced)
        fprintf(pr->out, ",\n  \"replaced_bytes\": %lld", (long long)replaced);
    fputs("\n}\n", pr->out);
}

static const char *one_source(void *ctx, int32_t field, int32_t k)
{
    return one_source_of(ctx, field, k);
}

/* One household's facts for one compiled pack: from the configured
 * sources, or from a facts file. */
typedef struct loaded {
    hm_program *p;
    ex_input in;
    hm_one one;
    hm_facts f;
    int have_one, have_facts;
    double compiled;    /* when the program was made (--timings) */
} loaded;

static void unload(loaded *L)
{
    if (L->have_one)
        one_close(&L->one);
    if (L->have_facts)
        facts_free(&L->f);
    L->have_one = L->have_facts = 0;
}

/* absent: NULL, or set when the policy asked for is not in this pack (the
 * other pack of a diff may have it): then no policy is explained */
static int load(hm_compiler *c, const hm_explain_options *o, loaded *L, int *absent, char *err, size_t errlen)
{
    memset(L, 0, sizeof *L);
    sema *s;
    int rc = compiler_program(c, &L->p, &s);
    L->compiled = now_ms();
    if (rc != HM_OK)
        return rc;
    hm_program *p = L->p;
    int32_t pol;
    if ((rc = batch_find_policy(p, o->policy, &pol, err, errlen)) != HM_OK) {
        if (!absent || rc != HM_EUSAGE)
            return rc;
        *absent = 1;
        err[0] = '\0';
        pol = INT32_MAX;
    }
    ex_input in = { .p = p, .s = s, .map = compiler_map(c), .policy = pol, .member = -1,
                    .deep = compiler_explain_deep(c) };
    if (o->config) {
        if (one_open(&L->one, p, o->config, o->sets, o->nsets, o->as_of, o->household, o->person, err, errlen) != 0) {
            one_close(&L->one);
            return HM_EUSAGE;
        }
        L->have_one = 1;
        in.facts = &L->one.L.facts;
        in.as_of = L->one.as_of;
        in.externs = L->one.L.externs;
        in.household_id = L->one.L.hid[0];
        in.member_ids = L->one.L.pid;
        in.member = L->one.member;
        in.source_of = one_source;
        in.source_ctx = &L->one;
    } else {
        int32_t as_of;
        if (given_as_of(o->as_of, &as_of) != 0) {
            snprintf(err, errlen, "--as-of: `%s` is not a date (write YYYY-MM-DD)", o->as_of);
            return HM_EUSAGE;
        }
        int nmembers = 0;
        if ((rc = given_facts(c, s, p, o->given, as_of, &L->f, &nmembers, err, errlen)) != HM_OK)
            return rc;
        L->have_facts = 1;
        in.facts = &L->f;
        in.as_of = as_of;
    }
    L->in = in;
    return HM_OK;
}

/* A document made from whole explanations (a package, a diff), with the
 * ids masked unless asked for, printed as text or JSON. */
static int print_made(const hm_explain_options *o, json_t *made, void (*text)(const json_t *, FILE *), FILE *out)
{
    if (!made || (!o->show_ids && explain_mask_ids(made)))
        return HM_ENOMEM;
    if (o->format == HM_FORMAT_JSON) {
        if (json_dumpf(made, out, DUMP_FLAGS) != 0)
            return HM_ENOMEM;
        fputc('\n', out);
    } else {
        text(made, out);
    }
    return HM_OK;
}

static void warn_replaced(const json_t *doc)
{
    if (json_integer_value(json_object_get(doc, "replaced_bytes")))
        fprintf(stderr, "huimin: explain: warning: text from the sources is not UTF-8: each byte that is not is shown as U+FFFD\n");
}

/* --package: the whole explanation, kept, then summed up */
static int explain_package_of(hm_compiler *c, const hm_explain_options *o, FILE *out, char *err, size_t errlen)
{
    loaded L;
    int rc = load(c, o, &L, NULL, err, errlen);
    if (rc != HM_OK) {
        unload(&L);
        return rc;
    }
    explain_arena_begin();
    json_t *doc = explain_build(&L.in);
    rc = doc ? print_made(o, explain_package(doc, L.p), explain_print_package, out) : HM_ENOMEM;
    if (doc)
        warn_replaced(doc);
    explain_arena_end();
    unload(&L);
    return rc;
}

int hm_compiler_explain_diff(hm_compiler *base, hm_compiler *reformed, const char *base_name, const char *reform_name,
                             const hm_explain_options *o, FILE *out, char *err, size_t errlen)
{
    err[0] = '\0';
    loaded A, B;
    /* a policy asked for may be in one pack only (added or removed) */
    int absent_a = 0, absent_b = 0;
    int rc = load(base, o, &A, &absent_a, err, errlen);
    if (rc == HM_OK && (rc = load(reformed, o, &B, &absent_b, err, errlen)) != HM_OK)
        unload(&B);
    if (rc == HM_OK && absent_a && absent_b) {
        unload(&B);
        batch_find_policy(A.p, o->policy, &(int32_t){ 0 }, err, errlen);
        rc = HM_EUSAGE;
    }
    if (rc != HM_OK) {
        unload(&A);
        return rc;
    }
    explain_arena_begin();
    json_t *a = explain_build(&A.in), *b = a ? explain_build(&B.in) : NULL;
    rc = b ? print_made(o, explain_diff(a, A.p, base_name, b, B.p, reform_name, o->sets, o->nsets),
                        explain_print_diff, out)
           : HM_ENOMEM;
    if (b) {
        warn_replaced(a);
        warn_replaced(b);
    }
    explain_arena_end();
    unload(&A);
    unload(&B);
    return rc;
}

/* --format html: the page needs every decision (its summary comes first):
 * the whole document, then the page */
static int explain_html_of(hm_compiler *c, const hm_explain_options *o, FILE *out, char *err, size_t errlen)
{
    loaded L;
    int rc = load(c, o, &L, NULL, err, errlen);
    if (rc != HM_OK) {
        unload(&L);
        return rc;
    }
    explain_arena_begin();
    json_t *doc = explain_build(&L.in);
    rc = HM_ENOMEM;
    if (doc && (o->show_ids || !explain_mask_ids(doc)) && !explain_html_periods(doc, L.p)) {
        rc = explain_print_html(doc, o->citizen ? EX_CITIZEN : EX_REVIEWER, out) == 0 ? HM_OK : HM_EIO;
        if (rc == HM_EIO)
            snprintf(err, errlen, "explain: cannot write the page");
        warn_replaced(doc);
    }
    json_decref(doc);
    explain_arena_end();
    unload(&L);
    return rc;
}

int hm_compiler_explain(hm_compiler *c, const hm_explain_options *o, FILE *out, char *err, size_t errlen)
{
    err[0] = '\0';
    if (o->package)
        return explain_package_of(c, o, out, err, errlen);
    if (o->format == HM_FORMAT_HTML)
        return explain_html_of(c, o, out, err, errlen);
    double t0 = now_ms();
    loaded L;
    int rc = load(c, o, &L, NULL, err, errlen);
    double t1 = now_ms(), t2 = t1, t3 = t1;
    if (rc != HM_OK) {
        unload(&L);
        return rc;
    }
    json_t *doc = NULL;
    /* the document is built, printed and freed inside the arena, and
     * nothing else in between makes or frees a JSON value */
    t2 = now_ms();
    printer pr = { o, out, 0, 0 };
    L.in.each = print_each;
    L.in.each_ctx = &pr;
    explain_arena_begin();
    doc = explain_build(&L.in);
    t3 = now_ms();
    json_int_t replaced = 0;
    int built = doc != NULL;
    if (built) {
        replaced = json_integer_value(json_object_get(doc, "replaced_bytes"));
        print_tail(&pr, replaced);
        json_decref(doc);
    }
    explain_arena_end();
    unload(&L);
    if (!built || pr.failed)
        return HM_ENOMEM;
    if (replaced)
        fprintf(stderr, "huimin: explain: warning: text from the sources is not UTF-8: each byte that is not is shown as U+FFFD\n");
    if (o->timings)
        fprintf(stderr, "timings: compile %.1f ms, facts %.1f ms, explain %.1f ms, print %.1f ms\n", L.compiled - t0,
                t1 - L.compiled, t3 - t2, now_ms() - t3);
    return HM_OK;
}
