/* check_engine.c -- the calendar, the module container, the verifier and
 * the VM's arithmetic, tested below the policy language. */
#include "suites.h"

#include "calendar.h"
#include "facts.h"
#include "huimin.h"
#include "module.h"
#include "vm.h"
#include "frontend.h"
#include "explain.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- calendar ---------------------------------------------------------- */

static int32_t D(int y, int m, int d) { return cal_from_ymd(y, m, d); }

START_TEST(test_epoch_and_round_trip)
{
    ck_assert_int_eq(D(1970, 1, 1), 0);
    ck_assert_int_eq(D(2000, 3, 1) - D(2000, 2, 28), 2);   /* 2000 is a leap year */
    ck_assert_int_eq(D(1900, 3, 1) - D(1900, 2, 28), 1);   /* 1900 is not */
    for (int32_t day = D(1850, 1, 1); day < D(2150, 1, 1); day += 17) {
        int32_t y, m, d;
        cal_to_ymd(day, &y, &m, &d);
        ck_assert_int_eq(cal_from_ymd(y, m, d), day);
    }
}
END_TEST

START_TEST(test_add_months_clamps_to_month_end)
{
    ck_assert_int_eq(cal_add_months(D(2024, 1, 31), 1), D(2024, 2, 29));
    ck_assert_int_eq(cal_add_months(D(2023, 1, 31), 1), D(2023, 2, 28));
    ck_assert_int_eq(cal_add_months(D(2024, 3, 31), -1), D(2024, 2, 29));
    ck_assert_int_eq(cal_add_months(D(2024, 12, 15), 1), D(2025, 1, 15));
    ck_assert_int_eq(cal_add_months(D(2024, 1, 15), -13), D(2022, 12, 15));
}
END_TEST

START_TEST(test_full_years)
{
    ck_assert_int_eq(cal_years_between(D(1964, 8, 2), D(2024, 8, 1)), 59);
    ck_assert_int_eq(cal_years_between(D(1964, 8, 2), D(2024, 8, 2)), 60);
    /* born on 29 February: the birthday is reached on 28 February in other
     * years, the day date + n years gives */
    ck_assert_int_eq(cal_years_between(D(2000, 2, 29), D(2023, 2, 27)), 22);
    ck_assert_int_eq(cal_years_between(D(2000, 2, 29), D(2023, 2, 28)), 23);
    ck_assert_int_eq(cal_years_between(D(2000, 2, 29), D(2023, 3, 1)), 23);
    ck_assert_int_eq(cal_years_between(D(2023, 2, 28), D(2000, 2, 29)), -23);
    ck_assert_int_eq(cal_months_between(D(2024, 1, 31), D(2024, 2, 28)), 0);
    ck_assert_int_eq(cal_months_between(D(2024, 1, 31), D(2024, 2, 29)), 1);
    ck_assert_int_eq(cal_years_between(D(2000, 2, 29), D(2024, 2, 29)), 24);
    ck_assert_int_eq(cal_months_between(D(2024, 1, 15), D(2024, 3, 14)), 1);
    ck_assert_int_eq(cal_months_between(D(2024, 1, 15), D(2024, 3, 15)), 2);
    ck_assert_int_eq(cal_start_of_month(D(2024, 2, 17)), D(2024, 2, 1));
    ck_assert_int_eq(cal_end_of_month(D(2024, 2, 17)), D(2024, 2, 29));
    ck_assert_int_eq(cal_month_index(D(2024, 1, 1)) - cal_month_index(D(2023, 12, 31)), 1);
    /* a span of n years (months) is complete exactly on a + n years (months) */
    static const int n[] = { 1, 3, 12, 18, 60 };
    for (int32_t a = D(1999, 12, 1); a <= D(2005, 3, 31); a++)
        for (size_t k = 0; k < sizeof n / sizeof n[0]; k++) {
            int32_t y = cal_add_months(a, 12 * n[k]), m = cal_add_months(a, n[k]);
            ck_assert_int_eq(cal_years_between(a, y), n[k]);
            ck_assert_int_eq(cal_years_between(a, y - 1), n[k] - 1);
            ck_assert_int_eq(cal_months_between(a, m), n[k]);
            ck_assert_int_eq(cal_months_between(a, m - 1), n[k] - 1);
        }
}
END_TEST

/* The VM's ages on the as-of date (a table of last birth dates) agree with
 * counting the years, for every birth date over 170 years and on dates
 * around the ends of February and of the year. */
START_TEST(test_ages_on_a_date)
{
    static const int32_t on[][3] = { { 2024, 2, 29 }, { 2023, 2, 28 }, { 2024, 2, 28 }, { 2023, 3, 1 },
                                     { 2024, 8, 1 },  { 2000, 2, 29 }, { 2025, 12, 31 }, { 2026, 1, 1 } };
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
        cal_ages t;
        int32_t day = D(on[i][0], on[i][1], on[i][2]);
        cal_ages_init(&t, day);
        for (int32_t b = day - 170 * 366; b <= day + 400; b++)
            ck_assert_int_eq(cal_age_on(&t, b), cal_years_between(b, day));
    }
    cal_ages t;
    cal_ages_init(&t, D(2023, 2, 28));
    ck_assert_int_eq(cal_age_on(&t, D(2000, 2, 29)), 23);
    ck_assert_int_eq(cal_age_on(&t, D(2000, 3, 1)), 22);
    ck_assert_int_eq(cal_age_on(&t, D(2000, 2, 28)), 23);
    ck_assert_int_eq(cal_age_on(&t, D(2030, 5, 1)), -7);
}
END_TEST

/* ---- compiling a small pack and running it --------------------------------- */

static const char PACK[] =
    "source s {\n"
    "  household.a : money\n"
    "  household.b : money\n"
    "  person.x : int\n"
    "  person.y : bool\n"
    "}\n"
    "policy half for household {\n"
    "  eligible when all { household.a > 0 \"a\" }\n"
    "  amount household.a * 50%\n"
    "}\n"
    "policy third for household {\n"
    "  eligible when all { household.a > 0 \"a\" }\n"
    "  amount household.a / 3\n"
    "}\n"
    "policy kleene for household {\n"
    "  eligible when all { household.a > 0 or household.b > 0 \"a or b\" }\n"
    "}\n"
    "policy people for household {\n"
    "  eligible when all { count(household.members where x > 1) >= 1 \"someone\" }\n"
    "  amount sum(m.x for m in household.members) * 1\n"
    "}\n"
    "policy few_y for household {\n"
    "  eligible when all { count(household.members where y) <= 1 \"at most one y\" }\n"
    "}\n"
    "policy one_y for household {\n"
    "  eligible when all { count(household.members where y) == 1 \"exactly one y\" }\n"
    "}\n"
    "policy some_y for household {\n"
    "  eligible when all { count(household.members where y) <= 10 \"at most ten y\" }\n"
    "}\n";

