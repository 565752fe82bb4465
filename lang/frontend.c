/* frontend.c -- the compiler front end behind the public hm_compiler API:
 * collect files, parse each into an AST, find the modules they `use`, and
 * run the checker.  Out of memory anywhere in here unwinds to
 * hm_compiler_check() through the arena's handler and is reported as
 * HM_ENOMEM; nothing leaks, because everything lives in the arena. */
#include "huimin.h"
#include "parse_state.h"
#include "parser.h"
#define YYSTYPE HMYY_STYPE
#define YYLTYPE HMYY_LTYPE
#include "lexer.h"
#include "sema.h"
#include "mem.h"
#include "stdlib_embed.h"
#include "codegen.h"
#include "frontend.h"
#include "disasm.h"
#include "module.h"
#include "pack.h"

#include <dirent.h>
#include <nettle/sha2.h>
#include <ini.h>
#include <jansson.h>
#include <limits.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct hm_compiler {
    sema sema;
    hm_program prog;
    int compiled;           /* prog holds the compiled program */
    cg_map map;             /* where each expression's value is, for explain */
    hm_arena arena;
    hm_diags diags;
    jmp_buf oom;
    hm_srcfile **files;
    int nfiles, cap;
    hm_module **mods;
    int nmods;
    int checked;
    int out_of_memory;      /* a previous check ran out of memory */
    int syntax_errors;
    int facts_file;         /* file index of the `--given` file, or -1 */
    unsigned char *pack;    /* hm_compiler_add_pack: the program must encode to these bytes */
    size_t pack_len;
    ast *reform;            /* the `reform` declaration (N_REFORM; its amendments in c) */
    ast *whatif;            /* the what-ifs' reform when another reform is applied too */
    int amend_file;         /* file index + 1 of compiler_add_amendment's text, or 0 */
    int have_base;          /* base_sha256 is the base pack's */
    uint8_t base_sha256[32];
    int explain_deep;       /* hm_compiler_set_explain_deep */
    const hm_program *given_for;    /* hm_household_add_given_tables: the program found to be this one's */
};

hm_compiler *hm_compiler_new(void)
{
    hm_compiler *c = mem_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    arena_init(&c->arena);
    diag_init(&c->diags);
    c->facts_file = -1;
    return c;
}

void hm_compiler_free(hm_compiler *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nfiles; i++) {
        srcfile_free(c->files[i]);
        mem_free(c->files[i]);
    }
    mem_free(c->files);
    mem_free(c->mods);
    mem_free(c->pack);
    prog_free(&c->prog);
    cg_map_free(&c->map);
    diag_free(&c->diags);
    arena_free(&c->arena);
    mem_free(c);
}

static int add_file(hm_compiler *c, hm_srcfile *f)
{
    if (c->nfiles == c->cap) {
        int cap = c->cap ? c->cap * 2 : 16;
        hm_srcfile **v = mem_realloc(c->files, sizeof *v * (size_t)cap);
        if (!v)
            return HM_ENOMEM;
        c->files = v;
        c->cap = cap;
    }
    f->index = c->nfiles;
    c->files[c->nfiles++] = f;
    return HM_OK;
}

static int load_file(hm_compiler *c, const char *path)
{
    hm_srcfile *f = mem_calloc(1, sizeof *f);
    if (!f)
        return HM_ENOMEM;
    if (srcfile_load(f, path) != 0) {
        int e = errno;
        mem_free(f);
        if (e == ENOMEM)
            return HM_ENOMEM;
        diag_error(&c->diags, NULL, (hm_span){ 0, 0 }, "cannot read `%s`: %s", path,
                   e == EINVAL ? "not a regular file" : e == EFBIG ? "larger than 256 MiB" : strerror(e));
        return HM_EIO;
    }
    int rc = add_file(c, f);
    if (rc != HM_OK) {
        srcfile_free(f);
        mem_free(f);
    }
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

static int add_dir(hm_compiler *c, const char *dir, int depth)
{
    if (depth > 32) {
        /* say so rather than leave out what lies deeper */
        diag_error(&c->diags, NULL, (hm_span){ 0, 0 }, "`%s`: folders nested more than 32 deep", dir);
        return HM_EIO;
    }
    DIR *d = opendir(dir);
    if (!d) {
        diag_error(&c->diags, NULL, (hm_span){ 0, 0 }, "cannot read directory `%s`: %s", dir, strerror(errno));
        return HM_EIO;
    }
    char **names = NULL;
    int n = 0, cap = 0, rc = HM_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = mem_realloc(names, sizeof *v * (size_t)cap);
            if (!v) {
                rc = HM_ENOMEM;
                break;
            }
            names = v;
        }
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        names[n] = mem_alloc(len);
        if (!names[n]) {
            rc = HM_ENOMEM;
            break;
        }
        snprintf(names[n], len, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    if (rc == HM_OK && n > 1)
        qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        if (rc == HM_OK) {
            /* inside a directory, symbolic links to directories are not
             * followed: a link back up would make the walk endless */
            struct stat st;
            if (lstat(names[i], &st) == 0 && S_ISDIR(st.st_mode)) {
                int r = add_dir(c, names[i], depth + 1);
                if (r == HM_ENOMEM || (r != HM_OK && rc == HM_OK))
                    rc = r;     /* a folder inside that cannot be read: as one named */
            } else if (has_suffix(names[i], ".pol") && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
                int r = load_file(c, names[i]);
                if (r == HM_ENOMEM)
                    rc = r;
            }
        }
        mem_free(names[i]);
    }
    mem_free(names);
    return rc;
}

