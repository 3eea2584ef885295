/* test_store_users.c -- operators with their relationships, saves,
 * invitations, admin levels and email lookups, on fresh databases and on
 * copies of the Offen 1.4.2 fixture. */
#include "common/common.h"

#include "store/store.h"

#include "accounts_test_util.h"

#define A1 "11111111-1111-4111-8111-111111111111"
#define A2 "22222222-2222-4222-8222-222222222222"
#define U1 "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define U2 "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
#define U3 "cccccccc-cccc-4ccc-8ccc-cccccccccccc"

static char text[65536];

static void expect_rel(const struct store_relationship *got,
                       const struct store_relationship *want,
                       const char *user)
{
    assert_string_equal(got->relationship_id, want->relationship_id);
    assert_string_equal(got->account_user_id, user);
    assert_string_equal(got->account_id, want->account_id);
    assert_string_equal(got->password_encrypted_kek,
                        want->password_encrypted_kek);
    assert_string_equal(got->email_encrypted_kek, want->email_encrypted_kek);
    assert_string_equal(got->one_time_encrypted_kek,
                        want->one_time_encrypted_kek);
}

static void expect_user(const struct store_user *got,
                        const struct store_user *want)
{
    assert_string_equal(got->account_user_id, want->account_user_id);
    assert_string_equal(got->hashed_email, want->hashed_email);
    assert_string_equal(got->hashed_password, want->hashed_password);
    assert_string_equal(got->salt, want->salt);
    assert_int_equal(got->admin_level, want->admin_level);
}

/* The demo operator as Offen wrote it, compared with what sqlite3 reads. */
static void expect_fixture_user(const char *path, const struct store_user *u)
{
    const struct store_relationship *r;

    assert_string_equal(u->account_user_id, FIX_USER);
    file_lines(path, "SELECT hashed_email || '|' || hashed_password || '|' "
                     "|| salt || '|' || admin_level FROM account_users",
               text, sizeof(text));
    {
        char want[4096];

        snprintf(want, sizeof(want), "%s|%s|%s|%lld\n", u->hashed_email,
                 u->hashed_password, u->salt, (long long)u->admin_level);
        assert_string_equal(text, want);
    }
    assert_true(strncmp(u->hashed_email, "{3,} ", 5) == 0);
    assert_int_equal(strlen(u->hashed_password), 74);
    assert_string_equal(u->salt, "{3,} C1JtDiorSDA=");
    assert_int_equal(u->admin_level, 1);
    assert_int_equal(u->nrels, 1);
    r = &u->rels[0];
    assert_string_equal(r->relationship_id, FIX_REL);
    assert_string_equal(r->account_user_id, FIX_USER);
    assert_string_equal(r->account_id, FIX_ACCOUNT);
    assert_int_equal(strlen(r->password_encrypted_kek), 86);
    assert_int_equal(strlen(r->email_encrypted_kek), 86);
    assert_string_equal(r->one_time_encrypted_kek, "");
    file_lines(path, "SELECT password_encrypted_key_encryption_key || '|' || "
                     "email_encrypted_key_encryption_key "
                     "FROM account_user_relationships",
               text, sizeof(text));
    assert_true(strncmp(text, r->password_encrypted_kek, 86) == 0);
    assert_true(strncmp(text + 87, r->email_encrypted_kek, 86) == 0);
}

static void test_fixture_users(void **state)
{
    struct store_user_list all = {0};
    struct store_user u = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    st = store_at(path, false); /* reads need no migration of ours */
    for (int accepted = 0; accepted < 2; accepted++) {
        OK(store_user_get(st, FIX_USER, accepted, &u, &err));
        expect_fixture_user(path, &u);
        store_user_release(&u);
        OK(store_users_all(st, accepted, &all, &err));
        assert_int_equal(all.n, 1);
        expect_fixture_user(path, &all.v[0]);
        store_user_list_release(&all);
    }
    assert_int_equal(store_user_get(st, FIX_ACCOUNT, false, &u, &err),
                     CD_ENOTFOUND);
    assert_null(u.account_user_id);
    store_close(st);
    tdir_remove(&d);
}

