/* explain_api.c -- the explanation and the needs of one household through
 * the runtime API only (<huimin.h>): `explain_api PACK FACTS.json DATE`
 * prints the explanation as JSON, a line "--", the needs as JSON, a line
 * "--", the explanation's text for citizens, a line "--", then one line per
 * decision read by walking the document with hm_node_* (policy, member,
 * status, amount), each checked against hm_evaluate's result: a decision
 * the two disagree on fails (exit 1).  run-explain-api.sh compares the
 * parts with what `huimin explain` and `huimin needs` print. */
#include <huimin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n == cap && !(buf = realloc(buf, cap = cap ? cap * 2 : 65536)))
            exit(2);
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *len = n;
    return buf;
}

static const char *status_word(int s)
{
    return s == HM_ELIGIBLE ? "eligible" : s == HM_NOT_ELIGIBLE ? "not_eligible"
         : s == HM_NOT_APPLICABLE ? "not_applicable" : "undetermined";
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: explain_api PACK.hmc FACTS.json DATE\n");
        return 2;
    }
    char err[4096];
    hm_pack *pack;
    hm_household *h;
    size_t len;
    char *json = slurp(argv[2], &len);
    if (!json || hm_pack_load(argv[1], &pack, err, sizeof err) != HM_OK ||
        hm_household_from_json(pack, json, len, argv[2], &h, err, sizeof err) != HM_OK) {
        fprintf(stderr, "explain_api: %s\n", json ? err : "cannot read the facts");
        return 2;
    }
    free(json);
    /* the region table's row the pack's tests give for the family's region */
    const char *attrs[] = { "name", "dibao_line" }, *values[] = { "杭州市区", "1245.00" };
    if (hm_household_add_ref_row(h, "region", "330100", "2024-07-01", attrs, values, 2, err, sizeof err) != HM_OK) {
        fprintf(stderr, "explain_api: %s\n", err);
        return 2;
    }
    hm_evaluator *e = hm_evaluator_new(pack);
    hm_doc *ex, *needs;
    hm_result *r;
    if (!e || hm_explain(e, h, argv[3], NULL, -1, &ex, err, sizeof err) != HM_OK ||
        hm_needs(e, h, argv[3], NULL, &needs, err, sizeof err) != HM_OK ||
        hm_evaluate(e, h, argv[3], &r, err, sizeof err) != HM_OK) {
        fprintf(stderr, "explain_api: %s\n", err);
        return 2;
    }
    char *a = hm_doc_json(ex), *b = hm_doc_json(needs), *c = hm_doc_text(ex, HM_AUDIENCE_CITIZEN);
    printf("%s--\n%s--\n%s--\n", a, b, c);
    hm_free(a);
    hm_free(b);
    hm_free(c);
    /* the decisions, read from the tree, against the result object */
    int bad = 0, k = 0;
    const hm_node *ds = hm_node_get(hm_doc_root(ex), "decisions");
    for (size_t i = 0; i < hm_node_size(ds); i++, k++) {
        const hm_node *d = hm_node_at(ds, i);
        const char *policy = hm_node_string(hm_node_get(d, "policy"));
        const char *status = hm_node_string(hm_node_get(d, "status"));
        const hm_node *m = hm_node_get(d, "member");
        long long member = hm_node_type(m) == HM_NODE_INT ? hm_node_int(m) - 1 : -1;
        const hm_node *amount = hm_node_get(d, "amount");
        printf("%s %lld %s %s\n", policy, member, status,
               hm_node_type(amount) == HM_NODE_STRING ? hm_node_string(amount) : "-");
        if (k >= hm_result_count(r) || strcmp(policy, hm_result_policy_name(r, k)) != 0 ||
            member != hm_result_member(r, k) || strcmp(status, status_word(hm_result_status(r, k))) != 0) {
            fprintf(stderr, "explain_api: decision %d differs from hm_evaluate's\n", k);
            bad = 1;
        }
    }
    if (k != hm_result_count(r)) {
        fprintf(stderr, "explain_api: %d decisions explained, %d evaluated\n", k, hm_result_count(r));
        bad = 1;
    }
    /* refusals: an unknown policy, a member out of range */
    hm_doc *none;
    if (hm_explain(e, h, argv[3], "no_such_policy", -1, &none, err, sizeof err) != HM_EUSAGE || none ||
        !strstr(err, "no_such_policy") ||
        hm_explain(e, h, argv[3], NULL, hm_household_member_count(h), &none, err, sizeof err) != HM_EUSAGE ||
        hm_explain(e, h, "2024-13-01", NULL, -1, &none, err, sizeof err) != HM_EUSAGE) {
        fprintf(stderr, "explain_api: a bad request was not refused\n");
        bad = 1;
    }
    hm_result_free(r);
    hm_doc_free(ex);
    hm_doc_free(needs);
    hm_evaluator_free(e);
    hm_household_free(h);
    hm_pack_free(pack);
    return bad;
}
