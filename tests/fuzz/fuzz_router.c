/* fuzz_router.c -- router_match() against a simple reference matcher.
 *
 * Input: "METHOD PATH" (split at the first space; without one, the method
 * is GET and the whole input is the path). Both are matched against two
 * tables: the server's real table, api_routes from src/api/routes.c, and
 * the representative table below, which has what the real table may grow
 * (several parameters, a trailing-slash route, more parameters than
 * ROUTER_MAX_PARAMS). The result must equal that of a segment-by-segment
 * reference implementation of router.h's contract, parameters included.
 *
 * routes.c is linked as an object whose symbols were all made weak
 * (tests/fuzz/CMakeLists.txt), so its handlers and the store stay
 * unresolved: they are never called here, only the table is read.
 */
#include "common/common.h"

#include <string.h>

#include "api/api.h"
#include "fuzz.h"
#include "http/router.h"

static void h(struct http_req *r)
{
    (void)r;
}

static const struct route sample[] = {
    {"*", "/healthz", h, ROUTE_NO_STORE},
    {"GET", "/api/accounts/:accountID", h, 0},
    {"PUT", "/api/accounts/:accountID/account-styles", h, 0},
    {"POST", "/api/share-account/", h, 0},
    {"GET", "/x/:a/:b", h, 0},
    {"GET", "/x/:a/:b/:c/:d", h, 0},
    {"GET", "/x/:a/:b/:c/:d/:e", h, 0}, /* 5 > ROUTER_MAX_PARAMS: never */
    {"GET", "/p:id/q", h, 0},           /* a parameter inside a segment */
    {"DELETE", "/", h, 0},
};

/* --- the reference: one segment at a time -------------------------------- */

static size_t seg_len(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);

    return slash ? (size_t)(slash - s) : n;
}

/* Does path[0..plen) match pattern? Params go to out[], up to max. */
static int ref_pattern(const char *pat, const char *path, size_t plen,
                       struct router_slice *out, size_t *np)
{
    size_t patlen = strlen(pat), i = 0, j = 0;

    *np = 0;
    for (;;) {
        size_t ps = seg_len(pat + i, patlen - i);
        size_t qs = seg_len(path + j, plen - j);
        const char *colon = memchr(pat + i, ':', ps);

        if (colon == NULL) {
            if (ps != qs || memcmp(pat + i, path + j, ps) != 0)
                return 0;
        } else {
            size_t lit = (size_t)(colon - (pat + i));

            if (qs <= lit || memcmp(pat + i, path + j, lit) != 0 ||
                *np == ROUTER_MAX_PARAMS)
                return 0;
            out[*np].ptr = path + j + lit;
            out[*np].len = qs - lit;
            ++*np;
        }
        i += ps;
        j += qs;
        if (i == patlen || j == plen)
            return i == patlen && j == plen;
        i++; /* both are at a '/' */
        j++;
    }
}

static const struct route *ref_find(const struct route *rt, size_t n,
                                    const char *m, size_t mlen,
                                    const char *path, size_t plen,
                                    struct router_slice *params, size_t *np)
{
    for (size_t k = 0; k < n; k++) {
        int any = strcmp(rt[k].method, "*") == 0;

        if (!any && (strlen(rt[k].method) != mlen ||
                     memcmp(rt[k].method, m, mlen) != 0))
            continue;
        if (ref_pattern(rt[k].pattern, path, plen, params, np))
            return &rt[k];
    }
    return NULL;
}

static enum router_result ref_match(const struct route *rt, size_t n,
                                    const char *m, size_t mlen,
                                    const char *path, size_t plen,
                                    struct router_slice *params, size_t *np,
                                    const struct route **found)
{
    struct router_slice scratch[ROUTER_MAX_PARAMS];
    size_t sn;
    char *alt;
    int hit;

    *found = NULL;
    *np = 0;
    if (plen == 0 || plen > ROUTER_MAX_PATH || path[0] != '/')
        return ROUTER_NONE;
    *found = ref_find(rt, n, m, mlen, path, plen, params, np);
    if (*found != NULL)
        return ROUTER_FOUND;
    if (path[plen - 1] == '/')
        return plen > 1 && ref_find(rt, n, m, mlen, path, plen - 1, scratch,
                                    &sn) ? ROUTER_REDIRECT : ROUTER_NONE;
    if (plen == ROUTER_MAX_PATH)
        return ROUTER_NONE;
    alt = malloc(plen + 1);
    FUZZ_CHECK(alt != NULL);
    memcpy(alt, path, plen);
    alt[plen] = '/';
    hit = ref_find(rt, n, m, mlen, alt, plen + 1, scratch, &sn) != NULL;
    free(alt);
    return hit ? ROUTER_REDIRECT : ROUTER_NONE;
}

/* --- the target ------------------------------------------------------------ */

static void check(const struct route *rt, size_t n, const char *m,
                  size_t mlen, const char *path, size_t plen)
{
    struct router_slice want[ROUTER_MAX_PARAMS];
    const struct route *want_route;
    struct router_match got;
    size_t want_n;
    enum router_result r, w;

    r = router_match(rt, n, m, mlen, path, plen, &got);
    w = ref_match(rt, n, m, mlen, path, plen, want, &want_n, &want_route);
    FUZZ_CHECK(r == w);
    if (r != ROUTER_FOUND) {
        FUZZ_CHECK(got.route == NULL && got.nparams == 0);
        return;
    }
    FUZZ_CHECK(got.route == want_route);
    FUZZ_CHECK(got.nparams == want_n && got.nparams <= ROUTER_MAX_PARAMS);
    for (size_t i = 0; i < got.nparams; i++) {
        FUZZ_CHECK(got.params[i].ptr == want[i].ptr);
        FUZZ_CHECK(got.params[i].len == want[i].len);
        FUZZ_CHECK(got.params[i].len > 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *sp = memchr(in, ' ', size);
    const char *m = "GET", *path = in;
    size_t mlen = 3, plen = size;
    char *p;

    if (sp != NULL) {
        m = in;
        mlen = (size_t)(sp - in);
        path = sp + 1;
        plen = size - mlen - 1;
    }
    p = malloc(plen ? plen : 1); /* exact length: over-reads are caught */
    FUZZ_CHECK(p != NULL);
    if (plen)
        memcpy(p, path, plen);
    check(api_routes, api_routes_count, m, mlen, p, plen);
    check(sample, CD_ARRAY_SIZE(sample), m, mlen, p, plen);
    free(p);
    return 0;
}
