// "Việc của tôi" as a list people can work through: filtered, searched, counted per filter value and
// paged. Pure: the items come from my-work.ts; nothing here reads a store.
import type { Text } from '../definition/types.generated.ts';
import { foldText } from '../text.ts';

/** Due within this many working days (not yet past): "sắp đến hạn", amber in the UI. */
export const SOON_WORKING_DAYS = 5;

/** What the list needs of an item to filter, search, count and sort it. */
export interface WorkFacts {
  unitId: string;
  unitName: string;
  officeId: string | null;
  officeName: string | null;
  definitionId: string;
  processTitle: Text;
  stage: string;
  stageTitle: Text;
  title: Text;
  dueAt: number | null;
  openedAt: number;
  workingDaysLeft: number | null;
  id: string;
}

export type DueFilter = 'overdue' | 'soon' | 'all';

export interface WorkQuery {
  /** Folded words, each of which must occur in the school, process, stage or task. */
  q?: string;
  unitId?: string;
  officeId?: string;
  definitionId?: string;
  /** `<definitionId>/<stage>`: stage ids are a process's own. */
  stage?: string;
  due?: DueFilter;
  /** Due at or after / before this instant (a calendar's month). */
  dueFrom?: number;
  dueBefore?: number;
  offset?: number;
  limit?: number;
}

export interface Facet {
  id: string;
  title: Text;
  count: number;
}

export interface WorkPage<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
  facets: { units: Facet[]; offices: Facet[]; processes: Facet[]; stages: Facet[]; due: Record<DueFilter, number> };
}

export function dueClass(item: Pick<WorkFacts, 'dueAt' | 'workingDaysLeft'>, now: number): 'overdue' | 'soon' | 'ok' | 'none' {
  if (item.dueAt === null) return 'none';
  if (item.dueAt < now) return 'overdue';
  const left = item.workingDaysLeft;
  return left !== null && left <= SOON_WORKING_DAYS ? 'soon' : 'ok';
}

const plain = (s: string): Text => ({ vi: s, en: s });

function searchText(item: WorkFacts): string {
  const texts = [item.unitName, item.officeName ?? '', item.processTitle, item.stageTitle, item.title];
  return foldText(texts.map((t) => (typeof t === 'string' ? t : `${t.vi} ${t.en ?? ''}`)).join(' '));
}

/** Each word at the start of a word of the text ("ngu" finds "Nguyễn"); a word of one or two letters
 * whole ("du" finds "Nguyễn Du", not every "giáo dục"). */
export function matchesWords(folded: string, words: readonly string[]): boolean {
  const text = ` ${folded.replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  return words.every((w) => text.includes(w.length < 3 ? ` ${w} ` : ` ${w}`));
}

type Dimension = 'unit' | 'office' | 'process' | 'stage' | 'due';

/** Whether an item passes every filter but the one left out (a facet counts as if it were unset). */
function passes(item: WorkFacts, q: WorkQuery, words: string[], now: number, except?: Dimension): boolean {
  if (except !== 'unit' && q.unitId && item.unitId !== q.unitId) return false;
  if (except !== 'office' && q.officeId && item.officeId !== q.officeId) return false;
  if (except !== 'process' && q.definitionId && item.definitionId !== q.definitionId) return false;
  if (except !== 'stage' && q.stage && `${item.definitionId}/${item.stage}` !== q.stage) return false;
  if (except !== 'due' && q.due && q.due !== 'all') {
    const c = dueClass(item, now);
    if (q.due === 'overdue' ? c !== 'overdue' : c !== 'soon') return false;
  }
  if (q.dueFrom !== undefined && (item.dueAt === null || item.dueAt < q.dueFrom)) return false;
  if (q.dueBefore !== undefined && (item.dueAt === null || item.dueAt >= q.dueBefore)) return false;
  if (words.length && !matchesWords(searchText(item), words)) return false;
  return true;
}

function count(items: WorkFacts[], key: (i: WorkFacts) => [string, Text] | undefined): Facet[] {
  const out = new Map<string, Facet>();
  for (const i of items) {
    const k = key(i);
    if (!k) continue;
    const f = out.get(k[0]) ?? { id: k[0], title: k[1], count: 0 };
    f.count++;
    out.set(k[0], f);
  }
  return [...out.values()].sort((a, b) => b.count - a.count || a.title.vi.localeCompare(b.title.vi, 'vi'));
}

/** Soonest due first (no deadline last), then the oldest; the id keeps pages stable. */
export function byDue(a: WorkFacts, b: WorkFacts): number {
  return (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || a.openedAt - b.openedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** One page of the list, its total, and per filter value how many items it would show. */
export function workPage<T extends WorkFacts>(all: readonly T[], q: WorkQuery, now: number): WorkPage<T> {
  const words = foldText(q.q ?? '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const without = (d: Dimension) => all.filter((i) => passes(i, q, words, now, d));
  const matched = all.filter((i) => passes(i, q, words, now)).sort(byDue);
  const offset = Math.max(0, q.offset ?? 0);
  const limit = q.limit ?? 50;
  const dueBase = without('due');
  const classes = dueBase.map((i) => dueClass(i, now));
  return {
    items: matched.slice(offset, offset + limit),
    total: matched.length,
    offset,
    limit,
    facets: {
      units: count(without('unit'), (i) => [i.unitId, plain(i.unitName)]),
      offices: count(without('office'), (i) => (i.officeId ? [i.officeId, plain(i.officeName ?? i.officeId)] : undefined)),
      processes: count(without('process'), (i) => [i.definitionId, i.processTitle]),
      stages: count(
        without('stage').filter((i) => !q.definitionId || i.definitionId === q.definitionId),
        (i) => [`${i.definitionId}/${i.stage}`, i.stageTitle],
      ),
      due: { all: dueBase.length, overdue: classes.filter((c) => c === 'overdue').length, soon: classes.filter((c) => c === 'soon').length },
    },
  };
}
