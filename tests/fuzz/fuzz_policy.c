/* fuzz_policy.c -- libFuzzer target: policy text through the parser and
 * checker to its diagnostics; a policy that checks cleanly must compile
 * to bytecode that verifies, survive a round trip through the module
 * format, and run its own tests.
 *
 * A line "%%" splits the input into several files (a pack: a module and
 * those that `use` it). */
#include "huimin.h"
#include "frontend.h"
#include "module.h"
#include "mem.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hm_compiler *c = hm_compiler_new();
    if (!c)
        return 0;
    const char *s = (const char *)data, *end = s + size;
    int nfiles = 0;
    while (s <= end) {
        const char *cut = NULL;
        for (const char *q = s; q + 3 <= end && !cut; q++)
            if (q[0] == '%' && q[1] == '%' && q[2] == '\n' && (q == s || q[-1] == '\n'))
                cut = q;
        char name[32];
        snprintf(name, sizeof name, "fuzz%d.pol", ++nfiles);
        if (hm_compiler_add_source(c, name, s, (size_t)((cut ? cut : end) - s)) != HM_OK)
            goto done;
        if (!cut)
            break;
        s = cut + 3;
    }
    int rc = hm_compiler_check(c);
    hm_compiler_print_diagnostics(c, fuzz_null());
    if (rc != HM_OK)
        goto done;
    hm_compiler_dump_ast(c, fuzz_null());
    hm_program *p;
    sema *sm;
    rc = compiler_program(c, &p, &sm);
    if (rc == HM_ENOMEM)
        goto done;
    if (rc != HM_OK) {
        /* the one refusal the checker cannot foresee: code generation's own
         * limits (registers, jump lengths), reported at the rule */
        char *text = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&text, &n);
        if (f) {
            hm_compiler_print_diagnostics(c, f);
            fclose(f);
        }
        int limit = text && strstr(text, "is too large to compile");
        free(text);
        if (limit)
            goto done;
        hm_compiler_print_diagnostics(c, stderr);
        fuzz_fail("a pack that checks cleanly does not compile");
    }
    unsigned char *buf;
    size_t len;
    if (module_encode(p, &buf, &len) == 0) {
        hm_program q;
        char err[512];
        if (module_read_mem(buf, len, "(encoded)", &q, err, sizeof err) != 0 ||
            verify_program(&q, "(encoded)", err, sizeof err) != 0)
            fuzz_fail("a compiled pack is refused once written: %s", err);
        prog_free(&q);
        mem_free(buf);
    }
    hm_test_summary sum;
    hm_compiler_run_tests(c, fuzz_null(), HM_TEST_COVERAGE, &sum);
done:
    hm_compiler_free(c);
    return 0;
}
