/* bytecode.h -- instructions and the compiled program (a policy pack).
 *
 * An instruction is 32 bits:
 *
 *   31      24 23      16 15       8 7        0
 *   +---------+---------+----------+---------+
 *   |    C    |    B    |    A     |   op    |   ABC
 *   +---------+---------+----------+---------+
 *   |        Bx         |    A     |   op    |   ABx   (Bx unsigned)
 *   +-------------------+----------+---------+
 *   |   sBx + 32767     |    A     |   op    |   AsBx  (signed jump)
 *   +-------------------+----------+---------+
 *   |             Ax               |   op    |   Ax    (EXTRAARG only)
 *   +------------------------------+---------+
 *
 * An operand that numbers a constant, string, fact field, parameter,
 * scale, function, let, policy or extern (an index) and holds its field's
 * maximum (C = 255, Bx = 65535) does not mean that number: the index is
 * the Ax of the EXTRAARG instruction that follows (24 bits).  So a pack may
 * have 16,777,215 of each; small ones pay nothing.  hm_decode() reads an
 * instruction with its EXTRAARG; the VM does the same inline.
 *
 * Jumps are relative to the next instruction.  Only FORLOOP jumps back,
 * over a loop whose counter and bound the verifier proves untouched, so
 * every evaluation terminates.  The opcodes are listed in opcodes.def. */
#ifndef HM_BYTECODE_H
#define HM_BYTECODE_H

#include <stddef.h>
#include <stdint.h>

#include "huimin.h"
#include "huimin_plugin.h"

typedef uint32_t hm_instr;

#define MAXARG_A    255
#define MAXARG_B    255
#define MAXARG_C    255
#define MAXARG_BX   65535
#define MAXARG_SBX  32767
#define MAXARG_Ax   0xffffff

#define GET_OP(i)   ((int)((i) & 0xffu))
#define GETARG_A(i) ((int)(((i) >> 8) & 0xffu))
#define GETARG_B(i) ((int)(((i) >> 16) & 0xffu))
#define GETARG_C(i) ((int)(((i) >> 24) & 0xffu))
#define GETARG_Bx(i) ((int)((i) >> 16))
#define GETARG_sBx(i) ((int)((i) >> 16) - MAXARG_SBX)
#define GETARG_Ax(i) ((int)((i) >> 8))

#define MK_ABC(o, a, b, c) ((hm_instr)(o) | ((hm_instr)(a) << 8) | ((hm_instr)(b) << 16) | ((hm_instr)(c) << 24))
#define MK_ABx(o, a, bx)   ((hm_instr)(o) | ((hm_instr)(a) << 8) | ((hm_instr)(bx) << 16))
#define MK_AsBx(o, a, sbx) MK_ABx(o, a, (hm_instr)((sbx) + MAXARG_SBX))
#define MK_Ax(o, ax)       ((hm_instr)(o) | ((hm_instr)(ax) << 8))

typedef enum hm_opcode {
#define HM_OP(name, fmt, ka, kb, kc, wa, syn) OP_##name,
#include "opcodes.def"
#undef HM_OP
    HM_NUM_OPCODES
} hm_opcode;

enum { FMT_ABC, FMT_ABx, FMT_AsBx, FMT_Ax };
/* operand kinds (opcodes.def) */
enum { K_NO = 0, K_R, K_K, K_S, K_FH, K_FP, K_FR, K_PA, K_SC, K_FN, K_LT, K_PO, K_J, K_N, K_EX, K_FHR, K_FX, K__COUNT };

/* Does an operand of this kind number something of the pack (and so go on
 * in an EXTRAARG when it is past its field)? */
static inline int hm_kind_is_index(int k)
{
    return k == K_K || k == K_S || k == K_FH || k == K_FP || k == K_FR || k == K_FHR || k == K_PA || k == K_SC ||
           k == K_FN || k == K_LT || k == K_PO || k == K_EX || k == K_FX;
}

