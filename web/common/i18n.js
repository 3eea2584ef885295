// i18n.js -- every string the pages show comes from a locale file.
//
// Strings live in /locales/<lang>/<namespace>.json as flat objects of
// key -> text, with {name} placeholders. English is complete; another
// language may miss keys, which then fall back to English, and a key
// missing everywhere shows as the key itself (so a gap is visible, never
// blank). The language is ?locale= when supported, else the browser's
// first supported preference, else English.
//
//   await loadStrings(['common', 'console']);
//   t('login.title');                 // "Log in"
//   t('dashboard.visitors', { n: 3 }); // "{n} visitors" -> "3 visitors"
//
// pickLanguage, lookup, fill and localeHref are pure (no DOM, no fetch):
// tests/web/i18n.test.mjs runs them in node.

export const LANGUAGES = ['en', 'de'];
export const FALLBACK = 'en';
// Each language's own name, shown by the language switch.
export const NATIVE_NAMES = { en: 'English', de: 'Deutsch' };

const strings = { [FALLBACK]: {} };
let lang = FALLBACK;

// The language this page shows: ?locale=, then navigator.languages.
export function pickLanguage(search = location.search, prefs = navigator.languages || []) {
  const asked = new URLSearchParams(search).get('locale');
  for (const l of [asked, ...prefs]) {
    if (typeof l !== 'string') continue;
    const base = l.toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return FALLBACK;
}

// {name} placeholders filled from vars; unknown ones stay as written.
export function fill(text, vars = {}) {
  return text.replace(/\{(\w+)\}/g, (m, name) =>
    (Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m));
}

// The text of key in tables[language], else in tables[FALLBACK], else the
// key itself; placeholders filled.
export function lookup(tables, language, key, vars = {}) {
  const own = tables[language] && tables[language][key];
  const back = tables[FALLBACK] && tables[FALLBACK][key];
  const text = typeof own === 'string' ? own : typeof back === 'string' ? back : key;
  return fill(text, vars);
}

// The same page in another language: pathname and search kept, with
// locale=<language> set (replacing an earlier one).
export function localeHref(pathname, search, language) {
  const q = new URLSearchParams(search);
  q.set('locale', language);
  return `${pathname}?${q.toString()}`;
}

async function fetchNamespace(l, ns) {
  const res = await fetch(`/locales/${l}/${ns}.json`, { credentials: 'same-origin' });
  if (!res.ok) {
    if (l === FALLBACK) throw new Error(`missing locale file ${l}/${ns}.json`);
    return {};
  }
  return res.json();
}

const loaded = new Set();

// Load the namespaces for the current language (and English under it).
// A namespace once loaded is kept: switching back costs no request.
export async function loadStrings(namespaces, language = pickLanguage()) {
  lang = language;
  const wanted = lang === FALLBACK ? [FALLBACK] : [FALLBACK, lang];
  await Promise.all(wanted.flatMap((l) => namespaces.map(async (ns) => {
    if (loaded.has(`${l}/${ns}`)) return;
    const got = await fetchNamespace(l, ns);
    strings[l] = { ...(strings[l] || {}), ...got };
    loaded.add(`${l}/${ns}`);
  })));
  document.documentElement.lang = lang;
  return lang;
}

export function language() {
  return lang;
}

// The text for key with {name} placeholders filled from vars.
export function t(key, vars = {}) {
  return lookup(strings, lang, key, vars);
}

// Fill every element carrying data-i18n="key" (its text) and
// data-i18n-attr="attr:key,attr:key" (its attributes) under root.
export function translate(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) {
    node.textContent = t(node.getAttribute('data-i18n'));
  }
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.getAttribute('data-i18n-attr').split(',')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
}
