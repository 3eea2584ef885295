/* test_store_writer.c -- the group-commit writer: many producers, failing
 * ops inside a batch, a broken transaction, draining on stop, the batch
 * cap, acknowledged writes surviving a killed process, and the checkpoint
 * thread (SQLite's only), which keeps the log short under a steady load. */
#include "common/common.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "common/xalloc.h"
#include "store/store.h"

#include "store_test_util.h"

#define WAIT_SECONDS 120

static char text[4096];

/* What the callbacks share with the test thread. */
struct ctx {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done_count;   /* done() calls so far */
    bool gate_entered; /* the gate op is running on the writer thread */
    bool gate_open;    /* the test lets it finish */
    void *user;        /* a test's own state */
};

struct top {
    struct store_op op; /* first: done() gets our struct back */
    struct ctx *ctx;
    int key;            /* row to insert; -1: none */
    int fail_rc;        /* apply returns this after its insert */
    int done_calls;
    int rc;
    int order;          /* position among all done() calls */
};

static struct top *top_of(struct store_op *op)
{
    return (struct top *)(void *)op;
}

static void ctx_init(struct ctx *c)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
}

static void ctx_release(struct ctx *c)
{
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
}

static void on_done(struct store_op *op, int rc)
{
    struct top *t = top_of(op);

    pthread_mutex_lock(&t->ctx->mu);
    t->done_calls++;
    t->rc = rc;
    t->order = t->ctx->done_count++;
    pthread_cond_broadcast(&t->ctx->cv);
    pthread_mutex_unlock(&t->ctx->mu);
}

static int apply_insert(struct store *st, struct store_op *op,
                        struct cd_error *err)
{
    struct top *t = top_of(op);
    char sql[64];
    int rc = CD_OK;

    if (t->key >= 0) {
        snprintf(sql, sizeof(sql), "INSERT INTO t (k) VALUES (%d)", t->key);
        rc = store_exec(st, sql, err);
    }
    return rc < 0 ? rc : t->fail_rc;
}

/* Blocks the writer thread until the test opens the gate, so that what
 * the test submits meanwhile is queued, and then taken as one batch. */
