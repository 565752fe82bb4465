/* parser.y -- the policy-language grammar.
 *
 * Pure and reentrant; actions only build AST nodes in the arena (no name
 * lookups, no global state).  Syntax errors are reported by
 * yyreport_syntax_error() in the drafter's terms ("expected a condition
 * message, found `and`"), and error productions at declaration, item and
 * condition boundaries let one run report every error of a file. */

%define api.pure full
%define api.prefix {hmyy_}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%parse-param {hm_parser *p} {void *scanner}
%lex-param {hm_parser *p} {void *scanner}

%code requires {
#include "ast.h"
#include "parse_state.h"
#define HMYY_LTYPE hm_span
#define HMYY_LTYPE_IS_DECLARED 1
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                \
    do {                                                           \
        if (N) {                                                   \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                  \
            (Cur).end = YYRHSLOC(Rhs, N).end;                      \
        } else {                                                   \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;        \
        }                                                          \
    } while (0)
}

%union {
    const char *text;
    ast *node;
    int num;
}

%code {
#include <string.h>
#include "i18n.h"
#include "mem.h"

int hmyy_lex(HMYY_STYPE *lval, HMYY_LTYPE *lloc, void *scanner);

/* The scanner, remembering where the previous token ended (a missing
 * message is reported there, not at the start of the next line). */
static int next_token(HMYY_STYPE *lval, HMYY_LTYPE *lloc, hm_parser *p, void *scanner)
{
    p->prev_end = p->cur_end;
    p->prev_tok = p->cur_tok;
    int t = hmyy_lex(lval, lloc, scanner);
    p->cur_end = lloc->end;
    p->cur_tok = t;
    return t;
}
#undef yylex
#define yylex next_token
static void hmyy_error(HMYY_LTYPE *loc, hm_parser *p, void *scanner, const char *msg);

/* Deep nesting is refused with a message rather than exhausting the stack
 * of the checker later on. */
#define YYMAXDEPTH 4000
/* The parser's stack comes from the arena of the file being parsed (set
 * by parse_file's caller), so unwinding on out-of-memory leaks nothing. */
extern _Thread_local hm_arena *parse_arena;
#define YYMALLOC(n) arena_alloc(parse_arena, (n))
#define YYFREE(ptr) ((void)(ptr))

static ast *mk(hm_parser *p, ast_kind k, hm_span loc)
{
    ast *n = ast_new(p->arena, k, loc);
    n->file = p->file->index;
    return n;
}
#define NODE(k, loc) mk(p, N_##k, loc)

static hm_span span2(hm_span a, hm_span b) { return (hm_span){ a.start, b.end }; }

/* A given value's `as of DATE` parses as the expression `VALUE as of
 * DATE` (or `-(VALUE as of DATE)`): take the date off into init->b. */
static void split_asof(hm_parser *p, ast *init)
{
    ast **v = &init->a;
    if ((*v)->kind == N_UNOP && (*v)->ival == AOP_NEG)
        v = &(*v)->a;
    if ((*v)->kind != N_ATDATE)
        return;
    ast *d = (*v)->b;
    *v = (*v)->a;
    if (d->kind != N_DATE) {
        int e = diag_error(p->diags, p->file, d->loc, "the date of a given value must be written as a date");
        diag_hint(p->diags, e, "write it as `as of 2024-06-01`");
        return;
    }
    init->b = d;
}

/* The message for when a condition, group or exception is not met: its
 * text beside the first (str2), its node after the first's (for templates). */
static ast *pick(hm_parser *p, hm_span at, const char *fn, ast *list, hm_span at_order,
                 const char *order, ast *keys)
{
    ast *n = mk(p, N_PICK, at);
    n->str = fn;
    n->a = list;
    n->b = keys;
    n->ival = !strcmp(fn, "last") ? 2 : 1;
    if (strcmp(fn, "first") && strcmp(fn, "last")) {
        int d = diag_error(p->diags, p->file, at, "`order by` picks one element: write `first(…)` or `last(…)`, not `%s(…)`", fn);
        diag_hint(p->diags, d, "first(household.members where … order by birth_date)");
    }
    if (strcmp(order, "order")) {
        int d = diag_error(p->diags, p->file, at_order, "expected `order by` after the list, found `%s`", order);
        diag_hint(p->diags, d, "write first(LIST order by KEY)");
    }
    return n;
}

static ast *psum(hm_parser *p, hm_span at, int agg, ast *what, hm_span at_over, const char *over)
{
    ast *n = mk(p, N_PSUM, at);
    n->a = what;
    if (agg != AGG_SUM) {
        int d = diag_error(p->diags, p->file, at, "only sum(… over …) adds a policy's amount over months, not %s(…)",
                           ast_agg_name(agg));
        diag_hint(p->diags, d, "sum(低保.amount over last 12 months)");
    }
    if (strcmp(over, "over")) {
        int d = diag_error(p->diags, p->file, at_over, "expected `over` before the months, found `%s`", over);
        diag_hint(p->diags, d, "sum(低保.amount over last 12 months)");
    }
    return n;
}

static void set_else(ast *n, ast *msg)
{
    if (msg && n->d) {
        n->str2 = msg->str;
        n->d->next = msg;
    }
}
}

%token <text> IDENT "a name"
%token <text> STRING "a string"
%token <text> INT "a whole number"
%token <text> DECIMAL "a decimal number"
%token <text> PERCENT "a percentage"
%token <text> DATE "a date"
%token EQ "==" NE "!=" LE "<=" GE ">="
%token MODULE "module" USE "use" SOURCE "source" CODES "codes" MAP "map"
%token POLICY "policy" FOR "for" HOUSEHOLD "household" PERSON "person"
%token PARAMETER "parameter" SCALE "scale" LET "let" ELIGIBLE "eligible"
%token WHEN "when" ALL "all" ANY "any" NOT "not" AND "and" OR "or"
%token AMOUNT "amount" REFERENCE "reference" EXCLUDES "excludes"
%token EXCEPT "except" THEN "then" ELSE "else" IF "if" IN "in" IS "is"
%token BY "by" FROM "from" TO "to" UP "up" ABOVE "above" MORE "more"
%token DEFAULT "default" TEST "test" GIVEN "given" EXPECT "expect"
%token AS "as" OF "of" MEMBERS "members" MEMBER "member"
%token UNDETERMINED "undetermined" TRUE "true" FALSE "false"
%token FUNCTION "function" EXTERN "extern" FRESH "fresh" WITHIN "within"
%token PER "per" DAY "days" MONTH "months" YEAR "years"
%token MONEY_T "money" INT_T "int" BOOL_T "bool" DECIMAL_T "decimal"
%token DATE_T "date" TEXT_T "text" DURATION_T "duration" CODE "code"
%token RECORDS "records" LIST "list" DURING "during" LAST "last" SINCE "since"
%token SUM "sum" COUNT "count" MIN "min" MAX "max" WHERE "where"
%token PRIORITY "priority" QUICK "quick" IT "it" ASOF "as_of"
%token NONE "none"
%token RECORD "record"
%token REFORM "reform" AMENDS "amends" REPLACE "replace"

%type <node> decls decl source fields field type codes labels label maps map
%type <node> map_entries map_entry param param_body refs dated_list dated entries entry
%type <node> key keyd keys2 key_exprs values scale rows row function extern params param_list pdecl
%type <node> policy pitems pitem excepts except cond_top group conds cond_item cond crefs
%type <node> reftab given_tables given_table trows trow opt_trow_from
%type <node> test given obj inits init_list init rec_entries rec_entry objs
%type <node> expects expect expr postfix primary args exprs duration
%type <node> else_msg versions version opt_quick opt_amount opt_member opt_asof opt_from name_list opt_within
%type <node> reclit
%type <node> field_opts
%type <text> dotted opt_label fname iname type_word type_value
%type <num> entity opt_period agg status except_status opt_dated
%type <node> rectype rfields rfield objs1
%type <node> okeys okey
%type <node> reform ritems ritem amended
%type <node> source_roll regions

