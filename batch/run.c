/* run.c -- `huimin run POLICIES --config FILE --out RESULTS.db`: every
 * household of the population, in three phases timed separately:
 *
 *   load      plugins fill the fact store, column by column (load.c)
 *   evaluate  households split across threads in chunks; each thread has
 *             its own VM; decisions go into flat arrays (13 bytes each).
 *             The calling thread writes each finished chunk meanwhile.
 *   write     what is left to write once the last chunk is evaluated: the
 *             counts, the data issues, the commit
 *
 * Everything is written in one transaction (results.c): a run killed at
 * any point leaves the results database as it was. */
#include "huimin.h"
#include "frontend.h"
#include "calendar.h"
#include "configfile.h"
#include "pack.h"
#include "plugin.h"
#include "load.h"
#include "one.h"
#include "mask.h"
#include "mem.h"
#include "thread.h"
#include "module.h"
#include "results.h"
#include "cluster.h"
#include "run.h"
#include "vm.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 512   /* households a thread takes at a time */

_Static_assert((int)HM_ELIGIBLE == (int)DEC_ELIGIBLE && (int)HM_NOT_ELIGIBLE == (int)DEC_NOT_ELIGIBLE &&
               (int)HM_UNDETERMINED == (int)DEC_UNDETERMINED && (int)HM_NOT_APPLICABLE == (int)DEC_NOT_APPLICABLE,
               "decision statuses");
_Static_assert((int)HM_ISSUE_BAD_VALUE == (int)ISSUE_BAD_VALUE && (int)HM_ISSUE_UNKNOWN_CODE ==
               (int)ISSUE_UNKNOWN_CODE && (int)HM_ISSUE_CONFLICT == (int)ISSUE_CONFLICT, "data issue kinds");
#define POOL_BLOCK (1 << 20)

/* The filled messages of one thread's decisions (--reasons): the decision
 * slot and the text, kept in large blocks that never move. */
typedef struct slot_msg {
    size_t slot;
    const char *text;
} slot_msg;

typedef struct msg_pool {
    slot_msg *v;
    size_t n, cap;
    char **blocks;
    size_t nblocks, capblocks, used, size;   /* used of the last block, of size */
} msg_pool;

/* reason numbers (run_reasons): conditions, then exclusions, then
 * exceptions, then a runtime error */
typedef struct decisions {
    int32_t nhp, npp;           /* household and person policies */
    int32_t *hpol, *ppol;       /* their program indexes */
    int32_t ncp, *cpol;         /* claim policies, their program indexes */
    size_t *coff;               /* per claim policy: the slot of its list's first record */
    int32_t *crows;             /* per claim policy: the records of its list */
    uint8_t *status;            /* households × nhp, then persons × npp, then each claim
                                   policy's records (coff) */
    int64_t *amount;
    int32_t *reason;            /* NULL: the run stores no reasons */
    int kleene;                 /* 1: do not settle (hm_run_options.kleene) */
    uint8_t *has_amount;
    msg_pool *pools;            /* one per thread, with reasons; else NULL */
    int64_t *errors;            /* per thread × program policy: runtime errors */
    int threads;
    int store_all;              /* every decision stored, not only the answers */
    uint8_t *mark;              /* NULL, or per household then person: MARK_* */
} decisions;

/* The policies of pass 0 (households), 1 (persons) or 2 (claims). */
static int32_t npass(const decisions *D, int pass)
{
    return pass == 0 ? D->nhp : pass == 1 ? D->npp : D->ncp;
}

static int32_t pol_of(const decisions *D, int pass, int32_t k)
{
    return pass == 0 ? D->hpol[k] : pass == 1 ? D->ppol[k] : D->cpol[k];
}

/* The list of records whose records claim policy pol decides. */
static const hm_rcolumn *claims_of(const hm_program *p, const hm_facts *f, int32_t pol)
{
    return &f->rcol[p->fields[p->policies[pol].claims].column];
}

/* what is stored of an entity besides its answers */
enum { MARK_ENTITY = 1, MARK_ALL = 2 };   /* its row (a data issue names it); every decision */

/* The chunks of households the evaluators finished, in that order, for
 * the writer.  It has room for every chunk: an evaluator never waits for
 * the writer, nor for SQLite. */
typedef struct chunk {
    int32_t start;
    slot_msg *msgs;             /* its messages (--reasons), by slot; owned */
    size_t nmsgs;
} chunk;

typedef struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_cond_t room;        /* a chunk was written: an evaluator held back goes on */
    chunk *v;
    int32_t pushed, popped;
    int32_t ahead;              /* chunks evaluated but not yet written before an evaluator
                                   waits (0: no limit); a slow writer (a database's own
                                   thread) then has a core to itself */
    int running;                /* evaluators not finished */
    double done_at;             /* when the last one finished */
    _Atomic int stop;           /* the writer failed: the evaluators stop */
} queue;

typedef struct worker {
    pthread_t th;
    const hm_program *p;
    hm_load *L;
    decisions *D;
    queue *q;
    int index;                  /* into D->pools and D->errors */
    _Atomic int32_t *next;
    _Atomic int64_t *done;
    int oom;
} worker;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int32_t reason_of(const hm_program *p, const hm_decision *d)
{
    if (d->status == DEC_UNDETERMINED)
        return d->error >= 2 ? 3 + p->nconds + p->npolicies + p->nexcs + (d->error - 2)
             : d->error ? 1 + p->nconds + p->npolicies + p->nexcs : 0;
    if (d->status == DEC_ELIGIBLE || d->status == DEC_NOT_APPLICABLE)
        return 0;
    if (d->excluded_by >= 0)
        return 1 + p->nconds + d->excluded_by;
    if (d->exception >= 0)
        return 1 + p->nconds + p->npolicies + d->exception;
    if (d->failed_cond >= 0)
        return 1 + d->failed_cond;
    /* decided whatever the value of facts not known, failing where they lead */
    return d->settled ? 2 + p->nconds + p->npolicies + p->nexcs : 0;
}

/* A copy of text in the pool, for slot.  -1 when out of memory. */
static int pool_add(msg_pool *m, size_t slot, const char *text)
{
    size_t len = strlen(text) + 1;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        slot_msg *v = mem_realloc(m->v, cap * sizeof *v);
        if (!v)
            return -1;
        m->v = v;
        m->cap = cap;
    }
    if (!m->nblocks || m->used + len > m->size) {
        if (m->nblocks == m->capblocks) {
            size_t cap = m->capblocks ? m->capblocks * 2 : 16;
            char **b = mem_realloc(m->blocks, cap * sizeof *b);
            if (!b)
                return -1;
            m->blocks = b;
            m->capblocks = cap;
        }
        size_t size = len > POOL_BLOCK ? len : POOL_BLOCK;
        if (!(m->blocks[m->nblocks] = mem_alloc(size)))
            return -1;
        m->nblocks++;
        m->used = 0;
        m->size = size;
    }
    char *at = m->blocks[m->nblocks - 1] + m->used;
    memcpy(at, text, len);
    m->used += len;
    m->v[m->n++] = (slot_msg){ slot, at };
    return 0;
}

static void pool_free(msg_pool *m)
{
    for (size_t i = 0; i < m->nblocks; i++)
        mem_free(m->blocks[i]);
    mem_free(m->blocks);
    mem_free(m->v);
}

/* The decision in slot; with reasons, the failed condition's message
 * with its placeholders filled as `run --given` shows it, or the runtime
 * error, while the VM still holds the values.  -1 when out of memory. */
