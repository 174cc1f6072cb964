// The pure rules of work across the tree: which units a fan-out reaches, when its wait is met, and
// how the children's answers add up.
import { expect } from 'chai';
import { fanOutCampaign, fanOutId, rollUp, waitMet } from '../../engine/service/fan-out.ts';
import type { ChildAnswer } from '../../engine/ports.ts';

const answer = (unitId: string, data: Record<string, unknown>, task = 'figures'): ChildAnswer => ({
  unitId,
  instanceId: `i-${unitId}`,
  task,
  data,
  completedAt: 0,
});

describe('fan-out rules', () => {
  it('adds numbers up, counts yes answers, lists units by value, and skips what was not answered', () => {
    const figures = rollUp(
      { schools: { task: 'figures', field: 'schools' }, done: { task: 'figures', field: 'done' }, rating: { task: 'figures', field: 'rating' } },
      [
        answer('b', { schools: 12, done: true, rating: 'good' }),
        answer('a', { schools: 3, done: false, rating: 'good' }),
        answer('c', { schools: null, rating: 'fair' }),
        answer('d', { schools: 99 }, 'other_task'),
      ],
    );
    expect(figures.schools).to.deep.equal({ count: 2, sum: 15, min: 3, max: 12, values: { '12': ['b'], '3': ['a'] } });
    expect(figures.done).to.deep.equal({ count: 2, sum: 1, values: { true: ['b'], false: ['a'] } });
    expect(figures.rating!.values).to.deep.equal({ good: ['a', 'b'], fair: ['c'] });
  });

  it('a quorum rounds up, a count is a count, all waits for every unit not cancelled', () => {
    expect(waitMet({ quorum: 0.66 }, { total: 3, done: 1, pending: 2 })).to.equal(false);
    expect(waitMet({ quorum: 0.66 }, { total: 3, done: 2, pending: 1 })).to.equal(true);
    expect(waitMet({ quorum: 0.9 }, { total: 10, done: 8, pending: 2 })).to.equal(false);
    expect(waitMet({ count: 2 }, { total: 50, done: 2, pending: 48 })).to.equal(true);
    expect(waitMet(undefined, { total: 3, done: 2, pending: 1 })).to.equal(false);
    expect(waitMet({ all: true }, { total: 3, done: 2, pending: 0 })).to.equal(true);
    expect(waitMet(undefined, { total: 0, done: 0, pending: 0 }), 'a fan-out that reaches no unit').to.equal(true);
  });

  it('reaches the kinds the child is for unless units are named, and passes the anchors it names down', () => {
    const base = {
      parent: {
        instanceId: 'p',
        unit: { id: 'so', kind: 'department' as const, name: 'Sở', path: '/so/', depth: 0, createdAt: 0 },
        stage: 'collect',
        seq: 3,
        cutoffAt: 5,
      },
      child: { id: 'unit-report', version: 2, appliesTo: ['district-office' as const, 'upper-secondary' as const] },
      lists: { sample: ['th_1', 'th_2'] },
      anchors: { cutoff: '2022-06-25', other: '2022-01-01' },
      actor: 'system',
      at: 1,
    };
    const all = fanOutCampaign({
      ...base,
      fanOut: { units: { depth: 'descendants' }, process: 'unit-report', anchors: { deadline: 'cutoff', missing: 'nope' } },
    });
    expect(all).to.deep.include({
      id: fanOutId('p', 3),
      kinds: ['district-office', 'upper-secondary'],
      depth: 'descendants',
      anchors: { deadline: '2022-06-25' },
    });
    expect(all.parent).to.deep.equal({ instanceId: 'p', stage: 'collect', seq: 3, cutoffAt: 5 });
    const sample = fanOutCampaign({ ...base, fanOut: { units: { list: 'sample', ids: ['th_1', 'th_9'] }, process: 'unit-report' } });
    expect([sample.kinds, sample.unitIds, sample.depth]).to.deep.equal([[], ['th_1', 'th_9', 'th_2'], 'children']);
  });
});
