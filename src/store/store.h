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
 * Operators and accounts (the second half) are read and written on the
 * caller's own connection, not through the writer: management writes are
 * rare, and each runs as one transaction of its own. So are the visitors'
 * secrets, events and tombstones (the last part), except the insert of an
 * event, which runs inside the writer's transaction.
 *
 * See docs/internals/store.md for the contract in prose.
 */
#ifndef CD_STORE_STORE_H
#define CD_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/err.h"

struct store;        /* opaque: one connection */
struct store_writer; /* opaque: the group-commit writer thread */
struct store_event;  /* a row of events, below */

/* SQLite: milliseconds a statement waits for another connection's lock
 * before it fails with CD_ESTORE ("database is locked"). */
#define STORE_BUSY_TIMEOUT_MS 5000

/* Longest savepoint name store_savepoint() and friends accept. */
#define STORE_SAVEPOINT_NAME_MAX 63

/* Most operations the writer puts into one transaction: a flood of
 * submissions is split into transactions of at most this many ops. */
#define STORE_WRITER_BATCH_MAX 4096

/* How often the writer's checkpoint thread (SQLite only) copies the
 * write-ahead log back into the database file. */
#define STORE_WRITER_CHECKPOINT_MS 250

/* SQLite starts writing its log from the beginning again only when a
 * transaction begins with every frame copied back, which a checkpoint
 * running beside a writer that never pauses cannot achieve. Once a
 * checkpoint finds a log of this many frames (pages) or more, the
 * checkpointer catches up with it and holds the writer between two
 * batches for its last pass (writer.c), so that the next transaction
 * starts the log again. The log then stays within a few times this
 * length (64 MiB with 4 KiB pages) under any load: how much more depends
 * on how much is committed while the checkpointer catches up. */
#define STORE_WRITER_WAL_FRAMES 16384

/* ---- connections ------------------------------------------------------ */

/* Open a connection. For CONFIG_DIALECT_SQLITE, conn is a file path or a
 * "file:" URI; the file is created if missing, but its directory is not
 * (the caller creates it). As Offen's driver does, a "?query" after a plain
 * path is ignored. The connection is set to WAL journalling,
 * synchronous=NORMAL, a busy timeout of STORE_BUSY_TIMEOUT_MS and no foreign
 * key enforcement (Offen's SQLite schema has none).
 * For CONFIG_DIALECT_POSTGRES, conn is a libpq URI or keyword string
 * (Offen's); the session runs in UTC, and a lost connection is re-made at
 * a later call (docs/internals/store.md, "PostgreSQL").
 * For CONFIG_DIALECT_MYSQL, conn is Offen's go-sql-driver/mysql DSN
 * ("user:pass@tcp(host:3306)/db?timeout=5s", store/mysql_dsn.h); the
 * session talks utf8mb4 (binary collation) in UTC, and a lost connection
 * is re-made at a later call (docs/internals/store.md, "MySQL and
 * MariaDB").
 * Returns CD_OK and sets *out (free it with store_close()), CD_EINVAL for a
 * bad dialect, an empty conn or a malformed MySQL DSN, CD_ETOOBIG for a
 * MySQL DSN (or a part of it) over its cap, CD_ENOMEM when the MySQL
 * client cannot allocate its handle, CD_ESTORE when the database cannot
 * be opened or configured. *out is NULL on failure. */
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
/* Is a transaction open on st right now? */
bool store_in_transaction(struct store *st);

