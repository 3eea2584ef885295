/* store_backend.h -- what a database backend implements (store/ only).
 *
 * A backend is one file, store/<name>.c, exporting exactly one symbol: a
 * const struct store_backend. Its connection struct embeds struct store as
 * its first member, so store.c can hand out &conn->base and the backend gets
 * its own struct back with STORE_CONTAINER(). Every SQL text that differs
 * per dialect lives in the backend's files (store/<name>.c,
 * store/<name>_schema.c, store/<name>_accounts.c, store/<name>_events.c
 * and store/<name>_throttle.c), never in store.c, migrate.c, writer.c,
 * accounts.c, users.c, events.c or throttle.c.
 *
 * store.c validates arguments (savepoint names, NULL pointers, at most
 * STORE_MAX_PARAMS parameters) before calling into a backend, so backends
 * need not repeat those checks.
 * All functions follow err.h: CD_OK or a negative code, detail in *err.
 */
#ifndef CD_STORE_STORE_BACKEND_H
#define CD_STORE_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "common/err.h"

struct store_backend;
struct store_accounts_sql;
struct store_events_sql;
struct store_throttle_sql;
struct store_wal;

/* One result row of store_query(): col[i] is column i as text, NULL for
 * SQL NULL; the pointers are valid during the call only. Return CD_OK to
 * go on, or an error, which stops the query and is its result. */
typedef int store_row_fn(void *ctx, const char *const *col, size_t ncol,
                         struct cd_error *err);

/* The backend-neutral head of every connection. */
struct store {
    const struct store_backend *backend; /* set by store_open() */
};

#define STORE_CONTAINER(st, type) ((type *)(void *)(st))

struct store_backend {
    const char *name;            /* "sqlite", "postgres", "mysql" */
    enum config_dialect dialect; /* the dialect it serves */

    /* Allocate and open a connection; *out is the embedded struct store.
     * On failure *out is left NULL and nothing leaks. */
    int (*open)(struct store **out, const char *conn, struct cd_error *err);
    /* Roll back anything open, release everything, free. */
    void (*close)(struct store *st);

    /* Usually migrate_run() with the backend's schema, wrapped in
     * whatever the dialect needs (an advisory lock on PostgreSQL, say).
     * nested: a transaction is open already (store_bootstrap()), so each
     * step runs under a savepoint inside it instead of in its own. */
    int (*migrate)(struct store *st, bool nested, struct cd_error *err);
    int (*ping)(struct store *st, struct cd_error *err);

    int (*begin)(struct store *st, struct cd_error *err);
    int (*commit)(struct store *st, struct cd_error *err);
    int (*rollback)(struct store *st, struct cd_error *err);
    bool (*in_transaction)(struct store *st); /* one is open right now */
    /* Write-ahead log: NULL where the database manages it itself. */
    void (*wal_manual)(struct store *st);      /* no checkpoints at commit */
    int (*checkpoint)(struct store *st, bool flush, struct store_wal *wal,
                      struct cd_error *err); /* passive */
    int (*savepoint)(struct store *st, const char *name,
                     struct cd_error *err);
    int (*release)(struct store *st, const char *name, struct cd_error *err);
    int (*rollback_to)(struct store *st, const char *name,
                       struct cd_error *err);

    /* Run one statement with n text parameters bound in order (the
     * dialect's placeholder syntax is in sql). Rows are discarded. n is at
     * most STORE_MAX_PARAMS (store.c checks). A duplicate key may come
     * back as CD_EEXIST, which store.c reports as CD_ESTORE for exec()
     * and count(). */
    int (*exec)(struct store *st, const char *sql, const char *const *params,
                size_t n, struct cd_error *err);
    /* Run one query with n text parameters and store the integer in the
     * first column of its first row in *out (0 when there is no row). */
    int (*count)(struct store *st, const char *sql,
                 const char *const *params, size_t n, long long *out,
                 struct cd_error *err);
    /* Run one statement with n text parameters (a NULL one binds SQL
     * NULL) and call row() for each result row; row may be NULL. row()
     * must not use st. A duplicate primary or unique key is CD_EEXIST,
     * other database failures CD_ESTORE. */
    int (*query)(struct store *st, const char *sql,
                 const char *const *params, size_t n, store_row_fn *row,
                 void *ctx, struct cd_error *err);

    /* The dialect's SQL for operators and accounts (accounts.c, users.c). */
    const struct store_accounts_sql *accounts;
    /* The dialect's SQL for secrets, events and tombstones (events.c). */
    const struct store_events_sql *events;
    /* The dialect's SQL for the shared throttle (throttle.c). */
    const struct store_throttle_sql *throttle;
};

/* The compiled-in backends. */
extern const struct store_backend store_sqlite;
extern const struct store_backend store_postgres;
extern const struct store_backend store_mysql;

