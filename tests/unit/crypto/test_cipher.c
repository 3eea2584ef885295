/* test_cipher.c -- crypto/cipher: versioned strings and AES-GCM, with the
 * EncryptWith vector of reference/offen-server.md §9.9. */
#include "common/common.h"

#include <stdlib.h>

#include "crypto_test.h"

#include "common/base64.h"
#include "crypto/cipher.h"
#include "crypto/memeq.h"

#define VECTOR_OUT                                                            \
    "{1,} VnzVs1tWEKEHCeQKD2qpICN/yi9EdPfiHDHRzU0= gIGCg4SFhoeIiYqL"
#define VECTOR_PT "{\"kty\":\"oct\"}"

static int parse(const char *s, struct crypto_versioned *v)
{
    return crypto_versioned_parse(v, s, strlen(s));
}

static void test_parse_ok(void **state)
{
    struct crypto_versioned v;

    (void)state;
    assert_int_equal(parse("{3,} AAECAwQFBgc=", &v), CD_OK);
    assert_int_equal(v.algo, 3);
    assert_int_equal(v.cipher_len, 8);
    assert_int_equal(v.cipher[7], 7);
    assert_null(v.nonce);
    assert_int_equal(v.nonce_len, 0);
    crypto_versioned_release(&v);
    assert_null(v.cipher);

    assert_int_equal(parse("{1,} AAAA AQID", &v), CD_OK);
    assert_int_equal(v.algo, 1);
    assert_int_equal(v.cipher_len, 3);
    assert_int_equal(v.nonce_len, 3);
    assert_int_equal(v.nonce[2], 3);
    crypto_versioned_release(&v);

    /* key version digits are ignored, extra chunks are ignored */
    assert_int_equal(parse("{12,345} AAAA AQID whatever else", &v), CD_OK);
    assert_int_equal(v.algo, 12);
    assert_int_equal(v.nonce_len, 3);
    crypto_versioned_release(&v);
    assert_int_equal(parse("{999999999,} AA==", &v), CD_OK);
    assert_int_equal(v.algo, 999999999);
    crypto_versioned_release(&v);
    crypto_versioned_release(&v); /* twice is harmless */
}

static void test_parse_bad(void **state)
{
    static const char *const bad[] = {
        "", "{", "{1", "{1,", "{1,}", "{1,} ", "{,} AAAA", "{a,} AAAA",
        "{1,x} AAAA", "{1,}AAAA", "{1,}  AAAA", "{1,}\tAAAA", " {1,} AAAA",
        "{-1,} AAAA", "{1000000000,} AAAA", "{1,} AAA", "{1,} AA=A",
        "{1,} AAAA ", "{1,} AAAA  AAAA", "{1,} AAAA AA", "{1,} AB==",
        "{1,} AAAA\n", "{1,} A-_A", "[1,] AAAA", "{1;} AAAA",
    };
    struct crypto_versioned v;

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        int rc = parse(bad[i], &v);

        if (rc != CD_EPROTO)
            fail_msg("accepted or wrong code %d for '%s'", rc, bad[i]);
        assert_null(v.cipher);
        assert_null(v.nonce);
    }
}

/* A valid versioned string of exactly len characters: "{1,<zeros>} " then
 * base64 of (len - 8) / 4 * 3 bytes; len - 8 must be a multiple of 4 and
 * the number of key-version zeros is len % 4 dependent, so we pass it. */
static char *string_of_len(size_t len, size_t zeros)
{
    size_t prefix = 5 + zeros, b64 = len - prefix, n = b64 / 4 * 3;
    unsigned char *raw = calloc(1, n);
    char *s = malloc(len + 1);

    assert_int_equal(b64 % 4, 0);
    assert_non_null(raw);
    assert_non_null(s);
    memcpy(s, "{1,", 3);
    memset(s + 3, '0', zeros);
    memcpy(s + 3 + zeros, "} ", 2);
    base64_encode(s + prefix, raw, n);
    assert_int_equal(strlen(s), len);
    free(raw);
    return s;
}

static void test_parse_cap(void **state)
{
    struct crypto_versioned v;
    char *at = string_of_len(CRYPTO_VERSIONED_MAX, 3);     /* 8 + 4k */
    char *past = string_of_len(CRYPTO_VERSIONED_MAX + 1, 4);

    (void)state;
    assert_int_equal(crypto_versioned_parse(&v, at, strlen(at)), CD_OK);
    assert_int_equal(v.cipher_len, (CRYPTO_VERSIONED_MAX - 8) / 4 * 3);
    crypto_versioned_release(&v);
    assert_int_equal(crypto_versioned_parse(&v, past, strlen(past)),
                     CD_ETOOBIG);
    free(at);
    free(past);
}

