// What a school or office types into a task's form, made up for the demo: read from the form's
// JSON Schema (so it fits whatever a definition asks), with plausible Vietnamese values for the
// fields the process library uses (decision numbers, council sizes, links, reasons for a delay).
import type { JsonSchemaObject } from '../../engine/definition/forms.ts';
import type { Rng } from './rng.ts';

export interface FormContext {
  rng: Rng;
  /** The unit filling it in: its id makes links and decision numbers look like its own. */
  unitId: string;
  /** Today, YYYY-MM-DD. */
  today: string;
}

type Field = { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; minLength?: number; format?: string };

/** Values for the required fields of a form (and nothing else: forms refuse unknown fields). */
export function fillForm(schema: JsonSchemaObject | undefined, ctx: FormContext): Record<string, unknown> {
  if (!schema) return {};
  const properties = (schema.properties ?? {}) as Record<string, Field>;
  const required = (schema.required ?? []) as string[];
  const out: Record<string, unknown> = {};
  for (const name of required) {
    const field = properties[name];
    if (field) out[name] = valueFor(name, field, ctx);
  }
  return out;
}

function valueFor(name: string, field: Field, ctx: FormContext): unknown {
  const known = KNOWN[name]?.(ctx);
  if (known !== undefined && fits(known, field)) return known;
  if (field.enum?.length) return field.enum[0];
  switch (field.type) {
    case 'integer':
    case 'number':
      return clamp(ctx.rng.int(1, 20), field);
    case 'boolean':
      return true;
    case 'array':
      return [];
    default:
      if (field.format === 'date') return ctx.today;
      if (field.format === 'uri') return `https://${ctx.unitId}.edu.vn/`;
      return 'Đã thực hiện theo kế hoạch'.padEnd(field.minLength ?? 0, '.');
  }
}

const KNOWN: Record<string, (ctx: FormContext) => unknown> = {
  decisionNo: (c) => `${c.rng.int(12, 240)}/QĐ-${c.unitId.split('-')[0]!.toUpperCase()}`,
  members: (c) => c.rng.int(7, 13),
  level: (c) => c.rng.pick([2, 3, 3, 4]),
  levelReached: (c) => c.rng.pick([2, 3]),
  students: (c) => c.rng.int(18_000, 42_000),
  graduates: (c) => c.rng.int(120, 480),
  url: (c) => `https://${c.unitId}.edu.vn/cong-khai/bao-cao-thuong-nien`,
  reason: () => 'Chậm do cán bộ phụ trách nghỉ ốm, đã phân công người thay thế',
  what: () => 'Cập nhật đội ngũ giáo viên và cơ sở vật chất đầu năm học',
  changedOn: (c) => c.today,
  leader: () => 'Trưởng phòng Quản lý chất lượng, Sở GDĐT',
  scope: () => 'both',
  seeks: () => 'both',
  lateUnits: () => [],
  chairedByPrincipal: () => true,
  recommendations: () => 'Tăng cường bồi dưỡng giáo viên; bổ sung thiết bị dạy học',
};

function fits(value: unknown, field: Field): boolean {
  if (field.enum) return field.enum.includes(value);
  if (typeof value === 'number') return value >= (field.minimum ?? -Infinity) && value <= (field.maximum ?? Infinity);
  return true;
}

function clamp(n: number, field: Field): number {
  return Math.min(field.maximum ?? n, Math.max(field.minimum ?? n, n));
}
