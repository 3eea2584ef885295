/* test_store_events.c -- secrets, the insert of an event, and the sync
 * reads (events and tombstones by secret or by account), on fresh
 * databases and on copies of the Offen 1.4.2 fixture. Parking, purge and
 * expiry are in test_store_event_writes.c. */
#include "common/common.h"

#include <pthread.h>

#include "store/store.h"
#include "store/store_backend.h"

#include "events_test_util.h"

#define ACC "11111111-1111-4111-8111-111111111111"
#define ACC2 "22222222-2222-4222-8222-222222222222"
#define SEQ "01ECHZYJG00000000000000000"

static char text[1 << 16];

/* A string of n copies of c (heap). */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static struct store_event event_of(const char *id, const char *seq,
                                   const char *account, const char *secret,
                                   const char *payload)
{
    struct store_event ev = {id, seq, account, secret, payload};

    return ev;
}

/* ---- secrets ---------------------------------------------------------- */

static void test_secret_get_put(void **state)
{
    struct cd_error err = {0};
    char *at = repeat('s', STORE_TEXT_MAX), *over = repeat('s', 65536);
    char *id64 = repeat('a', STORE_ID_MAX), *id65 = repeat('a', 65);
    char *got = (char *)"x";
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "c.db");
    assert_int_equal(store_secret_get(st, "s1", &got, &err), CD_ENOTFOUND);
    assert_null(got);
    OK(store_secret_put(st, "s1", "{1,} key", &err));
    OK(store_secret_get(st, "s1", &got, &err));
    assert_string_equal(got, "{1,} key");
    free(got);
    assert_int_equal(store_secret_put(st, "s1", "{1,} other", &err),
                     CD_EEXIST);
    OK(store_secret_get(st, "s1", &got, &err));
    assert_string_equal(got, "{1,} key"); /* never silently replaced */
    free(got);
    /* Caps: the id exactly at STORE_ID_MAX and one over; the secret
     * exactly at STORE_TEXT_MAX and one over. */
    OK(store_secret_put(st, id64, at, &err));
    OK(store_secret_get(st, id64, &got, &err));
    assert_int_equal(strlen(got), STORE_TEXT_MAX);
    free(got);
    assert_int_equal(store_secret_put(st, id65, "k", &err), CD_ETOOBIG);
    assert_int_equal(store_secret_get(st, id65, &got, &err), CD_ETOOBIG);
    assert_int_equal(store_secret_put(st, "s2", over, &err), CD_ETOOBIG);
    assert_int_equal(store_secret_put(st, "", "k", &err), CD_EINVAL);
    assert_int_equal(store_secret_put(st, NULL, "k", &err), CD_EINVAL);
    assert_int_equal(store_secret_put(st, "s3", NULL, &err), CD_EINVAL);
    assert_int_equal(file_int(tdir_file(&d, "c.db"),
                              "SELECT COUNT(*) FROM secrets"),
                     2);
    store_close(st);
    free(at);
    free(over);
    free(id64);
    free(id65);
    tdir_remove(&d);
}

/* ---- insert ----------------------------------------------------------- */

