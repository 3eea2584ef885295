/* sqlite_accounts.c -- the SQLite dialect's SQL for operators and accounts.
 *
 * Exports exactly one symbol, store_sqlite_accounts_sql: the statements
 * accounts.c and users.c run, as the contract in store_backend.h lists
 * them (columns, parameters and their order). Every statement is a fixed
 * text with bound parameters, prepared once per connection by sqlite.c.
 *
 * The tables are Offen's, addressed by column name, plus our
 * candor_email_lookups (sqlite_schema.c, candor_002). Rows come back in
 * insertion order (rowid), the order in which Offen's queries see them on
 * SQLite. Updates are upserts on the primary key (INSERT ... ON CONFLICT
 * DO UPDATE), which keep the row and its rowid, as GORM's Save does.
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
#define USER_ORDER "ORDER BY u.rowid, r.rowid"

/* A pair of USER statements: all relationships, accepted ones only. */
#define USER_PAIR(from, where)                                               \
    {                                                                        \
        USER_COLS from RELS where USER_ORDER,                                \
        USER_COLS from RELS ACCEPTED where USER_ORDER,                       \
    }

#define USERS "FROM `account_users` u "
/* A lookup counts only while the user's hashed_email is the one it was
 * made for. */
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
    "`account_user_id`, `account_id`, "                                      \
    "`password_encrypted_key_encryption_key`, "                              \
    "`email_encrypted_key_encryption_key`, "                                 \
    "`one_time_encrypted_key_encryption_key`) VALUES (?, ?, ?, ?, ?, ?)"

#define ACCOUNT_COLS                                                         \
    "SELECT `account_id`, `name`, `public_key`, `encrypted_private_key`, "   \
    "`user_salt`, `retired`, `account_styles`, `created` FROM `accounts` "
#define ACTIVE "`retired` = 0"

static const char *const bootstrap_drop[] = {
    "DROP TABLE IF EXISTS `events`",
    "DROP TABLE IF EXISTS `accounts`",
    "DROP TABLE IF EXISTS `secrets`",
    "DROP TABLE IF EXISTS `account_users`",
    "DROP TABLE IF EXISTS `account_user_relationships`",
    "DROP TABLE IF EXISTS `migrations`",
    "DROP TABLE IF EXISTS `candor_email_lookups`",
    NULL,
};

const struct store_accounts_sql store_sqlite_accounts_sql = {
    /* §12.6 counts rows; EXISTS answers the same question without
     * walking a large events table. */
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
        " ON CONFLICT (`account_user_id`) DO UPDATE SET "
        "`hashed_email` = excluded.`hashed_email`, "
        "`hashed_password` = excluded.`hashed_password`, "
        "`salt` = excluded.`salt`, `admin_level` = excluded.`admin_level`",
    .user_set_admin_level = "UPDATE `account_users` SET `admin_level` = ? "
                            "WHERE `account_user_id` = ?",
    .rel_insert = REL_INSERT,
    .rel_upsert = REL_INSERT
        " ON CONFLICT (`relationship_id`) DO UPDATE SET "
        "`account_user_id` = excluded.`account_user_id`, "
        "`account_id` = excluded.`account_id`, "
        "`password_encrypted_key_encryption_key` = "
        "excluded.`password_encrypted_key_encryption_key`, "
        "`email_encrypted_key_encryption_key` = "
        "excluded.`email_encrypted_key_encryption_key`, "
        "`one_time_encrypted_key_encryption_key` = "
        "excluded.`one_time_encrypted_key_encryption_key`",
    .lookup_upsert =
        "INSERT INTO `candor_email_lookups` (`account_user_id`, `key_id`, "
        "`lookup`, `hashed_email`) SELECT u.`account_user_id`, ?, ?, "
        "coalesce(u.`hashed_email`, '') FROM `account_users` u "
        "WHERE u.`account_user_id` = ? "
        "ON CONFLICT (`account_user_id`) DO UPDATE SET "
        "`key_id` = excluded.`key_id`, `lookup` = excluded.`lookup`, "
        "`hashed_email` = excluded.`hashed_email`",
    .account_by_id = {
        ACCOUNT_COLS "WHERE `account_id` = ?",
        ACCOUNT_COLS "WHERE `account_id` = ? AND " ACTIVE,
    },
    .accounts_all = {
        ACCOUNT_COLS "ORDER BY rowid",
        ACCOUNT_COLS "WHERE " ACTIVE " ORDER BY rowid",
    },
    .account_count = {
        "SELECT COUNT(*) FROM `accounts` WHERE `account_id` = ?",
        "SELECT COUNT(*) FROM `accounts` WHERE `account_id` = ? AND " ACTIVE,
    },
    .account_name_count = "SELECT COUNT(*) FROM `accounts` WHERE `name` = ?",
    .account_insert =
        "INSERT INTO `accounts` (`account_id`, `name`, `public_key`, "
        "`encrypted_private_key`, `user_salt`, `retired`, `account_styles`, "
        "`created`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    .account_retire = "UPDATE `accounts` SET `retired` = 1 "
                      "WHERE `account_id` = ?",
    .account_rels_delete = "DELETE FROM `account_user_relationships` "
                           "WHERE `account_id` = ?",
    .account_set_styles = "UPDATE `accounts` SET `account_styles` = ? "
                          "WHERE `account_id` = ?",
    .bootstrap_drop = bootstrap_drop,
};
