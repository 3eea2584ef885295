/* test_ratelimit_db.c -- the database store behind the throttle
 * (CANDOR_RATELIMIT=database) and the keys salted from the server secret.
 *
 * Two limiters stand for two nodes: each has its own database store on one
 * SQLite file (the store's rows are tested on every dialect in
 * tests/unit/store/test_store_throttle.c). The calls run on a thread of
 * their own, as on a worker: its connection is closed when it ends.
 */
#include "common/common.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "api/api.h"
#include "api/ratelimit.h"
#include "common/config.h"
#include "crypto/hmac.h"
#include "store/store.h"

/* An hour from now in wall-clock time: count() looks at the real clock,
 * and the rows written at NOW are live then. Set in main(). */
static int64_t NOW;

static const char secret_a[] = "0123456789abcdef0123456789abcdef";
static const char secret_b[] = "fedcba9876543210fedcba9876543210";

static struct ratelimit *keyed(struct ratelimit_store *st, const char *secret)
{
    struct ratelimit *rl = NULL;

    assert_int_equal(ratelimit_new_keyed(&rl, st, secret, strlen(secret)),
                     CD_OK);
    return rl;
}

/* The same secret gives the same keys in every process; another secret,
 * or a random salt, gives others. */
static void test_keys_follow_the_secret(void **state)
{
    struct ratelimit *a1 = keyed(ratelimit_memory_new(4), secret_a);
    struct ratelimit *a2 = keyed(ratelimit_memory_new(4), secret_a);
    struct ratelimit *b = keyed(ratelimit_memory_new(4), secret_b);
    struct ratelimit *r = NULL;
    unsigned char k1[RATELIMIT_KEY_SIZE], k2[RATELIMIT_KEY_SIZE];
    unsigned char k3[RATELIMIT_KEY_SIZE], k4[RATELIMIT_KEY_SIZE];

    (void)state;
    assert_int_equal(ratelimit_new(&r, ratelimit_memory_new(4)), CD_OK);
    ratelimit_key(a1, "postLogin", "op@example.com", 14, k1);
    ratelimit_key(a2, "postLogin", "op@example.com", 14, k2);
    ratelimit_key(b, "postLogin", "op@example.com", 14, k3);
    ratelimit_key(r, "postLogin", "op@example.com", 14, k4);
    assert_memory_equal(k1, k2, RATELIMIT_KEY_SIZE);
    assert_memory_not_equal(k1, k3, RATELIMIT_KEY_SIZE);
    assert_memory_not_equal(k1, k4, RATELIMIT_KEY_SIZE);
    ratelimit_key(a2, "postLogin", "op@example.org", 14, k2);
    assert_memory_not_equal(k1, k2, RATELIMIT_KEY_SIZE);
    ratelimit_free(a1);
    ratelimit_free(a2);
    ratelimit_free(b);
    ratelimit_free(r);
}

struct nodes {
    struct api_app app;
    struct config cfg;
    struct ratelimit *x, *y; /* two nodes on one database */
    char dir[64], db[96];
    int failures;
};

#define CHECK(n, cond)                                                       \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);       \
            (n)->failures++;                                                 \
        }                                                                    \
    } while (0)

/* On a worker-like thread: the two nodes see one another's hits. */
static void *shared_run(void *arg)
{
    struct nodes *n = arg;
    unsigned char kx[RATELIMIT_KEY_SIZE], ky[RATELIMIT_KEY_SIZE];
    int64_t w = -1;

    ratelimit_key(n->x, "postLogin", "op@example.com", 14, kx);
    ratelimit_key(n->y, "postLogin", "op@example.com", 14, ky);
    CHECK(n, ratelimit_hit(n->x, kx, NOW, 1000, RATELIMIT_EXPONENTIAL, &w) ==
                 RATELIMIT_PASS);
    CHECK(n, ratelimit_hit(n->y, ky, NOW, 1000, RATELIMIT_EXPONENTIAL, &w) ==
                 RATELIMIT_WAIT && w == 1000);
    CHECK(n, ratelimit_hit(n->x, kx, NOW, 1000, RATELIMIT_EXPONENTIAL, &w) ==
                 RATELIMIT_WAIT && w == 2000);
    CHECK(n, ratelimit_count(n->x) == 1 && ratelimit_count(n->y) == 1);
    /* A correct login on y lifts the block x sees. */
    ratelimit_forget_email(n->y, "postLogin", "OP@example.com");
    CHECK(n, ratelimit_hit(n->x, kx, NOW, 1000, RATELIMIT_EXPONENTIAL, &w) ==
                 RATELIMIT_PASS && w == 0);
    /* Past the 30 s timeout: refused on either node. */
    for (int i = 0; i < 8; i++)
        (void)ratelimit_hit(n->y, ky, NOW, 1000, RATELIMIT_EXPONENTIAL, &w);
    CHECK(n, w == 29000);
    CHECK(n, ratelimit_hit(n->x, kx, NOW, 1000, RATELIMIT_EXPONENTIAL, &w) ==
                 RATELIMIT_REJECT);
    return NULL;
}

