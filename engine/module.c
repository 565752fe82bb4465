/* module.c -- the .hmc file: writing a program and reading one back.
 *
 * Layout (all integers little-endian; see docs/bytecode.md):
 *
 *   header (64 bytes)
 *     0   magic "\x7fHMC\r\n\x1a\n"   (also catches text-mode and line-ending damage)
 *     8   u16 format major, u16 format minor
 *     12  u32 header size (64)
 *     16  i64 sample integer -0x5678  (width and byte order)
 *     24  i64 sample fen 123456789
 *     32  u64 file size
 *     40  u32 number of sections
 *     44  u32 CRC-32 (zlib) of everything after the header
 *     48  16 bytes reserved, zero
 *   section table: per section u32 id, u32 element count, u64 offset, u64 size
 *   sections: arrays of fixed-layout records
 *
 * Reading checks the header, the size, the checksum and that every section
 * lies inside the file and has the size its count implies; the verifier
 * (verify.c) then checks every index and every instruction before the
 * program may run.  Every error reads "FILE: bad bytecode (WHY)". */
#include "module.h"
#include "mem.h"
#include "huimin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const unsigned char MAGIC[8] = { 0x7f, 'H', 'M', 'C', '\r', '\n', 0x1a, '\n' };
#define HEADER_SIZE 64
#define SAMPLE_INT (-0x5678)
#define SAMPLE_FEN 123456789

/* The record layouts are part of the format: a change to any of these
 * structs must come with a new format version. */
_Static_assert(sizeof(hm_field) == 28, "hm_field layout is part of the .hmc format");
_Static_assert(sizeof(hm_codeset) == 24, "hm_codeset layout is part of the .hmc format");
_Static_assert(sizeof(hm_codemap) == 12, "hm_codemap layout is part of the .hmc format");
_Static_assert(sizeof(hm_fsource) == 16, "hm_fsource layout is part of the .hmc format");
_Static_assert(sizeof(hm_extern) == 24, "hm_extern layout is part of the .hmc format");
_Static_assert(sizeof(hm_dated) == 16, "hm_dated layout is part of the .hmc format");
_Static_assert(sizeof(hm_pentry) == 32, "hm_pentry layout is part of the .hmc format");
_Static_assert(sizeof(hm_param) == 36, "hm_param layout is part of the .hmc format");
_Static_assert(sizeof(hm_scalerow) == 16, "hm_scalerow layout is part of the .hmc format");
_Static_assert(sizeof(hm_scale) == 16, "hm_scale layout is part of the .hmc format");
_Static_assert(sizeof(hm_scalever) == 16, "hm_scalever layout is part of the .hmc format");
_Static_assert(sizeof(hm_function) == 24, "hm_function layout is part of the .hmc format");
_Static_assert(sizeof(hm_condnode) == 36, "hm_condnode layout is part of the .hmc format");
_Static_assert(sizeof(hm_exception) == 40, "hm_exception layout is part of the .hmc format");
_Static_assert(sizeof(hm_let) == 24, "hm_let layout is part of the .hmc format");
_Static_assert(sizeof(hm_srcrec) == 48, "hm_srcrec layout is part of the .hmc format");
_Static_assert(sizeof(hm_policy) == 80, "hm_policy layout is part of the .hmc format");
_Static_assert(sizeof(hm_fdefault) == 16, "hm_fdefault layout is part of the .hmc format");
_Static_assert(sizeof(hm_reftab) == 24, "hm_reftab layout is part of the .hmc format");
_Static_assert(sizeof(hm_refattr) == 12, "hm_refattr layout is part of the .hmc format");
_Static_assert(sizeof(hm_refread) == 16, "hm_refread layout is part of the .hmc format");
_Static_assert(sizeof(hm_reform) == 48, "hm_reform layout is part of the .hmc format");
_Static_assert(sizeof(hm_roll) == 24, "hm_roll layout is part of the .hmc format");
_Static_assert(sizeof(hm_regions) == 12, "hm_regions layout is part of the .hmc format");

/* Section ids: the meta section, then the program's tables in the order
 * of program_tables.def, whose ids must follow on without a gap. */
