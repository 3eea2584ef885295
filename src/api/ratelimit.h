/* ratelimit.h -- Offen's throttle, held without blocking a thread.
 *
 * Every throttled route (reference/offen-server.md §3.0, §8) runs its
 * request through one or two stages before the handler's work starts. A
 * stage is a key (HMAC-SHA256 of "<scope>-<identity>" keyed with a 16-byte
 * salt, so no email or user id is held as a key), a threshold d and a mode:
 *
 *   - no live entry for the key: store {until = now + d, queue = 1}, pass;
 *   - a live entry with until - now > RATELIMIT_TIMEOUT_MS: 429 at once;
 *   - else until += d (linear) or d * queue (exponential), queue += 1, and
 *     the request is held for the old until - now, then passes.
 *
 * Fixed against Offen: an entry lives exactly until the block it records
 * ends (Offen keeps it only for the old remaining time, so a sequential
 * client alternates between free passes and waits, and a negative
 * remaining stores an entry that never expires). Holding is an h2o timer
 * on the request's own loop (http_hold()), never a sleep.
 *
 * The state sits behind struct ratelimit_store (one atomic decision per
 * call). The memory store is per process, shared by all loops under one
 * mutex, capped at a number of entries: when full, expired entries go
 * first, then the entry whose block ends soonest. The database store
 * (CANDOR_RATELIMIT=database, ratelimit_db.c) keeps the state in the
 * candor_throttle table, shared by every node on the database: its hit is
 * a transaction, so the gate runs it on the worker pool and resumes the
 * request on its loop with the verdict; its salt is derived from the
 * server secret, so every node computes the same keys. The memory store's
 * salt is random per process. With CANDOR_SERVER_REVERSEPROXY=true the app
 * has no limiter (api_app.ratelimit NULL) and every route goes straight to
 * its handler, without computing an identity (Offen's behaviour).
 */
#ifndef CD_API_RATELIMIT_H
#define CD_API_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct http_req;
struct api_app;

#define RATELIMIT_TIMEOUT_MS 30000   /* Offen's global timeout T */
#define RATELIMIT_KEY_SIZE 32        /* HMAC-SHA256 */
#define RATELIMIT_SALT_LEN 16        /* the key of the keys' HMAC */
#define RATELIMIT_MEMORY_CAP 65536   /* entries of the memory store */
#define RATELIMIT_IDENT_MAX 1024     /* identity bytes that enter a key */

enum ratelimit_mode {
    RATELIMIT_LINEAR = 0,
    RATELIMIT_EXPONENTIAL = 1,
};

enum ratelimit_verdict {
    RATELIMIT_PASS = 0,   /* go on at once */
    RATELIMIT_WAIT = 1,   /* hold for *wait_ms, then go on */
    RATELIMIT_REJECT = 2, /* 429 */
};

/* Where the state lives. hit() decides for one key, atomically, and is
 * called from any loop thread. A store for several nodes (a database) must
 * do the same read-modify-write in one statement or transaction. */
struct ratelimit_store {
    /* Shared by several nodes (a database): hit(), forget() and count()
     * block on I/O and use the calling thread's database connection, so
     * the gate calls hit() on the worker pool; now_ms is then wall-clock
     * milliseconds since 1970 (the same on every node), else monotonic. */
    bool shared;
    enum ratelimit_verdict (*hit)(struct ratelimit_store *st,
                                  const unsigned char key[RATELIMIT_KEY_SIZE],
                                  int64_t now_ms, int64_t d_ms,
                                  enum ratelimit_mode mode, int64_t *wait_ms);
    /* Drop key's entry, if any: its block is lifted. */
    void (*forget)(struct ratelimit_store *st,
                   const unsigned char key[RATELIMIT_KEY_SIZE]);
    size_t (*count)(struct ratelimit_store *st); /* live entries (tests) */
    void (*free)(struct ratelimit_store *st);
};

/* The memory store with room for cap entries (cap >= 1). */
struct ratelimit_store *ratelimit_memory_new(size_t cap);

/* The database store (ratelimit_db.c): each call runs on the calling
 * thread's worker connection (call_worker_store(app)), so call it from a
 * worker thread (or a test's). A database failure is logged and the hit
 * passes (the route's own work then meets the same failure and answers
 * 503). Rows whose block ended are deleted by a hit at most once every
 * RATELIMIT_DB_EXPIRE_MS per process. app must outlive the store. */
#define RATELIMIT_DB_EXPIRE_MS 60000
struct ratelimit_store *ratelimit_database_new(const struct api_app *app);

struct ratelimit;

/* A limiter over store (taking ownership), with a fresh random salt.
 * CD_EIO if no salt can be drawn. */
int ratelimit_new(struct ratelimit **out,
                  struct ratelimit_store *store) CD_MUST_CHECK;
/* The same with the salt derived from secret[0..len) (the first 16 bytes
 * of HMAC-SHA256(secret, "candor-throttle")), so every node with the same
 * secret computes the same keys: for a shared store. CD_EIO if the HMAC
 * fails. */
