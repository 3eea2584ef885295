/* throttle_rule.h -- Offen's throttle rule for one key, as a pure function.
 *
 * The state of a key is its block's end (until, ms) and the requests
 * recorded so far (queue). One hit at now with threshold d and Offen's
 * timeout T:
 *
 *   - no live block (until <= now; a key without an entry passes
 *     until = INT64_MIN): pass, and the block becomes {now + d, 1};
 *   - until - now > T: reject, the state stays;
 *   - else wait until - now, then pass; the block grows by d (linear) or
 *     d * queue (exponential) and queue by one.
 *
 * Both the memory store (api/ratelimit_mem.c) and the database store
 * (store/throttle.c) decide with it; each keeps the state its own way.
 *
 * Threading: no state; safe on any thread.
 */
#ifndef CD_COMMON_THROTTLE_RULE_H
#define CD_COMMON_THROTTLE_RULE_H

#include <stdbool.h>
#include <stdint.h>

enum throttle_verdict {
    THROTTLE_PASS = 0,   /* go on at once */
    THROTTLE_WAIT = 1,   /* hold for wait_ms, then go on */
    THROTTLE_REJECT = 2, /* 429 */
};

struct throttle_decision {
    enum throttle_verdict verdict;
    int64_t wait_ms;  /* THROTTLE_WAIT: how long to hold; else 0 */
    int64_t until_ms; /* the key's block after the hit (REJECT: as it was) */
    int64_t queue;    /* its queue after the hit (REJECT: as it was) */
};

/* One hit on a key whose block ends at until_ms with queue requests
 * recorded, at now_ms, threshold d_ms, linear or exponential, timeout
 * timeout_ms. */
struct throttle_decision throttle_decide(int64_t until_ms, int64_t queue,
                                         int64_t now_ms, int64_t d_ms,
                                         bool exponential,
                                         int64_t timeout_ms);

#endif /* CD_COMMON_THROTTLE_RULE_H */
