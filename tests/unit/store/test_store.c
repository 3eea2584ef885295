/* test_store.c -- store.h connections: open, configure, ping, transactions,
 * savepoints, exec, query, the parameter cap, and the ULID encoder
 * migration 004 uses. */
#include "common/common.h"

#include <pthread.h>
#include <time.h>

#include "common/xalloc.h"
#include "store/migrate.h"
#include "store/store.h"
#include "store/store_backend.h"

#include "store_test_util.h"

static struct store *open_ok(const char *path)
{
    struct cd_error err = {0};
    struct store *st = NULL;

    if (store_open(&st, test_dialect(), path, &err) != CD_OK)
        fail_msg("store_open(%s): %s", path, err.msg);
    assert_non_null(st);
    return st;
}

static void test_open_other_dialects(void **state)
{
    struct cd_error err = {0};
    struct store *st = (struct store *)&err; /* must be reset to NULL */

    (void)state;
    /* PostgreSQL is built in: a server that is not there is CD_ESTORE. */
    assert_int_equal(store_open(&st, CONFIG_DIALECT_POSTGRES,
                                "postgres://candor@127.0.0.1:1/x"
                                "?connect_timeout=2&sslmode=disable",
                                &err),
                     CD_ESTORE);
    assert_null(st);
    assert_non_null(strstr(err.msg, "cannot open database"));
    /* So is MySQL: no server is CD_ESTORE, a malformed DSN CD_EINVAL. */
    st = (struct store *)&err;
    assert_int_equal(store_open(&st, CONFIG_DIALECT_MYSQL,
                                "u:p@tcp(127.0.0.1:1)/x?timeout=2s", &err),
                     CD_ESTORE);
    assert_null(st);
    assert_non_null(strstr(err.msg, "cannot connect to MySQL at 127.0.0.1:1"));
    assert_null(strstr(err.msg, ":p@"));
    st = (struct store *)&err;
    assert_int_equal(store_open(&st, CONFIG_DIALECT_MYSQL, "u@db", &err),
                     CD_EINVAL);
    assert_non_null(strstr(err.msg, "MySQL DSN"));
    assert_null(st);
}

static void test_open_bad_conn(void **state)
{
    struct cd_error err = {0};
    struct store *st = NULL;
    struct tdir d;

    (void)state;
    SKIP_UNLESS_SQLITE("file paths are SQLite's");
    assert_int_equal(store_open(&st, CONFIG_DIALECT_SQLITE, "", &err),
                     CD_EINVAL);
    assert_int_equal(store_open(&st, CONFIG_DIALECT_SQLITE, NULL, NULL),
                     CD_EINVAL);
    tdir_make(&d);
    /* The directory is the caller's job: a missing one is an error. */
    assert_int_equal(store_open(&st, CONFIG_DIALECT_SQLITE,
                                tdir_file(&d, "no/such/dir/x.db"), &err),
                     CD_ESTORE);
    assert_null(st);
    assert_non_null(strstr(err.msg, "no/such/dir/x.db"));
    /* A file that is not a database. */
    {
        FILE *f = fopen(tdir_file(&d, "junk.db"), "wb");

        assert_non_null(f);
        for (int i = 0; i < 1024; i++)
            fputs("this is not a database file ", f);
        fclose(f);
    }
    assert_int_equal(store_open(&st, CONFIG_DIALECT_SQLITE,
                                tdir_file(&d, "junk.db"), &err),
                     CD_ESTORE);
    assert_null(st);
    assert_non_null(strstr(err.msg, "junk.db"));
    store_close(NULL); /* harmless */
    tdir_remove(&d);
}

