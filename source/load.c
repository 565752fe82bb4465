/* load.c -- see load.h.  Also the host services of huimin_plugin.h: the
 * fetch and population contexts they act on live here. */
#include "load.h"
#include "arena.h"
#include "calendar.h"
#include "mask.h"
#include "mem.h"
#include "thread.h"
#include "utf8.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- messages ------------------------------------------------------------ */

static void add_err(hm_load *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_err(hm_load *L, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&L->lock);
    size_t at = strlen(L->err);
    if (at + 2 < sizeof L->err)
        snprintf(L->err + at, sizeof L->err - at, "%s\n", line);
    pthread_mutex_unlock(&L->lock);
}

const char *load_issue_kind(int kind)
{
    return kind == ISSUE_BAD_VALUE ? "bad_value" : kind == ISSUE_UNKNOWN_CODE ? "unknown_code" : "conflict";
}

/* The offset of the first byte of s[0..n) that is not part of a UTF-8
 * character (a NUL counts: text ends there), or n. */
static size_t utf8_bad_at(const char *s, size_t n)
{
    size_t i = 0;
    uint32_t cp;
    while (i < n) {
        int k = s[i] ? utf8_decode((const unsigned char *)s + i, n - i, &cp) : 0;
        if (k <= 0)
            return i;
        i += (size_t)k;
    }
    return n;
}

/* At most max bytes of s[0..n), not cutting a character in two. */
static int utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return (int)n;
    while (max && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return (int)max;
}

/* A detail is stored and shown as UTF-8: a character cut at the end (a
 * message cut at its buffer's size) is dropped, any other stray byte
 * becomes '?'. */
static void utf8_clean(char *d)
{
    size_t n = strlen(d), at;
    while ((at = utf8_bad_at(d, n)) < n) {
        unsigned c = (unsigned char)d[at];
        size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 1;
        size_t k = 1;
        while (at + k < n && k < want && ((unsigned char)d[at + k] & 0xc0) == 0x80)
            k++;
        if (want > 1 && at + k == n && k < want) {
            d[at] = '\0';
            return;
        }
        d[at] = '?';
    }
}

/* Issues beyond this many are counted, not kept. */
#define MAX_ISSUES 1000000

static int add_issue_locked(hm_load *L, int32_t src, int32_t field, int32_t index, int kind,
                            const char *detail)
{
    L->issue_counts[kind]++;
    if (L->nissues >= MAX_ISSUES)
        return 0;
    if (L->nissues == L->capissues) {
        int32_t cap = L->capissues ? L->capissues * 2 : 256;
        ld_issue *n = mem_realloc(L->issues, sizeof *n * (size_t)cap);
        if (!n)
            return -1;
        L->issues = n;
        L->capissues = cap;
    }
    char *d = mem_strdup(detail);
    if (!d)
        return -1;
    utf8_clean(d);
    L->issues[L->nissues++] = (ld_issue){ src, field, index, kind, d };
    return 0;
}

/* Sources are fetched by several threads at once: the shared parts of the
 * load (issues, text values, records columns) are taken under L->lock. */
static int add_issue(hm_load *L, int32_t src, int32_t field, int32_t index, int kind, const char *detail)
{
    pthread_mutex_lock(&L->lock);
    int rc = add_issue_locked(L, src, field, index, kind, detail);
    pthread_mutex_unlock(&L->lock);
    return rc;
}

/* "person.deceased" → entity and bare name */
static const char *bare_name(const char *full)
{
    const char *dot = strchr(full, '.');
    return dot ? dot + 1 : full;
}

/* ---- id lookup ------------------------------------------------------------ */

static int id_cmp(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : alen < blen ? -1 : alen > blen;
}

/* ---- opening: plugins, schema, externs ----------------------------------- */

static int configured(const hm_load *L, const char *source)
{
    for (int k = 0; k < L->nplugins; k++)
        if (strcmp(L->sources[k], source) == 0)
            return k;
    return -1;
}

/* the policies that read field f, for messages */
static void readers(const hm_program *p, int32_t f, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int32_t i = 0; i < p->npolicies && at < n; i++) {
        const hm_policy *P = &p->policies[i];
        for (int32_t k = 0; k < P->nfacts; k++)
            if (p->ints[P->first_fact + k] == f) {
                at += (size_t)snprintf(buf + at, n - at, "%s%s", at ? ", " : "", prog_str(p, P->name));
                break;
            }
    }
    /* read for audit and diff only (load_open_for) */
    for (int32_t i = 0; i < p->nrolls && !buf[0]; i++)
        if (f >= p->rolls[i].field && f <= p->rolls[i].field + 3 &&
            (f == p->rolls[i].field || p->fields[f].records == FIELD_ROWFIELD))
            snprintf(buf, n, "the audit of the payment roll");
    for (int32_t i = 0; i < p->nregions && !buf[0]; i++)
        if (f == p->regions[i].field)
            snprintf(buf, n, "`regions by`");
}

static void where(const hm_load *L, int k, char *buf, size_t n)
{
    const cfg_source *s = config_source(L->cfg, L->sources[k]);
    snprintf(buf, n, "%s:%d: source %s (plugin %s)", L->cfg->path, s ? s->line : 0, L->sources[k],
             s && s->plugin ? s->plugin : "?");
}

static void check_schema(hm_load *L)
{
    const hm_program *p = L->p;
    char at[512], who[512], want[128], have[128];
    for (int32_t j = 0; j < p->nfsources; j++) {
        const hm_fsource *fs = &p->fsources[j];
        const hm_field *f = &p->fields[fs->field];
        int k = configured(L, prog_str(p, fs->source));
        if (k < 0 || !L->needed[fs->field] || !L->plugins[k].desc)
            continue;
        const char *full = prog_str(p, f->name);
        const char *cs = f->codeset >= 0 ? prog_str(p, p->codesets[f->codeset].name) : NULL;
        plugin_type_name(f->vtype, f->period, f->records, cs, want, sizeof want);
        const hm_field_desc *d = plugin_field(&L->plugins[k], f->entity, bare_name(full));
        where(L, k, at, sizeof at);
        if (!d && L->needed[fs->field] == 2)
            continue;
        if (!d) {
            readers(p, fs->field, who, sizeof who);
            add_err(L, "%s: does not provide %s (%s), which %s read%s", at, full, want, who,
                    strchr(who, ',') ? "" : "s");
            continue;
        }
        plugin_type_name(d->type, d->period, d->records, d->code_set, have, sizeof have);
        if (d->type != f->vtype || d->records != f->records ||
            (f->vtype == VT_MONEY && d->period != f->period) ||
            (cs && (!d->code_set || strcmp(cs, d->code_set) != 0)))
            add_err(L, "%s: gives %s as %s, but the policies declare it %s", at, full, have, want);
    }
    /* every field a policy reads comes from at least one configured source */
    for (int32_t f = 0; f < p->nfields; f++) {
        if (L->needed[f] != 1)
            continue;
        int32_t rr = 0;
        while (rr < p->nrefreads && p->refreads[rr].field != f)
            rr++;
        if (rr < p->nrefreads) {
            /* read through a key fact from a reference table: its source
             * must be configured, with a plugin that reads tables */
            const hm_reftab *t = &p->reftabs[p->refreads[rr].table];
            int k = configured(L, prog_str(p, t->source));
            readers(p, f, who, sizeof who);
            if (k < 0)
                add_err(L, "%s: no source provides table `%s`, from which %s read%s %s: add [source %s]",
                        L->cfg->path, prog_str(p, t->name), who, strchr(who, ',') ? "" : "s",
                        prog_str(p, p->fields[f].name), prog_str(p, t->source));
            else if (L->plugins[k].desc && !L->plugins[k].desc->reftable) {
                where(L, k, at, sizeof at);
                add_err(L, "%s: cannot read reference table `%s` (the plugin is older than ABI 1.6, or runs "
                        "in a process of its own)", at, prog_str(p, t->name));
            }
            continue;
        }
        int any = 0;
        char srcs[256];
        size_t n = 0;
        srcs[0] = '\0';
        for (int32_t j = 0; j < p->nfsources; j++)
            if (p->fsources[j].field == f) {
                const char *s = prog_str(p, p->fsources[j].source);
                any |= configured(L, s) >= 0;
                if (n < sizeof srcs)
                    n += (size_t)snprintf(srcs + n, sizeof srcs - n, "%s[source %s]", n ? " or " : "", s);
            }
        if (!any) {
            readers(p, f, who, sizeof who);
            add_err(L, "%s: no source provides %s, which %s read%s: add %s", L->cfg->path,
                    prog_str(p, p->fields[f].name), who, strchr(who, ',') ? "" : "s", srcs);
        }
    }
}

int load_open(hm_load *L, const hm_program *p, hm_config *cfg, int32_t as_of)
{
    return load_open_for(L, p, cfg, as_of, 0);
}

int load_open_for(hm_load *L, const hm_program *p, hm_config *cfg, int32_t as_of, unsigned want)
{
    memset(L, 0, sizeof *L);
    L->want = want;
    L->p = p;
    L->cfg = cfg;
    L->as_of = as_of;
    L->nplugins = cfg->nsources;
    L->threads = 1;
    L->provenance = 1;
    pthread_mutex_init(&L->lock, NULL);
    arena_init(&L->ids);
    L->plugins = mem_calloc((size_t)cfg->nsources + 1, sizeof *L->plugins);
    L->sources = mem_calloc((size_t)cfg->nsources + 1, sizeof *L->sources);
    L->needed = mem_calloc((size_t)p->nfields + 1, 1);
    if (!L->plugins || !L->sources || !L->needed) {
        add_err(L, "out of memory");
        return -1;
    }
    for (int32_t i = 0; i < p->npolicies; i++)
        for (int32_t k = 0; k < p->policies[i].nfacts; k++)
            L->needed[p->ints[p->policies[i].first_fact + k]] = 1;
    /* a list read is shown whole (explain): the fields of its records no
     * rule reads are read too where its source gives them (needed 2) */
    for (int32_t f = 0; f < p->nfields; f++)
        if (p->fields[f].records == FIELD_ROWS && L->needed[f] == 1)
            for (int32_t k = f + 1; k < p->nfields && p->fields[k].records == FIELD_ROWFIELD; k++)
                if (!L->needed[k])
                    L->needed[k] = 2;
    /* the roll's lists and every field of their records; the township */
    for (int32_t i = 0; i < p->nrolls && (want & LOAD_ROLL); i++)
        for (int32_t f = p->rolls[i].field;
             f < p->nfields && (f == p->rolls[i].field || p->fields[f].records == FIELD_ROWFIELD); f++)
            L->needed[f] = 1;
    for (int32_t i = 0; i < p->nregions && (want & LOAD_REGIONS); i++)
        L->needed[p->regions[i].field] = 1;
    /* an attribute read through a key fact needs the key */
    for (int32_t i = 0; i < p->nrefreads; i++)
        if (L->needed[p->refreads[i].field])
            L->needed[p->refreads[i].key] = 1;
    char at[512], e[1024];
    for (int k = 0; k < cfg->nsources; k++) {
        cfg_source *s = &cfg->sources[k];
        L->sources[k] = s->name;
        int declared = 0;
        for (int32_t j = 0; j < p->nfsources && !declared; j++)
            declared = strcmp(prog_str(p, p->fsources[j].source), s->name) == 0;
        for (int32_t j = 0; j < p->nexterns && !declared; j++)
            declared = p->externs[j].source >= 0 && strcmp(prog_str(p, p->externs[j].source), s->name) == 0;
        for (int32_t j = 0; j < p->nreftabs && !declared; j++)
            declared = strcmp(prog_str(p, p->reftabs[j].source), s->name) == 0;
        if (!declared) {
            add_err(L, "%s:%d: [source %s] is not a source of these policies", cfg->path, s->line, s->name);
            continue;
        }
        if (!s->plugin) {
            add_err(L, "%s:%d: [source %s] has no `plugin = NAME`", cfg->path, s->line, s->name);
            continue;
        }
        if (plugin_load_source(&L->plugins[k], cfg, s, e, sizeof e)) {
            add_err(L, "%s:%d: source %s: %s", cfg->path, s->line, s->name, e);
            continue;
        }
        if (plugin_open(&L->plugins[k], s->name, cfg->dir, s->settings, s->n, e, sizeof e)) {
            where(L, k, at, sizeof at);
            add_err(L, "%s: %s", at, e);
            plugin_close(&L->plugins[k]);
        }
    }
    if (L->err[0])
        return -1;
    check_schema(L);
    if (!cfg->population) {
        add_err(L, "%s: no population source: add `population = SOURCE` to [run]", cfg->path);
    } else {
        int k = configured(L, cfg->population);
        if (k < 0)
            add_err(L, "%s: population = %s, but there is no [source %s]", cfg->path, cfg->population,
                    cfg->population);
        else if (!L->plugins[k].desc->population) {
            where(L, k, at, sizeof at);
            add_err(L, "%s: cannot list the population (population = %s): this plugin does not "
                    "enumerate households and persons", at, cfg->population);
        }
    }
    if (L->err[0])
        return -1;
    L->ffi = externs_bind(p, L->plugins, L->sources, L->nplugins, &L->externs, e, sizeof e);
    if (!L->ffi) {
        add_err(L, "%s: %s", cfg->path, e);
        return -1;
    }
    return 0;
}

