/* regions.h -- what `huimin audit` and `huimin diff` read of a pack and of
 * a loaded household besides its decisions:
 *
 *   the payment roll  the facts of the pack's roll source (`source NAME
 *                     "…" roll { household.payments : list of R …  }`):
 *                     each entity's list of payments, each naming a policy
 *                     of the pack, an amount with its period and the date
 *                     it is paid since (program.rolls, bytecode.h)
 *   regions           a household's township (乡镇/街道), county (区县)
 *                     and city (地市), codes and names as of a date, from
 *                     the fact `regions by household.F` names
 *                     (program.regions)
 *
 * A loaded household is row hh of a fact store (hm_facts) as load.c fills
 * it, for a population run (hm_load.facts) or for one household (one.c);
 * its members are person rows f->hh_first[hh] … + f->hh_count[hh] - 1.
 * Read it before facts_drop_values, which frees the values.  No policy
 * reads the roll or the township, so a plain load leaves them out: open
 * the load with load_open_for(…, LOAD_ROLL | LOAD_REGIONS) (load.h).
 * Everything here only reads the store: threads may call it at once. */
#ifndef HM_REGIONS_H
#define HM_REGIONS_H

#include <stdint.h>

#include "bytecode.h"
#include "facts.h"

/* ---- the payment roll ------------------------------------------------------ */

typedef struct roll_info {
    const char *source;         /* the roll source's name; NULL: the pack declares no roll */
    const char *label;          /* its label ("发放名册"), "" for none */
    const hm_roll *household;   /* the households' list of payments, NULL when not declared */
    const hm_roll *person;      /* the persons' list, NULL when not declared */
} roll_info;

/* The roll of program p in *out: 1 when the pack declares one, else 0
 * (out->source NULL, the lists NULL). */
int roll_find(const hm_program *p, roll_info *out);

/* One payment of the roll.  Any field may be left out by the source: then
 * its has_ flag (or policy NULL) says so. */
typedef struct roll_payment {
    const char *policy;         /* the policy paid, as the roll names it (borrowed from the
                                   store's texts); NULL when the record leaves it out */
    int has_amount, has_since;
    int64_t amount;             /* fen */
    int period;                 /* PERIOD_ONCE, PERIOD_PER_MONTH or PERIOD_PER_YEAR: the amount
                                   field's (the same for every payment of a list) */
    int32_t since;              /* day number (calendar.h) */
} roll_payment;

/* The payments of `owner` in list r (r->field: a household row for the
 * households' list, a person row for the persons'): their number (0 for a
 * known empty list), or -1 when the list is not known; *state (if not
 * NULL) is its FACT_* state (FACT_MISSING when the source gave nothing for
 * the owner, FACT_STALE …). */
int32_t roll_count(const hm_program *p, const hm_facts *f, const hm_roll *r, int32_t owner, int *state);
/* Payment k (0 ≤ k < roll_count) of owner into *out. */
void roll_payment_at(const hm_program *p, const hm_facts *f, const hm_roll *r, int32_t owner, int32_t k,
                     roll_payment *out);

/* ---- regions ---------------------------------------------------------------- */

/* The three levels, by the national code structure (GB/T 2260 and the
 * statistical township codes): township = the code's first 9 characters,
 * county = first 6, city = first 4 followed by "00". */
enum { REGION_TOWNSHIP = 0, REGION_COUNTY = 1, REGION_CITY = 2, REGION_LEVELS = 3 };
#define REGION_CODE_MAX 9

/* hm_region.state */
enum {
    REGION_KNOWN = 0,       /* codes (and names where the table has them) below */
    REGION_UNKNOWN = 1,     /* the township fact is not known (fact_state says why) */
    REGION_BAD = 2,         /* its value does not begin with 9 digits */
    REGION_NONE = 3         /* the pack declares no `regions by` */
};

typedef struct hm_region {
    int state;              /* REGION_* */
    int fact_state;         /* FACT_* of the township fact (FACT_MISSING for REGION_NONE) */
    /* REGION_KNOWN: "330102001", "330102", "330100"; else "" */
    char code[REGION_LEVELS][REGION_CODE_MAX + 1];
    /* each level's name as of the date: the `name` of the row of its code
     * in force then, in the reference table the township fact is a key of
     * (borrowed from the store's texts); NULL when there is no such table,
     * row or name: then the code alone names the level */
    const char *name[REGION_LEVELS];
} hm_region;

/* Does program p declare `regions by …`?  The field it names, or -1. */
int32_t regions_field(const hm_program *p);
/* The regions of household hh of store f as of day as_of into *out; returns
 * out->state.  The names need the reference table's rows in the store
 * (load_open_for with LOAD_REGIONS reads them). */
int region_of(const hm_program *p, const hm_facts *f, int32_t hh, int32_t as_of, hm_region *out);
/* "township", "county", "city" (for JSON, CSV and the results database) */
const char *region_level_name(int level);
/* "乡镇（街道）", "区县", "地市" (for text output) */
const char *region_level_label(int level);

#endif
