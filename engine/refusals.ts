// A refusal in the reader's language. The engine and the HTTP layer refuse with a stable code and
// its parameters (ids, with their titles under `names`); this is the one place those become a
// sentence, in Vietnamese or English — the web UI words every refusal with it, so an officer never
// reads the engine's English. It names tasks, stages and fields by their titles, and says what this
// event, with this data, lacks.
import { nameKey, type NameKind, type Names } from './definition/names.ts';
import type { Text } from './definition/types.generated.ts';

export type Lang = 'vi' | 'en';

export interface WordingHelp {
  lang: Lang;
  /** The reader's words for a request field the refusal names (`body.reason` → "Lý do"). */
  fieldLabel?: (field: string) => string | undefined;
  /** The reader's words for a kind of unit (primary → "Trường tiểu học"). */
  kindLabel?: (kind: string) => string | undefined;
}

type Details = Record<string, unknown>;
type Words = (d: Details, w: Wording) => string | undefined;

/** Reading a refusal's parameters, in one language. */
class Wording {
  constructor(
    readonly lang: Lang,
    private readonly titles: Names,
    private readonly fieldLabel: (field: string) => string | undefined,
    private readonly kindLabel: (kind: string) => string | undefined = () => undefined,
  ) {}

  kinds(kinds: unknown): string {
    return list(kinds)
      .map((k) => this.kindLabel(String(k)) ?? humanize(String(k)))
      .join(', ');
  }

  pick(text: { vi: string; en: string }): string {
    return this.lang === 'en' ? text.en : text.vi;
  }

  text(t: Text | undefined): string | undefined {
    if (!t) return undefined;
    return (this.lang === 'en' ? t.en : t.vi) || t.vi || t.en;
  }

  /** A thing by its title, quoted; its id only when the process gave it none. */
  name(kind: NameKind, id: unknown): string {
    const title = this.text(this.titles[nameKey(kind, String(id))]);
    return `“${title ?? humanize(String(id))}”`;
  }

  names(kind: NameKind, ids: unknown): string {
    return list(ids)
      .map((id) => this.name(kind, id))
      .join(', ');
  }

  field(field: string, title?: Text): string {
    const own = this.text(title) ?? this.text(this.titles[nameKey('field', field)]) ?? this.text(RECORD_FIELDS[field]);
    if (own) return `“${own}”`;
    const label = this.fieldLabel(field) ?? this.fieldLabel(field.split('.').pop() ?? field);
    return `“${label ?? humanize(field.split('.').pop() ?? field)}”`;
  }

  value(v: unknown, titles?: Record<string, Text>): string {
    const own = titles ? this.text(titles[String(v)]) : undefined;
    if (own) return `“${own}”`;
    if (v === true) return this.pick({ vi: '“Có”', en: '“Yes”' });
    if (v === false) return this.pick({ vi: '“Không”', en: '“No”' });
    return `“${String(v)}”`;
  }
}

/** What a guard may read of the record besides the data (unit.kind, children.done…). */
const RECORD_FIELDS: Record<string, Text> = {
  'unit.kind': { vi: 'Loại đơn vị', en: 'Kind of unit' },
  'unit.levels': { vi: 'Cấp học của đơn vị', en: 'The unit’s school levels' },
  'children.total': { vi: 'Số đơn vị cấp dưới', en: 'Units below' },
  'children.done': { vi: 'Số đơn vị đã hoàn thành', en: 'Units finished' },
  'children.pending': { vi: 'Số đơn vị chưa xong', en: 'Units not finished' },
};

