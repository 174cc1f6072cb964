// Fault (issue 6): a worker process dies with SIGKILL in the middle of a run. One `tiendo serve` and
// two `tiendo worker` processes on PostgreSQL (a schema of this test's own) and a Redis this test
// started; concurrent clients drive 200 drill instances through the API (task completions,
// evidence, SUBMIT, RETURN) while every SUBMIT makes three timers due at once, so the workers are
// always firing. One worker is killed mid-run and started again; later the other is stopped with
// SIGTERM (it must exit 0) and started again. Afterwards every accepted event is
// in the history exactly once, every instance's stored state is the replay of its history, every
// due timer has fired exactly once, and no job is left running, waiting or failed.
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { Queue as BullQueue } from 'bullmq';
import type { Runtime } from '../../adapters/runtime.ts';
import { POSTGRES_URL, requireService } from '../support/services.ts';
import { drillDir, expectExactlyOnce, expectReplayed, expectTimersSettled, Load, openProbe, seed, settle, tally, type Seeded } from './drill.ts';
import { freePort, RedisServer, requireProgram, TiendoProcess, waitFor, which } from './harness.ts';

// The 5,000 events: the three processes take about 115 a second on a quiet two-core machine
// (FAULT_EVENTS sets another count).
const EVENTS = Number(process.env.FAULT_EVENTS ?? 5_000);
const CLIENTS = 32;
const SCHOOLS = 200;

describe('Fault: a worker killed with SIGKILL mid-run (API + two workers on PostgreSQL + Redis)', function () {
  this.timeout(240_000);
  const schema = `fault_crash_${process.pid}_${Date.now()}`;
  let processDir = '';
  let redis: RedisServer | undefined;
  let probe: Runtime | undefined;
  let seeded: Seeded;
  const procs: TiendoProcess[] = [];
  let env: Record<string, string>;

  before(async function () {
    await requireService(this, 'PostgreSQL');
    const redisBin = requireProgram(this, 'redis-server', which('redis-server'));
    requireProgram(this, 'redis-cli', which('redis-cli'));
    redis = await RedisServer.start(redisBin);
    processDir = drillDir();
    seeded = await seed({ databaseUrl: POSTGRES_URL, pgSchema: schema, redisUrl: redis.url, processDir, schools: SCHOOLS });
    probe = await openProbe({ databaseUrl: POSTGRES_URL, pgSchema: schema, redisUrl: redis.url });
    env = { DATABASE_URL: POSTGRES_URL, TIENDO_PG_SCHEMA: schema, REDIS_URL: redis.url, TIENDO_PROCESS_DIR: processDir };
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    if (probe) {
      await probe.db.raw(`drop schema if exists "${schema}" cascade`);
      await probe.close();
    }
    await redis?.close();
    if (processDir) rmSync(processDir, { recursive: true, force: true });
  });

  it('applies every accepted event once and loses no timer when a worker is killed and restarted', async () => {
    const [api, w1, w2] = await Promise.all([
      freePort().then((port) => TiendoProcess.start('serve', 'api', { ...env, PORT: String(port) })),
      TiendoProcess.start('worker', 'worker-1', env),
      TiendoProcess.start('worker', 'worker-2', env),
    ]);
    procs.push(api, w1, w2);
    const load = new Load(api.url!, seeded.token, seeded.instanceIds);
    const started = Date.now();
    const running = load.run(CLIENTS, EVENTS);

    // Mid-run, while timers are firing on both workers: kill one outright.
    await waitFor('a quarter of the events', 120_000, () => load.sent.length >= EVENTS / 4);
    const firedBefore = Number(((await probe!.db('timers').where({ status: 'fired' }).count({ n: '*' }).first()) as { n: unknown }).n);
    expect(firedBefore, 'timers fired before the kill').to.be.greaterThan(0);
    const bull = new BullQueue(probe!.queueName, { connection: { url: redis!.url } });
    const sentAtKill = load.sent.length;
    const atKill = await bull.getJobCounts('active', 'waiting').finally(() => bull.close());
    await w1.stop('SIGKILL');
    expect(w1.exitCode, 'worker-1 died of the signal').to.equal(-1);
    const w1b = await TiendoProcess.start('worker', 'worker-1 again', env);
    procs.push(w1b);

    // Later, the other worker is stopped the polite way: it stops taking jobs, finishes the ones in
    // hand, closes its pools and exits 0 (within the 15 s before stop() would SIGKILL it).
    await waitFor('half the events', 120_000, () => load.sent.length >= EVENTS / 2);
    const sentAtTerm = load.sent.length;
    const termStarted = Date.now();
    await w2.stop('SIGTERM');
    const termMs = Date.now() - termStarted;
    expect(w2.exitCode, `worker-2 exits 0 on SIGTERM\n${w2.tail()}`).to.equal(0);
    expect(w2.output, 'worker-2 says it is finishing its work').to.match(/SIGTERM: finishing work in hand/);
    procs.push(await TiendoProcess.start('worker', 'worker-2 again', env));
    await running;
    const loadMs = Date.now() - started;

    // Jobs the dead worker held come back once their lock runs out (BullMQ's stalled check).
    await settle(probe!, redis!.url, 120_000);
    const settledMs = Date.now() - started;

    const bad = load.sent.filter((s) => s.status === 0 || s.status >= 500);
    expect(bad.length, `answers that were no answer or a 5xx: ${JSON.stringify(tally(bad))}\n${api.tail()}`).to.equal(0);
    expect(load.accepted.length, `accepted events (${JSON.stringify(tally(load.sent))})`).to.be.greaterThan(EVENTS / 3);
    await expectExactlyOnce(probe!.db, load.sent);
    await expectReplayed(probe!, seeded.instanceIds);
    const timers = await expectTimersSettled(probe!, redis!.url);
    expect(timers.fired, 'timers fired').to.be.greaterThan(firedBefore);
    console.log(
      `      crash: ${load.sent.length} events (${load.accepted.length} accepted) in ${(loadMs / 1000).toFixed(1)} s; killed after ${sentAtKill} events, with jobs in Redis ${JSON.stringify(atKill)}; the other worker stopped by SIGTERM after ${sentAtTerm} events, exit 0 in ${termMs} ms; settled ${(settledMs / 1000).toFixed(1)} s after the start; ${timers.fired} timers fired, ${timers.escalations} escalations, ${timers.pending} pending; answers ${JSON.stringify(tally(load.sent))}`,
    );
  });
});
