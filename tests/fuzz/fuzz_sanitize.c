/* fuzz_sanitize.c -- sanitize_name() on arbitrary bytes.
 *
 *   - NULL exactly when the input is longer than SANITIZE_MAX_BYTES or is
 *     not valid UTF-8 (judged by a checker of its own, below);
 *   - otherwise the result is valid UTF-8, never longer than the input,
 *     holds no '<', no C0 or C1 control character and no DEL, has no
 *     ASCII white space at either end, and is the same on a second call;
 *   - input that is already plain text (printable ASCII without '<' or '&',
 *     not starting or ending with a space) comes back unchanged.
 */
#include "common/common.h"

#include <string.h>

#include "api/sanitize.h"
#include "fuzz.h"

/* Strict UTF-8 (RFC 3629), written apart from the one in sanitize.c. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t k = c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3
                 : c < 0xf5 ? 4 : 0;
        unsigned char lo = 0x80, hi = 0xbf;

        if (k == 0 || n - i < k)
            return false;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
        else if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
        for (size_t j = 1; j < k; j++) {
            unsigned char b = s[i + j];

            if (b < (j == 1 ? lo : 0x80) || b > (j == 1 ? hi : 0xbf))
                return false;
        }
        i += k;
    }
    return true;
}

static bool plain_text(const uint8_t *s, size_t n)
{
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] >= 0x7f || s[i] == '<' || s[i] == '&')
            return false;
    return true;
}

static void check_output(const char *out, size_t in_len)
{
    const unsigned char *u = (const unsigned char *)out;
    size_t n = strlen(out);

    FUZZ_CHECK(n <= in_len);
    FUZZ_CHECK(valid_utf8(u, n));
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(u[i] >= 0x20 && u[i] != 0x7f && u[i] != '<');
        if (u[i] == 0xc2 && i + 1 < n)
            FUZZ_CHECK(u[i + 1] >= 0xa0); /* no U+0080..U+009F */
    }
    if (n > 0)
        FUZZ_CHECK(u[0] != ' ' && u[n - 1] != ' ');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-length copy: the sanitiser must not read past len */
    char *in = malloc(size ? size : 1);
    char *out, *again;

    FUZZ_CHECK(in != NULL);
    if (size)
        memcpy(in, data, size);
    out = sanitize_name(in, size);
    if (size > SANITIZE_MAX_BYTES || !valid_utf8(data, size)) {
        FUZZ_CHECK(out == NULL);
        goto done;
    }
    FUZZ_CHECK(out != NULL);
    check_output(out, size);
    again = sanitize_name(in, size);
    FUZZ_CHECK(again != NULL && strcmp(out, again) == 0);
    free(again);
    if (plain_text(data, size))
        FUZZ_CHECK(strlen(out) == size && memcmp(out, data, size) == 0);
done:
    free(out);
    free(in);
    return 0;
}
