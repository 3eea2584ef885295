/* events.c -- secrets, events and tombstones: the visitor data.
 *
 * The backend-neutral half of the event functions of store.h: argument
 * checks, transactions, paging, and rows of text handed to callbacks. The
 * SQL is the dialect's (struct store_events_sql, store_backend.h), run
 * through store_query() and store_count(); the writes of more than one
 * row (parking, purge, expiry) are in events_write.c, the insert of a
 * batch of events in events_batch.c.
 *
 * Reads page: each statement returns at most STORE_PAGE_ROWS rows (and a
 * page ends early once it holds PAGE_BYTES of text), the rows are copied
 * out and the statement is reset before any callback runs, and the next
 * page starts after the last row's (sequence, event_id). So a callback
 * may use the store, and an account with 100k events costs 200 short
 * statements and one page of memory, never one long-lived cursor.
 *
 * Threading: each call uses st only; a struct store belongs to one thread.
 */
#include "common/common.h"

#include "common/xalloc.h"
#include "store/events_int.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "store/store_int.h"

#define EVENT_NCOL 5     /* the EVENT rows of store_backend.h */
#define TOMBSTONE_NCOL 4 /* the TOMBSTONE rows */
#define SECRET_NCOL 2    /* secrets_in */

const struct store_events_sql *store_esql(struct store *st)
{
    return st->backend->events;
}

/* ---- arguments -------------------------------------------------------- */

int store_check_id(const char *id, const char *what, struct cd_error *err)
{
    size_t len = id != NULL ? strnlen(id, STORE_ID_MAX + 1) : 0;

    if (len == 0)
        return cd_error_set(err, CD_EINVAL, "no %s", what);
    if (len > STORE_ID_MAX)
        return cd_error_set(err, CD_ETOOBIG, "%s longer than %d bytes",
                            what, STORE_ID_MAX);
    return CD_OK;
}

int store_check_ids(const char *const *ids, size_t n, struct cd_error *err)
{
    if (n > 0 && ids == NULL)
        return cd_error_set(err, CD_EINVAL, "no list of ids");
    for (size_t i = 0; i < n; i++) {
        int rc = store_check_id(ids[i], "secret id", err);

        if (rc < 0)
            return rc;
        for (const char *p = ids[i]; *p != '\0'; p++) {
            if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
                return cd_error_set(err, CD_EINVAL,
                                    "an id holds a character ids never do");
        }
    }
    return CD_OK;
}

/* since: NULL or "" is none (""); longer than an id is CD_ETOOBIG. */
static int check_since(const char **since, bool required,
                       struct cd_error *err)
{
    if (*since == NULL || **since == '\0') {
        *since = "";
        return required ? cd_error_set(err, CD_EINVAL, "no since") : CD_OK;
    }
    return store_check_id(*since, "since", err);
}

static int check_text(const char *s, const char *what, struct cd_error *err)
{
    if (s == NULL)
        return cd_error_set(err, CD_EINVAL, "no %s", what);
    if (strnlen(s, STORE_TEXT_MAX + 1) > STORE_TEXT_MAX)
        return cd_error_set(err, CD_ETOOBIG, "%s longer than %d bytes",
                            what, STORE_TEXT_MAX);
    return CD_OK;
}

/* ---- pages ------------------------------------------------------------ */

void store_page_clear(struct store_page *p)
{
    for (size_t i = 0; i < p->nrows * p->ncol; i++)
        free(p->cell[i]);
    p->nrows = 0;
    p->bytes = 0;
}

void store_page_release(struct store_page *p)
{
    store_page_clear(p);
    free(p->cell);
    p->cell = NULL;
    p->cap = 0;
}

/* store_query()'s row callback: copy the row; PAGE_FULL once the page
 * holds PAGE_BYTES (positive: the query stops, and it is no error). */
static int page_row(void *ctx, const char *const *col, size_t ncol,
                    struct cd_error *err)
{
    struct store_page *p = ctx;
    char **row;

