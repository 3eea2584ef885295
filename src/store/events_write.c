/* events_write.c -- the writes that delete or move events: parking a
 * returning visitor's data, a visitor's purge, expiry.
 *
 * Each is one transaction (store_tx: BEGIN IMMEDIATE ... COMMIT, or
 * ROLLBACK on any failure), and each mints the one sequence it stamps on
 * every row it writes after the transaction has begun, that is after the
 * write lock is taken: sequences then grow in commit order, which is what
 * a client's `since` relies on (store.h, docs/internals/store.md).
 *
 * Parking (reference §11.3) writes parents before children and deletes
 * children before parents: the parked secret first, then the copies of
 * the events, their tombstones, the deletion of the old events, the old
 * secret last, and then the visitor's new secret, all in the same
 * transaction. Offen deletes the old secret first (which breaks the
 * foreign key on PostgreSQL and MySQL) and writes the new one after its
 * commit. The events are moved a page of ids at a time, each moved event
 * deleted at once, so the next page is again "the first events of the
 * secret" and memory stays bounded.
 *
 * Threading: each call uses st only; a struct store belongs to one thread.
 */
#include "common/common.h"

#include "common/buf.h"
#include "store/events_int.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "store/store_int.h"

static int check_ulids(const struct store_ulids *u, struct cd_error *err)
{
    if (u == NULL || u->next == NULL || u->sibling == NULL)
        return cd_error_set(err, CD_EINVAL, "no ULID source");
    return CD_OK;
}

/* A new sequence from the source. */
static int mint(const struct store_ulids *u, char out[STORE_ULID_SIZE],
                struct cd_error *err)
{
    int rc;

    memset(out, 0, STORE_ULID_SIZE);
    rc = u->next(out);
    out[STORE_ULID_SIZE - 1] = '\0';
    if (rc < 0)
        return cd_error_set(err, rc, "cannot make a ULID");
    return CD_OK;
}

/* The id of old's copy: its sibling, or a new id when old is not a ULID
 * (written by something else than Offen or Candor). */
static int copy_id(const struct store_ulids *u, const char *old,
                   char out[STORE_ULID_SIZE], struct cd_error *err)
{
    int rc;

    memset(out, 0, STORE_ULID_SIZE);
    rc = u->sibling(old, out);
    if (rc == CD_EINVAL) {
        memset(out, 0, STORE_ULID_SIZE);
        rc = u->next(out);
    }
    out[STORE_ULID_SIZE - 1] = '\0';
    if (rc < 0)
        return cd_error_set(err, rc, "cannot make an id for the copy of %s",
                            old);
    return CD_OK;
}

/* ---- associate (parking) ---------------------------------------------- */

struct assoc_args {
    const char *secret_id, *encrypted_secret, *parked;
    const struct store_ulids *ulids;
    size_t *moved;
};

/* Move one event to the parked secret under a new id, bury the old id,
 * delete the old row. */
static int park_one(struct store *st, const struct assoc_args *a,
                    const char *seq, const char *old, struct cd_error *err)
{
    const struct store_events_sql *sql = store_esql(st);
    char id[STORE_ULID_SIZE];
    const char *copy[4] = {id, seq, a->parked, old};
    const char *bury[2] = {seq, old};
    int rc = copy_id(a->ulids, old, id, err);

    if (rc == CD_OK)
        rc = store_query(st, sql->event_park, copy, 4, NULL, NULL, err);
    if (rc == CD_OK)
        rc = store_query(st, sql->event_bury, bury, 2, NULL, NULL, err);
    if (rc == CD_OK)
        rc = store_query(st, sql->event_delete, &old, 1, NULL, NULL, err);
    return rc;
}

/* Every event of the secret, a page of ids at a time until none is left
 * (each is deleted as it moves, so each page starts afresh). */
static int park_events(struct store *st, const struct assoc_args *a,
                       const char *seq, struct cd_error *err)
{
    struct store_page p = {.ncol = 1};
    int rc;

    do {
        rc = store_page_fetch(st, store_esql(st)->secret_event_ids,
                              &a->secret_id, 1, &p, NULL, err);
        for (size_t i = 0; i < p.nrows && rc == CD_OK; i++) {
            rc = park_one(st, a, seq, p.cell[i], err);
            *a->moved += rc == CD_OK;
        }
    } while (rc == CD_OK && p.nrows > 0);
    store_page_release(&p);
    return rc;
}

static int park(struct store *st, const struct assoc_args *a,
                struct cd_error *err)
{
    const struct store_events_sql *sql = store_esql(st);
    const char *copy[2] = {a->parked, a->secret_id};
    char seq[STORE_ULID_SIZE];
    int rc = CD_EINVAL;

    if (a->parked == NULL || *a->parked == '\0' ||
        strcmp(a->parked, a->secret_id) == 0)
        return cd_error_set(err, rc, "the secret exists, and no other id "
                                     "to park it under was given");
    rc = store_query(st, sql->secret_copy, copy, 2, NULL, NULL, err);
    if (rc == CD_OK)
        rc = mint(a->ulids, seq, err);
    if (rc == CD_OK)
        rc = park_events(st, a, seq, err);
    if (rc == CD_OK)
        rc = store_query(st, sql->secret_delete, &a->secret_id, 1, NULL,
                         NULL, err);
    return rc;
}

static int assoc_tx(struct store *st, const void *arg, struct cd_error *err)
{
    const struct assoc_args *a = arg;
    const struct store_events_sql *sql = store_esql(st);
    const char *put[2] = {a->secret_id, a->encrypted_secret};
    long long n = 0;
    int rc = store_count(st, sql->secret_count, &a->secret_id, 1, &n, err);

    *a->moved = 0;
    if (rc == CD_OK && n > 0)
        rc = park(st, a, err);
    if (rc == CD_OK)
        rc = store_query(st, sql->secret_insert, put, 2, NULL, NULL, err);
    return rc;
}

