/* sqlite.c -- the SQLite backend of the storage API.
 *
 * Exports exactly one symbol, store_sqlite; everything else is static. One
 * struct sq_conn is one sqlite3 connection opened in multi-thread mode
 * (SQLITE_OPEN_NOMUTEX): SQLite does no locking of its own for it, which is
 * right because a struct store belongs to one thread at a time.
 *
 * Every connection gets WAL journalling (readers never block the writer and
 * a commit is one append to the WAL), synchronous=NORMAL (a commit survives
 * a crash of the process; see docs/internals/store.md for power loss), a
 * busy timeout, and foreign keys off, as Offen's SQLite schema has none.
 *
 * Statements are prepared once and kept in a per-connection cache keyed by
 * their text (BEGIN, COMMIT and the writer's savepoints run thousands of
 * times a second), so exec() costs a lookup, not a parse. The cache holds
 * every statement of the accounts, users and events code at once, so a
 * login does not push the hot path's statements out. The dialect's DDL and
 * migrations live beside this file in sqlite_schema.c, the SQL of the
 * accounts and users code in sqlite_accounts.c, that of the events code in
 * sqlite_events.c.
 */
#include "common/common.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "store/migrate.h"
#include "store/store.h"
#include "store/store_backend.h"

#define SQ_CACHE_SIZE 128
#define SQ_MAX_COLUMNS 32 /* most columns query() hands to a row callback */
#define SQ_WAL_RETRY_MS 5
#define SQ_PING_SQL "SELECT id FROM migrations LIMIT 1"

struct sq_cached {
    char *sql;          /* the key: statement text, owned */
    sqlite3_stmt *stmt; /* prepared with SQLITE_PREPARE_PERSISTENT */
};

struct sq_conn {
    struct store base;   /* first: store.c hands out &base */
    sqlite3 *db;
    sqlite3_stmt *ping;  /* prepared at the first ping, kept */
    struct sq_cached cache[SQ_CACHE_SIZE];
    unsigned cache_next; /* next slot to reuse, round robin */
};

static struct sq_conn *sq(struct store *st)
{
    return STORE_CONTAINER(st, struct sq_conn);
}

static int sq_error(struct sq_conn *c, const char *what, struct cd_error *err)
{
    if (what != NULL)
        return cd_error_set(err, CD_ESTORE, "%s: %s", what,
                            sqlite3_errmsg(c->db));
    return cd_error_set(err, CD_ESTORE, "%s", sqlite3_errmsg(c->db));
}

static bool only_space(const char *s)
{
    while (s != NULL && (*s == ' ' || *s == '\t' || *s == '\n' ||
                         *s == '\r' || *s == ';'))
        s++;
    return s == NULL || *s == '\0';
}

/* Find sql in the cache or prepare it there. Exactly one statement. */
static int sq_prepare(struct sq_conn *c, const char *sql, sqlite3_stmt **out,
                      struct cd_error *err)
{
    struct sq_cached *slot;
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;

    for (size_t i = 0; i < SQ_CACHE_SIZE; i++) {
        if (c->cache[i].sql != NULL && strcmp(c->cache[i].sql, sql) == 0) {
            *out = c->cache[i].stmt;
            return CD_OK;
        }
    }
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                           &tail) != SQLITE_OK)
        return sq_error(c, NULL, err);
    if (stmt == NULL || !only_space(tail)) {
        sqlite3_finalize(stmt);
        return cd_error_set(err, CD_EINVAL,
                            "expected exactly one SQL statement");
    }
    slot = &c->cache[c->cache_next++ % SQ_CACHE_SIZE];
    sqlite3_finalize(slot->stmt);
    free(slot->sql);
    slot->sql = xstrdup(sql);
    slot->stmt = stmt;
    *out = stmt;
    return CD_OK;
}

static int sq_bind(struct sq_conn *c, sqlite3_stmt *stmt,
                   const char *const *params, size_t n, const char *what,
                   struct cd_error *err)
{
    if ((size_t)sqlite3_bind_parameter_count(stmt) != n)
        return cd_error_set(err, CD_EINVAL,
                            "statement takes %d parameters, %zu given",
                            sqlite3_bind_parameter_count(stmt), n);
    for (size_t i = 0; i < n; i++) {
        if (sqlite3_bind_text(stmt, (int)i + 1, params[i], -1,
                              SQLITE_STATIC) != SQLITE_OK)
            return sq_error(c, what, err);
    }
    return CD_OK;
}

