/* test_pool.c -- crypto/pool: every job runs and completes exactly once,
 * from many submitting threads; done() runs on the worker right after run()
 * and may free the job; the queue bound answers CD_EAGAIN; free drains. */
#include "common/common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "crypto_test.h"

#include "crypto/pool.h"

struct counted_job {
    struct crypto_job job; /* first: the pool hands us this pointer */
    atomic_int runs;
    atomic_int dones;
    pthread_t runner;
    atomic_int same_thread; /* done() ran on the thread that ran run() */
};

static void counted_run(struct crypto_job *j)
{
    struct counted_job *c = (struct counted_job *)j;

    c->runner = pthread_self();
    atomic_fetch_add(&c->runs, 1);
}

static void counted_done(struct crypto_job *j)
{
    struct counted_job *c = (struct counted_job *)j;

    atomic_store(&c->same_thread, pthread_equal(c->runner, pthread_self()));
    atomic_fetch_add(&c->dones, 1);
}

static void test_new_args(void **state)
{
    struct crypto_pool *p = NULL;

    (void)state;
    assert_int_equal(crypto_pool_new(&p, 0, 10), CD_EINVAL);
    assert_int_equal(crypto_pool_new(&p, CRYPTO_POOL_MAX_THREADS + 1, 10),
                     CD_EINVAL);
    assert_int_equal(crypto_pool_new(&p, 2, 0), CD_EINVAL);
    assert_null(p);
    assert_int_equal(crypto_pool_new(&p, 1, 1), CD_OK);
    assert_int_equal(crypto_pool_queued(p), 0);
    crypto_pool_free(p);
    crypto_pool_free(NULL);
}

#define SUBMITTERS 4
#define PER_SUBMITTER 500

struct submitter {
    struct crypto_pool *pool;
    struct counted_job *jobs; /* PER_SUBMITTER of them */
};

static void *submit_all(void *arg)
{
    struct submitter *s = arg;

    for (int i = 0; i < PER_SUBMITTER; i++) {
        struct crypto_job *j = &s->jobs[i].job;

        j->run = counted_run;
        j->done = counted_done;
        while (crypto_pool_submit(s->pool, j) == CD_EAGAIN)
            sched_yield(); /* queue full: back off and retry */
    }
    return NULL;
}

static void test_many_submitters(void **state)
{
    struct counted_job *jobs = calloc(SUBMITTERS * PER_SUBMITTER,
                                      sizeof(*jobs));
    struct submitter subs[SUBMITTERS];
    pthread_t threads[SUBMITTERS];
    struct crypto_pool *p = NULL;

    (void)state;
    assert_non_null(jobs);
    assert_int_equal(crypto_pool_new(&p, 3, 64), CD_OK);
    for (int i = 0; i < SUBMITTERS; i++) {
        subs[i] = (struct submitter){ p, jobs + i * PER_SUBMITTER };
        assert_int_equal(pthread_create(&threads[i], NULL, submit_all,
                                        &subs[i]),
                         0);
    }
    for (int i = 0; i < SUBMITTERS; i++)
        pthread_join(threads[i], NULL);
    crypto_pool_free(p); /* drains what is still queued */
    for (int i = 0; i < SUBMITTERS * PER_SUBMITTER; i++) {
        assert_int_equal(atomic_load(&jobs[i].runs), 1);
        assert_int_equal(atomic_load(&jobs[i].dones), 1);
        assert_true(atomic_load(&jobs[i].same_thread));
    }
    free(jobs);
}

/* A job that blocks its worker until released. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static void gate_run(struct crypto_job *j)
{
    pthread_mutex_lock(&gate_lock);
    gate_entered = 1;
    pthread_cond_broadcast(&gate_cond);
    while (!gate_open)
        pthread_cond_wait(&gate_cond, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
    counted_run(j);
}

static void test_overload(void **state)
{
    struct counted_job gate = { 0 }, queued[3] = { 0 }, refused = { 0 };
    struct crypto_pool *p = NULL;

    (void)state;
    assert_int_equal(crypto_pool_new(&p, 1, 3), CD_OK);
    gate.job.run = gate_run;
    gate.job.done = counted_done;
    assert_int_equal(crypto_pool_submit(p, &gate.job), CD_OK);
    pthread_mutex_lock(&gate_lock); /* wait until the worker is blocked */
    while (!gate_entered)
        pthread_cond_wait(&gate_cond, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
    for (int i = 0; i < 3; i++) { /* exactly max_queued waiting jobs */
        queued[i].job.run = counted_run;
        queued[i].job.done = counted_done;
        assert_int_equal(crypto_pool_submit(p, &queued[i].job), CD_OK);
    }
    assert_int_equal(crypto_pool_queued(p), 3);
    refused.job.run = counted_run;
    refused.job.done = counted_done;
    assert_int_equal(crypto_pool_submit(p, &refused.job), CD_EAGAIN);
    pthread_mutex_lock(&gate_lock);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
    crypto_pool_free(p);
    assert_int_equal(atomic_load(&gate.dones), 1);
    for (int i = 0; i < 3; i++)
        assert_int_equal(atomic_load(&queued[i].dones), 1);
    assert_int_equal(atomic_load(&refused.runs), 0); /* never run */
    assert_int_equal(atomic_load(&refused.dones), 0);
}

/* Heap jobs freed by their own done(); ASan checks the pool never touches
 * a job afterwards. */
static atomic_int freed;

static void slow_run(struct crypto_job *j)
{
    (void)j;
    usleep(200);
}

static void free_done(struct crypto_job *j)
{
    free(j);
    atomic_fetch_add(&freed, 1);
}

static void test_free_drains(void **state)
{
    struct crypto_pool *p = NULL;

    (void)state;
    assert_int_equal(crypto_pool_new(&p, 2, 1000), CD_OK);
    for (int i = 0; i < 300; i++) {
        struct crypto_job *j = calloc(1, sizeof(*j));

        assert_non_null(j);
        j->run = slow_run;
        j->done = free_done;
        assert_int_equal(crypto_pool_submit(p, j), CD_OK);
    }
    crypto_pool_free(p); /* returns only when all 300 are done */
    assert_int_equal(atomic_load(&freed), 300);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_args),
        cmocka_unit_test(test_many_submitters),
        cmocka_unit_test(test_overload),
        cmocka_unit_test(test_free_drains),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
