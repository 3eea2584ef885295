/* test_cookie.c -- Set-Cookie values byte for byte as Offen sends them. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "api/cookie.h"

static void test_auth(void **state)
{
    char c[COOKIE_MAX];

    (void)state;
    cookie_auth(c, sizeof(c), "TOKEN", 1);
    assert_string_equal(c, "auth=TOKEN; Path=/api; HttpOnly; Secure; SameSite=Lax");
    cookie_auth(c, sizeof(c), "TOKEN", 0);
    assert_string_equal(c, "auth=TOKEN; Path=/api; HttpOnly; SameSite=Lax");
    cookie_auth_clear(c, sizeof(c), 1);
    assert_string_equal(c, "auth=; Path=/api; Expires=Thu, 01 Jan 1970 "
                           "00:00:00 GMT; HttpOnly; Secure; SameSite=Lax");
}

static void test_user(void **state)
{
    char c[COOKIE_MAX];

    (void)state;
    /* 2024-12-31 11:00:00 UTC + 1 day, as in Offen's example */
    cookie_user(c, sizeof(c), "4f1e6a32-8c1b-4b4e-9a53-2d7cf0b0c0de",
                1735642800, 1, 1);
    assert_string_equal(c, "user=4f1e6a32-8c1b-4b4e-9a53-2d7cf0b0c0de; "
                           "Path=/api; Expires=Wed, 01 Jan 2025 11:00:00 GMT; "
                           "HttpOnly; Secure; SameSite=None");
    cookie_user(c, sizeof(c), "u", 0, 0, 0);
    assert_string_equal(c, "user=u; Path=/api; Expires=Thu, 01 Jan 1970 "
                           "00:00:00 GMT; HttpOnly; SameSite=Lax");
    cookie_user_clear(c, sizeof(c), 1);
    assert_string_equal(c, "user=; Path=/api; Expires=Thu, 01 Jan 1970 "
                           "00:00:00 GMT; HttpOnly; Secure; SameSite=None");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_user),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
