/* testrun.c -- running the drafters' `test` blocks.
 *
 * Each test builds a fact store of one household from its `given` block,
 * evaluates the policies it names with the VM as of the test's date, and
 * compares decisions and amounts exactly.  Coverage (optional) records,
 * for every condition, whether some test saw it true and some saw it
 * false. */
#include "frontend.h"
#include "facts.h"
#include "vm.h"
#include "calendar.h"
#include "mem.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

static void fmt_money(int64_t fen, char *buf, size_t n)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(buf, n, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", a / 100, a % 100);
}

static const char *status_word(int s)
{
    return s == DEC_ELIGIBLE ? "eligible" : s == DEC_NOT_ELIGIBLE ? "not eligible"
         : s == DEC_NOT_APPLICABLE ? "not applicable" : "undetermined";
}

/* The value of a `given` literal as the VM stores it: as the checker reads
 * literals, with a member's number counted from 0 and text interned. */
static int given_value(sema *s, hm_facts *f, ast *v, const hm_type *t, int64_t *out)
{
    if (t->kind == T_PERSON && v->kind == N_INT) {
        if (sema_literal_int(s, v, out) != 0)
            return -1;
        *out -= 1;
        return 0;
    }
    const char *text;
    if (sema_literal_value(s, v, t, out, &text) != 0) {
        if (v->kind != N_NAME || t->kind == T_CODE)
            return -1;
        *out = 0;     /* a name where no code is read: checked already, holds nothing */
        return 0;
    }
    if (text && (*out = facts_text(f, text)) == INT64_MIN)
        return -2;
    return 0;
}

/* A list of records with fields: a row in the list's column and one value
 * in each field's, missing (FACT_NO_DATE) where the record leaves it out. */
static int load_rows(sema *s, const hm_program *p, hm_facts *f, ast *init, int32_t list, int32_t index)
{
    int32_t end = list + 1;
    while (end < p->nfields && p->fields[end].records == FIELD_ROWFIELD)
        end++;
    for (int32_t k = list; k < end; k++)
        facts_records_known(f, p->fields[k].column, index);
    for (ast *o = init->a->kind == N_LISTLIT ? init->a->a : NULL; o; o = o->next) {
        if (facts_add_record(f, p->fields[list].column, index, 0, 0) < 0)
            return -1;
        for (int32_t k = list + 1; k < end; k++) {
            int32_t day = FACT_NO_DATE;
            int64_t v = 0;
            for (ast *i = o->a; i; i = i->next) {
                sym *col = i->sym;
                if (!col || col->id != k)
                    continue;
                int rc = given_value(s, f, i->a, col->type, &v);
                if (rc == -2)
                    return -1;
                if (rc == 0)
                    day = 0;
            }
            if (facts_add_record(f, p->fields[k].column, index, day, v) < 0)
                return -1;
        }
    }
    return 0;
}

/* Values dated after `until` (a test's as-of date) did not hold yet: they
 * are left out (the checker warns of them).  Records are not: a window may
 * reach past the as-of date. */
static int load_obj(sema *s, const hm_program *p, hm_facts *f, ast *obj, int entity, int32_t index, int32_t until)
{
    for (ast *i = obj->a; i; i = i->next) {
        sym *fact = i->sym;
        if (!fact || fact->kind != SYM_FACT)
            continue;
        const hm_field *fd = &p->fields[fact->id];
        const hm_type *t = fact->type;
        if (fd->records == FIELD_ROWS) {
            if (load_rows(s, p, f, i, fact->id, index) < 0)
                return -1;
            continue;
        }
        if (fd->records) {
            facts_records_known(f, fd->column, index);
            for (ast *r = i->a->a; r && i->a->kind == N_RECLIT; r = r->next) {
                int64_t day = 0, val = 0;
                sema_parse_date(r->a->str, &day);
                int rc = given_value(s, f, r->b, t->elem, &val);
                if (rc == -2 || facts_add_record(f, fd->column, index, (int32_t)day, val) < 0)
                    return -1;
            }
            continue;
        }
        int64_t v, day = 0;
        if (i->b && sema_parse_date(i->b->str, &day) == 0 && day > until)
            continue;
        int rc = given_value(s, f, i->a, t, &v);
        if (rc == -2)
            return -1;
        if (rc < 0)
            continue;
        hm_column *c = entity == ENT_HOUSEHOLD ? &f->hcol[fd->column] : &f->pcol[fd->column];
        c->v[index] = v;
        c->state[index] = FACT_KNOWN;
        if (i->b && sema_parse_date(i->b->str, &day) == 0)
            c->asof[index] = (int32_t)day;
        /* `from SOURCE`: that source's freshness limit applies */
        int nth = i->c ? facts_source_index(p, fact->id, i->c->str) : -1;
        if (facts_set_source(c, entity == ENT_HOUSEHOLD ? f->nhouse : f->nperson, index, nth) < 0)
            return -1;
    }
    return 0;
}

