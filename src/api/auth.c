/* auth.c -- sessions: the signed `auth` cookie (see auth.h). */
#include "common/common.h"
#include "api/auth.h"

#include "api/api.h"
#include "api/call.h"
#include "api/cookie.h"
#include "api/operator.h"
#include "common/timefmt.h"
#include "crypto/token.h"
#include "store/store.h"

int auth_require(struct call *c, struct store *st, struct operator_login *out)
{
    struct cd_error err = {0};
    char *id = NULL;
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (c->auth == NULL) {
        call_reply_error(c, 401, "missing authentication token");
        return CD_EAUTH;
    }
    rc = crypto_token_auth_verify(&c->app->keys.signer, c->auth,
                                  strlen(c->auth), timefmt_now_s(), &id, &n);
    if (rc < 0) {
        auth_clear(c);
        call_reply_error(c, 401, "invalid or expired authentication token");
        return CD_EAUTH;
    }
    rc = operator_session(st, id, out, &err);
    free(id);
    if (rc == CD_ENOTFOUND) {
        auth_clear(c);
        call_reply_error(c, 401, "unknown operator");
        return CD_EAUTH;
    }
    if (rc < 0) {
        call_reply_error(c, 503, "database unavailable");
        return rc;
    }
    return CD_OK;
}

bool auth_has_account(const struct operator_login *l, const char *account_id)
{
    for (size_t i = 0; i < l->naccounts; i++) {
        if (strcmp(l->accounts[i].account_id, account_id) == 0)
            return true;
    }
    return false;
}

int auth_issue(struct call *c, const char *account_user_id)
{
    char cookie[COOKIE_MAX];
    char *token = NULL;
    size_t n = 0;
    int rc;

    rc = crypto_token_auth_issue(&c->app->keys.signer, account_user_id,
                                 strlen(account_user_id), timefmt_now_s(),
                                 &token, &n);
    if (rc < 0)
        return rc;
    cookie_auth(cookie, sizeof(cookie), token, c->secure);
    call_set_cookie(c, cookie);
    free(token);
    return CD_OK;
}

void auth_clear(struct call *c)
{
    char cookie[COOKIE_MAX];

    cookie_auth_clear(cookie, sizeof(cookie), c->secure);
    call_set_cookie(c, cookie);
}
