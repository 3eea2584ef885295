/* router.h -- match a method and path against a route table.
 *
 * Pure and allocation-free, so it is unit-tested and fuzzed without a
 * server. Patterns are literal segments and ":name" segments, which match
 * one non-empty segment and are captured in order. Matching follows Offen's
 * router (reference/offen-server.md §1.3): exact routes only; when nothing
 * matches but the same path with or without a trailing slash has a route for
 * this method, the caller redirects (301 for GET, 307 otherwise); a known
 * path with another method is "no route" (there are no 405s).
 */
#ifndef CD_HTTP_ROUTER_H
#define CD_HTTP_ROUTER_H

#include <stddef.h>

#define ROUTER_MAX_PARAMS 4
#define ROUTER_MAX_PATH 2048 /* longer paths never match a route */

struct http_req;
typedef void (*http_handler_fn)(struct http_req *r);

enum route_flags {
    ROUTE_NO_STORE = 1 << 0, /* Cache-Control: no-store (API, health) */
    ROUTE_SAME_ORIGIN = 1 << 1, /* refuse cross-site requests (guard.h) */
    ROUTE_FRAMEABLE = 1 << 2,   /* may be framed by any site (the vault) */
};

struct route {
    const char *method;  /* "GET", "POST", ... or "*" for any method */
    const char *pattern; /* "/api/accounts/:accountID" */
    http_handler_fn fn;
    unsigned flags;      /* enum route_flags */
};

struct router_slice {
    const char *ptr;
    size_t len;
};

enum router_result {
    ROUTER_NONE = 0,     /* no route: static files or the SPA fallback */
    ROUTER_FOUND = 1,    /* m->route and m->params are set */
    ROUTER_REDIRECT = 2, /* the path with the trailing slash toggled matches */
};

struct router_match {
    const struct route *route;
    struct router_slice params[ROUTER_MAX_PARAMS];
    size_t nparams;
};

/* Match method[0..mlen) and path[0..plen) (no query string) against
 * routes[0..n). On ROUTER_REDIRECT the caller builds the Location by adding
 * or removing the final '/'. */
enum router_result router_match(const struct route *routes, size_t n,
                                const char *method, size_t mlen,
                                const char *path, size_t plen,
                                struct router_match *m);

#endif /* CD_HTTP_ROUTER_H */
