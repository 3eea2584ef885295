/* known.h -- a bounded set of secret ids known to exist (store/ only).
 *
 * The group-commit writer remembers the secret ids it has committed events
 * under, so that the next event of the same visitor goes in without its
 * secret being looked up (a third of the writer's time per event on
 * SQLite, docs/benchmarks.md). That is sound because Candor never deletes
 * a secret id for good: a visitor's new exchange parks the old secret
 * under another id and stores the new one under the same id in one
 * transaction, and purges and expiry delete events, not secrets. Only a
 * hand-made deletion of a secret's row while the server runs could let an
 * event in under an id without a secret, which no operator can decrypt.
 *
 * Fixed capacity, open addressing with a random seed per set (a visitor
 * who picks cookies cannot pile ids into one run of slots); a set three
 * quarters full starts empty again, which costs only lookups. Ids longer than STORE_ID_MAX are
 * never held. The memory is taken at the first known_add(). One thread.
 */
#ifndef CD_STORE_KNOWN_H
#define CD_STORE_KNOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct known {
    char (*slot)[STORE_ID_MAX + 1]; /* "" is an empty slot */
    size_t cap;                     /* a power of two */
    size_t n;
    uint64_t seed; /* random: where an id lands cannot be aimed at */
};

/* An empty set of at most cap * 3 / 4 ids; cap must be a power of two,
 * at least 4. */
void known_init(struct known *k, size_t cap);
bool known_has(const struct known *k, const char *id);
void known_add(struct known *k, const char *id);
void known_release(struct known *k);

#endif /* CD_STORE_KNOWN_H */
