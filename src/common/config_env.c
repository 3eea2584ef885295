/* config_env.c -- find configuration values (see config_env.h).
 *
 * The env file becomes a small private map (later keys replace earlier
 * ones); the environment is read with getenv() on every lookup, so a test
 * that changes it with setenv() and loads again sees the change. Values
 * that may be secrets are wiped before they are freed.
 *
 * config_parse_env() is the dotenv reader behind the env file: KEY=VALUE
 * lines, an optional "export " prefix, '...' (literal) and "..." (with
 * \n \r \t \" \\ escapes) values that may span lines, # comments on their
 * own line or after an unquoted value following whitespace, blank lines.
 */
#include "common/common.h"
#include "common/config_env.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/xalloc.h"

extern char **environ;

struct envpair {
    char *key;
    char *value;
};

struct config_env {
    struct envpair *v;
    size_t n;
    size_t cap;
    char *path; /* the env file, or NULL */
};

static void wipe_free(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static void buf_wipe_release(struct buf *b)
{
    explicit_bzero(b->ptr, b->len);
    buf_release(b);
}

/* ---- the map ----------------------------------------------------------- */

static const char *map_get(const struct config_env *e, const char *key)
{
    for (size_t i = 0; e && i < e->n; i++) {
        if (strcmp(e->v[i].key, key) == 0)
            return e->v[i].value;
    }
    return NULL;
}

/* config_parse_env() callback. */
static int map_add(const char *key, const char *value, void *ctx)
{
    struct config_env *e = ctx;

    for (size_t i = 0; i < e->n; i++) {
        if (strcmp(e->v[i].key, key) == 0) {
            wipe_free(e->v[i].value);
            e->v[i].value = xstrdup(value);
            return 0;
        }
    }
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 16;
        e->v = xrealloc(e->v, e->cap * sizeof(*e->v));
    }
    e->v[e->n].key = xstrdup(key);
    e->v[e->n].value = xstrdup(value);
    e->n++;
    return 0;
}

void config_env_free(struct config_env *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].key);
        wipe_free(e->v[i].value);
    }
    free(e->v);
    free(e->path);
    free(e);
}

const char *config_env_path(const struct config_env *e)
{
    return e ? e->path : NULL;
}

/* ---- lookup ------------------------------------------------------------ */

/* key's non-empty value in the environment (e NULL) or the env file. */
static const char *source_get(const struct config_env *e, const char *key)
{
    const char *v = e ? map_get(e, key) : getenv(key);

    return v && *v ? v : NULL;
}

static void set_shown(struct config_value *v, const char *key,
                      const struct config_env *e)
{
    if (e != NULL)
        snprintf(v->shown, sizeof(v->shown), "%s in %s", key, e->path);
    else
        snprintf(v->shown, sizeof(v->shown), "%s", key);
}

void config_value_release(struct config_value *v)
{
    wipe_free(v->value);
    v->value = NULL;
}

/* Read a _FILE value: at most CONFIG_FILE_MAX bytes, no NUL, trimmed of
 * surrounding whitespace (Offen keeps the trailing newline: a defect). */
static int read_value_file(const char *path, struct config_value *v,
                           struct cd_error *err)
{
    struct buf b = BUF_INIT(CONFIG_FILE_MAX + 1);
    const char *p;
    size_t len;
    int rc = buf_read_file(&b, path);

    if (rc == CD_ETOOBIG) {
        rc = cd_error_set(err, CD_EINVAL, "%s: file \"%s\" is larger than "
                          "%d bytes", v->shown, path, CONFIG_FILE_MAX);
        goto out;
    }
    if (rc < 0) {
        rc = cd_error_set(err, CD_EIO, "%s: cannot read \"%s\": %s",
                          v->shown, path, strerror(errno));
        goto out;
    }
    if (memchr(b.ptr, '\0', b.len) != NULL) {
        rc = cd_error_set(err, CD_EINVAL, "%s: file \"%s\" contains a NUL "
                          "byte", v->shown, path);
        goto out;
    }
    p = b.ptr;
    len = b.len;
    while (len > 0 && isspace((unsigned char)*p)) {
        p++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)p[len - 1]))
        len--;
    v->value = len ? xstrndup(p, len) : NULL; /* empty counts as unset */
out:
    buf_wipe_release(&b);
    return rc;
}