/* A `reference` right after a condition belongs to the condition. */
%precedence CONDEND
%precedence REFERENCE
%precedence ELSE
%right WHERE
%left OR
%left AND
%precedence NOT
%nonassoc '<' '>' '=' LE GE EQ NE IS IN
%left '+' '-'
%left '*' '/'
%precedence UMINUS

%%

file:
    decls                       { p->root = $1; }
;

decls:
    %empty                      { $$ = NULL; }
  | decls decl                  { $$ = ast_append($1, $2); }
  | decls error                 { $$ = $1; }
;

decl:
    MODULE dotted               { $$ = NODE(MODULE, @2); $$->str = $2; }
  | USE dotted                  { $$ = NODE(USE, @2); $$->str = $2; }
  | source | codes | param | scale | function | extern | policy | test
  | given                       { $$ = $1; }
  | given_table                 { $$ = $1; }
  | rectype                     { $$ = $1; }
  | reform                      { $$ = $1; }
  | regions                     { $$ = $1; }
;

dotted:
    IDENT                       { $$ = $1; }
  | dotted '.' IDENT            { $$ = arena_printf(p->arena, "%s.%s", $1, $3); }
  | dotted '.' type_word        { $$ = arena_printf(p->arena, "%s.%s", $1, $3); }
;

/* type names may be the last parts of a module name: std.money, std.dates */
type_word:
    MONEY_T { $$ = "money"; } | DATE_T { $$ = "date"; } | TEXT_T { $$ = "text"; }
  | CODE { $$ = "code"; } | LIST { $$ = "list"; } | RECORDS { $$ = "records"; }
  | RECORD { $$ = "record"; }
;

/* a value type after `list of`: refused by the checker, with a hint */
type_value:
    BOOL_T { $$ = "bool"; } | INT_T { $$ = "int"; } | DECIMAL_T { $$ = "decimal"; }
  | MONEY_T { $$ = "money"; } | DATE_T { $$ = "date"; } | TEXT_T { $$ = "text"; }
  | CODE { $$ = "code"; }
;

opt_label:
    %empty                      { $$ = NULL; }
  | STRING                      { $$ = $1; }
;

/* ---- record types: the fields of each element of a list fact --------- */

rectype:
    RECORD IDENT opt_label '{' rfields '}'
                                { $$ = NODE(RECTYPE, @2); $$->str = $2; $$->str2 = $3; $$->a = $5; }
;

rfields:
    %empty                      { $$ = NULL; }
  | rfields rfield              { $$ = ast_append($1, $2); }
  | rfields error               { $$ = $1; }
;

rfield:
    fname ':' type opt_label    { $$ = NODE(RFIELD, @1); $$->str = $1; $$->a = $3; $$->str2 = $4; }
;

/* ---- sources -------------------------------------------------------- */

source:
    SOURCE IDENT opt_label '{' fields '}'
                                { $$ = NODE(SOURCE, @2); $$->str = $2; $$->str2 = $3;
                                  /* reference tables go to b, facts stay in a */
                                  for (ast *f = $5, *nx; f; f = nx) {
                                      nx = f->next;
                                      f->next = NULL;
                                      f->last = NULL;
                                      if (f->kind == N_REFTAB) $$->b = ast_append($$->b, f);
                                      else $$->a = ast_append($$->a, f);
                                  } }
  | source_roll
;

/* source enrolment "发放名册" roll { … }: the payment roll; `roll` is a
 * word here only */
source_roll:
    SOURCE IDENT opt_label IDENT '{' fields '}'
                                { $$ = NODE(SOURCE, @2); $$->str = $2; $$->str2 = $3; $$->flag = 1;
                                  if (strcmp($4, "roll") != 0)
                                      diag_error(p->diags, p->file, @4, "`%s` is not expected here: write `roll` "
                                                 "after the label of the source of the payment roll, or nothing", $4);
                                  for (ast *f = $6, *nx; f; f = nx) {
                                      nx = f->next;
                                      f->next = NULL;
                                      f->last = NULL;
                                      if (f->kind == N_REFTAB) $$->b = ast_append($$->b, f);
                                      else $$->a = ast_append($$->a, f);
                                  } }
;

/* regions by household.township: which fact holds each household's
 * township code; `regions` is a word here only */
regions:
    IDENT BY entity '.' fname   { $$ = NODE(REGIONS, @3); $$->loc.end = @5.end;
                                  $$->str = arena_printf(p->arena, "%s.%s", $3 == ENT_PERSON ? "person" : "household", $5);
                                  if (strcmp($1, "regions") != 0)
                                      diag_error(p->diags, p->file, @1, "`%s` is not expected here: a declaration "
                                                 "begins with a word such as `policy`, `source` or `regions`", $1); }
;

fields:
    %empty                      { $$ = NULL; }
  | fields field                { $$ = ast_append($1, $2); }
  | fields reftab               { $$ = ast_append($1, $2); }
  | fields error                { $$ = $1; }
;

/* table region "行政区划" by text, dated { ATTRIBUTE : TYPE "LABEL" … }:
 * `table` and `dated` are words here only */
reftab:
    IDENT IDENT opt_label BY type opt_dated '{' rfields '}'
                                { $$ = NODE(REFTAB, @2); $$->str = $2; $$->str2 = $3; $$->b = $5;
                                  $$->flag = $6; $$->a = $8;
                                  if (strcmp($1, "table") != 0)
                                      diag_error(p->diags, p->file, @1, "`%s` is not expected here: a source declares "
                                                 "facts (household.NAME : TYPE) and tables (table NAME by text { … })", $1); }
;

opt_dated:
    %empty                      { $$ = 0; }
  | ',' IDENT                   { $$ = 1;
                                  if (strcmp($2, "dated") != 0)
                                      diag_error(p->diags, p->file, @2, "`%s` is not expected here: write `, dated` "
                                                 "for a table whose rows are in force from a date", $2); }
;

field:
    entity '.' fname ':' type field_opts opt_label
                                { $$ = NODE(FIELD, @3); $$->ival = $1; $$->str = $3;
                                  $$->a = $5; $$->b = $6->b; $$->c = $6->c; $$->str2 = $7; }
;

/* `fresh within …` and `default VALUE`, in either order: a FIELD node
 * holding b=freshness c=default */
field_opts:
    %empty                      { $$ = NODE(FIELD, @$); }
  | field_opts FRESH WITHIN duration
                                { $$ = $1;
                                  if ($$->b) diag_error(p->diags, p->file, @2, "`fresh within` is given twice");
                                  $$->b = $4; }
  | field_opts DEFAULT expr     { $$ = $1;
                                  if ($$->c) diag_error(p->diags, p->file, @2, "`default` is given twice");
                                  $$->c = $3; }
;

entity:
    HOUSEHOLD                   { $$ = ENT_HOUSEHOLD; }
  | PERSON                      { $$ = ENT_PERSON; }
;

fname:
    IDENT | ELIGIBLE { $$ = "eligible"; } | AMOUNT { $$ = "amount"; }
  | DATE_T { $$ = "date"; } | MEMBERS { $$ = "members"; } | HOUSEHOLD { $$ = "household"; }
;

duration:
    INT DAY                     { $$ = NODE(DUR, @$); $$->a = NODE(INT, @1); $$->a->str = $1; $$->flag = DUR_DAYS; }
  | INT MONTH                   { $$ = NODE(DUR, @$); $$->a = NODE(INT, @1); $$->a->str = $1; $$->flag = DUR_MONTHS; }
  | INT YEAR                    { $$ = NODE(DUR, @$); $$->a = NODE(INT, @1); $$->a->str = $1; $$->flag = DUR_YEARS; }
;

