/* srcfile.c -- see srcfile.h. */
#include "srcfile.h"
#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int build_lines(hm_srcfile *f)
{
    uint32_t n = 1;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            n++;
    f->lines = mem_alloc(sizeof *f->lines * n);
    if (!f->lines)
        return -1;
    f->nlines = 0;
    f->lines[f->nlines++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            f->lines[f->nlines++] = (uint32_t)(i + 1);
    return 0;
}

/* Fill f with path and text, a block of at least len + 1 bytes that f
 * takes over (freed here on failure). */
static int adopt(hm_srcfile *f, const char *path, char *text, size_t len)
{
    memset(f, 0, sizeof *f);
    /* a UTF-8 byte-order mark, as some editors save it, is not text */
    if (len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
        (unsigned char)text[2] == 0xbf) {
        len -= 3;
        memmove(text, text + 3, len);
    }
    text[len] = '\0';
    f->text = text;
    f->len = len;
    f->path = mem_strdup(path);
    if (!f->path || build_lines(f) < 0) {
        srcfile_free(f);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

int srcfile_from_string(hm_srcfile *f, const char *path, const char *text, size_t len)
{
    char *copy = mem_alloc(len + 1);
    if (!copy) {
        memset(f, 0, sizeof *f);
        errno = ENOMEM;
        return -1;
    }
    memcpy(copy, text, len);
    return adopt(f, path, copy, len);
}

int srcfile_load(hm_srcfile *f, const char *path)
{
    memset(f, 0, sizeof *f);
    /* refuse pipes and devices before opening: opening a FIFO blocks */
    struct stat pre;
    if (stat(path, &pre) == 0 && !S_ISREG(pre.st_mode) && !S_ISDIR(pre.st_mode)) {
        errno = EINVAL;
        return -1;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    struct stat st;
    if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode)) {
        int e = S_ISDIR(st.st_mode) ? EISDIR : errno ? errno : EINVAL;
        if (!S_ISDIR(st.st_mode))
            e = EINVAL;     /* a device, pipe or socket: not a policy file */
        fclose(fp);
        errno = e;
        return -1;
    }
    /* Policy files are text; anything over 256 MiB is not one. */
    if (st.st_size > (off_t)256 * 1024 * 1024) {
        fclose(fp);
        errno = EFBIG;
        return -1;
    }
    /* room for the NUL and for the read that finds the end */
    size_t cap = (size_t)st.st_size + 2, len = 0;
    char *buf = mem_alloc(cap);
    if (!buf) {
        fclose(fp);
        errno = ENOMEM;
        return -1;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *nb = mem_realloc(buf, cap * 2);
            if (!nb) {
                mem_free(buf);
                fclose(fp);
                errno = ENOMEM;
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, fp);
        len += got;
        if (got == 0)
            break;
        if (len > (size_t)256 * 1024 * 1024) {
            mem_free(buf);
            fclose(fp);
            errno = EFBIG;
            return -1;
        }
    }
    int err = ferror(fp);
    fclose(fp);
    if (err) {
        mem_free(buf);
        errno = EIO;
        return -1;
    }
    return adopt(f, path, buf, len);
}

void srcfile_free(hm_srcfile *f)
{
    mem_free(f->path);
    mem_free(f->text);
    mem_free(f->lines);
    memset(f, 0, sizeof *f);
}

void srcfile_locate(const hm_srcfile *f, uint32_t off, int *line, int *col)
{
    if (off > f->len)
        off = (uint32_t)f->len;
    /* binary search for the last line start <= off */
    uint32_t lo = 0, hi = f->nlines;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    *line = (int)lo + 1;
    int c = 1;
    const unsigned char *s = (const unsigned char *)f->text;
    for (uint32_t i = f->lines[lo]; i < off;) {
        uint32_t cp;
        int k = utf8_decode(s + i, off - i, &cp);
        i += k > 0 ? (uint32_t)k : 1;
        c++;
    }
    *col = c;
}

const char *srcfile_line(const hm_srcfile *f, int line, size_t *len)
{
    if (line < 1 || (uint32_t)line > f->nlines) {
        *len = 0;
        return "";
    }
    uint32_t start = f->lines[line - 1];
    uint32_t end = (uint32_t)line < f->nlines ? f->lines[line] - 1 : (uint32_t)f->len;
    if (end > start && f->text[end - 1] == '\r')
        end--;
    *len = end - start;
    return f->text + start;
}
