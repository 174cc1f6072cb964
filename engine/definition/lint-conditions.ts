// Guards are data, so they can be checked: every field a guard reads must be declared by a form,
// an event declaration or the org unit; comparisons must suit the field's type and allowed values.
import { parseLocalDate } from '../calendar/time.ts';
import { both, listOf, typeVi, type DocPath } from './diagnostics.ts';
import type { LintContext } from './lint.ts';
import { suggest, suggestVi } from './suggest.ts';
import { asList, CHILDREN_FIELDS, isRecord, ROLLUP_FIGURES, tasksWithin, transitionsOf, UNIT_FIELDS, type StageNode } from './model.ts';
import { isFieldRef } from './conditions.ts';
import { dueRules } from './lint.ts';
import type { Condition, FormField, OrgUnitKind } from './types.generated.ts';
import schema from './schema.json' with { type: 'json' };

const COMPARATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'before', 'onOrAfter', 'in', 'notIn', 'contains', 'exists'] as const;
const NUMERIC = ['gt', 'gte', 'lt', 'lte'] as const;
const DATES = ['before', 'onOrAfter'] as const;
/** Comparisons that accept { field: <ref> } in place of a literal. */
const REFERABLE = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'before', 'onOrAfter'] as const;
/** A date-valued field: a text form field with format: date, or an anchor (anchors.<name>). */
const isDateField = (f: FormField): boolean => f.type === 'string' && f.format === 'date';
const ORG_UNIT_KINDS = schema.definitions.OrgUnitKind.enum as OrgUnitKind[];

/** What a guard is evaluated against: the event of its transition (if any) and its stage's tasks. */
interface Scope {
  node: StageNode;
  event?: string;
  /** Task conditions run on entering the stage: no event, no task data yet. */
  forTask?: boolean;
  /** A due rule's `when`: checked on entering the stage, with no event (tasks of earlier stages have data). */
  forDue?: boolean;
}

export function lintConditions(ctx: LintContext): void {
  for (const node of ctx.nodes) {
    for (const t of transitionsOf(node)) {
      if (isRecord(t.transition.when)) {
        const event = t.on === 'always' || t.on === 'done' ? undefined : t.on;
        checkCondition(ctx, t.transition.when, [...t.path, 'when'], { node, event });
      }
    }
    asList(node.stage.tasks).forEach((task, i) => {
      if (isRecord(task) && isRecord(task.when)) checkCondition(ctx, task.when, [...node.path, 'tasks', i, 'when'], { node, forTask: true });
    });
    for (const { due, at } of dueRules(node)) if (isRecord(due.when)) checkCondition(ctx, due.when as Condition, [...at, 'when'], { node, forDue: true });
    // setAnchors: each anchor from a date field of the event or of a task.
    for (const t of transitionsOf(node)) {
      const set = t.transition.setAnchors;
      if (!isRecord(set)) continue;
      const event = t.on === 'always' || t.on === 'done' ? undefined : t.on;
      for (const [name, ref] of Object.entries(set)) {
        if (typeof ref !== 'string' || !ref.includes('.')) continue;
        const path = [...t.path, 'setAnchors', name];
        const field = resolveField(ctx, ref, path, { node, event });
        if (field && !isDateField(field)) {
          ctx.sink.error(
            'FIELD_TYPE',
            path,
            both(
              `anchor "${name}" is a date, but "${ref}" is not a date field (declare it type: string, format: date)`,
              `mốc "${name}" là một ngày, nhưng "${ref}" không phải trường ngày (khai báo type: string, format: date)`,
            ),
          );
        }
      }
    }
  }
}

