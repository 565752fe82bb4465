/* identity.c -- see identity.h. */
#include "identity.h"

#include <nettle/sha2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

char *id_file(const hm_host_api *h, const char *path, int fd, const char *what, const void *data, size_t len)
{
    struct stat sb;
    struct tm tm;
    if ((fd >= 0 ? fstat(fd, &sb) : stat(path, &sb)) != 0 || !gmtime_r(&sb.st_mtime, &tm))
        return NULL;
    uint8_t dig[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof dig, dig);
    char hex[2 * SHA256_DIGEST_SIZE + 1], mtime[32];
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", dig[i]);
    strftime(mtime, sizeof mtime, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* the whole path: the record must not depend on the folder huimin ran in */
    char whole[PATH_MAX];
    if (realpath(path, whole))
        path = whole;
    int n = snprintf(NULL, 0, "%s size=%lld mtime=%s %s-sha256=%s", path, (long long)sb.st_size, mtime, what, hex);
    char *t = n >= 0 ? h->alloc((size_t)n + 1) : NULL;
    if (t)
        snprintf(t, (size_t)n + 1, "%s size=%lld mtime=%s %s-sha256=%s", path, (long long)sb.st_size, mtime, what,
                 hex);
    return t;
}

int id_append(const hm_host_api *h, char **text, const char *item)
{
    size_t have = *text ? strlen(*text) : 0, n = strlen(item);
    /* already there: a table is opened once to check it, again to read it */
    for (const char *s = *text; s && (s = strstr(s, item)) != NULL; s += n)
        if ((s == *text || s[-1] == ' ') && (s[n] == '\0' || s[n] == ';'))
            return 0;
    char *t = h->alloc(have + n + 3);
    if (!t)
        return -1;
    if (have)
        memcpy(t, *text, have);
    snprintf(t + have, n + 3, "%s%s", have ? "; " : "", item);
    h->free(*text);
    *text = t;
    return 0;
}
