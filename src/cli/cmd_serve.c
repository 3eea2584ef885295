/* cmd_serve.c -- `candor serve`: run the server until SIGINT or SIGTERM.
 *
 * Start-up order: configuration (invalid: exit 2), data folder and secret,
 * database migrations (single node only, as Offen), the group-commit writer,
 * then the HTTP loops. Shutdown reverses it: stop accepting, let requests in
 * flight finish (20 s at most), drain the writer so every acknowledged write
 * is committed, close the database.
 */
#include "common/common.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include "api/api.h"
#include "api/expire.h"
#include "cli/cli.h"
#include "common/config.h"
#include "common/log.h"
#include "crypto/argon.h"
#include "http/server.h"
#include "mail/mail.h"
#include "store/store.h"

/* Requests in flight may wait on a worker: RSA key generation takes about
 * a second and sending mail up to its 15 s timeout. The loops stay up that
 * long so that no worker posts its answer to a loop that is gone; idle
 * connections close at once, so a quiet server stops immediately. */
#define SERVE_GRACE_MS 20000

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: candor serve [--envfile PATH]\n\n"
            "Run the Candor server until interrupted (SIGINT or SIGTERM).\n\n"
            "Options:\n");
    cli_usage_option(f, 18, "--envfile PATH", CLI_ENVFILE_HELP);
    fprintf(f,
            "  -h, --help      show this help\n\n"
            "Configuration comes from CANDOR_* (or OFFEN_*) variables; see\n"
            "docs/configuration.md. Exit status: 0 after a clean shutdown,\n"
            "1 when the server fails, 2 for bad options or configuration.\n");
}

/* The TLS files must load before we start serving: an unreadable file, a
 * file that is not PEM, or a key that does not match the certificate is a
 * configuration error (exit 2) naming the variable. */
static int check_tls_files(const struct config *cfg)
{
    struct cd_error err = {0};

    if (cfg->server_ssl_cert == NULL)
        return 0;
    if (http_tls_check(cfg->server_ssl_cert, cfg->server_ssl_key, &err) < 0) {
        fprintf(stderr, "candor: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int prepare_database(const struct config *cfg)
{
    struct cd_error err = {0};
    struct store *st = NULL;
    int rc;

    rc = store_open(&st, cfg->db_dialect, cfg->db_connection_string, &err);
    if (rc == CD_OK && cfg->app_single_node) {
        rc = store_migrate(st, &err);
        if (rc == CD_OK)
            log_info("Successfully applied database migrations");
    }
    store_close(st);
    if (rc < 0)
        log_error("database: %s", err.msg);
    return rc;
}

static int serve(const struct config *cfg, const sigset_t *signals)
{
    struct cd_error err = {0};
    struct api_app app;
    struct expire_job *expiry = NULL;
    struct http_server *server = NULL;
    struct http_server_opts opts = {
        .host = cfg->server_host,
        .port = cfg->server_port,
        .threads = cfg->server_threads,
        .max_header_bytes = cfg->server_max_header_bytes,
        .max_body_bytes = cfg->server_max_body_bytes,
        .request_timeout = cfg->server_request_timeout,
        .max_conns_per_ip = cfg->server_max_conns_per_ip,
        .access_log = !cfg->server_reverse_proxy,
        .ssl_cert = cfg->server_ssl_cert,
        .ssl_key = cfg->server_ssl_key,
        .http_port = cfg->server_http_port,
        .trusted_proxy = cfg->server_reverse_proxy,
        .routes = api_routes,
        .nroutes = api_routes_count,
        .app = &app,
        .loop_init = api_loop_init,
        .loop_fini = api_loop_fini,
    };
    int sig = 0;

    if (api_app_init(&app, cfg, &err) < 0) {
        log_error("%s", err.msg);
        return CLI_EXIT_FAILURE;
    }
    if (store_writer_start(&app.writer, cfg->db_dialect,
                           cfg->db_connection_string, &err) < 0) {
        log_error("database writer: %s", err.msg);
        api_app_release(&app);
        return CLI_EXIT_FAILURE;
    }
    if (http_server_start(&server, &opts, &err) < 0) {
        log_error("%s", err.msg);
        store_writer_stop(app.writer);
        api_app_release(&app);
        return CLI_EXIT_FAILURE;
    }
    /* Single node: the hourly expiry runs here (Offen's cron). */
    if (cfg->app_single_node &&
        expire_job_start(&expiry, cfg, EXPIRE_INTERVAL_S, &err) < 0)
        log_error("%s", err.msg);
    if (http_server_http_port(server) >= 0)
        log_info("Redirecting plain HTTP on port %d to https",
                 http_server_http_port(server));
    log_info("Server now listening on port %d", http_server_port(server));
    log_info("Listening on %s://%s:%d/ with %d event loop%s",
             cfg->server_ssl_cert ? "https" : "http", cfg->server_host,
             http_server_port(server), cfg->server_threads,
             cfg->server_threads == 1 ? "" : "s");
    while (sigwait(signals, &sig) != 0)
        ;
    log_info("Received signal %d, shutting down", sig);
    expire_job_stop(expiry);
    http_server_stop(server, SERVE_GRACE_MS);
    api_app_release(&app); /* after the loops: workers post to them */
    store_writer_stop(app.writer);
    log_info("Gracefully shut down server");
    return CLI_EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option options[] = {
        {"envfile", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct config cfg;
    struct cd_error err = {0};
    const char *envfile = NULL;
    sigset_t signals;
    int c, rc;

    optind = 1;
    while ((c = getopt_long_only(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'e':
            envfile = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "candor serve: unexpected argument '%s'\n\n",
                argv[optind]);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    /* Block the stop signals before any thread exists, so every thread
     * inherits the mask and only sigwait() in serve() receives them. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Past a file-size limit (RLIMIT_FSIZE), write(2) must fail with EFBIG
     * so SQLite reports a full disk (503) instead of the process dying. */
    signal(SIGXFSZ, SIG_IGN);
    if (mail_global_init() < 0) { /* libcurl: once, before any thread */
        fprintf(stderr, "candor: cannot initialise the mail library\n");
        return CLI_EXIT_FAILURE;
    }

    if (config_load(&cfg, envfile, &err) < 0) {
        fprintf(stderr, "candor: %s\n", err.msg);
        config_release(&cfg);
        return CLI_EXIT_USAGE;
    }
    log_set_level((enum log_level)cfg.app_log_level);
    if (cfg.argon_num_cpu_override > 0 &&
        crypto_argon_set_cpu_override(cfg.argon_num_cpu_override) < 0)
        log_warn("ignoring the Argon2 CPU override");
    rc = CLI_EXIT_USAGE;
    if (check_tls_files(&cfg) < 0)
        goto out;
    rc = CLI_EXIT_FAILURE;
    if (config_ensure_secret(&cfg, &err) < 0) {
        log_error("%s", err.msg);
        goto out;
    }
    if (cfg.smtp_host == NULL)
        log_warn("SMTP for transactional email is not configured, mail "
                 "will be written to the log instead");
    if (prepare_database(&cfg) < 0)
        goto out;
    rc = serve(&cfg, &signals);
out:
    config_release(&cfg);
    mail_global_cleanup();
    return rc;
}
