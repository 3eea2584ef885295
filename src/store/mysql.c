/* mysql.c -- the MySQL/MariaDB backend of the storage API, on MariaDB
 * Connector/C.
 *
 * Exports store_mysql, and to mysql_stmt.c the store_my_* functions of
 * mysql_int.h; everything else is static. One struct my_conn is one
 * client connection; a struct store belongs to one thread at a time, so
 * no locking here (the library itself is initialised once, under
 * pthread_once).
 *
 * The connection string is Offen's, go-sql-driver/mysql's DSN
 * ("user:pass@tcp(127.0.0.1:3306)/offen?parseTime=true"), parsed by
 * mysql_dsn.c. Every session talks utf8mb4 with binary collation (ids and
 * ULIDs compare as bytes, as on SQLite) and runs in UTC.
 *
 * Statements (the cache of prepared statements, binding, fetching rows as
 * text) are in mysql_stmt.c; mysql_int.h is what the two files share.
 *
 * Outages: when the server goes away, the failing call returns CD_ESTORE
 * ("database connection lost") and the connection is marked broken. Every
 * later call first reconnects, at most once per backoff interval (struct
 * store_backoff, store_int.h: doubling from STORE_BACKOFF_MIN_MS to
 * STORE_BACKOFF_MAX_MS), and fails fast with
 * CD_ESTORE in between; a new session starts with an empty statement
 * cache. A transaction open when the connection broke is gone: until the
 * caller calls rollback(), every call fails, so no later statement can run
 * outside the transaction it was meant for and a commit never reports
 * success for work the server lost. A START TRANSACTION that finds the
 * connection dropped (the server ended an idle session) reconnects and
 * begins once more, outside a backoff interval: nothing has run yet, so
 * every transaction survives an idle timeout.
 *
 * MySQL commits DDL implicitly. A transaction or savepoint that such a
 * commit ended cannot be committed, released or rolled back to any more;
 * while migrations run (also nested, in store_bootstrap()), commit(),
 * release() and rollback_to() then succeed when no transaction is open,
 * as the work is committed already (store_bootstrap() is not atomic here,
 * as in Offen). Anywhere else a transaction or savepoint gone behind the
 * store's back (a raw ROLLBACK) is an error, so a batch whose transaction
 * was lost is never reported as committed.
 *
 * The DDL and migrations live in mysql_schema.c, the SQL of accounts.c and
 * users.c in mysql_accounts.c, that of events.c in mysql_events.c.
 */
#include "common/common.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "store/migrate.h"
#include "store/mysql_dsn.h"
#include "store/mysql_int.h"
#include "store/store.h"
#include "store/store_backend.h"

#define MY_CONNECT_TIMEOUT_S 5 /* when the DSN gives no timeout= */
#define MY_MIGRATE_LOCK_S "60" /* how long a node waits for another's */
#define MY_PING_SQL "SELECT id FROM migrations LIMIT 1"
/* One lock per database, so nodes of one installation serialise and
 * databases side by side on one server do not. */
#define MY_LOCK_NAME "CONCAT('candor_migrate:', SHA1(DATABASE()))"

static pthread_once_t my_once = PTHREAD_ONCE_INIT;
static int my_lib_rc;

static void my_lib_init(void)
{
    my_lib_rc = mysql_library_init(0, NULL, NULL);
}

static struct my_conn *my(struct store *st)
{
    return STORE_CONTAINER(st, struct my_conn);
}

static bool conn_lost(unsigned code)
{
    return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST ||
           code == CR_CONNECTION_ERROR || code == CR_CONN_HOST_ERROR ||
           code == ER_CONNECTION_KILLED || code == ER_SERVER_SHUTDOWN ||
           code == 4031 /* ER_CLIENT_INTERACTION_TIMEOUT */;
}

static void disconnect(struct my_conn *c)
{
    store_my_cache_clear(c);
    if (c->db != NULL)
        mysql_close(c->db);
    c->db = NULL;
}

/* The server said code/msg. A lost connection marks c broken (and its
 * transaction lost); a duplicate key is CD_EEXIST, the rest CD_ESTORE
 * (store_backend.h). */
static int my_fail(struct my_conn *c, unsigned code, const char *msg,
                   const char *what, struct cd_error *err)
{
    int rc = CD_ESTORE;

    if (conn_lost(code)) {
        if (c->in_tx)
            c->tx_lost = true;
        log_warn("MySQL connection lost: %s", msg);
        disconnect(c);
        return cd_error_set(err, CD_ESTORE,
                            "%s%sdatabase connection lost: %s",
                            what != NULL ? what : "", what != NULL ? ": " : "",
                            msg);
    }
    if (code == ER_DUP_ENTRY || code == ER_DUP_KEY)
        rc = CD_EEXIST;
    if (what != NULL)
        return cd_error_set(err, rc, "%s: %s", what, msg);
    return cd_error_set(err, rc, "%s", msg);
}