/* SQLite's write-ahead log: store_wal_manual() stops commits on st from
 * copying the log back into the database (and fsyncing it) themselves;
 * store_checkpoint() does that copy without blocking writers (PASSIVE).
 * The group-commit writer uses both so that no fsync delays an
 * acknowledgement. No-ops for databases that manage their own log, for
 * which store_has_checkpoint() is false (so the writer opens no
 * connection and starts no thread for them).
 *
 * SQLite flushes the database file to disk (fdatasync) only after a pass
 * that reaches the end of the log, so after many passes behind a busy
 * writer that flush has everything they copied to write; with flush set,
 * store_checkpoint() flushes the file after any pass that copied frames.
 *
 * After a checkpoint, *wal (if not NULL) holds the log's length in frames
 * and how many of them are not copied back: written after the checkpoint
 * began, or still read by a reader. Another connection's checkpoint in
 * progress is not an error; that call copies nothing and reports the log
 * as unknown (both -1). Databases without a log report 0 and 0. */
struct store_wal {
    int frames;
    int left;
};
bool store_has_checkpoint(const struct store *st);
void store_wal_manual(struct store *st);
int store_checkpoint(struct store *st, bool flush, struct store_wal *wal,
                     struct cd_error *err) CD_MUST_CHECK;

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
 * called; done() may free it. An op is one of two kinds: it sets apply
 * (any work) or event (the insert of one event), never both. */
