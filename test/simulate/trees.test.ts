// Tree scenarios: a small tree of units (either shape, a ministry on top), the instance of one of
// them, and the child instances its stages open. The full output of each is compared with its
// .expected.json by scenarios.test.ts; here, what a reader of the output relies on.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { simulate } from './scenarios.test.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/simulate/${name}`, import.meta.url));

interface Out {
  instances: {
    unit: string;
    process: string;
    transitions: { event: string; to: string[] }[];
    escalations: { kind: string; notify: string[]; units: string[] }[];
    final: { status: string };
  }[];
  rejected: unknown[];
  children: {
    stage: string;
    total: number;
    done: number;
    pending: number;
    late: number;
    units: { unit: string; late: boolean; figures: Record<string, unknown> }[];
  }[];
  rollup: Record<string, Record<string, { count: number; sum: number }>>;
  late: string[];
}

async function run(name: string): Promise<Out> {
  const { code, out, err } = await simulate(fixture(name));
  expect(err).to.equal('');
  expect(code).to.equal(0);
  return JSON.parse(out) as Out;
}

describe('tiendo simulate: trees', () => {
  it("Bộ → Sở → Phòng → school: the school's instance, its ladder going to its Phòng", async () => {
    const out = await run('tree-district.yaml');
    expect(out.instances.map((i) => i.unit)).to.deep.equal(['th-1']);
    expect(out.instances[0]!.escalations.find((e) => e.kind === 'overdue')!.units).to.deep.equal(['th-1', 'pgd-a']);
    expect(out).to.deep.include({ children: [], rollup: {}, late: [] });
  });

  it('Bộ → Sở → UBND xã → school: the commune is the school\'s "district"', async () => {
    const out = await run('tree-commune.yaml');
    expect(out.instances[0]!.unit).to.equal('th-2');
    expect(out.instances[0]!.escalations.find((e) => e.kind === 'overdue')!.units).to.deep.equal(['th-2', 'xa-an-binh']);
    expect(out.instances[0]!.final.status).to.equal('done');
  });

  it('a Sở fanning out to two Phòng and a THPT: child instances, roll-up, the late one at the cut-off', async () => {
    const out = await run('fan-out-late.yaml');
    expect(out.instances.map((i) => [i.unit, i.process])).to.deep.equal([
      ['so', 'sim-so-collect'],
      ['pgd-a', 'sim-unit-report'],
      ['pgd-b', 'sim-unit-report'],
      ['thpt-1', 'sim-unit-report'],
    ]);
    expect(out.instances[0]!.transitions.map((t) => t.event)).to.deep.equal(['instance.start', 'DUE', 'SEND']);
    // The reminder goes to the fan-out's unfinished units; the consolidation's overdue up to the Bộ.
    expect(out.instances[0]!.escalations.map((e) => [e.kind, e.units])).to.deep.equal([
      ['reminder', ['pgd-b']],
      ['overdue', ['so', 'bo']],
    ]);
    expect(out.instances.find((i) => i.unit === 'pgd-b')!.final.status).to.equal('running');
    const [collect] = out.children;
    expect(collect).to.include({ stage: 'collect', total: 3, done: 2, pending: 1, late: 1 });
    expect(collect!.units.map((u) => [u.unit, u.late])).to.deep.equal([
      ['pgd-b', true],
      ['pgd-a', false],
      ['thpt-1', false],
    ]);
    expect(out.rollup.collect!.schools).to.include({ count: 2, sum: 41 });
    expect(out.rollup.collect!.completed).to.include({ count: 2, sum: 39 });
    expect(out.late).to.deep.equal(['pgd-b']);
  });

  it('a sample given at start, in the commune shape: a quorum met before the cut-off, the one that never answered late', async () => {
    const out = await run('fan-out-sample.yaml');
    expect(out.instances.map((i) => i.unit)).to.deep.equal(['so', 'th-1', 'thcs-3', 'thpt-4']);
    expect(out.instances[0]!.transitions.map((t) => t.event)).to.deep.equal(['instance.start', 'CHILDREN_DONE']);
    expect(out.instances.find((i) => i.unit === 'thcs-3')!.escalations[0]!.units).to.deep.equal(['thcs-3', 'xa-2']);
    expect(out.children[0]).to.include({ total: 3, done: 2, pending: 1 });
    expect(out.late).to.deep.equal(['thcs-3']);
  });
});
