/* one.h -- the facts of one household of a configured population, as a
 * population run would evaluate them (code maps, freshness limits,
 * conflicts between sources, data issues), fetched for that household
 * alone: for `huimin needs` and explain with --household or --person.
 * Also the configuration reading population runs share. */
#ifndef HM_ONE_H
#define HM_ONE_H

#include <stddef.h>
#include <stdint.h>

#include "load.h"

typedef struct hm_one {
    hm_load L;          /* L.facts holds the one household (row 0) and its members */
    hm_config *cfg;
    int32_t member;     /* --person: that person's index in the household, else -1 */
    int32_t as_of;
} hm_one;

/* Load the configuration (with --set overrides), open the plugins, check
 * the schema, restrict to the household (by id, or the household of the
 * person `person`), fetch its facts.  as_of NULL: the configuration's
 * [run] as_of, else today (UTC).  0; or -1 with one line per problem in err
 * (the configuration, the date, a plugin, the schema, a fetch, no such
 * household or person, out of memory: exit status 2 for the command).
 * Call one_close either way. */
int  one_open(hm_one *o, const hm_program *p, const char *config, const char *const *sets, int nsets,
              const char *as_of, const char *household, const char *person, char *err, size_t errlen);
void one_close(hm_one *o);
/* The source that provided value k (a household or person row) of program
 * field `field` (the column's record of it when several sources give the
 * field), or else the field's first configured source. */
const char *one_source_of(const hm_one *o, int32_t field, int32_t k);

/* Read the configuration FILE, apply the --set overrides and settle the
 * as-of date (`as_of`, else the configuration's, else today, UTC).  HM_OK,
 * or HM_EUSAGE with the message in err; cfg is freed by the caller either
 * way. */
int  batch_config(hm_config *cfg, const char *path, const char *const *sets, int nsets,
                  const char *as_of, int32_t *day, char *err, size_t errlen);
/* The same from the configuration's TEXT (NULL: read the file PATH),
 * PATH then only naming it. */
int  batch_config_text(hm_config *cfg, const char *path, const char *text, const char *const *sets, int nsets,
                       const char *as_of, int32_t *day, char *err, size_t errlen);
/* The index of the policy `name` (--policy) in *out; -1 for NULL.  HM_OK,
 * or HM_EUSAGE with a message listing the policies there are. (needs.c) */
int  batch_find_policy(const hm_program *p, const char *name, int32_t *out, char *err, size_t errlen);
/* What one household (row 0 of f, freshness applied) still lacks: the
 * document `huimin needs --given F --format json` prints, ids whole, for
 * every policy or only `policy` (-1 for all).  HM_OK or HM_ENOMEM.
 * (needs.c) */
struct json_t;
struct sema;
/* S, the checked source of p, names what an undetermined decision waits
 * on (NULL: nothing is named). */
int  needs_json(const hm_program *p, struct sema *s, const hm_facts *f, int32_t as_of, int32_t policy,
                struct json_t **out);
/* L->err as one message: its lines, without the last newline. */
void batch_load_error(const hm_load *L, char *err, size_t errlen);

#endif
