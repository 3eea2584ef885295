/* operator.c -- operators, logins and KEK wrapping (see operator.h).
 *
 * Every secret that passes through here (passwords are the caller's,
 * derived keys and KEKs are ours) lives in fixed buffers that are wiped on
 * every path with crypto_wipe().
 */
#include "common/common.h"
#include "api/operator.h"

#include "common/log.h"
#include "common/str.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "crypto/argon.h"
#include "crypto/cipher.h"
#include "crypto/hashfast.h"
#include "crypto/hmac.h"
#include "crypto/jwk.h"
#include "crypto/memeq.h"
#include "crypto/random.h"
#include "crypto/rsa.h"
#include "store/store.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

char *operator_lower(const char *s)
{
    char *p = xstrdup(s);

    str_lower(p, strlen(p));
    return p;
}

int operator_keys_init(struct operator_keys *k, const unsigned char *secret,
                       size_t n, struct cd_error *err)
{
    static const char label[] = "candor email lookup v1";
    unsigned char id[32];
    char idhex[65];
    char hash[CRYPTO_HASH_STRING_SIZE];

    memset(k, 0, sizeof(*k));
    if (crypto_signer_init(&k->signer, secret, n) < 0 ||
        crypto_hmac_sha256(secret, n, label, sizeof(label) - 1,
                           k->lookup_key) < 0 ||
        crypto_hmac_sha256(k->lookup_key, sizeof(k->lookup_key), "id", 2,
                           id) < 0 ||
        crypto_hash_string("candor dummy", 12, hash) < 0) {
        operator_keys_release(k);
        return cd_error_set(err, CD_EINVAL, "cannot derive keys from the "
                            "secret");
    }
    hex(id, 8, idhex);
    memcpy(k->lookup_key_id, idhex, OPERATOR_KEY_ID_SIZE - 1);
    k->lookup_key_id[OPERATOR_KEY_ID_SIZE - 1] = '\0';
    k->dummy_hash = xstrdup(hash);
    return CD_OK;
}

void operator_keys_release(struct operator_keys *k)
{
    crypto_signer_release(&k->signer);
    crypto_wipe(k->lookup_key, sizeof(k->lookup_key));
    free(k->dummy_hash);
    k->dummy_hash = NULL;
}

void operator_login_release(struct operator_login *l)
{
    for (size_t i = 0; i < l->naccounts; i++) {
        free(l->accounts[i].account_id);
        free(l->accounts[i].name);
        crypto_wipe(l->accounts[i].kek, sizeof(l->accounts[i].kek));
    }
    free(l->accounts);
    free(l->account_user_id);
    memset(l, 0, sizeof(*l));
}

bool operator_password_ok(const char *password)
{
    size_t n = strlen(password);

    return n >= OPERATOR_PASSWORD_MIN && n <= OPERATOR_PASSWORD_MAX;
}

bool operator_email_ok(const char *email)
{
    size_t n = strlen(email);
    const char *at = strchr(email, '@');

    if (n < 3 || n > OPERATOR_EMAIL_MAX || at == NULL || at == email ||
        at[1] == '\0' || strchr(at + 1, '@') != NULL)
        return false;
    for (const unsigned char *p = (const unsigned char *)email; *p; p++) {
        if (*p <= ' ' || *p == 0x7f)
            return false;
    }
    return true;
}

/* hex(HMAC(lookup key, lower-cased email)) */
static int lookup_of(const struct operator_keys *k, const char *email,
                     char out[65])
{
    unsigned char mac[32];
    char *l = operator_lower(email);
    int rc = crypto_hmac_sha256(k->lookup_key, sizeof(k->lookup_key), l,
                                strlen(l), mac);

    free(l);
    if (rc == CD_OK)
        hex(mac, sizeof(mac), out);
    return rc;
}

int operator_set_lookup(struct store *st, const struct operator_keys *k,
                        const char *account_user_id, const char *email,
                        struct cd_error *err)
{
    char lookup[65];

    if (lookup_of(k, email, lookup) < 0)
        return cd_error_set(err, CD_EIO, "cannot compute email lookup");
    return store_lookup_set(st, account_user_id, k->lookup_key_id, lookup,
                            err);
}

/* Does email (as typed, or lower-cased) match the stored hashed_email? */
static bool email_matches(const char *email, const char *hashed)
{
    char *l;
    bool ok;

    if (*hashed == '\0')
        return false;
    if (crypto_compare_string(email, strlen(email), hashed,
                              strlen(hashed)) == CD_OK)
        return true;
    l = operator_lower(email);
    ok = strcmp(l, email) != 0 &&
         crypto_compare_string(l, strlen(l), hashed, strlen(hashed)) == CD_OK;
    free(l);
    return ok;
}

