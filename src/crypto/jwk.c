/* jwk.c -- JWK export and import for RSA keys and the KEK (see jwk.h).
 *
 * Export writes the JSON by hand: the member set is fixed, the values are
 * base64url strings that need no escaping, and building it ourselves lets us
 * size the buffer once and wipe every intermediate copy of private values
 * (jansson's and struct buf's reallocations would leave copies behind).
 * Import parses with jansson (jsonx.h) and builds the EVP_PKEY with
 * OSSL_PARAM_BLD + EVP_PKEY_fromdata().
 */
#include "common/common.h"
#include "crypto/jwk.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "crypto/memeq.h"
#include "crypto/rsa.h"
#include "crypto/rsa_internal.h"

#define JWK_INT_MAX (CRYPTO_RSA_MAX_BITS / 8) /* bytes of one RSA integer */
#define JWK_MEMBERS_MAX 9

struct member {
    const char *jwk;   /* JWK member name */
    const char *param; /* OpenSSL parameter, NULL for "kty" */
};

static const struct member private_members[] = { /* sorted by JWK name */
    { "d", OSSL_PKEY_PARAM_RSA_D },
    { "dp", OSSL_PKEY_PARAM_RSA_EXPONENT1 },
    { "dq", OSSL_PKEY_PARAM_RSA_EXPONENT2 },
    { "e", OSSL_PKEY_PARAM_RSA_E },
    { "kty", NULL },
    { "n", OSSL_PKEY_PARAM_RSA_N },
    { "p", OSSL_PKEY_PARAM_RSA_FACTOR1 },
    { "q", OSSL_PKEY_PARAM_RSA_FACTOR2 },
    { "qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1 },
};

static const struct member public_members[] = {
    { "e", OSSL_PKEY_PARAM_RSA_E },
    { "kty", NULL },
    { "n", OSSL_PKEY_PARAM_RSA_N },
};

/* ---- export ------------------------------------------------------------ */

/* base64url (no padding) of the minimal big-endian bytes of a bignum
 * parameter of pkey, as a heap string; NULL if OpenSSL fails. */
static char *b64_param(EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char *bin = NULL;
    char *s = NULL;
    int nb = 0;

    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
        goto out;
    nb = BN_num_bytes(bn);
    bin = xmalloc(nb > 0 ? (size_t)nb : 1);
    if (BN_bn2bin(bn, bin) != nb)
        goto out;
    s = xmalloc(base64url_encoded_len((size_t)nb) + 1);
    base64url_encode(s, bin, (size_t)nb);
out:
    crypto_free_secret(bin, (size_t)nb);
    BN_clear_free(bn);
    return s;
}

/* Join the members {"name":"value",...} into one exactly sized heap
 * string. */
static char *join_members(const struct member *m, char *const *vals,
                          size_t count, size_t *len)
{
    size_t total = 1, pos = 0; /* "{" ... "}" */
    char *s;

    for (size_t i = 0; i < count; i++)
        total += strlen(m[i].jwk) + strlen(vals[i]) + 6; /* "":"", or } */
    s = xmalloc(total + 1);
    s[pos++] = '{';
    for (size_t i = 0; i < count; i++) {
        size_t nl = strlen(m[i].jwk), vl = strlen(vals[i]);

        s[pos++] = '"';
        memcpy(s + pos, m[i].jwk, nl);
        pos += nl;
        memcpy(s + pos, "\":\"", 3);
        pos += 3;
        memcpy(s + pos, vals[i], vl);
        pos += vl;
        s[pos++] = '"';
        s[pos++] = i + 1 < count ? ',' : '}';
    }
    s[pos] = '\0';
    *len = pos;
    return s;
}

static int export_members(EVP_PKEY *pkey, const struct member *m,
                          size_t count, char **out, size_t *len)
{
    char *vals[JWK_MEMBERS_MAX] = { NULL };
    int rc = CD_EIO;

    *out = NULL;
    *len = 0;
    for (size_t i = 0; i < count; i++) {
        vals[i] = m[i].param ? b64_param(pkey, m[i].param) : xstrdup("RSA");
        if (vals[i] == NULL)
            goto out;
    }
    *out = join_members(m, vals, count, len);
    rc = CD_OK;
out:
    for (size_t i = 0; i < count; i++)
        if (vals[i] != NULL)
            crypto_free_secret(vals[i], strlen(vals[i]));
    if (rc < 0)
        ERR_clear_error();
    return rc;
}

int crypto_jwk_export_public(const struct crypto_rsa_key *k, char **out,
                             size_t *len)
{
    return export_members(k->pkey, public_members,
                          CD_ARRAY_SIZE(public_members), out, len);
}

int crypto_jwk_export_private(const struct crypto_rsa_key *k, char **out,
                              size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!k->priv)
        return CD_EINVAL;
    return export_members(k->pkey, private_members,
                          CD_ARRAY_SIZE(private_members), out, len);
}

/* ---- import ------------------------------------------------------------ */

