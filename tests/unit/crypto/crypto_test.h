/* crypto_test.h -- helpers shared by the crypto unit tests: the cmocka
 * includes and hex conversion for test vectors. Include after
 * "common/common.h". */
#ifndef CD_TESTS_CRYPTO_TEST_H
#define CD_TESTS_CRYPTO_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static inline int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode the lowercase hex string hex into out (room for max bytes);
 * returns the byte count. Fails the test on bad input. */
static inline size_t unhex(unsigned char *out, size_t max, const char *hex)
{
    size_t n = strlen(hex) / 2;

    assert_int_equal(strlen(hex) % 2, 0);
    assert_true(n <= max);
    for (size_t i = 0; i < n; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);

        assert_true(hi >= 0 && lo >= 0);
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return n;
}

/* Write the lowercase hex of in[0..n) into out (room for 2n+1). */
static inline void tohex(char *out, const unsigned char *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Fill p[0..n) with first, first+1, ... (the vectors' "bytes 40..5f"). */
static inline void fill_seq(unsigned char *p, size_t n, unsigned first)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(first + i);
}

#endif /* CD_TESTS_CRYPTO_TEST_H */
