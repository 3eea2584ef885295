/* accounts.c -- /api/accounts: read, create and retire accounts, and the
 * consent banner's styles.
 *
 * GET returns what an operator's browser needs to decrypt the account's
 * data: the public key, the private key encrypted with the KEK the login
 * handed out, and (from the events issue on) the events and the visitors'
 * wrapped secrets. Creating an account re-checks the operator's password,
 * as Offen does, because the new account's KEK is wrapped with it.
 */
#include "common/common.h"

#include "api/account_view.h"
#include "api/api.h"
#include "api/auth.h"
#include "api/body.h"
#include "api/call.h"
#include "api/css.h"
#include "api/operator.h"
#include "api/sanitize.h"
#include "common/config.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "crypto/memeq.h"
#include "crypto/ulid.h"
#include "store/store.h"

/* The answer to a read of account c->params[0]: text (rc CD_OK; the call
 * takes it), or the error's; too_big is the 413's message. */
static void account_answer(struct call *c, int rc, const struct cd_error *err,
                           const char *too_big, char *text, size_t len)
{
    if (rc == CD_ENOTFOUND) {
        call_reply_error(c, 404, "unknown account %s", c->params[0]);
    } else if (rc == CD_ETOOBIG) {
        log_error("account: %s", err->msg);
        call_reply_error(c, 413, "%s", too_big);
    } else if (rc == CD_EPROTO) {
        log_error("account: %s", err->msg);
        call_reply_error(c, 500, "account %s cannot be shown", c->params[0]);
    } else if (rc < 0) {
        log_error("account: %s", err->msg);
        call_reply_error(c, 503, "database unavailable");
    } else {
        call_reply_raw(c, 200, text, len);
    }
}

/* The operator's session, if it may read account c->params[0] (else the
 * answer is sent and -1 returned). */
static int may_read(struct call *c, struct store *st, struct operator_login *l)
{
    if (auth_require(c, st, l) < 0)
        return -1;
    if (!auth_has_account(l, c->params[0])) {
        call_reply_error(c, 403, "not allowed to access account %s",
                         c->params[0]);
        operator_login_release(l);
        return -1;
    }
    return 0;
}

/* Query parameter name, a ULID: *out is its value (free() it) or NULL
 * when it is absent or empty. -1 (and *out NULL) after answering 400 with
 * msg when it is not a ULID. */
static int ulid_param(struct call *c, const char *name, const char *msg,
                      char **out)
{
    *out = call_query_param(c, name);
    if (*out != NULL && **out == '\0') {
        free(*out);
        *out = NULL;
    }
    if (*out != NULL && !crypto_ulid_valid(*out, strlen(*out))) {
        free(*out);
        *out = NULL;
        call_reply_error(c, 400, "%s", msg);
        return -1;
    }
    return 0;
}

static void account_get(struct call *c, struct store *st)
{
    struct operator_login l;
    struct store_account a = {0};
    struct cd_error err = {0};
    char *since = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (may_read(c, st, &l) < 0)
        return;
    if (ulid_param(c, "since", "since is not a sequence", &since) < 0)
        goto out;
    rc = store_account_get(st, c->params[0], false, &a, &err);
    if (rc == CD_OK)
        rc = account_view_json(st, &a, c->app->cfg->app_retention_days,
                               since, ACCOUNT_VIEW_MAX, &text, &len, &err);
    account_answer(c, rc, &err, "too many events at once, sync with since",
                   text, len);
    store_account_release(&a);
out:
    free(since);
    operator_login_release(&l);
}

/* Candor's own: the private key and the visitors' secrets, without the
 * events (account_view.h), for a first sync to unwrap while the events
 * download; ?eventsFrom=<event id>: only the visitors seen since. */
static void account_secrets(struct call *c, struct store *st)
{
    struct operator_login l;
    struct store_account a = {0};
    struct cd_error err = {0};
    char *from = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (may_read(c, st, &l) < 0)
        return;
    if (ulid_param(c, "eventsFrom", "eventsFrom is not an event id",
                   &from) < 0)
        goto out;
    rc = store_account_get(st, c->params[0], false, &a, &err);
    if (rc == CD_OK)
        rc = account_secrets_json(st, &a, from, ACCOUNT_VIEW_MAX, &text,
                                  &len, &err);
    account_answer(c, rc, &err, "too many secrets at once", text, len);
    store_account_release(&a);
out:
    free(from);
    operator_login_release(&l);
}