static hm_compiler *comp;
static hm_program *prog;

static void pack_setup(void)
{
    comp = hm_compiler_new();
    ck_assert_ptr_nonnull(comp);
    ck_assert_int_eq(hm_compiler_add_source(comp, "pack.pol", PACK, sizeof PACK - 1), HM_OK);
    sema *s;
    int rc = compiler_program(comp, &prog, &s);
    if (rc != HM_OK)
        hm_compiler_print_diagnostics(comp, stderr);
    ck_assert_int_eq(rc, HM_OK);
}

static void pack_teardown(void)
{
    hm_compiler_free(comp);
    comp = NULL;
    prog = NULL;
}

static int32_t policy_id(const char *name)
{
    for (int32_t i = 0; i < prog->npolicies; i++)
        if (strcmp(prog_str(prog, prog->policies[i].name), name) == 0)
            return i;
    return -1;
}

/* One household with a and b (missing when < 0, in fen) and persons with x. */
static const hm_decision *decide(const char *policy, int64_t a, int64_t b, int n, const int64_t *xs,
                                 hm_facts *f, hm_vm **vm)
{
    ck_assert_int_eq(facts_init(f, prog, 1, n), 0);
    f->hh_first[0] = 0;
    f->hh_count[0] = n;
    if (a >= 0) { f->hcol[0].v[0] = a; f->hcol[0].state[0] = FACT_KNOWN; }
    if (b >= 0) { f->hcol[1].v[0] = b; f->hcol[1].state[0] = FACT_KNOWN; }
    for (int i = 0; i < n; i++)
        if (xs[i] >= 0) { f->pcol[0].v[i] = xs[i]; f->pcol[0].state[i] = FACT_KNOWN; }
    *vm = vm_new(prog);
    ck_assert_ptr_nonnull(*vm);
    vm_bind(*vm, f, D(2024, 8, 1));
    ck_assert_int_eq(vm_begin_household(*vm, 0), 0);
    return vm_decide(*vm, policy_id(policy), -1);
}

START_TEST(test_money_times_ratio_rounds_half_away)
{
    static const struct { int64_t a, want; } cases[] = {
        { 1, 1 }, { 3, 2 }, { 5, 3 }, { 100, 50 }, { 101, 51 }, { 12345, 6173 },
    };
    int i = _i;
    hm_facts f;
    hm_vm *vm;
    const hm_decision *d = decide("half", cases[i].a, 0, 0, NULL, &f, &vm);
    ck_assert_int_eq(d->status, DEC_ELIGIBLE);
    ck_assert_int_eq(d->amount, cases[i].want);
    vm_free(vm);
    facts_free(&f);
}
END_TEST

START_TEST(test_money_divided_rounds_half_away)
{
    static const struct { int64_t a, want; } cases[] = {
        { 100, 33 }, { 200, 67 }, { 1, 0 }, { 2, 1 }, { 150, 50 }, { 100000, 33333 },
    };
    int i = _i;
    hm_facts f;
    hm_vm *vm;
    const hm_decision *d = decide("third", cases[i].a, 0, 0, NULL, &f, &vm);
    ck_assert_int_eq(d->status, DEC_ELIGIBLE);
    ck_assert_int_eq(d->amount, cases[i].want);
    vm_free(vm);
    facts_free(&f);
}
END_TEST

START_TEST(test_kleene_or)
{
    /* a, b: -1 missing, 0 false (not > 0), 1 true; expected decision */
    static const struct { int a, b, want; } rows[] = {
        { 1, 1, DEC_ELIGIBLE }, { 1, 0, DEC_ELIGIBLE }, { 1, -1, DEC_ELIGIBLE },
        { 0, 1, DEC_ELIGIBLE }, { 0, 0, DEC_NOT_ELIGIBLE }, { 0, -1, DEC_UNDETERMINED },
        { -1, 1, DEC_ELIGIBLE }, { -1, 0, DEC_UNDETERMINED }, { -1, -1, DEC_UNDETERMINED },
    };
    int i = _i;
    hm_facts f;
    hm_vm *vm;
    const hm_decision *d = decide("kleene", rows[i].a, rows[i].b, 0, NULL, &f, &vm);
    ck_assert_int_eq(d->status, rows[i].want);
    vm_free(vm);
    facts_free(&f);
}
END_TEST

START_TEST(test_members_and_unknown_filter)
{
    hm_facts f;
    hm_vm *vm;
    int64_t xs[3] = { 1, 5, 7 };
    const hm_decision *d = decide("people", 0, 0, 3, xs, &f, &vm);
    ck_assert_int_eq(d->status, DEC_ELIGIBLE);
    ck_assert_int_eq(d->amount, 1300);      /* (1 + 5 + 7) yuan in fen */
    vm_free(vm);
    facts_free(&f);
    /* a member whose x is missing: the sum is unknown, so undetermined */
    int64_t ys[2] = { 5, -1 };
    d = decide("people", 0, 0, 2, ys, &f, &vm);
    ck_assert_int_eq(d->status, DEC_UNDETERMINED);
    vm_free(vm);
    facts_free(&f);
    /* an empty household: nobody qualifies, and that is known */
    d = decide("people", 0, 0, 0, NULL, &f, &vm);
    ck_assert_int_eq(d->status, DEC_NOT_ELIGIBLE);
    vm_free(vm);
    facts_free(&f);
}
END_TEST

/* `half` and `third` state the same condition: a batch run evaluates it
 * once, and each policy still reports its own condition as failed. */
START_TEST(test_shared_condition_reports_its_own_policy)
{
    hm_facts f;
    hm_vm *vm;
    const hm_decision *d = decide("half", 0, 0, 0, NULL, &f, &vm);
    ck_assert_int_eq(d->status, DEC_NOT_ELIGIBLE);
    int32_t half_failed = d->failed_cond;
    d = vm_decide(vm, policy_id("third"), -1);
    ck_assert_int_eq(d->status, DEC_NOT_ELIGIBLE);
    int32_t third_failed = d->failed_cond;
    ck_assert_int_ge(half_failed, 0);
    ck_assert_int_ge(third_failed, 0);
    ck_assert_int_ne(half_failed, third_failed);
    ck_assert_int_eq(prog->fns[prog->conds[half_failed].fn].policy, policy_id("half"));
    ck_assert_int_eq(prog->fns[prog->conds[third_failed].fn].policy, policy_id("third"));
    /* the next household starts afresh: a > 0 now holds for both */
    f.hcol[0].v[0] = 7;
    ck_assert_int_eq(vm_begin_household(vm, 0), 0);
    ck_assert_int_eq(vm_decide(vm, policy_id("half"), -1)->status, DEC_ELIGIBLE);
    ck_assert_int_eq(vm_decide(vm, policy_id("third"), -1)->status, DEC_ELIGIBLE);
    vm_free(vm);
    facts_free(&f);
}
END_TEST

