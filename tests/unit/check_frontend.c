/* check_frontend.c -- the public compiler API (include/huimin.h): adding
 * sources and paths, checking clean and broken policies, diagnostics as a
 * drafter sees them, hostile input, and out-of-memory at every allocation. */
#include "suites.h"

#include "huimin.h"
#include "mem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- policies --------------------------------------------------------------- */

/* A clean policy: no errors, no warnings. */
static const char CLEAN[] =
    "module civil.dibao\n"
    "\n"
    "source civil_affairs \"民政局\" {\n"
    "  household.region        : text\n"
    "  household.assets        : money              \"家庭财产\"\n"
    "  household.other_housing : bool\n"
    "  person.monthly_income   : money per month\n"
    "  person.deceased         : bool     fresh within 31 days\n"
    "}\n"
    "\n"
    "parameter line \"低保标准\" : money per month by household.region {\n"
    "  reference \"杭州市民政局 2024 年第 3 号公告\"\n"
    "  \"330100\": from 2023-07-01 1395, from 2024-07-01 1450\n"
    "  default: 1200\n"
    "}\n"
    "\n"
    "policy dibao \"城乡居民最低生活保障\" for household {\n"
    "  reference \"《社会救助暂行办法》第九条\"\n"
    "  let living  = household.members where not deceased\n"
    "  let income  = sum(m.monthly_income for m in living)\n"
    "  let per_cap = income / count(living)\n"
    "  eligible when all {\n"
    "    per_cap < line                       \"家庭人均月收入 {per_cap} 元低于低保标准 {line} 元\"\n"
    "    household.assets <= 24 * line * count(living)   \"家庭财产不超过低保标准的24倍\"\n"
    "    not household.other_housing          \"家庭无其他住房\"\n"
    "  }\n"
    "  amount (line - per_cap) * count(living)\n"
    "}\n";

/* Many constructs at once, for the out-of-memory loop: a module, use of the
 * standard library, a source, a code set with a map, dated and keyed
 * parameters, a scale, functions, a policy with lets, exceptions, nested
 * groups and an amount, and a test. */
static const char RICH[] =
    "module civil.rich\n"
    "use std.money\n"
    "\n"
    "source civil_affairs \"民政局\" {\n"
    "  household.region        : text\n"
    "  household.assets        : money              \"家庭财产\"\n"
    "  household.other_housing : bool\n"
    "  household.single_parent : bool\n"
    "  person.monthly_income   : money per month\n"
    "  person.medical_selfpay  : money per year\n"
    "  person.deceased         : bool     fresh within 31 days\n"
    "  person.marital          : code marital\n"
    "  person.disability_grade : int\n"
    "}\n"
    "\n"
    "codes marital \"婚姻状况\" {\n"
    "  married \"已婚\", single \"未婚\", divorced \"离异\", widowed \"丧偶\"\n"
    "  map civil_affairs { \"1\": married, \"2\": single, \"3\": divorced, \"4\": widowed }\n"
    "}\n"
    "\n"
    "parameter 扣除比例 : decimal = 50%\n"
    "parameter age_min \"领取年龄\" : int {\n"
    "  from 2020-01-01 80\n"
    "  from 2025-01-01 75\n"
    "}\n"
    "parameter line \"低保标准\" : money per month by household.region {\n"
    "  reference \"杭州市民政局 2024 年第 3 号公告\"\n"
    "  \"330100\": from 2023-07-01 1395, from 2024-07-01 1450\n"
    "  \"330200\": from 2023-07-01 1300\n"
    "  default: 1200\n"
    "}\n"
    "\n"
    "scale 税率 \"税率表\" {\n"
    "  up to 36000: 3%\n"
    "  up to 144000: 10% quick 2520\n"
    "  above: 20% quick 16920\n"
    "}\n"
    "\n"
    "function 在世(p: person) : bool = not p.deceased\n"
    "function 人均(total: money, n: int) : money = per_capita(total, n)\n"
    "\n"
    "policy dibao \"城乡居民最低生活保障\" for household {\n"
    "  reference \"《社会救助暂行办法》第九条\"\n"
    "  let living  = household.members where not deceased\n"
    "  let income  = sum(m.monthly_income for m in living)\n"
    "              - sum(monthly(m.medical_selfpay) * 扣除比例 for m in living)\n"
    "  let per_cap = 人均(income, count(living))\n"
    "  let rate = 60%\n"
    "    except when household.single_parent then 80%   \"单亲家庭按80%计发\" priority 1\n"
    "    except when any(m.disability_grade <= 2 for m in living)\n"
    "           then 100%                             \"重度残疾家庭全额计发\" priority 2\n"
    "  eligible when all {\n"
    "    per_cap < line                \"家庭人均月收入 {per_cap} 元低于低保标准 {line} 元\"\n"
    "    household.assets <= 24 * line * count(living)\n"
    "                                  \"家庭财产不超过低保标准的24倍\"\n"
    "                                  reference \"《浙江省最低生活保障办法》第十条\"\n"
    "    not household.other_housing   \"家庭无其他住房\"\n"
    "    any \"家庭有在世成员\" {\n"
    "      count(living) > 0           \"家庭至少有一名在世成员\"\n"
    "      any(m.marital is married for m in living) \"有已婚成员\"\n"
    "    }\n"
    "  }\n"
    "  amount round_yuan((line - per_cap) * count(living) * rate)\n"
    "}\n"
    "\n"
    "policy gaoling \"高龄津贴\" for person {\n"
    "  eligible when 在世(person) \"在世\"\n"
    "  amount 税率(yearly(person.monthly_income)) / 12\n"
    "}\n"
    "\n"
    "test \"三口之家，一人就业\" as of 2024-08-01 {\n"
    "  given household {\n"
    "    region \"330100\", assets 20000, other_housing false, single_parent false,\n"
    "    members [ { monthly_income 1500 }, { monthly_income 0 }, {} ]\n"
    "  }\n"
    "  expect dibao eligible, amount 3350.00\n"
    "}\n";

/* Errors of several kinds in one module. */
static const char BROKEN[] =
    "source s \"来源\" {\n"
    "  person.a : money per month\n"
    "  person.b : money per year\n"
    "}\n"
    "policy p1 \"一\" for person {\n"
    "  let 人均收入 = 1 + x\n"
    "  eligible when person.a > person.b \"期间不同\"\n"
    "}\n"
    "policy p2 \"二\" for person {\n"
    "  eligible when 人均收入，1 > 0 \"全角逗号\"\n"
    "  amount \"不是钱\"\n"
    "}\n";

/* ---- fixture and helpers ---------------------------------------------------------- */

static hm_compiler *C;
static char *out;
static char tmpdir[64];

