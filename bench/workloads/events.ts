// Events (issue 5, workload 1): a stream of commands that complete tasks, tick evidence and advance
// stages on the running instances of the general-school accreditation process (10,000 lower-secondary
// schools; --quick: 2,000) on a fresh SQLite file, every command durable (its own commit):
// - one client at a time, then 64 concurrent clients (64 async loops, each on its own instances);
// - ceiling A: the same store doing the bare transaction per event through knex, no engine (read
//   the instance row, update it with a rev check, insert a history row);
// - ceiling B: XState's pure transition() on the same compiled machine, same events, no I/O;
// - peer: bpmn-engine running the process as BPMN (bench/peers/), its state saved after every signal
//   to a knex SQLite table and recovered from it for the next one;
// - on PostgreSQL too, one client and 64, where it answers.
//
// Every instance goes through the same 31 events, from its first task to CLOSE (one instance's whole
// story: 6 tasks, 3 evidence items and SUBMIT in the self-assessment, the improvement plan, the
// registration, the Phòng's and the Sở's REVIEW, the external evaluation, DECIDE, CLOSE). A phase
// takes W instances nobody has touched and sends their events round-robin — event 1 to each, then
// event 2 to each… — so every phase sees the same mix, and no two consecutive events of a client hit
// the same instance. The one-client sides (engine, bare transaction, bpmn-engine) take turns round by
// round, so a change in the machine's load during the run weighs on all of them alike. An "event" is
// one durable state change on every side: one engine command (one
// commit), one bare transaction, one XState transition, one bpmn-engine signal saved.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import type { Runtime } from '../../adapters/runtime.ts';
import { defaultProcessDir } from '../../adapters/files/definitions.ts';
import { instantAt } from '../../engine/calendar/time.ts';
import { ENGINE_EVENTS, type CompiledProcess } from '../../engine/definition/compile.ts';
import { XSTATE_VERSION } from '../../engine/runtime/advance.ts';
import { ManualClock } from '../../engine/ports.ts';
import type { Engine } from '../../engine/service/engine.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import {
  emit,
  figure,
  log,
  skipped,
  openPgRuntime,
  openSqliteRuntime,
  parseArgs,
  pgReachable,
  timer,
  type BenchRuntime,
  type Figures,
  pool,
} from '../lib/measure.ts';
import type { BpmnStep } from '../peers/accreditation.bpmn.ts';
import { BpmnPeer } from '../peers/bpmn-engine.ts';
import { describePackages, describeProfile, profileLines, profileWhile, summarizeProfile } from '../lib/profile.ts';
import { traceSqlite, type SqliteStats } from '../lib/sqlite-trace.ts';

const PROCESS = 'accreditation-general-school';
const ACTOR = 'bench';
const CLIENTS = 64;
const SCHOOLS_PER_PHONG = 100;
const VISIT_DATE = '2026-06-15';

// ---------------------------------------------------------------------------------------------
// The story every instance goes through

type Command =
  | { kind: 'complete'; task: string; data?: Record<string, unknown> }
  | { kind: 'check'; item: string }
  | { kind: 'anchor'; name: string; date: string }
  | { kind: 'send'; type: string; data?: Record<string, unknown> };

interface Step {
  command: Command;
  /** The same event on the BPMN model. */
  bpmn: BpmnStep;
}

const complete = (task: string, data?: Record<string, unknown>, bpmn: BpmnStep = { id: task }): Step => ({
  command: { kind: 'complete', task, ...(data ? { data } : {}) },
  bpmn,
});
const check = (item: string): Step => ({ command: { kind: 'check', item }, bpmn: { id: `ev_${item}` } });
const send = (type: string, bpmn: BpmnStep, data?: Record<string, unknown>): Step => ({ command: { kind: 'send', type, ...(data ? { data } : {}) }, bpmn });

