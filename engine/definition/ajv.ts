// One place that builds ajv instances, so the definition schema and the task forms are checked with
// the same options (and the CommonJS default-export dance happens once).
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  (addFormats as unknown as (a: Ajv, f: string[]) => Ajv)(ajv, ['date', 'date-time', 'email', 'uri']);
  return ajv;
}

export type { ErrorObject, ValidateFunction } from 'ajv';
