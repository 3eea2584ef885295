/* app.c -- what every loop and worker shares, and each loop's own state.
 *
 * api_app_init() derives the keys from the server secret and starts the
 * worker pool; cmd_serve owns the result for the life of the server. Each
 * event loop opens its own database connection in api_loop_init().
 */
#include "common/common.h"
#include "api/api.h"

#include <unistd.h>

#include "api/ratelimit.h"
#include "common/config.h"
#include "common/xalloc.h"
#include "crypto/pool.h"
#include "crypto/ulid.h"
#include "mail/mail.h"
#include "http/http.h"
#include "store/store.h"

#define API_POOL_QUEUE 1024 /* waiting slow jobs before we answer 503 */

int api_app_init(struct api_app *app, const struct config *cfg,
                 struct cd_error *err)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cpus < 2 ? 2 : cpus > 16 ? 16 : (unsigned)cpus;
    int rc;

    memset(app, 0, sizeof(*app));
    app->cfg = cfg;
    rc = operator_keys_init(&app->keys, cfg->secret, cfg->secret_len, err);
    if (rc < 0)
        return rc;
    rc = crypto_pool_new(&app->pool, threads, API_POOL_QUEUE);
    if (rc < 0) {
        operator_keys_release(&app->keys);
        return cd_error_set(err, rc, "cannot start the worker pool");
    }
    app->mailer = mailer_new(cfg);
    /* Reverse-proxy mode has no limiter at all, the routes go straight to
     * their handlers: Offen's behaviour (its limiter is a no-op there,
     * offen-server.md §8); the proxy is expected to limit. */
    if (cfg->server_reverse_proxy)
        rc = CD_OK;
    else if (cfg->ratelimit == CONFIG_RATELIMIT_DATABASE)
        rc = ratelimit_new_keyed(&app->ratelimit, ratelimit_database_new(app),
                                 cfg->secret, cfg->secret_len);
    else
        rc = ratelimit_new(&app->ratelimit,
                           ratelimit_memory_new(RATELIMIT_MEMORY_CAP));
    if (rc < 0) {
        api_app_release(app);
        return cd_error_set(err, rc, "cannot start the rate limiter");
    }
    return CD_OK;
}

void api_app_release(struct api_app *app)
{
    crypto_pool_free(app->pool);
    app->pool = NULL;
    mailer_free(app->mailer);
    app->mailer = NULL;
    operator_keys_release(&app->keys);
    ratelimit_free(app->ratelimit);
    app->ratelimit = NULL;
}

int api_loop_init(void *app, int index, void **data, struct cd_error *err)
{
    struct api_app *a = app;
    struct api_loop *l = xcalloc(1, sizeof(*l));
    int rc;

    CD_UNUSED(index);
    rc = store_open(&l->store, a->cfg->db_dialect, a->cfg->db_connection_string,
                    err);
    if (rc < 0) {
        free(l);
        return rc;
    }
    *data = l;
    return CD_OK;
}

void api_loop_fini(void *app, void *data)
{
    struct api_loop *l = data;

    CD_UNUSED(app);
    if (l == NULL)
        return;
    store_close(l->store);
    free(l);
}

struct api_loop *api_loop_of(struct http_req *r)
{
    return http_loop_data(http_req_loop(r));
}

struct api_app *api_app_of(struct http_req *r)
{
    return http_app(r);
}

const char *api_retention_name(int days)
{
    switch (days) {
    case 84: return "12weeks";
    case 42: return "6weeks";
    case 30: return "30days";
    case 7:  return "7days";
    }
    return "6months";
}

void api_keep_max(char *seq, const char *s)
{
    if (s != NULL && strcmp(s, seq) > 0)
        snprintf(seq, CRYPTO_ULID_SIZE, "%s", s);
}
