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

/* A key made ready once for many HMAC-SHA256 computations, for a hot
 * path with a fixed key (the rate limiter's keys, one per request): each
 * crypto_hmac_run() works on a copy of the keyed state instead of
 * fetching the algorithm and hashing the key again, about a third of
 * crypto_hmac_sha256()'s cost. The key is copied; after crypto_hmac_new()
 * the object is only read, so threads may share it. */
struct crypto_hmac;

/* CD_OK, or CD_EIO (*out NULL) if the library fails. */
int crypto_hmac_new(struct crypto_hmac **out, const void *key, size_t keylen)
    CD_MUST_CHECK;

/* out = HMAC-SHA256(h's key, data). CD_EIO if the library fails. */
int crypto_hmac_run(const struct crypto_hmac *h, const void *data, size_t n,
                    unsigned char out[CRYPTO_HMAC_LEN]) CD_MUST_CHECK;

/* NULL is fine; the library clears the keyed state. */
void crypto_hmac_free(struct crypto_hmac *h);

#endif /* CD_CRYPTO_HMAC_H */
