/* check_lexer.c -- the scanner: keywords, names (Chinese included),
 * full-width punctuation, UTF-8 errors, strings and escapes, numbers,
 * percentages, dates and durations, with the byte span of every token. */
#include "suites.h"

#include "parse_state.h"
#include "parser.h"
#define YYSTYPE HMYY_STYPE
#define YYLTYPE HMYY_LTYPE
#include "lexer.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct lex_kw { const char *word; int tok; } lex_keywords[];
extern const int lex_nkeywords;

/* ---- running the scanner over a string --------------------------------- */

#define MAXTOK 2048

typedef struct {
    int tok;
    uint32_t start, end;
    const char *text;       /* yylval.text for tokens that carry text */
} tokinfo;

static struct {
    hm_arena arena;
    hm_diags diags;
    hm_srcfile file;
    tokinfo t[MAXTOK];
    int n;
    int live;
} R;

static void lex_setup(void)
{
    memset(&R, 0, sizeof R);
    unsetenv("HM_MEM_FAIL_AT");
    unsetenv("HM_MEM_FAIL_AFTER");
    mem_fault_reset();
}

static void lex_teardown(void)
{
    if (R.live) {
        diag_free(&R.diags);
        arena_free(&R.arena);
        srcfile_free(&R.file);
    }
    memset(&R, 0, sizeof R);
}

static int carries_text(int tok)
{
    return tok == IDENT || tok == STRING || tok == INT || tok == DECIMAL ||
           tok == PERCENT || tok == DATE;
}

/* Scan src[0..len) to the end; tokens go to R.t, diagnostics to R.diags. */
static void lex_n(const char *src, size_t len)
{
    lex_teardown();
    arena_init(&R.arena);
    diag_init(&R.diags);
    ck_assert_int_eq(srcfile_from_string(&R.file, "t.pol", src, len), 0);
    R.live = 1;
    hm_parser p = { .arena = &R.arena, .diags = &R.diags, .file = &R.file };
    yyscan_t sc;
    ck_assert_int_eq(hmyy_lex_init_extra(&p, &sc), 0);
    YY_BUFFER_STATE b = hmyy__scan_bytes(R.file.text, (int)R.file.len, sc);
    ck_assert_ptr_nonnull(b);
    for (;;) {
        HMYY_STYPE v;
        HMYY_LTYPE l = { 0, 0 };
        memset(&v, 0, sizeof v);
        int t = hmyy_lex(&v, &l, sc);
        if (t == 0)
            break;
        ck_assert_int_lt(R.n, MAXTOK);
        R.t[R.n].tok = t;
        R.t[R.n].start = l.start;
        R.t[R.n].end = l.end;
        R.t[R.n].text = carries_text(t) ? v.text : NULL;
        R.n++;
    }
    hmyy__delete_buffer(b, sc);
    hmyy_lex_destroy(sc);
}

static void lex(const char *src) { lex_n(src, strlen(src)); }

#define TOK(i, tk, s, e)                                            \
    do {                                                            \
        ck_assert_int_gt(R.n, (i));                                 \
        ck_assert_int_eq(R.t[i].tok, (tk));                         \
        ck_assert_uint_eq(R.t[i].start, (s));                       \
        ck_assert_uint_eq(R.t[i].end, (e));                         \
    } while (0)
#define TEXT(i, str)                                                \
    do {                                                            \
        ck_assert_ptr_nonnull(R.t[i].text);                         \
        ck_assert_str_eq(R.t[i].text, (str));                       \
    } while (0)

/* index of the first diagnostic whose message contains `needle`, or -1 */
static int find_diag(const char *needle)
{
    for (int i = 0; i < R.diags.n; i++)
        if (strstr(R.diags.v[i].msg, needle))
            return i;
    return -1;
}

/* ---- keywords ---------------------------------------------------------- */

