/* test_store_postgres.c -- what only the PostgreSQL backend does: Offen's
 * GORM schema on a fresh install, an Offen-made database opened as it is,
 * and a failed transaction that COMMIT must not report as committed (a
 * connection the server dropped: test_store_outage.c).
 *
 * Runs with CANDOR_TEST_DIALECT=postgres and CANDOR_TEST_DSN (make check
 * starts a server with tests/db/postgres.sh); on any other dialect every
 * test skips itself. */
#include "common/common.h"

#include "store/store.h"
#include "store/store_backend.h"

#include "accounts_test_util.h"

#define SKIP_UNLESS_POSTGRES()                                               \
    SKIP_UNLESS_DIALECT(CONFIG_DIALECT_POSTGRES,                             \
                        "PostgreSQL only (CANDOR_TEST_DIALECT=postgres)")

static char text[16384];

/* Offen's tables as GORM 1.21 creates them on PostgreSQL (reference §12.2):
 * table.column type, in table and column order. */
#define COLUMNS_SQL                                                          \
    "SELECT table_name || '.' || column_name || ' ' || data_type || "        \
    "coalesce('(' || character_maximum_length || ')', '') "                  \
    "FROM information_schema.columns WHERE table_schema = 'public' "         \
    "AND table_name IN ('accounts', 'account_users', "                       \
    "'account_user_relationships', 'secrets', 'events', 'tombstones', "      \
    "'migrations') AND column_name <> 'candor_seq' "                         \
    "ORDER BY table_name, column_name"
#define OFFEN_COLUMNS                                                        \
    "account_user_relationships.account_id character varying(36)\n"          \
    "account_user_relationships.account_user_id character varying(36)\n"     \
    "account_user_relationships.email_encrypted_key_encryption_key text\n"   \
    "account_user_relationships.one_time_encrypted_key_encryption_key "      \
    "text\n"                                                                 \
    "account_user_relationships.password_encrypted_key_encryption_key "      \
    "text\n"                                                                 \
    "account_user_relationships.relationship_id character varying(36)\n"     \
    "account_users.account_user_id character varying(36)\n"                  \
    "account_users.admin_level bigint\n"                                     \
    "account_users.hashed_email text\n"                                      \
    "account_users.hashed_password text\n"                                   \
    "account_users.salt text\n"                                              \
    "accounts.account_id character varying(36)\n"                            \
    "accounts.account_styles text\n"                                         \
    "accounts.created timestamp with time zone\n"                            \
    "accounts.encrypted_private_key text\n"                                  \
    "accounts.name text\n"                                                   \
    "accounts.public_key text\n"                                             \
    "accounts.retired boolean\n"                                             \
    "accounts.user_salt text\n"                                              \
    "events.account_id character varying(36)\n"                              \
    "events.event_id character varying(26)\n"                                \
    "events.payload text\n"                                                  \
    "events.secret_id character varying(64)\n"                               \
    "events.sequence character varying(26)\n"                                \
    "migrations.id character varying(255)\n"                                 \
    "secrets.encrypted_secret text\n"                                        \
    "secrets.secret_id character varying(64)\n"                              \
    "tombstones.account_id character varying(36)\n"                          \
    "tombstones.event_id text\n"                                             \
    "tombstones.secret_id character varying(64)\n"                           \
    "tombstones.sequence character varying(26)\n"
#define FKEYS_SQL                                                            \
    "SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY 1"
#define OFFEN_FKEYS                                                          \
    "fk_account_users_relationships\nfk_accounts_events\nfk_events_secret\n"

#define OFFEN_IDS                                                            \
    "SCHEMA_INIT\n001_introduce_admin_level\n002_mysql_set_column_sizes\n"   \
    "003_version_salts\n004_add_tombstones_event_revs\n"                     \
    "005_update_secrets_table\n006_gorm_upgrade\n007_account_customStyles\n"
#define CANDOR_IDS                                                           \
    "candor_001_indexes\ncandor_002_email_lookup\ncandor_003_sync_indexes\n" \
    "candor_004_insertion_order\ncandor_005_throttle\n"
#define IDS_SQL "SELECT id FROM migrations ORDER BY ctid"

/* What Offen 1.4 writes into an empty PostgreSQL database (§12.2, the
 * same statements as postgres_schema.c, spelled out here on purpose),
 * with an account, an operator and an event in Offen's value forms. */
