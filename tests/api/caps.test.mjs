// caps.test.mjs -- what hostile or broken clients get: every cap at and one
// past its limit, slow clients, connection caps and malformed requests.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, rawRequest, statusOf } from './harness.mjs';

const servers = [];
after(async () => { for (const s of servers) await s.stop(); });
async function server(env) { const s = await startServer({ env }); servers.push(s); return s; }

// A request head of exactly `size` bytes, counted as the server counts it:
// request line and header lines with their CRLFs, without the final CRLF.
function headOfSize(size, method = 'GET', path = '/healthz', extra = '') {
  const base = `${method} ${path} HTTP/1.1\r\nHost: x\r\n${extra}X-Pad: `;
  const pad = size - base.length - 2;
  assert.ok(pad >= 0);
  return `${base}${'a'.repeat(pad)}\r\n`;
}

test('request head: 16 KiB by default is accepted, one byte more gets 431', async () => {
  const s = await server();
  let r = await rawRequest(s.port, headOfSize(16384) + '\r\n', { ms: 2000 });
  assert.equal(statusOf(r.data), 200, r.data.slice(0, 200));
  r = await rawRequest(s.port, headOfSize(16385) + '\r\n', { ms: 2000 });
  assert.equal(statusOf(r.data), 431);
  assert.match(r.data, /"status":431/);
});

test('request head cap is configurable', async () => {
  const s = await server({ CANDOR_SERVER_MAXHEADERBYTES: '2048' });
  let r = await rawRequest(s.port, headOfSize(2048) + '\r\n', { ms: 2000 });
  assert.equal(statusOf(r.data), 200);
  r = await rawRequest(s.port, headOfSize(2049) + '\r\n', { ms: 2000 });
  assert.equal(statusOf(r.data), 431);
});

test('body: 64 KiB is accepted, one byte more gets 413 before the body is sent', async () => {
  const s = await server();
  let res = await fetch(`${s.url}/healthz`, { method: 'POST', body: 'x'.repeat(65536) });
  assert.equal(res.status, 200);
  res = await fetch(`${s.url}/healthz`, { method: 'POST', body: 'x'.repeat(65537) }).catch((e) => e);
  // the server may answer and close before fetch finished sending
  if (res instanceof Response) assert.equal(res.status, 413);
  // Only the head, announcing one byte too many: the answer comes at once.
  const r = await rawRequest(s.port,
    'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n', { ms: 3000 });
  assert.equal(statusOf(r.data), 413);
});

// h2o counts a chunked body's decoded size and refuses it once it reaches
// the cap, so a chunked body must stay one byte below it (documented).
test('a chunked body that reaches the cap gets 413 too', async () => {
  const s = await server({ CANDOR_SERVER_MAXBODYBYTES: '4096' });
  const chunk = 'a'.repeat(4096);
  const r = await rawRequest(s.port,
    `POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
    { ms: 3000 });
  assert.equal(statusOf(r.data), 413);
  const ok = await rawRequest(s.port,
    `POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\na\r\nffe\r\n${'a'.repeat(4094)}\r\n0\r\n\r\n`,
    { ms: 3000 });
  assert.equal(statusOf(ok.data), 200);
});

test('a slow client is cut off at the request deadline', async () => {
  const s = await server({ CANDOR_SERVER_REQUESTTIMEOUT: '1' });
  // Slowloris: a header byte every 250 ms would take 8 s to finish.
  const drip = ['GET /healthz HTTP/1.1\r\n', ...'X-Slow: abcdefghijklmnopqrstuvwxyz0123\r\n'];
  const r = await rawRequest(s.port, drip, { gapMs: 250, ms: 8000 });
  assert.equal(r.closed, true, 'server should close the connection');
  assert.notEqual(statusOf(r.data), 200);
  // An idle connection that sends nothing is closed too.
  const idle = await rawRequest(s.port, [], { ms: 8000 });
  assert.equal(idle.closed, true);
  assert.equal(idle.data, '');
  // A normal client is still served.
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
});

test('connections per address: at the cap served, one more refused', async () => {
  const s = await server({ CANDOR_SERVER_MAXCONNSPERIP: '4' });
  const open = [];
  for (let i = 0; i < 4; i++) {
    open.push(await new Promise((resolve) => {
      const c = net.connect(s.port, '127.0.0.1', () => resolve(c));
    }));
  }
  // all four are real connections: each is served
  for (const c of open) {
    const answer = new Promise((resolve) => c.once('data', (d) => resolve(d.toString())));
    c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(statusOf(await answer), 200);
  }
  // the fifth is closed before anything is read
  const fifth = await rawRequest(s.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { ms: 3000 });
  assert.equal(fifth.closed, true);
  assert.equal(fifth.data, '');
  // closing one makes room again
  open.pop().destroy();
  await new Promise((r) => setTimeout(r, 100));
  const again = await rawRequest(s.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { ms: 3000 });
  assert.equal(statusOf(again.data), 200);
  for (const c of open) c.destroy();
});

test('malformed requests get 400 and the server keeps serving', async () => {
  const s = await server();
  const bad = [
    'GARBAGE\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    'GET /healthz HTTP/1.1\r\n' + 'X-A: b\r\n'.repeat(101) + '\r\n',
  ];
  for (const req of bad) {
    const r = await rawRequest(s.port, req, { ms: 3000 });
    assert.equal(statusOf(r.data), 400, JSON.stringify(req.slice(0, 80)));
  }
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
});