/* ---- the population -------------------------------------------------------- */

/* The population source's fields read with the population (fetching
 * section below). */
static int  listing_population(hm_load *L, int k, hm_population_ctx *c, hm_plugin_err *e);
static int  listing_added(hm_load *L, int person, int32_t n);
static void listing_left_out(hm_load *L);
static int  listing_order(hm_load *L, const int32_t *newpos, int32_t np);
static void listing_free(hm_load *L);

struct hm_population_ctx {
    hm_load *L;
    int32_t nh, caph, np, capp;
    /* -1 before the first id, 1 while every id has come as an integer
     * (hnum, pnum), 0 once one came as text (hid, pid) */
    int ints;
    char **hid, **pid;
    int64_t *hnum, *pnum;
    int32_t *phh;           /* each person's household row */
    id_index hindex;        /* households by id */
    int32_t hlast;          /* the household found last */
    int persons;            /* the first person has arrived */
    int64_t orphans;
    char err[512];
};

static void host_population_wanted(hm_population_ctx *c, const char **household, const char **person)
{
    *household = c->L->only_household;
    *person = c->L->only_household ? NULL : c->L->only_person;
}

static int grow(void *arrp, int32_t newcap, size_t elem)
{
    void **arr = arrp;
    void *n = mem_realloc(*arr, elem * ((size_t)newcap + 1));
    if (!n)
        return -1;
    *arr = n;
    return 0;
}

/* Every row of ids[0..n) (text, or num when not NULL) in the index; -1
 * with the duplicate's row in *dup when two rows have the same id, -2 when
 * out of memory. */
static int index_rows(id_index *x, char **text, const int64_t *num, int32_t n, int32_t *dup)
{
    if (idx_init(x, (uint32_t)n))
        return -2;
    for (int32_t i = 0; i < n; i++) {
        int32_t had = num ? idx_add_int(x, num, i) : idx_add_text(x, text, i);
        if (had == -2)
            return -2;
        if (had >= 0) {
            *dup = i;
            return -1;
        }
    }
    return 0;
}

/* An id as text in the arena: the text given, or the integer's decimal. */
static char *id_text(hm_load *L, const char *s, size_t len, int64_t v)
{
    char buf[IDX_INT_BUF];
    if (!s) {
        s = idx_format_int(v, buf);
        len = strlen(s);
    }
    return arena_try_strndup(&L->ids, s, len);
}

/* A text id has come: the integer ids so far become their decimal text. */
static int ids_to_text(hm_population_ctx *c)
{
    int32_t dup;
    c->ints = 0;
    if (grow(&c->hid, c->caph, sizeof *c->hid) || grow(&c->pid, c->capp, sizeof *c->pid))
        return -1;
    for (int32_t i = 0; i < c->nh; i++)
        if (!(c->hid[i] = id_text(c->L, NULL, 0, c->hnum[i])))
            return -1;
    for (int32_t i = 0; i < c->np; i++)
        if (!(c->pid[i] = id_text(c->L, NULL, 0, c->pnum[i])))
            return -1;
    mem_free(c->hnum);
    mem_free(c->pnum);
    c->hnum = c->pnum = NULL;
    idx_free(&c->hindex);
    return index_rows(&c->hindex, c->hid, NULL, c->nh, &dup) ? -1 : 0;
}

static int oom(hm_population_ctx *c)
{
    snprintf(c->err, sizeof c->err, "out of memory");
    return -1;
}

/* A household with id s[0..len), or integer v when s is NULL. */
static int add_household(hm_population_ctx *c, const char *s, size_t len, int64_t v)
{
    if (c->persons) {
        snprintf(c->err, sizeof c->err, "households must all be listed before the first person");
        return -1;
    }
    if (c->ints < 0)
        c->ints = !s;
    if (c->ints && s && ids_to_text(c))
        return oom(c);
    if (c->nh == c->caph) {
        int32_t cap = c->caph ? c->caph * 2 : 1024;
        if (c->caph > INT32_MAX / 2 || (c->ints ? grow(&c->hnum, cap, sizeof *c->hnum) : grow(&c->hid, cap, sizeof *c->hid)))
            return oom(c);
        c->caph = cap;
    }
    int32_t had;
    if (c->ints) {
        c->hnum[c->nh] = v;
        had = idx_add_int(&c->hindex, c->hnum, c->nh);
    } else {
        if (!(c->hid[c->nh] = id_text(c->L, s, len, v)))
            return oom(c);
        had = idx_add_text(&c->hindex, c->hid, c->nh);
    }
    if (had == -2)
        return oom(c);
    if (had >= 0) {
        char buf[IDX_INT_BUF];
        snprintf(c->err, sizeof c->err, "household id %s is listed twice",
                 c->ints ? idx_format_int(v, buf) : c->hid[c->nh]);
        return -1;
    }
    c->nh++;
    return listing_added(c->L, 0, c->nh) ? oom(c) : 0;
}

/* A person (s, len or v) of household (hs, hlen or hv): integers when the
 * text is NULL. */
static int add_person(hm_population_ctx *c, const char *s, size_t len, int64_t v,
                      const char *hs, size_t hlen, int64_t hv)
{
    c->persons = 1;
    if (c->ints < 0)
        c->ints = !s && !hs;
    if (c->ints && (s || hs) && ids_to_text(c))
        return oom(c);
    /* persons come household by household, mostly */
    int32_t h = hs ? idx_find_near(&c->hindex, c->hid, c->hnum, NULL, c->nh, &c->hlast, hs, hlen)
                   : idx_find_near_int(&c->hindex, c->hid, c->hnum, NULL, c->nh, &c->hlast, hv);
    if (h < 0) {
        /* a person of no listed household cannot be evaluated: counted */
        c->orphans++;
        listing_left_out(c->L);
        return 0;
    }
    if (c->np == c->capp) {
        int32_t cap = c->capp ? c->capp * 2 : 1024;
        if (c->capp > INT32_MAX / 2 ||
            (c->ints ? grow(&c->pnum, cap, sizeof *c->pnum) : grow(&c->pid, cap, sizeof *c->pid)) ||
            grow(&c->phh, cap, sizeof *c->phh))
            return oom(c);
        c->capp = cap;
    }
    if (c->ints)
        c->pnum[c->np] = v;
    else if (!(c->pid[c->np] = id_text(c->L, s, len, v)))
        return oom(c);
    c->phh[c->np++] = h;
    return listing_added(c->L, 1, c->np) ? oom(c) : 0;
}

static int host_add_household(hm_population_ctx *c, const char *id, size_t len)
{
    return add_household(c, id, len, 0);
}

static int host_add_person(hm_population_ctx *c, const char *id, size_t len, const char *hh, size_t hlen)
{
    return add_person(c, id, len, 0, hh, hlen, 0);
}

static int host_add_household_int(hm_population_ctx *c, int64_t id)
{
    return add_household(c, NULL, 0, id);
}

static int host_add_person_int(hm_population_ctx *c, int64_t id, int64_t household)
{
    return add_person(c, NULL, 0, id, NULL, 0, household);
}

/* Persons grouped by household (members are a contiguous range of rows,
 * in the order listed).  The fact store's columns wait for load_facts: the
 * population may yet be cut down to one household. */
static int group_members(hm_load *L, hm_population_ctx *c)
{
    int32_t *first = mem_calloc((size_t)c->nh + 1, sizeof *first);
    int32_t *newpos = mem_alloc(sizeof *newpos * ((size_t)c->np + 1));
    if (c->ints)
        L->pnum = mem_alloc(sizeof *L->pnum * ((size_t)c->np + 1));
    else
        L->pid = mem_alloc(sizeof *L->pid * ((size_t)c->np + 1));
    /* text values read with the population are kept, with their index */
    hm_facts kept = L->facts;
    L->facts.texts = NULL;
    L->facts.textslots = NULL;
    int init = facts_init_households(&L->facts, c->nh, c->np);
    L->facts.texts = kept.texts;
    L->facts.ntexts = kept.ntexts;
    L->facts.captexts = kept.captexts;
    L->facts.textslots = kept.textslots;
    L->facts.ntextslots = kept.ntextslots;
    L->facts.nhashed = kept.nhashed;
    if (!first || !newpos || (!L->pid && !L->pnum) || init < 0) {
        mem_free(first);
        mem_free(newpos);
        add_err(L, "out of memory");
        return -1;
    }
    hm_facts *f = &L->facts;
    for (int32_t i = 0; i < c->np; i++)
        f->hh_count[c->phh[i]]++;
    int32_t at = 0;
    for (int32_t h = 0; h < c->nh; h++) {
        f->hh_first[h] = first[h] = at;
        at += f->hh_count[h];
        if (f->hh_count[h] > f->max_members)
            f->max_members = f->hh_count[h];
    }
    for (int32_t i = 0; i < c->np; i++) {
        newpos[i] = first[c->phh[i]]++;
        if (c->ints)
            L->pnum[newpos[i]] = c->pnum[i];
        else
            L->pid[newpos[i]] = c->pid[i];
    }
    /* persons found by their position in the listing: sources stored in
     * that order are matched reading the ids in sequence */
    int32_t dup;
    int rc = index_rows(&L->pindex, c->pid, c->pnum, c->np, &dup);
    char buf[LOAD_ID_BUF];
    if (rc == -1)
        add_err(L, "person id %s is listed twice", c->pnum ? idx_format_int(c->pnum[dup], buf) : c->pid[dup]);
    else if (rc)
        add_err(L, "out of memory");
    if (!rc && listing_order(L, newpos, c->np)) {
        add_err(L, "out of memory");
        rc = -1;
    }
    mem_free(first);
    if (rc)
        mem_free(newpos);
    else
        L->plrow = newpos;
    return rc;
}

