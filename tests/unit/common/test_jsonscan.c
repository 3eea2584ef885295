/* test_jsonscan.c -- common/jsonscan: the strictness of jansson, the field
 * rules of api/body.c, the caps at and one past their limits, a
 * differential run against jansson on generated documents, and a
 * benchmark of the event body (printed, never asserted). */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/jsonscan.h"
#include "jsonscan_ref.h"

/* Scan doc for one field; *out gets the value. */
static int scan1(const char *doc, size_t len, const char *name, size_t max,
                 struct jsonscan_str *out, struct cd_error *err)
{
    struct jsonscan_field f = { name, max, out };

    return jsonscan_fields(doc, len, &f, 1, err);
}

/* doc (a C string) gives CD_OK and field name decodes to want (NULL:
 * absent). */
static void expect_field(const char *doc, const char *name, size_t max,
                         const char *want)
{
    struct jsonscan_str v;
    struct cd_error err = { 0, "" };
    char *got;

    assert_int_equal(scan1(doc, strlen(doc), name, max, &v, &err), CD_OK);
    assert_int_equal(v.present, want != NULL);
    got = jsonscan_strdup(&v);
    assert_string_equal(got, want ? want : "");
    assert_int_equal(v.len, strlen(got));
    free(got);
    assert_int_equal(ref_compare(doc, strlen(doc)), 0);
}

/* doc gives rc with a message (looking for a field no test uses), and
 * the reference agrees. */
static void expect_rc(const char *doc, size_t len, int rc)
{
    struct jsonscan_str v;
    struct cd_error err = { 0, "" };

    if (scan1(doc, len, "unused", 100, &v, &err) != rc)
        fail_msg("%.*s: %s", (int)len, doc, err.msg);
    if (rc < 0) {
        assert_true(err.msg[0] != '\0');
        assert_false(v.present);
        assert_int_equal(v.len, 0);
    }
    assert_int_equal(ref_compare(doc, len), 0);
}

#define BAD(doc) expect_rc((doc), sizeof(doc) - 1, CD_EPROTO)
#define GOOD(doc) expect_rc((doc), sizeof(doc) - 1, CD_OK)

static void test_event_body(void **state)
{
    static const char doc[] =
        "{\"accountId\":\"9b63c4d8-6ab0-4a96-aa08-d6e3a9b0c8f1\","
        "\"payload\":\"{1,} QUJD REVG\"}";
    struct jsonscan_str id, payload;
    struct jsonscan_field f[] = {
        { "accountId", 64, &id }, { "payload", 32768, &payload },
    };
    struct cd_error err = { 0, "" };

    (void)state;
    assert_int_equal(jsonscan_fields(doc, strlen(doc), f, 2, &err), CD_OK);
    /* no escapes: slices of the input, nothing copied */
    assert_true(id.present && !id.escaped);
    assert_ptr_equal(id.raw, doc + 14);
    assert_int_equal(id.len, 36);
    assert_memory_equal(id.raw, "9b63c4d8-6ab0-4a96-aa08-d6e3a9b0c8f1", 36);
    assert_ptr_equal(payload.raw, strstr(doc, "{1,}"));
    assert_int_equal(payload.len, 14);
}

static void test_null_body(void **state)
{
    (void)state;
    expect_field("null", "a", 10, NULL);
    expect_field(" \t\r\nnull\n ", "a", 10, NULL);
    expect_field("{}", "a", 10, NULL);
    BAD("nul");
    BAD("nulll");
    BAD("null null");
    BAD("Null");
    BAD("");
    BAD(" \n");
}

static void test_not_an_object(void **state)
{
    (void)state;
    BAD("[]");
    BAD("[{\"a\":\"x\"}]");
    BAD("1");
    BAD("-0.5");
    BAD("\"a\"");
    BAD("true");
    BAD("false");
}

