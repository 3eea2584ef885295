/* jsonscan_ref.h -- the reference jsonscan_fields() must agree with.
 *
 * jansson's json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY), then the
 * rules of src/api/body.c (null is an object with no fields, any other
 * non-object is refused, the last key matching a name by strcasecmp()
 * wins, null is absent, a non-string is refused, then the length cap),
 * plus jsonscan's own depth cap and one fix: jansson 2.14 drops a NUL
 * byte that follows a number or a literal (its stream reads the NUL it
 * pushed back as "buffer empty"), so it accepts `{"a":1<NUL>}`; a raw NUL
 * is never valid JSON, and jsonscan refuses it. Shared by tests/unit/common/
 * test_jsonscan.c and tests/fuzz/fuzz_jsonscan.c; everything is static.
 */
#ifndef CD_TESTS_UNIT_COMMON_JSONSCAN_REF_H
#define CD_TESTS_UNIT_COMMON_JSONSCAN_REF_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/jsonscan.h"

/* The fields both sides look for: names differing only by case, a
 * non-ASCII name (ASCII folding only) and small caps to reach ETOOBIG. */
static const struct {
    const char *name;
    size_t max;
} ref_wanted[] = {
    { "accountId", 64 }, { "payload", 40 }, { "k", 2 }, { "K", 5 },
    { "\xc3\xa9t\xc3\xa9", 8 },
};
#define REF_NFIELDS (sizeof(ref_wanted) / sizeof(ref_wanted[0]))

struct ref_value {
    bool present;
    const char *ptr;
    size_t len;
};

/* Containers nested in v, v included (a scalar is 0). */
static size_t ref_depth(json_t *v)
{
    size_t max = 0, d;
    const char *key;
    json_t *child;
    size_t i;

    if (json_is_object(v)) {
        json_object_foreach(v, key, child) {
            d = ref_depth(child);
            max = d > max ? d : max;
        }
        return max + 1;
    }
    if (json_is_array(v)) {
        json_array_foreach(v, i, child) {
            d = ref_depth(child);
            max = d > max ? d : max;
        }
        return max + 1;
    }
    return 0;
}

/* The reference verdict on buf; *doc (caller json_decref()s) owns the
 * strings in out[] on CD_OK. */
static int ref_fields(const char *buf, size_t len, struct ref_value *out,
                      json_t **doc)
{
    json_error_t je;
    json_t *v;

    *doc = NULL;
    for (size_t i = 0; i < REF_NFIELDS; i++)
        out[i] = (struct ref_value){ false, "", 0 };
    if (len == 0 || memchr(buf, '\0', len) != NULL)
        return CD_EPROTO;
    v = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (v == NULL)
        return CD_EPROTO;
    *doc = v;
    if (json_is_null(v))
        return CD_OK;
    if (!json_is_object(v) || ref_depth(v) > JSONSCAN_MAX_DEPTH)
        return CD_EPROTO;
    for (size_t i = 0; i < REF_NFIELDS; i++) {
        const char *key;
        json_t *value, *found = NULL;

        json_object_foreach(v, key, value) {
            if (strcasecmp(key, ref_wanted[i].name) == 0)
                found = value;
        }
        if (found == NULL || json_is_null(found))
            continue;
        if (!json_is_string(found))
            return CD_EPROTO;
        if (json_string_length(found) > ref_wanted[i].max)
            return CD_ETOOBIG;
        out[i] = (struct ref_value){ true, json_string_value(found),
                                     json_string_length(found) };
    }
    return CD_OK;
}

/* 0 if jsonscan_fields() agrees with the reference on buf[0..len) (the
 * verdict, and on success every field's presence and decoded bytes);
 * otherwise -1, with the difference on stderr. */
static int ref_compare(const char *buf, size_t len)
{
    struct jsonscan_str got[REF_NFIELDS];
    struct jsonscan_field fields[REF_NFIELDS];
    struct ref_value want[REF_NFIELDS];
    struct cd_error err = { 0, "" };
    json_t *doc;
    int rc, ref, bad = 0;

    for (size_t i = 0; i < REF_NFIELDS; i++)
        fields[i] = (struct jsonscan_field){ ref_wanted[i].name,
                                             ref_wanted[i].max, &got[i] };
    rc = jsonscan_fields(buf, len, fields, REF_NFIELDS, &err);
    ref = ref_fields(buf, len, want, &doc);
    if (rc != ref) {
        fprintf(stderr, "jsonscan %d (%s), reference %d\n", rc, err.msg, ref);
        bad = 1;
    }
    if (rc < 0 && err.msg[0] == '\0') {
        fprintf(stderr, "jsonscan failed without a message\n");
        bad = 1;
    }
    for (size_t i = 0; i < REF_NFIELDS && !bad; i++) {
        char *v = jsonscan_strdup(&got[i]);

        if (rc < 0) /* failure: every field absent, whatever ref saw */
            want[i] = (struct ref_value){ false, "", 0 };
        if (got[i].present != want[i].present || got[i].len != want[i].len ||
            memcmp(v, want[i].ptr, want[i].len) != 0 ||
            strlen(v) != got[i].len ||
            (!got[i].escaped && memcmp(got[i].raw, v, got[i].len) != 0)) {
            fprintf(stderr, "field %s differs\n", ref_wanted[i].name);
            bad = 1;
        }
        free(v);
    }
    json_decref(doc);
    if (bad) {
        fprintf(stderr, "input (%zu bytes): ", len);
        for (size_t i = 0; i < len; i++)
            fprintf(stderr, (unsigned char)buf[i] >= 0x20 &&
                    (unsigned char)buf[i] < 0x7f ? "%c" : "\\x%02x",
                    (unsigned char)buf[i]);
        fprintf(stderr, "\n");
    }
    return bad ? -1 : 0;
}

#endif /* CD_TESTS_UNIT_COMMON_JSONSCAN_REF_H */
