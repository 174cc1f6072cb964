// Sign-in: login and password, the API's own error message when it refuses.
import { h, replace } from '../dom.ts';
import { t } from '../i18n.ts';
import { navigate, type PageCtx } from '../router.ts';
import { homeRoute, login, session } from '../session.ts';
import { errorBox } from '../widgets.ts';

let returnTo: string | null = null;

/** The page to go back to once signed in (where the user was when the session ended). */
export function setReturnTo(hash: string): void {
  if (!hash.startsWith('#/login')) returnTo = hash;
}

export function loginPage(ctx: PageCtx): void {
  if (session.user) return navigate(homeRoute());
  const loginInput = h('input', { id: 'login', name: 'login', autocomplete: 'username', required: true, 'data-testid': 'login-name' });
  const passwordInput = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'login-password',
  });
  const message = h('div', { 'aria-live': 'polite' });
  if (ctx.flash) message.appendChild(h('div', { class: 'alert alert-info' }, ctx.flash));
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, t('signIn'));
  const form = h(
    'form',
    { class: 'login card', 'data-testid': 'login-form' },
    h('h1', null, t('appName')),
    h('p', { class: 'muted' }, t('appTagline')),
    h('label', { for: 'login' }, t('login')),
    loginInput,
    h('label', { for: 'password' }, t('password')),
    passwordInput,
    message,
    submit,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    submit.textContent = t('signingIn');
    try {
      await login(loginInput.value.trim(), passwordInput.value);
      const target = returnTo ?? homeRoute();
      returnTo = null;
      navigate(target);
    } catch (e) {
      replace(message, errorBox(e, 'login-error'));
      passwordInput.select();
    } finally {
      submit.disabled = false;
      submit.textContent = t('signIn');
    }
  });
  replace(ctx.root, form);
  loginInput.focus();
}
