/* test_rsa.c -- crypto/rsa: RSA-4096 generation and RSA-OAEP-SHA256, and
 * interoperability with WebCrypto through a fixture it made. One key is
 * generated for the whole file (about a second); the "other" key is the
 * WebCrypto fixture. */
#include "common/common.h"

#include <jansson.h>
#include <stdlib.h>

#include "crypto_test.h"

#include "common/base64.h"
#include "crypto/jwk.h"
#include "crypto/memeq.h"
#include "crypto/rsa.h"
#include "webcrypto_fixture.h"

static struct crypto_rsa_key *key, *other;

static int setup(void **state)
{
    (void)state;
    if (crypto_rsa_generate(&key) != CD_OK)
        return -1;
    return crypto_jwk_import_private(webcrypto_private_jwk,
                                     strlen(webcrypto_private_jwk),
                                     &other) == CD_OK
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    crypto_rsa_key_free(key);
    crypto_rsa_key_free(other);
    return 0;
}

static void test_generated(void **state)
{
    char *pub = NULL;
    size_t len = 0;

    (void)state;
    assert_true(crypto_rsa_key_is_private(key));
    assert_int_equal(crypto_rsa_key_bits(key), 4096);
    assert_int_equal(crypto_rsa_max_plaintext(key), 446);
    assert_int_equal(crypto_jwk_export_public(key, &pub, &len), CD_OK);
    assert_memory_equal(pub, "{\"e\":\"AQAB\",", 12); /* e = 65537 */
    free(pub);
    crypto_rsa_key_free(NULL);
}

static void test_round_trip(void **state)
{
    unsigned char msg[446], *pt = NULL;
    char *ct = NULL, *ct2 = NULL;
    size_t len = 0, len2 = 0, n = 0;

    (void)state;
    fill_seq(msg, sizeof(msg), 3);
    assert_int_equal(crypto_rsa_encrypt(key, msg, 32, &ct, &len), CD_OK);
    /* "{1,} " + base64 of 512 bytes, no nonce */
    assert_int_equal(len, 5 + base64_encoded_len(512));
    assert_memory_equal(ct, "{1,} ", 5);
    assert_null(strchr(ct + 5, ' '));
    assert_int_equal(crypto_rsa_encrypt(key, msg, 32, &ct2, &len2), CD_OK);
    assert_string_not_equal(ct, ct2); /* OAEP is randomised */
    assert_int_equal(crypto_rsa_decrypt(key, ct, len, &pt, &n), CD_OK);
    assert_int_equal(n, 32);
    assert_memory_equal(pt, msg, 32);
    crypto_free_secret(pt, n);
    free(ct);
    free(ct2);
    /* the largest plaintext, and one byte past it */
    assert_int_equal(crypto_rsa_encrypt(key, msg, 446, &ct, &len), CD_OK);
    assert_int_equal(crypto_rsa_decrypt(key, ct, len, &pt, &n), CD_OK);
    assert_int_equal(n, 446);
    assert_memory_equal(pt, msg, 446);
    crypto_free_secret(pt, n);
    free(ct);
    assert_int_equal(crypto_rsa_encrypt(key, msg, 447, &ct, &len),
                     CD_ETOOBIG);
    assert_null(ct);
    /* the empty plaintext */
    assert_int_equal(crypto_rsa_encrypt(key, "", 0, &ct, &len), CD_OK);
    assert_int_equal(crypto_rsa_decrypt(key, ct, len, &pt, &n), CD_OK);
    assert_int_equal(n, 0);
    crypto_free_secret(pt, n);
    free(ct);
}

