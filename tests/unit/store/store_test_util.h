/* store_test_util.h -- helpers shared by the store unit tests.
 *
 * Every test works in its own mkdtemp() folder, removed afterwards. The
 * database files are inspected with sqlite3 directly, through a connection
 * of the test's own, so a test sees what another process would see.
 * Helpers abort the test (cmocka fail) on any unexpected SQLite error; call
 * them only from the test's main thread.
 *
 * The dialect comes from the environment: CANDOR_TEST_DIALECT (sqlite3,
 * postgres or mysql; sqlite3 when unset) and CANDOR_TEST_DSN, a server
 * where the test may create and drop databases (tests/db/postgres.sh and
 * tests/db/mariadb.sh print one). On PostgreSQL and MySQL, tdir_file(d,
 * "x.db") is the connection string of a fresh, empty database of its own
 * (CREATE DATABASE with a unique name, the same one for the same d and
 * name), dropped again by tdir_remove(); file_int(), file_lines() and
 * file_exec() run their SQL there: through libpq on PostgreSQL, with
 * SQLite's `backquotes` read as "double quotes"; through MariaDB
 * Connector/C on MySQL, with the DSN in Offen's form and `backquotes` as
 * they are. Tests that are SQLite's by nature (the Offen SQLite fixture,
 * WAL, file paths) call SKIP_UNLESS_SQLITE() first; those of one server
 * dialect SKIP_UNLESS_DIALECT(), those of either server
 * SKIP_UNLESS_SERVER().
 */
#ifndef CD_TESTS_STORE_TEST_UTIL_H
#define CD_TESTS_STORE_TEST_UTIL_H

#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>

#include "common/config.h"
#include "store/mysql_dsn.h"

#define FIXTURE_DB CANDOR_SHARED_DIR "/fixtures/offen-1.4.2-demo.sqlite"

struct tdir {
    char path[PATH_MAX];
};

/* The dialect under test (CANDOR_TEST_DIALECT). */
static inline enum config_dialect test_dialect(void)
{
    const char *v = getenv("CANDOR_TEST_DIALECT");

    if (v != NULL && strcmp(v, "postgres") == 0)
        return CONFIG_DIALECT_POSTGRES;
    if (v != NULL && strcmp(v, "mysql") == 0)
        return CONFIG_DIALECT_MYSQL;
    return CONFIG_DIALECT_SQLITE;
}

static inline bool test_on_sqlite(void)
{
    return test_dialect() == CONFIG_DIALECT_SQLITE;
}

/* The dialect under test as CANDOR_TEST_DIALECT spells it. */
static inline const char *test_dialect_name(void)
{
    switch (test_dialect()) {
    case CONFIG_DIALECT_POSTGRES: return "postgres";
    case CONFIG_DIALECT_MYSQL:    return "mysql";
    case CONFIG_DIALECT_SQLITE:   break;
    }
    return "sqlite3";
}

/* Skip the calling test, saying why, unless cond holds. */
#define SKIP_UNLESS(cond, why)                                               \
    do {                                                                     \
        if (!(cond)) {                                                       \
            printf("# skipped on %s: %s\n", test_dialect_name(), (why));     \
            skip();                                                          \
        }                                                                    \
    } while (0)
/* ... unless the dialect under test is d. */
#define SKIP_UNLESS_DIALECT(d, why) SKIP_UNLESS(test_dialect() == (d), why)
#define SKIP_UNLESS_SQLITE(why) SKIP_UNLESS_DIALECT(CONFIG_DIALECT_SQLITE, why)
/* ... unless the dialect under test is a server's (PostgreSQL or MySQL). */
#define SKIP_UNLESS_SERVER()                                                 \
    SKIP_UNLESS(!test_on_sqlite(), "a server's connection only "            \
                                   "(CANDOR_TEST_DIALECT=postgres or mysql)")

/* ---- PostgreSQL and MySQL: one database per (folder, name) ------------ */

#define TDB_MAX 32

struct tdb_entry {
    char key[PATH_MAX + 64]; /* folder/name */
    char db[64];             /* the database's name */
    char conn[1024];         /* its connection string */
};

static struct tdb_entry tdb_list[TDB_MAX];
static size_t tdb_count;
static unsigned tdb_serial;

