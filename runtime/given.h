/* given.h -- the facts of one household written by hand: a facts file in
 * the `given` notation of tests, or JSON ({"household": {…, "members":
 * [{…}]}} or {"person": {…}}), as `huimin run --given` and `huimin needs
 * --given` read them; and the as-of date of a command line. */
#ifndef HM_GIVEN_H
#define HM_GIVEN_H

#include <stddef.h>
#include <stdint.h>

#include "frontend.h"

/* The day `text` names (YYYY-MM-DD), or today (UTC) when text is NULL.
 * 0, or -1 when text is not a date. */
int given_as_of(const char *text, int32_t *day);

/* Build f (one household, row 0, and its members) from the JSON file
 * `json_path`, or when it is NULL from the `given` block of the facts file
 * added with hm_compiler_add_facts_file(); records sorted, freshness
 * limits applied as of `as_of`.  HM_OK; HM_ERR (bad facts: message in
 * err); HM_EIO (unreadable); HM_ENOMEM.  f is freed on failure. */
int given_facts(hm_compiler *c, sema *s, const hm_program *p, const char *json_path, int32_t as_of,
                hm_facts *f, int *nmembers, char *err, size_t errlen);

/* The same household as an hm_household (not dated: freshness is applied
 * when it is decided).  HM_OK, HM_ERR, HM_EIO, HM_ENOMEM. */
int given_household(hm_compiler *c, sema *s, const hm_program *p, const char *json_path, hm_household **out,
                    char *err, size_t errlen);

#endif
