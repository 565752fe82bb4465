/* plugin.c -- finding, loading and checking source plugins. */
#include "plugin.h"
#include "huimin.h"
#include "isolate.h"
#include "mem.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HM_PLUGIN_DIR
#define HM_PLUGIN_DIR "/usr/local/lib/huimin/plugins"
#endif

/* ---- finding the file ------------------------------------------------------ */

static const char *const builtins[] = { "sqlite", "csv", "postgres" };

static char *builtin_dir;           /* plugin_builtin_dir(), for tests */

void plugin_builtin_dir(const char *dir)
{
    mem_free(builtin_dir);
    builtin_dir = dir ? mem_strdup(dir) : NULL;
}

static int is_builtin(const char *name)
{
    for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++)
        if (strcmp(name, builtins[i]) == 0)
            return 1;
    return 0;
}

/* The folders searched for a plugin name, colon-separated: for a built-in
 * only where huimin itself is (a build tree keeps them in plugins/.libs
 * beside the command) and the install folder; for another name
 * HUIMIN_PLUGIN_PATH first.  NULL when out of memory. */
static char *search_dirs(int builtin)
{
    const char *env = builtin ? NULL : getenv("HUIMIN_PLUGIN_PATH");
    char exe[PATH_MAX] = "";
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
    } else {
        exe[0] = '\0';
    }
    size_t n = (env ? strlen(env) : 0) + 2 * strlen(exe) + strlen(HM_PLUGIN_DIR) +
               (builtin_dir ? strlen(builtin_dir) : 0) + 64;
    char *dirs = mem_alloc(n);
    if (!dirs)
        return NULL;
    size_t at = 0;
    if (builtin && builtin_dir)
        at += (size_t)snprintf(dirs + at, n - at, "%s:", builtin_dir);
    if (env && *env)
        at += (size_t)snprintf(dirs + at, n - at, "%s:", env);
    if (*exe)
        at += (size_t)snprintf(dirs + at, n - at, "%s/plugins/.libs:%s/plugins:", exe, exe);
    snprintf(dirs + at, n - at, "%s", HM_PLUGIN_DIR);
    return dirs;
}

/* NAME.so in the folders searched, in order: 0 and its path in buf, or -1
 * with the folders tried in err. */
