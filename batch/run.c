/* run.c -- `huimin run POLICIES --config FILE --out RESULTS.db`: every
 * household of the population, in three phases timed separately:
 *
 *   load      plugins fill the fact store, column by column (load.c)
 *   evaluate  households split across threads in chunks; each thread has
 *             its own VM; decisions go into flat arrays (13 bytes each)
 *   write     one transaction into the results database (results.c)
 *
 * A run killed at any point leaves the results database as it was. */
#include "huimin.h"
#include "frontend.h"
#include "calendar.h"
#include "load.h"
#include "one.h"
#include "mask.h"
#include "mem.h"
#include "module.h"
#include "results.h"
#include "vm.h"

#include <malloc.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 512   /* households a thread takes at a time */

/* reason numbers (run_reasons): conditions, then exclusions, then
 * exceptions, then a runtime error */
typedef struct decisions {
    int32_t nhp, npp;           /* household and person policies */
    int32_t *hpol, *ppol;       /* their program indexes */
    uint8_t *status;            /* households × nhp, then persons × npp */
    int64_t *amount;
    int32_t *reason;            /* NULL: the run stores no reasons */
    int kleene;                 /* 1: do not settle (hm_run_options.kleene) */
    uint8_t *has_amount;
} decisions;

typedef struct worker {
    pthread_t th;
    const hm_program *p;
    hm_load *L;
    decisions *D;
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
    if (d->status == DEC_ELIGIBLE)
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

static void store(const hm_program *p, decisions *D, size_t slot, const hm_decision *d)
{
    D->status[slot] = (uint8_t)d->status;
    D->has_amount[slot] = d->status == DEC_ELIGIBLE && d->has_amount;
    D->amount[slot] = d->amount;
    if (D->reason)
        D->reason[slot] = reason_of(p, d);
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
        if (start >= f->nhouse)
            break;
        int32_t end = start + CHUNK < f->nhouse ? start + CHUNK : f->nhouse;
        for (int32_t h = start; h < end; h++) {
            if (vm_begin_household(vm, h) < 0) {
                w->oom = 1;
                goto out;
            }
            for (int32_t k = 0; k < D->nhp; k++)
                store(p, D, (size_t)h * (size_t)D->nhp + (size_t)k, vm_decide(vm, D->hpol[k], -1));
            for (int32_t m = 0; m < f->hh_count[h]; m++)
                for (int32_t k = 0; k < D->npp; k++)
                    store(p, D, pbase + (size_t)(f->hh_first[h] + m) * (size_t)D->npp + (size_t)k,
                          vm_decide(vm, D->ppol[k], m));
        }
        atomic_fetch_add(w->done, end - start);
    }
out:
    vm_free(vm);
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

static int evaluate(const hm_program *p, hm_load *L, decisions *D, int threads, FILE *tty)
{
    _Atomic int32_t next = 0;
    _Atomic int64_t done = 0;
    worker *w = mem_calloc((size_t)threads, sizeof *w);
    if (!w)
        return -1;
    int started = 0, rc = 0;
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){ .p = p, .L = L, .D = D, .next = &next, .done = &done };
        if (pthread_create(&w[i].th, NULL, work, &w[i]) != 0)
            break;
        started++;
    }
    if (!started)
        work(&(worker){ .p = p, .L = L, .D = D, .next = &next, .done = &done });
    double t0 = now_s();
    while (tty && started && atomic_load(&done) < L->facts.nhouse) {
        progress(tty, "evaluate", atomic_load(&done), L->facts.nhouse, t0);
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        int alive = 0;
        for (int i = 0; i < started; i++)
            alive |= !w[i].oom;
        if (!alive)
            break;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(w[i].th, NULL);
        rc |= w[i].oom;
    }
    progress(tty, "evaluate", L->facts.nhouse, L->facts.nhouse, t0);
    if (tty)
        fputc('\n', tty);
    mem_free(w);
    return rc ? -1 : 0;
}

static void pack_hash(const hm_program *p, char out[72])
{
    unsigned char *buf;
    size_t len;
    strcpy(out, "unknown");
    if (module_encode(p, &buf, &len))
        return;
    struct sha256_ctx ctx;
    uint8_t dig[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, buf);
    sha256_digest(&ctx, sizeof dig, dig);
    mem_free(buf);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", dig[i]);
}

