/* test_jwk.c -- crypto/jwk: the exact JWK shapes of reference/offen-server.md
 * §9.5, export -> import -> OAEP round trips, the KEK JWK, bad keys and the
 * size cap. One RSA-4096 key is generated for the whole file. */
#include "common/common.h"

#include <jansson.h>
#include <stdlib.h>

#include "crypto_test.h"

#include "common/base64.h"
#include "crypto/jwk.h"
#include "crypto/memeq.h"
#include "crypto/rsa.h"

static struct crypto_rsa_key *key;
static char *pub_jwk, *priv_jwk;
static size_t pub_len, priv_len;

static int setup(void **state)
{
    (void)state;
    if (crypto_rsa_generate(&key) != CD_OK ||
        crypto_jwk_export_public(key, &pub_jwk, &pub_len) != CD_OK ||
        crypto_jwk_export_private(key, &priv_jwk, &priv_len) != CD_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    crypto_rsa_key_free(key);
    free(pub_jwk);
    crypto_free_secret(priv_jwk, priv_len);
    return 0;
}

/* The bytes of base64url member name of the JSON object text json. */
static size_t member_bytes(const char *json, const char *name,
                           unsigned char *out, size_t max)
{
    json_t *root = json_loads(json, 0, NULL), *v;
    size_t n = 0;

    assert_non_null(root);
    v = json_object_get(root, name);
    assert_true(json_is_string(v));
    assert_int_equal(base64url_decode(out, max, &n, json_string_value(v),
                                      json_string_length(v)),
                     CD_OK);
    json_decref(root);
    return n;
}

static void test_public_shape(void **state)
{
    unsigned char n[600], e[8];

    (void)state;
    assert_int_equal(strlen(pub_jwk), pub_len);
    assert_memory_equal(pub_jwk, "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"",
                        29);
    assert_string_equal(pub_jwk + pub_len - 2, "\"}");
    assert_null(strchr(pub_jwk, '=')); /* no padding */
    assert_null(strchr(pub_jwk, ' ')); /* compact */
    assert_int_equal(member_bytes(pub_jwk, "n", n, sizeof(n)), 512);
    assert_true(n[0] >= 0x80); /* minimal: the top bit of 4096 is set */
    assert_int_equal(member_bytes(pub_jwk, "e", e, sizeof(e)), 3);
    /* 29 + 683 characters of n + 2 */
    assert_int_equal(pub_len, 29 + base64url_encoded_len(512) + 2);
}

static void test_private_shape(void **state)
{
    static const char *const order[] = { "{\"d\":\"", "\",\"dp\":\"",
                                         "\",\"dq\":\"", "\",\"e\":\"AQAB\"",
                                         ",\"kty\":\"RSA\",\"n\":\"",
                                         "\",\"p\":\"", "\",\"q\":\"",
                                         "\",\"qi\":\"" };
    unsigned char b[600];
    json_t *root;
    const char *at = priv_jwk;

    (void)state;
    assert_int_equal(strlen(priv_jwk), priv_len);
    for (size_t i = 0; i < CD_ARRAY_SIZE(order); i++) { /* sorted members */
        const char *next = strstr(at, order[i]);

        if (next == NULL)
            fail_msg("member %zu out of order in %s", i, priv_jwk);
        at = next + strlen(order[i]);
    }
    assert_string_equal(priv_jwk + priv_len - 2, "\"}");
    assert_null(strchr(priv_jwk, '='));
    root = json_loads(priv_jwk, 0, NULL);
    assert_non_null(root);
    assert_int_equal(json_object_size(root), 9); /* no alg, use, key_ops */
    json_decref(root);
    assert_int_equal(member_bytes(priv_jwk, "n", b, sizeof(b)), 512);
    assert_int_equal(member_bytes(priv_jwk, "p", b, sizeof(b)), 256);
    assert_int_equal(member_bytes(priv_jwk, "q", b, sizeof(b)), 256);
    assert_true(member_bytes(priv_jwk, "d", b, sizeof(b)) <= 512);
    assert_true(b[0] != 0); /* minimal encoding */
}

static void test_import_export(void **state)
{
    struct crypto_rsa_key *priv = NULL, *pub = NULL;
    char *again = NULL;
    size_t len = 0;

    (void)state;
    assert_int_equal(crypto_jwk_import_private(priv_jwk, priv_len, &priv),
                     CD_OK);
    assert_true(crypto_rsa_key_is_private(priv));
    assert_int_equal(crypto_jwk_export_private(priv, &again, &len), CD_OK);
    assert_int_equal(len, priv_len);
    assert_string_equal(again, priv_jwk); /* byte-identical */
    crypto_free_secret(again, len);
    assert_int_equal(crypto_jwk_import_public(pub_jwk, pub_len, &pub), CD_OK);
    assert_false(crypto_rsa_key_is_private(pub));
    assert_int_equal(crypto_jwk_export_public(pub, &again, &len), CD_OK);
    assert_string_equal(again, pub_jwk);
    free(again);
    assert_int_equal(crypto_jwk_export_private(pub, &again, &len),
                     CD_EINVAL);
    assert_null(again);
    crypto_rsa_key_free(pub);
    /* a private JWK also serves as a public one (n and e) */
    assert_int_equal(crypto_jwk_import_public(priv_jwk, priv_len, &pub),
                     CD_OK);
    assert_int_equal(crypto_jwk_export_public(pub, &again, &len), CD_OK);
    assert_string_equal(again, pub_jwk);
    free(again);
    crypto_rsa_key_free(pub);
    crypto_rsa_key_free(priv);
}

static void test_oaep_via_jwk(void **state)
{
    unsigned char secret[32], *pt = NULL;
    char *ct = NULL;
    size_t len = 0, n = 0;

    (void)state;
    fill_seq(secret, sizeof(secret), 0x20);
    assert_int_equal(crypto_jwk_encrypt(pub_jwk, pub_len, secret, 32, &ct,
                                        &len),
                     CD_OK);
    assert_int_equal(crypto_jwk_decrypt(priv_jwk, priv_len, ct, len, &pt, &n),
                     CD_OK);
    assert_int_equal(n, 32);
    assert_memory_equal(pt, secret, 32);
    crypto_free_secret(pt, n);
    free(ct);
    /* and against the generated key object itself */
    assert_int_equal(crypto_jwk_encrypt(pub_jwk, pub_len, "abc", 3, &ct,
                                        &len),
                     CD_OK);
    assert_int_equal(crypto_rsa_decrypt(key, ct, len, &pt, &n), CD_OK);
    assert_memory_equal(pt, "abc", 3);
    crypto_free_secret(pt, n);
    free(ct);
    assert_int_equal(crypto_jwk_encrypt("{}", 2, "abc", 3, &ct, &len),
                     CD_EPROTO);
    assert_int_equal(crypto_jwk_decrypt(pub_jwk, pub_len, "{1,} AAAA", 9,
                                        &pt, &n),
                     CD_EPROTO);
}

/* Replace the first occurrence of from in s (heap) by to; returns a new
 * heap string. */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    size_t n = strlen(s) - strlen(from) + strlen(to), pre;
    char *out = malloc(n + 1);

    assert_non_null(at);
    assert_non_null(out);
    pre = (size_t)(at - s);
    memcpy(out, s, pre);
    memcpy(out + pre, to, strlen(to));
    memcpy(out + pre + strlen(to), at + strlen(from),
           strlen(at + strlen(from)) + 1);
    return out;
}

