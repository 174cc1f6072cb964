// Storylines of work across the tree, in progress at "now":
// - the Sở's review of accreditation work and diploma management (the Bến Tre letter of 2022, run
//   again in the demo's year): opened for every Phòng, THPT, centre and the two special schools;
//   the cut-off was three working days ago; two Phòng have not reported — late and listed, the Sở
//   urging them — while the others' figures are added up (one report returned once, with its reason);
// - a PISA round for a sample of lower- and upper-secondary schools the Ministry chose: the schools
//   prepare their data and conditions for their survey days within the window, some behind.
import { FLAGSHIP } from './province.ts';
import { childrenOf, layPath, startTree, type Pass, type Story } from './story.ts';
import type { Route } from './work.ts';

const REVIEW_ROUTE: Route = {
  review: { event: 'REVIEWED' },
  online_report: { event: 'SUBMIT' },
  late: { event: 'SUBMIT' },
  clarification: { event: 'SUBMIT' },
  department_check: { event: 'REVIEW', data: { decision: 'accepted' } },
};
const RETURNED = { event: 'REVIEW', data: { decision: 'returned', note: 'Bổ sung số trường chưa hoàn thành tự đánh giá theo từng cấp học' } };

const SURVEY_ROUTE: Route = {
  planning: { event: 'PLANNED' },
  data_preparation: { event: 'READY' },
  conditions: { event: 'READY' },
  survey_day: { event: 'SURVEYED' },
  returns: { event: 'RETURNED' },
};

export function planReview(story: Story): void {
  const { agenda, time, rng } = story;
  const offices = story.units.filter((u) => u.kind === 'district-office').map((u) => u.id);
  const late = [offices[3]!, offices[7]!];
  const returned = offices[1]!;
  const launch = -12;
  const cutoff = time.date(-3);

  agenda.add(time.at(launch, 8), 'launch the Bến Tre review', async () => {
    const { parentId, children } = await startTree(
      story,
      {
        id: 'ra-soat-kdcl-van-bang',
        reason: 'Kiểm tra, rà soát công tác kiểm định chất lượng và quản lý văn bằng, chứng chỉ',
        definitionId: 'ben-tre-review-2022',
        orgUnitId: FLAGSHIP.department,
        anchors: { report_deadline: cutoff },
      },
      { report_deadline: cutoff },
    );
    // The Sở urges the late units (its task after the cut-off) — not yet done at "now".
    void parentId;
    for (const [unitId, id] of children) {
      let passes: Pass[];
      let workAfter: number[] = [];
      if (unitId === late[0]) {
        passes = [];
        workAfter = [-9, -7]; // began its review, never filed
      } else if (unitId === late[1]) {
        passes = [];
      } else if (unitId === returned) {
        passes = [{ offset: -10 }, { offset: -8 }, { offset: -7, move: RETURNED }, { offset: -6 }, { offset: -5 }];
      } else {
        const filed = rng.int(-9, -5);
        passes = [{ offset: filed - 2 }, { offset: filed }, { offset: Math.min(filed + 1, -4) }];
      }
      layPath(story, id, REVIEW_ROUTE, launch, passes, { workPerStage: 3, workAfter });
    }
  });

  // PISA: the Ministry's sample in this province, the Sở's instance; each school's survey day set
  // when the survey team notifies it.
  const sampleLaunch = -16;
  agenda.add(time.at(sampleLaunch, 8), 'launch the PISA sample', async () => {
    const pool = (kind: string) => story.units.filter((u) => u.kind === kind && u.id !== FLAGSHIP.upperSecondary).map((u) => u.id);
    const sample = [FLAGSHIP.upperSecondary, ...rng.shuffle(pool('upper-secondary')).slice(0, 7), ...rng.shuffle(pool('lower-secondary')).slice(0, 4)].sort();
    const { parentId } = await startTree(story, {
      id: 'pisa-mau',
      reason: 'Chương trình Đánh giá học sinh quốc tế PISA: trường được Bộ GDĐT chọn mẫu',
      definitionId: 'national-assessment',
      orgUnitId: FLAGSHIP.department,
      anchors: { window_ends: time.date(14) },
      lists: { sample },
    });
    layPath(story, parentId, SURVEY_ROUTE, sampleLaunch, [{ offset: -14, move: { event: 'PLANNED', fields: { programme: 'pisa' } } }], { workPerStage: 2 });
    agenda.add(time.at(-14, 16.5), 'the PISA schools get their survey days', async () => {
      const children = await childrenOf(story, parentId);
      let n = 0;
      for (const [unitId, id] of children) {
        const day = time.date(4 + (n++ % 8));
        await story.rt.engine.setAnchor(id, 'survey_day', day, { actor: 'admin' });
        // Most have sent their data lists; a few are still at it, one not started (overdue soon).
        const passes: Pass[] =
          unitId === FLAGSHIP.upperSecondary ? [{ offset: -6 }] : n % 4 === 0 ? [] : n % 3 === 0 ? [{ offset: -8 }, { offset: -2 }] : [{ offset: -7 }];
        layPath(story, id, SURVEY_ROUTE, -14, passes, { workPerStage: 3, workAfter: n % 4 === 0 ? [] : [-1] });
      }
    });
  });
}
