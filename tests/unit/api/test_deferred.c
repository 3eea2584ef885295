/* test_deferred.c -- answers that wait for the group commit, end to end.
 *
 * A real HTTP server (http/server.h) with a test route whose handler queues
 * a write to the real group-commit writer (store.h) and answers only after
 * the writer reports the commit, through the loop mailbox. This is the path
 * event ingestion takes: it must answer every request exactly once, never
 * answer a client that went away, and every 201 must be a committed row.
 */
#include "common/common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "http/http.h"
#include "http/server.h"
#include "store/store.h"

struct fixture {
    char dir[64];
    char db[128];
    struct store_writer *writer;
    struct http_server *server;
    int port;
};

static struct fixture *fx_global;

struct pending {
    struct store_op op;
    struct http_defer *defer;
    struct http_loop *loop;
    int fail;
    int rc;
};

static int apply(struct store *st, struct store_op *op, struct cd_error *err)
{
    struct pending *p = (struct pending *)op;

    return store_exec(st, p->fail ? "INSERT INTO missing (v) VALUES (1)"
                                  : "INSERT INTO t (v) VALUES (1)", err);
}

/* On the loop thread: answer, unless the client is gone. */
static void answer(void *arg)
{
    struct pending *p = arg;
    struct http_req *r = http_defer_take(p->defer);

    if (r != NULL) {
        if (p->rc == CD_OK)
            http_reply(r, 201, "application/json", "{\"ack\":true}", 12);
        else
            http_reply_error(r, 503, "write failed");
    }
    free(p);
}

/* On the writer thread, after COMMIT: hand the result to the loop. */
static void done(struct store_op *op, int rc)
{
    struct pending *p = (struct pending *)op;

    p->rc = rc;
    http_loop_post(p->loop, answer, p);
}

static void h_write(struct http_req *r)
{
    struct pending *p = calloc(1, sizeof(*p));
    struct http_str v;

    p->op.apply = apply;
    p->op.done = done;
    p->loop = http_req_loop(r);
    p->fail = http_query_param(r, "fail", &v);
    p->defer = http_defer(r);
    store_writer_submit(fx_global->writer, &p->op);
}