/* What a dialect gives accounts.c and users.c: one statement per field.
 * "?" stands for the dialect's placeholder; parameters are bound as text,
 * in the order listed, so a dialect that cannot number its placeholders
 * (MySQL) can still write every statement. Booleans are bound as "1"/"0",
 * timestamps as Offen's SQLite text in UTC ("2024-05-01
 * 10:00:00.123000000+00:00"), admin levels as decimal text.
 *
 * USER rows, the read statements marked so, return 11 columns: the user's
 * account_user_id, hashed_email, hashed_password, salt, admin_level, then
 * one relationship's relationship_id, account_user_id, account_id,
 * password_, email_ and one_time_encrypted_key_encryption_key (all NULL
 * for a user without one): account_users LEFT JOIN
 * account_user_relationships, ordered by user, then by relationship in
 * insertion order. Index [1] of each pair keeps accepted relationships
 * only (password_encrypted_key_encryption_key <> ''), [0] all of them.
 * ACCOUNT rows return account_id, name, public_key, encrypted_private_key,
 * user_salt, retired, account_styles, created. */
struct store_accounts_sql {
    const char *is_empty;         /* one row, 1 if all six tables are empty */
    const char *user_by_id[2];    /* USER rows; account_user_id */
    const char *users_all[2];     /* USER rows, every user */
    const char *user_by_lookup[2]; /* USER rows; key_id, lookup */
    const char *users_without_lookup[2]; /* USER rows; key_id */
    const char *user_count;       /* COUNT by account_user_id */
    const char *user_insert;      /* the 5 user columns, in USER order */
    const char *user_upsert;      /* the same, replacing the row */
    const char *user_set_admin_level; /* admin_level, account_user_id */
    const char *rel_insert;       /* the 6 relationship columns */
    const char *rel_upsert;       /* the same, replacing the row */
    const char *lookup_upsert;    /* key_id, lookup, account_user_id; takes
                                   * hashed_email from the user's row */
    const char *account_by_id[2]; /* ACCOUNT rows; account_id; [1] active */
    const char *accounts_all[2];  /* ACCOUNT rows; [1] active ones */
    const char *account_count[2]; /* COUNT by account_id; [1] active */
    const char *account_name_count; /* COUNT by exact name, retired too */
    const char *account_insert;   /* the 8 account columns, in ACCOUNT order */
    const char *account_retire;   /* account_id */
    const char *account_rels_delete; /* account_id */
    const char *account_set_styles; /* account_styles, account_id */
    /* NULL-terminated: what store_bootstrap() drops before migrating
     * again (every table but tombstones). */
    const char *const *bootstrap_drop;
};

extern const struct store_accounts_sql store_sqlite_accounts_sql;
extern const struct store_accounts_sql store_postgres_accounts_sql;
extern const struct store_accounts_sql store_mysql_accounts_sql;

/* Rows a paged read (events.c) asks for per statement: every statement
 * marked PAGE below ends in LIMIT STORE_PAGE_ROWS. */
#define STORE_PAGE_ROWS 500
/* Ids bound at once as one IDS parameter (events.c splits longer lists). */
#define STORE_IDS_CHUNK 100

/* What a dialect gives events.c, in the same manner as struct
 * store_accounts_sql: one statement per field, "?" for the dialect's
 * placeholder, parameters bound as text in the order listed (a NULL one
 * binds SQL NULL).
 *
 * EVENT rows return event_id, sequence, account_id, secret_id (NULL for
 * an anonymous event), payload. TOMBSTONE rows return event_id,
 * account_id, secret_id, sequence. Paged reads come in pairs ordered by
 * (sequence, event_id) and marked PAGE: [0] is the first page, parameters
 * (key, since), selecting sequence > since (since "" when none, which
 * leaves out only rows without a sequence); [1] is every later page,
 * parameters (key, sequence, event_id) of the last row seen, selecting the
 * rows after it in that order; key is the secret_id or account_id.
 *
 * An IDS parameter is one text value holding a JSON array of at most
 * STORE_IDS_CHUNK ids (["a","b"]), which the statement unpacks itself
 * (json_each on SQLite, json_array_elements_text on PostgreSQL,
 * JSON_TABLE on MySQL): the statement text stays fixed whatever the count.
 *
 * BURY statements write one tombstone per event selected (its event_id,
 * account_id and secret_id, and the sequence given); an existing
 * tombstone of the same event_id is replaced, so an id that comes back
 * can still be deleted. */
