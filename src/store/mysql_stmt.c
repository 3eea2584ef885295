/* mysql_stmt.c -- statements of the MySQL backend: the cache of prepared
 * statements, binding text parameters, fetching rows as text.
 *
 * A statement with parameters, and every query, is a server-side prepared
 * statement (mysql_stmt_*), prepared once per connection and kept in a
 * cache keyed by its text (MY_CACHE_SIZE slots, reused round robin), as
 * sqlite.c does. Parameters go as strings and every result column comes
 * back as a string: the result is stored client-side first, so each
 * column's buffer is sized from its longest value (a value that still
 * does not fit is fetched again whole), and row callbacks run with the
 * connection idle. Statements without parameters that return nothing
 * (transactions, savepoints, DDL) go over the text protocol.
 *
 * Errors go through store_my_stmt_fail()/store_my_db_fail() (mysql.c),
 * which close the session when the connection is lost; a statement is
 * not touched after that. Threading: as mysql.c, one thread per
 * connection.
 */
#include "common/common.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "store/mysql_int.h"

void store_my_cache_clear(struct my_conn *c)
{
    for (size_t i = 0; i < MY_CACHE_SIZE; i++) {
        if (c->cache[i].stmt != NULL)
            mysql_stmt_close(c->cache[i].stmt);
        free(c->cache[i].sql);
        c->cache[i].stmt = NULL;
        c->cache[i].sql = NULL;
    }
}

/* The length of sql without trailing blanks and semicolons; CD_EINVAL
 * unless that is exactly one statement (a ';' outside quotes would start
 * another, which the server refuses anyway, as we never enable
 * multi-statements; this names the mistake). */
static int my_sql_len(const char *sql, unsigned long *len,
                      struct cd_error *err)
{
    size_t n = strlen(sql);
    char quote = 0;

    while (n > 0 && (sql[n - 1] == ' ' || sql[n - 1] == '\t' ||
                     sql[n - 1] == '\n' || sql[n - 1] == '\r' ||
                     sql[n - 1] == ';'))
        n--;
    for (size_t i = 0; i < n; i++) {
        char ch = sql[i];

        if (quote != 0) {
            if (ch == '\\' && quote != '`' && i + 1 < n)
                i++;
            else if (ch == quote)
                quote = 0;
        } else if (ch == '\'' || ch == '"' || ch == '`') {
            quote = ch;
        } else if (ch == ';') {
            n = 0;
            break;
        }
    }
    if (n == 0)
        return cd_error_set(err, CD_EINVAL,
                            "expected exactly one SQL statement");
    *len = (unsigned long)n;
    return CD_OK;
}

/* Find sql in the cache or prepare it there. */
static int my_prepare(struct my_conn *c, const char *sql, MYSQL_STMT **out,
                      struct cd_error *err)
{
    struct my_cached *slot;
    MYSQL_STMT *stmt;
    unsigned long len = 0;
    my_bool yes = 1;
    int rc;

    for (size_t i = 0; i < MY_CACHE_SIZE; i++) {
        if (c->cache[i].sql != NULL && strcmp(c->cache[i].sql, sql) == 0) {
            *out = c->cache[i].stmt;
            return CD_OK;
        }
    }
    rc = my_sql_len(sql, &len, err);
    if (rc < 0)
        return rc;
    stmt = mysql_stmt_init(c->db);
    if (stmt == NULL)
        return store_my_db_fail(c, "prepare", err);
    if (mysql_stmt_prepare(stmt, sql, len) != 0) {
        rc = store_my_stmt_fail(c, stmt, NULL, err);
        mysql_stmt_close(stmt);
        return rc;
    }
    /* store_result() then measures each column, so buffers fit. */
    mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &yes);
    slot = &c->cache[c->cache_next++ % MY_CACHE_SIZE];
    if (slot->stmt != NULL)
        mysql_stmt_close(slot->stmt);
    free(slot->sql);
    slot->sql = xstrdup(sql);
    slot->stmt = stmt;
    *out = stmt;
    return CD_OK;
}

/* Prepare (or find), bind n text parameters and execute. */
int store_my_execute(struct my_conn *c, const char *sql,
                     const char *const *params, size_t n, MYSQL_STMT **out,
                     const char *what, struct cd_error *err)
{
    MYSQL_BIND bind[STORE_MAX_PARAMS]; /* store.c bounds n */
    MYSQL_STMT *stmt = NULL;
    int rc = store_my_ready(c, err);

    if (rc < 0)
        return rc;
    rc = my_prepare(c, sql, &stmt, err);
    if (rc < 0)
        return rc;
    if (mysql_stmt_param_count(stmt) != n)
        return cd_error_set(err, CD_EINVAL,
                            "statement takes %lu parameters, %zu given",
                            mysql_stmt_param_count(stmt), n);
    memset(bind, 0, sizeof(bind[0]) * (n > 0 ? n : 1));
    for (size_t i = 0; i < n; i++) {
        if (params[i] == NULL) {
            bind[i].buffer_type = MYSQL_TYPE_NULL;
            continue;
        }
        bind[i].buffer_type = MYSQL_TYPE_STRING;
        bind[i].buffer = (void *)params[i];
        bind[i].buffer_length = (unsigned long)strlen(params[i]);
    }
    if ((n > 0 && mysql_stmt_bind_param(stmt, bind) != 0) ||
        mysql_stmt_execute(stmt) != 0)
        return store_my_stmt_fail(c, stmt, what, err);
    *out = stmt;
    return CD_OK;
}

