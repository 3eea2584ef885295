/* store.h -- the only storage API the rest of the server sees.
 *
 * api/ and cli/ reach the database through these functions and nothing
 * else; no file outside store/ includes a database client header. A struct
 * store is one database connection. store_open() picks the backend for the
 * configured dialect (store_backend.h) and every call is forwarded through
 * that backend's vtable; SQL that differs per dialect lives beside its
 * backend.
 *
 * Threading: a struct store belongs to one thread at a time; never use it
 * from two threads at once. Each event loop opens its own. Writes on the
 * ingestion path go through the group-commit writer below, which owns a
 * connection of its own on a dedicated thread.
 *
 * Errors: functions return CD_OK or a negative CD_E* code (database failures
 * are CD_ESTORE); a human-readable detail goes to *err when err is non-NULL.
 *
 * See docs/internals/store.md for the contract in prose.
 */
#ifndef CD_STORE_STORE_H
#define CD_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/err.h"

struct store;        /* opaque: one connection */
struct store_writer; /* opaque: the group-commit writer thread */

/* SQLite: milliseconds a statement waits for another connection's lock
 * before it fails with CD_ESTORE ("database is locked"). */
#define STORE_BUSY_TIMEOUT_MS 5000

/* Longest savepoint name store_savepoint() and friends accept. */
#define STORE_SAVEPOINT_NAME_MAX 63

/* Most operations the writer puts into one transaction: a flood of
 * submissions is split into transactions of at most this many ops. */
#define STORE_WRITER_BATCH_MAX 4096

/* ---- connections ------------------------------------------------------ */

/* Open a connection. For CONFIG_DIALECT_SQLITE, conn is a file path or a
 * "file:" URI; the file is created if missing, but its directory is not
 * (the caller creates it). As Offen's driver does, a "?query" after a plain
 * path is ignored. The connection is set to WAL journalling,
 * synchronous=NORMAL, a busy timeout of STORE_BUSY_TIMEOUT_MS and no foreign
 * key enforcement (Offen's SQLite schema has none).
 * PostgreSQL and MySQL are not supported in this build yet: CD_EINVAL.
 * Returns CD_OK and sets *out (free it with store_close()), CD_EINVAL for a
 * bad dialect or empty conn, CD_ESTORE when the database cannot be opened
 * or configured. *out is NULL on failure. */
int store_open(struct store **out, enum config_dialect dialect,
               const char *conn, struct cd_error *err) CD_MUST_CHECK;

/* Close the connection and free st. NULL is ignored. An open transaction is
 * rolled back. */
void store_close(struct store *st);

/* The dialect st was opened with. */
enum config_dialect store_dialect(const struct store *st);

/* Bring the schema up to date, following Offen's migration runner
 * (gormigrate): create the `migrations` table if missing; if it has no rows,
 * create Offen's six tables and record SCHEMA_INIT and Offen's seven
 * migration ids; otherwise run each missing Offen migration in order. Then
 * run Candor's own migrations (ids "candor_NNN_..."), each in one
 * transaction with its id row. Ids this build does not know are ignored,
 * as Offen does. Idempotent: a second call changes nothing.
 * Returns CD_OK or CD_ESTORE (err names the failing migration; that
 * migration is rolled back, the ones before it stay applied). */
int store_migrate(struct store *st, struct cd_error *err) CD_MUST_CHECK;

/* A cheap round trip that proves the connection works and the schema is
 * there (it reads the migrations table with a statement prepared once).
 * For /healthz. CD_OK or CD_ESTORE. */
int store_ping(struct store *st, struct cd_error *err) CD_MUST_CHECK;

/* ---- transactions ----------------------------------------------------- */

/* Begin a write transaction. On SQLite it takes the write lock at once
 * (BEGIN IMMEDIATE), so it waits up to the busy timeout here instead of
 * failing half-way through. Transactions do not nest: use savepoints. */
