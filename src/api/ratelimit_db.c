/* ratelimit_db.c -- the throttle's state in the database, for several nodes.
 *
 * CANDOR_RATELIMIT=database: a struct ratelimit_store whose entries are the
 * rows of candor_throttle, so every node on one database throttles a key
 * together. The decision is store_throttle_hit(): one transaction with the
 * key's row locked, Offen's algorithm as ratelimit_mem.c applies it. Keys
 * travel as 64 lower-case hex characters of the 32-byte key
 * (ratelimit_key()), the format of the table.
 *
 * Each call runs on the calling thread's worker connection
 * (call_worker_store()): the gate calls hit() on the worker pool, and
 * forget() comes from a login's work on a worker. Nothing here runs on an
 * event loop. Times are wall-clock milliseconds (CLOCK_REALTIME), the same
 * on every node; the gate passes them.
 *
 * A database failure lets the request pass (logged): the handler behind
 * the gate needs the same database and answers 503 itself. Ended rows are
 * deleted opportunistically: a hit deletes them at most once every
 * RATELIMIT_DB_EXPIRE_MS per process, after its own transaction.
 *
 * Threading: the struct is shared by all workers; the only mutable field
 * is the time of the last expiry, an atomic.
 */
#include "common/common.h"
#include "api/ratelimit.h"

#include <stdatomic.h>

#include "api/api.h"
#include "api/call.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "store/store.h"

struct dbstore {
    struct ratelimit_store base; /* first: the interface */
    const struct api_app *app;
    _Atomic int64_t last_expire; /* wall-clock ms of the last expiry */
};

static void key_hex(const unsigned char *key, char hex[65])
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < RATELIMIT_KEY_SIZE; i++) {
        hex[2 * i] = digits[key[i] >> 4];
        hex[2 * i + 1] = digits[key[i] & 15];
    }
    hex[64] = '\0';
}

static struct store *conn(struct dbstore *db)
{
    struct cd_error err = {0};
    struct store *st = call_worker_store(db->app, &err);

    if (st == NULL)
        log_warn("throttle: database: %s", err.msg);
    return st;
}

/* Delete ended rows if no hit of this process did in the last while. */
static void maybe_expire(struct dbstore *db, struct store *st, int64_t now)
{
    int64_t last = atomic_load(&db->last_expire);
    struct cd_error err = {0};

    if (now - last < RATELIMIT_DB_EXPIRE_MS ||
        !atomic_compare_exchange_strong(&db->last_expire, &last, now))
        return;
    if (store_throttle_expire(st, now, &err) < 0)
        log_warn("throttle: %s", err.msg);
}

static enum ratelimit_verdict db_hit(struct ratelimit_store *s,
                                     const unsigned char *key, int64_t now_ms,
                                     int64_t d_ms, enum ratelimit_mode mode,
                                     int64_t *wait_ms)
{
    struct dbstore *db = (struct dbstore *)s;
    enum store_throttle_verdict v = STORE_THROTTLE_PASS;
    struct cd_error err = {0};
    struct store *st = conn(db);
    char hex[65];

    *wait_ms = 0;
    if (st == NULL)
        return RATELIMIT_PASS;
    key_hex(key, hex);
    if (store_throttle_hit(st, hex, now_ms, d_ms,
                           mode == RATELIMIT_EXPONENTIAL,
                           RATELIMIT_TIMEOUT_MS, &v, wait_ms, &err) < 0) {
        log_warn("throttle: %s", err.msg);
        return RATELIMIT_PASS;
    }
    maybe_expire(db, st, now_ms);
    if (v == STORE_THROTTLE_REJECT)
        return RATELIMIT_REJECT;
    return v == STORE_THROTTLE_WAIT ? RATELIMIT_WAIT : RATELIMIT_PASS;
}

static void db_forget(struct ratelimit_store *s, const unsigned char *key)
{
    struct dbstore *db = (struct dbstore *)s;
    struct cd_error err = {0};
    struct store *st = conn(db);
    char hex[65];

    if (st == NULL)
        return;
    key_hex(key, hex);
    if (store_throttle_forget(st, hex, &err) < 0)
        log_warn("throttle: %s", err.msg);
}

static size_t db_count(struct ratelimit_store *s)
{
    struct dbstore *db = (struct dbstore *)s;
    struct cd_error err = {0};
    struct store *st = conn(db);
    long long n = 0;

    if (st != NULL && store_throttle_count(st, timefmt_now_ms(), &n, &err) < 0)
        log_warn("throttle: %s", err.msg);
    return n > 0 ? (size_t)n : 0;
}

static void db_free(struct ratelimit_store *s)
{
    free(s);
}

struct ratelimit_store *ratelimit_database_new(const struct api_app *app)
{
    struct dbstore *db = xcalloc(1, sizeof(*db));

    db->base.shared = true;
    db->base.hit = db_hit;
    db->base.forget = db_forget;
    db->base.count = db_count;
    db->base.free = db_free;
    db->app = app;
    atomic_init(&db->last_expire, 0);
    return &db->base;
}
