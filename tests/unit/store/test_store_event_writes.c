/* test_store_event_writes.c -- the writes that move or delete events:
 * parking a returning visitor's data (associate), a visitor's purge and
 * expiry, each one transaction, all or nothing; on fresh databases and on
 * copies of the Offen 1.4.2 fixture. */
#include "common/common.h"

#include "store/store.h"

#include "events_test_util.h"

#define ACC "11111111-1111-4111-8111-111111111111"
#define PARKED                                                               \
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static char text[1 << 16];
static char path_now[PATH_MAX]; /* the database the lock probe opens */
static int probes, probes_locked;

/* t_on_next: is the write lock held while a sequence is minted? Another
 * connection tries to take it without waiting. */
static void lock_probe(void)
{
    sqlite3 *db;
    char *msg = NULL;
    int rc;

    /* SQLite's database-wide write lock has no counterpart to probe on
     * PostgreSQL (rows are locked one by one): count the call only. */
    if (!test_on_sqlite()) {
        probes++;
        probes_locked++;
        return;
    }
    db = db_open(path_now);
    sqlite3_busy_timeout(db, 0);
    rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
    sqlite3_free(msg);
    probes++;
    if (rc == SQLITE_BUSY)
        probes_locked++;
    else
        db_exec(db, "ROLLBACK");
    sqlite3_close(db);
}

static void probe_on(const char *path)
{
    snprintf(path_now, sizeof(path_now), "%s", path);
    probes = probes_locked = 0;
    t_on_next = lock_probe;
}

static int fail_next(char out[STORE_ULID_SIZE])
{
    (void)out;
    return CD_EIO;
}

/* The largest sequence in the database before a write. */
static void max_sequence(const char *path, char out[STORE_ULID_SIZE])
{
    file_lines(path, "SELECT max(sequence) FROM events", text, sizeof(text));
    snprintf(out, STORE_ULID_SIZE, "%.26s", text);
}

/* ---- associate -------------------------------------------------------- */

static void test_associate_new(void **state)
{
    struct cd_error err = {0};
    size_t moved = 99;
    char *got = NULL;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "n.db");
    path = tdir_file(&d, "n.db");
    t_ulids_reset();
    /* No secret yet: nothing to park, the parked id is not needed. */
    OK(store_secret_associate(st, "s1", "{1,} key", NULL, t_ulids(), &moved,
                              &err));
    assert_int_equal(moved, 0);
    OK(store_secret_get(st, "s1", &got, &err));
    assert_string_equal(got, "{1,} key");
    free(got);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM secrets"), 1);
    /* It exists now: parking needs an id other than its own. */
    assert_int_equal(store_secret_associate(st, "s1", "{1,} k2", NULL,
                                            t_ulids(), &moved, &err),
                     CD_EINVAL);
    assert_int_equal(store_secret_associate(st, "s1", "{1,} k2", "s1",
                                            t_ulids(), &moved, &err),
                     CD_EINVAL);
    assert_int_equal(store_secret_associate(st, "s1", "{1,} k2", "p1", NULL,
                                            &moved, &err),
                     CD_EINVAL);
    OK(store_secret_associate(st, "s1", "{1,} k2", "p1", t_ulids(), &moved,
                              &err));
    assert_int_equal(moved, 0);
    file_lines(path, "SELECT secret_id || '=' || encrypted_secret FROM "
               "secrets ORDER BY secret_id", text, sizeof(text));
    assert_string_equal(text, "p1={1,} key\ns1={1,} k2\n");
    store_close(st);
    tdir_remove(&d);
}

/* Each parked copy: sibling of a tombstoned old id, same payload. */
static void expect_parked(const char *path, const struct t_rows *copies,
                          const char *seq)
{
    for (size_t i = 0; i < copies->n; i++) {
        const struct t_row *c = &copies->v[i];
        char sql[512];

        assert_string_equal(c->secret_id, PARKED);
        assert_string_equal(c->sequence, seq);
        assert_true(t_is_ulid(c->event_id));
        /* Exactly one tombstone shares the copy's millisecond and has
         * the same payload in the old fixture. */
        snprintf(sql, sizeof(sql),
                 "SELECT COUNT(*) FROM tombstones t WHERE substr(t.event_id,"
                 " 1, 10) = '%.10s' AND t.secret_id = '" FIX_SECRET_A "' "
                 "AND t.sequence = '%s' AND t.account_id = '" FIX_ACCOUNT
                 "'", c->event_id, seq);
        assert_true(file_int(path, sql) >= 1);
    }
}