static int apply_gate(struct store *st, struct store_op *op,
                      struct cd_error *err)
{
    struct ctx *c = top_of(op)->ctx;

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

/* Breaks the rules the way a failing disk would: the transaction is gone
 * by the time apply returns. */
static int apply_kill_txn(struct store *st, struct store_op *op,
                          struct cd_error *err)
{
    (void)op;
    return store_exec(st, "ROLLBACK", err);
}

static int apply_auto_row(struct store *st, struct store_op *op,
                          struct cd_error *err)
{
    (void)op;
    /* MySQL has no DEFAULT VALUES, and its AUTO_INCREMENT would take the
     * key 0 that apply_insert() writes as "number it for me". */
    return store_exec(st,
                      test_dialect() == CONFIG_DIALECT_MYSQL
                          ? "INSERT INTO t (k) SELECT COALESCE(MAX(k), 0) + 1 "
                            "FROM t"
                          : "INSERT INTO t DEFAULT VALUES",
                      err);
}

/* Table t: an integer key that numbers rows by itself when none is given
 * (SQLite's rowid alias; MySQL numbers them in apply_auto_row()). */
#define T_TABLE                                                              \
    (test_dialect() == CONFIG_DIALECT_POSTGRES                               \
         ? "CREATE TABLE t (k SERIAL PRIMARY KEY)"                           \
         : "CREATE TABLE t (k INTEGER PRIMARY KEY)")

static void top_init(struct top *t, struct ctx *c, int key,
                     int (*apply)(struct store *, struct store_op *,
                                  struct cd_error *))
{
    memset(t, 0, sizeof(*t));
    t->op.apply = apply;
    t->op.done = on_done;
    t->ctx = c;
    t->key = key;
}

static void wait_until(struct ctx *c, bool (*cond)(struct ctx *, int), int n)
{
    struct timespec deadline;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WAIT_SECONDS;
    pthread_mutex_lock(&c->mu);
    while (!cond(c, n)) {
        if (pthread_cond_timedwait(&c->cv, &c->mu, &deadline) == ETIMEDOUT) {
            pthread_mutex_unlock(&c->mu);
            fail_msg("timed out waiting for the writer");
        }
    }
    pthread_mutex_unlock(&c->mu);
}

static bool done_at_least(struct ctx *c, int n)
{
    return c->done_count >= n;
}

static bool gate_is_entered(struct ctx *c, int n)
{
    (void)n;
    return c->gate_entered;
}

static void gate_close_and_submit(struct ctx *c, struct store_writer *w,
                                  struct top *gate)
{
    pthread_mutex_lock(&c->mu);
    c->gate_entered = false;
    c->gate_open = false;
    pthread_mutex_unlock(&c->mu);
    top_init(gate, c, -1, apply_gate);
    store_writer_submit(w, &gate->op);
    wait_until(c, gate_is_entered, 0);
}

static void gate_open(struct ctx *c)
{
    pthread_mutex_lock(&c->mu);
    c->gate_open = true;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

/* A migrated-enough database with table t, and a writer on it. */
static struct store_writer *setup(struct tdir *d, const char **path)
{
    struct store_writer *w = NULL;
    struct cd_error err = {0};

    tdir_make(d);
    *path = tdir_file(d, "w.db");
    file_exec(*path, T_TABLE);
    if (store_writer_start(&w, test_dialect(), *path, &err) != CD_OK)
        fail_msg("store_writer_start: %s", err.msg);
    assert_non_null(w);
    return w;
}

static void test_start_errors(void **state)
{
    struct store_writer *w = (struct store_writer *)&w;
    struct cd_error err = {0};
    struct tdir d;

    (void)state;
    assert_int_equal(store_writer_start(&w, (enum config_dialect)99, "x",
                                        &err),
                     CD_EINVAL);
    assert_null(w);
    tdir_make(&d);
    assert_int_equal(store_writer_start(&w, CONFIG_DIALECT_SQLITE,
                                        tdir_file(&d, "missing/dir/w.db"),
                                        &err),
                     CD_ESTORE);
    assert_null(w);
    store_writer_stop(NULL);
    tdir_remove(&d);
}

#define PRODUCERS 4
#define PER_PRODUCER 2000

struct producer {
    struct store_writer *w;
    struct top *ops; /* PER_PRODUCER of them */
};

static void *produce(void *arg)
{
    struct producer *p = arg;

    for (int i = 0; i < PER_PRODUCER; i++)
        store_writer_submit(p->w, &p->ops[i].op);
    return NULL;
}

static void test_many_producers(void **state)
{
    struct top *ops = xcalloc(PRODUCERS * PER_PRODUCER, sizeof(*ops));
    struct producer prod[PRODUCERS];
    struct store_writer_stats s;
    pthread_t th[PRODUCERS];
    struct store_writer *w;
    struct tdir d;
    struct ctx c;
    const char *path;

    (void)state;
    ctx_init(&c);
    w = setup(&d, &path);
    for (int i = 0; i < PRODUCERS * PER_PRODUCER; i++)
        top_init(&ops[i], &c, i, apply_insert);
    for (int i = 0; i < PRODUCERS; i++) {
        prod[i].w = w;
        prod[i].ops = ops + i * PER_PRODUCER;
        assert_int_equal(pthread_create(&th[i], NULL, produce, &prod[i]), 0);
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(th[i], NULL);
    wait_until(&c, done_at_least, PRODUCERS * PER_PRODUCER);
    store_writer_stats(w, &s);
    assert_int_equal(s.ops, PRODUCERS * PER_PRODUCER);
    assert_int_equal(s.failed, 0);
    assert_int_equal(s.queued, 0);
    assert_true(s.batches >= 1 && s.batches <= PRODUCERS * PER_PRODUCER);
    assert_true(s.largest_batch <= STORE_WRITER_BATCH_MAX);
    store_writer_stop(w);

    for (int i = 0; i < PRODUCERS * PER_PRODUCER; i++) {
        assert_int_equal(ops[i].done_calls, 1);
        assert_int_equal(ops[i].rc, CD_OK);
        /* Each producer's ops were acknowledged in its submission order. */
        if (i % PER_PRODUCER != 0)
            assert_true(ops[i].order > ops[i - 1].order);
    }
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM t"),
                     PRODUCERS * PER_PRODUCER);
    assert_int_equal(file_int(path, "SELECT MAX(k) FROM t"),
                     PRODUCERS * PER_PRODUCER - 1);
    free(ops);
    ctx_release(&c);
    tdir_remove(&d);
}

static void test_failing_op_alone(void **state)
{
    struct store_writer_stats s0, s1;
    struct store_writer *w;
    struct top gate, op[6];
    struct tdir d;
    struct ctx c;
    const char *path;

    (void)state;
    ctx_init(&c);
    w = setup(&d, &path);
    gate_close_and_submit(&c, w, &gate);
    store_writer_stats(w, &s0);
    top_init(&op[0], &c, 1, apply_insert);
    top_init(&op[1], &c, 1, apply_insert); /* duplicate key: fails */
    top_init(&op[2], &c, 2, apply_insert);
    top_init(&op[3], &c, 3, apply_insert);
    op[3].fail_rc = CD_EINVAL;             /* inserts, then fails */
    top_init(&op[4], &c, 4, apply_insert);
    top_init(&op[5], &c, 5, apply_insert);
    op[5].fail_rc = 7;                     /* not a valid code */
    for (int i = 0; i < 6; i++)
        store_writer_submit(w, &op[i].op);
    gate_open(&c);
    wait_until(&c, done_at_least, 7);
    store_writer_stats(w, &s1);
    /* The gate's batch and one more: the six shared one transaction. */
    assert_int_equal(s1.batches - s0.batches, 2);
    assert_int_equal(s1.failed, 0);
    store_writer_stop(w);

    assert_int_equal(gate.rc, CD_OK);
    assert_int_equal(op[0].rc, CD_OK);
    assert_int_equal(op[1].rc, CD_ESTORE);
    assert_int_equal(op[2].rc, CD_OK);
    assert_int_equal(op[3].rc, CD_EINVAL);
    assert_int_equal(op[4].rc, CD_OK);
    assert_int_equal(op[5].rc, CD_ESTORE);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(op[i].done_calls, 1);
        assert_int_equal(op[i].order, i + 1); /* submission order */
    }
    /* op[3]'s and op[5]'s inserts were undone with their savepoints. */
    file_lines(path, "SELECT k FROM t ORDER BY k", text, sizeof(text));
    assert_string_equal(text, "1\n2\n4\n");
    ctx_release(&c);
    tdir_remove(&d);
}

/* BEGIN .. COMMIT broken under the writer: nothing in that batch is
 * acknowledged, not even the op that had succeeded before, and the writer
 * carries on with the next batch. */
static void test_broken_transaction(void **state)
{
    struct store_writer_stats s0, s1;
    struct store_writer *w;
    struct top gate, op[3], after;
    struct tdir d;
    struct ctx c;
    const char *path;

    (void)state;
    ctx_init(&c);
    w = setup(&d, &path);
    gate_close_and_submit(&c, w, &gate);
    store_writer_stats(w, &s0);
    top_init(&op[0], &c, 1, apply_insert);
    top_init(&op[1], &c, -1, apply_kill_txn);
    top_init(&op[2], &c, 2, apply_insert);
    for (int i = 0; i < 3; i++)
        store_writer_submit(w, &op[i].op);
    gate_open(&c);
    wait_until(&c, done_at_least, 4);
    store_writer_stats(w, &s1);
    assert_int_equal(s1.batches - s0.batches, 2);
    assert_int_equal(s1.failed - s0.failed, 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(op[i].done_calls, 1);
        assert_int_equal(op[i].rc, CD_ESTORE);
    }
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM t"), 0);

    top_init(&after, &c, 3, apply_insert);
    store_writer_submit(w, &after.op);
    wait_until(&c, done_at_least, 5);
    assert_int_equal(after.rc, CD_OK);
    store_writer_stop(w);
    file_lines(path, "SELECT k FROM t ORDER BY k", text, sizeof(text));
    assert_string_equal(text, "3\n");
    ctx_release(&c);
    tdir_remove(&d);
}

/* done(CD_OK) means committed: another connection sees the row at once. */
static void test_ack_means_committed(void **state)
{
    struct store_writer *w;
    struct tdir d;
    struct ctx c;
    struct top op;
    const char *path;

    (void)state;
    ctx_init(&c);
    w = setup(&d, &path);
    for (int i = 0; i < 20; i++) {
        char sql[64];

        top_init(&op, &c, 100 + i, apply_insert);
        store_writer_submit(w, &op.op);
        wait_until(&c, done_at_least, i + 1);
        assert_int_equal(op.rc, CD_OK);
        snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM t WHERE k = %d",
                 100 + i);
        assert_int_equal(file_int(path, sql), 1);
    }
    store_writer_stop(w);
    ctx_release(&c);
    tdir_remove(&d);
}

