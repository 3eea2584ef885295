// strength.test.mjs -- the password policy (8 to 64 bytes of UTF-8, as the
// server counts) at and past its caps, and the strength hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BYTES, MIN_BYTES, acceptable, byteLength, strength, variety } from '../../web/app/pages/strength.js';

test('the policy counts bytes: 8 and 64 pass, 7 and 65 do not', () => {
  assert.equal(MIN_BYTES, 8);
  assert.equal(MAX_BYTES, 64);
  assert.equal(acceptable('a'.repeat(7)), false);
  assert.equal(acceptable('a'.repeat(8)), true);
  assert.equal(acceptable('a'.repeat(64)), true);
  assert.equal(acceptable('a'.repeat(65)), false);
  assert.equal(byteLength('ä'), 2);
  assert.equal(acceptable('ä'.repeat(32)), true, '32 characters, 64 bytes');
  assert.equal(acceptable(`${'ä'.repeat(32)}x`), false, '33 characters, 65 bytes');
  assert.equal(acceptable('ääää'), true, '4 characters, 8 bytes');
  assert.equal(acceptable('äää1'), false, '4 characters, 7 bytes');
  assert.equal(strength('a'.repeat(65)), 'long');
  assert.equal(strength('äää'), 'short');
});

test('variety counts kinds of characters', () => {
  assert.equal(variety('abc'), 1);
  assert.equal(variety('aBc'), 2);
  assert.equal(variety('aB3'), 3);
  assert.equal(variety('aB3 '), 4);
  assert.equal(variety('ÄÖü'), 2);
});

test('strength grows with length and variety', () => {
  assert.equal(strength('abcdefgh'), 'weak');
  assert.equal(strength('abcdefgH'), 'fair');
  assert.equal(strength('abcdefghijkl'), 'fair');
  assert.equal(strength('abcdefghijklmnop'), 'good');
  assert.equal(strength('abcdefgH1!'), 'good');
  assert.equal(strength('correct horse battery staple'), 'strong');
  assert.equal(strength('Tr0ub4dor&3xyzab'), 'strong');
});
