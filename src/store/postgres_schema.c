/* postgres_schema.c -- the PostgreSQL dialect's schema and migrations.
 *
 * The fresh-install DDL is what Offen 1.4 (GORM 1.21 with the postgres
 * driver 1.1.1) creates on PostgreSQL (reference §12.2): varchar(36) ids,
 * varchar(64) secret ids, varchar(26) ULIDs, text elsewhere, `retired`
 * boolean, `admin_level` bigint, `created` timestamptz, and the foreign
 * keys from relationships to users and from events to secrets and
 * accounts. So a database Offen created opens as it is, and Offen can open
 * one we created.
 *
 * Offen's migrations 001..007 are implemented where they mean something on
 * PostgreSQL (002 and 005 are MySQL-only and only record their ids).
 * Columns are added with ADD COLUMN IF NOT EXISTS, so a database that
 * crashed half-way through an Offen migration (gormigrate uses no
 * transactions) still migrates. 006 creates what is missing but does not
 * retype the columns of a database from Offen v0.1 (GORM v1): every query
 * here addresses columns by name and binds text, so those types work too.
 *
 * Candor's migrations: the email lookups, the sync indexes (in byte order,
 * COLLATE "C", whatever the database's collation: ULIDs and ids compare as
 * bytes on every dialect), and a serial column on the three tables whose
 * rows are listed in insertion order (SQLite's rowid; PostgreSQL has none).
 */
#include "common/common.h"

#include "store/migrate.h"
#include "store/store.h"
#include "store/store_backend.h"

#define DDL_ACCOUNTS                                                         \
    "CREATE TABLE IF NOT EXISTS \"accounts\" (\"account_id\" varchar(36) "   \
    "UNIQUE,\"name\" text,\"public_key\" text,\"encrypted_private_key\" "    \
    "text,\"user_salt\" text,\"retired\" boolean,\"account_styles\" text,"   \
    "\"created\" timestamptz,PRIMARY KEY (\"account_id\"))"
#define DDL_ACCOUNT_USERS                                                    \
    "CREATE TABLE IF NOT EXISTS \"account_users\" (\"account_user_id\" "     \
    "varchar(36) UNIQUE,\"hashed_email\" text,\"hashed_password\" text,"     \
    "\"salt\" text,\"admin_level\" bigint,PRIMARY KEY (\"account_user_id\"))"
#define DDL_RELATIONSHIPS                                                    \
    "CREATE TABLE IF NOT EXISTS \"account_user_relationships\" "             \
    "(\"relationship_id\" varchar(36) UNIQUE,\"account_user_id\" "           \
    "varchar(36),\"account_id\" varchar(36),"                                \
    "\"password_encrypted_key_encryption_key\" text,"                        \
    "\"email_encrypted_key_encryption_key\" text,"                           \
    "\"one_time_encrypted_key_encryption_key\" text,"                        \
    "PRIMARY KEY (\"relationship_id\"),"                                     \
    "CONSTRAINT \"fk_account_users_relationships\" FOREIGN KEY "             \
    "(\"account_user_id\") REFERENCES \"account_users\"(\"account_user_id\"))"
#define DDL_SECRETS                                                          \
    "CREATE TABLE IF NOT EXISTS \"secrets\" (\"secret_id\" varchar(64) "     \
    "UNIQUE,\"encrypted_secret\" text,PRIMARY KEY (\"secret_id\"))"
#define DDL_EVENTS                                                           \
    "CREATE TABLE IF NOT EXISTS \"events\" (\"event_id\" varchar(26) "       \
    "UNIQUE,\"sequence\" varchar(26),\"account_id\" varchar(36),"            \
    "\"secret_id\" varchar(64),\"payload\" text,PRIMARY KEY (\"event_id\"),"  \
    "CONSTRAINT \"fk_events_secret\" FOREIGN KEY (\"secret_id\") "           \
    "REFERENCES \"secrets\"(\"secret_id\"),"                                 \
    "CONSTRAINT \"fk_accounts_events\" FOREIGN KEY (\"account_id\") "        \
    "REFERENCES \"accounts\"(\"account_id\"))"
