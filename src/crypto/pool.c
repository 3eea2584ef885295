/* pool.c -- worker threads with a bounded FIFO queue (see pool.h).
 *
 * One mutex guards the queue and the stopping flag; workers sleep on one
 * condition variable. The queue is an intrusive singly linked list through
 * job->next, so submitting never allocates.
 */
#include "common/common.h"
#include "crypto/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "common/xalloc.h"

struct crypto_pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;     /* signalled on submit and on stop */
    struct crypto_job *head; /* next job to run */
    struct crypto_job *tail; /* last queued job */
    size_t queued;           /* jobs in the list */
    size_t max_queued;       /* submit refuses beyond this */
    bool stopping;           /* set by crypto_pool_free() */
    unsigned nthreads;       /* workers started */
    pthread_t threads[];     /* nthreads entries */
};

/* Take the next job, waiting for one; NULL when stopping and empty. */
static struct crypto_job *next_job(struct crypto_pool *p)
{
    struct crypto_job *job;

    pthread_mutex_lock(&p->lock);
    while (p->head == NULL && !p->stopping)
        pthread_cond_wait(&p->cond, &p->lock);
    job = p->head;
    if (job != NULL) {
        p->head = job->next;
        if (p->head == NULL)
            p->tail = NULL;
        p->queued--;
    }
    pthread_mutex_unlock(&p->lock);
    return job;
}

static void *worker(void *arg)
{
    struct crypto_pool *p = arg;
    struct crypto_job *job;

    pthread_setname_np(pthread_self(), "candor-worker"); /* for top -H, gdb */

    while ((job = next_job(p)) != NULL) {
        job->next = NULL;
        job->run(job);
        job->done(job); /* may free job */
    }
    return NULL;
}

/* Stop and join the first n workers. */
static void stop_workers(struct crypto_pool *p, unsigned n)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < n; i++)
        pthread_join(p->threads[i], NULL);
}

int crypto_pool_new(struct crypto_pool **out, unsigned nthreads,
                    size_t max_queued)
{
    struct crypto_pool *p;

    *out = NULL;
    if (nthreads == 0 || nthreads > CRYPTO_POOL_MAX_THREADS ||
        max_queued == 0)
        return CD_EINVAL;
    p = xcalloc(1, sizeof(*p) + nthreads * sizeof(pthread_t));
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->max_queued = max_queued;
    for (unsigned i = 0; i < nthreads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            stop_workers(p, i);
            pthread_cond_destroy(&p->cond);
            pthread_mutex_destroy(&p->lock);
            free(p);
            return CD_EIO;
        }
        p->nthreads = i + 1;
    }
    *out = p;
    return CD_OK;
}

int crypto_pool_submit(struct crypto_pool *p, struct crypto_job *job)
{
    int rc = CD_EAGAIN;

    job->next = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->stopping || p->queued >= p->max_queued)
        goto out;
    if (p->tail != NULL)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    p->queued++;
    pthread_cond_signal(&p->cond);
    rc = CD_OK;
out:
    pthread_mutex_unlock(&p->lock);
    return rc;
}

size_t crypto_pool_queued(struct crypto_pool *p)
{
    size_t n;

    pthread_mutex_lock(&p->lock);
    n = p->queued;
    pthread_mutex_unlock(&p->lock);
    return n;
}

void crypto_pool_free(struct crypto_pool *p)
{
    if (p == NULL)
        return;
    stop_workers(p, p->nthreads); /* workers drain the queue, then exit */
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
