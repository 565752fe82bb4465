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
    return s == DEC_ELIGIBLE ? "eligible" : s == DEC_NOT_ELIGIBLE ? "not eligible" : "undetermined";
}

/* The value of a `given` literal as the VM stores it. */
static int given_value(sema *s, hm_facts *f, ast *v, const hm_type *t, int64_t *out)
{
    int neg = 0;
    if (v->kind == N_UNOP && v->ival == AOP_NEG) {
        neg = 1;
        v = v->a;
    }
    int64_t x = 0;
    switch (v->kind) {
    case N_INT:
        if (sema_literal_int(s, v, &x) != 0) return -1;
        if (t->kind == T_PERSON) x -= 1;   /* `member N`: members count from 0 in the store */
        else if (t->kind == T_MONEY) x *= 100;
        else if (t->kind == T_DECIMAL) x *= 1000000;
        break;
    case N_DEC:
        if (t->kind == T_MONEY) { if (sema_literal_fen(s, v, &x) != 0) return -1; }
        else if (sema_literal_ppm(s, v, &x) != 0) return -1;
        break;
    case N_PERCENT:
        if (sema_literal_ppm(s, v, &x) != 0) return -1;
        break;
    case N_BOOL: x = v->ival; break;
    case N_DATE: if (sema_parse_date(v->str, &x) != 0) return -1; break;
    case N_DUR: if (sema_literal_int(s, v->a, &x) != 0) return -1; break;
    case N_STR:
        x = facts_text(f, v->str);
        if (x == INT64_MIN) return -2;
        break;
    case N_NAME:
        if (t->kind == T_CODE) {
            sym *l = symtab_get(t->codeset->labels, v->str);
            if (!l) return -1;
            x = l->index;
        }
        break;
    default:
        return -1;
    }
    *out = neg ? -x : x;
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
    return s == DEC_ELIGIBLE ? "eligible" : s == DEC_NOT_ELIGIBLE ? "not_eligible" : "undetermined";
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

static int run_tests(hm_compiler *c, FILE *out, int flags, hm_test_summary *sum, jout *j);

int hm_compiler_run_tests(hm_compiler *c, FILE *out, int flags, hm_test_summary *sum)
{
    if (!(flags & HM_TEST_JSON))
        return run_tests(c, out, flags, sum, NULL);
    jout j = { json_array(), (flags & HM_TEST_COVERAGE) ? json_array() : NULL, 0 };
    int rc = j.tests && (j.coverage || !(flags & HM_TEST_COVERAGE)) ? run_tests(c, out, flags, sum, &j)
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

static int run_tests(hm_compiler *c, FILE *out, int flags, hm_test_summary *sum, jout *j)
{
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
            if (t->kind != N_TEST)
                continue;
            hm_facts f;
            int nmembers = 0;
            if (build_facts(s, p, t->b, &f, &nmembers, (int32_t)t->a->ival) < 0) {
                facts_free(&f);
                status = HM_ENOMEM;
                break;
            }
            int32_t as_of = (int32_t)t->a->ival;
            facts_sort_records(&f);
            facts_apply_freshness(&f, p, as_of);
            if (facts_apply_defaults(&f, p) < 0) {
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
                const hm_decision *d = vm_decide(vm, y->id, member);
                int ok = (int)e->ival == d->status;
                int64_t want = 0;
                if (ok && e->a) {
                    ast *lit = e->a;
                    int neg = 0;
                    if (lit->kind == N_UNOP) {
                        neg = 1;
                        lit = lit->a;
                    }
                    sema_literal_fen(s, lit, &want);
                    if (neg)
                        want = -want;
                    ok = d->has_amount && d->amount == want;
                }
                if (ok)
                    continue;
                if (!failed++ && !j) {
                    int line, col;
                    srcfile_locate(m->file, t->loc.start, &line, &col);
                    fprintf(out, "FAIL %s:%d: %s\n", m->file->path, line, t->str);
                }
                int line, col;
                srcfile_locate(m->file, e->loc.start, &line, &col);
                char who[32] = "";
                if (member >= 0)
                    snprintf(who, sizeof who, " of member %d", member + 1);
                char wantbuf[64] = "";
                if (e->a) {
                    char mbuf[32];
                    if (e->ival == DEC_ELIGIBLE) {
                        int64_t w2 = 0;
                        ast *lit = e->a->kind == N_UNOP ? e->a->a : e->a;
                        sema_literal_fen(s, lit, &w2);
                        want = e->a->kind == N_UNOP ? -w2 : w2;
                    }
                    fmt_money(want, mbuf, sizeof mbuf);
                    snprintf(wantbuf, sizeof wantbuf, ", amount %s", mbuf);
                }
                if (j) {
                    json_diff(j, jt, line, e->str, member, (int)e->ival, e->a != NULL, want, vm, p, y->id, d,
                              vm_error(vm));
                    continue;
                }
                char got[512];
                describe(vm, p, y->id, member, d, got, sizeof got, vm_error(vm));
                fprintf(out, "  line %d: expected %s%s %s%s\n", line, e->str, who,
                        status_word((int)e->ival), wantbuf);
                fprintf(out, "  %*s  got      %s%s %s\n", (int)snprintf(NULL, 0, "line %d", line), "",
                        e->str, who, got);
            }
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
                    json_t *o = json_pack("{s:o, s:i, s:o, s:o, s:s}", "file", diag_json_text(prog_str(p, P->file)),
                                          "line", cn->line, "policy", diag_json_text(prog_str(p, P->name)),
                                          "condition", diag_json_text(prog_str(p, cn->msg)), "never", never);
                    if (!o || json_array_append_new(j->coverage, o))
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
