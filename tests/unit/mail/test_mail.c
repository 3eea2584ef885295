/* test_mail.c -- mail/: the three rendered mails word for word, the body
 * cap, what is stripped from inserted values (and that nothing is
 * HTML-escaped), recipient checks at and past MAIL_ADDR_MAX, the composed
 * message (headers, RFC 2047 subject, quoted-printable body), the loopback
 * rule, and the log fallback with stderr captured through a pipe. Real SMTP
 * delivery is tested in test_smtp.c. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "mail/internal.h"
#include "mail/mail.h"
#include "mail/templates.h"

#include "mail_test_util.h"

#define RESET_URL "https://analytics.example/reset/?token=a1+b2&x=%3D"

static const char reset_body[] =
    "Hi!\n"
    "\n"
    "You have requested to reset your password. To do so, visit the "
    "following link:\n"
    "\n" RESET_URL "\n"
    "\n"
    "The link is valid for 24 hours after this email has been sent. In "
    "case you have missed this deadline, you can always request a new "
    "link.";

static void test_render_reset(void **state)
{
    struct mail_msg msg;

    (void)state;
    assert_int_equal(mail_render_reset(RESET_URL, &msg), CD_OK);
    assert_string_equal(msg.subject, "Reset your password");
    assert_string_equal(msg.body, reset_body);
    mail_msg_release(&msg);
    assert_null(msg.subject);
    assert_null(msg.body);
    mail_msg_release(&msg); /* twice is harmless */
    mail_msg_release(NULL);
}

static void test_render_new_user_invite(void **state)
{
    struct mail_msg msg;

    (void)state;
    assert_int_equal(
        mail_render_new_user_invite("https://a.example/join/?t=x&y=1", &msg),
        CD_OK);
    assert_string_equal(msg.subject,
                        "You have been invited to join Offen Fair Web "
                        "Analytics.");
    assert_string_equal(
        msg.body,
        "Hi!\n\nYou have been invited to Offen Fair Web Analytics. To "
        "accept your invite, visit the following link:\n\n"
        "https://a.example/join/?t=x&y=1\n\n"
        "The link is valid for 7 days after this email has been sent. In "
        "case you have missed this deadline, request a new invite.");
    mail_msg_release(&msg);
}

static void test_render_existing_user_invite(void **state)
{
    const char *names[] = {"Tom & Jerry's <Shop>", "Caf\xc3\xa9 + Bar",
                           "plain"};
    struct mail_msg msg;

    (void)state;
    assert_int_equal(mail_render_existing_user_invite(names, 3, &msg), CD_OK);
    assert_string_equal(msg.subject,
                        "You have been added to additional accounts on "
                        "Offen Fair Web Analytics.");
    assert_string_equal(
        msg.body,
        "Hi!\n\nYou have been added to the following new accounts on Offen "
        "Fair Web Analytics:\n\n"
        "- Tom & Jerry's <Shop>\n"
        "- Caf\xc3\xa9 + Bar\n"
        "- plain\n\n"
        "You automatically gain access to these accounts the next time you "
        "log in.");
    assert_null(strstr(msg.body, "&amp;"));
    assert_null(strstr(msg.body, "&#43;"));
    mail_msg_release(&msg);

    assert_int_equal(mail_render_existing_user_invite(names, 1, &msg), CD_OK);
    assert_non_null(strstr(msg.body, ":\n\n- Tom & Jerry's <Shop>\n\nYou "));
    mail_msg_release(&msg);
}

static void test_render_strips_control_characters(void **state)
{
    const char *names[] = {"evil\r\nBcc: x@example.com\x7f\x1b", "tab\there"};
    struct mail_msg msg;

    (void)state;
    assert_int_equal(
        mail_render_reset("https://a.example/r?t=1\r\nBcc: x@example.com\n",
                          &msg),
        CD_OK);
    assert_non_null(
        strstr(msg.body, "\n\nhttps://a.example/r?t=1Bcc: x@example.com\n\n"));
    assert_null(strchr(msg.body, '\r'));
    mail_msg_release(&msg);

    assert_int_equal(mail_render_existing_user_invite(names, 2, &msg), CD_OK);
    assert_non_null(strstr(msg.body, "\n- evilBcc: x@example.com\n"));
    assert_non_null(strstr(msg.body, "\n- tab\there\n"));
    assert_null(strchr(msg.body, '\x1b'));
    assert_null(strchr(msg.body, '\x7f'));
    mail_msg_release(&msg);
}

