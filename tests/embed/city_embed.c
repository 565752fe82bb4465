/* city_embed.c -- the example city decided through the public API only.
 *
 *   city_embed PACK.hmc CITYDIR RESULTS.db AS_OF
 *
 * Reads the department databases of examples/city/generate with sqlite3
 * (laid out as CITYDIR/sources.conf maps them: the table below), builds
 * every household in memory with hm_household_*, department codes mapped
 * with hm_pack_code_label, evaluates them on two threads sharing one pack
 * (one evaluator each), and compares every decision (policy, entity id,
 * status, amount) with the latest run of RESULTS.db, the population run
 * of the same city and date, each claim's decision (a hospital bill's
 * settlement) by its member and position in the list too.  Exit 0 when all agree, 1 when some differ
 * (the first ones printed), 2 on a usage or read error. */
#include <huimin.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what sources.conf says ---------------------------------------------- */

enum { K_TEXT, K_BOOL, K_INT, K_FEN, K_DATE, K_CODE };

typedef struct mapping {
    const char *source, *db, *table, *key;  /* key: hh_id or person_id */
    const char *column, *fact;
    int kind;
    const char *as_of_column;   /* each row's as-of date, or NULL */
    const char *date_column;    /* records: each record's date */
} mapping;

static const mapping MAP[] = {
    { "registry", "registry.db", "household", "hh_id", "region_code", "household.region", K_TEXT, NULL, NULL },
    { "registry", "registry.db", "person", "person_id", "birth_date", "person.birth_date", K_DATE, "updated_on", NULL },
    { "registry", "registry.db", "person", "person_id", "deceased", "person.deceased", K_BOOL, "updated_on", NULL },
    { "registry", "registry.db", "person", "person_id", "marital_code", "person.marital", K_CODE, "updated_on", NULL },
    { "registry", "registry.db", "person", "person_id", "relation_code", "person.relation", K_CODE, "updated_on", NULL },
    { "registry", "registry.db", "person", "person_id", "local_hukou", "person.local_hukou", K_BOOL, "updated_on", NULL },
    { "registry", "registry.db", "person", "person_id", "residence_years", "person.residence_years", K_INT, "updated_on",
      NULL },
    { "civil_affairs", "civil_affairs.db", "household_check", "hh_id", "assets_fen", "household.assets", K_FEN,
      "checked_on", NULL },
    { "civil_affairs", "civil_affairs.db", "marriage", "person_id", "marital_code", "person.marital", K_CODE, NULL, NULL },
    { "civil_affairs", "civil_affairs.db", "assistance", "person_id", "supporter_able", "person.supporter_able", K_BOOL,
      NULL, NULL },
    { "civil_affairs", "civil_affairs.db", "schooling", "person_id", "stage_code", "person.school_stage", K_CODE, NULL,
      NULL },
    { "social_security", "social_security.db", "income", "person_id", "amount_fen", "person.monthly_income", K_FEN, NULL,
      NULL },
    { "social_security", "social_security.db", "employment", "person_id", "hard_to_employ", "person.hard_to_employ",
      K_BOOL, NULL, NULL },
    { "social_security", "social_security.db", "employment", "person_id", "flexible_employed",
      "person.flexible_employed", K_BOOL, NULL, NULL },
    { "social_security", "social_security.db", "contribution", "person_id", "amount_fen", "person.contributions", K_FEN,
      NULL, "month" },
    { "housing", "housing.db", "property", "hh_id", "other_housing", "household.other_housing", K_BOOL, NULL, NULL },
    { "medical_insurance", "medical_insurance.db", "selfpay", "person_id", "amount_fen", "person.medical_selfpay", K_FEN,
      NULL, NULL },
    { "medical_insurance", "medical_insurance.db", "bill", "person_id", "amount_fen", "person.medical_bills", K_FEN, NULL,
      "settled_on" },
    { "disability_federation", "disability_federation.db", "certificate", "person_id", "grade", "person.disability_grade",
      K_INT, NULL, NULL },
    { "disability_federation", "disability_federation.db", "certificate", "person_id", "kind_code",
      "person.disability_kind", K_CODE, NULL, NULL },
    { "tax", "tax.db", "annual_return", "person_id", "wage_fen", "person.annual_wage", K_FEN, NULL, NULL },
    { "tax", "tax.db", "annual_return", "person_id", "social_insurance_fen", "person.social_insurance_paid", K_FEN, NULL,
      NULL },
    { "tax", "tax.db", "deduction", "person_id", "housing_loan", "person.housing_loan", K_BOOL, NULL, NULL },
    { "tax", "tax.db", "deduction", "person_id", "renting", "person.renting", K_BOOL, NULL, NULL },
    { "tax", "tax.db", "deduction", "person_id", "city_tier", "person.rent_tier", K_CODE, NULL, NULL },
    { "tax", "tax.db", "deduction", "person_id", "supports_elderly", "person.supports_elderly", K_BOOL, NULL, NULL },
    { "tax", "tax.db", "deduction", "person_id", "only_child", "person.only_child", K_BOOL, NULL, NULL },
    { "tax", "tax.db", "deduction", "person_id", "elderly_share_fen", "person.elderly_share", K_FEN, NULL, NULL },
};
#define NMAP (sizeof MAP / sizeof MAP[0])

