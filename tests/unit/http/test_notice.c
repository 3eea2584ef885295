/* SPDX-FileCopyrightText: Candor contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * test_notice.c -- /NOTICE.txt in the embedded asset table, and the
 * "<path>=<source file>" form of tools/embed.c that puts it there.
 *
 * The build writes NOTICE.txt with tools/notice.sh and embeds it from the
 * build folder; tests/api/notice.test.mjs checks its content against the
 * libraries the binary really links. Here: it is in the table as plain
 * text, and the generator's source form accepts what it should and rejects
 * the rest.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "http/assets.h"

#define CANDOR_EMBED_NO_MAIN 1
#include "../../../tools/embed.c"

static void test_notice_embedded(void **state)
{
    const char *want = "Candor\nCopyright Candor contributors\n";
    const struct asset *a = assets_find("/NOTICE.txt", 11);

    (void)state;
    assert_non_null(a);
    assert_string_equal(a->content_type, "text/plain; charset=utf-8");
    assert_true(a->len > strlen(want));
    assert_memory_equal(a->data, want, strlen(want));
    assert_non_null(a->gz); /* licence texts compress well */
}

/* Write the string data to dir/name. */
static void put(const char *dir, const char *name, const char *data)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
    assert_int_equal(fclose(f), 0);
}

static int run(const char *web, const char *out, const char *arg1,
               const char *arg2)
{
    char *argv[] = {"candor-embed", (char *)(uintptr_t)web,
                    (char *)(uintptr_t)out, (char *)(uintptr_t)arg1,
                    (char *)(uintptr_t)arg2, NULL};

    return embed_main(arg2 ? 5 : 4, argv);
}

static void test_embed_source_form(void **state)
{
    char web[] = "/tmp/candor-notice-web.XXXXXX";
    char ext[] = "/tmp/candor-notice-ext.XXXXXX";
    char out[600], src[600], arg[700], rm[1300];
    struct buf b;

    (void)state;
    assert_non_null(mkdtemp(web));
    assert_non_null(mkdtemp(ext));
    put(web, "index.html", "<p>hi</p>");
    put(ext, "N.txt", "licence words\n");
    snprintf(out, sizeof(out), "%s/assets.c", ext);
    snprintf(src, sizeof(src), "%s/N.txt", ext);

    /* An outside file under a URL path of its own, beside web/ files. */
    snprintf(arg, sizeof(arg), "NOTICE.txt=%s", src);
    assert_int_equal(run(web, out, "index.html", arg), CD_OK);
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_read_file(&b, out), CD_OK);
    assert_non_null(strstr(b.ptr, ".path = \"/NOTICE.txt\""));
    assert_non_null(strstr(b.ptr, ".content_type = \"text/plain; "));
    assert_non_null(strstr(b.ptr, "const size_t assets_count = 2;"));
    assert_null(strstr(b.ptr, ext)); /* the source path is not embedded */
    buf_release(&b);

    /* A source without a folder is read from the current directory. */
    assert_int_equal(run(web, out, "x.txt=candor-no-such-file", NULL),
                     CD_EIO);
    /* Missing source, empty source, unclean URL paths. */
    snprintf(arg, sizeof(arg), "NOTICE.txt=%s/missing", ext);
    assert_int_equal(run(web, out, arg, NULL), CD_EIO);
    assert_int_equal(run(web, out, "NOTICE.txt=", NULL), CD_EINVAL);
    snprintf(arg, sizeof(arg), "=%s", src);
    assert_int_equal(run(web, out, arg, NULL), CD_EINVAL);
    snprintf(arg, sizeof(arg), "../N.txt=%s", src);
    assert_int_equal(run(web, out, arg, NULL), CD_EINVAL);
    /* The same URL path twice, once from web/ and once from outside. */
    snprintf(arg, sizeof(arg), "index.html=%s", src);
    assert_int_equal(run(web, out, "index.html", arg), CD_EINVAL);

    snprintf(rm, sizeof(rm), "rm -rf '%s' '%s'", web, ext);
    assert_int_equal(system(rm), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notice_embedded),
        cmocka_unit_test(test_embed_source_form),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
