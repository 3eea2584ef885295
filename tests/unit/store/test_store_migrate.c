/* test_store_migrate.c -- store_migrate() on SQLite: a fresh install, a
 * database written by Offen 1.4.2 (a copy of the fixture), databases of
 * older Offen versions built by hand, failures, and concurrent runs. */
#include "common/common.h"

#include <pthread.h>

#include "store/store.h"

#include "store_test_util.h"

#define OFFEN_IDS                                                            \
    "SCHEMA_INIT\n"                                                          \
    "001_introduce_admin_level\n"                                            \
    "002_mysql_set_column_sizes\n"                                           \
    "003_version_salts\n"                                                    \
    "004_add_tombstones_event_revs\n"                                        \
    "005_update_secrets_table\n"                                             \
    "006_gorm_upgrade\n"                                                     \
    "007_account_customStyles\n"
#define CANDOR_IDS                                                           \
    "candor_001_indexes\ncandor_002_email_lookup\ncandor_003_sync_indexes\n"
/* Every id a fresh database records, in order (all_ids()). */
#define ALL_IDS all_ids("")
/* Why the schema tests run on SQLite only. */
#define SQLITE_SCHEMA_ONLY                                                   \
    "SQLite's schema (sqlite_master, the Offen SQLite fixture); "            \
    "PostgreSQL's and MySQL's are tested in test_store_postgres.c and "      \
    "test_store_mysql.c"

#define IDS_SQL "SELECT id FROM migrations ORDER BY rowid"
/* Offen's tables (ours, candor_*, are checked apart). */
#define TABLES_SQL                                                           \
    "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'table' "    \
    "AND name NOT LIKE 'candor%' ORDER BY name"
#define CANDOR_TABLES_SQL                                                    \
    "SELECT name FROM sqlite_master WHERE type = 'table' "                   \
    "AND name LIKE 'candor%' ORDER BY name"
#define INDEXES_SQL                                                          \
    "SELECT name || ' ON ' || tbl_name FROM sqlite_master "                  \
    "WHERE type = 'index' AND name LIKE 'candor%' ORDER BY name"
/* candor_003 replaced candor_001's indexes with these. */
#define CANDOR_INDEXES                                                       \
    "candor_email_lookups_key_lookup ON candor_email_lookups\n"              \
    "candor_events_account_sequence ON events\n"                             \
    "candor_events_secret_sequence ON events\n"                              \
    "candor_tombstones_account_sequence ON tombstones\n"                     \
    "candor_tombstones_secret_sequence ON tombstones\n"
/* Column names per table, to compare schemas by name as Offen's code
 * addresses them. */
#define COLUMNS_SQL                                                          \
    "SELECT m.name || '.' || p.name FROM sqlite_master m, "                  \
    "pragma_table_info(m.name) p WHERE m.type = 'table' "                    \
    "AND m.name NOT LIKE 'candor%' ORDER BY m.name, p.name"

static const char *const offen_tables[] = {
    "accounts", "account_users", "account_user_relationships",
    "secrets",  "events",        "tombstones",
};

static char text_a[65536], text_b[65536];

/* Every id a fresh database of the dialect under test records: Offen's
 * ids, ours, PostgreSQL's and MySQL's own (candor_004, the insertion
 * order), candor_005_throttle on every dialect, then more. */
static const char *all_ids(const char *more)
{
    static char buf[1024];

    snprintf(buf, sizeof(buf), "%s%s%s%s%s", OFFEN_IDS, CANDOR_IDS,
             test_on_sqlite() ? "" : "candor_004_insertion_order\n",
             "candor_005_throttle\n", more);
    return buf;
}

static int migrate_path(const char *path, struct cd_error *err)
{
    struct store *st = NULL;
    int rc = store_open(&st, test_dialect(), path, err);

    if (rc == CD_OK)
        rc = store_migrate(st, err);
    store_close(st);
    return rc;
}

static void migrate_ok(const char *path)
{
    struct cd_error err = {0};

    if (migrate_path(path, &err) != CD_OK)
        fail_msg("store_migrate(%s): %s", path, err.msg);
}

/* The fixture's table DDL, from an untouched copy. */
static void fixture_tables(struct tdir *d, char *out, size_t size)
{
    const char *copy = tdir_file(d, "fixture-ddl.sqlite");

    copy_file(FIXTURE_DB, copy);
    file_lines(copy, TABLES_SQL, out, size);
    remove(copy);
}

