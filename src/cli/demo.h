/* demo.h -- the data behind `candor demo`: made-up visitors of a small
 * site, encrypted as the visitors' browsers would have encrypted them.
 *
 * Two halves. The generator (demo_gen.c) is pure: from a seeded PRNG and a
 * "now", it plans each visitor's page views (sessions, paths, referrers,
 * campaigns, device, country, load times) and writes each page view as the
 * JSON the vault would encrypt (web/vault/events.js, Offen's payload,
 * reference/offen-client.md §6.2). The same seed and now give the same
 * plan, byte for byte. The seeder (demo_seed.c) does what a browser and
 * POST /api/exchange and POST /api/events would have done for each
 * visitor: a random AES-GCM 128-bit user secret as a WebCrypto JWK, wrapped
 * with RSA-OAEP-SHA256 under the account's public key, stored under the
 * visitor's secret id, and every payload AES-GCM encrypted under that
 * secret into a versioned cipher string, with event ids (ULIDs) at the
 * times the events were received. It writes straight through store.h, in
 * one transaction.
 *
 * Nothing of a payload (paths, referrers, campaigns) is written in
 * plaintext anywhere: the database gets ciphertext only, as from real
 * browsers. The PRNG decides the story, never a key or a nonce: those come
 * from the CSPRNG.
 *
 * Threading: no global state; a struct demo_rng belongs to its caller.
 */
#ifndef CD_CLI_DEMO_H
#define CD_CLI_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct buf;
struct store;

#define DEMO_SITE "https://www.candor-demo.test" /* the made-up site */
#define DEMO_USERS_DEFAULT 300    /* visitors seeded by default */
#define DEMO_USERS_MAX 20000      /* most visitors --users accepts */
#define DEMO_DAYS_DEFAULT 180     /* days of history by default */
#define DEMO_DAYS_MAX 186         /* most --days accepts: the longest
                                   * retention (6months, config.c), which
                                   * the demo always has */
#define DEMO_EVENTS_MAX 64        /* most page views planned per visitor;
                                   * above the 56 the generator can make
                                   * (7 sessions x 8 pages, demo_gen.c) */
#define DEMO_URL_MAX 256          /* bytes of a planned URL, with the NUL */
#define DEMO_TIMESTAMP_SIZE 25    /* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL */
#define DEMO_UUID_SIZE 37         /* a UUID and its NUL */
#define DEMO_PAYLOAD_MAX 4096     /* bytes of one payload's JSON */
#define DEMO_DAY_MS INT64_C(86400000)

/* ---- the generator (demo_gen.c) ---------------------------------------- */

/* A small, fast, seedable PRNG (splitmix64). Not for secrets. */
struct demo_rng {
    uint64_t s;
};

void demo_rng_seed(struct demo_rng *r, uint64_t seed);
uint64_t demo_rng_next(struct demo_rng *r);
/* Uniform in [0, n); n must be > 0. */
uint32_t demo_rng_below(struct demo_rng *r, uint32_t n);
/* Uniform in [0, 1). */
double demo_rng_unit(struct demo_rng *r);

/* One planned page view: the fields of Offen's payload that vary. */
struct demo_event {
    int64_t ms;                   /* the payload's timestamp (page view) */
    int64_t received_ms;          /* the event id's time (server receipt) */
    char href[DEMO_URL_MAX];      /* canonical URL of the page */
    char raw_href[DEMO_URL_MAX];  /* the URL as visited when it differs
                                   * from href (campaign links), else "" */
    char referrer[DEMO_URL_MAX];  /* without its query, or "" */
    int pageload;                 /* milliseconds, > 0 */
    char session_id[DEMO_UUID_SIZE];
};

/* One visitor (one browser): a device, a country, and its page views in
 * time order, grouped in sessions. */
struct demo_visitor {
    bool mobile;
    const char *geo;              /* ISO 3166 alpha-2, or NULL (a time zone
                                   * that maps to no country) */
    size_t nevents;               /* 1..DEMO_EVENTS_MAX */
    struct demo_event ev[DEMO_EVENTS_MAX];
};

/* Plan one visitor whose page views fall in (now_ms - days, now_ms]:
 * a first visit that is more likely recent than old, on weekdays more than
 * at weekends, by day more than by night; 4 in 10 come back for more
 * sessions days later; a session lands from a search engine, another site,
 * a campaign link or directly, and has one page (a bounce) or several.
 * With live, the visitor's only session started in the last ten minutes
 * (the dashboard's "active users"). days is 1..DEMO_DAYS_MAX (asserted). */
void demo_visitor_plan(struct demo_rng *r, int64_t now_ms, int days,
                       bool live, struct demo_visitor *v);

/* Write ms as JavaScript's Date.prototype.toJSON() does:
 * "2026-11-27T21:26:17.123Z" (always three digits of milliseconds). */
void demo_timestamp(int64_t ms, char out[DEMO_TIMESTAMP_SIZE]);

/* Replace out's contents with the JSON of page view i of v, exactly as the
 * vault's JSON.stringify(payload) writes it: type, href, rawHref (only when
 * set), referrer, pageload, isMobile, timestamp, sessionId, geo (null when
 * unknown). CD_OK, or CD_ETOOBIG if it does not fit out's cap. */
int demo_payload_json(const struct demo_visitor *v, size_t i,
                      struct buf *out) CD_MUST_CHECK;

/* Write a progress bar "[#####.....]  150/300 visitors" of width marks
 * into out (truncated to size). done is clamped to 0..total. */
void demo_progress_bar(char *out, size_t size, long done, long total,
                       int width);

/* ---- the seeder (demo_seed.c) ------------------------------------------ */

/* Called after each visitor; return non-zero to stop (the transaction is
 * rolled back and demo_seed() returns CD_EAGAIN). */
typedef int demo_progress_fn(void *ctx, long done, long total);

struct demo_seed_opts {
    long users;         /* visitors, 1..DEMO_USERS_MAX */
    int days;           /* history, 1..DEMO_DAYS_MAX */
    uint64_t seed;      /* for the PRNG */
    int64_t now_ms;     /* the end of the history */
    demo_progress_fn *progress; /* may be NULL */
    void *ctx;
};

struct demo_seed_stats {
    long visitors;      /* visitors written */
    long events;        /* page views written */
};

/* Seed the account account_id (it must exist, with its public key and
 * user salt) with o->users visitors as described above, through st (not
 * inside a transaction: this opens one and commits it). On failure nothing
 * is written. CD_OK; CD_EINVAL for bad options; CD_EAGAIN when progress
 * asked to stop; CD_ENOTFOUND for an unknown account; the store's or
 * crypto's error otherwise. */
int demo_seed(struct store *st, const char *account_id,
              const struct demo_seed_opts *o, struct demo_seed_stats *stats,
              struct cd_error *err) CD_MUST_CHECK;

#endif /* CD_CLI_DEMO_H */
