/* known.c -- a bounded set of secret ids known to exist (see known.h). */
#include "common/common.h"
#include "store/known.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/str.h"
#include "common/xalloc.h"

void known_init(struct known *k, size_t cap)
{
    k->slot = NULL;
    k->cap = cap;
    k->n = 0;
    if (getrandom(&k->seed, sizeof(k->seed), GRND_NONBLOCK) !=
        (ssize_t)sizeof(k->seed))
        k->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)k;
}

/* The slot of id, or the empty one where it would go: FNV-1a, then the
 * seed mixed in by splitmix64's finaliser, so every bit of both moves
 * the slot. */
static size_t find(const struct known *k, const char *id, size_t len)
{
    uint64_t h = str_fnv1a(id, len) ^ k->seed;
    size_t mask = k->cap - 1;
    size_t i;

    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    i = (size_t)(h ^ (h >> 31)) & mask;

    while (k->slot[i][0] != '\0' && strcmp(k->slot[i], id) != 0)
        i = (i + 1) & mask;
    return i;
}

bool known_has(const struct known *k, const char *id)
{
    size_t len = strlen(id);

    if (k->slot == NULL || len == 0 || len > STORE_ID_MAX)
        return false;
    return k->slot[find(k, id, len)][0] != '\0';
}

void known_add(struct known *k, const char *id)
{
    size_t len = strlen(id), i;

    if (len == 0 || len > STORE_ID_MAX)
        return;
    if (k->slot == NULL)
        k->slot = xcalloc(k->cap, sizeof(*k->slot));
    i = find(k, id, len);
    if (k->slot[i][0] != '\0')
        return;
    if (k->n + 1 > k->cap / 4 * 3) { /* full: start again */
        memset(k->slot, 0, k->cap * sizeof(*k->slot));
        k->n = 0;
        i = find(k, id, len);
    }
    memcpy(k->slot[i], id, len + 1);
    k->n++;
}

void known_release(struct known *k)
{
    free(k->slot);
    k->slot = NULL;
    k->n = 0;
}
