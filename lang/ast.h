/* ast.h -- the syntax tree of a policy module.
 *
 * One node type for every construct: a kind, a span, up to four children
 * (a, b, c, d), a `next` link for lists, two strings and an integer.  What
 * each field means for each kind is written beside the kind in the list
 * below.  Nodes live in the compilation's arena.  The checker fills in
 * `ty` (the type of an expression) and `sym` (what a name refers to). */
#ifndef HM_AST_H
#define HM_AST_H

#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "bytecode.h"
#include "diag.h"

/*    kind          fields */
#define AST_KINDS(X)                                                              \
    X(MODULE,     "str=dotted name")                                             \
    X(USE,        "str=module name")                                             \
    X(SOURCE,     "str=name str2=label a=fields b=tables flag=1: the payment roll") \
    X(FIELD,      "ival=entity str=name a=type b=freshness c=default str2=label") \
    X(CODES,      "str=name str2=label a=labels b=maps")                         \
    X(LABEL,      "str=name str2=display text")                                  \
    X(MAP,        "str=source a=map entries")                                    \
    X(MAPENTRY,   "str=raw code str2=label")                                     \
    X(PARAM,      "str=name str2=label a=type b=key expr(s) c=values|entries d=refs ival=shape") \
    X(DATED,      "a=from date (or NULL) b=value c=reference (N_REF, or NULL) flag=1: no value from then on")                               \
    X(ENTRY,      "a=key(s) (NULL: default) b=dated values sym=keys (sema_tkey)") \
    X(RANGE,      "a=low (or NULL) b=high (or NULL)")                            \
    X(SCALE,      "str=name str2=label a=rows (or b=versions) d=refs")           \
    X(ROW,        "a=upper limit (NULL: above) b=rate c=quick deduction")        \
    X(FUNCTION,   "str=name a=params b=result type c=body")                      \
    X(EXTERN,     "str=name a=params b=result type str2=source")                 \
    X(PARAMDECL,  "str=name a=type")                                             \
    X(POLICY,     "str=name str2=label ival=entity a=items b=applicability (a COND) c=claims (a CLAIMS)")                     \
    X(REF,        "str=legal reference")                                         \
    X(EXCLUDES,   "str=policy name")                                             \
    X(LET,        "str=name a=expr b=exceptions")                                \
    X(ELIGIBLE,   "a=condition b=exceptions")                                    \
    X(AMOUNT,     "a=expr b=exceptions")                                         \
    X(EXCEPT,     "a=when b=then str=message ival=priority flag=has priority")   \
    X(COND,       "a=expr str=message c=refs")                                   \
    X(GROUP,      "ival=ALL|ANY str=message a=items")                            \
    X(TEST,       "str=name a=as-of date b=given c=expects")                     \
    X(GIVEN,      "ival=entity a=inits")                                         \
    X(INIT,       "str=field a=value b=as-of date c=source (a NAME)")             \
    X(OBJ,        "a=inits")                                                     \
    X(RECLIT,     "a=record entries")                                            \
    X(RECENTRY,   "a=date b=value")                                              \
    X(EXPECT,     "str=policy ival=status a=amount b=member number c=tolerance d=claim number") \
    X(TYPE,       "ival=base flag=period str=code set a=element type")           \
    X(INT,        "str=digits")                                                  \
    X(DEC,        "str=digits")                                                  \
    X(PERCENT,    "str=digits")                                                  \
    X(STR,        "str=text")                                                    \
    X(DATE,       "str=text ival=day number")                                    \
    X(DUR,        "a=count (a literal, a name or an expression) flag=unit")                                           \
    X(BOOL,       "ival=0|1")                                                    \
    X(ASOF,       "")                                                            \
    X(IT,         "")                                                            \
    X(NAME,       "str=name")                                                    \
    X(GET,        "a=object str=field")                                          \
    X(CALL,       "str=function a=args")                                         \
    X(BINOP,      "ival=operator a=left b=right")                                \
    X(UNOP,       "ival=operator a=operand")                                     \
    X(IS,         "a=expr str=label flag=negated")                               \
    X(IN,         "a=expr b=list")                                               \
    X(LISTLIT,    "a=items")                                                     \
    X(IF,         "a=cond b=then c=else")                                        \
    X(AGG,        "ival=aggregate str=variable a=body b=source c=filter")        \
    X(WHERE,      "a=list b=condition")                                          \
    X(DURING,     "ival=window a=records b=from/count c=to")                  \
    X(ERROR,      "an expression lost to a syntax error (already reported)")   \
    X(ATDATE,     "a=parameter (a NAME) b=date")                                  \
    X(ANYKEY,     "`default` as one key of an entry of several keys")             \
    X(RECTYPE,    "str=name str2=label a=fields")                                \
    X(RFIELD,     "str=name a=type str2=label")   \
    X(SCALEVER,   "a=from date b=rows")                                          \
    X(SCALEQ,     "str=rate|quick|band a=scale (a NAME) b=args")   \
    X(EXPECTVAL,  "str=policy str2=let a=value b=member number c=tolerance") \
    X(REFTAB,     "str=name str2=label a=attributes (RFIELD) b=key type flag=dated") \
    X(TROW,       "str=key a=attribute values (OBJ) b=from date (or NULL) sym=table") \
    X(PICK,       "str=first|last ival=1 first, 2 last a=list (a WHERE or not) b=keys (OKEY)") \
    X(OKEY,       "a=key expr flag=1: descending")                             \
    X(PSUM,       "ival=WIN_LAST|WIN_RANGE a=policy's amount (a GET) b=months|from c=to") \
    X(CLAIMS,     "str=variable a=list str2=order field (or NULL)") \
    X(REFORM,     "str=name str2=label a=amended modules (USE; NULL: any) b=items c=amendments")          \
    X(AMEND,      "str=name ival=1 parameter from dates (a=dated values), 2 policy (a=the replacing item), 3 parameter's one value (a=DATED)") \
    X(REGIONS,    "str=the fact holding the township code (household.NAME)")

