/* server.h -- `huimin serve`: the JSON API (docs/serve.md) over
 * libmicrohttpd, on the runtime API of huimin.h. */
#ifndef HM_SERVER_H
#define HM_SERVER_H

#include <stddef.h>

typedef struct server_options {
    const char *pack;           /* a .hmc file or a folder of policy files */
    const char *config;         /* the source configuration (/review/), or NULL */
    const char *listen;         /* "127.0.0.1:8080" */
    const char *as_of;          /* the default date of decisions, or NULL: today, UTC */
    int threads;                /* worker threads; 0: one per core */
    size_t max_body;            /* bytes */
    unsigned timeout;           /* seconds a connection may stay idle */
    const char *cors;           /* the origin allowed, or NULL: no CORS headers */
    const char *access_log;     /* a file, "-" for standard output, or NULL */
    const char *results;        /* a results database (/review/report), or NULL */
} server_options;

/* Serve until SIGINT or SIGTERM (reloading the pack on SIGHUP).  Returns
 * the exit status: 0 stopped by a signal, 2 the pack, the configuration or
 * the address could not be used (message printed). */
int server_run(const server_options *o);

#endif
