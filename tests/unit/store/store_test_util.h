/* store_test_util.h -- helpers shared by the store unit tests.
 *
 * Every test works in its own mkdtemp() folder, removed afterwards. The
 * database files are inspected with sqlite3 directly, through a connection
 * of the test's own, so a test sees what another process would see.
 * Helpers abort the test (cmocka fail) on any unexpected SQLite error; call
 * them only from the test's main thread.
 */
#ifndef CD_TESTS_STORE_TEST_UTIL_H
#define CD_TESTS_STORE_TEST_UTIL_H

#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#define FIXTURE_DB CANDOR_SHARED_DIR "/fixtures/offen-1.4.2-demo.sqlite"

struct tdir {
    char path[PATH_MAX];
};

static inline void tdir_make(struct tdir *d)
{
    const char *base = getenv("TMPDIR");

    snprintf(d->path, sizeof(d->path), "%s/candor-store-XXXXXX",
             base != NULL && *base != '\0' ? base : "/tmp");
    assert_non_null(mkdtemp(d->path));
}

/* d->path + "/" + name, in a static ring so a few can be live at once. */
static inline const char *tdir_file(const struct tdir *d, const char *name)
{
    static char ring[4][PATH_MAX + 64];
    static unsigned next;
    char *out = ring[next++ % 4];

    snprintf(out, sizeof(ring[0]), "%s/%s", d->path, name);
    return out;
}

static inline int tdir_rm_one(const char *path, const struct stat *sb,
                              int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void tdir_remove(struct tdir *d)
{
    assert_int_equal(nftw(d->path, tdir_rm_one, 16, FTW_DEPTH | FTW_PHYS),
                     0);
}

static inline void copy_file(const char *from, const char *to)
{
    char buf[65536];
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    size_t n;

    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    assert_int_equal(ferror(in), 0);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static inline sqlite3 *db_open(const char *path)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                     SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static inline void db_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
}

/* The first column of the first row as an integer (-1 without rows). */
static inline long long db_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return v;
}

/* All rows of a one-column query, each followed by '\n', into out. */
static inline void db_lines(sqlite3 *db, const char *sql, char *out,
                            size_t size)
{
    sqlite3_stmt *st = NULL;
    size_t len = 0;
    int rc;

    out[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        int k = snprintf(out + len, size - len, "%s\n",
                         t != NULL ? (const char *)t : "NULL");

        assert_true(k > 0 && (size_t)k < size - len);
        len += (size_t)k;
    }
    if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
}

/* FNV-1a over every column of every row of a query (NULL and '' differ),
 * to compare whole tables before and after. */
static inline unsigned long long db_digest(sqlite3 *db, const char *sql)
{
    unsigned long long h = 1469598103934665603ULL;
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            int n = sqlite3_column_bytes(st, c);
            unsigned char tag = t == NULL ? 0 : 1;

            h = (h ^ tag) * 1099511628211ULL;
            for (int i = 0; i < n; i++)
                h = (h ^ t[i]) * 1099511628211ULL;
        }
        h = (h ^ 0xffu) * 1099511628211ULL;
    }
    if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return h;
}

/* Shorthands on a path: open, query, close. */
static inline long long file_int(const char *path, const char *sql)
{
    sqlite3 *db = db_open(path);
    long long v = db_int(db, sql);

    sqlite3_close(db);
    return v;
}

static inline void file_lines(const char *path, const char *sql, char *out,
                              size_t size)
{
    sqlite3 *db = db_open(path);

    db_lines(db, sql, out, size);
    sqlite3_close(db);
}

static inline void file_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db,
                                     SQLITE_OPEN_READWRITE |
                                         SQLITE_OPEN_CREATE,
                                     NULL),
                     SQLITE_OK);
    db_exec(db, sql);
    sqlite3_close(db);
}

#endif /* CD_TESTS_STORE_TEST_UTIL_H */
