/* postgres_accounts.c -- the PostgreSQL dialect's SQL for operators and
 * accounts.
 *
 * Exports exactly one symbol, store_postgres_accounts_sql: the statements
 * accounts.c and users.c run, as the contract in store_backend.h lists
 * them. Every statement is a fixed text with $n parameters, prepared once
 * per connection by postgres.c; parameters arrive as text and take the
 * column's type ("1"/"0" for the boolean `retired`, Offen's timestamp text
 * for the timestamptz `created`).
 *
 * Rows come back in insertion order, by the candor_seq column that
 * candor_004 adds (postgres_schema.c), as SQLite's rowid gives them.
 * Updates are upserts on the primary key, which keep the row and its
 * candor_seq, as GORM's Save does. The foreign key from relationships to
 * users means a user is written before its relationships (users.c does)
 * and, on bootstrap, tables are dropped with CASCADE.
 */
#include "common/common.h"

#include "store/store_backend.h"

#define USER_COLS                                                            \
    "SELECT u.account_user_id, u.hashed_email, u.hashed_password, "          \
    "u.salt, u.admin_level, r.relationship_id, r.account_user_id, "          \
    "r.account_id, r.password_encrypted_key_encryption_key, "                \
    "r.email_encrypted_key_encryption_key, "                                 \
    "r.one_time_encrypted_key_encryption_key "
#define RELS                                                                 \
    "LEFT JOIN account_user_relationships r "                                \
    "ON r.account_user_id = u.account_user_id "
#define ACCEPTED "AND r.password_encrypted_key_encryption_key <> '' "
#define USER_ORDER "ORDER BY u.candor_seq, r.candor_seq"

/* A pair of USER statements: all relationships, accepted ones only. */
#define USER_PAIR(from, where)                                               \
    {                                                                        \
        USER_COLS from RELS where USER_ORDER,                                \
        USER_COLS from RELS ACCEPTED where USER_ORDER,                       \
    }

#define USERS "FROM account_users u "
#define BY_LOOKUP                                                            \
    "FROM candor_email_lookups l JOIN account_users u "                      \
    "ON u.account_user_id = l.account_user_id "                              \
    "AND u.hashed_email = l.hashed_email "
#define WITHOUT_LOOKUP                                                       \
    "WHERE NOT EXISTS (SELECT 1 FROM candor_email_lookups l "                \
    "WHERE l.account_user_id = u.account_user_id AND l.key_id = $1 "         \
    "AND l.hashed_email = u.hashed_email) "

#define USER_INSERT                                                          \
    "INSERT INTO account_users (account_user_id, hashed_email, "             \
    "hashed_password, salt, admin_level) VALUES ($1, $2, $3, $4, $5)"
#define REL_INSERT                                                           \
    "INSERT INTO account_user_relationships (relationship_id, "              \
    "account_user_id, account_id, "                                          \
    "password_encrypted_key_encryption_key, "                                \
    "email_encrypted_key_encryption_key, "                                   \
    "one_time_encrypted_key_encryption_key) "                                \
    "VALUES ($1, $2, $3, $4, $5, $6)"

#define ACCOUNT_COLS                                                         \
    "SELECT account_id, name, public_key, encrypted_private_key, "           \
    "user_salt, retired, account_styles, created FROM accounts "
#define ACTIVE "retired = false"

static const char *const bootstrap_drop[] = {
    "DROP TABLE IF EXISTS events CASCADE",
    "DROP TABLE IF EXISTS accounts CASCADE",
    "DROP TABLE IF EXISTS secrets CASCADE",
    "DROP TABLE IF EXISTS account_user_relationships CASCADE",
    "DROP TABLE IF EXISTS account_users CASCADE",
    "DROP TABLE IF EXISTS migrations CASCADE",
    "DROP TABLE IF EXISTS candor_email_lookups CASCADE",
    NULL,
};

const struct store_accounts_sql store_postgres_accounts_sql = {
    .is_empty = "SELECT (NOT (EXISTS (SELECT 1 FROM accounts) "
                "OR EXISTS (SELECT 1 FROM account_users) "
                "OR EXISTS (SELECT 1 FROM account_user_relationships) "
                "OR EXISTS (SELECT 1 FROM events) "
                "OR EXISTS (SELECT 1 FROM secrets) "
                "OR EXISTS (SELECT 1 FROM tombstones)))::int",
    .user_by_id = USER_PAIR(USERS, "WHERE u.account_user_id = $1 "),
    .users_all = USER_PAIR(USERS, ""),
    .user_by_lookup =
        USER_PAIR(BY_LOOKUP, "WHERE l.key_id = $1 AND l.lookup = $2 "),
    .users_without_lookup = USER_PAIR(USERS, WITHOUT_LOOKUP),
    .user_count = "SELECT COUNT(*) FROM account_users "
                  "WHERE account_user_id = $1",
    .user_insert = USER_INSERT,
    .user_upsert = USER_INSERT
        " ON CONFLICT (account_user_id) DO UPDATE SET "
        "hashed_email = excluded.hashed_email, "
        "hashed_password = excluded.hashed_password, "
        "salt = excluded.salt, admin_level = excluded.admin_level",
    .user_set_admin_level = "UPDATE account_users SET admin_level = $1 "
                            "WHERE account_user_id = $2",
    .rel_insert = REL_INSERT,
    .rel_upsert = REL_INSERT
        " ON CONFLICT (relationship_id) DO UPDATE SET "
        "account_user_id = excluded.account_user_id, "
        "account_id = excluded.account_id, "
        "password_encrypted_key_encryption_key = "
        "excluded.password_encrypted_key_encryption_key, "
        "email_encrypted_key_encryption_key = "
        "excluded.email_encrypted_key_encryption_key, "
        "one_time_encrypted_key_encryption_key = "
        "excluded.one_time_encrypted_key_encryption_key",
    .lookup_upsert =
        "INSERT INTO candor_email_lookups (account_user_id, key_id, "
        "lookup, hashed_email) SELECT u.account_user_id, $1::text, "
        "$2::text, coalesce(u.hashed_email, '') FROM account_users u "
        "WHERE u.account_user_id = $3 "
        "ON CONFLICT (account_user_id) DO UPDATE SET "
        "key_id = excluded.key_id, lookup = excluded.lookup, "
        "hashed_email = excluded.hashed_email",
    .account_by_id = {
        ACCOUNT_COLS "WHERE account_id = $1",
        ACCOUNT_COLS "WHERE account_id = $1 AND " ACTIVE,
    },
    .accounts_all = {
        ACCOUNT_COLS "ORDER BY candor_seq",
        ACCOUNT_COLS "WHERE " ACTIVE " ORDER BY candor_seq",
    },
    .account_count = {
        "SELECT COUNT(*) FROM accounts WHERE account_id = $1",
        "SELECT COUNT(*) FROM accounts WHERE account_id = $1 AND " ACTIVE,
    },
    .account_name_count = "SELECT COUNT(*) FROM accounts WHERE name = $1",
    .account_insert =
        "INSERT INTO accounts (account_id, name, public_key, "
        "encrypted_private_key, user_salt, retired, account_styles, "
        "created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    .account_retire = "UPDATE accounts SET retired = true "
                      "WHERE account_id = $1",
    .account_rels_delete = "DELETE FROM account_user_relationships "
                           "WHERE account_id = $1",
    .account_set_styles = "UPDATE accounts SET account_styles = $1 "
                          "WHERE account_id = $2",
    .bootstrap_drop = bootstrap_drop,
};
