/* access_log.c -- one line per request on stdout, in Offen's format.
 *
 *   - - - [02/Jan/2006:15:04:05 -0700] "GET /path?q HTTP/1.1" 200 -
 *
 * Common Log Format with the client address, identity, user and size
 * blanked, and every status from 200 to 399 written as 200, so the log tells
 * neither who visited nor whether they had opted in (201 versus 204). Lines
 * are buffered per event loop and written with one write(2) per loop
 * iteration, which keeps lines whole and costs no syscall per request.
 */
#include "common/common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/internal.h"

#define ACCESS_LOG_MAX_URI 2048 /* longer request targets are cut */

/* The time field of epoch_s, formatted once per second per thread (each
 * event loop formats its own lines): localtime_r() takes a process-wide
 * lock, and with strftime() it cost more than the rest of the line. */
static const char *when_of(long long epoch_s)
{
    static _Thread_local long long cached = -1;
    static _Thread_local char when[40];

    if (epoch_s != cached) {
        time_t t = (time_t)epoch_s;
        struct tm tm;

        localtime_r(&t, &tm);
        strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S %z", &tm);
        cached = epoch_s;
    }
    return when;
}

int access_log_format(struct buf *b, const char *method, size_t mlen,
                      const char *uri, size_t ulen, const char *proto,
                      int status, long long epoch_s)
{
    size_t mark = b->len;
    int rc = buf_adds(b, "- - - [");

    if (status >= 200 && status < 400)
        status = 200;
    if (rc == CD_OK)
        rc = buf_adds(b, when_of(epoch_s));
    if (rc == CD_OK)
        rc = buf_adds(b, "] \"");
    for (size_t i = 0; rc == CD_OK && i < mlen; i++)
        rc = buf_addch(b, (unsigned char)method[i] > 0x20 &&
                              (unsigned char)method[i] < 0x7f &&
                              method[i] != '"' ? method[i] : '?');
    if (rc == CD_OK)
        rc = buf_addch(b, ' ');
    /* The target is raw client input: escape what could forge a line. */
    for (size_t i = 0; rc == CD_OK && i < ulen && i < ACCESS_LOG_MAX_URI; i++) {
        unsigned char c = (unsigned char)uri[i];

        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            rc = buf_addf(b, "\\x%02x", c);
        else
            rc = buf_addch(b, (char)c);
    }
    if (rc == CD_OK && ulen > ACCESS_LOG_MAX_URI)
        rc = buf_adds(b, "...");
    if (rc == CD_OK)
        rc = buf_addf(b, " %s\" %d -\n", proto, status);
    if (rc < 0) { /* buffer full: drop this line, keep the others whole */
        b->len = mark;
        b->ptr[mark] = '\0';
    }
    return rc;
}

static void log_access(h2o_logger_t *self, h2o_req_t *req)
{
    struct http_loop *l =
        H2O_STRUCT_FROM_MEMBER(struct http_loop, ctx, req->conn->ctx);
    const char *proto = req->version >= 0x200   ? "HTTP/2.0"
                        : req->version == 0x100 ? "HTTP/1.0"
                                                : "HTTP/1.1";

    CD_UNUSED(self);
    if (l->access_log.len > l->access_log.max / 2)
        access_log_flush(l);
    if (access_log_format(&l->access_log, req->input.method.base,
                          req->input.method.len, req->input.path.base,
                          req->input.path.len, proto, req->res.status,
                          (long long)time(NULL)) < 0)
        access_log_flush(l);
}

void access_log_init(h2o_pathconf_t *pathconf)
{
    h2o_logger_t *logger = h2o_create_logger(pathconf, sizeof(*logger));

    logger->log_access = log_access;
}

void access_log_flush(struct http_loop *l)
{
    size_t off = 0;

    while (off < l->access_log.len) {
        ssize_t n = write(STDOUT_FILENO, l->access_log.ptr + off,
                          l->access_log.len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* stdout is gone: drop the log rather than block */
        off += (size_t)n;
    }
    buf_reset(&l->access_log);
}
