/* mysql_accounts.c -- the MySQL dialect's SQL for operators and accounts.
 *
 * Exports exactly one symbol, store_mysql_accounts_sql: the statements
 * accounts.c and users.c run, as the contract in store_backend.h lists
 * them. Every statement is a fixed text with "?" parameters, prepared once
 * per connection by mysql.c; parameters arrive as text and MySQL converts
 * them to the column's type ("1"/"0" for the boolean `retired`). Offen's
 * timestamp text carries an offset, which a MySQL datetime does not take:
 * the store always writes UTC, so `created` gets its first 23 characters
 * (to the millisecond, what datetime(3) holds), and reads back as
 * "2024-05-01 10:00:00.123", which store_time_parse() takes as UTC.
 *
 * Rows come back in insertion order, by the candor_seq column that
 * candor_004 adds (mysql_schema.c), as SQLite's rowid gives them.
 * Updates are upserts on the primary key (ON DUPLICATE KEY UPDATE), which
 * keep the row and its candor_seq, as GORM's Save does. The foreign key
 * from relationships to users means a user is written before its
 * relationships (users.c does) and, on bootstrap, children are dropped
 * before their parents.
 */
#include "common/common.h"

#include "store/store_backend.h"

#define USER_COLS                                                            \
    "SELECT u.`account_user_id`, u.`hashed_email`, u.`hashed_password`, "    \
    "u.`salt`, u.`admin_level`, r.`relationship_id`, r.`account_user_id`, "  \
    "r.`account_id`, r.`password_encrypted_key_encryption_key`, "            \
    "r.`email_encrypted_key_encryption_key`, "                               \
    "r.`one_time_encrypted_key_encryption_key` "
#define RELS                                                                 \
    "LEFT JOIN `account_user_relationships` r "                              \
    "ON r.`account_user_id` = u.`account_user_id` "
#define ACCEPTED "AND r.`password_encrypted_key_encryption_key` <> '' "
#define USER_ORDER "ORDER BY u.`candor_seq`, r.`candor_seq`"

/* A pair of USER statements: all relationships, accepted ones only. */
#define USER_PAIR(from, where)                                               \
    {                                                                        \
        USER_COLS from RELS where USER_ORDER,                                \
        USER_COLS from RELS ACCEPTED where USER_ORDER,                       \
    }

#define USERS "FROM `account_users` u "
#define BY_LOOKUP                                                            \
    "FROM `candor_email_lookups` l JOIN `account_users` u "                  \
    "ON u.`account_user_id` = l.`account_user_id` "                          \
    "AND u.`hashed_email` = l.`hashed_email` "
#define WITHOUT_LOOKUP                                                       \
    "WHERE NOT EXISTS (SELECT 1 FROM `candor_email_lookups` l "              \
    "WHERE l.`account_user_id` = u.`account_user_id` AND l.`key_id` = ? "    \
    "AND l.`hashed_email` = u.`hashed_email`) "

#define USER_INSERT                                                          \
    "INSERT INTO `account_users` (`account_user_id`, `hashed_email`, "       \
    "`hashed_password`, `salt`, `admin_level`) VALUES (?, ?, ?, ?, ?)"
#define REL_INSERT                                                           \
    "INSERT INTO `account_user_relationships` (`relationship_id`, "          \
    "`account_user_id`, `account_id`, "                                     \
    "`password_encrypted_key_encryption_key`, "                              \
    "`email_encrypted_key_encryption_key`, "                                 \
    "`one_time_encrypted_key_encryption_key`) VALUES (?, ?, ?, ?, ?, ?)"
#define UPDATE(col) "`" col "` = VALUES(`" col "`)"

#define ACCOUNT_COLS                                                         \
    "SELECT `account_id`, `name`, `public_key`, `encrypted_private_key`, "   \
    "`user_salt`, `retired`, `account_styles`, `created` FROM `accounts` "
#define ACTIVE "`retired` = 0"

/* Children before parents: the foreign keys refuse the other order. */
static const char *const bootstrap_drop[] = {
    "DROP TABLE IF EXISTS `events`",
    "DROP TABLE IF EXISTS `account_user_relationships`",
    "DROP TABLE IF EXISTS `accounts`",
    "DROP TABLE IF EXISTS `secrets`",
    "DROP TABLE IF EXISTS `account_users`",
    "DROP TABLE IF EXISTS `migrations`",
    "DROP TABLE IF EXISTS `candor_email_lookups`",
    NULL,
};