static void test_event_insert(void **state)
{
    struct store_event ev = event_of("01ECHZYJG0AAAAAAAAAAAAAAAA", SEQ, ACC,
                                     "s1", "{1,} payload nonce");
    struct store_event anon = event_of("01ECHZYJG0BBBBBBBBBBBBBBBB", SEQ,
                                       ACC, NULL, "{1,} anonymous");
    char *at = repeat('p', STORE_TEXT_MAX), *over = repeat('p', 65536);
    struct t_rows rows = {0};
    struct cd_error err = {0};
    struct store_event big;
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "i.db");
    path = tdir_file(&d, "i.db");
    /* No secret yet: Offen's "unknown secret". */
    assert_int_equal(store_event_insert(st, &ev, &err), CD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "unknown secret"));
    OK(store_secret_put(st, "s1", "{1,} key", &err));
    OK(store_event_insert(st, &ev, &err));
    assert_int_equal(store_event_insert(st, &ev, &err), CD_EEXIST);
    OK(store_event_insert(st, &anon, &err)); /* secret_id NULL */
    assert_int_equal(file_int(path, "SELECT COUNT(*) FROM events WHERE "
                                    "secret_id IS NULL"),
                     1);
    /* The payload cap, exactly at and one over. */
    big = event_of("01ECHZYJG0CCCCCCCCCCCCCCCC", SEQ, ACC, NULL, at);
    OK(store_event_insert(st, &big, &err));
    big = event_of("01ECHZYJG0DDDDDDDDDDDDDDDD", SEQ, ACC, NULL, over);
    assert_int_equal(store_event_insert(st, &big, &err), CD_ETOOBIG);
    big = event_of("01ECHZYJG0DDDDDDDDDDDDDDDD", SEQ, ACC, NULL, NULL);
    assert_int_equal(store_event_insert(st, &big, &err), CD_EINVAL);
    big = event_of("01ECHZYJG0DDDDDDDDDDDDDDDD", NULL, ACC, NULL, "p");
    assert_int_equal(store_event_insert(st, &big, &err), CD_EINVAL);
    big = event_of("01ECHZYJG0DDDDDDDDDDDDDDDD", SEQ, "", NULL, "p");
    assert_int_equal(store_event_insert(st, &big, &err), CD_EINVAL);
    /* Read back: the anonymous one has no secret id. */
    OK(store_events_by_account(st, ACC, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, 3);
    assert_string_equal(rows.v[0].event_id, ev.event_id);
    assert_string_equal(rows.v[0].secret_id, "s1");
    assert_string_equal(rows.v[0].payload, ev.payload);
    assert_string_equal(rows.v[0].account_id, ACC);
    assert_string_equal(rows.v[0].sequence, SEQ);
    assert_null(rows.v[1].secret_id);
    assert_int_equal(strlen(rows.v[2].payload), STORE_TEXT_MAX);
    t_rows_free(&rows);
    store_close(st);
    free(at);
    free(over);
    tdir_remove(&d);
}

/* The insert inside the group-commit writer's transaction. */
struct insert_op {
    struct store_op op; /* first */
    struct store_event ev;
    int rc;
};

static int insert_apply(struct store *st, struct store_op *op,
                        struct cd_error *err)
{
    return store_event_insert(st, &((struct insert_op *)op)->ev, err);
}

static void insert_done(struct store_op *op, int rc)
{
    ((struct insert_op *)op)->rc = rc;
}

static void test_event_insert_in_writer(void **state)
{
    struct insert_op ops[3] = {
        {.ev = event_of("01ECHZYJG0AAAAAAAAAAAAAAAA", SEQ, ACC, "s1", "a")},
        {.ev = event_of("01ECHZYJG0BBBBBBBBBBBBBBBB", SEQ, ACC, "nope",
                        "b")},
        {.ev = event_of("01ECHZYJG0CCCCCCCCCCCCCCCC", SEQ, ACC, NULL, "c")},
    };
    struct store_writer *w = NULL;
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "w.db");
    path = tdir_file(&d, "w.db");
    OK(store_secret_put(st, "s1", "{1,} key", &err));
    OK(store_writer_start(&w, test_dialect(), path, &err));
    for (size_t i = 0; i < CD_ARRAY_SIZE(ops); i++) {
        ops[i].op.apply = insert_apply;
        ops[i].op.done = insert_done;
        ops[i].rc = 1;
        store_writer_submit(w, &ops[i].op);
    }
    store_writer_stop(w); /* drains: every op has its result */
    assert_int_equal(ops[0].rc, CD_OK);
    assert_int_equal(ops[1].rc, CD_ENOTFOUND);
    assert_int_equal(ops[2].rc, CD_OK);
    file_lines(path, "SELECT event_id FROM events ORDER BY event_id", text,
               sizeof(text));
    assert_string_equal(text, "01ECHZYJG0AAAAAAAAAAAAAAAA\n"
                              "01ECHZYJG0CCCCCCCCCCCCCCCC\n");
    store_close(st);
    tdir_remove(&d);
}

/* ---- reads on the fixture --------------------------------------------- */

