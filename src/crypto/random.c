/* random.c -- CSPRNG bytes and UUIDv4 (see random.h). */
#include "common/common.h"
#include "crypto/random.h"

#include <limits.h>
#include <openssl/rand.h>
#include <stdio.h>

int crypto_random(void *buf, size_t n)
{
    unsigned char *p = buf;

    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;

        if (RAND_bytes(p, chunk) != 1)
            return CD_EIO;
        p += chunk;
        n -= (size_t)chunk;
    }
    return CD_OK;
}

int crypto_uuid4(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    size_t j = 0;
    int rc;

    rc = crypto_random(b, sizeof(b));
    if (rc < 0)
        return rc;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[j++] = '-';
        out[j++] = hex[b[i] >> 4];
        out[j++] = hex[b[i] & 0x0f];
    }
    out[j] = '\0';
    return CD_OK;
}