static void test_save_round_trip(void **state)
{
    struct store_relationship rels[2] = {
        rel_of("r1", U1, A1, "{1,} pw1"),
        rel_of("r2", "someone-else", A2, ""), /* pending */
    };
    struct store_user want = user_of(U1, "{3,} mail");
    struct store_user got = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "u.db");
    path = tdir_file(&d, "u.db");
    want.rels = rels;
    want.nrels = 2;
    OK(store_user_save(st, &want, &err));
    OK(store_user_get(st, U1, false, &got, &err));
    expect_user(&got, &want);
    assert_int_equal(got.nrels, 2);
    expect_rel(&got.rels[0], &rels[0], U1);
    expect_rel(&got.rels[1], &rels[1], U1); /* written with the user's id */
    store_user_release(&got);
    /* Accepted only: the pending invitation is left out. */
    OK(store_user_get(st, U1, true, &got, &err));
    assert_int_equal(got.nrels, 1);
    assert_string_equal(got.rels[0].relationship_id, "r1");
    store_user_release(&got);

    /* Save again, changed: the rows are replaced in place (same rowids,
     * so the same order), nothing is added. */
    want.hashed_password = (char *)"{3,} new hash";
    want.admin_level = 0;
    rels[0].one_time_encrypted_kek = (char *)"{1,} ot";
    rels[1].password_encrypted_kek = (char *)"{1,} accepted";
    OK(store_user_save(st, &want, &err));
    OK(store_user_get(st, U1, true, &got, &err));
    expect_user(&got, &want);
    assert_int_equal(got.nrels, 2);
    expect_rel(&got.rels[0], &rels[0], U1);
    expect_rel(&got.rels[1], &rels[1], U1);
    store_user_release(&got);
    file_lines(path, "SELECT rowid || relationship_id FROM "
                     "account_user_relationships ORDER BY rowid",
               text, sizeof(text));
    assert_string_equal(text, "1r1\n2r2\n");
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM account_users"), 1);
    assert_int_equal(file_int(path, test_on_sqlite()
                                        ? "SELECT typeof(admin_level) = "
                                          "'integer' FROM account_users"
                                    : test_dialect() == CONFIG_DIALECT_MYSQL
                                        ? "SELECT DATA_TYPE = 'bigint' FROM "
                                          "information_schema.COLUMNS WHERE "
                                          "TABLE_SCHEMA = DATABASE() AND "
                                          "TABLE_NAME = 'account_users' AND "
                                          "COLUMN_NAME = 'admin_level'"
                                        : "SELECT pg_typeof(admin_level) = "
                                          "'bigint'::regtype FROM "
                                          "account_users"),
                     1);

    /* A save that lists fewer relationships leaves the others alone. */
    want.nrels = 0;
    OK(store_user_save(st, &want, &err));
    OK(store_user_get(st, U1, false, &got, &err));
    assert_int_equal(got.nrels, 2);
    store_user_release(&got);
    /* NULL strings are stored as ""; NULL in the database reads as "". */
    want.salt = NULL;
    OK(store_user_save(st, &want, &err));
    file_exec(path, "UPDATE account_user_relationships SET "
                    "one_time_encrypted_key_encryption_key = NULL, "
                    "password_encrypted_key_encryption_key = NULL "
                    "WHERE relationship_id = 'r1'");
    OK(store_user_get(st, U1, false, &got, &err));
    assert_string_equal(got.salt, "");
    assert_string_equal(got.rels[0].one_time_encrypted_kek, "");
    assert_string_equal(got.rels[0].password_encrypted_kek, "");
    store_user_release(&got);
    /* NULL <> '' is not true: such a row is not accepted, as in Offen. */
    OK(store_user_get(st, U1, true, &got, &err));
    assert_int_equal(got.nrels, 1);
    assert_string_equal(got.rels[0].relationship_id, "r2");
    store_user_release(&got);
    store_close(st);
    tdir_remove(&d);
}

/* A save that fails half-way changes nothing. */
static void test_save_rolls_back(void **state)
{
    struct store_relationship rels[2] = {
        rel_of("r1", U1, A1, "pw"),
        rel_of("r2", U1, A2, "pw"),
    };
    struct store_user u = user_of(U1, "{3,} mail");
    unsigned long long before, after;
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;
    const char *all_sql = "SELECT * FROM account_users, "
                          "account_user_relationships";

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "f.db");
    path = tdir_file(&d, "f.db");
    u.rels = rels;
    u.nrels = 2;
    OK(store_user_save(st, &u, &err));
    {
        before = file_digest(path, all_sql);
    }
    u.hashed_password = (char *)"{3,} changed";
    rels[0].password_encrypted_kek = (char *)"changed";
    rels[1].relationship_id = (char *)"";
    assert_int_equal(store_user_save(st, &u, &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "save user"));
    {
        after = file_digest(path, all_sql);
    }
    assert_true(before == after);
    u.account_user_id = NULL;
    assert_int_equal(store_user_save(st, &u, &err), CD_EINVAL);
    store_close(st);
    tdir_remove(&d);
}

