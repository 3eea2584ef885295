/* test_gob.c -- crypto/gob: byte-exact gob streams for a string and for
 * forgotPasswordCredentials (reference/offen-server.md §10), multi-byte
 * integers, other type ids, field order, and everything malformed. */
#include "common/common.h"

#include <stdlib.h>

#include "crypto_test.h"

#include "crypto/gob.h"
#include "crypto/memeq.h"

#define CRED_HEX                                                              \
    "42ff8103010119666f72676f7450617373776f726443726564656e7469616c7301ff82" \
    "0001020105546f6b656e010a00010c456d61696c41646472657373010c00000010ff82" \
    "01040102030401056140622e6300"
#define TYPEDEF_LEN 67 /* the type definition message, count included */

static void expect_bytes(const unsigned char *got, size_t n, const char *hex)
{
    char *h = malloc(2 * n + 1);

    assert_non_null(h);
    tohex(h, got, n);
    assert_string_equal(h, hex);
    free(h);
}

static void test_string_examples(void **state)
{
    unsigned char *g = NULL;
    char *s = NULL;
    size_t n = 0, sn = 0;

    (void)state;
    assert_int_equal(crypto_gob_encode_string("a@b.c", 5, &g, &n), CD_OK);
    expect_bytes(g, n, "080c00056140622e63");
    assert_int_equal(crypto_gob_decode_string(g, n, &s, &sn), CD_OK);
    assert_string_equal(s, "a@b.c");
    assert_int_equal(sn, 5);
    free(s);
    crypto_free_secret(g, n);

    assert_int_equal(crypto_gob_encode_string(
                         "4f1e6a32-8c1b-4b4e-9a53-2d7cf0b0c0de", 36, &g, &n),
                     CD_OK);
    assert_int_equal(n, 40);
    expect_bytes(g, 4, "270c0024");
    crypto_free_secret(g, n);

    assert_int_equal(crypto_gob_encode_string("", 0, &g, &n), CD_OK);
    expect_bytes(g, n, "030c0000");
    assert_int_equal(crypto_gob_decode_string(g, n, &s, &sn), CD_OK);
    assert_string_equal(s, "");
    free(s);
    crypto_free_secret(g, n);
}

static void test_string_multibyte(void **state)
{
    char str[300], *s = NULL;
    unsigned char *g = NULL;
    size_t n = 0, sn = 0;

    (void)state;
    memset(str, 'x', sizeof(str));
    /* 200 = ff c8; the body is 1 + 1 + 2 + 200 = 204 = ff cc */
    assert_int_equal(crypto_gob_encode_string(str, 200, &g, &n), CD_OK);
    assert_int_equal(n, 206);
    expect_bytes(g, 6, "ffcc0c00ffc8");
    assert_int_equal(crypto_gob_decode_string(g, n, &s, &sn), CD_OK);
    assert_int_equal(sn, 200);
    free(s);
    crypto_free_secret(g, n);
    /* 300 = fe 01 2c; body 1 + 1 + 3 + 300 = 305 = fe 01 31 */
    assert_int_equal(crypto_gob_encode_string(str, 300, &g, &n), CD_OK);
    expect_bytes(g, 8, "fe01310c00fe012c");
    crypto_free_secret(g, n);
    /* 127 is the largest one-byte length; body 130 needs two bytes */
    assert_int_equal(crypto_gob_encode_string(str, 127, &g, &n), CD_OK);
    expect_bytes(g, 5, "ff820c007f");
    crypto_free_secret(g, n);
    /* a non-minimal uint, which Go's decoder accepts: 5 as fe 00 05 */
    {
        unsigned char odd[] = { 0x0a, 0x0c, 0x00, 0xfe, 0x00, 0x05,
                                'a',  '@',  'b',  '.',  'c' };

        assert_int_equal(crypto_gob_decode_string(odd, sizeof(odd), &s, &sn),
                         CD_OK);
        assert_string_equal(s, "a@b.c");
        free(s);
        odd[0] = 0x09; /* the count no longer matches: trailing byte */
        assert_int_equal(crypto_gob_decode_string(odd, sizeof(odd), &s, &sn),
                         CD_EPROTO);
        odd[0] = 0x0b; /* the count runs past the end */
        assert_int_equal(crypto_gob_decode_string(odd, sizeof(odd), &s, &sn),
                         CD_EPROTO);
    }
}

