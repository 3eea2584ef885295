/* test_store_accounts.c -- accounts, the empty-database test and
 * bootstrap, on fresh databases and on copies of the Offen 1.4.2 fixture.
 * Offen's timestamps are tested in test_store_time.c. */
#include "common/common.h"

#include <pthread.h>

#include "common/timefmt.h"
#include "store/store.h"

#include "accounts_test_util.h"

#define A1 "11111111-1111-4111-8111-111111111111"
#define A2 "22222222-2222-4222-8222-222222222222"
#define U1 "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define U2 "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"

static char text[65536];

/* ---- accounts --------------------------------------------------------- */

static void expect_account(const struct store_account *got,
                           const struct store_account *want)
{
    assert_string_equal(got->account_id, want->account_id);
    assert_string_equal(got->name, want->name);
    assert_string_equal(got->public_key, want->public_key);
    assert_string_equal(got->encrypted_private_key,
                        want->encrypted_private_key);
    assert_string_equal(got->user_salt, want->user_salt);
    assert_string_equal(got->account_styles, want->account_styles);
    assert_int_equal(got->retired, want->retired);
    assert_int_equal(got->created_unix_ms, want->created_unix_ms);
}

static void test_fixture_account(void **state)
{
    struct store_account_list all = {0};
    struct store_account a = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;
    bool migrate = false;

    (void)state;
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    /* As Offen left it, and once Candor has migrated it. */
    for (int round = 0; round < 2; round++, migrate = true) {
        st = store_at(path, migrate);
        OK(store_account_get(st, FIX_ACCOUNT, true, &a, &err));
        assert_string_equal(a.account_id, FIX_ACCOUNT);
        assert_string_equal(a.name, "Demo Account");
        assert_false(a.retired);
        assert_int_equal(a.created_unix_ms, FIX_CREATED_MS);
        assert_string_equal(a.account_styles, "");
        assert_true(strncmp(a.user_salt, "{1,} ", 5) == 0);
        file_lines(path, "SELECT public_key FROM accounts", text,
                   sizeof(text));
        assert_int_equal(strlen(a.public_key), 714);
        assert_true(strncmp(text, a.public_key, 714) == 0);
        file_lines(path, "SELECT encrypted_private_key FROM accounts", text,
                   sizeof(text));
        assert_true(strncmp(text, a.encrypted_private_key,
                            strlen(a.encrypted_private_key)) == 0);
        assert_true(strncmp(a.encrypted_private_key, "{1,} ", 5) == 0);
        store_account_release(&a);
        OK(store_accounts_all(st, false, &all, &err));
        assert_int_equal(all.n, 1);
        assert_string_equal(all.v[0].name, "Demo Account");
        store_account_list_release(&all);
        assert_false(store_is_empty(st));
        store_close(st);
    }
    /* Untouched by reading: the text is Offen's still. */
    file_lines(path, "SELECT created FROM accounts", text, sizeof(text));
    assert_string_equal(text, FIX_CREATED_TEXT "\n");
    tdir_remove(&d);
}