struct store_events_sql {
    const char *secret_get;    /* encrypted_secret; secret_id */
    const char *secret_count;  /* COUNT; secret_id */
    const char *secret_insert; /* secret_id, encrypted_secret */
    const char *secret_copy;   /* a copy of a secret's row under a new id;
                                * new secret_id, old secret_id */
    const char *secret_delete; /* secret_id */
    const char *secrets_in;    /* secret_id, encrypted_secret; IDS */
    /* secret_id, encrypted_secret of every secret with an event in the
     * account, each once; account_id. A secret's events are all of one
     * account, so one probe of the (secret_id, sequence) index per
     * secret tells: the cost grows with the secrets of the database, not
     * with the account's events (2 ms against 120 ms for 300 visitors
     * with 100,000 events on SQLite). */
    const char *secrets_by_account;
    /* The same, only secrets with an event whose event_id >= from (a
     * walk of that secret's entries in the same index, which holds the
     * event id); account_id, from. */
    const char *secrets_by_account_from;
    const char *event_insert;  /* the 5 columns, in EVENT order */
    /* An event of a visitor, inserted only if the secret exists, in one
     * statement (no round trip to check it first); event_id, sequence,
     * account_id, payload, secret_id; RETURNING the event_id: no row when
     * the secret is unknown. */
    const char *event_insert_known;
    /* The same for a chunk of events (store_events_insert()): one EVENTS
     * parameter, a JSON array of at most STORE_EVENTS_CHUNK events, each
     * an array [event_id, sequence, account_id, payload, secret_id] of
     * strings, secret_id left out for an anonymous event. Inserts each
     * event that is anonymous or whose secret exists, RETURNING the
     * event_id of each row inserted, in any order. NULL where a statement
     * per event costs less (SQLite: no round trip to save): then
     * store_events_insert() runs event_insert_known once per event. */
    const char *events_insert_known;
    const char *events_by_secret[2];      /* EVENT rows, PAGE */
    const char *events_by_account[2];     /* EVENT rows, PAGE */
    const char *tombstones_by_secret[2];  /* TOMBSTONE rows, PAGE */
    const char *tombstones_by_account[2]; /* TOMBSTONE rows, PAGE */
    /* Parking (store_secret_associate): the event_id of at most
     * STORE_PAGE_ROWS events of secret_id, not NULL, in any order. */
    const char *secret_event_ids;
    const char *event_park;   /* copy one event: new event_id, sequence,
                               * new secret_id, old event_id */
    const char *event_bury;   /* BURY one event: sequence, event_id */
    const char *event_delete; /* event_id */
    const char *purge_count;  /* COUNT of events whose secret_id is in IDS */
    const char *purge_bury;   /* BURY them: sequence, IDS */
    const char *purge_delete; /* IDS */
    const char *expire_count; /* COUNT of events with event_id < deadline */
    const char *expire_bury;  /* BURY them: sequence, deadline */
    const char *expire_delete; /* deadline */
};

extern const struct store_events_sql store_sqlite_events_sql;
extern const struct store_events_sql store_postgres_events_sql;
extern const struct store_events_sql store_mysql_events_sql;

/* What a dialect gives throttle.c (store_throttle_hit() and friends), in
 * the same manner: "?" for the placeholder, parameters bound as text.
 * Rows of candor_throttle are (key, until_ms, queue); key is 64 hex
 * characters. claim and read run inside one transaction and leave the
 * key's row present and locked against every other connection until the
 * commit (SQLite's BEGIN IMMEDIATE already locks the whole database). */
struct store_throttle_sql {
    const char *claim;  /* insert (key, 0, 0) unless the key has a row;
                         * key */
    const char *read;   /* until_ms, queue of the row, locked; key */
    const char *update; /* until_ms, queue, key */
    const char *forget; /* delete the key's row; key */
    const char *expire; /* delete rows with until_ms <= now; now */
    const char *count;  /* COUNT of rows with until_ms > now; now */
};

extern const struct store_throttle_sql store_sqlite_throttle_sql;
extern const struct store_throttle_sql store_postgres_throttle_sql;
extern const struct store_throttle_sql store_mysql_throttle_sql;

/* Most parameters one statement takes, on every dialect: store.c refuses
 * more with CD_EINVAL before a backend sees them, so a backend may bind
 * them in an array of this size. */
#define STORE_MAX_PARAMS 64

/* store_exec() with parameters, and the count query: for store/ code that
 * needs them (the migration runner and the dialects' migration steps).
 * Every database failure is CD_ESTORE, a duplicate key too; more than
 * STORE_MAX_PARAMS parameters is CD_EINVAL. */
int store_exec_args(struct store *st, const char *sql,
                    const char *const *params, size_t n,
                    struct cd_error *err) CD_MUST_CHECK;
int store_count(struct store *st, const char *sql, const char *const *params,
                size_t n, long long *out, struct cd_error *err) CD_MUST_CHECK;
/* The backend's query(), for accounts.c, users.c and events.c: a
 * duplicate key is CD_EEXIST, more than STORE_MAX_PARAMS parameters
 * CD_EINVAL. */
int store_query(struct store *st, const char *sql, const char *const *params,
                size_t n, store_row_fn *row, void *ctx,
                struct cd_error *err) CD_MUST_CHECK;
/* store_migrate() for a caller that holds a transaction open: each step
 * runs under a savepoint inside it (store_bootstrap()). */
int store_migrate_in_tx(struct store *st, struct cd_error *err) CD_MUST_CHECK;

#endif /* CD_STORE_STORE_BACKEND_H */
