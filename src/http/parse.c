/* parse.c -- lookups in Cookie, query, Accept-Encoding and If-None-Match
 * values (see parse.h).
 *
 * Each function makes one forward pass over its input and returns pointers
 * into it; nothing is copied or allocated, so the functions are safe on any
 * thread. The input caps are checked first, before any byte is read.
 */
#include "common/common.h"
#include "http/parse.h"

#include <string.h>

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static struct parse_str span(const char *p, size_t n)
{
    struct parse_str s = {p, n};

    return s;
}

/* --- Cookie ------------------------------------------------------------- */

/* The value of the pair p[eq+1..end), trimmed and unquoted. */
static struct parse_str cookie_value(const char *p, size_t eq, size_t end)
{
    const char *v = p + eq + 1;
    size_t vlen = end - eq - 1;

    while (vlen > 0 && is_ows(v[vlen - 1]))
        vlen--;
    if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
        v++;
        vlen -= 2;
    }
    return span(v, vlen);
}

int parse_cookie(const char *p, size_t n, const char *name,
                 struct parse_str *out)
{
    size_t nlen = strlen(name);
    size_t i = 0;

    if (n > PARSE_MAX_HEADER || nlen == 0)
        return 0;
    while (i < n) {
        size_t start, eq, end;

        while (i < n && (is_ows(p[i]) || p[i] == ';'))
            i++;
        start = i;
        while (i < n && p[i] != ';')
            i++;
        end = i;
        for (eq = start; eq < end && p[eq] != '='; eq++)
            continue;
        if (eq < end && eq - start == nlen &&
            memcmp(p + start, name, nlen) == 0) {
            *out = cookie_value(p, eq, end);
            return 1;
        }
    }
    return 0;
}

/* --- query string ------------------------------------------------------- */

int parse_query_param(const char *q, size_t n, const char *name,
                      struct parse_str *out)
{
    size_t nlen = strlen(name);
    size_t i = 0;

    if (n > PARSE_MAX_QUERY || nlen == 0)
        return 0;
    while (i < n) {
        size_t start = i, end;

        while (i < n && q[i] != '&')
            i++;
        end = i++; /* past the '&' (or one past n: the loop ends) */
        if (end - start < nlen || memcmp(q + start, name, nlen) != 0)
            continue;
        if (end - start == nlen) {
            *out = span(q + end, 0);
            return 1;
        }
        if (q[start + nlen] == '=') {
            *out = span(q + start + nlen + 1, end - start - nlen - 1);
            return 1;
        }
    }
    return 0;
}

/* --- Accept-Encoding ---------------------------------------------------- */

/* Is v[0..n) a q-value of zero: "0", or "0." followed by zeros only? */
static int qvalue_is_zero(const char *v, size_t n)
{
    if (n == 0 || v[0] != '0')
        return 0;
    if (n == 1)
        return 1;
    if (v[1] != '.')
        return 0;
    for (size_t i = 2; i < n; i++) {
        if (v[i] != '0')
            return 0;
    }
    return 1;
}

/* Read the parameters of one coding, from p[*pos] to the next ',' (or the
 * end), and advance *pos there. Returns 1 if the last q parameter among
 * them is zero. */
static int params_q_zero(const char *p, size_t n, size_t *pos)
{
    size_t i = *pos;
    int zero = 0;

    while (i < n && p[i] != ',') {
        size_t start;

        if (p[i] == ';' || is_ows(p[i])) {
            i++;
            continue;
        }
        start = i; /* one parameter: p[start..i) */
        while (i < n && p[i] != ';' && p[i] != ',' && !is_ows(p[i]))
            i++;
        if (i - start >= 2 && (p[start] == 'q' || p[start] == 'Q') &&
            p[start + 1] == '=')
            zero = qvalue_is_zero(p + start + 2, i - start - 2);
    }
    *pos = i;
    return zero;
}

/* Is p[0..n) "gzip", ignoring ASCII case? */
static int is_gzip(const char *p, size_t n)
{
    static const char gzip[] = "gzip";

    if (n != sizeof(gzip) - 1)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] - 'A' + 'a') : p[i];

        if (c != gzip[i])
            return 0;
    }
    return 1;
}

int parse_accepts_gzip(const char *p, size_t n)
{
    int star = 0;
    size_t i = 0;

    if (n > PARSE_MAX_HEADER)
        return 0;
    while (i < n) {
        size_t start, end;
        int zero;

        while (i < n && (is_ows(p[i]) || p[i] == ','))
            i++;
        start = i;
        while (i < n && p[i] != ',' && p[i] != ';' && !is_ows(p[i]))
            i++;
        end = i;
        zero = params_q_zero(p, n, &i);
        if (is_gzip(p + start, end - start))
            return !zero;
        if (end - start == 1 && p[start] == '*')
            star = !zero;
    }
    return star;
}

/* --- If-None-Match ------------------------------------------------------ */

int parse_etag_listed(const char *p, size_t n, const char *etag)
{
    size_t elen = strlen(etag);
    size_t i = 0;

    if (n > PARSE_MAX_HEADER || elen == 0)
        return 0;
    while (i < n) {
        size_t start;
        int weak = 0;

        while (i < n && (is_ows(p[i]) || p[i] == ','))
            i++;
        if (i + 1 < n && p[i] == 'W' && p[i + 1] == '/') {
            weak = 1;
            i += 2;
        }
        start = i; /* one entry: p[start..i) */
        while (i < n && p[i] != ',' && !is_ows(p[i]))
            i++;
        if (!weak && i - start == 1 && p[start] == '*')
            return 1;
        if (i - start == elen && memcmp(p + start, etag, elen) == 0)
            return 1;
    }
    return 0;
}
