/* postgres.c -- the PostgreSQL backend of the storage API, on libpq.
 *
 * Exports exactly one symbol, store_postgres; everything else is static.
 * One struct pg_conn is one libpq connection; a struct store belongs to one
 * thread at a time, so no locking here.
 *
 * The connection string is Offen's: a libpq URI or keyword string
 * ("postgres://user:pass@127.0.0.1:5432/db?sslmode=disable"). Every session
 * runs in UTC, so timestamps come back as "2024-05-01 10:00:00.123+00",
 * which store_time_parse() reads.
 *
 * Statements are prepared once per connection (PQprepare, named "cd_<n>")
 * and kept in a cache keyed by their text, as sqlite.c does; parameters go
 * as text. A '?' outside quotes is taken as the next positional parameter
 * ($1, $2, ...), so statements written in the shared "?" form run as they
 * are; the dialect's own files write $n themselves.
 *
 * Outages: when the server goes away, the failing call returns CD_ESTORE
 * ("database connection lost") and the transaction in progress is gone.
 * Every later call first reconnects (PQreset), at most once per backoff
 * interval (struct store_backoff: doubling from STORE_BACKOFF_MIN_MS to
 * STORE_BACKOFF_MAX_MS, store_int.h), and
 * fails fast with CD_ESTORE in between; after a reconnect the statement
 * cache starts empty, since a new session has no prepared statements. So a
 * server keeps running through an outage and resumes by itself. A BEGIN
 * that finds the connection dropped (the server ended an idle session)
 * reconnects and begins once more, outside a backoff interval: nothing
 * has run yet, so every transaction survives an idle timeout.
 *
 * The DDL and migrations live in postgres_schema.c, the SQL of accounts.c
 * and users.c in postgres_accounts.c, that of events.c in
 * postgres_events.c.
 */
#include "common/common.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "store/migrate.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "store/store_int.h"

#define PG_CACHE_SIZE 128
#define PG_MAX_COLUMNS 32  /* most columns query() hands to a row callback */
#define PG_CONNECT_TIMEOUT "5"
#define PG_PING_SQL "SELECT id FROM migrations LIMIT 1"
/* The key of the advisory lock migrations run under ("candor" in ASCII). */
#define PG_MIGRATE_LOCK "99097110100111114"

struct pg_cached {
    char *sql;    /* the key: statement text as given, owned */
    char name[16]; /* the server-side name, "cd_<n>" */
    int nparams;  /* what the server says the statement takes */
};

struct pg_conn {
    struct store base;  /* first: store.c hands out &base */
    PGconn *db;
    struct pg_cached cache[PG_CACHE_SIZE];
    unsigned cache_next; /* next slot to reuse, round robin */
    unsigned name_next;  /* next statement number */
    bool in_tx;          /* begin() succeeded, no commit or rollback yet */
    struct store_backoff backoff; /* reconnect attempts after a loss */
};

static struct pg_conn *pg(struct store *st)
{
    return STORE_CONTAINER(st, struct pg_conn);
}

/* libpq's messages end in a newline; drop it. */
static int pg_fail(int rc, const char *what, const char *msg,
                   struct cd_error *err)
{
    size_t len = msg != NULL ? strlen(msg) : 0;

    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    if (what != NULL)
        return cd_error_set(err, rc, "%s: %.*s", what, (int)len,
                            msg != NULL ? msg : "");
    return cd_error_set(err, rc, "%.*s", (int)len, msg != NULL ? msg : "");
}

static void cache_clear(struct pg_conn *c)
{
    for (size_t i = 0; i < PG_CACHE_SIZE; i++) {
        free(c->cache[i].sql);
        c->cache[i].sql = NULL;
    }
}

/* Session settings every connection gets, after each (re)connect. */
static int pg_session(struct pg_conn *c, struct cd_error *err)
{
    PGresult *res = PQexec(c->db, "SET TIME ZONE 'UTC'");
    int rc = CD_OK;

    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(CD_ESTORE, "cannot configure the session",
                     PQerrorMessage(c->db), err);
    PQclear(res);
    return rc;
}

/* The connection is usable, or is made so now: a lost one is reset, at
 * most once per backoff interval. */
