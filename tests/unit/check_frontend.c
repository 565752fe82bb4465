#include "suites.h"

START_TEST(test_placeholder_frontend)
{
    ck_assert_int_eq(1, 1);
}
END_TEST

Suite *hm_frontend_suite(void)
{
    Suite *s = suite_create("frontend");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_placeholder_frontend);
    suite_add_tcase(s, tc);
    return s;
}