static void test_render_rejects_empty_values(void **state)
{
    const char *with_null[] = {"a", NULL};
    const char *with_empty[] = {"a", ""};
    const char *only_crlf[] = {"\r\n"};
    struct mail_msg msg = {(char *)"x", (char *)"y"};

    (void)state;
    assert_int_equal(mail_render_reset(NULL, &msg), CD_EINVAL);
    assert_null(msg.subject);
    assert_null(msg.body);
    assert_int_equal(mail_render_reset("", &msg), CD_EINVAL);
    assert_int_equal(mail_render_new_user_invite("\r\n", &msg), CD_EINVAL);
    assert_null(msg.body);
    assert_int_equal(mail_render_existing_user_invite(NULL, 1, &msg),
                     CD_EINVAL);
    assert_int_equal(mail_render_existing_user_invite(with_null, 0, &msg),
                     CD_EINVAL);
    assert_int_equal(mail_render_existing_user_invite(with_null, 2, &msg),
                     CD_EINVAL);
    assert_int_equal(mail_render_existing_user_invite(with_empty, 2, &msg),
                     CD_EINVAL);
    assert_int_equal(mail_render_existing_user_invite(only_crlf, 1, &msg),
                     CD_EINVAL);
    assert_null(msg.subject);
    assert_null(msg.body);
}

/* A string of n copies of c; the caller frees it. */
static char *filled(size_t n, char c)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_render_body_cap(void **state)
{
    struct mail_msg msg;
    size_t fixed;
    char *url;
    const char *names[1];

    (void)state;
    assert_int_equal(mail_render_reset("u", &msg), CD_OK);
    fixed = strlen(msg.body) - 1;
    mail_msg_release(&msg);

    url = filled(MAIL_BODY_MAX - fixed, 'u'); /* exactly at the cap */
    assert_int_equal(mail_render_reset(url, &msg), CD_OK);
    assert_int_equal(strlen(msg.body), MAIL_BODY_MAX);
    mail_msg_release(&msg);
    free(url);

    url = filled(MAIL_BODY_MAX - fixed + 1, 'u'); /* one past */
    assert_int_equal(mail_render_reset(url, &msg), CD_ETOOBIG);
    assert_null(msg.subject);
    assert_null(msg.body);
    free(url);

    /* The same cap holds for the account list. */
    assert_int_equal(mail_render_existing_user_invite((names[0] = "n", names),
                                                      1, &msg),
                     CD_OK);
    fixed = strlen(msg.body) - 1;
    mail_msg_release(&msg);
    names[0] = url = filled(MAIL_BODY_MAX - fixed, 'n');
    assert_int_equal(mail_render_existing_user_invite(names, 1, &msg), CD_OK);
    assert_int_equal(strlen(msg.body), MAIL_BODY_MAX);
    mail_msg_release(&msg);
    free(url);
    names[0] = url = filled(MAIL_BODY_MAX - fixed + 1, 'n');
    assert_int_equal(mail_render_existing_user_invite(names, 1, &msg),
                     CD_ETOOBIG);
    assert_null(msg.body);
    free(url);
}

static void test_locales(void **state)
{
    (void)state;
    assert_ptr_equal(mail_texts_find("en"), mail_texts_default());
    assert_string_equal(mail_texts_default()->locale, "en");
    assert_null(mail_texts_find("xx"));
    assert_null(mail_texts_find(NULL));
}