static int find_plugin(const char *name, char *buf, size_t n, char *err, size_t errlen)
{
    int builtin = is_builtin(name);
    char *dirs = search_dirs(builtin);
    if (!dirs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t tl = (size_t)snprintf(err, errlen, "%s `%s` not found (looked for %s.so in ",
                                 builtin ? "built-in plugin" : "plugin", name, name);
    int first = 1, rc = -1;
    for (char *d = dirs, *end; d; d = end ? end + 1 : NULL) {
        end = strchr(d, ':');
        if (end)
            *end = '\0';
        if (!*d)
            continue;
        if ((size_t)snprintf(buf, n, "%s/%s.so", d, name) < n && access(buf, F_OK) == 0) {
            rc = 0;
            break;
        }
        if (tl < errlen)
            tl += (size_t)snprintf(err + tl, errlen - tl, "%s%s", first ? "" : ", ", d);
        first = 0;
    }
    if (rc && tl < errlen)
        snprintf(err + tl, errlen - tl, builtin ? "; built-in plugins are never looked for on "
                 "HUIMIN_PLUGIN_PATH: is huimin completely installed?)"
                 : "; set HUIMIN_PLUGIN_PATH or give a path)");
    mem_free(dirs);
    return rc;
}

/* As ssh treats keys: a file (or folder) that someone other than its owner
 * can change, or whose owner is neither root nor the user running huimin,
 * could make huimin run anybody's code. */
static int safe(const char *plugin, const char *file, int folder, char *err, size_t n)
{
    struct stat st;
    const char *what = folder ? "its folder " : "it";
    if (stat(file, &st)) {
        snprintf(err, n, "plugin %s: %s%s: %s", plugin, what, folder ? file : "", strerror(errno));
        return -1;
    }
    if (!folder && !S_ISREG(st.st_mode)) {
        snprintf(err, n, "plugin %s: not a regular file", plugin);
        return -1;
    }
    uid_t me = geteuid();
    if (st.st_uid != 0 && st.st_uid != me) {
        snprintf(err, n, "plugin %s: refused: %s%s belongs to uid %u, neither root nor the user running "
                 "huimin (uid %u)", plugin, what, folder ? file : "", (unsigned)st.st_uid, (unsigned)me);
        return -1;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(err, n, "plugin %s: refused: %s%s is writable by %s (mode %04o); make it writable by "
                 "its owner only: chmod go-w %s", plugin, what, folder ? file : "",
                 st.st_mode & S_IWOTH ? "others" : "its group", (unsigned)(st.st_mode & 07777), file);
        return -1;
    }
    return 0;
}

int plugin_resolve(const char *name, const char *base_dir, char *buf, size_t n, char *err, size_t errlen)
{
    char cand[PATH_MAX];
    size_t len = strlen(name);
    if (!len) {
        snprintf(err, errlen, "plugin: no name given");
        return -1;
    }
    if (strchr(name, '/') || (len > 3 && strcmp(name + len - 3, ".so") == 0)) {
        /* a path: never a name dlopen would look for on the library path */
        int rel = name[0] != '/' && base_dir;
        if ((size_t)snprintf(cand, sizeof cand, "%s%s%s", rel ? base_dir : "", rel ? "/" : "", name)
            >= sizeof cand) {
            snprintf(err, errlen, "plugin %s: path too long", name);
            return -1;
        }
        if (access(cand, F_OK)) {
            snprintf(err, errlen, "plugin %s: no such file", cand);
            return -1;
        }
    } else if (find_plugin(name, cand, sizeof cand, err, errlen)) {
        return -1;
    }
    char real[PATH_MAX];
    if (!realpath(cand, real)) {
        snprintf(err, errlen, "plugin %s: %s", cand, strerror(errno));
        return -1;
    }
    if (strlen(real) >= n) {
        snprintf(err, errlen, "plugin %s: path too long", real);
        return -1;
    }
    strcpy(buf, real);
    char dir[PATH_MAX];
    strcpy(dir, real);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    return safe(real, real, 0, err, errlen) || safe(real, dir, 1, err, errlen) ? -1 : 0;
}

/* ---- the guard: which plugin is running, should it end the process -------- */

struct plugin_guard {
    hm_source_desc desc;            /* what hm_plugin.desc points at */
    const hm_source_desc *real;     /* in-process: the plugin's own */
    void *state;                    /* its state */
    iso_proc *iso;                  /* isolated: its process */
    const char *path;               /* hm_plugin.path */
    char *source;
    int registered;                 /* hm_plugin_register's: the host program's own code */
    plugin_guard *prev, *next;      /* the in-process plugins opened */
};

/* the plugin this thread is calling, and which of its functions */
static _Thread_local plugin_guard *in_call;
static _Thread_local const char *in_what;

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static plugin_guard *live;          /* opened in-process, not yet closed */
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;
static pid_t guard_pid;

/* exit() called while an in-process plugin runs, or while one is open
 * (from an extern function, or a thread of its own), would end huimin
 * with the plugin's status (0, say) and no word: a run that looks done.
 * Say which plugin it was and end with status 2 instead.  Nothing has
 * been recorded then: plugins are closed before the results are written. */
static void exit_guard(void)
{
    if (getpid() != guard_pid)
        return;     /* an isolated plugin's process: its parent reports it */
    plugin_guard *g = in_call;
    int busy = 0;
    if (g) {
        fprintf(stderr, "huimin: source %s (plugin %s) ended the process (exit) in its %s(); "
                "a plugin must return its errors, never exit: nothing was recorded\n",
                g->source ? g->source : "-", g->path, in_what);
        fflush(stderr);     /* huimin buffers it */
        _exit(2);
    }
    if (pthread_mutex_trylock(&live_lock) == 0) {
        g = live;
        pthread_mutex_unlock(&live_lock);
    } else {
        busy = 1;   /* a plugin is being opened or closed right now */
    }
    if (g || busy) {
        fprintf(stderr, "huimin: the process was ended (exit) while source plugins were open%s%s%s%s%s; "
                "nothing was recorded\n", g ? " (source " : "", !g ? "" : g->source ? g->source : "-",
                g ? ", plugin " : "", g ? g->path : "", !g ? "" : g->next ? ", and others)" : ")");
        fflush(stderr);
        _exit(2);
    }
}

static void guard_init(void)
{
    guard_pid = getpid();
    atexit(exit_guard);
}

static void set_live(plugin_guard *g, int on)
{
    if (g->registered)
        return;
    pthread_mutex_lock(&live_lock);
    if (on) {
        g->next = live;
        g->prev = NULL;
        if (live)
            live->prev = g;
        live = g;
    } else {
        if (g->prev)
            g->prev->next = g->next;
        else if (live == g)
            live = g->next;
        if (g->next)
            g->next->prev = g->prev;
        g->prev = g->next = NULL;
    }
    pthread_mutex_unlock(&live_lock);
}

/* A registered plugin is the host's own code: the host may end the
 * process from inside it (PostgreSQL does on a fatal error), which is no
 * plugin's fault, so it is never guarded. */
#define GUARDED(g, what, call)              \
    do {                                    \
        in_call = (g)->registered ? NULL : (g); \
        in_what = (what);                   \
        call;                               \
        in_call = NULL;                     \
    } while (0)

static int g_open(const hm_host_api *h, const hm_open_args *a, void **st, hm_plugin_err *e)
{
    (void)h, (void)a, (void)st, (void)e;
    return HM_PLUGIN_ERROR;     /* plugin_open calls the plugin's own */
}

static int g_fields(void *st, const hm_field_desc **f, uint32_t *n, hm_plugin_err *e)
{
    plugin_guard *g = st;
    if (g->iso)
        return iso_fields(g->iso, f, n, e);
    int rc;
    GUARDED(g, "fields", rc = g->real->fields(g->state, f, n, e));
    return rc;
}

static int g_fetch(void *st, hm_fetch_req *req, hm_plugin_err *e)
{
    plugin_guard *g = st;
    if (g->iso)
        return iso_fetch(g->iso, req, e);
    int rc;
    GUARDED(g, "fetch", rc = g->real->fetch(g->state, req, e));
    return rc;
}

static int g_identity(void *st, const char **text, hm_plugin_err *e)
{
    plugin_guard *g = st;
    if (g->iso)
        return iso_identity(g->iso, text, e);
    int rc;
    GUARDED(g, "identity", rc = g->real->identity(g->state, text, e));
    return rc;
}

static int g_population(void *st, hm_population_ctx *c, hm_plugin_err *e)
{
    plugin_guard *g = st;
    if (g->iso)
        return iso_population(g->iso, c, e);
    int rc;
    GUARDED(g, "population", rc = g->real->population(g->state, c, e));
    return rc;
}

static int g_population_fetch(void *st, hm_population_ctx *c, hm_fetch_req *h, hm_fetch_req *p,
                              hm_plugin_err *e)
{
    plugin_guard *g = st;
    int rc;
    GUARDED(g, "population_fetch", rc = g->real->population_fetch(g->state, c, h, p, e));
    return rc;
}

static int g_reftable(void *st, const hm_reftable_req *req, hm_plugin_err *e)
{
    plugin_guard *g = st;
    int rc;
    GUARDED(g, "reftable", rc = g->real->reftable(g->state, req, e));
    return rc;
}

static void g_close(void *st)
{
    (void)st;   /* plugin_finish closes */
}

/* ---- loading ---------------------------------------------------------------- */

static int check_entry(const char *path, hm_source_entry_fn entry, const hm_host_api *host,
                       const hm_source_desc **desc, char *err, size_t n);

/* ---- plugins the host program provides (hm_plugin_register) ---- */

typedef struct registered {
    char *name;
    hm_source_entry_fn entry;
    struct registered *next;
} registered;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static registered *registry;

/* a name a configuration can give as `plugin = NAME` without it being
 * taken for a path: letters, digits, `_` and `-` */
static int plain_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
            return 0;
    return 1;
}

