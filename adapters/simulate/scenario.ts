// A simulation scenario: one school, a start moment, scripted steps at given moments, an end. Read
// with the same hostile-input-proof YAML reader as definitions, so every mistake comes back as
// file:line:column with what was expected.
import { parseInstant, parseLocalDate } from '../../engine/calendar/time.ts';
import { createAjv } from '../../engine/definition/ajv.ts';
import { DiagnosticSink, fromPointer, type Diagnostic } from '../../engine/definition/diagnostics.ts';
import { parseYaml } from '../../engine/definition/parse.ts';
import { UNIT_KINDS } from '../../engine/service/org.ts';
import type { OrgUnitKind } from '../../engine/definition/types.generated.ts';

export type ScenarioStep = { at: number; line: number } & (
  | { complete: { task: string; data?: Record<string, unknown> } }
  | { reopen: { task: string } }
  | { send: { type: string; data?: Record<string, unknown> } }
  | { anchor: { name: string; date: string | null } }
  | { check: { item: string; checked?: boolean } }
  | { cancel: { reason: string } }
  | { migrate: { process: string; map?: Record<string, string>; dryRun?: boolean; reason: string } }
);

export interface Scenario {
  /** The process file, as written (relative to the scenario file). */
  process: string;
  /** Where each process path is written (the main one, then migrate steps'), for errors about it. */
  processAt: Record<string, { line: number; column: number }>;
  school: { kind: OrgUnitKind; name: string; levels?: string[] };
  start: number;
  anchors?: Record<string, string>;
  steps: ScenarioStep[];
  until?: number;
}

const data = { type: 'object' };
const name = { type: 'string', minLength: 1, maxLength: 100 };
const instant = { type: 'string', minLength: 1 };
const step = (key: string, body: object) => ({
  type: 'object',
  properties: { at: instant, [key]: body },
  required: ['at', key],
  additionalProperties: false,
});
const obj = (properties: Record<string, object>, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false });

const SCHEMA = {
  type: 'object',
  properties: {
    process: { type: 'string', minLength: 1 },
    school: obj({ kind: { enum: UNIT_KINDS }, name: { type: 'string', minLength: 1, maxLength: 300 }, levels: { type: 'array', items: name } }, ['kind']),
    start: instant,
    anchors: { type: 'object', additionalProperties: { type: 'string' } },
    steps: {
      type: 'array',
      items: {
        oneOf: [
          step('complete', obj({ task: name, data }, ['task'])),
          step('reopen', obj({ task: name }, ['task'])),
          step('send', obj({ type: name, data }, ['type'])),
          step('anchor', obj({ name, date: { type: ['string', 'null'] } }, ['name', 'date'])),
          step('check', obj({ item: name, checked: { type: 'boolean' } }, ['item'])),
          step('cancel', obj({ reason: { type: 'string', minLength: 1 } }, ['reason'])),
          step(
            'migrate',
            obj(
              {
                process: { type: 'string', minLength: 1 },
                map: { type: 'object', additionalProperties: name },
                dryRun: { type: 'boolean' },
                reason: { type: 'string', minLength: 1 },
              },
              ['process', 'reason'],
            ),
          ),
        ],
      },
    },
    until: instant,
  },
  required: ['process', 'school', 'start'],
  additionalProperties: false,
};

const STEP_KINDS = ['complete', 'reopen', 'send', 'anchor', 'check', 'cancel', 'migrate'];
const validate = createAjv().compile(SCHEMA);

