/* server.c -- listeners, event-loop threads, accepting, start and stop.
 *
 * http_server_start() binds one SO_REUSEPORT socket per loop on the calling
 * thread (so a bad address or busy port fails start-up at once), then starts
 * one thread per loop. Each loop owns an h2o context, its listener, and a
 * mailbox (h2o multithread queue) through which other threads post work to
 * it. All loops share one h2o global configuration, read-only once started,
 * and one per-address connection counter. The request handler itself is in
 * dispatch.c. With TLS, a loop may hold a second, plain listener whose
 * requests all get the redirect to https (tls.c); answers on TLS carry
 * HSTS (guard.c).
 *
 * Stopping: a "stop" message closes the loop's listener and idle
 * connections; the loop keeps serving what is in flight until it has no
 * connection left or the grace period ends, then tears itself down.
 */
#include "common/common.h"

#include <pthread.h>

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "http/internal.h"

void http_dispatch(struct http_req *r); /* dispatch.c */

struct conn_note {
    struct http_loop *loop;
    uint64_t key;
};

struct mail {
    h2o_multithread_message_t super;
    void (*fn)(void *arg);
    void *arg;
};

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    struct http_loop *l =
        H2O_STRUCT_FROM_MEMBER(struct http_loop, ctx, req->conn->ctx);
    struct http_req *r = h2o_mem_alloc_pool(&req->pool, sizeof(*r));

    CD_UNUSED(self);
    http_req_init(r, req, l);
    if (l->server->ssl_ctx != NULL && !http_is_tls(r)) {
        tls_redirect(r, l->server->port); /* the plain listener */
        return 0;
    }
    http_dispatch(r);
    return 0;
}

static void on_conn_close(void *data)
{
    struct conn_note *n = data;

    connlimit_release(n->loop->server->connlimit, n->key);
    n->loop->nconns--;
    free(n);
}

static void accept_one(h2o_socket_t *listener, h2o_accept_ctx_t *actx)
{
    struct http_loop *l = listener->data;
    struct sockaddr_storage ss;
    struct conn_note *n;
    h2o_socket_t *sock;
    uint64_t key;

    sock = h2o_evloop_socket_accept(listener);
    if (sock == NULL)
        return;
    memset(&ss, 0, sizeof(ss));
    h2o_socket_getpeername(sock, (struct sockaddr *)&ss);
    if (connlimit_acquire(l->server->connlimit, (struct sockaddr *)&ss,
                          &key) < 0) {
        /* Over the per-address cap: refuse before reading a byte. */
        h2o_socket_close(sock);
        return;
    }
    n = xmalloc(sizeof(*n));
    n->loop = l;
    n->key = key;
    sock->on_close.cb = on_conn_close;
    sock->on_close.data = n;
    l->nconns++;
    h2o_accept(actx, sock);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    struct http_loop *l = listener->data;

    if (err == NULL)
        accept_one(listener, &l->accept_ctx);
}

static void on_accept_plain(h2o_socket_t *listener, const char *err)
{
    struct http_loop *l = listener->data;

    if (err == NULL)
        accept_one(listener, &l->plain_ctx);
}

/* Mailbox: run each posted function on this loop's thread. */
static void on_mail(h2o_multithread_receiver_t *receiver,
                    h2o_linklist_t *messages)
{
    CD_UNUSED(receiver);
    while (!h2o_linklist_is_empty(messages)) {
        struct mail *m = H2O_STRUCT_FROM_MEMBER(struct mail, super.link,
                                                messages->next);

        h2o_linklist_unlink(&m->super.link);
        m->fn(m->arg);
        free(m);
    }
}

void http_loop_post(struct http_loop *loop, void (*fn)(void *arg), void *arg)
{
    struct mail *m = xcalloc(1, sizeof(*m));

    m->fn = fn;
    m->arg = arg;
    h2o_multithread_send_message(&loop->receiver, &m->super);
}

static void close_socket(h2o_socket_t **sock, int *fd)
{
    if (*sock == NULL) {
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        return;
    }
    h2o_socket_read_stop(*sock);
    h2o_socket_close(*sock); /* closes the fd too */
    *sock = NULL;
    *fd = -1;
}

static void close_listener(struct http_loop *l)
{
    close_socket(&l->listener, &l->listen_fd);
    close_socket(&l->redirect, &l->redirect_fd);
}

