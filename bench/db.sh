# db.sh -- the database a benchmark runs Candor on; sourced by run.sh and
# events.sh, which set $here (the checkout) and $work (their temp folder).
#
# BENCH_DIALECT picks it: sqlite3 (the default: a file in the data folder),
# postgres or mysql (a throwaway PostgreSQL or MariaDB server from
# tests/db/, started in $work and removed by bench_db_stop).

dialect=${BENCH_DIALECT:-sqlite3}

case "$dialect" in
sqlite3 | postgres | mysql) ;;
*) echo "bench: BENCH_DIALECT must be sqlite3, postgres or mysql" >&2; exit 2 ;;
esac

# Start the server (if any) and export Candor's database settings.
bench_db_start() {
    local script
    case "$dialect" in
    postgres) script=postgres.sh ;;
    mysql) script=mariadb.sh ;;
    *) return 0 ;;
    esac
    chmod 755 "$work" # the server may run as another user
    export CANDOR_DATABASE_DIALECT=$dialect
    CANDOR_DATABASE_CONNECTIONSTRING=$("$here/tests/db/$script" start "$work/db")
    export CANDOR_DATABASE_CONNECTIONSTRING
}

bench_db_stop() {
    case "$dialect" in
    postgres) "$here/tests/db/postgres.sh" stop "$work/db" || true ;;
    mysql) "$here/tests/db/mariadb.sh" stop "$work/db" || true ;;
    esac
}

# How many events the database holds; $1 is Candor's data folder.
bench_db_count_events() {
    local dsn=${CANDOR_DATABASE_CONNECTIONSTRING:-} port
    case "$dialect" in
    postgres)
        psql -X -A -t -d "$dsn" -c 'SELECT count(*) FROM events' ;;
    mysql) # user:password@tcp(host:port)/database?params
        port=$(printf '%s' "$dsn" | sed -n 's/.*tcp([^:]*:\([0-9]*\)).*/\1/p')
        mariadb -h 127.0.0.1 -P "$port" -u "${dsn%%:*}" \
            -p"$(printf '%s' "$dsn" | sed 's/^[^:]*:\([^@]*\)@.*/\1/')" \
            -N -e 'SELECT count(*) FROM events' \
            "$(printf '%s' "$dsn" | sed 's/.*)\/\([^?]*\).*/\1/')" ;;
    *)
        sqlite3 "$1/candor.db" 'SELECT count(*) FROM events' ;;
    esac
}

# The database in words, for the tables.
bench_db_name() {
    case "$dialect" in
    postgres) echo "PostgreSQL 15 (throwaway, tests/db/postgres.sh: fsync off)" ;;
    mysql) echo "MariaDB 10.11 (throwaway, tests/db/mariadb.sh: InnoDB defaults, a flush per commit)" ;;
    *) echo "SQLite (WAL)" ;;
    esac
}
