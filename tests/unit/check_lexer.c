#include "suites.h"

START_TEST(test_placeholder_lexer)
{
    ck_assert_int_eq(1, 1);
}
END_TEST

Suite *hm_lexer_suite(void)
{
    Suite *s = suite_create("lexer");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_placeholder_lexer);
    suite_add_tcase(s, tc);
    return s;
}
