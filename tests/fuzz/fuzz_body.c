/* fuzz_body.c -- the JSON bodies of every route: body_parse() and the
 * field readers of src/api/body.c, with each route's own fields and caps.
 *
 * Input: one byte R picking a route's field list (R % the number of
 * routes), then the body. Checks, besides "no crash":
 *   - a parsed body is an object; every field read gives CD_OK with a
 *     NUL-terminated string no longer than the field's cap, CD_EPROTO
 *     (wrong type) or CD_ETOOBIG (over the cap), and nothing else;
 *   - metamorphic: the same body with `,"<FIELD IN UPPER CASE>":"v"`
 *     inserted before its last '}' reads "v" for that field (Go's rule:
 *     keys match case-insensitively and the last one wins);
 *   - a string value of exactly the cap is accepted, one byte more is
 *     CD_ETOOBIG.
 */
#include <ctype.h>
#include <jansson.h>
#include <string.h>

#include "api/api.h"
#include "api/body.h"
#include "api/css.h"
#include "api/operator.h"
#include "common/err.h"
#include "fuzz.h"

struct field {
    const char *name;
    size_t max; /* 0: BODY_MAX_FIELD; SIZE_MAX: a boolean */
};

#define BOOL_FIELD SIZE_MAX
#define EMAIL_MAX OPERATOR_EMAIL_MAX
#define TEMPLATE_MAX API_URL_TEMPLATE_MAX
#define ACCOUNT_ID_MAX 64 /* VISITOR_ACCOUNT_MAX, private to visitor.c */

/* The fields each route reads (src/api/<route>.c). */
static const struct field routes[][5] = {
    {{"username", EMAIL_MAX}, {"password", 0}},                    /* login */
    {{"accountName", 0}, {"emailAddress", EMAIL_MAX}, {"password", 0}}, /* setup, accounts */
    {{"accountStyles", CSS_MAX_BYTES + 1}},                            /* styles */
    {{"emailAddress", EMAIL_MAX}, {"emailCurrent", EMAIL_MAX}, {"password", 0}},
    {{"currentPassword", 0}, {"changedPassword", 0}},
    {{"emailAddress", EMAIL_MAX}, {"urlTemplate", TEMPLATE_MAX}},          /* forgot */
    {{"emailAddress", EMAIL_MAX}, {"password", 0}, {"token", CRYPTO_TOKEN_MAX}}, /* reset, join */
    {{"invitee", EMAIL_MAX}, {"emailAddress", EMAIL_MAX}, {"password", 0},
     {"urlTemplate", TEMPLATE_MAX}, {"grantAdminPrivileges", BOOL_FIELD}},  /* share */
    {{"accountId", ACCOUNT_ID_MAX}},                                           /* exchange */
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static size_t cap_of(const struct field *f)
{
    return f->max ? f->max : BODY_MAX_FIELD;
}

/* Read every field of route r from obj and check the contract. */
static void read_fields(const json_t *obj, size_t r)
{
    for (size_t i = 0; i < 5 && routes[r][i].name; i++) {
        const struct field *f = &routes[r][i];
        struct cd_error err = {0};
        int rc;

        if (f->max == BOOL_FIELD) {
            int b = -1;

            rc = body_bool(obj, f->name, &b, &err);
            FUZZ_CHECK(rc == CD_OK || rc == CD_EPROTO);
            FUZZ_CHECK(b == 0 || b == 1);
        } else {
            const char *s = NULL;

            rc = body_string(obj, f->name, f->max, &s, &err);
            FUZZ_CHECK(rc == CD_OK || rc == CD_EPROTO || rc == CD_ETOOBIG);
            FUZZ_CHECK(s != NULL);
            if (rc == CD_OK)
                FUZZ_CHECK(strlen(s) <= cap_of(f));
            else
                FUZZ_CHECK(err.rc == rc && *s == '\0');
        }
    }
}

/* body with `,"NAME":<value>` before its last '}' (or NULL when it has
 * none), parsed; the caller json_decref()s. */
static json_t *with_field(const char *body, size_t len, const char *name,
                          const char *value, size_t vlen)
{
    const char *close = NULL;
    json_t *obj = NULL;
    struct cd_error err = {0};

    for (size_t i = len; i > 0; i--) {
        if (body[i - 1] == '}') {
            close = body + i - 1;
            break;
        }
    }
    if (close == NULL)
        return NULL;
    size_t head = (size_t)(close - body), nlen = strlen(name);
    size_t total = head + 3 + nlen + 2 + vlen + (len - head);
    char *text = malloc(total);
    char *p = text;

    memcpy(p, body, head), p += head;
    *p++ = ',', *p++ = '"';
    for (size_t i = 0; i < nlen; i++)
        *p++ = (char)toupper((unsigned char)name[i]);
    *p++ = '"', *p++ = ':';
    memcpy(p, value, vlen), p += vlen;
    memcpy(p, close, len - head), p += len - head;
    if (body_parse(text, (size_t)(p - text), &obj, &err) != CD_OK)
        obj = NULL;
    free(text);
    return obj;
}

/* A JSON string literal of n 'a's: "aaa...". */
static char *literal(size_t n, size_t *len)
{
    char *s = malloc(n + 2);

    s[0] = '"';
    memset(s + 1, 'a', n);
    s[n + 1] = '"';
    *len = n + 2;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cd_error err = {0};
    json_t *obj = NULL;
    size_t r;
    char *body;

    if (size < 1)
        return 0;
    r = data[0] % NROUTES;
    size--;
    body = malloc(size ? size : 1);
    memcpy(body, data + 1, size);
    if (body_parse(body, size, &obj, &err) != CD_OK) {
        FUZZ_CHECK(obj == NULL && err.rc == CD_EPROTO);
        free(body);
        return 0;
    }
    FUZZ_CHECK(json_is_object(obj));
    read_fields(obj, r);
    json_decref(obj);

    /* A parsing object body ends in '}' (after optional white space),
     * unless it was `null`. */
    for (size_t i = 0; i < 5 && routes[r][i].name; i++) {
        const struct field *f = &routes[r][i];
        json_t *more;

        if (f->max == BOOL_FIELD) {
            int b = 0;

            more = with_field(body, size, f->name, "true", 4);
            if (more == NULL)
                break;
            FUZZ_CHECK(body_bool(more, f->name, &b, &err) == CD_OK && b == 1);
            json_decref(more);
            continue;
        }
        const char *s = NULL;
        size_t llen;
        char *lit;

        more = with_field(body, size, f->name, "\"v\"", 3);
        if (more == NULL)
            break;
        FUZZ_CHECK(body_string(more, f->name, f->max, &s, &err) == CD_OK);
        FUZZ_CHECK(strcmp(s, "v") == 0);
        json_decref(more);
        if (size > 64 || cap_of(f) > BODY_MAX_FIELD)
            continue; /* the cap checks cost; run them on small bodies */
        lit = literal(cap_of(f), &llen);
        more = with_field(body, size, f->name, lit, llen);
        FUZZ_CHECK(more != NULL);
        FUZZ_CHECK(body_string(more, f->name, f->max, &s, &err) == CD_OK);
        FUZZ_CHECK(strlen(s) == cap_of(f));
        json_decref(more);
        free(lit);
        lit = literal(cap_of(f) + 1, &llen);
        more = with_field(body, size, f->name, lit, llen);
        FUZZ_CHECK(more != NULL);
        FUZZ_CHECK(body_string(more, f->name, f->max, &s, &err) ==
                   CD_ETOOBIG);
        json_decref(more);
        free(lit);
    }
    free(body);
    return 0;
}
