/* test_expire.c -- the hourly expiry job survives a failing round. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/expire.h"
#include "common/config.h"
#include "common/timefmt.h"
#include "crypto/ulid.h"
#include "store/store.h"

static void exec_ok(struct store *st, const char *sql)
{
    struct cd_error err = {0};

    assert_int_equal(store_exec(st, sql, &err), CD_OK);
}

static void insert_old(struct store *st)
{
    char id[CRYPTO_ULID_SIZE], sql[256];

    assert_int_equal(crypto_ulid_at(timefmt_now_ms() - 400LL * 86400000,
                                    id), CD_OK);
    snprintf(sql, sizeof(sql), "INSERT INTO events (event_id, sequence, "
             "account_id, payload) VALUES ('%s', '%s', 'a', 'p')", id, id);
    exec_ok(st, sql);
}

static int count_one(void *ctx, const struct store_event *ev)
{
    (void)ev;
    (*(int *)ctx)++;
    return CD_OK;
}

/* The events left, read through the test's own store connection. */
static int events_left(struct store *st)
{
    struct cd_error err = {0};
    int n = 0;

    assert_int_equal(store_events_by_account(st, "a", NULL, count_one, &n,
                                             &err),
                     CD_OK);
    return n;
}

static void test_job_survives_an_error(void **state)
{
    char dir[] = "/tmp/candor-expire-XXXXXX";
    char db[128], cmd[160];
    struct cd_error err = {0};
    struct config cfg;
    struct store *st = NULL;
    struct expire_job *job = NULL;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/c.db", dir);
    memset(&cfg, 0, sizeof(cfg));
    cfg.db_dialect = CONFIG_DIALECT_SQLITE;
    cfg.db_connection_string = db;
    cfg.app_retention_days = 186;
    assert_int_equal(store_open(&st, CONFIG_DIALECT_SQLITE, db, &err), 0);
    assert_int_equal(store_migrate(st, &err), CD_OK);
    insert_old(st);
    /* The first round fails: there is nowhere to put the tombstones. */
    exec_ok(st, "ALTER TABLE tombstones RENAME TO tombstones_away");
    assert_int_equal(expire_job_start(&job, &cfg, 1, &err), CD_OK);
    sleep(1);
    assert_int_equal(events_left(st), 1);
    /* Repaired, the next round (a second later) does the work. */
    exec_ok(st, "ALTER TABLE tombstones_away RENAME TO tombstones");
    for (int i = 0; i < 40 && events_left(st) != 0; i++)
        usleep(100 * 1000);
    assert_int_equal(events_left(st), 0);
    expire_job_stop(job);
    store_close(st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_survives_an_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
