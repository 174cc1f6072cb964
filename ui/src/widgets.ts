// Small pieces the pages share: headings, error and success boxes, deadline cells, progress bars.
import { ApiError } from './api.ts';
import { h, type Child } from './dom.ts';
import { formatDate, urgency } from './format.ts';
import { wordRefusal } from '../../engine/refusals.ts';
import { getLang, t, tKey, tMaybe } from './i18n.ts';

export function pageTitle(text: string, ...extra: Child[]): HTMLElement {
  return h('div', { class: 'page-head' }, h('h1', { title: text }, text), extra);
}

export function section(title: string, testid: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card', 'data-testid': testid }, h('h2', null, title), children);
}

export function loading(): HTMLElement {
  return h('p', { class: 'muted', role: 'status' }, t('loading'));
}

/** The last meaningful part of a field named by the API (`body.newPassword`, `/grants/0/unitId`). */
function fieldWordsKey(field: string): string {
  return (
    field
      .split(/[./[\]]+/)
      .filter((x) => x && !/^\d+$/.test(x) && x !== 'body' && x !== 'query')
      .at(-1) ?? field
  );
}

/**
 * What went wrong, in the chosen language. A refusal arrives as a code with its parameters and is
 * worded here (engine/refusals.ts, titles and all); the UI's own table covers sign-in and the like.
 * The API's English message is never shown: a code without words reads as a generic refusal.
 */
export function errorText(e: unknown): string {
  if (!(e instanceof ApiError)) return t('errUnexpected');
  const code = e.code === 'ACCOUNT_INACTIVE' ? 'USER_INACTIVE' : e.code;
  const worded = wordRefusal(code, e.details, {
    lang: getLang(),
    fieldLabel: (f) => tMaybe(`field_${fieldWordsKey(f)}`) ?? undefined,
    kindLabel: (k) => tMaybe(`unitKind_${k}`) ?? undefined,
  });
  if (worded) return worded;
  const problems = (e.details?.problems as unknown[] | undefined)?.length ?? 0;
  return tMaybe(`err_${code}`, { n: problems }) ?? t('err_other');
}

/** The error in the UI's words; the code rides along out of sight (a tooltip and data-code) for whoever reports it. */
export function errorBox(e: unknown, testid = 'error'): HTMLElement {
  const msg = errorText(e);
  const code = e instanceof ApiError ? e.code : '';
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert', 'data-testid': testid, ...(code ? { 'data-code': code, title: `${t('errorCode')}: ${code}` } : {}) },
    h('strong', null, `${t('errorPrefix')}: `),
    msg,
  );
}

export function successBox(msg: string, testid = 'success'): HTMLElement {
  return h('div', { class: 'alert alert-success', role: 'status', 'data-testid': testid }, msg);
}

/** A status as a coloured label; tasks have words of their own (`taskStatus`). */
export function statusBadge(status: string, prefix: 'status' | 'taskStatus' = 'status'): HTMLElement {
  return h('span', { class: `badge status-${status.replace(/[^a-z_-]/gi, '')}`, 'data-status': status }, tKey(prefix, status));
}

/** A due date, coloured by how close it is. */
export function dueCell(dueAt: number | null | undefined, now = Date.now()): HTMLElement {
  return h('span', { class: `due due-${urgency(dueAt, now)}` }, formatDate(dueAt));
}

export function workingDaysText(left: number | null | undefined): string {
  if (left === undefined || left === null) return '';
  if (left < 0) return t('overdueBy', { n: -left });
  if (left === 0) return t('dueToday');
  return t('daysLeft', { n: left });
}

export function progressBar(done: number, total: number, testid: string): HTMLElement {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return h(
    'div',
    { class: 'progress', 'data-testid': testid, 'data-done': done, 'data-total': total },
    h(
      'div',
      { class: 'progress-track', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': done },
      h('div', { class: 'progress-fill', style: `width: ${pct}%` }),
    ),
    h('span', { class: 'progress-label' }, t('startedOf', { s: done, t: total })),
  );
}

export function linkButton(href: string, text: string, attrs: Record<string, string> = {}): HTMLAnchorElement {
  return h('a', { class: 'button', href, ...attrs }, text);
}
