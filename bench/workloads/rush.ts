// The deadline-day rush (issue 17), over HTTP: a province of 1,500 schools (--quick: 300) on a fresh
// embedded SQLite store behind the real server, started in this process as `npm start` runs it
// (API + workers), each school with one open instance of a small reporting process and one staff
// account signed in through POST /api/v1/session (cookie + CSRF token kept, as the browser keeps
// them). Then 64 client loops, each taking the next school and doing what its staff does on the UI:
//   GET  /api/v1/tasks/mine?limit=50        "Việc của tôi" (ui/src/pages/tasks.ts)
//   GET  /api/v1/tasks/:id                   the task page (ui/src/pages/task.ts)
//   POST /api/v1/tasks/:id/complete          its form's data, validated by the server
//   POST /api/v1/instances/:id/events        the stage's event (SUBMIT)
// with the cookie on each and the CSRF token + an Idempotency-Key on each write, as ui/src/api.ts
// sends them; every answer checked (2xx and the state it should carry). Beside it, in the same run
// and taking turns with it, the same two commands (complete + SUBMIT) sent to the engine in-process
// by 64 loops on other schools of the same store; and the rush again while 200 supervisors (at the
// Sở and the Phòng) poll GET /api/v1/board. Then, where PostgreSQL and Redis answer, the rush on
// two API processes and one worker process (`tiendo serve` ×2, `tiendo worker`) sharing one
// PostgreSQL schema and a BullMQ queue.
//
// The process: a bench one (SOURCE below), not one of the library's. The library's school stages
// have several tasks each (public-disclosure's drafting: two, with no form), so "open the task,
// complete it with its form, send the event" would be two completions before the event, or a
// completion of a form-less task; SOURCE's stage has the shape the issue asks for: one task whose
// form has numbers, an enum with its titles (enumTitles) and a text, then SUBMIT (allowed when the
// stage's tasks are done) to a final stage.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { startApp, type App } from '../../adapters/app.ts';
import { hashPassword } from '../../adapters/http/auth.ts';
import { KnexAccounts } from '../../adapters/store/account-store.ts';
import type { OrgUnit } from '../../engine/domain.ts';
import type { Engine } from '../../engine/service/engine.ts';
import { HttpClient, type Session } from '../lib/http-client.ts';
import { CLIENTS, ClientThread, cpuMsSince, EVENT, FORM, ROUTES, rush, TASK, type Latencies, type RushResult } from '../lib/rush-clients.ts';
import {
  emit,
  figure,
  log,
  parseArgs,
  percentile,
  pgReachable,
  POSTGRES_URL,
  redisReachable,
  seededRandom,
  REDIS_URL,
  skipped,
  summarize,
  timer,
  openPgRuntime,
  type Figures,
  pool,
} from '../lib/measure.ts';
import { describePackages, describeProfile, profileLines, profileWhile, summarizeProfile } from '../lib/profile.ts';
import { isSchool, scaledProvince } from '../lib/province.ts';
import { traceSqlite } from '../lib/sqlite-trace.ts';

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const PROCESS = 'bench-rush-report';
const PASSWORD = 'bench-password-rush';
const SCHOOL_KINDS = ['preschool', 'primary', 'lower-secondary', 'upper-secondary', 'multi-level', 'continuing-education'];

const SOURCE = `# yaml-language-server: $schema=../engine/definition/schema.json
id: ${PROCESS}
version: 1
title: { vi: Báo cáo số liệu đầu năm học (benchmark), en: Start-of-year figures (benchmark) }
legalBasis: [benchmark]
appliesTo: [${SCHOOL_KINDS.join(', ')}]
calendar: vn-government
events:
  SUBMIT: { title: { vi: Gửi báo cáo, en: Send the report } }
initial: report
stages:
  report:
    title: { vi: Nhập và gửi số liệu, en: Enter and send the figures }
    owner: school
    due: { days: 2 }
    tasks:
      - id: ${TASK}
        title: { vi: Số liệu đầu năm học, en: Start-of-year figures }
        form:
          properties:
            students: { type: integer, minimum: 0, maximum: 100000, title: { vi: Số học sinh, en: Students } }
            teachers: { type: integer, minimum: 0, maximum: 10000, title: { vi: Số giáo viên, en: Teachers } }
            facilities:
              type: string
              enum: [adequate, partial, lacking]
              enumTitles: { adequate: { vi: Đủ, en: Adequate }, partial: { vi: Thiếu một phần, en: Partial }, lacking: { vi: Thiếu, en: Lacking } }
              title: { vi: Cơ sở vật chất, en: Facilities }
            note: { type: string, maxLength: 2000, title: { vi: Ghi chú, en: Note } }
          required: [students, teachers, facilities]
    escalate:
      - { at: { days: 0 }, kind: overdue, notify: [owner] }
    on:
      ${EVENT}: { target: sent, when: { tasksDone: all } }
  sent:
    title: { vi: Đã gửi, en: Sent }
    type: final
`;

