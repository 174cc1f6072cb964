// Forms are JSON Schemas written by administrators; a broken one would only show when a school first
// submits. Check them here: required fields that exist, sane bounds, patterns that compile (with
// the `u` flag, as ajv compiles them), keywords that suit the field's type.
import { both, listOf, typeVi, type DocPath } from './diagnostics.ts';
import type { LintContext } from './lint.ts';
import { asList, DUE_EVENT, ENGINE_SENT_EVENTS, isRecord, transitionsOf } from './model.ts';
import type { EnumTitles, Form, FormField } from './types.generated.ts';

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
  lintEventTitles(ctx);
}

/** Untitled: an error in the shipped library, a warning in a definition of one's own. */
function untitledSeverity(ctx: LintContext): 'error' | 'warning' {
  return ctx.options.library ? 'error' : 'warning';
}

/** Every event a stage accepts is a button and a history line: it needs words, not its name. */
function lintEventTitles(ctx: LintContext): void {
  const declared = isRecord(ctx.def.events) ? ctx.def.events : {};
  const seen = new Set<string>();
  for (const node of ctx.nodes) {
    for (const t of transitionsOf(node)) {
      const name = t.on;
      if (name === 'always' || name === 'done' || seen.has(name)) continue;
      seen.add(name);
      // The engine's own events have built-in titles.
      if (ENGINE_SENT_EVENTS.includes(name)) continue;
      const decl = Object.hasOwn(declared, name) ? declared[name] : undefined;
      if (isRecord(decl) && isRecord(decl.title)) continue;
      const path = isRecord(decl) ? ['events', name] : [...node.path, 'on', name];
      ctx.sink[untitledSeverity(ctx)](
        'EVENT_UNTITLED',
        path,
        {
          vi: `sự kiện ${name} chưa có tên hiển thị: thêm events: ${name}: title: { vi: …, en: … } (người dùng thấy tên này trên nút bấm và trong lịch sử, thay cho tên viết hoa)`,
          en: `event ${name} has no title: add events: ${name}: title: { vi: …, en: … } (people see it on the button and in the history instead of the name)`,
        },
        'key',
      );
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
        both(`${JSON.stringify(v)} is not a ${f.type}, the field's type`, `${JSON.stringify(v)} không có kiểu ${typeVi(f.type)} như trường này`),
      );
  });
  checkEnumTitles(ctx, f.type, f.enum, f.enumTitles, path);
  if (isRecord(f.items)) checkEnumTitles(ctx, f.items.type, f.items.enum, f.items.enumTitles, [...path, 'items']);
}

/** Each option a person picks from is shown by its title; a title for no option is a mistake. */
function checkEnumTitles(ctx: LintContext, type: string, values: unknown, titles: EnumTitles | undefined, path: DocPath): void {
  const { sink } = ctx;
  const allowed = Array.isArray(values) ? values.map((v) => String(v)) : type === 'boolean' ? ['true', 'false'] : [];
  if (isRecord(titles)) {
    for (const key of Object.keys(titles)) {
      if (allowed.includes(key)) continue;
      sink.error(
        'ENUM_TITLE_UNKNOWN',
        [...path, 'enumTitles', key],
        {
          vi: `"${key}" không phải là một giá trị của trường này${allowed.length ? `; các giá trị: ${listOf(allowed)}` : ' (trường không có "enum")'}`,
          en: `"${key}" is not one of the field's values${allowed.length ? `: ${listOf(allowed)}` : ' (it has no "enum")'}`,
        },
        'key',
      );
    }
  }
  // Yes/no reads as Có/Không without help.
  if (!Array.isArray(values) || type === 'boolean') return;
  const missing = allowed.filter((v) => !(isRecord(titles) && Object.hasOwn(titles, v)));
  if (!missing.length) return;
  sink[untitledSeverity(ctx)](
    'ENUM_UNTITLED',
    [...path, 'enum'],
    {
      vi: `giá trị ${listOf(missing)} chưa có tên hiển thị: thêm enumTitles: { "<giá trị>": { vi: …, en: … } } bên cạnh "enum" (người dùng thấy tên, không thấy giá trị)`,
      en: `value${missing.length === 1 ? '' : 's'} ${listOf(missing)} ha${missing.length === 1 ? 's' : 've'} no title: add enumTitles: { "<value>": { vi: …, en: … } } beside "enum" (people see the title, not the value)`,
    },
    'key',
  );
}
