/* embed.c -- candor-embed: compile the files of web/ into a C source file.
 *
 *     candor-embed <web-dir> <out.c> <relative paths...>
 *
 * For each relative path (as CMake lists it, e.g. "index.html") it reads
 * <web-dir>/<path> (at most EMBED_MAX_FILE bytes). An argument of the form
 * "<path>=<source file>" embeds a file from outside web/ under "/" + path
 * (the build uses it for the generated NOTICE.txt); the split is at the
 * first '=', so names in web/ must not contain one. It derives the URL path
 * "/" + path and a content type from the extension, compresses a gzip -9
 * variant with zlib (kept only when it saves at least 5%), hashes the bytes
 * with SHA-256 for the strong ETags, and writes <out.c>: one hex byte array
 * per blob and assets_table[] (src/http/assets.h) sorted by path.
 *
 * The output is a pure function of the inputs and the zlib version: no
 * timestamps, no absolute paths, the gzip header's mtime is 0 and its OS
 * byte is "unknown", and the argument order does not matter. It is written
 * to a temporary file beside <out.c> and renamed into place, so an
 * interrupted build never leaves half a file behind.
 *
 * Errors: every function reports its failure on stderr and returns a
 * negative CD_E* code; only main() turns that into an exit status. The
 * tests #include this file with CANDOR_EMBED_NO_MAIN defined and drive
 * embed_main() directly.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "../src/common/err.h"
#include "../src/common/banned.h"

#define EMBED_MAX_FILE ((size_t)8 * 1024 * 1024) /* per input file */
#define EMBED_HEX_LEN 32 /* hex digits of sha256 in an ETag */

struct embed_file {
    char *rel;                /* relative path as given; heap */
    const char *content_type; /* static string from embed_types[] */
    unsigned char *data;      /* file bytes; heap (NULL when empty) */
    size_t len;
    unsigned char *gz; /* gzip variant; heap, NULL when not worth it */
    size_t gz_len;
    char hex[EMBED_HEX_LEN + 1]; /* first 32 hex digits of sha256(data) */
};

struct embed_type {
    const char *ext;          /* lower-case extension without the dot */
    const char *content_type; /* value of the Content-Type header */
    bool compress;            /* false: already compressed, never gzip */
};

static const struct embed_type embed_types[] = {
    {"html", "text/html; charset=utf-8", true},
    {"htm", "text/html; charset=utf-8", true},
    {"css", "text/css; charset=utf-8", true},
    {"js", "text/javascript; charset=utf-8", true},
    {"mjs", "text/javascript; charset=utf-8", true},
    {"json", "application/json", true},
    {"map", "application/json", true},
    {"webmanifest", "application/manifest+json", true},
    {"svg", "image/svg+xml", true},
    {"txt", "text/plain; charset=utf-8", true},
    {"ico", "image/x-icon", true},
    {"png", "image/png", false},
    {"jpg", "image/jpeg", false},
    {"jpeg", "image/jpeg", false},
    {"woff", "font/woff", false},
    {"woff2", "font/woff2", false},
    {"gz", "application/gzip", false},
};

static const struct embed_type embed_type_default = {
    NULL, "application/octet-stream", true};

static void *embed_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL) {
        fprintf(stderr, "candor-embed: out of memory (%zu bytes)\n", n);
        abort();
    }
    return q;
}

/* ASCII case-insensitive string equality. */
static bool embed_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;

        if (x != y)
            return false;
    }
    return *a == *b;
}

/* The type of a relative path, from the extension of its last component. */
static const struct embed_type *embed_type_of(const char *rel)
{
    const char *base = strrchr(rel, '/');
    const char *dot;

    base = base ? base + 1 : rel;
    dot = strrchr(base, '.');
    if (dot == NULL || dot == base)
        return &embed_type_default; /* "README", ".htaccess" */
    for (size_t i = 0; i < sizeof(embed_types) / sizeof(embed_types[0]); i++) {
        if (embed_ieq(dot + 1, embed_types[i].ext))
            return &embed_types[i];
    }
    return &embed_type_default;
}

