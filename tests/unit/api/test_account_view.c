/* test_account_view.c -- the operator's account view written as JSON text
 * (api/account_view.c): its shape, escaping, rows left out, an account
 * whose own fields are not UTF-8, and its cap exactly at the answer's size
 * and one byte under; the same for the secrets alone
 * (account_secrets_json()). */
#include "common/common.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/account_view.h"
#include "store/store.h"

#define ACCOUNT "9b63c4d8-ac1b-4e9e-a8c4-8d4b3e0c6a11"

struct fixture {
    char dir[64];
    struct store *st;
};

static void exec_ok(struct store *st, const char *sql)
{
    struct cd_error err = {0};

    assert_int_equal(store_exec(st, sql, &err), CD_OK);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct cd_error err = {0};
    char db[128];

    snprintf(f->dir, sizeof(f->dir), "/tmp/candor-view-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(db, sizeof(db), "%s/c.db", f->dir);
    assert_int_equal(store_open(&f->st, CONFIG_DIALECT_SQLITE, db, &err),
                     CD_OK);
    assert_int_equal(store_migrate(f->st, &err), CD_OK);
    /* two events of one visitor (one with characters Go escapes), one
     * anonymous, one whose payload is not UTF-8, one of another account */
    exec_ok(f->st, "INSERT INTO secrets (secret_id, encrypted_secret) "
                   "VALUES ('s1', '{1,} c2VjcmV0')");
    exec_ok(f->st, "INSERT INTO events (event_id, sequence, account_id, "
                   "secret_id, payload) VALUES "
                   "('01A', '01B', '" ACCOUNT "', 's1', '{1,} a<b>&c'),"
                   "('01C', '01D', '" ACCOUNT "', 's1', '{1,} YQ=='),"
                   "('01E', '01F', '" ACCOUNT "', NULL, '{1,} Yg=='),"
                   "('01G', '01H', '" ACCOUNT "', NULL, CAST(X'7BFF7D' AS TEXT)),"
                   "('01J', '01K', 'other', NULL, '{1,} Yw==')");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[96];

    store_close(f->st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static const struct store_account account = {
    .account_id = ACCOUNT,
    .name = "Shop <1>",
    .public_key = "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"xyz\"}",
    .encrypted_private_key = "{1,} cHJpdg== bm9uY2U=",
    .user_salt = "{1,} c2FsdA==",
    .account_styles = "",
    .created_unix_ms = 1700000000000,
};

static char *view(struct store *st, const char *since, size_t max,
                  size_t *len, int *rc)
{
    struct cd_error err = {0};
    char *text = NULL;

    *rc = account_view_json(st, &account, 186, since, max, &text, len, &err);
    return text;
}

static void test_shape(void **state)
{
    struct fixture *f = *state;
    size_t len = 0;
    int rc;
    char *text = view(f->st, NULL, ACCOUNT_VIEW_MAX, &len, &rc);
    json_error_t jerr;
    json_t *v, *events;

    assert_int_equal(rc, CD_OK);
    assert_int_equal(strlen(text), len);
    /* Go's escaping of < > &, in the account name and in a payload */
    assert_non_null(strstr(text, "\"Shop \\u003c1\\u003e\""));
    assert_non_null(strstr(text, "a\\u003cb\\u003e\\u0026c"));
    v = json_loadb(text, len, 0, &jerr);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "accountId")),
                        ACCOUNT);
    assert_string_equal(json_string_value(json_object_get(v, "name")),
                        "Shop <1>");
    events = json_object_get(json_object_get(v, "events"), ACCOUNT);
    /* the payload that is not UTF-8 and the other account's are left out */
    assert_int_equal(json_array_size(events), 3);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(events, 0), "payload")),
                        "{1,} a<b>&c");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(events, 0), "secretId")), "s1");
    assert_null(json_object_get(json_array_get(events, 2), "secretId"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(v, "secrets"), "s1")),
                        "{1,} c2VjcmV0");
    assert_int_equal(json_object_size(json_object_get(v, "secrets")), 1);
    assert_string_equal(json_string_value(json_object_get(v, "sequence")),
                        "01H"); /* left out, but seen: no refetch */
    assert_null(json_object_get(v, "deletedEvents")); /* no since */
    json_decref(v);
    free(text);
}

