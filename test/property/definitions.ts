// Random VALID process definitions for the property tests, over a subset of the language
// (engine/definition/schema.json): 1–6 working stages and 1–2 final ones in a chain (s0 → s1 → … → done) with extra edges
// making a small graph (back, skip and self edges, an early way out to a second final stage), tasks
// with optional forms and `when`, evidence checklists, deadlines in workingDays or days (with and
// without rollForward), ladders (reminder / overdue / escalation), DUE transitions, stages that move on
// by themselves once their tasks are done (`always`, forward only), and guards built
// from tasksDone (all or a list), event and task fields, unit.kind and not/any/all. Every definition
// this makes must load with no errors; test/property/definitions.test.ts asserts it.
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { Condition, EscalationStep, Form, ProcessDefinition, Stage, Task, Transition } from '../../engine/definition/types.generated.ts';

/** Events the generated processes use. DECIDE carries { ok: boolean } (required); the others no data. */
export const EVENTS = ['SUBMIT', 'APPROVE', 'RETURN', 'DECIDE', 'REJECT'] as const;
/** An event no generated stage accepts: sending it must be refused. */
export const UNKNOWN_EVENT = 'NOPE';
export type TaskForm = 'count' | 'level' | 'flag';

const text = (s: string) => ({ vi: s, en: s });

interface TaskShape {
  required: boolean;
  form?: TaskForm;
  when?: 'primary' | 'notPrimary';
}

interface Period {
  unit: 'workingDays' | 'days';
  amount: number;
}

interface StageShape {
  owner: 'school' | 'district' | 'department';
  tasks: TaskShape[];
  /** One flag per evidence item: whether it is required. */
  evidence: boolean[];
  due?: Period & { rollForward?: boolean };
  reminder?: Period;
  overdue?: Period;
  escalation?: number;
  notify: string | string[];
}

/** What phase 2 may refer to: which tasks exist, and which have an integer form. */
interface Shapes {
  stages: StageShape[];
  finals: string[];
}

const FORMS: Record<TaskForm, Form> = {
  count: { properties: { n: { type: 'integer', minimum: 1, maximum: 5, title: text('Số') } }, required: ['n'] },
  level: { properties: { level: { type: 'string', enum: ['a', 'b'], title: text('Mức') } }, required: ['level'] },
  flag: { properties: { ok: { type: 'boolean', title: text('Đạt') } } },
};

const period = (min: number, max: number): fc.Arbitrary<Period> =>
  fc.record({ unit: fc.constantFrom('workingDays' as const, 'days' as const), amount: fc.integer({ min, max }) });

const taskShape: fc.Arbitrary<TaskShape> = fc.record(
  {
    required: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    form: fc.constantFrom<TaskForm>('count', 'level', 'flag'),
    when: fc.constantFrom<'primary' | 'notPrimary'>('primary', 'notPrimary'),
  },
  { requiredKeys: ['required'] },
);

const stageShape: fc.Arbitrary<StageShape> = fc.record(
  {
    owner: fc.constantFrom('school' as const, 'district' as const, 'department' as const),
    tasks: fc.array(taskShape, { maxLength: 3 }),
    evidence: fc.array(fc.boolean(), { maxLength: 2 }),
    due: fc.oneof(
      fc.record({ unit: fc.constant('workingDays' as const), amount: fc.integer({ min: 1, max: 8 }) }),
      fc.record(
        { unit: fc.constant('days' as const), amount: fc.integer({ min: 1, max: 12 }), rollForward: fc.boolean() },
        { requiredKeys: ['unit', 'amount'] },
      ),
    ),
    reminder: period(1, 3),
    overdue: period(0, 2),
    escalation: fc.integer({ min: 1, max: 4 }),
    notify: fc.constantFrom<string | string[]>('owner', ['owner', 'district'], 'department', ['district', 'department']),
  },
  { requiredKeys: ['owner', 'tasks', 'evidence', 'notify'] },
);

const shapes: fc.Arbitrary<Shapes> = fc.record({
  stages: fc.array(stageShape, { minLength: 1, maxLength: 6 }),
  finals: fc.constantFrom(['done'], ['done', 'dropped']),
});

export const stageId = (i: number) => `s${i}`;
export const taskIdOf = (stage: number, k: number) => `t${stage}_${k}`;

