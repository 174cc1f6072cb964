// A small province on the real engine (SQLite in memory) with the library's processes published, for
// the process tests of the definitions whose stages open work below (fanOut): `tiendo simulate` runs
// one unit's instance only on this branch, so the tree behaviour is tested here.
import { readFileSync } from 'node:fs';
import { Application, systemPrincipal } from '../../engine/application/application.ts';
import type { FanOutView } from '../../engine/application/fan-out-view.ts';
import type { ManualClock } from '../../engine/ports.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import type { Runtime } from '../../adapters/runtime.ts';
import { at8, openTestRuntime } from './runtime.ts';

export interface Tree {
  rt: Runtime;
  clock: ManualClock;
  app: Application;
  close: () => Promise<void>;
  /** The latest fan-out view of an instance (or the one of `stage`). */
  fanOut(instanceId: string, stage?: string): Promise<FanOutView>;
  /** The child instance of a unit in the latest fan-out of the parent. */
  childOf(parentId: string, unitId: string, stage?: string): Promise<string>;
  complete(instanceId: string, task: string, data?: Record<string, unknown>): Promise<void>;
  send(instanceId: string, type: string, data?: Record<string, unknown>): Promise<void>;
  stages(instanceId: string): Promise<string[]>;
  /** Completes every open task of the instance's active stages, with `data[task]` where given. */
  completeOpen(instanceId: string, data?: Record<string, Record<string, unknown>>): Promise<string[]>;
  /** Moves the clock to 08:00 of a day (or an instant) and fires the timers due by then. */
  at(date: string | number): Promise<void>;
}

export const system = systemPrincipal();

export async function openTree(ctx: Mocha.Context, start: string, units: UnitInput[], processes: string[]): Promise<Tree> {
  const { rt, clock, close } = await openTestRuntime(ctx, 'sqlite', at8(start));
  await rt.engine.addUnits(units);
  for (const name of processes) {
    const file = `processes/${name}.yaml`;
    await rt.engine.catalog.publish(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'), file, 'admin');
  }
  const app = new Application({ engine: rt.engine });
  const fanOut = async (id: string, stage?: string) => {
    const view = await app.childrenOf(system, id);
    const found = stage ? view.stages.filter((s) => s.stage === stage).at(-1) : view.stages.at(-1);
    if (!found) throw new Error(`no fan-out${stage ? ` at ${stage}` : ''} in ${id}`);
    return found;
  };
  return {
    rt,
    clock,
    app,
    close,
    fanOut,
    async childOf(parentId, unitId, stage) {
      const child = (await fanOut(parentId, stage)).children.find((c) => c.unitId === unitId);
      if (!child) throw new Error(`no child for ${unitId}`);
      return child.instanceId;
    },
    async complete(id, task, data = {}) {
      await app.completeTaskOf(system, id, task, data);
    },
    async send(id, type, data) {
      await app.sendEvent(system, id, { type, ...(data ? { data } : {}) });
    },
    async stages(id) {
      return (await rt.store.loadInstance(id))!.instance.stages;
    },
    async completeOpen(id, data = {}) {
      // One at a time: completing a task may close others (an optional task of a track that ends).
      const done: string[] = [];
      for (;;) {
        const next = (await rt.store.loadInstance(id))!.tasks.find((t) => t.status === 'open' && !done.includes(t.task));
        if (!next) return done;
        await app.completeTaskOf(system, id, next.task, data[next.task] ?? {});
        done.push(next.task);
      }
    },
    async at(date) {
      clock.set(typeof date === 'number' ? date : at8(date));
      await rt.runDue();
    },
  };
}
