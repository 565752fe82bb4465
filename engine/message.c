/* message.c -- filling a condition's message template with the values the
 * decision used: "家庭人均月收入 {per_cap} 元" becomes "家庭人均月收入 1630.00 元".
 * Names are looked up as the checker resolved them: a let of the policy,
 * a parameter, a fact path household.NAME / person.NAME, or as_of. */
#include "vm.h"
#include "calendar.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* the display text of label `index` of code set `cs` */
static const char *label_text(const hm_program *p, int32_t cs, int64_t index)
{
    if (cs < 0 || cs >= p->ncodesets || index < 0 || index >= p->codesets[cs].nlabels)
        return NULL;
    return prog_str(p, p->labels[p->codesets[cs].first_label + 2 * index + 1]);
}

char *vm_format_value(const hm_vm *vm, hm_val v, int vtype, int32_t cs, char *buf, size_t n)
{
    if (v.unk) {
        snprintf(buf, n, "?");
        return buf;
    }
    switch (vtype) {
    case VT_MONEY: {
        uint64_t a = v.v < 0 ? (uint64_t)0 - (uint64_t)v.v : (uint64_t)v.v;
        snprintf(buf, n, "%s%" PRIu64 ".%02" PRIu64, v.v < 0 ? "-" : "", a / 100, a % 100);
        return buf;
    }
    case VT_DECIMAL: {
        uint64_t a = v.v < 0 ? (uint64_t)0 - (uint64_t)v.v : (uint64_t)v.v;
        char frac[8];
        snprintf(frac, sizeof frac, "%06" PRIu64, a % 1000000);
        for (int k = 5; k >= 0 && frac[k] == '0'; k--)
            frac[k] = '\0';
        snprintf(buf, n, "%s%" PRIu64 "%s%s", v.v < 0 ? "-" : "", a / 1000000, frac[0] ? "." : "", frac);
        return buf;
    }
    case VT_DATE:
        if (n >= 16)
            cal_format((int32_t)v.v, buf);
        return buf;
    case VT_BOOL:
        snprintf(buf, n, "%s", v.v ? "true" : "false");
        return buf;
    case VT_TEXT:
        snprintf(buf, n, "%s", vm_text(vm, v.v));
        return buf;
    case VT_PERSON:
        snprintf(buf, n, "member %" PRId64, v.v + 1);
        return buf;
    case VT_CODE: {
        const char *lt = label_text(vm_program(vm), cs, v.v);
        if (lt)
            snprintf(buf, n, "%s", lt);
        else
            snprintf(buf, n, "%" PRId64, v.v);
        return buf;
    }
    default:
        snprintf(buf, n, "%" PRId64, v.v);
        return buf;
    }
}

char *vm_fill_message(hm_vm *vm, int32_t policy, int32_t member, const char *tmpl, char *out, size_t n)
{
    const hm_program *p = vm_program(vm);
    size_t len = 0;
    if (!n)
        return out;
    out[0] = '\0';
    for (const char *s = tmpl; *s && len + 1 < n;) {
        if (s[0] == '\\' && s[1] == '{') {
            out[len++] = '{';
            s += 2;
            continue;
        }
        const char *end = s[0] == '{' ? strchr(s, '}') : NULL;
        if (!end) {
            out[len++] = *s++;
            continue;
        }
        char name[256];
        size_t nl = (size_t)(end - s - 1);
        if (nl >= sizeof name)
            nl = sizeof name - 1;
        memcpy(name, s + 1, nl);
        name[nl] = '\0';
        char val[256] = "";
        int done = 0;
        const char *dot = strchr(name, '.');
        if (strcmp(name, "as_of") == 0) {
            /* a keyword, never a let's or a parameter's name */
            vm_format_value(vm, (hm_val){ vm_as_of(vm), 0, 0 }, VT_DATE, -1, val, sizeof val);
            done = 1;
        } else if (!dot) {
            for (int32_t i = 0; i < p->nlets && !done; i++)
                if (p->lets[i].policy == policy && strcmp(prog_str(p, p->lets[i].name), name) == 0) {
                    vm_format_value(vm, vm_value_of_let(vm, i, member), p->lets[i].vtype, -1, val, sizeof val);
                    done = 1;
                }
            for (int32_t i = 0; i < p->nparams && !done; i++)
                if (strcmp(prog_str(p, p->params[i].name), name) == 0) {
                    vm_format_value(vm, vm_value_of_param(vm, i, member), p->params[i].vtype, -1, val, sizeof val);
                    done = 1;
                }
        } else {
            for (int32_t i = 0; i < p->nfields && !done; i++)
                if (strcmp(prog_str(p, p->fields[i].name), name) == 0) {
                    const hm_field *fd = &p->fields[i];
                    vm_format_value(vm, vm_value_of_fact(vm, i, member), fd->vtype, fd->codeset, val, sizeof val);
                    done = 1;
                }
        }
        if (!done) {
            /* not a name the engine can show: keep the text as written */
            out[len++] = *s++;
            continue;
        }
        size_t vl = strlen(val);
        if (len + vl >= n)
            vl = n - 1 - len;
        memcpy(out + len, val, vl);
        len += vl;
        s = end + 1;
    }
    out[len] = '\0';
    return out;
}
