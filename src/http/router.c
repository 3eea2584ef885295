/* router.c -- segment matcher over a small route table (see router.h).
 *
 * The table is tiny (a few dozen routes), so a linear scan beats any tree in
 * both speed and clarity; each candidate is compared segment by segment
 * without copying.
 */
#include "common/common.h"
#include "http/router.h"

#include <string.h>

static int method_matches(const struct route *rt, const char *method,
                          size_t mlen)
{
    if (rt->method[0] == '*' && rt->method[1] == '\0')
        return 1;
    return strlen(rt->method) == mlen && memcmp(rt->method, method, mlen) == 0;
}

/* Compare one pattern against path[0..plen); fill params on success. */
static int pattern_matches(const char *pat, const char *path, size_t plen,
                           struct router_match *m)
{
    size_t i = 0;
    size_t np = 0;

    while (*pat != '\0') {
        if (*pat == ':') {
            size_t start = i;

            while (*pat != '\0' && *pat != '/')
                pat++;
            while (i < plen && path[i] != '/')
                i++;
            if (i == start || np == ROUTER_MAX_PARAMS)
                return 0;
            m->params[np].ptr = path + start;
            m->params[np].len = i - start;
            np++;
            continue;
        }
        if (i >= plen || path[i] != *pat)
            return 0;
        i++;
        pat++;
    }
    if (i != plen)
        return 0;
    m->nparams = np;
    return 1;
}

static int find(const struct route *routes, size_t n, const char *method,
                size_t mlen, const char *path, size_t plen,
                struct router_match *m)
{
    for (size_t k = 0; k < n; k++) {
        if (!method_matches(&routes[k], method, mlen))
            continue;
        if (pattern_matches(routes[k].pattern, path, plen, m)) {
            m->route = &routes[k];
            return 1;
        }
    }
    return 0;
}

enum router_result router_match(const struct route *routes, size_t n,
                                const char *method, size_t mlen,
                                const char *path, size_t plen,
                                struct router_match *m)
{
    char alt[ROUTER_MAX_PATH + 1];
    struct router_match scratch;

    m->route = NULL;
    m->nparams = 0;
    if (plen == 0 || plen > ROUTER_MAX_PATH || path[0] != '/')
        return ROUTER_NONE;
    if (find(routes, n, method, mlen, path, plen, m))
        return ROUTER_FOUND;
    /* Same path with the trailing slash toggled? */
    if (path[plen - 1] == '/') {
        if (plen == 1)
            return ROUTER_NONE;
        if (find(routes, n, method, mlen, path, plen - 1, &scratch))
            return ROUTER_REDIRECT;
    } else if (plen < ROUTER_MAX_PATH) {
        memcpy(alt, path, plen);
        alt[plen] = '/';
        if (find(routes, n, method, mlen, alt, plen + 1, &scratch))
            return ROUTER_REDIRECT;
    }
    return ROUTER_NONE;
}
