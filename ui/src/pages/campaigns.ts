// Campaigns: start a process for every school of some kinds under a unit, and watch it fill.
import { SCHOOL_KINDS } from '../../../engine/service/org.ts';
import { get, post, qs, uuid } from '../api.ts';
import { h, replace } from '../dom.ts';
import { formatDateTime } from '../format.ts';
import { t, tKey, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import { grantUnits } from '../session.ts';
import type { Campaign, CampaignDetail, DefinitionListItem } from '../types.ts';
import type * as Api from '../api.generated.ts';
import { errorBox, loading, pageTitle, section, statusBadge, successBox } from '../widgets.ts';
import { namedProgress } from './campaign.ts';
import { stackTables } from './stack.ts';

export async function campaignsPage(ctx: PageCtx): Promise<void> {
  const listHost = h('div', null, loading());
  const formHost = h('div');
  replace(
    ctx.root,
    pageTitle(t('campaignsTitle')),
    h(
      'div',
      { class: 'columns wide' },
      h('div', { class: 'col-main' }, section(t('campaignsTitle'), 'campaigns', listHost)),
      h('div', { class: 'col-side' }, formHost),
    ),
  );
  const [campaigns, definitions] = await Promise.all([
    get<{ items: Campaign[] }>('/api/v1/campaigns'),
    get<{ items: DefinitionListItem[] }>('/api/v1/definitions'),
  ]);
  if (ctx.signal.aborted) return;
  const tbody = h('tbody');
  const rows = new Map<string, HTMLTableRowElement>();
  const show = (c: Campaign, first = false) => {
    const row = campaignRow(c);
    const old = rows.get(c.id);
    if (old) old.replaceWith(row);
    else if (first) tbody.prepend(row);
    else tbody.appendChild(row);
    rows.set(c.id, row);
    // a phone shows each campaign as a labelled card (rows come and go as they are polled)
    if (tbody.parentElement) stackTables(listHost);
  };
  const sorted = [...campaigns.items].sort((a, b) => b.createdAt - a.createdAt);
  sorted.forEach((c) => show(c));
  replace(
    listHost,
    h(
      'table',
      { class: 'list', 'data-testid': 'campaigns-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          [t('process'), t('rootUnit'), t('status'), t('progress'), t('createdAt'), ''].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      tbody,
    ),
    sorted.length ? null : h('p', { class: 'muted', 'data-testid': 'no-campaigns' }, t('noCampaigns')),
  );
  stackTables(listHost);
  const watch = (id: string) => void poll(ctx, id, (c) => show(c));
  sorted.filter((c) => c.status === 'running').forEach((c) => watch(c.id));
  replace(
    formHost,
    launchForm(definitions.items, (c) => {
      listHost.querySelector('[data-testid="no-campaigns"]')?.remove();
      show(c, true);
      watch(c.id);
    }),
  );
}

/** Every second while the campaign runs, until it is done or the page is left. */
async function poll(ctx: PageCtx, id: string, update: (c: Campaign) => void): Promise<void> {
  while (!ctx.signal.aborted) {
    await new Promise((r) => setTimeout(r, 1000));
    if (ctx.signal.aborted) return;
    try {
      const { campaign } = await get<CampaignDetail>(`/api/v1/campaigns/${encodeURIComponent(id)}`);
      if (ctx.signal.aborted) return;
      update(campaign);
      if (campaign.status !== 'running') return;
    } catch {
      /* a missed poll: try again next second */
    }
  }
}

function campaignRow(c: Campaign): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-testid': 'campaign-row', 'data-campaign-id': c.id, 'data-status': c.status },
    h(
      'td',
      null,
      tx(c.title),
      h(
        'div',
        { class: 'muted small' },
        `${c.definitionId} v${c.definitionVersion}${c.kinds?.length ? ` · ${c.kinds.map((k) => tKey('unitKind', k)).join(', ')}` : ''}`,
      ),
      c.reason ? h('div', { class: 'muted small' }, c.reason) : null,
    ),
    h('td', null, c.rootUnitName),
    h('td', { 'data-testid': 'campaign-status' }, statusBadge(c.status)),
    h('td', { class: 'progress-cell' }, namedProgress(c.started, c.total, 'campaign-progress', `${tx(c.title)} — ${c.rootUnitName}`)),
    h('td', { class: 'nowrap' }, formatDateTime(c.createdAt), c.createdBy ? h('div', { class: 'muted small' }, c.createdByName ?? c.createdBy) : null),
    h(
      'td',
      { class: 'nowrap' },
      h('a', { href: `#/campaigns/${encodeURIComponent(c.id)}`, 'data-testid': 'campaign-open' }, t('adm_campaignOpen')),
      ' · ',
      h(
        'a',
        { href: `/api/v1/campaigns/${encodeURIComponent(c.id)}/export${qs({ format: 'csv' })}`, download: '', 'data-testid': 'campaign-export' },
        t('exportLink'),
      ),
    ),
  );
}

