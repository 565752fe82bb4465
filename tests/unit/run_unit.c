/* run_unit.c -- the one runner for every Check suite.  CK_RUN_SUITE and
 * CK_RUN_CASE select suites and cases; HM_TAP=FILE also writes TAP. */
#include "suites.h"

#include <stdlib.h>

int main(void)
{
    SRunner *sr = srunner_create(hm_lexer_suite());
    srunner_add_suite(sr, hm_srcfile_suite());
    srunner_add_suite(sr, hm_diag_suite());
    srunner_add_suite(sr, hm_frontend_suite());
    srunner_add_suite(sr, hm_engine_suite());
    srunner_add_suite(sr, hm_source_suite());
    srunner_add_suite(sr, hm_tables_suite());
    srunner_add_suite(sr, hm_runtime_suite());
    srunner_add_suite(sr, hm_results_suite());
    srunner_add_suite(sr, hm_regions_suite());
    srunner_add_suite(sr, hm_html_suite());
    const char *tap = getenv("HM_TAP");
    if (tap && *tap)
        srunner_set_tap(sr, tap);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