static int find(struct store *st, const struct operator_keys *k,
                const char *email, bool accepted_only, struct store_user *out,
                bool *via_lookup, struct cd_error *err)
{
    struct store_user_list list = {0};
    char lookup[65];
    int rc;

    memset(out, 0, sizeof(*out));
    *via_lookup = false;
    if (lookup_of(k, email, lookup) < 0)
        return cd_error_set(err, CD_EIO, "cannot compute email lookup");
    rc = store_user_find_by_lookup(st, k->lookup_key_id, lookup,
                                   accepted_only, out, err);
    if (rc != CD_ENOTFOUND) {
        *via_lookup = rc == CD_OK;
        return rc;
    }
    /* Only rows without a lookup under the current key are scanned. */
    rc = store_users_without_lookup(st, k->lookup_key_id, accepted_only,
                                    &list, err);
    if (rc < 0)
        return rc;
    rc = CD_ENOTFOUND;
    for (size_t i = 0; i < list.n; i++) {
        if (email_matches(email, list.v[i].hashed_email)) {
            *out = list.v[i];
            memset(&list.v[i], 0, sizeof(list.v[i]));
            rc = CD_OK;
            break;
        }
    }
    if (rc == CD_ENOTFOUND && list.n == 0) /* cost a hit would have cost */
        (void)email_matches(email, k->dummy_hash);
    store_user_list_release(&list);
    if (rc == CD_ENOTFOUND)
        cd_error_set(err, rc, "no operator with this email");
    return rc;
}

int operator_find(struct store *st, const struct operator_keys *k,
                  const char *email, bool accepted_only,
                  struct store_user *out, struct cd_error *err)
{
    bool via_lookup;

    return find(st, k, email, accepted_only, out, &via_lookup, err);
}

int operator_password_key(const struct store_user *u, const char *password,
                          unsigned char out[32])
{
    return crypto_derive_key(password, strlen(password), u->salt,
                             strlen(u->salt), out);
}

int operator_unwrap(const unsigned char key[32], const char *wrapped,
                    unsigned char kek[32])
{
    unsigned char *pt = NULL;
    size_t n = 0;
    int rc;

    if (*wrapped == '\0')
        return CD_EAUTH;
    rc = crypto_aes_decrypt(key, 32, wrapped, strlen(wrapped), &pt, &n);
    if (rc < 0)
        return rc;
    if (n != 32) {
        crypto_free_secret(pt, n);
        return CD_EPROTO;
    }
    memcpy(kek, pt, 32);
    crypto_free_secret(pt, n);
    return CD_OK;
}

int operator_wrap(const unsigned char key[32], const unsigned char kek[32],
                  char **out)
{
    size_t len;

    return crypto_aes_encrypt(key, 32, kek, 32, out, &len);
}

int operator_unwrap_em(const struct store_user *u, const char *email,
                       const char *em, unsigned char kek[32])
{
    unsigned char ek[32];
    char *l = operator_lower(email);
    int rc = crypto_derive_key(email, strlen(email), u->salt,
                               strlen(u->salt), ek);

    if (rc == CD_OK)
        rc = operator_unwrap(ek, em, kek);
    if (rc < 0 && strcmp(l, email) != 0) {
        rc = crypto_derive_key(l, strlen(l), u->salt, strlen(u->salt), ek);
        if (rc == CD_OK)
            rc = operator_unwrap(ek, em, kek);
    }
    crypto_wipe(ek, sizeof(ek));
    free(l);
    return rc;
}

/* Accept pending invitations: PW = E(pk, D(EK, EM)). *changed if any. */
static int accept_invitations(struct store_user *u, const char *email,
                              const unsigned char pk[32], bool *changed)
{
    unsigned char kek[32];
    int rc = CD_OK;

    for (size_t i = 0; rc == CD_OK && i < u->nrels; i++) {
        struct store_relationship *rel = &u->rels[i];
        char *pw = NULL;

        if (*rel->password_encrypted_kek != '\0')
            continue;
        rc = operator_unwrap_em(u, email, rel->email_encrypted_kek, kek);
        if (rc == CD_OK)
            rc = operator_wrap(pk, kek, &pw);
        if (rc == CD_OK) {
            free(rel->password_encrypted_kek);
            rel->password_encrypted_kek = pw;
            *changed = true;
        }
    }
    crypto_wipe(kek, sizeof(kek));
    return rc;
}