static const char offen_db_sql[] =
    "CREATE TABLE migrations (id VARCHAR(255) PRIMARY KEY);"
    "CREATE TABLE \"accounts\" (\"account_id\" varchar(36) UNIQUE,\"name\" "
    "text,\"public_key\" text,\"encrypted_private_key\" text,\"user_salt\" "
    "text,\"retired\" boolean,\"account_styles\" text,\"created\" "
    "timestamptz,PRIMARY KEY (\"account_id\"));"
    "CREATE TABLE \"account_users\" (\"account_user_id\" varchar(36) UNIQUE,"
    "\"hashed_email\" text,\"hashed_password\" text,\"salt\" text,"
    "\"admin_level\" bigint,PRIMARY KEY (\"account_user_id\"));"
    "CREATE TABLE \"account_user_relationships\" (\"relationship_id\" "
    "varchar(36) UNIQUE,\"account_user_id\" varchar(36),\"account_id\" "
    "varchar(36),\"password_encrypted_key_encryption_key\" text,"
    "\"email_encrypted_key_encryption_key\" text,"
    "\"one_time_encrypted_key_encryption_key\" text,PRIMARY KEY "
    "(\"relationship_id\"),CONSTRAINT \"fk_account_users_relationships\" "
    "FOREIGN KEY (\"account_user_id\") REFERENCES "
    "\"account_users\"(\"account_user_id\"));"
    "CREATE TABLE \"secrets\" (\"secret_id\" varchar(64) UNIQUE,"
    "\"encrypted_secret\" text,PRIMARY KEY (\"secret_id\"));"
    "CREATE TABLE \"events\" (\"event_id\" varchar(26) UNIQUE,\"sequence\" "
    "varchar(26),\"account_id\" varchar(36),\"secret_id\" varchar(64),"
    "\"payload\" text,PRIMARY KEY (\"event_id\"),CONSTRAINT "
    "\"fk_events_secret\" FOREIGN KEY (\"secret_id\") REFERENCES "
    "\"secrets\"(\"secret_id\"),CONSTRAINT \"fk_accounts_events\" FOREIGN "
    "KEY (\"account_id\") REFERENCES \"accounts\"(\"account_id\"));"
    "CREATE TABLE \"tombstones\" (\"event_id\" text,\"account_id\" "
    "varchar(36),\"secret_id\" varchar(64),\"sequence\" varchar(26),"
    "PRIMARY KEY (\"event_id\"));"
    "INSERT INTO migrations VALUES ('SCHEMA_INIT'),"
    "('001_introduce_admin_level'),('002_mysql_set_column_sizes'),"
    "('003_version_salts'),('004_add_tombstones_event_revs'),"
    "('005_update_secrets_table'),('006_gorm_upgrade'),"
    "('007_account_customStyles');"
    "INSERT INTO accounts VALUES ('acc-1', 'Offen site', '{\"kty\":\"RSA\"}',"
    " '{1,} priv nonce', '{1,} c2FsdA==', false, '',"
    " '2024-05-01 12:00:00.123456+02');"
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

    if (store_open(&st, CONFIG_DIALECT_POSTGRES, conn, &err) != CD_OK)
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
    SKIP_UNLESS_POSTGRES();
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
    file_lines(conn, "SELECT indexname FROM pg_indexes WHERE indexname "
                     "LIKE 'candor%' ORDER BY 1",
               text, sizeof(text));
    assert_string_equal(text, "candor_email_lookups_key_lookup\n"
                              "candor_email_lookups_pkey\n"
                              "candor_events_account_sequence\n"
                              "candor_events_secret_sequence\n"
                              "candor_throttle_pkey\n"
                              "candor_tombstones_account_sequence\n"
                              "candor_tombstones_secret_sequence\n");
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
    struct store *st;
    struct tdir d;
    const char *conn;

    (void)state;
    SKIP_UNLESS_POSTGRES();
    tdir_make(&d);
    conn = tdir_file(&d, "offen.db");
    file_exec(conn, offen_db_sql);
    st = open_st(conn);
    assert_false(store_is_empty(st));
    assert_int_equal(store_migrate(st, &err), CD_OK);
    file_lines(conn, IDS_SQL, text, sizeof(text));
    assert_string_equal(text, OFFEN_IDS CANDOR_IDS);
    file_lines(conn, COLUMNS_SQL, text, sizeof(text));
    assert_string_equal(text, OFFEN_COLUMNS);
    OK(store_account_get(st, "acc-1", true, &acc, &err));
    assert_string_equal(acc.name, "Offen site");
    assert_false(acc.retired);
    /* 12:00:00.123456+02 is 10:00:00.123 UTC. */
    assert_int_equal(acc.created_unix_ms, INT64_C(1714557600123));
    store_account_release(&acc);
    OK(store_user_get(st, "user-1", true, &u, &err));
    assert_int_equal(u.admin_level, 1);
    assert_int_equal(u.nrels, 1);
    assert_string_equal(u.rels[0].account_id, "acc-1");
    store_user_release(&u);
    /* Retire: Offen's boolean column. */
    OK(store_account_retire(st, "acc-1", &err));
    assert_int_equal(file_int(conn, "SELECT COUNT(*) FROM accounts "
                                    "WHERE retired = true"),
                     1);
    store_close(st);
    tdir_remove(&d);
}

/* PostgreSQL answers COMMIT of a failed transaction with ROLLBACK; the
 * store must call that a failure, or the writer would acknowledge lost
 * work. */
static void test_commit_of_failed_transaction(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *conn;

    (void)state;
    SKIP_UNLESS_POSTGRES();
    tdir_make(&d);
    conn = tdir_file(&d, "c.db");
    st = open_st(conn);
    assert_int_equal(store_exec(st, "CREATE TABLE t (k INTEGER PRIMARY KEY)",
                                &err),
                     CD_OK);
    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (1)", &err), CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (1)", &err),
                     CD_ESTORE);
    assert_true(store_in_transaction(st));
    assert_int_equal(store_commit(st, &err), CD_ESTORE);
    assert_false(store_in_transaction(st));
    assert_int_equal(file_int(conn, "SELECT COUNT(*) FROM t"), 0);
    /* A raw ROLLBACK ends the transaction for the store too. */
    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_exec(st, "ROLLBACK", &err), CD_OK);
    assert_false(store_in_transaction(st));
    assert_int_equal(store_commit(st, &err), CD_ESTORE);
    store_close(st);
    tdir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_schema_is_offens),
        cmocka_unit_test(test_offen_database_opens),
        cmocka_unit_test(test_commit_of_failed_transaction),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