/* A relative path is a sequence of non-empty components separated by single
 * slashes, none of them "." or "..": it must stay inside the web directory
 * and map to exactly one URL path. */
static bool embed_path_ok(const char *rel)
{
    const char *p = rel;

    if (*p == '\0')
        return false;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);

        if (n == 0 || (n == 1 && p[0] == '.') ||
            (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        if (end == NULL)
            break;
        p = end + 1;
        if (*p == '\0')
            return false; /* trailing slash */
    }
    return strchr(rel, '\\') == NULL;
}

/* Read <dir>/<rel> into *out (heap) and *len; at most EMBED_MAX_FILE bytes.
 * Returns CD_OK, CD_EIO or CD_ETOOBIG. */
static int embed_read(const char *dir, const char *rel, unsigned char **out,
                      size_t *len)
{
    size_t plen = strlen(dir) + 1 + strlen(rel) + 1;
    char *path = embed_realloc(NULL, plen);
    unsigned char *data = NULL;
    size_t n = 0, cap = 0;
    FILE *f;
    int rc = CD_EIO;

    snprintf(path, plen, "%s/%s", dir, rel);
    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "candor-embed: %s: %s\n", path, strerror(errno));
        goto out;
    }
    for (;;) {
        size_t got;

        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > EMBED_MAX_FILE + 1)
                cap = EMBED_MAX_FILE + 1; /* room to notice one byte over */
            data = embed_realloc(data, cap);
        }
        got = fread(data + n, 1, cap - n, f);
        n += got;
        if (n > EMBED_MAX_FILE) {
            fprintf(stderr, "candor-embed: %s: larger than the %zu-byte "
                    "limit for an embedded file\n", path, EMBED_MAX_FILE);
            rc = CD_ETOOBIG;
            goto out;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "candor-embed: %s: read error\n", path);
        goto out;
    }
    *out = data;
    *len = n;
    data = NULL;
    rc = CD_OK;
out:
    if (f)
        fclose(f);
    free(data);
    free(path);
    return rc;
}

/* Keep a gzip variant only when it is smaller by at least 5%. */
static bool embed_gzip_worth(size_t len, size_t gz_len)
{
    return gz_len * 20 <= len * 19;
}

/* gzip -9 of data[0..len) into *out (heap), with mtime 0 and OS "unknown"
 * in the header so that the bytes do not depend on when or where the build
 * ran. Returns CD_OK or CD_EIO. */
static int embed_gzip(const unsigned char *data, size_t len,
                      unsigned char **out, size_t *out_len)
{
    z_stream zs = {0};
    gz_header head = {0};
    unsigned char *buf = NULL;
    uLong bound;
    int rc = CD_EIO;
    int zrc;

    zrc = deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK) {
        fprintf(stderr, "candor-embed: deflateInit2: %d\n", zrc);
        return CD_EIO;
    }
    head.time = 0;
    head.os = 255;
    zrc = deflateSetHeader(&zs, &head);
    if (zrc != Z_OK)
        goto out;
    bound = deflateBound(&zs, (uLong)len);
    buf = embed_realloc(NULL, bound);
    zs.next_in = (Bytef *)(uintptr_t)data; /* zlib does not write it */
    zs.avail_in = (uInt)len;
    zs.next_out = buf;
    zs.avail_out = (uInt)bound;
    zrc = deflate(&zs, Z_FINISH);
    if (zrc != Z_STREAM_END)
        goto out;
    *out = buf;
    *out_len = (size_t)zs.total_out;
    buf = NULL;
    rc = CD_OK;
out:
    if (rc != CD_OK)
        fprintf(stderr, "candor-embed: deflate failed: %d\n", zrc);
    deflateEnd(&zs);
    free(buf);
    return rc;
}

/* hex = the first EMBED_HEX_LEN hex digits of sha256(data). */
static int embed_sha256_hex(const unsigned char *data, size_t len,
                            char hex[EMBED_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) != 1 ||
        md_len * 2 < EMBED_HEX_LEN) {
        fprintf(stderr, "candor-embed: SHA-256 failed\n");
        return CD_EIO;
    }
    for (size_t i = 0; i < EMBED_HEX_LEN / 2; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[EMBED_HEX_LEN] = '\0';
    return CD_OK;
}

