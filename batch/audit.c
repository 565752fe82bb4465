/* audit.c -- `huimin audit PACK --config FILE`: a population run, and its
 * decisions reconciled with the payment roll.
 *
 * The roll is a source of the pack (the one marked `roll`): each household
 * and person has a list of payments, each naming a policy of the pack, an
 * amount (its period from its type) and since when.  The run (run.c)
 * reads the roll's facts and the households' regions too, and calls back
 * here once everything is decided, to copy each payment (and whether the
 * person paid is recorded as deceased) and each household's regions while
 * the facts are still held.
 * After the run is committed, the payments go into a temporary table of
 * the results database, next to the run's decisions, and each is put in
 * one category (audit_findings); the summaries are SQL over that table.
 *
 * Categories: a payment to an entity whose decision is not eligible (or
 * not applicable), undetermined, or eligible for another amount; a
 * payment to a person recorded as deceased (also counted by its
 * decision); an eligible decision of a policy the roll pays, with no
 * payment; and the roll's own problems (a policy not in the pack, or of
 * another kind of entity, a payment without its policy or amount).
 *
 * Amounts are compared in the roll's period: a yearly decision against a
 * monthly roll as its twelfth, rounded half away from zero; a monthly one
 * against a yearly roll × 12; lump sums (or a roll amount without a
 * period) are not compared.  Every amount is also given per month and per
 * year (× 12, or a twelfth), never added across periods. */
#include "huimin.h"
#include "calendar.h"
#include "facts.h"
#include "fen.h"
#include "load.h"
#include "html.h"
#include "mask.h"
#include "mem.h"
#include "module.h"
#include "pack.h"
#include "regions.h"
#include "results.h"
#include "run.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* a region's name at its level */
typedef struct region_name {
    char *code, *name;
    int level;
} region_name;

/* one payment of the roll, as read */
typedef struct payment {
    char *entity_id, *household_id;
    char *policy;               /* NULL: the row gives none */
    int person;
    int has_amount, has_since;
    int deceased;               /* 1: the registry records the person deceased */
    int64_t amount;
    int32_t since;
} payment;

typedef struct audit {
    const hm_program *p;
    roll_info roll;
    int period;                 /* the amount's: HM_PERIOD_* (money without one: once) */
    int32_t deceased;           /* person.deceased (bool) when a policy reads it, or -1 */
    int regions;                /* the pack declares `regions by` */
    payment *v;
    size_t n, cap;
    int64_t entities_unknown;   /* entities whose list of payments the source could not give */
    region_name *names;         /* each region's code and name, once */
    size_t nnames;
    uint32_t *slots;            /* names by level and code: index + 1, 0 empty */
    size_t nslots;
    char (*hregion)[REGION_LEVELS][REGION_CODE_MAX + 1];   /* per household, "" when not known */
    int32_t nhouse;
    char *hids;                 /* the households' ids, one after the other (with regions) */
    size_t *hidoff;             /* per household: its id's offset in hids */
} audit;

/* ---- the roll in the pack ------------------------------------------------------ */

/* The roll (the source marked `roll`), the deceased fact, the regions. */
static int find_roll(audit *A, char *err, size_t errlen)
{
    const hm_program *p = A->p;
    A->deceased = -1;
    for (int32_t f = 0; f < p->nfields; f++) {
        const hm_field *fd = &p->fields[f];
        if (fd->records == FIELD_VALUE && fd->vtype == VT_BOOL && fd->entity == ENT_PERSON &&
            !strcmp(prog_str(p, fd->name), "person.deceased"))
            A->deceased = f;
    }
    A->regions = regions_field(p) >= 0;
    if (!roll_find(p, &A->roll)) {
        snprintf(err, errlen, "the policies declare no payment roll: mark its source with `roll` (source NAME "
                 "\"…\" roll { household.payments : list of R … }, see docs/audit.md)");
        return HM_EUSAGE;
    }
    const hm_roll *a = A->roll.household, *b = A->roll.person;
    A->period = p->fields[(a ? a : b)->amount].period;
    if (a && b && p->fields[b->amount].period != A->period) {
        snprintf(err, errlen, "the roll's amounts of households and of persons have different periods");
        return HM_EUSAGE;
    }
    return HM_OK;
}

/* The name of the roll's fact of households (0) or persons (1), or NULL. */
static const char *roll_fact(const audit *A, int person)
{
    const hm_roll *r = person ? A->roll.person : A->roll.household;
    return r ? prog_str(A->p, A->p->fields[r->field].name) : NULL;
}

/* ---- the payments, copied while the facts are held ------------------------------- */

static int add_payments(audit *A, const hm_load *L, int person, int32_t owner, int32_t hh)
{
    const hm_program *p = A->p;
    const hm_facts *f = &L->facts;
    const hm_roll *r = person ? A->roll.person : A->roll.household;
    if (!r)
        return 0;
    int32_t n = roll_count(p, f, r, owner, NULL);
    if (n < 0) {
        A->entities_unknown++;
        return 0;
    }
    int dead = 0;
    if (person && A->deceased >= 0) {
        const hm_column *c = &f->pcol[p->fields[A->deceased].column];
        dead = c->state[owner] == FACT_KNOWN && c->v[owner] != 0;
    }
    char idb[LOAD_ID_BUF], hidb[LOAD_ID_BUF];
    for (int32_t k = 0; k < n; k++) {
        if (A->n == A->cap) {
            size_t cap = A->cap ? 2 * A->cap : 256;
            payment *v = mem_realloc(A->v, cap * sizeof *v);
            if (!v)
                return -1;
            A->v = v;
            A->cap = cap;
        }
        roll_payment rp;
        roll_payment_at(p, f, r, owner, k, &rp);
        payment *y = &A->v[A->n];
        memset(y, 0, sizeof *y);
        A->n++;
        y->person = person;
        y->deceased = dead;
        y->entity_id = mem_strdup(load_id(L, person, owner, idb));
        y->household_id = mem_strdup(load_id(L, 0, hh, hidb));
        if (!y->entity_id || !y->household_id || (rp.policy && !(y->policy = mem_strdup(rp.policy))))
            return -1;
        y->has_amount = rp.has_amount;
        y->amount = rp.amount;
        y->has_since = rp.has_since;
        y->since = rp.since;
    }
    return 0;
}

static uint32_t name_hash(int level, const char *code)
{
    uint32_t h = 2166136261u ^ (uint32_t)level;
    for (; *code; code++)
        h = (h ^ (unsigned char)*code) * 16777619u;
    return h;
}

/* Keep the name of region `code` at `level`, once.  -1 out of memory. */
static int add_name(audit *A, int level, const char *code, const char *name)
{
    if (2 * (A->nnames + 1) > A->nslots) {
        size_t n = A->nslots ? 2 * A->nslots : 256;
        uint32_t *sl = mem_calloc(n, sizeof *sl);
        region_name *v = mem_realloc(A->names, n / 2 * sizeof *v);
        if (!sl || !v) {
            mem_free(sl);
            if (v)
                A->names = v;
            return -1;
        }
        A->names = v;
        for (size_t i = 0; i < A->nnames; i++) {
            size_t k = name_hash(v[i].level, v[i].code) & (n - 1);
            while (sl[k])
                k = (k + 1) & (n - 1);
            sl[k] = (uint32_t)i + 1;
        }
        mem_free(A->slots);
        A->slots = sl;
        A->nslots = n;
    }
    size_t k = name_hash(level, code) & (A->nslots - 1);
    for (; A->slots[k]; k = (k + 1) & (A->nslots - 1)) {
        const region_name *r = &A->names[A->slots[k] - 1];
        if (r->level == level && !strcmp(r->code, code))
            return 0;
    }
    region_name *r = &A->names[A->nnames];
    r->level = level;
    r->code = mem_strdup(code);
    r->name = mem_strdup(name);
    if (!r->code || !r->name) {
        mem_free(r->code);
        mem_free(r->name);
        return -1;
    }
    A->slots[k] = (uint32_t)++A->nnames;
    return 0;
}

