/* password.c -- POST /api/change-password, /api/forgot-password and
 * /api/reset-password, and the helpers the management routes share.
 *
 * Each route re-wraps the account KEKs an operator holds
 * (reference/offen-server.md §9.8): a password change moves every PW from
 * the old password's key to the new one; forgot-password puts each KEK
 * under a random one-time key as well (OT) and mails that key, signed, in a
 * link; reset-password opens the OTs with it, writes new PWs and empties
 * the OTs, so a link works once.
 *
 * Status codes are Offen's: 400 for what the caller got wrong, 204 on
 * success; forgot-password answers 204 for an unknown email too (nothing
 * leaks, and it costs about what a known one costs, except the mail), and
 * reset-password answers 204 whatever happens after the token checks. A
 * database failure is 503 where Offen would say 400 (so a client does not
 * show "wrong password" for an outage).
 *
 * Runs on worker threads (api/call.h). Derived keys, KEKs and one-time
 * keys live in fixed buffers wiped on every path.
 */
#include "common/common.h"

#include <ctype.h>
#include <strings.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/body.h"
#include "api/call.h"
#include "api/operator.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "crypto/argon.h"
#include "crypto/gob.h"
#include "crypto/memeq.h"
#include "crypto/random.h"
#include "crypto/token.h"
#include "mail/mail.h"
#include "store/store.h"

#define ONE_TIME_KEY_LEN 32

/* ---- shared helpers (api.h) ------------------------------------------- */

bool api_url_template_ok(const char *tmpl)
{
    size_t n = strlen(tmpl), skip;

    if (strncasecmp(tmpl, "https://", 8) == 0)
        skip = 8;
    else if (strncasecmp(tmpl, "http://", 7) == 0)
        skip = 7;
    else
        return false;
    if (n <= skip || n > API_URL_TEMPLATE_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)tmpl; *p; p++) {
        if (*p <= ' ' || *p == 0x7f)
            return false;
    }
    return true;
}

int api_url_fill(const char *tmpl, const char *token, char **out)
{
    static const char marker[] = "{token}";
    struct buf b = BUF_INIT(API_URL_MAX + 1); /* len < max: up to the cap */
    const char *p = tmpl, *hit;
    int rc = CD_OK;

    *out = NULL;
    while (rc == CD_OK && (hit = strstr(p, marker)) != NULL) {
        rc = buf_add(&b, p, (size_t)(hit - p));
        if (rc == CD_OK)
            rc = buf_adds(&b, token);
        p = hit + sizeof(marker) - 1;
    }
    if (rc == CD_OK)
        rc = buf_adds(&b, p);
    if (rc == CD_OK)
        *out = buf_detach(&b, NULL);
    buf_release(&b);
    return rc;
}

bool api_password_matches(const struct store_user *u, const char *password)
{
    return *u->hashed_password != '\0' &&
           crypto_compare_string(password, strlen(password),
                                 u->hashed_password,
                                 strlen(u->hashed_password)) == CD_OK;
}

/* Opens one operator's EMs, deriving the lower-cased email's key once. */
struct em_opener {
    const struct store_user *u; /* borrowed */
    const char *email;          /* borrowed */
    unsigned char ek[32];       /* EK(lower-cased email), once derived */
    bool ready;                 /* ek holds the derived key */
};

/* KEK = D(EK, em). CD_OK, CD_EAUTH (no key opens it) or a crypto error. */
static int em_open(struct em_opener *o, const char *em, unsigned char kek[32])
{
    char *l;
    int rc;

    if (*em == '\0')
        return CD_EAUTH;
    l = operator_lower(o->email);
    if (!o->ready) {
        rc = crypto_derive_key(l, strlen(l), o->u->salt, strlen(o->u->salt),
                               o->ek);
        if (rc < 0)
            goto out;
        o->ready = true;
    }
    rc = operator_unwrap(o->ek, em, kek);
    /* A row written under the email as typed (by Offen). */
    if (rc < 0 && strcmp(l, o->email) != 0)
        rc = operator_unwrap_em(o->u, o->email, em, kek);
out:
    free(l);
    return rc;
}

static char **slot_of(struct store_relationship *rel, enum api_kek_slot slot)
{
    switch (slot) {
    case API_KEK_PASSWORD: return &rel->password_encrypted_kek;
    case API_KEK_EMAIL:    return &rel->email_encrypted_kek;
    case API_KEK_ONE_TIME: break;
    }
    return &rel->one_time_encrypted_kek;
}