struct stopper {
    struct store_writer *w;
};

static void *stop_writer(void *arg)
{
    store_writer_stop(((struct stopper *)arg)->w);
    return NULL;
}

#define QUEUED_AT_STOP 100

/* store_writer_stop() finishes what is queued, including an op submitted
 * while stop is already waiting. */
static void test_stop_drains_queue(void **state)
{
    struct top *ops = xcalloc(QUEUED_AT_STOP + 1, sizeof(*ops));
    struct timespec pause = {0, 50 * 1000000L};
    struct stopper sp;
    struct top gate;
    pthread_t th;
    struct tdir d;
    struct ctx c;
    const char *path;

    (void)state;
    ctx_init(&c);
    sp.w = setup(&d, &path);
    gate_close_and_submit(&c, sp.w, &gate);
    for (int i = 0; i < QUEUED_AT_STOP; i++) {
        top_init(&ops[i], &c, i, apply_insert);
        store_writer_submit(sp.w, &ops[i].op);
    }
    assert_int_equal(pthread_create(&th, NULL, stop_writer, &sp), 0);
    nanosleep(&pause, NULL); /* let stop() start waiting */
    top_init(&ops[QUEUED_AT_STOP], &c, QUEUED_AT_STOP, apply_insert);
    store_writer_submit(sp.w, &ops[QUEUED_AT_STOP].op);
    gate_open(&c);
    pthread_join(th, NULL);

    assert_int_equal(c.done_count, QUEUED_AT_STOP + 2);
    assert_int_equal(gate.done_calls, 1);
    for (int i = 0; i <= QUEUED_AT_STOP; i++) {
        assert_int_equal(ops[i].done_calls, 1);
        assert_int_equal(ops[i].rc, CD_OK);
    }
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM t"),
                     QUEUED_AT_STOP + 1);
    free(ops);
    ctx_release(&c);
    tdir_remove(&d);
}

