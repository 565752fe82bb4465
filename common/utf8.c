/* utf8.c -- see utf8.h. */
#include "utf8.h"
#include "mem.h"

#include <jansson.h>
#include <string.h>

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

/* Text for JSON, which must be UTF-8: a text from a source or a facts file
 * may hold other bytes.  Each is shown as U+FFFD and counted in *replaced
 * (the document then says how many); no key is left out for it. */
json_t *utf8_json_text(const char *s, size_t n, int *replaced)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t bad = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = utf8_decode(u + i, n - i, &cp);
        if (k <= 0 || cp == 0) {
            bad++;
            i++;
        } else {
            i += (size_t)k;
        }
    }
    if (!bad)
        return json_stringn_nocheck(s, n);   /* checked just now */
    char *t = mem_alloc(n + 2 * bad + 1);
    if (!t)
        return NULL;
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = utf8_decode(u + i, n - i, &cp);
        if (k <= 0 || cp == 0) {
            memcpy(t + len, "\xEF\xBF\xBD", 3);
            len += 3;
            i++;
        } else {
            memcpy(t + len, s + i, (size_t)k);
            len += (size_t)k;
            i += (size_t)k;
        }
    }
    json_t *j = json_stringn_nocheck(t, len);
    mem_free(t);
    if (replaced)
        *replaced += (int)bad;
    return j;
}
