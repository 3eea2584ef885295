/* test_demo_gen.c -- cli/demo_gen: the demo's visitors and payloads.
 *
 * The PRNG and the plans are deterministic for a seed and a "now"; every
 * planned page view lies in the requested window, in time order, with
 * sessions that start from outside and continue inside the site; over a
 * few thousand visitors the shares (phones, returning visitors, bounces,
 * search engines, campaigns, countries) land where demo_gen.c says. The
 * payload JSON is compared byte for byte with what the vault writes, and
 * the small helpers (timestamps, the progress bar) at their edges: every
 * cap at it and one past it. (Flag numbers: test_cli.c.)
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/demo.h"
#include "common/buf.h"

#define NOW INT64_C(1764279977123) /* 2025-11-27T21:46:17.123Z, a Thursday */
#define MANY 3000

static struct demo_visitor va, vb;

static void test_rng(void **state)
{
    struct demo_rng a, b, c;
    bool differs = false;

    (void)state;
    demo_rng_seed(&a, 42);
    demo_rng_seed(&b, 42);
    demo_rng_seed(&c, 43);
    for (int i = 0; i < 1000; i++) {
        uint64_t x = demo_rng_next(&a);

        assert_true(x == demo_rng_next(&b));
        differs |= x != demo_rng_next(&c);
    }
    assert_true(differs);
    for (int i = 0; i < 10000; i++) {
        double u = demo_rng_unit(&a);

        assert_true(u >= 0.0 && u < 1.0);
        assert_true(demo_rng_below(&a, 7) < 7);
        assert_int_equal(demo_rng_below(&a, 1), 0);
    }
}

/* Two plans are the same when every page view's JSON and times are. */
static bool same_plan(const struct demo_visitor *x,
                      const struct demo_visitor *y)
{
    struct buf bx = BUF_INIT(DEMO_PAYLOAD_MAX), by = BUF_INIT(DEMO_PAYLOAD_MAX);
    bool same = x->nevents == y->nevents;

    for (size_t i = 0; same && i < x->nevents; i++) {
        assert_int_equal(demo_payload_json(x, i, &bx), CD_OK);
        assert_int_equal(demo_payload_json(y, i, &by), CD_OK);
        same = strcmp(bx.ptr, by.ptr) == 0 &&
               x->ev[i].received_ms == y->ev[i].received_ms;
    }
    buf_release(&bx);
    buf_release(&by);
    return same;
}

static void test_plan_deterministic(void **state)
{
    struct demo_rng a, b;
    int differ = 0;

    (void)state;
    demo_rng_seed(&a, 7);
    demo_rng_seed(&b, 7);
    for (int i = 0; i < 200; i++) {
        demo_visitor_plan(&a, NOW, 180, i < 3, &va);
        demo_visitor_plan(&b, NOW, 180, i < 3, &vb);
        assert_true(same_plan(&va, &vb));
    }
    demo_rng_seed(&a, 7);
    demo_rng_seed(&b, 8);
    for (int i = 0; i < 20; i++) {
        demo_visitor_plan(&a, NOW, 180, false, &va);
        demo_visitor_plan(&b, NOW, 180, false, &vb);
        differ += !same_plan(&va, &vb);
    }
    assert_true(differ >= 19);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_uuid4(const char *s)
{
    if (strlen(s) != 36 || s[14] != '4' || strchr("89ab", s[19]) == NULL)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? s[i] != '-' : strchr("0123456789abcdef", s[i]) == NULL)
            return false;
    }
    return true;
}

/* Shares over MANY visitors, counted by check_visitor(). */
struct tally {
    long visitors, mobile, nogeo, returning, events;
    long sessions, bounces, search, campaigns, recent, old;
    long month[13]; /* first visits by age in 30-day steps */
};

/* The invariants of one planned visitor; adds to t. */
static void check_visitor(const struct demo_visitor *v, int days,
                          struct tally *t)
{
    int64_t start = NOW - days * DEMO_DAY_MS;
    size_t sessions = 0, in_session = 0;