START_TEST(test_keyword_table_sorted)
{
    ck_assert_int_gt(lex_nkeywords, 70);
    for (int i = 1; i < lex_nkeywords; i++)
        ck_assert_msg(strcmp(lex_keywords[i - 1].word, lex_keywords[i].word) < 0,
                      "keyword table out of order at %d: `%s` before `%s`", i,
                      lex_keywords[i - 1].word, lex_keywords[i].word);
}
END_TEST

START_TEST(test_keyword_table_matches_docs)
{
    /* docs/language.md 2.3 lists the reserved words; the table has exactly those */
    static const char doc[] =
        "above  all  amount  and  any  as  as_of  bool  by  code  codes  count  date "
        "amends  day  days  decimal  default  duration  during  eligible  else  except "
        "excludes  expect  extern  false  for  fresh  from  function  given "
        "household  if  in  int  is  it  last  let  list  map  max  member  members "
        "min  module  money  month  months  more  none  not  of  or  parameter  per "
        "person  policy  priority  quick  record  records  reference  reform  replace  scale  since  source "
        "sum  test  text  then  to  true  undetermined  up  use  when  where  within "
        "year  years";
    char buf[sizeof doc];
    memcpy(buf, doc, sizeof doc);
    int n = 0;
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        n++;
        ck_assert_msg(lex_keyword(w, strlen(w)) != 0, "documented keyword `%s` is not in the table", w);
    }
    ck_assert_int_eq(n, 83);
    ck_assert_int_eq(lex_nkeywords, n);
}
END_TEST

START_TEST(test_keyword_table_lookup)
{
    /* lex_keyword's binary search finds every entry */
    for (int i = 0; i < lex_nkeywords; i++) {
        const char *w = lex_keywords[i].word;
        ck_assert_msg(lex_keyword(w, strlen(w)) == lex_keywords[i].tok, "lookup of `%s`", w);
        ck_assert_int_ne(lex_keywords[i].tok, IDENT);
    }
}
END_TEST

START_TEST(test_every_keyword_lexes_to_its_token)
{
    for (int i = 0; i < lex_nkeywords; i++) {
        const char *w = lex_keywords[i].word;
        lex(w);
        ck_assert_msg(R.n == 1, "`%s` gave %d tokens", w, R.n);
        ck_assert_msg(R.t[0].tok == lex_keywords[i].tok, "`%s` lexed to %d, want %d", w, R.t[0].tok,
                      lex_keywords[i].tok);
        ck_assert_uint_eq(R.t[0].start, 0);
        ck_assert_uint_eq(R.t[0].end, strlen(w));
        ck_assert_int_eq(R.diags.errors, 0);
    }
}
END_TEST

START_TEST(test_keywords_inside_text)
{
    /* keywords surrounded by other text, at non-zero offsets */
    lex("  policy dibao for household {\n  eligible when all { } }");
    TOK(0, POLICY, 2, 8);
    TOK(1, IDENT, 9, 14);
    TEXT(1, "dibao");
    TOK(2, FOR, 15, 18);
    TOK(3, HOUSEHOLD, 19, 28);
    TOK(4, '{', 29, 30);
    TOK(5, ELIGIBLE, 33, 41);
    TOK(6, WHEN, 42, 46);
    TOK(7, ALL, 47, 50);
    ck_assert_int_eq(R.n, 11);
}
END_TEST

START_TEST(test_keyword_lookalikes_are_names)
{
    static const char *const names[] = {
        "Policy", "POLICY", "policies", "policy_1", "xpolicy", "_let", "lets",
        "undetermined_", "undeterminedx", "asof", "as_of_", "known_", "daysx", "a",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        lex(names[i]);
        ck_assert_msg(R.n == 1 && R.t[0].tok == IDENT, "`%s` should be one name", names[i]);
        TEXT(0, names[i]);
        ck_assert_int_eq(R.diags.errors, 0);
    }
    ck_assert_int_eq(lex_keyword("undeterminedx", 13), 0);
    ck_assert_int_eq(lex_keyword("undetermined", 12), UNDETERMINED);
    ck_assert_int_eq(lex_keyword("", 0), 0);
    ck_assert_int_eq(lex_keyword("polic", 5), 0);
    ck_assert_int_eq(lex_keyword("policyy", 7), 0);
}
END_TEST