/* Run one statement with n text parameters; if count is non-NULL, store
 * the first column of the first row there (0 without rows). */
static int sq_run(struct sq_conn *c, const char *sql,
                  const char *const *params, size_t n, long long *count,
                  const char *what, struct cd_error *err)
{
    sqlite3_stmt *stmt = NULL;
    bool first = true;
    int src;
    int rc = sq_prepare(c, sql, &stmt, err);

    if (rc < 0)
        return rc;
    rc = sq_bind(c, stmt, params, n, what, err);
    if (rc < 0)
        goto out;
    rc = CD_ESTORE;
    if (count != NULL)
        *count = 0;
    while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (count != NULL && first)
            *count = sqlite3_column_int64(stmt, 0);
        first = false;
    }
    if (src != SQLITE_DONE) {
        sq_error(c, what, err);
        goto out;
    }
    rc = CD_OK;
out:
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
}

/* A failed step of query(): a duplicate key is CD_EEXIST. */
static int sq_step_error(struct sq_conn *c, struct cd_error *err)
{
    int ext = sqlite3_extended_errcode(c->db);

    if (ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
        ext == SQLITE_CONSTRAINT_UNIQUE)
        return cd_error_set(err, CD_EEXIST, "%s", sqlite3_errmsg(c->db));
    return sq_error(c, NULL, err);
}

/* Step stmt to the end, handing each row to row(). */
static int sq_rows(struct sq_conn *c, sqlite3_stmt *stmt, store_row_fn *row,
                   void *ctx, struct cd_error *err)
{
    const char *col[SQ_MAX_COLUMNS];
    int ncol = sqlite3_column_count(stmt);
    int src = SQLITE_DONE;
    int rc = CD_OK;

    if (ncol > SQ_MAX_COLUMNS)
        return cd_error_set(err, CD_EINVAL, "query returns %d columns, "
                            "at most %d supported", ncol, SQ_MAX_COLUMNS);
    while (rc == CD_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (row == NULL)
            continue;
        for (int i = 0; i < ncol; i++)
            col[i] = (const char *)sqlite3_column_text(stmt, i);
        rc = row(ctx, col, (size_t)ncol, err);
    }
    if (rc == CD_OK && src != SQLITE_DONE)
        rc = sq_step_error(c, err);
    return rc;
}

static void sq_free(struct sq_conn *c)
{
    for (size_t i = 0; i < SQ_CACHE_SIZE; i++) {
        sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    sqlite3_finalize(c->ping);
    sqlite3_close_v2(c->db); /* rolls back an open transaction */
    free(c);
}

/* Offen's driver (mattn/go-sqlite3) drops a "?query" from a plain path and
 * passes "file:" URIs through; so do we. */
static char *sq_path(const char *conn)
{
    const char *q = strchr(conn, '?');

    if (strncmp(conn, "file:", 5) == 0 || q == NULL)
        return xstrdup(conn);
    return xstrndup(conn, (size_t)(q - conn));
}

static int sq_journal_wal(struct sq_conn *c, struct cd_error *err)
{
    sqlite3_stmt *stmt = NULL;
    const char *mode;
    int src = SQLITE_ERROR;
    int rc = CD_ESTORE;

    if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode=WAL", -1, &stmt,
                           NULL) == SQLITE_OK)
        src = sqlite3_step(stmt);
    /* Connections that open a new file at once can meet in a lock that
     * SQLite breaks with SQLITE_BUSY at once, without calling the busy
     * handler; wait here as the busy timeout would. */
    for (int waited = 0; src == SQLITE_BUSY && waited < STORE_BUSY_TIMEOUT_MS;
         waited += SQ_WAL_RETRY_MS) {
        sqlite3_reset(stmt);
        sqlite3_sleep(SQ_WAL_RETRY_MS);
        src = sqlite3_step(stmt);
    }
    if (src != SQLITE_ROW) {
        sq_error(c, "cannot enable WAL", err);
        goto out;
    }
    mode = (const char *)sqlite3_column_text(stmt, 0);
    /* An in-memory database reports "memory"; anything else means the
     * file could not be switched (read-only, or locked in another mode). */
    if (mode == NULL ||
        (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)) {
        cd_error_set(err, rc, "cannot enable WAL: journal mode stays '%s'",
                     mode != NULL ? mode : "?");
        goto out;
    }
    rc = CD_OK;
