/* isolate.c -- see isolate.h.
 *
 * The wire: the host and the child take turns on one stream socket, each
 * value in the byte order of the machine (both ends are the same
 * program).  A request is an opcode and its arguments; the answer of
 * fetch is the status, the columns' value, known and as-of arrays as the
 * plugin left them, then the host calls it made, in order, ended by
 * EV_END; population sends households and persons as the plugin gives
 * them, then EV_END and the status. */
#include "idindex.h"
#include "isolate.h"
#include "mem.h"
#include "plugin.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { OP_OPEN = 1, OP_FIELDS, OP_POPULATION, OP_FETCH, OP_CLOSE, OP_IDENTITY };
enum { EV_END = 0, EV_TEXT, EV_RECORD, EV_KNOWN, EV_BAD, EV_HOUSEHOLD, EV_PERSON, EV_HOUSEHOLD_INT,
       EV_PERSON_INT };
enum { CH_OK = 0, CH_CLOSED, CH_TIMEOUT, CH_BAD };

#define NO_STR UINT32_MAX
#define MAX_STR (1u << 30)
#define FLUSH_AT (1024 * 1024)

/* ---- the channel ----------------------------------------------------------- */

typedef struct chan {
    int fd;                 /* -1: a buffer only, never sent */
    char *w;
    size_t wn, wcap;
    char r[65536];
    size_t rpos, rlen;
    int64_t deadline;       /* CLOCK_MONOTONIC ms; 0 none */
    int fail;               /* CH_*: once set, reads give zeros and writes nothing */
} chan;

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait until fd is ready for `events` or the deadline passes. */
static int ready(chan *c, short events)
{
    for (;;) {
        int wait = -1;
        if (c->deadline) {
            int64_t left = c->deadline - now_ms();
            if (left <= 0) {
                c->fail = CH_TIMEOUT;
                return -1;
            }
            wait = left > 60000 ? 60000 : (int)left;
        }
        struct pollfd p = { c->fd, events, 0 };
        int rc = poll(&p, 1, wait);
        if (rc > 0)
            return 0;
        if (rc < 0 && errno != EINTR) {
            c->fail = CH_CLOSED;
            return -1;
        }
    }
}

static void c_flush(chan *c)
{
    size_t off = 0;
    while (!c->fail && c->fd >= 0 && off < c->wn) {
        if (ready(c, POLLOUT))
            break;
        ssize_t k = send(c->fd, c->w + off, c->wn - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k > 0)
            off += (size_t)k;
        else if (k < 0 && errno != EINTR && errno != EAGAIN)
            c->fail = CH_CLOSED;
    }
    c->wn = 0;
}

static void c_put(chan *c, const void *p, size_t n)
{
    if (c->fail)
        return;
    if (c->wn + n > c->wcap) {
        size_t cap = c->wcap ? c->wcap : 4096;
        while (cap < c->wn + n)
            cap *= 2;
        char *w = mem_realloc(c->w, cap);
        if (!w) {
            c->fail = CH_BAD;
            return;
        }
        c->w = w;
        c->wcap = cap;
    }
    memcpy(c->w + c->wn, p, n);
    c->wn += n;
    if (c->fd >= 0 && c->wn >= FLUSH_AT)
        c_flush(c);
}

static void c_get(chan *c, void *dst, size_t n)
{
    char *d = dst;
    while (n && !c->fail) {
        if (c->rpos < c->rlen) {
            size_t k = c->rlen - c->rpos < n ? c->rlen - c->rpos : n;
            memcpy(d, c->r + c->rpos, k);
            c->rpos += k;
            d += k;
            n -= k;
            continue;
        }
        if (ready(c, POLLIN))
            break;
        /* a large array goes straight to its place */
        int direct = n >= sizeof c->r;
        ssize_t k = read(c->fd, direct ? d : c->r, direct ? n : sizeof c->r);
        if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN)) {
            c->fail = CH_CLOSED;
        } else if (k > 0 && direct) {
            d += k;
            n -= (size_t)k;
        } else if (k > 0) {
            c->rpos = 0;
            c->rlen = (size_t)k;
        }
    }
    if (n)
        memset(d, 0, n);
}

static void put_u8(chan *c, uint8_t v) { c_put(c, &v, 1); }
static void put_u32(chan *c, uint32_t v) { c_put(c, &v, 4); }
static void put_i32(chan *c, int32_t v) { c_put(c, &v, 4); }
static void put_i64(chan *c, int64_t v) { c_put(c, &v, 8); }

static void put_bytes(chan *c, const char *s, size_t len)
{
    if (len >= MAX_STR)
        len = MAX_STR - 1;     /* a text of a gigabyte is cut, not sent whole */
    put_u32(c, (uint32_t)len);
    c_put(c, s, len);
}

