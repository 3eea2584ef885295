#!/bin/sh
# run-all.sh -- the suites that must pass on every database, run against a
# throwaway PostgreSQL and (when tests/db/mariadb.sh exists) MariaDB.
#
#   tests/db/run-all.sh BUILD_DIR
#
# make check calls this after its SQLite run. For each server: start it in
# a temporary folder (tests/db/<server>.sh start, which prints the DSN),
# run the store unit tests and the API suite (ctest in BUILD_DIR) and the
# visitor's browser test with CANDOR_TEST_DIALECT and CANDOR_TEST_DSN set,
# then stop it and remove the folder. The servers are stopped and removed
# on every way out (a failed test, an interrupt). Exit status 1 when
# anything failed, after running everything.
#
# CANDOR_TEST_DIALECTS limits the run (default "postgres mysql").
set -u

die() {
    echo "run-all.sh: $*" >&2
    exit 2
}

[ $# -eq 1 ] || die "usage: run-all.sh BUILD_DIR"
build=$(cd "$1" && pwd) || die "no build directory $1"
here=$(cd "$(dirname "$0")/../.." && pwd)
shared="$here/../shared"
status=0
running=""

tmp=$(mktemp -d "${TMPDIR:-/tmp}/candor-db-XXXXXX") || die "mktemp failed"
# The servers may run as another user (postgres.sh as root): let them in.
chmod 755 "$tmp"

stop_all() {
    for entry in $running; do
        "${entry%%=*}" stop "${entry#*=}" || true
    done
    running=""
    rm -rf "$tmp"
}
trap stop_all EXIT
trap 'exit 130' INT TERM HUP

# run_on DIALECT SCRIPT
run_on() {
    dialect=$1
    script=$2
    dir="$tmp/$dialect"
    echo "== $dialect: starting a throwaway server ($(basename "$script"))"
    if ! dsn=$("$script" start "$dir"); then
        echo "== $dialect: the server did not start" >&2
        status=1
        return
    fi
    running="$running $script=$dir"
    echo "== $dialect: $dsn"
    if ! (cd "$build" && CANDOR_TEST_DIALECT=$dialect CANDOR_TEST_DSN=$dsn \
        ctest --output-on-failure --timeout 1200 -R '^(unit/store/|api$)'); then
        echo "== $dialect: store or API tests failed" >&2
        status=1
    fi
    if ! (cd "$build" && CANDOR_TEST_DIALECT=$dialect CANDOR_TEST_DSN=$dsn \
        CANDOR_BIN="$build/candor" CANDOR_SHARED_DIR="$shared" \
        node --test --test-concurrency=1 \
            "$here/tests/browser/visitor.test.mjs"); then
        echo "== $dialect: the browser test failed" >&2
        status=1
    fi
    "$script" stop "$dir" || status=1
    running=$(echo "$running" | sed "s|  *$script=$dir||")
}

for dialect in ${CANDOR_TEST_DIALECTS:-postgres mysql}; do
    case "$dialect" in
    postgres) run_on postgres "$here/tests/db/postgres.sh" ;;
    mysql)
        if [ -x "$here/tests/db/mariadb.sh" ]; then
            run_on mysql "$here/tests/db/mariadb.sh"
        else
            echo "== mysql: tests/db/mariadb.sh not there, skipped"
        fi
        ;;
    *) die "unknown dialect '$dialect'" ;;
    esac
done
exit $status
