/* dispatch.c -- from an h2o request to a handler, a redirect or a file.
 *
 * Order, for every request: the request-head cap (431), the body cap (413;
 * h2o already refuses a too-large Content-Length before reading the body),
 * the route table, Offen's trailing-slash redirects, and finally the static
 * files with the single-page-app fallback (static.c). Every answer from
 * here on carries the security headers of guard.h; routes flagged
 * ROUTE_SAME_ORIGIN refuse cross-site requests with 403 before their
 * handler (and its throttle) runs.
 */
#include "common/common.h"

#include <string.h>

#include "http/guard.h"
#include "http/internal.h"

/* Bytes of the request head as a client sent it: request line and headers
 * ("name: value\r\n" each). */
static size_t head_bytes(const h2o_req_t *req)
{
    size_t n = req->input.method.len + 1 + req->input.path.len + 11;

    for (size_t i = 0; i < req->headers.size; i++)
        n += req->headers.entries[i].name->len +
             req->headers.entries[i].value.len + 4;
    /* h2o takes Host out of the header list into the authority. */
    if (h2o_find_header(&req->headers, H2O_TOKEN_HOST, -1) < 0 &&
        req->input.authority.len > 0)
        n += 4 + req->input.authority.len + 4;
    return n;
}

static void redirect_slash(struct http_req *r)
{
    h2o_req_t *req = r->req;
    struct http_str path = http_path(r);
    struct http_str query = http_query(r);
    int is_get = h2o_memis(req->method.base, req->method.len,
                           H2O_STRLIT("GET"));
    size_t plen = path.ptr[path.len - 1] == '/' ? path.len - 1 : path.len;
    int add = plen == path.len;
    size_t len = plen + add + (query.len ? query.len + 1 : 0);
    char *loc = h2o_mem_alloc_pool(&req->pool, len + 1);
    size_t n = 0;

    memcpy(loc, path.ptr, plen);
    n = plen;
    if (add)
        loc[n++] = '/';
    if (query.len) {
        loc[n++] = '?';
        memcpy(loc + n, query.ptr, query.len);
        n += query.len;
    }
    loc[n] = '\0';
    http_add_header(r, "Location", loc);
    http_reply(r, is_get ? 301 : 307, NULL, "", 0);
}

/* 431 or 413 when the request is over a cap, else 0. */
static int over_cap(const struct http_server_opts *o, const h2o_req_t *req)
{
    if (head_bytes(req) > o->max_header_bytes)
        return 431;
    if (req->entity.base != NULL && req->entity.len > o->max_body_bytes)
        return 413;
    return 0;
}

void http_dispatch(struct http_req *r)
{
    const struct http_server_opts *o = &r->loop->server->opts;
    h2o_req_t *req = r->req;
    struct http_str path = http_path(r);
    int cap = over_cap(o, req);
    enum router_result m = ROUTER_NONE;

    if (cap == 0)
        m = router_match(o->routes, o->nroutes, req->method.base,
                         req->method.len, path.ptr, path.len, &r->match);
    guard_headers(r, m == ROUTER_FOUND &&
                         (r->match.route->flags & ROUTE_FRAMEABLE));
    if (cap == 431) {
        http_reply_error(r, 431, "request header fields too large: more "
                         "than %zu bytes", o->max_header_bytes);
        return;
    }
    if (cap == 413) {
        http_reply_error(r, 413, "request body too large: more than %zu "
                         "bytes", o->max_body_bytes);
        return;
    }
    switch (m) {
    case ROUTER_FOUND:
        if (r->match.route->flags & ROUTE_NO_STORE)
            http_add_header(r, "Cache-Control", "no-store");
        if ((r->match.route->flags & ROUTE_SAME_ORIGIN) &&
            guard_cross_site(r)) {
            http_reply_error(r, 403, "router: cross-site request refused");
            return;
        }
        r->match.route->fn(r);
        return;
    case ROUTER_REDIRECT:
        redirect_slash(r);
        return;
    case ROUTER_NONE:
        break;
    }
    static_serve(r);
}
