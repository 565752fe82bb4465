/* check_runtime.c -- the runtime API on packs (huimin.h): households built
 * in memory, evaluation, results, and the refusals of bad arguments. */
#include "suites.h"

#include "huimin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char POL[] =
    "codes marital \"婚姻状况\" { single \"未婚\", married \"已婚\" }\n"
    "source 民政 \"民政\" {\n"
    "  household.assets : money fresh within 6 months \"家庭财产\"\n"
    "  person.deceased  : bool fresh within 31 days \"已死亡\"\n"
    "  person.marital   : code marital \"婚姻状况\"\n"
    "  person.bills     : records of money \"医疗费用\"\n"
    "}\n"
    "source 公安 \"公安\" {\n"
    "  person.deceased  : bool \"已死亡（户籍）\"\n"
    "  person.income    : money per month \"月收入\"\n"
    "}\n"
    "policy 补助 \"家庭补助\" for household {\n"
    "  eligible when household.assets <= 50000 \"家庭财产 {household.assets} 元不超过五万元\"\n"
    "  amount 100\n"
    "}\n"
    "policy alive \"在世补贴\" for person {\n"
    "  eligible when not person.deceased \"本人在世\"\n"
    "  amount person.income\n"
    "}\n";

static hm_pack *pack;

static void setup(void)
{
    hm_compiler *c = hm_compiler_new();
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(hm_compiler_add_source(c, "t.pol", POL, strlen(POL)), HM_OK);
    int rc = hm_compiler_pack(c, &pack);
    if (rc != HM_OK)
        hm_compiler_print_diagnostics(c, stderr);
    ck_assert_int_eq(rc, HM_OK);
    hm_compiler_free(c);
}

static void teardown(void)
{
    hm_pack_free(pack);
    pack = NULL;
}

static int F(const char *name)
{
    int f = hm_pack_fact(pack, name);
    ck_assert_msg(f >= 0, "no fact %s", name);
    return f;
}

/* the index of the decision of `policy` for member m (-1 household) */
static int find(const hm_result *r, const char *policy, int m)
{
    for (int i = 0; i < hm_result_count(r); i++)
        if (strcmp(hm_result_policy_name(r, i), policy) == 0 && hm_result_member(r, i) == m)
            return i;
    ck_abort_msg("no decision of %s for %d", policy, m);
    return -1;
}

START_TEST(test_pack_info)
{
    ck_assert_int_eq(hm_pack_policy_count(pack), 2);
    int alive = strcmp(hm_pack_policy_name(pack, 0), "alive") == 0 ? 0 : 1;
    ck_assert_str_eq(hm_pack_policy_label(pack, alive), "在世补贴");
    ck_assert_int_eq(hm_pack_policy_entity(pack, alive), HM_ENTITY_PERSON);
    ck_assert_int_eq(hm_pack_policy_entity(pack, 1 - alive), HM_ENTITY_HOUSEHOLD);
    ck_assert_int_eq(hm_pack_policy_period(pack, alive), HM_PERIOD_MONTH);
    ck_assert_int_eq(hm_pack_policy_has_amount(pack, alive), 1);
    ck_assert_ptr_null(hm_pack_policy_name(pack, 2));
    ck_assert_int_eq(hm_pack_fact(pack, "person.nothing"), -1);
    ck_assert_str_eq(hm_pack_fact_name(pack, F("person.income")), "person.income");
}
END_TEST

