// A simulation scenario: one school, or a small tree of units and the unit whose instance runs; a
// start moment, scripted steps at given moments, an end. Read with the same hostile-input-proof YAML
// reader as definitions, so every mistake comes back as file:line:column with what was expected —
// in Vietnamese, or in English with `--lang en`.
import { parseInstant, parseLocalDate } from '../../engine/calendar/time.ts';
import { createAjv } from '../../engine/definition/ajv.ts';
import { DiagnosticSink, fromPointer, sortDiagnostics, type Diagnostic, type DocPath, type Locator } from '../../engine/definition/diagnostics.ts';
import { parseYaml } from '../../engine/definition/parse.ts';
import { isUnitId, parentKindsOf, placementProblem, UNIT_KINDS } from '../../engine/service/org.ts';
import { kindTitle } from '../../engine/org/unit-file.ts';
import type { OrgUnitKind } from '../../engine/definition/types.generated.ts';

export type Lang = 'vi' | 'en';

export type ScenarioStep = {
  at: number;
  line: number;
  /** The step's place in `steps` (0-based), to locate errors about it. */
  index: number;
  /** The unit whose instance of the run the step acts on; absent: the main instance. */
  unit?: string;
} & (
  | { complete: { task: string; data?: Record<string, unknown> } }
  | { reopen: { task: string } }
  | { send: { type: string; data?: Record<string, unknown> } }
  | { anchor: { name: string; date: string | null } }
  | { check: { item: string; checked?: boolean } }
  | { cancel: { reason: string } }
  | { migrate: { process: string; map?: Record<string, string>; dryRun?: boolean; reason: string } }
);

/** A unit of a scenario's tree, as declared. */
export interface ScenarioUnit {
  id: string;
  kind: OrgUnitKind;
  name: string;
  parent?: string;
  levels?: string[];
}

export interface Scenario {
  /** The process file, as written (relative to the scenario file). */
  process: string;
  /** More process files published before the main one (child definitions a fan-out starts). */
  processes: string[];
  /** Where each process path is written (the main one, `processes`, migrate steps'), for errors about it. */
  processAt: Record<string, { line: number; column: number }>;
  /** One school (with a demo chain above it), or absent when the scenario declares `units`. */
  school?: { kind: OrgUnitKind; name: string; levels?: string[] };
  /** A tree: the units in the order declared, and the one whose instance the scenario runs. */
  tree?: { units: ScenarioUnit[]; unit: string };
  /** Lists of unit codes given at start. */
  lists?: Record<string, string[]>;
  start: number;
  anchors?: Record<string, string>;
  steps: ScenarioStep[];
  until?: number;
  /** The scenario file as shown in errors, and where each of its values is written. */
  file: string;
  locate: Locator;
}

const data = { type: 'object' };
const name = { type: 'string', minLength: 1, maxLength: 100 };
const instant = { type: 'string', minLength: 1 };
const unitRef = { type: 'string', minLength: 1, maxLength: 64 };
const step = (key: string, body: object) => ({
  type: 'object',
  properties: { at: instant, unit: unitRef, [key]: body },
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
    processes: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1 } },
    units: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: obj(
        {
          id: unitRef,
          kind: { enum: UNIT_KINDS },
          name: { type: 'string', minLength: 1, maxLength: 300 },
          parent: unitRef,
          levels: { type: 'array', items: name },
        },
        ['id', 'kind'],
      ),
    },
    unit: unitRef,
    lists: { type: 'object', additionalProperties: { type: 'array', maxItems: 500, items: unitRef } },
  },
  required: ['process', 'start'],
  additionalProperties: false,
};

const STEP_KINDS = ['complete', 'reopen', 'send', 'anchor', 'check', 'cancel', 'migrate'];
const validate = createAjv().compile(SCHEMA);

/** A Vietnamese and an English wording; `pick` chooses. */
export type Words = { vi: string; en: string };