const struct store_accounts_sql store_mysql_accounts_sql = {
    .is_empty = "SELECT NOT (EXISTS (SELECT 1 FROM `accounts`) "
                "OR EXISTS (SELECT 1 FROM `account_users`) "
                "OR EXISTS (SELECT 1 FROM `account_user_relationships`) "
                "OR EXISTS (SELECT 1 FROM `events`) "
                "OR EXISTS (SELECT 1 FROM `secrets`) "
                "OR EXISTS (SELECT 1 FROM `tombstones`))",
    .user_by_id = USER_PAIR(USERS, "WHERE u.`account_user_id` = ? "),
    .users_all = USER_PAIR(USERS, ""),
    .user_by_lookup =
        USER_PAIR(BY_LOOKUP, "WHERE l.`key_id` = ? AND l.`lookup` = ? "),
    .users_without_lookup = USER_PAIR(USERS, WITHOUT_LOOKUP),
    .user_count = "SELECT COUNT(*) FROM `account_users` "
                  "WHERE `account_user_id` = ?",
    .user_insert = USER_INSERT,
    .user_upsert = USER_INSERT
        " ON DUPLICATE KEY UPDATE " UPDATE("hashed_email") ", "
        UPDATE("hashed_password") ", " UPDATE("salt") ", "
        UPDATE("admin_level"),
    .user_set_admin_level = "UPDATE `account_users` SET `admin_level` = ? "
                            "WHERE `account_user_id` = ?",
    .rel_insert = REL_INSERT,
    .rel_upsert = REL_INSERT
        " ON DUPLICATE KEY UPDATE " UPDATE("account_user_id") ", "
        UPDATE("account_id") ", "
        UPDATE("password_encrypted_key_encryption_key") ", "
        UPDATE("email_encrypted_key_encryption_key") ", "
        UPDATE("one_time_encrypted_key_encryption_key"),
    .lookup_upsert =
        "INSERT INTO `candor_email_lookups` (`account_user_id`, `key_id`, "
        "`lookup`, `hashed_email`) SELECT u.`account_user_id`, ?, ?, "
        "coalesce(u.`hashed_email`, '') FROM `account_users` u "
        "WHERE u.`account_user_id` = ? "
        "ON DUPLICATE KEY UPDATE " UPDATE("key_id") ", " UPDATE("lookup")
        ", " UPDATE("hashed_email"),
    .account_by_id = {
        ACCOUNT_COLS "WHERE `account_id` = ?",
        ACCOUNT_COLS "WHERE `account_id` = ? AND " ACTIVE,
    },
    .accounts_all = {
        ACCOUNT_COLS "ORDER BY `candor_seq`",
        ACCOUNT_COLS "WHERE " ACTIVE " ORDER BY `candor_seq`",
    },
    .account_count = {
        "SELECT COUNT(*) FROM `accounts` WHERE `account_id` = ?",
        "SELECT COUNT(*) FROM `accounts` WHERE `account_id` = ? AND " ACTIVE,
    },
    /* Exact, whatever the table's collation (Offen's may fold case). */
    .account_name_count = "SELECT COUNT(*) FROM `accounts` "
                          "WHERE CAST(`name` AS BINARY) = CAST(? AS BINARY)",
    .account_insert =
        "INSERT INTO `accounts` (`account_id`, `name`, `public_key`, "
        "`encrypted_private_key`, `user_salt`, `retired`, `account_styles`, "
        "`created`) VALUES (?, ?, ?, ?, ?, ?, ?, LEFT(?, 23))",
    .account_retire = "UPDATE `accounts` SET `retired` = 1 "
                      "WHERE `account_id` = ?",
    .account_rels_delete = "DELETE FROM `account_user_relationships` "
                           "WHERE `account_id` = ?",
    .account_set_styles = "UPDATE `accounts` SET `account_styles` = ? "
                          "WHERE `account_id` = ?",
    .bootstrap_drop = bootstrap_drop,
};
