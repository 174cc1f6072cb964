// Checks parsed YAML against schema.json and turns ajv's errors into located, actionable messages:
// unknown keys list the allowed keys, enums list the allowed values, and the noise ajv emits for the
// branches of an anyOf that never applied (a string is not an object) is dropped.
import schema from './schema.json' with { type: 'json' };
import { createAjv, type ErrorObject, type ValidateFunction } from './ajv.ts';
import { both, fromPointer, listOf, typeVi, type Bilingual, type DiagnosticSink } from './diagnostics.ts';
import { suggest, suggestVi } from './suggest.ts';

let validator: ValidateFunction | undefined;
function getValidator(): ValidateFunction {
  validator ??= createAjv({ verbose: true }).compile(schema);
  return validator;
}

const PATTERN_HINTS: Record<string, Bilingual> = {
  '^[a-z][a-z0-9_]*$': {
    en: 'a snake_case name (lower-case letters, digits and _, starting with a letter)',
    vi: 'một tên viết thường kiểu snake_case (chữ thường không dấu, chữ số và dấu _, bắt đầu bằng chữ cái)',
  },
  '^[A-Z][A-Z0-9_]*$': {
    en: 'an UPPER_CASE event name (capital letters, digits and _)',
    vi: 'một tên sự kiện viết HOA (chữ in hoa không dấu, chữ số và dấu _)',
  },
  '^[a-z][a-z0-9-]*$': {
    en: 'a kebab-case name (lower-case letters, digits and -, starting with a letter)',
    vi: 'một tên kiểu kebab-case (chữ thường không dấu, chữ số và dấu -, bắt đầu bằng chữ cái)',
  },
  '^(\\d{4}-\\d{2}-\\d{2}|\\d{1,2}/\\d{1,2}/\\d{4})$': { en: 'a date like 2022-01-24 or 24/01/2022', vi: 'một ngày dạng 2022-01-24 hoặc 24/01/2022' },
  '^[a-z][a-z0-9_]*\\.[a-z][a-zA-Z0-9_]*$': {
    en: 'a field reference like event.level, report.level or unit.kind',
    vi: 'một tham chiếu trường dạng event.level, report.level hoặc unit.kind',
  },
  '^[a-z][a-zA-Z0-9_]*$': {
    en: 'a field name (letters, digits and _, starting with a lower-case letter)',
    vi: 'một tên trường (chữ cái không dấu, chữ số và dấu _, bắt đầu bằng chữ thường)',
  },
  '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$': { en: 'a day of the year like 09-05 (MM-DD)', vi: 'một ngày trong năm dạng 09-05 (tháng-ngày)' },
  '^\\d{4}-\\d{2}-\\d{2}$': { en: 'a date like 2022-01-24', vi: 'một ngày dạng 2022-01-24' },
};

const TYPE_WORDS: Record<string, string> = {
  string: 'a text value',
  object: 'a mapping (key: value)',
  array: 'a list',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'empty',
};

const COMPARISON: Record<string, Bilingual> = {
  '>=': { en: 'at least', vi: 'lớn hơn hoặc bằng' },
  '<=': { en: 'at most', vi: 'nhỏ hơn hoặc bằng' },
  '>': { en: 'more than', vi: 'lớn hơn' },
  '<': { en: 'less than', vi: 'nhỏ hơn' },
};

export function checkSchema(data: unknown, sink: DiagnosticSink): boolean {
  const validate = getValidator();
  if (validate(data)) return true;
  for (const e of explain(validate.errors ?? [], data)) {
    report(e, sink);
  }
  return false;
}

