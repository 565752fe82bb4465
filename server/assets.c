/* assets.c -- find an embedded asset by the path of its URL. */
#include <string.h>

#include "assets.h"

/* written by server/embed at build time */
extern const server_asset server_assets[];
extern const size_t server_asset_count;

const server_asset *server_asset_find(const char *path)
{
    if (!path)
        return NULL;
    size_t n = strcspn(path, "?#");
    for (size_t i = 0; i < server_asset_count; i++) {
        const char *p = server_assets[i].path;
        if (strlen(p) == n && memcmp(p, path, n) == 0)
            return &server_assets[i];
    }
    return NULL;
}