/* text holds "event_id sequence payload" lines: rows must match them. */
static void expect_lines(const struct t_rows *rows)
{
    const char *p = text;

    for (size_t i = 0; i < rows->n; i++) {
        const struct t_row *r = &rows->v[i];
        size_t len = strlen(r->event_id) + strlen(r->sequence) +
                     strlen(r->payload) + 2;
        char *line = malloc(len + 1);

        assert_non_null(line);
        snprintf(line, len + 1, "%s %s %s", r->event_id, r->sequence,
                 r->payload);
        assert_true(strncmp(p, line, len) == 0 && p[len] == '\n');
        p += len + 1;
        free(line);
    }
    assert_int_equal(*p, '\0');
}

static void test_fixture_reads(void **state)
{
    const char *ids[2] = {FIX_SECRET_A, FIX_SECRET_B};
    struct store_account_list accounts = {0};
    struct t_rows rows = {0}, more = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;
    char since[STORE_ULID_SIZE];

    (void)state;
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    st = store_at(path, true);
    /* Visitor hashing needs every account's salt. */
    OK(store_accounts_all(st, false, &accounts, &err));
    assert_int_equal(accounts.n, 1);
    assert_true(strncmp(accounts.v[0].user_salt, "{1,} ", 5) == 0);
    store_account_list_release(&accounts);

    OK(store_events_by_account(st, FIX_ACCOUNT, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, FIX_EVENTS);
    t_expect_ordered(&rows);
    for (size_t i = 0; i < rows.n; i++) {
        assert_non_null(rows.v[i].secret_id);
        assert_string_equal(rows.v[i].account_id, FIX_ACCOUNT);
    }
    /* since compares sequences: the 100th event's leaves 349. */
    snprintf(since, sizeof(since), "%s", rows.v[99].sequence);
    OK(store_events_by_account(st, FIX_ACCOUNT, since, t_event, &more,
                               &err));
    assert_int_equal(more.n, FIX_EVENTS - 100);
    assert_string_equal(more.v[0].event_id, rows.v[100].event_id);
    t_rows_free(&more);
    t_rows_free(&rows);

    /* One secret's events, as the database has them. */
    OK(store_events_by_secrets(st, ids, 1, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, 23);
    t_expect_ordered(&rows);
    file_lines(path, "SELECT event_id || ' ' || sequence || ' ' || payload "
               "FROM events WHERE secret_id = '" FIX_SECRET_A "' "
               "ORDER BY sequence, event_id", text, sizeof(text));
    expect_lines(&rows);
    t_rows_free(&rows);
    /* Two secrets: grouped by secret, in the order given. */
    OK(store_events_by_secrets(st, ids, 2, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, 46);
    for (size_t i = 0; i < rows.n; i++)
        assert_string_equal(rows.v[i].secret_id, ids[i < 23 ? 0 : 1]);
    t_rows_free(&rows);
    /* No tombstones in the fixture. */
    OK(store_tombstones_by_account(st, FIX_ACCOUNT, "0", t_tombstone, &rows,
                                   &err));
    assert_int_equal(rows.n, 0);
    OK(store_tombstones_by_secrets(st, ids, 2, "0", t_tombstone, &rows,
                                   &err));
    assert_int_equal(rows.n, 0);
    store_close(st);
    tdir_remove(&d);
}

static void test_fixture_secrets_get_many(void **state)
{
    const char *ids[FIX_SECRETS + 1];
    char stored[FIX_SECRETS][65];
    struct t_rows rows = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;
    const char *path;

    (void)state;
    tdir_make(&d);
    path = fixture_copy(&d, "offen.sqlite");
    st = store_at(path, true);
    file_lines(path, "SELECT secret_id FROM secrets ORDER BY secret_id",
               text, sizeof(text));
    for (size_t i = 0; i < FIX_SECRETS; i++) {
        memcpy(stored[i], text + i * 65, 64);
        stored[i][64] = '\0';
        ids[i] = stored[i];
    }
    ids[FIX_SECRETS] = "0000-not-a-secret";
    OK(store_secrets_get_many(st, ids, FIX_SECRETS + 1, t_secret, &rows,
                              &err));
    assert_int_equal(rows.n, FIX_SECRETS);
    for (size_t i = 0; i < rows.n; i++) {
        char *want = NULL;

        OK(store_secret_get(st, rows.v[i].event_id, &want, &err));
        assert_string_equal(rows.v[i].payload, want);
        assert_true(strncmp(want, "{1,} ", 5) == 0);
        free(want);
    }
    t_rows_free(&rows);
    OK(store_secrets_get_many(st, NULL, 0, t_secret, &rows, &err));
    assert_int_equal(rows.n, 0);
    store_close(st);
    tdir_remove(&d);
}

/* The secrets of an account's visitors: each once however many events
 * it has, none of another account's, none without an event, nothing for
 * an anonymous event. */
static int t_secret_cmp(const void *a, const void *b)
{
    return strcmp(((const struct t_row *)a)->event_id,
                  ((const struct t_row *)b)->event_id);
}

static void test_secrets_by_account(void **state)
{
    static const char *const ids[] = {
        "01ECHZYJG0AAAAAAAAAAAAAAA1", "01ECHZYJG0AAAAAAAAAAAAAAA2",
        "01ECHZYJG0AAAAAAAAAAAAAAA3", "01ECHZYJG0AAAAAAAAAAAAAAA4",
        "01ECHZYJG0AAAAAAAAAAAAAAA5",
    };
    struct store_event evs[] = {
        event_of(ids[0], SEQ, ACC, "s1", "{1,} a"),
        event_of(ids[1], SEQ, ACC, "s1", "{1,} b"),
        event_of(ids[2], SEQ, ACC, "s2", "{1,} c"),
        event_of(ids[3], SEQ, ACC2, "s3", "{1,} d"),
        event_of(ids[4], SEQ, ACC, NULL, "{1,} anonymous"),
    };
    char *id64 = repeat('a', STORE_ID_MAX), *id65 = repeat('a', 65);
    struct t_rows rows = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "s.db");
    OK(store_secrets_by_account(st, ACC, NULL, t_secret, &rows, &err));
    assert_int_equal(rows.n, 0); /* no events yet */
    OK(store_secret_put(st, "s1", "{1,} key one", &err));
    OK(store_secret_put(st, "s2", "{1,} key two", &err));
    OK(store_secret_put(st, "s3", "{1,} key three", &err));
    OK(store_secret_put(st, "s4", "{1,} no events", &err));
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
        OK(store_event_insert(st, &evs[i], &err));
    OK(store_secrets_by_account(st, ACC, NULL, t_secret, &rows, &err));
    assert_int_equal(rows.n, 2);
    qsort(rows.v, rows.n, sizeof(rows.v[0]), t_secret_cmp);
    assert_string_equal(rows.v[0].event_id, "s1");
    assert_string_equal(rows.v[0].payload, "{1,} key one");
    assert_string_equal(rows.v[1].event_id, "s2");
    assert_string_equal(rows.v[1].payload, "{1,} key two");
    t_rows_free(&rows);
    OK(store_secrets_by_account(st, ACC2, NULL, t_secret, &rows, &err));
    assert_int_equal(rows.n, 1);
    assert_string_equal(rows.v[0].event_id, "s3");
    t_rows_free(&rows);
    /* From an event id on: s1's second event is the bound's own, s2's
     * event is later; from the last one, only s2; past it, none. */
    OK(store_secrets_by_account(st, ACC, ids[1], t_secret, &rows, &err));
    assert_int_equal(rows.n, 2);
    t_rows_free(&rows);
    OK(store_secrets_by_account(st, ACC, ids[2], t_secret, &rows, &err));
    assert_int_equal(rows.n, 1);
    assert_string_equal(rows.v[0].event_id, "s2");
    t_rows_free(&rows);
    OK(store_secrets_by_account(st, ACC, "01ECHZYJG0AAAAAAAAAAAAAAA4",
                                t_secret, &rows, &err));
    assert_int_equal(rows.n, 0); /* ids[3] is ACC2's, ids[4] anonymous */
    OK(store_secrets_by_account(st, ACC2, ids[3], t_secret, &rows, &err));
    assert_int_equal(rows.n, 1);
    t_rows_free(&rows);
    /* The callback's error ends the read and is its result. */
    rows.stop_after = 1;
    assert_int_equal(store_secrets_by_account(st, ACC, NULL, t_secret, &rows,
                                              &err),
                     CD_ETOOBIG);
    assert_int_equal(rows.n, 1);
    t_rows_free(&rows);
    /* Arguments: an unknown account has none; the id cap at and past. */
    OK(store_secrets_by_account(st, id64, NULL, t_secret, &rows, &err));
    assert_int_equal(rows.n, 0);
    assert_int_equal(store_secrets_by_account(st, id65, NULL, t_secret, &rows,
                                              &err),
                     CD_ETOOBIG);
    assert_int_equal(store_secrets_by_account(st, "", NULL, t_secret, &rows,
                                              &err),
                     CD_EINVAL);
    assert_int_equal(store_secrets_by_account(st, ACC, NULL, NULL, NULL, &err),
                     CD_EINVAL);
    assert_int_equal(store_secrets_by_account(st, ACC, "", t_secret, &rows,
                                              &err),
                     CD_EINVAL);
    assert_int_equal(store_secrets_by_account(st, ACC, id65, t_secret, &rows,
                                              &err),
                     CD_ETOOBIG);
    store_close(st);
    free(id64);
    free(id65);
    tdir_remove(&d);
}

/* ---- paging ----------------------------------------------------------- */

/* Events from..to-1 of ACC under secret "s1", ids 01ECHZYJG0 + 16
 * digits of i, sequences prefix + 16 digits of i / group: a group shares
 * one (Offen's migration 004 gives every old event the same sequence). */
static void seed_range(struct store *st, size_t from, size_t to,
                       size_t group, const char *prefix, const char *payload)
{
    struct cd_error err = {0};

    OK(store_begin(st, &err));
    for (size_t i = from; i < to; i++) {
        char id[32], seq[32];
        struct store_event ev;

        snprintf(id, sizeof(id), "01ECHZYJG0%016zu", i);
        snprintf(seq, sizeof(seq), "%s%016zu", prefix, i / group);
        ev = event_of(id, seq, ACC, "s1", payload);
        OK(store_event_insert(st, &ev, &err));
    }
    OK(store_commit(st, &err));
}

static void seed_events(struct store *st, size_t n, size_t group,
                        const char *payload)
{
    seed_range(st, 0, n, group, "01ECHZYJG1", payload);
}

static void test_paging(void **state)
{
    struct t_rows rows = {0};
    struct cd_error err = {0};
    const char *ids[1] = {"s1"};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "p.db");
    OK(store_secret_put(st, "s1", "k", &err));
    /* 1500 events, 1200 of them under one sequence: pages of 500 break
     * inside a run of equal sequences. */
    seed_events(st, 1200, 1200, "x");
    seed_range(st, 1200, 1500, 1, "01ECHZYJG2", "y");
    OK(store_events_by_account(st, ACC, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, 1500);
    t_expect_ordered(&rows);
    for (size_t i = 0; i < rows.n; i++) {
        char id[32];

        snprintf(id, sizeof(id), "01ECHZYJG0%016zu", i);
        assert_string_equal(rows.v[i].event_id, id);
    }
    t_rows_free(&rows);
    OK(store_events_by_secrets(st, ids, 1, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, 1500);
    t_rows_free(&rows);
    /* since the shared sequence: only the 300 after it. */
    OK(store_events_by_account(st, ACC, "01ECHZYJG10000000000000000",
                               t_event, &rows, &err));
    assert_int_equal(rows.n, 300);
    t_rows_free(&rows);
    OK(store_events_by_account(st, ACC2, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, 0);
    store_close(st);
    tdir_remove(&d);
}

/* Pages also end by size: 40 events of nearly 64 KiB each. */
static void test_paging_by_bytes(void **state)
{
    char *big = repeat('z', STORE_TEXT_MAX);
    struct t_rows rows = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "b.db");
    OK(store_secret_put(st, "s1", "k", &err));
    seed_events(st, 40, 7, big);
    OK(store_events_by_account(st, ACC, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, 40);
    t_expect_ordered(&rows);
    for (size_t i = 0; i < rows.n; i++)
        assert_int_equal(strlen(rows.v[i].payload), STORE_TEXT_MAX);
    t_rows_free(&rows);
    store_close(st);
    free(big);
    tdir_remove(&d);
}

static void test_callback_stops_and_reenters(void **state)
{
    struct t_rows rows = {.stop_after = 10};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "s.db");
    OK(store_secret_put(st, "s1", "k", &err));
    seed_events(st, 700, 1, "x");
    assert_int_equal(store_events_by_account(st, ACC, NULL, t_event, &rows,
                                             &err),
                     CD_ETOOBIG);
    assert_int_equal(rows.n, 10);
    t_rows_free(&rows);
    /* A callback may use the store: pages are copied out first. */
    rows.st = st;
    OK(store_events_by_account(st, ACC, NULL, t_event, &rows, &err));
    assert_int_equal(rows.n, 700);
    t_rows_free(&rows);
    store_close(st);
    tdir_remove(&d);
}

/* ---- many ids --------------------------------------------------------- */

#define MANY 3000

static void test_many_ids(void **state)
{
    static char names[MANY][24];
    const char *ids[MANY + 1];
    struct t_rows rows = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "m.db");
    OK(store_begin(st, &err));
    for (size_t i = 0; i < MANY; i++) {
        char id[32];
        struct store_event ev;

        snprintf(names[i], sizeof(names[i]), "secret-%05zu", i);
        snprintf(id, sizeof(id), "01ECHZYJG0%016zu", i);
        ids[i] = names[i];
        OK(store_secret_put(st, names[i], names[i], &err));
        ev = event_of(id, SEQ, i % 2 ? ACC : ACC2, names[i], "p");
        OK(store_event_insert(st, &ev, &err));
    }
    OK(store_commit(st, &err));
    ids[MANY] = "secret-unknown";
    OK(store_events_by_secrets(st, ids, MANY + 1, NULL, t_event, &rows,
                               &err));
    assert_int_equal(rows.n, MANY);
    for (size_t i = 0; i < MANY; i++)
        assert_string_equal(rows.v[i].secret_id, names[i]);
    t_rows_free(&rows);
    /* 3001 ids cross 31 chunks of STORE_IDS_CHUNK. */
    OK(store_secrets_get_many(st, ids, MANY + 1, t_secret, &rows, &err));
    assert_int_equal(rows.n, MANY);
    for (size_t i = 0; i < rows.n; i++)
        assert_string_equal(rows.v[i].event_id, rows.v[i].payload);
    t_rows_free(&rows);
    store_close(st);
    tdir_remove(&d);
}

/* ---- arguments -------------------------------------------------------- */

static void test_arguments(void **state)
{
    char *id64 = repeat('A', STORE_ID_MAX), *id65 = repeat('A', 65);
    const char *bad[2] = {"ok", "quo\"te"};
    const char *ctl[1] = {"tab\tid"};
    const char *empty[1] = {""};
    const char *at[1] = {id64};
    const char *over[1] = {id65};
    struct t_rows rows = {0};
    struct cd_error err = {0};
    struct store *st;
    struct tdir d;

    (void)state;
    tdir_make(&d);
    st = ev_store(&d, "a.db");
    /* since: exactly STORE_ID_MAX is fine, one more is too big. */
    OK(store_events_by_account(st, ACC, id64, t_event, &rows, &err));
    assert_int_equal(store_events_by_account(st, ACC, id65, t_event, &rows,
                                             &err),
                     CD_ETOOBIG);
    OK(store_events_by_account(st, ACC, "", t_event, &rows, &err));
    OK(store_events_by_secrets(st, at, 1, NULL, t_event, &rows, &err));
    assert_int_equal(store_events_by_secrets(st, over, 1, NULL, t_event,
                                             &rows, &err),
                     CD_ETOOBIG);
    assert_int_equal(store_events_by_secrets(st, bad, 2, NULL, t_event,
                                             &rows, &err),
                     CD_EINVAL);
    assert_int_equal(store_secrets_get_many(st, ctl, 1, t_secret, &rows,
                                            &err),
                     CD_EINVAL);
    assert_int_equal(store_secrets_get_many(st, empty, 1, t_secret, &rows,
                                            &err),
                     CD_EINVAL);
    assert_int_equal(store_events_by_secrets(st, NULL, 1, NULL, t_event,
                                             &rows, &err),
                     CD_EINVAL);
    assert_int_equal(store_events_by_account(st, "", NULL, t_event, &rows,
                                             &err),
                     CD_EINVAL);
    assert_int_equal(store_events_by_account(st, ACC, NULL, NULL, NULL,
                                             &err),
                     CD_EINVAL);
    /* Tombstones need a since. */
    assert_int_equal(store_tombstones_by_account(st, ACC, NULL, t_tombstone,
                                                 &rows, &err),
                     CD_EINVAL);
    assert_int_equal(store_tombstones_by_secrets(st, at, 1, "", t_tombstone,
                                                 &rows, &err),
                     CD_EINVAL);
    OK(store_tombstones_by_secrets(st, at, 1, "0", t_tombstone, &rows,
                                   &err));
    assert_int_equal(rows.n, 0);
    store_close(st);
    free(id64);
    free(id65);
    tdir_remove(&d);
}

/* ---- query plans ------------------------------------------------------ */

/* The detail lines of EXPLAIN QUERY PLAN sql, one per line, into text. */
static void plan(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    size_t len = 0;
    char q[1024];

    snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &stmt, NULL), SQLITE_OK);
    text[0] = '\0';
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        int k = snprintf(text + len, sizeof(text) - len, "%s\n",
                         (const char *)sqlite3_column_text(stmt, 3));

        len += (size_t)k;
    }
    sqlite3_finalize(stmt);
}