static void put_str(chan *c, const char *s)
{
    if (s)
        put_bytes(c, s, strlen(s));
    else
        put_u32(c, NO_STR);
}

static uint8_t get_u8(chan *c) { uint8_t v; c_get(c, &v, 1); return v; }
static uint32_t get_u32(chan *c) { uint32_t v; c_get(c, &v, 4); return v; }
static int32_t get_i32(chan *c) { int32_t v; c_get(c, &v, 4); return v; }
static int64_t get_i64(chan *c) { int64_t v; c_get(c, &v, 8); return v; }

/* A string into *buf (grown as needed); its length, or -1 for NULL or a
 * failure. */
static int64_t get_into(chan *c, char **buf, size_t *cap)
{
    uint32_t len = get_u32(c);
    if (c->fail || len == NO_STR)
        return -1;
    if (len >= MAX_STR) {
        c->fail = CH_BAD;
        return -1;
    }
    if ((size_t)len + 1 > *cap) {
        char *b = mem_realloc(*buf, (size_t)len + 1);
        if (!b) {
            c->fail = CH_BAD;
            return -1;
        }
        *buf = b;
        *cap = (size_t)len + 1;
    }
    c_get(c, *buf, len);
    (*buf)[len] = '\0';
    return c->fail ? -1 : (int64_t)len;
}

/* A new string (mem_free it), or NULL for NULL or a failure. */
static char *get_str(chan *c)
{
    char *s = NULL;
    size_t cap = 0;
    if (get_into(c, &s, &cap) < 0) {
        mem_free(s);
        return NULL;
    }
    return s;
}

/* ---- the child -------------------------------------------------------------- */

static chan *cc;        /* the child's channel: one thread */
static struct iso_proc *volatile child_self;   /* kept for LeakSanitizer */

typedef struct cfetch {
    uint32_t n, ncols;
    char **ids;
    int64_t *nums;      /* integer ids, else NULL */
    id_index index;
    int32_t *order;     /* the rows in the order the host listed them, or NULL */
    char **lids;        /* ids and nums in that order */
    int64_t *lnums;
    int32_t last;       /* the row found last */
    uint8_t **known;
    hm_out_column *out;
    chan ev;            /* the host calls, sent after the arrays */
} cfetch;

typedef struct cpop {
    const char *household, *person;
} cpop;

static int64_t ch_find(hm_fetch_ctx *ctx, const char *id, size_t len)
{
    cfetch *x = (cfetch *)ctx;
    return idx_find_near(&x->index, x->lids, x->lnums, x->order, (int32_t)x->n, &x->last, id, len);
}

static int64_t ch_find_int(hm_fetch_ctx *ctx, int64_t id)
{
    cfetch *x = (cfetch *)ctx;
    return idx_find_near_int(&x->index, x->lids, x->lnums, x->order, (int32_t)x->n, &x->last, id);
}

/* known[] as the host would leave it, so that a plugin reading it back
 * sees the same; the host's own verdict comes with the replay */
static void ch_mark(cfetch *x, uint32_t col, uint32_t row, int to, int only_from)
{
    if (col < x->ncols && row < x->n && (only_from < 0 || x->known[col][row] == only_from ||
                                         (only_from == 3 && x->known[col][row] != 2)))
        x->known[col][row] = (uint8_t)to;
}

static void ch_put_text(hm_fetch_ctx *ctx, uint32_t col, uint32_t row, const char *s, size_t len, int32_t as_of)
{
    cfetch *x = (cfetch *)ctx;
    put_u8(&x->ev, EV_TEXT);
    put_u32(&x->ev, col);
    put_u32(&x->ev, row);
    put_i32(&x->ev, as_of);
    put_bytes(&x->ev, s, len);
    ch_mark(x, col, row, 1, -1);
}

static int ch_put_record(hm_fetch_ctx *ctx, uint32_t col, uint32_t row, int32_t date, int64_t value)
{
    cfetch *x = (cfetch *)ctx;
    put_u8(&x->ev, EV_RECORD);
    put_u32(&x->ev, col);
    put_u32(&x->ev, row);
    put_i32(&x->ev, date);
    put_i64(&x->ev, value);
    ch_mark(x, col, row, 1, 3);
    return x->ev.fail ? -1 : 0;
}

static void ch_records_known(hm_fetch_ctx *ctx, uint32_t col, uint32_t row)
{
    cfetch *x = (cfetch *)ctx;
    put_u8(&x->ev, EV_KNOWN);
    put_u32(&x->ev, col);
    put_u32(&x->ev, row);
    ch_mark(x, col, row, 1, 0);
}

static void ch_bad_value(hm_fetch_ctx *ctx, uint32_t col, uint32_t row, const char *fmt, ...)
{
    cfetch *x = (cfetch *)ctx;
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    put_u8(&x->ev, EV_BAD);
    put_u32(&x->ev, col);
    put_u32(&x->ev, row);
    put_str(&x->ev, detail);
    ch_mark(x, col, row, 2, -1);
}