export function readScenario(source: string | Uint8Array, file: string, lang: Lang = 'vi'): { scenario?: Scenario; diagnostics: Diagnostic[] } {
  const { data: raw, locate, sink } = parseYaml(source, file);
  const say = (w: Words) => w[lang];
  if (raw === undefined || sink.items.length)
    return {
      diagnostics: sink.items.map((d) => {
        const words = readingWords(d);
        return { ...d, message: say(words), text: words };
      }),
    };
  if (!validate(raw)) {
    reportSchema(raw, sink, lang);
    return { diagnostics: sortDiagnostics(sink.items) };
  }
  const doc = raw as Record<string, any>;
  const at = (path: (string | number)[], text: string): number | undefined => {
    try {
      return parseInstant(text);
    } catch (e) {
      sink.error(
        'BAD_INSTANT',
        path,
        say({
          vi: `"${text}" không phải một thời điểm có thật kèm múi giờ; viết như 2022-01-10T09:00:00+07:00`,
          en: `${(e as Error).message}; write it like 2022-01-10T09:00:00+07:00`,
        }),
      );
      return undefined;
    }
  };
  const date = (path: (string | number)[], text: string): string | undefined => {
    try {
      return parseLocalDate(text);
    } catch (e) {
      sink.error(
        'BAD_DATE',
        path,
        say({ vi: `"${text}" không phải một ngày có thật (viết YYYY-MM-DD hoặc DD/MM/YYYY)`, en: `${(e as Error).message} (write YYYY-MM-DD or DD/MM/YYYY)` }),
      );
      return undefined;
    }
  };
  const start = at(['start'], doc.start);
  const until = doc.until === undefined ? undefined : at(['until'], doc.until);

  // Who runs: one school, or a tree and the unit whose instance the scenario runs.
  const tree = doc.units ? readTree(doc, sink, lang) : undefined;
  if (doc.school && doc.units)
    sink.error(
      'SCENARIO_INVALID',
      ['units'],
      say({ vi: 'khai báo "school" (một trường) hoặc "units" (một cây đơn vị), không cả hai', en: 'give "school" (one school) or "units" (a tree), not both' }),
      'key',
    );
  else if (!doc.school && !doc.units)
    sink.error(
      'SCENARIO_INVALID',
      [],
      say({ vi: 'cần "school" (một trường) hoặc "units" và "unit" (một cây đơn vị)', en: '"school" (one school) or "units" and "unit" (a tree) is required' }),
    );
  if (doc.unit !== undefined && !doc.units)
    sink.error('SCENARIO_INVALID', ['unit'], say({ vi: '"unit" chọn một đơn vị trong "units"', en: '"unit" names one of "units"' }), 'key');
  const known = new Set<string>(tree ? tree.units.map((u) => u.id) : doc.school ? demoUnitIds(doc.school.kind) : []);
  const unknownUnit = (path: DocPath, id: string) =>
    sink.error(
      'UNKNOWN_UNIT',
      path,
      say({
        vi: `không có đơn vị "${id}" trong kịch bản; các đơn vị: ${[...known].join(', ')}`,
        en: `no unit "${id}" in the scenario; units are: ${[...known].join(', ')}`,
      }),
    );

  // Anchor dates must be real days: all of them said at once (the engine would stop at the first).
  for (const [k, v] of Object.entries((doc.anchors ?? {}) as Record<string, string>)) date(['anchors', k], v);
  for (const [k, ids] of Object.entries((doc.lists ?? {}) as Record<string, string[]>))
    ids.forEach((id, j) => {
      if (!known.has(id)) unknownUnit(['lists', k, j], id);
    });

  const steps: ScenarioStep[] = [];
  let previous = start ?? -Infinity;
  (doc.steps ?? []).forEach((s: Record<string, any>, i: number) => {
    if (s.unit !== undefined && !known.has(s.unit)) unknownUnit(['steps', i, 'unit'], s.unit);
    const when = at(['steps', i, 'at'], s.at);
    if (when === undefined) return;
    if (when < previous)
      sink.error(
        'STEP_OUT_OF_ORDER',
        ['steps', i, 'at'],
        say({
          vi: 'các bước phải theo thứ tự thời gian, mỗi bước không sớm hơn bước trước (và thời điểm bắt đầu)',
          en: 'steps must be in time order, each at or after the one before (and the start)',
        }),
      );
    previous = Math.max(previous, when);
    if (s.anchor && s.anchor.date !== null) {
      const d = date(['steps', i, 'anchor', 'date'], s.anchor.date);
      if (d !== undefined) s.anchor.date = d;
    }
    steps.push({ ...s, at: when, line: locate(['steps', i]).line, index: i } as ScenarioStep);
  });
  if (until !== undefined && until < previous)
    sink.error('STEP_OUT_OF_ORDER', ['until'], say({ vi: '"until" đứng trước bước cuối cùng', en: '"until" comes before the last step' }));
  if (sink.items.length || start === undefined) return { diagnostics: sortDiagnostics(sink.items) };
  const processes: string[] = doc.processes ?? [];
  return {
    scenario: {
      process: doc.process,
      processes,
      processAt: Object.fromEntries([
        ...(doc.steps ?? []).flatMap((s: Record<string, any>, i: number) =>
          s.migrate ? [[s.migrate.process, locate(['steps', i, 'migrate', 'process'])]] : [],
        ),
        ...processes.map((p, i) => [p, locate(['processes', i])]),
        [doc.process, locate(['process'])],
      ]),
      ...(doc.school ? { school: { name: 'Trường mô phỏng', ...doc.school } } : {}),
      ...(tree ? { tree } : {}),
      ...(doc.lists ? { lists: doc.lists } : {}),
      start,
      ...(doc.anchors ? { anchors: doc.anchors } : {}),
      steps,
      ...(until !== undefined ? { until } : {}),
      file,
      locate,
    },
    diagnostics: [],
  };
}

