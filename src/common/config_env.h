/* config_env.h -- where configuration values come from (internal to
 * common/config*.c; everyone else uses config.h).
 *
 * Implements the lookup rules of config.h: the process environment
 * (CANDOR_<NAME>, else OFFEN_<NAME>, each also as <NAME>_FILE), then the env
 * file, which is parsed into a private map and never copied into the
 * environment. Also Offen's $VAR / ${VAR} expansion. config.c gives the
 * values their meaning; this module only finds them.
 *
 * Not thread-safe: it reads the environment, which setenv() may change.
 */
#ifndef CD_COMMON_CONFIG_ENV_H
#define CD_COMMON_CONFIG_ENV_H

#include <stddef.h>

#include "common/err.h"

struct buf;
struct config_env; /* the env file's entries; opaque */

/* One value as found. */
struct config_value {
    char *value;     /* owned, NUL-terminated; NULL when unset */
    char shown[200]; /* how the user wrote its name, for messages:
                      * "CANDOR_SECRET_FILE", "OFFEN_X in ./offen.env" */
};

/* Read the env file: envfile if non-NULL (it must exist), else the first
 * existing file of the cascade in config.h, else none. *out is always set
 * (an empty map when there is no file; free with config_env_free()).
 * CD_EIO when the file cannot be read, CD_EINVAL when it is larger than
 * CONFIG_FILE_MAX or has a syntax error; err->msg names the file. */
int config_env_open(struct config_env **out, const char *envfile,
                    struct cd_error *err) CD_MUST_CHECK;
/* The env file that was read, or NULL; borrowed. */
const char *config_env_path(const struct config_env *e);
void config_env_free(struct config_env *e); /* wipes the values */

/* The value of variable name ("SERVER_PORT") from the environment, or (e
 * non-NULL, and no form of it in the environment) from the env file.
 * Returns CD_OK with v->value NULL when unset; CD_EINVAL when both NAME and
 * NAME_FILE are set or a _FILE is too big; CD_EIO when it cannot be read.
 * Release v with config_value_release() in every case. */
int config_env_lookup(const struct config_env *e, const char *name,
                      struct config_value *v, struct cd_error *err)
    CD_MUST_CHECK;
void config_value_release(struct config_value *v); /* wipes, frees */

/* An unprefixed variable (Heroku's PORT): environment, then env file.
 * Returns its non-empty value (borrowed) or NULL; sets v->shown only. */
const char *config_env_raw(const struct config_env *e, const char *key,
                           struct config_value *v);

/* Append s to out with $VAR and ${VAR} replaced as Go's os.ExpandEnv does
 * (unknown names become ""), looking names up in the environment, then in
 * the env file. CD_ETOOBIG when out's cap is reached. */
int config_env_expand(const struct config_env *e, const char *s,
                      struct buf *out) CD_MUST_CHECK;

/* Call fn for every variable name in the environment (where NULL) and in
 * the env file (where = its path). */
void config_env_each_key(const struct config_env *e,
                         void (*fn)(const char *key, const char *where,
                                    void *ctx),
                         void *ctx);

#endif /* CD_COMMON_CONFIG_ENV_H */