static void fe_setup(void)
{
    unsetenv("HM_MEM_FAIL_AT");
    unsetenv("HM_MEM_FAIL_AFTER");
    mem_fault_reset();
    C = hm_compiler_new();
    ck_assert_ptr_nonnull(C);
    out = NULL;
    tmpdir[0] = '\0';
}

static void fe_teardown(void)
{
    unsetenv("HM_MEM_FAIL_AT");
    unsetenv("HM_MEM_FAIL_AFTER");
    mem_fault_reset();
    hm_compiler_free(C);
    C = NULL;
    free(out);
    out = NULL;
    if (tmpdir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
        tmpdir[0] = '\0';
    }
}

static int add(const char *name, const char *text)
{
    return hm_compiler_add_source(C, name, text, strlen(text));
}

/* Check one source in a fresh compiler; returns the status. */
static int check_one(const char *text)
{
    hm_compiler_free(C);
    C = hm_compiler_new();
    ck_assert_ptr_nonnull(C);
    ck_assert_int_eq(add("t.pol", text), HM_OK);
    return hm_compiler_check(C);
}

static const char *diags(void)
{
    free(out);
    out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    ck_assert_ptr_nonnull(fp);
    hm_compiler_print_diagnostics(C, fp);
    fclose(fp);
    return out;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

#define HAS(needle)                                                                 \
    ck_assert_msg(strstr(diags(), (needle)) != NULL, "expected `%s` in:\n%s", (needle), out)

static const char *mktmp(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/hm-frontend-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    }
    return tmpdir;
}

static void write_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", mktmp(), rel);
    FILE *fp = fopen(path, "wb");
    ck_assert_msg(fp != NULL, "cannot write %s", path);
    fputs(text, fp);
    fclose(fp);
}

static void make_dir(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", mktmp(), rel);
    ck_assert_int_eq(mkdir(path, 0755), 0);
}

/* Run `check` of `text` in a child process, so a crash fails this test
 * instead of the whole runner (also when CK_FORK=no).  Returns the
 * status the child got, or -1 - signal when it was killed. */
static int check_in_child(const char *text, size_t len)
{
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        hm_compiler *c = hm_compiler_new();
        if (!c)
            _exit(100);
        if (hm_compiler_add_source(c, "deep.pol", text, len) != HM_OK)
            _exit(101);
        int rc = hm_compiler_check(c);
        FILE *fp = fopen("/dev/null", "w");
        if (fp) {
            hm_compiler_print_diagnostics(c, fp);
            fclose(fp);
        }
        hm_compiler_free(c);
        _exit(rc);
    }
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    if (WIFSIGNALED(st))
        return -1 - WTERMSIG(st);
    return WEXITSTATUS(st);
}

/* ---- clean and broken policies ------------------------------------------------------ */

START_TEST(test_clean_policy)
{
    ck_assert_int_eq(add("dibao.pol", CLEAN), HM_OK);
    ck_assert_int_eq(hm_compiler_check(C), HM_OK);
    ck_assert_int_eq(hm_compiler_error_count(C), 0);
    ck_assert_int_eq(hm_compiler_warning_count(C), 0);
    ck_assert_str_eq(diags(), "");
}
END_TEST

START_TEST(test_rich_policy_is_clean)
{
    ck_assert_int_eq(add("rich.pol", RICH), HM_OK);
    int rc = hm_compiler_check(C);
    ck_assert_msg(rc == HM_OK, "rich policy: %d\n%s", rc, diags());
    ck_assert_int_eq(hm_compiler_error_count(C), 0);
}
END_TEST

START_TEST(test_broken_policy_reports_everything)
{
    ck_assert_int_eq(add("t.pol", BROKEN), HM_OK);
    ck_assert_int_eq(hm_compiler_check(C), HM_ERR);
    /* unknown x, period mismatch, full-width comma (+ its syntax error),
     * amount that is not money: one run reports them all */
    ck_assert_int_ge(hm_compiler_error_count(C), 4);
    diags();
    ck_assert_int_eq(count_of(out, ": error: "), hm_compiler_error_count(C));
    HAS("t.pol:6:18: error: unknown name `x`");
    HAS("money per month");
    HAS("t.pol:10:21: error: full-width `，` is not allowed here");
    HAS("hint: use the ASCII character `,`");
}
END_TEST

START_TEST(test_unknown_name_column_after_chinese)
{
    ck_assert_int_eq(check_one("policy p for person {\n"
                               "  let 人均收入 = 1 + x\n"
                               "  eligible when 人均收入 > 0 \"m\"\n"
                               "}\n"),
                     HM_ERR);
    ck_assert_int_eq(hm_compiler_error_count(C), 1);
    ck_assert_str_eq(diags(),
                     "t.pol:2:18: error: unknown name `x`\n"
                     "   2 |   let 人均收入 = 1 + x\n"
                     "     |                      ^\n");
}
END_TEST

START_TEST(test_warning_only_is_ok)
{
    ck_assert_int_eq(check_one("policy p for person {\n"
                               "  let 没用 = 1\n"
                               "  eligible when true \"总是\"\n"
                               "}\n"),
                     HM_OK);
    ck_assert_int_eq(hm_compiler_error_count(C), 0);
    ck_assert_int_eq(hm_compiler_warning_count(C), 1);
    HAS("t.pol:2:7: warning: let `没用` is never used");
    HAS("     |       ^~~~\n");
}
END_TEST

START_TEST(test_condition_without_message)
{
    ck_assert_int_eq(check_one("policy p for person {\n"
                               "  eligible when all {\n"
                               "    1 > 0\n"
                               "    2 > 1 \"m\"\n"
                               "  }\n"
                               "}\n"),
                     HM_ERR);
    HAS("t.pol:3:10: error: this condition has no message");
    HAS("hint: every condition ends with its message");
}
END_TEST

START_TEST(test_syntax_error_then_semantic_error)
{
    ck_assert_int_eq(check_one("policy a for person {\n"
                               "  eligible when 1 >\n"
                               "}\n"
                               "policy b for person {\n"
                               "  eligible when zz > 1 \"m\"\n"
                               "}\n"),
                     HM_ERR);
    HAS("t.pol:3:1: error: expected a value or an expression, found `}`");
    HAS("t.pol:5:17: error: unknown name `zz`");
}
END_TEST

START_TEST(test_unterminated_string_in_policy)
{
    ck_assert_int_eq(check_one("policy p for person {\n"
                               "  eligible when true \"没有结束\n"
                               "}\n"),
                     HM_ERR);
    HAS("t.pol:2:22: error: unterminated string");
}
END_TEST

