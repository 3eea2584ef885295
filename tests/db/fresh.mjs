// fresh.mjs -- a fresh, empty database per test server, for the dialect
// under test.
//
// CANDOR_TEST_DIALECT (sqlite3 | postgres | mysql; sqlite3 when unset) and
// CANDOR_TEST_DSN (a server where we may create and drop databases, as
// tests/db/postgres.sh and tests/db/mariadb.sh print) choose it. On SQLite
// nothing happens here: each server's data folder holds its own file. On
// the others, databaseFor(key) creates one database per key (a server's
// data folder), named cdapi_<pid>_<n>, with the command-line client
// (psql, mariadb), and gives the environment that points candor at it;
// the same key gets the same database, so a restarted server finds its
// data. dropDatabase(key) removes one, and every one left is dropped when
// the process exits. query(key, sql) runs SQL there and returns the rows
// as sqlite3's command-line shell prints them ("a|b" per line), with
// SQLite's `quotes` read as PostgreSQL's "quotes" and its rowid (insertion
// order) as ctid, the row's place in the table, which is that order for
// rows never updated; booleans come back as SQLite's 1 and 0.
import { spawnSync } from 'node:child_process';

export const DIALECT = process.env.CANDOR_TEST_DIALECT || 'sqlite3';
const DSN = process.env.CANDOR_TEST_DSN || '';
const made = new Map(); // key -> { name, conn }
let serial = 0;

export const onSqlite = DIALECT === 'sqlite3' || DIALECT === 'sqlite';

function must(r, what) {
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr}`);
  return r.stdout;
}

// The server's DSN with its database replaced by name.
function connFor(name) {
  if (DIALECT === 'postgres') {
    const u = new URL(DSN);
    u.pathname = `/${name}`;
    return u.toString();
  }
  // Offen's MySQL form: user:pass@tcp(host:port)/db?params
  return DSN.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
}

// MySQL's DSN as mariadb client arguments.
function mariadbArgs(dsn) {
  const m = /^(?:([^:@]*)(?::([^@]*))?@)?tcp\(([^:)]+):(\d+)\)\/([^?]*)/.exec(dsn);
  if (!m) throw new Error(`cannot read the MySQL DSN ${dsn}`);
  const args = ['--protocol=tcp', '-h', m[3], '-P', m[4], '-u', m[1] || 'root'];
  if (m[2]) args.push(`-p${m[2]}`);
  return { args, db: m[5] };
}

function sql(conn, text) {
  if (DIALECT === 'postgres') {
    return must(spawnSync('psql', ['-X', '-q', '-A', '-t', '-F', '|',
      '-v', 'ON_ERROR_STOP=1', '-d', conn, '-c',
      text.replaceAll('`', '"').replace(/\browid\b/g, 'ctid')],
    { encoding: 'utf8' }), 'psql');
  }
  // MySQL: rowid is candor_seq where candor_004 adds it, and event_id
  // (a ULID, minted in commit order) on events and tombstones; || joins
  // strings, as in SQLite.
  const { args, db } = mariadbArgs(conn);
  const seq = /\b(events|tombstones)\b/.test(text) ? 'event_id' : 'candor_seq';
  return must(spawnSync('mariadb', [...args, '-N', '-B',
    "--init-command=SET sql_mode = CONCAT(@@sql_mode, ',PIPES_AS_CONCAT')",
    '-e', text.replace(/\browid\b/g, seq),
    ...(db ? [db] : [])], { encoding: 'utf8' }), 'mariadb')
    .replaceAll('\t', '|');
}

// The environment that points a candor process at key's database
// (created at the first call); {} on SQLite.
export function databaseFor(key) {
  if (onSqlite) return {};
  if (!DSN) throw new Error(`CANDOR_TEST_DIALECT=${DIALECT} needs CANDOR_TEST_DSN`);
  let db = made.get(key);
  if (!db) {
    const name = `cdapi_${process.pid}_${serial++}`;
    sql(DSN, `CREATE DATABASE ${name}`);
    db = { name, conn: connFor(name) };
    made.set(key, db);
  }
  return { CANDOR_DATABASE_DIALECT: DIALECT, CANDOR_DATABASE_CONNECTIONSTRING: db.conn };
}

export function hasDatabase(key) {
  return made.has(key);
}

export function dropDatabase(key) {
  const db = made.get(key);
  if (!db) return;
  made.delete(key);
  sql(DSN, DIALECT === 'postgres'
    ? `DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`
    : `DROP DATABASE IF EXISTS ${db.name}`);
}

// Rows of a query on key's database, "a|b" per line, trimmed.
export function query(key, text) {
  const db = made.get(key);
  if (!db) throw new Error(`no database for ${key}`);
  const out = sql(db.conn, text).trim();
  if (DIALECT !== 'postgres') return out;
  return out.split('\n').map((line) => line.split('|')
    .map((f) => (f === 't' ? '1' : f === 'f' ? '0' : f)).join('|')).join('\n');
}

process.on('exit', () => {
  for (const key of [...made.keys()]) {
    try { dropDatabase(key); } catch { /* the server may be gone */ }
  }
});
