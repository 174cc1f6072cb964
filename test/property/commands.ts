// Random event sequences for a generated process. A command says what kind of thing happens and how
// to choose among the possibilities when it happens (an open task or any task, an event the current
// stage accepts or one it does not); the runner resolves it against the instance as it stands, so the
// same sequence means the same thing on every store.
import fc from 'fast-check';

export type Command =
  | { kind: 'complete'; pick: number; open: boolean; data: number }
  | { kind: 'reopen'; pick: number }
  | { kind: 'check'; pick: number; current: boolean; checked: boolean }
  | { kind: 'send'; pick: number; accepted: boolean; data: number }
  /** Moves the clock forward by so many hours, then runs every timer due. */
  | { kind: 'wait'; hours: number }
  /** Several commands sent at once, each resolved against the state before them. */
  | { kind: 'burst'; parts: Single[] };

export type Single = Exclude<Command, { kind: 'wait' | 'burst' }>;

const pick = fc.nat({ max: 20 });

const singles: fc.WeightedArbitrary<Single>[] = [
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('complete' as const),
      pick,
      open: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      data: fc.nat({ max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), pick }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('check' as const),
      pick,
      current: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      checked: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      pick,
      accepted: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      data: fc.nat({ max: 3 }),
    }),
  },
];

const wait: fc.WeightedArbitrary<Command> = {
  weight: 4,
  arbitrary: fc.record({
    kind: fc.constant('wait' as const),
    // Within the day, a few days, or weeks at once (several deadlines and rungs pass together).
    hours: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 13, max: 24 * 5 }), fc.integer({ min: 24 * 5, max: 24 * 21 })),
  }),
};

/** Commands one at a time: the same sequence gives the same history on every store. */
export const command: fc.Arbitrary<Command> = fc.oneof(...singles, wait);

/** Commands with bursts of 2–8 sent at once: the order they land in is the store's and the batcher's. */
export const commandOrBurst: fc.Arbitrary<Command> = fc.oneof(...singles, wait, {
  weight: 4,
  arbitrary: fc.record({ kind: fc.constant('burst' as const), parts: fc.array(fc.oneof(...singles), { minLength: 2, maxLength: 8 }) }),
});

export const commands = (maxLength: number, of: fc.Arbitrary<Command> = command): fc.Arbitrary<Command[]> =>
  fc.array(of, { minLength: 4, maxLength, size: 'max' });

/** Days after 2022-01-03 a run starts on (at 08:00): 2022 to 2029, inside the calendar's data. */
export const startDay = fc.integer({ min: 0, max: 8 * 365 });
