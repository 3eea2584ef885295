/* writer.c -- group commit: one thread, one connection, one transaction
 * per batch of queued writes.
 *
 * Producers (the event loops) call store_writer_submit(), which appends to
 * a linked queue under a mutex and signals a condition variable; it never
 * touches the database. The writer thread sleeps until the queue is
 * non-empty, detaches up to STORE_WRITER_BATCH_MAX ops, and runs them as:
 *
 *     BEGIN IMMEDIATE
 *       SAVEPOINT cd_op; apply(op1); RELEASE cd_op    (ok)
 *       SAVEPOINT cd_op; apply(op2); ROLLBACK TO cd_op; RELEASE cd_op
 *       ...                                           (op2 failed alone)
 *     COMMIT
 *     done(op1, CD_OK); done(op2, its error); ...     (submission order)
 *
 * So one commit (one WAL append, and at most one fsync at checkpoints) is
 * paid for a whole batch, one bad op does not spoil its neighbours, and no
 * op is acknowledged before the commit that makes it durable has returned.
 *
 * The fast path (run_plain) tries the batch first without savepoints; an
 * op that fails there sends the whole batch back to the path above. In it,
 * a run of consecutive event ops (op->event set) is one
 * store_events_insert(): one statement per chunk of events rather than one
 * per event, which on PostgreSQL and MySQL is one round trip instead of n.
 * An event whose secret is unknown fails alone there (CD_ENOTFOUND)
 * without sending the batch back; any other failure of the insert does.
 * The writer remembers the secret ids it has committed events under
 * (known.h) and marks later events under them secret_known, which SQLite
 * inserts without looking the secret up; an id is remembered only once
 * its batch has committed on the fast path.
 * If the transaction itself fails (BEGIN, COMMIT, or a savepoint step that
 * leaves it in an unknown state), every op whose work was lost gets
 * CD_ESTORE.
 *
 * Checkpoints (SQLite only: store_has_checkpoint()): the writer's commits
 * never copy the write-ahead log back into the database file (and fsync
 * it) themselves; a second thread with a connection of its own does it
 * every STORE_WRITER_CHECKPOINT_MS, passively, so that no acknowledgement
 * waits on a checkpoint's fsync. The thread is started before the writer's
 * commits stop checkpointing; if it cannot be (no connection, no thread),
 * the commits go on checkpointing as SQLite does by default. PostgreSQL
 * and MySQL manage their logs themselves: no second connection, no
 * thread.
 *
 * The log starts again from its first frame only when a transaction
 * begins with every frame copied back. Under a steady load the writer
 * commits while each checkpoint runs, so that never happens on its own:
 * the log would grow by every page written (gigabytes in minutes), and
 * each append to it costs more than an overwrite. So once a pass leaves a
 * log of STORE_WRITER_WAL_FRAMES or more, the checkpointer runs passes
 * one right after the other, each copying what was committed during the
 * one before, until that is little (or CATCH_UP_PASSES have run); then it
 * pauses the writer between two batches for one last pass, which copies
 * the rest, and lets it go on. The writer's next transaction starts the
 * log again. The batches wait for that last pass only (a few hundred
 * pages and two fsyncs). A reader still on an old snapshot can keep
 * frames from being copied; the log then waits for it, as it does with
 * SQLite's own checkpoints.
 *
 * Threading: the struct store is used only by the writer thread after
 * start. The queue and the counters are guarded by mu. Callbacks run on the
 * writer thread without mu held. The thread blocks all signals; they belong
 * to the event loops.
 */
#include "common/common.h"
#include "store/store.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "store/known.h"

#define WRITER_SAVEPOINT "cd_op"

/* A long log is caught up by passes back to back until one has found at
 * most a sixteenth of the writer's wal_frames new, or CATCH_UP_PASSES
 * have run; then the writer waits for the last one. */
#define CATCH_UP_PASSES 8

/* Secret ids the writer remembers having committed events under
 * (known.h): 65,536 slots of 65 bytes, taken at the first event. */
#define KNOWN_SLOTS 65536

