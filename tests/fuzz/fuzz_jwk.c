/* fuzz_jwk.c -- JWK import (src/crypto/jwk.c) on arbitrary text.
 *
 * Input: one byte K choosing the importer (K % 3: the key-encryption key
 * "oct", a public RSA key, a private RSA key), then the JSON. Checks,
 * besides "no crash":
 *   - an accepted oct JWK exports to {"k":...,"kty":"oct"}, which imports
 *     to the same 32 bytes; a refused one leaves the key zeroed;
 *   - an accepted RSA key exports to a public JWK that imports again and
 *     exports to the same text (a fixed point), or, for a forged modulus
 *     only, is refused by OpenSSL's randomised public check (CD_EINVAL);
 *   - every failure is CD_ETOOBIG, CD_EPROTO or CD_EINVAL.
 */
#include <string.h>

#include "crypto/jwk.h"
#include "crypto/rsa.h"
#include "fuzz.h"

static void check_oct(const char *json, size_t len)
{
    unsigned char key[CRYPTO_KEK_LEN], again[CRYPTO_KEK_LEN];
    char out[CRYPTO_JWK_OCT_SIZE];
    int rc = crypto_jwk_import_oct(json, len, key);

    FUZZ_CHECK(rc == CD_OK || rc == CD_ETOOBIG || rc == CD_EPROTO);
    if (rc != CD_OK) {
        static const unsigned char zero[CRYPTO_KEK_LEN];

        FUZZ_CHECK(memcmp(key, zero, sizeof(key)) == 0);
        return;
    }
    crypto_jwk_export_oct(key, out);
    FUZZ_CHECK(crypto_jwk_import_oct(out, strlen(out), again) == CD_OK);
    FUZZ_CHECK(memcmp(key, again, sizeof(key)) == 0);
}

static void check_rsa(const char *json, size_t len, int private)
{
    struct crypto_rsa_key *k = NULL, *k2 = NULL;
    char *pub = NULL, *pub2 = NULL;
    size_t n = 0, n2 = 0;
    int rc = private ? crypto_jwk_import_private(json, len, &k)
                     : crypto_jwk_import_public(json, len, &k);

    FUZZ_CHECK(rc == CD_OK || rc == CD_ETOOBIG || rc == CD_EPROTO ||
               rc == CD_EINVAL);
    if (rc != CD_OK) {
        FUZZ_CHECK(k == NULL);
        return;
    }
    FUZZ_CHECK(crypto_jwk_export_public(k, &pub, &n) == CD_OK);
    /* OpenSSL's public check of the modulus is a randomised primality
     * test: a modulus that is no product of two large primes (which only
     * a forged key has) may pass once and fail the next time. So the
     * re-import may be CD_EINVAL; when it passes, it is the same key. */
    rc = crypto_jwk_import_public(pub, n, &k2);
    FUZZ_CHECK(rc == CD_OK || rc == CD_EINVAL);
    if (rc != CD_OK) {
        free(pub);
        crypto_rsa_key_free(k);
        return;
    }
    FUZZ_CHECK(crypto_jwk_export_public(k2, &pub2, &n2) == CD_OK);
    FUZZ_CHECK(n == n2 && memcmp(pub, pub2, n) == 0);
    free(pub);
    free(pub2);
    crypto_rsa_key_free(k);
    crypto_rsa_key_free(k2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json;

    if (size < 1)
        return 0;
    json = malloc(size);
    memcpy(json, data + 1, size - 1);
    switch (data[0] % 3) {
    case 0:
        check_oct(json, size - 1);
        break;
    case 1:
        check_rsa(json, size - 1, 0);
        break;
    default:
        check_rsa(json, size - 1, 1);
        break;
    }
    free(json);
    return 0;
}