static void test_users_all_groups_rows(void **state)
{
    struct store_user u1 = user_of(U1, "{3,} one");
    struct store_user u2 = user_of(U2, "{3,} two");
    struct store_user u3 = user_of(U3, "{3,} three");
    struct store_relationship r1[2] = {rel_of("a", U1, A1, "pw"),
                                       rel_of("c", U1, A2, "")};
    struct store_relationship r3[2] = {rel_of("b", U3, A1, ""),
                                       rel_of("d", U3, A2, "")};
    struct store_user_list all = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "a.db");
    OK(store_users_all(st, false, &all, &err));
    assert_int_equal(all.n, 0);
    assert_null(all.v);
    /* Relationships inserted interleaved across users. */
    OK(store_user_save(st, &u1, &err));
    OK(store_user_save(st, &u2, &err));
    OK(store_user_save(st, &u3, &err));
    OK(store_relationships_insert(st, &r1[0], 1, &err));
    OK(store_relationships_insert(st, &r3[0], 1, &err));
    OK(store_relationships_insert(st, &r1[1], 1, &err));
    OK(store_relationships_insert(st, &r3[1], 1, &err));
    OK(store_users_all(st, false, &all, &err));
    assert_int_equal(all.n, 3);
    expect_user(&all.v[0], &u1);
    assert_int_equal(all.v[0].nrels, 2);
    assert_string_equal(all.v[0].rels[0].relationship_id, "a");
    assert_string_equal(all.v[0].rels[1].relationship_id, "c");
    expect_user(&all.v[1], &u2);
    assert_int_equal(all.v[1].nrels, 0);
    assert_null(all.v[1].rels);
    expect_user(&all.v[2], &u3);
    assert_int_equal(all.v[2].nrels, 2);
    assert_string_equal(all.v[2].rels[0].relationship_id, "b");
    assert_string_equal(all.v[2].rels[1].relationship_id, "d");
    store_user_list_release(&all);
    /* Accepted only keeps every user, each with its accepted ones. */
    OK(store_users_all(st, true, &all, &err));
    assert_int_equal(all.n, 3);
    assert_int_equal(all.v[0].nrels, 1);
    assert_string_equal(all.v[0].rels[0].relationship_id, "a");
    assert_int_equal(all.v[1].nrels, 0);
    assert_int_equal(all.v[2].nrels, 0);
    store_user_list_release(&all);
    store_user_list_release(&all); /* twice is harmless */
    /* Relationships of no user are nobody's (a foreign key forbids them
     * on PostgreSQL and MySQL). */
    if (test_on_sqlite())
        file_exec(tdir_file(&d, "a.db"),
                  "INSERT INTO account_user_relationships (relationship_id, "
                  "account_user_id) VALUES ('orphan', 'gone')");
    OK(store_users_all(st, false, &all, &err));
    assert_int_equal(all.n, 3);
    assert_int_equal(all.v[0].nrels + all.v[1].nrels + all.v[2].nrels, 4);
    store_user_list_release(&all);
    store_close(st);
    tdir_remove(&d);
}

static void test_admin_level(void **state)
{
    struct store_user u = user_of(U1, "{3,} one");
    struct store_user got = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "l.db");
    OK(store_user_save(st, &u, &err));
    OK(store_user_set_admin_level(st, U1, 0, &err));
    OK(store_user_get(st, U1, false, &got, &err));
    assert_int_equal(got.admin_level, 0);
    assert_string_equal(got.hashed_email, "{3,} one");
    store_user_release(&got);
    OK(store_user_set_admin_level(st, U1, INT64_MAX, &err));
    OK(store_user_get(st, U1, false, &got, &err));
    assert_int_equal(got.admin_level, INT64_MAX);
    store_user_release(&got);
    assert_int_equal(store_user_set_admin_level(st, U2, 1, &err),
                     CD_ENOTFOUND);
    assert_int_equal(store_user_set_admin_level(st, "", 1, &err), CD_EINVAL);
    assert_int_equal(file_int(tdir_file(&d, "l.db"),
                              "SELECT COUNT(*) FROM account_users"),
                     1);
    store_close(st);
    tdir_remove(&d);
}

