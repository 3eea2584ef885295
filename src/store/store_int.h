/* store_int.h -- helpers shared inside store/ (store/ only).
 *
 * accounts.c and users.c hold the backend-neutral half of the operators
 * and accounts API: they take their SQL from the backend (struct
 * store_accounts_sql in store_backend.h), run it through store_query() and
 * store_count(), and turn rows of text into the structs of store.h, with
 * the helpers below. events.c, events_write.c and throttle.c use some of
 * them too (store_str(), store_col_dup(), store_wrap_error(), store_tx())
 * for secrets, events and the shared throttle. The server backends (postgres.c,
 * mysql.c) share the reconnect backoff below. Tests include this header
 * to reach the timestamp and backoff functions.
 */
#ifndef CD_STORE_STORE_INT_H
#define CD_STORE_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/err.h"

struct store;
struct store_accounts_sql;
struct store_relationship;
struct store_user;

/* The backend's statements for st. */
const struct store_accounts_sql *store_sql(struct store *st);

/* s, or "" for NULL: what a write binds for a missing string. */
const char *store_str(const char *s);
/* A heap copy of a column (xstrdup), "" for SQL NULL. */
char *store_col_dup(const char *col);

/* Prefix err->msg with what ("create account: ..."), keeping rc. */
int store_wrap_error(struct cd_error *err, int rc, const char *what);

/* Run fn(st, arg, err) in one write transaction: store_begin(), then
 * store_commit() if fn returned CD_OK, store_rollback() otherwise. Returns
 * fn's error, or the begin's or the commit's. */
typedef int store_tx_fn(struct store *st, const void *arg,
                        struct cd_error *err);
int store_tx(struct store *st, store_tx_fn *fn, const void *arg,
             struct cd_error *err) CD_MUST_CHECK;

/* Insert (upsert false) or insert-or-replace (upsert true) the user's row
 * and its relationships, each with u's account_user_id. No transaction of
 * its own. CD_EINVAL for an empty id. */
int store_user_write(struct store *st, const struct store_user *u,
                     bool upsert, struct cd_error *err) CD_MUST_CHECK;

/* Insert (or, upsert, insert-or-replace) n relationships, each with
 * account_user_id user_id, or with its own when user_id is NULL. No
 * transaction of its own. CD_EEXIST for a duplicate id on insert,
 * CD_EINVAL for an empty relationship_id. */
int store_relationships_write(struct store *st,
                              const struct store_relationship *rels, size_t n,
                              const char *user_id, bool upsert,
                              struct cd_error *err) CD_MUST_CHECK;

/* ---- reconnect backoff (postgres.c, mysql.c) ---- */

/* After a failed reconnect the next attempt waits STORE_BACKOFF_MIN_MS,
 * doubling with each further failure up to STORE_BACKOFF_MAX_MS; calls in
 * between fail fast. Times are CLOCK_MONOTONIC (store_backoff_now()); they
 * are parameters so that the arithmetic can be tested without a server. */
#define STORE_BACKOFF_MIN_MS 100
#define STORE_BACKOFF_MAX_MS 5000

struct store_backoff {
    long ms;                  /* current interval, 0 when healthy */
    struct timespec retry_at; /* no reconnect attempt before this */
};

/* CLOCK_MONOTONIC now. */
struct timespec store_backoff_now(void);
/* A reconnect must not be tried yet: a failure was recorded and now is
 * before its retry_at. */
bool store_backoff_blocked(const struct store_backoff *b,
                           const struct timespec *now);
/* A reconnect failed at now: double the interval (the first is
 * STORE_BACKOFF_MIN_MS, none past STORE_BACKOFF_MAX_MS), retry_at = now +
 * it. */
void store_backoff_failed(struct store_backoff *b, const struct timespec *now);
/* Connected: healthy again (ms 0, never blocked). */
void store_backoff_ok(struct store_backoff *b);

/* Room for what store_time_format() writes (36 bytes, NUL included),
 * with a margin the compiler can prove. */
#define STORE_TIME_TEXT_SIZE 64

/* Parse a timestamp as Offen's drivers store it, into milliseconds since
 * 1970 UTC (digits past the millisecond are dropped):
 *   YYYY-MM-DD[( |T)HH:MM[:SS[.f{1,}]]][Z|+hh|+hhmm|+hh:mm]
 * with '-' offsets too; without an offset the time is UTC. Offen 1.4 on
 * SQLite writes "2024-05-01 10:00:00.123456789+02:00", PostgreSQL gives
 * "2024-05-01 10:00:00.123456+02", MySQL "2024-05-01 10:00:00.123".
 * CD_OK, or CD_EPROTO for anything else (a field out of range included). */
int store_time_parse(const char *s, int64_t *ms) CD_MUST_CHECK;

/* Offen's SQLite form in UTC, "YYYY-MM-DD HH:MM:SS.fffffffff+00:00".
 * CD_OK, or CD_EINVAL for a year outside 0000..9999. */
int store_time_format(int64_t ms, char out[STORE_TIME_TEXT_SIZE])
    CD_MUST_CHECK;

#endif /* CD_STORE_STORE_INT_H */
