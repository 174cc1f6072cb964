// What people look at: one instance's timeline, a unit's open tasks, and the overdue board of a
// subtree (counts by unit and stage, age in working days, what falls due soon).
import type { WorkingCalendar } from '../calendar/calendar.ts';
import { addDays, endOfDay, instantAt, localDateOf, type LocalDate } from '../calendar/time.ts';
import type { Text } from '../definition/types.generated.ts';
import { EngineError } from '../errors.ts';
import type { Engine } from './engine.ts';
import type { Escalation, HistoryEntry, Instance, OrgUnit, Task } from '../domain.ts';

export interface Timeline {
  instance: Instance;
  title: Text;
  unit: OrgUnit;
  history: HistoryEntry[];
  tasks: (Task & { title: Text })[];
  escalations: Escalation[];
}

export async function timeline(engine: Engine, instanceId: string): Promise<Timeline> {
  const loaded = await engine.store.loadInstance(instanceId);
  if (!loaded) throw new EngineError('NOT_FOUND', `no instance "${instanceId}"`, { instanceId });
  const i = loaded.instance;
  const [compiled, [unit], history, tasks, escalations] = await Promise.all([
    engine.catalog.get(i.definitionId, i.definitionVersion),
    engine.chainOf(i.orgUnitId),
    engine.queries.history(i.id),
    engine.queries.tasksOf(i.id),
    engine.queries.escalationsOf(i.id),
  ]);
  const titleOf = (t: Task): Text => compiled.stages[t.stage]?.tasks.find((x) => x.id === t.task)?.title ?? { vi: t.task, en: t.task };
  return { instance: i, title: compiled.title, unit: unit!, history, tasks: tasks.map((t) => ({ ...t, title: titleOf(t) })), escalations };
}

/** Open tasks held by these units (with `subtree`, by any unit under them), soonest due first. */
export async function openTasks(engine: Engine, unitIds: string[], options: { subtree?: boolean; limit?: number } = {}): Promise<Task[]> {
  const units = await engine.store.getUnits(unitIds);
  return engine.queries.openTasks(
    units.map((u) => u.path),
    { subtree: options.subtree ?? false, limit: options.limit ?? 200 },
  );
}

/** Ageing buckets of overdue work, in working days past the due day. */
export const AGE_BUCKETS = [
  { label: '1-5', max: 5 },
  { label: '6-10', max: 10 },
  { label: '11-20', max: 20 },
  { label: '>20', max: Infinity },
] as const;

export interface BoardRow {
  overdue: number;
  dueSoon: number;
  ages: Record<(typeof AGE_BUCKETS)[number]['label'], number>;
}

export interface OverdueBoard {
  root: OrgUnit;
  asOf: number;
  /** "Due soon" means due within this many working days. */
  soonWorkingDays: number;
  totals: BoardRow;
  /** By the units one level under the root (or the root itself for its own instances). */
  byUnit: (BoardRow & { unitId: string; name: string })[];
  byStage: (BoardRow & { definitionId: string; stage: string })[];
}

export async function overdueBoard(engine: Engine, rootUnitId: string, options: { soonWorkingDays?: number; calendar?: string } = {}): Promise<OverdueBoard> {
  const [root] = await engine.chainOf(rootUnitId);
  const now = engine.clock.now();
  const soon = options.soonWorkingDays ?? 5;
  const calendar = engine.catalog.calendars.get(options.calendar ?? 'vn-government') ?? [...engine.catalog.calendars.values()][0]!;
  const today = localDateOf(now);
  const until = endOfDay(calendar.addWorkingDays(today, soon));
  // The board's moments, latest first: now (due soon from it on), then where each age bucket ends.
  const bounds = [now, ...AGE_BUCKETS.slice(0, -1).map((b) => ageStart(calendar, today, b.max))];
  const counts = await engine.queries.dueCounts(root!.id, until, bounds);
  const totals = emptyRow();
  const byUnit = new Map<string, BoardRow>();
  const byStage = new Map<string, BoardRow & { definitionId: string; stage: string }>();
  const add = (rows: Iterable<BoardRow>, [dueSoon, ...ages]: number[]) => {
    for (const row of rows) {
      row.dueSoon += dueSoon!;
      AGE_BUCKETS.forEach((b, k) => {
        row.ages[b.label] += ages[k]!;
        row.overdue += ages[k]!;
      });
    }
  };
  // Every instance once by unit (a Sở sees its Phòng, a Phòng its schools), so the totals too.
  for (const c of counts.byUnit) add([totals, at(byUnit, c.unitId, emptyRow)], c.counts);
  // An instance in parallel stages counts in each of them (once each).
  for (const c of counts.byStage) {
    add(
      new Set(c.stages.map((stage) => at(byStage, `${c.definitionId}\u0000${stage}`, () => ({ ...emptyRow(), definitionId: c.definitionId, stage })))),
      c.counts,
    );
  }
  const names = new Map((await engine.store.getUnits([...byUnit.keys()])).map((u) => [u.id, u.name]));
  return {
    root: root!,
    asOf: now,
    soonWorkingDays: soon,
    totals,
    byUnit: [...byUnit]
      .map(([unitId, row]) => ({ unitId, name: names.get(unitId) ?? unitId, ...row }))
      .sort((a, b) => b.overdue - a.overdue || a.unitId.localeCompare(b.unitId)),
    byStage: [...byStage.values()].sort((a, b) => b.overdue - a.overdue || a.stage.localeCompare(b.stage)),
  };
}

/**
 * The first moment whose work, once overdue, is at most `maxAge` working days late today: the start
 * of the day after the latest day more late than that. Lateness is counted by due day (a deadline
 * passed today is one day late) and only grows as the due day goes back, so each age bucket is a
 * range of due moments. A calendar that does not reach back that far leaves the bucket open (the
 * earliest safe integer: a bound both databases take).
 */
const OPEN = Number.MIN_SAFE_INTEGER;

export function ageStart(calendar: WorkingCalendar, today: LocalDate, maxAge: number): number {
  for (let back = 1; back <= 400; back++) {
    const day = addDays(today, -back);
    try {
      if (Math.max(1, calendar.workingDaysBetween(day, today)) > maxAge) return instantAt(addDays(day, 1));
    } catch {
      return OPEN;
    }
  }
  return OPEN;
}

function emptyRow(): BoardRow {
  return { overdue: 0, dueSoon: 0, ages: { '1-5': 0, '6-10': 0, '11-20': 0, '>20': 0 } };
}

function at<V>(map: Map<string, V>, key: string, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}