static int store(hm_vm *vm, const hm_program *p, decisions *D, worker *w, size_t slot, int32_t policy,
                 int32_t member, const hm_decision *d)
{
    D->status[slot] = (uint8_t)d->status;
    D->has_amount[slot] = d->status == DEC_ELIGIBLE && d->has_amount;
    D->amount[slot] = d->amount;
    if (d->status == DEC_UNDETERMINED && d->error)
        D->errors[(size_t)w->index * (size_t)p->npolicies + (size_t)policy]++;
    if (!D->reason)
        return 0;
    D->reason[slot] = reason_of(p, d);
    if (d->status == DEC_NOT_ELIGIBLE && d->failed_cond >= 0 && p->conds[d->failed_cond].msg >= 0) {
        const char *tmpl = prog_str(p, p->conds[d->failed_cond].msg);
        char buf[4096];
        if (!*tmpl)
            return 0;
        if (strlen(vm_fill_message(vm, policy, member, tmpl, buf, sizeof buf)) + 1 < sizeof buf)
            return pool_add(&D->pools[w->index], slot, buf);
        /* a message that filled the buffer may have been cut: again, larger */
        for (size_t n = 2 * sizeof buf;; n *= 2) {
            char *big = mem_alloc(n);
            if (!big)
                return -1;
            if (strlen(vm_fill_message(vm, policy, member, tmpl, big, n)) + 1 < n) {
                int rc = pool_add(&D->pools[w->index], slot, big);
                mem_free(big);
                return rc;
            }
            mem_free(big);
        }
    }
    if (d->status == DEC_UNDETERMINED && d->error)
        return pool_add(&D->pools[w->index], slot, vm_error(vm));
    return 0;
}

static int by_slot(const void *a, const void *b)
{
    size_t x = ((const slot_msg *)a)->slot, y = ((const slot_msg *)b)->slot;
    return x < y ? -1 : x > y;
}

/* Hand the chunk from start to the writer, with the messages its
 * decisions added to the thread's pool (their texts stay in the pool's
 * blocks).  -1 when out of memory. */
