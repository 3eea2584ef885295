/* test_css.c -- api/css: the banner style sheet validator.
 *
 * One table of accept/reject cases: every Offen rule, every hole we close,
 * the parser's error paths. A rejection must also name its reason, so a
 * case cannot pass by failing for some other cause. Then Offen's own
 * upstream cases, line numbers in messages, and every cap exactly at its
 * limit and one past it.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/css.h"
#include "common/buf.h"

struct css_case {
    const char *css;
    const char *reason; /* NULL: accepted; else a substring of the message */
};

static const struct css_case cases[] = {
    /* Accepted: the auditorium's normal use and a few neighbours. */
    { "", NULL },
    { " \n\t\r\f ", NULL },
    { "/* only a comment */", NULL },
    { ".banner__root { color: #fff; }", NULL },
    { ".banner__root{color:#FFFFFF}", NULL },
    { ".a { color: rgb(1,2,3); }", NULL },
    { ".a { color: rgb(1 2 3 / 50%); }", NULL },
    { ".a { background: hotpink; color: white }", NULL },
    { ".a { padding: 10px; margin: 0 auto; }", NULL },
    { ".a { border: 1px solid #000; }", NULL },
    { ".a { font-family: Helvetica, Arial, serif }", NULL },
    { ".a { font-family: \"Helvetica Neue\" }", NULL },
    { ".a { line-height: 1.5; font-weight: bold; text-align: center }", NULL },
    { ".banner__root { font-size: 14px; }", NULL },
    { ".banner__root { font-size: 12px }", NULL },
    { ".banner__root { font-size: 99px }", NULL },
    { ".banner__root { font-size: 24PX }", NULL },
    { ".banner__button:hover { color: red }", NULL },
    { ".banner__button:active, .banner__button:focus { color: red }", NULL },
    { ".banner__root .banner__button:hover { color: red }", NULL },
    { ".a:focus .b { color: red }", NULL },
    { ".a { COLOR: RED }", NULL },
    { ".a { color: red; /* note */ }", NULL },
    { ".a { display: block }", NULL },
    { ".a {}", NULL },
    { ".a { ; color: red;; }", NULL },
    { ".a { -webkit-font-smoothing: antialiased }", NULL },
    { ".a{color:red}\n.b{color:blue}", NULL },
    { "@media (max-width: 600px) { .banner__root { padding: 4px } }", NULL },
    { "@media screen and (min-width: 400px) { .a { color: red } "
      ".b { color: blue } }", NULL },
    { "@MEDIA print { .a { color: red } }", NULL },
    { "@media print {}", NULL },

    /* Offen rule 1: property suffixes. */
    { ".a { opacity: 0 }", "property 'opacity' is not allowed" },
    { ".a { -webkit-opacity: 0 }", "property '-webkit-opacity'" },
    { ".a { content: 'x' }", "property 'content'" },
    { ".a { filter: blur(2px) }", "property 'filter'" },
    { ".a { behavior: x }", "property 'behavior'" },
    { ".a { width: 10px }", "property 'width'" },
    { ".a { max-width: 10px }", "property 'max-width'" },
    { ".a { cursor: pointer }", "property 'cursor'" },
    { ".a { pointer-events: none }", "property 'pointer-events'" },
    /* Offen rule 2: value substrings, any '-' included. */
    { ".a { background: url(x.png) }", "contains 'url'" },
    { ".a { color: expression(alert(1)) }", "contains 'expression'" },
    { ".a { background: \"javascript:alert(1)\" }", "contains 'javascript'" },
    { ".a { padding: calc(1px) }", "contains 'calc'" },
    { ".a { transition: transform }", "contains 'transform'" },
    { ".a { color: transparent }", "contains 'transparent'" },
    { ".a { font-family: sans-serif }", "contains '-'" },
    { ".a { margin: 0 0 0 -9999px }", "contains '-'" },
    /* Offen rule 3: selectors. */
    { "body { color: red }", "selector 'body' is not allowed" },
    { ".x:first-child { color: red }", "selector '.x:first-child'" },
    { ".a::before { color: red }", "selector '.a::before'" },
    /* Offen rule 4: font-size. */
    { ".banner__root { font-size: 11px }", "12px to 99px" },
    { ".banner__root { font-size: 100px }", "12px to 99px" },
    { ".banner__root { font-size: 1.5em }", "12px to 99px" },
    { ".banner__button { font-size: 14px }", "only selector is .banner__root" },
    { ".banner__root, .x { font-size: 14px }", "only selector" },
    { ".x .banner__root { font-size: 14px }", "only selector" },
    /* Offen rule 5: display. */
    { ".a { display: none }", "display: none" },
    { ".a { display: NONE }", "display: none" },

    /* Holes closed: selectors anchored at the start. */
    { "div.foo:hover { color: red }", "selector 'div.foo:hover'" },
    { "body .foo { color: red }", "selector 'body .foo'" },
    { "#id .a { color: red }", "character '#' is not allowed in a selector" },
    { "* .a { color: red }", "character '*'" },
    { "[x] .a { color: red }", "character '['" },
    { ".a + .b { color: red }", "character '+'" },
    { ".A { color: red }", "character 'A'" },
    { ".a1 { color: red }", "character '1'" },
    { ".a:hover:focus { color: red }", "selector '.a:hover:focus'" },
    { ".a: { color: red }", "selector '.a:'" },
    { ". { color: red }", "selector '.'" },
    { ".a, { color: red }", "empty selector" },
    { "body {}", "selector 'body'" },
    /* Holes closed: every nested rule, no declarations in @media. */
    { "@media print { .a { color: red } .b { opacity: 0 } }",
      "property 'opacity'" },
    { "@media print { body { color: red } }", "selector 'body'" },
    { "@media print { color: red; }", "directly inside @media" },
    { "@media print { color: red }", "directly inside @media" },
    { "@media print { @media screen { .a { color: red } } }",
      "at-rules inside @media" },
    /* Holes closed: at-rules other than @media. */
    { "@import url(x.css);", "at-rule '@import'" },
    { "@font-face { src: url(x) }", "at-rule '@font-face'" },
    { "@charset \"utf-8\";", "at-rule '@charset'" },
    { "@namespace svg x;", "at-rule '@namespace'" },
    { "@keyframes k { from { color: red } }", "at-rule '@keyframes'" },
    { "@supports (display: grid) { .a { color: red } }", "'@supports'" },
    { "@page { margin: 1px }", "at-rule '@page'" },
    { "@layer base;", "at-rule '@layer'" },
    { "@ .a {}", "at-rule '@'" },
    /* Holes closed: bytes that break out or change the parse. */
    { ".a { color: red } </style><script>alert(1)</script>", "'<'" },
    { "/* </style> */", "'<' is not allowed" },
    { ".a > .b { color: red }", "'>' is not allowed" },
    { ".a { color: \\72 ed }", "backslash" },
    { ".a { color: red !important }", "'!' is not allowed" },
    { ".a { content: \"\xc3\xa9\" }", "non-ASCII byte 0xc3" },
    { ".a { color: red }\x01", "control character 0x01" },
    { ".a { color: red }\x7f", "control character 0x7f" },
    { ".a { color: red }\v", "control character 0x0b" },
    /* Holes closed: case and comments cannot hide a blocked word. */
    { ".a { OPACITY: 0 }", "property 'opacity'" },
    { ".a { background: URL(x) }", "contains 'url'" },
    { ".a { background: u/**/rl(x) }", "contains 'url'" },
    { ".a { display: no/* x */ne }", "display: none" },
    /* Our additions to the blocklists. */
    { ".a { font: 8px serif }", "property 'font'" },
    { ".a { transform: scale(0) }", "property 'transform'" },
    { ".a { scale: 0 }", "property 'scale'" },
    { ".a { visibility: hidden }", "property 'visibility'" },
    { ".a { zoom: 0.1 }", "property 'zoom'" },
    { ".a { clip-path: circle(0) }", "property 'clip-path'" },
    { ".a { background: image(\"x.png\") }", "contains 'image'" },
    { ".a { background: src(\"x.png\") }", "contains 'src'" },
    { ".a { color: attr(title) }", "contains 'attr'" },
    { ".a { --x: red }", "custom properties" },
    { ".a { -: red }", "'-' is not a property name" },
    /* The parser: nesting, structure, strings, comments. */
    { ".a { .b { color: red } }", "expected a property name, found '.'" },
    { ".a { &:hover { color: red } }", "found '&'" },
    { ".a { b { color: red } }", "expected ':' after 'b'" },
    { ".a { color red }", "expected ':' after 'color'" },
    { ".a { color: }", "empty value for 'color'" },
    { ".a { color: {red} }", "character '{' is not allowed in the value" },
    { ".a { color: [red] }", "character '['" },
    { ".a { color: @red }", "character '@'" },
    { ".a { color: red) }", "unbalanced ')'" },
    { ".a { color: rgb(1;2) }", "unbalanced '('" },
    { ".a { color: rgb(1 }", "unbalanced '('" },
    { ".a { font-family: \"x\n\" }", "line break inside a string" },
    { ".a { font-family: \"x }\n.b {}", "line break inside a string" },
    { ".a { font-family: 'x", "unterminated string" },
    { ".a { color: red } /*", "unterminated comment" },
    { ".a { color: red", "is not ended by ';' or '}'" },
    { ".a { color: red;", "rule is not closed by '}'" },
    { ".a", "is not followed by '{'" },
    { "}", "unexpected '}'" },
    { ".a { color: red } }", "unexpected '}'" },
    { ".a { color: red } ;", "character ';' is not allowed in a selector" },
    { ".a 'x' { color: red }", "character '''" },
    { "@media { .a {} }", "needs a media query" },
    { "@media ((color) { .a {} }", "unbalanced parentheses" },
    { "@media (color)) { .a {} }", "unbalanced parentheses" },
    { "@media print; .a {}", "character ';' is not allowed in a media query" },
    { "@media print { .a {}", "@media is not closed by '}'" },
    { "@media \"print\" { .a {} }", "character '\"'" },
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(cases); i++) {
        const struct css_case *c = &cases[i];
        struct cd_error err = { 0 };
        int rc = css_validate(c->css, strlen(c->css), &err);

        if (c->reason == NULL && rc != CD_OK)
            fail_msg("case %zu \"%s\" rejected: %s", i, c->css, err.msg);
        if (c->reason != NULL && rc != CD_EINVAL)
            fail_msg("case %zu \"%s\" accepted", i, c->css);
        if (c->reason != NULL && strstr(err.msg, c->reason) == NULL)
            fail_msg("case %zu \"%s\": \"%s\" does not say \"%s\"", i, c->css,
                     err.msg, c->reason);
        /* the verdict does not depend on whether err is given */
        assert_int_equal(css_validate(c->css, strlen(c->css), NULL), rc);
    }
}

