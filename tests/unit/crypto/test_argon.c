/* test_argon.c -- crypto/argon: the Argon2id vectors of
 * reference/offen-server.md §9.9, the three parameter sets, HashString and
 * CompareString. */
#include "common/common.h"

#include <sched.h>
#include <stdlib.h>

#include "crypto_test.h"

#include "crypto/argon.h"
#include "crypto/cipher.h"

#define SALT_00_07 "{3,} AAECAwQFBgc="
#define HASH_B64 "nV8wZQArPSB5/rmuzZw59QYX+3sEUW30WeA7HPmRUXY="
#define SALT_B64 "EBESExQVFhcYGRobHB0eHw=="
#define HASH_VECTOR                                                           \
    "{3,} nV8wZQArPSB5/rmuzZw59QYX+3sEUW30WeA7HPmRUXY= "                     \
    "EBESExQVFhcYGRobHB0eHw=="

static int derive(const char *value, const char *salt, unsigned char *key)
{
    return crypto_derive_key(value, strlen(value), salt, strlen(salt), key);
}

static void expect_hex(const unsigned char key[32], const char *hex)
{
    char got[65];

    tohex(got, key, 32);
    assert_string_equal(got, hex);
}

static void test_derive_vectors(void **state)
{
    unsigned char key[32], salt[8];

    (void)state;
    assert_int_equal(crypto_derive_key_raw(3, "development", 11, "saltsalt",
                                           8, key),
                     CD_OK);
    expect_hex(key, "2eae46fd8f197c54dab91c7b6d653c41"
                    "3786a200a75a8db6580e76dcc1694f2d");
    assert_int_equal(derive("development", SALT_00_07, key),
                     CD_OK);
    expect_hex(key, "b36ff87b034bcf4bdcdb6cc757872b94"
                    "691a92f4ffba22e8ddd9a35ae36d2363");
    assert_int_equal(derive("develop@offen.dev", SALT_00_07, key),
                     CD_OK);
    expect_hex(key, "9530d538e50d3fe698677f73a2f77003"
                    "4a09db25bc1fcd666fcc7bcfa34ffb9e");
    assert_int_equal(derive("development", "{1,} AAECAwQFBgc=", key),
                     CD_OK);
    expect_hex(key, "0ae4c4dc697c4e489f8c382e1863314b"
                    "6f83195d12dc5feee5d22e55ce7e93a1");
    fill_seq(salt, sizeof(salt), 0);
    assert_int_equal(crypto_derive_key_raw(1, "development", 11, salt, 8,
                                           key),
                     CD_OK);
    expect_hex(key, "0ae4c4dc697c4e489f8c382e1863314b"
                    "6f83195d12dc5feee5d22e55ce7e93a1");
}

static void test_derive_errors(void **state)
{
    unsigned char key[32];
    char *big = calloc(1, CRYPTO_ARGON_INPUT_MAX + 1);

    (void)state;
    assert_non_null(big);
    assert_int_equal(derive("x", "{4,} AAECAwQFBgc=", key),
                     CD_EINVAL);
    assert_int_equal(derive("x", "{0,} AAECAwQFBgc=", key),
                     CD_EINVAL);
    assert_int_equal(derive("x", "{3,} AAECAwQFBg==", key),
                     CD_EINVAL); /* 7-byte salt: libargon2 wants 8 */
    assert_int_equal(derive("x", "AAECAwQFBgc=", key),
                     CD_EPROTO);
    assert_int_equal(derive("x", "", key), CD_EPROTO);
    /* the value cap: at it and one past */
    assert_int_equal(crypto_derive_key_raw(3, big, CRYPTO_ARGON_INPUT_MAX,
                                           "saltsalt", 8, key),
                     CD_OK);
    assert_int_equal(crypto_derive_key_raw(3, big, CRYPTO_ARGON_INPUT_MAX + 1,
                                           "saltsalt", 8, key),
                     CD_ETOOBIG);
    /* the empty value is allowed (Offen derives from it too) */
    assert_int_equal(crypto_derive_key_raw(3, "", 0, "saltsalt", 8, key),
                     CD_OK);
    free(big);
}

static void test_v2_lanes(void **state)
{
    unsigned char v2[32], v3[32];
    cpu_set_t set;

    (void)state;
    /* With 4 lanes set 2 equals set 3 (t=4, m=16384, p=4). */
    assert_int_equal(crypto_argon_set_cpu_override(4), CD_OK);
    assert_int_equal(crypto_argon_v2_lanes(), 4);
    assert_int_equal(derive("development", "{2,} AAECAwQFBgc=", v2),
                     CD_OK);
    assert_int_equal(derive("development", SALT_00_07, v3),
                     CD_OK);
    assert_memory_equal(v2, v3, 32);
    /* With other lane counts it differs. */
    assert_int_equal(crypto_argon_set_cpu_override(3), CD_OK);
    assert_int_equal(derive("development", "{2,} AAECAwQFBgc=", v2),
                     CD_OK);
    assert_memory_not_equal(v2, v3, 32);
    assert_int_equal(crypto_argon_set_cpu_override(127), CD_OK);
    assert_int_equal(crypto_argon_v2_lanes(), 127);
    assert_int_equal(crypto_argon_set_cpu_override(128), CD_EINVAL);
    assert_int_equal(crypto_argon_set_cpu_override(-1), CD_EINVAL);
    assert_int_equal(crypto_argon_v2_lanes(), 127); /* unchanged */
    /* Unset: the CPUs this process may use, as Go's runtime.NumCPU(). */
    assert_int_equal(crypto_argon_set_cpu_override(0), CD_OK);
    assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
    assert_int_equal(crypto_argon_v2_lanes(), (unsigned)CPU_COUNT(&set));
}