static void test_since_and_tombstones(void **state)
{
    struct fixture *f = *state;
    size_t len = 0;
    int rc;
    char *text;
    json_t *v;

    exec_ok(f->st, "INSERT INTO tombstones (event_id, account_id, "
                   "secret_id, sequence) VALUES ('01X', '" ACCOUNT "', "
                   "'s1', '01Z')");
    text = view(f->st, "01C", ACCOUNT_VIEW_MAX, &len, &rc);
    assert_int_equal(rc, CD_OK);
    v = json_loadb(text, len, 0, NULL);
    assert_non_null(v);
    /* events with sequence > 01C: 01D (s1), 01F; 01H is not UTF-8 */
    assert_int_equal(json_array_size(json_object_get(
                         json_object_get(v, "events"), ACCOUNT)), 2);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(v, "deletedEvents"), 0)), "01X");
    assert_string_equal(json_string_value(json_object_get(v, "sequence")),
                        "01Z");
    json_decref(v);
    free(text);
    /* nothing since the last sequence: the account alone */
    text = view(f->st, "01Z", ACCOUNT_VIEW_MAX, &len, &rc);
    assert_int_equal(rc, CD_OK);
    assert_null(strstr(text, "\"events\""));
    assert_null(strstr(text, "\"secrets\""));
    assert_null(strstr(text, "\"sequence\""));
    free(text);
}

static void test_cap(void **state)
{
    struct fixture *f = *state;
    size_t len = 0, len2 = 0;
    int rc;
    char *text = view(f->st, NULL, ACCOUNT_VIEW_MAX, &len, &rc);
    char *again;

    assert_int_equal(rc, CD_OK);
    /* exactly the answer and its NUL: fits, byte for byte the same */
    again = view(f->st, NULL, len + 1, &len2, &rc);
    assert_int_equal(rc, CD_OK);
    assert_int_equal(len2, len);
    assert_memory_equal(again, text, len);
    free(again);
    /* one byte less: refused, nothing returned */
    again = view(f->st, NULL, len, &len2, &rc);
    assert_int_equal(rc, CD_ETOOBIG);
    assert_null(again);
    free(text);
}

static void test_account_not_utf8(void **state)
{
    struct fixture *f = *state;
    struct store_account bad = account;
    struct cd_error err = {0};
    char *text = (char *)"unchanged";
    size_t len = 7;

    /* the account's own name is not UTF-8: no JSON at all (the route
     * answers 500), unlike an event row, which is left out */
    bad.name = "\xff";
    assert_int_equal(account_view_json(f->st, &bad, 186, NULL,
                                       ACCOUNT_VIEW_MAX, &text, &len, &err),
                     CD_EPROTO);
    assert_null(text);
    assert_int_equal(len, 0);
    assert_int_equal(err.rc, CD_EPROTO);
    assert_non_null(strstr(err.msg, ACCOUNT));
}

static char *secrets(struct store *st, const struct store_account *a,
                     size_t max, size_t *len, int *rc)
{
    struct cd_error err = {0};
    char *text = NULL;

    *rc = account_secrets_json(st, a, NULL, max, &text, len, &err);
    return text;
}

static void test_secrets(void **state)
{
    struct fixture *f = *state;
    struct store_account other = account;
    size_t len = 0, len2 = 0;
    int rc;
    char *text, *again;

    /* a visitor whose wrapped secret is not UTF-8: left out */
    exec_ok(f->st, "INSERT INTO secrets (secret_id, encrypted_secret) "
                   "VALUES ('s2', CAST(X'7BFF7D' AS TEXT))");
    exec_ok(f->st, "INSERT INTO events (event_id, sequence, account_id, "
                   "secret_id, payload) VALUES "
                   "('01L', '01M', '" ACCOUNT "', 's2', '{1,} ZA==')");
    text = secrets(f->st, &account, ACCOUNT_VIEW_MAX, &len, &rc);
    assert_int_equal(rc, CD_OK);
    assert_string_equal(text, "{\"accountId\":\"" ACCOUNT "\","
                              "\"encryptedPrivateKey\":"
                              "\"{1,} cHJpdg== bm9uY2U=\","
                              "\"secrets\":{\"s1\":\"{1,} c2VjcmV0\"}}");
    assert_int_equal(len, strlen(text));
    /* the cap: exactly the answer and its NUL fits, one byte less not */
    again = secrets(f->st, &account, len + 1, &len2, &rc);
    assert_int_equal(rc, CD_OK);
    assert_string_equal(again, text);
    free(again);
    again = secrets(f->st, &account, len, &len2, &rc);
    assert_int_equal(rc, CD_ETOOBIG);
    assert_null(again);
    free(text);
    /* an account whose events are all anonymous: an empty map */
    other.account_id = "other";
    text = secrets(f->st, &other, ACCOUNT_VIEW_MAX, &len, &rc);
    assert_int_equal(rc, CD_OK);
    assert_non_null(strstr(text, "\"secrets\":{}}"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_since_and_tombstones, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_not_utf8, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_secrets, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
