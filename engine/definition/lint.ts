// Semantic checks the schema cannot express: names that must refer to something, stages that can
// never be reached or never left, guards on fields nobody declares, ladders out of order, dates the
// calendar does not cover. Written defensively: it also runs on definitions the schema rejected, so
// that one run reports every problem.
import { daysInMonth, parseLocalDate } from '../calendar/time.ts';
import { both, listOf, type DiagnosticSink, type DocPath } from './diagnostics.ts';
import { lintConditions } from './lint-conditions.ts';
import { lintFanOuts } from './lint-fan-out.ts';
import { suggest, suggestVi } from './suggest.ts';
import { lintForms } from './lint-forms.ts';
import {
  asList,
  CHILDREN_ALIAS,
  childMaps,
  DUE_EVENT,
  isRecord,
  OWNER_ALIAS,
  ownerOf,
  rolesOf,
  stageNodes,
  transitionsOf,
  type ProcessDefinition,
  type StageNode,
} from './model.ts';
import type { Duration } from './types.generated.ts';

export interface LintOptions {
  /** Calendars that exist, with the years their data covers; absent = calendars are not checked. */
  calendars?: Record<string, { firstYear: number; lastYear: number }>;
  /**
   * Skip the flow checks (unreachable stages, dead ends). Set when the schema already rejected the
   * document: on a malformed `on` they would only echo that error.
   */
  skipFlow?: boolean;
  /**
   * The shipped library (processes/): what people would otherwise see as a raw name — an event
   * without a title, an option without one — is an error there, and only a warning elsewhere.
   */
  library?: boolean;
}

export function lintDefinition(def: ProcessDefinition, sink: DiagnosticSink, options: LintOptions = {}): void {
  const nodes = stageNodes(def);
  const byId = new Map<string, StageNode>();
  for (const node of nodes) {
    const seen = byId.get(node.id);
    if (seen)
      sink.error(
        'DUPLICATE_STAGE',
        node.path,
        both(
          `stage "${node.id}" is already defined at ${seen.path.join('.')}; stage names must be unique in a process`,
          `giai đoạn "${node.id}" đã được khai báo tại ${seen.path.join('.')}; tên giai đoạn trong một quy trình không được trùng nhau`,
        ),
        'key',
      );
    else byId.set(node.id, node);
  }
  const names = [...byId.keys()];
  const ctx: LintContext = { def, sink, nodes, byId, names, options };
  lintShapes(ctx);
  lintTargets(ctx);
  // With a misspelt target, a doubled stage name or a malformed stage, "unreachable" and "dead end"
  // would only echo that first mistake: report it alone.
  if (!options.skipFlow && !sink.items.some((d) => STRUCTURAL.has(d.code))) lintReachability(ctx);
  lintRoles(ctx);
  lintTasks(ctx);
  lintDeadlines(ctx);
  lintCalendar(ctx);
  lintConditions(ctx);
  lintForms(ctx);
  lintFanOuts(ctx);
}

const STRUCTURAL = new Set(['DUPLICATE_STAGE', 'UNKNOWN_TARGET', 'UNKNOWN_INITIAL', 'STAGE_SHAPE']);

export interface LintContext {
  def: ProcessDefinition;
  sink: DiagnosticSink;
  nodes: StageNode[];
  byId: Map<string, StageNode>;
  names: string[];
  options: LintOptions;
}

