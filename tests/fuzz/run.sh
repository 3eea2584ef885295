#!/bin/sh
# run.sh -- run one libFuzzer target for a while; ctest's command for it.
#
#   run.sh BINARY SEED_CORPUS WORK_DIR
#
# Runs for $FUZZ_SECONDS (default 5) over the seeds in SEED_CORPUS (read
# only; they live in the source tree) and the inputs found by earlier runs
# in WORK_DIR/corpus, where new ones are added; tests/fuzz/<target>.dict,
# if there is one, is the target's dictionary. A crash, leak, timeout or
# failed check leaves the input in WORK_DIR/crash-*, leak-*, timeout-* ...
# and fails the test; rerun it with `BINARY WORK_DIR/crash-...`.
set -eu

bin=$1
seeds=$2
work=$3
secs=${FUZZ_SECONDS:-5}

mkdir -p "$work/corpus"
dict=$(dirname "$0")/$(basename "$bin").dict
set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/"
[ -f "$dict" ] && set -- "$@" -dict="$dict"
exec "$bin" "$@" "$work/corpus" "$seeds"
