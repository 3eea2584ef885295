/* memeq.h -- constant-time comparison and wiping of secrets.
 *
 * Every comparison of a MAC, a password hash or any other secret goes
 * through crypto_memeq(), whose running time depends only on n, never on
 * where the inputs differ. Every buffer that held a secret (keys, plaintext,
 * derived hashes) is cleared with crypto_wipe() before it is freed or goes
 * out of scope; unlike memset() the compiler cannot optimise it away.
 * Both are thread-safe and never fail.
 */
#ifndef CD_CRYPTO_MEMEQ_H
#define CD_CRYPTO_MEMEQ_H

#include <stdbool.h>
#include <stddef.h>

/* True when a[0..n) equals b[0..n); time depends on n only. n == 0 is
 * true. */
bool crypto_memeq(const void *a, const void *b, size_t n);

/* Overwrite p[0..n) with zeros. p may be NULL when n is 0. */
void crypto_wipe(void *p, size_t n);

/* Wipe p[0..n) and free(p). p may be NULL. For heap buffers that held
 * secrets, such as the plaintext returned by crypto_aes_decrypt(). */
void crypto_free_secret(void *p, size_t n);

#endif /* CD_CRYPTO_MEMEQ_H */
