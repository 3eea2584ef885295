# serve.sh -- start the Candor under test for a benchmark; sourced by
# events.sh, memory.sh and seed-load-test, which set $bin (the binary) and
# $work (their temp folder, removed by their own cleanup, which also kills
# $pid).
#
# bench_serve ACCESS_LOG [VAR=VALUE...] runs `$bin serve` in the
# background with its data in $work/data, on 127.0.0.1 and a free port,
# the settings given added to the environment, its access log in
# ACCESS_LOG and its own log in $work/server.log. Once it listens, $pid is
# the server's process and $url its address; if it does not listen within
# 10 s, the log is printed and the script exits 1.
bench_serve() {
    local access=$1 port=
    shift
    env CANDOR_APP_DATADIR="$work/data" CANDOR_SERVER_HOST=127.0.0.1 \
        CANDOR_SERVER_PORT=0 "$@" "$bin" serve >"$access" 2>"$work/server.log" &
    pid=$!
    for _ in $(seq 100); do
        grep -q 'Server now listening on port' "$work/server.log" && break
        sleep 0.1
    done
    port=$(sed -n 's/.*Server now listening on port \([0-9]*\).*/\1/p' "$work/server.log" | head -n1)
    [ -n "$port" ] || { cat "$work/server.log" >&2; exit 1; }
    url="http://127.0.0.1:$port"
}
