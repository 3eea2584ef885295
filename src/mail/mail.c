/* mail.c -- render the transactional mails; check recipient addresses.
 *
 * Bodies are assembled in a struct buf capped at MAIL_BODY_MAX bytes from
 * the locale's texts (templates.c) and the caller's values. Values are
 * copied as plain text, never HTML-escaped; ASCII control characters other
 * than TAB are dropped from them, so a URL or an account name can neither
 * break the layout nor reach a header. The subject is a fixed text.
 *
 * Threading: no state; every function may run on any thread.
 * Ownership: a rendered struct mail_msg owns its strings (mail_msg_release).
 */
#include "common/common.h"
#include "mail/mail.h"

#include "common/buf.h"
#include "common/xalloc.h"
#include "mail/templates.h"

static int is_dropped(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Append s without its control characters; CD_EINVAL if nothing is left. */
static int add_clean(struct buf *b, const char *s)
{
    size_t before = b->len;
    int rc;

    while (*s != '\0') {
        size_t n = 0;

        while (s[n] != '\0' && !is_dropped((unsigned char)s[n]))
            n++;
        rc = buf_add(b, s, n);
        if (rc < 0)
            return rc;
        s += n;
        while (*s != '\0' && is_dropped((unsigned char)*s))
            s++;
    }
    return b->len > before ? CD_OK : CD_EINVAL;
}

/* Move the finished body and the subject into *out. */
static void msg_fill(struct mail_msg *out, const char *subject,
                     struct buf *body)
{
    out->subject = xstrdup(subject);
    out->body = body->cap ? buf_detach(body, NULL) : xstrdup(body->ptr);
}

/* greeting, intro, the link, outro. */
static int render_link(const struct mail_template *t, const char *url,
                       struct mail_msg *out)
{
    const struct mail_texts *tx = mail_texts_default();
    struct buf body = BUF_INIT(MAIL_BODY_MAX + 1);
    int rc = CD_EINVAL;

    out->subject = NULL;
    out->body = NULL;
    if (url == NULL || *url == '\0')
        goto out;
    rc = buf_addf(&body, "%s\n\n%s\n\n", tx->greeting, t->intro);
    if (rc < 0)
        goto out;
    rc = add_clean(&body, url);
    if (rc < 0)
        goto out;
    rc = buf_addf(&body, "\n\n%s", t->outro);
    if (rc < 0)
        goto out;
    msg_fill(out, t->subject, &body);
out:
    buf_release(&body);
    return rc;
}

int mail_render_reset(const char *url, struct mail_msg *out)
{
    return render_link(&mail_texts_default()->reset_password, url, out);
}

int mail_render_new_user_invite(const char *url, struct mail_msg *out)
{
    return render_link(&mail_texts_default()->new_user_invite, url, out);
}

int mail_render_existing_user_invite(const char *const *account_names,
                                     size_t n, struct mail_msg *out)
{
    const struct mail_texts *tx = mail_texts_default();
    const struct mail_template *t = &tx->existing_user_invite;
    struct buf body = BUF_INIT(MAIL_BODY_MAX + 1);
    int rc = CD_EINVAL;

    out->subject = NULL;
    out->body = NULL;
    if (account_names == NULL || n == 0)
        goto out;
    rc = buf_addf(&body, "%s\n\n%s\n\n", tx->greeting, t->intro);
    for (size_t i = 0; rc == CD_OK && i < n; i++) {
        rc = CD_EINVAL;
        if (account_names[i] == NULL || account_names[i][0] == '\0')
            goto out;
        rc = buf_adds(&body, "- ");
        if (rc == CD_OK)
            rc = add_clean(&body, account_names[i]);
        if (rc == CD_OK)
            rc = buf_addch(&body, '\n');
    }
    if (rc == CD_OK)
        rc = buf_addf(&body, "\n%s", t->outro);
    if (rc < 0)
        goto out;
    msg_fill(out, t->subject, &body);
out:
    buf_release(&body);
    return rc;
}

void mail_msg_release(struct mail_msg *msg)
{
    if (msg == NULL)
        return;
    free(msg->subject);
    free(msg->body);
    msg->subject = NULL;
    msg->body = NULL;
}

int mail_addr_check(const char *addr)
{
    const char *at = NULL;
    size_t len;

    if (addr == NULL)
        return CD_EINVAL;
    len = strnlen(addr, MAIL_ADDR_MAX + 1);
    if (len == 0 || len > MAIL_ADDR_MAX)
        return CD_EINVAL;
    for (const char *p = addr; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c <= 0x20 || c == 0x7f || strchr("<>(),;:\"\\", c) != NULL)
            return CD_EINVAL;
        if (c == '@') {
            if (at != NULL)
                return CD_EINVAL;
            at = p;
        }
    }
    if (at == NULL || at == addr || at[1] == '\0')
        return CD_EINVAL;
    return CD_OK;
}