function lintShapes({ def, sink, nodes }: LintContext): void {
  if (typeof def.initial === 'string' && isRecord(def.stages) && !(def.initial in def.stages)) {
    sink.error(
      'UNKNOWN_INITIAL',
      ['initial'],
      both(
        `initial stage "${def.initial}" is not a top-level stage${suggest(def.initial, Object.keys(def.stages))}; top-level stages are: ${listOf(Object.keys(def.stages))}`,
        `giai đoạn bắt đầu "${def.initial}" không phải là giai đoạn cấp cao nhất${suggestVi(def.initial, Object.keys(def.stages))}; các giai đoạn cấp cao nhất có: ${listOf(Object.keys(def.stages))}`,
      ),
    );
  }
  for (const node of nodes) {
    const s = node.stage;
    const at = node.path;
    if (node.kind === 'final') {
      for (const key of ['on', 'always', 'done', 'tasks', 'due', 'escalate', 'evidence', 'stages', 'tracks'] as const) {
        if (s[key] !== undefined)
          sink.error(
            'FINAL_STAGE_ACTIVE',
            [...at, key],
            both(
              `final stage "${node.id}" cannot have "${key}": nothing happens after a final stage`,
              `giai đoạn kết thúc "${node.id}" không được có "${key}": sau giai đoạn kết thúc không còn việc gì xảy ra`,
            ),
            'key',
          );
      }
    }
    if (s.type === 'parallel' && !isRecord(s.tracks))
      sink.error(
        'STAGE_SHAPE',
        at,
        both(`parallel stage "${node.id}" needs "tracks"`, `giai đoạn song song "${node.id}" cần khai báo các nhánh ("tracks")`),
        'key',
      );
    if (s.tracks !== undefined && s.type !== 'parallel')
      sink.error(
        'STAGE_SHAPE',
        [...at, 'tracks'],
        both(
          `stage "${node.id}" has tracks but is not "type: parallel"`,
          `giai đoạn "${node.id}" có các nhánh ("tracks") nhưng không khai báo "type: parallel"`,
        ),
        'key',
      );
    if (s.stages !== undefined && s.type === 'parallel')
      sink.error(
        'STAGE_SHAPE',
        [...at, 'stages'],
        both(
          `parallel stage "${node.id}" holds its stages under "tracks", not "stages"`,
          `giai đoạn song song "${node.id}" phải đặt các giai đoạn con trong "tracks", không phải "stages"`,
        ),
        'key',
      );
    if (s.stages !== undefined && s.initial === undefined)
      sink.error(
        'STAGE_SHAPE',
        at,
        both(`stage "${node.id}" has nested stages but no "initial"`, `giai đoạn "${node.id}" có giai đoạn con nhưng thiếu "initial" (giai đoạn bắt đầu)`),
        'key',
      );
    if (s.initial !== undefined && s.stages === undefined)
      sink.error(
        'STAGE_SHAPE',
        [...at, 'initial'],
        both(`stage "${node.id}" has "initial" but no nested "stages"`, `giai đoạn "${node.id}" có "initial" nhưng không có giai đoạn con ("stages")`),
        'key',
      );
    if (s.done !== undefined && node.kind !== 'compound' && node.kind !== 'parallel') {
      sink.error(
        'STAGE_SHAPE',
        [...at, 'done'],
        both(
          `"done" belongs on a sub-process or parallel stage; "${node.id}" is ${node.kind === 'final' ? 'final' : 'a simple stage'} (use "on" or "always")`,
          `"done" chỉ dùng cho quy trình con hoặc giai đoạn song song; "${node.id}" là ${node.kind === 'final' ? 'giai đoạn kết thúc' : 'giai đoạn đơn'} (hãy dùng "on" hoặc "always")`,
        ),
        'key',
      );
    }
    for (const child of childMaps(s)) {
      if (typeof child.initial === 'string' && !(child.initial in child.stages)) {
        const path = child.track ? [...at, 'tracks', child.track, 'initial'] : [...at, 'initial'];
        sink.error(
          'UNKNOWN_INITIAL',
          path,
          both(
            `initial stage "${child.initial}" is not one of this ${child.track ? 'track' : 'sub-process'}'s stages: ${listOf(Object.keys(child.stages))}`,
            `giai đoạn bắt đầu "${child.initial}" không thuộc ${child.track ? 'nhánh' : 'quy trình con'} này; các giai đoạn có: ${listOf(Object.keys(child.stages))}`,
          ),
        );
      }
    }
    if ((node.kind === 'compound' || node.kind === 'parallel') && s.done !== undefined) {
      const hasFinal = childMaps(s).every((c) => Object.values(c.stages).some((st) => isRecord(st) && st.type === 'final'));
      if (!hasFinal)
        sink.warning(
          'DONE_NEVER_FIRES',
          [...at, 'done'],
          both(
            `"done" of "${node.id}" never fires: ${node.kind === 'parallel' ? 'every track' : 'the sub-process'} needs a final stage`,
            `"done" của "${node.id}" không bao giờ xảy ra: ${node.kind === 'parallel' ? 'mỗi nhánh' : 'quy trình con'} cần có một giai đoạn kết thúc`,
          ),
          'key',
        );
    }
  }
}