static void test_addr_check(void **state)
{
    char addr[MAIL_ADDR_MAX + 2];

    (void)state;
    assert_int_equal(mail_addr_check("a@b"), CD_OK);
    assert_int_equal(mail_addr_check("first.last+tag@mail.example.com"),
                     CD_OK);
    /* exactly at the cap, then one past */
    memset(addr, 'a', MAIL_ADDR_MAX);
    memcpy(addr + MAIL_ADDR_MAX - 12, "@example.com", 12);
    addr[MAIL_ADDR_MAX] = '\0';
    assert_int_equal(mail_addr_check(addr), CD_OK);
    memmove(addr + 1, addr, MAIL_ADDR_MAX + 1);
    assert_int_equal(strlen(addr), MAIL_ADDR_MAX + 1);
    assert_int_equal(mail_addr_check(addr), CD_EINVAL);

    const char *bad[] = {
        NULL, "", "ab", "@b", "a@", "a@b@c", "a b@c", "a@b\r\nBcc: x@y",
        "a@b\n", "a@b\r", "a\t@b", "<a@b>", "a@b,c@d", "a@b;c@d",
        "\"a\"@b", "a(c)@b", "a@b:25", "a\\@b", "a\x7f@b",
    };
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        if (mail_addr_check(bad[i]) != CD_EINVAL)
            fail_msg("accepted bad address #%zu", i);
    }
}

static void test_format_date(void **state)
{
    char d[48];

    (void)state;
    mail_format_date(d, sizeof(d), 0);
    assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 +0000");
    mail_format_date(d, sizeof(d), 1136214245);
    assert_string_equal(d, "Mon, 02 Jan 2006 15:04:05 +0000");
    mail_format_date(d, sizeof(d), 1709164800); /* leap day */
    assert_string_equal(d, "Thu, 29 Feb 2024 00:00:00 +0000");
}

static void test_addr_spec(void **state)
{
    size_t len;
    const char *p;

    (void)state;
    p = mail_addr_spec("Candor <no-reply@example.com>", &len);
    assert_int_equal(len, strlen("no-reply@example.com"));
    assert_memory_equal(p, "no-reply@example.com", len);
    p = mail_addr_spec("  a@b.c ", &len);
    assert_int_equal(len, 5);
    assert_memory_equal(p, "a@b.c", 5);
}

/* Every line of s (CRLF-terminated) is at most max characters long. */
static void assert_lines_at_most(const char *s, size_t max)
{
    while (*s != '\0') {
        const char *e = strstr(s, "\r\n");

        assert_non_null(e);
        if ((size_t)(e - s) > max)
            fail_msg("line of %zu characters: %.*s", (size_t)(e - s),
                     (int)(e - s), s);
        s = e + 2;
    }
}

static void test_subject_ascii_folds(void **state)
{
    struct buf b = BUF_INIT(4096);
    const char *long_subject =
        "You have been added to additional accounts on Offen Fair Web "
        "Analytics, and this subject is long enough to need folding twice "
        "over the limit.";
    char *back;

    (void)state;
    assert_int_equal(mail_add_subject(&b, "Reset your password"), CD_OK);
    assert_string_equal(b.ptr, "Subject: Reset your password\r\n");
    buf_reset(&b);
    assert_int_equal(mail_add_subject(&b, long_subject), CD_OK);
    assert_lines_at_most(b.ptr, MAIL_LINE_MAX);
    assert_non_null(strstr(b.ptr, "\r\n "));
    back = subject_decode(b.ptr);
    assert_string_equal(back, long_subject);
    free(back);
    buf_release(&b);
}

/* 1 if p[0..n) is a sequence of complete UTF-8 characters. */
static int whole_utf8(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = p[i] < 0x80 ? 1 : p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3
                 : p[i] >= 0xc0 ? 2 : 0;

        if (k == 0 || i + k > n)
            return 0;
        for (size_t j = 1; j < k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return 0;
        }
        i += k;
    }
    return 1;
}

