/* demo_gen.c -- plans the demo's visitors and writes their payloads.
 *
 * Pure functions of a seeded PRNG and a "now" (see demo.h): no I/O, no
 * keys. The tables below describe the made-up site (its pages, who links
 * to it, its campaigns) and its audience (countries as the vault derives
 * them from time zones, hours of the day); weights are relative. The
 * numbers aim at what a small product site sees: about 40 % of sessions
 * from search engines, a bounce rate near one half, a third of visitors on
 * phones, four in ten coming back.
 */
#include "common/common.h"
#include "cli/demo.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"

#define HOUR_MS INT64_C(3600000)
#define MINUTE_MS INT64_C(60000)
#define MARGIN_MS (2 * MINUTE_MS) /* planned visits end this before now */

#define SESSIONS_MAX 7     /* sessions of one visitor: 1, or 2 + 0..5 */
#define SESSION_PAGES_MAX 8 /* page views of one session */
static_assert(SESSIONS_MAX * SESSION_PAGES_MAX <= DEMO_EVENTS_MAX,
              "a visitor's plan fits struct demo_visitor");

struct weighted {
    const char *value; /* NULL is a value too (an unknown country) */
    unsigned weight;
};

/* Pages: as a landing page, and as the next page within a session. */
static const struct weighted landing_pages[] = {
    {"/", 40},
    {"/features/", 8},
    {"/pricing/", 8},
    {"/blog/", 4},
    {"/blog/fair-analytics-without-cookies/", 10},
    {"/blog/what-we-learned-from-opt-in/", 7},
    {"/blog/release-1-0/", 5},
    {"/docs/", 5},
    {"/docs/getting-started/", 6},
    {"/docs/embedding/", 3},
    {"/docs/self-hosting/", 2},
    {"/about/", 1},
    {"/download/", 2},
};

static const struct weighted next_pages[] = {
    {"/", 10},
    {"/features/", 14},
    {"/pricing/", 14},
    {"/blog/", 8},
    {"/blog/fair-analytics-without-cookies/", 6},
    {"/blog/what-we-learned-from-opt-in/", 5},
    {"/blog/release-1-0/", 4},
    {"/docs/", 10},
    {"/docs/getting-started/", 9},
    {"/docs/embedding/", 7},
    {"/docs/self-hosting/", 5},
    {"/about/", 5},
    {"/contact/", 3},
    {"/download/", 6},
};

/* Browsers send other origins only the origin (strict-origin-when-cross-
 * origin), so most referrers are bare origins. */
static const struct weighted search_engines[] = {
    {"https://www.google.com/", 60},
    {"https://www.google.de/", 8},
    {"https://duckduckgo.com/", 12},
    {"https://www.bing.com/", 8},
    {"https://www.ecosia.org/", 6},
    {"https://www.qwant.com/", 3},
    {"https://search.brave.com/", 3},
};

static const struct weighted other_sites[] = {
    {"https://news.ycombinator.com/", 20},
    {"https://www.reddit.com/", 12},
    {"https://t.co/", 10},
    {"https://l.facebook.com/", 6},
    {"https://www.linkedin.com/", 8},
    {"https://en.wikipedia.org/", 6},
    {"https://github.com/", 10},
    {"https://lobste.rs/", 5},
    {"https://www.heise.de/", 4},
    {"https://blog.example.org/2026/privacy-tools", 3},
};

struct campaign {
    const char *source, *medium, *name;
    const char *referrer; /* "" for mail and apps */
    const char *landing;
};

static const struct campaign campaigns[] = {
    {"newsletter", "email", "autumn-update", "", "/"},
    {"newsletter", "email", "spring-digest", "", "/blog/"},
    {"mastodon", "social", "release-1-0", "", "/blog/release-1-0/"},
    {"linkedin", "social", "release-1-0", "https://www.linkedin.com/",
     "/blog/release-1-0/"},
    {"partner-blog", "referral", "privacy-week",
     "https://blog.example.org/2026/privacy-tools", "/pricing/"},
};

/* Countries as the vault's time-zone table yields them; NULL for zones
 * that belong to no country (UTC, Etc/...). */