/** The YAML reader's problems, said of a scenario (it speaks of process definitions) and in Vietnamese. */
function readingWords(d: Diagnostic): Words {
  const root = 'process, school | units + unit, start, steps';
  switch (d.code) {
    case 'EMPTY_FILE':
      return { vi: `tệp kịch bản trống; một kịch bản có các khóa ${root}`, en: `the scenario is empty; a scenario has the keys ${root}` };
    case 'ROOT_NOT_MAPPING':
      return { vi: `kịch bản phải là một bảng khóa: ${root}`, en: `a scenario is a mapping of keys: ${root}` };
    case 'DUPLICATE_KEY': {
      const key = /key "(.*)" appears twice/.exec(d.message)?.[1];
      return { vi: key === undefined ? d.message : `khóa "${key}" xuất hiện hai lần trong cùng một bảng`, en: d.message };
    }
    case 'INVALID_UTF8':
      return { vi: 'tệp không phải văn bản UTF-8 hợp lệ (hãy lưu lại dưới dạng UTF-8)', en: d.message };
    case 'YAML_SYNTAX':
      return { vi: `lỗi cú pháp YAML: ${d.message}`, en: d.message };
    default:
      return { vi: `không đọc được YAML: ${d.message}`, en: d.message };
  }
}

/** The ids of the chain a `school:` scenario runs in (run.ts's demoChain), for steps' `unit:`. */
function demoUnitIds(kind: OrgUnitKind): string[] {
  if (kind === 'department') return ['so'];
  if (kind === 'district-office') return ['so', 'phong'];
  return ['preschool', 'primary', 'lower-secondary'].includes(kind) ? ['so', 'phong', 'school'] : ['so', 'school'];
}

/** The declared tree, each unit checked where it is written: ids once each, parents declared, and
 * every unit under a kind it may sit under (the rule the Organisation and the unit import apply). */
