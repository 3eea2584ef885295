/* guard.c -- cross-site requests and security headers (see guard.h).
 *
 * Pure string work on the request's headers; runs on the loop for every
 * request, before any handler (dispatch.c).
 */
#include "common/common.h"
#include "http/guard.h"

#include <strings.h>

#include "http/http.h"
#include "http/internal.h"

/* s[0..n) without a default port (":80" or ":443") at its end. */
static size_t strip_default_port(const char *s, size_t n)
{
    if (n > 3 && memcmp(s + n - 3, ":80", 3) == 0)
        return n - 3;
    if (n > 4 && memcmp(s + n - 4, ":443", 4) == 0)
        return n - 4;
    return n;
}

/* Is origin ("scheme://host[:port]") this request's own host? */
static int origin_is_ours(const struct http_req *r, struct http_str origin)
{
    const h2o_iovec_t *host = &r->req->input.authority;
    const char *p = memmem(origin.ptr, origin.len, "://", 3);
    size_t olen, hlen;

    if (p == NULL || host->len == 0)
        return 0;
    p += 3;
    olen = strip_default_port(p, origin.len - (size_t)(p - origin.ptr));
    hlen = strip_default_port(host->base, host->len);
    return olen == hlen && olen > 0 && strncasecmp(p, host->base, olen) == 0;
}

static int is(struct http_str v, const char *s)
{
    size_t n = strlen(s);

    return v.len == n && strncasecmp(v.ptr, s, n) == 0;
}

int guard_cross_site(const struct http_req *r)
{
    struct http_str site, origin;
    int has_site = http_header(r, "sec-fetch-site", &site);
    int has_origin = http_header(r, "origin", &origin);

    if (has_site && is(site, "cross-site"))
        return 1;
    if (has_origin)
        return !origin_is_ours(r, origin); /* "null" is never ours */
    /* A browser sends Origin with every POST, PUT and DELETE; a same-site
     * request without one cannot be shown to be ours. */
    return has_site && is(site, "same-site");
}

void guard_headers(struct http_req *r, int frameable)
{
    http_add_header(r, "X-Content-Type-Options", "nosniff");
    http_add_header(r, "Referrer-Policy", "no-referrer");
    if (!frameable)
        http_add_header(r, "X-Frame-Options", "DENY");
    if (http_is_tls(r))
        http_add_header(r, "Strict-Transport-Security", "max-age=31536000");
}
