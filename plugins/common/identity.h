/* identity.h -- what a file-backed source is when read, for the plugins'
 * identity entry point (huimin_plugin.h): the file's path, size, mtime
 * and the SHA-256 of what describes its layout (a schema, a header). */
#ifndef HM_IDENTITY_H
#define HM_IDENTITY_H

#include "huimin_plugin.h"

#include <stddef.h>

/* "PATH size=N mtime=YYYY-MM-DDTHH:MM:SSZ WHAT-sha256=HEX" for the open
 * file fd (fstat; -1: stat PATH) and the bytes data[0..len), in memory
 * from h->alloc; NULL when out of memory or the file cannot be examined. */
char *id_file(const hm_host_api *h, const char *path, int fd, const char *what, const void *data, size_t len);
/* Append "; " and item to *text (h->alloc'd, may be NULL) unless it holds
 * item already.  -1 when out of memory (*text unchanged). */
int  id_append(const hm_host_api *h, char **text, const char *item);

#endif
