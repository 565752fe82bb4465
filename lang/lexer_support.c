/* lexer_support.c -- the parts of the scanner that are plain C: keyword
 * lookup, string unescaping, UTF-8 checks and lexical error messages. */
#include "parse_state.h"
#include "parser.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sorted by strcmp order; lex_keyword() does a binary search.  A unit test
 * checks the order. */
const struct lex_kw { const char *word; int tok; } lex_keywords[] = {
    { "above", ABOVE }, { "all", ALL }, { "amends", AMENDS }, { "amount", AMOUNT }, { "and", AND },
    { "any", ANY }, { "as", AS }, { "as_of", ASOF }, { "bool", BOOL_T },
    { "by", BY }, { "code", CODE }, { "codes", CODES }, { "count", COUNT },
    { "date", DATE_T }, { "day", DAY }, { "days", DAY }, { "decimal", DECIMAL_T },
    { "default", DEFAULT }, { "duration", DURATION_T }, { "during", DURING },
    { "eligible", ELIGIBLE }, { "else", ELSE }, { "except", EXCEPT },
    { "excludes", EXCLUDES }, { "expect", EXPECT }, { "extern", EXTERN },
    { "false", FALSE }, { "for", FOR }, { "fresh", FRESH }, { "from", FROM },
    { "function", FUNCTION }, { "given", GIVEN }, { "household", HOUSEHOLD },
    { "if", IF }, { "in", IN }, { "int", INT_T }, { "is", IS }, { "it", IT },
    { "last", LAST }, { "let", LET }, { "list", LIST }, { "map", MAP },
    { "max", MAX }, { "member", MEMBER }, { "members", MEMBERS }, { "min", MIN },
    { "module", MODULE }, { "money", MONEY_T }, { "month", MONTH },
    { "months", MONTH }, { "more", MORE }, { "none", NONE }, { "not", NOT }, { "of", OF },
    { "or", OR }, { "parameter", PARAMETER }, { "per", PER }, { "person", PERSON }, { "policy", POLICY },
    { "priority", PRIORITY }, { "quick", QUICK }, { "record", RECORD }, { "records", RECORDS },
    { "reference", REFERENCE }, { "reform", REFORM }, { "replace", REPLACE }, { "scale", SCALE }, { "since", SINCE },
    { "source", SOURCE }, { "sum", SUM }, { "test", TEST }, { "text", TEXT_T },
    { "then", THEN }, { "to", TO }, { "true", TRUE },
    { "undetermined", UNDETERMINED }, { "up", UP }, { "use", USE },
    { "when", WHEN }, { "where", WHERE }, { "within", WITHIN }, { "year", YEAR },
    { "years", YEAR },
};
const int lex_nkeywords = (int)(sizeof lex_keywords / sizeof lex_keywords[0]);

int lex_keyword(const char *s, size_t n)
{
    if (n > 12)
        return 0;
    char w[16];
    memcpy(w, s, n);
    w[n] = '\0';
    int lo = 0, hi = lex_nkeywords - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(w, lex_keywords[mid].word);
        if (c == 0)
            return lex_keywords[mid].tok;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return 0;
}

void lex_error(hm_parser *p, hm_span sp, const char *fmt, ...)
{
    p->lex_errors++;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, hm_tr(fmt), ap);
    va_end(ap);
    diag_error(p->diags, p->file, sp, "%s", buf);
}

const char *lex_text(hm_parser *p, const char *s, size_t n)
{
    return arena_strndup(p->arena, s, n);
}

void lex_check_utf8(hm_parser *p, const char *s, size_t n, uint32_t off, const char *what)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = utf8_decode(u + i, n - i, &cp);
        if (k <= 0) {
            lex_error(p, (hm_span){ off + (uint32_t)i, off + (uint32_t)i + 1 },
                      "invalid UTF-8 byte 0x%02x in %s", u[i], what);
            return;     /* one report per token is enough */
        }
        i += (size_t)k;
    }
}