static void listen_on(struct http_loop *l, h2o_socket_t **sock, int fd,
                      h2o_socket_cb cb)
{
    *sock = h2o_evloop_socket_create(l->ctx.loop, fd,
                                     H2O_SOCKET_FLAG_DONT_READ);
    (*sock)->data = l;
    h2o_socket_read_start(*sock, cb);
}

static void on_stop(void *arg)
{
    struct http_loop *l = arg;

    close_listener(l);
    /* Connections that wait for a request (idle keep-alives, slow senders)
     * time out at once; requests being handled are not on these timers,
     * and their connections come back here after the response.
     * (h2o_context_request_shutdown() would arm an HTTP/2 timer that
     * outlives the context.) */
    l->ctx.http1.req_timeout.timeout = 0;
    l->ctx.handshake_timeout.timeout = 0;
    l->stopping = 1;
}

static void signal_started(struct http_loop *l, int state)
{
    pthread_mutex_lock(&l->server->lock);
    l->started = state;
    pthread_cond_broadcast(&l->server->cond);
    pthread_mutex_unlock(&l->server->lock);
}

static void *loop_main(void *arg)
{
    struct http_loop *l = arg;
    struct http_server *s = l->server;

    pthread_setname_np(pthread_self(), "candor-loop"); /* for top -H, gdb */

    h2o_context_init(&l->ctx, h2o_evloop_create(), &s->config);
    l->accept_ctx.ctx = &l->ctx;
    l->accept_ctx.hosts = s->config.hosts;
    l->accept_ctx.ssl_ctx = s->ssl_ctx;
    l->plain_ctx.ctx = &l->ctx;
    l->plain_ctx.hosts = s->config.hosts;
    l->queue = h2o_multithread_create_queue(l->ctx.loop);
    h2o_multithread_register_receiver(l->queue, &l->receiver, on_mail);
    http_hold_init(l);
    buf_init(&l->access_log, 1 << 20);
    if (s->opts.loop_init != NULL &&
        s->opts.loop_init(s->opts.app, l->index, &l->data, &l->start_err) < 0) {
        signal_started(l, -1);
        goto out;
    }
    listen_on(l, &l->listener, l->listen_fd, on_accept);
    if (l->redirect_fd >= 0)
        listen_on(l, &l->redirect, l->redirect_fd, on_accept_plain);
    signal_started(l, 1);

    for (;;) {
        /* A non-zero return is EINTR or the like: never a reason to exit. */
        h2o_evloop_run(l->ctx.loop, l->stopping ? 50 : INT32_MAX);
        access_log_flush(l);
        if (l->stopping && (l->nconns == 0 ||
                            timefmt_mono_ms() >= s->stop_deadline_ms))
            break;
    }
    if (s->opts.loop_fini != NULL)
        s->opts.loop_fini(s->opts.app, l->data);
out:
    close_listener(l);
    access_log_flush(l);
    buf_release(&l->access_log);
    if (l->nconns > 0) {
        /* A client still holds a connection after the grace period (a
         * response it does not read). h2o cannot free a context with live
         * connections; the process is exiting, so leave them. */
        log_warn("%zu connection%s still open at shutdown", l->nconns,
                 l->nconns == 1 ? "" : "s");
        return NULL;
    }
    h2o_multithread_unregister_receiver(l->queue, &l->receiver);
    h2o_multithread_destroy_queue(l->queue);
    http_hold_fini(l);
    h2o_context_dispose(&l->ctx);
    /* Closed sockets (the queues' pipes) are freed by the next run. */
    h2o_evloop_run(l->ctx.loop, 0);
    h2o_evloop_destroy(l->ctx.loop);
    return NULL;
}

/* Bind one listening socket; *port 0 picks a free port and returns it. */
static int bind_listener(const char *host, int *port, struct cd_error *err)
{
    struct addrinfo hints, *res = NULL;
    char portstr[16];
    int fd = -1;
    int one = 1;
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(portstr, sizeof(portstr), "%d", *port);
    rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0)
        return cd_error_set(err, CD_EINVAL, "cannot resolve listen address "
                            "'%s': %s", host, gai_strerror(rc));
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                0);
    if (fd < 0)
        goto fail;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
        listen(fd, 4096) != 0)
        goto fail;
    if (*port == 0) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);

        if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
            goto fail;
        *port = ntohs(ss.ss_family == AF_INET6
                          ? ((struct sockaddr_in6 *)&ss)->sin6_port
                          : ((struct sockaddr_in *)&ss)->sin_port);
    }
    freeaddrinfo(res);
    return fd;
