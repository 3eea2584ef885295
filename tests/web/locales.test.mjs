// locales.test.mjs -- every locale file is a flat object of strings; every
// key of English exists in every other language and the other way round;
// placeholders match; each namespace's keys carry its prefix; and every
// key the operator pages use exists in English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FALLBACK, LANGUAGES } from '../../web/common/i18n.js';

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const LOCALES = join(WEB, 'locales');
const PREFIX = { common: 'app.', console: 'console.', dashboard: 'dashboard.' };

function load(lang, ns) {
  return JSON.parse(readFileSync(join(LOCALES, lang, `${ns}.json`), 'utf8'));
}

const namespaces = readdirSync(join(LOCALES, FALLBACK)).filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the languages on disk are the ones i18n.js offers', () => {
  assert.deepEqual(readdirSync(LOCALES).sort(), [...LANGUAGES].sort());
});

for (const ns of namespaces) {
  test(`${ns}: flat strings, prefixed keys`, () => {
    for (const lang of LANGUAGES) {
      for (const [k, v] of Object.entries(load(lang, ns))) {
        assert.equal(typeof v, 'string', `${lang}/${ns}: ${k} is not a string`);
        assert.ok(v.trim().length > 0, `${lang}/${ns}: ${k} is empty`);
        if (PREFIX[ns]) assert.ok(k.startsWith(PREFIX[ns]), `${lang}/${ns}: ${k} lacks ${PREFIX[ns]}`);
      }
    }
  });

  test(`${ns}: every language has every key, with the same placeholders`, () => {
    const en = load(FALLBACK, ns);
    for (const lang of LANGUAGES.filter((l) => l !== FALLBACK)) {
      const other = load(lang, ns);
      assert.deepEqual(Object.keys(en).filter((k) => !(k in other)), [], `missing in ${lang}/${ns}`);
      assert.deepEqual(Object.keys(other).filter((k) => !(k in en)), [], `only in ${lang}/${ns}`);
      for (const k of Object.keys(en)) {
        assert.deepEqual(placeholders(other[k]), placeholders(en[k]), `${lang}/${ns}: placeholders of ${k}`);
      }
    }
  });
}

// The keys named in the operator pages' code: quoted 'console.x.y' and
// 'app.x' literals, data-i18n attributes, and the password levels.
function usedKeys() {
  const files = ['app/index.html', 'app/app.js', ...readdirSync(join(WEB, 'app/pages'))
    .filter((f) => f.endsWith('.js')).map((f) => `app/pages/${f}`)];
  const keys = new Set();
  for (const f of files) {
    const text = readFileSync(join(WEB, f), 'utf8');
    for (const m of text.matchAll(/['"]((?:console|app)\.[A-Za-z.]+[A-Za-z])['"]/g)) keys.add(m[1]);
    for (const m of text.matchAll(/data-i18n(?:-attr)?="(?:[\w-]+:)?([\w.]+)"/g)) keys.add(m[1]);
  }
  for (const level of ['short', 'long', 'weak', 'fair', 'good', 'strong']) keys.add(`console.password.level.${level}`);
  return [...keys];
}

test('every key the operator pages use exists in English', () => {
  const en = { ...load(FALLBACK, 'common'), ...load(FALLBACK, 'console') };
  const used = usedKeys();
  assert.ok(used.length > 100, `found ${used.length} keys`);
  assert.deepEqual(used.filter((k) => !(k in en)), []);
});
