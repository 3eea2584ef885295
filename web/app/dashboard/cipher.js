// cipher.js -- Offen's AES-GCM cipher string, taken apart fast.
//
// aesParts("{1,} <ciphertext> <nonce>") -> [ciphertext, nonce] as
// Uint8Arrays; throws on any other version, a string without the nonce,
// or a character outside standard base64 (padding '=' only at the end).
// The decryption workers (worker.js) call it once per event. The loop
// below decodes without atob's binary string; Chromium's own
// Uint8Array.fromBase64 and atob measured the same time per event (2 to
// 4 µs for an event's two parts, about 400 characters), so there is one
// decoder.
//
// Pure: node's unit tests import it (tests/web/cipher.test.mjs).

const B64 = new Uint8Array(128).fill(255);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('')
  .forEach((c, i) => { B64[c.charCodeAt(0)] = i; });

// text[from, to) base64 -> bytes, without atob's binary string.
export function base64(text, from, to) {
  let end = to;
  while (end > from && text.charCodeAt(end - 1) === 61) end--; // '='
  const out = new Uint8Array(Math.floor(((end - from) * 3) / 4));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64[c] : 255;
    if (v === 255) throw new Error('bad base64');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

export function aesParts(text) {
  if (typeof text !== 'string' || !text.startsWith('{1,} ')) throw new Error('unsupported cipher');
  const gap = text.indexOf(' ', 5);
  if (gap < 0) throw new Error('malformed cipher');
  return [base64(text, 5, gap), base64(text, gap + 1, text.length)];
}
