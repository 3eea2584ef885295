/* test_base64.c -- common/base64: RFC 4648 vectors, edge lengths, round
 * trips and every kind of input the strict decoders must refuse. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/base64.h"

struct vector {
    const char *plain;
    const char *std;
    const char *url;
};

/* RFC 4648 section 10. */
static const struct vector rfc[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void test_encoded_lengths(void **state)
{
    static const size_t std_len[] = {0, 4, 4, 4, 8, 8, 8};
    static const size_t url_len[] = {0, 2, 3, 4, 6, 7, 8};

    (void)state;
    for (size_t n = 0; n < CD_ARRAY_SIZE(std_len); n++) {
        assert_int_equal(base64_encoded_len(n), std_len[n]);
        assert_int_equal(base64url_encoded_len(n), url_len[n]);
    }
    /* Exact for unpadded input, an upper bound for padded input. */
    assert_int_equal(base64_decoded_max(0), 0);
    assert_int_equal(base64_decoded_max(2), 1);
    assert_int_equal(base64_decoded_max(3), 2);
    assert_int_equal(base64_decoded_max(4), 3);
    assert_int_equal(base64_decoded_max(6), 4);
    assert_int_equal(base64_decoded_max(8), 6);
}

static void test_rfc_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(rfc); i++) {
        const struct vector *v = &rfc[i];
        size_t n = strlen(v->plain);
        char enc[16];
        unsigned char dec[16];
        size_t outlen = 99;

        memset(enc, 'X', sizeof(enc));
        base64_encode(enc, v->plain, n);
        assert_string_equal(enc, v->std);
        memset(enc, 'X', sizeof(enc));
        base64url_encode(enc, v->plain, n);
        assert_string_equal(enc, v->url);

        assert_int_equal(base64_decode(dec, sizeof(dec), &outlen, v->std,
                                       strlen(v->std)), CD_OK);
        assert_int_equal(outlen, n);
        assert_memory_equal(dec, v->plain, n);
        outlen = 99;
        assert_int_equal(base64url_decode(dec, sizeof(dec), &outlen, v->url,
                                          strlen(v->url)), CD_OK);
        assert_int_equal(outlen, n);
        assert_memory_equal(dec, v->plain, n);
    }
}

/* The two alphabets differ only in 62 and 63. */
static void test_alphabets(void **state)
{
    static const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
    unsigned char dec[3];
    size_t n;
    char enc[8];

    (void)state;
    base64_encode(enc, bytes, 3);
    assert_string_equal(enc, "+/+/");
    base64url_encode(enc, bytes, 3);
    assert_string_equal(enc, "-_-_");
    base64_encode(enc, bytes, 2);
    assert_string_equal(enc, "+/8=");
    base64url_encode(enc, bytes, 2);
    assert_string_equal(enc, "-_8");
    assert_int_equal(base64_decode(dec, 3, &n, "+/+/", 4), CD_OK);
    assert_memory_equal(dec, bytes, 3);
    assert_int_equal(base64url_decode(dec, 3, &n, "-_-_", 4), CD_OK);
    assert_memory_equal(dec, bytes, 3);
    /* Each alphabet refuses the other's two characters. */
    assert_int_equal(base64_decode(dec, 3, &n, "-_-_", 4), CD_EPROTO);
    assert_int_equal(base64url_decode(dec, 3, &n, "+/+/", 4), CD_EPROTO);
}

/* Every length from 0 to 70 and every byte value survive a round trip;
 * the encoders always NUL-terminate at exactly the computed length. */
