/* test_ulid.c -- ULID encoding, validation and the monotonic generator.
 *
 * Includes ulid.c to reach the generator's state and to drive its clock:
 * the overflow and clock-step paths are tested deterministically. */
#include "common/common.h"

#include <pthread.h>

#include "crypto/ulid.c"

#include "crypto_test.h"

#define REF_MS INT64_C(1594036800000) /* 2020-07-06T12:00:00Z */
#define REF_ULID "01ECHZYJG00000000000000000"
#define THREADS 4
#define PER_THREAD 25000 /* 100k ids in all */

/* ---- a clock the tests drive ------------------------------------------ */

static int64_t fake_now;
static int fake_tick_after; /* > 0: advance fake_now after this many reads */
static int fake_reads;

static int64_t fake_clock(void)
{
    fake_reads++;
    if (fake_tick_after > 0 && --fake_tick_after == 0)
        fake_now++;
    return fake_now;
}

static void gen_reset(int64_t (*clock)(void))
{
    gen.last_ms = -1;
    memset(gen.rnd, 0, sizeof(gen.rnd));
    ulid_clock = clock;
    fake_now = 0;
    fake_tick_after = 0;
    fake_reads = 0;
}

static int reset_real(void **state)
{
    (void)state;
    gen_reset(realtime_ms);
    return 0;
}

static void expect_valid(const char *id)
{
    assert_int_equal(strlen(id), CRYPTO_ULID_LEN);
    assert_true(crypto_ulid_valid(id, strlen(id)));
}

/* ---- encoding and validation ------------------------------------------ */

