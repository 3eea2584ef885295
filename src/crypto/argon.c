/* argon.c -- Argon2id parameter sets, DeriveKey, HashString (see argon.h).
 *
 * libargon2 computes; this file maps Offen's versions to parameters and
 * reads and writes the versioned strings through cipher.h. libargon2 runs
 * the lanes of one call on up to ARGON_MAX_THREADS threads of its own; the
 * thread count never changes the output, only the latency.
 */
#include "common/common.h"
#include "crypto/argon.h"

#include <argon2.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "crypto/cipher.h"
#include "crypto/memeq.h"
#include "crypto/random.h"

#define ARGON_MAX_THREADS 4u  /* threads libargon2 may start per call */
#define ARGON_MAX_LANES 127   /* Offen's override is an int8 */

struct argon_params {
    uint32_t t_cost;  /* passes */
    uint32_t m_cost;  /* memory in KiB */
    uint32_t lanes;   /* parallelism */
};

static atomic_int cpu_override; /* 0 = use the CPU count */

int crypto_argon_set_cpu_override(int n)
{
    if (n < 0 || n > ARGON_MAX_LANES)
        return CD_EINVAL;
    atomic_store(&cpu_override, n);
    return CD_OK;
}

unsigned crypto_argon_v2_lanes(void)
{
    int n = atomic_load(&cpu_override);
    cpu_set_t set;
    long online;

    if (n > 0)
        return (unsigned)n;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        n = CPU_COUNT(&set);
    else if ((online = sysconf(_SC_NPROCESSORS_ONLN)) > 0)
        n = online > ARGON_MAX_LANES ? ARGON_MAX_LANES : (int)online;
    else
        n = 1;
    return n > ARGON_MAX_LANES ? ARGON_MAX_LANES : (unsigned)n;
}

/* The parameter set of an algo version; CD_EINVAL if unknown. */
static int params_for(int version, struct argon_params *p)
{
    switch (version) {
    case 1:
        *p = (struct argon_params){ 1, 64 * 1024, 4 };
        return CD_OK;
    case 2:
        *p = (struct argon_params){ 4, 16 * 1024, crypto_argon_v2_lanes() };
        return CD_OK;
    case 3:
        *p = (struct argon_params){ 4, 16 * 1024, 4 };
        return CD_OK;
    default:
        return CD_EINVAL;
    }
}

int crypto_derive_key_raw(int version, const void *value, size_t n,
                          const void *salt, size_t saltlen,
                          unsigned char out[32])
{
    struct argon_params p;
    argon2_context ctx;
    int rc;

    memset(out, 0, CRYPTO_ARGON_KEY_LEN);
    rc = params_for(version, &p);
    if (rc < 0)
        return rc;
    if (n > CRYPTO_ARGON_INPUT_MAX || saltlen > CRYPTO_ARGON_INPUT_MAX)
        return CD_ETOOBIG;
    memset(&ctx, 0, sizeof(ctx));
    ctx.out = out;
    ctx.outlen = CRYPTO_ARGON_KEY_LEN;
    ctx.pwd = n > 0 ? (uint8_t *)value : NULL; /* libargon2 does not write */
    ctx.pwdlen = (uint32_t)n;
    ctx.salt = (uint8_t *)salt;
    ctx.saltlen = (uint32_t)saltlen;
    ctx.t_cost = p.t_cost;
    ctx.m_cost = p.m_cost;
    ctx.lanes = p.lanes;
    ctx.threads = p.lanes < ARGON_MAX_THREADS ? p.lanes : ARGON_MAX_THREADS;
    ctx.version = ARGON2_VERSION_13;
    ctx.flags = ARGON2_DEFAULT_FLAGS;
    switch (argon2_ctx(&ctx, Argon2_id)) {
    case ARGON2_OK:
        return CD_OK;
    case ARGON2_MEMORY_ALLOCATION_ERROR:
        rc = CD_ENOMEM;
        break;
    default:
        rc = CD_EINVAL;
        break;
    }
    crypto_wipe(out, CRYPTO_ARGON_KEY_LEN);
    return rc;
}

int crypto_derive_key(const void *value, size_t n, const char *salt,
                      size_t saltlen, unsigned char out[32])
{
    struct crypto_versioned v;
    int rc;

    memset(out, 0, CRYPTO_ARGON_KEY_LEN);
    rc = crypto_versioned_parse(&v, salt, saltlen);
    if (rc < 0)
        return rc;
    rc = crypto_derive_key_raw(v.algo, value, n, v.cipher, v.cipher_len, out);
    crypto_versioned_release(&v);
    return rc;
}

int crypto_hash_string_with_salt(const char *s, size_t n,
                                 const unsigned char salt[16],
                                 char out[CRYPTO_HASH_STRING_SIZE])
{
    unsigned char hash[CRYPTO_ARGON_KEY_LEN];
    int rc;

    out[0] = '\0';
    if (n == 0)
        return CD_EINVAL;
    rc = crypto_derive_key_raw(CRYPTO_ARGON_VERSION, s, n, salt,
                               CRYPTO_HASH_SALT_LEN, hash);
    if (rc < 0)
        goto out;
    rc = crypto_versioned_format(out, CRYPTO_HASH_STRING_SIZE,
                                 CRYPTO_ARGON_VERSION, hash, sizeof(hash),
                                 salt, CRYPTO_HASH_SALT_LEN);
out:
    crypto_wipe(hash, sizeof(hash));
    return rc;
}

int crypto_hash_string(const char *s, size_t n,
                       char out[CRYPTO_HASH_STRING_SIZE])
{
    unsigned char salt[CRYPTO_HASH_SALT_LEN];
    int rc;

    out[0] = '\0';
    if (n == 0)
        return CD_EINVAL;
    rc = crypto_random(salt, sizeof(salt));
    if (rc < 0)
        return rc;
    return crypto_hash_string_with_salt(s, n, salt, out);
}

int crypto_compare_string(const char *s, size_t n, const char *stored,
                          size_t storedlen)
{
    unsigned char hash[CRYPTO_ARGON_KEY_LEN];
    struct crypto_versioned v;
    int rc = CD_EINVAL;

    memset(&v, 0, sizeof(v));
    memset(hash, 0, sizeof(hash));
    if (storedlen == 0)
        goto out;
    rc = crypto_versioned_parse(&v, stored, storedlen);
    if (rc < 0)
        goto out;
    rc = CD_EPROTO;
    if (v.nonce == NULL)
        goto out;
    rc = crypto_derive_key_raw(v.algo, s, n, v.nonce, v.nonce_len, hash);
    if (rc < 0)
        goto out;
    rc = CD_EAUTH;
    if (v.cipher_len == sizeof(hash) &&
        crypto_memeq(hash, v.cipher, sizeof(hash)))
        rc = CD_OK;
out:
    crypto_wipe(hash, sizeof(hash));
    crypto_versioned_release(&v);
    return rc;
}

int crypto_new_kdf_salt(char out[CRYPTO_KDF_SALT_SIZE])
{
    unsigned char salt[CRYPTO_KDF_SALT_LEN];
    int rc;

    out[0] = '\0';
    rc = crypto_random(salt, sizeof(salt));
    if (rc < 0)
        return rc;
    return crypto_versioned_format(out, CRYPTO_KDF_SALT_SIZE,
                                   CRYPTO_ARGON_VERSION, salt, sizeof(salt),
                                   NULL, 0);
}
