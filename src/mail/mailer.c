/* mailer.c -- deliver a rendered mail over SMTP (libcurl), or log it.
 *
 * mailer_new() decides once, from the configuration, how mail leaves:
 *   - app_development, or no smtp_host: the message is written to the log
 *     with log_info(), one line per log entry, between "=========" lines
 *     (Offen prints it to stdout in development and pipes it to sendmail
 *     otherwise; Candor has no sendmail fallback);
 *   - else SMTP: a new libcurl easy handle, and so a new connection, per
 *     message. smtp://host:port with STARTTLS required, or smtps:// on port
 *     465; TLS 1.2 at least, with peer and host name verification. On a
 *     loopback host STARTTLS is only attempted (CURLUSESSL_TRY), so a local
 *     relay or a test sink without TLS works; the traffic never leaves the
 *     machine there.
 *
 * Threading: mailer_send() blocks (at most timeout_s) and must run on a
 * worker thread. The struct mailer is never written after mailer_new(), so
 * threads may share it; each send uses its own curl handle. libcurl must
 * have been initialised by mail_global_init() before threads started.
 * Secrets: the password is wiped in mailer_free(); errors never carry it.
 */
#include "common/common.h"
#include "mail/mail.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <strings.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "mail/internal.h"

#define SMTPS_PORT 465
#define LOG_CHUNK 1000 /* bytes of body per log entry; log.c caps a message */

struct mailer {
    int log_only;              /* 1: write to the log, no SMTP */
    char *host;                /* smtp_host as configured, or NULL */
    int port;                  /* smtp_port */
    char *sender;              /* From header (smtp_sender) */
    char *user;                /* NULL: send no credentials */
    char *password;            /* with user; wiped on free */
    const char *login_options; /* "AUTH=LOGIN" etc., static */
    long use_ssl;              /* CURLUSESSL_ALL, or _TRY on loopback */
    long timeout_s;            /* whole exchange */
    long connect_timeout_s;    /* TCP and TLS handshake */
};

struct reader {
    const char *ptr;
    size_t len;
    size_t off;
};

int mail_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? CD_OK
                                                              : CD_EIO;
}

void mail_global_cleanup(void)
{
    curl_global_cleanup();
}

