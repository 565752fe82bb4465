/* server.c -- `huimin serve`: the HTTP server (libmicrohttpd's thread
 * pool) answering the JSON API of docs/serve.md with the runtime API.
 *
 * The pack is shared by every worker thread and never changed; each
 * worker has its own evaluator for it.  A worker holds its own lock (no
 * other thread takes it but a reload) while it answers, so a reload
 * (SIGHUP) swaps the current pack, then visits each worker: one answering
 * finishes on the old pack first, then drops it; the old pack is freed
 * with its last reference. */
#include "server.h"
#include "bytecode.h"
#include "catalog.h"
#include "doc.h"
#include "explain.h"
#include "frontend.h"
#include "household.h"
#include "html_page.h"
#include "i18n.h"
#include "mask.h"
#include "module.h"
#include "one.h"
#include "pack.h"
#include "route.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "assets.h"

/* ---- packs ---------------------------------------------------------------- */

typedef struct spack {
    hm_pack *k;
    /* the pack's policy files, checked: labels, and the rows of reference
     * tables they give (as `huimin run --given` reads them); NULL when the
     * pack carries none */
    hm_compiler *src;
    sema *s;
    catalog cat;
    char loaded[32];            /* "2026-12-06T18:00:00Z" */
    atomic_int refs;
} spack;

static void spack_release(spack *p)
{
    if (p && atomic_fetch_sub(&p->refs, 1) == 1) {
        catalog_free(&p->cat);
        hm_compiler_free(p->src);
        hm_pack_free(p->k);
        free(p);
    }
}

/* Load (or compile) and verify the pack at path.  NULL with a message. */
static spack *spack_open(const char *path, char *err, size_t errlen)
{
    hm_pack *k = NULL;
    if (module_is_pack_file(path)) {
        if (hm_pack_load(path, &k, err, errlen) != HM_OK)
            return NULL;
    } else {
        hm_compiler *c = hm_compiler_new();
        int rc = !c ? HM_ENOMEM : hm_compiler_add_path(c, path);
        if (rc == HM_OK)
            rc = hm_compiler_check(c);
        if (rc == HM_OK)
            rc = hm_compiler_pack(c, &k);
        if (rc != HM_OK) {
            char *text = NULL;
            size_t len = 0;
            FILE *f = c ? open_memstream(&text, &len) : NULL;
            if (f) {
                hm_compiler_print_diagnostics(c, f);
                fclose(f);
            }
            while (len && text[len - 1] == '\n')
                text[--len] = '\0';
            snprintf(err, errlen, "%s", text && *text ? text : hm_status_string(rc));
            free(text);
            hm_compiler_free(c);
            return NULL;
        }
        hm_compiler_free(c);
    }
    spack *p = calloc(1, sizeof *p);
    hm_program *sp;
    if (p && (p->src = hm_compiler_new()) &&
        (hm_compiler_add_pack(p->src, k) != HM_OK || compiler_program(p->src, &sp, &p->s) != HM_OK))
        p->s = NULL;
    if (!p || !p->src || catalog_build(k, p->s, &p->cat) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        if (p)
            hm_compiler_free(p->src);
        free(p);
        hm_pack_free(k);
        return NULL;
    }
    p->k = k;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(p->loaded, sizeof p->loaded, "%Y-%m-%dT%H:%M:%SZ", &tm);
    atomic_init(&p->refs, 1);
    return p;
}

/* ---- workers ---------------------------------------------------------------- */

typedef struct worker {
    pthread_mutex_t mu;         /* held while answering, and by a reload visiting */
    spack *pack;                /* a reference, and its evaluator */
    hm_evaluator *ev;
    struct worker *next;
} worker;

static struct {
    const server_options *o;
    _Atomic(spack *) current;
    pthread_mutex_t workers_mu;     /* the list, changed when a thread first answers */
    worker *workers;
    int log_fd;                     /* the access log, or -1 */
} served = { .workers_mu = PTHREAD_MUTEX_INITIALIZER, .log_fd = -1 };