    assert_true(v->nevents >= 1 && v->nevents <= DEMO_EVENTS_MAX);
    for (size_t i = 0; i < v->nevents; i++) {
        const struct demo_event *e = &v->ev[i];
        bool first = i == 0 || strcmp(e->session_id, e[-1].session_id) != 0;

        assert_true(e->ms > start && e->received_ms <= NOW);
        assert_true(e->received_ms > e->ms && e->received_ms < e->ms + 1000);
        assert_true(i == 0 || e->ms > e[-1].ms);
        assert_true(starts_with(e->href, DEMO_SITE "/"));
        assert_null(strchr(e->href, '?'));
        assert_true(e->pageload > 0 && e->pageload < 10000);
        assert_true(is_uuid4(e->session_id));
        if (first) {
            sessions++;
            if (in_session == 1)
                t->bounces++;
            in_session = 0;
            /* From outside (or nowhere); campaigns via the visited URL. */
            assert_false(starts_with(e->referrer, DEMO_SITE));
            assert_true(e->referrer[0] == '\0' ||
                        starts_with(e->referrer, "https://"));
            assert_null(strchr(e->referrer, '?'));
            t->search += strstr(e->referrer, "google.") != NULL ||
                         strstr(e->referrer, "duckduckgo") != NULL ||
                         strstr(e->referrer, "bing.") != NULL ||
                         strstr(e->referrer, "ecosia") != NULL ||
                         strstr(e->referrer, "qwant") != NULL ||
                         strstr(e->referrer, "search.brave") != NULL;
            if (e->raw_href[0] != '\0') {
                t->campaigns++;
                assert_true(starts_with(e->raw_href, e->href));
                assert_non_null(strstr(e->raw_href, "?utm_source="));
                assert_non_null(strstr(e->raw_href, "&utm_campaign="));
            }
        } else {
            /* Within the site: the previous page is the referrer. */
            assert_true(starts_with(e->referrer, DEMO_SITE "/"));
            assert_string_equal(e->raw_href, "");
            assert_string_not_equal(e->referrer, e->href);
        }
        in_session++;
    }
    if (in_session == 1)
        t->bounces++;
    t->visitors++;
    t->events += (long)v->nevents;
    t->sessions += (long)sessions;
    t->returning += sessions > 1;
    t->mobile += v->mobile;
    t->nogeo += v->geo == NULL;
    assert_true(v->geo == NULL || (strlen(v->geo) == 2 &&
                                   v->geo[0] >= 'A' && v->geo[0] <= 'Z'));
    t->recent += v->ev[0].ms > NOW - 30 * DEMO_DAY_MS;
    t->old += v->ev[0].ms <= NOW - 150 * DEMO_DAY_MS;
    t->month[(NOW - v->ev[0].ms) / (30 * DEMO_DAY_MS) % 13]++;
}