/* Offen's own 20 test cases (server/css), with Offen's verdicts. */
static const struct {
    const char *name;
    const char *css;
    bool ok;
} upstream[] = {
    { "ok", ".some-element {\n\tpadding: 12px;\n}\n", true },
    { "non-class selector",
      "body {\n\tcolor: hotpink;\n}\n.some-element {\n\tpadding: 12px;\n}\n",
      false },
    { "nested non-class selector",
      "@media screen and (min-width: 4000px) {\n\tbody, .other-thing {\n"
      "\t\tcolor: hotpink;\n\t}\n}\n.some-element {\n\tpadding: 12px;\n}\n",
      false },
    { "disallowed pseudo class",
      ".some-element:first-child {\n\tpadding: 12px;\n}\n", false },
    { "uses opacity",
      "body {\n\tcolor: hotpink;\n}\n.some-element {\n\topacity: 0;\n}\n",
      false },
    { "uses prefixed opacity",
      "body {\n\tcolor: hotpink;\n}\n.some-element {\n"
      "\t-webkit-opacity: 0;\n}\n", false },
    { "nested opacity",
      "body {\n\tcolor: hotpink;\n}\n@media screen and (min-width: 400em) {\n"
      "\t.some-element {\n\t\topacity: 0;\n\t}\n}\n", false },
    { "content",
      "body {\n\tcolor: hotpink;\n}\n.some-element::before {\n"
      "\tcontent: 'zomfg';\n}\n", false },
    { "filter",
      "body {\n\tcolor: hotpink;\n}\n.some-element {\n"
      "\tfilter: opacity(0);\n}\n", false },
    { "image url",
      "body {\n\tcolor: hotpink;\n}\n.some-element {\n\tbackground-image: "
      "url('https://example.com/no-thanks.jpg)\n}\n", false },
    { "javascript url",
      "body {\n\tcolor: hotpink;\n}\n.some-element {\n\tbackground-image: "
      "\"javascript:alert(1)\";\n}\n", false },
    { "IE expression",
      "body {\n\tcolor: hotpink;\n}\n.some-element {\n\ttext-size: "
      "\"expression(alert('XSS'))\";\n}\n", false },
    { "hidden in invalid css",
      "body {\n\tcolor: hotpink;\n}\n.break-it {\n\tcolor: red;\n\n"
      "@media screen {\n\t.some-element {\n\t\tbackground-image: "
      "\"javascript:alert(1)\";\n\t}\n}\n", false },
    { "font size on host",
      ".banner__root {\n\tcolor: hotpink;\n\tfont-size: 24px;\n}\n", true },
    { "invalid font size on host",
      ".banner__root {\n\tcolor: hotpink;\n\tfont-size:  4px;\n}\n", false },
    { "font size on blocked element",
      ".banner__root {\n\tcolor: hotpink;\n\tfont-size:  14px;\n}\n"
      ".banner__buttons {\n\tfont-size: 78px;\n}\n", false },
    { "width", ".banner__root {\n\twidth: 12px;\n}\n", false },
    { "font size on rule with multiple selectors",
      ".banner__root, .banner__buttons {\n\tcolor: hotpink;\n"
      "\tfont-size:  14px;\n}\n", false },
    { "width (again)", ".banner__root {\n\twidth: 12px;\n}\n", false },
    { "negative value", ".banner__root {\n\tmargin: 0 0 0 -9999px;\n}\n",
      false },
};

