// Deadline burst (issue 5, workload 3): 50,000 escalation timers due at the same moment (--quick:
// 5,000) on a fresh SQLite file. A small process (below) gives each school a report due one day after
// its start with one rung, "overdue, tell the school and its Phòng", at the due moment; starting every
// instance on the same day puts every rung at one instant. Then the clock — the wall clock plus an
// offset, so lateness is real time — is set to that instant and the real worker
// (`runtime.work({ concurrency })`) runs until every escalation is recorded (a row in `escalations`)
// and notified (the outbox relay handed it to the Notifier). Lateness = an escalation's recorded
// firedAt − the due moment.
//
// Ceilings: the same queue driver (SqlQueue) firing as many no-op jobs, all due at once, at the same
// concurrency; and every row the burst wrote, written again as knex batched inserts and updates into
// a fresh SQLite file (bench/lib/burst-ceiling.ts): `escalations_vs_insert_ceiling`. Where Redis answers, the same burst through BullMQ (`redisUrl`) on a copy of the same
// store, its timers put into Redis by `relay.rebuild()` before the moment.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { openRuntime, WORKER_CONCURRENCY, type Runtime } from '../../adapters/runtime.ts';
import { SqlQueue } from '../../adapters/queue/sql/sql-queue.ts';
import { instantAt } from '../../engine/calendar/time.ts';
import type { Clock, Job, Notifier } from '../../engine/ports.ts';
import type { Committed } from '../../engine/service/engine.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import { burstCeiling, PER_TX } from '../lib/burst-ceiling.ts';
import { traceSqlite } from '../lib/sqlite-trace.ts';
import { describePackages, describeProfile, profileLines, profileWhile, summarizeProfile } from '../lib/profile.ts';
import {
  emit,
  figure,
  log,
  skipped,
  openSqliteRuntime,
  parseArgs,
  percentile,
  redisReachable,
  REDIS_URL,
  timer,
  uniqueName,
  type Figures,
} from '../lib/measure.ts';

const PROCESS = 'bench-deadline-burst';
const ACTOR = 'bench';
const SCHOOLS_PER_PHONG = 100;
const SOURCE = `# yaml-language-server: $schema=../engine/definition/schema.json
id: ${PROCESS}
version: 1
title: { vi: Nộp báo cáo định kỳ (benchmark), en: Periodic report (benchmark) }
legalBasis: [benchmark]
appliesTo: [lower-secondary]
calendar: vn-government
initial: report
stages:
  report:
    title: { vi: Nộp báo cáo, en: Send the report }
    owner: school
    due: { days: 1 }
    tasks:
      - { id: send_report, title: { vi: Gửi báo cáo, en: Send the report } }
    escalate:
      - { at: { days: 0 }, kind: overdue, notify: [owner, district] }
    on:
      SUBMIT: { target: sent, when: { tasksDone: all } }
  sent:
    title: { vi: Đã nộp, en: Sent }
    type: final
`;

const { quick, options } = parseArgs();
const count = Number(options.timers ?? (quick ? 5_000 : 50_000));
/** Each queue driver's worker at its own default unless asked otherwise: the burst measures the
 * product as it ships. */
const concurrency = Number(options.concurrency ?? WORKER_CONCURRENCY.sql);
const bullConcurrency = Number(options.concurrency ?? WORKER_CONCURRENCY.bullmq);
/** The BullMQ run fires this many of the same timers (the others are cancelled in its copy of the
 * store), to keep the full run within its time budget. */
const bullCount = Math.min(count, Number(options['bullmq-timers'] ?? (quick ? count : 10_000)));
/** Instances start on this day (Vietnamese time); their rung falls at the end of the next day. */
const START = instantAt('2026-03-02', 8);

/** The wall clock moved by an offset: set it to an instant, and it runs on from there in real time. */
class OffsetClock implements Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  /** From now on, now() reads `at` (and runs on in real time). */
  setNow(at: number): void {
    this.offset = at - Date.now();
  }
}

/** Counts what the outbox relay hands on (one notice per escalation), and the escalations committed
 * (the runtime's observer sees every commit): no polling query competes with the worker. */
