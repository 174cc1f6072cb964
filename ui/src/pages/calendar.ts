// "Lịch hạn": a month of my units' deadlines, Monday first, each day with what falls due on it
// (coloured like the list, linked to the task or the dossier); weekends and holidays greyed, from
// the working calendar the deadlines are counted in. Dates are Vietnam's, whatever the laptop's zone.
import { get } from '../api.ts';
import { h, replace } from '../dom.ts';
import { t, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import { errorBox, loading, pageTitle } from '../widgets.ts';
import { itemHref, itemUrgency, type WorkList } from './tasks.ts';

const VN_OFFSET = 7 * 3_600_000;
/** Items shown in a day's cell before "+n more". */
const PER_DAY = 4;
/** A month's items fetched at most (ten pages): past it, the count says how many are not shown. */
const MAX_ITEMS = 5_000;

/** "2026-12" → the instant its first day starts in Vietnam. */
export function monthStart(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return Date.UTC(y, m - 1, 1) - VN_OFFSET;
}

export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The instant a Vietnamese calendar date (YYYY-MM-DD) starts. */
function dayStart(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - VN_OFFSET;
}

/** The Vietnamese calendar date (YYYY-MM-DD) of an instant. */
export function vnDate(ms: number): string {
  return new Date(ms + VN_OFFSET).toISOString().slice(0, 10);
}

/** The weeks of a month, Monday first: each a row of seven dates (null outside the month). */
export function monthWeeks(month: string): (string | null)[][] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const lead = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7;
  const cells: (string | null)[] = [...Array<null>(lead).fill(null)];
  for (let d = 1; d <= days; d++) cells.push(`${month}-${String(d).padStart(2, '0')}`);
  while (cells.length % 7) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

export async function calendarPage(ctx: PageCtx): Promise<void> {
  const asked = /(?:^|&)m=(\d{4}-\d{2})(?:&|$)/.exec(ctx.params[0] ?? '')?.[1];
  const month = asked ?? vnDate(Date.now()).slice(0, 7);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const nav = h(
    'div',
    { class: 'month-nav' },
    h('a', { class: 'button', href: `#/calendar?m=${encodeURIComponent(shiftMonth(month, -1))}`, 'data-testid': 'calendar-prev' }, t('stf_prevMonth')),
    h('a', { class: 'button', href: '#/calendar', 'data-testid': 'calendar-today' }, t('stf_thisMonth')),
    h('a', { class: 'button', href: `#/calendar?m=${encodeURIComponent(shiftMonth(month, 1))}`, 'data-testid': 'calendar-next' }, t('stf_nextMonth')),
  );
  const body = h('div', null, loading());
  replace(ctx.root, pageTitle(t('stf_calendarTitle')), h('h2', { 'data-testid': 'calendar-month' }, t('stf_month', { m, y })), nav, body);
  const from = monthStart(month);
  const before = monthStart(shiftMonth(month, 1));
  let list: WorkList;
  try {
    // The whole month, a page at a time (a Sở's month can hold a thousand deadlines).
    list = await get<WorkList>(`/api/v1/tasks/mine?dueFrom=${from}&dueBefore=${before}&limit=500`);
    while (list.items.length < list.total && list.items.length < MAX_ITEMS && !ctx.signal.aborted) {
      const next = await get<WorkList>(`/api/v1/tasks/mine?dueFrom=${from}&dueBefore=${before}&limit=500&offset=${list.items.length}`);
      if (!next.items.length) break;
      list = { ...list, items: [...list.items, ...next.items], total: next.total };
    }
  } catch (e) {
    if (!ctx.signal.aborted) replace(body, errorBox(e));
    return;
  }
  if (ctx.signal.aborted) return;
  replace(body, monthGrid(month, list));
}

function monthGrid(month: string, list: WorkList): HTMLElement {
  const byDay = new Map<string, WorkList['items']>();
  for (const item of list.items) {
    if (item.dueAt === null) continue;
    const day = vnDate(item.dueAt);
    byDay.set(day, [...(byDay.get(day) ?? []), item]);
  }
  const off = new Map((list.daysOff ?? []).map((d) => [d.date, d]));
  const today = vnDate(Date.now());
  const weekdays = [1, 2, 3, 4, 5, 6, 7].map((n) => t(`stf_wd${n}` as 'stf_wd1'));
  const cell = (date: string | null, col: number) => {
    if (!date) return h('td', { class: 'cal-empty', 'aria-hidden': 'true' });
    const items = byDay.get(date) ?? [];
    const dayOff = off.get(date);
    const weekend = col >= 5;
    const classes = ['cal-day', dayOff || (weekend && !list.daysOff) ? 'cal-off' : '', date === today ? 'cal-today' : ''].filter(Boolean).join(' ');
    return h(
      'td',
      { class: classes, 'data-date': date, 'data-testid': 'calendar-day', 'data-count': items.length, 'data-off': dayOff ? 'true' : null },
      h(
        'div',
        { class: 'cal-date' },
        h('span', { class: 'cal-weekday' }, `${weekdays[col]} `),
        String(Number(date.slice(8))),
        dayOff && dayOff.kind !== 'weekend' ? h('span', { class: 'cal-holiday', title: tx(dayOff.name) }, ` · ${tx(dayOff.name)}`) : null,
      ),
      items.length
        ? h(
            'ul',
            { class: 'cal-items' },
            items.slice(0, PER_DAY).map((item) => {
              const u = itemUrgency(item, list);
              return h(
                'li',
                { class: `cal-item due-bg-${u}`, 'data-urgency': u },
                h(
                  'a',
                  { href: itemHref(item), 'data-testid': 'calendar-item', title: `${tx(item.title)} — ${item.unitName}` },
                  `${item.unitName}: ${tx(item.title)}`,
                ),
              );
            }),
            items.length > PER_DAY
              ? h(
                  'li',
                  { class: 'small' },
                  h(
                    'a',
                    {
                      href: `#/tasks?dueFrom=${encodeURIComponent(dayStart(date))}&dueBefore=${encodeURIComponent(dayStart(date) + 86_400_000)}`,
                      'data-testid': 'calendar-more',
                    },
                    t('stf_more', { n: items.length - PER_DAY }),
                  ),
                )
              : null,
          )
        : null,
    );
  };
  return h(
    'div',
    null,
    h(
      'p',
      { class: 'muted', 'data-testid': 'calendar-count', role: 'status' },
      list.total > list.items.length ? t('stf_calendarTooMany', { a: list.items.length, n: list.total }) : t('stf_calendarCount', { n: list.total }),
    ),
    h(
      'table',
      { class: 'calendar', 'data-testid': 'calendar-grid' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          weekdays.map((w) => h('th', { scope: 'col' }, w)),
        ),
      ),
      h(
        'tbody',
        null,
        monthWeeks(month).map((week) =>
          h(
            'tr',
            null,
            week.map((date, col) => cell(date, col)),
          ),
        ),
      ),
    ),
  );
}