START_TEST(test_decisions_in_memory)
{
    char err[256];
    hm_household *h = hm_household_new(pack, "H1");
    int a, b;
    ck_assert_int_eq(hm_household_add_member(h, "110101199003070011", &a), HM_OK);
    ck_assert_int_eq(hm_household_add_member(h, NULL, &b), HM_OK);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(hm_household_member_count(h), 2);
    ck_assert_int_eq(hm_household_set(h, -1, F("household.assets"), "60000.50", "2024-07-01", "民政", err,
                                      sizeof err), HM_OK);
    ck_assert_int_eq(hm_household_set(h, a, F("person.deceased"), "false", "2024-07-20", "民政", err, sizeof err),
                     HM_OK);
    ck_assert_int_eq(hm_household_set(h, a, F("person.income"), "1500.50", NULL, NULL, err, sizeof err), HM_OK);
    ck_assert_int_eq(hm_household_set(h, a, F("person.marital"), "married", NULL, NULL, err, sizeof err), HM_OK);
    ck_assert_int_eq(hm_household_add_record(h, a, F("person.bills"), "2024-05-01", "10.00", err, sizeof err),
                     HM_OK);
    ck_assert_int_eq(hm_household_add_record(h, b, F("person.bills"), "2024-03-01", "5", err, sizeof err), HM_OK);
    ck_assert_int_eq(hm_household_add_record(h, a, F("person.bills"), "2024-02-01", "7.5", err, sizeof err), HM_OK);
    /* member b's deceased: from 民政 long ago, stale as of August */
    ck_assert_int_eq(hm_household_set(h, b, F("person.deceased"), "false", "2024-05-01", "民政", err, sizeof err),
                     HM_OK);

    hm_evaluator *e = hm_evaluator_new(pack);
    hm_result *r;
    ck_assert_int_eq(hm_evaluate(e, h, "2024-08-01", &r, err, sizeof err), HM_OK);
    ck_assert_str_eq(hm_result_as_of(r), "2024-08-01");
    ck_assert_int_eq(hm_result_count(r), 3);
    int i = find(r, "补助", -1);
    ck_assert_int_eq(hm_result_status(r, i), HM_NOT_ELIGIBLE);
    ck_assert_int_eq(hm_result_entity(r, i), HM_ENTITY_HOUSEHOLD);
    ck_assert_str_eq(hm_result_reason(r, i), "家庭财产 60000.50 元不超过五万元");
    i = find(r, "alive", 0);
    ck_assert_int_eq(hm_result_status(r, i), HM_ELIGIBLE);
    ck_assert_int_eq(hm_result_has_amount(r, i), 1);
    ck_assert_int_eq(hm_result_amount(r, i), 150050);
    ck_assert_int_eq(hm_result_period(r, i), HM_PERIOD_MONTH);
    ck_assert_str_eq(hm_result_member_id(r, i), "110101199003070011");
    ck_assert_ptr_null(hm_result_reason(r, i));
    i = find(r, "alive", 1);
    ck_assert_int_eq(hm_result_status(r, i), HM_UNDETERMINED);
    ck_assert_ptr_null(hm_result_member_id(r, i));
    ck_assert_int_eq(hm_result_missing_count(r, i), 2);
    ck_assert_str_eq(hm_result_missing_fact(r, i, 0), "person.deceased");
    ck_assert_int_eq(hm_result_missing_state(r, i, 0), HM_FACT_STALE);
    ck_assert_str_eq(hm_result_missing_fact(r, i, 1), "person.income");
    ck_assert_int_eq(hm_result_missing_state(r, i, 1), HM_FACT_MISSING);
    ck_assert_str_eq(hm_result_reason(r, i), "missing: person.deceased (stale), person.income");
    char *json = hm_result_json(r);
    ck_assert_ptr_nonnull(strstr(json, "\"member_id\": \"110101199003070011\""));
    ck_assert_ptr_nonnull(strstr(json, "\"amount\": \"1500.50\",\n      \"period\": \"month\""));
    hm_free(json);
    hm_result_free(r);

    /* the household is not changed: as of an earlier date, member b's
     * value is fresh again */
    ck_assert_int_eq(hm_evaluate(e, h, "2024-05-15", &r, err, sizeof err), HM_OK);
    i = find(r, "alive", 1);
    ck_assert_int_eq(hm_result_missing_count(r, i), 1);
    ck_assert_str_eq(hm_result_missing_fact(r, i, 0), "person.income");
    hm_result_free(r);
    hm_evaluator_free(e);
    hm_household_free(h);
}
END_TEST

