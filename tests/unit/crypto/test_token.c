/* test_token.c -- crypto/token: securecookie-compatible tokens, with the
 * auth example of reference/offen-server.md §10, per-kind max ages, the
 * future-timestamp rule, the name binding, type checks and the 4096 cap. */
#include "common/common.h"

#include <stdlib.h>

#include "crypto_test.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/base64.h"
#include "crypto/gob.h"
#include "crypto/memeq.h"
#include "crypto/token.h"

#define USER "4f1e6a32-8c1b-4b4e-9a53-2d7cf0b0c0de"
#define TS 1700000000
#define AUTH_TOKEN                                                            \
    "MTcwMDAwMDAwMHxKd3dBSkRSbU1XVTJZVE15TFRoak1XSXROR0kwWlMwNVlUVXpMVEpr" \
    "TjJObU1HSXdZekJrWlE9PXyeiYOc29EYflfjOiVLSNQxdvcVMcfozAn_HbCdE1Wo1w=="
#define DAY (24 * 60 * 60)

static struct crypto_signer signer; /* key bytes 00..0f */

static int setup(void **state)
{
    unsigned char key[16];

    (void)state;
    fill_seq(key, sizeof(key), 0);
    return crypto_signer_init(&signer, key, sizeof(key)) == CD_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    crypto_signer_release(&signer);
    return 0;
}

static int auth_verify(const char *tok, int64_t now, char **id)
{
    size_t n;

    return crypto_token_auth_verify(&signer, tok, strlen(tok), now, id, &n);
}

static void test_auth_vector(void **state)
{
    char *tok = NULL, *id = NULL;
    size_t len = 0, n = 0;

    (void)state;
    assert_int_equal(crypto_token_auth_issue(&signer, USER, strlen(USER), TS,
                                             &tok, &len),
                     CD_OK);
    assert_string_equal(tok, AUTH_TOKEN);
    assert_int_equal(len, strlen(AUTH_TOKEN));
    free(tok);
    assert_int_equal(crypto_token_auth_verify(&signer, AUTH_TOKEN,
                                              strlen(AUTH_TOKEN), TS, &id,
                                              &n),
                     CD_OK);
    assert_string_equal(id, USER);
    assert_int_equal(n, 36);
    free(id);
}

static void test_auth_max_age(void **state)
{
    char *id = NULL;

    (void)state;
    assert_int_equal(auth_verify(AUTH_TOKEN, TS + DAY, &id), CD_OK);
    free(id);
    assert_int_equal(auth_verify(AUTH_TOKEN, TS + DAY + 1, &id), CD_EAUTH);
    assert_null(id);
    /* the future: a minute of skew is fine, more is not */
    assert_int_equal(auth_verify(AUTH_TOKEN, TS - CRYPTO_TOKEN_MAX_SKEW, &id),
                     CD_OK);
    free(id);
    assert_int_equal(auth_verify(AUTH_TOKEN, TS - CRYPTO_TOKEN_MAX_SKEW - 1,
                                 &id),
                     CD_EAUTH);
    assert_null(id);
}

static void test_join(void **state)
{
    char *tok = NULL, *email = NULL, *id = NULL;
    size_t len = 0, n = 0;

    (void)state;
    assert_int_equal(crypto_token_join_issue(&signer, "a@b.c", 5, TS, &tok,
                                             &len),
                     CD_OK);
    assert_int_equal(crypto_token_join_verify(&signer, tok, len,
                                              TS + 7 * DAY, &email, &n),
                     CD_OK);
    assert_string_equal(email, "a@b.c");
    free(email);
    assert_int_equal(crypto_token_join_verify(&signer, tok, len,
                                              TS + 7 * DAY + 1, &email, &n),
                     CD_EAUTH);
    /* the MAC binds the name: a join token is no auth token */
    assert_int_equal(auth_verify(tok, TS, &id), CD_EAUTH);
    assert_null(id);
    free(tok);
    /* and an auth token is no join token */
    assert_int_equal(crypto_token_join_verify(&signer, AUTH_TOKEN,
                                              strlen(AUTH_TOKEN), TS, &email,
                                              &n),
                     CD_EAUTH);
    assert_null(email);
}

