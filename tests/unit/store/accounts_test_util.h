/* accounts_test_util.h -- helpers for the operator and account tests.
 *
 * Builds on store_test_util.h: a migrated store in a temporary folder, a
 * copy of Offen's fixture, and the ids the fixture holds. Helpers fail the
 * test on any unexpected error.
 */
#ifndef CD_TESTS_ACCOUNTS_TEST_UTIL_H
#define CD_TESTS_ACCOUNTS_TEST_UTIL_H

#include "store/store.h"

#include "store_test_util.h"

/* What offen-1.4.2-demo.sqlite holds (checked with sqlite3). */
#define FIX_ACCOUNT "93f5cf71-045b-4259-8239-8ebfa92285e1"
#define FIX_USER "7e639d9e-f662-4caa-88ea-bc4179cf9497"
#define FIX_REL "beeafb28-2f72-49a2-9733-671ad3f9b55f"
#define FIX_CREATED_TEXT "2026-11-27 18:09:58.267120485+00:00"
#define FIX_CREATED_MS INT64_C(1795802998267)

static inline struct store *store_at(const char *path, bool migrate)
{
    struct cd_error err = {0};
    struct store *st = NULL;

    if (store_open(&st, test_dialect(), path, &err) != CD_OK)
        fail_msg("store_open(%s): %s", path, err.msg);
    if (migrate && store_migrate(st, &err) != CD_OK)
        fail_msg("store_migrate(%s): %s", path, err.msg);
    return st;
}

/* A migrated, empty database d/name. */
static inline struct store *fresh_store(struct tdir *d, const char *name)
{
    return store_at(tdir_file(d, name), true);
}

/* A copy of Offen's fixture at d/name (the original is never opened for
 * writing). */
static inline const char *fixture_copy(struct tdir *d, const char *name)
{
    const char *path;

    if (!test_on_sqlite())
        tdir_remove(d);
    SKIP_UNLESS_SQLITE("the fixture is Offen's SQLite database");
    path = tdir_file(d, name);

    copy_file(FIXTURE_DB, path);
    return path;
}

/* PostgreSQL and MySQL have Offen's foreign key from relationships to
 * users: there, the two operators the tests give relationships to before
 * (or without) saving them are created first, as bare rows. */
static inline void parent_users(const char *path)
{
    if (!test_on_sqlite())
        file_exec(path, "INSERT INTO account_users (account_user_id, "
                        "admin_level) VALUES "
                        "('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 0), "
                        "('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 0)");
}

/* Fail with the message in the caller's `struct cd_error err` unless call
 * returns CD_OK. */
#define OK(call)                                                             \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_ != CD_OK)                                                    \
            fail_msg("%s = %d: %s", #call, rc_, err.msg);                    \
    } while (0)

/* Rows to write, pointing at string literals (the store never frees what
 * it is given). */
static inline struct store_relationship rel_of(const char *id,
                                               const char *user,
                                               const char *account,
                                               const char *pw)
{
    struct store_relationship r = {
        .relationship_id = (char *)id,
        .account_user_id = (char *)user,
        .account_id = (char *)account,
        .password_encrypted_kek = (char *)pw,
        .email_encrypted_kek = (char *)"{1,} em nonce",
        .one_time_encrypted_kek = (char *)"",
    };

    return r;
}

static inline struct store_account account_of(const char *id,
                                              const char *name)
{
    struct store_account a = {
        .account_id = (char *)id,
        .name = (char *)name,
        .public_key = (char *)"{\"kty\":\"RSA\"}",
        .encrypted_private_key = (char *)"{1,} priv nonce",
        .user_salt = (char *)"{1,} c2FsdA==",
        .account_styles = (char *)"",
        .retired = false,
        .created_unix_ms = INT64_C(1714550400123),
    };

    return a;
}

static inline struct store_user user_of(const char *id, const char *email)
{
    struct store_user u = {
        .account_user_id = (char *)id,
        .hashed_email = (char *)email,
        .hashed_password = (char *)"{3,} pw hash",
        .salt = (char *)"{3,} C1JtDiorSDA=",
        .admin_level = 1,
    };

    return u;
}

#endif /* CD_TESTS_ACCOUNTS_TEST_UTIL_H */