const { quick, options } = parseArgs();
const SCHOOLS = Number(options.schools ?? (quick ? 300 : 1_500));
const SUPERVISORS = Number(options.supervisors ?? 200);
/** Rounds of (rush alone, engine, rush watched), the order turned round every other round. */
const ROUNDS = Number(options.rounds ?? (quick ? 1 : 2));
/** Schools kept for the profile and the statement trace, after the measured phases. */
const DIAGNOSE = Number(options.diagnose ?? (quick ? 40 : 100));
const PG_SCHOOLS = Number(options['pg-schools'] ?? (quick ? 200 : 800));
const POLL_S = options['poll-s'] ? Number(options['poll-s']) : undefined;

// ---------------------------------------------------------------------------------------------
// Setup

interface School {
  unitId: string;
  login: string;
  instanceId: string;
  index: number;
  session?: Session;
}

/** The province, the process, one instance per school (64 loops of engine.start), one staff account
 * per school and the supervisors (at the Sở and round the Phòng). */
async function populate(
  engine: Engine,
  accounts: App['accounts'],
  schools: number,
  supervisors: number,
): Promise<{ schools: School[]; supervisors: string[]; units: OrgUnit[] }> {
  await engine.catalog.publish(SOURCE, `${PROCESS}.yaml`, 'bench');
  const inputs = scaledProvince(schools);
  const units: OrgUnit[] = [];
  for (let i = 0; i < inputs.length; i += 5_000) units.push(...(await engine.addUnits(inputs.slice(i, i + 5_000))));
  const schoolUnits = units.filter((u) => isSchool(u) && SCHOOL_KINDS.includes(u.kind));
  const out: School[] = schoolUnits.map((u, index) => ({ unitId: u.id, login: `truong${index}`, instanceId: '', index }));
  const elapsed = timer();
  await pool(out, 64, async (s) => {
    s.instanceId = (await engine.start({ definitionId: PROCESS, orgUnitId: s.unitId }, { actor: 'bench' })).id;
  });
  log(`  ${out.length} instances started in ${(elapsed() / 1000).toFixed(1)} s`);
  const passwordHash = await hashPassword(PASSWORD, 4);
  const now = Date.now();
  const users = out.map((s) => ({
    user: { id: `u-${s.login}`, login: s.login, name: `Cán bộ ${s.login}`, email: `${s.login}@bench.vn`, passwordHash, createdAt: now },
    grants: [{ role: 'staff' as const, unitId: s.unitId }],
  }));
  // Supervisors as a province has them: a tenth at the Sở, the rest spread over the Phòng.
  const department = units.find((u) => u.kind === 'department')!;
  const offices = units.filter((u) => u.kind === 'district-office');
  const supervisorLogins: string[] = [];
  for (let k = 0; k < supervisors; k++) {
    const unit = k % 10 === 0 || !offices.length ? department : offices[k % offices.length]!;
    const login = `giamsat${k}`;
    supervisorLogins.push(login);
    users.push({
      user: { id: `u-${login}`, login, name: `Giám sát ${k}`, email: `${login}@bench.vn`, passwordHash, createdAt: now },
      grants: [{ role: 'supervisor' as const, unitId: unit.id }],
    });
  }
  for (let i = 0; i < users.length; i += 500) await accounts.createUsers(users.slice(i, i + 500), []);
  return { schools: out, supervisors: supervisorLogins, units };
}

async function signInAll(client: HttpClient, schools: School[], supervisors: string[]): Promise<Session[]> {
  await pool(schools, 16, async (s) => {
    s.session = await client.signIn(s.login, PASSWORD);
  });
  const sessions: Session[] = new Array(supervisors.length);
  await pool(supervisors, 16, async (login, i) => {
    sessions[i] = await client.signIn(login, PASSWORD);
  });
  return sessions;
}

