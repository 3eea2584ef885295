/* http.h -- what a request handler sees: the request, and ways to answer.
 *
 * Handlers in api/ never touch h2o types; they get a struct http_req and
 * answer exactly once, either before returning or later through a deferred
 * answer (http_defer()). All strings handed out are borrowed: they live until
 * the request is answered (or the client goes away). Everything here must be
 * called on the request's own event-loop thread, except http_loop_post().
 */
#ifndef CD_HTTP_HTTP_H
#define CD_HTTP_HTTP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "http/router.h"

struct http_req;
struct http_loop;

struct http_str {
    const char *ptr; /* not NUL-terminated */
    size_t len;
};

/* --- the request ------------------------------------------------------ */
struct http_str http_method(const struct http_req *r);
struct http_str http_path(const struct http_req *r);  /* without query */
struct http_str http_query(const struct http_req *r); /* after '?', or empty */
struct http_str http_body(const struct http_req *r);  /* empty when none */
/* Route parameter i (":accountID" ...), empty when absent. */
struct http_str http_param(const struct http_req *r, size_t i);
/* First header named name (case-insensitive); 1 if found, else 0. */
int http_header(const struct http_req *r, const char *name,
                struct http_str *out);
/* Value of cookie name from the Cookie headers; 1 if found (the value may
 * be empty), else 0. A Cookie header longer than PARSE_MAX_HEADER (8 KiB)
 * is not looked into (http/parse.h). */
int http_cookie(const struct http_req *r, const char *name,
                struct http_str *out);
/* Value of query parameter name, undecoded; 1 if found, else 0. A query
 * string longer than PARSE_MAX_QUERY (4 KiB) is not looked into. */
int http_query_param(const struct http_req *r, const char *name,
                     struct http_str *out);
/* 1 if the request came over TLS on this connection (tls.c). */
int http_is_tls(const struct http_req *r);
/* 1 if the real scheme is https: TLS on this connection, or a trusted
 * reverse proxy (CANDOR_SERVER_REVERSEPROXY) that sent X-Forwarded-Proto:
 * https. Without that setting the header is ignored: a client cannot make
 * itself "secure". This decides Secure cookies. */
int http_is_secure(const struct http_req *r);
/* NUL-terminated copy that lives as long as the request. */
char *http_strdup(struct http_req *r, struct http_str s);

/* The loop this request runs on, and the data the server's loop_init gave
 * it (for api/: the loop's database connection and shared state). */
struct http_loop *http_req_loop(const struct http_req *r);
void *http_loop_data(const struct http_loop *loop);
void *http_app(const struct http_req *r);

/* --- answering ---------------------------------------------------------- */
/* Add a response header; both strings are copied. */
void http_add_header(struct http_req *r, const char *name, const char *value);
/* Answer with status and body (copied); content_type may be NULL. */
void http_reply(struct http_req *r, int status, const char *content_type,
                const void *body, size_t len);
/* Answer with a JSON body: Go's encoding (compact, sorted keys, <>&
 * escaped), Content-Type application/json; charset=utf-8. Takes ownership
 * of body (a jansson json_t *, passed as void * to keep jansson out of this
 * header); body NULL sends "null". */
void http_reply_json(struct http_req *r, int status, void *body);
/* Offen's error envelope {"error":"<msg>","status":N}. */
void http_reply_error(struct http_req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 204 No Content with an empty body. */
void http_reply_empty(struct http_req *r, int status);

/* --- answering later (group commit, worker pool) ------------------------ */
/* Take a handle for answering later on this loop. The handler returns
 * without answering; the owner later calls http_defer_take() on the loop
 * thread, which yields the request again, or NULL if the client went away
 * meanwhile (then nothing must be sent). Each handle is taken exactly once. */
struct http_defer;
struct http_defer *http_defer(struct http_req *r);
struct http_req *http_defer_take(struct http_defer *d);

/* Hold r for ms milliseconds, rounded up to a multiple of 50, without
 * blocking the loop (the loop's own h2o timeouts), then call fn(r, arg)
 * on that loop; fn then answers r (or holds it again). If the client goes
 * away first, fn is never called: keep arg in the request (http_alloc())
 * or in static memory. hold.c. */
typedef void (*http_resume_fn)(struct http_req *r, void *arg);
void http_hold(struct http_req *r, uint64_t ms, http_resume_fn fn,
               void *arg);
/* n zeroed bytes that live as long as the request (never NULL). */
void *http_alloc(struct http_req *r, size_t n);

/* Run fn(arg) on loop's thread soon. Thread-safe; this is how other threads
 * (the database writer, workers) hand results back. Never blocks. */
void http_loop_post(struct http_loop *loop, void (*fn)(void *arg), void *arg);

#endif /* CD_HTTP_HTTP_H */
