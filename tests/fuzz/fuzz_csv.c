/* fuzz_csv.c -- libFuzzer target: bytes as a CSV file served by the csv
 * plugin.  The population (tests/fuzz/csv/hh.csv, person.csv) is fixed;
 * the input is the file of three tables at once: `t` (one field of each
 * kind per person, with an as-of column), `h` (household fields) and `r`
 * (records), read for tests/fuzz/csv/fuzz.pol.  The whole population is
 * loaded and decided, and household H1 explained.  The plugin is the one
 * built beside this target, loaded as huimin loads it. */
#include "huimin.h"
#include "frontend.h"
#include "load.h"
#include "vm.h"
#include "fuzz.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static hm_compiler *comp;
static hm_program *prog;
static char conf[512], data[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char path[4096], plugin[4096];
    const char *dir = fuzz_tmpdir();
    snprintf(plugin, sizeof plugin, "%s/plugins/.libs/csv.so", FUZZ_BUILDDIR);
    /* held open for good: the plugin is not unloaded and loaded again for
     * each input (its coverage counters would be registered every time) */
    if (!dlopen(plugin, RTLD_NOW))
        fuzz_fail("cannot load %s: %s", plugin, dlerror());
    static const char *const fixed[] = { "hh.csv", "person.csv" };
    for (int i = 0; i < 2; i++) {
        size_t n;
        snprintf(path, sizeof path, "%s/tests/fuzz/csv/%s", fuzz_srcdir(), fixed[i]);
        char *text = fuzz_read(path, &n);
        if (!text)
            fuzz_fail("cannot read %s", path);
        fuzz_write(fuzz_path(fixed[i], path, sizeof path), text, n);
        free(text);
    }
    fuzz_path("data.csv", data, sizeof data);
    static const char *const tables[] = { "t.csv", "h.csv", "r.csv" };
    for (int i = 0; i < 3; i++)
        if (symlink("data.csv", fuzz_path(tables[i], path, sizeof path)) != 0)
            fuzz_fail("cannot link %s", path);
    char text[4096];
    int n = snprintf(text, sizeof text,
        "[run]\npopulation = s\nas_of = 2024-08-01\n\n[source s]\nplugin = %s\ndirectory = %s\n"
        "households = hh\npersons = person\nkey.hh = hh_id\nkey.person = person_id\n"
        "persons.household = hh_id\nkey.t = id\nas_of.t = asof\nkey.h = id\nkey.r = id\ndate.r = d\n"
        "household.hm = h.m money\nhousehold.hd = h.d date\nperson.b = t.b bool\n"
        "person.n = t.n int\nperson.m = t.m money per month\nperson.y = t.y money per year in yuan\n"
        "person.x = t.x decimal\nperson.d = t.d date\nperson.s = t.s text\n"
        "person.c = t.c code marital\nperson.r = r.m records of money\n", plugin, dir);
    fuzz_write(fuzz_path("fuzz.conf", conf, sizeof conf), text, (size_t)n);
    snprintf(path, sizeof path, "%s/tests/fuzz/csv/fuzz.pol", fuzz_srcdir());
    sema *s;
    if (!(comp = hm_compiler_new()) || hm_compiler_add_path(comp, path) != HM_OK ||
        compiler_program(comp, &prog, &s) != HM_OK) {
        if (comp)
            hm_compiler_print_diagnostics(comp, stderr);
        fuzz_fail("cannot compile %s", path);
    }
    return 0;
}

/* Load the whole population and decide every policy for every household. */
static void run(void)
{
    hm_config cfg;
    if (config_read(&cfg, conf) != 0)
        fuzz_fail("%s", cfg.err);
    hm_load L;
    int32_t as_of = 19936;  /* 2024-08-01 */
    if (load_open(&L, prog, &cfg, as_of) == 0 && load_population(&L) == 0 && load_facts(&L) == 0) {
        hm_vm *vm = vm_new(prog);
        if (!vm)
            fuzz_fail("out of memory");
        vm_bind(vm, &L.facts, as_of);
        for (int32_t h = 0; h < L.facts.nhouse; h++) {
            if (vm_begin_household(vm, h) != 0)
                continue;
            for (int32_t i = 0; i < prog->npolicies; i++)
                if (prog->policies[i].entity == ENT_PERSON)
                    for (int32_t m = 0; m < L.facts.hh_count[h]; m++)
                        vm_decide(vm, i, m);
                else
                    vm_decide(vm, i, -1);
        }
        vm_free(vm);
    } else if (!L.err[0]) {
        fuzz_fail("a load failed without a message");
    }
    load_close(&L);
    config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    fuzz_write(data, bytes, size);
    run();
    char err[8192];
    hm_explain_options o = { .config = conf, .household = "H1", .format = HM_FORMAT_JSON };
    hm_compiler_explain(comp, &o, fuzz_null(), err, sizeof err);
    return 0;
}
