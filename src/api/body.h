/* body.h -- request bodies read the way Offen's Go server reads them.
 *
 * Go's encoding/json, which Offen's clients were written against: any
 * Content-Type is accepted (the vault posts text/plain), object keys match
 * case-insensitively, unknown keys are ignored, a missing key or a JSON null
 * is the zero value, and the body `null` is an object with every field
 * missing. An empty or malformed body, or a field of the wrong type, is an
 * error (400). The body size is capped by the HTTP server before we see it.
 */
#ifndef CD_API_BODY_H
#define CD_API_BODY_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"

#define BODY_MAX_FIELD 4096 /* longest string field we accept, in bytes */

/* Parse buf[0..len) into *out, an object (caller json_decref()s; never
 * NULL on success). CD_EPROTO with err->msg for empty, malformed or
 * non-object bodies. */
int body_parse(const char *buf, size_t len, json_t **out,
               struct cd_error *err) CD_MUST_CHECK;

/* The string field name of obj (case-insensitive key match; the last key
 * that matches wins, as in Go). Missing or null gives "". CD_EPROTO if the
 * value is not a string, CD_ETOOBIG past max bytes (0 = BODY_MAX_FIELD).
 * *out is borrowed from obj. */
int body_string(const json_t *obj, const char *name, size_t max,
                const char **out, struct cd_error *err) CD_MUST_CHECK;

/* The boolean field name of obj; missing or null gives 0. CD_EPROTO if the
 * value is not a boolean. */
int body_bool(const json_t *obj, const char *name, int *out,
              struct cd_error *err) CD_MUST_CHECK;

#endif /* CD_API_BODY_H */