static void test_fresh_install(void **state)
{
    struct cd_error err = {0};
    struct store *st = NULL;
    struct tdir d;
    const char *path;

    (void)state;
    SKIP_UNLESS_SQLITE(SQLITE_SCHEMA_ONLY);
    tdir_make(&d);
    path = tdir_file(&d, "fresh.db");
    assert_int_equal(store_open(&st, CONFIG_DIALECT_SQLITE, path, &err),
                     CD_OK);
    assert_int_equal(store_migrate(st, &err), CD_OK);
    assert_int_equal(store_ping(st, &err), CD_OK);
    store_close(st);

    file_lines(path, IDS_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, ALL_IDS);
    /* Offen's tables, character for character as Offen 1.4.2 wrote them. */
    fixture_tables(&d, text_b, sizeof(text_b));
    file_lines(path, TABLES_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, text_b);
    assert_non_null(strstr(text_a, "events: CREATE TABLE `events` "
                                    "(`event_id` text UNIQUE,"));
    file_lines(path, INDEXES_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, CANDOR_INDEXES);
    file_lines(path, CANDOR_TABLES_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, "candor_email_lookups\ncandor_throttle\n");
    for (size_t i = 0; i < CD_ARRAY_SIZE(offen_tables); i++) {
        char sql[128];

        snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s",
                 offen_tables[i]);
        assert_int_equal(file_int(path, sql), 0);
    }
    tdir_remove(&d);
}

static void test_migrate_twice_is_noop(void **state)
{
    struct cd_error err = {0};
    struct store *st = NULL;
    char schema[8192];
    struct tdir d;
    const char *path;

    (void)state;
    SKIP_UNLESS_SQLITE(SQLITE_SCHEMA_ONLY);
    tdir_make(&d);
    path = tdir_file(&d, "twice.db");
    assert_int_equal(store_open(&st, CONFIG_DIALECT_SQLITE, path, &err),
                     CD_OK);
    assert_int_equal(store_migrate(st, &err), CD_OK);
    assert_int_equal(store_exec(st,
                                "INSERT INTO accounts (account_id, name) "
                                "VALUES ('a', 'kept')",
                                &err),
                     CD_OK);
    file_lines(path, "SELECT sql FROM sqlite_master ORDER BY name", schema,
               sizeof(schema));
    /* Same connection, then a new one. */
    assert_int_equal(store_migrate(st, &err), CD_OK);
    store_close(st);
    migrate_ok(path);
    file_lines(path, "SELECT sql FROM sqlite_master ORDER BY name", text_a,
               sizeof(text_a));
    assert_string_equal(text_a, schema);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM migrations"), 12);
    assert_int_equal(file_int(path, "SELECT MAX(rowid) FROM migrations"),
                     12);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM accounts "
                                    "WHERE name = 'kept'"),
                     1);
    tdir_remove(&d);
}

/* Every row of every table, digested, to prove the data did not change. */
static void digest_tables(sqlite3 *db, unsigned long long out[6])
{
    static const char *const sql[6] = {
        "SELECT * FROM accounts ORDER BY account_id",
        "SELECT * FROM account_users ORDER BY account_user_id",
        "SELECT * FROM account_user_relationships ORDER BY relationship_id",
        "SELECT * FROM secrets ORDER BY secret_id",
        "SELECT * FROM events ORDER BY event_id",
        "SELECT * FROM tombstones ORDER BY event_id",
    };

    for (int i = 0; i < 6; i++)
        out[i] = db_digest(db, sql[i]);
}

