// locales.test.mjs -- every locale file is a flat object of strings; every
// key of English exists in every other language and the other way round;
// placeholders match; each namespace's keys carry its prefix; every key
// the operator pages use exists in English; every key the dashboard uses
// exists in English and German.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'node:module';
import { FALLBACK, LANGUAGES } from '../../web/common/i18n.js';

// The dashboard's modules import '/common/...' and '/vault/...' as the
// browser does (absolute paths of the site): resolve them in web/.
register(`data:text/javascript,${encodeURIComponent(`
const WEB = ${JSON.stringify(new URL('../../web/', import.meta.url).href)};
export async function resolve(spec, ctx, next) {
  if (/^\\/(common|vault)\\//.test(spec)) return next(WEB + spec.slice(1), ctx);
  return next(spec, ctx);
}`)}`);

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

// The keys named in the dashboard's code: quoted 'dashboard.x.y'
// literals, and those built at run time from its tables (presets,
// metrics, filter properties, progress phases, retention rows/columns).
async function dashboardKeys() {
  const dir = join(WEB, 'app/dashboard');
  const keys = new Set();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/['"`](dashboard\.[A-Za-z0-9.]+[A-Za-z0-9])['"`]/g)) keys.add(m[1]);
    for (const m of text.matchAll(/phase: '(\w+)'/g)) keys.add(`dashboard.progress.${m[1]}`);
  }
  const { PRESETS, METRICS } = await import('../../web/app/dashboard/panels.js');
  const { FILTERS } = await import('../../web/app/dashboard/metrics/aggregate.js');
  for (const p of PRESETS) keys.add(`dashboard.range.${p.id}`);
  for (const [m] of METRICS) keys.add(`dashboard.metric.${m}`);
  for (const p of FILTERS) keys.add(`dashboard.filter.prop.${p}`);
  for (const i of [0, 1, 2, 3]) keys.add(`dashboard.retention.col${i}`).add(`dashboard.retention.row${i}`);
  return [...keys];
}

test('every key the dashboard uses exists in every language', async () => {
  const used = await dashboardKeys();
  assert.ok(used.length > 60, `found ${used.length} keys`);
  for (const k of ['dashboard.title', 'dashboard.range.6m', 'dashboard.metric.avgPageload',
    'dashboard.filter.prop.exit', 'dashboard.progress.aggregate', 'dashboard.retention.row3']) {
    assert.ok(used.includes(k), `${k} is found`);
  }
  for (const lang of LANGUAGES) {
    const have = load(lang, 'dashboard');
    assert.deepEqual(used.filter((k) => !(k in have)), [], `missing in ${lang}/dashboard`);
  }
});