START_TEST(test_keyword_plural_units)
{
    lex("day days month months year years");
    int want[] = { DAY, DAY, MONTH, MONTH, YEAR, YEAR };
    ck_assert_int_eq(R.n, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(R.t[i].tok, want[i]);
}
END_TEST

/* ---- names ------------------------------------------------------------- */

START_TEST(test_chinese_name)
{
    lex("人均收入");
    ck_assert_int_eq(R.n, 1);
    TOK(0, IDENT, 0, 12);
    TEXT(0, "人均收入");
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

START_TEST(test_mixed_names)
{
    lex("低保_标准2 per_cap 收入x1 _私有 x人");
    ck_assert_int_eq(R.n, 5);
    TOK(0, IDENT, 0, 14);
    TEXT(0, "低保_标准2");
    TOK(1, IDENT, 15, 22);
    TEXT(1, "per_cap");
    TOK(2, IDENT, 23, 31);
    TEXT(2, "收入x1");
    TOK(3, IDENT, 32, 39);
    TEXT(3, "_私有");
    TOK(4, IDENT, 40, 44);
    TEXT(4, "x人");
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

START_TEST(test_name_offsets_after_chinese)
{
    lex("let 人均收入 = per_cap");
    ck_assert_int_eq(R.n, 4);
    TOK(0, LET, 0, 3);
    TOK(1, IDENT, 4, 16);
    TOK(2, '=', 17, 18);
    TOK(3, IDENT, 19, 26);
}
END_TEST

START_TEST(test_non_bmp_and_other_scripts_in_names)
{
    /* U+20000 (CJK ext. B, 4 bytes), Greek, Cyrillic */
    lex("\xf0\xa0\x80\x80名 αβγ Жх");
    ck_assert_int_eq(R.n, 3);
    TOK(0, IDENT, 0, 7);
    TOK(1, IDENT, 8, 14);
    TOK(2, IDENT, 15, 19);
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

START_TEST(test_name_cannot_start_with_digit)
{
    lex("2abc x");
    ck_assert_int_ge(R.diags.errors, 1);
    int d = find_diag("cannot start with a digit");
    ck_assert_int_ge(d, 0);
    ck_assert_uint_eq(R.diags.v[d].span.start, 0);
    ck_assert_uint_eq(R.diags.v[d].span.end, 4);
    ck_assert_int_eq(R.n, 2);
    ck_assert_int_eq(R.t[0].tok, IDENT);
    TOK(1, IDENT, 5, 6);
}
END_TEST

/* ---- full-width punctuation -------------------------------------------- */

START_TEST(test_fullwidth_comma_split_from_name)
{
    lex("人均收入，x");
    /* reported, then read as the ASCII comma the drafter meant */
    ck_assert_int_eq(R.n, 3);
    TOK(0, IDENT, 0, 12);
    TEXT(0, "人均收入");
    TOK(1, ',', 12, 15);
    TOK(2, IDENT, 15, 16);
    TEXT(2, "x");
    ck_assert_int_eq(R.diags.errors, 1);
    int d = find_diag("full-width");
    ck_assert_int_ge(d, 0);
    ck_assert_ptr_nonnull(strstr(R.diags.v[d].msg, "，"));
    ck_assert_uint_eq(R.diags.v[d].span.start, 12);
    ck_assert_uint_eq(R.diags.v[d].span.end, 15);
    ck_assert_ptr_nonnull(R.diags.v[d].hint);
    ck_assert_ptr_nonnull(strstr(R.diags.v[d].hint, "`,`"));
}
END_TEST

START_TEST(test_fullwidth_parens)
{
    lex("f（a）");
    ck_assert_int_eq(R.n, 4);
    TOK(0, IDENT, 0, 1);
    TEXT(0, "f");
    TOK(1, '(', 1, 4);
    TOK(2, IDENT, 4, 5);
    TEXT(2, "a");
    TOK(3, ')', 5, 8);
    ck_assert_int_eq(R.diags.errors, 2);
    ck_assert_uint_eq(R.diags.v[0].span.start, 1);
    ck_assert_uint_eq(R.diags.v[0].span.end, 4);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].hint, "`(`"));
    ck_assert_uint_eq(R.diags.v[1].span.start, 5);
    ck_assert_uint_eq(R.diags.v[1].span.end, 8);
    ck_assert_ptr_nonnull(strstr(R.diags.v[1].hint, "`)`"));
}
END_TEST

START_TEST(test_fullwidth_colon_after_field)
{
    lex("household.region：text");
    ck_assert_int_eq(R.n, 5);
    TOK(0, HOUSEHOLD, 0, 9);
    TOK(1, '.', 9, 10);
    TOK(2, IDENT, 10, 16);
    TEXT(2, "region");
    TOK(3, ':', 16, 19);
    TOK(4, TEXT_T, 19, 23);
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_uint_eq(R.diags.v[0].span.start, 16);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].hint, "`:`"));
}
END_TEST

