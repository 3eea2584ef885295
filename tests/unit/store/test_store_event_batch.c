/* test_store_event_batch.c -- the insert of a batch of events in one
 * statement per chunk: store_events_insert() on its own (unknown secrets,
 * duplicates, anonymous events, the chunk's count and bytes), and the
 * writer's event ops (one batch insert per run, the fallback op by op,
 * sequences in submission order and under the write lock, runs mixed with
 * other ops). On every dialect (CANDOR_TEST_DIALECT). */
#include "common/common.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <time.h>

#include "common/xalloc.h"
#include "store/store.h"

#include "events_test_util.h"

#define ACC "11111111-1111-4111-8111-111111111111"
#define SEQ "01ECHZYJG00000000000000000"
#define WAIT_SECONDS 120

static char text[1 << 16];

/* The i-th of a test's event ids, in id order. */
static void id_of(size_t i, char out[STORE_ULID_SIZE])
{
    snprintf(out, STORE_ULID_SIZE, "01ECHZYJG0%016zu", i);
}

/* n events with ids id_of(0..n); secret "s1" unless changed. */
struct batch {
    struct store_event *ev;
    char (*id)[STORE_ULID_SIZE];
    int *rc;
    size_t n;
};

static void batch_make(struct batch *b, size_t n, const char *payload)
{
    b->n = n;
    b->ev = xcalloc(n, sizeof(*b->ev));
    b->id = xcalloc(n, sizeof(*b->id));
    b->rc = xcalloc(n, sizeof(*b->rc));
    for (size_t i = 0; i < n; i++) {
        id_of(i, b->id[i]);
        b->ev[i] = (struct store_event){b->id[i], SEQ, ACC, "s1", payload};
        b->rc[i] = 1;
    }
}

static void batch_free(struct batch *b)
{
    free(b->ev);
    free(b->id);
    free(b->rc);
}

/* store_events_insert() in a transaction of its own, committed if it
 * returned CD_OK. */
static int insert_tx(struct store *st, struct batch *b)
{
    struct cd_error err = {0};
    int rc;

    OK(store_begin(st, &err));
    rc = store_events_insert(st, b->ev, b->n, b->rc, &err);
    if (rc == CD_OK)
        OK(store_commit(st, &err));
    else
        OK(store_rollback(st, &err));
    return rc;
}

static long long rows(const char *path)
{
    return file_int(path, "SELECT COUNT(*) FROM events");
}

/* ---- store_events_insert() -------------------------------------------- */

static void test_batch_commits_all(void **state)
{
    struct cd_error err = {0};
    struct t_rows got = {0};
    struct batch b;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "a.db");
    path = tdir_file(&d, "a.db");
    OK(store_secret_put(st, "s1", "{1,} key", &err));
    batch_make(&b, 10, "{1,} payload \"quoted\" \\ <&> \x01 caf\xc3\xa9");
    b.ev[3].secret_id = NULL; /* anonymous, beside the others */
    OK(insert_tx(st, &b));
    for (size_t i = 0; i < b.n; i++)
        assert_int_equal(b.rc[i], CD_OK);
    assert_int_equal(rows(path), 10);
    /* The rows as given, the JSON's escapes undone. */
    OK(store_events_by_account(st, ACC, NULL, t_event, &got, &err));
    assert_int_equal(got.n, 10);
    for (size_t i = 0; i < got.n; i++) {
        assert_string_equal(got.v[i].event_id, b.id[i]);
        assert_string_equal(got.v[i].sequence, SEQ);
        assert_string_equal(got.v[i].account_id, ACC);
        assert_string_equal(got.v[i].payload, b.ev[0].payload);
        if (i == 3)
            assert_null(got.v[i].secret_id);
        else
            assert_string_equal(got.v[i].secret_id, "s1");
    }
    t_rows_free(&got);
    /* Nothing to insert. */
    OK(store_events_insert(st, NULL, 0, NULL, &err));
    batch_free(&b);
    store_close(st);
    tdir_remove(&d);
}