/* every source but the registry dates its values: `as_of` in sources.conf */
#define SOURCE_AS_OF "2024-07-31"

/* ---- the city in memory ---------------------------------------------------- */

typedef struct person {
    char *id;
    int hh, member;
} person;

typedef struct city {
    const hm_pack *pack;
    int nhh, np;
    char **hh_id;               /* sorted (the registry's primary key order) */
    hm_household **hh;
    person *p;                  /* sorted by id */
    hm_result **res;
    const char *as_of;
} city;

static void die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "city_embed: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    exit(2);
}

static char *dup(const char *s)
{
    char *c = strdup(s ? s : "");
    if (!c)
        die("out of memory%s%s", "", "");
    return c;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int cmp_person(const void *a, const void *b) { return strcmp(((const person *)a)->id, ((const person *)b)->id); }

static int find_hh(const city *c, const char *id)
{
    char *const *at = bsearch(&id, c->hh_id, (size_t)c->nhh, sizeof *c->hh_id, cmp_str);
    return at ? (int)(at - c->hh_id) : -1;
}

static const person *find_person(const city *c, const char *id)
{
    person key = { (char *)id, 0, 0 };
    return bsearch(&key, c->p, (size_t)c->np, sizeof *c->p, cmp_person);
}

static sqlite3 *open_db(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("%s: %s", path, sqlite3_errmsg(db));
    return db;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("%s: %s", sql, sqlite3_errmsg(db));
    return st;
}

/* The registry: households, and persons as members in id order. */
static void read_registry(city *c, const char *dir)
{
    sqlite3 *db = open_db(dir, "registry.db");
    sqlite3_stmt *st = prepare(db, "SELECT count(*) FROM household");
    sqlite3_step(st);
    c->nhh = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = prepare(db, "SELECT count(*) FROM person");
    sqlite3_step(st);
    c->np = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    c->hh_id = calloc((size_t)c->nhh + 1, sizeof *c->hh_id);
    c->hh = calloc((size_t)c->nhh + 1, sizeof *c->hh);
    c->res = calloc((size_t)c->nhh + 1, sizeof *c->res);
    c->p = calloc((size_t)c->np + 1, sizeof *c->p);
    if (!c->hh_id || !c->hh || !c->res || !c->p)
        die("out of memory%s%s", "", "");
    st = prepare(db, "SELECT hh_id FROM household ORDER BY hh_id");
    for (int i = 0; i < c->nhh && sqlite3_step(st) == SQLITE_ROW; i++) {
        c->hh_id[i] = dup((const char *)sqlite3_column_text(st, 0));
        if (!(c->hh[i] = hm_household_new(c->pack, c->hh_id[i])))
            die("out of memory%s%s", "", "");
    }
    sqlite3_finalize(st);
    st = prepare(db, "SELECT person_id, hh_id FROM person ORDER BY hh_id, person_id");
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < c->np) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        int h = find_hh(c, (const char *)sqlite3_column_text(st, 1));
        if (h < 0)
            continue;
        c->p[n] = (person){ dup(id), h, 0 };
        if (hm_household_add_member(c->hh[h], id, &c->p[n].member) != HM_OK)
            die("out of memory%s%s", "", "");
        n++;
    }
    c->np = n;
    sqlite3_finalize(st);
    sqlite3_close(db);
    qsort(c->p, (size_t)c->np, sizeof *c->p, cmp_person);
}

