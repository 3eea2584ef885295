#!/bin/sh
# long-run.sh -- the long fuzzing runs docs/security.md records.
#
#   tests/fuzz/long-run.sh FUZZ_BUILD_DIR [RUNS] [TARGET...]
#
# Runs each libFuzzer target (all of them when none is named) for RUNS
# executions (default 10,000,000) under its ASan+UBSan build, one after the
# other, with the seeds of tests/fuzz/corpus and a work folder under
# FUZZ_BUILD_DIR/fuzz-long/<target> (kept between runs, so a second run
# goes on from the corpus the first one grew). Prints one Markdown table
# row per target: executions, seconds, executions per second, corpus size
# and the outcome (the artefact's name when something was found). Exits 1
# if any target found something.
set -eu

build=$1
runs=${2:-10000000}
shift $(( $# >= 2 ? 2 : 1 ))
here=$(cd "$(dirname "$0")" && pwd)
targets=${*:-$(cd "$here" && ls fuzz_*.c | sed 's/\.c$//')}
failed=0

echo "| target | executions | seconds | exec/s | corpus | outcome |"
echo "|---|---:|---:|---:|---:|---|"
for t in $targets; do
    bin=$build/tests/fuzz/$t
    work=$build/fuzz-long/$t
    mkdir -p "$work/corpus"
    set -- -runs="$runs" -timeout=30 -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$work/"
    [ -f "$here/$t.dict" ] && set -- "$@" -dict="$here/$t.dict"
    start=$(date +%s)
    if "$bin" "$@" "$work/corpus" "$here/corpus/$t" >"$work/log" 2>&1; then
        outcome=none
    else
        outcome="found: $(ls "$work" | grep -E '^(crash|leak|timeout|oom)-' | head -1)"
        failed=1
    fi
    secs=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
    corpus=$(ls "$work/corpus" | wc -l)
    echo "| \`$t\` | ${execs:-?} | $secs | $(( ${execs:-0} / (secs > 0 ? secs : 1) )) | $corpus | $outcome |"
done
exit $failed
