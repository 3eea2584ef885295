/* tls.c -- the TLS context, the real scheme, and the plain-HTTP redirect.
 *
 * TLS: one OpenSSL context for the whole server, built once at start-up and
 * read-only afterwards (OpenSSL contexts are safe to share between the loop
 * threads). Settings: TLS 1.2 and 1.3 only, the server's cipher order
 * (ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2), no compression,
 * no renegotiation, no session tickets (a ticket key that lives as long as
 * the process would undo forward secrecy), ALPN "http/1.1" only. TLS 1.2
 * clients can still resume through the per-context session cache (session
 * ids); TLS 1.3 resumes only with tickets, and the server sends none
 * (num_tickets 0), so every TLS 1.3 connection makes a full handshake.
 *
 * Scheme: a request is https when it came over TLS, or when the operator
 * declared a trusted reverse proxy and that proxy says X-Forwarded-Proto:
 * https. A client header alone never makes a request https.
 *
 * Redirect: with a TLS listener and CANDOR_SERVER_HTTPPORT, a second, plain
 * listener answers GET and HEAD with 301 to the same path on https (Offen's
 * AutoTLS port-80 listener: other methods get 400).
 */
#include "common/common.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "http/guard.h"
#include "http/internal.h"

#define TLS12_CIPHERS "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL"
#define VAR_CERT "CANDOR_SERVER_SSLCERTIFICATE"
#define VAR_KEY "CANDOR_SERVER_SSLKEY"

static void openssl_msg(char *msg, size_t size)
{
    unsigned long e = ERR_peek_last_error();

    if (e == 0)
        snprintf(msg, size, "unknown error");
    else
        ERR_error_string_n(e, msg, size);
    ERR_clear_error();
}

/* The file must open for reading; the message names the variable. */
static int readable(const char *path, const char *var, struct cd_error *err)
{
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return cd_error_set(err, CD_EINVAL, "%s (or its OFFEN_ alias): cannot"
                            " read '%s': %s", var, path, strerror(errno));
    fclose(f);
    return CD_OK;
}

static void harden(SSL_CTX *ctx)
{
    static const h2o_iovec_t alpn[] = {{H2O_STRLIT("http/1.1")}, {NULL, 0}};

    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
    h2o_ssl_register_alpn_protocols(ctx, alpn);
}

int tls_ctx_new(SSL_CTX **out, const char *cert, const char *key,
                struct cd_error *err)
{
    SSL_CTX *ctx = NULL;
    char msg[256];
    int rc;

    *out = NULL;
    ERR_clear_error(); /* judge only what the calls below leave */
    rc = readable(cert, VAR_CERT, err);
    if (rc == CD_OK)
        rc = readable(key, VAR_KEY, err);
    if (rc < 0)
        goto out;
    rc = cd_error_set(err, CD_EIO, "cannot create a TLS context");
    ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        goto out;
    rc = cd_error_set(err, CD_EIO, "cannot set the TLS 1.2 ciphers");
    if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1)
        goto out;
    rc = CD_EINVAL;
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        openssl_msg(msg, sizeof(msg));
        cd_error_set(err, rc, "%s (or its OFFEN_ alias): '%s' is not a PEM "
                     "certificate chain: %s", VAR_CERT, cert, msg);
        goto out;
    }
    /* Loading the key checks it against the certificate: that failure is a
     * mismatch, any other one an unreadable key. */
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 &&
        ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
        openssl_msg(msg, sizeof(msg));
        cd_error_set(err, rc, "%s (or its OFFEN_ alias): '%s' is not a PEM "
                     "private key: %s", VAR_KEY, key, msg);
        goto out;
    }
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH ||
        SSL_CTX_check_private_key(ctx) != 1) {
        openssl_msg(msg, sizeof(msg));
        cd_error_set(err, rc, "%s (or its OFFEN_ alias): the key '%s' does "
                     "not match the certificate '%s': %s", VAR_KEY, key, cert,
                     msg);
        goto out;
    }
    harden(ctx);
    *out = ctx;
    ctx = NULL;
    rc = CD_OK;
out:
    if (ctx != NULL)
        SSL_CTX_free(ctx);
    return rc;
}

int http_tls_check(const char *cert, const char *key, struct cd_error *err)
{
    SSL_CTX *ctx = NULL;
    int rc = tls_ctx_new(&ctx, cert, key, err);

    if (ctx != NULL)
        SSL_CTX_free(ctx);
    return rc;
}

int http_is_tls(const struct http_req *r)
{
    return r->req->input.scheme == &H2O_URL_SCHEME_HTTPS;
}

int http_is_secure(const struct http_req *r)
{
    ssize_t i;
    const h2o_iovec_t *v;

    if (http_is_tls(r))
        return 1;
    if (!r->loop->server->opts.trusted_proxy)
        return 0;
    /* The proxy's own header: the first one, exactly "https". */
    i = h2o_find_header_by_str(&r->req->headers,
                               H2O_STRLIT("x-forwarded-proto"), -1);
    if (i < 0)
        return 0;
    v = &r->req->headers.entries[i].value;
    return h2o_lcstris(v->base, v->len, H2O_STRLIT("https"));
}

/* Host name from the Host header, without its port: letters, digits, '.',
 * '-' or a bracketed IPv6 literal. Returns the length, 0 if unusable. */
static size_t host_name(const h2o_iovec_t *authority)
{
    const char *p = authority->base;
    size_t n = authority->len;
    size_t i = 0;

    if (n > 0 && p[0] == '[') {
        while (i < n && p[i] != ']')
            i++;
        if (i == n)
            return 0;
        for (size_t k = 1; k < i; k++) {
            if (strchr("0123456789abcdefABCDEF:.", p[k]) == NULL)
                return 0;
        }
        return i + 1;
    }
    while (i < n && p[i] != ':') {
        char c = p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-'))
            return 0;
        i++;
    }
    return i;
}

void tls_redirect(struct http_req *r, int tls_port)
{
    h2o_req_t *req = r->req;
    size_t hlen = host_name(&req->input.authority);
    const char *path = "/";
    size_t plen = 1;
    char port[16] = "";
    char *url;
    size_t len;

    guard_headers(r, 0); /* as every answer (plain: no HSTS) */
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        http_reply_error(r, 400, "this port only redirects GET and HEAD to "
                         "https");
        return;
    }
    /* Without a Host header h2o fills in the default host's name. */
    if (req->input.authority.base ==
        r->loop->server->hostconf->authority.hostport.base)
        hlen = 0;
    if (hlen == 0 || hlen > 255) {
        http_reply_error(r, 400, "missing or invalid Host header");
        return;
    }
    if (req->path.len > 0 && req->path.base[0] == '/') {
        path = req->path.base;
        plen = req->path.len;
    }
    if (tls_port != 443)
        snprintf(port, sizeof(port), ":%d", tls_port);
    len = 8 + hlen + strlen(port) + plen;
    url = h2o_mem_alloc_pool(&req->pool, len + 1);
    snprintf(url, len + 1, "https://%.*s%s%.*s", (int)hlen,
             req->input.authority.base, port, (int)plen, path);
    http_add_header(r, "Location", url);
    http_reply(r, 301, NULL, "", 0);
}