static int pg_ensure(struct pg_conn *c, struct cd_error *err)
{
    struct timespec now;

    if (PQstatus(c->db) == CONNECTION_OK)
        return CD_OK;
    /* A new session would run the rest of the transaction outside one
     * (and a COMMIT there succeeds): fail until it is rolled back. */
    if (c->in_tx)
        return cd_error_set(err, CD_ESTORE, "database connection lost "
                                            "in a transaction");
    now = store_backoff_now();
    if (store_backoff_blocked(&c->backoff, &now))
        return cd_error_set(err, CD_ESTORE, "database unavailable "
                                            "(reconnecting)");
    cache_clear(c);
    PQreset(c->db);
    if (PQstatus(c->db) == CONNECTION_OK && pg_session(c, err) == CD_OK) {
        log_info("Reconnected to the database");
        store_backoff_ok(&c->backoff);
        return CD_OK;
    }
    now = store_backoff_now(); /* the attempt itself may have taken long */
    store_backoff_failed(&c->backoff, &now);
    return pg_fail(CD_ESTORE, "database unavailable", PQerrorMessage(c->db),
                   err);
}

static bool only_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == ';')
        s++;
    return *s == '\0';
}

/* Each '?' outside quotes in sql becoming $1, $2, ...: write the result
 * to out (when not NULL) and return its length. */
static size_t pg_rewrite(const char *sql, char *out)
{
    size_t len = 0;
    unsigned next = 1;
    char quote = 0;

    for (const char *p = sql; *p != '\0'; p++) {
        char num[16];
        int k;

        if (quote != 0 && *p == quote)
            quote = 0;
        else if (quote == 0 && (*p == '\'' || *p == '"'))
            quote = *p;
        if (quote != 0 || *p != '?') {
            if (out != NULL)
                out[len] = *p;
            len++;
            continue;
        }
        k = snprintf(num, sizeof(num), "$%u", next++);
        if (out != NULL)
            memcpy(out + len, num, (size_t)k);
        len += (size_t)k;
    }
    if (out != NULL)
        out[len] = '\0';
    return len;
}

/* Statements that cannot be prepared are reported as bad input, as SQLite
 * reports more or less than one statement. */
static int pg_prepare_error(struct pg_conn *c, PGresult *res,
                            struct cd_error *err)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    int rc = CD_ESTORE;

    if (PQstatus(c->db) != CONNECTION_OK)
        return pg_fail(CD_ESTORE, "database connection lost",
                       PQerrorMessage(c->db), err);
    if (state != NULL && strcmp(state, "42601") == 0 &&
        strstr(PQresultErrorMessage(res), "multiple commands") != NULL)
        rc = CD_EINVAL;
    return pg_fail(rc, NULL, PQerrorMessage(c->db), err);
}

static int pg_describe(struct pg_conn *c, const char *name, int *nparams,
                       struct cd_error *err)
{
    PGresult *res = PQdescribePrepared(c->db, name);
    int rc = CD_OK;

    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(CD_ESTORE, "describe", PQerrorMessage(c->db), err);
    else
        *nparams = PQnparams(res);
    PQclear(res);
    return rc;
}

/* Drop a statement the server no longer holds as it was (its table
 * changed shape) from the cache. */
static void cache_forget(struct pg_conn *c, const char *sql)
{
    for (size_t i = 0; i < PG_CACHE_SIZE; i++) {
        if (c->cache[i].sql != NULL && strcmp(c->cache[i].sql, sql) == 0) {
            free(c->cache[i].sql);
            c->cache[i].sql = NULL;
        }
    }
}

