/* test_memeq.c -- crypto/memeq: constant-time compare and wiping. */
#include "common/common.h"

#include <stdlib.h>

#include "crypto_test.h"

#include "crypto/memeq.h"

static void test_memeq(void **state)
{
    unsigned char a[33], b[33];

    (void)state;
    fill_seq(a, sizeof(a), 7);
    memcpy(b, a, sizeof(b));
    assert_true(crypto_memeq(a, b, sizeof(a)));
    assert_true(crypto_memeq(a, b, 0));
    assert_true(crypto_memeq(NULL, NULL, 0));
    for (size_t i = 0; i < sizeof(a); i++) { /* a difference anywhere */
        b[i] ^= 0x01;
        assert_false(crypto_memeq(a, b, sizeof(a)));
        assert_true(crypto_memeq(a, b, i)); /* the prefix still equal */
        b[i] ^= 0x01;
    }
    b[0] ^= 0x80;
    assert_false(crypto_memeq(a, b, 1));
}

static void test_wipe(void **state)
{
    unsigned char buf[48], zero[48] = { 0 };
    unsigned char *heap = malloc(64);

    (void)state;
    memset(buf, 0xa5, sizeof(buf));
    crypto_wipe(buf, 16);
    assert_memory_equal(buf, zero, 16);
    assert_int_equal(buf[16], 0xa5); /* only the range asked for */
    crypto_wipe(buf, sizeof(buf));
    assert_memory_equal(buf, zero, sizeof(buf));
    crypto_wipe(NULL, 0);
    assert_non_null(heap);
    memset(heap, 0x5a, 64);
    crypto_free_secret(heap, 64); /* ASan would flag a bad free */
    crypto_free_secret(NULL, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memeq),
        cmocka_unit_test(test_wipe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