static int unwrap_accounts(struct store *st, const struct store_user *u,
                           const unsigned char pk[32],
                           struct operator_login *out, struct cd_error *err)
{
    int rc = CD_OK;

    out->accounts = xcalloc(u->nrels ? u->nrels : 1, sizeof(*out->accounts));
    for (size_t i = 0; rc == CD_OK && i < u->nrels; i++) {
        struct operator_account *a = &out->accounts[out->naccounts];
        struct store_account acc = {0};

        rc = operator_unwrap(pk, u->rels[i].password_encrypted_kek, a->kek);
        if (rc < 0) {
            rc = cd_error_set(err, CD_EAUTH, "cannot unlock account %s",
                              u->rels[i].account_id);
            break;
        }
        rc = store_account_get(st, u->rels[i].account_id, false, &acc, err);
        if (rc == CD_OK) {
            a->account_id = xstrdup(acc.account_id);
            a->name = xstrdup(acc.name);
            a->created_ms = acc.created_unix_ms;
            out->naccounts++;
        } else if (rc == CD_ENOTFOUND) {
            rc = CD_EAUTH;
        }
        store_account_release(&acc);
    }
    return rc;
}

int operator_login(struct store *st, const struct operator_keys *k,
                   const char *email, const char *password,
                   struct operator_login *out, struct cd_error *err)
{
    struct store_user u = {0};
    unsigned char pk[32] = {0};
    bool via_lookup = false, changed = false;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = find(st, k, email, false, &u, &via_lookup, err);
    if (rc == CD_ENOTFOUND) {
        /* Cost what checking a password would have cost. */
        (void)email_matches(password, k->dummy_hash);
        rc = cd_error_set(err, CD_EAUTH, "invalid credentials");
        goto out;
    }
    if (rc < 0)
        goto out;
    rc = cd_error_set(err, CD_EAUTH, "invalid credentials");
    if (*u.hashed_password == '\0' ||
        crypto_compare_string(password, strlen(password), u.hashed_password,
                              strlen(u.hashed_password)) != CD_OK ||
        operator_password_key(&u, password, pk) != CD_OK)
        goto out;
    if (accept_invitations(&u, email, pk, &changed) < 0)
        goto out;
    if (changed && (rc = store_user_save(st, &u, err)) < 0)
        goto out;
    out->account_user_id = xstrdup(u.account_user_id);
    out->admin_level = u.admin_level;
    rc = unwrap_accounts(st, &u, pk, out, err);
    if (rc == CD_OK && !via_lookup &&
        operator_set_lookup(st, k, u.account_user_id, email, err) < 0)
        log_warn("could not record the email lookup of an operator: %s",
                 err->msg);
out:
    if (rc < 0)
        operator_login_release(out);
    crypto_wipe(pk, sizeof(pk));
    store_user_release(&u);
    return rc;
}

int operator_session(struct store *st, const char *account_user_id,
                     struct operator_login *out, struct cd_error *err)
{
    struct store_user u = {0};
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_user_get(st, account_user_id, true, &u, err);
    if (rc < 0)
        return rc;
    out->account_user_id = xstrdup(u.account_user_id);
    out->admin_level = u.admin_level;
    out->accounts = xcalloc(u.nrels ? u.nrels : 1, sizeof(*out->accounts));
    for (size_t i = 0; i < u.nrels; i++) {
        out->accounts[i].account_id = xstrdup(u.rels[i].account_id);
        out->accounts[i].name = xstrdup("");
        out->accounts[i].created_ms = STORE_TIME_ZERO_MS;
    }
    out->naccounts = u.nrels;
    store_user_release(&u);
    return CD_OK;
}

json_t *operator_login_json(const struct operator_login *l, bool with_keys)
{
    json_t *accounts = l->naccounts ? json_array() : json_null();

    for (size_t i = 0; i < l->naccounts; i++) {
        const struct operator_account *a = &l->accounts[i];
        char created[TIMEFMT_RFC3339_SIZE];
        char jwk[CRYPTO_JWK_OCT_SIZE];
        json_t *kek = json_null();

        timefmt_rfc3339(a->created_ms, created);
        if (with_keys) {
            crypto_jwk_export_oct(a->kek, jwk);
            kek = json_loads(jwk, 0, NULL);
            crypto_wipe(jwk, sizeof(jwk));
        }
        json_array_append_new(accounts, json_pack(
            "{s:s,s:s,s:o,s:s}", "accountId", a->account_id, "accountName",
            a->name, "keyEncryptionKey", kek ? kek : json_null(), "created",
            created));
    }
    return json_pack("{s:s,s:I,s:o}", "accountUserId", l->account_user_id,
                     "adminLevel", (json_int_t)l->admin_level, "accounts",
                     accounts);
}