static __thread worker *self;

/* This thread's worker, locked, with an evaluator for the current pack;
 * NULL out of memory. */
static worker *worker_enter(void)
{
    if (!self) {
        worker *w = calloc(1, sizeof *w);
        if (!w)
            return NULL;
        pthread_mutex_init(&w->mu, NULL);
        pthread_mutex_lock(&served.workers_mu);
        w->next = served.workers;
        served.workers = w;
        pthread_mutex_unlock(&served.workers_mu);
        self = w;
    }
    worker *w = self;
    pthread_mutex_lock(&w->mu);
    spack *now = atomic_load(&served.current);
    if (w->pack != now || !w->ev) {
        hm_evaluator_free(w->ev);
        spack_release(w->pack);
        atomic_fetch_add(&now->refs, 1);
        w->pack = now;
        w->ev = hm_evaluator_new(now->k);
        if (!w->ev) {
            pthread_mutex_unlock(&w->mu);
            return NULL;
        }
    }
    return w;
}

static void worker_leave(worker *w)
{
    hm_i18n_thread(-1);
    pthread_mutex_unlock(&w->mu);
}

/* After the current pack changed: every worker finishes what it answers
 * and drops an older pack. */
static void workers_visit(int all)
{
    spack *now = atomic_load(&served.current);
    pthread_mutex_lock(&served.workers_mu);
    for (worker *w = served.workers; w; w = w->next) {
        pthread_mutex_lock(&w->mu);
        if (all || w->pack != now) {
            hm_evaluator_free(w->ev);
            spack_release(w->pack);
            w->ev = NULL;
            w->pack = NULL;
        }
        pthread_mutex_unlock(&w->mu);
    }
    pthread_mutex_unlock(&served.workers_mu);
}

/* ---- requests --------------------------------------------------------------- */

typedef struct request {
    body b;
    struct timespec t0;
    route r;
    int status;
    size_t bytes;
    char method[16];
    char *path, *query;         /* for the log */
    const char *allow;          /* a 405's methods */
} request;

static long long usec_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)(t.tv_sec - t0->tv_sec) * 1000000 + (t.tv_nsec - t0->tv_nsec) / 1000;
}

static void log_request(request *rq)
{
    if (served.log_fd < 0)
        return;
    char line[1024];
    route_log_line(line, sizeof line, rq->method, rq->path ? rq->path : "-", rq->query, rq->status, rq->bytes,
                   usec_since(&rq->t0));
    /* one write per line: lines of several threads never mix */
    ssize_t n = write(served.log_fd, line, strlen(line));
    (void)n;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    request *rq = *con_cls;
    if (!rq)
        return;
    log_request(rq);
    body_free(&rq->b);
    free(rq->path);
    free(rq->query);
    free(rq);
    *con_cls = NULL;
}

static enum MHD_Result reply(struct MHD_Connection *c, request *rq, int status, const char *type, void *data,
                             size_t len, int owned)
{
    struct MHD_Response *resp =
        owned ? MHD_create_response_from_buffer_with_free_callback(len, data, free)
              : MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_COPY);
    if (!resp) {
        if (owned)
            free(data);
        return MHD_NO;
    }
    if (type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (served.o->cors) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", served.o->cors);
        MHD_add_response_header(resp, "Vary", "Origin");
    }
    if (status == 405 && rq->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rq->allow);
    if (rq->r == R_PREFLIGHT) {
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", "Content-Type");
        MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
    }
    rq->status = status;
    rq->bytes = len;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static const char *const JSON_TYPE = "application/json; charset=utf-8";

static enum MHD_Result reply_json(struct MHD_Connection *c, request *rq, int status, char *text)
{
    if (!text)
        return reply(c, rq, 500, JSON_TYPE, "{\"error\":{\"status\":500,\"code\":\"internal\",\"message\":\"out of memory\"}}",
                     76, 0);
    return reply(c, rq, status, JSON_TYPE, text, strlen(text), 1);
}