int store_my_db_fail(struct my_conn *c, const char *what, struct cd_error *err)
{
    char msg[200];

    snprintf(msg, sizeof(msg), "%s", mysql_error(c->db));
    return my_fail(c, mysql_errno(c->db), msg, what, err);
}

int store_my_stmt_fail(struct my_conn *c, MYSQL_STMT *stmt, const char *what,
                       struct cd_error *err)
{
    char msg[200];

    snprintf(msg, sizeof(msg), "%s", mysql_stmt_error(stmt));
    return my_fail(c, mysql_stmt_errno(stmt), msg, what, err);
}

static int set_opts(MYSQL *db, const struct mysql_dsn *d)
{
    unsigned ct = d->connect_timeout_s ? d->connect_timeout_s
                                       : MY_CONNECT_TIMEOUT_S;
    my_bool yes = 1, no = 0;
    int bad = 0;

    bad |= mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    if (d->read_timeout_s)
        bad |= mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &d->read_timeout_s);
    if (d->write_timeout_s)
        bad |= mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT,
                             &d->write_timeout_s);
    bad |= mysql_options(db, MYSQL_OPT_RECONNECT, &no); /* ours, below */
    bad |= mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    bad |= mysql_options(db, MYSQL_INIT_COMMAND,
                         "SET NAMES utf8mb4 COLLATE utf8mb4_nopad_bin");
    bad |= mysql_options(db, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
    if (d->tls != MYSQL_DSN_TLS_OFF) {
        /* Any TLS option asks the library for TLS. */
        bad |= mysql_ssl_set(db, NULL, NULL, NULL, NULL, NULL);
        if (d->tls != MYSQL_DSN_TLS_PREFERRED)
            bad |= mysql_options(db, MYSQL_OPT_SSL_ENFORCE, &yes);
        bad |= mysql_options(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
                             d->tls == MYSQL_DSN_TLS_VERIFY ? &yes : &no);
    }
    return bad;
}

/* Open a new session for c. */
static int my_connect(struct my_conn *c, struct cd_error *err)
{
    const struct mysql_dsn *d = &c->dsn;
    MYSQL *db = mysql_init(NULL);
    int rc = CD_ESTORE;

    if (db == NULL)
        return cd_error_set(err, CD_ENOMEM, "mysql_init: out of memory");
    if (set_opts(db, d) != 0) {
        cd_error_set(err, rc, "cannot set MySQL client options");
        goto out;
    }
    if (mysql_real_connect(db, d->unix_socket ? NULL : d->host, d->user,
                           d->has_password ? d->password : NULL, d->dbname,
                           d->unix_socket ? 0 : d->port,
                           d->unix_socket ? d->socket : NULL, 0) == NULL) {
        if (d->unix_socket)
            cd_error_set(err, rc, "cannot connect to MySQL at %s: %s",
                         d->socket, mysql_error(db));
        else
            cd_error_set(err, rc, "cannot connect to MySQL at %s:%u: %s",
                         d->host, d->port, mysql_error(db));
        goto out;
    }
    c->db = db;
    db = NULL;
    rc = CD_OK;
out:
    if (db != NULL)
        mysql_close(db);
    return rc;
}

/* Before every call: refuse while a lost transaction is not rolled back;
 * reconnect a broken connection, at most once per backoff interval. */
int store_my_ready(struct my_conn *c, struct cd_error *err)
{
    struct timespec now;
    int rc;

    if (c->tx_lost)
        return cd_error_set(err, CD_ESTORE,
                            "database connection lost: the transaction is "
                            "gone, roll back");
    if (c->db != NULL)
        return CD_OK;
    now = store_backoff_now();
    if (store_backoff_blocked(&c->backoff, &now))
        return cd_error_set(err, CD_ESTORE,
                            "database unavailable (reconnecting)");
    rc = my_connect(c, err);
    if (rc == CD_OK) {
        if (c->backoff.ms > 0)
            log_info("MySQL connection re-established");
        store_backoff_ok(&c->backoff);
        return CD_OK;
    }
    now = store_backoff_now(); /* the attempt itself may have taken long */
    store_backoff_failed(&c->backoff, &now);
    return rc;
}

static void my_free(struct my_conn *c)
{
    disconnect(c);
    explicit_bzero(c->dsn.password, sizeof(c->dsn.password));
    free(c);
}