static int import_pub(const char *json)
{
    struct crypto_rsa_key *k = NULL;
    int rc = crypto_jwk_import_public(json, strlen(json), &k);

    if (rc == CD_OK)
        assert_non_null(k);
    else
        assert_null(k);
    crypto_rsa_key_free(k);
    return rc;
}

static int import_priv(const char *json)
{
    struct crypto_rsa_key *k = NULL;
    int rc = crypto_jwk_import_private(json, strlen(json), &k);

    crypto_rsa_key_free(k);
    return rc;
}

static void test_import_bad(void **state)
{
    char *s;

    (void)state;
    assert_int_equal(import_pub(""), CD_EPROTO);
    assert_int_equal(import_pub("[]"), CD_EPROTO);
    assert_int_equal(import_pub("{\"kty\":\"RSA\"}"), CD_EPROTO);
    assert_int_equal(import_pub("{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":5}"),
                     CD_EPROTO);
    s = replace(pub_jwk, "\"RSA\"", "\"EC\"");
    assert_int_equal(import_pub(s), CD_EPROTO);
    free(s);
    s = replace(pub_jwk, "\"AQAB\"", "\"AQAB=\"");
    assert_int_equal(import_pub(s), CD_EPROTO);
    free(s);
    s = replace(pub_jwk, "\"AQAB\"", "\"\"");
    assert_int_equal(import_pub(s), CD_EPROTO);
    free(s);
    s = replace(pub_jwk, "}", "}x");
    assert_int_equal(import_pub(s), CD_EPROTO);
    free(s);
    /* an even public exponent is not a key */
    s = replace(pub_jwk, "\"AQAB\"", "\"AQAC\"");
    assert_int_equal(import_pub(s), CD_EINVAL);
    free(s);
    /* a 1024-bit modulus is too small */
    assert_int_equal(import_pub("{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\""
                                "wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB\"}"),
                     CD_EINVAL);
    /* extra members, as WebCrypto exports them, are ignored */
    s = replace(pub_jwk, "{", "{\"alg\":\"RSA-OAEP-256\",\"ext\":true,"
                              "\"key_ops\":[\"encrypt\"],");
    assert_int_equal(import_pub(s), CD_OK);
    free(s);
}

