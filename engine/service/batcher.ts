// Calls that arrive while one is being served wait and are served together, and so do calls made in
// the same turn of the event loop: the first caller waits only for the microtasks already queued
// (no added latency for a lone client), so a worker that hands out a claim of 256 due timers in
// one loop reads, loads and commits them as one batch, not as one alone and 255 after it (issue 17:
// half the burst's batches were of one). Used to load the instances and to commit the changes of
// commands that arrive together.
export class Batcher<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private busy = false;

  constructor(
    private readonly serve: (items: I[]) => Promise<O[]>,
    private readonly max = 256,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.kick();
    });
  }

  /** Several items of one caller: they go in one batch (or join the waiting one). */
  submitAll(items: readonly I[]): Promise<O[]> {
    const out = items.map((item) => new Promise<O>((resolve, reject) => this.queue.push({ item, resolve, reject })));
    if (items.length) this.kick();
    return Promise.all(out);
  }

  /** Serves the waiting calls once the microtasks queued now have run (their calls join). */
  private kick(): void {
    if (this.busy) return;
    this.busy = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.max);
        try {
          const out = await this.serve(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(out[i]!));
        } catch (e) {
          batch.forEach((b) => b.reject(e));
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
