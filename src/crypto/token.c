/* token.c -- securecookie-compatible signed tokens (see token.h).
 *
 * Go's base64.URLEncoding is the URL-safe alphabet *with* padding, which
 * common/base64.h does not offer; we encode with the standard alphabet and
 * swap "+/" for "-_" (and back, refusing "+/" on input), which keeps the
 * strict decoder. Every intermediate buffer is exactly sized and wiped.
 */
#include "common/common.h"
#include "crypto/token.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/xalloc.h"
#include "crypto/gob.h"
#include "crypto/memeq.h"

#define MAC_LEN 32      /* HMAC-SHA256 */
#define TS_MAX_DIGITS 18 /* keeps the parsed timestamp far from overflow */

int crypto_signer_init(struct crypto_signer *s, const void *key, size_t n)
{
    memset(s, 0, sizeof(*s));
    if (n == 0)
        return CD_EINVAL;
    if (n > CRYPTO_TOKEN_KEY_MAX)
        return CD_ETOOBIG;
    memcpy(s->key, key, n);
    s->key_len = n;
    return CD_OK;
}

void crypto_signer_release(struct crypto_signer *s)
{
    crypto_wipe(s, sizeof(*s));
}

/* ---- base64url with padding ------------------------------------------- */

static void b64u_encode(char *out, const void *in, size_t n)
{
    base64_encode(out, in, n);
    for (char *p = out; *p != '\0'; p++) {
        if (*p == '+')
            *p = '-';
        else if (*p == '/')
            *p = '_';
    }
}

/* Decode in[0..len) into a new heap buffer *out of *outlen bytes (release
 * with crypto_free_secret()). CD_EPROTO unless canonical. */
static int b64u_decode(const char *in, size_t len, unsigned char **out,
                       size_t *outlen)
{
    size_t max = base64_decoded_max(len);
    char *tmp = xmalloc(len + 1);
    unsigned char *p = xmalloc(max > 0 ? max : 1);
    int rc = CD_EPROTO;

    *out = NULL;
    *outlen = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '+' || in[i] == '/')
            goto out;
        tmp[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
    }
    if (base64_decode(p, max, outlen, tmp, len) < 0)
        goto out;
    *out = p;
    p = NULL;
    rc = CD_OK;
out:
    crypto_free_secret(tmp, len + 1);
    crypto_free_secret(p, max);
    return rc;
}

/* ---- the envelope ------------------------------------------------------ */

static int hmac(const struct crypto_signer *s, const void *msg, size_t n,
                unsigned char mac[MAC_LEN])
{
    unsigned int maclen = 0;

    if (HMAC(EVP_sha256(), s->key, (int)s->key_len, msg, n, mac,
             &maclen) == NULL ||
        maclen != MAC_LEN)
        return CD_EIO;
    return CD_OK;
}

int crypto_token_encode(const struct crypto_signer *s, const char *name,
                        const void *payload, size_t n, int64_t now,
                        char **out, size_t *outlen)
{
    size_t namelen = strlen(name), vlen, rawlen, toklen, pos;
    char ts[24], *msg = NULL, *tok;
    int tl, rc;

    *out = NULL;
    *outlen = 0;
    if (now < 0 || s->key_len == 0)
        return CD_EINVAL;
    if (n > CRYPTO_TOKEN_MAX || namelen > CRYPTO_TOKEN_MAX)
        return CD_ETOOBIG;
    tl = snprintf(ts, sizeof(ts), "%lld", (long long)now);
    vlen = base64_encoded_len(n);
    rawlen = (size_t)tl + 1 + vlen + 1 + MAC_LEN; /* "ts|v|" mac */
    toklen = base64_encoded_len(rawlen);
    if (toklen > CRYPTO_TOKEN_MAX)
        return CD_ETOOBIG;
    /* msg = "name|ts|v|" mac; the token encodes msg from "ts" on. */
    msg = xmalloc(namelen + 1 + rawlen + 1);
    pos = (size_t)snprintf(msg, namelen + 1 + rawlen + 1, "%s|%s|", name, ts);
    b64u_encode(msg + pos, payload, n);
    pos += vlen;
    rc = hmac(s, msg, pos, (unsigned char *)msg + pos + 1);
    if (rc < 0)
        goto out;
    msg[pos] = '|';
    tok = xmalloc(toklen + 1);
    b64u_encode(tok, msg + namelen + 1, rawlen);
    *out = tok;
    *outlen = toklen;
out:
    crypto_free_secret(msg, namelen + 1 + rawlen + 1);
    return rc;
}

