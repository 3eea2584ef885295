/* test_store_mysql.c -- what only the MySQL/MariaDB backend does: Offen's
 * GORM schema on a fresh install, an Offen-made database opened as it is,
 * a transaction ended behind the store's back that COMMIT must not report
 * as committed, migrations serialised by a named lock, and utf8mb4 (a
 * connection the server dropped: test_store_outage.c).
 *
 * Runs with CANDOR_TEST_DIALECT=mysql and CANDOR_TEST_DSN (make check
 * starts a server with tests/db/mariadb.sh); on any other dialect every
 * test skips itself. */
#include "common/common.h"

#include <pthread.h>

#include "store/store.h"
#include "store/store_backend.h"

#include "accounts_test_util.h"

#define SKIP_UNLESS_MYSQL()                                                  \
    SKIP_UNLESS_DIALECT(CONFIG_DIALECT_MYSQL,                                \
                        "MySQL only (CANDOR_TEST_DIALECT=mysql)")

static char text[16384];

/* Offen's tables as GORM 1.21 creates them on MySQL (reference §12.2):
 * table.column type, in table and column order. */
#define COLUMNS_SQL                                                          \
    "SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME, ' ', COLUMN_TYPE) "         \
    "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "       \
    "AND TABLE_NAME IN ('accounts', 'account_users', "                       \
    "'account_user_relationships', 'secrets', 'events', 'tombstones', "      \
    "'migrations') AND COLUMN_NAME <> 'candor_seq' "                         \
    "ORDER BY CAST(TABLE_NAME AS BINARY), CAST(COLUMN_NAME AS BINARY)"
#define OFFEN_COLUMNS                                                        \
    "account_user_relationships.account_id varchar(36)\n"                    \
    "account_user_relationships.account_user_id varchar(36)\n"               \
    "account_user_relationships.email_encrypted_key_encryption_key text\n"   \
    "account_user_relationships.one_time_encrypted_key_encryption_key "      \
    "text\n"                                                                 \
    "account_user_relationships.password_encrypted_key_encryption_key "      \
    "text\n"                                                                 \
    "account_user_relationships.relationship_id varchar(36)\n"               \
    "account_users.account_user_id varchar(36)\n"                            \
    "account_users.admin_level bigint(20)\n"                                 \
    "account_users.hashed_email longtext\n"                                  \
    "account_users.hashed_password longtext\n"                               \
    "account_users.salt longtext\n"                                          \
    "accounts.account_id varchar(36)\n"                                      \
    "accounts.account_styles text\n"                                         \
    "accounts.created datetime(3)\n"                                         \
    "accounts.encrypted_private_key text\n"                                  \
    "accounts.name longtext\n"                                               \
    "accounts.public_key text\n"                                             \
    "accounts.retired tinyint(1)\n"                                          \
    "accounts.user_salt longtext\n"                                          \
    "events.account_id varchar(36)\n"                                        \
    "events.event_id varchar(26)\n"                                          \
    "events.payload text\n"                                                  \
    "events.secret_id varchar(64)\n"                                         \
    "events.sequence varchar(26)\n"                                          \
    "migrations.id varchar(255)\n"                                           \
    "secrets.encrypted_secret text\n"                                        \
    "secrets.secret_id varchar(64)\n"                                        \
    "tombstones.account_id varchar(36)\n"                                    \
    "tombstones.event_id varchar(191)\n"                                     \
    "tombstones.secret_id varchar(64)\n"                                     \
    "tombstones.sequence varchar(26)\n"
#define FKEYS_SQL                                                            \
    "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS " \
    "WHERE CONSTRAINT_SCHEMA = DATABASE() "                                  \
    "ORDER BY CAST(CONSTRAINT_NAME AS BINARY)"
#define OFFEN_FKEYS                                                          \
    "fk_account_users_relationships\nfk_accounts_events\nfk_events_secret\n"
#define INDEXES_SQL                                                          \
    "SELECT DISTINCT CAST(CONCAT(TABLE_NAME, '.', INDEX_NAME) AS BINARY) "   \
    "AS i FROM information_schema.STATISTICS "                               \
    "WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME LIKE 'candor%' "         \
    "ORDER BY i"

#define OFFEN_IDS                                                            \
    "SCHEMA_INIT\n001_introduce_admin_level\n002_mysql_set_column_sizes\n"   \
    "003_version_salts\n004_add_tombstones_event_revs\n"                     \
    "005_update_secrets_table\n006_gorm_upgrade\n007_account_customStyles\n"