static enum MHD_Result reply_error(struct MHD_Connection *c, request *rq, int status, const char *message)
{
    return reply_json(c, rq, status, route_error_json(status, message, NULL));
}

/* A library status as an HTTP error. */
static enum MHD_Result reply_status(struct MHD_Connection *c, request *rq, int rc, const char *err)
{
    int status = rc == HM_ENOMEM || rc == HM_EIO ? 500 : 400;
    return reply_error(c, rq, status, *err ? err : hm_status_string(rc));
}

/* ---- the API ---------------------------------------------------------------- */

/* What a POST body gives: the household and the options. */
typedef struct call {
    json_t *root;
    hm_household *h;
    const char *as_of, *policy;
} call;

/* Read the body into x.  0, or an HTTP status with the message in err. */
static int read_call(const request *rq, const spack *p, call *x, char *err, size_t errlen)
{
    memset(x, 0, sizeof *x);
    json_error_t je;
    x->root = json_loadb(rq->b.data ? rq->b.data : "", rq->b.len, JSON_REJECT_DUPLICATES, &je);
    if (!x->root) {
        if (json_error_code(&je) == json_error_out_of_memory) {
            snprintf(err, errlen, "out of memory");
            return 500;
        }
        snprintf(err, errlen, "line %d, column %d: %s", je.line, je.column, je.text);
        return 400;
    }
    if (!json_is_object(x->root)) {
        snprintf(err, errlen, "expected {\"household\": {…}} or {\"person\": {…}}");
        return 400;
    }
    json_t *as_of = json_object_get(x->root, "as_of"), *policy = json_object_get(x->root, "policy");
    if (as_of && !json_is_null(as_of) && !json_is_string(as_of)) {
        snprintf(err, errlen, "\"as_of\" must be a date written YYYY-MM-DD");
        return 400;
    }
    if (policy && !json_is_null(policy) && !json_is_string(policy)) {
        snprintf(err, errlen, "\"policy\" must be the name of a policy");
        return 400;
    }
    x->as_of = json_is_string(as_of) ? json_string_value(as_of) : served.o->as_of;
    x->policy = json_is_string(policy) ? json_string_value(policy) : NULL;
    if (x->policy) {
        int32_t pol;
        if (batch_find_policy(pack_program(p->k), x->policy, &pol, err, errlen) != HM_OK) {
            /* the command's message, without its option */
            if (!strncmp(err, "--policy: ", 10))
                memmove(err, err + 10, strlen(err + 10) + 1);
            return 400;
        }
    }
    const hm_program *prog = pack_program(p->k);
    int rc = household_from_json_root(prog, x->root, &x->h, err, errlen);
    if (rc != 0)
        return rc == -3 ? 500 : 400;
    /* the reference tables' rows the pack's files give, as for --given */
    if (prog->nrefreads && p->s && testrun_load_pack_rows(p->s, prog, &x->h->tx, -1) < 0) {
        snprintf(err, errlen, "out of memory");
        return 500;
    }
    return 0;
}

static void call_free(call *x)
{
    hm_household_free(x->h);
    json_decref(x->root);
}

/* Only the decisions of one policy in hm_result_json's text. */
static char *only_policy(char *text, const char *policy)
{
    json_t *doc = json_loads(text, 0, NULL), *ds = json_object_get(doc, "decisions"), *keep = json_array();
    size_t i;
    json_t *d;
    json_array_foreach (ds, i, d)
        if (!strcmp(json_string_value(json_object_get(d, "policy")) ? json_string_value(json_object_get(d, "policy")) : "",
                    policy))
            json_array_append(keep, d);
    char *out = NULL;
    if (doc && keep && !json_object_set(doc, "decisions", keep))
        out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(keep);
    json_decref(doc);
    return out;
}

