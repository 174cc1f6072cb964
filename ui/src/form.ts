// A task's form, generated from its JSON Schema: one labelled control per property, the schema's
// limits as input attributes (so the browser checks them first), the server's 422 field errors
// placed next to their fields.
import { h, replace } from './dom.ts';
import { wordFieldProblem, type Problem } from '../../engine/refusals.ts';
import { getLang, t, tx } from './i18n.ts';
import type { EnumTitles, Form, FormField } from './types.ts';

type Scalar = string | number | boolean;

export interface RenderedForm {
  element: HTMLElement;
  /** The data to submit: empty optional fields left out, numbers as numbers. */
  read(): Record<string, unknown>;
  /** Shows the errors by their field; returns those that name no field of this form. */
  showErrors(errors: (Problem & { field: string; message: string })[]): { field: string; message: string }[];
  clearErrors(): void;
}

interface Control {
  wrapper: HTMLElement;
  error: HTMLElement;
  read(): unknown;
}

export function renderForm(form: Form, initial: Record<string, unknown> = {}): RenderedForm {
  const required = new Set(form.required ?? []);
  const controls = new Map<string, Control>();
  for (const [name, field] of Object.entries(form.properties ?? {})) controls.set(name, control(name, field, required.has(name), initial[name]));
  const element = h(
    'div',
    { class: 'form-fields' },
    [...controls.values()].map((c) => c.wrapper),
  );
  return {
    element,
    read() {
      const data: Record<string, unknown> = {};
      for (const [name, c] of controls) {
        const v = c.read();
        if (v !== undefined) data[name] = v;
      }
      return data;
    },
    showErrors(errors) {
      const unplaced: { field: string; message: string }[] = [];
      for (const e of errors) {
        const c = controls.get(fieldName(e.field));
        if (!c) {
          unplaced.push(e);
          continue;
        }
        c.wrapper.classList.add('invalid');
        c.error.appendChild(h('span', null, wordFieldProblem(e, { lang: getLang() })));
      }
      return unplaced;
    },
    clearErrors() {
      for (const c of controls.values()) {
        c.wrapper.classList.remove('invalid');
        replace(c.error);
      }
    },
  };
}

/** `members`, `/members`, `data.members`, `/data/members/0` → `members`. */
export function fieldName(field: string): string {
  const parts = field.split(/[./[\]]+/).filter(Boolean);
  if (parts[0] === 'data' && parts.length > 1) parts.shift();
  return parts[0] ?? '';
}

function control(name: string, field: FormField, isRequired: boolean, value: unknown): Control {
  const id = `f-${name}`;
  const error = h('p', { class: 'field-error', id: `${id}-error`, 'data-testid': `error-${name}`, 'aria-live': 'polite' });
  const label = h('label', { for: id }, tx(field.title) || name, isRequired ? h('span', { class: 'req', title: t('required') }, ' *') : null);
  const hint = field.description ? h('p', { class: 'hint' }, tx(field.description)) : null;
  const common = { id, name, 'data-testid': `input-${name}`, 'aria-describedby': `${id}-error` };
  let input: HTMLElement;
  let read: () => unknown;
  if (field.type === 'boolean') {
    const box = h('input', { ...common, type: 'checkbox', checked: value === true });
    return { wrapper: h('div', { class: 'field field-check', 'data-testid': `field-${name}` }, box, label, hint, error), error, read: () => box.checked };
  } else if (field.type === 'array') {
    ({ input, read } = arrayControl(common, field, value));
  } else if (field.enum) {
    ({ input, read } = enumControl(common, field.enum, field.enumTitles, isRequired, value));
  } else {
    ({ input, read } = textControl(common, field, isRequired, value));
  }
  return { wrapper: h('div', { class: 'field', 'data-testid': `field-${name}` }, label, hint, input, error), error, read };
}

type Common = Record<string, string>;
const FORMAT_INPUT = { date: 'date', 'date-time': 'datetime-local', email: 'email', uri: 'url' } as const;

/** An option as a person reads it: its title in the chosen language, else the value as written. */
export function optionText(titles: EnumTitles | undefined, value: Scalar): string {
  const key = String(value);
  return titles && Object.hasOwn(titles, key) ? tx(titles[key]) : key;
}

function enumControl(
  common: Common,
  values: Scalar[],
  titles: EnumTitles | undefined,
  isRequired: boolean,
  value: unknown,
): { input: HTMLElement; read: () => unknown } {
  // The option's index is its form value: the value submitted is the one the definition wrote.
  const select = h(
    'select',
    { ...common, required: isRequired },
    h('option', { value: '' }, t('choose')),
    values.map((v, i) => h('option', { value: String(i), selected: v === value }, optionText(titles, v))),
  );
  return { input: select, read: () => (select.value === '' ? undefined : values[Number(select.value)]) };
}

function textControl(common: Common, field: FormField, isRequired: boolean, value: unknown): { input: HTMLElement; read: () => unknown } {
  const numeric = field.type === 'integer' || field.type === 'number';
  const attrs = {
    ...common,
    required: isRequired,
    minlength: field.minLength,
    maxlength: field.maxLength,
    pattern: field.pattern,
    min: field.minimum,
    max: field.maximum,
    value: value === undefined || value === null ? undefined : field.format === 'date-time' ? toLocalInput(String(value)) : String(value),
  };
  if (!numeric && (field.maxLength ?? 0) > 200) {
    const area = h('textarea', { ...attrs, rows: 4 });
    return { input: area, read: () => (area.value.trim() === '' ? undefined : area.value) };
  }
  const type = numeric ? 'number' : field.format ? FORMAT_INPUT[field.format] : 'text';
  const input = h('input', {
    ...attrs,
    type,
    step: field.type === 'integer' ? 1 : numeric ? 'any' : undefined,
    inputmode: field.type === 'integer' ? 'numeric' : undefined,
  });
  return {
    input,
    read: () => {
      const raw = input.value.trim();
      if (raw === '') return undefined;
      if (numeric) return Number(raw);
      if (field.format === 'date-time') return `${raw.length === 16 ? `${raw}:00` : raw}+07:00`;
      return input.value;
    },
  };
}

function arrayControl(common: Common, field: FormField, value: unknown): { input: HTMLElement; read: () => unknown } {
  const itemType = field.items?.type ?? 'string';
  const current = Array.isArray(value) ? value : [];
  const cast = (s: string): Scalar => (itemType === 'integer' || itemType === 'number' ? Number(s) : itemType === 'boolean' ? s === 'true' : s);
  if (field.items?.enum) {
    const options = field.items.enum;
    const boxes = options.map((v, i) =>
      h('input', { type: 'checkbox', name: common.name!, value: String(i), checked: current.includes(v), 'data-testid': `${common['data-testid']}-${i}` }),
    );
    const group = h(
      'div',
      { class: 'checks', id: common.id!, role: 'group' },
      boxes.map((b, i) => h('label', { class: 'check' }, b, ` ${optionText(field.items?.enumTitles, options[i]!)}`)),
    );
    return { input: group, read: () => boxes.flatMap((b, i) => (b.checked ? [options[i]] : [])) };
  }
  const area = h('textarea', { ...common, rows: 4, placeholder: t('onePerLine'), value: current.map(String).join('\n') });
  return {
    input: area,
    read: () =>
      area.value
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(cast),
  };
}

/** An ISO date-time as the value of a datetime-local input, in Vietnamese time. */
function toLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  return new Date(ms + 7 * 3_600_000).toISOString().slice(0, 16);
}
