// Faults of Redis (issue 6), on a Redis server this test started on a port of its own (the shared one
// is never touched), with one `tiendo serve` and one `tiendo worker` process on PostgreSQL while
// clients keep driving drill instances (every SUBMIT makes three timers due at once):
// - an outage: Redis is shut down (saving its data) and started again 20 s later (four of the
//   worker's outbox sweeps). The API keeps accepting throughout (the changes wait in the outbox),
//   and every timer that came due meanwhile fires once Redis is back, once. The clients stop when
//   the outage ends, so no event of theirs can move an instance on before its held-back timers
//   fire: each held-back DUE must fire, and a rung may be stale only because its DUE fired first.
// - a data loss: Redis is killed and started empty while both processes run, with due jobs waiting in
//   it (the queue was paused). The worker notices the loss and rebuilds the queue from the store's
//   pending timers: every one is back in Redis, and every due one fires.
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { Queue as BullQueue } from 'bullmq';
import type { Runtime } from '../../adapters/runtime.ts';
import { POSTGRES_URL, requireService } from '../support/services.ts';
import {
  dueStillPending,
  drillDir,
  expectExactlyOnce,
  expectReplayed,
  expectTimersSettled,
  Load,
  openProbe,
  seed,
  settle,
  tally,
  type Seeded,
} from './drill.ts';
import { freePort, RedisServer, requireProgram, sleep, TiendoProcess, waitFor, which } from './harness.ts';

const OUTAGE_MS = 20_000;
const CLIENTS = 16;
const SCHOOLS = 100;

