/* fuzz_cipher.c -- Offen's versioned cipher strings (src/crypto/cipher.c):
 * crypto_versioned_parse() and crypto_aes_decrypt() on arbitrary text.
 *
 * Checks, besides "no crash":
 *   - what parses formats back to a string that parses to the same algo
 *     and chunks, and that string is the input itself when the input
 *     has no key-version digits and no chunks after the nonce (canonical);
 *   - decrypting arbitrary text under a fixed key never succeeds unless
 *     the text parses (and it practically never does: the tag must verify);
 *     every failure is one of the documented codes and leaves *pt NULL;
 *   - encrypting the input under the key and decrypting gives it back.
 */
#include <string.h>

#include "crypto/cipher.h"
#include "crypto/memeq.h"
#include "fuzz.h"

static const unsigned char key[32] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

/* Whether s has the canonical shape "{N,} c[ n]": no key version digits
 * and at most two chunks. */
static int canonical_shape(const char *s, size_t len)
{
    const char *comma = memchr(s, ',', len);
    size_t spaces = 0;

    if (comma == NULL || (size_t)(comma - s) + 1 >= len || comma[1] != '}')
        return 0;
    for (size_t i = 0; i < len; i++)
        spaces += s[i] == ' ';
    return spaces <= 2;
}

static void check_roundtrip(const char *s, size_t len)
{
    struct crypto_versioned v = {0}, again = {0};
    size_t n;
    char *out;

    if (crypto_versioned_parse(&v, s, len) != CD_OK)
        return;
    FUZZ_CHECK(v.cipher != NULL && v.cipher_len >= 1);
    FUZZ_CHECK((v.nonce == NULL) == (v.nonce_len == 0));
    n = crypto_versioned_len(v.algo, v.cipher_len, v.nonce_len);
    out = malloc(n + 1);
    FUZZ_CHECK(crypto_versioned_format(out, n + 1, v.algo, v.cipher,
                                       v.cipher_len, v.nonce,
                                       v.nonce_len) == CD_OK);
    FUZZ_CHECK(strlen(out) == n);
    FUZZ_CHECK(crypto_versioned_parse(&again, out, n) == CD_OK);
    FUZZ_CHECK(again.algo == v.algo && again.cipher_len == v.cipher_len &&
               again.nonce_len == v.nonce_len);
    FUZZ_CHECK(memcmp(again.cipher, v.cipher, v.cipher_len) == 0);
    if (v.nonce_len)
        FUZZ_CHECK(memcmp(again.nonce, v.nonce, v.nonce_len) == 0);
    /* "{01,}" parses as algo 1 but formats as "{1,}": compare only when
     * the algo digits are as the formatter writes them. */
    if (canonical_shape(s, len) && (s[1] != '0' || s[2] == ','))
        FUZZ_CHECK(n == len && memcmp(out, s, len) == 0);
    crypto_versioned_release(&again);
    crypto_versioned_release(&v);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    unsigned char *pt = NULL;
    size_t n = 0, outlen = 0;
    char *enc = NULL;
    int rc;

    memcpy(s, data, size);
    check_roundtrip(s, size);

    rc = crypto_aes_decrypt(key, sizeof(key), s, size, &pt, &n);
    FUZZ_CHECK(rc == CD_OK || rc == CD_EPROTO || rc == CD_ETOOBIG ||
               rc == CD_EAUTH);
    if (rc != CD_OK)
        FUZZ_CHECK(pt == NULL && n == 0);
    else
        crypto_free_secret(pt, n);

    if (size <= 4096) {
        FUZZ_CHECK(crypto_aes_encrypt(key, sizeof(key), s, size, &enc,
                                      &outlen) == CD_OK);
        FUZZ_CHECK(crypto_aes_decrypt(key, sizeof(key), enc, outlen, &pt,
                                      &n) == CD_OK);
        FUZZ_CHECK(n == size && memcmp(pt, s, size) == 0);
        crypto_free_secret(pt, n);
        free(enc);
    }
    free(s);
    return 0;
}