int hm_compiler_add_path(hm_compiler *c, const char *path)
{
    if (!c || !path)
        return HM_EUSAGE;
    if (strlen(path) > 4096) {
        diag_error(&c->diags, NULL, (hm_span){ 0, 0 }, "path too long");
        return HM_EIO;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* strip trailing slashes so names read "dir/file.pol" */
        char buf[4100];
        snprintf(buf, sizeof buf, "%s", path);
        size_t n = strlen(buf);
        while (n > 1 && buf[n - 1] == '/')
            buf[--n] = '\0';
        return add_dir(c, buf, 0);
    }
    if (module_is_pack_file(path)) {
        diag_error(&c->diags, NULL, (hm_span){ 0, 0 },
                   "`%s` is a compiled pack, not policy text: give it alone to `huimin run`, `explain`, "
                   "`needs`, `test` or `disasm` in place of the policy files", path);
        return HM_EIO;
    }
    return load_file(c, path);
}

int hm_compiler_add_source(hm_compiler *c, const char *name, const char *text, size_t len)
{
    if (!c || !name || (!text && len))
        return HM_EUSAGE;
    hm_srcfile *f = mem_calloc(1, sizeof *f);
    if (!f)
        return HM_ENOMEM;
    if (srcfile_from_string(f, name, text ? text : "", len) != 0) {
        mem_free(f);
        return HM_ENOMEM;
    }
    int rc = add_file(c, f);
    if (rc != HM_OK) {
        srcfile_free(f);
        mem_free(f);
    }
    return rc;
}

/* ---- parsing ---------------------------------------------------------- */

_Thread_local hm_arena *parse_arena;

static hm_module *parse_one(hm_compiler *c, hm_srcfile *f)
{
    parse_arena = &c->arena;
    hm_parser p = { .arena = &c->arena, .diags = &c->diags, .file = f };
    yyscan_t scanner;
    if (hmyy_lex_init_extra(&p, &scanner) != 0)
        longjmp(c->oom, 1);
    YY_BUFFER_STATE buf = hmyy__scan_bytes(f->text, (int)f->len, scanner);
    if (!buf) {
        hmyy_lex_destroy(scanner);
        longjmp(c->oom, 1);
    }
    int rc = hmyy_parse(&p, scanner);
    c->syntax_errors += p.syntax_errors + p.lex_errors;
    hmyy__delete_buffer(buf, scanner);
    hmyy_lex_destroy(scanner);
    if (rc == 2 && p.out_of_memory)
        longjmp(c->oom, 1);
    if (memchr(f->text, '\0', f->len))
        diag_error(&c->diags, f, (hm_span){ 0, 0 }, "this file contains NUL bytes; it is not a policy text file");

    hm_module *m = arena_alloc(&c->arena, sizeof *m);
    m->file = f;
    m->root = p.root;
    m->index = f->index;
    for (ast *d = p.root; d; d = d->next)
        if (d->kind == N_MODULE) {
            m->name = d->str;
            break;
        }
    if (!m->name) {
        /* named after the file: "dir/dibao.pol" is module "dibao" */
        const char *base = strrchr(f->path, '/');
        base = base ? base + 1 : f->path;
        size_t n = strlen(base);
        if (n > 4 && strcmp(base + n - 4, ".pol") == 0)
            n -= 4;
        m->name = arena_strndup(&c->arena, base, n);
    }
    return m;
}

static hm_module *find_module(hm_compiler *c, const char *name)
{
    for (int i = 0; i < c->nmods; i++)
        if (c->mods[i] && strcmp(c->mods[i]->name, name) == 0)
            return c->mods[i];
    return NULL;
}

static const char *stdlib_dir(void)
{
    const char *e = getenv("HUIMIN_STDLIB");
    if (e && *e)
        return e;
    return HM_STDLIB_DIR;
}

/* ---- the pack manifest (huimin.pack) --------------------------------------
 *
 *   [pack]
 *   name    = examples
 *   folders = policies, tutorial
 *
 * found in the folder of the file that says `use` or the nearest folder
 * above it (within its repository, home folder and file system: see
 * search_above); its folders (relative to it) are where a used module is looked
 * for when it is not beside the file: module a.b.c as FOLDER/c.pol,
 * FOLDER/b/c.pol or FOLDER/a/b/c.pol. */
typedef struct manifest {
    char folders[16][256];
    int nfolders, bad;          /* bad: the line of the first unknown key, or -1 for too many folders */
    int named;
} manifest;

static int manifest_line(void *user, const char *section, const char *key, const char *value)
{
    manifest *m = user;
    if (strcmp(section, "pack") == 0 && strcmp(key, "name") == 0 && *value) {
        m->named = 1;
        return 1;
    }
    if (strcmp(section, "pack") != 0 || strcmp(key, "folders") != 0)
        return 0;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", value);
    for (char *save = NULL, *f = strtok_r(buf, ", \t", &save); f; f = strtok_r(NULL, ", \t", &save)) {
        if (m->nfolders == (int)(sizeof m->folders / sizeof m->folders[0]) || strlen(f) >= sizeof m->folders[0]) {
            m->bad = -1;
            return 0;
        }
        snprintf(m->folders[m->nfolders++], sizeof m->folders[0], "%s", f);
    }
    return 1;
}