static void test_offen_fixture(void **state)
{
    unsigned long long before[6], after[6];
    char tables[8192];
    struct tdir d;
    const char *path;
    sqlite3 *db;

    (void)state;
    SKIP_UNLESS_SQLITE(SQLITE_SCHEMA_ONLY);
    tdir_make(&d);
    path = tdir_file(&d, "offen.sqlite");
    copy_file(FIXTURE_DB, path);
    db = db_open(path);
    digest_tables(db, before);
    db_lines(db, TABLES_SQL, tables, sizeof(tables));
    sqlite3_close(db);

    migrate_ok(path);

    db = db_open(path);
    db_lines(db, IDS_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, ALL_IDS);
    /* Offen's ids untouched: same rows, same order. */
    db_lines(db, "SELECT rowid || ' ' || id FROM migrations WHERE rowid <= 8",
             text_a, sizeof(text_a));
    assert_non_null(strstr(text_a, "1 SCHEMA_INIT\n2 001_"));
    assert_non_null(strstr(text_a, "8 007_account_customStyles\n"));
    db_lines(db, TABLES_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, tables);
    db_lines(db, INDEXES_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, CANDOR_INDEXES);
    assert_int_equal(db_int(db, "SELECT COUNT(*) FROM accounts"), 1);
    assert_int_equal(db_int(db, "SELECT COUNT(*) FROM account_users"), 1);
    assert_int_equal(
        db_int(db, "SELECT COUNT(*) FROM account_user_relationships"), 1);
    assert_int_equal(db_int(db, "SELECT COUNT(*) FROM secrets"), 40);
    assert_int_equal(db_int(db, "SELECT COUNT(*) FROM events"), 449);
    assert_int_equal(db_int(db, "SELECT COUNT(*) FROM tombstones"), 0);
    digest_tables(db, after);
    assert_memory_equal(before, after, sizeof(before));
    /* The data reads back through the new index. */
    db_lines(db, "SELECT name FROM accounts", text_a, sizeof(text_a));
    assert_string_equal(text_a, "Demo Account\n");
    assert_int_equal(db_int(db, "SELECT COUNT(*) FROM events e JOIN "
                                "accounts a USING (account_id) "
                                "WHERE e.secret_id IN "
                                "(SELECT secret_id FROM secrets)"),
                     449);
    {
        sqlite3_stmt *st = NULL;
        bool uses_index = false;

        assert_int_equal(sqlite3_prepare_v2(db,
                                            "EXPLAIN QUERY PLAN SELECT "
                                            "event_id FROM events WHERE "
                                            "account_id = 'x' AND "
                                            "sequence > 'y'",
                                            -1, &st, NULL),
                         SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *detail = (const char *)sqlite3_column_text(st, 3);

            if (detail != NULL &&
                strstr(detail, "candor_events_account_sequence") !=
                    NULL)
                uses_index = true;
        }
        sqlite3_finalize(st);
        assert_true(uses_index);
    }
    db_lines(db, "PRAGMA journal_mode", text_a, sizeof(text_a));
    assert_string_equal(text_a, "wal\n");
    sqlite3_close(db);

    /* A second run changes nothing. */
    migrate_ok(path);
    file_lines(path, IDS_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, ALL_IDS);
    tdir_remove(&d);
}

/* Offen 1.4 tables without accounts.account_styles, ids up to 006: what a
 * database of Offen v0.1.8 .. v0.4.1 looks like. */
static void make_pre_007(const char *path, bool with_styles_column)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    db_exec(db,
            "CREATE TABLE migrations (id VARCHAR(255) PRIMARY KEY);"
            "INSERT INTO migrations VALUES ('SCHEMA_INIT'),"
            "('001_introduce_admin_level'),('002_mysql_set_column_sizes'),"
            "('003_version_salts'),('004_add_tombstones_event_revs'),"
            "('005_update_secrets_table'),('006_gorm_upgrade');"
            "CREATE TABLE `accounts` (`account_id` text UNIQUE,`name` text,"
            "`public_key` text,`encrypted_private_key` text,`user_salt` text,"
            "`retired` numeric,`created` datetime,"
            "PRIMARY KEY (`account_id`));"
            "CREATE TABLE `account_users` (`account_user_id` text UNIQUE,"
            "`hashed_email` text,`hashed_password` text,`salt` text,"
            "`admin_level` integer,PRIMARY KEY (`account_user_id`));"
            "CREATE TABLE `account_user_relationships` (`relationship_id` "
            "text UNIQUE,`account_user_id` text,`account_id` text,"
            "`password_encrypted_key_encryption_key` text,"
            "`email_encrypted_key_encryption_key` text,"
            "`one_time_encrypted_key_encryption_key` text,"
            "PRIMARY KEY (`relationship_id`));"
            "CREATE TABLE `secrets` (`secret_id` text UNIQUE,"
            "`encrypted_secret` text,PRIMARY KEY (`secret_id`));"
            "CREATE TABLE `events` (`event_id` text UNIQUE,`sequence` text,"
            "`account_id` text,`secret_id` text,`payload` text,"
            "PRIMARY KEY (`event_id`));"
            "CREATE TABLE `tombstones` (`event_id` text,`account_id` text,"
            "`secret_id` text,`sequence` text,PRIMARY KEY (`event_id`));"
            "INSERT INTO accounts VALUES ('acc-1', 'Old', 'pk', 'epk', "
            "'{1,} c2FsdA==', 0, '2020-01-01 00:00:00+00:00');"
            "INSERT INTO events VALUES ('01E0000000000000000000000A', "
            "'01E0000000000000000000000A', 'acc-1', NULL, '{1,} x y');");
    if (with_styles_column)
        db_exec(db, "ALTER TABLE accounts ADD COLUMN account_styles text");
    sqlite3_close(db);
}