function checkCondition(ctx: LintContext, c: Condition, path: DocPath, scope: Scope): void {
  const { sink } = ctx;
  const comparators = COMPARATORS.filter((k) => k in c);
  const combinators = (['all', 'any', 'not'] as const).filter((k) => k in c);
  const leaves = (['tasksDone', 'anchorSet', 'field'] as const).filter((k) => k in c);
  if (leaves.length + combinators.length > 1) {
    sink.error(
      'CONDITION_SHAPE',
      path,
      both(
        `a condition tests one thing; found ${listOf([...leaves, ...combinators])} together (wrap them in all: [...] or any: [...])`,
        `mỗi điều kiện chỉ kiểm tra một điều; ở đây có cùng lúc ${listOf([...leaves, ...combinators])} (hãy gộp trong all: [...] hoặc any: [...])`,
      ),
    );
  }
  if ('field' in c && comparators.length !== 1) {
    sink.error(
      'CONDITION_SHAPE',
      path,
      comparators.length === 0
        ? both(`field "${c.field}" needs one comparison: ${listOf(COMPARATORS)}`, `trường "${c.field}" cần một phép so sánh: ${listOf(COMPARATORS)}`)
        : both(
            `field "${c.field}" has ${listOf(comparators)}; use one comparison per condition`,
            `trường "${c.field}" có cùng lúc ${listOf(comparators)}; mỗi điều kiện chỉ dùng một phép so sánh`,
          ),
    );
  }
  if (!('field' in c) && comparators.length > 0) {
    sink.error(
      'CONDITION_SHAPE',
      [...path, comparators[0]!],
      both(
        `"${comparators[0]}" compares a field: add field: event.<name>, <task>.<name> or unit.kind`,
        `"${comparators[0]}" so sánh một trường: hãy thêm field: event.<tên>, <công việc>.<tên> hoặc unit.kind`,
      ),
      'key',
    );
  }
  if (c.tasksDone !== undefined) checkTasksDone(ctx, c.tasksDone, [...path, 'tasksDone'], scope);
  if (typeof c.anchorSet === 'string') {
    const anchors = isRecord(ctx.def.anchors) ? Object.keys(ctx.def.anchors) : [];
    if (!anchors.includes(c.anchorSet))
      sink.error(
        'UNKNOWN_ANCHOR',
        [...path, 'anchorSet'],
        both(
          `unknown anchor "${c.anchorSet}"${suggest(c.anchorSet, anchors)}; ${anchors.length ? `anchors are: ${listOf(anchors)}` : 'declare it under "anchors"'}`,
          `mốc thời gian "${c.anchorSet}" không tồn tại${suggestVi(c.anchorSet, anchors)}; ${anchors.length ? `các mốc có: ${listOf(anchors)}` : 'hãy khai báo trong "anchors"'}`,
        ),
      );
  }
  if (typeof c.field === 'string') {
    const field = resolveField(ctx, c.field, [...path, 'field'], scope);
    const op = comparators.length === 1 ? comparators[0]! : undefined;
    const value = op ? (c as Record<string, unknown>)[op] : undefined;
    if (op && (REFERABLE as readonly string[]).includes(op) && isFieldRef(value)) {
      // Field against field: both must exist and be comparable the way the comparison needs.
      const other = resolveField(ctx, value.field, [...path, op, 'field'], scope);
      if (field && other) checkPair(ctx, c.field, field, value.field, other, op, [...path, op, 'field']);
    } else if (field && op) checkComparison(ctx, c, op, field, path);
  }
  (c.all ?? []).forEach((child, i) => isRecord(child) && checkCondition(ctx, child, [...path, 'all', i], scope));
  (c.any ?? []).forEach((child, i) => isRecord(child) && checkCondition(ctx, child, [...path, 'any', i], scope));
  if (isRecord(c.not)) checkCondition(ctx, c.not, [...path, 'not'], scope);
}

