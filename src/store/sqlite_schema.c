/* sqlite_schema.c -- the SQLite dialect's schema and migrations.
 *
 * The fresh-install DDL is, character for character, what Offen 1.4 (GORM
 * 1.21 with the sqlite driver 1.1.5) stores in sqlite_master, as found in a
 * database written by Offen 1.4.2: every string column `text`, `retired`
 * numeric, `admin_level` integer, `created` datetime, an inline UNIQUE on
 * each primary key column except tombstones.event_id, and no foreign keys.
 * "IF NOT EXISTS" keeps re-runs harmless; SQLite drops it from the stored
 * text.
 *
 * Offen's migrations 001..007 are implemented where they mean something on
 * SQLite (002 and 005 are MySQL-only, so they only record their ids). Steps
 * that add a column first check that it is missing, as GORM's AutoMigrate
 * does, so a database that crashed half-way through an Offen migration
 * (gormigrate uses no transactions) still migrates. Candor's migrations
 * follow: new tables and indexes only, never a change Offen would trip on.
 */
#include "common/common.h"

#include <stdio.h>

#include "store/migrate.h"
#include "store/store.h"
#include "store/store_backend.h"

#define DDL_ACCOUNTS                                                         \
    "CREATE TABLE IF NOT EXISTS `accounts` (`account_id` text UNIQUE,"       \
    "`name` text,`public_key` text,`encrypted_private_key` text,"            \
    "`user_salt` text,`retired` numeric,`account_styles` text,"              \
    "`created` datetime,PRIMARY KEY (`account_id`))"
#define DDL_ACCOUNT_USERS                                                    \
    "CREATE TABLE IF NOT EXISTS `account_users` (`account_user_id` text "    \
    "UNIQUE,`hashed_email` text,`hashed_password` text,`salt` text,"         \
    "`admin_level` integer,PRIMARY KEY (`account_user_id`))"
#define DDL_RELATIONSHIPS                                                    \
    "CREATE TABLE IF NOT EXISTS `account_user_relationships` "               \
    "(`relationship_id` text UNIQUE,`account_user_id` text,"                 \
    "`account_id` text,`password_encrypted_key_encryption_key` text,"        \
    "`email_encrypted_key_encryption_key` text,"                             \
    "`one_time_encrypted_key_encryption_key` text,"                          \
    "PRIMARY KEY (`relationship_id`))"
#define DDL_SECRETS                                                          \
    "CREATE TABLE IF NOT EXISTS `secrets` (`secret_id` text UNIQUE,"         \
    "`encrypted_secret` text,PRIMARY KEY (`secret_id`))"
#define DDL_EVENTS                                                           \
    "CREATE TABLE IF NOT EXISTS `events` (`event_id` text UNIQUE,"           \
    "`sequence` text,`account_id` text,`secret_id` text,`payload` text,"     \
    "PRIMARY KEY (`event_id`))"
#define DDL_TOMBSTONES                                                       \
    "CREATE TABLE IF NOT EXISTS `tombstones` (`event_id` text,"              \
    "`account_id` text,`secret_id` text,`sequence` text,"                    \
    "PRIMARY KEY (`event_id`))"

static const char *const fresh[] = {
    DDL_ACCOUNTS, DDL_ACCOUNT_USERS, DDL_RELATIONSHIPS,
    DDL_SECRETS,  DDL_EVENTS,        DDL_TOMBSTONES,
    NULL,
};

/* Every column of Offen 1.4's tables but accounts.account_styles (which
 * 007 adds), for 006: GORM's AutoMigrate adds whatever is missing. */
static const struct column {
    const char *table, *name, *type;
} columns[] = {
    {"accounts", "account_id", "text"},
    {"accounts", "name", "text"},
    {"accounts", "public_key", "text"},
    {"accounts", "encrypted_private_key", "text"},
    {"accounts", "user_salt", "text"},
    {"accounts", "retired", "numeric"},
    {"accounts", "created", "datetime"},
    {"account_users", "account_user_id", "text"},
    {"account_users", "hashed_email", "text"},
    {"account_users", "hashed_password", "text"},
    {"account_users", "salt", "text"},
    {"account_users", "admin_level", "integer"},
    {"account_user_relationships", "relationship_id", "text"},
    {"account_user_relationships", "account_user_id", "text"},
    {"account_user_relationships", "account_id", "text"},
    {"account_user_relationships", "password_encrypted_key_encryption_key",
     "text"},
    {"account_user_relationships", "email_encrypted_key_encryption_key",
     "text"},
    {"account_user_relationships", "one_time_encrypted_key_encryption_key",
     "text"},
    {"secrets", "secret_id", "text"},
    {"secrets", "encrypted_secret", "text"},
    {"events", "event_id", "text"},
    {"events", "sequence", "text"},
    {"events", "account_id", "text"},
    {"events", "secret_id", "text"},
    {"events", "payload", "text"},
    {"tombstones", "event_id", "text"},
    {"tombstones", "account_id", "text"},
    {"tombstones", "secret_id", "text"},
    {"tombstones", "sequence", "text"},
};