/* The folder above `dir`, written without resolving links: "a/b" → "a",
 * "a" → ".", "." → "..", ".." → "../..". */
static void parent_dir(char *dir, size_t n)
{
    size_t len = strlen(dir);
    const char *last = strrchr(dir, '/');
    const char *tail = last ? last + 1 : dir;
    if (!strcmp(tail, "..") || !strcmp(dir, ".")) {
        if (!strcmp(dir, "."))
            snprintf(dir, n, "..");
        else if (len + 3 < n)
            strcat(dir, "/..");
    } else if (last) {
        if (last == dir)
            dir[1] = '\0';     /* "/x" → "/" */
        else
            dir[last - dir] = '\0';
    } else {
        snprintf(dir, n, ".");
    }
}

/* Move dir to the folder above it, where a manifest may still be looked
 * for; 0 where the search stops: after a folder that holds `.git` (the
 * root of a repository), below the user's home folder and at the root of
 * the file system or of a mounted one.  A manifest beyond these belongs
 * to something else and would be used without the drafter knowing. */
static int search_above(char *dir, size_t n)
{
    char path[PATH_MAX + 8], real[PATH_MAX], up[PATH_MAX];
    struct stat here, above;
    snprintf(path, sizeof path, "%s/.git", dir);
    if (lstat(path, &here) == 0 || !realpath(dir, real) || !strcmp(real, "/") || stat(dir, &here) != 0)
        return 0;
    snprintf(up, sizeof up, "%s", dir);
    parent_dir(up, sizeof up);
    if (stat(up, &above) != 0 || above.st_dev != here.st_dev || !realpath(up, real))
        return 0;
    const char *home = getenv("HOME");
    char realhome[PATH_MAX];
    if (home && *home && realpath(home, realhome) && !strcmp(real, realhome))
        return 0;
    snprintf(dir, n, "%s", up);
    return 1;
}

/* Look for module `name` in the folders of the manifest nearest above
 * file `from`: FOLDER/LAST.pol, then FOLDER/A/B/LAST.pol for A.B.LAST.
 * 1 found (out), 0 not, -1 a manifest that cannot be read (diagnosed). */
static int manifest_locate(hm_compiler *c, const char *name, const hm_srcfile *from, hm_span at, char *out,
                           size_t n)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(from->path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", slash == from->path ? 1 : (int)(slash - from->path), from->path);
    else
        snprintf(dir, sizeof dir, ".");
    const char *last = strrchr(name, '.');
    last = last ? last + 1 : name;
    char asdir[512] = "";
    if (strlen(name) < sizeof asdir)    /* longer: only FOLDER/LAST.pol */
        snprintf(asdir, sizeof asdir, "%s", name);
    for (char *p = asdir; *p; p++)
        if (*p == '.')
            *p = '/';
    struct stat st;
    char path[PATH_MAX + 32];
    for (int depth = 0; depth < 64; depth++) {
        snprintf(path, sizeof path, "%s/huimin.pack", dir);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            manifest m = { .bad = 0 };
            int rc = ini_parse(path, manifest_line, &m);
            if (rc != 0 || m.bad || !m.named) {
                int e = diag_error(&c->diags, from, at, "the pack manifest %s cannot be used: %s", path,
                                   rc < 0 ? "it cannot be read"
                                   : m.bad < 0 ? "more than 16 folders, or a folder name longer than 255 bytes"
                                   : rc > 0 ? "a line is not `[pack]`, `name = …` or `folders = …`"
                                   : "it has no `name = …`");
                diag_hint(&c->diags, e, "write [pack], then name = NAME and folders = FOLDER, FOLDER");
                return -1;
            }
            for (int i = 0; i < m.nfolders; i++) {
                int w = snprintf(out, n, "%s/%s/%s.pol", dir, m.folders[i], last);
                if (w > 0 && (size_t)w < n && stat(out, &st) == 0 && S_ISREG(st.st_mode))
                    return 1;
                /* a.b.c: FOLDER/b/c.pol, then FOLDER/a/b/c.pol */
                const char *ends[64];
                int nends = 0;
                for (const char *p = asdir; *p && nends < 64; p++)
                    if (*p == '/')
                        ends[nends++] = p;
                for (int k = nends - 1; k >= -1 && *asdir; k--) {
                    const char *sub = k >= 0 ? ends[k] + 1 : asdir;
                    if (sub == last - name + asdir)
                        continue;   /* FOLDER/LAST.pol, tried */
                    w = snprintf(out, n, "%s/%s/%s.pol", dir, m.folders[i], sub);
                    if (w > 0 && (size_t)w < n && stat(out, &st) == 0 && S_ISREG(st.st_mode))
                        return 1;
                }
            }
            return 0;
        }
        if (!search_above(dir, sizeof dir))
            return 0;
    }
    return 0;
}

/* Find the file of module `name` used from file `from`: beside it (the last
 * component of the name), or in the standard library for std.*. */
static int locate_module(hm_compiler *c, const char *name, const hm_srcfile *from, char *out, size_t n)
{
    const char *last = strrchr(name, '.');
    last = last ? last + 1 : name;
    struct stat st;
    if (strncmp(name, "std.", 4) == 0) {
        snprintf(out, n, "%s/std/%s.pol", stdlib_dir(), last);
        if (stat(out, &st) == 0)
            return 1;
    }
    const char *slash = strrchr(from->path, '/');
    int dlen = slash ? (int)(slash - from->path) : 0;
    snprintf(out, n, "%.*s%s%s.pol", dlen, from->path, slash ? "/" : "", last);
    if (stat(out, &st) == 0)
        return 1;
    (void)c;
    return 0;
}

