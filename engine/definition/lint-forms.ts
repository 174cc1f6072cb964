// Forms are JSON Schemas written by administrators; a broken one would only show when a school first
// submits. Check them here: required fields that exist, sane bounds, patterns that compile (with
// the `u` flag, as ajv compiles them), keywords that suit the field's type.
import { both, listOf, typeVi, type DocPath } from './diagnostics.ts';
import type { LintContext } from './lint.ts';
import { asList, DUE_EVENT, isRecord, transitionsOf } from './model.ts';
import type { Form, FormField } from './types.generated.ts';

const WHAT_VI: Record<string, string> = { number: 'số', text: 'văn bản', list: 'danh sách' };

export function lintForms(ctx: LintContext): void {
  for (const node of ctx.nodes) {
    asList(node.stage.tasks).forEach((task, i) => {
      if (isRecord(task) && isRecord(task.form)) checkForm(ctx, task.form as Form, [...node.path, 'tasks', i, 'form']);
    });
  }
  const used = new Set(ctx.nodes.flatMap((n) => transitionsOf(n).map((t) => t.on)));
  if (isRecord(ctx.def.events)) {
    for (const [name, decl] of Object.entries(ctx.def.events)) {
      if (!isRecord(decl)) continue;
      if (name === DUE_EVENT && decl.form)
        ctx.sink.error(
          'RESERVED_EVENT',
          ['events', name, 'form'],
          both(
            `${DUE_EVENT} is sent by the engine when a deadline passes and carries no data`,
            `${DUE_EVENT} do hệ thống tự gửi khi quá thời hạn và không mang dữ liệu`,
          ),
          'key',
        );
      if (!used.has(name))
        ctx.sink.warning(
          'UNUSED_EVENT',
          ['events', name],
          both(`event ${name} is declared but no stage accepts it`, `sự kiện ${name} được khai báo nhưng không giai đoạn nào nhận nó`),
          'key',
        );
      if (isRecord(decl.form)) checkForm(ctx, decl.form as Form, ['events', name, 'form']);
    }
  }
}

function checkForm(ctx: LintContext, form: Form, path: DocPath): void {
  const { sink } = ctx;
  const fields = isRecord(form.properties) ? form.properties : {};
  asList(form.required).forEach((name, i) => {
    if (typeof name === 'string' && !(name in fields)) {
      sink.error(
        'FORM_REQUIRED_UNKNOWN',
        [...path, 'required', i],
        both(
          `required field "${name}" is not among the form's fields: ${listOf(Object.keys(fields))}`,
          `trường bắt buộc "${name}" không có trong biểu mẫu; các trường có: ${listOf(Object.keys(fields))}`,
        ),
      );
    }
  });
  for (const [name, field] of Object.entries(fields)) {
    if (isRecord(field)) checkField(ctx, field as FormField, [...path, 'properties', name]);
  }
}

function checkField(ctx: LintContext, f: FormField, path: DocPath): void {
  const { sink } = ctx;
  const numeric = f.type === 'integer' || f.type === 'number';
  const bound = (min: keyof FormField, max: keyof FormField): void => {
    if (typeof f[min] === 'number' && typeof f[max] === 'number' && (f[min] as number) > (f[max] as number)) {
      sink.error(
        'FORM_BOUNDS',
        [...path, min],
        both(
          `${min} ${String(f[min])} is greater than ${max} ${String(f[max])}: no value could pass`,
          `${min} ${String(f[min])} lớn hơn ${max} ${String(f[max])}: không giá trị nào hợp lệ được`,
        ),
      );
    }
  };
  bound('minimum', 'maximum');
  bound('minLength', 'maxLength');
  bound('minItems', 'maxItems');
  const misplaced = (keys: (keyof FormField)[], fits: boolean, what: string): void => {
    for (const k of keys)
      if (f[k] !== undefined && !fits)
        sink.error(
          'FORM_KEYWORD',
          [...path, k],
          both(
            `"${k}" applies to ${what} fields, and this one is ${f.type}`,
            `"${k}" chỉ dùng cho trường ${WHAT_VI[what] ?? what}, còn trường này có kiểu ${typeVi(f.type)}`,
          ),
          'key',
        );
  };
  misplaced(['minimum', 'maximum'], numeric, 'number');
  misplaced(['minLength', 'maxLength', 'pattern', 'format'], f.type === 'string', 'text');
  misplaced(['items', 'minItems', 'maxItems'], f.type === 'array', 'list');
  if (typeof f.pattern === 'string') {
    try {
      new RegExp(f.pattern, 'u');
    } catch (e) {
      sink.error(
        'FORM_PATTERN',
        [...path, 'pattern'],
        both(`pattern is not a valid regular expression: ${(e as Error).message}`, `pattern không phải là biểu thức chính quy hợp lệ: ${(e as Error).message}`),
      );
    }
  }
  asList(f.enum).forEach((v, i) => {
    const ok =
      f.type === 'integer'
        ? Number.isInteger(v)
        : f.type === 'number'
          ? typeof v === 'number'
          : f.type === 'boolean'
            ? typeof v === 'boolean'
            : f.type === 'string'
              ? typeof v === 'string'
              : false;
    if (!ok)
      sink.error(
        'FORM_ENUM_TYPE',
        [...path, 'enum', i],
        both(`${JSON.stringify(v)} is not a ${f.type}, the field's type`, `${JSON.stringify(v)} không phải là ${typeVi(f.type)}, kiểu của trường này`),
      );
  });
}