static void test_import_bad_private(void **state)
{
    char *s, *d;
    const char *dv;

    (void)state;
    /* a private JWK with a member missing, or parts that do not match */
    s = replace(priv_jwk, "\"qi\"", "\"qj\"");
    assert_int_equal(import_priv(s), CD_EPROTO);
    free(s);
    dv = strstr(priv_jwk, "\"d\":\"") + 5;
    s = replace(priv_jwk, (char[]){ dv[0], dv[1], dv[2], 0 },
                dv[0] == 'A' ? "BAA" : "AAA");
    assert_int_equal(import_priv(s), CD_EINVAL);
    free(s);
    assert_int_equal(import_priv(pub_jwk), CD_EPROTO); /* no d */
    /* valid members, swapped: dp and dq, then p and q */
    s = replace(priv_jwk, "\"dp\"", "\"DQ\"");
    d = replace(s, "\"dq\"", "\"dp\"");
    free(s);
    s = replace(d, "\"DQ\"", "\"dq\"");
    free(d);
    assert_int_equal(import_priv(s), CD_EINVAL);
    free(s);
    s = replace(priv_jwk, "\"p\"", "\"Q\"");
    d = replace(s, "\"q\"", "\"p\"");
    free(s);
    s = replace(d, "\"Q\"", "\"q\"");
    free(d);
    assert_int_equal(import_priv(s), CD_EINVAL);
    free(s);
}

/* JWK text padded with leading whitespace to exactly len bytes. */
static char *padded(const char *jwk, size_t len)
{
    size_t n = strlen(jwk);
    char *s = malloc(len + 1);

    assert_non_null(s);
    assert_true(len >= n);
    memset(s, ' ', len - n);
    memcpy(s + len - n, jwk, n + 1);
    return s;
}