// ---------------------------------------------------------------------------------------------
// The rush

/** The same two commands per school, in-process: the engine's completeTask and send, 64 loops. */
async function engineRush(engine: Engine, schools: School[]): Promise<{ schools: number; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const elapsed = timer();
  await pool(schools, CLIENTS, async (s) => {
    const a = await engine.completeTask(s.instanceId, TASK, FORM(s.index), { actor: s.login });
    if (a.status !== 'running') throw new Error(`engine completeTask on ${s.instanceId}: ${JSON.stringify(a)}`);
    const b = await engine.send(s.instanceId, { type: EVENT }, { actor: s.login });
    if (b.status !== 'done') throw new Error(`engine send ${EVENT} on ${s.instanceId}: ${JSON.stringify(b)}`);
  });
  return { schools: schools.length, ms: elapsed(), cpuMs: cpuMsSince(cpu) };
}

async function assertDone(db: Knex, schools: School[], label: string): Promise<void> {
  const ids = schools.map((s) => s.instanceId);
  let done = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const [row] = (await db('instances')
      .whereIn('id', ids.slice(i, i + 500))
      .where({ status: 'done' })
      .count({ n: '*' })) as { n: number | string }[];
    done += Number(row!.n);
  }
  if (done !== ids.length) throw new Error(`${label}: ${done} of ${ids.length} instances are done`);
}

const merge = (rs: RushResult[]): Latencies => Object.fromEntries(ROUTES.map((r) => [r, rs.flatMap((x) => x.latencies[r])])) as Latencies;
const all = (l: Latencies) => ROUTES.flatMap((r) => l[r]);
const cpuPerVisit = (rs: { schools: number; cpuMs: number }[]) => rs.reduce((a, r) => a + r.cpuMs, 0) / rs.reduce((a, r) => a + r.schools, 0);
const perS = (rs: { schools: number; ms: number }[], perSchool: number) =>
  (rs.reduce((a, r) => a + r.schools, 0) * perSchool) / (rs.reduce((a, r) => a + r.ms, 0) / 1000);

// ---------------------------------------------------------------------------------------------
// SQLite, in-process

