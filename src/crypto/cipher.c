/* cipher.c -- versioned cipher strings and AES-GCM (see cipher.h).
 *
 * The parser walks the string once by hand instead of using a regex: the
 * grammar is tiny and a hand walk makes the caps and the strictness easy to
 * see. AES-GCM goes through OpenSSL's EVP interface; the nonce comes from
 * crypto_random(). Stateless and thread-safe.
 */
#include "common/common.h"
#include "crypto/cipher.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/xalloc.h"
#include "crypto/memeq.h"
#include "crypto/random.h"

/* Parse "{digits,digits} " at s; on success *algo is set and *pos is the
 * index of the first byte after the space. */
static int parse_prefix(const char *s, size_t len, int *algo, size_t *pos)
{
    size_t i = 1, ndigits = 0;
    long v = 0;

    if (len < 1 || s[0] != '{')
        return CD_EPROTO;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (++ndigits > 9)
            return CD_EPROTO;
        v = v * 10 + (s[i] - '0');
        i++;
    }
    if (ndigits == 0 || i >= len || s[i] != ',')
        return CD_EPROTO;
    i++;
    while (i < len && s[i] >= '0' && s[i] <= '9') /* key version: ignored */
        i++;
    if (i + 1 >= len || s[i] != '}' || s[i + 1] != ' ')
        return CD_EPROTO;
    *algo = (int)v;
    *pos = i + 2;
    return CD_OK;
}

/* Decode the standard base64 chunk in[0..n) into a new heap buffer. */
static int decode_chunk(const char *in, size_t n, unsigned char **out,
                        size_t *outlen)
{
    size_t max = base64_decoded_max(n);
    unsigned char *p;
    int rc;

    *out = NULL;
    *outlen = 0;
    if (n == 0)
        return CD_EPROTO;
    p = xmalloc(max);
    rc = base64_decode(p, max, outlen, in, n);
    if (rc < 0 || *outlen == 0) {
        crypto_free_secret(p, max);
        *outlen = 0;
        return CD_EPROTO;
    }
    *out = p;
    return CD_OK;
}

/* Length of the chunk starting at s[pos]: up to the next space or len. */
static size_t chunk_len(const char *s, size_t len, size_t pos)
{
    const char *sp = memchr(s + pos, ' ', len - pos);

    return sp != NULL ? (size_t)(sp - (s + pos)) : len - pos;
}

int crypto_versioned_parse(struct crypto_versioned *v, const char *s,
                           size_t len)
{
    size_t pos = 0, n;
    int rc;

    memset(v, 0, sizeof(*v));
    if (len > CRYPTO_VERSIONED_MAX)
        return CD_ETOOBIG;
    rc = parse_prefix(s, len, &v->algo, &pos);
    if (rc < 0)
        goto out;
    n = chunk_len(s, len, pos);
    rc = decode_chunk(s + pos, n, &v->cipher, &v->cipher_len);
    if (rc < 0)
        goto out;
    pos += n;
    if (pos < len) { /* a space, then the nonce; later chunks are ignored */
        pos++;
        n = chunk_len(s, len, pos);
        rc = decode_chunk(s + pos, n, &v->nonce, &v->nonce_len);
    }
out:
    if (rc < 0)
        crypto_versioned_release(v);
    return rc;
}

void crypto_versioned_release(struct crypto_versioned *v)
{
    crypto_free_secret(v->cipher, v->cipher_len);
    crypto_free_secret(v->nonce, v->nonce_len);
    memset(v, 0, sizeof(*v));
}

/* Decimal digits of a non-negative int. */
static size_t ndigits(int v)
{
    size_t n = 1;

    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

size_t crypto_versioned_len(int algo, size_t n, size_t nn)
{
    size_t len = 4 + ndigits(algo) + base64_encoded_len(n); /* "{" "," "} " */

    if (nn > 0)
        len += 1 + base64_encoded_len(nn);
    return len;
}

int crypto_versioned_format(char *out, size_t outsize, int algo,
                            const void *cipher, size_t n, const void *nonce,
                            size_t nn)
{
    size_t len, pos;
    int w;

    if (algo < 0 || algo > CRYPTO_VERSION_MAX)
        return CD_EINVAL;
    if (n > CRYPTO_VERSIONED_MAX || nn > CRYPTO_VERSIONED_MAX)
        return CD_ETOOBIG;
    len = crypto_versioned_len(algo, n, nn);
    if (len > CRYPTO_VERSIONED_MAX || len >= outsize)
        return CD_ETOOBIG;
    w = snprintf(out, outsize, "{%d,} ", algo);
    if (w < 0)
        return CD_EINVAL;
    pos = (size_t)w;
    base64_encode(out + pos, cipher, n);
    pos += base64_encoded_len(n);
    if (nn > 0) {
        out[pos++] = ' ';
        base64_encode(out + pos, nonce, nn);
    }
    return CD_OK;
}

/* The AES-GCM cipher for a key length, or NULL. */
static const EVP_CIPHER *gcm_for(size_t keylen)
{
    switch (keylen) {
    case 16:
        return EVP_aes_128_gcm();
    case 24:
        return EVP_aes_192_gcm();
    case 32:
        return EVP_aes_256_gcm();
    default:
        return NULL;
    }
}

/* AES-GCM seal pt[0..n) into ct[0..n+16) (ciphertext || tag). */
static int gcm_seal(const EVP_CIPHER *c, const void *key,
                    const unsigned char *nonce, const void *pt, size_t n,
                    unsigned char *ct)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int rc = CD_EIO, outl = 0, finl = 0;

    if (ctx == NULL)
        goto out;
    if (EVP_EncryptInit_ex(ctx, c, NULL, key, nonce) != 1)
        goto out;
    if (n > 0 && EVP_EncryptUpdate(ctx, ct, &outl, pt, (int)n) != 1)
        goto out;
    if (EVP_EncryptFinal_ex(ctx, ct + outl, &finl) != 1)
        goto out;
    if ((size_t)outl + (size_t)finl != n)
        goto out;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_AES_TAG_LEN,
                            ct + n) != 1)
        goto out;
    rc = CD_OK;