int store_begin(struct store *st, struct cd_error *err) CD_MUST_CHECK;
/* Commit. On failure the transaction is rolled back. */
int store_commit(struct store *st, struct cd_error *err) CD_MUST_CHECK;
/* Roll back; CD_OK when no transaction is open (safe on error paths). */
int store_rollback(struct store *st, struct cd_error *err);

/* Savepoints inside a transaction. name is an SQL identifier of at most
 * STORE_SAVEPOINT_NAME_MAX characters ([A-Za-z_][A-Za-z0-9_]*), else
 * CD_EINVAL. store_rollback_to() undoes the work since the savepoint and
 * keeps it open; store_release() closes it (keeping its work). */
int store_savepoint(struct store *st, const char *name,
                    struct cd_error *err) CD_MUST_CHECK;
int store_release(struct store *st, const char *name,
                  struct cd_error *err) CD_MUST_CHECK;
int store_rollback_to(struct store *st, const char *name,
                      struct cd_error *err) CD_MUST_CHECK;

/* Run one fixed SQL statement that returns no data we need. For the
 * store's own code and tests: never build sql from untrusted input (domain
 * functions use prepared statements with bound parameters). CD_EINVAL if
 * sql holds more or less than one statement. Statements are prepared once
 * and cached per connection. */
int store_exec(struct store *st, const char *sql,
               struct cd_error *err) CD_MUST_CHECK;

/* ---- the group-commit writer ------------------------------------------ */

/* One unit of work for the writer. The caller allocates it (usually
 * embedded in a larger request struct) and keeps it alive until done() is
 * called; done() may free it. */
struct store_op {
    /* Runs on the writer thread inside the open transaction, under a
     * savepoint of its own: if it returns an error, its changes are undone
     * and the rest of the batch still commits. It must not begin, commit
     * or roll back the transaction itself. */
    int (*apply)(struct store *st, struct store_op *op,
                 struct cd_error *err);
    /* Runs on the writer thread after the batch's COMMIT (or failure),
     * exactly once per op, in submission order. rc is CD_OK only if this
     * op's apply succeeded AND the transaction committed; otherwise it is
     * apply's error, or CD_ESTORE when the transaction failed. It must not
     * block, and must not call store_writer_stop(); it may submit. */
    void (*done)(struct store_op *op, int rc);
    struct store_op *next; /* internal: queue link */
};

/* Counters, for tests and metrics. */
struct store_writer_stats {
    uint64_t batches;       /* transactions attempted */
    uint64_t failed;        /* of which failed as a whole (CD_ESTORE) */
    uint64_t ops;           /* ops whose result is known; counted just
                             * before their done() calls */
    size_t largest_batch;   /* most ops seen in one transaction */
    size_t queued;          /* ops waiting right now */
};

/* Open a connection of its own to the database (as store_open()) and start
 * the writer thread. The schema must already be migrated. Returns CD_OK and
 * sets *out, or the store_open() error, or CD_ENOMEM if the thread cannot
 * be started. */
int store_writer_start(struct store_writer **out, enum config_dialect dialect,
                       const char *conn, struct cd_error *err) CD_MUST_CHECK;

/* Queue op (apply and done set). Thread-safe; takes a mutex for a few
 * instructions and never waits on the database. The writer takes
 * everything queued (up to STORE_WRITER_BATCH_MAX) as one transaction, so
 * ops submitted together commit together. There is no queue limit here:
 * callers shed load by looking at store_writer_stats().queued. An op
 * submitted after the writer thread has exited gets done(op, CD_ESTORE)
 * on the calling thread. */
void store_writer_submit(struct store_writer *w, struct store_op *op);

/* Copy the counters. Thread-safe. */
void store_writer_stats(struct store_writer *w,
                        struct store_writer_stats *out);

/* Finish everything queued (each op gets done()), stop the thread, close
 * its connection and free w. NULL is ignored. Must not be called from a
 * done() or apply() callback. */
void store_writer_stop(struct store_writer *w);

#endif /* CD_STORE_STORE_H */
