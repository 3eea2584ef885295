/* test_store_throttle.c -- the shared throttle in the database
 * (store_throttle_hit() and friends), on the dialect under test.
 *
 * The decisions are checked against the sequence api/ratelimit_mem.c
 * gives (its unit test has the same numbers), the timeout exactly at the
 * limit and one past it, forget and expire, bad arguments, and two
 * connections on two threads hitting one key at once: every hit is
 * counted, so the waits handed out add up to the sequential ones.
 */
#include "common/common.h"

#include <pthread.h>

#include "store/store.h"

#include "accounts_test_util.h"

#define K1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define K2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define K_UPPER                                                              \
    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
#define T 30000 /* Offen's timeout */
#define NOW INT64_C(1790000000000)

struct hit {
    enum store_throttle_verdict v;
    int64_t wait;
};

static struct hit hit(struct store *st, const char *key, int64_t now,
                      int64_t d, bool exp)
{
    struct cd_error err = {0};
    struct hit h;

    OK(store_throttle_hit(st, key, now, d, exp, T, &h.v, &h.wait, &err));
    return h;
}

static long long live(struct store *st, int64_t now)
{
    struct cd_error err = {0};
    long long n = -1;

    OK(store_throttle_count(st, now, &n, &err));
    return n;
}

#define EXPECT(h, verdict, ms)                                               \
    do {                                                                     \
        struct hit h_ = (h);                                                 \
        assert_int_equal(h_.v, (verdict));                                   \
        assert_int_equal(h_.wait, (ms));                                     \
    } while (0)

static void test_linear(void **state)
{
    struct tdir d;
    struct store *st;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "t.db");
    EXPECT(hit(st, K1, NOW, 1000, false), STORE_THROTTLE_PASS, 0);
    EXPECT(hit(st, K1, NOW, 1000, false), STORE_THROTTLE_WAIT, 1000);
    EXPECT(hit(st, K1, NOW, 1000, false), STORE_THROTTLE_WAIT, 2000);
    /* 500 ms later the block ends at NOW + 3000. */
    EXPECT(hit(st, K1, NOW + 500, 1000, false), STORE_THROTTLE_WAIT, 2500);
    assert_int_equal(live(st, NOW), 1);
    /* Candor's TTL fix: the row lives until its block ends (NOW + 4000),
     * not only for the old remaining time. */
    EXPECT(hit(st, K1, NOW + 3999, 1000, false), STORE_THROTTLE_WAIT, 1);
    /* Ended: the key starts over. */
    EXPECT(hit(st, K1, NOW + 5000, 1000, false), STORE_THROTTLE_PASS, 0);
    /* Another key is another row. */
    EXPECT(hit(st, K2, NOW, 1000, false), STORE_THROTTLE_PASS, 0);
    assert_int_equal(live(st, NOW), 2);
    assert_int_equal(live(st, NOW + 5000), 1); /* K2 ended at +1000 */
    store_close(st);
    tdir_remove(&d);
}

static void test_exponential(void **state)
{
    struct tdir d;
    struct store *st;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "t.db");
    /* until: +d, then +d*1, +d*2, +d*3 ... */
    EXPECT(hit(st, K1, NOW, 1000, true), STORE_THROTTLE_PASS, 0);
    EXPECT(hit(st, K1, NOW, 1000, true), STORE_THROTTLE_WAIT, 1000);
    EXPECT(hit(st, K1, NOW, 1000, true), STORE_THROTTLE_WAIT, 2000);
    EXPECT(hit(st, K1, NOW, 1000, true), STORE_THROTTLE_WAIT, 4000);
    EXPECT(hit(st, K1, NOW, 1000, true), STORE_THROTTLE_WAIT, 7000);
    EXPECT(hit(st, K1, NOW, 1000, true), STORE_THROTTLE_WAIT, 11000);
    store_close(st);
    tdir_remove(&d);
}

/* The timeout: a wait of exactly T is held, one ms more is refused, and a
 * refusal changes nothing. */
static void test_timeout_boundary(void **state)
{
    struct tdir d;
    struct store *st;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "t.db");
    EXPECT(hit(st, K1, NOW, T, false), STORE_THROTTLE_PASS, 0);
    /* until = NOW + T: remaining exactly T, at the limit. */
    EXPECT(hit(st, K1, NOW, T, false), STORE_THROTTLE_WAIT, T);
    /* until = NOW + 2T: remaining 2T - 1 past it... */
    EXPECT(hit(st, K1, NOW + 1, T, false), STORE_THROTTLE_REJECT, 0);
    /* ... and exactly T at NOW + T: held again. */
    EXPECT(hit(st, K1, NOW + T, T, false), STORE_THROTTLE_WAIT, T);
    /* until = NOW + 3T: at NOW + 2T - 1 the remaining is T + 1. */
    EXPECT(hit(st, K1, NOW + 2 * T - 1, T, false), STORE_THROTTLE_REJECT, 0);
    EXPECT(hit(st, K1, NOW + 2 * T, T, false), STORE_THROTTLE_WAIT, T);
    store_close(st);
    tdir_remove(&d);
}

