/* token.h -- signed tokens, byte-compatible with gorilla/securecookie 1.1.1.
 *
 * Offen signs its auth cookie and its reset and join links with securecookie
 * in HMAC-only mode (reference/offen-server.md §10):
 *
 *     v     = base64url_padded(gob(payload))
 *     mac   = HMAC-SHA256(key, "<name>|<unix seconds>|<v>")
 *     token = base64url_padded("<unix seconds>|<v>|" || mac)
 *
 * The name is bound by the MAC but not sent. Tokens longer than
 * CRYPTO_TOKEN_MAX characters are refused both ways. Decoding checks, in
 * order: length, base64url, structure, MAC (constant time), timestamp, gob
 * payload type. The key is the process secret (CANDOR_SECRET/OFFEN_SECRET),
 * so a token issued by Offen with the same secret verifies here and back.
 *
 * Deliberate differences from Offen:
 *   - fixed max ages per kind (auth 24 h, reset 24 h, join 7 days); Offen
 *     mutates one shared max age, so a login shortens every pending
 *     invitation to 24 h and an invitation stretches every session to 7 days;
 *   - timestamps more than CRYPTO_TOKEN_MAX_SKEW seconds in the future are
 *     refused (Offen accepts any future timestamp); the skew allows for
 *     clocks of several nodes sharing one secret;
 *   - base64 must be canonical (Go tolerates embedded newlines).
 *
 * Errors: CD_ETOOBIG (too long), CD_EPROTO (not a token, or a payload of the
 * wrong type), CD_EAUTH (bad MAC, wrong name, expired, from the future).
 * Callers treat every failure as "no valid token".
 * Secrets: the key, reset tokens (they carry a one-time key in the clear)
 * and every intermediate buffer are wiped. Thread-safe; a signer is
 * immutable after crypto_signer_init().
 */
#ifndef CD_CRYPTO_TOKEN_H
#define CD_CRYPTO_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct crypto_credentials;

#define CRYPTO_TOKEN_MAX 4096                /* max characters of a token */
#define CRYPTO_TOKEN_KEY_MAX 64              /* max bytes of the HMAC key */
#define CRYPTO_TOKEN_MAX_SKEW 60             /* seconds into the future */
#define CRYPTO_TOKEN_AUTH_MAX_AGE (24 * 60 * 60)      /* auth cookie */
#define CRYPTO_TOKEN_RESET_MAX_AGE (24 * 60 * 60)     /* reset link */
#define CRYPTO_TOKEN_JOIN_MAX_AGE (7 * 24 * 60 * 60)  /* join link */
#define CRYPTO_TOKEN_AUTH_NAME "auth"               /* Offen's names */
#define CRYPTO_TOKEN_CREDENTIALS_NAME "credentials" /* reset and join */

struct crypto_signer {
    unsigned char key[CRYPTO_TOKEN_KEY_MAX]; /* HMAC-SHA256 key */
    size_t key_len;                          /* 1..CRYPTO_TOKEN_KEY_MAX */
};

/* Copy key[0..n) into s. CD_EINVAL if n is 0 (securecookie refuses an
 * empty key), CD_ETOOBIG past CRYPTO_TOKEN_KEY_MAX. */
int crypto_signer_init(struct crypto_signer *s, const void *key,
                       size_t n) CD_MUST_CHECK;

/* Wipe the key. */
void crypto_signer_release(struct crypto_signer *s);

/* Sign the gob payload[0..n) under name at time now (Unix seconds, >= 0)
 * into a heap string *out of *outlen characters (caller frees; with
 * crypto_free_secret() if the payload is secret). CD_ETOOBIG if the token
 * would exceed CRYPTO_TOKEN_MAX, CD_EINVAL for a negative now. */
int crypto_token_encode(const struct crypto_signer *s, const char *name,
                        const void *payload, size_t n, int64_t now,
                        char **out, size_t *outlen) CD_MUST_CHECK;

/* Verify token[0..len) under name at time now; max_age 0 means no expiry,
 * else a token older than max_age seconds is refused. On CD_OK *payload is
 * the gob payload in a heap buffer of *n bytes, released with
 * crypto_free_secret(). */
int crypto_token_decode(const struct crypto_signer *s, const char *name,
                        const char *token, size_t len, int64_t max_age,
                        int64_t now, unsigned char **payload,
                        size_t *n) CD_MUST_CHECK;

/* The auth cookie: name "auth", gob string account-user id, 24 h. *id is
 * a heap NUL-terminated string (caller frees). */
int crypto_token_auth_issue(const struct crypto_signer *s, const char *id,
                            size_t n, int64_t now, char **out,
                            size_t *outlen) CD_MUST_CHECK;
int crypto_token_auth_verify(const struct crypto_signer *s,
                             const char *token, size_t len, int64_t now,
                             char **id, size_t *n) CD_MUST_CHECK;

/* The reset link: name "credentials", gob forgotPasswordCredentials with
 * the one-time key and the email, 24 h. The token itself carries the key:
 * release *out with crypto_free_secret(); release *c with
 * crypto_credentials_release(). */
int crypto_token_reset_issue(const struct crypto_signer *s,
                             const unsigned char *key, size_t kn,
                             const char *email, size_t en, int64_t now,
                             char **out, size_t *outlen) CD_MUST_CHECK;
int crypto_token_reset_verify(const struct crypto_signer *s,
                              const char *token, size_t len, int64_t now,
                              struct crypto_credentials *c) CD_MUST_CHECK;

/* The join link: name "credentials", gob string invitee email, 7 days. */
int crypto_token_join_issue(const struct crypto_signer *s, const char *email,
                            size_t n, int64_t now, char **out,
                            size_t *outlen) CD_MUST_CHECK;
int crypto_token_join_verify(const struct crypto_signer *s,
                             const char *token, size_t len, int64_t now,
                             char **email, size_t *n) CD_MUST_CHECK;

#endif /* CD_CRYPTO_TOKEN_H */