static void test_subject_encoded_words(void **state)
{
    struct buf b = BUF_INIT(4096);
    /* 3-byte characters, so a 39-byte chunk must never split one. */
    const char *s = "Passwort zur\xc3\xbc" "cksetzen \xe2\x82\xac\xe2\x82\xac"
                    "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2"
                    "\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
                    "\xe2\x82\xac \xf0\x9f\x94\x91 Schl\xc3\xbcssel";
    char *back;

    (void)state;
    assert_int_equal(mail_add_subject(&b, s), CD_OK);
    assert_true(strncmp(b.ptr, "Subject: =?utf-8?B?", 19) == 0);
    assert_lines_at_most(b.ptr, MAIL_LINE_MAX);
    back = subject_decode(b.ptr);
    assert_string_equal(back, s);
    free(back);
    /* each encoded word decodes to whole UTF-8 characters */
    for (const char *w = strstr(b.ptr, "=?utf-8?B?"); w != NULL;
         w = strstr(w + 1, "=?utf-8?B?")) {
        unsigned char dec[64];
        size_t got = 0;
        const char *q = strstr(w + 10, "?=");

        assert_int_equal(base64_decode(dec, sizeof(dec), &got, w + 10,
                                       (size_t)(q - w - 10)),
                         CD_OK);
        assert_true(got > 0);
        assert_true(whole_utf8(dec, got));
    }
    buf_release(&b);
}

static void test_quoted_printable(void **state)
{
    struct buf b = BUF_INIT(64 * 1024);
    char body[2048];
    char *back;
    char *long_line = filled(300, 'x');

    (void)state;
    snprintf(body, sizeof(body),
             "Caf\xc3\xa9 = 100%%\n"
             "trailing space \n"
             "trailing tab\t\n"
             "\n"
             ".dot line\n"
             "%s\n"
             "=\xc3\xa9=\xc3\xa9=\xc3\xa9=\xc3\xa9=\xc3\xa9=\xc3\xa9=\xc3\xa9"
             "=\xc3\xa9=\xc3\xa9=\xc3\xa9=\xc3\xa9=\xc3\xa9=\xc3\xa9\n"
             "ctrl\x01\r",
             long_line);
    free(long_line);
    assert_int_equal(mail_add_qp(&b, body), CD_OK);
    assert_lines_at_most(b.ptr, 76);
    assert_non_null(strstr(b.ptr, "Caf=C3=A9 =3D 100%\r\n"));
    assert_non_null(strstr(b.ptr, "trailing space=20\r\n"));
    assert_non_null(strstr(b.ptr, "trailing tab=09\r\n"));
    for (const unsigned char *p = (const unsigned char *)b.ptr; *p; p++)
        assert_true(*p == '\r' || *p == '\n' || (*p >= 0x20 && *p < 0x7f));
    back = qp_decode(b.ptr);
    assert_string_equal(back, body);
    free(back);
    buf_release(&b);
}

/* Split a composed message at the blank line. */
static const char *body_of(const char *wire)
{
    const char *p = strstr(wire, "\r\n\r\n");

    assert_non_null(p);
    return p + 4;
}

static void test_compose_headers(void **state)
{
    struct buf b = BUF_INIT(MAIL_WIRE_MAX);
    static const char want_head[] =
        "Date: Mon, 02 Jan 2006 15:04:05 +0000\r\n"
        "From: CandorBcc: x@y <no-reply@ex.org>\r\n"
        "To: someone@example.com\r\n"
        "Subject: Reset your password\r\n"
        "Message-ID: <";
    struct mail_msg msg;
    const char *mid;
    char *text;

    (void)state;
    assert_int_equal(mail_render_reset(RESET_URL, &msg), CD_OK);
    assert_int_equal(mail_compose(&b, "Candor\r\nBcc: x@y <no-reply@ex.org>",
                                  "someone@example.com", &msg, 1136214245),
                     CD_OK);
    assert_true(strncmp(b.ptr, want_head, sizeof(want_head) - 1) == 0);
    mid = strstr(b.ptr, "Message-ID: <");
    assert_int_equal(strspn(mid + 13, "0123456789abcdef"), 32);
    assert_true(strncmp(mid + 45, "@ex.org>\r\n", 10) == 0);
    assert_non_null(strstr(b.ptr, "\r\nMIME-Version: 1.0\r\n"
                                  "Content-Type: text/plain; charset=utf-8\r\n"
                                  "Content-Transfer-Encoding: 7bit\r\n"
                                  "User-Agent: Candor\r\n"
                                  "X-Mailer: Candor\r\n\r\n"));
    assert_null(strstr(b.ptr, "\r\nBcc"));
    /* the 7bit body is the rendered body with CRLF line ends */
    text = crlf_to_lf(body_of(b.ptr));
    assert_string_equal(text, reset_body);
    free(text);
    assert_null(strstr(body_of(b.ptr), "\n\n"));
    assert_int_equal(b.ptr[b.len - 2], '\r');
    assert_int_equal(b.ptr[b.len - 1], '\n');
    mail_msg_release(&msg);
    buf_release(&b);
}

