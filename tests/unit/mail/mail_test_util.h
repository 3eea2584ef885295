/* mail_test_util.h -- helpers shared by the mail unit tests.
 *
 * Decoders for what compose.c produces (quoted-printable bodies, RFC 2047
 * subjects), written independently of it so a test compares the decoded
 * text with what went in; a file reader; a test config builder. Results are
 * malloc'd; the caller frees them.
 */
#ifndef CD_TESTS_MAIL_TEST_UTIL_H
#define CD_TESTS_MAIL_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/base64.h"
#include "common/config.h"

static inline int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Quoted-printable with CRLF lines -> text with "\n" lines (the trailing
 * CRLF of the last line dropped). Fails the test on malformed input. */
static inline char *qp_decode(const char *s)
{
    size_t n = strlen(s), j = 0;
    char *out = malloc(n + 1);

    assert_non_null(out);
    for (size_t i = 0; i < n;) {
        if (s[i] == '=' && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 3;
        } else if (s[i] == '=') {
            int hi = hexval(s[i + 1]), lo = hi < 0 ? -1 : hexval(s[i + 2]);

            if (hi < 0 || lo < 0)
                fail_msg("bad quoted-printable escape at %zu", i);
            out[j++] = (char)(hi * 16 + lo);
            i += 3;
        } else if (s[i] == '\r' && s[i + 1] == '\n') {
            out[j++] = '\n';
            i += 2;
        } else {
            out[j++] = s[i++];
        }
    }
    if (j > 0 && out[j - 1] == '\n')
        j--;
    out[j] = '\0';
    return out;
}

/* CRLF lines -> "\n" lines, the last line's CRLF dropped. */
static inline char *crlf_to_lf(const char *s)
{
    size_t j = 0;
    char *out = malloc(strlen(s) + 1);

    assert_non_null(out);
    for (; *s != '\0'; s++) {
        if (s[0] == '\r' && s[1] == '\n')
            continue;
        out[j++] = *s;
    }
    if (j > 0 && out[j - 1] == '\n')
        j--;
    out[j] = '\0';
    return out;
}

/* The decoded value of the "Subject:" header line (folded or not; plain
 * text or RFC 2047 B-encoded words) that starts at h. */
static inline char *subject_decode(const char *h)
{
    char value[4096];
    char *out = calloc(1, sizeof(value));
    const char *p = h + 8, *v = value;
    size_t k = 0, j = 0;

    assert_non_null(out);
    assert_true(strncmp(h, "Subject:", 8) == 0);
    while (!(p[0] == '\r' && p[1] == '\n' && p[2] != ' ')) {
        assert_true(*p != '\0' && k < sizeof(value) - 1);
        if (p[0] == '\r' && p[1] == '\n')
            p += 2; /* unfold: the CRLF goes, the space stays */
        else
            value[k++] = *p++;
    }
    value[k] = '\0';
    if (*v == ' ')
        v++;
    if (strncmp(v, "=?", 2) != 0) {
        memcpy(out, v, strlen(v) + 1);
        return out;
    }
    while (*v != '\0') {
        const char *q;
        size_t got = 0;

        if (*v == ' ') { /* between encoded words: ignored */
            v++;
            continue;
        }
        assert_true(strncmp(v, "=?utf-8?B?", 10) == 0);
        q = strstr(v + 10, "?=");
        assert_non_null(q);
        assert_int_equal(base64_decode(out + j, sizeof(value) - 1 - j, &got,
                                       v + 10, (size_t)(q - v - 10)),
                         CD_OK);
        j += got;
        v = q + 2;
    }
    out[j] = '\0';
    return out;
}

static inline char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *out;
    long n;

    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    out = malloc((size_t)n + 1);
    assert_non_null(out);
    assert_int_equal(fread(out, 1, (size_t)n, f), (size_t)n);
    out[n] = '\0';
    fclose(f);
    return out;
}

/* A config for the mailer; strings point into static storage of the
 * caller (the mailer copies them), so never config_release() it. */
static inline struct config mail_test_config(char *host, int port,
                                             char *auth_type)
{
    static char sender[] = "Candor <no-reply@example.com>";
    struct config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.smtp_host = host;
    cfg.smtp_port = port;
    cfg.smtp_sender = sender;
    cfg.smtp_auth_type = auth_type;
    return cfg;
}

#endif /* CD_TESTS_MAIL_TEST_UTIL_H */