static void fmt_fen(int64_t fen, char *buf, size_t n)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(buf, n, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(a / 100),
             (unsigned long long)(a % 100));
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

static int write_results(results *R, const hm_program *p, hm_load *L, decisions *D, FILE *tty)
{
    const hm_facts *f = &L->facts;
    for (int32_t k = 0; k < D->nhp; k++)
        if (results_policy(R, D->hpol[k], prog_str(p, p->policies[D->hpol[k]].name),
                           prog_str(p, p->policies[D->hpol[k]].label), 0))
            return -1;
    for (int32_t k = 0; k < D->npp; k++)
        if (results_policy(R, D->ppol[k], prog_str(p, p->policies[D->ppol[k]].name),
                           prog_str(p, p->policies[D->ppol[k]].label), 1))
            return -1;
    if (D->reason && write_reasons(R, p, L))
        return -1;
    /* entities: households 0 … nh-1, persons nh … */
    double t0 = now_s();
    int64_t total = (int64_t)f->nhouse + f->nperson, done = 0;
    for (int32_t h = 0; h < f->nhouse; h++, done++)
        if (results_entity(R, h, 0, L->hid[h]))
            return -1;
    for (int32_t i = 0; i < f->nperson; i++, done++) {
        if (results_entity(R, (int64_t)f->nhouse + i, 1, L->pid[i]))
            return -1;
    }
    char miss[512];
    size_t pbase = (size_t)f->nhouse * (size_t)D->nhp;
    done = 0;
    for (int32_t h = 0; h < f->nhouse; h++) {
        for (int32_t k = 0; k < D->nhp; k++) {
            size_t s = (size_t)h * (size_t)D->nhp + (size_t)k;
            const char *m = missing_of(p, f, D, s, D->hpol[k], h, -1, miss, sizeof miss);
            if (results_decision(R, h, D->hpol[k], D->status[s], D->has_amount[s], D->amount[s],
                                 D->reason ? D->reason[s] : 0, m))
                return -1;
        }
        for (int32_t mb = 0; mb < f->hh_count[h]; mb++) {
            int32_t person = f->hh_first[h] + mb;
            for (int32_t k = 0; k < D->npp; k++) {
                size_t s = pbase + (size_t)person * (size_t)D->npp + (size_t)k;
                const char *m = missing_of(p, f, D, s, D->ppol[k], h, mb, miss, sizeof miss);
                if (results_decision(R, (int64_t)f->nhouse + person, D->ppol[k], D->status[s],
                                     D->has_amount[s], D->amount[s], D->reason ? D->reason[s] : 0, m))
                    return -1;
            }
        }
        if ((h & 4095) == 0)
            progress(tty, "write", h, f->nhouse, t0);
    }
    (void)total;
    for (int32_t i = 0; i < L->nissues; i++) {
        const ld_issue *is = &L->issues[i];
        const hm_field *fd = &p->fields[is->field];
        if (results_issue(R, is->source >= 0 ? L->sources[is->source] : NULL, fd->entity == ENT_PERSON,
                          fd->entity == ENT_PERSON ? L->pid[is->index] : L->hid[is->index], prog_str(p, fd->name),
                          load_issue_kind(is->kind), is->detail))
            return -1;
    }
    progress(tty, "write", f->nhouse, f->nhouse, t0);
    if (tty)
        fputc('\n', tty);
    return 0;
}

/* which plugin file served each source */
static int write_sources(results *R, const hm_load *L)
{
    for (int k = 0; k < L->nplugins; k++)
        if (results_source(R, L->sources[k], L->plugins[k].path, L->plugins[k].isolated))
            return -1;
    return 0;
}

/* The counts and total amount of each policy, households' first; a total
 * beyond the range of money is an error naming the policy, as SQLite's
 * SUM() says "integer overflow": never a wrapped total. */
