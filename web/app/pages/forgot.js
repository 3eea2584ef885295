// forgot.js -- /forgot-password/: ask for a link to set a new password.
//
// The server answers 204 whether the address is known or not (so nobody
// learns who is an operator); the page says the same in both cases.

import { request } from '../api.js';
import { check, field, h, link, origin, submit, submitting, title } from './ui.js';

export function mount(root, ctx) {
  const { t } = ctx;
  const email = field('console.field.email', { type: 'email', autocomplete: 'email', name: 'email' });
  const button = submit('console.forgot.submit');
  const form = h('form', { class: 'stack' }, email.row, h('div', { class: 'actions' }, button));
  submitting(form, button, [[email, check.email]], async () => {
    await request('POST', '/api/forgot-password', {
      emailAddress: email.input.value.trim(),
      urlTemplate: `${origin()}/reset-password/{token}/`,
    });
    email.input.value = '';
    ctx.flash(t('console.forgot.sent'));
  }, { ctx, messages: { 400: 'console.forgot.failed', 500: 'console.forgot.failed' } });
  root.append(title('console.forgot.title'), h('p', { class: 'lead', text: t('console.forgot.lead') }), form,
    h('p', {}, link('/login/', 'console.backToLogin')));
}
