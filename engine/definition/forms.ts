// A task's or an event's `form` is written with bilingual labels; ajv and form renderers want a plain
// JSON Schema. This is the one conversion between the two.
import type { EnumTitles, Form, FormField, Text } from './types.generated.ts';

export type JsonSchemaObject = Record<string, unknown>;

/** The plain JSON Schema the submitted data is validated against (labels in Vietnamese). */
export function formToJsonSchema(form: Form): JsonSchemaObject {
  const properties: Record<string, JsonSchemaObject> = {};
  for (const [name, field] of Object.entries(form.properties ?? {})) properties[name] = fieldToJsonSchema(field);
  const out: JsonSchemaObject = { type: 'object', properties, additionalProperties: false };
  if (form.required && form.required.length) out.required = [...form.required];
  return out;
}

function fieldToJsonSchema(field: FormField): JsonSchemaObject {
  // enumTitles only name the values on screen; ajv (strict) knows no such keyword.
  const { title, description, enumTitles: _titles, items, ...rest } = field;
  const out: JsonSchemaObject = { ...rest };
  if (items) {
    const { enumTitles: _itemTitles, ...item } = items;
    out.items = item;
  }
  if (title) out.title = title.vi;
  if (description) out.description = description.vi;
  return out;
}

/** Yes/no answers read as words, whatever the form: a tick means nothing in a printed report. */
export const YES_NO: Readonly<Record<'true' | 'false', Text>> = {
  true: { vi: 'Có', en: 'Yes' },
  false: { vi: 'Không', en: 'No' },
};

type Scalar = string | number | boolean;

/** The title a value of a field (or of a list's items) has on screen, if it has one. */
function scalarTitle(type: string, titles: EnumTitles | undefined, value: unknown): Text | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const key = String(value as Scalar);
  if (titles && Object.hasOwn(titles, key)) return titles[key];
  if (type === 'boolean' && typeof value === 'boolean') return YES_NO[key as 'true' | 'false'];
  return undefined;
}

/**
 * How an answer reads to a person: the enum value's title, Có/Không for a yes/no, a list's items
 * each by its title; undefined when the value is best shown as written (a number, a free text).
 */
export function answerTitle(field: FormField | undefined, value: unknown): Text | undefined {
  if (!field) return undefined;
  if (Array.isArray(value)) {
    const items = field.items;
    if (!items) return undefined;
    const each = value.map((v) => ({ v, title: scalarTitle(items.type, items.enumTitles, v) }));
    if (!each.some((e) => e.title)) return undefined;
    const join = (lang: 'vi' | 'en') => each.map((e) => (e.title ? e.title[lang] : String(e.v))).join(', ');
    return { vi: join('vi'), en: join('en') };
  }
  return scalarTitle(field.type, field.enumTitles, value);
}
