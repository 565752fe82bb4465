/* pack.c -- loading compiled packs (.hmc files): the container is read
 * (module.c), every index and instruction verified (verify.c), and the
 * bytes hashed, so a run can record exactly which pack decided. */
#include "pack.h"
#include "disasm.h"
#include "mem.h"
#include "module.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void set_hash(hm_pack *k, const void *data, size_t len)
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof k->sha256, k->sha256);
    char *o = k->hash + sprintf(k->hash, "sha256:");
    for (size_t i = 0; i < sizeof k->sha256; i++)
        o += sprintf(o, "%02x", k->sha256[i]);
}

int hm_pack_load_mem(const void *data, size_t len, hm_pack **out, char *err, size_t errlen)
{
    return pack_load_named(data, len, "(memory)", out, err, errlen);
}

int pack_load_named(const void *data, size_t len, const char *name, hm_pack **out, char *err, size_t errlen)
{
    *out = NULL;
    hm_pack *k = mem_calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "%s: out of memory", name);
        return HM_ENOMEM;
    }
    int rc = module_read_mem(data, len, name, &k->prog, err, errlen);
    if (rc == 0)
        rc = verify_program(&k->prog, name, err, errlen);
    if (rc != 0) {
        prog_free(&k->prog);
        mem_free(k);
        return rc == -3 ? HM_ENOMEM : HM_ECORRUPT;
    }
    set_hash(k, data, len);
    *out = k;
    return HM_OK;
}

int hm_pack_load(const char *path, hm_pack **out, char *err, size_t errlen)
{
    *out = NULL;
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = module_slurp(path, &buf, &len, err, errlen);
    if (rc != 0)
        return rc == -3 ? HM_ENOMEM : HM_EIO;
    rc = pack_load_named(buf, len, path, out, err, errlen);
    mem_free(buf);
    return rc;
}

void hm_pack_free(hm_pack *k)
{
    if (!k)
        return;
    prog_free(&k->prog);
    mem_free(k);
}

const char *hm_pack_hash(const hm_pack *k) { return k ? k->hash : ""; }

void hm_pack_disasm(const hm_pack *k, FILE *out) { disasm_program(&k->prog, out); }
