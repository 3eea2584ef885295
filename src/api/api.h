/* api.h -- Candor's HTTP API: the route table and what handlers share.
 *
 * The route table is handed to the HTTP server (http/server.h); each handler
 * lives in the file of its resource (health.c, ...). Handlers reach the
 * database through the connection of their own event loop (struct
 * api_loop) and the shared group-commit writer (struct api_app), never
 * through a global.
 */
#ifndef CD_API_API_H
#define CD_API_API_H

#include <stddef.h>

#include "common/err.h"
#include "http/router.h"

struct config;
struct store;
struct store_writer;
struct http_req;

/* Shared by every loop; read-only while serving. */
struct api_app {
    const struct config *cfg;
    struct store_writer *writer; /* group commit; NULL in tests that need none */
};

/* One per event loop, created on that loop's thread. */
struct api_loop {
    struct store *store; /* this loop's own database connection */
};

extern const struct route api_routes[];
extern const size_t api_routes_count;

/* http_server_opts.loop_init / loop_fini: open and close the loop's
 * database connection. app is a struct api_app. */
int api_loop_init(void *app, int index, void **data, struct cd_error *err);
void api_loop_fini(void *app, void *data);

/* The one mapping from CD_E* codes to HTTP statuses. */
int api_status_from_rc(int rc);

/* Handlers (one file per resource). */
void api_healthz(struct http_req *r);
void api_versionz(struct http_req *r);

/* Per-request helpers for handlers. */
struct api_loop *api_loop_of(struct http_req *r);
struct api_app *api_app_of(struct http_req *r);

#endif /* CD_API_API_H */
