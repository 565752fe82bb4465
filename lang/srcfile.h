/* srcfile.h -- a source text and its line map.
 *
 * Positions are byte offsets while compiling; they become line and column
 * only when a diagnostic is printed.  Columns count characters (code
 * points), not bytes, so a caret lands under the right character on lines
 * with Chinese text. */
#ifndef HM_SRCFILE_H
#define HM_SRCFILE_H

#include <stddef.h>
#include <stdint.h>

#include "utf8.h"

typedef struct hm_srcfile {
    char       *path;       /* as given by the user; owned */
    char       *text;       /* NUL-terminated contents; owned */
    size_t      len;
    uint32_t   *lines;      /* byte offset where each line starts; owned */
    uint32_t    nlines;
    int         index;      /* position in the compilation's file list */
} hm_srcfile;

/* Read a file.  Returns 0, or -1 with errno set (file unreadable). */
int  srcfile_load(hm_srcfile *f, const char *path);
/* Use a string already in memory (copied).  Returns 0 or -1 (no memory). */
int  srcfile_from_string(hm_srcfile *f, const char *path, const char *text, size_t len);
void srcfile_free(hm_srcfile *f);

/* Line (1-based) and column in code points (1-based) of a byte offset. */
void srcfile_locate(const hm_srcfile *f, uint32_t off, int *line, int *col);
/* The text of line (1-based), without its newline. */
const char *srcfile_line(const hm_srcfile *f, int line, size_t *len);
#endif