/* Queue n ops behind the gate, release them, and return how many
 * transactions they took and the largest one. */
static void run_queued(struct store_writer *w, struct ctx *c, int n,
                       uint64_t *batches, size_t *largest)
{
    struct top *ops = xcalloc((size_t)n, sizeof(*ops));
    struct store_writer_stats s0, s1;
    struct top gate;
    int before;

    gate_close_and_submit(c, w, &gate);
    store_writer_stats(w, &s0);
    before = c->done_count;
    for (int i = 0; i < n; i++) {
        top_init(&ops[i], c, -1, apply_auto_row);
        store_writer_submit(w, &ops[i].op);
    }
    store_writer_stats(w, &s1);
    assert_int_equal(s1.queued, (size_t)n);
    gate_open(c);
    wait_until(c, done_at_least, before + n + 1);
    store_writer_stats(w, &s1);
    for (int i = 0; i < n; i++)
        assert_int_equal(ops[i].rc, CD_OK);
    *batches = s1.batches - s0.batches - 1; /* the gate's own batch */
    *largest = s1.largest_batch;
    free(ops);
}

static void test_batch_cap(void **state)
{
    struct store_writer *w;
    uint64_t batches = 0;
    size_t largest = 0;
    struct tdir d;
    struct ctx c;
    const char *path;

    (void)state;
    ctx_init(&c);
    w = setup(&d, &path);
    /* Exactly at the cap: one transaction. */
    run_queued(w, &c, STORE_WRITER_BATCH_MAX, &batches, &largest);
    assert_int_equal(batches, 1);
    assert_int_equal(largest, STORE_WRITER_BATCH_MAX);
    /* One past it: a full one and a single. */
    run_queued(w, &c, STORE_WRITER_BATCH_MAX + 1, &batches, &largest);
    assert_int_equal(batches, 2);
    assert_int_equal(largest, STORE_WRITER_BATCH_MAX);
    store_writer_stop(w);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM t"),
                     2 * STORE_WRITER_BATCH_MAX + 1);
    ctx_release(&c);
    tdir_remove(&d);
}

