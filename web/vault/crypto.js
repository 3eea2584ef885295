// crypto.js -- the visitor's cryptography, all of it WebCrypto.
//
// Formats are Offen's, so Offen's dashboards decrypt what Candor's vault
// writes and the other way round:
//   - versioned strings "{1,} <base64 ciphertext>[ <base64 nonce>]";
//   - the user secret is an AES-GCM 128-bit key, kept and sent as JWK;
//   - it is wrapped with RSA-OAEP / SHA-256 under the account's public key
//     (a JWK from GET /api/exchange): "{1,} <b64>";
//   - each event is JSON, AES-GCM encrypted with a fresh 12-byte nonce, the
//     16-byte tag appended to the ciphertext: "{1,} <b64 ct> <b64 nonce>".

const subtle = globalThis.crypto && globalThis.crypto.subtle;

export const CIPHER_VERSION = 1;
const NONCE_BYTES = 12;
const AES = { name: 'AES-GCM', length: 128 };
const RSA = { name: 'RSA-OAEP', hash: 'SHA-256' };

export function supported() {
  return Boolean(subtle && typeof globalThis.crypto.getRandomValues === 'function');
}

export function toBase64(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

export function fromBase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// "{1,} a b" -> { version: 1, chunks: [Uint8Array a, Uint8Array b] }.
export function parseCipher(text) {
  if (typeof text !== 'string') throw new Error('cipher is not a string');
  const m = /^\{(\d+),(\d*)\}\s+(.+)$/s.exec(text);
  if (!m) throw new Error('malformed cipher');
  const chunks = m[3].trim().split(/\s+/).map(fromBase64);
  if (chunks.length < 1 || chunks.length > 2) throw new Error('malformed cipher');
  return { version: Number(m[1]), chunks };
}

export function serializeCipher(ciphertext, nonce) {
  const parts = [`{${CIPHER_VERSION},}`, toBase64(ciphertext)];
  if (nonce) parts.push(toBase64(nonce));
  return parts.join(' ');
}

// A fresh user secret: an extractable AES-GCM 128-bit key.
export function generateUserSecret() {
  return subtle.generateKey(AES, true, ['encrypt', 'decrypt']);
}

export function exportJwk(key) {
  return subtle.exportKey('jwk', key);
}

export function importUserSecret(jwk) {
  return subtle.importKey('jwk', jwk, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

// Wrap the JSON of a JWK for the account whose public key is publicJwk.
export async function wrapForAccount(publicJwk, jwk) {
  const key = await subtle.importKey('jwk', publicJwk, RSA, false, ['encrypt']);
  const plain = new TextEncoder().encode(JSON.stringify(jwk));
  const ct = await subtle.encrypt({ name: 'RSA-OAEP' }, key, plain);
  return serializeCipher(ct);
}

export async function encryptJson(key, value) {
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const ct = await subtle.encrypt({ name: 'AES-GCM', iv: nonce }, key, plain);
  return serializeCipher(ct, nonce);
}

export async function decryptJson(key, text) {
  const { version, chunks } = parseCipher(text);
  if (version !== CIPHER_VERSION || chunks.length !== 2) {
    throw new Error('unsupported cipher');
  }
  const [ct, nonce] = chunks;
  const plain = await subtle.decrypt({ name: 'AES-GCM', iv: nonce }, key, ct);
  return JSON.parse(new TextDecoder().decode(plain));
}

// A random UUID v4, for session ids.
export function uuid() {
  if (typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