/* Find sql in the cache or prepare it there. */
static int pg_prepare(struct pg_conn *c, const char *sql,
                      const struct pg_cached **out, struct cd_error *err)
{
    struct pg_cached *slot;
    char *text;
    char name[16];
    PGresult *res;
    int nparams = 0;
    int rc = CD_OK;

    for (size_t i = 0; i < PG_CACHE_SIZE; i++) {
        if (c->cache[i].sql != NULL && strcmp(c->cache[i].sql, sql) == 0) {
            *out = &c->cache[i];
            return CD_OK;
        }
    }
    if (only_space(sql))
        return cd_error_set(err, CD_EINVAL,
                            "expected exactly one SQL statement");
    /* Sized by a first pass: no cap on the statement's length. */
    text = xmalloc(pg_rewrite(sql, NULL) + 1);
    pg_rewrite(sql, text);
    snprintf(name, sizeof(name), "cd_%u", c->name_next++);
    res = PQprepare(c->db, name, text, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_prepare_error(c, res, err);
    PQclear(res);
    if (rc == CD_OK)
        rc = pg_describe(c, name, &nparams, err);
    if (rc < 0)
        goto out;
    slot = &c->cache[c->cache_next++ % PG_CACHE_SIZE];
    if (slot->sql != NULL) {
        char dealloc[48];

        /* Best effort: in an aborted transaction this fails, and the
         * statement stays on the server until the session ends. */
        snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", slot->name);
        PQclear(PQexec(c->db, dealloc));
        free(slot->sql);
    }
    slot->sql = xstrdup(sql);
    snprintf(slot->name, sizeof(slot->name), "%s", name);
    slot->nparams = nparams;
    *out = slot;
out:
    free(text);
    return rc;
}

/* A failed statement: a duplicate key is CD_EEXIST, a lost connection
 * says so. */
static int pg_exec_error(struct pg_conn *c, PGresult *res, const char *what,
                         struct cd_error *err)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    if (PQstatus(c->db) != CONNECTION_OK)
        return pg_fail(CD_ESTORE, "database connection lost",
                       PQerrorMessage(c->db), err);
    if (state != NULL && strcmp(state, "23505") == 0)
        return pg_fail(CD_EEXIST, what, PQresultErrorMessage(res), err);
    return pg_fail(CD_ESTORE, what, PQresultErrorMessage(res), err);
}

/* Run sql with n text parameters; *out is its result (PQclear it). A plan
 * cached before its table changed shape is prepared again, once. */
static int pg_run(struct pg_conn *c, const char *sql,
                  const char *const *params, size_t n, const char *what,
                  PGresult **out, struct cd_error *err)
{
    const struct pg_cached *stmt = NULL;
    PGresult *res = NULL;
    int rc;

    *out = NULL;
    rc = pg_ensure(c, err);
    for (int attempt = 0; rc == CD_OK && attempt < 2; attempt++) {
        ExecStatusType s;
        const char *state;

        rc = pg_prepare(c, sql, &stmt, err);
        if (rc < 0)
            break;
        if ((size_t)stmt->nparams != n)
            return cd_error_set(err, CD_EINVAL,
                                "statement takes %d parameters, %zu given",
                                stmt->nparams, n);
        res = PQexecPrepared(c->db, stmt->name, (int)n, params, NULL, NULL,
                             0);
        s = PQresultStatus(res);
        if (PQtransactionStatus(c->db) == PQTRANS_IDLE)
            c->in_tx = false; /* ended, by whatever statement */
        if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
            *out = res;
            return CD_OK;
        }
        state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (attempt == 0 && state != NULL && strcmp(state, "0A000") == 0 &&
            PQtransactionStatus(c->db) == PQTRANS_IDLE) {
            cache_forget(c, sql); /* "cached plan must not change ..." */
            PQclear(res);
            res = NULL;
            continue;
        }
        rc = pg_exec_error(c, res, what, err);
    }
    PQclear(res);
    return rc;
}

static int pg_simple(struct pg_conn *c, const char *sql, const char *what,
                     struct cd_error *err)
{
    PGresult *res = NULL;
    int rc = pg_run(c, sql, NULL, 0, what, &res, err);

    PQclear(res);
    return rc;
}

static void pg_free(struct pg_conn *c)
{
    cache_clear(c);
    PQfinish(c->db); /* the server rolls back an open transaction */
    free(c);
}

/* Notices ("relation already exists, skipping") are not errors: keep
 * them out of the log. */
