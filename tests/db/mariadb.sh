#!/bin/sh
# mariadb.sh -- a throwaway MariaDB server for the tests, on loopback.
#
#   tests/db/mariadb.sh start DIR   install a new server into DIR (created,
#                                   must not exist or be empty), start it on
#                                   127.0.0.1 with a free port, and print one
#                                   line: its DSN in Offen's MySQL form,
#                                   candor:candor@tcp(127.0.0.1:PORT)/candor?parseTime=true
#   tests/db/mariadb.sh stop DIR    stop that server and remove DIR
#   tests/db/mariadb.sh pause DIR   stop the server, keep its data (outages)
#   tests/db/mariadb.sh resume DIR  start it again on the same port
#
# No system service is touched: the data, the socket, the pid file and the
# log all live in DIR. The DSN's user may create and drop databases (the
# tests give each case a database of its own). As root (CI containers),
# mariadbd runs with --user=root, which it allows when asked explicitly.
# Needs mariadb-server (tools/deps.sh, group test) and python3 (to find a
# free port).
set -eu

die() {
    echo "mariadb.sh: $*" >&2
    exit 1
}

[ $# -eq 2 ] || die "usage: mariadb.sh start|stop|pause|resume DIR"
cmd=$1
dir=$2

find_bin() {
    for b in "$@"; do
        if command -v "$b" >/dev/null 2>&1; then
            command -v "$b"
            return 0
        fi
        for p in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
            if [ -x "$p/$b" ]; then
                echo "$p/$b"
                return 0
            fi
        done
    done
    return 1
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Start mariadbd on DIR's data and $port; 0 once it accepts connections.
launch() {
    "$daemon" --no-defaults $userflag --datadir="$dir/data" \
        --bind-address=127.0.0.1 --port="$port" \
        --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
        --log-error="$dir/error.log" --skip-name-resolve \
        --init-file="$dir/init.sql" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_nopad_bin \
        --innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
        --max-connections=500 --skip-log-bin \
        </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/daemon.pid"
    # Ready when the log says so; give up after 30 s.
    i=0
    while [ $i -lt 300 ]; do
        kill -0 "$(cat "$dir/daemon.pid")" 2>/dev/null || return 1
        if [ -S "$dir/mysqld.sock" ] &&
            grep -q 'ready for connections' "$dir/error.log" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    halt
    return 1
}

# Stop the server started by launch(), if it runs.
halt() {
    [ -f "$dir/daemon.pid" ] || return 0
    pid=$(cat "$dir/daemon.pid")
    if kill "$pid" 2>/dev/null; then
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/daemon.pid" "$dir/mysqld.sock" "$dir/error.log"
}

setup() {
    daemon=$(find_bin mariadbd mysqld) ||
        die "mariadbd not found (install mariadb-server: tools/deps.sh ensure test)"
    userflag=
    if [ "$(id -u)" = 0 ]; then
        userflag=--user=root
    fi
}

start() {
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
    setup
    install=$(find_bin mariadb-install-db mysql_install_db) ||
        die "mariadb-install-db not found (install mariadb-server)"
    mkdir "$dir/data"
    # --no-defaults: ignore /etc/mysql/my.cnf and any ~/.my.cnf.
    if ! "$install" --no-defaults $userflag --datadir="$dir/data" \
        --auth-root-authentication-method=socket --skip-test-db \
        >"$dir/install.log" 2>&1; then
        cat "$dir/install.log" >&2
        die "mariadb-install-db failed"
    fi
    cat >"$dir/init.sql" <<'SQL'
CREATE USER IF NOT EXISTS 'candor'@'127.0.0.1' IDENTIFIED BY 'candor';
GRANT ALL PRIVILEGES ON *.* TO 'candor'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS candor CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
SQL
    # The port may be taken between free_port and the bind: try again.
    for try in 1 2 3; do
        port=$(free_port)
        if launch; then
            echo "$port" >"$dir/port"
            echo "candor:candor@tcp(127.0.0.1:$port)/candor?parseTime=true"
            return 0
        fi
        cat "$dir/error.log" >"$dir/failed.log" 2>/dev/null || true
        halt
    done
    cat "$dir/failed.log" >&2 2>/dev/null || true
    die "mariadbd did not start"
}

pause() {
    [ -f "$dir/port" ] || die "$dir holds no server of ours"
    halt
}

resume() {
    [ -f "$dir/port" ] || die "$dir holds no server of ours"
    dir=$(cd "$dir" && pwd)
    setup
    port=$(cat "$dir/port")
    launch || die "mariadbd did not start again on port $port"
}

stop() {
    [ -d "$dir" ] || return 0
    halt
    rm -rf "$dir"
}

case "$cmd" in
start) start ;;
stop) stop ;;
pause) pause ;;
resume) resume ;;
*) die "usage: mariadb.sh start|stop|pause|resume DIR" ;;
esac
