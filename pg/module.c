/* module.c -- the extension's entry: its settings, the SPI source plugin
 * registered once per backend, libhuimin's statuses as SQLSTATEs. */
#include "hmpg.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

int hmpg_threads = 1;
bool hmpg_timings = false;
int hmpg_registered = -1;

void _PG_init(void);

void _PG_init(void)
{
    DefineCustomIntVariable("huimin.threads",
                            "Threads huimin.run evaluates households on.",
                            "As many sources are read at once; every PostgreSQL call, reading and "
                            "writing, is made on the backend's own thread.",
                            &hmpg_threads, 1, 1, 256, PGC_USERSET, 0, NULL, NULL, NULL);
    DefineCustomBoolVariable("huimin.timings",
                             "huimin.run reports the time of each phase in a NOTICE.",
                             NULL, &hmpg_timings, false, PGC_USERSET, 0, NULL, NULL, NULL);
    MarkGUCPrefixReserved("huimin");
    /* a source with plugin = postgres reads this database through SPI;
     * huimin.run says so when this failed (evaluate needs no sources) */
    hmpg_spi_init();
    hmpg_registered = hm_plugin_register("postgres", hmpg_spi_source);
}

#ifdef HMPG_SANITIZED
/* A sanitizer build (--enable-asan, --enable-ubsan): the server cannot
 * preload the runtimes (tests/pg/lib.sh says why), so they come in with
 * libhuimin when a backend loads this module.  They read their options
 * from the process's first environment, which the server has written its
 * process titles over by then, so the options are given here: a runtime
 * loaded late is expected, and the server's own memory is not ours to
 * call leaked. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "verify_asan_link_order=0:detect_leaks=0:abort_on_error=1:halt_on_error=1";
}

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "print_stacktrace=1:halt_on_error=1";
}
#endif

int hmpg_sqlstate(int status)
{
    switch (status) {
    case HM_ENOMEM:
        return ERRCODE_OUT_OF_MEMORY;
    case HM_ECORRUPT:
        return ERRCODE_INVALID_BINARY_REPRESENTATION;
    case HM_EUSAGE:
        return ERRCODE_INVALID_PARAMETER_VALUE;
    case HM_EPLUGIN:
    case HM_EIO:
    case HM_EABI:
        return ERRCODE_SYSTEM_ERROR;
    default:
        return ERRCODE_INTERNAL_ERROR;
    }
}
