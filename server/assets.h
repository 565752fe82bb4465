/* assets.h -- the calculator page's files, embedded in the program at build
 * time (server/embed.c writes their bytes into assets_data.c). */
#ifndef HM_SERVER_ASSETS_H
#define HM_SERVER_ASSETS_H

#include <stddef.h>

typedef struct server_asset {
    const char *path;            /* "/", "/calculator.js", "/calculator.css" … */
    const char *content_type;    /* "text/html; charset=utf-8" … */
    const unsigned char *data;
    size_t size;
} server_asset;

/* The asset served at PATH (a query string after '?' is ignored), or NULL
 * when there is none. */
const server_asset *server_asset_find(const char *path);

#endif
