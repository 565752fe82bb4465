/* sema.h -- name resolution and type checking (the checker).
 *
 * The checker walks the parsed modules in three passes:
 *   1. declare: every top-level name of every module, every source field
 *      (the pack's facts), every code set with its labels;
 *   2. check: types of parameters, scales, functions, policies and tests;
 *      lets and policies are checked on demand so a dependency cycle is
 *      found where it closes and reported with the whole cycle;
 *   3. finish: call cycles between functions, dependency cycles between
 *      policies, unused facts, parameters, scales and lets.
 * It reports through the compilation's diagnostics and never stops early. */
#ifndef HM_SEMA_H
#define HM_SEMA_H

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "srcfile.h"
#include "types.h"

typedef enum {
    SYM_MODULE_NAME, SYM_SOURCE, SYM_FACT, SYM_CODESET, SYM_LABEL, SYM_PARAM,
    SYM_SCALE, SYM_FUNCTION, SYM_EXTERN, SYM_POLICY, SYM_LET, SYM_VAR,
    SYM_RECTYPE,    /* a record type: its fields are decl->a (N_RFIELD, ty set once resolved) */
    SYM_REFTAB      /* a source's reference table: its attributes are decl->a (N_RFIELD) */
} sym_kind;

typedef struct sym sym;
typedef struct hm_module hm_module;

typedef struct symtab {
    sym **buckets;
    unsigned nbuckets, count;
} symtab;

/* A dependency edge: `to` is needed, first seen at node `at`. */
typedef struct dep {
    sym *to;
    ast *at;
    struct dep *next;
} dep;

struct sym {
    sym_kind kind;
    const char *name;       /* facts: "household.assets" */
    ast *decl;
    hm_module *mod;
    const hm_type *type;
    sym *chain;             /* hash bucket chain */
    int used;
    int state;              /* 0 unchecked, 1 being checked, 2 checked */
    int entity;             /* policy: ENT_*; fact: ENT_*; param: entity its key needs (0 none) */
    sym *owner;             /* let / local parameter: its policy */
    dep *deps;              /* policy: policies it depends on; function: functions it calls */
    symtab *labels;         /* code set: its labels */
    const hm_type *codetype;/* code set: the type of its values */
    int index;              /* label: position in its set; var: slot */
    sym *source;            /* fact: the first source declaring it */
    symtab *locals;         /* policy: its lets and local parameters and scales */
    int has_eligible, has_amount;
    int id;                 /* index in the compiled program (codegen) */
    unsigned walked;        /* codegen: the walk that last went through it */
    int longest;            /* policy: the longest chain of policies from it, itself included */
    ast *dflt;              /* fact: the declaration that gives its default, or NULL */
    ast *refattr;           /* fact read through a key fact (owner) from a reference
                               table: the attribute (N_RFIELD); its index is `index` */
};

struct hm_module {
    const char *name;
    hm_srcfile *file;
    ast *root;
    symtab names;           /* its top-level declarations */
    hm_module **uses;
    int nuses;
    int index;
};

/* The longest chain of lets, or of policies, each depending on the next:
 * the checker and explain follow such chains by recursion, so a longer one
 * is refused where it goes past this (docs/diagnostics.md). */
#define SEMA_MAX_CHAIN 200

/* What is in scope while checking one expression. */
typedef struct scope_var {
    const char *name;
    const hm_type *type;
    ast *decl;
    struct scope_var *up;
    int used;
} scope_var;

typedef struct sema {
    hm_arena *arena;
    hm_diags *diags;
    hm_module **mods;
    int nmods;
    symtab sources, facts, modules;
    /* while checking */
    hm_module *mod;         /* module of the declaration being checked */
    sym *policy;            /* policy being checked (NULL outside) */
    sym *function;          /* function being checked */
    sym *param;             /* parameter whose key is being checked */
    int subject;            /* ENT_HOUSEHOLD / ENT_PERSON / 0 (inside a function) */
    int key_entity;         /* entities a parameter key expression used */
    scope_var *vars;
    const hm_type *elem;    /* element type inside `where`, for bare fields and `it` */
    sym *let_stack[SEMA_MAX_CHAIN];  /* lets being checked, to show a cycle */
    int policy_nest;        /* policies being checked from inside another */
    int chain_reported;     /* a chain of policies too long is reported already */
    int outer_depth;        /* expression levels of those using the let or policy being checked */
    int nlet_stack;
    int in_test;
    int64_t test_day;       /* in a test: its as-of date (a day number) */
    int depth, depth_reported;  /* expression nesting, to refuse absurd depth */
    int syntax_errors;          /* in the pack: unused-definition warnings are then skipped */
    int facts_file;             /* index of the module that may hold a top-level `given`, or -1 */
    int given_members;          /* members of the `given` being checked (for `member N`) */
    unsigned walks;             /* walks of the compiler through symbols so far (sym.walked) */
    struct ast *reform;         /* the `reform` applied (N_REFORM), or NULL */
    const uint8_t *reform_base; /* the SHA-256 of the base's module, once known */
} sema;

