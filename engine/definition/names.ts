// The titles a refusal needs so a person reads "Kế hoạch tự đánh giá", not sa_plan: the engine names
// what it refers to by id and sends the titles beside them, keyed `kind:id`, for whoever words it.
import type { Text } from './types.generated.ts';

export type NameKind = 'stage' | 'task' | 'event' | 'evidence' | 'anchor' | 'field' | 'role' | 'other';

/** `kind:id` → title; only what has a title (the words fall back to the id). */
export type Names = Record<string, Text>;

export function nameKey(kind: NameKind, id: string): string {
  return `${kind}:${id}`;
}
