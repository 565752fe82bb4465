/* roll_regions.c -- `roll_regions PACK.hmc CONFIG PLUGINS`: a population loaded
 * with its payment roll and regions (load_open_for, regions.h), as audit
 * and diff load it, summed for run-planted.sh to compare with the
 * databases:
 *
 *   county CODE NAME HOUSEHOLDS      per county, in code order
 *   city CODE NAME HOUSEHOLDS        per city
 *   region unknown|bad HOUSEHOLDS    households without a township
 *   roll POLICY PAYMENTS FEN PERIOD  per policy the roll names, in name order
 *
 * PLUGINS is the folder of the built-in plugins (the build tree's).
 * Errors: a line on stderr, exit 2. */
#include "huimin.h"
#include "calendar.h"
#include "load.h"
#include "one.h"
#include "pack.h"
#include "plugin.h"
#include "regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tally {
    char key[64];
    const char *name;
    long long n, fen;
    int period;
} tally;

static tally *find(tally *v, int *n, const char *key)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(v[i].key, key) == 0)
            return &v[i];
    if (*n == 4096) {
        fprintf(stderr, "roll_regions: more than 4096 keys\n");
        exit(2);
    }
    tally *t = &v[(*n)++];
    memset(t, 0, sizeof *t);
    snprintf(t->key, sizeof t->key, "%s", key);
    return t;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const tally *)a)->key, ((const tally *)b)->key);
}

static void print(const char *what, tally *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_key);
    for (int i = 0; i < n; i++)
        printf("%s %s %s %lld\n", what, v[i].key, v[i].name ? v[i].name : "-", v[i].n);
}

static tally county[4096], city[4096], roll[4096];
static int ncounty, ncity, nroll;

static void add_payments(const hm_program *p, const hm_facts *f, const hm_roll *r, int32_t owner)
{
    int32_t n = r ? roll_count(p, f, r, owner, NULL) : -1;
    for (int32_t k = 0; k < n; k++) {
        roll_payment pay;
        roll_payment_at(p, f, r, owner, k, &pay);
        tally *t = find(roll, &nroll, pay.policy ? pay.policy : "(none)");
        t->n++;
        t->fen += pay.has_amount ? pay.amount : 0;
        t->period = pay.period;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: roll_regions PACK.hmc CONFIG PLUGINS\n");
        return 2;
    }
    plugin_builtin_dir(argv[3]);
    char err[8192];
    hm_pack *k;
    if (hm_pack_load(argv[1], &k, err, sizeof err) != HM_OK) {
        fprintf(stderr, "roll_regions: %s\n", err);
        return 2;
    }
    const hm_program *p = &k->prog;
    hm_config cfg;
    int32_t day;
    hm_load L;
    memset(&L, 0, sizeof L);
    int rc = batch_config(&cfg, argv[2], NULL, 0, NULL, &day, err, sizeof err);
    if (rc == HM_OK && (load_open_for(&L, p, &cfg, day, LOAD_ROLL | LOAD_REGIONS) || load_population(&L) ||
                        load_facts(&L))) {
        batch_load_error(&L, err, sizeof err);
        rc = HM_EPLUGIN;
    }
    if (rc != HM_OK) {
        fprintf(stderr, "roll_regions: %s\n", err);
        load_close(&L);
        config_free(&cfg);
        hm_pack_free(k);
        return 2;
    }
    roll_info ri;
    roll_find(p, &ri);
    long long unknown = 0, bad = 0;
    for (int32_t h = 0; h < L.facts.nhouse; h++) {
        hm_region r;
        int st = region_of(p, &L.facts, h, day, &r);
        if (st == REGION_KNOWN) {
            tally *c = find(county, &ncounty, r.code[REGION_COUNTY]);
            c->name = r.name[REGION_COUNTY];
            c->n++;
            c = find(city, &ncity, r.code[REGION_CITY]);
            c->name = r.name[REGION_CITY];
            c->n++;
        } else if (st == REGION_BAD) {
            bad++;
        } else {
            unknown++;
        }
        add_payments(p, &L.facts, ri.household, h);
        for (int32_t m = 0; m < L.facts.hh_count[h]; m++)
            add_payments(p, &L.facts, ri.person, L.facts.hh_first[h] + m);
    }
    print("county", county, ncounty);
    print("city", city, ncity);
    printf("region unknown %lld\nregion bad %lld\n", unknown, bad);
    qsort(roll, (size_t)nroll, sizeof *roll, by_key);
    for (int i = 0; i < nroll; i++)
        printf("roll %s %lld %lld %s\n", roll[i].key, roll[i].n, roll[i].fen,
               roll[i].period == PERIOD_PER_MONTH ? "month" : roll[i].period == PERIOD_PER_YEAR ? "year" : "once");
    load_close(&L);
    config_free(&cfg);
    hm_pack_free(k);
    plugin_builtin_dir(NULL);
    return 0;
}
