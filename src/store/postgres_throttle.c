/* postgres_throttle.c -- the PostgreSQL dialect's SQL for the shared
 * throttle.
 *
 * Exports exactly one symbol, store_postgres_throttle_sql
 * (store_backend.h). The table is candor_throttle (postgres_schema.c,
 * candor_005). A hit inserts the key's row unless it exists (ON CONFLICT
 * DO NOTHING waits for a concurrent insert of the same key to commit),
 * then reads it FOR UPDATE: the row lock is held until the commit, so
 * hits on one key from several nodes run one after the other.
 */
#include "common/common.h"

#include "store/store_backend.h"

const struct store_throttle_sql store_postgres_throttle_sql = {
    .claim = "INSERT INTO \"candor_throttle\" "
             "(\"key\", \"until_ms\", \"queue\") VALUES ($1, 0, 0) "
             "ON CONFLICT (\"key\") DO NOTHING",
    .read = "SELECT \"until_ms\", \"queue\" FROM \"candor_throttle\" "
            "WHERE \"key\" = $1 FOR UPDATE",
    .update = "UPDATE \"candor_throttle\" SET \"until_ms\" = $1::bigint, "
              "\"queue\" = $2::integer WHERE \"key\" = $3",
    .forget = "DELETE FROM \"candor_throttle\" WHERE \"key\" = $1",
    .expire = "DELETE FROM \"candor_throttle\" "
              "WHERE \"until_ms\" <= $1::bigint",
    .count = "SELECT COUNT(*) FROM \"candor_throttle\" "
             "WHERE \"until_ms\" > $1::bigint",
};
