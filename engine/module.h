/* module.h -- reading and writing .hmc bytecode modules (see module.c for
 * the layout and docs/bytecode.md). */
#ifndef HM_MODULE_H
#define HM_MODULE_H

#include <stddef.h>

#include "bytecode.h"

#define HM_BC_MAJOR 6
#define HM_BC_MINOR 3

/* The module's bytes (owned, mem_free).  0, or -1 when out of memory. */
int module_encode(const hm_program *p, unsigned char **buf, size_t *len);
/* Write atomically (a temporary file renamed into place).  0, or -1 with
 * a message in err. */
int module_write(const hm_program *p, const char *path, char *err, size_t errlen);
/* Read and check the container (not yet the contents: run verify_program).
 * 0; -1 bad or corrupt file (message "PATH: bad bytecode (…)"); -2 the
 * file could not be read; -3 out of memory ("PATH: out of memory").  On
 * failure *p is left empty. */
/* Does the file start as a pack does?  (0 also when it cannot be read.) */
int module_is_pack_file(const char *path);
/* The whole file (owned, mem_free).  0; -1 larger than 1 GiB; -2
 * unreadable; -3 out of memory; message in err. */
int module_slurp(const char *path, unsigned char **buf, size_t *len, char *err, size_t errlen);
int module_read(const char *path, hm_program *p, char *err, size_t errlen);
int module_read_mem(const unsigned char *buf, size_t len, const char *name, hm_program *p,
                    char *err, size_t errlen);

/* Check every index, range and instruction of a program so the VM can
 * run it safely.  0, or -1 with "NAME: bad bytecode (…)" in err, or -3
 * with "NAME: out of memory" (the program may be good). */
int verify_program(const hm_program *p, const char *name, char *err, size_t errlen);
/* The nodes node calls or needs (nodes: the functions 0 … nfns-1, then
 * the policies) into out (when not NULL); their number.  Of a verified
 * program only. */
int32_t prog_node_edges(const hm_program *p, int32_t node, int32_t *out);

#endif