static void test_batch_unknown_secret(void **state)
{
    struct cd_error err = {0};
    struct batch b;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "u.db");
    path = tdir_file(&d, "u.db");
    OK(store_secret_put(st, "s1", "{1,} key", &err));
    batch_make(&b, 5, "{1,} p");
    b.ev[2].secret_id = "nope";
    OK(insert_tx(st, &b));
    assert_int_equal(b.rc[0], CD_OK);
    assert_int_equal(b.rc[1], CD_OK);
    assert_int_equal(b.rc[2], CD_ENOTFOUND);
    assert_int_equal(b.rc[3], CD_OK);
    assert_int_equal(b.rc[4], CD_OK);
    file_lines(path, "SELECT event_id FROM events ORDER BY event_id", text,
               sizeof(text));
    assert_string_equal(text, "01ECHZYJG00000000000000000\n"
                              "01ECHZYJG00000000000000001\n"
                              "01ECHZYJG00000000000000003\n"
                              "01ECHZYJG00000000000000004\n");
    batch_free(&b);
    store_close(st);
    tdir_remove(&d);
}

static void test_batch_duplicate_and_invalid(void **state)
{
    struct cd_error err = {0};
    struct batch b;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "x.db");
    path = tdir_file(&d, "x.db");
    OK(store_secret_put(st, "s1", "{1,} key", &err));
    batch_make(&b, 4, "{1,} p");
    /* An id twice in the batch: the statement fails as a whole. */
    b.ev[3].event_id = b.id[1];
    assert_int_equal(insert_tx(st, &b), CD_EEXIST);
    assert_int_equal(rows(path), 0);
    /* An id that exists already. */
    b.ev[3].event_id = b.id[3];
    OK(store_begin(st, &err));
    OK(store_event_insert(st, &b.ev[2], &err));
    OK(store_commit(st, &err));
    assert_int_equal(insert_tx(st, &b), CD_EEXIST);
    assert_int_equal(rows(path), 1);
    /* An invalid event is refused before any statement. */
    b.ev[2].event_id = "01ECHZYJG0AAAAAAAAAAAAAAAA";
    b.ev[1].payload = NULL;
    assert_int_equal(insert_tx(st, &b), CD_EINVAL);
    assert_int_equal(rows(path), 1);
    b.ev[1].payload = "{1,} p";
    OK(insert_tx(st, &b));
    assert_int_equal(rows(path), 5);
    assert_int_equal(store_events_insert(st, NULL, 1, b.rc, &err),
                     CD_EINVAL);
    batch_free(&b);
    store_close(st);
    tdir_remove(&d);
}

/* n events with ids from first on, unknown secrets at the given
 * positions, through one call. */
static void chunk_case(struct store *st, const char *path, size_t first,
                       size_t n, size_t bad1, size_t bad2)
{
    struct batch b;
    long long before = rows(path);

    batch_make(&b, n, "{1,} p");
    for (size_t i = 0; i < n; i++)
        id_of(first + i, b.id[i]);
    b.ev[bad1].secret_id = "nope";
    b.ev[bad2].secret_id = "nope";
    assert_int_equal(insert_tx(st, &b), CD_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(b.rc[i],
                         i == bad1 || i == bad2 ? CD_ENOTFOUND : CD_OK);
    assert_int_equal(rows(path), before + (long long)n - 2);
    batch_free(&b);
}

static void test_batch_chunks(void **state)
{
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "k.db");
    path = tdir_file(&d, "k.db");
    OK(store_secret_put(st, "s1", "{1,} key", &err));
    /* Exactly one chunk, the last event's secret unknown. */
    chunk_case(st, path, 0, STORE_EVENTS_CHUNK, 0, STORE_EVENTS_CHUNK - 1);
    /* One past: the last event alone in a second chunk. */
    chunk_case(st, path, 1000, STORE_EVENTS_CHUNK + 1,
               STORE_EVENTS_CHUNK - 1, STORE_EVENTS_CHUNK);
    store_close(st);
    tdir_remove(&d);
}

