#!/bin/sh
# postgres.sh -- a throwaway PostgreSQL server for the tests, on loopback.
#
#   tests/db/postgres.sh start DIR   initdb into DIR (created; must not exist
#                                    or be empty), start the server on
#                                    127.0.0.1 with a free port and its unix
#                                    socket in DIR, and print one line: the
#                                    connection string,
#                                    postgres://candor@127.0.0.1:PORT/postgres?sslmode=disable
#   tests/db/postgres.sh stop DIR    stop that server and remove DIR
#   tests/db/postgres.sh pause DIR   stop the server, keep its data (outages)
#   tests/db/postgres.sh resume DIR  start it again on the same port
#
# No system service is touched: data, socket, pid file and log live in DIR.
# The user candor is a superuser with trust authentication on loopback, so
# tests may create and drop databases (each test gets one of its own).
# PostgreSQL refuses to run as root: as root (CI containers), the server
# runs as the unprivileged user nobody, and DIR is handed to it. The data
# directory uses the C locale and fsync=off (a throwaway server; commits
# still go through the whole commit path). Needs postgresql (tools/deps.sh,
# group test) and python3 (to find a free port).
set -eu

die() {
    echo "postgres.sh: $*" >&2
    exit 1
}

[ $# -eq 2 ] || die "usage: postgres.sh start|stop|pause|resume DIR"
cmd=$1
dir=$2

pg_bin() {
    for d in "${PG_BINDIR:-}" /usr/lib/postgresql/*/bin; do
        if [ -n "$d" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
            echo "$d"
            return 0
        fi
    done
    if command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    return 1
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Run a command as the server's user: ourselves, or nobody when root.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

server_start() {
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/server.log" \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir \
            -c fsync=off -c full_page_writes=off -c max_connections=300 \
            -c shared_buffers=32MB" >/dev/null
}

start() {
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
    bin=$(pg_bin) ||
        die "PostgreSQL not found (install postgresql: tools/deps.sh ensure test)"
    if [ "$(id -u)" = 0 ]; then
        chown nobody "$dir"
        # nobody must be able to reach DIR through its parents.
        p=$dir
        while [ "$p" != / ]; do
            p=$(dirname "$p")
            chmod o+x "$p" 2>/dev/null || true
        done
    fi
    if ! as_owner "$bin/initdb" -D "$dir/data" -U candor --auth=trust \
        -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        die "initdb failed"
    fi
    tries=0
    while :; do
        tries=$((tries + 1))
        free_port >"$dir/port"
        if server_start 2>>"$dir/start.log"; then
            break
        fi
        [ $tries -lt 5 ] || {
            cat "$dir/server.log" >&2 || true
            die "the server did not start"
        }
    done
    echo "postgres://candor@127.0.0.1:$(cat "$dir/port")/postgres?sslmode=disable"
}

stop() {
    [ -d "$dir" ] || return 0
    dir=$(cd "$dir" && pwd)
    if [ -f "$dir/data/postmaster.pid" ] && bin=$(pg_bin); then
        as_owner "$bin/pg_ctl" stop -w -m immediate -D "$dir/data" \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "$cmd" in
start) start ;;
stop) stop ;;
pause)
    dir=$(cd "$dir" && pwd)
    bin=$(pg_bin) || die "PostgreSQL not found"
    as_owner "$bin/pg_ctl" stop -w -m fast -D "$dir/data" >/dev/null
    ;;
resume)
    dir=$(cd "$dir" && pwd)
    bin=$(pg_bin) || die "PostgreSQL not found"
    server_start
    ;;
*) die "unknown command '$cmd' (start, stop, pause or resume)" ;;
esac