/* n members whose y is ys[i]: 0 false, 1 true, -1 missing. */
static hm_vm *household_of_y(int n, const int *ys, hm_facts *f)
{
    ck_assert_int_eq(facts_init(f, prog, 1, n), 0);
    f->hh_first[0] = 0;
    f->hh_count[0] = n;
    for (int i = 0; i < n; i++)
        if (ys[i] >= 0) { f->pcol[1].v[i] = ys[i]; f->pcol[1].state[i] = FACT_KNOWN; }
    hm_vm *vm = vm_new(prog);
    ck_assert_ptr_nonnull(vm);
    vm_bind(vm, f, D(2024, 8, 1));
    ck_assert_int_eq(vm_begin_household(vm, 0), 0);
    return vm;
}

/* Member i's y is now known to be v: the household starts afresh. */
static void know_y(hm_vm *vm, hm_facts *f, int i, int v)
{
    f->pcol[1].v[i] = v;
    f->pcol[1].state[i] = FACT_KNOWN;
    ck_assert_int_eq(vm_begin_household(vm, 0), 0);
}

/* count(where y) is unknown when a y is, but with one y false and one
 * missing it is 0 or 1: "at most one" holds whatever the missing value,
 * "exactly one" depends on it. */
START_TEST(test_settled_whatever_the_value)
{
    hm_facts f;
    int ys[2] = { 0, -1 };
    hm_vm *vm = household_of_y(2, ys, &f);
    const hm_decision *d = vm_decide(vm, policy_id("few_y"), -1);
    ck_assert_int_eq(d->status, DEC_ELIGIBLE);
    ck_assert_int_eq(d->settled, 1);
    d = vm_decide(vm, policy_id("one_y"), -1);
    ck_assert_int_eq(d->status, DEC_UNDETERMINED);
    ck_assert_int_eq(d->settled, 0);
    /* known facts: decided the ordinary way, nothing settled */
    know_y(vm, &f, 1, 1);
    d = vm_decide(vm, policy_id("one_y"), -1);
    ck_assert_int_eq(d->status, DEC_ELIGIBLE);
    ck_assert_int_eq(d->settled, 0);
    /* both true now known: "at most one" fails, the reason is its condition */
    know_y(vm, &f, 0, 1);
    d = vm_decide(vm, policy_id("few_y"), -1);
    ck_assert_int_eq(d->status, DEC_NOT_ELIGIBLE);
    ck_assert_int_ge(d->failed_cond, 0);
    vm_free(vm);
    facts_free(&f);
}
END_TEST

/* Seven unknown yes/no facts are 128 combinations, more than are tried:
 * the decision stays undetermined though every one would give eligible. */
START_TEST(test_settle_tries_a_bounded_number)
{
    hm_facts f;
    int ys[7] = { -1, -1, -1, -1, -1, -1, -1 };
    hm_vm *vm = household_of_y(7, ys, &f);
    ck_assert_int_eq(vm_decide(vm, policy_id("some_y"), -1)->status, DEC_UNDETERMINED);
    vm_free(vm);
    facts_free(&f);
    /* six are 64: tried, and settled */
    vm = household_of_y(6, ys, &f);
    const hm_decision *d = vm_decide(vm, policy_id("some_y"), -1);
    ck_assert_int_eq(d->status, DEC_ELIGIBLE);
    ck_assert_int_eq(d->settled, 6);
    vm_free(vm);
    facts_free(&f);
}
END_TEST

/* Deciding as if unknown facts had values: they stand in where the store
 * does not know, the rest is settled as usual, and they last until the
 * next household. */
START_TEST(test_decide_assuming_values)
{
    hm_facts f;
    int ys[3] = { 0, -1, -1 };
    hm_vm *vm = household_of_y(3, ys, &f);
    int32_t y = -1;
    for (int32_t i = 0; i < prog->nfields; i++)
        if (strcmp(prog_str(prog, prog->fields[i].name), "person.y") == 0)
            y = i;
    ck_assert_int_ge(y, 0);
    int32_t few = policy_id("few_y");
    /* two unknown: one of the four combinations has two y */
    ck_assert_int_eq(vm_decide(vm, few, -1)->status, DEC_UNDETERMINED);
    /* member 2 without y: at most one whatever member 3 is, settled on it alone */
    vm_fact_value v[2] = { { y, 1, 0 }, { y, 0, 1 } };
    const hm_decision *d = vm_decide_assuming(vm, 0, few, -1, v, 1);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->status, DEC_ELIGIBLE);
    ck_assert_int_eq(d->settled, 1);
    ck_assert_int_eq(vm_value_of_fact(vm, y, 1).unk, 0);
    ck_assert_int_eq(vm_value_of_fact(vm, y, 1).v, 0);
    /* a value for a fact the store knows changes nothing */
    d = vm_decide_assuming(vm, 0, few, -1, v, 2);
    ck_assert_int_eq(d->status, DEC_ELIGIBLE);
    ck_assert_int_eq(vm_value_of_fact(vm, y, 0).v, 0);
    /* member 2 with y: it depends on member 3 */
    v[0].v = 1;
    d = vm_decide_assuming(vm, 0, few, -1, v, 1);
    ck_assert_int_eq(d->status, DEC_UNDETERMINED);
    ck_assert_int_eq(vm_decide_assuming(vm, 0, policy_id("one_y"), -1, v, 1)->status, DEC_UNDETERMINED);
    /* the next household has the store's facts only */
    ck_assert_int_eq(vm_begin_household(vm, 0), 0);
    ck_assert_int_eq(vm_value_of_fact(vm, y, 1).unk, UNK_MISSING);
    ck_assert_int_eq(vm_decide(vm, few, -1)->status, DEC_UNDETERMINED);
    ck_assert_ptr_null(vm_decide_assuming(vm, 0, few, -1, v, VM_ASSUME_MAX + 1));
    vm_free(vm);
    facts_free(&f);
}
END_TEST

/* ---- the module container and the verifier --------------------------------- */

static unsigned char *write_module(size_t *len)
{
    char path[] = "/tmp/check_engine_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char err[256];
    ck_assert_int_eq(module_write(prog, path, err, sizeof err), 0);
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    unsigned char *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, fp);
    fclose(fp);
    remove(path);
    return buf;
}

START_TEST(test_module_round_trip)
{
    size_t len;
    unsigned char *buf = write_module(&len);
    hm_program back;
    char err[256];
    ck_assert_int_eq(module_read_mem(buf, len, "m", &back, err, sizeof err), 0);
    ck_assert_int_eq(verify_program(&back, "m", err, sizeof err), 0);
    ck_assert_int_eq(back.ncode, prog->ncode);
    ck_assert_mem_eq(back.code, prog->code, sizeof *back.code * back.ncode);
    ck_assert_int_eq(back.npolicies, prog->npolicies);
    prog_free(&back);
    free(buf);
}
END_TEST

