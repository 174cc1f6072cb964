// The fault tests' world: a tiny process whose deadlines are due at once (so timers come due in real
// time while the test runs), a province of primary schools with one instance each, a staff account
// with a bearer token, clients that drive the instances through the API and record every answer, and
// the checks run afterwards — exactly once, history replays to the stored state, no timer lost, no
// job stuck.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { Queue as BullQueue } from 'bullmq';
import { startApp } from '../../adapters/app.ts';
import { hashPassword, issueToken } from '../../adapters/http/auth.ts';
import { openRuntime, type Runtime } from '../../adapters/runtime.ts';
import { advance, startInstance, type InstanceState } from '../../engine/runtime/advance.ts';
import type { HistoryEntry, Instance } from '../../engine/domain.ts';
import { sleep } from './harness.ts';

export const DEFINITION = 'fault-drill';
export const LOGIN = 'staff_so';

/**
 * prepare: two tasks and an evidence item, then SUBMIT; its own deadline is two months away (timers
 * that stay pending, cancelled when the stage is left). review: due on a day long past, so DUE and
 * both rungs of its ladder are due the moment it is entered; DUE (or the school's RETURN) sends the
 * file back to prepare, which opens its tasks again: the clients never run out of work.
 */
export const DRILL_YAML = `# yaml-language-server: $schema=../../engine/definition/schema.json
id: ${DEFINITION}
version: 1
title: { vi: Diễn tập sự cố, en: Fault drill }
legalBasis: [Test]
appliesTo: [primary]
calendar: vn-government
initial: prepare
stages:
  prepare:
    title: { vi: Chuẩn bị, en: Prepare }
    owner: school
    due: { days: 60 }
    tasks:
      - { id: draft, title: { vi: Soạn, en: Draft } }
      - { id: sign, title: { vi: Ký, en: Sign } }
    evidence:
      - { id: copy, title: { vi: Bản sao, en: Copy } }
    escalate:
      - { at: { days: -3 }, kind: reminder, notify: owner }
      - { at: { days: 0 }, kind: overdue, notify: [owner, district] }
    on:
      SUBMIT: { target: review, when: { tasksDone: all } }
  review:
    title: { vi: Xem xét, en: Review }
    owner: school
    due: { date: 05/01/2024 }
    escalate:
      - { at: { days: 0 }, kind: overdue, notify: [owner, district] }
      - { at: { days: 1 }, kind: escalation, notify: department }
    on:
      RETURN: prepare
      DUE: prepare
`;

/** A folder holding only the drill, for TIENDO_PROCESS_DIR (publishing the whole library at every
 * process start would cost seconds each). */
export function drillDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tiendo-drill-'));
  writeFileSync(join(dir, `${DEFINITION}.yaml`), DRILL_YAML);
  return dir;
}

export interface Seeded {
  token: string;
  instanceIds: string[];
}

/** Units (a Sở, a Phòng, `schools` primary schools), the staff account and its token, and one drill
 * instance per school — through the app in this process, which is closed again. */