static void test_upstream(void **state)
{
    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(upstream); i++) {
        int rc = css_validate(upstream[i].css, strlen(upstream[i].css), NULL);

        if ((rc == CD_OK) != upstream[i].ok)
            fail_msg("upstream case \"%s\": got %d", upstream[i].name, rc);
    }
}

static void expect(const char *css, size_t len, const char *msg)
{
    struct cd_error err = { 0 };

    assert_int_equal(css_validate(css, len, &err), CD_EINVAL);
    assert_string_equal(err.msg, msg);
}

static void test_messages_name_the_line(void **state)
{
    static const char two[] = ".a { color: red }\n.b {\n  opacity: 0;\n}";
    static const char nul[] = ".a {}\n\n.b { color: red }\0";

    (void)state;
    expect(two, strlen(two), "line 3: property 'opacity' is not allowed");
    expect(nul, sizeof(nul) - 1, "line 3: control character 0x00");
    expect(".a {\n/* x\n", strlen(".a {\n/* x\n"),
           "line 2: unterminated comment");
    expect("\n\n@import url(x);", strlen("\n\n@import url(x);"),
           "line 3: at-rule '@import' is not allowed (only @media)");
    /* a selector quoted in a message stays on one line */
    expect(".a\n\t body {}", strlen(".a\n\t body {}"),
           "line 1: selector '.a body' is not allowed: use class selectors "
           "like .banner__root, optionally with :hover, :active or :focus");
}

