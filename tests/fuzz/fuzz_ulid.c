/* fuzz_ulid.c -- ULIDs from outside (src/crypto/ulid.c): the ?since=
 * sequences and event ids clients send.
 *
 * Checks, besides "no crash":
 *   - crypto_ulid_valid() agrees with a reference written from ulid.h's
 *     contract (26 characters of the uppercase Crockford alphabet, the
 *     first at most '7');
 *   - crypto_ulid_time_ms() is -1 exactly for invalid input, else the
 *     time, and re-encoding that time with the input's random part gives
 *     the input back;
 *   - crypto_ulid_sibling() of a valid id has the same time and is valid;
 *     of an invalid one it is CD_EINVAL.
 */
#include <string.h>

#include "crypto/ulid.h"
#include "fuzz.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int value_of(char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;

    return p ? (int)(p - alphabet) : -1;
}

static int reference_valid(const char *s, size_t n)
{
    if (n != CRYPTO_ULID_LEN)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (value_of(s[i]) < 0)
            return 0;
    }
    return s[0] <= '7';
}

/* The 80 random bits of a valid ULID, big-endian. */
static void random_part(const char *s, unsigned char rnd[CRYPTO_ULID_RANDOM_LEN])
{
    memset(rnd, 0, CRYPTO_ULID_RANDOM_LEN);
    for (size_t i = 10; i < CRYPTO_ULID_LEN; i++) { /* 16 chars x 5 bits */
        int v = value_of(s[i]);

        for (int b = 4; b >= 0; b--) {
            size_t bit = (i - 10) * 5 + (size_t)(4 - b); /* 0 = top bit */

            if (v >> b & 1)
                rnd[bit / 8] |= (unsigned char)(0x80 >> (bit % 8));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    char out[CRYPTO_ULID_SIZE];
    unsigned char rnd[CRYPTO_ULID_RANDOM_LEN];
    int valid;
    int64_t ms;

    memcpy(s, data, size);
    s[size] = '\0';
    valid = reference_valid(s, size);
    FUZZ_CHECK(crypto_ulid_valid(s, size) == valid);
    if (strlen(s) != size) { /* an embedded NUL: the C-string APIs stop */
        free(s);
        return 0;
    }
    ms = crypto_ulid_time_ms(s);
    FUZZ_CHECK((ms == -1) == !valid);
    if (valid) {
        FUZZ_CHECK(ms >= 0 && ms <= CRYPTO_ULID_TIME_MAX);
        random_part(s, rnd);
        crypto_ulid_encode(ms, rnd, out);
        FUZZ_CHECK(strcmp(out, s) == 0);
        FUZZ_CHECK(crypto_ulid_sibling(s, out) == CD_OK);
        FUZZ_CHECK(crypto_ulid_valid(out, strlen(out)));
        FUZZ_CHECK(crypto_ulid_time_ms(out) == ms);
    } else {
        FUZZ_CHECK(crypto_ulid_sibling(s, out) == CD_EINVAL);
    }
    free(s);
    return 0;
}