/* Payloads whose JSON is six bytes per byte: three of the largest do not
 * fit one chunk's bytes. */
static void test_batch_chunk_bytes(void **state)
{
    char *big = xmalloc(STORE_TEXT_MAX + 1);
    struct cd_error err = {0};
    struct t_rows got = {0};
    struct batch b;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    memset(big, '<', STORE_TEXT_MAX);
    big[STORE_TEXT_MAX] = '\0';
    tdir_make(&d);
    st = ev_store(&d, "b.db");
    path = tdir_file(&d, "b.db");
    OK(store_secret_put(st, "s1", "{1,} key", &err));
    batch_make(&b, 4, big);
    b.ev[3].secret_id = "nope";
    OK(insert_tx(st, &b));
    assert_int_equal(b.rc[0], CD_OK);
    assert_int_equal(b.rc[2], CD_OK);
    assert_int_equal(b.rc[3], CD_ENOTFOUND);
    assert_int_equal(rows(path), 3);
    OK(store_events_by_account(st, ACC, NULL, t_event, &got, &err));
    assert_int_equal(got.n, 3);
    assert_string_equal(got.v[2].payload, big);
    t_rows_free(&got);
    batch_free(&b);
    store_close(st);
    free(big);
    tdir_remove(&d);
}

/* ---- the writer's event ops ------------------------------------------- */

struct ctx {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    bool gate_entered;
    bool gate_open;
};

struct wop {
    struct store_op op; /* first */
    struct ctx *ctx;
    const char *secret_id;  /* the event's; NULL: anonymous */
    const char *force_id;   /* the event_id to use instead of a new one */
    const char *put_secret; /* an apply op: insert this secret */
    char event_id[STORE_ULID_SIZE];
    char sequence[STORE_ULID_SIZE];
    int events;             /* event() calls */
    int rc;
};

static struct wop *wop_of(struct store_op *op)
{
    return (struct wop *)(void *)op;
}

static int wop_event(struct store_op *op, struct store_event *ev,
                     struct cd_error *err)
{
    struct wop *o = wop_of(op);

    (void)err;
    o->events++;
    assert_int_equal(t_next(o->event_id), CD_OK);
    assert_int_equal(t_next(o->sequence), CD_OK);
    if (o->force_id != NULL)
        snprintf(o->event_id, sizeof(o->event_id), "%s", o->force_id);
    *ev = (struct store_event){o->event_id, o->sequence, ACC, o->secret_id,
                               "{1,} p"};
    return CD_OK;
}

static int wop_put_secret(struct store *st, struct store_op *op,
                          struct cd_error *err)
{
    return store_secret_put(st, wop_of(op)->put_secret, "{1,} key", err);
}

/* Holds the writer until the test has queued a batch behind it. */
static int wop_gate(struct store *st, struct store_op *op,
                    struct cd_error *err)
{
    struct ctx *c = wop_of(op)->ctx;

    (void)st;
    (void)err;
    pthread_mutex_lock(&c->mu);
    c->gate_entered = true;
    pthread_cond_broadcast(&c->cv);
    while (!c->gate_open)
        pthread_cond_wait(&c->cv, &c->mu);
    pthread_mutex_unlock(&c->mu);
    return CD_OK;
}

static void wop_done(struct store_op *op, int rc)
{
    struct wop *o = wop_of(op);

    pthread_mutex_lock(&o->ctx->mu);
    o->rc = rc;
    o->ctx->done++;
    pthread_cond_broadcast(&o->ctx->cv);
    pthread_mutex_unlock(&o->ctx->mu);
}

static void wait_for(struct ctx *c, const bool *flag, int done)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_SECONDS;
    pthread_mutex_lock(&c->mu);
    while (flag != NULL ? !*flag : c->done < done) {
        if (pthread_cond_timedwait(&c->cv, &c->mu, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&c->mu);
            fail_msg("timed out waiting for the writer");
        }
    }
    pthread_mutex_unlock(&c->mu);
}

