import type { AnyMachineSnapshot } from 'xstate';
import type { CompiledProcess } from '../definition/compile.ts';

/** Active stages, outer and inner, in stage-table order (each state is tagged with its stage id). */
export function activeStages(compiled: CompiledProcess, snapshot: AnyMachineSnapshot): string[] {
  const tags = snapshot.tags as Set<string>;
  return Object.keys(compiled.stages).filter((id) => tags.has(id));
}

/** Of those, the stages that hold no other stage: where the work is. */
export function leafStages(compiled: CompiledProcess, active: string[]): string[] {
  return active.filter((id) => {
    const kind = compiled.stages[id]!.kind;
    return kind === 'atomic' || kind === 'final';
  });
}
