/* config_secret.c -- the data folder and the persistent secret.
 *
 * Offen makes a new random secret at every start unless one is configured,
 * which logs everybody out on each restart. Candor keeps one in
 * <data_dir>/secret instead: standard base64 and a newline, mode 0600,
 * generated once from getrandom(2). The file is written under a temporary
 * name and then linked into place, so a crash never leaves a half-written
 * secret and two processes starting at once agree on one secret (link()
 * refuses to replace, as O_EXCL does).
 *
 * Not thread-safe with respect to the same struct config.
 */
#include "common/common.h"
#include "common/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/xalloc.h"

#define SECRET_NEW_BYTES 32
#define SECRET_FILE_MAX 256 /* far more than 88 characters + newline */
#define SECRET_PATH_MAX 4096 /* <data_dir>/secret */

/* mkdir -p with mode 0700; -1 with errno set on failure. */
static int make_dirs(const char *path)
{
    char *p = xstrdup(path);
    struct stat st;
    int rc = -1;

    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            goto out;
        *s = '/';
    }
    if (mkdir(p, 0700) < 0 && errno != EEXIST)
        goto out;
    if (stat(p, &st) < 0)
        goto out;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        goto out;
    }
    rc = 0;
out:
    free(p);
    return rc;
}

int config_ensure_data_dir(const struct config *cfg, struct cd_error *err)
{
    if (cfg->data_dir == NULL || cfg->data_dir[0] == '\0')
        return cd_error_set(err, CD_EINVAL, "no data folder: set "
                            "CANDOR_APP_DATADIR (HOME is not set)");
    if (make_dirs(cfg->data_dir) < 0)
        return cd_error_set(err, CD_EIO, "cannot create the data folder %s: "
                            "%s", cfg->data_dir, strerror(errno));
    return CD_OK;
}

static int random_bytes(unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = getrandom(p, n, 0);

        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Read and decode an existing secret file. CD_ENOTFOUND if there is none. */
static int read_secret(struct config *cfg, const char *path,
                       struct cd_error *err)
{
    struct buf b = BUF_INIT(SECRET_FILE_MAX);
    struct stat st;
    size_t len;
    size_t n = 0;
    int rc = buf_read_file(&b, path);

    if (rc == CD_EIO && errno == ENOENT) {
        rc = CD_ENOTFOUND;
        goto out;
    }
    if (rc == CD_EIO) {
        rc = cd_error_set(err, CD_EIO, "cannot read the secret file %s: %s",
                          path, strerror(errno));
        goto out;
    }
    len = b.len;
    while (len > 0 && (b.ptr[len - 1] == '\n' || b.ptr[len - 1] == '\r'))
        len--;
    if (rc == CD_OK)
        rc = base64_decode(cfg->secret, sizeof(cfg->secret), &n, b.ptr, len);
    if (rc < 0 || n == 0) {
        explicit_bzero(cfg->secret, sizeof(cfg->secret));
        rc = cd_error_set(err, CD_EINVAL, "invalid secret file %s: expected "
                          "standard base64 of 1 to %d bytes (remove it to "
                          "make a new one; that logs everybody out)", path,
                          CONFIG_SECRET_MAX);
        goto out;
    }
    cfg->secret_len = n;
    if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
        log_warn("the secret file %s can be read by other users; run "
                 "chmod 600 on it", path);
out:
    explicit_bzero(b.ptr, b.len);
    buf_release(&b);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);

        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Write text to tmp (O_EXCL, 0600), then link it to path. CD_EEXIST when
 * path appeared meanwhile; CD_EIO with errno otherwise. */
static int publish(const char *tmp, const char *path, const char *text)
{
    int fd;
    int rc = CD_EIO;

    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
              0600);
    if (fd < 0)
        return CD_EIO;
    if (write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        goto out;
    }
    if (close(fd) < 0)
        goto out;
    if (link(tmp, path) == 0)
        rc = CD_OK;
    else if (errno == EEXIST)
        rc = CD_EEXIST;
out:
    if (rc == CD_EIO) {
        int saved = errno;

        unlink(tmp);
        errno = saved;
    } else {
        unlink(tmp);
    }
    return rc;
}

/* Make a new secret, store it at path, and keep it in cfg. */
static int create_secret(struct config *cfg, const char *path,
                         struct cd_error *err)
{
    unsigned char raw[SECRET_NEW_BYTES];
    char text[((SECRET_NEW_BYTES + 2) / 3) * 4 + 2];
    char tmp[SECRET_PATH_MAX + 32]; /* path + ".<pid>.tmp" */
    int rc;

    if (random_bytes(raw, sizeof(raw)) < 0) {
        rc = cd_error_set(err, CD_EIO, "cannot get random bytes: %s",
                          strerror(errno));
        goto out;
    }
    base64_encode(text, raw, sizeof(raw));
    memcpy(text + strlen(text), "\n", 2);
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
    unlink(tmp); /* a leftover of a crashed process with our pid */
    rc = publish(tmp, path, text);
    if (rc == CD_EEXIST) {
        rc = read_secret(cfg, path, err); /* another process won the race */
        goto out;
    }
    if (rc < 0) {
        rc = cd_error_set(err, CD_EIO, "cannot create the secret file %s: %s",
                          path, strerror(errno));
        goto out;
    }
    memcpy(cfg->secret, raw, sizeof(raw));
    cfg->secret_len = sizeof(raw);
    log_info("created a new secret in %s", path);
out:
    explicit_bzero(raw, sizeof(raw));
    explicit_bzero(text, sizeof(text));
    return rc;
}

int config_ensure_secret(struct config *cfg, struct cd_error *err)
{
    char path[SECRET_PATH_MAX];
    int n;
    int rc;

    if (cfg->secret_len > 0)
        return CD_OK;
    rc = config_ensure_data_dir(cfg, err);
    if (rc < 0)
        return rc;
    n = snprintf(path, sizeof(path), "%s/secret", cfg->data_dir);
    if (n < 0 || (size_t)n >= sizeof(path))
        return cd_error_set(err, CD_EINVAL, "the data folder path is too "
                            "long: %s", cfg->data_dir);
    rc = read_secret(cfg, path, err);
    if (rc == CD_ENOTFOUND)
        rc = create_secret(cfg, path, err);
    return rc;
}