int load_population(hm_load *L)
{
    int k = configured(L, L->cfg->population);
    hm_plugin *pl = &L->plugins[k];
    hm_population_ctx c;
    memset(&c, 0, sizeof c);
    c.L = L;
    c.ints = -1;
    c.hlast = -1;
    struct hm_plugin_err e = { .set = 0 };
    int rc;
    /* the population and its source's own fields in one reading, when the
     * plugin can and every household is wanted */
    if (pl->desc->population_fetch && !L->only_household && !L->only_person)
        rc = listing_population(L, k, &c, &e);
    else
        rc = pl->desc->population(pl->state, &c, &e);
    char at[512];
    where(L, k, at, sizeof at);
    if (rc != HM_PLUGIN_OK || c.err[0]) {
        add_err(L, "%s: listing the population failed: %s", at,
                c.err[0] ? c.err : e.set ? e.msg : "no reason given");
        goto fail;
    }
    if (c.orphans)
        fprintf(stderr, "huimin: warning: %s: %lld persons name a household that is not listed; "
                "they are left out\n", at, (long long)c.orphans);
    if (group_members(L, &c))
        goto fail;
    L->nh = c.nh;
    L->np = c.np;
    L->hid = c.hid;
    L->hnum = c.hnum;
    L->hindex = c.hindex;
    L->plist = c.pid;
    L->plnum = c.pnum;
    mem_free(c.phh);
    return 0;
fail:
    listing_free(L);
    mem_free(c.hid);
    mem_free(c.pid);
    mem_free(c.hnum);
    mem_free(c.pnum);
    mem_free(c.phh);
    idx_free(&c.hindex);
    return -1;
}

const char *load_id(const hm_load *L, int person, int32_t i, char *buf)
{
    const int64_t *num = person ? L->pnum : L->hnum;
    if (num)
        return idx_format_int(num[i], buf);
    return person ? L->pid[i] : L->hid[i];
}

int load_id_int(const hm_load *L, int person, int32_t i, int64_t *v)
{
    const int64_t *num = person ? L->pnum : L->hnum;
    if (num)
        *v = num[i];
    return num != NULL;
}

/* The ids of households (person 0) or persons as text, for a plugin
 * that reads them so (before ABI 1.3): made once, under L->lock. */
static char **text_ids(hm_load *L, int person)
{
    const int64_t *num = person ? L->pnum : L->hnum;
    char ***text = person ? &L->pid : &L->hid;
    int32_t n = person ? L->np : L->nh;
    if (!num || *text)
        return *text;
    char **t = mem_alloc(sizeof *t * ((size_t)n + 1));
    for (int32_t i = 0; t && i < n; i++)
        if (!(t[i] = id_text(L, NULL, 0, num[i]))) {
            mem_free(t);
            t = NULL;
        }
    return *text = t;
}

int load_text_ids(hm_load *L)
{
    if (!text_ids(L, 0) || !text_ids(L, 1)) {
        add_err(L, "out of memory");
        return -1;
    }
    return 0;
}

int load_find_source(const hm_load *L, const char *source)
{
    return configured(L, source);
}

