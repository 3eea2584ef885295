// ui.js -- what the operators' pages share: building elements, labelled
// fields with their own error line, password fields with a strength hint,
// and the submit cycle (validate, "One moment…", request, flash).
//
// Every field is a <label for> + <input> pair; its hint and its error
// line are tied to the input with aria-describedby, and an invalid input
// carries aria-invalid. Errors found before sending are shown next to the
// field and the first bad field gets the focus; what the server answers
// goes to the flash area (ctx.flash) unless the caller shows it itself.

import { t } from '/common/i18n.js';
import { h, uid } from '/common/dom.js';
import { ApiError } from '../api.js';
import { acceptable, strength } from './strength.js';

// The pages import the element builder from here (web/common/dom.js).
export { h, uid };

// The page's one h1, focusable so the router can move focus to it.
export function title(key, vars) {
  return h('h1', { tabindex: '-1', text: t(key, vars) });
}

// A link inside the app; the router keeps ?locale= when it is followed.
export function link(href, key, vars) {
  const q = new URLSearchParams(location.search).get('locale');
  const to = q ? `${href}${href.includes('?') ? '&' : '?'}locale=${encodeURIComponent(q)}` : href;
  return h('a', { href: to, text: t(key, vars) });
}

// A labelled input: { row, input, setError(message) }.
export function field(labelKey, { type = 'text', autocomplete, hintKey, value, name, required = true } = {}) {
  const id = uid(name || 'f');
  const hint = hintKey ? h('p', { class: 'hint', id: `${id}-hint`, text: t(hintKey) }) : null;
  const error = h('p', { class: 'field-error', id: `${id}-error` });
  const input = h('input', {
    id, type, name: name || id, autocomplete, required,
    'aria-describedby': [hint && hint.id, error.id].filter(Boolean).join(' '),
  });
  if (value !== undefined) input.value = value;
  const row = h('div', { class: 'field' }, h('label', { for: id, text: t(labelKey) }), hint, input, error);
  const setError = (message) => {
    error.textContent = message || '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  return { row, input, setError };
}

// A new password with its policy hint and a live strength line.
export function newPassword(labelKey) {
  const f = field(labelKey, { type: 'password', autocomplete: 'new-password', hintKey: 'console.password.policy' });
  const meter = h('p', { class: 'strength', id: `${f.input.id}-strength`, 'aria-live': 'polite' });
  f.input.setAttribute('aria-describedby', `${f.input.getAttribute('aria-describedby')} ${meter.id}`);
  f.input.addEventListener('input', () => {
    meter.textContent = f.input.value ? t('console.password.strength', {
      level: t(`console.password.level.${strength(f.input.value)}`),
    }) : '';
  });
  f.row.insertBefore(meter, f.row.lastChild);
  return f;
}

// Checks for the usual fields; each returns a message or ''.
export const check = {
  filled: (f) => (f.input.value.trim() ? '' : t('console.error.required')),
  email: (f) => (!f.input.value.trim() ? t('console.error.required')
    : /^[^\s@]+@[^\s@]+$/.test(f.input.value.trim()) ? '' : t('console.error.email')),
  password: (f) => (acceptable(f.input.value) ? '' : t('console.error.passwordPolicy')),
  same: (a) => (f) => (f.input.value === a.input.value ? '' : t('console.error.mismatch')),
};

// The message for a failed request: messages[status] (a key) if given,
// else a sentence for the common cases.
export function failure(err, messages = {}) {
  if (!(err instanceof ApiError)) return t('app.networkError');
  if (messages[err.status]) return t(messages[err.status], { message: err.message });
  if (err.status === 429) return t('app.tooMany');
  if (err.status === 401) return t('app.sessionExpired');
  return t('app.requestFailed', { message: err.message });
}

// Wire a form: on submit, run checks ([[field, fn], ...]) and show their
// errors; if all pass, run action() with the button disabled and reading
// "One moment…". action's rejection goes to onError(err) (default: the
// flash area, through failure()).
export function submitting(form, button, checks, action, { ctx, messages, onError } = {}) {
  form.noValidate = true;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (button.disabled) return;
    let first = null;
    for (const [f] of checks) f.setError('');
    for (const [f, fn] of checks) {
      const msg = fn(f);
      if (msg && !f.input.getAttribute('aria-invalid')) f.setError(msg);
      if (msg && !first) first = f;
    }
    if (first) {
      first.input.focus();
      return;
    }
    if (ctx) ctx.flash(''); // an earlier message no longer applies
    await busy(button, async () => {
      try {
        await action();
      } catch (err) {
        if (onError) onError(err);
        else ctx.flash(failure(err, messages), true);
      }
    });
  });
}

// Run fn with button disabled and reading "One moment…"; afterwards the
// button comes back and, if the focus was lost meanwhile, gets it back.
export async function busy(button, fn) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = t('app.oneMoment');
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.textContent = label;
    if (button.isConnected && (document.activeElement === document.body || !document.activeElement)) {
      button.focus();
    }
  }
}

export function submit(key) {
  return h('button', { type: 'submit', text: t(key) });
}

// The site's address, for links that go into mails.
export function origin() {
  return location.origin;
}