static enum MHD_Result api_calculate(struct MHD_Connection *c, request *rq, worker *w, call *x)
{
    hm_result *r = NULL;
    char err[1024] = "";
    int rc = hm_evaluate(w->ev, x->h, x->as_of, &r, err, sizeof err);
    if (rc != HM_OK)
        return reply_status(c, rq, rc, err);
    char *text = hm_result_json(r);
    hm_result_free(r);
    if (text && x->policy) {
        char *one = only_policy(text, x->policy);
        hm_free(text);
        return reply_json(c, rq, 200, one);
    }
    if (!text)
        return reply_json(c, rq, 500, NULL);
    /* hm_result_json's text is the library's: hand MHD a copy it frees */
    enum MHD_Result ok = reply(c, rq, 200, JSON_TYPE, text, strlen(text), 0);
    hm_free(text);
    return ok;
}

static char *dump(const json_t *doc)
{
    return json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

static enum MHD_Result api_explain(struct MHD_Connection *c, request *rq, worker *w, call *x)
{
    const char *audience = json_string_value(json_object_get(x->root, "audience"));
    const char *lang = json_string_value(json_object_get(x->root, "lang"));
    const char *format = json_string_value(json_object_get(x->root, "format"));
    int citizen = !audience || !strcmp(audience, "citizen");
    if (audience && strcmp(audience, "citizen") && strcmp(audience, "reviewer"))
        return reply_error(c, rq, 400, "\"audience\" must be \"citizen\" or \"reviewer\"");
    if (lang && strcmp(lang, "zh") && strcmp(lang, "en"))
        return reply_error(c, rq, 400, "\"lang\" must be \"zh\" or \"en\"");
    if (format && strcmp(format, "json") && strcmp(format, "text") && strcmp(format, "html"))
        return reply_error(c, rq, 400, "\"format\" must be \"json\", \"text\" or \"html\"");
    hm_i18n_thread(!lang || !strcmp(lang, "zh"));
    hm_doc *d = NULL;
    char err[4096] = "";
    int rc = hm_explain(w->ev, x->h, x->as_of, x->policy, -1, &d, err, sizeof err);
    if (rc != HM_OK)
        return reply_status(c, rq, rc == HM_ERR ? HM_EIO : rc, err);
    if (citizen && explain_mask_ids(d->root)) {
        hm_doc_free(d);
        return reply_json(c, rq, 500, NULL);
    }
    int aud = citizen ? HM_AUDIENCE_CITIZEN : HM_AUDIENCE_REVIEWER;
    enum MHD_Result ok;
    if (!format || !strcmp(format, "json"))
        ok = reply_json(c, rq, 200, dump(d->root));
    else if (!strcmp(format, "text")) {
        char *text = hm_doc_text(d, aud);
        json_t *o = text ? json_pack("{s:s}", "text", text) : NULL;
        hm_free(text);
        ok = reply_json(c, rq, 200, o ? dump(o) : NULL);
        json_decref(o);
    } else {
        char *page = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&page, &len);
        /* the page says each amount's period, which the document does not carry */
        int failed = !f || explain_html_periods(d->root, pack_program(w->pack->k)) ||
                     explain_print_html(d->root, citizen ? EX_CITIZEN : EX_REVIEWER, f) != 0;
        if (f)
            fclose(f);
        if (failed) {
            free(page);
            page = NULL;
        }
        ok = page ? reply(c, rq, 200, "text/html; charset=utf-8", page, len, 1) : reply_json(c, rq, 500, NULL);
    }
    hm_doc_free(d);
    return ok;
}

static enum MHD_Result api_needs(struct MHD_Connection *c, request *rq, worker *w, call *x)
{
    hm_doc *d = NULL;
    char err[4096] = "";
    int rc = hm_needs(w->ev, x->h, x->as_of, x->policy, &d, err, sizeof err);
    if (rc != HM_OK)
        return reply_status(c, rq, rc, err);
    json_t *q = catalog_questions(&w->pack->cat, d->root);
    char *text = q && !json_object_set_new(d->root, "questions", q) ? dump(d->root) : NULL;
    hm_doc_free(d);
    return reply_json(c, rq, 200, text);
}