const figures: Figures = {};
const dir = mkdtempSync(join(tmpdir(), 'tiendo-bench-'));
const app = await startApp({
  sqliteFile: join(dir, 'rush.sqlite'),
  port: 0,
  ui: false,
  demo: false,
  bcryptCost: 4,
  log: () => undefined,
});
try {
  const { engine, db } = app.runtime;
  log(`rush on SQLite (${dir}): ${SCHOOLS} schools, ${SUPERVISORS} supervisors; API and workers in this process`);
  const setup = timer();
  const province = await populate(engine, app.accounts, SCHOOLS, SUPERVISORS);
  const client = new HttpClient(app.url!, 16);
  const watchers = await signInAll(client, province.schools, province.supervisors);
  client.close();
  // The client loops in a worker thread: this thread serves, as a server whose browsers are elsewhere.
  const clients = new ClientThread();
  const url = app.url!;
  log(
    `setup (not measured): ${province.units.length} units, ${province.schools.length} instances and accounts, all signed in, in ${(setup() / 1000).toFixed(1)} s`,
  );

  // The schools in slices: ROUNDS × (alone, engine, watched), then the diagnosis's.
  const measured = province.schools.length - DIAGNOSE;
  const per = Math.floor(measured / (ROUNDS * 3));
  if (per < CLIENTS) throw new Error(`${per} schools per phase: fewer than the ${CLIENTS} clients; give more --schools or fewer --rounds`);
  const slices = Array.from({ length: ROUNDS * 3 }, (_, k) => province.schools.slice(k * per, (k + 1) * per));
  const diagnose = province.schools.slice(ROUNDS * 3 * per);
  const alone: RushResult[] = [];
  const watched: RushResult[] = [];
  const engineSide: { schools: number; ms: number; cpuMs: number }[] = [];
  const boardLat: number[] = [];
  const pollEvery: number[] = [];
  // Warm-up (untimed): a few schools of the diagnosis slice through both paths.
  const warm = diagnose.splice(0, Math.min(16, Math.floor(diagnose.length / 3)));
  await clients.rush([url], warm.slice(0, warm.length / 2));
  await engineRush(engine, warm.slice(warm.length / 2));
  for (let round = 0; round < ROUNDS; round++) {
    const [a, e, w] = [slices[round * 3]!, slices[round * 3 + 1]!, slices[round * 3 + 2]!];
    const order: ('alone' | 'engine' | 'watched')[] = round % 2 === 0 ? ['alone', 'engine', 'watched'] : ['watched', 'engine', 'alone'];
    for (const phase of order) {
      if (phase === 'engine') {
        const r = await engineRush(engine, e);
        engineSide.push(r);
        await assertDone(db, e, 'engine');
        log(
          `round ${round + 1} engine: ${e.length} schools × 2 commands in ${(r.ms / 1000).toFixed(2)} s = ${((e.length * 2) / (r.ms / 1000)).toFixed(0)}/s; CPU ${(r.cpuMs / e.length).toFixed(1)} ms per school`,
        );
      } else if (phase === 'alone') {
        const r = await clients.rush([url], a);
        alone.push(r);
        await assertDone(db, a, 'rush');
        log(`round ${round + 1} rush alone: ${describeRush(r)}`);
      } else {
        // Each supervisor polls every 30 s (--poll-s), their first polls spread over the first
        // interval: 200 people make 6.7 polls/s, the load the target is about. A phase lasts seconds,
        // so most supervisors poll once or not at all in it; a shorter interval would multiply the
        // rate (each polling twice in a 3 s phase: 130 polls/s, twenty times what 200 people make).
        const every = (POLL_S ?? 30) * 1000;
        pollEvery.push(every);
        await clients.watch(url, watchers, every, 17 + round);
        const r = await clients.rush([url], w);
        boardLat.push(...(await clients.unwatch()));
        watched.push(r);
        await assertDone(db, w, 'rush watched');
        log(`round ${round + 1} rush watched (polls every ${(every / 1000).toFixed(1)} s): ${describeRush(r)}`);
      }
    }
  }

  const lat = merge(alone);
  const watchedLat = merge(watched);
  const httpPerS = perS(alone, 2);
  const enginePerS = perS(engineSide, 2);
  const requestsPerS = perS(alone, 4);
  const p95Alone = percentile(all(lat), 95);
  const p95Watched = percentile(all(watchedLat), 95);
  const watchRatio = p95Watched / p95Alone;
  const board = summarize(boardLat);
  const watchMs = watched.reduce((a, r) => a + r.ms, 0);
  const completeP95 = percentile(lat.complete, 95);
  const vsEngine = httpPerS / enginePerS;
  const httpCpu = cpuPerVisit(alone);
  const engineCpu = cpuPerVisit(engineSide);
  const cpuText = `CPU time of this process per school visit (user + system, all threads): ${httpCpu.toFixed(1)} ms over HTTP (server and the client loops) vs ${engineCpu.toFixed(1)} ms in-process (${(engineCpu / httpCpu).toFixed(2)}×, less moved by other processes' load than the wall-time ratio)`;

  // Where the time goes: the diagnosis slice, half under the CPU profiler, half with every
  // node-sqlite3 call timed.
  const half = Math.floor(diagnose.length / 2);
  const { profile } = await profileWhile(() => clients.rush([url], diagnose.slice(0, half)), 500);
  if (options['save-profile']) writeFileSync(options['save-profile'], JSON.stringify(profile));
  const summary = summarizeProfile(profile, 15);
  for (const line of profileLines(summary)) log(`  profile: ${line}`);
  const trace = traceSqlite();
  const traced = await clients.rush([url], diagnose.slice(half));
  const calls = trace.stop(diagnose.length - half);
  log(
    `  SQLite per school visit (4 requests): ${calls.callsPerEvent.toFixed(1)} calls, ${calls.statementsPerEvent.toFixed(1)} statements, ${calls.msPerEvent.toFixed(1)} ms`,
  );
  for (const t of calls.top.slice(0, 8)) log(`    ${t.perEvent.toFixed(2)}× ${t.msPerEvent.toFixed(2)} ms  ${t.sql.slice(0, 160)}`);
  const wallPerVisit = traced.ms / traced.schools;
  const idleShare = summary.idleMs / summary.totalMs;
  const why = `The server's thread was ${(idleShare * 100).toFixed(0)}% idle in the profiled slice (the client loops run in a worker thread): it waits on the one SQLite connection, whose calls took ${calls.msPerEvent.toFixed(1)} ms from call to callback per school visit against ${wallPerVisit.toFixed(1)} ms of wall time per visit (${(calls.msPerEvent / wallPerVisit).toFixed(1)}×${calls.msPerEvent / wallPerVisit >= 0.8 ? ': the connection is hardly ever free' : ''}; each call is a hop to SQLite's thread and back, dearest on a loaded machine). Per school visit the HTTP side makes ${calls.callsPerEvent.toFixed(1)} node-sqlite3 calls (${calls.statementsPerEvent.toFixed(1)} statements) on the one SQLite connection — authentication, the two pages' reads, the idempotency checks, the authorization reads before each command — where the engine side makes about one per command, its writes group-committed; most: ${calls.top
    .slice(0, 3)
    .map((t) => `${t.sql.slice(0, 80)} ${t.perEvent.toFixed(1)}×/${t.msPerEvent.toFixed(1)} ms`)
    .join(
      '; ',
    )}. CPU ${describeProfile(summary, 5)}; by package: ${describePackages(summary, 5)} ("Backup" is node-sqlite3's native Database.all, run on the main thread for each call; idle = waiting on SQLite's thread)`;
  await clients.close();

  const shape = `${province.schools.length} schools (${province.units.length} units), one instance and one staff account each, on one SQLite file (WAL) behind the real server in this process (API + workers, as npm start); ${CLIENTS} client loops over keep-alive HTTP (node:http Agent) in a worker thread of this process (the server's thread serves only; the CPU time per visit below counts both threads)`;
  const phases = `${ROUNDS} round(s) of (rush alone, engine in-process, rush watched) on ${per} schools each, the order turned round every other round`;
  figures.rush_requests_per_s = figure(requestsPerS, 'req/s', {
    note: `the 4 requests of each school visit (GET my work, GET the task, POST complete, POST ${EVENT}) ÷ the wall time of the unwatched rush phases, ${alone.reduce((a, r) => a + r.schools, 0)} visits; ${shape}; ${phases}`,
  });
  for (const route of ROUTES) {
    const s = summarize(lat[route]);
    const label = {
      my_work: 'GET /api/v1/tasks/mine?limit=50',
      task: 'GET /api/v1/tasks/:id',
      complete: 'POST /api/v1/tasks/:id/complete',
      event: `POST /api/v1/instances/:id/events (${EVENT})`,
    }[route];
    figures[`rush_${route}_p50_ms`] = figure(s.p50, 'ms', { note: `${label}, ${s.n} requests of the unwatched rush phases (64 concurrent loops)` });
    figures[`rush_${route}_p95_ms`] = figure(
      s.p95,
      'ms',
      route === 'complete'
        ? {
            target: '≤ 150',
            note: `${label}: p95 of ${s.n} completions${s.p95 > 150 ? `; missed by ${(s.p95 - 150).toFixed(0)} ms (${((s.p95 / 150 - 1) * 100).toFixed(0)}% over). ${closedLoop(requestsPerS)}. ${why}` : ''}`,
          }
        : {},
    );
    figures[`rush_${route}_p99_ms`] = figure(s.p99, 'ms');
  }
  figures.rush_events_per_s = figure(httpPerS, 'commands/s', {
    note: `completions + ${EVENT} events per second over HTTP: 2 per school visit ÷ the wall time of the unwatched rush phases, the 2 GETs of each visit included in that time`,
  });
  figures.rush_engine_events_per_s = figure(enginePerS, 'commands/s', {
    note: `the same two commands per school (engine.completeTask with the same form data, engine.send ${EVENT}), ${CLIENTS} concurrent loops in-process, no HTTP, no GETs, on ${engineSide.reduce((a, r) => a + r.schools, 0)} other schools of the same store, taking turns with the HTTP phases`,
  });
  figures.rush_events_vs_engine = figure(vsEngine, '×', {
    target: '≥ 0.6',
    ratio: vsEngine,
    note: `rush_events_per_s ÷ rush_engine_events_per_s. ${cpuText}${vsEngine < 0.6 ? `; missed by ${((1 - vsEngine / 0.6) * 100).toFixed(0)}%: ${why}` : ''}`,
  });
  figures.rush_p95_under_watch_ratio = figure(watchRatio, '×', {
    target: '≤ 1.2',
    note: `p95 of all 4 routes' requests in the watched phases (${percentile(all(watchedLat), 95).toFixed(0)} ms, ${all(watchedLat).length} requests) ÷ in the unwatched ones (${p95Alone.toFixed(0)} ms); ${SUPERVISORS} supervisors (a tenth at the Sở, the rest over the Phòng) polling GET /api/v1/board each every ${pollEvery.map((e) => (e / 1000).toFixed(1)).join('/')} s (${(boardLat.length / (watchMs / 1000)).toFixed(1)} polls/s over the ${(watchMs / 1000).toFixed(1)} s watched: the rate ${SUPERVISORS} people polling every 30 s make, their first polls spread over the first interval; phases of seconds, so each supervisor polled ${(boardLat.length / SUPERVISORS).toFixed(1)} times on average — kept at the real rate rather than each polling twice, which would multiply the rate)${watchRatio > 1.2 ? `; missed by ${((watchRatio / 1.2 - 1) * 100).toFixed(0)}%` : ''}`,
  });
  figures.rush_board_p95_ms = figure(board.p95, 'ms', {
    note: `the supervisors' GET /api/v1/board during the watched rush phases: ${board.n} polls, p50 ${board.p50.toFixed(0)} ms, p99 ${board.p99.toFixed(0)} ms`,
  });
  log(
    `rush SQLite: ${requestsPerS.toFixed(0)} req/s, complete p95 ${completeP95.toFixed(0)} ms, ${httpPerS.toFixed(0)} commands/s over HTTP vs ${enginePerS.toFixed(0)}/s in-process (${vsEngine.toFixed(2)}), p95 watched/alone ${p95Watched.toFixed(0)}/${p95Alone.toFixed(0)} ms (${watchRatio.toFixed(2)}), board p95 ${board.p95.toFixed(0)} ms over ${board.n} polls; ${cpuText}`,
  );
} finally {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL + Redis: two API processes and one worker process

/** `node bin/tiendo.js <command>` in its own process group, with its URL once it listens (API). */
async function spawnTiendo(command: 'serve' | 'worker', env: Record<string, string>): Promise<{ child: ChildProcess; url?: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/tiendo.js'), command], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-3000)));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`tiendo ${command} ${why}: ${err.slice(-1500)}`));
    const timeout = setTimeout(() => fail('did not start within 120 s'), 120_000);
    child.on('exit', (code) => (clearTimeout(timeout), fail(`exited (${code}) before it was ready`)));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const url = /Open (http:\/\/\S+)/.exec(out)?.[1];
      if ((command === 'serve' && url) || (command === 'worker' && /is running on/.test(out))) {
        clearTimeout(timeout);
        child.removeAllListeners('exit');
        resolve({ child, ...(url ? { url: url.replace(/\/$/, '') } : {}) });
      }
    });
  });
}