#define CANDOR_IDS                                                           \
    "candor_001_indexes\ncandor_002_email_lookup\ncandor_003_sync_indexes\n" \
    "candor_004_insertion_order\ncandor_005_throttle\n"
#define IDS_SQL "SELECT id FROM migrations ORDER BY rowid"

/* What Offen 1.4 writes into an empty MySQL database (§12.2, the same
 * types as mysql_schema.c, spelled out here on purpose, without our
 * charset and in a case-folding collation, as a server's default may
 * be), with an account, an operator and an event in Offen's value forms
 * (datetime in UTC, as Go's driver writes with parseTime=true). */
#define CI " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;"
static const char offen_db_sql[] =
    "CREATE TABLE migrations (id VARCHAR(255) PRIMARY KEY)" CI
    "CREATE TABLE `accounts` (`account_id` varchar(36) UNIQUE,`name` "
    "longtext,`public_key` text,`encrypted_private_key` text,`user_salt` "
    "longtext,`retired` boolean,`account_styles` text,`created` "
    "datetime(3) NULL,PRIMARY KEY (`account_id`))" CI
    "CREATE TABLE `account_users` (`account_user_id` varchar(36) UNIQUE,"
    "`hashed_email` longtext,`hashed_password` longtext,`salt` longtext,"
    "`admin_level` bigint,PRIMARY KEY (`account_user_id`))" CI
    "CREATE TABLE `account_user_relationships` (`relationship_id` "
    "varchar(36) UNIQUE,`account_user_id` varchar(36),`account_id` "
    "varchar(36),`password_encrypted_key_encryption_key` text,"
    "`email_encrypted_key_encryption_key` text,"
    "`one_time_encrypted_key_encryption_key` text,PRIMARY KEY "
    "(`relationship_id`),CONSTRAINT `fk_account_users_relationships` "
    "FOREIGN KEY (`account_user_id`) REFERENCES "
    "`account_users`(`account_user_id`))" CI
    "CREATE TABLE `secrets` (`secret_id` varchar(64) UNIQUE,"
    "`encrypted_secret` text,PRIMARY KEY (`secret_id`))" CI
    "CREATE TABLE `events` (`event_id` varchar(26) UNIQUE,`sequence` "
    "varchar(26),`account_id` varchar(36),`secret_id` varchar(64),"
    "`payload` text,PRIMARY KEY (`event_id`),CONSTRAINT "
    "`fk_events_secret` FOREIGN KEY (`secret_id`) REFERENCES "
    "`secrets`(`secret_id`),CONSTRAINT `fk_accounts_events` FOREIGN "
    "KEY (`account_id`) REFERENCES `accounts`(`account_id`))" CI
    "CREATE TABLE `tombstones` (`event_id` varchar(191),`account_id` "
    "varchar(36),`secret_id` varchar(64),`sequence` varchar(26),"
    "PRIMARY KEY (`event_id`))" CI
    "INSERT INTO migrations (id) VALUES ('SCHEMA_INIT');"
    "INSERT INTO migrations (id) VALUES ('001_introduce_admin_level');"
    "INSERT INTO migrations (id) VALUES ('002_mysql_set_column_sizes');"
    "INSERT INTO migrations (id) VALUES ('003_version_salts');"
    "INSERT INTO migrations (id) VALUES ('004_add_tombstones_event_revs');"
    "INSERT INTO migrations (id) VALUES ('005_update_secrets_table');"
    "INSERT INTO migrations (id) VALUES ('006_gorm_upgrade');"
    "INSERT INTO migrations (id) VALUES ('007_account_customStyles');"
    "INSERT INTO accounts VALUES ('acc-1', 'Offen site', '{\"kty\":\"RSA\"}',"
    " '{1,} priv nonce', '{1,} c2FsdA==', false, '',"
    " '2024-05-01 10:00:00.123');"
    "INSERT INTO account_users VALUES ('user-1', '{2,} he hs', '{2,} pw',"
    " '{2,} c2FsdA==', 1);"
    "INSERT INTO account_user_relationships VALUES ('rel-1', 'user-1',"
    " 'acc-1', '{1,} pw kek', '{1,} em kek', '');"
    "INSERT INTO secrets VALUES ('sec-1', '{1,} secret');"
    "INSERT INTO events VALUES ('01HX0000000000000000000001',"
    " '01HX0000000000000000000001', 'acc-1', 'sec-1', '{1,} payload');";