static void test_open_configures_connection(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    long long v = -1;
    char mode[64];
    struct tdir d;
    const char *path;

    (void)state;
    SKIP_UNLESS_SQLITE("PRAGMAs and WAL are SQLite's");
    tdir_make(&d);
    path = tdir_file(&d, "c.db");
    st = open_ok(path);
    assert_int_equal(store_dialect(st), CONFIG_DIALECT_SQLITE);
    assert_int_equal(store_count(st, "PRAGMA synchronous", NULL, 0, &v, &err),
                     CD_OK);
    assert_int_equal(v, 1); /* NORMAL */
    assert_int_equal(store_count(st, "PRAGMA busy_timeout", NULL, 0, &v,
                                 &err),
                     CD_OK);
    assert_int_equal(v, STORE_BUSY_TIMEOUT_MS);
    assert_int_equal(store_count(st, "PRAGMA foreign_keys", NULL, 0, &v,
                                 &err),
                     CD_OK);
    assert_int_equal(v, 0);
    /* WAL is a property of the file: another connection sees it. */
    file_lines(path, "PRAGMA journal_mode", mode, sizeof(mode));
    assert_string_equal(mode, "wal\n");
    store_close(st);
    tdir_remove(&d);
}

static void test_open_uri_and_query(void **state)
{
    char uri[PATH_MAX + 32];
    struct store *st;
    struct tdir d;

    (void)state;
    SKIP_UNLESS_SQLITE("file: URIs are SQLite's");
    tdir_make(&d);
    /* A "file:" URI reaches SQLite as such. */
    snprintf(uri, sizeof(uri), "file:%s?cache=private",
             tdir_file(&d, "u.db"));
    st = open_ok(uri);
    assert_int_equal(store_exec(st, "CREATE TABLE t (x)", NULL), CD_OK);
    store_close(st);
    assert_int_equal(access(tdir_file(&d, "u.db"), F_OK), 0);
    /* A plain path loses its "?query", as with Offen's driver. */
    snprintf(uri, sizeof(uri), "%s?_busy_timeout=100",
             tdir_file(&d, "p.db"));
    st = open_ok(uri);
    store_close(st);
    assert_int_equal(access(tdir_file(&d, "p.db"), F_OK), 0);
    assert_int_not_equal(access(uri, F_OK), 0);
    tdir_remove(&d);
}

static void test_ping(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = tdir_file(&d, "p.db");
    st = open_ok(path);
    /* No schema yet: ping fails, and keeps failing without crashing. */
    assert_int_equal(store_ping(st, &err), CD_ESTORE);
    assert_non_null(strstr(err.msg, "migrations"));
    assert_int_equal(store_ping(st, NULL), CD_ESTORE);
    assert_int_equal(store_migrate(st, &err), CD_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_ping(st, &err), CD_OK);
    /* The schema disappears under us, through another connection. */
    file_exec(path, "DROP TABLE migrations");
    err.msg[0] = '\0';
    assert_int_equal(store_ping(st, &err), CD_ESTORE);
    assert_non_null(strstr(err.msg, "migrations"));
    /* And comes back. */
    file_exec(path, "CREATE TABLE migrations (id VARCHAR(255) PRIMARY KEY)");
    assert_int_equal(store_ping(st, &err), CD_OK);
    store_close(st);
    tdir_remove(&d);
}

static void test_transactions(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = tdir_file(&d, "t.db");
    st = open_ok(path);
    assert_int_equal(store_exec(st, "CREATE TABLE t (k INTEGER PRIMARY KEY)",
                                &err),
                     CD_OK);
    /* Rollback without a transaction is a no-op, not an error. */
    assert_int_equal(store_rollback(st, &err), CD_OK);

    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (1)", &err), CD_OK);
    /* Nothing is visible to others before the commit. */
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM t"), 0);
    assert_int_equal(store_commit(st, &err), CD_OK);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM t"), 1);

    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_begin(st, &err), CD_ESTORE); /* no nesting */
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (2)", &err), CD_OK);
    assert_int_equal(store_rollback(st, &err), CD_OK);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM t"), 1);
    assert_int_equal(store_commit(st, &err), CD_ESTORE); /* none open */
    store_close(st);
    tdir_remove(&d);
}

