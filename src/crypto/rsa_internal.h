/* rsa_internal.h -- the layout of struct crypto_rsa_key, shared by rsa.c
 * and jwk.c only. Nothing outside src/crypto/ may include this file: it
 * pulls in OpenSSL. */
#ifndef CD_CRYPTO_RSA_INTERNAL_H
#define CD_CRYPTO_RSA_INTERNAL_H

#include <openssl/evp.h>
#include <stdbool.h>

struct crypto_rsa_key {
    EVP_PKEY *pkey; /* owned; RSA public key or key pair */
    bool priv;      /* pkey holds the private parameters */
};

/* Wrap pkey (ownership moves in) into a new key object. */
struct crypto_rsa_key *crypto_rsa_key_wrap(EVP_PKEY *pkey, bool priv);

#endif /* CD_CRYPTO_RSA_INTERNAL_H */
