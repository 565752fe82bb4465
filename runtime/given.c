/* given.c -- see given.h.  JSON is read by the runtime's reader
 * (runtime/facts_json.c), against the program alone. */
#include "given.h"
#include "calendar.h"
#include "household.h"
#include "frontend.h"
#include "mem.h"

#include <string.h>
#include <time.h>

int given_as_of(const char *text, int32_t *day)
{
    if (!text) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        *day = cal_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        return 0;
    }
    int64_t d;
    if (sema_parse_date(text, &d) != 0)
        return -1;
    *day = (int32_t)d;
    return 0;
}

int given_facts(hm_compiler *c, sema *s, const hm_program *p, const char *json_path, int32_t as_of,
                hm_facts *f, int *nmembers, char *err, size_t errlen)
{
    err[0] = '\0';
    memset(f, 0, sizeof *f);
    *nmembers = 0;
    if (json_path) {
        hm_household *h;
        int jr = household_from_json_file(p, json_path, &h, err, errlen);
        if (jr != 0)
            return jr == -2 ? HM_EIO : jr == -3 ? HM_ENOMEM : HM_ERR;
        int32_t n = h->nmembers;
        if (facts_init(f, p, 1, n) < 0 || household_fill(h, f, n, as_of) < 0) {
            f->texts = NULL;
            f->ntexts = 0;
            facts_free(f);
            hm_household_free(h);
            snprintf(err, errlen, "out of memory");
            return HM_ENOMEM;
        }
        household_take_texts(h, f);     /* records sorted, freshness applied */
        hm_household_free(h);
        *nmembers = n;
        /* the reference tables' rows the pack gives (a facts JSON gives none) */
        int rr = p->nrefreads ? testrun_load_pack_rows(s, p, f, -1) : 0;
        if (rr == 0 && p->nrefreads)
            rr = facts_apply_refs(f, p, as_of, err, errlen);
        if (rr < 0) {
            facts_free(f);
            if (rr == -1)
                snprintf(err, errlen, "out of memory");
            return rr == -1 ? HM_ENOMEM : HM_ERR;
        }
    } else {
        ast *given = compiler_given(c);
        if (!given) {
            snprintf(err, errlen, "the facts file has no `given household { … }` or `given person { … }`");
            return HM_ERR;
        }
        if (testrun_build_facts(s, p, given, f, nmembers) < 0 ||
            testrun_load_table_rows(s, p, f, compiler_facts_root(c), NULL) < 0 ||
            testrun_load_pack_rows(s, p, f, -1) < 0) {
            facts_free(f);
            return HM_ENOMEM;
        }
        facts_sort_records(f);
        facts_apply_freshness(f, p, as_of);
        if (facts_apply_defaults(f, p, NULL) < 0 || facts_apply_refs(f, p, as_of, err, errlen) == -1) {
            facts_free(f);
            return HM_ENOMEM;
        }
    }
    return HM_OK;
}

int given_household(hm_compiler *c, sema *s, const hm_program *p, const char *json_path, hm_household **out,
                    char *err, size_t errlen)
{
    err[0] = '\0';
    *out = NULL;
    if (json_path) {
        int jr = household_from_json_file(p, json_path, out, err, errlen);
        if (jr != 0)
            return jr == -2 ? HM_EIO : jr == -3 ? HM_ENOMEM : HM_ERR;
        /* the reference tables' rows the pack gives (a facts JSON gives none) */
        if (p->nrefreads && testrun_load_pack_rows(s, p, &(*out)->tx, -1) < 0) {
            hm_household_free(*out);
            *out = NULL;
            snprintf(err, errlen, "out of memory");
            return HM_ENOMEM;
        }
        return HM_OK;
    }
    ast *given = compiler_given(c);
    if (!given) {
        snprintf(err, errlen, "the facts file has no `given household { … }` or `given person { … }`");
        return HM_ERR;
    }
    hm_facts f;
    int nmembers = 0;
    memset(&f, 0, sizeof f);
    int rc = testrun_build_facts(s, p, given, &f, &nmembers) < 0 ? HM_ENOMEM : HM_OK;
    if (rc == HM_OK && !(*out = household_from_facts(p, &f)))
        rc = HM_ENOMEM;
    /* the facts file's table rows, then the pack's for the tables it does not give */
    if (rc == HM_OK && p->nrefreads &&
        (testrun_load_table_rows(s, p, &(*out)->tx, compiler_facts_root(c), NULL) < 0 ||
         testrun_load_pack_rows(s, p, &(*out)->tx, -1) < 0)) {
        hm_household_free(*out);
        *out = NULL;
        rc = HM_ENOMEM;
    }
    facts_free(&f);
    if (rc != HM_OK)
        snprintf(err, errlen, "out of memory");
    return rc;
}

int hm_household_add_given_tables(hm_household *h, hm_compiler *c, char *err, size_t errlen)
{
    if (!h || !c) {
        snprintf(err, errlen, "hm_household_add_given_tables: no %s", !h ? "household" : "compiler");
        return HM_EUSAGE;
    }
    sema *s;
    int rc = compiler_given_program(c, h->p, &s, err, errlen);
    if (rc != HM_OK)
        return rc;
    if (h->p->nrefreads && testrun_load_pack_rows(s, h->p, &h->tx, -1) < 0) {
        snprintf(err, errlen, "out of memory");
        return HM_ENOMEM;
    }
    return HM_OK;
}