int store_secret_associate(struct store *st, const char *secret_id,
                           const char *encrypted_secret,
                           const char *parked_secret_id,
                           const struct store_ulids *ulids, size_t *moved,
                           struct cd_error *err)
{
    size_t count = 0;
    struct assoc_args a = {secret_id, encrypted_secret, parked_secret_id,
                           ulids, &count};
    int rc = store_check_id(secret_id, "secret id", err);

    if (rc == CD_OK && parked_secret_id != NULL && *parked_secret_id != '\0')
        rc = store_check_id(parked_secret_id, "parked secret id", err);
    if (rc == CD_OK && encrypted_secret == NULL)
        rc = cd_error_set(err, CD_EINVAL, "no encrypted secret");
    if (rc == CD_OK && strnlen(encrypted_secret, STORE_TEXT_MAX + 1) >
                           STORE_TEXT_MAX)
        rc = cd_error_set(err, CD_ETOOBIG, "encrypted secret longer than "
                                           "%d bytes", STORE_TEXT_MAX);
    if (rc == CD_OK)
        rc = check_ulids(ulids, err);
    if (rc == CD_OK)
        rc = store_tx(st, assoc_tx, &a, err);
    if (moved != NULL)
        *moved = rc == CD_OK ? count : 0;
    return rc < 0 ? store_wrap_error(err, rc, "associate secret") : rc;
}

/* ---- purge ------------------------------------------------------------ */

struct purge_args {
    const char *const *ids;
    size_t n;
    const struct store_ulids *ulids;
    size_t *deleted;
};

/* Bury and delete the events of one chunk of ids. */
static int purge_chunk(struct store *st, const char *seq, const char *json,
                       size_t *deleted, struct cd_error *err)
{
    const struct store_events_sql *sql = store_esql(st);
    const char *bury[2] = {seq, json};
    long long n = 0;
    int rc = store_count(st, sql->purge_count, &json, 1, &n, err);

    if (rc == CD_OK)
        rc = store_query(st, sql->purge_bury, bury, 2, NULL, NULL, err);
    if (rc == CD_OK)
        rc = store_query(st, sql->purge_delete, &json, 1, NULL, NULL, err);
    if (rc == CD_OK)
        *deleted += (size_t)n;
    return rc;
}

static int purge_tx(struct store *st, const void *arg, struct cd_error *err)
{
    const struct purge_args *a = arg;
    struct buf json = BUF_INIT(STORE_IDS_JSON_MAX);
    char seq[STORE_ULID_SIZE];
    int rc = mint(a->ulids, seq, err);

    *a->deleted = 0;
    for (size_t i = 0; i < a->n && rc == CD_OK; i += STORE_IDS_CHUNK) {
        size_t k = a->n - i < STORE_IDS_CHUNK ? a->n - i : STORE_IDS_CHUNK;

        rc = store_ids_json(a->ids + i, k, &json);
        if (rc == CD_OK)
            rc = purge_chunk(st, seq, json.ptr, a->deleted, err);
    }
    buf_release(&json);
    return rc;
}

int store_purge_secrets(struct store *st, const char *const *secret_ids,
                        size_t n, const struct store_ulids *ulids,
                        size_t *deleted, struct cd_error *err)
{
    size_t count = 0;
    struct purge_args a = {secret_ids, n, ulids, &count};
    int rc = store_check_ids(secret_ids, n, err);

    if (rc == CD_OK)
        rc = check_ulids(ulids, err);
    if (rc == CD_OK && n > 0)
        rc = store_tx(st, purge_tx, &a, err);
    if (deleted != NULL)
        *deleted = rc == CD_OK ? count : 0;
    return rc < 0 ? store_wrap_error(err, rc, "purge") : rc;
}

/* ---- expiry ----------------------------------------------------------- */

struct expire_args {
    const char *deadline;
    const struct store_ulids *ulids;
    size_t *removed;
};

static int expire_tx(struct store *st, const void *arg, struct cd_error *err)
{
    const struct expire_args *a = arg;
    const struct store_events_sql *sql = store_esql(st);
    char seq[STORE_ULID_SIZE];
    const char *bury[2] = {seq, a->deadline};
    long long n = 0;
    int rc = mint(a->ulids, seq, err);

    if (rc == CD_OK)
        rc = store_count(st, sql->expire_count, &a->deadline, 1, &n, err);
    if (rc == CD_OK && n > 0)
        rc = store_query(st, sql->expire_bury, bury, 2, NULL, NULL, err);
    if (rc == CD_OK && n > 0)
        rc = store_query(st, sql->expire_delete, &a->deadline, 1, NULL, NULL,
                         err);
    *a->removed = rc == CD_OK ? (size_t)n : 0;
    return rc;
}

int store_expire(struct store *st, const char *deadline,
                 const struct store_ulids *ulids, size_t *removed,
                 struct cd_error *err)
{
    size_t count = 0;
    struct expire_args a = {deadline, ulids, &count};
    int rc = store_check_id(deadline, "deadline", err);

    if (rc == CD_OK)
        rc = check_ulids(ulids, err);
    if (rc == CD_OK)
        rc = store_tx(st, expire_tx, &a, err);
    if (removed != NULL)
        *removed = rc == CD_OK ? count : 0;
    return rc < 0 ? store_wrap_error(err, rc, "expire") : rc;
}