static void test_account_create_get(void **state)
{
    struct store_account want = account_of(A1, "First");
    struct store_relationship rel = rel_of("r1", U1, A1, "{1,} pw nonce");
    struct store_account got = {0}, other;
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    int64_t before = timefmt_now_ms();

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "c.db");
    parent_users(tdir_file(&d, "c.db"));
    want.account_styles = (char *)".banner { color: red }";
    OK(store_account_create(st, &want, &rel, &err));
    OK(store_account_get(st, A1, false, &got, &err));
    expect_account(&got, &want);
    store_account_release(&got);
    store_account_release(&got); /* twice is harmless */
    /* Offen's text, in UTC with nine digits; the relationship beside. */
    if (test_on_sqlite()) {
        file_lines(tdir_file(&d, "c.db"),
                   "SELECT created || ' ' || typeof(retired) || retired "
                   "FROM accounts",
                   text, sizeof(text));
        assert_string_equal(text,
                            "2024-05-01 08:00:00.123000000+00:00 integer0\n");
    } else if (test_dialect() == CONFIG_DIALECT_MYSQL) {
        /* datetime(3) in UTC, boolean as tinyint. */
        file_lines(tdir_file(&d, "c.db"),
                   "SELECT created || ' ' || retired FROM accounts", text,
                   sizeof(text));
        assert_string_equal(text, "2024-05-01 08:00:00.123 0\n");
    } else {
        file_lines(tdir_file(&d, "c.db"),
                   "SELECT created || ' ' || retired FROM accounts", text,
                   sizeof(text));
        assert_string_equal(text, "2024-05-01 08:00:00.123+00 false\n");
    }
    file_lines(tdir_file(&d, "c.db"),
               "SELECT relationship_id || account_user_id || account_id || "
               "password_encrypted_key_encryption_key || "
               "email_encrypted_key_encryption_key || "
               "'[' || one_time_encrypted_key_encryption_key || ']' "
               "FROM account_user_relationships",
               text, sizeof(text));
    assert_string_equal(text, "r1" U1 A1 "{1,} pw nonce{1,} em nonce[]\n");

    /* created 0 is now; NULL strings are stored as "" ; no relationship. */
    other = account_of(A2, "Second");
    other.created_unix_ms = 0;
    other.public_key = NULL;
    OK(store_account_create(st, &other, NULL, &err));
    OK(store_account_get(st, A2, true, &got, &err));
    /* The clock the store reads (time() may lag it by seconds in a VM). */
    assert_true(got.created_unix_ms >= before);
    assert_true(got.created_unix_ms <= timefmt_now_ms());
    assert_string_equal(got.public_key, "");
    store_account_release(&got);
    assert_int_equal(file_int(tdir_file(&d, "c.db"),
                              "SELECT COUNT(*) FROM account_user_"
                              "relationships"),
                     1);

    /* Not found, bad arguments. */
    assert_int_equal(store_account_get(st, "nope", false, &got, &err),
                     CD_ENOTFOUND);
    assert_null(got.account_id);
    assert_int_equal(store_account_get(st, NULL, false, &got, &err),
                     CD_EINVAL);
    assert_int_equal(store_account_get(st, "", false, &got, NULL),
                     CD_EINVAL);
    other = account_of("", "Third");
    assert_int_equal(store_account_create(st, &other, NULL, &err),
                     CD_EINVAL);
    other = account_of("a3", NULL);
    assert_int_equal(store_account_create(st, &other, NULL, &err),
                     CD_EINVAL);
    other = account_of("a3", "Third");
    other.created_unix_ms = INT64_C(253402300800000); /* year 10000 */
    assert_int_equal(store_account_create(st, &other, NULL, &err),
                     CD_EINVAL);
    assert_int_equal(store_account_get(st, "a3", false, &got, &err),
                     CD_ENOTFOUND);
    store_close(st);
    tdir_remove(&d);
}

/* Each failure leaves no row behind: the account and its relationship go
 * in one transaction. */
static void test_account_create_conflicts(void **state)
{
    struct store_account acc = account_of(A1, "First");
    struct store_relationship rel = rel_of("r1", U1, A1, "pw");
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "x.db");
    parent_users(tdir_file(&d, "x.db"));
    path = tdir_file(&d, "x.db");
    OK(store_account_create(st, &acc, &rel, &err));
    /* The same id under another name. */
    acc = account_of(A1, "Other");
    rel = rel_of("r2", U1, A1, "pw");
    assert_int_equal(store_account_create(st, &acc, &rel, &err), CD_EEXIST);
    assert_non_null(strstr(err.msg, "create account"));
    /* The same name, retired or not, under another id. */
    acc = account_of(A2, "First");
    assert_int_equal(store_account_create(st, &acc, &rel, &err), CD_EEXIST);
    assert_non_null(strstr(err.msg, "'First'"));
    OK(store_account_retire(st, A1, &err));
    assert_int_equal(store_account_create(st, &acc, &rel, &err), CD_EEXIST);
    /* A relationship id that exists: the new account is rolled back. */
    acc = account_of(A2, "Second");
    rel = rel_of("r1", U1, A2, "pw");
    OK(store_relationships_insert(st, &rel, 1, &err));
    assert_int_equal(store_account_create(st, &acc, &rel, &err), CD_EEXIST);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM accounts"), 1);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM "
                                    "account_user_relationships"),
                     1);
    /* And it works once the clash is gone. */
    rel = rel_of("r3", U1, A2, "pw");
    OK(store_account_create(st, &acc, &rel, &err));
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM accounts"), 2);
    store_close(st);
    tdir_remove(&d);
}