START_TEST(test_refusals)
{
    char err[256];
    hm_household *h = hm_household_new(pack, NULL);
    int a;
    ck_assert_int_eq(hm_household_add_member(h, NULL, &a), HM_OK);
    /* a bad fact index */
    ck_assert_int_eq(hm_household_set(h, a, 999, "1", NULL, NULL, err, sizeof err), HM_EUSAGE);
    ck_assert_str_eq(err, "no fact 999 (the pack has 5)");
    ck_assert_int_eq(hm_household_set(h, a, -1, "1", NULL, NULL, err, sizeof err), HM_EUSAGE);
    /* a member out of range, and the wrong entity */
    ck_assert_int_eq(hm_household_set(h, 3, F("person.income"), "1", NULL, NULL, err, sizeof err), HM_EUSAGE);
    ck_assert_str_eq(err, "person.income: no member 3 (the household has 1)");
    ck_assert_int_eq(hm_household_set(h, -1, F("person.income"), "1", NULL, NULL, err, sizeof err), HM_EUSAGE);
    ck_assert_str_eq(err, "person.income is a fact of each member: give a member");
    ck_assert_int_eq(hm_household_set(h, 0, F("household.assets"), "1", NULL, NULL, err, sizeof err), HM_EUSAGE);
    ck_assert_str_eq(err, "household.assets is a fact of the household: give member -1");
    /* bad values */
    ck_assert_int_eq(hm_household_set(h, -1, F("household.assets"), "12.345", NULL, NULL, err, sizeof err),
                     HM_EUSAGE);
    ck_assert_str_eq(err, "household.assets: \"12.345\" is not a number with at most 2 decimal places");
    ck_assert_int_eq(hm_household_set(h, a, F("person.deceased"), "yes", NULL, NULL, err, sizeof err), HM_EUSAGE);
    ck_assert_str_eq(err, "person.deceased: \"yes\" is not true or false");
    ck_assert_int_eq(hm_household_set(h, a, F("person.marital"), "wed", NULL, NULL, err, sizeof err), HM_EUSAGE);
    ck_assert_str_eq(err, "person.marital: code set `marital` has no label `wed`");
    ck_assert_int_eq(hm_household_set(h, a, F("person.bills"), "1", NULL, NULL, err, sizeof err), HM_EUSAGE);
    ck_assert_int_eq(hm_household_add_record(h, a, F("person.income"), "2024-01-01", "1", err, sizeof err),
                     HM_EUSAGE);
    /* an unknown source, a bad as-of date, a bad record date */
    ck_assert_int_eq(hm_household_set(h, a, F("person.deceased"), "false", NULL, "卫健", err, sizeof err),
                     HM_EUSAGE);
    ck_assert_str_eq(err, "no source `卫健` declares person.deceased (its sources are 民政, 公安)");
    ck_assert_int_eq(hm_household_set(h, a, F("person.deceased"), "false", "2024-02-30", NULL, err, sizeof err),
                     HM_EUSAGE);
    ck_assert_str_eq(err, "person.deceased: as of \"2024-02-30\" is not a date written YYYY-MM-DD");
    ck_assert_int_eq(hm_household_add_record(h, a, F("person.bills"), "2024-1-1", "1", err, sizeof err),
                     HM_EUSAGE);
    ck_assert_int_eq(hm_household_set_records_known(h, -1, F("person.bills"), err, sizeof err), HM_EUSAGE);
    /* nothing refused was kept */
    hm_evaluator *e = hm_evaluator_new(pack);
    hm_result *r;
    ck_assert_int_eq(hm_evaluate(e, h, "2024-13-01", &r, err, sizeof err), HM_EUSAGE);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(err, "as of \"2024-13-01\" is not a date written YYYY-MM-DD");
    ck_assert_int_eq(hm_evaluate(e, h, "2024-08-01", &r, err, sizeof err), HM_OK);
    int i = find(r, "补助", -1);
    ck_assert_int_eq(hm_result_status(r, i), HM_UNDETERMINED);
    ck_assert_str_eq(hm_result_reason(r, i), "missing: household.assets");
    /* out-of-range indices into a result */
    ck_assert_int_eq(hm_result_status(r, 99), 0);
    ck_assert_ptr_null(hm_result_reason(r, -1));
    ck_assert_ptr_null(hm_result_missing_fact(r, i, 5));
    hm_result_free(r);
    hm_evaluator_free(e);
    hm_household_free(h);
}
END_TEST