static void embed_file_release(struct embed_file *f)
{
    free(f->rel);
    free(f->data);
    free(f->gz);
    memset(f, 0, sizeof(*f));
}

/* Read the source of an "<path>=<source file>" argument: the file is
 * split into its folder ("." when none) and name for embed_read(). */
static int embed_read_source(const char *src, unsigned char **out,
                             size_t *len)
{
    const char *slash = strrchr(src, '/');
    size_t dlen = slash ? (size_t)(slash - src) : 1;
    char *dir = embed_realloc(NULL, dlen + 1);
    int rc;

    memcpy(dir, slash ? src : ".", dlen);
    dir[dlen] = '\0';
    rc = embed_read(dir, slash ? slash + 1 : src, out, len);
    free(dir);
    return rc;
}

/* Fill *f from <dir>/<arg>, or from the source file of "<path>=<source>":
 * bytes, type, gzip variant, hash. */
static int embed_load(struct embed_file *f, const char *dir, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct embed_type *type;
    int rc;

    f->rel = embed_realloc(NULL, n + 1);
    memcpy(f->rel, arg, n);
    f->rel[n] = '\0';
    if (!embed_path_ok(f->rel) || (eq && eq[1] == '\0')) {
        fprintf(stderr, "candor-embed: '%s': not a clean relative path\n",
                arg);
        return CD_EINVAL;
    }
    type = embed_type_of(f->rel);
    f->content_type = type->content_type;
    if (eq)
        rc = embed_read_source(eq + 1, &f->data, &f->len);
    else
        rc = embed_read(dir, f->rel, &f->data, &f->len);
    if (rc < 0)
        return rc;
    rc = embed_sha256_hex(f->data ? f->data : (const unsigned char *)"",
                          f->len, f->hex);
    if (rc < 0 || !type->compress || f->len == 0)
        return rc;
    rc = embed_gzip(f->data, f->len, &f->gz, &f->gz_len);
    if (rc < 0)
        return rc;
    if (!embed_gzip_worth(f->len, f->gz_len)) {
        free(f->gz);
        f->gz = NULL;
        f->gz_len = 0;
    }
    return CD_OK;
}

static int embed_cmp(const void *a, const void *b)
{
    const struct embed_file *x = a;
    const struct embed_file *y = b;

    return strcmp(x->rel, y->rel); /* same order as "/" + rel */
}

/* Write s as the body of a C string literal. Anything but letters, digits
 * and "/._-~ " becomes a three-digit octal escape, so the result is also
 * safe inside a comment and free of trigraphs. */
static void embed_put_cstr(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("/._-~ ", *p) != NULL)
            fputc(*p, out);
        else
            fprintf(out, "\\%03o", *p);
    }
}

/* static const unsigned char <name>[] = { 0x.., ... }; 16 bytes a line. */
static void embed_put_bytes(FILE *out, size_t idx, const char *kind,
                            const unsigned char *data, size_t len)
{
    fprintf(out, "static const unsigned char asset_%zu_%s[%zu] = {", idx,
            kind, len ? len : 1);
    if (len == 0)
        fputs("0x00", out); /* C has no empty arrays; len stays 0 */
    for (size_t i = 0; i < len; i++) {
        if (i % 16 == 0)
            fputs("\n   ", out);
        fprintf(out, " 0x%02x,", data[i]);
    }
    fputs("\n};\n\n", out);
}

static void embed_put_entry(FILE *out, size_t idx, const struct embed_file *f)
{
    fputs("    {\n        .path = \"/", out);
    embed_put_cstr(out, f->rel);
    fprintf(out, "\",\n        .content_type = \"%s\",\n", f->content_type);
    fprintf(out, "        .data = asset_%zu_data,\n", idx);
    fprintf(out, "        .len = %zu,\n", f->len);
    if (f->gz)
        fprintf(out, "        .gz = asset_%zu_gz,\n        .gz_len = %zu,\n",
                idx, f->gz_len);
    else
        fputs("        .gz = NULL,\n        .gz_len = 0,\n", out);
    fprintf(out, "        .etag = \"\\\"%s\\\"\",\n", f->hex);
    fprintf(out, "        .etag_gz = \"\\\"%s-gz\\\"\",\n    },\n", f->hex);
}

