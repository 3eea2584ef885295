/* test_demo_seed.c -- cli/demo_seed: the demo's data in a real database.
 *
 * A real SQLite database in a temporary folder and a real account (key
 * pair, KEK, user salt). After seeding, everything is read back through
 * store.h and decrypted the way an operator's browser does it: the
 * private key with the KEK, each visitor's secret with the private key
 * (it must be the JWK WebCrypto exports), each payload with that secret.
 * The plaintexts must be exactly the plan that the same seed and "now"
 * give, each under an event id of the time it was received; the database
 * file must hold none of it in the clear. Stopping half-way writes
 * nothing; the options' caps are checked at the cap and one past it.
 */
#include "common/common.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/operator.h"
#include "cli/demo.h"
#include "common/base64.h"
#include "common/buf.h"
#include "crypto/cipher.h"
#include "crypto/jwk.h"
#include "crypto/memeq.h"
#include "crypto/rsa.h"
#include "crypto/ulid.h"
#include "store/store.h"

#define ACCOUNT "9b63c4d5-1f9e-4a51-8a3e-6d1e1d7c2b10"
#define USERS 40
#define DAYS 30
#define SEED 11

struct fixture {
    char dir[256];
    char db[300];
    struct store *st;
    struct crypto_rsa_key *priv; /* the account's private key */
    int64_t now;
};

static struct fixture fx;

static int rm_entry(const char *p, const struct stat *sb, int t,
                    struct FTW *f)
{
    (void)sb;
    (void)t;
    (void)f;
    return remove(p);
}

