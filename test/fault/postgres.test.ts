// Fault (issue 6): PostgreSQL restarts in the middle of the load. A private cluster (initdb in a
// temporary folder, its own port; the shared server is never stopped) under one `tiendo serve` and
// one `tiendo worker` process and a Redis of the test's own. Clients send events with an
// Idempotency-Key each while the cluster is stopped and started again 6 s later, twice: a fast
// shutdown (sessions are ended), then an immediate one (as in a crash: recovery from the WAL). While
// it is down every request is answered at once with 503 SERVICE_UNAVAILABLE — not a 500, not a
// hang; once it is back the same processes serve again by themselves. Events answered 503 are sent
// again with their key: each is then applied at most once, and every accepted one exactly once;
// every instance's stored state is the replay of its history (nothing half-written); the timers
// that came due meanwhile fire.
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import type { Runtime } from '../../adapters/runtime.ts';
import { errorOf, startTestServer } from '../http/support.ts';
import { fixture } from '../support/runtime.ts';
import { drillDir, expectExactlyOnce, expectReplayed, expectTimersSettled, Load, openProbe, seed, settle, tally, type Seeded, type Sent } from './drill.ts';
import { freePort, PgCluster, postgresBin, postgresRunnable, RedisServer, requireProgram, sleep, TiendoProcess, waitFor, which } from './harness.ts';

const DOWN_MS = 6_000;
const CLIENTS = 16;
const SCHOOLS = 60;
/** A 503 must come at once: well under the clients' own 30 s timeout. */
const ANSWER_WITHIN_MS = 10_000;

describe('Fault: PostgreSQL restarts mid-load (a private cluster under API + worker + Redis)', function () {
  this.timeout(180_000);
  const schema = 'tiendo';
  let processDir = '';
  let pg: PgCluster | undefined;
  let redis: RedisServer | undefined;
  let probe: Runtime | undefined;
  let seeded: Seeded;
  let api: TiendoProcess | undefined;
  let worker: TiendoProcess | undefined;

  before(async function () {
    const bin = requireProgram(this, 'PostgreSQL server programs (initdb, pg_ctl; as root, runuser and a postgres user)', postgresRunnable(postgresBin()));
    const redisBin = requireProgram(this, 'redis-server', which('redis-server'));
    [pg, redis] = await Promise.all([PgCluster.create(bin), RedisServer.start(redisBin)]);
    processDir = drillDir();
    seeded = await seed({ databaseUrl: pg.url, pgSchema: schema, redisUrl: redis.url, processDir, schools: SCHOOLS });
    probe = await openProbe({ databaseUrl: pg.url, pgSchema: schema, redisUrl: redis.url });
    const env = { DATABASE_URL: pg.url, TIENDO_PG_SCHEMA: schema, REDIS_URL: redis.url, TIENDO_PROCESS_DIR: processDir };
    const port = await freePort();
    [api, worker] = await Promise.all([TiendoProcess.start('serve', 'api', { ...env, PORT: String(port) }), TiendoProcess.start('worker', 'worker', env)]);
  });

  after(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await probe?.close().catch(() => undefined);
    await pg?.close();
    await redis?.close();
    if (processDir) rmSync(processDir, { recursive: true, force: true });
  });

  it('answers 503 while it is down, writes nothing by halves, and serves again by itself', async () => {
    const load = new Load(api!.url!, seeded.token, seeded.instanceIds, { idempotent: true });
    const running = load.run(CLIENTS, Infinity);
    await waitFor('the first accepted events', 60_000, () => load.accepted.length >= 50);

    // Twice: a fast shutdown (sessions ended with 57P01), then a crash (killed; WAL recovery at start).
    const outages: { mode: string; stopMs: number; down: number; restarting: number; startMs: number; resumedMs: number }[] = [];
    for (const mode of ['fast', 'immediate'] as const) {
      const stopping = Date.now();
      await pg!.stop(mode);
      const down = Date.now();
      await sleep(DOWN_MS);
      const restarting = Date.now();
      await pg!.start();
      const up = Date.now();
      // Served again by the same processes, without a restart.
      await waitFor(`accepted events after the ${mode} restart`, 60_000, () => load.sent.some((s) => s.at > up && s.status >= 200 && s.status < 300));
      outages.push({ mode, stopMs: down - stopping, down, restarting, startMs: up - restarting, resumedMs: Date.now() - up });
      await sleep(2_000);
    }
    load.stop();
    await running;

    const everything = [...load.sent, ...load.reads.map((r) => ({ ...r, what: 'GET instance' }))];
    const whileDown = everything.filter((s) => outages.some((o) => s.at >= o.down && s.at + s.ms <= o.restarting));
    for (const o of outages)
      expect(whileDown.filter((s) => s.at >= o.down && s.at <= o.restarting).length, `requests made while PostgreSQL was down (${o.mode})`).to.be.greaterThan(
        0,
      );
    const notClear = whileDown.filter((s) => !(s.status === 503 && s.code === 'SERVICE_UNAVAILABLE'));
    expect(
      notClear.map((s) => `${s.what}: ${s.status} ${s.code ?? ''}`).slice(0, 10),
      `answers while down that are not 503 SERVICE_UNAVAILABLE (${JSON.stringify(tally(whileDown))})\n${api!.tail()}`,
    ).to.deep.equal([]);
    const slow = everything.filter((s) => s.status === 0 || s.ms > ANSWER_WITHIN_MS);
    expect(slow.map((s) => `${s.what}: ${s.status} ${s.code ?? ''} after ${s.ms} ms`).slice(0, 10), 'requests that hung').to.deep.equal([]);
    const serverErrors = everything.filter((s) => s.status >= 500 && !(s.status === 503 && s.code === 'SERVICE_UNAVAILABLE'));
    expect(serverErrors.map((s) => `${s.what}: ${s.status} ${s.code}`).slice(0, 10), `other 5xx answers\n${api!.tail()}`).to.deep.equal([]);

    // Whatever was answered 503 is sent again with its key: the first answer if it had committed
    // after all, else it is applied now (or refused, the state having moved on).
    const final = new Map<string, Sent>(load.sent.map((s) => [s.idempotencyKey!, s]));
    const retried = load.sent.filter((s) => s.status === 503);
    for (const s of retried) {
      const again = await load.post(s.instanceId, s.what, s.path, s.request, s.idempotencyKey);
      expect(again.status, `${s.what} sent again: ${JSON.stringify(again.body)}`).to.be.oneOf([200, 201, 409]);
      final.set(s.idempotencyKey!, again);
    }
    await expectExactlyOnce(probe!.db, [...final.values()]);
    await expectReplayed(probe!, seeded.instanceIds);
    await settle(probe!, redis!.url, 60_000);
    const timers = await expectTimersSettled(probe!, redis!.url);
    console.log(
      `      postgres restarts: ${outages.map((o) => `${o.mode} (stop ${(o.stopMs / 1000).toFixed(1)} s, down ${((o.restarting - o.down) / 1000).toFixed(1)} s, start ${(o.startMs / 1000).toFixed(1)} s, served again ${(o.resumedMs / 1000).toFixed(1)} s after)`).join(', ')}; ${whileDown.length} requests while down, all 503 (slowest ${Math.max(...whileDown.map((s) => s.ms))} ms); ${retried.length} events sent again (${[...final.values()].filter((f) => f.replayed).length} of them had committed: their first answer replayed); ${timers.fired} timers fired; answers ${JSON.stringify(tally(load.sent))}`,
    );
  });
});

