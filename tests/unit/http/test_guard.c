/* test_guard.c -- which requests count as cross-site, and the headers every
 * answer gets. Requests are built by hand on an h2o memory pool; no server
 * runs. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <cmocka.h>

#include "http/guard.h"
#include "http/internal.h"

struct fake {
    h2o_req_t req;
    struct http_req r;
};

static void fake_init(struct fake *f, const char *host)
{
    memset(f, 0, sizeof(*f));
    h2o_mem_init_pool(&f->req.pool);
    f->req.input.authority = h2o_iovec_init(host, strlen(host));
    http_req_init(&f->r, &f->req, NULL);
}

static void fake_header(struct fake *f, const char *name, const char *value)
{
    h2o_add_header_by_str(&f->req.pool, &f->req.headers, name, strlen(name),
                          1, NULL, value, strlen(value));
}

static void fake_release(struct fake *f)
{
    h2o_mem_clear_pool(&f->req.pool);
}

/* Cross-site verdict for one request with up to two headers. */
static int verdict(const char *host, const char *site, const char *origin)
{
    struct fake f;
    int v;

    fake_init(&f, host);
    if (site != NULL)
        fake_header(&f, "sec-fetch-site", site);
    if (origin != NULL)
        fake_header(&f, "origin", origin);
    v = guard_cross_site(&f.r);
    fake_release(&f);
    return v;
}

static void test_no_browser_headers_pass(void **state)
{
    (void)state;
    assert_int_equal(verdict("example.com", NULL, NULL), 0);
    assert_int_equal(verdict("", NULL, NULL), 0);
}

static void test_own_origin_passes(void **state)
{
    (void)state;
    assert_int_equal(verdict("example.com", NULL, "https://example.com"), 0);
    assert_int_equal(verdict("example.com", NULL, "http://EXAMPLE.com"), 0);
    /* default ports on either side */
    assert_int_equal(verdict("example.com:443", NULL, "https://example.com"),
                     0);
    assert_int_equal(verdict("example.com", NULL, "http://example.com:80"), 0);
    assert_int_equal(verdict("127.0.0.1:3000", "same-origin",
                             "http://127.0.0.1:3000"), 0);
    assert_int_equal(verdict("[::1]:3000", NULL, "http://[::1]:3000"), 0);
    assert_int_equal(verdict("example.com", "same-site",
                             "https://example.com"), 0);
    assert_int_equal(verdict("example.com", "none", NULL), 0);
    assert_int_equal(verdict("example.com", "same-origin", NULL), 0);
}

static void test_other_sites_refused(void **state)
{
    (void)state;
    assert_int_equal(verdict("example.com", "cross-site", NULL), 1);
    assert_int_equal(verdict("example.com", "CROSS-SITE", NULL), 1);
    assert_int_equal(verdict("example.com", "cross-site",
                             "https://example.com"), 1);
    assert_int_equal(verdict("example.com", "same-site", NULL), 1);
    assert_int_equal(verdict("example.com", "same-site",
                             "https://a.example.com"), 1);
    assert_int_equal(verdict("example.com", NULL, "https://evil.example"), 1);
    assert_int_equal(verdict("example.com", NULL, "null"), 1);
    assert_int_equal(verdict("example.com", NULL, "https://example.com.evil"),
                     1);
    assert_int_equal(verdict("example.com", NULL, "https://xexample.com"), 1);
    assert_int_equal(verdict("example.com:3000", NULL,
                             "https://example.com:3001"), 1);
    assert_int_equal(verdict("example.com", NULL, "example.com"), 1);
    assert_int_equal(verdict("", NULL, "https://example.com"), 1);
    assert_int_equal(verdict("example.com", NULL, "https://"), 1);
}

static int has_header(h2o_req_t *req, const char *name, const char *value)
{
    ssize_t i = h2o_find_header_by_str(&req->res.headers, name, strlen(name),
                                       -1);

    if (i < 0)
        return value == NULL;
    return value != NULL &&
           h2o_memis(req->res.headers.entries[i].value.base,
                     req->res.headers.entries[i].value.len, value,
                     strlen(value));
}

static void test_headers(void **state)
{
    struct fake f;

    (void)state;
    fake_init(&f, "example.com");
    guard_headers(&f.r, 0);
    assert_true(has_header(&f.req, "x-content-type-options", "nosniff"));
    assert_true(has_header(&f.req, "referrer-policy", "no-referrer"));
    assert_true(has_header(&f.req, "x-frame-options", "DENY"));
    fake_release(&f);

    fake_init(&f, "example.com");
    guard_headers(&f.r, 1); /* the vault */
    assert_true(has_header(&f.req, "x-content-type-options", "nosniff"));
    assert_true(has_header(&f.req, "x-frame-options", NULL));
    fake_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_browser_headers_pass),
        cmocka_unit_test(test_own_origin_passes),
        cmocka_unit_test(test_other_sites_refused),
        cmocka_unit_test(test_headers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
