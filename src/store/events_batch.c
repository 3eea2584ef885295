/* events_batch.c -- the insert of a batch of events, one statement per
 * chunk (store_events_insert()), for the group-commit writer.
 *
 * The events of a chunk travel as one JSON array parameter, each event an
 * array [event_id, sequence, account_id, payload, secret_id] (secret_id
 * left out for an anonymous event), which the dialect's
 * events_insert_known unpacks (json_each on SQLite, jsonb_array_elements
 * on PostgreSQL, JSON_TABLE on MySQL) and inserts where the event is
 * anonymous or its secret exists, RETURNING the event_id of each row. So
 * the statement text is fixed whatever the count (prepared once per
 * connection, never near STORE_MAX_PARAMS), and a batch costs one round
 * trip per chunk instead of one per event. An event whose id did not come
 * back had an unknown secret: CD_ENOTFOUND for it alone.
 *
 * A dialect without that statement (SQLite, where a statement is a
 * function call, and unpacking the JSON costs more than the statements it
 * saves) gets one store_event_insert() per event, with the same results.
 *
 * A chunk holds at most STORE_EVENTS_CHUNK events and EVENTS_JSON_MAX
 * bytes of JSON; an event's JSON is at most EVENT_JSON_MAX (every
 * character of it escaped as \u00XX), so one always fits.
 *
 * Threading: each call uses st only.
 */
#include "common/common.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "store/events_int.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "store/store_int.h"

/* One event as JSON: four ids, the payload, escaped (at most 6 bytes per
 * byte) and quoted, and the brackets and commas. */
#define EVENT_JSON_MAX (4 * (6 * STORE_ID_MAX + 2) + 6 * STORE_TEXT_MAX + 16)
#define EVENTS_JSON_MAX (1024 * 1024)

_Static_assert(EVENT_JSON_MAX + 2 <= EVENTS_JSON_MAX,
               "a chunk holds the largest event");

/* The event_ids one statement returned. */
struct returned {
    char (*id)[STORE_ID_MAX + 1]; /* n of them, then sorted */
    size_t n;
    size_t cap;
};

static int returned_row(void *ctx, const char *const *col, size_t ncol,
                        struct cd_error *err)
{
    struct returned *r = ctx;

    if (ncol != 1 || col[0] == NULL || r->n == r->cap ||
        strlen(col[0]) > STORE_ID_MAX)
        return cd_error_set(err, CD_ESTORE,
                            "the insert returned a row of no event");
    memcpy(r->id[r->n++], col[0], strlen(col[0]) + 1);
    return CD_OK;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* ev as a JSON array into one (replacing what it held). */
static int event_json(struct buf *one, const struct store_event *ev)
{
    const char *s[5] = {ev->event_id, ev->sequence, ev->account_id,
                        ev->payload, ev->secret_id};
    size_t n = ev->secret_id != NULL ? 5 : 4;
    int rc;

    buf_reset(one);
    rc = buf_addch(one, '[');
    for (size_t i = 0; i < n && rc == CD_OK; i++) {
        if (i > 0)
            rc = buf_addch(one, ',');
        if (rc == CD_OK)
            rc = jsonx_add_string(one, s[i], strlen(s[i]));
    }
    if (rc == CD_OK)
        rc = buf_addch(one, ']');
    return rc;
}

/* Events from evs on (at most n) as one chunk's JSON array into json;
 * *k gets how many. Each event is checked first. */
static int chunk_json(struct buf *json, struct buf *one,
                      const struct store_event *evs, size_t n, size_t *k,
                      struct cd_error *err)
{
    int rc = CD_OK;
    size_t i = 0;

    buf_reset(json);
    if (buf_addch(json, '[') < 0)
        return cd_error_set(err, CD_ENOMEM, "no room for a chunk");
    for (; i < n && i < STORE_EVENTS_CHUNK && rc == CD_OK; i++) {
        rc = store_check_event(&evs[i], err);
        if (rc == CD_OK && event_json(one, &evs[i]) < 0)
            rc = cd_error_set(err, CD_EINVAL,
                              "an event is not valid UTF-8");
        if (rc < 0)
            break;
        /* Room for it, a comma and the closing bracket, or the chunk
         * ends before it. */
        if (json->len + one->len + 2 >= EVENTS_JSON_MAX)
            break;
        if ((i > 0 && buf_addch(json, ',') < 0) ||
            buf_add(json, one->ptr, one->len) < 0)
            rc = cd_error_set(err, CD_ENOMEM, "no room for a chunk");
    }
    if (rc == CD_OK && buf_addch(json, ']') < 0)
        rc = cd_error_set(err, CD_ENOMEM, "no room for a chunk");
    *k = i;
    return rc;
}

/* One chunk: the statement, then each event's result from the ids that
 * came back. */
static int insert_chunk(struct store *st, const char *json,
                        const struct store_event *evs, size_t k,
                        struct returned *r, int *rcs, struct cd_error *err)
{
    size_t found = 0;
    int rc;

    r->n = 0;
    rc = store_query(st, store_esql(st)->events_insert_known, &json, 1,
                     returned_row, r, err);
    if (rc < 0)
        return rc;
    qsort(r->id, r->n, sizeof(r->id[0]), cmp_id);
    for (size_t i = 0; i < k; i++) {
        bool in = bsearch(evs[i].event_id, r->id, r->n, sizeof(r->id[0]),
                          cmp_id) != NULL;

        rcs[i] = in ? CD_OK : CD_ENOTFOUND;
        found += in;
    }
    if (found != r->n) /* an id twice in the chunk, say */
        return cd_error_set(err, CD_ESTORE,
                            "the insert returned %zu rows for %zu events",
                            r->n, found);
    return CD_OK;
}

/* One statement per event, an unknown secret failing that event alone. */
static int insert_each(struct store *st, const struct store_event *evs,
                       size_t n, int *rcs, struct cd_error *err)
{
    for (size_t i = 0; i < n; i++) {
        rcs[i] = store_event_insert(st, &evs[i], err);
        if (rcs[i] < 0 && rcs[i] != CD_ENOTFOUND)
            return rcs[i];
    }
    return CD_OK;
}

int store_events_insert(struct store *st, const struct store_event *evs,
                        size_t n, int *rcs, struct cd_error *err)
{
    struct buf json = BUF_INIT(EVENTS_JSON_MAX);
    struct buf one = BUF_INIT(EVENT_JSON_MAX + 1);
    struct returned r = {NULL, 0, STORE_EVENTS_CHUNK};
    int rc = n > 0 && (evs == NULL || rcs == NULL)
                 ? cd_error_set(err, CD_EINVAL, "no events")
                 : CD_OK;

    if (rc == CD_OK && store_esql(st)->events_insert_known == NULL)
        return insert_each(st, evs, n, rcs, err);
    if (rc == CD_OK && n > 0)
        r.id = xcalloc(r.cap, sizeof(r.id[0]));
    for (size_t i = 0; i < n && rc == CD_OK;) {
        size_t k = 0;

        rc = chunk_json(&json, &one, evs + i, n - i, &k, err);
        if (rc == CD_OK)
            rc = insert_chunk(st, json.ptr, evs + i, k, &r, rcs + i, err);
        i += k;
    }
    free(r.id);
    buf_release(&one);
    buf_release(&json);
    return rc < 0 ? store_wrap_error(err, rc, "insert events") : rc;
}