struct store_writer {
    struct store *st;         /* owned by the writer thread */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;      /* queue became non-empty, or stopping */
    struct store_op *head;    /* queue, oldest first */
    struct store_op *tail;
    bool stopping;            /* store_writer_stop() was called */
    bool exited;              /* the thread has drained the queue and left */
    struct store_writer_stats stats;
    int *rcs;                 /* per-op results of the current batch */
    struct store_event *evs;  /* the events of a run of event ops */
    struct known known;       /* secret ids with a committed event */
    const char **fresh;       /* the batch's other secret ids with an
                               * event in, to be known once it commits */
    size_t nfresh;
    size_t nunchecked;        /* the batch's events in under a known id */
    struct store *ckpt_st;    /* the checkpointer's connection; NULL
                               * while no checkpoint thread runs */
    pthread_t ckpt_thread;
    pthread_cond_t ckpt_wake; /* the writer exited (own condvar: a signal
                               * on wake must reach the writer) */
    int wal_frames;           /* a log this long is caught up */
    bool pause;               /* the checkpointer's last pass of a long
                               * log: take no batch */
    bool in_batch;            /* the writer is running a batch */
};

/* Take up to STORE_WRITER_BATCH_MAX ops off the queue; w->mu held. */
static struct store_op *take_batch(struct store_writer *w, size_t *n)
{
    struct store_op *first = w->head;
    struct store_op *last = first;
    size_t k = 1;

    while (k < STORE_WRITER_BATCH_MAX && last->next != NULL) {
        last = last->next;
        k++;
    }
    w->head = last->next;
    if (w->head == NULL)
        w->tail = NULL;
    last->next = NULL;
    w->stats.queued -= k;
    *n = k;
    return first;
}

/* One op's work alone: its apply(), or its event inserted by itself. */
static int apply_one(struct store *st, struct store_op *op,
                     struct cd_error *err)
{
    struct store_event ev = {0}; /* secret_known false: checked */
    int rc;

    if (op->event == NULL)
        return op->apply(st, op, err);
    rc = op->event(op, &ev, err);
    return rc != CD_OK ? rc : store_event_insert(st, &ev, err);
}

/* One op under its own savepoint. Its result goes to *op_rc; the return
 * value is negative (detail in *err) only if the transaction can no longer
 * be trusted. */
static int run_op(struct store_writer *w, struct store_op *op, int *op_rc,
                  struct cd_error *err)
{
    struct cd_error op_err = {0};
    int rc = store_savepoint(w->st, WRITER_SAVEPOINT, err);

    *op_rc = CD_ESTORE;
    if (rc < 0)
        return rc;
    *op_rc = apply_one(w->st, op, &op_err);
    if (*op_rc != CD_OK) {
        if (*op_rc > 0)
            *op_rc = CD_ESTORE; /* not a valid code: treat as failure */
        log_debug("store writer: an op failed: %s", op_err.msg);
        rc = store_rollback_to(w->st, WRITER_SAVEPOINT, err);
        if (rc < 0)
            return rc;
    }
    return store_release(w->st, WRITER_SAVEPOINT, err);
}

/* How many ops from op on, at most n, are event ops. */
static size_t event_run(const struct store_op *op, size_t n)
{
    size_t k = 0;

    for (; k < n && op->event != NULL; op = op->next)
        k++;
    return k;
}

/* The k event ops from *op on: each mints its event now, inside the
 * transaction and in submission order, then one store_events_insert()
 * writes them all; their results go to rcs (CD_OK or CD_ENOTFOUND), *op
 * moves past them. Any other failure is returned. */
static int run_events(struct store_writer *w, struct store_op **op,
                      size_t k, int *rcs, struct cd_error *err)
{
    struct store_event *evs = w->evs;
    int rc;

    for (size_t j = 0; j < k; j++, *op = (*op)->next) {
        rc = (*op)->event(*op, &evs[j], err);
        if (rc != CD_OK)
            return rc < 0 ? rc : CD_ESTORE;
        evs[j].secret_known = evs[j].secret_id != NULL &&
                              known_has(&w->known, evs[j].secret_id);
    }
    rc = store_events_insert(w->st, evs, k, rcs, err);
    for (size_t j = 0; j < k && rc == CD_OK; j++) {
        if (rcs[j] != CD_OK || evs[j].secret_id == NULL)
            continue;
        if (evs[j].secret_known)
            w->nunchecked++;
        else
            w->fresh[w->nfresh++] = evs[j].secret_id;
    }
    return rc;
}

