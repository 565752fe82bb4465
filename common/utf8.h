/* utf8.h -- decoding UTF-8 and measuring it on a terminal: for the
 * compiler's carets, the loader's checks of text values and the columns of
 * printed tables. */
#ifndef HM_UTF8_H
#define HM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Terminal width of the UTF-8 text s[0..n): CJK and other wide characters
 * count two columns. */
int  utf8_display_width(const char *s, size_t n);
/* Decode one UTF-8 sequence at s (n bytes available).  Returns its length
 * and stores the code point, or returns 0 for an invalid sequence. */
int  utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* s[0..n) as a JSON string: each byte that is not part of valid UTF-8 (or
 * is NUL) becomes U+FFFD, counted into *replaced (may be NULL).  NULL only
 * when out of memory. */
typedef struct json_t json_t;
json_t *utf8_json_text(const char *s, size_t n, int *replaced);

#endif