/* reference/c-stack.md 3.2 "Strictness", and more of the same kind. */
static void test_syntax(void **state)
{
    (void)state;
    BAD("{");
    BAD("}");
    BAD("{\"a\":1,}");           /* trailing comma */
    BAD("{\"a\":[1,]}");
    BAD("{\"a\":[,1]}");
    BAD("{,}");
    BAD("{\"a\":1,,\"b\":2}");
    BAD("{\"a\":1} x");          /* trailing garbage */
    BAD("{\"a\":1}}");
    BAD("{\"a\":[1]]}");
    BAD("{\"a\":1}\x00");
    BAD("\x00{}");
    BAD("{\"a\":1\x00}");          /* jansson 2.14 accepts these two */
    BAD("{\"a\":[true\x00]}");
    BAD("{\"a\":/*c*/1}");       /* comments */
    BAD("{\"a\":1}//");
    BAD("{'a':1}");              /* single quotes */
    BAD("{a:1}");
    BAD("{\"a\" 1}");
    BAD("{\"a\"::1}");
    BAD("{\"a\":}");
    BAD("{\"a\":1 \"b\":2}");
    BAD("{\"a\":1}\f");          /* only space, tab, CR, LF are white */
    BAD("{\f}");
    BAD("\xef\xbb\xbf{}");       /* a byte order mark */
    BAD("{\"a\":tru}");
    BAD("{\"a\":True}");
    BAD("{\"a\":nul}");
    BAD("{\"a\":truex}");
    BAD("{\"a\":NaN}");
    BAD("{\"a\":Infinity}");
    BAD("{\"a\":-Infinity}");
    BAD("{\"a\":\"abc}");        /* truncated */
    BAD("{\"a\":\"abc\\");
    BAD("{\"a\":\"abc\"");
    BAD("{\"a\":1");
    BAD("{\"a\"");
    GOOD("{}");
    GOOD(" {\t\r\n} ");
    GOOD("{\"a\":[]}");
    GOOD("{\"a\":{}}");
    GOOD("{\"a\":true,\"b\":false,\"c\":null,\"d\":[true,false,null]}");
    GOOD("{\"a\" : [ 1 , { \"b\" : \"c\" } ] }");
}

static void test_numbers(void **state)
{
    (void)state;
    GOOD("{\"a\":[0,-0,1,-1,10,0.5,-1.5e10,1E-5,1e+5,0e0,-0.0e-0,12.34]}");
    GOOD("{\"a\":9223372036854775807}");   /* int64 max */
    GOOD("{\"a\":-9223372036854775808}");  /* int64 min */
    GOOD("{\"a\":1.7976931348623157e308}");
    GOOD("{\"a\":-1.7976931348623157e308}");
    GOOD("{\"a\":1e-400}");                /* underflow is fine */
    GOOD("{\"a\":0e99999999999999999999}");
    GOOD("{\"a\":0.000000000000000000000000000000000000001e347}");
    GOOD("{\"a\":9223372036854775808.0}"); /* a real, not an integer */
    BAD("{\"a\":01}");
    BAD("{\"a\":-01}");
    BAD("{\"a\":00}");
    BAD("{\"a\":1.}");
    BAD("{\"a\":.5}");
    BAD("{\"a\":1.e5}");
    BAD("{\"a\":1e}");
    BAD("{\"a\":1e+}");
    BAD("{\"a\":+1}");
    BAD("{\"a\":-}");
    BAD("{\"a\":- 1}");
    BAD("{\"a\":0x10}");
    BAD("{\"a\":1_000}");
    BAD("{\"a\":9223372036854775808}");
    BAD("{\"a\":-9223372036854775809}");
    BAD("{\"a\":12345678901234567890123}");
    BAD("{\"a\":1e309}");
    BAD("{\"a\":-1e309}");
    BAD("{\"a\":1.8e308}");
    BAD("{\"a\":1e99999999999999999999}");
    BAD("{\"a\":0.0000001e316}");
}

/* The real-number overflow is decided exactly at 2^1024 - 2^970. */
static void test_double_overflow_edge(void **state)
{
    static const char half[] = /* 2^1024 - 2^970 */
        "179769313486231580793728971405303415079934132710037826936173778980444"
        "968292764750946649017977587207096330286416692887910946555547851940402"
        "630657488671505820681908902000708383676273854845817711531764475730270"
        "069855571366959622842914819860834936475292719074168444365510704342711"
        "559699508093042880177904174497792";
    char doc[512];

    (void)state;
    snprintf(doc, sizeof(doc), "{\"a\":%s}", half);    /* an integer */
    expect_rc(doc, strlen(doc), CD_EPROTO);
    snprintf(doc, sizeof(doc), "{\"a\":%s.0}", half);  /* the midpoint */
    expect_rc(doc, strlen(doc), CD_EPROTO);
    snprintf(doc, sizeof(doc), "{\"a\":%.308s2.0000001e0}", half);
    expect_rc(doc, strlen(doc), CD_EPROTO);             /* just past it */
    snprintf(doc, sizeof(doc), "{\"a\":%.308s3}", half);
    expect_rc(doc, strlen(doc), CD_EPROTO);
    snprintf(doc, sizeof(doc), "{\"a\":%.308s1.9999999e0}", half);
    expect_rc(doc, strlen(doc), CD_OK);                 /* just below */
    snprintf(doc, sizeof(doc), "{\"a\":0.0%.308s19999e310}", half);
    expect_rc(doc, strlen(doc), CD_OK);
    snprintf(doc, sizeof(doc), "{\"a\":0.%s9e309}", half);
    expect_rc(doc, strlen(doc), CD_EPROTO);
    snprintf(doc, sizeof(doc), "{\"a\":-%.1s.%.60se308}", half, half + 1);
    expect_rc(doc, strlen(doc), CD_OK);                 /* fewer digits */
}