typedef enum {
#define X(k, doc) N_##k,
    AST_KINDS(X)
#undef X
    N__COUNT
} ast_kind;

enum { GROUP_ALL = 1, GROUP_ANY = 2 };
/* the period of money; the checker's periods are the program's (bytecode.h) */
enum { PERIOD_NONE = PERIOD_ONCE, PERIOD_MONTH = PERIOD_PER_MONTH, PERIOD_YEAR = PERIOD_PER_YEAR };
enum { DUR_DAYS = 1, DUR_MONTHS = 2, DUR_YEARS = 3 };
enum { PARAM_SIMPLE = 1, PARAM_DATED = 2, PARAM_TABLE = 3 };
enum { EXPECT_ELIGIBLE = 1, EXPECT_NOT_ELIGIBLE = 2, EXPECT_UNDETERMINED = 3, EXPECT_NOT_APPLICABLE = 4 };
enum { WIN_LAST = 1, WIN_RANGE = 2, WIN_SINCE = 3 };
enum { AGG_SUM = 1, AGG_COUNT, AGG_MIN, AGG_MAX, AGG_ANY, AGG_ALL };
/* base types as written in the source */
enum {
    TY_BOOL = 1, TY_INT, TY_DECIMAL, TY_MONEY, TY_DATE, TY_DURATION, TY_TEXT,
    TY_CODE, TY_RECORDS, TY_LIST, TY_PERSON, TY_HOUSEHOLD,
    TY_ROWS     /* list of RECORDTYPE: str=the record type */
};
/* operators: the token's character, or one of these */
enum { AOP_EQ = 256, AOP_NE, AOP_LE, AOP_GE, AOP_AND, AOP_OR, AOP_NOT, AOP_NEG };

typedef struct ast ast;
struct ast {
    ast_kind kind;
    int      flag;
    int64_t  ival;
    hm_span  loc;
    const char *str, *str2;
    ast *a, *b, *c, *d;
    ast *next;
    ast *last;              /* on a list's head: its last node, for O(1) append */
    /* filled in by the checker */
    struct hm_type *ty;
    void *sym;
    int   file;             /* index of the file the node came from */
};

extern const char *const ast_kind_name[];

ast *ast_new(hm_arena *ar, ast_kind k, hm_span loc);
/* Append b to list a (either may be NULL); returns the head. */
ast *ast_append(ast *a, ast *b);
int  ast_count(const ast *list);
/* Write the tree as an indented outline, for golden tests. */
void ast_dump(const ast *n, FILE *out);
const char *ast_op_name(int op);
const char *ast_agg_name(int agg);

#endif
