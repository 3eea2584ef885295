/* rsa.c -- RSA key generation and RSA-OAEP-SHA256 (see rsa.h).
 *
 * OpenSSL 3 EVP_PKEY throughout. Two pitfalls handled here: OAEP needs both
 * the OAEP digest and the MGF1 digest set to SHA-256 (OpenSSL defaults MGF1
 * to the OAEP digest only when it is left unset, so we set both to be
 * explicit), and EVP_PKEY_decrypt() wants an output buffer of at least the
 * modulus size even for short plaintexts.
 */
#include "common/common.h"
#include "crypto/rsa.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "crypto/cipher.h"
#include "crypto/memeq.h"
#include "crypto/rsa_internal.h"

#define OAEP_OVERHEAD (2 * 32 + 2) /* 2 * SHA-256 length + 2 */

struct crypto_rsa_key *crypto_rsa_key_wrap(EVP_PKEY *pkey, bool priv)
{
    struct crypto_rsa_key *k = xcalloc(1, sizeof(*k));

    k->pkey = pkey;
    k->priv = priv;
    return k;
}

int crypto_rsa_generate(struct crypto_rsa_key **out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;
    int rc = CD_EIO;

    *out = NULL;
    if (ctx == NULL)
        goto out;
    if (EVP_PKEY_keygen_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, CRYPTO_RSA_BITS) != 1)
        goto out;
    /* e = 65537 is OpenSSL's default; rsa_test checks it. */
    if (EVP_PKEY_generate(ctx, &pkey) != 1)
        goto out;
    *out = crypto_rsa_key_wrap(pkey, true);
    rc = CD_OK;
out:
    EVP_PKEY_CTX_free(ctx);
    if (rc < 0)
        ERR_clear_error();
    return rc;
}

void crypto_rsa_key_free(struct crypto_rsa_key *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey); /* OpenSSL clears private bignums on free */
    free(k);
}

bool crypto_rsa_key_is_private(const struct crypto_rsa_key *k)
{
    return k->priv;
}

int crypto_rsa_key_bits(const struct crypto_rsa_key *k)
{
    return EVP_PKEY_get_bits(k->pkey);
}

size_t crypto_rsa_max_plaintext(const struct crypto_rsa_key *k)
{
    int size = EVP_PKEY_get_size(k->pkey);

    return size > OAEP_OVERHEAD ? (size_t)(size - OAEP_OVERHEAD) : 0;
}

/* A context for OAEP with SHA-256 for both digests; encrypt or decrypt. */
static EVP_PKEY_CTX *oaep_ctx(EVP_PKEY *pkey, bool encrypt)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok;

    if (ctx == NULL)
        return NULL;
    ok = encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx);
    if (ok != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) != 1) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int crypto_rsa_encrypt(const struct crypto_rsa_key *k, const void *pt,
                       size_t n, char **out, size_t *outlen)
{
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char *ct = NULL;
    size_t ctlen = 0, len;
    char *s = NULL;
    int rc = CD_ETOOBIG;

    *out = NULL;
    *outlen = 0;
    if (n > crypto_rsa_max_plaintext(k))
        goto out;
    rc = CD_EIO;
    ctx = oaep_ctx(k->pkey, true);
    if (ctx == NULL)
        goto out;
    ctlen = (size_t)EVP_PKEY_get_size(k->pkey);
    ct = xmalloc(ctlen);
    if (EVP_PKEY_encrypt(ctx, ct, &ctlen, pt, n) != 1)
        goto out;
    len = crypto_versioned_len(1, ctlen, 0);
    s = xmalloc(len + 1);
    rc = crypto_versioned_format(s, len + 1, 1, ct, ctlen, NULL, 0);
    if (rc < 0)
        goto out;
    *out = s;
    *outlen = len;
    s = NULL;
out:
    free(s);
    free(ct);
    EVP_PKEY_CTX_free(ctx);
    if (rc < 0)
        ERR_clear_error();
    return rc;
}

int crypto_rsa_decrypt(const struct crypto_rsa_key *k, const char *s,
                       size_t len, unsigned char **pt, size_t *n)
{
    struct crypto_versioned v;
    EVP_PKEY_CTX *ctx = NULL;
    size_t size = (size_t)EVP_PKEY_get_size(k->pkey), plen = 0;
    unsigned char *p = NULL;
    int rc = CD_EINVAL;

    *pt = NULL;
    *n = 0;
    memset(&v, 0, sizeof(v));
    if (!k->priv)
        goto out;
    rc = crypto_versioned_parse(&v, s, len);
    if (rc < 0)
        goto out;
    rc = CD_EPROTO;
    if (v.cipher_len != size)
        goto out;
    rc = CD_EIO;
    ctx = oaep_ctx(k->pkey, false);
    if (ctx == NULL)
        goto out;
    p = xmalloc(size + 1); /* at least the modulus size, see above */
    plen = size;
    rc = CD_EAUTH;
    if (EVP_PKEY_decrypt(ctx, p, &plen, v.cipher, v.cipher_len) != 1)
        goto out;
    p[plen] = '\0';
    *pt = p;
    *n = plen;
    p = NULL;
    rc = CD_OK;
out:
    crypto_free_secret(p, size + 1);
    crypto_versioned_release(&v);
    EVP_PKEY_CTX_free(ctx);
    if (rc < 0)
        ERR_clear_error();
    return rc;
}
