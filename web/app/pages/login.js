// login.js -- /login/: the operator logs in.
//
// On success the login (accounts and their key-encryption keys) is kept by
// session.js and the operator goes to ?next= when it is a path on this
// site, else to the first account's dashboard, else to the console.

import * as session from '../session.js';
import { landing } from './next.js';
import { check, field, h, link, submit, submitting, title } from './ui.js';

export function mount(root, ctx) {
  const { t } = ctx;
  const email = field('console.field.email', { type: 'email', autocomplete: 'username', name: 'email' });
  const password = field('console.field.password', { type: 'password', autocomplete: 'current-password', name: 'password' });
  const button = submit('console.login.submit');
  const form = h('form', { class: 'stack' }, email.row, password.row, h('div', { class: 'actions' }, button));
  submitting(form, button, [[email, check.email], [password, check.filled]], async () => {
    const login = await session.logIn(email.input.value.trim(), password.input.value);
    ctx.flash('');
    ctx.navigate(landing(login, ctx.query.get('next'), location.origin), { replace: true });
  }, { ctx, messages: { 401: 'console.login.failed', 400: 'console.login.failed' } });
  root.append(
    title('console.login.title'),
    h('p', { class: 'lead', text: t('console.login.lead') }),
    form,
    h('p', {}, link('/forgot-password/', 'console.login.forgot')),
    h('section', { class: 'card', 'aria-labelledby': 'visitor-note' },
      h('h2', { id: 'visitor-note', text: t('console.login.visitorTitle') }),
      h('p', {}, t('console.login.visitorText'), ' ', link('/auditorium/', 'console.login.visitorLink'))),
  );
}
