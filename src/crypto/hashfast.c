/* hashfast.c -- SHA-256 secret ids and user salts (see hashfast.h). */
#include "common/common.h"
#include "crypto/hashfast.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

#include "crypto/cipher.h"
#include "crypto/memeq.h"
#include "crypto/random.h"

/* SHA-256, fetched once: EVP_sha256() looks the implementation up again
 * on every EVP_DigestInit_ex(), half the cost of hashing a user id. */
static EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL); /* kept for the process */
}

/* SHA-256 of a[0..an) || b[0..bn) into md[32]. */
static int sha256_two(const void *a, size_t an, const void *b, size_t bn,
                      unsigned char md[32])
{
    EVP_MD_CTX *ctx;
    unsigned int mdlen = 0;
    int rc = CD_EIO;

    pthread_once(&sha256_once, fetch_sha256);
    ctx = sha256 != NULL ? EVP_MD_CTX_new() : NULL;
    if (ctx == NULL)
        goto out;
    if (EVP_DigestInit_ex(ctx, sha256, NULL) != 1 ||
        EVP_DigestUpdate(ctx, a, an) != 1 ||
        EVP_DigestUpdate(ctx, b, bn) != 1 ||
        EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
        goto out;
    rc = CD_OK;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

int crypto_hash_fast(const char *user_id, size_t n, const char *salt,
                     size_t saltlen, char out[CRYPTO_SECRET_ID_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    struct crypto_versioned v;
    unsigned char md[32];
    int rc = CD_ETOOBIG;

    out[0] = '\0';
    memset(&v, 0, sizeof(v));
    if (n > CRYPTO_USER_ID_MAX)
        goto out;
    rc = crypto_versioned_parse(&v, salt, saltlen);
    if (rc < 0)
        goto out;
    rc = CD_EINVAL;
    if (v.algo != 1)
        goto out;
    rc = sha256_two(user_id, n, v.cipher, v.cipher_len, md);
    if (rc < 0)
        goto out;
    for (size_t i = 0; i < sizeof(md); i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0x0f];
    }
    out[2 * sizeof(md)] = '\0';
out:
    crypto_wipe(md, sizeof(md));
    crypto_versioned_release(&v);
    return rc;
}

int crypto_new_user_salt(char out[CRYPTO_USER_SALT_SIZE])
{
    unsigned char salt[CRYPTO_USER_SALT_LEN];
    int rc;

    out[0] = '\0';
    rc = crypto_random(salt, sizeof(salt));
    if (rc < 0)
        goto out;
    rc = crypto_versioned_format(out, CRYPTO_USER_SALT_SIZE, 1, salt,
                                 sizeof(salt), NULL, 0);
out:
    crypto_wipe(salt, sizeof(salt));
    return rc;
}
