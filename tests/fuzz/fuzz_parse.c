/* fuzz_parse.c -- every parse_ function of src/http/parse.h.
 *
 * Input: one byte L, then a name of L % 33 bytes (cut at a NUL, as a C
 * string would be), then the header value or query string. Each call runs
 * on an exact-length heap copy so a read past the end is caught. Besides
 * "no crash", the target checks:
 *   - a returned value lies inside the input and holds no separator;
 *   - appending a matching entry to the input is always found (metamorphic);
 *   - the input tiled to one byte past a cap is always refused (when the
 *     top bit of L is set; at the caps, see tests/unit/http/test_parse.c).
 */
#include "common/common.h"

#include <string.h>

#include "fuzz.h"
#include "http/parse.h"

#define NAME_MAX_LEN 32

struct input {
    char name[NAME_MAX_LEN + 1]; /* NUL-terminated */
    const char *v;               /* value: the rest of the input */
    size_t n;
};

static char *dup_exact(const void *p, size_t n)
{
    char *q = malloc(n ? n : 1);

    FUZZ_CHECK(q != NULL);
    if (n)
        memcpy(q, p, n);
    return q;
}

static int inside(struct parse_str s, const char *p, size_t n)
{
    return s.ptr >= p && s.len <= n && (size_t)(s.ptr - p) <= n - s.len;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static void check_cookie(const struct input *in)
{
    char *p = dup_exact(in->v, in->n);
    struct parse_str s;

    if (parse_cookie(p, in->n, in->name, &s)) {
        FUZZ_CHECK(in->name[0] != '\0' && in->n <= PARSE_MAX_HEADER);
        FUZZ_CHECK(inside(s, p, in->n));
        FUZZ_CHECK(memchr(s.ptr, ';', s.len) == NULL);
        FUZZ_CHECK(s.len == 0 || !is_ows(s.ptr[s.len - 1]) ||
                   s.ptr[s.len] == '"');
    }
    free(p);
}

static void check_query(const struct input *in)
{
    char *p = dup_exact(in->v, in->n);
    struct parse_str s;

    if (parse_query_param(p, in->n, in->name, &s)) {
        FUZZ_CHECK(in->name[0] != '\0' && in->n <= PARSE_MAX_QUERY);
        FUZZ_CHECK(inside(s, p, in->n));
        FUZZ_CHECK(memchr(s.ptr, '&', s.len) == NULL);
        FUZZ_CHECK(s.len == 0 || s.ptr[-1] == '=');
    }
    free(p);
}

static void check_predicates(const struct input *in)
{
    char *p = dup_exact(in->v, in->n);
    int g = parse_accepts_gzip(p, in->n);
    int e = parse_etag_listed(p, in->n, in->name);

    FUZZ_CHECK(g == 0 || g == 1);
    FUZZ_CHECK(e == 0 || e == 1);
    FUZZ_CHECK(parse_etag_listed(p, in->n, "\"abc\"") <= 1);
    if (in->n > PARSE_MAX_HEADER)
        FUZZ_CHECK(g == 0 && e == 0);
    free(p);
}

/* value + sep + entry, as an exact-length heap buffer; NULL if over cap. */
static char *append(const struct input *in, const char *sep,
                    const char *entry, size_t cap, size_t *len)
{
    size_t sl = strlen(sep), el = strlen(entry);
    char *p;

    if (in->n + sl + el > cap)
        return NULL;
    *len = in->n + sl + el;
    p = malloc(*len);
    FUZZ_CHECK(p != NULL);
    memcpy(p, in->v, in->n);
    memcpy(p + in->n, sep, sl);
    memcpy(p + in->n + sl, entry, el);
    return p;
}

/* A name that separators cannot split: a pair "name=v" appended after a
 * separator must then be found. */
static int plain_name(const char *name, const char *bad)
{
    return name[0] != '\0' && !is_ows(name[0]) && strpbrk(name, bad) == NULL;
}

static void check_appended(const struct input *in)
{
    char entry[NAME_MAX_LEN + 8];
    struct parse_str s;
    size_t len;
    char *p;

    snprintf(entry, sizeof(entry), "%s=v", in->name);
    if (plain_name(in->name, ";=") &&
        (p = append(in, "; ", entry, PARSE_MAX_HEADER, &len)) != NULL) {
        FUZZ_CHECK(parse_cookie(p, len, in->name, &s));
        free(p);
    }
    if (plain_name(in->name, "&") &&
        (p = append(in, "&", entry, PARSE_MAX_QUERY, &len)) != NULL) {
        FUZZ_CHECK(parse_query_param(p, len, in->name, &s));
        free(p);
    }
    /* an etag without separators or a W/ of its own, as its own entry */
    if (plain_name(in->name, ", \t") && strncmp(in->name, "W/", 2) != 0 &&
        (p = append(in, ", ", in->name, PARSE_MAX_HEADER, &len)) != NULL) {
        FUZZ_CHECK(parse_etag_listed(p, len, in->name));
        free(p);
    }
}

/* Does v[0..n) contain "gzip" in any ASCII case? */
static int mentions_gzip(const char *v, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++) {
        if (strncasecmp(v + i, "gzip", 4) == 0)
            return 1;
    }
    return 0;
}

static void check_gzip_appended(const struct input *in)
{
    size_t len;
    char *p;

    if (mentions_gzip(in->v, in->n))
        return;
    p = append(in, ",", "gzip", PARSE_MAX_HEADER, &len);
    if (p != NULL) {
        FUZZ_CHECK(parse_accepts_gzip(p, len) == 1);
        free(p);
    }
    p = append(in, ",", "gzip;q=0", PARSE_MAX_HEADER, &len);
    if (p != NULL) {
        FUZZ_CHECK(parse_accepts_gzip(p, len) == 0);
        free(p);
    }
}

/* The value repeated to fill n bytes (n > 0, in->n > 0). */
static char *tiled(const struct input *in, size_t n)
{
    char *p = malloc(n);

    size_t have = in->n < n ? in->n : n;

    FUZZ_CHECK(p != NULL);
    memcpy(p, in->v, have);
    while (have < n) { /* double what is there */
        size_t more = have < n - have ? have : n - have;

        memcpy(p + have, p, more);
        have += more;
    }
    return p;
}

static void check_caps(const struct input *in)
{
    struct parse_str s;
    char *p;

    if (in->n == 0)
        return;
    p = tiled(in, PARSE_MAX_HEADER + 1);
    FUZZ_CHECK(!parse_cookie(p, PARSE_MAX_HEADER + 1, in->name, &s));
    FUZZ_CHECK(!parse_accepts_gzip(p, PARSE_MAX_HEADER + 1));
    FUZZ_CHECK(!parse_etag_listed(p, PARSE_MAX_HEADER + 1, in->name));
    FUZZ_CHECK(!parse_query_param(p, PARSE_MAX_QUERY + 1, in->name, &s));
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in;
    size_t nlen;

    if (size == 0)
        return 0;
    nlen = data[0] % (NAME_MAX_LEN + 1);
    if (nlen > size - 1)
        nlen = size - 1;
    memcpy(in.name, data + 1, nlen);
    in.name[nlen] = '\0';
    in.v = (const char *)data + 1 + nlen;
    in.n = size - 1 - nlen;
    check_cookie(&in);
    check_query(&in);
    check_predicates(&in);
    check_appended(&in);
    check_gzip_appended(&in);
    if (data[0] & 0x80) /* on half of the inputs */
        check_caps(&in);
    return 0;
}
