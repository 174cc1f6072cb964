// Replays an instance's history through the pure engine step: instance.start → startInstance(), every
// engine or process event → advance() with the payload the history row recorded (a row stores the
// command's event minus its type: { task, data }, { item, checked }, { data }, DUE's { stage }) at the
// row's time. Escalations and cancellation change no process state. Shared by the property tests and
// the conflict storm.
import { expect } from 'chai';
import type { WorkingCalendar } from '../../engine/calendar/calendar.ts';
import type { CompiledProcess } from '../../engine/definition/compile.ts';
import { advance, startInstance, type InstanceState } from '../../engine/runtime/advance.ts';
import type { HistoryEntry, Instance } from '../../engine/domain.ts';

export interface Replayed {
  rev: number;
  state: InstanceState;
  stages: string[];
  status: Instance['status'];
}

/** The instance as the history says it stood after each rev (index 0 = rev 1). */
export function replay(
  compiled: CompiledProcess,
  calendar: WorkingCalendar,
  unit: { kind: string; levels?: string[] },
  history: readonly HistoryEntry[],
): Replayed[] {
  const out: Replayed[] = [];
  let current: Replayed | undefined;
  for (const row of history) {
    const payload = row.payload ?? {};
    if (row.eventType === 'instance.start') {
      expect(current, `rev ${row.rev}: a second instance.start`).to.equal(undefined);
      const anchors = (payload.anchors as Record<string, string> | undefined) ?? {};
      const step = startInstance(compiled, { unit: { kind: unit.kind, ...(unit.levels ? { levels: unit.levels } : {}) }, anchors }, row.at, calendar);
      current = { rev: row.rev, state: step.state, stages: step.stages, status: step.status };
    } else {
      if (!current) throw new Error(`rev ${row.rev}: ${row.eventType} before instance.start`);
      if (row.eventType.startsWith('escalation.')) current = { ...current, rev: row.rev };
      else if (row.eventType === 'instance.cancel') current = { ...current, rev: row.rev, status: 'cancelled' };
      else {
        let step;
        try {
          step = advance(compiled, current.state, { type: row.eventType, ...payload }, row.at, calendar);
        } catch (e) {
          throw new Error(`rev ${row.rev}: the recorded ${row.eventType} ${JSON.stringify(payload)} is refused on replay: ${(e as Error).message}`);
        }
        current = { rev: row.rev, state: step.state, stages: step.stages, status: step.status };
      }
    }
    out.push(current);
  }
  return out;
}

/** Revs 1..n with no gap or duplicate; each row starts where the previous one ended. */
export function expectLinear(history: readonly HistoryEntry[]): void {
  expect(
    history.map((h) => h.rev),
    'revs 1..n',
  ).to.deep.equal(history.map((_, i) => i + 1));
  history.forEach((h, i) => {
    const before = i === 0 ? [] : history[i - 1]!.toStages;
    expect(h.fromStages, `rev ${h.rev} (${h.eventType}) starts where rev ${h.rev - 1} ended`).to.deep.equal(before);
  });
}

/** JSON round trip: what the store would give back for a value. */
export const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The stored instance equals the replay of its history at its rev: snapshot, stage entries, stages, status, due moment. */
export function expectReplayed(stored: Instance, replayed: Replayed | undefined, what = ''): void {
  expect(replayed, `${what}no history row for rev ${stored.rev}`).to.not.equal(undefined);
  const r = replayed!;
  expect(stored.rev, what + 'rev').to.equal(r.rev);
  expect(stored.state.snapshot, `${what}snapshot at rev ${r.rev}`).to.deep.equal(plain(r.state.snapshot));
  expect(stored.state.entries, `${what}stage entries at rev ${r.rev}`).to.deep.equal(plain(r.state.entries));
  expect(stored.state.seq, `${what}entry seq at rev ${r.rev}`).to.equal(r.state.seq);
  expect(stored.stages, `${what}stages at rev ${r.rev}`).to.deep.equal(r.stages);
  expect(stored.status, `${what}status at rev ${r.rev}`).to.equal(r.status);
  const dues = Object.values(r.state.entries)
    .map((e) => e.dueAt)
    .filter((d): d is number => d !== undefined);
  expect(stored.dueAt, `${what}due moment at rev ${r.rev}`).to.equal(dues.length ? Math.min(...dues) : undefined);
}