START_TEST(test_money_period_mismatch)
{
    ck_assert_int_eq(check_one("source s { person.a : money per month\n person.b : money per year }\n"
                               "policy b for person {\n"
                               "  eligible when person.a > monthly(person.b) \"同期\"\n"
                               "}\n"),
                     HM_OK);
    ck_assert_int_eq(check_one("source s { person.a : money per month\n person.b : money per year }\n"
                               "policy b for person {\n"
                               "  eligible when person.a > person.b \"不同期\"\n"
                               "}\n"),
                     HM_ERR);
    HAS("cannot compare money per month with money per year");
}
END_TEST

START_TEST(test_docs_aggregate_forms)
{
    /* the example of docs/language.md 11.4 "Lists and aggregates" */
    int rc = check_one("source s {\n"
                       "  person.birth_date : date\n"
                       "  person.deceased : bool\n"
                       "  person.monthly_income : money per month\n"
                       "  person.disability_grade : int\n"
                       "  person.local_hukou : bool\n"
                       "}\n"
                       "policy 聚合示例 \"家庭成员统计\" for household {\n"
                       "  let 在世成员 = household.members where not deceased\n"
                       "  let 家庭月收入 = sum(m.monthly_income for m in 在世成员)\n"
                       "  let 成年人数 = count(在世成员 where age(birth_date) >= 18)\n"
                       "  let 人数 = count(在世成员)\n"
                       "  let 有重度残疾 = any(m.disability_grade <= 2 for m in 在世成员)\n"
                       "  let 均为本地 = all(m.local_hukou for m in 在世成员)\n"
                       "  let 最大年龄 = max(age(m.birth_date) for m in 在世成员)\n"
                       "  let 最早出生 = min(m.birth_date for m in 在世成员)\n"
                       "  eligible when all {\n"
                       "    人数 > 0 and 成年人数 >= 1  \"家庭有 {人数} 名在世成员，其中成年人 {成年人数} 名\"\n"
                       "    有重度残疾 or 均为本地      \"有重度残疾成员或均为本地户籍\"\n"
                       "    家庭月收入 < 3000           \"家庭月收入 {家庭月收入} 元，最大年龄 {最大年龄}，最早出生 {最早出生}\"\n"
                       "  }\n"
                       "}\n");
    ck_assert_msg(rc == HM_OK, "documented aggregates rejected:\n%s", diags());
    ck_assert_int_eq(hm_compiler_warning_count(C), 0);
    /* `where` after the list of the long form, using the variable */
    rc = check_one("source s { person.monthly_income : money per month\n person.local_hukou : bool }\n"
                   "policy p for household {\n"
                   "  let x = sum(m.monthly_income for m in household.members where m.local_hukou)\n"
                   "  eligible when x > 0 \"m\"\n"
                   "}\n");
    ck_assert_msg(rc == HM_OK, "documented `for m in LIST where COND` rejected:\n%s", diags());
}
END_TEST

/* docs/language.md 2.3: "These 83 words are reserved. None of them can be used as a name" */
static const char *const doc_keywords[] = {
    "above", "all", "amends", "amount", "and", "any", "as", "as_of", "bool", "by", "code", "codes", "count", "date",
    "day", "days", "decimal", "default", "duration", "during", "eligible", "else", "except",
    "excludes", "expect", "extern", "false", "for", "fresh", "from", "function", "given",
    "household", "if", "in", "int", "is", "it", "last", "let", "list", "map", "max", "member", "members",
    "min", "module", "money", "month", "months", "more", "none", "not", "of", "or", "parameter", "per",
    "person", "policy", "priority", "quick", "record", "records", "reference", "reform", "replace", "scale", "since", "source",
    "sum", "test", "text", "then", "to", "true", "undetermined", "up", "use", "when", "where", "within",
    "year", "years",
};

START_TEST(test_documented_keywords_are_reserved)
{
    ck_assert_int_eq((int)(sizeof doc_keywords / sizeof doc_keywords[0]), 83);
    char src[256], accepted[512] = "";
    for (size_t i = 0; i < sizeof doc_keywords / sizeof doc_keywords[0]; i++) {
        snprintf(src, sizeof src, "policy p for person {\n  let %s = 1\n  eligible when true \"m\"\n}\n",
                 doc_keywords[i]);
        if (check_one(src) != HM_ERR) {
            strcat(accepted, " ");
            strcat(accepted, doc_keywords[i]);
        }
    }
    ck_assert_msg(accepted[0] == '\0', "documented keywords accepted as names:%s", accepted);
}
END_TEST

START_TEST(test_invalid_utf8_policy)
{
    ck_assert_int_eq(check_one("policy p\xff for person {\n  eligible when true \"m\xc0\xaf\"\n}\n"), HM_ERR);
    HAS("t.pol:1:9: error: invalid UTF-8 byte 0xff");
    HAS("invalid UTF-8 byte 0xc0 in string");
}
END_TEST

START_TEST(test_nul_bytes_policy)
{
    static const char text[] = "policy p for person {\n  eligible when true \"m\"\n}\n\0\0\0";
    hm_compiler_free(C);
    C = hm_compiler_new();
    ck_assert_int_eq(hm_compiler_add_source(C, "n.pol", text, sizeof text - 1), HM_OK);
    ck_assert_int_eq(hm_compiler_check(C), HM_ERR);
    HAS("contains NUL bytes");
}
END_TEST

START_TEST(test_empty_source)
{
    ck_assert_int_eq(hm_compiler_add_source(C, "e.pol", "", 0), HM_OK);
    ck_assert_int_eq(hm_compiler_add_source(C, "n.pol", NULL, 0), HM_OK);
    ck_assert_int_eq(hm_compiler_check(C), HM_OK);
    ck_assert_int_eq(hm_compiler_error_count(C), 0);
}
END_TEST

START_TEST(test_only_comments)
{
    ck_assert_int_eq(check_one("# 只有注释\n# comment，（全角）\n"), HM_OK);
    ck_assert_int_eq(hm_compiler_warning_count(C), 0);
}
END_TEST

START_TEST(test_crlf_policy)
{
    /* the clean policy with CRLF line ends is still clean */
    size_t n = strlen(CLEAN);
    char *crlf = malloc(2 * n + 1);
    ck_assert_ptr_nonnull(crlf);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (CLEAN[i] == '\n')
            crlf[k++] = '\r';
        crlf[k++] = CLEAN[i];
    }
    crlf[k] = '\0';
    int rc = check_one(crlf);
    free(crlf);
    ck_assert_msg(rc == HM_OK, "CRLF policy: %s", diags());
    /* and an error on a CRLF line has the same line and column as with LF */
    ck_assert_int_eq(check_one("policy p for person {\r\n  let 人均 = 1 + x\r\n  eligible when 人均 > 0 \"m\"\r\n}\r\n"),
                     HM_ERR);
    ck_assert_str_eq(diags(),
                     "t.pol:2:16: error: unknown name `x`\n"
                     "   2 |   let 人均 = 1 + x\n"
                     "     |                  ^\n");
}
END_TEST

