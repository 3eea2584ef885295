/* test_hold.c -- how a hold's wait is split into the loop's timeouts
 * (hold_plan() in http/hold.c): rounded up to a whole step, the tail first,
 * then whole slices, at the step and slice boundaries. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/internal.h"

/* The wait hold_plan() gives ms, checking the tail's range on the way. */
static uint64_t wait_of(uint64_t ms, size_t *tail, uint64_t *slices)
{
    hold_plan(ms, tail, slices);
    assert_true(*tail <= HOLD_STEPS);
    /* tail HOLD_STEPS is the slice timeout, HOLD_STEPS steps long */
    return (uint64_t)*tail * HOLD_STEP_MS + *slices * HOLD_SLICE_MS;
}

static void expect(uint64_t ms, uint64_t wait, size_t tail, uint64_t slices)
{
    size_t t = 99;
    uint64_t s = 99;

    assert_int_equal(wait_of(ms, &t, &s), wait);
    assert_int_equal(t, tail);
    assert_int_equal(s, slices);
    /* rounded up to a multiple of the step, never shorter than asked */
    assert_int_equal(wait % HOLD_STEP_MS, 0);
    assert_true(wait >= ms && wait - ms < HOLD_STEP_MS);
}

static void test_constants(void **state)
{
    (void)state;
    assert_int_equal(HOLD_STEP_MS, 50);
    assert_int_equal(HOLD_SLICE_MS, 1000);
    assert_int_equal(HOLD_STEPS * HOLD_STEP_MS, HOLD_SLICE_MS);
}

static void test_zero_fires_at_once(void **state)
{
    (void)state;
    /* hold_tail[0] is the 0 ms timeout, and no slice follows */
    expect(0, 0, 0, 0);
}

static void test_step_boundaries(void **state)
{
    (void)state;
    expect(1, 50, 1, 0);    /* one past zero: a whole step */
    expect(49, 50, 1, 0);
    expect(50, 50, 1, 0);   /* exactly a step */
    expect(51, 100, 2, 0);  /* one past it */
    expect(950, 950, HOLD_STEPS - 1, 0); /* the longest tail */
}

static void test_slice_boundaries(void **state)
{
    (void)state;
    /* a whole slice: the slice timeout itself, nothing after it */
    expect(951, 1000, HOLD_STEPS, 0);
    expect(999, 1000, HOLD_STEPS, 0);
    expect(1000, 1000, HOLD_STEPS, 0);
    expect(1001, 1050, 1, 1);  /* one past: a step, then a slice */
    expect(1950, 1950, HOLD_STEPS - 1, 1);
    expect(2000, 2000, HOLD_STEPS, 1);
    expect(2001, 2050, 1, 2);
}

static void test_throttle_limit(void **state)
{
    (void)state;
    /* the throttle's 30 s limit: the first slice, then 29 more */
    expect(30000, 30000, HOLD_STEPS, 29);
    expect(29999, 30000, HOLD_STEPS, 29);
    expect(30001, 30050, 1, 30);
}

static void test_no_overflow(void **state)
{
    size_t t;
    uint64_t s;

    (void)state;
    /* rounding up does not wrap around near the largest wait */
    hold_plan(UINT64_MAX, &t, &s);
    assert_true(t <= HOLD_STEPS);
    assert_true(s >= UINT64_MAX / HOLD_SLICE_MS - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_zero_fires_at_once),
        cmocka_unit_test(test_step_boundaries),
        cmocka_unit_test(test_slice_boundaries),
        cmocka_unit_test(test_throttle_limit),
        cmocka_unit_test(test_no_overflow),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
