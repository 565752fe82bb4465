/* fuzz.c -- helpers of the libFuzzer targets: a private folder for the
 * files an input is written to, and the source tree. */
#include "fuzz.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(tmpdir);
}

const char *fuzz_srcdir(void)
{
    const char *s = getenv("SRCDIR");
    return s && *s ? s : FUZZ_SRCDIR;
}

const char *fuzz_tmpdir(void)
{
    if (!tmpdir[0]) {
        /* memory-backed when there is one: inputs are written many times a second */
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(tmpdir, sizeof tmpdir, "%s/hm-fuzz-XXXXXX", base);
        if (!mkdtemp(tmpdir))
            fuzz_fail("cannot make a folder in %s", base);
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

const char *fuzz_path(const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", fuzz_tmpdir(), name);
    return buf;
}

void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
        fuzz_fail("cannot write %s", path);
}

char *fuzz_read(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *b = malloc(cap);
    for (size_t r; b && (r = fread(b + len, 1, cap - len - 1, f)) > 0;) {
        len += r;
        if (cap - len - 1 == 0) {
            char *nb = realloc(b, cap *= 2);
            if (!nb)
                free(b);
            b = nb;
        }
    }
    fclose(f);
    if (b) {
        b[len] = '\0';
        if (n)
            *n = len;
    }
    return b;
}

FILE *fuzz_null(void)
{
    static FILE *f;
    if (!f && !(f = fopen("/dev/null", "w")))
        fuzz_fail("cannot open /dev/null");
    return f;
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}
