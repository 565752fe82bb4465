/* check_regions.c -- the payment roll and a household's regions
 * (batch/regions.c) read from a fact store filled as for deciding. */
#include "suites.h"

#include "huimin.h"
#include "household.h"
#include "module.h"
#include "pack.h"
#include "regions.h"

#include <stdio.h>
#include <string.h>

static const char POL[] =
    "record 发放记录 \"发放记录\" {\n"
    "  项目 : text            \"救助项目\"\n"
    "  金额 : money per month \"每月发放金额\"\n"
    "  起始 : date            \"首次发放日期\"\n"
    "}\n"
    "source enrolment \"发放名册\" roll {\n"
    "  household.payments : list of 发放记录 \"本户领取\"\n"
    "  person.payments    : list of 发放记录 \"本人领取\"\n"
    "}\n"
    "source 民政 \"民政\" {\n"
    "  table region \"行政区划\" by text, dated { name : text \"名称\"  line : money per month \"低保标准\" }\n"
    "  household.township : region \"户籍地乡镇（街道）\"\n"
    "  household.size : int \"人口\"\n"
    "}\n"
    "regions by household.township\n"
    "policy p \"测试\" for household { eligible when household.size > 0 \"有人\" }\n";

static hm_pack *compile(const char *text)
{
    hm_compiler *c = hm_compiler_new();
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(hm_compiler_add_source(c, "t.pol", text, strlen(text)), HM_OK);
    hm_pack *k = NULL;
    int rc = hm_compiler_pack(c, &k);
    if (rc != HM_OK)
        hm_compiler_print_diagnostics(c, stderr);
    ck_assert_int_eq(rc, HM_OK);
    hm_compiler_free(c);
    return k;
}

static void ref_row(hm_household *h, const char *key, const char *from, const char *name)
{
    static const char *const attrs[] = { "name" };
    const char *values[] = { name };
    char err[256];
    ck_assert_msg(hm_household_add_ref_row(h, "region", key, from, attrs, values, 1, err, sizeof err) == HM_OK,
                  "%s", err);
}

/* Household h placed in store f as of `day`, with its reference rows lent
 * to the store as a load leaves them (undo with unfill). */
static void fill(hm_household *h, hm_facts *f, const char *day)
{
    int32_t d;
    ck_assert_int_eq(rt_parse_date(day, &d), 0);
    ck_assert_int_eq(facts_init(f, h->p, 1, h->nmembers > 0 ? h->nmembers : 1), 0);
    ck_assert_int_eq(household_fill(h, f, h->nmembers > 0 ? h->nmembers : 1, d), 0);
    f->refs = h->tx.refs;
    f->nrefs = h->tx.nrefs;
}

static void unfill(hm_facts *f)
{
    f->refs = NULL;
    f->nrefs = 0;
    f->texts = NULL;
    f->ntexts = f->captexts = 0;
    facts_free(f);
}

static int32_t day(const char *s)
{
    int32_t d;
    ck_assert_int_eq(rt_parse_date(s, &d), 0);
    return d;
}

START_TEST(test_region_levels_and_names)
{
    hm_pack *k = compile(POL);
    const hm_program *p = &k->prog;
    ck_assert_int_ge(regions_field(p), 0);
    hm_household *h = hm_household_new(k, "H1");
    char err[256];
    ck_assert_int_eq(hm_household_set(h, -1, hm_pack_fact(k, "household.township"), "330106004", NULL, NULL, err,
                                      sizeof err), HM_OK);
    ref_row(h, "330106004", "2020-01-01", "北山街道");
    ref_row(h, "330106", "2020-01-01", "西湖区");
    ref_row(h, "330106", "2024-07-01", "西湖区（新）");
    /* no row of the city: named by its code */
    hm_facts f;
    fill(h, &f, "2024-08-01");
    hm_region r;
    ck_assert_int_eq(region_of(p, &f, 0, day("2024-08-01"), &r), REGION_KNOWN);
    ck_assert_str_eq(r.code[REGION_TOWNSHIP], "330106004");
    ck_assert_str_eq(r.code[REGION_COUNTY], "330106");
    ck_assert_str_eq(r.code[REGION_CITY], "330100");
    ck_assert_str_eq(r.name[REGION_TOWNSHIP], "北山街道");
    ck_assert_str_eq(r.name[REGION_COUNTY], "西湖区（新）");
    ck_assert_ptr_null(r.name[REGION_CITY]);
    /* the row in force at the date asked */
    ck_assert_int_eq(region_of(p, &f, 0, day("2024-06-30"), &r), REGION_KNOWN);
    ck_assert_str_eq(r.name[REGION_COUNTY], "西湖区");
    /* before every row: codes without names */
    ck_assert_int_eq(region_of(p, &f, 0, day("2019-12-31"), &r), REGION_KNOWN);
    ck_assert_ptr_null(r.name[REGION_TOWNSHIP]);
    ck_assert_str_eq(r.code[REGION_TOWNSHIP], "330106004");
    unfill(&f);
    ck_assert_str_eq(region_level_name(REGION_COUNTY), "county");
    ck_assert_str_eq(region_level_label(REGION_CITY), "地市");
    hm_household_free(h);
    hm_pack_free(k);
}
END_TEST

