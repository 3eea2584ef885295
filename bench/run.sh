#!/bin/bash
# run.sh -- Candor next to nginx on the same machine, in one run.
#
#   bench/run.sh [path/to/candor]
#
# Each server gets core 0 (one event loop, one nginx worker) and wrk gets
# core 1, so the comparison is per core and the load generator does not
# steal from the server. Both write an access log, as in production.
# Measured: /healthz (Candor: a real SQLite round trip) and the same 3 KB
# page (web/index.html: Candor from memory, nginx from disk with sendfile
# and open_file_cache). Loopback only; each run lasts DURATION seconds.
# BENCH_DIALECT=postgres or mysql puts Candor's database on a throwaway
# PostgreSQL or MariaDB server (bench/db.sh), so /healthz is a round trip
# to it.
set -eu

bin=${1:-build/release/candor}
here=$(cd "$(dirname "$0")/.." && pwd)
duration=${DURATION:-10}
conns=${CONNECTIONS:-64}
work=$(mktemp -d "${TMPDIR:-/tmp}/candor-bench.XXXXXX")
pids=

. "$here/bench/db.sh"

cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    bench_db_stop
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

for tool in wrk nginx taskset; do
    command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "bench: $tool is missing (make deps)" >&2; exit 1; }
done

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + $$ % 20000 + $1))
}

wait_port() {
    i=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] || { echo "bench: port $1 never opened" >&2; exit 1; }
        sleep 0.1
    done
}

# --- Candor: one loop on core 0 --------------------------------------------
bench_db_start
cport=$(free_port 1)
CANDOR_APP_DATADIR="$work/candor" CANDOR_SERVER_HOST=127.0.0.1 \
CANDOR_SERVER_PORT=$cport CANDOR_SERVER_THREADS=1 \
CANDOR_SERVER_MAXCONNSPERIP=100000 \
    taskset -c 0 "$bin" serve >"$work/candor-access.log" 2>"$work/candor.log" &
pids="$pids $!"

# --- nginx: one worker on core 0, serving web/ ------------------------------
nport=$(free_port 2)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
worker_cpu_affinity 01;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log $work/nginx/access.log;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=100;
    types { text/html html; }
    server {
        listen 127.0.0.1:$nport reuseport;
        root $here/web;
        location = /healthz { return 200 '{"ok":true}'; }
    }
}
NGINX
taskset -c 0 nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>"$work/nginx/stderr" &
pids="$pids $!"
wait_port "$cport"
wait_port "$nport"

# run NAME URL: one wrk run; prints "req/s p50 p99" and keeps the raw output.
run() {
    taskset -c 1 wrk -t1 -c"$conns" -d"${duration}s" --latency "$2" >"$work/$1.txt" 2>&1
    rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$1.txt")
    p50=$(awk '$1=="50%" {print $2}' "$work/$1.txt")
    p99=$(awk '$1=="99%" {print $2}' "$work/$1.txt")
    errs=$(awk '/Non-2xx|Socket errors/ {print}' "$work/$1.txt")
    [ -z "$errs" ] || echo "bench: $1: $errs" >&2
    echo "$rps $p50 $p99"
}

# warm up both
taskset -c 1 wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$cport/index.html" >/dev/null 2>&1 || true
taskset -c 1 wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$nport/index.html" >/dev/null 2>&1 || true

set -- $(run candor-page "http://127.0.0.1:$cport/index.html")
c_rps=$1 c_p50=$2 c_p99=$3
set -- $(run nginx-page "http://127.0.0.1:$nport/index.html")
n_rps=$1 n_p50=$2 n_p99=$3
set -- $(run candor-healthz "http://127.0.0.1:$cport/healthz")
h_rps=$1 h_p50=$2 h_p99=$3
set -- $(run nginx-healthz "http://127.0.0.1:$nport/healthz")
nh_rps=$1 nh_p50=$2 nh_p99=$3

ratio=$(awk -v a="$c_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')
hratio=$(awk -v a="$h_rps" -v b="$nh_rps" 'BEGIN { printf "%.2f", a / b }')
cat <<TABLE

$(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m); wrk -t1 -c$conns -d${duration}s; server on core 0, wrk on core 1

| what | server | req/s | p50 | p99 | vs nginx |
|---|---|---|---|---|---|
| 3 KB page (web/index.html) | Candor | $c_rps | $c_p50 | $c_p99 | $ratio |
| 3 KB page (web/index.html) | nginx $(nginx -v 2>&1 | sed 's|.*/||') | $n_rps | $n_p50 | $n_p99 | 1.00 |
| /healthz ($(bench_db_name) round trip) | Candor | $h_rps | $h_p50 | $h_p99 | $hratio |
| /healthz (static 'return 200') | nginx | $nh_rps | $nh_p50 | $nh_p99 | 1.00 |
TABLE
