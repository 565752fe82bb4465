/* fuzz_facts.c -- libFuzzer target: the facts of one household as
 * `huimin run --given` and `huimin explain --given` read them, against the
 * example policies: JSON when the input starts with `{`, else a facts file
 * in the `given` notation of tests (checked with the sources and two of the
 * policies, for speed).  Bad facts must be refused with a
 * message; good ones evaluated and explained. */
#include "huimin.h"
#include "frontend.h"
#include "fuzz.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* the example policies, read once */
static char *pol_name[64], *pol_text[64];
static size_t pol_len[64];
static int npol;
/* compiled once for JSON facts, which do not change the pack */
static hm_compiler *json_c;
/* the names of the policies of each pack: [0] all, [1] a few */
static hm_compiler *few_c;
static const char **policy[2];
static int npolicy[2];

/* The example policies; `few`: only the sources and two policies, for a
 * facts file, which is compiled with them for each input. */
static hm_compiler *examples(int few)
{
    hm_compiler *c = hm_compiler_new();
    if (!c)
        fuzz_fail("out of memory");
    for (int i = 0; i < npol; i++) {
        const char *base = strrchr(pol_name[i], '/') + 1;
        if (few && strcmp(base, "sources.pol") != 0 && strcmp(base, "dibao.pol") != 0 &&
            strcmp(base, "gaoling.pol") != 0)
            continue;
        if (hm_compiler_add_source(c, pol_name[i], pol_text[i], pol_len[i]) != HM_OK)
            fuzz_fail("cannot add %s", pol_name[i]);
    }
    return c;
}

/* The names of the policies of a pack, in *names. */
static int policy_names(hm_compiler *c, const char ***names)
{
    hm_program *p;
    sema *s;
    if (compiler_program(c, &p, &s) != HM_OK) {
        hm_compiler_print_diagnostics(c, stderr);
        fuzz_fail("the example policies have errors");
    }
    if (!(*names = calloc((size_t)p->npolicies + 1, sizeof **names)))
        fuzz_fail("out of memory");
    for (int32_t i = 0; i < p->npolicies; i++)
        (*names)[i] = prog_str(p, p->policies[i].name);
    return p->npolicies;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char dir[4096], path[8192];
    snprintf(dir, sizeof dir, "%s/examples/policies", fuzz_srcdir());
    DIR *d = opendir(dir);
    if (!d)
        fuzz_fail("cannot read %s", dir);
    struct dirent *e;
    while ((e = readdir(d)) && npol < 64) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".pol") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        pol_name[npol] = strdup(path);
        if (!(pol_text[npol] = fuzz_read(path, &pol_len[npol])))
            fuzz_fail("cannot read %s", path);
        npol++;
    }
    closedir(d);
    json_c = examples(0);
    npolicy[0] = policy_names(json_c, &policy[0]);
    /* the names live as long as the compiler */
    few_c = examples(1);
    npolicy[1] = policy_names(few_c, &policy[1]);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i = 0;
    while (i < size && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r'))
        i++;
    int json = i < size && data[i] == '{';
    char path[512], err[1024];
    fuzz_path(json ? "facts.json" : "facts.given", path, sizeof path);
    fuzz_write(path, data, size);
    hm_compiler *c = json ? json_c : examples(1);
    if (!json && hm_compiler_add_facts_file(c, path) != HM_OK)
        goto done;
    int rc = hm_compiler_evaluate(c, json ? path : NULL, "2024-08-01", HM_FORMAT_JSON, fuzz_null(), err,
                                  sizeof err);
    if (rc == HM_OK) {
        /* explaining takes long: one policy per input, as JSON or as the
         * text for the person concerned */
        uint32_t h = 2166136261u;
        for (size_t k = 0; k < size; k++)
            h = (h ^ data[k]) * 16777619u;
        hm_explain_options o = { .given = json ? path : NULL, .as_of = "2024-08-01",
                                 .policy = policy[!json][h % (uint32_t)npolicy[!json]],
                                 .format = h & 1 << 20 ? HM_FORMAT_JSON : HM_FORMAT_TABLE,
                                 .citizen = (h & 1 << 21) != 0 };
        hm_compiler_explain(c, &o, fuzz_null(), err, sizeof err);
    } else if (rc == HM_ERR && !err[0] && hm_compiler_error_count(c) == 0) {
        fuzz_fail("facts refused without a message");
    }
done:
    if (!json)
        hm_compiler_free(c);
    return 0;
}