static void test_null_and_empty(void **state)
{
    struct cd_error err = { 0 };

    (void)state;
    assert_int_equal(css_validate(NULL, 0, &err), CD_OK);
    assert_int_equal(css_validate(NULL, 1, &err), CD_EINVAL);
    /* len, not a NUL, ends the sheet: the bytes after it are not read */
    assert_int_equal(css_validate(".a{}opacity", 4, NULL), CD_OK);
}

/* Build a sheet in b: head, then fill repeated count times, then tail. */
static const char *build(struct buf *b, const char *head, const char *fill,
                         size_t count, const char *tail)
{
    buf_reset(b);
    assert_int_equal(buf_adds(b, head), CD_OK);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(buf_adds(b, fill), CD_OK);
    assert_int_equal(buf_adds(b, tail), CD_OK);
    return b->ptr;
}

/* The sheet built from count fills is accepted; with one fill more it is
 * rejected with a message that contains reason. */
static void cap_case(const char *head, const char *fill, size_t count,
                     const char *tail, const char *reason)
{
    struct buf b = BUF_INIT(1 << 20);
    struct cd_error err = { 0 };

    build(&b, head, fill, count, tail);
    if (css_validate(b.ptr, b.len, &err) != CD_OK)
        fail_msg("at the cap (%zu x \"%s\"): %s", count, fill, err.msg);
    build(&b, head, fill, count + 1, tail);
    assert_int_equal(css_validate(b.ptr, b.len, &err), CD_EINVAL);
    if (strstr(err.msg, reason) == NULL)
        fail_msg("past the cap: \"%s\" does not say \"%s\"", err.msg, reason);
    buf_release(&b);
}

