/* fuzz_css.c -- css_validate() on arbitrary bytes.
 *
 *   - the verdict is CD_OK or CD_EINVAL, the same on a second call and
 *     without an error record; a rejection has a printable ASCII message;
 *   - an accepted sheet is at most CSS_MAX_BYTES, and every byte of it is
 *     printable ASCII or white space, never '<', '>', '\' or '!' (checked
 *     here byte by byte, independently of the validator);
 *   - an accepted sheet ends at the top level: a blocked rule appended to it
 *     is refused for that rule, and a harmless rule appended is accepted
 *     unless that crosses the rule or byte cap.
 */
#include "common/common.h"

#include <string.h>

#include "api/css.h"
#include "fuzz.h"

static void check_message(const struct cd_error *err)
{
    FUZZ_CHECK(err->msg[0] != '\0');
    for (const char *p = err->msg; *p; p++)
        FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
}

static void check_accepted_bytes(const char *css, size_t len)
{
    FUZZ_CHECK(len <= CSS_MAX_BYTES);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)css[i];

        FUZZ_CHECK((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' ||
                   c == '\r' || c == '\f');
        FUZZ_CHECK(c != '<' && c != '>' && c != '\\' && c != '!');
    }
}

/* css followed by tail, in an exact-length buffer. */
static int validate_with(const char *css, size_t len, const char *tail,
                         struct cd_error *err)
{
    size_t n = strlen(tail);
    char *both = malloc(len + n);
    int rc;

    FUZZ_CHECK(both != NULL);
    memcpy(both, css, len);
    memcpy(both + len, tail, n);
    rc = css_validate(both, len + n, err);
    free(both);
    return rc;
}

static void check_appending(const char *css, size_t len)
{
    struct cd_error err = {0, ""};
    int rc;

    if (len + 32 > CSS_MAX_BYTES)
        return;
    rc = validate_with(css, len, "\n.x{opacity:0}", &err);
    FUZZ_CHECK(rc == CD_EINVAL);
    FUZZ_CHECK(strstr(err.msg, "opacity") != NULL ||
               strstr(err.msg, "more than 256 rules") != NULL);
    rc = validate_with(css, len, "\n.x{color:red}", &err);
    FUZZ_CHECK(rc == CD_OK ||
               strstr(err.msg, "more than 256 rules") != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-length copy: the validator must not read past len */
    char *css = malloc(size ? size : 1);
    struct cd_error err = {0, ""}, again = {0, ""};
    int rc;

    FUZZ_CHECK(css != NULL);
    if (size)
        memcpy(css, data, size);
    rc = css_validate(css, size, &err);
    FUZZ_CHECK(rc == CD_OK || rc == CD_EINVAL);
    FUZZ_CHECK(css_validate(css, size, &again) == rc);
    FUZZ_CHECK(css_validate(css, size, NULL) == rc);
    if (rc == CD_OK) {
        check_accepted_bytes(css, size);
        check_appending(css, size);
    } else {
        check_message(&err);
        FUZZ_CHECK(strcmp(err.msg, again.msg) == 0);
    }
    free(css);
    return 0;
}