static void test_format(void **state)
{
    unsigned char cipher[8], nonce[3] = { 1, 2, 3 };
    char out[64];
    struct crypto_versioned v;

    (void)state;
    fill_seq(cipher, sizeof(cipher), 0);
    assert_int_equal(crypto_versioned_format(out, sizeof(out), 3, cipher,
                                             sizeof(cipher), NULL, 0),
                     CD_OK);
    assert_string_equal(out, "{3,} AAECAwQFBgc=");
    assert_int_equal(crypto_versioned_len(3, 8, 0), strlen(out));
    assert_int_equal(crypto_versioned_format(out, sizeof(out), 10, cipher, 2,
                                             nonce, 3),
                     CD_OK);
    assert_string_equal(out, "{10,} AAE= AQID");
    assert_int_equal(crypto_versioned_len(10, 2, 3), strlen(out));
    assert_int_equal(parse(out, &v), CD_OK);
    assert_int_equal(v.algo, 10);
    crypto_versioned_release(&v);
    /* exactly fitting (len + NUL) and one byte short */
    assert_int_equal(crypto_versioned_format(out, 18, 3, cipher, 8, NULL, 0),
                     CD_OK);
    assert_int_equal(crypto_versioned_format(out, 17, 3, cipher, 8, NULL, 0),
                     CD_ETOOBIG);
    assert_int_equal(crypto_versioned_format(out, sizeof(out), -1, cipher, 8,
                                             NULL, 0),
                     CD_EINVAL);
}

static void test_encrypt_vector(void **state)
{
    unsigned char key[32], nonce[12], *pt = NULL;
    char *out = NULL;
    size_t len = 0, n = 0;

    (void)state;
    fill_seq(key, sizeof(key), 0x40);
    fill_seq(nonce, sizeof(nonce), 0x80);
    assert_int_equal(crypto_aes_encrypt_with_nonce(key, 32, nonce, VECTOR_PT,
                                                   strlen(VECTOR_PT), &out,
                                                   &len),
                     CD_OK);
    assert_string_equal(out, VECTOR_OUT);
    assert_int_equal(len, strlen(VECTOR_OUT));
    free(out);
    assert_int_equal(crypto_aes_decrypt(key, 32, VECTOR_OUT,
                                        strlen(VECTOR_OUT), &pt, &n),
                     CD_OK);
    assert_int_equal(n, strlen(VECTOR_PT));
    assert_string_equal((char *)pt, VECTOR_PT); /* NUL-terminated */
    crypto_free_secret(pt, n);
}

static void test_round_trip(void **state)
{
    static const size_t keylens[] = { 16, 24, 32 };
    unsigned char key[32], *pt = NULL;
    char *a = NULL, *b = NULL;
    size_t alen, blen, n;

    (void)state;
    fill_seq(key, sizeof(key), 1);
    for (size_t i = 0; i < CD_ARRAY_SIZE(keylens); i++) {
        assert_int_equal(crypto_aes_encrypt(key, keylens[i], "secret", 6, &a,
                                            &alen),
                         CD_OK);
        assert_int_equal(crypto_aes_encrypt(key, keylens[i], "secret", 6, &b,
                                            &blen),
                         CD_OK);
        assert_string_not_equal(a, b); /* fresh nonce each time */
        assert_memory_equal(a, "{1,} ", 5);
        assert_int_equal(crypto_aes_decrypt(key, keylens[i], b, blen, &pt,
                                            &n),
                         CD_OK);
        assert_int_equal(n, 6);
        assert_memory_equal(pt, "secret", 6);
        crypto_free_secret(pt, n);
        /* a key of another length is another key */
        assert_int_not_equal(crypto_aes_decrypt(key, i ? 16 : 32, a, alen,
                                                &pt, &n),
                             CD_OK);
        assert_null(pt);
        free(a);
        free(b);
    }
    /* the empty plaintext is just a tag */
    assert_int_equal(crypto_aes_encrypt(key, 32, "", 0, &a, &alen), CD_OK);
    assert_int_equal(crypto_aes_decrypt(key, 32, a, alen, &pt, &n), CD_OK);
    assert_int_equal(n, 0);
    crypto_free_secret(pt, n);
    free(a);
}

static void test_bad_key_length(void **state)
{
    unsigned char key[33] = { 0 }, *pt = NULL;
    char *out = NULL;
    size_t len, n;

    (void)state;
    assert_int_equal(crypto_aes_encrypt(key, 15, "x", 1, &out, &len),
                     CD_EINVAL);
    assert_int_equal(crypto_aes_encrypt(key, 33, "x", 1, &out, &len),
                     CD_EINVAL);
    assert_int_equal(crypto_aes_encrypt(key, 0, "x", 1, &out, &len),
                     CD_EINVAL);
    assert_null(out);
    assert_int_equal(crypto_aes_decrypt(key, 31, VECTOR_OUT,
                                        strlen(VECTOR_OUT), &pt, &n),
                     CD_EINVAL);
    assert_null(pt);
}