out:
    EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule */
    if (rc < 0)
        ERR_clear_error();
    return rc;
}

/* AES-GCM open ct[0..n) (ciphertext || tag, n >= 16) into pt[0..n-16).
 * CD_EAUTH when the tag does not verify. */
static int gcm_open(const EVP_CIPHER *c, const void *key,
                    const unsigned char *nonce, const unsigned char *ct,
                    size_t n, unsigned char *pt)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    size_t ctlen = n - CRYPTO_AES_TAG_LEN;
    unsigned char tag[CRYPTO_AES_TAG_LEN];
    int rc = CD_EIO, outl = 0, finl = 0;

    memcpy(tag, ct + ctlen, sizeof(tag));
    if (ctx == NULL)
        goto out;
    if (EVP_DecryptInit_ex(ctx, c, NULL, key, nonce) != 1)
        goto out;
    if (ctlen > 0 && EVP_DecryptUpdate(ctx, pt, &outl, ct, (int)ctlen) != 1)
        goto out;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_AES_TAG_LEN,
                            tag) != 1)
        goto out;
    rc = CD_EAUTH;
    if (EVP_DecryptFinal_ex(ctx, pt + outl, &finl) != 1)
        goto out;
    rc = CD_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    if (rc < 0)
        ERR_clear_error();
    return rc;
}

int crypto_aes_encrypt_with_nonce(const void *key, size_t keylen,
                                  const unsigned char nonce[12],
                                  const void *pt, size_t n, char **out,
                                  size_t *outlen)
{
    const EVP_CIPHER *c = gcm_for(keylen);
    unsigned char *ct = NULL;
    size_t len = 0;
    char *s = NULL;
    int rc = CD_EINVAL;

    *out = NULL;
    *outlen = 0;
    if (c == NULL)
        goto out;
    rc = CD_ETOOBIG;
    if (n > CRYPTO_VERSIONED_MAX ||
        crypto_versioned_len(1, n + CRYPTO_AES_TAG_LEN,
                             CRYPTO_AES_NONCE_LEN) > CRYPTO_VERSIONED_MAX)
        goto out;
    ct = xmalloc(n + CRYPTO_AES_TAG_LEN);
    rc = gcm_seal(c, key, nonce, pt, n, ct);
    if (rc < 0)
        goto out;
    len = crypto_versioned_len(1, n + CRYPTO_AES_TAG_LEN,
                               CRYPTO_AES_NONCE_LEN);
    s = xmalloc(len + 1);
    rc = crypto_versioned_format(s, len + 1, 1, ct, n + CRYPTO_AES_TAG_LEN,
                                 nonce, CRYPTO_AES_NONCE_LEN);
    if (rc < 0)
        goto out;
    *out = s;
    *outlen = len;
    s = NULL;
out:
    free(s);
    if (ct != NULL)
        crypto_free_secret(ct, n + CRYPTO_AES_TAG_LEN);
    return rc;
}

int crypto_aes_encrypt(const void *key, size_t keylen, const void *pt,
                       size_t n, char **out, size_t *outlen)
{
    unsigned char nonce[CRYPTO_AES_NONCE_LEN];
    int rc;

    *out = NULL;
    *outlen = 0;
    rc = crypto_random(nonce, sizeof(nonce));
    if (rc < 0)
        return rc;
    return crypto_aes_encrypt_with_nonce(key, keylen, nonce, pt, n, out,
                                         outlen);
}

int crypto_aes_decrypt(const void *key, size_t keylen, const char *s,
                       size_t len, unsigned char **pt, size_t *n)
{
    const EVP_CIPHER *c = gcm_for(keylen);
    struct crypto_versioned v;
    unsigned char *p = NULL;
    size_t plen = 0;
    int rc = CD_EINVAL;

    *pt = NULL;
    *n = 0;
    memset(&v, 0, sizeof(v));
    if (c == NULL)
        goto out;
    rc = crypto_versioned_parse(&v, s, len);
    if (rc < 0)
        goto out;
    rc = CD_EPROTO;
    if (v.nonce_len != CRYPTO_AES_NONCE_LEN ||
        v.cipher_len < CRYPTO_AES_TAG_LEN)
        goto out;
    plen = v.cipher_len - CRYPTO_AES_TAG_LEN;
    p = xmalloc(plen + 1);
    rc = gcm_open(c, key, v.nonce, v.cipher, v.cipher_len, p);
    if (rc < 0)
        goto out;
    p[plen] = '\0';
    *pt = p;
    *n = plen;
    p = NULL;
out:
    crypto_free_secret(p, plen + 1);
    crypto_versioned_release(&v);
    return rc;
}
