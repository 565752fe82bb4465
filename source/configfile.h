/* configfile.h -- the source configuration: which plugin serves each source of
 * the policies, with what settings.  An INI file read with inih:
 *
 *   [run]
 *   population = registry     ; the source that lists households and persons
 *   as_of = 2024-08-01        ; optional default as-of date
 *   threads = 2               ; optional, default: one per core
 *   store = all               ; optional: every decision (default: answers)
 *   keep = audit.txt          ; optional: ids whose every decision is stored
 *
 *   [cluster]                 ; optional: the run spread over several nodes
 *   node.0 = host=/run/pg0 dbname=city   ; libpq connection strings, from 0
 *   node.1 = host=/run/pg1 dbname=city
 *   pack = examples           ; optional: the name the nodes load the pack under
 *
 *   [source registry]
 *   plugin = sqlite
 *   database = registry.db
 *   ...
 *
 * Settings may also come from the command line (`--set
 * source.registry.database=other.db`), overriding the file. */
#ifndef HM_CONFIGFILE_H
#define HM_CONFIGFILE_H

#include <stddef.h>

typedef struct cfg_setting {
    char *key, *value;
    int line;               /* 0 when given on the command line */
} cfg_setting;

typedef struct cfg_source {
    char *name;
    char *plugin;
    int plugin_line;        /* where `plugin` was set; 0: on the command line */
    int line;               /* of its [source NAME] header */
    cfg_setting *settings;
    int n, cap;
} cfg_source;

/* nodes of a [cluster] section: node.0 … node.(CFG_MAX_NODES-1) */
#define CFG_MAX_NODES 1024
#define CFG_MAX_NODES_TEXT "1024"
/* timeout = SECONDS of a [cluster] section: at most a week */
#define CFG_MAX_TIMEOUT 604800
#define CFG_MAX_TIMEOUT_TEXT "604800"
#define CFG_LAST_NODE_TEXT "1023"

typedef struct hm_config {
    char *path;             /* the file, or "(command line)" */
    char *text;             /* the file as read (NULL before a line is read) */
    size_t textlen, textcap;
    char *dir;              /* its folder, for relative paths */
    char *population;
    char *as_of;
    int threads;            /* 0: one per core */
    int store_all;          /* store = all */
    char *keep;             /* keep = FILE, or NULL */
    int keep_line;          /* where keep was set; 0: on the command line */
    cfg_source *sources;
    int nsources, capsources;
    /* [cluster]: node.0 … node.N-1 (libpq connection strings), pack = NAME */
    char **nodes;           /* NULL when the file has no [cluster] section */
    int nnodes;
    char *cluster_pack;     /* pack = NAME, or NULL */
    int cluster_timeout;    /* timeout = SECONDS: the nodes' runs end by then; 0 none */
    int cluster_line;       /* of the [cluster] header; 0: none */
    char err[1024];         /* "FILE:LINE: message" after a failure */
} hm_config;

/* Read FILE into c (zeroed first).  0, or -1 with c->err set. */
int  config_read(hm_config *c, const char *path);
/* The same from TEXT: NAME is the file's name in messages and c->path;
 * relative paths resolve against the current folder. */
int  config_read_text(hm_config *c, const char *name, const char *text);
/* Apply "SECTION.KEY=VALUE" (section `run`, or `source.NAME`). */
int  config_set(hm_config *c, const char *assignment);
void config_free(hm_config *c);
cfg_source *config_source(hm_config *c, const char *name);

#endif