static void resolve_uses(hm_compiler *c)
{
    for (int i = 0; i < c->nmods; i++) {
        hm_module *m = c->mods[i];
        int nuses = 0;
        for (ast *d = m->root; d; d = d->next)
            nuses += d->kind == N_USE;
        m->uses = arena_alloc(&c->arena, sizeof *m->uses * (size_t)(nuses + 1));
        for (ast *d = m->root; d; d = d->next) {
            if (d->kind != N_USE)
                continue;
            hm_module *u = find_module(c, d->str);
            const char *env = getenv("HUIMIN_STDLIB");
            const hm_stdlib_file *sf = !u && !(env && *env) ? stdlib_find(d->str) : NULL;
            if (sf) {
                if (hm_compiler_add_source(c, sf->path, (const char *)sf->text, sf->len) != HM_OK)
                    longjmp(c->oom, 1);
                hm_module *nm = parse_one(c, c->files[c->nfiles - 1]);
                hm_module **v = mem_realloc(c->mods, sizeof *v * (size_t)(c->nmods + 1));
                if (!v)
                    longjmp(c->oom, 1);
                c->mods = v;
                c->mods[c->nmods++] = nm;
                m = c->mods[i];
                u = nm;
            }
            if (!u) {
                char path[PATH_MAX + 300];
                int found = locate_module(c, d->str, m->file, path, sizeof path);
                if (!found && (found = manifest_locate(c, d->str, m->file, d->loc, path, sizeof path)) < 0)
                    continue;
                if (found) {
                    int already = 0;
                    for (int k = 0; k < c->nfiles; k++)
                        if (strcmp(c->files[k]->path, path) == 0)
                            already = 1;
                    if (!already && load_file(c, path) == HM_OK) {
                        hm_srcfile *f = c->files[c->nfiles - 1];
                        hm_module *nm = parse_one(c, f);
                        hm_module **v = mem_realloc(c->mods, sizeof *v * (size_t)(c->nmods + 1));
                        if (!v)
                            longjmp(c->oom, 1);
                        c->mods = v;
                        c->mods[c->nmods++] = nm;
                        m = c->mods[i];
                        u = strcmp(nm->name, d->str) == 0 ? nm : NULL;
                        if (!u) {
                            int e = diag_error(&c->diags, m->file, d->loc, "`%s` declares module `%s`, not `%s`",
                                               path, nm->name, d->str);
                            (void)e;
                            continue;
                        }
                    }
                }
            }
            if (!u) {
                int e = diag_error(&c->diags, m->file, d->loc, "module `%s` not found", d->str);
                diag_hint(&c->diags, e, "check it with the other files (huimin check DIR), "
                                         "put %s.pol beside this file, or name its folder in the pack's huimin.pack",
                          strrchr(d->str, '.') ? strrchr(d->str, '.') + 1 : d->str);
                continue;
            }
            if (u == m) {
                diag_error(&c->diags, m->file, d->loc, "a module cannot use itself");
                continue;
            }
            int dup = 0;
            for (int k = 0; k < m->nuses; k++)
                dup |= m->uses[k] == u;
            if (dup) {
                diag_warning(&c->diags, m->file, d->loc, "module `%s` is used twice", d->str);
                continue;
            }
            m->uses[m->nuses++] = u;
        }
    }
}


/* ---- reforms ------------------------------------------------------------
 * A `reform` amends modules of a base pack without editing them.  Before
 * the modules' uses are resolved, each `reform` declaration is replaced in
 * its module by a `use` of each module it amends and by the declarations of
 * its own; after, each amendment is applied to the syntax tree of the
 * module it amends, so that the checker checks the amended text as one
 * program and every diagnostic points into the file that wrote it. */

static void open_reforms(hm_compiler *c)
{
    for (int i = 0; i < c->nmods; i++) {
        hm_module *m = c->mods[i];
        ast *head = NULL;
        for (ast *d = m->root, *next; d; d = next) {
            next = d->next;
            d->next = NULL;
            d->last = NULL;
            if (d->kind != N_REFORM) {
                head = ast_append(head, d);
                continue;
            }
            /* the what-ifs (--set) amend a reformed pack after its reform */
            int whatif = c->amend_file && m->file == c->files[c->amend_file - 1];
            if (c->reform && whatif && !c->whatif) {
                c->whatif = d;
                for (ast *it = d->b, *itn; it; it = itn) {
                    itn = it->next;
                    it->next = it->last = NULL;
                    if (it->kind != N_AMEND)
                        head = ast_append(head, it);
                    else
                        d->c = ast_append(d->c, it);
                }
                d->b = NULL;
                continue;
            }
            if (c->reform) {
                int e = diag_error(&c->diags, m->file, d->loc, "only one reform can be applied at a time");
                diag_note(&c->diags, e, c->mods[c->reform->file]->file, c->reform->loc, "the other reform is here");
                continue;
            }
            c->reform = d;
            for (ast *u = d->a; u; u = u->next) {
                ast *copy = arena_alloc(&c->arena, sizeof *copy);
                *copy = *u;
                copy->next = copy->last = NULL;
                head = ast_append(head, copy);
            }
            for (ast *it = d->b, *itn; it; it = itn) {
                itn = it->next;
                it->next = it->last = NULL;
                if (it->kind != N_AMEND)
                    head = ast_append(head, it);
                else
                    d->c = ast_append(d->c, it);
            }
            d->b = NULL;
        }
        m->root = head;
    }
}