static inline const char *tdb_dsn(void)
{
    const char *dsn = getenv("CANDOR_TEST_DSN");

    if (dsn == NULL || *dsn == '\0')
        fail_msg("CANDOR_TEST_DIALECT=%s needs CANDOR_TEST_DSN",
                 getenv("CANDOR_TEST_DIALECT"));
    return dsn;
}

/* ---- MySQL: the same, through MariaDB Connector/C -------------------- */

static inline bool test_on_mysql(void)
{
    return test_dialect() == CONFIG_DIALECT_MYSQL;
}

/* A connection to Offen's MySQL DSN conn, in UTC, utf8mb4 binary. */
static inline MYSQL *tdm_connect(const char *conn)
{
    struct cd_error err = {0};
    struct mysql_dsn d;
    MYSQL *c = mysql_init(NULL);

    assert_non_null(c);
    if (mysql_dsn_parse(&d, conn, &err) != CD_OK)
        fail_msg("%s: %s", conn, err.msg);
    mysql_options(c, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(c, MYSQL_INIT_COMMAND,
                  "SET NAMES utf8mb4 COLLATE utf8mb4_nopad_bin");
    mysql_options(c, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
    /* The tests' SQLite SQL concatenates with ||. */
    mysql_options(c, MYSQL_INIT_COMMAND,
                  "SET sql_mode = CONCAT(@@sql_mode, ',PIPES_AS_CONCAT')");
    if (mysql_real_connect(c, d.unix_socket ? NULL : d.host, d.user,
                           d.password, d.dbname, d.port,
                           d.unix_socket ? d.socket : NULL,
                           CLIENT_MULTI_STATEMENTS) == NULL)
        fail_msg("connect %s: %s", conn, mysql_error(c));
    return c;
}

/* A test's SQLite SQL for MySQL: rowid (the insertion order the tests
 * check) as candor_seq, the column candor_004 adds for it. */
static inline char *tdm_sql(const char *sql)
{
    size_t size = strlen(sql) * 2 + 64;
    char *out = malloc(size);
    size_t len = 0;

    assert_non_null(out);
    for (const char *p = sql; *p != '\0'; p++) {
        if (strncmp(p, "rowid", 5) == 0) {
            len += (size_t)snprintf(out + len, size - len, "candor_seq");
            p += 4;
            continue;
        }
        out[len++] = *p;
    }
    out[len] = '\0';
    return out;
}

/* Run sql (one or more statements) on conn; the result of the last one
 * that has rows, if any, is the caller's to free. */
static inline MYSQL_RES *tdm_run(const char *conn, const char *sql,
                                 MYSQL **keep)
{
    MYSQL *c = tdm_connect(conn);
    MYSQL_RES *r = NULL;
    char *text = tdm_sql(sql);
    int more = 0;

    if (mysql_query(c, text) != 0)
        fail_msg("%s: %s", text, mysql_error(c));
    do {
        MYSQL_RES *one = mysql_store_result(c);

        if (one == NULL && mysql_field_count(c) != 0)
            fail_msg("%s: %s", text, mysql_error(c));
        if (one != NULL) {
            mysql_free_result(r);
            r = one;
        }
        more = mysql_next_result(c);
        if (more > 0)
            fail_msg("%s: %s", text, mysql_error(c));
    } while (more == 0);
    free(text);
    *keep = c;
    return r;
}

/* CANDOR_TEST_DSN with its database (after the last '/') replaced. */
static inline void tdm_conn_for(const char *db, char *out, size_t size)
{
    const char *dsn = tdb_dsn();
    const char *slash = strrchr(dsn, '/');
    const char *query;

    assert_non_null(slash);
    query = strchr(slash, '?');
    assert_true(snprintf(out, size, "%.*s/%s%s", (int)(slash - dsn), dsn, db,
                         query != NULL ? query : "") < (int)size);
}

/* CANDOR_TEST_DSN (a URI, or on MySQL Offen's DSN) with its database
 * replaced by db. */
static inline void tdb_conn_for(const char *db, char *out, size_t size)
{
    const char *dsn = tdb_dsn();
    const char *host = strstr(dsn, "://");
    const char *path, *query;

    if (test_on_mysql()) {
        tdm_conn_for(db, out, size);
        return;
    }
    assert_non_null(host);
    path = strchr(host + 3, '/');
    query = strchr(host + 3, '?');
    if (path == NULL || (query != NULL && path > query))
        path = query != NULL ? query : dsn + strlen(dsn);
    if (query == NULL)
        query = "";
    assert_true(snprintf(out, size, "%.*s/%s%s", (int)(path - dsn), dsn, db,
                         query) < (int)size);
}

/* Run one statement on the server's own database (CREATE/DROP DATABASE). */
static inline void tdb_admin(const char *sql)
{
    PGconn *c;
    PGresult *r;

    if (test_on_mysql()) {
        MYSQL *m = NULL;
        MYSQL_RES *res = tdm_run(tdb_dsn(), sql, &m);

        mysql_free_result(res);
        mysql_close(m);
        return;
    }
    c = PQconnectdb(tdb_dsn());
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect %s: %s", tdb_dsn(), PQerrorMessage(c));
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static inline const char *tdb_get(const char *key)
{
    struct tdb_entry *e;
    char sql[128];

    for (size_t i = 0; i < tdb_count; i++) {
        if (strcmp(tdb_list[i].key, key) == 0)
            return tdb_list[i].conn;
    }
    assert_true(tdb_count < TDB_MAX);
    e = &tdb_list[tdb_count++];
    snprintf(e->key, sizeof(e->key), "%s", key);
    snprintf(e->db, sizeof(e->db), "cdt_%ld_%u", (long)getpid(),
             tdb_serial++);
    tdb_conn_for(e->db, e->conn, sizeof(e->conn));
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", e->db);
    tdb_admin(sql);
    return e->conn;
}

static inline void tdb_drop_all(void)
{
    char sql[128];

    for (size_t i = 0; i < tdb_count; i++) {
        snprintf(sql, sizeof(sql),
                 test_on_mysql() ? "DROP DATABASE IF EXISTS %s"
                                 : "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                 tdb_list[i].db);
        tdb_admin(sql);
    }
    tdb_count = 0;
}

/* At exit, drop the PostgreSQL or MySQL databases a failed or skipped
 * test left (quietly: cmocka is done by then). */
__attribute__((destructor)) static void tdb_at_exit(void)
{
    const char *dsn = getenv("CANDOR_TEST_DSN");
    PGconn *c;

    if (tdb_count > 0 && dsn != NULL && test_on_mysql()) {
        MYSQL *m = mysql_init(NULL);
        struct mysql_dsn d;

        if (m != NULL && mysql_dsn_parse(&d, dsn, NULL) == CD_OK &&
            mysql_real_connect(m, d.unix_socket ? NULL : d.host, d.user,
                               d.password, d.dbname, d.port,
                               d.unix_socket ? d.socket : NULL, 0) != NULL) {
            for (size_t i = 0; i < tdb_count; i++) {
                char sql[128];

                snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s",
                         tdb_list[i].db);
                mysql_query(m, sql);
            }
        }
        mysql_close(m);
        tdb_count = 0;
        return;
    }
    if (tdb_count == 0 || dsn == NULL ||
        test_dialect() != CONFIG_DIALECT_POSTGRES)
        return;
    c = PQconnectdb(dsn);
    for (size_t i = 0; i < tdb_count && PQstatus(c) == CONNECTION_OK; i++) {
        char sql[128];

        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                 tdb_list[i].db);
        PQclear(PQexec(c, sql));
    }
    PQfinish(c);
    tdb_count = 0;
}

/* A test's SQLite SQL for PostgreSQL: `name` as "name", and rowid (the
 * insertion order the tests check) as candor_seq, the column candor_004
 * adds for it, or on the migrations table, whose rows are never updated,
 * as the physical order ctid. */
static inline char *tdb_sql(const char *sql)
{
    const char *seq =
        strstr(sql, "migrations") != NULL ? "ctid" : "candor_seq";
    size_t size = strlen(sql) * 2 + 64;
    char *out = malloc(size);
    size_t len = 0;

    assert_non_null(out);
    for (const char *p = sql; *p != '\0'; p++) {
        if (strncmp(p, "rowid", 5) == 0) {
            len += (size_t)snprintf(out + len, size - len, "%s", seq);
            p += 4;
            continue;
        }
        out[len++] = *p == '`' ? '"' : *p;
    }
    out[len] = '\0';
    return out;
}

static inline PGresult *tdb_run(const char *conn, const char *sql,
                                PGconn **keep)
{
    PGconn *c = PQconnectdb(conn);
    char *text = tdb_sql(sql);
    PGresult *r;
    ExecStatusType s;

    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect %s: %s", conn, PQerrorMessage(c));
    PQclear(PQexec(c, "SET TIME ZONE 'UTC'"));
    r = PQexec(c, text);
    s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        fail_msg("%s: %s", text, PQerrorMessage(c));
    free(text);
    *keep = c;
    return r;
}

static inline void tdir_make(struct tdir *d)
{
    const char *base = getenv("TMPDIR");

    snprintf(d->path, sizeof(d->path), "%s/candor-store-XXXXXX",
             base != NULL && *base != '\0' ? base : "/tmp");
    assert_non_null(mkdtemp(d->path));
}

/* d->path + "/" + name, in a static ring so a few can be live at once. */
static inline const char *tdir_file(const struct tdir *d, const char *name)
{
    static char ring[4][PATH_MAX + 64];
    static unsigned next;
    char *out = ring[next++ % 4];
    size_t len = strlen(name);

    snprintf(out, sizeof(ring[0]), "%s/%s", d->path, name);
    if (!test_on_sqlite() && len > 3 && strcmp(name + len - 3, ".db") == 0)
        return tdb_get(out);
    return out;
}

/* Is path one of the databases tdir_file() made on another dialect? */
static inline bool tdb_is_conn(const char *path)
{
    if (test_on_mysql())
        return strstr(path, "tcp(") != NULL || strstr(path, "unix(") != NULL;
    return !test_on_sqlite() && strstr(path, "://") != NULL;
}

static inline int tdir_rm_one(const char *path, const struct stat *sb,
                              int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void tdir_remove(struct tdir *d)
{
    if (!test_on_sqlite())
        tdb_drop_all();
    assert_int_equal(nftw(d->path, tdir_rm_one, 16, FTW_DEPTH | FTW_PHYS),
                     0);
}

static inline void copy_file(const char *from, const char *to)
{
    char buf[65536];
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    size_t n;

    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    assert_int_equal(ferror(in), 0);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static inline sqlite3 *db_open(const char *path)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                     SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static inline void db_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
}

/* The first column of the first row as an integer (-1 without rows). */
static inline long long db_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return v;
}

/* All rows of a one-column query, each followed by '\n', into out. */
static inline void db_lines(sqlite3 *db, const char *sql, char *out,
                            size_t size)
{
    sqlite3_stmt *st = NULL;
    size_t len = 0;
    int rc;

    out[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        int k = snprintf(out + len, size - len, "%s\n",
                         t != NULL ? (const char *)t : "NULL");

        assert_true(k > 0 && (size_t)k < size - len);
        len += (size_t)k;
    }
    if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
}

/* FNV-1a over every column of every row of a query (NULL and '' differ),
 * to compare whole tables before and after. */
static inline unsigned long long db_digest(sqlite3 *db, const char *sql)
{
    unsigned long long h = 1469598103934665603ULL;
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            int n = sqlite3_column_bytes(st, c);
            unsigned char tag = t == NULL ? 0 : 1;

            h = (h ^ tag) * 1099511628211ULL;
            for (int i = 0; i < n; i++)
                h = (h ^ t[i]) * 1099511628211ULL;
        }
        h = (h ^ 0xffu) * 1099511628211ULL;
    }
    if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return h;
}

