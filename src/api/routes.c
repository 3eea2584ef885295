/* routes.c -- the route table, and the per-loop state handlers share.
 *
 * Every API route is listed here, in one place, with its method, pattern
 * and flags; later issues add their resources here. Routes not listed fall
 * through to the static files and the single-page-app index (http/static.c).
 */
#include "common/common.h"
#include "api/api.h"

#include <stdlib.h>

#include "common/config.h"
#include "common/xalloc.h"
#include "http/http.h"
#include "store/store.h"

const struct route api_routes[] = {
    {"*", "/healthz", api_healthz, ROUTE_NO_STORE},
    {"GET", "/versionz", api_versionz, ROUTE_NO_STORE},
};
const size_t api_routes_count = CD_ARRAY_SIZE(api_routes);

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

int api_status_from_rc(int rc)
{
    switch (rc) {
    case CD_OK:         return 200;
    case CD_EINVAL:     return 400;
    case CD_EPROTO:     return 400;
    case CD_EAUTH:      return 401;
    case CD_EFORBIDDEN: return 403;
    case CD_ENOTFOUND:  return 404;
    case CD_EEXIST:     return 409;
    case CD_ETOOBIG:    return 413;
    case CD_EAGAIN:     return 429;
    case CD_ESTORE:     return 503;
    }
    return 500;
}
