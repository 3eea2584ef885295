/* mysql_int.h -- what the MySQL backend's two files share (store/ only).
 *
 * mysql.c holds the connection (open, reconnect, transactions, the
 * backend's vtable); mysql_stmt.c the statements (the per-connection
 * cache of prepared statements, binding, fetching rows as text). Nothing
 * here is for use outside those two files.
 */
#ifndef CD_STORE_MYSQL_INT_H
#define CD_STORE_MYSQL_INT_H

#include <stdbool.h>
#include <time.h>

#include <mysql.h>

#include "common/err.h"
#include "store/mysql_dsn.h"
#include "store/store_backend.h"
#include "store/store_int.h"

#define MY_CACHE_SIZE 128
#define MY_MAX_COLUMNS 32 /* most columns query() hands to a row callback */

struct my_cached {
    char *sql;        /* the key: statement text, owned */
    MYSQL_STMT *stmt; /* prepared on this connection's session */
};

struct my_conn {
    struct store base;   /* first: store.c hands out &base */
    MYSQL *db;           /* NULL while disconnected */
    struct mysql_dsn dsn;
    struct my_cached cache[MY_CACHE_SIZE];
    unsigned cache_next; /* next slot to reuse, round robin */
    bool in_tx;          /* begin() succeeded, no commit or rollback yet */
    bool tx_lost;        /* the connection broke while in_tx */
    bool in_migration;   /* migrations run: DDL may have ended the
                          * transaction and its savepoints */
    struct store_backoff backoff; /* reconnect attempts after a loss */
};


/* ---- mysql.c ---- */

/* Before every call: fail while a lost transaction is not rolled back;
 * reconnect a broken connection (c->db NULL), at most once per backoff
 * interval. CD_OK when c->db is usable. */
int store_my_ready(struct my_conn *c, struct cd_error *err) CD_MUST_CHECK;
/* The error of c->db, or of stmt, into *err: a lost connection closes
 * c's session (and marks a transaction lost); a duplicate key is
 * CD_EEXIST, the rest CD_ESTORE. what
 * (may be NULL) prefixes the message. After a lost connection stmt is
 * gone: do not touch it. */
int store_my_db_fail(struct my_conn *c, const char *what,
                     struct cd_error *err);
int store_my_stmt_fail(struct my_conn *c, MYSQL_STMT *stmt, const char *what,
                       struct cd_error *err);

/* ---- mysql_stmt.c ---- */

/* Close every cached statement (with the session, or before it). */
void store_my_cache_clear(struct my_conn *c);
/* Find sql in the cache or prepare it, bind n text parameters (NULL binds
 * SQL NULL) and execute it; *out is the statement, whose result (if any)
 * store_my_rows() must read. n is at most STORE_MAX_PARAMS (store.c
 * checks). CD_EINVAL for a wrong parameter count or not exactly one
 * statement. */
int store_my_execute(struct my_conn *c, const char *sql,
                     const char *const *params, size_t n, MYSQL_STMT **out,
                     const char *what, struct cd_error *err) CD_MUST_CHECK;
/* Read every row of stmt's result and hand each to row() (may be NULL)
 * as text; the result is read whole first, so row() may use the store.
 * row()'s non-CD_OK return stops the read and is returned. */
int store_my_rows(struct my_conn *c, MYSQL_STMT *stmt, store_row_fn *row,
                  void *ctx, struct cd_error *err) CD_MUST_CHECK;
/* One statement without parameters over the text protocol; a result is
 * read and dropped. */
int store_my_simple(struct my_conn *c, const char *sql, const char *what,
                    struct cd_error *err) CD_MUST_CHECK;

#endif /* CD_STORE_MYSQL_INT_H */
