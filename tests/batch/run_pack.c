/* run_pack.c -- `run_pack PACK.hmc CONFIG RESULTS.db [--reasons] [SET]...`:
 * a population run of a compiled pack through the library (hm_run), as an
 * embedding program makes it.  hm_run prints nothing: this prints one line,
 * "run N PACK-HASH", and the counts per policy "NAME E N U TOTAL PERIOD
 * ERRORS", or the error and exits 2. */
#include "huimin.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: run_pack PACK.hmc CONFIG RESULTS.db [--reasons] [SET]...\n");
        return 2;
    }
    char err[4096];
    hm_pack *k;
    if (hm_pack_load(argv[1], &k, err, sizeof err) != HM_OK) {
        fprintf(stderr, "run_pack: %s\n", err);
        return 2;
    }
    const char *sets[64];
    hm_run_options o = { .config = argv[2], .out = argv[3], .sets = sets, .progress = 0 };
    for (int i = 4; i < argc && o.nsets < 64; i++) {
        if (strcmp(argv[i], "--reasons") == 0)
            o.reasons = 1;
        else
            sets[o.nsets++] = argv[i];
    }
    hm_run_summary *s;
    int rc = hm_run(k, &o, &s, err, sizeof err);
    if (rc != HM_OK) {
        fprintf(stderr, "run_pack: %s (%s)\n", err, hm_status_string(rc));
        hm_pack_free(k);
        return 2;
    }
    printf("run %lld %s\n", hm_run_summary_run_id(s), hm_run_summary_pack_hash(s));
    for (int i = 0; i < hm_run_summary_policy_count(s); i++)
        printf("%s %lld %lld %lld %lld %d %lld\n", hm_run_summary_policy_name(s, i),
               hm_run_summary_count(s, i, HM_ELIGIBLE), hm_run_summary_count(s, i, HM_NOT_ELIGIBLE),
               hm_run_summary_count(s, i, HM_UNDETERMINED), hm_run_summary_total(s, i),
               hm_run_summary_policy_period(s, i), hm_run_summary_errors(s, i));
    hm_run_summary_free(s);
    hm_pack_free(k);
    return 0;
}
