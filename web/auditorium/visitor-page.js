// visitor-page.js -- /auditorium/: a visitor sees, downloads and deletes
// what websites using this Candor server collected about them, and
// changes their choice. It runs on Candor's origin, so it uses the vault's
// modules directly: the keys never leave this origin's storage, and the
// server is only ever asked for ciphertext.

import { ALLOW, DENY, getConsent, setConsent } from '/vault/cookies.js';
import { supported } from '/vault/crypto.js';
import * as visitor from '/vault/visitor.js';
import { accountSection, consentParts, el, emptyNotice } from './view.js';

const $ = (id) => document.getElementById(id);
let current = { accounts: [] };

function say(message, isError = false) {
  const box = $('status');
  box.classList.toggle('error', isError);
  box.textContent = message;
}

function hasReadable() {
  return current.accounts.some((a) => a.events.length > 0);
}

function busy(flag) {
  for (const b of document.querySelectorAll('main button')) b.disabled = flag;
  if (!flag) $('export').disabled = !hasReadable();
  $('accounts').setAttribute('aria-busy', String(flag));
}

// Group the local events by account, readable ones and the count of the
// others.
async function groupByAccount(events) {
  const by = new Map();
  for (const ev of events) {
    if (!by.has(ev.accountId)) by.set(ev.accountId, { accountId: ev.accountId, events: [], unreadable: 0 });
    const a = by.get(ev.accountId);
    if (ev.payload && typeof ev.payload === 'object') a.events.push(ev);
    else a.unreadable++;
  }
  const accounts = Array.from(by.values());
  await Promise.all(accounts.map(async (a) => { a.name = await visitor.accountName(a.accountId); }));
  accounts.sort((x, y) => String(x.name || x.accountId).localeCompare(String(y.name || y.accountId)));
  return accounts;
}

function renderConsent() {
  const { text, actions } = consentParts(getConsent());
  $('consent-text').textContent = text;
  $('consent-actions').replaceChildren(...actions.map((a) =>
    el('button', { type: 'button', id: `consent-${a.id}`, text: a.label, onclick: () => changeConsent(a.id) })));
}

function renderAccounts() {
  const box = $('accounts');
  const readable = current.accounts.filter((a) => a.events.length > 0 || a.unreadable > 0);
  box.replaceChildren(...(readable.length ? readable.map((a, i) => accountSection(i, a)) : [emptyNotice()]));
  $('export').disabled = !hasReadable();
}

async function refresh() {
  await visitor.sync();
  current.accounts = await groupByAccount(await visitor.localEvents());
  renderAccounts();
}

async function changeConsent(choice) {
  busy(true);
  try {
    if (choice === DENY) {
      await visitor.forgetVisitor();
      await refresh();
      say('You have opted out, and all your usage data was deleted.');
    } else {
      setConsent(ALLOW);
      say('You now allow websites that use this server to count your visits.');
    }
  } catch (err) {
    say(`That did not work: ${err.message}. Please try again.`, true);
  } finally {
    busy(false);
    renderConsent();
    $('consent-text').focus();
  }
}

function exportData() {
  const events = [];
  for (const a of current.accounts) {
    for (const ev of a.events) {
      events.push({
        accountId: a.accountId,
        accountName: a.name,
        eventId: ev.eventId,
        receivedAt: ev.receivedAt ? ev.receivedAt.toISOString() : null,
        payload: ev.payload,
      });
    }
  }
  const doc = {
    kind: 'candor-visitor-export',
    version: 1,
    server: location.origin,
    exportedAt: new Date().toISOString(),
    consent: getConsent(),
    events,
    unreadable: current.accounts.reduce((n, a) => n + a.unreadable, 0),
  };
  const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: `candor-usage-data-${doc.exportedAt.slice(0, 10)}.json`, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  say(`Your download has ${events.length} ${events.length === 1 ? 'page view' : 'page views'}.`);
}

async function deleteAll() {
  busy(true);
  say('Deleting…');
  try {
    await visitor.purge();
    await refresh();
    say('All your usage data was deleted.');
  } catch (err) {
    say(`Deleting did not work: ${err.message}. Please try again.`, true);
  } finally {
    busy(false);
  }
}

function wire() {
  for (const o of document.querySelectorAll('.origin')) o.textContent = location.origin;
  $('export').addEventListener('click', exportData);
  const dialog = $('confirm-delete');
  $('delete').addEventListener('click', () => dialog.showModal());
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'delete') deleteAll();
    dialog.returnValue = '';
  });
}

async function main() {
  wire();
  renderConsent();
  if (!supported() || typeof indexedDB !== 'object') {
    say('This browser lacks what this page needs (WebCrypto and IndexedDB).', true);
    return;
  }
  busy(true);
  try {
    await refresh();
  } catch (err) {
    $('accounts').replaceChildren(el('p', { text: 'Your data could not be loaded.' }));
    say(`Your data could not be loaded: ${err.message}. Reload the page to try again.`, true);
  } finally {
    busy(false);
  }
}

main();
