// retire.test.mjs -- a retired account stops taking events within the
// event loops' salt cache time (API_SALT_CACHE_MS, 10 s): docs/differences.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { login, newVisitor, post } from './client.mjs';
import { startServer } from './harness.mjs';

const b64 = (n) => randomBytes(n).toString('base64');
const payload = () => `{1,} ${b64(300)} ${b64(12)}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('POST /api/events turns 4xx within about 10 s of retiring the account', async () => {
  const srv = await startServer();
  try {
    let res = await post(srv, '/api/setup', { accountName: 'Site', emailAddress: 'op@example.com', password: 'op password' });
    assert.equal(res.status, 204);
    const op = await login(srv, { email: 'op@example.com', password: 'op password' });
    assert.equal(op.status, 200);
    const operator = op.cookie;
    const accountId = op.body.accounts[0].accountId;
    const cookie = `consent=allow; user=${await newVisitor(srv, accountId)}`;

    // Fill the salt caches (both loops, over several connections).
    for (let i = 0; i < 4; i++) {
      res = await post(srv, '/api/events', { accountId, payload: payload() }, cookie);
      assert.equal(res.status, 201);
    }
    res = await fetch(`${srv.url}/api/accounts/${accountId}`, { method: 'DELETE', headers: { cookie: operator } });
    assert.equal(res.status, 204);
    const t0 = Date.now();

    // Poll (bounded): the first refusal must come within the cache time,
    // with a margin for a poll's pause and a slow (sanitized) server.
    let refusedAt = null;
    while (Date.now() - t0 < 14000) {
      res = await post(srv, '/api/events', { accountId, payload: payload() }, cookie);
      await res.text();
      if (res.status >= 400 && res.status < 500) { refusedAt = Date.now() - t0; break; }
      assert.equal(res.status, 201, 'a cached account still takes the event');
      await sleep(500);
    }
    assert.ok(refusedAt !== null, 'the retired account still took events 14 s later');
    assert.ok(refusedAt <= 12000, `first refusal ${refusedAt} ms after retiring`);
    // Once every loop's entry has expired (10 s after it was filled, all
    // before the retirement), the refusal stays.
    await sleep(Math.max(0, 10500 - (Date.now() - t0)));
    for (let i = 0; i < 4; i++) {
      res = await post(srv, '/api/events', { accountId, payload: payload() }, cookie);
      await res.text();
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    }
  } finally {
    await srv.stop();
  }
});