static int my_open(struct store **out, const char *conn, struct cd_error *err)
{
    struct my_conn *c = xcalloc(1, sizeof(*c));
    int rc;

    pthread_once(&my_once, my_lib_init);
    if (my_lib_rc != 0) {
        rc = cd_error_set(err, CD_ESTORE,
                          "cannot initialise the MySQL client library");
        goto out;
    }
    rc = mysql_dsn_parse(&c->dsn, conn, err);
    if (rc == CD_OK)
        rc = my_connect(c, err);
out:
    if (rc < 0)
        my_free(c);
    else
        *out = &c->base;
    return rc;
}

static void my_close(struct store *st)
{
    my_free(my(st));
}

static int my_count_sql(struct my_conn *c, const char *sql,
                        const char *const *params, size_t n, long long *out,
                        struct cd_error *err);

/* Migrations run under a named lock, so two nodes starting at once take
 * turns: the second finds every id recorded and does nothing. A lock is
 * per session, so an implicit commit of DDL does not drop it. */
static int my_migrate(struct store *st, bool nested, struct cd_error *err)
{
    struct my_conn *c = my(st);
    long long got = 0, released = 0;
    int rc;

    if (nested) {
        c->in_migration = true;
        rc = migrate_run(st, &store_mysql_schema, true, err);
        c->in_migration = false;
        /* The caller's transaction ended with the first DDL; what it
         * writes next is again all or nothing. */
        if (rc == CD_OK && c->in_tx && c->db != NULL &&
            !(c->db->server_status & SERVER_STATUS_IN_TRANS))
            rc = store_my_simple(c, "START TRANSACTION",
                                 "cannot begin transaction", err);
        return rc;
    }
    rc = my_count_sql(c, "SELECT GET_LOCK(" MY_LOCK_NAME ", "
                      MY_MIGRATE_LOCK_S ")", NULL, 0, &got, err);
    if (rc < 0)
        return rc;
    if (got != 1)
        return cd_error_set(err, CD_ESTORE,
                            "another node held the migration lock for %s s",
                            MY_MIGRATE_LOCK_S);
    c->in_migration = true;
    rc = migrate_run(st, &store_mysql_schema, false, err);
    c->in_migration = false;
    if (c->db != NULL &&
        my_count_sql(c, "SELECT RELEASE_LOCK(" MY_LOCK_NAME ")", NULL, 0,
                     &released, NULL) < 0)
        log_warn("MySQL: could not release the migration lock");
    return rc;
}

/* A connection the server dropped since the last call is noticed here
 * and made again at once: /healthz reports the database, not a dead
 * socket the server has already replaced. */
static int my_ping(struct store *st, struct cd_error *err)
{
    struct my_conn *c = my(st);
    long long n = 0;
    int rc = my_count_sql(c, MY_PING_SQL, NULL, 0, &n, err);

    if (rc < 0 && c->db == NULL && !c->tx_lost && c->backoff.ms == 0)
        rc = my_count_sql(c, MY_PING_SQL, NULL, 0, &n, err);
    return rc;
}

/* Ours and the server's view must agree: a statement may have ended the
 * transaction behind our back (a ROLLBACK, or DDL's implicit commit). A
 * transaction lost with the connection stays open for the caller until
 * it rolls back. */
static bool my_in_transaction(struct store *st)
{
    struct my_conn *c = my(st);

    if (c->tx_lost)
        return true;
    return c->in_tx && c->db != NULL &&
           (c->db->server_status & SERVER_STATUS_IN_TRANS) != 0;
}

static int my_begin(struct store *st, struct cd_error *err)
{
    struct my_conn *c = my(st);
    int rc;

    /* START TRANSACTION would commit the open one: refuse, as SQLite
     * does. */
    if (c->in_tx)
        return cd_error_set(err, CD_ESTORE, "cannot begin transaction: "
                            "a transaction is already open");
    rc = store_my_simple(c, "START TRANSACTION", "cannot begin transaction",
                         err);
    /* A connection the server dropped while idle shows up here: nothing
     * has run in the transaction yet, so reconnect and begin once more
     * (outside a backoff interval, as my_ping does). */
    if (rc < 0 && c->db == NULL && !c->tx_lost && c->backoff.ms == 0)
        rc = store_my_simple(c, "START TRANSACTION",
                             "cannot begin transaction", err);
    c->in_tx = rc == CD_OK;
    return rc;
}

static int my_rollback(struct store *st, struct cd_error *err)
{
    struct my_conn *c = my(st);
    bool lost = c->tx_lost, open = c->in_tx;

    c->in_tx = false;
    c->tx_lost = false;
    if (lost || c->db == NULL || !open)
        return CD_OK; /* nothing open, or the server dropped it */
    return store_my_simple(c, "ROLLBACK", "cannot roll back", err);
}