START_TEST(test_deep_parentheses_refused)
{
    size_t n = 10000;
    char *s = malloc(2 * n + 100);
    ck_assert_ptr_nonnull(s);
    size_t k = (size_t)sprintf(s, "policy p for person {\n  let x = ");
    for (size_t i = 0; i < n; i++)
        s[k++] = '(';
    s[k++] = '1';
    for (size_t i = 0; i < n; i++)
        s[k++] = ')';
    strcpy(s + k, "\n  eligible when x > 0 \"m\"\n}\n");
    int rc = check_in_child(s, strlen(s));
    ck_assert_msg(rc == HM_ERR, "10,000 parentheses: child status %d", rc);
    ck_assert_int_eq(check_one(s), HM_ERR);
    free(s);
    HAS("nested too deeply");
}
END_TEST

START_TEST(test_long_operator_chain_no_crash)
{
    /* a + a + ... is left-associative: the parser's stack stays small but
     * the tree is as deep as the chain is long */
    size_t n = 20000;
    char *s = malloc(4 * n + 200);
    ck_assert_ptr_nonnull(s);
    size_t k = (size_t)sprintf(s, "policy p for person {\n  let a = 1\n  let x = a");
    for (size_t i = 1; i < n; i++)
        k += (size_t)sprintf(s + k, " + a");
    strcpy(s + k, "\n  eligible when x > 0 \"m\"\n}\n");
    int rc = check_in_child(s, strlen(s));
    free(s);
    ck_assert_msg(rc == HM_OK || rc == HM_ERR,
                  "checking a 20,000-term sum crashed (child status %d, signal %d)", rc, -1 - rc);
}
END_TEST

START_TEST(test_long_chain_of_and)
{
    size_t n = 20000;
    char *s = malloc(16 * n + 200);
    ck_assert_ptr_nonnull(s);
    size_t k = (size_t)sprintf(s, "policy p for person {\n  eligible when true");
    for (size_t i = 1; i < n; i++)
        k += (size_t)sprintf(s + k, " and true");
    strcpy(s + k, " \"m\"\n}\n");
    int rc = check_in_child(s, strlen(s));
    free(s);
    ck_assert_msg(rc == HM_OK || rc == HM_ERR,
                  "checking a 20,000-term `and` crashed (child status %d, signal %d)", rc, -1 - rc);
}
END_TEST

START_TEST(test_long_function_cycle_detected)
{
    /* f0 -> f1 -> ... -> f299 -> f0: recursion through 300 functions */
    int n = 300;
    char *s = malloc((size_t)n * 64);
    ck_assert_ptr_nonnull(s);
    size_t k = 0;
    for (int i = 0; i < n; i++)
        k += (size_t)sprintf(s + k, "function f%d(x: int) : int = f%d(x) + 1\n", i, (i + 1) % n);
    int rc = check_one(s);
    free(s);
    ck_assert_msg(rc == HM_ERR, "a cycle of %d functions was not reported", n);
    HAS("depend on each other in a cycle");
    /* and a short one, for comparison */
    ck_assert_int_eq(check_one("function f(x: int) : int = g(x) + 1\nfunction g(x: int) : int = f(x)\n"), HM_ERR);
    HAS("functions depend on each other in a cycle: f → g → f");
}
END_TEST

/* ---- the API ------------------------------------------------------------------- */

START_TEST(test_check_twice)
{
    ck_assert_int_eq(add("t.pol", BROKEN), HM_OK);
    int rc = hm_compiler_check(C);
    int ne = hm_compiler_error_count(C);
    ck_assert_int_eq(rc, HM_ERR);
    ck_assert_int_eq(hm_compiler_check(C), HM_ERR);
    ck_assert_int_eq(hm_compiler_error_count(C), ne);
}
END_TEST

START_TEST(test_null_arguments)
{
    ck_assert_int_eq(hm_compiler_add_source(NULL, "a", "x", 1), HM_EUSAGE);
    ck_assert_int_eq(hm_compiler_add_source(C, NULL, "x", 1), HM_EUSAGE);
    ck_assert_int_eq(hm_compiler_add_source(C, "a", NULL, 5), HM_EUSAGE);
    ck_assert_int_eq(hm_compiler_add_path(C, NULL), HM_EUSAGE);
    ck_assert_int_eq(hm_compiler_add_path(NULL, "x.pol"), HM_EUSAGE);
    ck_assert_int_eq(hm_compiler_check(NULL), HM_EUSAGE);
    ck_assert_int_eq(hm_compiler_error_count(NULL), 0);
    ck_assert_int_eq(hm_compiler_warning_count(NULL), 0);
    hm_compiler_print_diagnostics(NULL, stderr);
    hm_compiler_dump_ast(NULL, stderr);
    hm_compiler_free(NULL);
    /* nothing was added by the failed calls */
    ck_assert_int_eq(hm_compiler_check(C), HM_OK);
}
END_TEST

START_TEST(test_version_and_status_strings)
{
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", HM_VERSION_MAJOR, HM_VERSION_MINOR, HM_VERSION_PATCH);
    ck_assert_str_eq(hm_version(), v);
    for (int s = HM_OK; s <= HM_EUSAGE; s++) {
        ck_assert_ptr_nonnull(hm_status_string(s));
        ck_assert_uint_gt(strlen(hm_status_string(s)), 0);
        for (int t = HM_OK; t < s; t++)
            ck_assert_str_ne(hm_status_string(s), hm_status_string(t));
    }
    ck_assert_ptr_nonnull(strstr(hm_status_string(HM_ENOMEM), "memory"));
    ck_assert_ptr_nonnull(hm_status_string(99));
    ck_assert_ptr_nonnull(hm_status_string(-1));
}
END_TEST

START_TEST(test_add_path_missing_file)
{
    ck_assert_int_eq(hm_compiler_add_path(C, "/nonexistent/huimin/x.pol"), HM_EIO);
    ck_assert_int_ge(hm_compiler_error_count(C), 1);
    HAS("cannot read `/nonexistent/huimin/x.pol`");
    HAS("No such file or directory");
}
END_TEST

START_TEST(test_add_path_file)
{
    write_file("dibao.pol", CLEAN);
    char p[512];
    snprintf(p, sizeof p, "%s/dibao.pol", tmpdir);
    ck_assert_int_eq(hm_compiler_add_path(C, p), HM_OK);
    ck_assert_int_eq(hm_compiler_check(C), HM_OK);
    ck_assert_int_eq(hm_compiler_warning_count(C), 0);
}
END_TEST

