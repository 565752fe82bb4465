/* check_assets.c -- every file of server/assets is embedded byte for byte
 * and found by its path; a query string is ignored; other paths are not
 * found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"

static int fail;

static void expect(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
        fail = 1;
    }
}

/* The asset at PATH is FILE's bytes, of content type TYPE. */
static void same_as_file(const char *path, const char *file, const char *type)
{
    char name[4096], what[4200];
    snprintf(name, sizeof name, "%s/%s", ASSET_DIR, file);
    snprintf(what, sizeof what, "%s is %s (%s)", path, file, type);
    const server_asset *a = server_asset_find(path);
    FILE *f = fopen(name, "rb");
    if (!a || !f) {
        expect(0, what);
        if (f)
            fclose(f);
        return;
    }
    size_t n = 0;
    int c, same = 1;
    while ((c = getc(f)) != EOF) {
        if (n >= a->size || a->data[n] != (unsigned char)c)
            same = 0;
        n++;
    }
    fclose(f);
    expect(same && n == a->size && strcmp(a->content_type, type) == 0, what);
}

int main(void)
{
    same_as_file("/", "index.html", "text/html; charset=utf-8");
    same_as_file("/calculator.js", "calculator.js", "text/javascript; charset=utf-8");
    same_as_file("/calculator.css", "calculator.css", "text/css; charset=utf-8");
    expect(server_asset_find("/?lang=zh") == server_asset_find("/"), "a query string is ignored");
    expect(server_asset_find("/calculator.js#x") == server_asset_find("/calculator.js"), "a fragment is ignored");
    expect(!server_asset_find("/index.html"), "/index.html is served at / only");
    expect(!server_asset_find("/nothing.js"), "an unknown path");
    expect(!server_asset_find("calculator.js"), "a path without /");
    expect(!server_asset_find("/calculator.js/"), "a longer path");
    expect(!server_asset_find(""), "the empty path");
    expect(!server_asset_find(NULL), "no path");
    if (!fail)
        printf("embedded page files: ok\n");
    return fail;
}
