// Seeds and run counts for the property tests. The seed is fixed so that `npm test` is the same run
// every time (fast-check prints the seed and the shrunk counterexample when a property fails);
// FC_SEED picks another seed and FC_RUNS scales the counts, to explore further by hand:
//   FC_SEED=$RANDOM FC_RUNS=5 CI=true npx mocha --no-config --node-option import=tsx --timeout 0 'test/property/*.test.ts'
export const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_260_601;

const scale = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 1;

/** A run count, scaled by FC_RUNS. */
export const runs = (n: number): number => Math.max(1, Math.round(n * scale));
