/* test_sanitize.c -- api/sanitize: account names to plain text.
 *
 * A table of input -> output pairs: Offen's example, tags, attributes,
 * unterminated markup, comments, dropped element contents, character
 * references, white space and control characters. Every output is also
 * checked against the contract: no '<', never longer than the input. Then
 * invalid UTF-8 and the length cap, at it and one past it.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/sanitize.h"

struct name_case {
    const char *in;
    const char *out;
};

static const struct name_case cases[] = {
    /* Offen's example, plain text, tags. */
    { "<b>Foo</b> & Bar", "Foo & Bar" },
    { "Acme Inc.", "Acme Inc." },
    { "<div><p>Hi <i>there</i></p></div>", "Hi there" },
    { "a<br>b<br/>c<hr />d", "abcd" },
    { "<A HREF=x>Link</A>", "Link" },
    { "<a title=\"x>y\">Link</a>", "Link" },
    { "<a title='x>y' b=c>Link</a>", "Link" },
    { "<a href=x>L</a>", "L" },
    { "<a =\">\"x>L", "\"x>L" }, /* a leading '=' is part of the name */
    { "<img src=x onerror=alert(1)>Name", "Name" },
    /* Unterminated or not markup at all. */
    { "a <b", "a" },
    { "a <b title=\"x>", "a" },
    { "Acme <b>Inc", "Acme Inc" },
    { "a < b", "a  b" },
    { "1<2 and 3>2", "12 and 3>2" },
    { "a <", "a" },
    { "a </", "a /" },
    { "a</>b", "ab" },
    { "a</ x>b", "ab" },
    { "a</b", "a" },
    /* Comments, doctypes, processing instructions. */
    { "a<!-- x -->b", "ab" },
    { "a<!-->b", "ab" },
    { "a<!--->b", "ab" },
    { "a<!-- x --!>b", "ab" },
    { "a<!-- -- > still -->b", "ab" },
    { "a<!-- x", "a" },
    { "a<!", "a" },
    { "<!DOCTYPE html>Name", "Name" },
    { "<?xml version=\"1.0\"?>Name", "Name" },
    { "a<![CDATA[x]]>b", "ab" },
    /* Raw-text elements: their content goes with them. */
    { "<script>alert(1)</script>Name", "Name" },
    { "<SCRIPT>x</ScRiPt >Name", "Name" },
    { "Name<script>alert(1)", "Name" },
    { "<script>a</scriptx>b</script>c", "c" },
    { "<script>\"</script>\"</script>c", "\"c" },
    { "<script/>x</script>y", "y" },
    { "<style>b{}</style>Name", "Name" },
    { "<title>t</title>Name", "Name" },
    { "<textarea><b>t</b></textarea>Name", "Name" },
    { "<iframe>x</iframe>Name", "Name" },
    { "<noscript>x</noscript>Name", "Name" },
    { "<noembed>x</noembed><noframes>y</noframes>Name", "Name" },
    { "<xmp><b>x</b></xmp>Name", "Name" },
    { "Name<plaintext>a</plaintext>b", "Name" },
    /* Other elements whose content is dropped, nesting counted. */
    { "<template><b>x</b></template>y", "y" },
    { "<object><object>a</object>b</object>c", "c" },
    { "</object>a", "a" },
    { "<template/>x", "x" },
    { "<frameset>x</frameset>y", "y" },
    /* Character references. */
    { "&amp; &lt;x&gt; &quot; &apos;", "& x> \" '" },
    { "&AMP; &LT;b&GT; &QUOT;", "& b> \"" },
    { "&#65;&#x42;&#X43;&#68", "ABCD" },
    { "a&nbsp;b", "a\xc2\xa0" "b" },
    { "&amp", "&" },
    { "&ampx &ltb &gt1", "&x b >1" },
    { "&apos &apos;", "&apos '" },
    { "&copy; &foo; & &; &#; &#x; &#xg;", "&copy; &foo; & &; &#; &#x; &#xg;" },
    { "&#0; &#xD800; &#1114112; &#99999999999999999999;",
      "\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd" },
    { "&#128;&#x9f;", "\xe2\x82\xac\xc5\xb8" },
    { "&#x81;x", "x" }, /* a C1 control, even via Windows-1252 */
    { "&#x1F600;", "\xf0\x9f\x98\x80" },
    { "&lt;b&gt;bold&lt;/b&gt;", "b>bold/b>" },
    { "&#x3c;script&#x3e;", "script>" },
    { "&amp;lt;", "&lt;" }, /* decoded once */
    { "&am<b></b>p;", "&amp;" }, /* per text run, as the tokenizer does */
    { "<a title=\"&lt;\">x</a>", "x" },
    /* White space and control characters. */
    { "  Foo  ", "Foo" },
    { "\t\n Foo \r\f", "Foo" },
    { "&nbsp;Foo&nbsp;", "Foo" },
    { "\xe3\x80\x80" "Foo\xe2\x80\x83", "Foo" }, /* U+3000, U+2003 */
    { "a\tb\nc\rd\fe\vf", "a b c d e f" },
    { "a&#9;b&#10;c", "a b c" },
    { "a\x01" "b\x1f" "c\x7f" "d", "abcd" },
    { "a&#1;b&#x7f;c", "abc" },
    { "a\xc2\x85" "b", "ab" }, /* U+0085, a C1 control */
    { "<b> </b>", "" },
    { "", "" },
    { "<script>x</script>", "" },
    /* UTF-8 text is kept. */
    { "Zo\xc3\xab & \xc3\x9cnal \xe2\x82\xac \xf0\x9f\x98\x80",
      "Zo\xc3\xab & \xc3\x9cnal \xe2\x82\xac \xf0\x9f\x98\x80" },
};