/* Each household's regions (codes), and the names of those regions. */
static int read_regions(audit *A, const hm_load *L)
{
    const hm_facts *f = &L->facts;
    A->nhouse = f->nhouse;
    if (!(A->hregion = mem_calloc((size_t)f->nhouse + 1, sizeof *A->hregion)) ||
        !(A->hidoff = mem_alloc(((size_t)f->nhouse + 1) * sizeof *A->hidoff)))
        return -1;
    size_t used = 0, cap = 0;
    for (int32_t h = 0; h < f->nhouse; h++) {
        char idb[LOAD_ID_BUF];
        const char *id = load_id(L, 0, h, idb);
        size_t len = strlen(id) + 1;
        if (used + len > cap) {
            size_t c = cap ? 2 * cap : 1 << 16;
            while (c < used + len)
                c *= 2;
            char *v = mem_realloc(A->hids, c);
            if (!v)
                return -1;
            A->hids = v;
            cap = c;
        }
        memcpy(A->hids + used, id, len);
        A->hidoff[h] = used;
        used += len;
        hm_region rg;
        if (region_of(A->p, f, h, L->as_of, &rg) != REGION_KNOWN)
            continue;
        for (int l = 0; l < REGION_LEVELS; l++) {
            memcpy(A->hregion[h][l], rg.code[l], sizeof rg.code[l]);
            if (rg.name[l] && add_name(A, l, rg.code[l], rg.name[l]))
                return -1;
        }
    }
    return 0;
}

/* Every decision of the entities the roll pays is stored (the not
 * eligible ones too); of the others, the eligible and undetermined. */
static int keep_paid(void *ctx, const hm_load *L, uint8_t *keep, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    audit *A = ctx;
    const hm_facts *f = &L->facts;
    for (int32_t h = 0; A->roll.household && h < f->nhouse; h++)
        keep[h] = roll_count(A->p, f, A->roll.household, h, NULL) > 0;
    for (int32_t i = 0; A->roll.person && i < f->nperson; i++)
        keep[(size_t)f->nhouse + (size_t)i] = roll_count(A->p, f, A->roll.person, i, NULL) > 0;
    return HM_OK;
}

static int decided(void *ctx, const hm_load *L, char *err, size_t errlen)
{
    audit *A = ctx;
    const hm_facts *f = &L->facts;
    /* a registry the policies do not read is not read for the audit */
    if (A->deceased >= 0 && L->needed[A->deceased] != 1)
        A->deceased = -1;
    if (A->regions && read_regions(A, L)) {
        snprintf(err, errlen, "out of memory");
        return HM_ENOMEM;
    }
    for (int32_t h = 0; h < f->nhouse; h++) {
        int bad = add_payments(A, L, 0, h, h);
        for (int32_t m = 0; !bad && m < f->hh_count[h]; m++)
            bad = add_payments(A, L, 1, f->hh_first[h] + m, h);
        if (bad) {
            snprintf(err, errlen, "out of memory");
            return HM_ENOMEM;
        }
    }
    return HM_OK;
}

static void audit_free(audit *A)
{
    for (size_t i = 0; i < A->n; i++) {
        mem_free(A->v[i].entity_id);
        mem_free(A->v[i].household_id);
        mem_free(A->v[i].policy);
    }
    mem_free(A->v);
    for (size_t i = 0; i < A->nnames; i++) {
        mem_free(A->names[i].code);
        mem_free(A->names[i].name);
    }
    mem_free(A->names);
    mem_free(A->slots);
    mem_free(A->hregion);
    mem_free(A->hids);
    mem_free(A->hidoff);
}

/* ---- amounts ------------------------------------------------------------------- */

/* a / 12 rounded half away from zero */
static int64_t twelfth(int64_t a)
{
    return a >= 0 ? a / 12 + (a % 12 >= 6) : -((-(a + 1) + 1) / 12 + ((-(a + 1) + 1) % 12 >= 6));
}

/* The amount a of period `per` per month and per year (NULL for a lump
 * sum or no period): -1 when × 12 overflows. */
static int per_month_year(int64_t a, int per, int64_t *month, int64_t *year, int *has)
{
    *has = per == HM_PERIOD_MONTH || per == HM_PERIOD_YEAR;
    if (per == HM_PERIOD_MONTH) {
        *month = a;
        return __builtin_mul_overflow(a, 12, year) ? -1 : 0;
    }
    if (per == HM_PERIOD_YEAR) {
        *year = a;
        *month = twelfth(a);
    }
    return 0;
}

static const char *period_key(int period)
{
    return period == HM_PERIOD_MONTH ? "month" : period == HM_PERIOD_YEAR ? "year"
         : period == HM_PERIOD_ONCE ? "once" : NULL;
}

/* ---- the findings --------------------------------------------------------------- */

/* the categories, in the order printed, with what they mean */
static const char *const CATEGORIES[][2] = {
    { "eligible_not_paid", "eligible, not paid (漏保)" },
    { "paid_not_eligible", "paid, not eligible (错保)" },
    { "paid_undetermined", "paid while undetermined" },
    { "paid_different_amount", "paid another amount" },
    { "paid_deceased", "paid to a person recorded deceased" },
    { "roll_unknown_policy", "roll: no such policy in the pack" },
    { "roll_wrong_entity", "roll: the policy decides another kind of entity" },
    { "roll_incomplete", "roll: a payment without its policy or amount" },
};
#define NCATEGORIES (int)(sizeof CATEGORIES / sizeof CATEGORIES[0])

static const char *category_label(const char *key)
{
    for (int i = 0; i < NCATEGORIES; i++)
        if (!strcmp(CATEGORIES[i][0], key))
            return CATEGORIES[i][1];
    return key;
}

typedef struct session {
    audit *A;
    sqlite3 *db;
    int64_t run_id, audit_id;
    sqlite3_stmt *ins;
    char *err;
    size_t errlen;
    int64_t paid_as_decided, not_compared;
} session;

static int sql_fail(session *S, const char *what)
{
    snprintf(S->err, S->errlen, "%s: %s", what, sqlite3_errmsg(S->db));
    return HM_EIO;
}