static void test_hash_string_vector(void **state)
{
    unsigned char salt[16];
    char out[CRYPTO_HASH_STRING_SIZE];

    (void)state;
    fill_seq(salt, sizeof(salt), 0x10);
    assert_int_equal(crypto_hash_string_with_salt("development", 11, salt,
                                                  out),
                     CD_OK);
    assert_string_equal(out, HASH_VECTOR);
    assert_int_equal(strlen(out), CRYPTO_HASH_STRING_SIZE - 1);
    assert_int_equal(crypto_hash_string_with_salt("", 0, salt, out),
                     CD_EINVAL);
}

static int compare(const char *s, const char *stored)
{
    return crypto_compare_string(s, strlen(s), stored, strlen(stored));
}

static void test_compare_string(void **state)
{
    (void)state;
    assert_int_equal(compare("development", HASH_VECTOR), CD_OK);
    assert_int_equal(compare("Development", HASH_VECTOR), CD_EAUTH);
    assert_int_equal(compare("development ", HASH_VECTOR), CD_EAUTH);
    assert_int_equal(compare("", HASH_VECTOR), CD_EAUTH);
    assert_int_equal(compare("development", ""), CD_EINVAL);
    assert_int_equal(compare("development", "not a hash"), CD_EPROTO);
    /* no salt chunk */
    assert_int_equal(compare("development", "{3,} " HASH_B64), CD_EPROTO);
    /* unknown version */
    assert_int_equal(compare("development", "{9,} " HASH_B64 " " SALT_B64),
                     CD_EINVAL);
    /* a hash of another length never matches */
    assert_int_equal(compare("development",
                             "{3,} nV8wZQArPSB5/rmuzZw59QYX+3sEUW30WeA7HPm"
                             "RUQ== " SALT_B64),
                     CD_EAUTH);
    /* the same hash under the version-1 parameters does not match */
    assert_int_equal(compare("development", "{1,} " HASH_B64 " " SALT_B64),
                     CD_EAUTH);
}

static void test_compare_v1_hash(void **state)
{
    unsigned char hash[32], salt[16];
    char stored[CRYPTO_HASH_STRING_SIZE];

    (void)state;
    /* A hash written under set 1 (never upgraded) still verifies. */
    fill_seq(salt, sizeof(salt), 0x30);
    assert_int_equal(crypto_derive_key_raw(1, "hunter22", 8, salt, 16, hash),
                     CD_OK);
    assert_int_equal(crypto_versioned_format(stored, sizeof(stored), 1, hash,
                                             32, salt, 16),
                     CD_OK);
    assert_int_equal(compare("hunter22", stored), CD_OK);
    assert_int_equal(compare("hunter23", stored), CD_EAUTH);
}

static void test_hash_string_random(void **state)
{
    char a[CRYPTO_HASH_STRING_SIZE], b[CRYPTO_HASH_STRING_SIZE];

    (void)state;
    assert_int_equal(crypto_hash_string("pw@example.com", 14, a), CD_OK);
    assert_int_equal(crypto_hash_string("pw@example.com", 14, b), CD_OK);
    assert_string_not_equal(a, b); /* fresh salts */
    assert_memory_equal(a, "{3,} ", 5);
    assert_int_equal(compare("pw@example.com", a), CD_OK);
    assert_int_equal(compare("pw@example.com", b), CD_OK);
    assert_int_equal(compare("pw@example.co", a), CD_EAUTH);
    assert_int_equal(crypto_hash_string("", 0, a), CD_EINVAL);
}

static void test_kdf_salt(void **state)
{
    char a[CRYPTO_KDF_SALT_SIZE], b[CRYPTO_KDF_SALT_SIZE];
    struct crypto_versioned v;
    unsigned char k1[32], k2[32];

    (void)state;
    assert_int_equal(crypto_new_kdf_salt(a), CD_OK);
    assert_int_equal(crypto_new_kdf_salt(b), CD_OK);
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(a), CRYPTO_KDF_SALT_SIZE - 1);
    assert_int_equal(crypto_versioned_parse(&v, a, strlen(a)), CD_OK);
    assert_int_equal(v.algo, 3);
    assert_int_equal(v.cipher_len, 8);
    assert_null(v.nonce);
    crypto_versioned_release(&v);
    assert_int_equal(crypto_derive_key("pw", 2, a, strlen(a), k1), CD_OK);
    assert_int_equal(crypto_derive_key("pw", 2, b, strlen(b), k2), CD_OK);
    assert_memory_not_equal(k1, k2, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derive_vectors),
        cmocka_unit_test(test_derive_errors),
        cmocka_unit_test(test_v2_lanes),
        cmocka_unit_test(test_hash_string_vector),
        cmocka_unit_test(test_compare_string),
        cmocka_unit_test(test_compare_v1_hash),
        cmocka_unit_test(test_hash_string_random),
        cmocka_unit_test(test_kdf_salt),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
