// i18n.test.mjs -- the pure parts of web/common/i18n.js: choosing the
// language, looking a key up with the English fallback, placeholders, and
// the language switch's links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FALLBACK, fill, localeHref, lookup, pickLanguage } from '../../web/common/i18n.js';

test('pickLanguage: ?locale= first, then the browser, then English', () => {
  assert.equal(pickLanguage('?locale=de', ['en-US']), 'de');
  assert.equal(pickLanguage('?locale=DE-at', []), 'de');
  assert.equal(pickLanguage('?locale=fr', ['de-CH', 'en']), 'de', 'unsupported ?locale= falls through');
  assert.equal(pickLanguage('', ['fr-FR', 'en-GB', 'de']), 'en');
  assert.equal(pickLanguage('', ['fr', 'it']), FALLBACK);
  assert.equal(pickLanguage('', []), FALLBACK);
  assert.equal(pickLanguage('?locale=', [undefined, 'de']), 'de');
});

const tables = {
  en: { 'a.hello': 'Hello {name}', 'a.only': 'English only', 'a.bye': 'Bye' },
  de: { 'a.hello': 'Hallo {name}', 'a.bye': 'Tschüss' },
};

test('lookup: the language, else English, else the key itself', () => {
  assert.equal(lookup(tables, 'de', 'a.bye'), 'Tschüss');
  assert.equal(lookup(tables, 'de', 'a.only'), 'English only', 'missing in German: English');
  assert.equal(lookup(tables, 'de', 'a.nowhere'), 'a.nowhere', 'missing everywhere: the key');
  assert.equal(lookup(tables, 'fr', 'a.bye'), 'Bye', 'a language without a table: English');
  assert.equal(lookup({}, 'en', 'a.bye'), 'a.bye');
});

test('lookup: placeholders filled; unknown ones kept; values as text', () => {
  assert.equal(lookup(tables, 'de', 'a.hello', { name: 'Ada' }), 'Hallo Ada');
  assert.equal(lookup(tables, 'en', 'a.hello'), 'Hello {name}');
  assert.equal(fill('{n} of {n}', { n: 0 }), '0 of 0');
  assert.equal(fill('{a}{b}', { a: '{b}', b: 'x' }), '{b}x', 'a value is not filled again');
  assert.equal(fill('{toString}', {}), '{toString}', 'no inherited properties');
  assert.equal(fill('<b>{x}</b>', { x: '<i>' }), '<b><i></b>', 'text in, text out: escaping is the DOM\'s job');
});

test('localeHref: the same path and query, with locale set once', () => {
  assert.equal(localeHref('/login/', '', 'de'), '/login/?locale=de');
  assert.equal(localeHref('/login/', '?next=%2Fconsole%2F', 'de'), '/login/?next=%2Fconsole%2F&locale=de');
  assert.equal(localeHref('/console/', '?locale=de', 'en'), '/console/?locale=en');
  assert.equal(localeHref('/x/', '?a=1&locale=de&b=2', 'en'), '/x/?a=1&locale=en&b=2');
});
