/* fuzz_jsonscan.c -- jsonscan_fields() against jansson on arbitrary bytes.
 *
 * The verdict (CD_OK, CD_EPROTO or CD_ETOOBIG) and, on success, every
 * field's presence and decoded bytes must equal those of the reference in
 * tests/unit/common/jsonscan_ref.h: json_loadb(JSON_REJECT_DUPLICATES |
 * JSON_DECODE_ANY) followed by the rules of src/api/body.c, plus the
 * depth cap. Any disagreement aborts. The fields looked for include names
 * that differ only by case, a non-ASCII one and small caps.
 */
#include "common/common.h"

#include <string.h>

#include "../unit/common/jsonscan_ref.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-length copy: the scanner must not read past len */
    char *text = malloc(size ? size : 1);

    FUZZ_CHECK(text != NULL);
    if (size)
        memcpy(text, data, size);
    FUZZ_CHECK(ref_compare(text, size) == 0);
    free(text);
    return 0;
}
