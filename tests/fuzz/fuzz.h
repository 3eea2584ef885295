/* fuzz.h -- what the libFuzzer targets of tests/fuzz share.
 *
 * Each target is one file defining LLVMFuzzerTestOneInput(). A property
 * that must hold for every input is checked with FUZZ_CHECK, which aborts
 * (libFuzzer then saves the input as a crash artifact) whatever NDEBUG
 * says, unlike assert().
 */
#ifndef CD_TESTS_FUZZ_FUZZ_H
#define CD_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                    \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,          \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* CD_TESTS_FUZZ_FUZZ_H */
