// A task's or an event's `form` is written with bilingual labels; ajv and form renderers want a plain
// JSON Schema. This is the one conversion between the two.
import type { Form, FormField } from './types.generated.ts';

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
  const { title, description, ...rest } = field;
  const out: JsonSchemaObject = { ...rest };
  if (title) out.title = title.vi;
  if (description) out.description = description.vi;
  return out;
}
