// Property: whatever the units below do — report, get returned and report again, reopen their
// figures to correct them, be cancelled, report after the cut-off — a parent's roll-up always equals
// what their own histories say they last answered and still stand behind, and its counts equal their
// statuses. The oracle reads only history (the record), never the task rows the roll-up is read from.
import { expect } from 'chai';
import fc from 'fast-check';
import { Application, systemPrincipal } from '../../engine/application/application.ts';
import { EngineError } from '../../engine/errors.ts';
import type { HistoryEntry } from '../../engine/domain.ts';
import { ManualClock } from '../../engine/ports.ts';
import { openRuntime, type Runtime } from '../../adapters/runtime.ts';
import { at8, fixture } from '../support/runtime.ts';
import { runs, SEED } from './settings.ts';

type Act =
  | { kind: 'report'; child: number; schools: number; completed: number }
  | { kind: 'review'; child: number; accepted: boolean }
  | { kind: 'reopen'; child: number }
  | { kind: 'cancel'; child: number }
  | { kind: 'wait'; days: number };

const child = fc.nat({ max: 5 });
const act: fc.Arbitrary<Act> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('report' as const),
      child,
      schools: fc.integer({ min: 0, max: 200 }),
      completed: fc.integer({ min: 0, max: 200 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('review' as const), child, accepted: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), child }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), child }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 10 }) }) },
);

/** What a child's history says it answers now: its last completion of "figures" not reopened since. */
function standing(history: HistoryEntry[]): { schools: number; completed: number } | undefined {
  const answers: { schools: number; completed: number }[] = [];
  for (const h of history) {
    if (h.payload?.task !== 'figures') continue;
    if (h.eventType === 'task.complete') answers.push(h.payload.data as { schools: number; completed: number });
    if (h.eventType === 'task.reopen') answers.pop();
  }
  return answers.at(-1);
}

describe('property: a parent’s roll-up equals what its children’s histories say', function () {
  this.timeout(0);
  let rt: Runtime;
  let clock: ManualClock;
  let app: Application;
  const system = systemPrincipal();
  let round = 0;

  before(async () => {
    clock = new ManualClock(at8('2022-01-10'));
    rt = await openRuntime({ sqliteFile: ':memory:', clock });
    app = new Application({ engine: rt.engine });
    await rt.engine.catalog.publish(fixture('fan-out/unit-report.yaml'), 'unit-report.yaml', 'admin');
    await rt.engine.catalog.publish(fixture('fan-out/so-review.yaml'), 'so-review.yaml', 'admin');
  });
  after(async () => rt?.close());

  it('holds over random reports, returns, corrections, cancellations and cut-offs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(act, { maxLength: 25 }), async (phong, acts) => {
        const so = `so${++round}`;
        clock.set(at8('2022-01-10'));
        await rt.engine.addUnits([
          { id: so, kind: 'department', name: `Sở ${round}` },
          ...Array.from({ length: phong }, (_, i) => ({ id: `${so}_p${i}`, parentId: so, kind: 'district-office' as const, name: `Phòng ${i}` })),
        ]);
        const parent = await app.startInstance(system, { definitionId: 'so-review', orgUnitId: so });
        const ids = (await app.childrenOf(system, parent.id)).stages[0]!.children.map((c) => c.instanceId).sort();
        expect(ids).to.have.length(phong);
        for (const a of acts) {
          if (a.kind === 'wait') {
            clock.set(clock.now() + a.days * 86_400_000);
            await rt.runDue();
            continue;
          }
          const id = ids[a.child % ids.length]!;
          const tolerate = (e: unknown) => {
            if (!(e instanceof EngineError)) throw e;
          };
          if (a.kind === 'report') {
            await app.completeTaskOf(system, id, 'figures', { schools: a.schools, completed: a.completed }).catch(tolerate);
            if (a.schools % 3 !== 0) await app.sendEvent(system, id, { type: 'SUBMIT' }).catch(tolerate);
          } else if (a.kind === 'review') {
            await app.sendEvent(system, id, { type: 'REVIEW', data: { decision: a.accepted ? 'accepted' : 'returned' } }).catch(tolerate);
          } else if (a.kind === 'reopen') await app.reopenTaskOf(system, id, 'figures').catch(tolerate);
          else await app.cancelInstance(system, id, 'đơn vị không thuộc diện báo cáo').catch(tolerate);
        }
        const view = (await app.childrenOf(system, parent.id)).stages[0]!;
        const rows = await rt.db('instances').whereIn('id', ids).select('id', 'status');
        const status = new Map(rows.map((r: { id: string; status: string }) => [r.id, r.status]));
        const answers: { schools: number; completed: number }[] = [];
        for (const id of ids) {
          if (status.get(id) === 'cancelled') continue;
          const a = standing(await rt.engine.queries.history(id));
          if (a) answers.push(a);
        }
        const sum = (k: 'schools' | 'completed') => answers.reduce((s, a) => s + a[k], 0);
        expect(view.rollup.schools).to.deep.include({ count: answers.length, sum: sum('schools') });
        expect(view.rollup.completed).to.deep.include({ count: answers.length, sum: sum('completed') });
        if (answers.length) expect(view.rollup.schools!.max).to.equal(Math.max(...answers.map((a) => a.schools)));
        const done = [...status.values()].filter((s) => s === 'done').length;
        const cancelled = [...status.values()].filter((s) => s === 'cancelled').length;
        expect([view.done, view.cancelled, view.pending]).to.deep.equal([done, cancelled, phong - done - cancelled]);
        // Every child finished or cancelled: the parent has moved on (CHILDREN_DONE), whatever the order.
        if (done + cancelled === phong) expect((await rt.store.loadInstance(parent.id))!.instance.stages).to.not.include('collect');
      }),
      { seed: SEED, numRuns: runs(30) },
    );
  });
});
