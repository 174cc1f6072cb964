// Đổi mật khẩu: anyone's own password. After an initial or reset password it is the only page the
// app shows (the server refuses everything else with PASSWORD_CHANGE_REQUIRED) until the change.
import { ApiError, post, uuid } from '../api.ts';
import { h, replace } from '../dom.ts';
import { t } from '../i18n.ts';
import { flash, navigate, type PageCtx } from '../router.ts';
import { homeRoute, loadMe, mustChangePassword, session } from '../session.ts';
import { errorBox } from '../widgets.ts';

const MIN_LENGTH = 10;

export function passwordPage(ctx: PageCtx): void {
  const forced = mustChangePassword();
  const field = (id: string, label: string, autocomplete: string) => {
    const input = h('input', { id, type: 'password', autocomplete, required: true, 'data-testid': id });
    return { input, element: h('div', { class: 'field' }, h('label', { for: id }, label), input) };
  };
  const current = field('pw-current', t('currentPassword'), 'current-password');
  const next = field('pw-new', t('newPassword'), 'new-password');
  const repeat = field('pw-repeat', t('repeatPassword'), 'new-password');
  next.input.minLength = MIN_LENGTH;
  const message = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'pw-submit' }, t('changePassword'));
  const form = h(
    'form',
    { class: 'login card', 'data-testid': 'password-form' },
    h('h1', null, t('passwordTitle')),
    forced ? h('div', { class: 'alert alert-info', 'data-testid': 'password-forced' }, t('passwordForced')) : null,
    current.element,
    next.element,
    h('p', { class: 'hint', 'data-testid': 'password-rules' }, t('passwordRules')),
    repeat.element,
    message,
    submit,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(message);
    const problem =
      next.input.value.length < MIN_LENGTH
        ? t('passwordTooShort')
        : next.input.value !== repeat.input.value
          ? t('passwordMismatch')
          : next.input.value.trim().toLowerCase() === session.user?.login.toLowerCase()
            ? t('passwordSameAsLogin')
            : null;
    if (problem) {
      replace(message, h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'password-error' }, problem));
      return;
    }
    submit.disabled = true;
    try {
      await post('/api/v1/me/password', { currentPassword: current.input.value, newPassword: next.input.value }, { 'Idempotency-Key': uuid() });
      await loadMe();
      flash(t('passwordChanged'));
      navigate(homeRoute());
    } catch (e) {
      const own = refusalOf(e, forced && next.input.value === current.input.value);
      replace(message, own ? h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'password-error' }, own) : errorBox(e, 'password-error'));
    } finally {
      submit.disabled = false;
    }
  });
  replace(ctx.root, form);
  current.input.focus();
}

/**
 * The server refuses a password change as a form problem on one field, which the generic wording
 * reads as "current password is not valid"; here it says what is wrong with it.
 */
function refusalOf(e: unknown, sameAsInitial: boolean): string | null {
  if (!(e instanceof ApiError) || e.code !== 'VALIDATION_FAILED') return null;
  const fields = (e.details?.errors ?? []).map((x) => x.field);
  if (fields.includes('body.currentPassword')) return t('wlk_pwWrongCurrent');
  if (fields.includes('body.newPassword') && sameAsInitial) return t('wlk_pwSameAsInitial');
  return null;
}
