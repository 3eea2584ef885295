/* parse.h -- the small parsers of request header values and query strings.
 *
 * Pure functions over (pointer, length) input that is not NUL-terminated:
 * no allocation, no h2o, no global state, so they are unit-tested and
 * fuzzed without a server (tests/fuzz/fuzz_parse.c). The input is
 * untrusted; the names and ETags they look for come from our own code.
 *
 * Caps. The server refuses request heads over 16 KiB by default
 * (CANDOR_SERVER_MAXHEADERBYTES), but that is configurable and a single
 * header value may take most of it. Each parser therefore has its own cap,
 * so the work per lookup is bounded whatever the server configuration:
 * a value longer than its cap is treated as absent (lookups return 0, the
 * predicates answer "no"). No legitimate client comes near them: browsers
 * keep one cookie under 4 KiB, Accept-Encoding and If-None-Match are tens
 * of bytes, and our query strings are a few short parameters.
 */
#ifndef CD_HTTP_PARSE_H
#define CD_HTTP_PARSE_H

#include <stddef.h>

#define PARSE_MAX_HEADER 8192 /* bytes of one header value we look into */
#define PARSE_MAX_QUERY 4096  /* bytes of a query string we look into */

/* A borrowed piece of the input; not NUL-terminated. */
struct parse_str {
    const char *ptr;
    size_t len;
};

/* Find cookie name in one Cookie header value p[0..n) ("a=1; b=2").
 * Pairs are separated by ';' with optional spaces or tabs around them; a
 * pair matches when the text before its first '=' is exactly name (case
 * sensitive, so "a" never matches "ab=1" or "a b=1"). The value runs to
 * the next ';' without trailing spaces or tabs; one pair of surrounding
 * double quotes is removed. Pairs without '=' are skipped; the first match
 * wins. Returns 1 and sets *out (pointing into p; the value may be empty),
 * or 0 when name is absent, name is empty, or n > PARSE_MAX_HEADER. Several
 * Cookie headers are the caller's business: call once per header. */
int parse_cookie(const char *p, size_t n, const char *name,
                 struct parse_str *out);

/* Find parameter name in the query string q[0..n) (after the '?'), split at
 * '&'. "name=v" gives v, a bare "name" gives an empty value; the first
 * match wins. Nothing is percent-decoded: name must be given as it appears
 * on the wire. Returns 1 and sets *out (pointing into q), or 0 when name is
 * absent, name is empty, or n > PARSE_MAX_QUERY. */
int parse_query_param(const char *q, size_t n, const char *name,
                      struct parse_str *out);

/* Does the Accept-Encoding value p[0..n) accept gzip? An explicit "gzip"
 * coding (ASCII case-insensitive) decides; otherwise "*" does; otherwise
 * no. A coding is refused by a q parameter of zero ("q=0", "q=0.", "q=0.0",
 * "q=0.000"; the q is case-insensitive); any other q, or none, accepts. The
 * first gzip (or the last "*") counts. Returns 1 or 0; 0 when
 * n > PARSE_MAX_HEADER. */
int parse_accepts_gzip(const char *p, size_t n);

/* Does the If-None-Match value p[0..n) list etag, or "*"? Uses the weak
 * comparison RFC 9110 prescribes for If-None-Match: a "W/" prefix on a
 * listed tag is ignored. etag is NUL-terminated and includes its quotes
 * ("\"abc\""). Entries are separated by commas and spaces or tabs; "*"
 * counts only as a whole entry. Returns 1 or 0; 0 when etag is empty or
 * n > PARSE_MAX_HEADER. */
int parse_etag_listed(const char *p, size_t n, const char *etag);

#endif /* CD_HTTP_PARSE_H */