    if (ncol != p->ncol)
        return cd_error_set(err, CD_ESTORE, "row of %zu columns, not %zu",
                            ncol, p->ncol);
    if (p->nrows == p->cap) {
        p->cap = p->cap != 0 ? 2 * p->cap : 16;
        p->cell = xrealloc(p->cell, p->cap * p->ncol * sizeof(*p->cell));
    }
    row = p->cell + p->nrows * p->ncol;
    for (size_t i = 0; i < ncol; i++) {
        row[i] = col[i] != NULL ? xstrdup(col[i]) : NULL;
        p->bytes += col[i] != NULL ? strlen(col[i]) : 0;
    }
    p->nrows++;
    return p->stop_bytes && p->bytes >= STORE_PAGE_BYTES ? STORE_PAGE_FULL
                                                         : CD_OK;
}

int store_page_fetch(struct store *st, const char *sql,
                     const char *const *params, size_t n,
                     struct store_page *p, bool *more, struct cd_error *err)
{
    int rc;

    store_page_clear(p);
    rc = store_query(st, sql, params, n, page_row, p, err);
    if (rc == STORE_PAGE_FULL)
        rc = CD_OK;
    if (more != NULL)
        *more = rc == CD_OK && (p->nrows >= STORE_PAGE_ROWS ||
                                (p->stop_bytes &&
                                 p->bytes >= STORE_PAGE_BYTES));
    return rc;
}

/* ---- paged reads ------------------------------------------------------ */

struct reader {
    const char *const *sql; /* a PAGE pair */
    size_t ncol;
    size_t seq_col; /* the row's sequence; its event_id is column 0 */
    store_event_fn *event_fn; /* one of the two */
    store_tombstone_fn *tombstone_fn;
    void *ctx;
};

/* Hand one row to the reader's callback. */
static int emit(const struct reader *r, char *const *row)
{
    struct store_event ev;
    struct store_tombstone t;

    if (r->event_fn != NULL) {
        ev.event_id = store_str(row[0]);
        ev.sequence = store_str(row[1]);
        ev.account_id = store_str(row[2]);
        ev.secret_id = row[3];
        ev.payload = store_str(row[4]);
        ev.secret_known = false;
        return r->event_fn(r->ctx, &ev);
    }
    t.event_id = store_str(row[0]);
    t.account_id = store_str(row[1]);
    t.secret_id = row[2];
    t.sequence = store_str(row[3]);
    return r->tombstone_fn(r->ctx, &t);
}

/* Every row of key after since, page by page. */
static int read_pages(struct store *st, const struct reader *r,
                      const char *key, const char *since,
                      struct cd_error *err)
{
    struct store_page p = {.ncol = r->ncol, .stop_bytes = true};
    char *seq = NULL, *id = NULL; /* the cursor: the last row seen */
    bool more = true;
    int rc = CD_OK;

    while (rc == CD_OK && more) {
        const char *first[2] = {key, since};
        const char *next[3] = {key, seq, id};

        if (seq == NULL)
            rc = store_page_fetch(st, r->sql[0], first, 2, &p, &more, err);
        else
            rc = store_page_fetch(st, r->sql[1], next, 3, &p, &more, err);
        if (rc == CD_OK && p.nrows > 0) {
            char *const *last = p.cell + (p.nrows - 1) * p.ncol;

            free(seq);
            free(id);
            seq = xstrdup(store_str(last[r->seq_col]));
            id = xstrdup(store_str(last[0]));
        }
        for (size_t i = 0; i < p.nrows && rc == CD_OK; i++)
            rc = emit(r, p.cell + i * p.ncol);
    }
    free(seq);
    free(id);
    store_page_release(&p);
    return rc;
}

static int read_secrets(struct store *st, const struct reader *r,
                        const char *const *ids, size_t n, const char *since,
                        bool since_required, struct cd_error *err)
{
    int rc = store_check_ids(ids, n, err);

    if (rc == CD_OK)
        rc = check_since(&since, since_required, err);
    for (size_t i = 0; i < n && rc == CD_OK; i++)
        rc = read_pages(st, r, ids[i], since, err);
    return rc;
}

static int read_account(struct store *st, const struct reader *r,
                        const char *account_id, const char *since,
                        bool since_required, struct cd_error *err)
{
    int rc = store_check_id(account_id, "account id", err);

    if (rc == CD_OK)
        rc = check_since(&since, since_required, err);
    if (rc == CD_OK)
        rc = read_pages(st, r, account_id, since, err);
    return rc;
}

static int no_callback(struct cd_error *err)
{
    return cd_error_set(err, CD_EINVAL, "no callback");
}

