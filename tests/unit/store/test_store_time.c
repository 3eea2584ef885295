/* test_store_time.c -- accounts.created: every timestamp form Offen's
 * drivers write, parsed to Unix milliseconds, and Offen's SQLite form
 * written back, over the whole four-digit-year range. */
#include "common/common.h"

#include "store/store.h"
#include "store/store_int.h"

#include "accounts_test_util.h"

static int64_t parsed(const char *s)
{
    int64_t ms = -1;

    if (store_time_parse(s, &ms) != CD_OK)
        fail_msg("cannot parse '%s'", s);
    return ms;
}

static void test_time_parse(void **state)
{
    static const char *const bad[] = {
        "", "2024", "2024-05-01x", "2024-5-01", "2024-05-1",
        "2024-13-01", "2024-00-10", "2024-04-31", "2023-02-29",
        "2024-05-01 24:00:00", "2024-05-01 10:60:00", "2024-05-01 10:00:60",
        "2024-05-01 10", "2024-05-01 10:00:00.", "2024-05-01 10:00:00.x",
        "2024-05-01 10:00:00+2", "2024-05-01 10:00:00+02:0",
        "2024-05-01 10:00:00+24:00", "2024-05-01 10:00:00+02:60",
        "2024-05-01 10:00:00Zjunk", "2024-05-01 10:00:00 +0200",
        "2024-05-01 10:00:00+02:00 ", "x2024-05-01",
    };
    int64_t ms = 7;

    (void)state;
    /* Offen 1.4 on SQLite, as in the fixture. */
    assert_int_equal(parsed(FIX_CREATED_TEXT), FIX_CREATED_MS);
    /* The same instant, every way a driver writes it. */
    assert_int_equal(parsed("2024-05-01 10:00:00.123456789+02:00"),
                     INT64_C(1714550400123));
    assert_int_equal(parsed("2024-05-01T08:00:00.123Z"),
                     INT64_C(1714550400123));
    assert_int_equal(parsed("2024-05-01t08:00:00.123z"),
                     INT64_C(1714550400123));
    assert_int_equal(parsed("2024-05-01 10:00:00.123456+02"),
                     INT64_C(1714550400123));
    assert_int_equal(parsed("2024-05-01 10:00:00.1239+0200"),
                     INT64_C(1714550400123));
    assert_int_equal(parsed("2024-05-01 08:00:00.123"),
                     INT64_C(1714550400123));
    assert_int_equal(parsed("2024-05-01 02:30:00.123-05:30"),
                     INT64_C(1714550400123));
    /* Plain, short, fraction of one digit, date only. */
    assert_int_equal(parsed("2024-05-01 08:00:00"), INT64_C(1714550400000));
    assert_int_equal(parsed("2024-05-01 08:00"), INT64_C(1714550400000));
    assert_int_equal(parsed("2024-05-01 08:00:00.5"),
                     INT64_C(1714550400500));
    assert_int_equal(parsed("2024-05-01"), INT64_C(1714521600000));
    /* Calendar edges. */
    assert_int_equal(parsed("1970-01-01 00:00:00+00:00"), 0);
    assert_int_equal(parsed("1970-01-01 01:00:00+01:00"), 0);
    assert_int_equal(parsed("2024-02-29 12:00:00"), INT64_C(1709208000000));
    assert_int_equal(parsed("2000-02-29 00:00:00"), INT64_C(951782400000));
    assert_int_equal(parsed("1969-07-20 20:17:40"), INT64_C(-14182940000));
    assert_int_equal(parsed("1969-12-31 23:59:59.999"), -1);
    assert_int_equal(parsed("0001-01-01 00:00:00+00:00"), STORE_TIME_ZERO_MS);
    assert_int_equal(parsed("0000-01-01 00:00:00"),
                     INT64_C(-62167219200000));
    assert_int_equal(parsed("0000-02-29 00:00:00"),
                     INT64_C(-62162121600000));
    assert_int_equal(parsed("9999-12-31 23:59:59.999999999"),
                     INT64_C(253402300799999));
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        if (store_time_parse(bad[i], &ms) != CD_EPROTO)
            fail_msg("'%s' parsed", bad[i]);
        assert_int_equal(ms, 0);
    }
    assert_int_equal(store_time_parse(NULL, &ms), CD_EPROTO);
}

static void expect_format(int64_t ms, const char *want)
{
    char out[STORE_TIME_TEXT_SIZE];

    assert_int_equal(store_time_format(ms, out), CD_OK);
    assert_string_equal(out, want);
    assert_int_equal(parsed(out), ms);
}

static void test_time_format(void **state)
{
    char out[STORE_TIME_TEXT_SIZE];

    (void)state;
    expect_format(0, "1970-01-01 00:00:00.000000000+00:00");
    expect_format(FIX_CREATED_MS, "2026-11-27 18:09:58.267000000+00:00");
    expect_format(-1, "1969-12-31 23:59:59.999000000+00:00");
    expect_format(INT64_C(1709208000000),
                  "2024-02-29 12:00:00.000000000+00:00");
    expect_format(STORE_TIME_ZERO_MS, "0001-01-01 00:00:00.000000000+00:00");
    /* The range is four-digit years: at each end, and one past. */
    expect_format(INT64_C(-62167219200000),
                  "0000-01-01 00:00:00.000000000+00:00");
    expect_format(INT64_C(253402300799999),
                  "9999-12-31 23:59:59.999000000+00:00");
    assert_int_equal(store_time_format(INT64_C(-62167219200001), out),
                     CD_EINVAL);
    assert_string_equal(out, "");
    assert_int_equal(store_time_format(INT64_C(253402300800000), out),
                     CD_EINVAL);
    assert_int_equal(store_time_format(INT64_MIN, out), CD_EINVAL);
    assert_int_equal(store_time_format(INT64_MAX, out), CD_EINVAL);
    /* Round trips over the whole range, in uneven steps. */
    for (int64_t ms = INT64_C(-62167219200000); ms < INT64_C(253402300800000);
         ms += INT64_C(7777777777777)) {
        assert_int_equal(store_time_format(ms, out), CD_OK);
        assert_int_equal(parsed(out), ms);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_time_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