static void test_caps(void **state)
{
    (void)state;
    /* 13 + 16371 = 16384 bytes */
    cap_case(".a{color:red}", " ", CSS_MAX_BYTES - 13, "",
             "longer than 16384 bytes");
    cap_case("", ".a{}", CSS_MAX_RULES, "", "more than 256 rules");
    /* the @media counts as one rule */
    cap_case("@media print{", ".a{}", CSS_MAX_RULES - 1, "}",
             "more than 256 rules");
    cap_case(".a{", "color:red;", CSS_MAX_DECLS, "}",
             "more than 64 declarations");
    /* ".a" and spaces up to the '{' */
    cap_case(".a", " ", CSS_MAX_PRELUDE_BYTES - 2, "{}",
             "a selector is longer than 1024 bytes");
    /* " print" and spaces after "@media" */
    cap_case("@media print", " ", CSS_MAX_PRELUDE_BYTES - 6, "{}",
             "a media query is longer than 1024 bytes");
    cap_case(".", "a", CSS_MAX_SELECTOR_BYTES - 1, "{}",
             "selector is longer than 128 bytes");
    cap_case(".a{", "a", CSS_MAX_PROPERTY_BYTES, ":red}",
             "property name is longer than 64 bytes");
    cap_case(".a{color:", "a", CSS_MAX_VALUE_BYTES, "}",
             "value of 'color' is longer than 512 bytes");
    /* a string counts toward the value cap too */
    cap_case(".a{font-family:\"", "a", CSS_MAX_VALUE_BYTES - 2, "\"}",
             "value of 'font-family' is longer than 512 bytes");
}

/* Comments do not count toward the prelude and value caps. */
static void test_comments_do_not_count(void **state)
{
    struct buf b = BUF_INIT(1 << 16);

    (void)state;
    build(&b, ".a/*", "x", 2 * CSS_MAX_PRELUDE_BYTES, "*/{}");
    assert_int_equal(css_validate(b.ptr, b.len, NULL), CD_OK);
    build(&b, ".a{color:red/*", "x", 2 * CSS_MAX_VALUE_BYTES, "*/}");
    assert_int_equal(css_validate(b.ptr, b.len, NULL), CD_OK);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_upstream),
        cmocka_unit_test(test_messages_name_the_line),
        cmocka_unit_test(test_null_and_empty),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_comments_do_not_count),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