type:
    BOOL_T                      { $$ = NODE(TYPE, @$); $$->ival = TY_BOOL; }
  | INT_T                       { $$ = NODE(TYPE, @$); $$->ival = TY_INT; }
  | DECIMAL_T                   { $$ = NODE(TYPE, @$); $$->ival = TY_DECIMAL; }
  | MONEY_T opt_period          { $$ = NODE(TYPE, @$); $$->ival = TY_MONEY; $$->flag = $2; }
  | DATE_T                      { $$ = NODE(TYPE, @$); $$->ival = TY_DATE; }
  | DURATION_T                  { $$ = NODE(TYPE, @$); $$->ival = TY_DURATION; $$->flag = DUR_DAYS; }
  | DURATION_T IN DAY           { $$ = NODE(TYPE, @$); $$->ival = TY_DURATION; $$->flag = DUR_DAYS; }
  | DURATION_T IN MONTH         { $$ = NODE(TYPE, @$); $$->ival = TY_DURATION; $$->flag = DUR_MONTHS; }
  | DURATION_T IN YEAR          { $$ = NODE(TYPE, @$); $$->ival = TY_DURATION; $$->flag = DUR_YEARS; }
  | TEXT_T                      { $$ = NODE(TYPE, @$); $$->ival = TY_TEXT; }
  | CODE IDENT                  { $$ = NODE(TYPE, @2); $$->ival = TY_CODE; $$->str = $2; }
  | IDENT opt_period            { $$ = NODE(TYPE, @1); $$->ival = TY_CODE; $$->str = $1; $$->flag = $2; }
  | RECORDS OF type             { $$ = NODE(TYPE, @$); $$->ival = TY_RECORDS; $$->a = $3; }
  | LIST OF PERSON              { $$ = NODE(TYPE, @$); $$->ival = TY_LIST; }
  | LIST OF IDENT               { $$ = NODE(TYPE, @3); $$->ival = TY_ROWS; $$->str = $3; }
  | LIST OF type_value          { $$ = NODE(TYPE, @3); $$->ival = TY_ROWS; $$->str = $3; $$->flag = 1; }
  | PERSON                      { $$ = NODE(TYPE, @$); $$->ival = TY_PERSON; }
  | HOUSEHOLD                   { $$ = NODE(TYPE, @$); $$->ival = TY_HOUSEHOLD; }
;

opt_period:
    %empty                      { $$ = PERIOD_NONE; }
  | PER MONTH                   { $$ = PERIOD_MONTH; }
  | PER YEAR                    { $$ = PERIOD_YEAR; }
;

/* ---- code sets ------------------------------------------------------ */

codes:
    CODES IDENT opt_label '{' labels maps '}'
                                { $$ = NODE(CODES, @2); $$->str = $2; $$->str2 = $3; $$->a = $5; $$->b = $6; }
;

labels:
    label                       { $$ = $1; }
  | labels label                { $$ = ast_append($1, $2); }
  | labels ',' label            { $$ = ast_append($1, $3); }
;

label:
    IDENT opt_label             { $$ = NODE(LABEL, @1); $$->str = $1; $$->str2 = $2; }
;

maps:
    %empty                      { $$ = NULL; }
  | maps map                    { $$ = ast_append($1, $2); }
;

map:
    MAP IDENT '{' map_entries '}'
                                { $$ = NODE(MAP, @2); $$->str = $2; $$->a = $4; }
  | MAP IDENT '{' error '}'     { $$ = NODE(MAP, @2); $$->str = $2; }
;

map_entries:
    map_entry                   { $$ = $1; }
  | map_entries map_entry       { $$ = ast_append($1, $2); }
  | map_entries ',' map_entry   { $$ = ast_append($1, $3); }
;

map_entry:
    STRING ':' IDENT            { $$ = NODE(MAPENTRY, @$); $$->str = $1; $$->str2 = $3; $$->b = NODE(NAME, @3); }
  | INT ':' IDENT               { $$ = NODE(MAPENTRY, @$); $$->str = $1; $$->str2 = $3; $$->b = NODE(NAME, @3); }
;

/* ---- reforms: amendments of other modules, and declarations of their own */

reform:
    REFORM IDENT opt_label AMENDS amended '{' ritems '}'
                                { $$ = NODE(REFORM, @2); $$->str = $2; $$->str2 = $3; $$->a = $5; $$->b = $7; }
    /* without `amends`: whichever module declares what it amends */
  | REFORM IDENT opt_label '{' ritems '}'
                                { $$ = NODE(REFORM, @2); $$->str = $2; $$->str2 = $3; $$->b = $5; }
;

amended:
    dotted                      { $$ = NODE(USE, @1); $$->str = $1; }
  | amended ',' dotted          { ast *u = NODE(USE, @3); u->str = $3; $$ = ast_append($1, u); }
;

ritems:
    %empty                      { $$ = NULL; }
  | ritems ritem                { $$ = ast_append($1, $2); }
  | ritems error                { $$ = $1; }
;

ritem:
    source | codes | param | scale | function | extern | policy | rectype
                                { $$ = $1; }
  | PARAMETER IDENT dated_list  { $$ = NODE(AMEND, @2); $$->str = $2; $$->ival = 1; $$->a = $3; }
  | PARAMETER IDENT '=' expr    { $$ = NODE(AMEND, @2); $$->str = $2; $$->ival = 3;
                                  $$->a = NODE(DATED, @4); $$->a->b = $4; }
  | POLICY IDENT REPLACE pitem  { $$ = NODE(AMEND, @2); $$->str = $2; $$->ival = 2; $$->a = $4; }
;

/* ---- parameters ----------------------------------------------------- */

param:
    PARAMETER IDENT opt_label ':' type param_body
                                { $$ = $6; $$->loc = @2; $$->str = $2; $$->str2 = $3; $$->a = $5; }
;

param_body:
    '=' expr                    { $$ = NODE(PARAM, @$); $$->ival = PARAM_SIMPLE;
                                  $$->c = NODE(DATED, @2); $$->c->b = $2; }
  | '{' refs dated_list '}'     { $$ = NODE(PARAM, @$); $$->ival = PARAM_DATED; $$->c = $3; $$->d = $2; }
  | BY expr '{' refs entries '}'
                                { $$ = NODE(PARAM, @$); $$->ival = PARAM_TABLE; $$->b = $2; $$->c = $5; $$->d = $4; }
  | '{' error '}'               { $$ = NODE(PARAM, @$); $$->ival = PARAM_DATED; }
  | BY expr '{' error '}'       { $$ = NODE(PARAM, @$); $$->ival = PARAM_TABLE; $$->b = $2; }
  | BY key_exprs '{' refs entries '}'
                                { $$ = NODE(PARAM, @$); $$->ival = PARAM_TABLE; $$->b = $2; $$->c = $5; $$->d = $4; }
  | BY key_exprs '{' error '}'  { $$ = NODE(PARAM, @$); $$->ival = PARAM_TABLE; $$->b = $2; }
;

/* a table looked up by several keys: their expressions in order */
key_exprs:
    expr ',' expr               { $$ = ast_append($1, $3); }
  | key_exprs ',' expr          { $$ = ast_append($1, $3); }
;

refs:
    %empty                      { $$ = NULL; }
  | refs REFERENCE STRING       { ast *r = NODE(REF, @3); r->str = $3; $$ = ast_append($1, r); }
;

dated_list:
    dated                       { $$ = $1; }
  | dated_list dated            { $$ = ast_append($1, $2); }
  | dated_list ',' dated        { $$ = ast_append($1, $3); }
;

dated:
    FROM DATE expr              { $$ = NODE(DATED, @$); $$->a = NODE(DATE, @2); $$->a->str = $2; $$->b = $3; }
  | FROM DATE expr REFERENCE STRING
                                { $$ = NODE(DATED, @$); $$->a = NODE(DATE, @2); $$->a->str = $2; $$->b = $3;
                                  $$->c = NODE(REF, @5); $$->c->str = $5; }
  | FROM DATE NONE              { $$ = NODE(DATED, @$); $$->a = NODE(DATE, @2); $$->a->str = $2; $$->flag = 1; }