START_TEST(test_module_corruption_refused)
{
    size_t len;
    unsigned char *buf = write_module(&len);
    hm_program back;
    char err[256];
    buf[len / 2] ^= 0x10;
    ck_assert_int_ne(module_read_mem(buf, len, "m", &back, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "checksum"));
    ck_assert_int_ne(module_read_mem(buf, 10, "m", &back, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "m: bad bytecode (truncated"));
    buf[8] = 9;     /* major version */
    ck_assert_int_ne(module_read_mem(buf, len, "m", &back, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "m: a pack of bytecode format 9."));
    free(buf);
}
END_TEST

/* The test program, written to a module and read back into q. */
static void read_back(hm_program *q)
{
    size_t len;
    unsigned char *buf = write_module(&len);
    char err[256];
    ck_assert_int_eq(module_read_mem(buf, len, "m", q, err, sizeof err), 0);
    free(buf);
}

/* The verifier on programs edited in memory: each edit must be refused. */
static void expect_refused(void (*edit)(hm_program *), const char *what)
{
    hm_program q;
    char err[256];
    read_back(&q);
    edit(&q);
    int rc = verify_program(&q, "m", err, sizeof err);
    ck_assert_msg(rc != 0, "accepted: %s", what);
    ck_assert_ptr_nonnull(strstr(err, "m: bad bytecode ("));
    prog_free(&q);
}

static void edit_register(hm_program *q) { q->code[0] = MK_ABC(OP_MOVE, 250, 0, 0); }
static void edit_backjump(hm_program *q)
{
    /* replace the second instruction of function 0 by a jump to itself - 1 */
    q->code[q->fns[0].start + 1] = MK_AsBx(OP_JMP, 0, -2);
}
static void edit_opcode(hm_program *q) { q->code[0] = 0xff; }
static void edit_no_ret(hm_program *q) { q->code[q->fns[0].start + q->fns[0].ncode - 1] = MK_ABC(OP_MOVE, 0, 0, 0); }
static void edit_constant(hm_program *q) { q->code[0] = MK_ABx(OP_LOADK, 0, 60000); }
static void edit_policy_fn(hm_program *q) { q->policies[0].amount_fn = 9999; }
static void edit_cond_size(hm_program *q) { q->conds[0].size = 1000; }
static void edit_string(hm_program *q) { q->strs[1] = 0x7fffffff; }
/* the first instruction reads the last register, which nothing wrote */
static void edit_unwritten(hm_program *q)
{
    q->code[q->fns[0].start] = MK_ABC(OP_MOVE, 0, q->fns[0].nregs - 1, 0);
}
/* the first function of five instructions or more and two registers */
static int32_t long_fn(const hm_program *q)
{
    for (int32_t f = 0; f < q->nfns; f++)
        if (q->fns[f].ncode >= 5 && q->fns[f].nregs >= 2)
            return f;
    return -1;
}
/* an `and` whose skip lands where only one path wrote the result */
static void edit_skip_path(hm_program *q)
{
    const hm_function *F = &q->fns[long_fn(q)];
    uint32_t s = F->start;
    q->code[s] = MK_ABx(OP_LOADK, 0, 0);
    q->code[s + 1] = MK_AsBx(OP_SKIPFALSE, 0, 1);
    q->code[s + 2] = MK_ABx(OP_LOADK, F->nregs - 1, 0);
    q->code[s + 3] = MK_ABC(OP_MOVE, 0, F->nregs - 1, 0);
}

/* an index past its field whose EXTRAARG is missing, out of range, or
 * jumped into; and an EXTRAARG with no instruction before it needing it */
static void edit_extraarg_missing(hm_program *q)
{
    uint32_t s = q->fns[long_fn(q)].start;
    q->code[s] = MK_ABx(OP_LOADK, 0, MAXARG_BX);
    q->code[s + 1] = MK_ABC(OP_MOVE, 0, 0, 0);
}
static void edit_extraarg_range(hm_program *q)
{
    uint32_t s = q->fns[long_fn(q)].start;
    q->code[s] = MK_ABx(OP_LOADK, 0, MAXARG_BX);
    q->code[s + 1] = MK_Ax(OP_EXTRAARG, q->nconsts);
}
static void edit_extraarg_jumped_into(hm_program *q)
{
    uint32_t s = q->fns[long_fn(q)].start;
    q->code[s] = MK_AsBx(OP_JMP, 0, 1);
    q->code[s + 1] = MK_ABx(OP_LOADK, 0, MAXARG_BX);
    q->code[s + 2] = MK_Ax(OP_EXTRAARG, 0);
}
static void edit_extraarg_stray(hm_program *q)
{
    q->code[q->fns[long_fn(q)].start + 1] = MK_Ax(OP_EXTRAARG, 0);
}

/* jumps from the first instruction of function 0 (which has a function
 * after it, so that the target is still inside the program's code): to one
 * past its last instruction, and into the next function */
static void jump_from_start(hm_program *q, int32_t past_end)
{
    const hm_function *F = &q->fns[0];
    ck_assert_int_gt(q->nfns, 1);
    ck_assert_uint_le((uint64_t)F->start + F->ncode + 1, q->ncode);
    /* target = pc + 1 + sBx, from pc 0 */
    q->code[F->start] = MK_AsBx(OP_JMP, 0, (int32_t)F->ncode - 1 + past_end);
}
static void edit_jump_one_past(hm_program *q) { jump_from_start(q, 0); }
static void edit_jump_out(hm_program *q) { jump_from_start(q, 1); }

/* an edit refused with a message saying `what` */
static void expect_refused_as(void (*edit)(hm_program *), const char *what)
{
    hm_program q;
    char err[256];
    read_back(&q);
    edit(&q);
    ck_assert_int_ne(verify_program(&q, "m", err, sizeof err), 0);
    ck_assert_msg(strstr(err, what), "refused as \"%s\", expected \"%s\"", err, what);
    prog_free(&q);
}

START_TEST(test_verifier_refuses_jumps_out)
{
    expect_refused_as(edit_jump_one_past, "function 0, 0: jump out of the function");
    expect_refused_as(edit_jump_out, "function 0, 0: jump out of the function");
}
END_TEST

START_TEST(test_verifier_refuses_edits)
{
    expect_refused(edit_extraarg_missing, "an index past its field without its EXTRAARG");
    expect_refused(edit_extraarg_range, "an EXTRAARG index out of range");
    expect_refused(edit_extraarg_jumped_into, "a jump to an EXTRAARG");
    expect_refused(edit_extraarg_stray, "an EXTRAARG on its own");
    expect_refused(edit_register, "a register beyond the function's registers");
    expect_refused(edit_backjump, "a backward jump");
    expect_refused(edit_opcode, "an unknown opcode");
    expect_refused(edit_no_ret, "a function that does not end with RET");
    expect_refused(edit_constant, "a constant out of range");
    expect_refused(edit_policy_fn, "an amount function out of range");
    expect_refused(edit_cond_size, "a condition tree larger than the table");
    expect_refused(edit_string, "a string outside the pool");
    expect_refused(edit_unwritten, "a register read before anything wrote it");
}
END_TEST