/* ---- a process killed while writing ------------------------------------ */

#define CRASH_OPS 200000
#define CRASH_ACKS 3000

struct crash_op {
    struct store_op op;
    int key;
    int fd; /* acknowledgements go here */
};

static int apply_crash(struct store *st, struct store_op *op,
                       struct cd_error *err)
{
    struct crash_op *c = (struct crash_op *)(void *)op;
    char sql[64];

    snprintf(sql, sizeof(sql), "INSERT INTO t (k) VALUES (%d)", c->key);
    return store_exec(st, sql, err);
}

static void done_crash(struct store_op *op, int rc)
{
    struct crash_op *c = (struct crash_op *)(void *)op;

    if (rc == CD_OK && write(c->fd, &c->key, sizeof(c->key)) < 0)
        _exit(3);
    free(c);
}

/* The child: submit as fast as the writer keeps up, acknowledge every
 * committed op on the pipe, until the parent kills it. */
static void crash_child(const char *path, int fd)
{
    struct store_writer *w = NULL;
    struct store_writer_stats s;
    struct timespec nap = {0, 1000000L};

    if (store_writer_start(&w, test_dialect(), path, NULL) != CD_OK)
        _exit(2);
    for (int i = 0; i < CRASH_OPS; i++) {
        struct crash_op *c = xcalloc(1, sizeof(*c));

        c->op.apply = apply_crash;
        c->op.done = done_crash;
        c->key = i;
        c->fd = fd;
        store_writer_submit(w, &c->op);
        store_writer_stats(w, &s);
        while (s.queued > 5000) {
            nanosleep(&nap, NULL);
            store_writer_stats(w, &s);
        }
    }
    store_writer_stop(w);
    _exit(0);
}

static void test_acked_writes_survive_kill(void **state)
{
    int fds[2], key, acked = 0, status = 0;
    bool killed = false;
    struct tdir d;
    const char *path;
    char sql[96];
    pid_t pid;

    (void)state;
    tdir_make(&d);
    path = tdir_file(&d, "crash.db");
    if (test_on_sqlite())
        file_exec(path, "PRAGMA journal_mode=WAL");
    file_exec(path, T_TABLE);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        crash_child(path, fds[1]);
    }
    close(fds[1]);
    /* Acknowledgements arrive in submission order: 0, 1, 2, ... */
    while (read(fds[0], &key, sizeof(key)) == (ssize_t)sizeof(key)) {
        assert_int_equal(key, acked);
        acked++;
        if (acked == CRASH_ACKS && !killed) {
            assert_int_equal(kill(pid, SIGKILL), 0);
            killed = true;
        }
    }
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(killed);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    /* Everything acknowledged before the kill (and possibly a little
     * more) is in the database. */
    assert_true(acked >= CRASH_ACKS);
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM t WHERE k < %d", acked);
    assert_int_equal(file_int(path, sql), acked);
    tdir_remove(&d);
}

#define CKPT_ROWS 50
#define CKPT_POLLS 40 /* of STORE_WRITER_CHECKPOINT_MS each */

/* Commits leave their pages in the write-ahead log (store_wal_manual());
 * the checkpoint thread copies them into the database file within
 * STORE_WRITER_CHECKPOINT_MS, while the writer still runs. */
static void test_checkpointer_copies_log_back(void **state)
{
    struct top ops[CKPT_ROWS];
    struct store_writer *w;
    struct tdir d;
    struct ctx c;
    const char *path;
    char copy[PATH_MAX + 16];
    long long in_file = -1;

    (void)state;
    SKIP_UNLESS_SQLITE("the write-ahead log and its checkpoints are "
                       "SQLite's");
    ctx_init(&c);
    w = setup(&d, &path);
    snprintf(copy, sizeof(copy), "%s/copy.db", d.path);
    /* Several batches: each op waits for the one before. */
    for (int i = 0; i < CKPT_ROWS; i++) {
        top_init(&ops[i], &c, i, apply_insert);
        store_writer_submit(w, &ops[i].op);
        if (i % 10 == 9)
            wait_until(&c, done_at_least, i + 1);
    }
    wait_until(&c, done_at_least, CKPT_ROWS);
    for (int i = 0; i < CKPT_ROWS; i++)
        assert_int_equal(ops[i].rc, CD_OK);
    for (int i = 0; i < CKPT_POLLS && in_file != CKPT_ROWS; i++) {
        struct timespec nap = {0, STORE_WRITER_CHECKPOINT_MS * 1000000L};

        nanosleep(&nap, NULL);
        copy_file(path, copy); /* the main file alone, no -wal */
        in_file = file_int(copy, "SELECT COUNT(*) FROM t");
        unlink(copy);
    }
    assert_int_equal(in_file, CKPT_ROWS);
    store_writer_stop(w);
    ctx_release(&c);
    tdir_remove(&d);
}

