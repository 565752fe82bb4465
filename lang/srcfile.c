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

int srcfile_from_string(hm_srcfile *f, const char *path, const char *text, size_t len)
{
    memset(f, 0, sizeof *f);
    /* a UTF-8 byte-order mark, as some editors save it, is not text */
    if (len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
        (unsigned char)text[2] == 0xbf) {
        text += 3;
        len -= 3;
    }
    f->path = mem_strdup(path);
    f->text = mem_alloc(len + 1);
    if (!f->path || !f->text) {
        srcfile_free(f);
        errno = ENOMEM;
        return -1;
    }
    memcpy(f->text, text, len);
    f->text[len] = '\0';
    f->len = len;
    if (build_lines(f) < 0) {
        srcfile_free(f);
        errno = ENOMEM;
        return -1;
    }
    return 0;
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
    size_t cap = (size_t)st.st_size + 1, len = 0;
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
    int rc = srcfile_from_string(f, path, buf, len);
    mem_free(buf);
    return rc;
}

void srcfile_free(hm_srcfile *f)
{
    mem_free(f->path);
    mem_free(f->text);
    mem_free(f->lines);
    memset(f, 0, sizeof *f);
}

int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    uint32_t v, min;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; v = c & 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; v = c & 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    if ((size_t)len > n)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
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

/* East Asian wide ranges (a compact subset of Unicode's EastAsianWidth=W/F
 * that covers CJK text, full-width punctuation and Hangul). */
static int cp_is_wide(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
           (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
           (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
           (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
           (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
           (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
           (c >= 0x20000 && c <= 0x3fffd);
}

int utf8_display_width(const char *s, size_t n)
{
    int w = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = utf8_decode(u + i, n - i, &cp);
        if (k <= 0) {
            w++;
            i++;
            continue;
        }
        i += (size_t)k;
        w += cp_is_wide(cp) ? 2 : 1;
    }
    return w;
}
