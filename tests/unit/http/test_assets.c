/* test_assets.c -- the embedded asset table, and the tool that builds it.
 *
 * The first half checks the generated table that the build compiled into
 * cd_http against the files in web/: order, lookup, gzip variants, ETags and
 * sizes. The second half #includes tools/embed.c (without its main) to test
 * the generator's rules directly: the 8 MiB cap at and one past the limit,
 * content types, the 5% gzip rule, path checks, deterministic output and
 * the all-or-nothing write.
 */
#include "common/common.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "common/buf.h"
#include "http/assets.h"

#define CANDOR_EMBED_NO_MAIN 1
#include "../../../tools/embed.c"

#define WEB_DIR CANDOR_SOURCE_DIR "/web"

/* ---- helpers ------------------------------------------------------------ */

static const struct asset *find_str(const char *s)
{
    return assets_find(s, strlen(s));
}

/* Inflate a gzip stream into a fresh buffer of at most max bytes. */
static unsigned char *gunzip(const unsigned char *gz, size_t gz_len,
                             size_t max, size_t *out_len)
{
    z_stream zs = {0};
    unsigned char *out = malloc(max + 1);
    int zrc;

    assert_non_null(out);
    assert_int_equal(inflateInit2(&zs, 31), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)gz;
    zs.avail_in = (uInt)gz_len;
    zs.next_out = out;
    zs.avail_out = (uInt)(max + 1);
    zrc = inflate(&zs, Z_FINISH);
    assert_int_equal(zrc, Z_STREAM_END);
    assert_int_equal(zs.avail_in, 0); /* no trailing garbage */
    *out_len = zs.total_out;
    inflateEnd(&zs);
    return out;
}

/* "\"<first 32 hex of sha256(data)>" + suffix + "\"" */
static void expected_etag(const unsigned char *data, size_t len,
                          const char *suffix, char *out, size_t size)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    char hex[65];

    assert_int_equal(EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL),
                     1);
    assert_int_equal(md_len, 32);
    for (unsigned int i = 0; i < md_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    snprintf(out, size, "\"%.32s%s\"", hex, suffix);
}

static void read_web_file(const char *name, struct buf *b)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", WEB_DIR, name);
    buf_init(b, EMBED_MAX_FILE + 1);
    assert_int_equal(buf_read_file(b, path), CD_OK);
}

/* ---- the generated table ------------------------------------------------ */

static void test_table_sorted(void **state)
{
    (void)state;
    assert_true(assets_count >= 3);
    for (size_t i = 0; i < assets_count; i++) {
        assert_non_null(assets_table[i].path);
        assert_int_equal(assets_table[i].path[0], '/');
        if (i > 0)
            assert_true(strcmp(assets_table[i - 1].path,
                               assets_table[i].path) < 0);
    }
}

static void test_find_hits(void **state)
{
    const struct asset *a;

    (void)state;
    a = find_str("/index.html");
    assert_non_null(a);
    assert_string_equal(a->path, "/index.html");
    assert_string_equal(a->content_type, "text/html; charset=utf-8");
    a = find_str("/robots.txt");
    assert_non_null(a);
    assert_string_equal(a->content_type, "text/plain; charset=utf-8");
    a = find_str("/favicon.svg");
    assert_non_null(a);
    assert_string_equal(a->content_type, "image/svg+xml");
    /* The key is counted, not NUL-terminated. */
    a = assets_find("/robots.txtGARBAGE", strlen("/robots.txt"));
    assert_non_null(a);
    assert_string_equal(a->path, "/robots.txt");
    /* Every entry is found by its own path (first, middle, last). */
    for (size_t i = 0; i < assets_count; i++)
        assert_ptr_equal(find_str(assets_table[i].path), &assets_table[i]);
}