int store_events_by_secrets(struct store *st, const char *const *secret_ids,
                            size_t n, const char *since, store_event_fn *fn,
                            void *ctx, struct cd_error *err)
{
    struct reader r = {store_esql(st)->events_by_secret, EVENT_NCOL, 1, fn,
                       NULL, ctx};

    if (fn == NULL)
        return no_callback(err);
    return read_secrets(st, &r, secret_ids, n, since, false, err);
}

int store_tombstones_by_secrets(struct store *st,
                                const char *const *secret_ids, size_t n,
                                const char *since, store_tombstone_fn *fn,
                                void *ctx, struct cd_error *err)
{
    struct reader r = {store_esql(st)->tombstones_by_secret, TOMBSTONE_NCOL,
                       3, NULL, fn, ctx};

    if (fn == NULL)
        return no_callback(err);
    return read_secrets(st, &r, secret_ids, n, since, true, err);
}

int store_events_by_account(struct store *st, const char *account_id,
                            const char *since, store_event_fn *fn, void *ctx,
                            struct cd_error *err)
{
    struct reader r = {store_esql(st)->events_by_account, EVENT_NCOL, 1, fn,
                       NULL, ctx};

    if (fn == NULL)
        return no_callback(err);
    return read_account(st, &r, account_id, since, false, err);
}

int store_tombstones_by_account(struct store *st, const char *account_id,
                                const char *since, store_tombstone_fn *fn,
                                void *ctx, struct cd_error *err)
{
    struct reader r = {store_esql(st)->tombstones_by_account,
                       TOMBSTONE_NCOL, 3, NULL, fn, ctx};

    if (fn == NULL)
        return no_callback(err);
    return read_account(st, &r, account_id, since, true, err);
}

/* ---- secrets ---------------------------------------------------------- */

struct one_text {
    char *text;
};

static int one_text_row(void *ctx, const char *const *col, size_t ncol,
                        struct cd_error *err)
{
    struct one_text *t = ctx;

    (void)err;
    if (ncol >= 1 && t->text == NULL)
        t->text = store_col_dup(col[0]);
    return CD_OK;
}

int store_secret_get(struct store *st, const char *secret_id,
                     char **encrypted_secret, struct cd_error *err)
{
    struct one_text t = {NULL};
    int rc = store_check_id(secret_id, "secret id", err);

    *encrypted_secret = NULL;
    if (rc == CD_OK)
        rc = store_query(st, store_esql(st)->secret_get, &secret_id, 1,
                         one_text_row, &t, err);
    if (rc == CD_OK && t.text == NULL)
        rc = cd_error_set(err, CD_ENOTFOUND, "unknown secret");
    if (rc == CD_OK)
        *encrypted_secret = t.text;
    else
        free(t.text);
    return rc;
}

int store_secret_put(struct store *st, const char *secret_id,
                     const char *encrypted_secret, struct cd_error *err)
{
    const char *p[2] = {secret_id, encrypted_secret};
    int rc = store_check_id(secret_id, "secret id", err);

    if (rc == CD_OK)
        rc = check_text(encrypted_secret, "encrypted secret", err);
    if (rc == CD_OK)
        rc = store_query(st, store_esql(st)->secret_insert, p, 2, NULL, NULL,
                         err);
    return rc < 0 ? store_wrap_error(err, rc, "put secret") : rc;
}

int store_ids_json(const char *const *ids, size_t n, struct buf *out)
{
    int rc;

    buf_reset(out);
    rc = buf_addch(out, '[');
    for (size_t i = 0; i < n && rc == CD_OK; i++)
        rc = buf_addf(out, "%s\"%s\"", i > 0 ? "," : "", ids[i]);
    if (rc == CD_OK)
        rc = buf_addch(out, ']');
    return rc;
}

int store_secrets_get_many(struct store *st, const char *const *secret_ids,
                           size_t n, store_secret_fn *fn, void *ctx,
                           struct cd_error *err)
{
    /* No byte stop: a chunk's rows (at most one per id) are its page. */
    struct store_page p = {.ncol = SECRET_NCOL};
    struct buf json = BUF_INIT(STORE_IDS_JSON_MAX);
    int rc = fn != NULL ? store_check_ids(secret_ids, n, err)
                        : no_callback(err);

