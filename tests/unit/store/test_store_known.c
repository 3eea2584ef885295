/* test_store_known.c -- the writer's set of secret ids known to exist
 * (store/known.h): membership, ids it never holds, many ids in few slots,
 * and a full set starting empty again. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "store/known.h"

static void test_membership(void **state)
{
    char longest[STORE_ID_MAX + 2];
    struct known k;

    (void)state;
    known_init(&k, 16);
    assert_false(known_has(&k, "s1")); /* empty, nothing allocated */
    assert_null(k.slot);
    known_add(&k, "s1");
    known_add(&k, "s1");
    assert_int_equal(k.n, 1);
    assert_true(known_has(&k, "s1"));
    assert_false(known_has(&k, "s"));
    assert_false(known_has(&k, "s12"));
    /* the empty id and ids past STORE_ID_MAX are never held; one at the
     * cap is */
    known_add(&k, "");
    assert_false(known_has(&k, ""));
    memset(longest, 'a', sizeof(longest));
    longest[STORE_ID_MAX + 1] = '\0';
    known_add(&k, longest);
    assert_false(known_has(&k, longest));
    longest[STORE_ID_MAX] = '\0';
    known_add(&k, longest);
    assert_true(known_has(&k, longest));
    assert_int_equal(k.n, 2);
    known_release(&k);
    assert_false(known_has(&k, "s1"));
    known_release(&k);
}

/* Three quarters of the slots hold ids, each found again; the next id
 * empties the set and is the only one. */
static void test_fill_and_start_again(void **state)
{
    char id[STORE_ID_MAX + 1];
    struct known k;

    (void)state;
    known_init(&k, 1024);
    for (int i = 0; i < 768; i++) {
        snprintf(id, sizeof(id), "%064d", i);
        known_add(&k, id);
    }
    assert_int_equal(k.n, 768);
    for (int i = 0; i < 768; i++) {
        snprintf(id, sizeof(id), "%064d", i);
        assert_true(known_has(&k, id));
    }
    snprintf(id, sizeof(id), "%064d", 768);
    assert_false(known_has(&k, id));
    known_add(&k, id);
    assert_int_equal(k.n, 1);
    assert_true(known_has(&k, id));
    snprintf(id, sizeof(id), "%064d", 0);
    assert_false(known_has(&k, id));
    known_release(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_membership),
        cmocka_unit_test(test_fill_and_start_again),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
