/* test_hmac.c -- HMAC-SHA256 against RFC 4231 test cases 2 and 6, one-shot
 * and with a key made ready once (crypto_hmac_new()), also from several
 * threads sharing that key. */
#include "common/common.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/hmac.h"

/* RFC 4231 test case 6: a key longer than SHA-256's block. */
static const unsigned char case6[32] = {
    0x60, 0xe4, 0x31, 0x59, 0x1e, 0xe0, 0xb6, 0x7f, 0x0d, 0x8a, 0x26,
    0xaa, 0xcb, 0xf5, 0xb7, 0x7f, 0x8e, 0x0b, 0xc6, 0x21, 0x37, 0x28,
    0xc5, 0x14, 0x05, 0x46, 0x04, 0x0f, 0x0e, 0xe3, 0x7f, 0x54};
static const char case6_data[] =
    "Test Using Larger Than Block-Size Key - Hash Key First";

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

static void test_keyed(void **state)
{
    static const unsigned char want2[32] = {
        0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
        0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
        0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
    unsigned char key[131], out[32];
    struct crypto_hmac *h;

    (void)state;
    assert_int_equal(crypto_hmac_new(&h, "Jefe", 4), CD_OK);
    /* twice: a run leaves the keyed state as it was */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(crypto_hmac_run(h, "what do ya want for nothing?",
                                         28, out), CD_OK);
        assert_memory_equal(out, want2, 32);
    }
    crypto_hmac_free(h);
    memset(key, 0xaa, sizeof(key));
    assert_int_equal(crypto_hmac_new(&h, key, sizeof(key)), CD_OK);
    memset(key, 0, sizeof(key)); /* the key was copied */
    assert_int_equal(crypto_hmac_run(h, case6_data, sizeof(case6_data) - 1,
                                     out), CD_OK);
    assert_memory_equal(out, case6, 32);
    crypto_hmac_free(h);
    crypto_hmac_free(NULL);
}

/* Threads share one key; every run gives the one-shot's answer. */
struct shared {
    const struct crypto_hmac *h;
    int bad;
};

static void *run_many(void *arg)
{
    struct shared *s = arg;

    for (int i = 0; i < 2000; i++) {
        unsigned char a[32], b[32];
        char data[32];
        int n = snprintf(data, sizeof(data), "key-%d", i);

        if (crypto_hmac_run(s->h, data, (size_t)n, a) != CD_OK ||
            crypto_hmac_sha256("salt", 4, data, (size_t)n, b) != CD_OK ||
            memcmp(a, b, 32) != 0)
            s->bad++;
    }
    return NULL;
}

static void test_keyed_shared(void **state)
{
    struct crypto_hmac *h;
    struct shared s[4];
    pthread_t t[4];

    (void)state;
    assert_int_equal(crypto_hmac_new(&h, "salt", 4), CD_OK);
    for (int i = 0; i < 4; i++) {
        s[i] = (struct shared){h, 0};
        assert_int_equal(pthread_create(&t[i], NULL, run_many, &s[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(s[i].bad, 0);
    }
    crypto_hmac_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4231_case2),
        cmocka_unit_test(test_keyed),
        cmocka_unit_test(test_keyed_shared),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