static int my_commit(struct store *st, struct cd_error *err)
{
    struct my_conn *c = my(st);
    int rc;

    if (!c->in_tx && !c->tx_lost)
        return cd_error_set(err, CD_ESTORE,
                            "cannot commit: no transaction is open");
    if (!c->tx_lost && c->db != NULL && !c->in_migration &&
        !(c->db->server_status & SERVER_STATUS_IN_TRANS)) {
        c->in_tx = false;
        return cd_error_set(err, CD_ESTORE, "cannot commit: the transaction "
                            "ended before COMMIT");
    }
    rc = store_my_simple(c, "COMMIT", "cannot commit", err);
    if (rc < 0)
        my_rollback(st, NULL);
    c->in_tx = false;
    return rc;
}

/* "SAVEPOINT name" and friends; store.c has checked the name. After an
 * implicit commit (DDL) no transaction is open and the savepoint is gone
 * with it: releasing it or rolling back to it then has nothing to do. */
static int my_named(struct store *st, const char *verb, const char *name,
                    bool gone_ok, struct cd_error *err)
{
    struct my_conn *c = my(st);
    char sql[32 + STORE_SAVEPOINT_NAME_MAX];
    int rc = store_my_ready(c, err);

    if (rc < 0)
        return rc;
    snprintf(sql, sizeof(sql), "%s %s", verb, name);
    if (gone_ok && c->in_migration &&
        !(c->db->server_status & SERVER_STATUS_IN_TRANS))
        return CD_OK;
    return store_my_simple(c, sql, verb, err);
}

static int my_savepoint(struct store *st, const char *name,
                        struct cd_error *err)
{
    return my_named(st, "SAVEPOINT", name, false, err);
}

static int my_release(struct store *st, const char *name,
                      struct cd_error *err)
{
    return my_named(st, "RELEASE SAVEPOINT", name, true, err);
}

static int my_rollback_to(struct store *st, const char *name,
                          struct cd_error *err)
{
    return my_named(st, "ROLLBACK TO SAVEPOINT", name, true, err);
}

static int my_exec(struct store *st, const char *sql,
                   const char *const *params, size_t n, struct cd_error *err)
{
    struct my_conn *c = my(st);
    MYSQL_STMT *stmt = NULL;
    int rc;

    if (n == 0)
        return store_my_simple(c, sql, NULL, err);
    rc = store_my_execute(c, sql, params, n, &stmt, NULL, err);
    if (rc == CD_OK)
        rc = store_my_rows(c, stmt, NULL, NULL, err);
    return rc;
}

static int count_row(void *ctx, const char *const *col, size_t ncol,
                     struct cd_error *err)
{
    long long *out = ctx;

    CD_UNUSED(err);
    if (ncol > 0 && col[0] != NULL)
        *out = strtoll(col[0], NULL, 10);
    return 1; /* the first row is enough */
}

static int my_count_sql(struct my_conn *c, const char *sql,
                        const char *const *params, size_t n, long long *out,
                        struct cd_error *err)
{
    MYSQL_STMT *stmt = NULL;
    int rc = store_my_execute(c, sql, params, n, &stmt, NULL, err);

    *out = 0;
    if (rc == CD_OK)
        rc = store_my_rows(c, stmt, count_row, out, err);
    return rc == 1 ? CD_OK : rc;
}

static int my_count(struct store *st, const char *sql,
                    const char *const *params, size_t n, long long *out,
                    struct cd_error *err)
{
    return my_count_sql(my(st), sql, params, n, out, err);
}

static int my_query(struct store *st, const char *sql,
                    const char *const *params, size_t n, store_row_fn *row,
                    void *ctx, struct cd_error *err)
{
    struct my_conn *c = my(st);
    MYSQL_STMT *stmt = NULL;
    int rc = store_my_execute(c, sql, params, n, &stmt, NULL, err);

    if (rc == CD_OK)
        rc = store_my_rows(c, stmt, row, ctx, err);
    return rc;
}

const struct store_backend store_mysql = {
    .name = "mysql",
    .dialect = CONFIG_DIALECT_MYSQL,
    .open = my_open,
    .close = my_close,
    .migrate = my_migrate,
    .ping = my_ping,
    .begin = my_begin,
    .commit = my_commit,
    .rollback = my_rollback,
    .in_transaction = my_in_transaction,
    .wal_manual = NULL,
    .checkpoint = NULL,
    .savepoint = my_savepoint,
    .release = my_release,
    .rollback_to = my_rollback_to,
    .exec = my_exec,
    .count = my_count,
    .query = my_query,
    .accounts = &store_mysql_accounts_sql,
    .events = &store_mysql_events_sql,
    .throttle = &store_mysql_throttle_sql,
};