/** SIGTERM to the process group, SIGKILL after 10 s. */
async function stopTiendo(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    return;
  }
  const killer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 10_000);
  await exited;
  clearTimeout(killer);
}

async function pgRush(): Promise<void> {
  const setup = timer();
  const store = await openPgRuntime({ redis: true, clock: { now: () => Date.now() } });
  const { rt, schema } = store;
  const queueName = store.queueName!;
  const children: ChildProcess[] = [];
  const clients: HttpClient[] = [];
  try {
    const province = await populate(rt.engine, new KnexAccounts(rt.db), PG_SCHOOLS, 0);
    const env = {
      DATABASE_URL: POSTGRES_URL,
      TIENDO_PG_SCHEMA: schema,
      REDIS_URL,
      TIENDO_QUEUE_NAME: queueName,
      PORT: '0',
      HOST: '127.0.0.1',
      TIENDO_DEMO: '0',
      TIENDO_LOG_LEVEL: 'silent',
    };
    // Started together (each takes the start-up lock for migrations and the library in turn).
    const started = await Promise.allSettled([spawnTiendo('serve', env), spawnTiendo('serve', env), spawnTiendo('worker', env)]);
    for (const s of started) if (s.status === 'fulfilled') children.push(s.value.child);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const apis = started.slice(0, 2).map((s) => (s as PromiseFulfilledResult<{ url?: string }>).value.url!);
    for (const url of apis) clients.push(new HttpClient(url, CLIENTS / 2));
    // Half the schools sign in on each API process (sessions live in the shared store).
    await pool(province.schools, 16, async (s, i) => {
      s.session = await clients[i % 2]!.signIn(s.login, PASSWORD);
    });
    log(
      `PostgreSQL setup (not measured): schema ${schema}, ${province.schools.length} schools, 2 × tiendo serve (${apis.join(', ')}) + tiendo worker, BullMQ queue ${queueName}, in ${(setup() / 1000).toFixed(1)} s`,
    );
    const warm = province.schools.slice(0, 16);
    await rush(clients, warm);
    const rest = province.schools.slice(16);
    const r = await rush(clients, rest);
    await assertDone(rt.db, rest, 'PostgreSQL rush');
    log(`PostgreSQL rush: ${describeRush(r)}`);
    const a = all(r.latencies);
    const complete = summarize(r.latencies.complete);
    const where = `PostgreSQL (schema of its own) + Redis (BullMQ), 2 × \`tiendo serve\` and 1 × \`tiendo worker\` as child processes, the ${CLIENTS} client loops split over the two APIs (32 each, keep-alive); ${rest.length} school visits after ${warm.length} warm-ups, ${PG_SCHOOLS} schools in the province (sized to keep the workload's time)`;
    figures.rush_pg_requests_per_s = figure(a.length / (r.ms / 1000), 'req/s', {
      note: `the same 4 requests per school visit as rush_requests_per_s; ${where}; p50/p95/p99 of all requests ${percentile(a, 50).toFixed(0)}/${percentile(a, 95).toFixed(0)}/${percentile(a, 99).toFixed(0)} ms; my work p95 ${percentile(r.latencies.my_work, 95).toFixed(0)} ms, task ${percentile(r.latencies.task, 95).toFixed(0)} ms, event ${percentile(r.latencies.event, 95).toFixed(0)} ms`,
    });
    figures.rush_pg_complete_p95_ms = figure(complete.p95, 'ms', {
      target: '≤ 150',
      note: `POST /api/v1/tasks/:id/complete on PostgreSQL, ${complete.n} completions (p50 ${complete.p50.toFixed(0)} ms, p99 ${complete.p99.toFixed(0)} ms)${complete.p95 > 150 ? `; missed by ${(complete.p95 - 150).toFixed(0)} ms. ${closedLoop(a.length / (r.ms / 1000))} (not profiled: the servers are child processes)` : ''}`,
    });
    figures.rush_pg_events_per_s = figure((rest.length * 2) / (r.ms / 1000), 'commands/s', {
      note: `completions + ${EVENT} events per second over HTTP on PostgreSQL (2 per visit, the visit's 2 GETs in the time)`,
    });
  } finally {
    for (const c of clients) c.close();
    await Promise.all(children.map(stopTiendo));
    await store.close();
  }
}

