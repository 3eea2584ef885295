// cipher.test.mjs -- aesParts() and the base64 decoder of
// web/app/dashboard/cipher.js, which the decryption workers run per event:
// every length's padding, the characters outside the alphabet, the
// version prefix, a missing nonce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { aesParts, base64 } from '../../web/app/dashboard/cipher.js';

const b64 = (bytes) => Buffer.from(bytes).toString('base64');

test('base64 decodes every length, padded and unpadded, as node does', () => {
  for (let n = 0; n <= 70; n++) {
    const bytes = randomBytes(n);
    const text = `x${b64(bytes)}y`;
    assert.deepEqual(Buffer.from(base64(text, 1, text.length - 1)), bytes, `padded, ${n} bytes`);
    const bare = b64(bytes).replace(/=+$/, '');
    assert.deepEqual(Buffer.from(base64(bare, 0, bare.length)), bytes, `unpadded, ${n} bytes`);
  }
});

test('base64 rejects every character outside the standard alphabet', () => {
  for (const c of [' ', '\n', '-', '_', '.', '=A', '\u00e9', '\u{1f600}']) {
    const text = `QUJD${c}REVG`;
    assert.throws(() => base64(text, 0, text.length), /bad base64/, JSON.stringify(c));
  }
});

test('aesParts takes "{1,} <ciphertext> <nonce>" apart', () => {
  const ct = randomBytes(300);
  const nonce = randomBytes(12);
  const [a, b] = aesParts(`{1,} ${b64(ct)} ${b64(nonce)}`);
  assert.ok(a instanceof Uint8Array && b instanceof Uint8Array);
  assert.deepEqual(Buffer.from(a), ct);
  assert.deepEqual(Buffer.from(b), nonce);
});

test('aesParts refuses another version, a missing nonce, a non-string, bad base64', () => {
  const ok = `${b64(randomBytes(32))} ${b64(randomBytes(12))}`;
  assert.throws(() => aesParts(`{2,} ${ok}`), /unsupported cipher/);
  assert.throws(() => aesParts(`{1,}${ok}`), /unsupported cipher/);
  assert.throws(() => aesParts(null), /unsupported cipher/);
  assert.throws(() => aesParts(`{1,} ${b64(randomBytes(32))}`), /malformed cipher/);
  assert.throws(() => aesParts(`{1,} ${b64(randomBytes(32)).replace(/^./, '!')} ${b64(randomBytes(12))}`));
});
