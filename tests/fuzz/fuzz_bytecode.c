/* fuzz_bytecode.c -- libFuzzer target: bytes as a .hmc module through the
 * loader and the verifier; a module that verifies is disassembled and
 * every policy run over a small household (values known and missing) by
 * the VM, with settling on and off.  Nothing may crash, hang or touch
 * memory it should not.
 *
 * An input whose checksum or size field is wrong is read a second time
 * with both made right, so that mutants reach the verifier and the VM. */
#include "huimin.h"
#include "module.h"
#include "facts.h"
#include "vm.h"
#include "disasm.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* the facts' values: the same for every run of an input */
static uint64_t rng;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void exercise(const hm_program *p, int settle)
{
    hm_facts f;
    if (facts_init(&f, p, 1, 3) < 0)
        return;
    rng = 0x9e3779b97f4a7c15ull;
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
        vm_set_settle(vm, settle);
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

static int load(const unsigned char *b, size_t n)
{
    hm_program p;
    char err[512];
    int rc = module_read_mem(b, n, "fuzz.hmc", &p, err, sizeof err);
    if (rc == 0 && verify_program(&p, "fuzz.hmc", err, sizeof err) == 0) {
        disasm_program(&p, fuzz_null());
        exercise(&p, 1);
        exercise(&p, 0);
    }
    prog_free(&p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (load(data, size) == 0 || size < 64)
        return 0;
    unsigned char *b = malloc(size);
    if (!b)
        return 0;
    memcpy(b, data, size);
    uLong crc = crc32(crc32(0L, Z_NULL, 0), b + 64, (uInt)(size - 64));
    for (int i = 0; i < 4; i++)
        b[44 + i] = (unsigned char)(crc >> (8 * i));
    for (int i = 0; i < 8; i++)
        b[32 + i] = (unsigned char)((uint64_t)size >> (8 * i));
    if (memcmp(b, data, size) != 0)
        load(b, size);
    free(b);
    return 0;
}