/* All or none: a duplicate id anywhere in the list undoes the rest. */
static void test_relationships_insert(void **state)
{
    struct store_relationship first[2] = {rel_of("r1", U1, A1, "pw"),
                                          rel_of("r2", U2, A1, "")};
    struct store_relationship clash[2] = {rel_of("r3", U1, A2, "pw"),
                                          rel_of("r1", U2, A2, "")};
    struct store_relationship twice[2] = {rel_of("r4", U1, A2, "pw"),
                                          rel_of("r4", U2, A2, "")};
    struct store_relationship bad[2] = {rel_of("r5", U1, A2, "pw"),
                                        rel_of(NULL, U2, A2, "")};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;
    const char *ids = "SELECT relationship_id || ' ' || account_user_id "
                      "FROM account_user_relationships ORDER BY rowid";

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "i.db");
    path = tdir_file(&d, "i.db");
    parent_users(path);
    OK(store_relationships_insert(st, first, 2, &err));
    OK(store_relationships_insert(st, NULL, 0, &err));
    assert_int_equal(store_relationships_insert(st, clash, 2, &err),
                     CD_EEXIST);
    assert_non_null(strstr(err.msg, "insert relationships"));
    assert_int_equal(store_relationships_insert(st, twice, 2, &err),
                     CD_EEXIST);
    assert_int_equal(store_relationships_insert(st, bad, 2, &err),
                     CD_EINVAL);
    file_lines(path, ids, text, sizeof(text));
    assert_string_equal(text, "r1 " U1 "\nr2 " U2 "\n");
    store_close(st);
    tdir_remove(&d);
}

/* ---- email lookups ---------------------------------------------------- */

/* The ids in a list, "id,id,". */
static const char *ids_of(const struct store_user_list *l)
{
    static char out[1024];
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < l->n; i++)
        len += (size_t)snprintf(out + len, sizeof(out) - len, "%s,",
                                l->v[i].account_user_id);
    return out;
}

static const char *without(struct store *st, const char *key_id,
                           bool accepted_only)
{
    struct store_user_list l = {0};
    struct cd_error err = {0};
    const char *out;

    OK(store_users_without_lookup(st, key_id, accepted_only, &l, &err));
    out = ids_of(&l);
    store_user_list_release(&l);
    return out;
}

static void expect_found(struct store *st, const char *key_id,
                         const char *lookup, const char *user)
{
    struct store_user u = {0};
    struct cd_error err = {0};

    OK(store_user_find_by_lookup(st, key_id, lookup, false, &u, &err));
    assert_string_equal(u.account_user_id, user);
    store_user_release(&u);
}

static void expect_not_found(struct store *st, const char *key_id,
                             const char *lookup)
{
    struct store_user u = {0};
    struct cd_error err = {0};

    assert_int_equal(store_user_find_by_lookup(st, key_id, lookup, false, &u,
                                               &err),
                     CD_ENOTFOUND);
    assert_null(u.account_user_id);
}

