/* cmd_demo.c -- `candor demo`: a throwaway instance with realistic data.
 *
 * It makes a fresh data folder (mkdtemp), creates the account "Demo" and
 * its operator as `candor setup` does, seeds a few hundred visitors with
 * months of encrypted page views (cli/demo.h), then runs the real server
 * (cmd_serve) on 127.0.0.1 with that folder until SIGINT or SIGTERM, and
 * removes the folder afterwards unless --keep.
 *
 * Isolation: the demo's configuration is an env file in its own folder,
 * passed to the server with --envfile, and every CANDOR_* and OFFEN_*
 * variable is removed from the environment first, so neither the caller's
 * settings nor an env file found on the usual paths reach the demo (nor
 * its database: it is always SQLite in the folder).
 *
 * The port: with --port 0 (the default) we bind a socket to a free port
 * with SO_REUSEPORT, as the server's own sockets are, and keep it (never
 * listening) until the end, so the port stays ours while the server binds
 * it too. A thread prints the URL and login once the port accepts
 * connections. SIGINT and SIGTERM are blocked from the start: during
 * seeding they stop the seeding (checked after every visitor); while
 * serving, the server's sigwait() takes them.
 */
#include "common/common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/operator.h"
#include "api/setup.h"
#include "cli/cli.h"
#include "cli/demo.h"
#include "common/config.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "crypto/random.h"
#include "mail/mail.h"
#include "store/store.h"

#define DEMO_EMAIL "demo@candor.test"
#define DEMO_PASSWORD "demo-password"
#define DEMO_ACCOUNT "Demo"
#define DEMO_PATH_MAX 3072          /* the data folder's path */
#define DEMO_ANNOUNCE_MS 60000      /* longest wait for the server to listen */
#define DEMO_BAR_WIDTH 30

struct demo_args {
    long port;       /* 0: a free one */
    long users;
    long days;       /* 1..DEMO_DAYS_MAX */
    uint64_t seed;
    bool have_seed;
    bool keep;
};

/* What the banner shows. */
struct demo_info {
    char dir[DEMO_PATH_MAX];
    char envfile[DEMO_PATH_MAX + 16];
    char account_id[SETUP_ID_SIZE];
    int port;
    bool keep;
    struct demo_seed_stats stats;
    uint64_t seed;      /* the PRNG's seed: --seed makes the same again */
    int days;
    atomic_bool stop;   /* the server is gone: do not announce */
};

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: candor demo [--port N] [--users N] [--days N] [--seed N]\n"
            "                   [--keep]\n\n"
            "Start a throwaway Candor with realistic data: a fresh data\n"
            "folder with a SQLite database, the account \"" DEMO_ACCOUNT
            "\" and its operator\n"
            "(" DEMO_EMAIL " / " DEMO_PASSWORD "), and visitors with months of\n"
            "page views, encrypted as their browsers would have encrypted\n"
            "them. It serves on 127.0.0.1, prints the URL and login, and\n"
            "removes the folder when stopped (SIGINT or SIGTERM).\n"
            "CANDOR_* and OFFEN_* settings and env files are ignored.\n\n"
            "Options:\n"
            "  --port N    listen on port N (default: a free port)\n"
            "  --users N   visitors to make, 1 to %d (default %d)\n"
            "  --days N    days of history, 1 to the retention period of\n"
            "              %d days (default %d)\n"
            "  --seed N    make the same visitors and page views every time\n"
            "              (keys and ids are always random)\n"
            "  --keep      keep the data folder on exit; it prints how to\n"
            "              serve it again\n"
            "  -h, --help  show this help\n\n"
            "Exit status: 0 after a clean shutdown, 1 when the demo fails,\n"
            "2 for bad options.\n",
            DEMO_USERS_MAX, DEMO_USERS_DEFAULT, DEMO_DAYS_MAX,
            DEMO_DAYS_DEFAULT);
}

/* optarg as the number of --name, in [min, max]; says what is wrong. */
static int parse_number(const char *name, long min, long max, long *out)
{
    if (cli_parse_long(optarg, min, max, out) == CD_OK)
        return CD_OK;
    fprintf(stderr, "candor demo: invalid value '%s': --%s must be %ld to "
            "%ld\n", optarg, name, min, max);
    return CD_EINVAL;
}