/* Decrypting s under the vector key must fail with rc. */
static void expect_decrypt(const char *s, int rc)
{
    unsigned char key[32], *pt = (unsigned char *)"sentinel";
    size_t n = 99;

    fill_seq(key, sizeof(key), 0x40);
    assert_int_equal(crypto_aes_decrypt(key, 32, s, strlen(s), &pt, &n), rc);
    if (rc != CD_OK) {
        assert_null(pt);
        assert_int_equal(n, 0);
    } else {
        crypto_free_secret(pt, n);
    }
}

static void test_tampered(void **state)
{
    char s[] = VECTOR_OUT;
    const char *sp = strchr(s + 5, ' ');
    size_t ct_start = 5, nonce_start = (size_t)(sp - s) + 1;

    (void)state;
    expect_decrypt(VECTOR_OUT, CD_OK);
    /* Ciphertext, tag and nonce: change each character to another valid
     * base64 character ('A' <-> 'B' keep the padding bits legal except in
     * the last character before '=', which we skip). */
    for (size_t i = ct_start; s[i] != '\0'; i++) {
        char orig = s[i];

        if (s[i] == ' ' || s[i] == '=' || s[i + 1] == '=')
            continue;
        s[i] = orig == 'A' ? 'B' : 'A';
        expect_decrypt(s, CD_EAUTH);
        s[i] = orig;
    }
    assert_true(nonce_start > ct_start);
    /* any algo version decrypts (Offen ignores it) */
    expect_decrypt("{7,} VnzVs1tWEKEHCeQKD2qpICN/yi9EdPfiHDHRzU0= "
                   "gIGCg4SFhoeIiYqL",
                   CD_OK);
    /* missing nonce, short nonce, short ciphertext */
    expect_decrypt("{1,} VnzVs1tWEKEHCeQKD2qpICN/yi9EdPfiHDHRzU0=",
                   CD_EPROTO);
    expect_decrypt("{1,} VnzVs1tWEKEHCeQKD2qpICN/yi9EdPfiHDHRzU0= gIGCg4SF",
                   CD_EPROTO);
    expect_decrypt("{1,} AAAAAAAAAAAAAAAAAAAA gIGCg4SFhoeIiYqL", CD_EPROTO);
    expect_decrypt("{1,} AAAAAAAAAAAAAAAAAAAAAA== gIGCg4SFhoeIiYqL",
                   CD_EAUTH); /* 16 bytes: a tag only, and a wrong one */
    expect_decrypt("garbage", CD_EPROTO);
}

static void test_wrong_key(void **state)
{
    unsigned char key[32], *pt = NULL;
    size_t n;

    (void)state;
    fill_seq(key, sizeof(key), 0x40);
    key[31] ^= 1;
    assert_int_equal(crypto_aes_decrypt(key, 32, VECTOR_OUT,
                                        strlen(VECTOR_OUT), &pt, &n),
                     CD_EAUTH);
    assert_null(pt);
}

/* The largest plaintext whose output fits in CRYPTO_VERSIONED_MAX:
 * 5 + 4 * ceil((n + 16) / 3) + 1 + 16 <= 1 MiB  =>  n <= 786398. */
#define AES_PT_MAX 786398

static void test_encrypt_cap(void **state)
{
    unsigned char key[32], *big = calloc(1, AES_PT_MAX + 1), *pt = NULL;
    char *out = NULL;
    size_t len = 0, n = 0;

    (void)state;
    assert_non_null(big);
    fill_seq(key, sizeof(key), 9);
    assert_int_equal(crypto_aes_encrypt(key, 32, big, AES_PT_MAX, &out, &len),
                     CD_OK);
    assert_true(len <= CRYPTO_VERSIONED_MAX);
    assert_true(len + 4 > CRYPTO_VERSIONED_MAX); /* the next size won't fit */
    assert_int_equal(crypto_aes_decrypt(key, 32, out, len, &pt, &n), CD_OK);
    assert_int_equal(n, AES_PT_MAX);
    crypto_free_secret(pt, n);
    free(out);
    assert_int_equal(crypto_aes_encrypt(key, 32, big, AES_PT_MAX + 1, &out,
                                        &len),
                     CD_ETOOBIG);
    assert_null(out);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_cap),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_encrypt_vector),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_key_length),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_encrypt_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
