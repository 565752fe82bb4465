/* rogue_plugin.c -- a test plugin that misbehaves on request, to check
 * what huimin does when a plugin ends the process, crashes or hangs, in
 * its own process (isolate = process) and in huimin's.
 *
 *   [source rogue]
 *   plugin = rogue_plugin.so
 *   misbehave = exit-in-fetch | crash-in-fetch | hang-in-fetch |
 *               exit-in-close | crash-in-close | none
 *
 * It lists households H1 … H3 (H1 with one person, the others with two)
 * and gives household.size, household.kind (H3's is a code the policies
 * do not know), person.name (text) and person.paid (records; P3a's list
 * has a bad value), through every host service, so that a run isolated
 * and one in-process can be compared.  Its extern function 离开() calls
 * exit(). */
#include "huimin_plugin.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const hm_host_api *host;

static const hm_field_desc fields[] = {
    { .entity = HM_HOUSEHOLD, .type = HM_T_INT, .name = "size" },
    { .entity = HM_HOUSEHOLD, .type = HM_T_CODE, .name = "kind", .code_set = "kind" },
    { .entity = HM_PERSON, .type = HM_T_TEXT, .name = "name" },
    { .entity = HM_PERSON, .type = HM_T_MONEY, .records = 1, .name = "paid" },
};

static const char *const households[] = { "H1", "H2", "H3" };
static const char *const persons[][2] = { { "P1", "H1" }, { "P2a", "H2" }, { "P2b", "H2" },
                                          { "P3a", "H3" }, { "P3b", "H3" } };

typedef struct state {
    char what[32];
} state;

static void misbehave(const state *s, const char *when)
{
    char want[32];
    snprintf(want, sizeof want, "exit-in-%s", when);
    if (strcmp(s->what, want) == 0)
        exit(0);
    snprintf(want, sizeof want, "crash-in-%s", when);
    if (strcmp(s->what, want) == 0)
        raise(SIGSEGV);
    snprintf(want, sizeof want, "hang-in-%s", when);
    if (strcmp(s->what, want) == 0)
        for (;;)
            pause();
}

static int r_open(const hm_host_api *h, const hm_open_args *a, void **out, hm_plugin_err *err)
{
    state *s = calloc(1, sizeof *s);
    if (!s) {
        h->set_error(err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    *out = s;
    strcpy(s->what, "none");
    for (uint32_t i = 0; i < a->nsettings; i++) {
        if (strcmp(a->settings[i].key, "misbehave") == 0 && strlen(a->settings[i].value) < sizeof s->what) {
            strcpy(s->what, a->settings[i].value);
        } else {
            h->set_error(err, "line %d: unknown setting `%s`", a->settings[i].line, a->settings[i].key);
            return HM_PLUGIN_ERROR;
        }
    }
    return HM_PLUGIN_OK;
}

static int r_fields(void *st, const hm_field_desc **f, uint32_t *n, hm_plugin_err *err)
{
    (void)st, (void)err;
    *f = fields;
    *n = sizeof fields / sizeof *fields;
    return HM_PLUGIN_OK;
}

static int r_population(void *st, hm_population_ctx *ctx, hm_plugin_err *err)
{
    (void)st, (void)err;
    for (int i = 0; i < 3; i++)
        if (host->add_household(ctx, households[i], strlen(households[i])))
            return HM_PLUGIN_ERROR;
    for (int i = 0; i < 5; i++)
        if (host->add_person(ctx, persons[i][0], strlen(persons[i][0]), persons[i][1], strlen(persons[i][1])))
            return HM_PLUGIN_ERROR;
    return HM_PLUGIN_OK;
}

static int r_fetch(void *st, hm_fetch_req *req, hm_plugin_err *err)
{
    (void)err;
    misbehave(st, "fetch");
    int32_t asof = 19936;   /* 2024-08-01 */
    for (uint32_t c = 0; c < req->ncols; c++) {
        const hm_field_desc *f = req->cols[c].field;
        if (strcmp(f->name, "size") == 0) {
            for (int i = 0; i < 3; i++) {
                int64_t r = host->find(req->ctx, households[i], strlen(households[i]));
                if (r >= 0) {
                    req->cols[c].value[r] = i == 0 ? 1 : 2;
                    req->cols[c].known[r] = 1;
                    req->cols[c].as_of[r] = asof;
                }
            }
        } else if (strcmp(f->name, "kind") == 0) {
            for (int i = 0; i < 3; i++) {
                int64_t r = host->find(req->ctx, households[i], strlen(households[i]));
                const char *k = i == 2 ? "suburban" : "rural";
                if (r >= 0)
                    host->put_text(req->ctx, c, (uint32_t)r, k, strlen(k), asof);
            }
        } else if (strcmp(f->name, "name") == 0) {
            for (int i = 0; i < 5; i++) {
                int64_t r = host->find(req->ctx, persons[i][0], strlen(persons[i][0]));
                if (r >= 0)
                    host->put_text(req->ctx, c, (uint32_t)r, "张三", strlen("张三"), asof);
            }
        } else if (strcmp(f->name, "paid") == 0) {
            for (int i = 0; i < 5; i++) {
                int64_t r = host->find(req->ctx, persons[i][0], strlen(persons[i][0]));
                if (r < 0)
                    continue;
                host->records_known(req->ctx, c, (uint32_t)r);
                for (int k = 0; k < i; k++)
                    host->put_record(req->ctx, c, (uint32_t)r, 19800 + 30 * k, 1000 * (k + 1));
                if (i == 3)
                    host->bad_value(req->ctx, c, (uint32_t)r, "person.paid: \"%s\" is not money", "abc");
            }
        }
    }
    return HM_PLUGIN_OK;
}

static void r_close(void *st)
{
    if (st)
        misbehave(st, "close");
    free(st);
}

/* 离开(n): ends the process, as no extern function may */
HM_PLUGIN_EXPORT int rogue_leave(int64_t n, int64_t *result);
HM_PLUGIN_EXPORT int rogue_leave(int64_t n, int64_t *result)
{
    (void)n, (void)result;
    exit(0);
}

static const hm_extern_desc externs[] = {
    { "离开", "rogue_leave", HM_T_INT, 1, { HM_T_INT } },
};

static const hm_source_desc desc = {
    .size = sizeof(hm_source_desc),
    .abi_major = HM_PLUGIN_ABI_MAJOR,
    .abi_minor = HM_PLUGIN_ABI_MINOR,
    .name = "rogue",
    .version = "1",
    .description = "misbehaves on request",
    .open = r_open,
    .fields = r_fields,
    .fetch = r_fetch,
    .population = r_population,
    .close = r_close,
    .externs = externs,
    .nexterns = 1,
};

#ifdef OLD_ABI
/* Built as old_abi_plugin: the descriptor of a plugin built against ABI
 * 1.1, which ends before `identity`.  What lies where `identity` would be
 * is no function: a host that read past `size` would call it and crash. */
static union {
    hm_source_desc d;
    unsigned char bytes[sizeof(hm_source_desc)];
} old;

HM_PLUGIN_EXPORT const hm_source_desc *hm_source_v1(const hm_host_api *h)
{
    host = h;
    old.d = desc;
    old.d.size = HM_SOURCE_DESC_SIZE_1_0;
    old.d.abi_minor = 1;
    memset(old.bytes + HM_SOURCE_DESC_SIZE_1_0, 0x5a, sizeof old.bytes - HM_SOURCE_DESC_SIZE_1_0);
    return &old.d;
}
#else
HM_PLUGIN_EXPORT const hm_source_desc *hm_source_v1(const hm_host_api *h)
{
    host = h;
    return &desc;
}
#endif
