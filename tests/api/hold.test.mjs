// hold.test.mjs -- a stopping server releases the requests the throttle
// holds: on SIGTERM every held login goes on (unthrottled) and is answered,
// and the process exits within a few seconds, long before the holds (up to
// ~28 s) or the 20 s shutdown grace period would end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { post } from './client.mjs';
import { startServer } from './harness.mjs';

const ADMIN = { email: 'admin@example.com', password: 'admin password' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('SIGTERM answers held logins and the server exits within a few seconds', async () => {
  const srv = await startServer();
  let stopped = false;
  try {
    const setup = await post(srv, '/api/setup', {
      accountName: 'Main', emailAddress: ADMIN.email, password: ADMIN.password });
    assert.equal(setup.status, 204);

    // Seven wrong passwords for one user at once: postLogin's per-user
    // stage is exponential with 1 s, so the first passes and the others
    // are held for about 1, 3, 6, 10, 15 and 21 s.
    const answers = Array.from({ length: 7 }, () =>
      post(srv, '/api/login', { username: ADMIN.email, password: 'wrong' })
        .then(async (res) => ({ status: res.status, body: await res.text() }))
        .catch((e) => ({ status: 0, body: String(e) })));
    const first = await Promise.race([answers[0], sleep(5000).then(() => null)]);
    await sleep(500); // the others are in their holds now
    const t0 = Date.now();
    srv.child.kill('SIGTERM');
    stopped = true;
    const all = await Promise.race([Promise.all(answers), sleep(8000).then(() => null)]);
    assert.ok(all, 'the held requests were not answered within 8 s of SIGTERM');
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < 5000, `held requests answered ${elapsed} ms after SIGTERM`);
    for (const a of all) {
      // Released holds go on to the handler: a wrong password, not a
      // dropped connection and not a 429 (no request here was over 30 s).
      assert.equal(a.status, 401, a.body);
    }
    assert.ok(first === null || first.status === 401);
    const exit = srv.exited ?? await Promise.race([
      new Promise((r) => srv.child.once('exit', (code, signal) => r({ code, signal }))),
      sleep(5000).then(() => srv.exited),
    ]);
    assert.ok(exit, 'the server did not exit within 5 s of answering');
    assert.equal(exit.code, 0, srv.stderr);
    assert.ok(Date.now() - t0 < 10000, `exit ${Date.now() - t0} ms after SIGTERM`);
  } finally {
    if (!stopped) srv.child.kill('SIGTERM');
    await srv.stop();
  }
});