static void test_strings(void **state)
{
    (void)state;
    BAD("{\"a\":\"\t\"}");      /* raw control characters */
    BAD("{\"a\":\"\n\"}");
    BAD("{\"a\":\"\x01\"}");
    BAD("{\"a\":\"\x1f\"}");
    BAD("{\"a\":\"\\x\"}");     /* escapes outside the RFC's */
    BAD("{\"a\":\"\\a\"}");
    BAD("{\"a\":\"\\'\"}");
    BAD("{\"a\":\"\\U00e9\"}");
    BAD("{\"a\":\"\\u12\"}");
    BAD("{\"a\":\"\\u12G4\"}");
    BAD("{\"a\":\"\\u0000\"}"); /* NUL, as jansson without ALLOW_NUL */
    BAD("{\"\\u0000\":1}");
    BAD("{\"a\":\"\\ud800\"}"); /* lone surrogates */
    BAD("{\"a\":\"\\udc00\"}");
    BAD("{\"a\":\"\\udfff\\ud800\"}");
    BAD("{\"a\":\"\\ud800\\u0041\"}");
    BAD("{\"a\":\"\\ud800\\ud800\"}");
    BAD("{\"a\":\"\\ud800x\"}");
    BAD("{\"a\":\"\\ud800\\n\"}");
    BAD("{\"a\":\"\\ud800\\udc0\"}");
    GOOD("{\"a\":\"\x7f\"}");   /* DEL is not a control character here */
    GOOD("{\"a\":\" \"}");
    GOOD("{\"a\":\"\\u0001\\u001f\\u007f\"}");
    expect_field("{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", "a", 8,
                 "\"\\/\b\f\n\r\t");
    expect_field("{\"a\":\"\\u0041\\u00e9\\u20AC\\uffff\"}", "a", 9,
                 "A\xc3\xa9\xe2\x82\xac\xef\xbf\xbf");
    expect_field("{\"a\":\"x\\ud83d\\ude00y\\uD800\\uDC00\\uDBFF\\uDFFF\"}",
                 "a", 14,
                 "x\xf0\x9f\x98\x80y\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
}

static void test_utf8(void **state)
{
    (void)state;
    GOOD("{\"a\":\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\"}");
    GOOD("{\"a\":\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xe2\x82\xac\"}");
    GOOD("{\"\xc3\xa9\":\"\xed\x9f\xbf\xee\x80\x80\"}");
    BAD("{\"a\":\"\xc0\xaf\"}");          /* overlong '/' */
    BAD("{\"a\":\"\xc1\xbf\"}");
    BAD("{\"a\":\"\xe0\x80\xaf\"}");
    BAD("{\"a\":\"\xe0\x9f\xbf\"}");
    BAD("{\"a\":\"\xf0\x80\x80\xaf\"}");
    BAD("{\"a\":\"\xf0\x8f\xbf\xbf\"}");
    BAD("{\"a\":\"\xed\xa0\x80\"}");      /* U+D800 encoded */
    BAD("{\"a\":\"\xed\xbf\xbf\"}");
    BAD("{\"a\":\"\xf4\x90\x80\x80\"}");  /* past U+10FFFF */
    BAD("{\"a\":\"\xf5\x80\x80\x80\"}");
    BAD("{\"a\":\"\xf8\x88\x80\x80\x80\"}");
    BAD("{\"a\":\"\xff\"}");
    BAD("{\"a\":\"\x80\"}");              /* stray continuation */
    BAD("{\"a\":\"\xc3\"}");              /* truncated */
    BAD("{\"a\":\"\xe2\x82\"}");
    BAD("{\"a\":\"\xf0\x9f\x98\"}");
    BAD("{\"a\":\"\xc3x\"}");
    BAD("{\"a\":\"\xc3");
    BAD("{\"a\":\"\xf0\x9f");
    BAD("{\"a\":1,\xc3\xa9:2}");          /* valid UTF-8 outside strings */
    BAD("{\"\xff\":1}");
}

/* `{"a":` n containers around inner `}`: depth n + 1 (plus inner's). */
static void nested(char *doc, size_t size, size_t n, char open, char close,
                   const char *inner)
{
    size_t k = 0;

    k += (size_t)snprintf(doc, size, "{\"a\":");
    for (size_t i = 0; i < n; i++) {
        if (open == '{')
            k += (size_t)snprintf(doc + k, size - k, "{\"b\":");
        else
            doc[k++] = open;
    }
    k += (size_t)snprintf(doc + k, size - k, "%s", inner);
    for (size_t i = 0; i < n; i++)
        doc[k++] = close;
    doc[k++] = '}';
    doc[k] = '\0';
}

static void test_depth(void **state)
{
    char doc[512];

    (void)state;
    nested(doc, sizeof(doc), JSONSCAN_MAX_DEPTH - 1, '[', ']', "1");
    expect_rc(doc, strlen(doc), CD_OK);        /* depth 32 */
    nested(doc, sizeof(doc), JSONSCAN_MAX_DEPTH, '[', ']', "1");
    expect_rc(doc, strlen(doc), CD_EPROTO);    /* depth 33 */
    nested(doc, sizeof(doc), JSONSCAN_MAX_DEPTH - 1, '{', '}', "1");
    expect_rc(doc, strlen(doc), CD_OK);
    nested(doc, sizeof(doc), JSONSCAN_MAX_DEPTH, '{', '}', "1");
    expect_rc(doc, strlen(doc), CD_EPROTO);
    /* an empty container counts; scalars and siblings do not */
    nested(doc, sizeof(doc), JSONSCAN_MAX_DEPTH - 2, '[', ']', "[]");
    expect_rc(doc, strlen(doc), CD_OK);
    nested(doc, sizeof(doc), JSONSCAN_MAX_DEPTH - 2, '[', ']', "{}");
    expect_rc(doc, strlen(doc), CD_OK);
    nested(doc, sizeof(doc), JSONSCAN_MAX_DEPTH - 1, '[', ']', "{}");
    expect_rc(doc, strlen(doc), CD_EPROTO);
    nested(doc, sizeof(doc), JSONSCAN_MAX_DEPTH - 3, '[', ']',
           "[1,[],{\"x\":2},\"s\",[2]]");   /* siblings at 32 */
    expect_rc(doc, strlen(doc), CD_OK);
    nested(doc, sizeof(doc), JSONSCAN_MAX_DEPTH - 3, '[', ']',
           "[1,[],{\"x\":[]},\"s\"]");      /* one of them at 33 */
    expect_rc(doc, strlen(doc), CD_EPROTO);
}

static void test_duplicates(void **state)
{
    char doc[4096];
    size_t k;

    (void)state;
    BAD("{\"a\":1,\"a\":1}");
    BAD("{\"a\":1,\"b\":2,\"a\":3}");
    BAD("{\"a\":1,\"\\u0061\":2}");            /* equal once decoded */
    BAD("{\"\\u00e9\":1,\"\xc3\xa9\":2}");
    BAD("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}");
    BAD("{\"\":1,\"\":2}");
    BAD("{\"x\":{\"b\":1,\"b\":2}}");          /* nested objects too */
    BAD("{\"x\":[{\"b\":1,\"b\":2}]}");
    GOOD("{\"a\":1,\"A\":2}");                 /* case differs: not a dup */
    GOOD("{\"a\":{\"a\":{\"a\":1}}}");         /* one per level */
    GOOD("{\"a\":[{\"b\":1},{\"b\":1}]}");     /* sibling objects */
    GOOD("{\"a\":1,\"a \":2,\"\\u0061b\":3,\"ab \":4}");
    /* many keys: the sorted path, and the key stack past its inline part */
    for (size_t n = 2; n <= 200; n += 9) {
        k = (size_t)snprintf(doc, sizeof(doc), "{");
        for (size_t i = 0; i < n; i++)
            k += (size_t)snprintf(doc + k, sizeof(doc) - k, "%s\"k%zu\":"
                                  "{\"x\":%zu}", i ? "," : "", i * 7919 % n,
                                  i);
        k += (size_t)snprintf(doc + k, sizeof(doc) - k, "}");
        expect_rc(doc, k, CD_OK);
        /* the same with one key repeated as an escape */
        k -= 1;
        k += (size_t)snprintf(doc + k, sizeof(doc) - k,
                              ",\"\\u006b%zu\":0}", n / 2);
        expect_rc(doc, k, CD_EPROTO);
    }
}

static void test_fields(void **state)
{
    struct jsonscan_str a, b;
    struct jsonscan_field f[] = { { "accountId", 4, &a }, { "b", 4, &b } };
    struct cd_error err = { 0, "" };
    const char *doc;

    (void)state;
    expect_field("{\"ACCOUNTID\":\"x\"}", "accountId", 4, "x");
    expect_field("{\"accountid\":\"x\",\"AccountId\":\"y\"}", "accountId", 4,
                 "y");                                  /* last wins */
    expect_field("{\"AccountId\":\"y\",\"accountid\":\"x\"}", "accountId", 4,
                 "x");
    expect_field("{\"accountId\":\"x\",\"ACCOUNTID\":null}", "accountId", 4,
                 NULL);                                 /* null: absent */
    expect_field("{\"accountId\":1,\"ACCOUNTID\":\"y\"}", "accountId", 4,
                 "y");                                  /* only last counts */
    expect_field("{\"accountId\":\"toolong\",\"ACCOUNTID\":\"y\"}",
                 "accountId", 4, "y");
    expect_field("{\"\\u0061ccount\\u0049d\":\"x\"}", "accountId", 4, "x");
    expect_field("{\"x\":{\"accountId\":\"x\"}}", "accountId", 4, NULL);
    expect_field("{\"accountId \":\"x\"}", "accountId", 4, NULL);
    expect_field("{\"account\xc4\xb0" "d\":\"x\"}", "accountId", 4, NULL);
    expect_field("{\"\xc3\x89T\xc3\x89\":\"x\"}", "\xc3\xa9t\xc3\xa9", 4,
                 NULL);                                 /* ASCII folding */
    /* a value that is not a string or null */
    static const char *const wrong[] = {
        "{\"accountId\":1}", "{\"accountId\":true}", "{\"accountId\":[]}",
        "{\"accountId\":{}}", "{\"accountId\":\"y\",\"ACCOUNTID\":0}",
    };
    for (size_t i = 0; i < CD_ARRAY_SIZE(wrong); i++) {
        assert_int_equal(jsonscan_fields(wrong[i], strlen(wrong[i]), f, 2,
                                         &err), CD_EPROTO);
        assert_string_equal(err.msg, "field accountId must be a string");
        assert_false(a.present);
        assert_int_equal(ref_compare(wrong[i], strlen(wrong[i])), 0);
    }
    /* field errors come in the order of fields[], after the document */
    doc = "{\"b\":1,\"accountId\":\"12345\"}";
    assert_int_equal(jsonscan_fields(doc, strlen(doc), f, 2, &err),
                     CD_ETOOBIG);
    assert_string_equal(err.msg, "field accountId is longer than 4 bytes");
    assert_int_equal(jsonscan_fields(doc, strlen(doc), f + 1, 1, &err),
                     CD_EPROTO);
    doc = "{\"b\":1,\"accountId\":\"12345\",\"c\":tru}";
    assert_int_equal(jsonscan_fields(doc, strlen(doc), f, 2, &err),
                     CD_EPROTO);
    assert_string_equal(err.msg, "invalid JSON at byte 31: invalid literal");
    /* two fields may match one key */
    f[1].name = "ACCOUNTID";
    doc = "{\"accountid\":\"x\"}";
    assert_int_equal(jsonscan_fields(doc, strlen(doc), f, 2, &err), CD_OK);
    assert_true(a.present && b.present && a.raw == b.raw);
}

static void test_field_max(void **state)
{
    struct jsonscan_str v;
    struct cd_error err = { 0, "" };
    const char *doc;

    (void)state;
    expect_field("{\"a\":\"abc\"}", "a", 3, "abc");           /* at max */
    doc = "{\"a\":\"abcd\"}";                                  /* one past */
    assert_int_equal(scan1(doc, strlen(doc), "a", 3, &v, &err), CD_ETOOBIG);
    assert_string_equal(err.msg, "field a is longer than 3 bytes");
    assert_false(v.present);
    /* the cap is on decoded bytes: 12 bytes of input, 3 of value */
    expect_field("{\"a\":\"\\u00e9\\/\"}", "a", 3, "\xc3\xa9/");
    doc = "{\"a\":\"\\u00e9\\/x\"}";
    assert_int_equal(scan1(doc, strlen(doc), "a", 3, &v, &err), CD_ETOOBIG);
    expect_field("{\"a\":\"\"}", "a", 0, "");
    doc = "{\"a\":\"x\"}";
    assert_int_equal(scan1(doc, strlen(doc), "a", 0, &v, &err), CD_ETOOBIG);
    expect_field("{\"a\":null}", "a", 0, NULL);
}

static void test_api_edges(void **state)
{
    struct jsonscan_str v[JSONSCAN_MAX_FIELDS + 1];
    struct jsonscan_field f[JSONSCAN_MAX_FIELDS + 1];
    char names[JSONSCAN_MAX_FIELDS + 1][8];
    struct cd_error err = { 0, "" };
    const char *doc = "{\"f63\":\"x\",\"f0\":\"y\"}";

    (void)state;
    for (size_t i = 0; i <= JSONSCAN_MAX_FIELDS; i++) {
        snprintf(names[i], sizeof(names[i]), "f%zu", i);
        f[i] = (struct jsonscan_field){ names[i], 10, &v[i] };
    }
    assert_int_equal(jsonscan_fields(doc, strlen(doc), f, JSONSCAN_MAX_FIELDS,
                                     &err), CD_OK);        /* at the cap */
    assert_true(v[63].present && v[0].present && !v[1].present);
    assert_int_equal(jsonscan_fields(doc, strlen(doc), f,
                                     JSONSCAN_MAX_FIELDS + 1, &err),
                     CD_EINVAL);                            /* one past */
    assert_int_equal(jsonscan_fields(NULL, 0, f, 1, &err), CD_EPROTO);
    assert_int_equal(jsonscan_fields(doc, strlen(doc), f, 1, NULL), CD_OK);
    /* the offset of the error */
    assert_int_equal(scan1("{\"a\":01}", 8, "a", 1, v, &err), CD_EPROTO);
    assert_string_equal(err.msg, "invalid JSON at byte 6: leading zero");
}

/* ---- differential: generated documents against jansson ------------- */

struct gen {
    char buf[8192];
    size_t n;
    uint64_t rng;
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return (uint32_t)(g->rng >> 32) % n;
}

static void put(struct gen *g, const char *s)
{
    size_t n = strlen(s);

    if (g->n + n < sizeof(g->buf)) {
        memcpy(g->buf + g->n, s, n);
        g->n += n;
    }
}

#define PICK(g, a) ((a)[rnd((g), CD_ARRAY_SIZE(a))])

static void gen_string(struct gen *g)
{
    static const char *const ok[] = {
        "", "abc", "x", "0123456789", "\\n", "\\\"", "\\\\", "\\/", "\\t",
        "\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\\u004b", "\xc3\xa9",
        "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x7f", " ", "K", "{1,} QUJD",
    };
    static const char *const bad[] = {
        "\\ud800", "\\udc00x", "\\u0000", "\xc0\xaf", "\xed\xa0\x80", "\t",
        "\x01", "\\x", "\\u12", "\xff", "\xe2\x82",
    };
    int n = (int)rnd(g, 5);

    put(g, "\"");
    for (int i = 0; i < n; i++)
        put(g, rnd(g, 40) ? PICK(g, ok) : PICK(g, bad));
    put(g, "\"");
}

static void gen_key(struct gen *g)
{
    static const char *const keys[] = {
        "\"accountId\"", "\"ACCOUNTID\"", "\"accountid\"", "\"payload\"",
        "\"PayLoad\"", "\"k\"", "\"K\"", "\"\\u006b\"", "\"\\u004B\"",
        "\"\xc3\xa9t\xc3\xa9\"", "\"\xc3\x89T\xc3\x89\"", "\"\\u00e9t\\u00e9\"",
        "\"a\"", "\"b\"", "\"\\u0061\"", "\"\"", "\"\\u0061ccountId\"",
    };

    if (rnd(g, 8) == 0)
        gen_string(g);
    else
        put(g, PICK(g, keys));
}

static void gen_scalar(struct gen *g)
{
    static const char *const scalars[] = {
        "0", "-0", "1", "-1", "1.5", "1e5", "1E-5", "-1.0e+2", "true",
        "false", "null", "9223372036854775807", "-9223372036854775808",
        "1e308", "1.7976931348623157e308", "1e-400", "12345678901234567890.0",
        "9223372036854775808", "-9223372036854775809", "1e309",
        "1.7976931348623159e308", "01", "1.", ".5", "-", "1e", "nul", "True",
    };
    size_t n = CD_ARRAY_SIZE(scalars);

    put(g, scalars[rnd(g, rnd(g, 10) ? (uint32_t)n - 11 : (uint32_t)n)]);
}

static void gen_value(struct gen *g, int depth);

static void gen_object(struct gen *g, int depth)
{
    int n = (int)rnd(g, 5);

    put(g, "{");
    for (int i = 0; i < n; i++) {
        if (i)
            put(g, rnd(g, 4) ? "," : " , ");
        gen_key(g);
        put(g, rnd(g, 4) ? ":" : " :\n");
        gen_value(g, depth + 1);
    }
    put(g, "}");
}

static void gen_value(struct gen *g, int depth)
{
    uint32_t what = depth > 3 ? rnd(g, 3) : rnd(g, 6);
    int n = (int)rnd(g, 5);

    if (what == 0) {
        gen_scalar(g);
    } else if (what <= 2) {
        gen_string(g);
    } else if (what == 3 || rnd(g, 30) == 0) {
        int deep = rnd(g, 20) == 0 ? 28 + (int)rnd(g, 8) : 0;

        for (int i = 0; i < deep; i++)
            put(g, "[");
        put(g, "[");
        for (int i = 0; i < n; i++) {
            if (i)
                put(g, ",");
            gen_value(g, depth + 1);
        }
        put(g, "]");
        for (int i = 0; i < deep; i++)
            put(g, "]");
    } else {
        gen_object(g, depth);
    }
}

static void mutate(struct gen *g)
{
    static const char bytes[] = "{}[]\",:\\0e-. \x80\xff\x00tn";
    size_t at = g->n ? rnd(g, (uint32_t)g->n) : 0;

    switch (rnd(g, 4)) {
    case 0: /* delete */
        if (g->n) {
            memmove(g->buf + at, g->buf + at + 1, g->n - at - 1);
            g->n--;
        }
        break;
    case 1: /* insert */
        if (g->n + 1 < sizeof(g->buf)) {
            memmove(g->buf + at + 1, g->buf + at, g->n - at);
            g->buf[at] = bytes[rnd(g, sizeof(bytes))];
            g->n++;
        }
        break;
    case 2: /* replace */
        if (g->n)
            g->buf[at] = bytes[rnd(g, sizeof(bytes))];
        break;
    default: /* truncate */
        g->n = at;
        break;
    }
}

static void test_differential(void **state)
{
    struct gen g = { .rng = 0x9e3779b97f4a7c15ULL };
    size_t seen[4] = { 0 }; /* OK, EPROTO, ETOOBIG, other */

    (void)state;
    for (int i = 0; i < 3000; i++) {
        struct jsonscan_str v[REF_NFIELDS];
        struct jsonscan_field f[REF_NFIELDS];
        struct cd_error err;
        char *copy;
        int rc;

        g.n = 0;
        if (rnd(&g, 20) == 0)
            gen_value(&g, 0);
        else if (rnd(&g, 40) == 0)
            put(&g, "null");
        else
            gen_object(&g, 0);
        for (uint32_t m = rnd(&g, 4) == 0 ? 1 + rnd(&g, 3) : 0; m > 0; m--)
            mutate(&g);
        /* an exact-size copy, so ASan sees any read past the end */
        copy = malloc(g.n ? g.n : 1);
        assert_non_null(copy);
        memcpy(copy, g.buf, g.n);
        assert_int_equal(ref_compare(copy, g.n), 0);
        for (size_t j = 0; j < REF_NFIELDS; j++)
            f[j] = (struct jsonscan_field){ ref_wanted[j].name,
                                            ref_wanted[j].max, &v[j] };
        rc = jsonscan_fields(copy, g.n, f, REF_NFIELDS, &err);
        seen[rc == CD_OK ? 0 : rc == CD_EPROTO ? 1 : rc == CD_ETOOBIG ? 2
                                                                      : 3]++;
        free(copy);
    }
    print_message("differential: %zu ok, %zu malformed, %zu too big\n",
                  seen[0], seen[1], seen[2]);
    assert_true(seen[0] > 300 && seen[1] > 300 && seen[2] > 30);
    assert_int_equal(seen[3], 0);
}

/* ---- benchmark (printed, not asserted) ----------------------------- */

static int counter_open(void)
{
    struct perf_event_attr pe;

    memset(&pe, 0, sizeof(pe));
    pe.type = PERF_TYPE_HARDWARE;
    pe.size = sizeof(pe);
    pe.config = PERF_COUNT_HW_INSTRUCTIONS;
    pe.disabled = 1;
    pe.exclude_kernel = 1;
    pe.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* What api/body.c does for the event body. */
static int parse_jansson(const char *doc, size_t len)
{
    json_error_t je;
    json_t *v = json_loadb(doc, len, JSON_REJECT_DUPLICATES |
                           JSON_DECODE_ANY, &je);
    const char *key;
    json_t *value, *id = NULL, *payload = NULL;

    json_object_foreach(v, key, value) {
        if (strcasecmp(key, "accountId") == 0)
            id = value;
        if (strcasecmp(key, "payload") == 0)
            payload = value;
    }
    int ok = json_is_string(id) && json_is_string(payload);
    json_decref(v);
    return ok ? CD_OK : CD_EPROTO;
}

static int parse_jsonscan(const char *doc, size_t len)
{
    struct jsonscan_str id, payload;
    struct jsonscan_field f[] = {
        { "accountId", 64, &id }, { "payload", 32768, &payload },
    };

    return jsonscan_fields(doc, len, f, 2, NULL);
}

static void bench(const char *name, int (*fn)(const char *, size_t),
                  const char *doc, size_t len, long n)
{
    int fd = counter_open();
    long long instr = -1;
    double t;

    for (long i = 0; i < n / 10; i++) /* warm up */
        assert_int_equal(fn(doc, len), CD_OK);
    if (fd >= 0) {
        ioctl(fd, PERF_EVENT_IOC_RESET, 0);
        ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
    }
    t = now_ns();
    for (long i = 0; i < n; i++)
        assert_int_equal(fn(doc, len), CD_OK);
    t = now_ns() - t;
    if (fd >= 0) {
        ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
        if (read(fd, &instr, sizeof(instr)) != (ssize_t)sizeof(instr))
            instr = -1;
        close(fd);
    }
    if (instr >= 0)
        print_message("bench %-9s %zu-byte event body: %8.0f ns/parse, "
                      "%8.0f instructions/parse\n", name, len,
                      t / (double)n, (double)instr / (double)n);
    else
        print_message("bench %-9s %zu-byte event body: %8.0f ns/parse "
                      "(no instruction counter here)\n", name, len,
                      t / (double)n);
}

/* A measurement, skipped unless JSONSCAN_BENCH_N names the parses per
 * run (jansson's count; jsonscan does ten times as many):
 * JSONSCAN_BENCH_N=2000 build/<dir>/test_jsonscan */
static void test_bench_event_body(void **state)
{
    unsigned char raw[525], nonce[12];
    char b64[800], b64n[20], doc[1024];
    const char *env = getenv("JSONSCAN_BENCH_N");
    long n = env ? strtol(env, NULL, 10) : 0;
    int len;

    (void)state;
    if (env == NULL) {
        skip();
        return;
    }
    for (size_t i = 0; i < sizeof(raw); i++)
        raw[i] = (unsigned char)(i * 131 + 7);
    for (size_t i = 0; i < sizeof(nonce); i++)
        nonce[i] = (unsigned char)(i * 29 + 3);
    base64_encode(b64, raw, sizeof(raw));
    base64_encode(b64n, nonce, sizeof(nonce));
    len = snprintf(doc, sizeof(doc), "{\"accountId\":\"9b63c4d8-6ab0-4a96-"
                   "aa08-d6e3a9b0c8f1\",\"payload\":\"{1,} %s %s\"}", b64,
                   b64n);
    assert_true(len > 0 && (size_t)len < sizeof(doc));
    if (n < 10)
        n = 10;
    bench("jsonscan", parse_jsonscan, doc, (size_t)len, n * 10);
    bench("jansson", parse_jansson, doc, (size_t)len, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_body),
        cmocka_unit_test(test_null_body),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_double_overflow_edge),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_field_max),
        cmocka_unit_test(test_api_edges),
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_bench_event_body),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