/* --- new rows --------------------------------------------------------------- */

static char *new_uuid(void)
{
    char id[37];

    if (crypto_uuid4(id) < 0)
        abort(); /* the CSPRNG failing leaves nothing safe to do */
    return xstrdup(id);
}

int operator_account_new(const char *id, const char *name,
                         struct store_account *acc, unsigned char kek[32],
                         struct cd_error *err)
{
    struct crypto_rsa_key *key = NULL;
    char *priv = NULL;
    size_t privlen = 0, len;
    char salt[CRYPTO_USER_SALT_SIZE];
    int rc;

    memset(acc, 0, sizeof(*acc));
    rc = crypto_rsa_generate(&key);
    if (rc == CD_OK)
        rc = crypto_jwk_export_public(key, &acc->public_key, &len);
    if (rc == CD_OK)
        rc = crypto_jwk_export_private(key, &priv, &privlen);
    if (rc == CD_OK)
        rc = crypto_random(kek, 32);
    if (rc == CD_OK)
        rc = crypto_aes_encrypt(kek, 32, priv, privlen,
                                &acc->encrypted_private_key, &len);
    if (rc == CD_OK)
        rc = crypto_new_user_salt(salt);
    crypto_rsa_key_free(key);
    if (priv != NULL)
        crypto_free_secret(priv, privlen);
    if (rc < 0) {
        store_account_release(acc);
        crypto_wipe(kek, 32);
        return cd_error_set(err, CD_EIO, "cannot create account keys");
    }
    acc->account_id = id ? xstrdup(id) : new_uuid();
    acc->name = xstrdup(name);
    acc->user_salt = xstrdup(salt);
    acc->account_styles = xstrdup("");
    acc->retired = false;
    acc->created_unix_ms = timefmt_now_ms();
    return CD_OK;
}

int operator_user_new(const char *email, const char *password,
                      int64_t admin_level, struct store_user *u,
                      struct cd_error *err)
{
    char hashed_email[CRYPTO_HASH_STRING_SIZE];
    char hashed_pw[CRYPTO_HASH_STRING_SIZE] = "";
    char salt[CRYPTO_KDF_SALT_SIZE];
    char *l = operator_lower(email);
    int rc;

    memset(u, 0, sizeof(*u));
    rc = crypto_hash_string(l, strlen(l), hashed_email);
    if (rc == CD_OK)
        rc = crypto_new_kdf_salt(salt);
    if (rc == CD_OK && *password != '\0')
        rc = crypto_hash_string(password, strlen(password), hashed_pw);
    free(l);
    if (rc < 0)
        return cd_error_set(err, CD_EIO, "cannot hash the operator's "
                            "credentials");
    u->account_user_id = new_uuid();
    u->hashed_email = xstrdup(hashed_email);
    u->hashed_password = xstrdup(hashed_pw);
    u->salt = xstrdup(salt);
    u->admin_level = admin_level;
    return CD_OK;
}

int operator_grant(const struct store_user *u, const char *email,
                   const char *password, const char *account_id,
                   const unsigned char kek[32], struct store_relationship *rel,
                   struct cd_error *err)
{
    unsigned char key[32];
    char *l = operator_lower(email);
    int rc;

    memset(rel, 0, sizeof(*rel));
    rc = crypto_derive_key(l, strlen(l), u->salt, strlen(u->salt), key);
    if (rc == CD_OK)
        rc = operator_wrap(key, kek, &rel->email_encrypted_kek);
    if (rc == CD_OK && *password != '\0') {
        rc = operator_password_key(u, password, key);
        if (rc == CD_OK)
            rc = operator_wrap(key, kek, &rel->password_encrypted_kek);
    }
    crypto_wipe(key, sizeof(key));
    free(l);
    if (rc < 0) {
        store_relationship_release(rel);
        return cd_error_set(err, CD_EIO, "cannot wrap the account key");
    }
    if (rel->password_encrypted_kek == NULL)
        rel->password_encrypted_kek = xstrdup("");
    rel->one_time_encrypted_kek = xstrdup("");
    rel->relationship_id = new_uuid();
    rel->account_user_id = xstrdup(u->account_user_id);
    rel->account_id = xstrdup(account_id);
    return CD_OK;
}