/** A guard, chosen among those that make sense for stage `i` and event `event`. */
function guard(s: Shapes, i: number, event: string | undefined): fc.Arbitrary<Condition | undefined> {
  const own = s.stages[i]!.tasks.map((_, k) => taskIdOf(i, k));
  const all = s.stages.flatMap((st, j) => st.tasks.map((_, k) => taskIdOf(j, k)));
  const counts = s.stages.flatMap((st, j) => st.tasks.flatMap((t, k) => (t.form === 'count' ? [taskIdOf(j, k)] : [])));
  const leaves: fc.Arbitrary<Condition>[] = [fc.constant({ field: 'unit.kind', eq: 'primary' })];
  if (own.length) leaves.push(fc.constant({ tasksDone: 'all' as const }), fc.constant({ tasksDone: 'all' as const }));
  if (all.length) leaves.push(fc.subarray(all, { minLength: 1 }).map((ids) => ({ tasksDone: ids })));
  if (event === 'DECIDE')
    leaves.push(
      fc.boolean().map((ok) => ({ field: 'event.ok', eq: ok })),
      fc.constant({ field: 'event.ok', exists: true }),
    );
  if (counts.length) leaves.push(fc.tuple(fc.constantFrom(...counts), fc.integer({ min: 1, max: 5 })).map(([t, n]) => ({ field: `${t}.n`, gte: n })));
  const leaf = fc.oneof(...leaves);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: leaf.map((c) => ({ not: c })) },
    { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => ({ any: [a, b] })) },
    { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => ({ all: [a, b] })) },
  );
}

interface Edge {
  event: string;
  target: string;
  when?: Condition;
  ignoreEvidence?: boolean;
}

interface Edges {
  forward: Edge;
  extra: Edge[];
  due?: Omit<Edge, 'event'>;
  /** Moves on by itself once its tasks are done (as the shipped processes' checklists do). Only ever
   * forward, so eventless transitions cannot loop. */
  always?: Omit<Edge, 'event'>;
}

function edges(s: Shapes, i: number): fc.Arbitrary<Edges> {
  const targets = [...s.stages.map((_, j) => stageId(j)), ...s.finals];
  const next = i + 1 < s.stages.length ? stageId(i + 1) : 'done';
  const forward = fc
    .constantFrom('SUBMIT', 'APPROVE', 'DECIDE')
    .chain((event) => guard(s, i, event).map((when) => ({ event, target: next, ...(when ? { when } : {}) })));
  const extra = fc.array(
    fc.record({ event: fc.constantFrom(...EVENTS), target: fc.constantFrom(...targets), ignoreEvidence: fc.boolean() }).chain((e) =>
      guard(s, i, e.event).map((when) => ({
        event: e.event,
        target: e.target,
        ...(when ? { when } : {}),
        ...(e.ignoreEvidence ? { ignoreEvidence: true } : {}),
      })),
    ),
    { maxLength: 2 },
  );
  const due = s.stages[i]!.due
    ? fc.option(
        fc.constantFrom(...targets).chain((target) => guard(s, i, undefined).map((when) => ({ target, ...(when ? { when } : {}) }))),
        { nil: undefined },
      )
    : fc.constant(undefined);
  const own = s.stages[i]!.tasks.map((_, k) => taskIdOf(i, k));
  const ahead = [...s.stages.map((_, j) => stageId(j)).slice(i + 1), ...s.finals];
  const always = own.length
    ? fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.record({
            target: fc.constantFrom(...ahead),
            when: fc.oneof(
              fc.constant<Condition>({ tasksDone: 'all' }),
              fc.subarray(own, { minLength: 1 }).map((ids): Condition => ({ tasksDone: ids })),
            ),
          }),
        },
      )
    : fc.constant(undefined);
  return fc.record({ forward, extra, due, always }, { requiredKeys: ['forward', 'extra'] }) as fc.Arbitrary<Edges>;
}

/** The generated definition, without its id (each run gives one) and with the unit kind to run it for. */
export interface Generated {
  definition: Omit<ProcessDefinition, 'id'>;
  unitKind: 'primary' | 'lower-secondary';
}

export const definitions: fc.Arbitrary<Generated> = shapes.chain((s) =>
  fc
    .record({
      edges: fc.tuple(...s.stages.map((_, i) => edges(s, i))),
      unitKind: fc.constantFrom('primary' as const, 'lower-secondary' as const),
    })
    .map(({ edges: all, unitKind }) => ({ definition: build(s, all), unitKind })),
);

