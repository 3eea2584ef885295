/* hmac.c -- HMAC-SHA256 on OpenSSL (see hmac.h). */
#include "common/common.h"
#include "crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include "common/xalloc.h"

struct crypto_hmac {
    EVP_MAC_CTX *keyed; /* initialised with the key, never finalised */
};

int crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
                       size_t n, unsigned char out[CRYPTO_HMAC_LEN])
{
    unsigned int len = 0;

    if (HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len) == NULL ||
        len != CRYPTO_HMAC_LEN)
        return CD_EIO;
    return CD_OK;
}

int crypto_hmac_new(struct crypto_hmac **out, const void *key, size_t keylen)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    struct crypto_hmac *h = xcalloc(1, sizeof(*h));

    *out = NULL;
    h->keyed = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac); /* the context holds its own reference */
    if (h->keyed == NULL ||
        EVP_MAC_init(h->keyed, key, keylen, params) != 1) {
        crypto_hmac_free(h);
        return CD_EIO;
    }
    *out = h;
    return CD_OK;
}

int crypto_hmac_run(const struct crypto_hmac *h, const void *data, size_t n,
                    unsigned char out[CRYPTO_HMAC_LEN])
{
    EVP_MAC_CTX *c = EVP_MAC_CTX_dup(h->keyed);
    size_t len = 0;
    int ok = c != NULL && EVP_MAC_update(c, data, n) == 1 &&
             EVP_MAC_final(c, out, &len, CRYPTO_HMAC_LEN) == 1 &&
             len == CRYPTO_HMAC_LEN;

    EVP_MAC_CTX_free(c);
    return ok ? CD_OK : CD_EIO;
}

void crypto_hmac_free(struct crypto_hmac *h)
{
    if (h == NULL)
        return;
    EVP_MAC_CTX_free(h->keyed);
    free(h);
}
