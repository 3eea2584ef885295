#!/bin/bash
# events.sh -- event ingestion: POST /api/events with durable group commit.
#
#   bench/events.sh [path/to/candor]
#
# Sets up one account on a fresh SQLite database, registers VISITORS
# visitors (POST /api/exchange, each with its own `user` cookie), then wrk
# posts events for them in turn: each request carries a visitor's cookies
# and an encrypted-looking payload of PAYLOAD bytes (random base64 in
# Offen's "{1,} ciphertext nonce" format; the server never decrypts it). Every
# 201 is answered only after its row is committed. Server: all cores' event
# loops; wrk: one thread. Runs DURATION seconds per load, loopback only, and
# checks afterwards that the database holds exactly as many rows as wrk saw
# 201s. The last column is the size of SQLite's write-ahead log file after
# the run (0 on the other databases).
#
# Offen throttles POST /api/events to one event per 0.5 s per visitor
# (held, not refused), so a load of R events/s needs more than R/2
# visitors to measure ingestion rather than the throttle: 40,000 by
# default, enough up to 80,000 events/s.
#
# BENCH_DIALECT=postgres or mysql runs the same against a throwaway
# PostgreSQL or MariaDB server (bench/db.sh) instead of SQLite.
#
# DURATION sets the seconds per load (10), ONLY_FULL=1 runs the load of 64
# connections alone (not the one of 8), THREADS the server's event loops
# (CANDOR_SERVER_THREADS; one per core when unset).
#
# A second table gives the CPU time per committed event of each kind of
# the server's threads (from /proc/<pid>/task, so Linux only) and of wrk:
# on a machine that the run saturates, this is what each part costs, and
# what a goal of R events/s on C cores must bring under C / R in all.
set -euo pipefail

bin=${1:-build/release/candor}
duration=${DURATION:-10}
visitors=${VISITORS:-40000}
payload=${PAYLOAD:-700}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/candor-events.XXXXXX")
pid=
. "$here/bench/db.sh"
. "$here/bench/serve.sh"
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    bench_db_stop
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

count_events() {
    bench_db_count_events "$work/data"
}

bench_db_start

bench_serve /dev/null CANDOR_SERVER_MAXCONNSPERIP=100000 ${THREADS:+CANDOR_SERVER_THREADS=$THREADS}

# One account, VISITORS visitors with their secrets, and the wrk script.
node "$here/bench/events-setup.mjs" "$url" "$visitors" "$payload" "$work/events.lua"

# The server's CPU ticks per thread name: "name ticks" lines, sorted.
thread_ticks() {
    local t
    for t in /proc/"$pid"/task/*; do
        echo "$(cat "$t/comm" 2>/dev/null) $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)"
    done | awk 'NF == 2 {a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}

cpu_rows=
run() { # run NAME CONNECTIONS
    local before after ticks0 ticks1 wrk_s
    before=$(count_events)
    ticks0=$(thread_ticks)
    wrk_s=$( { TIMEFORMAT='%U %S'; time wrk -t1 -c"$2" -d"${duration}s" --latency -s "$work/events.lua" \
        "$url/api/events" >"$work/$1.txt" 2>&1; } 2>&1 | awk '{print $1 + $2}')
    ticks1=$(thread_ticks)
    after=$(count_events)
    rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$1.txt")
    total=$(awk '/requests in/ {print $1}' "$work/$1.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/$1.txt")
    p50=$(awk '$1=="50%" {print $2}' "$work/$1.txt")
    p99=$(awk '$1=="99%" {print $2}' "$work/$1.txt")
    wal=$(stat -c %s "$work/data/candor.db-wal" 2>/dev/null || echo 0)
    echo "| $2 | $rps | $p50 | $p99 | $((after - before)) of $total${non2xx:+ ($non2xx not 201)} | $((wal / 1048576)) |"
    cpu_rows+=$(join <(echo "$ticks0") <(echo "$ticks1") | awk -v n=$((after - before)) -v hz="$(getconf CLK_TCK)" \
        -v conns="$2" -v wrk="$wrk_s" '
        { us[$1] = ($3 - $2) / hz / n * 1e6; all += us[$1] }
        END {
            other = all - us["candor-writer"] - us["candor-loop"] - us["candor-ckpt"]
            printf "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", conns, us["candor-writer"],
                us["candor-loop"], us["candor-ckpt"], other, all, wrk / n * 1e6
        }')$'\n'
}

cpu_table() {
    cat <<CPU

CPU time per committed event, µs (the server's threads by name; wrk)

| connections | writer | event loops | checkpointer | other | server in all | wrk |
|---|---|---|---|---|---|---|
$cpu_rows
CPU
}

cat <<HEAD

$(date -u +%Y-%m-%d) $(nproc) cores; $visitors visitors, $payload-byte payloads, $(bench_db_name), ${duration}s per row

| connections | events/s | p50 | p99 | rows committed / requests | SQLite log, MiB |
|---|---|---|---|---|---|
HEAD
run full 64
[ -n "${ONLY_FULL:-}" ] || run light 8
cpu_table