export function readScenario(source: string | Uint8Array, file: string): { scenario?: Scenario; diagnostics: Diagnostic[] } {
  const { data: raw, locate, sink } = parseYaml(source, file);
  if (raw === undefined || sink.items.length) return { diagnostics: sink.items };
  if (!validate(raw)) {
    reportSchema(raw, sink);
    return { diagnostics: sink.items };
  }
  const doc = raw as Record<string, any>;
  const at = (path: (string | number)[], text: string): number | undefined => {
    try {
      return parseInstant(text);
    } catch (e) {
      sink.error('BAD_INSTANT', path, `${(e as Error).message}; write it like 2022-01-10T09:00:00+07:00`);
      return undefined;
    }
  };
  const start = at(['start'], doc.start);
  const until = doc.until === undefined ? undefined : at(['until'], doc.until);
  const steps: ScenarioStep[] = [];
  let previous = start ?? -Infinity;
  (doc.steps ?? []).forEach((s: Record<string, any>, i: number) => {
    const when = at(['steps', i, 'at'], s.at);
    if (when === undefined) return;
    if (when < previous) sink.error('STEP_OUT_OF_ORDER', ['steps', i, 'at'], 'steps must be in time order, each at or after the one before (and the start)');
    previous = Math.max(previous, when);
    if (s.anchor && s.anchor.date !== null) {
      try {
        s.anchor.date = parseLocalDate(s.anchor.date);
      } catch (e) {
        sink.error('BAD_DATE', ['steps', i, 'anchor', 'date'], (e as Error).message);
      }
    }
    steps.push({ ...s, at: when, line: locate(['steps', i]).line } as ScenarioStep);
  });
  if (until !== undefined && until < previous) sink.error('STEP_OUT_OF_ORDER', ['until'], '"until" comes before the last step');
  if (sink.items.length || start === undefined) return { diagnostics: sink.items };
  return {
    scenario: {
      process: doc.process,
      processAt: Object.fromEntries([
        ...(doc.steps ?? []).flatMap((s: Record<string, any>, i: number) =>
          s.migrate ? [[s.migrate.process, locate(['steps', i, 'migrate', 'process'])]] : [],
        ),
        [doc.process, locate(['process'])],
      ]),
      school: { name: 'Trường mô phỏng', ...doc.school },
      start,
      ...(doc.anchors ? { anchors: doc.anchors } : {}),
      steps,
      ...(until !== undefined ? { until } : {}),
    },
    diagnostics: [],
  };
}

/** ajv's errors as located diagnostics; a step that matches no kind is said once, with the kinds. */
function reportSchema(raw: unknown, sink: DiagnosticSink): void {
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    const path = fromPointer(e.instancePath);
    const stepIndex = path[0] === 'steps' && path.length >= 2 ? path.slice(0, 2) : undefined;
    let message: string;
    let where: (string | number)[] = path;
    if (stepIndex && e.keyword !== 'type') {
      const s = valueAt(raw, stepIndex) as Record<string, unknown> | undefined;
      const kind = s && typeof s === 'object' ? STEP_KINDS.find((k) => k in s) : undefined;
      where = stepIndex;
      message = kind ? `step "${kind}" is malformed: ${describeStep(kind)}` : `each step has "at" and one of: ${STEP_KINDS.join(', ')}`;
    } else if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      where = [...path, extra];
      message = `unknown key "${extra}"; allowed: ${Object.keys((schemaAt(path) as { properties?: object }).properties ?? {}).join(', ')}`;
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    } else if (e.keyword === 'required') {
      message = `"${(e.params as { missingProperty: string }).missingProperty}" is required`;
    } else {
      message = e.message ?? 'is invalid';
    }
    const key = `${where.join('/')}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sink.error('SCENARIO_INVALID', where, message, e.keyword === 'additionalProperties' ? 'key' : 'value');
  }
}

const STEP_SHAPES: Record<string, string> = {
  complete: '{ task, data? }',
  reopen: '{ task }',
  send: '{ type, data? }',
  anchor: '{ name, date (YYYY-MM-DD or null) }',
  check: '{ item, checked? }',
  cancel: '{ reason }',
  migrate: '{ process, map?, dryRun?, reason }',
};

function describeStep(kind: string): string {
  return `it takes "at" and ${kind}: ${STEP_SHAPES[kind]}`;
}

function valueAt(v: unknown, path: (string | number)[]): unknown {
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function schemaAt(path: string[]): unknown {
  let s: any = SCHEMA;
  for (const k of path) s = /^\d+$/.test(k) ? s.items : s.properties?.[k];
  return s ?? {};
}
