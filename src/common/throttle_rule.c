/* throttle_rule.c -- Offen's throttle rule (throttle_rule.h).
 *
 * Threading: no state; safe on any thread.
 */
#include "common/common.h"
#include "common/throttle_rule.h"

struct throttle_decision throttle_decide(int64_t until_ms, int64_t queue,
                                         int64_t now_ms, int64_t d_ms,
                                         bool exponential,
                                         int64_t timeout_ms)
{
    struct throttle_decision out = {THROTTLE_PASS, 0, until_ms, queue};

    if (until_ms <= now_ms) {
        out.until_ms = now_ms + d_ms;
        out.queue = 1;
        return out;
    }
    if (until_ms - now_ms > timeout_ms) {
        out.verdict = THROTTLE_REJECT;
        return out;
    }
    /* Bounded: until - now stays under T + d * queue, and queue only
     * grows while until - now <= T. */
    out.verdict = THROTTLE_WAIT;
    out.wait_ms = until_ms - now_ms;
    out.until_ms = until_ms + d_ms * (exponential ? queue : 1);
    out.queue = queue + 1;
    return out;
}