static void pg_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static int pg_open(struct store **out, const char *conn, struct cd_error *err)
{
    /* The caller's settings come last and win over our default timeout. */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const vals[] = {PG_CONNECT_TIMEOUT, conn, NULL};
    struct pg_conn *c = xcalloc(1, sizeof(*c));
    int rc = CD_ESTORE;

    c->db = PQconnectdbParams(keys, vals, 1);
    if (c->db == NULL) {
        cd_error_set(err, rc, "cannot open database: out of memory");
        goto out;
    }
    if (PQstatus(c->db) != CONNECTION_OK) {
        pg_fail(rc, "cannot open database", PQerrorMessage(c->db), err);
        goto out;
    }
    PQsetNoticeProcessor(c->db, pg_notice, NULL);
    rc = pg_session(c, err);
out:
    if (rc < 0)
        pg_free(c);
    else
        *out = &c->base;
    return rc;
}

static void pg_close(struct store *st)
{
    pg_free(pg(st));
}

/* Two nodes starting at once must not both create the schema. A run that
 * manages its own transactions holds a session lock across all of them;
 * a nested run takes the transaction's lock, released at its end. */
static int pg_migrate(struct store *st, bool nested, struct cd_error *err)
{
    struct pg_conn *c = pg(st);
    int rc;

    if (nested)
        rc = pg_simple(c, "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK
                          ")", "migration lock", err);
    else
        rc = pg_simple(c, "SELECT pg_advisory_lock(" PG_MIGRATE_LOCK ")",
                       "migration lock", err);
    if (rc < 0)
        return rc;
    rc = migrate_run(st, &store_postgres_schema, nested, err);
    if (!nested) {
        if (store_rollback(st, NULL) < 0)
            log_warn("could not roll back after migrating");
        if (pg_simple(c, "SELECT pg_advisory_unlock(" PG_MIGRATE_LOCK ")",
                      "migration unlock", NULL) < 0 &&
            PQstatus(c->db) == CONNECTION_OK)
            log_warn("could not release the migration lock");
    }
    return rc;
}

static int pg_ping(struct store *st, struct cd_error *err)
{
    struct pg_conn *c = pg(st);
    int rc = pg_simple(c, PG_PING_SQL, "ping", err);

    /* A server that restarted since the last call shows up as a failed
     * first statement: reconnect and ask once more. */
    if (rc < 0 && PQstatus(c->db) != CONNECTION_OK && c->backoff.ms == 0)
        rc = pg_simple(c, PG_PING_SQL, "ping", err);
    return rc;
}

/* While the connection is there, the server knows; once it is lost, a
 * transaction we began counts as open until it is rolled back. */
static bool pg_in_transaction(struct store *st)
{
    PGTransactionStatusType s = PQtransactionStatus(pg(st)->db);

    if (s == PQTRANS_UNKNOWN)
        return pg(st)->in_tx;
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR ||
           s == PQTRANS_ACTIVE;
}

static int pg_begin(struct store *st, struct cd_error *err)
{
    struct pg_conn *c = pg(st);
    int rc;

    /* PostgreSQL only warns; SQLite refuses, and so do we. */
    if (pg_in_transaction(st))
        return cd_error_set(err, CD_ESTORE, "cannot begin transaction: "
                                            "one is open already");
    rc = pg_simple(c, "BEGIN", "cannot begin transaction", err);
    /* A connection the server dropped while idle shows up here: nothing
     * has run in the transaction yet, so reconnect and begin once more
     * (outside a backoff interval, as pg_ping does). */
    if (rc < 0 && PQstatus(c->db) != CONNECTION_OK && c->backoff.ms == 0)
        rc = pg_simple(c, "BEGIN", "cannot begin transaction", err);
    c->in_tx = rc == CD_OK;
    return rc;
}

static int pg_rollback(struct store *st, struct cd_error *err)
{
    struct pg_conn *c = pg(st);
    PGTransactionStatusType s = PQtransactionStatus(c->db);

    c->in_tx = false;
    if (s != PQTRANS_INTRANS && s != PQTRANS_INERROR)
        return CD_OK; /* nothing open, or the connection went with it */
    return pg_simple(c, "ROLLBACK", "cannot roll back", err);
}

