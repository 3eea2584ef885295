// strength.js -- an honest hint about a new password, and the policy check.
//
// The server takes 8 to 64 bytes (UTF-8), nothing else. The hint only
// counts length and the kinds of characters used; it does not pretend to
// know about dictionaries. Pure functions: tests/web/strength.test.mjs.

export const MIN_BYTES = 8;
export const MAX_BYTES = 64;

export function byteLength(s) {
  return new TextEncoder().encode(String(s)).length;
}

// The number of character kinds in s: lower case, upper case, digits,
// anything else (spaces, punctuation, letters of other scripts).
export function variety(s) {
  const kinds = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u];
  return kinds.filter((re) => re.test(s)).length;
}

// "short" | "long" (outside the policy) or "weak" | "fair" | "good" |
// "strong". Length counts most: 16 characters of anything beat 9 mixed.
export function strength(password) {
  const s = String(password);
  const bytes = byteLength(s);
  if (bytes < MIN_BYTES) return 'short';
  if (bytes > MAX_BYTES) return 'long';
  const chars = [...s].length;
  const score = (chars >= 12 ? 1 : 0) + (chars >= 16 ? 1 : 0) + (chars >= 24 ? 1 : 0) +
    Math.max(0, variety(s) - 1);
  if (score >= 4) return 'strong';
  if (score >= 2) return 'good';
  if (score >= 1) return 'fair';
  return 'weak';
}

// Whether the server will take it as a new password.
export function acceptable(password) {
  const n = byteLength(password);
  return n >= MIN_BYTES && n <= MAX_BYTES;
}