static void test_name_taken(void **state)
{
    struct store_account acc = account_of(A1, "Shop");
    struct cd_error err = {0};
    struct store *st;
    bool taken = true;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "n.db");
    OK(store_account_name_taken(st, "Shop", &taken, &err));
    assert_false(taken);
    OK(store_account_create(st, &acc, NULL, &err));
    OK(store_account_name_taken(st, "Shop", &taken, &err));
    assert_true(taken);
    /* Exact: no case folding, no trimming, no prefix. */
    OK(store_account_name_taken(st, "shop", &taken, &err));
    assert_false(taken);
    OK(store_account_name_taken(st, "Shop ", &taken, &err));
    assert_false(taken);
    OK(store_account_name_taken(st, "Sho", &taken, &err));
    assert_false(taken);
    /* Retired accounts keep their names. */
    OK(store_account_retire(st, A1, &err));
    OK(store_account_name_taken(st, "Shop", &taken, &err));
    assert_true(taken);
    assert_int_equal(store_account_name_taken(st, NULL, &taken, &err),
                     CD_EINVAL);
    assert_false(taken);
    store_close(st);
    tdir_remove(&d);
}

static void test_retire(void **state)
{
    struct store_account a1 = account_of(A1, "One"), a2 = account_of(A2, "Two");
    struct store_relationship rels[] = {
        rel_of("r1", U1, A1, "pw"), rel_of("r2", U1, A2, "pw"),
        rel_of("r3", U2, A1, ""),   rel_of("r4", U2, A2, "pw"),
    };
    struct store_account_list all = {0};
    struct store_account got = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "r.db");
    parent_users(tdir_file(&d, "r.db"));
    path = tdir_file(&d, "r.db");
    OK(store_account_create(st, &a1, NULL, &err));
    OK(store_account_create(st, &a2, NULL, &err));
    OK(store_relationships_insert(st, rels, 4, &err));
    OK(store_account_retire(st, A1, &err));
    file_lines(path, "SELECT relationship_id FROM account_user_relationships "
                     "ORDER BY 1",
               text, sizeof(text));
    assert_string_equal(text, "r2\nr4\n");
    file_lines(path, "SELECT account_id || ' ' || CAST(retired AS integer) "
                     "FROM accounts ORDER BY rowid",
               text, sizeof(text));
    assert_string_equal(text, A1 " 1\n" A2 " 0\n");
    /* Gone for active-only reads, there for the others. */
    assert_int_equal(store_account_get(st, A1, true, &got, &err),
                     CD_ENOTFOUND);
    OK(store_account_get(st, A1, false, &got, &err));
    assert_true(got.retired);
    store_account_release(&got);
    OK(store_accounts_all(st, true, &all, &err));
    assert_int_equal(all.n, 1);
    assert_string_equal(all.v[0].account_id, A2);
    store_account_list_release(&all);
    OK(store_accounts_all(st, false, &all, &err));
    assert_int_equal(all.n, 2);
    assert_string_equal(all.v[0].account_id, A1);
    assert_true(all.v[0].retired);
    store_account_list_release(&all);
    /* Twice, unknown, no id. */
    assert_int_equal(store_account_retire(st, A1, &err), CD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "retired already"));
    assert_int_equal(store_account_retire(st, "nope", &err), CD_ENOTFOUND);
    assert_int_equal(store_account_retire(st, "", &err), CD_EINVAL);
    assert_int_equal(store_account_retire(st, NULL, NULL), CD_EINVAL);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM "
                                    "account_user_relationships"),
                     2);
    store_close(st);
    tdir_remove(&d);
}

