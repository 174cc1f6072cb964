// /metrics in the Prometheus text format (prom-client): what an operator watches on a province or a
// country — events applied and conflicts met, queue depth and lag, timers fired and how late, overdue
// stages by school level, HTTP latency by route. Counters are fed as things happen; depths and
// overdue counts are read from the store when scraped.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Accounts, Clock, Queue } from '../engine/ports.ts';
import type { Committed } from '../engine/service/engine.ts';
import { administersTop } from '../engine/application/policy.ts';
import { authenticate } from './http/auth.ts';

export interface Metrics {
  registry: Registry;
  committed(c: Committed): void;
  conflict(): void;
  /** A timer job ran: what it did, and how long after its due moment. */
  timer(outcome: string, lateMs: number): void;
  http(method: string, route: string, status: number, seconds: number): void;
}

export function createMetrics(sources: { db: Knex; queue: Queue; clock: Clock }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tiendo_process_' });
  const events = new Counter({
    name: 'tiendo_events_applied_total',
    help: 'Changes committed to instances, by event type',
    labelNames: ['event'],
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'tiendo_rev_conflicts_total',
    help: 'Commands recomputed because another writer changed the instance first',
    registers: [registry],
  });
  const timers = new Counter({
    name: 'tiendo_timers_total',
    help: 'Timer jobs run, by outcome (fired, stale, ignored)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'tiendo_timer_lateness_seconds',
    help: 'How long after its due moment a timer ran',
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 300, 3600],
    registers: [registry],
  });
  const http = new Histogram({
    name: 'tiendo_http_request_duration_seconds',
    help: 'HTTP latency by route',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'tiendo_queue_depth',
    help: 'Timer jobs pending in the queue',
    registers: [registry],
    async collect() {
      this.set(await sources.queue.pendingCount());
    },
  });
  new Gauge({
    name: 'tiendo_queue_lag_seconds',
    help: 'How long the earliest due job has been waiting (0 when none is due)',
    registers: [registry],
    async collect() {
      const next = await sources.queue.nextRunAt();
      this.set(next === undefined ? 0 : Math.max(0, (sources.clock.now() - next) / 1000));
    },
  });
  new Gauge({
    name: 'tiendo_timers_due',
    help: 'Timer rows pending whose moment has passed (the store, the truth behind the queue)',
    registers: [registry],
    async collect() {
      const row = await sources.db('timers').where({ status: 'pending' }).where('fire_at', '<=', sources.clock.now()).count({ n: '*' }).first();
      this.set(Number((row as { n?: unknown } | undefined)?.n ?? 0));
    },
  });
  new Gauge({
    name: 'tiendo_overdue_instances',
    help: 'Running instances past their earliest due moment, by the kind of unit (school level)',
    labelNames: ['level'],
    registers: [registry],
    async collect() {
      const rows = await sources
        .db('instances')
        .join('org_units', 'org_units.id', 'instances.org_unit_id')
        .where('instances.status', 'running')
        .where('instances.due_at', '<', sources.clock.now())
        .groupBy('org_units.kind')
        .select('org_units.kind')
        .count({ n: '*' });
      this.reset();
      for (const r of rows as { kind: string; n: unknown }[]) this.set({ level: r.kind }, Number(r.n));
    },
  });
  return {
    registry,
    committed: (c) => events.inc({ event: c.change.history.eventType.startsWith('escalation.') ? 'escalation' : c.change.history.eventType }),
    conflict: () => conflicts.inc(),
    timer: (outcome, lateMs) => {
      timers.inc({ outcome });
      if (outcome === 'fired') lateness.observe(Math.max(0, lateMs) / 1000);
    },
    http: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
  };
}

/** What GET /metrics answers, on the API's port (`tiendo start`, `tiendo serve`) or on the metrics port. */
export async function exposition(metrics: Metrics): Promise<{ contentType: string; body: string }> {
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}

export interface MetricsAccess {
  /** TIENDO_METRICS_TOKEN: a secret Prometheus sends as its bearer_token. */
  token?: string;
  /** TIENDO_METRICS_PUBLIC=1: anyone who reaches the port reads /metrics (a private network). */
  public?: boolean;
}

/** Who may read /metrics: 'ok', or the refusal to answer. */
export type MetricsGate = (
  headers: IncomingHttpHeaders,
) => Promise<{ status: 200 } | { status: 401 | 403; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string }>;

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * /metrics tells the province's overdue counts by school level, so it is not read anonymously: the
 * bearer token TIENDO_METRICS_TOKEN (Prometheus' bearer_token), or the session or bearer token of an
 * administrator of a top unit (the Sở: its grant covers the whole tree the counts are about).
 * TIENDO_METRICS_PUBLIC=1 opens it to anyone who reaches the port.
 */
export function metricsGate(access: MetricsAccess, accounts: Accounts, clock: Clock): MetricsGate {
  const secret = access.token ? digest(access.token) : undefined;
  return async (headers) => {
    if (access.public) return { status: 200 };
    const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
    if (secret && bearer && timingSafeEqual(digest(bearer), secret)) return { status: 200 };
    const principal = await authenticate(accounts, { headers }, clock.now());
    if (!principal)
      return {
        status: 401,
        code: 'UNAUTHENTICATED',
        message:
          'reading /metrics needs the metrics token (TIENDO_METRICS_TOKEN, sent as a bearer token) or an administrator of a top unit (session or bearer token)',
      };
    if (!administersTop(principal))
      return { status: 403, code: 'FORBIDDEN', message: 'reading /metrics needs an administrator role on a top unit (the province), or the metrics token' };
    return { status: 200 };
  };
}

/** The refusal, as the API's error shape. */
export function metricsRefusal(r: { code: string; message: string }): string {
  return JSON.stringify({ error: { code: r.code, message: r.message, details: {} } });
}

/** A listener that serves /metrics and nothing else: how a `tiendo worker`, which has no API, is
 * scraped (TIENDO_METRICS_PORT). Port 0 picks a free one. The gate says who may read it. */
export async function listenMetrics(
  metrics: Metrics,
  port: number,
  host: string,
  gate: MetricsGate,
  log: (m: string) => void = () => undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only /metrics is served here\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
      return;
    }
    gate(req.headers)
      .then((allowed) => {
        if (allowed.status !== 200) {
          res
            .writeHead(allowed.status, {
              'content-type': 'application/json; charset=utf-8',
              'cache-control': 'no-store',
              ...(allowed.status === 401 ? { 'www-authenticate': 'Bearer realm="tiendo-metrics"' } : {}),
            })
            .end(metricsRefusal(allowed));
          return undefined;
        }
        return exposition(metrics);
      })
      .then(
        (out) => out && res.writeHead(200, { 'content-type': out.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : out.body),
        (e: unknown) => {
          // A store that cannot be read (the gauges query it) is an outage to report, not a crash.
          log(`metrics: ${(e as Error)?.message ?? String(e)}`);
          res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${typeof address === 'object' && address ? address.port : port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