/* The declaration of `name` (a parameter or a policy) in the modules the
 * reform amends, or NULL (said why). */
static ast *amended_decl(hm_compiler *c, ast *r, ast *am, ast_kind kind, hm_module **mod)
{
    hm_srcfile *rf = c->mods[am->file]->file;
    ast *found = NULL;
    hm_module *fm = NULL;
    int missing = 0;
    ast *u = r->a;
    for (int i = 0; r->a ? u != NULL : i < c->nmods; i++, u = u ? u->next : NULL) {
        hm_module *m = r->a ? find_module(c, u->str) : c->mods[i] != c->mods[r->file] ? c->mods[i] : NULL;
        if (!m) {
            missing |= r->a != NULL;    /* said by the `use` made of it */
            continue;
        }
        for (ast *d = m->root; d; d = d->next)
            if (d->kind == kind && d->str && strcmp(d->str, am->str) == 0) {
                if (found) {
                    int e = diag_error(&c->diags, rf, am->loc, "`%s` is ambiguous: both `%s` and `%s` declare it",
                                       am->str, fm->name, m->name);
                    diag_hint(&c->diags, e, "amend one of them in a reform of that module alone");
                    return NULL;
                }
                found = d;
                fm = m;
            }
    }
    *mod = fm;
    if (!found && !missing) {
        int e = !r->a && kind == N_PARAM
            ? diag_error(&c->diags, rf, am->loc, "no module declares parameter `%s`", am->str)
            : !r->a ? diag_error(&c->diags, rf, am->loc, "no module declares policy `%s`", am->str)
            : kind == N_PARAM
            ? diag_error(&c->diags, rf, am->loc, "the reform amends parameter `%s`, but no amended module declares it",
                         am->str)
            : diag_error(&c->diags, rf, am->loc, "the reform amends policy `%s`, but no amended module declares it",
                         am->str);
        if (kind == N_PARAM)
            diag_hint(&c->diags, e, "a new parameter is declared with its type: `parameter %s : TYPE = VALUE`",
                      am->str);
        else
            diag_hint(&c->diags, e, "a new policy is declared whole: `policy %s \"…\" for household { … }`; "
                                     "or name its module after `amends`", am->str);
    }
    return found;
}

static void amend_param(hm_compiler *c, ast *p, ast *am)
{
    hm_srcfile *rf = c->mods[am->file]->file;
    if (p->ival == PARAM_TABLE) {
        int e = diag_error(&c->diags, rf, am->loc, "parameter `%s` is a table; a reform cannot give it new values "
                           "from a date", am->str);
        diag_hint(&c->diags, e, "replace the let or the rule that reads it: `policy P replace let X = %s * 105%%`",
                  am->str);
        return;
    }
    if (am->ival == 3) {
        /* one value for every date */
        p->c = am->a;
        p->ival = PARAM_SIMPLE;
        return;
    }
    const char *first = am->a && am->a->a ? am->a->a->str : NULL;
    ast *kept = NULL;
    for (ast *v = p->c, *vn; v; v = vn) {
        vn = v->next;
        v->next = v->last = NULL;
        /* a base value dated on or after the reform's first date gives way */
        if (v->a && first && strcmp(v->a->str, first) >= 0)
            continue;
        if (!v->a)
            v->ival = 1;
        kept = ast_append(kept, v);
    }
    p->c = ast_append(kept, am->a);
    p->ival = PARAM_DATED;
}

static void amend_policy(hm_compiler *c, ast *p, ast *am)
{
    hm_srcfile *rf = c->mods[am->file]->file;
    ast *n = am->a;
    if (n->kind != N_LET && n->kind != N_ELIGIBLE && n->kind != N_AMOUNT) {
        int e = diag_error(&c->diags, rf, n->loc, "a reform replaces a policy's `eligible when`, `amount` or a `let`");
        diag_hint(&c->diags, e, "write `policy %s replace eligible when …`, `… replace amount …` "
                                 "or `… replace let NAME = …`", am->str);
        return;
    }
    ast **link = &p->a;
    for (; *link; link = &(*link)->next) {
        ast *it = *link;
        if (it->kind == n->kind && (n->kind != N_LET || strcmp(it->str, n->str) == 0))
            break;
    }
    if (!*link) {
        int e = n->kind == N_LET
            ? diag_error(&c->diags, rf, n->loc, "policy `%s` has no let `%s` to replace", am->str, n->str)
            : diag_error(&c->diags, rf, n->loc, "policy `%s` has no `%s` to replace", am->str,
                         n->kind == N_AMOUNT ? "amount" : "eligible when");
        diag_note(&c->diags, e, c->mods[p->file]->file, p->loc, "the policy is here");
        return;
    }
    n->next = (*link)->next;
    *link = n;
    /* the list's head keeps its last node, for appends */
    ast *t = p->a;
    while (t->next)
        t = t->next;
    p->a->last = t;
}