// The turn of the restart above where a COMMIT went through but its acknowledgement was lost with
// the connection, made to happen every time: the client gets a 503 for a change that was applied.
// Sent again with its key, the request gets the first answer — not the route's own refusal (the task
// is no longer open) — and the change is in the history once.
describe('Fault: the store goes away between the commit and the answer (in-process, SQLite)', () => {
  it('answers a repeat of the request with its first answer', async () => {
    const server = await startTestServer();
    try {
      const { engine } = server.app.runtime;
      await engine.catalog.publish(fixture('engine/report.yaml'), 'report.yaml', 'test');
      const id = (await engine.start({ definitionId: 'test-report', orgUnitId: 'th_a1' }, { actor: 'seed' })).id;
      const task = (await engine.queries.tasksOf(id)).find((t) => t.task === 'sign')!;
      const c = await server.client('staff_th_a1');
      const store = engine.store as unknown as { commit: (...args: unknown[]) => Promise<unknown> };
      const commit = store.commit.bind(store);
      store.commit = async (...args: unknown[]) => {
        store.commit = commit;
        await commit(...args);
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      };
      const key = { 'idempotency-key': 'lost-answer-1' };
      const first = await c.post(`/api/v1/tasks/${task.id}/complete`, { data: {} }, key);
      expect([first.status, errorOf(first).code]).to.deep.equal([503, 'SERVICE_UNAVAILABLE']);
      const again = await c.post(`/api/v1/tasks/${task.id}/complete`, { data: {} }, key);
      expect(again.status, JSON.stringify(again.body)).to.equal(200);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      const history = await engine.queries.history(id);
      expect(history.filter((h) => h.eventType === 'task.complete').length, 'task.complete rows').to.equal(1);
      expect(again.body.rev).to.equal(history.at(-1)!.rev);
      // Another request under the same key is still refused.
      const other = await c.post(`/api/v1/instances/${id}/events`, { type: 'SUBMIT' }, key);
      expect([other.status, errorOf(other).code]).to.deep.equal([422, 'IDEMPOTENCY_KEY_REUSED']);
    } finally {
      await server.close();
    }
  });
});
