// The rush's clients (bench/workloads/rush.ts): a school's staff through "Việc của tôi", the task,
// its completion and the stage's event, and the supervisors polling their board — each request as
// the UI sends it (bench/lib/http-client.ts), each answer checked. Used in-thread, or run in a worker
// thread of their own (`ClientThread`) when the server is in the same process: its main thread then
// serves requests only, as a server whose browsers are elsewhere does, and a CPU profile of that
// thread shows the server's costs, not the load generator's.
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { expectOk, HttpClient, type Session } from './http-client.ts';
import { seededRandom, timer } from './measure.ts';

export const TASK = 'figures';
export const EVENT = 'SUBMIT';
export const CLIENTS = 64;

/** The task's form data for school i (valid against the bench process's form). */
export const FORM = (i: number) => ({
  students: 200 + (i % 900),
  teachers: 12 + (i % 80),
  facilities: ['adequate', 'partial', 'lacking'][i % 3],
  note: 'Số liệu tại thời điểm 30/9',
});

/** What a client needs of a school: its account's session and its instance. */
export interface SchoolVisit {
  login: string;
  instanceId: string;
  index: number;
  session?: Session;
}

export const ROUTES = ['my_work', 'task', 'complete', 'event'] as const;
export type Route = (typeof ROUTES)[number];
export type Latencies = Record<Route, number[]>;

export interface RushResult {
  schools: number;
  ms: number;
  /** This process's CPU time (user + system, every thread) over the phase: less moved by other
   * processes' load than the wall time. */
  cpuMs: number;
  latencies: Latencies;
}

interface WorkItem {
  kind: string;
  id: string;
  instanceId: string;
  status?: string;
}

/** One school's staff, start to end: my work, the task, complete it, send the event; every answer checked. */
async function schoolVisit(client: HttpClient, s: SchoolVisit, lat: Latencies): Promise<void> {
  const session = s.session!;
  const mine = await client.request<{ items: WorkItem[]; total: number }>('GET', '/api/v1/tasks/mine?limit=50', { session });
  lat.my_work.push(mine.ms);
  const item = expectOk(`${s.login} GET /api/v1/tasks/mine`, mine).items.find((i) => i.kind === 'task' && i.instanceId === s.instanceId);
  if (!item) throw new Error(`${s.login}: "Việc của tôi" does not list the open task of ${s.instanceId}: ${JSON.stringify(mine.body).slice(0, 300)}`);
  const path = `/api/v1/tasks/${encodeURIComponent(item.id)}`;
  const task = await client.request<{ task: { status: string; task: string }; form?: { properties?: Record<string, unknown> }; canAct?: boolean }>(
    'GET',
    path,
    {
      session,
    },
  );
  lat.task.push(task.ms);
  expectOk(`${s.login} GET ${path}`, task, (b) =>
    b.task.status !== 'open' || b.canAct === false || !b.form?.properties?.facilities
      ? `not an open task with its form: ${JSON.stringify(b).slice(0, 300)}`
      : undefined,
  );
  const done = await client.request<{ status: string; stages: string[] }>('POST', `${path}/complete`, {
    session,
    body: { data: FORM(s.index) },
    idempotent: true,
  });
  lat.complete.push(done.ms);
  expectOk(`${s.login} POST ${path}/complete`, done, (b) =>
    b.status !== 'running' || !b.stages.includes('report') ? `expected the instance still on "report": ${JSON.stringify(b)}` : undefined,
  );
  const eventPath = `/api/v1/instances/${encodeURIComponent(s.instanceId)}/events`;
  const sent = await client.request<{ status: string; stages: string[] }>('POST', eventPath, { session, body: { type: EVENT }, idempotent: true });
  lat.event.push(sent.ms);
  expectOk(`${s.login} POST ${eventPath}`, sent, (b) => (b.status !== 'done' ? `expected the instance done after ${EVENT}: ${JSON.stringify(b)}` : undefined));
}