fail:
    rc = errno;
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return cd_error_set(err, CD_EIO, "cannot listen on %s port %d: %s", host,
                        *port, strerror(rc));
}

static void configure_h2o(struct http_server *s)
{
    h2o_pathconf_t *pathconf;
    h2o_handler_t *handler;

    h2o_config_init(&s->config);
    s->config.server_name = h2o_iovec_init(H2O_STRLIT("candor"));
    s->config.max_request_entity_size = s->opts.max_body_bytes;
    s->config.http1.req_timeout = (uint64_t)s->opts.request_timeout * 1000;
    s->config.handshake_timeout = (uint64_t)s->opts.request_timeout * 1000;
    s->hostconf = h2o_config_register_host(
        &s->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    pathconf = h2o_config_register_path(s->hostconf, "/", 0);
    handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;
    if (s->opts.access_log)
        access_log_init(pathconf);
}

static int start_loops(struct http_server *s, struct cd_error *err)
{
    int rc = CD_OK;

    for (int i = 0; i < s->nloops; i++) {
        struct http_loop *l = &s->loops[i];

        if (pthread_create(&l->thread, NULL, loop_main, l) != 0) {
            l->started = -2; /* never ran: nothing to join */
            l->listen_fd = -1;
            return cd_error_set(err, CD_EIO, "cannot start thread %d", i);
        }
    }
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->nloops; i++) {
        while (s->loops[i].started == 0)
            pthread_cond_wait(&s->cond, &s->lock);
        if (s->loops[i].started < 0 && rc == CD_OK) {
            rc = s->loops[i].start_err.rc ? s->loops[i].start_err.rc : CD_EIO;
            cd_error_set(err, rc, "%s", s->loops[i].start_err.msg);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int http_server_start(struct http_server **out,
                      const struct http_server_opts *opts,
                      struct cd_error *err)
{
    struct http_server *s = xcalloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    s->opts = *opts;
    s->port = opts->port;
    s->http_port = opts->ssl_cert != NULL ? opts->http_port : -1;
    s->nloops = opts->threads > 0 ? opts->threads : 1;
    s->loops = xcalloc((size_t)s->nloops, sizeof(*s->loops));
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->connlimit = connlimit_new(opts->max_conns_per_ip);
    configure_h2o(s);
    for (int i = 0; i < s->nloops; i++) {
        s->loops[i].server = s;
        s->loops[i].index = i;
        s->loops[i].listen_fd = -1;
        s->loops[i].redirect_fd = -1;
    }
    if (opts->ssl_cert != NULL &&
        (rc = tls_ctx_new(&s->ssl_ctx, opts->ssl_cert, opts->ssl_key, err)) < 0)
        goto fail;
    for (int i = 0; i < s->nloops; i++) {
        rc = bind_listener(opts->host, &s->port, err);
        if (rc < 0)
            goto fail;
        s->loops[i].listen_fd = rc;
        if (s->http_port < 0)
            continue;
        rc = bind_listener(opts->host, &s->http_port, err);
        if (rc < 0)
            goto fail;
        s->loops[i].redirect_fd = rc;
    }
    rc = start_loops(s, err);
    if (rc < 0)
        goto fail;
    *out = s;
    return CD_OK;
fail:
    http_server_stop(s, 0);
    return rc;
}

int http_server_port(const struct http_server *s)
{
    return s->port;
}

int http_server_http_port(const struct http_server *s)
{
    return s->http_port;
}

void http_server_stop(struct http_server *s, int grace_ms)
{
    if (s == NULL)
        return;
    s->stop_deadline_ms = timefmt_mono_ms() + grace_ms;
    for (int i = 0; i < s->nloops; i++) {
        struct http_loop *l = &s->loops[i];

        if (l->started == 1)
            http_loop_post(l, on_stop, l);
    }
    for (int i = 0; i < s->nloops; i++) {
        struct http_loop *l = &s->loops[i];

        if (l->started == 1 || l->started == -1) {
            pthread_join(l->thread, NULL);
            continue;
        }
        if (l->listen_fd >= 0)
            close(l->listen_fd);
        if (l->redirect_fd >= 0)
            close(l->redirect_fd);
    }
    connlimit_free(s->connlimit);
    if (s->ssl_ctx != NULL)
        SSL_CTX_free(s->ssl_ctx);
    h2o_config_dispose(&s->config);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s->loops);
    free(s);
}
