/* fuzz.h -- what the libFuzzer targets of tests/fuzz share. */
#ifndef HM_FUZZ_H
#define HM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The source tree ($SRCDIR, else where the target was built from). */
const char *fuzz_srcdir(void);
/* A private folder for this process's files, removed at exit. */
const char *fuzz_tmpdir(void);
/* fuzz_tmpdir()/NAME in buf. */
const char *fuzz_path(const char *name, char *buf, size_t n);
/* Write data to path (replacing it); aborts when it cannot. */
void fuzz_write(const char *path, const void *data, size_t n);
/* Read a whole file into malloc'ed memory (NUL-terminated); NULL if it cannot. */
char *fuzz_read(const char *path, size_t *n);
/* A stream that discards what is written to it. */
FILE *fuzz_null(void);
/* Stop with a message: an input broke an invariant the fuzzer must report. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