/* The columns of one fetched row, as NUL-terminated text. */
struct my_row {
    MYSQL_BIND bind[MY_MAX_COLUMNS];
    unsigned long len[MY_MAX_COLUMNS];
    my_bool null[MY_MAX_COLUMNS];
    char *buf[MY_MAX_COLUMNS];
    unsigned long cap[MY_MAX_COLUMNS]; /* bytes of buf, NUL included */
    unsigned ncol;
};

static void row_release(struct my_row *r)
{
    for (unsigned i = 0; i < r->ncol; i++)
        free(r->buf[i]);
}

static int row_bind(struct my_conn *c, MYSQL_STMT *stmt, struct my_row *r,
                    struct cd_error *err)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(stmt);
    MYSQL_FIELD *f;
    unsigned n;

    if (meta == NULL)
        return CD_OK; /* no result set */
    n = mysql_num_fields(meta);
    f = mysql_fetch_fields(meta);
    if (n > MY_MAX_COLUMNS) {
        mysql_free_result(meta);
        return cd_error_set(err, CD_EINVAL, "query returns %u columns, "
                            "at most %d supported", n, MY_MAX_COLUMNS);
    }
    memset(r, 0, sizeof(*r));
    r->ncol = n;
    for (unsigned i = 0; i < n; i++) {
        r->cap[i] = (f[i].max_length > 63 ? f[i].max_length : 63) + 1;
        r->buf[i] = xmalloc(r->cap[i]);
        r->bind[i].buffer_type = MYSQL_TYPE_STRING;
        r->bind[i].buffer = r->buf[i];
        r->bind[i].buffer_length = r->cap[i] - 1;
        r->bind[i].length = &r->len[i];
        r->bind[i].is_null = &r->null[i];
    }
    mysql_free_result(meta);
    if (n > 0 && mysql_stmt_bind_result(stmt, r->bind) != 0)
        return store_my_stmt_fail(c, stmt, NULL, err);
    return CD_OK;
}

/* After a fetch: NUL-terminate every column, fetching again any that did
 * not fit (max_length is only a hint for computed columns). */
static int row_finish(struct my_conn *c, MYSQL_STMT *stmt, struct my_row *r,
                      const char **col, struct cd_error *err)
{
    for (unsigned i = 0; i < r->ncol; i++) {
        col[i] = NULL;
        if (r->null[i])
            continue;
        if (r->len[i] >= r->cap[i]) {
            MYSQL_BIND b = r->bind[i];

            r->cap[i] = r->len[i] + 1;
            r->buf[i] = xrealloc(r->buf[i], r->cap[i]);
            b.buffer = r->buf[i];
            b.buffer_length = r->cap[i] - 1;
            if (mysql_stmt_fetch_column(stmt, &b, i, 0) != 0)
                return store_my_stmt_fail(c, stmt, NULL, err);
            r->bind[i].buffer = r->buf[i];
            r->bind[i].buffer_length = r->cap[i] - 1;
            if (mysql_stmt_bind_result(stmt, r->bind) != 0)
                return store_my_stmt_fail(c, stmt, NULL, err);
        }
        r->buf[i][r->len[i]] = '\0';
        col[i] = r->buf[i];
    }
    return CD_OK;
}

/* Every row of an executed statement to row() (may be NULL); the whole
 * result is read first, so row() runs with the connection idle. */
int store_my_rows(struct my_conn *c, MYSQL_STMT *stmt, store_row_fn *row,
                  void *ctx, struct cd_error *err)
{
    const char *col[MY_MAX_COLUMNS];
    struct my_row r = {.ncol = 0};
    int rc = CD_OK;
    int frc;

    if (mysql_stmt_field_count(stmt) == 0)
        return CD_OK; /* no result set */
    /* Stored first: the client then knows each column's longest value. */
    if (mysql_stmt_store_result(stmt) != 0)
        return store_my_stmt_fail(c, stmt, NULL, err);
    rc = row_bind(c, stmt, &r, err);
    if (rc < 0 || r.ncol == 0)
        goto out;
    while (rc == CD_OK) {
        frc = mysql_stmt_fetch(stmt);
        if (frc == MYSQL_NO_DATA)
            break;
        if (frc == 1) {
            rc = store_my_stmt_fail(c, stmt, NULL, err);
            break;
        }
        rc = row_finish(c, stmt, &r, col, err);
        if (rc == CD_OK && row != NULL)
            rc = row(ctx, col, r.ncol, err);
    }
out:
    if (c->db != NULL)
        mysql_stmt_free_result(stmt);
    row_release(&r);
    return rc;
}

/* A statement without parameters over the text protocol; any result is
 * read and dropped. */
int store_my_simple(struct my_conn *c, const char *sql, const char *what,
                    struct cd_error *err)
{
    MYSQL_RES *res;
    unsigned long len = 0;
    int rc = my_sql_len(sql, &len, err);

    if (rc == CD_OK)
        rc = store_my_ready(c, err);
    if (rc < 0)
        return rc;
    if (mysql_real_query(c->db, sql, len) != 0)
        return store_my_db_fail(c, what, err);
    res = mysql_store_result(c->db);
    if (res != NULL)
        mysql_free_result(res);
    else if (mysql_field_count(c->db) != 0)
        return store_my_db_fail(c, what, err);
    return CD_OK;
}
