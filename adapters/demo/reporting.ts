// Storyline: half-year periodic reporting (TT 19/2020) as the chain it is: the Sở's instance opens
// the district part for every Phòng, waits for them until the cut-off (the day before the Phòng's
// date), adds up their figures and files with the Ministry. The first round is over by "now" — most
// Phòng on time, one returned for a correction, one late (listed at the cut-off, escalated to the
// Sở, then filed) — and the Sở has filed with the Ministry; the second round is open, the Sở waiting
// on its Phòng, their data collection due within a week.
import { addDays } from '../../engine/calendar/time.ts';
import { FLAGSHIP } from './province.ts';
import { layPath, startTree, type Pass, type Story } from './story.ts';
import type { Route } from './work.ts';

const ROUTE: Route = {
  data_collection: { event: 'COMPILED' },
  district_submission: { event: 'SUBMIT' },
  district_late: { event: 'SUBMIT' },
  district_correction: { event: 'SUBMIT' },
  department_acceptance: { event: 'REVIEW', data: { decision: 'accepted' } },
  department_consolidation: { event: 'CONSOLIDATED' },
  department_submission: { event: 'SUBMIT' },
};

const RETURNED = { event: 'REVIEW', data: { decision: 'returned', note: 'Số liệu học sinh cuối kỳ chưa khớp với cơ sở dữ liệu ngành' } };

export function planReporting(story: Story): void {
  const { agenda, time } = story;
  const offices = story.units.filter((u) => u.kind === 'district-office').map((u) => u.id);
  const returned = offices[2];
  const late = offices[5];

  const first = { district: time.date(-40), at: -62 };
  agenda.add(time.at(first.at, 8), 'launch periodic reporting, round 1', async () => {
    const anchors = { district_deadline: first.district, department_deadline: addDays(first.district, 6) };
    const { parentId, children } = await startTree(
      story,
      {
        id: `bao-cao-dinh-ky-${first.district.slice(0, 7)}`,
        reason: 'Báo cáo định kỳ 6 tháng theo Thông tư 19/2020',
        definitionId: 'periodic-reporting',
        orgUnitId: FLAGSHIP.department,
        anchors,
      },
      { district_deadline: first.district },
    );
    // The Sở: its collection ends when the last Phòng is accepted or at the cut-off; then it
    // consolidates (naming the late Phòng) and files.
    layPath(story, parentId, ROUTE, -41, [{ offset: -39, move: { event: 'CONSOLIDATED', fields: { lateUnits: [late] } } }, { offset: -38 }], {
      workPerStage: 1,
    });
    for (const [unitId, id] of children) {
      const passes: Pass[] =
        unitId === late
          ? [{ offset: -44 }, { offset: -34 }, { offset: -33 }]
          : unitId === returned
            ? [{ offset: -49 }, { offset: -46 }, { offset: -44, move: RETURNED }, { offset: -43 }, { offset: -42 }]
            : [{ offset: -49 }, { offset: -46 }, { offset: -44 }];
      layPath(story, id, ROUTE, first.at, passes, { workPerStage: 2 });
    }
  });

  const second = { district: time.date(9), at: -10 };
  agenda.add(time.at(second.at, 8), 'launch periodic reporting, round 2', async () => {
    const anchors = { district_deadline: second.district, department_deadline: addDays(second.district, 6) };
    const { children } = await startTree(
      story,
      {
        id: `bao-cao-dinh-ky-${second.district.slice(0, 7)}`,
        reason: 'Báo cáo định kỳ 6 tháng theo Thông tư 19/2020',
        definitionId: 'periodic-reporting',
        orgUnitId: FLAGSHIP.department,
        anchors,
      },
      { district_deadline: second.district },
    );
    for (const [unitId, id] of children) {
      if (unitId === offices[1]) layPath(story, id, ROUTE, second.at, [{ offset: -2 }], { workPerStage: 2 });
      else
        layPath(story, id, ROUTE, second.at, [], {
          workAfter: unitId === FLAGSHIP.district ? [-5] : story.rng.shuffle([-8, -6, -3]).slice(0, story.rng.int(0, 1)),
        });
    }
  });
}