/* Parse json[0..len) into a JSON object whose "kty" is kty. */
static int parse_object(const char *json, size_t len, const char *kty,
                        json_t **root)
{
    json_t *v;
    int rc;

    *root = NULL;
    if (len > CRYPTO_JWK_MAX)
        return CD_ETOOBIG;
    rc = jsonx_parse(json, len, root, NULL);
    if (rc < 0)
        return CD_EPROTO;
    v = json_object_get(*root, "kty");
    if (!json_is_object(*root) || !json_is_string(v) ||
        strcmp(json_string_value(v), kty) != 0) {
        json_decref(*root);
        *root = NULL;
        return CD_EPROTO;
    }
    return CD_OK;
}

/* Decode the base64url string member `name` into buf[0..max). CD_EPROTO
 * if missing, not a string, empty or not base64url; CD_EINVAL if longer
 * than max. */
static int read_member(json_t *root, const char *name, unsigned char *buf,
                       size_t max, size_t *n)
{
    json_t *v = json_object_get(root, name);
    int rc;

    *n = 0;
    if (!json_is_string(v))
        return CD_EPROTO;
    rc = base64url_decode(buf, max, n, json_string_value(v),
                          json_string_length(v));
    if (rc == CD_ETOOBIG)
        return CD_EINVAL;
    if (rc < 0 || *n == 0)
        return CD_EPROTO;
    return CD_OK;
}

/* Read the integer members of m into bns[] and push them onto bld. */
static int push_members(json_t *root, const struct member *m, size_t count,
                        OSSL_PARAM_BLD *bld, BIGNUM **bns)
{
    unsigned char *bin = xmalloc(JWK_INT_MAX);
    size_t n = 0;
    int rc = CD_OK;

    for (size_t i = 0; i < count && rc == CD_OK; i++) {
        if (m[i].param == NULL)
            continue;
        rc = read_member(root, m[i].jwk, bin, JWK_INT_MAX, &n);
        if (rc < 0)
            break;
        bns[i] = BN_bin2bn(bin, (int)n, NULL);
        crypto_wipe(bin, n);
        if (bns[i] == NULL ||
            OSSL_PARAM_BLD_push_BN(bld, m[i].param, bns[i]) != 1)
            rc = CD_EIO;
    }
    crypto_free_secret(bin, JWK_INT_MAX);
    return rc;
}

/* The modulus size must be in range and OpenSSL's public check must pass
 * (n odd and composite, e odd and in range). */
static int check_key(EVP_PKEY *pkey)
{
    int bits = EVP_PKEY_get_bits(pkey);
    EVP_PKEY_CTX *ctx;
    int ok;

    if (bits < CRYPTO_RSA_MIN_BITS || bits > CRYPTO_RSA_MAX_BITS)
        return CD_EINVAL;
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL)
        return CD_EIO;
    ok = EVP_PKEY_public_check(ctx);
    EVP_PKEY_CTX_free(ctx);
    return ok == 1 ? CD_OK : CD_EINVAL;
}

/* Indexes of private_members[]. */
enum { M_D, M_DP, M_DQ, M_E, M_KTY, M_N, M_P, M_Q, M_QI };

/* True if a * b mod m is one; t is scratch. */
static bool mod_is_one(const BIGNUM *a, const BIGNUM *b, const BIGNUM *m,
                       BIGNUM *t, BN_CTX *bc)
{
    return BN_mod_mul(t, a, b, m, bc) == 1 && BN_is_one(t);
}

/* The private parts must agree: n = p q, dp = d mod (p - 1), dq = d mod
 * (q - 1), q qi = 1 mod p, e d = 1 mod (p - 1) and mod (q - 1). This is
 * RSA_check_key() without its primality tests of p and q, which cost half
 * a second or more for a 4096-bit key. */
static int check_private(BIGNUM *const *b)
{
    BN_CTX *bc = BN_CTX_secure_new();
    BIGNUM *t, *p1, *q1;
    bool ok = false;

    if (bc == NULL)
        return CD_EIO;
    BN_CTX_start(bc);
    t = BN_CTX_get(bc);
    p1 = BN_CTX_get(bc);
    q1 = BN_CTX_get(bc);
    if (q1 == NULL || BN_cmp(b[M_P], BN_value_one()) <= 0 ||
        BN_cmp(b[M_Q], BN_value_one()) <= 0)
        goto out;
    if (BN_mul(t, b[M_P], b[M_Q], bc) != 1 || BN_cmp(t, b[M_N]) != 0)
        goto out;
    if (BN_sub(p1, b[M_P], BN_value_one()) != 1 ||
        BN_sub(q1, b[M_Q], BN_value_one()) != 1)
        goto out;
    if (BN_mod(t, b[M_D], p1, bc) != 1 || BN_cmp(t, b[M_DP]) != 0 ||
        BN_mod(t, b[M_D], q1, bc) != 1 || BN_cmp(t, b[M_DQ]) != 0)
        goto out;
    ok = mod_is_one(b[M_Q], b[M_QI], b[M_P], t, bc) &&
         mod_is_one(b[M_E], b[M_D], p1, t, bc) &&
         mod_is_one(b[M_E], b[M_D], q1, t, bc);
out:
    BN_CTX_end(bc); /* a secure context clears its temporaries */
    BN_CTX_free(bc);
    return ok ? CD_OK : CD_EINVAL;
}

