// Work across the tree (giao việc cho đơn vị cấp dưới): a stage of a parent instance opens a child
// instance for each unit it chooses below, waits for them, and adds up what they answer. The
// children are a campaign (the same batched, resumable starts), linked to the parent's stage entry;
// this file holds the pure rules: which campaign a stage entry opens, when its wait is met, and how
// the children's answers add up. The engine does the reading and writing.
import type { FanOutCounts, RollupFigures } from '../definition/conditions.ts';
import type { CompiledProcess } from '../definition/compile.ts';
import type { FanOut, Wait } from '../definition/types.generated.ts';
import type { ChildAnswer } from '../ports.ts';
import type { Campaign, OrgUnit } from '../domain.ts';

/** The campaign a fan-out stage entry opens: one per entry, so a stage entered again (a report
 * returned to the Sở's collection) opens a new round. Instance ids are UUIDs: this fits in 64. */
export function fanOutId(instanceId: string, seq: number): string {
  return `fo-${instanceId}-${seq}`;
}

export function isFanOutId(campaignId: string | undefined): campaignId is string {
  return campaignId !== undefined && campaignId.startsWith('fo-');
}

/** The campaign for a stage entry: the units the stage chooses under the parent's unit. */
export function fanOutCampaign(input: {
  parent: { instanceId: string; unit: OrgUnit; stage: string; seq: number; cutoffAt?: number };
  fanOut: FanOut;
  child: Pick<CompiledProcess, 'id' | 'version' | 'appliesTo'>;
  lists: Readonly<Record<string, string[]>>;
  /** The parent's anchor dates, for those the fan-out passes down. */
  anchors: Readonly<Record<string, string>>;
  actor: string;
  at: number;
}): Campaign {
  const { parent, fanOut, child } = input;
  const anchors = Object.fromEntries(
    Object.entries(fanOut.anchors ?? {})
      .map(([mine, theirs]) => [mine, input.anchors[theirs]] as const)
      .filter((e): e is readonly [string, string] => e[1] !== undefined),
  );
  const named = [...(fanOut.units.ids ?? []), ...(fanOut.units.list ? (input.lists[fanOut.units.list] ?? []) : [])];
  // Named units alone, when no kind or level is given; else every kind the child process is for.
  const kinds = fanOut.units.kinds ?? (named.length || fanOut.units.levels ? [] : [...child.appliesTo]);
  return {
    id: fanOutId(parent.instanceId, parent.seq),
    definitionId: child.id,
    definitionVersion: child.version,
    rootUnitId: parent.unit.id,
    kinds,
    ...(fanOut.units.levels ? { levels: fanOut.units.levels } : {}),
    ...(named.length ? { unitIds: [...new Set(named)] } : {}),
    depth: fanOut.units.depth ?? 'children',
    ...(Object.keys(anchors).length ? { anchors } : {}),
    parent: { instanceId: parent.instanceId, stage: parent.stage, seq: parent.seq, ...(parent.cutoffAt !== undefined ? { cutoffAt: parent.cutoffAt } : {}) },
    status: 'running',
    total: 0,
    started: 0,
    createdBy: input.actor,
    createdAt: input.at,
  };
}

/** Whether the stage has what it waits for: every child finished (or cancelled), a share of them,
 * or a number. A fan-out that reaches no unit has nothing to wait for. */
export function waitMet(wait: Wait | undefined, counts: FanOutCounts): boolean {
  if (wait?.quorum !== undefined) return counts.done >= Math.ceil(wait.quorum * counts.total - 1e-9);
  if (wait?.count !== undefined) return counts.done >= wait.count;
  return counts.pending <= 0;
}

/** The roll-up figures of a fan-out: per roll-up, the count of units that answered, the sum (of the
 * numbers, or of the yes answers), min and max of the numeric answers, and the units by value. */
export function rollUp(spec: FanOut['rollup'], answers: readonly ChildAnswer[]): Record<string, RollupFigures & { values: Record<string, string[]> }> {
  const out: Record<string, RollupFigures & { values: Record<string, string[]> }> = {};
  for (const [name, r] of Object.entries(spec ?? {})) {
    const figures: RollupFigures & { values: Record<string, string[]> } = { count: 0, sum: 0, values: {} };
    for (const a of answers) {
      if (a.task !== r.task || !Object.hasOwn(a.data, r.field)) continue;
      const v = a.data[r.field];
      if (v === undefined || v === null) continue;
      figures.count++;
      // A yes/no answer adds up to how many said yes ("đã hoàn thành tự đánh giá": 29 of 31).
      if (typeof v === 'boolean') figures.sum += v ? 1 : 0;
      else if (typeof v === 'number' && Number.isFinite(v)) {
        figures.sum += v;
        figures.min = figures.min === undefined ? v : Math.min(figures.min, v);
        figures.max = figures.max === undefined ? v : Math.max(figures.max, v);
      }
      const key = typeof v === 'object' ? JSON.stringify(v) : String(v);
      (figures.values[key] ??= []).push(a.unitId);
    }
    for (const units of Object.values(figures.values)) units.sort();
    out[name] = figures;
  }
  return out;
}

/** The tasks a fan-out's roll-up reads. */
export function rollupTasks(fanOut: FanOut): string[] {
  return [...new Set(Object.values(fanOut.rollup ?? {}).map((r) => r.task))];
}

/** What a guard may read of a roll-up (the figures, not the lists of units by value). */
export function rollupForGuards(figures: ReturnType<typeof rollUp>): Record<string, RollupFigures> {
  return Object.fromEntries(Object.entries(figures).map(([name, { values: _values, ...f }]) => [name, f]));
}