START_TEST(test_add_path_file_with_errors)
{
    write_file("bad.pol", "policy p for person {\n  eligible when q \"m\"\n}\n");
    char p[512];
    snprintf(p, sizeof p, "%s/bad.pol", tmpdir);
    ck_assert_int_eq(hm_compiler_add_path(C, p), HM_OK);
    ck_assert_int_eq(hm_compiler_check(C), HM_ERR);
    char want[600];
    snprintf(want, sizeof want, "%s:2:17: error: unknown name `q`", p);
    HAS(want);
}
END_TEST

START_TEST(test_add_path_directory)
{
    mktmp();
    make_dir("sub");
    write_file("a.pol", "module a\nfunction 加倍(x: int) : int = x * 2\n");
    write_file("b.pol", "module b\nuse a\npolicy p for person {\n  eligible when 加倍(1) > 1 \"m\"\n}\n");
    write_file("notes.txt", "这不是政策文件 ((((( \xff\xfe");
    write_file(".hidden.pol", "garbage ((((");
    write_file("sub/c.pol", "module c\nuse a\npolicy q for person {\n  eligible when 加倍(2) > 3 \"m\"\n}\n");
    ck_assert_int_eq(hm_compiler_add_path(C, tmpdir), HM_OK);
    int rc = hm_compiler_check(C);
    ck_assert_msg(rc == HM_OK, "directory: %s", diags());
    ck_assert_int_eq(hm_compiler_error_count(C), 0);
    /* three modules were read (the .txt and the hidden file were not) */
    free(out);
    out = NULL;
    size_t len;
    FILE *fp = open_memstream(&out, &len);
    hm_compiler_dump_ast(C, fp);
    fclose(fp);
    ck_assert_int_eq(count_of(out, "# "), 3);
    char want[600];
    snprintf(want, sizeof want, "# %s/sub/c.pol\n", tmpdir);
    ck_assert_ptr_nonnull(strstr(out, want));
}
END_TEST

START_TEST(test_add_path_directory_name_order)
{
    mktmp();
    make_dir("z");
    write_file("b.pol", "policy pb for person {\n  eligible when err_b \"m\"\n}\n");
    write_file("a.pol", "policy pa for person {\n  eligible when err_a \"m\"\n}\n");
    write_file("z/c.pol", "policy pc for person {\n  eligible when err_c \"m\"\n}\n");
    /* a trailing slash does not double in the names */
    char p[512];
    snprintf(p, sizeof p, "%s//", tmpdir);
    ck_assert_int_eq(hm_compiler_add_path(C, p), HM_OK);
    ck_assert_int_eq(hm_compiler_check(C), HM_ERR);
    ck_assert_int_eq(hm_compiler_error_count(C), 3);
    diags();
    char a[600], c[600];
    snprintf(a, sizeof a, "%s/a.pol:2:17:", tmpdir);
    snprintf(c, sizeof c, "%s/z/c.pol:2:17:", tmpdir);
    const char *pa = strstr(out, a), *pb = strstr(out, "err_b"), *pc = strstr(out, c);
    ck_assert_msg(pa && pb && pc, "%s", out);
    ck_assert(pa < pb);
    ck_assert(pb < pc);
    ck_assert_ptr_null(strstr(out, "//"));
}
END_TEST

START_TEST(test_add_path_empty_directory)
{
    mktmp();
    write_file("readme.txt", "no policies here\n");
    ck_assert_int_eq(hm_compiler_add_path(C, tmpdir), HM_OK);
    ck_assert_int_eq(hm_compiler_check(C), HM_OK);
    ck_assert_int_eq(hm_compiler_error_count(C), 0);
    ck_assert_str_eq(diags(), "");
}
END_TEST

START_TEST(test_add_path_too_long)
{
    char *p = malloc(5000);
    ck_assert_ptr_nonnull(p);
    memset(p, 'a', 4999);
    p[0] = '/';
    p[4999] = '\0';
    ck_assert_int_eq(hm_compiler_add_path(C, p), HM_EIO);
    free(p);
}
END_TEST

START_TEST(test_use_between_sources)
{
    ck_assert_int_eq(add("b.pol", "module civil.b\nuse civil.a\n"
                                  "policy p for person {\n  eligible when 加倍(1) > 1 \"m\"\n}\n"),
                     HM_OK);
    ck_assert_int_eq(add("a.pol", "module civil.a\nfunction 加倍(x: int) : int = x * 2\n"), HM_OK);
    int rc = hm_compiler_check(C);
    ck_assert_msg(rc == HM_OK, "%s", diags());
}
END_TEST

START_TEST(test_use_missing_module)
{
    ck_assert_int_eq(check_one("module m\nuse nosuch.mod\n"), HM_ERR);
    HAS("t.pol:2:5: error: module `nosuch.mod` not found");
}
END_TEST

START_TEST(test_use_stdlib)
{
    ck_assert_int_eq(check_one("use std.money\nuse std.dates\n"
                               "source s { person.income : money\n person.birth_date : date }\n"
                               "policy p for person {\n"
                               "  eligible when round_yuan(person.income) > 0 and reached_age(person.birth_date, 60) \"m\"\n"
                               "}\n"),
                     HM_OK);
}
END_TEST

START_TEST(test_duplicate_module)
{
    ck_assert_int_eq(add("x.pol", "module same\n"), HM_OK);
    ck_assert_int_eq(add("y.pol", "module same\n"), HM_OK);
    ck_assert_int_eq(hm_compiler_check(C), HM_ERR);
    HAS("y.pol:1:8: error: module `same` is also declared by x.pol");
}
END_TEST

START_TEST(test_module_uses_itself)
{
    ck_assert_int_eq(check_one("module self\nuse self\n"), HM_ERR);
    HAS("cannot use itself");
}
END_TEST

START_TEST(test_many_sources)
{
    char name[32], text[128];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "m%03d.pol", i);
        snprintf(text, sizeof text, "module m%03d\nfunction f%03d(x: int) : int = x + %d\n", i, i, i);
        ck_assert_int_eq(add(name, text), HM_OK);
    }
    ck_assert_int_eq(hm_compiler_check(C), HM_OK);
}
END_TEST

START_TEST(test_dump_ast_after_check)
{
    ck_assert_int_eq(add("dibao.pol", CLEAN), HM_OK);
    ck_assert_int_eq(hm_compiler_check(C), HM_OK);
    free(out);
    out = NULL;
    size_t len;
    FILE *fp = open_memstream(&out, &len);
    hm_compiler_dump_ast(C, fp);
    fclose(fp);
    ck_assert_ptr_nonnull(strstr(out, "MODULE \"civil.dibao\""));
    ck_assert_ptr_nonnull(strstr(out, "城乡居民最低生活保障"));
}
END_TEST

