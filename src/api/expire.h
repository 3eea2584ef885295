/* expire.h -- removing events past the retention period.
 *
 * Offen deletes events older than the retention (by the time in their id,
 * i.e. when the server received them) every hour on a single node, and
 * leaves a tombstone for each so clients learn of the deletion. Candor does
 * the same, but its hourly job survives errors (Offen's stops for good at
 * the first one). `candor expire` runs it once, for cron on many nodes.
 */
#ifndef CD_API_EXPIRE_H
#define CD_API_EXPIRE_H

#include <stddef.h>

#include "common/err.h"

struct store;
struct config;
struct expire_job;

#define EXPIRE_INTERVAL_S 3600

/* Remove the events older than cfg's retention; *removed counts them. */
int expire_run(struct store *st, const struct config *cfg, size_t *removed,
               struct cd_error *err) CD_MUST_CHECK;

/* One round, as the job and `candor expire` run it: open cfg's database on
 * a connection of its own, expire_run() and close it. The schema must be
 * migrated already (this does not migrate). */
int expire_once(const struct config *cfg, size_t *removed,
                struct cd_error *err) CD_MUST_CHECK;

/* Start a thread that runs expire_once() now and every interval_s seconds
 * on a connection of its own, logging (not stopping on) errors. */
int expire_job_start(struct expire_job **out, const struct config *cfg,
                     int interval_s, struct cd_error *err) CD_MUST_CHECK;
void expire_job_stop(struct expire_job *j); /* NULL is ignored */

#endif /* CD_API_EXPIRE_H */
