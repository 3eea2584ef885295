/* fuzz_token.c -- signed tokens from outside (src/crypto/token.c, gob.c):
 * the auth cookie and the reset and join links.
 *
 * The input is used twice. As a token: decoding it under a fixed key
 * never crashes and fails with one of the documented codes (a forged MAC
 * is not found by a fuzzer). As a payload: it is signed, so the gob
 * decoders behind the MAC see arbitrary bytes, and checked:
 *   - the signed token decodes to exactly the payload;
 *   - the same token with one character changed (chosen by the input) is
 *     refused;
 *   - the auth, reset and join verifiers parse the payload or refuse it
 *     with CD_EPROTO, and what they accept re-issues to a token that
 *     verifies to the same values.
 */
#include <string.h>

#include "crypto/gob.h"
#include "crypto/memeq.h"
#include "crypto/token.h"
#include "fuzz.h"

#define NOW INT64_C(1700000000)

static struct crypto_signer signer;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FUZZ_CHECK(crypto_signer_init(&signer, "fuzz-secret-key!", 16) == CD_OK);
    return 0;
}

static void as_token(const char *s, size_t n)
{
    unsigned char *p = NULL;
    size_t pn = 0;
    char *id = NULL;
    int rc;

    rc = crypto_token_decode(&signer, CRYPTO_TOKEN_AUTH_NAME, s, n, 0, NOW,
                             &p, &pn);
    FUZZ_CHECK(rc == CD_ETOOBIG || rc == CD_EPROTO || rc == CD_EAUTH);
    FUZZ_CHECK(p == NULL);
    rc = crypto_token_auth_verify(&signer, s, n, NOW, &id, &pn);
    FUZZ_CHECK(rc != CD_OK && id == NULL);
}

static void check_auth(const char *tok, size_t n)
{
    char *id = NULL, *again = NULL, *id2 = NULL;
    size_t idn = 0, an = 0, id2n = 0;
    int rc = crypto_token_auth_verify(&signer, tok, n, NOW, &id, &idn);

    FUZZ_CHECK(rc == CD_OK || rc == CD_EPROTO);
    if (rc != CD_OK)
        return;
    FUZZ_CHECK(crypto_token_auth_issue(&signer, id, idn, NOW, &again,
                                       &an) == CD_OK);
    FUZZ_CHECK(crypto_token_auth_verify(&signer, again, an, NOW, &id2,
                                        &id2n) == CD_OK);
    FUZZ_CHECK(idn == id2n && memcmp(id, id2, idn) == 0);
    free(id);
    free(id2);
    free(again);
}

static void check_reset(const char *tok, size_t n)
{
    struct crypto_credentials c = {0}, c2 = {0};
    char *again = NULL;
    size_t an = 0;
    int rc = crypto_token_reset_verify(&signer, tok, n, NOW, &c);

    FUZZ_CHECK(rc == CD_OK || rc == CD_EPROTO);
    if (rc != CD_OK)
        return;
    FUZZ_CHECK(c.email != NULL);
    rc = crypto_token_reset_issue(&signer, c.token, c.token_len, c.email,
                                  c.email_len, NOW, &again, &an);
    FUZZ_CHECK(rc == CD_OK || rc == CD_ETOOBIG);
    if (rc == CD_OK) {
        FUZZ_CHECK(crypto_token_reset_verify(&signer, again, an, NOW,
                                             &c2) == CD_OK);
        FUZZ_CHECK(c2.token_len == c.token_len && c2.email_len == c.email_len);
        FUZZ_CHECK(c.token_len == 0 ||
                   memcmp(c.token, c2.token, c.token_len) == 0);
        FUZZ_CHECK(memcmp(c.email, c2.email, c.email_len) == 0);
        crypto_credentials_release(&c2);
        crypto_free_secret(again, an);
    }
    crypto_credentials_release(&c);
}

static void check_join(const char *tok, size_t n)
{
    char *email = NULL;
    size_t en = 0;
    int rc = crypto_token_join_verify(&signer, tok, n, NOW, &email, &en);

    FUZZ_CHECK(rc == CD_OK || rc == CD_EPROTO);
    free(email);
}

static void as_payload(const uint8_t *data, size_t size)
{
    unsigned char *p = NULL;
    size_t pn = 0, tn = 0;
    char *tok = NULL;
    int rc;

    rc = crypto_token_encode(&signer, CRYPTO_TOKEN_AUTH_NAME, data, size,
                             NOW, &tok, &tn);
    if (rc == CD_ETOOBIG)
        return;
    FUZZ_CHECK(rc == CD_OK);
    FUZZ_CHECK(crypto_token_decode(&signer, CRYPTO_TOKEN_AUTH_NAME, tok, tn,
                                   0, NOW, &p, &pn) == CD_OK);
    FUZZ_CHECK(pn == size && (size == 0 || memcmp(p, data, size) == 0));
    crypto_free_secret(p, pn);
    p = NULL;
    check_auth(tok, tn);
    if (size > 0) { /* one character changed: refused */
        size_t at = data[0] % tn;
        char was = tok[at];

        tok[at] = was == 'A' ? 'B' : 'A';
        FUZZ_CHECK(crypto_token_decode(&signer, CRYPTO_TOKEN_AUTH_NAME, tok,
                                       tn, 0, NOW, &p, &pn) != CD_OK);
        tok[at] = was;
    }
    crypto_free_secret(tok, tn);

    rc = crypto_token_encode(&signer, CRYPTO_TOKEN_CREDENTIALS_NAME, data,
                             size, NOW, &tok, &tn);
    FUZZ_CHECK(rc == CD_OK);
    check_reset(tok, tn);
    check_join(tok, tn);
    crypto_free_secret(tok, tn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);

    memcpy(s, data, size);
    as_token(s, size);
    free(s);
    as_payload(data, size);
    return 0;
}
