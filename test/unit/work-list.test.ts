// The work list's pure half: search by word starts without diacritics, filters whose counts are what
// choosing each value would give, the due classes in working days, and stable paging.
import { expect } from 'chai';
import { byDue, dueClass, matchesWords, workPage, type WorkFacts } from '../../engine/application/work-list.ts';
import { foldText } from '../../engine/text.ts';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
let n = 0;
function item(over: Partial<WorkFacts>): WorkFacts {
  n++;
  return {
    id: `i${String(n).padStart(3, '0')}`,
    unitId: 'th-a',
    unitName: 'Trường Tiểu học Nguyễn Du',
    officeId: 'pgd-a',
    officeName: 'Phòng GDĐT Châu Thành',
    definitionId: 'acc',
    processTitle: { vi: 'Kiểm định chất lượng', en: 'Accreditation' },
    stage: 'sa',
    stageTitle: { vi: 'Tự đánh giá', en: 'Self-assessment' },
    title: { vi: 'Lập kế hoạch', en: 'Plan' },
    dueAt: NOW + 10 * DAY,
    openedAt: NOW - DAY,
    workingDaysLeft: 8,
    ...over,
  };
}

describe('work list (pure)', () => {
  it('finds words at the start of words, one- and two-letter words whole, diacritics optional', () => {
    const text = foldText('Trường THCS Nguyễn Du — giáo dục');
    expect(matchesWords(text, ['nguyen', 'du'])).to.equal(true);
    expect(matchesWords(text, ['ngu'])).to.equal(true);
    expect(matchesWords(foldText('Trường Nguyễn Thái Học — giáo dục'), ['nguyen', 'du']), '"du" is not "dục"').to.equal(false);
    expect(matchesWords(text, ['guyen']), 'not inside a word').to.equal(false);
  });

  it('classes items overdue, due soon (≤ 5 working days) or later', () => {
    expect(dueClass({ dueAt: NOW - 1, workingDaysLeft: -1 }, NOW)).to.equal('overdue');
    expect(dueClass({ dueAt: NOW + 7 * DAY, workingDaysLeft: 5 }, NOW)).to.equal('soon');
    expect(dueClass({ dueAt: NOW + 8 * DAY, workingDaysLeft: 6 }, NOW)).to.equal('ok');
    expect(dueClass({ dueAt: null, workingDaysLeft: null }, NOW)).to.equal('none');
  });

  it('counts each filter value as if that filter alone were unset', () => {
    const items = [
      item({ unitId: 'a', unitName: 'A', definitionId: 'p1', dueAt: NOW - DAY, workingDaysLeft: -1 }),
      item({ unitId: 'a', unitName: 'A', definitionId: 'p2' }),
      item({ unitId: 'b', unitName: 'B', definitionId: 'p1', dueAt: NOW + DAY, workingDaysLeft: 1 }),
      item({ unitId: 'b', unitName: 'B', definitionId: 'p1', dueAt: null, workingDaysLeft: null }),
    ];
    const page = workPage(items, { unitId: 'a', definitionId: 'p1' }, NOW);
    expect(page.total).to.equal(1);
    expect(page.facets.units).to.deep.equal([
      { id: 'b', title: { vi: 'B', en: 'B' }, count: 2 },
      { id: 'a', title: { vi: 'A', en: 'A' }, count: 1 },
    ]);
    expect(page.facets.processes.map((f) => [f.id, f.count])).to.deep.equal([
      ['p1', 1],
      ['p2', 1],
    ]);
    expect(page.facets.due).to.deep.equal({ all: 1, overdue: 1, soon: 0 });
    const soon = workPage(items, { due: 'soon' }, NOW);
    expect(soon.items.map((i) => i.unitId)).to.deep.equal(['b']);
    expect(soon.facets.due).to.deep.equal({ all: 4, overdue: 1, soon: 1 });
  });

  it('pages the sorted list without losing or repeating an item, ties kept in order by id', () => {
    const items = Array.from({ length: 23 }, (_, k) => item({ dueAt: k % 3 ? NOW + (k % 5) * DAY : null, openedAt: NOW }));
    const seen: string[] = [];
    for (let offset = 0; offset < 23; offset += 5) seen.push(...workPage(items, { offset, limit: 5 }, NOW).items.map((i) => i.id));
    expect(seen).to.deep.equal([...items].sort(byDue).map((i) => i.id));
    expect(new Set(seen).size).to.equal(23);
    expect(workPage(items, { offset: 40, limit: 5 }, NOW)).to.deep.include({ items: [], total: 23 });
  });

  it('keeps a month: due at or after its start, before the next', () => {
    const items = [item({ dueAt: NOW - 1 }), item({ dueAt: NOW }), item({ dueAt: NOW + DAY - 1 }), item({ dueAt: NOW + DAY }), item({ dueAt: null })];
    expect(workPage(items, { dueFrom: NOW, dueBefore: NOW + DAY }, NOW).items.map((i) => i.dueAt)).to.deep.equal([NOW, NOW + DAY - 1]);
  });
});
