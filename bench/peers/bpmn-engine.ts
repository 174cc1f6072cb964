// The bpmn-engine peer of the events benchmark, used as its README tells a user to persist a
// long-running process: after every signal the engine's state (`engine.getState()`) is saved, and the
// next signal starts from it (`new Engine(…).recover(state)`, then `resume()`). The state goes to the
// same kind of store as ours: a table in a knex SQLite database, one transaction per signal that
// updates the instance row (a compare-and-set on `rev`, as ours) and inserts a history row.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { Engine } from 'bpmn-engine';
import { ACCREDITATION_BPMN, type BpmnStep } from './accreditation.bpmn.ts';

const INSTANCES = 'bench_bpmn_instances';
const HISTORY = 'bench_bpmn_history';
const ENGINE_NAME = 'accreditation';

/** bpmn-engine's default logger is `debug`, which builds a logger (and asks isatty) for every
 * element of every engine: with one engine per signal that was 3/4 of the time. A user running it
 * in production would turn it off like this. */
const silent = () => ({ debug() {}, warn() {}, error() {} });

/** Element API as the listener sees it (the parts used here). */
interface ElementApi {
  id: string;
  content: { output?: unknown };
  environment: { output: Record<string, unknown> };
}

/** Drives bpmn-engine instances of the accreditation BPMN, each signal durable in `db`. */
export class BpmnPeer {
  private readonly listener = new EventEmitter();

  constructor(private readonly db: Knex) {
    // A signal's data is the task's output; gateways read it from the process environment.
    this.listener.on('activity.end', (api: ElementApi) => {
      if (api.content.output && typeof api.content.output === 'object') api.environment.output[api.id] = api.content.output;
    });
  }

  async setup(): Promise<void> {
    await this.db.schema.dropTableIfExists(HISTORY);
    await this.db.schema.dropTableIfExists(INSTANCES);
    await this.db.schema.createTable(INSTANCES, (t) => {
      t.string('id', 64).primary();
      t.text('state').notNullable();
      t.text('waiting').notNullable(); // JSON: the user tasks waiting for a signal
      t.integer('rev').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
    await this.db.schema.createTable(HISTORY, (t) => {
      t.bigIncrements('id');
      t.string('instance_id', 64).notNullable().references('id').inTable(INSTANCES);
      t.integer('rev').notNullable();
      t.bigInteger('at').notNullable();
      t.string('signal', 64).notNullable();
      t.text('payload');
      t.text('waiting').notNullable();
      t.unique(['instance_id', 'rev']);
    });
  }

  /** Starts an instance (executes the process up to its first user tasks) and saves it. */
  async start(variables: Record<string, unknown>): Promise<string> {
    const id = randomUUID();
    const engine = new Engine({ name: ENGINE_NAME, source: ACCREDITATION_BPMN, Logger: silent } as never);
    const execution = await engine.execute({ listener: this.listener, variables });
    const state = await engine.getState();
    await this.db(INSTANCES).insert({ id, state: JSON.stringify(state), waiting: JSON.stringify(waitingIds(execution)), rev: 0, updated_at: Date.now() });
    await engine.stop();
    return id;
  }

  /** One durable state change: load, recover, resume, signal, save (one transaction). */
  async signal(instanceId: string, step: BpmnStep): Promise<void> {
    const row = (await this.db(INSTANCES).where({ id: instanceId }).first()) as { state: string; rev: number } | undefined;
    if (!row) throw new Error(`bpmn peer: no instance ${instanceId}`);
    // The saved state carries the serialized definition (getState() puts it there): nothing else
    // is needed to recover.
    const engine = new Engine({ name: ENGINE_NAME, Logger: silent } as never);
    engine.recover(JSON.parse(row.state));
    const execution = await engine.resume({ listener: this.listener });
    const before = waitingIds(execution);
    if (!before.includes(step.id)) throw new Error(`bpmn peer: ${step.id} is not waiting on ${instanceId} (waiting: ${before.join(', ') || 'nothing'})`);
    execution.signal({ id: step.id, ...step.data });
    const state = await engine.getState();
    const waiting = JSON.stringify(waitingIds(execution));
    const at = Date.now();
    await this.db.transaction(async (trx) => {
      const updated = await trx(INSTANCES)
        .where({ id: instanceId, rev: row.rev })
        .update({ state: JSON.stringify(state), waiting, rev: row.rev + 1, updated_at: at });
      if (updated !== 1) throw new Error(`bpmn peer: ${instanceId} changed meanwhile`);
      await trx(HISTORY).insert({
        instance_id: instanceId,
        rev: row.rev + 1,
        at,
        signal: step.id,
        payload: step.data ? JSON.stringify(step.data) : null,
        waiting,
      });
    });
  }

  /** The user tasks an instance waits on now, as stored. */
  async waiting(instanceId: string): Promise<string[]> {
    const row = (await this.db(INSTANCES).where({ id: instanceId }).first()) as { waiting: string } | undefined;
    return row ? (JSON.parse(row.waiting) as string[]) : [];
  }

  /** How big a saved state is (bytes of JSON), for the note. */
  async stateBytes(instanceId: string): Promise<number> {
    const row = (await this.db(INSTANCES).where({ id: instanceId }).first()) as { state: string } | undefined;
    return row ? Buffer.byteLength(row.state) : 0;
  }
}

function waitingIds(execution: { getPostponed(): { id: string }[] }): string[] {
  return execution.getPostponed().map((a) => a.id);
}