;

entries:
    entry                       { $$ = $1; }
  | entries entry               { $$ = ast_append($1, $2); }
;

entry:
    key ':' values              { $$ = NODE(ENTRY, @1); $$->a = $1; $$->b = $3; }
  | DEFAULT ':' values          { $$ = NODE(ENTRY, @1); $$->a = NULL; $$->b = $3; }
  | keys2 ':' values            { $$ = NODE(ENTRY, @1); $$->a = $1; $$->b = $3; }
;

/* the keys of an entry of a table with several keys, one a position;
 * `default` in a position matches any key there */
keys2:
    keyd ',' keyd               { $$ = ast_append($1, $3); }
  | keys2 ',' keyd              { $$ = ast_append($1, $3); }
;

keyd:
    key                         { $$ = $1; }
  | DEFAULT                     { $$ = NODE(ANYKEY, @$); }
;

key:
    STRING                      { $$ = NODE(STR, @$); $$->str = $1; }
  | INT                         { $$ = NODE(INT, @$); $$->str = $1; }
  | IDENT                       { $$ = NODE(NAME, @$); $$->str = $1; }
  | INT TO INT                  { $$ = NODE(RANGE, @$); $$->a = NODE(INT, @1); $$->a->str = $1;
                                  $$->b = NODE(INT, @3); $$->b->str = $3; }
  | INT OR MORE                 { $$ = NODE(RANGE, @$); $$->a = NODE(INT, @1); $$->a->str = $1; }
  | UP TO INT                   { $$ = NODE(RANGE, @$); $$->b = NODE(INT, @3); $$->b->str = $3; }
;

values:
    expr                        { $$ = NODE(DATED, @$); $$->b = $1; }
  | dated_list                  { $$ = $1; }
;

/* ---- scales --------------------------------------------------------- */

scale:
    SCALE IDENT opt_label '{' refs rows '}'
                                { $$ = NODE(SCALE, @2); $$->str = $2; $$->str2 = $3; $$->a = $6; $$->d = $5; }
  | SCALE IDENT opt_label '{' refs versions '}'
                                { $$ = NODE(SCALE, @2); $$->str = $2; $$->str2 = $3; $$->b = $6; $$->d = $5; }
  | SCALE IDENT opt_label '{' error '}'
                                { $$ = NODE(SCALE, @2); $$->str = $2; $$->str2 = $3; }
;

/* bands and rates that change by date: `from DATE { rows }` */
versions:
    version                     { $$ = $1; }
  | versions version            { $$ = ast_append($1, $2); }
;

version:
    FROM DATE '{' rows '}'      { $$ = NODE(SCALEVER, @1); $$->a = NODE(DATE, @2); $$->a->str = $2; $$->b = $4; }
;

rows:
    %empty                      { $$ = NULL; }
  | rows row                    { $$ = ast_append($1, $2); }
;

row:
    UP TO expr ':' expr opt_quick
                                { $$ = NODE(ROW, @$); $$->a = $3; $$->b = $5; $$->c = $6; }
  | ABOVE ':' expr opt_quick    { $$ = NODE(ROW, @$); $$->a = NULL; $$->b = $3; $$->c = $4; }
;

opt_quick:
    %empty                      { $$ = NULL; }
  | QUICK expr                  { $$ = $2; }
;

/* ---- functions ------------------------------------------------------ */

function:
    FUNCTION IDENT '(' params ')' ':' type '=' expr
                                { $$ = NODE(FUNCTION, @2); $$->str = $2; $$->a = $4; $$->b = $7; $$->c = $9; }
;

extern:
    EXTERN IDENT '(' params ')' ':' type
                                { $$ = NODE(EXTERN, @2); $$->str = $2; $$->a = $4; $$->b = $7; }
  | EXTERN IDENT '(' params ')' ':' type FROM IDENT
                                { $$ = NODE(EXTERN, @2); $$->str = $2; $$->a = $4; $$->b = $7; $$->str2 = $9;
                                  $$->c = NODE(NAME, @9); $$->c->str = $9; }
;

params:
    %empty                      { $$ = NULL; }
  | param_list                  { $$ = $1; }
;

param_list:
    pdecl                       { $$ = $1; }
  | param_list ',' pdecl        { $$ = ast_append($1, $3); }
;

pdecl:
    IDENT ':' type              { $$ = NODE(PARAMDECL, @1); $$->str = $1; $$->a = $3; }
;

/* ---- policies ------------------------------------------------------- */

policy:
    POLICY IDENT opt_label FOR entity '{' pitems '}'
                                { $$ = NODE(POLICY, @2); $$->str = $2; $$->str2 = $3; $$->ival = $5; $$->a = $7; }
  | POLICY IDENT opt_label FOR entity WHERE expr opt_label '{' pitems '}'
                                { $$ = NODE(POLICY, @2); $$->str = $2; $$->str2 = $3; $$->ival = $5; $$->a = $10;
                                  $$->b = NODE(COND, @7); $$->b->a = $7; $$->b->str = $8;
                                  if ($8) { $$->b->d = NODE(STR, @8); $$->b->d->str = $8; } }
  | POLICY IDENT opt_label FOR IDENT '{' pitems '}'
                                { $$ = NODE(POLICY, @2); $$->str = $2; $$->str2 = $3; $$->ival = ENT_PERSON; $$->a = $7;
                                  int d = diag_error(p->diags, p->file, @5, "expected `household` or `person`, found a name");
                                  diag_hint(p->diags, d, "write `for household`, `for person`, or `for NAME in person.LIST` for each record of a list"); }
    /* a policy decided once for each record of a person's list (a claim):
     * `for 结算 in person.hospital_bills ordered by settled_on` */
  | POLICY IDENT opt_label FOR IDENT IN expr '{' pitems '}'
                                { $$ = NODE(POLICY, @2); $$->str = $2; $$->str2 = $3; $$->ival = ENT_PERSON; $$->a = $9;
                                  $$->c = NODE(CLAIMS, @5); $$->c->str = $5; $$->c->a = $7; }
  | POLICY IDENT opt_label FOR IDENT IN expr IDENT BY IDENT '{' pitems '}'
                                { $$ = NODE(POLICY, @2); $$->str = $2; $$->str2 = $3; $$->ival = ENT_PERSON; $$->a = $12;
                                  $$->c = NODE(CLAIMS, @5); $$->c->str = $5; $$->c->a = $7; $$->c->str2 = $10;
                                  if (strcmp($8, "ordered")) {
                                      int d = diag_error(p->diags, p->file, @8, "expected `ordered by` after the list of claims, found `%s`", $8);
                                      diag_hint(p->diags, d, "write `for NAME in person.LIST ordered by FIELD`");
                                  } }
;

pitems:
    %empty                      { $$ = NULL; }
  | pitems pitem                { $$ = ast_append($1, $2); }
  | pitems error                { $$ = $1; }
;

pitem:
    REFERENCE STRING            { $$ = NODE(REF, @2); $$->str = $2; }
  | EXCLUDES name_list          { $$ = $2; }
  | param
  | scale
  | LET IDENT '=' expr excepts  { $$ = NODE(LET, @2); $$->str = $2; $$->a = $4; $$->b = $5; }
  | ELIGIBLE WHEN cond_top excepts
                                { $$ = NODE(ELIGIBLE, @1); $$->a = $3; $$->b = $4; }
  | AMOUNT expr excepts         { $$ = NODE(AMOUNT, @1); $$->a = $2; $$->b = $3; }
    /* a rule whose expression has a syntax error is still there: its uses
     * and the policy's `eligible when` are not reported as missing */
  | LET IDENT '=' error         { $$ = NODE(LET, @2); $$->str = $2; $$->a = NODE(ERROR, @4); }
  | ELIGIBLE WHEN error         { $$ = NODE(ELIGIBLE, @1); }
  | AMOUNT error                { $$ = NODE(AMOUNT, @1); $$->a = NODE(ERROR, @2); }