static int parse_args(int argc, char **argv, struct demo_args *a)
{
    static const struct option options[] = {
        {"port", required_argument, NULL, 'p'},
        {"users", required_argument, NULL, 'u'},
        {"days", required_argument, NULL, 'd'},
        {"seed", required_argument, NULL, 's'},
        {"keep", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long seed = 0;
    int c, rc = CD_OK;

    *a = (struct demo_args){0, DEMO_USERS_DEFAULT, DEMO_DAYS_DEFAULT, 0,
                            false, false};
    optind = 1;
    while (rc == CD_OK &&
           (c = getopt_long_only(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'p': rc = parse_number("port", 0, 65535, &a->port); break;
        case 'u': rc = parse_number("users", 1, DEMO_USERS_MAX, &a->users);
                  break;
        case 'd': rc = parse_number("days", 1, DEMO_DAYS_MAX, &a->days);
                  break;
        case 's': rc = parse_number("seed", 0, LONG_MAX, &seed);
                  a->seed = (uint64_t)seed;
                  a->have_seed = true;
                  break;
        case 'k': a->keep = true; break;
        case 'h': return 1;
        default: return CD_EINVAL;
        }
    }
    if (rc == CD_OK && optind < argc) {
        fprintf(stderr, "candor demo: unexpected argument '%s'\n",
                argv[optind]);
        rc = CD_EINVAL;
    }
    return rc;
}

/* The first CANDOR_* or OFFEN_* variable (NAME=value) in environ, or
 * NULL. */
static const char *first_ours(void)
{
    for (char **e = environ; *e != NULL; e++) {
        if ((strncmp(*e, "CANDOR_", 7) == 0 || strncmp(*e, "OFFEN_", 6) == 0)
            && strchr(*e, '=') != NULL)
            return *e;
    }
    return NULL;
}

/* Remove every CANDOR_* and OFFEN_* variable: one at a time, looking again
 * from the start after each, as unsetenv() changes environ. */
static void clear_env(void)
{
    const char *e;

    while ((e = first_ours()) != NULL) {
        char *name = xstrndup(e, strcspn(e, "="));

        unsetenv(name);
        free(name);
    }
}

static int remove_entry(const char *path, const struct stat *sb, int type,
                        struct FTW *ftw)
{
    CD_UNUSED(sb);
    CD_UNUSED(type);
    CD_UNUSED(ftw);
    if (remove(path) != 0)
        log_warn("demo: cannot remove %s: %s", path, strerror(errno));
    return 0;
}

static void remove_tree(const char *dir)
{
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        log_warn("demo: cannot remove %s: %s", dir, strerror(errno));
}

/* The folder and its env file. The path goes into the env file unquoted,
 * so it must not need quoting. */
static int make_folder(struct demo_info *in)
{
    const char *tmp = getenv("TMPDIR");
    FILE *f;
    int n;

    if (tmp == NULL || *tmp == '\0')
        tmp = "/tmp";
    n = snprintf(in->dir, sizeof(in->dir), "%s/candor-demo.XXXXXX", tmp);
    if (n < 0 || (size_t)n >= sizeof(in->dir) ||
        strspn(in->dir, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789/._-+,@") != strlen(in->dir)) {
        fprintf(stderr, "candor demo: TMPDIR must be a plain path\n");
        return CD_EINVAL;
    }
    if (mkdtemp(in->dir) == NULL) {
        in->dir[0] = '\0';
        fprintf(stderr, "candor demo: cannot make a folder in %s: %s\n", tmp,
                strerror(errno));
        return CD_EIO;
    }
    snprintf(in->envfile, sizeof(in->envfile), "%s/candor.env", in->dir);
    f = fopen(in->envfile, "w");
    if (f == NULL) {
        fprintf(stderr, "candor demo: cannot write %s: %s\n", in->envfile,
                strerror(errno));
        return CD_EIO;
    }
    fprintf(f, "# candor demo: serve this folder again with\n"
               "#   candor serve --envfile %s\n"
               "CANDOR_APP_DATADIR=%s\nCANDOR_SERVER_HOST=127.0.0.1\n"
               "CANDOR_SERVER_PORT=%d\n", in->envfile, in->dir, in->port);
    return fclose(f) == 0 ? CD_OK : CD_EIO;
}

/* A socket on a free loopback port, bound with SO_REUSEPORT and never
 * listening: it keeps the port ours while the server binds it. */
static int reserve_port(int *fd, int *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof(sa);
    int one = 1;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (*fd < 0 ||
        setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(*fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
        bind(*fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(*fd, (struct sockaddr *)&sa, &len) != 0) {
        fprintf(stderr, "candor demo: cannot find a free port: %s\n",
                strerror(errno));
        return CD_EIO;
    }
    *port = ntohs(sa.sin_port);
    return CD_OK;
}

struct progress {
    bool tty;
    long shown;  /* the last percentage drawn */
};

/* After each visitor: stop on a pending SIGINT or SIGTERM, else draw. */
static int on_progress(void *ctx, long done, long total)
{
    struct progress *p = ctx;
    char bar[256];
    sigset_t pending;
    long pct = done * 100 / total;

    if (sigpending(&pending) == 0 && (sigismember(&pending, SIGINT) == 1 ||
                                      sigismember(&pending, SIGTERM) == 1))
        return 1;
    if (p->tty && (pct != p->shown || done == total)) {
        p->shown = pct;
        demo_progress_bar(bar, sizeof(bar), done, total, DEMO_BAR_WIDTH);
        fprintf(stderr, "\rcandor demo: seeding %s%s", bar,
                done == total ? "\n" : "");
    } else if (!p->tty && done == total) {
        fprintf(stderr, "candor demo: seeded %ld of %ld visitors\n", done,
                total);
    }
    return 0;
}

/* The account, its operator and the visitors, in the folder's database. */
static int seed(const struct demo_args *a, struct config *cfg,
                struct demo_info *in)
{
    struct cd_error err = {0};
    struct operator_keys keys;
    struct progress prog = {isatty(STDERR_FILENO) == 1, -1};
    struct demo_seed_opts o = {a->users, in->days, a->seed, 0, on_progress,
                               &prog};
    struct store *st = NULL;
    uint64_t rnd;
    int rc;

    if (config_ensure_secret(cfg, &err) < 0 ||
        operator_keys_init(&keys, cfg->secret, cfg->secret_len, &err) < 0) {
        fprintf(stderr, "candor demo: %s\n", err.msg);
        return CD_EIO;
    }
    rc = store_open(&st, cfg->db_dialect, cfg->db_connection_string, &err);
    if (rc == CD_OK)
        rc = store_migrate(st, &err);
    fprintf(stderr, "candor demo: creating the account and its keys\n");
    if (rc == CD_OK)
        rc = setup_bootstrap(st, &keys, NULL, DEMO_ACCOUNT, DEMO_EMAIL,
                             DEMO_PASSWORD, false, in->account_id, &err);
    if (rc == CD_OK && !a->have_seed) {
        rc = crypto_random(&rnd, sizeof(rnd));
        o.seed = rnd >> 1; /* what --seed accepts: 0..LONG_MAX */
    }
    in->seed = o.seed;
    o.now_ms = (int64_t)time(NULL) * 1000;
    if (rc == CD_OK)
        rc = demo_seed(st, in->account_id, &o, &in->stats, &err);
    if (rc == CD_EAGAIN)
        fprintf(stderr, "\ncandor demo: interrupted\n");
    else if (rc < 0)
        fprintf(stderr, "candor demo: %s\n", err.msg[0] ? err.msg
                                                       : cd_strerror(rc));
    store_close(st);
    operator_keys_release(&keys);
    /* Not a usage error, whatever the cause: exit status 1. */
    return rc < 0 && rc != CD_EAGAIN ? CD_EIO : rc;
}

/* Wait until the server accepts on the port, then print the banner. */
static void *announce(void *arg)
{
    struct demo_info *in = arg;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    int fd, up = 0;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)in->port);
    for (int ms = 0; !up && ms < DEMO_ANNOUNCE_MS && !atomic_load(&in->stop);
         ms += 20) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        up = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        if (fd >= 0)
            close(fd);
        if (!up)
            usleep(20000);
    }
    if (!up || atomic_load(&in->stop))
        return NULL;
    printf("\n  Candor demo: %ld visitors, %ld page views over %d days, "
           "encrypted as\n  their browsers would have encrypted them.\n\n"
           "    URL:        http://127.0.0.1:%d/\n"
           "    Log in:     http://127.0.0.1:%d/login/\n"
           "    Email:      %s\n"
           "    Password:   %s\n"
           "    Dashboard:  http://127.0.0.1:%d/auditorium/%s/\n"
           "    Account:    %s\n"
           "    Embed:      <script async src=\"http://127.0.0.1:%d/script.js\" "
           "data-account-id=\"%s\"></script>\n"
           "    Data:       %s (%s)\n"
           "    Seed:       %" PRIu64 " (--seed makes the same visitors "
           "again)\n\n"
           "  Press Ctrl-C to stop.\n\n",
           in->stats.visitors, in->stats.events, in->days, in->port,
           in->port, DEMO_EMAIL, DEMO_PASSWORD, in->port, in->account_id,
           in->account_id, in->port, in->account_id, in->dir,
           in->keep ? "kept on exit" : "removed on exit", in->seed);
    fflush(stdout);
    return NULL;
}

/* Run the real server on the folder, announcing it once it listens. */
static int serve(struct demo_info *in)
{
    char *argv[] = {"serve", "--envfile", in->envfile, NULL};
    pthread_t t;
    bool started;
    int rc;

    atomic_init(&in->stop, false);
    started = pthread_create(&t, NULL, announce, in) == 0;
    rc = cmd_serve(3, argv);
    atomic_store(&in->stop, true);
    if (started)
        pthread_join(t, NULL);
    return rc;
}

/* Load the demo's configuration: its own env file only (see above), so
 * the retention is the default, DEMO_DAYS_MAX days. */
static int load_config(struct config *cfg, const struct demo_info *in)
{
    struct cd_error err = {0};

    if (config_load(cfg, in->envfile, &err) < 0) {
        fprintf(stderr, "candor demo: %s\n", err.msg);
        return CD_EINVAL;
    }
    return CD_OK;
}

static int run(const struct demo_args *a, struct demo_info *in)
{
    struct config cfg;
    int fd = -1, rc;

    in->port = (int)a->port;
    in->keep = a->keep;
    in->days = (int)a->days;
    if (a->port == 0 && reserve_port(&fd, &in->port) < 0)
        return CLI_EXIT_FAILURE;
    rc = make_folder(in);
    if (rc == CD_OK) {
        rc = load_config(&cfg, in);
        if (rc == CD_OK)
            rc = seed(a, &cfg, in);
        config_release(&cfg);
    }
    if (rc == CD_OK)
        rc = serve(in);
    else
        rc = rc == CD_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    if (fd >= 0)
        close(fd);
    if (in->dir[0] != '\0' && !in->keep) {
        remove_tree(in->dir);
        fprintf(stderr, "candor demo: removed %s\n", in->dir);
    } else if (in->dir[0] != '\0') {
        fprintf(stderr, "candor demo: kept %s; serve it again with\n"
                "  candor serve --envfile %s\n", in->dir, in->envfile);
    }
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    static struct demo_info info;
    struct demo_args a;
    sigset_t signals;
    int rc = parse_args(argc, argv, &a);

    if (rc == 1) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (rc < 0) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    /* Before any thread: every thread inherits the mask (see above). */
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    /* libcurl's global state, before the first thread (mail.h); the
     * server's own call then only counts up. */
    if (mail_global_init() < 0) {
        fprintf(stderr, "candor demo: cannot initialise the mail library\n");
        return CLI_EXIT_FAILURE;
    }
    clear_env();
    memset(&info, 0, sizeof(info));
    rc = run(&a, &info);
    mail_global_cleanup();
    return rc;
}
