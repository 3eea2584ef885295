/* routes.c -- the route table.
 *
 * Every API route is listed here, in one place, with its method, pattern
 * and flags; later issues add their resources here. Routes not listed fall
 * through to the static files and the single-page-app index (http/static.c).
 */
#include "common/common.h"
#include "api/api.h"


const struct route api_routes[] = {
    {"*", "/healthz", api_healthz, ROUTE_NO_STORE},
    {"GET", "/versionz", api_versionz, ROUTE_NO_STORE},
    {"GET", "/vault", api_vault, 0},
    {"GET", "/api/exchange", api_exchange_get, ROUTE_NO_STORE},
    {"POST", "/api/exchange", api_exchange_post, ROUTE_NO_STORE},
    {"GET", "/api/events", api_events_get, ROUTE_NO_STORE},
    {"POST", "/api/events", api_events_post, ROUTE_NO_STORE},
    {"POST", "/api/purge", api_purge, ROUTE_NO_STORE},
    {"GET", "/api/setup", api_setup_get, ROUTE_NO_STORE},
    {"POST", "/api/setup", api_setup_post, ROUTE_NO_STORE},
    {"GET", "/api/login", api_login_get, ROUTE_NO_STORE},
    {"POST", "/api/login", api_login_post, ROUTE_NO_STORE},
    {"POST", "/api/logout", api_logout, ROUTE_NO_STORE},
    {"POST", "/api/accounts", api_account_post, ROUTE_NO_STORE},
    {"GET", "/api/accounts/:accountID", api_account_get, ROUTE_NO_STORE},
    {"DELETE", "/api/accounts/:accountID", api_account_delete,
     ROUTE_NO_STORE},
    {"PUT", "/api/accounts/:accountID/account-styles", api_account_styles,
     ROUTE_NO_STORE},
    {"POST", "/api/change-password", api_change_password, ROUTE_NO_STORE},
    {"POST", "/api/change-email", api_change_email, ROUTE_NO_STORE},
    {"POST", "/api/forgot-password", api_forgot_password, ROUTE_NO_STORE},
    {"POST", "/api/reset-password", api_reset_password, ROUTE_NO_STORE},
    {"POST", "/api/share-account", api_share_account, ROUTE_NO_STORE},
    {"POST", "/api/share-account/:accountID", api_share_account,
     ROUTE_NO_STORE},
    {"POST", "/api/join", api_join, ROUTE_NO_STORE},
};
const size_t api_routes_count = CD_ARRAY_SIZE(api_routes);
