/* test_access_log.c -- Offen's access-log line, anonymised status, escaping,
 * the time of each line's own second. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "http/internal.h"

static int setup(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

static const char *line(struct buf *b, const char *method, const char *uri,
                        int status)
{
    buf_reset(b);
    assert_int_equal(access_log_format(b, method, strlen(method), uri,
                                       strlen(uri), "HTTP/1.1", status,
                                       1594036800LL),
                     CD_OK);
    return b->ptr;
}

static void test_format_and_status(void **state)
{
    struct buf b = BUF_INIT(8192);

    (void)state;
    assert_string_equal(line(&b, "GET", "/healthz?x=1", 200),
                        "- - - [06/Jul/2020:12:00:00 +0000] "
                        "\"GET /healthz?x=1 HTTP/1.1\" 200 -\n");
    /* 201 (opted in) and 204 (opted out) look the same; so do 3xx */
    assert_non_null(strstr(line(&b, "POST", "/api/events", 201), "\" 200 -"));
    assert_non_null(strstr(line(&b, "POST", "/api/events", 204), "\" 200 -"));
    assert_non_null(strstr(line(&b, "GET", "/", 304), "\" 200 -"));
    assert_non_null(strstr(line(&b, "GET", "/", 399), "\" 200 -"));
    assert_non_null(strstr(line(&b, "GET", "/", 400), "\" 400 -"));
    assert_non_null(strstr(line(&b, "GET", "/", 503), "\" 503 -"));
    /* the time field follows each line's second (it is formatted once per
     * second and thread) */
    assert_int_equal(access_log_format(&b, "GET", 3, "/", 1, "HTTP/1.1", 200,
                                       1594036801LL), CD_OK);
    assert_non_null(strstr(b.ptr, "[06/Jul/2020:12:00:00 +0000]"));
    assert_non_null(strstr(b.ptr, "[06/Jul/2020:12:00:01 +0000]"));
    assert_string_equal(line(&b, "GET", "/", 200),
                        "- - - [06/Jul/2020:12:00:00 +0000] "
                        "\"GET / HTTP/1.1\" 200 -\n");
    buf_release(&b);
}

static void test_escaping(void **state)
{
    struct buf b = BUF_INIT(8192);

    (void)state;
    /* a forged second line or quote cannot get through */
    assert_non_null(strstr(line(&b, "GET", "/a\"b\nc\\", 200),
                           "/a\\x22b\\x0ac\\x5c "));
    assert_int_equal(strchr(b.ptr, '\n') - b.ptr, (long)b.len - 1);
    buf_release(&b);
}

static void test_uri_cap(void **state)
{
    struct buf b = BUF_INIT(16384);
    char uri[2050];

    (void)state;
    memset(uri, 'a', sizeof(uri));
    uri[0] = '/';
    uri[2048] = '\0'; /* exactly at the cap: kept whole */
    assert_null(strstr(line(&b, "GET", uri, 200), "..."));
    uri[2048] = 'b';
    uri[2049] = '\0'; /* one past: cut */
    assert_non_null(strstr(line(&b, "GET", uri, 200), "a... HTTP/1.1"));
    assert_null(strchr(b.ptr, 'b'));
    buf_release(&b);
}

static void test_full_buffer_keeps_lines_whole(void **state)
{
    struct buf b = BUF_INIT(100);

    (void)state;
    assert_int_equal(access_log_format(&b, "GET", 3, "/x", 2, "HTTP/1.1", 200,
                                       0), CD_OK);
    size_t len = b.len;
    assert_int_equal(access_log_format(&b, "GET", 3, "/x", 2, "HTTP/1.1", 200,
                                       0), CD_ETOOBIG);
    assert_int_equal(b.len, len);
    assert_int_equal(b.ptr[len - 1], '\n');
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_and_status),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_uri_cap),
        cmocka_unit_test(test_full_buffer_keeps_lines_whole),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
