/* base64.h -- RFC 4648 base64, standard and URL-safe, with strict decoding.
 *
 * Two alphabets:
 *   standard  "A-Za-z0-9+/" with '=' padding (Go's base64.StdEncoding): the
 *             format of CANDOR_SECRET, of the secret file and of Offen's
 *             versioned crypto strings;
 *   URL-safe  "A-Za-z0-9-_" without padding (Go's RawURLEncoding): tokens
 *             that travel in URLs and cookies.
 * Decoding is strict: characters outside the alphabet (whitespace included),
 * missing or misplaced padding, a length that no encoding produces, and
 * non-zero bits in the last character's unused part are all rejected, so
 * every byte string has exactly one accepted encoding.
 *
 * Encoders write a NUL-terminated string; size the output with
 * base64_encoded_len(n) + 1. Decoders write at most base64_decoded_max(len)
 * bytes and never a NUL.
 */
#ifndef CD_COMMON_BASE64_H
#define CD_COMMON_BASE64_H

#include <stddef.h>

#include "common/err.h"

/* Characters (without the NUL) of the padded standard encoding of n bytes. */
size_t base64_encoded_len(size_t n);
/* Characters (without the NUL) of the unpadded URL-safe encoding. */
size_t base64url_encoded_len(size_t n);
/* An upper bound of the bytes that len characters decode to (either
 * alphabet); exact for unpadded input. */
size_t base64_decoded_max(size_t len);

/* Encode in[0..n) into out, which must hold base64_encoded_len(n) + 1 (or
 * base64url_encoded_len(n) + 1) bytes; out is NUL-terminated. */
void base64_encode(char *out, const void *in, size_t n);
void base64url_encode(char *out, const void *in, size_t n);

/* Decode in[0..len) into out (room for outmax bytes) and set *outlen.
 * Returns CD_OK, CD_EPROTO if the input is not a canonical encoding in that
 * alphabet, or CD_ETOOBIG if the decoded bytes do not fit in outmax. On
 * failure *outlen is 0 and the contents of out are unspecified. */
int base64_decode(void *out, size_t outmax, size_t *outlen, const char *in,
                  size_t len) CD_MUST_CHECK;
int base64url_decode(void *out, size_t outmax, size_t *outlen, const char *in,
                     size_t len) CD_MUST_CHECK;

#endif /* CD_COMMON_BASE64_H */
