/* route.c -- routing, error bodies, limits and log lines of the server. */
#include "route.h"
#include "mask.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *path, *method;
    route r;
} routes[] = {
    { "/v1/health", "GET", R_HEALTH },
    { "/v1/policies", "GET", R_POLICIES },
    { "/v1/calculate", "POST", R_CALCULATE },
    { "/v1/explain", "POST", R_EXPLAIN },
    { "/v1/needs", "POST", R_NEEDS },
    { "/review/explain", "GET", R_REVIEW_EXPLAIN },
    { "/review/report", "GET", R_REVIEW_REPORT },
};

static int prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

route route_find(const char *method, const char *url, int cors, int *status, const char **allow)
{
    *status = 200;
    *allow = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(url, routes[i].path) != 0)
            continue;
        if (strcmp(method, routes[i].method) == 0)
            return routes[i].r;
        if (!strcmp(routes[i].method, "GET") && !strcmp(method, "HEAD"))
            return routes[i].r;
        if (cors && !strcmp(method, "OPTIONS"))
            return R_PREFLIGHT;
        *allow = !strcmp(routes[i].method, "GET") ? "GET, HEAD" : routes[i].method;
        *status = 405;
        return R_NONE;
    }
    if (prefix(url, "/v1/") || !strcmp(url, "/v1") || prefix(url, "/review/") || !strcmp(url, "/review")) {
        *status = 404;
        return R_NONE;
    }
    if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
        return R_ASSET;
    if (cors && !strcmp(method, "OPTIONS"))
        return R_PREFLIGHT;
    *allow = "GET, HEAD";
    *status = 405;
    return R_NONE;
}

const char *route_error_code(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 408: return "timeout";
    case 413: return "too_large";
    case 503: return "unavailable";
    default: return "internal";
    }
}

char *route_error_json(int status, const char *message, size_t *len)
{
    json_t *doc = json_pack("{s:{s:i, s:s, s:s}}", "error", "status", status, "code", route_error_code(status),
                            "message", message);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (text && len)
        *len = strlen(text);
    return text;
}

int body_append(body *b, const char *data, size_t n, size_t max)
{
    if (b->too_large || n > max || b->len > max - n) {
        b->too_large = 1;
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
        return -1;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *more = realloc(b->data, cap);
        if (!more)
            return -2;
        b->data = more;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

void body_free(body *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int route_parse_listen(const char *text, struct sockaddr_in *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    const char *colon = strrchr(text, ':');
    if (!colon) {
        snprintf(err, errlen, "--listen %s: expected HOST:PORT (127.0.0.1:8080)", text);
        return -1;
    }
    char host[64];
    size_t hl = (size_t)(colon - text);
    if (hl >= sizeof host) {
        snprintf(err, errlen, "--listen %s: the host is not an IPv4 address", text);
        return -1;
    }
    memcpy(host, text, hl);
    host[hl] = '\0';
    if (!hl || !strcmp(host, "localhost"))
        strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &out->sin_addr) != 1) {
        snprintf(err, errlen, "--listen %s: the host is not an IPv4 address", text);
        return -1;
    }
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port < 0 || port > 65535) {
        snprintf(err, errlen, "--listen %s: the port is not a number from 0 to 65535", text);
        return -1;
    }
    out->sin_port = htons((uint16_t)port);
    return 0;
}

/* Append s to buf (at *at, room n) with control characters as '?'. */
static void put(char *buf, size_t n, size_t *at, const char *s)
{
    for (; *s && *at + 1 < n; s++)
        buf[(*at)++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    buf[*at] = '\0';
}

void route_log_line(char *buf, size_t n, const char *method, const char *path, const char *query, int status,
                    size_t bytes, long long usec)
{
    char tail[96];
    snprintf(tail, sizeof tail, " %d %zu %lld\n", status, bytes, usec);
    size_t room = n > strlen(tail) + 4 ? n - strlen(tail) - 4 : 1, at = 0;
    buf[0] = '\0';
    /* masked copies: a masked text has the same length */
    size_t pl = strlen(path), ql = query ? strlen(query) : 0;
    char *mp = malloc(pl + 1), *mq = query ? malloc(ql + 1) : NULL;
    put(buf, room, &at, method);
    put(buf, room, &at, " ");
    put(buf, room, &at, mp ? mask_text(path, mp) : "-");
    if (query && *query && mq) {
        /* household=ID, person=ID: the id masked whatever its form */
        put(buf, room, &at, "?");
        for (const char *kv = query; kv; ) {
            const char *amp = strchr(kv, '&');
            size_t len = amp ? (size_t)(amp - kv) : strlen(kv);
            memcpy(mq, kv, len);
            mq[len] = '\0';
            char *eq = strchr(mq, '='), *masked = malloc(len + 1);
            if (!masked)
                put(buf, room, &at, "-");
            else if (eq && (prefix(mq, "household=") || prefix(mq, "person="))) {
                eq[0] = '\0';
                put(buf, room, &at, mq);
                put(buf, room, &at, "=");
                put(buf, room, &at, mask_id(eq + 1, masked));
            } else
                put(buf, room, &at, mask_text(mq, masked));
            free(masked);
            if (amp)
                put(buf, room, &at, "&");
            kv = amp ? amp + 1 : NULL;
        }
    }
    if (at + 1 >= room && room > 1)
        strcpy(buf + at - (at >= 3 ? 3 : at), "...");
    free(mp);
    free(mq);
    snprintf(buf + strlen(buf), n - strlen(buf), "%s", tail);
}
