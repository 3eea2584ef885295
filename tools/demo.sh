#!/bin/sh
# demo.sh -- start a throwaway Candor on SQLite and print where it is.
#
# The data folder is a fresh temporary one, removed when the server stops
# (Ctrl-C). It holds one account and operator made with `candor setup`;
# seeded visitors and events arrive with `candor demo`.
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

email=demo@candor.test
password=demo-password
CANDOR_APP_DATADIR="$data/data" "$bin" setup --email "$email" \
    --name "Demo site" --password "$password" 2>"$data/setup.log" || {
    echo "demo: setup failed:" >&2
    cat "$data/setup.log" >&2
    exit 1
}

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
account=$(sed -n 's/.*created account .* with ID \([0-9a-f-]*\).*/\1/p' \
    "$data/setup.log" | head -n 1)

cat <<MSG

  Candor demo is running on SQLite, with its data in $data

    URL:     http://127.0.0.1:$port/
    Health:  http://127.0.0.1:$port/healthz
    Login:   $email / $password  (POST /api/login; the dashboard
             arrives with the auditorium)
    Embed:   <script async src="http://127.0.0.1:$port/script.js"
             data-account-id="$account"></script>

  Press Ctrl-C to stop; the demo's data is removed then.

MSG
wait "$pid"