/* COMMIT of a transaction that failed half-way answers ROLLBACK. */
static int pg_commit(struct store *st, struct cd_error *err)
{
    struct pg_conn *c = pg(st);
    PGresult *res = NULL;
    int rc;

    if (!c->in_tx || PQtransactionStatus(c->db) != PQTRANS_INTRANS) {
        pg_rollback(st, NULL);
        return cd_error_set(err, CD_ESTORE, "cannot commit: the "
                            "transaction failed or its connection was "
                            "lost, and was rolled back");
    }
    rc = pg_run(c, "COMMIT", NULL, 0, "cannot commit", &res, err);
    c->in_tx = false;
    if (rc == CD_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = cd_error_set(err, CD_ESTORE, "cannot commit: rolled back");
    PQclear(res);
    if (rc < 0)
        pg_rollback(st, NULL);
    return rc;
}

/* "SAVEPOINT name" and friends; store.c has checked the name. */
static int pg_named(struct store *st, const char *verb, const char *name,
                    struct cd_error *err)
{
    char sql[32 + STORE_SAVEPOINT_NAME_MAX];

    snprintf(sql, sizeof(sql), "%s %s", verb, name);
    return pg_simple(pg(st), sql, verb, err);
}

static int pg_savepoint(struct store *st, const char *name,
                        struct cd_error *err)
{
    return pg_named(st, "SAVEPOINT", name, err);
}

static int pg_release(struct store *st, const char *name,
                      struct cd_error *err)
{
    return pg_named(st, "RELEASE SAVEPOINT", name, err);
}

static int pg_rollback_to(struct store *st, const char *name,
                          struct cd_error *err)
{
    return pg_named(st, "ROLLBACK TO SAVEPOINT", name, err);
}

static int pg_exec(struct store *st, const char *sql,
                   const char *const *params, size_t n, struct cd_error *err)
{
    PGresult *res = NULL;
    int rc = pg_run(pg(st), sql, params, n, NULL, &res, err);

    PQclear(res);
    return rc;
}

/* Integers, and booleans as PostgreSQL writes them. */
static long long pg_int(const char *s)
{
    if (strcmp(s, "t") == 0)
        return 1;
    if (strcmp(s, "f") == 0)
        return 0;
    return strtoll(s, NULL, 10);
}

static int pg_count(struct store *st, const char *sql,
                    const char *const *params, size_t n, long long *out,
                    struct cd_error *err)
{
    PGresult *res = NULL;
    int rc = pg_run(pg(st), sql, params, n, NULL, &res, err);

    *out = 0;
    if (rc == CD_OK && PQntuples(res) > 0 && PQnfields(res) > 0 &&
        !PQgetisnull(res, 0, 0))
        *out = pg_int(PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

static int pg_query(struct store *st, const char *sql,
                    const char *const *params, size_t n, store_row_fn *row,
                    void *ctx, struct cd_error *err)
{
    const char *col[PG_MAX_COLUMNS];
    PGresult *res = NULL;
    int rc = pg_run(pg(st), sql, params, n, NULL, &res, err);
    int ncol;

    if (rc < 0 || row == NULL)
        goto out;
    ncol = PQnfields(res);
    if (ncol > PG_MAX_COLUMNS) {
        rc = cd_error_set(err, CD_EINVAL, "query returns %d columns, "
                          "at most %d supported", ncol, PG_MAX_COLUMNS);
        goto out;
    }
    for (int r = 0; r < PQntuples(res) && rc == CD_OK; r++) {
        for (int i = 0; i < ncol; i++)
            col[i] = PQgetisnull(res, r, i) ? NULL : PQgetvalue(res, r, i);
        rc = row(ctx, col, (size_t)ncol, err);
    }
out:
    PQclear(res);
    return rc;
}

const struct store_backend store_postgres = {
    .name = "postgres",
    .dialect = CONFIG_DIALECT_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .migrate = pg_migrate,
    .ping = pg_ping,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .wal_manual = NULL,
    .checkpoint = NULL,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .rollback_to = pg_rollback_to,
    .exec = pg_exec,
    .count = pg_count,
    .query = pg_query,
    .accounts = &store_postgres_accounts_sql,
    .events = &store_postgres_events_sql,
    .throttle = &store_postgres_throttle_sql,
};