#define DDL_TOMBSTONES                                                       \
    "CREATE TABLE IF NOT EXISTS \"tombstones\" (\"event_id\" text,"          \
    "\"account_id\" varchar(36),\"secret_id\" varchar(64),"                  \
    "\"sequence\" varchar(26),PRIMARY KEY (\"event_id\"))"

/* Parents first, for the foreign keys. */
static const char *const fresh[] = {
    DDL_ACCOUNTS, DDL_ACCOUNT_USERS, DDL_RELATIONSHIPS,
    DDL_SECRETS,  DDL_EVENTS,        DDL_TOMBSTONES,
    NULL,
};

#define ADD(table, col, type)                                                \
    "ALTER TABLE \"" table "\" ADD COLUMN IF NOT EXISTS \"" col "\" " type

/* 001: account_users.admin_level; every existing user becomes a super
 * admin (level 1). */
static const char *const m001_sql[] = {
    ADD("account_users", "admin_level", "bigint"),
    "UPDATE \"account_users\" SET \"admin_level\" = 1",
    NULL,
};

/* 003: version the salts: "{1,} " in front of each unversioned one. */
static const char *const m003_sql[] = {
    "UPDATE \"account_users\" SET \"salt\" = '{1,} ' || \"salt\" "
    "WHERE \"salt\" IS NOT NULL AND substr(\"salt\", 1, 1) <> '{'",
    "UPDATE \"accounts\" SET \"user_salt\" = '{1,} ' || \"user_salt\" "
    "WHERE \"user_salt\" IS NOT NULL AND substr(\"user_salt\", 1, 1) <> '{'",
    NULL,
};

/* 004: tombstones, and events.sequence, set for all events to one new
 * ULID (clients that sync by sequence then fetch everything once). */
static const char *const m004_sql[] = {
    DDL_TOMBSTONES,
    ADD("events", "sequence", "varchar(26)"),
    NULL,
};

static int m004_sequence(struct store *st, struct cd_error *err)
{
    char ulid[MIGRATE_ULID_LEN + 1];
    const char *arg = ulid;
    int rc = migrate_ulid_new(ulid, err);

    if (rc == CD_OK)
        rc = store_exec_args(st,
                             "UPDATE \"events\" SET \"sequence\" = $1 "
                             "WHERE \"sequence\" IS NULL OR \"sequence\" = ''",
                             &arg, 1, err);
    return rc;
}

/* 006: GORM v2 re-declared the tables: every table and column exists
 * afterwards (accounts.account_styles is 007's). */
static const char *const m006_sql[] = {
    DDL_ACCOUNTS, DDL_ACCOUNT_USERS, DDL_RELATIONSHIPS, DDL_SECRETS,
    DDL_EVENTS, DDL_TOMBSTONES,
    ADD("accounts", "name", "text"),
    ADD("accounts", "public_key", "text"),
    ADD("accounts", "encrypted_private_key", "text"),
    ADD("accounts", "user_salt", "text"),
    ADD("accounts", "retired", "boolean"),
    ADD("accounts", "created", "timestamptz"),
    ADD("account_users", "hashed_email", "text"),
    ADD("account_users", "hashed_password", "text"),
    ADD("account_users", "salt", "text"),
    ADD("account_users", "admin_level", "bigint"),
    ADD("account_user_relationships", "account_user_id", "varchar(36)"),
    ADD("account_user_relationships", "account_id", "varchar(36)"),
    ADD("account_user_relationships",
        "password_encrypted_key_encryption_key", "text"),
    ADD("account_user_relationships", "email_encrypted_key_encryption_key",
        "text"),
    ADD("account_user_relationships",
        "one_time_encrypted_key_encryption_key", "text"),
    ADD("secrets", "encrypted_secret", "text"),
    ADD("events", "sequence", "varchar(26)"),
    ADD("events", "account_id", "varchar(36)"),
    ADD("events", "secret_id", "varchar(64)"),
    ADD("events", "payload", "text"),
    ADD("tombstones", "account_id", "varchar(36)"),
    ADD("tombstones", "secret_id", "varchar(64)"),
    ADD("tombstones", "sequence", "varchar(26)"),
    NULL,
};

