/* throttle.c -- Offen's throttles in front of the routes that have them.
 *
 * One wrapper per throttled route (reference/offen-server.md §3.0): it
 * finds the route's identity on the loop, runs the request through the
 * route's stages (ratelimit_gate()) and then calls the route's own handler.
 * routes.c points the route table at these wrappers.
 *
 * Identities and order follow Offen, whose middleware authenticates and
 * decodes before it throttles: a request without the identity (no valid
 * `auth` cookie, no `user` cookie, no consent, a body without the field)
 * is not throttled and goes straight to the handler, which answers it.
 * Email identities are lower-cased, as Candor matches emails. Without a
 * limiter (reverse-proxy mode) every wrapper calls its handler at once.
 *
 * Two-stage routes (login, forgot-password, join): the global stage comes
 * after the per-identity stage and only sees requests that passed it, so a
 * flood against one address is rejected by its own stage and does not
 * queue other operators behind it.
 */
#include "common/common.h"
#include "api/ratelimit.h"

#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "common/str.h"
#include "common/timefmt.h"
#include "crypto/gob.h"
#include "crypto/token.h"
#include "http/http.h"

#define LIN RATELIMIT_LINEAR
#define EXP RATELIMIT_EXPONENTIAL

/* No limiter (reverse-proxy mode): straight to the handler, with no
 * identity work. True when it did so. */
static bool off(struct http_req *r, void (*next)(struct http_req *))
{
    if (api_app_of(r)->ratelimit != NULL)
        return false;
    next(r);
    return true;
}

/* One stage keyed on ident (skipped when there is none). */
static void one(struct http_req *r, const char *scope,
                enum ratelimit_mode mode, unsigned d_ms, int found,
                const char *ident, size_t len, void (*next)(struct http_req *))
{
    struct ratelimit_check c = {scope, mode, d_ms, ident, len};

    if (!found) {
        next(r);
        return;
    }
    ratelimit_gate(r, &c, 1, next);
}

/* A per-identity stage, then the route's global stage. */
static void two(struct http_req *r, const char *scope, unsigned d_ms,
                unsigned global_ms, int found, const char *ident, size_t len,
                void (*next)(struct http_req *))
{
    struct ratelimit_check c[2] = {
        {scope, EXP, d_ms, ident, len},
        {scope, LIN, global_ms, NULL, 0},
    };

    if (!found) {
        next(r);
        return;
    }
    ratelimit_gate(r, c, 2, next);
}

/* --- visitors ------------------------------------------------------------- */

void api_exchange_post_rl(struct http_req *r)
{
    const char *id = NULL;
    size_t n = 0;
    int found;

    if (off(r, api_exchange_post))
        return;
    found = ratelimit_user(r, &id, &n);
    /* Without a cookie Offen keys on a fresh random id: no limit. */
    one(r, "postUserSecret", LIN, 1000, found, id, n, api_exchange_post);
}

void api_events_get_rl(struct http_req *r)
{
    const char *id = NULL;
    size_t n = 0;
    int found;

    if (off(r, api_events_get))
        return;
    found = ratelimit_user(r, &id, &n);
    one(r, "getEvents", LIN, 1000, found, id, n, api_events_get);
}

void api_events_post_rl(struct http_req *r)
{
    const char *id = NULL;
    size_t n = 0;
    struct http_str v;
    int found;

    if (off(r, api_events_post))
        return;
    found = http_cookie(r, "consent", &v) && v.len == 5 &&
            memcmp(v.ptr, "allow", 5) == 0 && ratelimit_user(r, &id, &n);
    one(r, "postEvents", LIN, 500, found, id, n, api_events_post);
}

void api_purge_rl(struct http_req *r)
{
    const char *id = NULL;
    size_t n = 0;
    int found;

    if (off(r, api_purge))
        return;
    found = ratelimit_user(r, &id, &n);
    one(r, "purgeEvents", LIN, 1000, found, id, n, api_purge);
}

/* --- operators ---------------------------------------------------------- */

/* The route's account id, when the caller has a valid session. */
static int session_param(struct http_req *r, const char **out, size_t *len)
{
    const char *who;
    size_t n;
    struct http_str p = http_param(r, 0);

    if (!ratelimit_session(r, &who, &n) || p.len == 0)
        return 0;
    *out = p.ptr;
    *len = p.len;
    return 1;
}

