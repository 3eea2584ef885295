/* compose.c -- the RFC 5322 message that goes to the SMTP server.
 *
 * Everything here is pure text work: header lines, RFC 2047 encoded words
 * for a non-ASCII subject, quoted-printable for a body that is not plain
 * 7-bit text. The only header values not produced here are the sender
 * (configuration; control characters are dropped) and the recipient
 * (checked by mail_addr_check() before we are called), so no value can add
 * a header line. Lines end in CRLF; libcurl adds the dot-stuffing and the
 * final ".".
 *
 * Threading: no state; any thread.
 */
#include "common/common.h"
#include "mail/internal.h"

#include <sys/random.h>

#include "common/base64.h"
#include "common/buf.h"
#include "mail/mail.h"

#define QP_WIDTH 75     /* characters before a soft line break "=" */
#define SMTP_LINE_MAX 998 /* RFC 5322 hard limit, without CRLF */
#define ENCODED_CHUNK 39  /* bytes per encoded word: 52 base64 chars */

static const char *const day_names[] = {"Sun", "Mon", "Tue", "Wed",
                                        "Thu", "Fri", "Sat"};
static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr",
                                          "May", "Jun", "Jul", "Aug",
                                          "Sep", "Oct", "Nov", "Dec"};

void mail_format_date(char *out, size_t outlen, time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000",
             day_names[tm.tm_wday], tm.tm_mday, month_names[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

const char *mail_addr_spec(const char *sender, size_t *len)
{
    const char *lt = strrchr(sender, '<');
    size_t n;

    if (lt != NULL) {
        const char *gt = strchr(lt + 1, '>');

        if (gt != NULL) {
            *len = (size_t)(gt - lt - 1);
            return lt + 1;
        }
    }
    while (*sender == ' ' || *sender == '\t')
        sender++;
    n = strlen(sender);
    while (n > 0 && (sender[n - 1] == ' ' || sender[n - 1] == '\t'))
        n--;
    *len = n;
    return sender;
}

static int is_printable_ascii(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    }
    return 1;
}

/* "Subject:" and words, a fold (CRLF + the space) before any word that
 * would pass MAIL_LINE_MAX; unfolding gives the text back unchanged. */
static int add_subject_ascii(struct buf *b, const char *s)
{
    const size_t name = sizeof("Subject:") - 1;
    size_t col = name;
    int rc = buf_adds(b, "Subject:");

    while (rc == CD_OK && *s != '\0') {
        size_t n = strcspn(s, " ");

        if (col > name && col + 1 + n > MAIL_LINE_MAX) {
            rc = buf_adds(b, "\r\n");
            col = 0;
        }
        if (rc == CD_OK)
            rc = buf_addch(b, ' ');
        if (rc == CD_OK)
            rc = buf_add(b, s, n);
        col += 1 + n;
        s += n;
        if (*s == ' ')
            s++;
    }
    return rc == CD_OK ? buf_adds(b, "\r\n") : rc;
}

/* One "=?utf-8?B?...?=" word per line, each of whole UTF-8 characters. */
static int add_subject_encoded(struct buf *b, const char *s)
{
    char word[ENCODED_CHUNK / 3 * 4 + 1];
    size_t len = strlen(s);
    int rc = buf_adds(b, "Subject:");

    for (int first = 1; rc == CD_OK && len > 0; first = 0) {
        size_t n = len < ENCODED_CHUNK ? len : ENCODED_CHUNK;

        while (n < len && n > 1 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
        base64_encode(word, s, n);
        rc = buf_addf(b, "%s=?utf-8?B?%s?=", first ? " " : "\r\n ", word);
        s += n;
        len -= n;
    }
    return rc == CD_OK ? buf_adds(b, "\r\n") : rc;
}

int mail_add_subject(struct buf *out, const char *subject)
{
    if (is_printable_ascii(subject))
        return add_subject_ascii(out, subject);
    return add_subject_encoded(out, subject);
}

/* One line of body (without its "\n") as quoted-printable, then CRLF. */
static int add_qp_line(struct buf *b, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    int rc = CD_OK;

    for (size_t i = 0; rc == CD_OK && i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        int blank = c == ' ' || c == '\t';
        int enc = c == '=' || c > 0x7e || (c < 0x20 && c != '\t') ||
                  (blank && i + 1 == n);
        size_t w = enc ? 3 : 1;

        if (col + w > QP_WIDTH) {
            rc = buf_adds(b, "=\r\n");
            col = 0;
        }
        if (rc == CD_OK && enc)
            rc = buf_addf(b, "=%c%c", hex[c >> 4], hex[c & 0x0f]);
        else if (rc == CD_OK)
            rc = buf_addch(b, (char)c);
        col += w;
    }
    return rc == CD_OK ? buf_adds(b, "\r\n") : rc;
}

int mail_add_qp(struct buf *out, const char *body)
{
    int rc = CD_OK;

    while (rc == CD_OK) {
        size_t n = strcspn(body, "\n");

        rc = add_qp_line(out, body, n);
        if (body[n] == '\0')
            break;
        body += n + 1;
    }
    return rc;
}

/* 1 if the body can go out as 7bit: ASCII, no control characters but TAB
 * and LF, no line over SMTP_LINE_MAX bytes. */
static int body_is_7bit(const char *body)
{
    size_t col = 0;

    for (const unsigned char *p = (const unsigned char *)body; *p; p++) {
        if (*p == '\n') {
            col = 0;
            continue;
        }
        if (*p > 0x7e || (*p < 0x20 && *p != '\t') || ++col > SMTP_LINE_MAX)
            return 0;
    }
    return 1;
}

static int add_body_7bit(struct buf *b, const char *body)
{
    int rc = CD_OK;

    while (rc == CD_OK) {
        size_t n = strcspn(body, "\n");

        rc = buf_add(b, body, n);
        if (rc == CD_OK)
            rc = buf_adds(b, "\r\n");
        if (body[n] == '\0')
            break;
        body += n + 1;
    }
    return rc;
}

/* "<32 hex digits@domain>", the domain taken from the sender's address
 * when it is a plain host name. */
static int make_message_id(char *out, size_t outlen, const char *sender)
{
    unsigned char rnd[16];
    char hex[33];
    char domain[MAIL_ADDR_MAX + 1] = "localhost";
    size_t len;
    const char *spec = mail_addr_spec(sender, &len);
    const char *at = memchr(spec, '@', len);

    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return CD_EIO;
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    if (at != NULL) {
        size_t n = len - (size_t)(at + 1 - spec);

        if (n > 0 && n < sizeof(domain) &&
            strspn(at + 1, "abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") >= n) {
            memcpy(domain, at + 1, n);
            domain[n] = '\0';
        }
    }
    snprintf(out, outlen, "<%s@%s>", hex, domain);
    return CD_OK;
}

/* "From: " and the sender without control characters. */
static int add_from(struct buf *b, const char *sender)
{
    int rc = buf_adds(b, "From: ");

    for (const char *p = sender; rc == CD_OK && *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c >= 0x20 && c != 0x7f)
            rc = buf_addch(b, (char)c);
    }
    return rc == CD_OK ? buf_adds(b, "\r\n") : rc;
}

int mail_compose(struct buf *out, const char *sender, const char *to,
                 const struct mail_msg *msg, time_t now)
{
    char date[48];
    char msgid[MAIL_ADDR_MAX + 40];
    int seven_bit = body_is_7bit(msg->body);
    int rc;

    rc = make_message_id(msgid, sizeof(msgid), sender);
    if (rc < 0)
        return rc;
    mail_format_date(date, sizeof(date), now);
    rc = buf_addf(out, "Date: %s\r\n", date);
    if (rc == CD_OK)
        rc = add_from(out, sender);
    if (rc == CD_OK)
        rc = buf_addf(out, "To: %s\r\n", to);
    if (rc == CD_OK)
        rc = mail_add_subject(out, msg->subject);
    if (rc == CD_OK)
        rc = buf_addf(out,
                      "Message-ID: %s\r\n"
                      "MIME-Version: 1.0\r\n"
                      "Content-Type: text/plain; charset=utf-8\r\n"
                      "Content-Transfer-Encoding: %s\r\n"
                      "User-Agent: Candor\r\n"
                      "X-Mailer: Candor\r\n"
                      "\r\n",
                      msgid, seven_bit ? "7bit" : "quoted-printable");
    if (rc == CD_OK && seven_bit)
        rc = add_body_7bit(out, msg->body);
    else if (rc == CD_OK)
        rc = mail_add_qp(out, msg->body);
    return rc;
}