/* Shorthands on a path: open, query, close. */
static inline long long file_int(const char *path, const char *sql)
{
    sqlite3 *db;
    long long v = -1;

    if (tdb_is_conn(path) && test_on_mysql()) {
        MYSQL *m = NULL;
        MYSQL_RES *r = tdm_run(path, sql, &m);
        MYSQL_ROW row = r != NULL ? mysql_fetch_row(r) : NULL;

        if (row != NULL && row[0] != NULL)
            v = atoll(row[0]);
        mysql_free_result(r);
        mysql_close(m);
        return v;
    }
    if (tdb_is_conn(path)) {
        PGconn *c = NULL;
        PGresult *r = tdb_run(path, sql, &c);

        if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
            const char *t = PQgetvalue(r, 0, 0);

            v = strcmp(t, "t") == 0 ? 1 : strcmp(t, "f") == 0 ? 0
                                                               : atoll(t);
        }
        PQclear(r);
        PQfinish(c);
        return v;
    }
    db = db_open(path);
    v = db_int(db, sql);

    sqlite3_close(db);
    return v;
}

static inline void file_lines(const char *path, const char *sql, char *out,
                              size_t size)
{
    sqlite3 *db;

    if (tdb_is_conn(path) && test_on_mysql()) {
        MYSQL *m = NULL;
        MYSQL_RES *r = tdm_run(path, sql, &m);
        MYSQL_ROW row;
        size_t len = 0;

        out[0] = '\0';
        while (r != NULL && (row = mysql_fetch_row(r)) != NULL) {
            int k = snprintf(out + len, size - len, "%s\n",
                             row[0] != NULL ? row[0] : "NULL");

            assert_true(k > 0 && (size_t)k < size - len);
            len += (size_t)k;
        }
        mysql_free_result(r);
        mysql_close(m);
        return;
    }
    if (tdb_is_conn(path)) {
        PGconn *c = NULL;
        PGresult *r = tdb_run(path, sql, &c);
        size_t len = 0;

        out[0] = '\0';
        for (int i = 0; i < PQntuples(r); i++) {
            int k = snprintf(out + len, size - len, "%s\n",
                             PQgetisnull(r, i, 0) ? "NULL"
                                                  : PQgetvalue(r, i, 0));

            assert_true(k > 0 && (size_t)k < size - len);
            len += (size_t)k;
        }
        PQclear(r);
        PQfinish(c);
        return;
    }
    db = db_open(path);

    db_lines(db, sql, out, size);
    sqlite3_close(db);
}