class Counter implements Notifier {
  notified = 0;
  recorded = 0;
  async notify(): Promise<void> {
    this.notified++;
  }
  readonly observe = (committed: Committed): void => {
    if (committed.change.escalation) this.recorded++;
  };
}

function province(n: number): UnitInput[] {
  const units: UnitInput[] = [{ id: 'so-bench', kind: 'department', name: 'Sở GDĐT (bench)' }];
  for (let p = 0; p * SCHOOLS_PER_PHONG < n; p++) {
    units.push({ id: `pgd-${p}`, parentId: 'so-bench', kind: 'district-office', name: `Phòng GDĐT ${p}`, levels: ['primary', 'lower-secondary'] });
    for (let s = p * SCHOOLS_PER_PHONG; s < Math.min(n, (p + 1) * SCHOOLS_PER_PHONG); s++)
      units.push({ id: `thcs-${s}`, parentId: `pgd-${p}`, kind: 'lower-secondary', name: `THCS số ${s}` });
  }
  return units;
}

/** Starts one instance per school; answers the one due moment every rung shares. */
async function populate(rt: Runtime): Promise<number> {
  await rt.engine.catalog.publish(SOURCE, `${PROCESS}.yaml`, ACTOR);
  const units = province(count);
  for (let i = 0; i < units.length; i += 5_000) await rt.engine.addUnits(units.slice(i, i + 5_000));
  const schools = units.filter((u) => u.kind === 'lower-secondary').map((u) => u.id);
  const elapsed = timer();
  let lastLog = 0;
  // 64 loops of engine.start (group commit serves them together). Not a campaign: runCampaign slows
  // down as its campaign grows (a correlated subquery over its instances per page of units).
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < schools.length) {
        const i = next++;
        await rt.engine.start({ definitionId: PROCESS, orgUnitId: schools[i]! }, { actor: ACTOR });
        if (elapsed() - lastLog > 10_000) {
          lastLog = elapsed();
          log(`  ${i + 1} of ${count} instances started`);
        }
      }
    }),
  );
  const rows = (await rt
    .db('timers')
    .where({ status: 'pending' })
    .select('kind')
    .min({ first: 'fire_at' })
    .max({ last: 'fire_at' })
    .count({ n: '*' })
    .groupBy('kind')) as { kind: string; first: number | string; last: number | string; n: number | string }[];
  const [rung] = rows;
  if (rows.length !== 1 || rung!.kind !== 'overdue' || Number(rung!.n) !== count || Number(rung!.first) !== Number(rung!.last)) {
    throw new Error(`expected ${count} overdue timers at one instant, found ${JSON.stringify(rows)}`);
  }
  log(`${count} instances started in ${(elapsed() / 1000).toFixed(1)} s (setup, not measured); every rung at ${new Date(Number(rung!.first)).toISOString()}`);
  return Number(rung!.first);
}

/** The SQL statements knex sends while it runs, by kind: how many per escalation, and how long each
 * held the connection (knex reports a statement once it has its connection). */
