/* ratelimit.c -- the throttle's keys and the gate in front of handlers.
 *
 * See ratelimit.h for the algorithm. This file owns the salt, turns
 * "<scope>-<identity>" into a key (HMAC-SHA256 keyed with the salt), asks
 * the store for a verdict, and runs a request through its stages on its
 * loop: a passing stage goes on at once, a waiting one holds the request
 * with http_hold() and goes on from the timer, a rejected one answers 429
 * and nothing else happens (no body parse on the worker, no Argon2id).
 *
 * With a shared store (the database, ratelimit_db.c) a stage's hit is a
 * database transaction: the gate defers the request, runs the hit on the
 * worker pool and resumes the request on its loop with the verdict, as
 * call.c does for handler work. The salt is then derived from the server
 * secret, so every node computes the same keys.
 *
 * The identity helpers run on the loop too: body fields (one validating
 * scan of the body, no tree, jsonscan.h), the operator of a signed `auth`
 * cookie (one HMAC, no database), the `user` cookie. A request without
 * the identity skips the stage; the route's own checks then answer it (400
 * or 401), as in Offen, where authentication and decoding run before the
 * limiter.
 *
 * Threading: the limiter is shared by all loops; the store locks.
 */
#include "common/common.h"
#include "api/ratelimit.h"

#include <assert.h>
#include <string.h>

#include "api/api.h"
#include "api/body.h"
#include "common/jsonscan.h"
#include "common/str.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "crypto/hmac.h"
#include "crypto/memeq.h"
#include "crypto/random.h"
#include "crypto/pool.h"
#include "crypto/token.h"
#include "http/http.h"

struct ratelimit {
    struct ratelimit_store *store;
    struct crypto_hmac *salt; /* keyed with the salt: the HMAC of every key */
};

/* A ratelimit over store whose keys are HMACs keyed with salt, if making
 * the salt succeeded (made is its result); otherwise, or if the key
 * cannot be made ready, store is freed and CD_EIO returned. */
static int keyed(struct ratelimit **out, struct ratelimit_store *store,
                 const unsigned char salt[RATELIMIT_SALT_LEN], int made)
{
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));

    *out = NULL;
    rl->store = store;
    if (made < 0 || crypto_hmac_new(&rl->salt, salt, RATELIMIT_SALT_LEN) < 0) {
        ratelimit_free(rl);
        return CD_EIO;
    }
    *out = rl;
    return CD_OK;
}

int ratelimit_new(struct ratelimit **out, struct ratelimit_store *store)
{
    unsigned char salt[RATELIMIT_SALT_LEN];
    int rc = keyed(out, store, salt, crypto_random(salt, sizeof(salt)));

    crypto_wipe(salt, sizeof(salt));
    return rc;
}

int ratelimit_new_keyed(struct ratelimit **out, struct ratelimit_store *store,
                        const void *secret, size_t len)
{
    static const char label[] = "candor-throttle";
    unsigned char mac[CRYPTO_HMAC_LEN];
    int rc;

    _Static_assert(RATELIMIT_SALT_LEN <= CRYPTO_HMAC_LEN, "salt from one MAC");
    rc = keyed(out, store, mac,
               crypto_hmac_sha256(secret, len, label, sizeof(label) - 1, mac));
    crypto_wipe(mac, sizeof(mac));
    return rc;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (rl == NULL)
        return;
    if (rl->store != NULL)
        rl->store->free(rl->store);
    crypto_hmac_free(rl->salt);
    free(rl);
}

void ratelimit_key(const struct ratelimit *rl, const char *scope,
                   const char *ident, size_t n,
                   unsigned char key[RATELIMIT_KEY_SIZE])
{
    char id[64 + 1 + RATELIMIT_IDENT_MAX + 1];
    int len;

    if (ident == NULL) {
        ident = "*";
        n = 1;
    }
    if (n > RATELIMIT_IDENT_MAX)
        n = RATELIMIT_IDENT_MAX;
    len = snprintf(id, sizeof(id), "%.64s-%.*s", scope, (int)n, ident);
    if (len < 0 || (size_t)len >= sizeof(id))
        len = (int)strlen(id);
    /* This cannot fail short of OpenSSL failing; then all keys collide
     * into one bucket, which only throttles harder. */
    if (crypto_hmac_run(rl->salt, id, (size_t)len, key) < 0)
        memset(key, 0, RATELIMIT_KEY_SIZE);
}

