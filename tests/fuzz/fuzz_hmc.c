/* fuzz_hmc.c -- mutate a compiled module many ways and require that the
 * loader refuses each mutant or runs it without crashing, hanging or
 * touching memory it should not (the sanitizer build checks the last).
 *
 * The pack is compiled from $SRCDIR/examples/policies.  Half the mutants
 * keep a valid checksum (it is recomputed after the mutation) so that they
 * get past the container checks and exercise the verifier and the VM.
 * Usage: fuzz_hmc [MUTANTS] (default 10000); deterministic (fixed seed). */
#include "huimin.h"
#include "module.h"
#include "facts.h"
#include "vm.h"
#include "mem.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void fix_crc(unsigned char *b, size_t n)
{
    if (n < 64)
        return;
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, b + 64, (uInt)(n - 64));
    for (int i = 0; i < 4; i++)
        b[44 + i] = (unsigned char)(crc >> (8 * i));
    /* keep the size field honest too, so the mutant reaches the sections */
    for (int i = 0; i < 8; i++)
        b[32 + i] = (unsigned char)((uint64_t)n >> (8 * i));
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "fuzz_hmc: a mutant ran for too long (hang)\n";
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do */ }
    _exit(1);
}

/* Evaluate every policy of a verified program over a small household whose
 * facts are all set, half of them missing. */
static void exercise(const hm_program *p)
{
    hm_facts f;
    if (facts_init(&f, p, 1, 3) < 0)
        return;
    f.hh_first[0] = 0;
    f.hh_count[0] = 3;
    for (int c = 0; c < f.nh; c++) {
        f.hcol[c].v[0] = (int64_t)(next() % 100000);
        f.hcol[c].state[0] = next() % 2 ? FACT_KNOWN : FACT_MISSING;
    }
    for (int c = 0; c < f.np; c++)
        for (int k = 0; k < 3; k++) {
            f.pcol[c].v[k] = (int64_t)(next() % 100000) - 10;
            f.pcol[c].state[k] = next() % 2 ? FACT_KNOWN : FACT_MISSING;
        }
    for (int c = 0; c < f.nr; c++)
        for (int k = 0; k < f.rcol[c].owners; k++)     /* the household's, or each person's */
            for (int r = 0; r < 3; r++)
                facts_add_record(&f, c, k, 19700 + (int32_t)(next() % 400), (int64_t)(next() % 10000));
    facts_sort_records(&f);
    hm_vm *vm = vm_new(p);
    if (vm) {
        vm_bind(vm, &f, 19900);
        if (vm_begin_household(vm, 0) == 0)
            for (int32_t i = 0; i < p->npolicies; i++) {
                if (p->policies[i].entity == ENT_PERSON)
                    for (int m = 0; m < 3; m++)
                        vm_decide(vm, i, m);
                else
                    vm_decide(vm, i, -1);
            }
        vm_free(vm);
    }
    facts_free(&f);
}

int main(int argc, char **argv)
{
    int mutants = argc > 1 ? atoi(argv[1]) : 10000;
    const char *srcdir = getenv("SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/policies", srcdir ? srcdir : ".");
    char tmpl[] = "/tmp/fuzz_hmc_XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return 99;
    close(fd);
    hm_compiler *c = hm_compiler_new();
    if (!c || hm_compiler_add_path(c, path) != HM_OK || hm_compiler_write(c, tmpl) != HM_OK) {
        if (c)
            hm_compiler_print_diagnostics(c, stderr);
        fprintf(stderr, "fuzz_hmc: cannot compile %s\n", path);
        remove(tmpl);
        return 99;
    }
    hm_compiler_free(c);
    FILE *fp = fopen(tmpl, "rb");
    unsigned char *orig = malloc(1 << 22);
    size_t n = fp ? fread(orig, 1, 1 << 22, fp) : 0;
    if (fp)
        fclose(fp);
    remove(tmpl);
    if (n < 64)
        return 99;
    /* the original loads */
    hm_pack *k;
    char err[512];
    if (hm_pack_load_mem(orig, n, &k, err, sizeof err) != HM_OK) {
        fprintf(stderr, "fuzz_hmc: the unmutated module is refused: %s\n", err);
        return 1;
    }
    hm_pack_free(k);
    signal(SIGALRM, on_alarm);
    unsigned char *buf = malloc(n + 4096);
    int refused = 0, accepted = 0;
    for (int m = 0; m < mutants; m++) {
        size_t len = n;
        memcpy(buf, orig, n);
        int kind = (int)(next() % 5);
        switch (kind) {
        case 0: /* flip bits */
            for (int j = 0, flips = 1 + (int)(next() % 8); j < flips; j++)
                buf[next() % len] ^= (unsigned char)(1u << (next() % 8));
            break;
        case 1: /* truncate */
            len = next() % n;
            break;
        case 2: /* extend with random bytes */
            for (size_t j = 0, extra = 1 + next() % 4000; j < extra; j++)
                buf[len++] = (unsigned char)next();
            break;
        case 3: /* overwrite a 32-bit word with an interesting value */
        default: {
            static const uint32_t vals[] = { 0, 1, 0xff, 0xffff, 0x7fffffff, 0x80000000u, 0xffffffffu, 255, 256 };
            size_t at = 64 + (next() % (len - 64)) / 4 * 4;
            uint32_t v = vals[next() % (sizeof vals / sizeof vals[0])];
            if (at + 4 <= len)
                memcpy(buf + at, &v, 4);
            break;
        }
        }
        if (m % 2 == 0)
            fix_crc(buf, len);
        alarm(10);
        hm_program prog;
        if (module_read_mem(buf, len, "mutant", &prog, err, sizeof err) == 0 &&
            verify_program(&prog, "mutant", err, sizeof err) == 0) {
            accepted++;
            exercise(&prog);
        } else {
            refused++;
        }
        prog_free(&prog);
        alarm(0);
    }
    free(buf);
    free(orig);
    printf("fuzz_hmc: %d mutants: %d refused, %d verified and run\n", mutants, refused, accepted);
    printf("%d passed, 0 failed\n", mutants);
    return 0;
}
