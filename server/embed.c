/* embed.c -- write the C source of the embedded page's files (assets_data.c).
 *
 *   embed OUT DIR FILE...
 *
 * Each FILE (relative to DIR) becomes a byte array served at /FILE (and
 * index.html at /), with the content type of its extension.  Built for the
 * build machine and run by the build; it needs nothing but the C library,
 * so no xxd or script language is needed to build the program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *ext, *type;
} types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".ico", "image/x-icon" },
    { ".txt", "text/plain; charset=utf-8" },
    { ".json", "application/json; charset=utf-8" },
};

static const char *type_of(const char *file)
{
    size_t n = strlen(file);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i].ext);
        if (n > e && strcmp(file + n - e, types[i].ext) == 0)
            return types[i].type;
    }
    return NULL;
}

/* Write FILE's bytes as array number I; its size in *SIZE.  0, or -1. */
static int write_array(FILE *out, const char *dir, const char *file, int i, long *size)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path) {
        fprintf(stderr, "embed: %s/%s: path too long\n", dir, file);
        return -1;
    }
    FILE *in = fopen(path, "rb");
    if (!in) {
        perror(path);
        return -1;
    }
    fprintf(out, "static const unsigned char asset_%d[] = {", i);
    long n = 0;
    int c;
    while ((c = getc(in)) != EOF) {
        fprintf(out, "%s%d,", n % 20 ? "" : "\n    ", c);
        n++;
    }
    /* a final 0: never an empty array, and text data may be read as a string */
    fprintf(out, "%s0\n};\n", n % 20 ? "" : "\n    ");
    int bad = ferror(in);
    fclose(in);
    if (bad) {
        perror(path);
        return -1;
    }
    *size = n;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: embed OUT DIR FILE...\n");
        return 2;
    }
    int n = argc - 3;
    long *sizes = calloc((size_t)n, sizeof *sizes);
    FILE *out = fopen(argv[1], "w");
    if (!sizes || !out) {
        perror(argv[1]);
        return 1;
    }
    fprintf(out, "/* written by server/embed: the calculator page's files */\n"
                 "#include \"assets.h\"\n\n"
                 "extern const server_asset server_assets[];\n"
                 "extern const size_t server_asset_count;\n\n");
    for (int i = 0; i < n; i++) {
        const char *file = argv[3 + i];
        if (!type_of(file) || strpbrk(file, "\"\\?#")) {
            fprintf(stderr, "embed: %s: not a file name with a known extension\n", file);
            return 1;
        }
        if (write_array(out, argv[2], file, i, &sizes[i]) < 0)
            return 1;
    }
    fprintf(out, "\nconst server_asset server_assets[] = {\n");
    for (int i = 0; i < n; i++) {
        const char *file = argv[3 + i];
        fprintf(out, "    { \"/%s\", \"%s\", asset_%d, %ld },\n", strcmp(file, "index.html") ? file : "",
                type_of(file), i, sizes[i]);
    }
    fprintf(out, "};\nconst size_t server_asset_count = %d;\n", n);
    free(sizes);
    if (fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
