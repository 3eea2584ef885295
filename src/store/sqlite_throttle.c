/* sqlite_throttle.c -- the SQLite dialect's SQL for the shared throttle.
 *
 * Exports exactly one symbol, store_sqlite_throttle_sql (store_backend.h).
 * The table is candor_throttle (sqlite_schema.c, candor_005). A hit runs
 * under BEGIN IMMEDIATE, which holds the database's write lock from the
 * start, so the read below is as good as a row lock: no other connection
 * writes until the commit.
 */
#include "common/common.h"

#include "store/store_backend.h"

const struct store_throttle_sql store_sqlite_throttle_sql = {
    .claim = "INSERT OR IGNORE INTO `candor_throttle` "
             "(`key`, `until_ms`, `queue`) VALUES (?, 0, 0)",
    .read = "SELECT `until_ms`, `queue` FROM `candor_throttle` "
            "WHERE `key` = ?",
    .update = "UPDATE `candor_throttle` SET `until_ms` = ?, `queue` = ? "
              "WHERE `key` = ?",
    .forget = "DELETE FROM `candor_throttle` WHERE `key` = ?",
    .expire = "DELETE FROM `candor_throttle` WHERE `until_ms` <= ?",
    .count = "SELECT COUNT(*) FROM `candor_throttle` "
             "WHERE `until_ms` > ?",
};
