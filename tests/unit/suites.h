/* suites.h -- every Check suite of the unit tests; run_unit.c runs them all. */
#ifndef HM_TEST_SUITES_H
#define HM_TEST_SUITES_H

#include <check.h>

Suite *hm_lexer_suite(void);
Suite *hm_srcfile_suite(void);
Suite *hm_diag_suite(void);
Suite *hm_frontend_suite(void);
Suite *hm_engine_suite(void);
Suite *hm_source_suite(void);
Suite *hm_tables_suite(void);
Suite *hm_runtime_suite(void);
Suite *hm_results_suite(void);
Suite *hm_regions_suite(void);
Suite *hm_html_suite(void);

#endif