static int push_chunk(worker *w, int32_t start)
{
    msg_pool *m = w->D->pools ? &w->D->pools[w->index] : NULL;
    chunk c = { start, NULL, 0 };
    if (m && m->n) {
        if (!(c.msgs = mem_alloc(m->n * sizeof *c.msgs)))
            return -1;
        memcpy(c.msgs, m->v, m->n * sizeof *c.msgs);
        c.nmsgs = m->n;
        m->n = 0;
        qsort(c.msgs, c.nmsgs, sizeof *c.msgs, by_slot);
    }
    queue *q = w->q;
    pthread_mutex_lock(&q->mu);
    q->v[q->pushed++] = c;
    pthread_cond_signal(&q->cv);
    while (q->ahead && q->pushed - q->popped > q->ahead && !atomic_load(&q->stop))
        pthread_cond_wait(&q->room, &q->mu);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

static void *work(void *arg)
{
    worker *w = arg;
    const hm_program *p = w->p;
    const hm_facts *f = &w->L->facts;
    decisions *D = w->D;
    hm_vm *vm = vm_new(p);
    if (!vm) {
        w->oom = 1;
        return NULL;
    }
    vm_bind(vm, f, w->L->as_of);
    vm_bind_externs(vm, w->L->externs);
    vm_set_settle(vm, !D->kleene);
    size_t pbase = (size_t)f->nhouse * (size_t)D->nhp;
    for (;;) {
        int32_t start = atomic_fetch_add(w->next, CHUNK);
        if (start >= f->nhouse || atomic_load(&w->q->stop))
            break;
        int32_t end = start + CHUNK < f->nhouse ? start + CHUNK : f->nhouse;
        for (int32_t h = start; h < end; h++) {
            if (vm_begin_household(vm, h) < 0) {
                w->oom = 1;
                goto out;
            }
            int bad = 0;
            for (int32_t k = 0; k < D->nhp; k++)
                bad |= store(vm, p, D, w, (size_t)h * (size_t)D->nhp + (size_t)k, D->hpol[k], -1,
                             vm_decide(vm, D->hpol[k], -1));
            for (int32_t m = 0; m < f->hh_count[h]; m++)
                for (int32_t k = 0; k < D->npp; k++)
                    bad |= store(vm, p, D, w, pbase + (size_t)(f->hh_first[h] + m) * (size_t)D->npp + (size_t)k,
                                 D->ppol[k], m, vm_decide(vm, D->ppol[k], m));
            /* each claim of each member */
            for (int32_t m = 0; m < f->hh_count[h]; m++)
                for (int32_t k = 0; k < D->ncp; k++) {
                    size_t first = D->coff[k] + (size_t)claims_of(p, f, D->cpol[k])->first[f->hh_first[h] + m];
                    for (int32_t i = 0; i < vm_claims(vm, D->cpol[k], m); i++)
                        bad |= store(vm, p, D, w, first + (size_t)i, D->cpol[k], m,
                                     vm_decide_claim(vm, D->cpol[k], m, i));
                }
            if (bad) {
                w->oom = 1;
                goto out;
            }
        }
        if (push_chunk(w, start)) {
            w->oom = 1;
            goto out;
        }
        atomic_fetch_add(w->done, end - start);
    }
out:
    vm_free(vm);
    pthread_mutex_lock(&w->q->mu);
    if (w->oom)
        atomic_store(&w->q->stop, 1);
    if (--w->q->running == 0)
        w->q->done_at = now_s();
    pthread_cond_signal(&w->q->cv);
    pthread_mutex_unlock(&w->q->mu);
    return NULL;
}

static void progress(FILE *tty, const char *what, int64_t done, int64_t total, double t0)
{
    if (!tty)
        return;
    int width = 30, fill = total ? (int)(done * width / total) : width;
    fprintf(tty, "\r%-9s [", what);
    for (int i = 0; i < width; i++)
        fputc(i < fill ? '#' : ' ', tty);
    fprintf(tty, "] %3d%%  %lld/%lld  %.1f s ", total ? (int)(done * 100 / total) : 100,
            (long long)done, (long long)total, now_s() - t0);
    fflush(tty);
}

/* the file a condition was written in */
static const char *cond_file(const hm_program *p, int32_t c)
{
    const hm_condnode *n = &p->conds[c];
    if (n->fn >= 0 && n->fn < p->nfns)
        return prog_str(p, p->fns[n->fn].file);
    /* a group (any, all) has no function of its own: its policy's file */
    for (int32_t i = 0; i < p->npolicies; i++) {
        const hm_policy *P = &p->policies[i];
        if (P->cond >= 0 && P->cond < p->nconds && c >= P->cond && c < P->cond + p->conds[P->cond].size)
            return prog_str(p, P->file);
    }
    return "";
}

static int write_reasons(results *R, const hm_program *p, const hm_load *L)
{
    char text[1024];
    for (int32_t c = 0; c < p->nconds; c++) {
        const hm_condnode *n = &p->conds[c];
        const char *msg = n->msg >= 0 ? prog_str(p, n->msg) : "";
        const char *file = cond_file(p, c);
        const char *base = strrchr(file, '/');
        /* "dibao.pol:41: not met: 家庭人均月收入 {人均收入} 元…低于…" */
        snprintf(text, sizeof text, "%s:%d: not met%s%s", base ? base + 1 : file, n->line, *msg ? ": " : "",
                 msg);
        if (results_reason(R, 1 + c, text))
            return -1;
    }
    for (int32_t i = 0; i < p->npolicies; i++) {
        snprintf(text, sizeof text, "excluded by %s (%s)", prog_str(p, p->policies[i].name),
                 prog_str(p, p->policies[i].label));
        if (results_reason(R, 1 + p->nconds + i, text))
            return -1;
    }
    for (int32_t i = 0; i < p->nexcs; i++) {
        const char *msg = p->excs[i].msg >= 0 ? prog_str(p, p->excs[i].msg) : "";
        snprintf(text, sizeof text, "exception at line %d%s%s", p->excs[i].line, *msg ? ": " : "", msg);
        if (results_reason(R, 1 + p->nconds + p->npolicies + i, text))
            return -1;
    }
    if (results_reason(R, 1 + p->nconds + p->npolicies + p->nexcs,
                       "a runtime error (division by zero or overflow) left it undetermined"))
        return -1;
    if (results_reason(R, 2 + p->nconds + p->npolicies + p->nexcs,
                       "not met whatever the value of the facts not known, by a condition that depends on them"))
        return -1;
    /* an extern function's error is its own, not an arithmetic one */
    for (int32_t i = 0; i < p->nexterns; i++) {
        const hm_extern *x = &p->externs[i];
        const char *plugin = externs_plugin(L->ffi, i);
        snprintf(text, sizeof text, "extern function %s (source %s, plugin %s) returned an error, which left it "
                 "undetermined", prog_str(p, x->name), x->source >= 0 ? prog_str(p, x->source) : "any",
                 plugin ? plugin : "none");
        if (results_reason(R, 3 + p->nconds + p->npolicies + p->nexcs + i, text))
            return -1;
    }
    return 0;
}

/* The missing facts of the decision in `slot`, for an undetermined one
 * not caused by a runtime error, or NULL. */
static const char *missing_of(const hm_program *p, const hm_facts *f, const decisions *D, size_t slot,
                              int32_t policy, int32_t hh, int32_t member, char *buf, size_t n)
{
    if (!D->reason || D->status[slot] != DEC_UNDETERMINED || D->reason[slot])
        return NULL;
    facts_missing(p, f, &p->policies[policy], hh, member, buf, n);
    return buf[0] ? buf : NULL;
}

static const char *message_of(const chunk *c, size_t slot)
{
    slot_msg key = { slot, NULL };
    const slot_msg *m = c->nmsgs ? bsearch(&key, c->msgs, c->nmsgs, sizeof key, by_slot) : NULL;
    return m ? m->text : NULL;
}

/* Is the decision in slot stored, for an entity marked mark? */
static int stored(const decisions *D, size_t slot, uint8_t mark)
{
    return D->store_all || (D->status[slot] != DEC_NOT_ELIGIBLE && D->status[slot] != DEC_NOT_APPLICABLE) ||
           (mark & MARK_ALL);
}

/* The run's policies and reasons, before its decisions. */
static int write_head(results *R, const hm_program *p, const hm_load *L, const decisions *D)
{
    for (int pass = 0; pass < 3; pass++)
        for (int32_t k = 0; k < npass(D, pass); k++) {
            const hm_policy *P = &p->policies[pol_of(D, pass, k)];
            if (results_policy(R, pol_of(D, pass, k), prog_str(p, P->name), prog_str(p, P->label), pass,
                               P->period))
                return -1;
        }
    return D->reason ? write_reasons(R, p, L) : 0;
}

/* entities: households 0 … nh-1, persons nh … */
static int write_entity(results *R, const hm_load *L, int person, int32_t i, int32_t household)
{
    int64_t v;
    char idb[LOAD_ID_BUF];
    int num = load_id_int(L, person, i, &v);
    return results_entity(R, person ? (int64_t)L->facts.nhouse + i : i, person, num ? NULL : load_id(L, person, i, idb),
                          v, household);
}

/* Is a decision of one of person's claims stored? */
static int claim_stored(const hm_program *p, const hm_facts *f, const decisions *D, int32_t person, uint8_t mark)
{
    for (int32_t k = 0; k < D->ncp; k++) {
        const hm_rcolumn *rc = claims_of(p, f, D->cpol[k]);
        for (int32_t i = 0; rc->state[person] == FACT_KNOWN && i < rc->count[person]; i++)
            if (stored(D, D->coff[k] + (size_t)rc->first[person] + (size_t)i, mark))
                return 1;
    }
    return 0;
}

/* The stored decisions of the households of chunk c, and the entities
 * they concern (a household with its person's). */
static int write_chunk(results *R, const hm_program *p, const hm_load *L, const decisions *D, const chunk *c)
{
    const hm_facts *f = &L->facts;
    char miss[512];
    size_t pbase = (size_t)f->nhouse * (size_t)D->nhp;
    int32_t end = c->start + CHUNK < f->nhouse ? c->start + CHUNK : f->nhouse;
    for (int32_t h = c->start; h < end; h++) {
        uint8_t hmark = D->mark ? D->mark[h] : 0;
        int any = hmark & MARK_ENTITY;
        size_t hs = (size_t)h * (size_t)D->nhp, first = pbase + (size_t)f->hh_first[h] * (size_t)D->npp;
        for (int32_t k = 0; !any && k < D->nhp; k++)
            any = stored(D, hs + (size_t)k, hmark);
        for (int32_t mb = 0; !any && mb < f->hh_count[h]; mb++) {
            uint8_t pmark = D->mark ? D->mark[f->nhouse + f->hh_first[h] + mb] : 0;
            any = pmark & MARK_ENTITY;
            for (int32_t k = 0; !any && k < D->npp; k++)
                any = stored(D, first + (size_t)mb * (size_t)D->npp + (size_t)k, pmark);
            any = any || claim_stored(p, f, D, f->hh_first[h] + mb, pmark);
        }
        if (!any)
            continue;
        if (write_entity(R, L, 0, h, -1))
            return -1;
        for (int32_t k = 0; k < D->nhp; k++) {
            size_t s = hs + (size_t)k;
            if (!stored(D, s, hmark))
                continue;
            const char *m = missing_of(p, f, D, s, D->hpol[k], h, -1, miss, sizeof miss);
            if (results_decision(R, h, D->hpol[k], D->status[s], D->has_amount[s], D->amount[s],
                                 D->reason ? D->reason[s] : 0, m, message_of(c, s)))
                return -1;
        }
        for (int32_t mb = 0; mb < f->hh_count[h]; mb++) {
            int32_t person = f->hh_first[h] + mb;
            uint8_t pmark = D->mark ? D->mark[f->nhouse + person] : 0;
            size_t ps = pbase + (size_t)person * (size_t)D->npp;
            int pany = pmark & MARK_ENTITY;
            for (int32_t k = 0; !pany && k < D->npp; k++)
                pany = stored(D, ps + (size_t)k, pmark);
            pany = pany || claim_stored(p, f, D, person, pmark);
            if (!pany)
                continue;
            if (write_entity(R, L, 1, person, h))
                return -1;
            for (int32_t k = 0; k < D->npp; k++) {
                size_t s = ps + (size_t)k;
                if (!stored(D, s, pmark))
                    continue;
                const char *m = missing_of(p, f, D, s, D->ppol[k], h, mb, miss, sizeof miss);
                if (results_decision(R, (int64_t)f->nhouse + person, D->ppol[k], D->status[s],
                                     D->has_amount[s], D->amount[s], D->reason ? D->reason[s] : 0, m,
                                     message_of(c, s)))
                    return -1;
            }
            for (int32_t k = 0; k < D->ncp; k++) {
                const hm_rcolumn *rc = claims_of(p, f, D->cpol[k]);
                for (int32_t i = 0; rc->state[person] == FACT_KNOWN && i < rc->count[person]; i++) {
                    size_t s = D->coff[k] + (size_t)rc->first[person] + (size_t)i;
                    if (!stored(D, s, pmark))
                        continue;
                    const char *m = missing_of(p, f, D, s, D->cpol[k], h, mb, miss, sizeof miss);
                    if (results_claim_decision(R, (int64_t)f->nhouse + person, D->cpol[k], i + 1, D->status[s],
                                               D->has_amount[s], D->amount[s], D->reason ? D->reason[s] : 0, m,
                                               message_of(c, s)))
                        return -1;
                }
            }
        }
    }
    return 0;
}

/* Evaluate on `threads` threads while this one writes each chunk they
 * finish.  0; -1 when out of memory (err empty) or when the write failed
 * (R->err).  *eval_done: when the evaluation ended. */
static int evaluate(results *R, const hm_program *p, hm_load *L, decisions *D, int threads, FILE *tty,
                    double *eval_done, int here)
{
    _Atomic int32_t next = 0;
    _Atomic int64_t done = 0;
    int32_t nchunks = L->facts.nhouse / CHUNK + 1;
    queue q = { .v = mem_calloc((size_t)nchunks, sizeof *q.v), .running = threads };
    worker *w = mem_calloc((size_t)threads, sizeof *w);
    if (!w || !q.v) {
        mem_free(w);
        mem_free(q.v);
        return -1;
    }
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.cv, NULL);
    pthread_cond_init(&q.room, NULL);
    int started = 0, rc = 0;
    /* held until the threads not started are no longer waited for */
    pthread_mutex_lock(&q.mu);
    /* here: no thread at all, this one evaluates everything first */
    for (int i = 0; i < threads && !here; i++) {
        w[i] = (worker){ .p = p, .L = L, .D = D, .q = &q, .index = i, .next = &next, .done = &done };
        if (thread_start(&w[i].th, work, &w[i]) != 0)
            break;
        started++;
    }
    /* with none, this thread evaluates first, as one */
    q.running = started ? started : 1;
    q.ahead = started ? 4 * started : 0;
    pthread_mutex_unlock(&q.mu);
    if (!started) {
        worker one = { .p = p, .L = L, .D = D, .q = &q, .index = 0, .next = &next, .done = &done };
        work(&one);
        rc = one.oom;
    }
    double t0 = now_s(), shown = 0;
    int failed = 0;
    for (;;) {
        pthread_mutex_lock(&q.mu);
        while (q.popped == q.pushed && q.running > 0)
            pthread_cond_wait(&q.cv, &q.mu);
        int have = q.popped < q.pushed;
        chunk c = have ? q.v[q.popped++] : (chunk){ 0, NULL, 0 };
        pthread_cond_broadcast(&q.room);
        pthread_mutex_unlock(&q.mu);
        if (!have)
            break;
        if (!failed && write_chunk(R, p, L, D, &c)) {
            failed = 1;
            pthread_mutex_lock(&q.mu);
            atomic_store(&q.stop, 1);
            pthread_cond_broadcast(&q.room);
            pthread_mutex_unlock(&q.mu);
        }
        mem_free(c.msgs);
        if (tty && now_s() - shown > 0.1) {
            shown = now_s();
            progress(tty, "evaluate", atomic_load(&done), L->facts.nhouse, t0);
        }
    }
    for (int i = 0; i < started; i++) {
        pthread_join(w[i].th, NULL);
        rc |= w[i].oom;
    }
    *eval_done = q.done_at;
    if (!rc && !failed) {
        progress(tty, "evaluate", L->facts.nhouse, L->facts.nhouse, t0);
        if (tty)
            fputc('\n', tty);
    }
    pthread_cond_destroy(&q.room);
    pthread_cond_destroy(&q.cv);
    pthread_mutex_destroy(&q.mu);
    mem_free(q.v);
    mem_free(w);
    return rc || failed ? -1 : 0;
}

