#!/bin/sh
# demo.sh -- start a throwaway Candor on SQLite and print where it is.
#
# The data folder is a fresh temporary one, removed when the server stops
# (Ctrl-C). Seeded demo data and a demo login arrive with `candor demo`.
set -eu

bin=${1:-build/release/candor}
port=${CANDOR_DEMO_PORT:-0}
data=$(mktemp -d "${TMPDIR:-/tmp}/candor-demo.XXXXXX")
log="$data/server.log"
pid=

cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CANDOR_APP_DATADIR="$data/data" CANDOR_SERVER_HOST=127.0.0.1 \
CANDOR_SERVER_PORT="$port" "$bin" serve >"$data/access.log" 2>"$log" &
pid=$!

i=0
while ! grep -q 'Server now listening on port' "$log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 100 ]; then
        echo "demo: the server did not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    i=$((i + 1))
    sleep 0.1
done
port=$(sed -n 's/.*Server now listening on port \([0-9]*\).*/\1/p' "$log" | head -n 1)

cat <<MSG

  Candor demo is running on SQLite, with its data in $data

    URL:     http://127.0.0.1:$port/
    Health:  http://127.0.0.1:$port/healthz
    Login:   none yet: accounts and operators arrive with 'candor setup'

  Press Ctrl-C to stop; the demo's data is removed then.

MSG
wait "$pid"
