/* vm_bench.c -- the VM's micro-benchmark: evaluate the example pack over an
 * in-memory population and report evaluations per second.
 *
 *   vm_bench [--households N] [--seed S] [--repeat R] [--coverage] [POLICY-DIR]
 *
 * The population is synthetic and deterministic: 1-6 members per
 * household, every fact the pack declares filled with a plausible value of
 * its type (about 2% left missing), a few dated records per person.  Facts
 * are loaded before the clock starts: the figure is facts in memory to
 * decisions.  With --repeat the evaluation runs R times and the median is
 * reported, of the wall time and of the processor time (on a busy machine
 * the steadier of the two).  With --coverage the same evaluation runs again with
 * the per-condition tracing hook on, and the ratio of the two times is
 * printed (the cost of tracing; off must cost nothing). */
#include "huimin.h"
#include "frontend.h"
#include "facts.h"
#include "vm.h"
#include "calendar.h"
#include "mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static double clock_s(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }

/* the processor time of this thread: on a shared machine, what the
 * evaluation cost without the time it waited for a processor */
static double cpu_now(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID); }

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int64_t value_of(const hm_program *p, const hm_field *fd, hm_facts *f, const int64_t *texts, int ntexts)
{
    switch (fd->vtype) {
    case VT_BOOL: return next() % 5 == 0;
    case VT_INT: return next() % 6;
    case VT_MONEY: return (int64_t)(next() % 500000);                 /* 0-5000 yuan */
    case VT_DECIMAL: return (int64_t)(next() % 1000000);
    case VT_DATE: return cal_from_ymd(1930 + (int)(next() % 90), 1 + (int)(next() % 12), 1 + (int)(next() % 28));
    case VT_TEXT: return texts[next() % (uint32_t)ntexts];
    case VT_CODE: {
        int32_t n = fd->codeset >= 0 ? p->codesets[fd->codeset].nlabels : 1;
        return n > 0 ? (int64_t)(next() % (uint32_t)n) : 0;
    }
    default: return (int64_t)(next() % 100);
    }
    (void)f;
}

typedef struct counts {
    long long eligible, not_eligible, undetermined;
} counts;

/* Evaluate every household once; returns the wall time, the processor
 * time in *cpu. */
static double evaluate(const hm_program *p, const hm_facts *f, int32_t as_of, uint8_t *cover,
                       counts *c, long long *decisions, double *cpu)
{
    hm_vm *vm = vm_new(p);
    if (!vm) {
        fprintf(stderr, "vm_bench: out of memory\n");
        exit(2);
    }
    vm_bind(vm, f, as_of);
    vm_set_coverage(vm, cover);
    memset(c, 0, sizeof *c * (size_t)p->npolicies);
    *decisions = 0;
    double t0 = now(), c0 = cpu_now();
    for (int32_t h = 0; h < f->nhouse; h++) {
        if (vm_begin_household(vm, h) < 0) {
            fprintf(stderr, "vm_bench: out of memory\n");
            exit(2);
        }
        for (int32_t i = 0; i < p->npolicies; i++) {
            int n = p->policies[i].entity == ENT_PERSON ? f->hh_count[h] : 1;
            for (int m = 0; m < n; m++) {
                const hm_decision *d = vm_decide(vm, i, p->policies[i].entity == ENT_PERSON ? m : -1);
                if (d->status == DEC_ELIGIBLE) c[i].eligible++;
                else if (d->status == DEC_NOT_ELIGIBLE) c[i].not_eligible++;
                else c[i].undetermined++;
                (*decisions)++;
            }
        }
    }
    double t = now() - t0;
    *cpu = cpu_now() - c0;
    vm_free(vm);
    return t;
}