#define SHARE(n, d, lo, hi)                                                  \
    do {                                                                     \
        double s_ = (double)(n) / (double)(d);                               \
        if (s_ < (lo) || s_ > (hi))                                          \
            fail_msg("%s = %.3f, not in [%.2f, %.2f]", #n, s_, lo, hi);      \
    } while (0)

static void test_plan_shape(void **state)
{
    struct demo_rng r;
    struct tally t = {0};

    (void)state;
    demo_rng_seed(&r, 2026);
    for (int i = 0; i < MANY; i++) {
        demo_visitor_plan(&r, NOW, 180, false, &va);
        check_visitor(&va, 180, &t);
    }
    SHARE(t.mobile, t.visitors, 0.30, 0.42);
    SHARE(t.nogeo, t.visitors, 0.01, 0.10);
    SHARE(t.returning, t.visitors, 0.30, 0.45);
    SHARE(t.bounces, t.sessions, 0.38, 0.58);
    SHARE(t.search, t.sessions, 0.28, 0.45);
    SHARE(t.campaigns, t.sessions, 0.07, 0.18);
    SHARE(t.events, t.visitors, 2.5, 8.0);
    /* Spread over the whole window, more of it recent than old. */
    for (int m = 0; m < 6; m++)
        if (t.month[m] <= MANY / 60)
            fail_msg("month %d: %ld first visits", m, t.month[m]);
    assert_true(t.recent > 2 * t.old);
}

static void test_plan_windows(void **state)
{
    struct demo_rng r;
    struct tally t = {0};

    (void)state;
    demo_rng_seed(&r, 1);
    for (int i = 0; i < 300; i++) {
        demo_visitor_plan(&r, NOW, 1, false, &va);
        check_visitor(&va, 1, &t);
        demo_visitor_plan(&r, NOW, DEMO_DAYS_MAX, false, &va);
        check_visitor(&va, DEMO_DAYS_MAX, &t);
        /* Live: one session, begun in the last ten minutes. */
        demo_visitor_plan(&r, NOW, 30, true, &va);
        check_visitor(&va, 30, &t);
        assert_true(va.ev[0].ms >= NOW - 10 * 60000);
        assert_string_equal(va.ev[0].session_id,
                            va.ev[va.nevents - 1].session_id);
    }
}

static void test_timestamp(void **state)
{
    char ts[DEMO_TIMESTAMP_SIZE];

    (void)state;
    demo_timestamp(0, ts);
    assert_string_equal(ts, "1970-01-01T00:00:00.000Z");
    demo_timestamp(NOW, ts);
    assert_string_equal(ts, "2025-11-27T21:46:17.123Z");
    demo_timestamp(-1, ts);
    assert_string_equal(ts, "1969-12-31T23:59:59.999Z");
    demo_timestamp(INT64_C(253402300799999), ts); /* the last of 9999 */
    assert_string_equal(ts, "9999-12-31T23:59:59.999Z");
}

static void fill(struct demo_visitor *v, const char *raw, const char *ref,
                 const char *geo, bool mobile)
{
    memset(v, 0, sizeof(*v));
    v->nevents = 1;
    v->mobile = mobile;
    v->geo = geo;
    v->ev[0].ms = NOW;
    v->ev[0].received_ms = NOW + 50;
    snprintf(v->ev[0].href, DEMO_URL_MAX, "%s", DEMO_SITE "/pricing/");
    snprintf(v->ev[0].raw_href, DEMO_URL_MAX, "%s", raw);
    snprintf(v->ev[0].referrer, DEMO_URL_MAX, "%s", ref);
    v->ev[0].pageload = 734;
    snprintf(v->ev[0].session_id, DEMO_UUID_SIZE, "%s",
             "0b7e3a52-4c1d-4e5f-9a6b-7c8d9e0f1a2b");
}

static void test_payload_json(void **state)
{
    static const char campaign[] =
        "{\"type\":\"PAGEVIEW\",\"href\":\"https://www.candor-demo.test/"
        "pricing/\",\"rawHref\":\"https://www.candor-demo.test/pricing/"
        "?utm_source=newsletter&utm_campaign=x\",\"referrer\":\"\","
        "\"pageload\":734,\"isMobile\":true,\"timestamp\":"
        "\"2025-11-27T21:46:17.123Z\",\"sessionId\":"
        "\"0b7e3a52-4c1d-4e5f-9a6b-7c8d9e0f1a2b\",\"geo\":\"DE\"}";
    static const char plain[] =
        "{\"type\":\"PAGEVIEW\",\"href\":\"https://www.candor-demo.test/"
        "pricing/\",\"referrer\":\"https://a.test/\\\"q\\\\\\u0001\","
        "\"pageload\":734,\"isMobile\":false,\"timestamp\":"
        "\"2025-11-27T21:46:17.123Z\",\"sessionId\":"
        "\"0b7e3a52-4c1d-4e5f-9a6b-7c8d9e0f1a2b\",\"geo\":null}";
    struct buf b = BUF_INIT(DEMO_PAYLOAD_MAX);

    (void)state;
    fill(&va, DEMO_SITE "/pricing/?utm_source=newsletter&utm_campaign=x", "",
         "DE", true);
    assert_int_equal(demo_payload_json(&va, 0, &b), CD_OK);
    assert_string_equal(b.ptr, campaign);
    fill(&va, "", "https://a.test/\"q\\\x01", NULL, false);
    assert_int_equal(demo_payload_json(&va, 0, &b), CD_OK);
    assert_string_equal(b.ptr, plain);
    buf_release(&b);

    /* The buffer's cap: the JSON and its NUL exactly, and one byte less. */
    b = (struct buf)BUF_INIT(sizeof(plain));
    assert_int_equal(demo_payload_json(&va, 0, &b), CD_OK);
    assert_string_equal(b.ptr, plain);
    buf_release(&b);
    b = (struct buf)BUF_INIT(sizeof(plain) - 1);
    assert_int_equal(demo_payload_json(&va, 0, &b), CD_ETOOBIG);
    buf_release(&b);
}

static void test_progress_bar(void **state)
{
    char out[64];

    (void)state;
    demo_progress_bar(out, sizeof(out), 0, 300, 10);
    assert_string_equal(out, "[..........]   0/300 visitors");
    demo_progress_bar(out, sizeof(out), 150, 300, 10);
    assert_string_equal(out, "[#####.....] 150/300 visitors");
    demo_progress_bar(out, sizeof(out), 299, 300, 10);
    assert_string_equal(out, "[#########.] 299/300 visitors");
    demo_progress_bar(out, sizeof(out), 300, 300, 10);
    assert_string_equal(out, "[##########] 300/300 visitors");
    demo_progress_bar(out, sizeof(out), 301, 300, 10); /* clamped */
    assert_string_equal(out, "[##########] 300/300 visitors");
    demo_progress_bar(out, sizeof(out), -5, 3, 3);
    assert_string_equal(out, "[...] 0/3 visitors");
    demo_progress_bar(out, 6, 1, 2, 4); /* truncated, still a string */
    assert_string_equal(out, "[##..");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng),
        cmocka_unit_test(test_plan_deterministic),
        cmocka_unit_test(test_plan_shape),
        cmocka_unit_test(test_plan_windows),
        cmocka_unit_test(test_timestamp),
        cmocka_unit_test(test_payload_json),
        cmocka_unit_test(test_progress_bar),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