START_TEST(test_fullwidth_after_number)
{
    lex("60，70");
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_int_ge(R.n, 2);
    TOK(0, INT, 0, 2);
    TEXT(0, "60");
    ck_assert_int_eq(R.t[R.n - 1].tok, INT);
    ck_assert_str_eq(R.t[R.n - 1].text, "70");
    ck_assert_uint_eq(R.t[R.n - 1].start, 5);
    ck_assert_uint_eq(R.diags.v[0].span.start, 2);
    ck_assert_uint_eq(R.diags.v[0].span.end, 5);
    ck_assert_ptr_nonnull(R.diags.v[0].hint);
}
END_TEST

START_TEST(test_fullwidth_between_chinese_names)
{
    lex("收入、支出；");
    /* 、 is read as a comma; ； has no use in the language and is dropped */
    ck_assert_int_eq(R.n, 3);
    TEXT(0, "收入");
    TOK(1, ',', 6, 9);
    TOK(2, IDENT, 9, 15);
    TEXT(2, "支出");
    ck_assert_int_eq(R.diags.errors, 2);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].hint, "`,`"));
    ck_assert_ptr_nonnull(strstr(R.diags.v[1].hint, "`;`"));
}
END_TEST

START_TEST(test_fullwidth_quotes_and_space)
{
    /* “ ” and the ideographic space U+3000 */
    lex("“a”\xe3\x80\x80" "b");
    ck_assert_int_eq(R.diags.errors, 3);
    ck_assert_int_eq(R.n, 2);
    TOK(0, IDENT, 3, 4);
    TOK(1, IDENT, 10, 11);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].hint, "`\"`"));
}
END_TEST

/* ---- bad bytes ----------------------------------------------------------- */

START_TEST(test_invalid_utf8_byte)
{
    lex("a \xff b");
    ck_assert_int_eq(R.n, 2);
    TOK(0, IDENT, 0, 1);
    TOK(1, IDENT, 4, 5);
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].msg, "invalid UTF-8 byte 0xff"));
    ck_assert_uint_eq(R.diags.v[0].span.start, 2);
    ck_assert_uint_eq(R.diags.v[0].span.end, 3);
}
END_TEST

START_TEST(test_truncated_utf8_sequence)
{
    /* the first two bytes of 人 (e4 ba ba), then a name */
    lex("\xe4\xba x");
    ck_assert_int_ge(R.diags.errors, 1);
    ck_assert_uint_eq(R.diags.v[0].span.start, 0);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].msg, "UTF-8"));
    ck_assert_int_eq(R.n, 1);
    TOK(0, IDENT, 3, 4);
}
END_TEST

START_TEST(test_overlong_and_surrogate_not_names)
{
    static const char *const bad[] = {
        "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lex(bad[i]);
        ck_assert_msg(R.diags.errors >= 1, "bad sequence %zu accepted", i);
        for (int k = 0; k < R.n; k++)
            ck_assert_msg(R.t[k].tok != IDENT, "bad sequence %zu became a name", i);
    }
}
END_TEST

