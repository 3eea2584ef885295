/* ulid.c -- ULIDs: encoding, validation and a monotonic generator.
 *
 * The generator keeps the last id's millisecond and random part under one
 * mutex. A call in a later millisecond draws 80 fresh random bits; a call
 * in the same millisecond, or while the clock reads earlier than the last
 * id (it was stepped back), adds a random 1..2^32 to the last random part
 * and keeps the last millisecond. Either way the new id is greater. When
 * the addition carries out of 80 bits, the generator takes the next
 * millisecond with fresh bits: it waits for the clock to reach it, unless
 * the clock stands behind the last id, in which case it takes last + 1
 * at once rather than wait out the step. Offen's generator fails instead,
 * and is shared by goroutines without a lock.
 *
 * The clock is a function pointer so the unit test can drive it.
 *
 * Threading: gen is guarded by gen.mu; everything else is stateless.
 */
#include "common/common.h"
#include "crypto/ulid.h"

#include <assert.h>
#include <pthread.h>

#include "crypto/random.h"

#define ULID_WAIT_NS 50000 /* poll interval while waiting for the next ms */

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define ULID_POOL 4096 /* CSPRNG bytes fetched at once */

struct ulid_gen {
    pthread_mutex_t mu;
    int64_t last_ms;                           /* -1 before the first id */
    unsigned char rnd[CRYPTO_ULID_RANDOM_LEN]; /* the last id's random part */
    /* CSPRNG output drawn in blocks: one RAND_bytes() costs about as much
     * as the rest of an event insert, and ids are public, so the bytes
     * need no wiping. */
    unsigned char pool[ULID_POOL];
    size_t pool_used;                          /* ULID_POOL when empty */
};

static struct ulid_gen gen = {PTHREAD_MUTEX_INITIALIZER, -1, {0}, {0},
                              ULID_POOL};

/* n random bytes from the pool; gen.mu held. */
static int pool_take(void *out, size_t n)
{
    if (gen.pool_used + n > ULID_POOL) {
        int rc = crypto_random(gen.pool, sizeof(gen.pool));

        if (rc < 0)
            return rc;
        gen.pool_used = 0;
    }
    memcpy(out, gen.pool + gen.pool_used, n);
    gen.pool_used += n;
    return CD_OK;
}

static int64_t realtime_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The clock the generator reads, clamped to what a ULID holds. */
static int64_t (*ulid_clock)(void) = realtime_ms;

static int64_t clock_now(void)
{
    int64_t ms = ulid_clock();

    if (ms < 0)
        return 0;
    return ms > CRYPTO_ULID_TIME_MAX ? CRYPTO_ULID_TIME_MAX : ms;
}

void crypto_ulid_encode(int64_t ms,
                        const unsigned char rnd[CRYPTO_ULID_RANDOM_LEN],
                        char out[CRYPTO_ULID_SIZE])
{
    unsigned char v[16];

    assert(ms >= 0 && ms <= CRYPTO_ULID_TIME_MAX);
    for (int i = 0; i < 6; i++)
        v[i] = (unsigned char)((uint64_t)ms >> (40 - 8 * i));
    memcpy(v + 6, rnd, CRYPTO_ULID_RANDOM_LEN);
    /* 26 characters of 5 bits are 130 bits: two leading zero bits, then
     * the 128 bits of v, most significant first. */
    for (int c = 0; c < CRYPTO_ULID_LEN; c++) {
        unsigned idx = 0;

        for (int b = 0; b < 5; b++) {
            int bit = c * 5 + b - 2;

            idx <<= 1;
            if (bit >= 0)
                idx |= (v[bit / 8] >> (7 - bit % 8)) & 1u;
        }
        out[c] = alphabet[idx];
    }
    out[CRYPTO_ULID_LEN] = '\0';
}

/* The value of one character of the alphabet, or -1. */
static int digit_value(char c)
{
    const char *p = c != '\0' ? strchr(alphabet, c) : NULL;

    return p != NULL ? (int)(p - alphabet) : -1;
}

