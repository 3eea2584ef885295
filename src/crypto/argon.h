/* argon.h -- Argon2id key derivation and password hashes, Offen's way.
 *
 * Offen derives raw keys and hashes passwords and emails with Argon2id
 * (version 1.3) under three parameter sets, chosen by the algo version of the
 * versioned salt or hash (reference/offen-server.md §9.3):
 *
 *     version  passes  memory (KiB)  lanes
 *     1        1       65536         4       deprecated ("high memory")
 *     2        4       16384         CPUs    deprecated ("numCPU bug")
 *     3        4       16384         4       current; all new hashes
 *
 * Version 2 used the lane count of the machine that wrote the hash, so
 * reading such hashes on another machine needs an override
 * (CANDOR_ARGONNUMCPUOVERRIDE / OFFEN_ARGONNUMCPUOVERRIDE, passed in through
 * crypto_argon_set_cpu_override(); this module never reads the environment).
 * Every output is 32 bytes. Hashes are never upgraded to version 3.
 *
 * Cost: about 35 ms of CPU and 16 MiB (64 MiB for version 1) per call, so
 * callers on an event loop run these on the crypto pool (pool.h).
 * Secrets: derived keys are written only to the caller's buffer; internal
 * hashes are wiped; libargon2 wipes its working memory itself.
 * Thread-safe; the override is the only global state.
 */
#ifndef CD_CRYPTO_ARGON_H
#define CD_CRYPTO_ARGON_H

#include <stddef.h>

#include "common/err.h"

#define CRYPTO_ARGON_KEY_LEN 32          /* bytes of every derived key/hash */
#define CRYPTO_ARGON_VERSION 3           /* version of new hashes and salts */
#define CRYPTO_ARGON_INPUT_MAX (64 * 1024) /* max bytes of a hashed value */
#define CRYPTO_HASH_SALT_LEN 16          /* salt bytes of crypto_hash_string */
#define CRYPTO_KDF_SALT_LEN 8            /* salt bytes of a new KDF salt */
/* "{3,} " + b64(32) + " " + b64(16) + NUL */
#define CRYPTO_HASH_STRING_SIZE 75
/* "{3,} " + b64(8) + NUL */
#define CRYPTO_KDF_SALT_SIZE 18

/* Set the lane count of parameter set 2: n in 1..127, or 0 for the number
 * of CPUs this process may run on (Go's runtime.NumCPU()). Call once at
 * start-up from the configuration (config->argon_num_cpu_override). Values
 * outside 0..127 are ignored and CD_EINVAL is returned. */
int crypto_argon_set_cpu_override(int n) CD_MUST_CHECK;

/* The lanes parameter set 2 uses now (override, else CPU count). */
unsigned crypto_argon_v2_lanes(void);

/* Argon2id of value[0..n) with the raw salt[0..saltlen) under parameter set
 * `version` into out[32]. CD_EINVAL for an unknown version or a salt that
 * libargon2 refuses (shorter than 8 bytes), CD_ETOOBIG if n exceeds
 * CRYPTO_ARGON_INPUT_MAX, CD_ENOMEM if the working memory cannot be had.
 * On failure out is zeroed. */
int crypto_derive_key_raw(int version, const void *value, size_t n,
                          const void *salt, size_t saltlen,
                          unsigned char out[32]) CD_MUST_CHECK;

/* Offen's DeriveKey: like crypto_derive_key_raw() with the parameter set and
 * raw salt taken from the versioned salt string salt[0..saltlen) such as
 * "{3,} AAECAwQFBgc=". CD_EPROTO / CD_ETOOBIG if it does not parse. */
int crypto_derive_key(const void *value, size_t n, const char *salt,
                      size_t saltlen, unsigned char out[32]) CD_MUST_CHECK;

/* Offen's HashString: "{3,} b64(argon2id(s, salt)) b64(salt)" with a random
 * 16-byte salt, written NUL-terminated into out. CD_EINVAL if n is 0 (Offen
 * rejects empty values), CD_ETOOBIG past CRYPTO_ARGON_INPUT_MAX, CD_EIO if
 * the RNG fails. */
int crypto_hash_string(const char *s, size_t n,
                       char out[CRYPTO_HASH_STRING_SIZE]) CD_MUST_CHECK;

/* TEST ONLY: crypto_hash_string() with a caller-chosen salt, for vectors. */
int crypto_hash_string_with_salt(const char *s, size_t n,
                                 const unsigned char salt[16],
                                 char out[CRYPTO_HASH_STRING_SIZE])
    CD_MUST_CHECK;

/* Offen's CompareString: hash s[0..n) with the parameter set and salt of
 * the stored hash stored[0..storedlen) and compare in constant time.
 * CD_OK on a match, CD_EAUTH on a mismatch, CD_EINVAL if stored is empty
 * or has an unknown version, CD_EPROTO if it does not parse or has no salt,
 * CD_ETOOBIG past the caps. */
int crypto_compare_string(const char *s, size_t n, const char *stored,
                          size_t storedlen) CD_MUST_CHECK;

/* A new account-user KDF salt "{3,} b64(8 random bytes)" into out. */
int crypto_new_kdf_salt(char out[CRYPTO_KDF_SALT_SIZE]) CD_MUST_CHECK;

#endif /* CD_CRYPTO_ARGON_H */