int main(int argc, char **argv)
{
    long households = 1000000;
    uint64_t seed = 20240801;
    int coverage = 0, repeat = 1;
    const char *dir = "examples/policies";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--households") && i + 1 < argc)
            households = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--coverage"))
            coverage = 1;
        else if (argv[i][0] != '-')
            dir = argv[i];
        else {
            fprintf(stderr, "usage: vm_bench [--households N] [--seed S] [--repeat R] [--coverage] [POLICY-DIR]\n");
            return 2;
        }
    }
    if (households < 1 || households > 50000000) {
        fprintf(stderr, "vm_bench: --households must be 1 to 50,000,000\n");
        return 2;
    }
    if (repeat < 1 || repeat > 100) {
        fprintf(stderr, "vm_bench: --repeat must be 1 to 100\n");
        return 2;
    }
    rng = seed * 2654435761u + 1;

    hm_compiler *c = hm_compiler_new();
    hm_program *p;
    sema *s;
    if (!c || hm_compiler_add_path(c, dir) != HM_OK || compiler_program(c, &p, &s) != HM_OK) {
        if (c)
            hm_compiler_print_diagnostics(c, stderr);
        fprintf(stderr, "vm_bench: cannot compile %s\n", dir);
        return 2;
    }

    /* the population */
    double t0 = now();
    int32_t nh = (int32_t)households;
    int32_t *sizes = malloc(sizeof *sizes * (size_t)nh);
    int64_t np = 0;
    for (int32_t h = 0; h < nh; h++) {
        sizes[h] = 1 + (int32_t)(next() % 6);
        np += sizes[h];
    }
    hm_facts f;
    if (facts_init(&f, p, nh, (int32_t)np) < 0) {
        fprintf(stderr, "vm_bench: out of memory for %ld households\n", households);
        return 2;
    }
    static const char *const regions[] = { "330100", "330200", "330300", "330400", "110100" };
    int64_t texts[5];
    for (int i = 0; i < 5; i++)
        texts[i] = facts_text(&f, regions[i]);
    int32_t as_of = cal_from_ymd(2024, 8, 1);
    int32_t first = 0;
    for (int32_t h = 0; h < nh; h++) {
        f.hh_first[h] = first;
        f.hh_count[h] = sizes[h];
        if (sizes[h] > f.max_members)
            f.max_members = sizes[h];
        first += sizes[h];
    }
    for (int32_t i = 0; i < p->nfields; i++) {
        const hm_field *fd = &p->fields[i];
        if (fd->records) {
            for (int32_t who = 0; who < f.rcol[fd->column].owners; who++) {     /* households or persons */
                facts_records_known(&f, fd->column, who);
                int nrec = (int)(next() % 4);
                for (int r = 0; r < nrec; r++)
                    facts_add_record(&f, fd->column, who, as_of - (int32_t)(next() % 730),
                                     value_of(p, fd, &f, texts, 5));
            }
            continue;
        }
        hm_column *col = fd->entity == ENT_HOUSEHOLD ? &f.hcol[fd->column] : &f.pcol[fd->column];
        int32_t n = fd->entity == ENT_HOUSEHOLD ? nh : (int32_t)np;
        for (int32_t k = 0; k < n; k++) {
            if (next() % 50 == 0)
                continue;   /* about 2% missing */
            col->v[k] = value_of(p, fd, &f, texts, 5);
            col->state[k] = FACT_KNOWN;
            col->asof[k] = as_of - (int32_t)(next() % 40);
        }
    }
    facts_sort_records(&f);
    facts_apply_freshness(&f, p, as_of);
    double load = now() - t0;

    counts *cnt = calloc((size_t)p->npolicies, sizeof *cnt);
    long long decisions;
    double *wall = malloc(sizeof *wall * (size_t)repeat), *cpu = malloc(sizeof *cpu * (size_t)repeat);
    for (int r = 0; r < repeat; r++)
        wall[r] = evaluate(p, &f, as_of, NULL, cnt, &decisions, &cpu[r]);
    qsort(wall, (size_t)repeat, sizeof *wall, by_value);
    qsort(cpu, (size_t)repeat, sizeof *cpu, by_value);
    double plain = wall[repeat / 2], plain_cpu = cpu[repeat / 2];
    printf("population: %d households, %lld persons (built in %.2f s)\n", nh, (long long)np, load);
    printf("explain off: %lld decisions in %.3f s (processor %.3f s%s): %.0f households/s, %.0f decisions/s\n",
           decisions, plain, plain_cpu, repeat > 1 ? ", medians" : "", (double)nh / plain_cpu,
           (double)decisions / plain_cpu);
    free(wall);
    free(cpu);
    printf("\n%-18s %12s %12s %12s\n", "policy", "eligible", "not eligible", "undetermined");
    for (int32_t i = 0; i < p->npolicies; i++)
        printf("%-18s %12lld %12lld %12lld\n", prog_str(p, p->policies[i].name), cnt[i].eligible,
               cnt[i].not_eligible, cnt[i].undetermined);
    if (coverage) {
        uint8_t *cover = calloc((size_t)p->nconds + 1, 1);
        long long d2;
        double traced_cpu;
        double traced = evaluate(p, &f, as_of, cover, cnt, &d2, &traced_cpu);
        printf("\ntracing on (the per-condition hook that coverage and explain use): %.3f s (processor %.3f s), "
               "%.0f households/s\n", traced, traced_cpu, (double)nh / traced_cpu);
        printf("ratio traced/plain = %.3f (processor time)\n", traced_cpu / plain_cpu);
        free(cover);
    }
    free(cnt);
    free(sizes);
    facts_free(&f);
    hm_compiler_free(c);
    return 0;
}
