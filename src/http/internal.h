/* internal.h -- what the files of http/ share; never included outside it.
 *
 * struct http_loop is one event-loop thread: its h2o context, listener,
 * mailbox for other threads, access-log buffer and the data api/ attached.
 * struct http_req wraps one h2o request for the handler API of http.h.
 */
#ifndef CD_HTTP_INTERNAL_H
#define CD_HTTP_INTERNAL_H

#include <h2o.h>
#include <pthread.h>

#include "common/buf.h"
#include "http/http.h"
#include "http/server.h"

struct http_server;
struct connlimit;

/* hold.c: a hold waits a tail of whole steps, then whole slices. */
#define HOLD_SLICE_MS 1000 /* how late a stopping loop notices a hold */
#define HOLD_STEP_MS 50    /* holds are rounded up to this */
#define HOLD_STEPS (HOLD_SLICE_MS / HOLD_STEP_MS)

struct http_loop {
    struct http_server *server;
    int index;
    pthread_t thread;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listener;          /* NULL once closed */
    int listen_fd;
    h2o_accept_ctx_t plain_ctx;      /* the redirect listener: no TLS */
    h2o_socket_t *redirect;          /* NULL once closed, or none */
    int redirect_fd;                 /* -1 when there is none */
    h2o_multithread_queue_t *queue;  /* mailbox: http_loop_post() */
    h2o_multithread_receiver_t receiver;
    struct buf access_log;           /* lines waiting for one write(2) */
    void *data;                      /* from opts.loop_init */
    size_t nconns;                   /* open connections on this loop */
    h2o_timeout_t hold_tail[HOLD_STEPS]; /* i * HOLD_STEP_MS (hold.c) */
    h2o_timeout_t hold_slice;        /* HOLD_SLICE_MS */
    int stopping;                    /* set on this thread by the stop message */
    int started;                     /* 1 serving, -1 failed to start */
    struct cd_error start_err;
};

struct http_server {
    struct http_server_opts opts;
    h2o_globalconf_t config;
    h2o_hostconf_t *hostconf;
    SSL_CTX *ssl_ctx;
    struct connlimit *connlimit;
    int port;
    int http_port;                   /* redirect listener, -1 none */
    int nloops;
    struct http_loop *loops;
    pthread_mutex_t lock;            /* guards the start handshake */
    pthread_cond_t cond;
    long long stop_deadline_ms;      /* monotonic ms when loops give up */
};

struct http_req {
    h2o_req_t *req;
    struct http_loop *loop;
    struct router_match match;
};

/* hold.c: the loop's hold timeouts, made once on the loop's thread after
 * its context, disposed before the context is. */
void http_hold_init(struct http_loop *l);
void http_hold_fini(struct http_loop *l);
/* How http_hold() waits ms: rounded up to a multiple of HOLD_STEP_MS, as
 * the timeout of index *tail first (hold_tail[*tail], *tail * HOLD_STEP_MS;
 * *tail == HOLD_STEPS means hold_slice), then *slices whole slices. The
 * wait is *tail * HOLD_STEP_MS + *slices * HOLD_SLICE_MS; ms == 0 gives
 * tail 0 and no slice (at once). Pure. */
void hold_plan(uint64_t ms, size_t *tail, uint64_t *slices);

/* request.c */
void http_req_init(struct http_req *r, h2o_req_t *req, struct http_loop *l);

/* static.c: serve an embedded file, the SPA index, or 404. */
void static_serve(struct http_req *r);

/* access_log.c */
void access_log_init(h2o_pathconf_t *pathconf);
/* Format one line (Offen's CLF with privacy fields blanked) into b. */
int access_log_format(struct buf *b, const char *method, size_t mlen,
                      const char *uri, size_t ulen, const char *proto,
                      int status, long long epoch_s) CD_MUST_CHECK;
/* Write what the loop has buffered to stdout. */
void access_log_flush(struct http_loop *l);

/* connlimit.c: concurrent connections per client address. */
struct connlimit *connlimit_new(int max_per_addr);
void connlimit_free(struct connlimit *c);
/* Count one more connection from sa; 0 if admitted, -1 if at the cap.
 * *key receives an opaque token for connlimit_release(). */
int connlimit_acquire(struct connlimit *c, const struct sockaddr *sa,
                      uint64_t *key);
void connlimit_release(struct connlimit *c, uint64_t key);
size_t connlimit_count(struct connlimit *c, uint64_t key);

/* tls.c: the hardened TLS context for cert and key (PEM files); errors
 * name the variable. Caller frees *out with SSL_CTX_free(). */
int tls_ctx_new(SSL_CTX **out, const char *cert, const char *key,
                struct cd_error *err) CD_MUST_CHECK;
/* Answer a request on the plain redirect listener: 301 to https on
 * tls_port for GET and HEAD, 400 otherwise. */
void tls_redirect(struct http_req *r, int tls_port);

#endif /* CD_HTTP_INTERNAL_H */
