/* test_store_outage.c -- the server backends (PostgreSQL, MySQL/MariaDB)
 * when the server drops a connection: the call in progress fails with
 * CD_ESTORE, the next one re-makes the connection by itself (a BEGIN,
 * with nothing run yet, at once and without failing), and a transaction
 * that was open stays failed until it is rolled back.
 *
 * Runs with CANDOR_TEST_DIALECT=postgres or mysql and CANDOR_TEST_DSN
 * (make check starts the servers with tests/db/); on SQLite, which has no
 * connection to lose, every test skips itself. */
#include "common/common.h"

#include "store/store.h"
#include "store/store_backend.h"

#include "accounts_test_util.h"

#define THROTTLE_KEY                                                         \
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* The server's session of st, ended from another connection: what an
 * outage or a restart of the server looks like to st. */
static void kill_session(const char *conn, struct store *st)
{
    const bool pg = test_dialect() == CONFIG_DIALECT_POSTGRES;
    struct cd_error err = {0};
    char sql[96];
    long long id = 0;

    assert_int_equal(store_count(st, pg ? "SELECT pg_backend_pid()"
                                        : "SELECT CONNECTION_ID()",
                                 NULL, 0, &id, &err),
                     CD_OK);
    assert_true(id > 0);
    if (pg) {
        snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)", id);
        assert_int_equal(file_int(conn, sql), 1);
    } else {
        snprintf(sql, sizeof(sql), "KILL CONNECTION %lld", id);
        file_exec(conn, sql);
    }
}

static long long migrations(struct store *st, int want_rc)
{
    struct cd_error err = {0};
    const char *arg = "x";
    long long n = -1;

    assert_int_equal(store_count(st, "SELECT COUNT(*) FROM migrations "
                                     "WHERE id <> ?",
                                 &arg, 1, &n, &err),
                     want_rc);
    if (want_rc == CD_ESTORE && strstr(err.msg, "connection lost") == NULL)
        fail_msg("%s", err.msg);
    return n;
}

/* A lost connection fails the call in progress with CD_ESTORE and comes
 * back by itself at the next one, statements prepared again. */
static void test_reconnects(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *conn;

    (void)state;
    SKIP_UNLESS_SERVER();
    tdir_make(&d);
    conn = tdir_file(&d, "r.db");
    st = store_at(conn, true);
    assert_int_equal(migrations(st, CD_OK), 13);

    /* Outside a transaction: one failed call at most. ping() retries. */
    kill_session(conn, st);
    assert_int_equal(store_ping(st, &err), CD_OK);
    kill_session(conn, st);
    migrations(st, CD_ESTORE);
    assert_int_equal(migrations(st, CD_OK), 13);

    /* Inside one: the transaction is gone, and nothing after it may run
     * outside it; COMMIT fails until it is rolled back. */
    assert_int_equal(store_exec(st, "CREATE TABLE t (k INTEGER)", &err),
                     CD_OK);
    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (1)", &err), CD_OK);
    kill_session(conn, st);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (2)", &err),
                     CD_ESTORE);
    assert_true(store_in_transaction(st));
    assert_int_equal(store_savepoint(st, "sp", &err), CD_ESTORE);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (4)", &err),
                     CD_ESTORE);
    assert_int_equal(store_commit(st, &err), CD_ESTORE);
    assert_false(store_in_transaction(st));
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (3)", &err), CD_OK);
    assert_int_equal(file_int(conn, "SELECT SUM(k) FROM t"), 3);
    store_close(st);
    tdir_remove(&d);
}

/* A throttle hit whose connection was lost before its BEGIN: the begin
 * re-makes the connection, and the hit counts. */
static void test_throttle_retries_lost_connection(void **state)
{
    enum store_throttle_verdict v = STORE_THROTTLE_REJECT;
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *conn;
    int64_t wait = -1;

    (void)state;
    SKIP_UNLESS_SERVER();
    tdir_make(&d);
    conn = tdir_file(&d, "h.db");
    st = store_at(conn, true);
    kill_session(conn, st);
    assert_int_equal(store_throttle_hit(st, THROTTLE_KEY, 1000, 500, false,
                                        30000, &v, &wait, &err),
                     CD_OK);
    assert_int_equal(v, STORE_THROTTLE_PASS);
    assert_int_equal(wait, 0);
    assert_int_equal(file_int(conn, "SELECT until_ms FROM candor_throttle"),
                     1500);
    store_close(st);
    tdir_remove(&d);
}

/* A session the server ended while idle (wait_timeout, a restart) is
 * found by the next BEGIN: it reconnects and begins at once, so the
 * transaction runs and commits, with no failed call first. */
static void test_begin_reconnects(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *conn;

    (void)state;
    SKIP_UNLESS_SERVER();
    tdir_make(&d);
    conn = tdir_file(&d, "b.db");
    st = store_at(conn, true);
    assert_int_equal(store_exec(st, "CREATE TABLE t (k INTEGER)", &err),
                     CD_OK);
    kill_session(conn, st);
    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_true(store_in_transaction(st));
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (5)", &err), CD_OK);
    assert_int_equal(store_commit(st, &err), CD_OK);
    assert_false(store_in_transaction(st));
    assert_int_equal(file_int(conn, "SELECT SUM(k) FROM t"), 5);

    /* Twice in a row: each BEGIN on a fresh loss reconnects. */
    kill_session(conn, st);
    assert_int_equal(store_begin(st, &err), CD_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t VALUES (7)", &err), CD_OK);
    assert_int_equal(store_commit(st, &err), CD_OK);
    assert_int_equal(file_int(conn, "SELECT SUM(k) FROM t"), 12);
    store_close(st);
    tdir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reconnects),
        cmocka_unit_test(test_throttle_retries_lost_connection),
        cmocka_unit_test(test_begin_reconnects),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