/* The next op, or run of event ops, from *op on (at most n); rcs get
 * their results and *op moves past them. Returns how many ran, 0 if one
 * of them failed in a way that sends the batch back. */
static size_t run_next(struct store_writer *w, struct store_op **op,
                       size_t n, int *rcs, struct cd_error *op_err)
{
    size_t k = event_run(*op, n);

    if (k > 0)
        return run_events(w, op, k, rcs, op_err) == CD_OK ? k : 0;
    rcs[0] = (*op)->apply(w->st, *op, op_err);
    *op = (*op)->next;
    return rcs[0] == CD_OK ? 1 : 0;
}

/* The fast path: every op without a savepoint of its own, which saves two
 * statements per op, and each run of event ops in one insert. Returns 1
 * if the batch committed, 0 if an op failed (the transaction is then
 * rolled back and the batch must be run again with savepoints), negative
 * if the database failed. */
static int run_plain(struct store_writer *w, struct store_op *batch, size_t n,
                     struct cd_error *err)
{
    struct cd_error op_err = {0};
    struct store_op *op = batch;
    int rc = store_begin(w->st, err);

    w->nfresh = w->nunchecked = 0;
    for (size_t i = 0, k; i < n && rc == CD_OK; i += k) {
        k = run_next(w, &op, n - i, &w->rcs[i], &op_err);
        /* A failed op, or one that ended the transaction against the
         * contract: redo the batch the careful way. */
        if (k == 0 || !store_in_transaction(w->st)) {
            log_debug("store writer: the batch goes op by op: %s",
                      op_err.msg);
            store_rollback(w->st, NULL);
            return 0;
        }
    }
    if (rc == CD_OK)
        rc = store_commit(w->st, err);
    if (rc < 0) {
        store_rollback(w->st, NULL);
        return rc;
    }
    /* Only now do these secrets surely exist (the ops are not done yet,
     * so their ids are still there). */
    for (size_t j = 0; j < w->nfresh; j++)
        known_add(&w->known, w->fresh[j]);
    return 1;
}

static void run_batch(struct store_writer *w, struct store_op *batch,
                      size_t n)
{
    struct cd_error err = {0};
    struct store_op *op = batch;
    size_t i = n, unchecked = 0;
    int rc = run_plain(w, batch, n, &err);

    if (rc == 1) {
        rc = CD_OK;
        unchecked = w->nunchecked;
        goto out;
    }
    /* An op failed (or the database did): again, each op under its own
     * savepoint, so that the others still commit. */
    pthread_mutex_lock(&w->mu);
    w->stats.retried += rc == 0;
    pthread_mutex_unlock(&w->mu);
    rc = store_begin(w->st, &err);
    for (i = 0; i < n && rc == CD_OK; i++, op = op->next)
        rc = run_op(w, op, &w->rcs[i], &err);
    if (rc == CD_OK)
        rc = store_commit(w->st, &err);
    if (rc < 0) {
        log_error("store writer: a batch of %zu failed: %s", n, err.msg);
        store_rollback(w->st, NULL);
        /* Ops that had failed on their own keep their error; the work of
         * all others (run or not) is gone. */
        for (size_t j = 0; j < n; j++) {
            if (j >= i || w->rcs[j] == CD_OK)
                w->rcs[j] = CD_ESTORE;
        }
    }
out:
    pthread_mutex_lock(&w->mu);
    w->stats.batches++;
    w->stats.failed += rc < 0;
    w->stats.ops += n;
    w->stats.unchecked += unchecked;
    if (n > w->stats.largest_batch)
        w->stats.largest_batch = n;
    pthread_mutex_unlock(&w->mu);
}

