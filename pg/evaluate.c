/* evaluate.c -- huimin.evaluate(pack, household jsonb, as_of): one
 * household's decisions, as `huimin run --given F --format json` gives
 * them.  Everything libhuimin hands back is freed before any error is
 * raised. */
#include "hmpg.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(huimin_evaluate);

static const char *entity_name(int e)
{
    return e == HM_ENTITY_HOUSEHOLD ? "household" : e == HM_ENTITY_PERSON ? "person" : "claim";
}

static const char *status_name(int s)
{
    switch (s) {
    case HM_ELIGIBLE:
        return "eligible";
    case HM_NOT_ELIGIBLE:
        return "not_eligible";
    case HM_NOT_APPLICABLE:
        return "not_applicable";
    default:
        return "undetermined";
    }
}

static const char *period_name(int p)
{
    return p == HM_PERIOD_MONTH ? "month" : p == HM_PERIOD_YEAR ? "year" : p == HM_PERIOD_ONCE ? "once" : NULL;
}

/* "YYYY-MM-DD" of a date argument into buf */
static void date_text(DateADT d, char *buf, size_t n)
{
    int y, m, dd;
    if (DATE_NOT_FINITE(d))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("as_of must be a finite date")));
    j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
    if (y < 1 || y > 9999)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("as_of is out of range: year %d", y)));
    snprintf(buf, n, "%04d-%02d-%02d", y, m, dd);
}

Datum huimin_evaluate(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("pack must not be NULL")));
    if (PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("household must not be NULL")));
    char *pack = text_to_cstring(PG_GETARG_TEXT_PP(0));
    Jsonb *jb = PG_GETARG_JSONB_P(1);
    char as_of[16] = "";
    if (!PG_ARGISNULL(2))
        date_text(PG_GETARG_DATEADT(2), as_of, sizeof as_of);

    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;

    const hm_pack *k = hmpg_pack(pack, NULL);
    hm_evaluator *e = hmpg_evaluator(pack);
    char *json = JsonbToCString(NULL, &jb->root, VARSIZE(jb));

    char err[1024] = "";
    hm_household *h = NULL;
    int rc = hm_household_from_json(k, json, strlen(json), "household", &h, err, sizeof err);
    if (rc != HM_OK)
        ereport(ERROR, (errcode(rc == HM_ENOMEM ? ERRCODE_OUT_OF_MEMORY : ERRCODE_INVALID_TEXT_REPRESENTATION),
                        errmsg("%s", err)));
    hm_result *r = NULL;
    rc = hm_evaluate(e, h, as_of[0] ? as_of : NULL, &r, err, sizeof err);
    hm_household_free(h);
    if (rc != HM_OK)
        ereport(ERROR, (errcode(rc == HM_ENOMEM ? ERRCODE_OUT_OF_MEMORY : ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s", err)));

    /* the rows copied into PostgreSQL's memory first: a failing palloc
     * must not jump over the result */
    PG_TRY();
    {
        int n = hm_result_count(r);
        for (int i = 0; i < n; i++) {
            Datum v[10];
            bool nulls[10] = { 0 };
            int ent = hm_result_entity(r, i), mem = hm_result_member(r, i), claim = hm_result_claim(r, i);
            v[0] = CStringGetTextDatum(hm_result_policy_name(r, i));
            v[1] = CStringGetTextDatum(entity_name(ent));
            nulls[2] = mem < 0;
            v[2] = Int32GetDatum(mem);
            const char *mid = mem >= 0 ? hm_result_member_id(r, i) : NULL;
            nulls[3] = !mid;
            v[3] = mid ? CStringGetTextDatum(mid) : (Datum)0;
            /* a claim's number in its member's list, from 1, as the results database has it */
            nulls[4] = claim < 0;
            v[4] = Int32GetDatum(claim + 1);
            v[5] = CStringGetTextDatum(status_name(hm_result_status(r, i)));
            int has = hm_result_has_amount(r, i);
            nulls[6] = !has;
            v[6] = Int64GetDatum(has ? hm_result_amount(r, i) : 0);
            const char *per = has ? period_name(hm_result_period(r, i)) : NULL;
            nulls[7] = !per;
            v[7] = per ? CStringGetTextDatum(per) : (Datum)0;
            const char *why = hm_result_reason(r, i);
            nulls[8] = !why;
            v[8] = why ? CStringGetTextDatum(why) : (Datum)0;
            int nm = hm_result_missing_count(r, i);
            if (nm > 0) {
                Datum *m = palloc(sizeof(Datum) * nm);
                for (int j = 0; j < nm; j++)
                    m[j] = CStringGetTextDatum(hm_result_missing_fact(r, i, j));
                v[9] = PointerGetDatum(construct_array(m, nm, TEXTOID, -1, false, TYPALIGN_INT));
            } else {
                nulls[9] = true;
                v[9] = (Datum)0;
            }
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
        }
    }
    PG_CATCH();
    {
        hm_result_free(r);
        PG_RE_THROW();
    }
    PG_END_TRY();
    hm_result_free(r);
    return (Datum)0;
}