static void apply_reform(hm_compiler *c, ast *r)
{
    /* the replacing rules are checked where they go, in the amended
     * modules: these see the reform's own declarations as if used */
    hm_module *rm = c->mods[r->file];
    for (ast *am = r->c; am; am = am->next) {
        hm_module *m = NULL;
        ast *d = amended_decl(c, r, am, am->ival == 2 ? N_POLICY : N_PARAM, &m);
        if (!d)
            continue;
        int seen = m == rm;
        for (int k = 0; k < m->nuses; k++)
            seen |= m->uses[k] == rm;
        if (!seen) {
            hm_module **v = arena_alloc(&c->arena, sizeof *v * (size_t)(m->nuses + 1));
            memcpy(v, m->uses, sizeof *v * (size_t)m->nuses);
            v[m->nuses++] = rm;
            m->uses = v;
        }
        if (am->ival != 2)
            amend_param(c, d, am);
        else
            amend_policy(c, d, am);
    }
}

static void apply_reforms(hm_compiler *c)
{
    if (c->reform)
        apply_reform(c, c->reform);
    if (c->whatif)
        apply_reform(c, c->whatif);
}

/* The item of the base that amendment `am` replaced, in the base compiled
 * alone (checked there), or NULL. */
static ast *base_item(hm_compiler *b, ast *r, ast *am)
{
    ast *u = r->a;
    for (int i = 0; r->a ? u != NULL : i < b->nmods; i++, u = u ? u->next : NULL) {
        hm_module *m = r->a ? find_module(b, u->str) : b->mods[i];
        for (ast *d = m ? m->root : NULL; d; d = d->next)
            if (d->kind == N_POLICY && strcmp(d->str, am->str) == 0)
                for (ast *it = d->a; it; it = it->next)
                    if (it->kind == am->a->kind && (it->kind != N_LET || strcmp(it->str, am->a->str) == 0))
                        return it;
    }
    return NULL;
}

/* Compile the base alone (the files given but the reform's): its module's
 * SHA-256 is recorded in the reformed program, and each replaced let and
 * amount must have the type (and the period) of the one it replaces. */
static void reform_base(hm_compiler *c, int nfiles)
{
    ast *r = c->reform;
    hm_srcfile *rf = c->mods[r->file]->file;
    hm_compiler *b = hm_compiler_new();
    if (!b)
        longjmp(c->oom, 1);
    int rc = HM_OK;
    for (int i = 0; i < nfiles && rc == HM_OK; i++)
        if (c->files[i] != rf && i != c->facts_file && i + 1 != c->amend_file)
            rc = hm_compiler_add_source(b, c->files[i]->path, c->files[i]->text, c->files[i]->len);
    unsigned char *buf = NULL;
    size_t len = 0;
    if (rc == HM_OK)
        rc = compiler_module(b, &buf, &len);
    if (rc == HM_ENOMEM) {
        hm_compiler_free(b);
        longjmp(c->oom, 1);
    }
    if (rc != HM_OK) {
        int e = diag_error(&c->diags, rf, r->loc, "the base pack has %d errors without the reform",
                           hm_compiler_error_count(b));
        diag_hint(&c->diags, e, "check the base alone first: huimin check BASE");
        hm_compiler_free(b);
        return;
    }
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, buf);
    sha256_digest(&ctx, sizeof c->base_sha256, c->base_sha256);
    c->have_base = 1;
    mem_free(buf);
    for (ast *am = r->c; am; am = am->next) {
        ast *n = am->a, *old;
        if (am->ival != 2 || (n->kind != N_LET && n->kind != N_AMOUNT) || !(old = base_item(b, r, am)))
            continue;
        const hm_type *tn = n->kind == N_LET ? (n->sym ? ((sym *)n->sym)->type : NULL) : n->ty;
        const hm_type *to = old->kind == N_LET ? (old->sym ? ((sym *)old->sym)->type : NULL) : old->ty;
        if (!tn || !to || ty_equal(tn, to) || tn->kind == T_ERROR)
            continue;
        char bn[128], bo[128];
        ty_name(tn, bn, sizeof bn);
        ty_name(to, bo, sizeof bo);
        int e = n->kind == N_LET
            ? diag_error(&c->diags, rf, n->loc, "the replacing let is %s, the one it replaces is %s", bn, bo)
            : diag_error(&c->diags, rf, n->loc, "the replacing amount is %s, the one it replaces is %s", bn, bo);
        /* the note points into this compilation's copy of the base's file */
        const char *path = b->mods[old->file]->file->path;
        for (int i = 0; i < c->nfiles; i++)
            if (strcmp(c->files[i]->path, path) == 0) {
                diag_note(&c->diags, e, c->files[i], old->loc, "the base's is here");
                break;
            }
        diag_hint(&c->diags, e, tn->kind == T_MONEY && to->kind == T_MONEY
                                    ? "convert it, e.g. with monthly(…) or yearly(…), so that totals keep their period"
                                    : "a reform keeps the types of what it replaces");
    }
    hm_compiler_free(b);
}

