// Storyline: this year's accreditation round (KĐCLGD). Every THPT, the THCS of two districts, the
// primary schools of one and the preschools of another started their self-assessment four months
// ago. By "now" most are still at it (on time); a few pioneers moved on and stalled — an improvement
// plan or a registration overdue, a registration the Phòng sat on (escalated to the Sở), one
// returned for completion — one THPT awaits its evaluation visit and one has been recognised.
import { addMonths } from '../../engine/calendar/time.ts';
import type { Timeline } from './agenda.ts';
import { FLAGSHIP } from './province.ts';
import type { Rng } from './rng.ts';
import { layPath, launchCampaign, workDays, type Pass, type Story } from './story.ts';
import type { Move, Route } from './work.ts';

const REVIEWED = { event: 'REVIEW', data: { decision: 'accepted' } };
const SECONDARY: Route = {
  self_assessment: { event: 'SUBMIT' },
  improvement_plan: { event: 'SUBMIT' },
  registration: { event: 'REGISTER' },
  district_review: REVIEWED,
  department_review: REVIEWED,
  team_appointment: { event: 'APPOINTED' },
  desk_review: { event: 'SCHEDULE_VISIT', anchor: 'visit_date' },
  preliminary_visit: { event: 'VISIT_DONE' },
  official_visit: { event: 'VISIT_DONE' },
  draft_report: { event: 'SEND_DRAFT' },
  school_feedback: { event: 'FEEDBACK', data: { agrees: true } },
  final_report: { event: 'SUBMIT' },
  recognition: { event: 'DECIDE', data: { accreditationLevel: 2, nationalStandardLevel: 1, decisionNo: '215/QĐ-SGDĐT' } },
};
/** The Sở's decision signed on the day it is recorded: the five years, the renewal limit and the yearly reports count from it. */
const decided = (date: string): Move => ({ ...SECONDARY.recognition!, data: { ...SECONDARY.recognition!.data, decisionDate: date } });
const PRIMARY: Route = { ...SECONDARY, preliminary_visit: { event: 'PRELIMINARY_DONE' } };
const CHECKED = { event: 'CHECKED', data: { outcome: 'accepted' } };
const PRESCHOOL: Route = {
  ...PRIMARY,
  district_check: CHECKED,
  department_check: CHECKED,
  appointment: { event: 'APPOINTED' },
  dossier_study: { event: 'SCHEDULE_VISIT', anchor: 'visit_date' },
};

const RETURN_NOTE = 'Bổ sung minh chứng tiêu chí 2.3 và 3.1; báo cáo tự đánh giá thiếu chữ ký thành viên hội đồng';
const PROCESSES = {
  'accreditation-general-school': { route: SECONDARY, returned: { event: 'REVIEW', data: { decision: 'returned', note: RETURN_NOTE } } },
  'accreditation-primary': { route: PRIMARY, returned: { event: 'REVIEW', data: { decision: 'returned', note: RETURN_NOTE } } },
  'accreditation-preschool': { route: PRESCHOOL, returned: { event: 'CHECKED', data: { outcome: 'returned', toComplete: RETURN_NOTE } } },
} as const satisfies Record<string, { route: Route; returned: Move }>;
type ProcessId = keyof typeof PROCESSES;

type Pioneer = 'improvement-overdue' | 'registration-overdue' | 'registration-due-soon' | 'review-escalated' | 'returned' | 'visit-scheduled' | 'recognized';
type Fate = Pioneer | 'steady' | 'idle' | 'merged';

/** Where each pioneer left each stage, in working days before today. */
function passesFor(fate: Pioneer, time: Timeline, returned: Move): Pass[] {
  const at = (...offsets: number[]): Pass[] => offsets.map((offset) => ({ offset }));
  switch (fate) {
    case 'improvement-overdue':
      return at(-32);
    case 'registration-overdue':
      return at(-50, -19);
    case 'registration-due-soon':
      return at(-30, -13);
    case 'review-escalated':
      return at(-55, -40, -20);
    case 'returned':
      return [...at(-60, -48, -38), { offset: -33, move: returned }, ...at(-22, -16)];
    case 'visit-scheduled':
      return [...at(-62, -55, -48, -44, -38), { offset: -30, anchorDate: time.date(12) }];
    case 'recognized': {
      // Recognition opens a 55-month stage; when that runs past the installed calendar years the
      // engine cannot count it, so the story stops at the Sở's decision, due within days.
      const counted = time.calendar.covers(addMonths(time.today, 56));
      return [
        ...at(-66, -61, -56, -52, -49),
        { offset: -46, anchorDate: time.date(-30) },
        ...at(-41, -28, -22, -19, -16),
        ...(counted ? [{ offset: -6, move: decided(time.date(-6)) }] : []),
      ];
    }
  }
}