enum { WA_RD = 0, WA_WR = 1 };   /* does the instruction write r[A]? */

typedef struct hm_opinfo {
    const char *name;
    uint8_t fmt, ka, kb, kc, writes_a;
    const char *synopsis;
} hm_opinfo;

extern const hm_opinfo hm_op_info[HM_NUM_OPCODES];

/* One instruction with its operands, an index past its field already
 * taken from the EXTRAARG after it. */
typedef struct hm_decoded {
    int op, a, b, c;    /* b: B, Bx or sBx, as the format says; c: 0 unless ABC */
    int len;            /* 1, or 2 with its EXTRAARG */
} hm_decoded;

/* Decode code[pc] of ncode instructions.  0, or -1 when its opcode is
 * unknown, it is an EXTRAARG, or the EXTRAARG it needs is not there. */
int hm_decode(const hm_instr *code, uint32_t ncode, uint32_t pc, hm_decoded *d);

/* ---- the program -------------------------------------------------------- */

/* Two names of one value (enums of different types compare as ints). */
#define HM_SAME(a, b) _Static_assert((int)(a) == (int)(b), #a " and " #b " must be one value")

/* The value types of fields, parameters, lets and externs: one numbering
 * for the file, the VM, the checker (whose T_BOOL … T_DURATION are these,
 * types.h) and the plugin ABI (HM_T_*: the same, but for durations, which
 * no plugin gives). */
enum { VT_BOOL = 1, VT_INT, VT_MONEY, VT_DECIMAL, VT_DATE, VT_TEXT, VT_CODE, VT_DURATION };
HM_SAME(VT_BOOL, HM_T_BOOL);
HM_SAME(VT_INT, HM_T_INT);
HM_SAME(VT_MONEY, HM_T_MONEY);
HM_SAME(VT_DECIMAL, HM_T_DECIMAL);
HM_SAME(VT_DATE, HM_T_DATE);
HM_SAME(VT_TEXT, HM_T_TEXT);
HM_SAME(VT_CODE, HM_T_CODE);
/* A fact whose value is another member of the household (person.spouse):
 * the member's number in the household, from 0, as registers hold persons.
 * A plugin gives the other person's id (HM_T_PERSON), which the load turns
 * into the member's number. */
enum { VT_PERSON = VT_DURATION + 1 };
HM_SAME(VT_PERSON, HM_T_PERSON);
/* "bool", "money", …; "?" for a number that is none */
const char *vt_name(int vt);

/* Whom a fact or a policy is about (hm_field.entity, hm_policy.entity):
 * the numbers of the runtime API (HM_ENTITY_*) and the plugin ABI. */
typedef enum hm_ent { ENT_HOUSEHOLD = 1, ENT_PERSON = 2 } hm_ent;
HM_SAME(ENT_HOUSEHOLD, HM_ENTITY_HOUSEHOLD);
HM_SAME(ENT_PERSON, HM_ENTITY_PERSON);
HM_SAME(ENT_HOUSEHOLD, HM_HOUSEHOLD);
HM_SAME(ENT_PERSON, HM_PERSON);
/* a policy decided once for each record of a person's list of records
 * (a claim: a hospital bill); hm_policy.entity only */
enum { ENT_CLAIM = 3 };
HM_SAME(ENT_CLAIM, HM_ENTITY_CLAIM);

/* hm_field.records.  A list of records with fields (list of 机动车) is a
 * records column of rows (FIELD_ROWS: which owner has which rows, and
 * whether the list is known) followed by one records column per field
 * (FIELD_ROWFIELD), row for row, each value's date FACT_NO_DATE when that
 * field of that record is missing and 0 when it is known. */
enum { FIELD_VALUE = 0, FIELD_RECORDS = 1, FIELD_ROWS = 2, FIELD_ROWFIELD = 3 };