function lintTargets({ sink, nodes, byId, names }: LintContext): void {
  for (const node of nodes) {
    for (const t of transitionsOf(node)) {
      const target = t.transition.target;
      if (!byId.has(target)) {
        sink.error(
          'UNKNOWN_TARGET',
          t.targetPath,
          both(
            `stage "${node.id}": unknown target "${target}"${suggest(target, names)}; stages are: ${listOf(names)}`,
            `giai đoạn "${node.id}": giai đoạn đích "${target}" không tồn tại${suggestVi(target, names)}; các giai đoạn có: ${listOf(names)}`,
          ),
        );
      }
    }
  }
}

function lintReachability({ def, sink, nodes, byId }: LintContext): void {
  if (typeof def.initial !== 'string' || !byId.has(def.initial)) return;
  const reached = new Set<string>();
  const queue: StageNode[] = [];
  const enter = (node: StageNode | undefined): void => {
    for (let n = node; n; n = n.parent) {
      if (reached.has(n.id)) continue;
      reached.add(n.id);
      queue.push(n);
    }
  };
  enter(byId.get(def.initial));
  while (queue.length) {
    const node = queue.shift()!;
    for (const child of childMaps(node.stage)) {
      if (typeof child.initial === 'string') enter(byId.get(child.initial));
    }
    for (const t of transitionsOf(node)) enter(byId.get(t.transition.target));
  }
  for (const node of nodes) {
    if (!reached.has(node.id) && (!node.parent || reached.has(node.parent.id))) {
      sink.error(
        'UNREACHABLE_STAGE',
        node.path,
        both(
          `stage "${node.id}" can never be reached: no transition leads to it and it is not an initial stage`,
          `giai đoạn "${node.id}" không bao giờ được tới: không có bước chuyển nào dẫn tới và nó không phải là giai đoạn bắt đầu`,
        ),
        'key',
      );
    }
  }
  for (const node of nodes) {
    if (node.kind === 'final' || !reached.has(node.id)) continue;
    if (hasWayOut(node)) continue;
    const what = node.kind === 'atomic' ? 'no transition leaves it' : 'nothing leaves it: give it "done" or "on"';
    sink.error(
      'DEAD_END',
      node.path,
      both(
        `stage "${node.id}" is not final but ${what}; instances would be stuck there`,
        `giai đoạn "${node.id}" không phải giai đoạn kết thúc nhưng ${node.kind === 'atomic' ? 'không có bước chuyển nào đi ra' : 'không có lối ra: hãy thêm "done" hoặc "on"'}; hồ sơ sẽ bị kẹt ở đó`,
      ),
      'key',
    );
  }
}

/**
 * A way out: a transition of the stage's own, or an event or eventless transition of an enclosing
 * stage (an enclosing stage's "done" needs this stage to be final, so it does not count).
 */
function hasWayOut(node: StageNode): boolean {
  if (transitionsOf(node).length > 0) return true;
  for (let n = node.parent; n; n = n.parent) if (transitionsOf(n).some((t) => t.on !== 'done')) return true;
  return false;
}

