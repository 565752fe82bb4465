/* route.h -- the pieces of the HTTP server that need no socket: which
 * handler a request goes to, the JSON error bodies, the request body
 * limit, the --listen address and the access log line. */
#ifndef HM_SERVER_ROUTE_H
#define HM_SERVER_ROUTE_H

#include <netinet/in.h>
#include <stddef.h>

typedef enum route {
    R_NONE = 0,         /* answered with an error: status in route_find's *status */
    R_HEALTH, R_POLICIES, R_CALCULATE, R_EXPLAIN, R_NEEDS,
    R_REVIEW_EXPLAIN, R_REVIEW_REPORT,
    R_ASSET,            /* a GET outside /v1/ and /review/: the calculator's files */
    R_PREFLIGHT         /* OPTIONS with --cors */
} route;

/* The handler of METHOD on URL (the path, without the query).  R_NONE
 * with *status 404 (no such path) or 405 (*allow then names the methods
 * the path takes).  OPTIONS is a preflight only when cors is set. */
route route_find(const char *method, const char *url, int cors, int *status, const char **allow);

/* The "code" of an error status: "bad_request", "not_found", … */
const char *route_error_code(int status);
/* {"error":{"status":S,"code":C,"message":M}} (owned, free()), or NULL
 * out of memory. */
char *route_error_json(int status, const char *message, size_t *len);

/* A request body being received, refused past `max` bytes. */
typedef struct body {
    char *data;
    size_t len, cap;
    int too_large;
} body;
/* Append n bytes.  0; -1 past the limit (too_large set, nothing kept);
 * -2 out of memory. */
int body_append(body *b, const char *data, size_t n, size_t max);
void body_free(body *b);

/* "127.0.0.1:8080", "localhost:8080", ":8080" (127.0.0.1), "0.0.0.0:80".
 * 0, or -1 with a message in err. */
int route_parse_listen(const char *text, struct sockaddr_in *out, char *err, size_t errlen);

/* One access log line: "METHOD PATH STATUS BYTES MICROSECONDS\n", ID
 * numbers in the path or query masked and control characters replaced.
 * Never a body.  Cut (with "…") to fit n bytes. */
void route_log_line(char *buf, size_t n, const char *method, const char *path, const char *query, int status,
                    size_t bytes, long long usec);

#endif