/* Every page is one index range in order: no scan, no sort. */
static void expect_range(sqlite3 *db, const char *sql, const char *index)
{
    plan(db, sql);
    assert_non_null(strstr(text, index));
    assert_null(strstr(text, "TEMP B-TREE"));
    assert_null(strstr(text, "SCAN"));
}

static void test_query_plans(void **state)
{
    const struct store_events_sql *q = &store_sqlite_events_sql;
    struct tdir d;
    sqlite3 *db;

    (void)state;
    SKIP_UNLESS_SQLITE("EXPLAIN QUERY PLAN is SQLite's");
    tdir_make(&d);
    store_close(ev_store(&d, "q.db"));
    db = db_open(tdir_file(&d, "q.db"));
    for (int i = 0; i < 2; i++) {
        expect_range(db, q->events_by_account[i],
                     "candor_events_account_sequence");
        expect_range(db, q->events_by_secret[i],
                     "candor_events_secret_sequence");
        expect_range(db, q->tombstones_by_account[i],
                     "candor_tombstones_account_sequence");
        expect_range(db, q->tombstones_by_secret[i],
                     "candor_tombstones_secret_sequence");
    }
    /* The later pages start at the cursor, not at since. */
    plan(db, q->events_by_account[1]);
    assert_non_null(strstr(text, "(sequence,event_id)>(?,?)"));
    expect_range(db, q->secret_event_ids, "candor_events_secret_sequence");
    plan(db, q->expire_delete);
    assert_non_null(strstr(text, "sqlite_autoindex_events"));
    /* An account's secrets: the secrets are walked, each with one probe
     * of the secret index, never the account's events. */
    plan(db, q->secrets_by_account);
    assert_non_null(strstr(text, "SEARCH e USING INDEX "
                                 "candor_events_secret_sequence"));
    assert_null(strstr(text, "SCAN e"));
    plan(db, q->secrets_by_account_from);
    assert_non_null(strstr(text, "SEARCH e USING INDEX "
                                 "candor_events_secret_sequence"));
    assert_null(strstr(text, "SCAN e"));
    sqlite3_close(db);
    tdir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_get_put),
        cmocka_unit_test(test_event_insert),
        cmocka_unit_test(test_event_insert_in_writer),
        cmocka_unit_test(test_fixture_reads),
        cmocka_unit_test(test_fixture_secrets_get_many),
        cmocka_unit_test(test_secrets_by_account),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_paging_by_bytes),
        cmocka_unit_test(test_callback_stops_and_reenters),
        cmocka_unit_test(test_many_ids),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_query_plans),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