/* PREFIX<name> or PREFIX<name>_FILE from one source. */
static int resolve_prefix(const struct config_env *e, const char *prefix,
                          const char *name, struct config_value *v,
                          struct cd_error *err)
{
    char key[128];
    char fkey[136];
    const char *val;
    const char *path;

    snprintf(key, sizeof(key), "%s%s", prefix, name);
    snprintf(fkey, sizeof(fkey), "%s_FILE", key);
    val = source_get(e, key);
    path = source_get(e, fkey);
    if (val && path) {
        set_shown(v, fkey, e);
        return cd_error_set(err, CD_EINVAL, "both %s and %s are set; set "
                            "only one", key, v->shown);
    }
    if (val) {
        set_shown(v, key, e);
        v->value = xstrdup(val);
    } else if (path) {
        set_shown(v, fkey, e);
        return read_value_file(path, v, err);
    }
    return CD_OK;
}

/* CANDOR_<name>, else OFFEN_<name>, from one source; warns when both are
 * set to different values (without printing them). */
static int resolve(const struct config_env *e, const char *name,
                   struct config_value *v, struct cd_error *err)
{
    struct config_value o = {0};
    int rc;

    rc = resolve_prefix(e, "CANDOR_", name, v, err);
    if (rc < 0)
        return rc;
    rc = resolve_prefix(e, "OFFEN_", name, &o, err);
    if (rc < 0)
        goto out;
    if (v->value == NULL) {
        *v = o;
        o.value = NULL;
    } else if (o.value && strcmp(o.value, v->value) != 0) {
        log_warn("%s and %s are both set, to different values; using %s",
                 v->shown, o.shown, v->shown);
    }
out:
    config_value_release(&o);
    return rc;
}

int config_env_lookup(const struct config_env *e, const char *name,
                      struct config_value *v, struct cd_error *err)
{
    int rc;

    memset(v, 0, sizeof(*v));
    rc = resolve(NULL, name, v, err);
    if (rc == CD_OK && v->value == NULL && e && e->n > 0)
        rc = resolve(e, name, v, err);
    return rc;
}

int config_getenv(const char *name, char **out, struct cd_error *err)
{
    struct config_value v = {0};
    int rc = resolve(NULL, name, &v, err);

    if (rc < 0)
        config_value_release(&v);
    *out = v.value;
    return rc;
}

const char *config_env_raw(const struct config_env *e, const char *key,
                           struct config_value *v)
{
    const char *val = source_get(NULL, key);

    set_shown(v, key, NULL);
    if (val == NULL && e && e->n > 0) {
        val = source_get(e, key);
        set_shown(v, key, e);
    }
    return val;
}

void config_env_each_key(const struct config_env *e,
                         void (*fn)(const char *key, const char *where,
                                    void *ctx),
                         void *ctx)
{
    for (char **p = environ; *p; p++) {
        const char *eq = strchr(*p, '=');
        char key[128];

        if (eq == NULL || (size_t)(eq - *p) >= sizeof(key))
            continue;
        memcpy(key, *p, (size_t)(eq - *p));
        key[eq - *p] = '\0';
        fn(key, NULL, ctx);
    }
    for (size_t i = 0; e && i < e->n; i++)
        fn(e->v[i].key, e->path, ctx);
}

/* ---- $VAR expansion, as Go's os.ExpandEnv ------------------------------ */

static int is_special(char c)
{
    return (c && strchr("*#$@!?-", c) != NULL) || (c >= '0' && c <= '9');
}

/* s follows a '$'. Sets *name and *len (0: no name) and returns how many
 * characters the reference takes, as Go's getShellName does. */
static size_t shell_name(const char *s, const char **name, size_t *len)
{
    size_t i;

    *name = s;
    *len = 0;
    if (s[0] == '{') {
        if (is_special(s[1]) && s[2] == '}') {
            *name = s + 1;
            *len = 1;
            return 3;
        }
        for (i = 1; s[i]; i++) {
            if (s[i] == '}') {
                if (i == 1)
                    return 2; /* "${}": bad syntax, dropped */
                *name = s + 1;
                *len = i - 1;
                return i + 1;
            }
        }
        return 1; /* "${" without "}": bad syntax, the brace is dropped */
    }
    if (is_special(s[0])) {
        *len = 1;
        return 1;
    }
    for (i = 0; s[i] == '_' || isalnum((unsigned char)s[i]); i++)
        continue;
    *len = i;
    return i;
}

