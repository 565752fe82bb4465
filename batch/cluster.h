/* cluster.h -- a run over several nodes, as a configuration's [cluster]
 * section says (docs/commands.md): each node runs its own shard, the
 * coordinator records the one run. */
#ifndef HM_CLUSTER_H
#define HM_CLUSTER_H

#include "huimin.h"
#include "configfile.h"

/* The run of pack k over cfg's nodes, recorded in o->out as hm_run would
 * record it; statuses and *out as hm_run's. */
int cluster_run(const hm_pack *k, const hm_run_options *o, const hm_config *cfg, hm_run_summary **out,
                char *err, size_t errlen);

#endif
