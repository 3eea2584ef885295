/* test_utf8.c -- the one strict UTF-8 decoder: every boundary of Unicode's
 * table 3-7 (overlongs, surrogates, U+10FFFF), truncated sequences and
 * stray bytes. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "common/utf8.h"

/* Decode the bytes of s (n of them); the length, and *cp when valid. */
static size_t dec(const char *s, size_t n, uint32_t *cp)
{
    *cp = 0xFFFFFFFFu;
    return utf8_decode((const unsigned char *)s, n, cp);
}

#define OK(bytes, want_len, want_cp)                                         \
    do {                                                                     \
        uint32_t cp_;                                                        \
        assert_int_equal(dec(bytes, sizeof(bytes) - 1, &cp_), want_len);     \
        assert_int_equal(cp_, want_cp);                                      \
    } while (0)
#define BAD(bytes)                                                           \
    do {                                                                     \
        uint32_t cp_;                                                        \
        assert_int_equal(dec(bytes, sizeof(bytes) - 1, &cp_), 0);            \
        assert_int_equal(cp_, 0xFFFFFFFFu);                                  \
    } while (0)

static void test_each_length_at_its_bounds(void **state)
{
    (void)state;
    OK("\x00", 1, 0);
    OK("\x7f", 1, 0x7f);
    OK("\xc2\x80", 2, 0x80);
    OK("\xdf\xbf", 2, 0x7ff);
    OK("\xe0\xa0\x80", 3, 0x800);
    OK("\xef\xbf\xbf", 3, 0xffff);
    OK("\xf0\x90\x80\x80", 4, 0x10000);
    OK("\xf4\x8f\xbf\xbf", 4, 0x10ffff);   /* the last code point */
}

static void test_overlongs(void **state)
{
    (void)state;
    BAD("\xc0\x80");          /* U+0000 in two bytes */
    BAD("\xc1\xbf");          /* U+007F in two bytes */
    BAD("\xe0\x80\x80");      /* U+0000 in three */
    BAD("\xe0\x9f\xbf");      /* U+07FF in three: one below the first */
    BAD("\xf0\x80\x80\x80");  /* U+0000 in four */
    BAD("\xf0\x8f\xbf\xbf");  /* U+FFFF in four: one below the first */
}

static void test_surrogates(void **state)
{
    (void)state;
    OK("\xed\x9f\xbf", 3, 0xd7ff);   /* just below */
    BAD("\xed\xa0\x80");             /* U+D800 */
    BAD("\xed\xbf\xbf");             /* U+DFFF */
    OK("\xee\x80\x80", 3, 0xe000);   /* just above */
}

static void test_past_10ffff(void **state)
{
    (void)state;
    BAD("\xf4\x90\x80\x80");  /* U+110000 */
    BAD("\xf5\x80\x80\x80");  /* lead byte past F4 */
    BAD("\xff");
    BAD("\xfe");
}

static void test_truncated_and_stray(void **state)
{
    uint32_t cp;

    (void)state;
    BAD("\xc2");
    BAD("\xe0\xa0");
    BAD("\xf0\x90\x80");
    BAD("\x80");              /* a continuation byte alone */
    BAD("\xbf");
    BAD("\xc2\x41");          /* a lead byte followed by ASCII */
    BAD("\xe1\x80\xc0");      /* third byte not a continuation */
    BAD("\xf1\x80\x80\x7f");  /* fourth byte not a continuation */
    /* n bounds the read: a valid sequence cut short by n is truncated. */
    assert_int_equal(dec("\xe2\x82\xac", 2, &cp), 0);
    assert_int_equal(dec("\xe2\x82\xac", 3, &cp), 3);
    assert_int_equal(cp, 0x20ac);
    assert_int_equal(dec("", 0, &cp), 0);
    /* cp may be NULL. */
    assert_int_equal(utf8_decode((const unsigned char *)"\xe2\x82\xac", 3,
                                 NULL), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_length_at_its_bounds),
        cmocka_unit_test(test_overlongs),
        cmocka_unit_test(test_surrogates),
        cmocka_unit_test(test_past_10ffff),
        cmocka_unit_test(test_truncated_and_stray),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