function launchForm(definitions: DefinitionListItem[], launched: (c: Campaign) => void): HTMLElement {
  const units = grantUnits('admin');
  const process = h(
    'select',
    { id: 'c-process', required: true, 'data-testid': 'campaign-process' },
    h('option', { value: '' }, t('choose')),
    definitions.map((d) => h('option', { value: d.id }, `${tx(d.title)} (v${d.latest})`)),
  );
  const root = h(
    'select',
    { id: 'c-root', required: true, 'data-testid': 'campaign-root' },
    units.map((u) => h('option', { value: u.unitId }, u.unitName)),
  );
  const kinds = SCHOOL_KINDS.map((k) => h('input', { type: 'checkbox', value: k, 'data-testid': `campaign-kind-${k}` }));
  const reason = h('input', { id: 'c-reason', maxlength: 500, 'data-testid': 'campaign-reason' });
  const message = h('div', { 'aria-live': 'polite' });
  const previewHost = h('div', { 'data-testid': 'campaign-preview' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'campaign-preview-button' }, t('adm_previewLaunch'));
  const form = h(
    'form',
    { 'data-testid': 'campaign-form' },
    h('label', { for: 'c-process' }, t('process')),
    process,
    h('label', { for: 'c-root' }, t('rootUnit')),
    root,
    h(
      'fieldset',
      { class: 'checks' },
      h('legend', null, t('kinds')),
      kinds.map((box, i) => h('label', { class: 'check' }, box, ` ${tKey('unitKind', SCHOOL_KINDS[i]!)}`)),
    ),
    h('label', { for: 'c-reason' }, t('reason')),
    reason,
    message,
    submit,
    previewHost,
  );
  const body = () => {
    const chosen = kinds.filter((b) => b.checked).map((b) => b.value);
    return { definitionId: process.value, rootUnitId: root.value, ...(chosen.length ? { kinds: chosen } : {}) };
  };
  // What the preview answered stops holding once the choice changes.
  form.addEventListener('change', (ev) => {
    if (!previewHost.contains(ev.target as Node)) replace(previewHost);
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    replace(message);
    replace(previewHost);
    try {
      const asked = body();
      const preview = await post<Api.CampaignPreview>('/api/v1/campaigns/preview', asked);
      replace(
        previewHost,
        previewBox(preview, async (includeRunning) => {
          const { campaign, skippedRunning } = await post<Api.CampaignLaunched>(
            '/api/v1/campaigns',
            { ...asked, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}), ...(includeRunning ? { includeRunning: true } : {}) },
            { 'Idempotency-Key': uuid() },
          );
          replace(previewHost);
          replace(message, successBox(skippedRunning ? t('adm_launchedSkipped', { n: skippedRunning }) : t('launched'), 'campaign-launched'));
          launched(campaign);
        }),
      );
    } catch (e) {
      replace(message, errorBox(e, 'campaign-error'));
    } finally {
      submit.disabled = false;
    }
  });
  return section(t('launch'), 'campaign-launch-card', form);
}

/** The launch's dry run: how many units it starts, and a warning naming those already running the
 * process, which it skips unless the administrator asks otherwise. */
function previewBox(preview: Api.CampaignPreview, confirm: (includeRunning: boolean) => Promise<void>): HTMLElement {
  const include = h('input', { type: 'checkbox', 'data-testid': 'campaign-include-running' });
  const summary = h('p', { 'data-testid': 'campaign-preview-summary' });
  const count = () => (include.checked ? preview.total : preview.toStart);
  const draw = () => replace(summary, t('adm_launchPreview', { s: count(), t: preview.total }));
  include.addEventListener('change', draw);
  draw();
  const error = h('div', { 'aria-live': 'polite' });
  const go = h('button', { type: 'button', class: 'primary', 'data-testid': 'campaign-launch' }, t('adm_launchConfirm'));
  go.addEventListener('click', async () => {
    go.disabled = true;
    replace(error);
    try {
      await confirm(include.checked);
    } catch (e) {
      replace(error, errorBox(e, 'campaign-error'));
      go.disabled = false;
    }
  });
  const shown = preview.skipped.slice(0, 20);
  const hidden = preview.skippedRunning - shown.length;
  return h(
    'div',
    { class: 'card' },
    summary,
    preview.skippedRunning
      ? h(
          'div',
          { class: 'alert alert-error', role: 'alert', 'data-testid': 'campaign-running-warning', 'data-count': preview.skippedRunning },
          h('p', null, t('adm_launchWarnRunning', { n: preview.skippedRunning })),
          h(
            'ul',
            null,
            shown.map((u) => h('li', { 'data-testid': 'campaign-skipped-unit' }, u.name)),
          ),
          hidden > 0 ? h('p', null, t('adm_launchMoreUnits', { n: hidden })) : null,
          h('label', { class: 'check' }, include, ` ${t('adm_includeRunning')}`),
        )
      : null,
    error,
    go,
  );
}