static void test_set_styles(void **state)
{
    struct store_account acc = account_of(A1, "Styled");
    struct store_account got = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "s.db");
    OK(store_account_create(st, &acc, NULL, &err));
    OK(store_account_set_styles(st, A1, "p { margin: 0 }", &err));
    OK(store_account_get(st, A1, true, &got, &err));
    assert_string_equal(got.account_styles, "p { margin: 0 }");
    assert_string_equal(got.name, "Styled");
    store_account_release(&got);
    /* The same value again is not "not found"; NULL clears. */
    OK(store_account_set_styles(st, A1, "p { margin: 0 }", &err));
    OK(store_account_set_styles(st, A1, NULL, &err));
    OK(store_account_get(st, A1, true, &got, &err));
    assert_string_equal(got.account_styles, "");
    store_account_release(&got);
    /* Retired accounts too. */
    OK(store_account_retire(st, A1, &err));
    OK(store_account_set_styles(st, A1, "b {}", &err));
    assert_int_equal(store_account_set_styles(st, "nope", "b {}", &err),
                     CD_ENOTFOUND);
    assert_int_equal(store_account_set_styles(st, NULL, "b {}", &err),
                     CD_EINVAL);
    file_lines(tdir_file(&d, "s.db"), "SELECT account_styles FROM accounts",
               text, sizeof(text));
    assert_string_equal(text, "b {}\n");
    store_close(st);
    tdir_remove(&d);
}

/* A NULL created (GORM writes none, but a hand-made row can) is Go's zero
 * time; text no driver writes fails the read instead of inventing a time. */
static void test_created_null_and_garbage(void **state)
{
    struct store_account_list all = {0};
    struct store_account got = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = fresh_store(&d, "g.db");
    path = tdir_file(&d, "g.db");
    file_exec(path, "INSERT INTO accounts (account_id, name) "
                    "VALUES ('n', 'Null')");
    OK(store_account_get(st, "n", false, &got, &err));
    assert_int_equal(got.created_unix_ms, STORE_TIME_ZERO_MS);
    assert_string_equal(got.public_key, "");
    assert_false(got.retired);
    store_account_release(&got);
    if (!test_on_sqlite()) /* a timestamptz column holds no garbage */
        goto done;
    file_exec(path, "INSERT INTO accounts (account_id, name, created) "
                    "VALUES ('g', 'Garbage', 'yesterday')");
    assert_int_equal(store_account_get(st, "g", false, &got, &err),
                     CD_ESTORE);
    assert_non_null(strstr(err.msg, "yesterday"));
    assert_null(got.account_id);
    assert_int_equal(store_accounts_all(st, false, &all, &err), CD_ESTORE);
    assert_null(all.v);
    assert_int_equal(all.n, 0);
done:
    store_close(st);
    tdir_remove(&d);
}

/* ---- the empty database ----------------------------------------------- */

