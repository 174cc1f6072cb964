// Calls that arrive while one is being served wait and are served together: the first caller goes
// at once (no added latency for a lone client), the next ones share one round trip. Used to load the
// instances and to commit the changes of commands that arrive together.
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
      if (!this.busy) void this.drain();
    });
  }

  /** Several items of one caller: they go in one batch (or join the waiting one). */
  submitAll(items: readonly I[]): Promise<O[]> {
    const out = items.map((item) => new Promise<O>((resolve, reject) => this.queue.push({ item, resolve, reject })));
    if (items.length && !this.busy) void this.drain();
    return Promise.all(out);
  }

  private async drain(): Promise<void> {
    this.busy = true;
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