static void test_reset(void **state)
{
    unsigned char key[32];
    struct crypto_credentials c;
    char *tok = NULL, *email = NULL;
    size_t len = 0, n;

    (void)state;
    fill_seq(key, sizeof(key), 0xa0);
    assert_int_equal(crypto_token_reset_issue(&signer, key, 32, "x@y.z", 5,
                                              TS, &tok, &len),
                     CD_OK);
    assert_int_equal(crypto_token_reset_verify(&signer, tok, len, TS + DAY,
                                               &c),
                     CD_OK);
    assert_int_equal(c.token_len, 32);
    assert_memory_equal(c.token, key, 32);
    assert_string_equal(c.email, "x@y.z");
    crypto_credentials_release(&c);
    assert_int_equal(crypto_token_reset_verify(&signer, tok, len,
                                               TS + DAY + 1, &c),
                     CD_EAUTH);
    /* same name, other payload type: a reset token is no join token */
    assert_int_equal(crypto_token_join_verify(&signer, tok, len, TS, &email,
                                              &n),
                     CD_EPROTO);
    assert_null(email);
    crypto_free_secret(tok, len);
    /* and a join token is no reset token */
    assert_int_equal(crypto_token_join_issue(&signer, "x@y.z", 5, TS, &tok,
                                             &len),
                     CD_OK);
    assert_int_equal(crypto_token_reset_verify(&signer, tok, len, TS, &c),
                     CD_EPROTO);
    assert_null(c.email);
    free(tok);
}

static void test_tampered(void **state)
{
    char tok[] = AUTH_TOKEN, *id = NULL;

    (void)state;
    for (size_t i = 0; tok[i] != '\0'; i++) {
        char orig = tok[i];

        if (orig == '=')
            continue;
        tok[i] = orig == 'A' ? 'B' : 'A';
        if (auth_verify(tok, TS, &id) == CD_OK)
            fail_msg("tampered token accepted (position %zu)", i);
        assert_null(id);
        tok[i] = orig;
    }
    assert_int_equal(auth_verify(tok, TS, &id), CD_OK);
    free(id);
}

static void test_wrong_secret(void **state)
{
    struct crypto_signer other;
    unsigned char key[16];
    char *id = NULL;
    size_t n;

    (void)state;
    fill_seq(key, sizeof(key), 1);
    assert_int_equal(crypto_signer_init(&other, key, sizeof(key)), CD_OK);
    assert_int_equal(crypto_token_auth_verify(&other, AUTH_TOKEN,
                                              strlen(AUTH_TOKEN), TS, &id,
                                              &n),
                     CD_EAUTH);
    crypto_signer_release(&other);
    assert_int_equal(other.key_len, 0);
}

/* base64url with padding of s, as a new heap string. */
static char *b64u(const void *s, size_t n)
{
    char *out = malloc(base64_encoded_len(n) + 1);

    assert_non_null(out);
    base64_encode(out, s, n);
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    return out;
}

/* A token built independently with OpenSSL's HMAC: "ts|v|mac" where
 * mac = HMAC-SHA256(key, "name|ts|v"). */
static char *forge(const char *name, const char *ts, const char *v)
{
    char msg[256];
    unsigned char raw[300], key[16];
    unsigned int maclen = 0;
    int mlen = snprintf(msg, sizeof(msg), "%s|%s|%s", name, ts, v);
    size_t off = strlen(name) + 1, rawlen = (size_t)mlen - off;

    fill_seq(key, sizeof(key), 0);
    memcpy(raw, msg + off, rawlen);
    raw[rawlen++] = '|';
    assert_non_null(HMAC(EVP_sha256(), key, sizeof(key), (unsigned char *)msg,
                         (size_t)mlen, raw + rawlen, &maclen));
    return b64u(raw, rawlen + maclen);
}

static void test_malformed(void **state)
{
    char *tok, *id = NULL;
    unsigned char *payload = NULL;
    size_t n;

    (void)state;
    tok = b64u("1700000000|no second pipe", 25);
    assert_int_equal(auth_verify(tok, TS, &id), CD_EPROTO);
    free(tok);
    tok = b64u("", 0);
    assert_int_equal(auth_verify(tok, TS, &id), CD_EPROTO);
    free(tok);
    assert_int_equal(auth_verify("not base64!", TS, &id), CD_EPROTO);
    assert_int_equal(auth_verify("MTcw+DAw", TS, &id), CD_EPROTO);
    assert_int_equal(auth_verify("MTcwMDAwMDAwMHw", TS, &id), CD_EPROTO);
    assert_null(id);
    /* a valid MAC over a timestamp that is not a plain decimal */
    tok = forge("auth", "+1700000000", "AwwAAA==");
    assert_int_equal(crypto_token_decode(&signer, "auth", tok, strlen(tok), 0,
                                         TS, &payload, &n),
                     CD_EPROTO);
    free(tok);
    tok = forge("auth", "", "AwwAAA==");
    assert_int_equal(crypto_token_decode(&signer, "auth", tok, strlen(tok), 0,
                                         TS, &payload, &n),
                     CD_EPROTO);
    free(tok);
    /* ... and the same construction with a good timestamp verifies, which
     * pins the MAC input to "name|ts|v" */
    tok = forge("auth", "1700000000", "AwwAAA==");
    assert_int_equal(crypto_token_decode(&signer, "auth", tok, strlen(tok), 0,
                                         TS, &payload, &n),
                     CD_OK);
    assert_memory_equal(payload, "\x03\x0c\x00\x00", 4);
    crypto_free_secret(payload, n);
    free(tok);
    assert_null(id);
    assert_int_equal(crypto_token_encode(&signer, "auth", "x", 1, -1, &tok,
                                         &n),
                     CD_EINVAL);
}