function checkTasksDone(ctx: LintContext, value: unknown, path: DocPath, scope: Scope): void {
  if (scope.forTask) {
    ctx.sink.error(
      'CONDITION_SCOPE',
      path,
      both(
        'a task\'s "when" is checked on entering the stage, before any task is done; tasksDone cannot be used there',
        '"when" của công việc được xét khi vào giai đoạn, trước khi có công việc nào hoàn thành; không dùng tasksDone ở đó',
      ),
    );
    return;
  }
  const own = tasksWithin(ctx.nodes, scope.node);
  if (value === 'all') {
    if (own.length === 0)
      ctx.sink.error(
        'NO_TASKS',
        path,
        both(
          `tasksDone: all on stage "${scope.node.id}", which has no tasks`,
          `tasksDone: all ở giai đoạn "${scope.node.id}", nhưng giai đoạn này không có công việc nào`,
        ),
      );
    return;
  }
  const all = allTaskIds(ctx);
  asList(value as string[]).forEach((id, i) => {
    if (typeof id !== 'string') return;
    if (!all.includes(id))
      ctx.sink.error(
        'UNKNOWN_TASK',
        [...path, i],
        both(
          `unknown task "${id}"${suggest(id, all)}; tasks are: ${listOf(all)}`,
          `công việc "${id}" không tồn tại${suggestVi(id, all)}; các công việc có: ${listOf(all)}`,
        ),
      );
  });
}

function allTaskIds(ctx: LintContext): string[] {
  return ctx.nodes.flatMap((n) =>
    asList(n.stage.tasks)
      .filter(isRecord)
      .map((t) => String(t.id)),
  );
}

type ResolvedField = FormField;

