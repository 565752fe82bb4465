/* cmd_serve.c -- `huimin serve PACK`: the options of the HTTP server
 * (server/server.c). */
#include "cli.h"
#include "server.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void serve_usage(FILE *out)
{
    fprintf(out,
            "usage: huimin serve PACK.hmc|DIR [--config FILE] [--listen 127.0.0.1:8080]\n"
            "                    [--as-of DATE] [--threads N] [--max-body BYTES]\n"
            "                    [--timeout SECONDS] [--cors ORIGIN] [--access-log FILE|-]\n"
            "                    [--results DB]\n"
            "\n"
            "Answer the JSON API (docs/serve.md) for the pack: POST /v1/calculate,\n"
            "/v1/explain and /v1/needs with a household's facts, GET /v1/policies and\n"
            "/v1/health; the calculator page at /; with --config, the reviewer pages under\n"
            "/review/ (personal data: for reviewers on a trusted network).  SIGHUP reloads\n"
            "the pack (the old one keeps serving when the new one fails); SIGINT or SIGTERM\n"
            "stop the server.\n"
            "\n"
            "Options:\n"
            "  --config FILE         the source configuration, for /review/explain\n"
            "  --listen HOST:PORT    the address (default 127.0.0.1:8080; port 0: any free)\n"
            "  --as-of DATE          decide as of this date unless a request says (default\n"
            "                        today, UTC)\n"
            "  --threads N           worker threads (default one per core)\n"
            "  --max-body BYTES      the largest request body (default 1048576)\n"
            "  --timeout SECONDS     close a connection idle this long (default 30)\n"
            "  --cors ORIGIN         allow this origin (CORS headers; none by default)\n"
            "  --access-log FILE|-   one line per request: method, path, status, bytes,\n"
            "                        microseconds (ids masked; never a body)\n"
            "  --results DB          a results database, for /review/report\n"
            "  -h, --help            show this help\n"
            "\n"
            "Exit status: 0 stopped by a signal, 2 usage error, a pack, configuration or\n"
            "address that cannot be used.\n");
}

static int number(const char *opt, const char *text, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v < 1 || v > max) {
        cli_error("serve: %s %s: expected a whole number from 1 to %llu", opt, text, max);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "listen", required_argument, NULL, 'l' },
        { "as-of", required_argument, NULL, 'a' },
        { "threads", required_argument, NULL, 't' },
        { "max-body", required_argument, NULL, 'm' },
        { "timeout", required_argument, NULL, 'T' },
        { "cors", required_argument, NULL, 'C' },
        { "access-log", required_argument, NULL, 'L' },
        { "results", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    server_options o = { .listen = "127.0.0.1:8080", .max_body = 1 << 20, .timeout = 30 };
    unsigned long long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config = optarg; break;
        case 'l': o.listen = optarg; break;
        case 'a': o.as_of = optarg; break;
        case 't':
            if (number("--threads", optarg, 1024, &v))
                return EXIT_USAGE;
            o.threads = (int)v;
            break;
        case 'm':
            if (number("--max-body", optarg, 1ull << 32, &v))
                return EXIT_USAGE;
            o.max_body = (size_t)v;
            break;
        case 'T':
            if (number("--timeout", optarg, 86400, &v))
                return EXIT_USAGE;
            o.timeout = (unsigned)v;
            break;
        case 'C': o.cors = optarg; break;
        case 'L': o.access_log = optarg; break;
        case 'r': o.results = optarg; break;
        case 'h': serve_usage(stdout); return EXIT_CLEAN;
        default: serve_usage(stderr); return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        cli_error("serve: %s", optind >= argc ? "no pack given" : "one pack (a .hmc file or a folder) only");
        serve_usage(stderr);
        return EXIT_USAGE;
    }
    o.pack = argv[optind];
    return server_run(&o);
}