static void test_credentials_example(void **state)
{
    static const unsigned char tok[] = { 1, 2, 3, 4 };
    struct crypto_credentials c;
    unsigned char *g = NULL;
    size_t n = 0;

    (void)state;
    assert_int_equal(crypto_gob_encode_credentials(tok, 4, "a@b.c", 5, &g,
                                                   &n),
                     CD_OK);
    expect_bytes(g, n, CRED_HEX);
    assert_int_equal(crypto_gob_decode_credentials(g, n, &c), CD_OK);
    assert_int_equal(c.token_len, 4);
    assert_memory_equal(c.token, tok, 4);
    assert_string_equal(c.email, "a@b.c");
    assert_int_equal(c.email_len, 5);
    crypto_credentials_release(&c);
    assert_null(c.token);
    crypto_free_secret(g, n);
}

/* Encode, compare the value message, decode back. */
static void cred_case(const unsigned char *tok, size_t tn, const char *email,
                      const char *value_hex)
{
    struct crypto_credentials c;
    unsigned char *g = NULL;
    size_t n = 0, en = strlen(email);

    assert_int_equal(crypto_gob_encode_credentials(tok, tn, email, en, &g,
                                                   &n),
                     CD_OK);
    if (value_hex != NULL)
        expect_bytes(g + TYPEDEF_LEN, n - TYPEDEF_LEN, value_hex);
    assert_int_equal(crypto_gob_decode_credentials(g, n, &c), CD_OK);
    assert_int_equal(c.token_len, tn);
    if (tn > 0)
        assert_memory_equal(c.token, tok, tn);
    else
        assert_null(c.token);
    assert_int_equal(c.email_len, en);
    assert_string_equal(c.email, email);
    crypto_credentials_release(&c);
    crypto_free_secret(g, n);
}

static void test_credentials_zero_fields(void **state)
{
    static const unsigned char tok[] = { 1, 2, 3, 4 };
    unsigned char key[200];
    char email[150];

    (void)state;
    /* gob does not send empty fields; the delta skips them */
    cred_case(tok, 0, "a@b.c", "0aff8202056140622e6300");
    cred_case(tok, 4, "", "09ff8201040102030400");
    cred_case(tok, 0, "", "03ff8200");
    /* multi-byte lengths inside the value */
    fill_seq(key, sizeof(key), 0);
    memset(email, 'e', sizeof(email) - 1);
    email[sizeof(email) - 1] = '\0';
    cred_case(key, 200, email, NULL);
    cred_case(key, 32, "someone@example.com", NULL);
}

/* The example with another type id (66 instead of 65), as a Go process that
 * had already registered one user type would write it. */
static void test_credentials_other_id(void **state)
{
    unsigned char buf[128];
    struct crypto_credentials c;
    size_t n = unhex(buf, sizeof(buf), CRED_HEX);

    (void)state;
    assert_int_equal(buf[2], 0x81);  /* -65 */
    assert_int_equal(buf[34], 0x82); /* CommonType.Id 65 */
    assert_int_equal(buf[69], 0x82); /* value message id 65 */
    buf[2] = 0x83;
    buf[34] = 0x84;
    buf[69] = 0x84;
    assert_int_equal(crypto_gob_decode_credentials(buf, n, &c), CD_OK);
    assert_string_equal(c.email, "a@b.c");
    crypto_credentials_release(&c);
    /* ids that disagree */
    buf[69] = 0x82;
    assert_int_equal(crypto_gob_decode_credentials(buf, n, &c), CD_EPROTO);
    buf[69] = 0x84;
    buf[34] = 0x82;
    assert_int_equal(crypto_gob_decode_credentials(buf, n, &c), CD_EPROTO);
}

static void test_credentials_field_order(void **state)
{
    /* EmailAddress declared first: wire fields are matched by name. */
    static const char hex[] =
        "42ff8103010119666f72676f7450617373776f726443726564656e7469616c73"
        "01ff820001020"
        "10c456d61696c41646472657373010c00" /* EmailAddress string */
        "0105546f6b656e010a00"              /* Token []byte */
        "0000"
        "10ff8201056140622e630104010203040" "0";
    unsigned char buf[128];
    struct crypto_credentials c;
    size_t n = unhex(buf, sizeof(buf), hex);

    (void)state;
    assert_int_equal(crypto_gob_decode_credentials(buf, n, &c), CD_OK);
    assert_string_equal(c.email, "a@b.c");
    assert_int_equal(c.token_len, 4);
    assert_int_equal(c.token[3], 4);
    crypto_credentials_release(&c);
}

