/* internal.h -- pieces of mail/ shared between its files and its tests.
 *
 * compose.c builds the RFC 5322 message that mailer.c hands to libcurl;
 * these functions are exported only so tests can check them one by one.
 * Nothing outside src/mail/ and tests/unit/mail/ includes this header.
 */
#ifndef CD_MAIL_INTERNAL_H
#define CD_MAIL_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include "common/err.h"
#include "mail/mail.h"

struct buf;

/* Cap on a composed message: headers plus a quoted-printable body of at
 * most MAIL_BODY_MAX bytes (3 bytes per byte, plus soft line breaks). */
#define MAIL_WIRE_MAX (4 * MAIL_BODY_MAX + 8192)
#define MAIL_LINE_MAX 78  /* fold headers and quoted-printable lines here */

/* Append the whole message to out, lines ending in CRLF: Date (from now),
 * From (sender without control characters), To, Subject (RFC 2047 if not
 * ASCII), Message-ID (random, @ the sender's domain), MIME-Version,
 * Content-Type text/plain; charset=utf-8, Content-Transfer-Encoding (7bit
 * if the body is ASCII with lines of at most 998 bytes, else
 * quoted-printable), User-Agent and X-Mailer, a blank line and the body.
 * `to` must have passed mail_addr_check(). CD_OK, CD_ETOOBIG or CD_EIO (no
 * randomness for the Message-ID). */
int mail_compose(struct buf *out, const char *sender, const char *to,
                 const struct mail_msg *msg, time_t now) CD_MUST_CHECK;

/* "Date: " value: "Mon, 02 Jan 2006 15:04:05 +0000" (UTC, English names,
 * whatever the C locale). out holds at least 32 bytes. */
void mail_format_date(char *out, size_t outlen, time_t t);

/* Append "Subject: ...\r\n": printable ASCII as is, folded at spaces so no
 * line passes MAIL_LINE_MAX; anything else as RFC 2047 "=?utf-8?B?...?="
 * words of whole UTF-8 characters, one per line. */
int mail_add_subject(struct buf *out, const char *subject) CD_MUST_CHECK;

/* Append body as quoted-printable (RFC 2045), "\n" becoming CRLF and no
 * line longer than 76 characters. */
int mail_add_qp(struct buf *out, const char *body) CD_MUST_CHECK;

/* The address part of a sender: what is inside <...> if present, else the
 * whole string without surrounding spaces. Sets *len; never NULL. */
const char *mail_addr_spec(const char *sender, size_t *len);

/* 1 if host names the loopback interface: "localhost", an address in
 * 127.0.0.0/8, ::1 or ::ffff:127.x.y.z (brackets allowed); else 0. */
int mail_host_is_loopback(const char *host);

#endif /* CD_MAIL_INTERNAL_H */