/* The part of the checker's state that depends on where it is; saved and
 * restored around checking one declaration from inside another (a
 * parameter looked up from a policy, a policy's amount from another). */
typedef struct sema_where {
    hm_module *mod;
    sym *policy, *function, *param;
    int subject, key_entity;
    scope_var *vars;
    const hm_type *elem;
} sema_where;

sema_where sema_enter(sema *s, hm_module *mod, sym *policy);
void sema_leave(sema *s, sema_where saved);

/* symbol tables (sema.c) */
void symtab_init(hm_arena *a, symtab *t, unsigned nbuckets);
sym *symtab_get(const symtab *t, const char *name);
void symtab_put(hm_arena *a, symtab *t, sym *s);
sym *sym_new(sema *s, sym_kind k, const char *name, ast *decl);

/* The whole check; returns the number of errors it added. */
int sema_check(sema *s);

/* sema_decl.c */
void sema_declare_module(sema *s, hm_module *m);
void sema_declare_facts(sema *s, hm_module *m);
void sema_check_signatures(sema *s, hm_module *m);
void sema_check_module(sema *s, hm_module *m);
void sema_check_let(sema *s, sym *l);
void sema_check_param(sema *s, sym *p);
void sema_check_scale(sema *s, sym *sc);
void sema_finish(sema *s);
/* sema_audit.c: the payment roll and `regions by` */
void sema_check_audit(sema *s);
const hm_type *sema_resolve_type(sema *s, ast *t);
void sema_check_policy(sema *s, sym *p);
/* Look a name up: local lets/params of the policy, then the module, then
 * the modules it uses.  Reports ambiguity.  NULL when not found. */
sym *sema_lookup(sema *s, const char *name, ast *at);
/* Print "did you mean" for `name` among the names visible here. */
void sema_suggest(sema *s, int diag, const char *name, int what);
enum { SUGGEST_VALUE = 1, SUGGEST_FACT_HOUSEHOLD = 2, SUGGEST_FACT_PERSON = 4,
       SUGGEST_LABEL = 8, SUGGEST_POLICY = 16, SUGGEST_CODESET = 32, SUGGEST_FUNCTION = 64,
       SUGGEST_SOURCE = 128 };
const char *sema_closest(const char *name, const char *const *cands, int n);
/* Hint "did you mean `LABEL`?" for a misspelt label of code set cs. */
void sema_suggest_label(sema *s, int diag, const sym *cs, const char *name);

/* sema_expr.c */
const hm_type *sema_expr(sema *s, ast *e);
/* Check e and convert it to `want` if the language allows (int to money,
 * decimal literal to money, lump money to a period).  Reports a mismatch
 * saying `what` it was for.  Returns the resulting type. */
const hm_type *sema_expect(sema *s, ast *e, const hm_type *want, const char *what);
/* Value of an int / decimal / percent / money literal in millionths
 * (decimal) or fen (money); 0 on success. */
int sema_literal_fen(sema *s, ast *e, int64_t *fen);
int sema_literal_ppm(sema *s, ast *e, int64_t *ppm);
int sema_literal_int(sema *s, ast *e, int64_t *v);
int sema_parse_date(const char *text, int64_t *days);
/* The value of a plain literal (a fact's default) of type t as the VM holds
 * it; a text's in *text (the value is then 0).  0, or -1 when it is not one. */
int sema_literal_value(sema *s, ast *v, const hm_type *t, int64_t *out, const char **text);
void sema_check_template(sema *s, ast *msg);
int sema_disjoint(const ast *a, const ast *b);
/* The common type of two operands (see sema_expr.c), or NULL. */
const hm_type *sema_unify(const ast *ea, const hm_type *a, const ast *eb, const hm_type *b);

/* sema_decl.c: one key of an entry of a table with several keys, as the
 * checker read it (KEY_* of bytecode.h; codes are their label's index).
 * The checker hangs an array of them, one a position and then one of kind
 * -1, on each such entry (ENTRY's sym; NULL when a key was wrong); a
 * whole-row `default:` has every position KEY_DEFAULT. */
typedef struct sema_tkey {
    int kind;
    const char *text;
    int64_t lo, hi;
    ast *n;             /* the key as written, or the entry for `default:` */
} sema_tkey;
/* The order of the rows of such a table: position by position, texts in
 * byte order, numbers by their lowest end, `default` last.  Rows whose
 * keys are the same compare equal up to the first position that differs. */
int sema_tkeys_cmp(const sema_tkey *a, const sema_tkey *b, int nkeys);
/* Sort such a table's entries (with their keys) in that order. */
void sema_sort_trows(ast **rows, int nrows);
/* Are two keys of one position the same key (the same text, label or range)? */
int sema_tkey_same(const sema_tkey *a, const sema_tkey *b);

#define SPAN_OF(n) ((n)->loc)
#define FILE_OF(s, n) ((s)->mods[(n)->file]->file)

#endif