int api_em_rewrap(struct store_user *u, const char *email,
                  const unsigned char key[32], enum api_kek_slot slot)
{
    struct em_opener o = {.u = u, .email = email};
    unsigned char kek[32];
    int rc = CD_OK;

    for (size_t i = 0; rc == CD_OK && i < u->nrels; i++) {
        char *wrapped = NULL;

        rc = em_open(&o, u->rels[i].email_encrypted_kek, kek);
        if (rc == CD_OK)
            rc = operator_wrap(key, kek, &wrapped);
        if (rc == CD_OK) {
            char **field = slot_of(&u->rels[i], slot);

            free(*field);
            *field = wrapped;
        }
    }
    crypto_wipe(kek, sizeof(kek));
    crypto_wipe(o.ek, sizeof(o.ek));
    return rc;
}

int api_mail(const struct api_app *app, const char *to,
             const struct mail_msg *msg, struct cd_error *err)
{
    if (app->mailer == NULL)
        return cd_error_set(err, CD_EIO, "no mailer is configured");
    return mailer_send(app->mailer, to, msg, err);
}

/* ---- change-password -------------------------------------------------- */

/* PW = E(PK(new), D(PK(old), PW)) for every accepted relationship of u. */
static int rewrap_passwords(struct store_user *u, const char *old_pw,
                            const char *new_pw, struct cd_error *err)
{
    unsigned char old_pk[32], new_pk[32], kek[32];
    int rc = operator_password_key(u, old_pw, old_pk);

    if (rc == CD_OK)
        rc = operator_password_key(u, new_pw, new_pk);
    for (size_t i = 0; rc == CD_OK && i < u->nrels; i++) {
        char *pw = NULL;

        rc = operator_unwrap(old_pk, u->rels[i].password_encrypted_kek, kek);
        if (rc == CD_OK)
            rc = operator_wrap(new_pk, kek, &pw);
        if (rc == CD_OK) {
            free(u->rels[i].password_encrypted_kek);
            u->rels[i].password_encrypted_kek = pw;
        }
    }
    crypto_wipe(old_pk, sizeof(old_pk));
    crypto_wipe(new_pk, sizeof(new_pk));
    crypto_wipe(kek, sizeof(kek));
    if (rc < 0)
        cd_error_set(err, CD_EINVAL, "cannot re-encrypt the account keys");
    return rc < 0 ? CD_EINVAL : CD_OK;
}

/* Set u's password hash to password's. */
static int set_password_hash(struct store_user *u, const char *password,
                             struct cd_error *err)
{
    char hash[CRYPTO_HASH_STRING_SIZE];

    if (crypto_hash_string(password, strlen(password), hash) < 0)
        return cd_error_set(err, CD_EIO, "cannot hash the password");
    free(u->hashed_password);
    u->hashed_password = xstrdup(hash);
    return CD_OK;
}

static int change_password(struct store *st, const char *user_id,
                           const char *current, const char *changed,
                           struct cd_error *err)
{
    struct store_user u;
    int rc = store_user_get(st, user_id, true, &u, err);

    if (rc == CD_ENOTFOUND)
        rc = cd_error_set(err, CD_EINVAL, "no such operator");
    if (rc < 0)
        goto out;
    rc = CD_EINVAL;
    if (!api_password_matches(&u, current)) {
        cd_error_set(err, rc, "the current password is not correct");
        goto out;
    }
    if (!operator_password_ok(changed)) {
        cd_error_set(err, rc, "the new password must have %d to %d bytes",
                     OPERATOR_PASSWORD_MIN, OPERATOR_PASSWORD_MAX);
        goto out;
    }
    rc = rewrap_passwords(&u, current, changed, err);
    if (rc == CD_OK)
        rc = set_password_hash(&u, changed, err);
    if (rc == CD_OK)
        rc = store_user_save(st, &u, err);
out:
    store_user_release(&u);
    return rc;
}