/* A fact field: one column of the fact store. */
typedef struct hm_field {
    uint8_t  entity;        /* ENT_* */
    uint8_t  vtype;         /* VT_* of the value (of each record for records) */
    uint8_t  period;        /* money: 0, 1 per month, 2 per year */
    uint8_t  records;       /* FIELD_*: 1 a list of dated records (of each person, or of the
                               household); 2 a list of records with fields, whose fields
                               (3) follow it in the table, one records column each */
    int32_t  name;          /* string: "person.monthly_income" */
    int32_t  source;        /* string: the first source declaring it */
    int32_t  fresh;         /* freshness limit, 0 for none */
    int32_t  fresh_unit;    /* 1 days, 2 months, 3 years */
    int32_t  codeset;       /* for VT_CODE, else -1 */
    int32_t  column;        /* index among the fields of its entity, or among the records
                               fields (of persons and households: one numbering) */
} hm_field;

/* One source declaring a field (a field may have several: then their values
 * are compared and a disagreement is a conflict). */
typedef struct hm_fsource {
    int32_t field;
    int32_t source;         /* string: the source's name */
    int32_t fresh;          /* this source's freshness limit, 0 for none */
    int32_t fresh_unit;     /* 1 days, 2 months, 3 years */
} hm_fsource;

/* The value a fact takes when no source gives it (`default 0` in a
 * source block): filled in at load, where a value is missing, never where
 * it is stale. */
typedef struct hm_fdefault {
    int32_t field;
    int32_t text;           /* string: the value of a text field, else -1 */
    int64_t value;          /* the value as the VM holds it (fen, millionths, day, label …) */
} hm_fdefault;

/* A reference table a source publishes (`table region "行政区划" by text,
 * dated { … }` in a source block): its rows are read once at load, not
 * compiled in.  Its attributes are program.refattrs[first .. first + n). */
typedef struct hm_reftab {
    int32_t name, label;    /* strings (label -1 for none) */
    int32_t source;         /* string: the source's name */
    int32_t dated;          /* 1: each row has a `from` date */
    int32_t first, n;       /* attributes */
} hm_reftab;

/* one attribute (column) of a reference table */
typedef struct hm_refattr {
    int32_t name, label;    /* strings (label -1 for none) */
    uint8_t vtype, period;  /* VT_* (bool, int, money, decimal, date or text); money's period */
    uint8_t pad[2];
} hm_refattr;

/* A field whose value is read through a key fact from a reference table
 * (household.region.dibao_line): filled in at load from the row of the
 * key fact's value in force at the as-of date. */
typedef struct hm_refread {
    int32_t field;          /* the field filled (not given by any source) */
    int32_t key;            /* the text field holding the key, of the same entity */
    int32_t table, attr;    /* attr: index among the table's attributes */
} hm_refread;

/* The reform a program was compiled with (at most one record): the
 * program is the base pack, whose module has SHA-256 base_sha256, amended
 * by the reform written in source file `file`. */
typedef struct hm_reform {
    int32_t name, label;    /* strings; label -1 when none */
    int32_t amends;         /* string: the amended modules, ", " between them */
    int32_t file;           /* the reform's source file (program.srcfiles) */
    uint8_t base_sha256[32];
} hm_reform;

/* A fact of the payment roll (`source NAME "…" roll { … }`, at most one
 * roll source per pack): a list of records with fields (a household's, a
 * person's) whose record type has exactly one text field (the policy
 * paid, by its name in the pack), one money field (the amount, of that
 * field's period; money without a period is paid once) and one date field
 * (paid since).  In declaration order. */
typedef struct hm_roll {
    int32_t field;          /* the list: a FIELD_ROWS field */
    int32_t source;         /* string: the roll source's name */
    int32_t label;          /* string: the source's label, -1 for none */
    int32_t policy;         /* the text field of its records (a FIELD_ROWFIELD after `field`) */
    int32_t amount;         /* the money field */
    int32_t since;          /* the date field */
} hm_roll;

