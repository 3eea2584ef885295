/* share.c -- POST /api/share-account[/:accountID] and POST /api/join.
 *
 * A super admin shares accounts (all of theirs, or the one in the path)
 * with an invitee by email (reference/offen-server.md §3.14, §9.8). The
 * sharer proves their password again; we unwrap each account's KEK with it
 * and give the invitee a pending relationship holding only EM: the KEK
 * wrapped with a key derived from the invitee's (lower-cased) email. An
 * invitee who has a password accepts at their next login
 * (operator_login()); a new one gets a mailed link with a signed join token
 * (7 days), and POST /api/join sets their password and wraps every KEK
 * with it.
 *
 * Deliberate differences from Offen:
 *   - sharing never demotes: grantAdminPrivileges only raises an existing
 *     invitee to super admin (Offen set the level either way, so sharing
 *     without the flag demoted an admin);
 *   - an account the invitee already has a pending invitation to is named
 *     in the mail again but gets no second relationship row (Offen adds a
 *     duplicate, which shows the account twice after login);
 *   - urlTemplate must be an http(s) URL of at most API_URL_TEMPLATE_MAX
 *     bytes, and the join link is made before anything is written, so a
 *     bad template or signing failure changes nothing (Offen answered 204
 *     without mail when signing failed);
 *   - a database failure is 503.
 * As in Offen, a new invitee's row and a raised admin level stay even if
 * the mail fails afterwards (500), and join answers 204 whatever happens
 * after the token checks (failures are logged).
 *
 * Runs on worker threads (api/call.h). KEKs come from the sharer's login
 * result, which wipes them on release.
 */
#include "common/common.h"

#include <strings.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/body.h"
#include "api/call.h"
#include "api/operator.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "crypto/argon.h"
#include "crypto/memeq.h"
#include "crypto/token.h"
#include "mail/mail.h"
#include "store/store.h"

struct share_req {
    const char *invitee;    /* email of who gets access */
    const char *email;      /* the sharer's own email and password */
    const char *password;
    const char *tmpl;       /* urlTemplate */
    int grant;              /* grantAdminPrivileges */
    const char *account_id; /* from the path; "" for all accounts */
};

struct share_result {
    const char **names; /* accounts granted (borrowed from the login) */
    size_t n;
    bool has_password;  /* the invitee can log in already */
};

enum holds { HOLDS_NONE, HOLDS_PENDING, HOLDS_ACCEPTED };

static enum holds holds_account(const struct store_user *u,
                                const char *account_id)
{
    enum holds h = HOLDS_NONE;

    for (size_t i = 0; i < u->nrels; i++) {
        if (strcmp(u->rels[i].account_id, account_id) != 0)
            continue;
        if (*u->rels[i].password_encrypted_kek != '\0')
            return HOLDS_ACCEPTED;
        h = HOLDS_PENDING;
    }
    return h;
}

/* Is account i of p a repeat of an earlier one (duplicate rows)? */
static bool seen_before(const struct operator_login *p, size_t i)
{
    for (size_t j = 0; j < i; j++) {
        if (strcmp(p->accounts[j].account_id, p->accounts[i].account_id) == 0)
            return true;
    }
    return false;
}

/* Pick the accounts to grant and make the invitee's new relationships
 * (rels[0..*nrels), room for p->naccounts). */
static int grant_accounts(const struct operator_login *p,
                          const struct share_req *q,
                          const struct store_user *inv,
                          struct store_relationship *rels, size_t *nrels,
                          struct share_result *out, struct cd_error *err)
{
    int rc = CD_OK;

    for (size_t i = 0; rc == CD_OK && i < p->naccounts; i++) {
        const struct operator_account *a = &p->accounts[i];
        enum holds h;

        if ((*q->account_id && strcmp(a->account_id, q->account_id) != 0) ||
            seen_before(p, i))
            continue;
        h = holds_account(inv, a->account_id);
        if (h == HOLDS_ACCEPTED)
            continue;
        out->names[out->n++] = a->name;
        if (h == HOLDS_PENDING)
            continue;
        rc = operator_grant(inv, q->invitee, "", a->account_id, a->kek,
                            &rels[*nrels], err);
        if (rc == CD_OK)
            (*nrels)++;
    }
    return rc;
}

/* Write what share() decided: a new invitee with its relationships, or
 * the new relationships of an existing one. */
static int save_share(struct store *st, const struct operator_keys *k,
                      struct store_user *inv, bool is_new,
                      const char *invitee, struct store_relationship *rels,
                      size_t nrels, struct cd_error *err)
{
    int rc;

    if (!is_new)
        return nrels ? store_relationships_insert(st, rels, nrels, err)
                     : CD_OK;
    inv->rels = rels;
    inv->nrels = nrels;
    rc = store_user_save(st, inv, err);
    inv->rels = NULL;
    inv->nrels = 0;
    if (rc == CD_OK &&
        operator_set_lookup(st, k, inv->account_user_id, invitee, err) < 0)
        log_warn("share: cannot record the email lookup: %s", err->msg);
    return rc;
}