export async function rush(clients: HttpClient[], schools: SchoolVisit[]): Promise<RushResult> {
  const latencies: Latencies = { my_work: [], task: [], complete: [], event: [] };
  const cpu = process.cpuUsage();
  const elapsed = timer();
  // Client loop c talks to clients[c % n] (two API processes: half the loops each).
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CLIENTS, schools.length) }, async (_, c) => {
      const client = clients[c % clients.length]!;
      while (next < schools.length) await schoolVisit(client, schools[next++]!, latencies);
    }),
  );
  return { schools: schools.length, ms: elapsed(), cpuMs: cpuMsSince(cpu), latencies };
}

/** 200 supervisors polling their board, each every `everyMs`, their first polls spread over the first interval. */
export function watch(client: HttpClient, sessions: Session[], everyMs: number, seed: number): { stop(): Promise<number[]> } {
  // Each phase its own spread of first polls: not the same supervisors first every time.
  const rng = seededRandom(seed);
  const lat: number[] = [];
  let stopped = false;
  let failure: Error | undefined;
  const loops = sessions.map(async (session, k) => {
    await sleepUnless(rng() * everyMs, () => stopped);
    while (!stopped) {
      const r = await client.request<{ totals?: unknown }>('GET', '/api/v1/board', { session });
      lat.push(r.ms);
      try {
        expectOk('GET /api/v1/board', r, (b) => (b.totals ? undefined : 'no totals'));
      } catch (e) {
        failure ??= e as Error;
        return;
      }
      const wait = everyMs - r.ms;
      if (wait > 0) await sleepUnless(wait, () => stopped);
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      if (failure) throw failure;
      return lat;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Sleeps up to ms, waking early (every 50 ms) once `done` says so. */
async function sleepUnless(ms: number, done: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await sleep(Math.min(50, until - Date.now()));
}

// ---------------------------------------------------------------------------------------------
// The same, in a worker thread

type Request =
  | { id: number; kind: 'rush'; urls: string[]; schools: SchoolVisit[] }
  | { id: number; kind: 'watch'; url: string; sessions: Session[]; everyMs: number; seed: number }
  | { id: number; kind: 'unwatch' };

/** The clients in a worker thread of their own; each call answers when the thread has done it. */
export class ClientThread {
  private readonly worker = new Worker(new URL('./rush-clients-worker.mjs', import.meta.url));
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor() {
    this.worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(m.error));
      else w?.resolve(m.result);
    });
    this.worker.on('error', (e) => {
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    });
  }

  private call<T>(request: Omit<Request, 'id'>): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  rush(urls: string[], schools: SchoolVisit[]): Promise<RushResult> {
    return this.call({ kind: 'rush', urls, schools });
  }

  /** Starts the supervisors' polls; `unwatch` stops them and answers their latencies. */
  watch(url: string, sessions: Session[], everyMs: number, seed: number): Promise<void> {
    return this.call({ kind: 'watch', url, sessions, everyMs, seed });
  }

  unwatch(): Promise<number[]> {
    return this.call({ kind: 'unwatch' });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const clients = new Map<string, HttpClient>();
  const clientOf = (url: string, connections: number) => clients.get(url) ?? (clients.set(url, new HttpClient(url, connections)), clients.get(url)!);
  let watching: { stop(): Promise<number[]> } | undefined;
  port.on('message', (m: Request) => {
    const answer = async (): Promise<unknown> => {
      switch (m.kind) {
        case 'rush':
          return rush(
            m.urls.map((u) => clientOf(u, CLIENTS)),
            m.schools,
          );
        case 'watch':
          // A pool of its own, a connection per supervisor: polls do not queue behind the rush's.
          watching = watch(new HttpClient(m.url, m.sessions.length), m.sessions, m.everyMs, m.seed);
          return undefined;
        case 'unwatch': {
          const lat = (await watching?.stop()) ?? [];
          watching = undefined;
          return lat;
        }
      }
    };
    answer().then(
      (result) => port.postMessage({ id: m.id, result }),
      (e: Error) => port.postMessage({ id: m.id, error: e.stack ?? e.message }),
    );
  });
}