static void test_is_empty(void **state)
{
    static const char *const fill[] = {
        "INSERT INTO accounts (account_id) VALUES ('x')",
        "INSERT INTO account_users (account_user_id) VALUES ('x')",
        "INSERT INTO account_user_relationships (relationship_id) "
        "VALUES ('x')",
        "INSERT INTO events (event_id) VALUES ('x')",
        "INSERT INTO secrets (secret_id) VALUES ('x')",
        "INSERT INTO tombstones (event_id) VALUES ('x')",
    };
    static const char *const clear[] = {
        "DELETE FROM accounts", "DELETE FROM account_users",
        "DELETE FROM account_user_relationships", "DELETE FROM events",
        "DELETE FROM secrets", "DELETE FROM tombstones",
    };
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = tdir_file(&d, "e.db");
    /* No tables yet: a query error counts as not empty. */
    st = store_at(path, false);
    assert_false(store_is_empty(st));
    store_close(st);
    st = store_at(path, true);
    assert_true(store_is_empty(st));
    for (size_t i = 0; i < CD_ARRAY_SIZE(fill); i++) {
        file_exec(path, fill[i]);
        assert_false(store_is_empty(st));
        file_exec(path, clear[i]);
        assert_true(store_is_empty(st));
    }
    /* Our own tables do not count. */
    file_exec(path, "INSERT INTO candor_email_lookups VALUES "
                    "('u', 'k', 'l', 'h')");
    assert_true(store_is_empty(st));
    /* One table missing. */
    file_exec(path, "DROP TABLE tombstones");
    assert_false(store_is_empty(st));
    store_close(st);
    st = store_at(fixture_copy(&d, "offen.sqlite"), false);
    assert_false(store_is_empty(st));
    store_close(st);
    tdir_remove(&d);
}

/* ---- bootstrap -------------------------------------------------------- */

#define IDS_SQL                                                              \
    (test_on_sqlite() ? "SELECT group_concat(id, ',') FROM "                \
                        "(SELECT id FROM migrations ORDER BY rowid)"         \
     : test_dialect() == CONFIG_DIALECT_MYSQL                                \
         ? "SELECT group_concat(id ORDER BY candor_seq SEPARATOR ',') "       \
           "FROM migrations"                                                 \
         : "SELECT string_agg(id, ',' ORDER BY ctid) FROM migrations")
/* PostgreSQL and MySQL have one migration of their own (insertion
 * order). */
#define ALL_IDS                                                              \
    (test_on_sqlite() ? ALL_IDS_COMMON ",candor_005_throttle\n"             \
                      : ALL_IDS_COMMON ",candor_004_insertion_order,"        \
                                       "candor_005_throttle\n")
#define ALL_IDS_COMMON                                                       \
    "SCHEMA_INIT,001_introduce_admin_level,002_mysql_set_column_sizes,"      \
    "003_version_salts,004_add_tombstones_event_revs,"                       \
    "005_update_secrets_table,006_gorm_upgrade,007_account_customStyles,"    \
    "candor_001_indexes,candor_002_email_lookup,candor_003_sync_indexes"

/* Two accounts; U1 on both, U2 invited to the second. */
struct seed {
    struct store_account accounts[2];
    struct store_relationship rels1[2], rels2[1];
    struct store_user users[2];
};

static void seed_init(struct seed *s)
{
    s->accounts[0] = account_of(A1, "One");
    s->accounts[1] = account_of(A2, "Two");
    s->rels1[0] = rel_of("r1", "ignored", A1, "pw1");
    s->rels1[1] = rel_of("r2", U1, A2, "pw2");
    s->rels2[0] = rel_of("r3", U2, A2, "");
    s->users[0] = user_of(U1, "{3,} one");
    s->users[0].rels = s->rels1;
    s->users[0].nrels = 2;
    s->users[1] = user_of(U2, "{3,} two");
    s->users[1].hashed_password = (char *)"";
    s->users[1].admin_level = 0;
    s->users[1].rels = s->rels2;
    s->users[1].nrels = 1;
}

static void expect_seeded(const char *path)
{
    file_lines(path, "SELECT account_id || ' ' || name || ' ' || "
                     "CAST(retired AS integer) FROM accounts ORDER BY rowid",
               text, sizeof(text));
    assert_string_equal(text, A1 " One 0\n" A2 " Two 0\n");
    file_lines(path, "SELECT account_user_id || ' ' || admin_level || ' ' || "
                     "hashed_password FROM account_users ORDER BY rowid",
               text, sizeof(text));
    assert_string_equal(text, U1 " 1 {3,} pw hash\n" U2 " 0 \n");
    /* Each relationship carries its user's id, whatever it said. */
    file_lines(path, "SELECT relationship_id || ' ' || account_user_id || "
                     "' ' || account_id FROM account_user_relationships "
                     "ORDER BY rowid",
               text, sizeof(text));
    assert_string_equal(text, "r1 " U1 " " A1 "\nr2 " U1 " " A2 "\nr3 " U2
                              " " A2 "\n");
    file_lines(path, IDS_SQL, text, sizeof(text));
    assert_string_equal(text, ALL_IDS);
}