static int share(struct store *st, const struct operator_keys *k,
                 const struct operator_login *p, const struct share_req *q,
                 struct share_result *out, struct cd_error *err)
{
    struct store_user inv = {0};
    struct store_relationship *rels;
    size_t nrels = 0, room = p->naccounts ? p->naccounts : 1;
    bool is_new = false;
    int rc = operator_find(st, k, q->invitee, false, &inv, err);

    if (rc == CD_ENOTFOUND) {
        is_new = true;
        rc = operator_user_new(q->invitee, "", q->grant ? 1 : 0, &inv, err);
    }
    if (rc < 0)
        return rc;
    out->has_password = *inv.hashed_password != '\0';
    out->names = xcalloc(room, sizeof(*out->names));
    rels = xcalloc(room, sizeof(*rels));
    /* Raise only, never demote (Offen's defect), and keep it as Offen
     * does even when nothing new is granted. */
    if (!is_new && q->grant && inv.admin_level != 1)
        rc = store_user_set_admin_level(st, inv.account_user_id, 1, err);
    if (rc == CD_OK)
        rc = grant_accounts(p, q, &inv, rels, &nrels, out, err);
    if (rc == CD_OK && out->n > 0)
        rc = save_share(st, k, &inv, is_new, q->invitee, rels, nrels, err);
    for (size_t i = 0; i < nrels; i++)
        store_relationship_release(&rels[i]);
    free(rels);
    store_user_release(&inv);
    return rc;
}

/* The join link for invitee, made from tmpl. CD_ETOOBIG if too long. */
static int join_link(const struct api_app *app, const char *invitee,
                     const char *tmpl, char **url)
{
    char *token = NULL;
    size_t n = 0;
    int rc = crypto_token_join_issue(&app->keys.signer, invitee,
                                     strlen(invitee), timefmt_now_s(),
                                     &token, &n);

    *url = NULL;
    if (rc == CD_OK)
        rc = api_url_fill(tmpl, token, url);
    free(token);
    return rc;
}

static int send_invite(const struct api_app *app, const char *invitee,
                       const struct share_result *res, const char *url,
                       struct cd_error *err)
{
    struct mail_msg msg = {0};
    int rc;

    if (res->has_password)
        rc = mail_render_existing_user_invite(res->names, res->n, &msg);
    else
        rc = mail_render_new_user_invite(url, &msg);
    if (rc < 0)
        cd_error_set(err, rc, "cannot render the invitation");
    else
        rc = api_mail(app, invitee, &msg, err);
    mail_msg_release(&msg);
    return rc;
}

static int read_share_req(const struct call *c, struct share_req *q,
                          struct cd_error *err)
{
    memset(q, 0, sizeof(*q));
    q->account_id = c->params[0];
    if (body_string(c->body, "invitee", OPERATOR_EMAIL_MAX, &q->invitee,
                    err) < 0 ||
        body_string(c->body, "emailAddress", OPERATOR_EMAIL_MAX, &q->email,
                    err) < 0 ||
        body_string(c->body, "password", 0, &q->password, err) < 0 ||
        body_string(c->body, "urlTemplate", API_URL_TEMPLATE_MAX, &q->tmpl,
                    err) < 0 ||
        body_bool(c->body, "grantAdminPrivileges", &q->grant, err) < 0)
        return CD_EINVAL;
    return CD_OK;
}

/* Offen's checks before sharing: the sharer's access to the account in
 * the path, their credentials (again), that they are the session's
 * operator and a super admin; then ours on the invitee and the template.
 * On failure the answer is set and a negative code returned; on success
 * *p is the sharer's login with the KEKs. */
static int check_sharer(struct call *c, struct store *st,
                        const struct operator_login *me,
                        const struct share_req *q, struct operator_login *p)
{
    struct cd_error err = {0};
    int rc;

    if (*q->account_id && !auth_has_account(me, q->account_id)) {
        call_reply_error(c, 401, "no access to account %s", q->account_id);
        return CD_EAUTH;
    }
    rc = operator_login(st, &c->app->keys, q->email, q->password, p, &err);
    if (rc == CD_ESTORE) {
        log_error("share: %s", err.msg);
        call_reply_error(c, 503, "database unavailable");
    } else if (rc < 0) {
        call_reply_error(c, 401, "invalid credentials");
    } else if (strcmp(p->account_user_id, me->account_user_id) != 0) {
        call_reply_error(c, 400, "the credentials are not the session's");
    } else if (p->admin_level != 1) {
        call_reply_error(c, 400, "only super admins can share accounts");
    } else if (!operator_email_ok(q->invitee) ||
               mail_addr_check(q->invitee) < 0) {
        call_reply_error(c, 400, "the invitee's email address is invalid");
    } else if (!api_url_template_ok(q->tmpl)) {
        call_reply_error(c, 400, "urlTemplate must be an http or https URL");
    } else {
        return CD_OK;
    }
    operator_login_release(p);
    return rc < 0 ? rc : CD_EINVAL;
}