/* db_digest() of a query on path, on any dialect. */
static inline unsigned long long file_digest(const char *path,
                                             const char *sql)
{
    unsigned long long h = 1469598103934665603ULL;
    PGconn *c = NULL;
    PGresult *r;
    sqlite3 *db;

    if (!tdb_is_conn(path)) {
        db = db_open(path);
        h = db_digest(db, sql);
        sqlite3_close(db);
        return h;
    }
    if (test_on_mysql()) {
        MYSQL *m = NULL;
        MYSQL_RES *mr = tdm_run(path, sql, &m);
        unsigned nf = mr != NULL ? mysql_num_fields(mr) : 0;
        MYSQL_ROW row;

        while (mr != NULL && (row = mysql_fetch_row(mr)) != NULL) {
            for (unsigned k = 0; k < nf; k++) {
                unsigned char tag = row[k] == NULL ? 0 : 1;

                h = (h ^ tag) * 1099511628211ULL;
                for (size_t j = 0; tag != 0 && row[k][j] != '\0'; j++)
                    h = (h ^ (unsigned char)row[k][j]) * 1099511628211ULL;
            }
            h = (h ^ 0xffu) * 1099511628211ULL;
        }
        mysql_free_result(mr);
        mysql_close(m);
        return h;
    }
    r = tdb_run(path, sql, &c);
    for (int i = 0; i < PQntuples(r); i++) {
        for (int k = 0; k < PQnfields(r); k++) {
            const char *t = PQgetvalue(r, i, k);
            unsigned char tag = PQgetisnull(r, i, k) ? 0 : 1;

            h = (h ^ tag) * 1099511628211ULL;
            for (size_t j = 0; tag != 0 && t[j] != '\0'; j++)
                h = (h ^ (unsigned char)t[j]) * 1099511628211ULL;
        }
        h = (h ^ 0xffu) * 1099511628211ULL;
    }
    PQclear(r);
    PQfinish(c);
    return h;
}

static inline void file_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;

    if (tdb_is_conn(path) && test_on_mysql()) {
        MYSQL *m = NULL;

        mysql_free_result(tdm_run(path, sql, &m));
        mysql_close(m);
        return;
    }
    if (tdb_is_conn(path)) {
        PGconn *c = NULL;

        PQclear(tdb_run(path, sql, &c));
        PQfinish(c);
        return;
    }

    assert_int_equal(sqlite3_open_v2(path, &db,
                                     SQLITE_OPEN_READWRITE |
                                         SQLITE_OPEN_CREATE,
                                     NULL),
                     SQLITE_OK);
    db_exec(db, sql);
    sqlite3_close(db);
}

#endif /* CD_TESTS_STORE_TEST_UTIL_H */
