/* server.h -- the HTTP server: listening sockets and event loops.
 *
 * One h2o event loop per thread, each with its own SO_REUSEPORT listener, so
 * the kernel spreads connections over the cores and no lock sits on the
 * request path. The server enforces the caps that protect it from hostile
 * clients before any handler runs: request head size (431), body size (413,
 * answered from Content-Length before the body is read), a deadline for
 * receiving a whole request, and concurrent connections per client address
 * (IPv6 by /64). Requests that match no route fall back to the embedded
 * static files and the single-page-app index. With TLS, every answer on the
 * TLS port carries HSTS, and an optional plain port redirects to https.
 */
#ifndef CD_HTTP_SERVER_H
#define CD_HTTP_SERVER_H

#include <stddef.h>

#include "common/err.h"
#include "http/router.h"

struct http_server;
struct http_loop;

struct http_server_opts {
    const char *host;           /* listen address, "0.0.0.0", "::", ... */
    int port;                   /* 0 = any free port (see http_server_port) */
    int threads;                /* event loops, >= 1 */
    size_t max_header_bytes;    /* request line + headers */
    size_t max_body_bytes;      /* request body */
    int request_timeout;        /* seconds to receive a whole request */
    int max_conns_per_ip;       /* concurrent connections per address */
    int access_log;             /* write the access log to stdout */
    const char *ssl_cert;       /* PEM chain file, or NULL for plain HTTP */
    const char *ssl_key;        /* PEM key file, or NULL */
    int http_port;              /* with TLS: plain listener that redirects
                                 * to https; -1 none, 0 any free port */
    int trusted_proxy;          /* trust X-Forwarded-Proto (http_is_secure) */
    const struct route *routes; /* route table, kept by reference */
    size_t nroutes;
    void *app;                  /* handed to handlers via http_app() */
    /* Called on each loop's thread before it serves; the result is that
     * loop's http_loop_data(). Return CD_OK or an error (start fails). */
    int (*loop_init)(void *app, int index, void **data, struct cd_error *err);
    void (*loop_fini)(void *app, void *data); /* on the loop's thread */
};

/* Bind, start the loops, return once every loop serves (or failed). */
int http_server_start(struct http_server **out,
                      const struct http_server_opts *opts,
                      struct cd_error *err) CD_MUST_CHECK;
/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *s);
/* The redirect listener's port, or -1 when there is none. */
int http_server_http_port(const struct http_server *s);
/* Load cert and key as the server would (tls.c), to report a bad file as
 * a configuration error before start-up. CD_OK, or CD_EINVAL with err
 * naming CANDOR_SERVER_SSLCERTIFICATE or CANDOR_SERVER_SSLKEY (unreadable,
 * not PEM, or a key that does not match the certificate). */
int http_tls_check(const char *cert, const char *key, struct cd_error *err)
    CD_MUST_CHECK;
/* Stop accepting, let requests in flight finish (at most grace_ms), join
 * the loops and free everything. NULL is ignored. */
void http_server_stop(struct http_server *s, int grace_ms);

#endif /* CD_HTTP_SERVER_H */
