/* rsa.h -- RSA-4096 key pairs and RSA-OAEP-SHA256, as Offen uses them.
 *
 * Every account has an RSA-4096 key pair (e = 65537). The server only
 * generates keys (the public key is stored as a JWK, the private JWK
 * encrypted under the account's KEK; see jwk.h) and, for the demo command,
 * encrypts fake visitor secrets with RSA-OAEP, SHA-256 for both the OAEP
 * hash and MGF1 and an empty label, exactly as WebCrypto's
 * {name: "RSA-OAEP", hash: "SHA-256"}. Ciphertexts are versioned strings
 * "{1,} b64(ciphertext)" without a nonce (reference/offen-server.md §9.5).
 *
 * A struct crypto_rsa_key is opaque: a public key or a key pair. It is
 * immutable after creation, so one key may be used from several threads.
 * Generation takes about a second of CPU; run it on the crypto pool.
 */
#ifndef CD_CRYPTO_RSA_H
#define CD_CRYPTO_RSA_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

#define CRYPTO_RSA_BITS 4096      /* size of generated keys */
#define CRYPTO_RSA_MIN_BITS 2048  /* smallest modulus we import */
#define CRYPTO_RSA_MAX_BITS 8192  /* largest modulus we import */

struct crypto_rsa_key;

/* Generate a CRYPTO_RSA_BITS key pair with e = 65537 into *out (free with
 * crypto_rsa_key_free()). CD_EIO if OpenSSL fails. */
int crypto_rsa_generate(struct crypto_rsa_key **out) CD_MUST_CHECK;

/* Free a key; the private parts are cleared. NULL is allowed. */
void crypto_rsa_key_free(struct crypto_rsa_key *k);

/* True if k holds the private key. */
bool crypto_rsa_key_is_private(const struct crypto_rsa_key *k);

/* Modulus size in bits. */
int crypto_rsa_key_bits(const struct crypto_rsa_key *k);

/* Largest plaintext crypto_rsa_encrypt() accepts for k (446 for 4096). */
size_t crypto_rsa_max_plaintext(const struct crypto_rsa_key *k);

/* RSA-OAEP-SHA256 encrypt pt[0..n) into a heap string "{1,} b64" (caller
 * frees with free()) of *outlen characters. CD_ETOOBIG if n exceeds
 * crypto_rsa_max_plaintext(k), CD_EIO if OpenSSL fails. */
int crypto_rsa_encrypt(const struct crypto_rsa_key *k, const void *pt,
                       size_t n, char **out, size_t *outlen) CD_MUST_CHECK;

/* Decrypt the versioned string s[0..len) with the private key k (any algo
 * version; a nonce chunk is ignored). On CD_OK *pt is a heap buffer of *n
 * bytes plus a NUL, released with crypto_free_secret(*pt, *n). CD_EINVAL
 * if k is public only, CD_EPROTO if s does not parse or the ciphertext is
 * not one modulus long, CD_EAUTH if OAEP decoding fails (wrong key,
 * tampered data). */
int crypto_rsa_decrypt(const struct crypto_rsa_key *k, const char *s,
                       size_t len, unsigned char **pt,
                       size_t *n) CD_MUST_CHECK;

#endif /* CD_CRYPTO_RSA_H */
