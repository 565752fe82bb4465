/* api.c -- hm_explain and hm_needs: the explanation of one
 * household, and what it still lacks, as documents (doc.h).  Explain shows
 * the text of the rules: the first explanation on an evaluator compiles
 * the policy files the pack carries, and uses them only if they give the
 * pack's program exactly (hm_compiler_add_pack). */
#include "doc.h"
#include "explain.h"
#include "frontend.h"
#include "household.h"
#include "mem.h"
#include "one.h"
#include "pack.h"
#include "result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The household's facts in a store of their own, as of `day`. */
static int fill(const hm_program *p, const hm_household *h, int32_t day, hm_facts *f)
{
    memset(f, 0, sizeof *f);
    if (facts_init(f, p, 1, h->nmembers) < 0 || household_fill(h, f, h->nmembers, day) < 0) {
        f->texts = NULL;
        facts_free(f);
        return -1;
    }
    /* the reference rows given with the household, for the rows explain shows */
    f->refs = h->tx.refs;
    f->nrefs = h->tx.nrefs;
    return 0;
}

static void unfill(hm_facts *f)
{
    /* the texts and the reference rows are the household's */
    f->texts = NULL;
    f->ntexts = f->captexts = 0;
    f->refs = NULL;
    f->nrefs = 0;
    facts_free(f);
}

/* The checks common to both: arguments, date, policy. */
static int begin(hm_evaluator *e, const hm_household *h, const char *as_of, const char *policy, hm_doc **out,
                 int32_t *day, int32_t *pol, char *err, size_t errlen)
{
    err[0] = '\0';
    if (out)
        *out = NULL;
    if (!e || !h || !out) {
        snprintf(err, errlen, "no evaluator, household or document");
        return HM_EUSAGE;
    }
    const hm_pack *k = evaluator_pack(e);
    if (!k || h->p != pack_program(k)) {
        snprintf(err, errlen, "the household was made for another pack than the evaluator's");
        return HM_EUSAGE;
    }
    if (rt_as_of(as_of, day) != 0) {
        snprintf(err, errlen, "as of \"%s\" is not a date written YYYY-MM-DD", as_of);
        return HM_EUSAGE;
    }
    return batch_find_policy(pack_program(k), policy, pol, err, errlen);
}

/* The pack's policy files, compiled once per evaluator. */
static int sources(hm_evaluator *e, hm_program **p, sema **s, const cg_map **map, char *err, size_t errlen)
{
    hm_compiler **c = evaluator_sources(e);
    if (!*c) {
        if (!(*c = hm_compiler_new()))
            return HM_ENOMEM;
        int rc = hm_compiler_add_pack(*c, evaluator_pack(e));
        if (rc == HM_ENOMEM)
            return rc;
    }
    int rc = compiler_program(*c, p, s);
    if (rc == HM_ERR) {
        /* the diagnostics, as one message */
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
            hm_compiler_print_diagnostics(*c, f);
            fclose(f);
        }
        while (len && text[len - 1] == '\n')
            text[--len] = '\0';
        snprintf(err, errlen, "%s", text ? text : "the pack's policy files have errors");
        free(text);
    }
    if (rc == HM_OK)
        *map = compiler_map(*c);
    return rc;
}

int hm_explain(hm_evaluator *e, const hm_household *h, const char *as_of, const char *policy, int member,
               hm_doc **out, char *err, size_t errlen)
{
    int32_t day, pol;
    int rc = begin(e, h, as_of, policy, out, &day, &pol, err, errlen);
    if (rc != HM_OK)
        return rc;
    if (member < -1 || member >= h->nmembers) {
        snprintf(err, errlen, "member %d: the household has %d member%s (0 to %d, or -1 for all)", member,
                 h->nmembers, h->nmembers == 1 ? "" : "s", h->nmembers - 1);
        return HM_EUSAGE;
    }
    hm_program *p;
    sema *s;
    const cg_map *map;
    if ((rc = sources(e, &p, &s, &map, err, errlen)) != HM_OK)
        return rc;
    hm_facts f;
    if (fill(p, h, day, &f) < 0)
        return HM_ENOMEM;
    ex_input in = { .p = p, .s = s, .map = map, .facts = &f, .as_of = day, .household_id = h->id,
                    .member_ids = h->member_ids, .policy = pol, .member = member,
                    .deep = evaluator_explain_deep(e) };
    json_t *doc = explain_build(&in);
    unfill(&f);
    if (!doc || !(*out = doc_new(doc, DOC_EXPLAIN)))
        return HM_ENOMEM;
    return HM_OK;
}

int hm_needs(hm_evaluator *e, const hm_household *h, const char *as_of, const char *policy, hm_doc **out,
             char *err, size_t errlen)
{
    int32_t day, pol;
    int rc = begin(e, h, as_of, policy, out, &day, &pol, err, errlen);
    if (rc != HM_OK)
        return rc;
    const hm_program *p = pack_program(evaluator_pack(e));
    /* the pack's checked source names the policies a decision waits on */
    hm_program *sp;
    sema *s;
    const cg_map *map;
    if ((rc = sources(e, &sp, &s, &map, err, errlen)) != HM_OK)
        return rc;
    hm_facts f;
    if (fill(p, h, day, &f) < 0)
        return HM_ENOMEM;
    json_t *doc = NULL;
    rc = needs_json(p, s, &f, day, pol, &doc);
    unfill(&f);
    if (rc == HM_OK && !(*out = doc_new(doc, DOC_NEEDS)))
        rc = HM_ENOMEM;
    return rc;
}
