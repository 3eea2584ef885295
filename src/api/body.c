/* body.c -- Go-compatible reading of JSON request bodies (see body.h). */
#include "common/common.h"
#include "api/body.h"

#include <strings.h>

#include "common/jsonx.h"

int body_parse(const char *buf, size_t len, json_t **out,
               struct cd_error *err)
{
    json_t *v = NULL;
    int rc;

    *out = NULL;
    if (len == 0)
        return cd_error_set(err, CD_EPROTO, "empty request body");
    rc = jsonx_parse(buf, len, &v, err);
    if (rc < 0)
        return rc;
    if (json_is_null(v)) {
        json_decref(v);
        v = json_object();
    }
    if (!json_is_object(v)) {
        json_decref(v);
        return cd_error_set(err, CD_EPROTO, "request body is not a JSON "
                            "object");
    }
    *out = v;
    return CD_OK;
}

/* The value of the last key matching name case-insensitively, or NULL. */
static json_t *field(const json_t *obj, const char *name)
{
    const char *key;
    json_t *value;
    json_t *found = NULL;

    json_object_foreach((json_t *)obj, key, value) {
        if (strcasecmp(key, name) == 0)
            found = value;
    }
    return found;
}

int body_string(const json_t *obj, const char *name, size_t max,
                const char **out, struct cd_error *err)
{
    json_t *v = field(obj, name);

    *out = "";
    if (v == NULL || json_is_null(v))
        return CD_OK;
    if (!json_is_string(v))
        return cd_error_set(err, CD_EPROTO, "field %s must be a string",
                            name);
    if (json_string_length(v) > (max ? max : BODY_MAX_FIELD))
        return cd_error_set(err, CD_ETOOBIG, "field %s is longer than %zu "
                            "bytes", name, max ? max : BODY_MAX_FIELD);
    *out = json_string_value(v);
    return CD_OK;
}

int body_bool(const json_t *obj, const char *name, int *out,
              struct cd_error *err)
{
    json_t *v = field(obj, name);

    *out = 0;
    if (v == NULL || json_is_null(v))
        return CD_OK;
    if (!json_is_boolean(v))
        return cd_error_set(err, CD_EPROTO, "field %s must be true or false",
                            name);
    *out = json_is_true(v);
    return CD_OK;
}
