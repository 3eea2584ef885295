/* store.c -- backend registry and dispatch for the storage API.
 *
 * store_open() picks the backend compiled in for the configured dialect and
 * every other call is forwarded through that backend's struct
 * store_backend (store_backend.h). This file holds no SQL: what differs
 * per dialect lives in the backend's own files. Arguments are checked here
 * once, so backends can trust them.
 *
 * Threading: a struct store belongs to one thread at a time.
 * Errors:    CD_OK or CD_E*; details go to *err if non-NULL.
 */
#include "common/common.h"
#include "store/store.h"

#include <string.h>

#include "store/store_backend.h"

static const struct store_backend *const backends[] = {
    &store_sqlite,
    &store_postgres,
    &store_mysql,
};

/* Offen's spelling of the dialects (OFFEN_DATABASE_DIALECT). */
static const char *dialect_name(enum config_dialect d)
{
    switch (d) {
    case CONFIG_DIALECT_SQLITE:   return "sqlite3";
    case CONFIG_DIALECT_POSTGRES: return "postgres";
    case CONFIG_DIALECT_MYSQL:    return "mysql";
    }
    return "unknown";
}

static const struct store_backend *backend_find(enum config_dialect d)
{
    for (size_t i = 0; i < CD_ARRAY_SIZE(backends); i++) {
        if (backends[i]->dialect == d)
            return backends[i];
    }
    return NULL;
}

int store_open(struct store **out, enum config_dialect dialect,
               const char *conn, struct cd_error *err)
{
    const struct store_backend *be = backend_find(dialect);
    struct store *st = NULL;
    int rc = CD_EINVAL;

    *out = NULL;
    if (be == NULL) {
        cd_error_set(err, rc,
                     "database dialect '%s' is not supported in this build "
                     "yet (use sqlite3)", dialect_name(dialect));
        goto out;
    }
    if (conn == NULL || *conn == '\0') {
        cd_error_set(err, rc, "empty database connection string");
        goto out;
    }
    rc = be->open(&st, conn, err);
    if (rc < 0)
        goto out;
    st->backend = be;
    *out = st;
out:
    return rc;
}

void store_close(struct store *st)
{
    if (st != NULL)
        st->backend->close(st);
}

enum config_dialect store_dialect(const struct store *st)
{
    return st->backend->dialect;
}

int store_migrate(struct store *st, struct cd_error *err)
{
    return st->backend->migrate(st, false, err);
}

int store_migrate_in_tx(struct store *st, struct cd_error *err)
{
    return st->backend->migrate(st, true, err);
}

int store_ping(struct store *st, struct cd_error *err)
{
    return st->backend->ping(st, err);
}

int store_begin(struct store *st, struct cd_error *err)
{
    return st->backend->begin(st, err);
}

int store_commit(struct store *st, struct cd_error *err)
{
    return st->backend->commit(st, err);
}

int store_rollback(struct store *st, struct cd_error *err)
{
    return st->backend->rollback(st, err);
}

bool store_in_transaction(struct store *st)
{
    return st->backend->in_transaction(st);
}

bool store_has_checkpoint(const struct store *st)
{
    return st->backend->checkpoint != NULL;
}

void store_wal_manual(struct store *st)
{
    if (st->backend->wal_manual != NULL)
        st->backend->wal_manual(st);
}

int store_checkpoint(struct store *st, bool flush, struct store_wal *wal,
                     struct cd_error *err)
{
    struct store_wal ignored;

    if (wal == NULL)
        wal = &ignored;
    *wal = (struct store_wal){0, 0};
    if (st->backend->checkpoint == NULL)
        return CD_OK;
    return st->backend->checkpoint(st, flush, wal, err);
}

/* Savepoint names are spliced into SQL text, so only plain identifiers. */
static int check_name(const char *name, struct cd_error *err)
{
    size_t len = name != NULL ? strlen(name) : 0;

    if (len == 0 || len > STORE_SAVEPOINT_NAME_MAX)
        goto bad;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     c == '_';

        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            goto bad;
    }
    return CD_OK;
bad:
    return cd_error_set(err, CD_EINVAL, "invalid savepoint name");
}

int store_savepoint(struct store *st, const char *name, struct cd_error *err)
{
    int rc = check_name(name, err);

    if (rc < 0)
        return rc;
    return st->backend->savepoint(st, name, err);
}

int store_release(struct store *st, const char *name, struct cd_error *err)
{
    int rc = check_name(name, err);

    if (rc < 0)
        return rc;
    return st->backend->release(st, name, err);
}

int store_rollback_to(struct store *st, const char *name,
                      struct cd_error *err)
{
    int rc = check_name(name, err);

    if (rc < 0)
        return rc;
    return st->backend->rollback_to(st, name, err);
}

int store_exec(struct store *st, const char *sql, struct cd_error *err)
{
    return store_exec_args(st, sql, NULL, 0, err);
}

/* A statement and its parameter count, before any backend sees them. */
static int check_stmt(const char *sql, size_t n, struct cd_error *err)
{
    if (sql == NULL)
        return cd_error_set(err, CD_EINVAL, "no SQL statement");
    if (n > STORE_MAX_PARAMS)
        return cd_error_set(err, CD_EINVAL, "%zu parameters, at most %d "
                            "supported", n, STORE_MAX_PARAMS);
    return CD_OK;
}

/* exec() and count() report every database failure as CD_ESTORE; only
 * query() tells a duplicate key apart (store_backend.h). */
static int plain_failure(int rc, struct cd_error *err)
{
    if (rc != CD_EEXIST)
        return rc;
    if (err != NULL)
        err->rc = CD_ESTORE;
    return CD_ESTORE;
}

int store_exec_args(struct store *st, const char *sql,
                    const char *const *params, size_t n,
                    struct cd_error *err)
{
    int rc = check_stmt(sql, n, err);

    if (rc < 0)
        return rc;
    return plain_failure(st->backend->exec(st, sql, params, n, err), err);
}

int store_count(struct store *st, const char *sql, const char *const *params,
                size_t n, long long *out, struct cd_error *err)
{
    int rc = check_stmt(sql, n, err);

    *out = 0;
    if (rc < 0)
        return rc;
    rc = st->backend->count(st, sql, params, n, out, err);
    return plain_failure(rc, err);
}

int store_query(struct store *st, const char *sql, const char *const *params,
                size_t n, store_row_fn *row, void *ctx, struct cd_error *err)
{
    int rc = check_stmt(sql, n, err);

    if (rc < 0)
        return rc;
    return st->backend->query(st, sql, params, n, row, ctx, err);
}
