/* routes.c -- the route table.
 *
 * Every API route is listed here, in one place, with its method, pattern
 * and flags; later issues add their resources here. Routes not listed fall
 * through to the static files and the single-page-app index (http/static.c).
 * Throttled routes point at their wrappers in throttle.c (the *_rl names),
 * which run Offen's rate limits and then the route's handler.
 */
#include "common/common.h"
#include "api/api.h"
#include "api/ratelimit.h"

/* A write under /api: not cached, and refused when a browser sends it
 * from another site (http/guard.h). */
#define API_WRITE (ROUTE_NO_STORE | ROUTE_SAME_ORIGIN)

const struct route api_routes[] = {
    {"*", "/healthz", api_healthz, ROUTE_NO_STORE},
    {"GET", "/versionz", api_versionz, ROUTE_NO_STORE},
    {"GET", "/vault", api_vault, ROUTE_FRAMEABLE},
    {"GET", "/api/exchange", api_exchange_get, ROUTE_NO_STORE},
    {"POST", "/api/exchange", api_exchange_post_rl, API_WRITE},
    {"GET", "/api/events", api_events_get_rl, ROUTE_NO_STORE},
    {"POST", "/api/events", api_events_post_rl, API_WRITE},
    {"POST", "/api/purge", api_purge_rl, API_WRITE},
    {"GET", "/api/setup", api_setup_get, ROUTE_NO_STORE},
    {"POST", "/api/setup", api_setup_post_rl, API_WRITE},
    {"GET", "/api/login", api_login_get, ROUTE_NO_STORE},
    {"POST", "/api/login", api_login_post_rl, API_WRITE},
    {"POST", "/api/logout", api_logout, API_WRITE},
    {"POST", "/api/accounts", api_account_post_rl, API_WRITE},
    {"GET", "/api/accounts/:accountID", api_account_get_rl, ROUTE_NO_STORE},
    {"GET", "/api/accounts/:accountID/secrets", api_account_secrets_rl,
     ROUTE_NO_STORE},
    {"DELETE", "/api/accounts/:accountID", api_account_delete_rl,
     API_WRITE},
    {"PUT", "/api/accounts/:accountID/account-styles", api_account_styles_rl,
     API_WRITE},
    {"POST", "/api/change-password", api_change_password_rl, API_WRITE},
    {"POST", "/api/change-email", api_change_email_rl, API_WRITE},
    {"POST", "/api/forgot-password", api_forgot_password_rl, API_WRITE},
    {"POST", "/api/reset-password", api_reset_password_rl, API_WRITE},
    {"POST", "/api/share-account", api_share_account_rl, API_WRITE},
    {"POST", "/api/share-account/:accountID", api_share_account_rl,
     API_WRITE},
    {"POST", "/api/join", api_join_rl, API_WRITE},
};
const size_t api_routes_count = CD_ARRAY_SIZE(api_routes);