/* `regions by household.township` (at most one): the household text fact
 * holding each household's township code, from which the county and the
 * city follow (batch/regions.c); when that fact is the key of a reference table
 * with a text attribute `name`, the table and that attribute name the
 * regions. */
typedef struct hm_regions {
    int32_t field;          /* a household text field (FIELD_VALUE) */
    int32_t table;          /* the reference table it is a key of, or -1 */
    int32_t name;           /* the table's text attribute `name` (index among its attributes), or -1 */
} hm_regions;

/* An extern function: bound at run time to a plugin's C function. */
#define HM_EXTERN_PARAMS 8
typedef struct hm_extern {
    int32_t name;
    int32_t source;         /* string, or -1 when any plugin may provide it */
    uint8_t nparams, result;            /* result: VT_* */
    uint8_t params[HM_EXTERN_PARAMS];   /* VT_* of each parameter */
    uint8_t pad[6];
} hm_extern;

typedef struct hm_codeset {
    int32_t name, label;    /* strings */
    int32_t nlabels;
    int32_t first_label;    /* into program.labels: pairs (name, display text) */
    int32_t nmaps, first_map;
} hm_codeset;

/* one raw-code mapping: source's code `raw` means label `label` */
typedef struct hm_codemap {
    int32_t source, raw, label;
} hm_codemap;

/* a value in force from a date (INT32_MIN: always); none: 1 when the
 * parameter has no value from that date on (`from DATE none`), else 0 */
typedef struct hm_dated {
    int32_t from;
    int32_t none;
    int64_t value;
} hm_dated;

enum { KEY_DEFAULT = 0, KEY_TEXT = 1, KEY_RANGE = 2 };
typedef struct hm_pentry {
    int32_t kind;           /* KEY_* */
    int32_t text;           /* KEY_TEXT: string */
    int64_t lo, hi;         /* KEY_RANGE: inclusive; codes use their label index */
    int32_t first, n;       /* dated values, into program.dated */
} hm_pentry;

typedef struct hm_param {
    int32_t name, label, ref;
    uint8_t vtype, keyed, keytype;        /* keytype: VT_TEXT, VT_INT or VT_CODE */
    uint8_t unit;           /* VT_DURATION: its unit, 1 days, 2 months, 3 years; else 0 */
    int32_t first, n;       /* keyed: entries (program.pentries); else dated values */
    int32_t line, file;
    int32_t key_fn;         /* keyed: a function computing the key (for messages), or -1 */
} hm_param;

typedef struct hm_scalerow {
    int64_t upper;          /* fen, inclusive; INT64_MAX for the last row */
    int64_t rate;           /* millionths; < 0: parameter -(rate + 1), a decimal */
} hm_scalerow;

/* the rows of a scale in force from a date (INT32_MIN: always) */
typedef struct hm_scalever {
    int32_t from;
    int32_t first, n;       /* rows */
    int32_t pad;
} hm_scalever;

typedef struct hm_scale {
    int32_t name, label;
    int32_t first, n;       /* versions (program.scalevers), by increasing date */
} hm_scale;

/* the period of an amount of money (hm_policy.period, hm_field.period) */
enum { PERIOD_ONCE = 0, PERIOD_PER_MONTH = 1, PERIOD_PER_YEAR = 2 };
HM_SAME(PERIOD_ONCE, HM_PERIOD_ONCE);
HM_SAME(PERIOD_PER_MONTH, HM_PERIOD_MONTH);
HM_SAME(PERIOD_PER_YEAR, HM_PERIOD_YEAR);
HM_SAME(PERIOD_PER_MONTH, HM_PER_MONTH);
HM_SAME(PERIOD_PER_YEAR, HM_PER_YEAR);

/* what a function computes */
enum { FN_USER = 1, FN_LET, FN_COND, FN_AMOUNT, FN_WHEN, FN_VALUE, FN_KEY };