START_TEST(test_invalid_utf8_in_string)
{
    lex("\"ab\xfe" "c\"");
    ck_assert_int_eq(R.n, 1);
    TOK(0, STRING, 0, 6);
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].msg, "in string"));
    ck_assert_uint_eq(R.diags.v[0].span.start, 3);
}
END_TEST

START_TEST(test_invalid_utf8_in_comment)
{
    lex("a # 注释 \x80 more\nb");
    ck_assert_int_eq(R.n, 2);
    TOK(1, IDENT, 18, 19);
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].msg, "in comment"));
    ck_assert_uint_eq(R.diags.v[0].span.start, 11);
}
END_TEST

START_TEST(test_control_and_stray_characters)
{
    lex("a \x01 b");
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].msg, "control character 0x01"));
    ck_assert_int_eq(R.n, 2);

    lex("x;");
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_ptr_nonnull(R.diags.v[0].hint);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].hint, "`;`"));
    ck_assert_uint_eq(R.diags.v[0].span.start, 1);

    /* C operators and single quotes: reported, then read as meant */
    lex("a && b || !c");
    ck_assert_int_eq(R.diags.errors, 3);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].hint, "`and`"));
    ck_assert_ptr_nonnull(strstr(R.diags.v[1].hint, "`or`"));
    ck_assert_ptr_nonnull(strstr(R.diags.v[2].hint, "`not`"));
    ck_assert_int_eq(R.n, 6);
    TOK(1, AND, 2, 4);
    TOK(3, OR, 7, 9);
    TOK(4, NOT, 10, 11);

    lex("'家庭' x");
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].msg, "double quotes"));
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].hint, "\"家庭\""));
    ck_assert_int_eq(R.n, 2);
    TOK(0, STRING, 0, 8);
    TEXT(0, "家庭");

    /* a run of one bad byte is one report */
    lex("a \x01\x01\x01\x01 b");
    ck_assert_int_eq(R.diags.n, 1);
    ck_assert_int_eq(R.n, 2);
}
END_TEST

START_TEST(test_nul_byte_in_input)
{
    lex_n("a\0b", 3);
    ck_assert_int_eq(R.n, 2);
    TOK(0, IDENT, 0, 1);
    TOK(1, IDENT, 2, 3);
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].msg, "0x00"));
    ck_assert_uint_eq(R.diags.v[0].span.start, 1);
}
END_TEST

START_TEST(test_empty_and_blank_input)
{
    lex("");
    ck_assert_int_eq(R.n, 0);
    ck_assert_int_eq(R.diags.n, 0);
    lex(" \t\r\n\f\v  # only a comment\n");
    ck_assert_int_eq(R.n, 0);
    ck_assert_int_eq(R.diags.n, 0);
}
END_TEST

/* ---- strings ------------------------------------------------------------- */