static void test_associate_parks(void **state)
{
    const char *ids[1] = {FIX_SECRET_A};
    char before[STORE_ULID_SIZE], old_ids[4096], payloads[16384];
    struct t_rows copies = {0}, tomb = {0}, rows = {0};
    struct cd_error err = {0};
    size_t moved = 0;
    char *got = NULL;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    st = store_at(path, true);
    t_ulids_reset();
    max_sequence(path, before);
    file_lines(path, "SELECT event_id FROM events WHERE secret_id = '"
               FIX_SECRET_A "' ORDER BY event_id", old_ids, sizeof(old_ids));
    file_lines(path, "SELECT payload FROM events WHERE secret_id = '"
               FIX_SECRET_A "' ORDER BY event_id", payloads,
               sizeof(payloads));
    file_lines(path, "SELECT encrypted_secret FROM secrets WHERE secret_id "
               "= '" FIX_SECRET_A "'", text, sizeof(text));
    probe_on(path);
    OK(store_secret_associate(st, FIX_SECRET_A, "{1,} new key", PARKED,
                              t_ulids(), &moved, &err));
    assert_int_equal(moved, 23);
    /* One sequence and 23 sibling ids, all minted under the lock. */
    assert_int_equal(probes, 24);
    assert_int_equal(probes_locked, 24);
    /* The old secret moved to the parked id; the new one is in place. */
    OK(store_secret_get(st, PARKED, &got, &err));
    assert_true(strncmp(text, got, strlen(got)) == 0);
    free(got);
    OK(store_secret_get(st, FIX_SECRET_A, &got, &err));
    assert_string_equal(got, "{1,} new key");
    free(got);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM secrets"),
                     FIX_SECRETS + 1);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events"),
                     FIX_EVENTS);
    /* The visitor's own view: no events, 23 deletions. */
    OK(store_events_by_secrets(st, ids, 1, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, 0);
    OK(store_tombstones_by_secrets(st, ids, 1, before, t_tombstone, &tomb,
                                   &err));
    assert_int_equal(tomb.n, 23);
    for (size_t i = 0; i < tomb.n; i++) {
        assert_non_null(strstr(old_ids, tomb.v[i].event_id));
        assert_string_equal(tomb.v[i].secret_id, FIX_SECRET_A);
        assert_string_equal(tomb.v[i].account_id, FIX_ACCOUNT);
        assert_true(strcmp(tomb.v[i].sequence, before) > 0);
    }
    /* The operator's view since before: the 23 copies (Offen's event_id
     * comparison would miss them: they keep their old milliseconds) and
     * the 23 tombstones, all of one sequence. */
    OK(store_events_by_account(st, FIX_ACCOUNT, before, t_event, &copies,
                               &err));
    assert_int_equal(copies.n, 23);
    for (size_t i = 0; i < copies.n; i++) {
        assert_true(strcmp(copies.v[i].event_id, before) < 0);
        assert_non_null(strstr(payloads, copies.v[i].payload));
    }
    expect_parked(path, &copies, tomb.v[0].sequence);
    t_rows_free(&rows);
    OK(store_tombstones_by_account(st, FIX_ACCOUNT, before, t_tombstone,
                                   &rows, &err));
    assert_int_equal(rows.n, 23);
    assert_int_equal(file_int(path, "SELECT COUNT(DISTINCT sequence) FROM "
                                    "tombstones"),
                     1);
    /* The copies carry exactly the old ids' milliseconds, one each (the
     * demo back-dated several events into one millisecond). */
    file_lines(path, "SELECT substr(event_id, 1, 10) FROM events WHERE "
               "secret_id = '" PARKED "' ORDER BY 1", text, sizeof(text));
    file_lines(path, "SELECT substr(event_id, 1, 10) FROM tombstones "
               "ORDER BY 1", old_ids, sizeof(old_ids));
    assert_string_equal(text, old_ids);
    assert_int_equal(strlen(text), 23 * 11);
    t_rows_free(&rows);
    t_rows_free(&tomb);
    t_rows_free(&copies);
    store_close(st);
    tdir_remove(&d);
}