function resolveField(ctx: LintContext, ref: string, path: DocPath, scope: Scope): ResolvedField | undefined {
  const { sink, def } = ctx;
  const [source, name, figure] = ref.split('.') as [string, string, string | undefined];
  if (source === 'children') {
    if ((CHILDREN_FIELDS as readonly string[]).includes(name) && figure === undefined) return { type: 'integer' };
    sink.error(
      'UNKNOWN_FIELD',
      path,
      both(
        `unknown figure "${ref}"; a fan-out's children are read as children.${CHILDREN_FIELDS.join(' | children.')}`,
        `chỉ số "${ref}" không tồn tại; số liệu của các đơn vị cấp dưới được đọc là children.${CHILDREN_FIELDS.join(' | children.')}`,
      ),
    );
    return undefined;
  }
  if (source === 'rollup') {
    const names = ctx.nodes.flatMap((n) => (isRecord(n.stage.fanOut) && isRecord(n.stage.fanOut.rollup) ? Object.keys(n.stage.fanOut.rollup) : []));
    if (!names.includes(name)) {
      sink.error(
        'UNKNOWN_FIELD',
        path,
        both(
          `no fan-out adds up "${name}"${suggest(name, names)}; ${names.length ? `roll-ups are: ${listOf(names)}` : "declare it under a stage's fanOut.rollup"}`,
          `không có giai đoạn giao việc nào tổng hợp "${name}"${suggestVi(name, names)}; ${names.length ? `các số liệu tổng hợp có: ${listOf(names)}` : 'hãy khai báo trong fanOut.rollup của một giai đoạn'}`,
        ),
      );
      return undefined;
    }
    if (figure === undefined || !(ROLLUP_FIGURES as readonly string[]).includes(figure)) {
      sink.error(
        'UNKNOWN_FIELD',
        path,
        both(
          `read a roll-up as rollup.${name}.<figure>, with one of: ${listOf(ROLLUP_FIGURES)}`,
          `đọc số liệu tổng hợp theo dạng rollup.${name}.<chỉ số>, với một trong: ${listOf(ROLLUP_FIGURES)}`,
        ),
      );
      return undefined;
    }
    return { type: 'number' };
  }
  if (figure !== undefined && source !== 'events') {
    sink.error(
      'UNKNOWN_FIELD',
      path,
      both(
        `"${ref}" has three parts; only children.* and rollup.<name>.<figure> do`,
        `"${ref}" có ba phần; chỉ children.* và rollup.<tên>.<chỉ số> mới có ba phần`,
      ),
    );
    return undefined;
  }
  if (source === 'anchors') {
    const anchors = isRecord(def.anchors) ? Object.keys(def.anchors) : [];
    if (!anchors.includes(name)) {
      sink.error(
        'UNKNOWN_ANCHOR',
        path,
        both(
          `unknown anchor "${name}"${suggest(name, anchors)}; ${anchors.length ? `anchors are: ${listOf(anchors)}` : 'declare it under "anchors"'}`,
          `mốc thời gian "${name}" không tồn tại${suggestVi(name, anchors)}; ${anchors.length ? `các mốc có: ${listOf(anchors)}` : 'hãy khai báo trong "anchors"'}`,
        ),
      );
      return undefined;
    }
    return { type: 'string', format: 'date' };
  }
  if (source === 'cycle') {
    if (!ctx.byId.has(name)) {
      sink.error(
        'UNKNOWN_FIELD',
        path,
        both(
          `"${ref}" counts entries into stage "${name}", which does not exist${suggest(name, ctx.names)}; stages are: ${listOf(ctx.names)}`,
          `"${ref}" đếm số lần vào giai đoạn "${name}", nhưng giai đoạn này không tồn tại${suggestVi(name, ctx.names)}; các giai đoạn có: ${listOf(ctx.names)}`,
        ),
      );
      return undefined;
    }
    return { type: 'integer', minimum: 0 };
  }
  if (source === 'events') {
    const rest = ref.slice('events.'.length);
    const type = rest.slice(0, rest.indexOf('.'));
    const fieldName = rest.slice(rest.indexOf('.') + 1);
    const declared = isRecord(def.events) ? Object.keys(def.events) : [];
    const decl = isRecord(def.events) ? def.events[type] : undefined;
    if (!isRecord(decl)) {
      sink.error(
        'UNKNOWN_FIELD',
        path,
        both(
          `"${ref}" reads event ${type}, which is not declared${suggest(type, declared)}; ${declared.length ? `declared events are: ${listOf(declared)}` : 'declare it under "events" with a form'}`,
          `"${ref}" đọc sự kiện ${type}, nhưng sự kiện này chưa được khai báo${suggestVi(type, declared)}; ${declared.length ? `các sự kiện đã khai báo: ${listOf(declared)}` : 'hãy khai báo trong "events" kèm biểu mẫu'}`,
        ),
      );
      return undefined;
    }
    const fields = isRecord(decl.form?.properties) ? decl.form!.properties : {};
    const field = fields[fieldName];
    if (!field) {
      const names = Object.keys(fields);
      sink.error(
        'UNKNOWN_FIELD',
        path,
        both(
          `event ${type} declares no field "${fieldName}"${suggest(fieldName, names)}; ${names.length ? `its fields are: ${listOf(names)}` : `declare it under events.${type}.form.properties`}`,
          `sự kiện ${type} không có trường "${fieldName}"${suggestVi(fieldName, names)}; ${names.length ? `các trường có: ${listOf(names)}` : `hãy khai báo trong events.${type}.form.properties`}`,
        ),
      );
    }
    return field;
  }
  if (source === 'unit') {
    if (name === 'kind') return { type: 'string', enum: ORG_UNIT_KINDS as [string, ...string[]] };
    if (name === 'levels') return { type: 'array', items: { type: 'string', enum: ORG_UNIT_KINDS as [string, ...string[]] } };
    sink.error(
      'UNKNOWN_FIELD',
      path,
      both(`unknown org-unit field "${name}"; fields are: ${listOf(UNIT_FIELDS)}`, `đơn vị không có trường "${name}"; các trường có: ${listOf(UNIT_FIELDS)}`),
    );
    return undefined;
  }
  if (source === 'event') {
    if (!scope.event) {
      const where = scope.forTask
        ? 'a task\'s "when"'
        : scope.forDue
          ? 'a due rule\'s "when" (checked on entering the stage)'
          : 'an "always" or "done" transition';
      sink.error(
        'CONDITION_SCOPE',
        path,
        both(
          `${where} has no event, so "${ref}" has nothing to read`,
          `${scope.forTask ? '"when" của công việc' : scope.forDue ? '"when" của quy tắc thời hạn (xét khi vào giai đoạn)' : 'bước chuyển "always" hoặc "done"'} không gắn với sự kiện nào, nên "${ref}" không có gì để đọc`,
        ),
      );
      return undefined;
    }
    const decl = isRecord(def.events) ? def.events[scope.event] : undefined;
    const fields = isRecord(decl?.form?.properties) ? decl!.form!.properties : {};
    const field = fields[name];
    if (!field) {
      const declared = Object.keys(fields);
      sink.error(
        'UNKNOWN_FIELD',
        path,
        both(
          `event ${scope.event} declares no field "${name}"${suggest(name, declared)}; ${declared.length ? `its fields are: ${listOf(declared)}` : `declare it under events.${scope.event}.form.properties`}`,
          `sự kiện ${scope.event} không có trường "${name}"${suggestVi(name, declared)}; ${declared.length ? `các trường có: ${listOf(declared)}` : `hãy khai báo trong events.${scope.event}.form.properties`}`,
        ),
      );
    }
    return field;
  }
  if (scope.forTask) {
    sink.error(
      'CONDITION_SCOPE',
      path,
      both(
        `a task's "when" is checked on entering the stage, before task "${source}" has data; use unit.* or anchorSet`,
        `"when" của công việc được xét khi vào giai đoạn, trước khi công việc "${source}" có dữ liệu; hãy dùng unit.* hoặc anchorSet`,
      ),
    );
    return undefined;
  }
  const task = ctx.nodes.flatMap((n) => asList(n.stage.tasks)).find((t) => isRecord(t) && t.id === source);
  if (!task) {
    const all = allTaskIds(ctx);
    sink.error(
      'UNKNOWN_FIELD',
      path,
      both(
        `"${ref}" reads task "${source}", which does not exist${suggest(source, all)}; use event.<field>, unit.kind, unit.levels or <task>.<field> with one of: ${listOf(all)}`,
        `"${ref}" đọc công việc "${source}", nhưng công việc này không tồn tại${suggestVi(source, all)}; hãy dùng event.<trường>, unit.kind, unit.levels hoặc <công việc>.<trường> với một trong: ${listOf(all)}`,
      ),
    );
    return undefined;
  }
  const fields = isRecord(task.form?.properties) ? task.form!.properties : {};
  const field = fields[name];
  if (!field) {
    const declared = Object.keys(fields);
    sink.error(
      'UNKNOWN_FIELD',
      path,
      both(
        `task "${source}" has no form field "${name}"${suggest(name, declared)}; ${declared.length ? `its fields are: ${listOf(declared)}` : 'it has no form'}`,
        `biểu mẫu của công việc "${source}" không có trường "${name}"${suggestVi(name, declared)}; ${declared.length ? `các trường có: ${listOf(declared)}` : 'công việc này không có biểu mẫu'}`,
      ),
    );
  }
  return field;
}