static int ch_add_household(hm_population_ctx *ctx, const char *id, size_t len)
{
    (void)ctx;
    put_u8(cc, EV_HOUSEHOLD);
    put_bytes(cc, id, len);
    return cc->fail ? -1 : 0;
}

static int ch_add_person(hm_population_ctx *ctx, const char *id, size_t len, const char *hh, size_t hlen)
{
    (void)ctx;
    put_u8(cc, EV_PERSON);
    put_bytes(cc, id, len);
    put_bytes(cc, hh, hlen);
    return cc->fail ? -1 : 0;
}

/* put_value in a fetch: as writing the arrays (population_fetch, the one
 * call that needs it otherwise, is not offered through the process) */
static void ch_put_value(hm_fetch_ctx *ctx, uint32_t col, uint32_t row, int64_t value, int32_t as_of)
{
    cfetch *x = (cfetch *)ctx;
    if (col < x->ncols && row < x->n && x->out[col].value && x->known[col][row] != 2) {
        x->out[col].value[row] = value;
        x->out[col].as_of[row] = as_of;
        x->known[col][row] = 1;
    }
}

static void ch_listed_column(hm_fetch_ctx *ctx, uint32_t col)
{
    (void)ctx, (void)col;
}

static int ch_add_household_int(hm_population_ctx *ctx, int64_t id)
{
    (void)ctx;
    put_u8(cc, EV_HOUSEHOLD_INT);
    put_i64(cc, id);
    return cc->fail ? -1 : 0;
}

static int ch_add_person_int(hm_population_ctx *ctx, int64_t id, int64_t household)
{
    (void)ctx;
    put_u8(cc, EV_PERSON_INT);
    put_i64(cc, id);
    put_i64(cc, household);
    return cc->fail ? -1 : 0;
}

static void ch_population_wanted(hm_population_ctx *ctx, const char **household, const char **person)
{
    cpop *p = (cpop *)ctx;
    *household = p->household;
    *person = p->person;
}

static const hm_host_api child_host = {
    .size = sizeof(hm_host_api),
    .abi_major = HM_PLUGIN_ABI_MAJOR,
    .abi_minor = HM_PLUGIN_ABI_MINOR,
    .alloc = mem_alloc,
    .free = mem_free,
    .set_error = host_set_error,   /* the same in either process */
    .find = ch_find,
    .put_text = ch_put_text,
    .put_record = ch_put_record,
    .records_known = ch_records_known,
    .bad_value = ch_bad_value,
    .add_household = ch_add_household,
    .add_person = ch_add_person,
    .population_wanted = ch_population_wanted,
    .add_household_int = ch_add_household_int,
    .add_person_int = ch_add_person_int,
    .find_int = ch_find_int,
    .put_value = ch_put_value,
    .listed_column = ch_listed_column,
};

static void reply(int rc, const hm_plugin_err *e)
{
    put_i32(cc, rc);
    put_str(cc, rc != HM_PLUGIN_OK && e->set ? e->msg : NULL);
}