;

name_list:
    IDENT                       { $$ = NODE(EXCLUDES, @1); $$->str = $1; }
  | name_list ',' IDENT         { ast *e = NODE(EXCLUDES, @3); e->str = $3; $$ = ast_append($1, e); }
;

excepts:
    %empty                      { $$ = NULL; }
  | excepts except              { $$ = ast_append($1, $2); }
;

except:
    EXCEPT WHEN expr THEN expr STRING else_msg
                                { $$ = NODE(EXCEPT, @1); $$->a = $3; $$->b = $5; $$->str = $6;
                                  $$->d = NODE(STR, @6); $$->d->str = $6; set_else($$, $7); }
  | EXCEPT WHEN expr THEN expr STRING else_msg PRIORITY INT
                                { $$ = NODE(EXCEPT, @1); $$->a = $3; $$->b = $5; $$->str = $6;
                                  $$->d = NODE(STR, @6); $$->d->str = $6; $$->flag = 1; $$->c = NODE(INT, @9); $$->c->str = $9;
                                  set_else($$, $7); }
  | EXCEPT WHEN expr THEN except_status STRING else_msg
                                { $$ = NODE(EXCEPT, @1); $$->a = $3; $$->b = NODE(BOOL, @5);
                                  $$->b->ival = $5; $$->b->flag = 2; $$->str = $6; $$->d = NODE(STR, @6); $$->d->str = $6;
                                  set_else($$, $7); }
  | EXCEPT WHEN expr THEN except_status STRING else_msg PRIORITY INT
                                { $$ = NODE(EXCEPT, @1); $$->a = $3; $$->b = NODE(BOOL, @5);
                                  $$->b->ival = $5; $$->b->flag = 2; $$->str = $6; $$->d = NODE(STR, @6); $$->d->str = $6;
                                  $$->flag = 1; $$->c = NODE(INT, @9); $$->c->str = $9; set_else($$, $7); }
;

/* `else "…"`: the message for when it is not met */
else_msg:
    %empty                      { $$ = NULL; }
  | ELSE STRING                 { $$ = NODE(STR, @2); $$->str = $2; }
;

except_status:
    ELIGIBLE                    { $$ = 1; }
  | NOT ELIGIBLE                { $$ = 0; }
;

cond_top:
    group
  | cond
;

group:
    ALL opt_label '{' conds '}' { $$ = NODE(GROUP, @1); $$->ival = GROUP_ALL; $$->str = $2; $$->a = $4;
                                  if ($2) { $$->d = NODE(STR, @2); $$->d->str = $2; } }
  | ANY opt_label '{' conds '}' { $$ = NODE(GROUP, @1); $$->ival = GROUP_ANY; $$->str = $2; $$->a = $4;
                                  if ($2) { $$->d = NODE(STR, @2); $$->d->str = $2; } }
  | ALL STRING ELSE STRING '{' conds '}'
                                { $$ = NODE(GROUP, @1); $$->ival = GROUP_ALL; $$->str = $2; $$->a = $6;
                                  $$->d = NODE(STR, @2); $$->d->str = $2;
                                  ast *m = NODE(STR, @4); m->str = $4; set_else($$, m); }
  | ANY STRING ELSE STRING '{' conds '}'
                                { $$ = NODE(GROUP, @1); $$->ival = GROUP_ANY; $$->str = $2; $$->a = $6;
                                  $$->d = NODE(STR, @2); $$->d->str = $2;
                                  ast *m = NODE(STR, @4); m->str = $4; set_else($$, m); }
;

conds:
    %empty                      { $$ = NULL; }
  | conds cond_item             { $$ = ast_append($1, $2); }
;

cond_item:
    group
  | cond
  | error                       { $$ = NULL; }
;

cond:
    expr STRING else_msg crefs %prec CONDEND
                                { $$ = NODE(COND, @1); $$->a = $1; $$->str = $2; $$->c = $4;
                                  $$->d = NODE(STR, @2); $$->d->str = $2; set_else($$, $3); }
;

crefs:
    %empty                      { $$ = NULL; }
  | crefs REFERENCE STRING      { ast *r = NODE(REF, @3); r->str = $3; $$ = ast_append($1, r); }
;

/* ---- tests ---------------------------------------------------------- */

test:
    TEST STRING AS OF DATE '{' given expects '}'
                                { $$ = NODE(TEST, @2); $$->str = $2; $$->a = NODE(DATE, @5); $$->a->str = $5;
                                  $$->b = $7; $$->c = $8; }
  | TEST STRING AS OF DATE '{' given_tables given expects '}'
                                { $$ = NODE(TEST, @2); $$->str = $2; $$->a = NODE(DATE, @5); $$->a->str = $5;
                                  $$->b = $8; $$->c = $9; $$->d = $7; }
  | TEST STRING AS OF DATE '{' error '}'
                                { $$ = NODE(TEST, @2); $$->str = $2; $$->a = NODE(DATE, @5); $$->a->str = $5; }
;

given:
    GIVEN HOUSEHOLD obj         { $$ = NODE(GIVEN, @2); $$->ival = ENT_HOUSEHOLD; $$->a = $3; }
  | GIVEN PERSON obj            { $$ = NODE(GIVEN, @2); $$->ival = ENT_PERSON; $$->a = $3; }
;

/* given table region { "330102" from 2024-07-01 { name "西湖区", dibao_line 1245 } … }:
 * the rows of reference tables, each row a TROW whose sym is its table's
 * REFTAB name (str2) */
given_tables:
    given_table                 { $$ = $1; }
  | given_tables given_table    { $$ = ast_append($1, $2); }
;

given_table:
    GIVEN IDENT IDENT '{' trows '}'
                                { $$ = $5;
                                  for (ast *r = $5; r; r = r->next) r->str2 = $3;
                                  if (!$5) { $$ = NODE(TROW, @3); $$->str2 = $3; $$->flag = 1; }
                                  if (strcmp($2, "table") != 0)
                                      diag_error(p->diags, p->file, @2, "`%s` is not expected here: write `given table NAME { … }`", $2); }
;

trows:
    %empty                      { $$ = NULL; }
  | trows trow                  { $$ = ast_append($1, $2); }
;

trow:
    STRING opt_trow_from obj    { $$ = NODE(TROW, @1); $$->str = $1; $$->b = $2; $$->a = $3; }
;

opt_trow_from:
    %empty                      { $$ = NULL; }
  | FROM DATE                   { $$ = NODE(DATE, @2); $$->str = $2; }
;

obj:
    '{' inits '}'               { $$ = NODE(OBJ, @$); $$->a = $2; }
;

inits:
    %empty                      { $$ = NULL; }
  | init_list                   { $$ = $1; }
  | init_list ','               { $$ = $1; }
;

init_list:
    init                        { $$ = $1; }
  | init_list init              { $$ = ast_append($1, $2); }
  | init_list ',' init          { $$ = ast_append($1, $3); }
;

init:
    iname expr opt_from         { $$ = NODE(INIT, @1); $$->str = $1; $$->a = $2; $$->c = $3;
                                  split_asof(p, $$); }
  | iname reclit opt_asof opt_from
                                { $$ = NODE(INIT, @1); $$->str = $1; $$->a = $2; $$->b = $3; $$->c = $4; }
  | MEMBERS '[' objs ']'        { $$ = NODE(INIT, @1); $$->str = "members";
                                  $$->a = NODE(LISTLIT, @2); $$->a->a = $3; }
;

iname:
    IDENT | AMOUNT { $$ = "amount"; } | DATE_T { $$ = "date"; }
;

opt_asof:
    %empty                      { $$ = NULL; }
  | AS OF DATE                  { $$ = NODE(DATE, @3); $$->str = $3; }
;

opt_from:
    %empty                      { $$ = NULL; }
  | FROM IDENT                  { $$ = NODE(NAME, @2); $$->str = $2; }
;

