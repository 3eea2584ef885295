/* mysql_throttle.c -- the MySQL/MariaDB dialect's SQL for the shared
 * throttle.
 *
 * Exports exactly one symbol, store_mysql_throttle_sql (store_backend.h).
 * The table is candor_throttle (mysql_schema.c, candor_005). The claim is
 * an INSERT ... ON DUPLICATE KEY UPDATE, which takes the row's exclusive
 * lock whether it inserts or not (INSERT IGNORE would take a shared one,
 * and two shared holders upgrading at once deadlock); the read is a
 * SELECT ... FOR UPDATE of the row already locked. The lock is held until
 * the commit, so hits on one key from several nodes run one after the
 * other.
 */
#include "common/common.h"

#include "store/store_backend.h"

const struct store_throttle_sql store_mysql_throttle_sql = {
    .claim = "INSERT INTO `candor_throttle` (`key`, `until_ms`, `queue`) "
             "VALUES (?, 0, 0) ON DUPLICATE KEY UPDATE `queue` = `queue`",
    .read = "SELECT `until_ms`, `queue` FROM `candor_throttle` "
            "WHERE `key` = ? FOR UPDATE",
    .update = "UPDATE `candor_throttle` SET `until_ms` = ?, `queue` = ? "
              "WHERE `key` = ?",
    .forget = "DELETE FROM `candor_throttle` WHERE `key` = ?",
    .expire = "DELETE FROM `candor_throttle` WHERE `until_ms` <= ?",
    .count = "SELECT COUNT(*) FROM `candor_throttle` "
             "WHERE `until_ms` > ?",
};