bool crypto_ulid_valid(const char *s, size_t n)
{
    if (s == NULL || n != CRYPTO_ULID_LEN || s[0] > '7')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (digit_value(s[i]) < 0)
            return false;
    }
    return true;
}

int64_t crypto_ulid_time_ms(const char *id)
{
    int64_t ms = 0;

    if (id == NULL || !crypto_ulid_valid(id, strlen(id)))
        return -1;
    /* 3 bits in the first character (it is at most '7'), 5 in the next
     * nine: 48 bits. */
    for (int i = 0; i < 10; i++)
        ms = ms << 5 | digit_value(id[i]);
    return ms;
}

int crypto_ulid_at(int64_t ms, char out[CRYPTO_ULID_SIZE])
{
    unsigned char rnd[CRYPTO_ULID_RANDOM_LEN];
    int rc;

    out[0] = '\0';
    if (ms < 0 || ms > CRYPTO_ULID_TIME_MAX)
        return CD_EINVAL;
    rc = crypto_random(rnd, sizeof(rnd));
    if (rc < 0)
        return rc;
    crypto_ulid_encode(ms, rnd, out);
    return CD_OK;
}

int crypto_ulid_sibling(const char *id, char out[CRYPTO_ULID_SIZE])
{
    int64_t ms = crypto_ulid_time_ms(id);

    if (ms < 0) {
        out[0] = '\0';
        return CD_EINVAL;
    }
    return crypto_ulid_at(ms, out);
}

/* rnd += inc, as an 80-bit big-endian number. True when it carries out
 * of 80 bits (rnd then holds the wrapped value, which is not used). */
static bool add80(unsigned char rnd[CRYPTO_ULID_RANDOM_LEN], uint64_t inc)
{
    uint64_t carry = inc;

    for (int i = CRYPTO_ULID_RANDOM_LEN - 1; i >= 0 && carry != 0; i--) {
        uint64_t sum = rnd[i] + (carry & 0xff);

        rnd[i] = (unsigned char)sum;
        carry = (carry >> 8) + (sum >> 8);
    }
    return carry != 0;
}

/* The millisecond after last, for an overflow: wait for the clock to
 * reach it, unless the clock stands behind last (stepped back). */
static int64_t next_ms(int64_t last)
{
    const struct timespec pause = {0, ULID_WAIT_NS};
    int64_t now = clock_now();

    if (now < last || last == CRYPTO_ULID_TIME_MAX)
        return last < CRYPTO_ULID_TIME_MAX ? last + 1 : last;
    while (now <= last) {
        nanosleep(&pause, NULL);
        now = clock_now();
    }
    return now;
}

/* The next id after gen's state; gen.mu held. */
static int next_locked(char out[CRYPTO_ULID_SIZE])
{
    unsigned char rnd[CRYPTO_ULID_RANDOM_LEN];
    unsigned char inc[4];
    int64_t ms = clock_now();
    int rc;

    if (ms <= gen.last_ms) {
        rc = pool_take(inc, sizeof(inc));
        if (rc < 0)
            return rc;
        memcpy(rnd, gen.rnd, sizeof(rnd));
        if (!add80(rnd, ((uint64_t)inc[0] << 24 | (uint64_t)inc[1] << 16 |
                         (uint64_t)inc[2] << 8 | inc[3]) + 1)) {
            ms = gen.last_ms;
            goto out;
        }
        ms = next_ms(gen.last_ms);
        if (ms == gen.last_ms)
            return CD_EIO; /* the year 10889: nothing left to give */
    }
    rc = pool_take(rnd, sizeof(rnd));
    if (rc < 0)
        return rc;
out:
    gen.last_ms = ms;
    memcpy(gen.rnd, rnd, sizeof(rnd));
    crypto_ulid_encode(ms, rnd, out);
    return CD_OK;
}

int crypto_ulid_new(char out[CRYPTO_ULID_SIZE])
{
    int rc;

    out[0] = '\0';
    pthread_mutex_lock(&gen.mu);
    rc = next_locked(out);
    pthread_mutex_unlock(&gen.mu);
    return rc;
}
