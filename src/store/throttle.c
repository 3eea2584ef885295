/* throttle.c -- the throttle's state in the database, shared by nodes.
 *
 * The backend-neutral half of store_throttle_hit() and friends (store.h):
 * argument checks, the transaction, and Offen's decision:
 * throttle_decide() (common/throttle_rule.h), the rule api/ratelimit_mem.c
 * uses too. The SQL is the dialect's (struct store_throttle_sql,
 * store_backend.h): claim makes sure the key
 * has a row and read returns it locked, so the read-modify-write of one
 * key is serialised across every connection of every node until the
 * commit. A fresh or ended row reads as "no entry". An attempt that fails
 * after its begin (a deadlock, a row deleted between claim and read, a
 * connection lost) is rolled back and tried again, up to THROTTLE_ATTEMPTS
 * times. A failed begin is not: a connection the server dropped while
 * idle is re-made by the backend's begin itself (postgres.c, mysql.c), so
 * a begin that still fails means the database is away.
 *
 * Threading: each call uses st only; a struct store belongs to one thread.
 */
#include "common/common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/throttle_rule.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "store/store_int.h"

/* Attempts of one hit: a deadlock (MySQL's gap locks on new keys) or a
 * lost connection re-made on the next statement is worth a retry. */
#define THROTTLE_ATTEMPTS 3

struct row {
    bool found;
    int64_t until;
    int64_t queue;
};

static const struct store_throttle_sql *tsql(struct store *st)
{
    return st->backend->throttle;
}

static int check_key(const char *key, struct cd_error *err)
{
    size_t n = key != NULL ? strnlen(key, STORE_THROTTLE_KEY_LEN + 1) : 0;

    if (n != STORE_THROTTLE_KEY_LEN)
        return cd_error_set(err, CD_EINVAL, "throttle key is not 64 hex");
    for (size_t i = 0; i < n; i++) {
        char c = key[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return cd_error_set(err, CD_EINVAL,
                                "throttle key is not 64 hex");
    }
    return CD_OK;
}

static int read_row(void *ctx, const char *const *col, size_t ncol,
                    struct cd_error *err)
{
    struct row *r = ctx;

    if (ncol < 2 || col[0] == NULL || col[1] == NULL)
        return cd_error_set(err, CD_ESTORE, "throttle row is malformed");
    r->found = true;
    r->until = strtoll(col[0], NULL, 10);
    r->queue = strtoll(col[1], NULL, 10);
    return CD_OK;
}

static enum store_throttle_verdict verdict_of(enum throttle_verdict v)
{
    switch (v) {
    case THROTTLE_WAIT:   return STORE_THROTTLE_WAIT;
    case THROTTLE_REJECT: return STORE_THROTTLE_REJECT;
    case THROTTLE_PASS:   break;
    }
    return STORE_THROTTLE_PASS;
}

/* One attempt, in its own transaction. *began tells a failed begin (the
 * database away: not worth another attempt) from a failure inside. */
static int hit_once(struct store *st, const char *key, int64_t now,
                    int64_t d, bool exponential, int64_t timeout,
                    enum store_throttle_verdict *v, int64_t *wait,
                    bool *began, struct cd_error *err)
{
    const struct store_throttle_sql *q = tsql(st);
    struct throttle_decision dec;
    struct row r = {0};
    char until[24], queue[24];
    const char *p[3] = {until, queue, key};
    int rc;

    *began = false;
    rc = store_begin(st, err);
    if (rc < 0)
        goto out;
    *began = true;
    rc = store_query(st, q->claim, &key, 1, NULL, NULL, err);
    if (rc == CD_OK)
        rc = store_query(st, q->read, &key, 1, read_row, &r, err);
    /* Claimed, yet gone: a forget or an expiry deleted it in between
     * (PostgreSQL's DO NOTHING does not lock a row it finds). Again. */
    if (rc == CD_OK && !r.found)
        rc = cd_error_set(err, CD_ESTORE, "throttle row vanished");
    if (rc < 0)
        goto out;
    /* A fresh row (0, 0) has no live block. */
    dec = throttle_decide(r.until, r.queue, now, d, exponential, timeout);
    *v = verdict_of(dec.verdict);
    *wait = dec.wait_ms;
    if (dec.verdict != THROTTLE_REJECT) {
        snprintf(until, sizeof(until), "%" PRId64, dec.until_ms);
        snprintf(queue, sizeof(queue), "%" PRId64, dec.queue);
        rc = store_query(st, q->update, p, 3, NULL, NULL, err);
    }
    if (rc == CD_OK)
        rc = store_commit(st, err);
out:
    if (rc < 0 && store_in_transaction(st))
        (void)store_rollback(st, NULL);
    return rc;
}

int store_throttle_hit(struct store *st, const char *key, int64_t now_ms,
                       int64_t d_ms, bool exponential, int64_t timeout_ms,
                       enum store_throttle_verdict *verdict,
                       int64_t *wait_ms, struct cd_error *err)
{
    bool began = false;
    int rc;

    *verdict = STORE_THROTTLE_PASS;
    *wait_ms = 0;
    rc = check_key(key, err);
    if (rc == CD_OK && d_ms <= 0)
        rc = cd_error_set(err, CD_EINVAL, "throttle threshold must be > 0");
    if (rc < 0)
        return rc;
    if (store_in_transaction(st))
        return cd_error_set(err, CD_EINVAL, "throttle hit inside a "
                            "transaction");
    for (int i = 0; i < THROTTLE_ATTEMPTS; i++) {
        rc = hit_once(st, key, now_ms, d_ms, exponential, timeout_ms,
                      verdict, wait_ms, &began, err);
        if (rc == CD_OK || !began)
            break;
    }
    if (rc < 0) {
        *verdict = STORE_THROTTLE_PASS;
        *wait_ms = 0;
    }
    return rc < 0 ? store_wrap_error(err, rc, "throttle") : rc;
}

int store_throttle_forget(struct store *st, const char *key,
                          struct cd_error *err)
{
    int rc = check_key(key, err);

    if (rc == CD_OK)
        rc = store_query(st, tsql(st)->forget, &key, 1, NULL, NULL, err);
    return rc < 0 ? store_wrap_error(err, rc, "throttle forget") : rc;
}

int store_throttle_expire(struct store *st, int64_t now_ms,
                          struct cd_error *err)
{
    char now[24];
    const char *p = now;
    int rc;

    snprintf(now, sizeof(now), "%" PRId64, now_ms);
    rc = store_query(st, tsql(st)->expire, &p, 1, NULL, NULL, err);
    return rc < 0 ? store_wrap_error(err, rc, "throttle expire") : rc;
}

int store_throttle_count(struct store *st, int64_t now_ms, long long *n,
                         struct cd_error *err)
{
    char now[24];
    const char *p = now;

    *n = 0;
    snprintf(now, sizeof(now), "%" PRId64, now_ms);
    return store_count(st, tsql(st)->count, &p, 1, n, err);
}
