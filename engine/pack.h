/* pack.h -- a compiled policy pack (hm_pack, huimin.h) as the rest of the
 * runtime sees it: the verified program, and the SHA-256 of its bytes. */
#ifndef HM_PACK_H
#define HM_PACK_H

#include "huimin.h"
#include "bytecode.h"

struct hm_pack {
    hm_program prog;            /* verified; never changed after loading */
    unsigned char sha256[32];   /* of the .hmc bytes */
    char hash[72];              /* "sha256:" and the hex digits */
};

/* Load a pack from bytes, naming it `name` in messages (hm_pack_load_mem). */
int pack_load_named(const void *data, size_t len, const char *name, hm_pack **out, char *err,
                    size_t errlen);

/* The pack's program (borrowed, immutable). */
static inline const hm_program *pack_program(const hm_pack *k) { return &k->prog; }

#endif