/* The data issues, and what the run counted of the decisions it did not
 * store. */
static int write_tail(results *R, const hm_program *p, const hm_load *L, const decisions *D, const int64_t *ne,
                      int32_t nreasons, int64_t (*count)[5])
{
    char idb[LOAD_ID_BUF];
    for (int32_t i = 0; i < L->nissues; i++) {
        const ld_issue *is = &L->issues[i];
        const hm_field *fd = &p->fields[is->field];
        if (results_issue(R, is->source >= 0 ? L->sources[is->source] : NULL, fd->entity == ENT_PERSON,
                          load_id(L, fd->entity == ENT_PERSON, is->index, idb), prog_str(p, fd->name),
                          load_issue_kind(is->kind), is->detail))
            return -1;
    }
    for (int pass = 0, at = 0; pass < 3; pass++)
        for (int32_t k = 0; k < npass(D, pass); k++, at++)
            for (int32_t r = 0; r < nreasons; r++)
                if (ne[(size_t)at * (size_t)nreasons + (size_t)r] &&
                    results_not_eligible(R, pol_of(D, pass, k), r,
                                         ne[(size_t)at * (size_t)nreasons + (size_t)r]))
                    return -1;
    for (int pass = 0, at = 0; pass < 3; pass++)
        for (int32_t k = 0; k < npass(D, pass); k++, at++)
            if (count[at][DEC_NOT_APPLICABLE] &&
                results_not_applicable(R, pol_of(D, pass, k), count[at][DEC_NOT_APPLICABLE]))
                return -1;
    return 0;
}

/* which plugin file served each source, and what the source was */
static int write_sources(results *R, const hm_load *L, char *const *identity)
{
    for (int k = 0; k < L->nplugins; k++)
        if (results_source(R, L->sources[k], L->plugins[k].path, L->plugins[k].isolated, identity[k]))
            return -1;
    return 0;
}

/* The counts and total amount of each policy, households' first, and the
 * not eligible decisions by policy and reason (ne, nreasons a policy; all
 * under reason 0 without reasons); a total beyond the range of money is an
 * error naming the policy, as SQLite's SUM() says "integer overflow":
 * never a wrapped total. */
static int totals(const hm_program *p, const hm_load *L, const decisions *D, int64_t (*count)[5], int64_t *sum,
                  int64_t *ne, int32_t nreasons, char *err, size_t errlen)
{
    size_t pbase = (size_t)L->facts.nhouse * (size_t)D->nhp;
    for (int pass = 0, at = 0; pass < 3; pass++) {
        int32_t np = npass(D, pass);
        for (int32_t k = 0; k < np; k++, at++) {
            memset(count[at], 0, sizeof count[at]);
            sum[at] = 0;
            /* claims: every record of the list (one never decided is status 0, counted nowhere) */
            int32_t nent = pass == 0 ? L->facts.nhouse : pass == 1 ? L->facts.nperson : D->crows[k];
            for (int32_t e = 0; e < nent; e++) {
                size_t s = pass == 2 ? D->coff[k] + (size_t)e
                                     : (pass ? pbase : 0) + (size_t)e * (size_t)np + (size_t)k;
                count[at][D->status[s] <= DEC_NOT_APPLICABLE ? D->status[s] : 0]++;
                if (D->status[s] == DEC_NOT_ELIGIBLE) {
                    int32_t r = D->reason && D->reason[s] > 0 && D->reason[s] < nreasons ? D->reason[s] : 0;
                    ne[(size_t)at * (size_t)nreasons + (size_t)r]++;
                }
                if (D->has_amount[s] && __builtin_add_overflow(sum[at], D->amount[s], &sum[at])) {
                    snprintf(err, errlen, "policy %s: the total amount of its eligible decisions is beyond "
                             "%s (integer overflow); no run recorded",
                             prog_str(p, p->policies[pol_of(D, pass, k)].name),
                             D->amount[s] < 0 ? "-92233720368547758.08" : "92233720368547758.07");
                    return -1;
                }
            }
        }
    }
    return 0;
}


