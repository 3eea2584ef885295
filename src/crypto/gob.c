/* gob.c -- just enough encoding/gob for Offen's token payloads (gob.h).
 *
 * Wire format recap (Go's encoding/gob): a stream is a sequence of messages,
 * each an unsigned count followed by that many bytes. A message starts with
 * a signed type id: negative ids introduce a type definition (a wireType
 * value), positive ids a value of that type. Unsigned integers below 128
 * take one byte; larger ones one byte holding the negated byte count, then
 * the big-endian bytes. Signed integers are shifted left one bit, with the
 * low bit set (and the rest complemented) for negatives. Struct fields are
 * sent as (field-number delta, value) pairs ending in a 0 delta; zero values
 * are not sent. Top-level non-struct values carry a 0 delta first.
 *
 * The encoders run the body writer twice, first to count and then to write,
 * so each stream is one exactly sized allocation that is easy to wipe.
 */
#include "common/common.h"
#include "crypto/gob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "crypto/memeq.h"

#define GOB_BYTES_ID 5        /* Go's built-in id of []byte */
#define GOB_STRING_ID 6       /* Go's built-in id of string */
#define GOB_FIRST_USER_ID 64  /* ids below are Go's own */
#define GOB_STRUCT_ID 65      /* the first user type id of a Go process */
#define GOB_WIRE_STRUCT_T 2   /* field number of StructT in wireType */
#define GOB_MAX_FIELDS 8      /* more than forgotPasswordCredentials has */

enum cred_field { CRED_NONE, CRED_TOKEN, CRED_EMAIL };

/* The type definition message (count included) Go writes for
 * forgotPasswordCredentials when it is the process's first user type. */
static const unsigned char credentials_typedef[] = {
    0x42, 0xff, 0x81, 0x03, 0x01, 0x01, 0x19, 'f', 'o', 'r', 'g', 'o', 't',
    'P', 'a', 's', 's', 'w', 'o', 'r', 'd', 'C', 'r', 'e', 'd', 'e', 'n',
    't', 'i', 'a', 'l', 's', 0x01, 0xff, 0x82, 0x00, 0x01, 0x02, 0x01, 0x05,
    'T', 'o', 'k', 'e', 'n', 0x01, 0x0a, 0x00, 0x01, 0x0c, 'E', 'm', 'a',
    'i', 'l', 'A', 'd', 'd', 'r', 'e', 's', 's', 0x01, 0x0c, 0x00, 0x00,
    0x00,
};

/* ---- writing ----------------------------------------------------------- */

struct gob_w {
    unsigned char *p; /* NULL: only count */
    size_t len;       /* bytes written (or counted) */
};

static void w_bytes(struct gob_w *w, const void *b, size_t n)
{
    if (w->p != NULL && n > 0)
        memcpy(w->p + w->len, b, n);
    w->len += n;
}

static void w_byte(struct gob_w *w, unsigned char b)
{
    w_bytes(w, &b, 1);
}

static void w_uint(struct gob_w *w, uint64_t u)
{
    unsigned char be[8];
    size_t n = 0;

    if (u < 128) {
        w_byte(w, (unsigned char)u);
        return;
    }
    for (uint64_t v = u; v > 0; v >>= 8)
        n++;
    for (size_t i = 0; i < n; i++)
        be[i] = (unsigned char)(u >> (8 * (n - 1 - i)));
    w_byte(w, (unsigned char)(256 - n));
    w_bytes(w, be, n);
}

static void w_int(struct gob_w *w, int64_t i)
{
    w_uint(w, i < 0 ? (~(uint64_t)i << 1) | 1 : (uint64_t)i << 1);
}

/* A length-prefixed byte string ([]byte and string look the same). */
static void w_blob(struct gob_w *w, const void *b, size_t n)
{
    w_uint(w, n);
    w_bytes(w, b, n);
}

struct string_body {
    const char *s;
    size_t n;
};

static void string_body(struct gob_w *w, const void *ctx)
{
    const struct string_body *b = ctx;

    w_int(w, GOB_STRING_ID);
    w_uint(w, 0); /* singleton delta */
    w_blob(w, b->s, b->n);
}

struct cred_body {
    const unsigned char *token;
    size_t tn;
    const char *email;
    size_t en;
};

static void cred_body(struct gob_w *w, const void *ctx)
{
    const struct cred_body *b = ctx;
    uint64_t delta = 1;

    w_int(w, GOB_STRUCT_ID);
    if (b->tn > 0) {
        w_uint(w, 1);
        w_blob(w, b->token, b->tn);
    } else {
        delta = 2; /* an empty Token is not sent */
    }
    if (b->en > 0) {
        w_uint(w, delta);
        w_blob(w, b->email, b->en);
    }
    w_uint(w, 0);
}

