/* test_ratelimit.c -- Offen's throttle with its TTL defect fixed, the
 * memory store's cap and eviction order, and the salted keys. Time is
 * passed in, so nothing here sleeps. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "api/ratelimit.h"

static struct ratelimit *limiter(size_t cap)
{
    struct ratelimit *rl = NULL;

    assert_int_equal(ratelimit_new(&rl, ratelimit_memory_new(cap)), CD_OK);
    return rl;
}

static void key_of(struct ratelimit *rl, const char *id, unsigned char *k)
{
    ratelimit_key(rl, "test", id, strlen(id), k);
}

static enum ratelimit_verdict hit(struct ratelimit *rl, const unsigned char *k,
                                  int64_t now, int64_t d,
                                  enum ratelimit_mode mode, int64_t *wait)
{
    return ratelimit_hit(rl, k, now, d, mode, wait);
}

/* A concurrent burst, linear d = 1000: 0, 1000, 2000 ... then 429 once the
 * queue would wait more than 30 s. */
static void test_linear_burst(void **state)
{
    struct ratelimit *rl = limiter(16);
    unsigned char k[RATELIMIT_KEY_SIZE];
    int64_t wait;

    (void)state;
    key_of(rl, "a", k);
    assert_int_equal(hit(rl, k, 0, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_PASS);
    for (int i = 1; i <= 30; i++) {
        assert_int_equal(hit(rl, k, 0, 1000, RATELIMIT_LINEAR, &wait),
                         RATELIMIT_WAIT);
        assert_int_equal(wait, 1000 * i);
    }
    /* exactly at T (30 s) still waits; past T is rejected */
    assert_int_equal(hit(rl, k, 0, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_REJECT);
    assert_int_equal(hit(rl, k, 999, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_REJECT);
    ratelimit_free(rl);
}

/* Offen's example: exponential d = 1 s waits 0, 1, 2, 4, 7, 11, 16, 22, 29
 * and the 10th is rejected. */
static void test_exponential_burst(void **state)
{
    static const int64_t waits[] = {1000, 2000, 4000, 7000, 11000, 16000,
                                    22000, 29000};
    struct ratelimit *rl = limiter(16);
    unsigned char k[RATELIMIT_KEY_SIZE];
    int64_t wait;

    (void)state;
    key_of(rl, "a", k);
    assert_int_equal(hit(rl, k, 0, 1000, RATELIMIT_EXPONENTIAL, &wait),
                     RATELIMIT_PASS);
    for (size_t i = 0; i < CD_ARRAY_SIZE(waits); i++) {
        assert_int_equal(hit(rl, k, 0, 1000, RATELIMIT_EXPONENTIAL, &wait),
                         RATELIMIT_WAIT);
        assert_int_equal(wait, waits[i]);
    }
    assert_int_equal(hit(rl, k, 0, 1000, RATELIMIT_EXPONENTIAL, &wait),
                     RATELIMIT_REJECT);
    ratelimit_free(rl);
}

/* The TTL fix: a sequential client (each request after the previous
 * answer) never gets a free pass while a block it caused lasts. Offen's
 * entry would have expired at t = 1000 (old remaining), letting the third
 * request through at once. */
static void test_sequential_client_keeps_waiting(void **state)
{
    struct ratelimit *rl = limiter(16);
    unsigned char k[RATELIMIT_KEY_SIZE];
    int64_t wait, t = 0;

    (void)state;
    key_of(rl, "a", k);
    assert_int_equal(hit(rl, k, t, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_PASS);
    t = 100; /* answered at once, the client asks again */
    assert_int_equal(hit(rl, k, t, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_WAIT);
    assert_int_equal(wait, 900);
    t += wait; /* answered after the hold: t = 1000 */
    assert_int_equal(hit(rl, k, t, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_WAIT);
    assert_int_equal(wait, 1000);
    t += wait; /* t = 2000, block ends at 3000 */
    assert_int_equal(hit(rl, k, t, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_WAIT);
    /* Once the client stops, the entry ends with its block: at 4000 it is
     * gone (never immortal), the next request passes. */
    assert_int_equal(hit(rl, k, 4000, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_PASS);
    assert_int_equal(ratelimit_count(rl), 1);
    assert_int_equal(hit(rl, k, 4999, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_WAIT);
    ratelimit_free(rl);
}

/* An entry whose block has ended is gone, whatever the order of events. */
static void test_expired_entries_vanish(void **state)
{
    struct ratelimit *rl = limiter(16);
    unsigned char a[RATELIMIT_KEY_SIZE], b[RATELIMIT_KEY_SIZE];
    int64_t wait;

    (void)state;
    key_of(rl, "a", a);
    key_of(rl, "b", b);
    assert_int_equal(hit(rl, a, 0, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_PASS);
    assert_int_equal(hit(rl, b, 500, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_PASS);
    assert_int_equal(ratelimit_count(rl), 2);
    /* at exactly until the block is over */
    assert_int_equal(hit(rl, a, 1000, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_PASS);
    assert_int_equal(wait, 0);
    assert_int_equal(hit(rl, b, 5000, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_PASS);
    assert_int_equal(ratelimit_count(rl), 1); /* a expired at 2000 */
    ratelimit_free(rl);
}

/* The cap: exactly cap entries fit; one more evicts expired entries
 * first, then the entry whose block ends soonest. */
static void test_cap_and_eviction(void **state)
{
    enum { CAP = 8 };
    struct ratelimit *rl = limiter(CAP);
    unsigned char k[CAP + 2][RATELIMIT_KEY_SIZE];
    char id[16];
    int64_t wait;

    (void)state;
    for (int i = 0; i < CAP + 2; i++) {
        snprintf(id, sizeof(id), "k%d", i);
        key_of(rl, id, k[i]);
    }
    /* k0 is under a long block (an attacked login); the others are fresh */
    for (int i = 0; i < 5; i++)
        (void)hit(rl, k[0], 0, 5000, RATELIMIT_LINEAR, &wait);
    for (int i = 1; i < CAP; i++)
        assert_int_equal(hit(rl, k[i], i, 1000, RATELIMIT_LINEAR, &wait),
                         RATELIMIT_PASS);
    assert_int_equal(ratelimit_count(rl), CAP); /* exactly at the cap */
    assert_int_equal(hit(rl, k[CAP], 100, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_PASS); /* one past: k1 (ends at 1001) goes */
    assert_int_equal(ratelimit_count(rl), CAP);
    assert_int_equal(hit(rl, k[1], 100, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_PASS); /* forgotten: a fresh entry; k2 went */
    assert_int_equal(hit(rl, k[0], 100, 5000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_WAIT); /* the long block survived */
    assert_int_equal(wait, 25000 - 100);
    /* Expired entries go first: at 1500 all but k0 have ended. */
    assert_int_equal(hit(rl, k[CAP + 1], 1500, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_PASS);
    assert_int_equal(ratelimit_count(rl), 2); /* k0 and k9 */
    ratelimit_free(rl);
}

/* A lifted block (a correct login) is gone at once, and only that one. */
static void test_forget(void **state)
{
    struct ratelimit *rl = limiter(16);
    unsigned char k[RATELIMIT_KEY_SIZE], other[RATELIMIT_KEY_SIZE];
    int64_t wait;

    (void)state;
    ratelimit_key(rl, "postLogin", "op@example.com", 14, k);
    key_of(rl, "b", other);
    for (int i = 0; i < 4; i++)
        (void)hit(rl, k, 0, 1000, RATELIMIT_EXPONENTIAL, &wait);
    for (int i = 0; i < 3; i++)
        (void)hit(rl, other, 0, 1000, RATELIMIT_LINEAR, &wait);
    assert_int_equal(ratelimit_count(rl), 2);
    ratelimit_forget_email(rl, "postLogin", "Op@Example.COM");
    assert_int_equal(ratelimit_count(rl), 1);
    assert_int_equal(hit(rl, k, 10, 1000, RATELIMIT_EXPONENTIAL, &wait),
                     RATELIMIT_PASS);
    assert_int_equal(hit(rl, other, 10, 1000, RATELIMIT_LINEAR, &wait),
                     RATELIMIT_WAIT);
    assert_int_equal(wait, 3000 - 10);
    ratelimit_forget_email(rl, "postLogin", "nobody@example.com");
    assert_int_equal(ratelimit_count(rl), 2);
    ratelimit_free(rl);
}

/* Reverse-proxy mode has no limiter (api_app.ratelimit NULL): every hit
 * on the NULL limiter passes and nothing is stored. */
static void test_disabled_passes(void **state)
{
    struct ratelimit *rl = NULL;
    struct ratelimit *keys = limiter(4);
    unsigned char k[RATELIMIT_KEY_SIZE];
    int64_t wait;

    (void)state;
    key_of(keys, "a", k);
    for (int i = 0; i < 100; i++)
        assert_int_equal(hit(rl, k, 0, 1000, RATELIMIT_EXPONENTIAL, &wait),
                         RATELIMIT_PASS);
    assert_int_equal(ratelimit_count(rl), 0);
    assert_int_equal(ratelimit_count(keys), 0);
    ratelimit_forget_email(rl, "postLogin", "a@b"); /* no limiter: no-op */
    ratelimit_free(rl);
    ratelimit_free(keys);
}

/* Keys: salted per limiter, distinct per scope and identity, "*" global. */
static void test_keys(void **state)
{
    struct ratelimit *a = limiter(4), *b = limiter(4);
    unsigned char k1[RATELIMIT_KEY_SIZE], k2[RATELIMIT_KEY_SIZE];
    char long_id[RATELIMIT_IDENT_MAX + 10];

    (void)state;
    ratelimit_key(a, "postLogin", "x@y", 3, k1);
    ratelimit_key(b, "postLogin", "x@y", 3, k2);
    assert_memory_not_equal(k1, k2, RATELIMIT_KEY_SIZE); /* other salt */
    ratelimit_key(a, "postLogin", "x@y", 3, k2);
    assert_memory_equal(k1, k2, RATELIMIT_KEY_SIZE);
    ratelimit_key(a, "postJoin", "x@y", 3, k2);
    assert_memory_not_equal(k1, k2, RATELIMIT_KEY_SIZE);
    ratelimit_key(a, "postLogin", NULL, 0, k1);
    ratelimit_key(a, "postLogin", "*", 1, k2);
    assert_memory_equal(k1, k2, RATELIMIT_KEY_SIZE);
    /* identities are cut at RATELIMIT_IDENT_MAX bytes */
    memset(long_id, 'a', sizeof(long_id));
    ratelimit_key(a, "s", long_id, RATELIMIT_IDENT_MAX, k1);
    ratelimit_key(a, "s", long_id, RATELIMIT_IDENT_MAX + 1, k2);
    assert_memory_equal(k1, k2, RATELIMIT_KEY_SIZE);
    ratelimit_key(a, "s", long_id, RATELIMIT_IDENT_MAX - 1, k2);
    assert_memory_not_equal(k1, k2, RATELIMIT_KEY_SIZE);
    ratelimit_free(a);
    ratelimit_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_burst),
        cmocka_unit_test(test_exponential_burst),
        cmocka_unit_test(test_sequential_client_keeps_waiting),
        cmocka_unit_test(test_expired_entries_vanish),
        cmocka_unit_test(test_cap_and_eviction),
        cmocka_unit_test(test_forget),
        cmocka_unit_test(test_disabled_passes),
        cmocka_unit_test(test_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
