/* test_parse.c -- Cookie, query, Accept-Encoding and If-None-Match lookups,
 * and each input cap exactly at and one past its limit.
 *
 * Inputs are copied into malloc'd buffers of their exact length (no NUL),
 * so a parser that reads one byte too far fails under AddressSanitizer.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/parse.h"

/* An exact-length heap copy of s (no terminating NUL). */
static char *dup_exact(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);

    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

/* --- helpers: run a parser on a string literal, check the result ---------- */

/* Returns 1 if found; then *val holds the value as a NUL-terminated copy. */
static int cookie(const char *hdr, const char *name, char *val, size_t vmax)
{
    size_t n = strlen(hdr);
    char *p = dup_exact(hdr, n);
    struct parse_str out = {NULL, 0};
    int found = parse_cookie(p, n, name, &out);

    if (found) {
        assert_true(out.ptr >= p && out.ptr + out.len <= p + n);
        assert_true(out.len < vmax);
        memcpy(val, out.ptr, out.len);
        val[out.len] = '\0';
    }
    free(p);
    return found;
}

static int query(const char *q, const char *name, char *val, size_t vmax)
{
    size_t n = strlen(q);
    char *p = dup_exact(q, n);
    struct parse_str out = {NULL, 0};
    int found = parse_query_param(p, n, name, &out);

    if (found) {
        assert_true(out.ptr >= p && out.ptr + out.len <= p + n);
        assert_true(out.len < vmax);
        memcpy(val, out.ptr, out.len);
        val[out.len] = '\0';
    }
    free(p);
    return found;
}

static int gzip_ok(const char *hdr)
{
    size_t n = strlen(hdr);
    char *p = dup_exact(hdr, n);
    int r = parse_accepts_gzip(p, n);

    free(p);
    return r;
}

static int listed(const char *hdr, const char *etag)
{
    size_t n = strlen(hdr);
    char *p = dup_exact(hdr, n);
    int r = parse_etag_listed(p, n, etag);

    free(p);
    return r;
}

/* A buffer of exactly n bytes: pad bytes, then tail at the very end. */
static char *padded(size_t n, char pad, const char *tail)
{
    size_t tlen = strlen(tail);
    char *p = malloc(n);

    assert_non_null(p);
    assert_true(n >= tlen);
    memset(p, pad, n - tlen);
    memcpy(p + n - tlen, tail, tlen);
    return p;
}

/* --- Cookie ---------------------------------------------------------------- */

static void test_cookie_prefix_names(void **state)
{
    char v[64];

    (void)state;
    assert_true(cookie("a=1; ab=2", "ab", v, sizeof(v)));
    assert_string_equal(v, "2");
    assert_true(cookie("ab=2; a=1", "a", v, sizeof(v)));
    assert_string_equal(v, "1");
    assert_false(cookie("ab=2", "a", v, sizeof(v)));
    assert_false(cookie("ab=2", "b", v, sizeof(v)));
    assert_false(cookie("a=1", "ab", v, sizeof(v)));
    assert_false(cookie("user=1", "User", v, sizeof(v))); /* case matters */
}

