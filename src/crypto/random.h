/* random.h -- the one source of randomness for keys, ids and tokens.
 *
 * Backed by OpenSSL's CSPRNG (seeded from the kernel). Thread-safe.
 */
#ifndef CD_CRYPTO_RANDOM_H
#define CD_CRYPTO_RANDOM_H

#include <stddef.h>

#include "common/err.h"

/* Fill buf[0..n) with cryptographically secure random bytes. CD_EIO if the
 * generator fails (then buf must not be used). */
int crypto_random(void *buf, size_t n) CD_MUST_CHECK;

/* Write a random UUIDv4 in canonical lowercase form into out[37]. */
int crypto_uuid4(char out[37]) CD_MUST_CHECK;

#endif /* CD_CRYPTO_RANDOM_H */