static enum MHD_Result api_get(struct MHD_Connection *c, request *rq, worker *w)
{
    const spack *p = w->pack;
    if (rq->r == R_POLICIES)
        return reply(c, rq, 200, JSON_TYPE, p->cat.policies, p->cat.policies_len, 0);
    json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "status", "ok", "version", hm_version(), "pack",
                          hm_pack_hash(p->k), "policies", hm_pack_policy_count(p->k), "loaded", p->loaded);
    char *text = o ? dump(o) : NULL;
    json_decref(o);
    return reply_json(c, rq, 200, text);
}

static enum MHD_Result api_post(struct MHD_Connection *c, request *rq)
{
    if (rq->b.too_large) {
        char msg[128];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", served.o->max_body);
        return reply_error(c, rq, 413, msg);
    }
    worker *w = worker_enter();
    if (!w)
        return reply_error(c, rq, 500, "out of memory");
    call x;
    char err[4096] = "";
    int status = read_call(rq, w->pack, &x, err, sizeof err);
    enum MHD_Result ok;
    if (status)
        ok = reply_error(c, rq, status, err);
    else if (rq->r == R_CALCULATE)
        ok = api_calculate(c, rq, w, &x);
    else if (rq->r == R_EXPLAIN)
        ok = api_explain(c, rq, w, &x);
    else
        ok = api_needs(c, rq, w, &x);
    call_free(&x);
    worker_leave(w);
    return ok;
}

/* ---- /review/ ---------------------------------------------------------------- */

static const char *source_of(void *ctx, int32_t field, int32_t k)
{
    return one_source_of(ctx, field, k);
}

/* The reviewer's page of one household of the configured population, ids
 * masked, as `huimin explain --config C --household ID --format html`
 * writes it.  0, or an HTTP status with the message in err. */
static int review_page(worker *w, const char *id, const char *policy, FILE *out, char *err, size_t errlen)
{
    hm_program *p;
    sema *s;
    if (!w->pack->s || compiler_program(w->pack->src, &p, &s) != HM_OK) {
        snprintf(err, errlen, "the pack carries no policy files to explain with");
        return 503;
    }
    int32_t pol;
    if (batch_find_policy(p, policy, &pol, err, errlen) != HM_OK)
        return 400;
    hm_one one;
    memset(&one, 0, sizeof one);
    if (one_open(&one, p, served.o->config, NULL, 0, served.o->as_of, id, NULL, err, errlen) != 0) {
        one_close(&one);
        /* one line: the first problem */
        char *nl = strchr(err, '\n');
        if (nl)
            *nl = '\0';
        return strstr(err, "no household") || strstr(err, "not found") ? 404 : 400;
    }
    ex_input in = { .p = p, .s = s, .map = compiler_map(w->pack->src), .policy = pol, .member = -1,
                    .facts = &one.L.facts, .as_of = one.as_of, .externs = one.L.externs,
                    .household_id = one.L.hid[0], .member_ids = one.L.pid, .source_of = source_of,
                    .source_ctx = &one };
    json_t *doc = explain_build(&in);
    int status = !doc || explain_mask_ids(doc) || explain_html_periods(doc, p) ||
                 explain_print_html(doc, EX_REVIEWER, out) ? 500 : 0;
    if (status)
        snprintf(err, errlen, "out of memory");
    json_decref(doc);
    one_close(&one);
    return status;
}