/* Parse the decimal timestamp ts[0..n): digits only. */
static int parse_ts(const unsigned char *ts, size_t n, int64_t *out)
{
    int64_t v = 0;

    if (n == 0 || n > TS_MAX_DIGITS)
        return CD_EPROTO;
    for (size_t i = 0; i < n; i++) {
        if (ts[i] < '0' || ts[i] > '9')
            return CD_EPROTO;
        v = v * 10 + (ts[i] - '0');
    }
    *out = v;
    return CD_OK;
}

/* Check the MAC of raw[0..signed_len) ("ts|v") under name against
 * mac[0..maclen). */
static int check_mac(const struct crypto_signer *s, const char *name,
                     const unsigned char *raw, size_t signed_len,
                     const unsigned char *mac, size_t maclen)
{
    size_t namelen = strlen(name), n = namelen + 1 + signed_len;
    unsigned char want[MAC_LEN];
    char *msg = xmalloc(n);
    int rc;

    memcpy(msg, name, namelen);
    msg[namelen] = '|';
    memcpy(msg + namelen + 1, raw, signed_len);
    rc = hmac(s, msg, n, want);
    if (rc == CD_OK && (maclen != MAC_LEN || !crypto_memeq(want, mac, MAC_LEN)))
        rc = CD_EAUTH;
    crypto_wipe(want, sizeof(want));
    crypto_free_secret(msg, n);
    return rc;
}

/* The timestamp must be within [now - max_age, now + skew]. */
static int check_age(int64_t ts, int64_t max_age, int64_t now)
{
    if (max_age != 0 && ts < now - max_age)
        return CD_EAUTH;
    if (ts > now + CRYPTO_TOKEN_MAX_SKEW)
        return CD_EAUTH;
    return CD_OK;
}

int crypto_token_decode(const struct crypto_signer *s, const char *name,
                        const char *token, size_t len, int64_t max_age,
                        int64_t now, unsigned char **payload, size_t *n)
{
    unsigned char *raw = NULL, *p1, *p2;
    size_t rawlen = 0;
    int64_t ts = 0;
    int rc;

    *payload = NULL;
    *n = 0;
    if (len > CRYPTO_TOKEN_MAX)
        return CD_ETOOBIG;
    if (s->key_len == 0 || max_age < 0)
        return CD_EINVAL;
    rc = b64u_decode(token, len, &raw, &rawlen);
    if (rc < 0)
        goto out;
    rc = CD_EPROTO; /* "ts|v|mac"; the MAC may itself contain '|' */
    p1 = memchr(raw, '|', rawlen);
    p2 = p1 ? memchr(p1 + 1, '|', rawlen - (size_t)(p1 + 1 - raw)) : NULL;
    if (p2 == NULL)
        goto out;
    rc = check_mac(s, name, raw, (size_t)(p2 - raw), p2 + 1,
                   rawlen - (size_t)(p2 + 1 - raw));
    if (rc < 0)
        goto out;
    rc = parse_ts(raw, (size_t)(p1 - raw), &ts);
    if (rc < 0)
        goto out;
    rc = check_age(ts, max_age, now);
    if (rc < 0)
        goto out;
    rc = b64u_decode((const char *)p1 + 1, (size_t)(p2 - p1 - 1), payload, n);
out:
    crypto_free_secret(raw, rawlen);
    return rc;
}

