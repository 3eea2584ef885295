/* demo_seed.c -- writes the demo's visitors as their browsers would have.
 *
 * For each visitor planned by demo_gen.c, this does what the vault and the
 * server do between them (reference/offen-client.md §6.3-§6.4):
 *   - a user id (the `user` cookie's UUID) and its secret id
 *     hex(SHA-256(user id || account user salt)), as POST /api/exchange;
 *   - a fresh AES-GCM 128-bit key from the CSPRNG, written as the JWK
 *     WebCrypto's exportKey("jwk") gives, RSA-OAEP-SHA256 wrapped under the
 *     account's public key: the stored encrypted secret;
 *   - each payload's JSON AES-GCM encrypted under that key with a fresh
 *     nonce, "{1,} ct nonce", stored with an event id that is a ULID of the
 *     time the event was received, and a sequence a few milliseconds later
 *     (the write that stored it), so that expiry and time ranges treat the
 *     events like real ones.
 * Everything goes through store.h in one transaction: all or nothing.
 * Keys and plaintext are wiped after use.
 */
#include "common/common.h"
#include "cli/demo.h"

#include "common/base64.h"
#include "common/buf.h"
#include "common/xalloc.h"
#include "crypto/cipher.h"
#include "crypto/hashfast.h"
#include "crypto/jwk.h"
#include "crypto/memeq.h"
#include "crypto/random.h"
#include "crypto/rsa.h"
#include "crypto/ulid.h"
#include "store/store.h"

#define SEED_KEY_LEN 16   /* AES-128: the vault's user secret */
#define SEED_JWK_SIZE 128 /* the user secret's JWK text */

/* What every visitor of one account shares. */
struct seed_ctx {
    struct store *st;
    const char *account_id;
    const char *user_salt;
    struct crypto_rsa_key *pub;
    struct buf json;   /* one payload's plaintext */
};

/* The user secret's JWK, as Chromium exports it (members sorted). */
static void secret_jwk(const unsigned char key[SEED_KEY_LEN],
                       char out[SEED_JWK_SIZE])
{
    char k[32];

    base64url_encode(k, key, SEED_KEY_LEN);
    snprintf(out, SEED_JWK_SIZE, "{\"alg\":\"A128GCM\",\"ext\":true,\"k\":"
             "\"%s\",\"key_ops\":[\"encrypt\",\"decrypt\"],\"kty\":\"oct\"}",
             k);
    crypto_wipe(k, sizeof(k));
}

/* The visitor's secret: made, wrapped and stored; *secret_id names it. */
static int put_secret(struct seed_ctx *c, unsigned char key[SEED_KEY_LEN],
                      char secret_id[CRYPTO_SECRET_ID_SIZE],
                      struct cd_error *err)
{
    char user[DEMO_UUID_SIZE], jwk[SEED_JWK_SIZE];
    char *wrapped = NULL;
    size_t wlen = 0;
    int rc;

    rc = crypto_uuid4(user);
    if (rc == CD_OK)
        rc = crypto_hash_fast(user, strlen(user), c->user_salt,
                              strlen(c->user_salt), secret_id);
    if (rc == CD_OK)
        rc = crypto_random(key, SEED_KEY_LEN);
    if (rc < 0)
        return cd_error_set(err, rc, "cannot make a visitor's ids: %s",
                            cd_strerror(rc));
    secret_jwk(key, jwk);
    rc = crypto_rsa_encrypt(c->pub, jwk, strlen(jwk), &wrapped, &wlen);
    crypto_wipe(jwk, sizeof(jwk));
    if (rc < 0)
        return cd_error_set(err, rc, "cannot wrap a visitor's secret: %s",
                            cd_strerror(rc));
    rc = store_secret_put(c->st, secret_id, wrapped, err);
    free(wrapped);
    return rc;
}

