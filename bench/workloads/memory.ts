// Memory: the peak RSS of a process running the engine over 10,000 and over 250,000 instances
// (--quick: 10,000 / 50,000), each size in a child process of its own so the peaks stay apart.
// For each size, one child fills a fresh SQLite file with running instances of the general-school
// accreditation (rows cloned from instances the engine really started: instance, history, tasks,
// timers; batched inserts); then the child that is measured opens that store and runs the engine
// over it: a few thousand commands spread across all the instances, then a batch of their timers
// fired. Instances must not live in memory, so its peak should hardly move with their number.
// Loading is a process of its own so that what it costs (a big page cache, the rows it builds) is
// not counted against the engine.
//
// The figures are the kernel's peak (process.resourceUsage().maxRSS) of the measured child's whole
// life; the notes add its RSS once the store was open, its V8 heap, and the loading child's peak.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { defaultProcessDir } from '../../adapters/files/definitions.ts';
import { openRuntime } from '../../adapters/runtime.ts';
import { instantAt } from '../../engine/calendar/time.ts';
import { ManualClock } from '../../engine/ports.ts';
import type { Engine } from '../../engine/service/engine.ts';
import { emit, figure, log, maxRss, MiB, parseArgs, sampleRss, seededRandom, timer } from '../lib/measure.ts';
import { scaledProvince } from '../lib/province.ts';
import { insertRows, withoutSecondaryIndexes } from '../lib/rows.ts';

const PROCESS = 'accreditation-general-school';
const args = parseArgs();
/** Commands sent, timers fired (fewer in --quick: the peak, not the rate, is measured). */
const COMMANDS = args.quick ? 1_000 : 3_000;
const TIMERS = args.quick ? 500 : 1_000;
/** Tasks of the first stage that take no form: completed by the commands. */
const PLAIN_TASKS = ['sa_plan', 'collect_evidence', 'sa_report', 'publish_report'];
const START = instantAt('2026-03-02', 8);

interface RunReport {
  instances: number;
  maxRssMb: number;
  enginePeakMb: number;
  beforeEngineMb: number;
  heapUsedMb: number;
  engineS: number;
  commands: number;
  timersFired: number;
}

interface SetupReport {
  maxRssMb: number;
  setupS: number;
}

