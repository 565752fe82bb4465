/* runone.c -- `huimin run --given`: evaluate one household described in a
 * facts file (the `given` notation of tests, or JSON) with the runtime API
 * (hm_evaluate) and print its result as a table or as hm_result_json()
 * prints it, so the command and the library cannot disagree. */
#include "fen.h"
#include "frontend.h"
#include "given.h"
#include "household.h"
#include "result.h"
#include "mem.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *status_word(int s)
{
    return s == HM_ELIGIBLE ? "eligible" : s == HM_NOT_ELIGIBLE ? "not eligible"
         : s == HM_NOT_APPLICABLE ? "not applicable" : "undetermined";
}

static void pad(FILE *out, const char *s, int width)
{
    fputs(s, out);
    for (int w = utf8_display_width(s, strlen(s)); w < width; w++)
        fputc(' ', out);
}

/* The result as a table or as JSON.  HM_OK, HM_ENOMEM. */
static int print_result(const hm_result *r, int format, FILE *out)
{
    if (format == HM_FORMAT_JSON) {
        char *text = hm_result_json(r);
        if (!text)
            return HM_ENOMEM;
        fprintf(out, "%s\n", text);
        hm_free(text);
        return HM_OK;
    }
    int nmembers = hm_result_member_count(r);
    fprintf(out, "as of %s, %d member%s\n\n", hm_result_as_of(r), nmembers, nmembers == 1 ? "" : "s");
    fprintf(out, "policy                    member  decision       amount       why\n");
    for (int i = 0; i < hm_result_count(r); i++) {
        char amount[32] = "", mem[32] = "-";
        if (hm_result_has_amount(r, i))
            fen_format(hm_result_amount(r, i), amount, sizeof amount);
        /* a claim: "1#2", the member's second claim */
        if (hm_result_claim(r, i) >= 0)
            snprintf(mem, sizeof mem, "%d#%d", hm_result_member(r, i) + 1, hm_result_claim(r, i) + 1);
        else if (hm_result_member(r, i) >= 0)
            snprintf(mem, sizeof mem, "%d", hm_result_member(r, i) + 1);
        const char *why = hm_result_reason(r, i);
        pad(out, hm_result_policy_name(r, i), 26);
        pad(out, mem, 8);
        pad(out, status_word(hm_result_status(r, i)), 15);
        pad(out, amount, 13);
        fprintf(out, "%s\n", why ? why : "");
    }
    return HM_OK;
}

int hm_compiler_evaluate(hm_compiler *c, const char *json_path, const char *as_of_text, int format,
                         FILE *out, char *err, size_t errlen)
{
    err[0] = '\0';
    hm_program *p;
    sema *s;
    int rc = compiler_program(c, &p, &s);
    if (rc != HM_OK)
        return rc;
    int32_t as_of;
    if (given_as_of(as_of_text, &as_of) != 0) {
        snprintf(err, errlen, "--as-of: `%s` is not a date (write YYYY-MM-DD)", as_of_text);
        return HM_EUSAGE;
    }
    hm_household *h;
    if ((rc = given_household(c, s, p, json_path, &h, err, errlen)) != HM_OK)
        return rc;
    hm_evaluator *e = evaluator_new(p);
    hm_result *r = NULL;
    rc = e ? evaluate_on(e, h, as_of, &r) : HM_ENOMEM;
    if (rc == HM_OK)
        rc = print_result(r, format, out);
    if (rc == HM_ENOMEM)
        snprintf(err, errlen, "out of memory");
    hm_result_free(r);
    hm_evaluator_free(e);
    hm_household_free(h);
    return rc;
}
