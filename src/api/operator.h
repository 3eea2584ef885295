/* operator.h -- operators and their keys: Offen's login and key hierarchy.
 *
 * The business rules of reference/offen-server.md §9.7-§9.8, over store.h
 * and crypto/, with no HTTP: used by the API routes and by `candor setup`.
 * Everything here is slow (Argon2id, RSA) and runs on worker threads.
 *
 * Key hierarchy: each account has an RSA key pair whose private half is
 * encrypted with the account's KEK (32 random bytes). Each operator's
 * relationship to an account holds that KEK twice: under a key derived from
 * the password (PW) and under one derived from the email (EM); a pending
 * invitation has only EM, and a password reset in progress adds OT.
 *
 * Fixes over Offen: emails match case-insensitively (new rows are made from
 * the lower-cased email; rows made by Offen are tried as typed, then lower
 * case), and finding an operator costs one keyed hash, not one Argon2id per
 * stored operator: a lookup table maps HMAC(server key, lower-cased email)
 * to the operator. Rows without a lookup under the current key (made by
 * Offen, or under another secret) are the only ones scanned with Argon2id,
 * and get their lookup at their first successful login.
 */
#ifndef CD_API_OPERATOR_H
#define CD_API_OPERATOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/token.h"

struct store;
struct store_user;
struct store_account;
struct store_relationship;

#define OPERATOR_PASSWORD_MIN 8   /* bytes, as Offen */
#define OPERATOR_PASSWORD_MAX 64  /* bytes, as Offen */
#define OPERATOR_EMAIL_MAX 254    /* bytes of an email address */
#define OPERATOR_KEY_ID_SIZE 17   /* 16 hex digits + NUL */

/* Keys derived from the server secret at start-up; read-only after. */
struct operator_keys {
    struct crypto_signer signer;        /* auth, reset and join tokens */
    unsigned char lookup_key[32];       /* HMAC key of the email lookup */
    char lookup_key_id[OPERATOR_KEY_ID_SIZE]; /* names lookup_key */
    char *dummy_hash;                   /* compared on a miss: same timing */
};

int operator_keys_init(struct operator_keys *k, const unsigned char *secret,
                       size_t n, struct cd_error *err) CD_MUST_CHECK;
void operator_keys_release(struct operator_keys *k);

/* One account an operator unlocked at login. */
struct operator_account {
    char *account_id;
    char *name;
    int64_t created_ms;
    unsigned char kek[32];
};

struct operator_login {
    char *account_user_id;
    int64_t admin_level;
    struct operator_account *accounts; /* naccounts of them */
    size_t naccounts;
};

void operator_login_release(struct operator_login *l); /* wipes the KEKs */

/* An ASCII lower-case copy of s (caller frees): emails are compared and
 * keys derived from this form. */
char *operator_lower(const char *s);

/* 8..64 bytes, as Offen's policy. */
bool operator_password_ok(const char *password);
/* Syntax check: one '@', no spaces or control bytes, at most
 * OPERATOR_EMAIL_MAX bytes. */
bool operator_email_ok(const char *email);

/* Find the operator with this email (any case). accepted_only drops
 * pending relationships from *out. CD_ENOTFOUND if none (after the same
 * Argon2id work a hit costs), CD_ESTORE. *out is released by the caller. */
int operator_find(struct store *st, const struct operator_keys *k,
                  const char *email, bool accepted_only,
                  struct store_user *out, struct cd_error *err) CD_MUST_CHECK;

/* Log in (§9.7): find, check the password, accept pending invitations,
 * unwrap every KEK, record the email lookup if missing. CD_EAUTH for any
 * failure a client could cause, CD_ESTORE for the database. */
int operator_login(struct store *st, const struct operator_keys *k,
                   const char *email, const char *password,
                   struct operator_login *out,
                   struct cd_error *err) CD_MUST_CHECK;

/* The login result of an operator by id without keys (GET /api/login):
 * accepted accounts only, names and keys left empty. */
int operator_session(struct store *st, const char *account_user_id,
                     struct operator_login *out,
                     struct cd_error *err) CD_MUST_CHECK;

/* Offen's login JSON: accounts null when there are none; with_keys adds
 * names, KEKs as JWK and created times. */
json_t *operator_login_json(const struct operator_login *l, bool with_keys);

/* Material for a new account (key pair, salts, now) named name, with id
 * (or a new UUID if id is NULL); its KEK in kek. */
int operator_account_new(const char *id, const char *name,
                         struct store_account *acc, unsigned char kek[32],
                         struct cd_error *err) CD_MUST_CHECK;

/* A new operator row without relationships. password "" makes an invited
 * operator who has not joined yet. */
int operator_user_new(const char *email, const char *password,
                      int64_t admin_level, struct store_user *u,
                      struct cd_error *err) CD_MUST_CHECK;

/* A relationship giving u the account's kek: EM from email, and PW from
 * password unless password is "" (a pending invitation). */
int operator_grant(const struct store_user *u, const char *email,
                   const char *password, const char *account_id,
                   const unsigned char kek[32], struct store_relationship *rel,
                   struct cd_error *err) CD_MUST_CHECK;

/* Record (or replace) the email lookup of an operator. */
int operator_set_lookup(struct store *st, const struct operator_keys *k,
                        const char *account_user_id, const char *email,
                        struct cd_error *err) CD_MUST_CHECK;

/* The password key (PK) and the email keys (EK, as typed and lower case)
 * of u; used by the management flows of §9.8. */
int operator_password_key(const struct store_user *u, const char *password,
                          unsigned char out[32]) CD_MUST_CHECK;
/* Decrypt an EM (email-wrapped KEK) of u with the email as typed, then in
 * lower case. */
int operator_unwrap_em(const struct store_user *u, const char *email,
                       const char *em, unsigned char kek[32]) CD_MUST_CHECK;
/* KEK = D(key, wrapped); and wrapped = E(key, KEK) (caller frees *out). */
int operator_unwrap(const unsigned char key[32], const char *wrapped,
                    unsigned char kek[32]) CD_MUST_CHECK;
int operator_wrap(const unsigned char key[32], const unsigned char kek[32],
                  char **out) CD_MUST_CHECK;

#endif /* CD_API_OPERATOR_H */
