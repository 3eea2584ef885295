/* test_smtp.c -- mail/mailer.c against a real SMTP server.
 *
 * Each test that delivers starts tests/mail/smtp_sink.py (Debian's
 * python3-aiosmtpd) on 127.0.0.1 and a free port, sends with
 * mailer_send(), and reads back what the server stored: envelope, headers,
 * body, and the AUTH mechanism used (PLAIN, LOGIN, CRAM-MD5). Failures are
 * real too: wrong password, missing AUTH, STARTTLS required but not
 * offered, nothing listening, a server that never answers. A missing
 * python3-aiosmtpd fails the tests with a message; nothing is skipped.
 *
 * The test includes mailer.c (as h2o's unit tests do) to reach struct
 * mailer: the TLS policy is checked field by field, and two tests tighten
 * a mailer (STARTTLS required on loopback, a 2 s timeout) to exercise
 * those paths without a non-loopback server or a 15 s wait.
 */
#include "common/common.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/mailer.c"

#include "mail_test_util.h"

#define SINK_SCRIPT CANDOR_SOURCE_DIR "/tests/mail/smtp_sink.py"
#define SINK_START_S 20
#define SINK_USER "operator@example.com"
#define SINK_PASSWORD "s3cret pass"

struct sink {
    pid_t pid;          /* the python process, or 0 */
    int port;
    char dir[256];      /* mkdtemp folder: port file, log, messages */
};

/* ---- the sink --------------------------------------------------------------- */

static const char *sink_python(void)
{
    /* python3-aiosmtpd belongs to Debian's python, whatever PATH says. */
    return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3"
                                                  : "python3";
}

static void sink_path(const struct sink *s, const char *name, char *out)
{
    snprintf(out, PATH_MAX, "%s/%s", s->dir, name);
}

static void sink_exec(const struct sink *s, const char *auth)
{
    char portfile[PATH_MAX], log[PATH_MAX];
    const char *py = sink_python();
    int fd;

    sink_path(s, "port", portfile);
    sink_path(s, "sink.log", log);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
    }
    if (auth != NULL)
        execlp(py, py, SINK_SCRIPT, portfile, s->dir, "--auth", auth,
               (char *)NULL);
    else
        execlp(py, py, SINK_SCRIPT, portfile, s->dir, (char *)NULL);
    fprintf(stderr, "cannot run %s: %s\n", py, strerror(errno));
    _exit(127);
}

/* Stop the sink (if running) and remove its folder. */
static void sink_stop(struct sink *s)
{
    char path[PATH_MAX];

    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    for (int i = 1; i <= 64; i++) {
        char name[32];

        snprintf(name, sizeof(name), "%d.eml", i);
        sink_path(s, name, path);
        unlink(path);
        snprintf(name, sizeof(name), "%d.meta", i);
        sink_path(s, name, path);
        unlink(path);
    }
    sink_path(s, "port", path);
    unlink(path);
    sink_path(s, "sink.log", path);
    unlink(path);
    rmdir(s->dir);
}

/* Start the sink and wait until it has written its port. */
static void sink_start(struct sink *s, const char *auth)
{
    const char *tmp = getenv("TMPDIR");
    char portfile[PATH_MAX], log[PATH_MAX];

    snprintf(s->dir, sizeof(s->dir), "%s/candor-mail-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    assert_non_null(mkdtemp(s->dir));
    sink_path(s, "port", portfile);
    sink_path(s, "sink.log", log);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0)
        sink_exec(s, auth);
    for (int i = 0; i < SINK_START_S * 20; i++) {
        FILE *f = fopen(portfile, "r");
        int status;

        if (f != NULL) {
            assert_int_equal(fscanf(f, "%d", &s->port), 1);
            fclose(f);
            return;
        }
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            static char text[2048];
            FILE *lf = fopen(log, "r");
            size_t n = lf ? fread(text, 1, sizeof(text) - 1, lf) : 0;

            if (lf != NULL)
                fclose(lf);
            text[n] = '\0';
            s->pid = 0;
            sink_stop(s);
            fail_msg("the SMTP sink (%s) exited with status %d: %s\n"
                     "It needs Debian's python3-aiosmtpd: run "
                     "`tools/deps.sh ensure test`.",
                     SINK_SCRIPT, WEXITSTATUS(status), text);
        }
        usleep(50 * 1000);
    }
    sink_stop(s);
    fail_msg("the SMTP sink did not start within %d s", SINK_START_S);
}