/* A writer test: ops[0] is the gate, ops[1..n) queued behind it, so
 * they are one batch; all are done when it returns, and *s holds the
 * writer's counters from before the gate opened to after. */
struct wtest {
    struct tdir d;
    const char *path;
    struct store *st;
    struct ctx c;
    struct wop *ops;
    size_t n;
    struct store_writer_stats s;
};

static void wtest_setup(struct wtest *t, size_t n)
{
    struct cd_error err = {0};

    memset(t, 0, sizeof(*t));
    tdir_make(&t->d);
    t->st = ev_store(&t->d, "w.db");
    t->path = tdir_file(&t->d, "w.db");
    OK(store_secret_put(t->st, "s1", "{1,} key", &err));
    pthread_mutex_init(&t->c.mu, NULL);
    pthread_cond_init(&t->c.cv, NULL);
    t->n = n;
    t->ops = xcalloc(n, sizeof(*t->ops));
    for (size_t i = 0; i < n; i++) {
        t->ops[i].ctx = &t->c;
        t->ops[i].op.done = wop_done;
        t->ops[i].op.event = wop_event;
        t->ops[i].secret_id = "s1";
        t->ops[i].rc = 1;
    }
    t->ops[0].op.event = NULL;
    t->ops[0].op.apply = wop_gate;
}

static void wtest_run(struct wtest *t)
{
    struct store_writer *w = NULL;
    struct store_writer_stats before;
    struct cd_error err = {0};

    OK(store_writer_start(&w, test_dialect(), t->path, &err));
    store_writer_submit(w, &t->ops[0].op);
    wait_for(&t->c, &t->c.gate_entered, 0);
    for (size_t i = 1; i < t->n; i++)
        store_writer_submit(w, &t->ops[i].op);
    store_writer_stats(w, &before);
    pthread_mutex_lock(&t->c.mu);
    t->c.gate_open = true;
    pthread_cond_broadcast(&t->c.cv);
    pthread_mutex_unlock(&t->c.mu);
    wait_for(&t->c, NULL, (int)t->n);
    store_writer_stats(w, &t->s);
    store_writer_stop(w);
    t->s.batches -= before.batches;
    t->s.retried -= before.retried;
    assert_int_equal(t->s.batches, 2); /* the gate's, then the rest */
    assert_int_equal(t->s.largest_batch, t->n - 1);
}

static void wtest_end(struct wtest *t)
{
    free(t->ops);
    pthread_cond_destroy(&t->c.cv);
    pthread_mutex_destroy(&t->c.mu);
    store_close(t->st);
    tdir_remove(&t->d);
}

/* Sequences strictly increasing in submission order, each on its row. */
static void expect_sequences(const struct wtest *t)
{
    char sql[256];

    for (size_t i = 1; i < t->n; i++) {
        if (t->ops[i].op.event == NULL || t->ops[i].rc != CD_OK)
            continue;
        for (size_t j = i + 1; j < t->n; j++) {
            if (t->ops[j].op.event != NULL) {
                assert_true(strcmp(t->ops[i].sequence,
                                   t->ops[j].sequence) < 0);
                break;
            }
        }
        snprintf(sql, sizeof(sql),
                 "SELECT COUNT(*) FROM events WHERE event_id = '%s' AND "
                 "sequence = '%s'",
                 t->ops[i].event_id, t->ops[i].sequence);
        assert_int_equal(file_int(t->path, sql), 1);
    }
}

static void test_writer_batch(void **state)
{
    struct wtest t;

    (void)state;
    wtest_setup(&t, 1 + 40);
    t.ops[20].secret_id = "nope"; /* in the middle */
    t.ops[21].secret_id = NULL;   /* anonymous */
    t_ulids_reset();
    wtest_run(&t);
    for (size_t i = 1; i < t.n; i++) {
        assert_int_equal(t.ops[i].rc, i == 20 ? CD_ENOTFOUND : CD_OK);
        assert_int_equal(t.ops[i].events, 1); /* never run again */
    }
    assert_int_equal(t.s.retried, 0);
    assert_int_equal(rows(t.path), 39);
    expect_sequences(&t);
    wtest_end(&t);
}