int hm_compiler_check(hm_compiler *c)
{
    if (!c)
        return HM_EUSAGE;
    if (c->out_of_memory)
        return HM_ENOMEM;
    if (c->checked)
        return c->diags.errors ? HM_ERR : HM_OK;
    c->checked = 1;
    if (setjmp(c->oom)) {
        c->arena.oom = NULL;
        c->out_of_memory = 1;
        return HM_ENOMEM;
    }
    c->arena.oom = &c->oom;
    c->mods = mem_calloc((size_t)c->nfiles + 1, sizeof *c->mods);
    if (!c->mods)
        longjmp(c->oom, 1);
    int n = c->nfiles;
    for (int i = 0; i < n; i++)
        c->mods[c->nmods++] = parse_one(c, c->files[i]);
    /* two files declaring one module */
    for (int i = 0; i < c->nmods; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(c->mods[i]->name, c->mods[j]->name) == 0) {
                ast *d = c->mods[i]->root && c->mods[i]->root->kind == N_MODULE ? c->mods[i]->root : NULL;
                int e = diag_error(&c->diags, c->mods[i]->file, d ? d->loc : (hm_span){ 0, 0 },
                                   "module `%s` is also declared by %s", c->mods[i]->name, c->mods[j]->file->path);
                (void)e;
                c->mods[i]->name = arena_printf(&c->arena, "%s#%d", c->mods[i]->name, i);
                break;
            }
    open_reforms(c);
    resolve_uses(c);
    apply_reforms(c);
    c->sema = (sema){ .arena = &c->arena, .diags = &c->diags, .mods = c->mods, .nmods = c->nmods,
                      .syntax_errors = c->syntax_errors, .facts_file = c->facts_file };
    sema_check(&c->sema);
    if (c->reform && !c->diags.errors)
        reform_base(c, n);
    c->sema.reform = c->reform;
    c->sema.reform_base = c->have_base ? c->base_sha256 : NULL;
    c->arena.oom = NULL;
    return c->diags.errors ? HM_ERR : HM_OK;
}


/* 1 when a program encodes to these bytes, 0 when not, -1 out of memory. */
static int same_program(const hm_program *a, const unsigned char *bytes, size_t len)
{
    unsigned char *ba;
    size_t la;
    if (module_encode(a, &ba, &la))
        return -1;
    int same = la == len && memcmp(ba, bytes, la) == 0;
    mem_free(ba);
    return same;
}

/* Compile the checked modules (once).  HM_OK, HM_ERR (errors, possibly
 * found while compiling), HM_ENOMEM. */
int compiler_program(hm_compiler *c, hm_program **out, sema **s)
{
    int rc = hm_compiler_check(c);
    if (rc != HM_OK)
        return rc;
    if (!c->compiled) {
        if (setjmp(c->oom)) {
            c->arena.oom = NULL;
            prog_free(&c->prog);
            cg_map_free(&c->map);
            return HM_ENOMEM;
        }
        c->arena.oom = &c->oom;
        cg_program(&c->sema, &c->prog, &c->map);
        c->arena.oom = NULL;
        c->compiled = 1;

        /* the compiler's output must pass the same checks as a loaded file */
        char err[512];
        int vr = c->diags.errors ? 0 : verify_program(&c->prog, "(compiled)", err, sizeof err);
        if (vr == -3) {
            prog_free(&c->prog);
            cg_map_free(&c->map);
            c->compiled = 0;
            return HM_ENOMEM;
        }
        if (vr != 0)
            diag_error(&c->diags, NULL, (hm_span){ 0, 0 }, "internal error: the compiler produced %s", err);
        if (!c->diags.errors && c->pack) {
            int same = same_program(&c->prog, c->pack, c->pack_len);
            if (same < 0) {
                prog_free(&c->prog);
                cg_map_free(&c->map);
                c->compiled = 0;
                return HM_ENOMEM;
            }
            if (!same)
                diag_error(&c->diags, NULL, (hm_span){ 0, 0 },
                           "the pack's sources, compiled by this huimin (%s), do not give the pack's program: "
                           "it was compiled by another version; compile its sources again with `huimin compile`",
                           hm_version());
        }
    }
    if (c->diags.errors)
        return HM_ERR;
    *out = &c->prog;
    *s = &c->sema;
    return HM_OK;
}

int hm_compiler_error_count(const hm_compiler *c) { return c ? c->diags.errors : 0; }
int hm_compiler_warning_count(const hm_compiler *c) { return c ? c->diags.warnings : 0; }

void hm_compiler_print_diagnostics(hm_compiler *c, FILE *out)
{
    if (c)
        diag_print(&c->diags, out);
}

json_t *compiler_diagnostics_json(hm_compiler *c)
{
    json_t *o = json_object(), *list = diag_json(&c->diags);
    if (!o || !list || json_object_set_new(o, "diagnostics", list) ||
        json_object_set_new(o, "errors", json_integer(c->diags.errors)) ||
        json_object_set_new(o, "warnings", json_integer(c->diags.warnings))) {
        json_decref(o);
        if (!o)
            json_decref(list);
        return NULL;
    }
    return o;
}

int hm_compiler_print_diagnostics_json(hm_compiler *c, FILE *out)
{
    json_t *o = c ? compiler_diagnostics_json(c) : NULL;
    if (!o)
        return HM_ENOMEM;
    int bad = json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', out) == EOF || fflush(out);
    int rc = bad ? HM_EIO : HM_OK;
    json_decref(o);
    return rc;
}

void hm_compiler_dump_ast(hm_compiler *c, FILE *out)
{
    if (!c)
        return;
    for (int i = 0; i < c->nmods; i++) {
        if (c->nmods > 1)
            fprintf(out, "# %s\n", c->mods[i]->file->path);
        ast_dump(c->mods[i]->root, out);
    }
}

int hm_compiler_disasm(hm_compiler *c, FILE *out)
{
    hm_program *p;
    sema *s;
    int rc = compiler_program(c, &p, &s);
    if (rc != HM_OK)
        return rc;
    disasm_program(p, out);
    return HM_OK;
}

int hm_compiler_write(hm_compiler *c, const char *path)
{
    hm_program *p;
    sema *s;
    int rc = compiler_program(c, &p, &s);
    if (rc != HM_OK)
        return rc;
    char err[512];
    if (module_write(p, path, err, sizeof err) != 0) {
        diag_error(&c->diags, NULL, (hm_span){ 0, 0 }, "%s", err);
        return HM_EIO;
    }
    return HM_OK;
}

