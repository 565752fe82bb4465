/* fuzz_config.c -- libFuzzer target: the source configuration.  The input
 * up to a line "%%" is the INI file; each line after it is a --set
 * assignment.  What is read is then handed, source by source, to the
 * settings reader the table plugins share (which table and column holds
 * each field).  A refusal must come with a message. */
#include "configfile.h"
#include "plugin.h"
#include "tablemap.h"
#include "mem.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static void settings(hm_config *c)
{
    static const char *const own[] = { "directory", "database", "conninfo", NULL };
    for (int i = 0; i < c->nsources; i++) {
        cfg_source *s = &c->sources[i];
        hm_setting *st = calloc((size_t)s->n + 1, sizeof *st);
        if (!st)
            return;
        for (int k = 0; k < s->n; k++)
            st[k] = (hm_setting){ s->settings[k].key, s->settings[k].value, s->settings[k].line };
        hm_open_args a = { sizeof a, s->name, c->dir, st, (uint32_t)s->n };
        struct hm_plugin_err e = { .set = 0 };
        tm_map m;
        if (tm_parse(&m, &hm_host, &a, own, &e) != HM_PLUGIN_OK && !e.set)
            fuzz_fail("settings of source %s refused without a message", s->name);
        for (int k = 0; k < m.nfields; k++)
            if (!m.descs[k].name)
                fuzz_fail("a field of source %s has no name", s->name);
        tm_free(&m);
        free(st);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *end = s + size, *sets = end;
    for (const char *q = s; q + 3 <= end; q++)
        if (q[0] == '%' && q[1] == '%' && q[2] == '\n' && (q == s || q[-1] == '\n')) {
            sets = q + 3;
            end = q;
            break;
        }
    char path[512];
    fuzz_path("fuzz.conf", path, sizeof path);
    fuzz_write(path, s, (size_t)(end - s));
    hm_config c;
    if (config_read(&c, path) != 0) {
        if (!c.err[0])
            fuzz_fail("a configuration refused without a message");
        goto done;
    }
    const char *stop = (const char *)data + size;
    while (sets < stop) {
        const char *nl = memchr(sets, '\n', (size_t)(stop - sets));
        size_t n = (size_t)((nl ? nl : stop) - sets);
        char *a = malloc(n + 1);
        if (!a)
            goto done;
        memcpy(a, sets, n);
        a[n] = '\0';
        c.err[0] = '\0';
        int rc = config_set(&c, a);
        free(a);
        if (rc != 0) {
            if (!c.err[0])
                fuzz_fail("a --set refused without a message");
            goto done;
        }
        sets += n + 1;
    }
    if (c.population)
        config_source(&c, c.population);
    settings(&c);
done:
    config_free(&c);
    return 0;
}