function lintRoles({ def, sink, nodes }: LintContext): void {
  const roles = rolesOf(def);
  const names = Object.keys(roles);
  const check = (role: unknown, path: DocPath, allowOwner: boolean): void => {
    if (typeof role !== 'string') return;
    if (allowOwner && (role === OWNER_ALIAS || role === CHILDREN_ALIAS)) return;
    if (!(role in roles)) {
      sink.error(
        'UNKNOWN_ROLE',
        path,
        both(
          `unknown role "${role}"${suggest(role, names)}; roles are: ${listOf(allowOwner ? [OWNER_ALIAS, ...names] : names)} (declare others under "roles")`,
          `vai trò "${role}" không tồn tại${suggestVi(role, names)}; các vai trò có: ${listOf(allowOwner ? [OWNER_ALIAS, ...names] : names)} (khai báo thêm trong "roles")`,
        ),
      );
    }
  };
  for (const node of nodes) {
    const s = node.stage;
    check(s.owner, [...node.path, 'owner'], false);
    asList(s.tasks).forEach((task, i) => isRecord(task) && check(task.owner, [...node.path, 'tasks', i, 'owner'], false));
    asList(s.escalate).forEach((step, i) => {
      if (!isRecord(step)) return;
      const notify = step.notify;
      if (Array.isArray(notify)) notify.forEach((r, j) => check(r, [...node.path, 'escalate', i, 'notify', j], true));
      else check(notify, [...node.path, 'escalate', i, 'notify'], true);
    });
    if (node.kind === 'atomic' && ownerOf(node) === undefined && (asList(s.tasks).length > 0 || s.due !== undefined)) {
      sink.error(
        'MISSING_OWNER',
        node.path,
        both(
          `stage "${node.id}" has tasks or a deadline but no owner (here or on an enclosing stage); roles are: ${listOf(names)}`,
          `giai đoạn "${node.id}" có công việc hoặc thời hạn nhưng chưa có người phụ trách ("owner", ở đây hoặc ở giai đoạn bao ngoài); các vai trò có: ${listOf(names)}`,
        ),
        'key',
      );
    }
  }
}

function lintTasks({ sink, nodes }: LintContext): void {
  const seen = new Map<string, DocPath>();
  for (const node of nodes) {
    asList(node.stage.tasks).forEach((task, i) => {
      if (!isRecord(task) || typeof task.id !== 'string') return;
      const path = [...node.path, 'tasks', i, 'id'];
      const first = seen.get(task.id);
      if (first)
        sink.error(
          'DUPLICATE_TASK',
          path,
          both(
            `task id "${task.id}" is already used at ${first.slice(0, -1).join('.')}; task ids must be unique in a process`,
            `mã công việc "${task.id}" đã dùng tại ${first.slice(0, -1).join('.')}; mã công việc trong một quy trình không được trùng nhau`,
          ),
        );
      else seen.set(task.id, path);
    });
    const items = new Set<string>();
    asList(node.stage.evidence).forEach((item, i) => {
      if (!isRecord(item) || typeof item.id !== 'string') return;
      if (items.has(item.id))
        sink.error(
          'DUPLICATE_EVIDENCE',
          [...node.path, 'evidence', i, 'id'],
          both(`evidence item "${item.id}" appears twice in stage "${node.id}"`, `minh chứng "${item.id}" xuất hiện hai lần trong giai đoạn "${node.id}"`),
        );
      items.add(item.id);
    });
  }
}

const DURATION_KEYS = ['workingDays', 'days', 'months', 'years'] as const;

/** Rough length in calendar days, only to compare offsets written in different units. */
function approximateDays(d: Duration): number {
  return (d.workingDays ?? 0) * 1.4 + (d.days ?? 0) + (d.months ?? 0) * 30.44 + (d.years ?? 0) * 365.25;
}

const KIND_ORDER = { reminder: 0, overdue: 1, escalation: 2 } as const;