objs:
    %empty                      { $$ = NULL; }
  | obj                         { $$ = $1; }
  | objs ',' obj                { $$ = ast_append($1, $3); }
;

reclit:
    '[' rec_entries ']'         { $$ = NODE(RECLIT, @$); $$->a = $2; }
  | '[' ']'                     { $$ = NODE(RECLIT, @$); }
  | '[' objs1 ']'               { $$ = NODE(LISTLIT, @$); $$->a = $2; }
  | MEMBER INT                  { $$ = NODE(INT, @$); $$->str = $2; $$->flag = 1; }   /* another member */
;

/* the records of a list of records: [ { kind car, value 80000 }, … ] */
objs1:
    obj                         { $$ = $1; }
  | objs1 ',' obj               { $$ = ast_append($1, $3); }
;

rec_entries:
    rec_entry                   { $$ = $1; }
  | rec_entries ',' rec_entry   { $$ = ast_append($1, $3); }
;

rec_entry:
    DATE ':' expr               { $$ = NODE(RECENTRY, @1); $$->a = NODE(DATE, @1); $$->a->str = $1; $$->b = $3; }
;

expects:
    expect                      { $$ = $1; }
  | expects expect              { $$ = ast_append($1, $2); }
;

expect:
    EXPECT IDENT opt_member status opt_amount
                                { $$ = NODE(EXPECT, @2); $$->str = $2; $$->b = $3; $$->ival = $4; $$->a = $5;
                                  if ($5 && $5->kind == N_EXPECTVAL) { $$->a = $5->a; $$->c = $5->c; } }
    /* a claim policy's decision for the person's claim N: `for claim N` */
  | EXPECT IDENT opt_member FOR IDENT INT status opt_amount
                                { $$ = NODE(EXPECT, @2); $$->str = $2; $$->b = $3; $$->ival = $7; $$->a = $8;
                                  $$->d = NODE(INT, @6); $$->d->str = $6;
                                  if ($8 && $8->kind == N_EXPECTVAL) { $$->a = $8->a; $$->c = $8->c; }
                                  if (strcmp($5, "claim")) {
                                      int d = diag_error(p->diags, p->file, @5, "expected `claim` after `for`, found `%s`", $5);
                                      diag_hint(p->diags, d, "write `expect POLICY for claim N …`");
                                  } }
  | EXPECT IDENT '.' IDENT opt_member '=' expr opt_within
                                { $$ = NODE(EXPECTVAL, @4); $$->str = $2; $$->str2 = $4; $$->b = $5; $$->a = $7; $$->c = $8; }
;

opt_within:
    %empty                      { $$ = NULL; }
  | WITHIN expr                 { $$ = $2; }
;

opt_member:
    %empty                      { $$ = NULL; }
  | OF MEMBER INT               { $$ = NODE(INT, @3); $$->str = $3; }
;

status:
    ELIGIBLE                    { $$ = EXPECT_ELIGIBLE; }
  | NOT ELIGIBLE                { $$ = EXPECT_NOT_ELIGIBLE; }
  | UNDETERMINED                { $$ = EXPECT_UNDETERMINED; }
    /* `applicable` is not a keyword: a name may still be called so */
  | NOT IDENT                   { $$ = EXPECT_NOT_APPLICABLE;
                                  if (strcmp($2, "applicable")) {
                                      int d = diag_error(p->diags, p->file, @2, "expected `eligible` or `applicable` after `not`, found `%s`", $2);
                                      diag_hint(p->diags, d, "write `not eligible` or `not applicable`");
                                  } }
;

opt_amount:
    %empty                      { $$ = NULL; }
  | ',' AMOUNT expr             { $$ = $3; }
    /* the amount and its tolerance, carried to `expect` in an EXPECTVAL */
  | ',' AMOUNT expr WITHIN expr { $$ = NODE(EXPECTVAL, @3); $$->a = $3; $$->c = $5; }
;

/* ---- expressions ---------------------------------------------------- */

expr:
    IF expr THEN expr ELSE expr { $$ = NODE(IF, @$); $$->a = $2; $$->b = $4; $$->c = $6; }
  | expr WHERE expr             { $$ = NODE(WHERE, @2); $$->a = $1; $$->b = $3; }
  | expr OR expr                { $$ = NODE(BINOP, @2); $$->ival = AOP_OR; $$->a = $1; $$->b = $3; }
  | expr AND expr               { $$ = NODE(BINOP, @2); $$->ival = AOP_AND; $$->a = $1; $$->b = $3; }
  | NOT expr                    { $$ = NODE(UNOP, @1); $$->ival = AOP_NOT; $$->a = $2; }
  | expr '<' expr               { $$ = NODE(BINOP, @2); $$->ival = '<'; $$->a = $1; $$->b = $3; }
  | expr '>' expr               { $$ = NODE(BINOP, @2); $$->ival = '>'; $$->a = $1; $$->b = $3; }
  | expr LE expr                { $$ = NODE(BINOP, @2); $$->ival = AOP_LE; $$->a = $1; $$->b = $3; }
  | expr GE expr                { $$ = NODE(BINOP, @2); $$->ival = AOP_GE; $$->a = $1; $$->b = $3; }
  | expr EQ expr                { $$ = NODE(BINOP, @2); $$->ival = AOP_EQ; $$->a = $1; $$->b = $3; }
  | expr NE expr                { $$ = NODE(BINOP, @2); $$->ival = AOP_NE; $$->a = $1; $$->b = $3; }
  | expr '=' expr               { $$ = NODE(BINOP, @2); $$->ival = AOP_EQ; $$->a = $1; $$->b = $3;
                                  int d = diag_error(p->diags, p->file, @2, "`=` is not a comparison");
                                  diag_hint(p->diags, d, "write `==` to compare two values"); }
  | expr IS IDENT               { $$ = NODE(IS, @3); $$->a = $1; $$->str = $3; }
  | expr IS NOT IDENT           { $$ = NODE(IS, @4); $$->a = $1; $$->str = $4; $$->flag = 1; }
  | expr IN '[' exprs ']'       { $$ = NODE(IN, @2); $$->a = $1; $$->b = NODE(LISTLIT, @3); $$->b->a = $4; }
  | expr '+' expr               { $$ = NODE(BINOP, @2); $$->ival = '+'; $$->a = $1; $$->b = $3; }
  | expr '-' expr               { $$ = NODE(BINOP, @2); $$->ival = '-'; $$->a = $1; $$->b = $3; }
  | expr '*' expr               { $$ = NODE(BINOP, @2); $$->ival = '*'; $$->a = $1; $$->b = $3; }
  | expr '/' expr               { $$ = NODE(BINOP, @2); $$->ival = '/'; $$->a = $1; $$->b = $3; }
  | '-' expr %prec UMINUS       { $$ = NODE(UNOP, @1); $$->ival = AOP_NEG; $$->a = $2; }
  | postfix
;

