// What the seeded demo province holds at "now", counted through the engine's queries: the numbers
// `npm start` prints after seeding, and what the seed test checks.
import type { InstanceStatus } from '../../engine/domain.ts';
import { openTasks, overdueBoard } from '../../engine/service/queries.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import type { Runtime } from '../runtime.ts';
import type { Refusal } from './agenda.ts';
import { FLAGSHIP } from './province.ts';
import { DEMO_USERS } from './users.ts';

export interface DemoSummary {
  seed: number;
  units: { total: number; byKind: Record<string, number> };
  instances: { total: number; byStatus: Record<InstanceStatus, number>; byProcess: Record<string, number> };
  /** Running instances past their due moment, and due within five working days. */
  overdue: number;
  dueSoon: number;
  /** Overdue instances by working days past due (the board's ageing buckets). */
  overdueByAge: Record<string, number>;
  /** Ladder rungs that fired, by kind. */
  escalations: { reminder: number; overdue: number; escalation: number };
  /** Inbox notices of the Sở, of all the Phòng, of all the schools. */
  inbox: { department: number; districts: number; schools: number };
  /** Open tasks held by each demo login's unit (the unit itself, not its subtree). */
  openTasks: Record<string, { unitId: string; open: number; overdue: number }>;
  /** Commands sent, timers fired, commands refused (expected: none). */
  commands: number;
  timersFired: number;
  refusals: Refusal[];
  elapsedMs: number;
  /** Where the time went: by kind of act (launch, task, pass…) and firing timers, rounded ms. */
  spent: Record<string, { count: number; ms: number }>;
}

export async function summarise(
  rt: Runtime,
  units: readonly UnitInput[],
  run: Pick<DemoSummary, 'seed' | 'commands' | 'timersFired' | 'refusals' | 'elapsedMs' | 'spent'>,
): Promise<DemoSummary> {
  const { engine, queries } = rt;
  const now = engine.clock.now();
  const byKind: Record<string, number> = {};
  for (const u of units) byKind[u.kind] = (byKind[u.kind] ?? 0) + 1;

  const byStatus = { running: 0, done: 0, cancelled: 0, needs_migration: 0 } satisfies Record<InstanceStatus, number>;
  const byProcess: Record<string, number> = {};
  const escalations = { reminder: 0, overdue: 0, escalation: 0 };
  let afterId: string | undefined;
  for (;;) {
    const page = await queries.listInstances({}, { limit: 500, ...(afterId ? { afterId } : {}) });
    if (!page.length) break;
    for (const i of page) {
      byStatus[i.status]++;
      byProcess[i.definitionId] = (byProcess[i.definitionId] ?? 0) + 1;
      for (const e of await queries.escalationsOf(i.id)) escalations[e.kind]++;
    }
    afterId = page.at(-1)!.id;
  }

  const board = await overdueBoard(engine, FLAGSHIP.department);
  const count = async (kinds: string[]) =>
    (
      await queries.inbox(
        units.filter((u) => kinds.includes(u.kind)).map((u) => u.id),
        { unreadOnly: false, limit: 1_000_000 },
      )
    ).length;
  const tasks: DemoSummary['openTasks'] = {};
  for (const user of DEMO_USERS) {
    const unitId = user.grants[0]!.unitId;
    const open = await openTasks(engine, [unitId], { limit: 10_000 });
    tasks[user.login] = { unitId, open: open.length, overdue: open.filter((t) => t.dueAt !== undefined && t.dueAt < now).length };
  }
  return {
    seed: run.seed,
    units: { total: units.length, byKind },
    instances: { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus, byProcess: Object.fromEntries(Object.entries(byProcess).sort()) },
    overdue: board.totals.overdue,
    dueSoon: board.totals.dueSoon,
    overdueByAge: board.totals.ages,
    escalations,
    inbox: {
      department: await count(['department']),
      districts: await count(['district-office']),
      schools: await count(['preschool', 'primary', 'lower-secondary', 'upper-secondary', 'multi-level', 'continuing-education']),
    },
    openTasks: tasks,
    commands: run.commands,
    timersFired: run.timersFired,
    refusals: run.refusals,
    elapsedMs: run.elapsedMs,
    spent: run.spent,
  };
}