/* ALTER TABLE ... ADD COLUMN unless the column exists. Names come from the
 * tables above, never from input. */
static int add_column(struct store *st, const struct column *col,
                      struct cd_error *err)
{
    const char *args[2] = {col->table, col->name};
    char sql[256];
    long long n = 0;
    int rc = store_count(st,
                         "SELECT COUNT(*) FROM pragma_table_info(?) "
                         "WHERE name = ?",
                         args, 2, &n, err);

    if (rc < 0 || n > 0)
        return rc;
    snprintf(sql, sizeof(sql), "ALTER TABLE `%s` ADD COLUMN `%s` %s",
             col->table, col->name, col->type);
    return store_exec(st, sql, err);
}

/* 001: add account_users.admin_level; every existing user becomes a super
 * admin (level 1). */
static int m001_admin_level(struct store *st, struct cd_error *err)
{
    static const struct column col = {"account_users", "admin_level",
                                      "integer"};
    int rc = add_column(st, &col, err);

    if (rc < 0)
        return rc;
    return store_exec(st, "UPDATE `account_users` SET `admin_level` = 1",
                      err);
}

/* 003: version the salts: "{1,} " in front of each unversioned one. */
static const char *const m003_sql[] = {
    "UPDATE `account_users` SET `salt` = '{1,} ' || `salt` "
    "WHERE `salt` IS NOT NULL AND substr(`salt`, 1, 1) <> '{'",
    "UPDATE `accounts` SET `user_salt` = '{1,} ' || `user_salt` "
    "WHERE `user_salt` IS NOT NULL AND substr(`user_salt`, 1, 1) <> '{'",
    NULL,
};

/* 004: tombstones, and events.sequence, set for all events to one new
 * ULID (clients that sync by sequence then fetch everything once). */
static const char *const m004_sql[] = {DDL_TOMBSTONES, NULL};

static int m004_sequence(struct store *st, struct cd_error *err)
{
    static const struct column col = {"events", "sequence", "text"};
    char ulid[MIGRATE_ULID_LEN + 1];
    const char *arg = ulid;
    int rc = add_column(st, &col, err);

    if (rc == CD_OK)
        rc = migrate_ulid_new(ulid, err);
    if (rc == CD_OK)
        rc = store_exec_args(st,
                             "UPDATE `events` SET `sequence` = ? "
                             "WHERE `sequence` IS NULL OR `sequence` = ''",
                             &arg, 1, err);
    return rc;
}

/* 006: GORM v2 re-declared the tables. Column types are advisory in SQLite
 * and GORM adds no foreign keys here, so what matters is that every table
 * and column exists. */
static int m006_gorm_upgrade(struct store *st, struct cd_error *err)
{
    int rc = CD_OK;

    for (size_t i = 0; fresh[i] != NULL && rc == CD_OK; i++)
        rc = store_exec(st, fresh[i], err);
    for (size_t i = 0; i < CD_ARRAY_SIZE(columns) && rc == CD_OK; i++)
        rc = add_column(st, &columns[i], err);
    return rc;
}

/* 007: the account's custom banner CSS. */
static int m007_account_styles(struct store *st, struct cd_error *err)
{
    static const struct column col = {"accounts", "account_styles", "text"};

    return add_column(st, &col, err);
}

static const struct store_migration offen[MIGRATE_OFFEN_COUNT] = {
    {"001_introduce_admin_level", NULL, m001_admin_level},
    {"002_mysql_set_column_sizes", NULL, NULL},
    {"003_version_salts", m003_sql, NULL},
    {"004_add_tombstones_event_revs", m004_sql, m004_sequence},
    {"005_update_secrets_table", NULL, NULL},
    {"006_gorm_upgrade", NULL, m006_gorm_upgrade},
    {"007_account_customStyles", NULL, m007_account_styles},
};

/* candor_001: the indexes Offen's queries want (§12.5 of the reference):
 * events by account and id (operator sync and paging), by secret (a
 * visitor's events) and by sequence; tombstones by sequence, account and
 * secret. Names carry our prefix so no GORM index can collide. */
