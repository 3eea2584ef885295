// next.test.mjs -- where the login goes: ?next= only when it is a path of
// this site, else the first account's dashboard, else the console.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { landing, safeNext } from '../../web/app/pages/next.js';

const O = 'https://candor.example';

test('safeNext takes paths of this origin only', () => {
  assert.equal(safeNext('/console/', O), '/console/');
  assert.equal(safeNext('/auditorium/a1/?range=30#x', O), '/auditorium/a1/?range=30#x');
  for (const bad of ['//evil.example/', '/\\evil.example/', 'https://evil.example/', 'javascript:alert(1)',
    'console/', '', null, undefined, 42]) {
    assert.equal(safeNext(bad, O), null, String(bad));
  }
});

test('landing: next, else the first account, else the console', () => {
  const two = { accounts: [{ accountId: 'a 1' }, { accountId: 'b' }] };
  assert.equal(landing(two, '/console/', O), '/console/');
  assert.equal(landing(two, '//evil.example/', O), '/auditorium/a%201/');
  assert.equal(landing(two, '/login/?next=/x', O), '/auditorium/a%201/', 'never back to the login');
  assert.equal(landing({ accounts: [] }, null, O), '/console/');
  assert.equal(landing({ accounts: null }, null, O), '/console/');
});
