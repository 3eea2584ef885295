// banner.js -- the consent dialog, drawn inside the vault's #host element.
//
// The class names are Offen's (banner__root, banner--initial,
// banner--followup, banner__paragraph, banner__paragraph--first,
// paragraph__anchor, banner__buttons, buttons__button): operators' custom
// styles target them. On top of Offen's markup the dialog is accessible:
// role=dialog with a label and a description, focus moved into it and kept
// there while it is open (Tab and Shift+Tab cycle inside), Escape closes it
// without a decision, and both choices are the same kind of button with
// the same look.

import { h as el } from '../common/dom.js';

const FOCUSABLE = 'a[href], button:not([disabled])';
let root = null;
let escapeHandler = null;
let keyHandlerInstalled = false;

function newTabLink(href, label) {
  return el('a', { class: 'paragraph__anchor', href, target: '_blank', rel: 'noopener' }, [
    label,
    el('span', { class: 'banner__hidden', text: ' (opens in a new tab)' }),
  ]);
}

function focusables() {
  return root ? Array.from(root.querySelectorAll(FOCUSABLE)) : [];
}

// Focus the dialog's title, so a screen reader reads the dialog from the
// start and neither choice is pre-selected.
export function focusDialog() {
  if (!root) return;
  if (root.contains(document.activeElement) && document.activeElement !== document.body) return;
  const title = root.querySelector('.banner__paragraph--first');
  if (title) title.focus({ preventScroll: true });
}

function installKeys(onEscape) {
  escapeHandler = onEscape;
  if (keyHandlerInstalled) return;
  keyHandlerInstalled = true;
  document.addEventListener('keydown', (ev) => {
    if (!root) return;
    if (ev.key === 'Escape') {
      ev.preventDefault();
      escapeHandler();
      return;
    }
    if (ev.key !== 'Tab') return;
    const items = focusables();
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    const inside = items.includes(active);
    if (ev.shiftKey && (active === first || !inside)) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && (active === last || !root.contains(active))) {
      ev.preventDefault();
      first.focus();
    }
  });
  window.addEventListener('focus', () => focusDialog());
}

function mount(host, variant, content, onEscape) {
  host.replaceChildren();
  root = el('div', {
    class: `banner__root banner--${variant}`,
    role: 'dialog',
    'aria-modal': 'true',
    'aria-labelledby': 'banner-title',
    'aria-describedby': 'banner-description',
  }, content);
  host.append(root);
  installKeys(onEscape);
  focusDialog();
  return root;
}

// The first screen: the question, with "I allow" and "I don't allow".
export function renderInitial(host, { learnMoreUrl, onAllow, onDeny, onDismiss }) {
  return mount(host, 'initial', [
    el('p', {
      id: 'banner-title',
      class: 'banner__paragraph banner__paragraph--first',
      tabindex: '-1',
      text: 'We only access usage data with your consent.',
    }),
    el('p', { id: 'banner-description', class: 'banner__paragraph' }, [
      'Your visit is encrypted in your browser before it is stored. ' +
        'You can opt out and delete any time. ',
      newTabLink(learnMoreUrl, 'Learn more'),
    ]),
    el('div', { class: 'banner__buttons' }, [
      el('button', { type: 'button', class: 'buttons__button', 'data-choice': 'allow', text: 'I allow', onclick: onAllow }),
      el('button', { type: 'button', class: 'buttons__button', 'data-choice': 'deny', text: "I don't allow", onclick: onDeny }),
    ]),
  ], onDismiss);
}

// The screen after "I allow": thanks, and where to manage the data.
export function renderFollowup(host, { auditoriumUrl, onClose }) {
  return mount(host, 'followup', [
    el('p', {
      id: 'banner-title',
      class: 'banner__paragraph banner__paragraph--first',
      tabindex: '-1',
      text: 'Thanks for your help to make this website better.',
    }),
    el('p', { id: 'banner-description', class: 'banner__paragraph' }, [
      'To manage your usage data ',
      newTabLink(auditoriumUrl, el('strong', { text: 'open the Auditorium.' })),
    ]),
    el('div', { class: 'banner__buttons' }, [
      el('button', { type: 'button', class: 'buttons__button', 'data-choice': 'continue', text: 'Continue', onclick: onClose }),
    ]),
  ], onClose);
}

export function unmount(host) {
  host.replaceChildren();
  root = null;
  escapeHandler = null;
}

export function isOpen() {
  return root !== null;
}
