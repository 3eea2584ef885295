/* store_backend.h -- what a database backend implements (store/ only).
 *
 * A backend is one file, store/<name>.c, exporting exactly one symbol: a
 * const struct store_backend. Its connection struct embeds struct store as
 * its first member, so store.c can hand out &conn->base and the backend gets
 * its own struct back with STORE_CONTAINER(). Every SQL text that differs
 * per dialect lives in the backend's files (store/<name>.c and
 * store/<name>_schema.c), never in store.c, migrate.c or writer.c.
 *
 * store.c validates arguments (savepoint names, NULL pointers) before
 * calling into a backend, so backends need not repeat those checks.
 * All functions follow err.h: CD_OK or a negative code, detail in *err.
 */
#ifndef CD_STORE_STORE_BACKEND_H
#define CD_STORE_STORE_BACKEND_H

#include <stddef.h>

#include "common/config.h"
#include "common/err.h"

struct store_backend;

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
     * whatever the dialect needs (an advisory lock on PostgreSQL, say). */
    int (*migrate)(struct store *st, struct cd_error *err);
    int (*ping)(struct store *st, struct cd_error *err);

    int (*begin)(struct store *st, struct cd_error *err);
    int (*commit)(struct store *st, struct cd_error *err);
    int (*rollback)(struct store *st, struct cd_error *err);
    int (*savepoint)(struct store *st, const char *name,
                     struct cd_error *err);
    int (*release)(struct store *st, const char *name, struct cd_error *err);
    int (*rollback_to)(struct store *st, const char *name,
                       struct cd_error *err);

    /* Run one statement with n text parameters bound in order (the
     * dialect's placeholder syntax is in sql). Rows are discarded. */
    int (*exec)(struct store *st, const char *sql, const char *const *params,
                size_t n, struct cd_error *err);
    /* Run one query with n text parameters and store the integer in the
     * first column of its first row in *out (0 when there is no row). */
    int (*count)(struct store *st, const char *sql,
                 const char *const *params, size_t n, long long *out,
                 struct cd_error *err);
};

/* The compiled-in backends. */
extern const struct store_backend store_sqlite;

/* store_exec() with parameters, and the count query: for store/ code that
 * needs them (the migration runner and the dialects' migration steps). */
int store_exec_args(struct store *st, const char *sql,
                    const char *const *params, size_t n,
                    struct cd_error *err) CD_MUST_CHECK;
int store_count(struct store *st, const char *sql, const char *const *params,
                size_t n, long long *out, struct cd_error *err) CD_MUST_CHECK;

#endif /* CD_STORE_STORE_BACKEND_H */