START_TEST(test_region_unknown_and_bad)
{
    hm_pack *k = compile(POL);
    const hm_program *p = &k->prog;
    hm_region r;
    hm_facts f;
    /* the fact missing: unknown, never some default region */
    hm_household *h = hm_household_new(k, "H2");
    fill(h, &f, "2024-08-01");
    ck_assert_int_eq(region_of(p, &f, 0, day("2024-08-01"), &r), REGION_UNKNOWN);
    ck_assert_int_eq(r.fact_state, FACT_MISSING);
    ck_assert_str_eq(r.code[REGION_COUNTY], "");
    unfill(&f);
    hm_household_free(h);
    /* a county code, or letters: not a township */
    const char *bad[] = { "330106", "33010600A", "" };
    for (int i = 0; i < 3; i++) {
        h = hm_household_new(k, "H3");
        char err[256];
        ck_assert_int_eq(hm_household_set(h, -1, hm_pack_fact(k, "household.township"), bad[i], NULL, NULL, err,
                                          sizeof err), HM_OK);
        fill(h, &f, "2024-08-01");
        ck_assert_msg(region_of(p, &f, 0, day("2024-08-01"), &r) == REGION_BAD, "%s", bad[i]);
        unfill(&f);
        hm_household_free(h);
    }
    /* a longer code (a village's 12 digits) is cut to its levels */
    h = hm_household_new(k, "H4");
    char err[256];
    ck_assert_int_eq(hm_household_set(h, -1, hm_pack_fact(k, "household.township"), "330106004012", NULL, NULL,
                                      err, sizeof err), HM_OK);
    fill(h, &f, "2024-08-01");
    ck_assert_int_eq(region_of(p, &f, 0, day("2024-08-01"), &r), REGION_KNOWN);
    ck_assert_str_eq(r.code[REGION_TOWNSHIP], "330106004");
    unfill(&f);
    hm_household_free(h);
    hm_pack_free(k);
}
END_TEST

START_TEST(test_roll_payments)
{
    hm_pack *k = compile(POL);
    const hm_program *p = &k->prog;
    roll_info ri;
    ck_assert_int_eq(roll_find(p, &ri), 1);
    ck_assert_str_eq(ri.source, "enrolment");
    ck_assert_str_eq(ri.label, "发放名册");
    ck_assert_ptr_nonnull(ri.household);
    ck_assert_ptr_nonnull(ri.person);
    hm_household *h = hm_household_new(k, "H1");
    int m0, m1;
    ck_assert_int_eq(hm_household_add_member(h, "P1", &m0), HM_OK);
    ck_assert_int_eq(hm_household_add_member(h, "P2", &m1), HM_OK);
    char err[256];
    int hl = hm_pack_fact(k, "household.payments"), pl = hm_pack_fact(k, "person.payments");
    const char *const fields[] = { "项目", "金额", "起始" };
    const char *const dibao[] = { "dibao", "1245.50", "2023-03-01" };
    const char *const partial[] = { "tekun", NULL, "2024-01-01" };
    ck_assert_msg(hm_household_add_row(h, -1, hl, fields, dibao, 3, err, sizeof err) == HM_OK, "%s", err);
    ck_assert_msg(hm_household_add_row(h, -1, hl, fields, partial, 3, err, sizeof err) == HM_OK, "%s", err);
    ck_assert_int_eq(hm_household_set_records_known(h, m0, pl, err, sizeof err), HM_OK);
    /* member 1's list is not given: not known */
    hm_facts f;
    fill(h, &f, "2024-08-01");
    int st;
    ck_assert_int_eq(roll_count(p, &f, ri.household, 0, &st), 2);
    ck_assert_int_eq(st, FACT_KNOWN);
    roll_payment pay;
    roll_payment_at(p, &f, ri.household, 0, 0, &pay);
    ck_assert_str_eq(pay.policy, "dibao");
    ck_assert_int_eq(pay.has_amount, 1);
    ck_assert_int_eq(pay.amount, 124550);
    ck_assert_int_eq(pay.period, PERIOD_PER_MONTH);
    ck_assert_int_eq(pay.has_since, 1);
    ck_assert_int_eq(pay.since, day("2023-03-01"));
    roll_payment_at(p, &f, ri.household, 0, 1, &pay);
    ck_assert_str_eq(pay.policy, "tekun");
    ck_assert_int_eq(pay.has_amount, 0);
    ck_assert_int_eq(pay.since, day("2024-01-01"));
    ck_assert_int_eq(roll_count(p, &f, ri.person, f.hh_first[0] + m0, &st), 0);
    ck_assert_int_eq(roll_count(p, &f, ri.person, f.hh_first[0] + m1, &st), -1);
    ck_assert_int_eq(st, FACT_MISSING);
    unfill(&f);
    hm_household_free(h);
    hm_pack_free(k);
}
END_TEST

