// harness.mjs -- start the real candor binary for API tests.
//
// Each server gets a throwaway data folder, an ephemeral loopback port and
// a clean environment (nothing of the caller's CANDOR_*/OFFEN_* leaks in).
// The port is read from the server's own log line. stop() sends SIGTERM and
// fails the test if the server did not exit cleanly, so leaks found by the
// sanitizers at exit fail the suite too.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import net from 'node:net';
import { databaseFor, dropDatabase, hasDatabase, onSqlite, query } from '../db/fresh.mjs';

export const BIN = resolve(process.env.CANDOR_BIN || 'build/release/candor');
export const SHARED = resolve(process.env.CANDOR_SHARED_DIR || '../shared');

export function tempDir(prefix = 'candor-test-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// The environment a test process gets: PATH, sanitizer settings and what
// the test asks for, nothing else.
export function cleanEnv(extra = {}) {
  const env = { PATH: process.env.PATH, LANG: 'C', TZ: 'UTC' };
  for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) {
    if (process.env[k]) env[k] = process.env[k];
  }
  return { ...env, ...extra };
}

// With CANDOR_TEST_DIALECT set (tests/db/fresh.mjs), the database of a
// data folder: a fresh one per folder, unless the test names its own.
function dbEnv(dataDir, env) {
  const own = ['DATABASE_DIALECT', 'DATABASE_CONNECTIONSTRING', 'DATABASE_URL']
    .some((k) => `CANDOR_${k}` in env || `OFFEN_${k}` in env);
  return own || !dataDir ? {} : databaseFor(dataDir);
}

// Run the binary to completion: { status, stdout, stderr }.
export function run(args, { env = {}, cwd, input } = {}) {
  const home = tempDir('candor-home-');
  try {
    const r = spawnSync(BIN, args, {
      env: cleanEnv({ HOME: home, ...dbEnv(env.CANDOR_APP_DATADIR, env), ...env }),
      cwd: cwd || home,
      input,
      encoding: 'utf8',
      timeout: 60000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// wrap: a command line to run the binary under, e.g. ['prlimit', '--fsize=N'].
// bin: another build of the server (the release build, for a timing).
export async function startServer({ env = {}, args = [], dataDir, wrap = [], bin = BIN } = {}) {
  const dir = dataDir || tempDir();
  const ownDir = !dataDir;
  const data = env.CANDOR_APP_DATADIR || join(dir, 'data');
  const childEnv = cleanEnv({
    HOME: dir,
    CANDOR_APP_DATADIR: join(dir, 'data'),
    ...dbEnv(data, env),
    CANDOR_SERVER_HOST: '127.0.0.1',
    CANDOR_SERVER_PORT: '0',
    CANDOR_SERVER_THREADS: '2',
    ...env,
  });
  const argv = [...wrap, bin, 'serve', ...args];
  const child = spawn(argv[0], argv.slice(1), { env: childEnv, cwd: dir });
  const server = {
    child, dir, stdout: '', stderr: '', port: 0, exited: null,
    dataDir: childEnv.CANDOR_APP_DATADIR,
    get url() { return `http://127.0.0.1:${this.port}`; },
  };
  child.stdout.on('data', (d) => { server.stdout += d; });
  child.stderr.on('data', (d) => { server.stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    server.exited = { code, signal };
    resolve(server.exited);
  }));
  server.port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `server did not start within 30 s:\n${server.stderr}`)), 30000);
    const check = () => {
      const m = /Server now listening on port (\d+)/.exec(server.stderr);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stderr.on('data', check);
    exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${JSON.stringify(e)}):\n${server.stderr}`));
    });
  });
  server.stop = async () => {
    if (!server.exited) child.kill('SIGTERM');
    const e = await exited;
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    if (ownDir) dropDatabase(data);
    if (e.code !== 0) {
      throw new Error(`server exited with ${JSON.stringify(e)}:\n${server.stderr}`);
    }
    return e;
  };
  return server;
}

// Send raw bytes on one connection and collect what comes back until the
// server closes it or `ms` passes: { data, closed }.
export function rawRequest(port, chunks, { ms = 5000, gapMs = 0 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    let closed = false;
    const timer = setTimeout(() => { sock.destroy(); resolve({ data, closed }); }, ms);
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('error', () => {});
    sock.on('close', () => { closed = true; clearTimeout(timer); resolve({ data, closed }); });
    sock.on('connect', async () => {
      for (const c of [].concat(chunks)) {
        if (closed) break;
        sock.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

export function statusOf(raw) {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
  return m ? Number(m[1]) : 0;
}

// On another dialect, the database of the data folder dbPath lies in.
export function sqlite(dbPath, sql) {
  if (!onSqlite && hasDatabase(dirname(dbPath))) return query(dirname(dbPath), sql);
  const r = spawnSync('sqlite3', [dbPath, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr || r.signal || r.error}`);
  return r.stdout.trim();
}