static void test_type_mismatch(void **state)
{
    unsigned char buf[128], *g = NULL;
    struct crypto_credentials c;
    size_t n = unhex(buf, sizeof(buf), CRED_HEX), gn = 0, sn;
    char *s = NULL;

    (void)state;
    assert_int_equal(crypto_gob_decode_string(buf, n, &s, &sn), CD_EPROTO);
    assert_null(s);
    assert_int_equal(crypto_gob_encode_string("a@b.c", 5, &g, &gn), CD_OK);
    assert_int_equal(crypto_gob_decode_credentials(g, gn, &c), CD_EPROTO);
    assert_null(c.email);
    crypto_free_secret(g, gn);
    /* a Token field of type string is not our struct */
    buf[47] = 0x0c;
    assert_int_equal(crypto_gob_decode_credentials(buf, n, &c), CD_EPROTO);
    unhex(buf, sizeof(buf), CRED_HEX);
    /* an unknown field name */
    buf[41] = 'X';
    assert_int_equal(crypto_gob_decode_credentials(buf, n, &c), CD_EPROTO);
    /* an int instead of a string value */
    {
        static const unsigned char i[] = { 0x03, 0x04, 0x00, 0x02 };

        assert_int_equal(crypto_gob_decode_string(i, sizeof(i), &s, &sn),
                         CD_EPROTO);
    }
}

static void test_malformed(void **state)
{
    unsigned char buf[160], *g = NULL;
    struct crypto_credentials c;
    size_t n = unhex(buf, sizeof(buf), CRED_HEX), gn = 0, sn;
    char *s = NULL;

    (void)state;
    /* every truncation fails cleanly (ASan watches the reads) */
    for (size_t len = 0; len < n; len++) {
        unsigned char *cut = malloc(len ? len : 1);

        memcpy(cut, buf, len);
        assert_int_equal(crypto_gob_decode_credentials(cut, len, &c),
                         CD_EPROTO);
        free(cut);
    }
    /* trailing bytes */
    buf[n] = 0;
    assert_int_equal(crypto_gob_decode_credentials(buf, n + 1, &c),
                     CD_EPROTO);
    assert_int_equal(crypto_gob_encode_string("a@b.c", 5, &g, &gn), CD_OK);
    for (size_t len = 0; len < gn; len++) {
        unsigned char *cut = malloc(len ? len : 1);

        memcpy(cut, g, len);
        assert_int_equal(crypto_gob_decode_string(cut, len, &s, &sn),
                         CD_EPROTO);
        free(cut);
    }
    memcpy(buf, g, gn);
    buf[gn] = 0;
    assert_int_equal(crypto_gob_decode_string(buf, gn + 1, &s, &sn),
                     CD_EPROTO);
    /* a non-zero singleton delta; an embedded NUL; a 9-byte uint */
    buf[2] = 1;
    assert_int_equal(crypto_gob_decode_string(buf, gn, &s, &sn), CD_EPROTO);
    memcpy(buf, g, gn);
    buf[5] = '\0';
    assert_int_equal(crypto_gob_decode_string(buf, gn, &s, &sn), CD_EPROTO);
    buf[0] = 0xf7;
    assert_int_equal(crypto_gob_decode_string(buf, gn, &s, &sn), CD_EPROTO);
    crypto_free_secret(g, gn);
    assert_null(s);
}

static void test_caps(void **state)
{
    char *str = malloc(CRYPTO_GOB_MAX + 2), *s = NULL;
    unsigned char *g = NULL;
    size_t n = 0, sn = 0;

    (void)state;
    assert_non_null(str);
    memset(str, 'y', CRYPTO_GOB_MAX + 1);
    /* stream = 3 (count) + 2 + 3 (length) + L: 4096 at L = 4088 */
    assert_int_equal(crypto_gob_encode_string(str, 4088, &g, &n), CD_OK);
    assert_int_equal(n, CRYPTO_GOB_MAX);
    assert_int_equal(crypto_gob_decode_string(g, n, &s, &sn), CD_OK);
    assert_int_equal(sn, 4088);
    free(s);
    crypto_free_secret(g, n);
    assert_int_equal(crypto_gob_encode_string(str, 4089, &g, &n), CD_ETOOBIG);
    assert_null(g);
    assert_int_equal(crypto_gob_decode_string((unsigned char *)str,
                                              CRYPTO_GOB_MAX + 1, &s, &sn),
                     CD_ETOOBIG);
    free(str);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_examples),
        cmocka_unit_test(test_string_multibyte),
        cmocka_unit_test(test_credentials_example),
        cmocka_unit_test(test_credentials_zero_fields),
        cmocka_unit_test(test_credentials_other_id),
        cmocka_unit_test(test_credentials_field_order),
        cmocka_unit_test(test_type_mismatch),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_caps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