START_TEST(test_verifier_follows_paths)
{
    hm_program q;
    char err[256];
    read_back(&q);
    ck_assert_int_ge(long_fn(&q), 0);
    edit_skip_path(&q);
    ck_assert_int_ne(verify_program(&q, "m", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "is read before it is written"));
    prog_free(&q);
}
END_TEST

/* ---- records of a household ------------------------------------------------- */

/* Records of a person and of the household share one numbering of
 * records columns; the verifier checks each is read as its field's entity
 * (the fact store sizes a household's column by households). */
static const char RECS_PACK[] =
    "source s { person.pay : records of money  household.rent : records of money }\n"
    "policy hp for household {\n"
    "  eligible when count(household.rent) > 0 \"x\"\n"
    "  amount sum(household.rent) + sum(sum(m.pay) for m in household.members)\n"
    "}\n";

/* the first instruction with opcode op in q, or -1 */
static int32_t find_op(const hm_program *q, int op)
{
    for (uint32_t pc = 0; pc < q->ncode; pc++)
        if (GET_OP(q->code[pc]) == op)
            return (int32_t)pc;
    return -1;
}

START_TEST(test_household_records_verified)
{
    hm_compiler *c = hm_compiler_new();
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(hm_compiler_add_source(c, "recs.pol", RECS_PACK, sizeof RECS_PACK - 1), HM_OK);
    hm_program *q;
    sema *s;
    int rc = compiler_program(c, &q, &s);
    if (rc != HM_OK)
        hm_compiler_print_diagnostics(c, stderr);
    ck_assert_int_eq(rc, HM_OK);
    ck_assert_int_eq(q->nrcols, 2);
    char err[256];
    ck_assert_int_eq(verify_program(q, "m", err, sizeof err), 0);
    int32_t h = find_op(q, OP_HRECS), pr = find_op(q, OP_PRECS);
    ck_assert_int_ge(h, 0);
    ck_assert_int_ge(pr, 0);
    int hcol = GETARG_Bx(q->code[h]), pcol = GETARG_C(q->code[pr]);
    ck_assert_int_ne(hcol, pcol);
    /* the household's records read from a person's column, and the other way */
    hm_instr saved = q->code[h];
    q->code[h] = MK_ABx(OP_HRECS, GETARG_A(saved), pcol);
    ck_assert_int_ne(verify_program(q, "m", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "household records column"));
    q->code[h] = saved;
    saved = q->code[pr];
    q->code[pr] = MK_ABC(OP_PRECS, GETARG_A(saved), GETARG_B(saved), hcol);
    ck_assert_int_ne(verify_program(q, "m", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "person records column"));
    q->code[pr] = saved;
    /* two fields on one records column */
    for (int32_t i = 0; i < q->nfields; i++)
        if (q->fields[i].records)
            q->fields[i].column = 0;
    ck_assert_int_ne(verify_program(q, "m", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "has another field"));
    hm_compiler_free(c);
}
END_TEST

static const char PSUM_PACK[] =
    "source s { household.income : money per month }\n"
    "policy a for household { eligible when household.income > 0 \"m\"  amount household.income }\n"
    "policy b for household { eligible when true \"m\"  amount sum(a.amount over last 12 months) }\n";

/* sum(P.amount over …): a PSUM naming its own policy (months deciding
 * themselves without end), or a policy without an amount per month, is
 * refused. */
START_TEST(test_period_sum_verified)
{
    hm_compiler *c = hm_compiler_new();
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(hm_compiler_add_source(c, "ps.pol", PSUM_PACK, sizeof PSUM_PACK - 1), HM_OK);
    hm_program *q;
    sema *s;
    int rc = compiler_program(c, &q, &s);
    if (rc != HM_OK)
        hm_compiler_print_diagnostics(c, stderr);
    ck_assert_int_eq(rc, HM_OK);
    char err[256];
    ck_assert_int_eq(verify_program(q, "m", err, sizeof err), 0);
    int32_t at = find_op(q, OP_PSUM);
    ck_assert_int_ge(at, 0);
    hm_instr i = q->code[at];
    /* b adding its own months (made monthly, so that only the cycle is wrong) */
    int32_t self = GETARG_C(i) == 0 ? 1 : 0;
    int32_t period = q->policies[self].period;
    q->policies[self].period = PERIOD_PER_MONTH;
    q->code[at] = MK_ABC(OP_PSUM, GETARG_A(i), GETARG_B(i), self);
    ck_assert_int_ne(verify_program(q, "m", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "cycle"));
    q->code[at] = i;
    q->policies[self].period = period;
    q->policies[GETARG_C(i)].period = PERIOD_PER_YEAR;
    ck_assert_int_ne(verify_program(q, "m", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "no amount per month"));
    hm_compiler_free(c);
}
END_TEST

static const char MTABLE_PACK[] =
    "source s { household.region : text  person.grade : int }\n"
    "parameter t : money by household.region, person.grade {\n"
    "  \"330100\", 1: 200\n"
    "  \"330100\", default: 80\n"
    "  default: 60\n"
    "}\n"
    "policy p for person { eligible when t > 0 \"m\" }\n";

/* A table of two keys: the table of the first key names tables of the
 * second; a pack whose entries name anything else, or whose PARAMKEYS
 * reads keys past the registers, is refused. */
START_TEST(test_table_of_several_keys_verified)
{
    hm_compiler *c = hm_compiler_new();
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(hm_compiler_add_source(c, "mt.pol", MTABLE_PACK, sizeof MTABLE_PACK - 1), HM_OK);
    hm_program *q;
    sema *s;
    int rc = compiler_program(c, &q, &s);
    if (rc != HM_OK)
        hm_compiler_print_diagnostics(c, stderr);
    ck_assert_int_eq(rc, HM_OK);
    char err[256];
    ck_assert_int_eq(verify_program(q, "m", err, sizeof err), 0);
    ck_assert_int_eq(q->params[0].keyed, 2);
    ck_assert_int_eq(q->params[0].n, 2);
    int32_t d = q->pentries[q->params[0].first].first;
    int64_t saved = q->dated[d].value;
    /* an entry naming the table itself (a loop), then a table of two keys */
    q->dated[d].value = 0;
    ck_assert_int_ne(verify_program(q, "m", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "bad table of a key"));
    q->dated[d].value = q->nparams;
    ck_assert_int_ne(verify_program(q, "m", err, sizeof err), 0);
    q->dated[d].value = saved;
    int32_t at = find_op(q, OP_PARAMKEYS);
    ck_assert_int_ge(at, 0);
    hm_instr i = q->code[at];
    /* the second key past the function's registers */
    const hm_function *f = NULL;
    for (int32_t k = 0; k < q->nfns; k++)
        if ((uint32_t)at >= q->fns[k].start && (uint32_t)at < q->fns[k].start + q->fns[k].ncode)
            f = &q->fns[k];
    ck_assert_ptr_nonnull(f);
    q->code[at] = MK_ABC(OP_PARAMKEYS, GETARG_A(i), f->nregs - 1, GETARG_C(i));
    ck_assert_int_ne(verify_program(q, "m", err, sizeof err), 0);
    /* PARAMKEY (one key) on it would read a table's number as money */
    q->code[at] = MK_ABC(OP_PARAMKEY, GETARG_A(i), GETARG_B(i), GETARG_C(i));
    ck_assert_int_ne(verify_program(q, "m", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "not a table of one key"));
    q->code[at] = i;
    ck_assert_int_eq(verify_program(q, "m", err, sizeof err), 0);
    hm_compiler_free(c);
}
END_TEST