/* store_checkpoint() reports the log: its length, and the frames a
 * reader's older snapshot keeps from being copied; with flush set as
 * without. A database with no log of its own reports 0 and 0. */
static void test_checkpoint_reports_the_log(void **state)
{
    struct store *st = NULL;
    struct cd_error err = {0};
    struct store_wal wal = {-7, -7};
    sqlite3 *reader = NULL;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = tdir_file(&d, "w.db");
    file_exec(path, T_TABLE);
    assert_int_equal(store_open(&st, test_dialect(), path, &err), CD_OK);
    if (!store_has_checkpoint(st)) {
        assert_int_equal(store_checkpoint(st, true, &wal, &err), CD_OK);
        assert_int_equal(wal.frames, 0);
        assert_int_equal(wal.left, 0);
        goto out;
    }
    store_wal_manual(st);
    assert_int_equal(store_exec(st, "INSERT INTO t (k) VALUES (1)", &err),
                     CD_OK);
    assert_int_equal(store_checkpoint(st, true, &wal, &err), CD_OK);
    assert_true(wal.frames > 0);
    assert_int_equal(wal.left, 0);

    /* A reader inside a transaction keeps its snapshot, and the frames
     * after it stay in the log. */
    assert_int_equal(sqlite3_open(path, &reader), SQLITE_OK);
    assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT COUNT(*) FROM t",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(store_exec(st, "INSERT INTO t (k) VALUES (2)", &err),
                     CD_OK);
    assert_int_equal(store_checkpoint(st, false, &wal, &err), CD_OK);
    assert_true(wal.left > 0);
    assert_true(wal.left <= wal.frames);
    assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(store_checkpoint(st, true, &wal, &err), CD_OK);
    assert_int_equal(wal.left, 0);
    sqlite3_close(reader);
out:
    store_close(st);
    tdir_remove(&d);
}

/* A RESTART checkpoint on its own connection that waits in its busy
 * handler (holding SQLite's checkpoint lock) until told to stop. */
struct held_ckpt {
    sqlite3 *db;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool inside, release;
};

static int held_busy(void *arg, int tries)
{
    struct held_ckpt *h = arg;
    struct timespec until;

    (void)tries;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10; /* a test that hangs fails rather than waits */
    pthread_mutex_lock(&h->mu);
    h->inside = true;
    pthread_cond_broadcast(&h->cv);
    while (!h->release &&
           pthread_cond_timedwait(&h->cv, &h->mu, &until) == 0)
        ;
    pthread_mutex_unlock(&h->mu);
    return 0; /* give up: the checkpoint returns SQLITE_BUSY */
}

static void *held_run(void *arg)
{
    struct held_ckpt *h = arg;

    sqlite3_busy_handler(h->db, held_busy, h);
    /* a connection that has not read yet has no log to checkpoint */
    sqlite3_exec(h->db, "SELECT COUNT(*) FROM t", NULL, NULL, NULL);
    sqlite3_wal_checkpoint_v2(h->db, NULL, SQLITE_CHECKPOINT_RESTART, NULL,
                              NULL);
    return NULL;
}

/* While another connection runs a checkpoint, store_checkpoint() cannot
 * take SQLite's checkpoint lock: it reports -1 frames and -1 left
 * ("another checkpoint runs"), not an error. */