static void test_savepoints(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = tdir_file(&d, "s.db");
    st = open_ok(path);
    assert_int_equal(store_exec(st, "CREATE TABLE t (k INTEGER PRIMARY KEY)",
                                &err),
                     CD_OK);
    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_savepoint(st, "a", &err), CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (1)", &err), CD_OK);
    assert_int_equal(store_release(st, "a", &err), CD_OK);
    assert_int_equal(store_savepoint(st, "b_2", &err), CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (2)", &err), CD_OK);
    assert_int_equal(store_rollback_to(st, "b_2", &err), CD_OK);
    assert_int_equal(store_release(st, "b_2", &err), CD_OK);
    /* Gone. (PostgreSQL aborts a transaction at its first error, so
     * there the check would undo what comes before.) */
    if (test_on_sqlite())
        assert_int_equal(store_release(st, "b_2", &err), CD_ESTORE);
    assert_int_equal(store_commit(st, &err), CD_OK);
    assert_int_equal(file_int(path, "SELECT SUM(k) FROM t"), 1);
    store_close(st);
    tdir_remove(&d);
}

static void test_savepoint_names(void **state)
{
    char name[STORE_SAVEPOINT_NAME_MAX + 2];
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = open_ok(tdir_file(&d, "n.db"));
    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_savepoint(st, "", &err), CD_EINVAL);
    assert_int_equal(store_savepoint(st, NULL, &err), CD_EINVAL);
    assert_int_equal(store_savepoint(st, "1a", &err), CD_EINVAL);
    assert_int_equal(store_savepoint(st, "a;DROP", &err), CD_EINVAL);
    assert_int_equal(store_release(st, "a b", &err), CD_EINVAL);
    assert_int_equal(store_rollback_to(st, "a-b", &err), CD_EINVAL);
    /* Exactly at the length cap, and one past it. */
    memset(name, 'x', sizeof(name));
    name[STORE_SAVEPOINT_NAME_MAX] = '\0';
    assert_int_equal(store_savepoint(st, name, &err), CD_OK);
    assert_int_equal(store_release(st, name, &err), CD_OK);
    name[STORE_SAVEPOINT_NAME_MAX] = 'x';
    name[STORE_SAVEPOINT_NAME_MAX + 1] = '\0';
    assert_int_equal(store_savepoint(st, name, &err), CD_EINVAL);
    assert_int_equal(store_rollback(st, &err), CD_OK);
    store_close(st);
    tdir_remove(&d);
}

static void test_exec(void **state)
{
    const char *args[2] = {"a", "b"};
    struct cd_error err = {0};
    struct store *st;
    long long n = -1;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = open_ok(tdir_file(&d, "e.db"));
    assert_int_equal(store_exec(st, "CREATE TABLE t (x TEXT, y TEXT)", &err),
                     CD_OK);
    /* Exactly one statement per call. */
    assert_int_equal(store_exec(st, "", &err), CD_EINVAL);
    assert_int_equal(store_exec(st, "  ;", &err), CD_EINVAL);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (1, 1); "
                                    "INSERT INTO t VALUES (2, 2)",
                                &err),
                     CD_EINVAL);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (1, 1);\n", &err),
                     CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO nope VALUES (1)", &err),
                     CD_ESTORE);
    assert_non_null(strstr(err.msg, "nope"));
    assert_int_equal(store_exec(st, NULL, &err), CD_EINVAL);
    /* Parameters: the count must match the statement. */
    assert_int_equal(store_exec_args(st, "INSERT INTO t VALUES (?, ?)", args,
                                     2, &err),
                     CD_OK);
    assert_int_equal(store_exec_args(st, "INSERT INTO t VALUES (?, ?)", args,
                                     1, &err),
                     CD_EINVAL);
    assert_int_equal(store_count(st, "SELECT COUNT(*) FROM t WHERE x = ?",
                                 args, 1, &n, &err),
                     CD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_count(st, "SELECT x FROM t WHERE 1 = 0", NULL, 0, &n,
                                 &err),
                     CD_OK);
    assert_int_equal(n, 0); /* no row */
    /* More distinct statements than the cache holds (64), twice over:
     * each still runs correctly after its cached copy was evicted. */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 100; i++) {
            char sql[64];

            snprintf(sql, sizeof(sql), "INSERT INTO t VALUES (%d, %d)", i,
                     round);
            assert_int_equal(store_exec(st, sql, &err), CD_OK);
        }
    }
    assert_int_equal(store_count(st, "SELECT COUNT(*) FROM t", NULL, 0, &n,
                                 &err),
                     CD_OK);
    assert_int_equal(n, 2 + 200);
    store_close(st);
    tdir_remove(&d);
}