static void child_fetch(const hm_source_desc *d, void *state, const hm_field_desc *fields, uint32_t nfields)
{
    cfetch x;
    memset(&x, 0, sizeof x);
    x.ev.fd = -1;
    uint8_t entity = get_u8(cc);
    int ints = get_u8(cc);
    x.last = -1;
    x.n = get_u32(cc);
    x.ids = mem_calloc((size_t)x.n + 1, sizeof *x.ids);
    size_t *at = mem_alloc(sizeof *at * ((size_t)x.n + 1));
    if (!x.ids || !at || idx_init(&x.index, x.n))
        _exit(3);
    if (ints) {
        if (!(x.nums = mem_alloc(sizeof *x.nums * ((size_t)x.n + 1))))
            _exit(3);
        c_get(cc, x.nums, sizeof *x.nums * x.n);
    }
    /* the ids in one block: as sent, or an integer's text for a plugin
     * from before ABI 1.3 */
    int text = !ints || d->abi_minor < 3;
    char *blob = NULL, num[IDX_INT_BUF];
    size_t used = 0, cap = 0;
    for (uint32_t i = 0; text && i < x.n && !cc->fail; i++) {
        uint32_t len = ints ? (uint32_t)strlen(idx_format_int(x.nums[i], num)) : get_u32(cc);
        if (len >= MAX_STR)
            _exit(3);
        if (used + len + 1 > cap) {
            cap = cap ? cap : 65536;
            while (used + len + 1 > cap)
                cap *= 2;
            if (!(blob = mem_realloc(blob, cap)))
                _exit(3);
        }
        if (ints)
            memcpy(blob + used, num, len);
        else
            c_get(cc, blob + used, len);
        blob[used + len] = '\0';
        at[i] = used;
        used += (size_t)len + 1;
    }
    for (uint32_t i = 0; text && i < x.n; i++)
        x.ids[i] = blob + at[i];
    mem_free(at);
    /* and the order the host listed them in */
    x.lids = x.ids;
    x.lnums = x.nums;
    if (get_u8(cc)) {
        x.order = mem_alloc(sizeof *x.order * ((size_t)x.n + 1));
        x.lids = mem_calloc((size_t)x.n + 1, sizeof *x.lids);
        x.lnums = ints ? mem_alloc(sizeof *x.lnums * ((size_t)x.n + 1)) : NULL;
        if (!x.order || !x.lids || (ints && !x.lnums))
            _exit(3);
        c_get(cc, x.order, sizeof *x.order * x.n);
        for (uint32_t p = 0; p < x.n && !cc->fail; p++) {
            if (x.order[p] < 0 || (uint32_t)x.order[p] >= x.n)
                _exit(3);
            x.lids[p] = x.ids[x.order[p]];
            if (ints)
                x.lnums[p] = x.nums[x.order[p]];
        }
    }
    /* the host's ids are unique: a repeated one (or row) is a broken stream */
    for (uint32_t i = 0; i < x.n && !cc->fail; i++)
        if ((ints ? idx_add_int(&x.index, x.lnums, (int32_t)i) : idx_add_text(&x.index, x.lids, (int32_t)i)) != -1)
            _exit(3);
    x.ncols = get_u32(cc);
    hm_out_column *out = x.out = mem_calloc((size_t)x.ncols + 1, sizeof *out);
    x.known = mem_calloc((size_t)x.ncols + 1, sizeof *x.known);
    if (!out || !x.known || cc->fail)
        _exit(3);
    for (uint32_t i = 0; i < x.ncols; i++) {
        uint32_t f = get_u32(cc);
        out[i].field = f < nfields ? &fields[f] : NULL;
        out[i].value = mem_calloc((size_t)x.n + 1, sizeof *out[i].value);
        out[i].known = x.known[i] = mem_calloc((size_t)x.n + 1, 1);
        out[i].as_of = mem_alloc(sizeof *out[i].as_of * ((size_t)x.n + 1));
        if (!out[i].value || !out[i].known || !out[i].as_of)
            _exit(3);
        for (uint32_t r = 0; r < x.n; r++)
            out[i].as_of[r] = HM_NO_DATE;
    }
    if (cc->fail)
        _exit(0);
    hm_fetch_req req = { sizeof req, entity, x.n, text ? (const char *const *)x.ids : NULL, x.ncols, out,
                         (hm_fetch_ctx *)&x, x.nums };
    hm_plugin_err e = { .set = 0 };
    int rc = d->fetch(state, &req, &e);
    reply(rc, &e);
    for (uint32_t i = 0; i < x.ncols; i++) {
        c_put(cc, out[i].value, sizeof *out[i].value * x.n);
        c_put(cc, out[i].known, x.n);
        c_put(cc, out[i].as_of, sizeof *out[i].as_of * x.n);
        mem_free(out[i].value);
        mem_free(out[i].known);
        mem_free(out[i].as_of);
    }
    if (x.ev.fail)
        _exit(3);
    c_put(cc, x.ev.w, x.ev.wn);
    put_u8(cc, EV_END);
    c_flush(cc);
    mem_free(blob);
    mem_free(x.ids);
    idx_free(&x.index);
    mem_free(x.nums);
    if (x.order) {
        mem_free(x.lids);
        mem_free(x.lnums);
    }
    mem_free(x.order);
    mem_free(x.known);
    mem_free(x.ev.w);
    mem_free(out);
}

