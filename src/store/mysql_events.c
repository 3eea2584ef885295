/* mysql_events.c -- the MySQL dialect's SQL for secrets, events and
 * tombstones.
 *
 * Exports exactly one symbol, store_mysql_events_sql: the statements
 * events.c runs, as the contract in store_backend.h lists them. Every
 * statement is a fixed text with "?" parameters, prepared once per
 * connection by mysql.c.
 *
 * Paged reads select by one key and walk the index (key, sequence,
 * event_id) of candor_003 (mysql_schema.c), each later page after the last
 * row's (sequence, event_id) by a row-value comparison. Ids and ULIDs
 * compare as bytes: the tables are utf8mb4_nopad_bin, and so is the
 * session. A list of ids is one JSON array parameter, unpacked by
 * JSON_TABLE, and so is a chunk of events (events_insert_known).
 */
#include "common/common.h"

#include "store/store_backend.h"

#define XSTR(x) STR(x)
#define STR(x) #x
#define LIMIT " LIMIT " XSTR(STORE_PAGE_ROWS)

#define EVENT_COLS                                                           \
    "SELECT `event_id`, `sequence`, `account_id`, `secret_id`, `payload` "   \
    "FROM `events` "
#define TOMBSTONE_COLS                                                       \
    "SELECT `event_id`, `account_id`, `secret_id`, `sequence` "              \
    "FROM `tombstones` "
#define ORDER " ORDER BY `sequence`, `event_id`"
/* A PAGE pair over key (a column name). */
#define PAGES(cols, key)                                                     \
    {                                                                        \
        cols "WHERE `" key "` = ? AND `sequence` > ?" ORDER LIMIT,           \
        cols "WHERE `" key "` = ? AND (`sequence`, `event_id`) > (?, ?)"     \
             ORDER LIMIT,                                                    \
    }

/* A secret id is 64 hex digits; 191 leaves room for anything an index
 * holds. */
#define IDS                                                                  \
    "(SELECT `j`.`v` FROM JSON_TABLE(?, '$[*]' COLUMNS (`v` varchar(191) "   \
    "PATH '$')) AS `j`)"

#define EVENT_INSERT                                                         \
    "INSERT INTO `events` (`event_id`, `sequence`, `account_id`, "           \
    "`secret_id`, `payload`) "
/* The tombstone of each event selected after it, with the sequence bound
 * first. */
#define BURY                                                                 \
    "INSERT INTO `tombstones` (`event_id`, `account_id`, `secret_id`, "      \
    "`sequence`) SELECT `event_id`, `account_id`, `secret_id`, ? "           \
    "FROM `events` "
#define BURY_UPSERT                                                          \
    " ON DUPLICATE KEY UPDATE `account_id` = VALUES(`account_id`), "         \
    "`secret_id` = VALUES(`secret_id`), `sequence` = VALUES(`sequence`)"

/* The EVENTS parameter as rows `j` (e, q, a, p, s); a missing secret_id
 * is NULL. */
#define EVENTS_TABLE                                                         \
    "JSON_TABLE(?, '$[*]' COLUMNS (`e` varchar(191) PATH '$[0]', "           \
    "`q` varchar(191) PATH '$[1]', `a` varchar(191) PATH '$[2]', "           \
    "`p` longtext PATH '$[3]', `s` varchar(191) PATH '$[4]')) AS `j`"

const struct store_events_sql store_mysql_events_sql = {
    .secret_get = "SELECT `encrypted_secret` FROM `secrets` "
                  "WHERE `secret_id` = ?",
    .secret_count = "SELECT COUNT(*) FROM `secrets` WHERE `secret_id` = ?",
    .secret_insert = "INSERT INTO `secrets` (`secret_id`, "
                     "`encrypted_secret`) VALUES (?, ?)",
    .secret_copy = "INSERT INTO `secrets` (`secret_id`, `encrypted_secret`) "
                   "SELECT ?, `encrypted_secret` FROM `secrets` "
                   "WHERE `secret_id` = ?",
    .secret_delete = "DELETE FROM `secrets` WHERE `secret_id` = ?",
    .secrets_in = "SELECT `secret_id`, `encrypted_secret` FROM `secrets` "
                  "WHERE `secret_id` IN " IDS,
    .secrets_by_account = "SELECT `secret_id`, `encrypted_secret` "
                          "FROM `secrets` AS `s` WHERE (SELECT `account_id` "
                          "FROM `events` AS `e` WHERE `e`.`secret_id` = "
                          "`s`.`secret_id` LIMIT 1) = ?",
    .secrets_by_account_from = "SELECT `secret_id`, `encrypted_secret` "
                               "FROM `secrets` AS `s` WHERE (SELECT "
                               "`account_id` FROM `events` AS `e` WHERE "
                               "`e`.`secret_id` = `s`.`secret_id` LIMIT 1) "
                               "= ? AND EXISTS (SELECT 1 FROM `events` AS "
                               "`e` WHERE `e`.`secret_id` = `s`.`secret_id` "
                               "AND `e`.`event_id` >= ?)",
    .event_insert = EVENT_INSERT "VALUES (?, ?, ?, ?, ?)",
    .event_insert_known = EVENT_INSERT "SELECT ?, ?, ?, `secret_id`, ? "
                          "FROM `secrets` WHERE `secret_id` = ? "
                          "RETURNING `event_id`",
    .events_insert_known = EVENT_INSERT "SELECT `j`.`e`, `j`.`q`, `j`.`a`, "
                           "`j`.`s`, `j`.`p` FROM " EVENTS_TABLE " WHERE "
                           "`j`.`s` IS NULL OR EXISTS (SELECT 1 FROM "
                           "`secrets` AS `x` WHERE `x`.`secret_id` = "
                           "`j`.`s`) RETURNING `event_id`",
    .events_by_secret = PAGES(EVENT_COLS, "secret_id"),
    .events_by_account = PAGES(EVENT_COLS, "account_id"),
    .tombstones_by_secret = PAGES(TOMBSTONE_COLS, "secret_id"),
    .tombstones_by_account = PAGES(TOMBSTONE_COLS, "account_id"),
    .secret_event_ids = "SELECT `event_id` FROM `events` "
                        "WHERE `secret_id` = ? AND `event_id` IS NOT NULL"
                        LIMIT,
    .event_park = EVENT_INSERT "SELECT ?, ?, `account_id`, ?, `payload` "
                  "FROM `events` WHERE `event_id` = ?",
    .event_bury = BURY "WHERE `event_id` = ?" BURY_UPSERT,
    .event_delete = "DELETE FROM `events` WHERE `event_id` = ?",
    .purge_count = "SELECT COUNT(*) FROM `events` WHERE `secret_id` IN " IDS,
    .purge_bury = BURY "WHERE `secret_id` IN " IDS BURY_UPSERT,
    .purge_delete = "DELETE FROM `events` WHERE `secret_id` IN " IDS,
    .expire_count = "SELECT COUNT(*) FROM `events` WHERE `event_id` < ?",
    .expire_bury = BURY "WHERE `event_id` < ?" BURY_UPSERT,
    .expire_delete = "DELETE FROM `events` WHERE `event_id` < ?",
};