/* A route keyed on the caller's session (or the session's route id). */
static void on_session(struct http_req *r, const char *scope,
                       enum ratelimit_mode mode, unsigned d_ms, bool param,
                       void (*next)(struct http_req *))
{
    const char *id = NULL;
    size_t n = 0;
    int found;

    if (off(r, next))
        return;
    found = param ? session_param(r, &id, &n)
                  : ratelimit_session(r, &id, &n);
    one(r, scope, mode, d_ms, found, id, n, next);
}

void api_account_get_rl(struct http_req *r)
{
    on_session(r, "getAccount", LIN, 1000, true, api_account_get);
}

/* Candor's own route, keyed as getAccount is but apart from it, so that a
 * first sync may ask for both at once. */
void api_account_secrets_rl(struct http_req *r)
{
    on_session(r, "getAccountSecrets", LIN, 1000, true, api_account_secrets);
}

void api_account_delete_rl(struct http_req *r)
{
    on_session(r, "deleteAccount", LIN, 1000, true, api_account_delete);
}

void api_account_styles_rl(struct http_req *r)
{
    on_session(r, "putAccountStyles", EXP, 1000, false, api_account_styles);
}

void api_change_password_rl(struct http_req *r)
{
    on_session(r, "postChangePassword", LIN, 5000, false,
               api_change_password);
}

void api_change_email_rl(struct http_req *r)
{
    on_session(r, "postChangeEmail", LIN, 5000, false, api_change_email);
}

void api_share_account_rl(struct http_req *r)
{
    on_session(r, "postShareAccount", EXP, 1000, false, api_share_account);
}

void api_account_post_rl(struct http_req *r)
{
    struct ratelimit_field f = {"emailAddress", true, NULL, 0};
    const char *who;
    size_t n = 0;
    int found;

    if (off(r, api_account_post))
        return;
    found = ratelimit_session(r, &who, &n) && ratelimit_body_fields(r, &f, 1);
    one(r, "postAccount", LIN, 5000, found, f.out, f.len, api_account_post);
}

/* The two-stage routes keyed on an email field of the body. */
static void on_email(struct http_req *r, const char *field, const char *scope,
                     unsigned d_ms, unsigned global_ms,
                     void (*next)(struct http_req *))
{
    struct ratelimit_field f = {field, true, NULL, 0};
    int found;

    if (off(r, next))
        return;
    found = ratelimit_body_fields(r, &f, 1);
    two(r, scope, d_ms, global_ms, found, f.out, f.len, next);
}

void api_login_post_rl(struct http_req *r)
{
    on_email(r, "username", "postLogin", 1000, 500, api_login_post);
}

void api_forgot_password_rl(struct http_req *r)
{
    on_email(r, "emailAddress", "postForgotPassword", 5000, 1000,
             api_forgot_password);
}

/* reset-password is keyed on the email inside a valid reset token. */
void api_reset_password_rl(struct http_req *r)
{
    struct api_app *app = api_app_of(r);
    struct crypto_credentials cr = {0};
    struct ratelimit_field f = {"token", false, NULL, 0};
    char *email = NULL;
    size_t len = 0;
    int found;

    if (off(r, api_reset_password))
        return;
    found = ratelimit_body_fields(r, &f, 1) &&
            crypto_token_reset_verify(&app->keys.signer, f.out, f.len,
                                      timefmt_now_s(), &cr) == CD_OK;
    if (found) {
        struct http_str v = {cr.email, cr.email_len};

        email = http_strdup(r, v);
        len = cr.email_len; /* the decoder refuses a NUL in the email */
        str_lower(email, len);
    }
    crypto_credentials_release(&cr);
    one(r, "postResetPassword", EXP, 5000, found, email, len,
        api_reset_password);
}

/* join is keyed on the body's email when a valid invitation names it. */
void api_join_rl(struct http_req *r)
{
    struct api_app *app = api_app_of(r);
    struct ratelimit_field f[2] = {
        {"token", false, NULL, 0},
        {"emailAddress", true, NULL, 0},
    };
    char *invited = NULL;
    size_t in = 0;
    int found;

    if (off(r, api_join))
        return;
    found = ratelimit_body_fields(r, f, 2) &&
            crypto_token_join_verify(&app->keys.signer, f[0].out, f[0].len,
                                     timefmt_now_s(), &invited,
                                     &in) == CD_OK;
    if (found &&
        (in != f[1].len || strncasecmp(invited, f[1].out, f[1].len) != 0))
        found = 0; /* the handler answers 400 */
    free(invited);
    two(r, "postJoin", 1000, 500, found, f[1].out, f[1].len, api_join);
}

void api_setup_post_rl(struct http_req *r)
{
    if (off(r, api_setup_post))
        return;
    one(r, "postSetup", LIN, 5000, 1, NULL, 0, api_setup_post);
}