static int setup(void **state)
{
    struct cd_error err = {0};
    struct store_account acc = {0};
    unsigned char kek[32];
    unsigned char *pjwk = NULL;
    size_t n = 0;

    (void)state;
    snprintf(fx.dir, sizeof(fx.dir), "%s/candor-test-demo.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(fx.dir));
    snprintf(fx.db, sizeof(fx.db), "%s/candor.db", fx.dir);
    assert_int_equal(store_open(&fx.st, CONFIG_DIALECT_SQLITE, fx.db, &err),
                     CD_OK);
    assert_int_equal(store_migrate(fx.st, &err), CD_OK);
    assert_int_equal(operator_account_new(ACCOUNT, "Demo", &acc, kek, &err),
                     CD_OK);
    assert_int_equal(store_account_create(fx.st, &acc, NULL, &err), CD_OK);
    /* What the operator's browser does with the KEK from the login. */
    assert_int_equal(crypto_aes_decrypt(kek, sizeof(kek),
                                        acc.encrypted_private_key,
                                        strlen(acc.encrypted_private_key),
                                        &pjwk, &n), CD_OK);
    assert_int_equal(crypto_jwk_import_private((char *)pjwk, n, &fx.priv),
                     CD_OK);
    crypto_free_secret(pjwk, n);
    crypto_wipe(kek, sizeof(kek));
    store_account_release(&acc);
    fx.now = (int64_t)time(NULL) * 1000;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(fx.st);
    crypto_rsa_key_free(fx.priv);
    nftw(fx.dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* ---- reading back ------------------------------------------------------ */

struct row {
    char id[CRYPTO_ULID_SIZE];
    char seq[CRYPTO_ULID_SIZE];
    char secret_id[80];
    char *payload;
};

struct rows {
    struct row v[2048];
    size_t n;
};

static int collect(void *ctx, const struct store_event *ev)
{
    struct rows *r = ctx;
    struct row *w;

    assert_true(r->n < CD_ARRAY_SIZE(r->v));
    w = &r->v[r->n++];
    snprintf(w->id, sizeof(w->id), "%s", ev->event_id);
    snprintf(w->seq, sizeof(w->seq), "%s", ev->sequence);
    assert_non_null(ev->secret_id);
    snprintf(w->secret_id, sizeof(w->secret_id), "%s", ev->secret_id);
    w->payload = strdup(ev->payload);
    return CD_OK;
}

static void rows_release(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].payload);
    r->n = 0;
}

/* The visitor's AES key: RSA-decrypt the stored secret, check it is the
 * JWK WebCrypto exports for an AES-GCM 128-bit key, decode k. */
static void user_key(const char *secret_id, unsigned char key[16])
{
    static const char head[] = "{\"alg\":\"A128GCM\",\"ext\":true,\"k\":\"";
    static const char tail[] =
        "\",\"key_ops\":[\"encrypt\",\"decrypt\"],\"kty\":\"oct\"}";
    struct cd_error err = {0};
    char *wrapped = NULL;
    unsigned char *jwk = NULL;
    size_t n = 0, klen = 0;

    assert_int_equal(store_secret_get(fx.st, secret_id, &wrapped, &err),
                     CD_OK);
    assert_true(strncmp(wrapped, "{1,} ", 5) == 0);
    assert_null(strchr(wrapped + 5, ' ')); /* RSA: no nonce chunk */
    assert_int_equal(crypto_rsa_decrypt(fx.priv, wrapped, strlen(wrapped),
                                        &jwk, &n), CD_OK);
    assert_int_equal(n, strlen(head) + 22 + strlen(tail));
    assert_memory_equal(jwk, head, strlen(head));
    assert_memory_equal(jwk + strlen(head) + 22, tail, strlen(tail));
    assert_int_equal(base64url_decode(key, 16, &klen,
                                      (char *)jwk + strlen(head), 22),
                     CD_OK);
    assert_int_equal(klen, 16);
    crypto_free_secret(jwk, n);
    free(wrapped);
}

/* The plan the seed gives: every payload's JSON and receipt time. */
struct planned {
    char *json;
    int64_t received;
    bool seen;
};

static size_t plan(uint64_t seed, long users, struct planned *out,
                   size_t max)
{
    static struct demo_visitor v;
    struct demo_rng r;
    struct buf b = BUF_INIT(DEMO_PAYLOAD_MAX);
    size_t n = 0;

    demo_rng_seed(&r, seed);
    for (long i = 0; i < users; i++) {
        demo_visitor_plan(&r, fx.now, DAYS, i < users / 60, &v);
        for (size_t j = 0; j < v.nevents; j++) {
            assert_true(n < max);
            assert_int_equal(demo_payload_json(&v, j, &b), CD_OK);
            out[n].json = strdup(b.ptr);
            out[n].received = v.ev[j].received_ms;
            out[n++].seen = false;
        }
    }
    buf_release(&b);
    return n;
}

static struct rows rows;
static struct planned want[2048];

static void test_seed_decrypts_to_plan(void **state)
{
    struct cd_error err = {0};
    struct demo_seed_stats stats;
    struct demo_seed_opts o = {USERS, DAYS, SEED, fx.now, NULL, NULL};
    size_t nwant;
    int others = 0; /* rows of another visitor than the first row's */

    (void)state;
    assert_int_equal(demo_seed(fx.st, ACCOUNT, &o, &stats, &err), CD_OK);
    assert_int_equal(stats.visitors, USERS);
    nwant = plan(SEED, USERS, want, CD_ARRAY_SIZE(want));
    assert_int_equal(stats.events, (long)nwant);
    assert_int_equal(store_events_by_account(fx.st, ACCOUNT, NULL, collect,
                                             &rows, &err), CD_OK);
    assert_int_equal(rows.n, nwant);
    for (size_t i = 0; i < rows.n; i++) {
        struct row *w = &rows.v[i];
        unsigned char key[16], *pt = NULL;
        size_t n = 0, k;

        others += strcmp(w->secret_id, rows.v[0].secret_id) != 0;
        user_key(w->secret_id, key);
        assert_int_equal(crypto_aes_decrypt(key, 16, w->payload,
                                            strlen(w->payload), &pt, &n),
                         CD_OK);
        for (k = 0; k < nwant; k++) {
            if (!want[k].seen && strcmp(want[k].json, (char *)pt) == 0)
                break;
        }
        if (k == nwant)
            fail_msg("not planned: %s", (char *)pt);
        want[k].seen = true;
        /* Ids at the time of receipt; the write's sequence just after. */
        assert_true(crypto_ulid_valid(w->id, strlen(w->id)));
        assert_int_equal(crypto_ulid_time_ms(w->id), want[k].received);
        assert_true(strcmp(w->seq, w->id) > 0);
        crypto_free_secret(pt, n);
        crypto_wipe(key, sizeof(key));
    }
    assert_true(others > 0);
    for (size_t k = 0; k < nwant; k++)
        free(want[k].json);
    rows_release(&rows);
}

/* The file and its log hold ciphertext only. */
static bool file_has(const char *path, const char *needle)
{
    struct buf b = BUF_INIT(64 * 1024 * 1024);
    bool found = false;

    if (buf_read_file(&b, path) == CD_OK)
        found = memmem(b.ptr, b.len, needle, strlen(needle)) != NULL;
    buf_release(&b);
    return found;
}

static void test_no_plaintext(void **state)
{
    static const char *needles[] = {"candor-demo", "utm_", "google",
                                    "PAGEVIEW", "A128GCM", "/pricing/"};
    struct cd_error err = {0};
    char wal[320];

    (void)state;
    assert_int_equal(store_checkpoint(fx.st, false, NULL, &err), CD_OK);
    snprintf(wal, sizeof(wal), "%s-wal", fx.db);
    for (size_t i = 0; i < CD_ARRAY_SIZE(needles); i++) {
        assert_false(file_has(fx.db, needles[i]));
        assert_false(file_has(wal, needles[i]));
    }
    assert_true(file_has(fx.db, ACCOUNT)); /* the check can find things */
}

static int stop_at(void *ctx, long done, long total)
{
    (void)total;
    return done >= *(long *)ctx;
}

static long count_events(void)
{
    struct cd_error err = {0};

    assert_int_equal(store_events_by_account(fx.st, ACCOUNT, NULL, collect,
                                             &rows, &err), CD_OK);
    long n = (long)rows.n;
    rows_release(&rows);
    return n;
}

static void test_stop_writes_nothing(void **state)
{
    struct cd_error err = {0};
    struct demo_seed_stats stats;
    long at = 5, before = count_events();
    struct demo_seed_opts o = {USERS, DAYS, SEED + 1, fx.now, stop_at, &at};

    (void)state;
    assert_int_equal(demo_seed(fx.st, ACCOUNT, &o, &stats, &err), CD_EAGAIN);
    assert_int_equal(stats.visitors, 0);
    assert_int_equal(stats.events, 0);
    assert_int_equal(count_events(), before);
    assert_false(store_in_transaction(fx.st));
}

/* Options at their caps are taken (the first visitor is written, then we
 * stop); one past them is refused before anything is written. */
static void test_caps(void **state)
{
    struct cd_error err = {0};
    struct demo_seed_stats stats;
    long at = 1;
    struct demo_seed_opts o = {DEMO_USERS_MAX, DEMO_DAYS_MAX, 3, fx.now,
                               stop_at, &at};

    (void)state;
    assert_int_equal(demo_seed(fx.st, ACCOUNT, &o, &stats, &err), CD_EAGAIN);
    o.users = DEMO_USERS_MAX + 1;
    assert_int_equal(demo_seed(fx.st, ACCOUNT, &o, &stats, &err), CD_EINVAL);
    o.users = 0;
    assert_int_equal(demo_seed(fx.st, ACCOUNT, &o, &stats, &err), CD_EINVAL);
    o.users = 1;
    o.days = DEMO_DAYS_MAX + 1;
    assert_int_equal(demo_seed(fx.st, ACCOUNT, &o, &stats, &err), CD_EINVAL);
    o.days = 0;
    assert_int_equal(demo_seed(fx.st, ACCOUNT, &o, &stats, &err), CD_EINVAL);
    o.days = 1;
    assert_int_equal(demo_seed(fx.st, "6a0b6f7e-0000-4000-8000-000000000000",
                               &o, &stats, &err), CD_ENOTFOUND);
    assert_int_equal(stats.visitors, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_decrypts_to_plan),
        cmocka_unit_test(test_no_plaintext),
        cmocka_unit_test(test_stop_writes_nothing),
        cmocka_unit_test(test_caps),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