postfix:
    primary
  | postfix '.' fname           { $$ = NODE(GET, @3); $$->a = $1; $$->str = $3; }
    /* a scale's band, rate or quick deduction for an amount: 税率表.rate(x) */
  | postfix '.' fname '(' args ')'
                                { $$ = NODE(SCALEQ, @3); $$->a = $1; $$->str = $3; $$->b = $5; }
  | postfix '.' QUICK '(' args ')'
                                { $$ = NODE(SCALEQ, @3); $$->a = $1; $$->str = "quick"; $$->b = $5; }
  | postfix DURING LAST INT MONTH
                                { $$ = NODE(DURING, @2); $$->ival = WIN_LAST; $$->a = $1;
                                  $$->b = NODE(INT, @4); $$->b->str = $4; $$->flag = DUR_MONTHS; }
  | postfix DURING LAST INT DAY { $$ = NODE(DURING, @2); $$->ival = WIN_LAST; $$->a = $1;
                                  $$->b = NODE(INT, @4); $$->b->str = $4; $$->flag = DUR_DAYS; }
  | postfix DURING LAST INT YEAR
                                { $$ = NODE(DURING, @2); $$->ival = WIN_LAST; $$->a = $1;
                                  $$->b = NODE(INT, @4); $$->b->str = $4; $$->flag = DUR_YEARS; }
  | postfix DURING primary TO primary
                                { $$ = NODE(DURING, @2); $$->ival = WIN_RANGE; $$->a = $1; $$->b = $3; $$->c = $5; }
  | postfix SINCE primary       { $$ = NODE(DURING, @2); $$->ival = WIN_SINCE; $$->a = $1; $$->b = $3; }
  | postfix DURING LAST IDENT   { $$ = NODE(DURING, @2); $$->ival = WIN_LAST; $$->a = $1;
                                  $$->b = NODE(NAME, @4); $$->b->str = $4; }
  | postfix DURING LAST IDENT MONTH
                                { $$ = NODE(DURING, @2); $$->ival = WIN_LAST; $$->a = $1;
                                  $$->b = NODE(NAME, @4); $$->b->str = $4; $$->flag = DUR_MONTHS; }
  | postfix DURING LAST IDENT DAY
                                { $$ = NODE(DURING, @2); $$->ival = WIN_LAST; $$->a = $1;
                                  $$->b = NODE(NAME, @4); $$->b->str = $4; $$->flag = DUR_DAYS; }
  | postfix DURING LAST IDENT YEAR
                                { $$ = NODE(DURING, @2); $$->ival = WIN_LAST; $$->a = $1;
                                  $$->b = NODE(NAME, @4); $$->b->str = $4; $$->flag = DUR_YEARS; }
  | postfix AS OF primary       { $$ = NODE(ATDATE, @2); $$->a = $1; $$->b = $4; }
;

primary:
    INT                         { $$ = NODE(INT, @$); $$->str = $1; }
  | DECIMAL                     { $$ = NODE(DEC, @$); $$->str = $1; }
  | PERCENT                     { $$ = NODE(PERCENT, @$); $$->str = $1; }
  | STRING                      { $$ = NODE(STR, @$); $$->str = $1; }
  | DATE                        { $$ = NODE(DATE, @$); $$->str = $1; }
  | duration                    { $$ = $1; }
  | TRUE                        { $$ = NODE(BOOL, @$); $$->ival = 1; }
  | FALSE                       { $$ = NODE(BOOL, @$); $$->ival = 0; }
  | ASOF                        { $$ = NODE(ASOF, @$); }
  | IT                          { $$ = NODE(IT, @$); }
  | IDENT                       { $$ = NODE(NAME, @$); $$->str = $1; }
  | PERSON                      { $$ = NODE(NAME, @$); $$->str = "person"; }
  | HOUSEHOLD                   { $$ = NODE(NAME, @$); $$->str = "household"; }
  | DATE_T                      { $$ = NODE(NAME, @$); $$->str = "date"; }
  | '(' expr ')'                { $$ = $2; }
  | IDENT DAY                   { $$ = NODE(DUR, @$); $$->a = NODE(NAME, @1); $$->a->str = $1; $$->flag = DUR_DAYS; }
  | IDENT MONTH                 { $$ = NODE(DUR, @$); $$->a = NODE(NAME, @1); $$->a->str = $1; $$->flag = DUR_MONTHS; }
  | IDENT YEAR                  { $$ = NODE(DUR, @$); $$->a = NODE(NAME, @1); $$->a->str = $1; $$->flag = DUR_YEARS; }
  | '(' expr ')' DAY            { $$ = NODE(DUR, @$); $$->a = $2; $$->flag = DUR_DAYS; }
  | '(' expr ')' MONTH          { $$ = NODE(DUR, @$); $$->a = $2; $$->flag = DUR_MONTHS; }
  | '(' expr ')' YEAR           { $$ = NODE(DUR, @$); $$->a = $2; $$->flag = DUR_YEARS; }
  | DATE_T '(' args ')'         { $$ = NODE(CALL, @1); $$->str = "date"; $$->a = $3; }
  | IDENT '(' args ')'          { $$ = NODE(CALL, @1); $$->str = $1; $$->a = $3; }
  | agg '(' expr ')'            { $$ = NODE(AGG, @1); $$->ival = $1; $$->b = $3; }
  | agg '(' expr FOR IDENT IN expr ')'
                                { $$ = NODE(AGG, @1); $$->ival = $1; $$->a = $3; $$->str = $5; $$->b = $7; }
  | agg '(' expr ',' exprs ')'  { $$ = NODE(CALL, @1); $$->str = ast_agg_name($1);
                                  $$->a = ast_append($3, $5); }
    /* one element picked by an order: first(LIST order by KEY, then KEY …);
     * `first`, `last`, `order` and `descending` stay names elsewhere */
  | IDENT '(' expr IDENT BY okeys ')'
                                { $$ = pick(p, @1, $1, $3, @4, $4, $6); }
  | LAST '(' expr IDENT BY okeys ')'
                                { $$ = pick(p, @1, "last", $3, @4, $4, $6); }
    /* a policy's monthly amount summed over months: sum(P.amount over last 12 months) */
  | agg '(' expr IDENT LAST INT MONTH ')'
                                { $$ = psum(p, @1, $1, $3, @4, $4); $$->ival = WIN_LAST;
                                  $$->b = NODE(INT, @6); $$->b->str = $6; }
  | agg '(' expr IDENT primary TO primary ')'
                                { $$ = psum(p, @1, $1, $3, @4, $4); $$->ival = WIN_RANGE;
                                  $$->b = $5; $$->c = $7; }
;

okeys:
    okey                        { $$ = $1; }
  | okeys ',' THEN okey         { $$ = ast_append($1, $4); }
  | okeys ',' okey              { $$ = ast_append($1, $3);
                                  int d = diag_error(p->diags, p->file, @3, "a key that breaks ties is written `, then KEY`");
                                  diag_hint(p->diags, d, "order by birth_date, then id_number"); }
;

okey:
    expr                        { $$ = NODE(OKEY, @1); $$->a = $1; }
  | expr IDENT                  { $$ = NODE(OKEY, @1); $$->a = $1;
                                  if (!strcmp($2, "descending")) $$->flag = 1;
                                  else if (strcmp($2, "ascending")) {
                                      int d = diag_error(p->diags, p->file, @2, "expected `descending`, `ascending`, `,` or `)` after the key, found `%s`", $2);
                                      diag_hint(p->diags, d, "order by birth_date descending");
                                  } }

agg:
    SUM { $$ = AGG_SUM; } | COUNT { $$ = AGG_COUNT; } | MIN { $$ = AGG_MIN; }
  | MAX { $$ = AGG_MAX; } | ANY { $$ = AGG_ANY; } | ALL { $$ = AGG_ALL; }
;

args:
    %empty                      { $$ = NULL; }
  | exprs                       { $$ = $1; }
;

exprs:
    expr                        { $$ = $1; }
  | exprs ',' expr              { $$ = ast_append($1, $3); }
;

%%

static void hmyy_error(HMYY_LTYPE *loc, hm_parser *p, void *scanner, const char *msg)
{
    (void)scanner;
    p->syntax_errors++;
    if (strstr(msg, "exhausted")) {
        /* the parser stack hit YYMAXDEPTH, or memory really ran out */
        void *probe = mem_alloc(64 * 1024);
        if (!probe) {
            p->out_of_memory = 1;
            return;
        }
        mem_free(probe);
        diag_error(p->diags, p->file, *loc,
                   "this is nested too deeply (more than %d levels of brackets or operators)",
                   YYMAXDEPTH / 2);
    } else
        diag_error(p->diags, p->file, *loc, "%s", msg);
}

/* The drafter-facing name of a grammar symbol: keywords in backquotes,
 * descriptions ("a name") as they are. */
