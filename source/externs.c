/* externs.c -- extern functions: found with dlsym in the plugin that
 * declares them, checked against the policies' declaration, and called
 * through libffi with a call interface prepared once here, not per call. */
#include "plugin.h"
#include "mem.h"

#include <dlfcn.h>
#include <ffi.h>
#include <stdio.h>
#include <string.h>

typedef struct binding {
    ffi_cif cif;
    ffi_type *atypes[HM_EXTERN_MAX_PARAMS + 1];
    void (*fn)(void);
    const hm_extern *x;
    const char *plugin;     /* the file that provides it, for messages */
} binding;

struct hm_ffi_bindings {
    binding *b;
    vm_extern *vx;
    int n;
};

static ffi_type *c_type(int t)
{
    switch (t) {
    case HM_T_BOOL: return &ffi_type_sint;
    case HM_T_DATE: return &ffi_type_sint32;
    case HM_T_TEXT: return &ffi_type_pointer;
    default: return &ffi_type_sint64;    /* int, money, decimal */
    }
}

/* Called by the VM (from any thread): arguments converted to their C
 * types on the stack, then one ffi_call. */
static int call_extern(void *ctx, const int64_t *args, const char *const *texts, int64_t *result)
{
    binding *b = ctx;
    const hm_extern *x = b->x;
    union { int i; int32_t d; int64_t l; const char *s; } val[HM_EXTERN_MAX_PARAMS];
    void *argp[HM_EXTERN_MAX_PARAMS + 1];
    for (int k = 0; k < x->nparams; k++) {
        switch (x->params[k]) {
        case HM_T_BOOL: val[k].i = args[k] != 0; break;
        case HM_T_DATE: val[k].d = (int32_t)args[k]; break;
        case HM_T_TEXT: val[k].s = texts[k]; break;
        default: val[k].l = args[k]; break;
        }
        argp[k] = &val[k];
    }
    union { int i; int32_t d; int64_t l; } out = { .l = 0 };
    void *outp = &out;
    argp[x->nparams] = &outp;
    ffi_arg rc = 0;
    ffi_call(&b->cif, b->fn, &rc, argp);
    int status = (int)(ffi_sarg)rc;
    if (status != HM_EXTERN_KNOWN)
        return status == HM_EXTERN_UNKNOWN ? 1 : -1;
    *result = x->result == HM_T_BOOL ? out.i != 0 : x->result == HM_T_DATE ? out.d : out.l;
    return 0;
}

static void sig_text(const char *name, int nparams, const uint8_t *params, int result, char *buf, size_t n)
{
    static const char *tn[] = { "?", "bool", "int", "money", "decimal", "date", "text", "code", "duration" };
    size_t at = (size_t)snprintf(buf, n, "%s(", name);
    for (int k = 0; k < nparams && at < n; k++)
        at += (size_t)snprintf(buf + at, n - at, "%s%s", k ? ", " : "", params[k] <= 8 ? tn[params[k]] : "?");
    if (at < n)
        snprintf(buf + at, n - at, ") : %s", result <= 8 ? tn[result] : "?");
}

hm_ffi_bindings *externs_bind(const hm_program *p, hm_plugin *plugins, char *const *sources,
                              int nplugins, const vm_extern **out, char *err, size_t n)
{
    hm_ffi_bindings *B = mem_calloc(1, sizeof *B);
    if (!B || !(B->b = mem_calloc((size_t)p->nexterns + 1, sizeof *B->b)) ||
        !(B->vx = mem_calloc((size_t)p->nexterns + 1, sizeof *B->vx))) {
        externs_free(B);
        snprintf(err, n, "out of memory");
        return NULL;
    }
    B->n = p->nexterns;
    for (int32_t i = 0; i < p->nexterns; i++) {
        const hm_extern *x = &p->externs[i];
        const char *name = prog_str(p, x->name);
        const char *want_src = x->source >= 0 ? prog_str(p, x->source) : NULL;
        const hm_extern_desc *d = NULL;
        hm_plugin *pl = NULL;
        for (int k = 0; k < nplugins && !d; k++) {
            if (want_src && strcmp(sources[k], want_src) != 0)
                continue;
            for (uint32_t j = 0; plugins[k].desc && j < plugins[k].desc->nexterns; j++)
                if (strcmp(plugins[k].desc->externs[j].name, name) == 0) {
                    d = &plugins[k].desc->externs[j];
                    pl = &plugins[k];
                    break;
                }
        }
        char want[256], have[256];
        sig_text(name, x->nparams, x->params, x->result, want, sizeof want);
        if (!d) {
            if (want_src && nplugins) {
                int configured = 0;
                for (int k = 0; k < nplugins; k++)
                    configured |= strcmp(sources[k], want_src) == 0;
                if (!configured)
                    continue;   /* the source is not configured: the extern stays unknown */
            }
            snprintf(err, n, "extern function %s: %s", want,
                     want_src ? "the plugin serving its source does not provide it"
                              : "no configured plugin provides it");
            externs_free(B);
            return NULL;
        }
        sig_text(name, d->nparams, d->params, d->result, have, sizeof have);
        if (d->nparams != x->nparams || d->result != x->result ||
            memcmp(d->params, x->params, x->nparams) != 0) {
            snprintf(err, n, "extern function %s: the policies declare %s but plugin %s provides %s",
                     name, want, pl->path, have);
            externs_free(B);
            return NULL;
        }
        if (pl->registered) {
            /* its functions are the program's, with no object to look them up in */
            snprintf(err, n, "extern function %s: plugin %s is part of this program (registered), which "
                     "cannot provide extern functions", name, pl->path);
            externs_free(B);
            return NULL;
        }
        if (!pl->dl) {
            /* dlsym(NULL, …) would look in huimin itself */
            snprintf(err, n, "extern function %s: plugin %s runs in a process of its own (isolate = process), "
                     "and extern functions are called in huimin's: remove `isolate` from [source %s]",
                     name, pl->path, sources[pl - plugins]);
            externs_free(B);
            return NULL;
        }
        binding *b = &B->b[i];
        dlerror();
        void *sym = dlsym(pl->dl, d->symbol);
        if (!sym) {
            snprintf(err, n, "extern function %s: plugin %s does not export %s()", name, pl->path, d->symbol);
            externs_free(B);
            return NULL;
        }
        memcpy(&b->fn, &sym, sizeof b->fn);
        b->x = x;
        b->plugin = pl->path;
        for (int k = 0; k < x->nparams; k++)
            b->atypes[k] = c_type(x->params[k]);
        b->atypes[x->nparams] = &ffi_type_pointer;
        if (ffi_prep_cif(&b->cif, FFI_DEFAULT_ABI, (unsigned)x->nparams + 1, &ffi_type_sint,
                         b->atypes) != FFI_OK) {
            snprintf(err, n, "extern function %s: libffi cannot prepare the call", name);
            externs_free(B);
            return NULL;
        }
        B->vx[i] = (vm_extern){ call_extern, b };
    }
    *out = B->vx;
    return B;
}

const char *externs_plugin(const hm_ffi_bindings *B, int32_t i)
{
    return B && i >= 0 && i < B->n ? B->b[i].plugin : NULL;
}

void externs_free(hm_ffi_bindings *b)
{
    if (!b)
        return;
    mem_free(b->b);
    mem_free(b->vx);
    mem_free(b);
}