static void test_reference_vector(void **state)
{
    unsigned char zero[CRYPTO_ULID_RANDOM_LEN] = {0};
    unsigned char ones[CRYPTO_ULID_RANDOM_LEN];
    char id[CRYPTO_ULID_SIZE];

    (void)state;
    crypto_ulid_encode(REF_MS, zero, id);
    assert_string_equal(id, REF_ULID);
    assert_int_equal(crypto_ulid_time_ms(id), REF_MS);
    memset(ones, 0xff, sizeof(ones));
    crypto_ulid_encode(CRYPTO_ULID_TIME_MAX, ones, id);
    assert_string_equal(id, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    assert_int_equal(crypto_ulid_time_ms(id), CRYPTO_ULID_TIME_MAX);
    crypto_ulid_encode(0, zero, id);
    assert_string_equal(id, "00000000000000000000000000");
    assert_int_equal(crypto_ulid_time_ms(id), 0);
    /* The random part is the low 80 bits: its last byte is the last 5
     * bits of the text. */
    zero[9] = 1;
    crypto_ulid_encode(REF_MS, zero, id);
    assert_string_equal(id, "01ECHZYJG00000000000000001");
}

static void test_valid(void **state)
{
    const char *ok = REF_ULID;

    (void)state;
    assert_true(crypto_ulid_valid(ok, 26));
    assert_false(crypto_ulid_valid(ok, 25));                 /* one short */
    assert_false(crypto_ulid_valid(REF_ULID "0", 27));       /* one over */
    assert_false(crypto_ulid_valid(NULL, 0));
    assert_false(crypto_ulid_valid("", 0));
    assert_false(crypto_ulid_valid("01echzyjg00000000000000000", 26));
    assert_false(crypto_ulid_valid("01ECHZYJG0000000000000000I", 26));
    assert_false(crypto_ulid_valid("01ECHZYJG0000000000000000L", 26));
    assert_false(crypto_ulid_valid("01ECHZYJG0000000000000000O", 26));
    assert_false(crypto_ulid_valid("01ECHZYJG0000000000000000U", 26));
    assert_false(crypto_ulid_valid("01ECHZYJG000000000000000-0", 26));
    assert_false(crypto_ulid_valid("01ECHZYJG000000000000000\0" "0", 26));
    /* The first character carries 3 bits: '7' is the largest. */
    assert_true(crypto_ulid_valid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ", 26));
    assert_false(crypto_ulid_valid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ", 26));
    assert_int_equal(crypto_ulid_time_ms("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"), -1);
    assert_int_equal(crypto_ulid_time_ms(REF_ULID "0"), -1);
    assert_int_equal(crypto_ulid_time_ms(NULL), -1);
}

static void test_at_and_sibling(void **state)
{
    char a[CRYPTO_ULID_SIZE], b[CRYPTO_ULID_SIZE], s[CRYPTO_ULID_SIZE];

    (void)state;
    assert_int_equal(crypto_ulid_at(REF_MS, a), CD_OK);
    assert_int_equal(crypto_ulid_at(REF_MS, b), CD_OK);
    expect_valid(a);
    assert_memory_equal(a, REF_ULID, 10);
    assert_memory_equal(b, REF_ULID, 10);
    assert_string_not_equal(a, b); /* 80 fresh bits each */
    assert_int_equal(crypto_ulid_at(0, a), CD_OK);
    assert_int_equal(crypto_ulid_time_ms(a), 0);
    assert_int_equal(crypto_ulid_at(CRYPTO_ULID_TIME_MAX, a), CD_OK);
    assert_int_equal(crypto_ulid_time_ms(a), CRYPTO_ULID_TIME_MAX);
    assert_int_equal(crypto_ulid_at(CRYPTO_ULID_TIME_MAX + 1, a), CD_EINVAL);
    assert_string_equal(a, "");
    assert_int_equal(crypto_ulid_at(-1, a), CD_EINVAL);

    assert_int_equal(crypto_ulid_at(REF_MS, a), CD_OK);
    assert_int_equal(crypto_ulid_sibling(a, s), CD_OK);
    expect_valid(s);
    assert_memory_equal(s, a, 10);
    assert_string_not_equal(s + 10, a + 10);
    assert_int_equal(crypto_ulid_time_ms(s), REF_MS);
    assert_int_equal(crypto_ulid_sibling("01echzyjg00000000000000000", s),
                     CD_EINVAL);
    assert_string_equal(s, "");
    assert_int_equal(crypto_ulid_sibling(REF_ULID "0", s), CD_EINVAL);
    assert_int_equal(crypto_ulid_sibling(NULL, s), CD_EINVAL);
}

/* ---- the monotonic generator ------------------------------------------ */

static void test_new_is_now(void **state)
{
    char id[CRYPTO_ULID_SIZE];
    int64_t before = realtime_ms(), after;

    (void)state;
    assert_int_equal(crypto_ulid_new(id), CD_OK);
    after = realtime_ms();
    expect_valid(id);
    assert_true(crypto_ulid_time_ms(id) >= before);
    assert_true(crypto_ulid_time_ms(id) <= after);
}

struct worker {
    char (*ids)[CRYPTO_ULID_SIZE]; /* PER_THREAD of them */
    bool serialise; /* record under order_mu, at the global position */
};

static pthread_mutex_t order_mu = PTHREAD_MUTEX_INITIALIZER;
static char (*ordered)[CRYPTO_ULID_SIZE]; /* THREADS * PER_THREAD */
static size_t ordered_n;

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    for (size_t i = 0; i < PER_THREAD; i++) {
        char id[CRYPTO_ULID_SIZE];

        if (w->serialise)
            pthread_mutex_lock(&order_mu);
        if (crypto_ulid_new(id) != CD_OK)
            abort();
        memcpy(w->ids[i], id, sizeof(id));
        if (w->serialise) {
            memcpy(ordered[ordered_n++], id, sizeof(id));
            pthread_mutex_unlock(&order_mu);
        }
    }
    return NULL;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* THREADS threads, PER_THREAD ids each, into ids (THREADS * PER_THREAD). */
static void run_workers(char (*ids)[CRYPTO_ULID_SIZE], bool serialise)
{
    pthread_t t[THREADS];
    struct worker w[THREADS];

    for (int i = 0; i < THREADS; i++) {
        w[i].ids = ids + (size_t)i * PER_THREAD;
        w[i].serialise = serialise;
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]),
                         0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
}

static void test_threads_unique_and_increasing(void **state)
{
    const size_t total = (size_t)THREADS * PER_THREAD;
    char (*ids)[CRYPTO_ULID_SIZE] = calloc(total, sizeof(*ids));
    char last[CRYPTO_ULID_SIZE];

    (void)state;
    assert_non_null(ids);
    run_workers(ids, false);
    for (int t = 0; t < THREADS; t++) {
        for (size_t i = 1; i < PER_THREAD; i++) {
            const char *prev = ids[(size_t)t * PER_THREAD + i - 1];
            const char *cur = ids[(size_t)t * PER_THREAD + i];

            expect_valid(cur);
            assert_true(strcmp(prev, cur) < 0);
        }
    }
    qsort(ids, total, sizeof(*ids), cmp_id);
    for (size_t i = 1; i < total; i++)
        assert_true(strcmp(ids[i - 1], ids[i]) < 0); /* no duplicate */
    /* Later than all of them. */
    assert_int_equal(crypto_ulid_new(last), CD_OK);
    assert_true(strcmp(ids[total - 1], last) < 0);
    free(ids);
}

static void test_threads_global_order(void **state)
{
    const size_t total = (size_t)THREADS * PER_THREAD;
    char (*ids)[CRYPTO_ULID_SIZE] = calloc(total, sizeof(*ids));

    (void)state;
    ordered = calloc(total, sizeof(*ordered));
    ordered_n = 0;
    assert_non_null(ids);
    assert_non_null(ordered);
    run_workers(ids, true);
    assert_int_equal(ordered_n, total);
    /* In the order the lock handed them out, each is greater. */
    for (size_t i = 1; i < total; i++)
        assert_true(strcmp(ordered[i - 1], ordered[i]) < 0);
    free(ordered);
    ordered = NULL;
    free(ids);
}

static void test_same_ms_increments(void **state)
{
    char a[CRYPTO_ULID_SIZE], b[CRYPTO_ULID_SIZE];

    (void)state;
    gen_reset(fake_clock);
    fake_now = REF_MS;
    assert_int_equal(crypto_ulid_new(a), CD_OK);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(crypto_ulid_new(b), CD_OK);
        assert_int_equal(crypto_ulid_time_ms(b), REF_MS);
        assert_true(strcmp(a, b) < 0);
        memcpy(a, b, sizeof(a));
    }
    /* The clock steps back an hour: ids keep the last millisecond and
     * keep growing. */
    fake_now = REF_MS - 3600000;
    assert_int_equal(crypto_ulid_new(b), CD_OK);
    assert_int_equal(crypto_ulid_time_ms(b), REF_MS);
    assert_true(strcmp(a, b) < 0);
    /* A later millisecond starts afresh. */
    fake_now = REF_MS + 1;
    assert_int_equal(crypto_ulid_new(b), CD_OK);
    assert_int_equal(crypto_ulid_time_ms(b), REF_MS + 1);
    gen_reset(realtime_ms);
}

static void test_overflow_waits_for_next_ms(void **state)
{
    char a[CRYPTO_ULID_SIZE], b[CRYPTO_ULID_SIZE];
    int reads;

    (void)state;
    gen_reset(fake_clock);
    fake_now = REF_MS;
    assert_int_equal(crypto_ulid_new(a), CD_OK);
    /* The last random part is all ones: any increment carries out. */
    memset(gen.rnd, 0xff, sizeof(gen.rnd));
    crypto_ulid_encode(REF_MS, gen.rnd, a);
    reads = fake_reads;
    fake_tick_after = 5; /* the clock moves on at its 5th read from here */
    assert_int_equal(crypto_ulid_new(b), CD_OK);
    assert_int_equal(crypto_ulid_time_ms(b), REF_MS + 1);
    assert_true(strcmp(a, b) < 0);
    assert_int_equal(fake_reads - reads, 5); /* it waited for the tick */
    gen_reset(realtime_ms);
}

static void test_overflow_with_clock_behind(void **state)
{
    char a[CRYPTO_ULID_SIZE], b[CRYPTO_ULID_SIZE];

    (void)state;
    gen_reset(fake_clock);
    fake_now = REF_MS;
    assert_int_equal(crypto_ulid_new(a), CD_OK);
    memset(gen.rnd, 0xff, sizeof(gen.rnd));
    crypto_ulid_encode(REF_MS, gen.rnd, a);
    /* Stepped back a minute: the next millisecond is taken at once. */
    fake_now = REF_MS - 60000;
    assert_int_equal(crypto_ulid_new(b), CD_OK);
    assert_int_equal(crypto_ulid_time_ms(b), REF_MS + 1);
    assert_true(strcmp(a, b) < 0);
    gen_reset(realtime_ms);
}

static void test_add80(void **state)
{
    unsigned char r[CRYPTO_ULID_RANDOM_LEN] = {0};

    (void)state;
    assert_false(add80(r, UINT64_C(0x100000000)));
    assert_int_equal(r[5], 1);
    assert_int_equal(r[9], 0);
    memset(r, 0xff, sizeof(r));
    r[9] = 0xfe;
    assert_false(add80(r, 1)); /* exactly at the top */
    assert_int_equal(r[0], 0xff);
    assert_int_equal(r[9], 0xff);
    assert_true(add80(r, 1)); /* one past */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_vector),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_at_and_sibling),
        cmocka_unit_test(test_add80),
        cmocka_unit_test_setup(test_new_is_now, reset_real),
        cmocka_unit_test_setup(test_threads_unique_and_increasing,
                               reset_real),
        cmocka_unit_test_setup(test_threads_global_order, reset_real),
        cmocka_unit_test(test_same_ms_increments),
        cmocka_unit_test(test_overflow_waits_for_next_ms),
        cmocka_unit_test(test_overflow_with_clock_behind),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
