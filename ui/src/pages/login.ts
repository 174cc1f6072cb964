// Sign-in: login and password (a refusal in the UI's words), and — when the province set it up — the
// button to its OpenID Connect provider, whose failures come back as #/login?error=CODE.
import { get } from '../api.ts';
import { h, replace } from '../dom.ts';
import { t, tMaybe } from '../i18n.ts';
import type { OidcSignIn } from '../types.ts';
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
  const oidcError = new URLSearchParams(location.hash.split('?')[1] ?? '').get('error');
  if (oidcError)
    message.appendChild(
      h(
        'div',
        { class: 'alert alert-error', role: 'alert', 'data-testid': 'oidc-error', 'data-code': oidcError },
        tMaybe(`oidc_${oidcError}`) ?? t('oidc_OIDC_FAILED'),
      ),
    );
  const oidcHost = h('div', { class: 'oidc' });
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
    oidcHost,
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
  void get<OidcSignIn>('/api/v1/auth/oidc')
    .then((oidc) => {
      if (!oidc.enabled || ctx.signal.aborted) return;
      replace(
        oidcHost,
        h('p', { class: 'or muted' }, t('oidcOr')),
        h(
          'button',
          {
            type: 'button',
            'data-testid': 'oidc-start',
            onclick: () => {
              window.location.href = '/api/v1/auth/oidc/start';
            },
          },
          oidc.label ?? 'OpenID Connect',
        ),
      );
    })
    .catch(() => {});
}