/* ---- out of memory ------------------------------------------------------------------ */

/* The out-of-memory loops run in a child process: a crash, an exit() from
 * inside the library or a leak (ASan checks at the child's exit) then
 * fails the test with a message instead of taking the runner down, also
 * under CK_FORK=no.  Inside the child, CHILD_CHECK replaces ck_assert. */
static int child_fd = -1;

static void child_fail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void child_fail(int line, const char *fmt, ...)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "line %d: ", line);
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = (int)sizeof buf - 1;
    if (write(child_fd, buf, (size_t)n) < 0)
        _exit(3);
    unsetenv("HM_MEM_FAIL_AT");
    unsetenv("HM_MEM_FAIL_AFTER");
    mem_fault_reset();
    exit(1);
}
#define CHILD_CHECK(cond, ...)                    \
    do {                                          \
        if (!(cond))                              \
            child_fail(__LINE__, __VA_ARGS__);    \
    } while (0)

static void run_in_child(void (*fn)(const void *), const void *arg)
{
    int pfd[2];
    ck_assert_int_eq(pipe(pfd), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(pfd[0]);
        child_fd = pfd[1];
        fn(arg);
        unsetenv("HM_MEM_FAIL_AT");
        unsetenv("HM_MEM_FAIL_AFTER");
        mem_fault_reset();
        exit(0);    /* not _exit: LeakSanitizer runs at exit */
    }
    close(pfd[1]);
    char msg[1100];
    size_t len = 0;
    ssize_t k;
    while (len < sizeof msg - 1 && (k = read(pfd[0], msg + len, sizeof msg - 1 - len)) > 0)
        len += (size_t)k;
    msg[len] = '\0';
    close(pfd[0]);
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    if (WIFSIGNALED(st))
        ck_abort_msg("the child died of signal %d (6: abort, e.g. a sanitizer report -- see stderr; "
                     "11: crash) %s", WTERMSIG(st), msg);
    int code = WEXITSTATUS(st);
    if (code == 2 && !msg[0])
        ck_abort_msg("the library called exit(2) on allocation failure "
                     "(flex's yy_fatal_error: \"out of dynamic memory\", see stderr)");
    ck_assert_msg(code == 0, "child exit status %d: %s", code,
                  msg[0] ? msg : "no message (a sanitizer report: UBSan, or a leak found at exit? see stderr)");
}

struct src { const char *name, *text; };
struct srcs { const struct src *v; int n; };

/* Run the whole compile with the Nth allocation failing, for N = 1, 2, ...
 * until 50 runs in a row no longer reach a failing allocation (cap 5000).
 * Each call must return a proper status, and a run that was not cut short
 * must give the same verdict as a run with plenty of memory. */
static void oom_loop_child(const void *arg)
{
    const struct srcs *ss = arg;
    unsetenv("HM_MEM_FAIL_AT");
    mem_fault_reset();
    hm_compiler *c = hm_compiler_new();
    CHILD_CHECK(c != NULL, "no compiler");
    for (int i = 0; i < ss->n; i++)
        CHILD_CHECK(hm_compiler_add_source(c, ss->v[i].name, ss->v[i].text, strlen(ss->v[i].text)) == HM_OK,
                    "add_source without fault");
    int clean = hm_compiler_check(c);
    hm_compiler_free(c);
    CHILD_CHECK(clean == HM_OK || clean == HM_ERR, "check without fault returned %d", clean);

    FILE *devnull = fopen("/dev/null", "w");
    CHILD_CHECK(devnull != NULL, "/dev/null");
    int streak = 0, enomem = 0, n;
    for (n = 1; n <= 5000 && streak < 50; n++) {
        char v[16];
        snprintf(v, sizeof v, "%d", n);
        setenv("HM_MEM_FAIL_AT", v, 1);
        mem_fault_reset();
        c = hm_compiler_new();
        if (!c) {
            enomem++;
            streak = 0;
            continue;
        }
        int rc = HM_OK;
        for (int i = 0; i < ss->n && rc == HM_OK; i++)
            rc = hm_compiler_add_source(c, ss->v[i].name, ss->v[i].text, strlen(ss->v[i].text));
        CHILD_CHECK(rc == HM_OK || rc == HM_ENOMEM, "N=%d: add_source returned %d", n, rc);
        if (rc == HM_OK) {
            rc = hm_compiler_check(c);
            CHILD_CHECK(rc == HM_OK || rc == HM_ERR || rc == HM_ENOMEM, "N=%d: check returned %d", n, rc);
            hm_compiler_print_diagnostics(c, devnull);
            if (rc != HM_ENOMEM)
                hm_compiler_dump_ast(c, devnull);
        }
        if (rc == HM_ENOMEM) {
            enomem++;
            streak = 0;
        } else {
            CHILD_CHECK(rc == clean, "N=%d: an allocation failure changed the verdict from %d to %d",
                        n, clean, rc);
            CHILD_CHECK(clean != HM_ERR || hm_compiler_error_count(c) >= 1, "N=%d: HM_ERR without errors", n);
            streak++;
        }
        hm_compiler_free(c);
    }
    fclose(devnull);
    CHILD_CHECK(streak >= 50, "still failing after %d allocations", n - 1);
    CHILD_CHECK(enomem >= 5, "only %d runs failed", enomem);
}

START_TEST(test_oom_loop_rich_policy)
{
    const struct src s[] = { { "rich.pol", RICH } };
    const struct srcs ss = { s, 1 };
    run_in_child(oom_loop_child, &ss);
}
END_TEST

START_TEST(test_oom_loop_broken_policy)
{
    const struct src s[] = { { "t.pol", BROKEN } };
    const struct srcs ss = { s, 1 };
    run_in_child(oom_loop_child, &ss);
}
END_TEST

START_TEST(test_oom_loop_two_modules)
{
    const struct src s[] = {
        { "dibao.pol", CLEAN },
        { "b.pol", "module b\nuse civil.dibao\nuse std.dates\n"
                   "source t { person.birth_date : date }\n"
                   "policy q for person {\n  eligible when reached_age(person.birth_date, 60) \"满60岁\"\n}\n" },
    };
    const struct srcs ss = { s, 2 };
    run_in_child(oom_loop_child, &ss);
}
END_TEST

/* A pack large enough that the compilation's arena needs many chunks, so
 * that allocations fail in every phase (parsing, names, types, the
 * whole-pack checks). */