/* A small module may not ask for millions of fact columns: each column
 * holds a field. */
START_TEST(test_verifier_refuses_columns_without_fields)
{
    hm_program q;
    char err[256];
    read_back(&q);
    q.npcols = MAXARG_Ax;
    ck_assert_int_ne(verify_program(&q, "m", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "more columns than fields"));
    prog_free(&q);
}
END_TEST

/* ---- tracing and explain ---------------------------------------------------- */

/* The traced loop decides exactly as the plain one, and the plain one
 * records nothing. */
START_TEST(test_trace_records_only_when_asked)
{
    static const int64_t xs[] = { 2, -1, 5 };
    const char *names[] = { "half", "third", "kleene", "people" };
    for (int k = 0; k < 4; k++) {
        hm_facts f;
        hm_vm *vm;
        const hm_decision *d = decide(names[k], 301, -1, 3, xs, &f, &vm);
        hm_decision plain = *d;
        vm_trace t;
        memset(&t, 0, sizeof t);
        ck_assert_int_eq(vm_begin_household(vm, 0), 0);
        vm_set_trace(vm, &t);
        const hm_decision *d2 = vm_decide(vm, policy_id(names[k]), -1);
        ck_assert_int_eq(d2->status, plain.status);
        ck_assert_int_eq(d2->amount, plain.amount);
        ck_assert_int_gt((int)t.n, 0);
        ck_assert_int_gt(t.nframes, 0);
        /* every frame starts with ENTER and each instruction event is inside the program */
        ck_assert_int_eq(t.ev[0].kind, EV_ENTER);
        for (size_t e = 0; e < t.n; e++)
            if (t.ev[e].kind == EV_INSTR)
                ck_assert_uint_lt((uint32_t)t.ev[e].a, prog->ncode);
        vm_set_trace(vm, NULL);
        size_t before = t.n;
        ck_assert_int_eq(vm_begin_household(vm, 0), 0);
        vm_decide(vm, policy_id(names[k]), -1);
        ck_assert_uint_eq(t.n, before);
        mem_free(t.ev);
        vm_free(vm);
        facts_free(&f);
    }
}
END_TEST

/* The explanation names the failed condition with the values compared,
 * and the members an aggregate counted. */
START_TEST(test_explain_model)
{
    static const int64_t xs[] = { 2, -1, 5 };
    hm_facts f;
    hm_vm *vm;
    decide("people", 0, -1, 3, xs, &f, &vm);
    vm_free(vm);
    sema *s;
    ck_assert_int_eq(compiler_program(comp, &prog, &s), HM_OK);
    ex_input in = { .p = prog, .s = s, .map = compiler_map(comp), .facts = &f, .as_of = D(2024, 8, 1),
                    .policy = policy_id("half"), .member = -1 };
    json_t *doc = explain_build(&in);
    ck_assert_ptr_nonnull(doc);
    json_t *d = json_array_get(json_object_get(doc, "decisions"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(d, "status")), "not_eligible");
    json_t *why = json_array_get(json_object_get(d, "why_not"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(why, "expr")), "household.a > 0");
    json_t *flip = json_object_get(why, "flip");
    ck_assert_str_eq(json_string_value(json_object_get(flip, "text")),
                     "would be met if household.a were above 0.00 (now 0.00, 0.01 higher)");
    json_decref(doc);
    /* people: count(household.members where x > 1): member 2's x is missing */
    in.policy = policy_id("people");
    doc = explain_build(&in);
    ck_assert_ptr_nonnull(doc);
    d = json_array_get(json_object_get(doc, "decisions"), 0);
    json_t *cond = json_array_get(json_object_get(json_object_get(d, "conditions"), "children"), 0);
    json_t *agg = json_array_get(json_object_get(cond, "aggregates"), 0);
    json_t *els = json_object_get(agg, "elements");
    ck_assert_int_eq((int)json_array_size(els), 3);
    ck_assert(json_is_true(json_object_get(json_array_get(els, 0), "kept")));
    ck_assert(json_is_null(json_object_get(json_array_get(els, 1), "kept")));
    ck_assert(json_is_true(json_object_get(json_array_get(els, 2), "kept")));
    json_decref(doc);
    facts_free(&f);
}
END_TEST

/* ---- keyed parameters ------------------------------------------------------ */

/* Tables looked up by text (300 keys more than written here, keys that
 * are prefixes of others), by a text the rule writes, by whole numbers in
 * ranges near each other and far apart. */
static const char KEYED[] =
    "source s {\n"
    "  household.region : text\n"
    "  household.n : int\n"
    "  household.y : money per year\n"
    "}\n"
    "parameter 只有 : money by household.region {\n"
    "  default: 5\n"
    "}\n"
    "policy p_only for household {\n"
    "  eligible when all { 只有 > 0 \"s\" }\n"
    "  amount 只有\n"
    "}\n"
    "policy p_month for household {\n"
    "  eligible when all { household.y != 0 \"s\" }\n"
    "  amount monthly(household.y)\n"
    "}\n"
    "parameter 字面 : money by (if household.n > 0 then \"3301\" else \"不在表中\") {\n"
    "  \"3301\": 7\n"
    "  default: 8\n"
    "}\n"
    "parameter 档 : money by household.n {\n"
    "  up to 0: 1\n"
    "  1 to 3: 2\n"
    "  10 or more: 3\n"
    "  default: 4\n"
    "}\n"
    "parameter 远 : money by household.n {\n"
    "  1: 10\n"
    "  1000000: 20\n"
    "  default: 30\n"
    "}\n"
    "policy p_std for household {\n"
    "  eligible when all { 标准 > 0 \"s\" }\n"
    "  amount 标准\n"
    "}\n"
    "policy p_lit for household {\n"
    "  eligible when all { 字面 > 0 \"s\" }\n"
    "  amount 字面\n"
    "}\n"
    "policy p_band for household {\n"
    "  eligible when all { 档 > 0 \"s\" }\n"
    "  amount 档\n"
    "}\n"
    "policy p_far for household {\n"
    "  eligible when all { 远 > 0 \"s\" }\n"
    "  amount 远\n"
    "}\n";

