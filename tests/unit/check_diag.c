#include "suites.h"

START_TEST(test_placeholder_diag)
{
    ck_assert_int_eq(1, 1);
}
END_TEST

Suite *hm_diag_suite(void)
{
    Suite *s = suite_create("diag");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_placeholder_diag);
    suite_add_tcase(s, tc);
    return s;
}
