/* hashfast.h -- visitor secret ids and account user salts (Offen HashFast).
 *
 * A visitor's user id is never stored next to its events; each account
 * keys it by secret_id = lowercase hex(SHA-256(userId || rawUserSalt)),
 * where rawUserSalt is the decoded cipher chunk of the account's user_salt
 * "{1,} <b64 16 random bytes>" (reference/offen-server.md §9.4). One secret
 * id exists per (visitor, account), for every account, retired ones too.
 * Fast by design (one SHA-256): it hides ids from a database reader, it is
 * not a password hash. Thread-safe; no state.
 */
#ifndef CD_CRYPTO_HASHFAST_H
#define CD_CRYPTO_HASHFAST_H

#include <stddef.h>

#include "common/err.h"

#define CRYPTO_SECRET_ID_SIZE 65  /* 64 hex digits + NUL */
#define CRYPTO_USER_SALT_LEN 16   /* raw bytes of a new user salt */
#define CRYPTO_USER_SALT_SIZE 30  /* "{1,} " + b64(16) + NUL */
#define CRYPTO_USER_ID_MAX 4096   /* max bytes of a hashed user id */

/* Write hex(SHA-256(user_id[0..n) || raw salt)) into out. salt[0..saltlen)
 * is a versioned user salt with algo version 1. CD_EINVAL for another
 * version, CD_EPROTO / CD_ETOOBIG if the salt does not parse, CD_ETOOBIG if
 * n exceeds CRYPTO_USER_ID_MAX, CD_EIO if OpenSSL fails. */
int crypto_hash_fast(const char *user_id, size_t n, const char *salt,
                     size_t saltlen,
                     char out[CRYPTO_SECRET_ID_SIZE]) CD_MUST_CHECK;

/* A new account user salt "{1,} b64(16 random bytes)" into out. */
int crypto_new_user_salt(char out[CRYPTO_USER_SALT_SIZE]) CD_MUST_CHECK;

#endif /* CD_CRYPTO_HASHFAST_H */