static void test_bootstrap_fresh(void **state)
{
    struct cd_error err = {0};
    struct seed s;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    seed_init(&s);
    tdir_make(&d);
    path = tdir_file(&d, "b.db");
    st = fresh_store(&d, "b.db");
    OK(store_bootstrap(st, s.accounts, 2, s.users, 2, false, &err));
    expect_seeded(path);
    assert_false(store_is_empty(st));
    /* Now it would overwrite: refused with Offen's words, nothing moves. */
    assert_int_equal(store_bootstrap(st, NULL, 0, NULL, 0, false, &err),
                     CD_EEXIST);
    assert_string_equal(err.msg,
                        "action would overwrite existing data - not allowed");
    expect_seeded(path);
    /* Forced with nothing: empty again. */
    OK(store_bootstrap(st, NULL, 0, NULL, 0, true, &err));
    assert_true(store_is_empty(st));
    file_lines(path, IDS_SQL, text, sizeof(text));
    assert_string_equal(text, ALL_IDS);
    store_close(st);
    /* A database never migrated has no tables: not empty. */
    st = store_at(tdir_file(&d, "raw.db"), false);
    assert_int_equal(store_bootstrap(st, s.accounts, 2, s.users, 2, false,
                                     &err),
                     CD_EEXIST);
    store_close(st);
    tdir_remove(&d);
}

static void test_bootstrap_fixture_force(void **state)
{
    struct cd_error err = {0};
    struct seed s;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    seed_init(&s);
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    file_exec(path, "INSERT INTO tombstones VALUES ('e1', 'acc', 'sec', "
                    "'01J0000000000000000000000Q')");
    st = store_at(path, true);
    OK(store_lookup_set(st, FIX_USER, "k1", "lookup-1", &err));
    assert_int_equal(store_bootstrap(st, s.accounts, 2, s.users, 2, false,
                                     &err),
                     CD_EEXIST);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events"), 449);
    OK(store_bootstrap(st, s.accounts, 2, s.users, 2, true, &err));
    expect_seeded(path);
    /* Tombstones stay; everything else was replaced. */
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM tombstones"), 1);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events"), 0);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM secrets"), 0);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM "
                                    "candor_email_lookups"),
                     0);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM sqlite_master "
                                    "WHERE type = 'index' AND name LIKE "
                                    "'candor%'"),
                     5);
    /* The connection goes on working (its cached statements were prepared
     * against the dropped tables). */
    assert_int_equal(store_ping(st, &err), CD_OK);
    OK(store_lookup_set(st, U1, "k1", "lookup-1", &err));
    store_close(st);
    tdir_remove(&d);
}

/* A failure half-way (a relationship id twice) undoes the drops, the
 * migration and the inserts: the fixture is as it was. */