static void test_old_database_gets_007(void **state)
{
    struct tdir d;
    const char *path;

    (void)state;
    SKIP_UNLESS_SQLITE(SQLITE_SCHEMA_ONLY);
    tdir_make(&d);
    path = tdir_file(&d, "v041.db");
    make_pre_007(path, false);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM pragma_table_info"
                                    "('accounts') WHERE name = "
                                    "'account_styles'"),
                     0);
    migrate_ok(path);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM pragma_table_info"
                                    "('accounts') WHERE name = "
                                    "'account_styles'"),
                     1);
    file_lines(path, IDS_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, ALL_IDS);
    file_lines(path,
               "SELECT name || '|' || user_salt || '|' || "
               "coalesce(account_styles, 'NULL') FROM accounts",
               text_a, sizeof(text_a));
    assert_string_equal(text_a, "Old|{1,} c2FsdA==|NULL\n");
    /* Salts that already carry a version are left alone by design, and
     * 004 did not run again: the event keeps its sequence. */
    file_lines(path, "SELECT sequence FROM events", text_a, sizeof(text_a));
    assert_string_equal(text_a, "01E0000000000000000000000A\n");
    tdir_remove(&d);
}

/* gormigrate has no transactions: a crash after 007 added its column but
 * before it recorded its id must not make every later run fail. */
static void test_half_applied_007(void **state)
{
    struct tdir d;
    const char *path;

    (void)state;
    SKIP_UNLESS_SQLITE(SQLITE_SCHEMA_ONLY);
    tdir_make(&d);
    path = tdir_file(&d, "half.db");
    make_pre_007(path, true);
    migrate_ok(path);
    file_lines(path, IDS_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, ALL_IDS);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM pragma_table_info"
                                    "('accounts') WHERE name = "
                                    "'account_styles'"),
                     1);
    tdir_remove(&d);
}

/* A database of Offen v0.1.0: GORM v1 DDL, only SCHEMA_INIT recorded, no
 * admin_level, unversioned salts, no tombstones, no events.sequence, no
 * one-time key column, no account_styles. */
static void make_v010(const char *path)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    db_exec(db,
            "CREATE TABLE migrations (id VARCHAR(255) PRIMARY KEY);"
            "INSERT INTO migrations VALUES ('SCHEMA_INIT');"
            "CREATE TABLE \"accounts\" (\"account_id\" varchar(36),"
            "\"name\" varchar(255),\"public_key\" text,"
            "\"encrypted_private_key\" text,\"user_salt\" varchar(255),"
            "\"retired\" bool,\"created\" datetime , "
            "PRIMARY KEY (\"account_id\"));"
            "CREATE TABLE \"account_users\" (\"account_user_id\" "
            "varchar(36),\"hashed_email\" varchar(255),"
            "\"hashed_password\" varchar(255),\"salt\" varchar(255) , "
            "PRIMARY KEY (\"account_user_id\"));"
            "CREATE TABLE \"account_user_relationships\" "
            "(\"relationship_id\" varchar(36),\"account_user_id\" "
            "varchar(36),\"account_id\" varchar(36),"
            "\"password_encrypted_key_encryption_key\" text,"
            "\"email_encrypted_key_encryption_key\" text , "
            "PRIMARY KEY (\"relationship_id\"));"
            "CREATE TABLE \"secrets\" (\"secret_id\" varchar(64),"
            "\"encrypted_secret\" varchar(255) , "
            "PRIMARY KEY (\"secret_id\"));"
            "CREATE TABLE \"events\" (\"event_id\" varchar(26),"
            "\"account_id\" varchar(36),\"secret_id\" varchar(64),"
            "\"payload\" text , PRIMARY KEY (\"event_id\"));"
            "INSERT INTO accounts VALUES ('acc-1', 'One', 'pk', 'epk', "
            "'dXNlcnNhbHQ=', 0, '2019-09-01 10:00:00+00:00');"
            "INSERT INTO accounts VALUES ('acc-2', 'Two', 'pk', 'epk', "
            "'c2Vjb25k', 1, '2019-09-02 10:00:00+00:00');"
            "INSERT INTO account_users VALUES ('u-1', 'he', 'hp', "
            "'a2Rmc2FsdA==');"
            "INSERT INTO account_users VALUES ('u-2', 'he2', '', "
            "'b3RoZXI=');"
            "INSERT INTO account_user_relationships VALUES ('r-1', 'u-1', "
            "'acc-1', 'pek', 'eek');"
            "INSERT INTO secrets VALUES ('s1', 'enc');"
            "INSERT INTO events VALUES ('01DMA00000000000000000000A', "
            "'acc-1', 's1', 'p1');"
            "INSERT INTO events VALUES ('01DMA00000000000000000000B', "
            "'acc-1', NULL, 'p2');"
            "INSERT INTO events VALUES ('01DMA00000000000000000000C', "
            "'acc-2', 's1', 'p3');");
    sqlite3_close(db);
}

