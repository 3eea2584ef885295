/* jwk.h -- JSON Web Keys for the RSA key pairs and the KEK, Offen's way.
 *
 * Offen stores and ships keys as compact JWK JSON (reference/offen-server.md
 * §9.5): members sorted by name, binary values base64url without padding,
 * big integers big-endian and minimal, and nothing else (no alg, use,
 * key_ops):
 *
 *     public   {"e":"AQAB","kty":"RSA","n":"..."}
 *     private  {"d":..,"dp":..,"dq":..,"e":..,"kty":"RSA","n":..,"p":..,
 *               "q":..,"qi":..}
 *     KEK      {"k":"<32 bytes>","kty":"oct"}
 *
 * The browser imports these with WebCrypto (RSA-OAEP/SHA-256, AES-GCM).
 * Import accepts any JSON object with the needed members (extra members
 * such as alg, ext or key_ops, as WebCrypto exports them, are ignored),
 * capped at CRYPTO_JWK_MAX bytes; RSA moduli must have between
 * CRYPTO_RSA_MIN_BITS and CRYPTO_RSA_MAX_BITS bits and pass OpenSSL's
 * public key check, and the parts of a private key must agree with each
 * other (n = pq, the CRT values, ed = 1; the primality of p and q is not
 * tested, which would cost half a second per import).
 *
 * Secrets: exported private JWKs and KEK JWKs are secrets; release them with
 * crypto_free_secret() / crypto_wipe(). Our own intermediate buffers are
 * wiped; jansson's copies of imported member strings are freed without
 * wiping (the server imports private keys only in tests and the demo).
 * Thread-safe; no state.
 */
#ifndef CD_CRYPTO_JWK_H
#define CD_CRYPTO_JWK_H

#include <stddef.h>

#include "common/err.h"

struct crypto_rsa_key;

#define CRYPTO_JWK_MAX (16 * 1024) /* max bytes of a JWK we parse */
#define CRYPTO_KEK_LEN 32          /* bytes of an account KEK */
/* {"k":"<43 chars>","kty":"oct"} + NUL */
#define CRYPTO_JWK_OCT_SIZE 64

/* The public JWK of k as a heap string (caller frees with free()) of *len
 * characters. CD_EIO if OpenSSL fails. */
int crypto_jwk_export_public(const struct crypto_rsa_key *k, char **out,
                             size_t *len) CD_MUST_CHECK;

/* The private JWK of k as a heap string of *len characters, released with
 * crypto_free_secret(*out, *len). CD_EINVAL if k is public only. */
int crypto_jwk_export_private(const struct crypto_rsa_key *k, char **out,
                              size_t *len) CD_MUST_CHECK;

/* Parse a public (or private: only n and e are used) RSA JWK from
 * json[0..len) into *out (free with crypto_rsa_key_free()). CD_ETOOBIG
 * past CRYPTO_JWK_MAX, CD_EPROTO for malformed JSON, a missing member, bad
 * base64url or kty other than "RSA", CD_EINVAL for a key OpenSSL rejects or
 * with a modulus size out of range. */
int crypto_jwk_import_public(const char *json, size_t len,
                             struct crypto_rsa_key **out) CD_MUST_CHECK;

/* Parse a private RSA JWK (all of d dp dq e n p q qi) into *out; errors as
 * for crypto_jwk_import_public(), and CD_EINVAL if the parts do not agree.
 * About 0.1 s of CPU for a 4096-bit key. */
int crypto_jwk_import_private(const char *json, size_t len,
                              struct crypto_rsa_key **out) CD_MUST_CHECK;

/* RSA-OAEP-SHA256 encrypt pt[0..n) to the public JWK json[0..len): the
 * import plus crypto_rsa_encrypt(); *out is freed with free(). */
int crypto_jwk_encrypt(const char *json, size_t len, const void *pt,
                       size_t n, char **out, size_t *outlen) CD_MUST_CHECK;

/* Decrypt s[0..slen) with the private JWK json[0..len): the import plus
 * crypto_rsa_decrypt(); *pt is released with crypto_free_secret(). */
int crypto_jwk_decrypt(const char *json, size_t len, const char *s,
                       size_t slen, unsigned char **pt,
                       size_t *n) CD_MUST_CHECK;

/* Write the KEK JWK {"k":"<b64url>","kty":"oct"} of key[32] into out;
 * a secret, wipe it with crypto_wipe() after use. */
void crypto_jwk_export_oct(const unsigned char key[CRYPTO_KEK_LEN],
                           char out[CRYPTO_JWK_OCT_SIZE]);

/* Parse a KEK JWK from json[0..len) into key[32]. CD_ETOOBIG past
 * CRYPTO_JWK_MAX, CD_EPROTO unless it is an object with kty "oct" and k
 * decoding to exactly 32 bytes. key is zeroed on failure. */
int crypto_jwk_import_oct(const char *json, size_t len,
                          unsigned char key[CRYPTO_KEK_LEN]) CD_MUST_CHECK;

#endif /* CD_CRYPTO_JWK_H */