static void expect_refused(struct store *st, const char *path,
                           const char *parked, int want)
{
    unsigned long long before = t_digest(path);
    struct cd_error err = {0};
    size_t moved = 7;

    assert_int_equal(store_secret_associate(st, FIX_SECRET_A, "{1,} new",
                                            parked, t_ulids(), &moved, &err),
                     want);
    assert_int_equal(moved, 0);
    assert_true(before == t_digest(path));
    t_ulids_reset();
}

static void test_associate_all_or_nothing(void **state)
{
    struct cd_error err = {0};
    char other[32];
    size_t moved = 0;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    st = store_at(path, true);
    t_ulids_reset();
    /* The parked id is taken: the first write fails. */
    expect_refused(st, path, FIX_SECRET_B, CD_EEXIST);
    /* The id source fails at the 10th event. */
    t_fail_at = 10;
    expect_refused(st, path, PARKED, CD_EIO);
    /* The 5th copy's id collides with another visitor's event. */
    file_lines(path, "SELECT min(event_id) FROM events WHERE secret_id = '"
               FIX_SECRET_B "'", text, sizeof(text));
    snprintf(other, sizeof(other), "%.26s", text);
    t_force_at = 5;
    t_force_id = other;
    expect_refused(st, path, PARKED, CD_EEXIST);
    expect_refused(st, path, NULL, CD_EINVAL);
    expect_refused(st, path, "", CD_EINVAL);
    expect_refused(st, path, FIX_SECRET_A, CD_EINVAL);
    /* Nothing was left open: the same call goes through now. */
    OK(store_secret_associate(st, FIX_SECRET_A, "{1,} new", PARKED,
                              t_ulids(), &moved, &err));
    assert_int_equal(moved, 23);
    store_close(st);
    tdir_remove(&d);
}

/* Offen's PostgreSQL and MySQL schemas have foreign keys from events to
 * secrets; SQLite's has none. Triggers stand in for them here: parking
 * must write the parked secret before the copies and delete the old
 * secret after the old events (Offen's order fails this). */
static void test_associate_foreign_key_order(void **state)
{
    struct cd_error err = {0};
    size_t moved = 0;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    st = store_at(path, true);
    t_ulids_reset();
    file_exec(path,
              "CREATE TRIGGER fk_event_secret BEFORE INSERT ON events "
              "WHEN NEW.secret_id IS NOT NULL AND NOT EXISTS (SELECT 1 "
              "FROM secrets WHERE secret_id = NEW.secret_id) "
              "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY fk_events_secret'); "
              "END;"
              "CREATE TRIGGER fk_secret_events BEFORE DELETE ON secrets "
              "WHEN EXISTS (SELECT 1 FROM events WHERE secret_id = "
              "OLD.secret_id) BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY "
              "fk_events_secret'); END;");
    OK(store_secret_associate(st, FIX_SECRET_A, "{1,} new", PARKED,
                              t_ulids(), &moved, &err));
    assert_int_equal(moved, 23);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events WHERE "
                                    "secret_id = '" PARKED "'"),
                     23);
    store_close(st);
    tdir_remove(&d);
}

/* An event id that is no ULID gets a new id rather than failing. */
static void test_associate_legacy_id(void **state)
{
    struct store_event ev = {"legacy-event-1", "01ECHZYJG00000000000000000",
                             ACC, "s1", "p"};
    struct cd_error err = {0};
    size_t moved = 0;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "l.db");
    path = tdir_file(&d, "l.db");
    t_ulids_reset();
    OK(store_secret_put(st, "s1", "k", &err));
    OK(store_event_insert(st, &ev, &err));
    OK(store_secret_associate(st, "s1", "k2", "p1", t_ulids(), &moved,
                              &err));
    assert_int_equal(moved, 1);
    file_lines(path, "SELECT event_id FROM events", text, sizeof(text));
    text[26] = '\0';
    assert_true(t_is_ulid(text));
    file_lines(path, "SELECT event_id FROM tombstones", text, sizeof(text));
    assert_string_equal(text, "legacy-event-1\n");
    store_close(st);
    tdir_remove(&d);
}

/* ---- purge ------------------------------------------------------------ */

