/* mysql_schema.c -- the MySQL/MariaDB dialect's schema and migrations.
 *
 * The fresh-install DDL is what Offen 1.4 (GORM 1.21 with the mysql driver
 * 1.1.2) creates on MySQL (reference §12.2): varchar(36) ids, varchar(64)
 * secret ids, varchar(26) ULIDs, varchar(191) for the unsized key
 * tombstones.event_id, `text` for the columns Offen declares type:text
 * (keys, payloads, secrets, styles: 65535 bytes, hence STORE_TEXT_MAX),
 * longtext for other strings, `retired` boolean, `admin_level` bigint,
 * `created` datetime(3), and the foreign keys from relationships to users
 * and from events to secrets and accounts. Tables we create are utf8mb4
 * with binary collation, whatever the server's default: ids and ULIDs
 * compare as bytes, as on SQLite. A database Offen created (with the
 * server's default collation) opens as it is; every statement addresses
 * columns by name and binds text.
 *
 * MySQL commits every DDL statement implicitly, so a migration here is
 * atomic only as far as MySQL allows; each step is written to be safe to
 * run again (IF NOT EXISTS, ADD COLUMN IF NOT EXISTS, updates that skip
 * rows already done). Two nodes starting at once serialise on a named
 * lock (mysql.c). The syntax is MariaDB's (10.6 or later, for JSON_TABLE
 * in mysql_events.c and IF NOT EXISTS on indexes and columns).
 */
#include "common/common.h"

#include "store/migrate.h"
#include "store/store.h"
#include "store/store_backend.h"

#define OPTS " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"

#define DDL_ACCOUNTS                                                         \
    "CREATE TABLE IF NOT EXISTS `accounts` (`account_id` varchar(36) "       \
    "UNIQUE,`name` longtext,`public_key` text,`encrypted_private_key` text," \
    "`user_salt` longtext,`retired` boolean,`account_styles` text,"          \
    "`created` datetime(3) NULL,PRIMARY KEY (`account_id`))" OPTS
#define DDL_ACCOUNT_USERS                                                    \
    "CREATE TABLE IF NOT EXISTS `account_users` (`account_user_id` "         \
    "varchar(36) UNIQUE,`hashed_email` longtext,`hashed_password` longtext," \
    "`salt` longtext,`admin_level` bigint,PRIMARY KEY (`account_user_id`))"  \
    OPTS
#define DDL_RELATIONSHIPS                                                    \
    "CREATE TABLE IF NOT EXISTS `account_user_relationships` "               \
    "(`relationship_id` varchar(36) UNIQUE,`account_user_id` varchar(36),"   \
    "`account_id` varchar(36),"                                              \
    "`password_encrypted_key_encryption_key` text,"                          \
    "`email_encrypted_key_encryption_key` text,"                             \
    "`one_time_encrypted_key_encryption_key` text,"                          \
    "PRIMARY KEY (`relationship_id`),"                                       \
    "CONSTRAINT `fk_account_users_relationships` FOREIGN KEY "               \
    "(`account_user_id`) REFERENCES `account_users`(`account_user_id`))"     \
    OPTS
#define DDL_SECRETS                                                          \
    "CREATE TABLE IF NOT EXISTS `secrets` (`secret_id` varchar(64) UNIQUE,"  \
    "`encrypted_secret` text,PRIMARY KEY (`secret_id`))" OPTS
#define DDL_EVENTS                                                           \
    "CREATE TABLE IF NOT EXISTS `events` (`event_id` varchar(26) UNIQUE,"    \
    "`sequence` varchar(26),`account_id` varchar(36),"                       \
    "`secret_id` varchar(64),`payload` text,PRIMARY KEY (`event_id`),"       \
    "CONSTRAINT `fk_events_secret` FOREIGN KEY (`secret_id`) "               \
    "REFERENCES `secrets`(`secret_id`),"                                     \
    "CONSTRAINT `fk_accounts_events` FOREIGN KEY (`account_id`) "            \
    "REFERENCES `accounts`(`account_id`))" OPTS
#define DDL_TOMBSTONES                                                       \
    "CREATE TABLE IF NOT EXISTS `tombstones` (`event_id` varchar(191),"      \
    "`account_id` varchar(36),`secret_id` varchar(64),"                      \
    "`sequence` varchar(26),PRIMARY KEY (`event_id`))" OPTS

/* Parents first, for the foreign keys. */
static const char *const fresh[] = {
    DDL_ACCOUNTS, DDL_ACCOUNT_USERS, DDL_RELATIONSHIPS,
    DDL_SECRETS,  DDL_EVENTS,        DDL_TOMBSTONES,
    NULL,
};

#define SEQ "bigint NOT NULL AUTO_INCREMENT UNIQUE INVISIBLE"
#define ADD(table, col, type)                                                \
    "ALTER TABLE `" table "` ADD COLUMN IF NOT EXISTS `" col "` " type

/* 001: account_users.admin_level; every existing user becomes a super
 * admin (level 1). */
static const char *const m001_sql[] = {
    ADD("account_users", "admin_level", "bigint"),
    "UPDATE `account_users` SET `admin_level` = 1",
    NULL,
};