static char *large_pack(int blocks)
{
    size_t cap = (size_t)blocks * 2600 + 1024, k = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    k += (size_t)sprintf(s + k,
                         "module big.pack\n"
                         "source civil_affairs \"民政局\" {\n"
                         "  household.region : text\n"
                         "  household.assets : money \"家庭财产\"\n"
                         "  household.other_housing : bool\n"
                         "  person.monthly_income : money per month\n"
                         "  person.birth_date : date\n"
                         "  person.deceased : bool fresh within 31 days\n"
                         "}\n");
    for (int i = 0; i < blocks; i++)
        k += (size_t)sprintf(s + k,
            "parameter line_%d \"低保标准%d\" : money per month by household.region {\n"
            "  reference \"杭州市民政局 2024 年第 %d 号公告\"\n"
            "  \"330100\": from 2023-07-01 %d, from 2024-07-01 %d\n"
            "  default: 1200\n"
            "}\n"
            "parameter age_min_%d \"领取年龄%d\" : int {\n  from 2020-01-01 80\n  from 2025-01-01 75\n}\n"
            "policy policy_%d \"城乡居民最低生活保障%d\" for household {\n"
            "  let living_%d = household.members where not deceased\n"
            "  let 收入_%d = sum(m.monthly_income for m in living_%d)\n"
            "  let per_cap_%d = 收入_%d / count(living_%d)\n"
            "  let 老人_%d = count(living_%d where age(birth_date) >= age_min_%d)\n"
            "  let rate_%d = 60%%\n"
            "    except when 老人_%d > 0 then 80%% \"有老人的家庭按80%%计发\" priority 1\n"
            "  eligible when all {\n"
            "    per_cap_%d < line_%d \"家庭人均月收入 {per_cap_%d} 元低于低保标准 {line_%d} 元\"\n"
            "    household.assets <= 24 * line_%d * count(living_%d) \"家庭财产不超过低保标准的24倍\"\n"
            "    not household.other_housing \"家庭无其他住房\"\n"
            "    any \"家庭有在世成员\" {\n"
            "      count(living_%d) > 0 \"家庭至少有一名在世成员\"\n"
            "      household.region == \"330100\" \"杭州市区\"\n"
            "    }\n"
            "  }\n"
            "  amount (line_%d - per_cap_%d) * count(living_%d) * rate_%d\n"
            "}\n",
            i, i, i, 1300 + i % 100, 1400 + i % 100, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i,
            i, i, i, i, i, i, i, i);
    ck_assert_uint_lt(k, cap);
    return s;
}

START_TEST(test_large_pack_is_clean)
{
    char *s = large_pack(150);
    int rc = check_one(s);
    free(s);
    ck_assert_msg(rc == HM_OK, "%s", diags());
    ck_assert_int_eq(hm_compiler_warning_count(C), 0);
}
END_TEST

START_TEST(test_oom_loop_large_pack)
{
    char *text = large_pack(150);
    const struct src s[] = { { "big.pol", text } };
    const struct srcs ss = { s, 1 };
    run_in_child(oom_loop_child, &ss);
    free(text);
}
END_TEST

/* after HM_ENOMEM, checking again must not report a broken policy as clean */
static void oom_retry_child(const void *arg)
{
    (void)arg;
    for (int n = 1; n <= 3000; n++) {
        char v[16];
        snprintf(v, sizeof v, "%d", n);
        setenv("HM_MEM_FAIL_AT", v, 1);
        mem_fault_reset();
        hm_compiler *c = hm_compiler_new();
        if (!c)
            continue;
        if (hm_compiler_add_source(c, "t.pol", BROKEN, strlen(BROKEN)) != HM_OK) {
            hm_compiler_free(c);
            continue;
        }
        int rc = hm_compiler_check(c);
        if (rc != HM_ENOMEM) {
            hm_compiler_free(c);
            break;
        }
        int again = hm_compiler_check(c);
        hm_compiler_free(c);
        CHILD_CHECK(again != HM_OK, "N=%d: check after HM_ENOMEM returned HM_OK for a broken policy", n);
    }
}

START_TEST(test_oom_retry_does_not_claim_clean)
{
    run_in_child(oom_retry_child, NULL);
}
END_TEST

static void oom_dir_child(const void *arg)
{
    const char *dir = arg;
    int streak = 0, n;
    for (n = 1; n <= 5000 && streak < 30; n++) {
        char v[16];
        snprintf(v, sizeof v, "%d", n);
        setenv("HM_MEM_FAIL_AT", v, 1);
        mem_fault_reset();
        hm_compiler *c = hm_compiler_new();
        if (!c)
            continue;
        int rc = hm_compiler_add_path(c, dir);
        CHILD_CHECK(rc == HM_OK || rc == HM_ENOMEM, "N=%d: add_path returned %d", n, rc);
        if (rc == HM_OK) {
            rc = hm_compiler_check(c);
            CHILD_CHECK(rc == HM_ERR || rc == HM_ENOMEM, "N=%d: check returned %d", n, rc);
        }
        streak = rc == HM_ENOMEM ? 0 : streak + 1;
        hm_compiler_free(c);
    }
    CHILD_CHECK(streak >= 30, "still failing after %d allocations", n - 1);
}

START_TEST(test_oom_add_path_directory)
{
    mktmp();
    make_dir("sub");
    write_file("a.pol", "module a\nfunction 加倍(x: int) : int = x * 2\n");
    write_file("b.pol", "module b\nuse a\npolicy p for person {\n  eligible when 加倍(1) > 1 \"m\"\n}\n");
    write_file("sub/c.pol", "module c\nuse b\npolicy q for person {\n  eligible when zz \"m\"\n}\n");
    run_in_child(oom_dir_child, tmpdir);
}
END_TEST

/* an empty directory (no entries at all), checked in a child: under UBSan an
 * undefined-behaviour report aborts it */
static void empty_dir_child(const void *arg)
{
    hm_compiler *c = hm_compiler_new();
    CHILD_CHECK(c != NULL, "no compiler");
    int rc = hm_compiler_add_path(c, arg);
    CHILD_CHECK(rc == HM_OK, "add_path of an empty directory returned %d", rc);
    rc = hm_compiler_check(c);
    CHILD_CHECK(rc == HM_OK, "check of an empty directory returned %d", rc);
    hm_compiler_free(c);
}

START_TEST(test_add_path_really_empty_directory)
{
    mktmp();
    make_dir("nothing");
    make_dir("empty.pol");
    char p[512];
    snprintf(p, sizeof p, "%s/nothing", tmpdir);
    run_in_child(empty_dir_child, p);
    snprintf(p, sizeof p, "%s/empty.pol", tmpdir);
    run_in_child(empty_dir_child, p);
}
END_TEST

START_TEST(test_oom_compiler_new)
{
    hm_compiler_free(C);
    C = NULL;
    setenv("HM_MEM_FAIL_AT", "1", 1);
    mem_fault_reset();
    hm_compiler *c = hm_compiler_new();
    ck_assert_ptr_null(c);
    /* the failure happens once: the next one works */
    c = hm_compiler_new();
    ck_assert_ptr_nonnull(c);
    hm_compiler_free(c);
}
END_TEST