static void test_forget_expire(void **state)
{
    struct cd_error err = {0};
    struct tdir d;
    struct store *st;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "t.db");
    (void)hit(st, K1, NOW, 1000, false);
    (void)hit(st, K1, NOW, 1000, false); /* until NOW + 2000 */
    (void)hit(st, K2, NOW, 500, false);  /* until NOW + 500 */
    OK(store_throttle_forget(st, K1, &err));
    EXPECT(hit(st, K1, NOW, 1000, false), STORE_THROTTLE_PASS, 0);
    OK(store_throttle_forget(st, K1, &err)); /* gone: still fine */
    OK(store_throttle_forget(st, K1, &err));
    (void)hit(st, K1, NOW, 1000, false); /* until NOW + 1000 */
    /* Ended rows go; a row ending exactly at now has ended. */
    OK(store_throttle_expire(st, NOW + 500, &err));
    assert_int_equal(file_int(tdir_file(&d, "t.db"),
                              "SELECT COUNT(*) FROM candor_throttle"),
                     1);
    OK(store_throttle_expire(st, NOW + 999, &err));
    assert_int_equal(live(st, NOW), 1);
    OK(store_throttle_expire(st, NOW + 1000, &err));
    assert_int_equal(file_int(tdir_file(&d, "t.db"),
                              "SELECT COUNT(*) FROM candor_throttle"),
                     0);
    store_close(st);
    tdir_remove(&d);
}

static void test_arguments(void **state)
{
    struct cd_error err = {0};
    enum store_throttle_verdict v;
    int64_t w;
    struct tdir d;
    struct store *st;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "t.db");
    /* Exactly 64 hex characters; 63 and 65 are refused. */
    assert_int_equal(store_throttle_hit(st, K1 "0", NOW, 1, false, T, &v,
                                        &w, &err),
                     CD_EINVAL);
    assert_int_equal(store_throttle_hit(st, K1 + 1, NOW, 1, false, T, &v,
                                        &w, &err),
                     CD_EINVAL);
    assert_int_equal(store_throttle_hit(st, K_UPPER, NOW, 1, false, T,
                                        &v, &w, &err),
                     CD_EINVAL);
    assert_int_equal(store_throttle_hit(st, NULL, NOW, 1, false, T, &v, &w,
                                        &err),
                     CD_EINVAL);
    assert_int_equal(store_throttle_hit(st, K1, NOW, 0, false, T, &v, &w,
                                        &err),
                     CD_EINVAL);
    assert_int_equal(store_throttle_forget(st, "x", &err), CD_EINVAL);
    /* Not inside a transaction of the caller's. */
    OK(store_begin(st, &err));
    assert_int_equal(store_throttle_hit(st, K1, NOW, 1, false, T, &v, &w,
                                        &err),
                     CD_EINVAL);
    OK(store_rollback(st, &err));
    assert_int_equal(live(st, 0), 0);
    store_close(st);
    tdir_remove(&d);
}

/* ---- two connections, two threads, one key ---------------------------- */

#define HITS 40 /* per thread */
#define D 10

struct racer {
    const char *conn;
    int64_t waits; /* sum */
    int passes, rejects, failures;
    char msg[256];
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct cd_error err = {0};
    struct store *st = NULL;

    if (store_open(&st, test_dialect(), r->conn, &err) < 0) {
        r->failures = HITS;
        snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
        return NULL;
    }
    for (int i = 0; i < HITS; i++) {
        enum store_throttle_verdict v;
        int64_t w;

        /* A timeout no wait reaches: every hit is held, none refused. */
        if (store_throttle_hit(st, K1, NOW, D, false, INT64_MAX / 2, &v, &w,
                               &err) < 0) {
            r->failures++;
            snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
            continue;
        }
        r->waits += w;
        r->passes += v == STORE_THROTTLE_PASS;
        r->rejects += v == STORE_THROTTLE_REJECT;
    }
    store_close(st);
    return NULL;
}

static void test_two_connections(void **state)
{
    struct racer a = {0}, b = {0};
    pthread_t ta, tb;
    struct tdir d;
    struct store *st;
    int64_t want = 0;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "t.db");
    a.conn = b.conn = tdir_file(&d, "t.db");
    assert_int_equal(pthread_create(&ta, NULL, race, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, race, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    if (a.failures + b.failures > 0)
        fail_msg("hits failed: %s %s", a.msg, b.msg);
    /* Sequentially, hit k (k = 0 .. 2*HITS-1) waits k * D. */
    for (int k = 0; k < 2 * HITS; k++)
        want += (int64_t)k * D;
    assert_int_equal(a.passes + b.passes, 1);
    assert_int_equal(a.rejects + b.rejects, 0);
    assert_int_equal(a.waits + b.waits, want);
    /* The row records every hit. */
    EXPECT(hit(st, K1, NOW, D, false), STORE_THROTTLE_WAIT, 2 * HITS * D);
    store_close(st);
    tdir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_timeout_boundary),
        cmocka_unit_test(test_forget_expire),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_two_connections),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
