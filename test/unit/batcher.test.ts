import { expect } from 'chai';
import { Batcher } from '../../engine/service/batcher.ts';

describe('Batcher', () => {
  function recording(max?: number) {
    const batches: number[][] = [];
    const batcher = new Batcher<number, number>(async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 5));
      return items.map((i) => i * 10);
    }, max);
    return { batcher, batches };
  }

  it('serves the calls made in one loop as one batch, the first one included', async () => {
    const { batcher, batches } = recording();
    const out = await Promise.all([1, 2, 3, 4].map((i) => batcher.submit(i)));
    expect(out).to.deep.equal([10, 20, 30, 40]);
    expect(batches).to.deep.equal([[1, 2, 3, 4]]);
  });

  it('gathers calls made a few awaits deep in the same turn (a worker handing out a claim)', async () => {
    const { batcher, batches } = recording();
    const deep = async (i: number) => {
      await Promise.resolve();
      await Promise.resolve();
      return batcher.submit(i);
    };
    await Promise.all([1, 2, 3].map(deep));
    expect(batches).to.deep.equal([[1, 2, 3]]);
  });

  it('serves calls that arrive while a batch is served together after it, at most `max` a batch', async () => {
    const { batcher, batches } = recording(2);
    const first = batcher.submit(1);
    await new Promise((r) => setTimeout(r, 1));
    const later = [2, 3, 4].map((i) => batcher.submit(i));
    expect(await Promise.all([first, ...later])).to.deep.equal([10, 20, 30, 40]);
    expect(batches).to.deep.equal([[1], [2, 3], [4]]);
  });

  it('answers a lone call, and every call of a batch that fails hears the error', async () => {
    const failing = new Batcher<number, number>(async () => {
      throw new Error('store down');
    });
    const results = await Promise.allSettled([failing.submit(1), failing.submit(2)]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    const { batcher } = recording();
    expect(await batcher.submit(7)).to.equal(70);
    expect(await batcher.submitAll([1, 2])).to.deep.equal([10, 20]);
  });
});