/* Acknowledge in submission order; done() may free the op, so read the
 * link first. */
static void finish_batch(struct store_writer *w, struct store_op *batch,
                         size_t n)
{
    struct store_op *op = batch;

    for (size_t i = 0; i < n; i++) {
        struct store_op *next = op->next;

        op->done(op, w->rcs[i]);
        op = next;
    }
}

static void *writer_main(void *arg)
{
    struct store_writer *w = arg;

    pthread_setname_np(pthread_self(), "candor-writer"); /* for top -H, gdb */

    pthread_mutex_lock(&w->mu);
    for (;;) {
        struct store_op *batch;
        size_t n = 0;

        while ((w->head == NULL || w->pause) && !w->stopping)
            pthread_cond_wait(&w->wake, &w->mu);
        if (w->head == NULL)
            break; /* stopping and drained */
        batch = take_batch(w, &n);
        w->in_batch = true;
        pthread_mutex_unlock(&w->mu);
        run_batch(w, batch, n);
        finish_batch(w, batch, n);
        pthread_mutex_lock(&w->mu);
        w->in_batch = false;
        if (w->pause)
            pthread_cond_signal(&w->ckpt_wake);
    }
    w->exited = true;
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The last pass over a long log, with the writer held between two
 * batches, so that it copies every frame and the writer's next
 * transaction starts the log again. */
static void last_pass(struct store_writer *w)
{
    struct cd_error err = {0};
    struct store_wal wal = {-1, -1};
    bool run;

    pthread_mutex_lock(&w->mu);
    w->pause = true;
    while (w->in_batch && !w->exited)
        pthread_cond_wait(&w->ckpt_wake, &w->mu);
    run = !w->exited;
    pthread_mutex_unlock(&w->mu);
    if (run && store_checkpoint(w->ckpt_st, false, &wal, &err) < 0)
        log_warn("store writer: %s", err.msg);
    pthread_mutex_lock(&w->mu);
    w->pause = false;
    w->stats.log_pauses += run;
    w->stats.log_copied += run && wal.left == 0;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
}

/* Sleeps STORE_WRITER_CHECKPOINT_MS, or not at all while a long log is
 * being caught up; false once the writer has exited. */
static bool checkpointer_wait(struct store_writer *w, bool now)
{
    struct timespec until;
    bool go_on;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += STORE_WRITER_CHECKPOINT_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&w->mu);
    if (!w->exited && !now)
        pthread_cond_timedwait(&w->ckpt_wake, &w->mu, &until);
    go_on = !w->exited;
    pthread_mutex_unlock(&w->mu);
    return go_on;
}

static void *checkpointer_main(void *arg)
{
    struct store_writer *w = arg;
    struct cd_error err = {0};
    int passes = 0; /* back to back so far over a long log */
    int last = 0;   /* the log's frames at the pass before */
    bool go_on = true;

    pthread_setname_np(pthread_self(), "candor-ckpt");
    while (go_on) {
        struct store_wal wal;
        int grew;

        go_on = checkpointer_wait(w, passes > 0);
        if (store_checkpoint(w->ckpt_st, passes > 0, &wal, &err) < 0) {
            log_warn("store writer: %s", err.msg);
            passes = 0;
            continue;
        }
        if (!go_on || wal.frames < w->wal_frames) {
            passes = 0;
            continue;
        }
        grew = wal.frames - (passes > 0 ? last : 0);
        last = wal.frames;
        if (++passes == CATCH_UP_PASSES ||
            (passes > 1 && grew <= w->wal_frames / 16)) {
            last_pass(w);
            passes = 0;
        }
    }
    return NULL;
}

/* The checkpointer, where the backend has one (SQLite): its connection
 * and thread. Only once the thread exists do the writer's commits stop
 * checkpointing themselves, so the log never grows without a reader.
 * Without them the checkpoints simply stay where they were: in the
 * writer's commits. Runs before the writer thread, which owns w->st. */
