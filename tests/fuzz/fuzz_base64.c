/* fuzz_base64.c -- strict base64 and base64url decoding, and round trips.
 *
 * For both alphabets:
 *   - decoding the input either fails or yields bytes whose encoding is
 *     exactly the input again (decoding is strict: one encoding per byte
 *     string);
 *   - encoding the input as bytes and decoding that gives the input back,
 *     in an output of exactly that size; one byte less is CD_ETOOBIG.
 * Every buffer is allocated at its exact size, so an overrun is caught.
 */
#include "common/common.h"

#include <string.h>

#include "common/base64.h"
#include "fuzz.h"

typedef void encode_fn(char *out, const void *in, size_t n);
typedef int decode_fn(void *out, size_t outmax, size_t *outlen,
                      const char *in, size_t len);
typedef size_t encoded_len_fn(size_t n);

struct codec {
    encode_fn *encode;
    decode_fn *decode;
    encoded_len_fn *encoded_len;
};

static void *xalloc_exact(size_t n)
{
    void *p = malloc(n ? n : 1);

    FUZZ_CHECK(p != NULL);
    return p;
}

/* Decode the input as text; on success re-encoding must reproduce it. */
static void decode_first(const struct codec *c, const char *text, size_t n)
{
    size_t max = base64_decoded_max(n);
    unsigned char *bytes = xalloc_exact(max);
    size_t outlen = 12345;
    int rc = c->decode(bytes, max, &outlen, text, n);

    FUZZ_CHECK(rc == CD_OK || rc == CD_EPROTO);
    if (rc == CD_OK) {
        char *again = xalloc_exact(c->encoded_len(outlen) + 1);

        FUZZ_CHECK(outlen <= max);
        c->encode(again, bytes, outlen);
        FUZZ_CHECK(strlen(again) == n && memcmp(again, text, n) == 0);
        free(again);
    } else {
        FUZZ_CHECK(outlen == 0);
    }
    free(bytes);
}

/* Encode the input as bytes; decoding must give them back. */
static void encode_first(const struct codec *c, const uint8_t *data,
                         size_t n)
{
    size_t elen = c->encoded_len(n);
    char *text = xalloc_exact(elen + 1);
    unsigned char *back = xalloc_exact(n);
    size_t outlen = 0;

    c->encode(text, data, n);
    FUZZ_CHECK(strlen(text) == elen);
    FUZZ_CHECK(c->decode(back, n, &outlen, text, elen) == CD_OK);
    FUZZ_CHECK(outlen == n && (n == 0 || memcmp(back, data, n) == 0));
    if (n > 0) {
        FUZZ_CHECK(c->decode(back, n - 1, &outlen, text, elen) ==
                   CD_ETOOBIG);
        FUZZ_CHECK(outlen == 0);
    }
    free(back);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct codec codecs[] = {
        {base64_encode, base64_decode, base64_encoded_len},
        {base64url_encode, base64url_decode, base64url_encoded_len},
    };
    char *text = xalloc_exact(size);

    if (size)
        memcpy(text, data, size);
    for (size_t i = 0; i < CD_ARRAY_SIZE(codecs); i++) {
        decode_first(&codecs[i], text, size);
        encode_first(&codecs[i], data, size);
    }
    free(text);
    return 0;
}