/* "-1234" fen → "-12.34" yuan; -1 when the cell is not a whole number */
static int fen_text(sqlite3_stmt *st, int col, char *buf, size_t n)
{
    long long fen;
    if (sqlite3_column_type(st, col) == SQLITE_INTEGER)
        fen = sqlite3_column_int64(st, col);
    else {
        const char *s = (const char *)sqlite3_column_text(st, col);
        char *end;
        if (!s || !*s)
            return -1;
        fen = strtoll(s, &end, 10);
        if (*end)
            return -1;
    }
    unsigned long long a = fen < 0 ? 0ULL - (unsigned long long)fen : (unsigned long long)fen;
    snprintf(buf, n, "%s%llu.%02llu", fen < 0 ? "-" : "", a / 100, a % 100);
    return 0;
}

/* The cell as the text hm_household_set takes; NULL when it cannot be
 * used (the population run's "unusable value" or "unknown code"). */
static const char *value_text(const city *c, const mapping *m, int fact, sqlite3_stmt *st, int col, char *buf,
                              size_t n)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    switch (m->kind) {
    case K_FEN:
        return fen_text(st, col, buf, n) == 0 ? buf : NULL;
    case K_BOOL: {
        static const char *yes[] = { "1", "true", "t", "yes", "y", "是", NULL };
        static const char *no[] = { "0", "false", "f", "no", "n", "否", NULL };
        for (int k = 0; s && yes[k]; k++) {
            if (strcmp(s, yes[k]) == 0) return "true";
            if (strcmp(s, no[k]) == 0) return "false";
        }
        return NULL;
    }
    case K_CODE:
        return s ? hm_pack_code_label(c->pack, fact, m->source, s) : NULL;
    default:
        snprintf(buf, n, "%s", s ? s : "");
        return buf;
    }
}