static int sink_setup(void **state, const char *auth)
{
    static struct sink sink; /* one at a time; nothing to free on failure */

    memset(&sink, 0, sizeof(sink));
    *state = &sink;
    sink_start(&sink, auth);
    return 0;
}

static int setup_plain(void **state)
{
    return sink_setup(state, NULL);
}

static int setup_auth(void **state)
{
    return sink_setup(state, SINK_USER ":" SINK_PASSWORD);
}

/* Runs after failed tests too. */
static int sink_teardown(void **state)
{
    struct sink *s = *state;

    if (s != NULL)
        sink_stop(s);
    return 0;
}

/* Messages stored so far (they are numbered 1, 2, ...). */
static int sink_count(const struct sink *s)
{
    char path[PATH_MAX], name[32];
    int n = 0;

    for (;;) {
        snprintf(name, sizeof(name), "%d.meta", n + 1);
        sink_path(s, name, path);
        if (access(path, F_OK) != 0)
            return n;
        n++;
    }
}

static char *sink_read(const struct sink *s, int n, const char *ext)
{
    char path[PATH_MAX], name[32];

    snprintf(name, sizeof(name), "%d.%s", n, ext);
    sink_path(s, name, path);
    return read_text_file(path);
}

/* ---- helpers ---------------------------------------------------------------- */

