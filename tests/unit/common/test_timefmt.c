/* test_timefmt.c -- RFC 3339 as Go writes it. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "common/timefmt.h"

static void expect(int64_t ms, const char *want)
{
    char out[TIMEFMT_RFC3339_SIZE];

    timefmt_rfc3339(ms, out);
    assert_string_equal(out, want);
}

static void test_formats(void **state)
{
    (void)state;
    expect(0, "1970-01-01T00:00:00Z");
    expect(1594036800000, "2020-07-06T12:00:00Z");
    expect(1594036800100, "2020-07-06T12:00:00.1Z");
    expect(1594036800120, "2020-07-06T12:00:00.12Z");
    expect(1594036800123, "2020-07-06T12:00:00.123Z");
    expect(-62135596800000, "0001-01-01T00:00:00Z"); /* Go's zero time */
    expect(-1, "1969-12-31T23:59:59.999Z");
    assert_true(timefmt_now_ms() > 1700000000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
