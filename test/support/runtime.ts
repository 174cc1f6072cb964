// Opens the real runtime on each store: an in-memory SQLite, and PostgreSQL in a schema of its own
// (dropped afterwards). Contract suites run the same tests on both.
import { readFileSync } from 'node:fs';
import { openRuntime, type Runtime, type RuntimeConfig } from '../../adapters/runtime.ts';
import { instantAt } from '../../engine/calendar/time.ts';
import { ManualClock } from '../../engine/ports.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import { POSTGRES_URL, requireService } from './services.ts';

export const STORES = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORES)[number];

let counter = 0;

export async function openTestRuntime(
  ctx: Mocha.Context,
  kind: StoreKind,
  start: number,
  extra: RuntimeConfig = {},
): Promise<{ rt: Runtime; clock: ManualClock; close: () => Promise<void> }> {
  if (kind === 'postgres') await requireService(ctx, 'PostgreSQL');
  const clock = new ManualClock(start);
  const schema = `e_${process.pid}_${Date.now()}_${++counter}`;
  const rt = await openRuntime({ ...(kind === 'postgres' ? { databaseUrl: POSTGRES_URL, pgSchema: schema } : { sqliteFile: ':memory:' }), clock, ...extra });
  return {
    rt,
    clock,
    close: async () => {
      if (kind === 'postgres') await rt.db.raw(`drop schema if exists "${schema}" cascade`);
      await rt.close();
    },
  };
}

/** A Sở with two Phòng, each with primary and lower-secondary schools, and one THPT under the Sở. */
export const PROVINCE: UnitInput[] = [
  { id: 'so', kind: 'department', name: 'Sở GDĐT Bến Tre' },
  { id: 'pgd_a', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Châu Thành', levels: ['primary', 'lower-secondary'] },
  { id: 'pgd_b', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Ba Tri', levels: ['primary', 'lower-secondary'] },
  { id: 'th_a1', parentId: 'pgd_a', kind: 'primary', name: 'TH An Hóa' },
  { id: 'th_a2', parentId: 'pgd_a', kind: 'primary', name: 'TH An Khánh' },
  { id: 'thcs_a1', parentId: 'pgd_a', kind: 'lower-secondary', name: 'THCS An Hóa' },
  { id: 'th_b1', parentId: 'pgd_b', kind: 'primary', name: 'TH Ba Tri' },
  { id: 'thpt_1', parentId: 'so', kind: 'upper-secondary', name: 'THPT Chuyên Bến Tre' },
];

export function fixture(path: string): string {
  return readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
}

/** 08:00 Vietnamese time on a date. */
export const at8 = (date: string): number => instantAt(date, 8);