/* ---- the three kinds --------------------------------------------------- */

/* Sign a gob string under name. */
static int issue_string(const struct crypto_signer *s, const char *name,
                        const char *str, size_t n, int64_t now, char **out,
                        size_t *outlen)
{
    unsigned char *gob = NULL;
    size_t gn = 0;
    int rc;

    *out = NULL;
    *outlen = 0;
    rc = crypto_gob_encode_string(str, n, &gob, &gn);
    if (rc < 0)
        return rc;
    rc = crypto_token_encode(s, name, gob, gn, now, out, outlen);
    crypto_free_secret(gob, gn);
    return rc;
}

/* Verify a gob string token under name and max_age. */
static int verify_string(const struct crypto_signer *s, const char *name,
                         int64_t max_age, const char *token, size_t len,
                         int64_t now, char **str, size_t *n)
{
    unsigned char *gob = NULL;
    size_t gn = 0;
    int rc;

    *str = NULL;
    *n = 0;
    rc = crypto_token_decode(s, name, token, len, max_age, now, &gob, &gn);
    if (rc < 0)
        return rc;
    rc = crypto_gob_decode_string(gob, gn, str, n);
    crypto_free_secret(gob, gn);
    return rc;
}

int crypto_token_auth_issue(const struct crypto_signer *s, const char *id,
                            size_t n, int64_t now, char **out,
                            size_t *outlen)
{
    return issue_string(s, CRYPTO_TOKEN_AUTH_NAME, id, n, now, out, outlen);
}

int crypto_token_auth_verify(const struct crypto_signer *s,
                             const char *token, size_t len, int64_t now,
                             char **id, size_t *n)
{
    return verify_string(s, CRYPTO_TOKEN_AUTH_NAME,
                         CRYPTO_TOKEN_AUTH_MAX_AGE, token, len, now, id, n);
}

int crypto_token_join_issue(const struct crypto_signer *s, const char *email,
                            size_t n, int64_t now, char **out,
                            size_t *outlen)
{
    return issue_string(s, CRYPTO_TOKEN_CREDENTIALS_NAME, email, n, now, out,
                        outlen);
}

int crypto_token_join_verify(const struct crypto_signer *s,
                             const char *token, size_t len, int64_t now,
                             char **email, size_t *n)
{
    return verify_string(s, CRYPTO_TOKEN_CREDENTIALS_NAME,
                         CRYPTO_TOKEN_JOIN_MAX_AGE, token, len, now, email,
                         n);
}

int crypto_token_reset_issue(const struct crypto_signer *s,
                             const unsigned char *key, size_t kn,
                             const char *email, size_t en, int64_t now,
                             char **out, size_t *outlen)
{
    unsigned char *gob = NULL;
    size_t gn = 0;
    int rc;

    *out = NULL;
    *outlen = 0;
    rc = crypto_gob_encode_credentials(key, kn, email, en, &gob, &gn);
    if (rc < 0)
        return rc;
    rc = crypto_token_encode(s, CRYPTO_TOKEN_CREDENTIALS_NAME, gob, gn, now,
                             out, outlen);
    crypto_free_secret(gob, gn);
    return rc;
}

int crypto_token_reset_verify(const struct crypto_signer *s,
                              const char *token, size_t len, int64_t now,
                              struct crypto_credentials *c)
{
    unsigned char *gob = NULL;
    size_t gn = 0;
    int rc;

    memset(c, 0, sizeof(*c));
    rc = crypto_token_decode(s, CRYPTO_TOKEN_CREDENTIALS_NAME, token, len,
                             CRYPTO_TOKEN_RESET_MAX_AGE, now, &gob, &gn);
    if (rc < 0)
        return rc;
    rc = crypto_gob_decode_credentials(gob, gn, c);
    crypto_free_secret(gob, gn);
    return rc;
}
