/* test_jsonx.c -- Go-compatible JSON output and strict parsing. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/jsonx.h"

static void expect_dump(json_t *v, const char *want)
{
    size_t len;
    char *s = jsonx_dump(v, &len);

    assert_string_equal(s, want);
    assert_int_equal(len, strlen(want));
    free(s);
    json_decref(v);
}

static void test_dump_like_go(void **state)
{
    (void)state;
    expect_dump(json_pack("{s:b,s:i,s:s}", "z", 1, "a", 2, "m", "x"),
                "{\"a\":2,\"m\":\"x\",\"z\":true}");
    expect_dump(json_pack("{s:s}", "t", "<b>&</b>"),
                "{\"t\":\"\\u003cb\\u003e\\u0026\\u003c/b\\u003e\"}");
    expect_dump(json_pack("{s:s}", "t", "a\xe2\x80\xa8" "b\xe2\x80\xa9"),
                "{\"t\":\"a\\u2028b\\u2029\"}");
    expect_dump(json_pack("{s:s}", "t", "\xe2\x82\xac"), /* other E2 80+ */
                "{\"t\":\"\xe2\x82\xac\"}");
    expect_dump(json_null(), "null");
    expect_dump(NULL, "null");
}

static void test_parse_strict(void **state)
{
    static const char *bad[] = {
        "", "{", "{\"a\":1,}", "{\"a\":1} x", "{'a':1}", "{\"a\":1,\"a\":2}",
        "\"\xff\"", "[NaN]", "{\"a\":\"\\u0000\"}", "01",
    };
    struct cd_error err = {0};
    json_t *v = NULL;

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        assert_int_equal(jsonx_parse(bad[i], strlen(bad[i]), &v, &err),
                         CD_EPROTO);
        assert_null(v);
        assert_non_null(strstr(err.msg, "invalid JSON"));
    }
    assert_int_equal(jsonx_parse("{\"a\":[1,2]}", 11, &v, &err), CD_OK);
    assert_int_equal(json_array_size(json_object_get(v, "a")), 2);
    json_decref(v);
    assert_int_equal(jsonx_parse("null", 4, &v, &err), CD_OK);
    assert_true(json_is_null(v));
    json_decref(v);
}

static void test_error_envelope(void **state)
{
    (void)state;
    expect_dump(jsonx_error("no <such> thing", 404),
                "{\"error\":\"no \\u003csuch\\u003e thing\",\"status\":404}");
    /* a message that is not UTF-8 is replaced, never dropped */
    expect_dump(jsonx_error("bad \xff", 400),
                "{\"error\":\"request failed\",\"status\":400}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_like_go),
        cmocka_unit_test(test_parse_strict),
        cmocka_unit_test(test_error_envelope),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