static void test_find_misses(void **state)
{
    static const char *const misses[] = {
        "/nope", "", "/", "/index.htm", "/index.html/", "/index",
        "/index.html.", "index.html", "/INDEX.HTML", "//index.html",
        "/./index.html", "/robots.txt?x", "\xff", " ", "/a", "/zzzz",
    };

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(misses); i++)
        assert_null(find_str(misses[i]));
    assert_null(assets_find(NULL, 0));
    assert_null(assets_find("/index.html", 0));
    assert_null(assets_find("/index.html", 10)); /* a prefix */
    assert_null(assets_find("/index.html\0", 12)); /* embedded NUL */
}

static void test_gzip_variants(void **state)
{
    (void)state;
    for (size_t i = 0; i < assets_count; i++) {
        const struct asset *a = &assets_table[i];
        unsigned char *plain;
        size_t n = 0;

        if (a->gz == NULL) {
            assert_int_equal(a->gz_len, 0);
            continue;
        }
        assert_true(a->gz_len * 20 <= a->len * 19); /* saves >= 5% */
        assert_true(a->gz_len >= 10);
        assert_int_equal(a->gz[0], 0x1f);
        assert_int_equal(a->gz[1], 0x8b);
        assert_int_equal(a->gz[4] | a->gz[5] | a->gz[6] | a->gz[7], 0);
        plain = gunzip(a->gz, a->gz_len, a->len, &n);
        assert_int_equal(n, a->len);
        assert_memory_equal(plain, a->data, a->len);
        free(plain);
    }
    /* HTML compresses well; 26 bytes of robots.txt cannot pay for a header. */
    assert_non_null(find_str("/index.html")->gz);
    assert_null(find_str("/robots.txt")->gz);
}

static void test_etags(void **state)
{
    char want[80];

    (void)state;
    for (size_t i = 0; i < assets_count; i++) {
        const struct asset *a = &assets_table[i];

        expected_etag(a->data, a->len, "", want, sizeof(want));
        assert_string_equal(a->etag, want);
        assert_int_equal(strlen(a->etag), 34);
        assert_non_null(a->etag_gz);
        expected_etag(a->data, a->len, "-gz", want, sizeof(want));
        assert_string_equal(a->etag_gz, want);
        assert_string_not_equal(a->etag, a->etag_gz);
    }
}

static void test_sizes_match_disk(void **state)
{
    static const char *const names[] = {"index.html", "robots.txt",
                                        "favicon.svg"};
    char url[64];

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(names); i++) {
        struct buf b;
        const struct asset *a;

        read_web_file(names[i], &b);
        snprintf(url, sizeof(url), "/%s", names[i]);
        a = find_str(url);
        assert_non_null(a);
        assert_int_equal(a->len, b.len);
        assert_memory_equal(a->data, b.ptr, b.len);
        buf_release(&b);
    }
    assert_int_equal(find_str("/robots.txt")->len, 26);
    assert_memory_equal(find_str("/robots.txt")->data,
                        "User-agent: *\nDisallow: /\n", 26);
    /* The benchmark's "3 KB embedded page" must stay about 3 KB. */
    assert_in_range(find_str("/index.html")->len, 2800, 3300);
}

/* ---- the generator (tools/embed.c) ------------------------------------- */

struct tmpdir {
    char path[256];
};

static void tmpdir_make(struct tmpdir *t)
{
    const char *base = getenv("TMPDIR");

    snprintf(t->path, sizeof(t->path), "%s/candor-embed-XXXXXX",
             base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(t->path));
}

