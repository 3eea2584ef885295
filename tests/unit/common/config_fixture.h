/* config_fixture.h -- shared set-up for test_config.c and test_config_env.c.
 *
 * Each test runs in a fresh temporary folder that is also $HOME, with every
 * CANDOR_* / OFFEN_* variable (and the Heroku ones) removed, so nothing of
 * the developer's own configuration leaks in. Helpers write files, set
 * variables and capture what the log writes to stderr.
 */
#ifndef CD_TESTS_CONFIG_FIXTURE_H
#define CD_TESTS_CONFIG_FIXTURE_H

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

struct fixture {
    char dir[64];        /* the temporary folder, also $HOME and cwd */
    char cwd[PATH_MAX];  /* where the test runner started */
    int saved_stderr;    /* during capture_begin() .. capture_end() */
};

static struct fixture fx;

/* Remove every variable that config_load() could see. */
static inline void clear_config_env(void)
{
    static const char *const others[] = {
        "DATABASE_URL", "PORT", "APP_SECRET", "XDG_CONFIG_HOME",
        "XDG_DATA_HOME", "CD_TEST_DIR",
    };
    char name[256];
    int again = 1;

    while (again) { /* unsetenv() changes environ: rescan after each */
        again = 0;
        for (char **e = environ; *e; e++) {
            const char *eq = strchr(*e, '=');

            if (eq == NULL || (size_t)(eq - *e) >= sizeof(name))
                continue;
            if (strncmp(*e, "CANDOR_", 7) != 0 &&
                strncmp(*e, "OFFEN_", 6) != 0)
                continue;
            memcpy(name, *e, (size_t)(eq - *e));
            name[eq - *e] = '\0';
            unsetenv(name);
            again = 1;
            break;
        }
    }
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        unsetenv(others[i]);
}

static inline int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline int fixture_setup(void **state)
{
    (void)state;
    snprintf(fx.dir, sizeof(fx.dir), "/tmp/candor-test-config-XXXXXX");
    if (mkdtemp(fx.dir) == NULL || getcwd(fx.cwd, sizeof(fx.cwd)) == NULL ||
        chdir(fx.dir) != 0)
        return -1;
    clear_config_env();
    setenv("HOME", fx.dir, 1);
    setenv("CD_TEST_DIR", fx.dir, 1); /* for $VAR expansion tests */
    return 0;
}

static inline int fixture_teardown(void **state)
{
    (void)state;
    clear_config_env();
    if (chdir(fx.cwd) != 0)
        return -1;
    return nftw(fx.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write n bytes of text to path (relative to the test folder). */
static inline void write_file_n(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static inline void write_file(const char *path, const char *text)
{
    write_file_n(path, text, strlen(text));
}

/* A file of exactly n bytes: head (if any), then c to the end. */
static inline void write_filled(const char *path, size_t n, char c,
                         const char *head)
{
    char *text = malloc(n + 1);

    assert_non_null(text);
    memset(text, c, n);
    if (head != NULL)
        memcpy(text, head, strlen(head));
    write_file_n(path, text, n);
    free(text);
}

/* Redirect fd 2 to a file until capture_end(), which returns what was
 * written (caller frees). The log writes with write(2) on fd 2. */
static inline void capture_begin(void)
{
    int fd = open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    fflush(stderr);
    fx.saved_stderr = dup(2);
    assert_true(fx.saved_stderr >= 0);
    assert_int_equal(dup2(fd, 2), 2);
    close(fd);
}

static inline char *capture_end(void)
{
    char *text = calloc(1, 65536);
    int fd;
    ssize_t n;

    assert_non_null(text);
    assert_int_equal(dup2(fx.saved_stderr, 2), 2);
    close(fx.saved_stderr);
    fd = open("stderr.txt", O_RDONLY);
    assert_true(fd >= 0);
    n = read(fd, text, 65535);
    assert_true(n >= 0);
    close(fd);
    return text;
}

#define FIXTURE_TEST(f) \
    cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

#endif /* CD_TESTS_CONFIG_FIXTURE_H */