function build(s: Shapes, all: Edges[]): Omit<ProcessDefinition, 'id'> {
  const stages: Record<string, Stage> = {};
  let decides = false;
  s.stages.forEach((shape, i) => {
    const e = all[i]!;
    const list = [e.forward, ...e.extra];
    // The way out to the second final stage: s0 can always be rejected.
    if (i === 0 && s.finals.includes('dropped')) list.push({ event: 'REJECT', target: 'dropped' });
    const on: Record<string, Transition[]> = {};
    for (const { event, ...t } of list) (on[event] ??= []).push(t);
    if (e.due) on.DUE = [e.due];
    if (on.DECIDE) decides = true;
    const stage: Stage = {
      title: text(`Giai đoạn ${i}`),
      owner: shape.owner,
      on: Object.fromEntries(Object.entries(on).map(([event, ts]) => [event, ts.length === 1 ? ts[0]! : ts])),
    };
    if (e.always) stage.always = e.always;
    if (shape.tasks.length) {
      stage.tasks = shape.tasks.map((t, k): Task => ({
        id: taskIdOf(i, k),
        title: text(`Việc ${i}.${k}`),
        ...(t.required ? {} : { required: false }),
        ...(t.form ? { form: FORMS[t.form] } : {}),
        ...(t.when === 'primary'
          ? { when: { field: 'unit.kind', eq: 'primary' } }
          : t.when === 'notPrimary'
            ? { when: { field: 'unit.kind', ne: 'primary' } }
            : {}),
      }));
    }
    if (shape.evidence.length)
      stage.evidence = shape.evidence.map((required, k) => ({
        id: `e${i}_${k}`,
        title: text(`Minh chứng ${i}.${k}`),
        ...(required ? {} : { required: false }),
      }));
    if (shape.due) {
      const { unit, amount, rollForward } = shape.due;
      stage.due = { [unit]: amount, ...(rollForward === false ? { rollForward: false } : {}) };
      const ladder: EscalationStep[] = [];
      if (shape.reminder) ladder.push({ at: { [shape.reminder.unit]: -shape.reminder.amount }, kind: 'reminder', notify: 'owner' });
      if (shape.overdue) ladder.push({ at: { [shape.overdue.unit]: shape.overdue.amount }, kind: 'overdue', notify: shape.notify });
      if (shape.escalation !== undefined) {
        const base = shape.overdue ?? { unit: 'workingDays' as const, amount: 0 };
        ladder.push({ at: { [base.unit]: base.amount + shape.escalation }, kind: 'escalation', notify: ['district', 'department'] });
      }
      if (ladder.length) stage.escalate = ladder;
    }
    stages[stageId(i)] = stage;
  });
  for (const f of s.finals) stages[f] = { title: text(f), type: 'final' };
  return {
    version: 1,
    title: text('Quy trình sinh ngẫu nhiên'),
    legalBasis: ['Property test'],
    appliesTo: ['primary', 'lower-secondary'],
    calendar: 'vn-government',
    ...(decides ? { events: { DECIDE: { form: { properties: { ok: { type: 'boolean', title: text('Đồng ý') } }, required: ['ok'] } } } } : {}),
    initial: stageId(0),
    stages,
  };
}

/** The YAML source of a generated definition under a given id. */
export function sourceOf(g: Generated, id: string): string {
  return `# yaml-language-server: $schema=../../engine/definition/schema.json\n${stringify({ id, ...g.definition })}`;
}

/** Data to send with a task's completion: variant 2 is invalid for every form. */
export function taskData(form: TaskForm | undefined, variant: number): Record<string, unknown> {
  const v = variant % 4;
  switch (form) {
    case 'count':
      return [{ n: 1 }, { n: 4 }, { n: 0 }, { n: 2 }][v]!;
    case 'level':
      return [{ level: 'a' }, { level: 'b' }, { level: 'c' }, { level: 'a' }][v]!;
    case 'flag':
      return [{ ok: true }, {}, { ok: 'yes' }, { ok: false }][v]!;
    default:
      return [{}, { note: 'xong' }, {}, { note: 'đã nộp' }][v]!;
  }
}

/** Data to send with an event: for DECIDE variants 2 and 3 are invalid. */
export function eventData(event: string, variant: number): Record<string, unknown> | undefined {
  const v = variant % 4;
  if (event === 'DECIDE') return [{ ok: true }, { ok: false }, {}, { ok: 1 }][v];
  return v === 1 ? {} : undefined;
}
