/* ulid.h -- ULIDs: event ids and sync sequences (reference §13).
 *
 * A ULID is 26 characters of Crockford base32, uppercase
 * ("0123456789ABCDEFGHJKMNPQRSTVWXYZ"): the first 10 encode 48 bits of
 * Unix milliseconds, the last 16 encode 80 random bits. Plain string
 * comparison orders ULIDs by time, which is what the sync contract of
 * docs/internals/store.md relies on.
 *
 * crypto_ulid_new() is a process-wide MONOTONIC generator: every id it
 * returns is greater than every id it returned before, on any thread.
 * Within one millisecond (or while the clock stands behind the last id),
 * the random part of the last id grows by a random 1..2^32, as Offen's
 * generator does; when those 80 bits run out, the generator moves on to
 * the next millisecond instead of failing. Random bits come from the
 * CSPRNG (crypto_random), not from a seeded PRNG as in Offen.
 *
 * Threading: every function is thread-safe; crypto_ulid_new() takes a
 * mutex for a few microseconds (longer only when it waits for the next
 * millisecond after an overflow).
 */
#ifndef CD_CRYPTO_ULID_H
#define CD_CRYPTO_ULID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CRYPTO_ULID_LEN 26  /* characters */
#define CRYPTO_ULID_SIZE 27 /* with the NUL */
#define CRYPTO_ULID_RANDOM_LEN 10 /* bytes of randomness: 80 bits */
/* The largest time a ULID holds: 2^48 - 1 ms, in the year 10889. */
#define CRYPTO_ULID_TIME_MAX INT64_C(281474976710655)

/* Write the ULID of time ms (0..CRYPTO_ULID_TIME_MAX, asserted) and the
 * given random part, big-endian, into out. Deterministic: for test vectors
 * and for code that builds its own random part. */
void crypto_ulid_encode(int64_t ms,
                        const unsigned char rnd[CRYPTO_ULID_RANDOM_LEN],
                        char out[CRYPTO_ULID_SIZE]);

/* A new ULID for now, greater than every ULID this process generated with
 * it before (see above). CD_OK, or CD_EIO if the CSPRNG fails (out is then
 * "", and the generator's state is unchanged). */
int crypto_ulid_new(char out[CRYPTO_ULID_SIZE]) CD_MUST_CHECK;

/* A ULID for the time ms with fresh random bits, outside the monotonic
 * sequence: for back-dated event ids (the demo) and for expiry deadlines
 * (every event id below ULID(now - retention) is expired). CD_OK,
 * CD_EINVAL for ms outside 0..CRYPTO_ULID_TIME_MAX, or CD_EIO. */
int crypto_ulid_at(int64_t ms, char out[CRYPTO_ULID_SIZE]) CD_MUST_CHECK;

/* A "sibling" of id (reference §11.3): the same millisecond, fresh random
 * bits. Parking a visitor's events copies each under a sibling id, so the
 * copy keeps the time the original was received. CD_OK, CD_EINVAL if id
 * is not a valid ULID (crypto_ulid_valid(id, strlen(id))), or CD_EIO.
 * The signature matches store.h's struct store_ulids. */
int crypto_ulid_sibling(const char *id,
                        char out[CRYPTO_ULID_SIZE]) CD_MUST_CHECK;

/* Whether s[0..n) is a ULID, strictly: n == 26, every character in the
 * uppercase Crockford alphabet (no lowercase, no I, L, O or U), and the
 * first at most '7' (a larger one would encode more than 128 bits).
 * s may be NULL when n is 0. */
bool crypto_ulid_valid(const char *s, size_t n);

/* The millisecond time of the NUL-terminated ULID id, or -1 if id is not
 * a valid ULID. */
int64_t crypto_ulid_time_ms(const char *id);

#endif /* CD_CRYPTO_ULID_H */