static void test_v010_database(void **state)
{
    char fixture_columns[8192];
    struct tdir d;
    const char *path;
    const char *copy;

    (void)state;
    SKIP_UNLESS_SQLITE(SQLITE_SCHEMA_ONLY);
    tdir_make(&d);
    path = tdir_file(&d, "v010.db");
    make_v010(path);
    migrate_ok(path);
    file_lines(path, IDS_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, ALL_IDS);
    /* 001: every pre-existing user became a super admin. */
    file_lines(path, "SELECT account_user_id || ' ' || admin_level FROM "
                     "account_users ORDER BY 1",
               text_a, sizeof(text_a));
    assert_string_equal(text_a, "u-1 1\nu-2 1\n");
    /* 003: salts versioned, exactly once. */
    file_lines(path, "SELECT salt FROM account_users ORDER BY 1", text_a,
               sizeof(text_a));
    assert_string_equal(text_a, "{1,} a2Rmc2FsdA==\n{1,} b3RoZXI=\n");
    file_lines(path, "SELECT user_salt FROM accounts ORDER BY 1", text_a,
               sizeof(text_a));
    assert_string_equal(text_a, "{1,} c2Vjb25k\n{1,} dXNlcnNhbHQ=\n");
    /* 004: one new ULID for all events; tombstones exist. */
    assert_int_equal(file_int(path, "SELECT COUNT(DISTINCT sequence) FROM "
                                    "events WHERE length(sequence) = 26 "
                                    "AND sequence > '01E'"),
                     1);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events "
                                    "WHERE sequence IS NULL"),
                     0);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM tombstones"), 0);
    /* Every column Offen 1.4 addresses exists (006, 007), by name. */
    copy = tdir_file(&d, "fixture.sqlite");
    copy_file(FIXTURE_DB, copy);
    file_lines(copy, COLUMNS_SQL, fixture_columns, sizeof(fixture_columns));
    file_lines(path, COLUMNS_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, fixture_columns);
    /* Data kept. */
    file_lines(path, "SELECT event_id || ' ' || account_id || ' ' || "
                     "coalesce(secret_id, '-') || ' ' || payload FROM events "
                     "ORDER BY 1",
               text_a, sizeof(text_a));
    assert_string_equal(text_a, "01DMA00000000000000000000A acc-1 s1 p1\n"
                                "01DMA00000000000000000000B acc-1 - p2\n"
                                "01DMA00000000000000000000C acc-2 s1 p3\n");
    file_lines(path, INDEXES_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, CANDOR_INDEXES);
    /* And again: nothing moves (salts are not prefixed twice). */
    migrate_ok(path);
    file_lines(path, "SELECT salt FROM account_users ORDER BY 1", text_a,
               sizeof(text_a));
    assert_string_equal(text_a, "{1,} a2Rmc2FsdA==\n{1,} b3RoZXI=\n");
    tdir_remove(&d);
}

static void test_unknown_ids_are_kept(void **state)
{
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = tdir_file(&d, "future.db");
    migrate_ok(path);
    file_exec(path, "INSERT INTO migrations VALUES ('candor_999_future'),"
                    "('008_offen_future')");
    migrate_ok(path);
    file_lines(path, IDS_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, all_ids("candor_999_future\n"
                                        "008_offen_future\n"));
    tdir_remove(&d);
}

/* A migration that fails half-way is rolled back with its id, and the
 * error names it. */