if (args.options.setup) {
  process.stdout.write(`${JSON.stringify(await setup(Number(args.options.setup), args.options.file!))}\n`);
} else if (args.options.run) {
  process.stdout.write(`${JSON.stringify(await run(Number(args.options.run), args.options.file!))}\n`);
} else {
  const small = 10_000;
  const large = args.quick ? 50_000 : 250_000;
  const dir = mkdtempSync(join(tmpdir(), 'tiendo-bench-'));
  try {
    const [a, b] = [await measure(small, dir), await measure(large, dir)];
    const ratio = b.maxRssMb / a.maxRssMb;
    const describe = (r: RunReport & { setup: SetupReport }) =>
      `${r.instances} instances: peak ${r.maxRssMb.toFixed(0)} MB, ${r.beforeEngineMb.toFixed(0)} MB once the store was open, V8 heap ${r.heapUsedMb.toFixed(0)} MB after ${r.commands} commands and ${r.timersFired} timers (${r.engineS.toFixed(1)} s); loading the store (another process) ${r.setup.setupS.toFixed(0)} s, peak ${r.setup.maxRssMb.toFixed(0)} MB`;
    const largeName = large === 250_000 ? 'rss_250k_mb' : `rss_${large / 1000}k_mb`;
    emit({
      rss_10k_mb: figure(a.maxRssMb, 'MB', { note: describe(a) }),
      [largeName]: figure(b.maxRssMb, 'MB', { note: describe(b) }),
      rss_250k_vs_10k: figure(ratio, 'ratio', {
        target: '≤ 1.3',
        note: `${large.toLocaleString('en-US')} vs 10,000 instances${large !== 250_000 ? ' (--quick)' : ''}`,
      }),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Loads a store of `instances` in one child, then runs the engine over it in another (the one measured). */
async function measure(instances: number, dir: string): Promise<RunReport & { setup: SetupReport }> {
  const file = join(dir, `memory-${instances}.sqlite`);
  const setupReport = await runChild<SetupReport>(['--setup', String(instances), '--file', file]);
  const runReport = await runChild<RunReport>(['--run', String(instances), '--file', file]);
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  return { ...runReport, setup: setupReport };
}

function runChild<T>(childArgs: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...childArgs, ...(args.quick ? ['--quick'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`child ${childArgs.join(' ')} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
    });
  });
}

/** A fresh store at `file` with `instances` running instances (and the units, the process). */
async function setup(instances: number, file: string): Promise<SetupReport> {
  const elapsed = timer();
  const rt = await openRuntime({ sqliteFile: file, clock: new ManualClock(START) });
  try {
    const units = await rt.engine.addUnits(scaledProvince(1_000));
    const path = join(defaultProcessDir(), `${PROCESS}.yaml`);
    await rt.engine.catalog.publish(readFileSync(path, 'utf8'), path, 'bench');
    const compiled = await rt.engine.catalog.get(PROCESS);
    const targets = units.filter((u) => (compiled.appliesTo as string[]).includes(u.kind));
    // Loading only: a big page cache, no journal, no syncs (the measured child opens it as production does).
    await rt.db.raw('pragma cache_size = -2097152');
    await rt.db.raw('pragma journal_mode = off');
    await rt.db.raw('pragma synchronous = off');
    await withoutSecondaryIndexes(rt.db, ['instances', 'history', 'tasks', 'timers'], () => fill(rt.db, rt.engine, targets, instances, START));
    await rt.db.raw('pragma journal_mode = wal');
    log(`${instances} instances on ${targets.length} schools loaded in ${(elapsed() / 1000).toFixed(1)} s`);
  } finally {
    await rt.close();
  }
  return { maxRssMb: maxRss() / MiB, setupS: elapsed() / 1000 };
}

/** The engine over the store: commands spread across all its instances, then a batch of timers. */
async function run(instances: number, file: string): Promise<RunReport> {
  const clock = new ManualClock(START + 3_600_000);
  const rt = await openRuntime({ sqliteFile: file, clock });
  try {
    const total = Number((await rt.db('instances').count({ n: '*' }))[0]!.n);
    if (total < instances) throw new Error(`the store has ${total} instances, not ${instances}`);
    // Instances are picked by rowid (1…n, in the order written): no list of ids held in memory.
    const idAt = async (rowid: number): Promise<string> => (await rt.db('instances').whereRaw('rowid = ?', [rowid]).first('id')).id;
    const beforeEngineMb = process.memoryUsage.rss() / MiB;
    const sampler = sampleRss(20);
    const engine = timer();
    const rng = seededRandom(instances);
    const picked = new Set<number>();
    while (picked.size < Math.min(COMMANDS, total)) picked.add(1 + Math.floor(rng() * total));
    let commands = 0;
    for (const rowid of picked) {
      const id = await idAt(rowid);
      if (commands % 4 === 3) await rt.engine.checkEvidence(id, 'evidence_list', true, { actor: 'bench' });
      else await rt.engine.completeTask(id, PLAIN_TASKS[commands % PLAIN_TASKS.length]!, {}, { actor: 'bench' });
      commands++;
    }
    // The reminders of a batch of instances, spread across all of them, come due and fire.
    const reminders: { id: string; fire_at: number }[] = [];
    const step = Math.max(1, Math.floor(total / TIMERS));
    for (let rowid = 1; rowid <= total && reminders.length < TIMERS; rowid += step) {
      reminders.push(
        ...(await rt
          .db('timers')
          .where({ instance_id: await idAt(rowid), status: 'pending', kind: 'reminder' })
          .select('id', 'fire_at')),
      );
    }
    clock.set(Math.max(...reminders.map((r) => Number(r.fire_at))));
    let timersFired = 0;
    for (const r of reminders) if ((await rt.engine.fireTimer(r.id)) === 'fired') timersFired++;
    const engineS = engine() / 1000;
    const enginePeakMb = sampler.stop() / MiB;
    if (timersFired < reminders.length * 0.9) throw new Error(`only ${timersFired} of ${reminders.length} timers fired`);
    log(
      `${instances} instances: ${commands} commands and ${timersFired} timers in ${engineS.toFixed(1)} s; rss ${beforeEngineMb.toFixed(0)} → peak ${enginePeakMb.toFixed(0)} MB, maxRSS ${(maxRss() / MiB).toFixed(0)} MB`,
    );
    return {
      instances,
      maxRssMb: maxRss() / MiB,
      enginePeakMb,
      beforeEngineMb,
      heapUsedMb: process.memoryUsage().heapUsed / MiB,
      engineS,
      commands,
      timersFired,
    };
  } finally {
    await rt.close();
  }
}

/**
 * Starts one instance per kind of school through the engine; copies its rows (instance, history,
 * tasks, timers) once onto every school (round 0, campaign bench-0); then SQLite copies round 0
 * into rounds 1, 2… (campaigns bench-1, bench-2…) until there are `n` instances. An instance's id
 * is a random UUID whose first 8 hex digits are its round, and the task and timer ids, which begin
 * with it, follow: each round's rows land at the end of their B-trees, without a row going through
 * JavaScript.
 */
async function fill(db: Knex, engine: Engine, targets: { id: string; kind: string; path: string }[], n: number, at: number): Promise<void> {
  const templates = new Map<string, { instance: Row; history: Row[]; tasks: Row[]; timers: Row[] }>();
  for (const kind of new Set(targets.map((t) => t.kind))) {
    const unit = targets.find((t) => t.kind === kind)!;
    const { id } = await engine.start({ definitionId: PROCESS, orgUnitId: unit.id }, { actor: 'bench' });
    templates.set(kind, {
      instance: await db('instances').where({ id }).first(),
      history: await db('history').where({ instance_id: id }).select('instance_id', 'rev', 'at', 'actor', 'event_type', 'payload', 'from_stages', 'to_stages'),
      tasks: await db('tasks').where({ instance_id: id }),
      timers: await db('timers').where({ instance_id: id }),
    });
  }
  const perRound = targets.length;
  const rounds = Math.ceil(n / perRound);
  const campaigns = Array.from({ length: rounds }, (_, r) => ({
    id: `bench-${r}`,
    definition_id: PROCESS,
    definition_version: 1,
    root_unit_id: targets[0]!.path.split('/')[1]!,
    kinds: '[]',
    status: 'done',
    total: 0,
    started: 0,
    created_at: at,
  }));
  await insertRows(db, 'campaigns', campaigns, 100);

  // Round 0: every school gets a copy of its kind's instance.
  const round0 = { instances: [] as Row[], history: [] as Row[], tasks: [] as Row[], timers: [] as Row[] };
  targets.forEach((unit, k) => {
    const t = templates.get(unit.kind)!;
    const id = `00000000${randomUUID().slice(8)}`;
    const from = t.instance.id as string;
    const own = (r: Row) => ({ ...r, id: typeof r.id === 'string' ? r.id.replace(from, id) : r.id, instance_id: id });
    round0.instances.push({
      ...t.instance,
      id,
      org_unit_id: unit.id,
      unit_path: unit.path,
      campaign_id: 'bench-0',
      created_at: (t.instance.created_at as number) + k,
    });
    round0.history.push(...t.history.map((h) => ({ ...h, instance_id: id })));
    round0.tasks.push(...t.tasks.map((x) => ({ ...own(x), owner_unit_id: unit.id, owner_unit_path: unit.path })));
    round0.timers.push(...t.timers.map(own));
  });
  await db.transaction(async (trx) => {
    for (const t of ['instances', 'history', 'tasks', 'timers'] as const) await insertRows(trx, t, round0[t]);
  });

  // Rounds 1…: copies of round 0 made by SQLite, the last one cut to make n. Round 0 is read from
  // temporary tables of its own (the big tables have no secondary index while loading).
  await db.raw(`create temp table r0_instances as select * from instances where campaign_id = 'bench-0' order by id`);
  for (const t of ['history', 'tasks', 'timers'])
    await db.raw(`create temp table r0_${t} as select * from "${t}" where instance_id in (select id from r0_instances)`);
  const columns = async (table: string) => ((await db.raw(`pragma main.table_info("${table}")`)) as { name: string }[]).map((c) => c.name);
  const copy = async (table: string, rewrite: Record<string, string>, from: string) => {
    const cols = (await columns(table)).filter((c) => !(table === 'history' && c === 'id'));
    const select = cols.map((c) => rewrite[c] ?? `"${c}"`).join(', ');
    return `insert into main."${table}" (${cols.map((c) => `"${c}"`).join(', ')}) select ${select} ${from}`;
  };
  const reid = (col: string) => `printf('%08x', :round) || substr("${col}", 9)`;
  const firstOfRound = `(select id from r0_instances order by id limit :count)`;
  const statements = [
    await copy('instances', { id: reid('id'), campaign_id: `'bench-' || :round` }, `from r0_instances order by id limit :count`),
    await copy('history', { instance_id: reid('instance_id') }, `from r0_history where instance_id in ${firstOfRound}`),
    await copy('tasks', { id: reid('id'), instance_id: reid('instance_id') }, `from r0_tasks where instance_id in ${firstOfRound}`),
    await copy('timers', { id: reid('id'), instance_id: reid('instance_id') }, `from r0_timers where instance_id in ${firstOfRound}`),
  ];
  for (let round = 1; round < rounds; round++) {
    const count = Math.min(perRound, n - round * perRound);
    await db.transaction(async (trx) => {
      for (const sql of statements) await trx.raw(sql, { round, count });
    });
  }
  for (const t of ['instances', 'history', 'tasks', 'timers']) await db.raw(`drop table temp.r0_${t}`);
}

type Row = Record<string, any>;