START_TEST(test_from_json)
{
    char err[256];
    hm_household *h;
    const char *ok = "{\"household\": {\"assets\": \"100.00\", \"members\": [{\"deceased\": false}]}}";
    ck_assert_int_eq(hm_household_from_json(pack, ok, strlen(ok), "t.json", &h, err, sizeof err), HM_OK);
    ck_assert_int_eq(hm_household_member_count(h), 1);
    hm_household_free(h);
    const char *bad = "{\"household\": {\"asets\": 5}}";
    ck_assert_int_eq(hm_household_from_json(pack, bad, strlen(bad), "t.json", &h, err, sizeof err), HM_ERR);
    ck_assert_ptr_null(h);
    ck_assert_str_eq(err, "t.json: household has no fact `asets`");
    const char *broken = "{\"household\": ";
    ck_assert_int_eq(hm_household_from_json(pack, broken, strlen(broken), "t.json", &h, err, sizeof err), HM_ERR);
    ck_assert_ptr_nonnull(strstr(err, "t.json: line 1, column"));
    /* a household of another pack */
    hm_pack *other;
    hm_compiler *c = hm_compiler_new();
    ck_assert_int_eq(hm_compiler_add_source(c, "t.pol", POL, strlen(POL)), HM_OK);
    ck_assert_int_eq(hm_compiler_pack(c, &other), HM_OK);
    hm_compiler_free(c);
    hm_household *h2 = hm_household_new(other, NULL);
    hm_evaluator *e = hm_evaluator_new(pack);
    hm_result *r;
    ck_assert_int_eq(hm_evaluate(e, h2, NULL, &r, err, sizeof err), HM_EUSAGE);
    ck_assert_str_eq(err, "the household was made for another pack than the evaluator's");
    hm_evaluator_free(e);
    hm_household_free(h2);
    hm_pack_free(other);
}
END_TEST

/* the state of member 0's person.deceased for policy alive, or 0 (known) */
static int deceased_state(hm_household *h, int *status)
{
    char err[256];
    hm_evaluator *e = hm_evaluator_new(pack);
    hm_result *r;
    ck_assert_int_eq(hm_evaluate(e, h, "2024-08-01", &r, err, sizeof err), HM_OK);
    int i = find(r, "alive", 0), st = 0;
    *status = hm_result_status(r, i);
    for (int j = 0; j < hm_result_missing_count(r, i); j++)
        if (strcmp(hm_result_missing_fact(r, i, j), "person.deceased") == 0)
            st = hm_result_missing_state(r, i, j);
    hm_result_free(r);
    hm_evaluator_free(e);
    return st;
}

