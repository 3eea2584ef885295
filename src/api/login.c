/* login.c -- POST /api/login, GET /api/login, POST /api/logout.
 *
 * Logging in hands the operator the KEK of every account they can open
 * (as JWK), which their browser uses to unlock the account's private key;
 * the session itself is the signed `auth` cookie (auth.h).
 */
#include "common/common.h"

#include "api/api.h"
#include "api/auth.h"
#include "api/body.h"
#include "api/call.h"
#include "api/cookie.h"
#include "api/operator.h"
#include "api/ratelimit.h"
#include "common/log.h"
#include "http/http.h"

static void login_post(struct call *c, struct store *st)
{
    struct operator_login l;
    struct cd_error err = {0};
    const char *email, *password;
    int rc;

    if (body_string(c->body, "username", OPERATOR_EMAIL_MAX, &email, &err) < 0 ||
        body_string(c->body, "password", 0, &password, &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
        return;
    }
    rc = operator_login(st, &c->app->keys, email, password, &l, &err);
    if (rc == CD_ESTORE) {
        log_error("login: %s", err.msg);
        call_reply_error(c, 503, "database unavailable");
        return;
    }
    if (rc < 0) {
        call_reply_error(c, 401, "invalid credentials");
        return;
    }
    /* Knowing the password ends the guessing this stage slows down. */
    ratelimit_forget_email(c->app->ratelimit, "postLogin", email);
    if (auth_issue(c, l.account_user_id) < 0) {
        call_reply_error(c, 500, "cannot issue a session");
    } else {
        call_reply_json(c, 200, operator_login_json(&l, true));
    }
    operator_login_release(&l);
}

static void login_get(struct call *c, struct store *st)
{
    struct operator_login l;

    if (auth_require(c, st, &l) < 0)
        return;
    call_reply_json(c, 200, operator_login_json(&l, false));
    operator_login_release(&l);
}

void api_login_post(struct http_req *r)
{
    call_start(r, login_post, CALL_BODY);
}

void api_login_get(struct http_req *r)
{
    call_start(r, login_get, 0);
}

void api_logout(struct http_req *r)
{
    char cookie[COOKIE_MAX];

    cookie_auth_clear(cookie, sizeof(cookie), http_is_secure(r));
    http_add_header(r, "Set-Cookie", cookie);
    http_reply_empty(r, 204);
}