static void test_purge_fixture(void **state)
{
    const char *ids[3] = {FIX_SECRET_A, FIX_SECRET_B, "unknown-secret"};
    const struct store_ulids failing = {fail_next, t_sibling};
    char before[STORE_ULID_SIZE];
    struct t_rows rows = {0};
    struct cd_error err = {0};
    unsigned long long digest;
    size_t deleted = 0;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    st = store_at(path, true);
    t_ulids_reset();
    max_sequence(path, before);
    /* A failing id source: nothing happens. */
    digest = t_digest(path);
    assert_int_equal(store_purge_secrets(st, ids, 3, &failing, &deleted,
                                         &err),
                     CD_EIO);
    assert_true(digest == t_digest(path));
    probe_on(path);
    OK(store_purge_secrets(st, ids, 3, t_ulids(), &deleted, &err));
    assert_int_equal(deleted, 46);
    assert_int_equal(probes, 1);
    assert_int_equal(probes_locked, 1);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events"),
                     FIX_EVENTS - 46);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM secrets"),
                     FIX_SECRETS); /* secrets stay, as in Offen */
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM tombstones"), 46);
    assert_int_equal(file_int(path, "SELECT COUNT(DISTINCT sequence) FROM "
                                    "tombstones"),
                     1);
    /* What a visitor's client learns with its old checkpoint. */
    OK(store_tombstones_by_secrets(st, ids, 3, before, t_tombstone, &rows,
                                   &err));
    assert_int_equal(rows.n, 46);
    for (size_t i = 0; i < rows.n; i++) {
        assert_string_equal(rows.v[i].secret_id, ids[i < 23 ? 0 : 1]);
        assert_string_equal(rows.v[i].account_id, FIX_ACCOUNT);
        assert_true(strcmp(rows.v[i].sequence, before) > 0);
    }
    t_rows_free(&rows);
    /* since the purge's own sequence: nothing new. */
    file_lines(path, "SELECT sequence FROM tombstones LIMIT 1", text,
               sizeof(text));
    text[26] = '\0';
    OK(store_tombstones_by_account(st, FIX_ACCOUNT, text, t_tombstone, &rows,
                                   &err));
    assert_int_equal(rows.n, 0);
    OK(store_events_by_secrets(st, ids, 3, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, 0);
    /* Nothing left to purge; no ids at all. */
    OK(store_purge_secrets(st, ids, 3, t_ulids(), &deleted, &err));
    assert_int_equal(deleted, 0);
    OK(store_purge_secrets(st, NULL, 0, t_ulids(), &deleted, &err));
    assert_int_equal(deleted, 0);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM tombstones"), 46);
    store_close(st);
    tdir_remove(&d);
}

#define MANY 3000

static void test_purge_many(void **state)
{
    static char names[MANY][24];
    const char *ids[MANY];
    struct cd_error err = {0};
    size_t deleted = 0;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "m.db");
    path = tdir_file(&d, "m.db");
    t_ulids_reset();
    OK(store_begin(st, &err));
    for (size_t i = 0; i < MANY; i++) {
        char id[32];
        struct store_event ev = {id, "01ECHZYJG00000000000000000", ACC,
                                 names[i], "p"};

        snprintf(names[i], sizeof(names[i]), "secret-%05zu", i);
        snprintf(id, sizeof(id), "01ECHZYJG0%016zu", i);
        ids[i] = names[i];
        OK(store_secret_put(st, names[i], "k", &err));
        OK(store_event_insert(st, &ev, &err));
    }
    OK(store_commit(st, &err));
    /* 3000 ids: 30 chunks, one transaction, one sequence. */
    OK(store_purge_secrets(st, ids, MANY, t_ulids(), &deleted, &err));
    assert_int_equal(deleted, MANY);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events"), 0);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM tombstones"),
                     MANY);
    assert_int_equal(file_int(path, "SELECT COUNT(DISTINCT sequence) FROM "
                                    "tombstones"),
                     1);
    store_close(st);
    tdir_remove(&d);
}

/* An event id that comes back (an import, say) can be deleted again: its
 * tombstone is replaced, not a duplicate key. */