static void test_round_trip(void **state)
{
    unsigned char in[70];
    unsigned char out[70];
    char enc[100];

    (void)state;
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (unsigned char)(i * 37 + 251);
    for (size_t n = 0; n <= sizeof(in); n++) {
        size_t outlen;

        memset(enc, 'X', sizeof(enc));
        base64_encode(enc, in, n);
        assert_int_equal(strlen(enc), base64_encoded_len(n));
        assert_int_equal(base64_decode(out, n, &outlen, enc, strlen(enc)),
                         CD_OK);
        assert_int_equal(outlen, n);
        assert_memory_equal(out, in, n);

        memset(enc, 'X', sizeof(enc));
        base64url_encode(enc, in, n);
        assert_int_equal(strlen(enc), base64url_encoded_len(n));
        assert_int_equal(base64_decoded_max(strlen(enc)), n);
        assert_int_equal(base64url_decode(out, n, &outlen, enc, strlen(enc)),
                         CD_OK);
        assert_int_equal(outlen, n);
        assert_memory_equal(out, in, n);
    }
}

static void test_std_rejects(void **state)
{
    static const char *const bad[] = {
        "Zg",        /* padding missing */
        "Zg=",       /* length not a multiple of 4 */
        "Z",         /* one character */
        "Z===",      /* three pads */
        "====",      /* nothing but padding */
        "=Zm9",      /* pad at the start */
        "Zm=v",      /* pad in the middle */
        "Zg==Zm9v",  /* pad before more data */
        "Zh==",      /* non-canonical: unused bits set */
        "Zm9=",      /* non-canonical: unused bits set */
        "Zm9v\n",    /* newline */
        "Zm 9v",     /* space */
        "Zm9v Zm9v", /* space */
        "Zm9*",      /* outside the alphabet */
        "Zm9\x80",   /* high byte */
    };
    unsigned char out[16];
    size_t n;

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        n = 99;
        assert_int_equal(base64_decode(out, sizeof(out), &n, bad[i],
                                       strlen(bad[i])), CD_EPROTO);
        assert_int_equal(n, 0);
    }
    /* A NUL inside the given length is not base64 either. */
    assert_int_equal(base64_decode(out, sizeof(out), &n, "Zm\0v", 4),
                     CD_EPROTO);
}

static void test_url_rejects(void **state)
{
    static const char *const bad[] = {
        "Z",       /* length 1 mod 4 */
        "Zm9vY",   /* length 1 mod 4 */
        "Zg==",    /* padding */
        "Zm8=",    /* padding */
        "Zh",      /* non-canonical */
        "Zm9",     /* non-canonical */
        "Zm9+",    /* standard alphabet */
        "Zm9/",    /* standard alphabet */
        "Zm 9",    /* space */
    };
    unsigned char out[16];
    size_t n;

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        n = 99;
        assert_int_equal(base64url_decode(out, sizeof(out), &n, bad[i],
                                          strlen(bad[i])), CD_EPROTO);
        assert_int_equal(n, 0);
    }
}

/* The output cap: exactly enough room works, one byte less does not. */
static void test_output_cap(void **state)
{
    unsigned char out[8];
    size_t n = 99;

    (void)state;
    assert_int_equal(base64_decode(out, 3, &n, "Zm9v", 4), CD_OK);
    assert_int_equal(n, 3);
    assert_int_equal(base64_decode(out, 2, &n, "Zm9v", 4), CD_ETOOBIG);
    assert_int_equal(n, 0);
    assert_int_equal(base64_decode(out, 1, &n, "Zg==", 4), CD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(base64_decode(out, 0, &n, "Zg==", 4), CD_ETOOBIG);
    assert_int_equal(base64url_decode(out, 2, &n, "Zm8", 3), CD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(base64url_decode(out, 1, &n, "Zm8", 3), CD_ETOOBIG);
    /* Empty input needs no room at all. */
    assert_int_equal(base64_decode(out, 0, &n, "", 0), CD_OK);
    assert_int_equal(n, 0);
    assert_int_equal(base64url_decode(out, 0, &n, "", 0), CD_OK);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encoded_lengths),
        cmocka_unit_test(test_rfc_vectors),
        cmocka_unit_test(test_alphabets),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_std_rejects),
        cmocka_unit_test(test_url_rejects),
        cmocka_unit_test(test_output_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