struct rows {
    char text[1024]; /* "a|NULL|c\n" per row */
    size_t len;
    int calls;
    int fail_at; /* the call that returns CD_EPROTO; 0 for none */
};

static int collect(void *ctx, const char *const *col, size_t ncol,
                   struct cd_error *err)
{
    struct rows *r = ctx;

    if (++r->calls == r->fail_at)
        return cd_error_set(err, CD_EPROTO, "stop at %d", r->calls);
    for (size_t i = 0; i < ncol; i++)
        r->len += (size_t)snprintf(r->text + r->len, sizeof(r->text) - r->len,
                                   "%s%s", i > 0 ? "|" : "",
                                   col[i] != NULL ? col[i] : "NULL");
    r->len += (size_t)snprintf(r->text + r->len, sizeof(r->text) - r->len,
                               "\n");
    return CD_OK;
}

/* SELECT of n columns 1, 2, ... n. */
static const char *columns_sql(int n)
{
    static char sql[512];
    size_t len = (size_t)snprintf(sql, sizeof(sql), "SELECT 1");

    for (int i = 2; i <= n; i++)
        len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", %d", i);
    return sql;
}

static void test_query(void **state)
{
    const char *args[3] = {"k1", NULL, "v"};
    struct cd_error err = {0};
    struct rows r = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = open_ok(tdir_file(&d, "q.db"));
    /* varchar: MySQL keys no unsized text. */
    assert_int_equal(store_exec(st, "CREATE TABLE t (k VARCHAR(64) PRIMARY "
                                    "KEY, n INTEGER, v TEXT)",
                                &err),
                     CD_OK);
    /* A NULL parameter binds SQL NULL; rows discarded without a row(). */
    assert_int_equal(store_query(st, "INSERT INTO t VALUES (?, ?, ?)", args,
                                 3, NULL, NULL, &err),
                     CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES ('k2', 7, '')",
                                &err),
                     CD_OK);
    /* Columns as text, NULL as NULL, rows in order. */
    assert_int_equal(store_query(st, "SELECT k, n, v FROM t ORDER BY k",
                                 NULL, 0, collect, &r, &err),
                     CD_OK);
    assert_string_equal(r.text, "k1|NULL|v\nk2|7|\n");
    assert_int_equal(store_query(st, "SELECT k FROM t", NULL, 0, NULL, NULL,
                                 &err),
                     CD_OK);
    /* A duplicate key is CD_EEXIST; other failures CD_ESTORE. */
    assert_int_equal(store_query(st, "INSERT INTO t VALUES (?, ?, ?)", args,
                                 3, NULL, NULL, &err),
                     CD_EEXIST);
    assert_true(strstr(err.msg, "UNIQUE") != NULL ||   /* SQLite */
                strstr(err.msg, "unique") != NULL ||   /* PostgreSQL */
                strstr(err.msg, "Duplicate") != NULL); /* MySQL */
    assert_int_equal(store_query(st, "INSERT INTO nope VALUES (1)", NULL, 0,
                                 NULL, NULL, &err),
                     CD_ESTORE);
    assert_int_equal(store_query(st, "SELECT k FROM t WHERE k = ?", args, 2,
                                 NULL, NULL, &err),
                     CD_EINVAL);
    assert_int_equal(store_query(st, NULL, NULL, 0, NULL, NULL, &err),
                     CD_EINVAL);
    /* row()'s error stops the query and is its result; the statement is
     * reset, so it runs again at once. */
    memset(&r, 0, sizeof(r));
    r.fail_at = 1;
    assert_int_equal(store_query(st, "SELECT k FROM t ORDER BY k", NULL, 0,
                                 collect, &r, &err),
                     CD_EPROTO);
    assert_int_equal(r.calls, 1);
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_query(st, "SELECT k FROM t ORDER BY k", NULL, 0,
                                 collect, &r, &err),
                     CD_OK);
    assert_string_equal(r.text, "k1\nk2\n");
    /* At most 32 columns: at the cap, and one past. */
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_query(st, columns_sql(32), NULL, 0, collect, &r,
                                 &err),
                     CD_OK);
    assert_non_null(strstr(r.text, "|31|32\n"));
    assert_int_equal(store_query(st, columns_sql(33), NULL, 0, collect, &r,
                                 &err),
                     CD_EINVAL);
    assert_non_null(strstr(err.msg, "33 columns"));
    store_close(st);
    tdir_remove(&d);
}

