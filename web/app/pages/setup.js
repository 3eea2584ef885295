// setup.js -- /setup/: the first operator and account of a new instance.
//
// GET /api/setup answers 204 while the database is empty (the form is
// shown) and 403 once it is set up (a note and the way to log in).
// Setup does not log in: the operator is sent to /login/.

import { request } from '../api.js';
import { check, failure, field, h, link, newPassword, submit, submitting, title } from './ui.js';

export async function mount(root, ctx) {
  const { t } = ctx;
  root.append(title('console.setup.title'));
  try {
    await request('GET', '/api/setup');
  } catch (err) {
    if (err.status === 403) {
      root.append(h('p', { class: 'lead', text: t('console.setup.done') }),
        h('p', {}, link('/login/', 'console.setup.toLogin')));
    } else {
      root.append(h('p', { role: 'alert', text: failure(err) }));
    }
    return;
  }
  const name = field('console.field.accountName', { autocomplete: 'organization', hintKey: 'console.setup.accountHint', name: 'account' });
  const email = field('console.field.email', { type: 'email', autocomplete: 'email', name: 'email' });
  const password = newPassword('console.field.password');
  const repeat = field('console.field.repeat', { type: 'password', autocomplete: 'new-password', name: 'repeat' });
  const button = submit('console.setup.submit');
  const form = h('form', { class: 'stack' }, name.row, email.row, password.row, repeat.row,
    h('div', { class: 'actions' }, button));
  submitting(form, button,
    [[name, check.filled], [email, check.email], [password, check.password], [repeat, check.same(password)]],
    async () => {
      await request('POST', '/api/setup', {
        accountName: name.input.value.trim(),
        emailAddress: email.input.value.trim(),
        password: password.input.value,
      });
      ctx.flash(t('console.setup.success'));
      ctx.navigate('/login/');
    }, { ctx, messages: { 400: 'console.setup.failed', 403: 'console.setup.done' } });
  root.append(h('p', { class: 'lead', text: t('console.setup.lead') }), form);
}
