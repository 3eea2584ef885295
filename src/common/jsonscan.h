/* jsonscan.h -- pick a few string fields out of a JSON request body, fast.
 *
 * A validating scanner for the hot path (POST /api/events): it checks the
 * whole document exactly as strictly as jansson's
 * json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) followed by the
 * rules of api/body.c, and reports only the fields the caller names,
 * without building a tree and without allocating for ordinary bodies.
 *
 * The document: one JSON value (RFC 8259), white space around it allowed,
 * which must be an object or `null` (every field absent, as in Go).
 * Everything is validated, also values nobody asked for: UTF-8 (no
 * overlongs, surrogates, code points past U+10FFFF or truncated
 * sequences), no raw control characters in strings, only the RFC's
 * escapes, \uXXXX surrogates in pairs, no \u0000, numbers per the RFC
 * grammar, literals true/false/null, no duplicate key (exact bytes after
 * unescaping) in any object, and containers nested at most
 * JSONSCAN_MAX_DEPTH deep (the top-level object is depth 1). As in
 * jansson, an integer outside int64 and a number that overflows a double
 * are refused.
 *
 * Fields (Go's encoding/json, api/body.c): keys of the top-level object
 * match a field's name ignoring ASCII case; when several keys match, the
 * last one wins. A missing key and a JSON null are "absent"; any other
 * non-string value is an error.
 *
 * Stateless and thread-safe; buf need not be NUL-terminated.
 */
#ifndef CD_COMMON_JSONSCAN_H
#define CD_COMMON_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

#define JSONSCAN_MAX_DEPTH 32  /* nested objects/arrays, top-level included */
#define JSONSCAN_MAX_FIELDS 64 /* fields of one jsonscan_fields() call */

/* One string value, as found in the input. raw points into the caller's
 * buffer, between the quotes, and is not NUL-terminated. Without escapes
 * (escaped == false) raw[0..len) is the value itself; otherwise use
 * jsonscan_copy() or jsonscan_strdup() to get the decoded bytes. */
struct jsonscan_str {
    const char *raw;   /* the string's bytes in the input; "" when absent */
    size_t raw_len;    /* bytes of raw */
    size_t len;        /* bytes of the decoded value (<= raw_len) */
    bool escaped;      /* raw holds at least one backslash escape */
    bool present;      /* a string was found (missing key or null: false) */
};

/* A field the caller wants. */
struct jsonscan_field {
    const char *name;          /* the key, matched ignoring ASCII case */
    size_t max;                /* longest accepted value, in decoded bytes */
    struct jsonscan_str *out;  /* where the result goes */
};

/* Validate buf[0..len) and fill fields[i].out for i < nfields (at most
 * JSONSCAN_MAX_FIELDS). Returns CD_OK; CD_EPROTO for anything that is not
 * a valid JSON object or null (err->msg gives the byte offset), or for a
 * field whose value is not a string or null ("field NAME must be a
 * string"); CD_ETOOBIG for a field longer than its max; CD_EINVAL for
 * more than JSONSCAN_MAX_FIELDS fields. A document error wins over field
 * errors, and field errors are reported in the order of fields[]. On any
 * failure every out is absent. The outs borrow from buf. */
int jsonscan_fields(const char *buf, size_t len,
                    const struct jsonscan_field *fields, size_t nfields,
                    struct cd_error *err) CD_MUST_CHECK;

/* Write the decoded value of s to dst, which has room for s->len + 1
 * bytes, and a NUL after it. s must come from jsonscan_fields(). */
void jsonscan_copy(const struct jsonscan_str *s, char *dst);

/* The decoded value of s as a NUL-terminated malloc'd string (caller
 * frees); "" for an absent field. Aborts on OOM (s->len is capped by the
 * field's max). */
char *jsonscan_strdup(const struct jsonscan_str *s);

#endif /* CD_COMMON_JSONSCAN_H */