enum {
    SEC_META = 1,
#define HM_TABLE(SEC, id, type, arr, count, ctype, kind, what) SEC_##SEC,
#define HM_ALONG(SEC, id, type, arr, count, what, of) SEC_##SEC,
#include "program_tables.def"
#undef HM_TABLE
#undef HM_ALONG
    SEC__COUNT
};
#define HM_TABLE(SEC, id, type, arr, count, ctype, kind, what) \
    _Static_assert(SEC_##SEC == (id), "section " #SEC " is out of its place in program_tables.def"); \
    _Static_assert(sizeof(ctype) == 4, "the count of section " #SEC " is 32 bits in the file");
#define HM_ALONG(SEC, id, type, arr, count, what, of) \
    _Static_assert(SEC_##SEC == (id), "section " #SEC " is out of its place in program_tables.def");
#include "program_tables.def"
#undef HM_TABLE
#undef HM_ALONG

typedef struct meta {
    int32_t nhcols, npcols, nrcols;
    uint32_t max_regs;
} meta;

/* a section: where its array lives in the program */
typedef struct secdesc {
    int id;
    size_t elem;
    void **ptr;
    uint32_t *count;        /* its count member (int32_t or uint32_t); NULL for meta */
    const char *what, *of;  /* a table along another: its records, the other's */
} secdesc;

static int describe(hm_program *p, secdesc *d)
{
    int n = 0;
    d[n++] = (secdesc){ SEC_META, sizeof(meta), NULL, NULL, NULL, NULL };
#define HM_TABLE(SEC, id, type, arr, count, ctype, kind, what) \
    d[n++] = (secdesc){ SEC_##SEC, sizeof(type), (void **)&p->arr, (uint32_t *)&p->count, NULL, NULL };
#define HM_ALONG(SEC, id, type, arr, count, what, of) \
    d[n++] = (secdesc){ SEC_##SEC, sizeof(type), (void **)&p->arr, (uint32_t *)&p->count, what, of };
#include "program_tables.def"
#undef HM_TABLE
#undef HM_ALONG
    return n;
}

static void put_u16(unsigned char *b, uint16_t v) { b[0] = (unsigned char)v; b[1] = (unsigned char)(v >> 8); }
static void put_u32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}
static uint16_t get_u16(const unsigned char *b) { return (uint16_t)(b[0] | (b[1] << 8)); }
static uint32_t get_u32(const unsigned char *b)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}
static uint64_t get_u64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

static size_t count_of(const secdesc *d)
{
    return d->id == SEC_META ? 1 : (size_t)*d->count;
}

int module_encode(const hm_program *prog, unsigned char **out, size_t *outlen)
{
    hm_program *p = (hm_program *)prog;     /* only read */
    meta m = { p->nhcols, p->npcols, p->nrcols, p->max_regs };
    secdesc d[SEC__COUNT];
    int n = describe(p, d);
    size_t table = (size_t)n * 24;
    size_t total = HEADER_SIZE + table;
    for (int i = 0; i < n; i++)
        total += count_of(&d[i]) * d[i].elem;
    unsigned char *buf = mem_calloc(total, 1);
    if (!buf)
        return -1;
    memcpy(buf, MAGIC, 8);
    put_u16(buf + 8, HM_BC_MAJOR);
    put_u16(buf + 10, HM_BC_MINOR);
    put_u32(buf + 12, HEADER_SIZE);
    put_u64(buf + 16, (uint64_t)(int64_t)SAMPLE_INT);
    put_u64(buf + 24, (uint64_t)SAMPLE_FEN);
    put_u64(buf + 32, total);
    put_u32(buf + 40, (uint32_t)n);
    size_t off = HEADER_SIZE + table;
    for (int i = 0; i < n; i++) {
        size_t cnt = count_of(&d[i]), size = cnt * d[i].elem;
        unsigned char *t = buf + HEADER_SIZE + (size_t)i * 24;
        put_u32(t, (uint32_t)d[i].id);
        put_u32(t + 4, (uint32_t)cnt);
        put_u64(t + 8, off);
        put_u64(t + 16, size);
        const void *src = d[i].id == SEC_META ? (const void *)&m : *d[i].ptr;
        if (size && src)
            memcpy(buf + off, src, size);
        off += size;
    }
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, buf + HEADER_SIZE, (uInt)(total - HEADER_SIZE));
    put_u32(buf + 44, (uint32_t)crc);
    *out = buf;
    *outlen = total;
    return 0;
}

static int write_all(int fd, const unsigned char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Write `len` bytes to `path` through a new temporary file in its folder,
 * renamed into place: a failure leaves no half file, and a crash or power
 * cut the old file or the new one.  mkstemp creates the temporary (never
 * an existing file or what a planted symlink points to); the file is
 * synced before the rename and the folder after it. */
static int file_replace(const char *path, const unsigned char *buf, size_t len, char *err, size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = mem_alloc(plen + 8), *dir = mem_alloc(plen + 2);
    if (!tmp || !dir) {
        mem_free(tmp);
        mem_free(dir);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    const char *slash = strrchr(path, '/');
    if (slash) {
        size_t dlen = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, dlen);
        dir[dlen] = '\0';
    } else {
        strcpy(dir, ".");
    }
    /* mkstemp makes it 0600: a module is not private, it gets the mode
     * any new file would (umask read back at once; the command is
     * single-threaded here) */
    mode_t mask = umask(0);
    umask(mask);
    int fd = mkstemp(tmp);
    int ok = fd >= 0 && fchmod(fd, 0666 & ~mask) == 0 && write_all(fd, buf, len) == 0 && fsync(fd) == 0;
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(e));
        if (fd >= 0)
            unlink(tmp);
    } else {
        /* the rename itself is durable once the folder is synced */
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ok = dfd >= 0 && fsync(dfd) == 0;
        if (!ok)
            snprintf(err, errlen, "%s: written, but its folder cannot be synced: %s", path, strerror(errno));
        if (dfd >= 0)
            close(dfd);
    }
    mem_free(tmp);
    mem_free(dir);
    return ok ? 0 : -1;
}

int module_write(const hm_program *p, const char *path, char *err, size_t errlen)
{
    unsigned char *buf;
    size_t total;
    if (module_encode(p, &buf, &total)) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    int rc = file_replace(path, buf, total, err, errlen);
    mem_free(buf);
    return rc;
}

#define BAD(...) do { snprintf(err, errlen, "%s: bad bytecode (", name); \
    size_t l_ = strlen(err); snprintf(err + l_, errlen - l_, __VA_ARGS__); \
    l_ = strlen(err); snprintf(err + l_, errlen - l_, ")"); goto fail; } while (0)

