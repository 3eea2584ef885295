/* base64.c -- strict RFC 4648 base64 in two alphabets (see base64.h).
 *
 * One encoder and one decoder parameterised by the alphabet. The decoder
 * checks the whole input before it relies on it: the length, where '=' may
 * appear, and that the unused low bits of the last character are zero.
 * Stateless and thread-safe.
 */
#include "common/common.h"
#include "common/base64.h"

#include <string.h>

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

size_t base64url_encoded_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t base64_decoded_max(size_t len)
{
    size_t rem = len % 4;

    return len / 4 * 3 + (rem == 2 ? 1 : rem == 3 ? 2 : 0);
}

/* Encode without padding; returns the number of characters written. */
static size_t encode(char *out, const unsigned char *in, size_t n,
                     const char *alphabet)
{
    size_t o = 0;
    size_t i;

    for (i = 0; i + 3 <= n; i += 3) {
        unsigned long v = (unsigned long)in[i] << 16 |
                          (unsigned long)in[i + 1] << 8 | in[i + 2];

        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = alphabet[v & 63];
    }
    if (n - i == 1) {
        out[o++] = alphabet[in[i] >> 2];
        out[o++] = alphabet[(in[i] & 3) << 4];
    } else if (n - i == 2) {
        out[o++] = alphabet[in[i] >> 2];
        out[o++] = alphabet[(in[i] & 3) << 4 | in[i + 1] >> 4];
        out[o++] = alphabet[(in[i + 1] & 15) << 2];
    }
    return o;
}

void base64_encode(char *out, const void *in, size_t n)
{
    size_t o = encode(out, in, n, std_alphabet);

    while (o % 4)
        out[o++] = '=';
    out[o] = '\0';
}

void base64url_encode(char *out, const void *in, size_t n)
{
    size_t o = encode(out, in, n, url_alphabet);

    out[o] = '\0';
}

/* The 6-bit value of c in the alphabet (url or standard), or -1. */
static int value_of(unsigned char c, int url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

/* Decode n unpadded characters; the caller has checked the length. */
static int decode(unsigned char *out, const char *in, size_t n, int url)
{
    unsigned long acc = 0;
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        int v = value_of((unsigned char)in[i], url);

        if (v < 0)
            return CD_EPROTO;
        acc = acc << 6 | (unsigned long)v;
        if (i % 4 == 3) {
            out[o++] = (unsigned char)(acc >> 16);
            out[o++] = (unsigned char)(acc >> 8);
            out[o++] = (unsigned char)acc;
            acc = 0;
        }
    }
    /* A partial last group: its unused low bits must be zero. */
    if (n % 4 == 2) {
        if (acc & 0x0f)
            return CD_EPROTO;
        out[o] = (unsigned char)(acc >> 4);
    } else if (n % 4 == 3) {
        if (acc & 0x03)
            return CD_EPROTO;
        out[o++] = (unsigned char)(acc >> 10);
        out[o] = (unsigned char)(acc >> 2);
    }
    return CD_OK;
}

/* Shared by both decoders: n is the count of data characters (padding
 * already removed and checked). */
static int decode_checked(void *out, size_t outmax, size_t *outlen,
                          const char *in, size_t n, int url)
{
    size_t need;
    int rc;

    *outlen = 0;
    if (n % 4 == 1)
        return CD_EPROTO;
    need = base64_decoded_max(n);
    if (need > outmax)
        return CD_ETOOBIG;
    rc = decode(out, in, n, url);
    if (rc == CD_OK)
        *outlen = need;
    return rc;
}

int base64_decode(void *out, size_t outmax, size_t *outlen, const char *in,
                  size_t len)
{
    size_t pad = 0;

    *outlen = 0;
    if (len % 4 != 0)
        return CD_EPROTO;
    if (len >= 1 && in[len - 1] == '=')
        pad++;
    if (len >= 2 && in[len - 2] == '=')
        pad++;
    /* Any other '=' is rejected by value_of() as outside the alphabet. */
    return decode_checked(out, outmax, outlen, in, len - pad, 0);
}

int base64url_decode(void *out, size_t outmax, size_t *outlen, const char *in,
                     size_t len)
{
    return decode_checked(out, outmax, outlen, in, len, 1);
}