function valueAt(data: unknown, pointer: string): unknown {
  let v: unknown = data;
  for (const key of fromPointer(pointer)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Drops errors from anyOf branches whose type never matched; one summary error when none matched. */
function explain(errors: ErrorObject[], data: unknown): ErrorObject[] {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const expected = new Map<string, string[]>();
  const kept = errors.filter((e) => {
    if (e.keyword === 'anyOf') return false;
    if (e.keyword === 'type' && anyOfPaths.has(e.instancePath)) {
      const types = ([] as string[]).concat((e.params as { type: string | string[] }).type);
      expected.set(e.instancePath, [...(expected.get(e.instancePath) ?? []), ...types]);
      return false;
    }
    // propertyNames reports the same failure twice: once as the inner keyword, once as itself.
    if (e.keyword === 'propertyNames') return false;
    return true;
  });
  for (const path of anyOfPaths) {
    const covered = kept.some((e) => e.instancePath === path || e.instancePath.startsWith(path + '/'));
    if (!covered) {
      kept.push({
        keyword: 'type',
        instancePath: path,
        schemaPath: '#/anyOf',
        params: { type: [...new Set(expected.get(path) ?? [])] },
        message: 'must match one of the allowed forms',
        data: valueAt(data, path),
      } as ErrorObject);
    }
  }
  return kept;
}

/** The value's name as the message says it: the key it sits under, or the whole definition. */
function named(path: readonly string[]): Bilingual {
  const key = path[path.length - 1];
  if (key === undefined) return { en: 'the definition', vi: 'định nghĩa quy trình' };
  // An item of a list is named by its list and number: "tasks" item 2.
  if (/^\d+$/.test(key) && path.length > 1) {
    const list = path[path.length - 2];
    return { en: `item ${Number(key) + 1} of "${list}"`, vi: `mục thứ ${Number(key) + 1} của "${list}"` };
  }
  return { en: `"${key}"`, vi: `"${key}"` };
}

function report(e: ErrorObject, sink: DiagnosticSink): void {
  const path = fromPointer(e.instancePath);
  const where = named(path);
  const params = e.params as Record<string, unknown>;
  const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  const propertyName = (e as { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const hint = PATTERN_HINTS[String(params.pattern)] ?? { en: e.message ?? '', vi: `khớp mẫu /${String(params.pattern)}/` };
    sink.error(
      'SCHEMA_NAME',
      [...path, propertyName],
      both(`name "${propertyName}" is not valid: it must be ${hint.en}`, `tên "${propertyName}" không hợp lệ: phải là ${hint.vi}`),
      'key',
    );
    return;
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {}).filter((k) => k !== '$schema');
      sink.error(
        'SCHEMA_UNKNOWN_KEY',
        [...path, key],
        both(
          `unknown key "${key}" in ${where.en}${suggest(key, allowed)}; allowed keys are: ${listOf(allowed)}`,
          `khóa "${key}" không được dùng trong ${where.vi}${suggestVi(key, allowed)}; các khóa được dùng: ${listOf(allowed)}`,
        ),
        'key',
      );
      return;
    }
    case 'required': {
      const key = String(params.missingProperty);
      sink.error('SCHEMA_REQUIRED', path, both(`${where.en} is missing required key "${key}"`, `${cap(where.vi)} thiếu khóa bắt buộc "${key}"`), 'key');
      return;
    }
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      const words = allowed.filter((v): v is string => typeof v === 'string');
      const [hint, hintVi] = typeof e.data === 'string' ? [suggest(e.data, words), suggestVi(e.data, words)] : ['', ''];
      sink.error(
        'SCHEMA_ENUM',
        path,
        both(
          `${JSON.stringify(e.data)} is not allowed for ${where.en}${hint}; allowed values are: ${listOf(allowed)}`,
          `${where.vi} không nhận giá trị ${JSON.stringify(e.data)}${hintVi}; các giá trị được phép: ${listOf(allowed)}`,
        ),
      );
      return;
    }
    case 'const':
      sink.error(
        'SCHEMA_ENUM',
        path,
        both(`${where.en} must be ${JSON.stringify(params.allowedValue)}`, `${where.vi} phải là ${JSON.stringify(params.allowedValue)}`),
      );
      return;
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength': {
      const limit = Number(params.limit);
      const items = e.keyword.endsWith('Items');
      const what = items ? (limit === 1 ? 'item' : 'items') : limit === 1 ? 'character' : 'characters';
      const min = e.keyword.startsWith('min');
      sink.error(
        'SCHEMA_SIZE',
        path,
        both(
          `${where.en} needs ${min ? 'at least' : 'at most'} ${limit} ${what}`,
          `${cap(where.vi)} cần ${min ? 'ít nhất' : 'nhiều nhất'} ${limit} ${items ? 'mục' : 'ký tự'}`,
        ),
      );
      return;
    }
    case 'type': {
      const types = ([] as string[]).concat(params.type as string | string[]);
      const got = jsonType(e.data);
      sink.error(
        'SCHEMA_TYPE',
        path,
        both(
          `${where.en} must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}, not ${TYPE_WORDS[got] ?? got}`,
          `${cap(where.vi)} phải là ${types.map(typeVi).join(' hoặc ')}, không phải ${typeVi(got)}`,
        ),
      );
      return;
    }
    case 'pattern': {
      const hint = PATTERN_HINTS[String(params.pattern)] ?? {
        en: `text matching /${String(params.pattern)}/`,
        vi: `văn bản khớp mẫu /${String(params.pattern)}/`,
      };
      sink.error(
        'SCHEMA_PATTERN',
        path,
        both(
          `${JSON.stringify(e.data)} is not valid for ${where.en}: it must be ${hint.en}`,
          `${JSON.stringify(e.data)} không hợp lệ cho ${where.vi}: phải là ${hint.vi}`,
        ),
      );
      return;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const than = COMPARISON[String(params.comparison)] ?? { en: String(params.comparison), vi: String(params.comparison) };
      sink.error(
        'SCHEMA_RANGE',
        path,
        both(`${where.en} ${e.message ?? 'is out of range'}`, `${cap(where.vi)} phải ${than.vi} ${String(params.limit)} (đang là ${JSON.stringify(e.data)})`),
      );
      return;
    }
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys(parent?.properties ?? {});
      const limit = Number(params.limit);
      const exactlyOne = e.keyword === 'maxProperties' && limit === 1;
      const keysVi = keys.length ? `; các khóa có: ${listOf(keys)}` : '';
      sink.error(
        'SCHEMA_SIZE',
        path,
        exactlyOne
          ? both(`${where.en} takes exactly one of: ${listOf(keys)}`, `${cap(where.vi)} chỉ nhận đúng một trong: ${listOf(keys)}`)
          : both(
              `${where.en} ${e.message ?? ''}${keys.length ? `; keys are: ${listOf(keys)}` : ''}`,
              `${cap(where.vi)} cần ${e.keyword === 'minProperties' ? 'ít nhất' : 'nhiều nhất'} ${limit} khóa${keysVi}`,
            ),
      );
      return;
    }
    case 'uniqueItems':
      sink.error(
        'SCHEMA_DUPLICATE_ITEM',
        path,
        both(
          `${where.en} lists the same value twice (items ${String(params.j)} and ${String(params.i)})`,
          `${cap(where.vi)} có một giá trị lặp lại hai lần (mục ${Number(params.j) + 1} và ${Number(params.i) + 1})`,
        ),
      );
      return;
    default:
      sink.error(
        'SCHEMA_' + e.keyword.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase(),
        path,
        both(`${where.en} ${e.message ?? 'is not valid'}`, `${cap(where.vi)} không hợp lệ (quy tắc "${e.keyword}" của lược đồ)`),
      );
  }
}

/** Capitalised for the start of a sentence ("định nghĩa…" → "Định nghĩa…"; a quoted name stays). */
function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
