/* runone.c -- `huimin run --given`: evaluate one household described in a
 * facts file (the `given` notation of tests, or JSON read with jansson)
 * and print every policy's decision as a table or as JSON. */
#include "frontend.h"
#include "given.h"
#include "calendar.h"
#include "vm.h"
#include "mem.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <time.h>

static void fmt_money(int64_t fen, char *buf, size_t n)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(buf, n, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", a / 100, a % 100);
}

static const char *status_word(int s)
{
    return s == DEC_ELIGIBLE ? "eligible" : s == DEC_NOT_ELIGIBLE ? "not eligible" : "undetermined";
}

static void pad(FILE *out, const char *s, int width)
{
    fputs(s, out);
    for (int w = utf8_display_width(s, strlen(s)); w < width; w++)
        fputc(' ', out);
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
    hm_facts f;
    int nmembers = 0;
    if ((rc = given_facts(c, s, p, json_path, as_of, &f, &nmembers, err, errlen)) != HM_OK)
        return rc;
    hm_vm *vm = vm_new(p);
    if (!vm || (vm_bind(vm, &f, as_of), vm_begin_household(vm, 0) < 0)) {
        vm_free(vm);
        facts_free(&f);
        return HM_ENOMEM;
    }
    char day[16];
    cal_format(as_of, day);
    json_t *jout = format == HM_FORMAT_JSON ? json_object() : NULL;
    json_t *jdec = format == HM_FORMAT_JSON ? json_array() : NULL;
    if (format == HM_FORMAT_JSON) {
        json_object_set_new(jout, "as_of", json_string(day));
        json_object_set_new(jout, "members", json_integer(nmembers));
    } else {
        fprintf(out, "as of %s, %d member%s\n\n", day, nmembers, nmembers == 1 ? "" : "s");
        fprintf(out, "policy                    member  decision       amount       why\n");
    }
    for (int32_t i = 0; i < p->npolicies; i++) {
        const hm_policy *P = &p->policies[i];
        int n = P->entity == ENT_PERSON ? nmembers : 1;
        for (int32_t m = 0; m < n; m++) {
            int32_t member = P->entity == ENT_PERSON ? m : -1;
            const hm_decision *d = vm_decide(vm, i, member);
            char amount[32] = "", why[600] = "";
            if (d->status == DEC_ELIGIBLE && d->has_amount)
                fmt_money(d->amount, amount, sizeof amount);
            if (d->status == DEC_NOT_ELIGIBLE && d->failed_cond >= 0)
                vm_fill_message(vm, i, member, prog_str(p, p->conds[d->failed_cond].msg), why, sizeof why);
            else if (d->status == DEC_NOT_ELIGIBLE && d->excluded_by >= 0)
                snprintf(why, sizeof why, "excluded by %s", prog_str(p, p->policies[d->excluded_by].name));
            else if (d->status == DEC_UNDETERMINED && d->error)
                snprintf(why, sizeof why, "%s", vm_error(vm));
            else if (d->status == DEC_UNDETERMINED) {
                char miss[500];
                facts_missing(p, &f, P, 0, member, miss, sizeof miss);
                snprintf(why, sizeof why, "missing: %s", miss[0] ? miss : "(a value the policy needs)");
            }
            if (d->settled) {
                /* decided although facts are missing: say which did not matter */
                char miss[400];
                size_t len = strlen(why);
                facts_missing(p, &f, P, 0, member, miss, sizeof miss);
                snprintf(why + len, sizeof why - len, "%swhatever the value of %s", len ? "; " : "", miss);
            }
            if (format == HM_FORMAT_JSON) {
                json_t *o = json_object();
                json_object_set_new(o, "policy", json_string(prog_str(p, P->name)));
                json_object_set_new(o, "label", json_string(prog_str(p, P->label)));
                json_object_set_new(o, "entity", json_string(P->entity == ENT_PERSON ? "person" : "household"));
                json_object_set_new(o, "member", member >= 0 ? json_integer(member + 1) : json_null());
                json_object_set_new(o, "status", json_string(d->status == DEC_ELIGIBLE ? "eligible"
                                                             : d->status == DEC_NOT_ELIGIBLE ? "not_eligible"
                                                                                              : "undetermined"));
                json_object_set_new(o, "amount", amount[0] ? json_string(amount) : json_null());
                json_object_set_new(o, "reason", why[0] ? json_string(why) : json_null());
                json_array_append_new(jdec, o);
            } else {
                char mem[16] = "-";
                if (member >= 0)
                    snprintf(mem, sizeof mem, "%d", member + 1);
                pad(out, prog_str(p, P->name), 26);
                pad(out, mem, 8);
                pad(out, status_word(d->status), 15);
                pad(out, amount, 13);
                fprintf(out, "%s\n", why);
            }
        }
    }
    if (format == HM_FORMAT_JSON) {
        json_object_set_new(jout, "decisions", jdec);
        char *text = json_dumps(jout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text) {
            fprintf(out, "%s\n", text);
            free(text);
        }
        json_decref(jout);
    }
    vm_free(vm);
    facts_free(&f);
    return HM_OK;
}