static void test_compose_non_ascii(void **state)
{
    struct buf b = BUF_INIT(MAIL_WIRE_MAX);
    const char *names[] = {"Caf\xc3\xa9 & Co"};
    struct mail_msg msg;
    char *back;

    (void)state;
    assert_int_equal(mail_render_existing_user_invite(names, 1, &msg), CD_OK);
    assert_int_equal(mail_compose(&b, "a@b.example", "c@d.example", &msg, 0),
                     CD_OK);
    assert_non_null(strstr(b.ptr,
                           "\r\nContent-Transfer-Encoding: quoted-printable"
                           "\r\n"));
    assert_non_null(strstr(b.ptr, "\r\n- Caf=C3=A9 & Co\r\n"));
    assert_non_null(strstr(b.ptr, "Message-ID: <"));
    assert_non_null(strstr(b.ptr, "@b.example>\r\n"));
    back = qp_decode(body_of(b.ptr));
    assert_string_equal(back, msg.body);
    free(back);
    mail_msg_release(&msg);
    buf_release(&b);

    /* a sender whose domain is not a plain host name: localhost */
    msg.subject = (char *)"s";
    msg.body = (char *)"b";
    assert_int_equal(mail_compose(&b, "weird", "c@d.example", &msg, 0), CD_OK);
    assert_non_null(strstr(b.ptr, "@localhost>\r\n"));
    buf_release(&b);
}

static void test_loopback(void **state)
{
    const char *yes[] = {"localhost", "LocalHost", "localhost.", "127.0.0.1",
                         "127.1.2.3", "127.255.255.255", "::1", "[::1]",
                         "::ffff:127.0.0.1", "[::ffff:127.9.9.9]"};
    const char *no[] = {"", "mail.example.com", "localhost.example.com",
                        "128.0.0.1", "10.0.0.1", "126.255.255.255", "::2",
                        "::", "0.0.0.0", "::ffff:10.0.0.1", "127.1",
                        "[127.0.0.1", "localhostx", "1.127.0.0"};

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(yes); i++) {
        if (!mail_host_is_loopback(yes[i]))
            fail_msg("%s should count as loopback", yes[i]);
    }
    for (size_t i = 0; i < CD_ARRAY_SIZE(no); i++) {
        if (mail_host_is_loopback(no[i]))
            fail_msg("%s should not count as loopback", no[i]);
    }
}

/* ---- the log fallback ----------------------------------------------------- */

struct capture {
    int saved; /* the real stderr */
    int rd;    /* read end of the pipe now on fd 2 */
};

static void capture_start(struct capture *c)
{
    int p[2];

    assert_int_equal(pipe(p), 0);
    fflush(stderr);
    c->saved = dup(STDERR_FILENO);
    assert_true(c->saved >= 0);
    assert_true(dup2(p[1], STDERR_FILENO) >= 0);
    close(p[1]);
    c->rd = p[0];
}

/* Restore stderr and return what was written meanwhile (caller frees). */
static char *capture_end(struct capture *c)
{
    struct buf b = BUF_INIT(1024 * 1024);
    char chunk[4096];
    ssize_t n;

    fflush(stderr);
    assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
    close(c->saved);
    while ((n = read(c->rd, chunk, sizeof(chunk))) > 0)
        assert_int_equal(buf_add(&b, chunk, (size_t)n), CD_OK);
    close(c->rd);
    return buf_detach(&b, NULL);
}

