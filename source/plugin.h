/* plugin.h -- loading a source plugin: finding the shared object,
 * dlopen, the entry point, checking the descriptor, opening it with its
 * settings, and binding extern functions through libffi. */
#ifndef HM_PLUGIN_H
#define HM_PLUGIN_H

#include "huimin_plugin.h"
#include "bytecode.h"
#include "configfile.h"
#include "vm.h"

#include <stddef.h>

struct hm_plugin_err {
    char msg[1024];
    int set;
};

typedef struct plugin_guard plugin_guard;

typedef struct hm_plugin {
    char *path;                 /* the shared object (absolute, links resolved) */
    void *dl;                   /* NULL when isolated: loaded in the child only */
    /* What the host calls: the plugin's own functions behind a guard that
     * names the plugin if it ends the process, or the proxy of its child
     * process (isolate = process).  state is for these functions. */
    const hm_source_desc *desc;
    void *state;
    int opened;
    int isolated;
    int registered;             /* hm_plugin_register's: path is its name, dl NULL */
    const hm_field_desc *fields;
    uint32_t nfields;
    plugin_guard *guard;
} hm_plugin;

/* How a source's plugin is loaded: the host's own settings of its
 * section (the plugin never sees them). */
typedef struct plugin_opts {
    const char *source;         /* for messages; NULL for a bare plugin-check */
    const char *base_dir;       /* relative paths; NULL: the working directory */
    int isolate;                /* 1: in a child process */
    int64_t timeout_ms;         /* isolated: longest one call may take, 0 none */
} plugin_opts;

/* The services offered to plugins (defined in load.c, where the fetch and
 * population contexts live). */
extern const hm_host_api hm_host;
/* hm_host.set_error, for the host an isolated plugin's process gets */
void host_set_error(hm_plugin_err *err, const char *fmt, ...);
/* The rows of a fetch in the order the population listed them, or NULL
 * (row order): where host->find looks first (load.c). */
const int32_t *load_fetch_order(const hm_fetch_ctx *ctx);

/* The plugin file NAME stands for: sqlite, csv and postgres are the
 * built-ins (beside the huimin command, then the install folder, never
 * HUIMIN_PLUGIN_PATH); another name is looked up as NAME.so on
 * HUIMIN_PLUGIN_PATH, beside huimin, then in the install folder; a value
 * containing '/' or ending in .so is a path, relative to base_dir (NULL:
 * the working directory).  The file and its folder must belong to root or
 * to the user running huimin and be writable by no one else.  0 and the
 * absolute path (links resolved) in buf, or -1 with err set. */
int  plugin_resolve(const char *name, const char *base_dir, char *buf, size_t n, char *err, size_t errlen);
/* Resolve NAME, dlopen it (or start its child process) and check its
 * descriptor; a NAME the program registered (hm_plugin_register) is
 * taken from there first, in-process, unguarded, never isolated.  0, or
 * -1 with err set. */
int  plugin_load(hm_plugin *pl, const char *name, const plugin_opts *o, char *err, size_t n);
/* The plugin of a configured source, with its `isolate` and `timeout`
 * settings; a `plugin` from the file is relative to the file's folder,
 * one given with --set to the working directory. */
int  plugin_load_source(hm_plugin *pl, const hm_config *cfg, const cfg_source *s, char *err, size_t n);
/* Open with the source's settings (but the host's own: isolate, timeout)
 * and read its fields.  0, or -1. */
int  plugin_open(hm_plugin *pl, const char *source, const char *base_dir,
                 const cfg_setting *settings, int nsettings, char *err, size_t n);
/* Call the plugin's close() now, before anything is recorded: 0, or -1
 * with err set when an isolated plugin's process failed doing it (an
 * in-process one that crashes takes huimin with it, before any record).
 * The path stays for the record; plugin_close frees it. */
int  plugin_finish(hm_plugin *pl, char *err, size_t n);
void plugin_close(hm_plugin *pl);
/* What the opened source is, as its plugin reports it (its identity
 * entry point; "(not reported)" without one, "(not read)" when the source
 * was not opened): 0 and an owned copy in *text, or -1 with err set.  Call
 * before plugin_finish. */
int  plugin_identity(hm_plugin *pl, char **text, char *err, size_t n);
/* The identity entry point of a plugin's own descriptor, when its size
 * covers it (ABI 1.2), else NULL. */
static inline int (*plugin_desc_identity(const hm_source_desc *d))(void *, const char **, hm_plugin_err *)
{
    return d->size >= offsetof(hm_source_desc, identity) + sizeof d->identity ? d->identity : NULL;
}
/* The population_fetch entry point of a plugin's own descriptor, when its
 * size covers it (ABI 1.3), else NULL. */
typedef int (*plugin_population_fetch_fn)(void *, hm_population_ctx *, hm_fetch_req *, hm_fetch_req *,
                                          hm_plugin_err *);
static inline plugin_population_fetch_fn plugin_desc_population_fetch(const hm_source_desc *d)
{
    return d->size >= offsetof(hm_source_desc, population_fetch) + sizeof d->population_fetch
               ? d->population_fetch : NULL;
}
/* The reftable entry point of a plugin's own descriptor (ABI 1.6), when
 * its size covers it. */
typedef int (*plugin_reftable_fn)(void *, const hm_reftable_req *, hm_plugin_err *);
static inline plugin_reftable_fn plugin_desc_reftable(const hm_source_desc *d)
{
    return d->size >= offsetof(hm_source_desc, reftable) + sizeof d->reftable ? d->reftable : NULL;
}
/* The field the plugin declares for (entity, name), or NULL. */
const hm_field_desc *plugin_field(const hm_plugin *pl, int entity, const char *name);
/* "bool", "money per month", "records of money", "code marital" */
void plugin_type_name(int type, int period, int records, const char *codeset, char *buf, size_t n);

/* Look for the built-in plugins in DIR first (a test program's build
 * tree; NULL: only beside huimin and in the install folder). */
void plugin_builtin_dir(const char *dir);

/* dlopen PATH, call its entry point with host and check the descriptor:
 * shared by the in-process load and the isolated child.  0, or -1. */
int  plugin_dlopen(const char *path, const hm_host_api *host, void **dl, const hm_source_desc **d,
                   char *err, size_t n);

/* Extern functions bound through libffi: one per extern of the program,
 * their call interfaces prepared once. */
typedef struct hm_ffi_bindings hm_ffi_bindings;
/* Bind every extern of p that some plugin provides (by source when the
 * extern names one); a missing function or a different signature is an
 * error.  Returns the bindings (vm_extern array in *out) or NULL with err
 * set (an empty set when p has no externs). */
hm_ffi_bindings *externs_bind(const hm_program *p, hm_plugin *plugins, char *const *sources,
                              int nplugins, const vm_extern **out, char *err, size_t n);
void externs_free(hm_ffi_bindings *b);
/* The plugin file that provides extern function i, or NULL when unbound. */
const char *externs_plugin(const hm_ffi_bindings *b, int32_t i);

#endif
