#!/bin/bash
# memory.sh -- idle memory and binary size (docs/benchmarks.md, "Memory and
# size").
#
#   bench/memory.sh [path/to/candor]
#
# Starts the server with two event loops on a fresh SQLite database on
# loopback, waits SETTLE seconds (default 3), and reads its RSS, anonymous
# memory and thread count from /proc/<pid>/status and smaps_rollup; then
# the binary's size as built and stripped (strip into a temp file).
set -euo pipefail

bin=${1:-build/release/candor}
settle=${SETTLE:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/serve.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/candor-mem.XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

bench_serve /dev/null CANDOR_SERVER_THREADS=2
sleep "$settle"

kib() { awk -v k="$1" '$1 == k":" {print $2}' "$2"; }
rss=$(kib VmRSS "/proc/$pid/status")
threads=$(kib Threads "/proc/$pid/status")
anon=$(kib Anonymous "/proc/$pid/smaps_rollup")
strip -o "$work/stripped" "$bin"
mib() { awk -v v="$1" 'BEGIN {printf "%.1f MiB", v / 1024}'; }

cat <<TABLE

$(date -u +%Y-%m-%d) $(nproc) cores; $bin

| what | value |
|---|---|
| idle RSS after start | $(mib "$rss") ($threads threads) |
| of which Candor's own memory (anonymous) | $(mib "$anon") |
| of which mapped files (the binary and shared libraries) | $(mib $((rss - anon))) |
| binary, as built | $(mib $(($(stat -c %s "$bin") / 1024))) |
| binary, stripped | $(mib $(($(stat -c %s "$work/stripped") / 1024))) |
TABLE