static void test_checkpoint_while_another_runs(void **state)
{
    struct store *st = NULL;
    struct cd_error err = {0};
    struct store_wal wal = {-7, -7};
    struct held_ckpt h = {.inside = false, .release = false};
    sqlite3 *reader = NULL;
    pthread_t thread;
    struct tdir d;
    const char *path;

    (void)state;
    SKIP_UNLESS_SQLITE("the checkpoint lock is SQLite's");
    tdir_make(&d);
    path = tdir_file(&d, "b.db");
    file_exec(path, T_TABLE);
    assert_int_equal(store_open(&st, test_dialect(), path, &err), CD_OK);
    store_wal_manual(st);
    assert_int_equal(store_exec(st, "INSERT INTO t (k) VALUES (1)", &err),
                     CD_OK);
    /* a reader in the log keeps the RESTART checkpoint waiting */
    assert_int_equal(sqlite3_open(path, &reader), SQLITE_OK);
    assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT COUNT(*) FROM t",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_open(path, &h.db), SQLITE_OK);
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.cv, NULL);
    assert_int_equal(pthread_create(&thread, NULL, held_run, &h), 0);
    pthread_mutex_lock(&h.mu);
    while (!h.inside)
        pthread_cond_wait(&h.cv, &h.mu);
    pthread_mutex_unlock(&h.mu);

    assert_int_equal(store_checkpoint(st, true, &wal, &err), CD_OK);
    assert_int_equal(wal.frames, -1);
    assert_int_equal(wal.left, -1);

    pthread_mutex_lock(&h.mu);
    h.release = true;
    pthread_cond_broadcast(&h.cv);
    pthread_mutex_unlock(&h.mu);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL),
                     SQLITE_OK);
    /* the lock is free again: a report of the log as it is */
    assert_int_equal(store_checkpoint(st, true, &wal, &err), CD_OK);
    assert_true(wal.frames >= 0);
    assert_int_equal(wal.left, 0);
    sqlite3_close(reader);
    sqlite3_close(h.db);
    pthread_cond_destroy(&h.cv);
    pthread_mutex_destroy(&h.mu);
    store_close(st);
    tdir_remove(&d);
}

#define LOG_FRAMES 64    /* the test writer's catch-up length */
#define LOG_NAP_NS 1000000L /* each steady op's time in its transaction */
#define LOG_RESTARTS 8   /* caught-up logs to see */
#define LOG_SECONDS 20   /* at most, writing without a pause */

/* A writer that never pauses: each op's done() submits it again, so the
 * queue is never empty between two batches, and each op holds its
 * transaction open for a moment, as a batch of many events would (so
 * the test writes a few thousand pages, not a few hundred thousand). */
struct steady {
    struct top t; /* first: done() gets our struct back */
    struct store_writer *w;
    time_t until;
    long ops;
    int rc;       /* the first op's result that was not CD_OK */
    bool finished;
};

static void steady_done(struct store_op *op, int rc)
{
    struct steady *s = (struct steady *)(void *)op;
    struct store_writer_stats st;

    /* On the writer thread: the test's thread checks s->rc. */
    if (rc != CD_OK && s->rc == CD_OK)
        s->rc = rc;
    s->ops++;
    store_writer_stats(s->w, &st);
    if (rc == CD_OK && st.log_copied < LOG_RESTARTS &&
        time(NULL) < s->until) {
        store_writer_submit(s->w, op);
        return;
    }
    pthread_mutex_lock(&s->t.ctx->mu);
    s->finished = true;
    pthread_cond_broadcast(&s->t.ctx->cv);
    pthread_mutex_unlock(&s->t.ctx->mu);
}

static int apply_steady(struct store *st, struct store_op *op,
                        struct cd_error *err)
{
    struct timespec nap = {0, LOG_NAP_NS};

    nanosleep(&nap, NULL);
    return apply_auto_row(st, op, err);
}

static bool steady_finished(struct ctx *c, int n)
{
    (void)c;
    (void)n;
    return ((struct steady *)(void *)c->user)->finished;
}

/* The checkpoint sequence number in a log's header: SQLite adds one each
 * time the log starts again from its first frame. */
static long log_restarts(const char *wal_path)
{
    unsigned char h[16];
    FILE *f = fopen(wal_path, "rb");
    size_t n = f != NULL ? fread(h, 1, sizeof(h), f) : 0;

    if (f != NULL)
        fclose(f);
    if (n != sizeof(h))
        return -1;
    return (long)h[12] << 24 | (long)h[13] << 16 | (long)h[14] << 8 | h[15];
}