out:
    sqlite3_finalize(stmt);
    return rc;
}

static int sq_configure(struct sq_conn *c, struct cd_error *err)
{
    char sql[160];
    char *msg = NULL;
    int rc;

    sqlite3_busy_timeout(c->db, STORE_BUSY_TIMEOUT_MS);
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    rc = sq_journal_wal(c, err);
    if (rc < 0)
        return rc;
    /* journal_size_limit: a log that grew long (a reader kept it from
     * starting again) is cut back to this when it does, to four times the
     * length the writer catches up from (with 4 KiB pages), which a steady
     * load does not reach. */
    snprintf(sql, sizeof(sql),
             "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; "
             "PRAGMA journal_size_limit=%lld",
             4LL * STORE_WRITER_WAL_FRAMES * 4096);
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        rc = cd_error_set(err, CD_ESTORE, "cannot configure database: %s",
                          msg != NULL ? msg : "?");
        sqlite3_free(msg);
        return rc;
    }
    return CD_OK;
}

static int sq_open(struct store **out, const char *conn, struct cd_error *err)
{
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                      SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    struct sq_conn *c = xcalloc(1, sizeof(*c));
    char *path = sq_path(conn);
    int rc = CD_ESTORE;

    if (!sqlite3_threadsafe()) {
        cd_error_set(err, rc, "the SQLite library lacks thread support");
        goto out;
    }
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        cd_error_set(err, rc, "cannot open database '%s': %s", path,
                     c->db != NULL ? sqlite3_errmsg(c->db) : "no memory");
        goto out;
    }
    rc = sq_configure(c, err);
    if (rc < 0) {
        /* Name the file: "file is not a database" alone is unhelpful. */
        char msg[sizeof(err->msg)] = "";

        if (err != NULL)
            snprintf(msg, sizeof(msg), "%s", err->msg);
        cd_error_set(err, rc, "database '%s': %s", path, msg);
    }
out:
    free(path);
    if (rc < 0)
        sq_free(c);
    else
        *out = &c->base;
    return rc;
}

static void sq_close(struct store *st)
{
    sq_free(sq(st));
}

static int sq_migrate(struct store *st, bool nested, struct cd_error *err)
{
    return migrate_run(st, &store_sqlite_schema, nested, err);
}

static int sq_ping(struct store *st, struct cd_error *err)
{
    struct sq_conn *c = sq(st);
    int src;

    if (c->ping == NULL &&
        sqlite3_prepare_v3(c->db, SQ_PING_SQL, -1, SQLITE_PREPARE_PERSISTENT,
                           &c->ping, NULL) != SQLITE_OK)
        return sq_error(c, "ping", err);
    src = sqlite3_step(c->ping);
    if (src != SQLITE_ROW && src != SQLITE_DONE) {
        int rc = sq_error(c, "ping", err);

        sqlite3_reset(c->ping);
        return rc;
    }
    sqlite3_reset(c->ping);
    return CD_OK;
}

static int sq_begin(struct store *st, struct cd_error *err)
{
    return sq_run(sq(st), "BEGIN IMMEDIATE", NULL, 0, NULL,
                  "cannot begin transaction", err);
}

static void sq_wal_manual(struct store *st)
{
    sqlite3_wal_autocheckpoint(sq(st)->db, 0);
}

/* fdatasync() the database file, through SQLite's own handle. */
static int sq_flush(struct sq_conn *c)
{
    sqlite3_file *f = NULL;
    int rc = sqlite3_file_control(c->db, "main", SQLITE_FCNTL_FILE_POINTER,
                                  &f);

    if (rc != SQLITE_OK || f == NULL || f->pMethods == NULL)
        return rc != SQLITE_OK ? rc : SQLITE_MISUSE;
    return f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
}