/* Another connection holds the write lock for a while: BEGIN waits for it
 * (the busy timeout) instead of failing at once. */
struct locker {
    const char *path;
    int hold_ms;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool locked;
    struct timespec released; /* just before the other COMMIT */
};

static void *lock_holder(void *arg)
{
    struct locker *l = arg;
    struct timespec ts = {0, (long)l->hold_ms * 1000000L};
    sqlite3 *db = NULL;

    if (sqlite3_open(l->path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        abort();
    pthread_mutex_lock(&l->mu);
    l->locked = true;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    nanosleep(&ts, NULL);
    clock_gettime(CLOCK_MONOTONIC, &l->released);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return NULL;
}

static void test_busy_timeout_waits(void **state)
{
    struct locker l = {.hold_ms = 300};
    struct cd_error err = {0};
    struct timespec t1;
    struct store *st;
    pthread_t th;
    struct tdir d;

    (void)state;
    SKIP_UNLESS_SQLITE("the busy timeout is SQLite's");
    tdir_make(&d);
    l.path = tdir_file(&d, "b.db");
    st = open_ok(l.path);
    pthread_mutex_init(&l.mu, NULL);
    pthread_cond_init(&l.cv, NULL);
    assert_int_equal(pthread_create(&th, NULL, lock_holder, &l), 0);
    pthread_mutex_lock(&l.mu);
    while (!l.locked)
        pthread_cond_wait(&l.cv, &l.mu);
    pthread_mutex_unlock(&l.mu);
    assert_int_equal(store_begin(st, &err), CD_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(store_commit(st, &err), CD_OK);
    pthread_join(th, NULL);
    /* It waited for the other writer instead of failing: BEGIN returned
     * only after the other connection started its COMMIT. */
    assert_true(t1.tv_sec > l.released.tv_sec ||
                (t1.tv_sec == l.released.tv_sec &&
                 t1.tv_nsec >= l.released.tv_nsec));
    pthread_cond_destroy(&l.cv);
    pthread_mutex_destroy(&l.mu);
    store_close(st);
    tdir_remove(&d);
}

static void test_close_rolls_back(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = tdir_file(&d, "r.db");
    st = open_ok(path);
    assert_int_equal(store_exec(st, "CREATE TABLE t (k INTEGER)", &err),
                     CD_OK);
    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (1)", &err), CD_OK);
    store_close(st);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM t"), 0);
    tdir_remove(&d);
}

static void test_ulid(void **state)
{
    static const unsigned char zero[10] = {0};
    static const unsigned char ones[10] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                           0xff, 0xff, 0xff, 0xff, 0xff};
    char a[MIGRATE_ULID_LEN + 1], b[MIGRATE_ULID_LEN + 1];
    char lo[MIGRATE_ULID_LEN + 1], hi[MIGRATE_ULID_LEN + 1];
    struct timespec ts;
    uint64_t now;

    (void)state;
    /* The reference's vector: 2020-07-06T12:00:00Z, zero randomness. */
    migrate_ulid_encode(1594036800000ULL, zero, a);
    assert_string_equal(a, "01ECHZYJG00000000000000000");
    migrate_ulid_encode(0, ones, a);
    assert_string_equal(a, "0000000000ZZZZZZZZZZZZZZZZ");
    migrate_ulid_encode((1ULL << 48) - 1, ones, a);
    assert_string_equal(a, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    assert_int_equal(migrate_ulid_new(a, NULL), CD_OK);
    assert_int_equal(migrate_ulid_new(b, NULL), CD_OK);
    assert_int_equal(strlen(a), MIGRATE_ULID_LEN);
    assert_string_not_equal(a, b);
    /* Minted now: between the ULIDs of a second ago and a second ahead. */
    clock_gettime(CLOCK_REALTIME, &ts);
    now = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    migrate_ulid_encode(now - 1000, zero, lo);
    migrate_ulid_encode(now + 1000, ones, hi);
    assert_true(strcmp(lo, a) < 0 && strcmp(a, hi) < 0);
    assert_true(strcmp(lo, b) < 0 && strcmp(b, hi) < 0);
}

/* "<head> (?, ?, ... ?)" with n placeholders. */
static char *in_list_sql(const char *head, size_t n)
{
    size_t size = strlen(head) + 2 * n + 8;
    char *sql = xmalloc(size);
    size_t len = (size_t)snprintf(sql, size, "%s (", head);

    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(sql + len, size - len, "%s?",
                                i > 0 ? "," : "");
    snprintf(sql + len, size - len, ")");
    return sql;
}

/* STORE_MAX_PARAMS parameters run on every dialect; one more is
 * CD_EINVAL before the backend sees the statement. */
static void test_params_cap(void **state)
{
    const char *params[STORE_MAX_PARAMS + 1];
    char names[STORE_MAX_PARAMS + 1][8];
    char *count_at = in_list_sql("SELECT COUNT(*) FROM t WHERE x IN",
                                 STORE_MAX_PARAMS);
    char *count_over = in_list_sql("SELECT COUNT(*) FROM t WHERE x IN",
                                   STORE_MAX_PARAMS + 1);
    char *query_at = in_list_sql("SELECT x FROM t WHERE x IN",
                                 STORE_MAX_PARAMS);
    char *query_over = in_list_sql("SELECT x FROM t WHERE x IN",
                                   STORE_MAX_PARAMS + 1);
    char *delete_at = in_list_sql("DELETE FROM t WHERE x IN",
                                  STORE_MAX_PARAMS);
    char *delete_over = in_list_sql("DELETE FROM t WHERE x IN",
                                    STORE_MAX_PARAMS + 1);
    struct rows r = {0};
    struct cd_error err = {0};
    struct store *st;
    long long n = -1;
    struct tdir d;

    (void)state;
    for (size_t i = 0; i <= STORE_MAX_PARAMS; i++) {
        snprintf(names[i], sizeof(names[i]), "p%zu", i);
        params[i] = names[i];
    }
    tdir_make(&d);
    st = open_ok(tdir_file(&d, "p.db"));
    assert_int_equal(store_exec(st, "CREATE TABLE t (x VARCHAR(8))", &err),
                     CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES ('p63')", &err),
                     CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES ('p64')", &err),
                     CD_OK);
    /* At the cap: p0 .. p63, so the row p63 matches and p64 does not. */
    assert_int_equal(store_count(st, count_at, params, STORE_MAX_PARAMS, &n,
                                 &err),
                     CD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_query(st, query_at, params, STORE_MAX_PARAMS,
                                 collect, &r, &err),
                     CD_OK);
    assert_string_equal(r.text, "p63\n");
    /* One past it: refused, whatever the backend would do. */
    n = -1;
    assert_int_equal(store_count(st, count_over, params,
                                 STORE_MAX_PARAMS + 1, &n, &err),
                     CD_EINVAL);
    assert_non_null(strstr(err.msg, "at most 64"));
    assert_int_equal(n, 0);
    assert_int_equal(store_query(st, query_over, params,
                                 STORE_MAX_PARAMS + 1, collect, &r, &err),
                     CD_EINVAL);
    assert_int_equal(r.calls, 1);
    assert_int_equal(store_exec_args(st, delete_over, params,
                                     STORE_MAX_PARAMS + 1, &err),
                     CD_EINVAL);
    assert_int_equal(store_count(st, "SELECT COUNT(*) FROM t", NULL, 0, &n,
                                 &err),
                     CD_OK);
    assert_int_equal(n, 2); /* nothing deleted */
    assert_int_equal(store_exec_args(st, delete_at, params, STORE_MAX_PARAMS,
                                     &err),
                     CD_OK);
    assert_int_equal(store_count(st, "SELECT COUNT(*) FROM t", NULL, 0, &n,
                                 &err),
                     CD_OK);
    assert_int_equal(n, 1); /* p63 went, p64 stayed */
    store_close(st);
    tdir_remove(&d);
    free(count_at);
    free(count_over);
    free(query_at);
    free(query_over);
    free(delete_at);
    free(delete_over);
}

#define LONG_LITERAL 70000

/* A statement longer than 64 KiB runs on every dialect, and a '?' inside
 * quotes is text, not a placeholder. exec() and count() report a duplicate
 * key as CD_ESTORE, query() as CD_EEXIST. */
static void test_long_statement_and_duplicates(void **state)
{
    const char *arg = "a";
    char *sql = xmalloc(LONG_LITERAL + 128);
    struct cd_error err = {0};
    struct store *st;
    long long n = -1;
    struct tdir d;
    size_t len;

    (void)state;
    tdir_make(&d);
    st = open_ok(tdir_file(&d, "l.db"));
    assert_int_equal(store_exec(st, "CREATE TABLE t (x VARCHAR(8) "
                                    "PRIMARY KEY)", &err),
                     CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES ('a')", &err),
                     CD_OK);
    len = (size_t)snprintf(sql, LONG_LITERAL + 128,
                           "SELECT COUNT(*) FROM t WHERE x = ? OR x = '");
    memset(sql + len, '?', LONG_LITERAL);
    memcpy(sql + len + LONG_LITERAL, "'", 2);
    assert_int_equal(store_count(st, sql, &arg, 1, &n, &err), CD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_exec_args(st, "INSERT INTO t VALUES (?)", &arg, 1,
                                     &err),
                     CD_ESTORE);
    assert_int_equal(err.rc, CD_ESTORE);
    assert_int_equal(store_query(st, "INSERT INTO t VALUES (?)", &arg, 1,
                                 NULL, NULL, &err),
                     CD_EEXIST);
    store_close(st);
    tdir_remove(&d);
    free(sql);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_other_dialects),
        cmocka_unit_test(test_open_bad_conn),
        cmocka_unit_test(test_open_configures_connection),
        cmocka_unit_test(test_open_uri_and_query),
        cmocka_unit_test(test_ping),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_savepoints),
        cmocka_unit_test(test_savepoint_names),
        cmocka_unit_test(test_exec),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_busy_timeout_waits),
        cmocka_unit_test(test_close_rolls_back),
        cmocka_unit_test(test_ulid),
        cmocka_unit_test(test_params_cap),
        cmocka_unit_test(test_long_statement_and_duplicates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
