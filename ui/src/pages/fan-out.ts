// The work an office's instance opened for the units below it (a fan-out): how many finished, who is
// late (danh sách đơn vị chậm báo cáo), what they answered added up, and each unit's row — with the
// table per unit to download for the report up the tree.
import { h, table } from '../dom.ts';
import { formatDate } from '../format.ts';
import { t, tx } from '../i18n.ts';
import type { FanOutList } from '../types.ts';
import { dueCell, progressBar, section, statusBadge } from '../widgets.ts';

type FanOut = FanOutList['stages'][number];

/** One section per fan-out of the instance, the latest first; none when it opened no work below. */
export function fanOutSections(instanceId: string, list: FanOutList): HTMLElement[] {
  return [...list.stages].reverse().map((f, i) => fanOutSection(instanceId, f, i === 0));
}

function fanOutSection(instanceId: string, f: FanOut, latest: boolean): HTMLElement {
  const answered = f.done + f.cancelled;
  return section(
    `${t('unitsBelow')}: ${tx(f.stageTitle)}`,
    'fan-out',
    h(
      'p',
      { class: 'subtitle' },
      tx(f.processTitle),
      f.cutoffAt !== undefined ? ` · ${t('cutoff')}: ${formatDate(f.cutoffAt)}` : null,
      ` · ${f.open ? t('fanOutWaiting') : t('fanOutClosed')}`,
    ),
    h('div', { 'aria-label': t('unitsFinished', { d: f.done, n: f.total }) }, progressBar(answered, f.total, 'fan-out-progress')),
    h(
      'p',
      { 'data-testid': 'fan-out-counts' },
      t('unitsFinished', { d: f.done, n: f.total }),
      ` · ${t('unitsPending', { n: f.pending })}`,
      f.late ? h('strong', { class: 'due due-overdue', 'data-testid': 'fan-out-late' }, ` · ${t('unitsLate', { n: f.late })}`) : null,
    ),
    rollupTable(f),
    latest
      ? h(
          'p',
          { class: 'exports' },
          (['xlsx', 'csv'] as const).map((format) =>
            h(
              'a',
              {
                class: 'button',
                href: `/api/v1/instances/${encodeURIComponent(instanceId)}/children/export?format=${encodeURIComponent(format)}`,
                download: '',
                'data-testid': `fan-out-export-${format}`,
              },
              format === 'xlsx' ? t('exportXlsx') : t('exportCsv'),
            ),
          ),
        )
      : null,
    childrenTable(f),
    f.truncated ? h('p', { class: 'muted' }, t('fanOutTruncated', { n: f.children.length })) : null,
  );
}

function rollupTable(f: FanOut): HTMLElement | null {
  const rows = Object.entries(f.rollup);
  if (!rows.length) return null;
  const n = (v: number | undefined) => (v === undefined ? '—' : v.toLocaleString('vi-VN'));
  return table(
    'fan-out-rollup',
    [t('figure'), t('unitsAnswered'), t('sum'), t('min'), t('max')],
    rows.map(([name, r]) => [r.title ? tx(r.title) : name, String(r.count), n(r.sum), n(r.min), n(r.max)]),
  );
}

function childrenTable(f: FanOut): HTMLElement {
  if (!f.children.length) return h('p', { class: 'muted' }, t('none'));
  return table(
    'fan-out-children',
    [t('unit'), t('stage'), t('dueDate'), t('status'), t('late')],
    f.children.map((c) => [
      h('a', { href: `#/instances/${encodeURIComponent(c.instanceId)}` }, c.unitName),
      c.stageTitles.map((s) => tx(s)).join(', ') || '—',
      c.status === 'running' ? dueCell(c.dueAt) : c.finishedAt ? formatDate(c.finishedAt) : '',
      statusBadge(c.status),
      c.late ? h('span', { class: 'badge status-overdue' }, t('lateYes')) : '',
    ]),
    (i) => ({ 'data-testid': 'fan-out-child', 'data-unit': f.children[i]!.unitId, 'data-late': String(f.children[i]!.late) }),
  );
}