static const char *const c001_sql[] = {
    "CREATE INDEX IF NOT EXISTS `candor_events_account_event` "
    "ON `events` (`account_id`, `event_id`)",
    "CREATE INDEX IF NOT EXISTS `candor_events_secret` "
    "ON `events` (`secret_id`)",
    "CREATE INDEX IF NOT EXISTS `candor_events_sequence` "
    "ON `events` (`sequence`)",
    "CREATE INDEX IF NOT EXISTS `candor_tombstones_sequence` "
    "ON `tombstones` (`sequence`)",
    "CREATE INDEX IF NOT EXISTS `candor_tombstones_account` "
    "ON `tombstones` (`account_id`)",
    "CREATE INDEX IF NOT EXISTS `candor_tombstones_secret` "
    "ON `tombstones` (`secret_id`)",
    NULL,
};

/* candor_002: email lookups, so a login finds its operator without one
 * Argon2id evaluation per stored operator (docs/internals/store.md). One
 * row per user: an HMAC of the normalised email under the key key_id, and
 * the hashed_email it was made for, so a row goes stale by itself when the
 * email changes behind our back (an Offen binary on the same file). The
 * table is ours alone: Offen never reads it, and its `setup` leaves it
 * while it replaces every user. That is also the only way this migration
 * runs on an existing table (setup drops `migrations`), hence the DELETE. */
static const char *const c002_sql[] = {
    "CREATE TABLE IF NOT EXISTS `candor_email_lookups` "
    "(`account_user_id` text NOT NULL PRIMARY KEY,"
    "`key_id` text NOT NULL,`lookup` text NOT NULL,"
    "`hashed_email` text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS `candor_email_lookups_key_lookup` "
    "ON `candor_email_lookups` (`key_id`, `lookup`)",
    "DELETE FROM `candor_email_lookups`",
    NULL,
};

/* candor_003: the indexes the sync reads walk (sqlite_events.c): events
 * and tombstones by account or by secret, each in (sequence, event_id)
 * order, so every page of a read is one index range. They supersede
 * candor_001's, which are dropped: events are the hot write path, and
 * each index costs every insert (Offen's own queries, should an Offen
 * binary open the file, still find an index on account_id and secret_id
 * here). candor_001 runs again after Offen's setup; this follows it and
 * drops its indexes again. */
static const char *const c003_sql[] = {
    "CREATE INDEX IF NOT EXISTS `candor_events_account_sequence` "
    "ON `events` (`account_id`, `sequence`, `event_id`)",
    "CREATE INDEX IF NOT EXISTS `candor_events_secret_sequence` "
    "ON `events` (`secret_id`, `sequence`, `event_id`)",
    "CREATE INDEX IF NOT EXISTS `candor_tombstones_account_sequence` "
    "ON `tombstones` (`account_id`, `sequence`, `event_id`)",
    "CREATE INDEX IF NOT EXISTS `candor_tombstones_secret_sequence` "
    "ON `tombstones` (`secret_id`, `sequence`, `event_id`)",
    "DROP INDEX IF EXISTS `candor_events_account_event`",
    "DROP INDEX IF EXISTS `candor_events_secret`",
    "DROP INDEX IF EXISTS `candor_events_sequence`",
    "DROP INDEX IF EXISTS `candor_tombstones_sequence`",
    "DROP INDEX IF EXISTS `candor_tombstones_account`",
    "DROP INDEX IF EXISTS `candor_tombstones_secret`",
    NULL,
};

/* candor_005: the throttle's state when several nodes share it
 * (CANDOR_RATELIMIT=database, store_throttle_hit()). key is the 64 hex
 * characters of a salted SHA-256, until_ms wall-clock milliseconds since
 * 1970 when the recorded block ends, queue the requests recorded. A row
 * is live while until_ms > now; ended rows are deleted by
 * store_throttle_expire(). */
static const char *const c005_sql[] = {
    "CREATE TABLE IF NOT EXISTS `candor_throttle` "
    "(`key` text NOT NULL PRIMARY KEY,`until_ms` bigint NOT NULL,"
    "`queue` integer NOT NULL)",
    NULL,
};

static const struct store_migration candor[] = {
    {"candor_001_indexes", c001_sql, NULL},
    {"candor_002_email_lookup", c002_sql, NULL},
    {"candor_003_sync_indexes", c003_sql, NULL},
    {"candor_005_throttle", c005_sql, NULL},
};

const struct store_schema store_sqlite_schema = {
    .create_migrations =
        "CREATE TABLE IF NOT EXISTS migrations (id VARCHAR(255) PRIMARY KEY)",
    .count_migrations = "SELECT COUNT(*) FROM migrations",
    .find_migration = "SELECT COUNT(*) FROM migrations WHERE id = ?",
    .insert_migration = "INSERT INTO migrations (id) VALUES (?)",
    .fresh = fresh,
    .offen = offen,
    .candor = candor,
    .n_candor = CD_ARRAY_SIZE(candor),
};
