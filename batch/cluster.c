/* cluster.c -- a run over several nodes: not in this build. */
#include "cluster.h"

#include <stdio.h>

int cluster_run(const hm_pack *k, const hm_run_options *o, const hm_config *cfg, hm_run_summary **out,
                char *err, size_t errlen)
{
    (void)k, (void)o, (void)cfg;
    *out = NULL;
    snprintf(err, errlen, "cluster runs: not built");
    return HM_EUSAGE;
}
