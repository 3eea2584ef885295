/* test_random.c -- CSPRNG wrapper and UUIDv4 format. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/random.h"

static void test_bytes_differ(void **state)
{
    unsigned char a[32] = {0}, b[32] = {0}, zero[32] = {0};

    (void)state;
    assert_int_equal(crypto_random(a, sizeof(a)), CD_OK);
    assert_int_equal(crypto_random(b, sizeof(b)), CD_OK);
    assert_memory_not_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_int_equal(crypto_random(a, 0), CD_OK);
}

static void test_uuid4_format(void **state)
{
    char u[37], v[37];

    (void)state;
    assert_int_equal(crypto_uuid4(u), CD_OK);
    assert_int_equal(crypto_uuid4(v), CD_OK);
    assert_int_equal(strlen(u), 36);
    assert_string_not_equal(u, v);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(u[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", u[i]));
    }
    assert_int_equal(u[14], '4');
    assert_non_null(strchr("89ab", u[19]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_differ),
        cmocka_unit_test(test_uuid4_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