/* Under a load that never lets the writer idle, the checkpointer still
 * gets the log started again (the writer held for its last pass), so the
 * log stays short next to what was written through it. Without that, no
 * transaction would ever begin with the whole log copied back: the log
 * would hold every page written. */
static void test_steady_writes_keep_the_log_short(void **state)
{
    struct store_writer *w = NULL;
    struct store_writer_stats st;
    struct cd_error err = {0};
    struct steady s;
    struct stat wal;
    struct tdir d;
    struct ctx c;
    char wal_path[PATH_MAX + 8];
    const char *path;

    (void)state;
    SKIP_UNLESS_SQLITE("the write-ahead log and its checkpoints are "
                       "SQLite's");
    ctx_init(&c);
    tdir_make(&d);
    path = tdir_file(&d, "w.db");
    file_exec(path, T_TABLE);
    if (store_writer_start_log(&w, test_dialect(), path, LOG_FRAMES, &err) !=
        CD_OK)
        fail_msg("store_writer_start_log: %s", err.msg);
    memset(&s, 0, sizeof(s));
    top_init(&s.t, &c, 0, apply_steady);
    s.t.op.done = steady_done;
    s.w = w;
    s.until = time(NULL) + LOG_SECONDS;
    c.user = &s;
    store_writer_submit(w, &s.t.op);
    wait_until(&c, steady_finished, 0);

    assert_int_equal(s.rc, CD_OK);
    store_writer_stats(w, &st);
    snprintf(wal_path, sizeof(wal_path), "%s-wal", path);
    assert_int_equal(stat(wal_path, &wal), 0);
    print_message("%ld commits, %llu last passes, the log %lld bytes, "
                  "started again %ld times\n",
                  s.ops, (unsigned long long)st.log_pauses,
                  (long long)wal.st_size, log_restarts(wal_path));
    assert_true(st.log_copied >= LOG_RESTARTS);
    /* SQLite's own count: the log did start again (the last pass may be
     * followed by its restart only at the next commit). */
    assert_true(log_restarts(wal_path) >= LOG_RESTARTS - 1);
    /* Each commit wrote at least one page through the log. */
    assert_true(wal.st_size < s.ops * 4096 / 2);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM t"), s.ops);
    store_writer_stop(w);
    ctx_release(&c);
    tdir_remove(&d);
}

/* Sessions on the test's database, the counting one included. */
#define SESSIONS_SQL                                                         \
    (test_dialect() == CONFIG_DIALECT_POSTGRES                               \
         ? "SELECT COUNT(*) FROM pg_stat_activity "                          \
           "WHERE datname = current_database()"                              \
         : "SELECT COUNT(*) FROM information_schema.PROCESSLIST "            \
           "WHERE DB = DATABASE()")

/* PostgreSQL and MySQL manage their logs: the writer holds one connection
 * and no checkpoint connection beside it. */
static void test_no_checkpointer_on_servers(void **state)
{
    struct store_writer *w;
    struct tdir d;
    const char *path;
    long long n = -1;

    (void)state;
    SKIP_UNLESS_SERVER();
    w = setup(&d, &path);
    /* A session just closed may linger in the list for a moment. */
    for (int i = 0; i < CKPT_POLLS && n != 2; i++) {
        struct timespec nap = {0, 50 * 1000000L};

        n = file_int(path, SESSIONS_SQL);
        if (n != 2)
            nanosleep(&nap, NULL);
    }
    assert_int_equal(n, 2); /* the writer's and ours */
    store_writer_stop(w);
    tdir_remove(&d);
}

int main(void)

{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_errors),
        cmocka_unit_test(test_many_producers),
        cmocka_unit_test(test_failing_op_alone),
        cmocka_unit_test(test_broken_transaction),
        cmocka_unit_test(test_ack_means_committed),
        cmocka_unit_test(test_stop_drains_queue),
        cmocka_unit_test(test_batch_cap),
        cmocka_unit_test(test_acked_writes_survive_kill),
        cmocka_unit_test(test_checkpointer_copies_log_back),
        cmocka_unit_test(test_checkpoint_reports_the_log),
        cmocka_unit_test(test_checkpoint_while_another_runs),
        cmocka_unit_test(test_steady_writes_keep_the_log_short),
        cmocka_unit_test(test_no_checkpointer_on_servers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
