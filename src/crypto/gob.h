/* gob.h -- the two Go gob values that Offen puts into signed tokens.
 *
 * Offen's tokens (token.h) carry their payload as a gob stream written by a
 * fresh encoding/gob Encoder, one value per stream. Only two Go types occur:
 *
 *   string                      auth cookie (user id), join link (email)
 *   forgotPasswordCredentials   reset link: struct { Token []byte;
 *                                                    EmailAddress string }
 *
 * This is not a general gob codec. It writes exactly the bytes Go writes for
 * these two types (reference/offen-server.md §10) and reads what Go writes:
 * messages framed by a length, gob unsigned integers of up to 8 bytes
 * (0..127 in one byte, else a negated byte count and big-endian bytes),
 * the struct's type definition with whatever type id the writing process
 * assigned, fields omitted when empty (gob does not send zero values) and
 * matched by name. A string stream does not decode as the struct and vice
 * versa, as in Go. Decoders require the whole input to be consumed.
 *
 * Secrets: the Token bytes of a reset credential are a one-time key; every
 * buffer holding them is wiped. Thread-safe; no state.
 */
#ifndef CD_CRYPTO_GOB_H
#define CD_CRYPTO_GOB_H

#include <stddef.h>

#include "common/err.h"

#define CRYPTO_GOB_MAX 4096 /* max bytes of a stream we read or write */

struct crypto_credentials {
    unsigned char *token; /* one-time key, heap (NULL when empty) */
    size_t token_len;
    char *email;          /* NUL-terminated, heap, never NULL after decode */
    size_t email_len;
};

/* Encode s[0..n) as a gob stream into a new heap buffer *out of *outlen
 * bytes (release with crypto_free_secret()). CD_ETOOBIG if the stream would
 * exceed CRYPTO_GOB_MAX. */
int crypto_gob_encode_string(const char *s, size_t n, unsigned char **out,
                             size_t *outlen) CD_MUST_CHECK;

/* Decode a gob string stream in[0..len) into a heap NUL-terminated *out of
 * *n bytes (caller frees with free()). CD_EPROTO if the stream is malformed,
 * holds another type, has trailing bytes or the string contains a NUL;
 * CD_ETOOBIG past CRYPTO_GOB_MAX. */
int crypto_gob_decode_string(const unsigned char *in, size_t len, char **out,
                             size_t *n) CD_MUST_CHECK;

/* Encode forgotPasswordCredentials{Token: token[0..tn), EmailAddress:
 * email[0..en)} as Go does (type definition with type id 65, then the
 * value) into a heap buffer, released with crypto_free_secret(). */
int crypto_gob_encode_credentials(const unsigned char *token, size_t tn,
                                  const char *email, size_t en,
                                  unsigned char **out,
                                  size_t *outlen) CD_MUST_CHECK;

/* Decode a forgotPasswordCredentials stream into *c (release with
 * crypto_credentials_release()). Errors as crypto_gob_decode_string(). */
int crypto_gob_decode_credentials(const unsigned char *in, size_t len,
                                  struct crypto_credentials *c) CD_MUST_CHECK;

/* Wipe and free the members of c; c is zeroed. Accepts a zeroed c. */
void crypto_credentials_release(struct crypto_credentials *c);

#endif /* CD_CRYPTO_GOB_H */
