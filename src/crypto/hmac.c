/* hmac.c -- HMAC-SHA256 on OpenSSL (see hmac.h). */
#include "common/common.h"
#include "crypto/hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

int crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
                       size_t n, unsigned char out[CRYPTO_HMAC_LEN])
{
    unsigned int len = 0;

    if (HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len) == NULL ||
        len != CRYPTO_HMAC_LEN)
        return CD_EIO;
    return CD_OK;
}
