/* embed_api.h -- libhuimin's embedding API (hm_run_with, hm_plugin_register)
 * as agreed, until include/huimin.h declares it; weak, so that the module
 * loads against a library without it and says so when a run is asked for. */
#ifndef HMPG_EMBED_API_H
#define HMPG_EMBED_API_H

#include "huimin.h"
#include "huimin_plugin.h"

typedef struct hm_sink_run {
    const char *as_of, *pack_hash, *config, *config_text, *config_sets, *version, *started;
    long long households, persons;
    int reasons, settled, store_all;
} hm_sink_run;

typedef struct hm_run_sink {
    size_t size;
    void *ctx;
    int (*begin)(void *ctx, const hm_sink_run *run, long long *run_id, char *err, size_t errlen);
    int (*source)(void *ctx, const char *source, const char *plugin, int isolated, const char *identity,
                  char *err, size_t errlen);
    int (*policy)(void *ctx, int policy, const char *name, const char *label, int entity, int period,
                  char *err, size_t errlen);
    int (*reason)(void *ctx, int reason, const char *text, char *err, size_t errlen);
    int (*entity)(void *ctx, long long entity, int kind, const char *id, long long household,
                  char *err, size_t errlen);
    int (*decision)(void *ctx, long long entity, int policy, int status, int has_amount, long long amount_fen,
                    int reason, const char *missing, const char *message, int claim, char *err, size_t errlen);
    int (*issue)(void *ctx, const char *source, int entity_kind, const char *entity_id, const char *field,
                 const char *issue, const char *detail, char *err, size_t errlen);
    int (*not_eligible)(void *ctx, int policy, int reason, long long count, char *err, size_t errlen);
    int (*not_applicable)(void *ctx, int policy, long long count, char *err, size_t errlen);
    int (*commit)(void *ctx, char *err, size_t errlen);
    void (*abort)(void *ctx);
} hm_run_sink;

typedef struct hm_run_env {
    size_t size;
    const char *config_text;
    const hm_run_sink *sink;
    int calling_thread_io;
} hm_run_env;

int hm_run_with(const hm_pack *k, const hm_run_options *o, const hm_run_env *env, hm_run_summary **out,
                char *err, size_t errlen) __attribute__((weak));
int hm_plugin_register(const char *name, hm_source_entry_fn entry) __attribute__((weak));

#endif
