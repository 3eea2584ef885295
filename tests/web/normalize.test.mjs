// normalize.test.mjs -- normalize()'s caps (metrics/normalize.js): an
// href of MAX_URL characters is kept and one longer is dropped, as the
// vault drops it (and the vault sends none longer); the URL memo, full at
// MEMO_CAP entries, is dropped whole at the next entry and the rows stay
// right. Its own file: only this file's tests fill the memo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_URL } from '../../web/common/limits.js';
import { checkSkeleton, cleanReferrer } from '../../web/vault/events.js';
import { MEMO_CAP, memoSize, normalize, ulidAt } from '../../web/app/dashboard/metrics/normalize.js';

const T0 = Date.parse('2026-11-20T10:00:00Z');

function event(href, i = 0) {
  return {
    eventId: ulidAt(T0 + i).slice(0, 10) + String(i).padStart(16, '0'),
    secretId: 'user-1',
    payload: { type: 'PAGEVIEW', href, referrer: '', timestamp: '2026-11-20T10:00:00.000Z', isMobile: false,
      sessionId: 's-1', pageload: 120 },
  };
}

function padded(length, prefix = 'https://shop.example/p?x=') {
  return prefix + 'a'.repeat(length - prefix.length);
}

test('an href of MAX_URL characters is kept, one of MAX_URL + 1 is dropped', () => {
  assert.equal(MAX_URL, 2000);
  const at = padded(MAX_URL);
  const past = padded(MAX_URL + 1);
  assert.equal(at.length, 2000);
  assert.equal(past.length, 2001);
  const row = normalize(event(at));
  assert.equal(row.url, 'https://shop.example/p/');
  assert.equal(row.load, 120);
  assert.equal(normalize(event(past)), null);
  // the same cap on rawHref and on the referrer
  assert.equal(normalize({ ...event('https://shop.example/'), payload: { ...event('https://shop.example/').payload,
    rawHref: padded(MAX_URL + 1, 'https://shop.example/?utm_source=') } }), null);
  const ref = padded(MAX_URL, 'https://news.ycombinator.com/item?id=');
  assert.equal(normalize({ ...event('https://shop.example/'), payload: { ...event('https://shop.example/').payload,
    referrer: ref } }).ref, 'Hacker News');
  assert.equal(normalize({ ...event('https://shop.example/'), payload: { ...event('https://shop.example/').payload,
    referrer: `${ref}b` } }), null);
});

test('the vault sends what normalize() counts: an href or referrer at MAX_URL, not one past it', () => {
  const skeleton = (href) => ({ type: 'PAGEVIEW', href, title: 't', referrer: '' });
  assert.equal(checkSkeleton(skeleton(padded(MAX_URL))).href, padded(MAX_URL));
  assert.throws(() => checkSkeleton(skeleton(padded(MAX_URL + 1))));
  // the query goes, so the cap counts the path
  const ref = (n) => padded(n, 'https://r.example/');
  assert.equal(cleanReferrer(`${ref(MAX_URL)}?q=1`), ref(MAX_URL));
  assert.equal(cleanReferrer(`${ref(MAX_URL + 1)}?q=1`), '');
});

test('the URL memo: full at MEMO_CAP, dropped at one past it, rows still right', () => {
  const start = memoSize();
  // each new href adds two entries (its parts and its utm_* values)
  const href = (i) => `https://shop.example/page-${i}/?utm_source=src-${i}`;
  const first = normalize(event(href(0), 0));
  // an even count, so two per href reach the cap exactly: a new rawHref
  // alone adds one entry (the test above leaves an odd count)
  if (memoSize() % 2) {
    const e = event(href(0), 0);
    assert.equal(normalize({ ...e, payload: { ...e.payload, rawHref: 'https://shop.example/?utm_source=odd' } }).source, 'odd');
  }
  assert.equal(memoSize() % 2, 0);
  let i = 1;
  while (memoSize() < MEMO_CAP && i <= MEMO_CAP) {
    const r = normalize(event(href(i), i));
    assert.equal(r.url, `https://shop.example/page-${i}/`);
    i++;
  }
  assert.equal(memoSize(), MEMO_CAP, `from ${start} entries, ${i} hrefs`);
  // one past the cap: the memo starts over
  const past = normalize(event(href(i), i));
  assert.ok(memoSize() <= 2, `${memoSize()} entries after the clear`);
  assert.equal(past.url, `https://shop.example/page-${i}/`);
  assert.equal(past.source, `src-${i}`);
  // an href remembered before the clear comes out the same, computed again
  assert.deepEqual(normalize(event(href(0), 0)), first);
  assert.equal(first.source, 'src-0');
  assert.equal(first.url, 'https://shop.example/page-0/');
});