/* Overwrite the values of a parameter array before it is freed. */
static void wipe_params(OSSL_PARAM *params)
{
    for (OSSL_PARAM *p = params; p != NULL && p->key != NULL; p++)
        crypto_wipe(p->data, p->data_size);
}

/* Build an EVP_PKEY from the members m of the JWK root. */
static int build_pkey(json_t *root, const struct member *m, size_t count,
                      bool priv, EVP_PKEY **pkey)
{
    BIGNUM *bns[JWK_MEMBERS_MAX] = { NULL };
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int rc = CD_EIO;

    *pkey = NULL;
    if (bld == NULL)
        goto out;
    rc = push_members(root, m, count, bld, bns);
    if (rc < 0)
        goto out;
    rc = CD_EIO;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1)
        goto out;
    rc = priv ? check_private(bns) : CD_OK;
    if (rc < 0)
        goto out;
    rc = CD_EINVAL;
    if (EVP_PKEY_fromdata(ctx, pkey,
                          priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                          params) != 1)
        goto out;
    rc = check_key(*pkey);
out:
    if (rc < 0) {
        EVP_PKEY_free(*pkey);
        *pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    wipe_params(params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    for (size_t i = 0; i < count; i++)
        BN_clear_free(bns[i]);
    return rc;
}

static int import_rsa(const char *json, size_t len, bool priv,
                      struct crypto_rsa_key **out)
{
    const struct member *m = priv ? private_members : public_members;
    size_t count = priv ? CD_ARRAY_SIZE(private_members)
                        : CD_ARRAY_SIZE(public_members);
    EVP_PKEY *pkey = NULL;
    json_t *root = NULL;
    int rc;

    *out = NULL;
    rc = parse_object(json, len, "RSA", &root);
    if (rc < 0)
        goto out;
    rc = build_pkey(root, m, count, priv, &pkey);
    if (rc < 0)
        goto out;
    *out = crypto_rsa_key_wrap(pkey, priv);
out:
    json_decref(root);
    if (rc < 0)
        ERR_clear_error();
    return rc;
}

int crypto_jwk_import_public(const char *json, size_t len,
                             struct crypto_rsa_key **out)
{
    return import_rsa(json, len, false, out);
}

int crypto_jwk_import_private(const char *json, size_t len,
                              struct crypto_rsa_key **out)
{
    return import_rsa(json, len, true, out);
}

int crypto_jwk_encrypt(const char *json, size_t len, const void *pt,
                       size_t n, char **out, size_t *outlen)
{
    struct crypto_rsa_key *k = NULL;
    int rc;

    *out = NULL;
    *outlen = 0;
    rc = crypto_jwk_import_public(json, len, &k);
    if (rc < 0)
        return rc;
    rc = crypto_rsa_encrypt(k, pt, n, out, outlen);
    crypto_rsa_key_free(k);
    return rc;
}

int crypto_jwk_decrypt(const char *json, size_t len, const char *s,
                       size_t slen, unsigned char **pt, size_t *n)
{
    struct crypto_rsa_key *k = NULL;
    int rc;

    *pt = NULL;
    *n = 0;
    rc = crypto_jwk_import_private(json, len, &k);
    if (rc < 0)
        return rc;
    rc = crypto_rsa_decrypt(k, s, slen, pt, n);
    crypto_rsa_key_free(k);
    return rc;
}

/* ---- KEK --------------------------------------------------------------- */

void crypto_jwk_export_oct(const unsigned char key[CRYPTO_KEK_LEN],
                           char out[CRYPTO_JWK_OCT_SIZE])
{
    static const char head[] = "{\"k\":\"", tail[] = "\",\"kty\":\"oct\"}";
    size_t pos = sizeof(head) - 1;

    memcpy(out, head, pos);
    base64url_encode(out + pos, key, CRYPTO_KEK_LEN);
    pos += base64url_encoded_len(CRYPTO_KEK_LEN);
    memcpy(out + pos, tail, sizeof(tail)); /* with the NUL */
}

int crypto_jwk_import_oct(const char *json, size_t len,
                          unsigned char key[CRYPTO_KEK_LEN])
{
    unsigned char buf[CRYPTO_KEK_LEN + 3];
    json_t *root = NULL;
    size_t n = 0;
    int rc;

    memset(key, 0, CRYPTO_KEK_LEN);
    rc = parse_object(json, len, "oct", &root);
    if (rc < 0)
        goto out;
    rc = read_member(root, "k", buf, sizeof(buf), &n);
    if (rc < 0 || n != CRYPTO_KEK_LEN) {
        rc = CD_EPROTO;
        goto out;
    }
    memcpy(key, buf, CRYPTO_KEK_LEN);
out:
    crypto_wipe(buf, sizeof(buf));
    json_decref(root);
    return rc;
}
