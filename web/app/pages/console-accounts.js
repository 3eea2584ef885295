// console-accounts.js -- one card per account in the console: the link to
// its dashboard, the embed code to copy, and for admins the consent-banner
// style editor and retiring the account (after a confirmation dialog that
// names it).

import { request } from '../api.js';
import * as session from '../session.js';
import { busy, failure, h, link, origin, uid } from './ui.js';

// The newest possible sequence: GET /api/accounts/:id?since=<it> answers
// the account without any event.
const NO_EVENTS = '7ZZZZZZZZZZZZZZZZZZZZZZZZZ';

export function embedCode(accountId, base = origin()) {
  return `<script async src="${base}/script.js" data-account-id="${accountId}"></script>`;
}

// Put text on the clipboard; falls back to selecting it in `code` and
// execCommand where the Clipboard API is refused.
async function copy(text, code) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    const range = document.createRange();
    range.selectNodeContents(code);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return document.execCommand('copy');
  }
}

function embedPanel(account, t) {
  const code = h('code', { text: embedCode(account.accountId) });
  const said = h('p', { class: 'hint', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', text: t('console.embed.copy') });
  button.addEventListener('click', async () => {
    said.textContent = '';
    const ok = await copy(code.textContent, code);
    said.textContent = t(ok ? 'console.embed.copied' : 'console.embed.copyFailed');
  });
  return h('details', { class: 'panel' },
    h('summary', { text: t('console.embed.title') }),
    h('p', { text: t('console.embed.lead', { name: account.accountName }) }),
    h('pre', { class: 'code' }, code),
    h('div', { class: 'actions' }, button), said);
}

// The style editor: the stored CSS is loaded when the panel opens;
// "Check" asks the server with ?dryRun=1, "Save" stores it. The server's
// verdict is shown under the field.
function stylePanel(account, ctx) {
  const { t } = ctx;
  const id = uid('styles');
  const area = h('textarea', {
    id, rows: '8', spellcheck: 'false', class: 'code',
    'aria-describedby': `${id}-hint ${id}-result`,
  });
  const result = h('p', { id: `${id}-result`, class: 'field-result', role: 'status' });
  const checkButton = h('button', { type: 'button', class: 'secondary', text: t('console.styles.check') });
  const saveButton = h('button', { type: 'button', text: t('console.styles.save') });
  const path = `/api/accounts/${encodeURIComponent(account.accountId)}/account-styles`;
  const show = (message, bad) => {
    result.textContent = message;
    result.classList.toggle('error', bad);
    if (bad) area.setAttribute('aria-invalid', 'true');
    else area.removeAttribute('aria-invalid');
  };
  const put = (button, dry) => busy(button, async () => {
    show('', false);
    ctx.flash('');
    try {
      await request('PUT', dry ? `${path}?dryRun=1` : path, { accountStyles: area.value });
      show(t(dry ? 'console.styles.valid' : 'console.styles.saved'), false);
      if (!dry) ctx.flash(t('console.styles.savedFlash', { name: account.accountName }));
    } catch (err) {
      show(err.status === 400 ? t('console.styles.invalid', { message: err.message }) : failure(err), true);
    }
  });
  checkButton.addEventListener('click', () => put(checkButton, true));
  saveButton.addEventListener('click', () => put(saveButton, false));
  const details = h('details', { class: 'panel' },
    h('summary', { text: t('console.styles.title') }),
    h('div', { class: 'field' },
      h('label', { for: id, text: t('console.styles.label') }),
      h('p', { class: 'hint', id: `${id}-hint`, text: t('console.styles.hint') }),
      area, result),
    h('div', { class: 'actions' }, checkButton, saveButton));
  let loaded = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    try {
      const acc = await request('GET', `/api/accounts/${encodeURIComponent(account.accountId)}?since=${NO_EVENTS}`);
      if (!area.value && acc && typeof acc.accountStyles === 'string') area.value = acc.accountStyles;
    } catch (err) {
      show(failure(err), true);
    }
  });
  return details;
}

// The confirmation dialog; resolves true when the operator confirms.
// Focus starts on Cancel and goes back to the opener afterwards.
function confirmRetire(account, opener, t) {
  const headingId = uid('retire');
  const cancel = h('button', { type: 'button', class: 'secondary', text: t('console.retire.cancel') });
  const confirm = h('button', { type: 'button', class: 'danger', text: t('console.retire.confirm', { name: account.accountName }) });
  const dialog = h('dialog', { 'aria-labelledby': headingId, 'aria-describedby': `${headingId}-text` },
    h('h2', { id: headingId, text: t('console.retire.dialogTitle', { name: account.accountName }) }),
    h('p', { id: `${headingId}-text`, text: t('console.retire.dialogText') }),
    h('div', { class: 'actions' }, cancel, confirm));
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer = false;
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => { answer = true; dialog.close(); });
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener.isConnected) opener.focus();
      resolve(answer);
    });
    dialog.showModal();
    cancel.focus();
  });
}

function retireButton(account, ctx, onRetired) {
  const { t } = ctx;
  const button = h('button', { type: 'button', class: 'danger', text: t('console.retire.button') });
  button.addEventListener('click', async () => {
    if (!(await confirmRetire(account, button, t))) return;
    ctx.flash('');
    await busy(button, async () => {
      try {
        await request('DELETE', `/api/accounts/${encodeURIComponent(account.accountId)}`);
        session.forget(account.accountId);
        ctx.flash(t('console.retire.done', { name: account.accountName }));
        onRetired();
      } catch (err) {
        ctx.flash(failure(err, { 403: 'console.retire.forbidden' }), true);
      }
    });
  });
  return h('div', { class: 'danger-zone' },
    h('p', { class: 'hint', text: t('console.retire.warning') }), button);
}

// The accounts section: { section }. onChange() re-renders the console.
export function accountsSection(s, ctx, onChange) {
  const { t } = ctx;
  const admin = s.adminLevel === 1;
  const accounts = [...s.accounts].sort((a, b) => String(a.accountName).localeCompare(String(b.accountName)));
  const section = h('section', { 'aria-labelledby': 'accounts-title' },
    h('h2', { id: 'accounts-title', text: t('console.accounts.title') }));
  if (!accounts.length) {
    section.append(h('p', { class: 'hint', text: t('console.accounts.none') }));
    return section;
  }
  const list = h('ul', { class: 'accounts' });
  for (const a of accounts) {
    const headingId = uid('account');
    list.append(h('li', { class: 'card' },
      h('h3', { id: headingId, text: a.accountName }),
      h('p', {}, link(`/auditorium/${encodeURIComponent(a.accountId)}/`, 'console.accounts.open', { name: a.accountName })),
      embedPanel(a, t),
      admin ? stylePanel(a, ctx) : null,
      admin ? retireButton(a, ctx, onChange) : null));
  }
  section.append(list);
  return section;
}
