/* test_hmac.c -- HMAC-SHA256 against RFC 4231 test case 2. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "crypto/hmac.h"

static void test_rfc4231_case2(void **state)
{
    static const unsigned char want[32] = {
        0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
        0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
        0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
    unsigned char out[32];

    (void)state;
    assert_int_equal(crypto_hmac_sha256("Jefe", 4,
                                        "what do ya want for nothing?", 28,
                                        out), CD_OK);
    assert_memory_equal(out, want, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4231_case2),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