static struct store *open_st(const char *conn)
{
    struct cd_error err = {0};
    struct store *st = NULL;

    if (store_open(&st, CONFIG_DIALECT_MYSQL, conn, &err) != CD_OK)
        fail_msg("store_open(%s): %s", conn, err.msg);
    return st;
}

/* A fresh install has Offen's tables, column for column and type for
 * type, with its foreign keys; ours come on top. */
static void test_fresh_schema_is_offens(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *conn;

    (void)state;
    SKIP_UNLESS_MYSQL();
    tdir_make(&d);
    conn = tdir_file(&d, "fresh.db");
    st = open_st(conn);
    assert_int_equal(store_migrate(st, &err), CD_OK);
    assert_int_equal(store_ping(st, &err), CD_OK);
    file_lines(conn, COLUMNS_SQL, text, sizeof(text));
    assert_string_equal(text, OFFEN_COLUMNS);
    file_lines(conn, FKEYS_SQL, text, sizeof(text));
    assert_string_equal(text, OFFEN_FKEYS);
    file_lines(conn, IDS_SQL, text, sizeof(text));
    assert_string_equal(text, OFFEN_IDS CANDOR_IDS);
    file_lines(conn, INDEXES_SQL, text, sizeof(text));
    assert_string_equal(text,
                        "account_user_relationships.candor_seq\n"
                        "account_users.candor_seq\n"
                        "accounts.candor_seq\n"
                        "candor_email_lookups.candor_email_lookups_key_lookup\n"
                        "events.candor_events_account_sequence\n"
                        "events.candor_events_secret_sequence\n"
                        "migrations.candor_seq\n"
                        "tombstones.candor_tombstones_account_sequence\n"
                        "tombstones.candor_tombstones_secret_sequence\n");
    /* Our column is invisible: SELECT * and INSERT without a column list
     * (Offen's, or an operator's) see Offen's columns only. */
    file_exec(conn, "INSERT INTO migrations VALUES ('x_by_hand')");
    assert_int_equal(file_int(conn, "SELECT COUNT(*) FROM migrations"), 14);
    file_exec(conn, "DELETE FROM migrations WHERE id = 'x_by_hand'");
    /* Twice changes nothing. */
    assert_int_equal(store_migrate(st, &err), CD_OK);
    assert_int_equal(file_int(conn, "SELECT COUNT(*) FROM migrations"), 13);
    store_close(st);
    tdir_remove(&d);
}

/* A database Offen made opens as it is: our migrations only add, and
 * what Offen wrote reads back. */
static void test_offen_database_opens(void **state)
{
    struct store_account acc = {0};
    struct store_user u = {0};
    struct cd_error err = {0};
    bool taken = true;
    struct store *st;
    struct tdir d;
    const char *conn;

    (void)state;
    SKIP_UNLESS_MYSQL();
    tdir_make(&d);
    conn = tdir_file(&d, "offen.db");
    file_exec(conn, offen_db_sql);
    st = open_st(conn);
    assert_false(store_is_empty(st));
    assert_int_equal(store_migrate(st, &err), CD_OK);
    file_lines(conn, COLUMNS_SQL, text, sizeof(text));
    assert_string_equal(text, OFFEN_COLUMNS);
    /* Rows from before candor_004 are numbered in key order, not in the
     * order Offen wrote them: compare as a set. */
    file_lines(conn, "SELECT id FROM migrations ORDER BY CAST(id AS BINARY)",
               text, sizeof(text));
    assert_string_equal(text,
                        "001_introduce_admin_level\n"
                        "002_mysql_set_column_sizes\n003_version_salts\n"
                        "004_add_tombstones_event_revs\n"
                        "005_update_secrets_table\n006_gorm_upgrade\n"
                        "007_account_customStyles\nSCHEMA_INIT\n" CANDOR_IDS);
    OK(store_account_get(st, "acc-1", true, &acc, &err));
    assert_string_equal(acc.name, "Offen site");
    assert_false(acc.retired);
    /* datetime(3) holds UTC: 10:00:00.123. */
    assert_int_equal(acc.created_unix_ms, INT64_C(1714557600123));
    store_account_release(&acc);
    /* The name check is exact in a case-folding collation too. */
    OK(store_account_name_taken(st, "offen site", &taken, &err));
    assert_false(taken);
    OK(store_account_name_taken(st, "Offen site", &taken, &err));
    assert_true(taken);
    OK(store_user_get(st, "user-1", true, &u, &err));
    assert_int_equal(u.admin_level, 1);
    assert_int_equal(u.nrels, 1);
    assert_string_equal(u.rels[0].account_id, "acc-1");
    store_user_release(&u);
    OK(store_account_retire(st, "acc-1", &err));
    assert_int_equal(file_int(conn, "SELECT COUNT(*) FROM accounts "
                                    "WHERE retired = true"),
                     1);
    store_close(st);
    tdir_remove(&d);
}