static void test_bootstrap_rolls_back(void **state)
{
    unsigned long long before, after;
    struct cd_error err = {0};
    struct seed s;
    struct store *st;
    struct tdir d;
    const char *path;
    const char *all_sql =
        "SELECT (SELECT group_concat(sql) FROM sqlite_master), "
        "(SELECT group_concat(id) FROM migrations), "
        "(SELECT group_concat(event_id || payload) FROM events), "
        "(SELECT group_concat(account_id || name) FROM accounts), "
        "(SELECT group_concat(account_user_id) FROM account_users), "
        "(SELECT group_concat(relationship_id) FROM "
        "account_user_relationships), "
        "(SELECT group_concat(secret_id) FROM secrets), "
        "(SELECT group_concat(lookup) FROM candor_email_lookups)";

    (void)state;
    seed_init(&s);
    s.rels2[0].relationship_id = (char *)"r1";
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    st = store_at(path, true);
    OK(store_lookup_set(st, FIX_USER, "k1", "lookup-1", &err));
    {
        sqlite3 *db = db_open(path);

        before = db_digest(db, all_sql);
        sqlite3_close(db);
    }
    assert_int_equal(store_bootstrap(st, s.accounts, 2, s.users, 2, true,
                                     &err),
                     CD_EEXIST);
    assert_non_null(strstr(err.msg, "bootstrap"));
    {
        sqlite3 *db = db_open(path);

        after = db_digest(db, all_sql);
        sqlite3_close(db);
    }
    assert_true(before == after);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events"), 449);
    /* An empty id fails the same way. */
    seed_init(&s);
    s.users[1].account_user_id = (char *)"";
    assert_int_equal(store_bootstrap(st, s.accounts, 2, s.users, 2, true,
                                     &err),
                     CD_EINVAL);
    /* The connection is usable and outside any transaction. */
    OK(store_begin(st, &err));
    OK(store_commit(st, &err));
    store_close(st);
    {
        sqlite3 *db = db_open(path);

        after = db_digest(db, all_sql);
        sqlite3_close(db);
    }
    assert_true(before == after);
    tdir_remove(&d);
}

/* ---- concurrency ------------------------------------------------------ */

struct holder {
    const char *path;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool locked;
};

/* Hold the write lock from another connection for 300 ms. */
static void *hold_lock(void *arg)
{
    struct holder *h = arg;
    sqlite3 *db = db_open(h->path);

    db_exec(db, "BEGIN IMMEDIATE");
    pthread_mutex_lock(&h->mu);
    h->locked = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    usleep(300 * 1000);
    db_exec(db, "INSERT INTO accounts (account_id, name) "
                "VALUES ('held', 'Held')");
    db_exec(db, "COMMIT");
    sqlite3_close(db);
    return NULL;
}

/* A management write waits for another writer instead of failing. */
static void test_write_waits_for_lock(void **state)
{
    struct store_account acc = account_of(A1, "Waited");
    struct holder h = {.locked = false};
    struct cd_error err = {0};
    struct store *st;
    pthread_t th;
    struct tdir d;

    (void)state;
    SKIP_UNLESS_SQLITE("SQLite's database-wide write lock");
    tdir_make(&d);
    st = fresh_store(&d, "w.db");
    h.path = tdir_file(&d, "w.db");
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.cv, NULL);
    assert_int_equal(pthread_create(&th, NULL, hold_lock, &h), 0);
    pthread_mutex_lock(&h.mu);
    while (!h.locked)
        pthread_cond_wait(&h.cv, &h.mu);
    pthread_mutex_unlock(&h.mu);
    OK(store_account_create(st, &acc, NULL, &err));
    pthread_join(th, NULL);
    file_lines(h.path, "SELECT account_id FROM accounts ORDER BY rowid",
               text, sizeof(text));
    assert_string_equal(text, "held\n" A1 "\n");
    pthread_cond_destroy(&h.cv);
    pthread_mutex_destroy(&h.mu);
    store_close(st);
    tdir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_account),
        cmocka_unit_test(test_account_create_get),
        cmocka_unit_test(test_account_create_conflicts),
        cmocka_unit_test(test_name_taken),
        cmocka_unit_test(test_retire),
        cmocka_unit_test(test_set_styles),
        cmocka_unit_test(test_created_null_and_garbage),
        cmocka_unit_test(test_is_empty),
        cmocka_unit_test(test_bootstrap_fresh),
        cmocka_unit_test(test_bootstrap_fixture_force),
        cmocka_unit_test(test_bootstrap_rolls_back),
        cmocka_unit_test(test_write_waits_for_lock),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