struct store_op {
    /* Runs on the writer thread inside the open transaction, under a
     * savepoint of its own: if it returns an error, its changes are undone
     * and the rest of the batch still commits. It must not begin, commit
     * or roll back the transaction itself. */
    int (*apply)(struct store *st, struct store_op *op,
                 struct cd_error *err);
    /* An event op: fill *ev with the one event to insert, minting its
     * event_id and sequence now. It runs on the writer thread inside the
     * open transaction, after the write lock, in submission order, so
     * sequences grow in commit order; the strings *ev points to must stay
     * valid until done(). The writer inserts each run of consecutive
     * event ops with store_events_insert() (one statement per chunk); if
     * that fails, the batch is run again op by op, each event with
     * store_event_insert() under its own savepoint, event() called again
     * (new ids). done() gets the insert's result: CD_OK, CD_ENOTFOUND
     * (unknown secret), or the error of that event alone. A negative
     * return fails the op with that error. */
    int (*event)(struct store_op *op, struct store_event *ev,
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
    uint64_t retried;       /* of which run again op by op, under
                             * savepoints, after an op or a batch insert
                             * of events failed */
    uint64_t ops;           /* ops whose result is known; counted just
                             * before their done() calls */
    size_t largest_batch;   /* most ops seen in one transaction */
    uint64_t log_pauses;    /* SQLite: last passes over a long log, the
                             * writer held between two batches */
    uint64_t log_copied;    /* of which copied every frame, so that the
                             * next transaction starts the log again */
    uint64_t unchecked;     /* events committed without their secret looked
                             * up: the writer knew it (store/known.h) */
    size_t queued;          /* ops waiting right now */
};

/* Open a connection of its own to the database (as store_open()) and start
 * the writer thread. The schema must already be migrated. Returns CD_OK and
 * sets *out, or the store_open() error, or CD_ENOMEM if the thread cannot
 * be started. */
int store_writer_start(struct store_writer **out, enum config_dialect dialect,
                       const char *conn, struct cd_error *err) CD_MUST_CHECK;
/* The same, with the length in frames from which a long SQLite log is
 * caught up instead of STORE_WRITER_WAL_FRAMES (0: that); the tests make
 * it short. */
int store_writer_start_log(struct store_writer **out,
                           enum config_dialect dialect, const char *conn,
                           int wal_frames,
                           struct cd_error *err) CD_MUST_CHECK;

/* Queue op (done, and apply or event, set). Thread-safe; takes a mutex
 * for a few instructions and never waits on the database. The writer takes
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

/* ---- operators and accounts ------------------------------------------- */

/* The rows of Offen's accounts, account_users and
 * account_user_relationships. The store treats every value as an opaque
 * string except the ids it looks up by; the crypto lives in crypto/.
 *
 * Strings read from the database are heap copies, never NULL ("" for SQL
 * NULL); free a struct's contents with its _release() function, which
 * also accepts a zeroed struct. On a write, a NULL string is stored as "".
 *
 * These functions must not be called inside an open transaction (each
 * begins its own), nor with the connection the writer owns. Reads return
 * one consistent snapshot (one statement). An out-struct is zeroed first
 * and holds nothing to free after an error. */

/* Go's zero time, 0001-01-01T00:00:00Z, in Unix milliseconds: the created
 * time of an account whose `created` is NULL. */
#define STORE_TIME_ZERO_MS INT64_C(-62135596800000)

/* A row of accounts. */
struct store_account {
    char *account_id;            /* UUID */
    char *name;                  /* display name; unique by convention */
    char *public_key;            /* public JWK, JSON text */
    char *encrypted_private_key; /* "{1,} ct nonce" */
    char *user_salt;             /* "{1,} <base64>" */
    char *account_styles;        /* custom banner CSS, "" for none */
    bool retired;
    /* Milliseconds since 1970 UTC (sub-millisecond digits are dropped).
     * Read from Offen's text "YYYY-MM-DD HH:MM:SS.fffffffff+hh:mm", the
     * same without fraction or offset (UTC), or RFC 3339; written in
     * Offen's form in UTC. On create, 0 means now. */
    int64_t created_unix_ms;
};

struct store_account_list {
    struct store_account *v; /* n of them */
    size_t n;
};

/* A row of account_user_relationships: one operator's access to one
 * account, the account's key-encryption key wrapped three ways. */
struct store_relationship {
    char *relationship_id;        /* UUID */
    char *account_user_id;        /* the operator */
    char *account_id;             /* the account */
    char *password_encrypted_kek; /* "" while the invitation is pending */
    char *email_encrypted_kek;
    char *one_time_encrypted_kek; /* "" unless a password reset is open */
};

/* A row of account_users, with its relationships. */
struct store_user {
    char *account_user_id; /* UUID */
    char *hashed_email;    /* "{v,} hash salt" */
    char *hashed_password; /* "" for an invited operator not yet joined */
    char *salt;            /* "{v,} <base64>", the key-derivation salt */
    int64_t admin_level;   /* 1 super admin, 0 none */
    struct store_relationship *rels; /* nrels of them, in insertion order */
    size_t nrels;
};

struct store_user_list {
    struct store_user *v; /* n of them, in insertion order */
    size_t n;
};

void store_account_release(struct store_account *a);
void store_account_list_release(struct store_account_list *l);
void store_relationship_release(struct store_relationship *r);
/* Frees the relationships too. */
void store_user_release(struct store_user *u);
void store_user_list_release(struct store_user_list *l);

/* Offen's "empty database" (reference §12.6), which store_bootstrap()
 * requires unless forced: accounts, account_users,
 * account_user_relationships, events, secrets and tombstones have no rows.
 * Any query error (a table missing, say) counts as not empty. */
bool store_is_empty(struct store *st);

/* One operator by id, its relationships preloaded; with accepted_only,
 * only those with a password-wrapped key (invitations accepted).
 * CD_OK, CD_ENOTFOUND, CD_EINVAL (NULL id) or CD_ESTORE. */
int store_user_get(struct store *st, const char *account_user_id,
                   bool accepted_only, struct store_user *out,
                   struct cd_error *err) CD_MUST_CHECK;

/* Every operator with its relationships, for Offen's scans (login by
 * email, share). CD_OK (possibly n = 0) or CD_ESTORE. */
int store_users_all(struct store *st, bool accepted_only,
                    struct store_user_list *out,
                    struct cd_error *err) CD_MUST_CHECK;

/* Email lookups, a Candor addition (table candor_email_lookups): a login
 * finds its operator with one indexed read instead of one Argon2id per
 * stored operator. lookup is computed by the caller (an HMAC of the
 * normalised email, opaque text to the store) under the key named key_id.
 * A lookup counts only under the same key_id, and only while the user's
 * hashed_email is the one it was set for: rows Offen wrote or changed, and
 * rows made under another key, have none, and are the only ones a login
 * must still scan with Argon2id. A match is a candidate: the caller still
 * checks the email against hashed_email. */

/* The operator whose lookup under key_id is lookup (the first by insertion
 * if several are). CD_OK, CD_ENOTFOUND, CD_EINVAL (NULL or "" argument)
 * or CD_ESTORE. */
int store_user_find_by_lookup(struct store *st, const char *key_id,
                              const char *lookup, bool accepted_only,
                              struct store_user *out,
                              struct cd_error *err) CD_MUST_CHECK;

/* Every operator without a current lookup under key_id. CD_OK, CD_EINVAL
 * or CD_ESTORE. */
int store_users_without_lookup(struct store *st, const char *key_id,
                               bool accepted_only,
                               struct store_user_list *out,
                               struct cd_error *err) CD_MUST_CHECK;

/* Set the operator's lookup (one per operator: this replaces any other),
 * for its current hashed_email. CD_OK, CD_ENOTFOUND (no such operator),
 * CD_EINVAL or CD_ESTORE. */
int store_lookup_set(struct store *st, const char *account_user_id,
                     const char *key_id, const char *lookup,
                     struct cd_error *err) CD_MUST_CHECK;

/* Insert or replace the operator's row and each of its relationships
 * (full rows, by primary key, as GORM's Save does), in one transaction.
 * Each relationship is written with u's account_user_id, whatever its own
 * field says. Relationships the operator has but u does not list are
 * left alone. CD_OK, CD_EINVAL (an empty id) or CD_ESTORE. */
int store_user_save(struct store *st, const struct store_user *u,
                    struct cd_error *err) CD_MUST_CHECK;

/* Set account_users.admin_level. CD_OK, CD_ENOTFOUND, CD_EINVAL or
 * CD_ESTORE. */
int store_user_set_admin_level(struct store *st, const char *account_user_id,
                               int64_t admin_level,
                               struct cd_error *err) CD_MUST_CHECK;

/* Insert n new relationships (share: pending invitations) in one
 * transaction: all or none. CD_OK, CD_EEXIST (a relationship_id exists
 * already, or twice in rels), CD_EINVAL or CD_ESTORE. */
int store_relationships_insert(struct store *st,
                               const struct store_relationship *rels,
                               size_t n, struct cd_error *err) CD_MUST_CHECK;

/* One account by id; with active_only, not a retired one. CD_OK,
 * CD_ENOTFOUND, CD_EINVAL, or CD_ESTORE (also for a `created` that none of
 * the forms above parses). */
int store_account_get(struct store *st, const char *account_id,
                      bool active_only, struct store_account *out,
                      struct cd_error *err) CD_MUST_CHECK;

/* Every account (with active_only, every account not retired), in
 * insertion order. CD_OK or CD_ESTORE. */
int store_accounts_all(struct store *st, bool active_only,
                       struct store_account_list *out,
                       struct cd_error *err) CD_MUST_CHECK;

/* Whether an account, retired ones included, has exactly this name.
 * CD_OK, CD_EINVAL or CD_ESTORE. */
int store_account_name_taken(struct store *st, const char *name, bool *taken,
                             struct cd_error *err) CD_MUST_CHECK;

/* Create an account and, unless rel is NULL, its creator's relationship,
 * in one transaction. CD_OK; CD_EEXIST when the account_id or the
 * relationship_id exists, or an account (retired included) has the name
 * already: the name is checked again inside the transaction, so two
 * concurrent creations cannot both take it; CD_EINVAL (empty id or name)
 * or CD_ESTORE. */
int store_account_create(struct store *st, const struct store_account *acc,
                         const struct store_relationship *rel,
                         struct cd_error *err) CD_MUST_CHECK;

/* Retire an account: set retired and delete every relationship to it, in
 * one transaction (its events stay until they expire). CD_OK, CD_ENOTFOUND
 * (no such account, or retired already), CD_EINVAL or CD_ESTORE. */
int store_account_retire(struct store *st, const char *account_id,
                         struct cd_error *err) CD_MUST_CHECK;

/* Set accounts.account_styles (retired accounts too). CD_OK, CD_ENOTFOUND,
 * CD_EINVAL or CD_ESTORE. */
int store_account_set_styles(struct store *st, const char *account_id,
                             const char *css,
                             struct cd_error *err) CD_MUST_CHECK;

/* Offen's setup (reference §11.8), in one transaction: unless force, fail
 * with CD_EEXIST ("action would overwrite existing data - not allowed")
 * when the database is not empty; drop every table but tombstones
 * (migrations and candor_email_lookups included), migrate again (the
 * fresh-install path), then insert the accounts and the users with their
 * relationships (each written with its user's account_user_id). On any
 * failure nothing changes. Call store_migrate() first: a database without
 * the tables is not empty. Lookups are not made here: set them after.
 * CD_OK, CD_EEXIST (also for a duplicate id among the rows), CD_EINVAL or
 * CD_ESTORE. */
int store_bootstrap(struct store *st, const struct store_account *accounts,
                    size_t naccounts, const struct store_user *users,
                    size_t nusers, bool force,
                    struct cd_error *err) CD_MUST_CHECK;

/* ---- secrets, events and tombstones ----------------------------------- */

/* Offen's visitor data (reference §3.2-§3.6, §11): a secret per visitor
 * and account (secret_id = HashFast(user id, account user_salt), computed
 * by the caller; encrypted_secret the visitor's key, opaque), events
 * (opaque payloads) and tombstones (the ids of deleted events).
 *
 * The sync contract: every write that adds or deletes events stamps the
 * rows it writes with one new ULID, the sequence; a client keeps the
 * largest sequence it has seen and asks for what came after it ("since").
 * Reads select and order by sequence: operators too (Offen's operator
 * read compares event_id, §11.5). For the contract to hold, a sequence
 * must be minted after the write lock is taken, so that sequences grow in
 * commit order: the functions below that write more than one row mint
 * their own inside their transaction through struct store_ulids, and a
 * writer event op mints its event's sequence in event() (struct
 * store_op), inside the writer's transaction. See docs/internals/store.md.
 *
 * Reads page internally (STORE_PAGE_ROWS rows per statement, walking an
 * index by (sequence, event_id)) and copy each page out before calling
 * back, so memory stays bounded however many rows match, and a callback
 * may use st (even write through it). Pages are separate statements: a
 * long read is not one snapshot, but a row is never seen twice, and rows
 * written during the read appear at its end or not at all. Strings handed
 * to a callback are borrowed for the duration of the call.
 *
 * Ids: every id argument is non-empty and at most STORE_ID_MAX bytes,
 * else CD_EINVAL (empty or NULL) or CD_ETOOBIG; ids in a list must also
 * be printable ASCII without '"' or '\' (CD_EINVAL): they travel as JSON.
 * A since of NULL or "" means none. A list may hold any number of ids. */

#define STORE_ULID_SIZE 27   /* a ULID and its NUL (crypto/ulid.h) */
#define STORE_ID_MAX 64      /* longest id, since or deadline: a secret id */
/* Longest payload or encrypted secret, in bytes: what Offen's `text`
 * column holds on MySQL, so every dialect accepts the same. */
#define STORE_TEXT_MAX 65535

/* Where the store gets the ULIDs it mints inside its transactions;
 * crypto/ulid.h provides both (crypto_ulid_new, crypto_ulid_sibling).
 * Each returns CD_OK or a negative code, which fails the transaction. */
struct store_ulids {
    int (*next)(char out[STORE_ULID_SIZE]); /* new, monotonic */
    /* The same millisecond as id, fresh random bits; CD_EINVAL when id is
     * not a ULID (the store then takes next() instead). */
    int (*sibling)(const char *id, char out[STORE_ULID_SIZE]);
};

/* A row of events. */
struct store_event {
    const char *event_id;   /* ULID, unique */
    const char *sequence;   /* ULID of the write that made it */
    const char *account_id;
    const char *secret_id;  /* NULL for an anonymous event */
    const char *payload;    /* opaque ciphertext */
    bool secret_known;      /* inserts only: the caller has committed an
                             * event under secret_id before, so the secret
                             * exists (store/known.h) and store_event_insert()
                             * skips looking it up; reads leave it false */
};

/* A row of tombstones: an event deleted by the write `sequence`. */
struct store_tombstone {
    const char *event_id;
    const char *account_id;
    const char *secret_id;  /* NULL for an anonymous event's */
    const char *sequence;
};

/* Callbacks of the reads: return CD_OK to go on; any other value stops
 * the read, and the read returns it (use a negative CD_E* code). */
typedef int store_event_fn(void *ctx, const struct store_event *ev);
typedef int store_tombstone_fn(void *ctx, const struct store_tombstone *t);
typedef int store_secret_fn(void *ctx, const char *secret_id,
                            const char *encrypted_secret);

/* The encrypted secret of secret_id, a heap copy the caller frees (NULL
 * after an error). CD_OK, CD_ENOTFOUND, CD_EINVAL, CD_ETOOBIG or
 * CD_ESTORE. */
int store_secret_get(struct store *st, const char *secret_id,
                     char **encrypted_secret,
                     struct cd_error *err) CD_MUST_CHECK;

/* Insert a secret (one statement). CD_OK, CD_EEXIST if secret_id has one
 * (store_secret_associate() replaces), CD_EINVAL, CD_ETOOBIG (an
 * encrypted_secret over STORE_TEXT_MAX) or CD_ESTORE. */
int store_secret_put(struct store *st, const char *secret_id,
                     const char *encrypted_secret,
                     struct cd_error *err) CD_MUST_CHECK;

/* Offen's "associate user secret" (§11.3, POST /api/exchange), in one
 * transaction. If secret_id has a secret already (a returning visitor with
 * a new key), its data is parked first: the old secret is copied to
 * parked_secret_id (the caller computes HashFast(new UUID, user_salt)),
 * each event of secret_id is copied under a sibling id (same millisecond,
 * new randomness; ulids->sibling) with secret_id = parked_secret_id and
 * one new sequence shared by all, each old event id gets a tombstone
 * (old secret id, that sequence), and the old events and secret are
 * deleted: parents are written before children and deleted after them,
 * so foreign keys hold on PostgreSQL and MySQL (Offen deletes the secret
 * first, §11.3). Then secret_id gets encrypted_secret, in the same
 * transaction (Offen writes it after committing). *moved (optional) is the
 * number of events parked. Must not be called inside a transaction.
 * CD_OK; CD_EEXIST if parked_secret_id or a sibling id exists; CD_EINVAL
 * (a secret exists and parked_secret_id is NULL, empty or secret_id),
 * CD_ETOOBIG, CD_ESTORE, or a ulids error. On failure nothing changes. */
int store_secret_associate(struct store *st, const char *secret_id,
                           const char *encrypted_secret,
                           const char *parked_secret_id,
                           const struct store_ulids *ulids, size_t *moved,
                           struct cd_error *err) CD_MUST_CHECK;

/* Insert an event (§11.1), for a writer op's apply(): it runs inside the
 * open transaction and begins none. A non-NULL ev->secret_id must have a
 * secret (checked by the insert itself: CD_ENOTFOUND, "unknown
 * secret"); NULL stores an anonymous event. Whether the account exists
 * and is active is the caller's to check. CD_OK, CD_ENOTFOUND, CD_EEXIST
 * (the event_id exists), CD_EINVAL, CD_ETOOBIG (a payload over
 * STORE_TEXT_MAX) or CD_ESTORE. */
int store_event_insert(struct store *st, const struct store_event *ev,
                       struct cd_error *err) CD_MUST_CHECK;

/* Events bound to one statement of store_events_insert() at most; a
 * chunk also ends before its JSON would pass 1 MiB (a payload of
 * STORE_TEXT_MAX bytes always fits). */
#define STORE_EVENTS_CHUNK 256

/* Insert evs[0..n) as store_event_insert() would one by one, inside the
 * open transaction (it begins none), in one statement per chunk of
 * STORE_EVENTS_CHUNK: the group-commit writer's insert of a batch.
 * Anonymous events (secret_id NULL) go in beside the others. Returns
 * CD_OK when each event was either inserted (rcs[i] = CD_OK) or has an
 * unknown secret and was not (rcs[i] = CD_ENOTFOUND); the others still
 * go in. Any other failure of any event (an invalid argument, as
 * store_event_insert() checks them, a duplicate event_id, a database
 * error) returns its error with rcs[] undefined and leaves the
 * transaction holding some of the events or none, or (PostgreSQL) unable
 * to go on: the caller rolls it back and inserts them one by one to tell
 * which event failed. n = 0 is CD_OK. */
int store_events_insert(struct store *st, const struct store_event *evs,
                        size_t n, int *rcs,
                        struct cd_error *err) CD_MUST_CHECK;

/* A visitor's events (GET /api/events): the events of each secret id, in
 * the order the ids are given (each secret id belongs to one account, so
 * the events come grouped by account), each id's ordered by (sequence,
 * event_id); with since, only those with sequence > since. fn is called
 * once per event. CD_OK, CD_EINVAL, CD_ETOOBIG, CD_ESTORE or fn's
 * value. */
int store_events_by_secrets(struct store *st, const char *const *secret_ids,
                            size_t n, const char *since, store_event_fn *fn,
                            void *ctx, struct cd_error *err) CD_MUST_CHECK;

/* The tombstones of those secret ids with sequence > since, in the same
 * order. since is required (Offen reports deletions only to a client
 * that has synced before): CD_EINVAL without. */
int store_tombstones_by_secrets(struct store *st,
                                const char *const *secret_ids, size_t n,
                                const char *since, store_tombstone_fn *fn,
                                void *ctx,
                                struct cd_error *err) CD_MUST_CHECK;

/* An account's events (GET /api/accounts/:id), anonymous ones included,
 * ordered by (sequence, event_id); with since, only sequence > since.
 * Offen compares event_id here (§11.5), so it never sends an operator the
 * events parked under old ids; a client's since works with both. */
int store_events_by_account(struct store *st, const char *account_id,
                            const char *since, store_event_fn *fn, void *ctx,
                            struct cd_error *err) CD_MUST_CHECK;

/* An account's tombstones with sequence > since (required), in the same
 * order. */
int store_tombstones_by_account(struct store *st, const char *account_id,
                                const char *since, store_tombstone_fn *fn,
                                void *ctx,
                                struct cd_error *err) CD_MUST_CHECK;

/* The secrets among secret_ids that exist (for the `secrets` map of the
 * operator's response), in no particular order; fn is called once per
 * secret found (a duplicate id in the list may be reported twice). */
int store_secrets_get_many(struct store *st, const char *const *secret_ids,
                           size_t n, store_secret_fn *fn, void *ctx,
                           struct cd_error *err) CD_MUST_CHECK;

/* The secret of every visitor with an event in account_id (anonymous
 * events have none), each once, in no particular order: what an operator's
 * browser unwraps before it can read the account's events, without
 * reading the events. With from (an event id; NULL for all), only the
 * visitors with an event whose id is from or later (ULIDs: an instant).
 * fn is called once per secret. CD_OK, CD_EINVAL, CD_ETOOBIG, CD_ESTORE
 * or fn's value. */
int store_secrets_by_account(struct store *st, const char *account_id,
                             const char *from, store_secret_fn *fn,
                             void *ctx, struct cd_error *err) CD_MUST_CHECK;

/* A visitor's purge (§3.5), in one transaction: a tombstone (event id,
 * account id, secret id, one new sequence from ulids->next) for every
 * event of those secret ids, then the events are deleted. Secrets stay,
 * as in Offen. *deleted (optional) counts the events. Must not be called
 * inside a transaction. CD_OK, CD_EINVAL, CD_ETOOBIG, CD_ESTORE or a
 * ulids error; on failure nothing changes. */
int store_purge_secrets(struct store *st, const char *const *secret_ids,
                        size_t n, const struct store_ulids *ulids,
                        size_t *deleted, struct cd_error *err) CD_MUST_CHECK;

/* Expiry (§11.4), in one transaction: a tombstone with one new sequence
 * for every event whose event_id < deadline (the caller passes
 * crypto_ulid_at(now - retention)), then those events are deleted, in
 * every account. *removed (optional) counts them. Must not be called
 * inside a transaction. CD_OK, CD_EINVAL, CD_ETOOBIG, CD_ESTORE or a
 * ulids error; on failure nothing changes. */
int store_expire(struct store *st, const char *deadline,
                 const struct store_ulids *ulids, size_t *removed,
                 struct cd_error *err) CD_MUST_CHECK;

/* ---- the shared throttle ---------------------------------------------- */

/* Offen's throttle (reference/offen-server.md §8.1, with Candor's TTL fix,
 * as api/ratelimit_mem.c decides it) kept in candor_throttle, so that
 * several nodes on one database throttle together
 * (CANDOR_RATELIMIT=database). Times are wall-clock milliseconds since
 * 1970, the same on every node. key is the 64 lower-case hex characters
 * of a salted SHA-256 (api/ratelimit.h); the store never sees an email or
 * id. */
#define STORE_THROTTLE_KEY_LEN 64

enum store_throttle_verdict {
    STORE_THROTTLE_PASS = 0,   /* go on at once */
    STORE_THROTTLE_WAIT = 1,   /* hold for *wait_ms, then go on */
    STORE_THROTTLE_REJECT = 2, /* 429 */
};

/* One hit on key at now_ms with threshold d_ms (> 0), exponential or
 * linear, refusing past timeout_ms of queued wait. In one transaction on
 * st (which must not have one open), with the key's row locked against
 * every other connection, so hits from several nodes never lose an
 * update:
 *   - no row, or one whose block ended (until_ms <= now): until = now + d,
 *     queue = 1, PASS;
 *   - until - now > timeout_ms: REJECT, row unchanged;
 *   - else WAIT for until - now ms; until += d (linear) or d * queue
 *     (exponential); queue += 1.
 * A deadlock or serialization failure is retried a few times. CD_OK and
 * *verdict, *wait_ms (0 unless WAIT); CD_EINVAL for a malformed key or
 * d_ms <= 0; CD_ESTORE (nothing changed) when the database fails. */
int store_throttle_hit(struct store *st, const char *key, int64_t now_ms,
                       int64_t d_ms, bool exponential, int64_t timeout_ms,
                       enum store_throttle_verdict *verdict,
                       int64_t *wait_ms, struct cd_error *err) CD_MUST_CHECK;

/* Delete key's row, if any (its block is lifted). CD_OK, CD_EINVAL,
 * CD_ESTORE. */
int store_throttle_forget(struct store *st, const char *key,
                          struct cd_error *err) CD_MUST_CHECK;

/* Delete every row whose block ended at or before now_ms (rows that no
 * longer decide anything). CD_OK or CD_ESTORE. */
int store_throttle_expire(struct store *st, int64_t now_ms,
                          struct cd_error *err) CD_MUST_CHECK;

/* The live rows at now_ms (tests, diagnostics). */
int store_throttle_count(struct store *st, int64_t now_ms, long long *n,
                         struct cd_error *err) CD_MUST_CHECK;

#endif /* CD_STORE_STORE_H */
