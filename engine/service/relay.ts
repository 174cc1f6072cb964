// The outbox relay: moves committed effects (timers to schedule or cancel, notices to send) to the
// queue and the notifier, in commit order. Relaying twice is harmless — scheduling an id replaces
// it, cancelling an unknown id does nothing, a stale timer does nothing when it fires — so a crash
// between relaying and marking costs a repeat, never a loss.
import type { Clock, Job, JobHandler, JobSpec, Notifier, Queue, Store } from '../ports.ts';
import type { OutboxMessage } from '../domain.ts';

export const TIMER_JOB = 'timer';
const PAGE = 500;

export class OutboxRelay {
  private running: Promise<number> = Promise.resolve(0);
  private next: Promise<number> | undefined;

  constructor(
    private readonly store: Store,
    private readonly queue: Queue,
    private readonly clock: Clock,
    private readonly notifier?: Notifier,
    /** The store's identity, carried by every timer job this relay schedules (see `timerHandler`). */
    private readonly storeId?: string,
  ) {}

  /** Relays everything committed so far. Calls made while one runs queue behind it, and share one
   * run: a run that has not started yet will see whatever they committed. */
  drain(): Promise<number> {
    if (this.next) return this.next;
    const run = this.running
      .catch(() => 0)
      .then(() => {
        this.next = undefined;
        return this.relayAll();
      });
    this.next = run;
    this.running = run;
    return run;
  }

  /**
   * The workers' periodic pass (and their first, at start): when the queue lost its jobs — Redis
   * restarted empty — every pending timer is put back from the store; then the outbox is relayed
   * (effects a crashed or cut-off process committed but never relayed).
   */
  async sweep(): Promise<number> {
    if (this.queue.needsRebuild && (await this.queue.needsRebuild())) {
      await this.rebuild();
      await this.queue.markRebuilt?.();
    }
    return this.drain();
  }

  /**
   * Puts every pending timer back in the queue from the store, the source of truth: after Redis
   * lost its data (it keeps nothing on disk here), or when moving from one queue to another.
   */
  async rebuild(): Promise<number> {
    let count = 0;
    let afterId: string | undefined;
    for (;;) {
      const timers = await this.store.pendingTimers({ ...(afterId ? { afterId } : {}), limit: PAGE });
      if (!timers.length) return count;
      await this.queue.schedule(timers.map((t) => timerJob(t.id, t.fireAt, this.storeId)));
      count += timers.length;
      afterId = timers[timers.length - 1]!.id;
    }
  }

  private async relayAll(): Promise<number> {
    let count = 0;
    for (;;) {
      const messages = await this.store.unrelayed(PAGE);
      if (!messages.length) return count;
      for (const run of runsOfOneKind(messages)) await this.relay(run);
      await this.store.markRelayed(
        messages.map((m) => m.id!),
        this.clock.now(),
      );
      count += messages.length;
      // A short page was the end of the outbox: asking again would cost a query to learn nothing.
      if (messages.length < PAGE) return count;
    }
  }

  /** Relays consecutive messages of one kind with one queue call: a campaign's thousand schedules
   * are one multi-row write (or one Redis pipeline), not a thousand. Order across kinds is kept. */
  private async relay(run: OutboxMessage[]): Promise<void> {
    const kind = run[0]!.kind;
    switch (kind) {
      case 'schedule':
        return this.queue.schedule(run.flatMap((m) => (m.kind === 'schedule' ? m.payload.timers.map((t) => timerJob(t.id, t.fireAt, this.storeId)) : [])));
      case 'cancel':
        return this.queue.cancel(run.flatMap((m) => (m.kind === 'cancel' ? m.payload.timers : [])));
      case 'notify':
        for (const m of run) if (m.kind === 'notify') await this.notifier?.notify(m.payload);
    }
  }
}

function runsOfOneKind(messages: OutboxMessage[]): OutboxMessage[][] {
  const runs: OutboxMessage[][] = [];
  for (const m of messages) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.kind === m.kind) last.push(m);
    else runs.push([m]);
  }
  return runs;
}

/** A queue call that outbox messages come to: schedule these jobs, or cancel these ids. */
export type QueueWork = { kind: 'schedule'; jobs: JobSpec[] } | { kind: 'cancel'; ids: string[] };

/** The queue work of outbox messages, in their order (a run of consecutive messages of one kind is
 * one call), and the messages that are not queue work (notices), for the relay. Used by an outbox
 * step that writes timer jobs inside the committing transaction. */
export function queueWork(messages: readonly OutboxMessage[]): { work: QueueWork[]; left: OutboxMessage[] } {
  const work: QueueWork[] = [];
  const left: OutboxMessage[] = [];
  for (const m of messages) {
    if (m.kind === 'notify') {
      left.push(m);
      continue;
    }
    const last = work[work.length - 1];
    if (m.kind === 'schedule') {
      const jobs = m.payload.timers.map((t) => timerJob(t.id, t.fireAt));
      if (last?.kind === 'schedule') last.jobs.push(...jobs);
      else work.push({ kind: 'schedule', jobs });
    } else if (last?.kind === 'cancel') last.ids.push(...m.payload.timers);
    else work.push({ kind: 'cancel', ids: [...m.payload.timers] });
  }
  return { work, left };
}

/** The queue job that fires a timer: its id is the timer's, so scheduling again replaces it. `store`
 * is the identity of the store it belongs to, for a queue outside the store (Redis), which another
 * store may have used before; a job in the store's own job table needs none. */
export function timerJob(id: string, fireAt: number, store?: string): JobSpec {
  return { id, name: TIMER_JOB, payload: store ? { timerId: id, store } : { timerId: id }, runAt: fireAt };
}

/** The queue's handler for timer jobs: the engine decides whether the timer still counts. A job that
 * names another store than `storeId` (left in Redis by a store that was dropped, or put there by
 * another deployment sharing the queue's name) is never handed to the engine: `foreign` hears of it,
 * and the job is done with. A job naming no store predates store identities and is this queue's. */
export function timerHandler(
  fire: (timerId: string, job: Job) => Promise<unknown>,
  options: { storeId?: string; foreign?: (job: Job) => void } = {},
): JobHandler {
  return async (job: Job) => {
    if (job.name !== TIMER_JOB) return;
    const store = job.payload.store;
    if (options.storeId && store !== undefined && store !== options.storeId) return options.foreign?.(job);
    await fire(String(job.payload.timerId), job);
  };
}
