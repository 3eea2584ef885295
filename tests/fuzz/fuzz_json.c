/* fuzz_json.c -- jsonx_parse() on arbitrary bytes, and the dump round trip;
 * jsonx_add_string() on the same bytes.
 *
 * Whatever parses must dump to text that parses again to an equal value
 * (json_equal()), and dumping that value again gives the same bytes (the
 * output is canonical: sorted keys, compact). The dump never holds a raw
 * '<', '>' or '&' (Go's escaping, see jsonx.h).
 *
 * The bytes as a string (stored payloads are written so into the
 * operator's view): jsonx_add_string() takes them exactly when jansson
 * takes them as a string (valid UTF-8), writes the same bytes as
 * jsonx_dump() of that string, and a failure leaves the buffer as it was.
 */
#include "common/common.h"

#include <string.h>

#include "common/buf.h"
#include "common/jsonx.h"
#include "fuzz.h"

static void check_add_string(const uint8_t *data, size_t size)
{
    struct buf b = BUF_INIT(16 * size + 64);
    json_t *str = json_stringn((const char *)data, size);
    int rc;

    FUZZ_CHECK(buf_adds(&b, "x") == CD_OK);
    rc = jsonx_add_string(&b, (const char *)data, size);
    FUZZ_CHECK((rc == CD_OK) == (str != NULL));
    if (rc == CD_OK) {
        size_t len = 0;
        char *want = jsonx_dump(str, &len);

        FUZZ_CHECK(b.len == len + 1 && memcmp(b.ptr + 1, want, len) == 0);
        free(want);
    } else {
        FUZZ_CHECK(rc == CD_EPROTO && b.len == 1 && b.ptr[1] == '\0');
    }
    json_decref(str);
    buf_release(&b);
}

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
    check_add_string(data, size);
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
