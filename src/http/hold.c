/* hold.c -- hold a request for a while without blocking its loop.
 *
 * The rate limiter (api/ratelimit.h) holds a throttled request instead of
 * sleeping: http_hold() arms an h2o timeout on the request's own loop and
 * returns; the loop keeps serving everything else. When the timeout fires,
 * the resumption is posted through the loop's mailbox (an h2o timeout must
 * not be disposed from inside its own callback), and the mailbox disposes
 * the timeout and calls fn on the loop thread.
 *
 * If the client goes away first, h2o clears the request's memory pool: a
 * dispose hook there unlinks and frees a timer that has not fired, or marks
 * a fired one so the mailbox only frees it. fn is then never called.
 *
 * A hold waits in slices of at most HOLD_SLICE_MS, so a loop that is
 * stopping resumes its held requests within a slice instead of keeping
 * them past the shutdown grace period (they go on, unthrottled, and are
 * answered).
 *
 * Timeouts: an h2o 2.2 timeout has one fixed duration, and every timeout
 * of a loop is walked on each turn of it, so holds never create their
 * own. The loop owns HOLD_STEPS tail timeouts (0, HOLD_STEP_MS, ...,
 * HOLD_SLICE_MS - HOLD_STEP_MS) and one of HOLD_SLICE_MS, made when it
 * starts (http_hold_init()) and disposed when it ends; a hold only links
 * its entry. The wait is rounded up to a multiple of HOLD_STEP_MS: the
 * tail first, then whole slices (hold_plan()).
 *
 * Threading: everything runs on the request's loop thread. Each hold is one
 * malloc'd struct; holds are bounded by the throttle's 30 s limit and by
 * the per-address connection cap.
 */
#include "common/common.h"

#include <string.h>

#include "common/xalloc.h"
#include "http/internal.h"

struct hold {
    h2o_timeout_entry_t entry;
    uint64_t slices;           /* whole slices still to wait */
    h2o_loop_t *loop;
    struct http_loop *owner;
    struct http_req *r;        /* NULL once the client is gone */
    struct hold **slot;        /* in the request's pool: the dispose hook */
    http_resume_fn fn;
    void *arg;
    int fired;                 /* the resumption is in the mailbox */
};

void http_hold_init(struct http_loop *l)
{
    for (size_t i = 0; i < HOLD_STEPS; i++)
        h2o_timeout_init(l->ctx.loop, &l->hold_tail[i], i * HOLD_STEP_MS);
    h2o_timeout_init(l->ctx.loop, &l->hold_slice, HOLD_SLICE_MS);
}

/* A timeout with an entry still linked cannot be disposed; that happens
 * only when connections outlive the grace period, and the process exits. */
static void timeout_fini(h2o_loop_t *loop, h2o_timeout_t *t)
{
    if (h2o_linklist_is_empty(&t->_entries))
        h2o_timeout_dispose(loop, t);
}

void http_hold_fini(struct http_loop *l)
{
    for (size_t i = 0; i < HOLD_STEPS; i++)
        timeout_fini(l->ctx.loop, &l->hold_tail[i]);
    timeout_fini(l->ctx.loop, &l->hold_slice);
}

static void hold_dispose(struct hold *h)
{
    if (h2o_timeout_is_linked(&h->entry))
        h2o_timeout_unlink(&h->entry);
}

/* The request's pool is being cleared (the client went away). */
static void on_req_dispose(void *p)
{
    struct hold **slot = p;
    struct hold *h = *slot;

    if (h == NULL)
        return;
    if (h->fired) {
        h->r = NULL; /* the mailbox frees it */
        return;
    }
    hold_dispose(h);
    free(h);
}

static void on_resume(void *arg)
{
    struct hold *h = arg;
    struct http_req *r = h->r;

    hold_dispose(h);
    if (r != NULL) {
        *h->slot = NULL; /* the pool still exists: detach the hook */
        h->fn(r, h->arg);
    }
    free(h);
}

/* A slice has passed: wait for the next one, or resume. A stopping loop
 * resumes at once, so holds never outlast the shutdown grace period. */
static void on_fire(h2o_timeout_entry_t *entry)
{
    struct hold *h = H2O_STRUCT_FROM_MEMBER(struct hold, entry, entry);

    if (h->slices > 0 && !h->owner->stopping) {
        h->slices--;
        h2o_timeout_link(h->loop, &h->owner->hold_slice, &h->entry);
        return;
    }
    h->fired = 1;
    http_loop_post(h->owner, on_resume, h);
}

void hold_plan(uint64_t ms, size_t *tail, uint64_t *slices)
{
    uint64_t steps = ms / HOLD_STEP_MS + (ms % HOLD_STEP_MS != 0);

    if (steps % HOLD_STEPS != 0 || steps == 0) {
        *tail = (size_t)(steps % HOLD_STEPS);
        *slices = steps / HOLD_STEPS;
    } else { /* a whole number of slices: the first one is the timeout */
        *tail = HOLD_STEPS;
        *slices = steps / HOLD_STEPS - 1;
    }
}

void http_hold(struct http_req *r, uint64_t ms, http_resume_fn fn, void *arg)
{
    struct hold *h = xcalloc(1, sizeof(*h));
    size_t tail;

    h->loop = r->loop->ctx.loop;
    h->owner = r->loop;
    h->r = r;
    h->fn = fn;
    h->arg = arg;
    h->slot = h2o_mem_alloc_shared(&r->req->pool, sizeof(*h->slot),
                                   on_req_dispose);
    *h->slot = h;
    if (r->loop->stopping)
        ms = 0;
    hold_plan(ms, &tail, &h->slices);
    h->entry.cb = on_fire;
    h2o_timeout_link(h->loop, tail == HOLD_STEPS ? &h->owner->hold_slice
                                                 : &h->owner->hold_tail[tail],
                     &h->entry);
}

void *http_alloc(struct http_req *r, size_t n)
{
    void *p = h2o_mem_alloc_pool(&r->req->pool, n);

    memset(p, 0, n);
    return p;
}
