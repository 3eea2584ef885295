/* sqlite_events.c -- the SQLite dialect's SQL for secrets, events and
 * tombstones.
 *
 * Exports exactly one symbol, store_sqlite_events_sql: the statements
 * events.c runs, as the contract in store_backend.h lists them. Every
 * statement is a fixed text with bound parameters, prepared once per
 * connection by sqlite.c.
 *
 * Paged reads select by one key and walk the index (key, sequence,
 * event_id) of candor_003 (sqlite_schema.c): the first page is a range
 * from `since`, each later page a range after the last row's (sequence,
 * event_id), a row-value comparison SQLite also answers from the index,
 * so every page costs a page's worth of rows however far in it is. A list
 * of ids is one JSON array parameter, unpacked by json_each.
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

#define IDS "(SELECT `value` FROM json_each(?))"

#define EVENT_INSERT                                                         \
    "INSERT INTO `events` (`event_id`, `sequence`, `account_id`, "           \
    "`secret_id`, `payload`) "
/* The tombstone of each event selected after it, with the sequence bound
 * first; SQLite needs the WHERE each of them has to tell the upsert's ON
 * from a join's. */
#define BURY                                                                 \
    "INSERT INTO `tombstones` (`event_id`, `account_id`, `secret_id`, "      \
    "`sequence`) SELECT `event_id`, `account_id`, `secret_id`, ? "           \
    "FROM `events` "
#define BURY_UPSERT                                                          \
    " ON CONFLICT (`event_id`) DO UPDATE SET "                               \
    "`account_id` = excluded.`account_id`, "                                 \
    "`secret_id` = excluded.`secret_id`, `sequence` = excluded.`sequence`"

const struct store_events_sql store_sqlite_events_sql = {
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
    /* No events_insert_known: a statement per event is a function call,
     * not a round trip, and cheaper than unpacking JSON (docs/
     * benchmarks.md). */
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
