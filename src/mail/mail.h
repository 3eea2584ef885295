/* mail.h -- transactional email: render Offen's three messages, send them.
 *
 * Rendering turns a URL or a list of account names into a struct mail_msg
 * (subject and plain-text body, UTF-8). Values are inserted as plain text:
 * no HTML escaping (Offen's html/template turned "&" into "&amp;" in
 * text/plain mail, a defect), but CR, LF and the other ASCII control
 * characters except TAB are dropped from everything inserted.
 *
 * Sending goes through a struct mailer built once from the configuration:
 *   - SMTP (libcurl) when smtp_host is set and app_development is off:
 *     one new connection per message, STARTTLS required (TLS >= 1.2) unless
 *     the host is a loopback address (127.0.0.0/8, ::1, "localhost"), where
 *     STARTTLS is used if offered; implicit TLS (smtps://) on port 465;
 *     AUTH LOGIN, PLAIN or CRAM-MD5 as configured, none for NOAUTH;
 *     15 s for the whole exchange;
 *   - otherwise the message is written to the log between "=========" lines
 *     (Offen prints it in development mode; without SMTP Offen falls back
 *     to sendmail, Candor logs instead).
 * See docs/internals/mail.md.
 *
 * Threading: mailer_send() blocks for up to MAIL_TIMEOUT_S seconds. Call it
 * from a worker thread, never from an event loop. A struct mailer is
 * read-only after mailer_new() and may be shared by threads.
 * mail_global_init() must run once, before any thread is started.
 */
#ifndef CD_MAIL_MAIL_H
#define CD_MAIL_MAIL_H

#include <stddef.h>

#include "common/err.h"

struct config;

#define MAIL_ADDR_MAX 254          /* bytes of a recipient address (RFC 5321) */
#define MAIL_BODY_MAX (32 * 1024)  /* bytes of a rendered body, without NUL */
#define MAIL_TIMEOUT_S 15          /* whole SMTP exchange, seconds */
#define MAIL_CONNECT_TIMEOUT_S 10  /* TCP + TLS connect, seconds */

struct mail_msg {
    char *subject; /* UTF-8, one line without CR/LF; owned */
    char *body;    /* UTF-8, lines end in "\n", no leading or trailing
                    * newline; owned */
};

/* ---- process set-up ------------------------------------------------------ */

/* Initialise libcurl (curl_global_init). Call once from main/serve before any
 * thread starts; not thread-safe. Returns CD_OK or CD_EIO. */
int mail_global_init(void) CD_MUST_CHECK;
/* Undo mail_global_init(), after every thread has stopped. */
void mail_global_cleanup(void);

/* ---- rendering ----------------------------------------------------------- */
/* Each renderer fills *out (caller releases it with mail_msg_release()) and
 * returns CD_OK; CD_EINVAL for a NULL or empty value or an empty list;
 * CD_ETOOBIG if the body would exceed MAIL_BODY_MAX bytes. On failure *out
 * is left empty (both pointers NULL). English texts; see templates.h for
 * how locales are added. */

/* "Reset your password", with the reset link. */
int mail_render_reset(const char *url, struct mail_msg *out) CD_MUST_CHECK;
/* "You have been invited to join ...", with the link to accept. */
int mail_render_new_user_invite(const char *url, struct mail_msg *out)
    CD_MUST_CHECK;
/* "You have been added to additional accounts ...", one "- <name>" line per
 * account, in the order given. */
int mail_render_existing_user_invite(const char *const *account_names,
                                     size_t n, struct mail_msg *out)
    CD_MUST_CHECK;

/* Free the strings of *msg and set them to NULL; msg may be NULL. */
void mail_msg_release(struct mail_msg *msg);

/* ---- recipients ---------------------------------------------------------- */

/* CD_OK if addr is an address we send to: at most MAIL_ADDR_MAX bytes, no
 * control characters, spaces or any of  < > ( ) , ; : " \  and exactly one
 * '@' with text on both sides. CD_EINVAL otherwise. */
int mail_addr_check(const char *addr) CD_MUST_CHECK;

/* ---- sending ------------------------------------------------------------- */

struct mailer; /* opaque; read-only after mailer_new() */

/* Build a mailer from cfg (copies what it needs; cfg may be released
 * afterwards). Never NULL; aborts on OOM. Configuration errors show at the
 * first send. */
struct mailer *mailer_new(const struct config *cfg);

/* 1 when the mailer writes to the log instead of using SMTP. */
int mailer_logs_only(const struct mailer *m);

/* Send msg to one recipient, blocking (see "Threading" above). Returns CD_OK
 * once the SMTP server accepted the message (or it was logged); CD_EINVAL
 * for a bad recipient or SMTP host; CD_EIO for any delivery failure
 * (connection, TLS, authentication, refusal, timeout), with the detail in
 * *err (never the recipient or the password). */
int mailer_send(struct mailer *m, const char *to, const struct mail_msg *msg,
                struct cd_error *err) CD_MUST_CHECK;

/* Free the mailer and wipe the SMTP password; m may be NULL. */
void mailer_free(struct mailer *m);

#endif /* CD_MAIL_MAIL_H */