static int exec(session *S, const char *sql)
{
    return sqlite3_exec(S->db, sql, NULL, NULL, NULL) == SQLITE_OK ? HM_OK : sql_fail(S, "audit");
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *t)
{
    if (t)
        sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* one finding; amounts: has_* 0 for NULL */
typedef struct finding {
    const char *category, *policy, *kind, *entity_id, *household_id, *reason, *detail;
    int has_paid, has_decided;
    int64_t paid, decided;
    int decided_period;
    const char *since;
    int64_t stake;              /* the amount at stake, of period stake_period */
    int has_stake, stake_period;
} finding;

static int insert(session *S, const finding *F)
{
    sqlite3_stmt *st = S->ins;
    int64_t month = 0, year = 0;
    int has = 0;
    if (F->has_stake && per_month_year(F->stake, F->stake_period, &month, &year, &has)) {
        char a[32];
        fen_format(F->stake, a, sizeof a);
        snprintf(S->err, S->errlen, "%s of %s: %s per month × 12 is beyond the range of money", F->category,
                 F->policy ? F->policy : "?", a);
        return HM_EUSAGE;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, S->audit_id);
    sqlite3_bind_text(st, 2, F->category, -1, SQLITE_STATIC);
    bind_text_or_null(st, 3, F->policy);
    bind_text_or_null(st, 4, F->kind);
    bind_text_or_null(st, 5, F->entity_id);
    bind_text_or_null(st, 6, F->household_id);
    bind_text_or_null(st, 7, F->reason);
    bind_text_or_null(st, 8, F->detail);
    if (F->has_paid) {
        sqlite3_bind_int64(st, 9, F->paid);
        bind_text_or_null(st, 10, period_key(S->A->period));
    }
    if (F->has_decided) {
        sqlite3_bind_int64(st, 11, F->decided);
        bind_text_or_null(st, 12, period_key(F->decided_period));
    }
    if (F->has_stake && has) {
        sqlite3_bind_int64(st, 13, month);
        sqlite3_bind_int64(st, 14, year);
    }
    bind_text_or_null(st, 15, F->since);
    if (sqlite3_step(st) != SQLITE_DONE)
        return sql_fail(S, "audit_findings");
    return HM_OK;
}

/* "household.assets (stale), person.x" with each fact's source:
 * "household.assets (stale) from civil_affairs, person.x from registry" */
static char *with_sources(const hm_program *p, const char *missing)
{
    size_t cap = strlen(missing) * 2 + 64, at = 0;
    char *out = mem_alloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    const char *s = missing;
    while (*s) {
        const char *e = strstr(s, ", ");
        size_t len = e ? (size_t)(e - s) : strlen(s);
        size_t nl = 0;
        while (nl < len && s[nl] != ' ')
            nl++;
        const char *src = NULL;
        for (int32_t f = 0; f < p->nfields && !src; f++) {
            const char *name = prog_str(p, p->fields[f].name);
            if (strlen(name) == nl && !strncmp(name, s, nl))
                src = prog_str(p, p->fields[f].source);
        }
        size_t need = at + len + (src ? strlen(src) : 0) + 16;
        if (need > cap) {
            char *o = mem_realloc(out, need * 2);
            if (!o) {
                mem_free(out);
                return NULL;
            }
            out = o;
            cap = need * 2;
        }
        at += (size_t)snprintf(out + at, cap - at, "%s%.*s%s%s", at ? ", " : "",
                               (int)len, s, src ? " from " : "", src ? src : "");
        s = e ? e + 2 : s + len;
    }
    return out;
}

/* temp.reads: the policies each policy reads the decision of, directly
 * or through another (the edges the verifier follows) */
static int fill_reads(session *S)
{
    const hm_program *p = S->A->p;
    int32_t nodes = p->nfns + p->npolicies;
    uint8_t *seen = mem_alloc((size_t)nodes + 1);
    int32_t *stack = mem_alloc(((size_t)nodes + 1) * sizeof *stack);
    int32_t *edges = NULL;
    size_t capedges = 0;
    sqlite3_stmt *st = NULL;
    int rc = HM_ENOMEM;
    if (!seen || !stack)
        goto done;
    rc = HM_OK;
    if (sqlite3_prepare_v2(S->db, "INSERT INTO temp.reads VALUES (?1, ?2)", -1, &st, NULL) != SQLITE_OK) {
        rc = sql_fail(S, "audit");
        goto done;
    }
    for (int32_t i = 0; i < p->npolicies && rc == HM_OK; i++) {
        memset(seen, 0, (size_t)nodes);
        int32_t top = 0;
        stack[top++] = p->nfns + i;
        seen[p->nfns + i] = 1;
        while (top && rc == HM_OK) {
            int32_t node = stack[--top], n = prog_node_edges(p, node, NULL);
            if ((size_t)n > capedges) {
                int32_t *e = mem_realloc(edges, (size_t)n * sizeof *e);
                if (!e) {
                    rc = HM_ENOMEM;
                    break;
                }
                edges = e;
                capedges = (size_t)n;
            }
            prog_node_edges(p, node, edges);
            for (int32_t k = 0; k < n; k++) {
                int32_t to = edges[k];
                if (to < 0 || to >= nodes || seen[to])
                    continue;
                seen[to] = 1;
                stack[top++] = to;
                if (to < p->nfns)
                    continue;
                sqlite3_reset(st);
                sqlite3_bind_text(st, 1, prog_str(p, p->policies[i].name), -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, prog_str(p, p->policies[to - p->nfns].name), -1, SQLITE_STATIC);
                if (sqlite3_step(st) != SQLITE_DONE)
                    rc = sql_fail(S, "audit");
            }
        }
    }
done:
    if (rc == HM_ENOMEM)
        snprintf(S->err, S->errlen, "out of memory");
    sqlite3_finalize(st);
    mem_free(seen);
    mem_free(stack);
    mem_free(edges);
    return rc;
}

static int fill_roll(session *S)
{
    audit *A = S->A;
    int rc = exec(S, "CREATE TEMP TABLE roll(n INTEGER PRIMARY KEY, kind TEXT NOT NULL, entity_id TEXT NOT NULL, "
                     "household_id TEXT NOT NULL, policy TEXT, amount_fen INTEGER, since TEXT, deceased INTEGER)");
    if (rc)
        return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(S->db, "INSERT INTO temp.roll VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL))
        return sql_fail(S, "audit");
    for (size_t i = 0; i < A->n; i++) {
        const payment *y = &A->v[i];
        char since[16];
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        sqlite3_bind_int64(st, 1, (int64_t)i + 1);
        sqlite3_bind_text(st, 2, y->person ? "person" : "household", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, y->entity_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, y->household_id, -1, SQLITE_STATIC);
        bind_text_or_null(st, 5, y->policy);
        if (y->has_amount)
            sqlite3_bind_int64(st, 6, y->amount);
        if (y->has_since) {
            cal_format(y->since, since);
            sqlite3_bind_text(st, 7, since, -1, SQLITE_TRANSIENT);
        }
        sqlite3_bind_int(st, 8, y->deceased);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            return sql_fail(S, "audit");
        }
    }
    sqlite3_finalize(st);
    if (A->regions) {
        if ((rc = exec(S, "CREATE TEMP TABLE region(household_id TEXT PRIMARY KEY, township TEXT, county TEXT, "
                          "city TEXT) WITHOUT ROWID")))
            return rc;
        if (sqlite3_prepare_v2(S->db, "INSERT OR IGNORE INTO temp.region VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL))
            return sql_fail(S, "audit");
        for (int32_t h = 0; h < A->nhouse; h++) {
            if (!A->hregion[h][0][0])
                continue;
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, A->hids + A->hidoff[h], -1, SQLITE_STATIC);
            for (int l = 0; l < REGION_LEVELS; l++)
                sqlite3_bind_text(st, 2 + l, A->hregion[h][l], -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) {
                sqlite3_finalize(st);
                return sql_fail(S, "audit");
            }
        }
        sqlite3_finalize(st);
    }
    /* the run's decisions of the policies the roll pays, once, with the
     * ids as text (a population of integer ids stores integers) */
    char sql[2048];
    snprintf(sql, sizeof sql,
             "CREATE INDEX temp.roll_by ON roll(policy, kind, entity_id);\n"
             "CREATE TEMP TABLE dec AS SELECT d.entity_kind AS kind, CAST(d.entity_id AS TEXT) AS entity_id,\n"
             "  CAST(coalesce(d.household_id, d.entity_id) AS TEXT) AS household_id, d.policy, d.status,\n"
             "  d.amount_fen, p.period, d.reason, d.missing, d.message\n"
             "  FROM decisions d JOIN run_policies p ON p.run_id = d.run_id AND p.name = d.policy\n"
             "  WHERE d.run_id = %lld AND d.claim IS NULL AND d.policy IN (SELECT policy FROM temp.roll);\n"
             "CREATE INDEX temp.dec_by ON dec(policy, kind, entity_id);\n"
             /* the households' undetermined decisions, which a person's
              * decision with its own facts known may be undetermined by */
             "CREATE TEMP TABLE hund AS SELECT CAST(entity_id AS TEXT) AS household_id, policy FROM decisions\n"
             "  WHERE run_id = %lld AND entity_kind = 'household' AND status = 'undetermined';\n"
             "CREATE INDEX temp.hund_by ON hund(household_id, policy);\n"
             "CREATE TEMP TABLE reads(policy TEXT NOT NULL, dep TEXT NOT NULL);",
             (long long)S->run_id, (long long)S->run_id);
    if ((rc = exec(S, sql)))
        return rc;
    return fill_reads(S);
}

/* each payment in its category */
static int classify_payments(session *S)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT x.kind, x.entity_id, x.household_id, x.policy, x.amount_fen, x.since, x.deceased,\n"
             "       p.entity_kind, d.status, d.amount_fen, d.period, d.reason, d.missing, d.message,\n"
             "       p.name IS NOT NULL, (SELECT group_concat(u.policy, ', ') FROM temp.reads r JOIN temp.hund u\n"
             "         ON u.household_id = x.household_id AND u.policy = r.dep WHERE r.policy = x.policy)\n"
             "FROM temp.roll x\n"
             "LEFT JOIN run_policies p ON p.run_id = %lld AND p.name = x.policy\n"
             "LEFT JOIN temp.dec d ON d.policy = x.policy AND d.kind = x.kind AND d.entity_id = x.entity_id\n"
             "ORDER BY x.n",
             (long long)S->run_id);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(S->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(S, "audit");
    int rc = HM_OK, step;
    while (rc == HM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        finding F;
        memset(&F, 0, sizeof F);
        F.kind = (const char *)sqlite3_column_text(st, 0);
        F.entity_id = (const char *)sqlite3_column_text(st, 1);
        F.household_id = (const char *)sqlite3_column_text(st, 2);
        F.policy = (const char *)sqlite3_column_text(st, 3);
        F.has_paid = sqlite3_column_type(st, 4) != SQLITE_NULL;
        F.paid = sqlite3_column_int64(st, 4);
        F.since = (const char *)sqlite3_column_text(st, 5);
        int dead = sqlite3_column_int(st, 6);
        const char *pkind = (const char *)sqlite3_column_text(st, 7);
        const char *status = (const char *)sqlite3_column_text(st, 8);
        F.has_decided = sqlite3_column_type(st, 9) != SQLITE_NULL;
        F.decided = sqlite3_column_int64(st, 9);
        F.decided_period = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 10);
        const char *reason = (const char *)sqlite3_column_text(st, 11);
        const char *missing = (const char *)sqlite3_column_text(st, 12);
        F.detail = (const char *)sqlite3_column_text(st, 13);
        /* the money paid is what is at stake, unless said otherwise */
        F.has_stake = F.has_paid;
        F.stake = F.paid;
        F.stake_period = S->A->period;
        char buf[256];
        char *owned = NULL;
        if (!F.policy || !F.has_paid) {
            F.category = "roll_incomplete";
            F.reason = !F.policy ? "no policy named" : "no amount";
        } else if (!sqlite3_column_int(st, 14)) {
            F.category = "roll_unknown_policy";
            snprintf(buf, sizeof buf, "no policy `%s` in the pack", F.policy);
            F.reason = buf;
        } else if (!status) {
            F.category = "roll_wrong_entity";
            snprintf(buf, sizeof buf, "`%s` decides %s%s, the roll pays a %s", F.policy,
                     pkind ? pkind : "?", pkind && !strcmp(pkind, "claim") ? "s" : "s", F.kind);
            F.reason = buf;
        } else if (!strcmp(status, "not_eligible") || !strcmp(status, "not_applicable")) {
            F.category = "paid_not_eligible";
            F.reason = !strcmp(status, "not_applicable") ? "not applicable" : reason ? reason : "not eligible";
        } else if (!strcmp(status, "undetermined")) {
            F.category = "paid_undetermined";
            const char *hund = (const char *)sqlite3_column_text(st, 15);
            if (missing && *missing) {
                if (!(owned = with_sources(S->A->p, missing))) {
                    rc = HM_ENOMEM;
                    snprintf(S->err, S->errlen, "out of memory");
                    break;
                }
                F.reason = owned;
            } else if (reason) {
                F.reason = reason;
            } else if (hund) {
                snprintf(buf, sizeof buf, "its own facts known; it reads the household's undetermined %s", hund);
                F.reason = buf;
            } else {
                F.reason = "undetermined";
            }
        } else {
            /* eligible: the amounts in the roll's period */
            int rp = S->A->period, dp = F.decided_period;
            int64_t want = F.decided;
            int comparable = F.has_decided && (rp == HM_PERIOD_MONTH || rp == HM_PERIOD_YEAR) &&
                             (dp == HM_PERIOD_MONTH || dp == HM_PERIOD_YEAR);
            if (comparable && dp != rp)
                comparable = rp == HM_PERIOD_MONTH ? (want = twelfth(F.decided), 1)
                                                   : !__builtin_mul_overflow(F.decided, 12, &want);
            if (!comparable)
                S->not_compared++;
            else if (want == F.paid)
                S->paid_as_decided++;
            else {
                F.category = "paid_different_amount";
                char a[32], b[32];
                fen_format(F.paid, a, sizeof a);
                fen_format(want, b, sizeof b);
                snprintf(buf, sizeof buf, "paid %s, decided %s per %s%s", a, b, rp == HM_PERIOD_MONTH ? "month" : "year",
                         dp != rp ? dp == HM_PERIOD_YEAR ? " (a twelfth of the yearly amount)" : " (12 months)" : "");
                F.reason = buf;
                if (__builtin_sub_overflow(F.paid, want, &F.stake)) {
                    snprintf(S->err, S->errlen, "%s: the difference between %s and %s is beyond the range of money",
                             F.policy, a, b);
                    rc = HM_EUSAGE;
                    break;
                }
            }
        }
        if (F.category)
            rc = insert(S, &F);
        mem_free(owned);
        if (rc == HM_OK && dead && F.has_paid && F.policy) {
            F.category = "paid_deceased";
            F.reason = "the registry records the person as deceased";
            F.has_stake = 1;
            F.stake = F.paid;
            F.stake_period = S->A->period;
            rc = insert(S, &F);
        }
    }
    if (rc == HM_OK && step != SQLITE_DONE)
        rc = sql_fail(S, "audit");
    sqlite3_finalize(st);
    return rc;
}