START_TEST(test_several_sources)
{
    char err[256];
    int f = F("person.deceased"), status;
    struct {
        const char *civil, *civil_as_of, *police;   /* "!" unusable, NULL not given */
        int state, status;
    } cases[] = {
        { "false", "2024-07-20", "true", HM_FACT_CONFLICT, HM_UNDETERMINED },
        { "false", "2024-07-20", "false", 0, HM_ELIGIBLE },
        { "false", "2024-01-01", "true", 0, HM_NOT_ELIGIBLE },       /* 民政's is stale */
        { "!", NULL, "false", 0, HM_ELIGIBLE },
        { "!", NULL, NULL, HM_FACT_INVALID, HM_UNDETERMINED },
        { "false", "2024-01-01", NULL, HM_FACT_STALE, HM_UNDETERMINED },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        hm_household *h = hm_household_new(pack, NULL);
        int a;
        ck_assert_int_eq(hm_household_add_member(h, NULL, &a), HM_OK);
        ck_assert_int_eq(hm_household_set(h, a, F("person.income"), "1", NULL, NULL, err, sizeof err), HM_OK);
        if (strcmp(cases[k].civil, "!") == 0)
            ck_assert_int_eq(hm_household_set_invalid(h, a, f, NULL, "民政", err, sizeof err), HM_OK);
        else
            ck_assert_int_eq(hm_household_set(h, a, f, cases[k].civil, cases[k].civil_as_of, "民政", err, sizeof err),
                             HM_OK);
        if (cases[k].police)
            ck_assert_int_eq(hm_household_set(h, a, f, cases[k].police, NULL, "公安", err, sizeof err), HM_OK);
        ck_assert_msg(deceased_state(h, &status) == cases[k].state, "case %zu: state", k);
        ck_assert_msg(status == cases[k].status, "case %zu: status %d", k, status);
        hm_household_free(h);
    }
    /* the same source again replaces its value */
    hm_household *h = hm_household_new(pack, NULL);
    int a;
    hm_household_add_member(h, NULL, &a);
    hm_household_set(h, a, F("person.income"), "1", NULL, NULL, err, sizeof err);
    hm_household_set(h, a, f, "true", NULL, "公安", err, sizeof err);
    hm_household_set(h, a, f, "false", NULL, "公安", err, sizeof err);
    ck_assert_int_eq(deceased_state(h, &status), 0);
    ck_assert_int_eq(status, HM_ELIGIBLE);
    hm_household_free(h);
}
END_TEST

START_TEST(test_code_labels)
{
    /* a source with no map of the code set uses the label names */
    ck_assert_str_eq(hm_pack_code_label(pack, F("person.marital"), "民政", "married"), "married");
    ck_assert_ptr_null(hm_pack_code_label(pack, F("person.marital"), "民政", "wed"));
    ck_assert_ptr_null(hm_pack_code_label(pack, F("person.income"), "公安", "1"));
    ck_assert_ptr_null(hm_pack_code_label(pack, 999, "民政", "married"));
}
END_TEST

/* reference table rows given with a household (hm_household_add_ref_row) */
static const char REFPOL[] =
    "source 民政 \"民政\" {\n"
    "  table region \"行政区划\" by text, dated {\n"
    "    name : text \"名称\"\n"
    "    line : money per month \"低保标准\"\n"
    "  }\n"
    "  household.region : region \"户籍地\"\n"
    "}\n"
    "policy 低保 \"低保\" for household {\n"
    "  eligible when household.region.line > 0 and household.region.name == \"西湖区\" \"有标准\"\n"
    "  amount household.region.line\n"
    "}\n";

static int ref_decide(hm_pack *k, hm_household *h, const char *as_of, int64_t *amount)
{
    char err[256];
    hm_evaluator *e = hm_evaluator_new(k);
    hm_result *r;
    ck_assert_int_eq(hm_evaluate(e, h, as_of, &r, err, sizeof err), HM_OK);
    int st = hm_result_status(r, 0);
    *amount = hm_result_has_amount(r, 0) ? hm_result_amount(r, 0) : -1;
    hm_result_free(r);
    hm_evaluator_free(e);
    return st;
}

