/* jsonx.h -- JSON in and out, the way Offen's clients expect it.
 *
 * The only place that knows how JSON text is produced and parsed, so the
 * hot path can change library if a benchmark demands it. Output matches Go's
 * encoding/json: compact, object keys sorted, '<' '>' '&' U+2028 and U+2029
 * escaped as \u003c \u003e \u0026 \u2028 \u2029, no trailing newline.
 * Input is strict RFC 8259 (jansson): duplicate keys, trailing garbage,
 * invalid UTF-8 and NUL in strings are rejected.
 */
#ifndef CD_COMMON_JSONX_H
#define CD_COMMON_JSONX_H

#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

/* Serialise v; returns a malloc'd NUL-terminated string (caller frees) and
 * its length in *len. v NULL gives "null". */
char *jsonx_dump(const json_t *v, size_t *len);

/* Append s[0..n) to b as a JSON string literal, quotes included, escaped
 * exactly as jsonx_dump() escapes json_string(s): for writing a large
 * answer straight into a buffer instead of through a jansson tree.
 * CD_EPROTO if s is not valid UTF-8 (what json_stringn() refuses; a NUL
 * is escaped as \u0000), CD_ETOOBIG at b's cap; b is unchanged on
 * failure. */
int jsonx_add_string(struct buf *b, const char *s, size_t n) CD_MUST_CHECK;

/* Parse buf[0..len) into *out (caller json_decref()s). CD_EPROTO with the
 * position in err->msg on malformed input. */
int jsonx_parse(const char *buf, size_t len, json_t **out,
                struct cd_error *err) CD_MUST_CHECK;

/* Offen's error envelope {"error":msg,"status":status}; a msg that is not
 * valid UTF-8 is replaced by a generic one. Never NULL. */
json_t *jsonx_error(const char *msg, int status);

#endif /* CD_COMMON_JSONX_H */
