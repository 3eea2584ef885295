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

/* jsonx_add_string(s) must equal jsonx_dump(json_string(s)), and fail
 * exactly where json_string() refuses. */
static void expect_same_as_dump(const char *s, size_t n)
{
    struct buf b = BUF_INIT(1 << 20);
    json_t *v = json_stringn(s, n);
    int rc = jsonx_add_string(&b, s, n);

    if (v == NULL) {
        assert_int_equal(rc, CD_EPROTO);
        assert_int_equal(b.len, 0);
    } else {
        size_t len;
        char *want = jsonx_dump(v, &len);

        assert_int_equal(rc, CD_OK);
        assert_int_equal(b.len, len);
        assert_memory_equal(b.ptr, want, len);
        free(want);
        json_decref(v);
    }
    buf_release(&b);
}

static void test_add_string_every_byte(void **state)
{
    char s[4] = "a?b";

    (void)state;
    for (int c = 0; c < 256; c++) { /* alone and between plain bytes */
        s[1] = (char)c;
        expect_same_as_dump(s + 1, 1);
        expect_same_as_dump(s, 3);
    }
    expect_same_as_dump("", 0);
    expect_same_as_dump("a\0b", 3); /* a NUL: \u0000, as jansson */
    expect_same_as_dump("{1,} aGVsbG8= bm9uY2U=", 22);
    expect_same_as_dump("x\xe2\x80\xa8y\xe2\x80\xa9z\xe2\x82\xac", 12);
}

static void test_add_string_utf8(void **state)
{
    static const char *cases[] = {
        "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xef\xbf\xbf",
        "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
        "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80",
        "\xed\xbf\xbf", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80", "\xff", "\x80", "\xe2\x80", "\xf0\x90\x80",
        "\xc3\xa4<\xe2\x80\xa8>&\"\\\x1f\x7f",
    };
    unsigned seed = 7;

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(cases); i++)
        expect_same_as_dump(cases[i], strlen(cases[i]));
    for (int round = 0; round < 20000; round++) { /* random short strings */
        char s[8];
        size_t n = (size_t)(round % 7) + 1;

        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = (char)(seed >> 16);
        }
        expect_same_as_dump(s, n);
    }
}

static void test_add_string_cap(void **state)
{
    struct buf b = BUF_INIT(8);

    (void)state;
    assert_int_equal(buf_adds(&b, "ab"), CD_OK);
    /* "ab" + "\"xyz\"" is 7 bytes: fits with its NUL in 8 */
    assert_int_equal(jsonx_add_string(&b, "xyz", 3), CD_OK);
    assert_string_equal(b.ptr, "ab\"xyz\"");
    b.len = 2;
    b.ptr[2] = '\0';
    /* one byte more does not fit: the buffer is left as it was */
    assert_int_equal(jsonx_add_string(&b, "xyzw", 4), CD_ETOOBIG);
    assert_string_equal(b.ptr, "ab");
    assert_int_equal(jsonx_add_string(&b, "<", 1), CD_ETOOBIG);
    assert_string_equal(b.ptr, "ab");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_like_go),
        cmocka_unit_test(test_parse_strict),
        cmocka_unit_test(test_error_envelope),
        cmocka_unit_test(test_add_string_every_byte),
        cmocka_unit_test(test_add_string_utf8),
        cmocka_unit_test(test_add_string_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
