/* test_buf.c -- common/buf: the hard cap (at it and one past it), failures
 * that leave the buffer intact, detach, formatted appends, file reads. */
#include "common/common.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"

/* The invariants of buf.h, checked after every step. */
static void check_invariants(const struct buf *b)
{
    assert_non_null(b->ptr);
    assert_true(b->len < b->max);
    assert_int_equal(b->ptr[b->len], '\0');
    if (b->cap == 0)
        assert_ptr_equal(b->ptr, buf_empty);
    else
        assert_true(b->len < b->cap && b->cap <= b->max);
}

static void test_init_is_empty(void **state)
{
    struct buf a = BUF_INIT(16);
    struct buf b;

    (void)state;
    buf_init(&b, 16);
    check_invariants(&a);
    check_invariants(&b);
    assert_ptr_equal(a.ptr, buf_empty);
    assert_ptr_equal(b.ptr, buf_empty);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 16);
    assert_string_equal(a.ptr, "");
    buf_release(&a); /* releasing what never grew is fine */
    buf_release(&b);
}

/* max 8 holds 7 bytes plus the NUL. */
static void test_cap_at_and_over(void **state)
{
    struct buf b = BUF_INIT(8);

    (void)state;
    assert_int_equal(buf_add(&b, "1234567", 7), CD_OK); /* exactly at cap */
    check_invariants(&b);
    assert_string_equal(b.ptr, "1234567");
    assert_int_equal(buf_add(&b, "8", 1), CD_ETOOBIG); /* one over */
    assert_int_equal(buf_addch(&b, '8'), CD_ETOOBIG);
    assert_int_equal(buf_adds(&b, "8"), CD_ETOOBIG);
    assert_int_equal(buf_add(&b, "", 0), CD_OK); /* nothing always fits */
    check_invariants(&b);
    assert_int_equal(b.len, 7);
    assert_string_equal(b.ptr, "1234567");
    buf_release(&b);

    /* The same edge in one append. */
    buf_init(&b, 8);
    assert_int_equal(buf_add(&b, "12345678", 8), CD_ETOOBIG);
    check_invariants(&b);
    assert_ptr_equal(b.ptr, buf_empty);
    assert_int_equal(buf_add(&b, "1234567", 7), CD_OK);
    buf_release(&b);
}

/* A failed append changes nothing: pointer, length, capacity, bytes. */
static void test_failure_leaves_intact(void **state)
{
    struct buf b = BUF_INIT(100);
    char big[100];
    char *ptr;
    size_t cap;

    (void)state;
    memset(big, 'x', sizeof(big));
    assert_int_equal(buf_adds(&b, "hello"), CD_OK);
    ptr = b.ptr;
    cap = b.cap;
    assert_int_equal(buf_add(&b, big, 95), CD_ETOOBIG); /* 5 + 95 = max */
    assert_ptr_equal(b.ptr, ptr);
    assert_int_equal(b.cap, cap);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.ptr, "hello");
    assert_int_equal(buf_addf(&b, "%.*s", 95, big), CD_ETOOBIG);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.ptr, "hello");
    assert_int_equal(buf_add(&b, big, 94), CD_OK); /* 99 bytes: at cap */
    assert_int_equal(b.len, 99);
    check_invariants(&b);
    buf_release(&b);
}

/* Growth past the first allocation keeps the content; the last growth is
 * clamped to max. */
static void test_growth(void **state)
{
    struct buf b = BUF_INIT(1000);

    (void)state;
    for (int i = 0; i < 999; i++) {
        assert_int_equal(buf_addch(&b, (char)('a' + i % 26)), CD_OK);
        check_invariants(&b);
    }
    assert_int_equal(b.len, 999);
    assert_int_equal(b.cap, 1000);
    for (int i = 0; i < 999; i++)
        assert_int_equal(b.ptr[i], 'a' + i % 26);
    assert_int_equal(buf_addch(&b, 'z'), CD_ETOOBIG);
    buf_release(&b);
}

