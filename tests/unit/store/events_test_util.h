/* events_test_util.h -- helpers for the secrets, events and tombstones
 * tests.
 *
 * Builds on accounts_test_util.h. The store takes its ULIDs from the
 * caller (struct store_ulids); crypto/ is another library, so these tests
 * bring a source of their own: time plus a counter, in ULID form
 * (migrate_ulid_encode), monotonic within the process, with siblings that
 * keep the first ten characters. A test can make the sibling source fail
 * or return a chosen id at its n-th call. Collectors copy what a read
 * hands to its callback.
 */
#ifndef CD_TESTS_EVENTS_TEST_UTIL_H
#define CD_TESTS_EVENTS_TEST_UTIL_H

#include "store/migrate.h"
#include "store/store.h"

#include "accounts_test_util.h"

/* Secrets of the fixture with 23 events each (checked with sqlite3). */
#define FIX_SECRET_A                                                         \
    "7fd3a35b139938982fb5e8682a64e8ce7020101fddd2ad80facb735f34e1d1ec"
#define FIX_SECRET_B                                                         \
    "5c4ecc984e99b2e415baebc09333b0c96c0ec6d53f1cea3a8de9f711a50e27a0"
#define FIX_EVENTS 449
#define FIX_SECRETS 40

/* A migrated, empty database d/name, as fresh_store(). PostgreSQL and
 * MySQL have Offen's foreign key from events to accounts, so there the
 * two accounts the tests write events for are created first (a bare row:
 * whether an account exists is the caller's check, not the store's). */
static inline struct store *ev_store(struct tdir *d, const char *name)
{
    struct store *st = fresh_store(d, name);

    if (!test_on_sqlite())
        file_exec(tdir_file(d, name),
                  "INSERT INTO accounts (account_id, retired) VALUES "
                  "('11111111-1111-4111-8111-111111111111', false), "
                  "('22222222-2222-4222-8222-222222222222', false)");
    return st;
}

/* ---- a ULID source ---------------------------------------------------- */

static uint64_t t_last_ms, t_counter;
static int t_sibling_calls;
static int t_fail_at;           /* sibling fails (CD_EIO) at this call */
static int t_force_at;          /* sibling returns t_force_id at this call */
static const char *t_force_id;
/* Called by next() before it mints, if set (a test looks at the lock). */
static void (*t_on_next)(void);

static inline int t_next(char out[STORE_ULID_SIZE])
{
    unsigned char rnd[10] = {0};
    struct timespec ts;
    uint64_t ms, c;

    if (t_on_next != NULL)
        t_on_next();
    clock_gettime(CLOCK_REALTIME, &ts);
    ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    if (ms < t_last_ms)
        ms = t_last_ms;
    t_last_ms = ms;
    c = ++t_counter;
    for (int i = 0; i < 8; i++)
        rnd[9 - i] = (unsigned char)(c >> (8 * i));
    migrate_ulid_encode(ms, rnd, out);
    return CD_OK;
}

static inline bool t_is_ulid(const char *s)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    if (s == NULL || strlen(s) != 26 || s[0] > '7')
        return false;
    for (const char *p = s; *p != '\0'; p++) {
        if (strchr(alphabet, *p) == NULL)
            return false;
    }
    return true;
}

static inline int t_sibling(const char *id, char out[STORE_ULID_SIZE])
{
    char fresh[STORE_ULID_SIZE];

    if (!t_is_ulid(id))
        return CD_EINVAL;
    t_sibling_calls++;
    if (t_sibling_calls == t_fail_at)
        return CD_EIO;
    if (t_sibling_calls == t_force_at) {
        snprintf(out, STORE_ULID_SIZE, "%s", t_force_id);
        return CD_OK;
    }
    assert_int_equal(t_next(fresh), CD_OK);
    memcpy(out, id, 10);
    memcpy(out + 10, fresh + 10, 17);
    return CD_OK;
}

/* The source, for the store's functions. */
static inline const struct store_ulids *t_ulids(void)
{
    static const struct store_ulids u = {t_next, t_sibling};

    return &u;
}

static inline void t_ulids_reset(void)
{
    t_sibling_calls = 0;
    t_fail_at = 0;
    t_force_at = 0;
    t_force_id = NULL;
    t_on_next = NULL;
}

/* ---- collectors ------------------------------------------------------- */

struct t_row {
    char *event_id, *sequence, *account_id, *secret_id, *payload;
};

struct t_rows {
    struct t_row *v;
    size_t n, cap;
    size_t stop_after; /* > 0: return CD_ETOOBIG at this row */
    struct store *st;  /* set: each call reads a secret through it */
};

static inline char *t_dup(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static inline struct t_row *t_add(struct t_rows *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap != 0 ? 2 * r->cap : 64;
        r->v = realloc(r->v, r->cap * sizeof(*r->v));
        assert_non_null(r->v);
    }
    memset(&r->v[r->n], 0, sizeof(r->v[0]));
    return &r->v[r->n++];
}

static inline int t_stop(struct t_rows *r)
{
    if (r->st != NULL) {
        char *secret = NULL;
        int rc = store_secret_get(r->st, FIX_SECRET_A, &secret, NULL);

        assert_true(rc == CD_OK || rc == CD_ENOTFOUND);
        free(secret);
    }
    return r->stop_after != 0 && r->n == r->stop_after ? CD_ETOOBIG : CD_OK;
}

static inline int t_event(void *ctx, const struct store_event *ev)
{
    struct t_rows *r = ctx;
    struct t_row *row = t_add(r);

    row->event_id = t_dup(ev->event_id);
    row->sequence = t_dup(ev->sequence);
    row->account_id = t_dup(ev->account_id);
    row->secret_id = t_dup(ev->secret_id);
    row->payload = t_dup(ev->payload);
    return t_stop(r);
}

static inline int t_tombstone(void *ctx, const struct store_tombstone *t)
{
    struct t_rows *r = ctx;
    struct t_row *row = t_add(r);

    row->event_id = t_dup(t->event_id);
    row->sequence = t_dup(t->sequence);
    row->account_id = t_dup(t->account_id);
    row->secret_id = t_dup(t->secret_id);
    return t_stop(r);
}

/* Secrets: secret_id in event_id, encrypted_secret in payload. */
static inline int t_secret(void *ctx, const char *secret_id,
                    const char *encrypted_secret)
{
    struct t_rows *r = ctx;
    struct t_row *row = t_add(r);

    row->event_id = t_dup(secret_id);
    row->payload = t_dup(encrypted_secret);
    return t_stop(r);
}

static inline void t_rows_free(struct t_rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].event_id);
        free(r->v[i].sequence);
        free(r->v[i].account_id);
        free(r->v[i].secret_id);
        free(r->v[i].payload);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

/* Rows in (sequence, event_id) order, each after the one before. */
static inline void t_expect_ordered(const struct t_rows *r)
{
    for (size_t i = 1; i < r->n; i++) {
        int c = strcmp(r->v[i - 1].sequence, r->v[i].sequence);

        assert_true(c < 0 || (c == 0 && strcmp(r->v[i - 1].event_id,
                                               r->v[i].event_id) < 0));
    }
}

/* A digest of the three tables, to prove a failed write changed nothing. */
static inline unsigned long long t_digest(const char *path)
{
    return file_digest(path, "SELECT * FROM events ORDER BY event_id") ^
           (file_digest(path, "SELECT * FROM secrets ORDER BY secret_id") *
            3) ^
           (file_digest(path, "SELECT * FROM tombstones ORDER BY event_id") *
            7);
}

#endif /* CD_TESTS_EVENTS_TEST_UTIL_H */
