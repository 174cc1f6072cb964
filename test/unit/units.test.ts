// The unit directory keeps units for a while and bounds how many: a chain asked when the cache is
// full must still name every ancestor (an overflow once dropped them, and escalations reached no one).
import { expect } from 'chai';
import type { OrgUnit } from '../../engine/domain.ts';
import { UnitDirectory } from '../../engine/service/units.ts';

const unit = (id: string, path: string): OrgUnit => ({ id, kind: 'primary', name: id, path, depth: path.split('/').length - 3, createdAt: 0 });

describe('unit directory', () => {
  const so = unit('so', '/so/');
  const pgd = unit('pgd', '/so/pgd/');
  const all = new Map<string, OrgUnit>([so, pgd].map((u) => [u.id, u]));
  for (let i = 0; i < 20_010; i++) all.set(`s${i}`, unit(`s${i}`, `/so/pgd/s${i}/`));
  let reads = 0;
  const store = {
    getUnits: async (ids: string[]) => (reads++, ids.map((i) => all.get(i)!).filter(Boolean)),
  };

  it('names every ancestor, even when remembering overflows the cache', async () => {
    const dir = new UnitDirectory(store);
    for (let i = 0; i < 20_010; i++) {
      const chain = await dir.chainOf(`s${i}`);
      expect(
        chain.map((u) => u.id),
        `s${i}`,
      ).to.deep.equal([`s${i}`, 'pgd', 'so']);
    }
  });

  it('reads a chain once, then serves it from memory until forgotten', async () => {
    const dir = new UnitDirectory(store);
    reads = 0;
    await dir.chainOf('s1');
    await dir.chainOf('s1');
    expect(reads).to.equal(2);
    dir.forget();
    await dir.chainOf('s1');
    expect(reads).to.equal(4);
  });

  it('reads the units of chains asked together in a few queries, not one per chain', async () => {
    const dir = new UnitDirectory(store);
    reads = 0;
    const chains = await Promise.all(Array.from({ length: 100 }, (_, i) => dir.chainOf(`s${i}`)));
    expect(chains.map((c) => c.map((u) => u.id))).to.deep.equal(Array.from({ length: 100 }, (_, i) => [`s${i}`, 'pgd', 'so']));
    // The first read goes at once; the rest wait for it and go together (units, then ancestors).
    expect(reads).to.be.at.most(4);
  });
});