function checkPair(ctx: LintContext, ref: string, field: ResolvedField, otherRef: string, other: ResolvedField, op: string, path: DocPath): void {
  const numeric = (f: ResolvedField) => f.type === 'integer' || f.type === 'number';
  if ((NUMERIC as readonly string[]).includes(op) && !(numeric(field) && numeric(other))) {
    ctx.sink.error(
      'FIELD_TYPE',
      path,
      both(
        `"${op}" compares numbers, but "${numeric(field) ? otherRef : ref}" is ${numeric(field) ? other.type : field.type}`,
        `"${op}" so sánh số, nhưng "${numeric(field) ? otherRef : ref}" có kiểu ${typeVi(numeric(field) ? other.type : field.type)}`,
      ),
    );
  } else if ((DATES as readonly string[]).includes(op) && !(isDateField(field) && isDateField(other))) {
    ctx.sink.error(
      'FIELD_TYPE',
      path,
      both(
        `"${op}" compares dates, but "${isDateField(field) ? otherRef : ref}" is not a date field`,
        `"${op}" so sánh ngày, nhưng "${isDateField(field) ? otherRef : ref}" không phải trường ngày`,
      ),
    );
  } else if ((op === 'eq' || op === 'ne') && field.type !== other.type && !(numeric(field) && numeric(other))) {
    ctx.sink.error(
      'FIELD_TYPE',
      path,
      both(
        `"${ref}" (${field.type}) and "${otherRef}" (${other.type}) are never equal`,
        `"${ref}" (${typeVi(field.type)}) và "${otherRef}" (${typeVi(other.type)}) không bao giờ bằng nhau`,
      ),
    );
  }
}

