/* hmpg.h -- what the files of the PostgreSQL extension share. */
#ifndef HMPG_H
#define HMPG_H

#include "postgres.h"

#include "huimin.h"
#include "huimin_plugin.h"

/* huimin.threads: evaluation threads of huimin.run */
extern int hmpg_threads;
/* huimin.timings: a NOTICE with the phases' times after each run */
extern bool hmpg_timings;
/* hm_plugin_register's status for the SPI source (HM_OK: registered) */
extern int hmpg_registered;

/* The pack stored as `name` in huimin.packs, loaded and verified once per
 * backend and loaded again when its row's hash changed (packs.c).  Raises
 * 42704 for an unknown name.  The pack stays owned by the cache; *hash is
 * its "sha256:…". */
const hm_pack *hmpg_pack(const char *name, const char **hash);
/* The cache's evaluator of that pack (one per backend). */
hm_evaluator *hmpg_evaluator(const char *name);
/* The cache's checked compiler of that pack's policy files (for their
 * given tables), or NULL when the pack carries none; after hmpg_pack. */
hm_compiler *hmpg_compiler(const char *name);

/* The SQLSTATE of a libhuimin status. */
int hmpg_sqlstate(int status);

/* spi_source.c: the postgres plugin of huimin.run, over SPI */
const hm_source_desc *hmpg_spi_source(const hm_host_api *host);
/* the calling thread is the backend's, the one that may call PostgreSQL
 * (_PG_init) */
void hmpg_spi_init(void);
/* hm_run_env's io_serve and io_served: several sources read at once, their
 * rows filed on the load's threads, every PostgreSQL call made here */
void hmpg_io_serve(void *ctx);
void hmpg_io_served(void *ctx);
/* Refuse (0A000) a configuration with a source whose plugin is not postgres,
 * before anything is read. */
void hmpg_check_config(const char *config_text);
/* the error a callback saved (message and SQLSTATE), raised after the run */
typedef struct hmpg_error {
    int sqlstate;           /* 0: none saved */
    char message[1024];
} hmpg_error;
extern hmpg_error hmpg_saved_error;
/* guard.c: fn(arg) in a subtransaction of its own; 0, or -1 with the
 * error caught, saved in hmpg_saved_error (the first one) and its message
 * in err.  Never raises. */
int hmpg_guard(void (*fn)(void *), void *arg, char *err, size_t errlen);
/* Save an error of our own (the first one counts). */
void hmpg_save_error(int sqlstate, const char *msg);

/* sink.c: a run's decisions written into the huimin tables; every call
 * made on the backend's thread, none raises.  ctx: the run's memory. */
void hmpg_sink_init(hm_run_sink *s, MemoryContext ctx);
/* the run_id the sink took from huimin.run_ids */
long long hmpg_sink_run_id(const hm_run_sink *s);

#endif