static void keyed_setup(void)
{
    /* 标准: "33" 1, "3301" 2, "330100" 3, "3301000" 4, "k0" 1000 … "k299" 1299, default 99 */
    size_t cap = sizeof KEYED + 300 * 32 + 256, n = 0;
    char *src = malloc(cap);
    ck_assert_ptr_nonnull(src);
    n += (size_t)snprintf(src + n, cap - n, "parameter 标准 : money by household.region {\n"
                                            "  \"33\": 1\n  \"3301\": 2\n  \"330100\": 3\n  \"3301000\": 4\n");
    for (int k = 0; k < 300; k++)
        n += (size_t)snprintf(src + n, cap - n, "  \"k%d\": %d\n", k, 1000 + k);
    n += (size_t)snprintf(src + n, cap - n, "  default: 99\n}\n%s", KEYED);
    comp = hm_compiler_new();
    ck_assert_ptr_nonnull(comp);
    ck_assert_int_eq(hm_compiler_add_source(comp, "keyed.pol", src, n), HM_OK);
    free(src);
    sema *s;
    int rc = compiler_program(comp, &prog, &s);
    if (rc != HM_OK)
        hm_compiler_print_diagnostics(comp, stderr);
    ck_assert_int_eq(rc, HM_OK);
}

static const hm_field *field_named(const char *name)
{
    for (int32_t i = 0; i < prog->nfields; i++)
        if (strcmp(prog_str(prog, prog->fields[i].name), name) == 0)
            return &prog->fields[i];
    ck_abort_msg("no field %s", name);
    return NULL;
}

static int32_t param_named(const char *name)
{
    for (int32_t i = 0; i < prog->nparams; i++)
        if (strcmp(prog_str(prog, prog->params[i].name), name) == 0)
            return i;
    ck_abort_msg("no parameter %s", name);
    return -1;
}

/* The amount of `policy` for household h (fen), or -1 when undetermined. */
static int64_t keyed_amount(hm_vm *vm, int32_t h, const char *policy)
{
    ck_assert_int_eq(vm_begin_household(vm, h), 0);
    const hm_decision *d = vm_decide(vm, policy_id(policy), -1);
    return d->status == DEC_ELIGIBLE ? d->amount : -1;
}

/* A region that is not a key takes the default, a key that is a prefix of
 * another (or has one) takes its own entry, whichever the texts' order in
 * the store; a text added after binding is found as well. */
START_TEST(test_text_keys)
{
    static const struct { const char *region; int64_t want; } cases[] = {
        { "33", 100 },     { "3301", 200 },    { "330100", 300 },   { "3301000", 400 },
        { "330", 9900 },   { "3", 9900 },      { "33010", 9900 },   { "33010000", 9900 },
        { "", 9900 },      { "k0", 100000 },   { "k150", 115000 },  { "k29", 102900 },
        { "k299", 129900 }, { "k1500", 9900 }, { "K150", 9900 },    { "k150 ", 9900 },
    };
    int32_t n = (int32_t)(sizeof cases / sizeof cases[0]);
    hm_facts f;
    ck_assert_int_eq(facts_init(&f, prog, n, 0), 0);
    int col = field_named("household.region")->column;
    /* other texts first, many, so that the keys' ids are scattered */
    char t[32];
    for (int k = 0; k < 1000; k++) {
        snprintf(t, sizeof t, "t%d", k);
        ck_assert_int_lt(facts_text(&f, t), 0);
    }
    for (int32_t h = n - 1; h >= 0; h--) {
        f.hcol[col].v[h] = facts_text(&f, cases[h].region);
        f.hcol[col].state[h] = FACT_KNOWN;
    }
    hm_vm *vm = vm_new(prog);
    ck_assert_ptr_nonnull(vm);
    vm_bind(vm, &f, D(2024, 8, 1));
    for (int32_t h = 0; h < n; h++)
        ck_assert_msg(keyed_amount(vm, h, "p_std") == cases[h].want, "region \"%s\": %lld, not %lld",
                      cases[h].region, (long long)keyed_amount(vm, h, "p_std"), (long long)cases[h].want);
    /* a table of a default alone */
    for (int32_t h = 0; h < n; h++)
        ck_assert_int_eq(keyed_amount(vm, h, "p_only"), 500);
    /* the entry explain shows */
    int32_t entry, dated;
    hm_val key = { f.hcol[col].v[1], 0, 0 };
    hm_val v = vm_param_lookup(vm, param_named("标准"), key, &entry, &dated);
    ck_assert_int_eq(v.v, 200);
    ck_assert_int_ge(entry, 0);
    ck_assert_str_eq(prog_str(prog, prog->pentries[entry].text), "3301");
    key.v = f.hcol[col].v[4];
    vm_param_lookup(vm, param_named("标准"), key, &entry, &dated);
    ck_assert_int_eq(prog->pentries[entry].kind, KEY_DEFAULT);
    /* texts the store gains after binding: a key, and not one */
    f.hcol[col].v[0] = facts_text(&f, "k77");
    ck_assert_int_eq(keyed_amount(vm, 0, "p_std"), 107700);
    f.hcol[col].v[0] = facts_text(&f, "k300");
    ck_assert_int_eq(keyed_amount(vm, 0, "p_std"), 9900);
    /* bound again: the same */
    vm_bind(vm, &f, D(2024, 8, 1));
    ck_assert_int_eq(keyed_amount(vm, 0, "p_std"), 9900);
    f.hcol[col].v[0] = facts_text(&f, "k77");
    ck_assert_int_eq(keyed_amount(vm, 0, "p_std"), 107700);
    /* unknown region: no value */
    f.hcol[col].state[0] = FACT_MISSING;
    ck_assert_int_eq(keyed_amount(vm, 0, "p_std"), -1);
    vm_free(vm);
    facts_free(&f);
}
END_TEST

/* Keys the rule writes are program strings, not the facts' texts; numbers
 * in ranges, below and above them, between them, and far apart. */