static void account_delete(struct call *c, struct store *st)
{
    struct operator_login l;
    struct cd_error err = {0};
    int rc;

    if (auth_require(c, st, &l) < 0)
        return;
    if (!auth_has_account(&l, c->params[0]) || l.admin_level != 1) {
        call_reply_error(c, 403, "not allowed to retire account %s",
                         c->params[0]);
        goto out;
    }
    rc = store_account_retire(st, c->params[0], &err);
    if (rc == CD_ENOTFOUND)
        call_reply_error(c, 404, "unknown account %s", c->params[0]);
    else if (rc < 0)
        call_reply_error(c, 503, "database unavailable");
    else
        call_reply_empty(c, 204);
out:
    operator_login_release(&l);
}

/* Create the account and the creator's relationship to it. */
static int create(struct store *st, const char *name, const char *email,
                  const char *password, const char *user_id,
                  struct cd_error *err)
{
    struct store_user u = {0};
    struct store_account acc;
    struct store_relationship rel;
    unsigned char kek[32];
    int rc;

    rc = store_user_get(st, user_id, false, &u, err);
    if (rc < 0)
        return rc;
    rc = operator_account_new(NULL, name, &acc, kek, err);
    if (rc == CD_OK) {
        rc = operator_grant(&u, email, password, acc.account_id, kek, &rel,
                            err);
        if (rc == CD_OK) {
            rc = store_account_create(st, &acc, &rel, err);
            store_relationship_release(&rel);
        }
        store_account_release(&acc);
    }
    crypto_wipe(kek, sizeof(kek));
    store_user_release(&u);
    return rc;
}

static void account_post(struct call *c, struct store *st)
{
    struct operator_login session, l;
    struct cd_error err = {0};
    const char *name, *email, *password;
    char *clean = NULL;
    bool taken = false;
    int rc;

    if (auth_require(c, st, &session) < 0)
        return;
    memset(&l, 0, sizeof(l));
    if (body_string(c->body, "accountName", 0, &name, &err) < 0 ||
        body_string(c->body, "emailAddress", OPERATOR_EMAIL_MAX, &email,
                    &err) < 0 ||
        body_string(c->body, "password", 0, &password, &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
        goto out;
    }
    if (operator_login(st, &c->app->keys, email, password, &l, &err) < 0) {
        call_reply_error(c, 401, "invalid credentials");
        goto out;
    }
    if (strcmp(l.account_user_id, session.account_user_id) != 0) {
        call_reply_error(c, 400, "credentials do not match the session");
        goto out;
    }
    if (l.admin_level != 1) {
        call_reply_error(c, 403, "only super admins create accounts");
        goto out;
    }
    clean = sanitize_name(name, strlen(name));
    if (clean == NULL || *clean == '\0') {
        call_reply_error(c, 400, "the account name is empty or invalid");
        goto out;
    }
    if (store_account_name_taken(st, clean, &taken, &err) < 0 || taken) {
        call_reply_error(c, taken ? 409 : 503, taken ? "an account named %s "
                         "exists already" : "database unavailable", clean);
        goto out;
    }
    rc = create(st, clean, email, password, l.account_user_id, &err);
    if (rc < 0) {
        log_error("create account: %s", err.msg);
        call_reply_error(c, 500, "cannot create the account");
        goto out;
    }
    call_reply_json(c, 201, NULL);
out:
    free(clean);
    operator_login_release(&l);
    operator_login_release(&session);
}

static void account_styles(struct call *c, struct store *st)
{
    struct operator_login l;
    struct cd_error err = {0};
    const char *css;
    char *dry;
    int rc;

    if (body_string(c->body, "accountStyles", CSS_MAX_BYTES + 1, &css,
                    &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
        return;
    }
    if (auth_require(c, st, &l) < 0)
        return;
    if (!auth_has_account(&l, c->params[0])) {
        call_reply_error(c, 401, "not allowed to change account %s",
                         c->params[0]);
        goto out;
    }
    if (css_validate(css, strlen(css), &err) < 0) {
        call_reply_error(c, 400, "invalid styles: %s", err.msg);
        goto out;
    }
    dry = call_query_param(c, "dryRun");
    if (dry != NULL && *dry != '\0') {
        free(dry);
        call_reply_empty(c, 204);
        goto out;
    }
    free(dry);
    rc = store_account_set_styles(st, c->params[0], css, &err);
    if (rc == CD_ENOTFOUND)
        call_reply_error(c, 404, "unknown account %s", c->params[0]);
    else if (rc < 0)
        call_reply_error(c, 503, "database unavailable");
    else
        call_reply_empty(c, 204);
out:
    operator_login_release(&l);
}

void api_account_get(struct http_req *r)
{
    call_start(r, account_get, 0);
}

void api_account_secrets(struct http_req *r)
{
    call_start(r, account_secrets, 0);
}

void api_account_delete(struct http_req *r)
{
    call_start(r, account_delete, 0);
}

void api_account_post(struct http_req *r)
{
    call_start(r, account_post, CALL_BODY);
}

void api_account_styles(struct http_req *r)
{
    call_start(r, account_styles, CALL_BODY);
}