/* At the chunk's count, and one past. */
static void test_writer_chunk(void **state)
{
    (void)state;
    for (size_t n = STORE_EVENTS_CHUNK; n <= STORE_EVENTS_CHUNK + 1; n++) {
        struct wtest t;

        wtest_setup(&t, 1 + n);
        t.ops[n].secret_id = "nope"; /* the last */
        wtest_run(&t);
        for (size_t i = 1; i <= n; i++)
            assert_int_equal(t.ops[i].rc, i == n ? CD_ENOTFOUND : CD_OK);
        assert_int_equal(t.s.retried, 0);
        assert_int_equal(rows(t.path), (long long)n - 1);
        expect_sequences(&t);
        wtest_end(&t);
    }
}

/* A duplicate event id: the batch goes op by op, and only that event
 * fails. */
static void test_writer_duplicate(void **state)
{
    struct wtest t;

    (void)state;
    wtest_setup(&t, 1 + 6);
    t.ops[3].force_id = "01ECHZYJG0AAAAAAAAAAAAAAAA";
    file_exec(t.path, "INSERT INTO events (event_id, sequence, account_id, "
                      "secret_id, payload) VALUES "
                      "('01ECHZYJG0AAAAAAAAAAAAAAAA', '" SEQ "', '" ACC
                      "', NULL, 'x')");
    t.ops[5].secret_id = "nope";
    wtest_run(&t);
    for (size_t i = 1; i < t.n; i++) {
        assert_int_equal(t.ops[i].rc, i == 3   ? CD_EEXIST
                                      : i == 5 ? CD_ENOTFOUND
                                               : CD_OK);
        assert_int_equal(t.ops[i].events, 2); /* minted again */
    }
    assert_int_equal(t.s.retried, 1);
    assert_int_equal(rows(t.path), 1 + 4);
    expect_sequences(&t);
    wtest_end(&t);
}

/* Runs of event ops between other ops: each run sees what the ops
 * before it wrote. */
static void test_writer_mixed(void **state)
{
    struct wtest t;

    (void)state;
    wtest_setup(&t, 1 + 8);
    t.ops[1].secret_id = "s2"; /* not yet: unknown */
    t.ops[3].op.event = NULL;
    t.ops[3].op.apply = wop_put_secret;
    t.ops[3].put_secret = "s2";
    t.ops[4].secret_id = "s2";
    t.ops[5].secret_id = NULL;
    t.ops[6].op.event = NULL;
    t.ops[6].op.apply = wop_put_secret;
    t.ops[6].put_secret = "s3";
    t.ops[7].secret_id = "s3";
    wtest_run(&t);
    for (size_t i = 1; i < t.n; i++)
        assert_int_equal(t.ops[i].rc, i == 1 ? CD_ENOTFOUND : CD_OK);
    assert_int_equal(t.s.retried, 0);
    assert_int_equal(rows(t.path), 5);
    assert_int_equal(file_int(t.path, "SELECT COUNT(*) FROM events WHERE "
                                      "secret_id IS NULL"),
                     1);
    expect_sequences(&t);
    wtest_end(&t);
}

/* SQLite: each sequence is minted with the write lock held (another
 * connection cannot take it then), in the batch insert's path. */
static char lock_path[PATH_MAX];
static int probes, probes_locked;

static void lock_probe(void)
{
    sqlite3 *db = db_open(lock_path);
    char *msg = NULL;
    int rc;

    sqlite3_busy_timeout(db, 0);
    rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
    sqlite3_free(msg);
    probes++;
    if (rc == SQLITE_BUSY)
        probes_locked++;
    else
        db_exec(db, "ROLLBACK");
    sqlite3_close(db);
}

