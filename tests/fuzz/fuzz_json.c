/* fuzz_json.c -- jsonx_parse() on arbitrary bytes, and the dump round trip.
 *
 * Whatever parses must dump to text that parses again to an equal value
 * (json_equal()), and dumping that value again gives the same bytes (the
 * output is canonical: sorted keys, compact). The dump never holds a raw
 * '<', '>' or '&' (Go's escaping, see jsonx.h).
 */
#include "common/common.h"

#include <string.h>

#include "common/jsonx.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-length copy: the parser must not read past len */
    char *text = malloc(size ? size : 1);
    json_t *v = NULL, *again = NULL;
    char *out = NULL, *out2 = NULL;
    size_t len = 0, len2 = 0;
    struct cd_error err = {0, ""};

    FUZZ_CHECK(text != NULL);
    if (size)
        memcpy(text, data, size);
    if (jsonx_parse(text, size, &v, &err) != CD_OK) {
        FUZZ_CHECK(v == NULL && err.msg[0] != '\0');
        goto out;
    }
    out = jsonx_dump(v, &len);
    FUZZ_CHECK(strlen(out) == len);
    FUZZ_CHECK(strpbrk(out, "<>&") == NULL);
    FUZZ_CHECK(jsonx_parse(out, len, &again, &err) == CD_OK);
    FUZZ_CHECK(json_equal(v, again));
    out2 = jsonx_dump(again, &len2);
    FUZZ_CHECK(len2 == len && memcmp(out, out2, len) == 0);
out:
    free(out2);
    free(out);
    json_decref(again);
    json_decref(v);
    free(text);
    return 0;
}