const LAUNCH = -68;

export function planAccreditation(story: Story): void {
  const { time, rng } = story;
  const year = time.today.slice(0, 4);
  const offices = story.units.filter((u) => u.kind === 'district-office').map((u) => u.id);
  const campaigns: { id: string; definitionId: ProcessId; rootUnitId: string; kinds?: string[] }[] = [
    { id: `kiem-dinh-${year}-thpt`, definitionId: 'accreditation-general-school', rootUnitId: FLAGSHIP.department, kinds: ['upper-secondary'] },
    { id: `kiem-dinh-${year}-thcs-${offices[0]}`, definitionId: 'accreditation-general-school', rootUnitId: offices[0]!, kinds: ['lower-secondary'] },
    { id: `kiem-dinh-${year}-thcs-${offices[2]}`, definitionId: 'accreditation-general-school', rootUnitId: offices[2]!, kinds: ['lower-secondary'] },
    { id: `kiem-dinh-${year}-th-${offices[0]}`, definitionId: 'accreditation-primary', rootUnitId: offices[0]! },
    { id: `kiem-dinh-${year}-mn-${offices[1]}`, definitionId: 'accreditation-preschool', rootUnitId: offices[1]! },
  ];
  story.agenda.add(time.at(LAUNCH, 8), 'launch accreditation', async () => {
    const fates = rng.fork('accreditation');
    for (const c of campaigns) {
      const instances = await launchCampaign(story, { ...c, reason: `Kế hoạch kiểm định chất lượng giáo dục năm ${year}` });
      const ids = [...instances.keys()].sort();
      const special = specialFates(ids, c.rootUnitId);
      for (const unitId of ids)
        layFate(story, c.definitionId, instances.get(unitId)!, special.get(unitId) ?? randomFate(fates, c.kinds?.includes('upper-secondary') ?? false));
    }
  });
}

/** The demo logins' schools, and in their district one school the Phòng sits on, get set stories. */
function specialFates(unitIds: string[], rootUnitId: string): Map<string, Fate> {
  const fates = new Map<string, Fate>([
    [FLAGSHIP.lowerSecondary, 'registration-overdue'],
    [FLAGSHIP.primary, 'improvement-overdue'],
    [FLAGSHIP.upperSecondary, 'visit-scheduled'],
  ]);
  const others = unitIds.filter((id) => !fates.has(id));
  if (rootUnitId === FLAGSHIP.department && others[0]) fates.set(others[0], 'recognized');
  if (rootUnitId === FLAGSHIP.district && others[0]) fates.set(others[0], 'review-escalated');
  if (rootUnitId !== FLAGSHIP.department && rootUnitId !== FLAGSHIP.district && others[0]) fates.set(others[0], 'merged');
  return fates;
}

function randomFate(rng: Rng, upperSecondary: boolean): Fate {
  const r = rng.next();
  if (r < 0.25)
    return rng.pick<Pioneer>([
      'improvement-overdue',
      'registration-overdue',
      'registration-due-soon',
      'review-escalated',
      'returned',
      ...(upperSecondary ? (['visit-scheduled'] as const) : []),
    ]);
  return r < 0.7 ? 'steady' : 'idle';
}

function layFate(story: Story, definitionId: ProcessId, instanceId: string, fate: Fate): void {
  const { route, returned } = PROCESSES[definitionId];
  if (fate === 'idle') return;
  if (fate === 'merged') {
    story.agenda.add(story.time.at(-20, 10), `cancel ${instanceId}`, () =>
      story.work.cancel(instanceId, 'Trường sáp nhập theo quyết định của UBND huyện; dừng kiểm định'),
    );
    return;
  }
  if (fate === 'steady') {
    layPath(story, instanceId, route, LAUNCH, [], { workAfter: workDays(LAUNCH, 0, story.rng.int(1, 3), story.rng) });
    return;
  }
  layPath(story, instanceId, route, LAUNCH, passesFor(fate, story.time, returned), { workAfter: fate === 'registration-overdue' ? [-10] : [] });
}