/* The writer remembers the secrets it has committed events under: the
 * next event under one goes in without its secret looked up (counted as
 * unchecked), and only once the first has committed; an unknown secret is
 * still refused. */
static void test_writer_known_secrets(void **state)
{
    static const char *const secrets[] = {"s1", "s1", "nope", "s2", "s2",
                                          "s1"};
    static const uint64_t unchecked[] = {0, 1, 1, 1, 2, 3};
    struct store_writer *w = NULL;
    struct store_writer_stats s;
    struct cd_error err = {0};
    struct wtest t;
    struct wop extra;

    (void)state;
    wtest_setup(&t, CD_ARRAY_SIZE(secrets));
    OK(store_secret_put(t.st, "s2", "{1,} key two", &err));
    t_ulids_reset();
    OK(store_writer_start(&w, test_dialect(), t.path, &err));
    /* one op at a time, each its own batch */
    for (size_t i = 0; i < t.n; i++) {
        t.ops[i].op = (struct store_op){.event = wop_event, .done = wop_done};
        t.ops[i].secret_id = secrets[i];
        store_writer_submit(w, &t.ops[i].op);
        wait_for(&t.c, NULL, (int)i + 1);
        store_writer_stats(w, &s);
        assert_int_equal(s.unchecked, unchecked[i]);
        assert_int_equal(t.ops[i].rc,
                         strcmp(secrets[i], "nope") == 0 ? CD_ENOTFOUND
                                                         : CD_OK);
    }
    assert_int_equal(file_int(t.path, "SELECT COUNT(*) FROM events WHERE "
                                      "secret_id = 's1'"), 3);
    assert_int_equal(file_int(t.path, "SELECT COUNT(*) FROM events WHERE "
                                      "secret_id = 's2'"), 2);
    assert_int_equal(file_int(t.path, "SELECT COUNT(*) FROM events WHERE "
                                      "secret_id = 'nope'"), 0);
    if (test_on_sqlite()) {
        /* On SQLite the lookup is skipped, which shows when the secret's
         * row goes behind the writer's back (Candor never does this):
         * the writer still lets s1's event in. The server databases'
         * batch insert looks every secret up. */
        file_exec(t.path, "DELETE FROM secrets WHERE secret_id = 's1'");
        memset(&extra, 0, sizeof(extra));
        extra.ctx = &t.c;
        extra.op = (struct store_op){.event = wop_event, .done = wop_done};
        extra.secret_id = "s1";
        store_writer_submit(w, &extra.op);
        wait_for(&t.c, NULL, (int)t.n + 1);
        assert_int_equal(extra.rc, CD_OK);
        store_writer_stats(w, &s);
        assert_int_equal(s.unchecked, 4);
    }
    store_writer_stop(w);
    wtest_end(&t);
}

static void test_writer_mints_under_lock(void **state)
{
    struct wtest t;

    (void)state;
    SKIP_UNLESS_SQLITE("only SQLite's write lock covers the database");
    wtest_setup(&t, 1 + 10);
    snprintf(lock_path, sizeof(lock_path), "%s", t.path);
    probes = probes_locked = 0;
    t_on_next = lock_probe;
    wtest_run(&t);
    t_on_next = NULL;
    assert_int_equal(probes, 2 * 10);
    assert_int_equal(probes_locked, probes);
    assert_int_equal(t.s.retried, 0);
    assert_int_equal(rows(t.path), 10);
    wtest_end(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_commits_all),
        cmocka_unit_test(test_batch_unknown_secret),
        cmocka_unit_test(test_batch_duplicate_and_invalid),
        cmocka_unit_test(test_batch_chunks),
        cmocka_unit_test(test_batch_chunk_bytes),
        cmocka_unit_test(test_writer_batch),
        cmocka_unit_test(test_writer_chunk),
        cmocka_unit_test(test_writer_duplicate),
        cmocka_unit_test(test_writer_mixed),
        cmocka_unit_test(test_writer_mints_under_lock),
        cmocka_unit_test(test_writer_known_secrets),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