    for (size_t i = 0; i < n && rc == CD_OK; i += STORE_IDS_CHUNK) {
        size_t k = n - i < STORE_IDS_CHUNK ? n - i : STORE_IDS_CHUNK;
        const char *param;

        rc = store_ids_json(secret_ids + i, k, &json);
        param = json.ptr;
        if (rc == CD_OK)
            rc = store_page_fetch(st, store_esql(st)->secrets_in, &param, 1,
                                  &p, NULL, err);
        for (size_t r = 0; r < p.nrows && rc == CD_OK; r++)
            rc = fn(ctx, store_str(p.cell[2 * r]),
                    store_str(p.cell[2 * r + 1]));
    }
    buf_release(&json);
    store_page_release(&p);
    return rc;
}

struct secret_rows {
    store_secret_fn *fn;
    void *ctx;
};

static int secret_row(void *ctx, const char *const *col, size_t ncol,
                      struct cd_error *err)
{
    struct secret_rows *s = ctx;

    if (ncol < SECRET_NCOL || col[0] == NULL || col[1] == NULL)
        return cd_error_set(err, CD_ESTORE, "a secret without its columns");
    return s->fn(s->ctx, col[0], col[1]);
}

/* One statement whose rows go to fn as they come: at most one row per
 * visitor of the account, which the account's event reads already hold in
 * memory many times over. */
int store_secrets_by_account(struct store *st, const char *account_id,
                             const char *from, store_secret_fn *fn,
                             void *ctx, struct cd_error *err)
{
    struct secret_rows s = {fn, ctx};
    const char *args[2] = {account_id, from};
    int rc = fn != NULL ? store_check_id(account_id, "account id", err)
                        : no_callback(err);

    if (rc == CD_OK && from != NULL)
        rc = store_check_id(from, "event id", err);
    if (rc == CD_OK)
        rc = store_query(st,
                         from != NULL
                             ? store_esql(st)->secrets_by_account_from
                             : store_esql(st)->secrets_by_account,
                         args, from != NULL ? 2 : 1, secret_row, &s, err);
    return rc;
}

/* ---- events ----------------------------------------------------------- */

int store_check_event(const struct store_event *ev, struct cd_error *err)
{
    int rc = store_check_id(ev->event_id, "event id", err);

    if (rc == CD_OK)
        rc = store_check_id(ev->sequence, "sequence", err);
    if (rc == CD_OK)
        rc = store_check_id(ev->account_id, "account id", err);
    if (rc == CD_OK && ev->secret_id != NULL)
        rc = store_check_id(ev->secret_id, "secret id", err);
    if (rc == CD_OK)
        rc = check_text(ev->payload, "payload", err);
    return rc;
}

static int count_returned(void *ctx, const char *const *col, size_t ncol,
                          struct cd_error *err)
{
    (void)col;
    (void)ncol;
    (void)err;
    (*(size_t *)ctx)++;
    return CD_OK;
}

/* A visitor's event goes in only with its secret: one statement that
 * inserts nothing when the secret is unknown, so the group commit's
 * writer makes one round trip per event, not two; a plain insert when the
 * caller knows the secret exists (secret_known). */
int store_event_insert(struct store *st, const struct store_event *ev,
                       struct cd_error *err)
{
    const struct store_events_sql *sql = store_esql(st);
    int rc = store_check_event(ev, err);

    if (rc == CD_OK && (ev->secret_id == NULL || ev->secret_known)) {
        /* anonymous, or under a secret known to exist: nothing to check */
        const char *p[EVENT_NCOL] = {ev->event_id, ev->sequence,
                                     ev->account_id, ev->secret_id,
                                     ev->payload};

        rc = store_query(st, sql->event_insert, p, EVENT_NCOL, NULL, NULL,
                         err);
    } else if (rc == CD_OK) {
        const char *p[EVENT_NCOL] = {ev->event_id, ev->sequence,
                                     ev->account_id, ev->payload,
                                     ev->secret_id};
        size_t added = 0;

        rc = store_query(st, sql->event_insert_known, p, EVENT_NCOL,
                         count_returned, &added, err);
        if (rc == CD_OK && added == 0)
            rc = cd_error_set(err, CD_ENOTFOUND, "unknown secret");
    }
    return rc < 0 ? store_wrap_error(err, rc, "insert event") : rc;
}