const cg_map *compiler_map(hm_compiler *c) { return &c->map; }
void hm_compiler_set_explain_deep(hm_compiler *c, int deep) { c->explain_deep = deep != 0; }
int compiler_explain_deep(const hm_compiler *c) { return c->explain_deep; }

int hm_compiler_add_pack(hm_compiler *c, const hm_pack *k)
{
    if (!c || !k || c->pack || c->nfiles)
        return HM_EUSAGE;
    const hm_program *p = pack_program(k);
    if (p->nsrcfiles == 0) {
        diag_error(&c->diags, NULL, (hm_span){ 0, 0 },
                   "the pack holds no policy sources: compile it again with `huimin compile`");
        return HM_ERR;
    }
    for (int32_t i = 0; i < p->nsrcfiles; i++) {
        const hm_srcrec *r = &p->srcfiles[i];
        int rc = hm_compiler_add_source(c, prog_str(p, r->path), p->srctext + r->off, r->len);
        if (rc != HM_OK)
            return rc;
    }
    if (module_encode(p, &c->pack, &c->pack_len))
        return HM_ENOMEM;
    return HM_OK;
}

int compiler_given_program(hm_compiler *c, const hm_program *p, sema **s, char *err, size_t errlen)
{
    hm_program *prog;
    int rc = compiler_program(c, &prog, s);
    if (rc == HM_ENOMEM) {
        snprintf(err, errlen, "out of memory");
        return HM_ENOMEM;
    }
    if (rc != HM_OK) {
        snprintf(err, errlen, "hm_household_add_given_tables: the compiler's policy files have errors");
        return HM_EUSAGE;
    }
    /* its files must be those of the household's pack: compared once per
     * program (encoding a program costs more than a household) */
    if (c->given_for != p) {
        unsigned char *mine = c->pack;
        size_t len = c->pack_len;
        if (!mine && module_encode(prog, &mine, &len)) {
            snprintf(err, errlen, "out of memory");
            return HM_ENOMEM;
        }
        int same = same_program(p, mine, len);
        if (mine != c->pack)
            mem_free(mine);
        if (same < 0) {
            snprintf(err, errlen, "out of memory");
            return HM_ENOMEM;
        }
        if (!same) {
            snprintf(err, errlen, "hm_household_add_given_tables: the compiler's policy files are not those of "
                     "the household's pack");
            return HM_EUSAGE;
        }
        c->given_for = p;
    }
    return HM_OK;
}

int compiler_add_amendment(hm_compiler *c, const char *name, const char *text, size_t len)
{
    /* the pack amended is not the pack: do not hold it to the pack's bytes */
    mem_free(c->pack);
    c->pack = NULL;
    c->pack_len = 0;
    int rc = hm_compiler_add_source(c, name, text, len);
    if (rc == HM_OK)
        c->amend_file = c->nfiles;
    return rc;
}

int compiler_errors_in(hm_compiler *c, const char *name)
{
    for (int i = 0; i < c->diags.n; i++)
        if (c->diags.v[i].sev == DIAG_ERROR && c->diags.v[i].file && strcmp(c->diags.v[i].file->path, name) == 0)
            return 1;
    return 0;
}

int compiler_module(hm_compiler *c, unsigned char **buf, size_t *len)
{
    hm_program *p;
    sema *s;
    int rc = compiler_program(c, &p, &s);
    if (rc != HM_OK)
        return rc;
    return module_encode(p, buf, len) ? HM_ENOMEM : HM_OK;
}

int hm_compiler_pack(hm_compiler *c, hm_pack **out)
{
    *out = NULL;
    /* through the file format, so the pack is exactly what `compile`
     * would write and its hash what a run of that file records */
    unsigned char *buf;
    size_t len;
    int rc = compiler_module(c, &buf, &len);
    if (rc != HM_OK)
        return rc;
    char err[512];
    rc = pack_load_named(buf, len, "(compiled)", out, err, sizeof err);
    mem_free(buf);
    if (rc == HM_ECORRUPT) {
        diag_error(&c->diags, NULL, (hm_span){ 0, 0 }, "internal error: the compiler produced %s", err);
        return HM_ERR;
    }
    return rc;
}

int hm_compiler_add_facts_file(hm_compiler *c, const char *path)
{
    if (!c || !path)
        return HM_EUSAGE;
    int rc = load_file(c, path);
    if (rc == HM_OK)
        c->facts_file = c->nfiles - 1;
    return rc;
}

/* The declarations of the facts file (its `given table` rows among them), or NULL. */
ast *compiler_facts_root(hm_compiler *c)
{
    if (c->facts_file < 0 || !c->mods)
        return NULL;
    for (int i = 0; i < c->nmods; i++)
        if (c->mods[i]->file->index == c->facts_file)
            return c->mods[i]->root;
    return NULL;
}

/* The top-level `given` of the facts file, or NULL. */
ast *compiler_given(hm_compiler *c)
{
    if (c->facts_file < 0 || !c->mods)
        return NULL;
    for (int i = 0; i < c->nmods; i++)
        if (c->mods[i]->file->index == c->facts_file)
            for (ast *n = c->mods[i]->root; n; n = n->next)
                if (n->kind == N_GIVEN)
                    return n;
    return NULL;
}