static void test_cookie_values(void **state)
{
    char v[64];

    (void)state;
    assert_true(cookie("user=\"xyz\"", "user", v, sizeof(v)));
    assert_string_equal(v, "xyz");
    assert_true(cookie("user=\"\"", "user", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_true(cookie("user=\"", "user", v, sizeof(v))); /* lone quote */
    assert_string_equal(v, "\"");
    assert_true(cookie("user=\"x", "user", v, sizeof(v)));
    assert_string_equal(v, "\"x");
    assert_true(cookie("a=; b=2", "a", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_true(cookie("a=", "a", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_true(cookie("a=b=c", "a", v, sizeof(v))); /* first '=' splits */
    assert_string_equal(v, "b=c");
    assert_true(cookie("a=1; a=2", "a", v, sizeof(v))); /* first wins */
    assert_string_equal(v, "1");
}

static void test_cookie_spacing(void **state)
{
    char v[64];

    (void)state;
    assert_true(cookie("  a=1 ;\tb=2\t", "a", v, sizeof(v)));
    assert_string_equal(v, "1");
    assert_true(cookie("  a=1 ;\tb=2\t", "b", v, sizeof(v)));
    assert_string_equal(v, "2");
    assert_true(cookie("a=1;b=2", "b", v, sizeof(v)));
    assert_string_equal(v, "2");
    assert_true(cookie(";;; b=\"q\" ;", "b", v, sizeof(v)));
    assert_string_equal(v, "q");
    assert_false(cookie("a =1", "a", v, sizeof(v))); /* name is "a " */
    assert_true(cookie("a= 1", "a", v, sizeof(v)));  /* leading kept */
    assert_string_equal(v, " 1");
}

static void test_cookie_absent(void **state)
{
    char v[64];

    (void)state;
    assert_false(cookie("", "a", v, sizeof(v)));
    assert_false(cookie(";;;", "a", v, sizeof(v)));
    assert_false(cookie("a", "a", v, sizeof(v))); /* no '=': skipped */
    assert_false(cookie("a; b=1", "a", v, sizeof(v)));
    assert_false(cookie("=1", "", v, sizeof(v))); /* empty name never */
    assert_false(cookie("a=1", "", v, sizeof(v)));
}

static void test_cookie_cap(void **state)
{
    struct parse_str out;
    char *p;

    (void)state;
    p = padded(PARSE_MAX_HEADER, 'x', "; auth=tok"); /* at the cap */
    p[0] = 'p';
    p[1] = '=';
    assert_true(parse_cookie(p, PARSE_MAX_HEADER, "auth", &out));
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.ptr, "tok", 3);
    assert_ptr_equal(out.ptr, p + PARSE_MAX_HEADER - 3);
    free(p);
    p = padded(PARSE_MAX_HEADER + 1, 'x', "; auth=tok"); /* one past */
    p[0] = 'p';
    p[1] = '=';
    assert_false(parse_cookie(p, PARSE_MAX_HEADER + 1, "auth", &out));
    free(p);
    /* the cap is on the whole value, even when the match comes first */
    p = padded(PARSE_MAX_HEADER + 1, 'x', "");
    memcpy(p, "auth=tok;", 9);
    assert_false(parse_cookie(p, PARSE_MAX_HEADER + 1, "auth", &out));
    assert_true(parse_cookie(p, PARSE_MAX_HEADER, "auth", &out));
    free(p);
}

/* --- query ----------------------------------------------------------------- */

static void test_query_basic(void **state)
{
    char v[64];

    (void)state;
    assert_true(query("a&ab=1&b=", "a", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_true(query("a&ab=1&b=", "ab", v, sizeof(v)));
    assert_string_equal(v, "1");
    assert_true(query("a&ab=1&b=", "b", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_false(query("a&ab=1&b=", "c", v, sizeof(v)));
    assert_false(query("a&ab=1&b=", "abc", v, sizeof(v)));
    assert_true(query("ab=1&a=2", "a", v, sizeof(v)));
    assert_string_equal(v, "2");
    assert_true(query("a=1&a=2", "a", v, sizeof(v))); /* first wins */
    assert_string_equal(v, "1");
    assert_true(query("&&a=x&", "a", v, sizeof(v)));
    assert_string_equal(v, "x");
    assert_true(query("a=b=c", "a", v, sizeof(v)));
    assert_string_equal(v, "b=c");
}

static void test_query_absent_and_raw(void **state)
{
    char v[64];

    (void)state;
    assert_false(query("", "a", v, sizeof(v)));
    assert_false(query("&", "a", v, sizeof(v)));
    assert_false(query("=1", "", v, sizeof(v))); /* empty name never */
    assert_false(query("b=1", "", v, sizeof(v)));
    assert_false(query("A=1", "a", v, sizeof(v)));
    /* nothing is decoded: names and values are as sent */
    assert_false(query("a%62=1", "ab", v, sizeof(v)));
    assert_true(query("a%62=1+2", "a%62", v, sizeof(v)));
    assert_string_equal(v, "1+2");
}

static void test_query_cap(void **state)
{
    struct parse_str out;
    char *p;

    (void)state;
    p = padded(PARSE_MAX_QUERY, 'x', "&since=7"); /* at the cap */
    assert_true(parse_query_param(p, PARSE_MAX_QUERY, "since", &out));
    assert_int_equal(out.len, 1);
    assert_ptr_equal(out.ptr, p + PARSE_MAX_QUERY - 1);
    free(p);
    p = padded(PARSE_MAX_QUERY + 1, 'x', "&since=7"); /* one past */
    assert_false(parse_query_param(p, PARSE_MAX_QUERY + 1, "since", &out));
    free(p);
}

/* --- Accept-Encoding ----------------------------------------------------- */

static void test_gzip_q_values(void **state)
{
    (void)state;
    assert_true(gzip_ok("gzip"));
    assert_true(gzip_ok("GZIP"));
    assert_true(gzip_ok("GZip;q=1"));
    assert_false(gzip_ok("gzip;q=0"));
    assert_false(gzip_ok("gzip;q=0.0"));
    assert_false(gzip_ok("gzip;q=0."));
    assert_false(gzip_ok("gzip; q=0.000"));
    assert_false(gzip_ok("gzip ;Q=0"));
    assert_true(gzip_ok("gzip;q=0.001"));
    assert_true(gzip_ok("gzip;q=0.5"));
    assert_true(gzip_ok("gzip;q=1.0"));
    assert_true(gzip_ok("gzip;q="));
    /* q=0 followed by another parameter still refuses */
    assert_false(gzip_ok("gzip;q=0;level=1"));
    /* a parameter merely ending in q is not q */
    assert_true(gzip_ok("gzip;xq=0"));
    assert_true(gzip_ok("gzip;qs0")); /* nor one without its '=' */
    assert_false(gzip_ok("deflate, gzip;q=0, br"));
    assert_true(gzip_ok("deflate;q=0, gzip"));
}

static void test_gzip_codings(void **state)
{
    (void)state;
    assert_true(gzip_ok("*"));
    assert_false(gzip_ok("*;q=0"));
    assert_true(gzip_ok("*;q=0, gzip"));   /* explicit gzip wins */
    assert_false(gzip_ok("gzip;q=0, *"));  /* either order */
    assert_false(gzip_ok("*, gzip;q=0"));
    assert_false(gzip_ok("identity"));
    assert_false(gzip_ok(""));
    assert_false(gzip_ok(" , ,"));
    assert_false(gzip_ok("deflate, br"));
    assert_true(gzip_ok("br, gzip"));
    assert_true(gzip_ok(" ,\tgzip"));
    assert_false(gzip_ok("x-gzip"));
    assert_false(gzip_ok("gzipx"));
    assert_false(gzip_ok("gzi"));
}

static void test_gzip_cap(void **state)
{
    char *p;

    (void)state;
    p = padded(PARSE_MAX_HEADER, ' ', "identity, gzip"); /* at the cap */
    assert_true(parse_accepts_gzip(p, PARSE_MAX_HEADER));
    free(p);
    p = padded(PARSE_MAX_HEADER + 1, ' ', "identity, gzip"); /* one past */
    assert_false(parse_accepts_gzip(p, PARSE_MAX_HEADER + 1));
    free(p);
}

/* --- If-None-Match --------------------------------------------------------- */

#define TAG "\"abc\""

static void test_etag_lists(void **state)
{
    (void)state;
    assert_true(listed(TAG, TAG));
    assert_true(listed("W/" TAG, TAG));
    assert_true(listed("\"x\", " TAG, TAG));
    assert_true(listed("\"x\"," TAG ",\"y\"", TAG));
    assert_true(listed(" \t" TAG "\t", TAG));
    assert_true(listed("\"x\", W/" TAG, TAG));
    assert_false(listed("\"x\"", TAG));
    assert_false(listed("\"x\", \"abcd\"", TAG));
    assert_false(listed("abc", TAG));   /* the quotes are part of it */
    assert_false(listed("\"abc", TAG));
    assert_false(listed("\"ABC\"", TAG)); /* case-sensitive */
    assert_false(listed(TAG "x", TAG));
    assert_false(listed("w/" TAG, TAG)); /* only an upper-case W/ */
    assert_false(listed("", TAG));
    assert_false(listed(",, ,", TAG));
    assert_false(listed("W/", TAG));
    assert_false(listed(TAG, ""));       /* empty etag never */
}

static void test_etag_star(void **state)
{
    (void)state;
    assert_true(listed("*", TAG));
    assert_true(listed(" * ", TAG));
    assert_true(listed("\"x\", *", TAG));
    assert_false(listed("*x", TAG));     /* "*" only as a whole entry */
    assert_false(listed("W/*", TAG));
    assert_false(listed("\"*\"", TAG));
}

static void test_etag_cap(void **state)
{
    char *p;

    (void)state;
    p = padded(PARSE_MAX_HEADER, ' ', "W/" TAG); /* at the cap */
    assert_true(parse_etag_listed(p, PARSE_MAX_HEADER, TAG));
    free(p);
    p = padded(PARSE_MAX_HEADER + 1, ' ', "W/" TAG); /* one past */
    assert_false(parse_etag_listed(p, PARSE_MAX_HEADER + 1, TAG));
    free(p);
    p = padded(PARSE_MAX_HEADER + 1, ' ', "*");
    assert_false(parse_etag_listed(p, PARSE_MAX_HEADER + 1, TAG));
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_prefix_names),
        cmocka_unit_test(test_cookie_values),
        cmocka_unit_test(test_cookie_spacing),
        cmocka_unit_test(test_cookie_absent),
        cmocka_unit_test(test_cookie_cap),
        cmocka_unit_test(test_query_basic),
        cmocka_unit_test(test_query_absent_and_raw),
        cmocka_unit_test(test_query_cap),
        cmocka_unit_test(test_gzip_q_values),
        cmocka_unit_test(test_gzip_codings),
        cmocka_unit_test(test_gzip_cap),
        cmocka_unit_test(test_etag_lists),
        cmocka_unit_test(test_etag_star),
        cmocka_unit_test(test_etag_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