static void test_failures(void **state)
{
    unsigned char *pt = NULL;
    char *ct = NULL, *pubjwk = NULL;
    struct crypto_rsa_key *pub = NULL;
    size_t len = 0, n = 0, jl = 0;

    (void)state;
    assert_int_equal(crypto_rsa_encrypt(key, "secret", 6, &ct, &len), CD_OK);
    /* wrong key */
    assert_int_equal(crypto_rsa_decrypt(other, ct, len, &pt, &n), CD_EAUTH);
    assert_null(pt);
    /* tampered: each of a few positions across the ciphertext */
    for (size_t i = 5; i + 4 < len; i += 97) {
        char orig = ct[i];

        ct[i] = orig == 'A' ? 'B' : 'A';
        assert_int_equal(crypto_rsa_decrypt(key, ct, len, &pt, &n), CD_EAUTH);
        ct[i] = orig;
    }
    /* a public key cannot decrypt */
    assert_int_equal(crypto_jwk_export_public(key, &pubjwk, &jl), CD_OK);
    assert_int_equal(crypto_jwk_import_public(pubjwk, jl, &pub), CD_OK);
    assert_false(crypto_rsa_key_is_private(pub));
    assert_int_equal(crypto_rsa_decrypt(pub, ct, len, &pt, &n), CD_EINVAL);
    free(ct);
    /* ... but it encrypts for the private one */
    assert_int_equal(crypto_rsa_encrypt(pub, "to key", 6, &ct, &len), CD_OK);
    assert_int_equal(crypto_rsa_decrypt(key, ct, len, &pt, &n), CD_OK);
    assert_memory_equal(pt, "to key", 6);
    crypto_free_secret(pt, n);
    free(ct);
    crypto_rsa_key_free(pub);
    free(pubjwk);
    /* not one modulus long, not a versioned string */
    assert_int_equal(crypto_rsa_decrypt(key, "{1,} AAAA", 9, &pt, &n),
                     CD_EPROTO);
    assert_int_equal(crypto_rsa_decrypt(key, "AAAA", 4, &pt, &n), CD_EPROTO);
    assert_null(pt);
}

/* OpenSSL decrypts what WebCrypto encrypted, under WebCrypto's own JWK. */
static void test_webcrypto_ciphertext(void **state)
{
    unsigned char *pt = NULL;
    size_t n = 0;

    (void)state;
    assert_true(crypto_rsa_key_is_private(other));
    assert_int_equal(crypto_rsa_key_bits(other), 4096);
    assert_int_equal(crypto_rsa_decrypt(other, webcrypto_ciphertext,
                                        strlen(webcrypto_ciphertext), &pt,
                                        &n),
                     CD_OK);
    assert_int_equal(n, strlen(WEBCRYPTO_PLAINTEXT));
    assert_memory_equal(pt, WEBCRYPTO_PLAINTEXT, n);
    crypto_free_secret(pt, n);
    assert_int_equal(crypto_rsa_decrypt(key, webcrypto_ciphertext,
                                        strlen(webcrypto_ciphertext), &pt,
                                        &n),
                     CD_EAUTH);
}

/* Our export of WebCrypto's key carries the same values, member for
 * member, as WebCrypto's own export: the same minimal big-endian base64url
 * that the browser's importKey("jwk") expects. */
static void test_webcrypto_jwk_members(void **state)
{
    static const char *const members[] = { "d", "dp", "dq", "e", "kty",
                                           "n", "p",  "q",  "qi" };
    json_t *theirs = json_loads(webcrypto_private_jwk, 0, NULL), *ours;
    char *jwk = NULL;
    size_t len = 0;

    (void)state;
    assert_non_null(theirs);
    assert_int_equal(crypto_jwk_export_private(other, &jwk, &len), CD_OK);
    ours = json_loads(jwk, 0, NULL);
    assert_non_null(ours);
    assert_int_equal(json_object_size(ours), CD_ARRAY_SIZE(members));
    for (size_t i = 0; i < CD_ARRAY_SIZE(members); i++)
        assert_string_equal(
            json_string_value(json_object_get(ours, members[i])),
            json_string_value(json_object_get(theirs, members[i])));
    json_decref(ours);
    json_decref(theirs);
    crypto_free_secret(jwk, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_webcrypto_ciphertext),
        cmocka_unit_test(test_webcrypto_jwk_members),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
