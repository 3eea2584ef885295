/* cipher.h -- Offen's versioned cipher strings and AES-GCM.
 *
 * Offen stores every ciphertext, hash and salt as a "versioned string"
 * (reference/offen-server.md §9.1):
 *
 *     "{<algo>,<keyver>} <base64 cipher>[ <base64 nonce>]"
 *
 * standard base64 with padding, exactly one space between the fields, key
 * version digits (always empty in practice) ignored, chunks after the nonce
 * ignored. AES-GCM (§9.2) writes "{1,} b64(ct||tag) b64(nonce)" with a fresh
 * 12-byte random nonce and a 16-byte tag, no additional data; the key length
 * (16, 24 or 32 bytes) picks AES-128/192/256.
 *
 * Parsing is stricter than Offen in two ways, both only for input Offen never
 * writes: base64 must be canonical (base64.h), and an empty cipher or nonce
 * chunk is malformed. Inputs are capped at CRYPTO_VERSIONED_MAX bytes.
 *
 * Secrets: decrypted plaintext is returned in a heap buffer the caller
 * releases with crypto_free_secret(); every internal copy is wiped.
 * Thread-safe; no global state.
 */
#ifndef CD_CRYPTO_CIPHER_H
#define CD_CRYPTO_CIPHER_H

#include <stddef.h>

#include "common/err.h"

#define CRYPTO_VERSIONED_MAX (1024 * 1024) /* max chars of a versioned string */
#define CRYPTO_VERSION_MAX 999999999       /* largest algo version parsed */
#define CRYPTO_AES_NONCE_LEN 12
#define CRYPTO_AES_TAG_LEN 16

struct crypto_versioned {
    int algo;              /* algo version, 0..CRYPTO_VERSION_MAX */
    unsigned char *cipher; /* decoded cipher chunk, heap, never NULL */
    size_t cipher_len;     /* >= 1 */
    unsigned char *nonce;  /* decoded nonce chunk, or NULL when absent */
    size_t nonce_len;      /* 0 when absent */
};

/* Parse s[0..len) into *v. Returns CD_OK, CD_ETOOBIG if len exceeds
 * CRYPTO_VERSIONED_MAX, CD_EPROTO if s is not a versioned string with
 * canonical base64 chunks. On failure *v holds nothing to release; on
 * success release it with crypto_versioned_release(). */
int crypto_versioned_parse(struct crypto_versioned *v, const char *s,
                           size_t len) CD_MUST_CHECK;

/* Wipe and free the decoded chunks; v is zeroed. Accepts a zeroed v. */
void crypto_versioned_release(struct crypto_versioned *v);

/* Characters (without the NUL) of the versioned string for a cipher of n
 * bytes and a nonce of nn bytes (nn == 0: no nonce chunk). */
size_t crypto_versioned_len(int algo, size_t n, size_t nn);

/* Write "{algo,} b64(cipher)[ b64(nonce)]" into out[0..outsize), NUL
 * terminated; nonce may be NULL when nn is 0. CD_ETOOBIG if it does not fit
 * in outsize or exceeds CRYPTO_VERSIONED_MAX, CD_EINVAL if algo is out of
 * range. */
int crypto_versioned_format(char *out, size_t outsize, int algo,
                            const void *cipher, size_t n, const void *nonce,
                            size_t nn) CD_MUST_CHECK;

/* Encrypt pt[0..n) under key (16, 24 or 32 bytes) with a random nonce.
 * On CD_OK *out is a heap string "{1,} ct nonce" (caller frees with free())
 * of *outlen characters. CD_EINVAL for a bad key length, CD_ETOOBIG if the
 * result would exceed CRYPTO_VERSIONED_MAX, CD_EIO if the RNG or OpenSSL
 * fails. */
int crypto_aes_encrypt(const void *key, size_t keylen, const void *pt,
                       size_t n, char **out, size_t *outlen) CD_MUST_CHECK;

/* TEST ONLY: crypto_aes_encrypt() with a caller-chosen nonce, for test
 * vectors. Reusing a nonce under one key destroys GCM's security; the
 * server never calls this. */
int crypto_aes_encrypt_with_nonce(const void *key, size_t keylen,
                                  const unsigned char nonce[12],
                                  const void *pt, size_t n, char **out,
                                  size_t *outlen) CD_MUST_CHECK;

/* Decrypt the versioned string s[0..len) (any algo version) under key.
 * On CD_OK *pt is a heap buffer of *n bytes plus a NUL (not counted) that
 * the caller releases with crypto_free_secret(*pt, *n). Returns CD_EINVAL
 * for a bad key length, CD_ETOOBIG / CD_EPROTO for a malformed string or a
 * nonce that is not 12 bytes, CD_EAUTH if the tag does not verify (wrong
 * key, tampered data). On failure *pt is NULL and *n is 0. */
int crypto_aes_decrypt(const void *key, size_t keylen, const char *s,
                       size_t len, unsigned char **pt,
                       size_t *n) CD_MUST_CHECK;

#endif /* CD_CRYPTO_CIPHER_H */
