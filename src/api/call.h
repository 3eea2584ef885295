/* call.h -- handler work that runs off the event loop.
 *
 * Operator routes hash passwords (Argon2id, ~35 ms), generate RSA keys
 * (~1 s), send mail and read several tables: none of that may block an
 * event loop. A handler calls call_start() on its loop: the request's
 * inputs are copied into a struct call, the request is deferred, and the
 * work function runs on the worker pool with that worker thread's own
 * database connection. It fills in the answer (status, JSON body, cookies);
 * the answer is sent back on the request's loop. If the client has gone by
 * then, the answer is dropped. The work function never sees the request.
 *
 * Ownership: everything in a struct call belongs to it and is freed after
 * the answer; work functions hand JSON bodies over with call_reply_json().
 */
#ifndef CD_API_CALL_H
#define CD_API_CALL_H

#include <jansson.h>
#include <stddef.h>

#include "http/router.h"

struct http_req;
struct store;
struct api_app;

#define CALL_MAX_COOKIES 2

struct call;
typedef void (*call_fn)(struct call *c, struct store *st);

enum call_flags {
    CALL_BODY = 1 << 0, /* parse the body as a JSON object first (400 if not) */
};

struct call {
    /* inputs, copied from the request */
    const struct api_app *app;
    json_t *body;                      /* the JSON object, with CALL_BODY */
    char *params[ROUTER_MAX_PARAMS];   /* route parameters, "" if absent */
    char *query;                       /* raw query string, "" if none */
    char *auth;                        /* the `auth` cookie, NULL if absent */
    char *user;                        /* the `user` cookie, NULL if absent */
    int secure;                        /* came over TLS: Secure cookies */
    /* the answer */
    int status;
    json_t *reply;                     /* JSON body; NULL sends "null" */
    char *reply_text;                  /* or the body as JSON text */
    size_t reply_len;
    char *cookies[CALL_MAX_COOKIES];   /* Set-Cookie values */
    size_t ncookies;
    /* private */
    call_fn fn;
    void *job;                          /* the pool job carrying this call */
    struct http_defer *defer;
    struct http_loop *loop;
};

/* Run fn for request r on the worker pool and answer from its result.
 * Answers at once (400 for a bad body with CALL_BODY, 503 when the pool is
 * overloaded or the database is unreachable) when fn cannot run. */
void call_start(struct http_req *r, call_fn fn, unsigned flags);

/* Answers, for work functions. Each replaces any earlier answer. */
void call_reply_json(struct call *c, int status, json_t *body);
void call_reply_empty(struct call *c, int status); /* 204 and friends */
/* The body as JSON text already (malloc'd; the call takes it), for an
 * answer too large to build as a jansson tree. */
void call_reply_raw(struct call *c, int status, char *json, size_t len);
void call_reply_error(struct call *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void call_set_cookie(struct call *c, const char *value);

/* The value of query parameter name (undecoded), or NULL. Caller frees. */
char *call_query_param(const struct call *c, const char *name);

/* Worker threads: the database connection of the calling worker, opened on
 * first use and closed when the worker ends. NULL (err set) if it cannot
 * be opened. */
struct store *call_worker_store(const struct api_app *app,
                                struct cd_error *err);

#endif /* CD_API_CALL_H */