static void change_password_work(struct call *c, struct store *st)
{
    struct operator_login l;
    struct cd_error err = {0};
    const char *current, *changed;
    int rc;

    if (auth_require(c, st, &l) < 0)
        return;
    if (body_string(c->body, "currentPassword", 0, &current, &err) < 0 ||
        body_string(c->body, "changedPassword", 0, &changed, &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
        goto out;
    }
    rc = change_password(st, l.account_user_id, current, changed, &err);
    if (rc == CD_ESTORE) {
        log_error("change-password: %s", err.msg);
        call_reply_error(c, 503, "database unavailable");
    } else if (rc < 0) {
        call_reply_error(c, 400, "could not change password: %s", err.msg);
    } else {
        auth_clear(c);
        call_reply_empty(c, 204);
    }
out:
    operator_login_release(&l);
}

void api_change_password(struct http_req *r)
{
    call_start(r, change_password_work, CALL_BODY);
}

/* ---- forgot-password -------------------------------------------------- */

/* The reset link for email: a signed token carrying key, put into tmpl.
 * CD_ETOOBIG if the link would be too long. */
static int reset_link(const struct api_app *app, const char *email,
                      const unsigned char key[ONE_TIME_KEY_LEN],
                      const char *tmpl, char **url)
{
    char *token = NULL;
    size_t n = 0;
    int rc;

    *url = NULL;
    rc = crypto_token_reset_issue(&app->keys.signer, key, ONE_TIME_KEY_LEN,
                                  email, strlen(email), timefmt_now_s(),
                                  &token, &n);
    if (rc == CD_OK)
        rc = api_url_fill(tmpl, token, url);
    crypto_free_secret(token, n);
    return rc;
}

static int send_reset_mail(const struct api_app *app, const char *email,
                           const char *url, struct cd_error *err)
{
    struct mail_msg msg = {0};
    int rc = mail_render_reset(url, &msg);

    if (rc < 0)
        cd_error_set(err, rc, "cannot render the reset mail");
    else
        rc = api_mail(app, email, &msg, err);
    mail_msg_release(&msg);
    return rc;
}

/* Find the operator and put a new one-time key into its relationships
 * (in memory: *u is saved by the caller). CD_ENOTFOUND when there is
 * nothing to reset. A miss costs about what a hit does: operator_find()
 * spends one Argon2id on a miss, a hit spends one on the email key. */
static int prepare_reset(struct store *st, const struct api_app *app,
                         const char *email,
                         const unsigned char key[ONE_TIME_KEY_LEN],
                         struct store_user *u, struct cd_error *err)
{
    int rc = operator_find(st, &app->keys, email, true, u, err);

    if (rc < 0)
        return rc;
    rc = api_em_rewrap(u, email, key, API_KEK_ONE_TIME);
    if (rc < 0) {
        store_user_release(u);
        return cd_error_set(err, CD_ENOTFOUND, "cannot open the account "
                            "keys with the email");
    }
    return CD_OK;
}

/* The body of forgot-password; answers 400 itself when it is bad. */
static int read_forgot(struct call *c, const char **email, const char **tmpl)
{
    struct cd_error err = {0};

    if (body_string(c->body, "emailAddress", OPERATOR_EMAIL_MAX, email,
                    &err) < 0 ||
        body_string(c->body, "urlTemplate", API_URL_TEMPLATE_MAX, tmpl,
                    &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
        return CD_EINVAL;
    }
    if (!api_url_template_ok(*tmpl)) {
        call_reply_error(c, 400, "urlTemplate must be an http or https URL");
        return CD_EINVAL;
    }
    return CD_OK;
}

static void forgot_work(struct call *c, struct store *st)
{
    struct cd_error err = {0};
    struct store_user u = {0};
    unsigned char key[ONE_TIME_KEY_LEN];
    const char *email, *tmpl;
    char *url = NULL;
    int rc, found;

    if (read_forgot(c, &email, &tmpl) < 0)
        return;
    if (crypto_random(key, sizeof(key)) < 0) {
        call_reply_error(c, 500, "no randomness");
        goto out;
    }
    rc = prepare_reset(st, c->app, email, key, &u, &err);
    found = rc == CD_OK;
    if (rc == CD_ESTORE) {
        log_error("forgot-password: %s", err.msg);
        call_reply_error(c, 503, "database unavailable");
        goto out;
    }
    /* Known or not, the link is made: the same cost, and the same 400. */
    rc = reset_link(c->app, email, key, tmpl, &url);
    if (rc == CD_ETOOBIG) {
        call_reply_error(c, 400, "urlTemplate makes a link longer than %d "
                         "bytes", API_URL_MAX);
        goto out;
    }
    if (rc < 0 || !found) {
        if (rc < 0)
            log_error("forgot-password: cannot sign the reset token");
        else
            log_info("forgot-password: %s", err.msg);
        call_reply_empty(c, 204);
        goto out;
    }
    rc = store_user_save(st, &u, &err);
    if (rc < 0) {
        log_error("forgot-password: %s", err.msg);
        call_reply_error(c, 503, "database unavailable");
        goto out;
    }
    rc = send_reset_mail(c->app, email, url, &err);
    if (rc < 0) {
        log_error("forgot-password: mail not sent: %s", err.msg);
        call_reply_error(c, 500, "could not send the email");
        goto out;
    }
    call_reply_empty(c, 204);
out:
    crypto_wipe(key, sizeof(key));
    if (url != NULL)
        crypto_free_secret(url, strlen(url));
    store_user_release(&u);
}

void api_forgot_password(struct http_req *r)
{
    call_start(r, forgot_work, CALL_BODY);
}

/* ---- reset-password --------------------------------------------------- */

/* PW = E(PK(new), D(key, OT)), OT = "" for every accepted relationship. */
static int rewrap_one_time(struct store_user *u, const unsigned char *key,
                           const char *password)
{
    unsigned char pk[32], kek[32];
    int rc = operator_password_key(u, password, pk);

    for (size_t i = 0; rc == CD_OK && i < u->nrels; i++) {
        struct store_relationship *rel = &u->rels[i];
        char *pw = NULL;

        rc = operator_unwrap(key, rel->one_time_encrypted_kek, kek);
        if (rc == CD_OK)
            rc = operator_wrap(pk, kek, &pw);
        if (rc == CD_OK) {
            free(rel->password_encrypted_kek);
            rel->password_encrypted_kek = pw;
            free(rel->one_time_encrypted_kek);
            rel->one_time_encrypted_kek = xstrdup("");
        }
    }
    crypto_wipe(pk, sizeof(pk));
    crypto_wipe(kek, sizeof(kek));
    return rc;
}

static int reset_password(struct store *st, const struct operator_keys *k,
                          const char *email, const char *password,
                          const struct crypto_credentials *cr,
                          struct cd_error *err)
{
    struct store_user u;
    int rc = operator_find(st, k, email, true, &u, err);

    if (rc < 0)
        return rc;
    rc = CD_EINVAL;
    if (!operator_password_ok(password)) {
        cd_error_set(err, rc, "the new password must have %d to %d bytes",
                     OPERATOR_PASSWORD_MIN, OPERATOR_PASSWORD_MAX);
    } else if (cr->token_len != ONE_TIME_KEY_LEN ||
               rewrap_one_time(&u, cr->token, password) < 0) {
        cd_error_set(err, rc, "the one-time key does not open the account "
                     "keys (used already?)");
    } else {
        rc = set_password_hash(&u, password, err);
        if (rc == CD_OK)
            rc = store_user_save(st, &u, err);
    }
    store_user_release(&u);
    return rc;
}

static void reset_work(struct call *c, struct store *st)
{
    struct crypto_credentials cr = {0};
    struct cd_error err = {0};
    const char *email, *password, *token;

    if (body_string(c->body, "emailAddress", OPERATOR_EMAIL_MAX, &email,
                    &err) < 0 ||
        body_string(c->body, "password", 0, &password, &err) < 0 ||
        body_string(c->body, "token", CRYPTO_TOKEN_MAX, &token, &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
        return;
    }
    if (crypto_token_reset_verify(&c->app->keys.signer, token, strlen(token),
                                  timefmt_now_s(), &cr) < 0) {
        call_reply_error(c, 400, "invalid or expired token");
        return;
    }
    if (strcasecmp(cr.email, email) != 0) {
        call_reply_error(c, 400, "the token was issued for another email");
    } else {
        /* As Offen: whatever happens now, the answer is 204. */
        if (reset_password(st, &c->app->keys, email, password, &cr,
                           &err) < 0)
            log_warn("reset-password: %s", err.msg);
        call_reply_empty(c, 204);
    }
    crypto_credentials_release(&cr);
}

void api_reset_password(struct http_req *r)
{
    call_start(r, reset_work, CALL_BODY);
}
