/* call.c -- handler work on the worker pool, answered on the loop.
 *
 * Life of a call: call_start() on the loop copies the request's inputs,
 * defers the request and submits a pool job. On a worker, run() opens (once
 * per worker) that worker's database connection and calls the work
 * function; done() posts the call back to the loop, where answer() sends
 * the result, if the client is still there, and frees the call.
 */
#include "common/common.h"
#include "api/call.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "api/api.h"
#include "api/body.h"
#include "common/config.h"
#include "common/jsonx.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "crypto/pool.h"
#include "http/http.h"
#include "http/parse.h"
#include "store/store.h"

struct call_job {
    struct crypto_job job; /* first: the pool hands this pointer back */
    struct call call;
};

/* --- the worker's database connection ------------------------------------ */

static pthread_key_t worker_key;
static pthread_once_t worker_once = PTHREAD_ONCE_INIT;

static void worker_store_close(void *st)
{
    store_close(st);
}

static void worker_key_init(void)
{
    pthread_key_create(&worker_key, worker_store_close);
}

struct store *call_worker_store(const struct api_app *app,
                                struct cd_error *err)
{
    struct store *st;

    pthread_once(&worker_once, worker_key_init);
    st = pthread_getspecific(worker_key);
    if (st != NULL)
        return st;
    if (store_open(&st, app->cfg->db_dialect, app->cfg->db_connection_string,
                   err) < 0)
        return NULL;
    pthread_setspecific(worker_key, st);
    return st;
}

/* --- answers -------------------------------------------------------------- */

void call_reply_json(struct call *c, int status, json_t *body)
{
    if (c->reply != NULL)
        json_decref(c->reply);
    free(c->reply_text);
    c->reply_text = NULL;
    c->status = status;
    c->reply = body;
}

void call_reply_raw(struct call *c, int status, char *json, size_t len)
{
    call_reply_json(c, status, NULL);
    c->reply_text = json;
    c->reply_len = len;
}

void call_reply_empty(struct call *c, int status)
{
    call_reply_json(c, status, NULL);
}

void call_reply_error(struct call *c, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    call_reply_json(c, status, jsonx_error(msg, status));
}

void call_set_cookie(struct call *c, const char *value)
{
    if (c->ncookies < CALL_MAX_COOKIES)
        c->cookies[c->ncookies++] = xstrdup(value);
}

char *call_query_param(const struct call *c, const char *name)
{
    struct parse_str v;

    if (!parse_query_param(c->query, strlen(c->query), name, &v))
        return NULL;
    return xstrndup(v.ptr, v.len);
}

/* --- life cycle ----------------------------------------------------------- */

static void call_free(struct call_job *j)
{
    struct call *c = &j->call;

    json_decref(c->body);
    json_decref(c->reply);
    free(c->reply_text);
    for (size_t i = 0; i < ROUTER_MAX_PARAMS; i++)
        free(c->params[i]);
    for (size_t i = 0; i < c->ncookies; i++)
        free(c->cookies[i]);
    free(c->query);
    free(c->auth);
    free(c->user);
    free(j);
}

/* On the loop: send the answer unless the client went away. */
static void answer(void *arg)
{
    struct call_job *j = arg;
    struct call *c = &j->call;
    struct http_req *r = http_defer_take(c->defer);

    if (r != NULL) {
        for (size_t i = 0; i < c->ncookies; i++)
            http_add_header(r, "Set-Cookie", c->cookies[i]);
        if (c->status == 204 || c->status == 304)
            http_reply_empty(r, c->status);
        else
            http_reply(r, c->status, "application/json; charset=utf-8",
                       c->reply_text, c->reply_len);
    }
    call_free(j);
}

static void run(struct crypto_job *job)
{
    struct call_job *j = (struct call_job *)job;
    struct call *c = &j->call;
    struct cd_error err = {0};
    struct store *st = call_worker_store(c->app, &err);

    if (st == NULL) {
        log_error("database: %s", err.msg);
        call_reply_error(c, 503, "database unavailable");
    } else {
        c->fn(c, st);
    }
    /* The JSON text is made here, on the worker: a large answer (an
     * account's events) must not hold up the event loop. */
    if (c->reply_text == NULL) {
        c->reply_text = jsonx_dump(c->reply, &c->reply_len);
        json_decref(c->reply);
        c->reply = NULL;
    }
}

static void done(struct crypto_job *job)
{
    struct call_job *j = (struct call_job *)job;

    http_loop_post(j->call.loop, answer, j);
}

void call_start(struct http_req *r, call_fn fn, unsigned flags)
{
    struct call_job *j = xcalloc(1, sizeof(*j));
    struct call *c = &j->call;
    struct api_app *app = api_app_of(r);
    struct cd_error err = {0};
    struct http_str s;

    c->app = app;
    c->fn = fn;
    c->status = 500;
    c->secure = http_is_secure(r);
    if (flags & CALL_BODY) {
        s = http_body(r);
        if (body_parse(s.ptr, s.len, &c->body, &err) < 0) {
            http_reply_error(r, 400, "%s", err.msg);
            call_free(j);
            return;
        }
    }
    for (size_t i = 0; i < ROUTER_MAX_PARAMS; i++) {
        s = http_param(r, i);
        c->params[i] = xstrndup(s.ptr, s.len);
    }
    s = http_query(r);
    c->query = xstrndup(s.ptr, s.len);
    if (http_cookie(r, "auth", &s))
        c->auth = xstrndup(s.ptr, s.len);
    if (http_cookie(r, "user", &s))
        c->user = xstrndup(s.ptr, s.len);
    c->loop = http_req_loop(r);
    j->job.run = run;
    j->job.done = done;
    c->job = &j->job;
    c->defer = http_defer(r);
    if (crypto_pool_submit(app->pool, &j->job) < 0) {
        /* Overloaded: answer now rather than queue without bound. */
        r = http_defer_take(c->defer);
        http_reply_error(r, 503, "server busy, try again");
        call_free(j);
    }
}