const char *lex_string(hm_parser *p, const char *s, size_t n, uint32_t off)
{
    lex_check_utf8(p, s, n, off, "string");
    char *out = arena_alloc(p->arena, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            out[j++] = s[i];
            continue;
        }
        char c = s[++i];
        switch (c) {
        case 'n': out[j++] = '\n'; break;
        case 't': out[j++] = '\t'; break;
        case '"': out[j++] = '"'; break;
        case '\\': out[j++] = '\\'; break;
        case '{': out[j++] = '\\'; out[j++] = '{'; break;  /* literal brace in a message */
        default: {
            int d = diag_error(p->diags, p->file, (hm_span){ off + (uint32_t)i - 1, off + (uint32_t)i + 1 },
                               "unknown escape `\\%c` in string", c);
            diag_hint(p->diags, d, "the escapes are \\\" \\\\ \\n \\t and \\{");
            out[j++] = c;
        }
        }
    }
    out[j] = '\0';
    return out;
}

void lex_invalid_byte(hm_parser *p, hm_span sp, unsigned char c)
{
    p->lex_errors++;
    /* a run of invalid bytes is reported once, at its first byte */
    if (sp.start == p->last_bad && sp.start > 0) {
        p->last_bad = sp.end;
        return;
    }
    p->last_bad = sp.end;
    diag_error(p->diags, p->file, sp, "invalid UTF-8 byte 0x%02x", c);
}

void lex_bad_char(hm_parser *p, hm_span sp, char c)
{
    int d;
    p->lex_errors++;
    /* a run of the same bad byte is one mistake */
    if (sp.start == p->last_bad && sp.start > 0 && p->file->text[sp.start - 1] == c) {
        p->last_bad = sp.end;
        return;
    }
    p->last_bad = sp.end;
    if ((unsigned char)c < 0x20 || c == 0x7f)
        d = diag_error(p->diags, p->file, sp, "invalid control character 0x%02x", (unsigned char)c);
    else
        d = diag_error(p->diags, p->file, sp, "unexpected character `%c`", c);
    if (c == ';')
        diag_hint(p->diags, d, "no `;` is needed: declarations and conditions end without one");
    else if (c == '&' || c == '|' || c == '!')
        diag_hint(p->diags, d, "write `and`, `or`, `not` (and `!=` for not equal)");
    else if (c == '\'')
        diag_hint(p->diags, d, "strings are written in double quotes: \"…\"");
}

/* Full-width punctuation typed with a Chinese input method, and the ASCII
 * character the drafter meant. */
static const struct { uint32_t cp; const char *ascii; } fullwidth[] = {
    { 0xff0c, "," }, { 0x3001, "," }, { 0xff08, "(" }, { 0xff09, ")" }, { 0xff1a, ":" },
    { 0xff1b, ";" }, { 0x201c, "\"" }, { 0x201d, "\"" }, { 0x3010, "[" }, { 0x3011, "]" },
    { 0xff5b, "{" }, { 0xff5d, "}" }, { 0xff1d, "=" }, { 0xff1c, "<" }, { 0xff1e, ">" },
    { 0xff0b, "+" }, { 0xff0d, "-" }, { 0xff0a, "*" }, { 0xff0f, "/" }, { 0x3002, "." },
    { 0xff0e, "." }, { 0xff05, "%" }, { 0xff3b, "[" }, { 0xff3d, "]" }, { 0x3000, " " },
    { 0xff01, "!" }, { 0xff1f, "?" }, { 0x2018, "'" }, { 0x2019, "'" },
};

const char *lex_fullwidth(uint32_t cp)
{
    for (size_t i = 0; i < sizeof fullwidth / sizeof fullwidth[0]; i++)
        if (fullwidth[i].cp == cp)
            return fullwidth[i].ascii;
    return NULL;
}

/* A character of the punctuation blocks (see U8 in lexer.l): full-width
 * punctuation is reported with the ASCII character meant, and the parse
 * goes on as if that had been typed; returns the token, or 0 to skip. */
int lex_punct8(hm_parser *p, hm_span sp, const char *s, size_t n)
{
    uint32_t cp = 0;
    utf8_decode((const unsigned char *)s, n, &cp);
    const char *a = lex_fullwidth(cp);
    p->lex_errors++;
    int d;
    if (cp == 0x3000) {
        d = diag_error(p->diags, p->file, sp, "full-width space");
        diag_hint(p->diags, d, "use an ordinary space (switch the input method to English punctuation)");
        return 0;
    }
    if (!a) {
        /* a run of such characters (——, ……) is one mistake */
        if (sp.start != p->last_bad || sp.start == 0)
            diag_error(p->diags, p->file, sp, "unexpected character `%.*s`", (int)n, s);
        p->last_bad = sp.end;
        return 0;
    }
    d = diag_error(p->diags, p->file, sp, "full-width `%.*s` is not allowed here", (int)n, s);
    diag_hint(p->diags, d, "use the ASCII character `%s` (switch the input method to English punctuation)", a);
    if (a[1] == '\0' && strchr(",():[]{}=<>+-*/.", a[0]))
        return (unsigned char)a[0];
    return 0;
}

