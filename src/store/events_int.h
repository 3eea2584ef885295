/* events_int.h -- what events.c and events_write.c share (store/ only).
 *
 * Argument checks, the dialect's event SQL, pages of rows copied out of a
 * statement, and lists of ids as one JSON array parameter (the IDS
 * parameter of store_backend.h).
 */
#ifndef CD_STORE_EVENTS_INT_H
#define CD_STORE_EVENTS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

struct store;
struct store_event;
struct store_events_sql;

/* A page ends early once its rows hold this much text. */
#define STORE_PAGE_BYTES (1024 * 1024)
/* What page_row() returns when the page is full: positive, so it stops
 * the query without being an error. */
#define STORE_PAGE_FULL 1
/* Room for the JSON array of STORE_IDS_CHUNK ids of STORE_ID_MAX bytes. */
#define STORE_IDS_JSON_MAX (STORE_IDS_CHUNK * (STORE_ID_MAX + 3) + 3)

/* The backend's statements for st. */
const struct store_events_sql *store_esql(struct store *st);

/* An id argument: CD_EINVAL for NULL or "", CD_ETOOBIG past STORE_ID_MAX
 * bytes; what names it in the message. */
int store_check_id(const char *id, const char *what,
                   struct cd_error *err) CD_MUST_CHECK;
/* Each id of a list, which must also be printable ASCII without '"' or
 * '\' (ids travel as JSON strings). ids may be NULL when n is 0. */
int store_check_ids(const char *const *ids, size_t n,
                    struct cd_error *err) CD_MUST_CHECK;

/* The fields of an event to insert (store_event_insert()): CD_EINVAL for
 * a missing one, CD_ETOOBIG for one over its cap. */
int store_check_event(const struct store_event *ev,
                      struct cd_error *err) CD_MUST_CHECK;

/* ids[0..n) (checked, n <= STORE_IDS_CHUNK) as a JSON array into out
 * (max STORE_IDS_JSON_MAX), replacing what it held. */
int store_ids_json(const char *const *ids, size_t n,
                   struct buf *out) CD_MUST_CHECK;

/* The rows of one statement, copied out so the statement is done before
 * anything looks at them. Zero-initialise with ncol set. */
struct store_page {
    char **cell;     /* row r, column c at cell[r * ncol + c]; NULL for
                      * SQL NULL; owned */
    size_t ncol;     /* columns per row */
    size_t nrows;    /* rows held */
    size_t cap;      /* rows allocated */
    size_t bytes;    /* text held */
    bool stop_bytes; /* end the page at STORE_PAGE_BYTES */
};

/* Run sql with n text parameters into p (emptied first). *more (if not
 * NULL) says whether the page ended at a limit, so that a next page may
 * hold more rows. CD_OK or the query's error. */
int store_page_fetch(struct store *st, const char *sql,
                     const char *const *params, size_t n,
                     struct store_page *p, bool *more,
                     struct cd_error *err) CD_MUST_CHECK;
void store_page_clear(struct store_page *p);   /* free the rows, keep cell */
void store_page_release(struct store_page *p); /* free everything */

#endif /* CD_STORE_EVENTS_INT_H */