/* prefix[0..plen) then one message whose body fn writes. */
static int write_stream(const unsigned char *prefix, size_t plen,
                        void (*fn)(struct gob_w *, const void *),
                        const void *ctx, unsigned char **out, size_t *outlen)
{
    struct gob_w count = { NULL, 0 }, head = { NULL, 0 }, w;
    size_t total;

    *out = NULL;
    *outlen = 0;
    fn(&count, ctx);
    w_uint(&head, count.len);
    total = plen + head.len + count.len;
    if (total > CRYPTO_GOB_MAX)
        return CD_ETOOBIG;
    w.p = xmalloc(total);
    w.len = 0;
    w_bytes(&w, prefix, plen);
    w_uint(&w, count.len);
    fn(&w, ctx);
    *out = w.p;
    *outlen = w.len;
    return CD_OK;
}

int crypto_gob_encode_string(const char *s, size_t n, unsigned char **out,
                             size_t *outlen)
{
    struct string_body b = { s, n };

    *out = NULL;
    *outlen = 0;
    if (n > CRYPTO_GOB_MAX)
        return CD_ETOOBIG;
    return write_stream(NULL, 0, string_body, &b, out, outlen);
}

int crypto_gob_encode_credentials(const unsigned char *token, size_t tn,
                                  const char *email, size_t en,
                                  unsigned char **out, size_t *outlen)
{
    struct cred_body b = { token, tn, email, en };

    *out = NULL;
    *outlen = 0;
    if (tn > CRYPTO_GOB_MAX || en > CRYPTO_GOB_MAX)
        return CD_ETOOBIG;
    return write_stream(credentials_typedef, sizeof(credentials_typedef),
                        cred_body, &b, out, outlen);
}

/* ---- reading ----------------------------------------------------------- */

struct gob_r {
    const unsigned char *p;
    size_t len, pos;
};

static int r_uint(struct gob_r *r, uint64_t *u)
{
    unsigned n;

    *u = 0;
    if (r->pos >= r->len)
        return CD_EPROTO;
    if (r->p[r->pos] < 128) {
        *u = r->p[r->pos++];
        return CD_OK;
    }
    n = 256u - r->p[r->pos++];
    if (n > 8 || n > r->len - r->pos)
        return CD_EPROTO;
    while (n-- > 0)
        *u = *u << 8 | r->p[r->pos++];
    return CD_OK;
}

static int r_int(struct gob_r *r, int64_t *i)
{
    uint64_t u;
    int rc = r_uint(r, &u);

    *i = (u & 1) ? (int64_t)~(u >> 1) : (int64_t)(u >> 1);
    return rc;
}

/* A length-prefixed byte string; *b points into the input. */
static int r_blob(struct gob_r *r, const unsigned char **b, size_t *n)
{
    uint64_t u;
    int rc = r_uint(r, &u);

    if (rc < 0 || u > r->len - r->pos)
        return CD_EPROTO;
    *b = r->p + r->pos;
    *n = (size_t)u;
    r->pos += (size_t)u;
    return CD_OK;
}

/* The next message of stream s as its own reader m. */
static int r_message(struct gob_r *s, struct gob_r *m)
{
    const unsigned char *b;
    size_t n;

    if (r_blob(s, &b, &n) < 0 || n == 0)
        return CD_EPROTO;
    *m = (struct gob_r){ b, n, 0 };
    return CD_OK;
}

/* Advance *field by the next delta; 0 at the end of the struct, 1 if a
 * field follows, negative on error. */
static int r_field(struct gob_r *r, int64_t *field)
{
    uint64_t d;

    if (r_uint(r, &d) < 0 || d > GOB_MAX_FIELDS + 1)
        return CD_EPROTO;
    *field += (int64_t)d;
    return d == 0 ? 0 : 1;
}

/* struct { Name string; Id typeId } -- both CommonType and fieldType. */
static int r_named_id(struct gob_r *r, const unsigned char **name,
                      size_t *nlen, int64_t *id)
{
    int64_t f = -1;
    int more;

    *name = NULL;
    *nlen = 0;
    *id = 0;
    while ((more = r_field(r, &f)) > 0) {
        if (f == 0 && r_blob(r, name, nlen) == CD_OK)
            continue;
        if (f == 1 && r_int(r, id) == CD_OK)
            continue;
        return CD_EPROTO;
    }
    return more;
}

struct wire_struct {
    int64_t id;                            /* from CommonType */
    enum cred_field map[GOB_MAX_FIELDS];   /* wire field -> our field */
    size_t nfields;
};

/* Map one wire field (name, type id) to ours; each may appear once. */
static int map_field(struct wire_struct *ws, const unsigned char *name,
                     size_t nlen, int64_t id)
{
    enum cred_field f = CRED_NONE;

    if (nlen == 5 && memcmp(name, "Token", 5) == 0 && id == GOB_BYTES_ID)
        f = CRED_TOKEN;
    else if (nlen == 12 && memcmp(name, "EmailAddress", 12) == 0 &&
             id == GOB_STRING_ID)
        f = CRED_EMAIL;
    if (f == CRED_NONE || ws->nfields >= GOB_MAX_FIELDS)
        return CD_EPROTO;
    for (size_t i = 0; i < ws->nfields; i++)
        if (ws->map[i] == f)
            return CD_EPROTO;
    ws->map[ws->nfields++] = f;
    return CD_OK;
}