static enum MHD_Result review(struct MHD_Connection *c, request *rq)
{
    char err[4096] = "";
    char *page = NULL;
    size_t len = 0;
    int status = 0;
    FILE *f;
    if (rq->r == R_REVIEW_REPORT) {
        if (!served.o->results)
            return reply_error(c, rq, 404, "no results database: start the server with --results DB");
        if (!(f = open_memstream(&page, &len)))
            return reply_error(c, rq, 500, "out of memory");
        int rc = hm_report(served.o->results, 0, NULL, HM_FORMAT_HTML, f, err, sizeof err);
        fclose(f);
        if (rc != HM_OK)
            status = rc == HM_ENOMEM ? 500 : rc == HM_EUSAGE ? 404 : 503;
    } else {
        if (!served.o->config)
            return reply_error(c, rq, 404, "no source configuration: start the server with --config FILE");
        const char *id = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "household");
        const char *policy = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "policy");
        if (!id || !*id)
            return reply_error(c, rq, 400, "say which household: /review/explain?household=ID");
        worker *w = worker_enter();
        if (!w)
            return reply_error(c, rq, 500, "out of memory");
        hm_i18n_thread(1);
        /* the pack's checked files are shared: one reviewer page at a time
         * walks them (reviewer pages are few; the API never waits on this) */
        static pthread_mutex_t review_mu = PTHREAD_MUTEX_INITIALIZER;
        if ((f = open_memstream(&page, &len))) {
            pthread_mutex_lock(&review_mu);
            status = review_page(w, id, policy && *policy ? policy : NULL, f, err, sizeof err);
            pthread_mutex_unlock(&review_mu);
            fclose(f);
        } else
            status = 500;
        worker_leave(w);
    }
    if (status) {
        free(page);
        return reply_error(c, rq, status, *err ? err : "out of memory");
    }
    return reply(c, rq, 200, "text/html; charset=utf-8", page, len, 1);
}

/* ---- the connection handler ------------------------------------------------- */

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    FILE *f = cls;
    if (ftell(f) > 0)
        fputc('&', f);
    fprintf(f, "%s=%s", key, value ? value : "");
    return MHD_YES;
}

static request *request_new(struct MHD_Connection *c, const char *url, const char *method)
{
    request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &rq->t0);
    snprintf(rq->method, sizeof rq->method, "%s", method);
    if (served.log_fd >= 0) {
        rq->path = strdup(url);
        size_t len = 0;
        FILE *f = open_memstream(&rq->query, &len);
        if (f) {
            MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, f);
            fclose(f);
        }
    }
    return rq;
}

/* 404 or 405 (rq->status, from route_find). */
static enum MHD_Result reply_route_error(struct MHD_Connection *c, request *rq, const char *method, const char *url)
{
    char msg[256];
    int status = rq->status;
    if (status == 405)
        snprintf(msg, sizeof msg, "%s is not allowed here: use %s", method, rq->allow);
    else
        snprintf(msg, sizeof msg, "no such path: %.200s", url);
    return reply_error(c, rq, status, msg);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    request *rq = *con_cls;
    if (!rq) {
        if (!(rq = request_new(c, url, method)))
            return MHD_NO;
        *con_cls = rq;
        rq->r = route_find(method, url, served.o->cors != NULL, &rq->status, &rq->allow);
        if (rq->r == R_CALCULATE || rq->r == R_EXPLAIN || rq->r == R_NEEDS) {
            /* refused before it is read when it says it is too large */
            const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (cl && strtoull(cl, NULL, 10) > served.o->max_body) {
                rq->b.too_large = 1;
                return api_post(c, rq);
            }
        }
        /* answered on the next call: one answered now closes the connection */
        return MHD_YES;
    }
    if (*upload_size) {
        /* kept only where a body is read; a body too large is dropped */
        int posted = rq->r == R_CALCULATE || rq->r == R_EXPLAIN || rq->r == R_NEEDS;
        if (posted && body_append(&rq->b, upload, *upload_size, served.o->max_body) == -2)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (rq->r == R_NONE)
        return reply_route_error(c, rq, method, url);
    switch (rq->r) {
    case R_CALCULATE:
    case R_EXPLAIN:
    case R_NEEDS:
        return api_post(c, rq);
    case R_HEALTH:
    case R_POLICIES: {
        worker *w = worker_enter();
        if (!w)
            return reply_error(c, rq, 500, "out of memory");
        enum MHD_Result ok = api_get(c, rq, w);
        worker_leave(w);
        return ok;
    }
    case R_REVIEW_EXPLAIN:
    case R_REVIEW_REPORT:
        return review(c, rq);
    case R_PREFLIGHT:
        return reply(c, rq, 204, NULL, "", 0, 0);
    case R_ASSET: {
        const server_asset *a = server_asset_find(url);
        if (a)
            return reply(c, rq, 200, a->content_type, (void *)a->data, a->size, 0);
        char msg[256];
        snprintf(msg, sizeof msg, "no such path: %.200s", url);
        return reply_error(c, rq, 404, msg);
    }
    default:
        return reply_error(c, rq, 500, "unexpected route");
    }
}

/* ---- the server --------------------------------------------------------------- */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char msg[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fputs("huimin: ", stderr);
    mask_fputs_text(msg, stderr);
    fputc('\n', stderr);
    fflush(stderr);
}

/* The listening socket, bound here so that an address in use is named. */
static int listen_on(const char *addr, int *port)
{
    struct sockaddr_in sa;
    char err[256];
    if (route_parse_listen(addr, &sa, err, sizeof err) != 0) {
        say("serve: %s", err);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0) {
        say("serve: cannot listen on %s: %s", addr, strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1024) != 0) {
        say("serve: cannot listen on %s: %s", addr, strerror(errno));
        close(fd);
        return -1;
    }
    socklen_t len = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &len);
    *port = ntohs(sa.sin_port);
    return fd;
}

