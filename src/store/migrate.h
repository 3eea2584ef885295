/* migrate.h -- the shared migration runner and the schema tables it reads
 * (store/ only).
 *
 * The rules (which ids, in what order, fresh install or step by step) are
 * Offen's and the same for every dialect, so they live once in migrate.c.
 * Each dialect supplies a struct store_schema with its own SQL: the DDL of
 * a fresh install, the statements of each of Offen's migrations, and ours.
 * Migration steps reach the database only through store_exec_args() and
 * store_count(), so they need no client library header.
 */
#ifndef CD_STORE_MIGRATE_H
#define CD_STORE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct store;

/* The id Offen's runner writes first on a fresh install. */
#define MIGRATE_SCHEMA_INIT "SCHEMA_INIT"
/* Prefix of every id of ours; Offen ignores ids it does not know. */
#define MIGRATE_CANDOR_PREFIX "candor_"
/* Offen's seven migrations, in order. */
#define MIGRATE_OFFEN_COUNT 7

struct store_migration {
    const char *id;         /* "001_introduce_admin_level", "candor_001_..." */
    const char *const *sql; /* NULL-terminated statements, or NULL */
    /* Optional step run after sql, for work that needs logic (a column
     * that may already exist, a generated value). */
    int (*run)(struct store *st, struct cd_error *err);
};

struct store_schema {
    const char *create_migrations; /* idempotent CREATE of `migrations` */
    const char *count_migrations;  /* SELECT COUNT(*) FROM migrations */
    const char *find_migration;    /* COUNT(*) ... WHERE id = <param 1> */
    const char *insert_migration;  /* INSERT ... (id) VALUES (<param 1>) */
    const char *const *fresh;      /* NULL-terminated: Offen's six tables,
                                    * each created only if missing */
    const struct store_migration *offen;  /* MIGRATE_OFFEN_COUNT entries */
    const struct store_migration *candor; /* ours, in order */
    size_t n_candor;
};

/* The runner behind store_migrate() (see store.h for the rules). Each
 * migration runs in its own transaction with its id row; before running
 * one, the runner checks its id again inside that transaction, so two
 * processes migrating at once do not both apply it. nested: the caller
 * holds a transaction open; each step then runs under a savepoint in it,
 * and nothing is durable before the caller commits. */
int migrate_run(struct store *st, const struct store_schema *schema,
                bool nested, struct cd_error *err) CD_MUST_CHECK;

/* Offen's migration ids, SCHEMA_INIT excluded, in order. */
extern const char *const migrate_offen_ids[MIGRATE_OFFEN_COUNT];

/* ULIDs (26 characters of Crockford base32: 48-bit milliseconds, then 80
 * random bits), as Offen writes in events.sequence. */
#define MIGRATE_ULID_LEN 26
void migrate_ulid_encode(uint64_t ms, const unsigned char rnd[10],
                         char out[MIGRATE_ULID_LEN + 1]);
/* A new ULID for the current time with random bits from getrandom(2).
 * CD_EIO if the kernel gives no randomness. */
int migrate_ulid_new(char out[MIGRATE_ULID_LEN + 1],
                     struct cd_error *err) CD_MUST_CHECK;

/* The dialects' schemas. */
extern const struct store_schema store_sqlite_schema;
extern const struct store_schema store_postgres_schema;
extern const struct store_schema store_mysql_schema;

#endif /* CD_STORE_MIGRATE_H */