static void test_purge_twice(void **state)
{
    const char *ids[1] = {"s1"};
    struct store_event ev = {"01ECHZYJG0AAAAAAAAAAAAAAAA",
                             "01ECHZYJG00000000000000000", ACC, "s1", "p"};
    struct cd_error err = {0};
    char first[64];
    size_t deleted = 0;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "t.db");
    path = tdir_file(&d, "t.db");
    t_ulids_reset();
    OK(store_secret_put(st, "s1", "k", &err));
    OK(store_event_insert(st, &ev, &err));
    OK(store_purge_secrets(st, ids, 1, t_ulids(), &deleted, &err));
    file_lines(path, "SELECT sequence FROM tombstones", first,
               sizeof(first));
    OK(store_event_insert(st, &ev, &err));
    OK(store_purge_secrets(st, ids, 1, t_ulids(), &deleted, &err));
    assert_int_equal(deleted, 1);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM tombstones"), 1);
    file_lines(path, "SELECT sequence FROM tombstones", text, sizeof(text));
    assert_true(strcmp(first, text) < 0);
    store_close(st);
    tdir_remove(&d);
}

/* ---- expiry ----------------------------------------------------------- */

static void test_expire(void **state)
{
    struct cd_error err = {0};
    struct t_rows rows = {0};
    size_t removed = 9;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "e.db");
    path = tdir_file(&d, "e.db");
    t_ulids_reset();
    OK(store_secret_put(st, "s1", "k", &err));
    for (int i = 0; i < 10; i++) {
        char id[32];
        struct store_event ev = {id, "01ECHZYJG00000000000000000", ACC,
                                 i % 3 ? "s1" : NULL, "p"};

        /* Ids by day: 01ECHZYJG + day digit. */
        snprintf(id, sizeof(id), "01ECHZYJG%dAAAAAAAAAAAAAAAA", i);
        OK(store_event_insert(st, &ev, &err));
    }
    /* Nothing older than the oldest. */
    OK(store_expire(st, "01ECHZYJG0", t_ulids(), &removed, &err));
    assert_int_equal(removed, 0);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM tombstones"), 0);
    probe_on(path);
    OK(store_expire(st, "01ECHZYJG4", t_ulids(), &removed, &err));
    assert_int_equal(removed, 4);
    assert_int_equal(probes, 1);
    assert_int_equal(probes_locked, 1);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events"), 6);
    file_lines(path, "SELECT substr(event_id, 1, 10) || ' ' || "
               "coalesce(secret_id, 'NULL') FROM tombstones ORDER BY "
               "event_id", text, sizeof(text));
    assert_string_equal(text, "01ECHZYJG0 NULL\n01ECHZYJG1 s1\n"
                              "01ECHZYJG2 s1\n01ECHZYJG3 NULL\n");
    assert_int_equal(file_int(path, "SELECT COUNT(DISTINCT sequence) FROM "
                                    "tombstones"),
                     1);
    /* The operator learns of them, the anonymous ones included. */
    OK(store_tombstones_by_account(st, ACC, "0", t_tombstone, &rows, &err));
    assert_int_equal(rows.n, 4);
    assert_null(rows.v[0].secret_id);
    t_rows_free(&rows);
    assert_int_equal(store_expire(st, "", t_ulids(), &removed, &err),
                     CD_EINVAL);
    assert_int_equal(store_expire(st, "0", NULL, &removed, &err), CD_EINVAL);
    store_close(st);
    tdir_remove(&d);
}

static void test_expire_fixture(void **state)
{
    struct cd_error err = {0};
    size_t removed = 0;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    st = store_at(path, true);
    t_ulids_reset();
    /* "8" is above every ULID: everything expires. */
    OK(store_expire(st, "8", t_ulids(), &removed, &err));
    assert_int_equal(removed, FIX_EVENTS);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events"), 0);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM tombstones"),
                     FIX_EVENTS);
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM secrets"),
                     FIX_SECRETS);
    store_close(st);
    tdir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_associate_new),
        cmocka_unit_test(test_associate_parks),
        cmocka_unit_test(test_associate_all_or_nothing),
        cmocka_unit_test(test_associate_foreign_key_order),
        cmocka_unit_test(test_associate_legacy_id),
        cmocka_unit_test(test_purge_fixture),
        cmocka_unit_test(test_purge_many),
        cmocka_unit_test(test_purge_twice),
        cmocka_unit_test(test_expire),
        cmocka_unit_test(test_expire_fixture),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