/* structType { CommonType; Field []*fieldType } */
static int r_struct_type(struct gob_r *r, struct wire_struct *ws)
{
    const unsigned char *name;
    size_t nlen;
    int64_t f = -1, id;
    uint64_t count;
    int more;

    while ((more = r_field(r, &f)) > 0) {
        if (f == 0) {
            if (r_named_id(r, &name, &nlen, &ws->id) < 0)
                return CD_EPROTO;
            continue;
        }
        if (f != 1 || r_uint(r, &count) < 0 || count > GOB_MAX_FIELDS)
            return CD_EPROTO;
        for (uint64_t i = 0; i < count; i++)
            if (r_named_id(r, &name, &nlen, &id) < 0 ||
                map_field(ws, name, nlen, id) < 0)
                return CD_EPROTO;
    }
    return more;
}

/* A type definition message: -id, then wireType{StructT: structType}. */
static int r_typedef(struct gob_r *m, struct wire_struct *ws)
{
    int64_t id, f = -1;
    int more;

    if (r_int(m, &id) < 0 || id > -GOB_FIRST_USER_ID || id < -INT32_MAX)
        return CD_EPROTO;
    while ((more = r_field(m, &f)) > 0)
        if (f != GOB_WIRE_STRUCT_T || r_struct_type(m, ws) < 0)
            return CD_EPROTO;
    if (more < 0 || ws->id != -id || m->pos != m->len)
        return CD_EPROTO;
    return CD_OK;
}

/* Copy b[0..n) into a new heap buffer with a NUL after it. */
static unsigned char *dup_blob(const unsigned char *b, size_t n)
{
    unsigned char *p = xmalloc(n + 1);

    if (n > 0)
        memcpy(p, b, n);
    p[n] = '\0';
    return p;
}

/* The value message of a struct described by ws. */
static int r_cred_value(struct gob_r *m, const struct wire_struct *ws,
                        struct crypto_credentials *c)
{
    const unsigned char *b;
    int64_t id, f = -1;
    size_t n;
    int more;

    if (r_int(m, &id) < 0 || id != ws->id)
        return CD_EPROTO;
    while ((more = r_field(m, &f)) > 0) {
        if (f >= (int64_t)ws->nfields || r_blob(m, &b, &n) < 0)
            return CD_EPROTO;
        if (ws->map[f] == CRED_TOKEN) {
            c->token = dup_blob(b, n);
            c->token_len = n;
        } else {
            if (memchr(b, '\0', n) != NULL)
                return CD_EPROTO;
            c->email = (char *)dup_blob(b, n);
            c->email_len = n;
        }
    }
    if (more < 0 || m->pos != m->len)
        return CD_EPROTO;
    if (c->email == NULL)
        c->email = (char *)dup_blob(NULL, 0);
    return CD_OK;
}

int crypto_gob_decode_string(const unsigned char *in, size_t len, char **out,
                             size_t *n)
{
    struct gob_r s = { in, len, 0 }, m;
    const unsigned char *b;
    int64_t id;
    uint64_t delta;

    *out = NULL;
    *n = 0;
    if (len > CRYPTO_GOB_MAX)
        return CD_ETOOBIG;
    if (r_message(&s, &m) < 0 || r_int(&m, &id) < 0 || id != GOB_STRING_ID)
        return CD_EPROTO;
    if (r_uint(&m, &delta) < 0 || delta != 0 || r_blob(&m, &b, n) < 0)
        return CD_EPROTO;
    if (m.pos != m.len || s.pos != s.len || memchr(b, '\0', *n) != NULL) {
        *n = 0;
        return CD_EPROTO;
    }
    *out = (char *)dup_blob(b, *n);
    return CD_OK;
}

int crypto_gob_decode_credentials(const unsigned char *in, size_t len,
                                  struct crypto_credentials *c)
{
    struct gob_r s = { in, len, 0 }, m;
    struct wire_struct ws;
    int rc = CD_ETOOBIG;

    memset(c, 0, sizeof(*c));
    memset(&ws, 0, sizeof(ws));
    if (len > CRYPTO_GOB_MAX)
        goto out;
    rc = CD_EPROTO;
    if (r_message(&s, &m) < 0 || r_typedef(&m, &ws) < 0)
        goto out;
    if (r_message(&s, &m) < 0 || r_cred_value(&m, &ws, c) < 0)
        goto out;
    if (s.pos != s.len)
        goto out;
    rc = CD_OK;
out:
    if (rc < 0)
        crypto_credentials_release(c);
    return rc;
}

void crypto_credentials_release(struct crypto_credentials *c)
{
    crypto_free_secret(c->token, c->token_len);
    crypto_free_secret(c->email, c->email_len);
    memset(c, 0, sizeof(*c));
}
