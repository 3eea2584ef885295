/* pool.h -- a small worker pool for slow CPU work.
 *
 * Argon2id (~35 ms, 16-64 MiB) and RSA-4096 key generation (~1 s) must
 * never run on an event loop. A caller fills a struct crypto_job, submits
 * it, and returns to its loop; a worker thread calls job->run(job) and then,
 * on the same worker thread, job->done(job). done() typically posts the
 * result back to the caller's event loop (http_loop_post()); the pool knows
 * nothing about HTTP. After done() starts the pool never touches the job
 * again, so done() may free it.
 *
 * Overload: at most max_queued jobs wait (running jobs not counted). A
 * submit beyond that returns CD_EAGAIN at once and the job is not run, so
 * the HTTP layer can answer 503 instead of piling up work and memory; the
 * queue bounds both latency and the Argon2 memory in use (one working set
 * per worker).
 *
 * Threading: submit may be called from any thread. crypto_pool_free() must
 * not race with submit: stop the submitters first. It runs every job still
 * queued, then joins the workers. Jobs run in submission order, on
 * whichever worker is free.
 */
#ifndef CD_CRYPTO_POOL_H
#define CD_CRYPTO_POOL_H

#include <stddef.h>

#include "common/err.h"

#define CRYPTO_POOL_MAX_THREADS 64

struct crypto_pool;

struct crypto_job {
    void (*run)(struct crypto_job *job);  /* the slow work, on a worker */
    void (*done)(struct crypto_job *job); /* right after run, same worker */
    struct crypto_job *next;              /* pool-private queue link */
};

/* Start nthreads workers (1..CRYPTO_POOL_MAX_THREADS) with room for
 * max_queued waiting jobs (>= 1). CD_EINVAL for bad sizes, CD_EIO if a
 * thread cannot be started (then nothing is left running). */
int crypto_pool_new(struct crypto_pool **out, unsigned nthreads,
                    size_t max_queued) CD_MUST_CHECK;

/* Queue job; run and done must be set. CD_OK, or CD_EAGAIN if max_queued
 * jobs are already waiting or the pool is shutting down (the job was not
 * queued and neither callback will be called). */
int crypto_pool_submit(struct crypto_pool *p,
                       struct crypto_job *job) CD_MUST_CHECK;

/* Jobs waiting right now (not counting running ones); for metrics. */
size_t crypto_pool_queued(struct crypto_pool *p);

/* Run every queued job, join the workers, free the pool. NULL is allowed. */
void crypto_pool_free(struct crypto_pool *p);

#endif /* CD_CRYPTO_POOL_H */
