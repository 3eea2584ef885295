/* health.c -- /healthz and /versionz.
 *
 * /healthz answers any method, as Offen's does, after a real round trip to
 * the database on this loop's own connection: 200 {"ok":true}, or 503 with
 * the error envelope when the database does not answer. (Offen says 502;
 * 503 is what a load balancer expects of a node that cannot serve.)
 * /versionz prints the build revision in Offen's exact layout.
 */
#include "common/common.h"

#include <jansson.h>
#include <stdio.h>

#include "api/api.h"
#include "http/http.h"
#include "store/store.h"

void api_healthz(struct http_req *r)
{
    struct cd_error err = {0};
    int rc = store_ping(api_loop_of(r)->store, &err);

    if (rc < 0) {
        http_reply_error(r, 503, "failed checking health of connected "
                         "persistence layer: %s", err.msg);
        return;
    }
    http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

void api_versionz(struct http_req *r)
{
    char body[256];
    int n;

    /* Offen's layout: 4-space indent, no trailing newline. The revision is
     * a build-time constant without quotes or backslashes. */
    n = snprintf(body, sizeof(body), "{\n    \"revision\": \"%s\"\n}",
                 CANDOR_REVISION);
    http_reply(r, 200, "application/json; charset=utf-8", body, (size_t)n);
}