/* Policy text: UTF-8 without NUL bytes in its first kilobyte. */
static int looks_like_text(const unsigned char *buf, size_t len)
{
    size_t n = len < 1024 ? len : 1024;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (buf[i] == 0 || (buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t'))
            return 0;
    return 1;
}

int module_read_mem(const unsigned char *buf, size_t len, const char *name, hm_program *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    meta m;
    memset(&m, 0, sizeof m);
    if (looks_like_text(buf, len)) {
        snprintf(err, errlen, "%s: this is a text file, not a compiled pack: compile policy files into "
                 "a pack with `huimin compile FILES -o PACK.hmc`, or give the policy files themselves", name);
        goto fail;
    }
    if (len < HEADER_SIZE)
        BAD("truncated header: %zu bytes", len);
    if (memcmp(buf, MAGIC, 4) != 0) {
        BAD("not a huimin pack: wrong magic number");
    }
    if (memcmp(buf + 4, MAGIC + 4, 4) != 0)
        BAD("the file was altered by a text-mode transfer (line endings changed)");
    uint16_t major = get_u16(buf + 8), minor = get_u16(buf + 10);
    if (major != HM_BC_MAJOR) {
        snprintf(err, errlen, "%s: a pack of bytecode format %u.%u; this huimin (%s) reads format %d.x: "
                 "compile its policy files again with `huimin compile`", name, major, minor, hm_version(),
                 HM_BC_MAJOR);
        goto fail;
    }
    if (get_u32(buf + 12) != HEADER_SIZE)
        BAD("unexpected header size %u", get_u32(buf + 12));
    if ((int64_t)get_u64(buf + 16) != SAMPLE_INT || (int64_t)get_u64(buf + 24) != SAMPLE_FEN)
        BAD("sample values differ: written on a machine with another integer format");
    uint64_t total = get_u64(buf + 32);
    if (total != len)
        BAD("%s: the header says %llu bytes, the file has %zu", total > len ? "truncated" : "trailing data",
            (unsigned long long)total, len);
    uint32_t nsec = get_u32(buf + 40);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, buf + HEADER_SIZE, (uInt)(len - HEADER_SIZE));
    if ((uint32_t)crc != get_u32(buf + 44))
        BAD("checksum mismatch: the file is corrupt");
    secdesc d[SEC__COUNT];
    int n = describe(p, d);
    if (nsec != (uint32_t)n)
        BAD("%u sections, expected %d", nsec, n);
    if ((uint64_t)HEADER_SIZE + (uint64_t)nsec * 24 > len)
        BAD("truncated section table");
    for (int i = 0; i < n; i++) {
        const unsigned char *t = buf + HEADER_SIZE + (size_t)i * 24;
        uint32_t id = get_u32(t), cnt = get_u32(t + 4);
        uint64_t off = get_u64(t + 8), size = get_u64(t + 16);
        if (id != (uint32_t)d[i].id)
            BAD("section %d has id %u, expected %d", i, id, d[i].id);
        if (cnt > 0x7fffffffu || (uint64_t)cnt * d[i].elem != size)
            BAD("section %u: %u records do not make %llu bytes", id, cnt, (unsigned long long)size);
        if (off > len || size > len - off)
            BAD("section %u lies outside the file", id);
        if (d[i].id == SEC_META) {
            if (cnt != 1)
                BAD("meta section has %u records", cnt);
            memcpy(&m, buf + off, sizeof m);
            continue;
        }
        if (d[i].of && cnt != *d[i].count)
            BAD("%u %s for %u %s", cnt, d[i].what, *d[i].count, d[i].of);
        void *arr = mem_alloc(size ? (size_t)size : 1);
        if (!arr) {
            snprintf(err, errlen, "%s: out of memory", name);
            prog_free(p);
            return -3;
        }
        if (size)
            memcpy(arr, buf + off, (size_t)size);
        *d[i].ptr = arr;
        *d[i].count = cnt;
    }
    p->nhcols = m.nhcols;
    p->npcols = m.npcols;
    p->nrcols = m.nrcols;
    p->max_regs = m.max_regs;
    return 0;
fail:
    prog_free(p);
    return -1;
}

int module_is_pack_file(const char *path)
{
    unsigned char head[4];
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t n = fread(head, 1, sizeof head, fp);
    fclose(fp);
    return n == sizeof head && memcmp(head, MAGIC, 4) == 0;
}

int module_slurp(const char *path, unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
    *out = NULL;
    *outlen = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -2;
    }
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = mem_alloc(cap);
    if (!buf) {
        fclose(fp);
        snprintf(err, errlen, "%s: out of memory", path);
        return -3;
    }
    for (;;) {
        if (len == cap) {
            if (cap > ((size_t)1 << 30)) {
                mem_free(buf);
                fclose(fp);
                snprintf(err, errlen, "%s: bad bytecode (larger than 1 GiB)", path);
                return -1;
            }
            unsigned char *nb = mem_realloc(buf, cap * 2);
            if (!nb) {
                mem_free(buf);
                fclose(fp);
                snprintf(err, errlen, "%s: out of memory", path);
                return -3;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    int ioerr = ferror(fp);
    fclose(fp);
    if (ioerr) {
        mem_free(buf);
        snprintf(err, errlen, "%s: read error", path);
        return -2;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

int module_read(const char *path, hm_program *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    unsigned char *buf;
    size_t len;
    int rc = module_slurp(path, &buf, &len, err, errlen);
    if (rc != 0)
        return rc;
    rc = module_read_mem(buf, len, path, p, err, errlen);
    mem_free(buf);
    return rc;
}
