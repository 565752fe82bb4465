/* extern_plugin.c -- a test plugin with extern functions and nothing else:
 * `source registry` extern functions for tests/batch/externs.pol. */
#include "huimin_plugin.h"

#include <string.h>

/* 户籍年限: years from the id's 7th–10th digits (a birth year) to `at`'s
 * year, as a stand-in for a registry lookup; unknown for a short id */
HM_PLUGIN_EXPORT int test_registry_years(const char *id, int32_t at, int64_t *result);
HM_PLUGIN_EXPORT int test_registry_years(const char *id, int32_t at, int64_t *result)
{
    if (strlen(id) < 10)
        return HM_EXTERN_UNKNOWN;
    int year = 0;
    for (int i = 6; i < 10; i++) {
        if (id[i] < '0' || id[i] > '9')
            return HM_EXTERN_ERROR;
        year = year * 10 + (id[i] - '0');
    }
    *result = (int64_t)(1970 + at / 365) - year;   /* close enough for a test */
    return HM_EXTERN_KNOWN;
}

/* 加倍: money × 2, and a bool parameter that makes it unknown */
HM_PLUGIN_EXPORT int test_double(int64_t fen, int unknown, int64_t *result);
HM_PLUGIN_EXPORT int test_double(int64_t fen, int unknown, int64_t *result)
{
    if (unknown)
        return HM_EXTERN_UNKNOWN;
    *result = fen * 2;
    return HM_EXTERN_KNOWN;
}

static const hm_extern_desc externs[] = {
    { "户籍年限", "test_registry_years", HM_T_INT, 2, { HM_T_TEXT, HM_T_DATE } },
    { "加倍", "test_double", HM_T_MONEY, 2, { HM_T_MONEY, HM_T_BOOL } },
};

static const hm_field_desc no_fields[1];

static int x_open(const hm_host_api *h, const hm_open_args *a, void **state, hm_plugin_err *err)
{
    *state = NULL;
    return HM_PLUGIN_OK;
}

static int x_fields(void *state, const hm_field_desc **f, uint32_t *n, hm_plugin_err *err)
{
    *f = no_fields;
    *n = 0;
    return HM_PLUGIN_OK;
}

static int x_fetch(void *state, hm_fetch_req *req, hm_plugin_err *err)
{
    return HM_PLUGIN_OK;
}

static void x_close(void *state)
{
}

static const hm_source_desc desc = {
    .size = sizeof(hm_source_desc),
    .abi_major = HM_PLUGIN_ABI_MAJOR,
    .abi_minor = HM_PLUGIN_ABI_MINOR,
    .name = "test-externs",
    .version = "1.0",
    .open = x_open,
    .fields = x_fields,
    .fetch = x_fetch,
    .close = x_close,
    .externs = externs,
    .nexterns = 2,
};

HM_PLUGIN_EXPORT const hm_source_desc *hm_source_v1(const hm_host_api *host)
{
    return &desc;
}