/* The whole generated file, files[] already sorted. */
static void embed_put_all(FILE *out, const struct embed_file *files, size_t n)
{
    fputs("/* assets.c -- generated by candor-embed from web/; do not edit.\n"
          " * See src/http/assets.h and docs/internals/assets.md. */\n"
          "#include \"common/common.h\"\n"
          "#include \"http/assets.h\"\n\n", out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "/* [%zu] /", i);
        embed_put_cstr(out, files[i].rel);
        fprintf(out, " (%s) */\n", files[i].content_type);
        embed_put_bytes(out, i, "data", files[i].data, files[i].len);
        if (files[i].gz)
            embed_put_bytes(out, i, "gz", files[i].gz, files[i].gz_len);
    }
    /* An empty table still needs one element to be valid C. */
    fprintf(out, "const struct asset assets_table[%zu] = {\n", n ? n : 1);
    for (size_t i = 0; i < n; i++)
        embed_put_entry(out, i, &files[i]);
    fprintf(out, "};\n\nconst size_t assets_count = %zu;\n", n);
}

/* Write the output to a temporary file beside out_path, then rename it
 * over out_path. On failure out_path is untouched and no temporary file
 * remains. */
static int embed_write(const char *out_path, const struct embed_file *files,
                       size_t n)
{
    size_t tlen = strlen(out_path) + sizeof(".XXXXXX");
    char *tmp = embed_realloc(NULL, tlen);
    FILE *out = NULL;
    int fd;
    int rc = CD_EIO;

    snprintf(tmp, tlen, "%s.XXXXXX", out_path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "candor-embed: %s: %s\n", tmp, strerror(errno));
        free(tmp);
        return CD_EIO;
    }
    if (fchmod(fd, 0644) == 0)
        out = fdopen(fd, "w");
    if (out == NULL) {
        fprintf(stderr, "candor-embed: %s: %s\n", tmp, strerror(errno));
        close(fd);
        goto out;
    }
    embed_put_all(out, files, n);
    if (fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "candor-embed: %s: %s\n", tmp, strerror(errno));
        goto out;
    }
    rc = fclose(out) == 0 ? CD_OK : CD_EIO;
    out = NULL;
    if (rc == CD_OK && rename(tmp, out_path) != 0)
        rc = CD_EIO;
    if (rc != CD_OK)
        fprintf(stderr, "candor-embed: %s: %s\n", out_path, strerror(errno));
out:
    if (out)
        fclose(out);
    if (rc != CD_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* Load every file, check that no two share a path, sort, write. */
static int embed_main(int argc, char **argv)
{
    size_t n = argc > 3 ? (size_t)argc - 3 : 0;
    struct embed_file *files;
    int rc = CD_EINVAL;

    if (argc < 3) {
        fprintf(stderr, "usage: candor-embed <web-dir> <out.c> "
                "<relative paths...>\n");
        return CD_EINVAL;
    }
    files = embed_realloc(NULL, (n ? n : 1) * sizeof(*files));
    memset(files, 0, (n ? n : 1) * sizeof(*files));
    for (size_t i = 0; i < n; i++) {
        rc = embed_load(&files[i], argv[1], argv[i + 3]);
        if (rc < 0)
            goto out;
    }
    if (n > 1)
        qsort(files, n, sizeof(*files), embed_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(files[i - 1].rel, files[i].rel) == 0) {
            fprintf(stderr, "candor-embed: '%s' given twice\n", files[i].rel);
            rc = CD_EINVAL;
            goto out;
        }
    }
    rc = embed_write(argv[2], files, n);
out:
    for (size_t i = 0; i < n; i++)
        embed_file_release(&files[i]);
    free(files);
    return rc;
}

#ifndef CANDOR_EMBED_NO_MAIN
int main(int argc, char **argv)
{
    return embed_main(argc, argv) == CD_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}
#endif