int config_env_expand(const struct config_env *e, const char *s,
                      struct buf *out)
{
    int rc = CD_OK;

    for (size_t j = 0; s[j] && rc == CD_OK; j++) {
        const char *name;
        size_t len;
        size_t w;

        if (s[j] != '$' || s[j + 1] == '\0') {
            rc = buf_addch(out, s[j]);
            continue;
        }
        w = shell_name(s + j + 1, &name, &len);
        if (len == 0 && w == 0) {
            rc = buf_addch(out, '$'); /* "$" not followed by a name */
        } else if (len > 0) {
            char *key = xstrndup(name, len);
            const char *v = getenv(key);

            if (v == NULL)
                v = map_get(e, key);
            rc = buf_adds(out, v ? v : "");
            free(key);
        }
        j += w;
    }
    return rc;
}

/* ---- the env file ------------------------------------------------------ */

static int read_env_file(struct config_env *e, const char *path,
                         struct cd_error *err)
{
    struct buf b = BUF_INIT(CONFIG_FILE_MAX + 1);
    struct cd_error perr = {0};
    int rc = buf_read_file(&b, path);

    if (rc == CD_ETOOBIG) {
        rc = cd_error_set(err, CD_EINVAL, "env file %s is larger than %d "
                          "bytes", path, CONFIG_FILE_MAX);
        goto out;
    }
    if (rc < 0) {
        rc = cd_error_set(err, CD_EIO, "cannot read env file %s: %s", path,
                          strerror(errno));
        goto out;
    }
    e->path = xstrdup(path);
    rc = config_parse_env(b.ptr, b.len, map_add, e, &perr);
    if (rc < 0)
        rc = cd_error_set(err, CD_EINVAL, "env file %s: %s", path, perr.msg);
out:
    buf_wipe_release(&b);
    return rc;
}

/* Read dir/name if it exists (dir NULL or "" skips); sets *found. */
static int try_env_file(struct config_env *e, const char *dir,
                        const char *name, int *found, struct cd_error *err)
{
    char path[PATH_MAX];
    int n;

    if (dir == NULL || *dir == '\0')
        return CD_OK;
    n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(path) || access(path, F_OK) != 0)
        return CD_OK;
    *found = 1;
    return read_env_file(e, path, err);
}

int config_env_open(struct config_env **out, const char *envfile,
                    struct cd_error *err)
{
    const char *home = getenv("HOME");
    const char *xdg = getenv("XDG_CONFIG_HOME");
    char dot_config[PATH_MAX] = "";
    const struct {
        const char *dir;
        const char *name;
    } cascade[] = {
        {".", "candor.env"},         {".", "offen.env"},
        {dot_config, "candor.env"},  {dot_config, "offen.env"},
        {xdg, "candor.env"},         {xdg, "offen.env"},
        {"/etc/candor", "candor.env"}, {"/etc/offen", "offen.env"},
    };
    int found = 0;
    int rc = CD_OK;

    *out = xcalloc(1, sizeof(**out));
    if (envfile != NULL)
        return read_env_file(*out, envfile, err);
    if (home && *home)
        snprintf(dot_config, sizeof(dot_config), "%s/.config", home);
    for (size_t i = 0; i < CD_ARRAY_SIZE(cascade) && !found && rc == CD_OK;
         i++)
        rc = try_env_file(*out, cascade[i].dir, cascade[i].name, &found, err);
    return rc;
}

/* ---- dotenv ------------------------------------------------------------ */

struct dotenv {
    const char *p;   /* next unread byte */
    const char *end;
    unsigned line;   /* 1-based line of p */
};

static int at_eol(const struct dotenv *d)
{
    return d->p == d->end || *d->p == '\n';
}

static void skip_blanks(struct dotenv *d)
{
    while (d->p < d->end && (*d->p == ' ' || *d->p == '\t' || *d->p == '\r'))
        d->p++;
}

static void skip_line(struct dotenv *d)
{
    while (!at_eol(d))
        d->p++;
}

static int is_key_char(char c)
{
    return c == '_' || c == '.' || isalnum((unsigned char)c);
}

/* A quoted value; d->p is at the opening quote q. May span lines. */
static int parse_quoted(struct dotenv *d, char q, struct buf *val,
                        struct cd_error *err)
{
    static const char from[] = "nrt\"\\", to[] = "\n\r\t\"\\";
    unsigned start = d->line;
    int rc = CD_OK;