/* ---- the run's summary (hm_run_summary) --------------------------------- */

void hm_run_summary_free(hm_run_summary *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nissues; i++) {
        mem_free(s->issues[i].source);
        mem_free(s->issues[i].entity_id);
        mem_free(s->issues[i].field);
        mem_free(s->issues[i].detail);
    }
    mem_free(s->issues);
    mem_free(s->policies);
    mem_free(s->strs);
    mem_free(s->pack_hash);
    mem_free(s);
}

long long hm_run_summary_run_id(const hm_run_summary *s) { return s->run_id; }
const char *hm_run_summary_as_of(const hm_run_summary *s) { return s->as_of; }
const char *hm_run_summary_pack_hash(const hm_run_summary *s) { return s->pack_hash; }
long long hm_run_summary_households(const hm_run_summary *s) { return s->households; }
long long hm_run_summary_persons(const hm_run_summary *s) { return s->persons; }
int hm_run_summary_threads(const hm_run_summary *s) { return s->threads; }
int hm_run_summary_sources(const hm_run_summary *s) { return s->nsources; }
double hm_run_summary_seconds(const hm_run_summary *s, int phase)
{
    return phase >= 0 && phase < 4 ? s->seconds[phase] : 0;
}
long hm_run_summary_peak_memory_kib(const hm_run_summary *s) { return s->peak_kib; }
int hm_run_summary_policy_count(const hm_run_summary *s) { return s->npolicies; }

static const sum_policy *sum_at(const hm_run_summary *s, int i)
{
    static const sum_policy none = { "", -1, 0, 0, 0, { 0 }, 0, 0 };
    return i >= 0 && i < s->npolicies ? &s->policies[i] : &none;
}

int hm_run_summary_policy(const hm_run_summary *s, int i) { return sum_at(s, i)->policy; }
const char *hm_run_summary_policy_name(const hm_run_summary *s, int i) { return sum_at(s, i)->name; }
int hm_run_summary_policy_entity(const hm_run_summary *s, int i) { return sum_at(s, i)->entity; }
int hm_run_summary_policy_period(const hm_run_summary *s, int i) { return sum_at(s, i)->period; }
int hm_run_summary_policy_has_amount(const hm_run_summary *s, int i) { return sum_at(s, i)->has_amount; }
long long hm_run_summary_count(const hm_run_summary *s, int i, int status)
{
    return status >= HM_ELIGIBLE && status <= HM_NOT_APPLICABLE ? sum_at(s, i)->count[status] : 0;
}
long long hm_run_summary_total(const hm_run_summary *s, int i) { return sum_at(s, i)->total; }
long long hm_run_summary_errors(const hm_run_summary *s, int i) { return sum_at(s, i)->errors; }
long long hm_run_summary_issue_total(const hm_run_summary *s, int kind)
{
    return kind >= 1 && kind <= 3 ? s->issue_counts[kind] : 0;
}
int hm_run_summary_issue_count(const hm_run_summary *s) { return s->nissues; }
int hm_run_summary_issue(const hm_run_summary *s, int i, const char **source, int *entity,
                         const char **entity_id, const char **field, const char **detail)
{
    if (i < 0 || i >= s->nissues)
        return HM_EUSAGE;
    const sum_issue *is = &s->issues[i];
    *source = is->source;
    *entity = is->entity;
    *entity_id = is->entity_id;
    *field = is->field;
    *detail = is->detail;
    return HM_OK;
}

/* The summary of a recorded run: counts and totals per policy (households'
 * first, as the run wrote them), the first data issues.  NULL when out of
 * memory. */
static hm_run_summary *make_summary(const hm_program *p, const hm_load *L, const decisions *D,
                                    int64_t (*count)[5], const int64_t *sum)
{
    hm_run_summary *s = mem_calloc(1, sizeof *s);
    int n = D->nhp + D->npp + D->ncp;
    size_t len = 1;
    for (int32_t i = 0; i < p->npolicies; i++)
        len += strlen(prog_str(p, p->policies[i].name)) + 1;
    if (!s || !(s->policies = mem_calloc((size_t)n + 1, sizeof *s->policies)) || !(s->strs = mem_alloc(len))) {
        hm_run_summary_free(s);
        return NULL;
    }
    s->npolicies = n;
    char *at = s->strs;
    for (int pass = 0, k = 0; pass < 3; pass++)
        for (int32_t j = 0; j < npass(D, pass); j++, k++) {
            int32_t pol = pol_of(D, pass, j);
            const hm_policy *P = &p->policies[pol];
            sum_policy *sp = &s->policies[k];
            sp->name = strcpy(at, prog_str(p, P->name));
            at += strlen(at) + 1;
            sp->policy = pol;
            sp->entity = pass == 2 ? HM_ENTITY_CLAIM : pass ? HM_ENTITY_PERSON : HM_ENTITY_HOUSEHOLD;
            sp->period = P->period;
            sp->has_amount = P->amount_fn >= 0;
            for (int st = 0; st < 5; st++)
                sp->count[st] = count[k][st];
            sp->total = sum[k];
            for (int t = 0; t < D->threads; t++)
                sp->errors += D->errors[(size_t)t * (size_t)p->npolicies + (size_t)pol];
        }
    for (int k = 1; k < 4; k++)
        s->issue_counts[k] = L->issue_counts[k];
    int shown = L->nissues < 10 ? L->nissues : 10;
    if (shown && !(s->issues = mem_calloc((size_t)shown, sizeof *s->issues))) {
        hm_run_summary_free(s);
        return NULL;
    }
    for (int i = 0; i < shown; i++, s->nissues++) {
        const ld_issue *is = &L->issues[i];
        const hm_field *fd = &p->fields[is->field];
        sum_issue *o = &s->issues[i];
        o->entity = fd->entity == ENT_PERSON ? HM_ENTITY_PERSON : HM_ENTITY_HOUSEHOLD;
        o->source = mem_strdup(is->source >= 0 ? L->sources[is->source] : "?");
        char idb[LOAD_ID_BUF];
        o->entity_id = mem_strdup(load_id(L, fd->entity == ENT_PERSON, is->index, idb));
        o->field = mem_strdup(prog_str(p, fd->name));
        o->detail = mem_strdup(is->detail ? is->detail : "");
        if (!o->source || !o->entity_id || !o->field || !o->detail) {
            s->nissues++;
            hm_run_summary_free(s);
            return NULL;
        }
    }
    return s;
}

/* ---- the run ------------------------------------------------------------------ */

/* Blank what looks like a password in the configuration text before it is
 * recorded: `password = …` settings and `password=…` in a connection
 * string, and the password of a URI (scheme://user:password@host). */