static void nodes_init(struct nodes *n, bool disabled)
{
    struct cd_error err = {0};
    struct store *st = NULL;

    memset(n, 0, sizeof(*n));
    snprintf(n->dir, sizeof(n->dir), "/tmp/candor-rldb-XXXXXX");
    assert_non_null(mkdtemp(n->dir));
    snprintf(n->db, sizeof(n->db), "%s/t.db", n->dir);
    assert_int_equal(store_open(&st, CONFIG_DIALECT_SQLITE, n->db, &err),
                     CD_OK);
    assert_int_equal(store_migrate(st, &err), CD_OK);
    store_close(st);
    n->cfg.db_dialect = CONFIG_DIALECT_SQLITE;
    n->cfg.db_connection_string = n->db;
    n->app.cfg = &n->cfg;
    /* disabled: node x is in reverse-proxy mode, which has no limiter. */
    n->x = disabled ? NULL : keyed(ratelimit_database_new(&n->app), secret_a);
    n->y = keyed(ratelimit_database_new(&n->app), secret_a);
}

static void nodes_release(struct nodes *n)
{
    char path[128];

    ratelimit_free(n->x);
    ratelimit_free(n->y);
    for (size_t i = 0; i < 3; i++) {
        static const char *const ext[] = {"", "-wal", "-shm"};

        snprintf(path, sizeof(path), "%s%s", n->db, ext[i]);
        unlink(path);
    }
    rmdir(n->dir);
}

static void test_two_nodes_share(void **state)
{
    struct nodes n;
    pthread_t t;

    (void)state;
    nodes_init(&n, false);
    assert_int_equal(pthread_create(&t, NULL, shared_run, &n), 0);
    pthread_join(t, NULL);
    assert_int_equal(n.failures, 0);
    nodes_release(&n);
}

/* Reverse-proxy mode: nothing is written, every hit passes. */
static void *disabled_run(void *arg)
{
    struct nodes *n = arg;
    unsigned char k[RATELIMIT_KEY_SIZE];
    int64_t w;

    ratelimit_key(n->y, "postLogin", "op@example.com", 14, k);
    for (int i = 0; i < 5; i++)
        CHECK(n, ratelimit_hit(n->x, k, NOW, 1000, RATELIMIT_LINEAR, &w) ==
                     RATELIMIT_PASS);
    CHECK(n, ratelimit_count(n->x) == 0);
    CHECK(n, ratelimit_count(n->y) == 0); /* nothing in the database */
    return NULL;
}

static void test_disabled(void **state)
{
    struct nodes n;
    pthread_t t;

    (void)state;
    nodes_init(&n, true);
    assert_int_equal(pthread_create(&t, NULL, disabled_run, &n), 0);
    pthread_join(t, NULL);
    assert_int_equal(n.failures, 0);
    nodes_release(&n);
}

/* No database: the hit passes (the route answers 503 itself). */
static void *unreachable_run(void *arg)
{
    struct nodes *n = arg;
    unsigned char k[RATELIMIT_KEY_SIZE];
    int64_t w = -1;

    ratelimit_key(n->x, "postLogin", "op@example.com", 14, k);
    CHECK(n, ratelimit_hit(n->x, k, NOW, 1000, RATELIMIT_LINEAR, &w) ==
                 RATELIMIT_PASS && w == 0);
    CHECK(n, ratelimit_hit(n->x, k, NOW, 1000, RATELIMIT_LINEAR, &w) ==
                 RATELIMIT_PASS && w == 0);
    return NULL;
}

static void test_unreachable_passes(void **state)
{
    struct nodes n;
    pthread_t t;

    (void)state;
    nodes_init(&n, false);
    n.cfg.db_connection_string = "/nonexistent-dir/x/t.db";
    assert_int_equal(pthread_create(&t, NULL, unreachable_run, &n), 0);
    pthread_join(t, NULL);
    assert_int_equal(n.failures, 0);
    nodes_release(&n);
}