static int sq_checkpoint(struct store *st, bool flush, struct store_wal *wal,
                         struct cd_error *err)
{
    struct sq_conn *c = sq(st);
    int copied = -1;
    int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                       &wal->frames, &copied);

    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        return cd_error_set(err, CD_ESTORE, "checkpoint: %s",
                            sqlite3_errmsg(c->db));
    if (flush && rc == SQLITE_OK && copied > 0) {
        int src = sq_flush(c);

        if (src != SQLITE_OK)
            return cd_error_set(err, CD_ESTORE, "checkpoint: flush: %s",
                                sqlite3_errstr(src));
    }
    if (rc == SQLITE_BUSY || wal->frames < 0 || copied < 0)
        wal->frames = wal->left = -1; /* another checkpoint runs */
    else
        wal->left = wal->frames - copied;
    return CD_OK;
}

static bool sq_in_transaction(struct store *st)
{
    return !sqlite3_get_autocommit(sq(st)->db);
}

static int sq_rollback(struct store *st, struct cd_error *err)
{
    struct sq_conn *c = sq(st);

    if (sqlite3_get_autocommit(c->db))
        return CD_OK; /* nothing open, or SQLite already rolled back */
    return sq_run(c, "ROLLBACK", NULL, 0, NULL, "cannot roll back", err);
}

static int sq_commit(struct store *st, struct cd_error *err)
{
    int rc = sq_run(sq(st), "COMMIT", NULL, 0, NULL, "cannot commit", err);

    if (rc < 0)
        sq_rollback(st, NULL);
    return rc;
}

/* "SAVEPOINT name" and friends; store.c has checked the name. */
static int sq_named(struct store *st, const char *verb, const char *name,
                    struct cd_error *err)
{
    char sql[32 + STORE_SAVEPOINT_NAME_MAX];

    snprintf(sql, sizeof(sql), "%s %s", verb, name);
    return sq_run(sq(st), sql, NULL, 0, NULL, verb, err);
}

static int sq_savepoint(struct store *st, const char *name,
                        struct cd_error *err)
{
    return sq_named(st, "SAVEPOINT", name, err);
}

static int sq_release(struct store *st, const char *name,
                      struct cd_error *err)
{
    return sq_named(st, "RELEASE", name, err);
}

static int sq_rollback_to(struct store *st, const char *name,
                          struct cd_error *err)
{
    return sq_named(st, "ROLLBACK TO", name, err);
}

static int sq_exec(struct store *st, const char *sql,
                   const char *const *params, size_t n, struct cd_error *err)
{
    return sq_run(sq(st), sql, params, n, NULL, NULL, err);
}

static int sq_count(struct store *st, const char *sql,
                    const char *const *params, size_t n, long long *out,
                    struct cd_error *err)
{
    return sq_run(sq(st), sql, params, n, out, NULL, err);
}

static int sq_query(struct store *st, const char *sql,
                    const char *const *params, size_t n, store_row_fn *row,
                    void *ctx, struct cd_error *err)
{
    struct sq_conn *c = sq(st);
    sqlite3_stmt *stmt = NULL;
    int rc = sq_prepare(c, sql, &stmt, err);

    if (rc < 0)
        return rc;
    rc = sq_bind(c, stmt, params, n, NULL, err);
    if (rc == CD_OK)
        rc = sq_rows(c, stmt, row, ctx, err);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
}

const struct store_backend store_sqlite = {
    .name = "sqlite",
    .dialect = CONFIG_DIALECT_SQLITE,
    .open = sq_open,
    .close = sq_close,
    .migrate = sq_migrate,
    .ping = sq_ping,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .in_transaction = sq_in_transaction,
    .wal_manual = sq_wal_manual,
    .checkpoint = sq_checkpoint,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .exec = sq_exec,
    .count = sq_count,
    .query = sq_query,
    .accounts = &store_sqlite_accounts_sql,
    .events = &store_sqlite_events_sql,
    .throttle = &store_sqlite_throttle_sql,
};
