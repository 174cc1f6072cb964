// Drafts are checked off the event loop: a 1 MB draft takes seconds to parse, lint and compile, and
// three of them on /definitions/validate held every other request (health took 1.9 s). A few worker
// threads (size from the core count) take the checks from a bounded queue; each user has at most
// PER_USER in flight, and a full queue or a user over that is answered 429 at once. A check that
// runs past its time limit is stopped (its thread replaced) and refused.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { HttpError } from '../http/errors.ts';
import type { DraftChecker } from '../../engine/application/application.ts';
import type { CalendarRanges, DraftSummary } from '../../engine/application/drafts.ts';

export interface DraftPoolOptions {
  /** Worker threads. Default: one per core but one (left to the event loop), 1 to 4. */
  size?: number;
  /** Checks one user may have in flight (running or queued). Default 2. */
  perUser?: number;
  /** Checks in flight in all (running or queued). Default 8 per thread. */
  limit?: number;
  /** A check running longer is stopped and refused. Default 30 s. */
  timeoutMs?: number;
}

export const defaultPoolSize = (): number => Math.max(1, Math.min(4, availableParallelism() - 1));

interface Job {
  id: number;
  message: { id: number; source: string; file: string; lang?: 'vi' | 'en' };
  resolve(s: DraftSummary): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  /** The thread has loaded the checker (its start-up does not count against a check's time). */
  ready?: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
  timedOut?: boolean;
}

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

export class DraftPool implements DraftChecker {
  readonly size: number;
  readonly perUser: number;
  readonly limit: number;
  readonly timeoutMs: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly byUser = new Map<string, number>();
  private inFlight = 0;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly calendars: CalendarRanges,
    options: DraftPoolOptions = {},
  ) {
    this.size = Math.max(1, options.size ?? defaultPoolSize());
    this.perUser = Math.max(1, options.perUser ?? 2);
    this.limit = Math.max(this.size, options.limit ?? this.size * 8);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  check(userId: string, source: string, file: string, lang?: 'vi' | 'en'): Promise<DraftSummary> {
    if (this.closed) return Promise.reject(new HttpError(503, 'SERVICE_UNAVAILABLE', 'the server is shutting down; try again shortly'));
    const mine = this.byUser.get(userId) ?? 0;
    if (mine >= this.perUser) {
      return Promise.reject(
        new HttpError(
          429,
          'RATE_LIMITED',
          `you already have ${mine} drafts being checked, the most one user may have at a time; send this one when one of them has answered`,
          { inFlight: mine, limit: this.perUser },
        ),
      );
    }
    if (this.inFlight >= this.limit) {
      return Promise.reject(
        new HttpError(429, 'RATE_LIMITED', `the server is checking ${this.inFlight} drafts, as many as it takes at a time; try again in a few seconds`, {
          inFlight: this.inFlight,
          limit: this.limit,
          retryAfterS: 5,
        }),
      );
    }
    this.byUser.set(userId, mine + 1);
    this.inFlight++;
    const done = () => {
      this.inFlight--;
      const left = (this.byUser.get(userId) ?? 1) - 1;
      if (left > 0) this.byUser.set(userId, left);
      else this.byUser.delete(userId);
    };
    const id = this.nextId++;
    const answer = new Promise<DraftSummary>((resolve, reject) => {
      this.queue.push({ id, message: { id, source, file, ...(lang ? { lang } : {}) }, resolve, reject });
      this.pump();
    });
    return answer.finally(done);
  }

  stats(): { workers: number; running: number; queued: number } {
    return { workers: this.slots.length, running: this.slots.filter((s) => s.job).length, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new HttpError(503, 'SERVICE_UNAVAILABLE', 'the server is shutting down; try again shortly'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length && !this.closed) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      if (slot.ready) this.startClock(slot);
      slot.worker.postMessage(job.message);
    }
  }

  private spawn(): Slot {
    // execArgv: none of the parent's (a test run's --import tsx would load the loader twice);
    // worker.mjs registers it.
    const worker = new Worker(WORKER_URL, { workerData: { calendars: this.calendars }, execArgv: [] });
    worker.unref();
    const slot: Slot = { worker };
    this.slots.push(slot);
    worker.on('message', (m: { id?: number; ready?: boolean; summary?: DraftSummary; error?: { message: string; stack?: string } }) => {
      if (m.ready) {
        slot.ready = true;
        if (slot.job) this.startClock(slot);
        return;
      }
      const job = slot.job;
      if (m.id === undefined || !job || job.id !== m.id) return;
      this.finish(slot);
      if (m.error) job.reject(Object.assign(new Error(`checking a draft failed: ${m.error.message}`), { stack: m.error.stack }));
      else job.resolve(m.summary!);
      this.pump();
    });
    worker.on('error', (e) => {
      const job = slot.job;
      this.finish(slot);
      job?.reject(e);
    });
    worker.on('exit', () => {
      const job = slot.job;
      const timedOut = slot.timedOut;
      this.finish(slot);
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      if (job) {
        job.reject(
          timedOut
            ? new HttpError(
                422,
                'DEFINITION_INVALID',
                `checking this draft took longer than ${this.timeoutMs / 1000} s and was stopped; make it smaller or simpler`,
                { limitMs: this.timeoutMs },
              )
            : new Error('the draft checker thread stopped while checking a draft'),
        );
      }
      this.pump();
    });
    return slot;
  }

  private startClock(slot: Slot): void {
    slot.timer = setTimeout(() => {
      slot.timedOut = true;
      void slot.worker.terminate();
    }, this.timeoutMs);
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
  }
}