/* 漏保: each eligible decision of a policy the roll pays, with no payment */
static int classify_unpaid(session *S)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(S->db,
                           "SELECT d.kind, d.entity_id, d.household_id, d.policy, d.amount_fen, d.period, d.message\n"
                           "FROM temp.dec d WHERE d.status = 'eligible' AND NOT EXISTS (SELECT 1 FROM temp.roll x\n"
                           "  WHERE x.policy = d.policy AND x.kind = d.kind AND x.entity_id = d.entity_id)\n"
                           "ORDER BY d.policy, d.household_id, d.kind, d.entity_id",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(S, "audit");
    int rc = HM_OK, step;
    while (rc == HM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        finding F;
        memset(&F, 0, sizeof F);
        F.category = "eligible_not_paid";
        F.kind = (const char *)sqlite3_column_text(st, 0);
        F.entity_id = (const char *)sqlite3_column_text(st, 1);
        F.household_id = (const char *)sqlite3_column_text(st, 2);
        F.policy = (const char *)sqlite3_column_text(st, 3);
        F.has_decided = sqlite3_column_type(st, 4) != SQLITE_NULL;
        F.decided = sqlite3_column_int64(st, 4);
        F.decided_period = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 5);
        F.detail = (const char *)sqlite3_column_text(st, 6);
        F.reason = "eligible, not on the roll";
        F.has_stake = F.has_decided;
        F.stake = F.decided;
        F.stake_period = F.decided_period;
        rc = insert(S, &F);
    }
    if (rc == HM_OK && step != SQLITE_DONE)
        rc = sql_fail(S, "audit");
    sqlite3_finalize(st);
    return rc;
}

static int record(session *S, const char *as_of, const char *started)
{
    audit *A = S->A;
    char facts[512] = "";
    for (int k = 0; k < 2; k++)
        if (roll_fact(A, k))
            snprintf(facts + strlen(facts), sizeof facts - strlen(facts), "%s%s", facts[0] ? ", " : "",
                     roll_fact(A, k));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(S->db,
                           "INSERT INTO audit_runs(run_id, as_of, roll_source, roll_facts, roll_period, started, "
                           "payments, paid_as_decided, not_compared, entities_without_roll) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(S, "audit_runs");
    sqlite3_bind_int64(st, 1, S->run_id);
    sqlite3_bind_text(st, 2, as_of, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, A->roll.source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, facts, -1, SQLITE_STATIC);
    bind_text_or_null(st, 5, period_key(A->period));
    sqlite3_bind_text(st, 6, started, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, (int64_t)A->n);
    sqlite3_bind_int64(st, 8, S->paid_as_decided);
    sqlite3_bind_int64(st, 9, S->not_compared);
    sqlite3_bind_int64(st, 10, A->entities_unknown);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok)
        return sql_fail(S, "audit_runs");
    S->audit_id = sqlite3_last_insert_rowid(S->db);
    return HM_OK;
}

/* Everything in one transaction: an audit that fails leaves no half of
 * itself behind (the run it made stays, committed). */
