/* packs.c -- huimin.packs: huimin.load_pack verifies a pack before storing
 * it; every backend loads a stored pack once, keeps it (with one evaluator)
 * while its row's hash stays the same, and loads it again when it changed. */
#include "hmpg.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

typedef struct cached_pack {
    struct cached_pack *next;
    char *name, *hash;          /* in TopMemoryContext */
    hm_pack *pack;              /* libhuimin's (malloc) */
    hm_evaluator *evaluator;    /* made on first use */
} cached_pack;

static cached_pack *cache;

static cached_pack *find(const char *name)
{
    for (cached_pack *c = cache; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* Keep pack k (taken) as `name`, replacing what was kept under it. */
static cached_pack *keep(const char *name, hm_pack *k)
{
    cached_pack *c = find(name);
    if (!c) {
        c = MemoryContextAllocZero(TopMemoryContext, sizeof *c);
        c->name = MemoryContextStrdup(TopMemoryContext, name);
        c->next = cache;
        cache = c;
    } else {
        if (c->evaluator)
            hm_evaluator_free(c->evaluator);
        c->evaluator = NULL;
        if (c->pack)
            hm_pack_free(c->pack);
        pfree(c->hash);
    }
    c->pack = k;
    c->hash = MemoryContextStrdup(TopMemoryContext, hm_pack_hash(k));
    return c;
}

static void forget(cached_pack *c)
{
    if (c->evaluator)
        hm_evaluator_free(c->evaluator);
    if (c->pack)
        hm_pack_free(c->pack);
    c->evaluator = NULL;
    c->pack = NULL;
    c->hash[0] = '\0';
}

const hm_pack *hmpg_pack(const char *name, const char **hash)
{
    Datum name_datum = CStringGetTextDatum(name);
    cached_pack *c = find(name);
    SPI_connect();
    if (SPI_execute_with_args("SELECT hash, CASE WHEN hash IS DISTINCT FROM $2 THEN bytes END "
                              "FROM huimin.packs WHERE name = $1",
                              2, (Oid[]){ TEXTOID, TEXTOID },
                              (Datum[]){ name_datum, CStringGetTextDatum(c && c->pack ? c->hash : "") },
                              NULL, true, 1) != SPI_OK_SELECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("huimin: cannot read huimin.packs")));
    if (SPI_processed == 0)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("no pack named \"%s\"", name),
                        errhint("Load it with huimin.load_pack(name, bytes).")));
    bool isnull;
    Datum bytes = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
    if (!isnull) {
        /* new to this backend, or replaced since it was loaded */
        char *row_hash = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
                                                           &isnull));
        bytea *b = DatumGetByteaPP(bytes);
        hm_pack *k = NULL;
        char err[512] = "";
        int rc = hm_pack_load_mem(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &k, err, sizeof err);
        if (rc != HM_OK) {
            if (c)
                forget(c);
            ereport(ERROR, (errcode(rc == HM_ENOMEM ? ERRCODE_OUT_OF_MEMORY : ERRCODE_DATA_CORRUPTED),
                            errmsg("pack \"%s\" in huimin.packs fails verification: %s", name, err)));
        }
        if (strcmp(hm_pack_hash(k), row_hash) != 0) {
            char got[80];
            strlcpy(got, hm_pack_hash(k), sizeof got);
            hm_pack_free(k);
            if (c)
                forget(c);
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("pack \"%s\" in huimin.packs: its bytes hash to %s, its row says %s", name,
                                   got, row_hash)));
        }
        c = keep(name, k);
    }
    SPI_finish();
    if (hash)
        *hash = c->hash;
    return c->pack;
}

hm_evaluator *hmpg_evaluator(const char *name)
{
    hmpg_pack(name, NULL);
    cached_pack *c = find(name);
    if (!c->evaluator && !(c->evaluator = hm_evaluator_new(c->pack)))
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
    return c->evaluator;
}

PG_FUNCTION_INFO_V1(huimin_load_pack);

/* huimin.load_pack(name, bytes): verify, then store (or replace) */
Datum huimin_load_pack(PG_FUNCTION_ARGS)
{
    char *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
    bytea *b = PG_GETARG_BYTEA_PP(1);
    hm_pack *k = NULL;
    char err[512] = "";
    if (name[0] == '\0')
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("a pack's name must not be empty")));
    int rc = hm_pack_load_mem(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &k, err, sizeof err);
    if (rc != HM_OK)
        ereport(ERROR, (errcode(rc == HM_ENOMEM ? ERRCODE_OUT_OF_MEMORY : ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("%s", err[0] ? err : hm_status_string(rc))));
    char *hash = pstrdup(hm_pack_hash(k));
    int policies = hm_pack_policy_count(k);
    int sr = 0;
    PG_TRY();
    {
    SPI_connect();
    sr = SPI_execute_with_args("INSERT INTO huimin.packs(name, hash, bytes, policies) VALUES ($1, $2, $3, $4) "
                                   "ON CONFLICT (name) DO UPDATE SET hash = EXCLUDED.hash, bytes = EXCLUDED.bytes, "
                                   "policies = EXCLUDED.policies, loaded_at = now()",
                                   4, (Oid[]){ TEXTOID, TEXTOID, BYTEAOID, INT4OID },
                                   (Datum[]){ CStringGetTextDatum(name), CStringGetTextDatum(hash),
                                              PointerGetDatum(b), Int32GetDatum(policies) },
                                   NULL, false, 0);
    SPI_finish();
    }
    PG_CATCH();
    {
        hm_pack_free(k);    /* libhuimin's memory: never left behind */
        PG_RE_THROW();
    }
    PG_END_TRY();
    if (sr != SPI_OK_INSERT) {
        hm_pack_free(k);
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("huimin: cannot store the pack")));
    }
    /* verified just now: this backend need not load it again */
    keep(name, k);
    PG_RETURN_TEXT_P(cstring_to_text(hash));
}