if (options.pg === 'false' || options['no-pg'] === 'true') skipped('PostgreSQL part not asked for (--no-pg): the rush_pg_* figures are left out');
else if (!(await pgReachable())) skipped('PostgreSQL not reachable: the rush_pg_* figures are left out');
else if (!(await redisReachable())) skipped('Redis not reachable: the rush_pg_* figures (two APIs and a worker on BullMQ) are left out');
else {
  try {
    await pgRush();
  } catch (e) {
    log(`PostgreSQL rush FAILED: ${(e as Error).stack}`);
    process.exitCode = 1;
  }
}

/** Why a latency follows from the throughput: 64 loops that each wait for their answer keep 64
 * requests in the server, so each waits ≈ 64 ÷ (requests per second) (Little's law). */
function closedLoop(requestsPerS: number): string {
  return `${CLIENTS} loops each waiting for its answer keep ${CLIENTS} requests in the server: each takes ≈ ${CLIENTS} ÷ ${requestsPerS.toFixed(0)} req/s = ${((CLIENTS / requestsPerS) * 1000).toFixed(0)} ms on average (Little's law), so a p95 of 150 ms needs roughly ${((CLIENTS / 0.1) | 0).toLocaleString('en-US')} req/s (a mean near 100 ms), ${(CLIENTS / 0.1 / requestsPerS).toFixed(1)}× this throughput`;
}

function describeRush(r: RushResult): string {
  const a = all(r.latencies);
  return `${r.schools} schools, ${a.length} requests in ${(r.ms / 1000).toFixed(2)} s = ${(a.length / (r.ms / 1000)).toFixed(0)} req/s, CPU ${(r.cpuMs / r.schools).toFixed(1)} ms per school; p95 ${percentile(a, 95).toFixed(0)} ms (complete ${percentile(r.latencies.complete, 95).toFixed(0)} ms)`;
}

emit(figures);
