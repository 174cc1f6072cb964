// Overdue board: 250,000 instances and 1,000,000 tasks (--quick: 25,000 / 100,000) inserted straight
// into a fresh SQLite file with batched multi-row inserts (prepared once on the store's own
// connection, taken from knex's pool) — spread over a province of ~1,000 units, on
// every process of the library, due dates around now and a share overdue — then p50/p95 of
// `GET /api/v1/board` for a supervisor at the Sở, through the real server in-process over loopback
// (3 warm-ups, 30 timed), against what it read before issue 17: the hand-written indexed GROUP BY of
// every running instance under the Sở (the board now reads migration 016's summary,
// adapters/store/due-counts.ts), timed the same way on the same connection, the two taking turns
// request by request. The loader goes around the summary's triggers and counts it afterwards with
// the migration's own rebuild. A profile of the
// endpoint (the V8 profiler of this process, over further requests) and the statements behind a
// request (timed from knex's query events) say where its time goes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { startApp } from '../../adapters/app.ts';
import { hashPassword } from '../../adapters/http/auth.ts';
import { addDays, endOfDay, localDateOf } from '../../engine/calendar/time.ts';
import type { CompiledProcess } from '../../engine/definition/compile.ts';
import { instantAt } from '../../engine/calendar/time.ts';
import { ManualClock } from '../../engine/ports.ts';
import type { OrgUnit } from '../../engine/domain.ts';
import { emit, figure, log, parseArgs, sample, seededRandom, summarize, timer } from '../lib/measure.ts';
import { describeProfile, profileLines, profileWhile, summarizeProfile } from '../lib/profile.ts';
import { scaledProvince } from '../lib/province.ts';
import { sortedUuids, sqliteBulkLoad, withoutSecondaryIndexes } from '../lib/rows.ts';
import { describeStatements, timeStatements } from '../lib/sqltime.ts';
import { createDueCountTriggers, DUE_BY_STAGE, DUE_BY_UNIT, dropDueCountTriggers, rebuildDueCounts } from '../../adapters/store/due-counts.ts';

const { quick, options } = parseArgs();
const INSTANCES = Number(options.instances ?? (quick ? 25_000 : 250_000));
const TASKS_PER_INSTANCE = 4; // 1,000,000 / 250,000
const SCHOOLS = 980; // + the Sở and the Phòng: ~1,000 units
const WARMUP = 3;
const RUNS = 30;
/** Requests profiled, and requests with their statements timed, after the measured ones. */
const DIAGNOSE = quick ? 10 : 4;
const PASSWORD = 'bench-password';