static const char *sym_desc(yysymbol_kind_t k, char *buf, size_t n)
{
    if (k == YYSYMBOL_YYEOF)
        return hm_tr(N_("the end of the file"));
    if (k == YYSYMBOL_YYUNDEF || k == YYSYMBOL_YYerror)
        return hm_tr(N_("something unreadable"));
    const char *s = yysymbol_name(k);
    size_t len = strlen(s);
    if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0]) {
        s++;
        len -= 2;
    }
    if (memchr(s, ' ', len)) {
        /* a description ("a name"): po/composed.c lists them for the catalog */
        char desc[64];
        snprintf(desc, sizeof desc, "%.*s", (int)len, s);
        snprintf(buf, n, "%s", hm_tr(desc));
    } else
        snprintf(buf, n, "`%.*s`", (int)len, s);
    return buf;
}

static int has(const yysymbol_kind_t *exp, int n, yysymbol_kind_t k)
{
    for (int i = 0; i < n; i++)
        if (exp[i] == k)
            return 1;
    return 0;
}

static int is_keyword(yysymbol_kind_t k)
{
    return (k >= YYSYMBOL_MODULE && k <= YYSYMBOL_ASOF) || k == YYSYMBOL_NONE;
}

static int starts_declaration(yysymbol_kind_t k)
{
    return k == YYSYMBOL_LET || k == YYSYMBOL_ELIGIBLE || k == YYSYMBOL_AMOUNT ||
           k == YYSYMBOL_POLICY || k == YYSYMBOL_SOURCE || k == YYSYMBOL_TEST ||
           k == YYSYMBOL_PARAMETER || k == YYSYMBOL_SCALE || k == YYSYMBOL_FUNCTION ||
           k == YYSYMBOL_CODES || k == YYSYMBOL_EXTERN || k == YYSYMBOL_REFERENCE ||
           k == YYSYMBOL_EXCLUDES || k == YYSYMBOL_EXPECT || k == YYSYMBOL_GIVEN;
}

/* Report a syntax error in the drafter's terms.  The expected tokens are
 * classified rather than listed when there are many: "expected an
 * expression", "this condition has no message", "expected `else`". */
static int yyreport_syntax_error(const yypcontext_t *ctx, hm_parser *p, void *scanner)
{
    (void)scanner;
    p->syntax_errors++;
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    if (n < 0)
        n = 0;
    yysymbol_kind_t got = yypcontext_token(ctx);
    hm_span sp = *yypcontext_location(ctx);
    char fbuf[64], ebuf[64];
    const char *found = sym_desc(got, fbuf, sizeof fbuf);
    int d;
    int got_cmp = !strcmp(yysymbol_name(got), "'<'") || !strcmp(yysymbol_name(got), "'>'") ||
                  got == YYSYMBOL_LE || got == YYSYMBOL_GE || got == YYSYMBOL_EQ || got == YYSYMBOL_NE;
    if (got == YYSYMBOL_ELSE && p->prev_tok == STRING && !has(exp, n, YYSYMBOL_ELSE)) {
        /* `"label" else "…"` on something that is never met or not met */
        d = diag_error(p->diags, p->file, sp, "only a condition, a group or an exception has a message "
                                              "for when it is not met");
        diag_hint(p->diags, d, "`else \"…\"` follows the message of a condition, e.g. "
                               "人均收入 < 低保标准 \"人均收入低于低保标准\" else \"人均收入不低于低保标准\"");
    } else if (p->prev_tok == ELSE && got != YYSYMBOL_STRING && has(exp, n, YYSYMBOL_STRING) && n == 1) {
        d = diag_error(p->diags, p->file, (hm_span){ p->prev_end, p->prev_end },
                       "expected the message for when it is not met after `else`, found %s", found);
        diag_hint(p->diags, d, "write it in double quotes: else \"人均收入不低于低保标准\"");
    } else if (got == YYSYMBOL_ELSE && (p->prev_tok == ALL || p->prev_tok == ANY)) {
        d = diag_error(p->diags, p->file, sp, "a group's message for when it is not met needs its message first");
        diag_hint(p->diags, d, "write all \"MESSAGE\" else \"MESSAGE IF NOT MET\" { … }");
    } else if (got_cmp && has(exp, n, YYSYMBOL_AND)) {
        d = diag_error(p->diags, p->file, sp, "comparisons cannot be chained");
        diag_hint(p->diags, d, "write each comparison on its own and join them with `and`, "
                               "e.g. 18 <= age(person.birth_date) and age(person.birth_date) < 60");
    } else if (has(exp, n, YYSYMBOL_STRING) && has(exp, n, YYSYMBOL_AND) && got != YYSYMBOL_STRING) {
        /* a complete expression followed by something that cannot continue
         * it, where a condition's message was possible */
        hm_span at = { p->prev_end, p->prev_end };
        if (has(exp, n, YYSYMBOL_ELSE)) {
            d = diag_error(p->diags, p->file, sp, "expected `else`, found %s", found);
            diag_hint(p->diags, d, "a conditional is written `if CONDITION then VALUE else VALUE`");
        } else {
            d = diag_error(p->diags, p->file, at, "this condition has no message");
            diag_hint(p->diags, d, "every condition ends with its message in double quotes, "
                                   "e.g. per_cap < line \"家庭人均收入低于低保标准\"");
        }
    } else if (has(exp, n, YYSYMBOL_ELSE) && got != YYSYMBOL_ELSE && has(exp, n, YYSYMBOL_AND)) {
        d = diag_error(p->diags, p->file, sp, "expected `else`, found %s", found);
        diag_hint(p->diags, d, "a conditional is written `if CONDITION then VALUE else VALUE`");
    } else if (has(exp, n, YYSYMBOL_IDENT) && has(exp, n, YYSYMBOL_INT) && has(exp, n, YYSYMBOL_NOT)) {
        if (got == YYSYMBOL_YYEOF)
            d = diag_error(p->diags, p->file, (hm_span){ p->prev_end, p->prev_end },
                           "the file ends where a value was expected");
        else
            d = diag_error(p->diags, p->file, sp, "expected a value or an expression, found %s", found);
        if (got == YYSYMBOL_NONE)
            diag_hint(p->diags, d, "`none` ends a parameter's dated values: from 2016-12-01 none");
        else if (is_keyword(got) && !starts_declaration(got))
            diag_hint(p->diags, d, "%s is a reserved word; it cannot be used as a name", found);
        else if (starts_declaration(got))
            diag_hint(p->diags, d, "the expression before %s is not finished", found);
    } else if (n > 0 && n <= 5) {
        /* "`a`, `b` or `c`", the separators in the drafter's language */
        char buf[512];
        size_t len = 0;
        for (int i = 0; i < n && len < sizeof buf; i++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s",
                                    i == 0 ? "" : hm_tr(i == n - 1 ? N_(" or ") : N_(", ")),
                                    sym_desc(exp[i], ebuf, sizeof ebuf));
        if (got == YYSYMBOL_YYEOF)
            sp = (hm_span){ p->prev_end, p->prev_end };
        d = diag_error(p->diags, p->file, sp, "expected %s, found %s", buf, found);
        if (has(exp, n, YYSYMBOL_IDENT) && is_keyword(got))
            diag_hint(p->diags, d, "%s is a reserved word; it cannot be used as a name", found);
    } else if (got == YYSYMBOL_YYEOF) {
        d = diag_error(p->diags, p->file, (hm_span){ p->prev_end, p->prev_end },
                       "the file ends in the middle of a declaration");
        diag_hint(p->diags, d, "a `{`, `(` or `[` is probably not closed");
    } else {
        d = diag_error(p->diags, p->file, sp, "%s is not expected here", found);
        if (is_keyword(got) && (got == YYSYMBOL_POLICY || got == YYSYMBOL_SOURCE || got == YYSYMBOL_TEST ||
                                got == YYSYMBOL_LET || got == YYSYMBOL_ELIGIBLE || got == YYSYMBOL_AMOUNT))
            diag_hint(p->diags, d, "is a `}` missing before it?");
    }
    return 0;
}