enum ratelimit_verdict ratelimit_hit(struct ratelimit *rl,
                                     const unsigned char *key, int64_t now_ms,
                                     int64_t d_ms, enum ratelimit_mode mode,
                                     int64_t *wait_ms)
{
    *wait_ms = 0;
    if (rl == NULL)
        return RATELIMIT_PASS;
    return rl->store->hit(rl->store, key, now_ms, d_ms, mode, wait_ms);
}

size_t ratelimit_count(const struct ratelimit *rl)
{
    if (rl == NULL)
        return 0;
    return rl->store->count(rl->store);
}

void ratelimit_forget_email(struct ratelimit *rl, const char *scope,
                            const char *email)
{
    unsigned char key[RATELIMIT_KEY_SIZE];
    size_t n = strnlen(email, RATELIMIT_IDENT_MAX);
    char *lc;

    if (rl == NULL)
        return;
    lc = xstrndup(email, n);
    str_lower(lc, n);
    ratelimit_key(rl, scope, lc, n, key);
    free(lc);
    rl->store->forget(rl->store, key);
}

/* --- the gate ------------------------------------------------------------ */

struct gate {
    struct ratelimit *rl;
    unsigned char keys[RATELIMIT_CHECKS_MAX][RATELIMIT_KEY_SIZE];
    struct ratelimit_check checks[RATELIMIT_CHECKS_MAX];
    size_t n, next_stage;
    void (*next)(struct http_req *r);
};

/* A shared store's hit on the worker pool. */
struct gate_job {
    struct crypto_job job; /* first: the pool hands this pointer back */
    struct ratelimit *rl;
    unsigned char key[RATELIMIT_KEY_SIZE];
    int64_t d_ms;
    enum ratelimit_mode mode;
    enum ratelimit_verdict v; /* the worker's answer */
    int64_t wait;
    struct http_loop *loop;
    struct http_defer *defer;
    struct gate *g; /* in the request's memory: use only once taken back */
};

static void gate_run(struct http_req *r, void *arg);

/* Act on one stage's verdict; true when the next stage may run now. */
static bool gate_verdict(struct http_req *r, struct gate *g,
                         enum ratelimit_verdict v, int64_t wait)
{
    g->next_stage++;
    if (v == RATELIMIT_REJECT) {
        http_reply_error(r, 429, "router: error rate limiting request: "
                         "ratelimiter: wait time exceeded the timeout "
                         "of %ds", RATELIMIT_TIMEOUT_MS / 1000);
        return false;
    }
    if (v == RATELIMIT_WAIT && wait > 0) {
        http_hold(r, (uint64_t)wait, gate_run, g);
        return false;
    }
    return true;
}

static void job_run(struct crypto_job *job)
{
    struct gate_job *j = (struct gate_job *)job;

    /* Wall-clock: several nodes compare the times. */
    j->v = ratelimit_hit(j->rl, j->key, timefmt_now_ms(), j->d_ms, j->mode,
                         &j->wait);
}

/* On the loop again: go on with the verdict unless the client left. */
static void job_resume(void *arg)
{
    struct gate_job *j = arg;
    struct http_req *r = http_defer_take(j->defer);
    struct gate *g = j->g;
    enum ratelimit_verdict v = j->v;
    int64_t wait = j->wait;

    free(j);
    if (r != NULL && gate_verdict(r, g, v, wait))
        gate_run(r, g);
}

static void job_done(struct crypto_job *job)
{
    struct gate_job *j = (struct gate_job *)job;

    http_loop_post(j->loop, job_resume, j);
}

