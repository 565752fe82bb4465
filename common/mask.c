/* mask.c -- see mask.h. */
#include "mask.h"

#include <string.h>

/* the length of the UTF-8 character at s (a stray byte counts as one) */
static size_t char_len(const unsigned char *s)
{
    size_t n = *s < 0x80 ? 1 : *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return n;
}

/* the characters of `id` to keep: the first *head and the last *tail */
static size_t kept(const char *id, size_t *head, size_t *tail)
{
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)id; *s; s += char_len(s))
        n++;
    *head = n / 3 < 6 ? n / 3 : 6;
    *tail = n / 4 < 4 ? n / 4 : 4;
    return n;
}

char *mask_id(const char *id, char *out)
{
    size_t head, tail, n = kept(id, &head, &tail), k = 0;
    char *o = out;
    for (const unsigned char *s = (const unsigned char *)id; *s; k++) {
        size_t len = char_len(s);
        if (k < head || k >= n - tail) {
            memcpy(o, s, len);
            o += len;
        } else {
            *o++ = '*';
        }
        s += len;
    }
    *o = '\0';
    return out;
}

void mask_fputs(const char *id, FILE *f)
{
    size_t head, tail, n = kept(id, &head, &tail), k = 0;
    for (const unsigned char *s = (const unsigned char *)id; *s; k++) {
        size_t len = char_len(s);
        if (k < head || k >= n - tail)
            fwrite(s, 1, len, f);
        else
            fputc('*', f);
        s += len;
    }
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alnum(unsigned char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

/* Where masked text goes: a stream, or a buffer. */
typedef struct sink {
    FILE *f;
    char *o;
} sink;

static void put(sink *k, int c)
{
    if (k->f)
        fputc(c, k->f);
    else
        *k->o++ = (char)c;
}

static void mask_text_to(const char *text, sink *k)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        if (!is_alnum(*s)) {
            put(k, *s++);
            continue;
        }
        /* a run of letters and digits: an ID number when it has the shape of one */
        const unsigned char *e = s;
        while (is_alnum(*e))
            e++;
        size_t n = (size_t)(e - s), digits = 0;
        while (digits < n && is_digit(s[digits]))
            digits++;
        int id = (n == 18 && (digits == 18 || (digits == 17 && (s[17] | 0x20) == 'x'))) ||
                 (n == 15 && digits == 15);
        for (size_t i = 0; i < n; i++)
            put(k, id && i >= n / 3 && i < n - n / 4 ? '*' : s[i]);
        s = e;
    }
}

void mask_fputs_text(const char *text, FILE *f)
{
    sink k = { .f = f };
    mask_text_to(text, &k);
}

char *mask_text(const char *text, char *out)
{
    sink k = { .o = out };
    mask_text_to(text, &k);
    *k.o = '\0';
    return out;
}
