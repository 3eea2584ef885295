/* hmac.h -- HMAC-SHA256 for keyed lookups and derived keys. */
#ifndef CD_CRYPTO_HMAC_H
#define CD_CRYPTO_HMAC_H

#include <stddef.h>

#include "common/err.h"

#define CRYPTO_HMAC_LEN 32

/* out = HMAC-SHA256(key, data). CD_EIO if the library fails. */
int crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
                       size_t n, unsigned char out[CRYPTO_HMAC_LEN])
    CD_MUST_CHECK;

#endif /* CD_CRYPTO_HMAC_H */
