/* parse_state.h -- what the scanner and the parser share while reading
 * one file (flex's yyextra and bison's %parse-param). */
#ifndef HM_PARSE_STATE_H
#define HM_PARSE_STATE_H

#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "srcfile.h"

typedef struct hm_parser {
    hm_arena   *arena;      /* borrowed: where nodes and strings go */
    hm_diags   *diags;      /* borrowed */
    const hm_srcfile *file; /* borrowed */
    size_t      offset;     /* byte offset of the scanner in file->text */
    ast        *root;       /* list of top-level declarations */
    int         depth;      /* nesting depth, to refuse absurdly deep input */
    int         syntax_errors;
    int         lex_errors;
    uint32_t    last_bad;           /* offset after the last bad byte, to report a run once */
    int         out_of_memory;      /* the parser could not grow its stack */
    uint32_t    prev_end, cur_end;  /* end of the previous and the current token */
    int         prev_tok, cur_tok;  /* the previous and the current token */
} hm_parser;

/* Parse one file into p->root.  Returns the number of syntax errors. */
int parse_file(hm_parser *p);

/* scanner helpers (lexer_support.c) */
const char *lex_text(hm_parser *p, const char *s, size_t n);
const char *lex_string(hm_parser *p, const char *s, size_t n, uint32_t off);
void lex_check_utf8(hm_parser *p, const char *s, size_t n, uint32_t off, const char *what);
int  lex_keyword(const char *s, size_t n);
void lex_bad_char(hm_parser *p, hm_span sp, char c);
void lex_invalid_byte(hm_parser *p, hm_span sp, unsigned char c);
void lex_error(hm_parser *p, hm_span sp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The ASCII character meant by a full-width punctuation code point, or NULL. */
const char *lex_fullwidth(uint32_t cp);
/* Report full-width punctuation; the token meant, or 0. */
int lex_punct8(hm_parser *p, hm_span sp, const char *s, size_t n);
/* What a Chinese input method types for an operator, a date, an amount or
 * a number: each reported, and read as what was meant (the token, or 0 to
 * skip; the text of the DATE, INT or DECIMAL token). */
int lex_math8(hm_parser *p, hm_span sp, const char *s, size_t n);
int lex_chinese_logic(hm_parser *p, hm_span sp, const char *s, size_t n);
const char *lex_chinese_date(hm_parser *p, hm_span sp, const char *s);
const char *lex_yuan(hm_parser *p, hm_span sp, const char *s, size_t n);
const char *lex_wide_digits(hm_parser *p, hm_span sp, const char *s, size_t n);

#endif
