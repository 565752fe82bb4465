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

typedef struct hm_plugin {
    char *path;                 /* the shared object loaded */
    void *dl;
    const hm_source_desc *desc;
    void *state;
    int opened;
    const hm_field_desc *fields;
    uint32_t nfields;
} hm_plugin;

/* The services offered to plugins (defined in load.c, where the fetch and
 * population contexts live). */
extern const hm_host_api hm_host;

/* Find NAME (a plugin name looked up on HUIMIN_PLUGIN_PATH, beside the
 * huimin command, then in the install folder; or a path to a .so), dlopen
 * it and check its descriptor.  0, or -1 with err set. */
int  plugin_load(hm_plugin *pl, const char *name, char *err, size_t n);
/* Open with the source's settings and read its fields.  0, or -1. */
int  plugin_open(hm_plugin *pl, const char *source, const char *base_dir,
                 const cfg_setting *settings, int nsettings, char *err, size_t n);
void plugin_close(hm_plugin *pl);
/* The field the plugin declares for (entity, name), or NULL. */
const hm_field_desc *plugin_field(const hm_plugin *pl, int entity, const char *name);
/* "bool", "money per month", "records of money", "code marital" */
void plugin_type_name(int type, int period, int records, const char *codeset, char *buf, size_t n);

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
