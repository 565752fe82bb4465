/* replay.c -- a fuzz target's entry point run over files, without
 * libFuzzer: how `make check` replays tests/fuzz/regress with any compiler
 * (run-regress.sh).  Prints one line per file and "N passed, 0 failed";
 * a file that breaks the target crashes or aborts the program. */
#include "fuzz.h"

#include <stdlib.h>

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    int n = 0;
    for (int i = 1; i < argc; i++) {
        size_t len;
        char *data = fuzz_read(argv[i], &len);
        if (!data) {
            fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i]);
            return 99;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        free(data);
        printf("ok: %s\n", argv[i]);
        n++;
    }
    printf("%d passed, 0 failed\n", n);
    return 0;
}