START_TEST(test_ref_rows)
{
    hm_compiler *c = hm_compiler_new();
    hm_pack *k;
    ck_assert_int_eq(hm_compiler_add_source(c, "r.pol", REFPOL, strlen(REFPOL)), HM_OK);
    ck_assert_int_eq(hm_compiler_pack(c, &k), HM_OK);
    hm_compiler_free(c);
    char err[256];
    const char *attrs[] = { "name", "line" };
    const char *later[] = { "西湖区", "1245" }, *earlier[] = { "西湖区", "1160" }, *other[] = { "海曙区", "1220" };
    hm_household *h = hm_household_new(k, "H1");
    ck_assert_int_eq(hm_household_set(h, -1, hm_pack_fact(k, "household.region"), "330106", NULL, NULL, err,
                                      sizeof err), HM_OK);
    /* given out of order: the row in force at the date is read */
    ck_assert_int_eq(hm_household_add_ref_row(h, "region", "330106", "2024-07-01", attrs, later, 2, err, sizeof err),
                     HM_OK);
    ck_assert_int_eq(hm_household_add_ref_row(h, "region", "330203", "2024-07-01", attrs, other, 2, err, sizeof err),
                     HM_OK);
    ck_assert_int_eq(hm_household_add_ref_row(h, "region", "330106", "2023-07-01", attrs, earlier, 2, err,
                                              sizeof err), HM_OK);
    int64_t amt;
    ck_assert_int_eq(ref_decide(k, h, "2024-08-01", &amt), HM_ELIGIBLE);
    ck_assert_int_eq(amt, 124500);
    ck_assert_int_eq(ref_decide(k, h, "2024-06-30", &amt), HM_ELIGIBLE);
    ck_assert_int_eq(amt, 116000);
    /* no row in force yet: unknown, not 0 */
    ck_assert_int_eq(ref_decide(k, h, "2023-06-30", &amt), HM_UNDETERMINED);
    /* the refusals */
    ck_assert_int_eq(hm_household_add_ref_row(h, "regions", "1", "2024-07-01", attrs, later, 2, err, sizeof err),
                     HM_EUSAGE);
    ck_assert_str_eq(err, "the pack has no reference table `regions`");
    ck_assert_int_eq(hm_household_add_ref_row(h, "region", "1", NULL, attrs, later, 2, err, sizeof err), HM_EUSAGE);
    const char *bad_attr[] = { "nom" }, *bad_line[] = { "西湖区", "12.345" };
    ck_assert_int_eq(hm_household_add_ref_row(h, "region", "1", "2024-07-01", bad_attr, later, 1, err, sizeof err),
                     HM_EUSAGE);
    ck_assert_str_eq(err, "table `region` has no attribute `nom`");
    ck_assert_int_eq(hm_household_add_ref_row(h, "region", "1", "2024-07-01", attrs, bad_line, 2, err, sizeof err),
                     HM_EUSAGE);
    ck_assert_int_eq(hm_household_add_ref_row(h, "region", "330106", "2024-07-01", attrs, later, 2, err, sizeof err),
                     HM_EUSAGE);
    ck_assert_str_eq(err, "table `region` has two rows for \"330106\" from 2024-07-01");
    ck_assert_int_eq(ref_decide(k, h, "2024-08-01", &amt), HM_ELIGIBLE);
    ck_assert_int_eq(amt, 124500);
    hm_household_free(h);
    /* a key with no row: unknown */
    h = hm_household_new(k, "H2");
    hm_household_set(h, -1, hm_pack_fact(k, "household.region"), "339999", NULL, NULL, err, sizeof err);
    ck_assert_int_eq(hm_household_add_ref_row(h, "region", "330106", "2024-07-01", attrs, later, 2, err, sizeof err),
                     HM_OK);
    ck_assert_int_eq(ref_decide(k, h, "2024-08-01", &amt), HM_UNDETERMINED);
    hm_household_free(h);
    hm_pack_free(k);
}
END_TEST

Suite *hm_runtime_suite(void)
{
    Suite *s = suite_create("runtime");
    TCase *t = tcase_create("api");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_pack_info);
    tcase_add_test(t, test_decisions_in_memory);
    tcase_add_test(t, test_refusals);
    tcase_add_test(t, test_from_json);
    tcase_add_test(t, test_several_sources);
    tcase_add_test(t, test_code_labels);
    tcase_add_test(t, test_ref_rows);
    suite_add_tcase(s, t);
    return s;
}
