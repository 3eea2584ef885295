/* test_str.c -- str_lower() touches ASCII letters only, within n bytes;
 * str_fnv1a() gives the published FNV-1a 64-bit values. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "common/str.h"

static void test_lower(void **state)
{
    char s[] = "AZaz@[`{09-\xc3\x9c\xc3\xa9Op";

    (void)state;
    str_lower(s, strlen(s));
    assert_string_equal(s, "azaz@[`{09-\xc3\x9c\xc3\xa9op");
    memcpy(s, "ABCD", 4);
    str_lower(s, 2); /* n bounds the change */
    assert_memory_equal(s, "abCD", 4);
    str_lower(s, 0);
    assert_memory_equal(s, "abCD", 4);
}

static void test_fnv1a(void **state)
{
    (void)state;
    assert_true(str_fnv1a("", 0) == 0xcbf29ce484222325ULL);
    assert_true(str_fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(str_fnv1a("foobar", 6) == 0x85944171f73967e8ULL);
    assert_true(str_fnv1a("foobar", 3) == str_fnv1a("foo", 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lower),
        cmocka_unit_test(test_fnv1a),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
