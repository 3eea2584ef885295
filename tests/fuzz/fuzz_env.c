/* fuzz_env.c -- config_parse_env(), the dotenv reader, on arbitrary text.
 *
 * The text is an env file (candor.env / offen.env), which an operator
 * writes but which may come from anywhere. Checks: every entry has a
 * non-empty key of [A-Za-z0-9_.] and a NUL-terminated value no longer than
 * the input; a failure carries a message; a callback's non-zero return
 * stops the parse and is returned as is.
 */
#include "common/common.h"

#include <ctype.h>
#include <string.h>

#include "common/config.h"
#include "fuzz.h"

struct seen {
    size_t len;     /* input length */
    size_t entries; /* callbacks so far */
    size_t stop_at; /* return 1 from this callback (1-based); 0 never */
};

static int on_entry(const char *key, const char *value, void *ctx)
{
    struct seen *s = ctx;

    FUZZ_CHECK(key[0] != '\0');
    for (const char *k = key; *k; k++)
        FUZZ_CHECK(*k == '_' || *k == '.' || isalnum((unsigned char)*k));
    FUZZ_CHECK(strlen(key) <= s->len);
    FUZZ_CHECK(strlen(value) <= s->len);
    s->entries++;
    return s->entries == s->stop_at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-length copy: the parser must not read past len */
    char *text = malloc(size ? size : 1);
    struct seen s = {size, 0, 0};
    struct cd_error err = {0, ""};
    size_t all;
    int rc;

    FUZZ_CHECK(text != NULL);
    if (size)
        memcpy(text, data, size);
    rc = config_parse_env(text, size, on_entry, &s, &err);
    FUZZ_CHECK(rc == CD_OK || rc == CD_EPROTO || rc == CD_ETOOBIG);
    if (rc != CD_OK)
        FUZZ_CHECK(err.msg[0] != '\0');
    if (size > CONFIG_FILE_MAX)
        FUZZ_CHECK(rc == CD_ETOOBIG && s.entries == 0);
    /* again, stopping at the last entry seen: the same entries, rc 1 */
    all = s.entries;
    if (all > 0) {
        s.entries = 0;
        s.stop_at = all;
        rc = config_parse_env(text, size, on_entry, &s, &err);
        FUZZ_CHECK(rc == 1 && s.entries == all);
    }
    free(text);
    return 0;
}