/* Share and mail; the sharer checks have passed. */
static void share_and_mail(struct call *c, struct store *st,
                           const struct operator_login *p,
                           const struct share_req *q)
{
    struct share_result res = {0};
    struct cd_error err = {0};
    char *url = NULL;
    int rc = join_link(c->app, q->invitee, q->tmpl, &url);

    if (rc == CD_ETOOBIG) {
        call_reply_error(c, 400, "urlTemplate makes a link longer than %d "
                         "bytes", API_URL_MAX);
        return;
    }
    if (rc < 0) {
        call_reply_error(c, 500, "cannot sign the invitation");
        return;
    }
    rc = share(st, &c->app->keys, p, q, &res, &err);
    if (rc == CD_ESTORE) {
        log_error("share: %s", err.msg);
        call_reply_error(c, 503, "database unavailable");
    } else if (rc < 0) {
        call_reply_error(c, 400, "could not share: %s", err.msg);
    } else if (res.n == 0) {
        call_reply_error(c, 400, "user already has access to all requested "
                         "accounts");
    } else if (send_invite(c->app, q->invitee, &res, url, &err) < 0) {
        log_error("share: invitation not sent: %s", err.msg);
        call_reply_error(c, 500, "could not send the email");
    } else {
        call_reply_empty(c, 204);
    }
    free(res.names);
    free(url);
}

static void share_work(struct call *c, struct store *st)
{
    struct operator_login me, p;
    struct share_req q;
    struct cd_error err = {0};

    if (auth_require(c, st, &me) < 0)
        return;
    if (read_share_req(c, &q, &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
    } else if (check_sharer(c, st, &me, &q, &p) == CD_OK) {
        share_and_mail(c, st, &p, &q);
        operator_login_release(&p);
    }
    operator_login_release(&me);
}

void api_share_account(struct http_req *r)
{
    call_start(r, share_work, CALL_BODY);
}

/* ---- join ------------------------------------------------------------- */

/* PW = E(PK(password), D(EK, EM)) for every relationship of u. */
static int wrap_with_password(struct store_user *u, const char *email,
                              const char *password)
{
    unsigned char pk[32];
    int rc = operator_password_key(u, password, pk);

    if (rc == CD_OK)
        rc = api_em_rewrap(u, email, pk, API_KEK_PASSWORD);
    crypto_wipe(pk, sizeof(pk));
    return rc;
}

static int join(struct store *st, const struct operator_keys *k,
                const char *email, const char *password,
                struct cd_error *err)
{
    struct store_user u;
    char hash[CRYPTO_HASH_STRING_SIZE];
    int rc = operator_find(st, k, email, false, &u, err);

    if (rc < 0)
        return rc;
    rc = CD_EINVAL;
    if (*u.hashed_password != '\0')
        cd_error_set(err, rc, "the operator has joined already");
    else if (!operator_password_ok(password))
        cd_error_set(err, rc, "the password must have %d to %d bytes",
                     OPERATOR_PASSWORD_MIN, OPERATOR_PASSWORD_MAX);
    else if (wrap_with_password(&u, email, password) < 0)
        cd_error_set(err, rc, "cannot open the account keys with the email");
    else if (crypto_hash_string(password, strlen(password), hash) < 0)
        cd_error_set(err, CD_EIO, "cannot hash the password");
    else
        rc = CD_OK;
    if (rc == CD_OK) {
        free(u.hashed_password);
        u.hashed_password = xstrdup(hash);
        rc = store_user_save(st, &u, err);
    }
    crypto_wipe(hash, sizeof(hash));
    store_user_release(&u);
    return rc;
}

static void join_work(struct call *c, struct store *st)
{
    struct cd_error err = {0};
    const char *email, *password, *token;
    char *invited = NULL;
    size_t n = 0;

    if (body_string(c->body, "emailAddress", OPERATOR_EMAIL_MAX, &email,
                    &err) < 0 ||
        body_string(c->body, "password", 0, &password, &err) < 0 ||
        body_string(c->body, "token", CRYPTO_TOKEN_MAX, &token, &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
        return;
    }
    if (crypto_token_join_verify(&c->app->keys.signer, token, strlen(token),
                                 timefmt_now_s(), &invited, &n) < 0) {
        call_reply_error(c, 400, "invalid or expired token");
        return;
    }
    if (strcasecmp(invited, email) != 0) {
        call_reply_error(c, 400, "the token was issued for another email");
    } else {
        /* As Offen: whatever happens now, the answer is 204. */
        if (join(st, &c->app->keys, email, password, &err) < 0)
            log_warn("join: %s", err.msg);
        call_reply_empty(c, 204);
    }
    free(invited);
}

void api_join(struct http_req *r)
{
    call_start(r, join_work, CALL_BODY);
}