/** A lower-secondary school's accreditation, start to close: 31 events. */
const STORY: Step[] = [
  complete('council', { decisionNo: '12/QĐ-THCS', members: 9 }),
  complete('sa_plan'),
  complete('collect_evidence'),
  complete('rating', { level: 3 }),
  complete('sa_report'),
  complete('publish_report'),
  check('council_decision'),
  check('evidence_list'),
  check('signed_report'),
  send('SUBMIT', { id: 'submit_self_assessment' }),
  complete('improvement_actions'),
  complete('improvement_commitment'),
  send('SUBMIT', { id: 'submit_improvement_plan' }),
  complete('request_letter'),
  complete('report_copies'),
  send('REGISTER', { id: 'register' }),
  send('REVIEW', { id: 'review_district', data: { accepted: true } }, { decision: 'accepted' }),
  send('REVIEW', { id: 'review_department', data: { accepted: true } }, { decision: 'accepted' }),
  complete('appoint_team', { members: 7 }),
  send('APPOINTED', { id: 'appointed' }),
  { command: { kind: 'anchor', name: 'visit_date', date: VISIT_DATE }, bpmn: { id: 'set_visit_date' } },
  send('SCHEDULE_VISIT', { id: 'schedule_visit' }),
  complete('school_dossier'),
  send('VISIT_DONE', { id: 'preliminary_visit_done' }),
  send('VISIT_DONE', { id: 'official_visit_done' }),
  send('SEND_DRAFT', { id: 'send_draft' }),
  send('FEEDBACK', { id: 'feedback', data: { agrees: true } }, { agrees: true }),
  complete('team_conclusion', { levelReached: 2, nationalStandardProposed: 1 }),
  send('SUBMIT', { id: 'submit_final_report' }),
  send(
    'DECIDE',
    { id: 'decide', data: { recognized: true } },
    { accreditationLevel: 2, nationalStandardLevel: 1, decisionNo: '345/QĐ-SGDĐT', decisionDate: '2026-07-01' },
  ),
  send('CLOSE', { id: 'recognized_close', data: { close: true } }),
];
const STORY_LENGTH = STORY.length;

function run(engine: Engine, instanceId: string, c: Command): Promise<unknown> {
  const options = { actor: ACTOR };
  switch (c.kind) {
    case 'complete':
      return engine.completeTask(instanceId, c.task, c.data ?? {}, options);
    case 'check':
      return engine.checkEvidence(instanceId, c.item, true, options);
    case 'anchor':
      return engine.setAnchor(instanceId, c.name, c.date, options);
    case 'send':
      return engine.send(instanceId, { type: c.type, ...(c.data ? { data: c.data } : {}) }, options);
  }
}

/** The event the engine hands XState for a command (what Engine passes to advance()). */
function xstateEvent(c: Command): { type: string; [key: string]: unknown } {
  switch (c.kind) {
    case 'complete':
      return { type: ENGINE_EVENTS.completeTask, task: c.task, data: c.data ?? {} };
    case 'check':
      return { type: ENGINE_EVENTS.checkEvidence, item: c.item, checked: true };
    case 'anchor':
      return { type: ENGINE_EVENTS.setAnchor, name: c.name, date: c.date };
    case 'send':
      return { type: c.type, ...(c.data ? { data: c.data } : {}) };
  }
}

// ---------------------------------------------------------------------------------------------
// Sizes

const { quick, options } = parseArgs();
const schools = Number(options.instances ?? (quick ? 2_000 : 10_000));
/** Instances per phase: each goes through its 31 events. */
const sizes = {
  oneClient: Number(options['one-client'] ?? (quick ? 25 : 100)),
  perClient: Number(options['per-client'] ?? (quick ? 2 : 3)),
  bpmn: Number(options.bpmn ?? (quick ? 2 : 5)),
  /** XState is fast: the same sequence is run this many times over, for a measurable time. */
  xstateRepeat: 10,
  pgOneClient: Number(options['pg-one-client'] ?? (quick ? 8 : 25)),
  pgPerClient: Number(options['pg-per-client'] ?? (quick ? 1 : 2)),
  /** When the 1-client target is missed, this many more instances run their story under the CPU profiler. */
  profile: Number(options.profile ?? (quick ? 5 : 10)),
};
const pgSchools = Number(options['pg-instances'] ?? (quick ? 300 : 1_000));
/** --phases=one,many,bare,xstate,bpmn,pg runs only those (to profile one of them). */
const phases = new Set((options.phases ?? 'one,many,bare,xstate,bpmn,pg').split(','));
const clock = new ManualClock(instantAt('2026-03-02', 8));

// ---------------------------------------------------------------------------------------------
// Setup