static const struct route routes[] = {
    {"POST", "/write", h_write, ROUTE_NO_STORE},
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct cd_error err = {0};
    struct store *st = NULL;
    struct http_server_opts o = {
        .host = "127.0.0.1", .port = 0, .threads = 2,
        .max_header_bytes = 16384, .max_body_bytes = 65536,
        .request_timeout = 10, .max_conns_per_ip = 10000,
        .routes = routes, .nroutes = CD_ARRAY_SIZE(routes),
    };

    snprintf(f->dir, sizeof(f->dir), "/tmp/candor-deferred-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
    assert_int_equal(store_open(&st, CONFIG_DIALECT_SQLITE, f->db, &err), 0);
    assert_int_equal(store_migrate(st, &err), CD_OK);
    assert_int_equal(store_exec(st, "CREATE TABLE t (v INTEGER)", &err), 0);
    store_close(st);
    assert_int_equal(store_writer_start(&f->writer, CONFIG_DIALECT_SQLITE,
                                        f->db, &err), CD_OK);
    fx_global = f;
    assert_int_equal(http_server_start(&f->server, &o, &err), CD_OK);
    f->port = http_server_port(f->server);
    assert_true(f->port > 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[160];

    http_server_stop(f->server, 2000);
    store_writer_stop(f->writer);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static int connect_to(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One request on its own connection; returns the status or -1. */
static int post(int port, const char *path)
{
    char req[256], resp[1024];
    size_t got = 0;
    int fd = connect_to(port);
    int n, status = -1;

    if (fd < 0)
        return -1;
    n = snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: t\r\n"
                 "Content-Length: 0\r\nConnection: close\r\n\r\n", path);
    if (write(fd, req, (size_t)n) != n)
        goto out;
    while (got < sizeof(resp) - 1) {
        ssize_t k = read(fd, resp + got, sizeof(resp) - 1 - got);

        if (k <= 0)
            break;
        got += (size_t)k;
    }
    resp[got] = '\0';
    if (sscanf(resp, "HTTP/1.1 %d", &status) != 1)
        status = -1;
out:
    close(fd);
    return status;
}

static long count_rows(struct fixture *f)
{
    char cmd[256];
    long n = -1;
    FILE *p;

    /* Through the sqlite3 tool: an independent reader of the file. */
    snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'SELECT count(*) FROM t'", f->db);
    p = popen(cmd, "r");
    assert_non_null(p);
    if (fscanf(p, "%ld", &n) != 1)
        n = -1;
    pclose(p);
    return n;
}

#define CLIENTS 8
#define PER_CLIENT 40

struct client {
    int port;
    int created;
};

static void *client_main(void *arg)
{
    struct client *c = arg;

    for (int i = 0; i < PER_CLIENT; i++)
        c->created += post(c->port, "/write") == 201;
    return NULL;
}

static void test_every_ack_is_committed(void **state)
{
    struct fixture *f = *state;
    struct store_writer_stats stats;
    struct client c[CLIENTS];
    pthread_t t[CLIENTS];
    int created = 0;

    for (int i = 0; i < CLIENTS; i++) {
        c[i].port = f->port;
        c[i].created = 0;
        assert_int_equal(pthread_create(&t[i], NULL, client_main, &c[i]), 0);
    }
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(t[i], NULL);
        created += c[i].created;
    }
    assert_int_equal(created, CLIENTS * PER_CLIENT);
    assert_int_equal(count_rows(f), CLIENTS * PER_CLIENT);
    store_writer_stats(f->writer, &stats);
    /* concurrent requests shared transactions */
    assert_true(stats.batches <= stats.ops);
}

static void test_failed_write_is_not_acknowledged(void **state)
{
    struct fixture *f = *state;
    long before = count_rows(f);

    assert_int_equal(post(f->port, "/write?fail"), 503);
    assert_int_equal(post(f->port, "/write"), 201);
    assert_int_equal(count_rows(f), before + 1);
}

static void test_client_gone_before_answer(void **state)
{
    struct fixture *f = *state;
    const char *req = "POST /write HTTP/1.1\r\nHost: t\r\n"
                      "Content-Length: 0\r\n\r\n";

    /* Send and hang up at once, many times: the answers must be dropped,
     * not written into freed requests (ASan would catch that). */
    for (int i = 0; i < 200; i++) {
        int fd = connect_to(f->port);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
        close(fd);
    }
    /* The server still answers, and every write it took is committed. */
    assert_int_equal(post(f->port, "/write"), 201);
    usleep(200 * 1000);
    assert_true(count_rows(f) >= 1);
}

static void test_port_in_use_fails_cleanly(void **state)
{
    struct fixture *f = *state;
    struct cd_error err = {0};
    struct http_server *s = NULL;
    struct http_server_opts o = {
        .host = "127.0.0.1", .port = f->port, .threads = 1,
        .max_header_bytes = 16384, .max_body_bytes = 65536,
        .request_timeout = 10, .max_conns_per_ip = 10,
        .routes = routes, .nroutes = CD_ARRAY_SIZE(routes),
    };

    /* Our own listeners use SO_REUSEPORT, so take the port with a plain
     * socket to make it really busy. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};

    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    o.port = ntohs(a.sin_port);
    assert_int_equal(http_server_start(&s, &o, &err), CD_EIO);
    assert_null(s);
    assert_non_null(strstr(err.msg, "cannot listen"));
    close(fd);
    o.host = "not an address";
    assert_int_equal(http_server_start(&s, &o, &err), CD_EINVAL);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_ack_is_committed),
        cmocka_unit_test(test_failed_write_is_not_acknowledged),
        cmocka_unit_test(test_client_gone_before_answer),
        cmocka_unit_test(test_port_in_use_fails_cleanly),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