int hm_plugin_register(const char *name, hm_source_entry_fn entry)
{
    if (!plain_name(name))
        return HM_EUSAGE;
    int rc = HM_OK;
    pthread_mutex_lock(&registry_lock);
    registered **at = &registry;
    while (*at && strcmp((*at)->name, name) != 0)
        at = &(*at)->next;
    if (*at && entry) {
        (*at)->entry = entry;
    } else if (*at) {
        registered *r = *at;
        *at = r->next;
        mem_free(r->name);
        mem_free(r);
    } else if (entry) {
        registered *r = mem_calloc(1, sizeof *r);
        if (!r || !(r->name = mem_strdup(name))) {
            mem_free(r);
            rc = HM_ENOMEM;
        } else {
            r->entry = entry;
            *at = r;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

/* The entry point registered for NAME, or NULL. */
static hm_source_entry_fn registered_entry(const char *name)
{
    hm_source_entry_fn entry = NULL;
    pthread_mutex_lock(&registry_lock);
    for (registered *r = registry; r && !entry; r = r->next)
        if (strcmp(r->name, name) == 0)
            entry = r->entry;
    pthread_mutex_unlock(&registry_lock);
    return entry;
}

int plugin_dlopen(const char *path, const hm_host_api *host, void **dl, const hm_source_desc **desc,
                  char *err, size_t n)
{
    dlerror();
    *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!*dl) {
        const char *e = dlerror();
        snprintf(err, n, "plugin %s: cannot load: %s", path, e ? e : "unknown error");
        return -1;
    }
    hm_source_entry_fn entry;
    void *sym = dlsym(*dl, HM_SOURCE_ENTRY);
    memcpy(&entry, &sym, sizeof entry);    /* object → function pointer, as POSIX allows */
    if (!sym) {
        snprintf(err, n, "plugin %s: not a huimin source plugin: it does not export %s()",
                 path, HM_SOURCE_ENTRY);
        return -1;
    }
    return check_entry(path, entry, host, desc, err, n);
}

/* Call a plugin's entry point and check the descriptor it returns. */
static int check_entry(const char *path, hm_source_entry_fn entry, const hm_host_api *host,
                       const hm_source_desc **desc, char *err, size_t n)
{
    const hm_source_desc *d = entry(host);
    if (!d) {
        snprintf(err, n, "plugin %s: %s() returned no descriptor", path, HM_SOURCE_ENTRY);
        return -1;
    }
    if (d->abi_major != HM_PLUGIN_ABI_MAJOR) {
        snprintf(err, n, "plugin %s: built for plugin ABI %u.%u, this huimin speaks %d.%d; "
                 "rebuild the plugin against this huimin's huimin_plugin.h",
                 path, d->abi_major, d->abi_minor, HM_PLUGIN_ABI_MAJOR, HM_PLUGIN_ABI_MINOR);
        return -1;
    }
    if (d->size < HM_SOURCE_DESC_SIZE_1_0) {
        snprintf(err, n, "plugin %s: descriptor of %u bytes is smaller than ABI %d.0's %zu",
                 path, d->size, HM_PLUGIN_ABI_MAJOR, HM_SOURCE_DESC_SIZE_1_0);
        return -1;
    }
    const char *missing = !d->name ? "name" : !d->open ? "open" : !d->fields ? "fields"
                        : !d->fetch ? "fetch" : !d->close ? "close" : NULL;
    if (missing) {
        snprintf(err, n, "plugin %s: its descriptor has no %s", path, missing);
        return -1;
    }
    if (d->nexterns && !d->externs) {
        snprintf(err, n, "plugin %s: declares %u extern functions but gives no list", path, d->nexterns);
        return -1;
    }
    for (uint32_t i = 0; i < d->nexterns; i++) {
        const hm_extern_desc *x = &d->externs[i];
        int ok = x->name && x->symbol && x->nparams <= HM_EXTERN_MAX_PARAMS &&
                 x->result >= HM_T_BOOL && x->result <= HM_T_DATE;
        for (int k = 0; ok && k < x->nparams; k++)
            ok = x->params[k] >= HM_T_BOOL && x->params[k] <= HM_T_TEXT;
        if (!ok) {
            snprintf(err, n, "plugin %s: extern function %u (%s) is badly described", path, i,
                     x->name ? x->name : "no name");
            return -1;
        }
    }
    *desc = d;
    return 0;
}

int plugin_load(hm_plugin *pl, const char *name, const plugin_opts *o, char *err, size_t n)
{
    memset(pl, 0, sizeof *pl);
    char path[PATH_MAX];
    hm_source_entry_fn entry = registered_entry(name);
    if (entry && o && o->isolate) {
        snprintf(err, n, "plugin %s is part of this program (registered): it cannot run isolated; "
                 "remove `isolate = process`", name);
        return -1;
    }
    if (entry)
        snprintf(path, sizeof path, "%s", name);
    else if (pthread_once(&guard_once, guard_init),
             plugin_resolve(name, o ? o->base_dir : NULL, path, sizeof path, err, n))
        return -1;
    plugin_guard *g = mem_calloc(1, sizeof *g);
    if (!g || !(pl->path = mem_strdup(path)) ||
        (o && o->source && !(g->source = mem_strdup(o->source)))) {
        if (g)
            mem_free(g->source);
        mem_free(g);
        snprintf(err, n, "out of memory");
        return -1;
    }
    g->path = pl->path;
    g->registered = pl->registered = entry != NULL;
    pl->guard = g;
    const hm_source_desc *d;
    if (entry) {
        if (check_entry(name, entry, &hm_host, &d, err, n))
            return -1;
    } else if (o && o->isolate) {
        if (!(g->iso = iso_start(path, o->timeout_ms, err, n)))
            return -1;
        d = iso_desc(g->iso);
        pl->isolated = 1;
    } else {
        int rc;
        GUARDED(g, HM_SOURCE_ENTRY, rc = plugin_dlopen(path, &hm_host, &pl->dl, &d, err, n));
        if (rc)
            return -1;
    }
    g->real = d;
    /* the members this host knows, the functions behind the guard */
    g->desc = (hm_source_desc){ sizeof g->desc, d->abi_major, d->abi_minor, d->name, d->version,
                                d->description, g_open, g_fields, g_fetch,
                                d->population ? g_population : NULL, g_close, d->externs, d->nexterns,
                                plugin_desc_identity(d) ? g_identity : NULL,
                                /* in one reading, in huimin's process only */
                                !g->iso && plugin_desc_population_fetch(d) ? g_population_fetch : NULL,
                                /* reference tables: in huimin's process only */
                                !g->iso && plugin_desc_reftable(d) ? g_reftable : NULL };
    pl->desc = &g->desc;
    pl->state = g;
    return 0;
}

/* "30s", "5m", "1h", "500ms" → milliseconds, or -1 */
static int64_t parse_duration(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || v <= 0 || v > 1000000000)
        return -1;
    int64_t unit = strcmp(end, "ms") == 0 ? 1 : strcmp(end, "s") == 0 ? 1000
                 : strcmp(end, "m") == 0 || strcmp(end, "min") == 0 ? 60000 : strcmp(end, "h") == 0 ? 3600000 : -1;
    return unit < 0 ? -1 : (int64_t)v * unit;
}

/* the host's own keys in a source's section */
static int host_key(const char *key)
{
    return strcmp(key, "isolate") == 0 || strcmp(key, "timeout") == 0;
}

int plugin_load_source(hm_plugin *pl, const hm_config *cfg, const cfg_source *s, char *err, size_t n)
{
    plugin_opts o = { s->name, s->plugin_line ? cfg->dir : NULL, 0, 0 };
    const cfg_setting *timeout = NULL;
    memset(pl, 0, sizeof *pl);
    for (int i = 0; i < s->n; i++) {
        const cfg_setting *st = &s->settings[i];
        if (strcmp(st->key, "isolate") == 0) {
            if (strcmp(st->value, "process") == 0) {
                o.isolate = 1;
            } else if (strcmp(st->value, "none") == 0) {
                o.isolate = 0;
            } else {
                snprintf(err, n, "isolate = %s: expected `process` (the plugin runs in a process of its "
                         "own) or `none`", st->value);
                return -1;
            }
        } else if (strcmp(st->key, "timeout") == 0) {
            if ((o.timeout_ms = parse_duration(st->value)) < 0) {
                snprintf(err, n, "timeout = %s: expected a duration such as 30s, 5m, 1h or 500ms", st->value);
                return -1;
            }
            timeout = st;
        }
    }
    if (timeout && !o.isolate) {
        snprintf(err, n, "timeout = %s needs isolate = process: a plugin in huimin's own process "
                 "cannot be stopped", timeout->value);
        return -1;
    }
    return plugin_load(pl, s->plugin, &o, err, n);
}

static int check_field(const hm_field_desc *f)
{
    return f->name && (f->entity == HM_HOUSEHOLD || f->entity == HM_PERSON) &&
           ((f->type >= HM_T_BOOL && f->type <= HM_T_CODE) ||
            (f->type == HM_T_PERSON && f->records != FIELD_RECORDS)) && f->period <= HM_PER_YEAR &&
           f->records <= FIELD_ROWFIELD && (f->records != FIELD_ROWS || f->type == HM_T_INT) &&
           (f->type != HM_T_CODE || f->code_set);
}

int plugin_open(hm_plugin *pl, const char *source, const char *base_dir,
                const cfg_setting *settings, int nsettings, char *err, size_t n)
{
    plugin_guard *g = pl->guard;
    hm_setting *st = mem_calloc((size_t)nsettings + 1, sizeof *st);
    if (!st) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    uint32_t ns = 0;
    for (int i = 0; i < nsettings; i++)
        if (!host_key(settings[i].key))
            st[ns++] = (hm_setting){ settings[i].key, settings[i].value, settings[i].line };
    hm_open_args a = { sizeof a, source, base_dir, st, ns };
    struct hm_plugin_err e = { .set = 0 };
    int rc;
    if (g->iso) {
        rc = iso_open(g->iso, &a, &e);
    } else {
        GUARDED(g, "open", rc = g->real->open(&hm_host, &a, &g->state, &e));
        set_live(g, 1);
    }
    mem_free(st);
    pl->opened = 1;     /* close() even after a failed open: it may have state */
    if (rc != HM_PLUGIN_OK) {
        snprintf(err, n, "%s", e.set ? e.msg : "open failed (the plugin gave no reason)");
        return -1;
    }
    e.set = 0;
    if (pl->desc->fields(pl->state, &pl->fields, &pl->nfields, &e) != HM_PLUGIN_OK) {
        snprintf(err, n, "%s", e.set ? e.msg : "listing its fields failed (the plugin gave no reason)");
        return -1;
    }
    if (pl->nfields && !pl->fields) {
        snprintf(err, n, "declares %u fields but gives no list", pl->nfields);
        return -1;
    }
    for (uint32_t i = 0; i < pl->nfields; i++)
        if (!check_field(&pl->fields[i])) {
            snprintf(err, n, "field %u (%s) is badly described", i,
                     pl->fields[i].name ? pl->fields[i].name : "no name");
            return -1;
        }
    return 0;
}

int plugin_finish(hm_plugin *pl, char *err, size_t n)
{
    plugin_guard *g = pl->guard;
    int rc = 0;
    if (g && g->iso) {
        rc = iso_close(g->iso, err, n);
    } else if (g && pl->opened) {
        GUARDED(g, "close", g->real->close(g->state));
        set_live(g, 0);
    }
    pl->opened = 0;
    pl->fields = NULL;
    pl->nfields = 0;
    return rc;
}

int plugin_identity(hm_plugin *pl, char **text, char *err, size_t n)
{
    *text = NULL;
    const char *t = NULL;
    if (pl->opened && pl->desc->identity) {
        hm_plugin_err e = { .set = 0 };
        if (pl->desc->identity(pl->state, &t, &e) != HM_PLUGIN_OK) {
            snprintf(err, n, "cannot say what the source is (identity): %s", e.set ? e.msg : "no reason given");
            return -1;
        }
    }
    if (!(*text = mem_strdup(!pl->opened ? "(not read)" : t ? t : "(not reported)"))) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    return 0;
}

void plugin_close(hm_plugin *pl)
{
    char err[8];
    plugin_finish(pl, err, sizeof err);
    if (pl->guard) {
        iso_free(pl->guard->iso);
        mem_free(pl->guard->source);
        mem_free(pl->guard);
    }
    /* the object stays mapped: extern functions and strings may still be
     * referenced until the process ends, and unloading buys nothing */
    mem_free(pl->path);
    memset(pl, 0, sizeof *pl);
}

const hm_field_desc *plugin_field(const hm_plugin *pl, int entity, const char *name)
{
    for (uint32_t i = 0; i < pl->nfields; i++)
        if (pl->fields[i].entity == entity && strcmp(pl->fields[i].name, name) == 0)
            return &pl->fields[i];
    return NULL;
}

void plugin_type_name(int type, int period, int records, const char *codeset, char *buf, size_t n)
{
    const char *t = vt_name(type);
    snprintf(buf, n, "%s%s%s%s%s", records ? "records of " : "", t,
             type != HM_T_MONEY ? "" : period == HM_PER_MONTH ? " per month" : period == HM_PER_YEAR ? " per year" : "",
             type == HM_T_CODE ? " " : "", type == HM_T_CODE && codeset ? codeset : "");
}

