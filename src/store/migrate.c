/* migrate.c -- the migration runner shared by every dialect.
 *
 * Offen's runner (gormigrate 2.0.0) in three steps:
 *   1. create `migrations` if missing;
 *   2. if it has no rows, a fresh install: create Offen's six tables and
 *      record SCHEMA_INIT and Offen's seven ids;
 *   3. otherwise run each of Offen's migrations whose id is missing, in
 *      order, and record its id.
 * Then ours, "candor_NNN_...", in order. Unknown ids are ignored, so an
 * Offen binary can still open a database Candor has migrated, and a newer
 * Candor's ids do not trouble an older one.
 *
 * Where gormigrate runs without a transaction, every step here runs in one
 * (BEGIN IMMEDIATE on SQLite) together with its id row, and the runner
 * checks the id again inside it: a crash leaves a migration either fully
 * applied and recorded or not at all, and two processes migrating at once
 * serialise instead of applying a step twice. (MySQL commits DDL
 * implicitly, so there a step is atomic only as far as MySQL allows.)
 * A caller that holds a transaction open (store_bootstrap() drops the
 * tables and migrates again in one) runs the steps nested: each under a
 * savepoint, all committed or rolled back with the caller's transaction.
 *
 * Also here: the ULID generator migration 004 needs, since Offen fills
 * events.sequence with one new ULID.
 */
#include "common/common.h"
#include "store/migrate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/log.h"
#include "store/store.h"
#include "store/store_backend.h"

const char *const migrate_offen_ids[MIGRATE_OFFEN_COUNT] = {
    "001_introduce_admin_level",
    "002_mysql_set_column_sizes",
    "003_version_salts",
    "004_add_tombstones_event_revs",
    "005_update_secrets_table",
    "006_gorm_upgrade",
    "007_account_customStyles",
};

/* Prefix err->msg with context, keeping its code. */
static int wrap_error(struct cd_error *err, int rc, const char *what)
{
    char msg[sizeof(err->msg)];

    if (err == NULL)
        return rc;
    snprintf(msg, sizeof(msg), "%s", err->msg);
    return cd_error_set(err, rc, "%s: %s", what, msg);
}

static int is_applied(struct store *st, const struct store_schema *sc,
                      const char *id, bool *out, struct cd_error *err)
{
    long long n = 0;
    int rc = store_count(st, sc->find_migration, &id, 1, &n, err);

    *out = n > 0;
    return rc;
}

static int record(struct store *st, const struct store_schema *sc,
                  const char *id, struct cd_error *err)
{
    return store_exec_args(st, sc->insert_migration, &id, 1, err);
}

static int run_statements(struct store *st, const char *const *sql,
                          struct cd_error *err)
{
    int rc = CD_OK;

    for (size_t i = 0; sql != NULL && sql[i] != NULL && rc == CD_OK; i++)
        rc = store_exec(st, sql[i], err);
    return rc;
}

/* A step's transaction: its own, or a savepoint when the caller holds one
 * open (nested, for store_bootstrap()). */
#define STEP_SAVEPOINT "cd_migrate"

static int step_begin(struct store *st, bool nested, struct cd_error *err)
{
    return nested ? store_savepoint(st, STEP_SAVEPOINT, err)
                  : store_begin(st, err);
}

static int step_commit(struct store *st, bool nested, struct cd_error *err)
{
    return nested ? store_release(st, STEP_SAVEPOINT, err)
                  : store_commit(st, err);
}

/* Undo the step. Errors are ignored: the step may never have begun. */
static void step_abort(struct store *st, bool nested)
{
    int rc;

    if (!nested) {
        store_rollback(st, NULL);
        return;
    }
    rc = store_rollback_to(st, STEP_SAVEPOINT, NULL);
    if (rc == CD_OK)
        rc = store_release(st, STEP_SAVEPOINT, NULL);
    CD_UNUSED(rc);
}

/* Step 2, inside one transaction. *fresh tells whether it happened (another
 * process may have got there first). */