static void test_lookups(void **state)
{
    struct store_relationship rels[2] = {rel_of("r1", U1, A1, "pw"),
                                         rel_of("r2", U1, A2, "")};
    struct store_user u1 = user_of(U1, "{3,} one");
    struct store_user u2 = user_of(U2, "{3,} two");
    struct store_user got = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "k.db");
    path = tdir_file(&d, "k.db");
    u1.rels = rels;
    u1.nrels = 2;
    OK(store_user_save(st, &u1, &err));
    OK(store_user_save(st, &u2, &err));
    assert_string_equal(without(st, "k1", false), U1 "," U2 ",");
    expect_not_found(st, "k1", "L1");

    OK(store_lookup_set(st, U1, "k1", "L1", &err));
    expect_found(st, "k1", "L1", U1);
    assert_string_equal(without(st, "k1", false), U2 ",");
    /* Found with its relationships, accepted ones only if asked. */
    OK(store_user_find_by_lookup(st, "k1", "L1", false, &got, &err));
    assert_int_equal(got.nrels, 2);
    store_user_release(&got);
    OK(store_user_find_by_lookup(st, "k1", "L1", true, &got, &err));
    assert_int_equal(got.nrels, 1);
    assert_string_equal(got.rels[0].relationship_id, "r1");
    store_user_release(&got);
    /* The same for the list of the others. */
    OK(store_lookup_set(st, U2, "k1", "L2", &err));
    assert_string_equal(without(st, "k1", true), "");

    /* Another key: the lookups made under k1 do not count. */
    expect_not_found(st, "k2", "L1");
    assert_string_equal(without(st, "k2", false), U1 "," U2 ",");
    /* One lookup per user: setting it under k2 replaces k1's. */
    OK(store_lookup_set(st, U1, "k2", "M1", &err));
    expect_found(st, "k2", "M1", U1);
    expect_not_found(st, "k1", "L1");
    assert_string_equal(without(st, "k1", false), U1 ",");
    assert_string_equal(without(st, "k2", false), U2 ",");
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM "
                                    "candor_email_lookups"),
                     2);

    /* The email changes (an Offen binary, or a save without a new
     * lookup): the lookup is stale at once, and the user is scanned. */
    u1.hashed_email = (char *)"{3,} one-new";
    OK(store_user_save(st, &u1, &err));
    expect_not_found(st, "k2", "M1");
    assert_string_equal(without(st, "k2", false), U1 "," U2 ",");
    OK(store_lookup_set(st, U1, "k2", "M1-new", &err));
    expect_found(st, "k2", "M1-new", U1);
    assert_string_equal(without(st, "k2", false), U2 ",");
    file_exec(path, "UPDATE account_users SET hashed_email = 'offen' "
                    "WHERE account_user_id = '" U1 "'");
    expect_not_found(st, "k2", "M1-new");
    assert_string_equal(without(st, "k2", false), U1 "," U2 ",");

    /* A lookup whose user is gone finds nothing. */
    OK(store_lookup_set(st, U2, "k2", "L2", &err));
    file_exec(path, "DELETE FROM account_users "
                    "WHERE account_user_id = '" U2 "'");
    expect_not_found(st, "k2", "L2");
    assert_string_equal(without(st, "k2", false), U1 ",");

    /* Unknown users get no row; empty arguments are refused. */
    assert_int_equal(store_lookup_set(st, U3, "k2", "L3", &err),
                     CD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no such user"));
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM "
                                    "candor_email_lookups WHERE "
                                    "account_user_id = '" U3 "'"),
                     0);
    assert_int_equal(store_lookup_set(st, U1, "", "L", &err), CD_EINVAL);
    assert_int_equal(store_lookup_set(st, U1, "k", NULL, &err), CD_EINVAL);
    assert_int_equal(store_lookup_set(st, NULL, "k", "L", &err), CD_EINVAL);
    assert_int_equal(store_user_find_by_lookup(st, "k", "", false, &got,
                                               &err),
                     CD_EINVAL);
    assert_int_equal(store_user_find_by_lookup(st, NULL, "L", false, &got,
                                               &err),
                     CD_EINVAL);
    {
        struct store_user_list l = {0};

        assert_int_equal(store_users_without_lookup(st, "", false, &l, &err),
                         CD_EINVAL);
        assert_int_equal(l.n, 0);
    }
    store_close(st);
    tdir_remove(&d);
}

/* Users Offen made have no lookup until a login sets one. */
static void test_fixture_lookups(void **state)
{
    struct store_user u = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    st = store_at(path, true);
    assert_string_equal(without(st, "k1", false), FIX_USER ",");
    assert_string_equal(without(st, "k1", true), FIX_USER ",");
    OK(store_lookup_set(st, FIX_USER, "k1", "demo-lookup", &err));
    assert_string_equal(without(st, "k1", false), "");
    OK(store_user_find_by_lookup(st, "k1", "demo-lookup", true, &u, &err));
    expect_fixture_user(path, &u);
    store_user_release(&u);
    assert_string_equal(without(st, "k2", false), FIX_USER ",");
    /* Offen's own columns are untouched by a lookup. */
    file_lines(path, "SELECT u.hashed_email = l.hashed_email FROM "
                     "account_users u JOIN candor_email_lookups l USING "
                     "(account_user_id)",
               text, sizeof(text));
    assert_string_equal(text, "1\n");
    store_close(st);
    tdir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_users),
        cmocka_unit_test(test_save_round_trip),
        cmocka_unit_test(test_save_rolls_back),
        cmocka_unit_test(test_users_all_groups_rows),
        cmocka_unit_test(test_admin_level),
        cmocka_unit_test(test_relationships_insert),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_fixture_lookups),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