static void check_contract(size_t len, const char *out)
{
    assert_non_null(out);
    assert_null(strchr(out, '<'));
    assert_true(strlen(out) <= len);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(cases); i++) {
        size_t len = strlen(cases[i].in);
        char *out = sanitize_name(cases[i].in, len);

        if (out == NULL)
            fail_msg("case %zu \"%s\": NULL", i, cases[i].in);
        if (strcmp(out, cases[i].out) != 0)
            fail_msg("case %zu \"%s\": got \"%s\", want \"%s\"", i,
                     cases[i].in, out, cases[i].out);
        check_contract(len, out);
        free(out);
    }
}

static void test_nul_bytes(void **state)
{
    static const char in[] = "a\0b<b>\0</b>";
    char *out;

    (void)state;
    out = sanitize_name(in, sizeof(in) - 1);
    assert_string_equal(out, "ab");
    free(out);
    out = sanitize_name(NULL, 0);
    assert_string_equal(out, "");
    free(out);
    assert_null(sanitize_name(NULL, 1));
}

static void test_invalid_utf8(void **state)
{
    static const char *const bad[] = {
        "\xff",             /* never a UTF-8 byte */
        "\x80",             /* a lone continuation byte */
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong '/', three bytes */
        "\xed\xa0\x80",     /* surrogate U+D800 */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xe2\x82",         /* truncated */
        "ok\xc3",           /* truncated at the end */
        "<b \xff>x</b>",    /* inside a tag too */
    };

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++)
        if (sanitize_name(bad[i], strlen(bad[i])) != NULL)
            fail_msg("case %zu accepted", i);
}

static void test_cap(void **state)
{
    char in[SANITIZE_MAX_BYTES + 1];
    char *out;

    (void)state;
    memset(in, 'a', sizeof(in));
    out = sanitize_name(in, SANITIZE_MAX_BYTES);
    assert_non_null(out);
    assert_int_equal(strlen(out), SANITIZE_MAX_BYTES);
    free(out);
    assert_null(sanitize_name(in, SANITIZE_MAX_BYTES + 1));

    /* 341 three-byte characters and one 'a': 1024 bytes */
    for (size_t i = 0; i + 3 <= SANITIZE_MAX_BYTES; i += 3)
        memcpy(in + i, "\xe2\x82\xac", 3);
    in[SANITIZE_MAX_BYTES - 1] = 'a';
    out = sanitize_name(in, SANITIZE_MAX_BYTES);
    assert_non_null(out);
    assert_int_equal(strlen(out), SANITIZE_MAX_BYTES);
    free(out);
    in[SANITIZE_MAX_BYTES] = 'a';
    assert_null(sanitize_name(in, SANITIZE_MAX_BYTES + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
