/* ratelimit_mem.c -- the throttle's state in memory, for one node.
 *
 * A chained hash table of entries {key, until, queue}, indexed by the key's
 * first bytes (keys are SHA-256 outputs, so already uniform), plus a binary
 * min-heap ordered by until. An entry is live while now < until; every hit
 * first drops the expired entries from the top of the heap, so there is no
 * janitor thread and a stale entry never answers. When the table holds cap
 * live entries, a new key evicts the entry whose block ends soonest: the
 * long blocks that matter (a login under attack) are the last to go, and a
 * flood of fresh keys only displaces other fresh keys. The decision itself
 * is Offen's rule, throttle_decide() (common/throttle_rule.h).
 *
 * Threading: one mutex around every hit; called from all event loops.
 */
#include "common/common.h"
#include "api/ratelimit.h"

#include <pthread.h>
#include <string.h>

#include "common/throttle_rule.h"
#include "common/xalloc.h"

struct entry {
    unsigned char key[RATELIMIT_KEY_SIZE];
    int64_t until;       /* monotonic ms when the recorded block ends */
    int64_t queue;       /* requests recorded so far */
    size_t heap;         /* index in mem->heap */
    struct entry *next;  /* hash chain */
};

struct mem {
    struct ratelimit_store base; /* first: the interface */
    pthread_mutex_t lock;
    struct entry **buckets;
    size_t mask;                 /* buckets - 1 (a power of two) */
    struct entry **heap;         /* min-heap on until, n entries */
    size_t n, cap;
};

static size_t bucket_of(const struct mem *m, const unsigned char *key)
{
    uint64_t h;

    memcpy(&h, key, sizeof(h));
    return (size_t)h & m->mask;
}

/* --- the heap ---------------------------------------------------------- */

static void heap_set(struct mem *m, size_t i, struct entry *e)
{
    m->heap[i] = e;
    e->heap = i;
}

static void sift_up(struct mem *m, size_t i)
{
    struct entry *e = m->heap[i];

    while (i > 0 && m->heap[(i - 1) / 2]->until > e->until) {
        heap_set(m, i, m->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(m, i, e);
}

static void sift_down(struct mem *m, size_t i)
{
    struct entry *e = m->heap[i];

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= m->n)
            break;
        if (c + 1 < m->n && m->heap[c + 1]->until < m->heap[c]->until)
            c++;
        if (m->heap[c]->until >= e->until)
            break;
        heap_set(m, i, m->heap[c]);
        i = c;
    }
    heap_set(m, i, e);
}

/* --- the table ----------------------------------------------------------- */

static struct entry *find(struct mem *m, const unsigned char *key)
{
    struct entry *e = m->buckets[bucket_of(m, key)];

    while (e != NULL && memcmp(e->key, key, RATELIMIT_KEY_SIZE) != 0)
        e = e->next;
    return e;
}

/* Remove the heap's top entry from both structures. */
static void drop_top(struct mem *m)
{
    struct entry *e = m->heap[0];
    struct entry **p = &m->buckets[bucket_of(m, e->key)];

    while (*p != e)
        p = &(*p)->next;
    *p = e->next;
    m->n--;
    if (m->n > 0) {
        heap_set(m, 0, m->heap[m->n]);
        sift_down(m, 0);
    }
    free(e);
}

static void insert(struct mem *m, const unsigned char *key, int64_t until)
{
    struct entry *e = xcalloc(1, sizeof(*e));
    size_t b = bucket_of(m, key);

    memcpy(e->key, key, RATELIMIT_KEY_SIZE);
    e->until = until;
    e->queue = 1;
    e->next = m->buckets[b];
    m->buckets[b] = e;
    heap_set(m, m->n++, e);
    sift_up(m, e->heap);
}

static enum ratelimit_verdict mem_hit(struct ratelimit_store *st,
                                      const unsigned char *key,
                                      int64_t now_ms, int64_t d_ms,
                                      enum ratelimit_mode mode,
                                      int64_t *wait_ms)
{
    struct mem *m = (struct mem *)st;
    struct throttle_decision dec;
    struct entry *e;

    pthread_mutex_lock(&m->lock);
    while (m->n > 0 && m->heap[0]->until <= now_ms)
        drop_top(m); /* expired: the block it recorded is over */
    e = find(m, key);
    dec = throttle_decide(e != NULL ? e->until : INT64_MIN,
                          e != NULL ? e->queue : 0, now_ms, d_ms,
                          mode == RATELIMIT_EXPONENTIAL,
                          RATELIMIT_TIMEOUT_MS);
    if (e == NULL) {
        if (m->n == m->cap)
            drop_top(m); /* full: the block that ends soonest goes */
        insert(m, key, dec.until_ms);
    } else if (dec.verdict != THROTTLE_REJECT) {
        /* The entry now lives until its new block ends (Offen's TTL stops
         * at the old one); its until only grows. */
        e->until = dec.until_ms;
        e->queue = dec.queue;
        sift_down(m, e->heap);
    }
    pthread_mutex_unlock(&m->lock);
    *wait_ms = dec.wait_ms;
    switch (dec.verdict) {
    case THROTTLE_WAIT:   return RATELIMIT_WAIT;
    case THROTTLE_REJECT: return RATELIMIT_REJECT;
    case THROTTLE_PASS:   break;
    }
    return RATELIMIT_PASS;
}

/* Remove e from the heap and the chain. */
static void drop(struct mem *m, struct entry *e)
{
    size_t i = e->heap;

    /* Move it to the top (as if its block ended first), then drop it. */
    e->until = INT64_MIN;
    while (i > 0) {
        struct entry *parent = m->heap[(i - 1) / 2];

        heap_set(m, i, parent);
        i = (i - 1) / 2;
    }
    heap_set(m, 0, e);
    drop_top(m);
}

static void mem_forget(struct ratelimit_store *st, const unsigned char *key)
{
    struct mem *m = (struct mem *)st;
    struct entry *e;

    pthread_mutex_lock(&m->lock);
    e = find(m, key);
    if (e != NULL)
        drop(m, e);
    pthread_mutex_unlock(&m->lock);
}

static size_t mem_count(struct ratelimit_store *st)
{
    struct mem *m = (struct mem *)st;
    size_t n;

    pthread_mutex_lock(&m->lock);
    n = m->n;
    pthread_mutex_unlock(&m->lock);
    return n;
}

static void mem_free(struct ratelimit_store *st)
{
    struct mem *m = (struct mem *)st;

    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->heap[i]);
    free(m->heap);
    free(m->buckets);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

struct ratelimit_store *ratelimit_memory_new(size_t cap)
{
    struct mem *m = xcalloc(1, sizeof(*m));
    size_t nb = 16;

    if (cap < 1)
        cap = 1;
    while (nb < cap && nb < ((size_t)1 << 30))
        nb *= 2;
    m->base.hit = mem_hit;
    m->base.forget = mem_forget;
    m->base.count = mem_count;
    m->base.free = mem_free;
    pthread_mutex_init(&m->lock, NULL);
    m->buckets = xcalloc(nb, sizeof(*m->buckets));
    m->mask = nb - 1;
    m->heap = xcalloc(cap, sizeof(*m->heap));
    m->cap = cap;
    return &m->base;
}