START_TEST(test_oom_everything_fails_after_add)
{
    /* every allocation from check on fails */
    ck_assert_int_eq(add("rich.pol", RICH), HM_OK);
    setenv("HM_MEM_FAIL_AFTER", "1", 1);
    mem_fault_reset();
    int rc = hm_compiler_check(C);
    FILE *devnull = fopen("/dev/null", "w");
    hm_compiler_print_diagnostics(C, devnull);
    fclose(devnull);
    unsetenv("HM_MEM_FAIL_AFTER");
    mem_fault_reset();
    ck_assert_int_eq(rc, HM_ENOMEM);
}
END_TEST

/* 300 person policies and a household policy reading person policy
 * `named` of each member; the status of compiling it, its disassembly in
 * *text (mem_free). */
static int compile_300_policies(int named, char **text_out)
{
    size_t cap = 64 * 1024, len = 0;
    char *text = mem_alloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)snprintf(text + len, cap - len, "source s {\n  person.g : int\n}\n");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "policy p%d for person {\n  eligible when person.g == %d \"g\"\n}\n", i, i);
    len += (size_t)snprintf(text + len, cap - len,
                            "policy h for household {\n"
                            "  eligible when any(m.p%d.eligible for m in household.members) \"someone\"\n}\n",
                            named);
    ck_assert_uint_lt(len, cap);
    hm_compiler_free(C);
    C = hm_compiler_new();
    ck_assert_ptr_nonnull(C);
    ck_assert_int_eq(add("big.pol", text), HM_OK);
    mem_free(text);
    size_t n = 0;
    FILE *fp = open_memstream(text_out, &n);
    ck_assert_ptr_nonnull(fp);
    int rc = hm_compiler_disasm(C, fp);
    fclose(fp);
    return rc;
}

/* A policy numbered past what an 8-bit operand holds, named where the
 * bytecode has 8 bits for it (a person's decision read from a household
 * policy): the operand holds 255 and an EXTRAARG the policy's number.
 * The first 255 fit.  (tests/pol/gen-wide.sh runs such packs.) */
START_TEST(test_index_past_an_operand_goes_on)
{
    char *dis = NULL;
    ck_assert_int_eq(compile_300_policies(299, &dis), HM_OK);
    ck_assert_ptr_nonnull(strstr(dis, "PELIG"));
    ck_assert_ptr_nonnull(strstr(dis, "p299 "));
    ck_assert_ptr_nonnull(strstr(dis, "EXTRAARG    299 "));
    free(dis);
    ck_assert_int_eq(compile_300_policies(254, &dis), HM_OK);
    ck_assert_ptr_nonnull(strstr(dis, "p254 "));
    ck_assert_ptr_null(strstr(dis, "EXTRAARG"));
    free(dis);
}
END_TEST

Suite *hm_frontend_suite(void)
{
    Suite *s = suite_create("frontend");

    TCase *pol = tcase_create("policies");
    tcase_add_checked_fixture(pol, fe_setup, fe_teardown);
    tcase_set_timeout(pol, 30);
    tcase_add_test(pol, test_clean_policy);
    tcase_add_test(pol, test_rich_policy_is_clean);
    tcase_add_test(pol, test_broken_policy_reports_everything);
    tcase_add_test(pol, test_unknown_name_column_after_chinese);
    tcase_add_test(pol, test_warning_only_is_ok);
    tcase_add_test(pol, test_condition_without_message);
    tcase_add_test(pol, test_syntax_error_then_semantic_error);
    tcase_add_test(pol, test_unterminated_string_in_policy);
    tcase_add_test(pol, test_money_period_mismatch);
    tcase_add_test(pol, test_docs_aggregate_forms);
    tcase_add_test(pol, test_documented_keywords_are_reserved);
    tcase_add_test(pol, test_index_past_an_operand_goes_on);
    suite_add_tcase(s, pol);

    TCase *hos = tcase_create("hostile");
    tcase_add_checked_fixture(hos, fe_setup, fe_teardown);
    tcase_set_timeout(hos, 60);
    tcase_add_test(hos, test_invalid_utf8_policy);
    tcase_add_test(hos, test_nul_bytes_policy);
    tcase_add_test(hos, test_empty_source);
    tcase_add_test(hos, test_only_comments);
    tcase_add_test(hos, test_crlf_policy);
    tcase_add_test(hos, test_deep_parentheses_refused);
    tcase_add_test(hos, test_long_operator_chain_no_crash);
    tcase_add_test(hos, test_long_chain_of_and);
    tcase_add_test(hos, test_long_function_cycle_detected);
    suite_add_tcase(s, hos);

    TCase *api = tcase_create("api");
    tcase_add_checked_fixture(api, fe_setup, fe_teardown);
    tcase_set_timeout(api, 30);
    tcase_add_test(api, test_check_twice);
    tcase_add_test(api, test_null_arguments);
    tcase_add_test(api, test_version_and_status_strings);
    tcase_add_test(api, test_add_path_missing_file);
    tcase_add_test(api, test_add_path_file);
    tcase_add_test(api, test_add_path_file_with_errors);
    tcase_add_test(api, test_add_path_directory);
    tcase_add_test(api, test_add_path_directory_name_order);
    tcase_add_test(api, test_add_path_empty_directory);
    tcase_add_test(api, test_add_path_too_long);
    tcase_add_test(api, test_use_between_sources);
    tcase_add_test(api, test_use_missing_module);
    tcase_add_test(api, test_use_stdlib);
    tcase_add_test(api, test_duplicate_module);
    tcase_add_test(api, test_module_uses_itself);
    tcase_add_test(api, test_many_sources);
    tcase_add_test(api, test_dump_ast_after_check);
    tcase_add_test(api, test_large_pack_is_clean);
    suite_add_tcase(s, api);

    TCase *oom = tcase_create("oom");
    tcase_add_checked_fixture(oom, fe_setup, fe_teardown);
    tcase_set_timeout(oom, 300);
    tcase_add_test(oom, test_oom_loop_rich_policy);
    tcase_add_test(oom, test_oom_loop_broken_policy);
    tcase_add_test(oom, test_oom_loop_two_modules);
    tcase_add_test(oom, test_oom_loop_large_pack);
    tcase_add_test(oom, test_oom_retry_does_not_claim_clean);
    tcase_add_test(oom, test_oom_add_path_directory);
    tcase_add_test(oom, test_oom_compiler_new);
    tcase_add_test(api, test_add_path_really_empty_directory);
    tcase_add_test(oom, test_oom_everything_fails_after_add);
    suite_add_tcase(s, oom);

    return s;
}