static int fresh_install(struct store *st, const struct store_schema *sc,
                         bool nested, bool *fresh, struct cd_error *err)
{
    long long n = 0;
    int rc = step_begin(st, nested, err);

    *fresh = false;
    if (rc < 0)
        goto out;
    rc = store_count(st, sc->count_migrations, NULL, 0, &n, err);
    if (rc < 0 || n > 0)
        goto out;
    rc = run_statements(st, sc->fresh, err);
    if (rc == CD_OK)
        rc = record(st, sc, MIGRATE_SCHEMA_INIT, err);
    for (size_t i = 0; i < MIGRATE_OFFEN_COUNT && rc == CD_OK; i++)
        rc = record(st, sc, sc->offen[i].id, err);
    if (rc == CD_OK)
        rc = step_commit(st, nested, err);
    *fresh = rc == CD_OK;
out:
    if (rc < 0 || !*fresh)
        step_abort(st, nested);
    return rc < 0 ? wrap_error(err, rc, "fresh install") : rc;
}

/* One migration and its id row, in one transaction. */
static int apply_one(struct store *st, const struct store_schema *sc,
                     const struct store_migration *m, bool nested,
                     struct cd_error *err)
{
    bool done = false;
    int rc = step_begin(st, nested, err);

    if (rc < 0)
        goto out;
    rc = is_applied(st, sc, m->id, &done, err);
    if (rc < 0 || done)
        goto out;
    rc = run_statements(st, m->sql, err);
    if (rc == CD_OK && m->run != NULL)
        rc = m->run(st, err);
    if (rc == CD_OK)
        rc = record(st, sc, m->id, err);
    if (rc == CD_OK)
        rc = step_commit(st, nested, err);
    if (rc == CD_OK)
        log_info("Applied database migration %s", m->id);
out:
    if (rc < 0 || done)
        step_abort(st, nested);
    return rc < 0 ? wrap_error(err, rc, m->id) : rc;
}

static int apply_missing(struct store *st, const struct store_schema *sc,
                         const struct store_migration *list, size_t n,
                         bool nested, struct cd_error *err)
{
    for (size_t i = 0; i < n; i++) {
        bool done = false;
        int rc = is_applied(st, sc, list[i].id, &done, err);

        if (rc == CD_OK && !done)
            rc = apply_one(st, sc, &list[i], nested, err);
        if (rc < 0)
            return rc;
    }
    return CD_OK;
}

int migrate_run(struct store *st, const struct store_schema *sc,
                bool nested, struct cd_error *err)
{
    long long n = 0;
    bool fresh = false;
    int rc = store_exec(st, sc->create_migrations, err);

    if (rc < 0) {
        wrap_error(err, rc, "cannot create the migrations table");
        goto out;
    }
    rc = store_count(st, sc->count_migrations, NULL, 0, &n, err);
    if (rc < 0)
        goto out;
    if (n == 0) {
        rc = fresh_install(st, sc, nested, &fresh, err);
        if (rc < 0)
            goto out;
        if (fresh)
            log_info("Created a new database schema");
    }
    rc = apply_missing(st, sc, sc->offen, MIGRATE_OFFEN_COUNT, nested, err);
    if (rc < 0)
        goto out;
    rc = apply_missing(st, sc, sc->candor, sc->n_candor, nested, err);
out:
    return rc;
}

void migrate_ulid_encode(uint64_t ms, const unsigned char rnd[10],
                         char out[MIGRATE_ULID_LEN + 1])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    unsigned char v[16];

    for (int i = 0; i < 6; i++)
        v[i] = (unsigned char)(ms >> (40 - 8 * i));
    memcpy(v + 6, rnd, 10);
    /* 26 characters of 5 bits = 130 bits: two leading zero bits, then the
     * 128 bits of v from the most significant end. */
    for (int c = 0; c < MIGRATE_ULID_LEN; c++) {
        unsigned idx = 0;

        for (int b = 0; b < 5; b++) {
            int bit = c * 5 + b - 2; /* index into v, MSB first */

            idx <<= 1;
            if (bit >= 0)
                idx |= (v[bit / 8] >> (7 - bit % 8)) & 1u;
        }
        out[c] = alphabet[idx];
    }
    out[MIGRATE_ULID_LEN] = '\0';
}

int migrate_ulid_new(char out[MIGRATE_ULID_LEN + 1], struct cd_error *err)
{
    unsigned char rnd[10];
    struct timespec ts;
    ssize_t got;
    uint64_t ms;

    do {
        got = getrandom(rnd, sizeof(rnd), 0);
    } while (got < 0 && errno == EINTR);
    if (got != (ssize_t)sizeof(rnd))
        return cd_error_set(err, CD_EIO, "getrandom: %s", strerror(errno));
    clock_gettime(CLOCK_REALTIME, &ts);
    ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    migrate_ulid_encode(ms, rnd, out);
    return CD_OK;
}
