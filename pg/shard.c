/* shard.c -- huimin.shard_of: the node of a household, FNV-1a 64-bit of its
 * id's bytes (UTF-8, the database's encoding) modulo the node count, as the
 * loader and the coordinators compute it. */
#include "hmpg.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(huimin_shard_of);

Datum huimin_shard_of(PG_FUNCTION_ARGS)
{
    text *id = PG_GETARG_TEXT_PP(0);
    int32 nodes = PG_GETARG_INT32(1);
    if (nodes < 1)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("nodes must be at least 1, not %d", nodes)));
    const unsigned char *p = (const unsigned char *)VARDATA_ANY(id);
    size_t n = VARSIZE_ANY_EXHDR(id);
    uint64 h = UINT64CONST(14695981039346656037);
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64CONST(1099511628211);
    }
    PG_RETURN_INT32((int32)(h % (uint64)nodes));
}
