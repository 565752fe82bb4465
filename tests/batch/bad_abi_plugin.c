/* bad_abi_plugin.c -- a plugin built for a future ABI, which huimin must
 * refuse without calling anything else in it. */
#include "huimin_plugin.h"

#include <stdlib.h>

static int never_open(const hm_host_api *h, const hm_open_args *a, void **state, hm_plugin_err *err)
{
    abort();    /* the host must not get this far */
}

static const hm_source_desc desc = {
    .size = sizeof(hm_source_desc) + 64,
    .abi_major = HM_PLUGIN_ABI_MAJOR + 98,
    .abi_minor = 0,
    .name = "from-the-future",
    .open = never_open,
};

HM_PLUGIN_EXPORT const hm_source_desc *hm_source_v1(const hm_host_api *host)
{
    return &desc;
}