/** A Sở, its Phòng (100 lower-secondary schools each). */
function province(count: number): { units: UnitInput[] } {
  const units: UnitInput[] = [{ id: 'so-bench', kind: 'department', name: 'Sở GDĐT (bench)' }];
  for (let p = 0; p * SCHOOLS_PER_PHONG < count; p++) {
    const phong = `pgd-${p}`;
    units.push({ id: phong, parentId: 'so-bench', kind: 'district-office', name: `Phòng GDĐT ${p}`, levels: ['primary', 'lower-secondary'] });
    for (let s = p * SCHOOLS_PER_PHONG; s < Math.min(count, (p + 1) * SCHOOLS_PER_PHONG); s++) {
      const id = `thcs-${s}`;
      units.push({ id, parentId: phong, kind: 'lower-secondary', name: `THCS số ${s}` });
    }
  }
  return { units };
}

/** Publishes the process, adds the schools and starts one instance for each; the instance ids.
 * Started by 64 loops of engine.start (group commit serves them together), not by a campaign:
 * runCampaign slows down as its campaign grows (its page of missing units is a correlated
 * subquery over the campaign's instances, see the report), which would eat the time budget. */
async function populate(rt: Runtime, count: number, label: string): Promise<string[]> {
  const file = join(defaultProcessDir(), `${PROCESS}.yaml`);
  await rt.engine.catalog.publish(readFileSync(file, 'utf8'), file, ACTOR);
  const { units } = province(count);
  for (let i = 0; i < units.length; i += 5_000) await rt.engine.addUnits(units.slice(i, i + 5_000));
  const schools = units.filter((u) => u.kind === 'lower-secondary').map((u) => u.id);
  const ids: string[] = new Array(schools.length);
  const elapsed = timer();
  let lastLog = 0;
  await pool(schools, 64, async (orgUnitId, i) => {
    ids[i] = (await rt.engine.start({ definitionId: PROCESS, orgUnitId }, { actor: ACTOR })).id;
    if (elapsed() - lastLog > 5_000) {
      lastLog = elapsed();
      log(`  ${label}: ${i + 1} of ${count} instances started`);
    }
  });
  log(`${label}: ${count} instances started in ${(elapsed() / 1000).toFixed(1)} s (setup, not measured)`);
  return ids;
}

