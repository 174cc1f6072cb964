// Instance ids sort in the order they were made (UUID v7), so a campaign's rows append to the keys.
import { expect } from 'chai';
import { orderedId } from '../../engine/service/ids.ts';

describe('ordered ids', () => {
  it('are UUIDs of version 7 that sort in the order they were made, within one ms too', () => {
    const ids = Array.from({ length: 10_000 }, () => orderedId(1_772_413_200_000));
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).to.deep.equal(ids);
    expect(new Set(ids).size).to.equal(ids.length);
    // A later moment sorts after; a clock set back does not break the order.
    const later = orderedId(1_772_413_300_000);
    const back = orderedId(1_772_413_100_000);
    expect([ids.at(-1)!, later, back]).to.deep.equal([ids.at(-1)!, later, back].sort());
  });
});