static struct mailer *loopback_mailer(int port, const char *auth_type,
                                      const char *user, const char *password)
{
    static char host[] = "127.0.0.1";
    struct config cfg = mail_test_config(host, port, (char *)auth_type);

    cfg.smtp_user = (char *)user;
    cfg.smtp_password = (char *)password;
    return mailer_new(&cfg);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A loopback TCP socket on a free port; listening or merely bound. */
static int loopback_socket(int listening, int *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    if (listening)
        assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static void send_ok(struct mailer *m, const char *to,
                    const struct mail_msg *msg)
{
    struct cd_error err = {0};
    int rc = mailer_send(m, to, msg, &err);

    if (rc != CD_OK)
        fail_msg("mailer_send: %d %s", rc, err.msg);
}

/* ---- configuration (no network) --------------------------------------------- */

static void test_tls_policy_and_auth(void **state)
{
    char remote[] = "smtp.example.com", local[] = "localhost";
    char v6[] = "::1", bad[] = "mail.example.com/x?";
    struct config cfg = mail_test_config(remote, 587, NULL);
    struct cd_error err = {0};
    char url[320];
    struct mailer *m;

    (void)state;
    cfg.smtp_user = (char *)"u";
    cfg.smtp_password = (char *)"p";
    m = mailer_new(&cfg);
    assert_int_equal(m->use_ssl, (long)CURLUSESSL_ALL);
    assert_int_equal(m->timeout_s, 15);
    assert_int_equal(m->connect_timeout_s, 10);
    assert_string_equal(m->login_options, "AUTH=LOGIN"); /* the default */
    assert_string_equal(m->user, "u");
    assert_string_equal(m->password, "p");
    assert_int_equal(build_url(m, url, sizeof(url), &err), CD_OK);
    assert_string_equal(url, "smtp://smtp.example.com:587");
    mailer_free(m);

    cfg.smtp_port = 465;
    cfg.smtp_auth_type = (char *)"CRAM-MD5";
    m = mailer_new(&cfg);
    assert_int_equal(build_url(m, url, sizeof(url), &err), CD_OK);
    assert_string_equal(url, "smtps://smtp.example.com:465");
    assert_string_equal(m->login_options, "AUTH=CRAM-MD5");
    mailer_free(m);

    cfg.smtp_host = local;
    cfg.smtp_auth_type = (char *)"plain";
    m = mailer_new(&cfg);
    assert_int_equal(m->use_ssl, (long)CURLUSESSL_TRY);
    assert_string_equal(m->login_options, "AUTH=PLAIN");
    mailer_free(m);

    cfg.smtp_host = v6;
    cfg.smtp_port = 2525;
    cfg.smtp_auth_type = (char *)"NOAUTH";
    m = mailer_new(&cfg);
    assert_int_equal(m->use_ssl, (long)CURLUSESSL_TRY);
    assert_null(m->user); /* NOAUTH: credentials are never sent */
    assert_null(m->password);
    assert_int_equal(build_url(m, url, sizeof(url), &err), CD_OK);
    assert_string_equal(url, "smtp://[::1]:2525");
    mailer_free(m);

    cfg.smtp_host = bad;
    cfg.smtp_auth_type = (char *)"LOGIN";
    cfg.smtp_user = NULL; /* no user: no credentials either */
    m = mailer_new(&cfg);
    assert_null(m->user);
    assert_int_equal(build_url(m, url, sizeof(url), &err), CD_EINVAL);
    mailer_free(m);
}

static void test_bad_host_and_sender_fail_before_connecting(void **state)
{
    char bad[] = "mail.example.com/x?", host[] = "127.0.0.1";
    char sender[] = "not an address";
    struct config cfg = mail_test_config(bad, 25, (char *)"NOAUTH");
    struct mail_msg msg = {(char *)"s", (char *)"b"};
    struct cd_error err = {0};
    struct mailer *m = mailer_new(&cfg);

    (void)state;
    assert_int_equal(mailer_send(m, "a@b.example", &msg, &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "SMTP host"));
    mailer_free(m);

    cfg.smtp_host = host;
    cfg.smtp_port = 1;
    cfg.smtp_sender = sender;
    m = mailer_new(&cfg);
    assert_int_equal(mailer_send(m, "a@b.example", &msg, &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "sender"));
    assert_int_equal(mailer_send(m, "a@b.example\r\nX: y", &msg, &err),
                     CD_EINVAL);
    assert_non_null(strstr(err.msg, "recipient"));
    assert_int_equal(mailer_send(m, "a@b.example", NULL, &err), CD_EINVAL);
    mailer_free(m);
}

/* ---- delivery ----------------------------------------------------------------- */

static void check_reset_mail(const struct sink *s, int n, const char *url)
{
    char *meta = sink_read(s, n, "meta");
    char *eml = sink_read(s, n, "eml");
    const char *hdr_end = strstr(eml, "\r\n\r\n");
    char *body;
    char want[2048];
    char day[4], mon[4];
    int dd, yy, hh, mi, ss;
    const char *date = strstr(eml, "Date: ");

    assert_string_equal(meta, "mail_from: no-reply@example.com\n"
                              "rcpt_to: someone@example.com\n"
                              "auth: -\n");
    assert_non_null(hdr_end);
    assert_non_null(strstr(eml, "From: Candor <no-reply@example.com>\r\n"));
    assert_non_null(strstr(eml, "\r\nTo: someone@example.com\r\n"));
    assert_non_null(strstr(eml, "\r\nSubject: Reset your password\r\n"));
    assert_non_null(strstr(eml, "\r\nMIME-Version: 1.0\r\n"));
    assert_non_null(strstr(eml, "\r\nContent-Type: text/plain; "
                                "charset=utf-8\r\n"));
    assert_non_null(strstr(eml, "\r\nContent-Transfer-Encoding: 7bit\r\n"));
    assert_non_null(strstr(eml, "\r\nUser-Agent: Candor\r\n"));
    assert_non_null(strstr(eml, "\r\nX-Mailer: Candor\r\n"));
    assert_non_null(strstr(eml, "@example.com>\r\n"));
    assert_non_null(strstr(eml, "\r\nMessage-ID: <"));
    assert_non_null(date);
    assert_int_equal(sscanf(date, "Date: %3s, %2d %3s %4d %2d:%2d:%2d +0000",
                            day, &dd, mon, &yy, &hh, &mi, &ss),
                     7);
    assert_true(yy >= 2024);
    snprintf(want, sizeof(want),
             "Hi!\n\nYou have requested to reset your password. To do so, "
             "visit the following link:\n\n%s\n\nThe link is valid for 24 "
             "hours after this email has been sent. In case you have missed "
             "this deadline, you can always request a new link.",
             url);
    body = crlf_to_lf(hdr_end + 4);
    assert_string_equal(body, want);
    free(body);
    free(eml);
    free(meta);
}

static void test_deliver(void **state)
{
    struct sink *s = *state;
    const char *url = "https://analytics.example/reset/?t=a+b&c=%3D";
    const char *names[] = {"Caf\xc3\xa9 & Co", "Second"};
    struct mail_msg msg;
    struct mailer *m = loopback_mailer(s->port, "NOAUTH", NULL, NULL);
    char *eml, *decoded, *subject;

    assert_false(mailer_logs_only(m));
    assert_int_equal(mail_render_reset(url, &msg), CD_OK);
    send_ok(m, "someone@example.com", &msg);
    mail_msg_release(&msg);
    assert_int_equal(sink_count(s), 1);
    check_reset_mail(s, 1, url);

    /* non-ASCII account names: quoted-printable, decoded back exactly */
    assert_int_equal(mail_render_existing_user_invite(names, 2, &msg), CD_OK);
    send_ok(m, "someone@example.com", &msg);
    eml = sink_read(s, 2, "eml");
    assert_non_null(strstr(eml, "Content-Transfer-Encoding: "
                                "quoted-printable\r\n"));
    subject = subject_decode(strstr(eml, "\r\nSubject:") + 2);
    assert_string_equal(subject, msg.subject);
    decoded = qp_decode(strstr(eml, "\r\n\r\n") + 4);
    assert_string_equal(decoded, msg.body);
    free(subject);
    free(decoded);
    free(eml);
    mail_msg_release(&msg);
    mailer_free(m);
}

static void test_deliver_dot_lines_and_localhost(void **state)
{
    struct sink *s = *state;
    char host[] = "localhost";
    struct config cfg = mail_test_config(host, s->port, (char *)"NOAUTH");
    /* a lone "." would end the DATA phase if it were not dot-stuffed */
    struct mail_msg msg = {(char *)"Dots",
                           (char *)".\n..two\n.three\nend"};
    struct mailer *m = mailer_new(&cfg);
    char *eml;

    send_ok(m, "x@y.example", &msg);
    assert_int_equal(sink_count(s), 1);
    eml = sink_read(s, 1, "eml");
    assert_non_null(strstr(eml, "\r\n\r\n.\r\n..two\r\n.three\r\nend\r\n"));
    free(eml);
    mailer_free(m);
}

static void test_deliver_with_auth(void **state)
{
    static const char *const mechs[] = {"LOGIN", "PLAIN", "CRAM-MD5"};
    struct sink *s = *state;
    struct mail_msg msg;

    assert_int_equal(mail_render_new_user_invite("https://a.example/j", &msg),
                     CD_OK);
    for (size_t i = 0; i < CD_ARRAY_SIZE(mechs); i++) {
        struct mailer *m = loopback_mailer(s->port, mechs[i], SINK_USER,
                                           SINK_PASSWORD);
        char want[128];
        char *meta;

        send_ok(m, "invitee@example.com", &msg);
        assert_int_equal(sink_count(s), (int)i + 1);
        meta = sink_read(s, (int)i + 1, "meta");
        snprintf(want, sizeof(want), "auth: %s:%s\n", mechs[i], SINK_USER);
        if (strstr(meta, want) == NULL)
            fail_msg("want \"%s\" in %s", want, meta);
        free(meta);
        mailer_free(m);
    }
    mail_msg_release(&msg);
}

static void test_auth_failures(void **state)
{
    struct sink *s = *state;
    struct mail_msg msg = {(char *)"s", (char *)"b"};
    struct cd_error err = {0};
    struct mailer *m;

    /* wrong password: refused, and the password is not in the error */
    m = loopback_mailer(s->port, "PLAIN", SINK_USER, "wrong-password");
    assert_int_equal(mailer_send(m, "victim@example.com", &msg, &err),
                     CD_EIO);
    assert_non_null(strstr(err.msg, "Login denied"));
    assert_null(strstr(err.msg, "wrong-password"));
    assert_null(strstr(err.msg, "victim"));
    mailer_free(m);

    /* the same through the challenge-response mechanism */
    m = loopback_mailer(s->port, "CRAM-MD5", SINK_USER, "wrong-password");
    assert_int_equal(mailer_send(m, "a@b.example", &msg, &err), CD_EIO);
    assert_non_null(strstr(err.msg, "Login denied"));
    mailer_free(m);

    /* NOAUTH against a server that requires it: MAIL FROM is refused */
    m = loopback_mailer(s->port, "NOAUTH", SINK_USER, SINK_PASSWORD);
    assert_int_equal(mailer_send(m, "a@b.example", &msg, &err), CD_EIO);
    assert_non_null(strstr(err.msg, "530"));
    mailer_free(m);
    assert_int_equal(sink_count(s), 0);
}

static void test_starttls_required_is_enforced(void **state)
{
    struct sink *s = *state;
    struct mail_msg msg = {(char *)"s", (char *)"secret body"};
    struct cd_error err = {0};
    struct mailer *m = loopback_mailer(s->port, "NOAUTH", NULL, NULL);

    /* What a non-loopback host gets; the sink offers no STARTTLS. */
    m->use_ssl = CURLUSESSL_ALL;
    assert_int_equal(mailer_send(m, "a@b.example", &msg, &err), CD_EIO);
    assert_non_null(strstr(err.msg, "SSL"));
    assert_int_equal(sink_count(s), 0);
    mailer_free(m);
}

/* ---- nothing there, or nobody answering -------------------------------------- */

static void test_connection_refused(void **state)
{
    struct mail_msg msg = {(char *)"s", (char *)"b"};
    struct cd_error err = {0};
    struct mailer *m;
    double t0;
    int port, rc;
    int fd = loopback_socket(0, &port); /* bound, not listening: RST */

    (void)state;
    m = loopback_mailer(port, "LOGIN", "user", "hunter2");
    t0 = now_s();
    rc = mailer_send(m, "someone@example.com", &msg, &err);
    assert_int_equal(rc, CD_EIO);
    assert_true(now_s() - t0 < 5.0);
    assert_non_null(strstr(err.msg, "smtp://127.0.0.1:"));
    assert_null(strstr(err.msg, "someone"));
    assert_null(strstr(err.msg, "hunter2"));
    mailer_free(m);
    close(fd);
}

static void test_silent_server_times_out(void **state)
{
    struct mail_msg msg = {(char *)"s", (char *)"b"};
    struct cd_error err = {0};
    struct mailer *m;
    double t0, took;
    int port, rc;
    int fd = loopback_socket(1, &port); /* accepts, never greets */

    (void)state;
    m = loopback_mailer(port, "NOAUTH", NULL, NULL);
    m->timeout_s = 2;
    t0 = now_s();
    rc = mailer_send(m, "someone@example.com", &msg, &err);
    took = now_s() - t0;
    assert_int_equal(rc, CD_EIO);
    if (took < 1.5 || took > 8.0)
        fail_msg("gave up after %.1f s, want about 2", took);
    assert_non_null(strstr(err.msg, "Timeout"));
    mailer_free(m);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_policy_and_auth),
        cmocka_unit_test(test_bad_host_and_sender_fail_before_connecting),
        cmocka_unit_test_setup_teardown(test_deliver, setup_plain,
                                        sink_teardown),
        cmocka_unit_test_setup_teardown(test_deliver_dot_lines_and_localhost,
                                        setup_plain, sink_teardown),
        cmocka_unit_test_setup_teardown(test_deliver_with_auth, setup_auth,
                                        sink_teardown),
        cmocka_unit_test_setup_teardown(test_auth_failures, setup_auth,
                                        sink_teardown),
        cmocka_unit_test_setup_teardown(test_starttls_required_is_enforced,
                                        setup_plain, sink_teardown),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_silent_server_times_out),
    };
    int failed;

    if (mail_global_init() != CD_OK) {
        fprintf(stderr, "curl_global_init failed\n");
        return 1;
    }
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    mail_global_cleanup();
    return failed;
}