static void test_cap(void **state)
{
    struct crypto_rsa_key *k = NULL;
    unsigned char kek[32];
    char *s;

    (void)state;
    s = padded(pub_jwk, CRYPTO_JWK_MAX);
    assert_int_equal(crypto_jwk_import_public(s, CRYPTO_JWK_MAX, &k), CD_OK);
    crypto_rsa_key_free(k);
    free(s);
    s = padded(pub_jwk, CRYPTO_JWK_MAX + 1);
    assert_int_equal(crypto_jwk_import_public(s, CRYPTO_JWK_MAX + 1, &k),
                     CD_ETOOBIG);
    assert_null(k);
    assert_int_equal(crypto_jwk_import_private(s, CRYPTO_JWK_MAX + 1, &k),
                     CD_ETOOBIG);
    free(s);
    s = padded(priv_jwk, CRYPTO_JWK_MAX);
    assert_int_equal(crypto_jwk_import_private(s, CRYPTO_JWK_MAX, &k), CD_OK);
    crypto_rsa_key_free(k);
    free(s);
    s = padded("{\"k\":\"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8\","
               "\"kty\":\"oct\"}",
               CRYPTO_JWK_MAX);
    assert_int_equal(crypto_jwk_import_oct(s, CRYPTO_JWK_MAX, kek), CD_OK);
    assert_int_equal(crypto_jwk_import_oct(s, CRYPTO_JWK_MAX + 1, kek),
                     CD_ETOOBIG); /* the NUL counted in: one past */
    free(s);
    /* an integer longer than 8192 bits */
    s = malloc(2000);
    assert_non_null(s);
    memcpy(s, "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"", 29);
    memset(s + 29, 'w', 1368); /* 1026 bytes */
    memcpy(s + 29 + 1368, "\"}", 3);
    assert_int_equal(import_pub(s), CD_EINVAL);
    free(s);
}

static void test_oct(void **state)
{
    unsigned char kek[32], back[32];
    char out[CRYPTO_JWK_OCT_SIZE];

    (void)state;
    fill_seq(kek, sizeof(kek), 0x40);
    crypto_jwk_export_oct(kek, out);
    assert_string_equal(out, "{\"k\":\"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1"
                             "xdXl8\",\"kty\":\"oct\"}");
    assert_int_equal(strlen(out), CRYPTO_JWK_OCT_SIZE - 1);
    assert_int_equal(crypto_jwk_import_oct(out, strlen(out), back), CD_OK);
    assert_memory_equal(back, kek, 32);
    /* as WebCrypto exports it */
    {
        const char *wc = "{\"alg\":\"A256GCM\",\"ext\":true,\"k\":\"QEFCQ0RF"
                         "RkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8\",\"key_ops\":["
                         "\"encrypt\",\"decrypt\"],\"kty\":\"oct\"}";

        assert_int_equal(crypto_jwk_import_oct(wc, strlen(wc), back), CD_OK);
        assert_memory_equal(back, kek, 32);
    }
    assert_int_equal(crypto_jwk_import_oct("{\"k\":\"QEFCQ0RFRkdISUpLTE1OT w\","
                                           "\"kty\":\"oct\"}",
                                           45, back),
                     CD_EPROTO);
    assert_int_equal(crypto_jwk_import_oct("{\"k\":\"QEFCQ0RFRkdISUpLTE1OTw\","
                                           "\"kty\":\"oct\"}",
                                           44, back),
                     CD_EPROTO); /* 16 bytes */
    assert_int_equal(crypto_jwk_import_oct(pub_jwk, pub_len, back),
                     CD_EPROTO);
    assert_int_equal(crypto_jwk_import_oct("{\"kty\":\"oct\"}", 13, back),
                     CD_EPROTO);
    for (size_t i = 0; i < 32; i++)
        assert_int_equal(back[i], 0); /* zeroed on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_shape),
        cmocka_unit_test(test_private_shape),
        cmocka_unit_test(test_import_export),
        cmocka_unit_test(test_oaep_via_jwk),
        cmocka_unit_test(test_import_bad),
        cmocka_unit_test(test_import_bad_private),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_oct),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
