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
# 201s.
#
# Offen throttles POST /api/events to one event per 0.5 s per visitor
# (held, not refused), so a load of R events/s needs more than R/2
# visitors to measure ingestion rather than the throttle: 40,000 by
# default, enough up to 80,000 events/s.
#
# BENCH_DIALECT=postgres or mysql runs the same against a throwaway
# PostgreSQL or MariaDB server (bench/db.sh) instead of SQLite.
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

bench_serve /dev/null CANDOR_SERVER_MAXCONNSPERIP=100000

# One account, VISITORS visitors with their secrets, and the wrk script.
node "$here/bench/events-setup.mjs" "$url" "$visitors" "$payload" "$work/events.lua"

run() { # run NAME CONNECTIONS
    local before after
    before=$(count_events)
    wrk -t1 -c"$2" -d"${duration}s" --latency -s "$work/events.lua" "$url/api/events" >"$work/$1.txt" 2>&1
    after=$(count_events)
    rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$1.txt")
    total=$(awk '/requests in/ {print $1}' "$work/$1.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/$1.txt")
    p50=$(awk '$1=="50%" {print $2}' "$work/$1.txt")
    p99=$(awk '$1=="99%" {print $2}' "$work/$1.txt")
    echo "| $2 | $rps | $p50 | $p99 | $((after - before)) of $total${non2xx:+ ($non2xx not 201)} |"
}

cat <<HEAD

$(date -u +%Y-%m-%d) $(nproc) cores; $visitors visitors, $payload-byte payloads, $(bench_db_name), ${duration}s per row

| connections | events/s | p50 | p99 | rows committed / requests |
|---|---|---|---|---|
HEAD
run full 64 && [ -n "${ONLY_FULL:-}" ] && exit 0
run light 8