int ratelimit_new_keyed(struct ratelimit **out, struct ratelimit_store *store,
                        const void *secret, size_t len) CD_MUST_CHECK;
void ratelimit_free(struct ratelimit *rl);

/* key = HMAC-SHA256(salt, "<scope>-<ident[0..n)>"). ident NULL is "*",
 * the route's global key. Identities past RATELIMIT_IDENT_MAX bytes are
 * cut. A store that keeps keys as text writes them as 64 lower-case hex
 * characters (ratelimit_db.c). */
void ratelimit_key(const struct ratelimit *rl, const char *scope,
                   const char *ident, size_t n,
                   unsigned char key[RATELIMIT_KEY_SIZE]);

/* One stage's decision at now_ms (monotonic milliseconds, or wall-clock
 * ones for a shared store). Blocks on a shared store. rl NULL (no
 * limiter): RATELIMIT_PASS. */
/* key: RATELIMIT_KEY_SIZE bytes from ratelimit_key(). */
enum ratelimit_verdict ratelimit_hit(struct ratelimit *rl,
                                     const unsigned char *key, int64_t now_ms,
                                     int64_t d_ms, enum ratelimit_mode mode,
                                     int64_t *wait_ms);
size_t ratelimit_count(const struct ratelimit *rl); /* rl NULL: 0 */

/* Lift the block on "<scope>-<email>" (email lower-cased, as the gate keys
 * it). A correct login does this for its username: the throttle is there
 * to slow down guessing, and whoever knows the password has nothing left
 * to guess. Any thread; rl may be NULL. */
void ratelimit_forget_email(struct ratelimit *rl, const char *scope,
                            const char *email);

/* --- on the loop: the gate in front of a handler ------------------------ */

struct ratelimit_check {
    const char *scope;        /* Offen's key prefix: "postLogin" */
    enum ratelimit_mode mode;
    unsigned d_ms;            /* threshold */
    const char *ident;        /* identity, or NULL for the global "*" key */
    size_t ident_len;
};

#define RATELIMIT_CHECKS_MAX 2

/* Run r through checks[0..n) in order (n <= RATELIMIT_CHECKS_MAX), holding
 * it where a stage says so, then call next(r) on r's loop. With a shared
 * store each stage's hit runs on the worker pool (r is deferred meanwhile;
 * a full pool answers 503). A rejected
 * request is answered 429 with Offen's error envelope and next is never
 * called (no work is done for it). The identities are copied (as keys)
 * before this returns. Passes at once when the app has no limiter. */
void ratelimit_gate(struct http_req *r, const struct ratelimit_check *checks,
                    size_t n, void (*next)(struct http_req *r));

/* Helpers for computing identities on the loop, before the worker runs.
 * Each returns 1 and sets *out (in the request's memory) or 0 when the
 * request carries no such identity (then the route's own checks answer it,
 * and the throttle is skipped as Offen's middleware order implies). */
/* The string fields f[0..n) of the JSON body (n <= RATELIMIT_FIELDS_MAX),
 * in one validating scan (jsonscan.h: as strict as body.c), each
 * lower-cased when fold. 0 when the body is not valid or a field is not
 * a string or longer than BODY_MAX_FIELD; an absent field is "". */
#define RATELIMIT_FIELDS_MAX 2
struct ratelimit_field {
    const char *name; /* in */
    bool fold;        /* in: lower-case ASCII */
    const char *out;  /* out: in the request's memory */
    size_t len;       /* out */
};
int ratelimit_body_fields(struct http_req *r, struct ratelimit_field *f,
                          size_t n);
/* The operator id of a validly signed `auth` cookie. */
int ratelimit_session(struct http_req *r, const char **out, size_t *len);
/* The `user` cookie (present, possibly empty). */
int ratelimit_user(struct http_req *r, const char **out, size_t *len);

/* The throttled routes (throttle.c): each runs its stages, then the
 * route's handler of api.h (api_login_post_rl -> api_login_post ...). */
void api_exchange_post_rl(struct http_req *r);
void api_events_get_rl(struct http_req *r);
void api_events_post_rl(struct http_req *r);
void api_purge_rl(struct http_req *r);
void api_account_get_rl(struct http_req *r);
void api_account_secrets_rl(struct http_req *r);
void api_account_delete_rl(struct http_req *r);
void api_account_styles_rl(struct http_req *r);
void api_account_post_rl(struct http_req *r);
void api_change_password_rl(struct http_req *r);
void api_change_email_rl(struct http_req *r);
void api_share_account_rl(struct http_req *r);
void api_login_post_rl(struct http_req *r);
void api_forgot_password_rl(struct http_req *r);
void api_reset_password_rl(struct http_req *r);
void api_join_rl(struct http_req *r);
void api_setup_post_rl(struct http_req *r);

#endif /* CD_API_RATELIMIT_H */