static void test_addf(void **state)
{
    struct buf b = BUF_INIT(12);

    (void)state;
    assert_int_equal(buf_addf(&b, "%d-%s", 42, "ab"), CD_OK);
    assert_string_equal(b.ptr, "42-ab");
    assert_int_equal(buf_addf(&b, "%s", ""), CD_OK); /* empty output */
    assert_int_equal(b.len, 5);
    assert_int_equal(buf_addf(&b, "%06d", 7), CD_OK); /* 11: at cap */
    assert_string_equal(b.ptr, "42-ab000007");
    check_invariants(&b);
    assert_int_equal(buf_addf(&b, "%c", 'x'), CD_ETOOBIG); /* one over */
    assert_string_equal(b.ptr, "42-ab000007");
    buf_release(&b);
}

static void test_reset_keeps_memory(void **state)
{
    struct buf b = BUF_INIT(64);
    char *ptr;
    size_t cap;

    (void)state;
    assert_int_equal(buf_adds(&b, "some text"), CD_OK);
    ptr = b.ptr;
    cap = b.cap;
    buf_reset(&b);
    check_invariants(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.ptr, ptr);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.ptr, "");
    buf_reset(&b);
    buf_release(&b);
    check_invariants(&b);
    assert_ptr_equal(b.ptr, buf_empty);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 64); /* release keeps the cap for reuse */
    assert_int_equal(buf_adds(&b, "again"), CD_OK);
    buf_release(&b);
}

static void test_detach(void **state)
{
    struct buf b = BUF_INIT(64);
    size_t len = 0;
    char *p;

    (void)state;
    assert_int_equal(buf_adds(&b, "owned"), CD_OK);
    p = buf_detach(&b, &len);
    assert_string_equal(p, "owned");
    assert_int_equal(len, 5);
    check_invariants(&b);
    assert_ptr_equal(b.ptr, buf_empty);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    free(p);

    /* Detaching a buffer that never grew still gives a string to free(). */
    p = buf_detach(&b, NULL);
    assert_non_null(p);
    assert_ptr_not_equal(p, buf_empty);
    assert_string_equal(p, "");
    free(p);
    buf_release(&b);
}

static void write_file(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(fputc('a' + (int)(i % 26), f), 'a' + (int)(i % 26));
    assert_int_equal(fclose(f), 0);
}

/* max 20001 holds 20000 bytes: a file of that size (several read chunks)
 * fits exactly, one byte more does not. */
static void test_read_file_cap(void **state)
{
    char dir[] = "/tmp/candor-test-buf-XXXXXX";
    char path[64];
    struct buf b = BUF_INIT(20001);

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/f", dir);

    write_file(path, 20000);
    assert_int_equal(buf_read_file(&b, path), CD_OK);
    assert_int_equal(b.len, 20000);
    check_invariants(&b);
    for (size_t i = 0; i < b.len; i++)
        assert_int_equal(b.ptr[i], 'a' + (int)(i % 26));
    buf_release(&b);

    write_file(path, 20001);
    assert_int_equal(buf_read_file(&b, path), CD_ETOOBIG);
    check_invariants(&b);
    buf_release(&b);

    write_file(path, 0);
    assert_int_equal(buf_read_file(&b, path), CD_OK);
    assert_int_equal(b.len, 0);
    buf_release(&b);

    assert_int_equal(unlink(path), 0);
    errno = 0;
    assert_int_equal(buf_read_file(&b, path), CD_EIO);
    assert_int_equal(errno, ENOENT);
    check_invariants(&b);
    assert_int_equal(rmdir(dir), 0);
}

/* Reading appends to what the buffer already holds. */
static void test_read_file_appends(void **state)
{
    char dir[] = "/tmp/candor-test-buf-XXXXXX";
    char path[64];
    struct buf b = BUF_INIT(64);

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/f", dir);
    write_file(path, 3);
    assert_int_equal(buf_adds(&b, "x:"), CD_OK);
    assert_int_equal(buf_read_file(&b, path), CD_OK);
    assert_string_equal(b.ptr, "x:abc");
    buf_release(&b);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_is_empty),
        cmocka_unit_test(test_cap_at_and_over),
        cmocka_unit_test(test_failure_leaves_intact),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_addf),
        cmocka_unit_test(test_reset_keeps_memory),
        cmocka_unit_test(test_detach),
        cmocka_unit_test(test_read_file_cap),
        cmocka_unit_test(test_read_file_appends),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