/** A stage's due rules with where each is written: one rule, or each rule of a list. */
export function dueRules(node: StageNode): { due: Record<string, any>; at: DocPath; index?: number; count: number }[] {
  const due = node.stage.due as unknown;
  if (Array.isArray(due)) return due.map((d, i) => ({ due: d, at: [...node.path, 'due', i], index: i, count: due.length })).filter((r) => isRecord(r.due));
  return isRecord(due) ? [{ due, at: [...node.path, 'due'], count: 1 }] : [];
}

function unknownAnchor(sink: LintContext['sink'], name: string, anchors: string[], path: DocPath): void {
  sink.error(
    'UNKNOWN_ANCHOR',
    path,
    both(
      `unknown anchor "${name}"${suggest(name, anchors)}; ${anchors.length ? `anchors are: ${listOf(anchors)}` : 'declare it under "anchors"'}`,
      `mốc thời gian "${name}" không tồn tại${suggestVi(name, anchors)}; ${anchors.length ? `các mốc có: ${listOf(anchors)}` : 'hãy khai báo trong "anchors"'}`,
    ),
  );
}

function lintDeadlines({ def, sink, nodes }: LintContext): void {
  const anchors = isRecord(def.anchors) ? Object.keys(def.anchors) : [];
  for (const node of nodes) {
    const s = node.stage;
    const due = s.due;
    asList(s.resetAnchors).forEach((name, i) => {
      if (typeof name === 'string' && !anchors.includes(name)) unknownAnchor(sink, name, anchors, [...node.path, 'resetAnchors', i]);
    });
    for (const t of transitionsOf(node)) {
      const set = t.transition.setAnchors;
      if (!isRecord(set)) continue;
      for (const name of Object.keys(set)) if (!anchors.includes(name)) unknownAnchor(sink, name, anchors, [...t.path, 'setAnchors', name]);
    }
    for (const { due, at, index, count } of dueRules(node)) {
      if (index === undefined && due.when !== undefined) {
        sink.error(
          'DUE_SHAPE',
          [...at, 'when'],
          both(
            `due of "${node.id}" has a "when" but is a single rule; write due as a list: [{ when: …, … }, { … }]`,
            `thời hạn của "${node.id}" có "when" nhưng chỉ là một quy tắc; hãy viết thời hạn thành danh sách: [{ when: …, … }, { … }]`,
          ),
          'key',
        );
      }
      if (index !== undefined && due.when === undefined && index < count - 1) {
        sink.error(
          'DUE_SHAPE',
          at,
          both(
            `due rule ${index + 1} of "${node.id}" has no "when", so the rules after it never apply; the rule without "when" is the default and comes last`,
            `quy tắc thời hạn thứ ${index + 1} của "${node.id}" không có "when" nên các quy tắc sau nó không bao giờ được áp dụng; quy tắc không có "when" là mặc định và phải đặt cuối cùng`,
          ),
        );
      }
      if (isRecord(due.every)) {
        if (due.anchor === undefined && due.date === undefined) {
          sink.error(
            'DUE_SHAPE',
            [...at, 'every'],
            both(
              `a repeating due of "${node.id}" needs an anchor or a date to repeat from`,
              `thời hạn lặp lại của "${node.id}" cần một mốc thời gian hoặc một ngày để tính lặp`,
            ),
            'key',
          );
        }
        if (approximateDays(due.every as Duration) <= 0) {
          sink.error(
            'DUE_SHAPE',
            [...at, 'every'],
            both(
              `"every" of "${node.id}" must be a period forward (e.g. every: { years: 1 })`,
              `"every" của "${node.id}" phải là một khoảng thời gian dương (ví dụ every: { years: 1 })`,
            ),
            'key',
          );
        }
      }
      if (typeof due.roll === 'string' && typeof due.rollForward === 'boolean' && (due.roll === 'forward') !== due.rollForward) {
        sink.error(
          'DUE_SHAPE',
          [...at, 'rollForward'],
          both(
            `due of "${node.id}" says roll: ${due.roll} and rollForward: ${due.rollForward}; keep only "roll"`,
            `thời hạn của "${node.id}" ghi roll: ${due.roll} và rollForward: ${due.rollForward}; chỉ giữ lại "roll"`,
          ),
          'key',
        );
      }
      const units = DURATION_KEYS.filter((k) => due[k] !== undefined);
      if (units.length > 1)
        sink.error(
          'DUE_SHAPE',
          at,
          both(
            `due of "${node.id}" gives ${listOf(units)}; give exactly one of: ${listOf(DURATION_KEYS)}`,
            `thời hạn của "${node.id}" ghi cả ${listOf(units)}; chỉ ghi đúng một trong: ${listOf(DURATION_KEYS)}`,
          ),
        );
      if (due.date !== undefined && (units.length > 0 || due.anchor !== undefined)) {
        sink.error(
          'DUE_SHAPE',
          [...at, 'date'],
          both(
            `due of "${node.id}" gives a fixed date and a counted period; give one or the other`,
            `thời hạn của "${node.id}" ghi cả ngày cố định lẫn khoảng thời gian; chỉ ghi một trong hai`,
          ),
          'key',
        );
      }
      if (due.date === undefined && due.anchor === undefined && units.length === 0) {
        sink.error(
          'DUE_SHAPE',
          at,
          both(
            `due of "${node.id}" says no when: give one of ${listOf(DURATION_KEYS)}, a date, or an anchor`,
            `thời hạn của "${node.id}" chưa cho biết khi nào: hãy ghi một trong ${listOf(DURATION_KEYS)}, một ngày (date) hoặc một mốc (anchor)`,
          ),
        );
      }
      if (due.anchor === undefined && units.some((k) => (due[k] as number) < 0)) {
        sink.error(
          'DUE_SHAPE',
          at,
          both(
            `due of "${node.id}" counts backwards from entering the stage; a negative period needs an anchor (e.g. anchor: visit_date)`,
            `thời hạn của "${node.id}" tính lùi từ lúc vào giai đoạn; khoảng thời gian âm cần một mốc (ví dụ anchor: visit_date)`,
          ),
        );
      }
      if (typeof due.anchor === 'string' && !anchors.includes(due.anchor)) unknownAnchor(sink, due.anchor, anchors, [...at, 'anchor']);
    }
    const steps = asList(s.escalate).filter(isRecord);
    if (steps.length > 0 && due === undefined) {
      sink.error(
        'ESCALATION_WITHOUT_DUE',
        [...node.path, 'escalate'],
        both(
          `stage "${node.id}" has an escalation ladder but no "due"; the ladder counts from the due moment`,
          `giai đoạn "${node.id}" có các bước đôn đốc nhưng không có thời hạn ("due"); các bước đôn đốc được tính từ thời hạn`,
        ),
        'key',
      );
    }
    let previous: { days: number; kind: number; index: number } | undefined;
    steps.forEach((step, i) => {
      const at = [...node.path, 'escalate', i];
      if (!isRecord(step.at)) return;
      const days = approximateDays(step.at as Duration);
      const kind = KIND_ORDER[step.kind as keyof typeof KIND_ORDER];
      if (kind === undefined) return;
      if (step.kind === 'reminder' && days >= 0)
        sink.error(
          'ESCALATION_ORDER',
          [...at, 'at'],
          both(`a reminder comes before the due moment: its offset must be negative`, `nhắc việc diễn ra trước thời hạn: khoảng cách phải là số âm`),
        );
      if (step.kind !== 'reminder' && days < 0)
        sink.error(
          'ESCALATION_ORDER',
          [...at, 'at'],
          both(
            `"${step.kind}" comes at or after the due moment: its offset must be 0 or more (use kind: reminder before it)`,
            `"${step.kind}" diễn ra đúng hoặc sau thời hạn: khoảng cách phải từ 0 trở lên (trước thời hạn thì dùng kind: reminder)`,
          ),
        );
      if (previous) {
        if (days <= previous.days)
          sink.error(
            'ESCALATION_ORDER',
            [...at, 'at'],
            both(
              `escalation step ${i + 1} is not later than step ${previous.index + 1}; list the ladder in time order`,
              `bước đôn đốc thứ ${i + 1} không muộn hơn bước thứ ${previous.index + 1}; hãy liệt kê các bước theo thứ tự thời gian`,
            ),
          );
        else if (kind < previous.kind)
          sink.error(
            'ESCALATION_ORDER',
            [...at, 'kind'],
            both(
              `"${step.kind}" after a later-stage step; the ladder goes reminder → overdue → escalation`,
              `"${step.kind}" đứng sau một bước ở mức cao hơn; thứ tự là reminder (nhắc) → overdue (quá hạn) → escalation (báo cấp trên)`,
            ),
          );
      }
      previous = { days, kind, index: i };
    });
    if (isRecord(s.on) && s.on[DUE_EVENT] !== undefined && due === undefined) {
      sink.warning(
        'DUE_NEVER_SENT',
        [...node.path, 'on', DUE_EVENT],
        both(
          `stage "${node.id}" waits for ${DUE_EVENT} but has no "due", so it never comes`,
          `giai đoạn "${node.id}" chờ sự kiện ${DUE_EVENT} nhưng không có thời hạn ("due"), nên sự kiện đó không bao giờ đến`,
        ),
        'key',
      );
    }
  }
}

