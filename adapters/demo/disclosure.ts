// Storyline: this year's public disclosure (TT 09/2024) in every school and centre, launched five
// weeks ago with the annual report due in a little over three weeks. Most schools are still
// drafting (due within days); some wait for the principal's approval, some are posting, a few have
// published — and of those a few had a change to post within 10 working days, some of whom let it
// lie until it was escalated to the Phòng and the Sở.
import { addDays, localDateOf } from '../../engine/calendar/time.ts';
import { FLAGSHIP } from './province.ts';
import type { Rng } from './rng.ts';
import { layPath, launchCampaign, workDays, type Pass, type Story } from './story.ts';
import type { Route } from './work.ts';

const ROUTE: Route = {
  drafting: { event: 'SUBMIT' },
  approval: { event: 'DECISION', data: { decision: 'approved' } },
  // The two posting tracks end by themselves once their task is done.
  website_posting: {},
  board_posting: {},
  revise_content: { event: 'REVISED' },
  repost: { event: 'REPOSTED' },
};

type Fate = 'idle' | 'collecting' | 'awaiting-approval' | 'approval-overdue' | 'posting' | 'published' | 'updating' | 'update-escalated';

const LAUNCH = -25;

export function planDisclosure(story: Story): void {
  const { time } = story;
  // "Trước ngày 30/6" in the real calendar; here a deadline three weeks and a bit after today.
  const deadline = addDays(time.today, 24);
  story.agenda.add(time.at(LAUNCH, 8), 'launch public disclosure', async () => {
    const instances = await launchCampaign(
      story,
      {
        id: `cong-khai-${deadline.slice(0, 4)}`,
        definitionId: 'public-disclosure',
        rootUnitId: FLAGSHIP.department,
        reason: `Công khai báo cáo thường niên năm ${deadline.slice(0, 4)} theo Thông tư 09/2024`,
      },
      { report_deadline: deadline },
    );
    const rng = story.rng.fork('disclosure');
    for (const unitId of [...instances.keys()].sort()) layFate(story, instances.get(unitId)!, SPECIAL.get(unitId) ?? randomFate(rng), rng);
  });
}

const SPECIAL = new Map<string, Fate>([
  [FLAGSHIP.lowerSecondary, 'collecting'],
  [FLAGSHIP.primary, 'posting'],
  [FLAGSHIP.upperSecondary, 'published'],
]);

function randomFate(rng: Rng): Fate {
  const r = rng.next();
  if (r < 0.45) return 'idle';
  if (r < 0.72) return 'collecting';
  if (r < 0.8) return 'awaiting-approval';
  if (r < 0.83) return 'approval-overdue';
  if (r < 0.9) return 'posting';
  if (r < 0.96) return 'published';
  if (r < 0.98) return 'updating';
  return 'update-escalated';
}

function layFate(story: Story, instanceId: string, fate: Fate, rng: Rng): void {
  const passes: Record<Exclude<Fate, 'idle' | 'collecting'>, () => Pass[]> = {
    'awaiting-approval': () => [{ offset: rng.int(-4, -1) }],
    'approval-overdue': () => [{ offset: rng.int(-12, -8) }],
    posting: () => {
      const submitted = rng.int(-15, -6);
      return [{ offset: submitted }, { offset: submitted + rng.int(1, 4) }];
    },
    published: () => [{ offset: rng.int(-18, -12) }, { offset: rng.int(-10, -7) }, { offset: rng.int(-6, -1) }],
    updating: () => [{ offset: -20 }, { offset: -18 }, { offset: -16 }],
    'update-escalated': () => [{ offset: -23 }, { offset: -22 }, { offset: -21 }],
  };
  if (fate === 'idle') return;
  if (fate === 'collecting') {
    layPath(story, instanceId, ROUTE, LAUNCH, [], { workAfter: workDays(LAUNCH, 0, 1, rng) });
    return;
  }
  layPath(story, instanceId, ROUTE, LAUNCH, passes[fate](), { workPerStage: 1 });
  // A change to post within 10 working days of the day it happened (given with the event): recent
  // (due soon), or left lying (escalated).
  const change = (offset: number) => () =>
    story.work.send(instanceId, 'CHANGE', { changedOn: localDateOf(story.time.at(offset, 14)), what: 'Thay đổi đội ngũ giáo viên' });
  if (fate === 'updating') story.agenda.add(story.time.at(-8, 14), `change ${instanceId}`, change(-8));
  if (fate === 'update-escalated') {
    story.agenda.add(story.time.at(-19, 14), `change ${instanceId}`, change(-19));
    story.agenda.add(story.time.at(-12, 10), `task ${instanceId}`, () => story.work.completeNextTask(instanceId));
  }
}