export async function seed(config: { databaseUrl: string; pgSchema: string; redisUrl: string; processDir: string; schools: number }): Promise<Seeded> {
  const app = await startApp({
    databaseUrl: config.databaseUrl,
    pgSchema: config.pgSchema,
    redisUrl: config.redisUrl,
    processDir: config.processDir,
    api: false,
    workers: false,
    demo: false,
    bcryptCost: 4,
    log: () => undefined,
  });
  try {
    const engine = app.runtime.engine;
    const schools = Array.from({ length: config.schools }, (_, i) => ({
      id: `th_${i + 1}`,
      parentId: 'pgd',
      kind: 'primary' as const,
      name: `TH số ${i + 1}`,
    }));
    await engine.addUnits([
      { id: 'so', kind: 'department', name: 'Sở GDĐT' },
      { id: 'pgd', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT', levels: ['primary'] },
      ...schools,
    ]);
    const now = engine.clock.now();
    await app.accounts.putUser({ id: 'u-staff', login: LOGIN, name: 'Cán bộ Sở', passwordHash: await hashPassword('mật-khẩu-thử', 4), createdAt: now }, [
      { role: 'staff', unitId: 'so' },
    ]);
    const token = await issueToken(app.accounts, 'u-staff', 'fault load', now);
    // Started 25 at a time, so they commit together.
    const instanceIds: string[] = [];
    for (let at = 0; at < schools.length; at += 25) {
      const started = await Promise.all(schools.slice(at, at + 25).map((s) => engine.start({ definitionId: DEFINITION, orgUnitId: s.id }, { actor: 'seed' })));
      instanceIds.push(...started.map((i) => i.id));
    }
    return { token, instanceIds };
  } finally {
    await app.close();
  }
}

/** One answer to one event sent. status 0: no answer (network error or timeout). */
export interface Sent {
  instanceId: string;
  what: string;
  path: string;
  request: unknown;
  status: number;
  code?: string;
  rev?: number;
  ms: number;
  at: number;
  idempotencyKey?: string;
  /** The server answered a key it had seen (Idempotent-Replayed). */
  replayed?: boolean;
  body?: unknown;
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Clients driving the instances over HTTP: each round reads a random instance and sends what its
 * stage wants (complete the open tasks, tick the evidence, SUBMIT; or RETURN from review). Every
 * event answer is recorded. With `idempotent`, each event carries a fresh Idempotency-Key, kept with
 * its answer so a failed one can be sent again.
 */
export class Load {
  readonly sent: Sent[] = [];
  readonly reads: { status: number; code?: string; ms: number; at: number }[] = [];
  private stopped = false;
  private n = 0;

  constructor(
    readonly url: string,
    readonly token: string,
    readonly instanceIds: string[],
    readonly options: { idempotent?: boolean } = {},
  ) {}

  get accepted(): Sent[] {
    return this.sent.filter((s) => s.status >= 200 && s.status < 300);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Runs `clients` loops until `events` have been sent (or stop()); resolves when all are done. */
  async run(clients: number, events: number): Promise<void> {
    await Promise.all(Array.from({ length: clients }, () => this.loop(events)));
  }

  /** Sends one POST and records it. */
  async post(instanceId: string, what: string, path: string, body: unknown, idempotencyKey?: string): Promise<Sent> {
    const started = Date.now();
    const key = idempotencyKey ?? (this.options.idempotent ? `fault-${process.pid}-${++this.n}-${Math.random().toString(36).slice(2)}` : undefined);
    const sent: Sent = { instanceId, what, path, request: body, status: 0, ms: 0, at: started, ...(key ? { idempotencyKey: key } : {}) };
    try {
      const res = await fetch(this.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      const parsed = text ? (JSON.parse(text) as { rev?: number; error?: { code: string } }) : {};
      sent.status = res.status;
      sent.body = parsed;
      if (res.headers.get('idempotent-replayed')) sent.replayed = true;
      if (res.ok) sent.rev = parsed.rev;
      else sent.code = parsed.error?.code ?? `HTTP_${res.status}`;
    } catch (e) {
      sent.code = (e as Error).name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK';
    }
    sent.ms = Date.now() - started;
    this.sent.push(sent);
    return sent;
  }

  private async loop(events: number): Promise<void> {
    while (!this.stopped && this.sent.length < events) {
      const id = this.instanceIds[Math.floor(Math.random() * this.instanceIds.length)]!;
      const view = await this.read(id);
      if (!view) {
        await sleep(100);
        continue;
      }
      const base = `/api/v1/instances/${id}`;
      if (view.instance.stages.includes('review')) {
        await this.post(id, 'RETURN', `${base}/events`, { type: 'RETURN' });
        continue;
      }
      for (const task of view.tasks.filter((t) => t.status === 'open' && t.stage === 'prepare')) {
        if (this.stopped) return;
        await this.post(id, `complete ${task.task}`, `/api/v1/tasks/${task.id}/complete`, { data: {} });
      }
      const copy = view.stages.find((s) => s.id === 'prepare')?.evidence.find((e) => e.id === 'copy');
      if (copy && !copy.checked) await this.post(id, 'evidence', `${base}/evidence`, { item: 'copy', checked: true });
      if (!this.stopped) await this.post(id, 'SUBMIT', `${base}/events`, { type: 'SUBMIT' });
    }
  }

  private async read(id: string): Promise<
    | {
        instance: { stages: string[] };
        tasks: { id: string; task: string; stage: string; status: string }[];
        stages: { id: string; evidence: { id: string; checked: boolean }[] }[];
      }
    | undefined
  > {
    const started = Date.now();
    try {
      const res = await fetch(`${this.url}/api/v1/instances/${id}`, {
        headers: { authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = (await res.json()) as never;
      this.reads.push({
        status: res.status,
        ms: Date.now() - started,
        at: started,
        ...(res.ok ? {} : { code: (body as { error?: { code: string } }).error?.code }),
      });
      return res.ok ? body : undefined;
    } catch (e) {
      this.reads.push({ status: 0, code: (e as Error).name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK', ms: Date.now() - started, at: started });
      return undefined;
    }
  }
}

/** A count of answers by status and code, for messages. */
export function tally(sent: readonly { status: number; code?: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of sent) {
    const k = s.code ? `${s.status} ${s.code}` : String(s.status);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** The runtime of this process on the test's schema and Redis: reads the store and the queue for
 * the checks (it runs no worker). */
export function openProbe(config: { databaseUrl: string; pgSchema: string; redisUrl: string }): Promise<Runtime> {
  return openRuntime({ databaseUrl: config.databaseUrl, pgSchema: config.pgSchema, redisUrl: config.redisUrl });
}

const num = (v: unknown) => Number(v);

/** Every accepted event is in the history exactly once, at the rev it answered, and nothing the
 * clients sent is in the history without an accepted answer. */
export async function expectExactlyOnce(db: Knex, sent: readonly Sent[]): Promise<void> {
  const rows = (await db('history').where({ actor: LOGIN }).select('instance_id', 'rev', 'event_type', 'payload', 'at')) as {
    instance_id: string;
    rev: number | string;
    event_type: string;
    payload: string | null;
    at: number | string;
  }[];
  const stored = new Set(rows.map((r) => `${r.instance_id}@${num(r.rev)}`));
  const accepted = sent.filter((s) => s.status >= 200 && s.status < 300);
  const answered = new Map<string, number>();
  for (const s of accepted) answered.set(`${s.instanceId}@${s.rev}`, (answered.get(`${s.instanceId}@${s.rev}`) ?? 0) + 1);
  const twice = [...answered].filter(([, n]) => n > 1).map(([k]) => k);
  expect(twice.slice(0, 10), `${twice.length} instance revs were answered to two accepted events`).to.deep.equal([]);
  const missing = [...answered.keys()].filter((k) => !stored.has(k));
  expect(missing.slice(0, 10), `${missing.length} accepted events are not in the history`).to.deep.equal([]);
  const unanswered = [...stored].filter((k) => !answered.has(k));
  const explain = (k: string) => {
    const row = rows.find((r) => `${r.instance_id}@${num(r.rev)}` === k)!;
    const tries = sent
      .filter((s) => s.instanceId === row.instance_id)
      .map((s) => `${s.what} ${s.status} ${s.code ?? ''} rev ${s.rev ?? '-'} at ${s.at}+${s.ms}`);
    return `${k} ${row.event_type} ${row.payload ?? ''} at ${num(row.at)}; answers for the instance: ${tries.join('; ')}`;
  };
  expect(unanswered.slice(0, 5).map(explain), `${unanswered.length} client events are in the history without an accepted answer`).to.deep.equal([]);
  expect(rows.length, 'history rows of the clients = accepted events').to.equal(accepted.length);
}

/**
 * Each instance's history is linear (revs 1..n), its stored rev is n, and its stored state equals a
 * replay of the history through the pure engine step; its open task rows are exactly the tasks of
 * the current prepare entry that the history has not completed.
 */
export async function expectReplayed(rt: Runtime, instanceIds: readonly string[]): Promise<void> {
  const compiled = await rt.engine.catalog.get(DEFINITION);
  const calendar = rt.engine.catalog.calendarOf(compiled);
  for (const id of instanceIds) {
    const loaded = await rt.store.loadInstance(id);
    const stored = loaded!.instance;
    const history = await rt.queries.history(id);
    expect(
      history.map((h) => h.rev),
      `${id}: revs 1..n`,
    ).to.deep.equal(history.map((_, i) => i + 1));
    expect(stored.rev, `${id}: rev = history length`).to.equal(history.length);
    const replayed = replay(compiled, calendar, history);
    const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
    expect(stored.state.snapshot, `${id}: snapshot = replay of ${history.length} history rows`).to.deep.equal(plain(replayed.state.snapshot));
    expect(stored.state.entries, `${id}: stage entries = replay`).to.deep.equal(plain(replayed.state.entries));
    expect(stored.stages, `${id}: stages = replay`).to.deep.equal(replayed.stages);
    expect(stored.status, `${id}: status = replay`).to.equal(replayed.status);
    // Tasks: the open rows are those of the current prepare entry not completed since it was entered.
    const entry = stored.state.entries.prepare;
    const open = (await rt.queries.tasksOf(id)).filter((t) => t.status === 'open');
    if (!stored.stages.includes('prepare')) {
      expect(
        open.map((t) => t.id),
        `${id}: no open task outside prepare`,
      ).to.deep.equal([]);
      continue;
    }
    const since = history.slice(history.findLastIndex((h) => h.toStages.includes('prepare') && !h.fromStages.includes('prepare')) + 1);
    const done = new Set(since.filter((h) => h.eventType === 'task.complete').map((h) => String(h.payload?.task)));
    expect(open.map((t) => `${t.stage}.${t.stageSeq}.${t.task}`).sort(), `${id}: open tasks`).to.deep.equal(
      ['draft', 'sign'].filter((t) => !done.has(t)).map((t) => `prepare.${entry!.seq}.${t}`),
    );
  }
}

function replay(
  compiled: Awaited<ReturnType<Runtime['engine']['catalog']['get']>>,
  calendar: ReturnType<Runtime['engine']['catalog']['calendarOf']>,
  history: readonly HistoryEntry[],
): { state: InstanceState; stages: string[]; status: Instance['status'] } {
  let current: { state: InstanceState; stages: string[]; status: Instance['status'] } | undefined;
  for (const row of history) {
    if (row.eventType === 'instance.start') {
      const step = startInstance(compiled, { unit: { kind: 'primary' }, anchors: {} }, row.at, calendar);
      current = { state: step.state, stages: step.stages, status: step.status };
    } else if (row.eventType.startsWith('escalation.')) {
      continue;
    } else if (row.eventType === 'instance.cancel') {
      current = { ...current!, status: 'cancelled' };
    } else {
      const step = advance(compiled, current!.state, { type: row.eventType, ...(row.payload ?? {}) } as never, row.at, calendar);
      current = { state: step.state, stages: step.stages, status: step.status };
    }
  }
  return current!;
}

/** Timers whose moment has come and that are still pending. */
export async function dueStillPending(db: Knex, now = Date.now()): Promise<number> {
  const row = (await db('timers').where({ status: 'pending' }).andWhere('fire_at', '<=', now).count({ n: '*' }).first()) as { n: unknown };
  return num(row.n);
}

/**
 * No timer lost or doubled: nothing due is pending; every escalation row is a fired rung's timer and
 * every fired rung has its row (one per timer id), with one inbox notice per notified unit; each
 * instance has one DUE history row per fired due timer; the outbox is relayed; and every timer still
 * pending is a job in Redis, with no job running, waiting or parked as failed.
 */
export async function expectTimersSettled(rt: Runtime, redisUrl: string): Promise<{ fired: number; escalations: number; pending: number }> {
  const db = rt.db;
  expect(await dueStillPending(db), 'timers due and still pending').to.equal(0);
  const fired = (await db('timers').where({ status: 'fired' }).select('id', 'instance_id', 'kind')) as { id: string; instance_id: string; kind: string }[];
  const rungIds = fired
    .filter((t) => t.kind !== 'due')
    .map((t) => t.id)
    .sort();
  const escalations = (await db('escalations').select('id', 'notified')) as { id: string; notified: string }[];
  expect(escalations.map((e) => e.id).sort(), 'escalation rows = fired ladder timers').to.deep.equal(rungIds);
  const inbox = (await db('inbox').select('escalation_id').count({ n: '*' }).groupBy('escalation_id')) as { escalation_id: string; n: unknown }[];
  const notices = new Map(inbox.map((r) => [r.escalation_id, num(r.n)]));
  const wrong = escalations.filter((e) => notices.get(e.id) !== new Set((JSON.parse(e.notified) as { unitId: string }[]).map((r) => r.unitId)).size);
  expect(wrong.map((e) => `${e.id}: ${notices.get(e.id)} notices`).slice(0, 10), 'one inbox notice per escalation and notified unit').to.deep.equal([]);
  const dueFired = new Map<string, number>();
  for (const t of fired.filter((t) => t.kind === 'due')) dueFired.set(t.instance_id, (dueFired.get(t.instance_id) ?? 0) + 1);
  const dueRows = (await db('history').where({ event_type: 'DUE' }).select('instance_id').count({ n: '*' }).groupBy('instance_id')) as {
    instance_id: string;
    n: unknown;
  }[];
  const sorted = (entries: Iterable<[string, number]>) => Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1)));
  expect(sorted(dueRows.map((r) => [r.instance_id, num(r.n)])), 'DUE history rows per instance = its fired due timers').to.deep.equal(sorted(dueFired));
  const unrelayed = (await db('outbox').whereNull('relayed_at').count({ n: '*' }).first()) as { n: unknown };
  expect(num(unrelayed.n), 'outbox messages not relayed').to.equal(0);
  const pending = ((await db('timers').where({ status: 'pending' }).pluck('id')) as string[]).sort();
  const queue = new BullQueue(rt.queueName, { connection: { url: redisUrl } });
  try {
    const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'failed', 'prioritized');
    expect({ active: counts.active, waiting: counts.waiting, failed: counts.failed }, 'jobs running, waiting or failed in Redis').to.deep.equal({
      active: 0,
      waiting: 0,
      failed: 0,
    });
    const delayed = new Set((await queue.getDelayed(0, -1)).filter(Boolean).map((j) => String(j.id)));
    const lost = pending.filter((id) => !delayed.has(id));
    expect(lost.slice(0, 10), `${lost.length} pending timers have no job in Redis`).to.deep.equal([]);
  } finally {
    await queue.close();
  }
  return { fired: fired.length, escalations: escalations.length, pending: pending.length };
}

/** Waits until the workers caught up: nothing due pending, nothing unrelayed, no job running or waiting. */
export async function settle(rt: Runtime, redisUrl: string, ms: number): Promise<void> {
  const queue = new BullQueue(rt.queueName, { connection: { url: redisUrl } });
  queue.on('error', () => undefined);
  const deadline = Date.now() + ms;
  try {
    for (;;) {
      const due = await dueStillPending(rt.db);
      const unrelayed = num(((await rt.db('outbox').whereNull('relayed_at').count({ n: '*' }).first()) as { n: unknown }).n);
      const counts = await queue.getJobCounts('active', 'waiting');
      if (due === 0 && unrelayed === 0 && counts.active === 0 && counts.waiting === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `the workers did not catch up in ${ms} ms: ${due} timers due and pending, ${unrelayed} outbox messages unrelayed, jobs ${JSON.stringify(counts)}`,
        );
      await sleep(500);
    }
  } finally {
    await queue.close();
  }
}
