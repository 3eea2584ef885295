/* static.c -- embedded files, and the single-page-app fallback.
 *
 * Files come from the table compiled in by tools/embed.c (assets.h). A GET
 * or HEAD for a path that is no file gets the index page with status 200
 * (Offen's SPA fallback: the front end routes /login/, /console/ and so on);
 * any other method gets 404. Conditional requests are answered with 304
 * from strong ETags, and a client that accepts gzip gets the precompressed
 * variant, which has its own ETag.
 */
#include "common/common.h"

#include <string.h>

#include "http/assets.h"
#include "http/guard.h"
#include "http/internal.h"
#include "http/parse.h"


static int is_html(const struct asset *a)
{
    return strncmp(a->content_type, "text/html", 9) == 0;
}

static void serve_asset(struct http_req *r, const struct asset *a)
{
    static h2o_generator_t generator = {NULL, NULL};
    h2o_req_t *req = r->req;
    struct http_str v;
    int gz = a->gz != NULL && http_header(r, "accept-encoding", &v) &&
             parse_accepts_gzip(v.ptr, v.len);
    const char *etag = gz ? a->etag_gz : a->etag;
    h2o_iovec_t body = h2o_iovec_init(gz ? a->gz : a->data,
                                      gz ? a->gz_len : a->len);

    if (a->gz != NULL)
        http_add_header(r, "Vary", "Accept-Encoding");
    http_add_header(r, "ETag", etag);
    http_add_header(r, "Cache-Control", "no-cache");
    /* nosniff, Referrer-Policy and framing: dispatch.c (guard.h) */
    if (is_html(a))
        http_add_header(r, "Content-Security-Policy", GUARD_CSP_PAGE);
    if (http_header(r, "if-none-match", &v) &&
        parse_etag_listed(v.ptr, v.len, etag)) {
        http_reply(r, 304, NULL, "", 0);
        return;
    }
    http_add_header(r, "Content-Type", a->content_type);
    if (gz)
        http_add_header(r, "Content-Encoding", "gzip");
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = body.len;
    h2o_start_response(req, &generator);
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")))
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
    else
        h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
}

static void redirect(struct http_req *r, const char *path, size_t len)
{
    struct http_str q = http_query(r);
    char *loc = h2o_mem_alloc_pool(&r->req->pool, len + q.len + 2);

    memcpy(loc, path, len);
    if (q.len) {
        loc[len] = '?';
        memcpy(loc + len + 1, q.ptr, q.len);
        len += q.len + 1;
    }
    loc[len] = '\0';
    http_add_header(r, "Location", loc);
    http_reply(r, 301, NULL, "", 0);
}

/* The index.html of folder p (with or without its final '/'), or NULL. */
static const struct asset *folder_index(struct http_req *r, struct http_str p)
{
    size_t n = p.len - (p.ptr[p.len - 1] == '/');
    char *path = h2o_mem_alloc_pool(&r->req->pool, n + 12);

    memcpy(path, p.ptr, n);
    memcpy(path + n, "/index.html", 11);
    return assets_find(path, n + 11);
}

/* The paths the operators' app routes: a prefix, and whether something
 * must follow it (/auditorium/ alone is the visitor's page, a folder). */
static const struct {
    const char *prefix;
    unsigned char needs_more;
} app_routes[] = {
    {"/login", 0},           {"/setup", 0},
    {"/console", 0},         {"/forgot-password", 0},
    {"/reset-password/", 1}, {"/join/", 1},
    {"/auditorium/", 1},
};

/* Whether p is drawn by the operators' app: a route's prefix, then
 * nothing, '/' or (for a route that takes a parameter) more. */
static int is_app_route(struct http_str p)
{
    for (size_t i = 0; i < sizeof(app_routes) / sizeof(app_routes[0]); i++) {
        size_t n = strlen(app_routes[i].prefix);

        if (p.len < n || memcmp(p.ptr, app_routes[i].prefix, n) != 0)
            continue;
        if (app_routes[i].needs_more ? p.len > n
                                     : p.len == n || p.ptr[n] == '/')
            return 1;
    }
    return 0;
}

void static_serve(struct http_req *r)
{
    static const char app_index[] = "/app/index.html";
    static const char index_suffix[] = "/index.html";
    const size_t slen = sizeof(index_suffix) - 1;
    struct http_str m = http_method(r);
    struct http_str p = http_path(r);
    const struct asset *a;

    if (!(m.len == 3 && memcmp(m.ptr, "GET", 3) == 0) &&
        !(m.len == 4 && memcmp(m.ptr, "HEAD", 4) == 0)) {
        http_reply(r, 404, "text/plain; charset=utf-8",
                   "404 page not found", 18);
        return;
    }
    /* /dir/index.html is served as /dir/, as Offen does. */
    if (p.len >= slen && memcmp(p.ptr + p.len - slen, index_suffix, slen) == 0) {
        redirect(r, p.ptr, p.len - slen + 1);
        return;
    }
    a = p.len == 1 ? NULL : assets_find(p.ptr, p.len);
    if (a == NULL && p.len > 1 && p.ptr[p.len - 1] == '/') {
        if (assets_find(p.ptr, p.len - 1) != NULL) {
            redirect(r, p.ptr, p.len - 1); /* a file asked for as a folder */
            return;
        }
        a = folder_index(r, p); /* /auditorium/ -> /auditorium/index.html */
    } else if (a == NULL && p.len > 1 && folder_index(r, p) != NULL) {
        char *slash = h2o_mem_alloc_pool(&r->req->pool, p.len + 1);

        memcpy(slash, p.ptr, p.len);
        slash[p.len] = '/'; /* a folder asked for as a file */
        redirect(r, slash, p.len + 1);
        return;
    }
    if (a == NULL && is_app_route(p))
        a = assets_find(app_index, sizeof(app_index) - 1);
    if (a == NULL)
        a = assets_find(index_suffix, slen); /* the SPA fallback */
    if (a == NULL) {
        http_reply(r, 404, "text/plain; charset=utf-8",
                   "404 page not found", 18);
        return;
    }
    serve_asset(r, a);
}