int load_restrict(hm_load *L, const char *household_id, const char *person_id)
{
    int32_t h;
    const char *pop = L->cfg->population;
    if (household_id) {
        h = idx_find_either(&L->hindex, L->hid, L->hnum, household_id, strlen(household_id));
        if (h < 0) {
            add_err(L, "no household `%s` in the population (source %s)", household_id, pop);
            return -1;
        }
    } else {
        int32_t i = idx_find_either(&L->pindex, L->plrow ? L->plist : L->pid, L->plrow ? L->plnum : L->pnum,
                                    person_id, strlen(person_id));
        if (i >= 0 && L->plrow)
            i = L->plrow[i];
        if (i < 0) {
            add_err(L, "no person `%s` in the population (source %s)", person_id, pop);
            return -1;
        }
        /* members are contiguous: the last household starting at or
         * before row i holds it (an empty one starts where the next does) */
        int32_t lo = 0, hi = L->nh - 1;
        h = 0;
        while (lo <= hi) {
            int32_t mid = lo + (hi - lo) / 2;
            if (L->facts.hh_first[mid] <= i) {
                h = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
    }
    int32_t first = L->facts.hh_first[h], n = L->facts.hh_count[h];
    int ints = L->hnum != NULL;
    /* the ids: text stays in the arena, only the row arrays are replaced */
    char **hid = ints ? NULL : mem_alloc(sizeof *hid), **pid = ints ? NULL : mem_alloc(sizeof *pid * ((size_t)n + 1));
    int64_t *hnum = ints ? mem_alloc(sizeof *hnum) : NULL, *pnum = ints ? mem_alloc(sizeof *pnum * ((size_t)n + 1)) : NULL;
    id_index hindex = { 0 }, pindex = { 0 };
    hm_facts facts;
    int32_t dup;
    int made = ints ? hnum && pnum : hid && pid;
    if (made && ints) {
        hnum[0] = L->hnum[h];
        memcpy(pnum, L->pnum + first, sizeof *pnum * (size_t)n);
    } else if (made) {
        hid[0] = L->hid[h];
        memcpy(pid, L->pid + first, sizeof *pid * (size_t)n);
    }
    /* ids were found unique by load_population */
    if (!made || index_rows(&hindex, hid, hnum, 1, &dup) || index_rows(&pindex, pid, pnum, n, &dup) ||
        facts_init_households(&facts, 1, n) < 0) {
        mem_free(hid);
        mem_free(pid);
        mem_free(hnum);
        mem_free(pnum);
        idx_free(&hindex);
        idx_free(&pindex);
        add_err(L, "out of memory");
        return -1;
    }
    facts.hh_first[0] = 0;
    facts.hh_count[0] = n;
    facts.max_members = n;
    facts_free(&L->facts);
    L->facts = facts;
    mem_free(L->hid);
    mem_free(L->pid);
    mem_free(L->hnum);
    mem_free(L->pnum);
    /* members in row order */
    mem_free(L->plist);
    mem_free(L->plnum);
    mem_free(L->plrow);
    L->plist = NULL;
    L->plnum = NULL;
    L->plrow = NULL;
    idx_free(&L->hindex);
    idx_free(&L->pindex);
    L->hid = hid;
    L->pid = pid;
    L->hnum = hnum;
    L->pnum = pnum;
    L->hindex = hindex;
    L->pindex = pindex;
    L->nh = 1;
    L->np = n;
    return 0;
}

/* ---- fetching ------------------------------------------------------------- */

/* raw department code → label index, sorted by raw for bsearch */
typedef struct code_entry {
    const char *raw;
    int32_t label;
} code_entry;

/* One requested column: where its values go. */
typedef struct ld_col {
    const char *name;           /* "person.deceased", for messages */
    int32_t field;
    int32_t fsi;                /* into program.fsources */
    const hm_field *f;
    int64_t *value;
    uint8_t *known;             /* 0 unknown, 1 known, 2 unusable (a data issue) */
    int32_t *asof;
    code_entry *codes;
    int32_t ncodes;
    int listed;                 /* read with the population (listed_column) */
    /* records: (row, date, value) in arrival order */
    int32_t *rrow, *rdate;
    int64_t *rval;
    size_t nrec, caprec;
} ld_col;

struct hm_fetch_ctx {
    hm_load *L;
    int src;
    uint32_t n;
    char **ids;
    const int64_t *nums;        /* the ids when they are integers */
    const id_index *index;
    const int32_t *order;       /* ids (ids, nums) in the order listed: their rows; NULL: rows */
    int32_t last;               /* the row found last */
    ld_col *cols;
    uint32_t ncols;
    int oom;
    /* population_fetch: HM_LISTED_ROW is row `cur` (-1: the entity just
     * listed was left out), of the n so far, with room for cap */
    int listing;
    int32_t cur;
    uint32_t cap;
};

typedef struct ld_listing {
    hm_fetch_ctx x[2];          /* households, persons */
    ld_col *cols[2];
    hm_out_column *out[2];
    int ncols[2];
} ld_listing;

/* Values of a field given by several sources wait here to be compared. */
typedef struct pending {
    int64_t *value;
    uint8_t *known;
    int32_t *asof;
} pending;

static int code_cmp(const void *a, const void *b)
{
    return strcmp(((const code_entry *)a)->raw, ((const code_entry *)b)->raw);
}

/* The codes source `src` uses for code set cs: its `map src { … }`, or the
 * label names themselves when it has none. */
static int build_codes(const hm_program *p, int32_t cs, const char *src, ld_col *c)
{
    const hm_codeset *set = &p->codesets[cs];
    int32_t n = 0;
    for (int32_t i = 0; i < set->nmaps; i++)
        n += strcmp(prog_str(p, p->codemaps[set->first_map + i].source), src) == 0;
    int use_labels = n == 0;
    if (use_labels)
        n = set->nlabels;
    c->codes = mem_alloc(sizeof *c->codes * ((size_t)n + 1));
    if (!c->codes)
        return -1;
    c->ncodes = 0;
    if (use_labels) {
        for (int32_t i = 0; i < set->nlabels; i++)
            c->codes[c->ncodes++] = (code_entry){ prog_str(p, p->labels[set->first_label + 2 * i]), i };
    } else {
        for (int32_t i = 0; i < set->nmaps; i++) {
            const hm_codemap *m = &p->codemaps[set->first_map + i];
            if (strcmp(prog_str(p, m->source), src) == 0 && m->label >= 0)
                c->codes[c->ncodes++] = (code_entry){ prog_str(p, m->raw), m->label };
        }
    }
    qsort(c->codes, (size_t)c->ncodes, sizeof *c->codes, code_cmp);
    return 0;
}

static int32_t code_lookup(const ld_col *c, const char *s, size_t len)
{
    int32_t lo = 0, hi = c->ncodes - 1;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int r = id_cmp(s, len, c->codes[mid].raw);
        if (r == 0)
            return c->codes[mid].label;
        if (r < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

static void issue_at(hm_fetch_ctx *x, const ld_col *c, uint32_t row, int kind, const char *detail)
{
    if (add_issue(x->L, x->src, c->field, (int32_t)row, kind, detail))
        x->oom = 1;
}

/* Column col, with *row made a row (HM_LISTED_ROW), or NULL. */
static ld_col *col_of(hm_fetch_ctx *x, uint32_t col, uint32_t *row)
{
    if (*row == HM_LISTED_ROW && x->listing && col < x->ncols) {
        if (x->cur < 0 || !x->cols[col].listed)
            return NULL;        /* left out, or not announced: fetched later */
        *row = (uint32_t)x->cur;
    }
    if (col >= x->ncols || *row >= x->n) {
        x->oom = x->oom ? x->oom : 2;   /* a plugin bug: reported after the fetch */
        return NULL;
    }
    return &x->cols[col];
}

const int32_t *load_fetch_order(const hm_fetch_ctx *x)
{
    return x->order;
}

static int64_t host_find(hm_fetch_ctx *x, const char *id, size_t len)
{
    return idx_find_near(x->index, x->ids, x->nums, x->order, (int32_t)x->n, &x->last, id, len);
}

static int64_t host_find_int(hm_fetch_ctx *x, int64_t id)
{
    return idx_find_near_int(x->index, x->ids, x->nums, x->order, (int32_t)x->n, &x->last, id);
}

static int host_put_record(hm_fetch_ctx *x, uint32_t col, uint32_t row, int32_t date, int64_t value);

static void host_put_text(hm_fetch_ctx *x, uint32_t col, uint32_t row, const char *s, size_t len, int32_t as_of)
{
    uint32_t given_row = row;
    ld_col *c = col_of(x, col, &row);
    if (!c)
        return;
    char detail[256];
    const hm_program *p = x->L->p;
    /* text is UTF-8 all through (explain, JSON, the results): a value that
     * is not is unusable, whichever plugin gave it */
    size_t bad = utf8_bad_at(s, len);
    if (bad < len) {
        snprintf(detail, sizeof detail, "%s: text %s at byte %zu of %zu", c->name,
                 s[bad] ? "is not valid UTF-8" : "holds a NUL byte", bad + 1, len);
        issue_at(x, c, row, ISSUE_BAD_VALUE, detail);
        c->known[row] = 2;
        return;
    }
    int rowfield = c->f->records == FIELD_ROWFIELD;
    if ((c->f->records && !rowfield) ||
        (c->f->vtype != VT_TEXT && c->f->vtype != VT_CODE && c->f->vtype != VT_PERSON)) {
        snprintf(detail, sizeof detail, "%s: text \"%.*s\" given for a %s field", c->name,
                 utf8_cut(s, len, 40), s, c->f->records ? "records" : "non-text");
        issue_at(x, c, row, ISSUE_BAD_VALUE, detail);
        c->known[row] = 2;
        return;
    }
    /* a link with no id is a link not recorded: missing, not unusable */
    if (c->f->vtype == VT_PERSON && len == 0)
        return;
    if (c->f->vtype == VT_CODE && c->codes) {
        int32_t label = code_lookup(c, s, len);
        if (label < 0) {
            snprintf(detail, sizeof detail, "unknown code \"%.*s\" for %s (code set %s)",
                     utf8_cut(s, len, 40), s, c->name, prog_str(p, p->codesets[c->f->codeset].name));
            issue_at(x, c, row, ISSUE_UNKNOWN_CODE, detail);
            c->known[row] = 2;
            return;
        }
        if (rowfield) {
            /* a field of a record: as_of is the record's number (huimin_plugin.h) */
            host_put_record(x, col, given_row, as_of, label);
            return;
        }
        c->value[row] = label;
    } else {
        char buf[256], *t = len < sizeof buf ? buf : mem_alloc(len + 1);
        if (!t) {
            x->oom = 1;
            return;
        }
        memcpy(t, s, len);
        t[len] = '\0';
        pthread_mutex_lock(&x->L->lock);
        int64_t id = facts_text(&x->L->facts, t);
        pthread_mutex_unlock(&x->L->lock);
        if (t != buf)
            mem_free(t);
        if (id == INT64_MIN) {
            x->oom = 1;
            return;
        }
        if (rowfield) {
            host_put_record(x, col, given_row, as_of, id);
            return;
        }
        c->value[row] = id;
    }
    c->known[row] = 1;
    c->asof[row] = as_of;
}

static int host_put_record(hm_fetch_ctx *x, uint32_t col, uint32_t row, int32_t date, int64_t value)
{
    ld_col *c = col_of(x, col, &row);
    if (!c)
        return 0;
    if (!c->f->records) {
        char detail[160];
        snprintf(detail, sizeof detail, "%s: a dated record given for a field that is not records", c->name);
        issue_at(x, c, row, ISSUE_BAD_VALUE, detail);
        c->known[row] = 2;
        return 0;
    }
    if (c->nrec == c->caprec) {
        size_t cap = c->caprec ? c->caprec * 2 : 4096;
        int32_t *r = mem_realloc(c->rrow, sizeof *r * cap);
        if (r)
            c->rrow = r;
        int32_t *d = mem_realloc(c->rdate, sizeof *d * cap);
        if (d)
            c->rdate = d;
        int64_t *v = mem_realloc(c->rval, sizeof *v * cap);
        if (v)
            c->rval = v;
        if (!r || !d || !v) {
            x->oom = 1;
            return -1;
        }
        c->caprec = cap;
    }
    c->rrow[c->nrec] = (int32_t)row;
    c->rdate[c->nrec] = date;
    c->rval[c->nrec] = value;
    c->nrec++;
    if (c->known[row] != 2)
        c->known[row] = 1;
    return 0;
}

static void host_records_known(hm_fetch_ctx *x, uint32_t col, uint32_t row)
{
    ld_col *c = col_of(x, col, &row);
    if (c && c->known[row] == 0)
        c->known[row] = 1;
}

static void host_put_value(hm_fetch_ctx *x, uint32_t col, uint32_t row, int64_t value, int32_t as_of)
{
    ld_col *c = col_of(x, col, &row);
    if (!c || c->f->records || c->known[row] == 2)
        return;
    c->value[row] = value;
    c->known[row] = 1;
    c->asof[row] = as_of;
}

static void host_listed_column(hm_fetch_ctx *x, uint32_t col)
{
    /* before the first entity only: the column's arrays grow from there */
    if (x->listing && col < x->ncols && x->cap == 0)
        x->cols[col].listed = 1;
}

static void host_bad_value(hm_fetch_ctx *x, uint32_t col, uint32_t row, const char *fmt, ...)
{
    ld_col *c = col_of(x, col, &row);
    if (!c)
        return;
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    issue_at(x, c, row, ISSUE_BAD_VALUE, detail);
    c->known[row] = 2;
}

void host_set_error(hm_plugin_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->set = 1;
}

/* ---- reference tables ------------------------------------------------------ */

struct hm_reftable_ctx {
    hm_load *L;
    int32_t table;
    const char *source;
    int64_t *v;
    uint8_t *known;
    char *key;                  /* the row being given (NULL: none) */
    int32_t from;
    uint64_t rowno;
    int failed;                 /* 1 a bad row (msg), 2 out of memory */
    char msg[512];
};

/* The row given last, into the store. */
static int ref_flush(hm_reftable_ctx *x)
{
    if (!x->key)
        return 0;
    int rc = facts_ref_row(&x->L->facts, x->L->p, x->table, x->key, x->from, x->v, x->known,
                           (uint32_t)(x->rowno > UINT32_MAX ? UINT32_MAX : x->rowno));
    mem_free(x->key);
    x->key = NULL;
    if (rc < 0)
        x->failed = 2;
    return rc;
}

static int host_ref_row(hm_reftable_ctx *x, const char *key, size_t len, int32_t from, uint64_t rowno)
{
    if (ref_flush(x) < 0)
        return -1;
    const hm_reftab *t = &x->L->p->reftabs[x->table];
    if (!x->failed && (t->dated ? from == HM_NO_DATE : from != HM_NO_DATE)) {
        snprintf(x->msg, sizeof x->msg, "source %s, table `%s`, row %" PRIu64 ": %s", x->source,
                 prog_str(x->L->p, t->name), rowno,
                 t->dated ? "the table is dated, but the row has no date it is in force from"
                          : "the table is not dated, but the row has a date");
        x->failed = 1;
    }
    if (!(x->key = mem_alloc(len + 1))) {
        x->failed = 2;
        return -1;
    }
    memcpy(x->key, key, len);
    x->key[len] = '\0';
    if (memchr(key, '\0', len)) {
        snprintf(x->msg, sizeof x->msg, "source %s, table `%s`, row %" PRIu64 ": the key has a NUL byte",
                 x->source, prog_str(x->L->p, t->name), rowno);
        x->failed = x->failed ? x->failed : 1;
    }
    x->from = from;
    x->rowno = rowno;
    memset(x->known, 0, (size_t)t->n);
    return 0;
}

static void host_ref_value(hm_reftable_ctx *x, uint32_t attr, int64_t value)
{
    const hm_reftab *t = &x->L->p->reftabs[x->table];
    if (!x->key || attr >= (uint32_t)t->n)
        return;
    x->v[attr] = value;
    x->known[attr] = 1;
}

static void host_ref_text(hm_reftable_ctx *x, uint32_t attr, const char *s, size_t len)
{
    const hm_reftab *t = &x->L->p->reftabs[x->table];
    if (!x->key || attr >= (uint32_t)t->n)
        return;
    char *c = mem_alloc(len + 1);
    if (!c) {
        x->failed = 2;
        return;
    }
    memcpy(c, s, len);
    c[len] = '\0';
    int64_t v = facts_text(&x->L->facts, c);
    mem_free(c);
    if (v == INT64_MIN) {
        x->failed = 2;
        return;
    }
    x->v[attr] = v;
    x->known[attr] = 1;
}

static void host_ref_bad(hm_reftable_ctx *x, uint64_t rowno, const char *fmt, ...)
{
    if (x->failed)
        return;     /* the first reason is the one said */
    int n = snprintf(x->msg, sizeof x->msg, "source %s, table `%s`, row %" PRIu64 ": ", x->source,
                     prog_str(x->L->p, x->L->p->reftabs[x->table].name), rowno);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof x->msg)
        vsnprintf(x->msg + n, sizeof x->msg - (size_t)n, fmt, ap);
    va_end(ap);
    x->failed = 1;
}

/* A key the table has no row for is a data issue of the key fact, named
 * with the key (once per key fact and entity, not per attribute). */
static int ref_issues(hm_load *L)
{
    const hm_program *p = L->p;
    for (int32_t i = 0; i < p->nrefreads; i++) {
        const hm_refread *rr = &p->refreads[i];
        int done = 0;
        for (int32_t j = 0; j < i; j++)
            done |= p->refreads[j].key == rr->key && L->needed[p->refreads[j].field];
        if (!L->needed[rr->field] || done)
            continue;
        const hm_field *fd = &p->fields[rr->field], *kd = &p->fields[rr->key];
        int house = fd->entity == ENT_HOUSEHOLD;
        if (house ? fd->column >= L->facts.nh : fd->column >= L->facts.np)
            continue;
        const hm_column *c = house ? &L->facts.hcol[fd->column] : &L->facts.pcol[fd->column];
        const hm_column *kc = house ? &L->facts.hcol[kd->column] : &L->facts.pcol[kd->column];
        int32_t owners = house ? L->facts.nhouse : L->facts.nperson;
        const hm_reftab *t = &p->reftabs[rr->table];
        int k = configured(L, prog_str(p, t->source));
        for (int32_t o = 0; o < owners; o++) {
            if (c->state[o] != FACT_INVALID || kc->state[o] != FACT_KNOWN)
                continue;
            char d[256];
            snprintf(d, sizeof d, "\"%s\" is not a key of table `%s` (source %s)", L->facts.texts[-(kc->v[o] + 1)],
                     prog_str(p, t->name), prog_str(p, t->source));
            if (add_issue(L, k, rr->key, o, ISSUE_BAD_VALUE, d) < 0)
                return -1;
        }
    }
    return 0;
}

/* Read the reference tables some policy reads through a key fact, once,
 * from their sources' plugins.  0, or -1 after add_err. */
static int load_reftables(hm_load *L)
{
    const hm_program *p = L->p;
    int rc = 0;
    for (int32_t t = 0; t < p->nreftabs && !rc; t++) {
        int wanted = 0;
        for (int32_t i = 0; i < p->nrefreads; i++)
            wanted |= p->refreads[i].table == t && L->needed[p->refreads[i].field];
        for (int32_t i = 0; i < p->nregions && (L->want & LOAD_REGIONS); i++)
            wanted |= p->regions[i].table == t;
        const hm_reftab *tb = &p->reftabs[t];
        int k = wanted ? configured(L, prog_str(p, tb->source)) : -1;
        if (k < 0 || !L->plugins[k].desc || !L->plugins[k].desc->reftable)
            continue;   /* not read, or refused by check_schema */
        hm_field_desc *attrs = mem_calloc((size_t)tb->n + 1, sizeof *attrs);
        hm_reftable_ctx x = { .L = L, .table = t, .source = prog_str(p, tb->source),
                              .v = mem_calloc((size_t)tb->n + 1, sizeof *x.v),
                              .known = mem_calloc((size_t)tb->n + 1, 1) };
        if (!attrs || !x.v || !x.known || facts_ref_given(&L->facts, p, t) < 0) {
            add_err(L, "out of memory");
            rc = -1;
        } else {
            for (int32_t a = 0; a < tb->n; a++) {
                const hm_refattr *ra = &p->refattrs[tb->first + a];
                attrs[a] = (hm_field_desc){ .type = ra->vtype, .period = ra->period,
                                            .name = prog_str(p, ra->name) };
            }
            hm_reftable_req req = { sizeof req, prog_str(p, tb->name), (uint8_t)tb->dated, (uint32_t)tb->n,
                                    attrs, &x };
            hm_plugin_err e = { .set = 0 };
            char at[512];
            where(L, k, at, sizeof at);
            int prc = L->plugins[k].desc->reftable(L->plugins[k].state, &req, &e);
            ref_flush(&x);
            if (x.failed == 2) {
                add_err(L, "out of memory");
                rc = -1;
            } else if (prc != HM_PLUGIN_OK) {
                add_err(L, "%s: cannot read reference table `%s`: %s", at, req.name,
                        e.set ? e.msg : "no reason given");
                rc = -1;
            } else if (x.failed) {
                add_err(L, "%s: %s", at, x.msg);
                rc = -1;
            }
        }
        mem_free(x.key);
        mem_free(x.v);
        mem_free(x.known);
        mem_free(attrs);
    }
    return rc;
}

const hm_host_api hm_host = {
    .size = sizeof(hm_host_api),
    .abi_major = HM_PLUGIN_ABI_MAJOR,
    .abi_minor = HM_PLUGIN_ABI_MINOR,
    .alloc = mem_alloc,
    .free = mem_free,
    .set_error = host_set_error,
    .find = host_find,
    .put_text = host_put_text,
    .put_record = host_put_record,
    .records_known = host_records_known,
    .bad_value = host_bad_value,
    .add_household = host_add_household,
    .add_person = host_add_person,
    .population_wanted = host_population_wanted,
    .add_household_int = host_add_household_int,
    .add_person_int = host_add_person_int,
    .find_int = host_find_int,
    .put_value = host_put_value,
    .listed_column = host_listed_column,
    .ref_row = host_ref_row,
    .ref_value = host_ref_value,
    .ref_text = host_ref_text,
    .ref_bad = host_ref_bad,
};

/* Values a plugin set directly that the type cannot hold. */
static void check_values(hm_fetch_ctx *x, ld_col *c)
{
    if (c->f->records || c->f->vtype == VT_TEXT || c->f->vtype == VT_CODE)
        return;
    char detail[128];
    for (uint32_t r = 0; r < x->n; r++) {
        if (c->known[r] != 1)
            continue;
        int64_t v = c->value[r];
        const char *bad = NULL;
        if (c->f->vtype == VT_BOOL && v != 0 && v != 1)
            bad = "is not a yes/no value (0 or 1)";
        else if (c->f->vtype == VT_DATE && (v < -719162 || v > 2932896))
            bad = "is not a date between years 1 and 9999";
        else if (c->f->vtype == VT_PERSON && v >= 0)
            bad = "is not a person's id (give it as text, with put_text)";
        if (bad) {
            snprintf(detail, sizeof detail, "%s: %lld %s", c->name, (long long)v, bad);
            issue_at(x, c, r, ISSUE_BAD_VALUE, detail);
            c->known[r] = 2;
        }
    }
}

/* A value of a field with a freshness limit, as of a date after the
 * run's as-of date, says what was true later: it is not known to hold on
 * the as-of date (a run for a past date over today's data), so it is
 * unusable, never fresh. */
static void future_values(hm_fetch_ctx *x, ld_col *c, const hm_fsource *fs)
{
    const hm_load *L = x->L;
    if (c->f->records || !c->asof || !fs->fresh)
        return;
    char detail[160], d[16], run[16];
    cal_format(L->as_of, run);
    for (uint32_t r = 0; r < x->n; r++) {
        if (c->known[r] != 1 || c->asof[r] == HM_NO_DATE || c->asof[r] <= L->as_of)
            continue;
        cal_format(c->asof[r], d);
        snprintf(detail, sizeof detail, "%s: as of %s, after the run's as-of date %s", c->name, d, run);
        issue_at(x, c, r, ISSUE_BAD_VALUE, detail);
        c->known[r] = 2;
    }
}

/* Is a value as of `asof` from fsource fs fresh on the run's as-of date?
 * A value with no as-of date cannot be shown fresh. */
static int fresh(const hm_load *L, const hm_fsource *fs, int32_t asof)
{
    if (!fs->fresh)
        return 1;
    return asof != HM_NO_DATE && facts_fresh_until(asof, fs->fresh, fs->fresh_unit) >= L->as_of;
}

/* Records of column c into the fact store (rows grouped, then by date):
 * a row is a person, or a household for a household field. */
static int store_records(hm_load *L, ld_col *c, int first_source)
{
    hm_rcolumn *rc = &L->facts.rcol[c->f->column];
    int32_t np = c->f->entity == ENT_HOUSEHOLD ? L->nh : L->np;
    /* merge with what an earlier source gave: rebuild from both */
    size_t old = (size_t)rc->n, total = old + c->nrec;
    int32_t *cnt = mem_calloc((size_t)np + 1, sizeof *cnt);
    int32_t *date = mem_alloc(sizeof *date * (total + 1));
    int64_t *val = mem_alloc(sizeof *val * (total + 1));
    if (!cnt || !date || !val || total > INT32_MAX) {
        mem_free(cnt);
        mem_free(date);
        mem_free(val);
        return -1;
    }
    for (int32_t r = 0; r < np; r++)
        cnt[r] = rc->count[r];
    for (size_t i = 0; i < c->nrec; i++)
        cnt[c->rrow[i]]++;
    int32_t at = 0;
    for (int32_t r = 0; r < np; r++) {
        int32_t n = cnt[r];
        cnt[r] = at;
        /* earlier records of this row first */
        for (int32_t k = 0; k < rc->count[r]; k++) {
            date[at + k] = rc->date[rc->first[r] + k];
            val[at + k] = rc->v[rc->first[r] + k];
        }
        int32_t had = rc->count[r];
        rc->first[r] = at;
        rc->count[r] = had;
        at += n;
    }
    for (size_t i = 0; i < c->nrec; i++) {
        int32_t r = c->rrow[i];
        int32_t pos = rc->first[r] + rc->count[r]++;
        date[pos] = c->rdate[i];
        val[pos] = c->rval[i];
    }
    mem_free(cnt);
    mem_free(rc->date);
    mem_free(rc->v);
    rc->date = date;
    rc->v = val;
    rc->n = rc->cap = (int32_t)total;
    /* the list is known when every source serving it knows it */
    for (int32_t r = 0; r < np; r++) {
        uint8_t st = c->known[r] == 1 ? FACT_KNOWN : c->known[r] == 2 ? FACT_INVALID : FACT_MISSING;
        if (first_source || st != FACT_KNOWN)
            rc->state[r] = first_source || rc->state[r] == FACT_KNOWN ? st : rc->state[r];
    }
    return 0;
}

/* ---- the population source's fields, read with the population ------------- */

/* Columns for every needed field source k gives an entity that is not
 * records (records come in tables of their own). */
static int listing_open(hm_load *L, int k)
{
    const hm_program *p = L->p;
    hm_plugin *pl = &L->plugins[k];
    ld_listing *g = mem_calloc(1, sizeof *g);
    if (!g)
        return -1;
    L->listing = g;
    for (int e = 0; e < 2; e++) {
        g->cols[e] = mem_calloc((size_t)p->nfsources + 1, sizeof *g->cols[e]);
        g->out[e] = mem_calloc((size_t)p->nfsources + 1, sizeof *g->out[e]);
        if (!g->cols[e] || !g->out[e])
            return -1;
        for (int32_t j = 0; j < p->nfsources; j++) {
            const hm_fsource *fs = &p->fsources[j];
            const hm_field *f = &p->fields[fs->field];
            if (f->entity != (e ? ENT_PERSON : ENT_HOUSEHOLD) || f->records || !L->needed[fs->field] ||
                strcmp(prog_str(p, fs->source), L->sources[k]))
                continue;
            ld_col *c = &g->cols[e][g->ncols[e]];
            *c = (ld_col){ .name = prog_str(p, f->name), .field = fs->field, .fsi = j, .f = f };
            if (f->vtype == VT_CODE && build_codes(p, f->codeset, L->sources[k], c))
                return -1;
            g->out[e][g->ncols[e]++].field = plugin_field(pl, f->entity, bare_name(prog_str(p, f->name)));
        }
        g->x[e] = (hm_fetch_ctx){ .L = L, .src = k, .cols = g->cols[e], .ncols = (uint32_t)g->ncols[e],
                                  .listing = 1, .cur = -1, .last = -1 };
    }
    return 0;
}

/* population_fetch: the population, and columns for the source's fields
 * (c->err says when the host's part failed). */
static int listing_population(hm_load *L, int k, hm_population_ctx *c, hm_plugin_err *e)
{
    hm_plugin *pl = &L->plugins[k];
    if (listing_open(L, k)) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return HM_PLUGIN_ERROR;
    }
    ld_listing *g = L->listing;
    hm_fetch_req req[2];
    for (int i = 0; i < 2; i++)
        req[i] = (hm_fetch_req){ sizeof req[i], (uint8_t)(i ? HM_PERSON : HM_HOUSEHOLD), 0, NULL,
                                 (uint32_t)g->ncols[i], g->out[i], &g->x[i], NULL };
    int rc = pl->desc->population_fetch(pl->state, c, &req[0], &req[1], e);
    if (rc == HM_PLUGIN_OK && !c->err[0] && (g->x[0].oom || g->x[1].oom))
        snprintf(c->err, sizeof c->err, g->x[0].oom == 2 || g->x[1].oom == 2
                 ? "the plugin wrote outside the columns or rows it was asked for" : "out of memory");
    return rc;
}

/* The n-th household (person 0) or person was added: its row n - 1. */
static int listing_added(hm_load *L, int person, int32_t n)
{
    ld_listing *g = L->listing;
    if (!g)
        return 0;
    hm_fetch_ctx *x = &g->x[person];
    if ((uint32_t)n > x->cap) {
        uint32_t cap = x->cap ? x->cap * 2 : 4096;
        for (int i = 0; i < g->ncols[person]; i++) {
            ld_col *c = &g->cols[person][i];
            if (!c->listed)
                continue;
            int64_t *v = mem_realloc(c->value, sizeof *v * cap);
            if (v)
                c->value = v;
            uint8_t *k = mem_realloc(c->known, cap);
            if (k)
                c->known = k;
            int32_t *a = mem_realloc(c->asof, sizeof *a * cap);
            if (a)
                c->asof = a;
            if (!v || !k || !a)
                return -1;
            memset(c->known + x->cap, 0, cap - x->cap);
            for (uint32_t r = x->cap; r < cap; r++)
                c->asof[r] = HM_NO_DATE;
        }
        x->cap = cap;
    }
    x->n = (uint32_t)n;
    x->cur = n - 1;
    return 0;
}

static void listing_left_out(hm_load *L)
{
    if (L->listing)
        L->listing->x[1].cur = -1;
}

/* Persons go to their household's rows: their values and data issues
 * with them. */
static int listing_order(hm_load *L, const int32_t *newpos, int32_t np)
{
    ld_listing *g = L->listing;
    if (!g)
        return 0;
    for (int i = 0; i < g->ncols[1]; i++) {
        ld_col *c = &g->cols[1][i];
        if (!c->listed)
            continue;
        int64_t *v = mem_alloc(sizeof *v * ((size_t)np + 1));
        uint8_t *k = mem_alloc((size_t)np + 1);
        int32_t *a = mem_alloc(sizeof *a * ((size_t)np + 1));
        if (!v || !k || !a) {
            mem_free(v);
            mem_free(k);
            mem_free(a);
            return -1;
        }
        for (int32_t r = 0; r < np; r++) {
            v[newpos[r]] = c->value[r];
            k[newpos[r]] = c->known[r];
            a[newpos[r]] = c->asof[r];
        }
        mem_free(c->value);
        mem_free(c->known);
        mem_free(c->asof);
        c->value = v;
        c->known = k;
        c->asof = a;
    }
    for (int32_t i = 0; i < L->nissues; i++)
        if (L->issues[i].field >= 0 && L->p->fields[L->issues[i].field].entity == ENT_PERSON)
            L->issues[i].index = newpos[L->issues[i].index];
    return 0;
}

static void listing_free(hm_load *L)
{
    ld_listing *g = L->listing;
    for (int e = 0; g && e < 2; e++) {
        for (int i = 0; i < g->ncols[e]; i++) {
            mem_free(g->cols[e][i].value);
            mem_free(g->cols[e][i].known);
            mem_free(g->cols[e][i].asof);
            mem_free(g->cols[e][i].codes);
        }
        mem_free(g->cols[e]);
        mem_free(g->out[e]);
    }
    mem_free(g);
    L->listing = NULL;
}

/* The listing's column of fsource j of source k, when the plugin read it
 * with the population, else NULL. */
static ld_col *listed_col(hm_load *L, int k, int entity, int32_t j)
{
    ld_listing *g = L->listing;
    int e = entity == ENT_PERSON;
    for (int q = 0; g && g->x[0].src == k && q < g->ncols[e]; q++)
        if (g->cols[e][q].fsi == j && g->cols[e][q].listed && g->cols[e][q].known)
            return &g->cols[e][q];
    return NULL;
}

/* Columns read with the population go to the end of cols[0..ncols) (and
 * out): the plugin is asked for the others, whose number is returned. */
static int listed_last(ld_col *cols, hm_out_column *out, int ncols)
{
    int left = ncols;
    for (int i = 0; i < left;) {
        if (!cols[i].listed) {
            i++;
            continue;
        }
        left--;
        ld_col tc = cols[i];
        cols[i] = cols[left];
        cols[left] = tc;
        hm_out_column to = out[i];
        out[i] = out[left];
        out[left] = to;
    }
    return left;
}

/* Fetch the needed fields source k gives for one entity.  Fields with a
 * single source are written straight into the fact store; the others wait
 * in `pend` (one per fsource) to be compared. */
static int fetch_entity(hm_load *L, int k, int entity, pending *pend, int *nsrc_of, uint8_t *rec_seen)
{
    const hm_program *p = L->p;
    hm_plugin *pl = &L->plugins[k];
    uint32_t n = (uint32_t)(entity == ENT_HOUSEHOLD ? L->nh : L->np);
    ld_col *cols = mem_calloc((size_t)p->nfsources + 1, sizeof *cols);
    hm_out_column *out = mem_calloc((size_t)p->nfsources + 1, sizeof *out);
    int ncols = 0, rc = 0;
    if (!cols || !out) {
        rc = -1;
        goto done;
    }
    for (int32_t j = 0; j < p->nfsources; j++) {
        const hm_fsource *fs = &p->fsources[j];
        const hm_field *f = &p->fields[fs->field];
        if (f->entity != entity || !L->needed[fs->field] || strcmp(prog_str(p, fs->source), L->sources[k]))
            continue;
        if (!plugin_field(pl, entity, bare_name(prog_str(p, f->name))))
            continue;   /* a field of a list no rule reads, not given (needed 2) */
        ld_col *c = &cols[ncols];
        c->name = prog_str(p, f->name);
        c->field = fs->field;
        c->fsi = j;
        c->f = f;
        int multi = nsrc_of[fs->field] > 1;
        hm_column *fc = f->records ? NULL : entity == ENT_HOUSEHOLD ? &L->facts.hcol[f->column] : &L->facts.pcol[f->column];
        ld_col *from = f->records ? NULL : listed_col(L, k, entity, j);
        c->known = from ? from->known : mem_calloc(n + 1, 1);
        if (!c->known) {
            rc = -1;
            goto done;
        }
        if (from) {
            /* read with the population: its arrays become the column's */
            if (multi) {
                pend[j].value = from->value;
                pend[j].asof = from->asof;
            } else {
                mem_free(fc->v);
                mem_free(fc->asof);
                fc->v = from->value;
                fc->asof = from->asof;
            }
            c->value = from->value;
            c->asof = from->asof;
            c->listed = 1;
            from->value = NULL;
            from->known = NULL;
            from->asof = NULL;
        } else if (f->records) {
            c->value = NULL;    /* records arrive through put_record */
            c->asof = NULL;
        } else if (multi) {
            pend[j].value = mem_calloc(n + 1, sizeof *pend[j].value);
            pend[j].asof = mem_alloc(sizeof *pend[j].asof * (n + 1));
            if (!pend[j].value || !pend[j].asof) {
                rc = -1;
                goto done;
            }
            c->value = pend[j].value;
            c->asof = pend[j].asof;
        } else {
            c->value = fc->v;
            c->asof = fc->asof;
        }
        if (c->asof && !c->listed)
            for (uint32_t r = 0; r < n; r++)
                c->asof[r] = HM_NO_DATE;
        if (f->vtype == VT_CODE && (!f->records || f->records == FIELD_ROWFIELD) &&
            build_codes(p, f->codeset, L->sources[k], c)) {
            rc = -1;
            goto done;
        }
        out[ncols].field = plugin_field(pl, entity, bare_name(prog_str(p, f->name)));
        out[ncols].value = c->value;
        out[ncols].known = c->known;
        out[ncols].as_of = c->asof;
        ncols++;
    }
    if (!ncols)
        goto done;
    /* records columns get scratch arrays: the plugin writes through put_record */
    for (int i = 0; i < ncols; i++)
        if (cols[i].f->records) {
            out[i].value = mem_calloc(n + 1, sizeof *out[i].value);
            out[i].as_of = mem_alloc(sizeof *out[i].as_of * (n + 1));
            if (!out[i].value || !out[i].as_of) {
                rc = -1;
                goto done;
            }
        }
    /* integer ids go as they are; a plugin from before ABI 1.3 gets them
     * as text too (its own process speaks the newer ABI) */
    const int64_t *nums = entity == ENT_HOUSEHOLD ? L->hnum : L->pnum;
    char **ids = entity == ENT_HOUSEHOLD ? L->hid : L->pid;
    if (nums && !pl->isolated && pl->desc->abi_minor < 3) {
        pthread_mutex_lock(&L->lock);
        ids = text_ids(L, entity == ENT_PERSON);
        pthread_mutex_unlock(&L->lock);
        if (!ids) {
            rc = -1;
            goto done;
        }
    } else if (nums) {
        ids = NULL;
    }
    /* those read with the population are not fetched again */
    int nfetch = listed_last(cols, out, ncols);
    /* persons are found in the order listed (ids for the plugin stay in
     * row order) */
    int listed = entity == ENT_PERSON && L->plrow;
    hm_fetch_ctx x = { .L = L, .src = k, .n = n, .ids = listed ? L->plist : ids, .nums = listed ? L->plnum : nums,
                       .last = -1, .order = listed ? L->plrow : NULL,
                       .index = entity == ENT_HOUSEHOLD ? &L->hindex : &L->pindex, .cols = cols,
                       .ncols = (uint32_t)nfetch };
    hm_fetch_req req = { sizeof req, (uint8_t)entity, n, (const char *const *)ids, (uint32_t)nfetch, out, &x, nums };
    struct hm_plugin_err e = { .set = 0 };
    int prc = nfetch ? pl->desc->fetch(pl->state, &req, &e) : HM_PLUGIN_OK;
    char at[512];
    where(L, k, at, sizeof at);
    if (prc != HM_PLUGIN_OK) {
        add_err(L, "%s: fetching %s facts failed: %s", at, entity == ENT_HOUSEHOLD ? "household" : "person",
                e.set ? e.msg : "no reason given");
        rc = -2;
        goto done;
    }
    if (x.oom == 2) {
        add_err(L, "%s: the plugin wrote outside the columns or rows it was asked for", at);
        rc = -2;
        goto done;
    }
    if (x.oom) {
        rc = -1;
        goto done;
    }
    for (int i = 0; i < ncols; i++) {
        ld_col *c = &cols[i];
        const hm_fsource *fs = &p->fsources[c->fsi];
        check_values(&x, c);
        future_values(&x, c, fs);
        if (c->f->records) {
            pthread_mutex_lock(&L->lock);
            int src_rc = store_records(L, c, !rec_seen[c->f->column]++);
            pthread_mutex_unlock(&L->lock);
            if (src_rc) {
                rc = -1;
                goto done;
            }
            continue;
        }
        if (nsrc_of[c->field] > 1) {     /* compared later */
            pend[c->fsi].known = c->known;
            c->known = NULL;
            continue;
        }
        hm_column *fc = entity == ENT_HOUSEHOLD ? &L->facts.hcol[c->f->column] : &L->facts.pcol[c->f->column];
        for (uint32_t r = 0; r < n; r++)
            fc->state[r] = c->known[r] == 2 ? FACT_INVALID
                         : c->known[r] == 0 ? FACT_MISSING
                         : fresh(L, fs, fc->asof[r]) ? FACT_KNOWN : FACT_STALE;
        /* one date for every value (an extract's date) is kept once; the
         * date of a missing value means nothing */
        int32_t one = HM_NO_DATE;
        uint32_t r = 0;
        for (; r < n; r++) {
            if (c->known[r] != 1)
                continue;
            if (one == HM_NO_DATE)
                one = fc->asof[r];
            else if (fc->asof[r] != one)
                break;
        }
        if (r == n || !L->provenance) {
            fc->asof_all = r == n ? one : FACT_NO_DATE;
            mem_free(fc->asof);
            fc->asof = NULL;
        }
    }
done:
    /* cols[ncols] too: a column left half made when memory ran out */
    for (int i = 0; cols && i <= ncols; i++) {
        mem_free(cols[i].known);
        mem_free(cols[i].codes);
        mem_free(cols[i].rrow);
        mem_free(cols[i].rdate);
        mem_free(cols[i].rval);
        if (cols[i].f && cols[i].f->records) {
            mem_free(out[i].value);
            mem_free(out[i].as_of);
        }
    }
    mem_free(cols);
    mem_free(out);
    if (rc == -1)
        add_err(L, "out of memory while reading source %s", L->sources[k]);
    return rc ? -1 : 0;
}

static void show_value(const hm_program *p, const hm_field *f, const hm_facts *facts, int64_t v,
                       char *buf, size_t n)
{
    if (p && f->vtype == VT_CODE && f->codeset >= 0) {
        const hm_codeset *cs = &p->codesets[f->codeset];
        if (v >= 0 && v < cs->nlabels) {
            snprintf(buf, n, "%s (%s)", prog_str(p, p->labels[cs->first_label + 2 * v + 1]),
                     prog_str(p, p->labels[cs->first_label + 2 * v]));
            return;
        }
    }
    if (f->vtype == VT_TEXT && v < 0 && -v - 1 < facts->ntexts) {
        snprintf(buf, n, "\"%s\"", facts->texts[-v - 1]);
        return;
    }
    if (f->vtype == VT_DATE) {
        char d[16];
        cal_format((int32_t)v, d);
        snprintf(buf, n, "%s", d);
        return;
    }
    if (f->vtype == VT_BOOL) {
        snprintf(buf, n, "%s", v ? "true" : "false");
        return;
    }
    if (f->vtype == VT_MONEY) {
        uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        snprintf(buf, n, "%s%llu.%02llu", v < 0 ? "-" : "", (unsigned long long)(a / 100),
                 (unsigned long long)(a % 100));
        return;
    }
    snprintf(buf, n, "%lld", (long long)v);
}

/* A field several sources give: one value where they agree (the latest
 * as-of date is kept), a conflict where they do not. */
static int merge_field(hm_load *L, int32_t field, pending *pend)
{
    const hm_program *p = L->p;
    const hm_field *f = &p->fields[field];
    int32_t n = f->entity == ENT_HOUSEHOLD ? L->nh : L->np;
    hm_column *fc = f->entity == ENT_HOUSEHOLD ? &L->facts.hcol[f->column] : &L->facts.pcol[f->column];
    int32_t j0 = -1, nj = 0;
    for (int32_t j = 0; j < p->nfsources; j++)
        if (p->fsources[j].field == field) {
            if (j0 < 0)
                j0 = j;
            nj++;
        }
    if (!fc->src && !(fc->src = mem_calloc((size_t)n + 1, 1)))
        return -1;
    char detail[512], a[160], b[160], da[16], db[16];
    for (int32_t r = 0; r < n; r++) {
        int have = -1, conflict = -1, stale = 0, invalid = 0;
        for (int32_t j = j0; j < j0 + nj; j++) {
            const pending *q = &pend[j];
            if (!q->known)
                continue;   /* source not configured */
            if (q->known[r] == 2)
                invalid = 1;
            if (q->known[r] != 1)
                continue;
            if (!fresh(L, &p->fsources[j], q->asof[r])) {
                stale = 1;
                continue;
            }
            if (have < 0) {
                have = j;
                fc->v[r] = q->value[r];
                fc->asof[r] = q->asof[r];
                fc->src[r] = (uint8_t)(j - j0);
            } else if (q->value[r] != fc->v[r]) {
                conflict = j;
            } else if (q->asof[r] > fc->asof[r]) {
                fc->asof[r] = q->asof[r];
                fc->src[r] = (uint8_t)(j - j0);
            }
        }
        if (conflict >= 0) {
            fc->state[r] = FACT_CONFLICT;
            show_value(p, f, &L->facts, pend[have].value[r], a, sizeof a);
            show_value(p, f, &L->facts, pend[conflict].value[r], b, sizeof b);
            cal_format(pend[have].asof[r], da);
            cal_format(pend[conflict].asof[r], db);
            snprintf(detail, sizeof detail, "%s: source %s says %s (as of %s), source %s says %s (as of %s)",
                     prog_str(p, f->name), prog_str(p, p->fsources[have].source), a,
                     pend[have].asof[r] == HM_NO_DATE ? "unknown" : da,
                     prog_str(p, p->fsources[conflict].source), b,
                     pend[conflict].asof[r] == HM_NO_DATE ? "unknown" : db);
            int k = configured(L, prog_str(p, p->fsources[have].source));
            if (add_issue(L, k, field, r, ISSUE_CONFLICT, detail))
                return -1;
        } else {
            fc->state[r] = have >= 0 ? FACT_KNOWN : invalid ? FACT_INVALID : stale ? FACT_STALE : FACT_MISSING;
        }
    }
    return 0;
}

typedef struct fetcher {
    hm_load *L;
    pending *pend;
    int *nsrc;
    uint8_t *rec_seen;
    _Atomic int *next;
    _Atomic int *failed;
    _Atomic int running;        /* with L->io_serve: fetching threads not finished */
} fetcher;

static void *fetch_sources(void *arg)
{
    fetcher *f = arg;
    for (;;) {
        int k = atomic_fetch_add(f->next, 1);
        if (k >= f->L->nplugins || atomic_load(f->failed))
            break;
        for (int entity = ENT_HOUSEHOLD; entity <= ENT_PERSON; entity++)
            if (fetch_entity(f->L, k, entity, f->pend, f->nsrc, f->rec_seen)) {
                atomic_store(f->failed, 1);
                break;
            }
    }
    return NULL;
}

static int issue_order(const void *a, const void *b)
{
    const ld_issue *x = a, *y = b;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    if (x->field != y->field)
        return x->field < y->field ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* A fetching thread while the loading thread serves: the last one to
 * finish tells the host's io_serve to return. */
static void *fetch_relayed(void *arg)
{
    fetcher *f = arg;
    fetch_sources(f);
    if (atomic_fetch_sub(&f->running, 1) == 1)
        f->L->io_served(f->L->io_ctx);
    return NULL;
}

/* Each source in its own thread (their plugin states are separate), up
 * to L->threads at once: this thread one of them, or, when the host
 * relays its plugins' calls here (L->io_serve), serving them. */
static int fetch_all(hm_load *L, pending *pend, int *nsrc, uint8_t *rec_seen)
{
    _Atomic int next = 0, failed = 0;
    fetcher f = { L, pend, nsrc, rec_seen, &next, &failed, 0 };
    int n = L->threads > 1 ? L->threads : 1;
    if (n > L->nplugins)
        n = L->nplugins;
    if (n > 64)
        n = 64;
    pthread_t th[64];
    int started = 0;
    if (L->io_serve && n > 1) {
        atomic_store(&f.running, n);
        for (int i = 0; i < n; i++)
            if (thread_start(&th[started], fetch_relayed, &f) == 0)
                started++;
        /* the threads that did not start count as finished */
        if (started > 0 && started < n && atomic_fetch_sub(&f.running, n - started) == n - started)
            L->io_served(L->io_ctx);
        if (started > 0)
            L->io_serve(L->io_ctx);
        else
            fetch_sources(&f);
    } else {
        for (int i = 1; i < n; i++)
            if (thread_start(&th[started], fetch_sources, &f) == 0)
                started++;
        fetch_sources(&f);
    }
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    /* the same order whichever thread finished first */
    if (L->nissues > 1)
        qsort(L->issues, (size_t)L->nissues, sizeof *L->issues, issue_order);
    return atomic_load(&failed) ? -1 : 0;
}

/* The member of household hh whose id is the text value v of a link, or
 * -1 after recording why not as a data issue of `owner` (a person row,
 * or a household row for a household field): a link never matches anyone
 * but that member. */
static int32_t link_member(hm_load *L, int32_t field, int32_t owner, int32_t hh, int64_t v)
{
    const hm_program *p = L->p;
    const hm_facts *f = &L->facts;
    const char *id = v < 0 && -v - 1 < f->ntexts ? f->texts[-v - 1] : "";
    int32_t i = idx_find_either(&L->pindex, L->plrow ? L->plist : L->pid, L->plrow ? L->plnum : L->pnum,
                                id, strlen(id));
    if (i >= 0 && L->plrow)
        i = L->plrow[i];
    int32_t first = f->hh_first[hh];
    if (i >= first && i < first + f->hh_count[hh])
        return i - first;
    char raw[256], masked[256], detail[600];
    snprintf(raw, sizeof raw, "%s", id);
    mask_id(raw, masked);
    const char *name = prog_str(p, p->fields[field].name);
    if (i >= 0 || L->nh == 1)
        snprintf(detail, sizeof detail, "%s: %s is not a member of this household", name, masked);
    else
        snprintf(detail, sizeof detail, "%s: no person has the id %s", name, masked);
    /* the source: the first configured one that declares the field */
    int k = -1;
    for (int32_t j = 0; j < p->nfsources && k < 0; j++)
        if (p->fsources[j].field == field)
            k = configured(L, prog_str(p, p->fsources[j].source));
    return add_issue(L, k, field, owner, ISSUE_BAD_VALUE, detail) ? -2 : -1;
}

/* Links to other persons (ids, as the sources gave them) made the
 * member's number in the owner's household; a link to no member of it is
 * unusable (a fact) or missing in that record (a field of a list). */
static int resolve_links(hm_load *L)
{
    const hm_program *p = L->p;
    hm_facts *f = &L->facts;
    int32_t *hh_of = NULL, had = L->nissues;
    for (int32_t fi = 0; fi < p->nfields; fi++) {
        const hm_field *fd = &p->fields[fi];
        if (fd->vtype != VT_PERSON || !L->needed[fi] || (fd->records && fd->records != FIELD_ROWFIELD))
            continue;
        if (!hh_of && fd->entity == ENT_PERSON) {
            if (!(hh_of = mem_alloc(sizeof *hh_of * ((size_t)L->np + 1))))
                return -1;
            for (int32_t h = 0; h < L->nh; h++)
                for (int32_t k = 0; k < f->hh_count[h]; k++)
                    hh_of[f->hh_first[h] + k] = h;
        }
        int32_t owners = fd->entity == ENT_HOUSEHOLD ? L->nh : L->np;
        for (int32_t o = 0; o < owners; o++) {
            int32_t hh = fd->entity == ENT_HOUSEHOLD ? o : hh_of[o];
            if (fd->records == FIELD_ROWFIELD) {
                hm_rcolumn *rc = &f->rcol[fd->column];
                for (int32_t r = rc->first[o]; rc->state[o] == FACT_KNOWN && r < rc->first[o] + rc->count[o]; r++) {
                    if (rc->date[r] == FACT_NO_DATE)
                        continue;
                    int32_t m = link_member(L, fi, o, hh, rc->v[r]);
                    if (m == -2)
                        goto oom;
                    rc->v[r] = m < 0 ? 0 : m;
                    if (m < 0)
                        rc->date[r] = FACT_NO_DATE;
                }
                continue;
            }
            hm_column *c = fd->entity == ENT_HOUSEHOLD ? &f->hcol[fd->column] : &f->pcol[fd->column];
            if (c->state[o] != FACT_KNOWN)
                continue;
            int32_t m = link_member(L, fi, o, hh, c->v[o]);
            if (m == -2)
                goto oom;
            c->v[o] = m < 0 ? 0 : m;
            if (m < 0)
                c->state[o] = FACT_INVALID;
        }
    }
    mem_free(hh_of);
    if (L->nissues > had)
        qsort(L->issues, (size_t)L->nissues, sizeof *L->issues, issue_order);
    return 0;
oom:
    mem_free(hh_of);
    return -1;
}

int load_facts(hm_load *L)
{
    const hm_program *p = L->p;
    pending *pend = mem_calloc((size_t)p->nfsources + 1, sizeof *pend);
    int *nsrc = mem_calloc((size_t)p->nfields + 1, sizeof *nsrc);
    uint8_t *rec_seen = mem_calloc((size_t)p->nrcols + 1, 1);
    int rc = 0;
    if (!pend || !nsrc || !rec_seen || facts_init_columns(&L->facts, p) < 0) {
        add_err(L, "out of memory");
        rc = -1;
        goto done;
    }
    /* how many configured sources give each field */
    for (int32_t j = 0; j < p->nfsources; j++)
        if (configured(L, prog_str(p, p->fsources[j].source)) >= 0 && !p->fields[p->fsources[j].field].records)
            nsrc[p->fsources[j].field]++;
    rc = fetch_all(L, pend, nsrc, rec_seen);
    for (int32_t f = 0; f < p->nfields && !rc; f++)
        if (nsrc[f] > 1 && L->needed[f])
            if (merge_field(L, f, pend)) {
                add_err(L, "out of memory");
                rc = -1;
            }
    if (!rc)
        facts_sort_records(&L->facts);
    if (!rc && facts_align_rows(&L->facts, p)) {
        add_err(L, "out of memory");
        rc = -1;
    }
    if (!rc && resolve_links(L)) {
        add_err(L, "out of memory");
        rc = -1;
    }
    if (!rc)
        rc = load_reftables(L);
    if (!rc && facts_apply_defaults(&L->facts, p, nsrc) < 0) {
        add_err(L, "out of memory");
        rc = -1;
    }
    if (!rc && p->nrefreads) {
        char e[512];
        int r = facts_apply_refs(&L->facts, p, L->as_of, e, sizeof e);
        if (r == -1)
            add_err(L, "out of memory");
        else if (r == -2)
            add_err(L, "%s: %s", L->cfg->path, e);
        rc = r ? -1 : 0;
        if (!rc && ref_issues(L) < 0) {
            add_err(L, "out of memory");
            rc = -1;
        }
    }
done:
    for (int32_t j = 0; pend && j < p->nfsources; j++) {
        mem_free(pend[j].value);
        mem_free(pend[j].known);
        mem_free(pend[j].asof);
    }
    mem_free(pend);
    mem_free(nsrc);
    mem_free(rec_seen);
    return rc;
}

int load_close_plugins(hm_load *L)
{
    char at[512], e[1024];
    int rc = 0;
    for (int k = 0; L->plugins && k < L->nplugins; k++)
        if (plugin_finish(&L->plugins[k], e, sizeof e)) {
            where(L, k, at, sizeof at);
            add_err(L, "%s: %s", at, e);
            rc = -1;
        }
    return rc;
}

void load_close(hm_load *L)
{
    for (int k = 0; L->plugins && k < L->nplugins; k++)
        plugin_close(&L->plugins[k]);
    externs_free(L->ffi);
    facts_free(&L->facts);
    for (int32_t i = 0; i < L->nissues; i++)
        mem_free(L->issues[i].detail);
    mem_free(L->issues);
    mem_free(L->plugins);
    mem_free(L->sources);
    mem_free(L->needed);
    mem_free(L->hid);
    mem_free(L->pid);
    mem_free(L->hnum);
    mem_free(L->pnum);
    mem_free(L->plist);
    mem_free(L->plnum);
    mem_free(L->plrow);
    listing_free(L);
    idx_free(&L->hindex);
    idx_free(&L->pindex);
    arena_free(&L->ids);
    if (L->p)
        pthread_mutex_destroy(&L->lock);
    memset(L, 0, sizeof *L);
}

/* ---- a sample fetch, for `huimin plugin-check` ------------------------------ */

static void sample_value(const hm_load *L, const hm_field *f, const ld_col *c, uint32_t r, FILE *out)
{
    if (c->known[r] == 2) {
        fputs("(unusable)", out);
        return;
    }
    if (c->known[r] != 1) {
        fputs("(missing)", out);
        return;
    }
    char buf[160];
    hm_field tf = *f;
    if (tf.vtype == VT_CODE)
        tf.vtype = VT_TEXT;     /* raw department codes, not yet mapped */
    show_value(NULL, &tf, &L->facts, c->value[r], buf, sizeof buf);
    mask_fputs_text(buf, out);     /* a 身份证号 column */
    if (c->asof[r] != HM_NO_DATE) {
        char d[16];
        cal_format(c->asof[r], d);
        fprintf(out, " (as of %s)", d);
    }
}

static char **sort_ids;
static const int64_t *sort_nums;
static int by_id(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    if (sort_nums)
        return sort_nums[x] < sort_nums[y] ? -1 : sort_nums[x] > sort_nums[y];
    return strcmp(sort_ids[x], sort_ids[y]);
}

int load_sample(hm_load *L, int k, int nmax, FILE *out)
{
    hm_plugin *pl = &L->plugins[k];
    for (int entity = ENT_HOUSEHOLD; entity <= ENT_PERSON; entity++) {
        int32_t total = entity == ENT_HOUSEHOLD ? L->nh : L->np;
        uint32_t n = (uint32_t)(total < nmax ? total : nmax);
        int ncols = 0;
        for (uint32_t i = 0; i < pl->nfields; i++)
            ncols += pl->fields[i].entity == entity;
        if (!ncols || !n)
            continue;
        hm_field *tf = mem_calloc((size_t)ncols, sizeof *tf);
        ld_col *cols = mem_calloc((size_t)ncols, sizeof *cols);
        hm_out_column *oc = mem_calloc((size_t)ncols, sizeof *oc);
        char **ids = mem_alloc(sizeof *ids * n);
        int64_t *nums = mem_alloc(sizeof *nums * n);
        int32_t *order = mem_alloc(sizeof *order * ((size_t)total + 1));
        id_index index = { 0 };
        int64_t *vals = mem_calloc((size_t)ncols * n, sizeof *vals);
        int32_t *asofs = mem_alloc(sizeof *asofs * (size_t)ncols * n);
        uint8_t *known = mem_calloc((size_t)ncols * n, 1);
        int rc = -1;
        if (!tf || !cols || !oc || !ids || !nums || !order || !vals || !asofs || !known) {
            add_err(L, "out of memory");
            goto next;
        }
        /* the first n ids in id order */
        sort_ids = entity == ENT_HOUSEHOLD ? L->hid : L->pid;   /* single-threaded */
        sort_nums = entity == ENT_HOUSEHOLD ? L->hnum : L->pnum;
        for (int32_t i = 0; i < total; i++)
            order[i] = i;
        qsort(order, (size_t)total, sizeof *order, by_id);
        int made = 1;
        for (uint32_t i = 0; i < n; i++) {
            if (sort_nums)
                made &= (ids[i] = id_text(L, NULL, 0, nums[i] = sort_nums[order[i]])) != NULL;
            else
                ids[i] = sort_ids[order[i]];
        }
        int32_t dup;
        if (!made || index_rows(&index, ids, sort_nums ? nums : NULL, (int32_t)n, &dup)) {
            add_err(L, "out of memory");
            goto next;
        }
        int c = 0;
        for (uint32_t i = 0; i < pl->nfields; i++) {
            const hm_field_desc *d = &pl->fields[i];
            if (d->entity != entity)
                continue;
            tf[c] = (hm_field){ .entity = d->entity, .vtype = d->type, .period = d->period,
                                .records = d->records, .codeset = -1 };
            cols[c] = (ld_col){ .name = d->name, .field = -1, .f = &tf[c], .value = vals + (size_t)c * n,
                                .known = known + (size_t)c * n, .asof = asofs + (size_t)c * n };
            for (uint32_t r = 0; r < n; r++)
                cols[c].asof[r] = HM_NO_DATE;
            oc[c] = (hm_out_column){ d, cols[c].value, cols[c].known, cols[c].asof };
            c++;
        }
        const int64_t *xnums = sort_nums ? nums : NULL;
        hm_fetch_ctx x = { .L = L, .src = k, .n = n, .ids = ids, .nums = xnums, .last = -1, .index = &index, .cols = cols,
                           .ncols = (uint32_t)ncols };
        hm_fetch_req req = { sizeof req, (uint8_t)entity, n, (const char *const *)ids, (uint32_t)ncols, oc, &x,
                             xnums };
        struct hm_plugin_err e = { .set = 0 };
        if (pl->desc->fetch(pl->state, &req, &e) != HM_PLUGIN_OK) {
            add_err(L, "fetching %s facts failed: %s", entity == ENT_HOUSEHOLD ? "household" : "person",
                    e.set ? e.msg : "no reason given");
            goto next;
        }
        if (x.oom) {
            add_err(L, x.oom == 2 ? "the plugin wrote outside the columns or rows it was asked for"
                                  : "out of memory");
            goto next;
        }
        fprintf(out, "sample of %u %s%s:\n", n, entity == ENT_HOUSEHOLD ? "household" : "person", n == 1 ? "" : "s");
        for (uint32_t r = 0; r < n; r++) {
            fputs("  ", out);
            mask_fputs(ids[r], out);     /* ids are masked on a terminal */
            fputc('\n', out);
            for (int i = 0; i < ncols; i++) {
                check_values(&x, &cols[i]);
                fprintf(out, "    %s.%s = ", entity == ENT_HOUSEHOLD ? "household" : "person", cols[i].name);
                if (tf[i].records) {
                    size_t cnt = 0;
                    for (size_t q = 0; q < cols[i].nrec; q++)
                        cnt += cols[i].rrow[q] == (int32_t)r;
                    fprintf(out, cols[i].known[r] == 1 ? "%zu records" : "(missing)", cnt);
                } else {
                    sample_value(L, &tf[i], &cols[i], r, out);
                }
                fputc('\n', out);
            }
        }
        rc = 0;
    next:
        for (int i = 0; cols && i < ncols; i++) {
            mem_free(cols[i].rrow);
            mem_free(cols[i].rdate);
            mem_free(cols[i].rval);
        }
        mem_free(tf);
        mem_free(cols);
        mem_free(oc);
        mem_free(ids);
        mem_free(nums);
        mem_free(order);
        idx_free(&index);
        mem_free(vals);
        mem_free(asofs);
        mem_free(known);
        if (rc)
            return -1;
    }
    return 0;
}
