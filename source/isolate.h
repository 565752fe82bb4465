/* isolate.h -- a source plugin in a process of its own (`isolate =
 * process` in its section of the configuration).
 *
 * The child is forked when the plugin is loaded; it dlopens the plugin and
 * answers the host's calls over a socket: open, fields, population and
 * fetch.  What a plugin gives through the host services (text, records,
 * bad values, households and persons) is sent back and replayed against
 * the real services, so the fact store sees exactly what it would see
 * in-process.  A child that crashes, exits or takes longer than the
 * timeout to answer one call is stopped, and the call fails with a
 * message naming the plugin file. */
#ifndef HM_ISOLATE_H
#define HM_ISOLATE_H

#include "huimin_plugin.h"

#include <stddef.h>
#include <stdint.h>

typedef struct iso_proc iso_proc;

/* Start the process for the plugin at PATH (a resolved, checked file).
 * timeout_ms: the longest one call may take, 0 for no limit.  NULL with
 * err set when it cannot start or the plugin does not load. */
iso_proc *iso_start(const char *path, int64_t timeout_ms, char *err, size_t n);
/* The plugin's descriptor as the child read it (functions NULL; population
 * non-NULL when the plugin has one). */
const hm_source_desc *iso_desc(iso_proc *s);
int  iso_open(iso_proc *s, const hm_open_args *a, hm_plugin_err *err);
int  iso_fields(iso_proc *s, const hm_field_desc **fields, uint32_t *n, hm_plugin_err *err);
int  iso_fetch(iso_proc *s, hm_fetch_req *req, hm_plugin_err *err);
int  iso_population(iso_proc *s, hm_population_ctx *ctx, hm_plugin_err *err);
/* The plugin's identity() (only when iso_desc says it has one); *text
 * lives until the next call or iso_free. */
int  iso_identity(iso_proc *s, const char **text, hm_plugin_err *err);
/* Close the plugin and end the process: 0, or -1 with err set when it
 * failed to do so cleanly.  Once ended, 0. */
int  iso_close(iso_proc *s, char *err, size_t n);
/* Stop the process if it still runs, and free. */
void iso_free(iso_proc *s);

#endif