/* Ended rows go with a hit, at most once a minute per store. */
static void *expiry_run(void *arg)
{
    struct nodes *n = arg;
    unsigned char k1[RATELIMIT_KEY_SIZE], k2[RATELIMIT_KEY_SIZE];
    int64_t w, t = NOW - 3600 * 1000;

    ratelimit_key(n->x, "a", "1", 1, k1);
    ratelimit_key(n->x, "a", "2", 1, k2);
    (void)ratelimit_hit(n->x, k1, t, 1000, RATELIMIT_LINEAR, &w);
    /* k1 ended at t + 1000; the last expiry ran at t, under a minute
     * before t + 59999: k1's row stays. */
    (void)ratelimit_hit(n->x, k2, t + RATELIMIT_DB_EXPIRE_MS - 1, 1000,
                        RATELIMIT_LINEAR, &w);
    return NULL;
}

static void *expiry_run2(void *arg)
{
    struct nodes *n = arg;
    unsigned char k2[RATELIMIT_KEY_SIZE];
    int64_t w, t = NOW - 3600 * 1000;

    ratelimit_key(n->x, "a", "2", 1, k2);
    /* A minute after the last expiry: both ended rows go, the hit's own
     * row is written anew. */
    (void)ratelimit_hit(n->x, k2, t + RATELIMIT_DB_EXPIRE_MS + 5000, 1000,
                        RATELIMIT_LINEAR, &w);
    return NULL;
}

static int rows(const char *db)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    int n = -1;

    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM "
                                           "candor_throttle",
                                        -1, &q, NULL),
                     SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

static void test_expiry(void **state)
{
    struct nodes n;
    pthread_t t;

    (void)state;
    nodes_init(&n, false);
    assert_int_equal(pthread_create(&t, NULL, expiry_run, &n), 0);
    pthread_join(t, NULL);
    assert_int_equal(rows(n.db), 2);
    assert_int_equal(pthread_create(&t, NULL, expiry_run2, &n), 0);
    pthread_join(t, NULL);
    assert_int_equal(rows(n.db), 1);
    assert_int_equal(n.failures, 0);
    nodes_release(&n);
}

/* The key's algorithm, pinned: HMAC-SHA256 keyed with the first 16 bytes
 * of HMAC-SHA256(secret, "candor-throttle") over "<scope>-<identity>",
 * stored as 64 lower-case hex characters (every node, every version). */
static void *format_run(void *arg)
{
    struct nodes *n = arg;
    unsigned char k[RATELIMIT_KEY_SIZE];
    int64_t w;

    ratelimit_key(n->x, "postLogin", "op@example.com", 14, k);
    (void)ratelimit_hit(n->x, k, NOW, 1000, RATELIMIT_LINEAR, &w);
    return NULL;
}

static void stored_key(const char *db, char out[65])
{
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;

    out[0] = '\0';
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT `key` FROM "
                                           "candor_throttle",
                                        -1, &q, NULL),
                     SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW &&
        sqlite3_column_bytes(q, 0) == 64)
        memcpy(out, sqlite3_column_text(q, 0), 65);
    sqlite3_finalize(q);
    sqlite3_close(h);
}

static void test_key_format(void **state)
{
    static const char label[] = "candor-throttle";
    static const char id[] = "postLogin-op@example.com";
    unsigned char salt[CRYPTO_HMAC_LEN], want[CRYPTO_HMAC_LEN];
    char hex[65], got[65];
    struct nodes n;
    pthread_t t;

    (void)state;
    assert_int_equal(crypto_hmac_sha256(secret_a, strlen(secret_a), label,
                                        sizeof(label) - 1, salt),
                     CD_OK);
    assert_int_equal(crypto_hmac_sha256(salt, RATELIMIT_SALT_LEN, id,
                                        sizeof(id) - 1, want),
                     CD_OK);
    for (size_t i = 0; i < sizeof(want); i++)
        snprintf(hex + 2 * i, 3, "%02x", want[i]);
    nodes_init(&n, false);
    assert_int_equal(pthread_create(&t, NULL, format_run, &n), 0);
    pthread_join(t, NULL);
    stored_key(n.db, got);
    assert_string_equal(got, hex);
    assert_int_equal(n.failures, 0);
    nodes_release(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_follow_the_secret),
        cmocka_unit_test(test_two_nodes_share),
        cmocka_unit_test(test_disabled),
        cmocka_unit_test(test_unreachable_passes),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_key_format),
    };
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    NOW = (int64_t)ts.tv_sec * 1000 + 3600 * 1000;

    return cmocka_run_group_tests(tests, NULL, NULL);
}