void run_blank_secrets(char *t)
{
    for (char *s = t; (s = strcasestr(s, "password")) != NULL;) {
        s += 8;
        char *v = s + strspn(s, " \t");
        if (*v != '=' && *v != ':')
            continue;
        v++;
        v += strspn(v, " \t");
        char quote = *v == '\'' || *v == '"' ? *v++ : 0;
        for (; *v && *v != '\n' && (quote ? *v != quote : *v != ' ' && *v != '\t' && *v != ';'); v++)
            *v = '*';
        s = v;
    }
    for (char *s = t; (s = strstr(s, "://")) != NULL;) {
        s += 3;
        size_t auth = strcspn(s, "/ \t\n?#");
        char *at = memchr(s, '@', auth), *colon = at ? memchr(s, ':', (size_t)(at - s)) : NULL;
        for (char *c = colon ? colon + 1 : NULL; c && c < at; c++)
            *c = '*';
    }
}

/* The --set overrides, one a line, or NULL when there are none.  Owned. */
char *run_join_sets(const hm_run_options *o)
{
    size_t len = 1;
    for (int i = 0; i < o->nsets; i++)
        len += strlen(o->sets[i]) + 1;
    char *t = o->nsets ? mem_alloc(len) : NULL;
    if (!t)
        return NULL;
    t[0] = '\0';
    for (int i = 0; i < o->nsets; i++) {
        strcat(t, o->sets[i]);
        strcat(t, "\n");
    }
    run_blank_secrets(t);
    return t;
}

static void decisions_free(decisions *D)
{
    mem_free(D->hpol);
    mem_free(D->ppol);
    mem_free(D->cpol);
    mem_free(D->coff);
    mem_free(D->crows);
    mem_free(D->status);
    mem_free(D->amount);
    mem_free(D->reason);
    mem_free(D->has_amount);
    for (int i = 0; D->pools && i < D->threads; i++)
        pool_free(&D->pools[i]);
    mem_free(D->pools);
    mem_free(D->errors);
    mem_free(D->mark);
}

/* ---- the entities whose every decision is kept (--keep FILE) ------------------ */

typedef struct idset {
    char **v;                   /* open addressing; cap a power of two */
    size_t n, cap;
} idset;

static uint64_t id_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int idset_has(const idset *S, const char *id)
{
    for (size_t k = S->cap ? id_hash(id) & (S->cap - 1) : 0; S->cap && S->v[k]; k = (k + 1) & (S->cap - 1))
        if (!strcmp(S->v[k], id))
            return 1;
    return 0;
}

/* add a copy of id; -1 when out of memory */
static int idset_add(idset *S, const char *id)
{
    if (2 * (S->n + 1) > S->cap) {
        size_t cap = S->cap ? 2 * S->cap : 64;
        char **v = mem_calloc(cap, sizeof *v);
        if (!v)
            return -1;
        for (size_t i = 0; i < S->cap; i++)
            if (S->v[i]) {
                size_t k = id_hash(S->v[i]) & (cap - 1);
                while (v[k])
                    k = (k + 1) & (cap - 1);
                v[k] = S->v[i];
            }
        mem_free(S->v);
        S->v = v;
        S->cap = cap;
    }
    if (idset_has(S, id))
        return 0;
    size_t k = id_hash(id) & (S->cap - 1);
    while (S->v[k])
        k = (k + 1) & (S->cap - 1);
    if (!(S->v[k] = mem_strdup(id)))
        return -1;
    S->n++;
    return 0;
}

static void idset_free(idset *S)
{
    for (size_t i = 0; i < S->cap; i++)
        mem_free(S->v[i]);
    mem_free(S->v);
}

/* The ids of FILE, one a line (blank lines and `#` comments ignored),
 * into S.  HM_OK, HM_EUSAGE (unreadable) or HM_ENOMEM, with err set. */
static int read_keep(const char *path, idset *S, char *err, size_t errlen)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        snprintf(err, errlen, "%s: cannot read the ids to keep: %s", path, strerror(errno));
        return HM_EUSAGE;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = HM_OK;
    while (rc == HM_OK && (len = getline(&line, &cap, in)) >= 0) {
        char *a = line, *z = line + len;
        while (a < z && strchr(" \t\r\n", *a))
            a++;
        while (z > a && strchr(" \t\r\n", z[-1]))
            z--;
        *z = '\0';
        if (*a && *a != '#' && idset_add(S, a)) {
            snprintf(err, errlen, "out of memory");
            rc = HM_ENOMEM;
        }
    }
    if (rc == HM_OK && ferror(in)) {
        snprintf(err, errlen, "%s: cannot read the ids to keep: %s", path, strerror(errno));
        rc = HM_EUSAGE;
    }
    free(line);
    fclose(in);
    return rc;
}

/* D->mark: the entities the data issues name (their rows stored), and
 * those of the file `keep` (every decision stored).  HM_OK, or an error
 * with err set. */
static int mark_entities(decisions *D, const hm_program *p, const hm_load *L, const char *keep, char *err,
                         size_t errlen)
{
    if (!keep && !L->nissues)
        return HM_OK;
    if (!(D->mark = mem_calloc((size_t)L->nh + (size_t)L->np + 1, 1))) {
        snprintf(err, errlen, "out of memory");
        return HM_ENOMEM;
    }
    for (int32_t i = 0; i < L->nissues; i++) {
        int person = p->fields[L->issues[i].field].entity == ENT_PERSON;
        D->mark[(person ? (size_t)L->nh : 0) + (size_t)L->issues[i].index] |= MARK_ENTITY;
    }
    if (!keep)
        return HM_OK;
    idset S = { NULL, 0, 0 };
    int rc = read_keep(keep, &S, err, errlen);
    char idb[LOAD_ID_BUF];
    for (int32_t i = 0; rc == HM_OK && S.n && i < L->nh + L->np; i++) {
        int person = i >= L->nh;
        if (idset_has(&S, load_id(L, person, person ? i - L->nh : i, idb)))
            D->mark[i] |= MARK_ENTITY | MARK_ALL;
    }
    idset_free(&S);
    return rc;
}

/* D->mark: also every decision of the entities h->keep names. */
static int keep_more(decisions *D, const hm_load *L, const run_hooks *h, char *err, size_t errlen)
{
    size_t n = (size_t)L->nh + (size_t)L->np;
    uint8_t *want = mem_calloc(n + 1, 1);
    if (!want || (!D->mark && !(D->mark = mem_calloc(n + 1, 1)))) {
        mem_free(want);
        snprintf(err, errlen, "out of memory");
        return HM_ENOMEM;
    }
    int rc = h->keep(h->ctx, L, want, err, errlen);
    for (size_t i = 0; rc == HM_OK && i < n; i++)
        if (want[i])
            D->mark[i] |= MARK_ENTITY | MARK_ALL;
    mem_free(want);
    return rc;
}

/* The file of ids to keep: --keep's, else the configuration's (relative
 * to the file's folder when set there).  Owned; NULL when none, or when out
 * of memory (*oom set). */
static char *keep_path(const hm_run_options *o, const hm_config *cfg, int *oom)
{
    *oom = 0;
    const char *k = o->keep ? o->keep : cfg->keep;
    if (!k)
        return NULL;
    size_t n = strlen(k) + (cfg->dir ? strlen(cfg->dir) : 0) + 2;
    char *path = mem_alloc(n);
    if (!path)
        *oom = 1;
    else if (!o->keep && cfg->keep_line && k[0] != '/' && cfg->dir)
        snprintf(path, n, "%s/%s", cfg->dir, k);
    else
        snprintf(path, n, "%s", k);
    return path;
}