/** Hands out instances nobody has used yet. */
class Instances {
  private next = 0;
  constructor(private readonly ids: readonly string[]) {}
  take(n: number): string[] {
    if (this.next + n > this.ids.length)
      throw new Error(`asked for ${n} more instances than the ${this.ids.length} started (${this.next} used); lower the phase sizes`);
    const out = this.ids.slice(this.next, this.next + n);
    this.next += n;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Phases

interface Rate {
  events: number;
  perS: number;
}

/** Sends the story round-robin over the instances, one command at a time; events per second. */
async function engineClient(engine: Engine, instances: readonly string[]): Promise<number> {
  let n = 0;
  for (const step of STORY) {
    for (const id of instances) {
      await run(engine, id, step.command);
      n++;
    }
  }
  return n;
}

interface StatementStats {
  /** Statements per event (knex reports no BEGIN or COMMIT: a transaction adds those two). */
  perEvent: number;
  /** Milliseconds per event between sending statements and their answers. */
  msPerEvent: number;
  /** The statements that took the most time, by their SQL's first words. */
  top: { sql: string; perEvent: number; msPerEvent: number }[];
}

/** Counts the SQL statements knex sends (and the time until each answers) while it runs. */
function watchStatements(db: Knex): { active: boolean; stop(events: number): StatementStats } {
  const open = new Map<string, { sql: string; at: number }>();
  const bySql = new Map<string, { count: number; ms: number }>();
  const onQuery = (q: { __knexQueryUid: string; sql: string }) => {
    if (watcher.active) open.set(q.__knexQueryUid, { sql: q.sql, at: performance.now() });
  };
  const onDone = (_: unknown, q: { __knexQueryUid: string }) => {
    const o = open.get(q.__knexQueryUid);
    if (!o) return;
    open.delete(q.__knexQueryUid);
    const s = bySql.get(o.sql) ?? { count: 0, ms: 0 };
    s.count++;
    s.ms += performance.now() - o.at;
    bySql.set(o.sql, s);
  };
  db.on('query', onQuery).on('query-response', onDone).on('query-error', onDone);
  const watcher = {
    /** Only statements sent while active count. */
    active: true,
    stop(events: number): StatementStats {
      db.off('query', onQuery).off('query-response', onDone).off('query-error', onDone);
      // Grouped by the statement's first words (a multi-row insert's SQL varies with its rows).
      const byKind = new Map<string, { count: number; ms: number }>();
      for (const [sql, s] of bySql) {
        const key = sql.replace(/\s+/g, ' ').replace(/\(.*$/, '(…').slice(0, 70);
        const k = byKind.get(key) ?? { count: 0, ms: 0 };
        k.count += s.count;
        k.ms += s.ms;
        byKind.set(key, k);
      }
      const all = [...byKind.entries()].map(([sql, s]) => ({ sql, perEvent: s.count / events, msPerEvent: s.ms / events }));
      return {
        perEvent: all.reduce((a, s) => a + s.perEvent, 0),
        msPerEvent: all.reduce((a, s) => a + s.msPerEvent, 0),
        top: all.sort((a, b) => b.msPerEvent - a.msPerEvent).slice(0, 8),
      };
    },
  };
  return watcher;
}

async function manyClients(rt: Runtime, instances: readonly string[], clients: number): Promise<Rate & { statements: StatementStats; calls: SqliteStats }> {
  const per = Math.floor(instances.length / clients);
  const groups = Array.from({ length: clients }, (_, c) => instances.slice(c * per, (c + 1) * per));
  const statements = watchStatements(rt.db);
  const calls = traceSqlite();
  const elapsed = timer();
  const counts = await Promise.all(groups.map((g) => engineClient(rt.engine, g)));
  const events = counts.reduce((a, b) => a + b, 0);
  const perS = events / (elapsed() / 1000);
  return { events, perS, statements: statements.stop(events), calls: calls.stop(events) };
}

/** Every instance of the phase ran its story to the end (CLOSE): the commands did what they say. */
async function assertFinished(rt: Runtime, instances: readonly string[], label: string): Promise<void> {
  const done = await rt.queries.countInstances({ ids: [...instances], statuses: ['done'] });
  if (done !== instances.length) throw new Error(`${label}: ${done} of ${instances.length} instances finished their story`);
  const history = Number(((await rt.db('history').whereIn('instance_id', instances.slice(0, 500)).count({ n: '*' })) as { n: number | string }[])[0]!.n);
  const expected = Math.min(500, instances.length) * (STORY_LENGTH + 1);
  if (history !== expected)
    throw new Error(`${label}: ${history} history rows for the first instances, expected ${expected} (start + ${STORY_LENGTH} events each)`);
}

/** Ceiling A: the bare transaction per event — read the instance row, update it with a rev check,
 * insert a history row — through knex on the same store, no engine. */
async function bareTransaction(db: Knex, id: string): Promise<void> {
  await db.transaction(async (trx) => {
    const row = (await trx('instances').where({ id }).first()) as {
      rev: number;
      snapshot: string;
      stages: string;
      stage_entries: string;
      due_at: number | null;
    };
    const at = clock.now();
    const updated = await trx('instances')
      .where({ id, rev: row.rev })
      .update({ snapshot: row.snapshot, rev: row.rev + 1, stages: row.stages, stage_entries: row.stage_entries, due_at: row.due_at, updated_at: at });
    if (updated !== 1) throw new Error(`bare: ${id} changed meanwhile`);
    await trx('history').insert({
      instance_id: id,
      rev: row.rev + 1,
      at,
      actor: ACTOR,
      event_type: 'bench.bare',
      payload: null,
      from_stages: row.stages,
      to_stages: row.stages,
    });
  });
}

type OneClient = Rate & { statements: StatementStats; calls: SqliteStats };

/**
 * The one-client figures side by side: the engine, the bare transaction and the bpmn-engine peer take
 * turns, a round of the story each (event k to each of their instances), so a machine whose load
 * changes during the run weighs on all three alike. Each side's time is the sum of its rounds.
 */
async function oneClientSideBySide(
  rt: Runtime,
  sides: { engine?: readonly string[]; bare?: readonly string[]; bpmn?: number },
): Promise<{ one?: OneClient; bare?: OneClient; peer?: Rate & { stateBytes: number } }> {
  const engineWatch = watchStatements(rt.db);
  const bareWatch = watchStatements(rt.db);
  engineWatch.active = bareWatch.active = false;
  // Every node-sqlite3 call of each side, BEGIN and COMMIT included (nothing on PostgreSQL).
  const engineCalls = traceSqlite();
  const bareCalls = traceSqlite();
  engineCalls.active = bareCalls.active = false;
  let peer: BpmnPeer | undefined;
  const peerIds: string[] = [];
  if (sides.bpmn) {
    peer = new BpmnPeer(rt.db);
    await peer.setup();
    for (let i = 0; i < sides.bpmn; i++) peerIds.push(await peer.start({ registersWithDepartment: false }));
    // One signal to warm its code up, on an instance of its own (not counted).
    const warm = await peer.start({ registersWithDepartment: false });
    await peer.signal(warm, STORY[0]!.bpmn);
  }
  const ms = { engine: 0, bare: 0, peer: 0 };
  let stateBytes = 0;
  for (let round = 0; round < STORY_LENGTH; round++) {
    const step = STORY[round]!;
    if (sides.engine) {
      engineWatch.active = engineCalls.active = true;
      const elapsed = timer();
      for (const id of sides.engine) await run(rt.engine, id, step.command);
      ms.engine += elapsed();
      engineWatch.active = engineCalls.active = false;
    }
    if (sides.bare) {
      bareWatch.active = bareCalls.active = true;
      const elapsed = timer();
      for (const id of sides.bare) await bareTransaction(rt.db, id);
      ms.bare += elapsed();
      bareWatch.active = bareCalls.active = false;
    }
    if (peer) {
      const elapsed = timer();
      for (const id of peerIds) await peer.signal(id, step.bpmn);
      ms.peer += elapsed();
      if (round === 10) stateBytes = await peer.stateBytes(peerIds[0]!);
    }
  }
  const out: { one?: OneClient; bare?: OneClient; peer?: Rate & { stateBytes: number } } = {};
  const engineEvents = (sides.engine?.length ?? 0) * STORY_LENGTH;
  const bareEvents = (sides.bare?.length ?? 0) * STORY_LENGTH;
  const engineStats = engineWatch.stop(engineEvents || 1);
  const bareStats = bareWatch.stop(bareEvents || 1);
  // Stopped in the reverse order of their start: each puts back what it wrapped.
  const bareCallStats = bareCalls.stop(bareEvents || 1);
  const engineCallStats = engineCalls.stop(engineEvents || 1);
  if (sides.engine) out.one = { events: engineEvents, perS: engineEvents / (ms.engine / 1000), statements: engineStats, calls: engineCallStats };
  if (sides.bare) out.bare = { events: bareEvents, perS: bareEvents / (ms.bare / 1000), statements: bareStats, calls: bareCallStats };
  if (peer) {
    for (const id of peerIds) {
      const waiting = await peer.waiting(id);
      if (waiting.length) throw new Error(`bpmn peer: ${id} still waits on ${waiting.join(', ')}`);
    }
    const events = peerIds.length * STORY_LENGTH;
    out.peer = { events, perS: events / (ms.peer / 1000), stateBytes };
  }
  return out;
}

/** Ceiling B: XState's transition() on the compiled machine, the same story, in memory. */
function xstateOnly(compiled: CompiledProcess, instances: number, repeat: number): Rate {
  const events = STORY.map((s) => xstateEvent(s.command));
  const run = () => {
    let snapshots: AnyMachineSnapshot[] = Array.from(
      { length: instances },
      () => initialTransition(compiled.machine, { unit: { kind: 'lower-secondary' }, anchors: {} })[0],
    );
    let n = 0;
    for (const event of events) {
      snapshots = snapshots.map((s) => {
        const [next] = transition(compiled.machine, s, event);
        if (next === s) throw new Error(`xstate: ${event.type} was not accepted`);
        n++;
        return next;
      });
    }
    if (snapshots.some((s) => s.status !== 'done')) throw new Error('xstate: an instance did not finish its story');
    return n;
  };
  run(); // warm-up
  const elapsed = timer();
  let total = 0;
  for (let r = 0; r < repeat; r++) total += run();
  return { events: total, perS: total / (elapsed() / 1000) };
}

// ---------------------------------------------------------------------------------------------
// The run

const r: {
  profile?: string;
  manyProfile?: string;
  one?: OneClient;
  many?: Rate & { statements: StatementStats; calls: SqliteStats };
  bare?: OneClient;
  xstate?: Rate;
  peer?: Rate & { stateBytes: number };
  pgOne?: Rate;
  pgMany?: Rate;
  pg?: string;
} = {};

const sqlite: BenchRuntime = await openSqliteRuntime({ clock });
try {
  const { rt } = sqlite;
  log(
    `events on SQLite (${sqlite.where}): ${schools} instances; phases of ${sizes.oneClient} instances (1 client), ${CLIENTS}×${sizes.perClient} (${CLIENTS} clients), × ${STORY_LENGTH} events each`,
  );
  const instances = new Instances(await populate(rt, schools, 'SQLite'));
  if (phases.has('one') || phases.has('bare') || phases.has('bpmn')) {
    const engineIds = phases.has('one') ? instances.take(sizes.oneClient) : undefined;
    const bareIds = phases.has('bare') ? instances.take(sizes.oneClient) : undefined;
    const side = await oneClientSideBySide(rt, {
      ...(engineIds ? { engine: engineIds } : {}),
      ...(bareIds ? { bare: bareIds } : {}),
      ...(phases.has('bpmn') ? { bpmn: sizes.bpmn } : {}),
    });
    Object.assign(r, side);
    if (engineIds) await assertFinished(rt, engineIds, '1 client');
    if (r.one) {
      log(`engine, 1 client: ${r.one.events} events, ${r.one.perS.toFixed(0)}/s; ${describeStatements(r.one.statements)}`);
      for (const t of r.one.statements.top) log(`    ${t.perEvent.toFixed(2)}× ${t.msPerEvent.toFixed(3)} ms  ${t.sql}`);
      log(`engine, 1 client, node-sqlite3 calls: ${describeCalls(r.one.calls)}`);
      for (const t of r.one.calls.top) log(`    ${t.perEvent.toFixed(2)}× ${t.msPerEvent.toFixed(3)} ms  ${t.sql}`);
    }
    if (r.bare) {
      log(`ceiling, bare transaction: ${r.bare.events} events, ${r.bare.perS.toFixed(0)}/s; ${describeStatements(r.bare.statements)}`);
      log(`ceiling, bare transaction, node-sqlite3 calls: ${describeCalls(r.bare.calls)}`);
    }
    if (r.peer) log(`peer, bpmn-engine: ${r.peer.events} events, ${r.peer.perS.toFixed(1)}/s (state ${(r.peer.stateBytes / 1024).toFixed(0)} KiB)`);
  }
  if (phases.has('many')) {
    const ids = instances.take(sizes.perClient * CLIENTS);
    r.many = await manyClients(rt, ids, CLIENTS);
    await assertFinished(rt, ids, `${CLIENTS} clients`);
    log(`engine, ${CLIENTS} clients: ${r.many.events} events, ${r.many.perS.toFixed(0)}/s; node-sqlite3 calls: ${describeCalls(r.many.calls)}`);
    for (const t of r.many.calls.top.slice(0, 4)) log(`    ${t.perEvent.toFixed(3)}× ${t.msPerEvent.toFixed(3)} ms  ${t.sql}`);
  }
  if (r.one && r.many && r.many.perS / r.one.perS < 3 && sizes.profile > 0) {
    // Why, from a profile: one more instance per client, the 64 loops under V8's profiler.
    const ids = instances.take(CLIENTS);
    const { profile } = await profileWhile(() => manyClients(rt, ids, CLIENTS), 1_000);
    const summary = summarizeProfile(profile, 12);
    for (const line of profileLines(summary)) log(`  profile, ${CLIENTS} clients: ${line}`);
    r.manyProfile = `CPU profile of ${ids.length * STORY_LENGTH} more events from ${CLIENTS} clients: ${describeProfile(summary, 4)}; by package: ${describePackages(summary, 6)} (idle = waiting for SQLite's thread)`;
  }
  if (r.one && r.bare && r.one.perS / r.bare.perS < 0.7 && sizes.profile > 0) {
    // Why, from a profile: the same story on more instances, one client, under V8's profiler.
    const ids = instances.take(sizes.profile);
    const { profile } = await profileWhile(() => engineClient(rt.engine, ids), 1_000);
    const summary = summarizeProfile(profile, 12);
    for (const line of profileLines(summary)) log(`  profile, 1 client: ${line}`);
    r.profile = `CPU profile of ${ids.length * STORY_LENGTH} more 1-client events: ${describeProfile(summary, 4)}; by package: ${describePackages(summary, 6)} (idle = waiting for SQLite's thread)`;
  }
  if (phases.has('xstate')) {
    r.xstate = xstateOnly(await rt.engine.catalog.get(PROCESS), sizes.oneClient, sizes.xstateRepeat);
    log(`ceiling, XState transition(): ${r.xstate.events} events, ${r.xstate.perS.toFixed(0)}/s`);
  }
} finally {
  await sqlite.close();
}

let pgFailure: string | undefined;
if (phases.has('pg') && (await pgReachable())) {
  const pg = await openPgRuntime({ clock });
  try {
    const { rt } = pg;
    r.pg = pg.where;
    log(`events on PostgreSQL (${pg.where}): ${pgSchools} instances`);
    const instances = new Instances(await populate(rt, pgSchools, 'PostgreSQL'));
    const oneIds = instances.take(sizes.pgOneClient);
    r.pgOne = (await oneClientSideBySide(rt, { engine: oneIds })).one!;
    await assertFinished(rt, oneIds, 'PostgreSQL, 1 client');
    log(`engine on PostgreSQL, 1 client: ${r.pgOne.events} events, ${r.pgOne.perS.toFixed(0)}/s`);
    const manyIds = instances.take(sizes.pgPerClient * CLIENTS);
    r.pgMany = await manyClients(rt, manyIds, CLIENTS);
    await assertFinished(rt, manyIds, `PostgreSQL, ${CLIENTS} clients`);
    log(`engine on PostgreSQL, ${CLIENTS} clients: ${r.pgMany.events} events, ${r.pgMany.perS.toFixed(0)}/s`);
  } catch (e) {
    // The SQLite figures stand; the failure is reported in the PostgreSQL figures' notes.
    pgFailure = (e as Error).message.slice(0, 300);
    log(`PostgreSQL run FAILED: ${(e as Error).stack ?? pgFailure}`);
  } finally {
    await pg.close();
  }
}

const figures: Figures = {};
const story = `each instance's whole story, ${STORY_LENGTH} events (task completions with form data, evidence ticks, SUBMIT/REGISTER/REVIEW/…/DECIDE/CLOSE), sent round-robin over untouched instances`;
const { one, many, bare, xstate, peer } = r;
if (one) {
  figures.events_1_client_per_s = figure(one.perS, 'events/s', {
    ...(bare ? { ceiling: bare.perS, ratio: one.perS / bare.perS } : {}),
    ...(peer ? { peer: peer.perS } : {}),
    note: `engine commands, one at a time, each its own commit (timer jobs written in the change's transaction): ${one.events} events = ${sizes.oneClient} instances × ${story}; SQLite file (WAL), ${schools} running instances. node-sqlite3 calls: ${describeCalls(one.calls)} of ${(1000 / one.perS).toFixed(2)} ms per event (most: ${one.calls.top
      .slice(0, 3)
      .map((t) => `${t.sql} ${t.perEvent.toFixed(2)}×/${t.msPerEvent.toFixed(2)} ms`)
      .join('; ')})`,
  });
}
if (many) {
  figures.events_64_clients_per_s = figure(many.perS, 'events/s', {
    note: `${CLIENTS} concurrent async loops, each on its own ${sizes.perClient} instances: ${many.events} events = ${CLIENTS * sizes.perClient} instances × ${STORY_LENGTH}; every command awaited before the loop's next; SQLite`,
  });
}
if (one && many) {
  figures.events_64_clients_speedup = figure(many.perS / one.perS, '×', {
    target: '≥ 3',
    note: `${CLIENTS}-client events/s ÷ 1-client events/s on SQLite (measured one after the other: a change of the machine's load between them moves this ratio). Round trips to SQLite per event: ${one.calls.callsPerEvent.toFixed(2)} from 1 client, ${many.calls.callsPerEvent.toFixed(3)} from ${CLIENTS} (group commit: the changes that arrive while one commits go together); the connection busy ${one.calls.msPerEvent.toFixed(2)} ms per event from 1 client, ${many.calls.msPerEvent.toFixed(2)} ms from ${CLIENTS}${r.manyProfile ? `. ${r.manyProfile}` : ''}`,
  });
}
if (bare) {
  figures.events_ceiling_bare_tx_per_s = figure(bare.perS, 'events/s', {
    note: `knex on the same SQLite file, no engine, one client: per event one transaction that reads the instance row, updates it (rev compare-and-set) and inserts a history row; ${bare.events} events over ${sizes.oneClient} other instances, ${STORY_LENGTH} rounds taken in turn with the engine's. node-sqlite3 calls: ${describeCalls(bare.calls)} of ${(1000 / bare.perS).toFixed(2)} ms per event`,
  });
}
if (one && bare) {
  figures.events_vs_ceiling = figure(one.perS / bare.perS, '×', {
    target: '≥ 0.7',
    note: `engine 1-client events/s ÷ bare-transaction events/s, both on the same SQLite file; per event the engine makes ${one.calls.callsPerEvent.toFixed(2)} round trips to SQLite (${one.calls.msPerEvent.toFixed(2)} ms) where the bare transaction makes ${bare.calls.callsPerEvent.toFixed(2)} (${bare.calls.msPerEvent.toFixed(2)} ms), BEGIN and COMMIT included${r.profile ? `. ${r.profile}` : ''}`,
  });
}
if (xstate) {
  figures.events_ceiling_xstate_per_s = figure(xstate.perS, 'events/s', {
    note: `XState ${XSTATE_VERSION} transition() on the same compiled machine, the same ${STORY_LENGTH}-event story over ${sizes.oneClient} in-memory snapshots, repeated ${sizes.xstateRepeat}× (${xstate.events} transitions); no restore, no persist, no I/O`,
  });
}
if (peer) {
  figures.events_bpmn_engine_per_s = figure(peer.perS, 'events/s', {
    note: `bpmn-engine ${bpmnVersion()} on the same story as BPMN (bench/peers/accreditation.bpmn.ts: each stage's tasks and evidence items as user tasks between a parallel fork and join, then the stage's leaving event as a user task; exclusive gateways where the YAML branches): ${peer.events} signals = ${sizes.bpmn} instances × ${STORY_LENGTH}, one client; per signal: read the row, new Engine().recover(state), resume(), signal(), getState(), one transaction updating the row (rev check) and inserting a history row, in the same SQLite file. Saved state ~${(peer.stateBytes / 1024).toFixed(0)} KiB (with the serialized definition, as getState() returns it); debug logger off. It arms no timers and validates no form data`,
  });
}
if (one && peer) {
  figures.events_vs_bpmn_engine = figure(one.perS / peer.perS, '×', {
    target: '≥ 3',
    note: `engine 1-client events/s ÷ bpmn-engine signals/s: both one client, durable per event, the same ${STORY_LENGTH}-event story per instance (${one.events} vs ${peer.events} events: the peer is slow, so fewer instances)`,
  });
}
if (r.pgOne && r.pgMany) {
  const where = `PostgreSQL (${r.pg}; knex pool of 10), ${pgSchools} running instances; the embedded SQL job table as the queue`;
  figures.events_pg_1_client_per_s = figure(r.pgOne.perS, 'events/s', {
    note: `engine commands one at a time, each its own commit: ${r.pgOne.events} events = ${sizes.pgOneClient} instances × ${STORY_LENGTH}; ${where}`,
  });
  figures.events_pg_64_clients_per_s = figure(r.pgMany.perS, 'events/s', {
    ratio: r.pgMany.perS / r.pgOne.perS,
    note: `${CLIENTS} concurrent loops, each on its own ${sizes.pgPerClient} instance(s): ${r.pgMany.events} events; ratio = ÷ the PostgreSQL 1-client figure; ${where}`,
  });
} else if (phases.has('pg')) {
  // The SQLite figures stand either way; a run that failed on PostgreSQL fails the workload (the
  // runner keeps the figures printed before a non-zero exit).
  if (pgFailure) {
    log(`FAILED on PostgreSQL: ${pgFailure}`);
    process.exitCode = 1;
  } else skipped('PostgreSQL not reachable: the events_pg_* figures are left out');
}

emit(figures);

function describeCalls(s: SqliteStats): string {
  return `${s.callsPerEvent.toFixed(2)} round trips (${s.statementsPerEvent.toFixed(1)} statements, BEGIN and COMMIT included) per event, the connection busy ${s.msPerEvent.toFixed(2)} ms per event`;
}

function describeStatements(s: StatementStats): string {
  return `${s.perEvent.toFixed(1)} SQL statements per event besides BEGIN/COMMIT, ${s.msPerEvent.toFixed(2)} ms of it awaiting them`;
}

function bpmnVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(process.cwd(), 'node_modules/bpmn-engine/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '';
  }
}