static int reconcile(session *S, const char *as_of, const char *started)
{
    int rc;
    if ((rc = exec(S, "BEGIN IMMEDIATE")) || (rc = fill_roll(S)) || (rc = record(S, as_of, started)))
        return rc;
    if (sqlite3_prepare_v2(S->db,
                           "INSERT INTO audit_findings(audit_id, category, policy, entity_kind, entity_id, "
                           "household_id, reason, detail, paid_fen, paid_period, decided_fen, decided_period, "
                           "month_fen, year_fen, since) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                           "?12, ?13, ?14, ?15)",
                           -1, &S->ins, NULL) != SQLITE_OK)
        return sql_fail(S, "audit_findings");
    if ((rc = classify_payments(S)) || (rc = classify_unpaid(S)))
        return rc;
    char sql[512];
    snprintf(sql, sizeof sql, "UPDATE audit_runs SET paid_as_decided = %lld, not_compared = %lld WHERE audit_id = %lld",
             (long long)S->paid_as_decided, (long long)S->not_compared, (long long)S->audit_id);
    if ((rc = exec(S, sql)) || !S->A->regions)
        return rc;
    /* each finding's regions, and their names */
    snprintf(sql, sizeof sql, "UPDATE audit_findings SET township = r.township, county = r.county, city = r.city "
             "FROM temp.region r WHERE audit_findings.audit_id = %lld AND r.household_id = audit_findings.household_id",
             (long long)S->audit_id);
    if ((rc = exec(S, sql)))
        return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(S->db, "INSERT INTO audit_regions(audit_id, level, code, name) VALUES (?1, ?2, ?3, ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(S, "audit_regions");
    for (size_t i = 0; i < S->A->nnames && rc == HM_OK; i++) {
        const region_name *r = &S->A->names[i];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, S->audit_id);
        sqlite3_bind_text(st, 2, region_level_name(r->level), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, r->name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sql_fail(S, "audit_regions");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- printing ---------------------------------------------------------------------- */

typedef struct out_ctx {
    session *S;
    FILE *out;
    int format, bom;
    char last[512];             /* the group printed last */
} out_ctx;

/* rows of a summary query: key columns, then count, month sum, year sum */
typedef struct srow {
    const char *k[4];
    int64_t count, month, year;
    int has_month, has_year;
} srow;

typedef int (*row_fn)(out_ctx *O, const srow *r, void *arg);

static int each_row(out_ctx *O, const char *sql, int nkeys, row_fn fn, void *arg)
{
    session *S = O->S;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(S->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(S, "audit");
    sqlite3_bind_int64(st, 1, S->audit_id);
    int step, rc = HM_OK;
    while (rc == HM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        srow r;
        memset(&r, 0, sizeof r);
        for (int i = 0; i < nkeys; i++)
            r.k[i] = (const char *)sqlite3_column_text(st, i);
        r.count = sqlite3_column_int64(st, nkeys);
        r.has_month = sqlite3_column_type(st, nkeys + 1) != SQLITE_NULL;
        r.month = sqlite3_column_int64(st, nkeys + 1);
        r.has_year = sqlite3_column_type(st, nkeys + 2) != SQLITE_NULL;
        r.year = sqlite3_column_int64(st, nkeys + 2);
        rc = fn(O, &r, arg);
    }
    if (rc == HM_OK && step != SQLITE_DONE)
        rc = sql_fail(S, "audit: the totals");   /* sum() refuses to overflow */
    sqlite3_finalize(st);
    return rc;
}

#define ORDER_CATEGORY                                                                                               \
    "CASE category WHEN 'eligible_not_paid' THEN 1 WHEN 'paid_not_eligible' THEN 2 WHEN 'paid_undetermined' "    \
    "THEN 3 WHEN 'paid_different_amount' THEN 4 WHEN 'paid_deceased' THEN 5 WHEN 'roll_unknown_policy' THEN 6 "  \
    "WHEN 'roll_wrong_entity' THEN 7 ELSE 8 END"

static const char SQL_BY_POLICY[] =
    "SELECT category, policy, count(*), sum(month_fen), sum(year_fen) FROM audit_findings WHERE audit_id = ?1 "
    "GROUP BY category, policy ORDER BY " ORDER_CATEGORY ", policy";
static const char SQL_BY_REASON[] =
    "SELECT category, policy, reason, count(*), sum(month_fen), sum(year_fen) FROM audit_findings "
    "WHERE audit_id = ?1 AND category IN ('paid_not_eligible', 'paid_undetermined') "
    "GROUP BY category, policy, reason ORDER BY " ORDER_CATEGORY ", policy, count(*) DESC, reason";
static const char SQL_TOTALS[] =
    "SELECT category, count(*), sum(month_fen), sum(year_fen) FROM audit_findings WHERE audit_id = ?1 "
    "GROUP BY category ORDER BY " ORDER_CATEGORY;

/* the findings at one level of regions: code, name, category */
static int sql_by_region(char *buf, size_t n, int level)
{
    const char *col = region_level_name(level);
    return snprintf(buf, n,
                    "SELECT f.%s, (SELECT name FROM audit_regions r WHERE r.audit_id = ?1 AND r.level = '%s' AND "
                    "r.code = f.%s), category, count(*), sum(month_fen), sum(year_fen) FROM audit_findings f "
                    "WHERE audit_id = ?1 AND f.%s IS NOT NULL GROUP BY f.%s, category ORDER BY f.%s, "
                    ORDER_CATEGORY, col, col, col, col, col, col) >= (int)n ? -1 : 0;
}

static void money_cell(char *buf, size_t n, int has, int64_t fen)
{
    if (has)
        fen_format(fen, buf, n);
    else
        snprintf(buf, n, "-");
}

/* text padded with spaces to `width` terminal columns */
static void pad(FILE *out, const char *text, int width)
{
    fputs(text, out);
    for (int w = utf8_display_width(text, strlen(text)); w < width; w++)
        fputc(' ', out);
}

/* one line of a table: its label (indented), count and amounts */
static void text_line(FILE *out, const char *label, const srow *r)
{
    char m[32], y[32];
    money_cell(m, sizeof m, r->has_month, r->month);
    money_cell(y, sizeof y, r->has_year, r->year);
    pad(out, label, 46);
    fprintf(out, " %8lld %14s %15s\n", (long long)r->count, m, y);
}

/* a heading printed when the first key changes (O->last) */
static int new_group(out_ctx *O, const char *key)
{
    if (!strcmp(O->last, key ? key : ""))
        return 0;
    snprintf(O->last, sizeof O->last, "%s", key ? key : "");
    return 1;
}

static int text_total_row(out_ctx *O, const srow *r, void *arg)
{
    (void)arg;
    char label[160];
    snprintf(label, sizeof label, "  %s", category_label(r->k[0]));
    text_line(O->out, label, r);
    return HM_OK;
}

static int text_policy_row(out_ctx *O, const srow *r, void *arg)
{
    (void)arg;
    char label[160];
    if (new_group(O, r->k[0]))
        fprintf(O->out, "\n%s, by policy:\n", category_label(r->k[0]));
    snprintf(label, sizeof label, "  %s", r->k[1] ? r->k[1] : "(none)");
    text_line(O->out, label, r);
    return HM_OK;
}

static int text_reason_row(out_ctx *O, const srow *r, void *arg)
{
    (void)arg;
    char key[256];
    snprintf(key, sizeof key, "%s %s", r->k[0], r->k[1] ? r->k[1] : "");
    if (new_group(O, key))
        fprintf(O->out, "\n%s, %s, by %s:\n", category_label(r->k[0]), r->k[1] ? r->k[1] : "(none)",
                strcmp(r->k[0], "paid_undetermined") ? "reason" : "fact not known and its source");
    fprintf(O->out, "  %8lld  ", (long long)r->count);
    mask_fputs_text(r->k[2] ? r->k[2] : "(no reason recorded)", O->out);
    fputc('\n', O->out);
    return HM_OK;
}

static int text_region_row(out_ctx *O, const srow *r, void *arg)
{
    const int *level = arg;
    if (new_group(O, r->k[0]))
        fprintf(O->out, "  %s %s\n", r->k[0], r->k[1] ? r->k[1] : "");
    char label[160];
    snprintf(label, sizeof label, "    %s", category_label(r->k[2]));
    (void)level;
    text_line(O->out, label, r);
    return HM_OK;
}

static void print_head_text(out_ctx *O, int64_t households, int64_t persons, const char *as_of)
{
    session *S = O->S;
    audit *A = S->A;
    FILE *out = O->out;
    fprintf(out, "audit %lld of run %lld, as of %s: %lld households, %lld persons\n", (long long)S->audit_id,
            (long long)S->run_id, as_of, (long long)households, (long long)persons);
    fprintf(out, "roll: source %s (", A->roll.source);
    for (int k = 0, n = 0; k < 2; k++)
        if (roll_fact(A, k))
            fprintf(out, "%s%s", n++ ? ", " : "", roll_fact(A, k));
    fprintf(out, "), %zu payments, amounts %s\n", A->n,
            A->period == HM_PERIOD_MONTH ? "per month" : A->period == HM_PERIOD_YEAR ? "per year" : "once");
    fprintf(out, "paid as decided: %lld; amounts not compared (a lump sum): %lld\n", (long long)S->paid_as_decided,
            (long long)S->not_compared);
    if (A->entities_unknown)
        fprintf(out, "entities whose payments the roll could not give: %lld\n", (long long)A->entities_unknown);
}

static void text_columns(FILE *out, const char *title)
{
    fputc('\n', out);
    pad(out, title, 46);
    fprintf(out, " %8s %14s %15s\n", "count", "per month", "per year");
}

static int print_text(out_ctx *O, int64_t households, int64_t persons, const char *as_of)
{
    print_head_text(O, households, persons, as_of);
    text_columns(O->out, "findings:");
    int rc = each_row(O, SQL_TOTALS, 1, text_total_row, NULL);
    O->last[0] = '\0';
    if (rc == HM_OK)
        rc = each_row(O, SQL_BY_POLICY, 2, text_policy_row, NULL);
    O->last[0] = '\0';
    if (rc == HM_OK)
        rc = each_row(O, SQL_BY_REASON, 3, text_reason_row, NULL);
    /* townships are many: they are in the JSON, CSV, HTML and the database */
    for (int l = REGION_CITY; rc == HM_OK && O->S->A->regions && l >= REGION_COUNTY; l--) {
        char sql[1024], title[128];
        sql_by_region(sql, sizeof sql, l);
        snprintf(title, sizeof title, "by %s (%s):", region_level_name(l), region_level_label(l));
        text_columns(O->out, title);
        O->last[0] = '\0';
        rc = each_row(O, sql, 3, text_region_row, &l);
    }
    return rc;
}

/* ---- JSON ------------------------------------------------------------------------- */

static int put(json_t *o, const char *key, json_t *value)
{
    return json_object_set_new(o, key, value) ? 1 : 0;
}

static json_t *json_money(int has, int64_t fen)
{
    char b[32];
    if (!has)
        return json_null();
    fen_format(fen, b, sizeof b);
    return json_string(b);
}

static const char *const *json_keys;   /* the names of the key columns of the rows being added */

static int json_row(out_ctx *O, const srow *r, void *arg)
{
    (void)O;
    json_t *a = arg, *o = json_object();
    int bad = 0;
    for (int i = 0; json_keys[i]; i++)
        bad += put(o, json_keys[i], r->k[i] ? json_string(r->k[i]) : json_null());
    bad += put(o, "count", json_integer(r->count));
    bad += put(o, "amount_per_month", json_money(r->has_month, r->month));
    bad += put(o, "amount_per_year", json_money(r->has_year, r->year));
    if (bad || json_array_append_new(a, o)) {
        if (bad)
            json_decref(o);
        return HM_ENOMEM;
    }
    return HM_OK;
}

static int print_json(out_ctx *O, int64_t households, int64_t persons, const char *as_of)
{
    session *S = O->S;
    audit *A = S->A;
    json_t *root = json_object(), *head = json_object(), *facts = json_array();
    json_t *totals = json_array(), *pol = json_array(), *reasons = json_array();
    int bad = !root || !head || !facts || !totals || !pol || !reasons;
    for (int k = 0; !bad && k < 2; k++)
        if (roll_fact(A, k))
            bad += json_array_append_new(facts, json_string(roll_fact(A, k))) ? 1 : 0;
    bad += put(head, "audit_id", json_integer(S->audit_id));
    bad += put(head, "run_id", json_integer(S->run_id));
    bad += put(head, "as_of", json_string(as_of));
    bad += put(head, "households", json_integer(households));
    bad += put(head, "persons", json_integer(persons));
    bad += put(head, "roll_source", json_string(A->roll.source));
    bad += put(head, "roll_facts", facts);
    bad += put(head, "roll_period", period_key(A->period) ? json_string(period_key(A->period)) : json_null());
    bad += put(head, "payments", json_integer((json_int_t)A->n));
    bad += put(head, "paid_as_decided", json_integer(S->paid_as_decided));
    bad += put(head, "not_compared", json_integer(S->not_compared));
    bad += put(head, "entities_without_roll", json_integer(A->entities_unknown));
    bad += put(root, "audit", head);
    int rc = bad ? HM_ENOMEM : HM_OK;
    static const char *const k1[] = { "category", NULL }, *const k2[] = { "category", "policy", NULL },
                             *const k3[] = { "category", "policy", "reason", NULL };
    if (rc == HM_OK && !(rc = (json_keys = k1, each_row(O, SQL_TOTALS, 1, json_row, totals))) &&
        !(rc = (json_keys = k2, each_row(O, SQL_BY_POLICY, 2, json_row, pol))))
        rc = (json_keys = k3, each_row(O, SQL_BY_REASON, 3, json_row, reasons));
    json_t *regions = json_array();
    static const char *const k4[] = { "code", "name", "category", NULL };
    for (int l = REGION_CITY; rc == HM_OK && A->regions && l >= REGION_TOWNSHIP; l--) {
        char sql[1024];
        json_t *at = json_array();
        sql_by_region(sql, sizeof sql, l);
        if (!at)
            rc = HM_ENOMEM;
        else
            rc = (json_keys = k4, each_row(O, sql, 3, json_row, at));
        json_t *o = json_object();
        if (put(o, "level", json_string(region_level_name(l))) + put(o, "findings", at) ||
            json_array_append_new(regions, o))
            rc = HM_ENOMEM;
    }
    if (put(root, "categories", totals) + put(root, "policies", pol) + put(root, "reasons", reasons) +
        put(root, "regions", A->regions ? regions : (json_decref(regions), json_null())) && rc == HM_OK)
        rc = HM_ENOMEM;
    if (rc == HM_ENOMEM)
        snprintf(S->err, S->errlen, "out of memory");
    if (rc == HM_OK && (json_dumpf(root, O->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', O->out) == EOF))
        rc = HM_EIO, snprintf(S->err, S->errlen, "writing the audit: %s", strerror(errno));
    json_decref(root);
    return rc;
}

/* ---- CSV ---------------------------------------------------------------------------- */

static void csv_field(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* level,region,region_name,category,policy,reason,count,amount_per_month,amount_per_year */
static int csv_row(out_ctx *O, const srow *r, void *arg)
{
    const char *level = arg;
    int region = strcmp(level, "policy") && strcmp(level, "reason");
    char m[32] = "", y[32] = "";
    if (r->has_month)
        fen_format(r->month, m, sizeof m);
    if (r->has_year)
        fen_format(r->year, y, sizeof y);
    const char *cells[6] = { region ? r->k[0] : NULL, region ? r->k[1] : NULL, region ? r->k[2] : r->k[0],
                             region ? NULL : r->k[1], region ? NULL : r->k[2], NULL };
    csv_field(O->out, level);
    for (int i = 0; i < 5; i++) {
        fputc(',', O->out);
        csv_field(O->out, cells[i]);
    }
    fprintf(O->out, ",%lld,%s,%s\r\n", (long long)r->count, m, y);
    return HM_OK;
}

static int print_csv(out_ctx *O)
{
    if (O->bom)
        fputs("\xEF\xBB\xBF", O->out);
    fputs("level,region,region_name,category,policy,reason,count,amount_per_month,amount_per_year\r\n", O->out);
    int rc = each_row(O, SQL_BY_POLICY, 2, csv_row, "policy");
    if (rc == HM_OK)
        rc = each_row(O, SQL_BY_REASON, 3, csv_row, "reason");
    for (int l = REGION_CITY; rc == HM_OK && O->S->A->regions && l >= REGION_TOWNSHIP; l--) {
        char sql[1024];
        sql_by_region(sql, sizeof sql, l);
        rc = each_row(O, sql, 3, csv_row, (void *)region_level_name(l));
    }
    return rc;
}

/* ---- HTML ------------------------------------------------------------------------------ */

/* rows kept for a chart: labels owned */
typedef struct bars {
    html_bar *v;
    size_t n, cap;
    int fen;                    /* 1: the amounts per year, else the counts */
} bars;

static int bars_add(bars *B, const char *label, int64_t value)
{
    if (B->n == B->cap) {
        size_t cap = B->cap ? 2 * B->cap : 16;
        html_bar *v = mem_realloc(B->v, cap * sizeof *v);
        if (!v)
            return HM_ENOMEM;
        B->v = v;
        B->cap = cap;
    }
    char *l = mem_strdup(label ? label : "");
    if (!l)
        return HM_ENOMEM;
    B->v[B->n++] = (html_bar){ l, value };
    return HM_OK;
}

static void bars_free(bars *B)
{
    for (size_t i = 0; i < B->n; i++)
        mem_free((char *)B->v[i].label);
    mem_free(B->v);
    memset(B, 0, sizeof *B);
}

typedef struct html_ctx {
    html *h;
    bars count, year;
} html_ctx;

/* a row: its label cells (nlabels of r->k from `first`), count, amounts */
static void html_row(html *h, const srow *r, int first, int nlabels)
{
    for (int i = first; i < first + nlabels; i++)
        html_cell(h, i == first && r->k[i] && first == 0 ? category_label(r->k[i]) : r->k[i] ? r->k[i] : "");
    html_cell_count(h, r->count);
    if (r->has_month)
        html_cell_fen(h, r->month);
    else
        html_cell(h, "-");
    if (r->has_year)
        html_cell_fen(h, r->year);
    else
        html_cell(h, "-");
}

static int html_total_row(out_ctx *O, const srow *r, void *arg)
{
    (void)O;
    html_ctx *X = arg;
    html_row(X->h, r, 0, 1);
    int rc = bars_add(&X->count, category_label(r->k[0]), r->count);
    return rc ? rc : bars_add(&X->year, category_label(r->k[0]), r->has_year ? r->year : 0);
}

static int html_policy_row(out_ctx *O, const srow *r, void *arg)
{
    html_ctx *X = arg;
    if (new_group(O, r->k[0])) {
        html_table_end(X->h);
        html_heading(X->h, category_label(r->k[0]));
        html_table_begin(X->h, NULL, 4, (const char *[]){ "policy", "count", "per month", "per year" }, "lrrr");
    }
    html_row(X->h, r, 1, 1);
    return HM_OK;
}

static int html_reason_row(out_ctx *O, const srow *r, void *arg)
{
    html_ctx *X = arg;
    char key[256];
    snprintf(key, sizeof key, "%s %s", r->k[0], r->k[1] ? r->k[1] : "");
    if (new_group(O, key)) {
        html_table_end(X->h);
        snprintf(key, sizeof key, "%s: %s", category_label(r->k[0]), r->k[1] ? r->k[1] : "");
        html_heading(X->h, key);
        html_table_begin(X->h, NULL, 4, (const char *[]){ "reason", "count", "per month", "per year" }, "lrrr");
    }
    char *masked = r->k[2] ? mem_alloc(strlen(r->k[2]) + 1) : NULL;
    if (r->k[2] && !masked)
        return HM_ENOMEM;
    srow m = *r;
    m.k[2] = r->k[2] ? mask_text(r->k[2], masked) : "(no reason recorded)";
    html_row(X->h, &m, 2, 1);
    mem_free(masked);
    return HM_OK;
}

static int html_region_row(out_ctx *O, const srow *r, void *arg)
{
    html_ctx *X = arg;
    (void)O;
    html_cell(X->h, r->k[0] ? r->k[0] : "");
    html_cell(X->h, r->k[1] ? r->k[1] : "");
    html_cell(X->h, category_label(r->k[2]));
    srow m = *r;
    html_row(X->h, &m, 0, 0);
    return HM_OK;
}

static int print_html(out_ctx *O, int64_t households, int64_t persons, const char *as_of)
{
    session *S = O->S;
    audit *A = S->A;
    char title[128], v[64], facts[512] = "";
    snprintf(title, sizeof title, "审计 %lld：运行 %lld 与发放名册", (long long)S->audit_id, (long long)S->run_id);
    html_ctx X;
    memset(&X, 0, sizeof X);
    if (!(X.h = html_begin(O->out, title, "zh-CN"))) {
        snprintf(S->err, S->errlen, "out of memory");
        return HM_ENOMEM;
    }
    html *h = X.h;
    html_fact(h, "as of", as_of);
    snprintf(v, sizeof v, "%lld", (long long)households);
    html_fact(h, "households", v);
    snprintf(v, sizeof v, "%lld", (long long)persons);
    html_fact(h, "persons", v);
    for (int k = 0; k < 2; k++)
        if (roll_fact(A, k))
            snprintf(facts + strlen(facts), sizeof facts - strlen(facts), "%s%s", facts[0] ? ", " : "",
                     roll_fact(A, k));
    snprintf(title, sizeof title, "source %s (%s)", A->roll.source, facts);
    html_fact(h, "roll", title);
    snprintf(v, sizeof v, "%zu, amounts %s", A->n,
             A->period == HM_PERIOD_MONTH ? "per month" : A->period == HM_PERIOD_YEAR ? "per year" : "once");
    html_fact(h, "payments", v);
    snprintf(v, sizeof v, "%lld", (long long)S->paid_as_decided);
    html_fact(h, "paid as decided", v);
    snprintf(v, sizeof v, "%lld", (long long)S->not_compared);
    html_fact(h, "amounts not compared (lump sums)", v);

    html_section(h, "Findings");
    html_table_begin(h, NULL, 4, (const char *[]){ "category", "count", "per month", "per year" }, "lrrr");
    int rc = each_row(O, SQL_TOTALS, 1, html_total_row, &X);
    html_table_end(h);
    if (rc == HM_OK) {
        html_bars(h, "Findings (count)", HTML_COUNT, X.count.v, X.count.n);
        html_bars(h, "Amount at stake per year (元)", HTML_FEN, X.year.v, X.year.n);
        html_section(h, "By policy");
        O->last[0] = '\0';
        rc = each_row(O, SQL_BY_POLICY, 2, html_policy_row, &X);
        html_table_end(h);
    }
    if (rc == HM_OK) {
        html_section(h, "By reason");
        O->last[0] = '\0';
        rc = each_row(O, SQL_BY_REASON, 3, html_reason_row, &X);
        html_table_end(h);
    }
    for (int l = REGION_CITY; rc == HM_OK && A->regions && l >= REGION_TOWNSHIP; l--) {
        char sql[1024];
        snprintf(title, sizeof title, "By %s (%s)", region_level_name(l), region_level_label(l));
        html_section(h, title);
        html_table_begin(h, NULL, 6, (const char *[]){ "code", "name", "category", "count", "per month", "per year" },
                         "lllrrr");
        sql_by_region(sql, sizeof sql, l);
        rc = each_row(O, sql, 3, html_region_row, &X);
        html_table_end(h);
    }
    bars_free(&X.count);
    bars_free(&X.year);
    if (html_end(h) != 0 && rc == HM_OK) {
        snprintf(S->err, S->errlen, "writing the audit: %s", strerror(errno));
        rc = HM_EIO;
    }
    return rc;
}

/* ---- the list ----------------------------------------------------------------------- */

static int print_list(session *S, FILE *out, int format, int bom, int masked)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(S->db,
                           "SELECT category, policy, entity_kind, entity_id, household_id, reason, paid_fen, "
                           "paid_period, decided_fen, decided_period, since, detail FROM audit_findings "
                           "WHERE audit_id = ?1 ORDER BY " ORDER_CATEGORY ", policy, household_id, entity_kind, "
                           "entity_id",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(S, "audit");
    sqlite3_bind_int64(st, 1, S->audit_id);
    static const char *const cols[] = { "category", "policy", "entity_kind", "entity_id", "household_id",
                                        "reason", "paid", "paid_period", "decided", "decided_period", "since",
                                        "message" };
    enum { NCOLS = 12 };
    if (format == HM_FORMAT_CSV) {
        if (bom)
            fputs("\xEF\xBB\xBF", out);
        for (int i = 0; i < NCOLS; i++)
            fprintf(out, "%s%s", i ? "," : "", cols[i]);
        fputs("\r\n", out);
    } else if (format == HM_FORMAT_JSON) {
        fputs("[", out);
    }
    int step, n = 0;
    json_t *o = NULL;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char v[NCOLS][64];
        const char *c[NCOLS];
        for (int i = 0; i < NCOLS; i++) {
            c[i] = (const char *)sqlite3_column_text(st, i);
            if ((i == 6 || i == 8) && c[i]) {
                fen_format(sqlite3_column_int64(st, i), v[i], sizeof v[i]);
                c[i] = v[i];
            }
        }
        char *mid = NULL, *mhh = NULL, *mtext = NULL;
        if (masked) {
            /* ids whole only in a file this command created 0600 */
            mid = c[3] ? mem_alloc(strlen(c[3]) + 1) : NULL;
            mhh = c[4] ? mem_alloc(strlen(c[4]) + 1) : NULL;
            mtext = c[11] ? mem_alloc(strlen(c[11]) + 1) : NULL;
            if ((c[3] && !mid) || (c[4] && !mhh) || (c[11] && !mtext)) {
                mem_free(mid), mem_free(mhh), mem_free(mtext);
                sqlite3_finalize(st);
                snprintf(S->err, S->errlen, "out of memory");
                return HM_ENOMEM;
            }
            if (c[3])
                c[3] = mask_id(c[3], mid);
            if (c[4])
                c[4] = mask_id(c[4], mhh);
            if (c[11])
                c[11] = mask_text(c[11], mtext);
        }
        if (format == HM_FORMAT_CSV) {
            for (int i = 0; i < NCOLS; i++) {
                if (i)
                    fputc(',', out);
                csv_field(out, c[i]);
            }
            fputs("\r\n", out);
        } else if (format == HM_FORMAT_JSON) {
            o = json_object();
            for (int i = 0; o && i < NCOLS; i++)
                if (put(o, cols[i], c[i] ? json_string(c[i]) : json_null())) {
                    json_decref(o);
                    o = NULL;
                }
            fputs(n ? ",\n  " : "\n  ", out);
            if (!o || json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER)) {
                json_decref(o);
                mem_free(mid), mem_free(mhh), mem_free(mtext);
                sqlite3_finalize(st);
                snprintf(S->err, S->errlen, "out of memory");
                return HM_ENOMEM;
            }
            json_decref(o);
        } else {
            fprintf(out, "%s %s %s %s (household %s): %s", c[0], c[1] ? c[1] : "-", c[2] ? c[2] : "-",
                    c[3] ? c[3] : "-", c[4] ? c[4] : "-", c[5] ? c[5] : "");
            if (c[6])
                fprintf(out, "; paid %s per %s", c[6], c[7] ? c[7] : "?");
            if (c[8])
                fprintf(out, "; decided %s %s%s", c[8], c[9] && strcmp(c[9], "once") ? "per " : "",
                        c[9] ? c[9] : "");
            fputc('\n', out);
        }
        mem_free(mid), mem_free(mhh), mem_free(mtext);
        n++;
    }
    if (format == HM_FORMAT_JSON)
        fputs(n ? "\n]\n" : "]\n", out);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return sql_fail(S, "audit");
    return HM_OK;
}

/* ---- the entry points ------------------------------------------------------------------ */

int hm_audit(const hm_pack *k, const hm_audit_options *o, FILE *out, char *err, size_t errlen)
{
    err[0] = '\0';
    if (!k || !o || !o->run.config) {
        snprintf(err, errlen, "hm_audit: no %s", !k ? "pack" : !o ? "options" : "configuration");
        return HM_EUSAGE;
    }
    if (o->format != HM_FORMAT_TABLE && o->format != HM_FORMAT_JSON && o->format != HM_FORMAT_CSV &&
        o->format != HM_FORMAT_HTML) {
        snprintf(err, errlen, "hm_audit: unknown format %d", o->format);
        return HM_EUSAGE;
    }
    audit A;
    memset(&A, 0, sizeof A);
    hm_run_summary *sum = NULL;
    A.p = pack_program(k);
    int rc = find_roll(&A, err, errlen);
    if (rc != HM_OK)
        return rc;
    /* the list file first: refused before the whole run if it cannot be made */
    FILE *list = NULL;
    if (o->list && strcmp(o->list, "-")) {
        int fd = open(o->list, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || !(list = fdopen(fd, "w"))) {
            snprintf(err, errlen, "%s: cannot create the list%s: %s", o->list,
                     errno == EEXIST ? " (it exists: give a new file, it holds ID numbers)" : "", strerror(errno));
            if (fd >= 0)
                close(fd);
            return HM_EUSAGE;
        }
    }
    /* without --out, the results go to a temporary database */
    char tmpdir[4096] = "", tmpdb[4200];
    hm_run_options ro = o->run;
    if (!ro.out) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/huimin-audit-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpdir)) {
            snprintf(err, errlen, "%s: cannot make a temporary folder: %s", tmpdir, strerror(errno));
            tmpdir[0] = '\0';
            rc = HM_EIO;
            goto done;
        }
        snprintf(tmpdb, sizeof tmpdb, "%s/results.db", tmpdir);
        ro.out = tmpdb;
    }
    ro.reasons = 1;
    ro.store = HM_STORE_ANSWERS;
    char started[32];
    results_now(started, sizeof started);
    run_hooks h = { &A, LOAD_ROLL | (A.regions ? LOAD_REGIONS : 0), keep_paid, decided };
    if ((rc = batch_run(k, &ro, &h, &sum, err, errlen)) != HM_OK)
        goto done;
    session S;
    memset(&S, 0, sizeof S);
    S.A = &A;
    S.err = err;
    S.errlen = errlen;
    S.run_id = hm_run_summary_run_id(sum);
    rc = HM_EIO;
    if (sqlite3_open_v2(ro.out, &S.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", ro.out, S.db ? sqlite3_errmsg(S.db) : "out of memory");
    } else {
        sqlite3_busy_timeout(S.db, 5000);
        rc = reconcile(&S, hm_run_summary_as_of(sum), started);
        if (rc == HM_OK)
            rc = exec(&S, "COMMIT");
        else
            sqlite3_exec(S.db, "ROLLBACK", NULL, NULL, NULL);
        if (rc == HM_OK) {
            out_ctx O = { &S, out, o->format, o->bom, "" };
            int64_t hh = hm_run_summary_households(sum), pp = hm_run_summary_persons(sum);
            const char *as_of = hm_run_summary_as_of(sum);
            rc = o->format == HM_FORMAT_JSON ? print_json(&O, hh, pp, as_of)
               : o->format == HM_FORMAT_CSV  ? print_csv(&O)
               : o->format == HM_FORMAT_HTML ? print_html(&O, hh, pp, as_of)
                                             : print_text(&O, hh, pp, as_of);
            if (rc == HM_OK && o->list && !strcmp(o->list, "-")) {
                if (o->format == HM_FORMAT_TABLE)
                    fputs("\nfindings (ids masked):\n", out);
                rc = print_list(&S, out, o->format, 0, 1);
            }
            if (rc == HM_OK && list)
                rc = print_list(&S, list, o->format == HM_FORMAT_HTML ? HM_FORMAT_CSV : o->format, o->bom, 0);
            if (rc == HM_OK && (fflush(out) || ferror(out))) {
                snprintf(err, errlen, "writing the audit: %s", strerror(errno));
                rc = HM_EIO;
            }
        }
        sqlite3_finalize(S.ins);
    }
    sqlite3_close(S.db);
done:
    if (list && fclose(list) && rc == HM_OK) {
        snprintf(err, errlen, "%s: %s", o->list, strerror(errno));
        rc = HM_EIO;
    }
    if (list && rc != HM_OK)
        unlink(o->list);
    if (tmpdir[0]) {
        unlink(tmpdb);
        rmdir(tmpdir);
    }
    hm_run_summary_free(sum);
    audit_free(&A);
    return rc;
}

int hm_compiler_audit(hm_compiler *c, const hm_audit_options *o, FILE *out, char *err, size_t errlen)
{
    err[0] = '\0';
    hm_pack *k;
    int rc = hm_compiler_pack(c, &k);
    if (rc != HM_OK)
        return rc;
    rc = hm_audit(k, o, out, err, errlen);
    hm_pack_free(k);
    return rc;
}
