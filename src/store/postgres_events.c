/* postgres_events.c -- the PostgreSQL dialect's SQL for secrets, events
 * and tombstones.
 *
 * Exports exactly one symbol, store_postgres_events_sql: the statements
 * events.c runs, as the contract in store_backend.h lists them, with $n
 * parameters, prepared once per connection by postgres.c.
 *
 * Ids and sequences compare and sort COLLATE "C", byte by byte as on
 * SQLite, whatever collation the database was created with; the paged
 * reads walk candor_003's indexes, which are built in that collation
 * (postgres_schema.c), a page's worth of rows per statement. A list of
 * ids is one JSON array parameter, unpacked by json_array_elements_text;
 * so is a chunk of events (events_insert_known), by jsonb_array_elements.
 * A parameter in a SELECT list is cast to text, where PostgreSQL could
 * not infer its type.
 */
#include "common/common.h"

#include "store/store_backend.h"

#define XSTR(x) STR(x)
#define STR(x) #x
#define LIMIT " LIMIT " XSTR(STORE_PAGE_ROWS)
#define C " COLLATE \"C\""

#define EVENT_COLS                                                           \
    "SELECT event_id, sequence, account_id, secret_id, payload FROM events "
#define TOMBSTONE_COLS                                                       \
    "SELECT event_id, account_id, secret_id, sequence FROM tombstones "
#define ORDER " ORDER BY sequence" C ", event_id" C
/* A PAGE pair over key (a column name). */
#define PAGES(cols, key)                                                     \
    {                                                                        \
        cols "WHERE " key " = $1 AND sequence" C " > $2" ORDER LIMIT,        \
        cols "WHERE " key " = $1 AND (sequence" C ", event_id" C ") > "      \
             "($2, $3)" ORDER LIMIT,                                         \
    }

#define IDS1 "(SELECT json_array_elements_text(CAST($1 AS json)))"
#define IDS2 "(SELECT json_array_elements_text(CAST($2 AS json)))"

#define EVENT_INSERT                                                         \
    "INSERT INTO events (event_id, sequence, account_id, secret_id, "        \
    "payload) "
/* The tombstone of each event selected after it, with the sequence bound
 * first. */
#define BURY                                                                 \
    "INSERT INTO tombstones (event_id, account_id, secret_id, sequence) "    \
    "SELECT event_id, account_id, secret_id, $1::text FROM events "
#define BURY_UPSERT                                                          \
    " ON CONFLICT (event_id) DO UPDATE SET "                                 \
    "account_id = excluded.account_id, "                                     \
    "secret_id = excluded.secret_id, sequence = excluded.sequence"

const struct store_events_sql store_postgres_events_sql = {
    .secret_get = "SELECT encrypted_secret FROM secrets "
                  "WHERE secret_id = $1",
    .secret_count = "SELECT COUNT(*) FROM secrets WHERE secret_id = $1",
    .secret_insert = "INSERT INTO secrets (secret_id, encrypted_secret) "
                     "VALUES ($1, $2)",
    .secret_copy = "INSERT INTO secrets (secret_id, encrypted_secret) "
                   "SELECT $1::text, encrypted_secret FROM secrets "
                   "WHERE secret_id = $2",
    .secret_delete = "DELETE FROM secrets WHERE secret_id = $1",
    .secrets_in = "SELECT secret_id, encrypted_secret FROM secrets "
                  "WHERE secret_id IN " IDS1,
    .secrets_by_account = "SELECT secret_id, encrypted_secret FROM secrets s "
                          "WHERE (SELECT account_id FROM events e "
                          "WHERE e.secret_id = s.secret_id LIMIT 1) = $1",
    .secrets_by_account_from = "SELECT secret_id, encrypted_secret "
                               "FROM secrets s WHERE (SELECT account_id "
                               "FROM events e WHERE e.secret_id = "
                               "s.secret_id LIMIT 1) = $1 AND EXISTS "
                               "(SELECT 1 FROM events e WHERE e.secret_id "
                               "= s.secret_id AND e.event_id >= $2)",
    .event_insert = EVENT_INSERT "VALUES ($1, $2, $3, $4, $5)",
    .event_insert_known = EVENT_INSERT "SELECT $1::text, $2::text, "
                          "$3::text, secret_id, $4::text FROM secrets "
                          "WHERE secret_id = $5 RETURNING event_id",
    .events_insert_known = EVENT_INSERT "SELECT v->>0, v->>1, v->>2, "
                           "v->>4, v->>3 FROM jsonb_array_elements("
                           "CAST($1 AS jsonb)) AS j(v) WHERE v->>4 IS NULL "
                           "OR EXISTS (SELECT 1 FROM secrets AS s "
                           "WHERE s.secret_id = v->>4) RETURNING event_id",
    .events_by_secret = PAGES(EVENT_COLS, "secret_id"),
    .events_by_account = PAGES(EVENT_COLS, "account_id"),
    .tombstones_by_secret = PAGES(TOMBSTONE_COLS, "secret_id"),
    .tombstones_by_account = PAGES(TOMBSTONE_COLS, "account_id"),
    .secret_event_ids = "SELECT event_id FROM events "
                        "WHERE secret_id = $1 AND event_id IS NOT NULL"
                        LIMIT,
    .event_park = EVENT_INSERT "SELECT $1::text, $2::text, account_id, "
                  "$3::text, payload FROM events WHERE event_id = $4",
    .event_bury = BURY "WHERE event_id = $2" BURY_UPSERT,
    .event_delete = "DELETE FROM events WHERE event_id = $1",
    .purge_count = "SELECT COUNT(*) FROM events WHERE secret_id IN " IDS1,
    .purge_bury = BURY "WHERE secret_id IN " IDS2 BURY_UPSERT,
    .purge_delete = "DELETE FROM events WHERE secret_id IN " IDS1,
    .expire_count = "SELECT COUNT(*) FROM events WHERE event_id" C " < $1",
    .expire_bury = BURY "WHERE event_id" C " < $2" BURY_UPSERT,
    .expire_delete = "DELETE FROM events WHERE event_id" C " < $1",
};