function checkComparison(ctx: LintContext, c: Condition, op: (typeof COMPARATORS)[number], field: ResolvedField, path: DocPath): void {
  const { sink } = ctx;
  if ((DATES as readonly string[]).includes(op)) {
    if (!isDateField(field))
      sink.error(
        'FIELD_TYPE',
        [...path, op],
        both(
          `"${op}" compares dates, but "${c.field}" is not a date field (anchors.<name>, or a form field with format: date)`,
          `"${op}" so sánh ngày, nhưng "${c.field}" không phải trường ngày (anchors.<tên>, hoặc trường biểu mẫu có format: date)`,
        ),
      );
    else if (!isRealIsoDate((c as Record<string, unknown>)[op]))
      sink.error(
        'BAD_DATE',
        [...path, op],
        both(
          `${JSON.stringify((c as Record<string, unknown>)[op])} is not a real date (YYYY-MM-DD)`,
          `${JSON.stringify((c as Record<string, unknown>)[op])} không phải là một ngày có thật (YYYY-MM-DD)`,
        ),
      );
    return;
  }
  const numeric = field.type === 'integer' || field.type === 'number';
  if ((NUMERIC as readonly string[]).includes(op) && !numeric) {
    sink.error(
      'FIELD_TYPE',
      [...path, op],
      both(`"${op}" compares numbers, but "${c.field}" is ${field.type}`, `"${op}" so sánh số, nhưng "${c.field}" có kiểu ${typeVi(field.type)}`),
    );
    return;
  }
  if (op === 'contains' && field.type !== 'array' && field.type !== 'string') {
    sink.error(
      'FIELD_TYPE',
      [...path, op],
      both(
        `"contains" needs a list or text field, but "${c.field}" is ${field.type}`,
        `"contains" cần trường danh sách hoặc văn bản, nhưng "${c.field}" có kiểu ${typeVi(field.type)}`,
      ),
    );
    return;
  }
  const allowed = op === 'contains' ? field.items?.enum : field.enum;
  const values =
    op === 'in' || op === 'notIn'
      ? asList(c[op] as unknown[])
      : op === 'exists' || (NUMERIC as readonly string[]).includes(op)
        ? []
        : [(c as Record<string, unknown>)[op]];
  values.forEach((v, i) => {
    const at = op === 'in' || op === 'notIn' ? [...path, op, i] : [...path, op];
    if (allowed && !allowed.includes(v as never)) {
      sink.error(
        'UNKNOWN_VALUE',
        at,
        both(
          `${JSON.stringify(v)} is never a value of "${c.field}"; its values are: ${listOf(allowed)}`,
          `${JSON.stringify(v)} không phải là giá trị của "${c.field}"; các giá trị cho phép: ${listOf(allowed)}`,
        ),
      );
    } else if (!allowed && !fitsType(v, op === 'contains' ? (field.items?.type ?? 'string') : field.type)) {
      sink.error(
        'FIELD_TYPE',
        at,
        both(
          `${JSON.stringify(v)} is not ${field.type === 'array' ? `a ${field.items?.type ?? 'string'}` : `a ${field.type}`} like "${c.field}"`,
          `${JSON.stringify(v)} không có kiểu ${typeVi(field.type === 'array' ? (field.items?.type ?? 'string') : field.type)} như "${c.field}"`,
        ),
      );
    }
  });
}

function fitsType(v: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    default:
      return true;
  }
}

function isRealIsoDate(v: unknown): boolean {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  try {
    return parseLocalDate(v) === v;
  } catch {
    return false;
  }
}
