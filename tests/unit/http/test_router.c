/* test_router.c -- route matching, parameters, trailing-slash redirects. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <cmocka.h>

#include "http/router.h"

static void h_a(struct http_req *r) { (void)r; }
static void h_b(struct http_req *r) { (void)r; }
static void h_c(struct http_req *r) { (void)r; }
static void h_d(struct http_req *r) { (void)r; }

static const struct route routes[] = {
    {"*", "/healthz", h_a, ROUTE_NO_STORE},
    {"GET", "/api/accounts/:accountID", h_b, 0},
    {"PUT", "/api/accounts/:accountID/account-styles", h_c, 0},
    {"POST", "/api/share-account/", h_d, 0},
    {"GET", "/x/:a/:b", h_d, 0},
};

static enum router_result match(const char *method, const char *path,
                                struct router_match *m)
{
    return router_match(routes, CD_ARRAY_SIZE(routes), method,
                        strlen(method), path, strlen(path), m);
}

static void test_exact_and_any_method(void **state)
{
    struct router_match m;

    (void)state;
    assert_int_equal(match("GET", "/healthz", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route->fn, h_a);
    assert_int_equal(match("DELETE", "/healthz", &m), ROUTER_FOUND);
    assert_int_equal(match("GET", "/healthzz", &m), ROUTER_NONE);
    assert_int_equal(match("GET", "/health", &m), ROUTER_NONE);
}

static void test_params(void **state)
{
    struct router_match m;

    (void)state;
    assert_int_equal(match("GET", "/api/accounts/abc-123", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route->fn, h_b);
    assert_int_equal(m.nparams, 1);
    assert_int_equal(m.params[0].len, 7);
    assert_memory_equal(m.params[0].ptr, "abc-123", 7);
    assert_int_equal(match("PUT", "/api/accounts/q/account-styles", &m),
                     ROUTER_FOUND);
    assert_ptr_equal(m.route->fn, h_c);
    assert_int_equal(match("GET", "/x/1/22", &m), ROUTER_FOUND);
    assert_int_equal(m.nparams, 2);
    assert_memory_equal(m.params[1].ptr, "22", 2);
    /* a parameter never matches an empty or multi-segment value */
    assert_int_equal(match("GET", "/api/accounts/", &m), ROUTER_NONE);
    assert_int_equal(match("GET", "/api/accounts/a/b", &m), ROUTER_NONE);
    assert_int_equal(match("GET", "/x//2", &m), ROUTER_NONE);
}

static void test_method_mismatch_is_none(void **state)
{
    struct router_match m;

    (void)state; /* Offen has no 405s: another method is "no route" */
    assert_int_equal(match("POST", "/api/accounts/abc", &m), ROUTER_NONE);
    assert_null(m.route);
}

static void test_trailing_slash_redirects(void **state)
{
    struct router_match m;

    (void)state;
    assert_int_equal(match("GET", "/healthz/", &m), ROUTER_REDIRECT);
    assert_int_equal(match("POST", "/healthz/", &m), ROUTER_REDIRECT);
    assert_int_equal(match("GET", "/api/accounts/abc/", &m), ROUTER_REDIRECT);
    /* only for the method that has the route */
    assert_int_equal(match("POST", "/api/accounts/abc/", &m), ROUTER_NONE);
    /* and the other way round: a route registered with a slash */
    assert_int_equal(match("POST", "/api/share-account", &m), ROUTER_REDIRECT);
    assert_int_equal(match("POST", "/api/share-account/", &m), ROUTER_FOUND);
    assert_int_equal(match("GET", "/", &m), ROUTER_NONE);
    assert_int_equal(match("GET", "//", &m), ROUTER_NONE);
}

static void test_bad_paths(void **state)
{
    struct router_match m;
    char long_path[ROUTER_MAX_PATH + 2];

    (void)state;
    assert_int_equal(match("GET", "", &m), ROUTER_NONE);
    assert_int_equal(match("GET", "healthz", &m), ROUTER_NONE);
    /* at the cap: still considered (and simply not found) */
    memset(long_path, 'a', sizeof(long_path));
    long_path[0] = '/';
    long_path[ROUTER_MAX_PATH] = '\0';
    assert_int_equal(match("GET", long_path, &m), ROUTER_NONE);
    /* a route as long as the cap matches; one byte more never does */
    memcpy(long_path, "/api/accounts/", 14);
    assert_int_equal(router_match(routes, CD_ARRAY_SIZE(routes), "GET", 3,
                                  long_path, ROUTER_MAX_PATH, &m),
                     ROUTER_FOUND);
    long_path[ROUTER_MAX_PATH] = 'a';
    assert_int_equal(router_match(routes, CD_ARRAY_SIZE(routes), "GET", 3,
                                  long_path, ROUTER_MAX_PATH + 1, &m),
                     ROUTER_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_and_any_method),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_method_mismatch_is_none),
        cmocka_unit_test(test_trailing_slash_redirects),
        cmocka_unit_test(test_bad_paths),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