function readTree(doc: Record<string, any>, sink: DiagnosticSink, lang: Lang): Scenario['tree'] {
  const say = (w: Words) => w[lang];
  const units: ScenarioUnit[] = [];
  const byId = new Map<string, ScenarioUnit>();
  /** Each unit declared once, with its place in `units` (where its errors are said). */
  const declared: [ScenarioUnit, number][] = [];
  (doc.units as Record<string, any>[]).forEach((u, i) => {
    if (!isUnitId(u.id)) {
      sink.error(
        'BAD_UNIT_ID',
        ['units', i, 'id'],
        say({
          vi: `"${u.id}" không dùng được làm mã đơn vị (chữ cái không dấu, chữ số, _ và -, tối đa 64 ký tự)`,
          en: `"${u.id}" is not a unit id (letters, digits, _ and -, at most 64)`,
        }),
      );
      return;
    }
    if (byId.has(u.id)) {
      sink.error('DUPLICATE_UNIT', ['units', i, 'id'], say({ vi: `mã đơn vị "${u.id}" đã khai báo ở trên`, en: `unit "${u.id}" is declared twice` }));
      return;
    }
    const unit: ScenarioUnit = {
      id: u.id,
      kind: u.kind,
      name: u.name ?? u.id,
      ...(u.parent !== undefined ? { parent: u.parent } : {}),
      ...(u.levels ? { levels: u.levels } : {}),
    };
    byId.set(u.id, unit);
    units.push(unit);
    declared.push([unit, i]);
  });
  for (const [unit, i] of declared) {
    const parent = unit.parent === undefined ? undefined : byId.get(unit.parent);
    if (unit.parent !== undefined && !parent) {
      sink.error(
        'UNKNOWN_PARENT',
        ['units', i, 'parent'],
        say({
          vi: `đơn vị cấp trên "${unit.parent}" không có trong "units"`,
          en: `parent unit "${unit.parent}" is not one of "units"`,
        }),
      );
      continue;
    }
    const problem = placementProblem(unit.kind, parent?.kind);
    if (!problem) continue;
    const allowedVi = parentKindsOf(unit.kind)
      .map((k) => (k === 'none' ? 'gốc cây' : kindTitle(k)))
      .join(', ');
    const allowedEn = problem.allowed.map((k) => (k === 'none' ? 'top' : k)).join(', ');
    sink.error(
      problem.code,
      parent ? ['units', i, 'parent'] : ['units', i, 'kind'],
      say(
        problem.code === 'SCHOOL_UNDER_SCHOOL'
          ? {
              vi: `trường "${unit.id}" (${kindTitle(unit.kind)}) không thể trực thuộc trường "${parent!.id}" (${kindTitle(parent!.kind)})`,
              en: `school "${unit.id}" (${unit.kind}) cannot be under school "${parent!.id}" (${parent!.kind})`,
            }
          : parent
            ? {
                vi: `${kindTitle(unit.kind)} "${unit.id}" không thể trực thuộc ${kindTitle(parent.kind)} "${parent.id}"; cấp trên được phép: ${allowedVi}`,
                en: `a ${unit.kind} ("${unit.id}") cannot be under a ${parent.kind} ("${parent.id}"); it may be under: ${allowedEn}`,
              }
            : {
                vi: `${kindTitle(unit.kind)} "${unit.id}" cần đơn vị cấp trên ("parent"); cấp trên được phép: ${allowedVi}`,
                en: `a ${unit.kind} ("${unit.id}") needs a parent unit ("parent"); it may be under: ${allowedEn}`,
              },
      ),
    );
  }
  if (doc.unit === undefined) {
    sink.error(
      'SCENARIO_INVALID',
      ['units'],
      say({ vi: 'cần "unit": mã đơn vị có hồ sơ mà kịch bản chạy', en: '"unit" is required: the unit whose instance the scenario runs' }),
      'key',
    );
  } else if (!byId.has(doc.unit)) {
    sink.error(
      'UNKNOWN_UNIT',
      ['unit'],
      say({
        vi: `không có đơn vị "${doc.unit}" trong "units"; các đơn vị: ${units.map((u) => u.id).join(', ')}`,
        en: `no unit "${doc.unit}" in "units"; units are: ${units.map((u) => u.id).join(', ')}`,
      }),
    );
  }
  return { units, unit: doc.unit };
}

/** ajv's errors as located diagnostics; a step that matches no kind is said once, with the kinds. */
function reportSchema(raw: unknown, sink: DiagnosticSink, lang: Lang): void {
  const seen = new Set<string>();
  const say = (w: Words) => w[lang];
  for (const e of validate.errors ?? []) {
    const path = fromPointer(e.instancePath);
    const stepIndex = path[0] === 'steps' && path.length >= 2 ? path.slice(0, 2) : undefined;
    let message: string;
    let where: (string | number)[] = path;
    if (stepIndex && e.keyword !== 'type') {
      const s = valueAt(raw, stepIndex) as Record<string, unknown> | undefined;
      const kind = s && typeof s === 'object' ? STEP_KINDS.find((k) => k in s) : undefined;
      where = stepIndex;
      message = kind
        ? say({
            vi: `bước "${kind}" viết sai: bước này có "at", "unit" (không bắt buộc) và ${kind}: ${STEP_SHAPES[kind]}`,
            en: `step "${kind}" is malformed: it takes "at", "unit"? and ${kind}: ${STEP_SHAPES[kind]}`,
          })
        : say({
            vi: `mỗi bước có "at" và một trong: ${STEP_KINDS.join(', ')}`,
            en: `each step has "at" and one of: ${STEP_KINDS.join(', ')}`,
          });
    } else if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      where = [...path, extra];
      const allowed = Object.keys((schemaAt(path) as { properties?: object }).properties ?? {}).join(', ');
      message = say({ vi: `khóa "${extra}" không hợp lệ; các khóa được phép: ${allowed}`, en: `unknown key "${extra}"; allowed: ${allowed}` });
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.join(', ');
      message = say({ vi: `phải là một trong: ${allowed}`, en: `must be one of: ${allowed}` });
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      message = say({ vi: `thiếu "${missing}"`, en: `"${missing}" is required` });
    } else {
      message = say({ vi: `giá trị không hợp lệ (${e.message ?? e.keyword})`, en: e.message ?? 'is invalid' });
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

function valueAt(v: unknown, path: (string | number)[]): unknown {
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function schemaAt(path: string[]): unknown {
  let s: any = SCHEMA;
  for (const k of path) s = /^\d+$/.test(k) ? s.items : s.properties?.[k];
  return s ?? {};
}
