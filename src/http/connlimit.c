/* connlimit.c -- count concurrent connections per client address.
 *
 * Shared by all event loops, so a client cannot multiply its allowance by
 * the number of loops SO_REUSEPORT spreads it over. Accepting is rare next
 * to requests, so one mutex over an open-addressing table is enough. An
 * address is keyed by a 64-bit hash of its IPv4 address or of its IPv6 /64
 * (one host usually owns a whole /64). Distinct addresses that collide share
 * a count: they can only be refused earlier, never admitted past the cap.
 */
#include "common/common.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "http/internal.h"

struct connlimit_slot {
    uint64_t key;   /* 0 = empty */
    uint32_t count;
};

struct connlimit {
    pthread_mutex_t lock;
    int max;
    size_t cap;     /* power of two */
    size_t used;    /* slots with key != 0 */
    struct connlimit_slot *slots;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x ? x : 1;
}

static uint64_t addr_key(const struct sockaddr *sa)
{
    uint64_t v = 0;

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        memcpy(&v, &in->sin_addr, 4);
        return mix(v ^ 0x4ULL << 56);
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0,
                                                   0, 0, 0, 0, 0xff, 0xff};

        if (memcmp(in6->sin6_addr.s6_addr, v4mapped, 12) == 0) {
            memcpy(&v, in6->sin6_addr.s6_addr + 12, 4);
            return mix(v ^ 0x4ULL << 56);
        }
        memcpy(&v, in6->sin6_addr.s6_addr, 8); /* the /64 */
        return mix(v ^ 0x6ULL << 56);
    }
    return 1; /* unix sockets and the like share one bucket */
}

struct connlimit *connlimit_new(int max_per_addr)
{
    struct connlimit *c = xcalloc(1, sizeof(*c));

    pthread_mutex_init(&c->lock, NULL);
    c->max = max_per_addr;
    c->cap = 1024;
    c->slots = xcalloc(c->cap, sizeof(*c->slots));
    return c;
}

void connlimit_free(struct connlimit *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c->slots);
    free(c);
}

static struct connlimit_slot *lookup(struct connlimit_slot *slots,
                                     size_t cap, uint64_t key)
{
    size_t i = (size_t)key & (cap - 1);

    while (slots[i].key != 0 && slots[i].key != key)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* Rebuild the table, dropping slots whose count fell to zero and growing
 * it only while live addresses fill more than a quarter of it. */
static void rehash(struct connlimit *c)
{
    struct connlimit_slot *old = c->slots;
    size_t oldcap = c->cap;
    size_t live = 0;
    size_t newcap = oldcap;

    for (size_t i = 0; i < oldcap; i++)
        live += old[i].key != 0 && old[i].count > 0;
    while (4 * (live + 1) > newcap)
        newcap *= 2;

    c->slots = xcalloc(newcap, sizeof(*c->slots));
    c->cap = newcap;
    c->used = 0;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].key != 0 && old[i].count > 0) {
            *lookup(c->slots, c->cap, old[i].key) = old[i];
            c->used++;
        }
    }
    free(old);
}

int connlimit_acquire(struct connlimit *c, const struct sockaddr *sa,
                      uint64_t *key)
{
    struct connlimit_slot *s;
    int rc = -1;

    *key = addr_key(sa);
    pthread_mutex_lock(&c->lock);
    if (2 * (c->used + 1) > c->cap)
        rehash(c);
    s = lookup(c->slots, c->cap, *key);
    if (s->key == 0) {
        s->key = *key;
        s->count = 0;
        c->used++;
    }
    if (s->count < (uint32_t)c->max) {
        s->count++;
        rc = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void connlimit_release(struct connlimit *c, uint64_t key)
{
    struct connlimit_slot *s;

    pthread_mutex_lock(&c->lock);
    s = lookup(c->slots, c->cap, key);
    if (s->key == key && s->count > 0)
        s->count--;
    pthread_mutex_unlock(&c->lock);
}

size_t connlimit_count(struct connlimit *c, uint64_t key)
{
    struct connlimit_slot *s;
    size_t n;

    pthread_mutex_lock(&c->lock);
    s = lookup(c->slots, c->cap, key);
    n = s->key == key ? s->count : 0;
    pthread_mutex_unlock(&c->lock);
    return n;
}