static void gate_submit(struct http_req *r, struct gate *g)
{
    const struct ratelimit_check *c = &g->checks[g->next_stage];
    struct gate_job *j = xcalloc(1, sizeof(*j));

    j->rl = g->rl;
    memcpy(j->key, g->keys[g->next_stage], RATELIMIT_KEY_SIZE);
    j->d_ms = c->d_ms;
    j->mode = c->mode;
    j->loop = http_req_loop(r);
    j->g = g;
    j->job.run = job_run;
    j->job.done = job_done;
    j->defer = http_defer(r);
    if (crypto_pool_submit(api_app_of(r)->pool, &j->job) < 0) {
        r = http_defer_take(j->defer);
        free(j);
        http_reply_error(r, 503, "server busy, try again");
    }
}

static void gate_run(struct http_req *r, void *arg)
{
    struct gate *g = arg;

    while (g->next_stage < g->n) {
        const struct ratelimit_check *c = &g->checks[g->next_stage];
        int64_t wait = 0;
        enum ratelimit_verdict v;

        if (g->rl->store->shared) {
            gate_submit(r, g);
            return;
        }
        v = ratelimit_hit(g->rl, g->keys[g->next_stage], timefmt_mono_ms(),
                          c->d_ms, c->mode, &wait);
        if (!gate_verdict(r, g, v, wait))
            return;
    }
    g->next(r);
}

void ratelimit_gate(struct http_req *r, const struct ratelimit_check *checks,
                    size_t n, void (*next)(struct http_req *r))
{
    struct api_app *app = api_app_of(r);
    struct gate *g;

    if (app->ratelimit == NULL || n == 0) {
        next(r);
        return;
    }
    if (n > RATELIMIT_CHECKS_MAX)
        n = RATELIMIT_CHECKS_MAX;
    g = http_alloc(r, sizeof(*g));
    g->rl = app->ratelimit;
    g->n = n;
    g->next = next;
    for (size_t i = 0; i < n; i++) {
        g->checks[i] = checks[i];
        g->checks[i].ident = NULL; /* only the key outlives this call */
        ratelimit_key(g->rl, checks[i].scope, checks[i].ident,
                      checks[i].ident_len, g->keys[i]);
    }
    gate_run(r, g);
}

/* --- identities on the loop ---------------------------------------------- */

int ratelimit_body_fields(struct http_req *r, struct ratelimit_field *f,
                          size_t n)
{
    struct jsonscan_field fields[RATELIMIT_FIELDS_MAX];
    struct jsonscan_str vals[RATELIMIT_FIELDS_MAX];
    struct http_str b = http_body(r);
    struct cd_error err = {0};

    assert(n <= RATELIMIT_FIELDS_MAX); /* a caller's mistake */
    if (n > RATELIMIT_FIELDS_MAX) /* NDEBUG builds: stay inside the arrays */
        n = RATELIMIT_FIELDS_MAX;
    for (size_t i = 0; i < n; i++) {
        fields[i].name = f[i].name;
        fields[i].max = BODY_MAX_FIELD;
        fields[i].out = &vals[i];
    }
    if (jsonscan_fields(b.ptr, b.len, fields, n, &err) != CD_OK)
        return 0;
    /* An absent field is the empty identity, as body_string() gives it. */
    for (size_t i = 0; i < n; i++) {
        char *copy = http_alloc(r, vals[i].len + 1);

        jsonscan_copy(&vals[i], copy);
        if (f[i].fold)
            str_lower(copy, vals[i].len);
        f[i].out = copy;
        f[i].len = vals[i].len;
    }
    return 1;
}

int ratelimit_session(struct http_req *r, const char **out, size_t *len)
{
    struct api_app *app = api_app_of(r);
    struct http_str tok;
    char *id = NULL;
    size_t n = 0;

    if (!http_cookie(r, "auth", &tok) ||
        crypto_token_auth_verify(&app->keys.signer, tok.ptr, tok.len,
                                 timefmt_now_s(), &id, &n) < 0)
        return 0;
    {
        struct http_str v = {id, n};

        *out = http_strdup(r, v);
        *len = n;
    }
    free(id);
    return 1;
}

int ratelimit_user(struct http_req *r, const char **out, size_t *len)
{
    struct http_str v;

    if (!http_cookie(r, "user", &v))
        return 0;
    *out = v.ptr;
    *len = v.len;
    return 1;
}