static void start_checkpointer(struct store_writer *w,
                               enum config_dialect dialect, const char *conn)
{
    struct cd_error err = {0};
    int e;

    if (!store_has_checkpoint(w->st))
        return;
    if (store_open(&w->ckpt_st, dialect, conn, &err) < 0) {
        log_warn("store writer: no checkpoint connection: %s", err.msg);
        return;
    }
    e = pthread_create(&w->ckpt_thread, NULL, checkpointer_main, w);
    if (e != 0) {
        log_warn("store writer: cannot start the checkpoint thread: %s",
                 strerror(e));
        store_close(w->ckpt_st);
        w->ckpt_st = NULL;
        return;
    }
    store_wal_manual(w->st);
}

/* Stop the checkpoint thread, if it runs (it leaves once exited is
 * set), and close its connection. */
static void stop_checkpointer(struct store_writer *w)
{
    if (w->ckpt_st == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->exited = true;
    pthread_cond_signal(&w->ckpt_wake);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->ckpt_thread, NULL);
    store_close(w->ckpt_st);
    w->ckpt_st = NULL;
}

/* Both threads with every signal blocked: they belong to the loops. */
static int start_threads(struct store_writer *w, enum config_dialect dialect,
                         const char *conn, struct cd_error *err)
{
    sigset_t all, old;
    int e;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    start_checkpointer(w, dialect, conn);
    e = pthread_create(&w->thread, NULL, writer_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        stop_checkpointer(w);
        return cd_error_set(err, CD_ENOMEM,
                            "cannot start the writer thread: %s",
                            strerror(e));
    }
    return CD_OK;
}

int store_writer_start(struct store_writer **out, enum config_dialect dialect,
                       const char *conn, struct cd_error *err)
{
    return store_writer_start_log(out, dialect, conn, STORE_WRITER_WAL_FRAMES,
                                  err);
}

int store_writer_start_log(struct store_writer **out,
                           enum config_dialect dialect, const char *conn,
                           int wal_frames, struct cd_error *err)
{
    struct store_writer *w = xcalloc(1, sizeof(*w));
    int rc = store_open(&w->st, dialect, conn, err);

    *out = NULL;
    w->wal_frames = wal_frames > 0 ? wal_frames : STORE_WRITER_WAL_FRAMES;
    if (rc < 0)
        goto out;
    w->rcs = xcalloc(STORE_WRITER_BATCH_MAX, sizeof(*w->rcs));
    w->evs = xcalloc(STORE_WRITER_BATCH_MAX, sizeof(*w->evs));
    w->fresh = xcalloc(STORE_WRITER_BATCH_MAX, sizeof(*w->fresh));
    known_init(&w->known, KNOWN_SLOTS);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->ckpt_wake, NULL);
    rc = start_threads(w, dialect, conn, err);
    if (rc < 0) {
        pthread_cond_destroy(&w->wake);
        pthread_cond_destroy(&w->ckpt_wake);
        pthread_mutex_destroy(&w->mu);
        goto out;
    }
    *out = w;
out:
    if (rc < 0) {
        store_close(w->st);
        free(w->rcs);
        free(w->evs);
        free(w->fresh);
        free(w);
    }
    return rc;
}

void store_writer_submit(struct store_writer *w, struct store_op *op)
{
    bool rejected;

    op->next = NULL;
    pthread_mutex_lock(&w->mu);
    rejected = w->exited;
    if (!rejected) {
        if (w->tail != NULL)
            w->tail->next = op;
        else
            w->head = op;
        w->tail = op;
        w->stats.queued++;
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->mu);
    if (rejected)
        op->done(op, CD_ESTORE);
}

void store_writer_stats(struct store_writer *w,
                        struct store_writer_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->stats;
    pthread_mutex_unlock(&w->mu);
}

void store_writer_stop(struct store_writer *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    stop_checkpointer(w); /* exited is set: it leaves */
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->ckpt_wake);
    pthread_mutex_destroy(&w->mu);
    store_close(w->st);
    free(w->rcs);
    free(w->evs);
    free(w->fresh);
    known_release(&w->known);
    free(w);
}
