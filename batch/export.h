/* export.h -- one household of a configured population as a JSON
 * household (`huimin export`). */
#ifndef HM_EXPORT_H
#define HM_EXPORT_H

#include <jansson.h>

#include "bytecode.h"

/* The household with id `household` of the population the configuration
 * provides, fetched alone, as {"household": {…, "members": [{…}]}}: the
 * ids, and each fact a source gave (not a declared default, not a value
 * read from a reference table) with its date and source where known.
 * HM_OK; HM_EUSAGE (the configuration, a plugin, no such household: err);
 * HM_ENOMEM. */
int export_household(const hm_program *p, const char *config, const char *const *sets, int nsets,
                     const char *as_of, const char *household, json_t **out, char *err, size_t errlen);

#endif
