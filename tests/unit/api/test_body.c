/* test_body.c -- JSON request bodies with Go's decoding rules. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "api/body.h"

static json_t *parse_ok(const char *s)
{
    struct cd_error err = {0};
    json_t *v = NULL;

    assert_int_equal(body_parse(s, strlen(s), &v, &err), CD_OK);
    assert_non_null(v);
    return v;
}

static void test_bad_bodies(void **state)
{
    static const char *bad[] = {"", "{", "[1]", "\"x\"", "3", "{\"a\":1}x"};
    struct cd_error err = {0};
    json_t *v = (json_t *)1;

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        assert_int_equal(body_parse(bad[i], strlen(bad[i]), &v, &err),
                         CD_EPROTO);
        assert_null(v);
    }
}

static void test_null_body_is_all_zero(void **state)
{
    struct cd_error err = {0};
    json_t *v = parse_ok("null");
    const char *s = "x";
    int b = 1;

    (void)state;
    assert_int_equal(body_string(v, "emailAddress", 0, &s, &err), CD_OK);
    assert_string_equal(s, "");
    assert_int_equal(body_bool(v, "grantAdminPrivileges", &b, &err), CD_OK);
    assert_int_equal(b, 0);
    json_decref(v);
}

static void test_case_insensitive_and_types(void **state)
{
    struct cd_error err = {0};
    json_t *v = parse_ok("{\"EMAILADDRESS\":\"a@b.c\",\"Password\":null,"
                         "\"grantadminprivileges\":true,\"n\":5,"
                         "\"unknown\":[1]}");
    const char *s;
    int b;

    (void)state;
    assert_int_equal(body_string(v, "emailAddress", 0, &s, &err), CD_OK);
    assert_string_equal(s, "a@b.c");
    assert_int_equal(body_string(v, "password", 0, &s, &err), CD_OK);
    assert_string_equal(s, "");
    assert_int_equal(body_bool(v, "grantAdminPrivileges", &b, &err), CD_OK);
    assert_int_equal(b, 1);
    assert_int_equal(body_string(v, "n", 0, &s, &err), CD_EPROTO);
    assert_int_equal(body_bool(v, "emailAddress", &b, &err), CD_EPROTO);
    json_decref(v);
}

static void test_last_matching_key_wins(void **state)
{
    struct cd_error err = {0};
    json_t *v = parse_ok("{\"token\":\"first\",\"Token\":\"second\"}");
    const char *s;

    (void)state;
    assert_int_equal(body_string(v, "token", 0, &s, &err), CD_OK);
    assert_string_equal(s, "second");
    json_decref(v);
}

static void test_field_cap(void **state)
{
    struct cd_error err = {0};
    char text[64];
    json_t *v;
    const char *s;

    (void)state;
    snprintf(text, sizeof(text), "{\"a\":\"%s\"}", "12345678");
    v = parse_ok(text);
    assert_int_equal(body_string(v, "a", 8, &s, &err), CD_OK); /* at */
    assert_int_equal(body_string(v, "a", 7, &s, &err), CD_ETOOBIG);
    json_decref(v);
}

static void test_default_cap(void **state)
{
    struct cd_error err = {0};
    char *text = malloc(BODY_MAX_FIELD + 16);
    json_t *v;
    const char *s;

    (void)state;
    for (int over = 0; over <= 1; over++) {
        size_t n = BODY_MAX_FIELD + (size_t)over;

        memcpy(text, "{\"a\":\"", 6);
        memset(text + 6, 'x', n);
        memcpy(text + 6 + n, "\"}", 3);
        v = parse_ok(text);
        assert_int_equal(body_string(v, "a", 0, &s, &err),
                         over ? CD_ETOOBIG : CD_OK);
        json_decref(v);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_bodies),
        cmocka_unit_test(test_null_body_is_all_zero),
        cmocka_unit_test(test_case_insensitive_and_types),
        cmocka_unit_test(test_last_matching_key_wins),
        cmocka_unit_test(test_field_cap),
        cmocka_unit_test(test_default_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
