/* request.c -- the handler API of http.h on top of h2o's request.
 *
 * Everything a handler receives points into the h2o request's memory pool,
 * which lives until the response is written. Deferred answers keep a small
 * malloc'd handle outside the pool; a pool-dispose hook clears it if the
 * client goes away first, so a late answer is dropped instead of written
 * into freed memory.
 */
#include "common/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonx.h"
#include "common/xalloc.h"
#include "http/internal.h"
#include "http/parse.h"

void http_req_init(struct http_req *r, h2o_req_t *req, struct http_loop *l)
{
    memset(r, 0, sizeof(*r));
    r->req = req;
    r->loop = l;
}

static struct http_str str(const char *p, size_t n)
{
    struct http_str s = {p, n};

    return s;
}

struct http_str http_method(const struct http_req *r)
{
    return str(r->req->method.base, r->req->method.len);
}

struct http_str http_path(const struct http_req *r)
{
    return str(r->req->path_normalized.base, r->req->path_normalized.len);
}

struct http_str http_query(const struct http_req *r)
{
    size_t at = r->req->query_at;

    if (at == SIZE_MAX)
        return str("", 0);
    return str(r->req->path.base + at + 1, r->req->path.len - at - 1);
}

struct http_str http_body(const struct http_req *r)
{
    if (r->req->entity.base == NULL)
        return str("", 0);
    return str(r->req->entity.base, r->req->entity.len);
}

struct http_str http_param(const struct http_req *r, size_t i)
{
    if (i >= r->match.nparams)
        return str("", 0);
    return str(r->match.params[i].ptr, r->match.params[i].len);
}

int http_header(const struct http_req *r, const char *name,
                struct http_str *out)
{
    ssize_t i = h2o_find_header_by_str(&r->req->headers, name, strlen(name),
                                       -1);

    if (i < 0)
        return 0;
    *out = str(r->req->headers.entries[i].value.base,
               r->req->headers.entries[i].value.len);
    return 1;
}

int http_cookie(const struct http_req *r, const char *name,
                struct http_str *out)
{
    ssize_t i = -1;

    while ((i = h2o_find_header(&r->req->headers, H2O_TOKEN_COOKIE, i)) >= 0) {
        const h2o_iovec_t *v = &r->req->headers.entries[i].value;
        struct parse_str c;

        if (parse_cookie(v->base, v->len, name, &c)) {
            *out = str(c.ptr, c.len);
            return 1;
        }
    }
    return 0;
}

int http_query_param(const struct http_req *r, const char *name,
                     struct http_str *out)
{
    struct http_str q = http_query(r);
    struct parse_str v;

    if (!parse_query_param(q.ptr, q.len, name, &v))
        return 0;
    *out = str(v.ptr, v.len);
    return 1;
}

char *http_strdup(struct http_req *r, struct http_str s)
{
    return h2o_strdup(&r->req->pool, s.ptr, s.len).base;
}

struct http_loop *http_req_loop(const struct http_req *r)
{
    return r->loop;
}

void *http_loop_data(const struct http_loop *loop)
{
    return loop->data;
}

void *http_app(const struct http_req *r)
{
    return r->loop->server->opts.app;
}

/* --- answering ------------------------------------------------------------ */

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    }
    return status < 400 ? "OK" : "Error";
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
    h2o_mem_pool_t *pool = &r->req->pool;
    size_t nlen = strlen(name);
    h2o_iovec_t n = h2o_strdup(pool, name, nlen);
    h2o_iovec_t v = h2o_strdup(pool, value, strlen(value));

    /* h2o wants lowercase names for its token table; keep the given case
     * for the wire (orig_name). */
    for (size_t i = 0; i < nlen; i++)
        n.base[i] = (char)h2o_tolower(n.base[i]);
    h2o_add_header_by_str(pool, &r->req->res.headers, n.base, n.len, 1,
                          h2o_strdup(pool, name, nlen).base, v.base, v.len);
}

void http_reply(struct http_req *r, int status, const char *content_type,
                const void *body, size_t len)
{
    h2o_req_t *req = r->req;

    req->res.status = status;
    req->res.reason = reason(status);
    if (content_type != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE,
                       NULL, content_type, strlen(content_type));
    if (status != 204 && status != 304)
        req->res.content_length = len;
    h2o_send_inline(req, body, len);
}

void http_reply_empty(struct http_req *r, int status)
{
    http_reply(r, status, NULL, "", 0);
}

void http_reply_json(struct http_req *r, int status, void *body)
{
    size_t len;
    char *text = jsonx_dump(body, &len);

    http_reply(r, status, "application/json; charset=utf-8", text, len);
    free(text);
    if (body != NULL)
        json_decref(body);
}

void http_reply_error(struct http_req *r, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    http_reply_json(r, status, jsonx_error(msg, status));
}

/* --- deferred answers ----------------------------------------------------- */

struct http_defer {
    struct http_req *r;     /* NULL once the request is gone */
    struct http_defer **slot; /* in the request's pool; cleared by take */
};

static void on_pool_dispose(void *p)
{
    struct http_defer **slot = p;

    if (*slot != NULL)
        (*slot)->r = NULL;
}

struct http_defer *http_defer(struct http_req *r)
{
    struct http_defer *d = xmalloc(sizeof(*d));

    d->r = r;
    d->slot = h2o_mem_alloc_shared(&r->req->pool, sizeof(*d->slot),
                                   on_pool_dispose);
    *d->slot = d;
    return d;
}

struct http_req *http_defer_take(struct http_defer *d)
{
    struct http_req *r = d->r;

    if (r != NULL)
        *d->slot = NULL; /* the pool still exists: detach the hook */
    free(d);
    return r;
}
