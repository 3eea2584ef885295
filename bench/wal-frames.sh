#!/bin/bash
# wal-frames.sh -- how many pages SQLite writes to its log per event, and
# which index they come from.
#
#   bench/wal-frames.sh [path/to/candor]
#
# Makes Candor's schema in a temporary folder (`candor migrate`), adds
# SECRETS visitors' secrets, then inserts events as the group-commit writer
# does (one INSERT per event, BATCH of them per transaction, each for a
# random visitor, a 700-character payload) and reads the length of the
# write-ahead log after MEASURED transactions (PRAGMA wal_checkpoint
# reports it; checkpoints are off meanwhile). The first WARM transactions
# are not counted, so that the tables have grown past their first pages.
# Prints frames (pages) per event for the schema as it is and for the same
# schema with each of Candor's two event indexes dropped, which shows what
# each costs. Needs the sqlite3 command-line shell (a test dependency).
set -euo pipefail

bin=${1:-build/release/candor}
secrets=${SECRETS:-40000}
batch=${BATCH:-17}
warm=${WARM:-3000}
measured=${MEASURED:-1000}
work=$(mktemp -d "${TMPDIR:-/tmp}/candor-frames.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

CANDOR_APP_DATADIR="$work/schema" "$bin" migrate >/dev/null 2>&1
schema="$work/schema/candor.db"

# The SQL for n transactions of $batch events, numbered from $2 on.
events_sql() {
    awk -v n="$1" -v from="$2" -v b="$batch" -v s="$secrets" 'BEGIN {
        id = from
        for (t = 0; t < n; t++) {
            print "BEGIN IMMEDIATE;"
            for (i = 0; i < b; i++) {
                id++
                printf "INSERT INTO events (event_id, sequence, account_id, secret_id, payload) "
                printf "SELECT printf(\"E%%025d\", %d), printf(\"S%%025d\", %d), \"a\" || hex(zeroblob(17)), ", id, id
                printf "secret_id, substr(hex(zeroblob(350)), 1, 700) FROM secrets "
                printf "WHERE rowid = abs(random() %% %d) + 1;\n", s
            }
            print "COMMIT;"
        }
    }'
}

frames() { # frames DROP_SQL: frames per event
    local db="$work/run.db"
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$schema" "$db"
    {
        echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        echo "PRAGMA wal_autocheckpoint=0; $1"
        echo "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $secrets)"
        echo "INSERT INTO secrets SELECT lower(hex(randomblob(16))), hex(randomblob(350)) FROM n;"
        events_sql "$warm" 0
        echo "PRAGMA wal_checkpoint(TRUNCATE);"
        events_sql "$measured" $((warm * batch))
        echo "PRAGMA wal_checkpoint(PASSIVE);"
    } | sqlite3 "$db" | tail -n1 |
        awk -F'|' -v e=$((measured * batch)) '{printf "%.2f", $2 / e}'
}

echo
echo "$(date -u +%Y-%m-%d) SQLite $(sqlite3 --version | cut -d' ' -f1); $secrets visitors, $batch events per transaction, $measured transactions measured"
echo
echo "| schema | log frames per event |"
echo "|---|---|"
echo "| as Candor makes it | $(frames '') |"
echo "| without (secret_id, sequence, event_id) | $(frames 'DROP INDEX candor_events_secret_sequence;') |"
echo "| without (account_id, sequence, event_id) | $(frames 'DROP INDEX candor_events_account_sequence;') |"
