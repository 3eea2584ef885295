/* test_connlimit.c -- per-address connection counting, at and past the cap. */
#include "common/common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <cmocka.h>

#include "http/internal.h"

static struct sockaddr_in v4(const char *ip)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static struct sockaddr_in6 v6(const char *ip)
{
    struct sockaddr_in6 a;

    memset(&a, 0, sizeof(a));
    a.sin6_family = AF_INET6;
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return a;
}

static void test_cap(void **state)
{
    struct connlimit *c = connlimit_new(3);
    struct sockaddr_in a = v4("192.0.2.1"), b = v4("192.0.2.2");
    uint64_t k[5];

    (void)state;
    for (int i = 0; i < 3; i++) /* exactly at the cap */
        assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&a, &k[i]), 0);
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&a, &k[3]), -1);
    assert_int_equal(connlimit_count(c, k[0]), 3);
    /* another address is not affected */
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&b, &k[4]), 0);
    /* releasing one admits one more */
    connlimit_release(c, k[0]);
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&a, &k[3]), 0);
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&a, &k[3]), -1);
    connlimit_free(c);
}

static void test_ipv6_by_prefix(void **state)
{
    struct connlimit *c = connlimit_new(2);
    struct sockaddr_in6 a = v6("2001:db8:1:2::1"), b = v6("2001:db8:1:2::ffff");
    struct sockaddr_in6 other = v6("2001:db8:1:3::1");
    struct sockaddr_in6 mapped = v6("::ffff:192.0.2.9");
    struct sockaddr_in plain = v4("192.0.2.9");
    uint64_t k;

    (void)state;
    /* one /64 is one client */
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&a, &k), 0);
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&b, &k), 0);
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&a, &k), -1);
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&other, &k), 0);
    /* an IPv4-mapped address counts as the IPv4 address */
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&mapped, &k), 0);
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&plain, &k), 0);
    assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&plain, &k), -1);
    connlimit_free(c);
}

static void test_many_addresses_reuse_slots(void **state)
{
    struct connlimit *c = connlimit_new(1);
    uint64_t k;

    (void)state;
    /* Far more distinct addresses over time than the table's first size:
     * released entries are dropped when the table is rebuilt. */
    for (unsigned i = 0; i < 100000; i++) {
        struct sockaddr_in a = v4("10.0.0.0");

        a.sin_addr.s_addr = htonl(0x0a000000u + i);
        assert_int_equal(connlimit_acquire(c, (struct sockaddr *)&a, &k), 0);
        connlimit_release(c, k);
        assert_int_equal(connlimit_count(c, k), 0);
    }
    connlimit_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_ipv6_by_prefix),
        cmocka_unit_test(test_many_addresses_reuse_slots),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