int mail_host_is_loopback(const char *host)
{
    char name[INET6_ADDRSTRLEN + 1];
    size_t n = strlen(host);
    struct in_addr a4;
    struct in6_addr a6;

    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof(name))
        return 0;
    memcpy(name, host, n);
    name[n] = '\0';
    if (strcasecmp(name, "localhost") == 0 ||
        strcasecmp(name, "localhost.") == 0)
        return 1;
    if (inet_pton(AF_INET, name, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, name, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) ||
               (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    return 0;
}

static const char *login_options_for(const char *auth_type)
{
    if (auth_type != NULL && strcasecmp(auth_type, "PLAIN") == 0)
        return "AUTH=PLAIN";
    if (auth_type != NULL && strcasecmp(auth_type, "CRAM-MD5") == 0)
        return "AUTH=CRAM-MD5";
    if (auth_type != NULL && strcasecmp(auth_type, "NOAUTH") == 0)
        return NULL;
    return "AUTH=LOGIN"; /* Offen's default */
}

struct mailer *mailer_new(const struct config *cfg)
{
    struct mailer *m = xcalloc(1, sizeof(*m));

    m->log_only = cfg->app_development || cfg->smtp_host == NULL ||
                  cfg->smtp_host[0] == '\0';
    m->sender = xstrdup(cfg->smtp_sender ? cfg->smtp_sender
                                         : "no-reply@offen.dev");
    m->timeout_s = MAIL_TIMEOUT_S;
    m->connect_timeout_s = MAIL_CONNECT_TIMEOUT_S;
    if (m->log_only)
        return m;
    m->host = xstrdup(cfg->smtp_host);
    m->port = cfg->smtp_port;
    m->login_options = login_options_for(cfg->smtp_auth_type);
    if (m->login_options != NULL && cfg->smtp_user != NULL) {
        m->user = xstrdup(cfg->smtp_user);
        m->password = xstrdup(cfg->smtp_password ? cfg->smtp_password : "");
    }
    m->use_ssl = mail_host_is_loopback(m->host) ? (long)CURLUSESSL_TRY
                                                : (long)CURLUSESSL_ALL;
    return m;
}

int mailer_logs_only(const struct mailer *m)
{
    return m->log_only;
}

void mailer_free(struct mailer *m)
{
    if (m == NULL)
        return;
    if (m->password != NULL) {
        explicit_bzero(m->password, strlen(m->password));
        free(m->password);
    }
    free(m->user);
    free(m->host);
    free(m->sender);
    free(m);
}

/* ---- the log "transport" ------------------------------------------------ */

static void log_body(const char *body)
{
    while (1) {
        size_t n = strcspn(body, "\n");

        for (size_t off = 0; off < n || off == 0; off += LOG_CHUNK) {
            size_t k = n - off < LOG_CHUNK ? n - off : LOG_CHUNK;

            log_info("%.*s", (int)k, body + off);
        }
        if (body[n] == '\0')
            break;
        body += n + 1;
    }
}

static void log_message(const struct mailer *m, const char *to,
                        const struct mail_msg *msg)
{
    log_info("=========");
    log_info("From: %s", m->sender);
    log_info("To: %s", to);
    log_info("Subject: %s", msg->subject);
    log_info("%s", "");
    log_body(msg->body);
    log_info("=========");
}

/* ---- SMTP ---------------------------------------------------------------- */

static size_t read_cb(char *dst, size_t size, size_t nitems, void *ud)
{
    struct reader *r = ud;
    size_t room = size * nitems;
    size_t n = r->len - r->off < room ? r->len - r->off : room;

    memcpy(dst, r->ptr + r->off, n);
    r->off += n;
    return n;
}

/* smtp://host:port or smtps://host:port; IPv6 literals get brackets. */
static int build_url(const struct mailer *m, char *url, size_t len,
                     struct cd_error *err)
{
    const char *scheme = m->port == SMTPS_PORT ? "smtps" : "smtp";
    const char *allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "0123456789.-_:[]";
    int v6 = strchr(m->host, ':') != NULL && m->host[0] != '[';
    int k;

    if (m->host[strspn(m->host, allowed)] != '\0' || m->port < 1 ||
        m->port > 65535)
        return cd_error_set(err, CD_EINVAL, "invalid SMTP host or port");
    k = snprintf(url, len, "%s://%s%s%s:%d", scheme, v6 ? "[" : "", m->host,
                 v6 ? "]" : "", m->port);
    if (k < 0 || (size_t)k >= len)
        return cd_error_set(err, CD_EINVAL, "SMTP host name too long");
    return CD_OK;
}

#define SET(opt, val)                                                        \
    do {                                                                     \
        if (res == CURLE_OK)                                                 \
            res = curl_easy_setopt(c, opt, val);                             \
    } while (0)

/* Hand wire (the composed message) to the server for one recipient. */
static int smtp_deliver(const struct mailer *m, const char *from,
                        const char *to, const struct buf *wire,
                        struct cd_error *err)
{
    char url[320], rcpt[MAIL_ADDR_MAX + 3];
    char errbuf[CURL_ERROR_SIZE] = "";
    struct reader rd = {wire->ptr, wire->len, 0};
    struct curl_slist *rcpts = NULL;
    CURLcode res = CURLE_OK;
    CURL *c = NULL;
    int rc;

    rc = build_url(m, url, sizeof(url), err);
    if (rc < 0)
        goto out;
    c = curl_easy_init();
    snprintf(rcpt, sizeof(rcpt), "<%s>", to);
    rcpts = curl_slist_append(NULL, rcpt);
    if (c == NULL || rcpts == NULL) {
        rc = cd_error_set(err, CD_EIO, "cannot set up an SMTP transfer");
        goto out;
    }
    SET(CURLOPT_URL, url);
    SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_TIMEOUT, m->timeout_s);
    SET(CURLOPT_CONNECTTIMEOUT, m->connect_timeout_s);
    SET(CURLOPT_USE_SSL, m->use_ssl);
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SET(CURLOPT_MAIL_FROM, from);
    SET(CURLOPT_MAIL_RCPT, rcpts);
    SET(CURLOPT_UPLOAD, 1L);
    SET(CURLOPT_READFUNCTION, read_cb);
    SET(CURLOPT_READDATA, &rd);
    if (m->user != NULL) {
        SET(CURLOPT_USERNAME, m->user);
        SET(CURLOPT_PASSWORD, m->password);
        SET(CURLOPT_LOGIN_OPTIONS, m->login_options);
    }
    if (res == CURLE_OK)
        res = curl_easy_perform(c);
    if (res != CURLE_OK) {
        rc = cd_error_set(err, CD_EIO, "SMTP delivery via %s failed: %s%s%s",
                          url, curl_easy_strerror(res), errbuf[0] ? ": " : "",
                          errbuf);
        goto out;
    }
    rc = CD_OK;
out:
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(c);
    return rc;
}

#undef SET

/* "<addr>" for MAIL FROM, from the sender "addr" or "Name <addr>". */
static int envelope_from(const char *sender, char *out, size_t outlen)
{
    char addr[MAIL_ADDR_MAX + 1];
    size_t len;
    const char *spec = mail_addr_spec(sender, &len);

    if (len > MAIL_ADDR_MAX)
        return CD_EINVAL;
    memcpy(addr, spec, len);
    addr[len] = '\0';
    if (mail_addr_check(addr) < 0)
        return CD_EINVAL;
    snprintf(out, outlen, "<%s>", addr);
    return CD_OK;
}

int mailer_send(struct mailer *m, const char *to, const struct mail_msg *msg,
                struct cd_error *err)
{
    struct buf wire = BUF_INIT(MAIL_WIRE_MAX);
    char from[MAIL_ADDR_MAX + 3];
    int rc = CD_EINVAL;

    if (mail_addr_check(to) < 0) {
        cd_error_set(err, rc, "invalid recipient address");
        goto out;
    }
    if (msg == NULL || msg->subject == NULL || msg->body == NULL) {
        cd_error_set(err, rc, "no message to send");
        goto out;
    }
    if (m->log_only) {
        log_message(m, to, msg);
        rc = CD_OK;
        goto out;
    }
    if (envelope_from(m->sender, from, sizeof(from)) < 0) {
        cd_error_set(err, rc, "invalid sender address (smtp_sender)");
        goto out;
    }
    rc = mail_compose(&wire, m->sender, to, msg, time(NULL));
    if (rc < 0) {
        cd_error_set(err, rc, "cannot compose the message: %s",
                     cd_strerror(rc));
        goto out;
    }
    rc = smtp_deliver(m, from, to, &wire, err);
out:
    buf_release(&wire);
    return rc;
}