START_TEST(test_literal_and_number_keys)
{
    static const struct { int64_t n; int64_t lit, band, far; } cases[] = {
        { -5, 800, 100, 3000 },        { 0, 800, 100, 3000 },       { 1, 700, 200, 1000 },
        { 3, 700, 200, 3000 },         { 4, 700, 400, 3000 },       { 9, 700, 400, 3000 },
        { 10, 700, 300, 3000 },        { 999999, 700, 300, 3000 },  { 1000000, 700, 300, 2000 },
        { INT64_MAX, 700, 300, 3000 }, { INT64_MIN, 800, 100, 3000 },
    };
    int32_t n = (int32_t)(sizeof cases / sizeof cases[0]);
    hm_facts f;
    ck_assert_int_eq(facts_init(&f, prog, n, 0), 0);
    int col = field_named("household.n")->column;
    for (int32_t h = 0; h < n; h++) {
        f.hcol[col].v[h] = cases[h].n;
        f.hcol[col].state[h] = FACT_KNOWN;
    }
    hm_vm *vm = vm_new(prog);
    ck_assert_ptr_nonnull(vm);
    vm_bind(vm, &f, D(2024, 8, 1));
    for (int32_t h = 0; h < n; h++) {
        ck_assert_int_eq(keyed_amount(vm, h, "p_lit"), cases[h].lit);
        ck_assert_int_eq(keyed_amount(vm, h, "p_band"), cases[h].band);
        ck_assert_int_eq(keyed_amount(vm, h, "p_far"), cases[h].far);
    }
    vm_free(vm);
    facts_free(&f);
}
END_TEST

/* A pack whose only table looked up by text has a default alone. */
START_TEST(test_text_table_of_a_default_alone)
{
    static const char src[] = "source s {\n  household.region : text\n}\n"
                              "parameter 只有 : money by household.region {\n  default: 5\n}\n"
                              "policy p_only for household {\n  eligible when all { 只有 > 0 \"s\" }\n"
                              "  amount 只有\n}\n";
    hm_compiler_free(comp);
    comp = hm_compiler_new();
    ck_assert_ptr_nonnull(comp);
    ck_assert_int_eq(hm_compiler_add_source(comp, "only.pol", src, sizeof src - 1), HM_OK);
    sema *s;
    ck_assert_int_eq(compiler_program(comp, &prog, &s), HM_OK);
    hm_facts f;
    ck_assert_int_eq(facts_init(&f, prog, 1, 0), 0);
    int col = field_named("household.region")->column;
    f.hcol[col].v[0] = facts_text(&f, "330100");
    f.hcol[col].state[0] = FACT_KNOWN;
    hm_vm *vm = vm_new(prog);
    ck_assert_ptr_nonnull(vm);
    vm_bind(vm, &f, D(2024, 8, 1));
    ck_assert_int_eq(keyed_amount(vm, 0, "p_only"), 500);
    vm_free(vm);
    facts_free(&f);
}
END_TEST

/* A year's money a month: to the fen, half away from zero. */
START_TEST(test_monthly_rounds_half_away)
{
    static const struct { int64_t y, want; } cases[] = {
        { 5, 0 },   { 6, 1 },   { 7, 1 },   { 17, 1 },  { 18, 2 },   { 12, 1 },
        { -5, 0 },  { -6, -1 }, { -7, -1 }, { -18, -2 }, { -12, -1 }, { 1200000, 100000 },
        { INT64_MAX, 768614336404564651 }, { INT64_MIN, -768614336404564651 },
    };
    int32_t n = (int32_t)(sizeof cases / sizeof cases[0]);
    hm_facts f;
    ck_assert_int_eq(facts_init(&f, prog, n, 0), 0);
    int col = field_named("household.y")->column;
    for (int32_t h = 0; h < n; h++) {
        f.hcol[col].v[h] = cases[h].y;
        f.hcol[col].state[h] = FACT_KNOWN;
    }
    hm_vm *vm = vm_new(prog);
    ck_assert_ptr_nonnull(vm);
    vm_bind(vm, &f, D(2024, 8, 1));
    for (int32_t h = 0; h < n; h++)
        ck_assert_int_eq(keyed_amount(vm, h, "p_month"), cases[h].want);
    vm_free(vm);
    facts_free(&f);
}
END_TEST

/* A text is interned once: the same text, however many others came
 * between, is the same value. */
START_TEST(test_texts_interned_once)
{
    hm_facts f;
    memset(&f, 0, sizeof f);
    int64_t a = facts_text(&f, "330100");
    char t[32];
    for (int k = 0; k < 5000; k++) {
        snprintf(t, sizeof t, "%d", k);
        ck_assert_int_eq(facts_text(&f, t), facts_text(&f, t));
    }
    ck_assert_int_eq(facts_text(&f, "330100"), a);
    ck_assert_int_eq(facts_text_find(&f, "330100"), a);
    ck_assert_int_eq(facts_text_find(&f, "33010"), 0);
    ck_assert_int_eq(f.ntexts, 5001);
    ck_assert_str_eq(f.texts[-a - 1], "330100");
    facts_free(&f);
}
END_TEST

Suite *hm_engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("calendar");
    /* every birth date over 170 years on eight days: seconds under the
     * sanitizers on a loaded machine, past Check's default of 4 */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_epoch_and_round_trip);
    tcase_add_test(tc, test_add_months_clamps_to_month_end);
    tcase_add_test(tc, test_full_years);
    tcase_add_test(tc, test_ages_on_a_date);
    suite_add_tcase(s, tc);
    tc = tcase_create("vm");
    tcase_add_checked_fixture(tc, pack_setup, pack_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_money_times_ratio_rounds_half_away, 0, 6);
    tcase_add_loop_test(tc, test_money_divided_rounds_half_away, 0, 6);
    tcase_add_loop_test(tc, test_kleene_or, 0, 9);
    tcase_add_test(tc, test_members_and_unknown_filter);
    tcase_add_test(tc, test_shared_condition_reports_its_own_policy);
    tcase_add_test(tc, test_settled_whatever_the_value);
    tcase_add_test(tc, test_settle_tries_a_bounded_number);
    tcase_add_test(tc, test_decide_assuming_values);
    tcase_add_test(tc, test_trace_records_only_when_asked);
    tcase_add_test(tc, test_explain_model);
    suite_add_tcase(s, tc);
    tc = tcase_create("module");
    tcase_add_checked_fixture(tc, pack_setup, pack_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_module_round_trip);
    tcase_add_test(tc, test_module_corruption_refused);
    tcase_add_test(tc, test_verifier_refuses_columns_without_fields);
    tcase_add_test(tc, test_table_of_several_keys_verified);
    tcase_add_test(tc, test_period_sum_verified);
    tcase_add_test(tc, test_verifier_refuses_edits);
    tcase_add_test(tc, test_verifier_follows_paths);
    tcase_add_test(tc, test_verifier_refuses_jumps_out);
    suite_add_tcase(s, tc);
    tc = tcase_create("household records");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_household_records_verified);
    suite_add_tcase(s, tc);
    tc = tcase_create("keyed parameters");
    tcase_add_checked_fixture(tc, keyed_setup, pack_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_text_keys);
    tcase_add_test(tc, test_literal_and_number_keys);
    tcase_add_test(tc, test_texts_interned_once);
    tcase_add_test(tc, test_monthly_rounds_half_away);
    tcase_add_test(tc, test_text_table_of_a_default_alone);
    suite_add_tcase(s, tc);
    return s;
}