/* What drafters type with a Chinese input method, read as what they meant
 * after an error that says how to write it: the parse goes on, so one
 * slip does not hide the mistakes after it. */

/* `≥ ≤ ≠ × ÷ −` and the other mathematical operators (U+2200-22FF). */
int lex_math8(hm_parser *p, hm_span sp, const char *s, size_t n)
{
    static const struct { uint32_t cp; const char *ascii; int tok; } ops[] = {
        { 0x2265, ">=", GE }, { 0x2264, "<=", LE }, { 0x2260, "!=", NE },
        { 0x00d7, "*", '*' }, { 0x00f7, "/", '/' }, { 0x2212, "-", '-' },
        { 0x2217, "*", '*' }, { 0x2215, "/", '/' },
    };
    uint32_t cp = 0;
    utf8_decode((const unsigned char *)s, n, &cp);
    p->lex_errors++;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i].cp == cp) {
            int d = diag_error(p->diags, p->file, sp, "`%.*s` is not an operator of the language", (int)n, s);
            diag_hint(p->diags, d, "write `%s`", ops[i].ascii);
            return ops[i].tok;
        }
    diag_error(p->diags, p->file, sp, "unexpected character `%.*s`", (int)n, s);
    return 0;
}

/* `且 并且 或 或者 非`, written alone, for `and or not`. */
int lex_chinese_logic(hm_parser *p, hm_span sp, const char *s, size_t n)
{
    static const struct { const char *word; const char *ascii; int tok; } words[] = {
        { "且", "and", AND }, { "并且", "and", AND }, { "或", "or", OR },
        { "或者", "or", OR }, { "非", "not", NOT },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].word) == n && memcmp(words[i].word, s, n) == 0) {
            p->lex_errors++;
            int d = diag_error(p->diags, p->file, sp, "`%.*s` is not an operator of the language", (int)n, s);
            diag_hint(p->diags, d, "write `%s`", words[i].ascii);
            return words[i].tok;
        }
    return 0;
}

/* `2024年8月1日`: the date 2024-08-01. */
const char *lex_chinese_date(hm_parser *p, hm_span sp, const char *s)
{
    int y = 0, m = 0, d = 0;
    /* the scanner matched 4 digits 年 1-2 digits 月 1-2 digits 日 */
    sscanf(s, "%4d", &y);
    const char *mo = s + 4 + strlen("年");
    m = atoi(mo);
    d = atoi(strstr(mo, "月") + strlen("月"));
    char iso[16];
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
    p->lex_errors++;
    int k = diag_error(p->diags, p->file, sp, "dates are written year-month-day with hyphens");
    diag_hint(p->diags, k, "write `%s`", iso);
    return arena_strndup(p->arena, iso, strlen(iso));
}

/* `2300元`: an amount is a plain number of yuan. */
const char *lex_yuan(hm_parser *p, hm_span sp, const char *s, size_t n)
{
    size_t k = n - strlen("元");
    p->lex_errors++;
    int d = diag_error(p->diags, p->file, sp, "an amount is written without `元`");
    diag_hint(p->diags, d, "write `%.*s`: amounts of money are in yuan", (int)k, s);
    return arena_strndup(p->arena, s, k);
}

/* `２３００`: full-width digits (U+FF10-FF19, three bytes each). */
const char *lex_wide_digits(hm_parser *p, hm_span sp, const char *s, size_t n)
{
    char *out = arena_alloc(p->arena, n / 3 + 1);
    size_t j = 0;
    for (size_t i = 0; i + 2 < n; i += 3)
        out[j++] = (char)('0' + ((unsigned char)s[i + 2] - 0x90));
    out[j] = '\0';
    p->lex_errors++;
    int d = diag_error(p->diags, p->file, sp, "full-width digits `%.*s`", (int)n, s);
    diag_hint(p->diags, d, "write `%s` (switch the input method to half-width characters)", out);
    return out;
}