function lintCalendar({ def, sink, nodes, options }: LintContext): void {
  const calendars = options.calendars;
  const range = calendars && typeof def.calendar === 'string' ? calendars[def.calendar] : undefined;
  if (calendars && typeof def.calendar === 'string' && !range) {
    sink.error(
      'UNKNOWN_CALENDAR',
      ['calendar'],
      both(
        `unknown calendar "${def.calendar}"; calendars are: ${listOf(Object.keys(calendars))}`,
        `lịch làm việc "${def.calendar}" không tồn tại; các lịch có: ${listOf(Object.keys(calendars))}`,
      ),
    );
  }
  const checkDate = (value: unknown, path: DocPath): void => {
    if (typeof value !== 'string') return;
    let iso: string;
    try {
      iso = parseLocalDate(value);
    } catch {
      sink.error('BAD_DATE', path, both(`"${value}" is not a real date`, `"${value}" không phải là một ngày có thật`));
      return;
    }
    const year = Number(iso.slice(0, 4));
    if (range && (year < range.firstYear || year > range.lastYear)) {
      sink.error(
        'DATE_OUTSIDE_CALENDAR',
        path,
        both(
          `${value} is outside calendar "${def.calendar}", which covers ${range.firstYear}–${range.lastYear}`,
          `${value} nằm ngoài lịch "${def.calendar}" (lịch chỉ có các năm ${range.firstYear}–${range.lastYear})`,
        ),
      );
    }
  };
  if (isRecord(def.anchors)) {
    for (const [name, anchor] of Object.entries(def.anchors)) {
      if (!isRecord(anchor)) continue;
      checkDate(anchor.default, ['anchors', name, 'default']);
      if (!isRecord(anchor.default)) continue;
      for (const key of ['schoolYear', 'year'] as const) {
        const md = anchor.default[key];
        if (typeof md !== 'string' || !/^\d{2}-\d{2}$/.test(md)) continue;
        // 29 February is allowed (the 28th in other years); 30 February or 31 April never comes.
        const [m, d] = md.split('-').map(Number) as [number, number];
        if (m < 1 || m > 12 || d < 1 || d > daysInMonth(2024, m))
          sink.error(
            'BAD_DATE',
            ['anchors', name, 'default', key],
            both(`"${md}" is not a day of any year (MM-DD)`, `"${md}" không phải là một ngày trong năm (MM-DD)`),
          );
      }
    }
  }
  for (const node of nodes) for (const { due, at } of dueRules(node)) checkDate(due.date, [...at, 'date']);
}
