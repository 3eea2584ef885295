/* expire.c -- the retention job (see expire.h). */
#include "common/common.h"
#include "api/expire.h"

#include <pthread.h>
#include <signal.h>

#include "common/config.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "crypto/ulid.h"
#include "store/store.h"

static const struct store_ulids expire_ulids = {
    .next = crypto_ulid_new,
    .sibling = crypto_ulid_sibling,
};

struct expire_job {
    const struct config *cfg;
    int interval_s;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
};

int expire_run(struct store *st, const struct config *cfg, size_t *removed,
               struct cd_error *err)
{
    char deadline[CRYPTO_ULID_SIZE];
    int64_t cutoff = timefmt_now_ms() -
                     (int64_t)cfg->app_retention_days * 86400 * 1000;

    *removed = 0;
    if (crypto_ulid_at(cutoff, deadline) < 0)
        return cd_error_set(err, CD_EIO, "cannot compute the deadline");
    return store_expire(st, deadline, &expire_ulids, removed, err);
}

int expire_once(const struct config *cfg, size_t *removed,
                struct cd_error *err)
{
    struct store *st = NULL;
    int rc;

    *removed = 0;
    rc = store_open(&st, cfg->db_dialect, cfg->db_connection_string, err);
    if (rc == CD_OK)
        rc = expire_run(st, cfg, removed, err);
    store_close(st);
    return rc;
}

/* One round; every failure is logged and the job goes on. */
static void round_once(const struct config *cfg)
{
    struct cd_error err = {0};
    size_t removed = 0;

    if (expire_once(cfg, &removed, &err) < 0)
        log_error("expiring old events failed (the job goes on): %s",
                  err.msg);
    else
        log_info("Cron successfully pruned expired events removed=%zu",
                 removed);
}

static void *job_main(void *arg)
{
    struct expire_job *j = arg;

    pthread_setname_np(pthread_self(), "candor-expire");
    pthread_mutex_lock(&j->mu);
    while (!j->stopping) {
        struct timespec until;

        pthread_mutex_unlock(&j->mu);
        round_once(j->cfg);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += j->interval_s;
        pthread_mutex_lock(&j->mu);
        while (!j->stopping &&
               pthread_cond_timedwait(&j->wake, &j->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

int expire_job_start(struct expire_job **out, const struct config *cfg,
                     int interval_s, struct cd_error *err)
{
    struct expire_job *j = xcalloc(1, sizeof(*j));
    sigset_t all, old;
    int e;

    j->cfg = cfg;
    j->interval_s = interval_s;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->wake, NULL);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    e = pthread_create(&j->thread, NULL, job_main, j);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        pthread_cond_destroy(&j->wake);
        pthread_mutex_destroy(&j->mu);
        free(j);
        *out = NULL;
        return cd_error_set(err, CD_EIO, "cannot start the expiry job");
    }
    *out = j;
    return CD_OK;
}

void expire_job_stop(struct expire_job *j)
{
    if (j == NULL)
        return;
    pthread_mutex_lock(&j->mu);
    j->stopping = true;
    pthread_cond_signal(&j->wake);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->thread, NULL);
    pthread_cond_destroy(&j->wake);
    pthread_mutex_destroy(&j->mu);
    free(j);
}