/* The MAC is raw bytes and may contain '|': only the first two split. */
static void test_pipe_in_mac(void **state)
{
    unsigned char raw[CRYPTO_TOKEN_MAX], *payload = NULL;
    char *tok = NULL;
    size_t len, rawlen, n, found = 0;

    (void)state;
    for (int64_t ts = TS; ts < TS + 400 && found < 3; ts++) {
        assert_int_equal(crypto_token_encode(&signer, "auth", "payload", 7,
                                             ts, &tok, &len),
                         CD_OK);
        for (size_t i = 0; i < len; i++)
            if (tok[i] == '-' || tok[i] == '_')
                tok[i] = tok[i] == '-' ? '+' : '/';
        assert_int_equal(base64_decode(raw, sizeof(raw), &rawlen, tok, len),
                         CD_OK);
        free(tok);
        if (memchr(raw + rawlen - 32, '|', 32) == NULL)
            continue;
        found++;
        assert_int_equal(crypto_token_encode(&signer, "auth", "payload", 7,
                                             ts, &tok, &len),
                         CD_OK);
        assert_int_equal(crypto_token_decode(&signer, "auth", tok, len, 0, ts,
                                             &payload, &n),
                         CD_OK);
        assert_int_equal(n, 7);
        assert_memory_equal(payload, "payload", 7);
        crypto_free_secret(payload, n);
        free(tok);
    }
    assert_true(found > 0);
}

static void test_no_expiry(void **state)
{
    unsigned char *payload = NULL;
    size_t n;

    (void)state;
    /* max_age 0: securecookie's "no expiry" */
    assert_int_equal(crypto_token_decode(&signer, "auth", AUTH_TOKEN,
                                         strlen(AUTH_TOKEN), 0,
                                         TS + 1000 * DAY, &payload, &n),
                     CD_OK);
    assert_int_equal(n, 40); /* gob of the 36-byte id */
    crypto_free_secret(payload, n);
    assert_int_equal(crypto_token_decode(&signer, "auth", AUTH_TOKEN,
                                         strlen(AUTH_TOKEN), -1, TS,
                                         &payload, &n),
                     CD_EINVAL);
}

static void test_length_cap(void **state)
{
    char *id = malloc(3000), *tok = NULL, *got = NULL, *big;
    size_t len = 0, n = 0;

    (void)state;
    assert_non_null(id);
    memset(id, 'u', 3000);
    /* gob = L + 8, v = 4 ceil((L + 8) / 3), raw = 11 + v + 1 + 32:
     * L = 2263 gives exactly 4096 characters, L = 2264 gives 4104. */
    assert_int_equal(crypto_token_auth_issue(&signer, id, 2263, TS, &tok,
                                             &len),
                     CD_OK);
    assert_int_equal(len, CRYPTO_TOKEN_MAX);
    assert_int_equal(crypto_token_auth_verify(&signer, tok, len, TS, &got,
                                              &n),
                     CD_OK);
    assert_int_equal(n, 2263);
    free(got);
    free(tok);
    assert_int_equal(crypto_token_auth_issue(&signer, id, 2264, TS, &tok,
                                             &len),
                     CD_ETOOBIG);
    assert_null(tok);
    big = malloc(CRYPTO_TOKEN_MAX + 2);
    assert_non_null(big);
    memset(big, 'A', CRYPTO_TOKEN_MAX + 1);
    big[CRYPTO_TOKEN_MAX + 1] = '\0';
    assert_int_equal(auth_verify(big, TS, &got), CD_ETOOBIG);
    free(big);
    free(id);
}

static void test_signer_key(void **state)
{
    unsigned char key[CRYPTO_TOKEN_KEY_MAX + 1] = { 0 };
    struct crypto_signer s;

    (void)state;
    assert_int_equal(crypto_signer_init(&s, key, 0), CD_EINVAL);
    assert_int_equal(crypto_signer_init(&s, key, CRYPTO_TOKEN_KEY_MAX), CD_OK);
    assert_int_equal(s.key_len, CRYPTO_TOKEN_KEY_MAX);
    crypto_signer_release(&s);
    assert_int_equal(crypto_signer_init(&s, key, CRYPTO_TOKEN_KEY_MAX + 1),
                     CD_ETOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_vector),
        cmocka_unit_test(test_auth_max_age),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_wrong_secret),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_pipe_in_mac),
        cmocka_unit_test(test_no_expiry),
        cmocka_unit_test(test_length_cap),
        cmocka_unit_test(test_signer_key),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