static int build_facts(sema *s, const hm_program *p, ast *given, hm_facts *f, int *nmembers, int32_t until);

/* Build the household of a test.  0, or -1 out of memory. */
int testrun_build_facts(sema *s, const hm_program *p, ast *given, hm_facts *f, int *nmembers)
{
    return build_facts(s, p, given, f, nmembers, INT32_MAX);
}

/* The rows of reference tables a test gives (its TEST node's d), or a
 * facts file (its declarations). */
int testrun_load_table_rows(sema *s, const hm_program *p, hm_facts *f, ast *rows, const uint8_t *skip)
{
    for (ast *r = rows; r; r = r->next) {
        if (r->kind != N_TROW)
            continue;
        sym *rt = r->sym;
        if (!rt || rt->id < 0 || rt->id >= p->nreftabs || (skip && skip[rt->id]))
            continue;
        if (facts_ref_given(f, p, rt->id) < 0)
            return -1;
        if (r->flag == 1)
            continue;
        int32_t na = p->reftabs[rt->id].n;
        int64_t *v = mem_calloc((size_t)na + 1, sizeof *v);
        uint8_t *known = mem_calloc((size_t)na + 1, 1);
        if (!v || !known) {
            mem_free(v);
            mem_free(known);
            return -1;
        }
        for (ast *i = r->a->a; i; i = i->next) {
            ast *attr = i->sym;
            if (!attr || attr->ival < 0 || attr->ival >= na || !attr->ty)
                continue;
            int64_t x = 0;
            const char *text = NULL;
            if (sema_literal_value(s, i->a, (const hm_type *)attr->ty, &x, &text) != 0)
                continue;
            if (text && (x = facts_text(f, text)) == INT64_MIN)
                return -1;
            v[attr->ival] = x;
            known[attr->ival] = 1;
        }
        int64_t day = INT32_MIN;
        if (r->b)
            sema_parse_date(r->b->str, &day);
        int rc = facts_ref_row(f, p, rt->id, r->str, (int32_t)day, v, known, 0);
        mem_free(v);
        mem_free(known);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int testrun_load_pack_rows(sema *s, const hm_program *p, hm_facts *f, int except_module)
{
    if (!p->nreftabs)
        return 0;
    /* the tables given already (by the test, or the facts file) keep their rows */
    uint8_t *given = mem_calloc((size_t)p->nreftabs, 1);
    if (!given)
        return -1;
    for (int32_t t = 0; f->refs && t < f->nrefs; t++)
        given[t] = (uint8_t)f->refs[t].given;
    int rc = 0;
    for (int i = 0; i < s->nmods && !rc; i++)
        if (s->mods[i]->index != except_module)
            rc = testrun_load_table_rows(s, p, f, s->mods[i]->root, given);
    mem_free(given);
    return rc;
}

static int build_facts(sema *s, const hm_program *p, ast *given, hm_facts *f, int *nmembers, int32_t until)
{
    ast *members = NULL;
    int n = 0;
    if (given && given->ival == ENT_HOUSEHOLD) {
        for (ast *i = given->a->a; i; i = i->next)
            if (strcmp(i->str, "members") == 0)
                members = i->a->a;
        n = ast_count(members);
    } else if (given) {
        n = 1;
    }
    if (facts_init(f, p, 1, n) < 0)
        return -1;
    f->hh_first[0] = 0;
    f->hh_count[0] = n;
    f->max_members = n;
    *nmembers = n;
    if (!given)
        return 0;
    if (given->ival == ENT_PERSON)
        return load_obj(s, p, f, given->a, ENT_PERSON, 0, until);
    if (load_obj(s, p, f, given->a, ENT_HOUSEHOLD, 0, until) < 0)
        return -1;
    int32_t k = 0;
    for (ast *m = members; m; m = m->next, k++)
        if (load_obj(s, p, f, m, ENT_PERSON, k, until) < 0)
            return -1;
    return 0;
}

/* Why decision d is what it is, appended to buf: each part in parentheses
 * for text, or the parts joined by "; " for JSON. */
static void why(hm_vm *vm, const hm_program *p, int32_t pol, int32_t member, const hm_decision *d,
                char *buf, size_t n, const char *err, int text)
{
    size_t len = strlen(buf);
    int parts = 0;
#define PART(...)                                                                              \
    do {                                                                                       \
        if (len < n)                                                                           \
            len += (size_t)snprintf(buf + len, n - len, "%s", text ? " (" : parts ? "; " : ""); \
        if (len < n)                                                                           \
            len += (size_t)snprintf(buf + len, n - len, __VA_ARGS__);                          \
        if (text && len < n)                                                                   \
            len += (size_t)snprintf(buf + len, n - len, ")");                                  \
        parts++;                                                                               \
    } while (0)
    if (d->status == DEC_NOT_ELIGIBLE && d->failed_cond >= 0) {
        const hm_condnode *c = &p->conds[d->failed_cond];
        char msg[512];
        vm_fill_message(vm, pol, member, prog_str(p, c->msg_else >= 0 ? c->msg_else : c->msg), msg, sizeof msg);
        PART("failed at line %d: \"%s\"", c->line, msg);
    }
    if (d->status == DEC_NOT_ELIGIBLE && d->excluded_by >= 0)
        PART("excluded by %s", prog_str(p, p->policies[d->excluded_by].name));
    if (d->settled)
        PART("whatever the value of %d fact%s not known", d->settled, d->settled == 1 ? "" : "s");
    if (d->status == DEC_UNDETERMINED && d->error && err && *err)
        PART("%s", err);
#undef PART
}

static void describe(hm_vm *vm, const hm_program *p, int32_t pol, int32_t member, const hm_decision *d,
                     char *buf, size_t n, const char *err)
{
    size_t len = (size_t)snprintf(buf, n, "%s", status_word(d->status));
    if (d->status == DEC_ELIGIBLE && d->has_amount && len < n) {
        char m[32];
        fmt_money(d->amount, m, sizeof m);
        snprintf(buf + len, n - len, ", amount %s", m);
    }
    why(vm, p, pol, member, d, buf, n, err, 1);
}

/* What --format json collects (HM_TEST_JSON); tests NULL for text. */
typedef struct {
    json_t *tests, *coverage;
    int oom;
} jout;

static const char *status_key(int s)
{
    return s == DEC_ELIGIBLE ? "eligible" : s == DEC_NOT_ELIGIBLE ? "not_eligible"
         : s == DEC_NOT_APPLICABLE ? "not_applicable" : "undetermined";
}

static json_t *json_money(int has, int64_t fen)
{
    char m[32];
    fmt_money(fen, m, sizeof m);
    return has ? json_string(m) : json_null();
}

/* {"name", "file", "line", "passed", "differences": []} of a test */
static json_t *json_test(jout *j, const char *file, int line, const char *name)
{
    json_t *o = json_object();
    if (!o || json_object_set_new(o, "name", diag_json_text(name)) ||
        json_object_set_new(o, "file", diag_json_text(file)) || json_object_set_new(o, "line", json_integer(line)) ||
        json_object_set_new(o, "passed", json_true()) || json_object_set_new(o, "differences", json_array())) {
        json_decref(o);
        j->oom = 1;
        return NULL;
    }
    return o;
}

/* one expectation that failed, into the test's "differences" */
static void json_diff(jout *j, json_t *test, int line, const char *policy, int32_t member, int want_status,
                      int want_amount, int64_t want_fen, hm_vm *vm, const hm_program *p, int32_t pol,
                      const hm_decision *d, const char *err)
{
    char reason[768] = "";
    why(vm, p, pol, member, d, reason, sizeof reason, err, 0);
    json_t *want = json_pack("{s:s, s:o}", "status", status_key(want_status), "amount",
                             json_money(want_amount, want_fen));
    json_t *got = json_pack("{s:s, s:o, s:o}", "status", status_key(d->status), "amount",
                            json_money(d->status == DEC_ELIGIBLE && d->has_amount, d->amount), "reason",
                            *reason ? diag_json_text(reason) : json_null());
    json_t *o = json_pack("{s:i, s:o, s:o, s:o, s:o}", "line", line, "policy", diag_json_text(policy),
                          "member", member >= 0 ? json_integer(member + 1) : json_null(), "expected", want,
                          "actual", got);
    json_t *list = test ? json_object_get(test, "differences") : NULL;
    if (!o || !list || json_array_append_new(list, o))
        j->oom = 1;
    if (test)
        json_object_set_new(test, "passed", json_false());
}

/* The tests chosen by --run: does `name` match pattern `pat`?  `*` any
 * text, `?` one UTF-8 character; without either, `pat` anywhere in name.
 * Iterative, with one point to come back to after a `*`: linear time. */
static int glob_match(const char *pat, const char *name)
{
    if (!strpbrk(pat, "*?"))
        return strstr(name, pat) != NULL;
    const char *star = NULL, *back = NULL;
    for (;;) {
        if (*pat == '*') {
            star = ++pat;
            back = name;
        } else if (*name && *pat == '?') {
            pat++;
            do name++; while (((unsigned char)*name & 0xc0) == 0x80);
        } else if (*name && *pat == *name) {
            pat++;
            name++;
        } else if (!*name && !*pat) {
            return 1;
        } else if (star && *back) {
            do back++; while (((unsigned char)*back & 0xc0) == 0x80);
            pat = star;
            name = back;
        } else {
            return 0;
        }
    }
}

static int chosen(const hm_test_options *o, const char *name)
{
    if (!o->nrun)
        return 1;
    for (int i = 0; i < o->nrun; i++)
        if (glob_match(o->run[i], name))
            return 1;
    return 0;
}

/* ---- JUnit XML ----------------------------------------------------------- */

typedef struct junit_case {
    const char *name, *file;
    int line;
    double secs;
    char *failure;              /* owned; NULL when it passed */
} junit_case;

typedef struct junit {
    junit_case *v;
    int n, cap, oom;
} junit;

/* Text for XML, the first n bytes of s: the five special characters as
 * entities; control characters XML 1.0 cannot carry as U+FFFD. */
static void xml_textn(FILE *f, const char *s, size_t n)
{
    for (const char *end = s + n; s < end && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
                fputs("\xef\xbf\xbd", f);
            else
                fputc(ch, f);
        }
    }
}

static void xml_text(FILE *f, const char *s) { xml_textn(f, s, strlen(s)); }

static int junit_write(FILE *f, const junit *ju, const hm_test_summary *sum, int errors)
{
    double total = (double)sum->elapsed_us / 1e6;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"huimin\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.6f\">\n",
            sum->total + (errors > 0), sum->failed, errors > 0, total);
    fprintf(f, "  <testsuite name=\"huimin test\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\" "
               "time=\"%.6f\">\n", sum->total + (errors > 0), sum->failed, errors > 0, total);
    if (errors > 0)
        fprintf(f, "    <testcase name=\"check\" classname=\"huimin\" time=\"0\">\n"
                   "      <error message=\"the policies have %d error%s; no test was run\"/>\n"
                   "    </testcase>\n", errors, errors == 1 ? "" : "s");
    for (int i = 0; i < ju->n; i++) {
        const junit_case *c = &ju->v[i];
        fputs("    <testcase name=\"", f);
        xml_text(f, c->name);
        fputs("\" classname=\"", f);
        xml_text(f, c->file);
        fputs("\" file=\"", f);
        xml_text(f, c->file);
        fprintf(f, "\" line=\"%d\" time=\"%.6f\"", c->line, c->secs);
        if (!c->failure) {
            fputs("/>\n", f);
            continue;
        }
        /* the message: the first expectation that failed, on one line */
        const char *msg = c->failure + strspn(c->failure, " ");
        const char *nl = strchr(msg, '\n');
        fputs(">\n      <failure message=\"", f);
        xml_textn(f, msg, nl ? (size_t)(nl - msg) : strlen(msg));
        fputs("\" type=\"expectation\">", f);
        xml_text(f, c->failure);
        fputs("</failure>\n    </testcase>\n", f);
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    return fflush(f) || ferror(f) ? HM_EIO : HM_OK;
}

static void junit_free(junit *ju)
{
    for (int i = 0; i < ju->n; i++)
        free(ju->v[i].failure);
    mem_free(ju->v);
}

static int run_tests(hm_compiler *c, FILE *out, const hm_test_options *o, hm_test_summary *sum, jout *j,
                     junit *ju);

int hm_compiler_run_tests(hm_compiler *c, FILE *out, int flags, hm_test_summary *sum)
{
    hm_test_options o = { .flags = flags };
    return hm_compiler_run_tests_opts(c, out, &o, sum);
}

static int run_tests_json(hm_compiler *c, FILE *out, const hm_test_options *o, hm_test_summary *sum, junit *ju)
{
    int flags = o->flags;
    if (!(flags & HM_TEST_JSON))
        return run_tests(c, out, o, sum, NULL, ju);
    jout j = { json_array(), (flags & HM_TEST_COVERAGE) ? json_array() : NULL, 0 };
    int rc = j.tests && (j.coverage || !(flags & HM_TEST_COVERAGE)) ? run_tests(c, out, o, sum, &j, ju)
                                                                     : HM_ENOMEM;
    json_t *doc = rc == HM_ENOMEM || j.oom ? NULL : compiler_diagnostics_json(c);
    if (doc && (json_object_set(doc, "tests", j.tests) || json_object_set_new(doc, "passed", json_integer(sum->passed)) ||
                json_object_set_new(doc, "failed", json_integer(sum->failed)) ||
                json_object_set_new(doc, "total", json_integer(sum->total)) ||
                (j.coverage && json_object_set(doc, "coverage", j.coverage)))) {
        json_decref(doc);
        doc = NULL;
    }
    json_decref(j.tests);
    json_decref(j.coverage);
    if (!doc)
        return HM_ENOMEM;
    if (json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', out) == EOF || fflush(out))
        rc = HM_EIO;
    json_decref(doc);
    return rc;
}

int hm_compiler_run_tests_opts(hm_compiler *c, FILE *out, const hm_test_options *o, hm_test_summary *sum)
{
    junit ju = { 0 };
    memset(sum, 0, sizeof *sum);
    int rc = run_tests_json(c, out, o, sum, o->junit ? &ju : NULL);
    if (o->junit && rc != HM_ENOMEM) {
        int errors = (int)hm_compiler_error_count(c);
        int wrc = ju.oom ? HM_ENOMEM : junit_write(o->junit, &ju, sum, errors);
        if (wrc != HM_OK)
            rc = wrc;
    }
    junit_free(&ju);
    return rc;
}

/* The value a test expects of a let, as the VM holds it. */
static int64_t expected_value(sema *s, ast *v, const hm_type *t)
{
    int neg = v->kind == N_UNOP && v->ival == AOP_NEG;
    ast *lit = neg ? v->a : v;
    int64_t x = 0;
    switch (lit->kind) {
    case N_INT:
        sema_literal_int(s, lit, &x);
        x *= t->kind == T_MONEY ? 100 : t->kind == T_DECIMAL ? 1000000 : 1;
        break;
    case N_DEC:
        if (t->kind == T_MONEY) sema_literal_fen(s, lit, &x);
        else sema_literal_ppm(s, lit, &x);
        break;
    case N_PERCENT: sema_literal_ppm(s, lit, &x); break;
    case N_BOOL: x = lit->ival; break;
    case N_DATE: sema_parse_date(lit->str, &x); break;
    case N_NAME: {
        sym *l = t->kind == T_CODE ? symtab_get(t->codeset->labels, lit->str) : NULL;
        x = l ? l->index : 0;
        break;
    }
    default: break;
    }
    return neg ? -x : x;
}

/* Is got within tol of want?  Without overflow: the difference of two
 * int64 may not fit. */
static int close_enough(int64_t got, int64_t want, int64_t tol)
{
    int64_t d;
    if (__builtin_sub_overflow(got, want, &d))
        return 0;
    return d >= -tol && d <= tol;
}

/* Lines about a failed expectation: to `out` for text, and kept for JUnit. */
typedef struct fail_out {
    FILE *out;                  /* NULL for JSON */
    FILE *mem;                  /* NULL without JUnit */
} fail_out;

static void fail_line(fail_out *fo, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_line(fail_out *fo, const char *fmt, ...)
{
    va_list ap;
    if (fo->out) {
        va_start(ap, fmt);
        vfprintf(fo->out, fmt, ap);
        va_end(ap);
    }
    if (fo->mem) {
        va_start(ap, fmt);
        vfprintf(fo->mem, fmt, ap);
        va_end(ap);
    }
}

static int run_tests(hm_compiler *c, FILE *out, const hm_test_options *o, hm_test_summary *sum, jout *j,
                     junit *ju)
{
    int flags = o->flags;
    memset(sum, 0, sizeof *sum);
    hm_program *p;
    sema *s;
    int rc = compiler_program(c, &p, &s);
    if (rc != HM_OK)
        return rc;
    hm_vm *vm = vm_new(p);
    if (!vm)
        return HM_ENOMEM;
    uint8_t *cover = NULL;
    if (flags & HM_TEST_COVERAGE) {
        cover = mem_calloc((size_t)p->nconds + 1, 1);
        if (!cover) {
            vm_free(vm);
            return HM_ENOMEM;
        }
        vm_set_coverage(vm, cover);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = HM_OK;
    for (int mi = 0; mi < s->nmods && status != HM_ENOMEM; mi++) {
        hm_module *m = s->mods[mi];
        for (ast *t = m->root; t; t = t->next) {
            if (t->kind != N_TEST || !chosen(o, t->str))
                continue;
            struct timespec ts0, ts1;
            clock_gettime(CLOCK_MONOTONIC, &ts0);
            hm_facts f;
            int nmembers = 0;
            if (build_facts(s, p, t->b, &f, &nmembers, (int32_t)t->a->ival) < 0 ||
                testrun_load_table_rows(s, p, &f, t->d, NULL) < 0 ||
                testrun_load_pack_rows(s, p, &f, -1) < 0) {
                facts_free(&f);
                status = HM_ENOMEM;
                break;
            }
            int32_t as_of = (int32_t)t->a->ival;
            facts_sort_records(&f);
            facts_apply_freshness(&f, p, as_of);
            char referr[256];
            if (facts_apply_defaults(&f, p, NULL) < 0 || facts_apply_refs(&f, p, as_of, referr, sizeof referr) == -1) {
                facts_free(&f);
                status = HM_ENOMEM;
                break;
            }
            vm_bind(vm, &f, as_of);
            if (vm_begin_household(vm, 0) < 0) {
                facts_free(&f);
                status = HM_ENOMEM;
                break;
            }
            int failed = 0;
            json_t *jt = NULL;
            if (j) {
                int line, col;
                srcfile_locate(m->file, t->loc.start, &line, &col);
                jt = json_test(j, m->file->path, line, t->str);
            }
            char *memtext = NULL;
            size_t memlen = 0;
            fail_out fo = { j ? NULL : out, ju ? open_memstream(&memtext, &memlen) : NULL };
            if (ju && !fo.mem)
                ju->oom = 1;
            for (ast *e = t->c; e; e = e->next) {
                sym *y = e->sym;
                if (!y)
                    continue;
                int32_t member = -1;
                if (y->entity == ENT_PERSON) {
                    int64_t k = 1;
                    if (e->b)
                        sema_literal_int(s, e->b, &k);
                    member = (int32_t)k - 1;
                    if (member < 0 || member >= nmembers)
                        continue;
                }
                int line, col;
                srcfile_locate(m->file, e->loc.start, &line, &col);
                char who[64] = "";
                if (member >= 0)
                    snprintf(who, sizeof who, " of member %d", member + 1);
                int64_t claim = 0;
                if (e->kind == N_EXPECT && e->d) {
                    sema_literal_int(s, e->d, &claim);
                    size_t wl = strlen(who);
                    snprintf(who + wl, sizeof who - wl, " for claim %" PRId64, claim);
                }
                if (e->kind == N_EXPECTVAL) {
                    sym *l = y->locals ? symtab_get(y->locals, e->str2) : NULL;
                    if (!l || l->kind != SYM_LET || !l->type)
                        continue;
                    int64_t want = expected_value(s, e->a, l->type), tol = 0;
                    if (e->c)
                        tol = expected_value(s, e->c, l->type);
                    hm_val v = vm_value_of_let(vm, l->id, member);
                    if (!v.unk && close_enough(v.v, want, tol))
                        continue;
                    int vt = ty_vtype(l->type);
                    int32_t cs = l->type->kind == T_CODE ? l->type->codeset->id : -1;
                    char wbuf[64], gbuf[64], tbuf[64] = "";
                    hm_val wv = { want, 0, 0 }, tv = { tol, 0, 0 };
                    vm_format_value(vm, wv, vt, cs, wbuf, sizeof wbuf);
                    vm_format_value(vm, v, vt, cs, gbuf, sizeof gbuf);
                    if (e->c) {
                        char x[48];
                        vm_format_value(vm, tv, vt, cs, x, sizeof x);
                        snprintf(tbuf, sizeof tbuf, " within %s", x);
                    }
                    if (!failed++ && fo.out) {
                        int tl, tc;
                        srcfile_locate(m->file, t->loc.start, &tl, &tc);
                        fprintf(out, "FAIL %s:%d: %s\n", m->file->path, tl, t->str);
                    }
                    if (j) {
                        json_t *d = json_pack("{s:i, s:o, s:o, s:o, s:o, s:o}", "line", line, "policy",
                                              diag_json_text(e->str), "member",
                                              member >= 0 ? json_integer(member + 1) : json_null(), "let",
                                              diag_json_text(e->str2), "expected", diag_json_text(wbuf), "actual",
                                              v.unk ? json_null() : diag_json_text(gbuf));
                        json_t *list = jt ? json_object_get(jt, "differences") : NULL;
                        if (!d || !list || json_array_append_new(list, d))
                            j->oom = 1;
                        if (jt)
                            json_object_set_new(jt, "passed", json_false());
                    }
                    fail_line(&fo, "  line %d: expected %s.%s%s = %s%s\n", line, e->str, e->str2, who, wbuf, tbuf);
                    fail_line(&fo, "  %*s  got      %s.%s%s = %s\n", (int)snprintf(NULL, 0, "line %d", line), "",
                              e->str, e->str2, who, v.unk ? "unknown" : gbuf);
                    continue;
                }
                /* a claim the person does not have is no decision at all */
                const hm_decision *d = !e->d ? vm_decide(vm, y->id, member)
                                       : claim >= 1 && claim <= vm_claims(vm, y->id, member)
                                           ? vm_decide_claim(vm, y->id, member, (int32_t)claim - 1)
                                           : NULL;
                if (!d) {
                    if (!failed++ && fo.out) {
                        int tl, tc;
                        srcfile_locate(m->file, t->loc.start, &tl, &tc);
                        fprintf(out, "FAIL %s:%d: %s\n", m->file->path, tl, t->str);
                    }
                    if (jt)
                        json_object_set_new(jt, "passed", json_false());
                    fail_line(&fo, "  line %d: %s%s: the person has no claim %" PRId64 "\n", line, e->str, who, claim);
                    continue;
                }
                int ok = (int)e->ival == d->status;
                int64_t want = 0, tol = 0;
                if (e->a) {
                    ast *lit = e->a;
                    int neg = 0;
                    if (lit->kind == N_UNOP) {
                        neg = 1;
                        lit = lit->a;
                    }
                    sema_literal_fen(s, lit, &want);
                    if (neg)
                        want = -want;
                    if (e->c)
                        sema_literal_fen(s, e->c, &tol);
                    ok = ok && d->has_amount && close_enough(d->amount, want, tol);
                }
                if (ok)
                    continue;
                if (!failed++ && fo.out) {
                    int tl, tc;
                    srcfile_locate(m->file, t->loc.start, &tl, &tc);
                    fprintf(out, "FAIL %s:%d: %s\n", m->file->path, tl, t->str);
                }
                char wantbuf[96] = "";
                if (e->a) {
                    char mbuf[32], tb[40] = "";
                    fmt_money(want, mbuf, sizeof mbuf);
                    if (e->c) {
                        char x[32];
                        fmt_money(tol, x, sizeof x);
                        snprintf(tb, sizeof tb, " within %s", x);
                    }
                    snprintf(wantbuf, sizeof wantbuf, ", amount %s%s", mbuf, tb);
                }
                if (j)
                    json_diff(j, jt, line, e->str, member, (int)e->ival, e->a != NULL, want, vm, p, y->id, d,
                              vm_error(vm));
                char got[512];
                describe(vm, p, y->id, member, d, got, sizeof got, vm_error(vm));
                fail_line(&fo, "  line %d: expected %s%s %s%s\n", line, e->str, who, status_word((int)e->ival),
                          wantbuf);
                fail_line(&fo, "  %*s  got      %s%s %s\n", (int)snprintf(NULL, 0, "line %d", line), "", e->str,
                          who, got);
            }
            if (fo.mem && fclose(fo.mem))
                ju->oom = 1;
            clock_gettime(CLOCK_MONOTONIC, &ts1);
            if (ju && !ju->oom) {
                if (ju->n == ju->cap) {
                    int nc = ju->cap ? ju->cap * 2 : 16;
                    junit_case *nv = mem_realloc(ju->v, sizeof *nv * (size_t)nc);
                    if (!nv)
                        ju->oom = 1;
                    else {
                        ju->v = nv;
                        ju->cap = nc;
                    }
                }
                if (!ju->oom) {
                    int tl, tc;
                    srcfile_locate(m->file, t->loc.start, &tl, &tc);
                    ju->v[ju->n++] = (junit_case){ t->str, m->file->path, tl,
                                                   (double)(ts1.tv_sec - ts0.tv_sec) +
                                                       (double)(ts1.tv_nsec - ts0.tv_nsec) / 1e9,
                                                   failed ? memtext : NULL };
                    if (failed)
                        memtext = NULL;
                }
            }
            free(memtext);
            if (jt && json_array_append_new(j->tests, jt))
                j->oom = 1;
            if (failed) {
                sum->failed++;
                status = HM_ERR;
            } else {
                sum->passed++;
                if ((flags & HM_TEST_VERBOSE) && !j) {
                    int line, col;
                    srcfile_locate(m->file, t->loc.start, &line, &col);
                    fprintf(out, "ok   %s:%d: %s\n", m->file->path, line, t->str);
                }
            }
            facts_free(&f);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sum->total = sum->passed + sum->failed;
    sum->elapsed_us = (t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
    if (cover && status != HM_ENOMEM) {
        /* conditions never seen true, or never seen false */
        int gaps = 0;
        for (int32_t pi = 0; pi < p->npolicies; pi++) {
            const hm_policy *P = &p->policies[pi];
            if (P->cond < 0)
                continue;
            for (int32_t k = P->cond; k < P->cond + p->conds[P->cond].size; k++) {
                const hm_condnode *cn = &p->conds[k];
                if (cn->kind != CN_COND || (cover[k] & 3) == 3)
                    continue;
                const char *never = (cover[k] & 3) == 0 ? "evaluated" : (cover[k] & 1) ? "false" : "true";
                if (j) {
                    gaps++;
                    json_t *g = json_pack("{s:o, s:i, s:o, s:o, s:s}", "file", diag_json_text(prog_str(p, P->file)),
                                          "line", cn->line, "policy", diag_json_text(prog_str(p, P->name)),
                                          "condition", diag_json_text(prog_str(p, cn->msg)), "never", never);
                    if (!g || json_array_append_new(j->coverage, g))
                        j->oom = 1;
                    continue;
                }
                if (!gaps++)
                    fprintf(out, "coverage: conditions the tests never saw both ways:\n");
                fprintf(out, "  %s:%d: %s: \"%s\" never %s\n", prog_str(p, P->file), cn->line,
                        prog_str(p, P->name), prog_str(p, cn->msg), never);
            }
        }
        if (!gaps && !j)
            fprintf(out, "coverage: every condition was seen true and false\n");
        sum->coverage_gaps = gaps;
    }
    mem_free(cover);
    vm_free(vm);
    return status;
}
