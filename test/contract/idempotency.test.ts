// Idempotency-Key in its one place (engine/service/idempotency.ts, asked by the application layer),
// on SQLite and PostgreSQL: the race issue 13 found — the twin request commits between this request's
// key look-up and its own attempt — answers the first answer, not the refusal its attempt meets; a
// cohort request repeated after a cut-short first run changes each instance once.
import { expect } from 'chai';
import type { Runtime } from '../../adapters/runtime.ts';
import type { KnexStore } from '../../adapters/store/knex-store.ts';
import { Application, systemPrincipal } from '../../engine/application/application.ts';
import { taskId } from '../../engine/service/change.ts';
import { Engine } from '../../engine/service/engine.ts';
import { at8, fixture, openTestRuntime, PROVINCE, STORES } from '../support/runtime.ts';

for (const kind of STORES) {
  describe(`Idempotency-Key on ${kind}`, function () {
    let rt: Runtime;
    let close: () => Promise<void>;
    let schools = 0;

    before(async function () {
      ({ rt, close } = await openTestRuntime(this, kind, at8('2022-03-01')));
      await rt.engine.addUnits(PROVINCE);
      await rt.engine.catalog.publish(fixture('engine/report.yaml'), 'report.yaml', 'admin');
    });
    after(async () => close?.());

    const fresh = async () => {
      const id = `th_idem_${++schools}`;
      await rt.engine.addUnits([{ id, parentId: 'pgd_a', kind: 'primary', name: `TH ${id}` }]);
      return rt.engine.start({ definitionId: 'test-report', orgUnitId: id }, { actor: 'office' });
    };

    /** An application whose first key look-up is held until `release`: the request that makes it has
     * seen no key, and goes on only after its twin has committed. */
    function heldApplication() {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let lookups = 0;
      const store = new Proxy(rt.store, {
        get(target, prop, receiver) {
          if (prop === 'getIdempotent') {
            return async (scope: string, key: string) => {
              const first = ++lookups === 1;
              const seen = await target.getIdempotent(scope, key);
              if (first) await gate;
              return seen;
            };
          }
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as KnexStore;
      const engine = new Engine({ store, queries: rt.queries, clock: rt.clock, catalog: rt.engine.catalog });
      return { app: new Application({ engine }), release };
    }

    it('answers key look-ups and unit reads asked together each for itself (they share one query)', async () => {
      const store = rt.store as KnexStore;
      await store.putIdempotent('scope-a', 'k1', 'hash-a1', { a: 1 }, 1);
      await store.putIdempotent('scope-b', 'k2', 'hash-b2', { b: 2 }, 1);
      // the crossed pairs exist in neither scope: a look-up must match scope and key together
      const looked = await Promise.all([
        store.getIdempotent('scope-a', 'k1'),
        store.getIdempotent('scope-a', 'k2'),
        store.getIdempotent('scope-b', 'k1'),
        store.getIdempotent('scope-b', 'k2'),
        store.getIdempotent('scope-c', 'k1'),
      ]);
      expect(looked).to.deep.equal([
        { requestHash: 'hash-a1', response: { a: 1 } },
        undefined,
        undefined,
        { requestHash: 'hash-b2', response: { b: 2 } },
        undefined,
      ]);
      const read = await Promise.all([
        store.getUnits(['th_a1', 'nope', 'th_a1']),
        store.getUnits([]),
        store.getUnits(['pgd_b', 'so']),
        store.getUnits(['nope']),
      ]);
      expect(read.map((units) => units.map((u) => u.id).sort())).to.deep.equal([['th_a1'], [], ['pgd_b', 'so'], []]);
    });

    it('a twin that committed between the look-up and the attempt gives its answer, once', async () => {
      const started = await fresh();
      const { app, release } = heldApplication();
      const teacher = systemPrincipal('teacher');
      const call = { idempotency: { key: `twin-${kind}` } };
      const task = taskId(started.id, 'draft', 1, 'sign');
      const late = app.completeTask(teacher, task, {}, call);
      // the twin runs start to end while the first request waits after its look-up
      await new Promise((r) => setTimeout(r, 20));
      const first = await app.completeTask(teacher, task, {}, call);
      release();
      const second = await late;
      expect(second).to.deep.equal(first);
      const rows = (await rt.queries.history(started.id)).filter((h) => h.eventType === 'task.complete');
      expect(rows).to.have.length(1);
    });

    it('a key reused for another request is refused, before and after the race', async () => {
      const started = await fresh();
      const app = new Application({ engine: rt.engine });
      const teacher = systemPrincipal('teacher');
      const call = { idempotency: { key: `reuse-${kind}` } };
      await app.completeTask(teacher, taskId(started.id, 'draft', 1, 'sign'), {}, call);
      const refused = await app.completeTask(teacher, taskId(started.id, 'draft', 1, 'write'), { pages: 2 }, call).then(
        () => undefined,
        (e: { code?: string }) => e.code,
      );
      expect(refused).to.equal('IDEMPOTENCY_KEY_REUSED');
    });

    it('a cohort request sent again after a first run was cut short changes each instance once', async () => {
      const a = await fresh();
      const b = await fresh();
      const app = new Application({ engine: rt.engine });
      const office = systemPrincipal('office');
      const filter = { definitionId: 'test-report', unitId: 'pgd_a' };
      const op = { op: 'extend' as const, stage: 'draft', workingDays: 3, reason: 'bão lũ' };
      // the first run reached one instance, then the process died (its key for the whole request never kept)
      const key = `cut-${kind}`;
      const before = (await rt.store.loadInstance(a.id))!.instance.dueAt!;
      await app.cohort(office, { ...filter, unitId: `th_idem_${schools - 1}` }, op, { idempotency: { key } }).catch(() => undefined);
      await rt.db('idempotency_keys').where({ scope: 'office', key }).delete();
      const again = await app.cohort(office, filter, op, { idempotency: { key } });
      expect(again.changed).to.be.at.least(2);
      const dues = await Promise.all([a.id, b.id].map(async (id) => (await rt.store.loadInstance(id))!.instance.dueAt!));
      expect(dues[0]).to.equal(dues[1]);
      expect(dues[0]).to.be.greaterThan(before);
      const extensions = (await rt.queries.history(a.id)).filter((h) => h.eventType === 'cohort.extend');
      expect(extensions, 'the instance the first run reached is extended once').to.have.length(1);
    });
  });
}