/* 007: the account's custom banner CSS. */
static const char *const m007_sql[] = {
    ADD("accounts", "account_styles", "text"),
    NULL,
};

static const struct store_migration offen[MIGRATE_OFFEN_COUNT] = {
    {"001_introduce_admin_level", m001_sql, NULL},
    {"002_mysql_set_column_sizes", NULL, NULL},
    {"003_version_salts", m003_sql, NULL},
    {"004_add_tombstones_event_revs", m004_sql, m004_sequence},
    {"005_update_secrets_table", NULL, NULL},
    {"006_gorm_upgrade", m006_sql, NULL},
    {"007_account_customStyles", m007_sql, NULL},
};

/* candor_002: email lookups (sqlite_schema.c says why). */
static const char *const c002_sql[] = {
    "CREATE TABLE IF NOT EXISTS \"candor_email_lookups\" "
    "(\"account_user_id\" varchar(36) NOT NULL PRIMARY KEY,"
    "\"key_id\" text NOT NULL,\"lookup\" text NOT NULL,"
    "\"hashed_email\" text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS \"candor_email_lookups_key_lookup\" "
    "ON \"candor_email_lookups\" (\"key_id\", \"lookup\")",
    "DELETE FROM \"candor_email_lookups\"",
    NULL,
};

/* candor_003: the indexes the sync reads walk (postgres_events.c), in
 * byte order. */
static const char *const c003_sql[] = {
    "CREATE INDEX IF NOT EXISTS \"candor_events_account_sequence\" "
    "ON \"events\" (\"account_id\", \"sequence\" COLLATE \"C\", "
    "\"event_id\" COLLATE \"C\")",
    "CREATE INDEX IF NOT EXISTS \"candor_events_secret_sequence\" "
    "ON \"events\" (\"secret_id\", \"sequence\" COLLATE \"C\", "
    "\"event_id\" COLLATE \"C\")",
    "CREATE INDEX IF NOT EXISTS \"candor_tombstones_account_sequence\" "
    "ON \"tombstones\" (\"account_id\", \"sequence\" COLLATE \"C\", "
    "\"event_id\" COLLATE \"C\")",
    "CREATE INDEX IF NOT EXISTS \"candor_tombstones_secret_sequence\" "
    "ON \"tombstones\" (\"secret_id\", \"sequence\" COLLATE \"C\", "
    "\"event_id\" COLLATE \"C\")",
    NULL,
};

/* candor_004: insertion order. Existing rows are numbered in the order
 * they are stored, which is their insertion order unless rows were
 * updated since; new rows count on from there. */
static const char *const c004_sql[] = {
    ADD("accounts", "candor_seq", "bigserial"),
    ADD("account_users", "candor_seq", "bigserial"),
    ADD("account_user_relationships", "candor_seq", "bigserial"),
    NULL,
};

/* candor_005: the shared throttle's state (sqlite_schema.c says why). */
static const char *const c005_sql[] = {
    "CREATE TABLE IF NOT EXISTS \"candor_throttle\" "
    "(\"key\" varchar(64) NOT NULL PRIMARY KEY,"
    "\"until_ms\" bigint NOT NULL,\"queue\" integer NOT NULL)",
    NULL,
};

/* candor_001 made SQLite's first indexes, which candor_003 superseded;
 * here it only records its id. */
static const struct store_migration candor[] = {
    {"candor_001_indexes", NULL, NULL},
    {"candor_002_email_lookup", c002_sql, NULL},
    {"candor_003_sync_indexes", c003_sql, NULL},
    {"candor_004_insertion_order", c004_sql, NULL},
    {"candor_005_throttle", c005_sql, NULL},
};

const struct store_schema store_postgres_schema = {
    .create_migrations =
        "CREATE TABLE IF NOT EXISTS migrations (id VARCHAR(255) PRIMARY KEY)",
    .count_migrations = "SELECT COUNT(*) FROM migrations",
    .find_migration = "SELECT COUNT(*) FROM migrations WHERE id = $1",
    .insert_migration = "INSERT INTO migrations (id) VALUES ($1)",
    .fresh = fresh,
    .offen = offen,
    .candor = candor,
    .n_candor = CD_ARRAY_SIZE(candor),
};