static int totals(const hm_program *p, const hm_load *L, const decisions *D, int64_t (*count)[4], int64_t *sum,
                  char *err, size_t errlen)
{
    size_t pbase = (size_t)L->facts.nhouse * (size_t)D->nhp;
    for (int pass = 0, at = 0; pass < 2; pass++) {
        int32_t np = pass ? D->npp : D->nhp, nent = pass ? L->facts.nperson : L->facts.nhouse;
        for (int32_t k = 0; k < np; k++, at++) {
            memset(count[at], 0, sizeof count[at]);
            sum[at] = 0;
            for (int32_t e = 0; e < nent; e++) {
                size_t s = (pass ? pbase : 0) + (size_t)e * (size_t)np + (size_t)k;
                count[at][D->status[s] & 3]++;
                if (D->has_amount[s] && __builtin_add_overflow(sum[at], D->amount[s], &sum[at])) {
                    snprintf(err, errlen, "policy %s: the total amount of its eligible decisions is beyond "
                             "%s (integer overflow); no run recorded",
                             prog_str(p, p->policies[pass ? D->ppol[k] : D->hpol[k]].name),
                             D->amount[s] < 0 ? "-92233720368547758.08" : "92233720368547758.07");
                    return -1;
                }
            }
        }
    }
    return 0;
}

static void summary(FILE *out, const hm_program *p, const decisions *D, int64_t (*count)[4], const int64_t *sum)
{
    fprintf(out, "%-24s %-9s %10s %12s %12s %16s\n", "policy", "for", "eligible", "not eligible",
            "undetermined", "total amount");
    for (int pass = 0, at = 0; pass < 2; pass++) {
        int32_t np = pass ? D->npp : D->nhp;
        for (int32_t k = 0; k < np; k++, at++) {
            const int64_t *c = count[at];
            char money[32];
            if (p->policies[pass ? D->ppol[k] : D->hpol[k]].amount_fn >= 0)
                fmt_fen(sum[at], money, sizeof money);
            else
                strcpy(money, "-");
            fprintf(out, "%-24s %-9s %10lld %12lld %12lld %16s\n",
                    prog_str(p, p->policies[pass ? D->ppol[k] : D->hpol[k]].name),
                    pass ? "person" : "household", (long long)c[1], (long long)c[2], (long long)c[3], money);
        }
    }
}

static void print_issues(FILE *err, const hm_program *p, const hm_load *L)
{
    int64_t total = L->issue_counts[1] + L->issue_counts[2] + L->issue_counts[3];
    if (!total)
        return;
    fprintf(err, "huimin: %lld data issues (%lld unusable values, %lld unknown codes, %lld conflicts); "
            "the facts concerned are unknown.  The first ones:\n", (long long)total,
            (long long)L->issue_counts[1], (long long)L->issue_counts[2], (long long)L->issue_counts[3]);
    for (int32_t i = 0; i < L->nissues && i < 10; i++) {
        const ld_issue *is = &L->issues[i];
        const hm_field *fd = &p->fields[is->field];
        /* stderr goes to logs: ID numbers masked (mask.h) */
        fprintf(err, "  %s %s ", is->source >= 0 ? L->sources[is->source] : "?",
                fd->entity == ENT_PERSON ? "person" : "household");
        mask_fputs(fd->entity == ENT_PERSON ? L->pid[is->index] : L->hid[is->index], err);
        fputs(": ", err);
        mask_fputs_text(is->detail, err);
        fputc('\n', err);
    }
}

static void decisions_free(decisions *D)
{
    mem_free(D->hpol);
    mem_free(D->ppol);
    mem_free(D->status);
    mem_free(D->amount);
    mem_free(D->reason);
    mem_free(D->has_amount);
}