static int run_with(const hm_pack *k, const hm_run_options *o, const hm_run_env *env, const run_hooks *h,
                    hm_run_summary **out, char *err, size_t errlen);

int hm_run(const hm_pack *k, const hm_run_options *o, hm_run_summary **out, char *err, size_t errlen)
{
    return run_with(k, o, NULL, NULL, out, err, errlen);
}

int batch_run(const hm_pack *k, const hm_run_options *o, const run_hooks *h, hm_run_summary **out, char *err,
              size_t errlen)
{
    return run_with(k, o, NULL, h, out, err, errlen);
}

/* A sink the caller filled in whole. */
static int sink_complete(const hm_run_sink *s)
{
    return s->size >= sizeof *s && s->begin && s->source && s->policy && s->reason && s->entity && s->decision &&
           s->issue && s->not_eligible && s->not_applicable && s->commit && s->abort;
}

int hm_run_with(const hm_pack *k, const hm_run_options *o, const hm_run_env *env, hm_run_summary **out,
                char *err, size_t errlen)
{
    /* a caller built before io_serve was added gives the smaller size */
    if (env && env->size != sizeof *env && env->size != offsetof(hm_run_env, io_serve)) {
        *out = NULL;
        snprintf(err, errlen, "hm_run_with: env->size is %zu, expected sizeof (hm_run_env), %zu", env->size,
                 sizeof *env);
        return HM_EUSAGE;
    }
    if (env && env->size == sizeof *env && !env->io_serve != !env->io_served) {
        *out = NULL;
        snprintf(err, errlen, "hm_run_with: env->io_serve and env->io_served are both set or both NULL");
        return HM_EUSAGE;
    }
    if (env && env->sink && !sink_complete(env->sink)) {
        *out = NULL;
        snprintf(err, errlen, "hm_run_with: the sink's size is not sizeof (hm_run_sink) or a function of it "
                 "is NULL");
        return HM_EUSAGE;
    }
    return run_with(k, o, env, NULL, out, err, errlen);
}

/* A results database's message, or a sink's as it gave it. */
static void results_error(char *err, size_t errlen, const hm_run_options *o, const results *R)
{
    if (R->sink)
        snprintf(err, errlen, "%s", R->err);
    else
        snprintf(err, errlen, "%s: %s", o->out, R->err);
}

