// seed-load-test-gen.mjs -- a small load generator for bench/seed-load-test.
//
// Debian has no vegeta, hey or wrk2, and wrk has no fixed-rate mode, so the
// seed's runs (vegeta attack: 50 requests per second for 5 s, every request
// sent on time whatever the answers do) are reproduced here in node.
//
//   node seed-load-test-gen.mjs setup URL OUT_DIR [VISITORS]
//       an account, its operator and VISITORS visitors (default 2,000: each
//       may post 2 events/s, the per-visitor throttle); writes OUT_DIR/target.json
//       (for this script) and OUT_DIR/events.lua (for wrk)
//   node seed-load-test-gen.mjs rate URL TARGET RATE SECONDS NAME [OUT_DIR]
//       open loop: RATE requests per second for SECONDS, sent on schedule
//   node seed-load-test-gen.mjs max URL TARGET CONNECTIONS SECONDS NAME [OUT_DIR]
//       closed loop: CONNECTIONS requests in flight for SECONDS
//
// TARGET is index | healthz | login | events. A run waits at most 60 s for
// the last answers, and sends at most 200,000 requests. It prints one
// Markdown row: name, requests, rate sent, throughput, latency p50, p90,
// p99, max, status counts (vegeta report's fields).
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const MAX_REQUESTS = 200000;
const DRAIN_MS = 60000;
const [mode, base, ...rest] = process.argv.slice(2);
const url = new URL(base);
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
const b64 = (n) => randomBytes(n).toString('base64');

// The seed's login.json, against our bench operator.
const WRONG_LOGIN = JSON.stringify({ username: 'bench@example.com', password: 'xy18293kxmak' });

function send({ method = 'GET', path, headers = {}, body }) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request({ host: url.hostname, port: url.port, path, method, headers, agent,
      timeout: DRAIN_MS }, (r) => {
      let bytes = 0;
      r.on('data', (d) => { bytes += d.length; });
      r.on('end', () => resolve({ status: r.statusCode, ms: performance.now() - t0, bytes }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: e.message, ms: performance.now() - t0, bytes: 0 }));
    req.end(body);
  });
}

function requestFor(target, spec, n) {
  switch (target) {
  case 'index': return { path: '/' };
  case 'healthz': return { path: '/healthz' };
  case 'login': return { method: 'POST', path: '/api/login', body: WRONG_LOGIN };
  case 'events': return { method: 'POST', path: '/api/events',
    headers: { cookie: `consent=allow; user=${spec.users[n % spec.users.length]}` },
    body: JSON.stringify({ accountId: spec.accountId, payload: spec.payloads[n % spec.payloads.length] }) };
  default: throw new Error(`unknown target ${target}`);
  }
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)];
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 1 ? `${ms.toFixed(2)} ms`
  : `${(ms * 1000).toFixed(0)} µs`);

function report(name, results, attackMs, totalMs) {
  const lat = results.map((r) => r.ms).sort((a, b) => a - b);
  const codes = {};
  for (const r of results) codes[r.status] = (codes[r.status] || 0) + 1;
  const ok = results.filter((r) => typeof r.status === 'number' && r.status < 400).length;
  const statuses = Object.entries(codes).map(([k, v]) => `${k}:${v}`).join(' ');
  console.log(`| ${name} | ${results.length} | ${(results.length / (attackMs / 1000)).toFixed(1)}/s | ` +
    `${(ok / (totalMs / 1000)).toFixed(1)}/s | ${fmt(pct(lat, 0.5))} | ${fmt(pct(lat, 0.9))} | ` +
    `${fmt(pct(lat, 0.99))} | ${fmt(lat[lat.length - 1])} | ${statuses} |`);
}

async function rate(target, perSec, seconds, name, spec) {
  const total = Math.min(MAX_REQUESTS, Math.round(perSec * seconds));
  const pending = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / perSec;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(requestFor(target, spec, i)));
  }
  const attack = performance.now() - t0;
  const results = await Promise.all(pending);
  report(name, results, attack, performance.now() - t0);
}

async function max(target, conns, seconds, name, spec) {
  const results = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let n = 0;
  const worker = async () => {
    while (performance.now() < end && n < MAX_REQUESTS) results.push(await send(requestFor(target, spec, n++)));
  };
  await Promise.all(Array.from({ length: conns }, worker));
  const took = performance.now() - t0;
  report(name, results, Math.min(took, seconds * 1000), took);
}

async function setup(dir, nVisitors) {
  const post = (path, body, headers = {}) => fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body), headers });
  let res = await post('/api/setup', { accountName: 'Bench', emailAddress: 'bench@example.com', password: 'bench password' });
  if (res.status !== 204) throw new Error(`setup: ${res.status}`);
  res = await post('/api/login', { username: 'bench@example.com', password: 'bench password' });
  const accountId = (await res.json()).accounts[0].accountId;
  const users = [];
  for (let i = 0; i < nVisitors; i++) {
    const user = randomUUID();
    res = await post('/api/exchange', { accountId, encryptedSecret: `{1,} ${b64(512)}` }, { cookie: `user=${user}` });
    if (res.status !== 204) throw new Error(`exchange: ${res.status}`);
    users.push(user);
  }
  // About 700 bytes, as bench/events.sh: "{1,} base64(ciphertext) base64(nonce)".
  const payloads = Array.from({ length: 16 }, () => `{1,} ${b64(510)} ${b64(12)}`);
  writeFileSync(join(dir, 'target.json'), JSON.stringify({ accountId, users, payloads }));
  writeFileSync(join(dir, 'events.lua'), `
local users = { ${users.map((u) => `"${u}"`).join(',')} }
local payloads = { ${payloads.map((p) => `"${p}"`).join(',')} }
local n = 0
request = function()
  n = n + 1
  local body = '{"accountId":"${accountId}","payload":"' .. payloads[(n % #payloads) + 1] .. '"}'
  return wrk.format("POST", nil, { ["Cookie"] = "consent=allow; user=" .. users[(n % #users) + 1] }, body)
end
`);
  writeFileSync(join(dir, 'login.lua'), `
wrk.method = "POST"
wrk.body = '${WRONG_LOGIN}'
`);
}

if (mode === 'setup') {
  await setup(rest[0], Number(rest[1] || 2000));
} else {
  const [target, amount, seconds, name, dir] = rest;
  const spec = dir ? JSON.parse(readFileSync(join(dir, 'target.json'), 'utf8')) : {};
  if (mode === 'rate') await rate(target, Number(amount), Number(seconds), name, spec);
  else if (mode === 'max') await max(target, Number(amount), Number(seconds), name, spec);
  else throw new Error(`unknown mode ${mode}`);
}
agent.destroy();