static void tmpdir_put(const struct tmpdir *t, const char *name,
                       const void *data, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", t->path, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Number of entries in t (besides . and ..). */
static int tmpdir_count(const struct tmpdir *t)
{
    DIR *d = opendir(t->path);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    for (e = readdir(d); e != NULL; e = readdir(d))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void tmpdir_remove(struct tmpdir *t)
{
    DIR *d = opendir(t->path);
    struct dirent *e;
    char path[512];

    assert_non_null(d);
    for (e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", t->path, e->d_name);
        assert_int_equal(unlink(path), 0);
    }
    closedir(d);
    assert_int_equal(rmdir(t->path), 0);
}

static void test_embed_cap(void **state)
{
    struct tmpdir t;
    unsigned char *big = calloc(EMBED_MAX_FILE + 1, 1);
    unsigned char *data = NULL;
    size_t len = 0;

    (void)state;
    assert_non_null(big);
    tmpdir_make(&t);
    tmpdir_put(&t, "at", big, EMBED_MAX_FILE);
    tmpdir_put(&t, "over", big, EMBED_MAX_FILE + 1);
    tmpdir_put(&t, "empty", big, 0);
    assert_int_equal(embed_read(t.path, "at", &data, &len), CD_OK);
    assert_int_equal(len, EMBED_MAX_FILE);
    free(data);
    data = NULL;
    assert_int_equal(embed_read(t.path, "over", &data, &len), CD_ETOOBIG);
    assert_null(data);
    assert_int_equal(embed_read(t.path, "empty", &data, &len), CD_OK);
    assert_int_equal(len, 0);
    free(data);
    data = NULL;
    assert_int_equal(embed_read(t.path, "missing", &data, &len), CD_EIO);
    tmpdir_remove(&t);
    free(big);
}

static void test_embed_types(void **state)
{
    static const struct {
        const char *rel, *type;
        bool compress;
    } cases[] = {
        {"index.html", "text/html; charset=utf-8", true},
        {"a/b.css", "text/css; charset=utf-8", true},
        {"s.js", "text/javascript; charset=utf-8", true},
        {"m.mjs", "text/javascript; charset=utf-8", true},
        {"x.json", "application/json", true},
        {"x.js.map", "application/json", true},
        {"i.svg", "image/svg+xml", true},
        {"r.txt", "text/plain; charset=utf-8", true},
        {"site.webmanifest", "application/manifest+json", true},
        {"f.ico", "image/x-icon", true},
        {"p.PNG", "image/png", false},
        {"p.jpg", "image/jpeg", false},
        {"p.jpeg", "image/jpeg", false},
        {"f.woff", "font/woff", false},
        {"f.woff2", "font/woff2", false},
        {"d.tar.gz", "application/gzip", false},
        {"LICENSE", "application/octet-stream", true},
        {".hidden", "application/octet-stream", true},
        {"v1.2/README", "application/octet-stream", true},
        {"x.wasm", "application/octet-stream", true},
        {"x.", "application/octet-stream", true},
    };

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(cases); i++) {
        const struct embed_type *ty = embed_type_of(cases[i].rel);

        assert_string_equal(ty->content_type, cases[i].type);
        assert_int_equal(ty->compress, cases[i].compress);
    }
}

static void test_embed_gzip_rule(void **state)
{
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    static const unsigned char text[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    (void)state;
    assert_true(embed_gzip_worth(20, 19));   /* exactly 5% smaller */
    assert_false(embed_gzip_worth(20, 20));  /* one byte short of 5% */
    assert_true(embed_gzip_worth(100, 95));
    assert_false(embed_gzip_worth(100, 96));
    assert_false(embed_gzip_worth(100, 200));
    assert_int_equal(embed_gzip(text, sizeof(text) - 1, &gz, &gz_len), CD_OK);
    assert_int_equal(gz[4] | gz[5] | gz[6] | gz[7], 0); /* mtime 0 */
    assert_int_equal(gz[9], 255);                      /* OS unknown */
    free(gz);
}

static void test_embed_paths(void **state)
{
    static const char *const good[] = {"a", "index.html", "a/b/c.js",
                                       ".well-known/x", "a..b", "..a"};
    static const char *const bad[] = {"", "/abs", "a/", "a//b", ".", "..",
                                      "./a", "../a", "a/./b", "a/../b",
                                      "a/..", "a\\b"};

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(good); i++)
        assert_true(embed_path_ok(good[i]));
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++)
        assert_false(embed_path_ok(bad[i]));
}