int hm_compiler_run_population(hm_compiler *c, const hm_run_options *o, FILE *out, char *err, size_t errlen)
{
    err[0] = '\0';
    double t_start = now_s();
    char started[32];
    results_now(started, sizeof started);
    hm_program *p;
    sema *s;
    int rc = compiler_program(c, &p, &s);
    if (rc != HM_OK)
        return rc;
    hm_config cfg;
    int32_t as_of;
    if (batch_config(&cfg, o->config, o->sets, o->nsets, o->as_of, &as_of, err, errlen) != HM_OK) {
        config_free(&cfg);
        return HM_EUSAGE;
    }
    char as_of_buf[16];
    cal_format(as_of, as_of_buf);
    FILE *tty = o->progress > 0 || (o->progress < 0 && isatty(2)) ? stderr : NULL;
    /* no global memory statistics: they take a mutex on every allocation */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
#ifdef M_MMAP_THRESHOLD
    /* the columns and scratch arrays are large: give each its own mapping,
     * returned to the system when freed (glibc would otherwise raise the
     * threshold after the first free and keep later ones in its heap) */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    hm_load L;
    decisions D;
    results R;
    memset(&D, 0, sizeof D);
    memset(&L, 0, sizeof L);
    int64_t (*count)[4] = NULL, *sum = NULL;
    /* the results database is checked and locked before the load: a bad
     * --out, or another run writing to it, is refused at once */
    rc = HM_EIO;
    if (results_open(&R, o->out)) {
        snprintf(err, errlen, "%s", R.err);
        goto done;
    }
    rc = HM_EPLUGIN;
    int threads = o->threads > 0 ? o->threads : cfg.threads > 0 ? cfg.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    int lrc = load_open(&L, p, &cfg, as_of);
    L.threads = threads;
    L.provenance = 0;   /* dropped after the load anyway (facts_drop_provenance) */
    if (lrc || load_population(&L) || load_facts(&L)) {
        batch_load_error(&L, err, errlen);
        goto done;
    }
    facts_drop_provenance(&L.facts);
    double t_loaded = now_s();
    if (tty)
        fprintf(tty, "loaded %d households and %d persons from %d sources in %.1f s\n", L.nh, L.np,
                L.nplugins, t_loaded - t_start);
    rc = HM_ENOMEM;
    D.hpol = mem_alloc(sizeof *D.hpol * ((size_t)p->npolicies + 1));
    D.ppol = mem_alloc(sizeof *D.ppol * ((size_t)p->npolicies + 1));
    if (!D.hpol || !D.ppol)
        goto done;
    for (int32_t i = 0; i < p->npolicies; i++) {
        if (p->policies[i].entity == ENT_PERSON)
            D.ppol[D.npp++] = i;
        else
            D.hpol[D.nhp++] = i;
    }
    size_t slots = (size_t)L.nh * (size_t)D.nhp + (size_t)L.np * (size_t)D.npp + 1;
    D.status = mem_alloc(slots);
    D.has_amount = mem_alloc(slots);
    D.amount = mem_alloc(slots * sizeof *D.amount);
    /* reasons cost 4 bytes a decision, and the missing facts a look at every
     * fact an undetermined decision read: only when asked for */
    D.reason = o->reasons ? mem_alloc(slots * sizeof *D.reason) : NULL;
    D.kleene = o->kleene;
    if (!D.status || !D.has_amount || !D.amount || (o->reasons && !D.reason))
        goto done;
    if (evaluate(p, &L, &D, threads, tty))
        goto done;
    double t_eval = now_s();
    /* the plugins' close() before anything is recorded: one that fails
     * there must not leave a run behind that its exit status disowns */
    if (load_close_plugins(&L)) {
        batch_load_error(&L, err, errlen);
        rc = HM_EPLUGIN;
        goto done;
    }
    /* written next: the decisions and, for an undetermined one, which facts
     * were missing; the values themselves make room for the writing */
    facts_drop_values(&L.facts);
    char hash[72];
    pack_hash(p, hash);
    rc = HM_ENOMEM;
    count = mem_alloc(((size_t)D.nhp + (size_t)D.npp + 1) * sizeof *count);
    sum = mem_alloc(((size_t)D.nhp + (size_t)D.npp + 1) * sizeof *sum);
    if (!count || !sum)
        goto done;
    rc = HM_EIO;
    if (totals(p, &L, &D, count, sum, err, errlen))
        goto done;
    if (results_begin(&R, as_of_buf, hash, cfg.path, started, L.nh, L.np, o->reasons, !o->kleene) ||
        write_sources(&R, &L) || write_results(&R, p, &L, &D, tty) || results_commit(&R)) {
        snprintf(err, errlen, "%s: %s", o->out, R.err);
        goto done;
    }
    double t_written = now_s();
    summary(out, p, &D, count, sum);
    print_issues(stderr, p, &L);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr, "huimin: run %lld as of %s: %d households, %d persons, %d threads; results in %s\n",
            (long long)R.run_id, as_of_buf, L.nh, L.np, threads, o->out);
    fprintf(stderr, "timings: load %.3f s, evaluate %.3f s, write %.3f s, total %.3f s\n",
            t_loaded - t_start, t_eval - t_loaded, t_written - t_eval, t_written - t_start);
    fprintf(stderr, "peak memory: %ld MiB\n", ru.ru_maxrss / 1024);
    rc = HM_OK;
done:
    mem_free(count);
    mem_free(sum);
    results_close(&R);
    decisions_free(&D);
    load_close(&L);
    config_free(&cfg);
    return rc;
}
