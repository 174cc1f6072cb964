// Checks parsed YAML against schema.json and turns ajv's errors into located, actionable messages:
// unknown keys list the allowed keys, enums list the allowed values, and the noise ajv emits for the
// branches of an anyOf that never applied (a string is not an object) is dropped.
import schema from './schema.json' with { type: 'json' };
import { createAjv, type ErrorObject, type ValidateFunction } from './ajv.ts';
import { fromPointer, listOf, type DiagnosticSink } from './diagnostics.ts';
import { suggest } from './suggest.ts';

let validator: ValidateFunction | undefined;
function getValidator(): ValidateFunction {
  validator ??= createAjv({ verbose: true }).compile(schema);
  return validator;
}

const PATTERN_HINTS: Record<string, string> = {
  '^[a-z][a-z0-9_]*$': 'a snake_case name (lower-case letters, digits and _, starting with a letter)',
  '^[A-Z][A-Z0-9_]*$': 'an UPPER_CASE event name (capital letters, digits and _)',
  '^[a-z][a-z0-9-]*$': 'a kebab-case name (lower-case letters, digits and -, starting with a letter)',
  '^(\\d{4}-\\d{2}-\\d{2}|\\d{1,2}/\\d{1,2}/\\d{4})$': 'a date like 2022-01-24 or 24/01/2022',
  '^[a-z][a-z0-9_]*\\.[a-z][a-zA-Z0-9_]*$': 'a field reference like event.level, report.level or unit.kind',
  '^[a-z][a-zA-Z0-9_]*$': 'a field name (letters, digits and _, starting with a lower-case letter)',
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

function report(e: ErrorObject, sink: DiagnosticSink): void {
  const path = fromPointer(e.instancePath);
  const where = path.length ? `"${path[path.length - 1]}"` : 'the definition';
  const params = e.params as Record<string, unknown>;
  const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  const propertyName = (e as { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const hint = PATTERN_HINTS[String(params.pattern)] ?? e.message;
    sink.error('SCHEMA_NAME', [...path, propertyName], `name "${propertyName}" is not valid: it must be ${hint}`, 'key');
    return;
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {}).filter((k) => k !== '$schema');
      sink.error('SCHEMA_UNKNOWN_KEY', [...path, key], `unknown key "${key}" in ${where}; allowed keys are: ${listOf(allowed)}`, 'key');
      return;
    }
    case 'required':
      sink.error('SCHEMA_REQUIRED', path, `${where} is missing required key "${String(params.missingProperty)}"`, 'key');
      return;
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      const hint =
        typeof e.data === 'string'
          ? suggest(
              e.data,
              allowed.filter((v): v is string => typeof v === 'string'),
            )
          : '';
      sink.error('SCHEMA_ENUM', path, `${JSON.stringify(e.data)} is not allowed for ${where}${hint}; allowed values are: ${listOf(allowed)}`);
      return;
    }
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength': {
      const limit = Number(params.limit);
      const what = e.keyword.endsWith('Items') ? (limit === 1 ? 'item' : 'items') : limit === 1 ? 'character' : 'characters';
      const bound = e.keyword.startsWith('min') ? 'at least' : 'at most';
      sink.error('SCHEMA_SIZE', path, `${where} needs ${bound} ${limit} ${what}`);
      return;
    }
    case 'type': {
      const types = ([] as string[]).concat(params.type as string | string[]);
      const want = types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
      sink.error('SCHEMA_TYPE', path, `${where} must be ${want}, not ${TYPE_WORDS[jsonType(e.data)] ?? jsonType(e.data)}`);
      return;
    }
    case 'pattern': {
      const hint = PATTERN_HINTS[String(params.pattern)] ?? `text matching /${String(params.pattern)}/`;
      sink.error('SCHEMA_PATTERN', path, `${JSON.stringify(e.data)} is not valid for ${where}: it must be ${hint}`);
      return;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      sink.error('SCHEMA_RANGE', path, `${where} ${e.message ?? 'is out of range'}`);
      return;
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys(parent?.properties ?? {});
      const exactlyOne = e.keyword === 'maxProperties' && params.limit === 1;
      sink.error(
        'SCHEMA_SIZE',
        path,
        exactlyOne ? `${where} takes exactly one of: ${listOf(keys)}` : `${where} ${e.message ?? ''}${keys.length ? `; keys are: ${listOf(keys)}` : ''}`,
      );
      return;
    }
    case 'uniqueItems':
      sink.error('SCHEMA_DUPLICATE_ITEM', path, `${where} lists the same value twice (items ${String(params.j)} and ${String(params.i)})`);
      return;
    default:
      sink.error('SCHEMA_' + e.keyword.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase(), path, `${where} ${e.message ?? 'is not valid'}`);
  }
}