typedef struct hm_function {
    int32_t  name;          /* string */
    uint8_t  kind, nparams;
    uint16_t nregs;
    uint32_t start, ncode;  /* into program.code (and program.lines) */
    int32_t  policy;        /* owning policy or -1 */
    int32_t  file;          /* string: the file it came from */
} hm_function;

/* The eligibility rule of a policy is a tree of conditions, stored in
 * preorder: a group is followed by its `n` children (subtrees). */
enum { CN_COND = 1, CN_ALL, CN_ANY };
typedef struct hm_condnode {
    int32_t kind;
    int32_t fn;             /* CN_COND: the function computing it */
    int32_t nkids;          /* groups: number of direct children */
    int32_t size;           /* nodes in this subtree, itself included */
    int32_t msg, ref;       /* strings (-1 for none) */
    int32_t line, col;
    int32_t msg_else;       /* string: the message when not met (-1: msg in every case) */
} hm_condnode;

typedef struct hm_exception {
    int32_t when_fn, value_fn;  /* value_fn -1 for eligible exceptions: value is `eligible` */
    int32_t eligible;           /* eligible exceptions: 1 eligible, 0 not eligible */
    int32_t msg;
    int64_t priority;
    int32_t line, col;
    int32_t msg_else;           /* string: the message when it does not apply, or -1 */
    int32_t pad;
} hm_exception;

typedef struct hm_let {
    int32_t name, policy, fn;
    int32_t first_exc, nexc;
    int32_t vtype;          /* VT_* of its value, for messages; 0 for lists */
} hm_let;

typedef struct hm_policy {
    int32_t name, label, ref;
    int32_t entity;             /* ENT_* */
    int32_t cond;               /* root of its condition tree in program.conds */
    int32_t amount_fn;          /* -1 when it has no amount */
    int32_t period;             /* of its amount: PERIOD_ONCE, PERIOD_PER_MONTH or PERIOD_PER_YEAR */
    int32_t first_eexc, neexc;  /* exceptions of `eligible when` */
    int32_t first_aexc, naexc;  /* exceptions of `amount` */
    int32_t first_excl, nexcl;  /* policies that exclude this one (program.ints) */
    int32_t first_fact, nfacts; /* fields it can read, directly or not (program.ints) */
    int32_t line, file;
    int32_t applies;            /* `for … where`: its condition (program.conds, one CN_COND), or -1 */
    int32_t claims;             /* ENT_CLAIM: the person's list of records (a FIELD_ROWS field)
                                   it decides each record of; else -1 */
    int32_t order;              /* ENT_CLAIM: the records column of the field that orders the
                                   claims (ties by position), or -1 for their position only */
} hm_policy;

/* A policy source file the program was compiled from, kept so the pack
 * alone can show rule text and be checked against what was approved. */
typedef struct hm_srcrec {
    int32_t  path;          /* string: the path as given to the compiler */
    uint32_t len;           /* bytes of text */
    uint64_t off;           /* into program.srctext */
    uint8_t  sha256[32];    /* of the text */
} hm_srcrec;

/* The program: its tables (program_tables.def), then the counts kept in
 * the file's meta section. */
typedef struct hm_program {
#define HM_TABLE(SEC, id, type, arr, count, ctype, kind, what) type *arr; ctype count;
#define HM_ALONG(SEC, id, type, arr, count, what, of) type *arr;
#include "program_tables.def"
#undef HM_TABLE
#undef HM_ALONG
    int32_t  nhcols, npcols, nrcols;   /* household, person, records columns (of either) */
    uint32_t max_regs;  /* the largest register file of any function */
} hm_program;

static inline const char *prog_str(const hm_program *p, int32_t i)
{
    return i >= 0 && i < p->nstrs ? p->strpool + p->strs[i] : "";
}

void prog_free(hm_program *p);

#endif