static void child_main(chan *c, const char *path)
{
    cc = c;
    void *dl, *state = NULL;
    const hm_source_desc *d;
    char err[1024];
    hm_plugin_err e = { .set = 0 };
    int opened = 0;
    if (plugin_dlopen(path, &child_host, &dl, &d, err, sizeof err)) {
        put_i32(cc, -1);
        put_str(cc, err);
        c_flush(cc);
        _exit(0);
    }
    put_i32(cc, 0);
    put_u32(cc, d->abi_major);
    put_u32(cc, d->abi_minor);
    put_str(cc, d->name);
    put_str(cc, d->version);
    put_str(cc, d->description);
    put_u8(cc, d->population != NULL);
    put_u8(cc, plugin_desc_identity(d) != NULL);
    put_u32(cc, d->nexterns);
    for (uint32_t i = 0; i < d->nexterns; i++) {
        const hm_extern_desc *x = &d->externs[i];
        put_str(cc, x->name);
        put_str(cc, x->symbol);
        put_u8(cc, x->result);
        put_u8(cc, x->nparams);
        c_put(cc, x->params, sizeof x->params);
    }
    c_flush(cc);
    const hm_field_desc *fields = NULL;
    uint32_t nfields = 0;
    for (;;) {
        uint32_t op = get_u32(cc);
        if (cc->fail)
            _exit(0);   /* the host is gone */
        e.set = 0;
        switch (op) {
        case OP_OPEN: {
            hm_open_args a = { .size = sizeof a };
            a.source = get_str(cc);
            a.base_dir = get_str(cc);
            a.nsettings = get_u32(cc);
            hm_setting *st = mem_calloc((size_t)a.nsettings + 1, sizeof *st);
            if (!st || cc->fail)
                _exit(3);
            for (uint32_t i = 0; i < a.nsettings; i++) {
                st[i].key = get_str(cc);
                st[i].value = get_str(cc);
                st[i].line = get_i32(cc);
            }
            a.settings = st;
            int rc = d->open(&child_host, &a, &state, &e);
            opened = 1;
            reply(rc, &e);
            break;
        }
        case OP_FIELDS: {
            int rc = d->fields(state, &fields, &nfields, &e);
            reply(rc, &e);
            if (rc != HM_PLUGIN_OK)
                break;
            put_u32(cc, nfields);
            put_u8(cc, fields != NULL);
            for (uint32_t i = 0; fields && i < nfields; i++) {
                const hm_field_desc *f = &fields[i];
                uint8_t b[4] = { f->entity, f->type, f->period, f->records };
                c_put(cc, b, 4);
                put_str(cc, f->name);
                put_str(cc, f->code_set);
            }
            if (!fields)
                nfields = 0;
            break;
        }
        case OP_POPULATION: {
            cpop p;
            p.household = get_str(cc);
            p.person = get_str(cc);
            int rc = d->population ? d->population(state, (hm_population_ctx *)&p, &e) : HM_PLUGIN_ERROR;
            put_u8(cc, EV_END);
            reply(rc, &e);
            break;
        }
        case OP_FETCH:
            child_fetch(d, state, fields, nfields);
            break;
        case OP_IDENTITY: {
            const char *text = NULL;
            int rc = plugin_desc_identity(d) ? d->identity(state, &text, &e) : HM_PLUGIN_ERROR;
            reply(rc, &e);
            put_str(cc, rc == HM_PLUGIN_OK ? text : NULL);
            break;
        }
        case OP_CLOSE:
            if (opened)
                d->close(state);
            put_u32(cc, 0);
            c_flush(cc);
            _exit(0);
        default:
            _exit(3);
        }
        c_flush(cc);
    }
}

/* ---- the host's side -------------------------------------------------------- */

struct iso_proc {
    pid_t pid;
    chan c;
    int64_t timeout_ms;
    char *path;
    int ended;              /* the process is gone */
    char why[900];          /* and why, when it did not end by close */
    hm_source_desc desc;
    char *strs[3];          /* name, version, description */
    char *identity;         /* the last identity() answer */
    hm_extern_desc *externs;
    hm_field_desc *fields;
    uint32_t nfields;
    char *buf;              /* scratch for replayed text */
    size_t bufcap;
};

static void begin(iso_proc *s, uint32_t op)
{
    s->c.deadline = s->timeout_ms ? now_ms() + s->timeout_ms : 0;
    put_u32(&s->c, op);
}

static void duration(int64_t ms, char *buf, size_t n)
{
    if (ms % 3600000 == 0)
        snprintf(buf, n, "%lldh", (long long)(ms / 3600000));
    else if (ms % 60000 == 0)
        snprintf(buf, n, "%lldm", (long long)(ms / 60000));
    else if (ms % 1000 == 0)
        snprintf(buf, n, "%llds", (long long)(ms / 1000));
    else
        snprintf(buf, n, "%lldms", (long long)ms);
}

/* Reap the child: status in *st, 0; a child still running after the
 * grace period is killed. */