static int run_with(const hm_pack *k, const hm_run_options *o, const hm_run_env *env, const run_hooks *h,
                    hm_run_summary **out, char *err, size_t errlen)
{
    err[0] = '\0';
    *out = NULL;
    const hm_run_sink *sink = env ? env->sink : NULL;
    const char *config_text = env ? env->config_text : NULL;
    if (!k || !o || (!o->config && !config_text) || (!o->out && !sink)) {
        snprintf(err, errlen, "hm_run: no %s", !k ? "pack" : !o ? "options" : !o->out && !sink ? "results database"
                                                                                            : "configuration");
        return HM_EUSAGE;
    }
    const hm_program *p = pack_program(k);
    double t_start = now_s();
    char started[32];
    results_now(started, sizeof started);
    hm_config cfg;
    int32_t as_of;
    if (batch_config_text(&cfg, o->config ? o->config : "-", config_text, o->sets, o->nsets, o->as_of, &as_of, err,
                          errlen) != HM_OK) {
        config_free(&cfg);
        return HM_EUSAGE;
    }
    /* inside another program (env), a node runs its own shard: [cluster] is
     * for the program that coordinates them */
    if (cfg.nnodes && !env) {
        int rc;
        if (h) {
            snprintf(err, errlen, "%s:%d: a [cluster] configuration runs only as a plain run", cfg.path,
                     cfg.cluster_line);
            rc = HM_EUSAGE;
        } else {
            rc = cluster_run(k, o, &cfg, out, err, errlen);
        }
        config_free(&cfg);
        return rc;
    }
    char as_of_buf[16];
    cal_format(as_of, as_of_buf);
    FILE *tty = o->progress > 0 || (o->progress < 0 && isatty(2)) ? stderr : NULL;
    /* a program that embeds the library keeps its own allocator settings */
    if (!env) {
        /* no global memory statistics: they take a mutex on every allocation */
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
#ifdef M_MMAP_THRESHOLD
        /* the columns and scratch arrays are large: give each its own mapping,
         * returned to the system when freed (glibc would otherwise raise the
         * threshold after the first free and keep later ones in its heap) */
        mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    }
    hm_load L;
    decisions D;
    results R;
    memset(&D, 0, sizeof D);
    memset(&L, 0, sizeof L);
    int64_t (*count)[5] = NULL, *sum = NULL, *ne = NULL;
    char **identity = NULL, *sets = NULL, *keep = NULL;
    int rc, oom;
    /* the results database is checked and locked before the load: a bad
     * --out, or another run writing to it, is refused at once */
    rc = HM_EIO;
    if (sink)
        results_open_sink(&R, sink, cfg.path);
    else if (results_open(&R, o->out)) {
        snprintf(err, errlen, "%s", R.err);
        goto done;
    }
    rc = HM_EPLUGIN;
    int threads = o->threads > 0 ? o->threads : cfg.threads > 0 ? cfg.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    int lrc = load_open_for(&L, p, &cfg, as_of, h ? h->load : 0);
    /* the host's I/O on its own thread: sources read one after another */
    int io_here = env && env->calling_thread_io;
    L.threads = io_here ? 1 : threads;
    if (io_here && env->size == sizeof *env && env->io_serve) {
        /* the host relays its plugins' work to this thread: sources at once */
        L.threads = threads;
        L.io_serve = env->io_serve;
        L.io_served = env->io_served;
        L.io_ctx = env->io_ctx;
    }
    /* extern functions are plugins' code too: evaluated on this thread then */
    int eval_here = io_here && p->nexterns > 0;
    L.provenance = 0;   /* dropped after the load anyway (facts_drop_provenance) */
    if (lrc || load_population(&L) || load_facts(&L)) {
        batch_load_error(&L, err, errlen);
        goto done;
    }
    /* what each source was, now that everything is read (a database's
     * snapshot is still the one read from) */
    if (!(identity = mem_calloc((size_t)L.nplugins + 1, sizeof *identity))) {
        rc = HM_ENOMEM;
        goto done;
    }
    for (int s = 0; s < L.nplugins; s++) {
        char e[1024];
        if (plugin_identity(&L.plugins[s], &identity[s], e, sizeof e)) {
            snprintf(err, errlen, "source %s (plugin %s): %s", L.sources[s], L.plugins[s].path, e);
            goto done;
        }
        /* the reference tables read from it, by their rows' content, so
         * that a rerun can say a table changed */
        for (int32_t t = 0; L.facts.refs && t < L.facts.nrefs; t++) {
            if (!L.facts.refs[t].given || strcmp(prog_str(p, p->reftabs[t].source), L.sources[s]) != 0)
                continue;
            size_t n = strlen(identity[s]) + strlen(prog_str(p, p->reftabs[t].name)) + 96;
            char *more = mem_alloc(n);
            if (!more) {
                rc = HM_ENOMEM;
                goto done;
            }
            snprintf(more, n, "%s; table %s: %d rows, content %016" PRIx64, identity[s], prog_str(p, p->reftabs[t].name),
                     L.facts.refs[t].n, facts_ref_hash(&L.facts, p, t));
            mem_free(identity[s]);
            identity[s] = more;
        }
    }
    facts_drop_provenance(&L.facts);
    double t_loaded = now_s();
    if (tty)
        fprintf(tty, "loaded %d households and %d persons from %d sources in %.1f s\n", L.nh, L.np,
                L.nplugins, t_loaded - t_start);
    rc = HM_ENOMEM;
    D.hpol = mem_alloc(sizeof *D.hpol * ((size_t)p->npolicies + 1));
    D.ppol = mem_alloc(sizeof *D.ppol * ((size_t)p->npolicies + 1));
    D.cpol = mem_alloc(sizeof *D.cpol * ((size_t)p->npolicies + 1));
    D.coff = mem_alloc(sizeof *D.coff * ((size_t)p->npolicies + 1));
    D.crows = mem_alloc(sizeof *D.crows * ((size_t)p->npolicies + 1));
    if (!D.hpol || !D.ppol || !D.cpol || !D.coff || !D.crows)
        goto done;
    for (int32_t i = 0; i < p->npolicies; i++) {
        if (p->policies[i].entity == ENT_PERSON)
            D.ppol[D.npp++] = i;
        else if (p->policies[i].entity == ENT_CLAIM)
            D.cpol[D.ncp++] = i;
        else
            D.hpol[D.nhp++] = i;
    }
    size_t slots = (size_t)L.nh * (size_t)D.nhp + (size_t)L.np * (size_t)D.npp, cslots = slots;
    for (int32_t c = 0; c < D.ncp; c++) {
        D.coff[c] = slots;
        D.crows[c] = claims_of(p, &L.facts, D.cpol[c])->n;
        slots += (size_t)D.crows[c];
    }
    slots++;
    D.status = mem_alloc(slots);
    D.has_amount = mem_alloc(slots);
    D.amount = mem_alloc(slots * sizeof *D.amount);
    /* reasons cost 4 bytes a decision, and the missing facts a look at every
     * fact an undetermined decision read: only when asked for */
    D.reason = o->reasons ? mem_alloc(slots * sizeof *D.reason) : NULL;
    D.kleene = o->kleene;
    D.threads = threads;
    D.store_all = o->store ? o->store == HM_STORE_ALL : cfg.store_all;
    D.errors = mem_calloc((size_t)threads * ((size_t)p->npolicies + 1), sizeof *D.errors);
    D.pools = o->reasons ? mem_calloc((size_t)threads, sizeof *D.pools) : NULL;
    /* run_not_eligible's reasons: those of run_reasons, or none */
    int32_t nreasons = o->reasons ? 3 + p->nconds + p->npolicies + p->nexcs + p->nexterns : 1;
    size_t npol = (size_t)D.nhp + (size_t)D.npp + (size_t)D.ncp + 1;
    count = mem_alloc(npol * sizeof *count);
    sum = mem_alloc(npol * sizeof *sum);
    ne = mem_calloc(npol * (size_t)nreasons, sizeof *ne);
    keep = keep_path(o, &cfg, &oom);
    if (!D.status || !D.has_amount || !D.amount || !D.errors || (o->reasons && (!D.reason || !D.pools)) ||
        !count || !sum || !ne || oom || (o->nsets && !(sets = run_join_sets(o))))
        goto done;
    /* a record no claim policy decided (its owner's list not known) is in no count */
    memset(D.status + cslots, 0, slots - cslots);
    memset(D.has_amount + cslots, 0, slots - cslots);
    if ((rc = mark_entities(&D, p, &L, keep, err, errlen)) != HM_OK)
        goto done;
    if (h && h->keep && (rc = keep_more(&D, &L, h, err, errlen)) != HM_OK)
        goto done;
    if (cfg.text)
        run_blank_secrets(cfg.text);
    /* the run is recorded as its decisions are made, in its transaction */
    rc = HM_EIO;
    results_run run = { .as_of = as_of_buf, .pack_hash = hm_pack_hash(k), .config = cfg.path,
                        .config_text = cfg.text ? cfg.text : "", .config_sets = sets, .version = hm_version(),
                        .started = started, .households = L.nh, .persons = L.np, .reasons = o->reasons,
                        .settled = !o->kleene, .store_all = D.store_all };
    if (results_begin(&R, &run) || write_sources(&R, &L, identity) || write_head(&R, p, &L, &D)) {
        results_error(err, errlen, o, &R);
        goto done;
    }
    double t_eval;
    if (evaluate(&R, p, &L, &D, threads, tty, &t_eval, eval_here)) {
        if (R.err[0])
            results_error(err, errlen, o, &R);
        else
            rc = HM_ENOMEM;
        goto done;
    }
    /* the plugins' close() before the commit: one that fails there must
     * not leave a run behind that its exit status disowns */
    if (load_close_plugins(&L)) {
        batch_load_error(&L, err, errlen);
        rc = HM_EPLUGIN;
        goto done;
    }
    if (h && h->decided && (rc = h->decided(h->ctx, &L, err, errlen)) != HM_OK)
        goto done;
    rc = HM_EIO;
    facts_drop_values(&L.facts);
    if (totals(p, &L, &D, count, sum, ne, nreasons, err, errlen))
        goto done;
    if (write_tail(&R, p, &L, &D, ne, nreasons, count) || results_commit(&R)) {
        results_error(err, errlen, o, &R);
        goto done;
    }
    double t_written = now_s();
    rc = HM_ENOMEM;
    hm_run_summary *s = make_summary(p, &L, &D, count, sum);
    if (!s || !(s->pack_hash = mem_strdup(hm_pack_hash(k)))) {
        /* the run is recorded: say so, with its number */
        hm_run_summary_free(s);
        snprintf(err, errlen, "run %lld recorded in %s, but out of memory for its summary", (long long)R.run_id,
                 sink ? "the caller's sink" : o->out);
        goto done;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    s->run_id = R.run_id;
    snprintf(s->as_of, sizeof s->as_of, "%s", as_of_buf);
    s->households = L.nh;
    s->persons = L.np;
    s->threads = eval_here ? 1 : threads;   /* the calling thread alone */
    s->nsources = L.nplugins;
    s->seconds[HM_PHASE_LOAD] = t_loaded - t_start;
    s->seconds[HM_PHASE_EVALUATE] = t_eval - t_loaded;
    s->seconds[HM_PHASE_WRITE] = t_written - t_eval;
    s->seconds[HM_PHASE_TOTAL] = t_written - t_start;
    s->peak_kib = ru.ru_maxrss;
    *out = s;
    rc = HM_OK;
done:
    for (int i = 0; identity && i < L.nplugins; i++)
        mem_free(identity[i]);
    mem_free(identity);
    mem_free(sets);
    mem_free(count);
    mem_free(sum);
    mem_free(ne);
    mem_free(keep);
    results_close(&R);
    decisions_free(&D);
    load_close(&L);
    config_free(&cfg);
    return rc;
}

int hm_compiler_run_population(hm_compiler *c, const hm_run_options *o, hm_run_summary **out, char *err,
                               size_t errlen)
{
    err[0] = '\0';
    *out = NULL;
    hm_pack *k;
    int rc = hm_compiler_pack(c, &k);
    if (rc != HM_OK)
        return rc;
    rc = hm_run(k, o, out, err, errlen);
    hm_pack_free(k);
    return rc;
}