static const struct weighted countries[] = {
    {"DE", 20}, {"US", 17}, {"GB", 8}, {"FR", 8}, {"NL", 5}, {"AT", 4},
    {"CH", 4},  {"CA", 3},  {"ES", 3}, {"IT", 3}, {"IN", 3}, {"SE", 2},
    {"PL", 2},  {"BE", 2},  {"BR", 2}, {"JP", 2}, {"AU", 2}, {"DK", 1},
    {"FI", 1},  {"NO", 1},  {"IE", 1}, {"PT", 1}, {"CZ", 1}, {"NZ", 1},
    {"MX", 1},  {NULL, 4},
};

/* Relative traffic per hour of the day, UTC. */
static const unsigned hour_weights[24] = {
    1, 1, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 9, 10, 10, 10, 9, 8, 8, 7, 6, 4, 3, 2,
};

enum entry { ENTRY_DIRECT, ENTRY_SEARCH, ENTRY_SITE, ENTRY_CAMPAIGN };

/* How a session arrives: first sessions, and sessions of returning
 * visitors (who come back directly more often). */
static const unsigned entry_first[] = {25, 40, 20, 15};
static const unsigned entry_return[] = {55, 30, 8, 7};

void demo_rng_seed(struct demo_rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t demo_rng_next(struct demo_rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint32_t demo_rng_below(struct demo_rng *r, uint32_t n)
{
    assert(n > 0);
    /* 64 random bits into [0, n): the bias is below 2^-32. */
    return (uint32_t)(((demo_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

double demo_rng_unit(struct demo_rng *r)
{
    return (double)(demo_rng_next(r) >> 11) * 0x1.0p-53;
}

/* An index into w[0..n), each i with the chance w[i] / sum(w). */
static size_t pick_index(struct demo_rng *r, const unsigned *w, size_t n)
{
    uint32_t total = 0, x;

    for (size_t i = 0; i < n; i++)
        total += w[i];
    x = demo_rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* A value of t[0..n) by weight, each t[i] with the chance
 * t[i].weight / sum of the weights (as pick_index()). */
static const char *pick(struct demo_rng *r, const struct weighted *t,
                        size_t n)
{
    uint32_t total = 0, x;

    for (size_t i = 0; i < n; i++)
        total += t[i].weight;
    x = demo_rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < t[i].weight)
            return t[i].value;
        x -= t[i].weight;
    }
    return t[n - 1].value;
}

#define PICK(r, t) pick((r), (t), CD_ARRAY_SIZE(t))

/* A UUID v4 from the PRNG: session ids need to be unique, not secret. */
static void rng_uuid(struct demo_rng *r, char out[DEMO_UUID_SIZE])
{
    uint64_t hi = demo_rng_next(r), lo = demo_rng_next(r);

    hi = (hi & ~UINT64_C(0xF000)) | UINT64_C(0x4000);
    lo = (lo & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);
    snprintf(out, DEMO_UUID_SIZE, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64
             "-%04" PRIx64 "-%012" PRIx64, hi >> 32, (hi >> 16) & 0xFFFF,
             hi & 0xFFFF, lo >> 48, lo & UINT64_C(0xFFFFFFFFFFFF));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Day of the week of ms, 0 = Monday (1970-01-01 was a Thursday). */
static int weekday(int64_t ms)
{
    return (int)((floor_div(ms, DEMO_DAY_MS) % 7 + 7 + 3) % 7);
}

/* The start of a first visit: recent days more likely than old ones
 * (min of two uniforms: a density falling linearly with age), weekends
 * less likely, and an hour of the day from hour_weights. */
static int64_t first_visit(struct demo_rng *r, int64_t now, int days)
{
    int64_t start = now - days * DEMO_DAY_MS, t;
    int64_t day;

    for (int tries = 0;; tries++) {
        double a = demo_rng_unit(r), b = demo_rng_unit(r);

        day = (int64_t)((double)days * (a < b ? a : b));
        if (weekday(now - day * DEMO_DAY_MS) < 5 || tries >= 3 ||
            demo_rng_unit(r) < 0.6)
            break;
    }
    t = floor_div(now - day * DEMO_DAY_MS, DEMO_DAY_MS) * DEMO_DAY_MS;
    t += (int64_t)pick_index(r, hour_weights, 24) * HOUR_MS +
         demo_rng_below(r, (uint32_t)HOUR_MS);
    if (t > now - MARGIN_MS)
        t = now - MARGIN_MS - demo_rng_below(r, (uint32_t)(6 * HOUR_MS));
    if (t <= start)
        t = start + 1 + demo_rng_below(r, (uint32_t)(DEMO_DAY_MS / 2));
    return t;
}

/* Milliseconds to load a page: around 600 on a desktop, 1100 on a phone,
 * with a slow tail. */
static int page_load(struct demo_rng *r, bool mobile)
{
    double base = mobile ? 1100.0 : 600.0;
    double x = base / 2 + base * (demo_rng_unit(r) + demo_rng_unit(r) +
                                  demo_rng_unit(r)) / 3;

    if (demo_rng_unit(r) < 0.06)
        x *= 2 + 2 * demo_rng_unit(r);
    return (int)x + 1;
}

/* Where a session comes from: the landing path, the referrer and, for a
 * campaign, the query of the link. */
struct arrival {
    const char *path;
    const char *referrer;
    char query[128];
};

static void arrive(struct demo_rng *r, bool returning, struct arrival *a)
{
    size_t entry = returning ? pick_index(r, entry_return, 4)
                             : pick_index(r, entry_first, 4);
    const struct campaign *c;

    a->path = PICK(r, landing_pages);
    a->referrer = "";
    a->query[0] = '\0';
    if (entry == ENTRY_SEARCH) {
        a->referrer = PICK(r, search_engines);
    } else if (entry == ENTRY_SITE) {
        a->referrer = PICK(r, other_sites);
    } else if (entry == ENTRY_CAMPAIGN) {
        c = &campaigns[demo_rng_below(r, CD_ARRAY_SIZE(campaigns))];
        a->path = c->landing;
        a->referrer = c->referrer;
        snprintf(a->query, sizeof(a->query),
                 "?utm_source=%s&utm_medium=%s&utm_campaign=%s", c->source,
                 c->medium, c->name);
    }
}

/* Pages in a session: a bounce about half the time, else 2 to 8, fewer
 * more likely. */
static int session_pages(struct demo_rng *r)
{
    int n = 1;

    if (demo_rng_unit(r) < 0.47)
        return 1;
    while (n < SESSION_PAGES_MAX && (n < 2 || demo_rng_unit(r) < 0.55))
        n++;
    return n;
}

/* Plan one session from time t; returns false when nothing fitted before
 * now (or v is full). */
static bool plan_session(struct demo_rng *r, struct demo_visitor *v,
                         int64_t t, int64_t now, bool returning)
{
    struct arrival a;
    char sid[DEMO_UUID_SIZE];
    const char *path, *prev = NULL;
    int pages;
    size_t before = v->nevents;

    rng_uuid(r, sid);
    arrive(r, returning, &a);
    pages = session_pages(r);
    path = a.path;
    for (int p = 0; p < pages && v->nevents < DEMO_EVENTS_MAX; p++) {
        struct demo_event *e = &v->ev[v->nevents];

        e->ms = t;
        e->received_ms = t + 40 + demo_rng_below(r, 400);
        if (e->received_ms > now)
            break;
        snprintf(e->href, sizeof(e->href), "%s%s", DEMO_SITE, path);
        e->raw_href[0] = '\0';
        if (p == 0 && a.query[0] != '\0')
            snprintf(e->raw_href, sizeof(e->raw_href), "%s%s%s", DEMO_SITE,
                     path, a.query);
        if (p == 0)
            snprintf(e->referrer, sizeof(e->referrer), "%s", a.referrer);
        else
            snprintf(e->referrer, sizeof(e->referrer), "%s%s", DEMO_SITE,
                     prev);
        e->pageload = page_load(r, v->mobile);
        memcpy(e->session_id, sid, sizeof(sid));
        v->nevents++;
        prev = path;
        t += 8000 + demo_rng_below(r, 40000) + demo_rng_below(r, 150000);
        do {
            path = PICK(r, next_pages);
        } while (strcmp(path, prev) == 0);
    }
    return v->nevents > before;
}

void demo_visitor_plan(struct demo_rng *r, int64_t now_ms, int days,
                       bool live, struct demo_visitor *v)
{
    int64_t t;
    int sessions = 1;

    assert(days >= 1 && days <= DEMO_DAYS_MAX);
    v->nevents = 0;
    v->mobile = demo_rng_unit(r) < 0.36;
    v->geo = PICK(r, countries);
    if (live) {
        t = now_ms - 30000 - demo_rng_below(r, (uint32_t)(9 * MINUTE_MS));
        plan_session(r, v, t, now_ms, false);
        return;
    }
    t = first_visit(r, now_ms, days);
    if (demo_rng_unit(r) < 0.4)
        sessions += 1 + (int)demo_rng_below(r, SESSIONS_MAX - 1);
    for (int s = 0; s < sessions && t <= now_ms - MARGIN_MS; s++) {
        if (!plan_session(r, v, t, now_ms, s > 0))
            break;
        /* Back after an hour to a month, a week or so most often. */
        t = v->ev[v->nevents - 1].ms + HOUR_MS +
            (int64_t)((double)(30 * DEMO_DAY_MS) * demo_rng_unit(r) *
                      demo_rng_unit(r));
    }
}

void demo_timestamp(int64_t ms, char out[DEMO_TIMESTAMP_SIZE])
{
    int64_t secs = floor_div(ms, 1000);
    time_t t = (time_t)secs;
    struct tm tm;
    char text[96];
    size_t n;

    gmtime_r(&t, &tm);
    n = (size_t)snprintf(text, sizeof(text),
                         "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                         tm.tm_hour, tm.tm_min, tm.tm_sec,
                         (int)(ms - secs * 1000));
    if (n > DEMO_TIMESTAMP_SIZE - 1) /* years past 9999: not ours */
        n = DEMO_TIMESTAMP_SIZE - 1;
    memcpy(out, text, n);
    out[n] = '\0';
}

/* A JSON string as JSON.stringify writes it (our values are ASCII). */
static int add_string(struct buf *out, const char *s)
{
    int rc = buf_addch(out, '"');

    for (; rc == CD_OK && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            rc = buf_addf(out, "\\%c", c);
        else if (c < 0x20)
            rc = buf_addf(out, "\\u%04x", c);
        else
            rc = buf_addch(out, (char)c);
    }
    return rc == CD_OK ? buf_addch(out, '"') : rc;
}

int demo_payload_json(const struct demo_visitor *v, size_t i,
                      struct buf *out)
{
    const struct demo_event *e = &v->ev[i];
    char ts[DEMO_TIMESTAMP_SIZE];
    int rc;

    assert(i < v->nevents);
    demo_timestamp(e->ms, ts);
    buf_reset(out);
    rc = buf_adds(out, "{\"type\":\"PAGEVIEW\",\"href\":");
    if (rc == CD_OK)
        rc = add_string(out, e->href);
    if (rc == CD_OK && e->raw_href[0] != '\0') {
        rc = buf_adds(out, ",\"rawHref\":");
        if (rc == CD_OK)
            rc = add_string(out, e->raw_href);
    }
    if (rc == CD_OK)
        rc = buf_adds(out, ",\"referrer\":");
    if (rc == CD_OK)
        rc = add_string(out, e->referrer);
    if (rc == CD_OK)
        rc = buf_addf(out, ",\"pageload\":%d,\"isMobile\":%s,\"timestamp\":"
                      "\"%s\",\"sessionId\":\"%s\",\"geo\":", e->pageload,
                      v->mobile ? "true" : "false", ts, e->session_id);
    if (rc == CD_OK)
        rc = v->geo ? add_string(out, v->geo) : buf_adds(out, "null");
    if (rc == CD_OK)
        rc = buf_addch(out, '}');
    return rc;
}

void demo_progress_bar(char *out, size_t size, long done, long total,
                       int width)
{
    char bar[128];
    int marks;

    if (width < 1)
        width = 1;
    if (width > (int)sizeof(bar) - 1)
        width = (int)sizeof(bar) - 1;
    if (total < 1)
        total = 1;
    if (done < 0)
        done = 0;
    if (done > total)
        done = total;
    marks = (int)((long long)done * width / total);
    memset(bar, '#', (size_t)marks);
    memset(bar + marks, '.', (size_t)(width - marks));
    bar[width] = '\0';
    snprintf(out, size, "[%s] %*ld/%ld visitors", bar,
             snprintf(NULL, 0, "%ld", total), done, total);
}