/* 003: version the salts: "{1,} " in front of each unversioned one. */
static const char *const m003_sql[] = {
    "UPDATE `account_users` SET `salt` = CONCAT('{1,} ', `salt`) "
    "WHERE `salt` IS NOT NULL AND LEFT(`salt`, 1) <> '{'",
    "UPDATE `accounts` SET `user_salt` = CONCAT('{1,} ', `user_salt`) "
    "WHERE `user_salt` IS NOT NULL AND LEFT(`user_salt`, 1) <> '{'",
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
                             "UPDATE `events` SET `sequence` = ? "
                             "WHERE `sequence` IS NULL OR `sequence` = ''",
                             &arg, 1, err);
    return rc;
}

/* 005: Offen widened secrets.encrypted_secret to text. */
static const char *const m005_sql[] = {
    "ALTER TABLE `secrets` MODIFY COLUMN `encrypted_secret` text",
    NULL,
};

/* 006: GORM v2 re-declared the tables. Every table and column must exist;
 * the types of a database from Offen v0.1 (GORM v1) are left as they are,
 * since every statement binds text and addresses columns by name. */
static const char *const m006_sql[] = {
    DDL_ACCOUNTS,
    DDL_ACCOUNT_USERS,
    DDL_RELATIONSHIPS,
    DDL_SECRETS,
    DDL_EVENTS,
    DDL_TOMBSTONES,
    ADD("accounts", "name", "longtext"),
    ADD("accounts", "public_key", "text"),
    ADD("accounts", "encrypted_private_key", "text"),
    ADD("accounts", "user_salt", "longtext"),
    ADD("accounts", "retired", "boolean"),
    ADD("accounts", "created", "datetime(3) NULL"),
    ADD("account_users", "hashed_email", "longtext"),
    ADD("account_users", "hashed_password", "longtext"),
    ADD("account_users", "salt", "longtext"),
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
    {"005_update_secrets_table", m005_sql, NULL},
    {"006_gorm_upgrade", m006_sql, NULL},
    {"007_account_customStyles", m007_sql, NULL},
};

/* candor_002: email lookups (sqlite_schema.c says why). The two key
 * columns are sized, as MySQL indexes no unsized text. */
static const char *const c002_sql[] = {
    "CREATE TABLE IF NOT EXISTS `candor_email_lookups` "
    "(`account_user_id` varchar(36) NOT NULL PRIMARY KEY,"
    "`key_id` varchar(191) NOT NULL,`lookup` varchar(191) NOT NULL,"
    "`hashed_email` longtext NOT NULL)" OPTS,
    "CREATE INDEX IF NOT EXISTS `candor_email_lookups_key_lookup` "
    "ON `candor_email_lookups` (`key_id`, `lookup`)",
    "DELETE FROM `candor_email_lookups`",
    NULL,
};

/* candor_003: the indexes the sync reads walk (mysql_events.c). */
static const char *const c003_sql[] = {
    "CREATE INDEX IF NOT EXISTS `candor_events_account_sequence` "
    "ON `events` (`account_id`, `sequence`, `event_id`)",
    "CREATE INDEX IF NOT EXISTS `candor_events_secret_sequence` "
    "ON `events` (`secret_id`, `sequence`, `event_id`)",
    "CREATE INDEX IF NOT EXISTS `candor_tombstones_account_sequence` "
    "ON `tombstones` (`account_id`, `sequence`, `event_id`)",
    "CREATE INDEX IF NOT EXISTS `candor_tombstones_secret_sequence` "
    "ON `tombstones` (`secret_id`, `sequence`, `event_id`)",
    NULL,
};

/* candor_004: insertion order (SQLite's rowid; MySQL has none). Existing
 * rows are numbered in primary-key order; new rows count on from there.
 * An AUTO_INCREMENT column must be a key, hence UNIQUE. The migrations
 * table we create has the column from the start (gormigrate inserts the
 * id alone, which leaves it to count on). */
static const char *const c004_sql[] = {
    ADD("migrations", "candor_seq", SEQ),
    ADD("accounts", "candor_seq", SEQ),
    ADD("account_users", "candor_seq", SEQ),
    ADD("account_user_relationships", "candor_seq", SEQ),
    NULL,
};

/* candor_005: the shared throttle's state (sqlite_schema.c says why). */
static const char *const c005_sql[] = {
    "CREATE TABLE IF NOT EXISTS `candor_throttle` "
    "(`key` varchar(64) NOT NULL PRIMARY KEY,"
    "`until_ms` bigint NOT NULL,`queue` int NOT NULL)" OPTS,
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

const struct store_schema store_mysql_schema = {
    .create_migrations =
        "CREATE TABLE IF NOT EXISTS migrations (id VARCHAR(255) PRIMARY KEY,"
        "candor_seq " SEQ ")" OPTS,
    .count_migrations = "SELECT COUNT(*) FROM migrations",
    .find_migration = "SELECT COUNT(*) FROM migrations WHERE id = ?",
    .insert_migration = "INSERT INTO migrations (id) VALUES (?)",
    .fresh = fresh,
    .offen = offen,
    .candor = candor,
    .n_candor = CD_ARRAY_SIZE(candor),
};