describe('Fault: Redis outage and Redis data loss (API + worker on PostgreSQL + a Redis of the test’s own)', function () {
  this.timeout(150_000);
  const schema = `fault_redis_${process.pid}_${Date.now()}`;
  let processDir = '';
  let redis: RedisServer | undefined;
  let probe: Runtime | undefined;
  let seeded: Seeded;
  let api: TiendoProcess | undefined;
  let worker: TiendoProcess | undefined;
  // Every event the clients of both tests sent: the history holds them all.
  const sent: Load['sent'] = [];

  before(async function () {
    this.timeout(180_000);
    await requireService(this, 'PostgreSQL');
    const redisBin = requireProgram(this, 'redis-server', which('redis-server'));
    requireProgram(this, 'redis-cli', which('redis-cli'));
    redis = await RedisServer.start(redisBin);
    processDir = drillDir();
    seeded = await seed({ databaseUrl: POSTGRES_URL, pgSchema: schema, redisUrl: redis.url, processDir, schools: SCHOOLS });
    probe = await openProbe({ databaseUrl: POSTGRES_URL, pgSchema: schema, redisUrl: redis.url });
    const env = { DATABASE_URL: POSTGRES_URL, TIENDO_PG_SCHEMA: schema, REDIS_URL: redis.url, TIENDO_PROCESS_DIR: processDir };
    const port = await freePort();
    [api, worker] = await Promise.all([TiendoProcess.start('serve', 'api', { ...env, PORT: String(port) }), TiendoProcess.start('worker', 'worker', env)]);
  });

  after(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    if (probe) {
      await probe.db.raw(`drop schema if exists "${schema}" cascade`);
      await probe.close().catch(() => undefined);
    }
    await redis?.close();
    if (processDir) rmSync(processDir, { recursive: true, force: true });
  });

  it(`keeps accepting while Redis is down ${OUTAGE_MS / 1000} s, and fires every timer that came due meanwhile, once`, async () => {
    const load = new Load(api!.url!, seeded.token, seeded.instanceIds);
    const running = load.run(CLIENTS, Infinity);
    const started = Date.now();
    await waitFor('the first accepted events', 60_000, () => load.accepted.length >= 50);

    await redis!.stop({ keepData: true });
    const down = Date.now();
    await sleep(OUTAGE_MS);
    load.stop();
    await running;
    // What the outage held back: timers due now and not fired (the workers could not take them).
    const heldBack = (await probe!.db('timers').where({ status: 'pending' }).andWhere('fire_at', '<=', Date.now()).pluck('id')) as string[];
    await redis!.start();
    const up = Date.now();
    await settle(probe!, redis!.url, 60_000);
    const settledMs = Date.now() - up;

    const during = load.sent.filter((s) => s.at >= down && s.at + s.ms <= up);
    const failed = load.sent.filter((s) => s.status === 0 || s.status >= 500);
    expect(failed.length, `5xx or no answer (${JSON.stringify(tally(failed))}) — the API must keep accepting while Redis is down\n${api!.tail()}`).to.equal(0);
    const acceptedDuring = during.filter((s) => s.status >= 200 && s.status < 300);
    expect(acceptedDuring.length, `events accepted during the outage (${JSON.stringify(tally(during))})`).to.be.greaterThan(0);
    expect(acceptedDuring.filter((s) => s.what === 'SUBMIT').length, 'SUBMITs accepted during the outage (each makes timers due)').to.be.greaterThan(0);
    expect(heldBack.length, 'timers that came due during the outage').to.be.greaterThan(0);

    // Each held-back timer ran once: fired (a ladder rung: its one escalation), or a rung found stale
    // because the DUE of its own stage entry fired before it and left the stage; none is pending.
    const rows = (await probe!.db('timers').whereIn('id', heldBack).select('id', 'status', 'kind')) as { id: string; status: string; kind: string }[];
    expect(
      rows.filter((t) => t.status === 'pending').map((t) => t.id),
      'held-back timers still pending',
    ).to.deep.equal([]);
    expect(
      rows.filter((t) => t.kind === 'due' && t.status !== 'fired').map((t) => `${t.id} ${t.status}`),
      'held-back DUE timers that did not fire',
    ).to.deep.equal([]);
    const entryOf = (id: string) => id.slice(0, id.lastIndexOf('.'));
    const dueFired = new Set(rows.filter((t) => t.kind === 'due').map((t) => entryOf(t.id)));
    const unexplained = rows.filter((t) => t.kind !== 'due' && t.status !== 'fired' && !dueFired.has(entryOf(t.id)));
    expect(
      unexplained.map((t) => `${t.id} ${t.status}`),
      'held-back rungs neither fired nor left behind by their own DUE',
    ).to.deep.equal([]);
    const rungsFired = rows.filter((t) => t.status === 'fired' && t.kind !== 'due').map((t) => t.id);
    const escalated = (await probe!.db('escalations').whereIn('id', heldBack).pluck('id')) as string[];
    expect(escalated.sort(), 'one escalation per held-back rung that fired').to.deep.equal(rungsFired.sort());
    sent.push(...load.sent);
    await expectExactlyOnce(probe!.db, sent);
    await expectReplayed(probe!, seeded.instanceIds);
    const timers = await expectTimersSettled(probe!, redis!.url);
    console.log(
      `      outage: ${load.sent.length} events in ${((Date.now() - started) / 1000).toFixed(1)} s, ${acceptedDuring.length} accepted during the ${OUTAGE_MS / 1000} s outage; ${heldBack.length} timers held back (${rows.filter((t) => t.kind === 'due' && t.status === 'fired').length} DUE and ${rungsFired.length} rungs fired, ${rows.filter((t) => t.status === 'cancelled').length} rungs stale after their DUE), caught up ${(settledMs / 1000).toFixed(1)} s after Redis returned; ${timers.fired} fired in all; answers ${JSON.stringify(tally(load.sent))}`,
    );
  });

  it('rebuilds the queue from the store when Redis comes back empty, and fires every due timer', async () => {
    // Due jobs waiting in Redis when it loses everything: the queue is paused while clients submit.
    const admin = new BullQueue(probe!.queueName, { connection: { url: redis!.url } });
    await admin.pause();
    const load = new Load(api!.url!, seeded.token, seeded.instanceIds);
    const running = load.run(CLIENTS, Infinity);
    const started = Date.now();
    try {
      await waitFor('due jobs waiting in the paused queue', 60_000, async () => {
        const counts = await admin.getJobCounts('waiting');
        return (counts.waiting ?? 0) >= 20;
      });
    } finally {
      await admin.close();
    }
    const pendingBefore = (await probe!.db('timers').where({ status: 'pending' }).pluck('id')) as string[];
    const dueBefore = await dueStillPending(probe!.db);
    await redis!.stop();
    await redis!.start();
    const lost = Date.now();
    await sleep(3_000);
    load.stop();
    await running;
    // Nobody restarts anything: the worker finds the queue empty and rebuilds it by itself, at its
    // next sweep (every 5 s). The clients may have moved every instance with a due timer on by then
    // (cancelling those timers), so the workers can look caught up before that sweep: wait for the
    // rebuild itself — every timer still pending has its job in Redis again.
    await settle(probe!, redis!.url, 60_000);
    await waitFor('the worker to rebuild the queue from the store', 30_000, async () => (await withoutJob(probe!, redis!.url)).length === 0, 500);
    await settle(probe!, redis!.url, 60_000);
    const settledMs = Date.now() - lost;

    const failed = load.sent.filter((s) => s.status === 0 || s.status >= 500);
    expect(failed.length, `5xx or no answer (${JSON.stringify(tally(failed))})\n${api!.tail()}`).to.equal(0);
    expect(dueBefore, 'timers due in the paused queue when Redis lost them').to.be.greaterThan(0);
    const stillPending = (await probe!.db('timers').whereIn('id', pendingBefore).where({ status: 'pending' }).pluck('id')) as string[];
    const missing = new Set(await withoutJob(probe!, redis!.url));
    expect(
      stillPending.filter((id) => missing.has(id)).slice(0, 10),
      `of the ${stillPending.length} timers pending before the loss, some have no job in Redis`,
    ).to.deep.equal([]);
    sent.push(...load.sent);
    await expectExactlyOnce(probe!.db, sent);
    await expectReplayed(probe!, seeded.instanceIds);
    const timers = await expectTimersSettled(probe!, redis!.url);
    console.log(
      `      data loss: ${pendingBefore.length} timers pending when Redis lost everything (${dueBefore} of them due, waiting in the paused queue); all back or fired ${(settledMs / 1000).toFixed(1)} s after; ${timers.pending} pending with their jobs, ${timers.fired} fired in all; ${load.sent.length} events in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});

/** The timers pending in the store that have no delayed job in Redis. */
async function withoutJob(probe: Runtime, redisUrl: string): Promise<string[]> {
  const pending = (await probe.db('timers').where({ status: 'pending' }).pluck('id')) as string[];
  const queue = new BullQueue(probe.queueName, { connection: { url: redisUrl } });
  try {
    const delayed = new Set((await queue.getDelayed(0, -1)).filter(Boolean).map((j) => String(j.id)));
    return pending.filter((id) => !delayed.has(id));
  } finally {
    await queue.close();
  }
}
