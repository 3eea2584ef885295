/* email.c -- POST /api/change-email.
 *
 * An operator's email is both their login and a key: every relationship
 * holds the account's KEK wrapped with a key derived from it (EM), which
 * is how invitations and password resets reach the KEK without the
 * password. Changing the email therefore re-wraps every EM, pending
 * invitations included, under the new address (reference/offen-server.md
 * §9.8), and moves the email lookup (api/operator.h) to it.
 *
 * As everywhere in Candor, emails are matched case-insensitively, and the
 * rows we write use the lower-cased address: the new hashed_email and the
 * new EMs are made from it. The new address must not belong to another
 * operator (the same one in another case is fine).
 *
 * Status codes are Offen's (400 for any failure the caller causes, 204 and
 * a cleared session on success), except 503 for a database failure.
 * Runs on a worker thread (api/call.h).
 */
#include "common/common.h"

#include "api/api.h"
#include "api/auth.h"
#include "api/body.h"
#include "api/call.h"
#include "api/operator.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "crypto/argon.h"
#include "crypto/memeq.h"
#include "store/store.h"

struct email_change {
    const char *user_id;  /* the session's operator */
    const char *current;  /* emailCurrent */
    const char *changed;  /* emailAddress: the new one */
    const char *password;
};

/* EM = E(EK(new), D(EK(current), EM)) for every relationship of u. */
static int rewrap_emails(struct store_user *u, const char *current,
                         const char *lower_new, struct cd_error *err)
{
    unsigned char ek[32];
    int rc = crypto_derive_key(lower_new, strlen(lower_new), u->salt,
                               strlen(u->salt), ek);

    if (rc == CD_OK)
        rc = api_em_rewrap(u, current, ek, API_KEK_EMAIL);
    crypto_wipe(ek, sizeof(ek));
    if (rc < 0)
        return cd_error_set(err, CD_EINVAL, "cannot re-encrypt the account "
                            "keys");
    return CD_OK;
}

/* CD_OK if no operator but user_id has the email. */
static int email_free(struct store *st, const struct operator_keys *k,
                      const char *email, const char *user_id,
                      struct cd_error *err)
{
    struct store_user other;
    int rc = operator_find(st, k, email, false, &other, err);

    if (rc == CD_ENOTFOUND)
        return CD_OK;
    if (rc == CD_OK && strcmp(other.account_user_id, user_id) != 0)
        rc = cd_error_set(err, CD_EINVAL, "the new email address is in use");
    store_user_release(&other);
    return rc;
}

/* Find the session's operator by its current email and check the
 * password; *u is theirs (with pending relationships) on CD_OK. */
static int load_checked(struct store *st, const struct operator_keys *k,
                        const struct email_change *q, struct store_user *u,
                        struct cd_error *err)
{
    int rc = operator_find(st, k, q->current, false, u, err);

    if (rc == CD_ENOTFOUND)
        return cd_error_set(err, CD_EINVAL, "the current email address is "
                            "not correct");
    if (rc < 0)
        return rc;
    if (strcmp(u->account_user_id, q->user_id) != 0)
        rc = cd_error_set(err, CD_EINVAL, "the current email address is not "
                          "correct");
    else if (!api_password_matches(u, q->password))
        rc = cd_error_set(err, CD_EINVAL, "the password is not correct");
    if (rc < 0)
        store_user_release(u);
    return rc;
}

static int change_email(struct store *st, const struct operator_keys *k,
                        const struct email_change *q, struct cd_error *err)
{
    struct store_user u = {0};
    char hash[CRYPTO_HASH_STRING_SIZE];
    char *lower_new = operator_lower(q->changed);
    int rc = CD_EINVAL;

    if (!operator_email_ok(q->changed)) {
        cd_error_set(err, rc, "the new email address is invalid");
        goto out;
    }
    rc = load_checked(st, k, q, &u, err);
    if (rc == CD_OK)
        rc = email_free(st, k, q->changed, u.account_user_id, err);
    if (rc == CD_OK)
        rc = rewrap_emails(&u, q->current, lower_new, err);
    if (rc == CD_OK &&
        crypto_hash_string(lower_new, strlen(lower_new), hash) < 0)
        rc = cd_error_set(err, CD_EIO, "cannot hash the email address");
    if (rc < 0)
        goto out;
    free(u.hashed_email);
    u.hashed_email = xstrdup(hash);
    rc = store_user_save(st, &u, err);
    /* Without a lookup the next login finds the operator by a scan. */
    if (rc == CD_OK &&
        operator_set_lookup(st, k, u.account_user_id, lower_new, err) < 0)
        log_warn("change-email: cannot record the email lookup: %s",
                 err->msg);
out:
    free(lower_new);
    store_user_release(&u);
    return rc;
}

static void change_email_work(struct call *c, struct store *st)
{
    struct operator_login l;
    struct email_change q = {0};
    struct cd_error err = {0};
    int rc;

    if (auth_require(c, st, &l) < 0)
        return;
    q.user_id = l.account_user_id;
    if (body_string(c->body, "emailAddress", OPERATOR_EMAIL_MAX, &q.changed,
                    &err) < 0 ||
        body_string(c->body, "emailCurrent", OPERATOR_EMAIL_MAX, &q.current,
                    &err) < 0 ||
        body_string(c->body, "password", 0, &q.password, &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
        goto out;
    }
    rc = change_email(st, &c->app->keys, &q, &err);
    if (rc == CD_ESTORE) {
        log_error("change-email: %s", err.msg);
        call_reply_error(c, 503, "database unavailable");
    } else if (rc < 0) {
        call_reply_error(c, 400, "could not change email: %s", err.msg);
    } else {
        auth_clear(c);
        call_reply_empty(c, 204);
    }
out:
    operator_login_release(&l);
}

void api_change_email(struct http_req *r)
{
    call_start(r, change_email_work, CALL_BODY);
}