START_TEST(test_string_chinese)
{
    lex("x \"城乡居民最低生活保障\" y");
    ck_assert_int_eq(R.n, 3);
    TOK(1, STRING, 2, 2 + 2 + 30);
    TEXT(1, "城乡居民最低生活保障");
    TOK(2, IDENT, 35, 36);
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

START_TEST(test_string_escapes)
{
    lex("\"a\\\"b\\\\c\\nd\\te\"");
    ck_assert_int_eq(R.n, 1);
    TOK(0, STRING, 0, 15);
    TEXT(0, "a\"b\\c\nd\te");
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

START_TEST(test_string_brace_escape_kept)
{
    lex("\"共 \\{n} 人\"");
    ck_assert_int_eq(R.n, 1);
    TEXT(0, "共 \\{n} 人");
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

START_TEST(test_string_unknown_escape)
{
    lex("\"ab\\qc\"");
    ck_assert_int_eq(R.n, 1);
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_ptr_nonnull(strstr(R.diags.v[0].msg, "unknown escape"));
    ck_assert_uint_eq(R.diags.v[0].span.start, 3);
    ck_assert_uint_eq(R.diags.v[0].span.end, 5);
    ck_assert_ptr_nonnull(R.diags.v[0].hint);
}
END_TEST

START_TEST(test_unterminated_string_at_newline)
{
    lex("\"abc\nx");
    ck_assert_int_eq(R.diags.errors, 1);
    int d = find_diag("unterminated string");
    ck_assert_int_ge(d, 0);
    ck_assert_uint_eq(R.diags.v[d].span.start, 0);
    ck_assert_uint_eq(R.diags.v[d].span.end, 1);
    ck_assert_int_eq(R.n, 2);
    ck_assert_int_eq(R.t[0].tok, STRING);
    TEXT(0, "abc");
    TOK(1, IDENT, 5, 6);
}
END_TEST

START_TEST(test_unterminated_string_at_eof)
{
    lex("let m = \"家庭人均");
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_int_ge(find_diag("unterminated string"), 0);
    ck_assert_uint_eq(R.diags.v[0].span.start, 8);
    ck_assert_int_eq(R.t[R.n - 1].tok, STRING);
    ck_assert_str_eq(R.t[R.n - 1].text, "家庭人均");
}
END_TEST

START_TEST(test_unterminated_string_trailing_backslash)
{
    lex("\"abc\\");
    ck_assert_int_eq(R.diags.errors, 1);
    ck_assert_int_ge(find_diag("unterminated string"), 0);
    ck_assert_int_eq(R.n, 1);
    ck_assert_int_eq(R.t[0].tok, STRING);
}
END_TEST

START_TEST(test_string_with_crlf_is_unterminated)
{
    lex("\"abc\r\n\"d\"");
    ck_assert_int_ge(find_diag("unterminated string"), 0);
    ck_assert_uint_eq(R.diags.v[0].span.start, 0);
    /* the next line starts fresh with a complete string */
    ck_assert_int_eq(R.t[R.n - 1].tok, STRING);
    ck_assert_str_eq(R.t[R.n - 1].text, "d");
    ck_assert_uint_eq(R.t[R.n - 1].start, 6);
}
END_TEST

/* ---- numbers, percentages, dates, durations ------------------------------ */

START_TEST(test_int_and_decimal)
{
    lex("60 1395.50 0 007");
    ck_assert_int_eq(R.n, 4);
    TOK(0, INT, 0, 2);
    TEXT(0, "60");
    TOK(1, DECIMAL, 3, 10);
    TEXT(1, "1395.50");
    TOK(2, INT, 11, 12);
    TOK(3, INT, 13, 16);
    TEXT(3, "007");
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

START_TEST(test_percent)
{
    lex("3% 12.5% 100%");
    ck_assert_int_eq(R.n, 3);
    TOK(0, PERCENT, 0, 2);
    TEXT(0, "3");
    TOK(1, PERCENT, 3, 8);
    TEXT(1, "12.5");
    TOK(2, PERCENT, 9, 13);
    TEXT(2, "100");
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

START_TEST(test_date)
{
    lex("from 2024-07-01 1450");
    ck_assert_int_eq(R.n, 3);
    TOK(0, FROM, 0, 4);
    TOK(1, DATE, 5, 15);
    TEXT(1, "2024-07-01");
    TOK(2, INT, 16, 20);
}
END_TEST

START_TEST(test_not_a_date)
{
    /* a date is always ten characters; anything else is arithmetic */
    lex("2024-7-01");
    ck_assert_int_eq(R.n, 5);
    TOK(0, INT, 0, 4);
    TOK(1, '-', 4, 5);
    TOK(2, INT, 5, 6);
    TOK(3, '-', 6, 7);
    TOK(4, INT, 7, 9);
    for (int i = 0; i < R.n; i++)
        ck_assert_int_ne(R.t[i].tok, DATE);
}
END_TEST

START_TEST(test_durations)
{
    lex("31 days 6 months 1 year 2 day");
    ck_assert_int_eq(R.n, 8);
    TOK(0, INT, 0, 2);
    TOK(1, DAY, 3, 7);
    TOK(2, INT, 8, 9);
    TOK(3, MONTH, 10, 16);
    TOK(4, INT, 17, 18);
    TOK(5, YEAR, 19, 23);
    TOK(6, INT, 24, 25);
    TOK(7, DAY, 26, 29);
}
END_TEST

START_TEST(test_number_spans_in_expression)
{
    lex("amount (line - per_cap) * 24 + 12.5% - 3.00");
    int want[] = { AMOUNT, '(', IDENT, '-', IDENT, ')', '*', INT, '+', PERCENT, '-', DECIMAL };
    ck_assert_int_eq(R.n, 12);
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(R.t[i].tok, want[i]);
    TOK(7, INT, 26, 28);
    TOK(9, PERCENT, 31, 36);
    TOK(11, DECIMAL, 39, 43);
}
END_TEST

START_TEST(test_number_then_chinese_unit_is_an_error)
{
    lex("24倍");
    ck_assert_int_ge(find_diag("cannot start with a digit"), 0);
}
END_TEST

START_TEST(test_number_glued_to_unit)
{
    /* `30days` is reported, then read as `30 days` */
    lex("30days 6months");
    ck_assert_int_eq(R.diags.errors, 2);
    int d = find_diag("written apart");
    ck_assert_int_ge(d, 0);
    ck_assert_uint_eq(R.diags.v[d].span.start, 0);
    ck_assert_uint_eq(R.diags.v[d].span.end, 6);
    ck_assert_ptr_nonnull(strstr(R.diags.v[d].hint, "`30 days`"));
    ck_assert_int_eq(R.n, 4);
    TOK(0, INT, 0, 2);
    TEXT(0, "30");
    TOK(1, DAY, 2, 6);
    TOK(2, INT, 7, 8);
    TOK(3, MONTH, 8, 14);
}
END_TEST

START_TEST(test_operators)
{
    lex("== != <= >= <> < > = + - * / . , : ( ) [ ] { }");
    int want[] = { EQ, NE, LE, GE, NE, '<', '>', '=', '+', '-', '*', '/', '.', ',', ':',
                   '(', ')', '[', ']', '{', '}' };
    int n = (int)(sizeof want / sizeof want[0]);
    ck_assert_int_eq(R.n, n);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(R.t[i].tok, want[i]);
    TOK(0, EQ, 0, 2);
    TOK(4, NE, 12, 14);
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

/* ---- layout ---------------------------------------------------------------- */

START_TEST(test_comments_skipped)
{
    lex("a # 注释：这里有全角标点，不报错\nb#c\n");
    ck_assert_int_eq(R.n, 2);
    TOK(0, IDENT, 0, 1);
    ck_assert_int_eq(R.t[1].tok, IDENT);
    TEXT(1, "b");
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

START_TEST(test_crlf_lines)
{
    lex("let a = 1\r\nlet 人 = 2\r\n");
    ck_assert_int_eq(R.n, 8);
    TOK(4, LET, 11, 14);
    TOK(5, IDENT, 15, 18);
    TOK(7, INT, 21, 22);
    ck_assert_int_eq(R.diags.errors, 0);
}
END_TEST

START_TEST(test_long_input_offsets)
{
    /* offsets stay exact over many lines and a buffer-sized input */
    size_t n = 0;
    char *buf = malloc(300 * 16 + 1);
    ck_assert_ptr_nonnull(buf);
    for (int i = 0; i < 300; i++)
        n += (size_t)sprintf(buf + n, "名%04d = %05d\n", i, i);
    lex_n(buf, n);
    ck_assert_int_eq(R.n, 900);
    /* each line is 3 + 4 + 3 + 5 + 1 = 16 bytes */
    for (int i = 0; i < 300; i++) {
        TOK(3 * i, IDENT, (uint32_t)(16 * i), (uint32_t)(16 * i + 7));
        TOK(3 * i + 2, INT, (uint32_t)(16 * i + 10), (uint32_t)(16 * i + 15));
    }
    free(buf);
}
END_TEST

Suite *hm_lexer_suite(void)
{
    Suite *s = suite_create("lexer");

    TCase *kw = tcase_create("keywords");
    tcase_add_checked_fixture(kw, lex_setup, lex_teardown);
    tcase_set_timeout(kw, 30);
    tcase_add_test(kw, test_keyword_table_sorted);
    tcase_add_test(kw, test_keyword_table_matches_docs);
    tcase_add_test(kw, test_keyword_table_lookup);
    tcase_add_test(kw, test_every_keyword_lexes_to_its_token);
    tcase_add_test(kw, test_keywords_inside_text);
    tcase_add_test(kw, test_keyword_lookalikes_are_names);
    tcase_add_test(kw, test_keyword_plural_units);
    suite_add_tcase(s, kw);

    TCase *nm = tcase_create("names");
    tcase_add_checked_fixture(nm, lex_setup, lex_teardown);
    tcase_set_timeout(nm, 30);
    tcase_add_test(nm, test_chinese_name);
    tcase_add_test(nm, test_mixed_names);
    tcase_add_test(nm, test_name_offsets_after_chinese);
    tcase_add_test(nm, test_non_bmp_and_other_scripts_in_names);
    tcase_add_test(nm, test_name_cannot_start_with_digit);
    tcase_add_test(nm, test_fullwidth_comma_split_from_name);
    tcase_add_test(nm, test_fullwidth_parens);
    tcase_add_test(nm, test_fullwidth_colon_after_field);
    tcase_add_test(nm, test_fullwidth_after_number);
    tcase_add_test(nm, test_fullwidth_between_chinese_names);
    tcase_add_test(nm, test_fullwidth_quotes_and_space);
    suite_add_tcase(s, nm);

    TCase *bad = tcase_create("bad-bytes");
    tcase_add_checked_fixture(bad, lex_setup, lex_teardown);
    tcase_set_timeout(bad, 30);
    tcase_add_test(bad, test_invalid_utf8_byte);
    tcase_add_test(bad, test_truncated_utf8_sequence);
    tcase_add_test(bad, test_overlong_and_surrogate_not_names);
    tcase_add_test(bad, test_invalid_utf8_in_string);
    tcase_add_test(bad, test_invalid_utf8_in_comment);
    tcase_add_test(bad, test_control_and_stray_characters);
    tcase_add_test(bad, test_nul_byte_in_input);
    tcase_add_test(bad, test_empty_and_blank_input);
    suite_add_tcase(s, bad);

    TCase *str = tcase_create("strings");
    tcase_add_checked_fixture(str, lex_setup, lex_teardown);
    tcase_set_timeout(str, 30);
    tcase_add_test(str, test_string_chinese);
    tcase_add_test(str, test_string_escapes);
    tcase_add_test(str, test_string_brace_escape_kept);
    tcase_add_test(str, test_string_unknown_escape);
    tcase_add_test(str, test_unterminated_string_at_newline);
    tcase_add_test(str, test_unterminated_string_at_eof);
    tcase_add_test(str, test_unterminated_string_trailing_backslash);
    tcase_add_test(str, test_string_with_crlf_is_unterminated);
    suite_add_tcase(s, str);

    TCase *num = tcase_create("numbers");
    tcase_add_checked_fixture(num, lex_setup, lex_teardown);
    tcase_set_timeout(num, 30);
    tcase_add_test(num, test_int_and_decimal);
    tcase_add_test(num, test_percent);
    tcase_add_test(num, test_date);
    tcase_add_test(num, test_not_a_date);
    tcase_add_test(num, test_durations);
    tcase_add_test(num, test_number_spans_in_expression);
    tcase_add_test(num, test_number_then_chinese_unit_is_an_error);
    tcase_add_test(num, test_number_glued_to_unit);
    tcase_add_test(num, test_operators);
    suite_add_tcase(s, num);

    TCase *lay = tcase_create("layout");
    tcase_add_checked_fixture(lay, lex_setup, lex_teardown);
    tcase_set_timeout(lay, 30);
    tcase_add_test(lay, test_comments_skipped);
    tcase_add_test(lay, test_crlf_lines);
    tcase_add_test(lay, test_long_input_offsets);
    suite_add_tcase(s, lay);

    return s;
}
