/* memeq.c -- constant-time compare and wipe, on OpenSSL (see memeq.h). */
#include "common/common.h"
#include "crypto/memeq.h"

#include <openssl/crypto.h>
#include <stdlib.h>

bool crypto_memeq(const void *a, const void *b, size_t n)
{
    if (n == 0)
        return true;
    return CRYPTO_memcmp(a, b, n) == 0;
}

void crypto_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        OPENSSL_cleanse(p, n);
}

void crypto_free_secret(void *p, size_t n)
{
    if (p == NULL)
        return;
    crypto_wipe(p, n);
    free(p);
}