/** An identifier made readable when nothing better is known: sa_plan → "sa plan", SUBMIT → "submit". */
function humanize(id: string): string {
  const spaced = id.replace(/^(event|events|anchors|unit|children|rollup|body|query)\./, '').replace(/[_.]+/g, ' ');
  return /^[A-Z0-9 ]+$/.test(spaced) ? spaced.toLowerCase() : spaced;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

export interface Problem {
  field?: string;
  rule?: string;
  limit?: unknown;
  allowed?: unknown[];
  title?: Text;
  allowedTitles?: Record<string, Text>;
  message?: string;
}

/** One refused field: its label and what it must be. */
function problem(p: Problem, w: Wording): string {
  const f = p.field ? w.field(p.field, p.title) : w.pick({ vi: 'Dữ liệu gửi lên', en: 'The data sent' });
  return `${f} ${rule(p, w)}`;
}

/** What a refused field must be ("phải là một số nguyên"), without naming it: for under the field itself. */
function rule(p: Problem, w: Wording): string {
  const limit = p.limit;
  const vi = (s: string, en: string) => w.pick({ vi: s, en });
  switch (p.rule) {
    case 'required':
      return vi('chưa được điền (bắt buộc)', 'is required');
    case 'enum': {
      const allowed = list(p.allowed)
        .map((v) => w.value(v, p.allowedTitles))
        .join(', ');
      return vi(`phải là một trong: ${allowed}`, `must be one of: ${allowed}`);
    }
    case 'additionalProperties':
      return vi('không phải là một mục của biểu mẫu này', 'is not a field of this form');
    case 'type': {
      const types: Record<string, { vi: string; en: string }> = {
        integer: { vi: 'một số nguyên', en: 'a whole number' },
        number: { vi: 'một số', en: 'a number' },
        string: { vi: 'một đoạn chữ', en: 'text' },
        boolean: { vi: 'Có hoặc Không', en: 'yes or no' },
        array: { vi: 'một danh sách', en: 'a list' },
        object: { vi: 'một nhóm thông tin', en: 'a set of fields' },
      };
      const t = types[String(limit)];
      return t ? vi(`phải là ${t.vi}`, `must be ${t.en}`) : vi('không đúng kiểu', 'has the wrong type');
    }
    case 'minimum':
      return vi(`không được nhỏ hơn ${limit}`, `must be at least ${limit}`);
    case 'maximum':
      return vi(`không được lớn hơn ${limit}`, `must be at most ${limit}`);
    case 'exclusiveMinimum':
      return vi(`phải lớn hơn ${limit}`, `must be more than ${limit}`);
    case 'exclusiveMaximum':
      return vi(`phải nhỏ hơn ${limit}`, `must be less than ${limit}`);
    case 'minLength':
      return Number(limit) <= 1 ? vi('chưa được điền', 'is empty') : vi(`phải có ít nhất ${limit} ký tự`, `must have at least ${limit} characters`);
    case 'maxLength':
      return vi(`dài quá ${limit} ký tự`, `is longer than ${limit} characters`);
    case 'minItems':
      return vi(`phải có ít nhất ${limit} mục`, `must have at least ${limit} items`);
    case 'maxItems':
      return vi(`có quá ${limit} mục`, `has more than ${limit} items`);
    case 'uniqueItems':
      return vi('có mục bị trùng', 'has repeated items');
    case 'pattern':
      return vi('không đúng định dạng', 'is not in the expected form');
    case 'format': {
      const formats: Record<string, { vi: string; en: string }> = {
        date: { vi: 'một ngày (ngày/tháng/năm)', en: 'a date' },
        'date-time': { vi: 'một thời điểm', en: 'a date and time' },
        email: { vi: 'một địa chỉ thư điện tử', en: 'an e-mail address' },
        uri: { vi: 'một đường dẫn', en: 'a link' },
      };
      const t = formats[String(limit)];
      return t ? vi(`phải là ${t.vi}`, `must be ${t.en}`) : vi('không đúng định dạng', 'is not in the expected form');
    }
    default:
      return vi('chưa hợp lệ', 'is not valid');
  }
}

function problems(d: Details, w: Wording): string | undefined {
  const ps = list(d.errors) as Problem[];
  if (!ps.length) return undefined;
  return ps.map((p) => problem(p, w)).join('; ');
}

/** What a guard on the data or the record wants: "Yêu cầu hoàn thiện" filled in, a level at most 3. */
function condition(f: { field: string; rule: string; expected?: unknown; valueTitles?: Record<string, Text> }, w: Wording): string {
  const name = w.field(f.field);
  const word = (v: unknown) => (f.field === 'unit.kind' ? `“${w.kinds(v)}”` : w.value(v, f.valueTitles));
  const x = f.expected === undefined ? '' : Array.isArray(f.expected) ? f.expected.map(word).join(', ') : word(f.expected);
  const say = (vi: string, en: string) => `${name} ${w.pick({ vi, en })}`;
  switch (f.rule) {
    case 'exists':
      return f.expected === false ? say('phải để trống', 'must be left empty') : say('cần được điền', 'must be filled in');
    case 'eq':
      return say(`phải là ${x}`, `must be ${x}`);
    case 'ne':
      return say(`không được là ${x}`, `must not be ${x}`);
    case 'in':
      return say(`phải là một trong: ${x}`, `must be one of: ${x}`);
    case 'notIn':
      return say(`không được là: ${x}`, `must not be: ${x}`);
    case 'contains':
      return say(`phải có ${x}`, `must include ${x}`);
    case 'gt':
      return say(`phải lớn hơn ${x || 'mức cho phép'}`, `must be more than ${x || 'allowed'}`);
    case 'gte':
      return say(`không được nhỏ hơn ${x || 'mức cho phép'}`, `must be at least ${x || 'allowed'}`);
    case 'lt':
      return say(`phải nhỏ hơn ${x || 'mức cho phép'}`, `must be less than ${x || 'allowed'}`);
    case 'lte':
      return say(`không được lớn hơn ${x || 'mức cho phép'}`, `must be at most ${x || 'allowed'}`);
    case 'before':
      return say(`phải trước ngày ${x || 'quy định'}`, `must be before ${x || 'the date set'}`);
    case 'onOrAfter':
      return say(`phải từ ngày ${x || 'quy định'} trở đi`, `must be on or after ${x || 'the date set'}`);
    default:
      return say('chưa thỏa điều kiện', 'does not meet the condition');
  }
}

const TASK_STATUS: Record<string, { vi: string; en: string }> = {
  done: { vi: 'đã hoàn thành', en: 'is done' },
  skipped: { vi: 'không cần làm', en: 'was skipped' },
  closed: { vi: 'đã đóng vì hồ sơ đã sang bước khác', en: 'is closed: the work moved on' },
  open: { vi: 'đang mở', en: 'is open' },
  'not opened': { vi: 'chưa được mở', en: 'is not open yet' },
};

const INSTANCE_STATUS: Record<string, { vi: string; en: string }> = {
  completed: { vi: 'đã hoàn thành', en: 'finished' },
  cancelled: { vi: 'đã bị huỷ', en: 'cancelled' },
  failed: { vi: 'bị lỗi', en: 'failed' },
};

const WORDS: Record<string, Words> = {
  STAGE_REJECTS_EVENT: (d, w) => {
    if (d.item !== undefined)
      return w.pick({
        vi: `Không có minh chứng ${w.name('evidence', d.item)} ở bước này.`,
        en: `There is no evidence item ${w.name('evidence', d.item)} at this stage.`,
      });
    if (d.type !== undefined && d.event === undefined)
      return w.pick({
        vi: `${w.name('event', d.type)} do hệ thống tự gửi; không gửi tay được.`,
        en: `${w.name('event', d.type)} is sent by the system, not by hand.`,
      });
    if (d.event === undefined && d.stage !== undefined)
      return w.pick({ vi: `Bước ${w.name('stage', d.stage)} không còn đang thực hiện.`, en: `Stage ${w.name('stage', d.stage)} is not active.` });
    const stages = w.names('stage', d.stages);
    const accepted = list(d.accepted);
    const now = accepted.length
      ? w.pick({ vi: ` Lúc này có thể: ${w.names('event', accepted)}.`, en: ` Possible now: ${w.names('event', accepted)}.` })
      : w.pick({ vi: ' Lúc này bước này không nhận thao tác nào.', en: ' Nothing can be sent at this stage now.' });
    return (
      w.pick({ vi: `Bước ${stages} không nhận thao tác ${w.name('event', d.event)}.`, en: `Stage ${stages} does not take ${w.name('event', d.event)}.` }) + now
    );
  },
  CONDITION_NOT_MET: (d, w) => {
    const parts: string[] = [];
    if (list(d.tasks).length)
      parts.push(w.pick({ vi: `còn việc chưa hoàn thành: ${w.names('task', d.tasks)}`, en: `tasks not done: ${w.names('task', d.tasks)}` }));
    if (list(d.evidence).length)
      parts.push(
        w.pick({ vi: `còn minh chứng chưa đánh dấu: ${w.names('evidence', d.evidence)}`, en: `evidence not checked: ${w.names('evidence', d.evidence)}` }),
      );
    if (list(d.anchors).length)
      parts.push(w.pick({ vi: `chưa đặt ngày: ${w.names('anchor', d.anchors)}`, en: `dates not set: ${w.names('anchor', d.anchors)}` }));
    for (const f of list(d.fields) as Parameters<typeof condition>[0][]) parts.push(condition(f, w));
    const what = parts.length
      ? parts.join('; ')
      : w.pick({ vi: 'dữ liệu gửi kèm chưa thỏa điều kiện của bước này', en: 'the data sent does not meet this stage’s conditions' });
    return w.pick({ vi: `Chưa thể ${w.name('event', d.event)}: ${what}.`, en: `${w.name('event', d.event)} is not possible yet: ${what}.` });
  },
  FORBIDDEN: (d, w) => {
    const stages = list(d.stages) as { stage: string; role: string }[];
    if (!stages.length) return undefined;
    const held = stages.map((s) =>
      w.pick({
        vi: `bước ${w.name('stage', s.stage)} thuộc ${w.name('role', s.role)}`,
        en: `stage ${w.name('stage', s.stage)} belongs to ${w.name('role', s.role)}`,
      }),
    );
    return w.pick({ vi: `Việc này không thuộc phần của bạn: ${held.join('; ')}.`, en: `This is not yours to do: ${held.join('; ')}.` });
  },
  UNKNOWN_TASK: (d, w) =>
    w.pick({ vi: `Quy trình này không có công việc ${w.name('task', d.task)}.`, en: `This process has no task ${w.name('task', d.task)}.` }),
  TASK_NOT_OPEN: (d, w) => {
    const task = w.name('task', d.task);
    const status = TASK_STATUS[String(d.status)];
    if (d.status === 'open')
      return w.pick({ vi: `Công việc ${task} đang mở; chỉ mở lại được việc đã hoàn thành.`, en: `Task ${task} is open; only a done task can be reopened.` });
    const open = list(d.open);
    const tail = open.length ? w.pick({ vi: ` Việc đang mở: ${w.names('task', open)}.`, en: ` Open tasks: ${w.names('task', open)}.` }) : '';
    return w.pick({ vi: `Công việc ${task} ${status?.vi ?? 'không còn mở'}.`, en: `Task ${task} ${status?.en ?? 'is not open'}.` }) + tail;
  },
  FORM_INVALID: (d, w) => {
    const p = problems(d, w);
    return w.pick({ vi: `Thông tin chưa hợp lệ: ${p ?? 'vui lòng kiểm tra lại'}.`, en: `The form is not valid: ${p ?? 'please check it'}.` });
  },
  EVENT_DATA_INVALID: (d, w) => WORDS.FORM_INVALID!(d, w),
  VALIDATION_FAILED: (d, w) => WORDS.FORM_INVALID!(d, w),
  INVALID_ARGUMENT: (d, w) => {
    if (d.field === 'reason') return w.pick({ vi: 'Cần ghi lý do: lý do được lưu vào hồ sơ.', en: 'A reason is required: it goes on the record.' });
    const p = problems(d, w) ?? (typeof d.field === 'string' ? w.field(d.field) : undefined);
    return w.pick({ vi: `Thông tin chưa hợp lệ: ${p ?? 'vui lòng kiểm tra lại'}.`, en: `The input is not valid: ${p ?? 'please check it'}.` });
  },
  NOT_APPLICABLE: (d, w) =>
    d.kind !== undefined
      ? w.pick({
          vi: `Quy trình này không áp dụng cho ${w.kinds(d.kind)}; chỉ áp dụng cho: ${w.kinds(d.allowed)}.`,
          en: `This process is not for ${w.kinds(d.kind)}; it is for: ${w.kinds(d.allowed)}.`,
        })
      : w.pick({ vi: `Quy trình này chỉ áp dụng cho: ${w.kinds(d.allowed)}.`, en: `This process is only for: ${w.kinds(d.allowed)}.` }),
  FILE_TYPE_REFUSED: (d, w) => {
    const allowed = list(d.allowed).map(String).join(', ');
    if (d.reason === 'empty') return w.pick({ vi: `Tệp “${String(d.name)}” trống.`, en: `The file “${String(d.name)}” is empty.` });
    return w.pick({
      vi: `Tệp “${String(d.name)}” không phải là PDF, ảnh hay văn bản văn phòng (hệ thống xét nội dung tệp, không xét tên). Các loại nhận: ${allowed}.`,
      en: `“${String(d.name)}” is not a PDF, an image or an office document (its content decides, not its name). Accepted: ${allowed}.`,
    });
  },
  FILE_TOO_LARGE: (d, w) => {
    const mb = (n: unknown) => (Number(n) / 1_048_576).toLocaleString(w.lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
    return w.pick({
      vi: `Tệp “${String(d.name)}” nặng ${mb(d.size)} MB, quá giới hạn ${mb(d.limit)} MB.`,
      en: `“${String(d.name)}” is ${mb(d.size)} MB, over the ${mb(d.limit)} MB limit.`,
    });
  },
  FILE_LIMIT_REACHED: (d, w) =>
    w.pick({
      vi: `Hồ sơ này đã có ${String(d.count)} tệp, bằng số tệp tối đa (${String(d.limit)}).`,
      en: `This record holds ${String(d.count)} files, the most it may (${String(d.limit)}).`,
    }),
  UNKNOWN_ANCHOR: (d, w) =>
    w.pick({ vi: `Quy trình này không có mốc thời gian ${w.name('anchor', d.anchor)}.`, en: `This process has no date ${w.name('anchor', d.anchor)}.` }),
  UNKNOWN_LIST: (d, w) => w.pick({ vi: `Quy trình này không có danh sách “${String(d.list)}”.`, en: `This process has no list “${String(d.list)}”.` }),
  CHILD_PROCESS_MISSING: (d, w) =>
    w.pick({
      vi: `Các đơn vị cấp dưới sẽ làm theo quy trình “${String(d.process)}”, nhưng quy trình đó chưa được xuất bản; hãy xuất bản nó trước.`,
      en: `The units below are to run “${String(d.process)}”, which is not published; publish it first.`,
    }),
  BAD_DATE: (d, w) =>
    w.pick({ vi: `“${String(d.date ?? '')}” không phải là một ngày có thật (ngày/tháng/năm).`, en: `“${String(d.date ?? '')}” is not a real date.` }),
  INSTANCE_NOT_RUNNING: (d, w) => {
    const s = INSTANCE_STATUS[String(d.status)];
    return w.pick({ vi: `Hồ sơ này ${s?.vi ?? 'đã kết thúc'}; không nhận thêm thao tác.`, en: `This record has ${s?.en ?? 'ended'}; it takes nothing more.` });
  },
  NEEDS_MIGRATION: (_d, w) =>
    w.pick({
      vi: 'Hồ sơ cần được chuyển sang phiên bản mới của quy trình trước khi làm tiếp.',
      en: 'The record must be moved to the new version of the process first.',
    }),
  REV_CONFLICT: (d, w) =>
    d.escalationId !== undefined
      ? w.pick({ vi: 'Cảnh báo này đã được xác nhận.', en: 'This alert was already acknowledged.' })
      : w.pick({
          vi: 'Hồ sơ vừa được người khác cập nhật; hãy tải lại trang rồi thử lại.',
          en: 'Someone else just changed this record; reload and try again.',
        }),
  DEFINITION_INVALID: (d, w) => {
    const n = list(d.diagnostics).length;
    return w.pick({
      vi: `Quy trình chưa hợp lệ${n ? `: còn ${n} lỗi` : ''}; sửa lỗi trước khi xuất bản.`,
      en: `The process is not valid${n ? `: ${n} errors` : ''}; fix them first.`,
    });
  },
  DEFINITION_EXISTS: (d, w) =>
    d.latest !== undefined
      ? w.pick({
          vi: `Quy trình đã có phiên bản ${String(d.latest)}; phiên bản mới phải lớn hơn.`,
          en: `The process is at version ${String(d.latest)}; a new version must be greater.`,
        })
      : w.pick({
          vi: `Phiên bản ${String(d.version)} đã được xuất bản với nội dung khác; bản đã xuất bản không sửa được, hãy đặt số phiên bản mới.`,
          en: `Version ${String(d.version)} is published with other content; published versions never change: give a new version number.`,
        }),
  IDEMPOTENCY_KEY_REUSED: (_d, w) =>
    w.pick({ vi: 'Yêu cầu này trùng mã với một yêu cầu khác; hãy tải lại trang.', en: 'This request reuses another one’s key; reload the page.' }),
  UNAUTHENTICATED: (_d, w) => w.pick({ vi: 'Phiên làm việc đã hết; vui lòng đăng nhập lại.', en: 'Your session has ended; please sign in again.' }),
  CSRF_TOKEN_INVALID: (_d, w) => w.pick({ vi: 'Phiên làm việc đã thay đổi; hãy tải lại trang.', en: 'The session changed; reload the page.' }),
  ROUTE_NOT_FOUND: (_d, w) => w.pick({ vi: 'Máy chủ không có chức năng này.', en: 'The server has no such function.' }),
  MALFORMED_JSON: (_d, w) => w.pick({ vi: 'Dữ liệu gửi lên bị hỏng; hãy tải lại trang.', en: 'The data sent was damaged; reload the page.' }),
  UNSUPPORTED_MEDIA_TYPE: (_d, w) => w.pick({ vi: 'Máy chủ không đọc được kiểu dữ liệu này.', en: 'The server cannot read this kind of data.' }),
  SERVICE_UNAVAILABLE: (_d, w) =>
    w.pick({
      vi: 'Máy chủ tạm thời không kết nối được cơ sở dữ liệu; vui lòng thử lại sau ít phút.',
      en: 'The server cannot reach its store right now; try again shortly.',
    }),
  INTERNAL: (_d, w) => w.pick({ vi: 'Máy chủ gặp lỗi; lỗi đã được ghi lại.', en: 'Something went wrong on the server; it has been logged.' }),
  CALENDAR_OUT_OF_RANGE: (_d, w) =>
    w.pick({ vi: 'Hạn này nằm ngoài lịch nghỉ lễ đã cài đặt; không tính được ngày làm việc.', en: 'This date is beyond the installed holiday calendar.' }),
  BAD_INSTANT: (_d, w) => w.pick({ vi: 'Thời điểm không hợp lệ.', en: 'Not a valid date and time.' }),
};

/**
 * The refusal as a sentence in the reader's language; undefined for a code without words here (the
 * caller has its own, or a generic sentence with the code).
 */
export function wordRefusal(code: string, details: Record<string, unknown> | undefined, help: WordingHelp): string | undefined {
  const words = WORDS[code];
  if (!words) return undefined;
  const d = details ?? {};
  const names = (typeof d.names === 'object' && d.names !== null ? d.names : {}) as Names;
  return words(d, new Wording(help.lang, names, help.fieldLabel ?? (() => undefined), help.kindLabel));
}

/** What one refused form field must be, worded for under the field itself. */
export function wordFieldProblem(p: Problem, help: WordingHelp): string {
  return rule(p, new Wording(help.lang, {}, help.fieldLabel ?? (() => undefined)));
}