/* A transaction ended behind the store's back (a raw ROLLBACK) must not
 * COMMIT as if it held its work; BEGIN inside one is refused, since MySQL
 * would commit the open one. */
static void test_transaction_rules(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *conn;

    (void)state;
    SKIP_UNLESS_MYSQL();
    tdir_make(&d);
    conn = tdir_file(&d, "c.db");
    st = open_st(conn);
    assert_int_equal(store_exec(st, "CREATE TABLE t (k INTEGER PRIMARY KEY)",
                                &err),
                     CD_OK);
    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (1)", &err), CD_OK);
    assert_int_equal(store_begin(st, &err), CD_ESTORE);
    assert_int_equal(store_exec(st, "ROLLBACK", &err), CD_OK);
    assert_false(store_in_transaction(st));
    assert_int_equal(store_commit(st, &err), CD_ESTORE);
    assert_non_null(strstr(err.msg, "ended before COMMIT"));
    assert_int_equal(file_int(conn, "SELECT COUNT(*) FROM t"), 0);
    /* A savepoint gone with its transaction is an error too. */
    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_savepoint(st, "sp", &err), CD_OK);
    assert_int_equal(store_exec(st, "ROLLBACK", &err), CD_OK);
    assert_int_equal(store_release(st, "sp", &err), CD_ESTORE);
    assert_int_equal(store_rollback(st, &err), CD_OK);
    /* A duplicate key: CD_EEXIST from query(), CD_ESTORE from exec(). */
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (2)", &err), CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (2)", &err),
                     CD_ESTORE);
    assert_int_equal(store_query(st, "INSERT INTO t VALUES (2)", NULL, 0,
                                 NULL, NULL, &err),
                     CD_EEXIST);
    store_close(st);
    tdir_remove(&d);
}

struct racer {
    const char *conn;
    int rc;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct cd_error err = {0};
    struct store *st = NULL;

    r->rc = store_open(&st, CONFIG_DIALECT_MYSQL, r->conn, &err);
    if (r->rc == CD_OK)
        r->rc = store_migrate(st, &err);
    store_close(st);
    return NULL;
}

/* Nodes starting at once migrate one after the other under the named
 * lock: every id once, every migration applied once. */
static void test_migration_lock(void **state)
{
    struct racer r[6];
    pthread_t th[6];
    struct tdir d;
    const char *conn;

    (void)state;
    SKIP_UNLESS_MYSQL();
    tdir_make(&d);
    conn = tdir_file(&d, "lock.db");
    for (int i = 0; i < 6; i++) {
        r[i].conn = conn;
        r[i].rc = -1;
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(r[i].rc, CD_OK);
    }
    file_lines(conn, IDS_SQL, text, sizeof(text));
    assert_string_equal(text, OFFEN_IDS CANDOR_IDS);
    tdir_remove(&d);
}

/* utf8mb4 end to end: four-byte characters in and out. */
static void test_utf8mb4(void **state)
{
    struct store_account acc = {0}, got = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    SKIP_UNLESS_MYSQL();
    tdir_make(&d);
    st = fresh_store(&d, "u.db");
    acc.account_id = (char *)"acc-u";
    acc.name = (char *)"Caf\xc3\xa9 \xf0\x9f\x8d\xb0";
    acc.created_unix_ms = INT64_C(1714557600123);
    OK(store_account_create(st, &acc, NULL, &err));
    OK(store_account_get(st, "acc-u", false, &got, &err));
    assert_string_equal(got.name, acc.name);
    assert_int_equal(got.created_unix_ms, acc.created_unix_ms);
    store_account_release(&got);
    store_close(st);
    tdir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_schema_is_offens),
        cmocka_unit_test(test_offen_database_opens),
        cmocka_unit_test(test_transaction_rules),
        cmocka_unit_test(test_migration_lock),
        cmocka_unit_test(test_utf8mb4),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