    for (d->p++; d->p < d->end && *d->p != q && rc == CD_OK; d->p++) {
        const char *esc = NULL;

        if (*d->p == '\n')
            d->line++;
        if (q == '"' && *d->p == '\\' && d->p + 1 < d->end && d->p[1])
            esc = strchr(from, d->p[1]);
        if (esc != NULL) {
            rc = buf_addch(val, to[esc - from]);
            d->p++;
        } else {
            rc = buf_addch(val, *d->p);
        }
    }
    if (rc < 0)
        return rc;
    if (d->p == d->end)
        return cd_error_set(err, CD_EPROTO, "line %u: the quoted value has "
                            "no closing %c", start, q);
    d->p++; /* the closing quote */
    skip_blanks(d);
    if (!at_eol(d) && *d->p != '#')
        return cd_error_set(err, CD_EPROTO, "line %u: unexpected text after "
                            "the closing quote", d->line);
    skip_line(d);
    return CD_OK;
}

/* An unquoted value: to the end of the line or a '#' after whitespace,
 * with trailing whitespace removed. */
static int parse_bare(struct dotenv *d, struct buf *val)
{
    const char *s = d->p;
    const char *e;

    /* d->p[-1] is inside the text: at least the '=' precedes s. */
    while (!at_eol(d) &&
           !(*d->p == '#' && (d->p[-1] == ' ' || d->p[-1] == '\t')))
        d->p++;
    e = d->p;
    skip_line(d);
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    return buf_add(val, s, (size_t)(e - s));
}

/* One line (or more, for a quoted value). Sets *key (caller frees) when it
 * holds an entry, leaves it NULL for blank lines and comments. */
static int parse_line(struct dotenv *d, char **key, struct buf *val,
                      struct cd_error *err)
{
    const char *k;
    size_t klen;
    int rc;

    skip_blanks(d);
    if (at_eol(d) || *d->p == '#') {
        skip_line(d);
        return CD_OK;
    }
    if (d->end - d->p >= 7 && memcmp(d->p, "export", 6) == 0 &&
        (d->p[6] == ' ' || d->p[6] == '\t')) {
        d->p += 6;
        skip_blanks(d);
    }
    for (k = d->p; d->p < d->end && is_key_char(*d->p); d->p++)
        continue;
    klen = (size_t)(d->p - k);
    if (klen == 0)
        return cd_error_set(err, CD_EPROTO, "line %u: expected KEY=VALUE",
                            d->line);
    skip_blanks(d);
    if (d->p == d->end || *d->p != '=')
        return cd_error_set(err, CD_EPROTO, "line %u: expected '=' after "
                            "%.*s", d->line, (int)(klen > 64 ? 64 : klen), k);
    d->p++;
    skip_blanks(d);
    if (d->p < d->end && (*d->p == '"' || *d->p == '\''))
        rc = parse_quoted(d, *d->p, val, err);
    else
        rc = parse_bare(d, val);
    if (rc == CD_OK)
        *key = xstrndup(k, klen);
    return rc;
}

int config_parse_env(const char *text, size_t len,
                     int (*fn)(const char *key, const char *value, void *ctx),
                     void *ctx, struct cd_error *err)
{
    struct dotenv d = {text, text + len, 1};
    struct buf val = BUF_INIT(CONFIG_FILE_MAX + 1);
    const char *nul;
    int rc = CD_OK;

    if (len > CONFIG_FILE_MAX)
        return cd_error_set(err, CD_ETOOBIG, "larger than %d bytes",
                            CONFIG_FILE_MAX);
    nul = memchr(text, '\0', len);
    if (nul != NULL) {
        unsigned line = 1;

        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        return cd_error_set(err, CD_EPROTO, "line %u: NUL byte", line);
    }
    while (d.p < d.end && rc == CD_OK) {
        char *key = NULL;

        rc = parse_line(&d, &key, &val, err);
        if (rc == CD_OK && key != NULL)
            rc = fn(key, val.ptr, ctx);
        free(key);
        explicit_bzero(val.ptr, val.len);
        buf_reset(&val);
        if (d.p < d.end) { /* at the '\n' ending the entry */
            d.p++;
            d.line++;
        }
    }
    buf_release(&val);
    return rc;
}