static void test_log_fallback(void **state)
{
    struct config cfg = mail_test_config(NULL, 587, NULL);
    struct cd_error err = {0};
    struct mailer *m = mailer_new(&cfg);
    struct mail_msg msg;
    struct capture cap;
    const char *first, *last;
    char *out;
    int rc;

    (void)state;
    assert_true(mailer_logs_only(m));
    assert_int_equal(mail_render_reset(RESET_URL, &msg), CD_OK);
    capture_start(&cap);
    rc = mailer_send(m, "someone@example.com", &msg, &err);
    out = capture_end(&cap);
    assert_int_equal(rc, CD_OK);
    first = strstr(out, "level=info msg=\"=========\"\n");
    assert_non_null(first);
    last = strstr(first + 1, "level=info msg=\"=========\"\n");
    assert_non_null(last);
    assert_non_null(strstr(out, "msg=\"To: someone@example.com\""));
    assert_non_null(strstr(out, "msg=\"From: Candor <no-reply@example.com>\""));
    assert_non_null(strstr(out, "msg=\"Subject: Reset your password\""));
    assert_non_null(strstr(out, "msg=\"Hi!\""));
    assert_non_null(strstr(out, "msg=\"" RESET_URL "\""));
    assert_non_null(strstr(out, "msg=\"The link is valid for 24 hours"));
    /* everything sits between the two markers */
    assert_true(strstr(out, "msg=\"To: ") > first);
    assert_true(strstr(out, "request a new link.\"\n") < last);
    free(out);

    /* a bad recipient is refused before anything is logged */
    capture_start(&cap);
    rc = mailer_send(m, "a@b\r\nBcc: c@d", &msg, &err);
    out = capture_end(&cap);
    assert_int_equal(rc, CD_EINVAL);
    assert_non_null(strstr(err.msg, "recipient"));
    assert_string_equal(out, "");
    free(out);
    mail_msg_release(&msg);
    mailer_free(m);
    mailer_free(NULL);
}

static void test_development_logs_even_with_smtp(void **state)
{
    char host[] = "127.0.0.1";
    struct config cfg = mail_test_config(host, 1, NULL);
    struct cd_error err = {0};
    struct mailer *m;
    struct mail_msg msg = {(char *)"s", (char *)"line one\n\nline three"};
    struct capture cap;
    char *out;
    int rc;

    (void)state;
    m = mailer_new(&cfg);
    assert_false(mailer_logs_only(m)); /* SMTP host set */
    mailer_free(m);
    cfg.app_development = 1;
    m = mailer_new(&cfg);
    assert_true(mailer_logs_only(m));
    capture_start(&cap);
    rc = mailer_send(m, "x@y.example", &msg, &err); /* port 1: not used */
    out = capture_end(&cap);
    assert_int_equal(rc, CD_OK);
    assert_non_null(strstr(out, "msg=\"line one\"\n"));
    assert_non_null(strstr(out, "msg=\"\"\n"));
    assert_non_null(strstr(out, "msg=\"line three\"\n"));
    free(out);
    mailer_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_reset),
        cmocka_unit_test(test_render_new_user_invite),
        cmocka_unit_test(test_render_existing_user_invite),
        cmocka_unit_test(test_render_strips_control_characters),
        cmocka_unit_test(test_render_rejects_empty_values),
        cmocka_unit_test(test_render_body_cap),
        cmocka_unit_test(test_locales),
        cmocka_unit_test(test_addr_check),
        cmocka_unit_test(test_format_date),
        cmocka_unit_test(test_addr_spec),
        cmocka_unit_test(test_subject_ascii_folds),
        cmocka_unit_test(test_subject_encoded_words),
        cmocka_unit_test(test_quoted_printable),
        cmocka_unit_test(test_compose_headers),
        cmocka_unit_test(test_compose_non_ascii),
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_log_fallback),
        cmocka_unit_test(test_development_logs_even_with_smtp),
    };

    log_set_level(LOG_INFO);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