static void reap(iso_proc *s, int *st, int grace_ms)
{
    int64_t until = now_ms() + grace_ms;
    for (;;) {
        pid_t r = waitpid(s->pid, st, WNOHANG);
        if (r == s->pid || (r < 0 && errno != EINTR))
            return;
        if (now_ms() >= until) {
            kill(s->pid, SIGKILL);
            while (waitpid(s->pid, st, 0) < 0 && errno == EINTR)
                ;
            return;
        }
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}

/* The call failed on the channel: stop the process and say why. */
static void stop(iso_proc *s, const char *doing)
{
    if (s->ended)
        return;
    int st = 0, how = s->c.fail;
    if (how != CH_CLOSED)
        kill(s->pid, SIGKILL);
    reap(s, &st, 2000);
    close(s->c.fd);
    s->c.fd = -1;
    s->ended = 1;
    char t[32];
    int at = snprintf(s->why, sizeof s->why, "the process of plugin %s (isolate = process) ", s->path);
    size_t m = sizeof s->why - (size_t)at;
    if (how == CH_TIMEOUT) {
        duration(s->timeout_ms, t, sizeof t);
        snprintf(s->why + at, m, "did not answer within %s (timeout) while %s; it was stopped", t, doing);
    } else if (how == CH_BAD) {
        snprintf(s->why + at, m, "sent a malformed answer while %s; it was stopped", doing);
    } else if (WIFSIGNALED(st)) {
        snprintf(s->why + at, m, "was killed by signal %d (%s) while %s", WTERMSIG(st),
                 strsignal(WTERMSIG(st)), doing);
    } else if (WIFEXITED(st)) {
        snprintf(s->why + at, m, "exited with status %d while %s; a plugin must return its errors, "
                 "never exit", WEXITSTATUS(st), doing);
    } else {
        snprintf(s->why + at, m, "ended while %s", doing);
    }
}

static int fail(iso_proc *s, const char *doing, hm_plugin_err *err)
{
    stop(s, doing);
    snprintf(err->msg, sizeof err->msg, "%s", s->why);
    err->set = 1;
    return HM_PLUGIN_ERROR;
}

/* The status and message of an answer. */
static int answer(iso_proc *s, hm_plugin_err *err)
{
    int rc = get_i32(&s->c);
    char *msg = get_str(&s->c);
    if (msg) {
        snprintf(err->msg, sizeof err->msg, "%s", msg);
        err->set = 1;
        mem_free(msg);
    }
    return rc == HM_PLUGIN_OK ? HM_PLUGIN_OK : HM_PLUGIN_ERROR;
}

/* the descriptor's population says whether there is one; the host calls
 * iso_population */
static int no_population(void *state, hm_population_ctx *ctx, hm_plugin_err *err)
{
    (void)state, (void)ctx, (void)err;
    return HM_PLUGIN_ERROR;
}

static int no_identity(void *state, const char **text, hm_plugin_err *err)
{
    (void)state, (void)text, (void)err;
    return HM_PLUGIN_ERROR;
}

iso_proc *iso_start(const char *path, int64_t timeout_ms, char *err, size_t n)
{
    iso_proc *s = mem_calloc(1, sizeof *s);
    if (!s || !(s->path = mem_strdup(path))) {
        mem_free(s);
        snprintf(err, n, "out of memory");
        return NULL;
    }
    s->timeout_ms = timeout_ms;
    s->c.fd = -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
        snprintf(err, n, "plugin %s: cannot start its process: %s", path, strerror(errno));
        s->ended = 1;
        iso_free(s);
        return NULL;
    }
    /* large buffers, fewer turns: each turn waits for the other process
     * to be scheduled (the kernel caps them at net.core.[rw]mem_max) */
    int big = 4 << 20;
    for (int i = 0; i < 2; i++) {
        setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
        setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    }
    fflush(NULL);   /* or the child would write what is buffered again */
    pid_t parent = getpid();
    s->pid = fork();
    if (s->pid < 0) {
        snprintf(err, n, "plugin %s: cannot start its process: %s", path, strerror(errno));
        close(sv[0]);
        close(sv[1]);
        s->ended = 1;
        iso_free(s);
        return NULL;
    }
    if (s->pid == 0) {
        close(sv[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        /* nothing of huimin's but the standard streams; what the plugin
         * prints goes to stderr, never into huimin's output */
        if (sv[1] != 3 && dup2(sv[1], 3) < 0)
            _exit(3);
        close_range(4, ~0U, 0);
        dup2(2, 1);
        static chan c;
        c.fd = 3;
        child_self = s;   /* still reachable should the plugin exit() */
        child_main(&c, s->path);
        _exit(0);
    }
    close(sv[1]);
    s->c.fd = sv[0];
    s->c.deadline = timeout_ms ? now_ms() + timeout_ms : 0;
    hm_plugin_err e = { .set = 0 };
    if (get_i32(&s->c) != 0) {
        char *msg = get_str(&s->c);
        if (s->c.fail) {
            fail(s, "loading it", &e);
            snprintf(err, n, "%s", e.msg);
        } else {
            snprintf(err, n, "%s", msg ? msg : "cannot load");
        }
        mem_free(msg);
        iso_free(s);
        return NULL;
    }
    hm_source_desc *d = &s->desc;
    d->size = sizeof *d;
    d->abi_major = (uint16_t)get_u32(&s->c);
    d->abi_minor = (uint16_t)get_u32(&s->c);
    for (int i = 0; i < 3; i++)
        s->strs[i] = get_str(&s->c);
    d->name = s->strs[0];
    d->version = s->strs[1];
    d->description = s->strs[2];
    d->population = get_u8(&s->c) ? no_population : NULL;
    d->identity = get_u8(&s->c) ? no_identity : NULL;
    d->nexterns = get_u32(&s->c);
    if (!s->c.fail && d->nexterns > 65536)
        s->c.fail = CH_BAD;
    if (!s->c.fail && !(s->externs = mem_calloc((size_t)d->nexterns + 1, sizeof *s->externs)))
        s->c.fail = CH_BAD;
    for (uint32_t i = 0; i < d->nexterns && !s->c.fail; i++) {
        hm_extern_desc *x = &s->externs[i];
        x->name = get_str(&s->c);
        x->symbol = get_str(&s->c);
        x->result = get_u8(&s->c);
        x->nparams = get_u8(&s->c);
        c_get(&s->c, x->params, sizeof x->params);
    }
    d->externs = s->externs;
    if (s->c.fail || !d->name) {
        fail(s, "loading it", &e);
        snprintf(err, n, "%s", e.msg);
        iso_free(s);
        return NULL;
    }
    return s;
}

const hm_source_desc *iso_desc(iso_proc *s)
{
    return &s->desc;
}

int iso_open(iso_proc *s, const hm_open_args *a, hm_plugin_err *err)
{
    if (s->ended)
        return fail(s, "opening the source", err);
    begin(s, OP_OPEN);
    put_str(&s->c, a->source);
    put_str(&s->c, a->base_dir);
    put_u32(&s->c, a->nsettings);
    for (uint32_t i = 0; i < a->nsettings; i++) {
        put_str(&s->c, a->settings[i].key);
        put_str(&s->c, a->settings[i].value);
        put_i32(&s->c, a->settings[i].line);
    }
    c_flush(&s->c);
    int rc = answer(s, err);
    return s->c.fail ? fail(s, "opening the source", err) : rc;
}

int iso_fields(iso_proc *s, const hm_field_desc **fields, uint32_t *n, hm_plugin_err *err)
{
    if (s->ended)
        return fail(s, "listing its fields", err);
    begin(s, OP_FIELDS);
    c_flush(&s->c);
    if (answer(s, err) != HM_PLUGIN_OK)
        return s->c.fail ? fail(s, "listing its fields", err) : HM_PLUGIN_ERROR;
    uint32_t nf = get_u32(&s->c);
    int list = get_u8(&s->c);
    if (!s->c.fail && nf > (1u << 20))
        s->c.fail = CH_BAD;
    if (!s->c.fail && list && !(s->fields = mem_calloc((size_t)nf + 1, sizeof *s->fields)))
        s->c.fail = CH_BAD;
    for (uint32_t i = 0; list && i < nf && !s->c.fail; i++) {
        hm_field_desc *f = &s->fields[i];
        uint8_t b[4];
        c_get(&s->c, b, 4);
        *f = (hm_field_desc){ b[0], b[1], b[2], b[3], NULL, NULL };
        f->name = get_str(&s->c);
        f->code_set = get_str(&s->c);
        s->nfields = i + 1;
    }
    if (s->c.fail)
        return fail(s, "listing its fields", err);
    *fields = s->fields;
    *n = nf;
    return HM_PLUGIN_OK;
}

int iso_population(iso_proc *s, hm_population_ctx *ctx, hm_plugin_err *err)
{
    if (s->ended)
        return fail(s, "listing the population", err);
    const char *h = NULL, *p = NULL;
    hm_host.population_wanted(ctx, &h, &p);
    begin(s, OP_POPULATION);
    put_str(&s->c, h);
    put_str(&s->c, p);
    c_flush(&s->c);
    char *hh = NULL;
    size_t hcap = 0;
    int stopped = 0;
    for (;;) {
        uint8_t ev = get_u8(&s->c);
        if (s->c.fail || ev == EV_END)
            break;
        if (ev == EV_HOUSEHOLD_INT || ev == EV_PERSON_INT) {
            int64_t id = get_i64(&s->c), hid = ev == EV_PERSON_INT ? get_i64(&s->c) : 0;
            if (!s->c.fail && !stopped &&
                (ev == EV_PERSON_INT ? hm_host.add_person_int(ctx, id, hid) : hm_host.add_household_int(ctx, id)))
                stopped = 1;
            continue;
        }
        int64_t len = get_into(&s->c, &s->buf, &s->bufcap);
        if (ev == EV_HOUSEHOLD && len >= 0) {
            if (!stopped && hm_host.add_household(ctx, s->buf, (size_t)len))
                stopped = 1;   /* the reason is kept in ctx; the rest is read and dropped */
        } else if (ev == EV_PERSON && len >= 0) {
            int64_t hlen = get_into(&s->c, &hh, &hcap);
            if (hlen >= 0 && !stopped && hm_host.add_person(ctx, s->buf, (size_t)len, hh, (size_t)hlen))
                stopped = 1;
        } else if (!s->c.fail) {
            s->c.fail = CH_BAD;
        }
    }
    mem_free(hh);
    int rc = answer(s, err);
    return s->c.fail ? fail(s, "listing the population", err) : rc;
}

int iso_fetch(iso_proc *s, hm_fetch_req *req, hm_plugin_err *err)
{
    const char *doing = req->entity == HM_HOUSEHOLD ? "fetching household facts" : "fetching person facts";
    if (s->ended)
        return fail(s, doing, err);
    begin(s, OP_FETCH);
    put_u8(&s->c, req->entity);
    put_u8(&s->c, req->ids_int != NULL);
    put_u32(&s->c, req->n);
    if (req->ids_int)
        c_put(&s->c, req->ids_int, sizeof *req->ids_int * req->n);
    for (uint32_t i = 0; !req->ids_int && i < req->n; i++)
        put_str(&s->c, req->ids[i]);
    const int32_t *order = load_fetch_order(req->ctx);
    put_u8(&s->c, order != NULL);
    if (order)
        c_put(&s->c, order, sizeof *order * req->n);
    put_u32(&s->c, req->ncols);
    for (uint32_t i = 0; i < req->ncols; i++) {
        const hm_field_desc *f = req->cols[i].field;
        put_u32(&s->c, f && s->fields && f >= s->fields && f < s->fields + s->nfields
                           ? (uint32_t)(f - s->fields) : UINT32_MAX);
    }
    c_flush(&s->c);
    int rc = answer(s, err);
    for (uint32_t i = 0; i < req->ncols; i++) {
        hm_out_column *o = &req->cols[i];
        c_get(&s->c, o->value, sizeof *o->value * req->n);
        c_get(&s->c, o->known, req->n);
        c_get(&s->c, o->as_of, sizeof *o->as_of * req->n);
    }
    for (;;) {
        uint8_t ev = get_u8(&s->c);
        if (s->c.fail || ev == EV_END)
            break;
        uint32_t col = get_u32(&s->c), row = get_u32(&s->c);
        if (ev == EV_TEXT) {
            int32_t as_of = get_i32(&s->c);
            int64_t len = get_into(&s->c, &s->buf, &s->bufcap);
            if (len >= 0)
                hm_host.put_text(req->ctx, col, row, s->buf, (size_t)len, as_of);
        } else if (ev == EV_RECORD) {
            int32_t date = get_i32(&s->c);
            int64_t v = get_i64(&s->c);
            if (!s->c.fail)
                hm_host.put_record(req->ctx, col, row, date, v);
        } else if (ev == EV_KNOWN) {
            if (!s->c.fail)
                hm_host.records_known(req->ctx, col, row);
        } else if (ev == EV_BAD) {
            if (get_into(&s->c, &s->buf, &s->bufcap) >= 0)
                hm_host.bad_value(req->ctx, col, row, "%s", s->buf);
        } else if (!s->c.fail) {
            s->c.fail = CH_BAD;
        }
    }
    return s->c.fail ? fail(s, doing, err) : rc;
}

int iso_identity(iso_proc *s, const char **text, hm_plugin_err *err)
{
    *text = NULL;
    if (s->ended)
        return fail(s, "saying what the source is", err);
    begin(s, OP_IDENTITY);
    c_flush(&s->c);
    int rc = answer(s, err);
    char *t = get_str(&s->c);
    if (s->c.fail) {
        mem_free(t);
        return fail(s, "saying what the source is", err);
    }
    mem_free(s->identity);
    s->identity = t;
    *text = t;
    return rc;
}

int iso_close(iso_proc *s, char *err, size_t n)
{
    if (s->ended)
        return 0;
    begin(s, OP_CLOSE);
    c_flush(&s->c);
    get_u32(&s->c);
    if (s->c.fail) {
        hm_plugin_err e;
        fail(s, "closing the source", &e);
        snprintf(err, n, "%s", e.msg);
        return -1;
    }
    int st;
    reap(s, &st, 2000);
    close(s->c.fd);
    s->c.fd = -1;
    s->ended = 1;
    return 0;
}

void iso_free(iso_proc *s)
{
    if (!s)
        return;
    if (!s->ended && s->pid > 0) {
        int st;
        kill(s->pid, SIGKILL);
        reap(s, &st, 0);
    }
    if (s->c.fd >= 0)
        close(s->c.fd);
    for (int i = 0; i < 3; i++)
        mem_free(s->strs[i]);
    mem_free(s->identity);
    for (uint32_t i = 0; s->externs && i < s->desc.nexterns; i++) {
        mem_free((char *)s->externs[i].name);
        mem_free((char *)s->externs[i].symbol);
    }
    mem_free(s->externs);
    for (uint32_t i = 0; i < s->nfields; i++) {
        mem_free((char *)s->fields[i].name);
        mem_free((char *)s->fields[i].code_set);
    }
    mem_free(s->fields);
    mem_free(s->buf);
    mem_free(s->c.w);
    mem_free(s->path);
    mem_free(s);
}