static void test_failed_migration_rolls_back(void **state)
{
    struct cd_error err = {0};
    struct tdir d;
    const char *path;

    (void)state;
    SKIP_UNLESS_SQLITE(SQLITE_SCHEMA_ONLY);
    tdir_make(&d);
    path = tdir_file(&d, "fail.db");
    make_pre_007(path, false);
    /* candor_001 indexes events first, then tombstones: make that fail. */
    file_exec(path, "DROP TABLE tombstones");
    assert_int_equal(migrate_path(path, &err), CD_ESTORE);
    assert_non_null(strstr(err.msg, "candor_001_indexes"));
    assert_non_null(strstr(err.msg, "tombstones"));
    /* 007 before it committed on its own. */
    file_lines(path, IDS_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, OFFEN_IDS);
    file_lines(path, INDEXES_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, "");
    tdir_remove(&d);
}

/* Offen's setup drops every table but tombstones, migrations included,
 * and migrates again: the fresh path must cope with a table that exists. */
static void test_fresh_path_with_existing_tombstones(void **state)
{
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = tdir_file(&d, "setup.db");
    migrate_ok(path);
    /* Our lookups name users that setup replaces: candor_002 runs again
     * and empties the table it finds. */
    file_exec(path, "INSERT INTO candor_email_lookups VALUES "
                    "('u', 'k', 'l', 'h')");
    file_exec(path, "INSERT INTO tombstones VALUES ('e', 'a', 's', 'q');"
                    "DROP TABLE events; DROP TABLE accounts;"
                    "DROP TABLE secrets; DROP TABLE account_user_relationships;"
                    "DROP TABLE account_users; DROP TABLE migrations;");
    migrate_ok(path);
    file_lines(path, IDS_SQL, text_a, sizeof(text_a));
    assert_string_equal(text_a, ALL_IDS);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM tombstones"), 1);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM "
                                    "candor_email_lookups"),
                     0);
    if (test_on_sqlite()) {
        file_lines(path, INDEXES_SQL, text_a, sizeof(text_a));
        assert_string_equal(text_a, CANDOR_INDEXES);
    }
    tdir_remove(&d);
}

#define RACERS 4
#define RACES 20

struct racer {
    const char *path;
    pthread_barrier_t *start;
    int rc;
    char msg[256];
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct cd_error err = {0};
    struct store *st = NULL;

    r->rc = store_open(&st, test_dialect(), r->path, &err);
    pthread_barrier_wait(r->start); /* all connections open: go */
    if (r->rc == CD_OK)
        r->rc = store_migrate(st, &err);
    store_close(st);
    snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
    return NULL;
}

/* Several processes (here: connections) migrating one database at once
 * all succeed, and every id is recorded once: a new database (they race
 * for the fresh install) and an old one (they race for 007 and ours). */
static void test_concurrent_migrations(void **state)
{
    struct racer r[RACERS];
    pthread_t th[RACERS];
    pthread_barrier_t start;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    for (int round = 0; round < RACES; round++) {
        char name[32];
        const char *path;

        /* The old database is SQLite's (make_pre_007()). */
        if (round % 2 == 1 && !test_on_sqlite())
            continue;
        snprintf(name, sizeof(name), "race-%d.db", round);
        path = tdir_file(&d, name);
        if (round % 2 == 1)
            make_pre_007(path, false);
        pthread_barrier_init(&start, NULL, RACERS);
        for (int i = 0; i < RACERS; i++) {
            r[i].path = path;
            r[i].start = &start;
            assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
        }
        for (int i = 0; i < RACERS; i++) {
            pthread_join(th[i], NULL);
            if (r[i].rc != CD_OK)
                fail_msg("round %d, racer %d: %s", round, i, r[i].msg);
        }
        pthread_barrier_destroy(&start);
        file_lines(path, IDS_SQL, text_a, sizeof(text_a));
        assert_string_equal(text_a, ALL_IDS);
    }
    tdir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_install),
        cmocka_unit_test(test_migrate_twice_is_noop),
        cmocka_unit_test(test_offen_fixture),
        cmocka_unit_test(test_old_database_gets_007),
        cmocka_unit_test(test_half_applied_007),
        cmocka_unit_test(test_v010_database),
        cmocka_unit_test(test_unknown_ids_are_kept),
        cmocka_unit_test(test_failed_migration_rolls_back),
        cmocka_unit_test(test_fresh_path_with_existing_tombstones),
        cmocka_unit_test(test_concurrent_migrations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