const now = instantAt('2026-03-02', 10);
const clock = new ManualClock(now);
const dir = mkdtempSync(join(tmpdir(), 'tiendo-bench-'));
const app = await startApp({
  sqliteFile: join(dir, 'board.sqlite'),
  port: 0,
  ui: false,
  workers: false,
  demo: false,
  clock,
  bcryptCost: 4,
  log: () => undefined,
});
try {
  const { engine, db } = app.runtime;
  const units = await engine.addUnits(scaledProvince(SCHOOLS));
  // Loading (untimed): a big page cache, no journal, no syncs; then as production runs it (WAL,
  // synchronous NORMAL, SQLite's default cache) for the measurements.
  await db.raw('pragma cache_size = -2097152');
  await db.raw('pragma journal_mode = off');
  await db.raw('pragma synchronous = off');
  const root = units.find((u) => u.kind === 'department')!;
  const defs = await Promise.all((await engine.store.listDefinitions()).map((d) => engine.catalog.get(d.id, d.version)));
  log(`${units.length} units, ${defs.length} processes; inserting ${INSTANCES} instances and ${INSTANCES * TASKS_PER_INSTANCE} tasks…`);
  const inserting = timer();
  // The rows go in around the board summary's triggers; the summary is then counted from the
  // instances by the rebuild migration 016 runs (as the indexes are built again, once).
  await dropDueCountTriggers(db);
  const counts = await withoutSecondaryIndexes(db, ['instances', 'tasks'], () => insertInstances(db, units, defs));
  const summing = timer();
  await createDueCountTriggers(db);
  await rebuildDueCounts(db);
  const summed = summing();
  await db.raw('pragma journal_mode = wal');
  await db.raw('pragma synchronous = normal');
  await db.raw('pragma cache_size = -2000');
  log(`inserted in ${(inserting() / 1000).toFixed(1)} s (the board summary counted in ${(summed / 1000).toFixed(1)} s): ${JSON.stringify(counts)}`);

  // A supervisor at the Sở, signed in through the API like a browser.
  await app.accounts.putUser(
    {
      id: 'bench-supervisor',
      login: 'giamsat.bench',
      name: 'Giám sát (bench)',
      email: 'giamsat@bench.vn',
      passwordHash: await hashPassword(PASSWORD, 4),
      createdAt: now,
    },
    [{ role: 'supervisor', unitId: root.id }],
  );
  const session = await fetch(`${app.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'giamsat.bench', password: PASSWORD }),
  });
  if (session.status !== 200) throw new Error(`sign-in answered ${session.status}: ${await session.text()}`);
  const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
  let lastBoard: { totals: { overdue: number; dueSoon: number }; byUnit: unknown[]; byStage: unknown[] } | undefined;
  const getBoard = async () => {
    const r = await fetch(`${app.url}/api/v1/board`, { headers: { cookie } });
    if (r.status !== 200) throw new Error(`GET /api/v1/board answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
    lastBoard = (await r.json()) as typeof lastBoard;
  };
  // The comparison: the board's SQL before the summary, by hand — instances under the Sở's path,
  // running, due before the end of the fifth working day from today, grouped by unit, stages,
  // process and due moment (the old KnexQueries.dueGroups). Its total checks the board's.
  const calendar = engine.catalog.calendars.get('vn-government')!;
  const until = endOfDay(calendar.addWorkingDays(localDateOf(now), 5));
  const end = root.path.slice(0, -1) + '0';
  const sql = `select org_unit_id, stages, definition_id, due_at, count(*) as n from instances
    where unit_path >= ? and unit_path < ? and status = 'running' and due_at < ?
    group by org_unit_id, stages, definition_id, due_at`;
  let groups: { n: number }[] = [];
  const runQuery = async () => {
    groups = (await db.raw(sql, [root.path, end, until])) as { n: number }[];
  };
  // The two take turns, request by request, so a machine whose load changes weighs on both alike.
  for (let i = 0; i < WARMUP; i++) await runQuery().then(getBoard);
  const api: number[] = [];
  const query: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const side of i % 2 ? ['sql', 'api'] : ['api', 'sql']) {
      const elapsed = timer();
      await (side === 'api' ? getBoard() : runQuery());
      (side === 'api' ? api : query).push(elapsed());
    }
  }
  const plan = ((await db.raw(`explain query plan ${sql}`, [root.path, end, until])) as { detail: string }[]).map((r) => r.detail).join('; ');
  const matched = groups.reduce((a, g) => a + Number(g.n), 0);
  if (!lastBoard || lastBoard.totals.overdue + lastBoard.totals.dueSoon !== matched) {
    throw new Error(`the board counts ${lastBoard?.totals.overdue} overdue + ${lastBoard?.totals.dueSoon} due soon; the query ${matched}`);
  }

  const a = summarize(api);
  const q = summarize(query);
  const ratio = a.p95 / q.p95;
  log(
    `board p50 ${a.p50.toFixed(1)} ms p95 ${a.p95.toFixed(1)} ms; SQL p50 ${q.p50.toFixed(1)} ms p95 ${q.p95.toFixed(1)} ms; ${groups.length} groups of ${matched} instances; plan: ${plan}`,
  );

  // Where the endpoint's time goes: more requests under the profiler.
  const { profile } = await profileWhile(async () => {
    for (let i = 0; i < DIAGNOSE; i++) await getBoard();
  });
  // And the statements behind a request: more requests with each statement timed.
  const statements = timeStatements(db);
  const perRequest = await sample(DIAGNOSE, getBoard);
  statements.stop();
  const requestMs = perRequest.reduce((x, y) => x + y, 0);
  for (const st of statements.top(8)) log(`  ${(st.totalMs / DIAGNOSE).toFixed(1).padStart(6)} ms/request ×${st.count / DIAGNOSE}  ${st.sql.slice(0, 150)}`);
  const sqlShare = `per request ${(requestMs / DIAGNOSE).toFixed(0)} ms, of which SQL ${(statements.totalMs() / DIAGNOSE).toFixed(0)} ms in ${statements.top(100).reduce((n, st) => n + st.count, 0) / DIAGNOSE} statements (${describeStatements(statements, requestMs, 3)})`;
  log(`  ${sqlShare}`);
  if (options['save-profile']) writeFileSync(options['save-profile'], JSON.stringify(profile));
  const summary = summarizeProfile(profile, 20);
  for (const line of profileLines(summary)) log(`  ${line}`);
  const where = describeProfile(summary, 6);

  const summaryRows = async (table: string) => Number((await db(table).where('ancestor_id', root.id).where('due_at', '<', until).count({ n: '*' }))[0]!.n);
  const read = `${await summaryRows(DUE_BY_UNIT)} + ${await summaryRows(DUE_BY_STAGE)} summary rows`;
  const shape = `${INSTANCES} instances (${counts.running} running, ${matched} overdue or due within 5 working days, in ${groups.length} groups; the board reads ${read}), ${counts.tasks} tasks, ${units.length} units`;
  const TARGET = 100;
  emit({
    board_p50_ms: figure(a.p50, 'ms', {
      ceiling: q.p50,
      ratio: a.p50 / q.p50,
      note: `GET /api/v1/board for a supervisor at the Sở, ${RUNS} requests after ${WARMUP} warm-ups, SQLite; ${shape}`,
    }),
    board_p95_ms: figure(a.p95, 'ms', {
      target: `≤ ${TARGET}`,
      ceiling: q.p95,
      ratio,
      // A miss says how loaded the machine was: the old GROUP BY, timed in turn, is the yardstick.
      note: `${a.p95 > TARGET ? `missed: ${(a.p95 - TARGET).toFixed(0)} ms (${((a.p95 / TARGET - 1) * 100).toFixed(0)}%) over, at load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (the old GROUP BY, in turn: p95 ${q.p95.toFixed(0)} ms). ` : ''}${sqlShare}. Endpoint ${where}`,
    }),
    board_sql_p95_ms: figure(q.p95, 'ms', {
      note: `for comparison: the GROUP BY the board ran before migration 016's summary, alone (p50 ${q.p50.toFixed(1)} ms); plan: ${plan}`,
    }),
    board_p95_vs_sql: figure(ratio, 'ratio', {
      target: '≤ 2',
      note: `the board against the old GROUP BY alone; ${ratio > 2 ? `missed: ${((ratio / 2 - 1) * 100).toFixed(0)}% over. ` : ''}${sqlShare}`,
    }),
  });
} finally {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Instances and their tasks as the engine would have stored them, written straight: each process's
 * instances on the units it applies to, at one of its real stages, with its real snapshot text.
 */
async function insertInstances(
  db: Knex,
  units: OrgUnit[],
  defs: CompiledProcess[],
): Promise<{ instances: number; running: number; tasks: number; campaigns: number }> {
  const rng = seededRandom(20260302);
  // A stored snapshot of each process, from a real start (its size is what a row carries).
  const snapshots = new Map<string, { snapshot: string; entries: string }>();
  for (const d of defs) {
    const unit = units.find((u) => d.appliesTo.includes(u.kind));
    if (!unit) continue;
    try {
      const started = await app.runtime.engine.start({ definitionId: d.id, orgUnitId: unit.id }, { actor: 'bench' });
      const row = await db('instances').where({ id: started.id }).first();
      snapshots.set(d.id, { snapshot: row.snapshot, entries: row.stage_entries });
    } catch {
      // A process that cannot start without an anchor: its instances carry a small snapshot.
    }
  }
  const eligible = units.flatMap((u) => {
    const ds = defs.filter((d) => d.appliesTo.includes(u.kind));
    return ds.length ? [{ unit: u, defs: ds }] : [];
  });
  const stagesOf = new Map(defs.map((d) => [d.id, Object.values(d.stages).filter((s) => s.kind === 'atomic')]));
  const rounds = Math.ceil(INSTANCES / eligible.length);
  const campaigns = Array.from({ length: rounds }, (_, r) => ({
    id: `bench-${String(r).padStart(4, '0')}`,
    definition_id: defs[r % defs.length]!.id,
    definition_version: 1,
    root_unit_id: units[0]!.id,
    kinds: JSON.stringify(['primary']),
    status: 'done',
    total: 0,
    started: 0,
    created_by: 'bench',
    created_at: now - (rounds - r) * 86_400_000,
  }));
  // Deadlines are shared, as in life: the instances a campaign started on a stage are due the same
  // day; a quarter of them have moved (an extension, an anchor, a late entry).
  const baseDay = new Map<string, number | undefined>();
  const dueDayOf = (key: string): number | undefined => {
    if (!baseDay.has(key)) {
      // 30% overdue (up to 90 days), 10% due within a week, 55% later, 5% without a deadline.
      const when = rng();
      baseDay.set(key, when < 0.3 ? -1 - Math.floor(rng() * 90) : when < 0.4 ? Math.floor(rng() * 8) : when < 0.95 ? 8 + Math.floor(rng() * 170) : undefined);
    }
    const day = baseDay.get(key);
    return day !== undefined && rng() < 0.25 ? day + Math.floor(rng() * 21) - 10 : day;
  };

  let running = 0;
  let tasks = 0;
  const ids = sortedUuids(INSTANCES);
  await sqliteBulkLoad(db, async (bulk) => {
    await bulk.exec('begin');
    await bulk.insert('campaigns', campaigns);
    await bulk.exec('commit');
    let instances: Record<string, unknown>[] = [];
    let taskRows: Record<string, unknown>[] = [];
    const flush = async () => {
      await bulk.exec('begin');
      await bulk.insert('instances', instances);
      await bulk.insert('tasks', taskRows);
      await bulk.exec('commit');
      instances = [];
      taskRows = [];
    };
    for (let k = 0; k < INSTANCES; k++) {
      const { unit, defs: ds } = eligible[k % eligible.length]!;
      const round = Math.floor(k / eligible.length);
      const def = ds[(round + k) % ds.length]!;
      const stages = stagesOf.get(def.id)!;
      const stage = stages[Math.floor(rng() * stages.length)]!;
      const roll = rng();
      const status = roll < 0.8 ? 'running' : roll < 0.95 ? 'done' : 'cancelled';
      const dueDay = dueDayOf(`${round}/${def.id}/${stage.id}`);
      const dueAt = status === 'running' && dueDay !== undefined ? endOfDay(addDays(localDateOf(now), dueDay)) : null;
      if (status === 'running') running++;
      const createdAt = now - Math.floor(rng() * 300) * 86_400_000;
      const id = ids[k]!;
      const snap = snapshots.get(def.id);
      instances.push({
        id,
        definition_id: def.id,
        definition_version: def.version,
        xstate_version: '5.33.3',
        org_unit_id: unit.id,
        unit_path: unit.path,
        campaign_id: campaigns[round]!.id,
        status,
        snapshot: snap?.snapshot ?? JSON.stringify({ status: 'active', value: stage.id, context: {} }),
        rev: 1 + Math.floor(rng() * 12),
        stages: JSON.stringify(status === 'running' ? [stage.id] : []),
        stage_entries: snap?.entries ?? JSON.stringify({ entries: {}, seq: 1 }),
        entered_at: createdAt,
        due_at: dueAt,
        created_at: createdAt,
        updated_at: createdAt,
      });
      const taskIds = stage.tasks.length ? stage.tasks.map((t) => t.id) : ['task'];
      for (let j = 0; j < TASKS_PER_INSTANCE; j++) {
        const seq = 1 + Math.floor(j / taskIds.length);
        const open = status === 'running' && j < 2;
        taskRows.push({
          id: `${id}.${stage.id}.${seq}.${taskIds[j % taskIds.length]}`,
          instance_id: id,
          stage: stage.id,
          stage_seq: seq,
          task: taskIds[j % taskIds.length],
          owner_role: 'school',
          owner_unit_id: unit.id,
          owner_unit_path: unit.path,
          status: open ? 'open' : status === 'cancelled' ? 'closed' : 'done',
          data: open ? null : '{"note":"đã hoàn thành"}',
          completed_by: open ? null : 'bench',
          completed_at: open ? null : createdAt + 86_400_000,
          opened_at: createdAt,
          due_at: dueAt,
        });
        tasks++;
      }
      if (instances.length >= 10_000) await flush();
    }
    await flush();
  });
  return { instances: INSTANCES, running, tasks, campaigns: campaigns.length };
}
