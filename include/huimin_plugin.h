/* huimin_plugin.h -- the ABI between huimin and department data-source
 * plugins.
 *
 * A plugin is a shared object that exports one function, hm_source_v1(),
 * returning a constant descriptor.  The descriptor starts with its size and
 * ABI version; the host refuses a different major version and reads fields
 * added in later minor versions only when `size` covers them.  New fields
 * are only ever appended.  Errors cross the boundary as a status code plus a
 * message set through host->set_error(), so the host owns the memory. */
#ifndef HUIMIN_PLUGIN_H
#define HUIMIN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HM_PLUGIN_ABI_MAJOR 1   /* incompatible change: the host refuses */
#define HM_PLUGIN_ABI_MINOR 0   /* fields appended: the host reads by size */

#if defined(__GNUC__)
#define HM_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define HM_PLUGIN_EXPORT
#endif

/* Value types a field can have (the policy language's scalar types). */
typedef enum hm_value_type {
    HM_T_BOOL = 1,
    HM_T_INT = 2,       /* int64 */
    HM_T_MONEY = 3,     /* int64, in fen */
    HM_T_DECIMAL = 4,   /* int64, millionths */
    HM_T_DATE = 5,      /* int32, days since 1970-01-01 */
    HM_T_TEXT = 6,      /* UTF-8, NUL-terminated */
    HM_T_CODE = 7       /* the department's raw code, as text */
} hm_value_type;

typedef enum hm_entity { HM_HOUSEHOLD = 1, HM_PERSON = 2 } hm_entity;

/* One field a plugin can provide. */
typedef struct hm_field_desc {
    uint8_t     entity;     /* hm_entity */
    uint8_t     type;       /* hm_value_type */
    uint8_t     period;     /* money: 0 none, 1 per month, 2 per year */
    uint8_t     reserved;
    const char *name;       /* "monthly_income" */
    const char *code_set;   /* for HM_T_CODE: the code set it maps to, or NULL */
} hm_field_desc;

typedef struct hm_plugin_err hm_plugin_err;  /* opaque, owned by the host */

/* Services the host offers to plugins.  Append-only; check `size` before
 * using a member added after ABI 1.0. */
typedef struct hm_host_api {
    uint32_t size;
    uint16_t abi_major, abi_minor;
    void *(*alloc)(size_t n);
    void  (*free)(void *p);
    /* Record an error message for the host to report (printf-style). */
    void  (*set_error)(hm_plugin_err *err, const char *fmt, ...);
    /* ABI 1.1 and later: new members go below this line. */
} hm_host_api;

typedef struct hm_source_desc {
    uint32_t size;              /* sizeof(hm_source_desc) as the plugin was built */
    uint16_t abi_major, abi_minor;
    const char *name;           /* "sqlite" */
    const char *version;        /* the plugin's own version */
    const hm_field_desc *fields;/* fields it can always provide (may be NULL when
                                   they depend on the configuration) */
    uint32_t nfields;
    /* Connect with a configuration string; state is the plugin's own. */
    int  (*open)(const hm_host_api *host, const char *config, void **state, hm_plugin_err *err);
    void (*close)(void *state);
    /* ABI 1.1 and later: new members go below this line. */
} hm_source_desc;

/* The one symbol a plugin exports. */
typedef const hm_source_desc *(*hm_source_entry_fn)(const hm_host_api *host);
#define HM_SOURCE_ENTRY "hm_source_v1"

#ifdef __cplusplus
}
#endif

#endif