/* Run embed_main over t with the given relative paths. */
static int run_embed(const struct tmpdir *t, const char *out, int n,
                     const char *const *rel)
{
    char *argv[16];

    assert_true(n + 3 <= (int)CD_ARRAY_SIZE(argv));
    argv[0] = "candor-embed";
    argv[1] = (char *)(uintptr_t)t->path;
    argv[2] = (char *)(uintptr_t)out;
    for (int i = 0; i < n; i++)
        argv[i + 3] = (char *)(uintptr_t)rel[i];
    return embed_main(n + 3, argv);
}

static void test_embed_output(void **state)
{
    static const char *const fwd[] = {"b.txt", "a b\".css", "e.bin"};
    static const char *const rev[] = {"e.bin", "a b\".css", "b.txt"};
    static const char *const dup[] = {"b.txt", "b.txt"};
    static const char *const missing[] = {"b.txt", "nope.txt"};
    char *usage[] = {"candor-embed", "web", NULL};
    struct tmpdir t, o;
    char out[512], sub[512];
    struct buf one, two;

    (void)state;
    tmpdir_make(&t);
    tmpdir_make(&o);
    tmpdir_put(&t, "b.txt", "hello hello hello hello hello\n", 30);
    tmpdir_put(&t, "a b\".css", "p{}", 3);
    tmpdir_put(&t, "e.bin", "", 0);
    snprintf(out, sizeof(out), "%s/assets.c", o.path);

    buf_init(&one, 1 << 20);
    buf_init(&two, 1 << 20);
    assert_int_equal(run_embed(&t, out, 3, fwd), CD_OK);
    assert_int_equal(buf_read_file(&one, out), CD_OK);
    assert_int_equal(run_embed(&t, out, 3, rev), CD_OK);
    assert_int_equal(buf_read_file(&two, out), CD_OK);
    assert_int_equal(one.len, two.len); /* order of arguments is irrelevant */
    assert_memory_equal(one.ptr, two.ptr, one.len);
    /* Sorted, escaped, hex literals, empty file handled. */
    assert_non_null(strstr(one.ptr, ".path = \"/a b\\042.css\""));
    assert_true(strstr(one.ptr, "\"/a b") < strstr(one.ptr, "\"/b.txt\""));
    assert_true(strstr(one.ptr, "\"/b.txt\"") < strstr(one.ptr, "\"/e.bin"));
    assert_non_null(strstr(one.ptr, " 0x68, 0x65, 0x6c, 0x6c, 0x6f,"));
    assert_non_null(strstr(one.ptr, "const size_t assets_count = 3;"));
    assert_null(strstr(one.ptr, t.path)); /* no absolute paths */

    /* Failures leave the previous output as it was and no temp file. */
    assert_int_equal(run_embed(&t, out, 2, dup), CD_EINVAL);
    assert_int_equal(run_embed(&t, out, 2, missing), CD_EIO);
    assert_int_equal(embed_main(2, usage), CD_EINVAL);
    buf_reset(&two);
    assert_int_equal(buf_read_file(&two, out), CD_OK);
    assert_memory_equal(one.ptr, two.ptr, one.len);
    assert_int_equal(tmpdir_count(&o), 1);
    /* A failure after the temporary file exists (rename onto a directory)
     * removes the temporary file too. */
    snprintf(sub, sizeof(sub), "%s/dir", o.path);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(run_embed(&t, sub, 3, fwd), CD_EIO);
    assert_int_equal(tmpdir_count(&o), 2);
    assert_int_equal(rmdir(sub), 0);

    buf_release(&one);
    buf_release(&two);
    tmpdir_remove(&t);
    tmpdir_remove(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted),
        cmocka_unit_test(test_find_hits),
        cmocka_unit_test(test_find_misses),
        cmocka_unit_test(test_gzip_variants),
        cmocka_unit_test(test_etags),
        cmocka_unit_test(test_sizes_match_disk),
        cmocka_unit_test(test_embed_cap),
        cmocka_unit_test(test_embed_types),
        cmocka_unit_test(test_embed_gzip_rule),
        cmocka_unit_test(test_embed_paths),
        cmocka_unit_test(test_embed_output),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