static void read_mapping(city *c, const char *dir, const mapping *m)
{
    int fact = hm_pack_fact(c->pack, m->fact);
    if (fact < 0)
        die("the pack has no fact %s%s", m->fact, "");
    sqlite3 *db = open_db(dir, m->db);
    char sql[512], err[512], buf[128], day[16];
    snprintf(sql, sizeof sql, "SELECT %s, %s, %s FROM %s ORDER BY %s%s%s", m->key, m->column,
             m->date_column ? m->date_column : m->as_of_column ? m->as_of_column : "NULL", m->table, m->key,
             m->date_column ? ", " : "", m->date_column ? m->date_column : "");
    sqlite3_stmt *st = prepare(db, sql);
    /* a records table lists every person's records: none is an empty list */
    for (int i = 0; m->date_column && i < c->np; i++)
        if (hm_household_set_records_known(c->hh[c->p[i].hh], c->p[i].member, fact, err, sizeof err) != HM_OK)
            die("%s: %s", m->fact, err);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        int h, member = -1;
        if (strcmp(m->key, "hh_id") == 0) {
            h = find_hh(c, key);
        } else {
            const person *p = find_person(c, key);
            h = p ? p->hh : -1;
            member = p ? p->member : -1;
        }
        if (h < 0 || sqlite3_column_type(st, 1) == SQLITE_NULL)
            continue;   /* not in the population; a missing value */
        const char *text = value_text(c, m, fact, st, 1, buf, sizeof buf);
        const char *d = (const char *)sqlite3_column_text(st, 2);
        int rc = HM_OK;
        if (m->date_column) {
            /* a record's month "2024-03" is its first day */
            snprintf(day, sizeof day, "%s%s", d ? d : "", d && strlen(d) == 7 ? "-01" : "");
            if (!text)
                continue;
            rc = hm_household_add_record(c->hh[h], member, fact, day, text, err, sizeof err);
        } else {
            /* a value its row does not date is, for the run, as old as can
             * be: stale where its source has a freshness limit */
            const char *as_of = m->as_of_column ? (d ? d : "1800-01-01")
                              : strcmp(m->source, "registry") ? SOURCE_AS_OF : NULL;
            if (text)
                rc = hm_household_set(c->hh[h], member, fact, text, as_of, m->source, err, sizeof err);
            if (!text || rc == HM_EUSAGE)
                rc = hm_household_set_invalid(c->hh[h], member, fact, as_of, m->source, err, sizeof err);
        }
        if (rc != HM_OK)
            die("%s: %s", m->fact, err);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A parent's claims of children (tax.db edu_claim, infant_claim): a
 * record per child, the child given by id.  A child who is not a member
 * leaves the link missing in that record, as in the run. */
static void read_claims(city *c, const char *dir, const char *table, const char *list)
{
    int fact = hm_pack_fact(c->pack, list);
    if (fact < 0)
        die("the pack has no fact %s%s", list, "");
    sqlite3 *db = open_db(dir, "tax.db");
    char sql[256], err[512];
    snprintf(sql, sizeof sql, "SELECT person_id, child_id, share FROM %s ORDER BY person_id, rowid", table);
    sqlite3_stmt *st = prepare(db, sql);
    for (int i = 0; i < c->np; i++)
        if (hm_household_set_records_known(c->hh[c->p[i].hh], c->p[i].member, fact, err, sizeof err) != HM_OK)
            die("%s: %s", list, err);
    static const char *const fields[] = { "child", "share" };
    while (sqlite3_step(st) == SQLITE_ROW) {
        const person *p = find_person(c, (const char *)sqlite3_column_text(st, 0));
        if (!p)
            continue;
        const char *values[] = { (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2) };
        int rc = hm_household_add_row(c->hh[p->hh], p->member, fact, fields, values, 2, err, sizeof err);
        if (rc == HM_EUSAGE) {
            values[0] = NULL;
            rc = hm_household_add_row(c->hh[p->hh], p->member, fact, fields, values, 2, err, sizeof err);
        }
        if (rc != HM_OK)
            die("%s: %s", list, err);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* civil affairs' region table (sources.conf: table.region.*), given with
 * every household as the population run reads it once from the source */
static void read_regions(city *c, const char *dir)
{
    sqlite3 *db = open_db(dir, "civil_affairs.db");
    sqlite3_stmt *st = prepare(db, "SELECT region_code, from_date, name, dibao_line_fen FROM region");
    static const char *const attrs[] = { "name", "dibao_line" };
    char err[512], line[32];
    while (sqlite3_step(st) == SQLITE_ROW) {
        /* a county's or township's row has no standard of its own */
        int none = sqlite3_column_type(st, 3) == SQLITE_NULL;
        if (!none && fen_text(st, 3, line, sizeof line) != 0)
            die("region: dibao_line_fen %s%s", "is not a whole number", "");
        const char *values[] = { (const char *)sqlite3_column_text(st, 2), none ? NULL : line };
        for (int i = 0; i < c->nhh; i++)
            if (hm_household_add_ref_row(c->hh[i], "region", (const char *)sqlite3_column_text(st, 0),
                                         (const char *)sqlite3_column_text(st, 1), attrs, values, 2, err,
                                         sizeof err) != HM_OK)
                die("region: %s%s", err, "");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A person's hospital bills (medical_insurance.db hbill), one record each
 * in the order the run reads them; the hospital's level by the pack's map. */
static void read_hbills(city *c, const char *dir)
{
    const char *list = "person.hospital_bills";
    int fact = hm_pack_fact(c->pack, list), level = hm_pack_fact(c->pack, "person.hospital_bills.hospital_level");
    if (fact < 0)
        die("the pack has no fact %s%s", list, "");
    sqlite3 *db = open_db(dir, "medical_insurance.db");
    char err[512], fen[32];
    sqlite3_stmt *st = prepare(db, "SELECT person_id, number, settled_on, in_scope_fen, level_code FROM hbill "
                                   "ORDER BY person_id, rowid");
    for (int i = 0; i < c->np; i++)
        if (hm_household_set_records_known(c->hh[c->p[i].hh], c->p[i].member, fact, err, sizeof err) != HM_OK)
            die("%s: %s", list, err);
    static const char *const fields[] = { "number", "settled_on", "in_scope", "hospital_level" };
    while (sqlite3_step(st) == SQLITE_ROW) {
        const person *p = find_person(c, (const char *)sqlite3_column_text(st, 0));
        if (!p)
            continue;
        const char *raw = (const char *)sqlite3_column_text(st, 4);
        const char *values[] = { (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
                                 fen_text(st, 3, fen, sizeof fen) == 0 ? fen : NULL,
                                 raw ? hm_pack_code_label(c->pack, level, "medical_insurance", raw) : NULL };
        if (hm_household_add_row(c->hh[p->hh], p->member, fact, fields, values, 4, err, sizeof err) != HM_OK)
            die("%s: %s", list, err);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* ---- evaluating on two threads ------------------------------------------- */

typedef struct share {
    city *c;
    int from, to;
    int failed;
} share;

static void *evaluate_share(void *arg)
{
    share *s = arg;
    hm_evaluator *e = hm_evaluator_new(s->c->pack);
    char err[256];
    if (!e) {
        s->failed = 1;
        return NULL;
    }
    for (int i = s->from; i < s->to; i++)
        if (hm_evaluate(e, s->c->hh[i], s->c->as_of, &s->c->res[i], err, sizeof err) != HM_OK) {
            fprintf(stderr, "city_embed: %s: %s\n", s->c->hh_id[i], err);
            s->failed = 1;
            break;
        }
    hm_evaluator_free(e);
    return NULL;
}

/* ---- comparing with the population run ----------------------------------- */

typedef struct decision {
    char key[160];              /* "policy\tentity id\tclaim" (1-based, 0 for none) */
    int status;
    long long amount;           /* -1 for none */
} decision;

static int cmp_decision(const void *a, const void *b)
{
    return strcmp(((const decision *)a)->key, ((const decision *)b)->key);
}

/* "policy\t330102********0015": an ID number in a key masked, as the
 * command masks it (first six and last four characters) */
static const char *masked(const char *key, char *buf, size_t n)
{
    snprintf(buf, n, "%s", key);
    char *id = strchr(buf, '\t');
    if (id && strcspn(id + 1, "\t") == 18)
        memset(id + 7, '*', 8);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: city_embed PACK.hmc CITYDIR RESULTS.db AS_OF\n");
        return 2;
    }
    char err[1024];
    hm_pack *pack;
    if (hm_pack_load(argv[1], &pack, err, sizeof err) != HM_OK)
        die("%s%s", err, "");
    city c = { .pack = pack, .as_of = argv[4] };
    read_registry(&c, argv[2]);
    for (size_t i = 0; i < NMAP; i++)
        read_mapping(&c, argv[2], &MAP[i]);
    read_claims(&c, argv[2], "edu_claim", "person.edu_claims");
    read_claims(&c, argv[2], "infant_claim", "person.infant_claims");
    read_regions(&c, argv[2]);
    read_hbills(&c, argv[2]);

    share half[2] = { { &c, 0, c.nhh / 2, 0 }, { &c, c.nhh / 2, c.nhh, 0 } };
    pthread_t t[2];
    for (int k = 0; k < 2; k++)
        if (pthread_create(&t[k], NULL, evaluate_share, &half[k]) != 0)
            die("cannot start a thread%s%s", "", "");
    for (int k = 0; k < 2; k++)
        pthread_join(t[k], NULL);
    if (half[0].failed || half[1].failed)
        return 2;

    /* ours, sorted */
    size_t n = 0, cap = 1024;
    decision *mine = malloc(cap * sizeof *mine);
    for (int i = 0; i < c.nhh && mine; i++)
        for (int j = 0; j < hm_result_count(c.res[i]); j++) {
            if (n == cap && !(mine = realloc(mine, (cap *= 2) * sizeof *mine)))
                break;
            decision *d = &mine[n++];
            const char *who = hm_result_member(c.res[i], j) < 0 ? c.hh_id[i] : hm_result_member_id(c.res[i], j);
            snprintf(d->key, sizeof d->key, "%s\t%s\t%d", hm_result_policy_name(c.res[i], j), who,
                     hm_result_claim(c.res[i], j) + 1);
            d->status = hm_result_status(c.res[i], j);
            d->amount = hm_result_has_amount(c.res[i], j) ? hm_result_amount(c.res[i], j) : -1;
        }
    if (!mine)
        die("out of memory%s%s", "", "");
    qsort(mine, n, sizeof *mine, cmp_decision);

    /* the run's, in the same order */
    sqlite3 *db;
    if (sqlite3_open_v2(argv[3], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("%s: %s", argv[3], sqlite3_errmsg(db));
    sqlite3_stmt *st = prepare(db, "SELECT policy, entity_id, status, amount_fen, coalesce(claim, 0) FROM decisions "
                                   "WHERE run_id = (SELECT max(run_id) FROM runs)");
    size_t m = 0, mcap = 1024;
    decision *run = malloc(mcap * sizeof *run);
    while (run && sqlite3_step(st) == SQLITE_ROW) {
        if (m == mcap && !(run = realloc(run, (mcap *= 2) * sizeof *run)))
            break;
        decision *d = &run[m++];
        snprintf(d->key, sizeof d->key, "%s\t%s\t%d", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
                 sqlite3_column_int(st, 4));
        const char *s = (const char *)sqlite3_column_text(st, 2);
        d->status = strcmp(s, "eligible") == 0 ? HM_ELIGIBLE : strcmp(s, "not_eligible") == 0 ? HM_NOT_ELIGIBLE
                  : strcmp(s, "not_applicable") == 0 ? HM_NOT_APPLICABLE : HM_UNDETERMINED;
        d->amount = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (!run)
        die("out of memory%s%s", "", "");
    qsort(run, m, sizeof *run, cmp_decision);

    int bad = 0;
    if (n != m) {
        fprintf(stderr, "city_embed: %zu decisions, the run has %zu\n", n, m);
        bad++;
    }
    for (size_t i = 0; i < n && i < m; i++) {
        /* amounts: the run stores one only for an eligible decision */
        long long mine_amount = mine[i].status == HM_ELIGIBLE ? mine[i].amount : -1;
        long long run_amount = run[i].status == HM_ELIGIBLE ? run[i].amount : -1;
        if (strcmp(mine[i].key, run[i].key) != 0 || mine[i].status != run[i].status || mine_amount != run_amount) {
            char a[160], b[160];
            if (bad++ < 10)
                fprintf(stderr, "city_embed: differs: %s: status %d amount %lld; the run: %s: status %d amount %lld\n",
                        masked(mine[i].key, a, sizeof a), mine[i].status, mine_amount, masked(run[i].key, b, sizeof b),
                        run[i].status, run_amount);
        }
    }
    printf("%d households, %d persons, %zu decisions compared on 2 threads: %d differ\n", c.nhh, c.np, n, bad);

    for (int i = 0; i < c.nhh; i++) {
        hm_result_free(c.res[i]);
        hm_household_free(c.hh[i]);
        free(c.hh_id[i]);
    }
    for (int i = 0; i < c.np; i++)
        free(c.p[i].id);
    free(c.res);
    free(c.hh);
    free(c.hh_id);
    free(c.p);
    free(mine);
    free(run);
    hm_pack_free(pack);
    return bad ? 1 : 0;
}
