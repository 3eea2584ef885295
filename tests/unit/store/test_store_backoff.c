/* test_store_backoff.c -- the reconnect backoff of the server backends
 * (struct store_backoff, store_int.h), on given times: no server. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <cmocka.h>

#include "store/store_int.h"

/* t0 + ms milliseconds. */
static struct timespec at(const struct timespec *t0, long ms)
{
    struct timespec t = *t0;

    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* Each failure doubles the interval from 100 ms, up to 5000 ms and no
 * further; a success makes the connection healthy again. */
static void test_doubles_to_cap(void **state)
{
    static const long want[] = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
    struct store_backoff b = {0};
    struct timespec t0 = {1000, 999000000L}; /* a carry into tv_sec */

    (void)state;
    assert_false(store_backoff_blocked(&b, &t0));
    for (size_t i = 0; i < CD_ARRAY_SIZE(want); i++) {
        struct timespec t = at(&t0, 100000L * (long)i);

        store_backoff_failed(&b, &t);
        assert_int_equal(b.ms, want[i]);
    }
    assert_int_equal(b.ms, STORE_BACKOFF_MAX_MS);
    store_backoff_ok(&b);
    assert_int_equal(b.ms, 0);
    store_backoff_failed(&b, &t0);
    assert_int_equal(b.ms, STORE_BACKOFF_MIN_MS);
}

/* Blocked from the failure until retry_at, not at it or after. */
static void test_blocked_until_retry_at(void **state)
{
    struct store_backoff b = {0};
    struct timespec t0 = {50, 950000000L};
    struct timespec t;

    (void)state;
    store_backoff_failed(&b, &t0); /* 100 ms: retry at 51.050 */
    assert_true(store_backoff_blocked(&b, &t0));
    t = at(&t0, 99);
    assert_true(store_backoff_blocked(&b, &t));
    t.tv_nsec += 999999; /* 1 ns before retry_at */
    assert_true(store_backoff_blocked(&b, &t));
    t = at(&t0, 100);
    assert_false(store_backoff_blocked(&b, &t));
    t = at(&t0, 101);
    assert_false(store_backoff_blocked(&b, &t));
    /* The next failure, at retry_at: 200 ms from there. */
    t = at(&t0, 100);
    store_backoff_failed(&b, &t);
    t = at(&t0, 299);
    assert_true(store_backoff_blocked(&b, &t));
    t = at(&t0, 300);
    assert_false(store_backoff_blocked(&b, &t));
    /* Healthy: never blocked, whatever retry_at says. */
    store_backoff_ok(&b);
    assert_false(store_backoff_blocked(&b, &t0));
}

/* The clock the backends use moves forward. */
static void test_now_is_monotonic(void **state)
{
    struct timespec a = store_backoff_now(), b = store_backoff_now();

    (void)state;
    assert_true(b.tv_sec > a.tv_sec ||
                (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_to_cap),
        cmocka_unit_test(test_blocked_until_retry_at),
        cmocka_unit_test(test_now_is_monotonic),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
