/* test_hashfast.c -- crypto/hashfast: the HashFast vector of
 * reference/offen-server.md §9.9 and user salts. */
#include "common/common.h"

#include <stdlib.h>

#include "crypto_test.h"

#include "crypto/cipher.h"
#include "crypto/hashfast.h"

#define USER "4f1e6a32-8c1b-4b4e-9a53-2d7cf0b0c0de"
#define SALT "{1,} ICEiIyQlJicoKSorLC0uLw=="

static int hash(const char *user, const char *salt, char *out)
{
    return crypto_hash_fast(user, strlen(user), salt, strlen(salt), out);
}

static void test_vector(void **state)
{
    char out[CRYPTO_SECRET_ID_SIZE];

    (void)state;
    assert_int_equal(hash(USER, SALT, out), CD_OK);
    assert_string_equal(out, "65aa9cf3a08f71e64dbdb28a080b698c"
                             "7d4c16dd3414393319f2aaa70a805ebb");
}

static void test_errors(void **state)
{
    char out[CRYPTO_SECRET_ID_SIZE], *big = malloc(CRYPTO_USER_ID_MAX + 1);

    (void)state;
    assert_int_equal(hash(USER, "{2,} ICEiIyQlJicoKSorLC0uLw==", out),
                     CD_EINVAL);
    assert_int_equal(hash(USER, "{3,} ICEiIyQlJicoKSorLC0uLw==", out),
                     CD_EINVAL);
    assert_int_equal(hash(USER, "ICEiIyQlJicoKSorLC0uLw==", out), CD_EPROTO);
    assert_int_equal(hash(USER, "", out), CD_EPROTO);
    assert_string_equal(out, "");
    assert_non_null(big);
    memset(big, 'u', CRYPTO_USER_ID_MAX + 1);
    assert_int_equal(crypto_hash_fast(big, CRYPTO_USER_ID_MAX, SALT,
                                      strlen(SALT), out),
                     CD_OK);
    assert_int_equal(strlen(out), 64);
    assert_int_equal(crypto_hash_fast(big, CRYPTO_USER_ID_MAX + 1, SALT,
                                      strlen(SALT), out),
                     CD_ETOOBIG);
    free(big);
}

static void test_new_user_salt(void **state)
{
    char a[CRYPTO_USER_SALT_SIZE], b[CRYPTO_USER_SALT_SIZE];
    char ha[CRYPTO_SECRET_ID_SIZE], hb[CRYPTO_SECRET_ID_SIZE];
    struct crypto_versioned v;

    (void)state;
    assert_int_equal(crypto_new_user_salt(a), CD_OK);
    assert_int_equal(crypto_new_user_salt(b), CD_OK);
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(a), CRYPTO_USER_SALT_SIZE - 1);
    assert_int_equal(crypto_versioned_parse(&v, a, strlen(a)), CD_OK);
    assert_int_equal(v.algo, 1);
    assert_int_equal(v.cipher_len, CRYPTO_USER_SALT_LEN);
    assert_null(v.nonce);
    crypto_versioned_release(&v);
    /* one secret id per (visitor, account) */
    assert_int_equal(hash(USER, a, ha), CD_OK);
    assert_int_equal(hash(USER, b, hb), CD_OK);
    assert_string_not_equal(ha, hb);
    assert_int_equal(hash("other-user", a, hb), CD_OK);
    assert_string_not_equal(ha, hb);
    assert_int_equal(hash(USER, a, hb), CD_OK);
    assert_string_equal(ha, hb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_new_user_salt),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