function watchStatements(db: Knex): { stop(per: number, top?: number): string } {
  const open = new Map<string, { sql: string; at: number }>();
  const bySql = new Map<string, { count: number; ms: number }>();
  const onQuery = (q: { __knexQueryUid: string; sql: string }) => open.set(q.__knexQueryUid, { sql: q.sql, at: performance.now() });
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
  return {
    stop(per, top = 4) {
      db.off('query', onQuery).off('query-response', onDone).off('query-error', onDone);
      const byKind = new Map<string, { count: number; ms: number }>();
      for (const [sql, s] of bySql) {
        const key = sql.replace(/\s+/g, ' ').replace(/\(.*$/, '(…').slice(0, 60);
        const k = byKind.get(key) ?? { count: 0, ms: 0 };
        k.count += s.count;
        k.ms += s.ms;
        byKind.set(key, k);
      }
      const all = [...byKind.entries()].sort((a, b) => b[1].ms - a[1].ms);
      const total = all.reduce((a, [, k]) => ({ count: a.count + k.count, ms: a.ms + k.ms }), { count: 0, ms: 0 });
      return `${(total.count / per).toFixed(2)} statements per escalation besides BEGIN/COMMIT, holding the connection ${(total.ms / per).toFixed(2)} ms each (most: ${all
        .slice(0, top)
        .map(([sql, k]) => `${sql} ${(k.count / per).toFixed(2)}×/${(k.ms / per).toFixed(2)} ms`)
        .join('; ')})`;
    },
  };
}

interface BurstResult {
  totalS: number;
  p50: number;
  p99: number;
  max: number;
  perS: number;
  /** Inbox notices short of two per escalation (the school and its Phòng), with examples. */
  missingNotices: number;
  missingExamples: string;
  statements: string;
  /** Every node-sqlite3 call over a slice of the burst (its second quarter), per escalation. */
  calls: string;
  /** CPU time of the process (its JS thread, node-sqlite3's threads, the kernel for both) per escalation. */
  cpu: { userMs: number; sysMs: number };
}

/** Sets the clock to the due moment and runs the worker until every escalation is recorded and notified. */
async function burst(
  rt: Runtime,
  clock: OffsetClock,
  counter: Counter,
  dueAt: number,
  label: string,
  count: number,
  concurrency: number,
): Promise<BurstResult> {
  counter.notified = counter.recorded = 0;
  clock.setNow(dueAt);
  const statements = watchStatements(rt.db);
  // Every call into node-sqlite3 (the commit scripts, BEGIN and COMMIT included) over the burst's
  // second quarter: the trace costs time of its own, so not over all of it.
  const trace = traceSqlite();
  trace.active = false;
  let sliceFrom = -1;
  let sliceTo = -1;
  const cpu0 = process.cpuUsage();
  const elapsed = timer();
  const worker = rt.work({ concurrency });
  let lastLog = 0;
  let recordedMs = 0;
  for (;;) {
    if (sliceFrom < 0 && counter.recorded >= count / 4) {
      sliceFrom = counter.recorded;
      trace.active = true;
    } else if (sliceTo < 0 && sliceFrom >= 0 && counter.recorded >= count / 2) {
      sliceTo = counter.recorded;
      trace.active = false;
    }
    if (counter.recorded >= count && !recordedMs) recordedMs = elapsed();
    if (counter.recorded >= count && counter.notified >= count) break;
    if (elapsed() - lastLog > 10_000) {
      lastLog = elapsed();
      log(`  ${label}: ${counter.recorded} escalations recorded, ${counter.notified} notified after ${(elapsed() / 1000).toFixed(0)} s`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const totalMs = elapsed();
  const cpu = process.cpuUsage(cpu0);
  await worker.close();
  trace.active = false;
  if (sliceTo < 0) sliceTo = counter.recorded;
  const traced = trace.stop(Math.max(1, sliceTo - Math.max(0, sliceFrom)));
  const calls = `over escalations ${sliceFrom}–${sliceTo}, per escalation: ${traced.callsPerEvent.toFixed(3)} node-sqlite3 calls (round trips), ${traced.statementsPerEvent.toFixed(2)} statements, ${traced.msPerEvent.toFixed(3)} ms from call to callback (most: ${traced.top
    .slice(0, 5)
    .map((t) => `${t.sql.slice(0, 70)} ${t.perEvent.toFixed(3)}×/${t.msPerEvent.toFixed(3)} ms`)
    .join('; ')})`;
  log(`  ${label}: node-sqlite3 calls ${calls}`);
  const sqlStats = statements.stop(count);
  log(`  ${label}: ${statements.stop(count, 12)}`);
  const firedAt = ((await rt.db('escalations').select('fired_at')) as { fired_at: number | string }[]).map((r) => (Number(r.fired_at) - dueAt) / 1000);
  if (firedAt.length !== count) throw new Error(`${label}: ${firedAt.length} escalations recorded for ${count} timers`);
  // Every rung tells two units (the school, its Phòng): an escalation with fewer notices lost one.
  const short = (await rt
    .db('escalations as e')
    .leftJoin('inbox as n', 'n.escalation_id', 'e.id')
    .groupBy('e.id', 'e.notified')
    .havingRaw('count(n.id) < 2')
    .select('e.id', 'e.notified')
    .count({ n: 'n.id' })) as { id: string; notified: string; n: number | string }[];
  const missingNotices = short.reduce((a, r) => a + 2 - Number(r.n), 0);
  const missingExamples = short
    .slice(0, 3)
    .map((r) => `${r.id.slice(0, 8)}… notified ${r.notified}`)
    .join('; ');
  if (missingNotices) log(`  ${label}: ${missingNotices} inbox notices MISSING (${short.length} escalations told fewer than 2 units): ${missingExamples}`);
  const last = Math.max(...firedAt);
  return {
    totalS: totalMs / 1000,
    p50: percentile(firedAt, 50),
    p99: percentile(firedAt, 99),
    max: last,
    perS: count / (recordedMs / 1000),
    missingNotices,
    missingExamples,
    statements: sqlStats,
    calls,
    cpu: { userMs: cpu.user / 1000 / count, sysMs: cpu.system / 1000 / count },
  };
}

/** Ceiling: the same SqlQueue, as many no-op jobs all due now, a worker at the same concurrency. */
async function noopJobs(db: Knex, clock: Clock): Promise<{ perS: number; totalS: number }> {
  const queue = new SqlQueue(db, { name: uniqueName('noop'), clock });
  const now = clock.now();
  const ids = Array.from({ length: count }, (_, i) => `noop-${i}`);
  for (let i = 0; i < ids.length; i += 1_000) await queue.schedule(ids.slice(i, i + 1_000).map((id) => ({ id, name: 'noop', payload: {}, runAt: now })));
  let done = 0;
  const elapsed = timer();
  let finished!: () => void;
  const all = new Promise<void>((resolve) => (finished = resolve));
  const worker = queue.work(
    async (_job: Job) => {
      if (++done === count) finished();
    },
    { concurrency },
  );
  await all;
  const ms = elapsed();
  await worker.close();
  return { perS: count / (ms / 1000), totalS: ms / 1000 };
}

// ---------------------------------------------------------------------------------------------

const figures: Figures = {};
const clock = new OffsetClock();
clock.setNow(START);
const counter = new Counter();
const store = await openSqliteRuntime({ clock, notifier: counter, observe: counter.observe });
const copyDir = mkdtempSync(join(tmpdir(), 'tiendo-bench-burst-'));
const copy = join(copyDir, 'bench.sqlite');
let withRedis = false;
try {
  const { rt } = store;
  log(`deadline burst: ${count} escalation timers at one instant, SQLite (${store.where}), worker concurrency ${concurrency}`);
  const dueAt = await populate(rt);
  withRedis = await redisReachable();
  if (withRedis) {
    // A copy of the store for the BullMQ run: the same instances and timers.
    await rt.db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    copyFileSync(store.where, copy);
  }

  // Under V8's profiler (sampling every ms: about 1% overhead), for the note when the target is missed.
  const { result: sql, profile } = await profileWhile(() => burst(rt, clock, counter, dueAt, 'SQL job table', count, concurrency), 1_000);
  const summary = summarizeProfile(profile, 12);
  for (const line of profileLines(summary)) log(`  profile, SQL job table burst: ${line}`);
  const why = `CPU profile of the burst: ${describeProfile(summary, 4)}; by package: ${describePackages(summary, 6)} (idle = waiting for SQLite's thread). CPU of the process: ${sql.cpu.userMs.toFixed(3)} ms user + ${sql.cpu.sysMs.toFixed(3)} ms system per escalation (JS thread and node-sqlite3's together). node-sqlite3 calls ${sql.calls}. Knex statements: ${sql.statements}`;
  log(
    `SQL job table: all ${count} recorded in ${sql.totalS.toFixed(1)} s; lateness p50 ${sql.p50.toFixed(1)} s, p99 ${sql.p99.toFixed(1)} s, max ${sql.max.toFixed(1)} s; ${sql.perS.toFixed(0)} escalations/s`,
  );
  const noop = await noopJobs(rt.db, clock);
  log(`ceiling: ${count} no-op jobs through SqlQueue in ${noop.totalS.toFixed(1)} s = ${noop.perS.toFixed(0)}/s`);

  const ceiling = await burstCeiling(rt.db, rt.queueName);
  log(
    `ceiling: the burst's rows (${ceiling.rowsPerEscalation.toFixed(1)} per escalation) as knex batched inserts/updates into a fresh SQLite file, ${PER_TX} escalations a transaction: ${(ceiling.ms / 1000).toFixed(1)} s = ${ceiling.perS.toFixed(0)} escalations/s`,
  );

  const what = `${count} instances of a one-stage process started the same day, one ladder rung each (overdue, notify owner + district) due at the same instant; the clock set to it, then runtime.work({ concurrency: ${concurrency} }) on the embedded SQL job table until every escalation was recorded (escalations row + 2 inbox notices; the changes of timers fired together committed together, engine/service/batcher.ts) and handed to the Notifier by the outbox relay`;
  figures.burst_total_s = figure(sql.totalS, 's', { note: `${what}: wall time from the due moment until all were recorded and notified; SQLite file (WAL)` });
  figures.burst_p50_lateness_s = figure(sql.p50, 's', { note: `lateness = escalation firedAt (as recorded) − due moment, median over ${count}` });
  figures.burst_p99_lateness_s = figure(sql.p99, 's', {
    target: '≤ 10',
    note: `lateness = escalation firedAt (as recorded) − due moment, 99th percentile over ${count} (max ${sql.max.toFixed(1)} s); target set for 50,000 on SQLite${sql.p99 > 10 ? `. Missed by ${(sql.p99 - 10).toFixed(1)} s: ${sql.perS.toFixed(0)} escalations/s where ${count} in 10 s needs ${(count / 10).toFixed(0)}/s; at the ${(sql.cpu.userMs + sql.cpu.sysMs).toFixed(2)} ms of CPU each escalation took, that rate keeps ${(((count / 10) * (sql.cpu.userMs + sql.cpu.sysMs)) / 1000).toFixed(1)} cores busy, and the knex batched writes of the same rows alone (burst_ceiling_insert_per_s) reach ${ceiling.perS.toFixed(0)}/s. ${why}` : ''}`,
  });
  const vsCeiling = sql.perS / ceiling.perS;
  figures.escalations_vs_insert_ceiling = figure(vsCeiling, 'ratio', {
    target: '≥ 0.5',
    note: `burst_escalations_per_s ÷ burst_ceiling_insert_per_s${vsCeiling < 0.5 ? `. Missed by ${(0.5 - vsCeiling).toFixed(2)}: ${why}` : ''}`,
  });
  figures.burst_ceiling_insert_per_s = figure(ceiling.perS, 'escalations/s', {
    note: `every row the SQL-queue burst wrote (${ceiling.rowsPerEscalation.toFixed(1)} rows per escalation: its history row, the instance's new rev, its timer fired, the escalation, its inbox notices, its outbox message inserted then marked relayed, its job leased then deleted) written again into a fresh SQLite file of the same instances, timers and jobs as knex batched inserts/updates: ${PER_TX} escalations' rows a transaction, at most 100 rows a statement, the lease and the relay's and job's settling as their own batched statements after it, as the worker does`,
  });
  figures.burst_escalations_per_s = figure(sql.perS, 'escalations/s', {
    ceiling: noop.perS,
    ratio: sql.perS / noop.perS,
    note: `${count} escalations ÷ seconds from the due moment until the last was recorded; ceiling = the same SqlQueue firing ${count} no-op jobs due at once at the same concurrency. ${why}`,
  });
  figures.burst_notices_missing = figure(sql.missingNotices, 'notices', {
    target: '≤ 0',
    note: `inbox notices short of 2 per escalation (the school and its Phòng) after the SQL-queue burst of ${count}${sql.missingNotices ? `: ${sql.missingExamples}` : ''}`,
  });
  figures.burst_ceiling_noop_jobs_per_s = figure(noop.perS, 'jobs/s', {
    note: `SqlQueue.work(no-op handler, { concurrency: ${concurrency} }) over ${count} jobs all due, same SQLite file; poll every 200 ms (the driver's default)`,
  });
} finally {
  await store.close();
}

if (withRedis) {
  const bullClock = new OffsetClock();
  bullClock.setNow(START);
  const bullCounter = new Counter();
  const queueName = uniqueName('burst');
  const rt = await openRuntime({ sqliteFile: copy, redisUrl: REDIS_URL, queueName, clock: bullClock, notifier: bullCounter, observe: bullCounter.observe });
  try {
    const dueAt = Number(((await rt.db('timers').where({ status: 'pending' }).min({ at: 'fire_at' })) as { at: number | string }[])[0]!.at);
    if (bullCount < count) {
      const keep = rt.db('timers').where({ status: 'pending' }).orderBy('id').limit(bullCount).select('id');
      await rt.db('timers').where({ status: 'pending' }).whereNotIn('id', keep).update({ status: 'cancelled' });
    }
    // Relayed long before the moment in real life: here the pending timers are put into Redis just
    // before it, with the clock reading `lead` before the due moment, so each job's delay ends at it.
    const lead = Math.max(3_000, bullCount);
    bullClock.setNow(dueAt - lead);
    const rebuild = timer();
    const relayed = await rt.relay.rebuild();
    const rebuildMs = rebuild();
    log(
      `BullMQ (${REDIS_URL}, queue ${queueName}): ${relayed} timers put into Redis in ${(rebuildMs / 1000).toFixed(1)} s, ${((lead - rebuildMs) / 1000).toFixed(1)} s before the moment`,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, dueAt - bullClock.now())));
    const bull = await burst(rt, bullClock, bullCounter, dueAt, 'BullMQ', bullCount, bullConcurrency);
    log(
      `BullMQ: all ${bullCount} recorded in ${bull.totalS.toFixed(1)} s; lateness p50 ${bull.p50.toFixed(1)} s, p99 ${bull.p99.toFixed(1)} s; ${bull.perS.toFixed(0)} escalations/s`,
    );
    const note = `the same burst with BullMQ on Redis (redisUrl ${REDIS_URL}) as the queue: ${bullCount} of the same escalation timers${bullCount < count ? ` (the other ${count - bullCount} cancelled, to keep the run short)` : ''}, the store still SQLite (a copy of the same instances), worker concurrency ${bullConcurrency}; the timers relayed into Redis ${((lead - rebuildMs) / 1000).toFixed(1)} s before the moment${rebuildMs > lead ? ' (the relay ran past the moment: its overrun counts as lateness)' : ''}`;
    figures.burst_bullmq_total_s = figure(bull.totalS, 's', { note });
    figures.burst_bullmq_p50_lateness_s = figure(bull.p50, 's', { note });
    figures.burst_bullmq_p99_lateness_s = figure(bull.p99, 's', { note: `${note}; max ${bull.max.toFixed(1)} s` });
    figures.burst_bullmq_escalations_per_s = figure(bull.perS, 'escalations/s', { note });
    if (bull.missingNotices)
      figures.burst_bullmq_notices_missing = figure(bull.missingNotices, 'notices', {
        target: '≤ 0',
        note: `inbox notices short of 2 per escalation: ${bull.missingExamples}`,
      });
  } catch (e) {
    // The SQLite figures stand; the failure is reported in the BullMQ figure's note.
    log(`BullMQ run FAILED: ${(e as Error).stack ?? String(e)}`);
    figures.burst_bullmq_p99_lateness_s = figure(NaN, 's', { note: `FAILED with BullMQ: ${(e as Error).message.slice(0, 300)}` });
  } finally {
    await (rt.queue as { obliterate?: () => Promise<void> }).obliterate?.().catch(() => undefined);
    await rt.close();
    rmSync(copyDir, { recursive: true, force: true });
  }
} else {
  rmSync(copyDir, { recursive: true, force: true });
  skipped('Redis not reachable: the BullMQ burst did not run (no burst_bullmq_* figures)');
}

emit(figures);