START_TEST(test_no_roll_no_regions)
{
    hm_pack *k = compile("source s { household.size : int }\n"
                         "policy p for household { eligible when household.size > 0 \"有人\" }\n");
    const hm_program *p = &k->prog;
    roll_info ri;
    ck_assert_int_eq(roll_find(p, &ri), 0);
    ck_assert_ptr_null(ri.source);
    ck_assert_int_eq(regions_field(p), -1);
    hm_household *h = hm_household_new(k, "H1");
    hm_facts f;
    fill(h, &f, "2024-08-01");
    hm_region r;
    ck_assert_int_eq(region_of(p, &f, 0, day("2024-08-01"), &r), REGION_NONE);
    unfill(&f);
    hm_household_free(h);
    hm_pack_free(k);
}
END_TEST

/* The verifier refuses a roll or regions record that does not say what
 * the format says (a pack altered after it was compiled). */
START_TEST(test_verifier_refuses_bad_records)
{
    hm_pack *k = compile(POL);
    hm_program *p = &k->prog;
    char err[256];
    ck_assert_int_eq(verify_program(p, "t", err, sizeof err), 0);
    hm_roll r = p->rolls[0];
    p->rolls[0].amount = r.policy;          /* the amount a text field */
    ck_assert_int_ne(verify_program(p, "t", err, sizeof err), 0);
    ck_assert_msg(strstr(err, "roll fact 0") != NULL, "%s", err);
    p->rolls[0] = r;
    p->rolls[0].field = r.policy;           /* not a list */
    ck_assert_int_ne(verify_program(p, "t", err, sizeof err), 0);
    p->rolls[0] = r;
    p->rolls[1].field = r.field;            /* two lists of households */
    ck_assert_int_ne(verify_program(p, "t", err, sizeof err), 0);
    p->rolls[1].field = p->rolls[0].field + 4;
    ck_assert_int_eq(verify_program(p, "t", err, sizeof err), 0);
    hm_regions g = p->regions[0];
    p->regions[0].field = hm_pack_fact(k, "household.size");     /* not text */
    ck_assert_int_ne(verify_program(p, "t", err, sizeof err), 0);
    p->regions[0] = g;
    p->regions[0].name = 1;                 /* the table's money attribute */
    ck_assert_int_ne(verify_program(p, "t", err, sizeof err), 0);
    p->regions[0] = g;
    p->regions[0].table = 7;
    ck_assert_int_ne(verify_program(p, "t", err, sizeof err), 0);
    p->regions[0] = g;
    ck_assert_int_eq(verify_program(p, "t", err, sizeof err), 0);
    hm_pack_free(k);
}
END_TEST

Suite *hm_regions_suite(void)
{
    Suite *s = suite_create("regions");
    TCase *t = tcase_create("regions");
    tcase_add_test(t, test_region_levels_and_names);
    tcase_add_test(t, test_region_unknown_and_bad);
    tcase_add_test(t, test_roll_payments);
    tcase_add_test(t, test_no_roll_no_regions);
    tcase_add_test(t, test_verifier_refuses_bad_records);
    suite_add_tcase(s, t);
    return s;
}