/* Page view i of v, encrypted under key and inserted. */
static int put_event(struct seed_ctx *c, const struct demo_visitor *v,
                     size_t i, const unsigned char key[SEED_KEY_LEN],
                     const char *secret_id, struct cd_error *err)
{
    char id[CRYPTO_ULID_SIZE], seq[CRYPTO_ULID_SIZE];
    struct store_event ev;
    char *payload = NULL;
    size_t plen = 0;
    int64_t at = v->ev[i].received_ms;
    int rc;

    rc = demo_payload_json(v, i, &c->json);
    if (rc == CD_OK)
        rc = crypto_aes_encrypt(key, SEED_KEY_LEN, c->json.ptr, c->json.len,
                                &payload, &plen);
    crypto_wipe(c->json.ptr, c->json.len);
    if (rc == CD_OK)
        rc = crypto_ulid_at(at, id);
    if (rc == CD_OK)
        rc = crypto_ulid_at(at + 3, seq);
    if (rc < 0) {
        free(payload);
        return cd_error_set(err, rc, "cannot encrypt an event: %s",
                            cd_strerror(rc));
    }
    ev = (struct store_event){.event_id = id, .sequence = seq,
                              .account_id = c->account_id,
                              .secret_id = secret_id, .payload = payload};
    rc = store_event_insert(c->st, &ev, err);
    free(payload);
    return rc;
}

static int seed_visitor(struct seed_ctx *c, const struct demo_visitor *v,
                        struct cd_error *err)
{
    unsigned char key[SEED_KEY_LEN];
    char secret_id[CRYPTO_SECRET_ID_SIZE];
    int rc = put_secret(c, key, secret_id, err);

    for (size_t i = 0; rc == CD_OK && i < v->nevents; i++)
        rc = put_event(c, v, i, key, secret_id, err);
    crypto_wipe(key, sizeof(key));
    return rc;
}

static int check_opts(const struct demo_seed_opts *o, struct cd_error *err)
{
    if (o->users < 1 || o->users > DEMO_USERS_MAX)
        return cd_error_set(err, CD_EINVAL, "visitors must be 1 to %d",
                            DEMO_USERS_MAX);
    if (o->days < 1 || o->days > DEMO_DAYS_MAX)
        return cd_error_set(err, CD_EINVAL, "days must be 1 to %d",
                            DEMO_DAYS_MAX);
    if (o->now_ms < o->days * DEMO_DAY_MS ||
        o->now_ms > CRYPTO_ULID_TIME_MAX - DEMO_DAY_MS)
        return cd_error_set(err, CD_EINVAL, "now is out of range");
    return CD_OK;
}

/* Every visitor in one transaction. About one in sixty is on the site
 * right now, so the dashboard's real-time panel has something to show. */
static int seed_all(struct seed_ctx *c, const struct demo_seed_opts *o,
                    struct demo_seed_stats *stats, struct cd_error *err)
{
    struct demo_visitor *v = xmalloc(sizeof(*v));
    struct demo_rng r;
    long live = o->users / 60;
    int rc;

    demo_rng_seed(&r, o->seed);
    rc = store_begin(c->st, err);
    for (long i = 0; rc == CD_OK && i < o->users; i++) {
        demo_visitor_plan(&r, o->now_ms, o->days, i < live, v);
        rc = seed_visitor(c, v, err);
        if (rc < 0)
            break;
        stats->visitors++;
        stats->events += (long)v->nevents;
        if (o->progress && o->progress(o->ctx, i + 1, o->users) != 0)
            rc = cd_error_set(err, CD_EAGAIN, "seeding interrupted");
    }
    if (rc == CD_OK)
        rc = store_commit(c->st, err);
    else
        (void)store_rollback(c->st, NULL);
    free(v);
    if (rc < 0)
        *stats = (struct demo_seed_stats){0, 0};
    return rc;
}

int demo_seed(struct store *st, const char *account_id,
              const struct demo_seed_opts *o, struct demo_seed_stats *stats,
              struct cd_error *err)
{
    struct store_account acc = {0};
    struct seed_ctx c = {st, account_id, NULL, NULL, BUF_INIT(DEMO_PAYLOAD_MAX)};
    int rc;

    *stats = (struct demo_seed_stats){0, 0};
    rc = check_opts(o, err);
    if (rc < 0)
        return rc;
    rc = store_account_get(st, account_id, true, &acc, err);
    if (rc < 0)
        goto out;
    rc = crypto_jwk_import_public(acc.public_key, strlen(acc.public_key),
                                  &c.pub);
    if (rc < 0) {
        cd_error_set(err, rc, "the account's public key: %s",
                     cd_strerror(rc));
        goto out;
    }
    c.user_salt = acc.user_salt;
    rc = seed_all(&c, o, stats, err);
out:
    crypto_rsa_key_free(c.pub);
    buf_release(&c.json);
    store_account_release(&acc);
    return rc;
}