static void reload(void)
{
    char err[8192] = "";
    spack *now = spack_open(served.o->pack, err, sizeof err), *old = atomic_load(&served.current);
    if (!now) {
        say("serve: reload failed, still serving %s: %s", hm_pack_hash(old->k), err);
        return;
    }
    if (served.o->config && access(served.o->config, R_OK) != 0) {
        say("serve: reload failed, still serving %s: %s: %s", hm_pack_hash(old->k), served.o->config,
            strerror(errno));
        spack_release(now);
        return;
    }
    atomic_store(&served.current, now);
    workers_visit(0);
    say("serve: reloaded %s (was %s)", hm_pack_hash(now->k), hm_pack_hash(old->k));
    spack_release(old);
}

int server_run(const server_options *o)
{
    served.o = o;
    char err[8192] = "";
    if (o->config && access(o->config, R_OK) != 0) {
        say("serve: %s: %s", o->config, strerror(errno));
        return 2;
    }
    spack *p = spack_open(o->pack, err, sizeof err);
    if (!p) {
        say("serve: %s", err);
        return 2;
    }
    atomic_init(&served.current, p);
    if (o->access_log) {
        served.log_fd = !strcmp(o->access_log, "-") ? dup(STDOUT_FILENO)
                                               : open(o->access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (served.log_fd < 0) {
            say("serve: %s: %s", o->access_log, strerror(errno));
            spack_release(p);
            return 2;
        }
    }
    int port, fd = listen_on(o->listen, &port);
    if (fd < 0) {
        spack_release(p);
        if (served.log_fd >= 0)
            close(served.log_fd);
        return 2;
    }
    /* both languages answered; signals handled by this thread only */
    hm_i18n_prepare();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = o->threads > 0 ? (unsigned)o->threads : cores > 0 ? (unsigned)cores : 1;
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, handle, NULL,
                         MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
                         MHD_OPTION_CONNECTION_TIMEOUT, o->timeout, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                         MHD_OPTION_END);
    if (!d) {
        say("serve: cannot serve on %s", o->listen);
        close(fd);
        spack_release(p);
        return 2;
    }
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(strrchr(o->listen, ':') - o->listen), o->listen);
    say("serve: %s (%s, %d policies) on http://%s:%d/ with %u thread%s", o->pack, hm_pack_hash(p->k),
        hm_pack_policy_count(p->k), *host ? host : "127.0.0.1", port, threads, threads == 1 ? "" : "s");
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP)
            reload();
        else
            break;
    }
    say("serve: stopping");
    MHD_stop_daemon(d);
    close(fd);
    workers_visit(1);
    while (served.workers) {
        worker *w = served.workers;
        served.workers = w->next;
        pthread_mutex_destroy(&w->mu);
        free(w);
    }
    spack_release(atomic_load(&served.current));
    if (served.log_fd >= 0)
        close(served.log_fd);
    return 0;
}
